//! Custom field definitions (owners manage them); customers' `custom_fields` are checked
//! against them on every write.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use tenure_api_types::{CustomFieldInput, CustomFieldList, CustomFieldView, Problem};
use tenure_domain::custom_field::{FieldType, MAX_OPTIONS, parse_key};
use tenure_domain::error::{FieldError, Validator, ValueError};
use tenure_domain::ids::CustomFieldId;
use tenure_domain::permission::Permission;
use tenure_domain::values::BoundedText;
use tenure_store::custom_field::{CustomFieldRecord, NewCustomField};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::convert::{parse_required, present};
use crate::error::ApiError;
use crate::routes::{created, ok, patch_input};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_custom_fields)
        .service(create_custom_field)
        .service(patch_custom_field)
        .service(delete_custom_field);
}

fn view(r: &CustomFieldRecord) -> CustomFieldView {
    CustomFieldView {
        id: r.id,
        key: r.field_key.clone(),
        label: r.label.clone(),
        field_type: r.field_type.clone(),
        options: r.options(),
        required: r.required,
        position: i64::from(r.position),
    }
}

fn input_of(r: &CustomFieldRecord) -> CustomFieldInput {
    CustomFieldInput {
        key: Some(r.field_key.clone()),
        label: Some(r.label.clone()),
        field_type: Some(r.field_type.clone()),
        options: Some(r.options()),
        required: Some(r.required),
        position: Some(i64::from(r.position)),
    }
}

fn new_field(input: &CustomFieldInput) -> Result<NewCustomField, ApiError> {
    let mut v = Validator::new();
    let key = parse_required(
        &mut v,
        "key",
        &input.key,
        "required, e.g. renewal_date",
        parse_key,
    );
    let label = parse_required(&mut v, "label", &input.label, "required", |s| {
        BoundedText::parse(s, 100)
    });
    let field_type = match present(&input.field_type) {
        Some(raw) => v.check("field_type", FieldType::parse(raw)),
        None => {
            v.push("field_type", "required: text, number, date, select or bool");
            None
        }
    };
    let options: Vec<String> = input
        .options
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, o)| v.check(&format!("options[{i}]"), BoundedText::parse(o, 100)))
        .map(BoundedText::into_string)
        .collect();
    if field_type == Some(FieldType::Select) && options.is_empty() {
        v.push("options", "a select needs at least one option");
    }
    if options.len() > MAX_OPTIONS {
        v.push("options", format!("at most {MAX_OPTIONS} options"));
    }
    let position = input.position.map_or(Some(0), |p| {
        v.check(
            "position",
            i32::try_from(p)
                .ok()
                .filter(|p| (0..=10_000).contains(p))
                .ok_or_else(|| ValueError::new("must be between 0 and 10000")),
        )
    });
    v.finish()?;
    let (Some(key), Some(label), Some(field_type), Some(position)) =
        (key, label, field_type, position)
    else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "key", "required",
        )]));
    };
    Ok(NewCustomField {
        key,
        label: label.into_string(),
        field_type,
        options,
        required: input.required.unwrap_or(false),
        position,
    })
}

/// The organisation's custom field definitions, in display order.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = CustomFieldList)))]
#[get("/custom-fields")]
async fn list_custom_fields(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<CustomFieldList>, ApiError> {
    user.require(Permission::CustomersRead)?;
    let fields = state.store.custom_fields(user.organization_id).await?;
    Ok(web::Json(CustomFieldList {
        items: fields.iter().map(view).collect(),
    }))
}

/// Define a custom field (owners).
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    request_body = CustomFieldInput,
    responses(
        (status = 201, body = CustomFieldView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Key taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/custom-fields")]
async fn create_custom_field(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CustomFieldInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::SettingsWrite)?;
    let new = new_field(&body)?;
    let record = state
        .store
        .create_custom_field(user.organization_id, &new, &user.actor())
        .await?;
    Ok(created(
        format!("/api/v1/custom-fields/{}", record.id),
        1,
        view(&record),
    ))
}

/// Change a definition with a JSON merge patch (owners); the key cannot change.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Object, description = "Any subset of CustomFieldInput's fields but key", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = CustomFieldView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[patch("/custom-fields/{id}")]
async fn patch_custom_field(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::SettingsWrite)?;
    let id = CustomFieldId::from_uuid(*id);
    let current = state.store.custom_field(user.organization_id, id).await?;
    let input = patch_input(&input_of(&current), &body)?;
    if input.key.as_deref() != Some(current.field_key.as_str()) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "key",
            "read-only: stored values refer to it; define a new field instead",
        )]));
    }
    let new = new_field(&input)?;
    let record = state
        .store
        .update_custom_field(user.organization_id, id, &new, &user.actor())
        .await?;
    Ok(ok(1, view(&record)))
}

/// Remove a definition (owners). Values stored under its key stay on customers.
#[utoipa::path(tag = "settings", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[delete("/custom-fields/{id}")]
async fn delete_custom_field(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::SettingsWrite)?;
    state
        .store
        .delete_custom_field(
            user.organization_id,
            CustomFieldId::from_uuid(*id),
            &user.actor(),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
