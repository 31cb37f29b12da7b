//! Imports: the vendor templates and mapping targets the CSV wizard offers.

use serde::{Deserialize, Serialize};

/// One column of a vendor export and the field it feeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportTemplateColumn {
    pub header: String,
    /// Other spellings of the header (Salesforce UI labels next to API names, ...).
    pub aliases: Vec<String>,
    /// A customer field name, or a dotted one such as `billing_address.city`.
    pub target: String,
    /// What is done to the value first, in words (e.g. "lifecycle stage to status").
    pub transform: Option<String>,
}

/// A vendor export format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportTemplateView {
    /// Pass as `template` when mapping an import, e.g. `hubspot_contacts`.
    pub id: String,
    pub label: String,
    pub vendor: String,
    /// `company` or `person`: what each row becomes.
    pub kind: String,
    /// Stored with external ids so a re-import matches.
    pub source: String,
    pub columns: Vec<ImportTemplateColumn>,
}

/// `GET /import-templates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportTemplateList {
    pub items: Vec<ImportTemplateView>,
    /// Every field a column can be mapped to.
    pub targets: Vec<String>,
}

/// How a column is mapped, as the job holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportColumnMapping {
    /// A field name from `targets`, e.g. `name` or `billing_address.city`.
    pub target: String,
    /// `exact`, `alias`, `fuzzy`, or `user` when chosen in the mapping.
    pub confidence: String,
    /// Transforms applied first, in words.
    pub transforms: Vec<String>,
}

/// One column of the uploaded file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportColumn {
    pub index: u32,
    pub header: String,
    /// The first non-empty values.
    pub samples: Vec<String>,
    /// How many data rows have a value in this column.
    pub filled: u64,
    /// The mapping in force (the auto-mapping before one is saved); absent when ignored.
    pub mapping: Option<ImportColumnMapping>,
}

/// A job's counts. During `validating` and after `validated` they are the dry run's forecast.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failed: u64,
}

/// Where a running phase is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProgress {
    pub rows_done: u64,
    pub total_rows: u64,
    /// 0..=100.
    pub percent: f64,
    pub rows_per_second: Option<f64>,
    pub eta_seconds: Option<u64>,
}

/// One reason a row was refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRowError {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: u64,
    /// The file's column, when one is to blame.
    pub column: Option<String>,
    /// The customer field (`email`, `billing_address.postal_code`, ...).
    pub field: String,
    pub message: String,
}

/// One field an update would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportFieldChange {
    pub field: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub before: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub after: serde_json::Value,
}

/// A preview of an update the import would make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportUpdatePreview {
    pub row: u64,
    pub customer_id: uuid::Uuid,
    pub customer_name: String,
    pub changes: Vec<ImportFieldChange>,
}

/// The dry run's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportValidation {
    pub counts: ImportCounts,
    /// The first refused rows (all of them are in `errors.csv`).
    pub errors: Vec<ImportRowError>,
    /// The first updates, field by field.
    pub updates: Vec<ImportUpdatePreview>,
}

/// The match policy of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportMatch {
    /// `external_id` (with `source`), `email`, `domain` or `none`.
    pub by: String,
    /// `update`, `skip` or `fill_empty`.
    pub on_match: String,
    /// The system the external ids come from; defaults to the template's vendor, else `csv`.
    pub source: String,
}

/// An import job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportJobView {
    pub id: uuid::Uuid,
    /// `uploaded`, `mapped`, `validating`, `validated`, `queued`, `running`, `completed`,
    /// `cancelled`, `failed`, `reverting`, `reverted`.
    pub status: String,
    pub file_name: String,
    pub file_size: u64,
    /// `utf-8`, `utf-16le`, `utf-16be` or `windows-1252` (the file is stored as UTF-8).
    pub encoding: String,
    /// `,`, `;`, `\t` or `|`.
    pub delimiter: String,
    pub has_header: bool,
    /// Data rows in the file.
    pub total_rows: u64,
    pub columns: Vec<ImportColumn>,
    /// The first data rows as read.
    pub sample: Vec<Vec<String>>,
    pub template: Option<String>,
    /// The saved mapping as sent, once given.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub mapping: Option<serde_json::Value>,
    pub match_policy: Option<ImportMatch>,
    pub counts: ImportCounts,
    pub progress: ImportProgress,
    pub validation: Option<ImportValidation>,
    pub cancel_requested: bool,
    pub message: Option<String>,
    /// Link to the refused rows as CSV, once there are any.
    pub errors_url: Option<String>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reverted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Until when `POST /imports/{id}/revert` is accepted.
    pub revertible_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// `GET /imports`: the history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportJobList {
    pub items: Vec<ImportJobView>,
    pub next_cursor: Option<String>,
}

/// A user's transform of a column: `{"type": "case", "to": "title"}`,
/// `{"type": "date", "format": "%d/%m/%Y"}` or `{"type": "map_values", "values": {"Kunde": "active"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ImportTransformInput {
    Case {
        to: String,
    },
    Date {
        format: String,
    },
    MapValues {
        values: std::collections::BTreeMap<String, String>,
    },
}

/// How matches are found and handled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportMatchInput {
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub on_match: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// `PUT /imports/{id}/mapping`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportMappingInput {
    /// A template id, or `custom`.
    #[serde(default)]
    pub template: Option<String>,
    /// `{"<csv header>": "<target>"}`; `null` ignores the column. Overrides the template.
    #[serde(default)]
    pub columns: std::collections::BTreeMap<String, Option<String>>,
    /// `{"<csv header>": [transform, ...]}`, applied after the template's own.
    #[serde(default)]
    pub transforms: std::collections::BTreeMap<String, Vec<ImportTransformInput>>,
    /// `{"<target>": value}` for rows whose cell is empty or unmapped.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub defaults: serde_json::Map<String, serde_json::Value>,
    #[serde(default, rename = "match")]
    pub match_policy: Option<ImportMatchInput>,
}

/// `POST /import-mappings` and `PUT /import-mappings/{id}`: an organisation's own mapping, kept
/// by name so the next file from the same system maps in one step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SavedMappingInput {
    /// 1 to 100 characters, unique in the organisation.
    pub name: String,
    /// The body of `PUT /imports/{id}/mapping`.
    pub mapping: ImportMappingInput,
}

/// A saved mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedMappingView {
    pub id: uuid::Uuid,
    pub name: String,
    pub mapping: ImportMappingInput,
    pub created_by_label: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// `GET /import-mappings`, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedMappingList {
    pub items: Vec<SavedMappingView>,
}
