//! Tenure's schema as an ordered list of sea-orm migrations.
//!
//! Each step is one `mYYYYMMDD_NNNNNN_name.rs` file with `up` and `down`. The steps are written as
//! plain DDL per backend (see [`ddl`]) because the schema leans on features the builder cannot
//! express portably: partial unique indexes, `pg_trgm`, expression indexes. This crate must not
//! hold queries or business rules; it only shapes tables.

pub use sea_orm_migration::prelude::*;

mod ddl;
mod m20261125_000001_foundation;
mod m20261125_000002_customer_360;
mod m20261125_000003_imports;
mod m20261126_000004_erasure_and_mappings;
mod m20261126_000005_duplicates;
mod m20261127_000006_merges;
mod m20261128_000007_match_keys_version;

/// Runs every migration of Tenure, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261125_000002_customer_360::Migration),
            Box::new(m20261125_000003_imports::Migration),
            Box::new(m20261126_000004_erasure_and_mappings::Migration),
            Box::new(m20261126_000005_duplicates::Migration),
            Box::new(m20261127_000006_merges::Migration),
            Box::new(m20261128_000007_match_keys_version::Migration),
        ]
    }
}
