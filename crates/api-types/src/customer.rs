//! Customers: the write body, the read view, the directory list and bulk operations.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

/// The body of `POST /customers` and the result a `PATCH` (JSON merge patch) must produce.
/// Omitted fields take their defaults; money is a decimal string in `currency` (a JSON number
/// is accepted too), e.g. `"mrr": "1250.00"`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// `company` (default) or `person`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Unique per organisation; generated as `CUS-000123` when absent.
    #[serde(default)]
    pub customer_code: Option<String>,
    /// Required for companies; for people it defaults to "first last".
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub legal_name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    #[serde(default)]
    pub email: Option<String>,
    /// Any common format; stored as E.164 using the organisation's default region.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    /// One of `1-10`, `11-50`, `51-200`, `201-500`, `501-1000`, `1001-5000`, `5001+`.
    #[serde(default)]
    pub company_size: Option<String>,
    #[serde(default)]
    pub tax_id: Option<String>,
    /// `lead` (default), `onboarding`, `active`, `at_risk`, `suspended`, `churned`.
    #[serde(default)]
    pub status: Option<String>,
    /// `standard` (default), `vip`, `partner`.
    #[serde(default)]
    pub customer_type: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub plan: Option<String>,
    /// ISO 4217; defaults to the organisation's currency.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1250.00"))]
    pub mrr: Option<String>,
    #[serde(default, deserialize_with = "amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "30000.00"))]
    pub ltv: Option<String>,
    #[serde(default, deserialize_with = "amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub credit_limit: Option<String>,
    #[serde(default)]
    pub payment_terms_days: Option<i64>,
    /// `current` (default), `pending`, `overdue`, `failed`.
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    /// 0..=100.
    #[serde(default)]
    pub health_score: Option<i64>,
    /// 0..=100.
    #[serde(default)]
    pub churn_risk: Option<i64>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub portal_access: Option<bool>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub internal_notes: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub customer_since: Option<NaiveDate>,
    /// Id of this record in `source` (e.g. a HubSpot company id); unique per source.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The system `external_id` belongs to, e.g. `hubspot`, `salesforce`, `pipedrive`.
    #[serde(default)]
    pub source: Option<String>,
}

/// Accepts a money amount as a JSON string or number and keeps its exact decimal text.
pub(crate) fn amount<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(
        Option::<Raw>::deserialize(deserializer)?.map(|raw| match raw {
            Raw::Text(text) => text,
            Raw::Number(number) => number.to_string(),
        }),
    )
}

/// A customer as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerView {
    pub id: Uuid,
    pub customer_code: String,
    pub kind: String,
    pub name: String,
    pub display_name: Option<String>,
    pub legal_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub website: Option<String>,
    /// Registrable host of `website`, without `www.`.
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub tax_id: Option<String>,
    pub status: String,
    pub customer_type: String,
    pub tier: Option<String>,
    pub plan: Option<String>,
    pub currency: String,
    /// Decimal string in `currency`.
    pub mrr: String,
    pub ltv: String,
    pub credit_limit: Option<String>,
    pub payment_terms_days: Option<i64>,
    pub payment_status: String,
    pub parent_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub health_score: Option<i64>,
    pub churn_risk: Option<i64>,
    pub tags: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub portal_access: bool,
    pub notes: Option<String>,
    pub internal_notes: Option<String>,
    pub country: Option<String>,
    pub customer_since: Option<NaiveDate>,
    /// Days since `customer_since` (or since creation when unknown).
    pub tenure_days: i64,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
    pub source: Option<String>,
    /// Optimistic-concurrency version; the `ETag` of a read is `"<version>"`.
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The survivor this record was merged into (set while the merge stands).
    #[serde(default)]
    pub merged_into: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One page of the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerList {
    pub items: Vec<CustomerView>,
    /// Pass as `cursor` for the next page; absent on the last page and in `page` mode.
    pub next_cursor: Option<String>,
    /// Number of matching customers: exact up to 10,000, an estimate above (see
    /// `total_is_estimate`).
    pub total: u64,
    pub total_is_estimate: bool,
    /// Present in `page`/`per_page` mode.
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Counts behind the directory's quick-view chips, for the same filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewCounts {
    pub all: u64,
    pub active: u64,
    pub high_risk: u64,
    pub payment_issues: u64,
    pub cancelled: u64,
    /// True when any count hit the cap and was estimated.
    pub is_estimate: bool,
}

/// Which customers a bulk call touches: bare ids, or ids with the version the caller last saw
/// (a stale version yields `version_conflict` for that row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkTarget {
    pub id: Uuid,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `POST /customers/bulk/update`: at most 1,000 targets; every change is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkUpdateRequest {
    #[serde(default)]
    pub ids: Vec<Uuid>,
    #[serde(default)]
    pub items: Vec<BulkTarget>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub tags_add: Vec<String>,
    #[serde(default)]
    pub tags_remove: Vec<String>,
    /// Set the account owner; `null` leaves it, use `clear_owner` to remove it.
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    #[serde(default)]
    pub clear_owner: bool,
}

/// `POST /customers/bulk/delete` and `/bulk/restore`: at most 1,000 targets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkIdsRequest {
    #[serde(default)]
    pub ids: Vec<Uuid>,
    #[serde(default)]
    pub items: Vec<BulkTarget>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResult {
    pub results: Vec<BulkItemResult>,
    pub succeeded: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkItemResult {
    pub id: Uuid,
    /// `ok`, `not_found`, `forbidden` or `version_conflict`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The version after the change, for `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A tag in use in the organisation, with how many live customers carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagCount {
    pub tag: String,
    pub count: u64,
}

/// The columns `GET /customers/export.csv` and `export.xlsx` can write, in their default order,
/// with a label for people (`?columns=` takes the keys, in the order wanted).
pub const EXPORT_COLUMNS: &[(&str, &str)] = &[
    ("id", "Id"),
    ("customer_code", "Code"),
    ("kind", "Kind"),
    ("name", "Name"),
    ("status", "Status"),
    ("customer_type", "Type"),
    ("tier", "Tier"),
    ("plan", "Plan"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("website", "Website"),
    ("country", "Country"),
    ("currency", "Currency"),
    ("mrr", "MRR"),
    ("ltv", "LTV"),
    ("health_score", "Health"),
    ("churn_risk", "Churn risk"),
    ("payment_status", "Payment"),
    ("tags", "Tags"),
    ("customer_since", "Customer since"),
    ("last_activity_at", "Last activity"),
    ("created_at", "Created"),
];
