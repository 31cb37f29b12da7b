//! Customers: create, read, update, soft delete and restore, each change audited in its own
//! transaction. The directory query lives in [`list`], bulk changes in [`bulk`].
//!
//! Writes take parsed domain types ([`NewCustomer`]); reads return [`CustomerRecord`], a plain
//! record of stored values. This module must not interpret HTTP or permissions.

mod bulk;
mod list;
pub(crate) mod row;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, FromQueryResult, Value};
use serde::Serialize;
use tenure_domain::customer::{
    CustomerKind, CustomerStatus, CustomerType, NewCustomer, PaymentStatus,
};
use tenure_domain::error::FieldError;
use tenure_domain::ids::{CustomerId, OrganizationId, UserId};
use tenure_domain::values::CustomerCode;
use uuid::Uuid;

pub use crate::customer::bulk::{BulkChange, BulkOutcome, BulkStatus, BulkTarget, MAX_BULK};
pub use crate::customer::list::{
    COUNT_CAP, Cursor, CustomerFilter, CustomerPage, Paging, ViewCounts,
};
use crate::customer::row::{CustomerRow, SELECT_COLUMNS};
use crate::sql::{json, stmt};
use crate::{Actor, Store, StoreError, audit};

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CustomerRecord {
    pub id: CustomerId,
    pub organization_id: OrganizationId,
    pub customer_code: String,
    pub kind: CustomerKind,
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
    pub status: CustomerStatus,
    pub customer_type: CustomerType,
    pub tier: Option<String>,
    pub plan: Option<String>,
    pub currency: String,
    pub mrr_minor: i64,
    pub ltv_minor: i64,
    pub credit_limit_minor: Option<i64>,
    pub payment_terms_days: Option<i32>,
    pub payment_status: PaymentStatus,
    pub parent_id: Option<CustomerId>,
    pub owner_id: Option<UserId>,
    pub health_score: Option<i32>,
    pub churn_risk: Option<i32>,
    pub tags: Vec<String>,
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
    /// The survivor this record was merged into, while that merge stands.
    #[serde(default)]
    pub merged_into: Option<CustomerId>,
    pub created_by: Option<UserId>,
    pub updated_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The columns a write sets from a [`NewCustomer`], in a fixed order, with their values.
/// `search_text` and `name_sort` are derived here so no writer can forget them.
pub(crate) fn writable_columns(
    new: &NewCustomer,
    code: &str,
    today: NaiveDate,
) -> Vec<(&'static str, Value)> {
    let text = |value: &Option<tenure_domain::values::BoundedText>| -> Value {
        value.as_ref().map(|v| v.as_str().to_owned()).into()
    };
    let long = |value: &Option<tenure_domain::values::LongText>| -> Value {
        value.as_ref().map(|v| v.as_str().to_owned()).into()
    };
    let phone = new.phone.as_ref().map(|p| p.e164().to_owned());
    let domain = new.website.as_ref().map(|w| w.domain().to_owned());
    vec![
        ("kind", new.kind.as_str().into()),
        ("name", new.name.as_str().into()),
        (
            "name_sort",
            tenure_domain::search::fold(new.name.as_str()).into(),
        ),
        ("display_name", text(&new.display_name)),
        ("legal_name", text(&new.legal_name)),
        ("first_name", text(&new.first_name)),
        ("last_name", text(&new.last_name)),
        ("birth_date", new.birth_date.into()),
        (
            "email",
            new.email.as_ref().map(|e| e.as_str().to_owned()).into(),
        ),
        ("phone", phone.into()),
        (
            "website",
            new.website.as_ref().map(|w| w.url().to_owned()).into(),
        ),
        ("domain", domain.into()),
        ("industry", text(&new.industry)),
        (
            "company_size",
            new.company_size.map(|s| s.as_str().to_owned()).into(),
        ),
        ("tax_id", text(&new.tax_id)),
        ("status", new.status.as_str().into()),
        ("customer_type", new.customer_type.as_str().into()),
        ("tier", text(&new.tier)),
        ("plan", text(&new.plan)),
        ("currency", new.currency.as_str().into()),
        ("mrr_minor", new.mrr.minor().into()),
        ("ltv_minor", new.ltv.minor().into()),
        (
            "credit_limit_minor",
            new.credit_limit.map(|m| m.minor()).into(),
        ),
        (
            "payment_terms_days",
            new.payment_terms_days.map(i32::from).into(),
        ),
        ("payment_status", new.payment_status.as_str().into()),
        ("parent_id", new.parent_id.map(|id| id.as_uuid()).into()),
        ("owner_id", new.owner_id.map(|id| id.as_uuid()).into()),
        (
            "health_score",
            new.health_score.map(|h| i32::from(h.get())).into(),
        ),
        (
            "churn_risk",
            new.churn_risk.map(|c| i32::from(c.get())).into(),
        ),
        (
            "custom_fields",
            json(serde_json::Value::Object(new.custom_fields.clone())),
        ),
        (
            "settings",
            json(serde_json::Value::Object(new.settings.clone())),
        ),
        ("portal_access", new.portal_access.into()),
        ("notes", long(&new.notes)),
        ("internal_notes", long(&new.internal_notes)),
        (
            "country",
            new.country.as_ref().map(|c| c.as_str().to_owned()).into(),
        ),
        ("customer_since", new.customer_since.unwrap_or(today).into()),
        ("external_id", text(&new.external_id)),
        ("source", text(&new.source)),
        ("search_text", with_code(search_text(new), code).into()),
        ("customer_code", code.to_owned().into()),
    ]
}

/// The folded haystack that `q` searches: names, email, code-independent parts, domain and the
/// phone's digits (the code is added by the caller because it may be generated).
fn search_text(new: &NewCustomer) -> String {
    let opt = |v: &Option<tenure_domain::values::BoundedText>| {
        v.as_ref()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default()
    };
    let phone_digits = new
        .phone
        .as_ref()
        .map(|p| tenure_domain::search::digits(p.e164()))
        .unwrap_or_default();
    tenure_domain::search::search_text(&[
        new.name.as_str(),
        &opt(&new.display_name),
        &opt(&new.legal_name),
        &opt(&new.first_name),
        &opt(&new.last_name),
        new.email.as_ref().map(|e| e.as_str()).unwrap_or_default(),
        new.website.as_ref().map(|w| w.domain()).unwrap_or_default(),
        &phone_digits,
        &opt(&new.external_id),
    ])
}

/// `search_text` including the customer code, the one part known only at insert time.
fn with_code(search: String, code: &str) -> String {
    format!("{} {}", tenure_domain::search::fold(code), search)
}

/// What changed, for the audit log: the two records as JSON, diffed field by field.
fn audit_diff(
    before: Option<&CustomerRecord>,
    after: Option<&CustomerRecord>,
) -> serde_json::Value {
    audit::diff_of(before, after)
}

impl Store {
    /// Creates a customer, generating its code when absent. Owner and parent must exist in the
    /// organisation.
    pub async fn create_customer(
        &self,
        org: OrganizationId,
        new: &NewCustomer,
        actor: &Actor,
    ) -> Result<CustomerRecord, StoreError> {
        let txn = self.begin_write().await?;
        check_references(&txn, org, None, new).await?;
        let new = &resolve_catalogue_values(&txn, org, None, new).await?;
        let code = match &new.customer_code {
            Some(code) => code.as_str().to_owned(),
            None => next_free_code(&txn, org).await?,
        };
        let id = CustomerId::new();
        let now = crate::now();
        let mut columns = writable_columns(new, &code, now.date_naive());
        columns.extend([
            ("id", id.as_uuid().into()),
            ("organization_id", org.as_uuid().into()),
            ("version", 1i64.into()),
            ("created_by", actor.user_id.map(|u| u.as_uuid()).into()),
            ("updated_by", actor.user_id.map(|u| u.as_uuid()).into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ]);
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let marks = vec!["?"; names.len()].join(", ");
        let sql = format!(
            "INSERT INTO customers ({}) VALUES ({marks})",
            names.join(", ")
        );
        let values = columns.into_iter().map(|(_, v)| v).collect();
        txn.execute_raw(stmt(txn.get_database_backend(), &sql, values))
            .await?;
        replace_tags(&txn, org, id, new).await?;
        crate::duplicate::refresh_match_keys(&txn, org, &[id.as_uuid()]).await?;
        let created = fetch(&txn, org, id, true).await?;
        audit::record(
            &txn,
            org,
            actor,
            "customer.created",
            "customer",
            Some(id.as_uuid()),
            audit_diff(None, Some(&created)),
        )
        .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// One customer of the organisation; deleted ones only when `include_deleted`.
    pub async fn customer(
        &self,
        org: OrganizationId,
        id: CustomerId,
        include_deleted: bool,
    ) -> Result<CustomerRecord, StoreError> {
        fetch(&self.db, org, id, include_deleted).await
    }

    /// Replaces every writable field of a live customer if `expected_version` is current.
    pub async fn update_customer(
        &self,
        org: OrganizationId,
        id: CustomerId,
        expected_version: i64,
        new: &NewCustomer,
        actor: &Actor,
    ) -> Result<CustomerRecord, StoreError> {
        let txn = self.begin_write().await?;
        let before = fetch_for_update(&txn, org, id).await?;
        StoreError::check_version(Some(expected_version), before.version)?;
        let new = &resolve_catalogue_values(&txn, org, Some(&before), new).await?;
        let after = update_in(&txn, &before, new, actor).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Soft-deletes a live customer (restorable). `expected_version` is checked when given.
    pub async fn delete_customer(
        &self,
        org: OrganizationId,
        id: CustomerId,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<CustomerRecord, StoreError> {
        let txn = self.begin_write().await?;
        let record = set_deleted(&txn, org, id, expected_version, true, actor).await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Brings a soft-deleted customer back.
    pub async fn restore_customer(
        &self,
        org: OrganizationId,
        id: CustomerId,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<CustomerRecord, StoreError> {
        let txn = self.begin_write().await?;
        let record = set_deleted(&txn, org, id, expected_version, false, actor).await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Tags in use on live customers, most used first.
    pub async fn customer_tags_in_use(
        &self,
        org: OrganizationId,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        #[derive(FromQueryResult)]
        struct TagRow {
            tag: String,
            n: i64,
        }
        let rows = TagRow::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT t.tag AS tag, COUNT(*) AS n FROM customer_tags t JOIN customers c ON c.id = t.customer_id WHERE t.organization_id = ? AND c.deleted_at IS NULL GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT 500",
            vec![org.as_uuid().into()],
        ))
        .all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.tag, u64::try_from(r.n).unwrap_or(0)))
            .collect())
    }
}

/// Writes `new` over the live customer `before` (read and locked in `txn`, catalogue values
/// already resolved): references checked, tags replaced, status and tier changes on the
/// timeline, audited. Fails with `VersionMismatch` if the row moved on since `before`.
pub(crate) async fn update_in(
    txn: &DatabaseTransaction,
    before: &CustomerRecord,
    new: &NewCustomer,
    actor: &Actor,
) -> Result<CustomerRecord, StoreError> {
    update_in_with(txn, before, new, actor, true).await
}

/// [`update_in`], writing status and tier changes on the timeline only when `timeline` (an
/// undo puts values back rather than changing them).
pub(crate) async fn update_in_with(
    txn: &DatabaseTransaction,
    before: &CustomerRecord,
    new: &NewCustomer,
    actor: &Actor,
    timeline: bool,
) -> Result<CustomerRecord, StoreError> {
    let (org, id) = (before.organization_id, before.id);
    check_references(txn, org, Some(before), new).await?;
    let code = match &new.customer_code {
        Some(code) => code.as_str().to_owned(),
        None => before.customer_code.clone(),
    };
    let mut columns = writable_columns(new, &code, before.created_at.date_naive());
    columns.extend([
        ("updated_by", actor.user_id.map(|u| u.as_uuid()).into()),
        ("updated_at", crate::now().into()),
    ]);
    let sets: Vec<String> = columns.iter().map(|(n, _)| format!("{n} = ?")).collect();
    let sql = format!(
        "UPDATE customers SET {}, version = version + 1 WHERE id = ? AND organization_id = ? AND version = ?",
        sets.join(", ")
    );
    let mut values: Vec<Value> = columns.into_iter().map(|(_, v)| v).collect();
    values.extend([
        id.as_uuid().into(),
        org.as_uuid().into(),
        before.version.into(),
    ]);
    let result = txn
        .execute_raw(stmt(txn.get_database_backend(), &sql, values))
        .await?;
    if result.rows_affected() != 1 {
        let current = fetch(txn, org, id, true).await?;
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    replace_tags(txn, org, id, new).await?;
    crate::duplicate::refresh_match_keys(txn, org, &[id.as_uuid()]).await?;
    let after = fetch(txn, org, id, false).await?;
    if timeline {
        record_changes_on_timeline(txn, org, before, &after, actor).await?;
    }
    audit::record(
        txn,
        org,
        actor,
        "customer.updated",
        "customer",
        Some(id.as_uuid()),
        audit_diff(Some(before), Some(&after)),
    )
    .await?;
    Ok(after)
}

/// Whether the customer was anonymised by a GDPR erasure (such a record stays in the bin).
pub(crate) async fn is_erased(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: CustomerId,
) -> Result<bool, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        erased_at: Option<DateTime<Utc>>,
    }
    let row = Row::find_by_statement(stmt(
        txn.get_database_backend(),
        "SELECT erased_at FROM customers WHERE organization_id = ? AND id = ?",
        vec![org.as_uuid().into(), id.as_uuid().into()],
    ))
    .one(txn)
    .await?;
    Ok(row.is_some_and(|r| r.erased_at.is_some()))
}

/// Flips `deleted_at` on or off, bumping the version and auditing. Runs in the caller's
/// transaction so bulk calls can reuse it.
async fn set_deleted(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: CustomerId,
    expected_version: Option<i64>,
    delete: bool,
    actor: &Actor,
) -> Result<CustomerRecord, StoreError> {
    let before = fetch_any_for_update(txn, org, id).await?;
    if before.deleted_at.is_some() != delete {
        // Deleting a live record or restoring a deleted one; anything else is "not there".
    } else {
        return Err(StoreError::NotFound);
    }
    StoreError::check_version(expected_version, before.version)?;
    if !delete && is_erased(txn, org, id).await? {
        return Err(StoreError::Conflict {
            constraint: "customer_erased".to_owned(),
        });
    }
    let now = crate::now();
    let deleted_at: Value = if delete {
        Some(now).into()
    } else {
        Option::<DateTime<Utc>>::None.into()
    };
    txn.execute_raw(stmt(
        txn.get_database_backend(),
        "UPDATE customers SET deleted_at = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND organization_id = ?",
        vec![
            deleted_at,
            now.into(),
            actor.user_id.map(|u| u.as_uuid()).into(),
            id.as_uuid().into(),
            org.as_uuid().into(),
        ],
    ))
    .await?;
    crate::duplicate::refresh_match_keys(txn, org, &[id.as_uuid()]).await?;
    let after = fetch(txn, org, id, true).await?;
    audit::record(
        txn,
        org,
        actor,
        if delete {
            "customer.deleted"
        } else {
            "customer.restored"
        },
        "customer",
        Some(id.as_uuid()),
        audit_diff(Some(&before), Some(&after)),
    )
    .await?;
    Ok(after)
}

/// The organisation's catalogues a customer's values must come from: tier names and custom field
/// definitions. Loaded once and reused for many customers (an import checks thousands per batch).
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// Folded name -> the tier's own spelling.
    tiers: std::collections::HashMap<String, String>,
    definitions: Vec<tenure_domain::custom_field::FieldDefinition>,
}

impl Catalogue {
    pub(crate) async fn load(
        db: &impl ConnectionTrait,
        org: OrganizationId,
    ) -> Result<Catalogue, StoreError> {
        let tiers = crate::tier::tier_names(db, org)
            .await?
            .into_iter()
            .map(|name| (tenure_domain::search::fold(&name), name))
            .collect();
        let definitions = crate::custom_field::definitions(db, org)
            .await?
            .iter()
            .map(crate::custom_field::CustomFieldRecord::definition)
            .collect();
        Ok(Catalogue { tiers, definitions })
    }

    /// Checks the values that must exist in the catalogues and returns the customer with them
    /// in canonical form: `tier` must name a tier (written with the tier's own spelling), and
    /// `custom_fields` must match the field definitions. On an update only what changed is
    /// checked, so a value stored before a catalogue changed never blocks an unrelated edit.
    pub fn resolve(
        &self,
        before: Option<&CustomerRecord>,
        new: &NewCustomer,
    ) -> Result<NewCustomer, Vec<FieldError>> {
        let mut resolved = new.clone();
        let mut errors = Vec::new();
        if let Some(tier) = &new.tier {
            let key = tenure_domain::search::fold(tier.as_str());
            let unchanged = before
                .and_then(|b| b.tier.as_deref())
                .is_some_and(|old| tenure_domain::search::fold(old) == key);
            if !unchanged {
                match self.tiers.get(&key) {
                    Some(name) => {
                        resolved.tier = tenure_domain::values::BoundedText::parse(
                            name,
                            tenure_domain::customer::LABEL_MAX_CHARS,
                        )
                        .ok();
                    }
                    None => errors.push(FieldError::new(
                        "tier",
                        "no such tier; an owner defines tiers under Settings (GET /api/v1/tiers lists them)",
                    )),
                }
            }
        }
        let old_fields = before.map(|b| b.custom_fields.clone());
        let changed = |key: &str| {
            old_fields
                .as_ref()
                .is_none_or(|old| old.get(key) != new.custom_fields.get(key))
        };
        let check: Option<&dyn Fn(&str) -> bool> = if before.is_some() {
            Some(&changed)
        } else {
            None
        };
        match tenure_domain::custom_field::check_custom_fields(
            &self.definitions,
            &new.custom_fields,
            check,
        ) {
            Ok(fields) => resolved.custom_fields = fields,
            Err(mut field_errors) => errors.append(&mut field_errors),
        }
        if errors.is_empty() {
            Ok(resolved)
        } else {
            Err(errors)
        }
    }
}

/// [`Catalogue::resolve`] against the catalogues as they are inside `txn`.
async fn resolve_catalogue_values(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    before: Option<&CustomerRecord>,
    new: &NewCustomer,
) -> Result<NewCustomer, StoreError> {
    Catalogue::load(txn, org)
        .await?
        .resolve(before, new)
        .map_err(StoreError::Invalid)
}

/// Status and tier changes are part of the customer's story: each one writes its system line on
/// the timeline, whichever endpoint made it.
async fn record_changes_on_timeline(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    before: &CustomerRecord,
    after: &CustomerRecord,
    actor: &Actor,
) -> Result<(), StoreError> {
    use tenure_domain::activity::{ActivityType, NewActivity, subject};
    if before.status != after.status {
        let mut activity = NewActivity::system(
            ActivityType::StatusChange,
            subject(&format!(
                "Status changed from {} to {}",
                before.status.as_str(),
                after.status.as_str()
            )),
            crate::now(),
        );
        activity
            .metadata
            .insert("old_status".to_owned(), before.status.as_str().into());
        activity
            .metadata
            .insert("new_status".to_owned(), after.status.as_str().into());
        crate::activity::insert_activity(txn, org, after.id, &activity, actor).await?;
    }
    if before.tier != after.tier {
        crate::tier::record_tier_change(
            txn,
            org,
            after.id,
            before.tier.as_deref(),
            after.tier.as_deref(),
            serde_json::Map::new(),
            actor,
        )
        .await?;
    }
    Ok(())
}

/// The next generated code not already taken (a user may have typed `CUS-000042` by hand).
pub(crate) async fn next_free_code(
    txn: &DatabaseTransaction,
    org: OrganizationId,
) -> Result<String, StoreError> {
    #[derive(FromQueryResult)]
    struct Seq {
        customer_seq: i64,
    }
    let backend = txn.get_database_backend();
    loop {
        let seq = Seq::find_by_statement(stmt(
            backend,
            "UPDATE organizations SET customer_seq = customer_seq + 1 WHERE id = ? RETURNING customer_seq",
            vec![org.as_uuid().into()],
        ))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let code = CustomerCode::generated(u64::try_from(seq.customer_seq).unwrap_or(0));
        let taken = txn
            .query_one_raw(stmt(
                backend,
                "SELECT 1 AS one FROM customers WHERE organization_id = ? AND customer_code = ?",
                vec![org.as_uuid().into(), code.as_str().into()],
            ))
            .await?
            .is_some();
        if !taken {
            return Ok(code.as_str().to_owned());
        }
    }
}

/// Owner and parent must belong to the organisation; a parent must be live and must not be the
/// customer itself or one of its descendants (no cycles), checked inside the transaction. On an
/// update (`before` given) a reference that did not change is not checked again, so a disabled
/// owner or a deleted parent never blocks an unrelated edit.
async fn check_references(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    before: Option<&CustomerRecord>,
    new: &NewCustomer,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    let this = before.map(|b| b.id);
    let mut errors = Vec::new();
    if let Some(owner) = new.owner_id
        && before.is_none_or(|b| b.owner_id != Some(owner))
    {
        let found = txn
            .query_one_raw(stmt(
                backend,
                "SELECT 1 AS one FROM users WHERE id = ? AND organization_id = ? AND disabled_at IS NULL",
                vec![owner.as_uuid().into(), org.as_uuid().into()],
            ))
            .await?;
        if found.is_none() {
            errors.push(FieldError::new(
                "owner_id",
                "no such user in this organisation",
            ));
        }
    }
    if let Some(parent) = new.parent_id
        && before.is_none_or(|b| b.parent_id != Some(parent))
    {
        if Some(parent) == this {
            errors.push(FieldError::new(
                "parent_id",
                "a customer cannot be its own parent",
            ));
        } else {
            if backend == DbBackend::Postgres {
                // Two concurrent re-parentings (A under B, B under A) would each see the other's
                // old parent and both pass; one lock per organisation serialises hierarchy edits.
                txn.query_one_raw(stmt(
                    backend,
                    "SELECT pg_advisory_xact_lock(hashtextextended(CAST(? AS text), 7)) IS NULL AS locked",
                    vec![org.to_string().into()],
                ))
                .await?;
            }
            match ancestors(txn, org, parent).await? {
                Ancestry::Missing => errors.push(FieldError::new("parent_id", "no such customer")),
                Ancestry::TooDeep => errors.push(FieldError::new(
                    "parent_id",
                    format!("the hierarchy would be deeper than {MAX_DEPTH} levels"),
                )),
                Ancestry::Chain(chain) if this.is_some_and(|me| chain.contains(&me)) => errors
                    .push(FieldError::new(
                        "parent_id",
                        "this parent would create a cycle in the hierarchy",
                    )),
                Ancestry::Chain(_) => {}
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// How deep a hierarchy may go; also bounds the ancestor walk.
pub const MAX_DEPTH: i64 = 32;

enum Ancestry {
    /// The start is not a live customer of the organisation.
    Missing,
    /// The start and its ancestors, nearest first.
    Chain(Vec<CustomerId>),
    /// The walk hit [`MAX_DEPTH`] (or a cycle already stored).
    TooDeep,
}

/// `start` and its ancestors. Recursive CTE, the same text on both backends.
async fn ancestors(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    start: CustomerId,
) -> Result<Ancestry, StoreError> {
    #[derive(FromQueryResult)]
    struct Node {
        id: Uuid,
    }
    let nodes = Node::find_by_statement(stmt(
        txn.get_database_backend(),
        "WITH RECURSIVE chain(id, parent_id, depth) AS ( \
            SELECT id, parent_id, 0 FROM customers WHERE id = ? AND organization_id = ? AND deleted_at IS NULL \
            UNION ALL \
            SELECT c.id, c.parent_id, chain.depth + 1 FROM customers c JOIN chain ON c.id = chain.parent_id \
            WHERE c.organization_id = ? AND chain.depth < ? \
        ) SELECT id FROM chain ORDER BY depth",
        vec![
            start.as_uuid().into(),
            org.as_uuid().into(),
            org.as_uuid().into(),
            MAX_DEPTH.into(),
        ],
    ))
    .all(txn)
    .await?;
    Ok(match nodes.len() as i64 {
        0 => Ancestry::Missing,
        n if n > MAX_DEPTH => Ancestry::TooDeep,
        _ => Ancestry::Chain(
            nodes
                .into_iter()
                .map(|n| CustomerId::from_uuid(n.id))
                .collect(),
        ),
    })
}

pub(crate) async fn replace_tags(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: CustomerId,
    new: &NewCustomer,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    txn.execute_raw(stmt(
        backend,
        "DELETE FROM customer_tags WHERE customer_id = ?",
        vec![id.as_uuid().into()],
    ))
    .await?;
    for tag in &new.tags {
        insert_tag(txn, backend, org, id, tag.as_str()).await?;
    }
    Ok(())
}

async fn insert_tag(
    txn: &DatabaseTransaction,
    backend: DbBackend,
    org: OrganizationId,
    id: CustomerId,
    tag: &str,
) -> Result<(), StoreError> {
    txn.execute_raw(stmt(
        backend,
        "INSERT INTO customer_tags (organization_id, customer_id, tag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        vec![org.as_uuid().into(), id.as_uuid().into(), tag.into()],
    ))
    .await?;
    Ok(())
}

/// Reads one customer with its tags.
pub(crate) async fn fetch(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: CustomerId,
    include_deleted: bool,
) -> Result<CustomerRecord, StoreError> {
    let sql = format!(
        "SELECT {SELECT_COLUMNS} FROM customers c WHERE c.id = ? AND c.organization_id = ?{}",
        if include_deleted {
            ""
        } else {
            " AND c.deleted_at IS NULL"
        }
    );
    let row = CustomerRow::find_by_statement(stmt(
        db.get_database_backend(),
        &sql,
        vec![id.as_uuid().into(), org.as_uuid().into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut records = row::attach_tags(db, vec![row]).await?;
    records.pop().ok_or(StoreError::NotFound)
}

/// Reads a live customer and, on PostgreSQL, locks its row until the transaction ends.
async fn fetch_for_update(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: CustomerId,
) -> Result<CustomerRecord, StoreError> {
    lock_row(txn, org, id).await?;
    fetch(txn, org, id, false).await
}

/// One live customer, read inside the caller's transaction.
pub(crate) async fn customer_in(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: CustomerId,
) -> Result<CustomerRecord, StoreError> {
    fetch(db, org, id, false).await
}

/// The live customer that a child row (contact, activity, ...) is written under, locked so
/// "exactly one primary" style rules see a stable set of siblings. `NotFound` when the customer
/// is not a live customer of the organisation.
pub(crate) async fn lock_live_customer(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: CustomerId,
) -> Result<CustomerRecord, StoreError> {
    fetch_for_update(txn, org, id).await
}

/// Like [`fetch_for_update`] but deleted rows too.
async fn fetch_any_for_update(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: CustomerId,
) -> Result<CustomerRecord, StoreError> {
    lock_row(txn, org, id).await?;
    fetch(txn, org, id, true).await
}

/// `SELECT ... FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers.
pub(crate) async fn lock_row(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: CustomerId,
) -> Result<(), StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.query_one_raw(stmt(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM customers WHERE id = ? AND organization_id = ? FOR UPDATE",
            vec![id.as_uuid().into(), org.as_uuid().into()],
        ))
        .await?;
    }
    Ok(())
}
