//! The customer table: sortable headers (with `aria-sort`), row checkboxes for bulk work,
//! coloured health and risk badges, when a row in the bin was deleted (its link opens the
//! customer's page there too), skeleton rows while the first page loads, and empty and error
//! states that say what to do. Arrow keys move between rows. Under 768 px the same rows are
//! laid out as cards by the stylesheet (each cell carries its column name).

use leptos::prelude::*;
use tenure_api_types::CustomerView;
use wasm_bindgen::JsCast;

use super::Directory;
use crate::components::{EmptyState, ErrorState, HealthBadge, Icon, RiskBadge, StatusBadge};
use crate::format;
use crate::query::SORT_COLUMNS;
use crate::session::use_auth;

#[component]
pub fn CustomerTable() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let auth = use_auth();
    let can_write = move || auth.can_write();
    let now =
        chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    let body = move || {
        match directory.list.get() {
        None => skeleton(can_write()).into_any(),
        Some(Err(error)) => view! {
            <tr><td colspan="10">
                <ErrorState message=error.message() on_retry=Callback::new(move |_| directory.refresh())/>
            </td></tr>
        }
        .into_any(),
        Some(Ok(list)) if list.items.is_empty() => {
            let filtered = directory.query.with(|q| !q.q.is_empty() || q.view.is_some() || !q.filters.is_empty());
            let in_bin = directory.query.with(|q| q.deleted);
            let (title, hint) = if in_bin && !filtered {
                ("The bin is empty", "Deleted customers wait here until someone restores them.")
            } else if filtered {
                ("No customers match", "Try other words, another quick view, or clear the filters.")
            } else {
                ("No customers yet", "Add your first customer, or import them from a CSV file.")
            };
            view! {
                <tr><td colspan="10"><EmptyState title=title hint=hint>
                    <Show when=move || filtered>
                        <button class="btn" on:click=move |_| {
                            directory.go(&crate::query::DirectoryQuery::from_query_string(""), false);
                        }>"Clear search and filters"</button>
                    </Show>
                </EmptyState></td></tr>
            }
            .into_any()
        }
        Some(Ok(list)) => list
            .items
            .into_iter()
            .map(|customer| view! { <Row customer=customer now=now can_write=can_write()/> })
            .collect_view()
            .into_any(),
    }
    };
    view! {
        <div class="table-wrap" class:is-loading=move || directory.loading.get() && directory.list.with(Option::is_some)
            aria-busy=move || directory.loading.get().to_string()>
            <table class="customer-table">
                <caption class="visually-hidden">"Customers"</caption>
                <thead>
                    <tr>
                        <Show when=can_write>
                            <th class="col-check" scope="col"><SelectPage/></th>
                        </Show>
                        {SORT_COLUMNS.iter().map(|column| view! { <SortHeader column=*column/> }).collect_view()}
                    </tr>
                </thead>
                <tbody on:keydown=move_between_rows>{body}</tbody>
            </table>
        </div>
    }
}

#[component]
fn SortHeader(column: crate::query::SortColumn) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let state = move || directory.query.with(|q| q.sort_of(column.key));
    let aria = move || match state() {
        Some(true) => "descending",
        Some(false) => "ascending",
        None => "none",
    };
    let class = if matches!(column.key, "mrr" | "ltv" | "tenure") {
        "num"
    } else {
        ""
    };
    view! {
        <th scope="col" aria-sort=aria class=class>
            <button class="sort-button" data-sort=column.key
                on:click=move |_| directory.go(&directory.query.get_untracked().sorted_by(&column), false)>
                {column.label}
                {move || match state() {
                    Some(true) => view! { <Icon name="arrow-down"/> }.into_any(),
                    Some(false) => view! { <Icon name="arrow-up"/> }.into_any(),
                    None => view! { <span class="sort-idle"><Icon name="sort"/></span> }.into_any(),
                }}
            </button>
        </th>
    }
}

/// The header checkbox: every row of this page.
#[component]
fn SelectPage() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let page_ids = move || {
        directory.list.with(|l| match l {
            Some(Ok(list)) => list.items.iter().map(|c| c.id).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    let all_on = move || {
        let ids = page_ids();
        !ids.is_empty()
            && directory
                .selected
                .with(|s| ids.iter().all(|id| s.contains(id)))
    };
    view! {
        <input type="checkbox" aria-label="Select every customer on this page" data-testid="select-page"
            prop:checked=all_on
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                let ids = page_ids();
                directory.all_matching.set(false);
                directory.selected.update(|s| for id in ids {
                    if on { s.insert(id); } else { s.remove(&id); }
                });
            }/>
    }
}

#[component]
fn Row(
    customer: CustomerView,
    now: chrono::DateTime<chrono::Utc>,
    can_write: bool,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let id = customer.id;
    let href = format!("/customers/{id}");
    let subtitle = customer
        .email
        .clone()
        .or_else(|| customer.domain.clone())
        .unwrap_or_else(|| customer.customer_code.clone());
    let owner = directory.owner_name(customer.owner_id);
    let checked =
        move || directory.all_matching.get() || directory.selected.with(|s| s.contains(&id));
    view! {
        <tr data-id=id.to_string() class:selected=checked>
            {can_write.then(|| view! {
                <td class="col-check">
                    <input type="checkbox" aria-label=format!("Select {}", customer.name)
                        prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            directory.all_matching.set(false);
                            directory.selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                        }/>
                </td>
            })}
            <td class="col-name" data-label="Name">
                <a class="row-link" href=href>{customer.name.clone()}</a>
                <span class="cell-sub">{subtitle}</span>
                <span class="cell-meta"><StatusBadge status=customer.status.clone()/>
                    {owner.map(|o| view! { <span class="muted">{o}</span> })}
                    {customer.deleted_at.map(|at| view! {
                        <span class="muted" data-testid="deleted-at">{format!("Deleted {}", format::relative(at, now))}</span>
                    })}</span>
            </td>
            <td data-label="Plan">{customer.plan.clone().unwrap_or_else(|| "—".to_owned())}
                {customer.tier.clone().map(|t| view! { <span class="cell-sub">{t}</span> })}</td>
            <td class="num" data-label="Tenure">{format::tenure(customer.tenure_days)}</td>
            <td class="num" data-label="MRR">{format::money(&customer.mrr, &customer.currency, true)}</td>
            <td class="num" data-label="LTV">{format::money(&customer.ltv, &customer.currency, true)}</td>
            <td data-label="Health"><HealthBadge score=customer.health_score/></td>
            <td data-label="Churn risk"><RiskBadge risk=customer.churn_risk/></td>
            <td data-label="Last activity">
                {customer.last_activity_at.map_or_else(|| "—".to_owned(), |at| format::relative(at, now))}
            </td>
        </tr>
    }
}

fn skeleton(with_check: bool) -> impl IntoView {
    (0..8)
        .map(|_| {
            view! {
                <tr class="skeleton-row" aria-hidden="true">
                    {with_check.then(|| view! { <td class="col-check"></td> })}
                    {(0..8).map(|_| view! { <td><span class="skeleton"></span></td> }).collect_view()}
                </tr>
            }
        })
        .collect_view()
}

/// ArrowDown/ArrowUp from anywhere in a row focus the next/previous row's link.
fn move_between_rows(ev: leptos::ev::KeyboardEvent) {
    let forward = match ev.key().as_str() {
        "ArrowDown" => true,
        "ArrowUp" => false,
        _ => return,
    };
    let Some(row) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("tr").ok().flatten())
    else {
        return;
    };
    let sibling = if forward {
        row.next_element_sibling()
    } else {
        row.previous_element_sibling()
    };
    if let Some(link) = sibling
        .and_then(|r| r.query_selector("a.row-link").ok().flatten())
        .and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok())
    {
        ev.prevent_default();
        let _ = link.focus();
    }
}
