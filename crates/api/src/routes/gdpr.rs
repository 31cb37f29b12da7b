//! GDPR: a data-subject access export of one customer as a ZIP of JSON and CSV per table, and
//! erasure: the customer's personal data anonymised everywhere it lives (the database in one
//! transaction, then the uploaded import files that held it), proved by the erasure ledger.

use std::io::Write;

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Serialize;
use tenure_api_types::{ErasureCounts, ErasureList, ErasureRequest, ErasureView, Problem};
use tenure_domain::error::FieldError;
use tenure_domain::ids::CustomerId;
use tenure_domain::permission::Permission;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(gdpr_export)
        .service(erase_customer)
        .service(list_erasures);
}

/// Everything held about a customer and its contacts, as a ZIP with one JSON and one CSV file
/// per table: the profile, contacts, addresses (deleted ones too), the whole timeline, the
/// credits ledger, flags and every audit entry about any of them. The export is itself
/// written to the audit log.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, content_type = "application/zip", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/customers/{id}/gdpr-export")]
async fn gdpr_export(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let data = state
        .store
        .customer_data(
            user.organization_id,
            CustomerId::from_uuid(*id),
            &user.actor(),
        )
        .await?;
    let code = data.customer.customer_code.clone();
    let mut archive = Archive::new();
    archive.table("customer", std::slice::from_ref(&data.customer))?;
    archive.table("contacts", &data.contacts)?;
    archive.table("addresses", &data.addresses)?;
    archive.table("activities", &data.activities)?;
    archive.table("ledger_entries", &data.ledger)?;
    archive.table("flags", &data.flags)?;
    archive.table("audit_log", &data.audit)?;
    let bytes = archive.finish()?;
    let file = format!(
        "gdpr-{}-{}.zip",
        code.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"),
        tenure_store::now().format("%Y%m%d")
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

/// Erases the customer's personal data (GDPR art. 17), irreversibly. Owners only, and only with
/// the customer's code typed as `confirmation`.
///
/// Anonymised: the customer's names, email, phone, website, tax id, notes and custom fields;
/// its contacts and addresses; the texts, attendees and metadata of its activities; ledger and
/// flag reasons; goal titles and notes; the diffs of every audit entry about those records;
/// the earlier states kept for reverting imports, rejected import rows and job samples that
/// name the person; and uploaded import files that hold the person (deleted). Ids, codes,
/// dates, amounts and statuses stay, so revenue history and roll-ups still add up. The customer
/// is soft-deleted and can no longer be restored. The erasure ledger (`GET /erasures`) and the
/// audit log keep when and by whom, with counts only. Records merged into this customer are
/// the same person and are erased with it (each with its own ledger entry), and merges it took
/// part in lose their snapshots and can no longer be undone.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ErasureRequest,
    responses(
        (status = 200, body = ErasureView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Code `conflict`: already erased, or a running import holds the person (the detail says which)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The confirmation is not the customer's code", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/customers/{id}/erase")]
async fn erase_customer(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<ErasureRequest>,
) -> Result<web::Json<ErasureView>, ApiError> {
    user.require(Permission::DataErase)?;
    let org = user.organization_id;
    let id = CustomerId::from_uuid(*id);
    let subject = state.store.erasure_subject(org, id).await?;
    if subject.erased_at.is_some() {
        return Err(ApiError::Conflict("customer_erased".to_owned()));
    }
    if body.confirmation.trim() != subject.customer_code {
        return Err(ApiError::Validation(vec![FieldError::new(
            "confirmation",
            format!(
                "type the customer's code ({}) to confirm the erasure",
                subject.customer_code
            ),
        )]));
    }
    // Records merged into this one are the same customer: they go too, first, so a failure
    // part-way leaves the survivor for a retry to find them again.
    for merged in state.store.merged_into(org, id).await? {
        erase_one(&state, org, merged, &user.actor()).await?;
    }
    let record = erase_one(&state, org, id, &user.actor()).await?;
    Ok(web::Json(erasure_view(record)))
}

/// Erases one customer and deletes the uploaded files that named it. An import still to run
/// that holds the person is a 409: erase again once it has finished.
async fn erase_one(
    state: &AppState,
    org: tenure_domain::ids::OrganizationId,
    id: CustomerId,
    actor: &tenure_store::Actor,
) -> Result<tenure_store::erasure::ErasureRecord, ApiError> {
    let subject = state.store.erasure_subject(org, id).await?;
    let staged = state.store.staged_import_files(org).await?;
    let holding = {
        let subject = subject.clone();
        web::block(move || crate::import::file::files_naming(&staged, &subject))
            .await
            .map_err(internal)?
    };
    if holding
        .iter()
        .any(|f| tenure_store::import::status::RUNNABLE.contains(&f.status.as_str()))
    {
        return Err(ApiError::Conflict("import_running".to_owned()));
    }
    let jobs: Vec<Uuid> = holding.iter().map(|f| f.job_id).collect();
    let record = state.store.erase_customer(org, id, &jobs, actor).await?;
    for file in &holding {
        match std::fs::remove_file(&file.file_path) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                tracing::error!(error = %err, path = %file.file_path, "erased import file could not be deleted");
            }
        }
    }
    Ok(record)
}

/// The erasure ledger, newest first (the last 500): when, by whom and what was scrubbed, with no
/// personal data. Owners only.
#[utoipa::path(tag = "customers", security(("bearer" = [])),
    responses(
        (status = 200, body = ErasureList),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/erasures")]
async fn list_erasures(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<ErasureList>, ApiError> {
    user.require(Permission::DataErase)?;
    let records = state.store.erasures(user.organization_id, 500).await?;
    Ok(web::Json(ErasureList {
        items: records.into_iter().map(erasure_view).collect(),
    }))
}

fn erasure_view(record: tenure_store::erasure::ErasureRecord) -> ErasureView {
    ErasureView {
        id: record.id,
        customer_id: record.customer_id,
        customer_code: record.customer_code,
        erased_by: record.erased_by,
        erased_by_label: record.erased_by_label,
        erased_at: record.created_at,
        scrubbed: serde_json::from_value::<ErasureCounts>(record.scrubbed).unwrap_or_default(),
    }
}

/// A ZIP being written in memory (one customer's data is small).
struct Archive {
    zip: zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
}

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

impl Archive {
    fn new() -> Archive {
        Archive {
            zip: zip::ZipWriter::new(std::io::Cursor::new(Vec::new())),
        }
    }

    /// `<name>.json` (an array) and `<name>.csv` (one column per field; nested values as JSON).
    fn table<T: Serialize>(&mut self, name: &str, rows: &[T]) -> Result<(), ApiError> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let values: Vec<serde_json::Value> = rows
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()
            .map_err(internal)?;
        self.zip
            .start_file(format!("{name}.json"), options)
            .map_err(internal)?;
        serde_json::to_writer_pretty(&mut self.zip, &values).map_err(internal)?;
        self.zip
            .start_file(format!("{name}.csv"), options)
            .map_err(internal)?;
        let mut columns: Vec<String> = Vec::new();
        for value in &values {
            if let serde_json::Value::Object(map) = value {
                for key in map.keys() {
                    if !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&columns).map_err(internal)?;
        for value in &values {
            let cells = columns.iter().map(|column| {
                let cell = match value.get(column) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                };
                tenure_domain::csv_safety::neutralise_cell(&cell).into_owned()
            });
            writer.write_record(cells).map_err(internal)?;
        }
        let csv = writer
            .into_inner()
            .map_err(|e| internal(anyhow::anyhow!("{e}")))?;
        self.zip.write_all(&csv).map_err(internal)?;
        Ok(())
    }

    fn finish(self) -> Result<Vec<u8>, ApiError> {
        Ok(self.zip.finish().map_err(internal)?.into_inner())
    }
}
