//! Duplicates: customers that may be the same record twice. A whole-base scan ([`scan`]) finds
//! the pairs and the server stores them; the review queue ([`queue`]) lists them best first
//! with the evidence behind each ([`evidence`], which the customer form's warning shows too),
//! and staff and owners merge a pair (in the merge wizard, `crate::pages::merge`) or dismiss
//! the ones that are not duplicates. The queue's question lives in the URL
//! (`?status=dismissed&min_score=0.9&customer=<id>`, `?view=clusters` for the pairs grouped into
//! [`clusters`]), so back, reload and the customer page's
//! "possible duplicates" link all work. The page's second tab, `/duplicates/merges`, is the
//! merge history with undo. This module must not call the API except through `crate::api`.

mod clusters;
pub mod evidence;
mod queue;
mod scan;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

use crate::api::PairQuery;
use crate::pages::merge::history::MergeHistory;

/// The page's two tabs, by the path's last segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Queue,
    Merges,
}

impl Section {
    fn from_segment(segment: Option<&str>) -> Section {
        match segment {
            Some("merges") => Section::Merges,
            _ => Section::Queue,
        }
    }
}

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let location = use_location();
    let params = use_params_map();
    let section =
        Memo::new(move |_| Section::from_segment(params.with(|p| p.get("section")).as_deref()));
    let query = Memo::new(move |_| PairQuery::from_query_string(&location.search.get()));
    let queue = queue::Queue::new(query);
    provide_context(queue);
    provide_context(scan::Scans::new(queue));
    view! {
        <div class="page-head">
            <div>
                <h1>"Duplicates"</h1>
                <p class="subtitle">"Customers that may be the same record twice, and why."</p>
            </div>
            <scan::ScanButtons/>
        </div>
        <scan::ScanStatus/>
        <SectionTabs current=section/>
        <div class="tab-panel" role="tabpanel" id="duplicates-panel"
            aria-labelledby=move || match section.get() {
                Section::Queue => "tab-queue",
                Section::Merges => "tab-merges",
            }>
            {move || match section.get() {
                Section::Queue => view! { <queue::QueueSection/> }.into_any(),
                Section::Merges => view! { <MergeHistory/> }.into_any(),
            }}
        </div>
    }
}

/// "Review queue" and "Merge history", as links (each a history entry).
#[component]
fn SectionTabs(current: Memo<Section>) -> impl IntoView {
    let tab = move |section: Section, id: &'static str, href: &'static str, label: &'static str| {
        let selected = move || current.get() == section;
        view! {
            <a role="tab" id=id class="tab" href=href aria-controls="duplicates-panel"
                aria-selected=move || selected().to_string()>{label}</a>
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label="Duplicates sections">
            {tab(Section::Queue, "tab-queue", "/duplicates", "Review queue")}
            {tab(Section::Merges, "tab-merges", "/duplicates/merges", "Merge history")}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_names_the_section_and_anything_else_is_the_queue() {
        assert_eq!(Section::from_segment(Some("merges")), Section::Merges);
        assert_eq!(Section::from_segment(None), Section::Queue);
        assert_eq!(Section::from_segment(Some("other")), Section::Queue);
    }
}
