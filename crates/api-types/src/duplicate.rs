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

/// `POST /duplicate-scans`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateScanInput {
    /// Every customer (`true`), or only those updated since the last completed scan (default;
    /// the first scan is always full).
    #[serde(default)]
    pub full: Option<bool>,
}

/// A whole-base scan and its progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateScanView {
    pub id: uuid::Uuid,
    /// `full` or `incremental`.
    pub mode: String,
    /// `queued`, `running`, `completed` or `failed`.
    pub status: String,
    /// While running: `candidates`, `scoring` or `storing`.
    pub phase: Option<String>,
    /// Candidate pairs from blocking (each compared once).
    pub candidates: i64,
    /// Candidate pairs scored so far.
    pub scored: i64,
    /// Pairs at or above the review threshold.
    pub pairs: i64,
    /// Live customers covered.
    pub customers: i64,
    /// Blocking efficiency: candidate pairs per customer covered.
    pub candidates_per_customer: f64,
    /// 0 to 100.
    pub percent: f64,
    pub message: Option<String>,
    pub created_by: String,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// `GET /duplicate-scans`: the latest scans, newest first (a running one is first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateScanList {
    pub items: Vec<DuplicateScanView>,
}

/// One side of a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateSide {
    pub customer_id: uuid::Uuid,
    pub customer_code: String,
    pub name: String,
}

/// A stored pair of possible duplicates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePairView {
    pub id: uuid::Uuid,
    pub left: DuplicateSide,
    pub right: DuplicateSide,
    pub score: f64,
    /// `high` or `medium`.
    pub confidence: String,
    pub evidence: Vec<MatchEvidence>,
    /// `open`, `dismissed` or `merged`.
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// `GET /duplicates`: the review queue, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePairList {
    pub items: Vec<DuplicatePairView>,
    pub next_cursor: Option<String>,
}

/// `POST /duplicates/dismiss`: at most 500 pair ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateDismissInput {
    pub ids: Vec<uuid::Uuid>,
}

/// The pairs a dismiss took out of the queue (ids not open were left alone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateDismissResult {
    pub dismissed: Vec<uuid::Uuid>,
}

/// `GET`/`PUT /duplicate-settings`: the organisation's thresholds, 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateSettings {
    /// At or above: likely the same customer (shown as `high` confidence).
    pub high: f64,
    /// At or above: worth a review; nothing below is shown or stored.
    pub medium: f64,
}

/// Customers that open pairs link together: review and merge them at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateCluster {
    /// The cluster's smallest customer id; stable while its members are.
    pub key: uuid::Uuid,
    /// By id.
    pub customers: Vec<DuplicateSide>,
    /// The pairs joining them, best first (see `GET /duplicates`).
    pub pair_ids: Vec<uuid::Uuid>,
    pub best_score: f64,
    /// The weakest link: a low one means the cluster may chain through a doubtful pair.
    pub weakest_score: f64,
    /// Of the best pair: `high` or `medium`.
    pub confidence: String,
}

/// `GET /duplicate-clusters`: strongest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateClusterList {
    pub items: Vec<DuplicateCluster>,
    /// How many clusters there are in all.
    pub total: u64,
    pub next_cursor: Option<String>,
}
