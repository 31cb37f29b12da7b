//! The vendor templates: which column of a HubSpot, Salesforce or Pipedrive export feeds which
//! field, with the other spellings each vendor uses (Salesforce's API names and UI labels) and
//! the value tables that translate their vocabularies (lifecycle stages, account types).
//!
//! Column names follow each vendor's standard export of the object; custom properties map by
//! header like any custom file. This module is data only.

use crate::import::Transform;

/// One vendor export format.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Stable id used by the API (`hubspot_contacts`).
    pub id: &'static str,
    pub label: &'static str,
    pub vendor: &'static str,
    /// `company` or `person`: what kind of customer each row becomes.
    pub kind: &'static str,
    /// The `source` stored with external ids, so re-imports match.
    pub source: &'static str,
    pub columns: &'static [TemplateColumn],
}

/// One column of a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateColumn {
    pub header: &'static str,
    /// Other spellings of the same column (UI label vs API name, older exports).
    pub aliases: &'static [&'static str],
    pub target: &'static str,
    pub transform: Option<Transform>,
}

const fn col(header: &'static str, target: &'static str) -> TemplateColumn {
    TemplateColumn {
        header,
        aliases: &[],
        target,
        transform: None,
    }
}

const fn alias(
    header: &'static str,
    aliases: &'static [&'static str],
    target: &'static str,
) -> TemplateColumn {
    TemplateColumn {
        header,
        aliases,
        target,
        transform: None,
    }
}

const fn with(
    header: &'static str,
    aliases: &'static [&'static str],
    target: &'static str,
    transform: Transform,
) -> TemplateColumn {
    TemplateColumn {
        header,
        aliases,
        target,
        transform: Some(transform),
    }
}

/// HubSpot lifecycle stages (internal values and labels) to customer statuses.
const HUBSPOT_STAGES: &[(&str, &str)] = &[
    ("subscriber", "lead"),
    ("lead", "lead"),
    ("marketingqualifiedlead", "lead"),
    ("Marketing Qualified Lead", "lead"),
    ("salesqualifiedlead", "lead"),
    ("Sales Qualified Lead", "lead"),
    ("opportunity", "onboarding"),
    ("customer", "active"),
    ("evangelist", "active"),
    ("other", "lead"),
];

/// Salesforce account types to customer statuses.
const SALESFORCE_TYPES: &[(&str, &str)] = &[
    ("Prospect", "lead"),
    ("Customer - Direct", "active"),
    ("Customer - Channel", "active"),
    ("Channel Partner / Reseller", "active"),
    ("Installation Partner", "active"),
    ("Technology Partner", "active"),
    ("Other", "lead"),
];

/// Every template, in the order the wizard offers them.
pub const TEMPLATES: &[Template] = &[
    Template {
        id: "hubspot_companies",
        label: "HubSpot companies export",
        vendor: "hubspot",
        kind: "company",
        source: "hubspot",
        columns: &[
            alias("Record ID", &["Company ID", "hs_object_id"], "external_id"),
            alias("Company name", &["name"], "name"),
            with(
                "Company Domain Name",
                &["domain", "Website URL"],
                "website",
                Transform::Website,
            ),
            col("Industry", "industry"),
            with(
                "Number of Employees",
                &["numberofemployees"],
                "company_size",
                Transform::EmployeesToSize,
            ),
            alias("Phone Number", &["phone"], "phone"),
            alias("Street Address", &["address"], "billing_address.line1"),
            alias("Street Address 2", &["address2"], "billing_address.line2"),
            col("City", "billing_address.city"),
            alias("State/Region", &["state"], "billing_address.region"),
            alias("Postal Code", &["zip"], "billing_address.postal_code"),
            alias("Country/Region", &["country"], "billing_address.country"),
            with(
                "Lifecycle Stage",
                &["lifecyclestage"],
                "status",
                Transform::MapValues(HUBSPOT_STAGES),
            ),
            with(
                "Create Date",
                &["createdate"],
                "customer_since",
                Transform::Date("%Y-%m-%d"),
            ),
            alias("About Us", &["description"], "notes"),
        ],
    },
    Template {
        id: "hubspot_contacts",
        label: "HubSpot contacts export",
        vendor: "hubspot",
        kind: "person",
        source: "hubspot",
        columns: &[
            alias("Record ID", &["Contact ID", "hs_object_id"], "external_id"),
            alias("First Name", &["firstname"], "first_name"),
            alias("Last Name", &["lastname"], "last_name"),
            alias("Email", &["email"], "email"),
            alias("Phone Number", &["phone"], "phone"),
            alias(
                "Mobile Phone Number",
                &["mobilephone"],
                "primary_contact.mobile",
            ),
            alias("Job Title", &["jobtitle"], "primary_contact.title"),
            alias("Street Address", &["address"], "billing_address.line1"),
            col("City", "billing_address.city"),
            alias("State/Region", &["state"], "billing_address.region"),
            alias("Postal Code", &["zip"], "billing_address.postal_code"),
            alias("Country/Region", &["country"], "billing_address.country"),
            with(
                "Lifecycle Stage",
                &["lifecyclestage"],
                "status",
                Transform::MapValues(HUBSPOT_STAGES),
            ),
            with(
                "Create Date",
                &["createdate"],
                "customer_since",
                Transform::Date("%Y-%m-%d"),
            ),
        ],
    },
    Template {
        id: "salesforce_accounts",
        label: "Salesforce Account export",
        vendor: "salesforce",
        kind: "company",
        source: "salesforce",
        columns: &[
            alias("Id", &["Account ID"], "external_id"),
            alias("Name", &["Account Name"], "name"),
            alias("AccountNumber", &["Account Number"], "customer_code"),
            col("Website", "website"),
            col("Phone", "phone"),
            col("Industry", "industry"),
            with(
                "NumberOfEmployees",
                &["Employees"],
                "company_size",
                Transform::EmployeesToSize,
            ),
            with(
                "Type",
                &["Account Type"],
                "status",
                Transform::MapValues(SALESFORCE_TYPES),
            ),
            alias(
                "BillingStreet",
                &["Billing Street"],
                "billing_address.line1",
            ),
            alias("BillingCity", &["Billing City"], "billing_address.city"),
            alias(
                "BillingState",
                &["Billing State/Province"],
                "billing_address.region",
            ),
            alias(
                "BillingPostalCode",
                &["Billing Zip/Postal Code"],
                "billing_address.postal_code",
            ),
            alias(
                "BillingCountry",
                &["Billing Country"],
                "billing_address.country",
            ),
            alias("Description", &["Account Description"], "notes"),
            with(
                "CreatedDate",
                &["Created Date"],
                "customer_since",
                Transform::Date("%Y-%m-%d"),
            ),
        ],
    },
    Template {
        id: "salesforce_contacts",
        label: "Salesforce Contact export",
        vendor: "salesforce",
        kind: "person",
        source: "salesforce",
        columns: &[
            alias("Id", &["Contact ID"], "external_id"),
            alias("FirstName", &["First Name"], "first_name"),
            alias("LastName", &["Last Name"], "last_name"),
            col("Email", "email"),
            col("Phone", "phone"),
            alias("MobilePhone", &["Mobile"], "primary_contact.mobile"),
            col("Title", "primary_contact.title"),
            alias(
                "MailingStreet",
                &["Mailing Street"],
                "billing_address.line1",
            ),
            alias("MailingCity", &["Mailing City"], "billing_address.city"),
            alias(
                "MailingState",
                &["Mailing State/Province"],
                "billing_address.region",
            ),
            alias(
                "MailingPostalCode",
                &["Mailing Zip/Postal Code"],
                "billing_address.postal_code",
            ),
            alias(
                "MailingCountry",
                &["Mailing Country"],
                "billing_address.country",
            ),
            alias("Description", &["Contact Description"], "notes"),
            with(
                "CreatedDate",
                &["Created Date"],
                "customer_since",
                Transform::Date("%Y-%m-%d"),
            ),
        ],
    },
    Template {
        id: "pipedrive_organizations",
        label: "Pipedrive organizations export",
        vendor: "pipedrive",
        kind: "company",
        source: "pipedrive",
        columns: &[
            alias("Organization - ID", &["ID"], "external_id"),
            alias("Organization - Name", &["Name"], "name"),
            alias(
                "Organization - Address",
                &["Address"],
                "billing_address.line1",
            ),
            alias("Organization - Web domain", &["Web domain"], "website"),
            alias("Organization - Label", &["Label"], "tags"),
            with(
                "Organization - Number of employees",
                &["Number of employees"],
                "company_size",
                Transform::EmployeesToSize,
            ),
            alias("Organization - Industry", &["Industry"], "industry"),
            with(
                "Organization - Organization created",
                &["Organization created"],
                "customer_since",
                Transform::Date("%Y-%m-%d"),
            ),
        ],
    },
    Template {
        id: "pipedrive_people",
        label: "Pipedrive people export",
        vendor: "pipedrive",
        kind: "person",
        source: "pipedrive",
        columns: &[
            alias("Person - ID", &["ID"], "external_id"),
            alias("Person - Name", &["Name"], "full_name"),
            alias("Person - First name", &["First name"], "first_name"),
            alias("Person - Last name", &["Last name"], "last_name"),
            alias("Person - Email", &["Email"], "email"),
            alias("Person - Phone", &["Phone"], "phone"),
            alias(
                "Person - Job title",
                &["Job title"],
                "primary_contact.title",
            ),
            alias("Person - Label", &["Label"], "tags"),
            with(
                "Person - Person created",
                &["Person created"],
                "customer_since",
                Transform::Date("%Y-%m-%d"),
            ),
        ],
    },
];
