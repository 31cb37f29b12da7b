//! Bad input of every kind gets a problem document with a stable code, never a 500.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::harness::{Db, TestApp, error_fields, expect_problem};

both!(
    malformed_requests_get_clear_problems,
    unknown_api_paths_are_json_404s,
    values_postgresql_cannot_store_are_refused_not_crashed_on,
);

async fn values_postgresql_cannot_store_are_refused_not_crashed_on(db: Db) {
    let app = TestApp::spawn(db).await;
    let ancient = app
        .post(
            "/api/v1/customers",
            &app.owner,
            json!({"kind": "person", "first_name": "Old", "birth_date": "-5000-01-01"}),
        )
        .await;
    let problem = expect_problem(ancient, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["birth_date"]);
    let nul = app
        .post(
            "/api/v1/customers",
            &app.owner,
            json!({"name": "Nul Co", "custom_fields": {"k": "a\u{0}b"}}),
        )
        .await;
    let problem = expect_problem(nul, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["custom_fields"]);
    for query in ["tier=%00", "created_from=-5000-01-01", "plan=a%00b"] {
        let response = app
            .get(&format!("/api/v1/customers?{query}"), &app.owner)
            .await;
        expect_problem(response, 422, "validation_failed").await;
    }
    let login = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "a\u{0}b@x.example", "password": "whatever"})),
        )
        .await;
    expect_problem(login, 401, "invalid_credentials").await;
}

async fn malformed_requests_get_clear_problems(db: Db) {
    let app = TestApp::spawn(db).await;
    let raw = |body: &'static str, content_type: &'static str| {
        app.client
            .post(app.url("/api/v1/customers"))
            .bearer_auth(&app.owner.token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    expect_problem(
        raw("{\"name\": ", "application/json").await.expect("req"),
        400,
        "malformed_json",
    )
    .await;
    expect_problem(
        raw("name=x", "text/plain").await.expect("req"),
        415,
        "unsupported_media_type",
    )
    .await;
    let wrong_type = app
        .post("/api/v1/customers", &app.owner, json!({"name": 5}))
        .await;
    expect_problem(wrong_type, 422, "validation_failed").await;
    let unknown = app
        .post(
            "/api/v1/customers",
            &app.owner,
            json!({"name": "X", "colour": "red"}),
        )
        .await;
    let problem = expect_problem(unknown, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["colour"]);
    let huge = json!({"name": "Big", "notes": "x".repeat(1_100_000)});
    expect_problem(
        app.post("/api/v1/customers", &app.owner, huge).await,
        413,
        "payload_too_large",
    )
    .await;
    expect_problem(
        app.get("/api/v1/customers/not-a-uuid", &app.owner).await,
        400,
        "invalid_id",
    )
    .await;
    for (query, field) in [
        ("limit=100000", "limit"),
        ("limit=0", "limit"),
        ("cursor=garbage", "cursor"),
        ("sort=-salary", "sort"),
        ("status=sleeping", "status"),
        ("health_min=200", "health_min"),
        ("health_min=80&health_max=20", "health_min"),
        ("created_from=yesterday", "created_from"),
        ("page=0", "page"),
        ("view=vip", "view"),
        ("owner=nobody", "owner"),
    ] {
        let response = app
            .get(&format!("/api/v1/customers?{query}"), &app.owner)
            .await;
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert!(
            error_fields(&problem).contains(&field.to_owned()),
            "{query}: {problem}"
        );
    }
    let unknown_param = app.get("/api/v1/customers?colour=red", &app.owner).await;
    expect_problem(unknown_param, 422, "validation_failed").await;
    let deep = app
        .get("/api/v1/customers?page=100000&per_page=500", &app.owner)
        .await;
    expect_problem(deep, 422, "validation_failed").await;
    let bad_if_match = app
        .client
        .patch(app.url(&format!("/api/v1/customers/{}", uuid::Uuid::now_v7())))
        .bearer_auth(&app.owner.token)
        .header("content-type", "application/json")
        .header("if-match", "banana")
        .body("{}")
        .send()
        .await
        .expect("req");
    expect_problem(bad_if_match, 400, "bad_request").await;
    let not_object = app
        .client
        .patch(app.url(&format!("/api/v1/customers/{}", uuid::Uuid::now_v7())))
        .bearer_auth(&app.owner.token)
        .header("content-type", "application/json")
        .header("if-match", "\"1\"")
        .body("[1, 2]")
        .send()
        .await
        .expect("req");
    expect_problem(not_object, 400, "malformed_json").await;
}

async fn unknown_api_paths_are_json_404s(db: Db) {
    let app = TestApp::spawn(db).await;
    let response = app
        .send(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    expect_problem(response, 404, "not_found").await;
}
