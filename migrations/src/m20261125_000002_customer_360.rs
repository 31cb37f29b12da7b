//! The customer 360: contacts, addresses, tiers, the activity timeline, goals with their
//! history, the credits ledger, account flags and custom field definitions.
//!
//! Decisions worth knowing:
//! - Child tables reference their customer by `(organization_id, customer_id)` through the
//!   composite key `customers_org_id_key`, so a row can never point at another tenant's customer
//!   and the tables can be distributed by tenant later.
//! - "Exactly one primary" rules are partial unique indexes (`WHERE is_primary AND deleted_at IS
//!   NULL`), so two concurrent requests cannot both win; the store demotes the old primary in the
//!   same transaction as it promotes the new one.
//! - Customers keep their tier as its name in `customers.tier` (the directory filters and
//!   exports by it); `tiers` is the catalogue. The store renames customers' tiers with the tier
//!   and refuses to delete a tier in use.
//! - The ledger is append-only and the balance is derived by summing it; nothing stores a
//!   balance that could disagree with its entries.
//! - The timeline is read newest first by `(customer, occurred_at, id)`; the index matches the
//!   keyset `(occurred_at, id) < (?, ?)` exactly.

use sea_orm_migration::prelude::*;

use crate::ddl;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE UNIQUE INDEX customers_org_id_key ON customers (organization_id, id);

CREATE TABLE contacts (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL,
    customer_id {uuid} NOT NULL,
    first_name text,
    last_name text,
    email text,
    phone text,
    mobile text,
    title text,
    department text,
    role text NOT NULL,
    is_primary {bool} NOT NULL DEFAULT {false},
    is_influencer {bool} NOT NULL DEFAULT {false},
    portal_access {bool} NOT NULL DEFAULT {false},
    preferred_channel text,
    receives_order_updates {bool} NOT NULL DEFAULT {false},
    receives_marketing {bool} NOT NULL DEFAULT {false},
    last_contacted_at {ts},
    notes text,
    version {bigint} NOT NULL DEFAULT 1,
    deleted_at {ts},
    created_by {uuid},
    updated_by {uuid},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX contacts_customer_idx ON contacts (organization_id, customer_id);
-- Exactly one live primary per customer.
CREATE UNIQUE INDEX contacts_primary_key ON contacts (organization_id, customer_id) WHERE is_primary = {true} AND deleted_at IS NULL;
-- Emails are stored lower-cased, so this is case-insensitive.
CREATE UNIQUE INDEX contacts_email_key ON contacts (organization_id, customer_id, email) WHERE email IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE addresses (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL,
    customer_id {uuid} NOT NULL,
    kind text NOT NULL,
    label text,
    line1 text NOT NULL,
    line2 text,
    city text,
    region text,
    postal_code text,
    country text NOT NULL,
    is_primary {bool} NOT NULL DEFAULT {false},
    version {bigint} NOT NULL DEFAULT 1,
    deleted_at {ts},
    created_by {uuid},
    updated_by {uuid},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX addresses_customer_idx ON addresses (organization_id, customer_id);
-- One live primary per customer and kind.
CREATE UNIQUE INDEX addresses_primary_key ON addresses (organization_id, customer_id, kind) WHERE is_primary = {true} AND deleted_at IS NULL;

CREATE TABLE tiers (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name text NOT NULL,
    -- Folded name, for the case-insensitive uniqueness of names.
    name_key text NOT NULL,
    level {int} NOT NULL,
    -- Discount in basis points (12.5% = 1250): exact, no floats in pricing.
    discount_bp {int} NOT NULL DEFAULT 0,
    benefits {json} NOT NULL,
    min_annual_spend_minor {bigint},
    currency text NOT NULL,
    requirements text,
    colour text NOT NULL,
    version {bigint} NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT tiers_org_name_key UNIQUE (organization_id, name_key),
    CONSTRAINT tiers_org_level_key UNIQUE (organization_id, level),
    CONSTRAINT tiers_discount_range CHECK (discount_bp BETWEEN 0 AND 10000)
);
CREATE INDEX customers_tier_idx ON customers (organization_id, tier) WHERE tier IS NOT NULL;

CREATE TABLE activities (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL,
    customer_id {uuid} NOT NULL,
    activity_type text NOT NULL,
    subject text NOT NULL,
    body text,
    direction text,
    outcome text,
    occurred_at {ts} NOT NULL,
    scheduled_at {ts},
    completed_at {ts},
    duration_minutes {int},
    attendees {json} NOT NULL,
    amount_minor {bigint},
    currency text,
    contact_id {uuid},
    related_type text,
    related_ref text,
    metadata {json} NOT NULL,
    actor_user_id {uuid},
    actor_label text NOT NULL,
    version {bigint} NOT NULL DEFAULT 1,
    deleted_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
-- The timeline, newest first; deleted entries cost it nothing.
CREATE INDEX activities_timeline_idx ON activities (organization_id, customer_id, occurred_at DESC, id DESC) WHERE deleted_at IS NULL;
-- Open orders and tickets (not completed) per customer, for previews and roll-ups.
CREATE INDEX activities_open_idx ON activities (organization_id, customer_id, activity_type) WHERE completed_at IS NULL AND deleted_at IS NULL;

CREATE TABLE goals (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL,
    customer_id {uuid} NOT NULL,
    title text NOT NULL,
    description text,
    metric text NOT NULL,
    current_value {double} NOT NULL DEFAULT 0,
    target_value {double} NOT NULL,
    unit text,
    period text,
    status text NOT NULL,
    target_date {date},
    completed_at {date},
    version {bigint} NOT NULL DEFAULT 1,
    deleted_at {ts},
    created_by {uuid},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX goals_customer_idx ON goals (organization_id, customer_id);

-- Every change of a goal's value or status, kept as its progress history.
CREATE TABLE goal_updates (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    goal_id {uuid} NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    value {double} NOT NULL,
    status text NOT NULL,
    note text,
    actor_user_id {uuid},
    actor_label text NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX goal_updates_goal_idx ON goal_updates (goal_id, created_at);

CREATE TABLE ledger_entries (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL,
    customer_id {uuid} NOT NULL,
    kind text NOT NULL,
    amount_minor {bigint} NOT NULL,
    currency text NOT NULL,
    reason text NOT NULL,
    order_reference text,
    actor_user_id {uuid},
    actor_label text NOT NULL,
    created_at {ts} NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT ledger_amount_positive CHECK (amount_minor > 0)
);
CREATE INDEX ledger_customer_idx ON ledger_entries (organization_id, customer_id, created_at);

CREATE TABLE customer_flags (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL,
    customer_id {uuid} NOT NULL,
    flag text NOT NULL,
    reason text NOT NULL,
    created_by_label text NOT NULL,
    created_at {ts} NOT NULL,
    removed_at {ts},
    removed_by_label text,
    removed_reason text,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
-- A flag is either on or off: one active row per customer and flag.
CREATE UNIQUE INDEX customer_flags_active_key ON customer_flags (organization_id, customer_id, flag) WHERE removed_at IS NULL;

CREATE TABLE custom_field_definitions (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    field_key text NOT NULL,
    label text NOT NULL,
    field_type text NOT NULL,
    options {json} NOT NULL,
    required {bool} NOT NULL DEFAULT {false},
    position {int} NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT custom_fields_org_key UNIQUE (organization_id, field_key)
);
"#;

const DOWN: &str = r#"
DROP TABLE custom_field_definitions;
DROP TABLE customer_flags;
DROP TABLE ledger_entries;
DROP TABLE goal_updates;
DROP TABLE goals;
DROP TABLE activities;
DROP INDEX customers_tier_idx;
DROP TABLE tiers;
DROP TABLE addresses;
DROP TABLE contacts;
DROP INDEX customers_org_id_key;
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
