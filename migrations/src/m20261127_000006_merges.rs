//! Merging duplicate customers, with undo.
//!
//! Decisions worth knowing:
//! - A merged record is soft-deleted with `merged_into` naming its survivor, so its own history
//!   (audit, import changes) stays readable and a sync that still sends its external id can be
//!   routed to the survivor.
//! - `merges` keeps what undo needs in the row itself: `snapshot` (every involved customer as it
//!   was, and the survivor as the merge left it) and `moves` (each related row moved, with where
//!   it came from). Undo replays them backwards in one transaction, after checking nothing was
//!   changed since in a way that would be lost.
//! - `organizations.merge_rules` holds the survivorship rules and
//!   `organizations.duplicate_thresholds` the scores that make a pair likely or worth a review
//!   (null: the built-in defaults).

use sea_orm_migration::prelude::*;

use crate::ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE customers ADD COLUMN merged_into {uuid};
ALTER TABLE organizations ADD COLUMN merge_rules {json};
ALTER TABLE organizations ADD COLUMN duplicate_thresholds {json};

CREATE TABLE merges (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    survivor_id {uuid} NOT NULL,
    merged_ids {json} NOT NULL,
    fields {json} NOT NULL,
    snapshot {json} NOT NULL,
    moves {json} NOT NULL,
    counts {json} NOT NULL,
    status text NOT NULL,
    created_by {uuid},
    created_by_label text NOT NULL,
    created_at {ts} NOT NULL,
    undone_by_label text,
    undone_at {ts},
    FOREIGN KEY (organization_id, survivor_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX merges_org_idx ON merges (organization_id, created_at, id);
CREATE INDEX merges_survivor_idx ON merges (organization_id, survivor_id);
"#;

const DOWN: &str = r#"
DROP TABLE merges;
ALTER TABLE organizations DROP COLUMN duplicate_thresholds;
ALTER TABLE organizations DROP COLUMN merge_rules;
ALTER TABLE customers DROP COLUMN merged_into;
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
