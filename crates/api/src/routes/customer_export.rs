//! The directory's export: the customers matching the same filters as `GET /customers`, as a
//! CSV streamed in chunks (constant memory at any size) or as an Excel workbook, with the
//! columns the caller chose (`?columns=`, keys of [`EXPORT_COLUMNS`], in order).

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use futures_util::stream;
use tenure_api_types::{CustomerView, EXPORT_COLUMNS, Problem};
use tenure_domain::csv_safety::neutralise_cell;
use tenure_domain::error::{FieldError, Validator};
use tenure_domain::ids::OrganizationId;
use tenure_domain::permission::Permission;
use tenure_domain::query::SortKey;
use tenure_store::Store;
use tenure_store::customer::{Cursor, CustomerFilter, CustomerRecord, Paging};
use utoipa_actix_web::service_config::ServiceConfig;

use super::customer_list::{ListParams, parse_filter};
use crate::auth::AuthUser;
use crate::convert::customer_view;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_csv).service(export_xlsx);
}

/// Rows fetched per round trip while exporting; memory stays constant at any total.
const EXPORT_CHUNK: u32 = 1_000;

/// A worksheet holds 1,048,576 rows; one is the header.
const XLSX_MAX_ROWS: u64 = 1_048_575;

/// The chosen column keys, in order: every column when `columns` is absent, else each key of
/// the list (unknown or repeated keys are refused, naming them).
fn chosen_columns(raw: Option<&str>) -> Result<Vec<&'static str>, ApiError> {
    let Some(raw) = raw else {
        return Ok(EXPORT_COLUMNS.iter().map(|(key, _)| *key).collect());
    };
    let mut chosen = Vec::new();
    let mut bad = Vec::new();
    for key in raw.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        match EXPORT_COLUMNS.iter().find(|(known, _)| *known == key) {
            Some((known, _)) if !chosen.contains(known) => chosen.push(*known),
            Some(_) => bad.push(format!("{key} (twice)")),
            None => bad.push(key.to_owned()),
        }
    }
    if !bad.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "columns",
            format!(
                "unknown columns: {}; choose from {}",
                bad.join(", "),
                EXPORT_COLUMNS
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )]));
    }
    if chosen.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "columns",
            "choose at least one column",
        )]));
    }
    Ok(chosen)
}

/// One cell of the export: text for every column (numbers as the API writes them).
fn cell(view: &CustomerView, key: &str) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match key {
        "id" => view.id.to_string(),
        "customer_code" => view.customer_code.clone(),
        "kind" => view.kind.clone(),
        "name" => view.name.clone(),
        "status" => view.status.clone(),
        "customer_type" => view.customer_type.clone(),
        "tier" => opt(&view.tier),
        "plan" => opt(&view.plan),
        "email" => opt(&view.email),
        "phone" => opt(&view.phone),
        "website" => opt(&view.website),
        "country" => opt(&view.country),
        "currency" => view.currency.clone(),
        "mrr" => view.mrr.clone(),
        "ltv" => view.ltv.clone(),
        "health_score" => view.health_score.map(|h| h.to_string()).unwrap_or_default(),
        "churn_risk" => view.churn_risk.map(|c| c.to_string()).unwrap_or_default(),
        "payment_status" => view.payment_status.clone(),
        "tags" => view.tags.join(";"),
        "customer_since" => view
            .customer_since
            .map(|d| d.to_string())
            .unwrap_or_default(),
        "last_activity_at" => view
            .last_activity_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        "created_at" => view.created_at.to_rfc3339(),
        _ => String::new(),
    }
}

/// Columns a spreadsheet should see as numbers.
fn numeric(key: &str) -> bool {
    matches!(key, "mrr" | "ltv" | "health_score" | "churn_risk")
}

fn csv_chunk(records: &[CustomerRecord], columns: &[&str], header: bool) -> Vec<u8> {
    let today = tenure_store::now().date_naive();
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(records.len() * 256));
    if header {
        let _ = writer.write_record(columns);
    }
    for record in records {
        let view = customer_view(record, today);
        let _ = writer.write_record(
            columns
                .iter()
                .map(|key| neutralise_cell(&cell(&view, key)).into_owned()),
        );
    }
    writer.into_inner().unwrap_or_default()
}

/// The filtered directory, page by page in the export's order.
struct Pages {
    store: Store,
    org: OrganizationId,
    filter: CustomerFilter,
    sort: Vec<SortKey>,
    after: Option<Cursor>,
    done: bool,
}

impl Pages {
    async fn next(&mut self) -> Result<Option<Vec<CustomerRecord>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let paging = Paging::Keyset {
            after: self.after.take(),
            limit: EXPORT_CHUNK,
        };
        let page = self
            .store
            .list_customers(self.org, &self.filter, &self.sort, &paging, false)
            .await?;
        self.after = page.next_cursor;
        self.done = self.after.is_none();
        Ok(Some(page.items))
    }
}

fn pages(
    state: &AppState,
    user: &AuthUser,
    params: &ListParams,
) -> Result<(Pages, Vec<&'static str>), ApiError> {
    user.require(Permission::CustomersRead)?;
    let mut v = Validator::new();
    let (filter, sort) = parse_filter(params, &mut v);
    v.finish()?;
    let columns = chosen_columns(params.columns.as_deref())?;
    Ok((
        Pages {
            store: state.store.clone(),
            org: user.organization_id,
            filter,
            sort,
            after: None,
            done: false,
        },
        columns,
    ))
}

fn attachment(extension: &str) -> String {
    format!(
        "attachment; filename=\"customers-{}.{extension}\"",
        tenure_store::now().format("%Y%m%d-%H%M%S")
    )
}

/// Export the customers matching the directory's filters as CSV, streamed in chunks (constant
/// memory at any size), with the chosen columns. Cells that a spreadsheet would run as
/// formulas are neutralised.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "CSV, a header of the chosen column keys and one row per customer", content_type = "text/csv", body = String),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customers/export.csv")]
async fn export_csv(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let (pages, columns) = pages(&state, &user, &params)?;
    let body = stream::unfold(
        (pages, columns, true),
        |(mut pages, columns, first)| async move {
            match pages.next().await {
                Ok(None) => None,
                Ok(Some(items)) => {
                    let bytes = csv_chunk(&items, &columns, first);
                    Some((
                        Ok::<_, actix_web::Error>(web::Bytes::from(bytes)),
                        (pages, columns, false),
                    ))
                }
                Err(err) => {
                    tracing::error!(error = ?err, "export failed mid-stream");
                    pages.done = true;
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        (pages, columns, false),
                    ))
                }
            }
        },
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CONTENT_DISPOSITION, attachment("csv")))
        .streaming(body))
}

/// Export the customers matching the directory's filters as an Excel workbook (one sheet, a
/// bold header of the chosen column keys, money and scores as numbers). Finished rows spill to
/// a temporary file while it is built. A sheet holds at most 1,048,575 customers; more is 422
/// with `rows` named (export CSV instead).
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "An .xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customers/export.xlsx")]
async fn export_xlsx(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let (mut pages, columns) = pages(&state, &user, &params)?;
    let internal = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(e.into());
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(internal)?;
    sheet.set_name("Customers").map_err(internal)?;
    for (col, key) in (0u16..).zip(&columns) {
        sheet
            .write_string_with_format(0, col, *key, &bold)
            .map_err(internal)?;
    }
    let today = tenure_store::now().date_naive();
    let mut row: u32 = 0;
    while let Some(items) = pages.next().await? {
        if u64::from(row) + items.len() as u64 > XLSX_MAX_ROWS {
            return Err(ApiError::Validation(vec![FieldError::new(
                "rows",
                format!(
                    "a worksheet holds at most {XLSX_MAX_ROWS} customers; narrow the filter or export CSV"
                ),
            )]));
        }
        for record in &items {
            row += 1;
            let view = customer_view(record, today);
            for (col, key) in (0u16..).zip(&columns) {
                let text = cell(&view, key);
                if text.is_empty() {
                    continue;
                }
                match text.parse::<f64>() {
                    Ok(number) if numeric(key) => sheet.write_number(row, col, number),
                    _ => sheet.write_string(row, col, text),
                }
                .map_err(internal)?;
            }
        }
    }
    let bytes = web::block(move || workbook.save_to_buffer())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ))
        .insert_header((header::CONTENT_DISPOSITION, attachment("xlsx")))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_default_to_all_and_keep_the_callers_order() {
        assert_eq!(
            chosen_columns(None).expect("all").len(),
            EXPORT_COLUMNS.len()
        );
        assert_eq!(
            chosen_columns(Some("email, name ,mrr")).expect("three"),
            vec!["email", "name", "mrr"]
        );
        for bad in ["name,shoe_size", "name,name", ",,"] {
            assert!(chosen_columns(Some(bad)).is_err(), "{bad}");
        }
    }
}
