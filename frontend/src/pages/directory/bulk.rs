//! Bulk work on the selection: status, tags, delete (with a confirmation naming the count and
//! a summary of any rows that failed). "Select all N matching" covers every row of the filter:
//! the ids are gathered page by page through the list API and sent in chunks the bulk API
//! accepts (1,000), up to [`MAX_MATCHING`].

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::vocabulary::CUSTOMER_STATUSES;
use tenure_api_types::{
    BulkIdsRequest, BulkItemResult, BulkResult, BulkUpdateRequest, CustomerList,
};
use uuid::Uuid;

use super::Directory;
use crate::api::{ApiError, Call};
use crate::components::{Icon, Modal, Spinner, use_toasts};
use crate::format;

/// The bulk API's limit per call.
const CHUNK: usize = 1_000;
/// The most rows "select all matching" will touch from the browser.
const MAX_MATCHING: u64 = 10_000;

#[derive(Clone, Copy, PartialEq)]
enum TagMode {
    Add,
    Remove,
}

#[component]
pub fn BulkBar() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let tag_dialog = RwSignal::new(false);
    let tag_mode = RwSignal::new(TagMode::Add);
    let tag_text = RwSignal::new(String::new());
    let summary = RwSignal::new(None::<Summary>);
    let summary_open = RwSignal::new(false);
    let status_choice = RwSignal::new(String::new());

    let count = move || {
        if directory.all_matching.get() {
            directory.total().unwrap_or(0)
        } else {
            directory.selected.with(|s| s.len() as u64)
        }
    };
    let visible =
        move || directory.all_matching.get() || directory.selected.with(|s| !s.is_empty());
    let page_fully_selected = move || {
        directory.list.with(|l| match l {
            Some(Ok(list)) => {
                !list.items.is_empty()
                    && list.total > list.items.len() as u64
                    && directory
                        .selected
                        .with(|s| list.items.iter().all(|c| s.contains(&c.id)))
            }
            _ => false,
        })
    };

    // Runs one bulk action over the selection and reports what happened.
    let run = move |action: Action| {
        busy.set(true);
        spawn_local(async move {
            let outcome = match targets(directory).await {
                Ok(ids) => apply(&action, &ids).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match outcome {
                Ok(result) => {
                    let verb = action.past_tense();
                    if result.failed == 0 {
                        toasts.info(format!(
                            "{} {verb}.",
                            format::count_noun(result.succeeded, "customer", "customers")
                        ));
                    } else {
                        summary.set(Some(Summary { verb, result }));
                        summary_open.set(true);
                    }
                    directory.clear_selection();
                    directory.refresh();
                }
                Err(e) => toasts.error(format!("Nothing was changed: {}", e.message())),
            }
        });
    };

    view! {
        <Show when=visible>
            <div class="bulk-bar" role="region" aria-label="Bulk actions">
                <span class="bulk-count" data-testid="bulk-count">
                    {move || format!("{} selected", format::thousands(count()))}
                </span>
                <Show when=move || page_fully_selected() && !directory.all_matching.get()>
                    <button class="btn btn-link" on:click=move |_| directory.all_matching.set(true)>
                        {move || format!("Select all {} matching", format::thousands(directory.total().unwrap_or(0)))}
                    </button>
                </Show>
                <Show when=move || directory.query.with(|q| q.deleted)>
                    <button class="btn btn-primary" disabled=move || busy.get() on:click=move |_| run(Action::Restore)>
                        "Restore"
                    </button>
                </Show>
                <Show when=move || directory.query.with(|q| !q.deleted)>
                <label class="visually-hidden" for="bulk-status">"Change status"</label>
                    <select id="bulk-status" disabled=move || busy.get()
                        prop:value=move || status_choice.get()
                        on:change=move |ev| {
                            let status = event_target_value(&ev);
                            if !status.is_empty() {
                                run(Action::Status(status));
                            }
                            // The menu is an action, not a setting: back to its prompt.
                            status_choice.set(String::new());
                        }>
                        <option value="">"Change status…"</option>
                        {CUSTOMER_STATUSES.iter().map(|s| view! { <option value=*s>{format::label(s)}</option> }).collect_view()}
                    </select>
                    <button class="btn" disabled=move || busy.get()
                        on:click=move |_| { tag_mode.set(TagMode::Add); tag_text.set(String::new()); tag_dialog.set(true); }>
                        <Icon name="tag"/>"Add tag"
                    </button>
                    <button class="btn" disabled=move || busy.get()
                        on:click=move |_| { tag_mode.set(TagMode::Remove); tag_text.set(String::new()); tag_dialog.set(true); }>
                        "Remove tag"
                    </button>
                    <button class="btn btn-danger" disabled=move || busy.get() on:click=move |_| confirm_delete.set(true)>
                        <Icon name="trash"/>"Delete"
                    </button>
                </Show>
                <button class="btn btn-ghost" on:click=move |_| directory.clear_selection()>"Clear selection"</button>
                <Show when=move || busy.get()><Spinner/><span class="muted">"Working…"</span></Show>
            </div>
        </Show>

        <Modal open=confirm_delete title=Signal::derive(move || format!("Delete {}?", format::count_noun(count(), "customer", "customers")))>
            <p>{move || format!(
                "{} will move to the bin. They disappear from the directory and can be restored from the bin.",
                format::count_noun(count(), "customer", "customers"))}</p>
            <div class="modal-actions">
                <button class="btn" on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                <button class="btn btn-danger" data-testid="confirm-delete" on:click=move |_| {
                    confirm_delete.set(false);
                    run(Action::Delete);
                }>{move || format!("Delete {}", format::count_noun(count(), "customer", "customers"))}</button>
            </div>
        </Modal>

        <Modal open=tag_dialog title=Signal::derive(move || if tag_mode.get() == TagMode::Add { "Add a tag".to_owned() } else { "Remove a tag".to_owned() })>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let tag = tag_text.get_untracked().trim().to_owned();
                if tag.is_empty() { return; }
                tag_dialog.set(false);
                run(match tag_mode.get_untracked() {
                    TagMode::Add => Action::AddTag(tag),
                    TagMode::Remove => Action::RemoveTag(tag),
                });
            }>
                <div class="field">
                    <label for="bulk-tag">"Tag"</label>
                    <input id="bulk-tag" type="text" list="bulk-tag-options" required autofocus
                        prop:value=move || tag_text.get() on:input=move |ev| tag_text.set(event_target_value(&ev))/>
                    <datalist id="bulk-tag-options">
                        {move || directory.tags.get().into_iter().map(|t| view! { <option value=t.tag/> }).collect_view()}
                    </datalist>
                </div>
                <div class="modal-actions">
                    <button type="button" class="btn" on:click=move |_| tag_dialog.set(false)>"Cancel"</button>
                    <button type="submit" class="btn btn-primary">
                        {move || format!("{} {}", if tag_mode.get() == TagMode::Add { "Tag" } else { "Untag" },
                            format::count_noun(count(), "customer", "customers"))}
                    </button>
                </div>
            </form>
        </Modal>

        <Modal open=summary_open title=Signal::derive(move || "Some customers were not changed".to_owned())>
            {move || summary.get().map(|s| view! { <SummaryView summary=s/> })}
            <div class="modal-actions">
                <button class="btn btn-primary" on:click=move |_| summary_open.set(false)>"Done"</button>
            </div>
        </Modal>
    }
}

#[derive(Clone)]
struct Summary {
    verb: &'static str,
    result: BulkResult,
}

#[component]
fn SummaryView(summary: Summary) -> impl IntoView {
    let failures: Vec<BulkItemResult> = summary
        .result
        .results
        .into_iter()
        .filter(|r| r.status != "ok")
        .collect();
    view! {
        <p data-testid="bulk-summary">{format!("{} {}, {} failed.",
            format::count_noun(summary.result.succeeded, "customer", "customers"), summary.verb,
            format::thousands(summary.result.failed))}</p>
        <ul class="failure-list">
            {failures.into_iter().map(|f| view! {
                <li><a href=format!("/customers/{}", f.id)>{f.id.to_string()}</a>
                    " — " {f.message.unwrap_or_else(|| format::humanize(&f.status))}</li>
            }).collect_view()}
        </ul>
    }
}

#[derive(Clone)]
enum Action {
    Status(String),
    AddTag(String),
    RemoveTag(String),
    Delete,
    Restore,
}

impl Action {
    /// The bulk-update body for changes; `None` for delete and restore, which have their own calls.
    fn update(&self, ids: Vec<Uuid>) -> Option<BulkUpdateRequest> {
        let base = BulkUpdateRequest {
            ids,
            ..Default::default()
        };
        match self {
            Action::Status(status) => Some(BulkUpdateRequest {
                status: Some(status.clone()),
                ..base
            }),
            Action::AddTag(tag) => Some(BulkUpdateRequest {
                tags_add: vec![tag.clone()],
                ..base
            }),
            Action::RemoveTag(tag) => Some(BulkUpdateRequest {
                tags_remove: vec![tag.clone()],
                ..base
            }),
            Action::Delete | Action::Restore => None,
        }
    }

    fn past_tense(&self) -> &'static str {
        match self {
            Action::Status(_) => "updated",
            Action::AddTag(_) => "tagged",
            Action::RemoveTag(_) => "untagged",
            Action::Delete => "deleted",
            Action::Restore => "restored",
        }
    }
}

/// The ids the action covers: the checked rows, or every row of the filter.
async fn targets(directory: Directory) -> Result<Vec<Uuid>, ApiError> {
    if !directory.all_matching.get_untracked() {
        let mut ids: Vec<Uuid> = directory.selected.get_untracked().into_iter().collect();
        ids.sort();
        return Ok(ids);
    }
    let query = directory.query.get_untracked().export_query();
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/customers?{query}&limit=500");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", crate::api::encode(c)));
        }
        let page: CustomerList = Call::get(&path).json().await?;
        if page.total > MAX_MATCHING {
            return Err(ApiError {
                status: 0,
                code: "too_many".to_owned(),
                title: "Too many customers".to_owned(),
                detail: Some(format!(
                    "{} customers match; narrow the filter to {} or fewer.",
                    format::thousands(page.total),
                    format::thousands(MAX_MATCHING)
                )),
                errors: Vec::new(),
            });
        }
        ids.extend(page.items.iter().map(|c| c.id));
        match page.next_cursor {
            Some(next) if !page.items.is_empty() => cursor = Some(next),
            _ => break,
        }
    }
    Ok(ids)
}

/// Sends the action in chunks and adds up the results.
async fn apply(action: &Action, ids: &[Uuid]) -> Result<BulkResult, ApiError> {
    let mut total = BulkResult {
        results: Vec::new(),
        succeeded: 0,
        failed: 0,
    };
    for chunk in ids.chunks(CHUNK) {
        let ids = chunk.to_vec();
        let result: BulkResult = match action.update(ids.clone()) {
            Some(update) => Call::post("/customers/bulk/update", &update).json().await?,
            None => {
                let path = match action {
                    Action::Restore => "/customers/bulk/restore",
                    _ => "/customers/bulk/delete",
                };
                Call::post(
                    path,
                    &BulkIdsRequest {
                        ids,
                        items: Vec::new(),
                    },
                )
                .json()
                .await?
            }
        };
        total.succeeded += result.succeeded;
        total.failed += result.failed;
        total.results.extend(result.results);
    }
    Ok(total)
}
