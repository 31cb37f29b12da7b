//! GDPR: a data-subject access export of one customer as a ZIP of JSON and CSV per table.
//! (Erasure comes next, issue 6.)

use std::io::Write;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use tenure_api_types::Problem;
use tenure_domain::ids::CustomerId;
use tenure_domain::permission::Permission;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(gdpr_export);
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
