//! Everything held about one customer, for a data-subject access request (GDPR art. 15): the
//! profile, its contacts and addresses (deleted ones too), the whole timeline, the ledger, the
//! flags and every audit entry about any of them. Reading it is itself audited.

use sea_orm::FromQueryResult;
use tenure_domain::ids::{CustomerId, OrganizationId};
use uuid::Uuid;

use crate::account::{FLAG_COLUMNS, FlagRecord, LEDGER_COLUMNS, LedgerEntryRecord};
use crate::activity::ActivityRecord;
use crate::audit::{self, Actor, AuditEntry};
use crate::contact::{ADDRESSES, AddressRecord, CONTACTS, ContactRecord, rows};
use crate::customer::CustomerRecord;
use crate::sql::stmt;
use crate::{Store, StoreError};

/// One customer's data, table by table.
#[derive(Debug, Clone)]
pub struct CustomerData {
    pub customer: CustomerRecord,
    pub contacts: Vec<ContactRecord>,
    pub addresses: Vec<AddressRecord>,
    pub activities: Vec<ActivityRecord>,
    pub ledger: Vec<LedgerEntryRecord>,
    pub flags: Vec<FlagRecord>,
    pub audit: Vec<AuditEntry>,
}

impl Store {
    /// Everything about the customer (deleted or not) and its contacts, and an audit entry
    /// saying who took it.
    pub async fn customer_data(
        &self,
        org: OrganizationId,
        id: CustomerId,
        actor: &Actor,
    ) -> Result<CustomerData, StoreError> {
        let db = &self.db;
        let backend = db.get_database_backend();
        let customer = self.customer(org, id, true).await?;
        let contacts: Vec<ContactRecord> =
            rows(db, CONTACTS, org, id, true, "created_at, id").await?;
        let addresses: Vec<AddressRecord> =
            rows(db, ADDRESSES, org, id, true, "created_at, id").await?;
        let by_customer = |columns: &str, table: &str, order: &str| {
            stmt(
                backend,
                &format!(
                    "SELECT {columns} FROM {table} WHERE organization_id = ? AND customer_id = ? ORDER BY {order}"
                ),
                vec![org.as_uuid().into(), id.as_uuid().into()],
            )
        };
        let activities = ActivityRecord::find_by_statement(by_customer(
            crate::activity::COLUMNS,
            "activities",
            "occurred_at, id",
        ))
        .all(db)
        .await?;
        let ledger = LedgerEntryRecord::find_by_statement(by_customer(
            LEDGER_COLUMNS,
            "ledger_entries",
            "created_at, id",
        ))
        .all(db)
        .await?;
        let flags = FlagRecord::find_by_statement(by_customer(
            FLAG_COLUMNS,
            "customer_flags",
            "created_at, id",
        ))
        .all(db)
        .await?;
        let mut ids: Vec<Uuid> = vec![id.as_uuid()];
        ids.extend(contacts.iter().map(|c| c.id));
        ids.extend(addresses.iter().map(|a| a.id));
        ids.extend(activities.iter().map(|a| a.id));
        let audit = audit::entries_about(db, org, &ids).await?;
        audit::record(
            db,
            org,
            actor,
            "customer.gdpr_exported",
            "customer",
            Some(id.as_uuid()),
            serde_json::json!({
                "contacts": contacts.len(),
                "addresses": addresses.len(),
                "activities": activities.len(),
                "ledger_entries": ledger.len(),
                "audit_entries": audit.len(),
            }),
        )
        .await?;
        Ok(CustomerData {
            customer,
            contacts,
            addresses,
            activities,
            ledger,
            flags,
            audit,
        })
    }
}
