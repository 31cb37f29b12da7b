//! Organisations: the tenants. Everything else hangs off one.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use tenure_domain::ids::OrganizationId;
use uuid::Uuid;

use crate::sql::stmt;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
    pub default_region: Option<String>,
    pub default_currency: String,
    pub created_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    name: String,
    slug: String,
    default_region: Option<String>,
    default_currency: String,
    created_at: DateTime<Utc>,
}

impl From<Row> for Organization {
    fn from(row: Row) -> Organization {
        Organization {
            id: OrganizationId::from_uuid(row.id),
            name: row.name,
            slug: row.slug,
            default_region: row.default_region,
            default_currency: row.default_currency,
            created_at: row.created_at,
        }
    }
}

const COLUMNS: &str = "id, name, slug, default_region, default_currency, created_at";

/// The slug of an organisation name: lower-case ASCII words joined by '-'.
pub fn slug_for(name: &str) -> String {
    tenure_domain::search::fold(name).replace(' ', "-")
}

impl Store {
    /// Creates an organisation; its slug is derived from the name and must be free.
    pub async fn create_organization(
        &self,
        name: &str,
        default_region: Option<&str>,
        default_currency: &str,
    ) -> Result<Organization, StoreError> {
        let now = crate::now();
        let id = OrganizationId::new();
        let slug = slug_for(name);
        self.db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                "INSERT INTO organizations (id, name, slug, default_region, default_currency, customer_seq, match_keys_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
                vec![
                    id.as_uuid().into(),
                    name.into(),
                    slug.clone().into(),
                    default_region.map(str::to_owned).into(),
                    default_currency.into(),
                    tenure_domain::duplicate::blocking::VERSION.into(),
                    now.into(),
                    now.into(),
                ],
            ))
            .await?;
        self.organization(id).await
    }

    pub async fn organization(&self, id: OrganizationId) -> Result<Organization, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM organizations WHERE id = ?");
        Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            &sql,
            vec![id.as_uuid().into()],
        ))
        .one(&self.db)
        .await?
        .map(Organization::from)
        .ok_or(StoreError::NotFound)
    }

    /// Finds an organisation by slug or, failing that, by exact name.
    pub async fn organization_by_slug_or_name(
        &self,
        key: &str,
    ) -> Result<Option<Organization>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM organizations WHERE slug = ? OR name = ? ORDER BY created_at LIMIT 1"
        );
        Ok(Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            &sql,
            vec![slug_for(key).into(), key.into()],
        ))
        .one(&self.db)
        .await?
        .map(Organization::from))
    }
}

/// An organisation's settings kept as JSON columns of `organizations`. The column names are
/// written into SQL, so only these exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrgSetting {
    /// Survivorship rules of merges (`domain::merge::Rules`).
    MergeRules,
    /// Scores that make a pair likely or worth a review (`domain::duplicate::Thresholds`).
    DuplicateThresholds,
}

impl OrgSetting {
    fn column(self) -> &'static str {
        match self {
            OrgSetting::MergeRules => "merge_rules",
            OrgSetting::DuplicateThresholds => "duplicate_thresholds",
        }
    }
}

impl Store {
    /// A setting as stored; `None` until an owner sets it.
    pub(crate) async fn org_setting<T: serde::de::DeserializeOwned>(
        &self,
        org: OrganizationId,
        setting: OrgSetting,
    ) -> Result<Option<T>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            value: Option<serde_json::Value>,
        }
        let row = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!(
                "SELECT {} AS value FROM organizations WHERE id = ?",
                setting.column()
            ),
            vec![org.as_uuid().into()],
        ))
        .one(&self.db)
        .await?
        .ok_or(StoreError::NotFound)?;
        row.value.map(crate::sql::read_json).transpose()
    }

    /// Replaces a setting; the audit log gets `<column>.updated` with the new value.
    pub(crate) async fn set_org_setting<T: serde::Serialize>(
        &self,
        org: OrganizationId,
        setting: OrgSetting,
        value: &T,
        actor: &crate::Actor,
    ) -> Result<(), StoreError> {
        let value = serde_json::to_value(value)
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        let txn = self.begin_write().await?;
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            &format!(
                "UPDATE organizations SET {} = ?, updated_at = ? WHERE id = ?",
                setting.column()
            ),
            vec![
                crate::sql::json(value.clone()),
                crate::now().into(),
                org.as_uuid().into(),
            ],
        ))
        .await?;
        crate::audit::record(
            &txn,
            org,
            actor,
            &format!("{}.updated", setting.column()),
            "organization",
            Some(org.as_uuid()),
            serde_json::json!({ "after": value }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
