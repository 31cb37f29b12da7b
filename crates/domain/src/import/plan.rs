//! An import's mapping made concrete for one file: which column feeds which target through which
//! transforms, the defaults for targets no column feeds, and the match policy. Built once per
//! job from the user's mapping (a template, column overrides, defaults) and the file's headers,
//! then applied to every row.

use std::collections::BTreeMap;

use crate::error::{FieldError, ValueError};
use crate::import::{
    Confidence, TARGETS, Template, Transform, auto_map, split_full_name, template,
};

wire_enum! {
    /// How an incoming row finds the customer it is about.
    pub enum MatchBy ("match.by") {
        /// `source` plus the row's `external_id`: the idempotent choice for vendor exports.
        ExternalId => "external_id",
        /// The customer's email, compared case-insensitively.
        Email => "email",
        /// The website's domain.
        Domain => "domain",
        /// Every row creates a customer.
        None => "none",
    }
}

wire_enum! {
    /// What a row that matches an existing customer does.
    pub enum OnMatch ("match.on_match") {
        /// Overwrite the mapped fields.
        Update => "update",
        /// Leave the customer as it is.
        Skip => "skip",
        /// Write only the fields the customer does not have yet.
        FillEmpty => "fill_empty",
    }
}

/// The match policy of a job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MatchPolicy {
    pub by: MatchBy,
    pub on_match: OnMatch,
    /// The system external ids come from (`hubspot`, `salesforce`, `csv` ...).
    pub source: String,
}

wire_enum! {
    /// Letter case a column can be put into.
    pub enum LetterCase ("case") {
        Upper => "upper",
        Lower => "lower",
        /// Each word capitalised (`ACME corp` -> `Acme Corp`).
        Title => "title",
    }
}

/// A transform a user adds to a column (templates add their own [`Transform`]s).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ColumnTransform {
    /// Letter case.
    Case { to: LetterCase },
    /// A date in this `strftime` format (`%d/%m/%Y`) into ISO form.
    Date { format: String },
    /// A value table, compared case- and accent-insensitively; other values pass unchanged.
    MapValues { values: BTreeMap<String, String> },
}

impl ColumnTransform {
    /// Applies the transform to a trimmed, non-empty value.
    pub fn apply(&self, text: &str) -> String {
        match self {
            ColumnTransform::Case { to } => match to {
                LetterCase::Upper => text.to_uppercase(),
                LetterCase::Lower => text.to_lowercase(),
                LetterCase::Title => title_case(text),
            },
            ColumnTransform::Date { format } => {
                match chrono::NaiveDate::parse_from_str(text, format).or_else(|_| {
                    chrono::NaiveDateTime::parse_from_str(text, format).map(|dt| dt.date())
                }) {
                    Ok(d) => d.format("%Y-%m-%d").to_string(),
                    Err(_) => text.to_owned(),
                }
            }
            ColumnTransform::MapValues { values } => {
                let key = crate::search::fold(text);
                values
                    .iter()
                    .find(|(from, _)| crate::search::fold(from) == key)
                    .map_or_else(|| text.to_owned(), |(_, to)| to.clone())
            }
        }
    }

    /// Checks what a user sent: a date format must be one chrono understands.
    pub fn check(&self) -> Result<(), ValueError> {
        if let ColumnTransform::Date { format } = self {
            let items = chrono::format::StrftimeItems::new(format);
            if items
                .clone()
                .any(|item| matches!(item, chrono::format::Item::Error))
                || format.trim().is_empty()
            {
                return Err(ValueError::new(format!(
                    "{format:?} is not a date format (use strftime, e.g. %d/%m/%Y)"
                )));
            }
        }
        Ok(())
    }
}

fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a user asks for: a template and/or explicit choices per column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappingSpec {
    /// A template id, or `custom` / none for auto-mapping by header alone.
    pub template: Option<String>,
    /// Per header: the target, or `None` to ignore the column. Overrides the template.
    pub columns: Vec<(String, Option<String>)>,
    /// Per header: transforms applied after the template's.
    pub transforms: Vec<(String, Vec<ColumnTransform>)>,
    /// Values for targets no column feeds (or whose cell is empty).
    pub defaults: Vec<(String, String)>,
    pub by: Option<MatchBy>,
    pub on_match: Option<OnMatch>,
    pub source: Option<String>,
}

/// One column of the file in the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPlan {
    /// Position in each record.
    pub index: usize,
    pub header: String,
    pub target: &'static str,
    /// How the column was mapped: `None` when the user chose it.
    pub confidence: Option<Confidence>,
    pub template_transform: Option<Transform>,
    pub transforms: Vec<ColumnTransform>,
}

/// The mapping of one job, ready to apply to rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub template: Option<&'static Template>,
    pub columns: Vec<ColumnPlan>,
    pub defaults: Vec<(&'static str, String)>,
    pub policy: MatchPolicy,
}

/// A row after mapping: each target's text and the header it came from (for error messages).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappedRow {
    pub values: BTreeMap<&'static str, String>,
    pub origin: BTreeMap<&'static str, String>,
    /// Cells that look like spreadsheet formulas, by header; the row is refused.
    pub formulas: Vec<String>,
}

impl MappedRow {
    pub fn get(&self, target: &str) -> Option<&str> {
        self.values.get(target).map(String::as_str)
    }

    /// The header a field's value came from, for naming the column in an error. Dotted
    /// targets and `full_name` parts resolve to their column too.
    pub fn column_of(&self, field: &str) -> Option<&str> {
        self.origin.get(field).map(String::as_str)
    }
}

fn target_named(name: &str) -> Option<&'static str> {
    TARGETS.iter().copied().find(|t| *t == name)
}

/// The ISO code of a country written as a name, as vendor exports do (`United Kingdom`,
/// `the Netherlands`, `Viet Nam`, `USA`); `None` when the text is not one (a code such as `de`
/// is left to the field's own parser).
pub fn country_code(text: &str) -> Option<&'static str> {
    use std::str::FromStr;
    if text.trim().len() <= 2 {
        return None;
    }
    // celes knows names and aliases written as one capitalised word each ("UnitedKingdom").
    let key: String = crate::search::fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "the")
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|f| f.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    celes::Country::from_str(&key).ok().map(|c| c.alpha2)
}

/// A cell a spreadsheet would run as a formula when the data is opened again (`=cmd|...`).
pub fn looks_like_formula(cell: &str) -> bool {
    cell.trim_start().starts_with('=')
}

impl Plan {
    /// Resolves `spec` against the file's `headers`: the template's auto-mapping first, then the
    /// user's column choices. Reports every unknown template, header, target or transform.
    pub fn build(headers: &[String], spec: &MappingSpec) -> Result<Plan, Vec<FieldError>> {
        let mut errors = Vec::new();
        let template = match spec.template.as_deref().map(str::trim) {
            None | Some("") | Some("custom") => None,
            Some(id) => match template(id) {
                Some(t) => Some(t),
                None => {
                    errors.push(FieldError::new(
                        "template",
                        format!("no template {id:?}; GET /api/v1/import-templates lists them"),
                    ));
                    None
                }
            },
        };
        let mut columns: Vec<ColumnPlan> = auto_map(headers, template)
            .into_iter()
            .filter_map(|m| {
                let index = headers.iter().position(|h| *h == m.header)?;
                Some(ColumnPlan {
                    index,
                    header: m.header,
                    target: m.target,
                    confidence: Some(m.confidence),
                    template_transform: m.transform,
                    transforms: Vec::new(),
                })
            })
            .collect();
        for (header, target) in &spec.columns {
            let Some(index) = headers.iter().position(|h| h == header) else {
                errors.push(FieldError::new(
                    format!("columns.{header}"),
                    "no such column in the file",
                ));
                continue;
            };
            columns.retain(|c| c.index != index);
            let Some(target) = target.as_deref().filter(|t| !t.trim().is_empty()) else {
                continue;
            };
            let Some(target) = target_named(target.trim()) else {
                errors.push(FieldError::new(
                    format!("columns.{header}"),
                    format!("{target:?} is not a field a column can feed; see targets in GET /api/v1/import-templates"),
                ));
                continue;
            };
            // The user's choice wins over an automatic mapping of the same target.
            columns.retain(|c| c.target != target || c.confidence.is_none());
            if columns.iter().any(|c| c.target == target) {
                errors.push(FieldError::new(
                    format!("columns.{header}"),
                    format!("{target} is already fed by another column"),
                ));
                continue;
            }
            columns.push(ColumnPlan {
                index,
                header: header.clone(),
                target,
                confidence: None,
                template_transform: None,
                transforms: Vec::new(),
            });
        }
        for (header, transforms) in &spec.transforms {
            for (i, t) in transforms.iter().enumerate() {
                if let Err(e) = t.check() {
                    errors.push(FieldError::new(
                        format!("transforms.{header}[{i}]"),
                        e.message,
                    ));
                }
            }
            match columns.iter_mut().find(|c| &c.header == header) {
                Some(column) => column.transforms = transforms.clone(),
                None => errors.push(FieldError::new(
                    format!("transforms.{header}"),
                    "no mapped column with this header",
                )),
            }
        }
        columns.sort_by_key(|c| c.index);
        let mut defaults = Vec::new();
        for (target, value) in &spec.defaults {
            match target_named(target) {
                Some(t) => defaults.push((t, value.clone())),
                None => errors.push(FieldError::new(
                    format!("defaults.{target}"),
                    "not a field a column can feed",
                )),
            }
        }
        if let Some(t) = template
            && !defaults.iter().any(|(target, _)| *target == "kind")
            && !columns.iter().any(|c| c.target == "kind")
        {
            defaults.push(("kind", t.kind.to_owned()));
        }
        let by = spec.by.unwrap_or(if template.is_some() {
            MatchBy::ExternalId
        } else {
            MatchBy::None
        });
        let source = spec
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or_else(|| template.map(|t| t.source.to_owned()))
            .unwrap_or_else(|| "csv".to_owned());
        if source.chars().count() > 50 {
            errors.push(FieldError::new(
                "match.source",
                "must be at most 50 characters",
            ));
        }
        let policy = MatchPolicy {
            by,
            on_match: spec.on_match.unwrap_or(OnMatch::Update),
            source,
        };
        let feeds = |target: &str| {
            columns.iter().any(|c| c.target == target) || defaults.iter().any(|(t, _)| *t == target)
        };
        let needed = match policy.by {
            MatchBy::ExternalId => Some("external_id"),
            MatchBy::Email => Some("email"),
            MatchBy::Domain => Some("website"),
            MatchBy::None => None,
        };
        if let Some(needed) = needed
            && !feeds(needed)
        {
            errors.push(FieldError::new(
                "match.by",
                format!(
                    "matching by {} needs a column mapped to {needed}",
                    policy.by.as_str()
                ),
            ));
        }
        if !feeds("name") && !feeds("full_name") && !feeds("first_name") && !feeds("last_name") {
            errors.push(FieldError::new(
                "columns",
                "map a column to name (or full_name / first_name / last_name for people)",
            ));
        }
        if errors.is_empty() {
            Ok(Plan {
                template,
                columns,
                defaults,
                policy,
            })
        } else {
            Err(errors)
        }
    }

    /// Maps one record's cells: trims, applies the transforms, splits a full name, fills
    /// defaults. Empty cells are left out, so they never overwrite anything.
    pub fn apply(&self, cells: &[&str]) -> MappedRow {
        let mut row = MappedRow::default();
        for column in &self.columns {
            let Some(raw) = cells.get(column.index) else {
                continue;
            };
            if looks_like_formula(raw) {
                row.formulas.push(column.header.clone());
                continue;
            }
            let Some(mut text) = (match &column.template_transform {
                Some(t) => t.apply(raw),
                None => Some(raw.trim().to_owned()).filter(|s| !s.is_empty()),
            }) else {
                continue;
            };
            for t in &column.transforms {
                text = t.apply(&text);
            }
            if column.target == "full_name" {
                let (first, last) = split_full_name(&text);
                for (target, part) in [("first_name", first), ("last_name", last)] {
                    if let Some(part) = part
                        && !row.values.contains_key(target)
                    {
                        row.values.insert(target, part);
                        row.origin.insert(target, column.header.clone());
                    }
                }
                continue;
            }
            if matches!(column.target, "country" | "billing_address.country") {
                text = country_code(&text).map_or(text, str::to_owned);
            }
            row.values.insert(column.target, text);
            row.origin.insert(column.target, column.header.clone());
        }
        for (target, value) in &self.defaults {
            if !row.values.contains_key(target) && !value.trim().is_empty() {
                row.values.insert(target, value.trim().to_owned());
            }
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn template_with_overrides_defaults_and_transforms() {
        let h = headers(&[
            "Record ID",
            "Company name",
            "Lifecycle Stage",
            "Owner",
            "Signed",
        ]);
        let spec = MappingSpec {
            template: Some("hubspot_companies".into()),
            columns: vec![
                ("Owner".into(), None),
                ("Signed".into(), Some("customer_since".into())),
            ],
            transforms: vec![(
                "Signed".into(),
                vec![ColumnTransform::Date {
                    format: "%d/%m/%Y".into(),
                }],
            )],
            defaults: vec![("currency".into(), "EUR".into())],
            ..MappingSpec::default()
        };
        let plan = Plan::build(&h, &spec).expect("plan");
        assert_eq!(plan.policy.by, MatchBy::ExternalId);
        assert_eq!(plan.policy.source, "hubspot");
        let row = plan.apply(&["17", " Acme  ", "customer", "x", "02/03/2024"]);
        assert_eq!(row.get("external_id"), Some("17"));
        assert_eq!(row.get("name"), Some("Acme"));
        assert_eq!(row.get("status"), Some("active"));
        assert_eq!(row.get("customer_since"), Some("2024-03-02"));
        assert_eq!(row.get("currency"), Some("EUR"));
        assert_eq!(row.get("kind"), Some("company"));
        assert_eq!(row.column_of("status"), Some("Lifecycle Stage"));
    }

    #[test]
    fn unknown_names_are_all_reported() {
        let h = headers(&["Name", "Email"]);
        let spec = MappingSpec {
            template: Some("nope".into()),
            columns: vec![
                ("Missing".into(), Some("email".into())),
                ("Email".into(), Some("emial".into())),
            ],
            defaults: vec![("colour".into(), "red".into())],
            by: Some(MatchBy::ExternalId),
            ..MappingSpec::default()
        };
        let errors = Plan::build(&h, &spec).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "template",
                "columns.Missing",
                "columns.Email",
                "defaults.colour",
                "match.by"
            ]
        );
    }

    #[test]
    fn full_name_splits_and_formulas_are_flagged() {
        let h = headers(&["Full Name", "Notes"]);
        let plan = Plan::build(&h, &MappingSpec::default()).expect("plan");
        let row = plan.apply(&["Ada King Lovelace", "=HYPERLINK(\"x\")"]);
        assert_eq!(row.get("first_name"), Some("Ada"));
        assert_eq!(row.get("last_name"), Some("King Lovelace"));
        assert_eq!(row.column_of("last_name"), Some("Full Name"));
        assert_eq!(row.formulas, ["Notes"]);
    }

    #[test]
    fn country_names_become_codes() {
        assert_eq!(country_code("United Kingdom"), Some("GB"));
        assert_eq!(country_code("the Netherlands"), Some("NL"));
        assert_eq!(country_code("Österreich"), None);
        assert_eq!(country_code("Germany"), Some("DE"));
        assert_eq!(country_code("de"), None);
    }

    #[test]
    fn case_and_value_tables() {
        let title = ColumnTransform::Case {
            to: LetterCase::Title,
        };
        assert_eq!(title.apply("ACME corp"), "Acme Corp");
        let map = ColumnTransform::MapValues {
            values: BTreeMap::from([("Kunde".to_owned(), "active".to_owned())]),
        };
        assert_eq!(map.apply("KUNDE"), "active");
        assert_eq!(map.apply("other"), "other");
        assert!(
            ColumnTransform::Date {
                format: "%Q".into()
            }
            .check()
            .is_err()
        );
    }
}
