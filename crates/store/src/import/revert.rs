//! Undoing an import: the customers it created are soft-deleted (restorable like any other),
//! and the ones it updated get their earlier fields back. The caller walks the updates in
//! chunks so a large job reverts in bounded memory.

use sea_orm::{ConnectionTrait, FromQueryResult};
use tenure_domain::ids::OrganizationId;
use uuid::Uuid;

use crate::audit::Actor;
use crate::customer::CustomerRecord;
use crate::error::StoreError;
use crate::import::ImportJobRecord;
use crate::sql::stmt;
use crate::{Store, audit};

/// A customer the job updated, as it was before.
#[derive(Debug, Clone)]
pub struct UpdatedCustomer {
    pub row_number: i64,
    pub before: CustomerRecord,
}

impl Store {
    /// Soft-deletes every still-live customer the job created; returns how many.
    pub async fn revert_import_creates(
        &self,
        job: &ImportJobRecord,
        actor: &Actor,
    ) -> Result<u64, StoreError> {
        let org = OrganizationId::from_uuid(job.organization_id);
        let txn = self.begin_write().await?;
        let now = crate::now();
        let result = txn
            .execute_raw(stmt(
                txn.get_database_backend(),
                "UPDATE customers SET deleted_at = ?, version = version + 1, updated_at = ?, updated_by = ? \
                 WHERE organization_id = ? AND deleted_at IS NULL AND id IN \
                 (SELECT customer_id FROM import_job_changes WHERE job_id = ? AND action = 'created')",
                vec![
                    Some(now).into(),
                    now.into(),
                    actor.user_id.map(|u| u.as_uuid()).into(),
                    org.as_uuid().into(),
                    job.id.into(),
                ],
            ))
            .await?;
        // Deleted customers are nobody's duplicates.
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "DELETE FROM customer_match_keys WHERE organization_id = ? AND customer_id IN \
             (SELECT customer_id FROM import_job_changes WHERE job_id = ? AND action = 'created')",
            vec![org.as_uuid().into(), job.id.into()],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "import.reverted_creates",
            "import_job",
            Some(job.id),
            serde_json::json!({"deleted": result.rows_affected()}),
        )
        .await?;
        txn.commit().await?;
        Ok(result.rows_affected())
    }

    /// The customers the job updated, with their earlier state, after row `after`.
    pub async fn import_updates(
        &self,
        job: Uuid,
        after: i64,
        limit: u64,
    ) -> Result<Vec<UpdatedCustomer>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            row_number: i64,
            before: Option<serde_json::Value>,
        }
        let rows = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT row_number, before FROM import_job_changes WHERE job_id = ? AND action = 'updated' AND row_number > ? ORDER BY row_number LIMIT ?",
            vec![
                job.into(),
                after.into(),
                i64::try_from(limit).unwrap_or(i64::MAX).into(),
            ],
        ))
        .all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let before = serde_json::from_value(r.before?).ok()?;
                Some(UpdatedCustomer {
                    row_number: r.row_number,
                    before,
                })
            })
            .collect())
    }
}
