//! Merging duplicate customers into one survivor, and undoing it.
//!
//! A merge runs in one transaction: every involved customer is locked and checked against the
//! version the caller read; related rows move to the survivor ([`moves`]); the survivor takes
//! the values the caller resolved (through the ordinary update path, so validation, search text
//! and duplicate keys follow); the merged records are soft-deleted with `merged_into`. The
//! `merges` row keeps what undo needs: the records as they were (`snapshot`) and each moved row
//! with where it came from (`moves`). [`undo`] checks nothing was changed since in a way the
//! undo would lose, then replays the log backwards.
//!
//! This module decides nothing about which value wins: the caller passes the survivor as it
//! must be (`domain::merge` chooses). It must not know HTTP.

mod moves;
mod undo;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use serde::{Deserialize, Serialize};
use tenure_domain::customer::NewCustomer;
use tenure_domain::error::FieldError;
use tenure_domain::ids::{CustomerId, OrganizationId};
use uuid::Uuid;

use crate::audit::{self, Actor};
use crate::customer::CustomerRecord;
use crate::organization::OrgSetting;
use crate::sql::{decode_cursor, encode_cursor, json, read_json, stmt};
use crate::{Store, StoreError};

pub use crate::merge::moves::{LeftBehind, MovedRow, Moves};

/// Why a merge whose records were erased under GDPR cannot be undone.
pub const ERASED_MERGE: &str = "a GDPR erasure of one of these records removed what undo needs";

/// What the caller asks: the survivor as it must be after the merge, and the versions it read.
#[derive(Debug, Clone)]
pub struct MergePlan {
    pub survivor: CustomerId,
    pub survivor_version: i64,
    /// The records merged into the survivor, with the version the caller read, in its order.
    pub merged: Vec<(CustomerId, i64)>,
    /// The survivor's values after the merge (tags included).
    pub survivor_new: NewCustomer,
    /// For history: field -> the record whose value was kept, where the records differed.
    pub fields: BTreeMap<String, Uuid>,
}

/// How many related rows a merge moved, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeCounts {
    pub contacts: u64,
    pub addresses: u64,
    pub activities: u64,
    pub goals: u64,
    pub ledger_entries: u64,
    pub flags: u64,
    pub children: u64,
    pub duplicate_pairs: u64,
    pub left_behind: u64,
}

/// What undo restores the records from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// Every involved customer before the merge, the survivor first.
    pub before: Vec<CustomerRecord>,
    /// The survivor as the merge left it.
    pub after: CustomerRecord,
}

/// A customer as merge history names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRef {
    pub id: Uuid,
    pub customer_code: String,
    pub name: String,
}

impl From<&CustomerRecord> for CustomerRef {
    fn from(record: &CustomerRecord) -> CustomerRef {
        CustomerRef {
            id: record.id.as_uuid(),
            customer_code: record.customer_code.clone(),
            name: record.name.clone(),
        }
    }
}

/// One merge, as history shows it.
#[derive(Debug, Clone)]
pub struct MergeRecord {
    pub id: Uuid,
    pub survivor: CustomerRef,
    pub merged: Vec<CustomerRef>,
    pub fields: BTreeMap<String, Uuid>,
    pub counts: MergeCounts,
    /// `applied`, `undone` or `erased`.
    pub status: String,
    pub created_by_label: String,
    pub created_at: DateTime<Utc>,
    pub undone_by_label: Option<String>,
    pub undone_at: Option<DateTime<Utc>>,
}

/// What a merge did, or (for a preview) would do.
#[derive(Debug, Clone)]
pub struct MergeOutcome {
    pub merge: MergeRecord,
    /// The survivor after the merge.
    pub survivor: CustomerRecord,
}

/// One page of merge history.
#[derive(Debug, Clone)]
pub struct MergePage {
    pub items: Vec<MergeRecord>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct MergeRow {
    id: Uuid,
    survivor_id: Uuid,
    fields: serde_json::Value,
    snapshot: serde_json::Value,
    counts: serde_json::Value,
    status: String,
    created_by_label: String,
    created_at: DateTime<Utc>,
    undone_by_label: Option<String>,
    undone_at: Option<DateTime<Utc>>,
}

const MERGE_COLUMNS: &str = "id, survivor_id, fields, snapshot, counts, status, created_by_label, created_at, undone_by_label, undone_at";

impl MergeRow {
    fn record(self) -> Result<MergeRecord, StoreError> {
        // An erased merge keeps no snapshot (see [`forget_customer`]).
        let before = read_json::<Snapshot>(self.snapshot)
            .map(|s| s.before)
            .unwrap_or_default();
        let mut refs = before.iter().map(CustomerRef::from);
        let survivor = refs.next().unwrap_or(CustomerRef {
            id: self.survivor_id,
            customer_code: String::new(),
            name: crate::erasure::ERASED.to_owned(),
        });
        Ok(MergeRecord {
            id: self.id,
            survivor,
            merged: refs.collect(),
            fields: read_json(self.fields)?,
            counts: read_json(self.counts)?,
            status: self.status,
            created_by_label: self.created_by_label,
            created_at: self.created_at,
            undone_by_label: self.undone_by_label,
            undone_at: self.undone_at,
        })
    }
}

/// A merge or its undo cannot go ahead; `reasons` say why, one per record or field.
pub(crate) fn refused(code: &'static str, reasons: Vec<FieldError>) -> StoreError {
    StoreError::Refused { code, reasons }
}

impl Store {
    /// Merges `plan.merged` into `plan.survivor` in one transaction. With `dry_run` the
    /// transaction is rolled back: the outcome is exactly what the merge would do now.
    pub async fn merge_customers(
        &self,
        org: OrganizationId,
        plan: &MergePlan,
        actor: &Actor,
        dry_run: bool,
    ) -> Result<MergeOutcome, StoreError> {
        let txn = self.begin_write().await?;
        let outcome = apply(&txn, org, plan, actor).await?;
        if dry_run {
            txn.rollback().await?;
        } else {
            txn.commit().await?;
        }
        Ok(outcome)
    }

    /// The organisation's survivorship rules as stored (`None`: the built-in defaults).
    pub async fn merge_rules(
        &self,
        org: OrganizationId,
    ) -> Result<Option<tenure_domain::merge::Rules>, StoreError> {
        self.org_setting(org, OrgSetting::MergeRules).await
    }

    /// Replaces the organisation's survivorship rules, audited.
    pub async fn set_merge_rules(
        &self,
        org: OrganizationId,
        rules: &tenure_domain::merge::Rules,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.set_org_setting(org, OrgSetting::MergeRules, rules, actor)
            .await
    }

    /// Every customer merged into `id`, directly or through a record merged into it, not yet
    /// erased (a GDPR erasure of `id` takes them too).
    pub async fn merged_into(
        &self,
        org: OrganizationId,
        id: CustomerId,
    ) -> Result<Vec<CustomerId>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            id: Uuid,
        }
        let rows = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            "WITH RECURSIVE absorbed(id, depth) AS ( \
                SELECT id, 0 FROM customers WHERE organization_id = ? AND merged_into = ? \
                UNION ALL \
                SELECT c.id, a.depth + 1 FROM customers c JOIN absorbed a ON c.merged_into = a.id \
                WHERE c.organization_id = ? AND a.depth < 32 \
            ) SELECT a.id FROM absorbed a JOIN customers c ON c.id = a.id WHERE c.erased_at IS NULL ORDER BY a.depth DESC, a.id",
            vec![org.as_uuid().into(), id.as_uuid().into(), org.as_uuid().into()],
        ))
        .all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| CustomerId::from_uuid(r.id))
            .collect())
    }

    /// One merge of the organisation.
    pub async fn merge(&self, org: OrganizationId, id: Uuid) -> Result<MergeRecord, StoreError> {
        fetch_row(&self.db, org, id).await?.record()
    }

    /// Merge history, newest first, keyset-paged; `survivor` keeps one customer's merges.
    pub async fn merges(
        &self,
        org: OrganizationId,
        survivor: Option<CustomerId>,
        cursor: Option<&str>,
        limit: u64,
    ) -> Result<MergePage, StoreError> {
        let mut sql = format!("SELECT {MERGE_COLUMNS} FROM merges WHERE organization_id = ?");
        let mut values: Vec<Value> = vec![org.as_uuid().into()];
        if let Some(survivor) = survivor {
            sql.push_str(" AND survivor_id = ?");
            values.push(survivor.as_uuid().into());
        }
        if let Some(cursor) = cursor {
            let (at, id): (DateTime<Utc>, Uuid) = decode_cursor(cursor).ok_or_else(|| {
                StoreError::Invalid(vec![FieldError::new(
                    "cursor",
                    "not a cursor of this list; start again without it",
                )])
            })?;
            sql.push_str(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            values.extend([at.into(), at.into(), id.into()]);
        }
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT {}",
            limit + 1
        ));
        let mut rows =
            MergeRow::find_by_statement(stmt(self.db.get_database_backend(), &sql, values))
                .all(&self.db)
                .await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = match (more, rows.last()) {
            (true, Some(last)) => Some(encode_cursor(&(last.created_at, last.id))),
            _ => None,
        };
        let items = rows
            .into_iter()
            .map(MergeRow::record)
            .collect::<Result<_, _>>()?;
        Ok(MergePage { items, next_cursor })
    }

    /// The survivor as it was before merge `id` and as the merge left it, for the caller to
    /// work out the values undo restores.
    pub async fn merge_snapshot(
        &self,
        org: OrganizationId,
        id: Uuid,
    ) -> Result<Snapshot, StoreError> {
        read_json(fetch_row(&self.db, org, id).await?.snapshot)
    }

    /// Undoes merge `id`: the survivor takes `survivor_restored` (checked against
    /// `survivor_version`), the merged records come back, every moved row returns.
    pub async fn undo_merge(
        &self,
        org: OrganizationId,
        id: Uuid,
        survivor_version: i64,
        survivor_restored: &NewCustomer,
        actor: &Actor,
    ) -> Result<MergeRecord, StoreError> {
        let txn = self.begin_write().await?;
        undo::undo(&txn, org, id, survivor_version, survivor_restored, actor).await?;
        let record = fetch_row(&txn, org, id).await?.record()?;
        txn.commit().await?;
        Ok(record)
    }
}

/// A GDPR erasure of `customer`: every merge it took part in loses its snapshot and log (they
/// hold the person's data) and can no longer be undone.
pub(crate) async fn forget_customer(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    customer: CustomerId,
) -> Result<u64, StoreError> {
    let empty = json(serde_json::json!({}));
    Ok(txn
        .execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE merges SET snapshot = ?, moves = ?, fields = ?, status = 'erased' WHERE organization_id = ? AND (survivor_id = ? OR CAST(merged_ids AS text) LIKE ?)",
            vec![
                empty.clone(),
                empty.clone(),
                empty,
                org.as_uuid().into(),
                customer.as_uuid().into(),
                format!("%{}%", customer.as_uuid()).into(),
            ],
        ))
        .await?
        .rows_affected())
}

async fn fetch_row(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: Uuid,
) -> Result<MergeRow, StoreError> {
    MergeRow::find_by_statement(stmt(
        db.get_database_backend(),
        &format!("SELECT {MERGE_COLUMNS} FROM merges WHERE organization_id = ? AND id = ?"),
        vec![org.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Locks every involved customer (in id order, so two merges cannot deadlock) and reads them,
/// refusing with one reason per record that is gone, merged or changed since the caller read it.
async fn lock_and_check(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    expected: &[(CustomerId, i64)],
) -> Result<Vec<CustomerRecord>, StoreError> {
    let mut order: Vec<CustomerId> = expected.iter().map(|(id, _)| *id).collect();
    order.sort_by_key(|id| id.as_uuid());
    for id in &order {
        crate::customer::lock_row(txn, org, *id).await?;
    }
    let mut records = Vec::with_capacity(expected.len());
    let mut reasons = Vec::new();
    for (id, version) in expected {
        let record = match crate::customer::fetch(txn, org, *id, true).await {
            Ok(record) => record,
            Err(StoreError::NotFound) => return Err(StoreError::NotFound),
            Err(other) => return Err(other),
        };
        let field = format!("customers.{}", record.customer_code);
        if let Some(survivor) = record.merged_into {
            reasons.push(FieldError::new(
                field,
                format!(
                    "{} was merged into another customer ({survivor}) meanwhile",
                    record.customer_code
                ),
            ));
        } else if record.deleted_at.is_some() {
            reasons.push(FieldError::new(
                field,
                format!("{} is in the bin", record.customer_code),
            ));
        } else if record.version != *version {
            reasons.push(FieldError::new(
                field,
                format!(
                    "{} was changed since it was read (version {version}, now {}); review the merge again",
                    record.customer_code, record.version
                ),
            ));
        }
        records.push(record);
    }
    if reasons.is_empty() {
        Ok(records)
    } else {
        Err(refused("merge_conflict", reasons))
    }
}

/// The merge itself, inside `txn`.
async fn apply(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    plan: &MergePlan,
    actor: &Actor,
) -> Result<MergeOutcome, StoreError> {
    let mut expected = vec![(plan.survivor, plan.survivor_version)];
    expected.extend(plan.merged.iter().copied());
    let before = lock_and_check(txn, org, &expected).await?;
    let survivor = &before[0];
    let merged_ids: Vec<Uuid> = before[1..].iter().map(|r| r.id.as_uuid()).collect();
    let now = crate::now();
    let merge_id = Uuid::now_v7();

    let mut log = moves::move_related(txn, org, survivor, &before[1..], now, actor).await?;

    // An external id the survivor takes over must leave its merged record first (one record
    // per source and id).
    if let Some(external) = &plan.survivor_new.external_id {
        let source = plan.survivor_new.source.as_ref().map(|s| s.as_str());
        for record in &before[1..] {
            if record.external_id.as_deref() == Some(external.as_str())
                && record.source.as_deref() == source
            {
                txn.execute_raw(stmt(
                    txn.get_database_backend(),
                    "UPDATE customers SET external_id = NULL WHERE organization_id = ? AND id = ?",
                    vec![org.as_uuid().into(), record.id.as_uuid().into()],
                ))
                .await?;
                log.cleared_external_ids.push(record.id.as_uuid());
            }
        }
    }
    for record in &before[1..] {
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE customers SET deleted_at = ?, merged_into = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE organization_id = ? AND id = ?",
            vec![
                now.into(),
                survivor.id.as_uuid().into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                org.as_uuid().into(),
                record.id.as_uuid().into(),
            ],
        ))
        .await?;
        audit::record(
            txn,
            org,
            actor,
            "customer.merged",
            "customer",
            Some(record.id.as_uuid()),
            serde_json::json!({"merge_id": merge_id, "merged_into": survivor.id.as_uuid()}),
        )
        .await?;
    }
    crate::duplicate::refresh_match_keys(txn, org, &merged_ids).await?;

    let timeline_from = crate::now();
    let updated =
        crate::customer::update_in_with(txn, survivor, &plan.survivor_new, actor, true).await?;
    log.created_activities
        .extend(moves::system_activities_since(txn, org, survivor.id, timeline_from).await?);
    log.last_activity_before = survivor.last_activity_at;
    let latest = before.iter().filter_map(|r| r.last_activity_at).max();
    if latest != updated.last_activity_at {
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE customers SET last_activity_at = ? WHERE organization_id = ? AND id = ?",
            vec![
                latest.into(),
                org.as_uuid().into(),
                survivor.id.as_uuid().into(),
            ],
        ))
        .await?;
    }

    let codes: Vec<&str> = before[1..]
        .iter()
        .map(|r| r.customer_code.as_str())
        .collect();
    let mut activity = tenure_domain::activity::NewActivity::system(
        tenure_domain::activity::ActivityType::Merge,
        tenure_domain::activity::subject(&format!(
            "Merged {} into this customer",
            codes.join(", ")
        )),
        now,
    );
    activity
        .metadata
        .insert("merge_id".to_owned(), merge_id.to_string().into());
    activity.metadata.insert(
        "merged".to_owned(),
        serde_json::Value::from(codes.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
    );
    let activity_id =
        crate::activity::insert_activity(txn, org, survivor.id, &activity, actor).await?;
    log.created_activities.push(activity_id);

    let after = crate::customer::fetch(txn, org, survivor.id, false).await?;
    log.last_activity_after = after.last_activity_at;
    let counts = log.counts();
    let snapshot = Snapshot {
        before: before.clone(),
        after: after.clone(),
    };
    let to_json = |value: serde_json::Result<serde_json::Value>| {
        value
            .map(json)
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(format!("merge log: {e}"))))
    };
    txn.execute_raw(stmt(
        txn.get_database_backend(),
        "INSERT INTO merges (id, organization_id, survivor_id, merged_ids, fields, snapshot, moves, counts, status, created_by, created_by_label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?, ?, ?)",
        vec![
            merge_id.into(),
            org.as_uuid().into(),
            survivor.id.as_uuid().into(),
            to_json(serde_json::to_value(&merged_ids))?,
            to_json(serde_json::to_value(&plan.fields))?,
            to_json(serde_json::to_value(&snapshot))?,
            to_json(serde_json::to_value(&log))?,
            to_json(serde_json::to_value(&counts))?,
            actor.user_id.map(|u| u.as_uuid()).into(),
            actor.label.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    audit::record(
        txn,
        org,
        actor,
        "merge.applied",
        "customer",
        Some(survivor.id.as_uuid()),
        serde_json::json!({
            "merge_id": merge_id,
            "merged": merged_ids,
            "fields": plan.fields,
            "moved": counts,
        }),
    )
    .await?;
    let merge = MergeRecord {
        id: merge_id,
        survivor: CustomerRef::from(survivor),
        merged: before[1..].iter().map(CustomerRef::from).collect(),
        fields: plan.fields.clone(),
        counts,
        status: "applied".to_owned(),
        created_by_label: actor.label.clone(),
        created_at: now,
        undone_by_label: None,
        undone_at: None,
    };
    Ok(MergeOutcome {
        merge,
        survivor: after,
    })
}
