//! The CSV export: same filters as the list, every row, formula injection neutralised.

use serde_json::json;

use crate::both;
use crate::harness::{Db, TestApp};

both!(export_streams_the_filter_and_neutralises_formulas);

async fn export_streams_the_filter_and_neutralises_formulas(db: Db) {
    let app = TestApp::spawn(db).await;
    app.store
        .bulk_insert_customers(app.org.id, 2_345, 11, &[])
        .await
        .expect("seed");
    // A tier named like a formula (an owner typed it; the export must still neutralise it).
    let tier = app
        .post(
            "/api/v1/tiers",
            &app.owner,
            json!({"name": "@SUM(A1)", "level": 1}),
        )
        .await;
    assert_eq!(tier.status(), 201);
    app.create(json!({"name": "=HYPERLINK(\"http://evil.example\")", "status": "active", "phone": "+14155552671", "plan": "-5", "tier": "@SUM(A1)"}))
        .await;
    let response = app.get("/api/v1/customers/export.csv", &app.viewer).await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment; filename=\"customers-"))
    );
    let text = response.text().await.expect("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(&headers[0], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2_346);
    let column = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let evil = rows
        .iter()
        .find(|r| r[column("name")].contains("HYPERLINK"))
        .expect("evil row");
    assert_eq!(
        &evil[column("name")],
        "'=HYPERLINK(\"http://evil.example\")"
    );
    assert_eq!(&evil[column("phone")], "+14155552671");
    assert_eq!(&evil[column("plan")], "-5");
    assert_eq!(&evil[column("tier")], "'@SUM(A1)");
    let ids: std::collections::HashSet<&str> =
        rows.iter().map(|r| r.get(0).unwrap_or_default()).collect();
    assert_eq!(ids.len(), rows.len(), "no row twice across chunks");
    let filtered = app
        .get("/api/v1/customers/export.csv?status=churned", &app.viewer)
        .await
        .text()
        .await
        .expect("csv");
    let mut reader = csv::Reader::from_reader(filtered.as_bytes());
    let status = reader
        .headers()
        .expect("headers")
        .iter()
        .position(|h| h == "status")
        .expect("status");
    let statuses: Vec<String> = reader
        .records()
        .map(|r| r.expect("row")[status].to_owned())
        .collect();
    assert!(!statuses.is_empty());
    assert!(statuses.iter().all(|s| s == "churned"));
}
