//! Possible duplicates, where a customer is entered or shown: the warning under the create and
//! edit form's basic fields, which asks the server about what has been typed 300 ms after the
//! last keystroke and lists up to five customers it may be, each with its score, confidence
//! and evidence; and the header's badge when stored pairs name the customer, linking to them on
//! the Duplicates page. The warning never stops a save, and a check that fails says nothing.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::{DuplicateCandidate, DuplicateCheckInput};
use uuid::Uuid;

use crate::api::{self, PairQuery};
use crate::components::Icon;
use crate::pages::duplicates::evidence::{ConfidenceBadge, EvidenceTable, score_text};

/// The most candidates the warning lists.
const SHOWN: u32 = 5;
/// How long typing must pause before the server is asked.
const PAUSE: Duration = Duration::from_millis(300);

/// Whether enough has been typed to be worth asking about: a name of two letters or more, or
/// any of the contact details and ids matching reads.
pub fn worth_checking(input: &DuplicateCheckInput) -> bool {
    let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    let named = [&input.name, &input.first_name, &input.last_name]
        .into_iter()
        .any(|v| v.as_deref().is_some_and(|v| v.trim().chars().count() >= 2));
    named
        || [&input.email, &input.phone, &input.website, &input.tax_id]
            .into_iter()
            .any(given)
}

/// "Possible duplicates" under the form's basic fields, while there are any.
#[component]
pub fn DuplicateWarning(#[prop(into)] input: Signal<DuplicateCheckInput>) -> impl IntoView {
    let candidates = RwSignal::new(Vec::<DuplicateCandidate>::new());
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    // Only the answer to the newest question counts.
    let ticket = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let mut wanted = input.get();
        wanted.limit = Some(SHOWN);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let mine = ticket.get_value() + 1;
        ticket.set_value(mine);
        if !worth_checking(&wanted) {
            candidates.set(Vec::new());
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                spawn_local(async move {
                    let found = api::check_duplicates(&wanted).await;
                    if ticket.try_get_value() != Some(mine) {
                        return;
                    }
                    if let Ok(found) = found {
                        candidates
                            .try_set(found.candidates.into_iter().take(SHOWN as usize).collect());
                    }
                });
            },
            PAUSE,
        )
        .ok();
        pending.set_value(handle);
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
    });
    view! {
        <div class="duplicate-live" aria-live="polite">
            <Show when=move || candidates.with(|c| !c.is_empty())>
                <section class="duplicate-warning" aria-labelledby="duplicate-warning-heading" data-testid="duplicate-warning">
                    <div class="duplicate-warning-head">
                        <Icon name="alert"/>
                        <div>
                            <h2 id="duplicate-warning-heading">"Possible duplicates"</h2>
                            <p>"These customers look like the one you are entering. Check them before you save; saving is still allowed. Each opens in a new tab."</p>
                        </div>
                    </div>
                    <ul class="duplicate-candidates">
                        <For each=move || candidates.get() key=|c| (c.customer_id, c.score.to_bits(), c.evidence.len()) let:candidate>
                            <Candidate candidate=candidate/>
                        </For>
                    </ul>
                </section>
            </Show>
        </div>
    }
}

#[component]
fn Candidate(candidate: DuplicateCandidate) -> impl IntoView {
    view! {
        <li class="duplicate-candidate" data-id=candidate.customer_id.to_string()>
            <div class="duplicate-candidate-head">
                <a href=format!("/customers/{}", candidate.customer_id) target="_blank" rel="noopener">
                    <span class="customer-code">{candidate.customer_code.clone()}</span>
                    " "{candidate.name.clone()}
                </a>
                <span class="pair-percent" title="Match score">{score_text(candidate.score)}</span>
                <ConfidenceBadge confidence=candidate.confidence.clone()/>
            </div>
            <EvidenceTable evidence=candidate.evidence.clone() left="You entered" right=candidate.customer_code.clone()/>
        </li>
    }
}

/// "Possible duplicates", linking to the customer's open pairs, when there are any.
#[component]
pub fn DuplicatesBadge(id: Uuid) -> impl IntoView {
    let query = PairQuery {
        customer: Some(id),
        ..PairQuery::default()
    };
    let found = LocalResource::new(move || {
        let query = query.clone();
        async move {
            api::duplicate_pairs(&query, 1, None)
                .await
                .map(|list| !list.items.is_empty())
        }
    });
    move || {
        (found.get() == Some(Ok(true))).then(|| {
            let href = format!(
                "/duplicates?{}",
                PairQuery {
                    customer: Some(id),
                    ..PairQuery::default()
                }
                .to_query()
            );
            view! {
                <a class="badge tone-warn duplicates-badge" href=href data-testid="duplicates-badge"
                    title="Stored pairs name this customer: review them on the Duplicates page">
                    <Icon name="merge"/>"Possible duplicates"
                </a>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_something_identifying_is_worth_a_check() {
        let typed = |f: fn(&mut DuplicateCheckInput)| {
            let mut input = DuplicateCheckInput {
                kind: Some("company".to_owned()),
                country: Some("DE".to_owned()),
                ..DuplicateCheckInput::default()
            };
            f(&mut input);
            worth_checking(&input)
        };
        assert!(!typed(|_| {}), "a kind and a country identify no one");
        assert!(
            !typed(|i| i.name = Some("A ".to_owned())),
            "one letter is too little"
        );
        assert!(typed(|i| i.name = Some("Ac".to_owned())));
        assert!(typed(|i| i.last_name = Some("Li".to_owned())));
        assert!(typed(|i| i.email = Some("ops@".to_owned())));
        assert!(!typed(|i| i.phone = Some("   ".to_owned())));
    }
}
