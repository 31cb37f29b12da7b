//! Bulk operations: status, tags and owner updates, soft delete and restore over up to 1,000
//! customers per call, one transaction per call, one result per id.

use actix_web::{post, web};
use tenure_api_types::{BulkIdsRequest, BulkItemResult, BulkResult, BulkUpdateRequest, Problem};
use tenure_domain::customer::CustomerStatus;
use tenure_domain::error::Validator;
use tenure_domain::ids::{CustomerId, UserId};
use tenure_domain::permission::Permission;
use tenure_domain::values::Tag;
use tenure_store::customer::{BulkChange, BulkOutcome, BulkStatus, BulkTarget, MAX_BULK};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(bulk_update)
        .service(bulk_delete)
        .service(bulk_restore);
}

/// Merges `ids` and `items` into targets, refusing empty, oversized or repeated lists.
fn targets(
    v: &mut Validator,
    ids: &[uuid::Uuid],
    items: &[tenure_api_types::BulkTarget],
) -> Vec<BulkTarget> {
    let mut all: Vec<BulkTarget> = ids
        .iter()
        .map(|id| BulkTarget {
            id: CustomerId::from_uuid(*id),
            expected_version: None,
        })
        .collect();
    all.extend(items.iter().map(|item| BulkTarget {
        id: CustomerId::from_uuid(item.id),
        expected_version: item.version,
    }));
    if all.is_empty() {
        v.push("ids", "give at least one id");
    }
    if all.len() > MAX_BULK {
        v.push("ids", format!("at most {MAX_BULK} ids per call"));
    }
    let mut seen = std::collections::HashSet::new();
    if all.iter().any(|t| !seen.insert(t.id)) {
        v.push("ids", "each id may appear once");
    }
    all
}

fn result(outcomes: Vec<BulkOutcome>) -> BulkResult {
    let succeeded = outcomes
        .iter()
        .filter(|o| o.status == BulkStatus::Ok)
        .count() as u64;
    BulkResult {
        failed: outcomes.len() as u64 - succeeded,
        succeeded,
        results: outcomes
            .into_iter()
            .map(|o| BulkItemResult {
                id: o.id.as_uuid(),
                status: o.status.as_str().to_owned(),
                message: o.message,
                version: o.version,
            })
            .collect(),
    }
}

/// Change status, add or remove tags, or set the owner of many customers at once.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    request_body = BulkUpdateRequest,
    responses((status = 200, body = BulkResult), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/customers/bulk/update")]
async fn bulk_update(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<BulkUpdateRequest>,
) -> Result<web::Json<BulkResult>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let mut v = Validator::new();
    let targets = targets(&mut v, &body.ids, &body.items);
    let tags = |v: &mut Validator, field: &str, raw: &[String]| -> Vec<Tag> {
        raw.iter()
            .filter_map(|t| v.check(field, Tag::parse(t)))
            .collect()
    };
    let change = BulkChange {
        status: body
            .status
            .as_deref()
            .and_then(|s| v.check("status", CustomerStatus::parse(s))),
        tags_add: tags(&mut v, "tags_add", &body.tags_add),
        tags_remove: tags(&mut v, "tags_remove", &body.tags_remove),
        owner: if body.clear_owner {
            Some(None)
        } else {
            body.owner_id.map(|id| Some(UserId::from_uuid(id)))
        },
    };
    if change == BulkChange::default() {
        v.push(
            "status",
            "nothing to change: give status, tags_add, tags_remove, owner_id or clear_owner",
        );
    }
    v.finish()?;
    let outcomes = state
        .store
        .bulk_update_customers(user.organization_id, &targets, &change, &user.actor())
        .await?;
    Ok(web::Json(result(outcomes)))
}

/// Soft-delete many customers.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    request_body = BulkIdsRequest,
    responses((status = 200, body = BulkResult), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/customers/bulk/delete")]
async fn bulk_delete(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<BulkIdsRequest>,
) -> Result<web::Json<BulkResult>, ApiError> {
    set_deleted(state, user, body, true).await
}

/// Restore many soft-deleted customers.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    request_body = BulkIdsRequest,
    responses((status = 200, body = BulkResult), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/customers/bulk/restore")]
async fn bulk_restore(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<BulkIdsRequest>,
) -> Result<web::Json<BulkResult>, ApiError> {
    set_deleted(state, user, body, false).await
}

async fn set_deleted(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<BulkIdsRequest>,
    delete: bool,
) -> Result<web::Json<BulkResult>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let mut v = Validator::new();
    let targets = targets(&mut v, &body.ids, &body.items);
    v.finish()?;
    let outcomes = state
        .store
        .bulk_set_deleted(user.organization_id, &targets, delete, &user.actor())
        .await?;
    Ok(web::Json(result(outcomes)))
}
