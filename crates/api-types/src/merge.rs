//! Merging duplicate customers: the preview that proposes field choices, the merge itself, its
//! history and undo, and the organisation's survivorship rules.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::customer::CustomerView;

/// The most records one merge takes: the survivor and up to nine others.
pub const MERGE_MAX_RECORDS: usize = 10;

/// The fields of `CustomerInput` a merge chooses between (and a survivorship rule may name), in
/// the customer form's order. Not the code (the survivor's), the tags (united) or the source
/// (it follows `external_id`); custom fields are chosen as `custom_fields.<key>`.
pub const MERGE_FIELDS: &[&str] = &[
    "kind",
    "name",
    "display_name",
    "legal_name",
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "website",
    "industry",
    "company_size",
    "tax_id",
    "status",
    "customer_type",
    "tier",
    "plan",
    "currency",
    "mrr",
    "ltv",
    "credit_limit",
    "payment_terms_days",
    "payment_status",
    "parent_id",
    "owner_id",
    "health_score",
    "churn_risk",
    "settings",
    "portal_access",
    "notes",
    "internal_notes",
    "country",
    "customer_since",
    "external_id",
];

/// `POST /merges` and `POST /merges/preview`: merge `merged_ids` (1 to 9) into `survivor_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    pub survivor_id: Uuid,
    pub merged_ids: Vec<Uuid>,
    /// Field -> the customer (survivor or merged) whose value the survivor keeps, for instance
    /// `{"email": "<id>", "custom_fields.region": "<id>"}`. Fields left out follow the
    /// organisation's survivorship rules (see `GET /merge-rules`); the preview lists them all.
    #[serde(default)]
    pub fields: BTreeMap<String, Uuid>,
}

/// One field of the merge preview: every record's value and which one the survivor keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeFieldView {
    /// A field of `CustomerInput`, or `custom_fields.<key>`.
    pub field: String,
    /// One value per record, in the order of `MergePreview::records` (null when empty).
    pub values: Vec<MergeFieldValue>,
    /// The record whose value is kept.
    pub chosen: Uuid,
    /// `choice` when the request chose it, else the rule that did: `survivor`, `non_empty`,
    /// `newest`, `trusted_source`.
    pub rule: String,
    /// Whether the records disagree on this field.
    pub differs: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeFieldValue {
    pub customer_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: serde_json::Value,
}

/// How many related records a merge moves (or moved) to the survivor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeCounts {
    pub contacts: u64,
    pub addresses: u64,
    pub activities: u64,
    pub goals: u64,
    pub ledger_entries: u64,
    pub flags: u64,
    /// Customers whose parent was a merged record and is now the survivor.
    pub children: u64,
    /// Open duplicate pairs re-pointed to the survivor.
    pub duplicate_pairs: u64,
    /// Records that stay with the merged customer because the survivor already has their
    /// equal: a contact with the same email, an active flag of the same name.
    pub left_behind: u64,
}

/// `POST /merges/preview`: what `POST /merges` with the same body would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergePreview {
    /// The survivor first, then the merged records in request order.
    pub records: Vec<CustomerView>,
    pub fields: Vec<MergeFieldView>,
    /// The survivor as it would be after the merge.
    pub result: CustomerView,
    pub moves: MergeCounts,
    /// The tags the survivor would carry: every record's tags.
    pub tags: Vec<String>,
}

/// A merged record as history names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergedCustomerRef {
    pub id: Uuid,
    pub customer_code: String,
    pub name: String,
}

/// One merge, as `POST /merges` answers and `GET /merges` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeView {
    pub id: Uuid,
    pub survivor: MergedCustomerRef,
    pub merged: Vec<MergedCustomerRef>,
    /// Field -> the customer whose value the survivor kept, for every field where the records
    /// differed.
    pub fields: BTreeMap<String, Uuid>,
    pub moved: MergeCounts,
    /// `applied`, `undone`, or `erased` (a GDPR erasure of one of the records removed what
    /// undo needs).
    pub status: String,
    pub created_by_label: String,
    pub created_at: DateTime<Utc>,
    pub undone_by_label: Option<String>,
    pub undone_at: Option<DateTime<Utc>>,
}

/// `GET /merges`, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeList {
    pub items: Vec<MergeView>,
    pub next_cursor: Option<String>,
}

/// The organisation's survivorship rules: which value a merge keeps when the request does not
/// choose. Rules: `survivor` (the survivor's value, even if empty), `non_empty` (the survivor's
/// unless empty, then the most recently updated record's), `newest` (the most recently updated
/// record that has a value), `trusted_source` (the record whose `source` comes first in
/// `trusted_sources`, then as `non_empty`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeRulesView {
    pub default: String,
    /// Field -> rule, overriding `default`.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Sources in order of trust, e.g. `["salesforce", "hubspot"]`.
    #[serde(default)]
    pub trusted_sources: Vec<String>,
}
