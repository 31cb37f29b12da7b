//! Imports: the job table the background importer claims, the per-row record of what a job did
//! (so a revert can undo it), and the rows it could not import (so the errors file can be built
//! after a restart).
//!
//! Decisions worth knowing:
//! - A job's progress (`next_row`, `next_offset`, counts) is written in the same transaction as
//!   the batch it describes, so a crash resumes exactly after the last committed batch.
//! - Workers claim a job with a lease (`lease_owner`, `lease_until`) taken under
//!   `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one writer); a dead worker's lease runs
//!   out and any replica takes the job over.
//! - `import_job_changes` keeps, for an updated customer, the record before the update; that is
//!   personal data, so erasure scrubs it.
//! - `customers (organization_id, email)` and `(organization_id, domain)` back the match policies
//!   "by email" and "by domain" (and the duplicate checks to come).

use sea_orm_migration::prelude::*;

use crate::ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE import_jobs (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    created_by {uuid},
    created_by_label text NOT NULL,
    file_name text NOT NULL,
    file_path text NOT NULL,
    file_size {bigint} NOT NULL,
    encoding text NOT NULL,
    delimiter text NOT NULL,
    has_header {bool} NOT NULL,
    headers {json} NOT NULL,
    sample {json} NOT NULL,
    total_rows {bigint} NOT NULL,
    data_offset {bigint} NOT NULL,
    template text,
    mapping {json},
    status text NOT NULL,
    phase text,
    cancel_requested {bool} NOT NULL DEFAULT {false},
    next_row {bigint} NOT NULL DEFAULT 0,
    next_offset {bigint} NOT NULL DEFAULT 0,
    created_count {bigint} NOT NULL DEFAULT 0,
    updated_count {bigint} NOT NULL DEFAULT 0,
    skipped_count {bigint} NOT NULL DEFAULT 0,
    failed_count {bigint} NOT NULL DEFAULT 0,
    rows_per_second {double},
    validation {json},
    message text,
    lease_owner text,
    lease_until {ts},
    started_at {ts},
    finished_at {ts},
    reverted_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT import_jobs_org_id_key UNIQUE (organization_id, id)
);
CREATE INDEX import_jobs_history_idx ON import_jobs (organization_id, created_at DESC, id DESC);
CREATE INDEX import_jobs_runnable_idx ON import_jobs (status, lease_until);

CREATE TABLE import_job_changes (
    organization_id {uuid} NOT NULL,
    job_id {uuid} NOT NULL,
    row_number {bigint} NOT NULL,
    customer_id {uuid} NOT NULL,
    action text NOT NULL,
    before {json},
    PRIMARY KEY (job_id, row_number),
    FOREIGN KEY (organization_id, job_id) REFERENCES import_jobs (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX import_job_changes_customer_idx ON import_job_changes (organization_id, customer_id);

CREATE TABLE import_row_errors (
    organization_id {uuid} NOT NULL,
    job_id {uuid} NOT NULL,
    phase text NOT NULL,
    row_number {bigint} NOT NULL,
    cells {json} NOT NULL,
    errors {json} NOT NULL,
    PRIMARY KEY (job_id, phase, row_number),
    FOREIGN KEY (organization_id, job_id) REFERENCES import_jobs (organization_id, id) ON DELETE CASCADE
);

CREATE INDEX customers_org_email_idx ON customers (organization_id, email) WHERE email IS NOT NULL;
CREATE INDEX customers_org_domain_idx ON customers (organization_id, domain) WHERE domain IS NOT NULL;
"#;

const DOWN: &str = r#"
DROP INDEX customers_org_domain_idx;
DROP INDEX customers_org_email_idx;
DROP TABLE import_row_errors;
DROP TABLE import_job_changes;
DROP TABLE import_jobs;
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
