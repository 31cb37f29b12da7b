//! Duplicate detection over HTTP: the real-time check a form calls while a customer is typed,
//! whole-base scans in the background, and the review queue of stored pairs with dismissal.
//! Candidates come from the store's blocking keys and are scored by the domain's matcher; the
//! evidence says why each one matches.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::NaiveDate;
use serde::Deserialize;
use tenure_api_types::{
    DuplicateCandidate, DuplicateCheckInput, DuplicateCheckResult, DuplicateClusterList,
    DuplicateDismissInput, DuplicateDismissResult, DuplicatePairList, DuplicateScanInput,
    DuplicateScanList, DuplicateScanView, DuplicateSettings, Problem,
};
use tenure_domain::customer::CustomerKind;
use tenure_domain::duplicate::{MatchInput, Thresholds};
use tenure_domain::error::FieldError;
use tenure_domain::ids::CustomerId;
use tenure_domain::permission::Permission;
use tenure_domain::values::CountryCode;
use tenure_store::duplicate::pairs::PairFilter;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(check_duplicates)
        .service(start_scan)
        .service(list_scans)
        .service(get_scan)
        .service(list_pairs)
        .service(dismiss_many)
        .service(dismiss_one)
        .service(list_clusters)
        .service(get_settings)
        .service(put_settings);
}

/// Query of the cluster list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ClusterParams {
    /// Only pairs at or above this score link customers (default: the organisation's `medium`).
    min_score: Option<f64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<u64>,
}

/// Open pairs grouped into clusters: customers linked by pairs (directly or through each
/// other) are one cluster, so three records of one customer are reviewed and merged together.
/// Strongest first; each cluster says its weakest link, since a chain can join records through
/// one doubtful pair. Only live customers and open pairs count.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])), params(ClusterParams),
    responses((status = 200, body = DuplicateClusterList),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/duplicate-clusters")]
async fn list_clusters(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<ClusterParams>,
) -> Result<web::Json<DuplicateClusterList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let org = user.organization_id;
    let thresholds = state.store.duplicate_thresholds(org).await?;
    let mut errors = Vec::new();
    let min_score = params.min_score.unwrap_or(thresholds.medium);
    if !(0.0..=1.0).contains(&min_score) {
        errors.push(FieldError::new("min_score", "must be 0 to 1"));
    }
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errors.push(FieldError::new("limit", "must be 1 to 200"));
    }
    let offset = match params.cursor.as_deref() {
        None => 0,
        Some(c) => c.parse::<u64>().unwrap_or_else(|_| {
            errors.push(FieldError::new(
                "cursor",
                "not a cursor of this list; start again without it",
            ));
            0
        }),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page =
        crate::duplicate::cluster_page(&state.store, org, &thresholds, min_score, offset, limit)
            .await?;
    Ok(web::Json(page))
}

/// The organisation's duplicate thresholds: a pair scoring at least `high` is likely the same
/// customer, one at least `medium` is worth a review (the check while typing and scans show
/// nothing below it).
#[utoipa::path(tag = "duplicates", security(("bearer" = [])),
    responses((status = 200, body = DuplicateSettings)))]
#[get("/duplicate-settings")]
async fn get_settings(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<DuplicateSettings>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let t = state
        .store
        .duplicate_thresholds(user.organization_id)
        .await?;
    Ok(web::Json(DuplicateSettings {
        high: t.high,
        medium: t.medium,
    }))
}

/// Sets the organisation's duplicate thresholds (`0 < medium <= high <= 1`). The next scan
/// stores pairs from the new `medium` up.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])),
    request_body = DuplicateSettings,
    responses((status = 200, body = DuplicateSettings),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/duplicate-settings")]
async fn put_settings(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<DuplicateSettings>,
) -> Result<web::Json<DuplicateSettings>, ApiError> {
    user.require(Permission::SettingsWrite)?;
    let thresholds = Thresholds {
        high: body.high,
        medium: body.medium,
    };
    thresholds.check().map_err(ApiError::Validation)?;
    state
        .store
        .set_duplicate_thresholds(user.organization_id, &thresholds, &user.actor())
        .await?;
    Ok(web::Json(body.into_inner()))
}

/// A field's text, trimmed; `None` when blank.
fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The draft as the matcher's input; the few fields with a format (kind, birth date, country,
/// limit) are checked, every problem at once.
fn draft(input: &DuplicateCheckInput) -> Result<(MatchInput, usize), ApiError> {
    let mut errors = Vec::new();
    let kind = match text(&input.kind) {
        None => None,
        Some(k) => match CustomerKind::parse(k) {
            Ok(kind) => Some(kind),
            Err(e) => {
                errors.push(FieldError::new("kind", e.message));
                None
            }
        },
    };
    let birth_date = match text(&input.birth_date) {
        None => None,
        Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.push(FieldError::new("birth_date", "use YYYY-MM-DD"));
                None
            }
        },
    };
    let country = match text(&input.country) {
        None => None,
        Some(c) => match CountryCode::parse(c) {
            Ok(country) => Some(country),
            Err(e) => {
                errors.push(FieldError::new("country", e.message));
                None
            }
        },
    };
    let limit = input.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        errors.push(FieldError::new("limit", "must be 1 to 20"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let owned = |v: &Option<String>| text(v).map(str::to_owned);
    Ok((
        MatchInput {
            kind,
            name: owned(&input.name),
            first_name: owned(&input.first_name),
            last_name: owned(&input.last_name),
            birth_date,
            emails: owned(&input.email).into_iter().collect(),
            phones: owned(&input.phone).into_iter().collect(),
            website: owned(&input.website),
            address: owned(&input.address_line1),
            postal_code: owned(&input.postal_code),
            tax_id: owned(&input.tax_id),
            country,
        },
        limit as usize,
    ))
}

/// Customers that may be the one being typed, best first, each with its score and the
/// evidence field by field. Only candidates worth a look (score at or above the review
/// threshold) are returned; `confidence` says whether one is likely the same. Deleted customers
/// and `exclude_id` (the record being edited) are left out.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])),
    request_body = DuplicateCheckInput,
    responses((status = 200, body = DuplicateCheckResult),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/duplicates/check")]
async fn check_duplicates(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<DuplicateCheckInput>,
) -> Result<web::Json<DuplicateCheckResult>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let (input, limit) = draft(&body)?;
    let thresholds = state
        .store
        .duplicate_thresholds(user.organization_id)
        .await?;
    let candidates = state
        .store
        .duplicate_candidates(
            user.organization_id,
            &input,
            body.exclude_id.map(CustomerId::from_uuid),
            thresholds.medium,
            limit,
        )
        .await?;
    Ok(web::Json(DuplicateCheckResult {
        candidates: candidates
            .into_iter()
            .map(|c| DuplicateCandidate {
                customer_id: c.customer_id,
                customer_code: c.customer_code,
                name: c.name,
                score: c.matched.score,
                confidence: crate::duplicate::confidence(c.matched.score, &thresholds),
                evidence: c
                    .matched
                    .evidence
                    .into_iter()
                    .map(crate::duplicate::evidence_view)
                    .collect(),
            })
            .collect(),
    }))
}

/// Start a whole-base scan in the background: every live customer (`full`), or by default only
/// those updated since the last completed scan. Candidate pairs come from shared blocking keys
/// (never the cross product); pairs at or above the review threshold are stored for review.
/// Follow it with `GET /duplicate-scans/{id}` or `duplicate_scan.progress` on `GET /events`.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])),
    request_body = DuplicateScanInput,
    responses((status = 202, body = DuplicateScanView),
        (status = 409, description = "A scan is already queued or running (`conflict`)", body = Problem, content_type = "application/problem+json")))]
#[post("/duplicate-scans")]
async fn start_scan(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Option<web::Json<DuplicateScanInput>>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let full = body.and_then(|b| b.full).unwrap_or(false);
    let scan = state
        .store
        .create_duplicate_scan(user.organization_id, full, &user.actor())
        .await?;
    Ok(HttpResponse::Accepted().json(crate::duplicate::scan_view(&scan)))
}

/// The organisation's last 20 scans, newest first: a page finds the running or latest scan here.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])),
    responses((status = 200, body = DuplicateScanList)))]
#[get("/duplicate-scans")]
async fn list_scans(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<DuplicateScanList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let scans = state
        .store
        .duplicate_scans(user.organization_id, 20)
        .await?;
    Ok(web::Json(DuplicateScanList {
        items: scans.iter().map(crate::duplicate::scan_view).collect(),
    }))
}

/// A scan's status and progress: candidate pairs, pairs scored, pairs kept, and the blocking
/// efficiency (candidate pairs per customer).
#[utoipa::path(tag = "duplicates", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = DuplicateScanView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/duplicate-scans/{id}")]
async fn get_scan(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<DuplicateScanView>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let scan = state
        .store
        .duplicate_scan(user.organization_id, *id)
        .await?;
    Ok(web::Json(crate::duplicate::scan_view(&scan)))
}

/// Query of the review queue.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PairParams {
    /// `open` (default), `dismissed` or `merged`.
    status: Option<String>,
    /// 0 to 1 (default 0).
    min_score: Option<f64>,
    /// Only pairs with this customer on either side.
    customer: Option<Uuid>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<u64>,
}

/// The review queue: stored pairs by confidence, best first, with both customers, the score and
/// the evidence. Pairs with a deleted side are left out. Keyset-paged.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])), params(PairParams),
    responses((status = 200, body = DuplicatePairList),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/duplicates")]
async fn list_pairs(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<PairParams>,
) -> Result<web::Json<DuplicatePairList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let mut errors = Vec::new();
    let status = params.status.clone().unwrap_or_else(|| "open".to_owned());
    if !["open", "dismissed", "merged"].contains(&status.as_str()) {
        errors.push(FieldError::new("status", "one of open, dismissed, merged"));
    }
    let min_score = params.min_score.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&min_score) {
        errors.push(FieldError::new("min_score", "must be 0 to 1"));
    }
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errors.push(FieldError::new("limit", "must be 1 to 200"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = state
        .store
        .duplicate_pairs(
            user.organization_id,
            &PairFilter {
                status,
                min_score,
                customer: params.customer,
            },
            params.cursor.as_deref(),
            limit,
        )
        .await?;
    let thresholds = state
        .store
        .duplicate_thresholds(user.organization_id)
        .await?;
    Ok(web::Json(DuplicatePairList {
        items: page
            .items
            .into_iter()
            .map(|pair| crate::duplicate::pair_view(pair, &thresholds))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Dismiss a pair: it leaves the queue and stays out of it until one of its records changes in a
/// way matching reads.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = DuplicateDismissResult),
        (status = 404, description = "No open pair with this id", body = Problem, content_type = "application/problem+json")))]
#[post("/duplicates/{id}/dismiss")]
async fn dismiss_one(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<DuplicateDismissResult>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let dismissed = state
        .store
        .dismiss_duplicate_pairs(user.organization_id, &[*id], &user.actor())
        .await?;
    if dismissed.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(web::Json(DuplicateDismissResult { dismissed }))
}

/// Dismiss many pairs at once (at most 500); ids that are not open pairs are left alone and not
/// listed in the answer.
#[utoipa::path(tag = "duplicates", security(("bearer" = [])),
    request_body = DuplicateDismissInput,
    responses((status = 200, body = DuplicateDismissResult),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/duplicates/dismiss")]
async fn dismiss_many(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<DuplicateDismissInput>,
) -> Result<web::Json<DuplicateDismissResult>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    if body.ids.is_empty() || body.ids.len() > 500 {
        return Err(ApiError::Validation(vec![FieldError::new(
            "ids",
            "give 1 to 500 pair ids",
        )]));
    }
    let dismissed = state
        .store
        .dismiss_duplicate_pairs(user.organization_id, &body.ids, &user.actor())
        .await?;
    Ok(web::Json(DuplicateDismissResult { dismissed }))
}
