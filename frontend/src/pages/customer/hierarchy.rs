//! The Hierarchy tab: the customer's parent (chosen with a search-as-you-type picker; the
//! server refuses a cycle with a message on `parent_id`, shown under the picker), the roll-up of
//! the whole subtree, and the direct children each with the roll-up of its own subtree. Money is
//! summed per currency, never across currencies.

use std::time::Duration;

use leptos::prelude::*;
use serde_json::{Map, Value};
use tenure_api_types::{CurrencyTotal, CustomerView, Rollup};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{ErrorState, Icon, Spinner, StatusBadge, use_toasts};
use crate::format;
use crate::pages::customer::overview::empty;
use crate::pages::customer::{can_write, use_customer_page};

/// `$1,200 · €300` (MRR or LTV of each currency).
pub fn totals_text(totals: &[CurrencyTotal], pick: fn(&CurrencyTotal) -> &str) -> String {
    if totals.is_empty() {
        return "—".to_owned();
    }
    totals
        .iter()
        .map(|t| format::money(pick(t), &t.currency, true))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
pub fn HierarchyTab() -> impl IntoView {
    let page = use_customer_page();
    let children = LocalResource::new(move || {
        page.changed.track();
        api::children(page.id)
    });
    let rollup = LocalResource::new(move || {
        page.changed.track();
        api::rollup(page.id)
    });
    let parent = move || {
        page.with_overview(|o| o.ancestors.last().cloned())
            .flatten()
    };
    view! {
        <div class="hierarchy-grid">
            <section class="card" aria-labelledby="parent-heading">
                <h2 id="parent-heading">"Parent account"</h2>
                {move || match parent() {
                    Some(p) => view! {
                        <p class="parent-current">
                            <Icon name="layers"/>
                            <a href=format!("/customers/{}", p.id) data-testid="parent-link">{p.name.clone()}</a>
                            <span class="muted">{p.customer_code.clone()}</span>
                        </p>
                    }.into_any(),
                    None => view! { <p class="muted" data-testid="no-parent">"No parent: this is a top-level account."</p> }.into_any(),
                }}
                <ParentPicker/>
            </section>
            <section class="card" aria-labelledby="rollup-heading">
                <h2 id="rollup-heading">"Roll-up"</h2>
                <p class="hint">"This customer and every account below it."</p>
                {move || match rollup.get() {
                    None => view! { <div class="skeleton-block small" aria-busy="true"></div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| rollup.refetch())/> }.into_any(),
                    Some(Ok(r)) => view! { <RollupFacts rollup=r/> }.into_any(),
                }}
            </section>
        </div>
        <section class="card" aria-labelledby="children-heading">
            <h2 id="children-heading">"Child accounts"</h2>
            {move || match children.get() {
                None => view! { <div class="skeleton-block small" aria-busy="true"></div> }.into_any(),
                Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| children.refetch())/> }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => empty("No child accounts", "Accounts that name this one as their parent appear here.").into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="data-table" aria-label="Child accounts">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Status"</th>
                                <th scope="col" class="num">"MRR"</th>
                                <th scope="col" class="num">"Accounts below"</th>
                                <th scope="col" class="num">"Subtree MRR"</th>
                                <th scope="col" class="num">"Open tickets"</th>
                            </tr></thead>
                            <tbody>
                                {list.items.into_iter().map(|child| view! {
                                    <tr data-id=child.customer.id.to_string()>
                                        <td class="col-name" data-label="Name">
                                            <a class="row-link" href=format!("/customers/{}", child.customer.id)>{child.customer.name.clone()}</a>
                                            <span class="cell-sub">{child.customer.customer_code.clone()}</span>
                                        </td>
                                        <td data-label="Status"><StatusBadge status=child.customer.status.clone()/></td>
                                        <td class="num" data-label="MRR">{format::money(&child.mrr, &child.currency, true)}</td>
                                        <td class="num" data-label="Accounts below">{child.rollup.customers.saturating_sub(1)}</td>
                                        <td class="num" data-label="Subtree MRR">{totals_text(&child.rollup.totals, |t| &t.mrr)}</td>
                                        <td class="num" data-label="Open tickets">{child.rollup.open_tickets}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RollupFacts(rollup: Rollup) -> impl IntoView {
    view! {
        <dl class="facts facts-two" data-testid="rollup">
            <div><dt>"Accounts"</dt><dd data-testid="rollup-customers">{rollup.customers}</dd></div>
            <div><dt>"Levels below"</dt><dd>{rollup.depth}</dd></div>
            <div><dt>"Total MRR"</dt><dd data-testid="rollup-mrr">{totals_text(&rollup.totals, |t| &t.mrr)}</dd></div>
            <div><dt>"Total lifetime value"</dt><dd>{totals_text(&rollup.totals, |t| &t.ltv)}</dd></div>
            <div><dt>"Contacts"</dt><dd>{rollup.contacts}</dd></div>
            <div><dt>"Open tickets"</dt><dd>{rollup.open_tickets}</dd></div>
        </dl>
    }
}

/// The search-as-you-type combobox that sets (or removes) the parent. Results exclude the
/// customer itself; a refusal (a cycle, a deleted parent) is shown under the box.
#[component]
fn ParentPicker() -> impl IntoView {
    let page = use_customer_page();
    let toasts = use_toasts();
    let writer = can_write();
    let text = RwSignal::new(String::new());
    let results = RwSignal::new(Vec::<CustomerView>::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let searching = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Each keystroke waits 250 ms; only the newest search's answer is shown.
    let ticket = StoredValue::new(0_u64);
    let search = move |q: String| {
        let mine = ticket.get_value() + 1;
        ticket.set_value(mine);
        if q.trim().is_empty() {
            results.set(Vec::new());
            open.set(false);
            return;
        }
        set_timeout(
            move || {
                if ticket.get_value() != mine {
                    return;
                }
                searching.set(true);
                leptos::task::spawn_local(async move {
                    let found = api::search_customers(q.trim(), 8).await;
                    if ticket.get_value() != mine {
                        return;
                    }
                    searching.set(false);
                    let list: Vec<CustomerView> = found
                        .map(|l| l.items.into_iter().filter(|c| c.id != page.id).collect())
                        .unwrap_or_default();
                    active.set(None);
                    results.set(list);
                    open.set(true);
                });
            },
            Duration::from_millis(250),
        );
    };
    let set_parent = move |parent: Option<(Uuid, String)>| {
        let Some(customer) = page.customer_untracked() else {
            return;
        };
        open.set(false);
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let mut patch = Map::new();
            patch.insert(
                "parent_id".to_owned(),
                parent
                    .as_ref()
                    .map_or(Value::Null, |(id, _)| Value::String(id.to_string())),
            );
            let result = api::patch_customer(customer.id, customer.version, &patch).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    text.set(String::new());
                    results.set(Vec::new());
                    toasts.info(match &parent {
                        Some((_, name)) => format!("Parent set to {name}."),
                        None => "Parent removed.".to_owned(),
                    });
                    page.refresh();
                }
                Err(e) => {
                    if e.code == "version_conflict" {
                        page.refresh();
                    }
                    error.set(Some(refusal(&e)));
                }
            }
        });
    };
    let choose = move |index: usize| {
        if let Some(c) = results.with_untracked(|r| r.get(index).cloned()) {
            set_parent(Some((c.id, c.name)));
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let count = results.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" => {
                ev.prevent_default();
                if let Some(i) = active.get_untracked() {
                    choose(i);
                }
            }
            "Escape" => open.set(false),
            _ => {}
        }
    };
    let has_parent = move || page.with_overview(|o| !o.ancestors.is_empty()) == Some(true);
    view! {
        <Show when=move || writer.get()>
            <div class="combobox">
                <label for="parent-search">"Set parent"</label>
                <div class="combobox-box">
                    <input id="parent-search" type="text" role="combobox" autocomplete="off"
                        placeholder="Search customers by name or code"
                        aria-autocomplete="list" aria-controls="parent-results"
                        aria-expanded=move || open.get().to_string()
                        aria-activedescendant=move || active.get().map(|i| format!("parent-option-{i}"))
                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                        aria-describedby="parent-search-error"
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            text.set(value.clone());
                            error.set(None);
                            search(value);
                        }
                        on:keydown=on_key/>
                    {move || (searching.get() || busy.get()).then(|| view! { <Spinner/> })}
                </div>
                <Show when=move || open.get()>
                    <ul id="parent-results" class="combobox-list" role="listbox" aria-label="Matching customers">
                        {move || {
                            let list = results.get();
                            if list.is_empty() {
                                return view! { <li class="combobox-empty" role="presentation">"No other customer matches."</li> }.into_any();
                            }
                            list.into_iter().enumerate().map(|(i, c)| {
                                let selected = move || active.get() == Some(i);
                                view! {
                                    <li id=format!("parent-option-{i}") role="option" class="combobox-option"
                                        aria-selected=move || selected().to_string()
                                        on:mousedown=move |ev| { ev.prevent_default(); choose(i); }>
                                        <span>{c.name.clone()}</span>
                                        <span class="muted">{c.customer_code.clone()}</span>
                                    </li>
                                }
                            }).collect_view().into_any()
                        }}
                    </ul>
                </Show>
                <p id="parent-search-error" class="field-error" role="alert" hidden=move || error.with(Option::is_none)>
                    {move || error.get().unwrap_or_default()}
                </p>
                <Show when=has_parent>
                    <button class="btn btn-small" disabled=move || busy.get()
                        on:click=move |_| set_parent(None)>"Remove parent"</button>
                </Show>
            </div>
        </Show>
    }
}

/// Why the server refused a parent: the `parent_id` message when there is one.
fn refusal(error: &ApiError) -> String {
    error
        .errors
        .iter()
        .find(|e| e.field == "parent_id")
        .map(|e| e.message.clone())
        .unwrap_or_else(|| {
            if error.code == "version_conflict" {
                "Someone else changed this customer just now. Try again.".to_owned()
            } else {
                error.message()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_per_currency_and_never_added_up() {
        let totals = vec![
            CurrencyTotal {
                currency: "USD".into(),
                mrr: "1200.00".into(),
                ltv: "5000".into(),
            },
            CurrencyTotal {
                currency: "EUR".into(),
                mrr: "300".into(),
                ltv: "0".into(),
            },
        ];
        assert_eq!(totals_text(&totals, |t| &t.mrr), "$1,200 · €300");
        assert_eq!(totals_text(&[], |t| &t.mrr), "—");
    }

    #[test]
    fn a_cycle_refusal_reads_the_parent_field_message() {
        let error = ApiError {
            status: 422,
            code: "validation_failed".into(),
            title: "Validation failed".into(),
            detail: None,
            errors: vec![tenure_api_types::ProblemField {
                field: "parent_id".into(),
                message: "would make a cycle".into(),
            }],
        };
        assert_eq!(refusal(&error), "would make a cycle");
    }
}
