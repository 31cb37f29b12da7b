//! Duplicate detection over HTTP: the real-time check a form calls while a customer is typed.
//! Candidates come from the store's blocking keys and are scored by the domain's matcher; the
//! evidence says why each one matches.

use actix_web::{post, web};
use chrono::NaiveDate;
use tenure_api_types::{
    DuplicateCandidate, DuplicateCheckInput, DuplicateCheckResult, MatchEvidence, Problem,
};
use tenure_domain::customer::CustomerKind;
use tenure_domain::duplicate::{MatchInput, Thresholds};
use tenure_domain::error::FieldError;
use tenure_domain::ids::CustomerId;
use tenure_domain::permission::Permission;
use tenure_domain::values::CountryCode;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(check_duplicates);
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
    let thresholds = Thresholds::default();
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
                confidence: if c.matched.score >= thresholds.high {
                    "high"
                } else {
                    "medium"
                }
                .to_owned(),
                evidence: c
                    .matched
                    .evidence
                    .into_iter()
                    .map(|e| MatchEvidence {
                        field: e.field.to_owned(),
                        left: e.left,
                        right: e.right,
                        similarity: e.similarity,
                        weight: round(e.weight),
                        contribution: round(e.contribution),
                        rule: e.rule.to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// Weights to three decimals: enough to explain, stable to compare.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
