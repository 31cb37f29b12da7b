//! HTTP routes, one module per domain noun, each exposing `configure` that registers its
//! handlers with utoipa-actix-web so they reach the OpenAPI document.

pub mod account;
pub mod activity;
pub mod auth;
pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod customer_bulk;
pub mod customer_export;
pub mod customer_list;
pub mod duplicate;
pub mod events;
pub mod gdpr;
pub mod goal;
pub mod import;
pub mod import_mapping;
pub mod instance;
pub mod merge;
pub mod ops;
pub mod overview;
pub mod tier;
pub mod users;

use actix_web::HttpRequest;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tenure_domain::error::FieldError;

use crate::error::ApiError;

/// Applies a JSON merge patch (RFC 7396) to the input form of a stored record and reads the
/// result back as that input, so a `PATCH` runs through exactly the checks of a `POST`.
/// Unknown fields are named in the error.
pub fn patch_input<I: Serialize + DeserializeOwned>(
    current: &I,
    patch: &serde_json::Value,
) -> Result<I, ApiError> {
    if !patch.is_object() {
        return Err(ApiError::MalformedJson(
            "the patch must be a JSON object".to_owned(),
        ));
    }
    let mut document = serde_json::to_value(current).map_err(|e| ApiError::Internal(e.into()))?;
    crate::convert::merge_patch(&mut document, patch);
    serde_json::from_value(document).map_err(|e| {
        let message = e.to_string();
        let field = message
            .split('`')
            .nth(1)
            .filter(|_| message.starts_with("unknown field"))
            .unwrap_or("body")
            .to_owned();
        ApiError::Validation(vec![FieldError::new(field, message)])
    })
}

/// `If-Match: "<version>"` as a version number; `None` when absent.
pub fn if_match_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(raw) = req.headers().get(actix_web::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = raw
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match is not valid text".to_owned()))?
        .trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| {
            ApiError::BadRequest("If-Match must be an ETag from a read, like \"3\"".to_owned())
        })
}

/// `201 Created` with `Location` and the `ETag` of the new row.
pub fn created<T: Serialize>(location: String, version: i64, body: T) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .insert_header((actix_web::http::header::ETAG, etag(version)))
        .json(body)
}

/// `200 OK` with the `ETag` of the row's version.
pub fn ok<T: Serialize>(version: i64, body: T) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(version)))
        .json(body)
}

/// The ETag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}
