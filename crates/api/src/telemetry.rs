//! Logging set-up: structured `tracing` output, human-readable or JSON lines, filtered by
//! `TENURE_LOG`. Request spans come from tracing-actix-web and carry the request id.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls are ignored (tests start many servers).
pub fn init(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
