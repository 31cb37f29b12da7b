//! The stored shape of a customer row and its conversion into [`CustomerRecord`], with tags
//! loaded for a whole page in one query.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};
use tenure_domain::customer::{CustomerKind, CustomerStatus, CustomerType, PaymentStatus};
use tenure_domain::ids::{CustomerId, OrganizationId, UserId};
use uuid::Uuid;

use crate::StoreError;
use crate::customer::CustomerRecord;
use crate::sql::stmt;

/// Every column a [`CustomerRow`] reads, qualified by the alias `c`.
pub const SELECT_COLUMNS: &str = "c.id, c.organization_id, c.customer_code, c.kind, c.name, \
    c.display_name, c.legal_name, c.first_name, c.last_name, c.birth_date, c.email, c.phone, \
    c.website, c.domain, c.industry, c.company_size, c.tax_id, c.status, c.customer_type, c.tier, \
    c.plan, c.currency, c.mrr_minor, c.ltv_minor, c.credit_limit_minor, c.payment_terms_days, \
    c.payment_status, c.parent_id, c.owner_id, c.health_score, c.churn_risk, c.custom_fields, \
    c.settings, c.portal_access, c.notes, c.internal_notes, c.country, c.customer_since, \
    c.last_activity_at, c.external_id, c.source, c.version, c.deleted_at, c.merged_into, c.created_by, \
    c.updated_by, c.created_at, c.updated_at";

#[derive(Debug, FromQueryResult)]
pub struct CustomerRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub customer_code: String,
    pub kind: String,
    pub name: String,
    pub display_name: Option<String>,
    pub legal_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub tax_id: Option<String>,
    pub status: String,
    pub customer_type: String,
    pub tier: Option<String>,
    pub plan: Option<String>,
    pub currency: String,
    pub mrr_minor: i64,
    pub ltv_minor: i64,
    pub credit_limit_minor: Option<i64>,
    pub payment_terms_days: Option<i32>,
    pub payment_status: String,
    pub parent_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub health_score: Option<i32>,
    pub churn_risk: Option<i32>,
    pub custom_fields: serde_json::Value,
    pub settings: serde_json::Value,
    pub portal_access: bool,
    pub notes: Option<String>,
    pub internal_notes: Option<String>,
    pub country: Option<String>,
    pub customer_since: NaiveDate,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
    pub source: Option<String>,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    pub merged_into: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn corrupt(id: Uuid, what: &str, value: &str) -> StoreError {
    StoreError::Database(DbErr::Custom(format!(
        "customer {id} has an invalid {what}: {value:?}"
    )))
}

impl CustomerRow {
    fn into_record(self, tags: Vec<String>) -> Result<CustomerRecord, StoreError> {
        let id = self.id;
        Ok(CustomerRecord {
            id: CustomerId::from_uuid(self.id),
            organization_id: OrganizationId::from_uuid(self.organization_id),
            customer_code: self.customer_code,
            kind: CustomerKind::parse(&self.kind).map_err(|_| corrupt(id, "kind", &self.kind))?,
            name: self.name,
            display_name: self.display_name,
            legal_name: self.legal_name,
            first_name: self.first_name,
            last_name: self.last_name,
            birth_date: self.birth_date,
            email: self.email,
            phone: self.phone,
            website: self.website,
            domain: self.domain,
            industry: self.industry,
            company_size: self.company_size,
            tax_id: self.tax_id,
            status: CustomerStatus::parse(&self.status)
                .map_err(|_| corrupt(id, "status", &self.status))?,
            customer_type: CustomerType::parse(&self.customer_type)
                .map_err(|_| corrupt(id, "customer_type", &self.customer_type))?,
            tier: self.tier,
            plan: self.plan,
            currency: self.currency,
            mrr_minor: self.mrr_minor,
            ltv_minor: self.ltv_minor,
            credit_limit_minor: self.credit_limit_minor,
            payment_terms_days: self.payment_terms_days,
            payment_status: PaymentStatus::parse(&self.payment_status)
                .map_err(|_| corrupt(id, "payment_status", &self.payment_status))?,
            parent_id: self.parent_id.map(CustomerId::from_uuid),
            owner_id: self.owner_id.map(UserId::from_uuid),
            health_score: self.health_score,
            churn_risk: self.churn_risk,
            tags,
            custom_fields: self.custom_fields,
            settings: self.settings,
            portal_access: self.portal_access,
            notes: self.notes,
            internal_notes: self.internal_notes,
            country: self.country,
            customer_since: self.customer_since,
            last_activity_at: self.last_activity_at,
            external_id: self.external_id,
            source: self.source,
            version: self.version,
            deleted_at: self.deleted_at,
            merged_into: self.merged_into.map(CustomerId::from_uuid),
            created_by: self.created_by.map(UserId::from_uuid),
            updated_by: self.updated_by.map(UserId::from_uuid),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Loads the tags of every row in one query and builds the records, keeping the row order.
pub async fn attach_tags(
    db: &impl ConnectionTrait,
    rows: Vec<CustomerRow>,
) -> Result<Vec<CustomerRecord>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromQueryResult)]
    struct TagRow {
        customer_id: Uuid,
        tag: String,
    }
    let marks = vec!["?"; rows.len()].join(", ");
    let sql = format!(
        "SELECT customer_id, tag FROM customer_tags WHERE customer_id IN ({marks}) ORDER BY customer_id, tag"
    );
    let ids: Vec<Value> = rows.iter().map(|r| r.id.into()).collect();
    let tag_rows = TagRow::find_by_statement(stmt(db.get_database_backend(), &sql, ids))
        .all(db)
        .await?;
    let mut by_customer: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in tag_rows {
        by_customer
            .entry(row.customer_id)
            .or_default()
            .push(row.tag);
    }
    rows.into_iter()
        .map(|row| {
            let tags = by_customer.remove(&row.id).unwrap_or_default();
            row.into_record(tags)
        })
        .collect()
}
