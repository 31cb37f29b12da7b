//! The customer hierarchy read side: ancestors for the breadcrumb, direct children, and
//! roll-ups over a subtree with one recursive CTE (the same text on both backends). Writes of
//! `parent_id`, with cycle prevention, live in the customer module. This module must not
//! interpret HTTP.

use sea_orm::{ConnectionTrait, FromQueryResult};
use tenure_domain::ids::{CustomerId, OrganizationId};
use uuid::Uuid;

use crate::customer::MAX_DEPTH;
use crate::sql::stmt;
use crate::{Store, StoreError};

/// A customer as a link.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct CustomerLink {
    pub id: Uuid,
    pub name: String,
    pub customer_code: String,
    pub status: String,
    pub mrr_minor: i64,
    pub currency: String,
}

/// Money of one currency over a subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencySums {
    pub currency: String,
    pub mrr_minor: i64,
    pub ltv_minor: i64,
}

/// Totals over a customer and its live descendants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollup {
    pub customer_id: Uuid,
    pub customers: u64,
    pub depth: u64,
    pub totals: Vec<CurrencySums>,
    pub contacts: u64,
    pub open_tickets: u64,
}

/// The subtree of `?` (org, id, org, max depth), as `tree(id, depth)`.
const SUBTREE: &str = "WITH RECURSIVE tree(id, depth) AS ( \
    SELECT id, 0 FROM customers WHERE organization_id = ? AND id = ? AND deleted_at IS NULL \
    UNION ALL \
    SELECT c.id, tree.depth + 1 FROM customers c JOIN tree ON c.parent_id = tree.id \
    WHERE c.organization_id = ? AND c.deleted_at IS NULL AND tree.depth < ? )";

async fn rollup_of(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: CustomerId,
) -> Result<Rollup, StoreError> {
    #[derive(FromQueryResult)]
    struct Part {
        part: String,
        currency: Option<String>,
        n: i64,
        mrr: Option<i64>,
        ltv: Option<i64>,
        depth: Option<i64>,
    }
    let sql = format!(
        "{SUBTREE} \
        SELECT 'money' AS part, c.currency AS currency, CAST(COUNT(*) AS bigint) AS n, \
            CAST(SUM(c.mrr_minor) AS bigint) AS mrr, CAST(SUM(c.ltv_minor) AS bigint) AS ltv, \
            CAST(MAX(tree.depth) AS bigint) AS depth \
        FROM tree JOIN customers c ON c.id = tree.id GROUP BY c.currency \
        UNION ALL \
        SELECT 'contacts', NULL, CAST(COUNT(*) AS bigint), NULL, NULL, NULL FROM contacts \
        WHERE organization_id = ? AND deleted_at IS NULL AND customer_id IN (SELECT id FROM tree) \
        UNION ALL \
        SELECT 'tickets', NULL, CAST(COUNT(*) AS bigint), NULL, NULL, NULL FROM activities \
        WHERE organization_id = ? AND activity_type = 'ticket' AND completed_at IS NULL \
        AND deleted_at IS NULL AND customer_id IN (SELECT id FROM tree)"
    );
    let parts = Part::find_by_statement(stmt(
        db.get_database_backend(),
        &sql,
        vec![
            org.as_uuid().into(),
            id.as_uuid().into(),
            org.as_uuid().into(),
            MAX_DEPTH.into(),
            org.as_uuid().into(),
            org.as_uuid().into(),
        ],
    ))
    .all(db)
    .await?;
    let mut rollup = Rollup {
        customer_id: id.as_uuid(),
        customers: 0,
        depth: 0,
        totals: Vec::new(),
        contacts: 0,
        open_tickets: 0,
    };
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    for part in parts {
        match part.part.as_str() {
            "money" => {
                rollup.customers += count(part.n);
                rollup.depth = rollup.depth.max(count(part.depth.unwrap_or(0)));
                rollup.totals.push(CurrencySums {
                    currency: part.currency.unwrap_or_default(),
                    mrr_minor: part.mrr.unwrap_or(0),
                    ltv_minor: part.ltv.unwrap_or(0),
                });
            }
            "contacts" => rollup.contacts = count(part.n),
            _ => rollup.open_tickets = count(part.n),
        }
    }
    if rollup.customers == 0 {
        return Err(StoreError::NotFound);
    }
    rollup.totals.sort_by(|a, b| a.currency.cmp(&b.currency));
    Ok(rollup)
}

impl Store {
    /// Totals over the customer and all its live descendants.
    pub async fn rollup(&self, org: OrganizationId, id: CustomerId) -> Result<Rollup, StoreError> {
        rollup_of(&self.db, org, id).await
    }

    /// The customer's ancestors, root first, direct parent last.
    pub async fn ancestors(
        &self,
        org: OrganizationId,
        id: CustomerId,
    ) -> Result<Vec<CustomerLink>, StoreError> {
        #[derive(FromQueryResult)]
        struct Ranked {
            id: Uuid,
            name: String,
            customer_code: String,
            status: String,
            mrr_minor: i64,
            currency: String,
        }
        let rows = Ranked::find_by_statement(stmt(
            self.db.get_database_backend(),
            "WITH RECURSIVE chain(id, parent_id, depth) AS ( \
                SELECT id, parent_id, 0 FROM customers WHERE organization_id = ? AND id = ? \
                UNION ALL \
                SELECT c.id, c.parent_id, chain.depth + 1 FROM customers c JOIN chain ON c.id = chain.parent_id \
                WHERE c.organization_id = ? AND chain.depth < ? ) \
            SELECT c.id, c.name, c.customer_code, c.status, c.mrr_minor, c.currency \
            FROM chain JOIN customers c ON c.id = chain.id WHERE chain.depth > 0 ORDER BY chain.depth DESC",
            vec![
                org.as_uuid().into(),
                id.as_uuid().into(),
                org.as_uuid().into(),
                MAX_DEPTH.into(),
            ],
        ))
        .all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| CustomerLink {
                id: r.id,
                name: r.name,
                customer_code: r.customer_code,
                status: r.status,
                mrr_minor: r.mrr_minor,
                currency: r.currency,
            })
            .collect())
    }

    /// Live direct children with the roll-up of each one's subtree (at most 200, by name).
    pub async fn children(
        &self,
        org: OrganizationId,
        id: CustomerId,
    ) -> Result<Vec<(CustomerLink, Rollup)>, StoreError> {
        self.customer(org, id, false).await?;
        let links = CustomerLink::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT id, name, customer_code, status, mrr_minor, currency FROM customers \
             WHERE organization_id = ? AND parent_id = ? AND deleted_at IS NULL ORDER BY name_sort, id LIMIT 200",
            vec![org.as_uuid().into(), id.as_uuid().into()],
        ))
        .all(&self.db)
        .await?;
        let mut out = Vec::with_capacity(links.len());
        for link in links {
            let rollup = rollup_of(&self.db, org, CustomerId::from_uuid(link.id)).await?;
            out.push((link, rollup));
        }
        Ok(out)
    }

    /// How many live direct children the customer has.
    pub async fn child_count(
        &self,
        org: OrganizationId,
        id: CustomerId,
    ) -> Result<u64, StoreError> {
        Ok(crate::sql::count(
            &self.db,
            stmt(
                self.db.get_database_backend(),
                "SELECT CAST(COUNT(*) AS bigint) AS n FROM customers WHERE organization_id = ? AND parent_id = ? AND deleted_at IS NULL",
                vec![org.as_uuid().into(), id.as_uuid().into()],
            ),
        )
        .await?)
    }
}
