//! `GET /events`: the tenant's Server-Sent Events stream. For now it carries import progress
//! (`import.progress`, the job's view) and duplicate scan progress (`duplicate_scan.progress`)
//! at least once a second while a job runs, and once more when it ends. It reads the job table rather than an in-process channel, so it works the
//! same whichever replica runs the job; customer change events join it with the webhooks issue.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use futures_util::stream;
use tenure_domain::ids::OrganizationId;
use tenure_domain::permission::Permission;
use tenure_store::Store;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::import::job_view;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(events);
}

/// How often the stream looks for news.
const TICK: Duration = Duration::from_millis(500);
/// A comment line this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

struct Tail {
    store: Store,
    org: OrganizationId,
    /// Jobs sent, with the `updated_at` sent.
    sent: HashMap<Uuid, DateTime<Utc>>,
    since: DateTime<Utc>,
    last_send: std::time::Instant,
    first: bool,
}

/// The organisation's event stream (`text/event-stream`). Events: `import.progress` with an
/// `ImportJobView` as data, and `duplicate_scan.progress` with a `DuplicateScanView`. Browsers may pass the access token as `?access_token=` because
/// `EventSource` cannot send headers.
#[utoipa::path(tag = "events", security(("bearer" = [])),
    params(("access_token" = Option<String>, Query, description = "For EventSource, which cannot send Authorization")),
    responses((status = 200, content_type = "text/event-stream", body = String)))]
#[get("/events")]
async fn events(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    user.require(Permission::CustomersRead)?;
    let start = Tail {
        store: state.store.clone(),
        org: user.organization_id,
        sent: HashMap::new(),
        since: tenure_store::now() - chrono::Duration::seconds(5),
        last_send: std::time::Instant::now(),
        first: true,
    };
    let body = stream::unfold(start, |mut tail| async move {
        if tail.first {
            tail.first = false;
            return Some((
                Ok::<_, actix_web::Error>(web::Bytes::from_static(b"retry: 2000\n\n")),
                tail,
            ));
        }
        loop {
            tokio::time::sleep(TICK).await;
            let tick_start = tenure_store::now();
            let jobs = match tail.store.active_import_jobs(tail.org, tail.since).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::warn!(error = ?e, "event stream query failed");
                    continue;
                }
            };
            let scans = match tail
                .store
                .active_duplicate_scans(tail.org, tail.since)
                .await
            {
                Ok(scans) => scans,
                Err(e) => {
                    tracing::warn!(error = ?e, "event stream query failed");
                    continue;
                }
            };
            tail.since = tick_start - chrono::Duration::seconds(2);
            let mut out = String::new();
            for scan in scans {
                let live = scan.status == "queued" || scan.status == "running";
                let changed = tail.sent.get(&scan.id) != Some(&scan.updated_at);
                if live || changed {
                    tail.sent.insert(scan.id, scan.updated_at);
                    let data = serde_json::to_string(&crate::duplicate::scan_view(&scan))
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "event: duplicate_scan.progress\nid: {}\ndata: {data}\n\n",
                        scan.id
                    ));
                }
            }
            for job in jobs {
                let live = tenure_store::import::status::RUNNABLE.contains(&job.status.as_str());
                let changed = tail.sent.get(&job.id) != Some(&job.updated_at);
                if live || changed {
                    tail.sent.insert(job.id, job.updated_at);
                    let data = serde_json::to_string(&job_view(&job)).unwrap_or_default();
                    out.push_str(&format!(
                        "event: import.progress\nid: {}\ndata: {data}\n\n",
                        job.id
                    ));
                }
            }
            if out.is_empty() && tail.last_send.elapsed() >= KEEP_ALIVE {
                out.push_str(": keep-alive\n\n");
            }
            if !out.is_empty() {
                tail.last_send = std::time::Instant::now();
                return Some((Ok(web::Bytes::from(out)), tail));
            }
        }
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Compression would hold events back in its buffer.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
