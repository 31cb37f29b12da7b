//! The review queue: stored duplicate pairs by confidence, and dismissing them. A pair whose
//! either side was deleted leaves the queue, except a `merged` one: it stays listed under its
//! status, with its merged record, as the record of the merge.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use tenure_domain::ids::OrganizationId;
use uuid::Uuid;

use crate::audit::{self, Actor};
use crate::sql::{decode_cursor, encode_cursor, stmt};
use crate::{Store, StoreError};

/// One pair with both customers' code and name.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct PairRecord {
    pub id: Uuid,
    pub left_id: Uuid,
    pub left_code: String,
    pub left_name: String,
    pub right_id: Uuid,
    pub right_code: String,
    pub right_name: String,
    pub score: f64,
    pub evidence: serde_json::Value,
    pub status: String,
    pub reviewed_by_label: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// What the queue lists.
#[derive(Debug, Clone, PartialEq)]
pub struct PairFilter {
    /// `open`, `dismissed` or `merged`.
    pub status: String,
    pub min_score: f64,
    /// Only pairs with this customer on either side.
    pub customer: Option<Uuid>,
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct PairPage {
    pub items: Vec<PairRecord>,
    pub next_cursor: Option<String>,
}

impl Store {
    /// Pairs by confidence, best first, keyset-paged (`cursor` from the previous page; a bad
    /// cursor is `Invalid` on `cursor`).
    pub async fn duplicate_pairs(
        &self,
        org: OrganizationId,
        filter: &PairFilter,
        cursor: Option<&str>,
        limit: u64,
    ) -> Result<PairPage, StoreError> {
        let mut sql = String::from(
            "SELECT p.id, p.left_id, l.customer_code AS left_code, l.name AS left_name, \
             p.right_id, r.customer_code AS right_code, r.name AS right_name, p.score, p.evidence, \
             p.status, p.reviewed_by_label, p.reviewed_at, p.updated_at \
             FROM duplicate_pairs p JOIN customers l ON l.id = p.left_id JOIN customers r ON r.id = p.right_id \
             WHERE p.organization_id = ? AND p.status = ? AND p.score >= ? \
             AND ((l.deleted_at IS NULL AND r.deleted_at IS NULL) OR p.status = 'merged')",
        );
        let mut values: Vec<Value> = vec![
            org.as_uuid().into(),
            filter.status.clone().into(),
            filter.min_score.into(),
        ];
        if let Some(customer) = filter.customer {
            sql.push_str(" AND (p.left_id = ? OR p.right_id = ?)");
            values.extend([customer.into(), customer.into()]);
        }
        if let Some(raw) = cursor {
            let (score, id): (f64, Uuid) = decode_cursor(raw).ok_or_else(|| {
                StoreError::Invalid(vec![tenure_domain::error::FieldError::new(
                    "cursor",
                    "not a cursor from this list",
                )])
            })?;
            sql.push_str(" AND (p.score < ? OR (p.score = ? AND p.id > ?))");
            values.extend([score.into(), score.into(), id.into()]);
        }
        sql.push_str(" ORDER BY p.score DESC, p.id LIMIT ?");
        values.push(i64::try_from(limit + 1).unwrap_or(i64::MAX).into());
        let mut items =
            PairRecord::find_by_statement(stmt(self.db.get_database_backend(), &sql, values))
                .all(&self.db)
                .await?;
        let next_cursor = if items.len() as u64 > limit {
            items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            // The queue's order: score descending, then id.
            items.last().map(|p| encode_cursor(&(p.score, p.id)))
        } else {
            None
        };
        Ok(PairPage { items, next_cursor })
    }

    /// Dismisses open pairs: they stay out of the queue until one of their records changes in
    /// a way matching reads. Returns the ids dismissed (unknown or not open ones are skipped).
    pub async fn dismiss_duplicate_pairs(
        &self,
        org: OrganizationId,
        ids: &[Uuid],
        actor: &Actor,
    ) -> Result<Vec<Uuid>, StoreError> {
        #[derive(FromQueryResult)]
        struct IdRow {
            id: Uuid,
        }
        let txn = self.begin_write().await?;
        let backend = txn.get_database_backend();
        let now = crate::now();
        let mut dismissed = Vec::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut values: Vec<Value> = vec![
                actor.label.clone().into(),
                now.into(),
                now.into(),
                org.as_uuid().into(),
            ];
            values.extend(chunk.iter().map(|id| Value::from(*id)));
            let rows = IdRow::find_by_statement(stmt(
                backend,
                &format!(
                    "UPDATE duplicate_pairs SET status = 'dismissed', reviewed_by_label = ?, reviewed_at = ?, updated_at = ? \
                     WHERE organization_id = ? AND status = 'open' AND id IN ({marks}) RETURNING id"
                ),
                values,
            ))
            .all(&txn)
            .await?;
            dismissed.extend(rows.into_iter().map(|r| r.id));
        }
        for id in &dismissed {
            audit::record(
                &txn,
                org,
                actor,
                "duplicate_pair.dismissed",
                "duplicate_pair",
                Some(*id),
                serde_json::json!({}),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(dismissed)
    }
}

impl Store {
    /// Open pairs scoring at least `min_score` whose customers are both live, as graph edges
    /// for clustering.
    pub async fn duplicate_edges(
        &self,
        org: OrganizationId,
        min_score: f64,
    ) -> Result<Vec<tenure_domain::duplicate::cluster::Edge>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            id: Uuid,
            left_id: Uuid,
            right_id: Uuid,
            score: f64,
        }
        let rows = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT p.id, p.left_id, p.right_id, p.score FROM duplicate_pairs p \
             JOIN customers l ON l.id = p.left_id JOIN customers r ON r.id = p.right_id \
             WHERE p.organization_id = ? AND p.status = 'open' AND p.score >= ? \
             AND l.deleted_at IS NULL AND r.deleted_at IS NULL",
            vec![org.as_uuid().into(), min_score.into()],
        ))
        .all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| tenure_domain::duplicate::cluster::Edge {
                pair: r.id,
                left: r.left_id,
                right: r.right_id,
                score: r.score,
            })
            .collect())
    }

    /// Code and name of each customer in `ids` (deleted ones too), by id.
    pub async fn customer_labels(
        &self,
        org: OrganizationId,
        ids: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, (String, String)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            id: Uuid,
            customer_code: String,
            name: String,
        }
        let mut labels = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut values: Vec<Value> = vec![org.as_uuid().into()];
            values.extend(chunk.iter().map(|id| Value::from(*id)));
            let rows = Row::find_by_statement(stmt(
                self.db.get_database_backend(),
                &format!("SELECT id, customer_code, name FROM customers WHERE organization_id = ? AND id IN ({marks})"),
                values,
            ))
            .all(&self.db)
            .await?;
            labels.extend(rows.into_iter().map(|r| (r.id, (r.customer_code, r.name))));
        }
        Ok(labels)
    }
}
