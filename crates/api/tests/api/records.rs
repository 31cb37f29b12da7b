//! The records on a customer page: contacts with one primary (also under concurrent switches),
//! addresses with country-aware postal codes, goals with history, flags, the credits ledger,
//! custom fields, permissions and tenant isolation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Db, TestApp, error_fields, expect_problem, json_of};

both!(
    one_primary_contact_even_under_concurrent_switches,
    contact_emails_are_unique_per_customer_and_deleting_the_primary_hands_over,
    addresses_check_postal_codes_and_keep_one_primary_per_kind,
    goals_keep_their_progress_history,
    the_ledger_balance_is_derived_from_its_entries,
    flags_are_raised_once_and_lowered_with_a_reason,
    custom_fields_are_checked_against_their_definitions,
    new_endpoints_respect_roles_and_tenants,
);

async fn customer(app: &TestApp, body: Value) -> String {
    app.create(body).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn primaries(app: &TestApp, id: &str) -> Vec<String> {
    let list = json_of(
        app.get(&format!("/api/v1/customers/{id}/contacts"), &app.viewer)
            .await,
        200,
    )
    .await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["is_primary"] == true)
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn one_primary_contact_even_under_concurrent_switches(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = customer(&app, json!({"name": "Primary Co"})).await;
    let path = format!("/api/v1/customers/{id}/contacts");
    let mut ids = Vec::new();
    for (first, email) in [
        ("Ada", "ada@p.example"),
        ("Grace", "grace@p.example"),
        ("Alan", "alan@p.example"),
    ] {
        let created = json_of(
            app.post(&path, &app.staff, json!({"first_name": first, "last_name": "Test", "email": email, "phone": "(415) 555-2671"}))
                .await,
            201,
        )
        .await;
        ids.push(created["id"].as_str().expect("id").to_owned());
        assert_eq!(created["phone"], "+14155552671");
    }
    // The first contact became primary on its own.
    assert_eq!(primaries(&app, &id).await, [ids[0].clone()]);
    // Two switches at once: both succeed one after the other, one primary remains.
    let (path_b, path_c) = (format!("{path}/{}", ids[1]), format!("{path}/{}", ids[2]));
    let (a, b) = tokio::join!(
        app.patch(&path_b, &app.staff, None, json!({"is_primary": true})),
        app.patch(&path_c, &app.staff, None, json!({"is_primary": true})),
    );
    assert_eq!(a.status(), 200);
    assert_eq!(b.status(), 200);
    let now_primary = primaries(&app, &id).await;
    assert_eq!(now_primary.len(), 1, "exactly one primary: {now_primary:?}");
    assert!(ids[1..].contains(&now_primary[0]));
    // The primary cannot just stop being primary.
    let refused = app
        .patch(
            &format!("{path}/{}", now_primary[0]),
            &app.staff,
            None,
            json!({"is_primary": false}),
        )
        .await;
    let problem = expect_problem(refused, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["is_primary"]);
    // The database refuses a second primary even if the store's rule were bypassed.
    use sea_orm::ConnectionTrait;
    let raw = sea_orm::Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    let backend = raw.get_database_backend();
    let (marks, yes) = if backend == sea_orm::DbBackend::Postgres {
        ("$1, $2, $3, $4", "true")
    } else {
        ("?, ?, ?, ?", "1")
    };
    let customer_id: uuid::Uuid = id.parse().expect("uuid");
    let second = raw
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            format!("INSERT INTO contacts (id, organization_id, customer_id, created_at, role, is_primary, updated_at) VALUES ({marks}, 'contact', {yes}, CURRENT_TIMESTAMP)"),
            vec![
                uuid::Uuid::now_v7().into(),
                app.org.id.as_uuid().into(),
                customer_id.into(),
                chrono::Utc::now().into(),
            ],
        ))
        .await;
    assert!(
        second.is_err(),
        "the partial unique index must refuse a second primary"
    );
}

async fn contact_emails_are_unique_per_customer_and_deleting_the_primary_hands_over(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = customer(&app, json!({"name": "Email Co"})).await;
    let other = customer(&app, json!({"name": "Other Email Co"})).await;
    let path = format!("/api/v1/customers/{id}/contacts");
    let first = json_of(
        app.post(
            &path,
            &app.staff,
            json!({"first_name": "Ada", "email": "Ada@E.example", "role": "billing"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(first["email"], "ada@e.example");
    assert_eq!(first["full_name"], "Ada");
    let clash = app
        .post(
            &path,
            &app.staff,
            json!({"first_name": "Ada 2", "email": "ada@e.EXAMPLE"}),
        )
        .await;
    expect_problem(clash, 409, "conflict").await;
    // Another customer may have a contact with the same email.
    json_of(
        app.post(
            &format!("/api/v1/customers/{other}/contacts"),
            &app.staff,
            json!({"email": "ada@e.example"}),
        )
        .await,
        201,
    )
    .await;
    let invalid = app
        .post(
            &path,
            &app.staff,
            json!({"email": "nope", "role": "boss", "preferred_channel": "fax"}),
        )
        .await;
    let problem = expect_problem(invalid, 422, "validation_failed").await;
    assert_eq!(
        error_fields(&problem),
        ["email", "role", "preferred_channel"]
    );
    let nameless = app.post(&path, &app.staff, json!({"title": "CTO"})).await;
    expect_problem(nameless, 422, "validation_failed").await;
    let second = json_of(
        app.post(
            &path,
            &app.staff,
            json!({"first_name": "Grace", "email": "grace@e.example"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(second["is_primary"], false);
    // Deleting the primary hands over to the remaining contact; restoring keeps that one.
    let first_id = first["id"].as_str().expect("id");
    let deleted = json_of(
        app.send(
            Method::DELETE,
            &format!("{path}/{first_id}"),
            Some(&app.staff),
            None,
        )
        .await,
        200,
    )
    .await;
    assert!(deleted["deleted_at"].is_string());
    assert_eq!(
        primaries(&app, &id).await,
        [second["id"].as_str().expect("id").to_owned()]
    );
    let restored = json_of(
        app.post(&format!("{path}/{first_id}/restore"), &app.staff, json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(restored["is_primary"], false);
    let all = json_of(
        app.get(&format!("{path}?include_deleted=true"), &app.viewer)
            .await,
        200,
    )
    .await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    // A stale If-Match is refused.
    let stale = app
        .patch(
            &format!("{path}/{first_id}"),
            &app.staff,
            Some(1),
            json!({"title": "CFO"}),
        )
        .await;
    expect_problem(stale, 412, "version_conflict").await;
}

async fn addresses_check_postal_codes_and_keep_one_primary_per_kind(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = customer(&app, json!({"name": "Address Co"})).await;
    let path = format!("/api/v1/customers/{id}/addresses");
    let bad = app.post(&path, &app.staff, json!({"kind": "billing", "line1": "10 Downing St", "country": "GB", "postal_code": "12345"})).await;
    let problem = expect_problem(bad, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["postal_code"]);
    let missing = app
        .post(&path, &app.staff, json!({"kind": "billing"}))
        .await;
    let problem = expect_problem(missing, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["line1", "country"]);
    for (country, raw, normalised) in [
        ("US", "941051234", "94105-1234"),
        ("GB", "sw1a2aa", "SW1A 2AA"),
        ("DE", "10115", "10115"),
        ("FR", "75008", "75008"),
        ("CA", "k1a0b1", "K1A 0B1"),
        ("AU", "2000", "2000"),
        ("JP", "1000001", "100-0001"),
    ] {
        let created = json_of(app.post(&path, &app.staff, json!({"kind": "other", "line1": "1 Main St", "country": country, "postal_code": raw})).await, 201).await;
        assert_eq!(created["postal_code"], normalised, "{country}");
    }
    let billing = json_of(
        app.post(
            &path,
            &app.staff,
            json!({"kind": "billing", "line1": "1 A St", "country": "US", "postal_code": "94105"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(billing["is_primary"], true, "first of its kind");
    let shipping = json_of(
        app.post(
            &path,
            &app.staff,
            json!({"kind": "shipping", "line1": "2 B St", "country": "US"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(shipping["is_primary"], true, "kinds are separate");
    let billing2 = json_of(
        app.post(
            &path,
            &app.staff,
            json!({"kind": "billing", "line1": "3 C St", "country": "US", "is_primary": true}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(billing2["is_primary"], true);
    let list = json_of(app.get(&path, &app.viewer).await, 200).await;
    let primary_billing: Vec<&Value> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|a| a["kind"] == "billing" && a["is_primary"] == true)
        .collect();
    assert_eq!(primary_billing.len(), 1);
    assert_eq!(primary_billing[0]["id"], billing2["id"]);
    // The primary of a kind cannot just stop being primary.
    let billing2_path = format!("{path}/{}", billing2["id"].as_str().expect("id"));
    let refused = app
        .patch(
            &billing2_path,
            &app.staff,
            None,
            json!({"is_primary": false}),
        )
        .await;
    let problem = expect_problem(refused, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["is_primary"]);
    // Moving the billing primary to shipping hands billing back to the other billing address
    // and joins shipping as a non-primary (shipping has its own primary).
    let moved = json_of(
        app.patch(
            &billing2_path,
            &app.staff,
            Some(1),
            json!({"kind": "shipping", "postal_code": "94105-1234"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["kind"], "shipping");
    assert_eq!(moved["is_primary"], false);
    let list = json_of(app.get(&path, &app.viewer).await, 200).await;
    let primary_of = |kind: &str| -> Vec<String> {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|a| a["kind"] == kind && a["is_primary"] == true)
            .map(|a| a["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        primary_of("billing"),
        [billing["id"].as_str().expect("id").to_owned()]
    );
    assert_eq!(
        primary_of("shipping"),
        [shipping["id"].as_str().expect("id").to_owned()]
    );
    // Deleting the shipping primary promotes the other shipping address; restoring keeps it.
    let shipping_path = format!("{path}/{}", shipping["id"].as_str().expect("id"));
    json_of(
        app.send(Method::DELETE, &shipping_path, Some(&app.staff), None)
            .await,
        200,
    )
    .await;
    let fetched = json_of(app.get(&billing2_path, &app.viewer).await, 200).await;
    assert_eq!(
        fetched["is_primary"], true,
        "the remaining shipping address took over"
    );
    let restored = json_of(
        app.post(&format!("{shipping_path}/restore"), &app.staff, json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(restored["is_primary"], false);
    expect_problem(
        app.post(&format!("{shipping_path}/restore"), &app.staff, json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
}

async fn goals_keep_their_progress_history(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = customer(&app, json!({"name": "Goal Co"})).await;
    let path = format!("/api/v1/customers/{id}/goals");
    let goal = json_of(app.post(&path, &app.staff, json!({"title": "Adopt reporting", "metric": "adoption", "current_value": 10, "target_value": 80, "unit": "%", "target_date": "2027-03-31"})).await, 201).await;
    assert_eq!(goal["status"], "on_track");
    assert_eq!(goal["progress_percent"], 12.5);
    assert_eq!(goal["history"].as_array().map(Vec::len), Some(1));
    let goal_path = format!("{path}/{}", goal["id"].as_str().expect("id"));
    let moved = json_of(
        app.patch(
            &goal_path,
            &app.staff,
            Some(1),
            json!({"current_value": 40, "note": "Two more teams live"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["progress_percent"], 50.0);
    assert_eq!(moved["history"][0]["value"], 40.0);
    assert_eq!(moved["history"][0]["note"], "Two more teams live");
    let done = json_of(
        app.patch(
            &goal_path,
            &app.staff,
            None,
            json!({"current_value": 80, "status": "achieved"}),
        )
        .await,
        200,
    )
    .await;
    assert!(done["completed_at"].is_string());
    assert_eq!(done["history"].as_array().map(Vec::len), Some(3));
    let active = json_of(
        app.get(&format!("{path}?active=true"), &app.viewer).await,
        200,
    )
    .await;
    assert_eq!(active["items"].as_array().map(Vec::len), Some(0));
    let bad = app
        .post(
            &path,
            &app.staff,
            json!({"metric": "vibes", "status": "great"}),
        )
        .await;
    let problem = expect_problem(bad, 422, "validation_failed").await;
    assert_eq!(
        error_fields(&problem),
        ["title", "metric", "status", "target_value"]
    );
    let gone = app
        .send(Method::DELETE, &goal_path, Some(&app.staff), None)
        .await;
    assert_eq!(gone.status(), 204);
    expect_problem(app.get(&goal_path, &app.viewer).await, 404, "not_found").await;
}

async fn the_ledger_balance_is_derived_from_its_entries(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = customer(&app, json!({"name": "Ledger Co", "currency": "EUR"})).await;
    let path = format!("/api/v1/customers/{id}/ledger");
    let staff = app
        .post(
            &path,
            &app.staff,
            json!({"kind": "credit", "amount": "10", "reason": "x"}),
        )
        .await;
    expect_problem(staff, 403, "forbidden").await;
    for (kind, amount) in [
        ("credit", json!("100.00")),
        ("credit", json!(50)),
        ("debit", json!("30.50")),
    ] {
        let entry = json_of(
            app.post(
                &path,
                &app.owner,
                json!({"kind": kind, "amount": amount, "reason": "Outage credit"}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(entry["currency"], "EUR");
    }
    let over = app
        .post(
            &path,
            &app.owner,
            json!({"kind": "debit", "amount": "1000", "reason": "Too much"}),
        )
        .await;
    let problem = expect_problem(over, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["amount"]);
    let no_order = app
        .post(
            &path,
            &app.owner,
            json!({"kind": "refund", "amount": "25", "reason": "Duplicate"}),
        )
        .await;
    let problem = expect_problem(no_order, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["order_reference"]);
    let bad = app
        .post(&path, &app.owner, json!({"kind": "gift", "amount": "-5"}))
        .await;
    let problem = expect_problem(bad, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["kind", "amount", "reason"]);
    json_of(app.post(&path, &app.owner, json!({"kind": "refund", "amount": "25", "reason": "Duplicate", "order_reference": "SO-1"})).await, 201).await;
    json_of(
        app.post(
            &path,
            &app.owner,
            json!({"kind": "credit", "amount": "5", "currency": "USD", "reason": "Card fee"}),
        )
        .await,
        201,
    )
    .await;
    let ledger = json_of(app.get(&path, &app.viewer).await, 200).await;
    assert_eq!(ledger["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        ledger["balances"],
        json!([
            {"currency": "EUR", "credit_balance": "119.50", "refunded": "25.00"},
            {"currency": "USD", "credit_balance": "5.00", "refunded": "0.00"}
        ])
    );
    let overview = json_of(
        app.get(&format!("/api/v1/customers/{id}/overview"), &app.viewer)
            .await,
        200,
    )
    .await;
    assert_eq!(overview["metrics"]["credit_balance"], "119.50");
    let timeline = json_of(
        app.get(
            &format!("/api/v1/customers/{id}/activities?type=credit"),
            &app.viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(timeline["items"].as_array().map(Vec::len), Some(5));
}

async fn flags_are_raised_once_and_lowered_with_a_reason(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = customer(&app, json!({"name": "Flag Co"})).await;
    let path = format!("/api/v1/customers/{id}/flags");
    let flag = json_of(
        app.post(
            &path,
            &app.staff,
            json!({"flag": "Legal Hold", "reason": "Contract review"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(flag["flag"], "legal_hold");
    expect_problem(
        app.post(
            &path,
            &app.staff,
            json!({"flag": "legal_hold", "reason": "again"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    let removed = json_of(
        app.send(
            Method::DELETE,
            &format!("{path}/{}?reason=Signed", flag["id"].as_str().expect("id")),
            Some(&app.staff),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(removed["removed_reason"], "Signed");
    assert!(removed["removed_by"].is_string());
    let twice = app
        .send(
            Method::DELETE,
            &format!("{path}/{}", flag["id"].as_str().expect("id")),
            Some(&app.staff),
            None,
        )
        .await;
    expect_problem(twice, 404, "not_found").await;
    let active = json_of(
        app.get(&format!("{path}?active=true"), &app.viewer).await,
        200,
    )
    .await;
    assert_eq!(active["items"].as_array().map(Vec::len), Some(0));
    // Raised again after removal: allowed.
    json_of(
        app.post(
            &path,
            &app.staff,
            json!({"flag": "legal_hold", "reason": "New dispute"}),
        )
        .await,
        201,
    )
    .await;
    let all = json_of(app.get(&path, &app.viewer).await, 200).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(all["items"][0]["removed_at"], Value::Null, "active first");
}

async fn custom_fields_are_checked_against_their_definitions(db: Db) {
    let app = TestApp::spawn(db).await;
    let staff_try = app.post("/api/v1/custom-fields", &app.staff, json!({"key": "segment", "label": "Segment", "field_type": "select", "options": ["SMB", "Enterprise"]})).await;
    expect_problem(staff_try, 403, "forbidden").await;
    json_of(app.post("/api/v1/custom-fields", &app.owner, json!({"key": "segment", "label": "Segment", "field_type": "select", "options": ["SMB", "Enterprise"]})).await, 201).await;
    json_of(
        app.post(
            "/api/v1/custom-fields",
            &app.owner,
            json!({"key": "renewal_date", "label": "Renewal", "field_type": "date"}),
        )
        .await,
        201,
    )
    .await;
    expect_problem(
        app.post(
            "/api/v1/custom-fields",
            &app.owner,
            json!({"key": "segment", "label": "Again", "field_type": "text"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    let bad_def = app
        .post(
            "/api/v1/custom-fields",
            &app.owner,
            json!({"key": "Bad Key", "field_type": "select"}),
        )
        .await;
    let problem = expect_problem(bad_def, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["key", "label", "options"]);
    let bad = app.post("/api/v1/customers", &app.staff, json!({"name": "CF Co", "custom_fields": {"segment": "Mid", "renewal_date": "31/01/2027", "nope": 1}})).await;
    let problem = expect_problem(bad, 422, "validation_failed").await;
    assert_eq!(
        error_fields(&problem),
        [
            "custom_fields.nope",
            "custom_fields.renewal_date",
            "custom_fields.segment"
        ]
    );
    let created = app.create(json!({"name": "CF Co", "custom_fields": {"segment": "enterprise", "renewal_date": "2027-01-31"}})).await;
    assert_eq!(
        created["custom_fields"],
        json!({"renewal_date": "2027-01-31", "segment": "Enterprise"})
    );
    let id = created["id"].as_str().expect("id");
    let patched = json_of(
        app.patch(
            &format!("/api/v1/customers/{id}"),
            &app.staff,
            Some(1),
            json!({"custom_fields": {"segment": "SMB"}}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["custom_fields"]["segment"], "SMB");
    let list = json_of(app.get("/api/v1/custom-fields", &app.viewer).await, 200).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    let segment = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|f| f["key"] == "segment")
        .expect("segment")
        .clone();
    let field_path = format!(
        "/api/v1/custom-fields/{}",
        segment["id"].as_str().expect("id")
    );
    let renamed = json_of(
        app.patch(
            &field_path,
            &app.owner,
            None,
            json!({"label": "Market segment", "options": ["SMB", "Enterprise", "Public sector"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(renamed["label"], "Market segment");
    assert_eq!(renamed["options"].as_array().map(Vec::len), Some(3));
    let rekey = app
        .patch(&field_path, &app.owner, None, json!({"key": "market"}))
        .await;
    let problem = expect_problem(rekey, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["key"]);
    assert_eq!(
        app.send(Method::DELETE, &field_path, Some(&app.owner), None)
            .await
            .status(),
        204
    );
    // The stored value stays on the customer; the key is no longer checked for it.
    let kept = json_of(
        app.get(&format!("/api/v1/customers/{id}"), &app.viewer)
            .await,
        200,
    )
    .await;
    assert_eq!(kept["custom_fields"]["segment"], "SMB");
    let unrelated = json_of(
        app.patch(
            &format!("/api/v1/customers/{id}"),
            &app.staff,
            Some(2),
            json!({"plan": "Pro"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(unrelated["custom_fields"]["segment"], "SMB");
}

async fn new_endpoints_respect_roles_and_tenants(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = customer(&app, json!({"name": "Guarded Co"})).await;
    let viewer_write = app
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            &app.viewer,
            json!({"email": "v@g.example"}),
        )
        .await;
    expect_problem(viewer_write, 403, "forbidden").await;
    let staff_tier = app
        .post(
            "/api/v1/tiers",
            &app.staff,
            json!({"name": "Gold", "level": 3}),
        )
        .await;
    expect_problem(staff_tier, 403, "forbidden").await;
    for path in [
        "contacts",
        "addresses",
        "activities",
        "goals",
        "ledger",
        "flags",
        "children",
        "rollup",
        "overview",
    ] {
        let response = app
            .get(&format!("/api/v1/customers/{id}/{path}"), &app.other)
            .await;
        expect_problem(response, 404, "not_found").await;
    }
    let foreign = app
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            &app.other,
            json!({"email": "x@g.example"}),
        )
        .await;
    expect_problem(foreign, 404, "not_found").await;
    let unknown = app
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            &app.staff,
            json!({"email": "x@g.example", "colour": "red"}),
        )
        .await;
    let problem = expect_problem(unknown, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["colour"]);
    let unauthenticated = app
        .send(
            Method::GET,
            &format!("/api/v1/customers/{id}/overview"),
            None,
            None,
        )
        .await;
    expect_problem(unauthenticated, 401, "unauthenticated").await;
}
