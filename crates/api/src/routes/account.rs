//! Account actions with consequences: the credits ledger (owners only: it is money) and account
//! flags. Both are append-only histories; nothing here edits or deletes an entry.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;
use tenure_api_types::{
    FlagInput, FlagList, FlagView, Ledger, LedgerBalance, LedgerEntryInput, LedgerEntryView,
    Problem,
};
use tenure_domain::account::{FlagName, LedgerKind, NewLedgerEntry};
use tenure_domain::customer::LABEL_MAX_CHARS;
use tenure_domain::error::{FieldError, Validator, ValueError};
use tenure_domain::ids::{CustomerId, FlagId};
use tenure_domain::money::Money;
use tenure_domain::permission::Permission;
use tenure_domain::values::{BoundedText, CurrencyCode};
use tenure_store::account::{FlagRecord, LedgerEntryRecord};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::{money_text, parse_opt, parse_required, present};
use crate::error::ApiError;
use crate::routes::created;
use crate::state::AppState;

/// Longest reason for a ledger entry or a flag.
const REASON_MAX_CHARS: usize = 500;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_ledger)
        .service(append_ledger_entry)
        .service(list_flags)
        .service(add_flag)
        .service(remove_flag);
}

fn entry_view(r: &LedgerEntryRecord) -> LedgerEntryView {
    LedgerEntryView {
        id: r.id,
        customer_id: r.customer_id,
        kind: r.kind.clone(),
        amount: money_text(r.amount_minor, &r.currency),
        currency: r.currency.clone(),
        reason: r.reason.clone(),
        order_reference: r.order_reference.clone(),
        actor_id: r.actor_user_id,
        actor_label: r.actor_label.clone(),
        created_at: r.created_at,
    }
}

pub fn flag_view(r: &FlagRecord) -> FlagView {
    FlagView {
        id: r.id,
        flag: r.flag.clone(),
        reason: r.reason.clone(),
        created_by: r.created_by_label.clone(),
        created_at: r.created_at,
        removed_at: r.removed_at,
        removed_by: r.removed_by_label.clone(),
        removed_reason: r.removed_reason.clone(),
    }
}

/// The customer's ledger, newest first, with the balance of each currency.
#[utoipa::path(tag = "account", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Ledger), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/ledger")]
async fn get_ledger(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Ledger>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let (entries, balances) = state
        .store
        .ledger(user.organization_id, CustomerId::from_uuid(*id))
        .await?;
    Ok(web::Json(Ledger {
        items: entries.iter().map(entry_view).collect(),
        balances: balances
            .iter()
            .map(|b| LedgerBalance {
                currency: b.currency.clone(),
                credit_balance: money_text(b.credit_balance_minor, &b.currency),
                refunded: money_text(b.refunded_minor, &b.currency),
            })
            .collect(),
    }))
}

/// Issue a credit, apply credit (debit) or issue a refund against an order. Needs
/// `billing:write` (owners). Entries are permanent; correct a mistake with an opposite entry.
#[utoipa::path(tag = "account", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = LedgerEntryInput,
    responses(
        (status = 201, body = LedgerEntryView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/ledger")]
async fn append_ledger_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<LedgerEntryInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::BillingWrite)?;
    let customer_id = CustomerId::from_uuid(*id);
    let customer = state
        .store
        .customer(user.organization_id, customer_id, false)
        .await?;
    let mut v = Validator::new();
    let kind = match present(&body.kind) {
        Some(raw) => v.check("kind", LedgerKind::parse(raw)),
        None => {
            v.push("kind", "required: credit, debit or refund");
            None
        }
    };
    let currency = match present(&body.currency) {
        Some(raw) => v.check("currency", CurrencyCode::parse(raw)),
        None => v.check("currency", CurrencyCode::parse(&customer.currency)),
    };
    let amount = match (present(&body.amount), currency.as_ref()) {
        (Some(raw), Some(currency)) => v.check(
            "amount",
            Money::parse(raw, currency).and_then(|m| {
                if m.minor() > 0 {
                    Ok(m)
                } else {
                    Err(ValueError::new("must be more than zero"))
                }
            }),
        ),
        (None, _) => {
            v.push("amount", "required");
            None
        }
        _ => None,
    };
    let reason = parse_required(
        &mut v,
        "reason",
        &body.reason,
        "required: say why, for the team and the audit log",
        |s| BoundedText::parse(s, REASON_MAX_CHARS),
    );
    let order_reference = parse_opt(&mut v, "order_reference", &body.order_reference, |s| {
        BoundedText::parse(s, LABEL_MAX_CHARS)
    });
    if kind == Some(LedgerKind::Refund) && order_reference.is_none() {
        v.push(
            "order_reference",
            "a refund is issued against an order: give its reference",
        );
    }
    v.finish()?;
    let (Some(kind), Some(amount), Some(currency), Some(reason)) = (kind, amount, currency, reason)
    else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "amount", "required",
        )]));
    };
    let entry = NewLedgerEntry {
        kind,
        amount,
        currency,
        reason,
        order_reference,
    };
    let record = state
        .store
        .append_ledger_entry(user.organization_id, customer_id, &entry, &user.actor())
        .await?;
    Ok(created(
        format!("/api/v1/customers/{customer_id}/ledger"),
        1,
        entry_view(&record),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct FlagParams {
    /// Only flags that are up.
    #[serde(default)]
    active: bool,
}

/// The customer's flags: active first, then removed ones with who removed them and why.
#[utoipa::path(tag = "account", security(("bearer" = [])),
    params(("id" = Uuid, Path), FlagParams),
    responses((status = 200, body = FlagList), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/flags")]
async fn list_flags(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    params: web::Query<FlagParams>,
) -> Result<web::Json<FlagList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let records = state
        .store
        .flags(
            user.organization_id,
            CustomerId::from_uuid(*id),
            params.active,
        )
        .await?;
    Ok(web::Json(FlagList {
        items: records.iter().map(flag_view).collect(),
    }))
}

/// Raise a flag on the account (e.g. `legal_hold`, `do_not_contact`) with a reason.
#[utoipa::path(tag = "account", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = FlagInput,
    responses(
        (status = 201, body = FlagView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The flag is already up", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/flags")]
async fn add_flag(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<FlagInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let mut v = Validator::new();
    let flag = parse_required(
        &mut v,
        "flag",
        &body.flag,
        "required, e.g. legal_hold",
        FlagName::parse,
    );
    let reason = parse_required(&mut v, "reason", &body.reason, "required", |s| {
        BoundedText::parse(s, REASON_MAX_CHARS)
    });
    v.finish()?;
    let (Some(flag), Some(reason)) = (flag, reason) else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "flag", "required",
        )]));
    };
    let customer = CustomerId::from_uuid(*id);
    let record = state
        .store
        .add_flag(
            user.organization_id,
            customer,
            &flag,
            reason.as_str(),
            &user.actor(),
        )
        .await?;
    Ok(created(
        format!("/api/v1/customers/{customer}/flags/{}", record.id),
        1,
        flag_view(&record),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RemoveParams {
    /// Why the flag comes down (kept in its history).
    #[serde(default)]
    reason: Option<String>,
}

/// Lower a flag; it stays in the history with who removed it and why.
#[utoipa::path(tag = "account", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("flag_id" = Uuid, Path), RemoveParams),
    responses((status = 200, body = FlagView), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[delete("/customers/{id}/flags/{flag_id}")]
async fn remove_flag(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    params: web::Query<RemoveParams>,
) -> Result<web::Json<FlagView>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, flag) = path.into_inner();
    let mut v = Validator::new();
    let reason = parse_opt(&mut v, "reason", &params.reason, |s| {
        BoundedText::parse(s, REASON_MAX_CHARS)
    });
    v.finish()?;
    let record = state
        .store
        .remove_flag(
            user.organization_id,
            CustomerId::from_uuid(customer),
            FlagId::from_uuid(flag),
            reason.as_ref().map(BoundedText::as_str),
            &user.actor(),
        )
        .await?;
    Ok(web::Json(flag_view(&record)))
}
