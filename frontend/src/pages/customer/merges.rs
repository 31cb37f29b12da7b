//! "Merged records" on a customer's page: the last few merges whose survivor it is (the codes
//! merged into it, when, how it stands), each linking to the merge history where it can be
//! undone. It asks for itself and says nothing when there are none or the question fails; it
//! never undoes anything here.

use leptos::prelude::*;
use tenure_api_types::MergeView;
use uuid::Uuid;

use crate::api;
use crate::browser::{local_zone, now};
use crate::components::{Badge, Icon};
use crate::format;
use crate::pages::merge::{and_list, status_words};

/// How many merges the line names.
const SHOWN: u32 = 5;

/// "CUS-000002 and CUS-000003 merged in": what one merge brought into the customer.
pub fn merged_words(merge: &MergeView) -> String {
    let codes: Vec<String> = merge
        .merged
        .iter()
        .map(|m| m.customer_code.clone())
        .collect();
    format!("{} merged in", and_list(&codes))
}

/// The merges into customer `id`, when there are any.
#[component]
pub fn MergedRecords(id: Uuid) -> impl IntoView {
    let found = LocalResource::new(move || async move {
        api::merges(Some(id), SHOWN, None)
            .await
            .map(|list| list.items)
            .unwrap_or_default()
    });
    move || {
        found.get().filter(|m| !m.is_empty()).map(|merges| {
            let zone = local_zone();
            view! {
                <section class="merged-records" aria-labelledby="merged-records-heading" data-testid="merged-records">
                    <h2 id="merged-records-heading"><Icon name="merge"/>"Merged records"</h2>
                    <ul>
                        {merges.into_iter().map(|merge| {
                            let (status, tone) = status_words(&merge.status);
                            view! {
                                <li data-id=merge.id.to_string()>
                                    <a href="/duplicates/merges">{merged_words(&merge)}</a>
                                    " "
                                    <time datetime=merge.created_at.to_rfc3339() title=format::datetime(merge.created_at, zone)>
                                        {format::relative(merge.created_at, now())}
                                    </time>
                                    " "
                                    <Badge tone=tone text=status/>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tenure_api_types::{MergeCounts, MergedCustomerRef};

    use super::*;

    #[test]
    fn a_merge_names_the_codes_it_brought_in() {
        let reference = |n: u128| MergedCustomerRef {
            id: Uuid::from_u128(n),
            customer_code: format!("CUS-{n:06}"),
            name: "Acme".to_owned(),
        };
        let merge = MergeView {
            id: Uuid::nil(),
            survivor: reference(1),
            merged: vec![reference(2), reference(3)],
            fields: BTreeMap::new(),
            moved: MergeCounts::default(),
            status: "applied".to_owned(),
            created_by_label: "Sam Staff".to_owned(),
            created_at: chrono::DateTime::from_timestamp(0, 0).unwrap_or_default(),
            undone_by_label: None,
            undone_at: None,
        };
        assert_eq!(merged_words(&merge), "CUS-000002 and CUS-000003 merged in");
    }
}
