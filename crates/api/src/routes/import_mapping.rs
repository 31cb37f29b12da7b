//! Saved import mappings: an organisation's own mappings kept by name, so the next export from
//! the same system maps in one step. The SPA applies one by sending its `mapping` as the body of
//! `PUT /imports/{id}/mapping`, where it is checked against that file.

use actix_web::{HttpResponse, delete, get, post, put, web};
use tenure_api_types::{
    ImportMappingInput, Problem, SavedMappingInput, SavedMappingList, SavedMappingView,
};
use tenure_domain::error::FieldError;
use tenure_domain::permission::Permission;
use tenure_store::import::mappings::SavedMappingRecord;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::import::check_saved_mapping;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_mappings)
        .service(create_mapping)
        .service(update_mapping)
        .service(delete_mapping);
}

const NAME_MAX: usize = 100;

/// The name (trimmed) and the mapping as JSON, or every problem at once.
fn checked(input: &SavedMappingInput) -> Result<(String, serde_json::Value), ApiError> {
    let name = input.name.trim().to_owned();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        errors.push(FieldError::new(
            "name",
            format!("must be 1 to {NAME_MAX} characters"),
        ));
    }
    errors.extend(
        check_saved_mapping(&input.mapping)
            .into_iter()
            .map(|e| FieldError::new(format!("mapping.{}", e.field), e.message)),
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mapping = serde_json::to_value(&input.mapping).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((name, mapping))
}

fn view(record: SavedMappingRecord) -> Result<SavedMappingView, ApiError> {
    Ok(SavedMappingView {
        id: record.id,
        name: record.name,
        mapping: serde_json::from_value::<ImportMappingInput>(record.mapping)
            .map_err(|e| ApiError::Internal(e.into()))?,
        created_by_label: record.created_by_label,
        created_at: record.created_at,
        updated_at: record.updated_at,
    })
}

/// The organisation's saved mappings, by name.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    responses((status = 200, body = SavedMappingList)))]
#[get("/import-mappings")]
async fn list_mappings(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<SavedMappingList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let records = state.store.saved_mappings(user.organization_id).await?;
    Ok(web::Json(SavedMappingList {
        items: records.into_iter().map(view).collect::<Result<_, _>>()?,
    }))
}

/// Save a mapping under a name unique in the organisation. Templates, targets and transforms
/// are checked now; headers and the match key when it is applied to a file.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    request_body = SavedMappingInput,
    responses((status = 201, body = SavedMappingView),
        (status = 409, description = "The name is taken (`conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/import-mappings")]
async fn create_mapping(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<SavedMappingInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (name, mapping) = checked(&body)?;
    let record = state
        .store
        .create_saved_mapping(user.organization_id, &name, mapping, &user.actor())
        .await?;
    Ok(HttpResponse::Created().json(view(record)?))
}

/// Replace a saved mapping's name and body.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = SavedMappingInput,
    responses((status = 200, body = SavedMappingView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/import-mappings/{id}")]
async fn update_mapping(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<SavedMappingInput>,
) -> Result<web::Json<SavedMappingView>, ApiError> {
    user.require(Permission::CustomersWrite)?;
    let (name, mapping) = checked(&body)?;
    let record = state
        .store
        .update_saved_mapping(user.organization_id, *id, &name, mapping, &user.actor())
        .await?;
    Ok(web::Json(view(record)?))
}

/// Delete a saved mapping; jobs already mapped with it keep their copy.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[delete("/import-mappings/{id}")]
async fn delete_mapping(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersWrite)?;
    state
        .store
        .delete_saved_mapping(user.organization_id, *id, &user.actor())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
