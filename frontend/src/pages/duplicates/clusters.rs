//! The review queue's clusters view (`?view=clusters`): customers that open pairs link, directly
//! or through each other, as one card each, strongest first, a page at a time. A card names its
//! customers (linking to their pages), how many pairs join them, the best score with its
//! confidence, and the weakest link, with a warning when that link is much weaker than the best
//! (a chain can join records through one doubtful pair). Staff and owners open the whole
//! cluster in the merge wizard, which takes at most ten records. It only reads: dismissing and
//! merging stay with the pairs view and the wizard.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::{DuplicateCluster, DuplicateSide, MERGE_MAX_RECORDS};
use uuid::Uuid;

use crate::api::{self, PairQuery};
use crate::components::{EmptyState, ErrorState, Icon, Paged, ShowMore};
use crate::format;
use crate::pages::duplicates::evidence::{ConfidenceBadge, score_text};
use crate::pages::merge::wizard_href;
use crate::session::use_auth;

const PAGE: u32 = 25;
/// How many of a cluster's customers its card names; the rest are counted.
const SHOWN_CUSTOMERS: usize = 12;
/// How far below the best score the weakest link must be to earn a warning.
const WEAK_GAP: f64 = 0.15;

/// The warning for a cluster whose weakest link is much weaker than its best pair.
pub fn weak_link_hint(best: f64, weakest: f64) -> Option<&'static str> {
    (best - weakest >= WEAK_GAP)
        .then_some("Joined through a weaker match: check it before merging.")
}

/// The customers "Merge all…" opens in the wizard (the first [`MERGE_MAX_RECORDS`]), and how many are
/// left out.
pub fn merge_ids(customers: &[DuplicateSide]) -> (Vec<Uuid>, usize) {
    let ids: Vec<Uuid> = customers
        .iter()
        .take(MERGE_MAX_RECORDS)
        .map(|c| c.customer_id)
        .collect();
    let left_out = customers.len() - ids.len();
    (ids, left_out)
}

/// The clusters loaded so far, for one query.
#[derive(Clone, Copy)]
struct Clusters {
    list: Paged<DuplicateCluster>,
    /// How many clusters there are in all, as the last page loaded says.
    total: RwSignal<u64>,
}

impl Clusters {
    fn new(query: Memo<PairQuery>) -> Clusters {
        let clusters = Clusters {
            list: Paged::new(),
            total: RwSignal::new(0),
        };
        // Only the answer to the newest question counts.
        let sequence = StoredValue::new(0_u64);
        Effect::new(move |_| {
            let query = query.get();
            clusters.list.track();
            let ticket = sequence.get_value() + 1;
            sequence.set_value(ticket);
            spawn_local(async move {
                let result = api::duplicate_clusters(&query, PAGE, None).await;
                if sequence.try_get_value() != Some(ticket) {
                    return;
                }
                if let Ok(page) = &result {
                    clusters.total.try_set(page.total);
                }
                clusters.list.show_first(result);
            });
        });
        clusters
    }

    fn refresh(&self) {
        self.list.refresh();
    }

    fn load_more(self, query: PairQuery) {
        let total = self.total;
        self.list.load_more(|cursor| async move {
            let result = api::duplicate_clusters(&query, PAGE, Some(&cursor)).await;
            if let Ok(page) = &result {
                total.try_set(page.total);
            }
            result
        });
    }
}

/// The clusters of `query` (its lowest score), with "Show more".
#[component]
pub fn ClusterList(query: Memo<PairQuery>) -> impl IntoView {
    let clusters = Clusters::new(query);
    let rows = move || clusters.list.loaded();
    move || {
        match clusters.list.rows.get() {
        None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorState message=e.message() on_retry=Callback::new(move |_| clusters.refresh())/>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => view! {
            <EmptyState title="No clusters to review"
                hint="A cluster is three or more customers, or two, that open pairs link. Run a scan, or choose a lower score."/>
        }
        .into_any(),
        Some(Ok(_)) => view! {
            <p class="muted cluster-total" data-testid="cluster-total">
                {move || format::count_noun(clusters.total.get(), "cluster", "clusters")}
                ", strongest first."
            </p>
            <ol class="pair-list cluster-list">
                <For each=rows key=|c| (c.key, c.customers.len(), c.pair_ids.len()) let:cluster>
                    <li><ClusterCard cluster=cluster/></li>
                </For>
            </ol>
            <ShowMore pages=clusters.list label="Show more"
                on_more=move |()| clusters.load_more(query.get_untracked())/>
        }
        .into_any(),
    }
    }
}

#[component]
fn ClusterCard(cluster: DuplicateCluster) -> impl IntoView {
    let auth = use_auth();
    let count = cluster.customers.len();
    let (ids, left_out) = merge_ids(&cluster.customers);
    let merge_href = wizard_href(&ids);
    let hidden = count.saturating_sub(SHOWN_CUSTOMERS);
    let title_id = format!("cluster-{}", cluster.key);
    let labelled_by = title_id.clone();
    let weak = weak_link_hint(cluster.best_score, cluster.weakest_score);
    let pairs = format::count_noun(cluster.pair_ids.len() as u64, "pair", "pairs");
    let label = format!(
        "Merge all {} customers of the cluster with {}",
        ids.len(),
        cluster
            .customers
            .first()
            .map(|c| c.customer_code.clone())
            .unwrap_or_default()
    );
    view! {
        <article class="card pair-card cluster-card" data-testid="duplicate-cluster"
            data-key=cluster.key.to_string() data-count=count.to_string() aria-labelledby=labelled_by>
            <div class="pair-head">
                <h3 class="cluster-title" id=title_id>
                    {format::count_noun(count as u64, "customer", "customers")}
                    <span class="muted">{format!(" · {pairs}")}</span>
                </h3>
                <div class="pair-score">
                    <span class="pair-percent" data-testid="cluster-score" title="Best match score">{score_text(cluster.best_score)}</span>
                    <ConfidenceBadge confidence=cluster.confidence.clone()/>
                </div>
                <Show when=move || auth.can_write()>
                    <div class="pair-actions">
                        <a class="btn btn-small btn-primary" href=merge_href.clone() data-testid="merge-cluster"
                            aria-label=label.clone()>
                            <Icon name="merge"/>"Merge all…"
                        </a>
                    </div>
                </Show>
            </div>
            <ul class="cluster-customers" aria-label="Customers">
                {cluster.customers.iter().take(SHOWN_CUSTOMERS).map(|c| view! {
                    <li>
                        <a class="pair-side" href=format!("/customers/{}", c.customer_id) data-id=c.customer_id.to_string()>
                            <span class="customer-code">{c.customer_code.clone()}</span>
                            <span class="pair-name">{c.name.clone()}</span>
                        </a>
                    </li>
                }).collect_view()}
                {(hidden > 0).then(|| view! { <li class="muted cluster-more">{format!("and {} more", format::thousands(hidden as u64))}</li> })}
            </ul>
            <p class="cluster-weakest" class:is-weak=weak.is_some() data-testid="cluster-weakest">
                "Weakest link: " <strong>{score_text(cluster.weakest_score)}</strong>
                {weak.map(|w| view! { " " <span class="cluster-weak-hint">{w}</span> })}
            </p>
            {(left_out > 0).then(|| view! {
                <p class="hint cluster-note" data-testid="cluster-note">
                    {format!("A merge takes at most {MERGE_MAX_RECORDS} records: \"Merge all…\" opens the first {MERGE_MAX_RECORDS}; merge the other {left_out} after.")}
                </p>
            })}
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sides(n: usize) -> Vec<DuplicateSide> {
        (0..n)
            .map(|i| DuplicateSide {
                customer_id: Uuid::from_u128(i as u128 + 1),
                customer_code: format!("CUS-{i:06}"),
                name: "Acme".to_owned(),
            })
            .collect()
    }

    #[test]
    fn only_a_weakest_link_well_below_the_best_earns_a_warning() {
        assert_eq!(weak_link_hint(0.95, 0.9), None);
        assert!(weak_link_hint(0.95, 0.6).is_some());
        assert_eq!(
            weak_link_hint(0.8, 0.8),
            None,
            "a single pair is its own weakest link"
        );
    }

    #[test]
    fn merge_all_takes_at_most_the_wizards_ten_records() {
        let (ids, left_out) = merge_ids(&sides(3));
        assert_eq!((ids.len(), left_out), (3, 0));
        let (ids, left_out) = merge_ids(&sides(14));
        assert_eq!((ids.len(), left_out), (MERGE_MAX_RECORDS, 4));
        assert_eq!(ids[0], Uuid::from_u128(1), "in the cluster's order");
    }
}
