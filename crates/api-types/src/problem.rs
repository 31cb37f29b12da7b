//! RFC 9457 problem details, the body of every error response.

use serde::{Deserialize, Serialize};

/// An error response (`application/problem+json`). `code` is stable and meant for programs;
/// `title` and `detail` are for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type, e.g. `https://tenure.dev/problems/validation_failed`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code such as `validation_failed`, `not_found`, `version_conflict`.
    pub code: String,
    /// Per-field errors, present for `validation_failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One invalid field: a dotted path into the request body (or the query parameter name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}
