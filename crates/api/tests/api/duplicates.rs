//! Duplicate detection over HTTP on both databases: the real-time check finds a customer
//! under other spellings through every write path that can change what matching reads.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Db, Login, TestApp, error_fields, expect_problem, json_of};

both!(the_check_finds_a_customer_under_other_spellings_and_explains_why);

async fn check(app: &TestApp, who: &Login, draft: Value) -> Vec<Value> {
    let body = json_of(
        app.post("/api/v1/customers/duplicates/check", who, draft)
            .await,
        200,
    )
    .await;
    body["candidates"].as_array().cloned().unwrap_or_default()
}

fn codes(candidates: &[Value]) -> Vec<String> {
    candidates
        .iter()
        .map(|c| c["customer_code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn the_check_finds_a_customer_under_other_spellings_and_explains_why(db: Db) {
    let app = TestApp::spawn(db).await;
    let acme = app
        .create(
            json!({"name": "Acme Widgets, Inc.", "website": "https://www.acme-widgets.com",
            "phone": "+1 415 555 2671", "country": "US"}),
        )
        .await;
    let acme_id = acme["id"].as_str().expect("id").to_owned();
    let acme_code = acme["customer_code"].as_str().expect("code").to_owned();
    app.create(json!({"name": "Globex Corporation", "website": "globex.example"}))
        .await;
    let contact = app
        .post(
            &format!("/api/v1/customers/{acme_id}/contacts"),
            &app.staff,
            json!({"first_name": "Wile", "last_name": "Coyote", "email": "wile@roadrunner-hunt.example"}),
        )
        .await;
    assert_eq!(contact.status(), 201);

    // A name typed differently: found, likely the same, with the name's evidence.
    let found = check(&app, &app.viewer, json!({"name": "ACME Widgets LLC"})).await;
    assert_eq!(codes(&found), vec![acme_code.clone()], "{found:?}");
    assert_eq!(found[0]["confidence"], "high");
    assert_eq!(found[0]["score"], 1.0);
    assert_eq!(found[0]["evidence"][0]["field"], "name");
    assert_eq!(found[0]["evidence"][0]["rule"], "exact");
    assert_eq!(found[0]["evidence"][0]["left"], "acme widgets");

    // Through a contact's email (another case) and the phone in national format.
    let found = check(
        &app,
        &app.viewer,
        json!({"name": "Acme Widget Co", "email": "WILE@roadrunner-hunt.example",
            "phone": "(415) 555-2671", "country": "US"}),
    )
    .await;
    assert_eq!(codes(&found), vec![acme_code.clone()], "{found:?}");
    let fields: Vec<&str> = found[0]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    // The draft's email domain differs from Acme's website: evidence against, outweighed.
    assert_eq!(fields, vec!["name", "email", "phone", "domain"]);
    assert!(found[0]["evidence"][3]["contribution"].as_f64().expect("n") < 0.0);

    // The record being edited is not its own duplicate; another organisation sees nothing.
    let found = check(
        &app,
        &app.staff,
        json!({"name": "Acme Widgets", "exclude_id": acme_id}),
    )
    .await;
    assert!(found.is_empty(), "{found:?}");
    assert!(
        check(&app, &app.other, json!({"name": "Acme Widgets"}))
            .await
            .is_empty()
    );

    // People: nickname, gmail variant, birth date with day and month swapped.
    let robert = app
        .create(
            json!({"kind": "person", "name": "Robert Smith", "first_name": "Robert",
            "last_name": "Smith", "email": "robert.smith@gmail.com", "birth_date": "1980-04-07"}),
        )
        .await;
    let found = check(
        &app,
        &app.viewer,
        json!({"kind": "person", "first_name": "Bob", "last_name": "Smith",
            "email": "RobertSmith+crm@googlemail.com", "birth_date": "1980-07-04"}),
    )
    .await;
    assert_eq!(
        codes(&found),
        vec![robert["customer_code"].as_str().expect("code").to_owned()]
    );
    let rules: Vec<&str> = found[0]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["rule"].as_str())
        .collect();
    assert_eq!(
        rules,
        vec!["nickname", "exact", "day_month_swapped", "exact"]
    );

    // A rename moves the keys; a deleted customer is no candidate.
    let renamed = app
        .patch(
            &format!("/api/v1/customers/{acme_id}"),
            &app.staff,
            acme["version"].as_i64(),
            json!({"name": "Initech Systems", "website": null, "phone": null}),
        )
        .await;
    assert_eq!(
        renamed.status(),
        200,
        "{}",
        renamed.text().await.unwrap_or_default()
    );
    assert!(
        check(&app, &app.viewer, json!({"name": "Acme Widgets"}))
            .await
            .is_empty()
    );
    let found = check(&app, &app.viewer, json!({"name": "Initech Systems Ltd"})).await;
    assert_eq!(codes(&found), vec![acme_code.clone()]);
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/customers/{acme_id}"),
            Some(&app.staff),
            None,
        )
        .await;
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert!(
        check(&app, &app.viewer, json!({"name": "Initech Systems"}))
            .await
            .is_empty()
    );

    // Imported customers are found too.
    let job = crate::import_jobs::upload(
        &app,
        &app.staff,
        "co.csv",
        b"Name,Website\nHooli XYZ Inc,hooli.example\n".to_vec(),
    )
    .await;
    let job_id = job["id"].as_str().expect("id").to_owned();
    crate::import_jobs::map(
        &app,
        &job_id,
        json!({"template": "custom", "columns": {"Name": "name", "Website": "website"}}),
    )
    .await;
    crate::import_jobs::run_phase(&app, &job_id, "start", "completed").await;
    let found = check(
        &app,
        &app.viewer,
        json!({"website": "https://www.hooli.example/about"}),
    )
    .await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["evidence"][0]["rule"], "registrable_domain");

    // Bad formats are refused together.
    let response = app
        .post(
            "/api/v1/customers/duplicates/check",
            &app.viewer,
            json!({"kind": "robot", "birth_date": "07/04/1980", "country": "Narnia", "limit": 0}),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(
        error_fields(&problem),
        vec!["kind", "birth_date", "country", "limit"]
    );
}
