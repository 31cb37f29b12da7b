//! GDPR erasure and saved import mappings.
//!
//! Decisions worth knowing:
//! - `erasures` is the ledger that proves an erasure happened: which record (by id and code,
//!   which are not personal data), when, by whom and what was scrubbed (counts only). It keeps
//!   nothing that identifies the person, so it can be kept for as long as the proof is needed.
//! - `customers.erased_at` marks an anonymised record so nothing restores or re-erases it.
//! - `import_jobs.file_erased_at` marks a job whose uploaded file was deleted: when the job
//!   ended (completed, cancelled or failed: data minimisation, since nothing reads the file
//!   again), or because it held the data of a person being erased (a job not yet run then fails).
//!   Either way the job's results, errors and revert data stay in the database.
//! - `import_mappings` keeps an organisation's own mappings by name (the body of
//!   `PUT /imports/{id}/mapping`), so a monthly export from the same system maps in one click.

use sea_orm_migration::prelude::*;

use crate::ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE erasures (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    customer_id {uuid} NOT NULL,
    customer_code text NOT NULL,
    erased_by {uuid},
    erased_by_label text NOT NULL,
    scrubbed {json} NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX erasures_org_time_idx ON erasures (organization_id, created_at);
ALTER TABLE customers ADD COLUMN erased_at {ts};
ALTER TABLE import_jobs ADD COLUMN file_erased_at {ts};

CREATE TABLE import_mappings (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name text NOT NULL,
    mapping {json} NOT NULL,
    created_by_label text NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT import_mappings_org_name_key UNIQUE (organization_id, name)
);
"#;

const DOWN: &str = r#"
DROP TABLE import_mappings;
ALTER TABLE import_jobs DROP COLUMN file_erased_at;
ALTER TABLE customers DROP COLUMN erased_at;
DROP TABLE erasures;
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
