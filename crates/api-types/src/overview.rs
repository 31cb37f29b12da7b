//! The customer page's composite reads: the hierarchy (ancestors, children, roll-ups) and the
//! one-call overview.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{ActivityView, ContactView, CustomerView, FlagView, GoalView, TierView};

/// A customer as a link: enough to show and navigate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRef {
    pub id: Uuid,
    pub name: String,
    pub customer_code: String,
    pub status: String,
}

/// Money summed in one currency (amounts in different currencies are never added together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencyTotal {
    pub currency: String,
    pub mrr: String,
    pub ltv: String,
}

/// Totals over a customer and all its live descendants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rollup {
    pub customer_id: Uuid,
    /// Customers in the subtree, this one included.
    pub customers: u64,
    /// Deepest level below this customer (0 without children).
    pub depth: u64,
    pub totals: Vec<CurrencyTotal>,
    pub contacts: u64,
    /// `ticket` activities not yet completed.
    pub open_tickets: u64,
}

/// A direct child with the roll-up of its own subtree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildView {
    pub customer: CustomerRef,
    pub mrr: String,
    pub currency: String,
    pub rollup: Rollup,
}

/// `GET /customers/{id}/children`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildList {
    pub items: Vec<ChildView>,
}

/// The numbers at the top of the Overview tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyMetrics {
    pub tenure_days: i64,
    pub currency: String,
    pub mrr: String,
    pub arr: String,
    pub ltv: String,
    pub plan: Option<String>,
    /// In the customer's currency.
    pub credit_balance: String,
    pub open_tickets: u64,
    pub contacts: u64,
    pub health_score: Option<i64>,
    pub churn_risk: Option<i64>,
}

/// One month of the MRR chart: recurring `payment` activities in the customer's currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MrrPoint {
    /// `YYYY-MM`.
    pub month: String,
    pub amount: String,
}

/// `GET /customers/{id}/overview`: everything the Overview tab and the page header show, in one
/// round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerOverview {
    pub customer: CustomerView,
    /// Root first, the direct parent last.
    pub ancestors: Vec<CustomerRef>,
    pub tier: Option<TierView>,
    pub metrics: KeyMetrics,
    pub primary_contact: Option<ContactView>,
    pub flags: Vec<FlagView>,
    /// The ten newest.
    pub recent_activities: Vec<ActivityView>,
    /// Goals not yet achieved or missed.
    pub active_goals: Vec<GoalView>,
    /// The last twelve months, oldest first; empty when there are no payments.
    pub mrr_history: Vec<MrrPoint>,
    pub children: u64,
}
