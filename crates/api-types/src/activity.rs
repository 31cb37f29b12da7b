//! The activity timeline: engagements people log and events the system writes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The body of `POST /customers/{id}/activities` (engagements only: `note`, `email`, `call`,
/// `meeting`, `demo`, `training`, `task`) and what a `PATCH` must produce. Logging one moves the
/// customer's `last_activity_at` forward.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    #[serde(rename = "type", default)]
    pub activity_type: Option<String>,
    /// Required: one line saying what happened.
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// `inbound` or `outbound`.
    #[serde(default)]
    pub direction: Option<String>,
    /// `positive`, `neutral`, `negative` or `action_required`.
    #[serde(default)]
    pub outcome: Option<String>,
    /// When it happened; defaults to now (or to `scheduled_at` for a planned one).
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub scheduled_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// Names or emails of the people present.
    #[serde(default)]
    pub attendees: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::customer::amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amount: Option<String>,
    /// Currency of `amount`; defaults to the customer's.
    #[serde(default)]
    pub currency: Option<String>,
    /// The contact this was with, if any.
    #[serde(default)]
    pub contact_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityView {
    pub id: Uuid,
    pub customer_id: Uuid,
    #[serde(rename = "type")]
    pub activity_type: String,
    /// True for types only the system writes (`order`, `payment`, `ticket`, `status_change`,
    /// `tier_change`, `merge`, `import`, ...); they cannot be edited or deleted.
    pub system: bool,
    pub subject: String,
    pub body: Option<String>,
    pub direction: Option<String>,
    pub outcome: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i64>,
    pub attendees: Vec<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub contact_id: Option<Uuid>,
    /// What the activity is about, e.g. `order` / `INV-1042`.
    pub related_type: Option<String>,
    pub related_ref: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One page of the timeline, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityList {
    pub items: Vec<ActivityView>,
    /// Pass as `cursor` for older entries; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `POST /customers/{id}/actions/send-message`: recorded on the timeline as an outbound email
/// (or other channel) to a contact or address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendMessageInput {
    /// `email` (default), `sms` or `portal`.
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// Defaults to the contact's email (or the customer's).
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
}

/// `POST /customers/{id}/actions/resend-invoice`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResendInvoiceInput {
    /// The invoice number, e.g. `INV-1042`.
    #[serde(default)]
    pub invoice_reference: Option<String>,
    /// Defaults to the billing contact's email, then the primary contact's, then the customer's.
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}
