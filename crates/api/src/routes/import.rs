//! Imports: the vendor templates, the upload (streamed to disk), the mapping, the dry run, the
//! background import with cancel and revert, the refused rows as CSV, and the history.
//! The work itself happens in `crate::import::worker`; these handlers only change a job's state.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use futures_util::{StreamExt, stream};
use serde::Deserialize;
use tenure_api_types::{
    ImportJobList, ImportJobView, ImportMappingInput, ImportTemplateColumn, ImportTemplateList,
    ImportTemplateView, Problem,
};
use tenure_domain::error::FieldError;
use tenure_domain::import::{TARGETS, TEMPLATES};
use tenure_domain::permission::Permission;
use tenure_store::Store;
use tenure_store::import::NewImportJob;
use tokio::io::AsyncWriteExt;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::import::file::{self, FileError, MAX_UPLOAD_BYTES};
use crate::import::{REVERT_WINDOW_DAYS, headers, job_view, plan_for};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_templates)
        .service(upload)
        .service(list_imports)
        .service(get_import)
        .service(put_mapping)
        .service(validate)
        .service(start)
        .service(cancel)
        .service(revert)
        .service(errors_csv);
}

/// The vendor export formats an import can be mapped with (HubSpot, Salesforce, Pipedrive), each
/// column with its other spellings and the field it feeds, and every mapping target.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    responses((status = 200, body = ImportTemplateList)))]
#[get("/import-templates")]
async fn list_templates(user: AuthUser) -> Result<web::Json<ImportTemplateList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    Ok(web::Json(ImportTemplateList {
        items: TEMPLATES
            .iter()
            .map(|t| ImportTemplateView {
                id: t.id.to_owned(),
                label: t.label.to_owned(),
                vendor: t.vendor.to_owned(),
                kind: t.kind.to_owned(),
                source: t.source.to_owned(),
                columns: t
                    .columns
                    .iter()
                    .map(|c| ImportTemplateColumn {
                        header: c.header.to_owned(),
                        aliases: c.aliases.iter().map(|a| (*a).to_owned()).collect(),
                        target: c.target.to_owned(),
                        transform: c.transform.as_ref().map(|t| t.describe()),
                    })
                    .collect(),
            })
            .collect(),
        targets: TARGETS.iter().map(|t| (*t).to_owned()).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct UploadParams {
    /// The file's name, for the history (a multipart upload's own file name wins).
    #[serde(default)]
    file_name: Option<String>,
    /// Whether the first row names the columns; guessed when absent.
    #[serde(default)]
    has_header: Option<bool>,
}

fn file_error(e: FileError) -> ApiError {
    match e {
        FileError::Io(e) => ApiError::Internal(e.into()),
        other => ApiError::Validation(vec![FieldError::new("file", other.to_string())]),
    }
}

/// Writes a body stream to `path`, refusing more than [`MAX_UPLOAD_BYTES`].
async fn save<S, E>(mut body: S, path: &std::path::Path) -> Result<u64, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut out = tokio::io::BufWriter::with_capacity(
        1 << 20,
        tokio::fs::File::create(path)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?,
    );
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("upload interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > MAX_UPLOAD_BYTES {
            return Err(ApiError::PayloadTooLarge(
                usize::try_from(MAX_UPLOAD_BYTES).unwrap_or(usize::MAX),
            ));
        }
        out.write_all(&chunk)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
    }
    out.flush()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(size)
}

/// Upload a CSV file to import: the raw file as the body (`text/csv` or any binary type), or
/// `multipart/form-data` with a `file` field. Up to 512 MiB, streamed to disk. The file's
/// encoding (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252), delimiter (comma,
/// semicolon, tab, pipe) and header row are detected; the job comes back with its columns, their
/// automatic mapping and a sample.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(UploadParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file (or multipart/form-data with a `file` field)"),
    responses(
        (status = 201, body = ImportJobView, headers(("Location" = String))),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "empty or not CSV", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/imports")]
async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    params: web::Query<UploadParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let dir = state.data_dir.join("imports");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let id = Uuid::now_v7();
    let path = dir.join(format!("{id}.csv"));
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut file_name = params.file_name.clone();
    let saved = if multipart {
        let mut form = actix_multipart::Multipart::new(req.headers(), payload);
        let mut saved = None;
        while let Some(field) = form.next().await {
            let field = field.map_err(|e| ApiError::BadRequest(format!("multipart: {e}")))?;
            if field.name() != Some("file") {
                continue;
            }
            if let Some(name) = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .filter(|n| !n.trim().is_empty())
            {
                file_name = Some(name.to_owned());
            }
            saved = Some(save(field, &path).await);
            break;
        }
        saved.unwrap_or_else(|| {
            Err(ApiError::Validation(vec![FieldError::new(
                "file",
                "send the file in a multipart field named `file`",
            )]))
        })
    } else {
        save(payload, &path).await
    };
    let size = match saved {
        Ok(size) => size,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e);
        }
    };
    let has_header = params.has_header;
    let inspect_path = path.clone();
    let inspected = web::block(move || file::inspect(&inspect_path, has_header))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let inspected = match inspected {
        Ok(found) => found,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(file_error(e));
        }
    };
    if inspected.path != path {
        // The UTF-8 copy is what the importer reads; the original is no longer needed.
        let _ = tokio::fs::remove_file(&path).await;
    }
    let name = file_name
        .map(|n| n.trim().chars().take(255).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "upload.csv".to_owned());
    let job = state
        .store
        .create_import_job(
            user.organization_id,
            &NewImportJob {
                id,
                file_name: name,
                file_path: inspected.path.display().to_string(),
                file_size: i64::try_from(size).unwrap_or(i64::MAX),
                encoding: inspected.encoding.as_str().to_owned(),
                delimiter: (inspected.delimiter as char).to_string(),
                has_header: inspected.has_header,
                headers: inspected.headers,
                sample: serde_json::json!({
                    "rows": inspected.sample,
                    "filled": inspected.filled,
                    "samples": inspected.samples,
                }),
                total_rows: i64::try_from(inspected.total_rows).unwrap_or(i64::MAX),
                data_offset: i64::try_from(inspected.data_offset).unwrap_or(0),
            },
            &user.actor(),
        )
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{id}")))
        .json(job_view(&job)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct HistoryParams {
    /// 1..=100, default 20.
    #[serde(default)]
    limit: Option<u64>,
    #[serde(default)]
    cursor: Option<String>,
}

/// The organisation's imports, newest first: file, template, who, when, status and counts.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(HistoryParams),
    responses((status = 200, body = ImportJobList)))]
#[get("/imports")]
async fn list_imports(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<HistoryParams>,
) -> Result<web::Json<ImportJobList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "limit",
            "must be between 1 and 100",
        )]));
    }
    let page = state
        .store
        .import_jobs(user.organization_id, limit, params.cursor.as_deref())
        .await?;
    Ok(web::Json(ImportJobList {
        items: page.items.iter().map(job_view).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One import: status, counts, progress (rows done, rate, ETA), the dry run's result.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ImportJobView), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/imports/{id}")]
async fn get_import(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ImportJobView>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let job = state.store.import_job(user.organization_id, *id).await?;
    Ok(web::Json(job_view(&job)))
}

/// Map the file's columns: a template (`hubspot_contacts`, ...) and/or explicit columns
/// (`{"<csv header>": "<target>"}`, `null` to ignore one), per-column transforms, defaults for
/// unmapped targets, and the match policy (`by`: external_id / email / domain / none;
/// `on_match`: update / skip / fill_empty). Checked against the file; every problem reported.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ImportMappingInput,
    responses((status = 200, body = ImportJobView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/imports/{id}/mapping")]
async fn put_mapping(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<ImportMappingInput>,
) -> Result<web::Json<ImportJobView>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let job = state.store.import_job(user.organization_id, *id).await?;
    plan_for(&headers(&job), &body)?;
    let template = body
        .template
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let job = state
        .store
        .set_import_mapping(
            user.organization_id,
            *id,
            template,
            serde_json::to_value(&*body).map_err(|e| ApiError::Internal(e.into()))?,
            &user.actor(),
        )
        .await?;
    Ok(web::Json(job_view(&job)))
}

/// Dry-run the mapped file in the background: every row goes through the customer API's
/// validation and matching; nothing is written. Poll `GET /imports/{id}` or listen on
/// `GET /events` until the status is `validated`.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 202, body = ImportJobView),
        (status = 422, description = "not mapped yet, or already started", body = Problem, content_type = "application/problem+json")))]
#[post("/imports/{id}/validate")]
async fn validate(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    queue_phase(&state, &user, *id, false).await
}

/// Start the import in the background. It commits in batches and resumes after a restart
/// from the last committed batch.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 202, body = ImportJobView),
        (status = 422, description = "not mapped yet, or already started", body = Problem, content_type = "application/problem+json")))]
#[post("/imports/{id}/start")]
async fn start(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    queue_phase(&state, &user, *id, true).await
}

/// Queues the dry run (`import` false) or the import; 202 with the job.
async fn queue_phase(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    import: bool,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let job = state
        .store
        .queue_import_phase(user.organization_id, id, import, &user.actor())
        .await?;
    Ok(HttpResponse::Accepted().json(job_view(&job)))
}

/// Stop a dry run or an import at its next batch boundary; what was committed stays (and can
/// be reverted).
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ImportJobView),
        (status = 422, description = "not running", body = Problem, content_type = "application/problem+json")))]
#[post("/imports/{id}/cancel")]
async fn cancel(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ImportJobView>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let job = state
        .store
        .cancel_import(user.organization_id, *id, &user.actor())
        .await?;
    if job.status == tenure_store::import::status::CANCELLED {
        crate::import::worker::discard_upload(&job);
    }
    Ok(web::Json(job_view(&job)))
}

/// Undo a finished import within 7 days: customers it created are soft-deleted (restorable),
/// customers it updated get their earlier fields back. Runs in the background.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 202, body = ImportJobView),
        (status = 422, description = "not finished, or older than 7 days", body = Problem, content_type = "application/problem+json")))]
#[post("/imports/{id}/revert")]
async fn revert(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let job = state
        .store
        .queue_import_revert(
            user.organization_id,
            *id,
            chrono::Duration::days(REVERT_WINDOW_DAYS),
            &user.actor(),
        )
        .await?;
    Ok(HttpResponse::Accepted().json(job_view(&job)))
}

/// The refused rows as CSV: the file's own columns, then `row` and `errors` (column: message;
/// ...), so the file can be fixed and uploaded again. The import's rows once it has started,
/// otherwise the dry run's. Formula-like cells are neutralised.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/imports/{id}/errors.csv")]
async fn errors_csv(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersRead)?;
    let job = state.store.import_job(user.organization_id, *id).await?;
    let phase = if job.started_at.is_some() {
        "import"
    } else {
        "validate"
    };
    let mut header_row = headers(&job);
    header_row.extend(["row".to_owned(), "errors".to_owned()]);
    struct Page {
        store: Store,
        job: Uuid,
        phase: &'static str,
        after: i64,
        header: Option<Vec<String>>,
        done: bool,
    }
    let first_page = Page {
        store: state.store.clone(),
        job: job.id,
        phase,
        after: 0,
        header: Some(header_row),
        done: false,
    };
    let width = headers(&job).len();
    let body = stream::unfold(first_page, move |mut page| async move {
        if page.done {
            return None;
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        if let Some(header) = page.header.take() {
            let _ = writer.write_record(&header);
        }
        match page
            .store
            .import_row_errors(page.job, page.phase, page.after, 1000)
            .await
        {
            Ok(rows) => {
                page.done = rows.len() < 1000;
                for row in &rows {
                    let mut cells: Vec<String> = row.cells.clone();
                    cells.resize(width, String::new());
                    cells.push(row.row_number.to_string());
                    cells.push(
                        row.errors
                            .iter()
                            .map(|e| match &e.column {
                                Some(column) => format!("{column} ({}): {}", e.field, e.message),
                                None => format!("{}: {}", e.field, e.message),
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    );
                    let _ = writer.write_record(
                        cells
                            .iter()
                            .map(|c| tenure_domain::csv_safety::neutralise_cell(c).into_owned()),
                    );
                }
                if let Some(last) = rows.last() {
                    page.after = last.row_number;
                }
                let bytes = writer.into_inner().unwrap_or_default();
                Some((Ok::<_, actix_web::Error>(web::Bytes::from(bytes)), page))
            }
            Err(e) => {
                tracing::error!(error = ?e, "errors.csv failed mid-stream");
                page.done = true;
                Some((
                    Err(actix_web::error::ErrorInternalServerError(
                        "errors.csv failed",
                    )),
                    page,
                ))
            }
        }
    });
    let stem = job.file_name.trim_end_matches(".csv");
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}-errors.csv\"",
                stem.replace(['"', '\\', '\r', '\n'], "_")
            ),
        ))
        .streaming(body))
}
