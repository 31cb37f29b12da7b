//! `ApiError`: the one error type of every handler, written as RFC 9457 problem+json with a
//! stable `code`. One match maps each variant to its status; a 500 never shows its cause to the
//! client (the cause chain is logged with the request id instead).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use tenure_api_types::{Problem, ProblemField};
use tenure_domain::error::FieldError;
use tenure_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid id: {0}")]
    InvalidId(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("body too large")]
    PayloadTooLarge(usize),
    #[error("authentication required: {0}")]
    Unauthenticated(&'static str),
    #[error("token expired")]
    TokenExpired,
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("organization required")]
    OrganizationRequired,
    #[error("forbidden: requires {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("version conflict")]
    VersionConflict { current: i64 },
    /// The operation cannot go ahead in the records' present state; `reasons` say why.
    #[error("refused: {code}")]
    Refused {
        code: &'static str,
        reasons: Vec<FieldError>,
    },
    #[error("If-Match required")]
    PreconditionRequired,
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidId(_) => "invalid_id",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::TokenExpired => "token_expired",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::OrganizationRequired => "organization_required",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::VersionConflict { .. } => "version_conflict",
            ApiError::Refused { code, .. } => code,
            ApiError::PreconditionRequired => "precondition_required",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "The request has invalid fields",
            ApiError::BadRequest(_) => "The request is malformed",
            ApiError::MalformedJson(_) => "The body is not valid JSON",
            ApiError::InvalidId(_) => "The id in the path is not a valid UUID",
            ApiError::UnsupportedMediaType => "Send the body as application/json",
            ApiError::PayloadTooLarge(_) => "The body is too large",
            ApiError::Unauthenticated(_) => "Authentication required",
            ApiError::TokenExpired => "The access token has expired",
            ApiError::InvalidCredentials => "Invalid email or password",
            ApiError::OrganizationRequired => "Several organisations use this email",
            ApiError::Forbidden(_) => "You do not have permission for this",
            ApiError::NotFound => "Not found",
            ApiError::Conflict(_) => "Conflicts with an existing record",
            ApiError::VersionConflict { .. } => "Changed by someone else",
            ApiError::Refused { code, .. } => match *code {
                "merge_conflict" => "The merge cannot go ahead",
                "undo_conflict" => "The merge cannot be undone",
                _ => "The request cannot go ahead",
            },
            ApiError::PreconditionRequired => "If-Match header required",
            ApiError::TooManyRequests { .. } => "Too many attempts",
            ApiError::Internal(_) => "Internal server error",
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            ApiError::Validation(_) => Some("See `errors` for each invalid field.".to_owned()),
            ApiError::Refused { code, .. } => Some(match *code {
                "merge_conflict" => "Another change reached these records first; `errors` names each one. Review the merge again.".to_owned(),
                "undo_conflict" => "Records were changed since the merge in ways undo would lose; `errors` names each one.".to_owned(),
                _ => "`errors` names what blocks it.".to_owned(),
            }),
            ApiError::BadRequest(m) | ApiError::MalformedJson(m) | ApiError::InvalidId(m) => {
                Some(m.clone())
            }
            ApiError::PayloadTooLarge(limit) => Some(format!("The limit is {limit} bytes.")),
            ApiError::Unauthenticated(m) => Some((*m).to_owned()),
            ApiError::TokenExpired => Some("Refresh the token or sign in again.".to_owned()),
            ApiError::OrganizationRequired => {
                Some("Pass `organization` (the organisation's slug) to choose one.".to_owned())
            }
            ApiError::Forbidden(permission) => {
                Some(format!("This needs the `{permission}` permission."))
            }
            ApiError::Conflict(constraint) => Some(match constraint.as_str() {
                "customers_org_code_key" => {
                    "Another customer already has this customer_code.".to_owned()
                }
                "customers_org_source_external_key" => {
                    "Another customer already has this external_id for this source.".to_owned()
                }
                "users_org_email_key" => "A user with this email already exists.".to_owned(),
                "contacts_email_key" => {
                    "Another contact of this customer already has this email.".to_owned()
                }
                "contacts_primary_key" | "addresses_primary_key" => {
                    "Another request changed the primary at the same moment; try again.".to_owned()
                }
                "tiers_org_name_key" => "Another tier already has this name.".to_owned(),
                "tiers_org_level_key" => "Another tier already has this level.".to_owned(),
                "tier_in_use" => {
                    "Customers still carry this tier; move them to another tier first.".to_owned()
                }
                "customer_flags_active_key" => "This flag is already raised.".to_owned(),
                "import_mappings_org_name_key" => {
                    "A saved mapping with this name exists; update it with PUT /import-mappings/{id}.".to_owned()
                }
                "duplicate_scan_running" => {
                    "A duplicate scan is already queued or running; follow it with GET /duplicate-scans.".to_owned()
                }
                "merge_undone" => "This merge was already undone.".to_owned(),
                "customer_erased" => {
                    "The customer was erased under GDPR; an erased record cannot be restored or erased again.".to_owned()
                }
                "import_running" => {
                    "An import that is running holds this person's data; erase again when it has finished.".to_owned()
                }
                "custom_fields_org_key" => "A custom field with this key exists.".to_owned(),
                other => format!("Unique constraint {other}."),
            }),
            ApiError::VersionConflict { current } => Some(format!(
                "The record was changed since you read it (current version {current}); reload and apply your change again."
            )),
            ApiError::PreconditionRequired => Some(
                "Send If-Match with the ETag of your last read so concurrent edits are not lost."
                    .to_owned(),
            ),
            ApiError::TooManyRequests { retry_after_secs } => {
                Some(format!("Try again in {retry_after_secs} seconds."))
            }
            _ => None,
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let errors = match self {
            ApiError::Validation(errors)
            | ApiError::Refused {
                reasons: errors, ..
            } => errors
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            type_uri: format!("https://tenure.dev/problems/{}", self.code()),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            code: self.code().to_owned(),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_)
            | ApiError::MalformedJson(_)
            | ApiError::InvalidId(_)
            | ApiError::OrganizationRequired => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthenticated(_)
            | ApiError::TokenExpired
            | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::Refused { .. } => StatusCode::CONFLICT,
            ApiError::VersionConflict { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            ApiError::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unauthenticated(_)
            | ApiError::TokenExpired
            | ApiError::InvalidCredentials => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict { constraint } => ApiError::Conflict(constraint),
            StoreError::VersionMismatch { current } => ApiError::VersionConflict { current },
            StoreError::Invalid(errors) => ApiError::Validation(errors),
            StoreError::Refused { code, reasons } => ApiError::Refused { code, reasons },
            StoreError::Database(db) => ApiError::Internal(anyhow::Error::new(db)),
        }
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> ApiError {
        ApiError::Validation(errors)
    }
}

/// Turns actix's JSON extractor failures into problems: syntax errors are `malformed_json`,
/// wrong types and unknown fields are `validation_failed` naming the field.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError;
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge(limit),
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            let message = e.to_string();
            ApiError::Validation(vec![FieldError::new(field_of(&message), message)])
        }
        JsonPayloadError::Deserialize(e) => ApiError::MalformedJson(e.to_string()),
        other => ApiError::BadRequest(other.to_string()),
    }
}

/// The field a serde message is about: `unknown field `x``, or `body` when it does not say.
fn field_of(message: &str) -> String {
    for marker in ["unknown field `", "missing field `"] {
        if let Some(rest) = message.split(marker).nth(1)
            && let Some(name) = rest.split('`').next()
        {
            return name.to_owned();
        }
    }
    "body".to_owned()
}

pub fn query_error(err: actix_web::error::QueryPayloadError) -> ApiError {
    let message = err.to_string();
    ApiError::Validation(vec![FieldError::new(field_of(&message), message)])
}

pub fn path_error(err: actix_web::error::PathError) -> ApiError {
    ApiError::InvalidId(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            field_of("unknown field `nmae`, expected one of ..."),
            "nmae"
        );
        assert_eq!(field_of("invalid type: string, expected u8"), "body");
    }
}
