//! The customer page's composite reads: the one-call overview, the children with their
//! roll-ups, and the roll-up of a subtree. The overview runs its independent queries
//! concurrently so one round trip costs about the slowest of them.

use actix_web::{get, web};
use chrono::{Datelike, Duration};
use tenure_api_types::{
    ChildList, ChildView, CurrencyTotal, CustomerOverview, CustomerRef, KeyMetrics, MrrPoint,
    Problem, Rollup,
};
use tenure_domain::activity::ActivityType;
use tenure_domain::ids::CustomerId;
use tenure_domain::permission::Permission;
use tenure_store::activity::TimelineFilter;
use tenure_store::hierarchy::{CustomerLink, Rollup as StoredRollup};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::{customer_view, money_text};
use crate::error::ApiError;
use crate::routes::account::flag_view;
use crate::routes::activity::activity_view;
use crate::routes::contact::contact_view;
use crate::routes::goal::goal_view;
use crate::routes::tier::tier_view;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_overview)
        .service(get_children)
        .service(get_rollup);
}

fn reference(link: &CustomerLink) -> CustomerRef {
    CustomerRef {
        id: link.id,
        name: link.name.clone(),
        customer_code: link.customer_code.clone(),
        status: link.status.clone(),
    }
}

fn rollup_view(r: &StoredRollup) -> Rollup {
    Rollup {
        customer_id: r.customer_id,
        customers: r.customers,
        depth: r.depth,
        totals: r
            .totals
            .iter()
            .map(|t| CurrencyTotal {
                currency: t.currency.clone(),
                mrr: money_text(t.mrr_minor, &t.currency),
                ltv: money_text(t.ltv_minor, &t.currency),
            })
            .collect(),
        contacts: r.contacts,
        open_tickets: r.open_tickets,
    }
}

/// Everything the Overview tab and the page header need, in one call.
#[utoipa::path(tag = "customers", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerOverview), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/overview")]
async fn get_overview(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<CustomerOverview>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let org = user.organization_id;
    let id = CustomerId::from_uuid(*id);
    let store = &state.store;
    let customer = store.customer(org, id, false).await?;
    let now = tenure_store::now();
    let today = now.date_naive();
    let first_of_month = today.with_day(1).unwrap_or(today);
    let since = (first_of_month - Duration::days(334))
        .with_day(1)
        .unwrap_or(first_of_month)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let recent = TimelineFilter::default();
    let (ancestors, tier, contacts, flags, timeline, goals, balances, tickets, payments, children) =
        tokio::try_join!(
            store.ancestors(org, id),
            async {
                match &customer.tier {
                    Some(name) => store.tier_named(org, name).await,
                    None => Ok(None),
                }
            },
            store.contacts(org, id, false),
            store.flags(org, id, true),
            store.timeline(org, id, &recent, None, 10),
            store.goals(org, id, true),
            store.ledger_balances(org, id),
            store.open_activity_count(org, id, ActivityType::Ticket),
            store.monthly_payments(org, id, &customer.currency, since),
            store.child_count(org, id),
        )?;
    let view = customer_view(&customer, today);
    let credit = balances
        .iter()
        .find(|b| b.currency == customer.currency)
        .map_or(0, |b| b.credit_balance_minor);
    let metrics = KeyMetrics {
        tenure_days: view.tenure_days,
        currency: customer.currency.clone(),
        mrr: view.mrr.clone(),
        arr: money_text(customer.mrr_minor.saturating_mul(12), &customer.currency),
        ltv: view.ltv.clone(),
        plan: customer.plan.clone(),
        credit_balance: money_text(credit, &customer.currency),
        open_tickets: tickets,
        contacts: contacts.len() as u64,
        health_score: view.health_score,
        churn_risk: view.churn_risk,
    };
    Ok(web::Json(CustomerOverview {
        ancestors: ancestors.iter().map(reference).collect(),
        tier: tier.as_ref().map(tier_view),
        metrics,
        primary_contact: contacts.iter().find(|c| c.is_primary).map(contact_view),
        flags: flags.iter().map(flag_view).collect(),
        recent_activities: timeline.items.iter().map(activity_view).collect(),
        active_goals: goals.iter().map(goal_view).collect(),
        mrr_history: payments
            .iter()
            .map(|(month, minor)| MrrPoint {
                month: month.clone(),
                amount: money_text(*minor, &customer.currency),
            })
            .collect(),
        children,
        customer: view,
    }))
}

/// The customer's direct children, each with the roll-up of its own subtree.
#[utoipa::path(tag = "customers", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ChildList), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/children")]
async fn get_children(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ChildList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let children = state
        .store
        .children(user.organization_id, CustomerId::from_uuid(*id))
        .await?;
    Ok(web::Json(ChildList {
        items: children
            .iter()
            .map(|(link, rollup)| ChildView {
                customer: reference(link),
                mrr: money_text(link.mrr_minor, &link.currency),
                currency: link.currency.clone(),
                rollup: rollup_view(rollup),
            })
            .collect(),
    }))
}

/// MRR, LTV (per currency), customers, contacts and open tickets over the customer and all its
/// descendants.
#[utoipa::path(tag = "customers", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Rollup), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/rollup")]
async fn get_rollup(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Rollup>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let rollup = state
        .store
        .rollup(user.organization_id, CustomerId::from_uuid(*id))
        .await?;
    Ok(web::Json(rollup_view(&rollup)))
}
