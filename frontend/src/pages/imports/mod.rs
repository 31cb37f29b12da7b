//! Imports: a four-step wizard (upload, map, validate, import) over one import job, and the
//! history of past imports below it.
//!
//! The job is the state. Its address is `/imports/{id}`, so a reload or a shared link returns
//! to it, and its status says which step is shown ([`Step::of`]); people may step back to the
//! mapping until the import starts. While a job works, [`crate::live`] keeps it fresh from the
//! server's event stream (or by polling). This module must not call the API except through
//! `crate::api`, and must not hold a copy of a job's state that the server does not.

mod history;
mod mapping;
mod run;
mod saved;
mod upload;
mod validate;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use tenure_api_types::{ImportCounts, ImportJobView, ImportProgress, ImportTemplateList};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{EmptyState, ErrorState, Icon, ProgressBar, use_toasts};
use crate::format::{self, Tone};
use crate::session::use_auth;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Upload,
    Map,
    Validate,
    Import,
}

impl Step {
    const ALL: [Step; 4] = [Step::Upload, Step::Map, Step::Validate, Step::Import];

    fn label(self) -> &'static str {
        match self {
            Step::Upload => "Upload",
            Step::Map => "Map columns",
            Step::Validate => "Validate",
            Step::Import => "Import",
        }
    }

    fn number(self) -> usize {
        self as usize + 1
    }

    /// The step a job has reached: mapping until a mapping is saved, validation until the
    /// import starts (a dry run that failed stays there), then the import itself.
    pub fn of(job: &ImportJobView) -> Step {
        match job.status.as_str() {
            "uploaded" => Step::Map,
            "mapped" | "validating" | "validated" => Step::Validate,
            "failed" if job.started_at.is_none() => Step::Validate,
            _ => Step::Import,
        }
    }
}

/// Whether the mapping may still change: nothing has been imported yet.
pub fn editable(job: &ImportJobView) -> bool {
    Step::of(job) < Step::Import && job.status != "validating"
}

/// Whether the job is working, so worth following live.
pub fn working(status: &str) -> bool {
    matches!(status, "validating" | "queued" | "running" | "reverting")
}

impl crate::live::Job for ImportJobView {
    const EVENT: &'static str = "import.progress";

    fn id(&self) -> Uuid {
        self.id
    }

    fn working(&self) -> bool {
        working(&self.status)
    }

    fn fetch(id: Uuid) -> impl Future<Output = Result<ImportJobView, ApiError>> + 'static {
        api::import_job(id)
    }
}

/// Whether the job's rows were written (so its counts are real, not a forecast).
fn ran(job: &ImportJobView) -> bool {
    job.started_at.is_some() || matches!(job.status.as_str(), "running" | "completed")
}

/// Whether the server still accepts a revert of the job at `now`.
pub fn revertible(job: &ImportJobView, now: chrono::DateTime<chrono::Utc>) -> bool {
    job.reverted_at.is_none()
        && !matches!(
            job.status.as_str(),
            "reverting" | "reverted" | "running" | "queued"
        )
        && job.revertible_until.is_some_and(|until| until > now)
}

pub fn status_tone(status: &str) -> Tone {
    match status {
        "completed" | "validated" => Tone::Good,
        "failed" => Tone::Bad,
        "cancelled" | "reverted" | "reverting" => Tone::Warn,
        _ => Tone::Neutral,
    }
}

/// `created 18 · updated 2 · failed 1`: the non-zero counts, or `None` when all are zero.
pub fn counts_summary(counts: &ImportCounts) -> Option<String> {
    let parts: Vec<String> = [
        (counts.created, "created"),
        (counts.updated, "updated"),
        (counts.skipped, "skipped"),
        (counts.failed, "failed"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{} {word}", format::thousands(n)))
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// `1,200 of 20,000 rows`, `350 rows/s`, `about 1 min left`: what a progress bar says.
pub fn progress_words(progress: &ImportProgress) -> (String, Option<String>) {
    let rows = format!(
        "{} of {}",
        format::thousands(progress.rows_done),
        format::count_noun(progress.total_rows, "row", "rows")
    );
    let mut rate = Vec::new();
    if let Some(per_second) = progress
        .rows_per_second
        .filter(|r| r.is_finite() && *r > 0.0)
    {
        rate.push(format!(
            "{} rows/s",
            format::thousands(per_second.round() as u64)
        ));
    }
    if let Some(eta) = progress.eta_seconds.filter(|_| progress.percent < 100.0) {
        rate.push(format!("about {} left", format::duration(eta)));
    }
    (rows, (!rate.is_empty()).then(|| rate.join(" · ")))
}

/// What the page's pieces share: the job shown, the templates, and the history.
#[derive(Clone, Copy)]
pub struct Imports {
    pub job: RwSignal<Option<ImportJobView>>,
    /// A step someone chose by going back, valid while the job keeps the status it had then.
    chosen: RwSignal<Option<(Uuid, String, Step)>>,
    pub step: Memo<Step>,
    pub templates: RwSignal<Option<Result<ImportTemplateList, ApiError>>>,
    pub history: history::History,
}

impl Imports {
    fn new() -> Imports {
        let job = RwSignal::new(None::<ImportJobView>);
        let chosen = RwSignal::new(None::<(Uuid, String, Step)>);
        let step = Memo::new(move |_| {
            job.with(|job| match job {
                None => Step::Upload,
                Some(job) => match chosen.get() {
                    Some((id, status, step)) if id == job.id && status == job.status => step,
                    _ => Step::of(job),
                },
            })
        });
        Imports {
            job,
            chosen,
            step,
            templates: RwSignal::new(None),
            history: history::History::new(),
        }
    }

    /// Takes in a fresher view of a job (an answer, an event, a poll).
    pub fn seen(&self, view: ImportJobView) {
        self.history.seen(&view);
        if self
            .job
            .with_untracked(|j| j.as_ref().is_some_and(|j| j.id == view.id))
        {
            self.job.set(Some(view));
        }
    }

    /// Takes in the answer to a change someone made here: the wizard follows the job's status.
    pub fn changed(&self, view: ImportJobView) {
        self.chosen.set(None);
        self.seen(view);
    }

    /// Shows `step` of the current job (going back to the mapping, or forward again).
    pub fn go(&self, step: Step) {
        if let Some((id, status)) = self
            .job
            .with_untracked(|j| j.as_ref().map(|j| (j.id, j.status.clone())))
        {
            self.chosen.set(Some((id, status, step)));
        }
    }

    /// The label of a template id (`Custom` for none).
    pub fn template_label(&self, id: Option<&str>) -> String {
        let Some(id) = id.filter(|id| *id != "custom") else {
            return "Custom".to_owned();
        };
        self.templates
            .with(|t| {
                t.as_ref()
                    .and_then(|t| t.as_ref().ok())
                    .and_then(|t| t.items.iter().find(|t| t.id == id))
                    .map(|t| t.label.clone())
            })
            .unwrap_or_else(|| format::humanize(id))
    }
}

pub fn use_imports() -> Imports {
    expect_context::<Imports>()
}

/// `/imports` (the first step) and `/imports/{id}` (a job).
#[component]
pub fn ImportsPage() -> impl IntoView {
    let imports = Imports::new();
    provide_context(imports);
    spawn_local(async move {
        let list = api::import_templates().await;
        imports.templates.try_set(Some(list));
    });
    let params = use_params_map();
    let param = Memo::new(move |_| params.with(|p| p.get("id")));
    let load_error = RwSignal::new(None::<ApiError>);
    let load = move |raw: Option<String>| {
        load_error.set(None);
        let Some(raw) = raw else {
            imports.job.set(None);
            return;
        };
        let Ok(id) = raw.parse::<Uuid>() else {
            imports.job.set(None);
            load_error.set(Some(not_found()));
            return;
        };
        // Just uploaded here: already known.
        if imports
            .job
            .with_untracked(|j| j.as_ref().is_some_and(|j| j.id == id))
        {
            return;
        }
        imports.job.set(None);
        spawn_local(async move {
            let result = api::import_job(id).await;
            // The address may have moved on while this was loading.
            if param.try_get_untracked().flatten() != Some(raw) {
                return;
            }
            match result {
                Ok(job) => drop(imports.job.try_set(Some(job))),
                Err(e) => drop(load_error.try_set(Some(e))),
            }
        });
    };
    Effect::new(move |_| load(param.get()));
    crate::live::follow(imports.job, Callback::new(move |view| imports.seen(view)));
    let loaded = Memo::new(move |_| imports.job.with(|j| j.as_ref().map(|j| j.id)));
    let body = move || {
        if let Some(error) = load_error.get() {
            return missing(&error, Callback::new(move |_| load(param.get_untracked())));
        }
        match (param.get(), loaded.get()) {
            (None, _) => view! { <upload::UploadStep/> }.into_any(),
            (Some(_), None) => {
                view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any()
            }
            (Some(_), Some(_)) => match imports.step.get() {
                Step::Upload | Step::Map => {
                    let job = imports.job.get_untracked();
                    job.map(|job| view! { <mapping::MapStep job=job/> }.into_any())
                        .unwrap_or_else(|| ().into_any())
                }
                Step::Validate => view! { <validate::ValidateStep/> }.into_any(),
                Step::Import => view! { <run::ImportStep/> }.into_any(),
            },
        }
    };
    view! {
        <div class="page-head">
            <div>
                <h1>"Imports"</h1>
                <p class="subtitle">"Bring customers in from a CSV file or a HubSpot, Salesforce or Pipedrive export."</p>
            </div>
            <Show when=move || param.with(Option::is_some)>
                <div class="page-actions">
                    <a class="btn" href="/imports"><Icon name="plus"/>"New import"</a>
                </div>
            </Show>
        </div>
        <section class="card wizard" aria-label="Import wizard">
            <Stepper/>
            <div class="wizard-body">{body}</div>
        </section>
        <history::HistorySection/>
    }
}

fn not_found() -> ApiError {
    ApiError {
        status: 404,
        code: "not_found".to_owned(),
        title: "No such import".to_owned(),
        detail: None,
        errors: Vec::new(),
    }
}

fn missing(error: &ApiError, reload: Callback<()>) -> AnyView {
    if error.status == 404 {
        view! {
            <EmptyState title="Import not found" hint="The link may be wrong, or the import belongs to another organisation.">
                <a class="btn" href="/imports">"Start a new import"</a>
            </EmptyState>
        }
        .into_any()
    } else {
        view! { <ErrorState message=error.message() on_retry=reload/> }.into_any()
    }
}

/// The numbered steps across the top: done ones ticked, the current one marked for screen
/// readers (`aria-current="step"`), and the mapping and validation reachable again until the
/// import starts.
#[component]
fn Stepper() -> impl IntoView {
    let imports = use_imports();
    let reached = Memo::new(move |_| {
        imports
            .job
            .with(|j| j.as_ref().map_or(Step::Upload, Step::of))
    });
    let can_revisit = Memo::new(move |_| imports.job.with(|j| j.as_ref().is_some_and(editable)));
    let item = move |step: Step| {
        let current = move || imports.step.get() == step;
        let done = move || {
            let reached = reached.get();
            step < reached
                || (step == reached
                    && reached == Step::Import
                    && imports
                        .job
                        .with(|j| j.as_ref().is_some_and(|j| j.status == "completed")))
        };
        let class = move || {
            let state = if current() {
                "is-current"
            } else if done() {
                "is-done"
            } else {
                "is-todo"
            };
            format!("step {state}")
        };
        let reachable = move || {
            !current()
                && can_revisit.get()
                && matches!(step, Step::Map | Step::Validate)
                && step <= reached.get()
        };
        let marker = move || {
            if done() && !current() {
                view! { <span class="step-marker" aria-hidden="true"><Icon name="check"/></span> }
                    .into_any()
            } else {
                view! { <span class="step-marker" aria-hidden="true">{step.number()}</span> }
                    .into_any()
            }
        };
        let state_words = move || {
            if current() {
                " (current step)"
            } else if done() {
                " (done)"
            } else {
                ""
            }
        };
        view! {
            <li class=class aria-current=move || current().then_some("step")>
                {move || if reachable() {
                    view! {
                        <button type="button" class="step-link" on:click=move |_| imports.go(step)>
                            {marker}<span class="step-label">{step.label()}</span>
                            <span class="visually-hidden">{state_words}</span>
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <span class="step-link">
                            {marker}<span class="step-label">{step.label()}</span>
                            <span class="visually-hidden">{state_words}</span>
                        </span>
                    }.into_any()
                }}
            </li>
        }
    };
    view! {
        <nav aria-label="Import steps">
            <ol class="steps">{Step::ALL.into_iter().map(item).collect_view()}</ol>
        </nav>
    }
}

/// A running phase's progress (validation or the import): the bar, rows done, speed and time
/// left. Screen readers hear it every tenth of the way, not every second.
#[component]
fn JobProgress(#[prop(into)] label: String) -> impl IntoView {
    let imports = use_imports();
    let progress = Memo::new(move |_| {
        imports
            .job
            .with(|j| j.as_ref().map(|j| j.progress.clone()).unwrap_or_default())
    });
    let percent = move || progress.with(|p| p.percent.clamp(0.0, 100.0));
    let tenth = Memo::new(move |_| (percent() / 10.0).floor() as u32 * 10);
    let label = StoredValue::new(label);
    let done = Memo::new(move |_| {
        imports
            .job
            .with(|j| j.as_ref().is_some_and(|j| j.status == "completed"))
    });
    view! {
        <div class="job-progress">
            <div class="job-progress-line">
                <span class="job-percent" data-testid="job-percent">{move || format!("{:.0}%", percent().floor())}</span>
                <span class="muted">{move || progress.with(|p| progress_words(p).0)}</span>
            </div>
            {move || {
                let tone = if done.get() { Tone::Good } else { Tone::Neutral };
                view! { <ProgressBar percent=percent() label=label.get_value() tone=tone/> }
            }}
            <p class="job-rate muted">{move || {
                let busy = imports.job.with(|j| j.as_ref().is_some_and(|j| working(&j.status)));
                progress.with(|p| progress_words(p).1).or_else(|| busy.then(|| "Starting…".to_owned()))
            }}</p>
            <p class="visually-hidden" aria-live="polite">{move || format!("{} {}% done", label.get_value(), tenth.get())}</p>
        </div>
    }
}

/// The four counts as cards; `forecast` words them as what would happen.
#[component]
fn Outcome(counts: ImportCounts, forecast: bool) -> impl IntoView {
    let words = if forecast {
        ["Will create", "Will update", "Will skip", "Errors"]
    } else {
        ["Created", "Updated", "Skipped", "Failed"]
    };
    let cards = [
        (words[0], counts.created, "created", "tone-good"),
        (words[1], counts.updated, "updated", "tone-neutral"),
        (words[2], counts.skipped, "skipped", "tone-neutral"),
        (words[3], counts.failed, "failed", "tone-bad"),
    ];
    view! {
        <div class="metric-grid outcome-grid">
            {cards.into_iter().map(|(label, n, key, tone)| view! {
                <div class=format!("metric-card outcome {}", if n > 0 { tone } else { "" }) data-testid=format!("count-{key}")>
                    <p class="metric-label">{label}</p>
                    <p class="metric-value">{format::thousands(n)}</p>
                </div>
            }).collect_view()}
        </div>
    }
}

/// Saves a job's refused rows as `<file>-errors.csv` (fetched with the token: a plain link
/// could not carry it).
#[component]
fn ErrorsDownload(
    id: Uuid,
    #[prop(into)] file_name: String,
    #[prop(optional, into)] label: Option<String>,
    /// A small button, for table rows.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name.as_str(), |(stem, _)| stem)
        .to_owned();
    let name = StoredValue::new(format!("{stem}-errors.csv"));
    let label = label.unwrap_or_else(|| "Download all errors".to_owned());
    let save = move |_| {
        crate::components::run_busy(busy, async move {
            match api::import_errors_csv(id).await {
                Ok(bytes) => {
                    if crate::browser::download(&name.get_value(), "text/csv", &bytes).is_err() {
                        toasts.error("The browser refused the download.");
                    }
                }
                Err(e) => toasts.error(format!(
                    "The errors could not be downloaded: {}",
                    e.message()
                )),
            }
        });
    };
    view! {
        <button type="button" class=if compact { "btn btn-small" } else { "btn" } on:click=save
            disabled=move || busy.get() data-testid="errors-download">
            <Icon name="download"/>{move || if busy.get() { "Downloading…".to_owned() } else { label.clone() }}
        </button>
    }
}

/// Whether the signed-in user may upload, map, start, cancel and revert (staff and owners).
fn may_run() -> Signal<bool> {
    let auth = use_auth();
    Signal::derive(move || auth.can_write())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(status: &str, started: bool) -> ImportJobView {
        let at = chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default();
        ImportJobView {
            id: Uuid::nil(),
            status: status.to_owned(),
            file_name: "companies.csv".to_owned(),
            file_size: 1_024,
            encoding: "utf-8".to_owned(),
            delimiter: ",".to_owned(),
            has_header: true,
            total_rows: 20,
            columns: Vec::new(),
            sample: Vec::new(),
            template: None,
            mapping: None,
            match_policy: None,
            counts: ImportCounts::default(),
            progress: ImportProgress::default(),
            validation: None,
            cancel_requested: false,
            message: None,
            errors_url: None,
            created_by: "Sam Staff".to_owned(),
            created_at: at,
            started_at: started.then_some(at),
            finished_at: None,
            reverted_at: None,
            revertible_until: None,
        }
    }

    #[test]
    fn the_status_picks_the_step() {
        let step = |status, started| Step::of(&job(status, started));
        assert_eq!(step("uploaded", false), Step::Map);
        assert_eq!(step("mapped", false), Step::Validate);
        assert_eq!(step("validating", false), Step::Validate);
        assert_eq!(step("validated", false), Step::Validate);
        assert_eq!(step("failed", false), Step::Validate);
        assert_eq!(step("failed", true), Step::Import);
        assert_eq!(step("queued", false), Step::Import);
        assert_eq!(step("completed", true), Step::Import);
        assert_eq!(step("reverted", true), Step::Import);
    }

    #[test]
    fn the_mapping_can_change_until_the_import_starts() {
        assert!(editable(&job("uploaded", false)));
        assert!(editable(&job("validated", false)));
        assert!(!editable(&job("validating", false)));
        assert!(!editable(&job("queued", false)));
        assert!(!editable(&job("completed", true)));
    }

    #[test]
    fn a_revert_is_offered_until_the_deadline() {
        let now = chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default();
        let mut done = job("completed", true);
        assert!(!revertible(&done, now), "no deadline, no revert");
        done.revertible_until = Some(now + chrono::Duration::days(7));
        assert!(revertible(&done, now));
        assert!(!revertible(&done, now + chrono::Duration::days(8)));
        done.status = "reverted".to_owned();
        assert!(!revertible(&done, now));
    }

    #[test]
    fn counts_and_progress_read_as_words() {
        let counts = ImportCounts {
            created: 1_200,
            updated: 2,
            skipped: 0,
            failed: 1,
        };
        assert_eq!(
            counts_summary(&counts).as_deref(),
            Some("1,200 created · 2 updated · 1 failed")
        );
        assert_eq!(counts_summary(&ImportCounts::default()), None);
        let progress = ImportProgress {
            rows_done: 1_200,
            total_rows: 20_000,
            percent: 6.0,
            rows_per_second: Some(349.6),
            eta_seconds: Some(48),
        };
        assert_eq!(
            progress_words(&progress),
            (
                "1,200 of 20,000 rows".to_owned(),
                Some("350 rows/s · about 48 s left".to_owned())
            )
        );
        let done = ImportProgress {
            percent: 100.0,
            rows_per_second: None,
            ..progress
        };
        assert_eq!(progress_words(&done).1, None);
    }
}
