//! `POST /auth/login`, `/auth/refresh`, `/auth/logout` and `GET /me`.

use actix_web::{HttpRequest, get, post, web};
use chrono::Duration;
use tenure_api_types::{
    LoginRequest, MeResponse, OrganizationView, Problem, RefreshRequest, TokenResponse, UserView,
};
use tenure_store::session::SessionOrigin;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::token::{
    ACCESS_TTL_SECS, REFRESH_TTL_DAYS, hash_refresh_token, new_refresh_token,
};
use crate::auth::{AuthUser, client_ip, password};
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(me);
}

fn origin(req: &HttpRequest) -> SessionOrigin {
    SessionOrigin {
        ip: client_ip(req),
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(200).collect()),
    }
}

async fn issue(
    state: &AppState,
    user: &tenure_store::user::User,
    req: &HttpRequest,
) -> Result<TokenResponse, ApiError> {
    let refresh_token = new_refresh_token();
    state
        .store
        .create_session(
            user.organization_id,
            user.id,
            &hash_refresh_token(&refresh_token),
            tenure_store::now() + Duration::days(REFRESH_TTL_DAYS),
            &origin(req),
        )
        .await?;
    Ok(TokenResponse {
        access_token: state.tokens.issue(user.id, user.organization_id)?,
        token_type: "Bearer".to_owned(),
        expires_in: ACCESS_TTL_SECS,
        refresh_token,
    })
}

/// Sign in with email and password.
///
/// Repeated failures for one account (5 in 15 minutes) or from one address (20) answer 429 with
/// `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let address = client_ip(&req).unwrap_or_default();
    // Counts this attempt as a failure until it succeeds, so parallel guesses cannot all slip
    // past the limit before the first one is recorded.
    state
        .throttle
        .begin_attempt(&body.email, &address)
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    if body.email.contains('\0') || body.email.len() > 254 {
        return Err(ApiError::InvalidCredentials);
    }
    let mut candidates = state.store.users_by_email(&body.email).await?;
    if let Some(org) = &body.organization {
        let wanted = tenure_store::organization::slug_for(org);
        let mut kept = Vec::new();
        for user in candidates {
            let org = state.store.organization(user.organization_id).await?;
            if org.slug == wanted {
                kept.push(user);
            }
        }
        candidates = kept;
    }
    let password = body.password.clone();
    let hashes: Vec<String> = candidates.iter().map(|u| u.password_hash.clone()).collect();
    // argon2 is deliberately slow and memory-hungry: verify off the async workers, a bounded
    // number at a time.
    let _permit = state
        .password_checks
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("password check pool closed: {e}")))?;
    let matches: Vec<bool> = web::block(move || {
        if hashes.is_empty() {
            let _ = password::verify(&password, password::decoy_hash());
            return Vec::new();
        }
        hashes
            .iter()
            .map(|h| password::verify(&password, h))
            .collect()
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("password check failed: {e}")))?;
    let matched: Vec<_> = candidates
        .into_iter()
        .zip(matches)
        .filter(|(user, ok)| *ok && !user.disabled)
        .map(|(user, _)| user)
        .collect();
    let user = match matched.as_slice() {
        [] => {
            tracing::info!(address = %address, "failed sign-in");
            return Err(ApiError::InvalidCredentials);
        }
        [one] => one.clone(),
        _ => return Err(ApiError::OrganizationRequired),
    };
    state.throttle.record_success(&body.email, &address);
    state.store.record_login(user.id).await?;
    Ok(web::Json(issue(&state, &user, &req).await?))
}

/// Swap a refresh token for a new access token and a new refresh token (the old one is spent).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Unknown, expired or already used refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let next = new_refresh_token();
    let session = state
        .store
        .rotate_session(
            &hash_refresh_token(&body.refresh_token),
            &hash_refresh_token(&next),
            tenure_store::now() + Duration::days(REFRESH_TTL_DAYS),
            &origin(&req),
        )
        .await?
        .ok_or(ApiError::Unauthenticated(
            "The refresh token is invalid, expired or already used.",
        ))?;
    let user = state
        .store
        .user(session.organization_id, session.user_id)
        .await?;
    if user.disabled {
        return Err(ApiError::Unauthenticated("This account is disabled."));
    }
    Ok(web::Json(TokenResponse {
        access_token: state.tokens.issue(user.id, user.organization_id)?,
        token_type: "Bearer".to_owned(),
        expires_in: ACCESS_TTL_SECS,
        refresh_token: next,
    }))
}

/// Sign out: the refresh token stops working. The access token lapses within the hour.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
#[post("/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<actix_web::HttpResponse, ApiError> {
    state
        .store
        .revoke_session(&hash_refresh_token(&body.refresh_token))
        .await?;
    Ok(actix_web::HttpResponse::NoContent().finish())
}

/// The signed-in user, their organisation and their permissions.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = MeResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<MeResponse>, ApiError> {
    let stored = state.store.user(user.organization_id, user.user_id).await?;
    let org = state.store.organization(user.organization_id).await?;
    Ok(web::Json(MeResponse {
        user: UserView {
            id: stored.id.as_uuid(),
            email: stored.email,
            name: stored.name,
            role: stored.role.as_str().to_owned(),
        },
        organization: OrganizationView {
            id: org.id.as_uuid(),
            name: org.name,
            slug: org.slug,
            default_currency: org.default_currency,
            default_region: org.default_region,
        },
        permissions: user
            .role
            .permissions()
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
    }))
}
