//! Demo data: the records seeded for the customer page load on both backends and fill every tab
//! through the same API the SPA reads.

use serde_json::Value;

use crate::both;
use crate::harness::{Db, TestApp};

both!(seeded_customers_have_every_tab_filled);
both!(seeded_strangers_share_no_mailbox_phone_or_address);

async fn json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, &app.viewer).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("json")
}

/// `count` generated customers of the test organisation, with their contacts, addresses,
/// timeline, goals and ledger, as the demo seeds them.
async fn seed_customers(app: &TestApp, count: u64) {
    let org = app.org.id;
    app.store
        .bulk_insert_customers(org, count, 5, &[])
        .await
        .expect("customers");
    app.store
        .seed_customer_records(org, 5)
        .await
        .expect("records");
}

async fn seeded_customers_have_every_tab_filled(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = app.org.id;
    app.store.seed_tiers(org, "USD").await.expect("tiers");
    app.store.seed_custom_fields(org).await.expect("fields");
    seed_customers(&app, 300).await;

    let tiers = json(&app, "/api/v1/tiers").await;
    let with_customers: u64 = tiers["items"]
        .as_array()
        .expect("tiers")
        .iter()
        .filter_map(|t| t["customers"].as_u64())
        .sum();
    assert_eq!(
        with_customers, 300,
        "every generated tier names a seeded tier"
    );
    let fields = json(&app, "/api/v1/custom-fields").await;
    assert_eq!(fields["items"].as_array().map(Vec::len), Some(4));

    // A long-standing active customer: contacts, an address, a year of payments, goals.
    let page = json(&app, "/api/v1/customers?status=active&sort=-tenure&limit=1").await;
    let id = page["items"][0]["id"].as_str().expect("id").to_owned();
    let overview = json(&app, &format!("/api/v1/customers/{id}/overview")).await;
    assert!(overview["primary_contact"].is_object());
    assert!(overview["metrics"]["contacts"].as_u64().unwrap_or(0) >= 1);
    let months = overview["mrr_history"].as_array().expect("history");
    assert_eq!(
        months.len(),
        12,
        "one payment per calendar month: {months:?}"
    );
    assert!(
        !overview["active_goals"]
            .as_array()
            .expect("goals")
            .is_empty()
    );
    assert!(
        !overview["recent_activities"]
            .as_array()
            .expect("recent")
            .is_empty()
    );
    // Last activity follows the newest engagement.
    let engagements = json(
        &app,
        &format!(
            "/api/v1/customers/{id}/activities?type=note,email,call,meeting,demo,training&limit=1"
        ),
    )
    .await;
    assert_eq!(
        overview["customer"]["last_activity_at"],
        engagements["items"][0]["occurred_at"]
    );
    let addresses = json(&app, &format!("/api/v1/customers/{id}/addresses")).await;
    assert!(
        addresses["items"]
            .as_array()
            .expect("addresses")
            .iter()
            .any(|a| a["kind"] == "billing" && a["is_primary"] == true)
    );

    // Families: some customer has three children and a grandchild below them.
    let all = json(&app, "/api/v1/customers?limit=200&sort=name").await;
    let mut found = false;
    for customer in all["items"].as_array().expect("items") {
        let cid = customer["id"].as_str().expect("id");
        let rollup = json(&app, &format!("/api/v1/customers/{cid}/rollup")).await;
        if rollup["customers"] == 5 {
            assert_eq!(rollup["depth"], 2);
            let children = json(&app, &format!("/api/v1/customers/{cid}/children")).await;
            assert_eq!(children["items"].as_array().map(Vec::len), Some(3));
            found = true;
            break;
        }
    }
    assert!(found, "a three-level family among the first 200 customers");
}

/// The demo's duplicate queue must open on its planted near-duplicates, not on strangers the
/// seed gave one contact mailbox, one phone or one street address (which matching reads as
/// the same customer, and which chained 600 demo customers into one cluster).
async fn seeded_strangers_share_no_mailbox_phone_or_address(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = app.org.id;
    seed_customers(&app, 300).await;
    // As the demo does: bulk seeding writes no blocking keys of its own.
    app.store.rebuild_match_keys(org).await.expect("keys");
    // Keep even the faintest pair, so any shared value shows up in the queue.
    let settings = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/duplicate-settings",
            Some(&app.owner),
            Some(serde_json::json!({"high": 0.9, "medium": 0.01})),
        )
        .await;
    assert_eq!(settings.status(), 200);
    crate::duplicates::scan(&app, true).await;

    let mut shared = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = json(
            &app,
            &format!("/api/v1/duplicates?status=open&limit=200{cursor}"),
        )
        .await;
        for pair in page["items"].as_array().expect("items") {
            for e in pair["evidence"].as_array().expect("evidence") {
                let field = e["field"].as_str().unwrap_or_default();
                if matches!(field, "email" | "phone" | "address") && e["similarity"] == 1.0 {
                    shared.push(format!(
                        "{} / {}: {field} {}",
                        pair["left"]["name"], pair["right"]["name"], e["left"]
                    ));
                }
            }
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert!(shared.is_empty(), "strangers sharing a value: {shared:?}");
}
