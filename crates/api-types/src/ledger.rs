//! Account actions with money or consequences: the credits ledger and account flags.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /customers/{id}/ledger`: one append-only entry. Entries are never edited or deleted;
/// a mistake is corrected with an entry of the opposite effect.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LedgerEntryInput {
    /// `credit` (adds to the credit balance), `debit` (uses credit, e.g. applied to an invoice)
    /// or `refund` (money returned against an order; needs `order_reference`).
    #[serde(default)]
    pub kind: Option<String>,
    /// A positive decimal in `currency`.
    #[serde(default, deserialize_with = "crate::customer::amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "150.00"))]
    pub amount: Option<String>,
    /// Defaults to the customer's currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Required: why (shown to the team and kept in the audit log).
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub order_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntryView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub kind: String,
    pub amount: String,
    pub currency: String,
    pub reason: String,
    pub order_reference: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub created_at: DateTime<Utc>,
}

/// The balance in one currency, derived from the entries (never stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerBalance {
    pub currency: String,
    /// Credits minus debits.
    pub credit_balance: String,
    /// Total refunded.
    pub refunded: String,
}

/// `GET /customers/{id}/ledger`: entries newest first with the balances they add up to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ledger {
    pub items: Vec<LedgerEntryView>,
    pub balances: Vec<LedgerBalance>,
}

/// `POST /customers/{id}/flags`: a named warning on the account, e.g. `legal_hold`,
/// `do_not_contact`, `payment_plan`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FlagInput {
    #[serde(default)]
    pub flag: Option<String>,
    /// Required.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagView {
    pub id: Uuid,
    pub flag: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_by: Option<String>,
    pub removed_reason: Option<String>,
}

/// `GET /customers/{id}/flags`: active flags first, then removed ones (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagList {
    pub items: Vec<FlagView>,
}
