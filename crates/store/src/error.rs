//! What can go wrong in the store, in terms a caller can act on.

use sea_orm::{DbErr, SqlErr};
use tenure_domain::error::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in this organisation (or is deleted where that matters).
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated; `constraint` names it (e.g. `customers_org_code_key`).
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// The caller's version is stale; `current` is the stored one.
    #[error("version mismatch: current version is {current}")]
    VersionMismatch { current: i64 },
    /// Input that passed parsing but breaks a rule that needs the database (unknown owner, ...).
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The operation cannot go ahead in the state the records are in; `code` is stable
    /// (`merge_conflict`, `undo_conflict`) and each reason names what blocks it.
    #[error("refused: {code}")]
    Refused {
        code: &'static str,
        reasons: Vec<FieldError>,
    },
    #[error("database error")]
    Database(#[source] DbErr),
}

impl StoreError {
    /// `VersionMismatch` unless `expected` is absent (the caller did not send `If-Match`) or
    /// equals the stored `current` version.
    pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<(), StoreError> {
        match expected {
            Some(expected) if expected != current => Err(StoreError::VersionMismatch { current }),
            _ => Ok(()),
        }
    }
}

/// The unique constraints the store knows how to report as conflicts. Matching by name keeps the
/// mapping in one place instead of string-sniffing error messages across the code.
const KNOWN_CONSTRAINTS: &[(&str, &[&str])] = &[
    (
        "customers_org_code_key",
        &[
            "customers_org_code_key",
            "customers.organization_id, customers.customer_code",
        ],
    ),
    (
        "customers_org_source_external_key",
        &[
            "customers_org_source_external_key",
            "customers.organization_id, customers.source, customers.external_id",
        ],
    ),
    // Longer column lists first: SQLite names a unique index by its columns, and the email
    // index's list starts with the primary index's.
    (
        "contacts_email_key",
        &[
            "contacts_email_key",
            "contacts.organization_id, contacts.customer_id, contacts.email",
        ],
    ),
    (
        "contacts_primary_key",
        &[
            "contacts_primary_key",
            "contacts.organization_id, contacts.customer_id",
        ],
    ),
    (
        "addresses_primary_key",
        &[
            "addresses_primary_key",
            "addresses.organization_id, addresses.customer_id, addresses.kind",
        ],
    ),
    (
        "tiers_org_name_key",
        &[
            "tiers_org_name_key",
            "tiers.organization_id, tiers.name_key",
        ],
    ),
    (
        "tiers_org_level_key",
        &["tiers_org_level_key", "tiers.organization_id, tiers.level"],
    ),
    (
        "customer_flags_active_key",
        &[
            "customer_flags_active_key",
            "customer_flags.organization_id, customer_flags.customer_id, customer_flags.flag",
        ],
    ),
    (
        "custom_fields_org_key",
        &[
            "custom_fields_org_key",
            "custom_field_definitions.organization_id, custom_field_definitions.field_key",
        ],
    ),
    (
        "import_mappings_org_name_key",
        &[
            "import_mappings_org_name_key",
            "import_mappings.organization_id, import_mappings.name",
        ],
    ),
    (
        "users_org_email_key",
        &["users_org_email_key", "users.organization_id, users.email"],
    ),
    (
        "organizations_slug_key",
        &["organizations_slug_key", "organizations.slug"],
    ),
];

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> StoreError {
        if let Some(SqlErr::UniqueConstraintViolation(text)) = err.sql_err() {
            for (name, needles) in KNOWN_CONSTRAINTS {
                if needles.iter().any(|needle| text.contains(needle)) {
                    return StoreError::Conflict {
                        constraint: (*name).to_owned(),
                    };
                }
            }
        }
        StoreError::Database(err)
    }
}
