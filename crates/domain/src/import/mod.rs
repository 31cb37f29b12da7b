//! Import column mapping: the fields a CSV column can feed, the vendor templates (HubSpot,
//! Salesforce, Pipedrive) that name their exports' columns, per-column value transforms, and
//! auto-mapping of a file's headers with a confidence (exact, alias, fuzzy).
//!
//! It exists so the API, the background importer and the SPA's wizard agree on one mapping. It
//! must not read files or touch the database; it maps names and values only.

pub mod plan;
pub mod sniff;
mod templates;

use std::collections::HashMap;

pub use crate::import::templates::{TEMPLATES, Template, TemplateColumn};

/// Every field a column can be mapped to: the customer API's own field names, dotted names for
/// the records created with it (`billing_address.city`, `primary_contact.email`), and
/// `full_name`, which [`split_full_name`] divides into `first_name` and `last_name`.
pub const TARGETS: &[&str] = &[
    "name",
    "full_name",
    "kind",
    "customer_code",
    "display_name",
    "legal_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "website",
    "industry",
    "company_size",
    "tax_id",
    "status",
    "customer_type",
    "tier",
    "plan",
    "currency",
    "mrr",
    "ltv",
    "credit_limit",
    "payment_terms_days",
    "tags",
    "notes",
    "country",
    "customer_since",
    "external_id",
    "billing_address.line1",
    "billing_address.line2",
    "billing_address.city",
    "billing_address.region",
    "billing_address.postal_code",
    "billing_address.country",
    "primary_contact.first_name",
    "primary_contact.last_name",
    "primary_contact.email",
    "primary_contact.phone",
    "primary_contact.mobile",
    "primary_contact.title",
];

/// How sure an automatic mapping is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Similar spelling only (`Emial` for `email`); worth a look.
    Fuzzy,
    /// A known other name (`Billing City`, `BillingCity`, `Company Domain Name`).
    Alias,
    /// The header is the target's own name, or the template's column name.
    Exact,
}

impl Confidence {
    pub fn as_str(&self) -> &'static str {
        match self {
            Confidence::Exact => "exact",
            Confidence::Alias => "alias",
            Confidence::Fuzzy => "fuzzy",
        }
    }
}

/// A change applied to a column's text before it is parsed as its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transform {
    /// A value table, compared case- and accent-insensitively (e.g. lifecycle stage -> status).
    /// Values not in the table are left as they are, so validation names them.
    MapValues(&'static [(&'static str, &'static str)]),
    /// A head count such as `250` or `1,200` into a `company_size` band.
    EmployeesToSize,
    /// A date in this `strftime` format into `YYYY-MM-DD` (a date-time keeps its date).
    Date(&'static str),
    /// A domain or URL as a website (`acme.example` stays; the customer parser adds `https://`).
    Website,
}

impl Transform {
    /// What the transform does, in words, for the wizard and the API.
    pub fn describe(&self) -> String {
        match self {
            Transform::MapValues(table) => {
                let pairs: Vec<String> = table.iter().map(|(f, t)| format!("{f} → {t}")).collect();
                format!("values mapped: {}", pairs.join(", "))
            }
            Transform::EmployeesToSize => "head count to a company-size band".to_owned(),
            Transform::Date(format) => format!("date read as {format}"),
            Transform::Website => "domain or URL as the website".to_owned(),
        }
    }

    /// Applies the transform; `None` when the result is empty.
    pub fn apply(&self, raw: &str) -> Option<String> {
        let text = raw.trim();
        if text.is_empty() {
            return None;
        }
        let out = match self {
            Transform::MapValues(table) => {
                let key = crate::search::fold(text);
                table
                    .iter()
                    .find(|(from, _)| crate::search::fold(from) == key)
                    .map_or_else(|| text.to_owned(), |(_, to)| (*to).to_owned())
            }
            Transform::EmployeesToSize => {
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                match digits.parse::<u64>() {
                    Ok(n) => employees_band(n).to_owned(),
                    Err(_) => text.to_owned(),
                }
            }
            Transform::Date(format) => {
                let date = chrono::NaiveDate::parse_from_str(text, format)
                    .ok()
                    .or_else(|| {
                        chrono::NaiveDateTime::parse_from_str(text, format)
                            .ok()
                            .map(|dt| dt.date())
                    })
                    .or_else(|| {
                        // Exports often add a time to a date column.
                        let date_part = text.split([' ', 'T']).next().unwrap_or(text);
                        chrono::NaiveDate::parse_from_str(date_part, format).ok()
                    });
                match date {
                    Some(d) => d.format("%Y-%m-%d").to_string(),
                    None => text.to_owned(),
                }
            }
            Transform::Website => text.to_owned(),
        };
        Some(out)
    }
}

/// A full name as (first name, last name): the first word, then the rest. One word is a first
/// name only.
pub fn split_full_name(full: &str) -> (Option<String>, Option<String>) {
    let mut words = full.split_whitespace();
    let first = words.next().map(str::to_owned);
    let rest: Vec<&str> = words.collect();
    let last = if rest.is_empty() {
        None
    } else {
        Some(rest.join(" "))
    };
    (first, last)
}

/// The `company_size` band of a head count.
pub fn employees_band(n: u64) -> &'static str {
    match n {
        0..=10 => "1-10",
        11..=50 => "11-50",
        51..=200 => "51-200",
        201..=500 => "201-500",
        501..=1000 => "501-1000",
        1001..=5000 => "1001-5000",
        _ => "5001+",
    }
}

/// Generic other names of targets, used with every template and for custom files.
const ALIASES: &[(&str, &str)] = &[
    ("company", "name"),
    ("company name", "name"),
    ("organization", "name"),
    ("organisation", "name"),
    ("account name", "name"),
    ("e-mail", "email"),
    ("email address", "email"),
    ("mail", "email"),
    ("telephone", "phone"),
    ("phone number", "phone"),
    ("tel", "phone"),
    ("url", "website"),
    ("web", "website"),
    ("domain", "website"),
    ("employees", "company_size"),
    ("number of employees", "company_size"),
    ("vat", "tax_id"),
    ("vat number", "tax_id"),
    ("tax number", "tax_id"),
    ("id", "external_id"),
    ("record id", "external_id"),
    ("full name", "full_name"),
    ("contact name", "full_name"),
    ("first", "first_name"),
    ("given name", "first_name"),
    ("last", "last_name"),
    ("surname", "last_name"),
    ("family name", "last_name"),
    ("description", "notes"),
    ("street", "billing_address.line1"),
    ("address", "billing_address.line1"),
    ("street address", "billing_address.line1"),
    ("city", "billing_address.city"),
    ("state", "billing_address.region"),
    ("region", "billing_address.region"),
    ("province", "billing_address.region"),
    ("zip", "billing_address.postal_code"),
    ("postcode", "billing_address.postal_code"),
    ("postal code", "billing_address.postal_code"),
    ("zip code", "billing_address.postal_code"),
    ("job title", "primary_contact.title"),
    ("title", "primary_contact.title"),
    ("mobile", "primary_contact.mobile"),
    ("mobile phone", "primary_contact.mobile"),
];

/// A header folded for comparison: lower-case ASCII letters and digits only (`Billing City`,
/// `billing_city` and `BillingCity` all become `billingcity`).
pub fn header_key(header: &str) -> String {
    crate::search::fold(header)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// One automatic mapping of a file's column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMatch {
    pub header: String,
    pub target: &'static str,
    pub confidence: Confidence,
    /// 0..=1; 1 for exact and alias matches.
    pub score: f64,
    pub transform: Option<Transform>,
}

/// How similar a header must be to a name to be offered as a fuzzy match.
pub const FUZZY_THRESHOLD: f64 = 0.88;

/// Maps each header of a file to at most one target, using `template` first (its columns and
/// their aliases), then the targets' own names, then generic aliases, then spelling similarity.
/// A target is given to one column only: the most confident one, then the first.
pub fn auto_map(headers: &[String], template: Option<&Template>) -> Vec<ColumnMatch> {
    let mut names: Vec<(String, &'static str, Confidence, Option<Transform>)> = Vec::new();
    if let Some(template) = template {
        for column in template.columns {
            names.push((
                header_key(column.header),
                column.target,
                Confidence::Exact,
                column.transform.clone(),
            ));
            for alias in column.aliases {
                names.push((
                    header_key(alias),
                    column.target,
                    Confidence::Alias,
                    column.transform.clone(),
                ));
            }
        }
    }
    for target in TARGETS {
        names.push((header_key(target), target, Confidence::Exact, None));
    }
    for (alias, target) in ALIASES {
        names.push((header_key(alias), target, Confidence::Alias, None));
    }
    let mut candidates: Vec<ColumnMatch> = Vec::new();
    for header in headers {
        let key = header_key(header);
        if key.is_empty() {
            continue;
        }
        let known = names.iter().find(|(name, ..)| *name == key);
        let found = match known {
            Some((_, target, confidence, transform)) => Some(ColumnMatch {
                header: header.clone(),
                target,
                confidence: *confidence,
                score: 1.0,
                transform: transform.clone(),
            }),
            None => names
                .iter()
                .map(|(name, target, _, transform)| {
                    (strsim::jaro_winkler(&key, name), *target, transform)
                })
                .filter(|(score, ..)| *score >= FUZZY_THRESHOLD)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(score, target, transform)| ColumnMatch {
                    header: header.clone(),
                    target,
                    confidence: Confidence::Fuzzy,
                    score: (score * 100.0).round() / 100.0,
                    transform: transform.clone(),
                }),
        };
        candidates.extend(found);
    }
    // One column per target: the most confident wins, ties go to the first column.
    let mut best: HashMap<&'static str, usize> = HashMap::new();
    for (i, candidate) in candidates.iter().enumerate() {
        match best.get(candidate.target) {
            Some(&j)
                if (candidates[j].confidence, candidates[j].score)
                    >= (candidate.confidence, candidate.score) => {}
            _ => {
                best.insert(candidate.target, i);
            }
        }
    }
    candidates
        .into_iter()
        .enumerate()
        .filter(|(i, c)| best.get(c.target) == Some(i))
        .map(|(_, c)| c)
        .collect()
}

/// The template with this id.
pub fn template(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn mapped(matches: &[ColumnMatch]) -> Vec<(&str, &str, &str)> {
        matches
            .iter()
            .map(|m| (m.header.as_str(), m.target, m.confidence.as_str()))
            .collect()
    }

    #[test]
    fn every_template_maps_only_to_known_targets() {
        for template in TEMPLATES {
            for column in template.columns {
                assert!(
                    TARGETS.contains(&column.target),
                    "{} maps {} to unknown {}",
                    template.id,
                    column.header,
                    column.target
                );
            }
        }
    }

    #[test]
    fn salesforce_api_names_and_ui_labels_both_map() {
        let sf = template("salesforce_accounts");
        let api = auto_map(
            &headers(&["Name", "BillingCity", "BillingPostalCode", "Id"]),
            sf,
        );
        let ui = auto_map(
            &headers(&[
                "Account Name",
                "Billing City",
                "Billing Zip/Postal Code",
                "Account ID",
            ]),
            sf,
        );
        let targets = |m: &[ColumnMatch]| m.iter().map(|c| c.target).collect::<Vec<_>>();
        assert_eq!(targets(&api), targets(&ui));
        assert_eq!(
            targets(&api),
            [
                "name",
                "billing_address.city",
                "billing_address.postal_code",
                "external_id"
            ]
        );
    }

    #[test]
    fn headers_map_exactly_by_alias_or_by_spelling() {
        let matches = auto_map(
            &headers(&[
                "Email",
                "Company Name",
                "Emial",
                "Phnoe",
                "Favourite colour",
                "",
            ]),
            None,
        );
        assert_eq!(
            mapped(&matches),
            [
                ("Email", "email", "exact"),
                ("Company Name", "name", "alias"),
                ("Phnoe", "phone", "fuzzy"),
            ],
            "the typo of a taken target loses to the exact column"
        );
    }

    #[test]
    fn hubspot_lifecycle_stages_become_statuses() {
        let hubspot = template("hubspot_companies").expect("template");
        let matches = auto_map(
            &headers(&[
                "Record ID",
                "Company name",
                "Lifecycle Stage",
                "Number of Employees",
            ]),
            Some(hubspot),
        );
        let stage = matches
            .iter()
            .find(|m| m.target == "status")
            .expect("status");
        let transform = stage.transform.as_ref().expect("transform");
        assert_eq!(transform.apply("Customer").as_deref(), Some("active"));
        assert_eq!(
            transform.apply("marketingqualifiedlead").as_deref(),
            Some("lead")
        );
        assert_eq!(transform.apply("Mystery").as_deref(), Some("Mystery"));
        let size = matches
            .iter()
            .find(|m| m.target == "company_size")
            .and_then(|m| m.transform.clone())
            .expect("size transform");
        assert_eq!(size.apply("1,200").as_deref(), Some("1001-5000"));
    }

    #[test]
    fn transforms_split_names_and_read_dates() {
        assert_eq!(
            split_full_name(" Ada  King Lovelace"),
            (Some("Ada".to_owned()), Some("King Lovelace".to_owned()))
        );
        assert_eq!(split_full_name("Cher"), (Some("Cher".to_owned()), None));
        assert_eq!(split_full_name("  "), (None, None));
        assert_eq!(
            Transform::Date("%m/%d/%Y")
                .apply("01/31/2024 10:15")
                .as_deref(),
            Some("2024-01-31")
        );
        assert_eq!(
            Transform::Date("%Y-%m-%d")
                .apply("2024-01-31T10:15:00Z")
                .as_deref(),
            Some("2024-01-31")
        );
        assert_eq!(
            Transform::Date("%Y-%m-%d").apply("soon").as_deref(),
            Some("soon")
        );
        assert_eq!(employees_band(0), "1-10");
        assert_eq!(employees_band(10_000), "5001+");
    }
}
