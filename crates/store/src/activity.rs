//! The activity timeline: engagements people log and entries the system writes, read newest
//! first by keyset over `(occurred_at, id)`. Writing an engagement moves the customer's
//! `last_activity_at` forward (without bumping its version: it is derived, not edited). This
//! module must not interpret HTTP or permissions.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use serde::{Deserialize, Serialize};
use tenure_domain::activity::{ActivityType, NewActivity};
use tenure_domain::error::FieldError;
use tenure_domain::ids::{ActivityId, CustomerId, OrganizationId};
use uuid::Uuid;

use crate::customer::lock_live_customer;
use crate::sql::{Clause, insert, json, stmt, update_versioned};
use crate::{Actor, Store, StoreError, audit};

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct ActivityRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub activity_type: String,
    pub subject: String,
    pub body: Option<String>,
    pub direction: Option<String>,
    pub outcome: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i32>,
    pub attendees: serde_json::Value,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub contact_id: Option<Uuid>,
    pub related_type: Option<String>,
    pub related_ref: Option<String>,
    pub metadata: serde_json::Value,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: String,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const COLUMNS: &str = "id, customer_id, activity_type, subject, body, direction, outcome, \
    occurred_at, scheduled_at, completed_at, duration_minutes, attendees, amount_minor, currency, \
    contact_id, related_type, related_ref, metadata, actor_user_id, actor_label, version, \
    deleted_at, created_at, updated_at";

/// Which part of the timeline to read.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    pub types: Vec<ActivityType>,
    pub outcomes: Vec<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineCursor {
    #[serde(rename = "t")]
    occurred_at: DateTime<Utc>,
    #[serde(rename = "i")]
    id: Uuid,
}

impl TimelineCursor {
    pub fn encode(&self) -> String {
        crate::sql::encode_cursor(self)
    }

    pub fn decode(text: &str) -> Result<TimelineCursor, StoreError> {
        crate::sql::decode_cursor(text).ok_or_else(|| {
            StoreError::Invalid(vec![FieldError::new(
                "cursor",
                "invalid cursor: pass back the next_cursor of the previous page unchanged",
            )])
        })
    }
}

/// One page of the timeline.
#[derive(Debug, Clone)]
pub struct TimelinePage {
    pub items: Vec<ActivityRecord>,
    pub next_cursor: Option<TimelineCursor>,
}

fn activity_values(new: &NewActivity) -> Vec<(&'static str, Value)> {
    let attendees: Vec<&str> = new.attendees.iter().map(|a| a.as_str()).collect();
    vec![
        ("activity_type", new.activity_type.as_str().into()),
        ("subject", new.subject.as_str().into()),
        (
            "body",
            new.body.as_ref().map(|b| b.as_str().to_owned()).into(),
        ),
        (
            "direction",
            new.direction.map(|d| d.as_str().to_owned()).into(),
        ),
        ("outcome", new.outcome.map(|o| o.as_str().to_owned()).into()),
        ("occurred_at", new.occurred_at.into()),
        ("scheduled_at", new.scheduled_at.into()),
        ("completed_at", new.completed_at.into()),
        (
            "duration_minutes",
            new.duration_minutes
                .map(|d| i32::try_from(d).unwrap_or(i32::MAX))
                .into(),
        ),
        ("attendees", json(serde_json::json!(attendees))),
        ("amount_minor", new.amount.map(|(m, _)| m.minor()).into()),
        (
            "currency",
            new.amount
                .as_ref()
                .map(|(_, c)| c.as_str().to_owned())
                .into(),
        ),
        ("contact_id", new.contact_id.map(|c| c.as_uuid()).into()),
        ("related_type", new.related_type.clone().into()),
        ("related_ref", new.related_ref.clone().into()),
        (
            "metadata",
            json(serde_json::Value::Object(new.metadata.clone())),
        ),
    ]
}

/// Appends an activity inside the caller's transaction (the customer must already be locked or
/// known live). Engagements move `last_activity_at` forward.
pub(crate) async fn insert_activity(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    customer: CustomerId,
    new: &NewActivity,
    actor: &Actor,
) -> Result<Uuid, StoreError> {
    let id = ActivityId::new().as_uuid();
    let now = crate::now();
    let mut columns = activity_values(new);
    columns.extend([
        ("id", id.into()),
        ("organization_id", org.as_uuid().into()),
        ("customer_id", customer.as_uuid().into()),
        ("actor_user_id", actor.user_id.map(|u| u.as_uuid()).into()),
        ("actor_label", actor.label.clone().into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    insert(txn, "activities", columns).await?;
    if new.activity_type.is_engagement() {
        touch_last_activity(txn, org, customer, new.occurred_at).await?;
    }
    Ok(id)
}

/// `last_activity_at = max(last_activity_at, at)`, never in the future.
async fn touch_last_activity(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    customer: CustomerId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = at.min(crate::now());
    txn.execute_raw(stmt(
        txn.get_database_backend(),
        "UPDATE customers SET last_activity_at = ? WHERE id = ? AND organization_id = ? AND (last_activity_at IS NULL OR last_activity_at < ?)",
        vec![
            at.into(),
            customer.as_uuid().into(),
            org.as_uuid().into(),
            at.into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn fetch(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    customer: CustomerId,
    id: Uuid,
) -> Result<ActivityRecord, StoreError> {
    ActivityRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!(
            "SELECT {COLUMNS} FROM activities WHERE organization_id = ? AND customer_id = ? AND id = ? AND deleted_at IS NULL"
        ),
        vec![org.as_uuid().into(), customer.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}

fn system_entry() -> StoreError {
    StoreError::Invalid(vec![FieldError::new(
        "type",
        "this entry was written by the system and cannot be changed; log a note instead",
    )])
}

impl Store {
    /// A page of the customer's timeline, newest first.
    pub async fn timeline(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        filter: &TimelineFilter,
        after: Option<&TimelineCursor>,
        limit: u32,
    ) -> Result<TimelinePage, StoreError> {
        self.customer(org, customer, false).await?;
        let mut clause = Clause::default();
        clause.push(
            "organization_id = ? AND customer_id = ? AND deleted_at IS NULL",
            [org.as_uuid().into(), customer.as_uuid().into()],
        );
        if !filter.types.is_empty() {
            let marks = vec!["?"; filter.types.len()].join(", ");
            clause.push(
                format!("activity_type IN ({marks})"),
                filter.types.iter().map(|t| Value::from(t.as_str())),
            );
        }
        if !filter.outcomes.is_empty() {
            let marks = vec!["?"; filter.outcomes.len()].join(", ");
            clause.push(
                format!("outcome IN ({marks})"),
                filter.outcomes.iter().map(|o| Value::from(o.clone())),
            );
        }
        if let Some(from) = filter.from {
            clause.push("occurred_at >= ?", [from.into()]);
        }
        if let Some(to) = filter.to {
            clause.push("occurred_at < ?", [to.into()]);
        }
        if let Some(cursor) = after {
            // The first bound lets the index range start at the cursor; the second breaks ties.
            clause.push(
                "occurred_at <= ? AND (occurred_at < ? OR id < ?)",
                [
                    cursor.occurred_at.into(),
                    cursor.occurred_at.into(),
                    cursor.id.into(),
                ],
            );
        }
        let limit = limit.clamp(1, 200);
        let sql = format!(
            "SELECT {COLUMNS} FROM activities WHERE {} ORDER BY occurred_at DESC, id DESC LIMIT {}",
            clause.joined(),
            limit + 1
        );
        let mut items = ActivityRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &sql,
            clause.values,
        ))
        .all(&self.db)
        .await?;
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next_cursor = if more {
            items.last().map(|last| TimelineCursor {
                occurred_at: last.occurred_at,
                id: last.id,
            })
        } else {
            None
        };
        Ok(TimelinePage { items, next_cursor })
    }

    pub async fn activity(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: ActivityId,
    ) -> Result<ActivityRecord, StoreError> {
        fetch(&self.db, org, customer, id.as_uuid()).await
    }

    /// Logs an engagement (or, for the system's own callers, any type).
    pub async fn create_activity(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        new: &NewActivity,
        actor: &Actor,
    ) -> Result<ActivityRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let id = insert_activity(&txn, org, customer, new, actor).await?;
        let created = fetch(&txn, org, customer, id).await?;
        audit::record(
            &txn,
            org,
            actor,
            "activity.created",
            "activity",
            Some(id),
            audit::diff_of(None, Some(&created)),
        )
        .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Appends many activities of one customer in one transaction (imports and sync jobs), with
    /// one audit entry for the batch. Returns how many were written.
    pub async fn import_activities(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        items: &[NewActivity],
        actor: &Actor,
    ) -> Result<u64, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let now = crate::now();
        let mut latest: Option<DateTime<Utc>> = None;
        let mut names: Vec<&str> = Vec::new();
        let rows: Vec<Vec<Value>> = items
            .iter()
            .map(|new| {
                if new.activity_type.is_engagement() {
                    latest = latest.max(Some(new.occurred_at));
                }
                let mut columns = activity_values(new);
                columns.extend([
                    ("id", ActivityId::new().as_uuid().into()),
                    ("organization_id", org.as_uuid().into()),
                    ("customer_id", customer.as_uuid().into()),
                    ("actor_user_id", actor.user_id.map(|u| u.as_uuid()).into()),
                    ("actor_label", actor.label.clone().into()),
                    ("created_at", now.into()),
                    ("updated_at", now.into()),
                ]);
                if names.is_empty() {
                    names = columns.iter().map(|(n, _)| *n).collect();
                }
                columns.into_iter().map(|(_, v)| v).collect()
            })
            .collect();
        crate::sql::insert_many(&txn, "activities", &names, rows).await?;
        if let Some(latest) = latest {
            touch_last_activity(&txn, org, customer, latest).await?;
        }
        audit::record(
            &txn,
            org,
            actor,
            "activity.imported",
            "customer",
            Some(customer.as_uuid()),
            serde_json::json!({ "activities": items.len() }),
        )
        .await?;
        txn.commit().await?;
        Ok(items.len() as u64)
    }

    /// Replaces an engagement's fields; system entries cannot be edited.
    pub async fn update_activity(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: ActivityId,
        expected_version: Option<i64>,
        new: &NewActivity,
        actor: &Actor,
    ) -> Result<ActivityRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let before = fetch(&txn, org, customer, id.as_uuid()).await?;
        if !ActivityType::parse(&before.activity_type).is_ok_and(|t| t.is_engagement())
            || !new.activity_type.is_engagement()
        {
            return Err(system_entry());
        }
        StoreError::check_version(expected_version, before.version)?;
        let mut columns = activity_values(new);
        columns.push(("updated_at", crate::now().into()));
        update_versioned(&txn, "activities", columns, id.as_uuid(), org.as_uuid()).await?;
        touch_last_activity(&txn, org, customer, new.occurred_at).await?;
        let after = fetch(&txn, org, customer, id.as_uuid()).await?;
        audit::record(
            &txn,
            org,
            actor,
            "activity.updated",
            "activity",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), Some(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Soft-deletes an engagement; system entries stay.
    pub async fn delete_activity(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: ActivityId,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let before = fetch(&txn, org, customer, id.as_uuid()).await?;
        if !ActivityType::parse(&before.activity_type).is_ok_and(|t| t.is_engagement()) {
            return Err(system_entry());
        }
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE activities SET deleted_at = ?, version = version + 1 WHERE id = ? AND organization_id = ?",
            vec![crate::now().into(), id.as_uuid().into(), org.as_uuid().into()],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "activity.deleted",
            "activity",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), None),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Brings back a deleted engagement (the undo of [`Store::delete_activity`]).
    pub async fn restore_activity(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: ActivityId,
        actor: &Actor,
    ) -> Result<ActivityRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let changed = txn
            .execute_raw(stmt(
                txn.get_database_backend(),
                "UPDATE activities SET deleted_at = NULL, version = version + 1 WHERE id = ? AND organization_id = ? AND customer_id = ? AND deleted_at IS NOT NULL",
                vec![
                    id.as_uuid().into(),
                    org.as_uuid().into(),
                    customer.as_uuid().into(),
                ],
            ))
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let after = fetch(&txn, org, customer, id.as_uuid()).await?;
        audit::record(
            &txn,
            org,
            actor,
            "activity.restored",
            "activity",
            Some(id.as_uuid()),
            audit::diff_of(None, Some(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Not-yet-completed activities of `activity_type` for the customer (open tickets, orders).
    pub async fn open_activity_count(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        activity_type: ActivityType,
    ) -> Result<u64, StoreError> {
        Ok(crate::sql::count(
            &self.db,
            stmt(
                self.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM activities WHERE organization_id = ? AND customer_id = ? AND activity_type = ? AND completed_at IS NULL AND deleted_at IS NULL",
                vec![
                    org.as_uuid().into(),
                    customer.as_uuid().into(),
                    activity_type.as_str().into(),
                ],
            ),
        )
        .await?)
    }

    /// Payments per month (`YYYY-MM`, oldest first) in `currency` since `since`: the MRR chart.
    pub async fn monthly_payments(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        currency: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            occurred_at: DateTime<Utc>,
            amount_minor: Option<i64>,
        }
        let rows = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT occurred_at, amount_minor FROM activities WHERE organization_id = ? AND customer_id = ? AND activity_type = 'payment' AND currency = ? AND occurred_at >= ? AND deleted_at IS NULL ORDER BY occurred_at",
            vec![
                org.as_uuid().into(),
                customer.as_uuid().into(),
                currency.into(),
                since.into(),
            ],
        ))
        .all(&self.db)
        .await?;
        let mut months: Vec<(String, i64)> = Vec::new();
        for row in rows {
            let month = row.occurred_at.format("%Y-%m").to_string();
            let amount = row.amount_minor.unwrap_or(0);
            match months.last_mut() {
                Some((m, total)) if *m == month => *total = total.saturating_add(amount),
                _ => months.push((month, amount)),
            }
        }
        Ok(months)
    }
}
