//! The customer: its closed vocabularies, the write model and the rules that span fields.
//!
//! Single values are already checked by the types in `values`; what lives here are the rules that
//! need two fields or a date ("a company has no birth date", "source comes with external id").
//! This module must not read the clock (callers pass `today`), touch storage, or take raw strings
//! in place of parsed values.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::error::{FieldError, Validator};
use crate::ids::{CustomerId, UserId};
use crate::money::Money;
use crate::values::{
    BoundedText, ChurnRisk, CountryCode, CurrencyCode, CustomerCode, Email, HealthScore, LongText,
    PhoneNumber, Tag, Website,
};

/// Longest `name`, `display_name`, `legal_name`, `first_name` or `last_name`.
pub const NAME_MAX_CHARS: usize = 200;
/// Longest `industry`, `tier`, `plan` or `source`.
pub const LABEL_MAX_CHARS: usize = 100;
/// Longest `tax_id`.
pub const TAX_ID_MAX_CHARS: usize = 64;
/// Longest `external_id`.
pub const EXTERNAL_ID_MAX_CHARS: usize = 200;
/// Longest `notes` or `internal_notes`.
pub const NOTES_MAX_CHARS: usize = 10_000;
/// Longest payment terms, in days: a year.
pub const MAX_PAYMENT_TERMS_DAYS: u16 = 365;
/// The earliest date a customer record may carry (birth dates, customer since). Older dates are
/// typing mistakes, and years before 4713 BC do not even fit PostgreSQL's date type.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

wire_enum! {
    /// Whether the customer is an organisation or an individual.
    pub enum CustomerKind ("kind") {
        Company => "company",
        Person => "person",
    }
}

wire_enum! {
    /// Where the customer is in its life cycle.
    pub enum CustomerStatus ("status") {
        Lead => "lead",
        Onboarding => "onboarding",
        Active => "active",
        AtRisk => "at_risk",
        Suspended => "suspended",
        Churned => "churned",
    }
}

wire_enum! {
    /// How the relationship is managed commercially.
    pub enum CustomerType ("customer_type") {
        Standard => "standard",
        Vip => "vip",
        Partner => "partner",
    }
}

wire_enum! {
    /// The state of the customer's latest invoice.
    pub enum PaymentStatus ("payment_status") {
        Current => "current",
        Pending => "pending",
        Overdue => "overdue",
        Failed => "failed",
    }
}

wire_enum! {
    /// Head-count bands, written on the wire as the bands themselves.
    pub enum CompanySize ("company_size") {
        S1To10 => "1-10",
        S11To50 => "11-50",
        S51To200 => "51-200",
        S201To500 => "201-500",
        S501To1000 => "501-1000",
        S1001To5000 => "1001-5000",
        S5001Plus => "5001+",
    }
}

/// A customer about to be created, made only of parsed values. The API builds it from its DTO
/// (collecting every field error), then `validate_new_customer` checks the cross-field rules.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    pub kind: CustomerKind,
    pub customer_code: Option<CustomerCode>,
    /// At most `NAME_MAX_CHARS`; for a person without one, see `display_name_for`.
    pub name: BoundedText,
    pub display_name: Option<BoundedText>,
    pub legal_name: Option<BoundedText>,
    pub first_name: Option<BoundedText>,
    pub last_name: Option<BoundedText>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub website: Option<Website>,
    pub industry: Option<BoundedText>,
    pub company_size: Option<CompanySize>,
    pub tax_id: Option<BoundedText>,
    pub status: CustomerStatus,
    pub customer_type: CustomerType,
    pub tier: Option<BoundedText>,
    pub plan: Option<BoundedText>,
    /// The currency of `mrr`, `ltv` and `credit_limit`.
    pub currency: CurrencyCode,
    pub mrr: Money,
    pub ltv: Money,
    pub credit_limit: Option<Money>,
    pub payment_terms_days: Option<u16>,
    pub payment_status: PaymentStatus,
    pub parent_id: Option<CustomerId>,
    pub owner_id: Option<UserId>,
    pub health_score: Option<HealthScore>,
    pub churn_risk: Option<ChurnRisk>,
    pub tags: Vec<Tag>,
    pub custom_fields: Map<String, Value>,
    pub settings: Map<String, Value>,
    pub portal_access: bool,
    pub notes: Option<LongText>,
    pub internal_notes: Option<LongText>,
    pub country: Option<CountryCode>,
    pub customer_since: Option<NaiveDate>,
    pub external_id: Option<BoundedText>,
    pub source: Option<BoundedText>,
}

impl NewCustomer {
    /// The smallest valid customer: a `lead` of type `standard`, payments `current`, zero MRR and
    /// LTV, no portal access, and nothing else set. Callers fill in the rest field by field.
    pub fn new(kind: CustomerKind, name: BoundedText, currency: CurrencyCode) -> NewCustomer {
        NewCustomer {
            kind,
            customer_code: None,
            name,
            display_name: None,
            legal_name: None,
            first_name: None,
            last_name: None,
            birth_date: None,
            email: None,
            phone: None,
            website: None,
            industry: None,
            company_size: None,
            tax_id: None,
            status: CustomerStatus::Lead,
            customer_type: CustomerType::Standard,
            tier: None,
            plan: None,
            currency,
            mrr: Money::ZERO,
            ltv: Money::ZERO,
            credit_limit: None,
            payment_terms_days: None,
            payment_status: PaymentStatus::Current,
            parent_id: None,
            owner_id: None,
            health_score: None,
            churn_risk: None,
            tags: Vec::new(),
            custom_fields: Map::new(),
            settings: Map::new(),
            portal_access: false,
            notes: None,
            internal_notes: None,
            country: None,
            customer_since: None,
            external_id: None,
            source: None,
        }
    }
}

/// Checks the rules that span fields or depend on the date, reporting every broken rule at once.
/// `today` is the organisation's current date, passed in so this stays pure and testable.
pub fn validate_new_customer(c: &NewCustomer, today: NaiveDate) -> Result<(), Vec<FieldError>> {
    let mut v = Validator::new();

    if c.name.as_str().chars().count() > NAME_MAX_CHARS {
        v.push(
            "name",
            format!("must be at most {NAME_MAX_CHARS} characters"),
        );
    }

    match c.kind {
        CustomerKind::Person => {
            if c.first_name.is_none() && c.last_name.is_none() {
                v.push("first_name", "a person needs a first name or a last name");
            }
        }
        CustomerKind::Company => {
            if c.birth_date.is_some() {
                v.push("birth_date", "only a person can have a birth date");
            }
        }
    }
    if c.birth_date.is_some_and(|d| d > today) {
        v.push("birth_date", "must not be in the future");
    }
    if c.birth_date.is_some_and(|d| d < EARLIEST_DATE) {
        v.push("birth_date", "must be in 1900 or later");
    }
    if c.customer_since.is_some_and(|d| d < EARLIEST_DATE) {
        v.push("customer_since", "must be in 1900 or later");
    }
    if c.customer_since.is_some_and(|d| d > today) {
        v.push("customer_since", "must not be in the future");
    }

    if c.external_id.is_some() != c.source.is_some() {
        v.push(
            "source",
            "external_id and source must be given together (source says which system the id is from)",
        );
    }

    let amounts = [
        ("mrr", Some(c.mrr)),
        ("ltv", Some(c.ltv)),
        ("credit_limit", c.credit_limit),
    ];
    for (field, amount) in amounts {
        if amount.is_some_and(|m| m.is_negative()) {
            v.push(field, "must not be negative");
        }
    }

    if c.payment_terms_days
        .is_some_and(|d| d > MAX_PAYMENT_TERMS_DAYS)
    {
        v.push(
            "payment_terms_days",
            format!("must be at most {MAX_PAYMENT_TERMS_DAYS} days"),
        );
    }

    v.finish()
}

/// Removes repeated tags, keeping the first occurrence of each and the original order.
pub fn dedupe_tags(tags: Vec<Tag>) -> Vec<Tag> {
    let mut seen = HashSet::with_capacity(tags.len());
    tags.into_iter()
        .filter(|tag| seen.insert(tag.clone()))
        .collect()
}

/// The name to store for a person whose `name` was left out: "First Last", or whichever part
/// exists. `None` for a company, or when neither part has any text.
pub fn display_name_for(
    kind: CustomerKind,
    first: Option<&str>,
    last: Option<&str>,
) -> Option<String> {
    if kind != CustomerKind::Person {
        return None;
    }
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" "))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::NaiveDate;

    use crate::customer::{
        CompanySize, CustomerKind, CustomerStatus, CustomerType, NewCustomer, PaymentStatus,
        dedupe_tags, display_name_for, validate_new_customer,
    };
    use crate::error::FieldError;
    use crate::money::Money;
    use crate::values::{BoundedText, CurrencyCode, Tag};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
    }

    fn text(s: &str) -> BoundedText {
        BoundedText::parse(s, 1000).unwrap()
    }

    fn customer(kind: CustomerKind) -> NewCustomer {
        NewCustomer::new(kind, text("Acme"), CurrencyCode::parse("USD").unwrap())
    }

    /// Applies `edit` to a fresh customer of `kind` and compares the failing fields.
    fn check(kind: CustomerKind, edit: impl FnOnce(&mut NewCustomer), expected_fields: &[&str]) {
        let mut c = customer(kind);
        edit(&mut c);
        let got: Vec<String> = match validate_new_customer(&c, today()) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        };
        assert_eq!(got, expected_fields, "customer {c:?}");
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn enums_round_trip_through_their_wire_strings_and_serde_agrees() {
        fn round_trip<T>(
            all: &[T],
            as_str: fn(&T) -> &'static str,
            parse: fn(&str) -> Result<T, crate::error::ValueError>,
        ) where
            T: Copy + PartialEq + std::fmt::Debug + serde::Serialize,
        {
            for value in all {
                let wire = as_str(value);
                assert_eq!(parse(wire), Ok(*value));
                assert_eq!(parse(&format!(" {} ", wire.to_uppercase())), Ok(*value));
                assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{wire}\""));
            }
        }
        round_trip(CustomerKind::ALL, CustomerKind::as_str, CustomerKind::parse);
        round_trip(
            CustomerStatus::ALL,
            CustomerStatus::as_str,
            CustomerStatus::parse,
        );
        round_trip(CustomerType::ALL, CustomerType::as_str, CustomerType::parse);
        round_trip(
            PaymentStatus::ALL,
            PaymentStatus::as_str,
            PaymentStatus::parse,
        );
        round_trip(CompanySize::ALL, CompanySize::as_str, CompanySize::parse);
    }

    #[test]
    fn wire_strings_are_the_documented_ones() {
        let cases: &[(&[&str], Vec<&str>)] = &[
            (
                &["company", "person"],
                CustomerKind::ALL.iter().map(CustomerKind::as_str).collect(),
            ),
            (
                &[
                    "lead",
                    "onboarding",
                    "active",
                    "at_risk",
                    "suspended",
                    "churned",
                ],
                CustomerStatus::ALL
                    .iter()
                    .map(CustomerStatus::as_str)
                    .collect(),
            ),
            (
                &["standard", "vip", "partner"],
                CustomerType::ALL.iter().map(CustomerType::as_str).collect(),
            ),
            (
                &["current", "pending", "overdue", "failed"],
                PaymentStatus::ALL
                    .iter()
                    .map(PaymentStatus::as_str)
                    .collect(),
            ),
            (
                &[
                    "1-10",
                    "11-50",
                    "51-200",
                    "201-500",
                    "501-1000",
                    "1001-5000",
                    "5001+",
                ],
                CompanySize::ALL.iter().map(CompanySize::as_str).collect(),
            ),
        ];
        for (want, got) in cases {
            assert_eq!(&got[..], *want);
        }
        assert_eq!(
            serde_json::from_str::<CustomerStatus>("\"at_risk\"").unwrap(),
            CustomerStatus::AtRisk
        );
        assert_eq!(
            serde_json::from_str::<CompanySize>("\"5001+\"").unwrap(),
            CompanySize::S5001Plus
        );
    }

    #[test]
    fn unknown_enum_values_are_rejected_with_the_allowed_list() {
        let err = CustomerStatus::parse("gone").unwrap_err();
        assert_eq!(
            err.message,
            "status must be one of: lead, onboarding, active, at_risk, suspended, churned"
        );
        let err = CompanySize::parse("10").unwrap_err();
        assert!(err.message.contains("1-10, 11-50"), "{}", err.message);
        assert!(CustomerKind::parse("").is_err());
    }

    #[test]
    fn minimal_customers_of_either_kind_are_valid_once_a_person_has_a_name() {
        check(CustomerKind::Company, |_| {}, &[]);
        check(
            CustomerKind::Person,
            |c| c.first_name = Some(text("Ada")),
            &[],
        );
        check(
            CustomerKind::Person,
            |c| c.last_name = Some(text("Lovelace")),
            &[],
        );
    }

    #[test]
    fn each_cross_field_rule_reports_its_own_field() {
        type Edit = fn(&mut NewCustomer);
        let cases: &[(&str, CustomerKind, Edit, &[&str])] = &[
            (
                "person without names",
                CustomerKind::Person,
                |_| {},
                &["first_name"],
            ),
            (
                "company with birth date",
                CustomerKind::Company,
                |c| c.birth_date = date(1990, 1, 1),
                &["birth_date"],
            ),
            (
                "person born today",
                CustomerKind::Person,
                |c| {
                    c.first_name = Some(text("Ada"));
                    c.birth_date = date(2025, 6, 15);
                },
                &[],
            ),
            (
                "person born tomorrow",
                CustomerKind::Person,
                |c| {
                    c.first_name = Some(text("Ada"));
                    c.birth_date = date(2025, 6, 16);
                },
                &["birth_date"],
            ),
            (
                "external id without source",
                CustomerKind::Company,
                |c| c.external_id = Some(text("cus_123")),
                &["source"],
            ),
            (
                "source without external id",
                CustomerKind::Company,
                |c| c.source = Some(text("stripe")),
                &["source"],
            ),
            (
                "external id with source",
                CustomerKind::Company,
                |c| {
                    c.external_id = Some(text("cus_123"));
                    c.source = Some(text("stripe"));
                },
                &[],
            ),
            (
                "negative mrr",
                CustomerKind::Company,
                |c| c.mrr = Money::from_minor(-1),
                &["mrr"],
            ),
            (
                "negative ltv",
                CustomerKind::Company,
                |c| c.ltv = Money::from_minor(-1),
                &["ltv"],
            ),
            (
                "negative credit limit",
                CustomerKind::Company,
                |c| c.credit_limit = Some(Money::from_minor(-1)),
                &["credit_limit"],
            ),
            (
                "zero credit limit",
                CustomerKind::Company,
                |c| c.credit_limit = Some(Money::ZERO),
                &[],
            ),
            (
                "customer since tomorrow",
                CustomerKind::Company,
                |c| c.customer_since = date(2025, 6, 16),
                &["customer_since"],
            ),
            (
                "customer since today",
                CustomerKind::Company,
                |c| c.customer_since = date(2025, 6, 15),
                &[],
            ),
            (
                "payment terms of a year",
                CustomerKind::Company,
                |c| c.payment_terms_days = Some(365),
                &[],
            ),
            (
                "payment terms over a year",
                CustomerKind::Company,
                |c| c.payment_terms_days = Some(366),
                &["payment_terms_days"],
            ),
            (
                "name over 200 characters",
                CustomerKind::Company,
                |c| c.name = text(&"x".repeat(201)),
                &["name"],
            ),
        ];
        for (label, kind, edit, fields) in cases {
            let mut c = customer(*kind);
            edit(&mut c);
            let got: Vec<String> = validate_new_customer(&c, today())
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect();
            assert_eq!(got, *fields, "{label}");
        }
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        check(
            CustomerKind::Company,
            |c| {
                c.birth_date = date(2030, 1, 1);
                c.mrr = Money::from_minor(-5);
                c.ltv = Money::from_minor(-5);
                c.source = Some(text("hubspot"));
                c.payment_terms_days = Some(1000);
            },
            &[
                "birth_date",
                "birth_date",
                "source",
                "mrr",
                "ltv",
                "payment_terms_days",
            ],
        );
        let errors = validate_new_customer(&customer(CustomerKind::Person), today()).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new(
                "first_name",
                "a person needs a first name or a last name"
            )]
        );
    }

    #[test]
    fn dedupe_tags_keeps_the_first_of_each_in_order() {
        let tags =
            |names: &[&str]| -> Vec<Tag> { names.iter().map(|n| Tag::parse(n).unwrap()).collect() };
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (&["a"], &["a"]),
            (&["b", "a", "b", "c", "a"], &["b", "a", "c"]),
            (
                &["VIP", "vip", "Q3 renewal", "q3-renewal"],
                &["vip", "q3-renewal"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(dedupe_tags(tags(input)), tags(want), "{input:?}");
        }
    }

    #[test]
    fn a_person_is_named_after_first_and_last_name() {
        fn check(kind: CustomerKind, first: Option<&str>, last: Option<&str>, want: Option<&str>) {
            let got = display_name_for(kind, first, last);
            assert_eq!(got.as_deref(), want, "{kind:?} {first:?} {last:?}");
        }
        use CustomerKind::{Company, Person};
        check(Person, Some("Ada"), Some("Lovelace"), Some("Ada Lovelace"));
        check(Person, Some(" Ada "), None, Some("Ada"));
        check(Person, None, Some("Lovelace"), Some("Lovelace"));
        check(Person, Some("  "), Some("Lovelace"), Some("Lovelace"));
        check(Person, Some(""), Some(" "), None);
        check(Person, None, None, None);
        check(Company, Some("Ada"), Some("Lovelace"), None);
    }
}
