//! Run-time configuration from `TENURE_*` environment variables (documented in the README).
//! Reading the environment happens here and nowhere else.

use std::net::SocketAddr;

/// Settings of one server process.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TENURE_DATABASE_URL`, default `sqlite://tenure.db?mode=rwc`.
    pub database_url: String,
    /// `TENURE_BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `TENURE_JWT_SECRET`; when absent a random secret is generated and kept in the database.
    pub jwt_secret: Option<String>,
    /// `TENURE_LOG`, a tracing filter such as `info` or `tenure_api=debug,info`.
    pub log: String,
    /// `TENURE_LOG_FORMAT=json` switches logs to JSON lines.
    pub log_json: bool,
    /// `TENURE_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `TENURE_TRUSTED_PROXIES`: comma-separated IP addresses of reverse proxies whose
    /// `X-Forwarded-For` names the client (for throttling and the audit log).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `TENURE_DATA_DIR`, default `tenure-data`: uploaded import files. Replicas share it.
    pub data_dir: std::path::PathBuf,
    /// `TENURE_JOB_LEASE_SECS`, default 30: how soon another worker takes over a job whose
    /// worker stopped answering.
    pub job_lease: std::time::Duration,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://tenure.db?mode=rwc";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bind = var("TENURE_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let workers = match var("TENURE_WORKERS") {
            Some(raw) => Some(raw.parse().map_err(|_| {
                anyhow::anyhow!("TENURE_WORKERS must be a positive number, got {raw:?}")
            })?),
            None => None,
        };
        let trusted_proxies = var("TENURE_TRUSTED_PROXIES")
            .map(|raw| {
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        s.parse().map_err(|_| {
                            anyhow::anyhow!("TENURE_TRUSTED_PROXIES: {s:?} is not an IP address")
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        let jwt_secret = var("TENURE_JWT_SECRET");
        if let Some(secret) = &jwt_secret
            && secret.len() < 32
        {
            anyhow::bail!("TENURE_JWT_SECRET must be at least 32 characters");
        }
        Ok(Config {
            database_url: var("TENURE_DATABASE_URL")
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            bind: bind
                .parse()
                .map_err(|_| anyhow::anyhow!("TENURE_BIND must be host:port, got {bind:?}"))?,
            jwt_secret,
            log: var("TENURE_LOG").unwrap_or_else(|| "info".to_owned()),
            log_json: var("TENURE_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
            workers,
            trusted_proxies,
            job_lease: match var("TENURE_JOB_LEASE_SECS") {
                Some(raw) => std::time::Duration::from_secs(raw.parse().map_err(|_| {
                    anyhow::anyhow!(
                        "TENURE_JOB_LEASE_SECS must be a number of seconds, got {raw:?}"
                    )
                })?),
                None => std::time::Duration::from_secs(30),
            },
            data_dir: var("TENURE_DATA_DIR")
                .unwrap_or_else(|| "tenure-data".to_owned())
                .into(),
        })
    }
}
