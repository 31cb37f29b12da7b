//! Contacts and addresses of a customer: soft-deleted, versioned, audited, and "exactly one
//! primary" kept by the transaction (demote, then promote) with a partial unique index behind
//! it. This module must not interpret HTTP or permissions.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use serde::Serialize;
use tenure_domain::contact::{NewAddress, NewContact};
use tenure_domain::error::FieldError;
use tenure_domain::ids::{AddressId, ContactId, CustomerId, OrganizationId};
use uuid::Uuid;

use crate::customer::lock_live_customer;
use crate::sql::{insert, stmt, update_versioned};
use crate::{Actor, Store, StoreError, audit};

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct ContactRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub role: String,
    pub is_primary: bool,
    pub is_influencer: bool,
    pub portal_access: bool,
    pub preferred_channel: Option<String>,
    pub receives_order_updates: bool,
    pub receives_marketing: bool,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const CONTACT_COLUMNS: &str = "id, customer_id, first_name, last_name, email, phone, mobile, \
    title, department, role, is_primary, is_influencer, portal_access, preferred_channel, \
    receives_order_updates, receives_marketing, last_contacted_at, notes, version, deleted_at, \
    created_at, updated_at";

/// An address as stored.
#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct AddressRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub kind: String,
    pub label: Option<String>,
    pub line1: String,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: String,
    pub is_primary: bool,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const ADDRESS_COLUMNS: &str = "id, customer_id, kind, label, line1, line2, city, region, \
    postal_code, country, is_primary, version, deleted_at, created_at, updated_at";

pub(crate) fn contact_values(new: &NewContact) -> Vec<(&'static str, Value)> {
    let text = |v: &Option<tenure_domain::values::BoundedText>| -> Value {
        v.as_ref().map(|t| t.as_str().to_owned()).into()
    };
    vec![
        ("first_name", text(&new.first_name)),
        ("last_name", text(&new.last_name)),
        (
            "email",
            new.email.as_ref().map(|e| e.as_str().to_owned()).into(),
        ),
        (
            "phone",
            new.phone.as_ref().map(|p| p.e164().to_owned()).into(),
        ),
        (
            "mobile",
            new.mobile.as_ref().map(|p| p.e164().to_owned()).into(),
        ),
        ("title", text(&new.title)),
        ("department", text(&new.department)),
        ("role", new.role.as_str().into()),
        ("is_primary", new.is_primary.into()),
        ("is_influencer", new.is_influencer.into()),
        ("portal_access", new.portal_access.into()),
        (
            "preferred_channel",
            new.preferred_channel.map(|c| c.as_str().to_owned()).into(),
        ),
        ("receives_order_updates", new.receives_order_updates.into()),
        ("receives_marketing", new.receives_marketing.into()),
        ("last_contacted_at", new.last_contacted_at.into()),
        (
            "notes",
            new.notes.as_ref().map(|n| n.as_str().to_owned()).into(),
        ),
    ]
}

pub(crate) fn address_values(new: &NewAddress) -> Vec<(&'static str, Value)> {
    let text = |v: &Option<tenure_domain::values::BoundedText>| -> Value {
        v.as_ref().map(|t| t.as_str().to_owned()).into()
    };
    vec![
        ("kind", new.kind.as_str().into()),
        ("label", text(&new.label)),
        ("line1", new.line1.as_str().into()),
        ("line2", text(&new.line2)),
        ("city", text(&new.city)),
        ("region", text(&new.region)),
        (
            "postal_code",
            new.postal_code
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .into(),
        ),
        ("country", new.country.as_str().into()),
        ("is_primary", new.is_primary.into()),
    ]
}

/// The two tables share their shape of rules; this names what differs.
#[derive(Clone, Copy)]
pub(crate) struct Table {
    name: &'static str,
    entity: &'static str,
    columns: &'static str,
}

pub(crate) const CONTACTS: Table = Table {
    name: "contacts",
    entity: "contact",
    columns: CONTACT_COLUMNS,
};
pub(crate) const ADDRESSES: Table = Table {
    name: "addresses",
    entity: "address",
    columns: ADDRESS_COLUMNS,
};

pub(crate) async fn rows<R: FromQueryResult>(
    db: &impl ConnectionTrait,
    table: Table,
    org: OrganizationId,
    customer: CustomerId,
    include_deleted: bool,
    order: &str,
) -> Result<Vec<R>, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE organization_id = ? AND customer_id = ?{} ORDER BY {order}",
        table.columns,
        table.name,
        if include_deleted {
            ""
        } else {
            " AND deleted_at IS NULL"
        }
    );
    Ok(R::find_by_statement(stmt(
        db.get_database_backend(),
        &sql,
        vec![org.as_uuid().into(), customer.as_uuid().into()],
    ))
    .all(db)
    .await?)
}

async fn row<R: FromQueryResult>(
    db: &impl ConnectionTrait,
    table: Table,
    org: OrganizationId,
    customer: CustomerId,
    id: Uuid,
) -> Result<R, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE organization_id = ? AND customer_id = ? AND id = ?",
        table.columns, table.name
    );
    R::find_by_statement(stmt(
        db.get_database_backend(),
        &sql,
        vec![org.as_uuid().into(), customer.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Clears the primary flag of the customer's live rows (of one address kind when given), except
/// `keep`, so the next promotion cannot collide with the partial unique index.
async fn demote_primary(
    txn: &DatabaseTransaction,
    table: Table,
    org: OrganizationId,
    customer: CustomerId,
    kind: Option<&str>,
    keep: Option<Uuid>,
) -> Result<(), StoreError> {
    let mut sql = format!(
        "UPDATE {} SET is_primary = ?, version = version + 1, updated_at = ? WHERE organization_id = ? AND customer_id = ? AND is_primary = ? AND deleted_at IS NULL",
        table.name
    );
    let mut values: Vec<Value> = vec![
        false.into(),
        crate::now().into(),
        org.as_uuid().into(),
        customer.as_uuid().into(),
        true.into(),
    ];
    if let Some(kind) = kind {
        sql.push_str(" AND kind = ?");
        values.push(kind.into());
    }
    if let Some(keep) = keep {
        sql.push_str(" AND id <> ?");
        values.push(keep.into());
    }
    txn.execute_raw(stmt(txn.get_database_backend(), &sql, values))
        .await?;
    Ok(())
}

/// Whether the customer has a live primary (of `kind`, for addresses) other than `except`.
async fn has_primary(
    txn: &DatabaseTransaction,
    table: Table,
    org: OrganizationId,
    customer: CustomerId,
    kind: Option<&str>,
    except: Option<Uuid>,
) -> Result<bool, StoreError> {
    let mut sql = format!(
        "SELECT 1 AS one FROM {} WHERE organization_id = ? AND customer_id = ? AND is_primary = ? AND deleted_at IS NULL",
        table.name
    );
    let mut values: Vec<Value> = vec![org.as_uuid().into(), customer.as_uuid().into(), true.into()];
    if let Some(kind) = kind {
        sql.push_str(" AND kind = ?");
        values.push(kind.into());
    }
    if let Some(except) = except {
        sql.push_str(" AND id <> ?");
        values.push(except.into());
    }
    Ok(txn
        .query_one_raw(stmt(txn.get_database_backend(), &sql, values))
        .await?
        .is_some())
}

/// Promotes the oldest live row (of `kind`) when none is primary, so a customer with contacts
/// always has exactly one primary.
async fn promote_oldest(
    txn: &DatabaseTransaction,
    table: Table,
    org: OrganizationId,
    customer: CustomerId,
    kind: Option<&str>,
) -> Result<(), StoreError> {
    if has_primary(txn, table, org, customer, kind, None).await? {
        return Ok(());
    }
    let mut sql = format!(
        "SELECT id FROM {} WHERE organization_id = ? AND customer_id = ? AND deleted_at IS NULL",
        table.name
    );
    let mut values: Vec<Value> = vec![org.as_uuid().into(), customer.as_uuid().into()];
    if let Some(kind) = kind {
        sql.push_str(" AND kind = ?");
        values.push(kind.into());
    }
    sql.push_str(" ORDER BY created_at, id LIMIT 1");
    #[derive(FromQueryResult)]
    struct Id {
        id: Uuid,
    }
    if let Some(next) = Id::find_by_statement(stmt(txn.get_database_backend(), &sql, values))
        .one(txn)
        .await?
    {
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            &format!(
                "UPDATE {} SET is_primary = ?, version = version + 1, updated_at = ? WHERE id = ?",
                table.name
            ),
            vec![true.into(), crate::now().into(), next.id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// What the shared soft-delete needs to know of a contact or an address row.
trait ChildRow: FromQueryResult + Serialize {
    fn version(&self) -> i64;
    /// The group one primary is kept in: addresses by kind, contacts all together.
    fn primary_group(&self) -> Option<&str>;
}

impl ChildRow for ContactRecord {
    fn version(&self) -> i64 {
        self.version
    }

    fn primary_group(&self) -> Option<&str> {
        None
    }
}

impl ChildRow for AddressRecord {
    fn version(&self) -> i64 {
        self.version
    }

    fn primary_group(&self) -> Option<&str> {
        Some(&self.kind)
    }
}

impl Store {
    /// Soft-deletes (`delete`) or restores one row in its own transaction, keeping the primary
    /// rule: deleting the primary promotes the oldest sibling; a restored row is primary only
    /// when its group has none. `expected_version` is checked when given.
    async fn set_child_deleted<R: ChildRow>(
        &self,
        table: Table,
        (org, customer): (OrganizationId, CustomerId),
        id: Uuid,
        expected_version: Option<i64>,
        delete: bool,
        actor: &Actor,
    ) -> Result<R, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let before: R = row(&txn, table, org, customer, id).await?;
        StoreError::check_version(expected_version, before.version())?;
        let group = before.primary_group().map(str::to_owned);
        let group = group.as_deref();
        let now = crate::now();
        let primary = if delete {
            false
        } else {
            !has_primary(&txn, table, org, customer, group, None).await?
        };
        let sql = format!(
            "UPDATE {} SET deleted_at = ?, is_primary = ?, version = version + 1, updated_at = ? WHERE id = ? AND organization_id = ? AND deleted_at IS {}",
            table.name,
            if delete { "NULL" } else { "NOT NULL" }
        );
        let changed = txn
            .execute_raw(stmt(
                txn.get_database_backend(),
                &sql,
                vec![
                    delete.then_some(now).into(),
                    primary.into(),
                    now.into(),
                    id.into(),
                    org.as_uuid().into(),
                ],
            ))
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        if delete {
            promote_oldest(&txn, table, org, customer, group).await?;
        }
        let after: R = row(&txn, table, org, customer, id).await?;
        audit::record(
            &txn,
            org,
            actor,
            &format!(
                "{}.{}",
                table.entity,
                if delete { "deleted" } else { "restored" }
            ),
            table.entity,
            Some(id),
            audit::diff_of(Some(&before), Some(&after)),
        )
        .await?;
        // Contacts' emails and phones and the main address are duplicate evidence.
        crate::duplicate::refresh_match_keys(&txn, org, &[customer.as_uuid()]).await?;
        txn.commit().await?;
        Ok(after)
    }
}

impl Store {
    /// The customer's contacts: primary first, then by name. `NotFound` for an unknown customer.
    pub async fn contacts(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        include_deleted: bool,
    ) -> Result<Vec<ContactRecord>, StoreError> {
        self.customer(org, customer, false).await?;
        rows(
            &self.db,
            CONTACTS,
            org,
            customer,
            include_deleted,
            "is_primary DESC, COALESCE(last_name, ''), COALESCE(first_name, ''), id",
        )
        .await
    }

    pub async fn contact(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: ContactId,
    ) -> Result<ContactRecord, StoreError> {
        row(&self.db, CONTACTS, org, customer, id.as_uuid()).await
    }

    /// Adds a contact. The customer's first contact is primary whatever was asked; a new primary
    /// demotes the old one in the same transaction.
    pub async fn create_contact(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        new: &NewContact,
        actor: &Actor,
    ) -> Result<ContactRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let mut new = new.clone();
        if !has_primary(&txn, CONTACTS, org, customer, None, None).await? {
            new.is_primary = true;
        } else if new.is_primary {
            demote_primary(&txn, CONTACTS, org, customer, None, None).await?;
        }
        let id = ContactId::new().as_uuid();
        let now = crate::now();
        let mut columns = contact_values(&new);
        columns.extend(child_columns(id, org, customer, actor, now));
        insert(&txn, "contacts", columns).await?;
        let created: ContactRecord = row(&txn, CONTACTS, org, customer, id).await?;
        audit::record(
            &txn,
            org,
            actor,
            "contact.created",
            "contact",
            Some(id),
            audit::diff_of(None, Some(&created)),
        )
        .await?;
        // Contacts' emails and phones and the main address are duplicate evidence.
        crate::duplicate::refresh_match_keys(&txn, org, &[customer.as_uuid()]).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Replaces a live contact's fields. Becoming primary demotes the old primary; the primary
    /// cannot simply stop being primary (make another contact primary instead).
    pub async fn update_contact(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: ContactId,
        expected_version: Option<i64>,
        new: &NewContact,
        actor: &Actor,
    ) -> Result<ContactRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let before: ContactRecord = row(&txn, CONTACTS, org, customer, id.as_uuid()).await?;
        if before.deleted_at.is_some() {
            return Err(StoreError::NotFound);
        }
        StoreError::check_version(expected_version, before.version)?;
        if before.is_primary && !new.is_primary {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "is_primary",
                "a customer always has one primary contact; make another contact primary instead",
            )]));
        }
        if new.is_primary && !before.is_primary {
            demote_primary(&txn, CONTACTS, org, customer, None, Some(id.as_uuid())).await?;
        }
        let mut columns = contact_values(new);
        columns.extend(touched(actor));
        update_versioned(&txn, "contacts", columns, id.as_uuid(), org.as_uuid()).await?;
        let after: ContactRecord = row(&txn, CONTACTS, org, customer, id.as_uuid()).await?;
        audit::record(
            &txn,
            org,
            actor,
            "contact.updated",
            "contact",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), Some(&after)),
        )
        .await?;
        // Contacts' emails and phones and the main address are duplicate evidence.
        crate::duplicate::refresh_match_keys(&txn, org, &[customer.as_uuid()]).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Soft-deletes a contact; when it was primary the oldest remaining contact takes over.
    pub async fn delete_contact(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: ContactId,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<ContactRecord, StoreError> {
        self.set_child_deleted(
            CONTACTS,
            (org, customer),
            id.as_uuid(),
            expected_version,
            true,
            actor,
        )
        .await
    }

    /// Brings a deleted contact back (primary only if the customer has none now). An email now
    /// used by another live contact is a conflict.
    pub async fn restore_contact(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: ContactId,
        actor: &Actor,
    ) -> Result<ContactRecord, StoreError> {
        self.set_child_deleted(CONTACTS, (org, customer), id.as_uuid(), None, false, actor)
            .await
    }

    /// The customer's addresses by kind, primary first.
    pub async fn addresses(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        include_deleted: bool,
    ) -> Result<Vec<AddressRecord>, StoreError> {
        self.customer(org, customer, false).await?;
        rows(
            &self.db,
            ADDRESSES,
            org,
            customer,
            include_deleted,
            "kind, is_primary DESC, created_at, id",
        )
        .await
    }

    pub async fn address(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: AddressId,
    ) -> Result<AddressRecord, StoreError> {
        row(&self.db, ADDRESSES, org, customer, id.as_uuid()).await
    }

    /// Adds an address; the first of its kind is primary, and a new primary demotes the old one
    /// of that kind.
    pub async fn create_address(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        new: &NewAddress,
        actor: &Actor,
    ) -> Result<AddressRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let mut new = new.clone();
        let kind = Some(new.kind.as_str());
        if !has_primary(&txn, ADDRESSES, org, customer, kind, None).await? {
            new.is_primary = true;
        } else if new.is_primary {
            demote_primary(&txn, ADDRESSES, org, customer, kind, None).await?;
        }
        let id = AddressId::new().as_uuid();
        let mut columns = address_values(&new);
        columns.extend(child_columns(id, org, customer, actor, crate::now()));
        insert(&txn, "addresses", columns).await?;
        let created: AddressRecord = row(&txn, ADDRESSES, org, customer, id).await?;
        audit::record(
            &txn,
            org,
            actor,
            "address.created",
            "address",
            Some(id),
            audit::diff_of(None, Some(&created)),
        )
        .await?;
        // Contacts' emails and phones and the main address are duplicate evidence.
        crate::duplicate::refresh_match_keys(&txn, org, &[customer.as_uuid()]).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Replaces a live address's fields, keeping one primary per kind (a change of kind leaves
    /// the old kind's group with a primary and joins the new group as primary only if it has
    /// none or the caller asks).
    pub async fn update_address(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: AddressId,
        expected_version: Option<i64>,
        new: &NewAddress,
        actor: &Actor,
    ) -> Result<AddressRecord, StoreError> {
        let txn = self.begin_write().await?;
        lock_live_customer(&txn, org, customer).await?;
        let before: AddressRecord = row(&txn, ADDRESSES, org, customer, id.as_uuid()).await?;
        if before.deleted_at.is_some() {
            return Err(StoreError::NotFound);
        }
        StoreError::check_version(expected_version, before.version)?;
        let mut new = new.clone();
        let kind = new.kind.as_str();
        let moved = kind != before.kind;
        if before.is_primary && !new.is_primary && !moved {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "is_primary",
                "each kind keeps one primary address; make another address primary instead",
            )]));
        }
        let others_primary = has_primary(
            &txn,
            ADDRESSES,
            org,
            customer,
            Some(kind),
            Some(id.as_uuid()),
        )
        .await?;
        if !others_primary {
            new.is_primary = true;
        } else if new.is_primary {
            demote_primary(
                &txn,
                ADDRESSES,
                org,
                customer,
                Some(kind),
                Some(id.as_uuid()),
            )
            .await?;
        }
        let mut columns = address_values(&new);
        columns.extend(touched(actor));
        update_versioned(&txn, "addresses", columns, id.as_uuid(), org.as_uuid()).await?;
        if moved {
            promote_oldest(&txn, ADDRESSES, org, customer, Some(&before.kind)).await?;
        }
        let after: AddressRecord = row(&txn, ADDRESSES, org, customer, id.as_uuid()).await?;
        audit::record(
            &txn,
            org,
            actor,
            "address.updated",
            "address",
            Some(id.as_uuid()),
            audit::diff_of(Some(&before), Some(&after)),
        )
        .await?;
        // Contacts' emails and phones and the main address are duplicate evidence.
        crate::duplicate::refresh_match_keys(&txn, org, &[customer.as_uuid()]).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Soft-deletes an address; when it was primary the oldest of its kind takes over.
    pub async fn delete_address(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: AddressId,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<AddressRecord, StoreError> {
        self.set_child_deleted(
            ADDRESSES,
            (org, customer),
            id.as_uuid(),
            expected_version,
            true,
            actor,
        )
        .await
    }

    /// Brings a deleted address back (primary only if its kind has none now).
    pub async fn restore_address(
        &self,
        org: OrganizationId,
        customer: CustomerId,
        id: AddressId,
        actor: &Actor,
    ) -> Result<AddressRecord, StoreError> {
        self.set_child_deleted(ADDRESSES, (org, customer), id.as_uuid(), None, false, actor)
            .await
    }
}

/// The bookkeeping columns of a new child row.
pub(crate) fn child_columns(
    id: Uuid,
    org: OrganizationId,
    customer: CustomerId,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Vec<(&'static str, Value)> {
    vec![
        ("id", id.into()),
        ("organization_id", org.as_uuid().into()),
        ("customer_id", customer.as_uuid().into()),
        ("created_by", actor.user_id.map(|u| u.as_uuid()).into()),
        ("updated_by", actor.user_id.map(|u| u.as_uuid()).into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]
}

/// The bookkeeping columns of an update.
fn touched(actor: &Actor) -> Vec<(&'static str, Value)> {
    vec![
        ("updated_by", actor.user_id.map(|u| u.as_uuid()).into()),
        ("updated_at", crate::now().into()),
    ]
}
