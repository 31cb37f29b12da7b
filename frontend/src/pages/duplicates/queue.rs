//! The review queue: the stored pairs the URL asks for (open, dismissed or merged, a lowest
//! score, one customer), best first, a page at a time ("Show more" continues where the last
//! page ended). Each pair shows both customers side by side, linking to their pages, with its
//! score, confidence and evidence. Staff and owners open a pair in the merge wizard, or dismiss
//! it, or every selected one at once (the API takes 500 a call); a dismissed pair leaves the
//! list at once. The "Clusters" view (`?view=clusters`, [`crate::pages::duplicates::clusters`])
//! groups the open pairs instead; the pairs are not loaded while it shows.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use tenure_api_types::{DuplicatePairView, DuplicateSide};
use uuid::Uuid;

use crate::api::{self, PairQuery};
use crate::browser::{local_zone, now};
use crate::components::{
    Banner, Confirm, EmptyState, ErrorState, Icon, Paged, ShowMore, Spinner, run_busy, use_toasts,
};
use crate::format;
use crate::pages::duplicates::clusters::ClusterList;
use crate::pages::duplicates::evidence::{ConfidenceBadge, EvidenceTable, score_text};
use crate::pages::merge::wizard_href;
use crate::session::use_auth;

const PAGE: u32 = 25;
/// The most pairs one bulk dismissal may name.
const DISMISS_CHUNK: usize = 500;
/// The lowest-score choices, in percent (`None` is any score).
const MIN_SCORES: &[(Option<u8>, &str)] = &[
    (None, "Any score"),
    (Some(50), "50% and up"),
    (Some(70), "70% and up"),
    (Some(90), "90% and up"),
];

/// The router's `navigate`, kept where `Copy` closures can reach it.
type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

/// The queue as loaded, and the pairs selected in it.
#[derive(Clone, Copy)]
pub struct Queue {
    pub query: Memo<PairQuery>,
    pairs: Paged<DuplicatePairView>,
    /// A first page is on its way (the last one stays shown meanwhile).
    loading: RwSignal<bool>,
    selected: RwSignal<HashSet<Uuid>>,
    navigate: StoredValue<Navigate, LocalStorage>,
}

impl Queue {
    /// The queue of `query`, loaded again whenever the question changes.
    pub fn new(query: Memo<PairQuery>) -> Queue {
        let navigate = use_navigate();
        let queue = Queue {
            query,
            pairs: Paged::new(),
            loading: RwSignal::new(true),
            selected: RwSignal::new(HashSet::new()),
            navigate: StoredValue::new_local(Box::new(move |path: &str, options| {
                navigate(path, options)
            })),
        };
        let sequence = StoredValue::new(0_u64);
        Effect::new(move |_| {
            let query = query.get();
            queue.pairs.track();
            let ticket = sequence.get_value() + 1;
            sequence.set_value(ticket);
            queue.selected.set(HashSet::new());
            if query.clusters {
                queue.loading.set(false);
                return;
            }
            queue.loading.set(true);
            spawn_local(async move {
                let result = api::duplicate_pairs(&query, PAGE, None).await;
                if sequence.try_get_value() != Some(ticket) {
                    return;
                }
                queue.loading.try_set(false);
                queue.pairs.show_first(result);
            });
        });
        queue
    }

    /// Loads the first page again (after a scan).
    pub fn refresh(&self) {
        self.pairs.refresh();
    }

    /// Shows the queue for `query` (a history entry, so back returns to the last one).
    fn go(&self, query: &PairQuery) {
        let path = format!("/duplicates?{}", query.to_query());
        self.navigate
            .with_value(|navigate| navigate(&path, NavigateOptions::default()));
    }

    fn load_more(self) {
        let query = self.query.get_untracked();
        self.pairs.load_more(|cursor| async move {
            api::duplicate_pairs(&query, PAGE, Some(&cursor)).await
        });
    }

    /// Takes pairs out of the list (and the selection) once they are dismissed.
    fn remove(&self, ids: &[Uuid]) {
        self.pairs.rows.update(|rows| {
            if let Some(Ok(rows)) = rows {
                rows.retain(|p| !ids.contains(&p.id));
            }
        });
        self.selected.update(|s| {
            for id in ids {
                s.remove(id);
            }
        });
    }

    fn shown_ids(&self) -> Vec<Uuid> {
        self.pairs.rows.with(|r| match r {
            Some(Ok(rows)) => rows.iter().map(|p| p.id).collect(),
            _ => Vec::new(),
        })
    }
}

pub fn use_queue() -> Queue {
    expect_context::<Queue>()
}

/// Whether the signed-in user may merge or dismiss the pairs shown (staff, owners; open pairs
/// only).
fn may_review() -> Signal<bool> {
    let auth = use_auth();
    let queue = use_queue();
    Signal::derive(move || auth.can_write() && queue.query.with(|q| q.status == "open"))
}

#[component]
pub fn QueueSection() -> impl IntoView {
    let queue = use_queue();
    let auth = use_auth();
    let clusters = Memo::new(move |_| queue.query.with(|q| q.clusters));
    let list = move || match queue.pairs.rows.get() {
        _ if clusters.get() => view! { <ClusterList query=queue.query/> }.into_any(),
        None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorState message=e.message() on_retry=Callback::new(move |_| queue.refresh())/>
        }
        .into_any(),
        Some(Ok(rows)) if rows.is_empty() => {
            empty(&queue.query.get_untracked(), auth.can_write()).into_any()
        }
        Some(Ok(_)) => view! { <PairList/> }.into_any(),
    };
    view! {
        <section class="queue" aria-labelledby="queue-heading" aria-busy=move || queue.loading.get().to_string()>
            <div class="tab-head">
                <div>
                    <h2 id="queue-heading">"Review queue"</h2>
                    <p class="hint">{move || if clusters.get() {
                        "Customers that open pairs link, directly or through each other, strongest first. Merge a whole cluster at once."
                    } else {
                        "Pairs found by comparing names, emails, phones, websites, tax ids and addresses, best first. Dismiss a pair that is not a duplicate."
                    }}</p>
                </div>
                <button type="button" class="btn btn-ghost btn-small" on:click=move |_| queue.refresh()>
                    <Icon name="refresh"/>"Refresh"
                </button>
            </div>
            <Filters/>
            <Show when=move || !clusters.get()>
                <CustomerFilter/>
                <BulkBar/>
            </Show>
            {list}
        </section>
    }
}

fn empty(query: &PairQuery, may_scan: bool) -> impl IntoView {
    let (title, hint) = match (query.status.as_str(), query.customer.is_some()) {
        ("dismissed", true) => (
            "No dismissed pairs for this customer",
            "Pairs dismissed with this customer in them appear here.",
        ),
        ("dismissed", false) => (
            "Nothing dismissed yet",
            "Pairs dismissed as not duplicates wait here, out of the queue.",
        ),
        ("merged", true) => (
            "No merged pairs for this customer",
            "Pairs merged with this customer in them appear here.",
        ),
        ("merged", false) => (
            "Nothing merged yet",
            "Pairs merged into one customer appear here; undo a merge from the merge history.",
        ),
        (_, true) => (
            "No possible duplicates of this customer",
            "The last scan found no open pair with this customer in it.",
        ),
        _ if may_scan => (
            "No possible duplicates to review",
            "Run a scan to look for them, or choose a lower score.",
        ),
        _ => (
            "No possible duplicates to review",
            "Staff and owners run the scans that look for them.",
        ),
    };
    view! { <EmptyState title=title hint=hint/> }
}

/// Open or dismissed, and the lowest score.
#[component]
fn Filters() -> impl IntoView {
    let queue = use_queue();
    let status_chip = move |status: &'static str, label: &'static str| {
        let pressed = move || queue.query.with(|q| q.status == status);
        view! {
            <button type="button" class="chip" data-status=status aria-pressed=move || pressed().to_string()
                on:click=move |_| {
                    let mut query = queue.query.get_untracked();
                    query.status = status.to_owned();
                    queue.go(&query);
                }>{label}</button>
        }
    };
    let view_chip = move |clusters: bool, label: &'static str| {
        let pressed = move || queue.query.with(|q| q.clusters == clusters);
        view! {
            <button type="button" class="chip" data-view=if clusters { "clusters" } else { "pairs" }
                aria-pressed=move || pressed().to_string()
                on:click=move |_| {
                    let mut query = queue.query.get_untracked();
                    query.clusters = clusters;
                    // Clusters are of open pairs, across every customer.
                    if clusters {
                        query.status = "open".to_owned();
                        query.customer = None;
                    }
                    queue.go(&query);
                }>{label}</button>
        }
    };
    let pairs = move || queue.query.with(|q| !q.clusters);
    view! {
        <div class="queue-filters">
            <div class="chips" role="group" aria-label="View">
                {view_chip(false, "Pairs")}
                {view_chip(true, "Clusters")}
            </div>
            <Show when=pairs>
                <div class="chips" role="group" aria-label="Status">
                    {status_chip("open", "Open")}
                    {status_chip("dismissed", "Dismissed")}
                    {status_chip("merged", "Merged")}
                </div>
            </Show>
            <div class="queue-min-score">
                <label for="min-score">"Lowest score"</label>
                <select id="min-score" on:change=move |ev| {
                    let mut query = queue.query.get_untracked();
                    query.min_percent = event_target_value(&ev).parse().ok();
                    queue.go(&query);
                }>
                    {MIN_SCORES.iter().map(|(percent, label)| {
                        let percent = *percent;
                        let value = percent.map(|p| p.to_string()).unwrap_or_default();
                        view! {
                            <option value=value selected=move || queue.query.with(|q| q.min_percent == percent)>{*label}</option>
                        }
                    }).collect_view()}
                </select>
            </div>
        </div>
    }
}

/// "Only pairs with CUS-000123 Acme" and the way back to every pair, when the URL names one
/// customer (the customer page's badge links here so).
#[component]
fn CustomerFilter() -> impl IntoView {
    let queue = use_queue();
    let customer = Memo::new(move |_| queue.query.with(|q| q.customer));
    let found = LocalResource::new(move || {
        let id = customer.get();
        async move {
            match id {
                Some(id) => api::customer(id).await.ok(),
                None => None,
            }
        }
    });
    let all = move |_| {
        let mut query = queue.query.get_untracked();
        query.customer = None;
        queue.go(&query);
    };
    move || {
        customer.get().map(|id| {
            let who = move || {
                found
                    .get()
                    .flatten()
                    .map_or_else(|| "this customer".to_owned(), |c| {
                        format!("{} {}", c.customer_code, c.name)
                    })
            };
            view! {
                <Banner tone="info">
                    <Icon name="filter"/>
                    <p data-testid="customer-filter">
                        "Only pairs with " <a href=format!("/customers/{id}")>{who}</a> "."
                    </p>
                    <button type="button" class="btn btn-small" on:click=all>"Show every pair"</button>
                </Banner>
            }
        })
    }
}

/// The selection's count and "Dismiss selected", once something is selected.
#[component]
fn BulkBar() -> impl IntoView {
    let queue = use_queue();
    let toasts = use_toasts();
    let writer = may_review();
    let busy = RwSignal::new(false);
    let confirm = RwSignal::new(false);
    let count = move || queue.selected.with(HashSet::len);
    let all_on = move || {
        let shown = queue.shown_ids();
        !shown.is_empty()
            && queue
                .selected
                .with(|s| shown.iter().all(|id| s.contains(id)))
    };
    let dismiss = Callback::new(move |_| {
        let ids: Vec<Uuid> = queue
            .selected
            .with_untracked(|s| s.iter().copied().collect());
        run_busy(busy, async move {
            let mut dismissed = 0;
            for chunk in ids.chunks(DISMISS_CHUNK) {
                match api::dismiss_pairs(chunk).await {
                    Ok(done) => dismissed += done.dismissed.len(),
                    Err(e) => {
                        toasts.error(format!("Not all were dismissed: {}", e.message()));
                        queue.refresh();
                        return;
                    }
                }
            }
            // Ids that were no longer open were left alone by the server: out of this list too.
            queue.remove(&ids);
            toasts.info(format!(
                "{} dismissed.",
                format::count_noun(dismissed as u64, "pair", "pairs")
            ));
        });
    });
    let has_rows = move || {
        queue
            .pairs
            .rows
            .with(|r| matches!(r, Some(Ok(rows)) if !rows.is_empty()))
    };
    view! {
        <Show when=move || writer.get() && has_rows()>
            <div class="bulk-bar queue-bulk" role="region" aria-label="Bulk actions">
                <label class="check-inline">
                    <input type="checkbox" data-testid="select-all-pairs"
                        prop:checked=all_on
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let shown = queue.shown_ids();
                            queue.selected.update(|s| for id in shown {
                                if on { s.insert(id); } else { s.remove(&id); }
                            });
                        }/>
                    "Select all shown"
                </label>
                <Show when=move || { count() > 0 }>
                    <span class="bulk-count" data-testid="pairs-selected">
                        {move || format!("{} selected", format::thousands(count() as u64))}
                    </span>
                    <button type="button" class="btn btn-small" disabled=move || busy.get()
                        on:click=move |_| confirm.set(true)>
                        {move || busy.get().then(|| view! { <Spinner/> })}"Dismiss selected"
                    </button>
                </Show>
            </div>
        </Show>
        <Confirm open=confirm title="Dismiss the selected pairs?"
            message=Signal::derive(move || format!(
                "{} will leave the queue and stay out of it until one of their customers changes.",
                format::count_noun(count() as u64, "pair", "pairs")))
            confirm="Dismiss pairs" on_confirm=dismiss/>
    }
}

#[component]
fn PairList() -> impl IntoView {
    let queue = use_queue();
    let rows = move || queue.pairs.loaded();
    view! {
        <ol class="pair-list">
            <For each=rows key=|pair| (pair.id, pair.status.clone()) let:pair>
                <li><PairCard pair=pair/></li>
            </For>
        </ol>
        <ShowMore pages=queue.pairs label="Show more" on_more=move |()| queue.load_more()/>
    }
}

/// One side of a pair: its code and name, linking to the customer's page.
fn side(side: DuplicateSide) -> impl IntoView {
    view! {
        <a class="pair-side" href=format!("/customers/{}", side.customer_id)>
            <span class="customer-code">{side.customer_code}</span>
            <span class="pair-name">{side.name}</span>
        </a>
    }
}

#[component]
fn PairCard(pair: DuplicatePairView) -> impl IntoView {
    let queue = use_queue();
    let toasts = use_toasts();
    let writer = may_review();
    let busy = RwSignal::new(false);
    let id = pair.id;
    let merge_href = wizard_href(&[pair.left.customer_id, pair.right.customer_id]);
    let title_id = format!("pair-{id}");
    let labelled_by = title_id.clone();
    let both = StoredValue::new(format!(
        "{} and {}",
        pair.left.customer_code, pair.right.customer_code
    ));
    let selected = move || queue.selected.with(|s| s.contains(&id));
    let dismiss = move |_| {
        let both = both.get_value();
        run_busy(busy, async move {
            match api::dismiss_pair(id).await {
                Ok(_) => {
                    queue.remove(&[id]);
                    toasts.info(format!("Dismissed: {both} are not duplicates."));
                }
                Err(e) => {
                    toasts.error(e.message());
                    queue.refresh();
                }
            }
        });
    };
    let verb = if pair.status == "merged" {
        "Merged"
    } else {
        "Dismissed"
    };
    let reviewed = pair.reviewed_at.map(|at| {
        let who = pair
            .reviewed_by
            .clone()
            .unwrap_or_else(|| "someone".to_owned());
        view! {
            <p class="muted pair-reviewed">
                {format!("{verb} by {who} ")}
                <time title=format::datetime(at, local_zone())>{format::relative(at, now())}</time>
            </p>
        }
    });
    view! {
        <article class="card pair-card" class:selected=selected data-id=id.to_string()
            aria-labelledby=labelled_by>
            <div class="pair-head">
                <Show when=move || writer.get()>
                    <input type="checkbox" class="pair-check" aria-label=format!("Select the pair {}", both.get_value())
                        prop:checked=selected
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            queue.selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                        }/>
                </Show>
                <h3 class="pair-sides" id=title_id>
                    {side(pair.left.clone())}
                    // The icon leads the second side, so a long pair wraps as one reads it.
                    <span class="pair-other">
                        <span class="pair-and"><Icon name="merge"/><span class="visually-hidden">" and "</span></span>
                        {side(pair.right.clone())}
                    </span>
                </h3>
                <div class="pair-score">
                    <span class="pair-percent" data-testid="pair-score" title="Match score">{score_text(pair.score)}</span>
                    <ConfidenceBadge confidence=pair.confidence.clone()/>
                </div>
                <Show when=move || writer.get()>
                    <div class="pair-actions">
                        <a class="btn btn-small btn-primary" href=merge_href.clone() data-testid="merge-pair"
                            aria-label=format!("Merge the pair {}", both.get_value())>
                            <Icon name="merge"/>"Merge…"
                        </a>
                        <button type="button" class="btn btn-small" disabled=move || busy.get()
                            aria-label=format!("Dismiss the pair {}", both.get_value()) on:click=dismiss>
                            {move || busy.get().then(|| view! { <Spinner/> })}<Icon name="x"/>"Dismiss"
                        </button>
                    </div>
                </Show>
            </div>
            {reviewed}
            <EvidenceTable evidence=pair.evidence.clone() left=pair.left.customer_code.clone()
                right=pair.right.customer_code.clone()/>
        </article>
    }
}
