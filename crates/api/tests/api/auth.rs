//! Sign-in, tokens, refresh, sign-out, throttling and what each role may do.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Db, PASSWORD, TestApp, expect_problem};

both!(
    login_issues_tokens_and_me_describes_the_user,
    wrong_password_and_unknown_email_look_the_same,
    requests_without_a_valid_token_are_unauthenticated,
    refresh_rotates_and_a_spent_token_is_refused,
    logout_revokes_the_refresh_token,
    repeated_failures_are_throttled_with_retry_after,
    parallel_guesses_are_throttled_like_sequential_ones,
    each_role_gets_exactly_its_permissions,
);

async fn login_issues_tokens_and_me_describes_the_user(db: Db) {
    let app = TestApp::spawn(db).await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": app.owner.email.to_uppercase(), "password": PASSWORD})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("rt_"))
    );
    let me: Value = app
        .get("/api/v1/me", &app.owner)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["user"]["email"], app.owner.email);
    assert_eq!(me["user"]["role"], "owner");
    assert_eq!(me["organization"]["name"], app.org.name);
    let permissions: Vec<&str> = me["permissions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        permissions,
        [
            "customers:read",
            "customers:write",
            "campaigns:write",
            "settings:write",
            "billing:write",
            "data:erase"
        ]
    );
}

async fn wrong_password_and_unknown_email_look_the_same(db: Db) {
    let app = TestApp::spawn(db).await;
    let wrong = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": app.staff.email, "password": "nope-nope"})),
        )
        .await;
    let body = expect_problem(wrong, 401, "invalid_credentials").await;
    let unknown = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "ghost@test.example", "password": "nope-nope"})),
        )
        .await;
    let other = expect_problem(unknown, 401, "invalid_credentials").await;
    assert_eq!(body, other);
}

async fn requests_without_a_valid_token_are_unauthenticated(db: Db) {
    let app = TestApp::spawn(db).await;
    let none = app.send(Method::GET, "/api/v1/customers", None, None).await;
    assert_eq!(
        none.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    expect_problem(none, 401, "unauthenticated").await;
    let garbage = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth("not.a.jwt")
        .send()
        .await
        .expect("request");
    expect_problem(garbage, 401, "unauthenticated").await;
    let forged =
        tenure_api::auth::token::Tokens::new("another-secret-with-more-than-32-characters")
            .issue(tenure_domain::ids::UserId::new(), app.org.id)
            .expect("token");
    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(forged)
        .send()
        .await
        .expect("request");
    expect_problem(response, 401, "unauthenticated").await;
}

async fn refresh_rotates_and_a_spent_token_is_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let first = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": app.staff.refresh_token})),
        )
        .await;
    assert_eq!(first.status(), 200);
    let body: Value = first.json().await.expect("json");
    let new_access = body["access_token"].as_str().expect("access");
    assert_ne!(body["refresh_token"], app.staff.refresh_token.as_str());
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(new_access)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), 200);
    let again = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": app.staff.refresh_token})),
        )
        .await;
    expect_problem(again, 401, "unauthenticated").await;
}

async fn logout_revokes_the_refresh_token(db: Db) {
    let app = TestApp::spawn(db).await;
    let out = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            Some(json!({"refresh_token": app.viewer.refresh_token})),
        )
        .await;
    assert_eq!(out.status(), 204);
    let refresh = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": app.viewer.refresh_token})),
        )
        .await;
    expect_problem(refresh, 401, "unauthenticated").await;
}

async fn repeated_failures_are_throttled_with_retry_after(db: Db) {
    let app = TestApp::spawn(db).await;
    let attempt = |password: &'static str| {
        app.send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": app.viewer.email, "password": password})),
        )
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong-password").await.status(), 401);
    }
    let throttled = attempt(PASSWORD).await;
    let retry_after: u64 = throttled
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry_after > 0 && retry_after <= 900);
    expect_problem(throttled, 429, "too_many_requests").await;
    // Another account from the same address is not locked out by these five.
    let other = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": app.staff.email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(other.status(), 200);
}

async fn each_role_gets_exactly_its_permissions(db: Db) {
    let app = TestApp::spawn(db).await;
    let body = json!({"name": "Role Check Ltd"});
    for (who, can_write) in [(&app.viewer, false), (&app.staff, true), (&app.owner, true)] {
        let list = app.get("/api/v1/customers", who).await;
        assert_eq!(list.status(), 200, "{} lists", who.email);
        let create = app.post("/api/v1/customers", who, body.clone()).await;
        if can_write {
            assert_eq!(create.status(), 201, "{} creates", who.email);
        } else {
            let problem = expect_problem(create, 403, "forbidden").await;
            assert!(
                problem["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("customers:write"))
            );
        }
    }
    let customer = app.create(json!({"name": "Viewer Target"})).await;
    let id = customer["id"].as_str().expect("id");
    let path = format!("/api/v1/customers/{id}");
    expect_problem(
        app.patch(&path, &app.viewer, Some(1), json!({"name": "x"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.send(Method::DELETE, &path, Some(&app.viewer), None)
            .await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.post(&format!("{path}/restore"), &app.viewer, json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.post(
            "/api/v1/customers/bulk/delete",
            &app.viewer,
            json!({"ids": [id]}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(app.get(&path, &app.viewer).await.status(), 200);
    assert_eq!(
        app.get("/api/v1/customers/export.csv", &app.viewer)
            .await
            .status(),
        200
    );
}

async fn parallel_guesses_are_throttled_like_sequential_ones(db: Db) {
    let app = TestApp::spawn(db).await;
    let guesses = (0..12).map(|i| {
        app.send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": app.staff.email, "password": format!("guess-{i}")})),
        )
    });
    let statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        7,
        "{statuses:?}"
    );
}
