//! The CSV export: same filters as the list, every row, formula injection neutralised.

use serde_json::json;

use crate::both;
use crate::harness::{Db, TestApp, error_fields, expect_problem};

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

both!(export_writes_the_chosen_columns_as_csv_or_xlsx);

async fn export_writes_the_chosen_columns_as_csv_or_xlsx(db: Db) {
    use std::io::Read;

    let app = TestApp::spawn(db).await;
    app.store
        .bulk_insert_customers(app.org.id, 1_234, 5, &[])
        .await
        .expect("seed");
    app.create(json!({"name": "Zephyr Export Ltd", "email": "ops@zephyr.example", "mrr": "1250.50", "status": "active"}))
        .await;

    // CSV: only the chosen columns, in the order asked, over the same filter as the list.
    let response = app
        .get(
            "/api/v1/customers/export.csv?q=zephyr&columns=email,name,mrr",
            &app.viewer,
        )
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("csv");
    assert_eq!(
        text,
        "email,name,mrr\nops@zephyr.example,Zephyr Export Ltd,1250.50\n"
    );

    // Unknown or repeated columns are refused, naming the field.
    for bad in ["name,shoe_size", "name,name", ","] {
        let response = app
            .get(
                &format!("/api/v1/customers/export.csv?columns={bad}"),
                &app.viewer,
            )
            .await;
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(error_fields(&problem), vec!["columns".to_owned()], "{bad}");
    }

    // XLSX: a workbook whose sheet has the header and every customer, money as numbers.
    let response = app
        .get(
            "/api/v1/customers/export.xlsx?columns=customer_code,name,mrr",
            &app.viewer,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.expect("xlsx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("sheet1")
        .read_to_string(&mut sheet)
        .expect("utf-8");
    let rows = sheet.matches("<row ").count();
    assert_eq!(rows, 1 + 1_235, "a header and every customer");
    let mut strings = String::new();
    if let Ok(mut shared) = zip.by_name("xl/sharedStrings.xml") {
        shared.read_to_string(&mut strings).expect("utf-8");
    }
    let text = format!("{sheet}{strings}");
    for expected in ["customer_code", "name", "mrr", "Zephyr Export Ltd"] {
        assert!(text.contains(expected), "{expected} missing");
    }
    assert!(sheet.contains("<v>1250.5</v>"), "MRR is a number");

    let response = app
        .get("/api/v1/customers/export.xlsx?columns=nope", &app.viewer)
        .await;
    expect_problem(response, 422, "validation_failed").await;
}
