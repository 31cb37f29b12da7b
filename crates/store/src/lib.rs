//! Tenure's persistence layer: every query and transaction, for SQLite and PostgreSQL alike.
//!
//! The rest of the system sees [`Store`] and the record types of its modules; sea-orm types never
//! leave this crate. A function that touches more than one row owns its transaction, so callers
//! never see one. Backend differences (placeholders, `COPY`, trigram search, count estimates) are
//! chosen at run time from the connection, never by cargo feature. This crate must not know HTTP.

pub mod account;
pub mod activity;
pub mod audit;
pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod duplicate;
pub mod erasure;
pub mod error;
pub mod gdpr;
pub mod goal;
pub mod hierarchy;
pub mod import;
mod lease;
pub mod merge;
pub mod organization;
pub mod seed;
mod seed_records;
pub mod session;
pub mod settings;
mod sql;
pub mod tier;
pub mod user;

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tenure_migrations::{Migrator, MigratorTrait};

pub use crate::audit::Actor;
pub use crate::error::StoreError;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database: cheap to clone (a connection pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// How long a claimed background job stays with its worker without a heartbeat.
    job_lease: chrono::Duration,
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        if !url.contains("sslmode=") {
            // TLS to a server on this machine protects nothing, and through sqlx it costs a
            // round trip of ~40 ms on every large message (a bind of a few thousand ids): seven
            // times a duplicate scan's profile loading. An explicit `sslmode` still rules.
            options.map_sqlx_postgres_opts(|pg| {
                if is_loopback(pg.get_host()) {
                    pg.ssl_mode(sea_orm::sqlx::postgres::PgSslMode::Disable)
                } else {
                    pg
                }
            });
        }
        let db = Database::connect(options).await?;
        let store = Store {
            db,
            job_lease: chrono::Duration::seconds(30),
        };
        if store.backend() == Backend::Sqlite {
            // WAL lets readers run while one writer commits; it persists in the file.
            store
                .db
                .execute_unprepared("PRAGMA journal_mode = WAL")
                .await?;
            store
                .db
                .execute_unprepared("PRAGMA synchronous = NORMAL")
                .await?;
        }
        Ok(store)
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// The backend behind this store.
    /// Sets how long a worker keeps a job without a heartbeat; after that another worker
    /// takes it over (a crashed worker's job resumes elsewhere).
    pub fn with_job_lease(mut self, lease: std::time::Duration) -> Store {
        self.job_lease = chrono::Duration::from_std(lease).unwrap_or(self.job_lease);
        self
    }

    pub fn backend(&self) -> Backend {
        match self.db.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// Succeeds when the database answers a trivial query (readiness probe).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// Creates an empty PostgreSQL database (for tests and benchmarks that want a fresh one).
    /// The name must be a plain identifier: lower-case letters, digits and `_`.
    pub async fn create_database(&self, name: &str) -> Result<(), StoreError> {
        let plain = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain || self.backend() != Backend::Postgres {
            return Err(StoreError::Invalid(vec![
                tenure_domain::error::FieldError::new(
                    "database",
                    "a PostgreSQL database name of lower-case letters, digits and _",
                ),
            ]));
        }
        self.db
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        Ok(())
    }

    /// Refreshes the planner's statistics after a bulk load, so the first queries do not plan
    /// against an empty table. On PostgreSQL it also vacuums (what autovacuum would do shortly
    /// after), which sets the visibility map that index-only counts rely on.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        let sql = match self.backend() {
            Backend::Postgres => "VACUUM (ANALYZE) customers, customer_tags",
            Backend::Sqlite => "ANALYZE",
        };
        self.db.execute_unprepared(sql).await?;
        Ok(())
    }

    /// PostgreSQL: refreshes the planner's statistics of the tables an import reads while it
    /// writes them, so lookups by external id, email or domain (and the duplicate keys' reads of
    /// a batch's customers, contacts and addresses) keep using their indexes as the table grows (stale statistics make a 2,000-key lookup scan the whole tenant). SQLite's
    /// planner needs no statistics for these lookups.
    pub async fn refresh_import_statistics(&self) -> Result<(), StoreError> {
        if self.backend() == Backend::Postgres {
            self.db
                .execute_unprepared(
                    "ANALYZE customers, customer_tags, import_job_changes, contacts, addresses, customer_match_keys",
                )
                .await?;
        }
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing when
    /// it upgrades a read lock.
    async fn begin_write(&self) -> Result<DatabaseTransaction, StoreError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }
}

/// A host on this machine: `localhost`, a loopback address, or a Unix socket directory.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.starts_with('/')
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The current instant, truncated to microseconds so it survives a round trip through both
/// databases unchanged (PostgreSQL keeps microseconds; SQLite keeps the text we give it).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn only_hosts_on_this_machine_count_as_loopback() {
        for host in [
            "localhost",
            "127.0.0.1",
            "127.0.0.53",
            "::1",
            "[::1]",
            "/var/run/postgresql",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["db.internal", "10.0.0.5", "postgres", "::2", ""] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
