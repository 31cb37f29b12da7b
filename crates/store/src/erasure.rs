//! GDPR erasure (art. 17): one customer's personal data anonymised everywhere it lives, in one
//! transaction, with a ledger entry that proves when and by whom without keeping the data.
//!
//! What is scrubbed and what is kept:
//! - The customer, its contacts and addresses lose every personal field and are soft-deleted;
//!   ids, codes, status, money and dates stay so revenue history and roll-ups still add up.
//! - Activities keep their type, dates and amounts; subject, body, outcome, attendees and
//!   metadata go. Ledger and flag reasons, goal titles and notes go the same way.
//! - Audit entries about any of those records keep who/when/what-action but lose their diffs.
//! - Import staging: the "before" image kept for revert, rejected rows whose cells name the
//!   person, and samples or previews in the job's stored results. Uploaded files are the API's
//!   to delete (they live on disk); it passes the jobs whose files held the person.
//!
//! Identifiers (emails, phones, external id, names) are what staging is searched for; a cell
//! matches when it equals one of them, ignoring case and surrounding spaces.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use tenure_domain::ids::{CustomerId, OrganizationId};
use uuid::Uuid;

use crate::audit::{self, Actor};
use crate::contact::{CONTACTS, ContactRecord, rows};
use crate::sql::{json, stmt};
use crate::{Store, StoreError};

/// What replaces a scrubbed text that cannot be empty.
pub const ERASED: &str = "[erased]";

/// How many rows of each kind an erasure scrubbed (counts only: the proof keeps no data).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scrubbed {
    pub contacts: u64,
    pub addresses: u64,
    pub activities: u64,
    pub ledger_entries: u64,
    pub flags: u64,
    pub goals: u64,
    pub audit_entries: u64,
    pub import_changes: u64,
    pub import_rows: u64,
    pub import_jobs: u64,
    pub import_files: u64,
}

/// One entry of the erasure ledger.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ErasureRecord {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_code: String,
    pub erased_by: Option<Uuid>,
    pub erased_by_label: String,
    pub scrubbed: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// An uploaded import file still on disk.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct StagedFile {
    pub job_id: Uuid,
    pub file_path: String,
    pub delimiter: String,
    pub status: String,
}

impl StagedFile {
    pub fn delimiter_byte(&self) -> u8 {
        self.delimiter.as_bytes().first().copied().unwrap_or(b',')
    }
}

/// The customer about to be erased and what identifies the person in staged data.
#[derive(Debug, Clone)]
pub struct ErasureSubject {
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub erased_at: Option<DateTime<Utc>>,
    /// Lower-cased, trimmed, at least four characters each, no repeats.
    pub identifiers: Vec<String>,
}

impl ErasureSubject {
    /// Whether a staged cell names the person.
    pub fn matches(&self, cell: &str) -> bool {
        let cell = cell.trim().to_lowercase();
        !cell.is_empty() && self.identifiers.contains(&cell)
    }
}

const ERASURE_COLUMNS: &str =
    "id, customer_id, customer_code, erased_by, erased_by_label, scrubbed, created_at";

/// Ids are bound in chunks so no statement exceeds SQLite's parameter limit.
const ID_CHUNK: usize = 500;

impl Store {
    /// The customer (deleted or not) and the identifiers its personal data can be found by.
    pub async fn erasure_subject(
        &self,
        org: OrganizationId,
        id: CustomerId,
    ) -> Result<ErasureSubject, StoreError> {
        subject(&self.db, org, id).await
    }

    /// Uploaded files of the organisation's imports that are still on disk.
    pub async fn staged_import_files(
        &self,
        org: OrganizationId,
    ) -> Result<Vec<StagedFile>, StoreError> {
        Ok(StagedFile::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT id AS job_id, file_path, delimiter, status FROM import_jobs WHERE organization_id = ? AND file_erased_at IS NULL ORDER BY created_at",
            vec![org.as_uuid().into()],
        ))
        .all(&self.db)
        .await?)
    }

    /// Anonymises the customer everywhere in the database, marks `files_of` (jobs whose uploaded
    /// files held the person; the caller deletes the files after the commit) and writes the
    /// ledger entry and an audit entry, all in one transaction.
    pub async fn erase_customer(
        &self,
        org: OrganizationId,
        id: CustomerId,
        files_of: &[Uuid],
        actor: &Actor,
    ) -> Result<ErasureRecord, StoreError> {
        let txn = self.begin_write().await?;
        crate::customer::lock_row(&txn, org, id).await?;
        let subject = subject(&txn, org, id).await?;
        if subject.erased_at.is_some() {
            return Err(StoreError::Conflict {
                constraint: "customer_erased".to_owned(),
            });
        }
        let now = crate::now();
        let mut scrubbed = Scrubbed::default();
        let mut entity_ids = vec![id.as_uuid()];
        entity_ids.extend(scrub_customer_rows(&txn, org, id, &subject, now, &mut scrubbed).await?);
        scrubbed.audit_entries = scrub_audit(&txn, org, &entity_ids).await?;
        scrub_import_staging(&txn, org, &subject, files_of, now, &mut scrubbed).await?;
        crate::merge::forget_customer(&txn, org, id).await?;

        let record = ErasureRecord {
            id: Uuid::now_v7(),
            customer_id: id.as_uuid(),
            customer_code: subject.customer_code.clone(),
            erased_by: actor.user_id.map(|u| u.as_uuid()),
            erased_by_label: actor.label.clone(),
            scrubbed: serde_json::to_value(&scrubbed).unwrap_or_default(),
            created_at: now,
        };
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "INSERT INTO erasures (id, organization_id, customer_id, customer_code, erased_by, erased_by_label, scrubbed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                record.id.into(),
                org.as_uuid().into(),
                record.customer_id.into(),
                record.customer_code.clone().into(),
                record.erased_by.into(),
                record.erased_by_label.clone().into(),
                json(record.scrubbed.clone()),
                now.into(),
            ],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "customer.erased",
            "customer",
            Some(id.as_uuid()),
            serde_json::json!({"erasure_id": record.id, "scrubbed": record.scrubbed}),
        )
        .await?;
        txn.commit().await?;
        Ok(record)
    }

    /// The erasure ledger, newest first.
    pub async fn erasures(
        &self,
        org: OrganizationId,
        limit: u64,
    ) -> Result<Vec<ErasureRecord>, StoreError> {
        Ok(ErasureRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!(
                "SELECT {ERASURE_COLUMNS} FROM erasures WHERE organization_id = ? ORDER BY created_at DESC, id DESC LIMIT ?"
            ),
            vec![
                org.as_uuid().into(),
                i64::try_from(limit).unwrap_or(i64::MAX).into(),
            ],
        ))
        .all(&self.db)
        .await?)
    }
}

async fn subject(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: CustomerId,
) -> Result<ErasureSubject, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        customer_code: String,
        name: String,
        display_name: Option<String>,
        legal_name: Option<String>,
        email: Option<String>,
        phone: Option<String>,
        external_id: Option<String>,
        erased_at: Option<DateTime<Utc>>,
    }
    let row = Row::find_by_statement(stmt(
        db.get_database_backend(),
        "SELECT customer_code, name, display_name, legal_name, email, phone, external_id, erased_at FROM customers WHERE organization_id = ? AND id = ?",
        vec![org.as_uuid().into(), id.as_uuid().into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)?;
    let contacts: Vec<ContactRecord> = rows(db, CONTACTS, org, id, true, "created_at, id").await?;
    let mut identifiers = Vec::new();
    let mut add = |value: Option<&str>| {
        if let Some(value) = value {
            let value = value.trim().to_lowercase();
            if value.chars().count() >= 4 && !identifiers.contains(&value) {
                identifiers.push(value);
            }
        }
    };
    add(Some(&row.name));
    add(row.display_name.as_deref());
    add(row.legal_name.as_deref());
    add(row.email.as_deref());
    add(row.phone.as_deref());
    add(row.external_id.as_deref());
    for contact in &contacts {
        add(contact.email.as_deref());
        add(contact.phone.as_deref());
        add(contact.mobile.as_deref());
        let full = [contact.first_name.as_deref(), contact.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        add(Some(&full));
    }
    Ok(ErasureSubject {
        customer_id: id,
        customer_code: row.customer_code,
        erased_at: row.erased_at,
        identifiers,
    })
}

/// Runs one statement and returns how many rows it touched.
async fn exec(txn: &DatabaseTransaction, sql: &str, values: Vec<Value>) -> Result<u64, StoreError> {
    Ok(txn
        .execute_raw(stmt(txn.get_database_backend(), sql, values))
        .await?
        .rows_affected())
}

/// The customer and every row hanging off it; returns the ids of the scrubbed child rows (their
/// audit entries are scrubbed next).
async fn scrub_customer_rows(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    id: CustomerId,
    subject: &ErasureSubject,
    now: DateTime<Utc>,
    scrubbed: &mut Scrubbed,
) -> Result<Vec<Uuid>, StoreError> {
    let backend = txn.get_database_backend();
    let name = format!("Erased customer {}", subject.customer_code);
    let search = format!(
        "{} erased customer",
        tenure_domain::search::fold(&subject.customer_code)
    );
    let key = || -> Vec<Value> { vec![org.as_uuid().into(), id.as_uuid().into()] };
    let with_key = |mut values: Vec<Value>| {
        values.extend(key());
        values
    };
    exec(
        txn,
        "UPDATE customers SET name = ?, name_sort = ?, display_name = NULL, legal_name = NULL, \
         first_name = NULL, last_name = NULL, birth_date = NULL, email = NULL, phone = NULL, \
         website = NULL, domain = NULL, tax_id = NULL, notes = NULL, internal_notes = NULL, \
         custom_fields = ?, portal_access = ?, external_id = NULL, search_text = ?, \
         deleted_at = COALESCE(deleted_at, ?), erased_at = ?, version = version + 1, \
         updated_at = ? WHERE organization_id = ? AND id = ?",
        with_key(vec![
            name.clone().into(),
            tenure_domain::search::fold(&name).into(),
            json(serde_json::json!({})),
            false.into(),
            search.into(),
            now.into(),
            now.into(),
            now.into(),
        ]),
    )
    .await?;

    // An anonymised record is evidence of nothing.
    exec(
        txn,
        "DELETE FROM customer_match_keys WHERE organization_id = ? AND customer_id = ?",
        key(),
    )
    .await?;

    let mut child_ids = Vec::new();
    for table in [
        "contacts",
        "addresses",
        "activities",
        "ledger_entries",
        "customer_flags",
        "goals",
    ] {
        #[derive(FromQueryResult)]
        struct IdRow {
            id: Uuid,
        }
        let ids = IdRow::find_by_statement(stmt(
            backend,
            &format!("SELECT id FROM {table} WHERE organization_id = ? AND customer_id = ?"),
            key(),
        ))
        .all(txn)
        .await?;
        child_ids.extend(ids.into_iter().map(|r| r.id));
    }

    scrubbed.contacts = exec(
        txn,
        "UPDATE contacts SET first_name = NULL, last_name = NULL, email = NULL, phone = NULL, \
         mobile = NULL, title = NULL, department = NULL, notes = NULL, portal_access = ?, \
         receives_marketing = ?, receives_order_updates = ?, \
         deleted_at = COALESCE(deleted_at, ?), version = version + 1, updated_at = ? \
         WHERE organization_id = ? AND customer_id = ?",
        with_key(vec![
            false.into(),
            false.into(),
            false.into(),
            now.into(),
            now.into(),
        ]),
    )
    .await?;
    scrubbed.addresses = exec(
        txn,
        "UPDATE addresses SET label = NULL, line1 = ?, line2 = NULL, city = NULL, region = NULL, \
         postal_code = NULL, deleted_at = COALESCE(deleted_at, ?), version = version + 1, \
         updated_at = ? WHERE organization_id = ? AND customer_id = ?",
        with_key(vec![ERASED.into(), now.into(), now.into()]),
    )
    .await?;
    scrubbed.activities = exec(
        txn,
        "UPDATE activities SET subject = ?, body = NULL, outcome = NULL, attendees = ?, \
         metadata = ?, contact_id = NULL, version = version + 1, updated_at = ? \
         WHERE organization_id = ? AND customer_id = ?",
        with_key(vec![
            ERASED.into(),
            json(serde_json::json!([])),
            json(serde_json::json!({})),
            now.into(),
        ]),
    )
    .await?;
    scrubbed.ledger_entries = exec(
        txn,
        "UPDATE ledger_entries SET reason = ? WHERE organization_id = ? AND customer_id = ?",
        with_key(vec![ERASED.into()]),
    )
    .await?;
    scrubbed.flags = exec(
        txn,
        "UPDATE customer_flags SET reason = ?, \
         removed_reason = CASE WHEN removed_reason IS NULL THEN NULL ELSE ? END \
         WHERE organization_id = ? AND customer_id = ?",
        with_key(vec![ERASED.into(), ERASED.into()]),
    )
    .await?;
    exec(
        txn,
        "UPDATE goal_updates SET note = NULL WHERE organization_id = ? AND goal_id IN \
         (SELECT id FROM goals WHERE organization_id = ? AND customer_id = ?)",
        vec![
            org.as_uuid().into(),
            org.as_uuid().into(),
            id.as_uuid().into(),
        ],
    )
    .await?;
    scrubbed.goals = exec(
        txn,
        "UPDATE goals SET title = ?, description = NULL, version = version + 1, updated_at = ? \
         WHERE organization_id = ? AND customer_id = ?",
        with_key(vec![ERASED.into(), now.into()]),
    )
    .await?;
    Ok(child_ids)
}

/// Audit entries about any of `ids` keep who, when and which action, and lose their diffs.
async fn scrub_audit(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    ids: &[Uuid],
) -> Result<u64, StoreError> {
    let mut total = 0;
    for chunk in ids.chunks(ID_CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = vec![
            json(serde_json::json!({"erased": true})),
            org.as_uuid().into(),
        ];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        total += exec(
            txn,
            &format!(
                "UPDATE audit_log SET diff = ? WHERE organization_id = ? AND entity_id IN ({marks})"
            ),
            values,
        )
        .await?;
    }
    Ok(total)
}

/// The import tables: the revert image of the customer, rejected rows naming the person, the
/// samples and previews kept on jobs, and the marks on jobs whose files the caller deletes.
async fn scrub_import_staging(
    txn: &DatabaseTransaction,
    org: OrganizationId,
    subject: &ErasureSubject,
    files_of: &[Uuid],
    now: DateTime<Utc>,
    scrubbed: &mut Scrubbed,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    scrubbed.import_changes = exec(
        txn,
        "UPDATE import_job_changes SET before = NULL WHERE organization_id = ? AND customer_id = ? AND before IS NOT NULL",
        vec![
            org.as_uuid().into(),
            subject.customer_id.as_uuid().into(),
        ],
    )
    .await?;

    // Rejected rows: narrowed in SQL by a text search per identifier, then matched cell by cell.
    #[derive(FromQueryResult)]
    struct ErrorRow {
        job_id: Uuid,
        phase: String,
        row_number: i64,
        cells: serde_json::Value,
        errors: serde_json::Value,
    }
    for identifier in &subject.identifiers {
        let candidates = ErrorRow::find_by_statement(stmt(
            backend,
            "SELECT job_id, phase, row_number, cells, errors FROM import_row_errors WHERE organization_id = ? AND LOWER(CAST(cells AS text)) LIKE ?",
            vec![org.as_uuid().into(), format!("%{identifier}%").into()],
        ))
        .all(txn)
        .await?;
        for row in candidates {
            let mut cells = row.cells;
            let mut errors = row.errors;
            if !scrub_row(&mut cells, subject) {
                continue;
            }
            scrub_strings(&mut errors, &|_| true);
            exec(
                txn,
                "UPDATE import_row_errors SET cells = ?, errors = ? WHERE job_id = ? AND phase = ? AND row_number = ?",
                vec![
                    json(cells),
                    json(errors),
                    row.job_id.into(),
                    row.phase.into(),
                    row.row_number.into(),
                ],
            )
            .await?;
            scrubbed.import_rows += 1;
        }
    }

    // What jobs keep for display: the sample rows and per-column samples, and the dry run's
    // first errors and update previews.
    #[derive(FromQueryResult)]
    struct JobRow {
        id: Uuid,
        sample: serde_json::Value,
        validation: Option<serde_json::Value>,
    }
    let jobs = JobRow::find_by_statement(stmt(
        backend,
        "SELECT id, sample, validation FROM import_jobs WHERE organization_id = ?",
        vec![org.as_uuid().into()],
    ))
    .all(txn)
    .await?;
    for job in jobs {
        let mut sample = job.sample;
        let mut validation = job.validation;
        let mut changed = scrub_job_json(&mut sample, subject);
        if let Some(v) = validation.as_mut() {
            changed |= scrub_job_json(v, subject);
        }
        if changed {
            exec(
                txn,
                "UPDATE import_jobs SET sample = ?, validation = ? WHERE id = ?",
                vec![
                    json(sample),
                    validation.map(json).unwrap_or(Value::Json(None)),
                    job.id.into(),
                ],
            )
            .await?;
            scrubbed.import_jobs += 1;
        }
    }

    // Jobs whose files are deleted can no longer run: one not yet started ends as failed.
    for job in files_of {
        scrubbed.import_files += exec(
            txn,
            "UPDATE import_jobs SET file_erased_at = ?, \
             status = CASE WHEN status IN ('uploaded', 'mapped', 'validated') THEN 'failed' ELSE status END, \
             message = CASE WHEN status IN ('uploaded', 'mapped', 'validated') THEN ? ELSE message END, \
             updated_at = ? WHERE organization_id = ? AND id = ?",
            vec![
                now.into(),
                "The uploaded file was deleted by a GDPR erasure; upload it again.".into(),
                now.into(),
                org.as_uuid().into(),
                (*job).into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// A row of cells that names the person loses every cell (the other cells are about the same
/// person). Returns whether it did.
fn scrub_row(cells: &mut serde_json::Value, subject: &ErasureSubject) -> bool {
    let serde_json::Value::Array(items) = cells else {
        return false;
    };
    let hit = items
        .iter()
        .any(|c| c.as_str().is_some_and(|s| subject.matches(s)));
    if hit {
        for item in items.iter_mut() {
            if item.is_string() {
                *item = serde_json::Value::String(ERASED.to_owned());
            }
        }
    }
    hit
}

/// Replaces every string under `value` that `pick` accepts; returns whether any was replaced.
fn scrub_strings(value: &mut serde_json::Value, pick: &dyn Fn(&str) -> bool) -> bool {
    match value {
        serde_json::Value::String(s) if s != ERASED && pick(s) => {
            *s = ERASED.to_owned();
            true
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |acc, item| scrub_strings(item, pick) | acc),
        serde_json::Value::Object(map) => map
            .values_mut()
            .fold(false, |acc, item| scrub_strings(item, pick) | acc),
        _ => false,
    }
}

/// Samples and dry-run results: rows of cells naming the person lose all their cells, single
/// values naming the person go, and an update preview of the erased customer loses its name
/// and values (its shape stays, so the job still reads).
fn scrub_job_json(value: &mut serde_json::Value, subject: &ErasureSubject) -> bool {
    let customer = subject.customer_id.as_uuid().to_string();
    match value {
        serde_json::Value::Array(items) => {
            let all_strings = !items.is_empty() && items.iter().all(|i| i.is_string());
            if all_strings {
                // A row of cells: all of it is about one person.
                let hit = items
                    .iter()
                    .any(|c| c.as_str().is_some_and(|s| subject.matches(s)));
                if hit {
                    scrub_row(value, subject);
                }
                return hit;
            }
            items
                .iter_mut()
                .fold(false, |acc, item| scrub_job_json(item, subject) | acc)
        }
        serde_json::Value::Object(map) => {
            if map.get("customer_id").and_then(|v| v.as_str()) == Some(customer.as_str()) {
                let mut changed = false;
                for (key, item) in map.iter_mut() {
                    if key != "customer_id" && key != "field" && key != "row" {
                        changed |= erase_values(item);
                    }
                }
                return changed;
            }
            map.iter_mut().fold(false, |acc, (key, item)| {
                // One column's samples are values from different rows: only the matches go.
                let changed = if key == "samples" {
                    scrub_strings(item, &|s| subject.matches(s))
                } else {
                    scrub_job_json(item, subject)
                };
                changed | acc
            })
        }
        serde_json::Value::String(s) if subject.matches(s) => {
            *s = ERASED.to_owned();
            true
        }
        _ => false,
    }
}

/// Every string and number under `value` becomes `[erased]`, except the `field` names of
/// a preview's changes.
fn erase_values(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) if s == ERASED => false,
        serde_json::Value::String(_) | serde_json::Value::Number(_) => {
            *value = serde_json::Value::String(ERASED.to_owned());
            true
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |acc, item| erase_values(item) | acc),
        serde_json::Value::Object(map) => map.iter_mut().fold(false, |acc, (key, item)| {
            if key == "field" {
                acc
            } else {
                erase_values(item) | acc
            }
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> ErasureSubject {
        ErasureSubject {
            customer_id: CustomerId::from_uuid(Uuid::nil()),
            customer_code: "CUS-1".to_owned(),
            erased_at: None,
            identifiers: vec!["ada@example.com".to_owned(), "ada lovelace".to_owned()],
        }
    }

    #[test]
    fn a_row_naming_the_person_loses_every_cell_and_others_keep_theirs() {
        let mut sample = serde_json::json!({
            "rows": [["Ada Lovelace", " ADA@example.com ", "London"], ["Bob", "bob@x.org", "Paris"]],
            "samples": [["Ada Lovelace", "Bob"]],
            "filled": [2, 2, 2],
        });
        assert!(scrub_job_json(&mut sample, &subject()));
        assert_eq!(
            sample["rows"],
            serde_json::json!([[ERASED, ERASED, ERASED], ["Bob", "bob@x.org", "Paris"]])
        );
        assert_eq!(sample["samples"], serde_json::json!([[ERASED, "Bob"]]));
        assert_eq!(sample["filled"], serde_json::json!([2, 2, 2]));
        assert!(!scrub_job_json(&mut sample, &subject()), "idempotent");
    }

    #[test]
    fn a_preview_of_the_erased_customer_keeps_its_shape_and_loses_its_values() {
        let mut validation = serde_json::json!({"updates": [{
            "row": 7, "customer_id": Uuid::nil().to_string(), "customer_name": "Ada Ltd",
            "changes": [{"field": "phone", "before": "+441234", "after": null}],
        }]});
        assert!(scrub_job_json(&mut validation, &subject()));
        let preview = &validation["updates"][0];
        assert_eq!(preview["row"], 7);
        assert_eq!(preview["customer_name"], ERASED);
        assert_eq!(preview["changes"][0]["field"], "phone");
        assert_eq!(preview["changes"][0]["before"], ERASED);
        assert_eq!(preview["changes"][0]["after"], serde_json::Value::Null);
    }
}
