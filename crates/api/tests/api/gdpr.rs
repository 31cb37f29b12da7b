//! GDPR: the access export of one customer as a ZIP, on both backends.

use std::io::Read;

use serde_json::{Value, json};

use crate::both;
use crate::harness::{Db, TestApp, expect_problem};

both!(gdpr_export_holds_every_table_about_the_customer_and_is_audited);

async fn gdpr_export_holds_every_table_about_the_customer_and_is_audited(db: Db) {
    let app = TestApp::spawn(db).await;
    let customer = app
        .create(
            json!({"name": "Erasmus Data GmbH", "email": "dpo@erasmus.example", "country": "DE"}),
        )
        .await;
    let id = customer["id"].as_str().expect("id");
    let contact = app
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            &app.staff,
            json!({"first_name": "Ada", "last_name": "Data", "email": "ada@erasmus.example"}),
        )
        .await;
    assert_eq!(contact.status(), 201);
    let address = app
        .post(
            &format!("/api/v1/customers/{id}/addresses"),
            &app.staff,
            json!({"kind": "billing", "line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117", "country": "DE"}),
        )
        .await;
    assert_eq!(address.status(), 201);
    let note = app
        .post(
            &format!("/api/v1/customers/{id}/activities"),
            &app.staff,
            json!({"type": "note", "subject": "Asked for their data", "body": "=cmd|' /C calc'!A0"}),
        )
        .await;
    assert_eq!(
        note.status(),
        201,
        "{}",
        note.text().await.unwrap_or_default()
    );

    // Viewers may not take personal data out; another organisation sees nothing.
    let response = app
        .get(&format!("/api/v1/customers/{id}/gdpr-export"), &app.viewer)
        .await;
    expect_problem(response, 403, "forbidden").await;
    let response = app
        .get(&format!("/api/v1/customers/{id}/gdpr-export"), &app.other)
        .await;
    expect_problem(response, 404, "not_found").await;

    let response = app
        .get(&format!("/api/v1/customers/{id}/gdpr-export"), &app.staff)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("disposition")
            .contains("gdpr-CUS-")
    );
    let bytes = response.bytes().await.expect("zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("file name").into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = [
        "customer",
        "contacts",
        "addresses",
        "activities",
        "ledger_entries",
        "flags",
        "audit_log",
    ]
    .iter()
    .flat_map(|t| [format!("{t}.json"), format!("{t}.csv")])
    .collect();
    expected.sort();
    assert_eq!(names, expected);
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .expect(name)
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    };
    let customer_json: Value = serde_json::from_str(&read("customer.json")).expect("json");
    assert_eq!(customer_json[0]["email"], "dpo@erasmus.example");
    let contacts: Value = serde_json::from_str(&read("contacts.json")).expect("json");
    assert_eq!(contacts[0]["email"], "ada@erasmus.example");
    let addresses: Value = serde_json::from_str(&read("addresses.json")).expect("json");
    assert_eq!(addresses[0]["city"], "Berlin");
    let activities = read("activities.csv");
    assert!(activities.contains("Asked for their data"), "{activities}");
    assert!(
        activities.contains("'=cmd"),
        "formulas are neutralised: {activities}"
    );
    let audit: Value = serde_json::from_str(&read("audit_log.json")).expect("json");
    let actions: Vec<&str> = audit
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"customer.created"), "{actions:?}");
    assert!(actions.contains(&"contact.created"), "{actions:?}");
    assert!(actions.contains(&"address.created"), "{actions:?}");

    // The export itself is on the record.
    let trail = app
        .store
        .audit_entries_for(app.org.id, "customer", id.parse().expect("uuid"))
        .await
        .expect("audit");
    assert_eq!(trail[0].action, "customer.gdpr_exported");
    assert!(trail[0].actor_label.starts_with("staff-"));
}
