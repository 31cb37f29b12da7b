//! Account actions: the append-only credits ledger (balances are summed, never stored) and
//! account flags. Each write is audited and shows on the timeline. This module must not
//! interpret HTTP or permissions.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use tenure_domain::account::{FlagName, NewLedgerEntry};
use tenure_domain::activity::{ActivityType, NewActivity, subject};
use tenure_domain::ids::{CustomerId, FlagId, LedgerEntryId, OrganizationId};
use uuid::Uuid;

use crate::activity::insert_activity;
use crate::customer::lock_live_customer;
use crate::sql::{insert, stmt};
use crate::{Actor, Store, StoreError, audit};

#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct LedgerEntryRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub order_reference: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: String,
    pub created_at: DateTime<Utc>,
}

/// Sums of one currency's entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerBalance {
    pub currency: String,
    /// Credits minus debits, in minor units.
    pub credit_balance_minor: i64,
    pub refunded_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct FlagRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub flag: String,
    pub reason: String,
    pub created_by_label: String,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_by_label: Option<String>,
    pub removed_reason: Option<String>,
}

pub(crate) const LEDGER_COLUMNS: &str = "id, customer_id, kind, amount_minor, currency, reason, \
    order_reference, actor_user_id, actor_label, created_at";
pub(crate) const FLAG_COLUMNS: &str = "id, customer_id, flag, reason, created_by_label, created_at, \
    removed_at, removed_by_label, removed_reason";

async fn balances_of(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    customer: CustomerId,
) -> Result<Vec<LedgerBalance>, StoreError> {
    #[derive(FromQueryResult)]
    struct Sum {
        currency: String,
        kind: String,
        total: i64,
    }
    let sums = Sum::find_by_statement(stmt(
        db.get_database_backend(),
        "SELECT currency, kind, CAST(SUM(amount_minor) AS bigint) AS total FROM ledger_entries WHERE organization_id = ? AND customer_id = ? GROUP BY currency, kind ORDER BY currency",
        vec![org.as_uuid().into(), customer.as_uuid().into()],
    ))
    .all(db)
    .await?;
    let mut out: Vec<LedgerBalance> = Vec::new();
    for sum in sums {
        if out.last().is_none_or(|b| b.currency != sum.currency) {
            out.push(LedgerBalance {
                currency: sum.currency.clone(),
                credit_balance_minor: 0,
                refunded_minor: 0,
            });
        }
        if let Some(balance) = out.last_mut() {
            match sum.kind.as_str() {
                "credit" => {
                    balance.credit_balance_minor =
                        balance.credit_balance_minor.saturating_add(sum.total)
                }
                "debit" => {
                    balance.credit_balance_minor =
                        balance.credit_balance_minor.saturating_sub(sum.total)
                }
                _ => balance.refunded_minor = balance.refunded_minor.saturating_add(sum.total),
            }
        }
    }
    Ok(out)
}

impl Store {
    /// The customer's ledger, newest first, with its balances per currency.
    pub async fn ledger(
        &self,
        org: OrganizationId,
        customer: CustomerId,
    ) -> Result<(Vec<LedgerEntryRecord>, Vec<LedgerBalance>), StoreError> {
        self.customer(org, customer, false).await?;
        let entries = LedgerEntryRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!(
                "SELECT {LEDGER_COLUMNS} FROM ledger_entries WHERE organization_id = ? AND customer_id = ? ORDER BY created_at DESC, id DESC LIMIT 500"
            ),
            vec![org.as_uuid().into(), customer.as_uuid().into()],
        ))
        .all(&self.db)
        .await?;
        let balances = balances_of(&self.db, org, customer).await?;
        Ok((entries, balances))
    }

    /// The credit balances only (for the overview).
    pub async fn ledger_balances(
        &self,
        org: OrganizationId,
        customer: CustomerId,
    ) -> Result<Vec<LedgerBalance>, StoreError> {
        balances_of(&self.db, org, customer).await
    }

    /// Appends an entry and its timeline line. A debit may not take the balance below zero.
    pub async fn append_ledger_entry(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        new: &NewLedgerEntry,
        actor: &Actor,
    ) -> Result<LedgerEntryRecord, StoreError> {
        use tenure_domain::account::LedgerKind;
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        if new.kind == LedgerKind::Debit {
            let available = balances_of(&txn, org, customer)
                .await?
                .into_iter()
                .find(|b| b.currency == new.currency.as_str())
                .map_or(0, |b| b.credit_balance_minor);
            if available < new.amount.minor() {
                return Err(StoreError::Invalid(vec![
                    tenure_domain::error::FieldError::new(
                        "amount",
                        format!(
                            "only {} {} of credit is available",
                            tenure_domain::money::Money::from_minor(available)
                                .to_decimal_string(&new.currency),
                            new.currency.as_str()
                        ),
                    ),
                ]));
            }
        }
        let id = LedgerEntryId::new().as_uuid();
        let order_reference = new.order_reference.as_ref().map(|r| r.as_str().to_owned());
        insert(
            &txn,
            "ledger_entries",
            vec![
                ("id", id.into()),
                ("organization_id", org.as_uuid().into()),
                ("customer_id", customer.as_uuid().into()),
                ("kind", new.kind.as_str().into()),
                ("amount_minor", new.amount.minor().into()),
                ("currency", new.currency.as_str().into()),
                ("reason", new.reason.as_str().into()),
                ("order_reference", order_reference.clone().into()),
                ("actor_user_id", actor.user_id.map(|u| u.as_uuid()).into()),
                ("actor_label", actor.label.clone().into()),
                ("created_at", crate::now().into()),
            ],
        )
        .await?;
        let amount = format!(
            "{} {}",
            new.amount.to_decimal_string(&new.currency),
            new.currency.as_str()
        );
        let verb = match new.kind {
            LedgerKind::Credit => "Credit issued",
            LedgerKind::Debit => "Credit applied",
            LedgerKind::Refund => "Refund issued",
        };
        let mut activity = NewActivity::system(
            ActivityType::Credit,
            subject(&format!("{verb}: {amount} ({})", new.reason.as_str())),
            crate::now(),
        );
        activity.amount = Some((new.amount, new.currency));
        activity.related_type = Some("ledger_entry".to_owned());
        activity.related_ref = order_reference;
        activity
            .metadata
            .insert("kind".to_owned(), new.kind.as_str().into());
        insert_activity(&txn, org, customer, &activity, actor).await?;
        let created = LedgerEntryRecord::find_by_statement(stmt(
            txn.get_database_backend(),
            &format!("SELECT {LEDGER_COLUMNS} FROM ledger_entries WHERE id = ?"),
            vec![id.into()],
        ))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
        audit::record(
            &txn,
            org,
            actor,
            "ledger.appended",
            "ledger_entry",
            Some(id),
            audit::diff_of(None, Some(&created)),
        )
        .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Flags of the customer: active first, then removed, newest first.
    pub async fn flags(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        active_only: bool,
    ) -> Result<Vec<FlagRecord>, StoreError> {
        self.customer(org, customer, false).await?;
        Ok(FlagRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!(
                "SELECT {FLAG_COLUMNS} FROM customer_flags WHERE organization_id = ? AND customer_id = ?{} ORDER BY CASE WHEN removed_at IS NULL THEN 0 ELSE 1 END, created_at DESC LIMIT 200",
                if active_only { " AND removed_at IS NULL" } else { "" }
            ),
            vec![org.as_uuid().into(), customer.as_uuid().into()],
        ))
        .all(&self.db)
        .await?)
    }

    /// Raises a flag; raising one that is already up is a conflict.
    pub async fn add_flag(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        flag: &FlagName,
        reason: &str,
        actor: &Actor,
    ) -> Result<FlagRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let id = FlagId::new().as_uuid();
        insert(
            &txn,
            "customer_flags",
            vec![
                ("id", id.into()),
                ("organization_id", org.as_uuid().into()),
                ("customer_id", customer.as_uuid().into()),
                ("flag", flag.as_str().into()),
                ("reason", reason.into()),
                ("created_by_label", actor.label.clone().into()),
                ("created_at", crate::now().into()),
            ],
        )
        .await?;
        let activity = NewActivity::system(
            ActivityType::Flag,
            subject(&format!("Flag raised: {} ({reason})", flag.as_str())),
            crate::now(),
        );
        insert_activity(&txn, org, customer, &activity, actor).await?;
        let created = flag_row(&txn, org, customer, id).await?;
        audit::record(
            &txn,
            org,
            actor,
            "flag.added",
            "flag",
            Some(id),
            audit::diff_of(None, Some(&created)),
        )
        .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Lowers an active flag, keeping it in the history with who and why.
    pub async fn remove_flag(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: FlagId,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<FlagRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let before = flag_row(&txn, org, customer, id.as_uuid()).await?;
        if before.removed_at.is_some() {
            return Err(StoreError::NotFound);
        }
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE customer_flags SET removed_at = ?, removed_by_label = ?, removed_reason = ? WHERE id = ? AND organization_id = ?",
            vec![
                crate::now().into(),
                actor.label.clone().into(),
                reason.map(str::to_owned).into(),
                id.as_uuid().into(),
                org.as_uuid().into(),
            ],
        ))
        .await?;
        let activity = NewActivity::system(
            ActivityType::Flag,
            subject(&format!(
                "Flag removed: {}{}",
                before.flag,
                reason.map(|r| format!(" ({r})")).unwrap_or_default()
            )),
            crate::now(),
        );
        insert_activity(&txn, org, customer, &activity, actor).await?;
        let after = flag_row(&txn, org, customer, id.as_uuid()).await?;
        audit::record(
            &txn,
            org,
            actor,
            "flag.removed",
            "flag",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), Some(&after)),
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }
}

async fn flag_row(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    customer: CustomerId,
    id: Uuid,
) -> Result<FlagRecord, StoreError> {
    FlagRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!(
            "SELECT {FLAG_COLUMNS} FROM customer_flags WHERE organization_id = ? AND customer_id = ? AND id = ?"
        ),
        vec![org.as_uuid().into(), customer.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}
