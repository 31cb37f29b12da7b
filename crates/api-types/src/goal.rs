//! Customer goals (success plans) with their progress history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The body of `POST /customers/{id}/goals` and what a `PATCH` must produce. Changing
/// `current_value` or `status` adds an entry to the goal's history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `adoption`, `usage`, `revenue`, `seats`, `nps`, `tickets`, `training` or `custom`.
    #[serde(default)]
    pub metric: Option<String>,
    #[serde(default)]
    pub current_value: Option<f64>,
    #[serde(default)]
    pub target_value: Option<f64>,
    /// e.g. `%`, `seats`, `USD`.
    #[serde(default)]
    pub unit: Option<String>,
    /// e.g. `2026-Q4`, `FY2027`, `monthly`.
    #[serde(default)]
    pub period: Option<String>,
    /// `on_track` (default), `at_risk`, `achieved` or `missed`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
    /// Set when `status` becomes `achieved` (or `missed`) unless given.
    #[serde(default)]
    pub completed_at: Option<NaiveDate>,
    /// Kept with the history entry a change makes (not stored on the goal).
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub metric: String,
    pub current_value: f64,
    pub target_value: f64,
    /// `current_value / target_value` as a percentage, 0..=100 (capped).
    pub progress_percent: f64,
    pub unit: Option<String>,
    pub period: Option<String>,
    pub status: String,
    pub target_date: Option<NaiveDate>,
    pub completed_at: Option<NaiveDate>,
    /// Newest first.
    pub history: Vec<GoalUpdateView>,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One recorded change of a goal's value or status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalUpdateView {
    pub value: f64,
    pub status: String,
    pub note: Option<String>,
    pub actor_label: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalList {
    pub items: Vec<GoalView>,
}
