//! Contacts (the people at a customer) and addresses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The body of `POST /customers/{id}/contacts` and what a `PATCH` (JSON merge patch) must
/// produce. `is_primary: true` makes this the customer's one primary contact, demoting the old
/// one in the same transaction; the first contact of a customer is primary on its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// Unique among the customer's live contacts.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    /// `primary`, `billing`, `shipping`, `technical`, `decision_maker` or `contact` (default).
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub is_primary: Option<bool>,
    #[serde(default)]
    pub is_influencer: Option<bool>,
    #[serde(default)]
    pub portal_access: Option<bool>,
    /// `email`, `phone`, `sms`, `in_person` or `none`.
    #[serde(default)]
    pub preferred_channel: Option<String>,
    #[serde(default)]
    pub receives_order_updates: Option<bool>,
    #[serde(default)]
    pub receives_marketing: Option<bool>,
    #[serde(default)]
    pub last_contacted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// "First Last", or the email when there is no name.
    pub full_name: String,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub role: String,
    pub is_primary: bool,
    pub is_influencer: bool,
    pub portal_access: bool,
    pub preferred_channel: Option<String>,
    pub receives_order_updates: bool,
    pub receives_marketing: bool,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /customers/{id}/contacts`: primary first, then by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactList {
    pub items: Vec<ContactView>,
}

/// The body of `POST /customers/{id}/addresses` and what a `PATCH` must produce. Postal codes
/// are checked and normalised for US, GB, DE, FR, CA, AU and JP (e.g. `sw1a1aa` becomes
/// `SW1A 1AA`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    /// `billing`, `shipping` or `other` (default).
    #[serde(default)]
    pub kind: Option<String>,
    /// A name for the place, e.g. "Head office".
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub line1: Option<String>,
    #[serde(default)]
    pub line2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    /// State, county, province or prefecture.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2; required.
    #[serde(default)]
    pub country: Option<String>,
    /// The primary address of its kind; the old primary of that kind is demoted.
    #[serde(default)]
    pub is_primary: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub kind: String,
    pub label: Option<String>,
    pub line1: String,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: String,
    pub is_primary: bool,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /customers/{id}/addresses`: by kind, primary first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressList {
    pub items: Vec<AddressView>,
}
