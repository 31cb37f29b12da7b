//! Customer goals: list, create, read, merge-patch (value or status changes are kept as
//! history), delete.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use tenure_api_types::{GoalInput, GoalList, GoalUpdateView, GoalView, Problem};
use tenure_domain::customer::{LABEL_MAX_CHARS, NOTES_MAX_CHARS};
use tenure_domain::error::{FieldError, Validator};
use tenure_domain::goal::{GoalMetric, GoalStatus, NewGoal, check_value, progress_percent};
use tenure_domain::ids::{CustomerId, GoalId};
use tenure_domain::permission::Permission;
use tenure_domain::values::{BoundedText, LongText};
use tenure_store::goal::GoalRecord;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::{parse_opt, parse_required};
use crate::error::ApiError;
use crate::routes::{created, if_match_version, ok, patch_input};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_goals)
        .service(create_goal)
        .service(get_goal)
        .service(patch_goal)
        .service(delete_goal);
}

pub fn goal_view(r: &GoalRecord) -> GoalView {
    let g = &r.goal;
    GoalView {
        id: g.id,
        customer_id: g.customer_id,
        title: g.title.clone(),
        description: g.description.clone(),
        metric: g.metric.clone(),
        current_value: g.current_value,
        target_value: g.target_value,
        progress_percent: progress_percent(g.current_value, g.target_value),
        unit: g.unit.clone(),
        period: g.period.clone(),
        status: g.status.clone(),
        target_date: g.target_date,
        completed_at: g.completed_at,
        history: r
            .history
            .iter()
            .map(|h| GoalUpdateView {
                value: h.value,
                status: h.status.clone(),
                note: h.note.clone(),
                actor_label: h.actor_label.clone(),
                created_at: h.created_at,
            })
            .collect(),
        version: g.version,
        deleted_at: g.deleted_at,
        created_at: g.created_at,
        updated_at: g.updated_at,
    }
}

fn goal_input(r: &GoalRecord) -> GoalInput {
    let g = &r.goal;
    GoalInput {
        title: Some(g.title.clone()),
        description: g.description.clone(),
        metric: Some(g.metric.clone()),
        current_value: Some(g.current_value),
        target_value: Some(g.target_value),
        unit: g.unit.clone(),
        period: g.period.clone(),
        status: Some(g.status.clone()),
        target_date: g.target_date,
        completed_at: g.completed_at,
        note: None,
    }
}

fn new_goal(input: &GoalInput) -> Result<NewGoal, ApiError> {
    let mut v = Validator::new();
    let label = |v: &mut Validator, field: &str, raw: &Option<String>| {
        parse_opt(v, field, raw, |s| BoundedText::parse(s, LABEL_MAX_CHARS))
    };
    let title = parse_required(&mut v, "title", &input.title, "required", |s| {
        BoundedText::parse(s, 200)
    });
    let long = |v: &mut Validator, field: &str, raw: &Option<String>| {
        parse_opt(v, field, raw, |s| LongText::parse(s, NOTES_MAX_CHARS))
    };
    let description = long(&mut v, "description", &input.description);
    let note = long(&mut v, "note", &input.note);
    let metric = parse_opt(&mut v, "metric", &input.metric, GoalMetric::parse);
    let status = parse_opt(&mut v, "status", &input.status, GoalStatus::parse);
    let current_value = v
        .check(
            "current_value",
            check_value(input.current_value.unwrap_or(0.0)),
        )
        .unwrap_or(0.0);
    let target_value = match input.target_value {
        Some(t) => v.check("target_value", check_value(t)),
        None => {
            v.push("target_value", "required");
            None
        }
    };
    let unit = label(&mut v, "unit", &input.unit);
    let period = label(&mut v, "period", &input.period);
    v.finish()?;
    let (Some(title), Some(target_value)) = (title, target_value) else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "title", "required",
        )]));
    };
    let mut goal = NewGoal {
        title,
        description,
        metric: metric.unwrap_or(GoalMetric::Custom),
        current_value,
        target_value,
        unit,
        period,
        status: status.unwrap_or(GoalStatus::OnTrack),
        target_date: input.target_date,
        completed_at: input.completed_at,
        note,
    };
    goal.settle_completion(tenure_store::now().date_naive());
    Ok(goal)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct GoalParams {
    /// Only goals that are on track or at risk.
    #[serde(default)]
    active: bool,
}

/// The customer's goals, active first, each with its history.
#[utoipa::path(tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path), GoalParams),
    responses((status = 200, body = GoalList), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/goals")]
async fn list_goals(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    params: web::Query<GoalParams>,
) -> Result<web::Json<GoalList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let records = state
        .store
        .goals(
            user.organization_id,
            CustomerId::from_uuid(*id),
            params.active,
        )
        .await?;
    Ok(web::Json(GoalList {
        items: records.iter().map(goal_view).collect(),
    }))
}

/// Set a goal for the customer.
#[utoipa::path(tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = GoalInput,
    responses(
        (status = 201, body = GoalView, headers(("ETag" = String), ("Location" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/customers/{id}/goals")]
async fn create_goal(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<GoalInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let new = new_goal(&body)?;
    let customer = CustomerId::from_uuid(*id);
    let record = state
        .store
        .create_goal(user.organization_id, customer, &new, &user.actor())
        .await?;
    Ok(created(
        format!("/api/v1/customers/{customer}/goals/{}", record.goal.id),
        record.goal.version,
        goal_view(&record),
    ))
}

#[utoipa::path(tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("goal_id" = Uuid, Path)),
    responses((status = 200, body = GoalView, headers(("ETag" = String))), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/customers/{id}/goals/{goal_id}")]
async fn get_goal(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersRead)?;
    let (customer, goal) = path.into_inner();
    let record = state
        .store
        .goal(
            user.organization_id,
            CustomerId::from_uuid(customer),
            GoalId::from_uuid(goal),
        )
        .await?;
    Ok(ok(record.goal.version, goal_view(&record)))
}

/// Change a goal with a JSON merge patch. A new `current_value` or `status` (with an optional
/// `note`) is kept in the goal's history.
#[utoipa::path(tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("goal_id" = Uuid, Path)),
    request_body(content = Object, description = "Any subset of GoalInput's fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = GoalView, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[patch("/customers/{id}/goals/{goal_id}")]
async fn patch_goal(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, goal) = path.into_inner();
    let (customer, goal) = (CustomerId::from_uuid(customer), GoalId::from_uuid(goal));
    let org = user.organization_id;
    let current = state.store.goal(org, customer, goal).await?;
    let input = patch_input(&goal_input(&current), &body)?;
    let new = new_goal(&input)?;
    let record = state
        .store
        .update_goal(
            org,
            customer,
            goal,
            if_match_version(&req)?,
            &new,
            &user.actor(),
        )
        .await?;
    Ok(ok(record.goal.version, goal_view(&record)))
}

/// Delete a goal.
#[utoipa::path(tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("goal_id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[delete("/customers/{id}/goals/{goal_id}")]
async fn delete_goal(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (customer, goal) = path.into_inner();
    state
        .store
        .delete_goal(
            user.organization_id,
            CustomerId::from_uuid(customer),
            GoalId::from_uuid(goal),
            &user.actor(),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
