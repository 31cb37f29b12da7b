//! People who sign in: one organisation each, a role, an argon2 password hash (hashing happens
//! in the API crate; this module only stores the PHC string).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use tenure_domain::ids::{OrganizationId, UserId};
use tenure_domain::permission::Role;
use uuid::Uuid;

use crate::sql::stmt;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub organization_id: OrganizationId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    organization_id: Uuid,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    disabled_at: Option<DateTime<Utc>>,
}

impl TryFrom<Row> for User {
    type Error = StoreError;
    fn try_from(row: Row) -> Result<User, StoreError> {
        let role = Role::parse(&row.role).map_err(|_| {
            StoreError::Database(sea_orm::DbErr::Custom(format!(
                "user {} has unknown role {:?}",
                row.id, row.role
            )))
        })?;
        Ok(User {
            id: UserId::from_uuid(row.id),
            organization_id: OrganizationId::from_uuid(row.organization_id),
            email: row.email,
            name: row.name,
            role,
            password_hash: row.password_hash,
            disabled: row.disabled_at.is_some(),
        })
    }
}

const COLUMNS: &str = "id, organization_id, email, name, role, password_hash, disabled_at";

/// What it takes to add a user.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub organization_id: OrganizationId,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

impl Store {
    pub async fn create_user(&self, new: NewUser<'_>) -> Result<User, StoreError> {
        let now = crate::now();
        let id = UserId::new();
        self.db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                "INSERT INTO users (id, organization_id, email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    id.as_uuid().into(),
                    new.organization_id.as_uuid().into(),
                    new.email.to_lowercase().into(),
                    new.name.into(),
                    new.password_hash.into(),
                    new.role.as_str().into(),
                    now.into(),
                    now.into(),
                ],
            ))
            .await?;
        self.user(new.organization_id, id).await
    }

    /// A user of this organisation.
    pub async fn user(&self, org: OrganizationId, id: UserId) -> Result<User, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ? AND organization_id = ?");
        Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            &sql,
            vec![id.as_uuid().into(), org.as_uuid().into()],
        ))
        .one(&self.db)
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(User::try_from)
    }

    /// Every user of this organisation, disabled ones too (they may still own customers), by name.
    pub async fn users_of(&self, org: OrganizationId) -> Result<Vec<User>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM users WHERE organization_id = ? ORDER BY name, email");
        Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            &sql,
            vec![org.as_uuid().into()],
        ))
        .all(&self.db)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
    }

    /// Every user with this email, across organisations (sign-in resolves the ambiguity).
    pub async fn users_by_email(&self, email: &str) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE email = ? ORDER BY created_at");
        Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            &sql,
            vec![email.trim().to_lowercase().into()],
        ))
        .all(&self.db)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
    }

    /// Whether this id is a user of this organisation (owners assigned to customers must be).
    pub async fn user_exists(&self, org: OrganizationId, id: UserId) -> Result<bool, StoreError> {
        match self.user(org, id).await {
            Ok(_) => Ok(true),
            Err(StoreError::NotFound) => Ok(false),
            Err(other) => Err(other),
        }
    }

    pub async fn record_login(&self, id: UserId) -> Result<(), StoreError> {
        self.db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                "UPDATE users SET last_login_at = ? WHERE id = ?",
                vec![crate::now().into(), id.as_uuid().into()],
            ))
            .await?;
        Ok(())
    }
}
