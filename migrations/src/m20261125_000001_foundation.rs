//! The foundation: organisations, users, sessions, customers with tags, the audit log and
//! instance settings.
//!
//! Decisions worth knowing:
//! - Every tenant table carries `organization_id`, and every unique constraint other than the
//!   UUIDv7 primary keys includes it. Distributing by tenant (Citus) will still need
//!   `(organization_id, id)` keys and tenant-qualified foreign keys; new child tables should
//!   reference customers by both columns from the start.
//! - Customers are soft-deleted (`deleted_at`); list indexes are partial on `deleted_at IS NULL`
//!   so deleted rows cost the directory nothing.
//! - Money is integer minor units (`*_minor bigint`) next to an ISO 4217 `currency`; never floats.
//! - `search_text` is the case- and accent-folded haystack for `q`, written by the store on every
//!   change; PostgreSQL indexes it with `pg_trgm` (GIN), SQLite with an FTS5 trigram table.
//! - Tags live in `customer_tags` (one row per tag) so a tag filter is an indexed semi-join.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE instance_settings (
    key text PRIMARY KEY,
    value text NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE organizations (
    id {uuid} PRIMARY KEY,
    name text NOT NULL,
    slug text NOT NULL UNIQUE,
    -- ISO 3166-1 region used to read national phone numbers such as "(415) 555-2671".
    default_region text,
    default_currency text NOT NULL DEFAULT 'USD',
    -- Next number for generated customer codes (CUS-000123); bumped inside the insert transaction.
    customer_seq {bigint} NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE users (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email text NOT NULL,
    name text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL,
    disabled_at {ts},
    last_login_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT users_org_email_key UNIQUE (organization_id, email)
);
CREATE INDEX users_email_idx ON users (email);

-- Refresh tokens: only a SHA-256 hash of the secret is kept; rotation revokes the old row.
CREATE TABLE sessions (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash text NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    revoked_at {ts},
    ip text,
    user_agent text,
    CONSTRAINT sessions_org_token_key UNIQUE (organization_id, token_hash)
);
CREATE INDEX sessions_token_idx ON sessions (token_hash);

CREATE TABLE customers (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    customer_code text NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    -- Folded copy of name for sorting; byte order ("C") so both backends sort identically.
    name_sort text {collate_c} NOT NULL,
    display_name text,
    legal_name text,
    first_name text,
    last_name text,
    birth_date {date},
    email text,
    phone text,
    website text,
    domain text,
    industry text,
    company_size text,
    tax_id text,
    status text NOT NULL,
    customer_type text NOT NULL,
    tier text,
    plan text {collate_c},
    currency text NOT NULL,
    mrr_minor {bigint} NOT NULL DEFAULT 0,
    ltv_minor {bigint} NOT NULL DEFAULT 0,
    credit_limit_minor {bigint},
    payment_terms_days {int},
    payment_status text NOT NULL,
    parent_id {uuid} REFERENCES customers(id),
    owner_id {uuid} REFERENCES users(id) ON DELETE SET NULL,
    health_score {int},
    churn_risk {int},
    custom_fields {json} NOT NULL,
    settings {json} NOT NULL,
    portal_access {bool} NOT NULL DEFAULT {false},
    notes text,
    internal_notes text,
    country text,
    -- When the relationship began; defaults to the creation date, so tenure is always known.
    customer_since {date} NOT NULL,
    last_activity_at {ts},
    external_id text,
    source text,
    search_text text NOT NULL,
    version {bigint} NOT NULL DEFAULT 1,
    deleted_at {ts},
    created_by {uuid},
    updated_by {uuid},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT customers_org_code_key UNIQUE (organization_id, customer_code),
    CONSTRAINT customers_health_range CHECK (health_score BETWEEN 0 AND 100),
    CONSTRAINT customers_churn_range CHECK (churn_risk BETWEEN 0 AND 100)
);
-- One record per external id and source, so sync upserts are idempotent.
CREATE UNIQUE INDEX customers_org_source_external_key ON customers (organization_id, source, external_id) WHERE external_id IS NOT NULL;
-- Directory sort orders: (org, key, id) matches the keyset `(key, id) > (?, ?)` exactly.
CREATE INDEX customers_list_name_idx ON customers (organization_id, name_sort, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_list_mrr_idx ON customers (organization_id, mrr_minor, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_list_ltv_idx ON customers (organization_id, ltv_minor, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_list_created_idx ON customers (organization_id, created_at, id) WHERE deleted_at IS NULL;
-- Nullable sort keys sort through the same COALESCE the store uses, so the index matches it.
CREATE INDEX customers_list_health_idx ON customers (organization_id, (COALESCE(health_score, -1)), id) WHERE deleted_at IS NULL;
CREATE INDEX customers_list_churn_idx ON customers (organization_id, (COALESCE(churn_risk, -1)), id) WHERE deleted_at IS NULL;
CREATE INDEX customers_list_activity_idx ON customers (organization_id, (COALESCE(last_activity_at, created_at)), id) WHERE deleted_at IS NULL;
CREATE INDEX customers_list_tenure_idx ON customers (organization_id, customer_since, id) WHERE deleted_at IS NULL;
-- The "High risk" quick view, sorted by risk: without it the walk down the churn index skips
-- every churned customer (most of the riskiest) one heap fetch at a time. The store writes the
-- same predicate text (threshold 60, `domain::query::HIGH_RISK_THRESHOLD`).
CREATE INDEX customers_high_risk_idx ON customers (organization_id, (COALESCE(churn_risk, -1)), id) WHERE deleted_at IS NULL AND churn_risk >= 60 AND status <> 'churned';
-- Covers the counts behind totals and quick-view chips (status, payment, churn and health
-- filters), so those counts never touch the table rows.
CREATE INDEX customers_facets_idx ON customers (organization_id, deleted_at, status, payment_status, churn_risk, health_score);
CREATE INDEX customers_deleted_idx ON customers (organization_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX customers_parent_idx ON customers (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE customer_tags (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    customer_id {uuid} NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tag text NOT NULL,
    PRIMARY KEY (customer_id, tag)
);
CREATE INDEX customer_tags_org_tag_idx ON customer_tags (organization_id, tag, customer_id);

-- Append-only history of every change, written in the same transaction as the change.
CREATE TABLE audit_log (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    actor_user_id {uuid},
    actor_label text NOT NULL,
    action text NOT NULL,
    entity_type text NOT NULL,
    entity_id {uuid},
    diff {json} NOT NULL,
    request_id text,
    ip text,
    created_at {ts} NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (organization_id, entity_type, entity_id, created_at);
CREATE INDEX audit_log_org_time_idx ON audit_log (organization_id, created_at);
"#;

/// PostgreSQL only: trigram index for substring search on the folded haystack.
const UP_POSTGRES: &str = r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_search_trgm_idx ON customers USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL;
"#;

/// SQLite only: the same substring search through an FTS5 trigram index over `search_text`,
/// kept in step by triggers (external content, so the text is stored once). FTS5 maps rows by
/// rowid, which only a `VACUUM` could renumber; after one, run
/// `INSERT INTO customers_fts(customers_fts) VALUES ('rebuild')`.
/// Trigger bodies stay on one line: the script splitter ends statements at `;` + newline.
const UP_SQLITE: &str = r#"
CREATE VIRTUAL TABLE customers_fts USING fts5(search_text, content='customers', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN INSERT INTO customers_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END;
CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN INSERT INTO customers_fts(customers_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END;
CREATE TRIGGER customers_fts_update AFTER UPDATE OF search_text ON customers BEGIN INSERT INTO customers_fts(customers_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); INSERT INTO customers_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END;
"#;

const DOWN_SQLITE: &str = r#"
DROP TRIGGER customers_fts_update;
DROP TRIGGER customers_fts_delete;
DROP TRIGGER customers_fts_insert;
DROP TABLE customers_fts;
"#;

const DOWN: &str = r#"
DROP TABLE audit_log;
DROP TABLE customer_tags;
DROP TABLE customers;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE organizations;
DROP TABLE instance_settings;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::run(manager, UP).await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => ddl::run(manager, UP_POSTGRES).await,
            _ => ddl::run(manager, UP_SQLITE).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            ddl::run(manager, DOWN_SQLITE).await?;
        }
        ddl::run(manager, DOWN).await
    }
}
