//! The whole-base scan: start one (only the customers changed since the last scan, or every
//! customer), follow it live through [`crate::live`] (the event stream, or polling, exactly as
//! an import is followed), and say how it ended; a completed scan reloads the queue. One scan
//! runs at a time in an organisation: starting another meanwhile is refused (`409`) and the
//! refusal is shown as the server words it. The API lists no scans, so the page knows only the
//! scan it started: a reload forgets the bar (the queue keeps what the scan found).

use leptos::prelude::*;
use tenure_api_types::DuplicateScanView;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::browser::{local_zone, now};
use crate::components::{Banner, Icon, ProgressBar, Spinner, Toasts, run_busy, use_toasts};
use crate::format::{self, Tone};
use crate::pages::duplicates::queue::Queue;
use crate::session::use_auth;

/// Whether a scan still works (worth following).
fn working(status: &str) -> bool {
    matches!(status, "queued" | "running")
}

impl crate::live::Job for DuplicateScanView {
    const EVENT: &'static str = "duplicate_scan.progress";

    fn id(&self) -> Uuid {
        self.id
    }

    fn working(&self) -> bool {
        working(&self.status)
    }

    fn fetch(id: Uuid) -> impl Future<Output = Result<DuplicateScanView, ApiError>> + 'static {
        api::duplicate_scan(id)
    }
}

/// What a working scan is doing, in words.
pub fn phase_words(scan: &DuplicateScanView) -> String {
    match (scan.status.as_str(), scan.phase.as_deref()) {
        ("queued", _) => "Waiting for a worker to pick the scan up…".to_owned(),
        (_, Some("candidates")) => {
            "Finding customers that share a name, an email, a phone or a domain…".to_owned()
        }
        (_, Some("scoring")) => format!(
            "Comparing pairs: {} of {} compared, {} worth a review so far.",
            format::thousands(u64::try_from(scan.scored).unwrap_or(0)),
            format::thousands(u64::try_from(scan.candidates).unwrap_or(0)),
            format::thousands(u64::try_from(scan.pairs).unwrap_or(0)),
        ),
        (_, Some("storing")) => "Storing the pairs found…".to_owned(),
        _ => "Starting…".to_owned(),
    }
}

/// What a completed scan found.
pub fn outcome_words(scan: &DuplicateScanView) -> String {
    let count = |n: i64, one: &str, many: &str| {
        format::count_noun(u64::try_from(n).unwrap_or(0), one, many)
    };
    format!(
        "{} worth a review among {} ({} compared, {:.1} per customer).",
        count(scan.pairs, "pair", "pairs"),
        count(scan.customers, "customer", "customers"),
        count(scan.candidates, "candidate pair", "candidate pairs"),
        scan.candidates_per_customer,
    )
}

/// The scan the page started, and why another could not start.
#[derive(Clone, Copy)]
pub struct Scans {
    scan: RwSignal<Option<DuplicateScanView>>,
    refused: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    toasts: Toasts,
}

impl Scans {
    /// Follows the page's scan live; when it completes, the queue loads again.
    pub fn new(queue: Queue) -> Scans {
        let scans = Scans {
            scan: RwSignal::new(None),
            refused: RwSignal::new(None),
            busy: RwSignal::new(false),
            toasts: use_toasts(),
        };
        let scan = scans.scan;
        crate::live::follow(
            scan,
            Callback::new(move |view: DuplicateScanView| {
                let before = scan.with_untracked(|s| {
                    s.as_ref()
                        .filter(|s| s.id == view.id)
                        .map(|s| s.status.clone())
                });
                // Other scans (another person's) are not this page's to show.
                let Some(before) = before else {
                    return;
                };
                let finished_now = working(&before) && view.status == "completed";
                scan.set(Some(view));
                if finished_now {
                    queue.refresh();
                }
            }),
        );
        scans
    }

    fn running(&self) -> bool {
        self.scan
            .with(|s| s.as_ref().is_some_and(|s| working(&s.status)))
    }

    fn start(self, full: bool) {
        let toasts = self.toasts;
        self.refused.set(None);
        run_busy(self.busy, async move {
            match api::start_duplicate_scan(full).await {
                Ok(view) => drop(self.scan.try_set(Some(view))),
                Err(e) if e.status == 409 => drop(self.refused.try_set(Some(e.message()))),
                Err(e) => toasts.error(format!("The scan did not start: {}", e.message())),
            }
        });
    }
}

pub fn use_scans() -> Scans {
    expect_context::<Scans>()
}

/// "Scan now" and "Full scan", for staff and owners.
#[component]
pub fn ScanButtons() -> impl IntoView {
    let scans = use_scans();
    let auth = use_auth();
    let idle = move || !scans.busy.get() && !scans.running();
    view! {
        <Show when=move || auth.can_write()>
            <div class="page-actions">
                <button class="btn" disabled=move || !idle() on:click=move |_| scans.start(true)
                    title="Compare every customer again">
                    "Full scan"
                </button>
                <button class="btn btn-primary" disabled=move || !idle() on:click=move |_| scans.start(false)
                    title="Compare the customers added or changed since the last scan with everyone">
                    {move || scans.busy.get().then(|| view! { <Spinner/> })}
                    <Icon name="refresh"/>"Scan now"
                </button>
            </div>
        </Show>
    }
}

/// The refusal, the live bar, or how the scan ended.
#[component]
pub fn ScanStatus() -> impl IntoView {
    let scans = use_scans();
    let status = Memo::new(move |_| scans.scan.with(|s| s.as_ref().map(|s| s.status.clone())));
    view! {
        {move || scans.refused.get().map(|why| view! {
            <Banner tone="warn">
                <Icon name="alert"/>
                <div data-testid="scan-refused">
                    <p class="banner-title">"A scan is already running."</p>
                    <p>{why}</p>
                </div>
            </Banner>
        })}
        {move || match status.get().as_deref() {
            None => ().into_any(),
            Some("queued" | "running") => view! { <ScanProgress/> }.into_any(),
            Some(_) => scans.scan.get_untracked().map(|scan| view! { <ScanOutcome scan=scan/> }).into_any(),
        }}
    }
}

/// A working scan: the percent, the bar and what it is doing. Screen readers hear it every
/// tenth of the way, not every second.
#[component]
fn ScanProgress() -> impl IntoView {
    let scans = use_scans();
    let percent = Memo::new(move |_| {
        scans
            .scan
            .with(|s| s.as_ref().map_or(0.0, |s| s.percent.clamp(0.0, 100.0)))
    });
    let tenth = Memo::new(move |_| (percent.get() / 10.0).floor() as u32 * 10);
    let words = move || scans.scan.with(|s| s.as_ref().map(phase_words));
    view! {
        <section class="card scan-card" aria-labelledby="scan-heading">
            <h2 id="scan-heading">"Scanning for duplicates"</h2>
            <div class="job-progress">
                <div class="job-progress-line">
                    <span class="job-percent" data-testid="scan-percent">{move || format!("{:.0}%", percent.get().floor())}</span>
                    <span class="muted">{words}</span>
                </div>
                {move || view! { <ProgressBar percent=percent.get() label="Duplicate scan" tone=Tone::Neutral/> }}
                <p class="visually-hidden" aria-live="polite">{move || format!("Scan {}% done", tenth.get())}</p>
            </div>
        </section>
    }
}

/// A finished scan: what it found, or why it failed.
#[component]
fn ScanOutcome(scan: DuplicateScanView) -> impl IntoView {
    let finished = scan.finished_at.map(|at| {
        (
            format::relative(at, now()),
            format::datetime(at, local_zone()),
        )
    });
    let when = finished.map(|(ago, exact)| {
        view! { <p class="muted">"Finished " <time title=exact>{ago}</time> "."</p> }
    });
    if scan.status == "completed" {
        view! {
            <Banner tone="good">
                <Icon name="check"/>
                <div data-testid="scan-outcome">
                    <p class="banner-title">"Scan complete."</p>
                    <p>{outcome_words(&scan)}</p>
                    {when}
                </div>
                <div class="scan-done-bar">
                    <ProgressBar percent=100.0 label="Duplicate scan" tone=Tone::Good/>
                    <span class="job-percent" data-testid="scan-percent">"100%"</span>
                </div>
            </Banner>
        }
        .into_any()
    } else {
        view! {
            <Banner tone="error">
                <Icon name="alert"/>
                <div data-testid="scan-outcome">
                    <p class="banner-title">"The scan stopped with an error."</p>
                    {scan.message.clone().map(|m| view! { <p>{m}</p> })}
                    {when}
                </div>
            </Banner>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(status: &str, phase: Option<&str>) -> DuplicateScanView {
        let at = chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default();
        DuplicateScanView {
            id: Uuid::nil(),
            mode: "full".to_owned(),
            status: status.to_owned(),
            phase: phase.map(str::to_owned),
            candidates: 34_651,
            scored: 20_000,
            pairs: 1_532,
            customers: 2_000,
            candidates_per_customer: 17.326,
            percent: 66.2,
            message: None,
            created_by: "owner@demo.example".to_owned(),
            started_at: Some(at),
            finished_at: None,
            created_at: at,
        }
    }

    #[test]
    fn a_working_scan_says_what_it_is_doing() {
        assert_eq!(
            phase_words(&scan("running", Some("scoring"))),
            "Comparing pairs: 20,000 of 34,651 compared, 1,532 worth a review so far."
        );
        assert!(phase_words(&scan("queued", None)).starts_with("Waiting"));
        assert!(working("running") && working("queued") && !working("completed"));
    }

    #[test]
    fn a_completed_scan_says_what_it_found() {
        let mut done = scan("completed", None);
        done.pairs = 2_617;
        assert_eq!(
            outcome_words(&done),
            "2,617 pairs worth a review among 2,000 customers (34,651 candidate pairs compared, 17.3 per customer)."
        );
    }
}
