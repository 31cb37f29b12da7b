//! Customer goals and their progress history: every change of value or status appends a
//! `goal_updates` row in the same transaction. This module must not interpret HTTP.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use serde::Serialize;
use tenure_domain::goal::NewGoal;
use tenure_domain::ids::{CustomerId, GoalId, OrganizationId};
use uuid::Uuid;

use crate::customer::lock_live_customer;
use crate::sql::{insert, stmt, update_versioned};
use crate::{Actor, Store, StoreError, audit};

#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct GoalRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub metric: String,
    pub current_value: f64,
    pub target_value: f64,
    pub unit: Option<String>,
    pub period: Option<String>,
    pub status: String,
    pub target_date: Option<NaiveDate>,
    pub completed_at: Option<NaiveDate>,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct GoalUpdateRecord {
    pub goal_id: Uuid,
    pub value: f64,
    pub status: String,
    pub note: Option<String>,
    pub actor_label: String,
    pub created_at: DateTime<Utc>,
}

/// A goal with its history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalRecord {
    pub goal: GoalRow,
    pub history: Vec<GoalUpdateRecord>,
}

const COLUMNS: &str = "id, customer_id, title, description, metric, current_value, \
    target_value, unit, period, status, target_date, completed_at, version, deleted_at, \
    created_at, updated_at";

fn goal_values(new: &NewGoal) -> Vec<(&'static str, Value)> {
    let text = |v: &Option<tenure_domain::values::BoundedText>| -> Value {
        v.as_ref().map(|t| t.as_str().to_owned()).into()
    };
    vec![
        ("title", new.title.as_str().into()),
        (
            "description",
            new.description
                .as_ref()
                .map(|d| d.as_str().to_owned())
                .into(),
        ),
        ("metric", new.metric.as_str().into()),
        ("current_value", new.current_value.into()),
        ("target_value", new.target_value.into()),
        ("unit", text(&new.unit)),
        ("period", text(&new.period)),
        ("status", new.status.as_str().into()),
        ("target_date", new.target_date.into()),
        ("completed_at", new.completed_at.into()),
    ]
}

async fn record_update(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    goal: Uuid,
    new: &NewGoal,
    actor: &Actor,
) -> Result<(), StoreError> {
    insert(
        txn,
        "goal_updates",
        vec![
            ("id", Uuid::now_v7().into()),
            ("organization_id", org.as_uuid().into()),
            ("goal_id", goal.into()),
            ("value", new.current_value.into()),
            ("status", new.status.as_str().into()),
            (
                "note",
                new.note.as_ref().map(|n| n.as_str().to_owned()).into(),
            ),
            ("actor_user_id", actor.user_id.map(|u| u.as_uuid()).into()),
            ("actor_label", actor.label.clone().into()),
            ("created_at", crate::now().into()),
        ],
    )
    .await?;
    Ok(())
}

/// Goals of a customer (`active_only`: not achieved or missed) with their histories.
async fn load(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    customer: CustomerId,
    id: Option<Uuid>,
    active_only: bool,
) -> Result<Vec<GoalRecord>, StoreError> {
    let backend = db.get_database_backend();
    let mut sql = format!(
        "SELECT {COLUMNS} FROM goals WHERE organization_id = ? AND customer_id = ? AND deleted_at IS NULL"
    );
    let mut values: Vec<Value> = vec![org.as_uuid().into(), customer.as_uuid().into()];
    if let Some(id) = id {
        sql.push_str(" AND id = ?");
        values.push(id.into());
    }
    if active_only {
        sql.push_str(" AND status IN ('on_track', 'at_risk')");
    }
    sql.push_str(" ORDER BY CASE WHEN status IN ('on_track', 'at_risk') THEN 0 ELSE 1 END, target_date, created_at");
    let goals = GoalRow::find_by_statement(stmt(backend, &sql, values))
        .all(db)
        .await?;
    if goals.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; goals.len()].join(", ");
    let mut values: Vec<Value> = vec![org.as_uuid().into()];
    values.extend(goals.iter().map(|g| Value::from(g.id)));
    let updates = GoalUpdateRecord::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT goal_id, value, status, note, actor_label, created_at FROM goal_updates WHERE organization_id = ? AND goal_id IN ({marks}) ORDER BY created_at DESC, id DESC"
        ),
        values,
    ))
    .all(db)
    .await?;
    let mut by_goal: HashMap<Uuid, Vec<GoalUpdateRecord>> = HashMap::new();
    for update in updates {
        by_goal.entry(update.goal_id).or_default().push(update);
    }
    Ok(goals
        .into_iter()
        .map(|goal| GoalRecord {
            history: by_goal.remove(&goal.id).unwrap_or_default(),
            goal,
        })
        .collect())
}

async fn one(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    customer: CustomerId,
    id: Uuid,
) -> Result<GoalRecord, StoreError> {
    load(db, org, customer, Some(id), false)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

impl Store {
    /// The customer's goals, active first; `active_only` leaves out achieved and missed ones.
    pub async fn goals(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        active_only: bool,
    ) -> Result<Vec<GoalRecord>, StoreError> {
        self.customer(org, customer, false).await?;
        load(&self.db, org, customer, None, active_only).await
    }

    pub async fn goal(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: GoalId,
    ) -> Result<GoalRecord, StoreError> {
        one(&self.db, org, customer, id.as_uuid()).await
    }

    /// Sets a goal; its first history entry records the starting value.
    pub async fn create_goal(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        new: &NewGoal,
        actor: &Actor,
    ) -> Result<GoalRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let id = GoalId::new().as_uuid();
        let now = crate::now();
        let mut columns = goal_values(new);
        columns.extend([
            ("id", id.into()),
            ("organization_id", org.as_uuid().into()),
            ("customer_id", customer.as_uuid().into()),
            ("created_by", actor.user_id.map(|u| u.as_uuid()).into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ]);
        insert(&txn, "goals", columns).await?;
        record_update(&txn, org, id, new, actor).await?;
        let created = one(&txn, org, customer, id).await?;
        audit::record(
            &txn,
            org,
            actor,
            "goal.created",
            "goal",
            Some(id),
            audit::diff_of(None, Some(&created.goal)),
        )
        .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Replaces a goal's fields; a change of value or status (or a note) adds a history entry.
    pub async fn update_goal(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: GoalId,
        expected_version: Option<i64>,
        new: &NewGoal,
        actor: &Actor,
    ) -> Result<GoalRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let before = one(&txn, org, customer, id.as_uuid()).await?;
        StoreError::check_version(expected_version, before.goal.version)?;
        let mut columns = goal_values(new);
        columns.push(("updated_at", crate::now().into()));
        update_versioned(&txn, "goals", columns, id.as_uuid(), org.as_uuid()).await?;
        if before.goal.current_value != new.current_value
            || before.goal.status != new.status.as_str()
            || new.note.is_some()
        {
            record_update(&txn, org, id.as_uuid(), new, actor).await?;
        }
        let after = one(&txn, org, customer, id.as_uuid()).await?;
        audit::record(
            &txn,
            org,
            actor,
            "goal.updated",
            "goal",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before.goal), Some(&after.goal)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Soft-deletes a goal (its history stays with it).
    pub async fn delete_goal(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: GoalId,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let before = one(&txn, org, customer, id.as_uuid()).await?;
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE goals SET deleted_at = ?, version = version + 1 WHERE id = ? AND organization_id = ?",
            vec![crate::now().into(), id.as_uuid().into(), org.as_uuid().into()],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "goal.deleted",
            "goal",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before.goal), None),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
