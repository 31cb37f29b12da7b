//! Tiers (owner-managed service levels with a discount) and the pricing impact of a change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The body of `POST /tiers` and what a `PATCH /tiers/{id}` must produce.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    /// Unique per organisation (case-insensitive); customers carry it as `tier`.
    #[serde(default)]
    pub name: Option<String>,
    /// Higher is better; unique per organisation.
    #[serde(default)]
    pub level: Option<i64>,
    /// 0 to 100 with at most two decimals, e.g. `"12.5"`.
    #[serde(default, deserialize_with = "crate::customer::amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "10"))]
    pub discount_percent: Option<String>,
    #[serde(default)]
    pub benefits: Option<Vec<String>>,
    /// Minimum annual spend to qualify, in `currency`.
    #[serde(default, deserialize_with = "crate::customer::amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub min_annual_spend: Option<String>,
    /// Defaults to the organisation's currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Other requirements in words.
    #[serde(default)]
    pub requirements: Option<String>,
    /// `#rrggbb`.
    #[serde(default)]
    pub colour: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierView {
    pub id: Uuid,
    pub name: String,
    pub level: i64,
    pub discount_percent: String,
    pub benefits: Vec<String>,
    pub min_annual_spend: Option<String>,
    pub currency: String,
    pub requirements: Option<String>,
    pub colour: String,
    /// Live customers on this tier.
    pub customers: u64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /tiers`: lowest level first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierList {
    pub items: Vec<TierView>,
}

/// `POST /customers/{id}/tier/preview` and `PUT /customers/{id}/tier`. `tier_id: null` removes
/// the tier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierChangeInput {
    #[serde(default)]
    pub tier_id: Option<Uuid>,
    /// Reprice MRR by the change in discount (default true). With `false` only the tier
    /// changes.
    #[serde(default)]
    pub reprice: Option<bool>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Money before and after a tier change, in the customer's currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceChange {
    pub before: String,
    pub after: String,
    /// `after - before`, signed.
    pub delta: String,
}

/// What a tier change would do, computed without changing anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierPreview {
    pub old_tier: Option<String>,
    pub new_tier: Option<String>,
    pub old_discount_percent: String,
    pub new_discount_percent: String,
    pub currency: String,
    /// The price before any discount, derived from MRR and the old discount.
    pub list_mrr: String,
    pub mrr: PriceChange,
    pub arr: PriceChange,
    /// Open (not yet completed) `order` activities and their total, repriced the same way.
    pub open_orders: u64,
    pub open_orders_total: PriceChange,
    /// Whether the customer meets the new tier's minimum annual spend (ARR after the change).
    pub meets_requirements: bool,
    pub reprice: bool,
}
