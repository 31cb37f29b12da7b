//! The audit log: who changed what, when, from where. Entries are written by the same
//! transaction as the change they describe, so a change without its entry cannot exist.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use tenure_domain::ids::{AuditId, OrganizationId, UserId};
use uuid::Uuid;

use crate::sql::{json, stmt};
use crate::{Store, StoreError};

/// Who is acting, and the request that carries the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    /// A human-readable name for the log: the user's email, `system`, `seed`, ...
    pub label: String,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

impl Actor {
    /// The system itself (seeding, migrations, background jobs without a person behind them).
    pub fn system(label: &str) -> Actor {
        Actor {
            user_id: None,
            label: label.to_owned(),
            request_id: None,
            ip: None,
        }
    }
}

/// One audit entry as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub id: AuditId,
    pub actor_user_id: Option<UserId>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub diff: serde_json::Value,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    actor_user_id: Option<Uuid>,
    actor_label: String,
    action: String,
    entity_type: String,
    entity_id: Option<Uuid>,
    diff: serde_json::Value,
    request_id: Option<String>,
    ip: Option<String>,
    created_at: DateTime<Utc>,
}

/// Appends one entry inside the caller's transaction.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Option<Uuid>,
    diff: serde_json::Value,
) -> Result<(), StoreError> {
    db.execute_raw(stmt(
        db.get_database_backend(),
        "INSERT INTO audit_log (id, organization_id, actor_user_id, actor_label, action, entity_type, entity_id, diff, request_id, ip, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            AuditId::new().as_uuid().into(),
            org.as_uuid().into(),
            actor.user_id.map(|id| id.as_uuid()).into(),
            actor.label.clone().into(),
            action.into(),
            entity_type.into(),
            entity_id.into(),
            json(diff),
            actor.request_id.clone().into(),
            actor.ip.clone().into(),
            crate::now().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// What changed between two serialisable records, for an audit entry (`None` on either side
/// for a creation or a removal).
pub(crate) fn diff_of<T: serde::Serialize>(
    before: Option<&T>,
    after: Option<&T>,
) -> serde_json::Value {
    let as_json = |record: Option<&T>| {
        record
            .and_then(|r| serde_json::to_value(r).ok())
            .unwrap_or(serde_json::Value::Object(Default::default()))
    };
    tenure_domain::audit::diff(&as_json(before), &as_json(after))
}

impl Store {
    /// The audit trail of one entity, newest first.
    pub async fn audit_entries_for(
        &self,
        org: OrganizationId,
        entity_type: &str,
        entity_id: Uuid,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!("SELECT {ROW_COLUMNS} FROM audit_log WHERE organization_id = ? AND entity_type = ? AND entity_id = ? ORDER BY created_at DESC, id DESC"),
            vec![org.as_uuid().into(), entity_type.into(), entity_id.into()],
        ))
        .all(&self.db)
        .await?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}

/// Every entry about any of `ids` (whatever the entity type), oldest first.
pub(crate) async fn entries_about(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    ids: &[Uuid],
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values = vec![org.as_uuid().into()];
        values.extend(chunk.iter().map(|id| sea_orm::Value::from(*id)));
        let rows = Row::find_by_statement(stmt(
            db.get_database_backend(),
            &format!("SELECT {ROW_COLUMNS} FROM audit_log WHERE organization_id = ? AND entity_id IN ({marks}) ORDER BY created_at, id"),
            values,
        ))
        .all(db)
        .await?;
        out.extend(rows.into_iter().map(AuditEntry::from));
    }
    out.sort_by_key(|e| (e.created_at, e.id));
    Ok(out)
}

const ROW_COLUMNS: &str = "id, actor_user_id, actor_label, action, entity_type, entity_id, diff, request_id, ip, created_at";

impl From<Row> for AuditEntry {
    fn from(row: Row) -> AuditEntry {
        AuditEntry {
            id: AuditId::from_uuid(row.id),
            actor_user_id: row.actor_user_id.map(UserId::from_uuid),
            actor_label: row.actor_label,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            diff: row.diff,
            request_id: row.request_id,
            ip: row.ip,
            created_at: row.created_at,
        }
    }
}
