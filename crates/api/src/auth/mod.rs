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
use std::net::IpAddr;
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

/// The client's address. `X-Forwarded-For` is believed only when the connection comes from a
/// configured trusted proxy (`TENURE_TRUSTED_PROXIES`), and then only up to the first hop that is
/// not itself trusted, so a client cannot forge its address by sending the header.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let trusted: &[IpAddr] = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.trusted_proxies.as_slice())
        .unwrap_or(&[]);
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok());
    Some(client_behind(peer, forwarded, trusted).to_string())
}

/// The client among `peer` and the `X-Forwarded-For` hops: the nearest hop that is not a trusted
/// proxy, believed only while every hop after it is trusted.
fn client_behind<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a str>,
    trusted: &[IpAddr],
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

/// The Server-Sent Events stream, which may carry its token in the query.
pub const EVENTS_PATH: &str = "/api/v1/events";

fn query_token(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
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
                .and_then(|v| v.to_str().ok());
            let token = match header {
                Some(header) => header
                    .strip_prefix("Bearer ")
                    .or_else(|| header.strip_prefix("bearer "))
                    .map(str::trim)
                    .ok_or(ApiError::Unauthenticated("Use the Bearer scheme."))?
                    .to_owned(),
                // A browser's EventSource cannot send headers, so the event stream (and only
                // it) also takes the access token from the query.
                None if req.path() == EVENTS_PATH => {
                    query_token(&req).ok_or(ApiError::Unauthenticated(
                        "Send `Authorization: Bearer <token>` or `?access_token=`.",
                    ))?
                }
                None => {
                    return Err(ApiError::Unauthenticated(
                        "Send `Authorization: Bearer <token>`.",
                    ));
                }
            };
            let claims = state.tokens.verify(&token)?;
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
                ip: client_ip(&req),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy];
        let check = |peer: &str, header: Option<&str>, expected: &str| {
            assert_eq!(
                client_behind(ip(peer), header.into_iter(), &trusted),
                ip(expected)
            );
        };
        check("203.0.113.9", Some("1.2.3.4"), "203.0.113.9");
        check("10.0.0.1", Some("198.51.100.7"), "198.51.100.7");
        check("10.0.0.1", Some("6.6.6.6, 198.51.100.7"), "198.51.100.7");
        check("10.0.0.1", Some("198.51.100.7, 10.0.0.1"), "198.51.100.7");
        check("10.0.0.1", None, "10.0.0.1");
        check("10.0.0.1", Some("garbage"), "10.0.0.1");
    }
}
