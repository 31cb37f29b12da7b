//! Duplicate detection: each customer's blocking keys (see `domain::duplicate::blocking`).
//!
//! Decisions worth knowing:
//! - Keys are rows, not columns, so one index answers "who else is filed under this email,
//!   phone, domain or name key" on both backends; the real-time check and the whole-base scan
//!   read the same table. The store rewrites a customer's keys in the transaction that changes
//!   the customer, its contacts or its addresses, so keys are never stale.
//! - The primary key leads with `(organization_id, match_key)`: a lookup is one index range, and
//!   the scan walks blocks in key order. Byte-order collation keeps both backends alike.

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
"#;

const DOWN: &str = r#"
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
