//! Bulk updates, deletes and restores: per-id outcomes in one transaction.

use serde_json::{Value, json};

use crate::both;
use crate::harness::{Db, TestApp, expect_problem};

both!(
    bulk_update_reports_each_row,
    bulk_delete_and_restore_round_trip,
    bulk_limits_are_enforced
);

async fn bulk_update_reports_each_row(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app.create(json!({"name": "Bulk A", "tags": ["old"]})).await;
    let b = app.create(json!({"name": "Bulk B"})).await;
    let foreign = app
        .post("/api/v1/customers", &app.other, json!({"name": "Foreign"}))
        .await
        .json::<Value>()
        .await
        .expect("json");
    let missing = uuid::Uuid::now_v7();
    let response = app
        .post(
            "/api/v1/customers/bulk/update",
            &app.staff,
            json!({
                "ids": [a["id"], foreign["id"], missing],
                "items": [{"id": b["id"], "version": 7}],
                "status": "at_risk",
                "tags_add": ["Renewal Q4"],
                "tags_remove": ["old"],
                "owner_id": app.staff.user_id,
            }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.expect("json");
    assert_eq!(result["succeeded"], 1);
    assert_eq!(result["failed"], 3);
    let statuses: Vec<&str> = result["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        ["ok", "not_found", "not_found", "version_conflict"]
    );
    let updated: Value = app
        .get(
            &format!("/api/v1/customers/{}", a["id"].as_str().expect("id")),
            &app.staff,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(updated["status"], "at_risk");
    assert_eq!(updated["tags"], json!(["renewal-q4"]));
    assert_eq!(updated["owner_id"], app.staff.user_id.as_str());
    assert_eq!(updated["version"], 2);
    // A bulk status change is on each customer's timeline like any other.
    let timeline: Value = app
        .get(
            &format!(
                "/api/v1/customers/{}/activities?type=status_change",
                a["id"].as_str().expect("id")
            ),
            &app.staff,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(timeline["items"][0]["metadata"]["new_status"], "at_risk");
    let untouched: Value = app
        .get(
            &format!("/api/v1/customers/{}", b["id"].as_str().expect("id")),
            &app.staff,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(untouched["status"], "lead");
    let stranger = app
        .post(
            "/api/v1/customers/bulk/update",
            &app.staff,
            json!({"ids": [a["id"]], "owner_id": app.other.user_id}),
        )
        .await;
    expect_problem(stranger, 422, "validation_failed").await;
}

async fn bulk_delete_and_restore_round_trip(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.create(json!({"name": format!("Bin {i}")})).await["id"].clone());
    }
    let deleted: Value = app
        .post(
            "/api/v1/customers/bulk/delete",
            &app.owner,
            json!({"ids": ids}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(deleted["succeeded"], 5);
    let bin: Value = app
        .get("/api/v1/customers?deleted=true", &app.owner)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(bin["total"], 5);
    let again: Value = app
        .post(
            "/api/v1/customers/bulk/delete",
            &app.owner,
            json!({"ids": ids}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again["failed"], 5);
    let restored: Value = app
        .post(
            "/api/v1/customers/bulk/restore",
            &app.owner,
            json!({"ids": ids}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(restored["succeeded"], 5);
    let live: Value = app
        .get("/api/v1/customers", &app.owner)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(live["total"], 5);
}

async fn bulk_limits_are_enforced(db: Db) {
    let app = TestApp::spawn(db).await;
    let too_many: Vec<String> = (0..1_001)
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    expect_problem(
        app.post(
            "/api/v1/customers/bulk/delete",
            &app.owner,
            json!({"ids": too_many}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.post(
            "/api/v1/customers/bulk/delete",
            &app.owner,
            json!({"ids": []}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let id = uuid::Uuid::now_v7();
    expect_problem(
        app.post(
            "/api/v1/customers/bulk/delete",
            &app.owner,
            json!({"ids": [id, id]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.post(
            "/api/v1/customers/bulk/update",
            &app.owner,
            json!({"ids": [id]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
}
