//! Custom field definitions: the organisation's list of extra customer fields, which
//! `custom_fields` on a customer is validated against.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The body of `POST /custom-fields` and what a `PATCH` must produce.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomFieldInput {
    /// The key in `custom_fields`: lower-case letters, digits and `_`, starting with a letter.
    /// Cannot change after creation.
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    /// `text`, `number`, `date`, `select` or `bool`.
    #[serde(default)]
    pub field_type: Option<String>,
    /// The choices of a `select`.
    #[serde(default)]
    pub options: Option<Vec<String>>,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub position: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomFieldView {
    pub id: Uuid,
    pub key: String,
    pub label: String,
    pub field_type: String,
    pub options: Vec<String>,
    pub required: bool,
    pub position: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomFieldList {
    pub items: Vec<CustomFieldView>,
}
