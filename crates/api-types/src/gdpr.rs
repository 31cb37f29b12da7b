//! GDPR: erasure requests and the erasure ledger.

use serde::{Deserialize, Serialize};

/// `POST /customers/{id}/erase`: the typed confirmation, which must be the customer's code
/// (as shown on the customer page, e.g. `CUS-000123`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureRequest {
    pub confirmation: String,
}

/// How many rows of each kind an erasure scrubbed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureCounts {
    pub contacts: u64,
    pub addresses: u64,
    pub activities: u64,
    pub ledger_entries: u64,
    pub flags: u64,
    pub goals: u64,
    /// Audit entries about the erased records whose diffs were removed.
    pub audit_entries: u64,
    /// Earlier states kept for reverting imports.
    pub import_changes: u64,
    /// Rejected import rows that named the person.
    pub import_rows: u64,
    /// Jobs whose stored samples or dry-run previews named the person.
    pub import_jobs: u64,
    /// Uploaded import files that held the person and were deleted.
    pub import_files: u64,
}

/// One entry of the erasure ledger: proof of when and by whom, with no personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureView {
    pub id: uuid::Uuid,
    pub customer_id: uuid::Uuid,
    pub customer_code: String,
    pub erased_by: Option<uuid::Uuid>,
    /// The email of the owner who erased, as it was then.
    pub erased_by_label: String,
    pub erased_at: chrono::DateTime<chrono::Utc>,
    pub scrubbed: ErasureCounts,
}

/// `GET /erasures`: the ledger, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureList {
    pub items: Vec<ErasureView>,
}
