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
                "INSERT INTO organizations (id, name, slug, default_region, default_currency, customer_seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                vec![
                    id.as_uuid().into(),
                    name.into(),
                    slug.clone().into(),
                    default_region.map(str::to_owned).into(),
                    default_currency.into(),
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
