//! Backend-neutral DDL: one SQL text with type placeholders, rendered for SQLite or PostgreSQL.
//!
//! Placeholders: `{uuid}`, `{ts}` (a UTC instant), `{date}`, `{json}`, `{bool}`, `{true}`,
//! `{false}`, `{int}`, `{bigint}`, `{double}`, `{collate_c}` (byte-order collation on PostgreSQL; SQLite's
//! default is already byte order). SQLite stores UUIDs as 16-byte blobs (sqlx's encoding) and
//! instants as RFC 3339 text, which sorts correctly because every writer uses UTC.
//! This module must not run anything; it only renders text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Renders `sql` for `backend`.
pub fn render(sql: &str, backend: DbBackend) -> String {
    let pg = matches!(backend, DbBackend::Postgres);
    let pairs: [(&str, &str); 11] = [
        ("{uuid}", if pg { "uuid" } else { "blob" }),
        ("{ts}", if pg { "timestamptz" } else { "text" }),
        ("{date}", if pg { "date" } else { "text" }),
        ("{json}", if pg { "jsonb" } else { "text" }),
        ("{bool}", if pg { "boolean" } else { "integer" }),
        ("{true}", if pg { "true" } else { "1" }),
        ("{false}", if pg { "false" } else { "0" }),
        ("{int}", "integer"),
        ("{bigint}", "bigint"),
        ("{double}", if pg { "double precision" } else { "real" }),
        ("{collate_c}", if pg { "COLLATE \"C\"" } else { "" }),
    ];
    pairs
        .iter()
        .fold(sql.to_owned(), |acc, (from, to)| acc.replace(from, to))
}

/// Executes each statement of `script` (separated by `;` at line ends) rendered for the backend.
pub async fn run(manager: &SchemaManager<'_>, script: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let db = manager.get_connection();
    for statement in script.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        db.execute_unprepared(&render(statement, backend)).await?;
    }
    Ok(())
}
