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
