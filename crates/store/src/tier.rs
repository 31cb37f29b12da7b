//! The tier catalogue and tier changes with their pricing impact. Customers carry their tier
//! by name (`customers.tier`), so a rename here renames it on every customer in the same
//! transaction, and a tier in use cannot be deleted. This module must not interpret HTTP.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use serde::Serialize;
use tenure_domain::activity::{ActivityType, NewActivity, subject};
use tenure_domain::error::FieldError;
use tenure_domain::ids::{CustomerId, OrganizationId, TierId};
use tenure_domain::money::Money;
use tenure_domain::tier::{Discount, reprice};
use uuid::Uuid;

use crate::activity::insert_activity;
use crate::customer::{CustomerRecord, lock_live_customer};
use crate::sql::{insert, json, stmt, update_versioned};
use crate::{Actor, Store, StoreError, audit};

/// A tier about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTier {
    pub name: String,
    pub level: i32,
    pub discount: Discount,
    pub benefits: Vec<String>,
    pub min_annual_spend_minor: Option<i64>,
    pub currency: String,
    pub requirements: Option<String>,
    pub colour: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct TierRecord {
    pub id: Uuid,
    pub name: String,
    pub level: i32,
    pub discount_bp: i32,
    pub benefits: serde_json::Value,
    pub min_annual_spend_minor: Option<i64>,
    pub currency: String,
    pub requirements: Option<String>,
    pub colour: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Live customers on the tier.
    pub customers: i64,
}

impl TierRecord {
    pub fn discount(&self) -> Discount {
        Discount::from_basis_points(i64::from(self.discount_bp))
    }
}

const SELECT: &str = "SELECT t.id, t.name, t.level, t.discount_bp, t.benefits, \
    t.min_annual_spend_minor, t.currency, t.requirements, t.colour, t.version, t.created_at, \
    t.updated_at, (SELECT COUNT(*) FROM customers c WHERE c.organization_id = t.organization_id \
    AND c.tier = t.name AND c.deleted_at IS NULL) AS customers FROM tiers t";

/// The folded form names are unique by.
fn name_key(name: &str) -> String {
    tenure_domain::search::fold(name)
}

fn tier_values(new: &NewTier) -> Vec<(&'static str, Value)> {
    vec![
        ("name", new.name.clone().into()),
        ("name_key", name_key(&new.name).into()),
        ("level", new.level.into()),
        (
            "discount_bp",
            i32::try_from(new.discount.basis_points())
                .unwrap_or(0)
                .into(),
        ),
        ("benefits", json(serde_json::json!(new.benefits))),
        ("min_annual_spend_minor", new.min_annual_spend_minor.into()),
        ("currency", new.currency.clone().into()),
        ("requirements", new.requirements.clone().into()),
        ("colour", new.colour.clone().into()),
    ]
}

async fn by_id(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: Uuid,
) -> Result<TierRecord, StoreError> {
    TierRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!("{SELECT} WHERE t.organization_id = ? AND t.id = ?"),
        vec![org.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The tier a customer's `tier` names, if it names one.
pub(crate) async fn by_name(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    name: &str,
) -> Result<Option<TierRecord>, StoreError> {
    Ok(TierRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!("{SELECT} WHERE t.organization_id = ? AND t.name_key = ?"),
        vec![org.as_uuid().into(), name_key(name).into()],
    ))
    .one(db)
    .await?)
}

/// The names of the organisation's tiers.
pub(crate) async fn tier_names(
    db: &impl ConnectionTrait,
    org: OrganizationId,
) -> Result<Vec<String>, StoreError> {
    #[derive(FromQueryResult)]
    struct Name {
        name: String,
    }
    Ok(Name::find_by_statement(stmt(
        db.get_database_backend(),
        "SELECT name FROM tiers WHERE organization_id = ?",
        vec![org.as_uuid().into()],
    ))
    .all(db)
    .await?
    .into_iter()
    .map(|n| n.name)
    .collect())
}

/// What a tier change does, in the customer's currency.
#[derive(Debug, Clone, PartialEq)]
pub struct TierImpact {
    pub old_tier: Option<TierRecord>,
    pub new_tier: Option<TierRecord>,
    pub currency: String,
    pub list_mrr: Money,
    pub mrr_before: Money,
    pub mrr_after: Money,
    pub open_orders: u64,
    pub open_orders_before: Money,
    pub open_orders_after: Money,
    pub meets_requirements: bool,
}

async fn impact(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    customer: &CustomerRecord,
    new_tier: Option<TierId>,
) -> Result<TierImpact, StoreError> {
    let old_tier = match &customer.tier {
        Some(name) => by_name(db, org, name).await?,
        None => None,
    };
    let new_tier =
        match new_tier {
            Some(id) => Some(by_id(db, org, id.as_uuid()).await.map_err(|_| {
                StoreError::Invalid(vec![FieldError::new("tier_id", "no such tier")])
            })?),
            None => None,
        };
    let old = old_tier
        .as_ref()
        .map_or(Discount::NONE, TierRecord::discount);
    let new = new_tier
        .as_ref()
        .map_or(Discount::NONE, TierRecord::discount);
    let mrr = Money::from_minor(customer.mrr_minor);
    let (list_mrr, mrr_after) = reprice(mrr, old, new);
    #[derive(FromQueryResult)]
    struct Open {
        n: i64,
        total: Option<i64>,
    }
    let open = Open::find_by_statement(stmt(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n, CAST(SUM(amount_minor) AS bigint) AS total FROM activities WHERE organization_id = ? AND customer_id = ? AND activity_type = 'order' AND completed_at IS NULL AND deleted_at IS NULL AND currency = ?",
        vec![
            org.as_uuid().into(),
            customer.id.as_uuid().into(),
            customer.currency.clone().into(),
        ],
    ))
    .one(db)
    .await?;
    let (n, total) = open.map_or((0, 0), |o| (o.n, o.total.unwrap_or(0)));
    let orders_before = Money::from_minor(total);
    let (_, orders_after) = reprice(orders_before, old, new);
    let meets_requirements = new_tier.as_ref().is_none_or(|t| {
        t.min_annual_spend_minor.is_none_or(|min| {
            t.currency != customer.currency || mrr_after.minor().saturating_mul(12) >= min
        })
    });
    Ok(TierImpact {
        old_tier,
        new_tier,
        currency: customer.currency.clone(),
        list_mrr,
        mrr_before: mrr,
        mrr_after,
        open_orders: u64::try_from(n).unwrap_or(0),
        open_orders_before: orders_before,
        open_orders_after: orders_after,
        meets_requirements,
    })
}

/// Writes the `tier_change` line of the timeline for a change from `old` to `new`.
pub(crate) async fn record_tier_change(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    customer: CustomerId,
    old: Option<&str>,
    new: Option<&str>,
    extra: serde_json::Map<String, serde_json::Value>,
    actor: &Actor,
) -> Result<(), StoreError> {
    let mut activity = NewActivity::system(
        ActivityType::TierChange,
        subject(&format!(
            "Tier changed from {} to {}",
            old.unwrap_or("none"),
            new.unwrap_or("none")
        )),
        crate::now(),
    );
    activity.metadata = extra;
    activity.metadata.insert("old_tier".to_owned(), old.into());
    activity.metadata.insert("new_tier".to_owned(), new.into());
    insert_activity(txn, org, customer, &activity, actor).await?;
    Ok(())
}

impl Store {
    /// The organisation's tiers, lowest level first.
    pub async fn tiers(&self, org: OrganizationId) -> Result<Vec<TierRecord>, StoreError> {
        Ok(TierRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!("{SELECT} WHERE t.organization_id = ? ORDER BY t.level, t.name"),
            vec![org.as_uuid().into()],
        ))
        .all(&self.db)
        .await?)
    }

    pub async fn tier(&self, org: OrganizationId, id: TierId) -> Result<TierRecord, StoreError> {
        by_id(&self.db, org, id.as_uuid()).await
    }

    /// The tier a customer's `tier` names.
    pub async fn tier_named(
        &self,
        org: OrganizationId,
        name: &str,
    ) -> Result<Option<TierRecord>, StoreError> {
        by_name(&self.db, org, name).await
    }

    pub async fn create_tier(
        &self,
        org: OrganizationId,
        new: &NewTier,
        actor: &Actor,
    ) -> Result<TierRecord, StoreError> {
        let txn = self.begin_write().await?;
        let id = TierId::new().as_uuid();
        let now = crate::now();
        let mut columns = tier_values(new);
        columns.extend([
            ("id", id.into()),
            ("organization_id", org.as_uuid().into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ]);
        insert(&txn, "tiers", columns).await?;
        let created = by_id(&txn, org, id).await?;
        audit::record(
            &txn,
            org,
            actor,
            "tier.created",
            "tier",
            Some(id),
            audit::diff_of(None, Some(&created)),
        )
        .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Replaces a tier; a new name is carried to every customer on the tier.
    pub async fn update_tier(
        &self,
        org: OrganizationId,
        id: TierId,
        expected_version: Option<i64>,
        new: &NewTier,
        actor: &Actor,
    ) -> Result<TierRecord, StoreError> {
        let txn = self.begin_write().await?;
        let before = by_id(&txn, org, id.as_uuid()).await?;
        StoreError::check_version(expected_version, before.version)?;
        let mut columns = tier_values(new);
        columns.push(("updated_at", crate::now().into()));
        update_versioned(&txn, "tiers", columns, id.as_uuid(), org.as_uuid()).await?;
        if before.name != new.name {
            txn.execute_raw(stmt(
                txn.get_database_backend(),
                "UPDATE customers SET tier = ? WHERE organization_id = ? AND tier = ?",
                vec![
                    new.name.clone().into(),
                    org.as_uuid().into(),
                    before.name.clone().into(),
                ],
            ))
            .await?;
        }
        let after = by_id(&txn, org, id.as_uuid()).await?;
        audit::record(
            &txn,
            org,
            actor,
            "tier.updated",
            "tier",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), Some(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Deletes an unused tier; one that customers (live or in the bin) still carry is a
    /// `tier_in_use` conflict.
    pub async fn delete_tier(
        &self,
        org: OrganizationId,
        id: TierId,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let before = by_id(&txn, org, id.as_uuid()).await?;
        let used = txn
            .query_one_raw(stmt(
                txn.get_database_backend(),
                "SELECT 1 AS one FROM customers WHERE organization_id = ? AND tier = ? LIMIT 1",
                vec![org.as_uuid().into(), before.name.clone().into()],
            ))
            .await?
            .is_some();
        if used {
            return Err(StoreError::Conflict {
                constraint: "tier_in_use".to_owned(),
            });
        }
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "DELETE FROM tiers WHERE id = ? AND organization_id = ?",
            vec![id.as_uuid().into(), org.as_uuid().into()],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "tier.deleted",
            "tier",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), None),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// What moving the customer to `tier` (none when `None`) would do; changes nothing.
    pub async fn tier_change_preview(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        tier: Option<TierId>,
    ) -> Result<TierImpact, StoreError> {
        let record = self.customer(org, customer, false).await?;
        impact(&self.db, org, &record, tier).await
    }

    /// Moves the customer to `tier`, repricing MRR by the change in discount when `reprice`,
    /// and writes the `tier_change` activity with the numbers. `expected_version` is checked
    /// when given.
    #[allow(clippy::too_many_arguments)]
    pub async fn change_tier(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        tier: Option<TierId>,
        reprice_mrr: bool,
        reason: Option<&str>,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<(CustomerRecord, TierImpact), StoreError> {
        let txn = self.begin_write().await?;
        let before = lock_live_customer(&txn, org, customer).await?;
        StoreError::check_version(expected_version, before.version)?;
        let impact = impact(&txn, org, &before, tier).await?;
        let new_name = impact.new_tier.as_ref().map(|t| t.name.clone());
        let mrr = if reprice_mrr {
            impact.mrr_after
        } else {
            impact.mrr_before
        };
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE customers SET tier = ?, mrr_minor = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND organization_id = ?",
            vec![
                new_name.clone().into(),
                mrr.minor().into(),
                crate::now().into(),
                actor.user_id.map(|u| u.as_uuid()).into(),
                customer.as_uuid().into(),
                org.as_uuid().into(),
            ],
        ))
        .await?;
        let mut extra = serde_json::Map::new();
        extra.insert(
            "mrr_before_minor".to_owned(),
            impact.mrr_before.minor().into(),
        );
        extra.insert("mrr_after_minor".to_owned(), mrr.minor().into());
        extra.insert("currency".to_owned(), impact.currency.clone().into());
        extra.insert("repriced".to_owned(), reprice_mrr.into());
        if let Some(reason) = reason {
            extra.insert("reason".to_owned(), reason.into());
        }
        record_tier_change(
            &txn,
            org,
            customer,
            before.tier.as_deref(),
            new_name.as_deref(),
            extra,
            actor,
        )
        .await?;
        let after = crate::customer::customer_in(&txn, org, customer).await?;
        audit::record(
            &txn,
            org,
            actor,
            "customer.tier_changed",
            "customer",
            Some(customer.as_uuid()),
            audit::diff_of(Some(&before), Some(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok((after, impact))
    }
}
