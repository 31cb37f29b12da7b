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

both!(erasure_anonymises_the_person_everywhere_and_leaves_a_proof);

/// Rows of every table of the database whose text holds `needle` (case-insensitive). On
/// PostgreSQL a row's text form; on SQLite every column cast to text.
async fn rows_holding(app: &TestApp, needle: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = sea_orm::Database::connect(&app.database_url)
        .await
        .expect("connect");
    let backend = db.get_database_backend();
    let tables_sql = match backend {
        DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, tables_sql))
        .await
        .expect("tables")
        .iter()
        .map(|row| row.try_get::<String>("", "name").expect("name"))
        .collect();
    let pattern = format!("%{}%", needle.to_lowercase());
    let mut found = Vec::new();
    for table in tables {
        let haystack = match backend {
            DbBackend::Postgres => "lower(t::text)".to_owned(),
            _ => {
                let columns: Vec<String> = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT name FROM pragma_table_info('{table}')"),
                    ))
                    .await
                    .expect("columns")
                    .iter()
                    .map(|row| row.try_get::<String>("", "name").expect("name"))
                    .collect();
                columns
                    .iter()
                    // Blobs (uuids) as hex: a zero byte cast to text would cut the row short.
                    .map(|c| {
                        format!(
                            "lower(COALESCE(CASE WHEN typeof({c}) = 'blob' THEN hex({c}) ELSE CAST({c} AS TEXT) END, ''))"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" || '|' || ")
            }
        };
        let marker = if backend == DbBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let count = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table} t WHERE {haystack} LIKE {marker}"),
                [pattern.clone().into()],
            ))
            .await
            .expect("count")
            .expect("row")
            .try_get::<i64>("", "n")
            .expect("n");
        if count > 0 {
            found.push(format!("{table}: {count}"));
        }
    }
    found
}

async fn erasure_anonymises_the_person_everywhere_and_leaves_a_proof(db: Db) {
    use crate::import_jobs::{map, run_phase, upload};
    use reqwest::Method;

    let app = TestApp::spawn(db).await;
    let tag = crate::harness::unique();
    let email = format!("grace-{tag}@hopper.example");
    let contact_email = format!("amelia-{tag}@hopper.example");
    let person = format!("Grace Hopper {tag}");
    let customer = app
        .create(
            json!({"name": person, "email": email, "phone": "+14155552671",
            "external_id": format!("hs-{tag}"), "source": "hubspot", "notes": "Prefers calls"}),
        )
        .await;
    let id = customer["id"].as_str().expect("id").to_owned();
    let code = customer["customer_code"].as_str().expect("code").to_owned();
    let contact = app
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            &app.staff,
            json!({"first_name": "Amelia", "last_name": format!("Earhart {tag}"), "email": contact_email}),
        )
        .await;
    assert_eq!(contact.status(), 201);
    let address = app
        .post(
            &format!("/api/v1/customers/{id}/addresses"),
            &app.staff,
            json!({"kind": "billing", "line1": format!("1 Navy Yard {tag}"), "city": "Arlington", "postal_code": "22202", "country": "US"}),
        )
        .await;
    assert_eq!(address.status(), 201);
    let note = app
        .post(
            &format!("/api/v1/customers/{id}/activities"),
            &app.staff,
            json!({"type": "meeting", "subject": format!("Met {person}"), "body": "Talked about COBOL",
                "attendees": [contact_email]}),
        )
        .await;
    assert_eq!(
        note.status(),
        201,
        "{}",
        note.text().await.unwrap_or_default()
    );

    // An import that updated the person (its revert image holds the old phone), and rejected a
    // row naming the contact; and a second upload, never started, naming the person.
    let csv = format!(
        "Name,Email,Phone\n{person},{email},+14155550000\nAmelia,{contact_email},not a phone\nSomeone Else {tag},else-{tag}@x.example,\n"
    );
    let job = upload(&app, &app.staff, "people.csv", csv.clone().into_bytes()).await;
    let job_id = job["id"].as_str().expect("id").to_owned();
    map(
        &app,
        &job_id,
        json!({"template": "custom", "columns": {"Name": "name", "Email": "email", "Phone": "phone"},
            "match": {"by": "email", "on_match": "update"}}),
    )
    .await;
    run_phase(&app, &job_id, "validate", "validated").await;
    let done = run_phase(&app, &job_id, "start", "completed").await;
    assert_eq!(done["counts"]["updated"], 1, "{done}");
    assert_eq!(done["counts"]["failed"], 1, "{done}");
    // A finished import gives up its file at once (nothing reads it again).
    let finished = app
        .store
        .import_job(app.org.id, job_id.parse().expect("uuid"))
        .await
        .expect("job");
    assert!(!std::path::Path::new(&finished.file_path).exists());
    let pending = upload(&app, &app.staff, "again.csv", csv.into_bytes()).await;
    let pending_id = pending["id"].as_str().expect("id").to_owned();
    let pending_path = app
        .store
        .staged_import_files(app.org.id)
        .await
        .expect("staged")
        .into_iter()
        .find(|f| f.job_id.to_string() == pending_id)
        .expect("pending file")
        .file_path;
    assert!(std::path::Path::new(&pending_path).exists());
    assert!(!rows_holding(&app, &email).await.is_empty());

    // Only owners erase, and only with the customer's code typed.
    let path = format!("/api/v1/customers/{id}/erase");
    let response = app
        .post(&path, &app.staff, json!({"confirmation": code}))
        .await;
    expect_problem(response, 403, "forbidden").await;
    let response = app
        .post(&path, &app.other, json!({"confirmation": code}))
        .await;
    expect_problem(response, 404, "not_found").await;
    let response = app
        .post(&path, &app.owner, json!({"confirmation": person}))
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(
        crate::harness::error_fields(&problem),
        vec!["confirmation".to_owned()]
    );

    let response = app
        .post(&path, &app.owner, json!({"confirmation": code}))
        .await;
    let receipt = crate::harness::json_of(response, 200).await;
    assert_eq!(receipt["customer_code"], code);
    assert!(
        receipt["erased_by_label"]
            .as_str()
            .expect("label")
            .starts_with("owner-")
    );
    let scrubbed = &receipt["scrubbed"];
    assert_eq!(scrubbed["contacts"], 1, "{receipt}");
    assert_eq!(scrubbed["addresses"], 1, "{receipt}");
    assert!(
        scrubbed["activities"].as_u64().expect("n") >= 2,
        "{receipt}"
    );
    assert!(
        scrubbed["audit_entries"].as_u64().expect("n") >= 4,
        "{receipt}"
    );
    assert_eq!(scrubbed["import_changes"], 1, "{receipt}");
    // The rejected row, once from the dry run and once from the import.
    assert_eq!(scrubbed["import_rows"], 2, "{receipt}");
    assert!(
        scrubbed["import_jobs"].as_u64().expect("n") >= 2,
        "{receipt}"
    );
    assert_eq!(scrubbed["import_files"], 1, "{receipt}");

    // Nothing in any table names the person any more, and the uploads are gone.
    for needle in [&email, &contact_email, &person, &format!("hs-{tag}")] {
        let left = rows_holding(&app, needle).await;
        assert!(left.is_empty(), "{needle} is still in {left:?}");
    }
    assert!(
        rows_holding(&app, &format!("Earhart {tag}"))
            .await
            .is_empty()
    );
    assert!(
        rows_holding(&app, &format!("Navy Yard {tag}"))
            .await
            .is_empty()
    );
    assert!(!std::path::Path::new(&pending_path).exists());
    // The unrelated row of the same file is untouched.
    assert!(!rows_holding(&app, &format!("else-{tag}")).await.is_empty());

    // The record stays, anonymised and in the bin; it cannot come back or be erased twice.
    let gone = app
        .get(&format!("/api/v1/customers/{id}"), &app.staff)
        .await;
    expect_problem(gone, 404, "not_found").await;
    let restore = app
        .send(
            Method::POST,
            &format!("/api/v1/customers/{id}/restore"),
            Some(&app.staff),
            None,
        )
        .await;
    expect_problem(restore, 409, "conflict").await;
    let again = app
        .post(&path, &app.owner, json!({"confirmation": code}))
        .await;
    expect_problem(again, 409, "conflict").await;
    let pending = crate::harness::json_of(
        app.get(&format!("/api/v1/imports/{pending_id}"), &app.staff)
            .await,
        200,
    )
    .await;
    assert_eq!(pending["status"], "failed", "{pending}");
    let errors = app
        .get(&format!("/api/v1/imports/{job_id}/errors.csv"), &app.staff)
        .await
        .text()
        .await
        .expect("errors.csv");
    assert!(!errors.contains(&contact_email), "{errors}");
    assert!(errors.contains("[erased]"), "{errors}");

    // The ledger proves when and by whom; only owners read it.
    let ledger = crate::harness::json_of(app.get("/api/v1/erasures", &app.owner).await, 200).await;
    assert_eq!(ledger["items"][0]["customer_id"], id.as_str());
    assert_eq!(ledger["items"][0]["id"], receipt["id"]);
    let response = app.get("/api/v1/erasures", &app.staff).await;
    expect_problem(response, 403, "forbidden").await;
    let trail = app
        .store
        .audit_entries_for(app.org.id, "customer", id.parse().expect("uuid"))
        .await
        .expect("audit");
    assert_eq!(trail[0].action, "customer.erased");
    assert!(
        trail
            .iter()
            .skip(1)
            .all(|e| e.diff == json!({"erased": true})),
        "{trail:?}"
    );
}
