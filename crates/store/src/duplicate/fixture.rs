//! Loading a labelled duplicate benchmark: customers with exactly the fields a generator chose,
//! written in bulk (multi-row inserts, a few thousand per transaction), then their blocking keys
//! built. For `tenure-bench duplicates`; the API never calls it.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use tenure_domain::ids::OrganizationId;
use uuid::Uuid;

use crate::sql::{insert_many, json};
use crate::{Store, StoreError};

/// One generated customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixtureCustomer {
    pub id: Uuid,
    /// `company` or `person`.
    pub kind: String,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub website: Option<String>,
    pub tax_id: Option<String>,
    pub country: String,
    pub address_line1: Option<String>,
    pub postal_code: Option<String>,
}

const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "organization_id",
    "customer_code",
    "kind",
    "name",
    "name_sort",
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "website",
    "domain",
    "tax_id",
    "status",
    "customer_type",
    "currency",
    "payment_status",
    "custom_fields",
    "settings",
    "country",
    "customer_since",
    "search_text",
    "created_at",
    "updated_at",
];

const ADDRESS_COLUMNS: &[&str] = &[
    "id",
    "organization_id",
    "customer_id",
    "kind",
    "line1",
    "postal_code",
    "country",
    "is_primary",
    "created_at",
    "updated_at",
];

impl Store {
    /// Inserts the generated customers (codes `DUP-1`, `DUP-2`, ...) and builds their keys.
    pub async fn insert_duplicate_fixture(
        &self,
        org: OrganizationId,
        customers: &[FixtureCustomer],
    ) -> Result<(), StoreError> {
        let now = crate::now();
        let today = now.date_naive();
        let mut next_statistics = 20_000;
        for (chunk_index, chunk) in customers.chunks(2_000).enumerate() {
            // A growing table needs fresh statistics, or lookups of a chunk's ids scan the tenant.
            if chunk_index * 2_000 >= next_statistics {
                self.refresh_import_statistics().await?;
                next_statistics *= 2;
            }
            let mut rows: Vec<Vec<Value>> = Vec::with_capacity(chunk.len());
            let mut addresses: Vec<Vec<Value>> = Vec::new();
            for (i, c) in chunk.iter().enumerate() {
                let n = chunk_index * 2_000 + i + 1;
                let code = format!("DUP-{n}");
                let domain = c.website.as_deref().map(|w| {
                    let host = w.split("://").last().unwrap_or(w);
                    let host = host.split('/').next().unwrap_or(host);
                    host.trim_start_matches("www.").to_lowercase()
                });
                let search = tenure_domain::search::search_text(&[
                    &code,
                    &c.name,
                    c.email.as_deref().unwrap_or_default(),
                ]);
                rows.push(vec![
                    c.id.into(),
                    org.as_uuid().into(),
                    code.into(),
                    c.kind.clone().into(),
                    c.name.clone().into(),
                    tenure_domain::search::fold(&c.name).into(),
                    c.first_name.clone().into(),
                    c.last_name.clone().into(),
                    c.birth_date.into(),
                    c.email.clone().into(),
                    c.phone.clone().into(),
                    c.website.clone().into(),
                    domain.into(),
                    c.tax_id.clone().into(),
                    "active".into(),
                    "standard".into(),
                    "USD".into(),
                    "current".into(),
                    json(serde_json::json!({})),
                    json(serde_json::json!({})),
                    c.country.clone().into(),
                    today.into(),
                    search.into(),
                    now.into(),
                    now.into(),
                ]);
                if let Some(line1) = &c.address_line1 {
                    addresses.push(vec![
                        Uuid::now_v7().into(),
                        org.as_uuid().into(),
                        c.id.into(),
                        "billing".into(),
                        line1.clone().into(),
                        c.postal_code.clone().into(),
                        c.country.clone().into(),
                        true.into(),
                        now.into(),
                        now.into(),
                    ]);
                }
            }
            let txn = self.begin_write().await?;
            insert_many(&txn, "customers", CUSTOMER_COLUMNS, rows).await?;
            insert_many(&txn, "addresses", ADDRESS_COLUMNS, addresses).await?;
            let ids: Vec<Uuid> = chunk.iter().map(|c| c.id).collect();
            super::refresh_match_keys(&txn, org, &ids).await?;
            txn.commit().await?;
        }
        if self.backend() == crate::Backend::Postgres {
            self.db
                .execute_unprepared("VACUUM (ANALYZE) customers, addresses, customer_match_keys")
                .await?;
        } else {
            self.analyze().await?;
        }
        Ok(())
    }

    /// Every stored pair at or above `min_score`, as `(left, right, score)`.
    pub async fn duplicate_pairs_for_bench(
        &self,
        org: OrganizationId,
        min_score: f64,
    ) -> Result<Vec<(Uuid, Uuid, f64)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            left_id: Uuid,
            right_id: Uuid,
            score: f64,
        }
        let rows = Row::find_by_statement(crate::sql::stmt(
            self.db.get_database_backend(),
            "SELECT left_id, right_id, score FROM duplicate_pairs WHERE organization_id = ? AND score >= ?",
            vec![org.as_uuid().into(), min_score.into()],
        ))
        .all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.left_id, r.right_id, r.score))
            .collect())
    }
}
