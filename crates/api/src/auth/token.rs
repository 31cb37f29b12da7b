//! Access tokens (HS256 JWTs, one hour) and refresh tokens (random, stored only as SHA-256).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenure_domain::ids::{OrganizationId, UserId};

use crate::error::ApiError;

/// Lifetime of an access token.
pub const ACCESS_TTL_SECS: u64 = 3600;
/// Lifetime of a refresh token.
pub const REFRESH_TTL_DAYS: i64 = 30;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    org: String,
    iat: u64,
    exp: u64,
    iss: String,
}

/// Who a verified token speaks for.
#[derive(Debug, Clone, Copy)]
pub struct Verified {
    pub user_id: UserId,
    pub organization_id: OrganizationId,
}

/// Signs and checks access tokens with the instance secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

const ISSUER: &str = "tenure";

impl Tokens {
    pub fn new(secret: &str) -> Tokens {
        Tokens {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        }
    }

    /// A signed access token for the user.
    pub fn issue(&self, user: UserId, org: OrganizationId) -> Result<String, ApiError> {
        let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        let claims = Claims {
            sub: user.to_string(),
            org: org.to_string(),
            iat: now,
            exp: now + ACCESS_TTL_SECS,
            iss: ISSUER.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing a token failed: {e}")))
    }

    /// Checks signature, issuer and expiry (no leeway: an hour is an hour).
    pub fn verify(&self, token: &str) -> Result<Verified, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_issuer(&[ISSUER]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::TokenExpired,
                _ => ApiError::Unauthenticated("The token is invalid."),
            },
        )?;
        let user_id = data
            .claims
            .sub
            .parse()
            .map_err(|_| ApiError::Unauthenticated("The token is invalid."))?;
        let organization_id = data
            .claims
            .org
            .parse()
            .map_err(|_| ApiError::Unauthenticated("The token is invalid."))?;
        Ok(Verified {
            user_id,
            organization_id,
        })
    }
}

/// A new random refresh token (256 bits, URL-safe text).
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut bytes);
    format!("rt_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored for a refresh token: its SHA-256, hex.
pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random signing secret for instances that were not given one.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 48];
    rand::Rng::fill(&mut rand::rng(), &mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_secret_only() {
        let user = UserId::new();
        let org = OrganizationId::new();
        let tokens = Tokens::new("a-secret-that-is-long-enough-for-hs256!");
        let token = tokens.issue(user, org).unwrap_or_default();
        let verified = tokens.verify(&token);
        assert!(matches!(verified, Ok(v) if v.user_id == user && v.organization_id == org));
        let other = Tokens::new("another-secret-that-is-long-enough-too!");
        assert!(matches!(
            other.verify(&token),
            Err(ApiError::Unauthenticated(_))
        ));
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token();
        assert_ne!(a, new_refresh_token());
        assert_eq!(hash_refresh_token(&a).len(), 64);
    }
}
