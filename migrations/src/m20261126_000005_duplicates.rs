//! Duplicate detection: each customer's blocking keys (see `domain::duplicate::blocking`).
//!
//! Decisions worth knowing:
//! - Keys are rows, not columns, so one index answers "who else is filed under this email,
//!   phone, domain or name key" on both backends; the real-time check and the whole-base scan
//!   read the same table. The store rewrites a customer's keys in the transaction that changes
//!   the customer, its contacts or its addresses, so keys are never stale.
//! - The primary key leads with `(organization_id, match_key)`: a lookup is one index range, and
//!   the scan walks blocks in key order. Byte-order collation keeps both backends alike. Only
//!   live customers have keys.
//! - `duplicate_scans` are background jobs with a lease like imports; a scan is idempotent, so
//!   one taken over after a crash simply starts again.
//! - `duplicate_pairs` hold each candidate pair once (`left_id < right_id`) with its score,
//!   evidence and review status. `signature` fingerprints what was compared, so a dismissed pair
//!   stays dismissed until one of the records changes in a way matching reads.

use sea_orm_migration::prelude::*;

use crate::ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE customer_match_keys (
    organization_id {uuid} NOT NULL,
    match_key text {collate_c} NOT NULL,
    customer_id {uuid} NOT NULL,
    PRIMARY KEY (organization_id, match_key, customer_id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_match_keys_customer_idx ON customer_match_keys (organization_id, customer_id);

CREATE TABLE duplicate_scans (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    mode text NOT NULL,
    since {ts},
    status text NOT NULL,
    phase text,
    candidates {bigint} NOT NULL DEFAULT 0,
    scored {bigint} NOT NULL DEFAULT 0,
    pairs {bigint} NOT NULL DEFAULT 0,
    customers {bigint} NOT NULL DEFAULT 0,
    message text,
    lease_owner text,
    lease_until {ts},
    created_by_label text NOT NULL,
    started_at {ts},
    finished_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX duplicate_scans_org_idx ON duplicate_scans (organization_id, created_at);
CREATE INDEX duplicate_scans_runnable_idx ON duplicate_scans (status, lease_until);

CREATE TABLE duplicate_pairs (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL,
    left_id {uuid} NOT NULL,
    right_id {uuid} NOT NULL,
    score {double} NOT NULL,
    evidence {json} NOT NULL,
    signature text NOT NULL,
    status text NOT NULL,
    scan_id {uuid},
    reviewed_by_label text,
    reviewed_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT duplicate_pairs_pair_key UNIQUE (organization_id, left_id, right_id),
    FOREIGN KEY (organization_id, left_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, right_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX duplicate_pairs_queue_idx ON duplicate_pairs (organization_id, status, score, id);
CREATE INDEX duplicate_pairs_right_idx ON duplicate_pairs (organization_id, right_id);
"#;

const DOWN: &str = r#"
DROP TABLE duplicate_pairs;
DROP TABLE duplicate_scans;
DROP TABLE customer_match_keys;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::run(manager, DOWN).await
    }
}
