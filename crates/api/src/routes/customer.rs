//! One customer: create, read (with `ETag`), merge-patch under `If-Match`, soft delete, restore.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use tenure_api_types::{CustomerInput, CustomerView, Problem};
use tenure_domain::error::FieldError;
use tenure_domain::ids::CustomerId;
use tenure_domain::permission::Permission;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::{customer_input, customer_view, new_customer};
use crate::error::ApiError;
use crate::routes::{created, if_match_version, ok, patch_input};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_customer)
        .service(get_customer)
        .service(patch_customer)
        .service(delete_customer)
        .service(restore_customer);
}

fn today() -> chrono::NaiveDate {
    tenure_store::now().date_naive()
}

/// Create a customer.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    request_body = CustomerInput,
    responses(
        (status = 201, body = CustomerView, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "customer_code or external id taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customers")]
async fn create_customer(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CustomerInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let org = state.store.organization(user.organization_id).await?;
    let new = new_customer(&body, &org, today())?;
    let record = state
        .store
        .create_customer(org.id, &new, &user.actor())
        .await?;
    let view = customer_view(&record, today());
    Ok(created(
        format!("/api/v1/customers/{}", view.id),
        view.version,
        view,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct GetParams {
    /// Also return a soft-deleted customer.
    #[serde(default)]
    include_deleted: bool,
}

/// Read one customer. The `ETag` is what `If-Match` expects on a later write.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), GetParams),
    responses(
        (status = 200, body = CustomerView, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customers/{id}")]
async fn get_customer(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    params: web::Query<GetParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersRead)?;
    let record = state
        .store
        .customer(
            user.organization_id,
            CustomerId::from_uuid(*id),
            params.include_deleted,
        )
        .await?;
    Ok(ok(record.version, customer_view(&record, today())))
}

/// Change a customer with a JSON merge patch (RFC 7396): send only the fields to change, `null`
/// to clear one. Requires `If-Match` with the `ETag` of your read.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "ETag of the version being changed")),
    request_body(content = Object, description = "Any subset of CustomerInput's fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = CustomerView, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since your read", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/customers/{id}")]
async fn patch_customer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let patch = body.into_inner();
    let serde_json::Value::Object(fields) = &patch else {
        return Err(ApiError::MalformedJson(
            "the patch must be a JSON object".to_owned(),
        ));
    };
    let expected = if_match_version(&req)?.ok_or(ApiError::PreconditionRequired)?;
    let id = CustomerId::from_uuid(*id);
    let org = state.store.organization(user.organization_id).await?;
    let current = state.store.customer(org.id, id, false).await?;
    if current.version != expected {
        return Err(ApiError::VersionConflict {
            current: current.version,
        });
    }
    let read_only = [
        "id",
        "version",
        "domain",
        "tenure_days",
        "created_at",
        "updated_at",
        "deleted_at",
        "last_activity_at",
    ];
    let refused: Vec<FieldError> = fields
        .keys()
        .filter(|k| read_only.contains(&k.as_str()))
        .map(|k| FieldError::new(k.clone(), "read-only"))
        .collect();
    // `null` removes a field in a merge patch; fields that always hold a value cannot be removed
    // (silently falling back to the create default would turn an active customer into a lead).
    let required = [
        "kind",
        "name",
        "customer_code",
        "status",
        "customer_type",
        "currency",
        "payment_status",
        "mrr",
        "ltv",
        "customer_since",
        "portal_access",
    ];
    let refused: Vec<FieldError> = refused
        .into_iter()
        .chain(
            fields
                .iter()
                .filter(|(k, v)| v.is_null() && required.contains(&k.as_str()))
                .map(|(k, _)| FieldError::new(k.clone(), "cannot be cleared; send a value")),
        )
        .collect();
    if !refused.is_empty() {
        return Err(ApiError::Validation(refused));
    }
    let input = patch_input(&customer_input(&customer_view(&current, today())), &patch)?;
    let new = new_customer(&input, &org, today())?;
    let record = state
        .store
        .update_customer(org.id, id, expected, &new, &user.actor())
        .await?;
    Ok(ok(record.version, customer_view(&record, today())))
}

/// Soft-delete a customer (restorable). `If-Match` is honoured when sent.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The deleted customer", body = CustomerView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/customers/{id}")]
async fn delete_customer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let record = state
        .store
        .delete_customer(
            user.organization_id,
            CustomerId::from_uuid(*id),
            if_match_version(&req)?,
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, customer_view(&record, today())))
}

/// Restore a soft-deleted customer.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CustomerView),
        (status = 404, description = "No deleted customer with this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Code `conflict`: the customer was erased under GDPR and cannot come back", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customers/{id}/restore")]
async fn restore_customer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let record = state
        .store
        .restore_customer(
            user.organization_id,
            CustomerId::from_uuid(*id),
            if_match_version(&req)?,
            &user.actor(),
        )
        .await?;
    Ok(ok(record.version, customer_view(&record, today())))
}
