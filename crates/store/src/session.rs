//! Refresh-token sessions. Only the SHA-256 hash of a token is stored (hashing is the caller's
//! job); a refresh revokes the presented row and creates its successor in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use tenure_domain::ids::{OrganizationId, SessionId, UserId};
use uuid::Uuid;

use crate::sql::stmt;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    expires_at: DateTime<Utc>,
}

impl From<Row> for Session {
    fn from(row: Row) -> Session {
        Session {
            id: SessionId::from_uuid(row.id),
            organization_id: OrganizationId::from_uuid(row.organization_id),
            user_id: UserId::from_uuid(row.user_id),
            expires_at: row.expires_at,
        }
    }
}

/// Where a session was opened from, kept for the user's security overview.
#[derive(Debug, Clone, Default)]
pub struct SessionOrigin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Store {
    /// Opens a session for `user` whose refresh token hashes to `token_hash`.
    pub async fn create_session(
        &self,
        org: OrganizationId,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        origin: &SessionOrigin,
    ) -> Result<Session, StoreError> {
        let id = SessionId::new();
        insert_session(&self.db, id, org, user, token_hash, expires_at, origin).await?;
        Ok(Session {
            id,
            organization_id: org,
            user_id: user,
            expires_at,
        })
    }

    /// Swaps a live refresh token for a new one. `None` when the token is unknown, expired or
    /// already used (a reuse revokes nothing else today; token families come with API keys).
    pub async fn rotate_session(
        &self,
        old_hash: &str,
        new_hash: &str,
        expires_at: DateTime<Utc>,
        origin: &SessionOrigin,
    ) -> Result<Option<Session>, StoreError> {
        let txn = self.begin_write().await?;
        let backend = txn.get_database_backend();
        let now = crate::now();
        let found = Row::find_by_statement(stmt(
            backend,
            "SELECT id, organization_id, user_id, expires_at FROM sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
            vec![old_hash.into(), now.into()],
        ))
        .one(&txn)
        .await?;
        let Some(old) = found.map(Session::from) else {
            return Ok(None);
        };
        let revoked = txn
            .execute_raw(stmt(
                backend,
                "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                vec![now.into(), old.id.as_uuid().into()],
            ))
            .await?;
        if revoked.rows_affected() != 1 {
            return Ok(None);
        }
        let id = SessionId::new();
        insert_session(
            &txn,
            id,
            old.organization_id,
            old.user_id,
            new_hash,
            expires_at,
            origin,
        )
        .await?;
        txn.commit().await?;
        Ok(Some(Session {
            id,
            expires_at,
            ..old
        }))
    }

    /// Revokes the session holding this refresh token (sign-out). Unknown tokens are ignored.
    pub async fn revoke_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                vec![crate::now().into(), token_hash.into()],
            ))
            .await?;
        Ok(())
    }
}

async fn insert_session(
    db: &impl ConnectionTrait,
    id: SessionId,
    org: OrganizationId,
    user: UserId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    origin: &SessionOrigin,
) -> Result<(), StoreError> {
    db.execute_raw(stmt(
        db.get_database_backend(),
        "INSERT INTO sessions (id, organization_id, user_id, token_hash, created_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            id.as_uuid().into(),
            org.as_uuid().into(),
            user.as_uuid().into(),
            token_hash.into(),
            crate::now().into(),
            expires_at.into(),
            origin.ip.clone().into(),
            origin.user_agent.clone().into(),
        ],
    ))
    .await?;
    Ok(())
}
