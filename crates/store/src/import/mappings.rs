//! An organisation's saved import mappings: the body of `PUT /imports/{id}/mapping` kept under a
//! name. The store keeps them as given; the API checks them before they are saved.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use tenure_domain::ids::OrganizationId;
use uuid::Uuid;

use crate::audit::{self, Actor};
use crate::sql::{json, stmt};
use crate::{Store, StoreError};

/// One saved mapping.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct SavedMappingRecord {
    pub id: Uuid,
    pub name: String,
    pub mapping: serde_json::Value,
    pub created_by_label: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, mapping, created_by_label, created_at, updated_at";

impl Store {
    /// The organisation's saved mappings, by name.
    pub async fn saved_mappings(
        &self,
        org: OrganizationId,
    ) -> Result<Vec<SavedMappingRecord>, StoreError> {
        Ok(SavedMappingRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!(
                "SELECT {COLUMNS} FROM import_mappings WHERE organization_id = ? ORDER BY name, id"
            ),
            vec![org.as_uuid().into()],
        ))
        .all(&self.db)
        .await?)
    }

    /// Saves a new mapping (`import_mappings_org_name_key` if the name is taken).
    pub async fn create_saved_mapping(
        &self,
        org: OrganizationId,
        name: &str,
        mapping: serde_json::Value,
        actor: &Actor,
    ) -> Result<SavedMappingRecord, StoreError> {
        let txn = self.begin_write().await?;
        let id = Uuid::now_v7();
        let now = crate::now();
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "INSERT INTO import_mappings (id, organization_id, name, mapping, created_by_label, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                id.into(),
                org.as_uuid().into(),
                name.into(),
                json(mapping),
                actor.label.clone().into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "import_mapping.created",
            "import_mapping",
            Some(id),
            serde_json::json!({"name": name}),
        )
        .await?;
        let record = one(&txn, org, id).await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Replaces a mapping's name and body.
    pub async fn update_saved_mapping(
        &self,
        org: OrganizationId,
        id: Uuid,
        name: &str,
        mapping: serde_json::Value,
        actor: &Actor,
    ) -> Result<SavedMappingRecord, StoreError> {
        let txn = self.begin_write().await?;
        let updated = txn
            .execute_raw(stmt(
                txn.get_database_backend(),
                "UPDATE import_mappings SET name = ?, mapping = ?, updated_at = ? WHERE organization_id = ? AND id = ?",
                vec![
                    name.into(),
                    json(mapping),
                    crate::now().into(),
                    org.as_uuid().into(),
                    id.into(),
                ],
            ))
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &txn,
            org,
            actor,
            "import_mapping.updated",
            "import_mapping",
            Some(id),
            serde_json::json!({"name": name}),
        )
        .await?;
        let record = one(&txn, org, id).await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Deletes a mapping (jobs mapped with it keep their own copy).
    pub async fn delete_saved_mapping(
        &self,
        org: OrganizationId,
        id: Uuid,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let deleted = txn
            .execute_raw(stmt(
                txn.get_database_backend(),
                "DELETE FROM import_mappings WHERE organization_id = ? AND id = ?",
                vec![org.as_uuid().into(), id.into()],
            ))
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &txn,
            org,
            actor,
            "import_mapping.deleted",
            "import_mapping",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

async fn one(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: Uuid,
) -> Result<SavedMappingRecord, StoreError> {
    SavedMappingRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM import_mappings WHERE organization_id = ? AND id = ?"),
        vec![org.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}
