//! The SPA's serving (history-API fallback, hashed assets, caching, gzip) and the two endpoints
//! it needs before and around sign-in: `/instance` and `/users`.
//!
//! The bundle is embedded only when `frontend/dist` was built (`cargo xtask test` builds it
//! first); without it the same paths answer the placeholder page, and the asset checks are
//! skipped with a note rather than asserting on nothing.

use reqwest::Method;
use serde_json::Value;

use crate::both;
use crate::harness::{Db, TestApp, expect_problem};

both!(page_paths_answer_the_app_and_api_paths_stay_json);
both!(instance_is_public_and_lists_no_demo_logins_outside_demo_mode);
both!(users_lists_only_the_callers_organisation);

async fn page_paths_answer_the_app_and_api_paths_stay_json(db: Db) {
    let app = TestApp::spawn(db).await;
    for path in [
        "/customers?status=active&sort=-ltv",
        "/customers/new",
        "/settings",
        "/",
    ] {
        let page = app.send(Method::GET, path, None, None).await;
        assert_eq!(page.status(), 200, "{path}");
        let header = |name: &str| {
            page.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(header("content-type").starts_with("text/html"), "{path}");
        assert_eq!(
            header("cache-control"),
            "no-cache",
            "{path}: the page is never stale"
        );
        if tenure_api::spa::is_embedded() {
            assert!(header("content-security-policy").contains("default-src 'self'"));
        }
    }
    expect_problem(
        app.send(Method::GET, "/api/v1/nope", None, None).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.send(Method::GET, "/api", None, None).await,
        404,
        "not_found",
    )
    .await;
    let missing = app
        .send(Method::GET, "/assets/missing-0123.js", None, None)
        .await;
    assert_eq!(missing.status(), 404, "a missing file is not the app page");
    let post = app.send(Method::POST, "/customers", None, None).await;
    assert_eq!(post.status(), 405);

    if !tenure_api::spa::is_embedded() {
        eprintln!("note: built without frontend/dist; the asset checks need `cargo xtask test`");
        return;
    }
    let index = app
        .send(Method::GET, "/", None, None)
        .await
        .text()
        .await
        .expect("index");
    let wasm = asset(&index, ".wasm").expect("index.html names the wasm");
    let response = app
        .client
        .get(app.url(&wasm))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("wasm");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/wasm");
    assert_eq!(headers["content-encoding"], "gzip");
    assert!(
        headers["cache-control"]
            .to_str()
            .expect("text")
            .contains("immutable")
    );
    let etag = headers["etag"].clone();
    let again = app
        .client
        .get(app.url(&wasm))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("revalidate");
    assert_eq!(again.status(), 304);
    let plain = app.client.get(app.url(&wasm)).send().await.expect("plain");
    assert!(plain.headers().get("content-encoding").is_none());
    let bytes = plain.bytes().await.expect("bytes");
    assert_eq!(&bytes[..4], b"\0asm", "the wasm module itself");
}

/// The first `/assets/...` path in `html` ending in `suffix`.
fn asset(html: &str, suffix: &str) -> Option<String> {
    html.split('"')
        .find(|part| part.starts_with("/assets/") && part.ends_with(suffix))
        .map(str::to_owned)
}

async fn instance_is_public_and_lists_no_demo_logins_outside_demo_mode(db: Db) {
    let app = TestApp::spawn(db).await;
    let response = app.send(Method::GET, "/api/v1/instance", None, None).await;
    assert_eq!(response.status(), 200);
    let info: Value = response.json().await.expect("json");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["demo_logins"], serde_json::json!([]));
}

async fn users_lists_only_the_callers_organisation(db: Db) {
    let app = TestApp::spawn(db).await;
    let response = app.get("/api/v1/users", &app.viewer).await;
    assert_eq!(response.status(), 200);
    let users: Value = response.json().await.expect("json");
    let mut emails: Vec<&str> = users["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["email"].as_str().expect("email"))
        .collect();
    emails.sort_unstable();
    let mut expected = vec![
        app.owner.email.as_str(),
        app.staff.email.as_str(),
        app.viewer.email.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(
        emails, expected,
        "the other organisation's owner is not listed"
    );
    let roles: Vec<&str> = users["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["role"].as_str().expect("role"))
        .collect();
    assert!(roles.contains(&"owner") && roles.contains(&"viewer"));
    expect_problem(
        app.send(Method::GET, "/api/v1/users", None, None).await,
        401,
        "unauthenticated",
    )
    .await;
}
