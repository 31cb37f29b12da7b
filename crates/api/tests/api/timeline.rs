//! The customer's story: the activity timeline (10,000 entries paged by keyset), engagements and
//! system entries, tiers with their pricing preview, the hierarchy with cycle refusal and
//! roll-ups, and the one-call overview.

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use tenure_domain::activity::{ActivityType, NewActivity, Outcome, subject};
use tenure_domain::ids::CustomerId;
use tenure_store::Actor;

use crate::both;
use crate::harness::{Db, TestApp, error_fields, expect_problem, json_of};

both!(
    the_timeline_pages_ten_thousand_activities_newest_first,
    logging_an_engagement_moves_last_activity_and_system_entries_are_read_only,
    tier_preview_shows_the_pricing_impact_and_the_change_is_on_the_timeline,
    tiers_are_a_catalogue_customers_must_name,
    hierarchy_refuses_cycles_and_rolls_up_three_levels,
    the_overview_answers_the_whole_tab_in_one_call,
);

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

async fn the_timeline_pages_ten_thousand_activities_newest_first(db: Db) {
    let app = TestApp::spawn(db).await;
    let customer = app.create(json!({"name": "Busy Co"})).await;
    let id = id_of(&customer);
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    // Pairs share a timestamp so the id breaks ties across page boundaries.
    let items: Vec<NewActivity> = (0..10_000)
        .map(|i| {
            let kind = if i % 10 == 0 {
                ActivityType::Call
            } else {
                ActivityType::Note
            };
            NewActivity::system(
                kind,
                subject(&format!("Entry {i}")),
                start + Duration::minutes(i / 2),
            )
        })
        .collect();
    let written = app
        .store
        .import_activities(
            app.org.id,
            CustomerId::from_uuid(id.parse().expect("uuid")),
            &items,
            &Actor::system("test"),
        )
        .await
        .expect("import");
    assert_eq!(written, 10_000);
    let mut seen = HashSet::new();
    let mut previous: Option<(String, String)> = None;
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/customers/{id}/activities?limit=200&cursor={c}"),
            None => format!("/api/v1/customers/{id}/activities?limit=200"),
        };
        let page = json_of(app.get(&path, &app.viewer).await, 200).await;
        pages += 1;
        for item in page["items"].as_array().expect("items") {
            let key = (
                item["occurred_at"].as_str().expect("at").to_owned(),
                id_of(item),
            );
            if let Some(prev) = &previous {
                let (prev_at, prev_id) = prev;
                let prev_at = chrono::DateTime::parse_from_rfc3339(prev_at).expect("rfc3339");
                let at = chrono::DateTime::parse_from_rfc3339(&key.0).expect("rfc3339");
                assert!(
                    at < prev_at || (at == prev_at && key.1 < *prev_id),
                    "newest first"
                );
            }
            assert!(seen.insert(key.1.clone()), "no entry twice");
            previous = Some(key);
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 10_000);
    assert_eq!(pages, 50);
    // Filters by type, by outcome and by a date range.
    let mut outcomes: Vec<NewActivity> = Vec::new();
    for (i, outcome) in [Outcome::Negative, Outcome::Positive, Outcome::Negative]
        .into_iter()
        .enumerate()
    {
        let mut a = NewActivity::system(
            ActivityType::Meeting,
            subject("Review"),
            start - Duration::days(1 + i as i64),
        );
        a.outcome = Some(outcome);
        outcomes.push(a);
    }
    app.store
        .import_activities(
            app.org.id,
            CustomerId::from_uuid(id.parse().expect("uuid")),
            &outcomes,
            &Actor::system("test"),
        )
        .await
        .expect("outcomes");
    let negative = json_of(
        app.get(
            &format!("/api/v1/customers/{id}/activities?outcome=negative,action_required"),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(negative["items"].as_array().map(Vec::len), Some(2));
    assert!(
        negative["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["outcome"] == "negative")
    );
    let calls = json_of(
        app.get(
            &format!("/api/v1/customers/{id}/activities?type=call&limit=200"),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(calls["items"].as_array().map(Vec::len), Some(200));
    assert!(
        calls["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["type"] == "call")
    );
    let from = (start + Duration::minutes(100)).to_rfc3339();
    let to = (start + Duration::minutes(110)).to_rfc3339();
    let window = json_of(
        app.send(
            Method::GET,
            &format!("/api/v1/customers/{id}/activities"),
            Some(&app.viewer),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(window["items"].as_array().map(Vec::len), Some(50));
    let enc = |t: &str| t.replace('+', "%2B").replace(':', "%3A");
    let ranged = app
        .get(
            &format!(
                "/api/v1/customers/{id}/activities?from={}&to={}&limit=200",
                enc(&from),
                enc(&to)
            ),
            &app.viewer,
        )
        .await;
    let ranged = json_of(ranged, 200).await;
    assert_eq!(
        ranged["items"].as_array().map(Vec::len),
        Some(20),
        "ten minutes, two per minute"
    );
    let bad = app
        .get(
            &format!("/api/v1/customers/{id}/activities?type=party&limit=0&cursor=zzz"),
            &app.viewer,
        )
        .await;
    let problem = expect_problem(bad, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["type", "limit"]);
    let bad_cursor = app
        .get(
            &format!("/api/v1/customers/{id}/activities?cursor=zzz"),
            &app.viewer,
        )
        .await;
    let problem = expect_problem(bad_cursor, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["cursor"]);
}

async fn logging_an_engagement_moves_last_activity_and_system_entries_are_read_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let customer = app
        .create(json!({"name": "Engaged Co", "status": "active"}))
        .await;
    let id = id_of(&customer);
    assert_eq!(customer["last_activity_at"], Value::Null);
    let path = format!("/api/v1/customers/{id}/activities");
    let call = json_of(
        app.post(&path, &app.staff, json!({"type": "call", "subject": "Renewal call", "direction": "outbound", "outcome": "positive", "duration_minutes": 30, "attendees": ["Ada Lovelace"]}))
            .await,
        201,
    )
    .await;
    assert_eq!(call["system"], false);
    assert_eq!(call["actor_label"], app.staff.email);
    let after: Value = json_of(
        app.get(&format!("/api/v1/customers/{id}"), &app.viewer)
            .await,
        200,
    )
    .await;
    assert_eq!(after["last_activity_at"], call["occurred_at"]);
    assert_eq!(
        after["version"], customer["version"],
        "derived, not an edit"
    );
    let system = app
        .post(
            &path,
            &app.staff,
            json!({"type": "payment", "subject": "Paid"}),
        )
        .await;
    let problem = expect_problem(system, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["type"]);
    // A status change writes its own system entry, which cannot be edited or deleted.
    json_of(
        app.patch(
            &format!("/api/v1/customers/{id}"),
            &app.staff,
            Some(1),
            json!({"status": "at_risk"}),
        )
        .await,
        200,
    )
    .await;
    let timeline = json_of(app.get(&path, &app.viewer).await, 200).await;
    let newest = &timeline["items"][0];
    assert_eq!(newest["type"], "status_change");
    assert_eq!(newest["system"], true);
    assert_eq!(newest["metadata"]["new_status"], "at_risk");
    let system_path = format!("{path}/{}", id_of(newest));
    let edit = app
        .patch(
            &system_path,
            &app.staff,
            None,
            json!({"subject": "Nothing happened"}),
        )
        .await;
    expect_problem(edit, 422, "validation_failed").await;
    let delete = app
        .send(Method::DELETE, &system_path, Some(&app.staff), None)
        .await;
    expect_problem(delete, 422, "validation_failed").await;
    // Engagements can be edited and deleted.
    let call_path = format!("{path}/{}", id_of(&call));
    let edited = json_of(
        app.patch(
            &call_path,
            &app.staff,
            Some(1),
            json!({"outcome": "action_required"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(edited["outcome"], "action_required");
    assert_eq!(
        app.send(Method::DELETE, &call_path, Some(&app.staff), None)
            .await
            .status(),
        204
    );
    expect_problem(app.get(&call_path, &app.viewer).await, 404, "not_found").await;
    // A deleted engagement can be brought back, once.
    let restored = json_of(
        app.post(&format!("{call_path}/restore"), &app.staff, json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(restored["subject"], "Renewal call");
    let again = app
        .post(&format!("{call_path}/restore"), &app.staff, json!({}))
        .await;
    expect_problem(again, 404, "not_found").await;
    // Messages and invoice resends are recorded as outbound entries.
    json_of(
        app.post(
            &format!("/api/v1/customers/{id}/contacts"),
            &app.staff,
            json!({"first_name": "Bill", "email": "bill@engaged.example", "role": "billing"}),
        )
        .await,
        201,
    )
    .await;
    let resent = json_of(
        app.post(
            &format!("/api/v1/customers/{id}/actions/resend-invoice"),
            &app.staff,
            json!({"invoice_reference": "INV-1042"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(resent["metadata"]["to"], "bill@engaged.example");
    assert_eq!(resent["related_ref"], "INV-1042");
    let sent = json_of(
        app.post(
            &format!("/api/v1/customers/{id}/actions/send-message"),
            &app.staff,
            json!({"to": "ceo@engaged.example", "subject": "Thanks", "body": "Great QBR."}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(sent["direction"], "outbound");
    let missing = app
        .post(
            &format!("/api/v1/customers/{id}/actions/send-message"),
            &app.staff,
            json!({"channel": "pigeon"}),
        )
        .await;
    let problem = expect_problem(missing, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["channel", "subject", "body"]);
}

async fn tier_preview_shows_the_pricing_impact_and_the_change_is_on_the_timeline(db: Db) {
    let app = TestApp::spawn(db).await;
    let silver = json_of(
        app.post(
            "/api/v1/tiers",
            &app.owner,
            json!({"name": "Silver", "level": 2, "discount_percent": "5", "colour": "#8A94A6"}),
        )
        .await,
        201,
    )
    .await;
    let gold = json_of(app.post("/api/v1/tiers", &app.owner, json!({"name": "Gold", "level": 3, "discount_percent": 12.5, "min_annual_spend": "12000", "benefits": ["Named CSM"]})).await, 201).await;
    assert_eq!(silver["colour"], "#8a94a6");
    assert_eq!(gold["discount_percent"], "12.5");
    let customer = app
        .create(json!({"name": "Tiered Co", "tier": "silver", "mrr": "950.00"}))
        .await;
    assert_eq!(customer["tier"], "Silver", "written as the tier spells it");
    let id = id_of(&customer);
    // An open order to reprice too.
    app.store
        .import_activities(
            app.org.id,
            CustomerId::from_uuid(id.parse().expect("uuid")),
            &[{
                let mut order =
                    NewActivity::system(ActivityType::Order, subject("Seats"), tenure_store::now());
                order.completed_at = None;
                order.amount = Some((
                    tenure_domain::money::Money::from_minor(190_000),
                    tenure_domain::values::CurrencyCode::parse("USD").expect("usd"),
                ));
                order
            }],
            &Actor::system("test"),
        )
        .await
        .expect("order");
    let preview = json_of(
        app.post(
            &format!("/api/v1/customers/{id}/tier/preview"),
            &app.staff,
            json!({"tier_id": gold["id"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        preview,
        json!({
            "old_tier": "Silver", "new_tier": "Gold",
            "old_discount_percent": "5", "new_discount_percent": "12.5",
            "currency": "USD", "list_mrr": "1000.00",
            "mrr": {"before": "950.00", "after": "875.00", "delta": "-75.00"},
            "arr": {"before": "11400.00", "after": "10500.00", "delta": "-900.00"},
            "open_orders": 1,
            "open_orders_total": {"before": "1900.00", "after": "1750.00", "delta": "-150.00"},
            "meets_requirements": false,
            "reprice": true
        })
    );
    // The preview changed nothing.
    let unchanged = json_of(
        app.get(&format!("/api/v1/customers/{id}"), &app.viewer)
            .await,
        200,
    )
    .await;
    assert_eq!(unchanged["mrr"], "950.00");
    let stale = app
        .client
        .put(app.url(&format!("/api/v1/customers/{id}/tier")))
        .bearer_auth(&app.staff.token)
        .header("if-match", "\"7\"")
        .json(&json!({"tier_id": gold["id"]}))
        .send()
        .await
        .expect("put");
    expect_problem(stale, 412, "version_conflict").await;
    let changed = app
        .client
        .put(app.url(&format!("/api/v1/customers/{id}/tier")))
        .bearer_auth(&app.staff.token)
        .json(&json!({"tier_id": gold["id"], "reason": "Signed the enterprise addendum"}))
        .send()
        .await
        .expect("put");
    let changed = json_of(changed, 200).await;
    assert_eq!(changed["tier"], "Gold");
    assert_eq!(changed["mrr"], "875.00");
    assert_eq!(changed["version"], 2);
    let timeline = json_of(
        app.get(
            &format!("/api/v1/customers/{id}/activities?type=tier_change"),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    let entry = &timeline["items"][0];
    assert_eq!(entry["subject"], "Tier changed from Silver to Gold");
    assert_eq!(entry["metadata"]["mrr_before_minor"], 95_000);
    assert_eq!(entry["metadata"]["mrr_after_minor"], 87_500);
    assert_eq!(
        entry["metadata"]["reason"],
        "Signed the enterprise addendum"
    );
    let unknown = app
        .post(
            &format!("/api/v1/customers/{id}/tier/preview"),
            &app.staff,
            json!({"tier_id": uuid::Uuid::now_v7()}),
        )
        .await;
    let problem = expect_problem(unknown, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["tier_id"]);
}

async fn tiers_are_a_catalogue_customers_must_name(db: Db) {
    let app = TestApp::spawn(db).await;
    let bronze = json_of(
        app.post(
            "/api/v1/tiers",
            &app.owner,
            json!({"name": "Bronze", "level": 1}),
        )
        .await,
        201,
    )
    .await;
    expect_problem(
        app.post(
            "/api/v1/tiers",
            &app.owner,
            json!({"name": "bronze", "level": 9}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    expect_problem(
        app.post(
            "/api/v1/tiers",
            &app.owner,
            json!({"name": "Iron", "level": 1}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    let bad = app
        .post(
            "/api/v1/tiers",
            &app.owner,
            json!({"discount_percent": "101", "colour": "red"}),
        )
        .await;
    let problem = expect_problem(bad, 422, "validation_failed").await;
    assert_eq!(
        error_fields(&problem),
        ["name", "level", "discount_percent", "colour"]
    );
    let unknown = app
        .post(
            "/api/v1/customers",
            &app.staff,
            json!({"name": "No Tier Co", "tier": "Diamond"}),
        )
        .await;
    let problem = expect_problem(unknown, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["tier"]);
    let customer = app
        .create(json!({"name": "Bronze Co", "tier": "Bronze"}))
        .await;
    let tier_path = format!("/api/v1/tiers/{}", id_of(&bronze));
    expect_problem(
        app.send(Method::DELETE, &tier_path, Some(&app.owner), None)
            .await,
        409,
        "conflict",
    )
    .await;
    // A rename carries over to the customers on the tier.
    json_of(
        app.patch(&tier_path, &app.owner, Some(1), json!({"name": "Copper"}))
            .await,
        200,
    )
    .await;
    let stale = app
        .patch(
            &tier_path,
            &app.owner,
            Some(1),
            json!({"discount_percent": "3"}),
        )
        .await;
    expect_problem(stale, 412, "version_conflict").await;
    let renamed = json_of(
        app.get(
            &format!("/api/v1/customers/{}", id_of(&customer)),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(renamed["tier"], "Copper");
    let list = json_of(app.get("/api/v1/tiers", &app.viewer).await, 200).await;
    assert_eq!(list["items"][0]["customers"], 1);
    // A tier change by merge patch is on the timeline too.
    json_of(
        app.patch(
            &format!("/api/v1/customers/{}", id_of(&customer)),
            &app.staff,
            Some(1),
            json!({"tier": null}),
        )
        .await,
        200,
    )
    .await;
    let timeline = json_of(
        app.get(
            &format!(
                "/api/v1/customers/{}/activities?type=tier_change",
                id_of(&customer)
            ),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        timeline["items"][0]["subject"],
        "Tier changed from Copper to none"
    );
    assert_eq!(
        app.send(Method::DELETE, &tier_path, Some(&app.owner), None)
            .await
            .status(),
        204
    );
}

async fn hierarchy_refuses_cycles_and_rolls_up_three_levels(db: Db) {
    let app = TestApp::spawn(db).await;
    let root = app
        .create(json!({"name": "Root Holdings", "mrr": "1000", "ltv": "10000"}))
        .await;
    let mid = app.create(json!({"name": "Mid GmbH", "parent_id": root["id"], "mrr": "200.50", "ltv": "500", "currency": "EUR"})).await;
    let leaf = app.create(json!({"name": "Leaf SARL", "parent_id": mid["id"], "mrr": "300", "ltv": "3000", "currency": "EUR"})).await;
    let side = app
        .create(json!({"name": "Side Inc", "parent_id": root["id"], "mrr": "50", "ltv": "60"}))
        .await;
    for (customer, email) in [
        (&root, "a@r.example"),
        (&mid, "b@m.example"),
        (&leaf, "c@l.example"),
        (&leaf, "d@l.example"),
    ] {
        json_of(
            app.post(
                &format!("/api/v1/customers/{}/contacts", id_of(customer)),
                &app.staff,
                json!({"email": email}),
            )
            .await,
            201,
        )
        .await;
    }
    // Root under its own grandchild: a cycle, refused in the transaction.
    let cycle = app
        .patch(
            &format!("/api/v1/customers/{}", id_of(&root)),
            &app.staff,
            Some(1),
            json!({"parent_id": leaf["id"]}),
        )
        .await;
    let problem = expect_problem(cycle, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["parent_id"]);
    let rollup = json_of(
        app.get(
            &format!("/api/v1/customers/{}/rollup", id_of(&root)),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rollup["customers"], 4);
    assert_eq!(rollup["depth"], 2);
    assert_eq!(rollup["contacts"], 4);
    assert_eq!(rollup["open_tickets"], 0);
    // An open ticket on the grandchild counts at the root; a closed one does not.
    let tickets: Vec<NewActivity> = [true, false]
        .into_iter()
        .map(|open| {
            let mut ticket = NewActivity::system(
                ActivityType::Ticket,
                subject("SSO loop"),
                tenure_store::now(),
            );
            if open {
                ticket.completed_at = None;
            }
            ticket
        })
        .collect();
    app.store
        .import_activities(
            app.org.id,
            CustomerId::from_uuid(id_of(&leaf).parse().expect("uuid")),
            &tickets,
            &Actor::system("test"),
        )
        .await
        .expect("tickets");
    let with_ticket = json_of(
        app.get(
            &format!("/api/v1/customers/{}/rollup", id_of(&root)),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(with_ticket["open_tickets"], 1);
    let leaf_overview = json_of(
        app.get(
            &format!("/api/v1/customers/{}/overview", id_of(&leaf)),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(leaf_overview["metrics"]["open_tickets"], 1);
    assert_eq!(
        rollup["totals"],
        json!([
            {"currency": "EUR", "mrr": "500.50", "ltv": "3500.00"},
            {"currency": "USD", "mrr": "1050.00", "ltv": "10060.00"}
        ])
    );
    let children = json_of(
        app.get(
            &format!("/api/v1/customers/{}/children", id_of(&root)),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    let names: Vec<&str> = children["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["customer"]["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Mid GmbH", "Side Inc"]);
    assert_eq!(children["items"][0]["rollup"]["customers"], 2);
    assert_eq!(children["items"][0]["rollup"]["contacts"], 3);
    // A deleted child leaves the roll-up.
    let gone = app
        .send(
            Method::DELETE,
            &format!("/api/v1/customers/{}", id_of(&side)),
            Some(&app.staff),
            None,
        )
        .await;
    assert_eq!(gone.status(), 200);
    let rollup = json_of(
        app.get(
            &format!("/api/v1/customers/{}/rollup", id_of(&root)),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rollup["customers"], 3);
    let overview = json_of(
        app.get(
            &format!("/api/v1/customers/{}/overview", id_of(&leaf)),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    let crumbs: Vec<&str> = overview["ancestors"]
        .as_array()
        .expect("ancestors")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(crumbs, ["Root Holdings", "Mid GmbH"]);
}

async fn the_overview_answers_the_whole_tab_in_one_call(db: Db) {
    let app = TestApp::spawn(db).await;
    json_of(
        app.post(
            "/api/v1/tiers",
            &app.owner,
            json!({"name": "Gold", "level": 3, "discount_percent": "10"}),
        )
        .await,
        201,
    )
    .await;
    let customer = app.create(json!({"name": "Overview Co", "tier": "Gold", "mrr": "1200", "ltv": "24000", "plan": "Pro", "health_score": 81, "churn_risk": 12, "customer_since": "2024-01-15"})).await;
    let id = id_of(&customer);
    json_of(
        app.post(
            &format!("/api/v1/customers/{id}/contacts"),
            &app.staff,
            json!({"first_name": "Ada", "email": "ada@o.example"}),
        )
        .await,
        201,
    )
    .await;
    json_of(
        app.post(
            &format!("/api/v1/customers/{id}/goals"),
            &app.staff,
            json!({"title": "Adopt", "target_value": 10}),
        )
        .await,
        201,
    )
    .await;
    json_of(
        app.post(
            &format!("/api/v1/customers/{id}/flags"),
            &app.staff,
            json!({"flag": "payment_plan", "reason": "Agreed"}),
        )
        .await,
        201,
    )
    .await;
    json_of(
        app.post(
            &format!("/api/v1/customers/{id}/activities"),
            &app.staff,
            json!({"type": "meeting", "subject": "QBR"}),
        )
        .await,
        201,
    )
    .await;
    let customer_id = CustomerId::from_uuid(id.parse().expect("uuid"));
    let usd = tenure_domain::values::CurrencyCode::parse("USD").expect("usd");
    let payments: Vec<NewActivity> = (0..3)
        .map(|m| {
            let mut p = NewActivity::system(
                ActivityType::Payment,
                subject("Paid"),
                tenure_store::now() - Duration::days(31 * m),
            );
            p.amount = Some((tenure_domain::money::Money::from_minor(120_000), usd));
            p
        })
        .collect();
    app.store
        .import_activities(app.org.id, customer_id, &payments, &Actor::system("test"))
        .await
        .expect("payments");
    let overview = json_of(
        app.get(&format!("/api/v1/customers/{id}/overview"), &app.viewer)
            .await,
        200,
    )
    .await;
    assert_eq!(overview["customer"]["name"], "Overview Co");
    assert_eq!(overview["tier"]["name"], "Gold");
    let metrics = &overview["metrics"];
    assert_eq!(metrics["mrr"], "1200.00");
    assert_eq!(metrics["arr"], "14400.00");
    assert_eq!(metrics["ltv"], "24000.00");
    assert_eq!(metrics["plan"], "Pro");
    assert_eq!(metrics["credit_balance"], "0.00");
    assert_eq!(metrics["contacts"], 1);
    assert_eq!(metrics["health_score"], 81);
    assert!(metrics["tenure_days"].as_i64().unwrap_or(0) > 600);
    assert_eq!(overview["primary_contact"]["first_name"], "Ada");
    assert_eq!(overview["flags"][0]["flag"], "payment_plan");
    assert_eq!(overview["active_goals"][0]["title"], "Adopt");
    let recent = overview["recent_activities"].as_array().expect("recent");
    assert!(recent.len() >= 3 && recent.len() <= 10);
    let months = overview["mrr_history"].as_array().expect("history");
    assert!((2..=3).contains(&months.len()), "{months:?}");
    assert!(months.iter().all(|m| m["amount"] == "1200.00"));
    assert_eq!(overview["children"], 0);
}
