//! Claiming a row of a job table with a lease, shared by imports and duplicate scans: the
//! oldest runnable row whose lease is free or ran out is taken by one worker, under
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one writer). An idle poll reads first,
//! so it takes no write lock when there is nothing to do.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use tenure_domain::ids::OrganizationId;
use uuid::Uuid;

use crate::sql::stmt;
use crate::{Store, StoreError};

/// A job table: its name, its runnable statuses as an SQL list of constants, and what a claim
/// sets besides the lease (SQL with exactly one `?`, bound to the claim's instant).
pub(crate) struct JobTable {
    pub name: &'static str,
    pub runnable: String,
    pub on_claim: &'static str,
}

impl Store {
    /// Takes the oldest claimable row of `table` for `owner`; its id and organisation.
    pub(crate) async fn claim_leased(
        &self,
        table: &JobTable,
        owner: &str,
    ) -> Result<Option<(OrganizationId, Uuid)>, StoreError> {
        let backend = self.db.get_database_backend();
        let now = crate::now();
        let free = format!(
            "FROM {} WHERE status IN ({}) AND (lease_until IS NULL OR lease_until < ?)",
            table.name, table.runnable
        );
        let waiting = self
            .db
            .query_one_raw(stmt(
                backend,
                &format!("SELECT 1 AS one {free} LIMIT 1"),
                vec![now.into()],
            ))
            .await?;
        if waiting.is_none() {
            return Ok(None);
        }
        let lock = if backend == DbBackend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        #[derive(FromQueryResult)]
        struct Claimed {
            id: Uuid,
            organization_id: Uuid,
        }
        let claimed = Claimed::find_by_statement(stmt(
            backend,
            &format!(
                "UPDATE {} SET lease_owner = ?, lease_until = ?, {}, updated_at = ? \
                 WHERE id = (SELECT id {free} ORDER BY created_at LIMIT 1{lock}) \
                 RETURNING id, organization_id",
                table.name, table.on_claim
            ),
            vec![
                owner.into(),
                (now + self.job_lease).into(),
                now.into(),
                now.into(),
                now.into(),
            ],
        ))
        .one(&self.db)
        .await?;
        Ok(claimed.map(|c| (OrganizationId::from_uuid(c.organization_id), c.id)))
    }
}
