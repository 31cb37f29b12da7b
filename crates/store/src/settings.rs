//! Instance-wide settings that are not tenant data, such as the generated JWT signing secret.

use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::sql::stmt;
use crate::{Store, StoreError};

#[derive(FromQueryResult)]
struct Row {
    value: String,
}

impl Store {
    /// Returns the stored value for `key`, storing `make()` first when there is none. Two
    /// processes racing here agree on one value: the insert does nothing if a row appeared.
    pub async fn instance_setting_or_init(
        &self,
        key: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String, StoreError> {
        let backend = self.db.get_database_backend();
        self.db
            .execute_raw(stmt(
                backend,
                "INSERT INTO instance_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                vec![key.into(), make().into(), crate::now().into()],
            ))
            .await?;
        Row::find_by_statement(stmt(
            backend,
            "SELECT value FROM instance_settings WHERE key = ?",
            vec![key.into()],
        ))
        .one(&self.db)
        .await?
        .map(|row| row.value)
        .ok_or(StoreError::NotFound)
    }
}
