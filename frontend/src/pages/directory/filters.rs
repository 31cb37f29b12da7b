//! The filter panel: status, type, payment, tier, plan, tags, owner, health and churn-risk
//! ranges, created dates. Every change navigates (page 1), so filters live in the URL.

use leptos::prelude::*;
use tenure_api_types::vocabulary::{CUSTOMER_STATUSES, CUSTOMER_TYPES, PAYMENT_STATUSES};

use super::Directory;
use crate::components::Icon;
use crate::format;

/// Opens and closes the panel; shows how many filters are on.
#[component]
pub fn FilterButton() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let count = move || directory.query.with(|q| q.active_filter_count());
    view! {
        <button class="btn" aria-controls="filter-panel"
            aria-expanded=move || directory.filters_open.get().to_string()
            on:click=move |_| directory.filters_open.update(|o| *o = !*o)>
            <Icon name="filter"/>"Filters"
            <Show when=move || count() != 0>
                <span class="chip-count" aria-label="active filters">{count}</span>
            </Show>
        </button>
    }
}

#[component]
pub fn FilterPanel() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let set = move |key: &'static str, value: String| {
        let query = directory.query.get_untracked();
        if query.filter(key).unwrap_or("") != value.trim() {
            directory.go(&query.changed(|q| q.set_filter(key, &value)), false);
        }
    };
    let clear = move |_| {
        directory.go(
            &directory
                .query
                .get_untracked()
                .changed(|q| q.filters.clear()),
            false,
        );
    };
    let owners = move || {
        directory.users.with(|users| {
            users
                .iter()
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section id="filter-panel" class="filter-panel" aria-label="Filters"
            hidden=move || !directory.filters_open.get()>
            <CheckGroup legend="Status" key="status" values=CUSTOMER_STATUSES/>
            <CheckGroup legend="Type" key="type" values=CUSTOMER_TYPES/>
            <CheckGroup legend="Payment" key="payment_status" values=PAYMENT_STATUSES/>
            <fieldset class="filter-group">
                <legend>"Tags"</legend>
                <div class="check-list">
                    {move || directory.tags.get().into_iter().take(16).map(|tag| {
                        let name = tag.tag.clone();
                        let checked = {
                            let name = name.clone();
                            move || directory.query.with(|q| q.filter_list("tag").contains(&name))
                        };
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=checked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let name = name.clone();
                                        directory.go(&directory.query.get_untracked()
                                            .changed(|q| q.toggle_in_list("tag", &name, on)), false);
                                    }/>
                                {tag.tag.clone()}<span class="muted">{format!(" {}", tag.count)}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="filter-group filter-fields">
                <TextFilter label="Tier" key="tier" hint="e.g. gold, silver" on_set=Callback::new(move |(k, v)| set(k, v))/>
                <TextFilter label="Plan" key="plan" hint="e.g. pro" on_set=Callback::new(move |(k, v)| set(k, v))/>
                <div class="field">
                    <label for="filter-owner">"Owner"</label>
                    <select id="filter-owner" on:change=move |ev| set("owner", event_target_value(&ev))>
                        <option value="" selected=move || directory.query.with(|q| q.filter("owner").is_none())>"Anyone"</option>
                        {move || owners().into_iter().map(|(id, name)| {
                            let selected = {
                                let id = id.clone();
                                move || directory.query.with(|q| q.filter("owner") == Some(id.as_str()))
                            };
                            view! { <option value=id selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="filter-group filter-fields">
                <RangeFilter label="Health" min_key="health_min" max_key="health_max" input_type="number" on_set=Callback::new(move |(k, v)| set(k, v))/>
                <RangeFilter label="Churn risk" min_key="churn_min" max_key="churn_max" input_type="number" on_set=Callback::new(move |(k, v)| set(k, v))/>
                <RangeFilter label="Created" min_key="created_from" max_key="created_to" input_type="date" on_set=Callback::new(move |(k, v)| set(k, v))/>
            </div>
            <div class="filter-actions">
                <button class="btn btn-ghost" on:click=clear
                    disabled=move || directory.query.with(|q| q.filters.is_empty())>"Clear filters"</button>
            </div>
        </section>
    }
}

/// Checkboxes for the values of one list filter.
#[component]
fn CheckGroup(
    legend: &'static str,
    key: &'static str,
    values: &'static [&'static str],
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    view! {
        <fieldset class="filter-group">
            <legend>{legend}</legend>
            <div class="check-list">
                {values.iter().map(|value| {
                    let value = *value;
                    view! {
                        <label class="check">
                            <input type="checkbox" name=key value=value
                                prop:checked=move || directory.query.with(|q| q.filter_list(key).iter().any(|v| v == value))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    directory.go(&directory.query.get_untracked()
                                        .changed(|q| q.toggle_in_list(key, value, on)), false);
                                }/>
                            {format::label(value)}
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

/// A text filter applied when the field is left or Enter is pressed, not on every key.
#[component]
fn TextFilter(
    label: &'static str,
    key: &'static str,
    hint: &'static str,
    on_set: Callback<(&'static str, String)>,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let id = format!("filter-{key}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" placeholder=hint
                prop:value=move || directory.query.with(|q| q.filter(key).unwrap_or("").to_owned())
                on:change=move |ev| on_set.run((key, event_target_value(&ev)))/>
        </div>
    }
}

/// A from/to pair (numbers or dates).
#[component]
fn RangeFilter(
    label: &'static str,
    min_key: &'static str,
    max_key: &'static str,
    input_type: &'static str,
    on_set: Callback<(&'static str, String)>,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let value = move |key: &'static str| {
        directory
            .query
            .with(|q| q.filter(key).unwrap_or("").to_owned())
    };
    let (min, max) = if input_type == "number" {
        (Some("0"), Some("100"))
    } else {
        (None, None)
    };
    view! {
        <fieldset class="field range">
            <legend>{label}</legend>
            <div class="range-inputs">
                <label class="visually-hidden" for=format!("filter-{min_key}")>{format!("{label} from")}</label>
                <input id=format!("filter-{min_key}") type=input_type min=min max=max placeholder="From"
                    prop:value=move || value(min_key)
                    on:change=move |ev| on_set.run((min_key, event_target_value(&ev)))/>
                <span aria-hidden="true">"–"</span>
                <label class="visually-hidden" for=format!("filter-{max_key}")>{format!("{label} to")}</label>
                <input id=format!("filter-{max_key}") type=input_type min=min max=max placeholder="To"
                    prop:value=move || value(max_key)
                    on:change=move |ev| on_set.run((max_key, event_target_value(&ev)))/>
            </div>
        </fieldset>
    }
}
