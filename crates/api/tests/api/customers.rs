//! One customer's life: create with defaults and validation, read with ETag, patch under
//! If-Match, soft delete and restore, the audit trail, and tenant isolation on every endpoint.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Db, TestApp, error_fields, expect_problem};

both!(
    create_applies_defaults_and_normalises_values,
    create_reports_every_invalid_field_at_once,
    customer_codes_are_unique_per_organisation,
    patch_needs_if_match_and_refuses_stale_versions,
    patch_merges_fields_and_clears_nulls,
    delete_hides_and_restore_brings_back,
    every_change_is_audited_with_its_diff,
    another_tenants_customer_is_not_found_everywhere,
    hierarchy_cycles_are_refused,
);

async fn create_applies_defaults_and_normalises_values(db: Db) {
    let app = TestApp::spawn(db).await;
    let response = app
        .post(
            "/api/v1/customers",
            &app.staff,
            json!({
                "name": "  Ácme Robotics GmbH ",
                "email": "Billing@ACME.example",
                "phone": "(415) 555-2671",
                "website": "www.acme.example/about",
                "mrr": 1250.5,
                "ltv": "30000",
                "tags": ["Key Account", "key account", "beta"],
                "health_score": 72,
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.expect("json");
    assert_eq!(etag.as_deref(), Some("\"1\""));
    assert_eq!(
        location,
        Some(format!(
            "/api/v1/customers/{}",
            body["id"].as_str().expect("id")
        ))
    );
    assert_eq!(body["name"], "Ácme Robotics GmbH");
    assert_eq!(body["kind"], "company");
    assert_eq!(body["status"], "lead");
    assert_eq!(body["customer_type"], "standard");
    assert_eq!(body["currency"], "USD");
    assert_eq!(body["email"], "billing@acme.example");
    assert_eq!(body["phone"], "+14155552671");
    assert_eq!(body["domain"], "acme.example");
    assert_eq!(body["mrr"], "1250.50");
    assert_eq!(body["ltv"], "30000.00");
    assert_eq!(body["tags"], json!(["beta", "key-account"]));
    assert_eq!(body["version"], 1);
    assert!(
        body["customer_code"]
            .as_str()
            .is_some_and(|c| c.starts_with("CUS-"))
    );
    let person = app
        .create(json!({"kind": "person", "first_name": "Zoë", "last_name": "Lefèvre", "birth_date": "1990-02-01"}))
        .await;
    assert_eq!(person["name"], "Zoë Lefèvre");
}

async fn create_reports_every_invalid_field_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let response = app
        .post(
            "/api/v1/customers",
            &app.owner,
            json!({
                "name": "Broken Co",
                "email": "not-an-email",
                "phone": "12",
                "status": "sleeping",
                "currency": "XYZ",
                "health_score": 101,
                "country": "ZZ",
                "tags": ["ok", "bad tag!"],
                "birth_date": "1990-01-01",
            }),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    let fields = error_fields(&problem);
    for field in [
        "email",
        "phone",
        "status",
        "currency",
        "health_score",
        "country",
        "tags[1]",
    ] {
        assert!(
            fields.iter().any(|f| f == field),
            "{field} missing from {fields:?}"
        );
    }
    let company_with_birthday = app
        .post(
            "/api/v1/customers",
            &app.owner,
            json!({"name": "Born Ltd", "birth_date": "1990-01-01"}),
        )
        .await;
    let problem = expect_problem(company_with_birthday, 422, "validation_failed").await;
    assert!(error_fields(&problem).contains(&"birth_date".to_owned()));
    let nameless = app
        .post("/api/v1/customers", &app.owner, json!({"kind": "person"}))
        .await;
    let problem = expect_problem(nameless, 422, "validation_failed").await;
    assert!(error_fields(&problem).contains(&"name".to_owned()));
}

async fn customer_codes_are_unique_per_organisation(db: Db) {
    let app = TestApp::spawn(db).await;
    app.create(json!({"name": "First", "customer_code": "vip-1"}))
        .await;
    let clash = app
        .post(
            "/api/v1/customers",
            &app.staff,
            json!({"name": "Second", "customer_code": "VIP-1"}),
        )
        .await;
    expect_problem(clash, 409, "conflict").await;
    let elsewhere = app
        .post(
            "/api/v1/customers",
            &app.other,
            json!({"name": "Elsewhere", "customer_code": "VIP-1"}),
        )
        .await;
    assert_eq!(elsewhere.status(), 201);
    let synced = json!({"name": "Synced", "external_id": "hs-1", "source": "hubspot"});
    app.create(synced.clone()).await;
    expect_problem(
        app.post("/api/v1/customers", &app.owner, synced).await,
        409,
        "conflict",
    )
    .await;
}

async fn patch_needs_if_match_and_refuses_stale_versions(db: Db) {
    let app = TestApp::spawn(db).await;
    let customer = app.create(json!({"name": "Patchable"})).await;
    let path = format!("/api/v1/customers/{}", customer["id"].as_str().expect("id"));
    expect_problem(
        app.patch(&path, &app.staff, None, json!({"plan": "Pro"}))
            .await,
        428,
        "precondition_required",
    )
    .await;
    let ok = app
        .patch(&path, &app.staff, Some(1), json!({"plan": "Pro"}))
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );
    let stale = app
        .patch(&path, &app.owner, Some(1), json!({"plan": "Growth"}))
        .await;
    let problem = expect_problem(stale, 412, "version_conflict").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("current version 2"))
    );
    let current: Value = app
        .get(&path, &app.viewer)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(current["plan"], "Pro");
}

async fn patch_merges_fields_and_clears_nulls(db: Db) {
    let app = TestApp::spawn(db).await;
    for (key, field_type) in [("region", "text"), ("seats", "number")] {
        let defined = app
            .post(
                "/api/v1/custom-fields",
                &app.owner,
                json!({"key": key, "label": key, "field_type": field_type}),
            )
            .await;
        assert_eq!(defined.status(), 201);
    }
    let customer = app
        .create(json!({"name": "Merge Me", "plan": "Starter", "email": "a@merge.example", "custom_fields": {"region": "emea", "seats": 5}}))
        .await;
    let path = format!("/api/v1/customers/{}", customer["id"].as_str().expect("id"));
    let response = app
        .patch(&path, &app.owner, Some(1), json!({"email": null, "status": "active", "custom_fields": {"seats": 7, "region": null}}))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["email"], Value::Null);
    assert_eq!(body["plan"], "Starter");
    assert_eq!(body["status"], "active");
    assert_eq!(body["custom_fields"], json!({"seats": 7}));
    let read_only = app
        .patch(&path, &app.owner, Some(2), json!({"version": 9, "id": "x"}))
        .await;
    let problem = expect_problem(read_only, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem).len(), 2);
    let unknown = app
        .patch(&path, &app.owner, Some(2), json!({"nmae": "typo"}))
        .await;
    let problem = expect_problem(unknown, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["nmae"]);
    let invalid = app
        .patch(&path, &app.owner, Some(2), json!({"email": "nope"}))
        .await;
    expect_problem(invalid, 422, "validation_failed").await;
    let cleared = app
        .patch(
            &path,
            &app.owner,
            Some(2),
            json!({"status": null, "mrr": null}),
        )
        .await;
    let problem = expect_problem(cleared, 422, "validation_failed").await;
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["mrr", "status"]);
}

async fn delete_hides_and_restore_brings_back(db: Db) {
    let app = TestApp::spawn(db).await;
    let customer = app.create(json!({"name": "Deletable"})).await;
    let id = customer["id"].as_str().expect("id");
    let path = format!("/api/v1/customers/{id}");
    let deleted = app
        .send(Method::DELETE, &path, Some(&app.staff), None)
        .await;
    assert_eq!(deleted.status(), 200);
    let body: Value = deleted.json().await.expect("json");
    assert!(body["deleted_at"].is_string());
    expect_problem(app.get(&path, &app.staff).await, 404, "not_found").await;
    let with_deleted = app
        .get(&format!("{path}?include_deleted=true"), &app.staff)
        .await;
    assert_eq!(with_deleted.status(), 200);
    let live: Value = app
        .get("/api/v1/customers", &app.staff)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        live["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|c| c["id"] != id)
    );
    let bin: Value = app
        .get("/api/v1/customers?deleted=true", &app.staff)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        bin["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|c| c["id"] == id)
    );
    expect_problem(
        app.send(Method::DELETE, &path, Some(&app.staff), None)
            .await,
        404,
        "not_found",
    )
    .await;
    let restored = app
        .post(&format!("{path}/restore"), &app.staff, json!({}))
        .await;
    assert_eq!(restored.status(), 200);
    let body: Value = restored.json().await.expect("json");
    assert_eq!(body["deleted_at"], Value::Null);
    assert_eq!(body["version"], 3);
    assert_eq!(app.get(&path, &app.staff).await.status(), 200);
    expect_problem(
        app.post(&format!("{path}/restore"), &app.staff, json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
}

async fn every_change_is_audited_with_its_diff(db: Db) {
    let app = TestApp::spawn(db).await;
    let customer = app
        .create(json!({"name": "Audited", "plan": "Starter"}))
        .await;
    let id: uuid::Uuid = customer["id"].as_str().expect("id").parse().expect("uuid");
    let path = format!("/api/v1/customers/{id}");
    assert_eq!(
        app.patch(&path, &app.staff, Some(1), json!({"plan": "Pro"}))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.send(Method::DELETE, &path, Some(&app.staff), None)
            .await
            .status(),
        200
    );
    let entries = app
        .store
        .audit_entries_for(app.org.id, "customer", id)
        .await
        .expect("audit");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["customer.deleted", "customer.updated", "customer.created"]
    );
    let update = &entries[1];
    assert_eq!(update.actor_label, app.staff.email);
    assert_eq!(update.diff["plan"], json!({"from": "Starter", "to": "Pro"}));
    assert!(update.diff.get("name").is_none());
    assert!(update.request_id.as_deref().is_some_and(|r| !r.is_empty()));
    assert_eq!(update.ip.as_deref(), Some("127.0.0.1"));
    // Behind the (trusted) proxy, the forwarded client address is what the log keeps.
    let patch_via_proxy = |version: i64| {
        app.client
            .patch(app.url(&path))
            .bearer_auth(&app.staff.token)
            .header("content-type", "application/json")
            .header("if-match", format!("\"{version}\""))
            .header("x-forwarded-for", "198.51.100.23")
            .body(r#"{"plan": "Growth"}"#)
            .send()
    };
    let on_deleted = patch_via_proxy(3).await.expect("request");
    assert_eq!(
        on_deleted.status(),
        404,
        "deleted customers are not patched"
    );
    let restored = app
        .post(&format!("{path}/restore"), &app.staff, json!({}))
        .await;
    assert_eq!(restored.status(), 200);
    assert_eq!(patch_via_proxy(4).await.expect("request").status(), 200);
    let entries = app
        .store
        .audit_entries_for(app.org.id, "customer", id)
        .await
        .expect("audit");
    assert_eq!(entries[0].ip.as_deref(), Some("198.51.100.23"));
    let other_view = app
        .store
        .audit_entries_for(app.other_org.id, "customer", id)
        .await
        .expect("audit");
    assert!(other_view.is_empty());
}

async fn another_tenants_customer_is_not_found_everywhere(db: Db) {
    let app = TestApp::spawn(db).await;
    let customer = app.create(json!({"name": "Private Co"})).await;
    let id = customer["id"].as_str().expect("id");
    let path = format!("/api/v1/customers/{id}");
    let other = &app.other;
    expect_problem(app.get(&path, other).await, 404, "not_found").await;
    expect_problem(
        app.get(&format!("{path}?include_deleted=true"), other)
            .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.patch(&path, other, Some(1), json!({"name": "Mine now"}))
            .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.send(Method::DELETE, &path, Some(other), None).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.post(&format!("{path}/restore"), other, json!({})).await,
        404,
        "not_found",
    )
    .await;
    for action in ["update", "delete", "restore"] {
        let mut body = json!({"ids": [id]});
        if action == "update" {
            body["status"] = json!("churned");
        }
        let response = app
            .post(&format!("/api/v1/customers/bulk/{action}"), other, body)
            .await;
        let result: Value = response.json().await.expect("json");
        assert_eq!(result["results"][0]["status"], "not_found", "bulk {action}");
    }
    let list: Value = app
        .get("/api/v1/customers?q=private", other)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 0);
    let export = app
        .get("/api/v1/customers/export.csv", other)
        .await
        .text()
        .await
        .expect("csv");
    assert!(!export.contains("Private Co"));
    let mine = app
        .get(&path, &app.owner)
        .await
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(mine["name"], "Private Co");
    assert_eq!(mine["version"], 1);
    let as_parent = app
        .post(
            "/api/v1/customers",
            other,
            json!({"name": "Child", "parent_id": id}),
        )
        .await;
    expect_problem(as_parent, 422, "validation_failed").await;
}

async fn hierarchy_cycles_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let root = app.create(json!({"name": "Root Holdings"})).await;
    let child = app
        .create(json!({"name": "Child Branch", "parent_id": root["id"]}))
        .await;
    let grandchild = app
        .create(json!({"name": "Grandchild Shop", "parent_id": child["id"]}))
        .await;
    assert_eq!(grandchild["parent_id"], child["id"]);
    let root_path = format!("/api/v1/customers/{}", root["id"].as_str().expect("id"));
    let cycle = app
        .patch(
            &root_path,
            &app.owner,
            Some(1),
            json!({"parent_id": grandchild["id"]}),
        )
        .await;
    let problem = expect_problem(cycle, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["parent_id"]);
    let own = app
        .patch(
            &root_path,
            &app.owner,
            Some(1),
            json!({"parent_id": root["id"]}),
        )
        .await;
    expect_problem(own, 422, "validation_failed").await;
    // A deleted parent does not block unrelated edits of its children.
    let child_path = format!("/api/v1/customers/{}", child["id"].as_str().expect("id"));
    let deleted = app
        .send(Method::DELETE, &root_path, Some(&app.owner), None)
        .await;
    assert_eq!(deleted.status(), 200);
    let edit = app
        .patch(
            &child_path,
            &app.owner,
            Some(1),
            json!({"notes": "still editable"}),
        )
        .await;
    assert_eq!(edit.status(), 200);
}
