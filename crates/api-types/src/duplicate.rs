//! Duplicate detection: the real-time check and the evidence behind a match.

use serde::{Deserialize, Serialize};

/// `POST /customers/duplicates/check`: whatever of a customer has been typed so far. Every
/// field is optional; values that cannot be read (a half-typed email) are simply not compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateCheckInput {
    /// `company` or `person`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub tax_id: Option<String>,
    /// ISO 3166 alpha-2; reads national phone numbers.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub address_line1: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    /// The customer being edited, left out of the answer.
    #[serde(default)]
    pub exclude_id: Option<uuid::Uuid>,
    /// 1 to 20 (default 5).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One field's part in a match score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchEvidence {
    pub field: String,
    /// The normalised values compared (left: the record asked about).
    pub left: String,
    pub right: String,
    /// 0 to 1.
    pub similarity: f64,
    /// What full agreement on this field would add (log2 of m/u).
    pub weight: f64,
    /// What it added; negative when it speaks against a match.
    pub contribution: f64,
    /// How it was compared: `exact`, `jaro_winkler`, `token_set`, `nickname`, `swapped`,
    /// `e164`, `registrable_domain`, `different`, ...
    pub rule: String,
}

/// A customer that may be the same as the record asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateCandidate {
    pub customer_id: uuid::Uuid,
    pub customer_code: String,
    pub name: String,
    /// 0 to 1.
    pub score: f64,
    /// `high` (likely the same) or `medium` (worth a look).
    pub confidence: String,
    pub evidence: Vec<MatchEvidence>,
}

/// The answer of the check, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateCheckResult {
    pub candidates: Vec<DuplicateCandidate>,
}
