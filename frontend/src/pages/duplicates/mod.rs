//! Duplicates: customers that may be the same record twice. A whole-base scan ([`scan`]) finds
//! the pairs and the server stores them; the review queue ([`queue`]) lists them best first
//! with the evidence behind each ([`evidence`], which the customer form's warning shows too),
//! and staff and owners dismiss the ones that are not duplicates. The queue's question lives in
//! the URL (`?status=dismissed&min_score=0.9&customer=<id>`), so back, reload and the customer
//! page's "possible duplicates" link all work. Merging is not offered: the API cannot merge
//! yet. This module must not call the API except through `crate::api`.

pub mod evidence;
mod queue;
mod scan;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::PairQuery;

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let location = use_location();
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
        <queue::QueueSection/>
    }
}
