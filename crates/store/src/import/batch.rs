//! One batch of an import: finding the customers rows match, then writing the batch's creates,
//! updates, refused rows and the job's progress in one transaction.
//!
//! Creates go in as multi-row `INSERT`s (customers, tags, addresses, contacts, the `import`
//! timeline entries, the job's change log and the audit entries), so a batch of thousands of
//! rows costs a handful of statements. Updates are rarer and go one by one through the same
//! path as the API's, so they are checked, audited and put on the timeline alike.

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use tenure_domain::contact::{NewAddress, NewContact};
use tenure_domain::customer::NewCustomer;
use tenure_domain::ids::{ActivityId, AuditId, CustomerId, OrganizationId};
use tenure_domain::import::plan::MatchBy;
use tenure_domain::values::CustomerCode;
use uuid::Uuid;

use crate::Store;
use crate::audit::Actor;
use crate::customer::row::{CustomerRow, SELECT_COLUMNS, attach_tags};
use crate::customer::{Catalogue, CustomerRecord, update_in, writable_columns};
use crate::error::StoreError;
use crate::import::{ImportJobRecord, RowError, RowErrorRecord};
use crate::sql::{insert_many, json, stmt};

/// A customer a row matched.
#[derive(Debug, Clone)]
pub struct MatchedCustomer {
    pub record: CustomerRecord,
    /// The row of this job that already created or updated it (a repeat within the file).
    pub touched_by_row: Option<i64>,
}

/// A row that becomes a new customer.
#[derive(Debug, Clone)]
pub struct CreateRow {
    pub row_number: i64,
    pub cells: Vec<String>,
    pub customer: NewCustomer,
    pub address: Option<NewAddress>,
    pub contact: Option<NewContact>,
}

/// A row that changes the customer it matched.
#[derive(Debug, Clone)]
pub struct UpdateRow {
    pub row_number: i64,
    pub cells: Vec<String>,
    pub before: CustomerRecord,
    pub customer: NewCustomer,
}

/// Everything one batch writes.
#[derive(Debug, Clone, Default)]
pub struct BatchWrite {
    pub creates: Vec<CreateRow>,
    pub updates: Vec<UpdateRow>,
    pub skipped: i64,
    pub failures: Vec<RowErrorRecord>,
    /// Records consumed once this batch is in, and where the next one starts in the file.
    pub next_row: i64,
    pub next_offset: i64,
    pub rows_per_second: Option<f64>,
}

/// What a batch did (failures include rows refused at write time, such as a taken code).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
}

/// The lease passed to another worker; the batch was not written.
pub const LEASE_LOST: &str = "import_jobs_lease";

impl Store {
    /// The catalogues rows are checked against (tiers, custom fields), loaded once per batch.
    pub async fn import_catalogue(&self, org: OrganizationId) -> Result<Catalogue, StoreError> {
        Catalogue::load(&self.db, org).await
    }

    /// The customers the `keys` match under `by` (external ids of `source`, emails or domains),
    /// by key. External ids match deleted customers too (the id stays taken; the caller refuses
    /// those rows), except one merged into another: it matches its live survivor.
    pub async fn import_matches(
        &self,
        org: OrganizationId,
        job: Uuid,
        by: MatchBy,
        source: &str,
        keys: &[String],
    ) -> Result<HashMap<String, MatchedCustomer>, StoreError> {
        let column = match by {
            MatchBy::ExternalId => "external_id",
            MatchBy::Email => "email",
            MatchBy::Domain => "domain",
            MatchBy::None => return Ok(HashMap::new()),
        };
        let mut found = HashMap::new();
        let backend = self.db.get_database_backend();
        for chunk in keys.chunks(1000) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut values: Vec<Value> = vec![org.as_uuid().into()];
            let mut sql = format!(
                "SELECT {SELECT_COLUMNS} FROM customers c WHERE c.organization_id = ? AND c.{column} IN ({marks})"
            );
            values.extend(chunk.iter().map(|k| Value::from(k.clone())));
            if by == MatchBy::ExternalId {
                sql.push_str(" AND c.source = ?");
                values.push(source.into());
            } else {
                sql.push_str(" AND c.deleted_at IS NULL");
            }
            sql.push_str(" ORDER BY c.created_at, c.id");
            let rows = CustomerRow::find_by_statement(stmt(backend, &sql, values))
                .all(&self.db)
                .await?;
            let mut keyed = Vec::new();
            for record in attach_tags(&self.db, rows).await? {
                let key = match by {
                    MatchBy::ExternalId => record.external_id.clone(),
                    MatchBy::Email => record.email.clone(),
                    _ => record.domain.clone(),
                };
                // A record merged into another is that customer now: its external id updates
                // the survivor, so a sync that still sends it stays idempotent.
                let record = match record.merged_into {
                    Some(_) => survivor_of(&self.db, org, record).await?,
                    None => record,
                };
                keyed.push((key, record));
            }
            let records: Vec<CustomerRecord> = keyed.iter().map(|(_, r)| r.clone()).collect();
            let touched = touched_rows(&self.db, job, &records).await?;
            for (key, record) in keyed {
                if let Some(key) = key {
                    let touched_by_row = touched.get(&record.id.as_uuid()).copied();
                    found.entry(key).or_insert(MatchedCustomer {
                        record,
                        touched_by_row,
                    });
                }
            }
        }
        Ok(found)
    }

    /// Records a dry run's refused rows and progress (nothing else is written).
    pub async fn write_validation_batch(
        &self,
        job: &ImportJobRecord,
        owner: &str,
        failures: &[RowErrorRecord],
        next_row: i64,
        next_offset: i64,
        rows_per_second: Option<f64>,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        insert_errors(&txn, job, "validate", failures).await?;
        progress(
            &txn,
            job,
            owner,
            self.job_lease,
            next_row,
            next_offset,
            BatchCounts::default(),
            rows_per_second,
            false,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Writes one batch and the job's progress atomically; fails with a conflict on
    /// [`LEASE_LOST`] (and writes nothing) when the job is no longer this worker's.
    pub async fn write_import_batch(
        &self,
        job: &ImportJobRecord,
        owner: &str,
        actor: &Actor,
        mut batch: BatchWrite,
    ) -> Result<BatchCounts, StoreError> {
        let org = OrganizationId::from_uuid(job.organization_id);
        let txn = self.begin_write().await?;
        if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
            // Trigram entries of a whole batch go into the index's pending list and are merged
            // in one pass instead of one index descent per row.
            txn.execute_unprepared("SET LOCAL gin_pending_list_limit = '64MB'")
                .await?;
        }
        let creates = refuse_conflicts(&txn, org, &mut batch).await?;
        let mut counts = BatchCounts {
            created: i64::try_from(creates.len()).unwrap_or(i64::MAX),
            updated: 0,
            skipped: batch.skipped,
            failed: 0,
        };
        insert_creates(&txn, org, job, actor, &creates).await?;
        let mut changes: Vec<(i64, CustomerId, &str, Option<serde_json::Value>)> = creates
            .iter()
            .map(|(c, id, _)| (c.row_number, *id, "created", None))
            .collect();
        for update in &batch.updates {
            // The row matched in a read before this transaction; a customer edited since then
            // is refused rather than overwritten.
            let current = crate::customer::fetch(&txn, org, update.before.id, true).await?;
            if current.version != update.before.version || current.deleted_at.is_some() {
                batch.failures.push(RowErrorRecord {
                    row_number: update.row_number,
                    cells: update.cells.clone(),
                    errors: vec![RowError {
                        column: None,
                        field: "customer".to_owned(),
                        message: "the matching customer changed while the import ran; import this row again".to_owned(),
                    }],
                });
                continue;
            }
            let after = update_in(&txn, &update.before, &update.customer, actor).await?;
            import_activity(
                &txn,
                org,
                job,
                actor,
                after.id,
                update.row_number,
                "updated",
            )
            .await?;
            changes.push((
                update.row_number,
                after.id,
                "updated",
                Some(serde_json::to_value(&update.before).unwrap_or_default()),
            ));
            counts.updated += 1;
        }
        insert_many(
            &txn,
            "import_job_changes",
            &[
                "organization_id",
                "job_id",
                "row_number",
                "customer_id",
                "action",
                "before",
            ],
            changes
                .into_iter()
                .map(|(row, id, action, before)| {
                    vec![
                        org.as_uuid().into(),
                        job.id.into(),
                        row.into(),
                        id.as_uuid().into(),
                        action.into(),
                        before.map_or(Value::Json(None), json),
                    ]
                })
                .collect(),
        )
        .await?;
        counts.failed = i64::try_from(batch.failures.len()).unwrap_or(i64::MAX);
        insert_errors(&txn, job, "import", &batch.failures).await?;
        progress(
            &txn,
            job,
            owner,
            self.job_lease,
            batch.next_row,
            batch.next_offset,
            counts,
            batch.rows_per_second,
            true,
        )
        .await?;
        txn.commit().await?;
        Ok(counts)
    }
}

/// Which of `records` this job already wrote, by customer id -> row number.
async fn touched_rows(
    db: &impl ConnectionTrait,
    job: Uuid,
    records: &[CustomerRecord],
) -> Result<HashMap<Uuid, i64>, StoreError> {
    if records.is_empty() {
        return Ok(HashMap::new());
    }
    #[derive(FromQueryResult)]
    struct Touched {
        customer_id: Uuid,
        row_number: i64,
    }
    let marks = vec!["?"; records.len()].join(", ");
    let mut values: Vec<Value> = vec![job.into()];
    values.extend(records.iter().map(|r| Value::from(r.id.as_uuid())));
    let rows = Touched::find_by_statement(stmt(
        db.get_database_backend(),
        &format!(
            "SELECT customer_id, row_number FROM import_job_changes WHERE job_id = ? AND customer_id IN ({marks})"
        ),
        values,
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|t| (t.customer_id, t.row_number))
        .collect())
}

/// Moves creates whose code or external id is already taken (in the database or earlier in
/// the batch) to the failures, and gives the rest their ids and codes.
async fn refuse_conflicts(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    batch: &mut BatchWrite,
) -> Result<Vec<(CreateRow, CustomerId, String)>, StoreError> {
    let backend = txn.get_database_backend();
    let explicit: Vec<String> = batch
        .creates
        .iter()
        .filter_map(|c| {
            c.customer
                .customer_code
                .as_ref()
                .map(|k| k.as_str().to_owned())
        })
        .collect();
    let taken_codes = existing(txn, org, "customer_code", None, &explicit).await?;
    let mut by_source: HashMap<String, Vec<String>> = HashMap::new();
    for c in &batch.creates {
        if let (Some(id), Some(source)) = (&c.customer.external_id, &c.customer.source) {
            by_source
                .entry(source.as_str().to_owned())
                .or_default()
                .push(id.as_str().to_owned());
        }
    }
    let mut taken_external = HashSet::new();
    for (source, ids) in &by_source {
        for id in existing(txn, org, "external_id", Some(source), ids).await? {
            taken_external.insert((source.clone(), id));
        }
    }
    let mut kept = Vec::with_capacity(batch.creates.len());
    let mut seen_codes = HashSet::new();
    let mut seen_external = HashSet::new();
    for create in std::mem::take(&mut batch.creates) {
        let mut errors = Vec::new();
        if let Some(code) = &create.customer.customer_code
            && (taken_codes.contains(code.as_str()) || !seen_codes.insert(code.as_str().to_owned()))
        {
            errors.push(("customer_code", "this customer code is already taken"));
        }
        if let (Some(id), Some(source)) = (&create.customer.external_id, &create.customer.source) {
            let key = (source.as_str().to_owned(), id.as_str().to_owned());
            if taken_external.contains(&key) || !seen_external.insert(key) {
                errors.push((
                    "external_id",
                    "another customer already has this external id from this source",
                ));
            }
        }
        if errors.is_empty() {
            kept.push(create);
        } else {
            batch.failures.push(RowErrorRecord {
                row_number: create.row_number,
                cells: create.cells,
                errors: errors
                    .into_iter()
                    .map(|(field, message)| RowError {
                        column: None,
                        field: field.to_owned(),
                        message: message.to_owned(),
                    })
                    .collect(),
            });
        }
    }
    // Generated codes: one range from the organisation's counter, skipping codes typed by hand.
    let needed = kept
        .iter()
        .filter(|c| c.customer.customer_code.is_none())
        .count();
    let mut generated = Vec::with_capacity(needed);
    while generated.len() < needed {
        let want = needed - generated.len();
        #[derive(FromQueryResult)]
        struct Seq {
            customer_seq: i64,
        }
        let seq = Seq::find_by_statement(stmt(
            backend,
            "UPDATE organizations SET customer_seq = customer_seq + ? WHERE id = ? RETURNING customer_seq",
            vec![i64::try_from(want).unwrap_or(i64::MAX).into(), org.as_uuid().into()],
        ))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let first = seq.customer_seq - i64::try_from(want).unwrap_or(0) + 1;
        let codes: Vec<String> = (first..=seq.customer_seq)
            .map(|n| {
                CustomerCode::generated(u64::try_from(n).unwrap_or(0))
                    .as_str()
                    .to_owned()
            })
            .collect();
        let taken = existing(txn, org, "customer_code", None, &codes).await?;
        generated.extend(codes.into_iter().filter(|c| !taken.contains(c)));
    }
    let mut generated = generated.into_iter();
    Ok(kept
        .into_iter()
        .map(|c| {
            let code = match &c.customer.customer_code {
                Some(code) => code.as_str().to_owned(),
                None => generated.next().unwrap_or_default(),
            };
            (c, CustomerId::new(), code)
        })
        .collect())
}

/// Which of `values` the column already holds in the organisation (any row, deleted too).
async fn existing(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    column: &str,
    source: Option<&str>,
    values: &[String],
) -> Result<HashSet<String>, StoreError> {
    #[derive(FromQueryResult)]
    struct Found {
        value: String,
    }
    let mut out = HashSet::new();
    for chunk in values.chunks(1000) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut params: Vec<Value> = vec![org.as_uuid().into()];
        params.extend(chunk.iter().map(|v| Value::from(v.clone())));
        let mut sql = format!(
            "SELECT {column} AS value FROM customers WHERE organization_id = ? AND {column} IN ({marks})"
        );
        if let Some(source) = source {
            sql.push_str(" AND source = ?");
            params.push(source.into());
        }
        let rows = Found::find_by_statement(stmt(txn.get_database_backend(), &sql, params))
            .all(txn)
            .await?;
        out.extend(rows.into_iter().map(|r| r.value));
    }
    Ok(out)
}

async fn insert_creates(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    job: &ImportJobRecord,
    actor: &Actor,
    creates: &[(CreateRow, CustomerId, String)],
) -> Result<(), StoreError> {
    if creates.is_empty() {
        return Ok(());
    }
    let now = crate::now();
    let today = now.date_naive();
    let user = actor.user_id.map(|u| u.as_uuid());
    let mut names: Vec<&'static str> = Vec::new();
    let mut rows = Vec::with_capacity(creates.len());
    for (create, id, code) in creates {
        let mut columns = writable_columns(&create.customer, code, today);
        columns.extend([
            ("id", id.as_uuid().into()),
            ("organization_id", org.as_uuid().into()),
            ("version", 1i64.into()),
            ("last_activity_at", Some(now).into()),
            ("created_by", user.into()),
            ("updated_by", user.into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ]);
        if names.is_empty() {
            names = columns.iter().map(|(n, _)| *n).collect();
        }
        rows.push(columns.into_iter().map(|(_, v)| v).collect());
    }
    insert_many(txn, "customers", &names, rows).await?;

    let tags: Vec<Vec<Value>> = creates
        .iter()
        .flat_map(|(c, id, _)| {
            c.customer.tags.iter().map(move |tag| {
                vec![
                    org.as_uuid().into(),
                    id.as_uuid().into(),
                    tag.as_str().into(),
                ]
            })
        })
        .collect();
    insert_many(
        txn,
        "customer_tags",
        &["organization_id", "customer_id", "tag"],
        tags,
    )
    .await?;

    let mut address_names = Vec::new();
    let mut addresses = Vec::new();
    let mut contact_names = Vec::new();
    let mut contacts = Vec::new();
    for (create, id, _) in creates {
        if let Some(address) = &create.address {
            let mut address = address.clone();
            address.is_primary = true;
            let mut columns = crate::contact::address_values(&address);
            columns.extend(crate::contact::child_columns(
                tenure_domain::ids::AddressId::new().as_uuid(),
                org,
                *id,
                actor,
                now,
            ));
            if address_names.is_empty() {
                address_names = columns.iter().map(|(n, _)| *n).collect();
            }
            addresses.push(columns.into_iter().map(|(_, v)| v).collect());
        }
        if let Some(contact) = &create.contact {
            let mut contact = contact.clone();
            contact.is_primary = true;
            let mut columns = crate::contact::contact_values(&contact);
            columns.extend(crate::contact::child_columns(
                tenure_domain::ids::ContactId::new().as_uuid(),
                org,
                *id,
                actor,
                now,
            ));
            if contact_names.is_empty() {
                contact_names = columns.iter().map(|(n, _)| *n).collect();
            }
            contacts.push(columns.into_iter().map(|(_, v)| v).collect());
        }
    }
    insert_many(txn, "addresses", &address_names, addresses).await?;
    insert_many(txn, "contacts", &contact_names, contacts).await?;
    let created: Vec<uuid::Uuid> = creates.iter().map(|(_, id, _)| id.as_uuid()).collect();
    crate::duplicate::refresh_match_keys(txn, org, &created).await?;

    let activities = creates
        .iter()
        .map(|(c, id, _)| activity_row(org, job, actor, *id, c.row_number, "created", now))
        .collect();
    insert_many(txn, "activities", ACTIVITY_COLUMNS, activities).await?;

    let audit = creates
        .iter()
        .map(|(c, id, _)| {
            vec![
                AuditId::new().as_uuid().into(),
                org.as_uuid().into(),
                user.into(),
                actor.label.clone().into(),
                "customer.imported".into(),
                "customer".into(),
                Some(id.as_uuid()).into(),
                json(serde_json::json!({"import_job": job.id, "row": c.row_number})),
                now.into(),
            ]
        })
        .collect();
    insert_many(
        txn,
        "audit_log",
        &[
            "id",
            "organization_id",
            "actor_user_id",
            "actor_label",
            "action",
            "entity_type",
            "entity_id",
            "diff",
            "created_at",
        ],
        audit,
    )
    .await?;
    Ok(())
}

const ACTIVITY_COLUMNS: &[&str] = &[
    "id",
    "organization_id",
    "customer_id",
    "activity_type",
    "subject",
    "occurred_at",
    "completed_at",
    "attendees",
    "related_type",
    "related_ref",
    "metadata",
    "actor_user_id",
    "actor_label",
    "created_at",
    "updated_at",
];

/// The timeline line of an imported customer, linking the job.
fn activity_row(
    org: OrganizationId,
    job: &ImportJobRecord,
    actor: &Actor,
    customer: CustomerId,
    row: i64,
    action: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Value> {
    vec![
        ActivityId::new().as_uuid().into(),
        org.as_uuid().into(),
        customer.as_uuid().into(),
        "import".into(),
        format!("{} by import of {}", capitalise(action), job.file_name).into(),
        now.into(),
        Some(now).into(),
        json(serde_json::json!([])),
        Some("import_job".to_owned()).into(),
        Some(job.id.to_string()).into(),
        json(serde_json::json!({"import_job_id": job.id, "row": row, "action": action})),
        actor.user_id.map(|u| u.as_uuid()).into(),
        actor.label.clone().into(),
        now.into(),
        now.into(),
    ]
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

async fn import_activity(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    job: &ImportJobRecord,
    actor: &Actor,
    customer: CustomerId,
    row: i64,
    action: &str,
) -> Result<(), StoreError> {
    let values = activity_row(org, job, actor, customer, row, action, crate::now());
    insert_many(txn, "activities", ACTIVITY_COLUMNS, vec![values]).await?;
    Ok(())
}

async fn insert_errors(
    txn: &DatabaseTransaction,
    job: &ImportJobRecord,
    phase: &str,
    failures: &[RowErrorRecord],
) -> Result<(), StoreError> {
    let rows = failures
        .iter()
        .map(|f| {
            vec![
                job.organization_id.into(),
                job.id.into(),
                phase.into(),
                f.row_number.into(),
                json(serde_json::json!(f.cells)),
                json(serde_json::to_value(&f.errors).unwrap_or_default()),
            ]
        })
        .collect();
    insert_many(
        txn,
        "import_row_errors",
        &[
            "organization_id",
            "job_id",
            "phase",
            "row_number",
            "cells",
            "errors",
        ],
        rows,
    )
    .await?;
    Ok(())
}

/// Moves the job's progress forward under its lease, renewing it.
#[allow(clippy::too_many_arguments)]
async fn progress(
    txn: &DatabaseTransaction,
    job: &ImportJobRecord,
    owner: &str,
    lease: chrono::Duration,
    next_row: i64,
    next_offset: i64,
    counts: BatchCounts,
    rows_per_second: Option<f64>,
    count: bool,
) -> Result<(), StoreError> {
    let now = crate::now();
    let counts_sql = if count {
        ", created_count = created_count + ?, updated_count = updated_count + ?, skipped_count = skipped_count + ?, failed_count = failed_count + ?"
    } else {
        ""
    };
    let mut values: Vec<Value> = vec![
        next_row.into(),
        next_offset.into(),
        rows_per_second.into(),
        (now + lease).into(),
        now.into(),
    ];
    if count {
        values.extend([
            counts.created.into(),
            counts.updated.into(),
            counts.skipped.into(),
            counts.failed.into(),
        ]);
    }
    values.extend([job.id.into(), owner.into()]);
    let result = txn
        .execute_raw(stmt(
            txn.get_database_backend(),
            &format!(
                "UPDATE import_jobs SET next_row = ?, next_offset = ?, rows_per_second = ?, lease_until = ?, updated_at = ?{counts_sql} WHERE id = ? AND lease_owner = ?"
            ),
            values,
        ))
        .await?;
    if result.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            constraint: LEASE_LOST.to_owned(),
        });
    }
    Ok(())
}

/// The live customer `record` was merged into, following merges of merges; `record` itself
/// when the chain ends in the bin (a survivor deleted since).
async fn survivor_of(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    record: CustomerRecord,
) -> Result<CustomerRecord, StoreError> {
    let mut current = record.clone();
    for _ in 0..crate::customer::MAX_DEPTH {
        let Some(next) = current.merged_into else {
            break;
        };
        current = crate::customer::fetch(db, org, next, true).await?;
    }
    Ok(if current.deleted_at.is_none() {
        current
    } else {
        record
    })
}
