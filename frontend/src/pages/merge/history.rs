//! The merge history: every merge of the organisation, newest first (or only those into one
//! customer), with who merged what into which survivor, how many fields differed and how many
//! values came from the merged records, what moved, and how it stands. Staff and owners undo an
//! applied merge after a confirmation; when the server refuses (a field changed on the
//! survivor since, say), each of its reasons is shown as it words them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::{MergeView, MergedCustomerRef};
use uuid::Uuid;

use crate::api;
use crate::browser::{local_zone, now};
use crate::components::{Badge, Confirm, ErrorState, Icon, Paged, ShowMore, Toasts, use_toasts};
use crate::format;
use crate::pages::merge::{
    RefusalBanner, and_list, customer_words, moves_words, reasons, status_words,
};
use crate::session::use_auth;

const PAGE: u32 = 20;

/// `2 fields differed` and `1 value from the merged`: a merge's field choices in words.
pub fn fields_words(merge: &MergeView) -> (String, Option<String>) {
    let differed = merge.fields.len() as u64;
    if differed == 0 {
        return ("No differences".to_owned(), None);
    }
    let taken = merge
        .fields
        .values()
        .filter(|id| **id != merge.survivor.id)
        .count() as u64;
    (
        format!(
            "{} differed",
            format::count_noun(differed, "field", "fields")
        ),
        (taken > 0).then(|| {
            format!(
                "{} from the merged",
                format::count_noun(taken, "value", "values")
            )
        }),
    )
}

/// Why an undo was refused: which merge, and each reason (the server's detail when it gave
/// none).
#[derive(Debug, Clone, PartialEq)]
struct Refusal {
    merge: String,
    detail: Option<String>,
    reasons: Vec<String>,
}

/// The loaded pages of the history, and the last refused undo.
#[derive(Clone, Copy)]
struct History {
    survivor: Option<Uuid>,
    merges: Paged<MergeView>,
    refused: RwSignal<Option<Refusal>>,
    toasts: Toasts,
}

impl History {
    fn new(survivor: Option<Uuid>) -> History {
        let history = History {
            survivor,
            merges: Paged::new(),
            refused: RwSignal::new(None),
            toasts: use_toasts(),
        };
        Effect::new(move |_| {
            history.merges.track();
            history.merges.first_page(api::merges(survivor, PAGE, None));
        });
        history
    }

    fn refresh(&self) {
        self.merges.refresh();
    }

    fn load_more(self) {
        let survivor = self.survivor;
        self.merges
            .load_more(|cursor| async move { api::merges(survivor, PAGE, Some(&cursor)).await });
    }

    /// Takes in a merge's fresher view (after an undo).
    fn seen(&self, view: MergeView) {
        self.merges.rows.update(|rows| {
            if let Some(Ok(rows)) = rows
                && let Some(row) = rows.iter_mut().find(|r| r.id == view.id)
            {
                *row = view;
            }
        });
    }

    fn undo(self, merge: MergeView) {
        self.refused.set(None);
        let toasts = self.toasts;
        spawn_local(async move {
            let codes: Vec<String> = merge
                .merged
                .iter()
                .map(|m| m.customer_code.clone())
                .collect();
            match api::undo_merge(merge.id).await {
                Ok(view) => {
                    toasts.info(format!(
                        "Merge undone: {} {} back.",
                        and_list(&codes),
                        if codes.len() == 1 { "is" } else { "are" }
                    ));
                    self.seen(view);
                }
                Err(error) if error.status == 409 => {
                    self.refused.try_set(Some(Refusal {
                        merge: format!(
                            "{} into {}",
                            and_list(&codes),
                            merge.survivor.customer_code
                        ),
                        detail: error.errors.is_empty().then(|| error.message()),
                        reasons: reasons(&error),
                    }));
                    // Already undone by someone else: show how it stands now.
                    if error.code != "undo_conflict" {
                        self.refresh();
                    }
                }
                Err(error) => toasts.error(error.message()),
            }
        });
    }
}

/// The history section; `survivor` keeps only the merges into that customer.
#[component]
pub fn MergeHistory(#[prop(optional)] survivor: Option<Uuid>) -> impl IntoView {
    let history = History::new(survivor);
    let list = move || {
        match history.merges.rows.get() {
        None => view! { <div class="skeleton-block small" aria-busy="true"></div> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorState message=e.message() on_retry=Callback::new(move |_| history.refresh())/>
        }
        .into_any(),
        Some(Ok(rows)) if rows.is_empty() => view! {
            <p class="muted" data-testid="no-merges">"No merges yet. Pairs merged from the review queue appear here, ready to undo."</p>
        }
        .into_any(),
        Some(Ok(_)) => view! { <HistoryTable history=history/> }.into_any(),
    }
    };
    view! {
        <section class="card merge-history" aria-labelledby="merge-history-heading" data-testid="merge-history">
            <div class="card-head">
                <div>
                    <h2 id="merge-history-heading">"Merge history"</h2>
                    <p class="hint">"Every merge, newest first. Undoing one brings the merged customers back with what moved, and gives the survivor its earlier values."</p>
                </div>
                <button type="button" class="btn btn-ghost btn-small" on:click=move |_| history.refresh()>
                    <Icon name="refresh"/>"Refresh"
                </button>
            </div>
            <UndoRefusal history=history/>
            {list}
        </section>
    }
}

#[component]
fn UndoRefusal(history: History) -> impl IntoView {
    move || {
        history.refused.get().map(|refusal| {
            view! {
                <RefusalBanner title=format!("The merge of {} cannot be undone.", refusal.merge)
                    detail=refusal.detail reasons=refusal.reasons testid="undo-refused">
                    <button type="button" class="btn btn-small" on:click=move |_| history.refused.set(None)>"Dismiss"</button>
                </RefusalBanner>
            }
        })
    }
}

#[component]
fn HistoryTable(history: History) -> impl IntoView {
    let rows = move || history.merges.loaded();
    view! {
        <div class="table-wrap">
            <table class="data-table history-table merge-history-table" aria-label="Merges">
                <thead><tr>
                    <th scope="col">"When"</th><th scope="col">"Survivor ← merged"</th>
                    <th scope="col">"Fields"</th><th scope="col">"Moved"</th><th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    <For each=rows key=|m| (m.id, m.status.clone()) let:merge>
                        <HistoryRow merge=merge history=history/>
                    </For>
                </tbody>
            </table>
        </div>
        <ShowMore pages=history.merges label="Show older merges" on_more=move |()| history.load_more()/>
    }
}

fn customer_link(customer: &MergedCustomerRef) -> impl IntoView + use<> {
    view! {
        <a class="merge-ref" href=format!("/customers/{}", customer.id)>
            <span class="customer-code">{customer.customer_code.clone()}</span>
            " "<span class="merge-ref-name">{customer.name.clone()}</span>
        </a>
    }
}

#[component]
fn HistoryRow(merge: MergeView, history: History) -> impl IntoView {
    let auth = use_auth();
    let confirm = RwSignal::new(false);
    let zone = local_zone();
    let (status, tone) = status_words(&merge.status);
    let (differed, taken) = fields_words(&merge);
    let applied = merge.status == "applied";
    let codes: Vec<String> = merge
        .merged
        .iter()
        .map(|m| m.customer_code.clone())
        .collect();
    let survivor = customer_words(&merge.survivor.customer_code, &merge.survivor.name);
    let title = format!("Undo the merge into {}?", merge.survivor.customer_code);
    let message = format!(
        "{} {} back from the bin with the contacts, activity and other records that moved, \
         and {survivor} gets back the values it had before the merge.",
        and_list(&codes),
        if codes.len() == 1 { "comes" } else { "come" },
    );
    let undone = merge.undone_at.map(|at| {
        let who = merge
            .undone_by_label
            .clone()
            .unwrap_or_else(|| "someone".to_owned());
        view! {
            <span class="cell-sub">
                {format!("by {who} ")}
                <time datetime=at.to_rfc3339() title=format::datetime(at, zone)>{format::relative(at, now())}</time>
            </span>
        }
    });
    let moved = match moves_words(&merge.moved).as_slice() {
        [] => view! { "Nothing" }.into_any(),
        words => view! {
            <ul class="merge-moved-list">{words.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
        }
        .into_any(),
    };
    let target = StoredValue::new(merge.clone());
    let undo = Callback::new(move |_| history.undo(target.get_value()));
    let label = format!("Undo the merge into {}", merge.survivor.customer_code);
    view! {
        <tr data-id=merge.id.to_string() data-survivor=merge.survivor.id.to_string()>
            <td data-label="When">
                <time datetime=merge.created_at.to_rfc3339() title=format::datetime(merge.created_at, zone)>
                    {format::relative(merge.created_at, now())}
                </time>
                <span class="cell-sub">{format!("by {}", merge.created_by_label)}</span>
            </td>
            <td class="col-name" data-label="Survivor ← merged">
                <span class="merge-survivor">{customer_link(&merge.survivor)}</span>
                <ul class="merge-refs" aria-label="Merged into it">
                    {merge.merged.iter().map(|m| view! {
                        <li><span class="merge-arrow" aria-hidden="true">"← "</span>{customer_link(m)}</li>
                    }).collect_view()}
                </ul>
            </td>
            <td data-label="Fields">
                {differed}
                {taken.map(|t| view! { <span class="cell-sub">{t}</span> })}
            </td>
            <td data-label="Moved" class="merge-moved">{moved}</td>
            // The undo sits under the status it changes, which keeps the table narrow.
            <td data-label="Status" class="merge-status-cell">
                <span data-testid="merge-status"><Badge tone=tone text=status/></span>
                {undone}
                <Show when=move || applied && auth.can_write()>
                    <button type="button" class="btn btn-small btn-danger" data-testid="undo-merge"
                        aria-label=label.clone() on:click=move |_| confirm.set(true)>
                        <Icon name="refresh"/>"Undo"
                    </button>
                </Show>
            </td>
        </tr>
        <Confirm open=confirm title=title message=message confirm="Undo merge" on_confirm=undo/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use tenure_api_types::MergeCounts;

    fn merge(fields: &[(&str, u128)]) -> MergeView {
        let reference = |n: u128| MergedCustomerRef {
            id: Uuid::from_u128(n),
            customer_code: format!("CUS-{n}"),
            name: "Acme".to_owned(),
        };
        MergeView {
            id: Uuid::nil(),
            survivor: reference(1),
            merged: vec![reference(2)],
            fields: fields
                .iter()
                .map(|(f, n)| ((*f).to_owned(), Uuid::from_u128(*n)))
                .collect::<BTreeMap<_, _>>(),
            moved: MergeCounts::default(),
            status: "applied".to_owned(),
            created_by_label: "Sam Staff".to_owned(),
            created_at: chrono::DateTime::from_timestamp(0, 0).unwrap_or_default(),
            undone_by_label: None,
            undone_at: None,
        }
    }

    #[test]
    fn field_choices_say_how_many_differed_and_came_from_the_merged() {
        assert_eq!(
            fields_words(&merge(&[("name", 2), ("email", 1), ("phone", 2)])),
            (
                "3 fields differed".to_owned(),
                Some("2 values from the merged".to_owned())
            )
        );
        assert_eq!(
            fields_words(&merge(&[("name", 1)])),
            ("1 field differed".to_owned(), None)
        );
        assert_eq!(fields_words(&merge(&[])).0, "No differences");
    }
}
