//! Import jobs: the row each upload becomes, its life cycle (uploaded, mapped, validating,
//! validated, queued, running, completed / cancelled / failed, reverting, reverted), the lease a
//! worker holds while it works on one, and the history list.
//!
//! A worker claims a job with [`Store::claim_import_job`] and must hold the lease for every batch
//! it commits: [`batch`] writes a batch's rows and the job's progress in one transaction, and
//! refuses when the lease has passed to another worker, so no row is written twice.

pub mod batch;
pub mod mappings;
pub mod revert;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use tenure_domain::ids::{OrganizationId, UserId};
use uuid::Uuid;

use crate::Store;
use crate::audit::{self, Actor};
use crate::error::StoreError;
use crate::sql::{decode_cursor, encode_cursor, json, stmt};

/// A job's state. `validating`, `queued`, `running` and `reverting` are the ones a worker picks
/// up.
pub mod status {
    pub const UPLOADED: &str = "uploaded";
    pub const MAPPED: &str = "mapped";
    pub const VALIDATING: &str = "validating";
    pub const VALIDATED: &str = "validated";
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const COMPLETED: &str = "completed";
    pub const CANCELLED: &str = "cancelled";
    pub const FAILED: &str = "failed";
    pub const REVERTING: &str = "reverting";
    pub const REVERTED: &str = "reverted";
    /// States a worker picks up.
    pub const RUNNABLE: &[&str] = &[VALIDATING, QUEUED, RUNNING, REVERTING];
    /// States the user may still map, validate or start from.
    pub const EDITABLE: &[&str] = &[UPLOADED, MAPPED, VALIDATED];
}

/// One import job as stored.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ImportJobRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Option<Uuid>,
    pub created_by_label: String,
    pub file_name: String,
    pub file_path: String,
    pub file_size: i64,
    pub encoding: String,
    pub delimiter: String,
    pub has_header: bool,
    /// The column names (JSON array of strings).
    pub headers: serde_json::Value,
    /// The first rows (JSON array of arrays of strings).
    pub sample: serde_json::Value,
    pub total_rows: i64,
    /// Byte offset of the first data record in the stored (UTF-8) file.
    pub data_offset: i64,
    pub template: Option<String>,
    /// The user's mapping as sent (JSON), once given.
    pub mapping: Option<serde_json::Value>,
    pub status: String,
    pub cancel_requested: bool,
    /// Data records already processed (committed) in the current phase.
    pub next_row: i64,
    /// Where the next record starts in the file.
    pub next_offset: i64,
    pub created_count: i64,
    pub updated_count: i64,
    pub skipped_count: i64,
    pub failed_count: i64,
    pub rows_per_second: Option<f64>,
    /// The dry run's result (JSON), once validated.
    pub validation: Option<serde_json::Value>,
    pub message: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub reverted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, organization_id, created_by, created_by_label, file_name, file_path, \
    file_size, encoding, delimiter, has_header, headers, sample, total_rows, data_offset, template, \
    mapping, status, cancel_requested, next_row, next_offset, created_count, updated_count, \
    skipped_count, failed_count, rows_per_second, validation, message, lease_owner, lease_until, \
    started_at, finished_at, reverted_at, created_at, updated_at";

/// A file just stored and sniffed.
#[derive(Debug, Clone)]
pub struct NewImportJob {
    pub id: Uuid,
    pub file_name: String,
    pub file_path: String,
    pub file_size: i64,
    pub encoding: String,
    pub delimiter: String,
    pub has_header: bool,
    pub headers: Vec<String>,
    /// `{"rows": [[...]], "filled": [n per column], "samples": [[values] per column]}`.
    pub sample: serde_json::Value,
    pub total_rows: i64,
    pub data_offset: i64,
}

/// One page of the history.
#[derive(Debug, Clone)]
pub struct ImportJobPage {
    pub items: Vec<ImportJobRecord>,
    pub next_cursor: Option<String>,
}

/// A row the importer could not take, with the reasons.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowErrorRecord {
    pub row_number: i64,
    pub cells: Vec<String>,
    pub errors: Vec<RowError>,
}

/// One reason a row was refused: the column (when one is to blame), the field and the message.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    pub column: Option<String>,
    pub field: String,
    pub message: String,
}

async fn job_in(
    db: &impl ConnectionTrait,
    org: OrganizationId,
    id: Uuid,
) -> Result<ImportJobRecord, StoreError> {
    ImportJobRecord::find_by_statement(stmt(
        db.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM import_jobs WHERE organization_id = ? AND id = ?"),
        vec![org.as_uuid().into(), id.into()],
    ))
    .one(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The runnable states as an SQL list (`'validating', 'queued', ...`); constants, never input.
fn runnable_list() -> String {
    status::RUNNABLE
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn wrong_state(job: &ImportJobRecord, wanted: &str) -> StoreError {
    StoreError::Invalid(vec![tenure_domain::error::FieldError::new(
        "status",
        format!("the import is {}; {wanted}", job.status),
    )])
}

impl Store {
    /// Records an uploaded file as a new job.
    pub async fn create_import_job(
        &self,
        org: OrganizationId,
        new: &NewImportJob,
        actor: &Actor,
    ) -> Result<ImportJobRecord, StoreError> {
        let txn = self.begin_write().await?;
        let now = crate::now();
        crate::sql::insert(
            &txn,
            "import_jobs",
            vec![
                ("id", new.id.into()),
                ("organization_id", org.as_uuid().into()),
                ("created_by", actor.user_id.map(|u| u.as_uuid()).into()),
                ("created_by_label", actor.label.clone().into()),
                ("file_name", new.file_name.clone().into()),
                ("file_path", new.file_path.clone().into()),
                ("file_size", new.file_size.into()),
                ("encoding", new.encoding.clone().into()),
                ("delimiter", new.delimiter.clone().into()),
                ("has_header", new.has_header.into()),
                ("headers", json(serde_json::json!(new.headers))),
                ("sample", json(new.sample.clone())),
                ("total_rows", new.total_rows.into()),
                ("data_offset", new.data_offset.into()),
                ("next_offset", new.data_offset.into()),
                ("status", status::UPLOADED.into()),
                ("created_at", now.into()),
                ("updated_at", now.into()),
            ],
        )
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "import.uploaded",
            "import_job",
            Some(new.id),
            serde_json::json!({"file_name": new.file_name, "rows": new.total_rows}),
        )
        .await?;
        let job = job_in(&txn, org, new.id).await?;
        txn.commit().await?;
        Ok(job)
    }

    /// One job of the organisation.
    pub async fn import_job(
        &self,
        org: OrganizationId,
        id: Uuid,
    ) -> Result<ImportJobRecord, StoreError> {
        job_in(&self.db, org, id).await
    }

    /// The organisation's jobs, newest first.
    pub async fn import_jobs(
        &self,
        org: OrganizationId,
        limit: u64,
        cursor: Option<&str>,
    ) -> Result<ImportJobPage, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM import_jobs WHERE organization_id = ?");
        let mut values = vec![org.as_uuid().into()];
        if let Some(cursor) = cursor {
            let (at, id): (DateTime<Utc>, Uuid) = decode_cursor(cursor).ok_or_else(|| {
                StoreError::Invalid(vec![tenure_domain::error::FieldError::new(
                    "cursor",
                    "not a cursor from this list",
                )])
            })?;
            sql.push_str(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            values.extend([at.into(), at.into(), id.into()]);
        }
        sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?");
        values.push(i64::try_from(limit + 1).unwrap_or(i64::MAX).into());
        let mut items =
            ImportJobRecord::find_by_statement(stmt(self.db.get_database_backend(), &sql, values))
                .all(&self.db)
                .await?;
        let next_cursor = if items.len() as u64 > limit {
            items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            items.last().map(|j| encode_cursor(&(j.created_at, j.id)))
        } else {
            None
        };
        Ok(ImportJobPage { items, next_cursor })
    }

    /// The organisation's jobs a worker is on, and those changed since `since` (for the
    /// event stream).
    pub async fn active_import_jobs(
        &self,
        org: OrganizationId,
        since: DateTime<Utc>,
    ) -> Result<Vec<ImportJobRecord>, StoreError> {
        let runnable = runnable_list();
        Ok(ImportJobRecord::find_by_statement(stmt(
            self.db.get_database_backend(),
            &format!(
                "SELECT {COLUMNS} FROM import_jobs WHERE organization_id = ? AND (updated_at >= ? OR status IN ({runnable})) ORDER BY created_at"
            ),
            vec![org.as_uuid().into(), since.into()],
        ))
        .all(&self.db)
        .await?)
    }

    /// Saves the mapping (already checked against the file by the caller).
    pub async fn set_import_mapping(
        &self,
        org: OrganizationId,
        id: Uuid,
        template: Option<&str>,
        mapping: serde_json::Value,
        actor: &Actor,
    ) -> Result<ImportJobRecord, StoreError> {
        let txn = self.begin_write().await?;
        let job = job_in(&txn, org, id).await?;
        if !status::EDITABLE.contains(&job.status.as_str()) {
            return Err(wrong_state(&job, "its mapping can no longer change"));
        }
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE import_jobs SET template = ?, mapping = ?, status = ?, validation = NULL, updated_at = ? WHERE id = ?",
            vec![
                template.map(str::to_owned).into(),
                json(mapping.clone()),
                status::MAPPED.into(),
                crate::now().into(),
                id.into(),
            ],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "import.mapped",
            "import_job",
            Some(id),
            mapping,
        )
        .await?;
        let job = job_in(&txn, org, id).await?;
        txn.commit().await?;
        Ok(job)
    }

    /// Queues the dry run (`validate`) or the import (`start`).
    pub async fn queue_import_phase(
        &self,
        org: OrganizationId,
        id: Uuid,
        import: bool,
        actor: &Actor,
    ) -> Result<ImportJobRecord, StoreError> {
        let txn = self.begin_write().await?;
        let job = job_in(&txn, org, id).await?;
        if job.mapping.is_none() || !status::EDITABLE.contains(&job.status.as_str()) {
            return Err(wrong_state(
                &job,
                if job.mapping.is_none() {
                    "map its columns first (PUT /imports/{id}/mapping)"
                } else {
                    "it cannot be validated or started again"
                },
            ));
        }
        let now = crate::now();
        let next = if import {
            status::QUEUED
        } else {
            status::VALIDATING
        };
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE import_jobs SET status = ?, next_row = 0, next_offset = data_offset, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?",
            vec![next.into(), now.into(), id.into()],
        ))
        .await?;
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "DELETE FROM import_row_errors WHERE job_id = ? AND phase = ?",
            vec![id.into(), if import { "import" } else { "validate" }.into()],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            if import {
                "import.started"
            } else {
                "import.validated"
            },
            "import_job",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        let job = job_in(&txn, org, id).await?;
        txn.commit().await?;
        Ok(job)
    }

    /// Asks a job to stop at its next batch boundary; a job no worker holds stops at once (and
    /// gives up its file, which the caller deletes).
    pub async fn cancel_import(
        &self,
        org: OrganizationId,
        id: Uuid,
        actor: &Actor,
    ) -> Result<ImportJobRecord, StoreError> {
        let txn = self.begin_write().await?;
        let job = job_in(&txn, org, id).await?;
        let backend = txn.get_database_backend();
        let now = crate::now();
        match job.status.as_str() {
            status::VALIDATING | status::RUNNING | status::QUEUED => {
                let unclaimed = job.status == status::QUEUED && job.lease_owner.is_none();
                txn.execute_raw(stmt(
                    backend,
                    "UPDATE import_jobs SET cancel_requested = ?, status = ?, finished_at = ?, file_erased_at = ?, updated_at = ? WHERE id = ?",
                    vec![
                        true.into(),
                        if unclaimed { status::CANCELLED } else { job.status.as_str() }.into(),
                        if unclaimed { Some(now) } else { None }.into(),
                        if unclaimed { Some(now) } else { None }.into(),
                        now.into(),
                        id.into(),
                    ],
                ))
                .await?;
            }
            _ => {
                return Err(wrong_state(
                    &job,
                    "only a validating, queued or running import can be cancelled",
                ));
            }
        }
        audit::record(
            &txn,
            org,
            actor,
            "import.cancelled",
            "import_job",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        let job = job_in(&txn, org, id).await?;
        txn.commit().await?;
        Ok(job)
    }

    /// Takes the oldest runnable job whose lease is free, for `owner` (a worker id).
    pub async fn claim_import_job(
        &self,
        owner: &str,
    ) -> Result<Option<ImportJobRecord>, StoreError> {
        let table = crate::lease::JobTable {
            name: "import_jobs",
            runnable: runnable_list(),
            on_claim: "status = CASE WHEN status = 'queued' THEN 'running' ELSE status END, \
                started_at = CASE WHEN status = 'queued' THEN ? ELSE started_at END",
        };
        match self.claim_leased(&table, owner).await? {
            Some((org, id)) => Ok(Some(job_in(&self.db, org, id).await?)),
            None => Ok(None),
        }
    }

    /// Extends the lease; `false` when another worker has the job now.
    pub async fn renew_import_lease(&self, id: Uuid, owner: &str) -> Result<bool, StoreError> {
        let result = self
            .db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                "UPDATE import_jobs SET lease_until = ? WHERE id = ? AND lease_owner = ?",
                vec![
                    (crate::now() + self.job_lease).into(),
                    id.into(),
                    owner.into(),
                ],
            ))
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Whether someone asked the job to stop.
    pub async fn import_cancel_requested(&self, id: Uuid) -> Result<bool, StoreError> {
        #[derive(FromQueryResult)]
        struct Flag {
            cancel_requested: bool,
        }
        Ok(Flag::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT cancel_requested FROM import_jobs WHERE id = ?",
            vec![id.into()],
        ))
        .one(&self.db)
        .await?
        .is_some_and(|f| f.cancel_requested))
    }

    /// Ends the worker's phase: `status` (validated, completed, cancelled, failed, reverted),
    /// the dry run's result when there is one, and a message. Releases the lease.
    pub async fn finish_import_phase(
        &self,
        job: &ImportJobRecord,
        owner: &str,
        new_status: &str,
        validation: Option<serde_json::Value>,
        message: Option<String>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin_write().await?;
        let now = crate::now();
        let backend = txn.get_database_backend();
        let validated = new_status == status::VALIDATED;
        // A job that can never run again gives up its file (data minimisation; the caller
        // deletes it from disk).
        let ended = [status::COMPLETED, status::CANCELLED, status::FAILED].contains(&new_status);
        let result = txn
            .execute_raw(stmt(
                backend,
                &format!(
                    "UPDATE import_jobs SET status = ?, message = ?, lease_owner = NULL, lease_until = NULL, cancel_requested = ?, updated_at = ?{}{} WHERE id = ? AND lease_owner = ?",
                    if ended { ", file_erased_at = ?" } else { "" },
                    if validated {
                        ", validation = ?, next_row = 0, next_offset = data_offset"
                    } else if new_status == status::REVERTED {
                        ", reverted_at = ?"
                    } else {
                        ", finished_at = ?"
                    }
                ),
                [
                    new_status.into(),
                    message.clone().into(),
                    false.into(),
                    now.into(),
                ]
                .into_iter()
                .chain(ended.then(|| now.into()))
                .chain([
                    if validated {
                        json(validation.unwrap_or_default())
                    } else {
                        Some(now).into()
                    },
                    job.id.into(),
                    owner.into(),
                ])
                .collect(),
            ))
            .await?;
        if result.rows_affected() != 1 {
            return Ok(false);
        }
        let org = OrganizationId::from_uuid(job.organization_id);
        let fresh = job_in(&txn, org, job.id).await?;
        audit::record(
            &txn,
            org,
            &Actor::system("importer"),
            &format!("import.{new_status}"),
            "import_job",
            Some(job.id),
            serde_json::json!({
                "created": fresh.created_count,
                "updated": fresh.updated_count,
                "skipped": fresh.skipped_count,
                "failed": fresh.failed_count,
                "message": message,
            }),
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Asks for a revert of a finished job (within `window` of its end).
    pub async fn queue_import_revert(
        &self,
        org: OrganizationId,
        id: Uuid,
        window: chrono::Duration,
        actor: &Actor,
    ) -> Result<ImportJobRecord, StoreError> {
        let txn = self.begin_write().await?;
        let job = job_in(&txn, org, id).await?;
        let finished = matches!(
            job.status.as_str(),
            status::COMPLETED | status::CANCELLED | status::FAILED
        );
        if !finished || job.started_at.is_none() {
            return Err(wrong_state(&job, "only a finished import can be reverted"));
        }
        if job.finished_at.is_some_and(|at| at + window < crate::now()) {
            return Err(wrong_state(
                &job,
                &format!(
                    "imports can be reverted for {} days after they end",
                    window.num_days()
                ),
            ));
        }
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE import_jobs SET status = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?",
            vec![status::REVERTING.into(), crate::now().into(), id.into()],
        ))
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            "import.revert_requested",
            "import_job",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        let job = job_in(&txn, org, id).await?;
        txn.commit().await?;
        Ok(job)
    }

    /// The rows a phase refused, in file order, `limit` at a time after `after` (a row number).
    pub async fn import_row_errors(
        &self,
        job: Uuid,
        phase: &str,
        after: i64,
        limit: u64,
    ) -> Result<Vec<RowErrorRecord>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            row_number: i64,
            cells: serde_json::Value,
            errors: serde_json::Value,
        }
        let rows = Row::find_by_statement(stmt(
            self.db.get_database_backend(),
            "SELECT row_number, cells, errors FROM import_row_errors WHERE job_id = ? AND phase = ? AND row_number > ? ORDER BY row_number LIMIT ?",
            vec![
                job.into(),
                phase.into(),
                after.into(),
                i64::try_from(limit).unwrap_or(i64::MAX).into(),
            ],
        ))
        .all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| RowErrorRecord {
                row_number: r.row_number,
                cells: serde_json::from_value(r.cells).unwrap_or_default(),
                errors: serde_json::from_value(r.errors).unwrap_or_default(),
            })
            .collect())
    }
}

impl ImportJobRecord {
    /// Who the worker acts as: the user who uploaded the file, marked as an import.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.created_by.map(UserId::from_uuid),
            label: format!("{} (import)", self.created_by_label),
            request_id: None,
            ip: None,
        }
    }
}
