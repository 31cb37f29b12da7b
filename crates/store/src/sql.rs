//! Small helpers for hand-written SQL that must run on both backends.
//!
//! Queries are written once with `?` placeholders; [`stmt`] renumbers them to `$1, $2, ...` for
//! PostgreSQL. SQL in this crate never contains a literal `?` (PostgreSQL's JSON `?` operator is
//! not used), which keeps the rewrite a plain scan. Nothing here may build SQL from user input:
//! values always travel as bound parameters.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};

/// Builds a statement for `backend` from SQL with `?` placeholders.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

/// Renumbers `?` to `$n` on PostgreSQL; leaves SQLite's text alone.
pub fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

/// A JSON column read back into `T` (SQLite may hand it back as text).
pub fn read_json<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, crate::StoreError> {
    let corrupt = |e: serde_json::Error| {
        crate::StoreError::Database(DbErr::Custom(format!(
            "a stored JSON value does not read back: {e}"
        )))
    };
    let value = match value {
        serde_json::Value::String(text) => serde_json::from_str(&text).map_err(corrupt)?,
        other => other,
    };
    serde_json::from_value(value).map_err(corrupt)
}

/// A JSON value as a bindable parameter.
pub fn json(value: serde_json::Value) -> Value {
    Value::Json(Some(Box::new(value)))
}

/// `INSERT INTO table (a, b, ...) VALUES (?, ?, ...)` from `(column, value)` pairs. Column
/// names are always literals of this crate, never user input.
pub async fn insert(
    db: &impl ConnectionTrait,
    table: &str,
    columns: Vec<(&'static str, Value)>,
) -> Result<(), DbErr> {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let marks = vec!["?"; names.len()].join(", ");
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({marks})",
        names.join(", ")
    );
    let values = columns.into_iter().map(|(_, v)| v).collect();
    db.execute_raw(stmt(db.get_database_backend(), &sql, values))
        .await?;
    Ok(())
}

/// Inserts many rows of the same columns with multi-row `INSERT`s, in chunks that stay under
/// both backends' limit on bound parameters.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<(), DbErr> {
    let per_row = columns.len().max(1);
    let chunk = (30_000 / per_row).max(1);
    let row_marks = format!("({})", vec!["?"; per_row].join(", "));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Vec<Value>> = rows.by_ref().take(chunk).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            vec![row_marks.as_str(); batch.len()].join(", ")
        );
        let values = batch.into_iter().flatten().collect();
        db.execute_raw(stmt(db.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

/// `UPDATE table SET a = ?, ..., version = version + 1 WHERE id = ? AND organization_id = ?`
/// for tables with a `version` column.
pub async fn update_versioned(
    db: &impl ConnectionTrait,
    table: &str,
    columns: Vec<(&'static str, Value)>,
    id: uuid::Uuid,
    org: uuid::Uuid,
) -> Result<(), DbErr> {
    let sets: Vec<String> = columns.iter().map(|(n, _)| format!("{n} = ?")).collect();
    let sql = format!(
        "UPDATE {table} SET {}, version = version + 1 WHERE id = ? AND organization_id = ?",
        sets.join(", ")
    );
    let mut values: Vec<Value> = columns.into_iter().map(|(_, v)| v).collect();
    values.extend([id.into(), org.into()]);
    db.execute_raw(stmt(db.get_database_backend(), &sql, values))
        .await?;
    Ok(())
}

/// The number a `SELECT COUNT(*) AS n ...` statement answers (0 when it answers no row).
pub async fn count(db: &impl ConnectionTrait, statement: Statement) -> Result<u64, DbErr> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let n = Count::find_by_statement(statement)
        .one(db)
        .await?
        .map_or(0, |c| c.n);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A keyset position as the opaque text handed to clients: URL-safe base64 of its JSON.
pub fn encode_cursor<T: serde::Serialize>(position: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

/// Reads back what [`encode_cursor`] wrote; `None` for anything else.
pub fn decode_cursor<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Accumulates a dynamic `WHERE` clause and its parameters in order.
#[derive(Debug, Default)]
pub struct Clause {
    pub parts: Vec<String>,
    pub values: Vec<Value>,
}

impl Clause {
    /// Adds one condition with its parameters (one per `?` in `sql`).
    pub fn push(&mut self, sql: impl Into<String>, values: impl IntoIterator<Item = Value>) {
        self.parts.push(sql.into());
        self.values.extend(values);
    }

    /// `a AND b AND ...`, or `TRUE`-equivalent `1=1` when empty.
    pub fn joined(&self) -> String {
        if self.parts.is_empty() {
            "1=1".to_owned()
        } else {
            self.parts.join(" AND ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        assert_eq!(
            placeholders(DbBackend::Postgres, "a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
        assert_eq!(placeholders(DbBackend::Sqlite, "a = ?"), "a = ?");
    }
}
