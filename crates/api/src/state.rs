//! What every handler can reach: the store, the token signer, the sign-in throttle, metrics.

use std::sync::Arc;

use tenure_store::Store;

use crate::auth::throttle::LoginThrottle;
use crate::auth::token::Tokens;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub tokens: Tokens,
    pub throttle: Arc<LoginThrottle>,
    pub metrics: Arc<Metrics>,
    /// Bounds concurrent argon2 verifications (each holds ~19 MiB for tens of milliseconds).
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Proxies whose `X-Forwarded-For` is believed (`TENURE_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// Running with `--demo`: the sign-in page may list the demo logins.
    pub demo: bool,
    /// Where uploads are kept (`TENURE_DATA_DIR`); absolute, so any worker finds a job's file.
    pub data_dir: std::path::PathBuf,
}

impl AppState {
    /// Believe `X-Forwarded-For` from these proxies.
    pub fn with_trusted_proxies(mut self, proxies: Vec<std::net::IpAddr>) -> AppState {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// Keeps uploads under `dir` (created if missing).
    pub fn with_data_dir(mut self, dir: &std::path::Path) -> anyhow::Result<AppState> {
        std::fs::create_dir_all(dir)?;
        self.data_dir = std::fs::canonicalize(dir)?;
        Ok(self)
    }

    /// Demo mode: `GET /instance` lists the demo logins.
    pub fn with_demo(mut self, demo: bool) -> AppState {
        self.demo = demo;
        self
    }

    /// Builds the state, taking the JWT secret from configuration or, failing that, from the
    /// database (generated and stored on first start so restarts keep sessions valid).
    pub async fn new(store: Store, jwt_secret: Option<&str>) -> anyhow::Result<AppState> {
        let secret = match jwt_secret {
            Some(secret) => secret.to_owned(),
            None => {
                store
                    .instance_setting_or_init("jwt_secret", crate::auth::token::new_secret)
                    .await?
            }
        };
        Ok(AppState {
            store,
            tokens: Tokens::new(&secret),
            throttle: Arc::new(LoginThrottle::default()),
            metrics: Arc::new(Metrics::default()),
            password_checks: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
            )),
            trusted_proxies: Arc::new(Vec::new()),
            demo: false,
            data_dir: std::env::temp_dir().join("tenure-data"),
        })
    }
}
