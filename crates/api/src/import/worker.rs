//! The background importer. Each worker loop claims a runnable job (a lease in the job table,
//! taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL) and runs its phase:
//! - `validating`: the dry run; every row is mapped, matched and parsed, nothing is written
//!   but the refused rows and the forecast;
//! - `running`: the import, from the job's last committed batch (so a restart resumes exactly
//!   there), batch by batch, stopping at a batch boundary when cancelled;
//! - `reverting`: created customers soft-deleted, updated ones given their fields back.
//!
//! A blocking thread reads and maps the file while the async side matches, parses and writes,
//! so reading the next batch overlaps writing the current one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tenure_api_types::{ImportCounts, ImportRowError, ImportUpdatePreview, ImportValidation};
use tenure_domain::ids::{CustomerId, OrganizationId};
use tenure_domain::import::plan::{MappedRow, OnMatch, Plan};
use tenure_store::import::batch::{BatchWrite, CreateRow, LEASE_LOST, MatchedCustomer, UpdateRow};
use tenure_store::import::{ImportJobRecord, RowError, RowErrorRecord, status};
use tenure_store::{Store, StoreError};

use crate::convert::{customer_input, customer_view, new_customer};
use crate::import::file::reader_at;
use crate::import::plan_of;
use crate::import::rows::{RowParser, UpdateOutcome};
use crate::state::AppState;

/// Rows per batch (and per transaction).
pub const BATCH_ROWS: usize = 2_000;
/// Refused rows kept in the dry run's summary (all are in `errors.csv`).
const SUMMARY_ERRORS: usize = 100;
/// Update previews kept in the dry run's summary.
const SUMMARY_UPDATES: usize = 20;

/// Starts `TENURE_IMPORT_WORKERS` (default 1) worker loops on the current runtime.
pub fn spawn(state: AppState) {
    let workers = std::env::var("TENURE_IMPORT_WORKERS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1);
    for _ in 0..workers {
        let state = state.clone();
        tokio::spawn(async move {
            let owner = format!("worker-{}", uuid::Uuid::now_v7().simple());
            loop {
                match state.store.claim_import_job(&owner).await {
                    Ok(Some(job)) => {
                        let id = job.id;
                        if let Err(e) = run(&state.store, &owner, job).await {
                            tracing::error!(job = %id, error = ?e, "import job failed");
                        }
                    }
                    Ok(None) => tokio::time::sleep(Duration::from_millis(250)).await,
                    Err(e) => {
                        tracing::warn!(error = ?e, "claiming import jobs failed");
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                }
            }
        });
    }
}

/// Runs the claimed job's phase; a failure marks the job failed with the reason.
async fn run(store: &Store, owner: &str, job: ImportJobRecord) -> anyhow::Result<()> {
    let result = match job.status.as_str() {
        status::VALIDATING => rows_phase(store, owner, &job, false).await,
        status::RUNNING => rows_phase(store, owner, &job, true).await,
        status::REVERTING => revert(store, owner, &job).await,
        _ => Ok(()),
    };
    match result {
        Ok(()) => Ok(()),
        Err(Failure::LeaseLost) => {
            tracing::warn!(job = %job.id, "another worker took the import over");
            Ok(())
        }
        Err(Failure::Other(e)) => {
            if store
                .finish_import_phase(&job, owner, status::FAILED, None, Some(format!("{e:#}")))
                .await?
            {
                discard_upload(&job);
            }
            Err(e)
        }
    }
}

/// Deletes the uploaded file of a job that can never run again (the store marked it so in the
/// same transaction that ended the job). A file that cannot be deleted is logged; erasure
/// still finds it on disk, because its scan reads every file that exists.
pub fn discard_upload(job: &ImportJobRecord) {
    match std::fs::remove_file(&job.file_path) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => {
            tracing::warn!(job = %job.id, error = %err, "the finished import's file could not be deleted");
        }
    }
}

enum Failure {
    LeaseLost,
    Other(anyhow::Error),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        match e {
            StoreError::Conflict { constraint } if constraint == LEASE_LOST => Failure::LeaseLost,
            other => Failure::Other(other.into()),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Other(e)
    }
}

/// A batch read from the file: (record index, cells, mapped row) per record, and where the
/// next batch starts.
struct Chunk {
    rows: Vec<(i64, Vec<String>, MappedRow)>,
    next_row: i64,
    next_offset: i64,
}

/// Reads the file from the job's resume point on a blocking thread, mapping each record.
fn read_chunks(
    job: &ImportJobRecord,
    plan: Arc<Plan>,
) -> tokio::sync::mpsc::Receiver<Result<Chunk, String>> {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    let path = std::path::PathBuf::from(&job.file_path);
    let delimiter = job.delimiter.as_bytes().first().copied().unwrap_or(b',');
    let (mut index, offset) = (job.next_row, job.next_offset);
    tokio::task::spawn_blocking(move || {
        let mut reader = match reader_at(&path, delimiter, u64::try_from(offset).unwrap_or(0)) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.blocking_send(Err(format!("cannot read the uploaded file: {e}")));
                return;
            }
        };
        let mut record = csv::StringRecord::new();
        loop {
            let mut rows = Vec::with_capacity(BATCH_ROWS);
            while rows.len() < BATCH_ROWS {
                match reader.read_record(&mut record) {
                    Ok(true) => {
                        let cells: Vec<&str> = record.iter().collect();
                        let mapped = plan.apply(&cells);
                        rows.push((
                            index,
                            cells.iter().map(|c| (*c).to_owned()).collect(),
                            mapped,
                        ));
                        index += 1;
                    }
                    Ok(false) => break,
                    Err(e) => {
                        let _ = tx.blocking_send(Err(format!(
                            "the file stopped being CSV after row {index}: {e}"
                        )));
                        return;
                    }
                }
            }
            let done = rows.len() < BATCH_ROWS;
            let chunk = Chunk {
                rows,
                next_row: index,
                next_offset: i64::try_from(reader.position().byte()).unwrap_or(i64::MAX),
            };
            if tx.blocking_send(Ok(chunk)).is_err() || done {
                return;
            }
        }
    });
    rx
}

/// The match keys of the records before the job's resume point, with their row numbers.
fn keys_before(
    job: &ImportJobRecord,
    parser: &RowParser,
    row_base: i64,
) -> std::io::Result<HashMap<String, i64>> {
    let delimiter = job.delimiter.as_bytes().first().copied().unwrap_or(b',');
    let mut reader = reader_at(
        std::path::Path::new(&job.file_path),
        delimiter,
        u64::try_from(job.data_offset).unwrap_or(0),
    )?;
    let mut keys = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut index = 0;
    while index < job.next_row
        && reader
            .read_record(&mut record)
            .map_err(std::io::Error::other)?
    {
        let cells: Vec<&str> = record.iter().collect();
        if let Some(key) = parser.match_key(&parser.plan.apply(&cells)) {
            keys.entry(key).or_insert(index + row_base);
        }
        index += 1;
    }
    Ok(keys)
}

/// What one batch decided, before anything is written.
#[derive(Default)]
struct Decided {
    write: BatchWrite,
    previews: Vec<ImportUpdatePreview>,
}

/// Classifies a chunk's rows: repeat within the file, skip, update, create or refuse.
fn decide(
    parser: &RowParser,
    chunk: Chunk,
    matches: &HashMap<String, MatchedCustomer>,
    seen: &mut HashMap<String, i64>,
    row_base: i64,
    want_previews: bool,
) -> Decided {
    let mut out = Decided::default();
    for (index, cells, mapped) in chunk.rows {
        let row_number = index + row_base;
        let fail = |errors: Vec<RowError>, cells: Vec<String>| RowErrorRecord {
            row_number,
            cells,
            errors,
        };
        let key = parser.match_key(&mapped);
        if let Some(key) = &key {
            let earlier = seen
                .get(key)
                .copied()
                .or_else(|| matches.get(key).and_then(|m| m.touched_by_row));
            if let Some(earlier) = earlier.filter(|r| *r != row_number) {
                out.write.failures.push(fail(
                    vec![RowError {
                        column: None,
                        field: parser.plan.policy.by.as_str().to_owned(),
                        message: format!(
                            "the same {} as row {earlier} of this file",
                            parser.plan.policy.by.as_str()
                        ),
                    }],
                    cells,
                ));
                continue;
            }
            seen.insert(key.clone(), row_number);
        }
        match key.as_ref().and_then(|k| matches.get(k)) {
            Some(found) if found.record.deleted_at.is_some() => out.write.failures.push(fail(
                vec![RowError {
                    column: None,
                    field: "external_id".to_owned(),
                    message: format!(
                        "belongs to the deleted customer {}; restore it first to update it",
                        found.record.customer_code
                    ),
                }],
                cells,
            )),
            Some(_) if parser.plan.policy.on_match == OnMatch::Skip => out.write.skipped += 1,
            Some(found) => match parser.parse_update(&found.record, &mapped) {
                Ok(UpdateOutcome::Unchanged) => out.write.skipped += 1,
                Ok(UpdateOutcome::Changed { customer, changes }) => {
                    if want_previews && out.previews.len() < SUMMARY_UPDATES {
                        out.previews.push(ImportUpdatePreview {
                            row: u64::try_from(row_number).unwrap_or(0),
                            customer_id: found.record.id.as_uuid(),
                            customer_name: found.record.name.clone(),
                            changes,
                        });
                    }
                    out.write.updates.push(UpdateRow {
                        row_number,
                        cells,
                        before: found.record.clone(),
                        customer: *customer,
                    });
                }
                Err(errors) => out.write.failures.push(fail(errors, cells)),
            },
            None => match parser.parse_new(&mapped) {
                Ok(parsed) => out.write.creates.push(CreateRow {
                    row_number,
                    cells,
                    customer: parsed.customer,
                    address: parsed.address,
                    contact: parsed.contact,
                }),
                Err(errors) => out.write.failures.push(fail(errors, cells)),
            },
        }
    }
    out.write.next_row = chunk.next_row;
    out.write.next_offset = chunk.next_offset;
    out
}

/// The dry run or the import, from the job's resume point to the end of the file.
async fn rows_phase(
    store: &Store,
    owner: &str,
    job: &ImportJobRecord,
    import: bool,
) -> Result<(), Failure> {
    let plan = Arc::new(plan_of(job).map_err(|errors| {
        anyhow::anyhow!(
            "the saved mapping no longer fits: {}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?);
    let org_id = OrganizationId::from_uuid(job.organization_id);
    let parser = Arc::new(RowParser {
        plan: (*plan).clone(),
        org: store.organization(org_id).await?,
        today: tenure_store::now().date_naive(),
        catalogue: store.import_catalogue(org_id).await?,
    });
    let actor = job.actor();
    let row_base = if job.has_header { 2 } else { 1 };
    let mut chunks = read_chunks(job, plan.clone());
    let started = Instant::now();
    let first_row = job.next_row;
    // Keys of rows before the resume point, so a repeat after a restart is refused exactly as
    // in a run that never stopped (even when the first row was refused itself).
    let mut seen = if job.next_row > 0 {
        let (job, parser) = (job.clone(), parser.clone());
        tokio::task::spawn_blocking(move || keys_before(&job, &parser, row_base))
            .await
            .map_err(|e| anyhow::anyhow!("reading the file panicked: {e}"))?
            .map_err(|e| anyhow::anyhow!("cannot read the uploaded file: {e}"))?
    } else {
        HashMap::new()
    };
    let mut forecast = ImportCounts::default();
    // Statistics at the start and each time the rows written this run double.
    store.refresh_import_statistics().await?;
    let mut written: i64 = 0;
    let mut next_refresh: i64 = 2 * BATCH_ROWS as i64;
    let mut summary_errors: Vec<ImportRowError> = Vec::new();
    let mut previews = Vec::new();
    while let Some(chunk) = chunks.recv().await {
        let chunk = chunk.map_err(|e| anyhow::anyhow!(e))?;
        let t0 = Instant::now();
        if store.import_cancel_requested(job.id).await? {
            // A cancelled dry run goes back to `mapped`, so it can be run again.
            let ended = store
                .finish_import_phase(
                    job,
                    owner,
                    if import {
                        status::CANCELLED
                    } else {
                        status::MAPPED
                    },
                    None,
                    Some(format!(
                        "cancelled after {} rows",
                        chunk.rows.first().map_or(chunk.next_row, |r| r.0)
                    )),
                )
                .await?;
            if ended && import {
                discard_upload(job);
            }
            return Ok(());
        }
        let keys: Vec<String> = chunk
            .rows
            .iter()
            .filter_map(|(_, _, mapped)| parser.match_key(mapped))
            .collect();
        let matches = store
            .import_matches(
                org_id,
                job.id,
                parser.plan.policy.by,
                &parser.plan.policy.source,
                &keys,
            )
            .await?;
        let want_previews = !import && previews.len() < SUMMARY_UPDATES;
        let (decided, returned_seen) = {
            let parser = parser.clone();
            let mut seen = std::mem::take(&mut seen);
            tokio::task::spawn_blocking(move || {
                let decided = decide(&parser, chunk, &matches, &mut seen, row_base, want_previews);
                (decided, seen)
            })
            .await
            .map_err(|e| anyhow::anyhow!("parsing rows panicked: {e}"))?
        };
        seen = returned_seen;
        let t_decided = t0.elapsed();
        let mut write = decided.write;
        let rows_done = write.next_row - first_row;
        let elapsed = started.elapsed().as_secs_f64();
        write.rows_per_second = (elapsed > 0.0).then(|| rows_done as f64 / elapsed);
        for failure in &write.failures {
            for e in &failure.errors {
                if summary_errors.len() < SUMMARY_ERRORS {
                    summary_errors.push(ImportRowError {
                        row: u64::try_from(failure.row_number).unwrap_or(0),
                        column: e.column.clone(),
                        field: e.field.clone(),
                        message: e.message.clone(),
                    });
                }
            }
        }
        if import {
            let t1 = Instant::now();
            let counts = store.write_import_batch(job, owner, &actor, write).await?;
            tracing::debug!(
                job = %job.id,
                rows = counts.created + counts.updated + counts.skipped + counts.failed,
                match_and_parse_ms = t_decided.as_millis() as u64,
                write_ms = t1.elapsed().as_millis() as u64,
                "import batch committed"
            );
            written += counts.created + counts.updated;
            if written >= next_refresh {
                store.refresh_import_statistics().await?;
                next_refresh = written * 2;
            }
        } else {
            let count = |n: usize| u64::try_from(n).unwrap_or(0);
            forecast.created += count(write.creates.len());
            forecast.updated += count(write.updates.len());
            forecast.skipped += u64::try_from(write.skipped).unwrap_or(0);
            forecast.failed += count(write.failures.len());
            previews.extend(decided.previews);
            store
                .write_validation_batch(
                    job,
                    owner,
                    &write.failures,
                    write.next_row,
                    write.next_offset,
                    write.rows_per_second,
                )
                .await?;
        }
    }
    if import {
        if store
            .finish_import_phase(job, owner, status::COMPLETED, None, None)
            .await?
        {
            discard_upload(job);
        }
    } else {
        let validation = ImportValidation {
            counts: forecast,
            errors: summary_errors,
            updates: previews,
        };
        store
            .finish_import_phase(
                job,
                owner,
                status::VALIDATED,
                Some(serde_json::to_value(&validation).unwrap_or_default()),
                None,
            )
            .await?;
    }
    Ok(())
}

/// Soft-deletes what the job created and gives updated customers their earlier fields back.
async fn revert(store: &Store, owner: &str, job: &ImportJobRecord) -> Result<(), Failure> {
    let org_id = OrganizationId::from_uuid(job.organization_id);
    let actor = job.actor();
    let org = store.organization(org_id).await?;
    let today = tenure_store::now().date_naive();
    let deleted = store.revert_import_creates(job, &actor).await?;
    let (mut restored, mut kept) = (0u64, 0u64);
    let mut after = 0;
    loop {
        if !store.renew_import_lease(job.id, owner).await? {
            return Err(Failure::LeaseLost);
        }
        let updates = store.import_updates(job.id, after, 500).await?;
        let Some(last) = updates.last() else {
            break;
        };
        after = last.row_number;
        for update in updates {
            let id: CustomerId = update.before.id;
            let Ok(current) = store.customer(org_id, id, false).await else {
                kept += 1;
                continue;
            };
            let input = customer_input(&customer_view(&update.before, today));
            let outcome = match new_customer(&input, &org, today) {
                Ok(new) => store
                    .update_customer(org_id, id, current.version, &new, &actor)
                    .await
                    .map(|_| ()),
                Err(errors) => Err(StoreError::Invalid(errors)),
            };
            match outcome {
                Ok(()) => restored += 1,
                Err(e) => {
                    tracing::warn!(job = %job.id, customer = %id.as_uuid(), error = ?e, "could not restore a customer");
                    kept += 1;
                }
            }
        }
    }
    store
        .finish_import_phase(
            job,
            owner,
            status::REVERTED,
            None,
            Some(format!(
                "{deleted} created customers deleted, {restored} updated customers restored{}",
                if kept > 0 {
                    format!(", {kept} left as they are (deleted or changed since)")
                } else {
                    String::new()
                }
            )),
        )
        .await?;
    Ok(())
}
