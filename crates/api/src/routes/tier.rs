//! The tier catalogue (owners manage it) and moving a customer between tiers, with the pricing
//! impact shown before anything changes.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use tenure_api_types::{
    CustomerView, PriceChange, Problem, TierChangeInput, TierInput, TierList, TierPreview, TierView,
};
use tenure_domain::customer::{LABEL_MAX_CHARS, NOTES_MAX_CHARS};
use tenure_domain::error::{FieldError, Validator, ValueError};
use tenure_domain::ids::{CustomerId, TierId};
use tenure_domain::money::Money;
use tenure_domain::permission::Permission;
use tenure_domain::tier::{Discount, parse_colour};
use tenure_domain::values::{BoundedText, CurrencyCode, LongText};
use tenure_store::tier::{NewTier, TierImpact, TierRecord};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::{customer_view, money_text, parse_opt, parse_required, present};
use crate::error::ApiError;
use crate::routes::{created, if_match_version, ok, patch_input};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_tiers)
        .service(create_tier)
        .service(patch_tier)
        .service(delete_tier)
        .service(preview_tier_change)
        .service(change_tier);
}

pub fn tier_view(r: &TierRecord) -> TierView {
    TierView {
        id: r.id,
        name: r.name.clone(),
        level: i64::from(r.level),
        discount_percent: r.discount().to_percent_string(),
        benefits: serde_json::from_value(r.benefits.clone()).unwrap_or_default(),
        min_annual_spend: r.min_annual_spend_minor.map(|m| money_text(m, &r.currency)),
        currency: r.currency.clone(),
        requirements: r.requirements.clone(),
        colour: r.colour.clone(),
        customers: u64::try_from(r.customers).unwrap_or(0),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn tier_input(r: &TierRecord) -> TierInput {
    let view = tier_view(r);
    TierInput {
        name: Some(view.name),
        level: Some(view.level),
        discount_percent: Some(view.discount_percent),
        benefits: Some(view.benefits),
        min_annual_spend: view.min_annual_spend,
        currency: Some(view.currency),
        requirements: view.requirements,
        colour: Some(view.colour),
    }
}

fn new_tier(input: &TierInput, default_currency: &str) -> Result<NewTier, ApiError> {
    let mut v = Validator::new();
    let name = parse_required(&mut v, "name", &input.name, "required", |s| {
        BoundedText::parse(s, LABEL_MAX_CHARS)
    });
    let level = match input.level {
        Some(level) => v.check(
            "level",
            i32::try_from(level)
                .ok()
                .filter(|l| (0..=1000).contains(l))
                .ok_or_else(|| ValueError::new("must be between 0 and 1000")),
        ),
        None => {
            v.push("level", "required: higher is better");
            None
        }
    };
    let discount = parse_opt(
        &mut v,
        "discount_percent",
        &input.discount_percent,
        Discount::parse,
    )
    .unwrap_or(Discount::NONE);
    let currency = match present(&input.currency) {
        Some(raw) => v.check("currency", CurrencyCode::parse(raw)),
        None => v.check("currency", CurrencyCode::parse(default_currency)),
    };
    let min_annual_spend = match (present(&input.min_annual_spend), currency.as_ref()) {
        (Some(raw), Some(currency)) => v.check("min_annual_spend", Money::parse(raw, currency)),
        _ => None,
    };
    let benefits: Vec<String> = input
        .benefits
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, b)| v.check(&format!("benefits[{i}]"), BoundedText::parse(b, 200)))
        .map(BoundedText::into_string)
        .collect();
    if benefits.len() > 30 {
        v.push("benefits", "at most 30 benefits");
    }
    let requirements = parse_opt(&mut v, "requirements", &input.requirements, |s| {
        LongText::parse(s, NOTES_MAX_CHARS)
    });
    let colour = match present(&input.colour) {
        Some(raw) => v.check("colour", parse_colour(raw)),
        None => Some("#6b7280".to_owned()),
    };
    v.finish()?;
    let (Some(name), Some(level), Some(currency), Some(colour)) = (name, level, currency, colour)
    else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "name", "required",
        )]));
    };
    Ok(NewTier {
        name: name.into_string(),
        level,
        discount,
        benefits,
        min_annual_spend_minor: min_annual_spend.map(|m| m.minor()),
        currency: currency.as_str().to_owned(),
        requirements: requirements.map(LongText::into_string),
        colour,
    })
}

/// The organisation's tiers, lowest level first, with how many customers each has.
#[utoipa::path(tag = "tiers", security(("bearer" = [])),
    responses((status = 200, body = TierList)))]
#[get("/tiers")]
async fn list_tiers(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<TierList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let tiers = state.store.tiers(user.organization_id).await?;
    Ok(web::Json(TierList {
        items: tiers.iter().map(tier_view).collect(),
    }))
}

/// Add a tier (owners).
#[utoipa::path(tag = "tiers", security(("bearer" = [])),
    request_body = TierInput,
    responses(
        (status = 201, body = TierView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name or level taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/tiers")]
async fn create_tier(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<TierInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::SettingsWrite)?;
    let org = state.store.organization(user.organization_id).await?;
    let new = new_tier(&body, &org.default_currency)?;
    let record = state.store.create_tier(org.id, &new, &user.actor()).await?;
    Ok(created(
        format!("/api/v1/tiers/{}", record.id),
        record.version,
        tier_view(&record),
    ))
}

/// Change a tier with a JSON merge patch (owners). A new name is carried to its customers.
#[utoipa::path(tag = "tiers", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Object, description = "Any subset of TierInput's fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = TierView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[patch("/tiers/{id}")]
async fn patch_tier(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::SettingsWrite)?;
    let id = TierId::from_uuid(*id);
    let org = state.store.organization(user.organization_id).await?;
    let current = state.store.tier(org.id, id).await?;
    let input = patch_input(&tier_input(&current), &body)?;
    let new = new_tier(&input, &org.default_currency)?;
    let record = state
        .store
        .update_tier(org.id, id, if_match_version(&req)?, &new, &user.actor())
        .await?;
    Ok(ok(record.version, tier_view(&record)))
}

/// Delete a tier no customer carries (owners); one in use is a `409 conflict`.
#[utoipa::path(tag = "tiers", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Customers still carry the tier", body = Problem, content_type = "application/problem+json")))]
#[delete("/tiers/{id}")]
async fn delete_tier(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::SettingsWrite)?;
    state
        .store
        .delete_tier(user.organization_id, TierId::from_uuid(*id), &user.actor())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn price_change(before: Money, after: Money, currency: &str) -> PriceChange {
    PriceChange {
        before: money_text(before.minor(), currency),
        after: money_text(after.minor(), currency),
        delta: money_text(after.minor().saturating_sub(before.minor()), currency),
    }
}

fn preview_view(impact: &TierImpact, reprice: bool) -> TierPreview {
    let c = impact.currency.as_str();
    let annual = |m: Money| Money::from_minor(m.minor().saturating_mul(12));
    let after = if reprice {
        impact.mrr_after
    } else {
        impact.mrr_before
    };
    let orders_after = if reprice {
        impact.open_orders_after
    } else {
        impact.open_orders_before
    };
    let discount = |t: &Option<TierRecord>| {
        t.as_ref()
            .map_or(Discount::NONE, TierRecord::discount)
            .to_percent_string()
    };
    TierPreview {
        old_tier: impact.old_tier.as_ref().map(|t| t.name.clone()),
        new_tier: impact.new_tier.as_ref().map(|t| t.name.clone()),
        old_discount_percent: discount(&impact.old_tier),
        new_discount_percent: discount(&impact.new_tier),
        currency: impact.currency.clone(),
        list_mrr: money_text(impact.list_mrr.minor(), c),
        mrr: price_change(impact.mrr_before, after, c),
        arr: price_change(annual(impact.mrr_before), annual(after), c),
        open_orders: impact.open_orders,
        open_orders_total: price_change(impact.open_orders_before, orders_after, c),
        meets_requirements: impact.meets_requirements,
        reprice,
    }
}

/// What moving the customer to a tier would do to MRR, ARR and open orders. Changes nothing.
#[utoipa::path(tag = "tiers", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = TierChangeInput,
    responses(
        (status = 200, body = TierPreview),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/tier/preview")]
async fn preview_tier_change(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<TierChangeInput>,
) -> Result<web::Json<TierPreview>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let impact = state
        .store
        .tier_change_preview(
            user.organization_id,
            CustomerId::from_uuid(*id),
            body.tier_id.map(TierId::from_uuid),
        )
        .await?;
    Ok(web::Json(preview_view(
        &impact,
        body.reprice.unwrap_or(true),
    )))
}

/// Move the customer to a tier (`tier_id: null` removes it), repricing MRR by the change in
/// discount unless `reprice: false`. Writes a `tier_change` activity. `If-Match` is honoured.
#[utoipa::path(tag = "tiers", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = TierChangeInput,
    responses(
        (status = 200, body = CustomerView, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/customers/{id}/tier")]
async fn change_tier(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<TierChangeInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let mut v = Validator::new();
    let reason = parse_opt(&mut v, "reason", &body.reason, |s| {
        BoundedText::parse(s, 500)
    });
    v.finish()?;
    let (record, _) = state
        .store
        .change_tier(
            user.organization_id,
            CustomerId::from_uuid(*id),
            body.tier_id.map(TierId::from_uuid),
            body.reprice.unwrap_or(true),
            reason.as_ref().map(BoundedText::as_str),
            if_match_version(&req)?,
            &user.actor(),
        )
        .await?;
    Ok(ok(
        record.version,
        customer_view(&record, tenure_store::now().date_naive()),
    ))
}
