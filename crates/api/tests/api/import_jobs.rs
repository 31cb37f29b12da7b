//! Import jobs end to end over HTTP: upload real fixture files (vendor exports with BOMs, CRLF,
//! semicolons, UTF-16, Windows-1252, quoted newlines, formula cells, repeated ids), map, dry-run,
//! import in the background, re-import idempotently, download the refused rows, revert.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Db, Login, TestApp, error_fields, expect_problem, json_of};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Uploads `bytes` as the raw body and returns the job.
pub async fn upload(app: &TestApp, who: &Login, name: &str, bytes: Vec<u8>) -> Value {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/imports?file_name={name}")))
        .bearer_auth(&who.token)
        .header("content-type", "text/csv")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "upload failed: {body}");
    body
}

pub async fn map(app: &TestApp, id: &str, mapping: Value) -> Value {
    let response = app
        .send(
            Method::PUT,
            &format!("/api/v1/imports/{id}/mapping"),
            Some(&app.staff),
            Some(mapping),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "mapping failed: {body}");
    body
}

/// Polls the job until its status is `want` (failing fast on `failed`).
pub async fn wait_for(app: &TestApp, id: &str, want: &str) -> Value {
    for _ in 0..600 {
        let job: Value = get_json(app, &format!("/api/v1/imports/{id}")).await;
        if job["status"] == want {
            return job;
        }
        assert_ne!(job["status"], "failed", "job failed: {job}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} never reached {want}");
}

pub async fn run_phase(app: &TestApp, id: &str, action: &str, want: &str) -> Value {
    let response = app
        .post(
            &format!("/api/v1/imports/{id}/{action}"),
            &app.staff,
            json!({}),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 202, "{action} refused: {body}");
    wait_for(app, id, want).await
}

/// `GET path` as the viewer, expecting 200.
async fn get_json(app: &TestApp, path: &str) -> Value {
    json_of(app.get(path, &app.viewer).await, 200).await
}

/// The refused rows as text, for assertion messages.
async fn refused(app: &TestApp, id: &str) -> String {
    app.get(&format!("/api/v1/imports/{id}/errors.csv"), &app.viewer)
        .await
        .text()
        .await
        .unwrap_or_default()
}

async fn find(app: &TestApp, q: &str) -> Vec<Value> {
    let body: Value = get_json(app, &format!("/api/v1/customers?q={}", url_encode(q))).await;
    body["items"].as_array().cloned().unwrap_or_default()
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

both!(
    hubspot_companies_import_validates_imports_reimports_and_reverts,
    encodings_and_delimiters_are_detected,
    salesforce_api_names_and_ui_labels_import_alike,
    custom_mapping_with_transforms_defaults_and_match_policies,
    bad_uploads_and_mappings_get_clear_errors,
    progress_streams_as_server_sent_events,
    cancel_stops_at_a_batch_boundary_and_revert_has_a_window,
);

async fn hubspot_companies_import_validates_imports_reimports_and_reverts(db: Db) {
    let app = TestApp::spawn(db).await;
    let job = upload(
        &app,
        &app.staff,
        "companies.csv",
        fixture("hubspot_companies.csv"),
    )
    .await;
    assert_eq!(job["status"], "uploaded");
    assert_eq!(job["encoding"], "utf-8");
    assert_eq!(job["delimiter"], ",");
    assert_eq!(job["has_header"], true);
    // Seven records: the empty line is not one, the quoted newline is inside one.
    assert_eq!(job["total_rows"], 7);
    let columns = job["columns"].as_array().expect("columns");
    assert_eq!(columns[1]["header"], "Company name");
    assert_eq!(columns[1]["mapping"]["target"], "name");
    assert_eq!(columns[1]["samples"][1], "Zürich Präzision AG");
    assert_eq!(job["sample"][0][13], "Data platform;\r\nrenewal due Q3");
    let id = job["id"].as_str().expect("id").to_owned();

    let mapped = map(&app, &id, json!({"template": "hubspot_companies"})).await;
    assert_eq!(mapped["status"], "mapped");
    assert_eq!(mapped["match_policy"]["by"], "external_id");
    assert_eq!(mapped["match_policy"]["source"], "hubspot");
    let lifecycle = mapped["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["header"] == "Lifecycle Stage")
        .expect("lifecycle column");
    assert_eq!(lifecycle["mapping"]["target"], "status");
    assert_eq!(lifecycle["mapping"]["confidence"], "exact");

    let validated = run_phase(&app, &id, "validate", "validated").await;
    let forecast = &validated["validation"]["counts"];
    assert_eq!(
        (forecast["created"].clone(), forecast["failed"].clone()),
        (json!(4), json!(3)),
        "{validated}"
    );
    let errors = validated["validation"]["errors"]
        .as_array()
        .expect("errors");
    let by_row = |row: u64| {
        errors
            .iter()
            .find(|e| e["row"] == row)
            .unwrap_or_else(|| panic!("no error on row {row}: {errors:?}"))
    };
    assert_eq!(by_row(5)["column"], "Company name");
    assert!(
        by_row(5)["message"]
            .as_str()
            .expect("m")
            .contains("formula")
    );
    assert!(by_row(6)["message"].as_str().expect("m").contains("row 2"));
    assert_eq!(by_row(8)["field"], "billing_address.postal_code");
    assert_eq!(by_row(8)["column"], "Postal Code");
    // A dry run writes nothing.
    assert!(find(&app, "Northwind").await.is_empty());

    let done = run_phase(&app, &id, "start", "completed").await;
    assert_eq!(
        done["counts"],
        json!({"created": 4, "updated": 0, "skipped": 0, "failed": 3})
    );
    assert_eq!(done["progress"]["percent"], 100.0);
    let zurich = find(&app, "Präzision").await;
    assert_eq!(zurich.len(), 1, "{zurich:?}");
    let zurich = &zurich[0];
    assert_eq!(zurich["status"], "onboarding");
    assert_eq!(zurich["company_size"], "51-200");
    assert_eq!(zurich["external_id"], "1002");
    assert_eq!(zurich["source"], "hubspot");
    let customer = zurich["id"].as_str().expect("id");
    let addresses: Value = get_json(&app, &format!("/api/v1/customers/{customer}/addresses")).await;
    assert_eq!(addresses["items"][0]["city"], "Zürich");
    assert_eq!(addresses["items"][0]["country"], "CH");
    assert_eq!(addresses["items"][0]["is_primary"], true);
    let timeline: Value = get_json(&app, &format!("/api/v1/customers/{customer}/activities")).await;
    let import_entry = timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["type"] == "import")
        .expect("import activity");
    assert_eq!(import_entry["metadata"]["import_job_id"], id.as_str());
    let northwind = find(&app, "Northwind Analytics").await;
    assert_eq!(northwind[0]["customer_since"], "2023-04-01");
    assert_eq!(northwind[0]["status"], "active");

    // The refused rows, ready to fix: the file's columns, the row, the reasons; formulas inert.
    let response = app
        .get(&format!("/api/v1/imports/{id}/errors.csv"), &app.viewer)
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(header.get(0), Some("Record ID"));
    let tail: Vec<&str> = header.iter().skip(header.len() - 2).collect();
    assert_eq!(tail, ["row", "errors"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[0][1].starts_with("'="), "{:?}", rows[0]);

    // The same file again, matched by external id: nothing new.
    let again = upload(
        &app,
        &app.staff,
        "companies.csv",
        fixture("hubspot_companies.csv"),
    )
    .await;
    let again_id = again["id"].as_str().expect("id").to_owned();
    map(&app, &again_id, json!({"template": "hubspot_companies"})).await;
    let second = run_phase(&app, &again_id, "start", "completed").await;
    assert_eq!(
        second["counts"],
        json!({"created": 0, "updated": 0, "skipped": 4, "failed": 3})
    );

    // History, newest first, with who and the counts.
    let history: Value = get_json(&app, "/api/v1/imports").await;
    assert_eq!(history["items"][0]["id"], again_id.as_str());
    assert_eq!(history["items"][1]["counts"]["created"], 4);
    assert!(
        history["items"][1]["created_by"]
            .as_str()
            .expect("who")
            .starts_with("staff-")
    );
    assert!(history["items"][1]["revertible_until"].is_string());

    // Another organisation sees none of it.
    let other = app.get(&format!("/api/v1/imports/{id}"), &app.other).await;
    expect_problem(other, 404, "not_found").await;

    // Revert: what the first job created is soft-deleted.
    let reverted = run_phase(&app, &id, "revert", "reverted").await;
    assert!(
        reverted["message"]
            .as_str()
            .expect("message")
            .starts_with("4 created"),
        "{reverted}"
    );
    assert!(find(&app, "Präzision").await.is_empty());
    let gone = app
        .get(&format!("/api/v1/customers/{customer}"), &app.viewer)
        .await;
    expect_problem(gone, 404, "not_found").await;
}

async fn encodings_and_delimiters_are_detected(db: Db) {
    let app = TestApp::spawn(db).await;
    let orgs = upload(
        &app,
        &app.staff,
        "orgs.csv",
        fixture("pipedrive_organizations.csv"),
    )
    .await;
    assert_eq!(orgs["encoding"], "windows-1252");
    assert_eq!(orgs["delimiter"], ";");
    assert_eq!(orgs["sample"][0][1], "Café Müller GmbH");

    let people = upload(
        &app,
        &app.staff,
        "people.csv",
        fixture("pipedrive_people.csv"),
    )
    .await;
    assert_eq!(people["encoding"], "utf-16le");
    assert_eq!(people["delimiter"], "\t");
    let id = people["id"].as_str().expect("id").to_owned();
    map(&app, &id, json!({"template": "pipedrive_people"})).await;
    let done = run_phase(&app, &id, "start", "completed").await;
    assert_eq!(done["counts"]["created"], 2, "{}", refused(&app, &id).await);
    let marie = find(&app, "marie@radium.example").await;
    assert_eq!(marie[0]["kind"], "person");
    assert_eq!(marie[0]["first_name"], "Marie");
    assert_eq!(marie[0]["last_name"], "Skłodowska Curie");
    assert_eq!(marie[0]["tags"], json!(["customer"]));
    let bruce = find(&app, "bruce@example.com").await;
    assert_eq!(bruce[0]["name"], "李 小龍");

    let orgs_id = orgs["id"].as_str().expect("id").to_owned();
    map(
        &app,
        &orgs_id,
        json!({"template": "pipedrive_organizations"}),
    )
    .await;
    let done = run_phase(&app, &orgs_id, "start", "completed").await;
    assert_eq!(
        done["counts"]["created"],
        2,
        "{}",
        refused(&app, &orgs_id).await
    );
    let cafe = find(&app, "Café Müller").await;
    assert_eq!(cafe[0]["website"], "https://cafe-mueller.example");
}

async fn salesforce_api_names_and_ui_labels_import_alike(db: Db) {
    let app = TestApp::spawn(db).await;
    for (file, name, country) in [
        ("salesforce_accounts_api.csv", "Globex Corporation", "US"),
        ("salesforce_accounts_ui.csv", "Umbrella Gesellschaft", "DE"),
    ] {
        let job = upload(&app, &app.staff, file, fixture(file)).await;
        let id = job["id"].as_str().expect("id").to_owned();
        let mapped = map(&app, &id, json!({"template": "salesforce_accounts"})).await;
        let unmapped: Vec<&Value> = mapped["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .filter(|c| c["mapping"].is_null())
            .collect();
        assert!(unmapped.is_empty(), "{file}: unmapped {unmapped:?}");
        let done = run_phase(&app, &id, "start", "completed").await;
        assert_eq!(
            done["counts"]["created"],
            2,
            "{file}: {}",
            refused(&app, &id).await
        );
        let found = find(&app, name).await;
        assert_eq!(found[0]["status"], "active", "{file}");
        let addresses: Value = get_json(
            &app,
            &format!(
                "/api/v1/customers/{}/addresses",
                found[0]["id"].as_str().expect("id")
            ),
        )
        .await;
        assert_eq!(addresses["items"][0]["country"], country, "{file}");
    }
    let globex = find(&app, "Globex").await;
    assert_eq!(globex[0]["customer_code"], "GLX-1");
    assert_eq!(globex[0]["company_size"], "5001+");
    assert_eq!(globex[0]["customer_since"], "2019-05-05");

    let contacts = upload(
        &app,
        &app.staff,
        "c.csv",
        fixture("salesforce_contacts.csv"),
    )
    .await;
    let id = contacts["id"].as_str().expect("id").to_owned();
    map(&app, &id, json!({"template": "salesforce_contacts"})).await;
    let done = run_phase(&app, &id, "start", "completed").await;
    assert_eq!(done["counts"]["created"], 2, "{}", refused(&app, &id).await);
    let grace = find(&app, "Hopper").await;
    let people: Value = get_json(
        &app,
        &format!(
            "/api/v1/customers/{}/contacts",
            grace[0]["id"].as_str().expect("id")
        ),
    )
    .await;
    assert_eq!(people["items"][0]["title"], "Rear Admiral");
    assert_eq!(people["items"][0]["mobile"], "+12025550143");
}

async fn custom_mapping_with_transforms_defaults_and_match_policies(db: Db) {
    let app = TestApp::spawn(db).await;
    let job = upload(
        &app,
        &app.staff,
        "custom.csv",
        fixture("custom_semantics.csv"),
    )
    .await;
    let id = job["id"].as_str().expect("id").to_owned();
    let auto: Vec<(String, String)> = job["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter(|c| !c["mapping"].is_null())
        .map(|c| {
            (
                c["header"].as_str().unwrap_or_default().to_owned(),
                c["mapping"]["confidence"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert!(
        auto.contains(&("E-mail".to_owned(), "exact".to_owned())),
        "{auto:?}"
    );
    assert!(
        auto.contains(&("Tel".to_owned(), "alias".to_owned())),
        "{auto:?}"
    );
    assert!(
        auto.contains(&("MRR".to_owned(), "exact".to_owned())),
        "{auto:?}"
    );

    let mapping = json!({
        "template": "custom",
        "columns": {"Signed": "customer_since", "Tier": null},
        "transforms": {"Signed": [{"type": "date", "format": "%d/%m/%Y"}], "Company": [{"type": "case", "to": "upper"}]},
        "defaults": {"status": "active"},
        "match": {"by": "email", "on_match": "update"}
    });
    map(&app, &id, mapping).await;
    let done = run_phase(&app, &id, "start", "completed").await;
    assert_eq!(
        done["counts"],
        json!({"created": 1, "updated": 0, "skipped": 0, "failed": 2}),
        "{done}"
    );
    let acme = find(&app, "ops@acme-rockets.example").await;
    assert_eq!(acme[0]["name"], "ACME ROCKETS");
    assert_eq!(acme[0]["mrr"], "1250.00");
    assert_eq!(acme[0]["status"], "active");
    assert_eq!(acme[0]["customer_since"], "2024-02-03");
    assert_eq!(acme[0]["tags"], json!(["b2b", "space"]));
    let errors: Value = get_json(&app, &format!("/api/v1/imports/{id}")).await;
    assert!(errors["errors_url"].is_string());
    let text = app
        .get(&format!("/api/v1/imports/{id}/errors.csv"), &app.viewer)
        .await
        .text()
        .await
        .expect("csv");
    assert!(text.contains("Tel (phone)"), "{text}");
    assert!(text.contains("MRR (mrr)"), "{text}");

    // A second file for the same email: fill_empty keeps the phone, update replaces it.
    let changed = "Company,E-mail,Tel\nAcme Rockets,ops@acme-rockets.example,+1 415 555 0199\n";
    let fill = upload(&app, &app.staff, "fill.csv", changed.into()).await;
    let fill_id = fill["id"].as_str().expect("id").to_owned();
    map(
        &app,
        &fill_id,
        json!({"match": {"by": "email", "on_match": "fill_empty"}}),
    )
    .await;
    let filled = run_phase(&app, &fill_id, "start", "completed").await;
    assert_eq!(filled["counts"]["skipped"], 1, "{filled}");
    let skip = upload(&app, &app.staff, "skip.csv", changed.into()).await;
    let skip_id = skip["id"].as_str().expect("id").to_owned();
    map(
        &app,
        &skip_id,
        json!({"match": {"by": "email", "on_match": "skip"}}),
    )
    .await;
    let skipped = run_phase(&app, &skip_id, "start", "completed").await;
    assert_eq!(
        skipped["counts"],
        json!({"created": 0, "updated": 0, "skipped": 1, "failed": 0})
    );
    let acme = find(&app, "ops@acme-rockets.example").await;
    assert_eq!(
        acme[0]["phone"], "+14155550142",
        "skip leaves the customer alone"
    );
    let update = upload(&app, &app.staff, "update.csv", changed.into()).await;
    let update_id = update["id"].as_str().expect("id").to_owned();
    map(
        &app,
        &update_id,
        json!({"match": {"by": "email", "on_match": "update"}}),
    )
    .await;
    let preview = run_phase(&app, &update_id, "validate", "validated").await;
    let change = &preview["validation"]["updates"][0];
    assert_eq!(change["customer_name"], "ACME ROCKETS");
    let fields: Vec<&str> = change["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"phone") && fields.contains(&"name"),
        "{change}"
    );
    let updated = run_phase(&app, &update_id, "start", "completed").await;
    assert_eq!(updated["counts"]["updated"], 1, "{updated}");
    let acme = find(&app, "ops@acme-rockets.example").await;
    assert_eq!(acme[0]["phone"], "+14155550199");
    assert_eq!(acme[0]["name"], "Acme Rockets");
    // Revert puts the earlier fields back.
    run_phase(&app, &update_id, "revert", "reverted").await;
    let acme = find(&app, "ops@acme-rockets.example").await;
    assert_eq!(acme[0]["name"], "ACME ROCKETS");
}

async fn bad_uploads_and_mappings_get_clear_errors(db: Db) {
    let app = TestApp::spawn(db).await;
    // Viewers read; they do not import.
    let response = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&app.viewer.token)
        .body("Name\nAcme\n")
        .send()
        .await
        .expect("upload");
    expect_problem(response, 403, "forbidden").await;
    let response = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&app.staff.token)
        .body("  \n")
        .send()
        .await
        .expect("upload");
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["file"]);

    // multipart/form-data, as a browser form sends it.
    let boundary = "tenure-boundary-7";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.csv\"\r\nContent-Type: text/csv\r\n\r\nName,Email\r\nAcme,a@acme.example\r\n--{boundary}--\r\n"
    );
    let response = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&app.staff.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 201);
    let job: Value = response.json().await.expect("job");
    assert_eq!(job["file_name"], "form.csv");
    assert_eq!(job["total_rows"], 1);
    let id = job["id"].as_str().expect("id").to_owned();

    // Not mapped yet: no dry run, no start.
    let response = app
        .post(
            &format!("/api/v1/imports/{id}/start"),
            &app.staff,
            json!({}),
        )
        .await;
    expect_problem(response, 422, "validation_failed").await;
    let response = app
        .send(
            Method::PUT,
            &format!("/api/v1/imports/{id}/mapping"),
            Some(&app.staff),
            Some(json!({
                "template": "zoho",
                "columns": {"Nope": "name", "Email": "emial"},
                "transforms": {"Name": [{"type": "case", "to": "sideways"}]},
                "match": {"by": "phone"}
            })),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    let fields = error_fields(&problem);
    for field in [
        "template",
        "columns.Nope",
        "columns.Email",
        "transforms.Name[0].to",
        "match.by",
    ] {
        assert!(
            fields.iter().any(|f| f == field),
            "{field} missing from {fields:?}"
        );
    }
    let response = app
        .post(
            &format!("/api/v1/imports/{id}/cancel"),
            &app.staff,
            json!({}),
        )
        .await;
    expect_problem(response, 422, "validation_failed").await;
    let response = app
        .get(
            &format!("/api/v1/imports/{}", uuid::Uuid::now_v7()),
            &app.viewer,
        )
        .await;
    expect_problem(response, 404, "not_found").await;
}

async fn progress_streams_as_server_sent_events(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut csv = String::from("Name,Email\n");
    for i in 0..3000 {
        csv.push_str(&format!("Stream Co {i},s{i}@stream.example\n"));
    }
    let job = upload(&app, &app.staff, "stream.csv", csv.into_bytes()).await;
    let id = job["id"].as_str().expect("id").to_owned();
    map(&app, &id, json!({})).await;
    // EventSource cannot send headers: the token rides in the query.
    let mut events = app
        .client
        .get(app.url(&format!("/api/v1/events?access_token={}", app.viewer.token)))
        .send()
        .await
        .expect("events");
    assert_eq!(events.status(), 200);
    assert_eq!(
        events.headers()["content-type"].to_str().expect("type"),
        "text/event-stream"
    );
    let response = app
        .post(
            &format!("/api/v1/imports/{id}/start"),
            &app.staff,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let mut buffer = String::new();
    let mut statuses = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    'read: while tokio::time::Instant::now() < deadline {
        let chunk = tokio::time::timeout(Duration::from_secs(20), events.chunk())
            .await
            .expect("an event within 20 s")
            .expect("stream")
            .expect("open stream");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) else {
                continue;
            };
            assert!(event.contains("event: import.progress"), "{event}");
            let view: Value = serde_json::from_str(data).expect("event json");
            if view["id"] != id.as_str() {
                continue;
            }
            statuses.push(view["status"].as_str().unwrap_or_default().to_owned());
            if view["status"] == "completed" {
                assert_eq!(view["progress"]["percent"], 100.0);
                assert_eq!(view["counts"]["created"], 3000);
                break 'read;
            }
        }
    }
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("completed"),
        "{statuses:?}"
    );
    // Without a token in the query or a header, the stream is closed to strangers.
    let response = app
        .client
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .expect("events");
    expect_problem(response, 401, "unauthenticated").await;
}

async fn cancel_stops_at_a_batch_boundary_and_revert_has_a_window(db: Db) {
    let app = TestApp::spawn(db).await;
    // No header row: the columns are named by position.
    let rows = 30_000;
    let text: String = (0..rows)
        .map(|i| format!("Cancelled Co {i},c{i}@cancel.example\n"))
        .collect();
    let response = app
        .client
        .post(app.url("/api/v1/imports?file_name=big.csv&has_header=false"))
        .bearer_auth(&app.staff.token)
        .body(text)
        .send()
        .await
        .expect("upload");
    let job = json_of(response, 201).await;
    assert_eq!(job["has_header"], false);
    assert_eq!(job["total_rows"], rows);
    let id = job["id"].as_str().expect("id").to_owned();
    map(
        &app,
        &id,
        json!({"columns": {"Column 1": "name", "Column 2": "email"}}),
    )
    .await;
    let response = app
        .post(
            &format!("/api/v1/imports/{id}/start"),
            &app.staff,
            json!({}),
        )
        .await;
    json_of(response, 202).await;
    // Cancel once the first batch is in, so there is something to stop.
    loop {
        let job = get_json(&app, &format!("/api/v1/imports/{id}")).await;
        assert_ne!(
            job["status"], "completed",
            "finished before it could be cancelled"
        );
        if job["progress"]["rows_done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let response = app
        .post(
            &format!("/api/v1/imports/{id}/cancel"),
            &app.staff,
            json!({}),
        )
        .await;
    let asked = json_of(response, 200).await;
    assert_eq!(asked["cancel_requested"], true);
    let cancelled = wait_for(&app, &id, "cancelled").await;
    let created = cancelled["counts"]["created"].as_u64().expect("created");
    assert!(created > 0 && created < rows, "{cancelled}");
    assert_eq!(created % 2_000, 0, "stops between batches: {cancelled}");
    assert!(
        cancelled["message"]
            .as_str()
            .expect("message")
            .starts_with("cancelled after")
    );
    // A cancelled import cannot be restarted, but what it did can be reverted for 7 days.
    let response = app
        .post(
            &format!("/api/v1/imports/{id}/start"),
            &app.staff,
            json!({}),
        )
        .await;
    expect_problem(response, 422, "validation_failed").await;
    use sea_orm::ConnectionTrait;
    let raw = sea_orm::Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    let backend = raw.get_database_backend();
    // Eight days ago, in each backend's own date arithmetic.
    let aged = if backend == sea_orm::DbBackend::Postgres {
        "UPDATE import_jobs SET finished_at = finished_at - interval '8 days' WHERE id = $1"
    } else {
        "UPDATE import_jobs SET finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', finished_at, '-8 days') WHERE id = ?"
    };
    let job_id: uuid::Uuid = id.parse().expect("uuid");
    raw.execute_raw(sea_orm::Statement::from_sql_and_values(
        backend,
        aged,
        vec![job_id.into()],
    ))
    .await
    .expect("age the job");
    let response = app
        .post(
            &format!("/api/v1/imports/{id}/revert"),
            &app.staff,
            json!({}),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("7 days")
    );
}

both!(saved_mappings_are_kept_per_organisation_and_checked);

async fn saved_mappings_are_kept_per_organisation_and_checked(db: Db) {
    let app = TestApp::spawn(db).await;
    let mapping = json!({"template": "custom", "columns": {"Firma": "name", "Mail": "email", "Alt": null},
        "transforms": {"Firma": [{"type": "case", "to": "title"}]},
        "defaults": {"status": "active"}, "match": {"by": "email", "on_match": "fill_empty"}});
    let response = app
        .post(
            "/api/v1/import-mappings",
            &app.viewer,
            json!({"name": "Monthly ERP", "mapping": mapping}),
        )
        .await;
    expect_problem(response, 403, "forbidden").await;
    let saved = json_of(
        app.post(
            "/api/v1/import-mappings",
            &app.staff,
            json!({"name": " Monthly ERP ", "mapping": mapping}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(saved["name"], "Monthly ERP");
    assert_eq!(saved["mapping"]["columns"]["Firma"], "name");
    assert_eq!(saved["mapping"]["match"]["on_match"], "fill_empty");
    let id = saved["id"].as_str().expect("id").to_owned();

    // Names are unique per organisation; bad names, templates, targets and transforms are
    // refused together.
    let response = app
        .post(
            "/api/v1/import-mappings",
            &app.staff,
            json!({"name": "Monthly ERP", "mapping": {}}),
        )
        .await;
    expect_problem(response, 409, "conflict").await;
    let response = app
        .post(
            "/api/v1/import-mappings",
            &app.staff,
            json!({"name": "", "mapping": {"template": "zoho", "columns": {"A": "shoe_size"},
                "transforms": {"A": [{"type": "case", "to": "sideways"}]}}}),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    let fields = error_fields(&problem);
    for field in [
        "name",
        "mapping.template",
        "mapping.columns.A",
        "mapping.transforms.A[0].to",
    ] {
        assert!(fields.contains(&field.to_owned()), "{field}: {fields:?}");
    }
    let other = app
        .post(
            "/api/v1/import-mappings",
            &app.other,
            json!({"name": "Monthly ERP", "mapping": {}}),
        )
        .await;
    assert_eq!(
        other.status(),
        201,
        "another organisation has its own names"
    );

    // Applied to a file, the saved body maps it as if typed.
    let job = upload(
        &app,
        &app.staff,
        "erp.csv",
        b"Firma,Mail,Alt\nacme gmbh,info@acme-erp.example,x\n".to_vec(),
    )
    .await;
    let job_id = job["id"].as_str().expect("id").to_owned();
    let list = get_json(&app, "/api/v1/import-mappings").await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    let mapped = map(&app, &job_id, list["items"][0]["mapping"].clone()).await;
    assert_eq!(mapped["status"], "mapped");
    let done = run_phase(&app, &job_id, "start", "completed").await;
    assert_eq!(done["counts"]["created"], 1, "{done}");
    assert_eq!(
        find(&app, "info@acme-erp.example").await[0]["name"],
        "Acme Gmbh"
    );

    // Rename and replace; delete; a deleted or foreign id is a 404.
    let renamed = json_of(
        app.send(
            Method::PUT,
            &format!("/api/v1/import-mappings/{id}"),
            Some(&app.staff),
            Some(json!({"name": "ERP v2", "mapping": {"template": "hubspot_companies"}})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(renamed["name"], "ERP v2");
    assert_eq!(renamed["mapping"]["template"], "hubspot_companies");
    let response = app
        .send(
            Method::DELETE,
            &format!("/api/v1/import-mappings/{id}"),
            Some(&app.other),
            None,
        )
        .await;
    expect_problem(response, 404, "not_found").await;
    let response = app
        .send(
            Method::DELETE,
            &format!("/api/v1/import-mappings/{id}"),
            Some(&app.staff),
            None,
        )
        .await;
    assert_eq!(response.status(), 204);
    let list = get_json(&app, "/api/v1/import-mappings").await;
    assert!(list["items"].as_array().expect("items").is_empty());
}
