//! Bulk changes over up to [`MAX_BULK`] customers: one transaction per call, one outcome per id.
//!
//! A row that cannot be changed (missing, stale version) is reported and skipped; the others
//! commit together. Each changed row is audited like a single change.

use sea_orm::{ConnectionTrait, DatabaseTransaction, Value};
use tenure_domain::customer::CustomerStatus;
use tenure_domain::ids::{CustomerId, OrganizationId, UserId};
use tenure_domain::values::Tag;

use crate::customer::{
    audit_diff, fetch, fetch_any_for_update, insert_tag, record_changes_on_timeline, set_deleted,
};
use crate::sql::stmt;
use crate::{Actor, Store, StoreError, audit};

/// Most ids one bulk call may name.
pub const MAX_BULK: usize = 1_000;

/// One customer to change, with the version the caller saw when it cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkTarget {
    pub id: CustomerId,
    pub expected_version: Option<i64>,
}

/// The change applied to every target of a bulk update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkChange {
    pub status: Option<CustomerStatus>,
    pub tags_add: Vec<Tag>,
    pub tags_remove: Vec<Tag>,
    /// `Some(None)` clears the owner.
    pub owner: Option<Option<UserId>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStatus {
    Ok,
    NotFound,
    Forbidden,
    VersionConflict,
}

impl BulkStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            BulkStatus::Ok => "ok",
            BulkStatus::NotFound => "not_found",
            BulkStatus::Forbidden => "forbidden",
            BulkStatus::VersionConflict => "version_conflict",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOutcome {
    pub id: CustomerId,
    pub status: BulkStatus,
    pub message: Option<String>,
    pub version: Option<i64>,
}

impl BulkOutcome {
    fn from_result(
        id: CustomerId,
        result: Result<i64, StoreError>,
    ) -> Result<BulkOutcome, StoreError> {
        let (status, message, version) = match result {
            Ok(version) => (BulkStatus::Ok, None, Some(version)),
            Err(StoreError::NotFound) => (BulkStatus::NotFound, None, None),
            Err(StoreError::VersionMismatch { current }) => (
                BulkStatus::VersionConflict,
                Some(format!(
                    "changed by someone else; current version is {current}"
                )),
                None,
            ),
            Err(StoreError::Invalid(errors)) => (
                BulkStatus::Forbidden,
                errors
                    .first()
                    .map(|e| format!("{}: {}", e.field, e.message)),
                None,
            ),
            Err(other) => return Err(other),
        };
        Ok(BulkOutcome {
            id,
            status,
            message,
            version,
        })
    }
}

impl Store {
    /// Applies `change` to every live target.
    pub async fn bulk_update_customers(
        &self,
        org: OrganizationId,
        targets: &[BulkTarget],
        change: &BulkChange,
        actor: &Actor,
    ) -> Result<Vec<BulkOutcome>, StoreError> {
        let txn = self.begin_write().await?;
        if let Some(Some(owner)) = change.owner {
            let found = txn
                .query_one_raw(stmt(
                    txn.get_database_backend(),
                    "SELECT 1 AS one FROM users WHERE id = ? AND organization_id = ? AND disabled_at IS NULL",
                    vec![owner.as_uuid().into(), org.as_uuid().into()],
                ))
                .await?;
            if found.is_none() {
                return Err(StoreError::Invalid(vec![
                    tenure_domain::error::FieldError::new(
                        "owner_id",
                        "no such user in this organisation",
                    ),
                ]));
            }
        }
        let mut outcomes = Vec::with_capacity(targets.len());
        for target in in_lock_order(targets) {
            let result = update_one(&txn, org, target, change, actor).await;
            outcomes.push(BulkOutcome::from_result(target.id, result)?);
        }
        txn.commit().await?;
        Ok(in_request_order(targets, outcomes))
    }

    /// Soft-deletes (`delete = true`) or restores every target.
    pub async fn bulk_set_deleted(
        &self,
        org: OrganizationId,
        targets: &[BulkTarget],
        delete: bool,
        actor: &Actor,
    ) -> Result<Vec<BulkOutcome>, StoreError> {
        let txn = self.begin_write().await?;
        let mut outcomes = Vec::with_capacity(targets.len());
        for target in in_lock_order(targets) {
            let result = set_deleted(&txn, org, target.id, target.expected_version, delete, actor)
                .await
                .map(|record| record.version);
            outcomes.push(BulkOutcome::from_result(target.id, result)?);
        }
        txn.commit().await?;
        Ok(in_request_order(targets, outcomes))
    }
}

/// Rows are locked in id order, whatever order the caller sent: two overlapping bulk calls then
/// queue on the first shared row instead of deadlocking.
fn in_lock_order(targets: &[BulkTarget]) -> Vec<&BulkTarget> {
    let mut sorted: Vec<&BulkTarget> = targets.iter().collect();
    sorted.sort_by_key(|t| t.id);
    sorted
}

/// Outcomes back in the order of the request.
fn in_request_order(targets: &[BulkTarget], outcomes: Vec<BulkOutcome>) -> Vec<BulkOutcome> {
    let mut by_id: std::collections::HashMap<CustomerId, BulkOutcome> =
        outcomes.into_iter().map(|o| (o.id, o)).collect();
    targets.iter().filter_map(|t| by_id.remove(&t.id)).collect()
}

async fn update_one(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    target: &BulkTarget,
    change: &BulkChange,
    actor: &Actor,
) -> Result<i64, StoreError> {
    let before = fetch_any_for_update(txn, org, target.id).await?;
    if before.deleted_at.is_some() {
        return Err(StoreError::NotFound);
    }
    StoreError::check_version(target.expected_version, before.version)?;
    let backend = txn.get_database_backend();
    let mut sets = vec![
        "version = version + 1".to_owned(),
        "updated_at = ?".to_owned(),
        "updated_by = ?".to_owned(),
    ];
    let mut values: Vec<Value> = vec![
        crate::now().into(),
        actor.user_id.map(|u| u.as_uuid()).into(),
    ];
    if let Some(status) = change.status {
        sets.push("status = ?".to_owned());
        values.push(status.as_str().into());
    }
    if let Some(owner) = change.owner {
        sets.push("owner_id = ?".to_owned());
        values.push(owner.map(|o| o.as_uuid()).into());
    }
    values.extend([target.id.as_uuid().into(), org.as_uuid().into()]);
    txn.execute_raw(stmt(
        backend,
        &format!(
            "UPDATE customers SET {} WHERE id = ? AND organization_id = ?",
            sets.join(", ")
        ),
        values,
    ))
    .await?;
    for tag in &change.tags_add {
        insert_tag(txn, backend, org, target.id, tag.as_str()).await?;
    }
    for tag in &change.tags_remove {
        txn.execute_raw(stmt(
            backend,
            "DELETE FROM customer_tags WHERE customer_id = ? AND tag = ?",
            vec![target.id.as_uuid().into(), tag.as_str().into()],
        ))
        .await?;
    }
    let after = fetch(txn, org, target.id, false).await?;
    record_changes_on_timeline(txn, org, &before, &after, actor).await?;
    audit::record(
        txn,
        org,
        actor,
        "customer.updated",
        "customer",
        Some(target.id.as_uuid()),
        audit_diff(Some(&before), Some(&after)),
    )
    .await?;
    Ok(after.version)
}
