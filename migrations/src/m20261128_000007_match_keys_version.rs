//! Which definition of the blocking keys an organisation's `customer_match_keys` were built
//! with. When `domain::duplicate::blocking::VERSION` moves on, the scanner rebuilds the keys of
//! every organisation behind it (at start, and before a scan), so an upgrade never leaves old
//! records unfindable by the new keys. 0: built before versions were kept.

use sea_orm_migration::prelude::*;

use crate::ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE organizations ADD COLUMN match_keys_version integer NOT NULL DEFAULT 0;
"#;

const DOWN: &str = r#"
ALTER TABLE organizations DROP COLUMN match_keys_version;
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
