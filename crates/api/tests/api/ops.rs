//! Operations endpoints, request ids and the served OpenAPI document.

use reqwest::Method;
use serde_json::Value;

use crate::both;
use crate::harness::{Db, TestApp};

both!(health_readiness_metrics_and_request_ids_work);

async fn health_readiness_metrics_and_request_ids_work(db: Db) {
    let app = TestApp::spawn(db).await;
    let health = app.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status(), 200);
    assert!(
        health
            .headers()
            .get("x-request-id")
            .is_some_and(|v| !v.is_empty())
    );
    assert_eq!(
        app.send(Method::GET, "/readyz", None, None).await.status(),
        200
    );
    let _ = app.get("/api/v1/customers", &app.owner).await;
    let metrics = app
        .send(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .expect("text");
    assert!(metrics.contains(
        "tenure_http_requests_total{method=\"GET\",route=\"/api/v1/customers\",status=\"200\"}"
    ));
    let spec: Value = app
        .send(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .json()
        .await
        .expect("spec");
    assert!(spec["paths"]["/api/v1/customers/{id}"]["patch"].is_object());
    assert_eq!(
        spec,
        serde_json::to_value(tenure_api::openapi::document()).expect("document")
    );
    let docs = app.send(Method::GET, "/docs/", None, None).await;
    assert_eq!(docs.status(), 200);
    let home = app
        .send(Method::GET, "/", None, None)
        .await
        .text()
        .await
        .expect("home");
    assert!(home.contains("/docs/"));
}
