//! HTTP routes, one module per domain noun, each exposing `configure` that registers its
//! handlers with utoipa-actix-web so they reach the OpenAPI document.

pub mod auth;
pub mod customer;
pub mod customer_bulk;
pub mod customer_list;
pub mod instance;
pub mod ops;
pub mod users;

use actix_web::HttpRequest;

use crate::error::ApiError;

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

/// The ETag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}
