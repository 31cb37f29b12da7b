//! Authentication for people: argon2id password hashes, short-lived JWT access tokens, rotating
//! refresh tokens, and the [`AuthUser`] extractor every protected handler takes.
//!
//! The extractor re-reads the user on each request, so a disabled account or a changed role
//! takes effect at once rather than when the token expires. Passwords and tokens are never
//! logged. This module must not know about customers.

pub mod password;
pub mod throttle;
pub mod token;

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use tenure_domain::ids::{OrganizationId, UserId};
use tenure_domain::permission::{Permission, Role};
use tenure_store::Actor;

use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in user behind a request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: UserId,
    pub organization_id: OrganizationId,
    pub email: String,
    pub role: Role,
    /// For the audit log.
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

impl AuthUser {
    /// Fails with 403 unless the user's role grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(permission.as_str()))
        }
    }

    /// The audit actor for changes made by this user.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            label: self.email.clone(),
            request_id: self.request_id.clone(),
            ip: self.ip.clone(),
        }
    }
}

/// The request id tracing-actix-web assigned, for logs and the audit trail.
pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string())
}

/// The peer address (not `X-Forwarded-For`, which a client can forge).
pub fn peer_ip(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|addr| addr.ip().to_string())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<AuthUser, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?
                .clone();
            let header = req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(ApiError::Unauthenticated(
                    "Send `Authorization: Bearer <token>`.",
                ))?;
            let token = header
                .strip_prefix("Bearer ")
                .or_else(|| header.strip_prefix("bearer "))
                .map(str::trim)
                .ok_or(ApiError::Unauthenticated("Use the Bearer scheme."))?;
            let claims = state.tokens.verify(token)?;
            let user = match state
                .store
                .user(claims.organization_id, claims.user_id)
                .await
            {
                Ok(user) => user,
                Err(tenure_store::StoreError::NotFound) => {
                    return Err(ApiError::Unauthenticated("This account no longer exists."));
                }
                Err(other) => return Err(other.into()),
            };
            if user.disabled {
                return Err(ApiError::Unauthenticated("This account is disabled."));
            }
            Ok(AuthUser {
                user_id: user.id,
                organization_id: user.organization_id,
                email: user.email,
                role: user.role,
                request_id: request_id(&req),
                ip: peer_ip(&req),
            })
        })
    }
}
