//! The history: every import of the organisation, newest first, with who ran it, how it ended,
//! its refused rows and a revert while the server accepts one. Rows of working jobs follow the
//! same live updates as the wizard.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::ImportJobView;

use crate::api;
use crate::browser::{local_zone, now};
use crate::components::{Badge, Confirm, ErrorState, Icon, Paged, ShowMore, use_toasts};
use crate::format;
use crate::pages::imports::{
    ErrorsDownload, counts_summary, may_run, ran, revertible, status_tone, use_imports,
};

const PAGE: u32 = 20;

/// The loaded pages of the history.
#[derive(Clone, Copy)]
pub struct History {
    jobs: Paged<ImportJobView>,
}

impl History {
    pub fn new() -> History {
        History { jobs: Paged::new() }
    }

    /// Loads the first page again (after an upload or a revert).
    pub fn refresh(&self) {
        self.jobs.refresh();
    }

    /// Takes in a fresher view of a job listed here.
    pub fn seen(&self, view: &ImportJobView) {
        self.jobs.rows.maybe_update(|rows| {
            let Some(Ok(rows)) = rows else {
                return false;
            };
            match rows.iter_mut().find(|row| row.id == view.id) {
                Some(row) if row != view => {
                    *row = view.clone();
                    true
                }
                _ => false,
            }
        });
    }

    fn load_more(self) {
        self.jobs
            .load_more(|cursor| async move { api::import_history(PAGE, Some(&cursor)).await });
    }
}

#[component]
pub fn HistorySection() -> impl IntoView {
    let imports = use_imports();
    let history = imports.history;
    Effect::new(move |_| {
        history.jobs.track();
        history.jobs.first_page(api::import_history(PAGE, None));
    });
    let table = move || {
        match history.jobs.rows.get() {
        None => view! { <div class="skeleton-block small" aria-busy="true"></div> }.into_any(),
        Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| history.refresh())/> }.into_any(),
        Some(Ok(rows)) if rows.is_empty() => view! {
            <p class="muted">"No imports yet. The first one you run appears here."</p>
        }
        .into_any(),
        Some(Ok(_)) => view! { <HistoryTable/> }.into_any(),
    }
    };
    view! {
        <section class="card history" aria-labelledby="history-heading" data-testid="import-history">
            <div class="card-head">
                <h2 id="history-heading">"Import history"</h2>
                <button type="button" class="btn btn-ghost btn-small" on:click=move |_| history.refresh()>
                    <Icon name="refresh"/>"Refresh"
                </button>
            </div>
            {table}
        </section>
    }
}

#[component]
fn HistoryTable() -> impl IntoView {
    let imports = use_imports();
    let history = imports.history;
    let zone = local_zone();
    let rows = move || history.jobs.loaded();
    // A row is drawn again when what it shows changes (status, counts, the revert deadline).
    let key = |job: &ImportJobView| {
        (
            job.id,
            job.status.clone(),
            counts_summary(&job.counts),
            job.errors_url.is_some(),
            job.revertible_until,
        )
    };
    view! {
        <div class="table-wrap">
            <table class="data-table history-table" aria-label="Past imports">
                <thead><tr>
                    <th scope="col">"File"</th><th scope="col">"Template"</th><th scope="col">"When"</th>
                    <th scope="col">"Status"</th><th scope="col">"Result"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    <For each=rows key=key let:job>
                        <HistoryRow job=job zone=zone/>
                    </For>
                </tbody>
            </table>
        </div>
        <ShowMore pages=history.jobs label="Show older imports" on_more=move |()| history.load_more()/>
    }
}

#[component]
fn HistoryRow(job: ImportJobView, zone: chrono::FixedOffset) -> impl IntoView {
    let imports = use_imports();
    let result = if ran(&job) {
        counts_summary(&job.counts).unwrap_or_else(|| "Nothing imported".to_owned())
    } else {
        "—".to_owned()
    };
    let has_errors = ran(&job) && (job.errors_url.is_some() || job.counts.failed > 0);
    let template = imports.template_label(job.template.as_deref());
    let when = format::relative(job.created_at, now());
    let exact = format::datetime(job.created_at, zone);
    view! {
        <tr data-id=job.id.to_string()>
            <td class="col-name" data-label="File">
                <a class="row-link" href=format!("/imports/{}", job.id)>{job.file_name.clone()}</a>
                <span class="cell-sub">{format!("{} · {}", format::bytes(job.file_size), format::count_noun(job.total_rows, "row", "rows"))}</span>
            </td>
            <td data-label="Template">{template}</td>
            <td data-label="When">
                <time datetime=job.created_at.to_rfc3339() title=exact>{when}</time>
                <span class="cell-sub">{format!("by {}", job.created_by)}</span>
            </td>
            <td data-label="Status"><Badge tone=status_tone(&job.status) text=format::humanize(&job.status)/></td>
            <td data-label="Result">{result}</td>
            <td class="col-actions">
                <div class="row-actions">
                    {has_errors.then(|| view! { <ErrorsDownload id=job.id file_name=job.file_name.clone() label="Errors" compact=true/> })}
                    <RevertButton job=job.clone() compact=true/>
                </div>
            </td>
        </tr>
    }
}

/// Revert, after a confirmation that says what it undoes; shown to staff and owners while the
/// server still accepts it.
#[component]
pub fn RevertButton(job: ImportJobView, #[prop(optional)] compact: bool) -> impl IntoView {
    let imports = use_imports();
    let toasts = use_toasts();
    let writer = may_run();
    let open = RwSignal::new(false);
    let shown = revertible(&job, now());
    let id = job.id;
    let file_name = StoredValue::new(job.file_name.clone());
    let message = format!(
        "{} It cannot be undone itself.",
        match (job.counts.created, job.counts.updated) {
            (0, 0) => "Nothing this import did will remain.".to_owned(),
            (created, 0) => format!(
                "The {} it created will be deleted.",
                format::count_noun(created, "customer", "customers")
            ),
            (0, updated) => format!(
                "The {} it changed get their earlier values back.",
                format::count_noun(updated, "customer", "customers")
            ),
            (created, updated) => format!(
                "The {} it created will be deleted, and the {} it changed get their earlier values back.",
                format::count_noun(created, "customer", "customers"),
                format::count_noun(updated, "customer", "customers")
            ),
        }
    );
    let revert = Callback::new(move |_| {
        spawn_local(async move {
            match api::revert_import(id).await {
                Ok(view) => {
                    toasts.info(format!(
                        "Reverting the import of {}.",
                        file_name.get_value()
                    ));
                    imports.changed(view);
                    imports.history.refresh();
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    });
    let class = if compact {
        "btn btn-small btn-danger"
    } else {
        "btn btn-danger"
    };
    let title = format!("Revert the import of {}?", job.file_name);
    view! {
        <Show when=move || shown && writer.get()>
            <button type="button" class=class on:click=move |_| open.set(true)
                aria-label=format!("Revert the import of {}", file_name.get_value())>
                <Icon name="refresh"/>"Revert"
            </button>
        </Show>
        <Confirm open=open title=title message=message confirm="Revert import" on_confirm=revert/>
    }
}
