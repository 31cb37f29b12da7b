//! Demo data that goes through the API's own write paths: near-duplicates of a few demo
//! customers, typed the way people really re-enter a company, and a first duplicate scan so
//! the review queue has pairs to merge on a fresh demo.
//!
//! The bulk seeding in the store is for volume; this is for the stories a new user should be
//! able to walk through. It must not run outside `--demo`.

use tenure_api_types::CustomerInput;
use tenure_store::organization::Organization;
use tenure_store::{Actor, Store};

use crate::convert::{customer_input, customer_view, new_customer};

/// How many demo customers get a near-duplicate.
const DUPLICATED: u64 = 6;

/// The name as someone else might have typed it: a legal suffix, shouting, a dropped letter,
/// a leading "The".
fn retyped(name: &str, variant: usize) -> String {
    match variant % 4 {
        0 => format!("{name} Inc."),
        1 => name.to_uppercase(),
        2 => {
            let (first, rest) = name.split_once(' ').unwrap_or((name, ""));
            let mut chars: Vec<char> = first.chars().collect();
            if chars.len() > 3 {
                chars.remove(chars.len() / 2);
            }
            format!("{} {rest}", chars.into_iter().collect::<String>())
                .trim()
                .to_owned()
        }
        _ => format!("The {name}"),
    }
}

/// Creates the near-duplicates and runs a full scan to its end.
pub async fn seed_duplicates(store: &Store, org: &Organization) -> anyhow::Result<u64> {
    let actor = Actor::system("seed");
    let today = chrono::Utc::now().date_naive();
    let sources = store.demo_duplicate_sources(org.id, DUPLICATED).await?;
    for (i, source) in sources.iter().enumerate() {
        let original = customer_input(&customer_view(source, today));
        let copy = CustomerInput {
            name: Some(retyped(&source.name, i)),
            email: original.email.as_ref().map(|e| e.to_uppercase()),
            customer_code: None,
            external_id: None,
            source: None,
            parent_id: None,
            tags: Some(Vec::new()),
            notes: Some("Entered again by hand at a trade show.".to_owned()),
            status: Some("lead".to_owned()),
            mrr: None,
            ltv: None,
            health_score: None,
            churn_risk: None,
            ..original
        };
        let new = new_customer(&copy, org, today)
            .map_err(|errors| anyhow::anyhow!("demo duplicate: {errors:?}"))?;
        store.create_customer(org.id, &new, &actor).await?;
    }
    let scan = store.create_duplicate_scan(org.id, true, &actor).await?;
    let owner = "demo-seed";
    let claimed = store
        .claim_duplicate_scan(owner)
        .await?
        .filter(|claimed| claimed.id == scan.id)
        .ok_or_else(|| anyhow::anyhow!("the demo scan was taken by another worker"))?;
    crate::duplicate::run(store, owner, &claimed).await?;
    Ok(sources.len() as u64)
}
