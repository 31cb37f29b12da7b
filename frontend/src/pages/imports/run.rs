//! Step 4: the import itself. While it runs: the live bar (percent, rows per second, time
//! left) and Cancel; once it ends: what it did, the refused rows, the way to the directory,
//! and the revert while the server still accepts one.

use leptos::prelude::*;
use tenure_api_types::ImportJobView;

use crate::api;
use crate::browser::{local_zone, now};
use crate::components::{Banner, Confirm, Icon, Spinner, use_toasts};
use crate::format;
use crate::pages::imports::history::RevertButton;
use crate::pages::imports::{
    ErrorsDownload, JobProgress, Outcome, counts_summary, may_run, ran, revertible, use_imports,
};

#[component]
pub fn ImportStep() -> impl IntoView {
    let imports = use_imports();
    let status = Memo::new(move |_| {
        imports
            .job
            .with(|j| j.as_ref().map(|j| j.status.clone()).unwrap_or_default())
    });
    view! {
        <div class="step-head">
            <h2>"Import"</h2>
            <p class="muted" data-testid="import-status">{move || status_sentence(&status.get())}</p>
        </div>
        {move || {
            let status = status.get();
            let job = imports.job.get_untracked();
            match (status.as_str(), job) {
                ("queued" | "running", _) => view! { <Running/> }.into_any(),
                ("reverting", _) => view! {
                    <p class="muted" role="status"><Spinner/>" Undoing the import…"</p>
                    <JobProgress label="Revert"/>
                }.into_any(),
                (_, Some(job)) => view! { <Finished job=job/> }.into_any(),
                (_, None) => ().into_any(),
            }
        }}
    }
}

fn status_sentence(status: &str) -> &'static str {
    match status {
        "queued" => "Waiting for a worker to pick the import up…",
        "running" => "Importing. You can leave this page: the import goes on.",
        "completed" => "The import is complete.",
        "cancelled" => "The import was cancelled.",
        "failed" => "The import stopped with an error.",
        "reverting" => "The import is being undone.",
        "reverted" => "The import was undone.",
        _ => "",
    }
}

/// The live bar, the counts so far, and Cancel.
#[component]
fn Running() -> impl IntoView {
    let imports = use_imports();
    let toasts = use_toasts();
    let writer = may_run();
    let confirm = RwSignal::new(false);
    let cancelling = Memo::new(move |_| {
        imports
            .job
            .with(|j| j.as_ref().is_some_and(|j| j.cancel_requested))
    });
    let so_far = move || {
        imports
            .job
            .with(|j| j.as_ref().and_then(|j| counts_summary(&j.counts)))
    };
    let cancel = Callback::new(move |_| {
        let Some(id) = imports.job.with_untracked(|j| j.as_ref().map(|j| j.id)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::cancel_import(id).await {
                Ok(view) => {
                    toasts.info("Cancelling: the import stops after the rows in hand.");
                    imports.changed(view);
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    });
    view! {
        <JobProgress label="Import"/>
        <p class="muted so-far">{move || so_far().map(|s| format!("So far: {s}."))}</p>
        <Show when=move || writer.get()>
            <div class="wizard-actions">
                <button type="button" class="btn btn-danger" on:click=move |_| confirm.set(true)
                    disabled=move || cancelling.get()>
                    {move || if cancelling.get() { "Cancelling…" } else { "Cancel import" }}
                </button>
            </div>
        </Show>
        <Confirm open=confirm title="Cancel this import?"
            message="The import stops after the rows it is working on. Rows already imported stay; you can revert them from the history."
            confirm="Cancel import" on_confirm=cancel/>
    }
}

/// An import that ended: completed, cancelled, failed or undone.
#[component]
fn Finished(job: ImportJobView) -> impl IntoView {
    let zone = local_zone();
    let (tone, headline) = match job.status.as_str() {
        "completed" => ("good", "Import complete."),
        "cancelled" => ("warn", "Import cancelled."),
        "reverted" => ("warn", "Import undone."),
        _ => ("error", "The import stopped with an error."),
    };
    let detail = job.message.clone();
    let finished = job
        .finished_at
        .map(|at| format!("Finished {}.", format::datetime(at, zone)));
    let revert_until = job
        .revertible_until
        .filter(|_| revertible(&job, now()))
        .map(|until| format!("You can revert it until {}.", format::datetime(until, zone)));
    let has_errors = job.errors_url.is_some() || job.counts.failed > 0;
    let changed_any = job.counts.created + job.counts.updated > 0;
    let may_revert = revertible(&job, now());
    let job_for_revert = job.clone();
    view! {
        <Banner tone=tone>
            <Icon name=if tone == "good" { "check" } else { "alert" }/>
            <div>
                <p class="banner-title">{headline}</p>
                {detail.map(|d| view! { <p>{d}</p> })}
                <p>{[finished, revert_until].into_iter().flatten().collect::<Vec<_>>().join(" ")}</p>
            </div>
        </Banner>
        {ran(&job).then(|| view! { <JobProgress label="Import"/> })}
        <Outcome counts=job.counts.clone() forecast=false/>
        <div class="wizard-actions">
            {changed_any.then(|| view! {
                <a class="btn btn-primary" href="/customers" data-testid="to-directory"><Icon name="users"/>"View customers"</a>
            })}
            {has_errors.then(|| view! { <ErrorsDownload id=job.id file_name=job.file_name.clone() label="Download refused rows"/> })}
            {may_revert.then(|| view! { <RevertButton job=job_for_revert/> })}
            <a class="btn" href="/imports"><Icon name="upload"/>"Import another file"</a>
        </div>
    }
}
