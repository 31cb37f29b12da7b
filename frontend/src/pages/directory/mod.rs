//! The customer directory: search, status chips with counts, filters, sortable columns,
//! server-side pages, bulk operations and export (CSV or Excel, with the columns chosen). The
//! URL is the state: every control navigates, and the list is whatever the URL asks for, so
//! back/forward, reloads and shared links all work. At narrow widths the table's rows become
//! cards (CSS).

mod bulk;
mod export;
mod filters;
mod table;

use std::collections::HashSet;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use tenure_api_types::{CustomerList, TagCount, UserList, UserView, ViewCounts};
use uuid::Uuid;

use crate::api::{ApiError, Call};
use crate::components::{Banner, Icon};
use crate::format;
use crate::query::{DirectoryQuery, PAGE_SIZES, VIEWS};
use crate::session::use_auth;

/// The router's `navigate`, kept where `Copy` closures can reach it.
type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

/// What the directory's pieces share: the URL state, the loaded page, the selection.
#[derive(Clone, Copy)]
pub struct Directory {
    pub query: Memo<DirectoryQuery>,
    pub list: RwSignal<Option<Result<CustomerList, ApiError>>>,
    pub loading: RwSignal<bool>,
    pub counts: RwSignal<Option<ViewCounts>>,
    pub selected: RwSignal<HashSet<Uuid>>,
    /// "Select all N matching": the bulk action covers every row of the filter, not the ids.
    pub all_matching: RwSignal<bool>,
    pub users: RwSignal<Vec<UserView>>,
    pub tags: RwSignal<Vec<TagCount>>,
    pub filters_open: RwSignal<bool>,
    reload: RwSignal<u32>,
    navigate: StoredValue<Navigate, LocalStorage>,
}

impl Directory {
    /// Shows `query`: pushes a history entry, or replaces the current one (typing in search).
    pub fn go(&self, query: &DirectoryQuery, replace: bool) {
        let options = NavigateOptions {
            replace,
            scroll: false,
            ..NavigateOptions::default()
        };
        self.navigate
            .with_value(|navigate| navigate(&query.to_path(), options));
    }

    /// Fetches the page and the counts again (after a bulk change).
    pub fn refresh(&self) {
        self.reload.update(|n| *n += 1);
    }

    pub fn clear_selection(&self) {
        self.selected.set(HashSet::new());
        self.all_matching.set(false);
    }

    /// Total rows of the current question, when known.
    pub fn total(&self) -> Option<u64> {
        self.list
            .with(|l| l.as_ref().and_then(|l| l.as_ref().ok()).map(|l| l.total))
    }

    pub fn owner_name(&self, id: Option<Uuid>) -> Option<String> {
        let id = id?;
        self.users
            .with(|users| users.iter().find(|u| u.id == id).map(|u| u.name.clone()))
    }
}

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    let query = Memo::new(move |_| DirectoryQuery::from_query_string(&location.search.get()));
    let directory = Directory {
        query,
        list: RwSignal::new(None),
        loading: RwSignal::new(true),
        counts: RwSignal::new(None),
        selected: RwSignal::new(HashSet::new()),
        all_matching: RwSignal::new(false),
        users: RwSignal::new(Vec::new()),
        tags: RwSignal::new(Vec::new()),
        filters_open: RwSignal::new(false),
        reload: RwSignal::new(0),
        navigate: StoredValue::new_local(Box::new(move |path: &str, options| {
            navigate(path, options)
        })),
    };
    provide_context(directory);
    load_page(directory);
    load_counts(directory);
    spawn_local(async move {
        if let Ok(users) = Call::get("/users").json::<UserList>().await {
            directory.users.set(users.items);
        }
        if let Ok(tags) = Call::get("/customers/tags").json::<Vec<TagCount>>().await {
            directory.tags.set(tags);
        }
    });
    // A different question is a different set of rows: drop the selection (another page or
    // sort of the same rows keeps it).
    let question = Memo::new(move |_| query.with(|q| (q.counts_query(), q.view.clone())));
    Effect::new(move |previous: Option<(String, Option<String>)>| {
        let now = question.get();
        if previous.is_some_and(|p| p != now) {
            directory.clear_selection();
        }
        now
    });
    let auth = use_auth();
    view! {
        <div class="page-head">
            <div>
                <h1>"Customers"</h1>
                <p class="subtitle" aria-live="polite">{move || subtitle(directory)}</p>
            </div>
            <div class="page-actions">
                <export::ExportButton/>
                <Show when=move || auth.can_write()>
                    <a class="btn btn-primary" href="/customers/new"><Icon name="plus"/>"New customer"</a>
                </Show>
            </div>
        </div>
        <div class="toolbar">
            <SearchBox/>
            <filters::FilterButton/>
            <BinToggle/>
        </div>
        <Show when=move || query.with(|q| q.deleted)>
            <Banner tone="info">
                "You are looking at the bin: customers deleted from the directory. Select them to restore them."
            </Banner>
        </Show>
        <Chips/>
        <filters::FilterPanel/>
        <Show when=move || auth.can_write()>
            <bulk::BulkBar/>
        </Show>
        <table::CustomerTable/>
        <Pagination/>
    }
}

fn subtitle(directory: Directory) -> String {
    match directory.list.get() {
        Some(Ok(list)) => {
            let about = if list.total_is_estimate { "about " } else { "" };
            format!(
                "{about}{}",
                format::count_noun(list.total, "customer", "customers")
            )
        }
        Some(Err(_)) => String::new(),
        None => "Loading…".to_owned(),
    }
}

/// Fetches the page the URL asks for; an answer to an older question is dropped.
fn load_page(directory: Directory) {
    let sequence = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let query = directory.query.get();
        directory.reload.track();
        let ticket = sequence.get_value() + 1;
        sequence.set_value(ticket);
        directory.loading.set(true);
        spawn_local(async move {
            let path = format!("/customers?{}", query.list_query());
            let result = Call::get(&path).json::<CustomerList>().await;
            if sequence.get_value() != ticket {
                return;
            }
            let first = directory.list.with_untracked(Option::is_none);
            directory.list.set(Some(result));
            directory.loading.set(false);
            if first {
                crate::perf::mark("tenure:directory");
                crate::perf::measure_since("tenure:signin-to-directory", "tenure:signin");
            }
        });
    });
}

/// Chip counts follow the filters but not the view, sort or page.
fn load_counts(directory: Directory) {
    let counts_query = Memo::new(move |_| directory.query.with(|q| q.counts_query()));
    let sequence = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let query = counts_query.get();
        directory.reload.track();
        let ticket = sequence.get_value() + 1;
        sequence.set_value(ticket);
        spawn_local(async move {
            let result = Call::get(&format!("/customers/counts?{query}"))
                .json::<ViewCounts>()
                .await;
            if sequence.get_value() == ticket {
                directory.counts.set(result.ok());
            }
        });
    });
}

/// Search as you type: the URL (and so the list) follows 300 ms after the last keystroke.
/// The input is never waited on: it keeps its own text and only the navigation is delayed.
#[component]
fn SearchBox() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let text = RwSignal::new(directory.query.get_untracked().q);
    // Back/forward or a chip changes the URL: show its search text.
    Effect::new(move |_| {
        let q = directory.query.with(|q| q.q.clone());
        if text.with_untracked(|t| t.trim() != q.trim()) {
            text.set(q);
        }
    });
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    let on_input = move |ev: leptos::ev::Event| {
        text.set(event_target_value(&ev));
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let wanted = text.get_untracked();
                let current = directory.query.get_untracked();
                if current.q.trim() != wanted.trim() {
                    let replace = !current.q.is_empty() && !wanted.is_empty();
                    directory.go(&current.changed(|q| q.q = wanted), replace);
                }
            },
            Duration::from_millis(300),
        )
        .ok();
        pending.set_value(handle);
    };
    view! {
        <div class="search">
            <Icon name="search"/>
            <label class="visually-hidden" for="directory-search">"Search customers"</label>
            <input id="directory-search" type="search" autocomplete="off"
                placeholder="Search name, email, code, domain or phone"
                prop:value=move || text.get() on:input=on_input/>
        </div>
    }
}

/// Switches between the live directory and the bin (deleted customers).
#[component]
fn BinToggle() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let in_bin = move || directory.query.with(|q| q.deleted);
    view! {
        <button class="btn" aria-pressed=move || in_bin().to_string() data-testid="bin-toggle"
            on:click=move |_| {
                let deleted = !directory.query.get_untracked().deleted;
                directory.go(&directory.query.get_untracked().changed(|q| q.deleted = deleted), false);
            }>
            <Icon name="trash"/>{move || if in_bin() { "Leave the bin" } else { "Bin" }}
        </button>
    }
}

/// The quick views with their counts.
#[component]
fn Chips() -> impl IntoView {
    let directory = expect_context::<Directory>();
    view! {
        <div class="chips" role="group" aria-label="Quick views">
            {VIEWS.iter().map(|(key, label)| {
                let key = *key;
                let value = if key == "all" { None } else { Some(key.to_owned()) };
                let pressed = {
                    let value = value.clone();
                    move || directory.query.with(|q| q.view == value)
                };
                let count = move || directory.counts.with(|c| c.as_ref().map(|c| match key {
                    "active" => c.active,
                    "high_risk" => c.high_risk,
                    "payment_issues" => c.payment_issues,
                    "cancelled" => c.cancelled,
                    _ => c.all,
                }));
                let on_click = move |_| {
                    let value = value.clone();
                    directory.go(&directory.query.get_untracked().changed(|q| q.view = value), false);
                };
                view! {
                    <button class="chip" data-view=key aria-pressed=move || pressed().to_string()
                        on:click=on_click>
                        {*label}
                        <span class="chip-count">{move || count().map(format::thousands)}</span>
                    </button>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Pagination() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let query = directory.query;
    let last_page = move || directory.total().map(|t| query.with(|q| q.last_page(t)));
    let range = move || {
        let total = directory.total()?;
        let (page, per_page) = query.with(|q| (u64::from(q.page), u64::from(q.per_page)));
        let first = (page - 1) * per_page + 1;
        (total > 0 && first <= total).then(|| {
            format!(
                "{}–{} of {}",
                format::thousands(first),
                format::thousands((page * per_page).min(total)),
                format::thousands(total)
            )
        })
    };
    let go_page = move |page: u32| {
        directory.go(
            &DirectoryQuery {
                page,
                ..query.get_untracked()
            },
            false,
        );
    };
    view! {
        <nav class="pagination" aria-label="Pages">
            <div class="page-size">
                <label for="per-page">"Rows per page"</label>
                <select id="per-page" on:change=move |ev| {
                    let per_page = event_target_value(&ev).parse().unwrap_or(25);
                    directory.go(&query.get_untracked().changed(|q| q.per_page = per_page), false);
                }>
                    {PAGE_SIZES.iter().map(|size| {
                        let size = *size;
                        view! {
                            <option value=size.to_string()
                                selected=move || query.with(|q| q.per_page == size)>{size}</option>
                        }
                    }).collect_view()}
                </select>
            </div>
            <span class="page-range">{range}</span>
            <div class="page-buttons">
                <button class="btn btn-ghost" aria-label="Previous page"
                    disabled=move || query.with(|q| q.page <= 1)
                    on:click=move |_| go_page(query.with_untracked(|q| q.page.saturating_sub(1).max(1)))>
                    <Icon name="chevron-left"/>"Previous"
                </button>
                <span class="page-number" data-testid="page-number">
                    {move || format!("Page {} of {}", query.with(|q| q.page), last_page().unwrap_or(1))}
                </span>
                <button class="btn btn-ghost" aria-label="Next page"
                    disabled=move || last_page().is_none_or(|last| query.with(|q| q.page >= last))
                    on:click=move |_| go_page(query.with_untracked(|q| q.page + 1))>
                    "Next"<Icon name="chevron-right"/>
                </button>
            </div>
        </nav>
    }
}
