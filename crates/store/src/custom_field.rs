//! Custom field definitions: the organisation's list of extra customer fields. Customers'
//! values are checked against it by the customer writes. This module must not interpret HTTP.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use tenure_domain::custom_field::{FieldDefinition, FieldType};
use tenure_domain::ids::{CustomFieldId, OrganizationId};
use uuid::Uuid;

use crate::sql::{insert, json, stmt};
use crate::{Actor, Store, StoreError, audit};

#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct CustomFieldRecord {
    pub id: Uuid,
    pub field_key: String,
    pub label: String,
    pub field_type: String,
    pub options: serde_json::Value,
    pub required: bool,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CustomFieldRecord {
    pub fn options(&self) -> Vec<String> {
        serde_json::from_value(self.options.clone()).unwrap_or_default()
    }

    /// The definition as the domain check needs it.
    pub fn definition(&self) -> FieldDefinition {
        FieldDefinition {
            key: self.field_key.clone(),
            label: self.label.clone(),
            field_type: FieldType::parse(&self.field_type).unwrap_or(FieldType::Text),
            options: self.options(),
            required: self.required,
        }
    }
}

/// A definition about to be written (the key only on creation).
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomField {
    pub key: String,
    pub label: String,
    pub field_type: FieldType,
    pub options: Vec<String>,
    pub required: bool,
    pub position: i32,
}

const SELECT: &str = "SELECT id, field_key, label, field_type, options, required, position, \
    created_at, updated_at FROM custom_field_definitions";

pub(crate) async fn definitions(
    db: &impl ConnectionTrait,
    org: OrganizationId,
) -> Result<Vec<CustomFieldRecord>, StoreError> {
    Ok(CustomFieldRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!("{SELECT} WHERE organization_id = ? ORDER BY position, label"),
        vec![org.as_uuid().into()],
    ))
    .all(db)
    .await?)
}

async fn by_id(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: Uuid,
) -> Result<CustomFieldRecord, StoreError> {
    CustomFieldRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!("{SELECT} WHERE organization_id = ? AND id = ?"),
        vec![org.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}

impl Store {
    pub async fn custom_fields(
        &self,
        org: OrganizationId,
    ) -> Result<Vec<CustomFieldRecord>, StoreError> {
        definitions(&self.db, org).await
    }

    pub async fn custom_field(
        &self,
        org: OrganizationId,
        id: CustomFieldId,
    ) -> Result<CustomFieldRecord, StoreError> {
        by_id(&self.db, org, id.as_uuid()).await
    }

    pub async fn create_custom_field(
        &self,
        org: OrganizationId,
        new: &NewCustomField,
        actor: &Actor,
    ) -> Result<CustomFieldRecord, StoreError> {
        let txn = self.begin_write().await?;
        let id = CustomFieldId::new().as_uuid();
        let now = crate::now();
        insert(
            &txn,
            "custom_field_definitions",
            vec![
                ("id", id.into()),
                ("organization_id", org.as_uuid().into()),
                ("field_key", new.key.clone().into()),
                ("label", new.label.clone().into()),
                ("field_type", new.field_type.as_str().into()),
                ("options", json(serde_json::json!(new.options))),
                ("required", new.required.into()),
                ("position", new.position.into()),
                ("created_at", now.into()),
                ("updated_at", now.into()),
            ],
        )
        .await?;
        let created = by_id(&txn, org, id).await?;
        audit::record(
            &txn,
            org,
            actor,
            "custom_field.created",
            "custom_field",
            Some(id),
            audit::diff_of(None, Some(&created)),
        )
        .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Changes label, type, options, required and position (the key stays: stored values
    /// refer to it).
    pub async fn update_custom_field(
        &self,
        org: OrganizationId,
        id: CustomFieldId,
        new: &NewCustomField,
        actor: &Actor,
    ) -> Result<CustomFieldRecord, StoreError> {
        let txn = self.begin_write().await?;
        let before = by_id(&txn, org, id.as_uuid()).await?;
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE custom_field_definitions SET label = ?, field_type = ?, options = ?, required = ?, position = ?, updated_at = ? WHERE id = ? AND organization_id = ?",
            vec![
                new.label.clone().into(),
                new.field_type.as_str().into(),
                json(serde_json::json!(new.options)),
                new.required.into(),
                new.position.into(),
                crate::now().into(),
                id.as_uuid().into(),
                org.as_uuid().into(),
            ],
        ))
        .await?;
        let after = by_id(&txn, org, id.as_uuid()).await?;
        audit::record(
            &txn,
            org,
            actor,
            "custom_field.updated",
            "custom_field",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), Some(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Removes a definition; values already stored under its key stay on the customers (an
    /// export still shows them) but are no longer checked.
    pub async fn delete_custom_field(
        &self,
        org: OrganizationId,
        id: CustomFieldId,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let before = by_id(&txn, org, id.as_uuid()).await?;
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "DELETE FROM custom_field_definitions WHERE id = ? AND organization_id = ?",
            vec![id.as_uuid().into(), org.as_uuid().into()],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "custom_field.deleted",
            "custom_field",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), None),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
