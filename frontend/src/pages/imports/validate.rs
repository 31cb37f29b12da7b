//! Step 3: the dry run. The server reads every row through the saved mapping and says what the
//! import would do (create, update, skip, refuse) without saving anything; this shows its
//! forecast, the first refused rows with a download of all of them, and the first updates
//! field by field, then starts the import.

use leptos::prelude::*;
use tenure_api_types::{ImportJobView, ImportRowError, ImportUpdatePreview};

use crate::api;
use crate::components::{Banner, Icon, Spinner, run_busy, use_toasts};
use crate::format;
use crate::pages::imports::{ErrorsDownload, JobProgress, Outcome, Step, may_run, use_imports};

#[component]
pub fn ValidateStep() -> impl IntoView {
    let imports = use_imports();
    let status = Memo::new(move |_| {
        imports
            .job
            .with(|j| j.as_ref().map(|j| j.status.clone()).unwrap_or_default())
    });
    view! {
        <div class="step-head">
            <h2>"Validate"</h2>
            <p class="muted">"A dry run: every row is checked against the mapping, and nothing is saved."</p>
        </div>
        {move || {
            let status = status.get();
            let job = imports.job.get_untracked();
            match (status.as_str(), job) {
                ("validating", _) => view! {
                    <JobProgress label="Validation"/>
                    <div class="wizard-actions">
                        <p class="muted">"You can leave this page: the check goes on."</p>
                        <StopCheck/>
                    </div>
                }.into_any(),
                ("validated", Some(job)) => view! { <Forecast job=job/> }.into_any(),
                ("failed", Some(job)) => view! {
                    <Banner tone="error">
                        {job.message.clone().unwrap_or_else(|| "The check stopped with an error.".to_owned())}
                    </Banner>
                    <Actions can_start=false/>
                }.into_any(),
                (_, Some(job)) => view! { <Ready job=job/> }.into_any(),
                (_, None) => ().into_any(),
            }
        }}
    }
}

/// Stops a dry run (nothing was written); the job goes back to `mapped`.
#[component]
fn StopCheck() -> impl IntoView {
    let imports = use_imports();
    let toasts = use_toasts();
    let writer = may_run();
    let busy = RwSignal::new(false);
    let stopping = Memo::new(move |_| {
        imports
            .job
            .with(|j| j.as_ref().is_some_and(|j| j.cancel_requested))
    });
    let stop = move |_| {
        let Some(id) = imports.job.with_untracked(|j| j.as_ref().map(|j| j.id)) else {
            return;
        };
        run_busy(busy, async move {
            match api::cancel_import(id).await {
                Ok(view) => imports.changed(view),
                Err(e) => toasts.error(e.message()),
            }
        });
    };
    view! {
        <Show when=move || writer.get()>
            <button type="button" class="btn" on:click=stop disabled=move || busy.get() || stopping.get()>
                {move || if stopping.get() { "Stopping…" } else { "Stop checking" }}
            </button>
        </Show>
    }
}

/// Mapped, not checked yet: what will be checked, and the button that does it.
#[component]
fn Ready(job: ImportJobView) -> impl IntoView {
    let imports = use_imports();
    let toasts = use_toasts();
    let writer = may_run();
    let busy = RwSignal::new(false);
    let mapped = job.columns.iter().filter(|c| c.mapping.is_some()).count();
    let policy = job.match_policy.as_ref().map(|m| match m.by.as_str() {
        "none" => "Every row becomes a new customer.".to_owned(),
        by => format!(
            "Rows are matched to customers by {}; a match is {}.",
            match by {
                "external_id" => "external ID",
                "domain" => "website domain",
                other => other,
            },
            match m.on_match.as_str() {
                "skip" => "skipped",
                "fill_empty" => "used to fill empty fields only",
                _ => "updated",
            }
        ),
    });
    let id = job.id;
    let validate = move |_| {
        run_busy(busy, async move {
            match api::validate_import(id).await {
                Ok(view) => imports.changed(view),
                Err(e) => toasts.error(e.message()),
            }
        });
    };
    view! {
        <dl class="facts ready-facts">
            <div><dt>"File"</dt><dd>{job.file_name.clone()}</dd></div>
            <div><dt>"Rows"</dt><dd>{format::thousands(job.total_rows)}</dd></div>
            <div><dt>"Columns mapped"</dt><dd>{format!("{mapped} of {}", job.columns.len())}</dd></div>
            <div><dt>"Template"</dt><dd>{imports.template_label(job.template.as_deref())}</dd></div>
        </dl>
        {policy.map(|p| view! { <p class="muted">{p}</p> })}
        <div class="wizard-actions">
            <Show when=move || writer.get()>
                <button type="button" class="btn" on:click=move |_| imports.go(Step::Map)>
                    <Icon name="chevron-left"/>"Back to mapping"
                </button>
                <button type="button" class="btn btn-primary" on:click=validate disabled=move || busy.get()>
                    {move || busy.get().then(|| view! { <Spinner/> })}
                    "Run validation"
                </button>
            </Show>
        </div>
    }
}

/// The dry run's answer.
#[component]
fn Forecast(job: ImportJobView) -> impl IntoView {
    let validation = job.validation.clone();
    let counts = validation
        .as_ref()
        .map_or_else(|| job.counts.clone(), |v| v.counts.clone());
    let can_start = counts.created + counts.updated > 0;
    let failed = counts.failed;
    let updated = counts.updated;
    let (errors, updates) = validation
        .map(|v| (v.errors, v.updates))
        .unwrap_or_default();
    let download = job.errors_url.is_some() || failed > 0;
    view! {
        <div role="status">
            <p class="forecast-lead">{forecast_sentence(job.total_rows, counts.created, counts.updated, counts.skipped, failed)}</p>
        </div>
        <Outcome counts=counts forecast=true/>
        {(!errors.is_empty() || download).then(|| view! {
            <section class="forecast-section" aria-labelledby="forecast-errors">
                <div class="card-head">
                    <h3 id="forecast-errors">"Rows with errors"</h3>
                    {download.then(|| view! { <ErrorsDownload id=job.id file_name=job.file_name.clone()/> })}
                </div>
                <p class="muted">{shown_of(errors.len(), failed, "refused row", "refused rows")}
                    " Refused rows are left out; fix them in the file and import it again."</p>
                <ErrorTable errors=errors/>
            </section>
        })}
        {(!updates.is_empty()).then(|| view! {
            <section class="forecast-section" aria-labelledby="forecast-updates">
                <h3 id="forecast-updates">"Changes to existing customers"</h3>
                <p class="muted">{shown_of(updates.len(), updated, "update", "updates")}</p>
                <div class="update-list">{updates.into_iter().map(|u| view! { <UpdatePreview update=u/> }).collect_view()}</div>
            </section>
        })}
        <Actions can_start=can_start/>
    }
}

/// `1,000 rows checked: 950 new customers, 30 updates, 20 refused.`
fn forecast_sentence(rows: u64, created: u64, updated: u64, skipped: u64, failed: u64) -> String {
    let mut parts = Vec::new();
    if created > 0 {
        parts.push(format::count_noun(created, "new customer", "new customers"));
    }
    if updated > 0 {
        parts.push(format::count_noun(updated, "update", "updates"));
    }
    if skipped > 0 {
        parts.push(format!("{} skipped", format::thousands(skipped)));
    }
    if failed > 0 {
        parts.push(format!("{} refused", format::thousands(failed)));
    }
    let checked = format!("{} checked", format::count_noun(rows, "row", "rows"));
    if parts.is_empty() {
        format!("{checked}: nothing to import.")
    } else {
        format!("{checked}: {}.", parts.join(", "))
    }
}

/// `The first 50 of 1,234 refused rows.` or `All 3 refused rows.`
fn shown_of(shown: usize, total: u64, one: &str, many: &str) -> String {
    let shown = shown as u64;
    if total == 1 {
        format!("1 {one}.")
    } else if shown >= total {
        format!("All {}.", format::count_noun(total, one, many))
    } else {
        format!(
            "The first {} of {}.",
            format::thousands(shown),
            format::count_noun(total, one, many)
        )
    }
}

#[component]
fn ErrorTable(errors: Vec<ImportRowError>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="table-wrap">
                <table class="data-table error-table" aria-label="Rows with errors">
                    <thead><tr>
                        <th scope="col" class="num">"Row"</th><th scope="col">"Column"</th>
                        <th scope="col">"Field"</th><th scope="col">"Problem"</th>
                    </tr></thead>
                    <tbody>
                        {errors.into_iter().map(|e| view! {
                            <tr>
                                <td class="num" data-label="Row">{e.row}</td>
                                <td data-label="Column">{e.column.unwrap_or_else(|| "—".to_owned())}</td>
                                <td data-label="Field"><code>{e.field}</code></td>
                                <td class="col-message" data-label="Problem">{e.message}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    })
}

#[component]
fn UpdatePreview(update: ImportUpdatePreview) -> impl IntoView {
    view! {
        <article class="update-preview">
            <p class="update-title">
                <span class="badge tone-neutral">{format!("Row {}", update.row)}</span>
                <a href=format!("/customers/{}", update.customer_id)>{update.customer_name.clone()}</a>
            </p>
            <table class="simple-table preview-table">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Now"</th><th scope="col">"After the import"</th></tr></thead>
                <tbody>
                    {update.changes.into_iter().map(|c| view! {
                        <tr>
                            <th scope="row">{crate::pages::imports::mapping::target_label(&c.field)}</th>
                            <td class="muted">{value_text(&c.before)}</td>
                            <td>{value_text(&c.after)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}

/// A JSON value as a cell: text as it is, nothing as a dash, lists joined.
pub fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) if s.is_empty() => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

/// Back to the mapping, check again, or start.
#[component]
fn Actions(can_start: bool) -> impl IntoView {
    let imports = use_imports();
    let toasts = use_toasts();
    let writer = may_run();
    let busy = RwSignal::new(false);
    let id = move || imports.job.with_untracked(|j| j.as_ref().map(|j| j.id));
    let revalidate = move |_| {
        let Some(id) = id() else { return };
        run_busy(busy, async move {
            match api::validate_import(id).await {
                Ok(view) => imports.changed(view),
                Err(e) => toasts.error(e.message()),
            }
        });
    };
    let start = move |_| {
        let Some(id) = id() else { return };
        run_busy(busy, async move {
            match api::start_import(id).await {
                Ok(view) => {
                    toasts.info("Import started.");
                    imports.changed(view);
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };
    view! {
        <Show when=move || writer.get()>
            <div class="wizard-actions">
                {(!can_start).then(|| view! { <p class="muted">"Nothing would be imported: change the mapping or the file."</p> })}
                <button type="button" class="btn" on:click=move |_| imports.go(Step::Map)>
                    <Icon name="chevron-left"/>"Back to mapping"
                </button>
                <button type="button" class="btn" on:click=revalidate disabled=move || busy.get()>
                    <Icon name="refresh"/>"Check again"
                </button>
                <button type="button" class="btn btn-primary" on:click=start disabled=move || busy.get() || !can_start>
                    {move || busy.get().then(|| view! { <Spinner/> })}
                    "Start import"
                </button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_forecast_reads_as_a_sentence() {
        assert_eq!(
            forecast_sentence(1_000, 950, 30, 0, 20),
            "1,000 rows checked: 950 new customers, 30 updates, 20 refused."
        );
        assert_eq!(
            forecast_sentence(1, 0, 0, 1, 0),
            "1 row checked: 1 skipped."
        );
        assert_eq!(
            forecast_sentence(0, 0, 0, 0, 0),
            "0 rows checked: nothing to import."
        );
        assert_eq!(
            shown_of(3, 3, "refused row", "refused rows"),
            "All 3 refused rows."
        );
        assert_eq!(
            shown_of(50, 1_234, "refused row", "refused rows"),
            "The first 50 of 1,234 refused rows."
        );
    }

    #[test]
    fn values_read_as_cells() {
        assert_eq!(value_text(&json!(null)), "—");
        assert_eq!(value_text(&json!("")), "—");
        assert_eq!(value_text(&json!("Berlin")), "Berlin");
        assert_eq!(value_text(&json!(12.5)), "12.5");
        assert_eq!(value_text(&json!(["vip", "eu"])), "vip, eu");
    }
}
