//! Whole-base duplicate scans: the job rows (claimed with a lease like imports), the candidate
//! pairs found by joining the blocking keys in SQL (never the cross product), and the stored
//! pairs the review queue reads.
//!
//! A scan is `full` (every live customer) or `incremental` (pairs touching a customer updated
//! since the last completed scan). It is idempotent: a scan taken over after a crash starts
//! again from the beginning, and re-storing a pair only refreshes it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use tenure_domain::duplicate::MatchInput;
use tenure_domain::ids::OrganizationId;
use uuid::Uuid;

use super::{BLOCK_CAP, match_inputs};
use crate::audit::{self, Actor};
use crate::lease::JobTable;
use crate::sql::{json, stmt};
use crate::{Store, StoreError};

pub mod status {
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const COMPLETED: &str = "completed";
    pub const FAILED: &str = "failed";
}

/// One scan as stored.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ScanRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// `full` or `incremental`.
    pub mode: String,
    /// Incremental scans look at customers updated after this instant.
    pub since: Option<DateTime<Utc>>,
    pub status: String,
    /// `candidates`, `scoring` or `storing` while running.
    pub phase: Option<String>,
    pub candidates: i64,
    pub scored: i64,
    pub pairs: i64,
    pub customers: i64,
    pub message: Option<String>,
    pub created_by_label: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, organization_id, mode, since, status, phase, candidates, scored, pairs, \
    customers, message, created_by_label, started_at, finished_at, created_at, updated_at";

/// The candidate pairs of a scan: customers sharing a blocking key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CandidatePairs {
    /// Every customer in a pair, once; pairs refer to them by index.
    pub ids: Vec<Uuid>,
    /// Index pairs, each once, the smaller id on the left. Indices (8 bytes a pair) instead of
    /// ids (32) keep a million-customer scan's tens of millions of candidates small.
    pub pairs: Vec<(u32, u32)>,
}

impl CandidatePairs {
    /// The pairs as customer ids.
    pub fn id_pairs(&self) -> impl Iterator<Item = (Uuid, Uuid)> + '_ {
        self.pairs
            .iter()
            .map(|(l, r)| (self.ids[*l as usize], self.ids[*r as usize]))
    }
}

/// A scored pair to store (`left < right`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPair {
    pub left: Uuid,
    pub right: Uuid,
    pub score: f64,
    pub evidence: serde_json::Value,
    pub signature: String,
}

async fn scan_in(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: Uuid,
) -> Result<ScanRecord, StoreError> {
    ScanRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM duplicate_scans WHERE organization_id = ? AND id = ?"),
        vec![org.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}

impl Store {
    /// Queues a scan. Incremental scans start after the last completed one (full when there is
    /// none). One scan per organisation at a time (`duplicate_scan_running` otherwise).
    pub async fn create_duplicate_scan(
        &self,
        org: OrganizationId,
        full: bool,
        actor: &Actor,
    ) -> Result<ScanRecord, StoreError> {
        #[derive(FromQueryResult)]
        struct Last {
            started_at: Option<DateTime<Utc>>,
        }
        let txn = self.begin_write().await?;
        let backend = txn.get_database_backend();
        let busy = txn
            .query_one_raw(stmt(
                backend,
                "SELECT 1 AS one FROM duplicate_scans WHERE organization_id = ? AND status IN ('queued', 'running')",
                vec![org.as_uuid().into()],
            ))
            .await?;
        if busy.is_some() {
            return Err(StoreError::Conflict {
                constraint: "duplicate_scan_running".to_owned(),
            });
        }
        // What changed since the last completed scan began is what it may not have seen.
        let since = if full {
            None
        } else {
            Last::find_by_statement(stmt(
                backend,
                "SELECT started_at FROM duplicate_scans WHERE organization_id = ? AND status = 'completed' ORDER BY started_at DESC LIMIT 1",
                vec![org.as_uuid().into()],
            ))
            .one(&txn)
            .await?
            .and_then(|l| l.started_at)
        };
        let id = Uuid::now_v7();
        let now = crate::now();
        txn.execute_raw(stmt(
            backend,
            "INSERT INTO duplicate_scans (id, organization_id, mode, since, status, created_by_label, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                id.into(),
                org.as_uuid().into(),
                if since.is_some() { "incremental" } else { "full" }.into(),
                since.into(),
                status::QUEUED.into(),
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
            "duplicate_scan.queued",
            "duplicate_scan",
            Some(id),
            serde_json::json!({"full": since.is_none()}),
        )
        .await?;
        let scan = scan_in(&txn, org, id).await?;
        txn.commit().await?;
        Ok(scan)
    }

    pub async fn duplicate_scan(
        &self,
        org: OrganizationId,
        id: Uuid,
    ) -> Result<ScanRecord, StoreError> {
        scan_in(&self.db, org, id).await
    }

    /// The organisation's latest scans, newest first.
    pub async fn duplicate_scans(
        &self,
        org: OrganizationId,
        limit: u64,
    ) -> Result<Vec<ScanRecord>, StoreError> {
        Ok(ScanRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!(
                "SELECT {COLUMNS} FROM duplicate_scans WHERE organization_id = ? ORDER BY created_at DESC, id DESC LIMIT ?"
            ),
            vec![
                org.as_uuid().into(),
                i64::try_from(limit).unwrap_or(i64::MAX).into(),
            ],
        ))
        .all(&self.db)
        .await?)
    }

    /// The organisation's scans that are queued or running, or finished after `since` (for the
    /// event stream).
    pub async fn active_duplicate_scans(
        &self,
        org: OrganizationId,
        since: DateTime<Utc>,
    ) -> Result<Vec<ScanRecord>, StoreError> {
        Ok(ScanRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!(
                "SELECT {COLUMNS} FROM duplicate_scans WHERE organization_id = ? AND (status IN ('queued', 'running') OR updated_at >= ?) ORDER BY created_at"
            ),
            vec![org.as_uuid().into(), since.into()],
        ))
        .all(&self.db)
        .await?)
    }

    /// Takes a queued scan, or one whose worker's lease ran out, for `owner` (it starts again
    /// from the beginning).
    pub async fn claim_duplicate_scan(
        &self,
        owner: &str,
    ) -> Result<Option<ScanRecord>, StoreError> {
        let table = JobTable {
            name: "duplicate_scans",
            runnable: "'queued', 'running'".to_owned(),
            on_claim: "status = 'running', started_at = ?, candidates = 0, scored = 0, pairs = 0",
        };
        match self.claim_leased(&table, owner).await? {
            Some((org, id)) => Ok(Some(scan_in(&self.db, org, id).await?)),
            None => Ok(None),
        }
    }

    /// Records progress and renews the lease; `false` when another worker has the scan now.
    pub async fn duplicate_scan_progress(
        &self,
        scan: &ScanRecord,
        owner: &str,
        phase: &str,
        counts: [i64; 4],
    ) -> Result<bool, StoreError> {
        let now = crate::now();
        let [candidates, scored, pairs, customers] = counts;
        let result = self
            .db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                "UPDATE duplicate_scans SET phase = ?, candidates = ?, scored = ?, pairs = ?, customers = ?, lease_until = ?, updated_at = ? WHERE id = ? AND lease_owner = ?",
                vec![
                    phase.into(),
                    candidates.into(),
                    scored.into(),
                    pairs.into(),
                    customers.into(),
                    (now + self.job_lease).into(),
                    now.into(),
                    scan.id.into(),
                    owner.into(),
                ],
            ))
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Ends a scan as `completed` or `failed`, releasing the lease and auditing.
    pub async fn finish_duplicate_scan(
        &self,
        scan: &ScanRecord,
        owner: &str,
        new_status: &str,
        message: Option<String>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin_write().await?;
        let now = crate::now();
        let result = txn
            .execute_raw(stmt(
                txn.get_database_backend(),
                "UPDATE duplicate_scans SET status = ?, phase = NULL, message = ?, lease_owner = NULL, lease_until = NULL, finished_at = ?, updated_at = ? WHERE id = ? AND lease_owner = ?",
                vec![
                    new_status.into(),
                    message.clone().into(),
                    now.into(),
                    now.into(),
                    scan.id.into(),
                    owner.into(),
                ],
            ))
            .await?;
        if result.rows_affected() != 1 {
            return Ok(false);
        }
        let org = OrganizationId::from_uuid(scan.organization_id);
        let fresh = scan_in(&txn, org, scan.id).await?;
        audit::record(
            &txn,
            org,
            &Actor::system("duplicate-scanner"),
            &format!("duplicate_scan.{new_status}"),
            "duplicate_scan",
            Some(scan.id),
            serde_json::json!({
                "candidates": fresh.candidates,
                "pairs": fresh.pairs,
                "customers": fresh.customers,
                "message": message,
            }),
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Live customers of the organisation (what a full scan covers).
    pub async fn live_customer_count(&self, org: OrganizationId) -> Result<u64, StoreError> {
        Ok(crate::sql::count(
            &self.db,
            stmt(
                self.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM customers WHERE organization_id = ? AND deleted_at IS NULL",
                vec![org.as_uuid().into()],
            ),
        )
        .await?)
    }

    /// Every pair of live customers sharing a blocking key (keys shared by more than
    /// [`BLOCK_CAP`] customers are too common to be evidence), each once as `(left, right)` with
    /// `left < right`. With `since`, only pairs with a side updated after it.
    pub async fn duplicate_candidate_pairs(
        &self,
        org: OrganizationId,
        since: Option<DateTime<Utc>>,
    ) -> Result<CandidatePairs, StoreError> {
        #[derive(FromQueryResult)]
        struct Pair {
            left_id: Uuid,
            right_id: Uuid,
        }
        let blocks = "SELECT match_key FROM customer_match_keys WHERE organization_id = ? \
            GROUP BY match_key HAVING COUNT(*) BETWEEN 2 AND ?";
        let cap = i64::try_from(BLOCK_CAP).unwrap_or(i64::MAX);
        let (sql, values): (String, Vec<Value>) = match since {
            None => (
                format!(
                    "SELECT DISTINCT a.customer_id AS left_id, b.customer_id AS right_id \
                     FROM customer_match_keys a JOIN customer_match_keys b \
                     ON b.organization_id = a.organization_id AND b.match_key = a.match_key AND b.customer_id > a.customer_id \
                     WHERE a.organization_id = ? AND a.match_key IN ({blocks})"
                ),
                vec![org.as_uuid().into(), org.as_uuid().into(), cap.into()],
            ),
            Some(since) => (
                format!(
                    "SELECT DISTINCT a.customer_id AS left_id, b.customer_id AS right_id \
                     FROM customer_match_keys a JOIN customers c ON c.id = a.customer_id AND c.updated_at > ? \
                     JOIN customer_match_keys b \
                     ON b.organization_id = a.organization_id AND b.match_key = a.match_key AND b.customer_id <> a.customer_id \
                     WHERE a.organization_id = ? AND a.match_key IN ({blocks})"
                ),
                vec![
                    since.into(),
                    org.as_uuid().into(),
                    org.as_uuid().into(),
                    cap.into(),
                ],
            ),
        };
        let statement = stmt(self.db.get_database_backend(), &sql, values);
        let mut stream = Pair::find_by_statement(statement).stream(&self.db).await?;
        let mut index: HashMap<Uuid, u32> = HashMap::new();
        let mut ids: Vec<Uuid> = Vec::new();
        let mut intern = |id: Uuid| -> u32 {
            *index.entry(id).or_insert_with(|| {
                ids.push(id);
                u32::try_from(ids.len() - 1).unwrap_or(u32::MAX)
            })
        };
        let mut pairs = Vec::new();
        while let Some(pair) = stream.try_next().await? {
            let (left, right) = if pair.left_id < pair.right_id {
                (pair.left_id, pair.right_id)
            } else {
                (pair.right_id, pair.left_id)
            };
            pairs.push((intern(left), intern(right)));
        }
        drop(index);
        // Indices in id order: profiles then load in key order (UUIDv7s follow the heap, so
        // neighbouring pages) and scoring walks them in order.
        let mut order: Vec<u32> = (0..u32::try_from(ids.len()).unwrap_or(u32::MAX)).collect();
        order.sort_unstable_by_key(|&i| ids[i as usize]);
        let mut rank = vec![0u32; ids.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = u32::try_from(new).unwrap_or(u32::MAX);
        }
        for pair in &mut pairs {
            *pair = (rank[pair.0 as usize], rank[pair.1 as usize]);
        }
        drop(rank);
        let ids: Vec<Uuid> = order.into_iter().map(|i| ids[i as usize]).collect();
        pairs.sort_unstable();
        pairs.dedup();
        pairs.shrink_to_fit();
        Ok(CandidatePairs { ids, pairs })
    }

    /// How many live customers bear each name borne by two or more (see
    /// [`tenure_domain::duplicate::blocking::count_name`]).
    pub async fn duplicate_name_counts(
        &self,
        org: OrganizationId,
    ) -> Result<HashMap<String, u32>, StoreError> {
        super::name_counts(&self.db, org, None).await
    }

    /// The matcher's input for each live customer of `ids`.
    pub async fn duplicate_match_inputs(
        &self,
        org: OrganizationId,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, MatchInput>, StoreError> {
        match_inputs(&self.db, org, ids).await
    }

    /// Stores scored pairs found by `scan`: new ones open; known ones refreshed; a dismissed one
    /// reopens only when its signature changed (one of the records changed since); merged ones
    /// stay merged.
    pub async fn store_duplicate_pairs(
        &self,
        org: OrganizationId,
        scan: Uuid,
        pairs: &[ScoredPair],
    ) -> Result<(), StoreError> {
        if pairs.is_empty() {
            return Ok(());
        }
        let txn = self.begin_write().await?;
        let now = crate::now();
        for chunk in pairs.chunks(500) {
            let marks = vec!["(?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)"; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 10);
            for pair in chunk {
                values.extend([
                    Uuid::now_v7().into(),
                    org.as_uuid().into(),
                    pair.left.into(),
                    pair.right.into(),
                    pair.score.into(),
                    json(pair.evidence.clone()),
                    pair.signature.clone().into(),
                    scan.into(),
                    now.into(),
                    now.into(),
                ]);
            }
            txn.execute_raw(stmt(
                txn.get_database_backend(),
                &format!(
                    "INSERT INTO duplicate_pairs (id, organization_id, left_id, right_id, score, evidence, signature, status, scan_id, created_at, updated_at) \
                     VALUES {marks} \
                     ON CONFLICT (organization_id, left_id, right_id) DO UPDATE SET \
                     score = excluded.score, evidence = excluded.evidence, scan_id = excluded.scan_id, updated_at = excluded.updated_at, \
                     status = CASE WHEN duplicate_pairs.status = 'dismissed' AND duplicate_pairs.signature <> excluded.signature THEN 'open' ELSE duplicate_pairs.status END, \
                     reviewed_by_label = CASE WHEN duplicate_pairs.status = 'dismissed' AND duplicate_pairs.signature <> excluded.signature THEN NULL ELSE duplicate_pairs.reviewed_by_label END, \
                     reviewed_at = CASE WHEN duplicate_pairs.status = 'dismissed' AND duplicate_pairs.signature <> excluded.signature THEN NULL ELSE duplicate_pairs.reviewed_at END, \
                     signature = excluded.signature"
                ),
                values,
            ))
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// After a scan: open pairs it did not find again are gone (their records changed or were
    /// deleted). An incremental scan only judges pairs touching a customer updated since.
    pub async fn prune_duplicate_pairs(&self, scan: &ScanRecord) -> Result<u64, StoreError> {
        let org = scan.organization_id;
        let (sql, values): (&str, Vec<Value>) = match scan.since {
            None => (
                "DELETE FROM duplicate_pairs WHERE organization_id = ? AND status = 'open' AND (scan_id IS NULL OR scan_id <> ?)",
                vec![org.into(), scan.id.into()],
            ),
            Some(since) => (
                "DELETE FROM duplicate_pairs WHERE organization_id = ? AND status = 'open' AND (scan_id IS NULL OR scan_id <> ?) \
                 AND (left_id IN (SELECT id FROM customers WHERE organization_id = ? AND updated_at > ?) \
                 OR right_id IN (SELECT id FROM customers WHERE organization_id = ? AND updated_at > ?))",
                vec![
                    org.into(),
                    scan.id.into(),
                    org.into(),
                    since.into(),
                    org.into(),
                    since.into(),
                ],
            ),
        };
        let result = self
            .db
            .execute_raw(stmt(self.db.get_database_backend(), sql, values))
            .await?;
        Ok(result.rows_affected())
    }
}
