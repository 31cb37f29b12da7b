//! The related rows a merge moves to the survivor, and the log that lets undo move them back.
//!
//! Rules:
//! - Contacts, addresses, activities, goals, ledger entries and flags move, deleted ones too
//!   (they are part of the record's history).
//! - A moved primary contact (or primary address of a kind) stays primary only if the survivor
//!   has none yet; otherwise it becomes an ordinary one (`primary_cleared`, undone exactly).
//! - A live contact whose email the survivor already has, and an active flag the survivor
//!   already carries, stay with the merged record (`left_behind`): the survivor has their equal.
//! - Children of a merged record are re-parented to the survivor.
//! - Duplicate pairs among the merged records become `merged`; an open pair between a merged
//!   record and an outsider is re-pointed at the survivor unless the survivor already has one
//!   with that outsider; other pairs of merged records are removed. Each touched pair is logged
//!   whole so undo puts it back as it was.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use serde::{Deserialize, Serialize};
use tenure_domain::ids::{CustomerId, OrganizationId};
use uuid::Uuid;

use crate::StoreError;
use crate::audit::Actor;
use crate::customer::CustomerRecord;
use crate::merge::MergeCounts;
use crate::sql::{json, stmt};

/// The tables whose rows move; the names are written into SQL, so only these are accepted.
pub(crate) const MOVABLE: &[&str] = &[
    "contacts",
    "addresses",
    "activities",
    "goals",
    "ledger_entries",
    "customer_flags",
];

/// One row moved from a merged record to the survivor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedRow {
    pub table: String,
    pub id: Uuid,
    /// The customer it belonged to (for a child: its parent).
    pub from: Uuid,
    /// It was primary and stopped being so because the survivor had a primary.
    #[serde(default)]
    pub primary_cleared: bool,
}

/// A row that stayed with its merged record, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftBehind {
    pub table: String,
    pub id: Uuid,
    pub customer: Uuid,
    pub reason: String,
}

/// A duplicate pair as stored, logged whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromQueryResult)]
pub struct PairRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub left_id: Uuid,
    pub right_id: Uuid,
    pub score: f64,
    pub evidence: serde_json::Value,
    pub signature: String,
    pub status: String,
    pub scan_id: Option<Uuid>,
    pub reviewed_by_label: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const PAIR_COLUMNS: &str = "id, organization_id, left_id, right_id, score, evidence, signature, status, scan_id, reviewed_by_label, reviewed_at, created_at, updated_at";

/// Everything a merge did besides rewriting the records themselves.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Moves {
    pub rows: Vec<MovedRow>,
    pub children: Vec<MovedRow>,
    pub left_behind: Vec<LeftBehind>,
    /// Every pair the merge touched, as it was.
    pub pairs: Vec<PairRow>,
    /// Of those, the ones re-pointed at the survivor (counted as moved).
    pub repointed_pairs: Vec<Uuid>,
    /// Merged records whose external id the survivor took over.
    pub cleared_external_ids: Vec<Uuid>,
    /// Timeline entries the merge wrote on the survivor (the merge itself, status changes).
    pub created_activities: Vec<Uuid>,
    pub last_activity_before: Option<DateTime<Utc>>,
    pub last_activity_after: Option<DateTime<Utc>>,
}

impl Moves {
    pub fn counts(&self) -> MergeCounts {
        let of = |table: &str| self.rows.iter().filter(|r| r.table == table).count() as u64;
        MergeCounts {
            contacts: of("contacts"),
            addresses: of("addresses"),
            activities: of("activities"),
            goals: of("goals"),
            ledger_entries: of("ledger_entries"),
            flags: of("customer_flags"),
            children: self.children.len() as u64,
            duplicate_pairs: self.repointed_pairs.len() as u64,
            left_behind: self.left_behind.len() as u64,
        }
    }
}

#[derive(FromQueryResult)]
struct ContactRow {
    id: Uuid,
    email: Option<String>,
    is_primary: bool,
    deleted_at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct AddressRow {
    id: Uuid,
    kind: String,
    is_primary: bool,
    deleted_at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct FlagRow {
    id: Uuid,
    flag: String,
    removed_at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct IdRow {
    id: Uuid,
}

async fn ids_of(
    txn: &DatabaseTransaction,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(
        IdRow::find_by_statement(stmt(txn.get_database_backend(), sql, values))
            .all(txn)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    )
}

/// Points one row at another customer, optionally clearing its primary mark.
pub(crate) async fn repoint(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    table: &str,
    id: Uuid,
    to: Uuid,
    primary: Option<bool>,
) -> Result<u64, StoreError> {
    debug_assert!(MOVABLE.contains(&table));
    let (sql, mut values): (String, Vec<Value>) = match primary {
        Some(primary) => (
            format!(
                "UPDATE {table} SET customer_id = ?, is_primary = ? WHERE organization_id = ? AND id = ?"
            ),
            vec![to.into(), primary.into()],
        ),
        None => (
            format!("UPDATE {table} SET customer_id = ? WHERE organization_id = ? AND id = ?"),
            vec![to.into()],
        ),
    };
    values.extend([org.as_uuid().into(), id.into()]);
    Ok(txn
        .execute_raw(stmt(txn.get_database_backend(), &sql, values))
        .await?
        .rows_affected())
}

/// Moves every related row of `merged` to `survivor` and logs it.
pub(crate) async fn move_related(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    survivor: &CustomerRecord,
    merged: &[CustomerRecord],
    now: DateTime<Utc>,
    actor: &Actor,
) -> Result<Moves, StoreError> {
    let backend = txn.get_database_backend();
    let s = survivor.id.as_uuid();
    let o = org.as_uuid();
    let mut log = Moves::default();

    let live_contacts = ContactRow::find_by_statement(stmt(
        backend,
        "SELECT id, email, is_primary, deleted_at FROM contacts WHERE organization_id = ? AND customer_id = ? AND deleted_at IS NULL",
        vec![o.into(), s.into()],
    ))
    .all(txn)
    .await?;
    let mut emails: HashSet<String> = live_contacts
        .iter()
        .filter_map(|c| c.email.clone())
        .collect();
    let mut has_primary_contact = live_contacts.iter().any(|c| c.is_primary);
    let live_addresses = AddressRow::find_by_statement(stmt(
        backend,
        "SELECT id, kind, is_primary, deleted_at FROM addresses WHERE organization_id = ? AND customer_id = ? AND deleted_at IS NULL",
        vec![o.into(), s.into()],
    ))
    .all(txn)
    .await?;
    let mut primary_kinds: HashSet<String> = live_addresses
        .iter()
        .filter(|a| a.is_primary)
        .map(|a| a.kind.clone())
        .collect();
    let mut active_flags: HashSet<String> = FlagRow::find_by_statement(stmt(
        backend,
        "SELECT id, flag, removed_at FROM customer_flags WHERE organization_id = ? AND customer_id = ? AND removed_at IS NULL",
        vec![o.into(), s.into()],
    ))
    .all(txn)
    .await?
    .into_iter()
    .map(|f| f.flag)
    .collect();

    for record in merged {
        let x = record.id.as_uuid();
        let contacts = ContactRow::find_by_statement(stmt(
            backend,
            "SELECT id, email, is_primary, deleted_at FROM contacts WHERE organization_id = ? AND customer_id = ? ORDER BY is_primary DESC, created_at, id",
            vec![o.into(), x.into()],
        ))
        .all(txn)
        .await?;
        for contact in contacts {
            let live = contact.deleted_at.is_none();
            if live && let Some(email) = &contact.email {
                if emails.contains(email) {
                    log.left_behind.push(LeftBehind {
                        table: "contacts".into(),
                        id: contact.id,
                        customer: x,
                        reason: format!("the survivor already has a contact with {email}"),
                    });
                    continue;
                }
                emails.insert(email.clone());
            }
            let clear = live && contact.is_primary && has_primary_contact;
            if live && contact.is_primary {
                has_primary_contact = true;
            }
            repoint(txn, org, "contacts", contact.id, s, clear.then_some(false)).await?;
            log.rows.push(MovedRow {
                table: "contacts".into(),
                id: contact.id,
                from: x,
                primary_cleared: clear,
            });
        }

        let addresses = AddressRow::find_by_statement(stmt(
            backend,
            "SELECT id, kind, is_primary, deleted_at FROM addresses WHERE organization_id = ? AND customer_id = ? ORDER BY is_primary DESC, created_at, id",
            vec![o.into(), x.into()],
        ))
        .all(txn)
        .await?;
        for address in addresses {
            let live = address.deleted_at.is_none();
            let clear = live && address.is_primary && primary_kinds.contains(&address.kind);
            if live && address.is_primary {
                primary_kinds.insert(address.kind.clone());
            }
            repoint(txn, org, "addresses", address.id, s, clear.then_some(false)).await?;
            log.rows.push(MovedRow {
                table: "addresses".into(),
                id: address.id,
                from: x,
                primary_cleared: clear,
            });
        }

        let flags = FlagRow::find_by_statement(stmt(
            backend,
            "SELECT id, flag, removed_at FROM customer_flags WHERE organization_id = ? AND customer_id = ? ORDER BY created_at, id",
            vec![o.into(), x.into()],
        ))
        .all(txn)
        .await?;
        for flag in flags {
            if flag.removed_at.is_none() {
                if active_flags.contains(&flag.flag) {
                    log.left_behind.push(LeftBehind {
                        table: "customer_flags".into(),
                        id: flag.id,
                        customer: x,
                        reason: format!("the survivor already carries the flag {}", flag.flag),
                    });
                    continue;
                }
                active_flags.insert(flag.flag.clone());
            }
            repoint(txn, org, "customer_flags", flag.id, s, None).await?;
            log.rows.push(MovedRow {
                table: "customer_flags".into(),
                id: flag.id,
                from: x,
                primary_cleared: false,
            });
        }

        for table in ["activities", "goals", "ledger_entries"] {
            let ids = ids_of(
                txn,
                &format!("SELECT id FROM {table} WHERE organization_id = ? AND customer_id = ? ORDER BY id"),
                vec![o.into(), x.into()],
            )
            .await?;
            if ids.is_empty() {
                continue;
            }
            txn.execute_raw(stmt(
                backend,
                &format!("UPDATE {table} SET customer_id = ? WHERE organization_id = ? AND customer_id = ?"),
                vec![s.into(), o.into(), x.into()],
            ))
            .await?;
            log.rows.extend(ids.into_iter().map(|id| MovedRow {
                table: table.into(),
                id,
                from: x,
                primary_cleared: false,
            }));
        }
    }

    let set: BTreeSet<Uuid> = std::iter::once(s)
        .chain(merged.iter().map(|r| r.id.as_uuid()))
        .collect();
    for record in merged {
        let x = record.id.as_uuid();
        let children = ids_of(
            txn,
            "SELECT id FROM customers WHERE organization_id = ? AND parent_id = ? ORDER BY id",
            vec![o.into(), x.into()],
        )
        .await?;
        for child in children.into_iter().filter(|c| !set.contains(c)) {
            txn.execute_raw(stmt(
                backend,
                "UPDATE customers SET parent_id = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE organization_id = ? AND id = ?",
                vec![
                    s.into(),
                    now.into(),
                    actor.user_id.map(|u| u.as_uuid()).into(),
                    o.into(),
                    child.into(),
                ],
            ))
            .await?;
            log.children.push(MovedRow {
                table: "customers".into(),
                id: child,
                from: x,
                primary_cleared: false,
            });
        }
    }

    move_pairs(txn, org, s, &set, now, actor, &mut log).await?;
    Ok(log)
}

/// Pairs of the merged records: settled among themselves, re-pointed or removed otherwise.
async fn move_pairs(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    survivor: Uuid,
    set: &BTreeSet<Uuid>,
    now: DateTime<Utc>,
    actor: &Actor,
    log: &mut Moves,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    let merged: Vec<Uuid> = set.iter().copied().filter(|id| *id != survivor).collect();
    let marks = vec!["?"; merged.len()].join(", ");
    let mut values: Vec<Value> = vec![org.as_uuid().into()];
    values.extend(merged.iter().map(|id| Value::from(*id)));
    values.extend(merged.iter().map(|id| Value::from(*id)));
    let pairs = PairRow::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT {PAIR_COLUMNS} FROM duplicate_pairs WHERE organization_id = ? AND (left_id IN ({marks}) OR right_id IN ({marks})) ORDER BY id"
        ),
        values,
    ))
    .all(txn)
    .await?;
    let mut survivor_with: HashSet<Uuid> = ids_of(
        txn,
        "SELECT CASE WHEN left_id = ? THEN right_id ELSE left_id END AS id FROM duplicate_pairs WHERE organization_id = ? AND (left_id = ? OR right_id = ?)",
        vec![survivor.into(), org.as_uuid().into(), survivor.into(), survivor.into()],
    )
    .await?
    .into_iter()
    .collect();
    for pair in pairs {
        let inside = set.contains(&pair.left_id) && set.contains(&pair.right_id);
        if inside {
            txn.execute_raw(stmt(
                backend,
                "UPDATE duplicate_pairs SET status = 'merged', reviewed_by_label = ?, reviewed_at = ?, updated_at = ? WHERE id = ?",
                vec![actor.label.clone().into(), now.into(), now.into(), pair.id.into()],
            ))
            .await?;
        } else {
            let outsider = if set.contains(&pair.left_id) {
                pair.right_id
            } else {
                pair.left_id
            };
            if pair.status == "open" && !survivor_with.contains(&outsider) {
                let (left, right) = if survivor < outsider {
                    (survivor, outsider)
                } else {
                    (outsider, survivor)
                };
                txn.execute_raw(stmt(
                    backend,
                    "UPDATE duplicate_pairs SET left_id = ?, right_id = ?, updated_at = ? WHERE id = ?",
                    vec![left.into(), right.into(), now.into(), pair.id.into()],
                ))
                .await?;
                survivor_with.insert(outsider);
                log.repointed_pairs.push(pair.id);
            } else {
                txn.execute_raw(stmt(
                    backend,
                    "DELETE FROM duplicate_pairs WHERE id = ?",
                    vec![pair.id.into()],
                ))
                .await?;
            }
        }
        log.pairs.push(pair);
    }
    Ok(())
}

/// Puts logged pairs back exactly as they were (whatever became of them since).
pub(crate) async fn restore_pairs(
    txn: &DatabaseTransaction,
    pairs: &[PairRow],
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    for pair in pairs {
        txn.execute_raw(stmt(
            backend,
            "DELETE FROM duplicate_pairs WHERE id = ? OR (organization_id = ? AND left_id = ? AND right_id = ?)",
            vec![
                pair.id.into(),
                pair.organization_id.into(),
                pair.left_id.into(),
                pair.right_id.into(),
            ],
        ))
        .await?;
        txn.execute_raw(stmt(
            backend,
            &format!("INSERT INTO duplicate_pairs ({PAIR_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            vec![
                pair.id.into(),
                pair.organization_id.into(),
                pair.left_id.into(),
                pair.right_id.into(),
                pair.score.into(),
                json(crate::sql::read_json::<serde_json::Value>(pair.evidence.clone())?),
                pair.signature.clone().into(),
                pair.status.clone().into(),
                pair.scan_id.into(),
                pair.reviewed_by_label.clone().into(),
                pair.reviewed_at.into(),
                pair.created_at.into(),
                pair.updated_at.into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// System entries (status and tier changes) written on the customer's timeline since `from`.
pub(crate) async fn system_activities_since(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    customer: CustomerId,
    from: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    ids_of(
        txn,
        "SELECT id FROM activities WHERE organization_id = ? AND customer_id = ? AND created_at >= ? AND activity_type IN ('status_change', 'tier_change') ORDER BY id",
        vec![org.as_uuid().into(), customer.as_uuid().into(), from.into()],
    )
    .await
}
