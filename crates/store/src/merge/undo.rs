//! Undoing a merge: check that nothing the undo would overwrite changed since, then replay the
//! merge's log backwards in the caller's transaction.
//!
//! What blocks an undo (each reported with its own reason):
//! - a merged record restored, erased or merged elsewhere since;
//! - a moved row that no longer belongs to the survivor (moved again, or erased);
//! - a child re-parented since;
//! - the survivor changed since in a field the merge set (checked by the caller, which passes
//!   the survivor's restored values; here the survivor's version must be the one it read).
//!
//! What does not: edits to the survivor's other fields, and rows added to it after the merge;
//! they stay.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use tenure_domain::customer::NewCustomer;
use tenure_domain::error::FieldError;
use tenure_domain::ids::{CustomerId, OrganizationId};
use uuid::Uuid;

use crate::StoreError;
use crate::audit::{self, Actor};
use crate::customer::CustomerRecord;
use crate::merge::moves::{self, MOVABLE, Moves};
use crate::merge::{Snapshot, refused};
use crate::sql::read_json;
use crate::sql::stmt;

/// At most this many reasons are listed; the last one says how many more there were.
const MAX_REASONS: usize = 20;

#[derive(FromQueryResult)]
struct LogRow {
    survivor_id: Uuid,
    status: String,
    snapshot: serde_json::Value,
    moves: serde_json::Value,
}

#[derive(FromQueryResult)]
struct Owner {
    id: Uuid,
    owner: Option<Uuid>,
}

pub(crate) async fn undo(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: Uuid,
    survivor_version: i64,
    restored: &NewCustomer,
    actor: &Actor,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    let lock = if backend == sea_orm::DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let row = LogRow::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT survivor_id, status, snapshot, moves FROM merges WHERE organization_id = ? AND id = ?{lock}"
        ),
        vec![org.as_uuid().into(), id.into()],
    ))
    .one(txn)
    .await?
    .ok_or(StoreError::NotFound)?;
    match row.status.as_str() {
        "applied" => {}
        "undone" => {
            return Err(StoreError::Conflict {
                constraint: "merge_undone".to_owned(),
            });
        }
        _ => {
            return Err(refused(
                "undo_conflict",
                vec![FieldError::new("merge", crate::merge::ERASED_MERGE)],
            ));
        }
    }
    let snapshot: Snapshot = read_json(row.snapshot)?;
    let log: Moves = read_json(row.moves)?;
    let survivor = CustomerId::from_uuid(row.survivor_id);

    let mut ids: Vec<CustomerId> = snapshot.before.iter().map(|r| r.id).collect();
    ids.sort_by_key(|id| id.as_uuid());
    for id in &ids {
        crate::customer::lock_row(txn, org, *id).await?;
    }
    let mut reasons = Vec::new();
    let current = crate::customer::fetch(txn, org, survivor, true).await?;
    if current.deleted_at.is_some() {
        reasons.push(FieldError::new(
            format!("customers.{}", current.customer_code),
            format!(
                "the survivor {} is in the bin or was merged since; restore it first",
                current.customer_code
            ),
        ));
    } else if current.version != survivor_version {
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    for before in &snapshot.before[1..] {
        let now = crate::customer::fetch(txn, org, before.id, true).await?;
        if now.merged_into != Some(survivor) || now.deleted_at.is_none() {
            reasons.push(FieldError::new(
                format!("customers.{}", before.customer_code),
                format!(
                    "{} was restored or merged elsewhere since this merge",
                    before.customer_code
                ),
            ));
        } else if crate::customer::is_erased(txn, org, before.id).await? {
            reasons.push(FieldError::new(
                format!("customers.{}", before.customer_code),
                format!(
                    "{} was erased under GDPR since this merge",
                    before.customer_code
                ),
            ));
        }
    }
    check_rows(txn, org, &log, survivor, &mut reasons).await?;
    if !reasons.is_empty() {
        if reasons.len() > MAX_REASONS {
            let more = reasons.len() - MAX_REASONS + 1;
            reasons.truncate(MAX_REASONS - 1);
            reasons.push(FieldError::new("merge", format!("and {more} more")));
        }
        return Err(refused("undo_conflict", reasons));
    }

    // The merged records come back first, so a survivor whose parent was one of them can point
    // at it again; their external ids only after the survivor has given them back.
    let now = crate::now();
    for before in &snapshot.before[1..] {
        bring_back(txn, org, before, now, actor).await?;
        audit::record(
            txn,
            org,
            actor,
            "customer.unmerged",
            "customer",
            Some(before.id.as_uuid()),
            serde_json::json!({"merge_id": id}),
        )
        .await?;
    }
    crate::customer::update_in_with(txn, &current, restored, actor, false).await?;
    for merged in &log.cleared_external_ids {
        if let Some(before) = snapshot.before.iter().find(|r| r.id.as_uuid() == *merged) {
            txn.execute_raw(stmt(
                backend,
                "UPDATE customers SET external_id = ? WHERE organization_id = ? AND id = ?",
                vec![
                    before.external_id.clone().into(),
                    org.as_uuid().into(),
                    (*merged).into(),
                ],
            ))
            .await?;
        }
    }
    if current.last_activity_at == log.last_activity_after {
        txn.execute_raw(stmt(
            backend,
            "UPDATE customers SET last_activity_at = ? WHERE organization_id = ? AND id = ?",
            vec![
                log.last_activity_before.into(),
                org.as_uuid().into(),
                survivor.as_uuid().into(),
            ],
        ))
        .await?;
    }
    for moved in log.rows.iter().rev() {
        if !MOVABLE.contains(&moved.table.as_str()) {
            continue;
        }
        let primary = moved.primary_cleared.then_some(true);
        moves::repoint(txn, org, &moved.table, moved.id, moved.from, primary).await?;
    }
    for child in &log.children {
        txn.execute_raw(stmt(
            backend,
            "UPDATE customers SET parent_id = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE organization_id = ? AND id = ?",
            vec![
                child.from.into(),
                now.into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                org.as_uuid().into(),
                child.id.into(),
            ],
        ))
        .await?;
    }
    moves::restore_pairs(txn, &log.pairs).await?;
    for activity in &log.created_activities {
        txn.execute_raw(stmt(
            backend,
            "UPDATE activities SET deleted_at = ? WHERE organization_id = ? AND id = ? AND deleted_at IS NULL",
            vec![now.into(), org.as_uuid().into(), (*activity).into()],
        ))
        .await?;
    }
    let all: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
    crate::duplicate::refresh_match_keys(txn, org, &all).await?;
    txn.execute_raw(stmt(
        backend,
        "UPDATE merges SET status = 'undone', undone_by_label = ?, undone_at = ? WHERE organization_id = ? AND id = ?",
        vec![actor.label.clone().into(), now.into(), org.as_uuid().into(), id.into()],
    ))
    .await?;
    audit::record(
        txn,
        org,
        actor,
        "merge.undone",
        "customer",
        Some(survivor.as_uuid()),
        serde_json::json!({"merge_id": id}),
    )
    .await?;
    Ok(())
}

/// Every moved row must still be the survivor's, every re-parented child still its child.
async fn check_rows(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    log: &Moves,
    survivor: CustomerId,
    reasons: &mut Vec<FieldError>,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    let s = survivor.as_uuid();
    let mut by_table: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for moved in &log.rows {
        by_table
            .entry(moved.table.as_str())
            .or_default()
            .push(moved.id);
    }
    for (table, ids) in by_table {
        if !MOVABLE.contains(&table) {
            continue;
        }
        let mut owners: HashMap<Uuid, Option<Uuid>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut values: Vec<Value> = vec![org.as_uuid().into()];
            values.extend(chunk.iter().map(|id| Value::from(*id)));
            let rows = Owner::find_by_statement(stmt(
                backend,
                &format!("SELECT id, customer_id AS owner FROM {table} WHERE organization_id = ? AND id IN ({marks})"),
                values,
            ))
            .all(txn)
            .await?;
            owners.extend(rows.into_iter().map(|r| (r.id, r.owner)));
        }
        let singular = table
            .trim_end_matches('s')
            .replace("customer_", "")
            .replace("entrie", "entry");
        for id in ids {
            if owners.get(&id).copied().flatten() != Some(s) {
                reasons.push(FieldError::new(
                    format!("{table}.{id}"),
                    format!(
                        "the {} {id} no longer belongs to the survivor",
                        singular.replace('_', " ")
                    ),
                ));
            }
        }
    }
    for child in &log.children {
        let row = Owner::find_by_statement(stmt(
            backend,
            "SELECT id, parent_id AS owner FROM customers WHERE organization_id = ? AND id = ?",
            vec![org.as_uuid().into(), child.id.into()],
        ))
        .one(txn)
        .await?;
        if row.and_then(|r| r.owner) != Some(s) {
            reasons.push(FieldError::new(
                format!("customers.{}", child.id),
                format!(
                    "the child customer {} was moved in the hierarchy since",
                    child.id
                ),
            ));
        }
    }
    Ok(())
}

/// Brings a merged record back to life where it was (its external id is the caller's).
async fn bring_back(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    before: &CustomerRecord,
    now: chrono::DateTime<chrono::Utc>,
    actor: &Actor,
) -> Result<(), StoreError> {
    txn.execute_raw(stmt(
        txn.get_database_backend(),
        "UPDATE customers SET deleted_at = ?, merged_into = NULL, version = version + 1, updated_at = ?, updated_by = ? WHERE organization_id = ? AND id = ?",
        vec![
            before.deleted_at.into(),
            now.into(),
            actor.user_id.map(|u| u.as_uuid()).into(),
            org.as_uuid().into(),
            before.id.as_uuid().into(),
        ],
    ))
    .await?;
    Ok(())
}
