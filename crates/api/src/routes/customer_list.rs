//! The directory: `GET /customers` (filters, quick views, sort, keyset or page pagination,
//! capped totals), `GET /customers/counts` for the quick-view chips and `GET /customers/tags`.
//! The export of the same filter is in [`super::customer_export`].

use actix_web::{get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use tenure_api_types::{CustomerList, Problem, TagCount, ViewCounts};
use tenure_domain::customer::{CustomerStatus, CustomerType, PaymentStatus};
use tenure_domain::error::{FieldError, Validator, ValueError};
use tenure_domain::ids::UserId;
use tenure_domain::permission::Permission;
use tenure_domain::query::{QuickView, Range, SortKey, parse_limit, parse_sort};
use tenure_store::customer::{Cursor, CustomerFilter, Paging};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::convert::customer_view;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_customers)
        .service(customer_counts)
        .service(customer_tags);
}

/// Query parameters of the directory. Lists are comma-separated (`status=active,at_risk`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words that must all occur in name, email, code, domain or phone (case and accent
    /// insensitive); a phone-like value matches by digits.
    q: Option<String>,
    /// `lead,onboarding,active,at_risk,suspended,churned`
    status: Option<String>,
    /// `standard,vip,partner`
    #[serde(rename = "type")]
    #[param(rename = "type")]
    customer_type: Option<String>,
    tier: Option<String>,
    plan: Option<String>,
    /// Customers with any of these tags.
    tag: Option<String>,
    /// `current,pending,overdue,failed`
    payment_status: Option<String>,
    /// User ids of account owners.
    owner: Option<String>,
    health_min: Option<String>,
    health_max: Option<String>,
    churn_min: Option<String>,
    churn_max: Option<String>,
    /// RFC 3339 instant or `YYYY-MM-DD`.
    created_from: Option<String>,
    created_to: Option<String>,
    last_activity_from: Option<String>,
    last_activity_to: Option<String>,
    /// Quick view: `all`, `active`, `high_risk`, `payment_issues`, `cancelled`.
    view: Option<String>,
    /// `true` lists the deleted customers (the bin).
    deleted: Option<String>,
    /// Comma-separated keys, `-` for descending: name, plan, tenure, ltv, mrr, churn_risk,
    /// health, last_activity, created. Default `name`.
    sort: Option<String>,
    /// Keyset page size, 1..=500 (default 50).
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page number (1-based) for the table UI; switches to offset pagination.
    page: Option<String>,
    /// Page size in page mode, 1..=500.
    per_page: Option<String>,
    /// Exports only: the columns to write, comma-separated, in order (default all; see
    /// `EXPORT_COLUMNS`). The list ignores it.
    pub(crate) columns: Option<String>,
}

fn list<T>(
    v: &mut Validator,
    field: &str,
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Vec<T> {
    raw.as_deref()
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .take(50)
                .filter_map(|item| v.check(field, parse(item)))
                .collect()
        })
        .unwrap_or_default()
}

/// A tier or plan name as a filter value: the same rules as when it is stored.
fn label(raw: &str) -> Result<String, ValueError> {
    tenure_domain::values::BoundedText::parse(raw, tenure_domain::customer::LABEL_MAX_CHARS)
        .map(|t| t.into_string())
}

fn score(v: &mut Validator, field: &str, raw: &Option<String>) -> Option<u8> {
    raw.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| {
            v.check(
                field,
                s.parse::<u8>()
                    .ok()
                    .filter(|n| *n <= 100)
                    .ok_or_else(|| ValueError::new("must be a whole number from 0 to 100")),
            )
        })
}

fn instant(
    v: &mut Validator,
    field: &str,
    raw: &Option<String>,
    end_of_day: bool,
) -> Option<DateTime<Utc>> {
    let s = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let parsed = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            s.parse::<NaiveDate>().map(|d| {
                let time = if end_of_day {
                    d.and_hms_micro_opt(23, 59, 59, 999_999)
                } else {
                    d.and_hms_opt(0, 0, 0)
                };
                time.unwrap_or_default().and_utc()
            })
        })
        .map_err(|_| ValueError::new("must be an RFC 3339 instant or a YYYY-MM-DD date"))
        .and_then(|t| {
            use chrono::Datelike;
            if (1900..=9999).contains(&t.year()) {
                Ok(t)
            } else {
                Err(ValueError::new("must be between the years 1900 and 9999"))
            }
        });
    v.check(field, parsed)
}

fn flag(v: &mut Validator, field: &str, raw: &Option<String>) -> bool {
    match raw.as_deref().map(str::trim) {
        None | Some("") | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(_) => {
            v.push(field, "must be true or false");
            false
        }
    }
}

fn range<T: PartialOrd>(
    v: &mut Validator,
    field: &str,
    min: Option<T>,
    max: Option<T>,
) -> Range<T> {
    v.check(field, Range::new(min, max)).unwrap_or_default()
}

/// Everything but paging, parsed: the filter and the sort.
pub fn parse_filter(params: &ListParams, v: &mut Validator) -> (CustomerFilter, Vec<SortKey>) {
    let health_min = score(v, "health_min", &params.health_min);
    let health_max = score(v, "health_max", &params.health_max);
    let churn_min = score(v, "churn_min", &params.churn_min);
    let churn_max = score(v, "churn_max", &params.churn_max);
    let created_from = instant(v, "created_from", &params.created_from, false);
    let created_to = instant(v, "created_to", &params.created_to, true);
    let activity_from = instant(v, "last_activity_from", &params.last_activity_from, false);
    let activity_to = instant(v, "last_activity_to", &params.last_activity_to, true);
    let q = params.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if q.is_some_and(|q| q.chars().count() > 200) {
        v.push("q", "at most 200 characters");
    }
    let filter = CustomerFilter {
        q: q.map(str::to_owned),
        statuses: list(v, "status", &params.status, CustomerStatus::parse),
        types: list(v, "type", &params.customer_type, CustomerType::parse),
        tiers: list(v, "tier", &params.tier, label),
        plans: list(v, "plan", &params.plan, label),
        tags: list(v, "tag", &params.tag, |s| {
            tenure_domain::values::Tag::parse(s).map(|t| t.as_str().to_owned())
        }),
        payment_statuses: list(
            v,
            "payment_status",
            &params.payment_status,
            PaymentStatus::parse,
        ),
        owners: list(v, "owner", &params.owner, |s| s.parse::<UserId>()),
        health: range(v, "health_min", health_min, health_max),
        churn_risk: range(v, "churn_min", churn_min, churn_max),
        created: range(v, "created_from", created_from, created_to),
        last_activity: range(v, "last_activity_from", activity_from, activity_to),
        view: params
            .view
            .as_deref()
            .and_then(|s| v.check("view", QuickView::parse(s))),
        deleted: flag(v, "deleted", &params.deleted),
    };
    let sort = v
        .check("sort", parse_sort(params.sort.as_deref().unwrap_or("")))
        .unwrap_or_default();
    (filter, sort)
}

fn paging(params: &ListParams, sort: &[SortKey], v: &mut Validator) -> Option<Paging> {
    if params.page.is_some() || params.per_page.is_some() {
        if params.cursor.is_some() {
            v.push("cursor", "use either cursor or page, not both");
        }
        let page = params.page.as_deref().map_or(Ok(1), |p| {
            p.trim()
                .parse::<u32>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| ValueError::new("must be a page number from 1"))
        });
        let page = v.check("page", page);
        let per_page = v.check("per_page", parse_limit(params.per_page.as_deref()));
        return Some(Paging::Offset {
            page: page?,
            per_page: per_page?,
        });
    }
    let limit = v.check("limit", parse_limit(params.limit.as_deref()));
    let after = match params.cursor.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(text) => match Cursor::decode(text, sort) {
            Ok(cursor) => Some(cursor),
            Err(tenure_store::StoreError::Invalid(errors)) => {
                for e in errors {
                    v.push(&e.field, e.message);
                }
                None
            }
            Err(_) => None,
        },
        None => None,
    };
    Some(Paging::Keyset {
        after,
        limit: limit?,
    })
}

/// List customers.
///
/// Keyset pagination (`limit` + `cursor`) is the fast path at any depth; `page`/`per_page` serve
/// the table UI. `total` is exact up to 10,000 and an estimate above, flagged by
/// `total_is_estimate`.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, body = CustomerList),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customers")]
async fn list_customers(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<ListParams>,
) -> Result<web::Json<CustomerList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let mut v = Validator::new();
    let (filter, sort) = parse_filter(&params, &mut v);
    let paging = paging(&params, &sort, &mut v);
    v.finish()?;
    let paging =
        paging.ok_or_else(|| ApiError::Validation(vec![FieldError::new("limit", "invalid")]))?;
    let page = state
        .store
        .list_customers(user.organization_id, &filter, &sort, &paging, true)
        .await?;
    let today = tenure_store::now().date_naive();
    let (page_no, per_page) = match paging {
        Paging::Offset { page, per_page } => (Some(u64::from(page)), Some(u64::from(per_page))),
        Paging::Keyset { .. } => (None, None),
    };
    Ok(web::Json(CustomerList {
        items: page.items.iter().map(|r| customer_view(r, today)).collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
        total: page.total.unwrap_or(0),
        total_is_estimate: page.total_is_estimate,
        page: page_no,
        per_page,
    }))
}

/// Counts for the quick-view chips (All, Active, High risk, Payment issues, Cancelled) under the
/// same filters as the list.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, body = ViewCounts), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[get("/customers/counts")]
async fn customer_counts(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<ListParams>,
) -> Result<web::Json<ViewCounts>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let mut v = Validator::new();
    let (filter, _) = parse_filter(&params, &mut v);
    v.finish()?;
    let counts = state
        .store
        .customer_view_counts(user.organization_id, &filter)
        .await?;
    Ok(web::Json(ViewCounts {
        all: counts.all,
        active: counts.active,
        high_risk: counts.high_risk,
        payment_issues: counts.payment_issues,
        cancelled: counts.cancelled,
        is_estimate: counts.is_estimate,
    }))
}

/// Tags in use on live customers, most used first.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TagCount>))
)]
#[get("/customers/tags")]
async fn customer_tags(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<TagCount>>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let tags = state
        .store
        .customer_tags_in_use(user.organization_id)
        .await?;
    Ok(web::Json(
        tags.into_iter()
            .map(|(tag, count)| TagCount { tag, count })
            .collect(),
    ))
}
