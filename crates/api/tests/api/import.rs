//! Imports: the vendor templates the wizard offers.

use serde_json::Value;

use crate::both;
use crate::harness::{Db, TestApp, expect_problem};

both!(import_templates_name_every_vendor_export_and_target);

async fn import_templates_name_every_vendor_export_and_target(db: Db) {
    let app = TestApp::spawn(db).await;
    let response = app.get("/api/v1/import-templates", &app.viewer).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    let ids: Vec<&str> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "hubspot_companies",
            "hubspot_contacts",
            "salesforce_accounts",
            "salesforce_contacts",
            "pipedrive_organizations",
            "pipedrive_people"
        ]
    );
    let salesforce = &body["items"][2];
    let city = salesforce["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["header"] == "BillingCity")
        .expect("BillingCity");
    assert_eq!(city["aliases"][0], "Billing City");
    assert_eq!(city["target"], "billing_address.city");
    let stage = body["items"][0]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["target"] == "status")
        .expect("status column");
    assert!(
        stage["transform"]
            .as_str()
            .is_some_and(|t| t.contains("customer → active"))
    );
    let targets: Vec<&str> = body["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(targets.contains(&"billing_address.postal_code"));
    assert!(targets.contains(&"full_name"));
    let anonymous = app
        .send(reqwest::Method::GET, "/api/v1/import-templates", None, None)
        .await;
    expect_problem(anonymous, 401, "unauthenticated").await;
}
