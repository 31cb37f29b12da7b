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

/// One attribute (`field`, `rule`, ...) of each line of a candidate's evidence, in order.
fn evidence_of<'a>(candidate: &'a Value, attribute: &str) -> Vec<&'a str> {
    candidate["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e[attribute].as_str())
        .collect()
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
    let fields = evidence_of(&found[0], "field");
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
    let rules = evidence_of(&found[0], "rule");
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
    // Reverting the import deletes what it created, and deleted customers match nothing.
    crate::import_jobs::run_phase(&app, &job_id, "revert", "reverted").await;
    assert!(
        check(&app, &app.viewer, json!({"website": "hooli.example"}))
            .await
            .is_empty()
    );

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

both!(a_name_misspelt_past_every_name_key_is_found_at_its_building);

/// Two slips in the word that names a company (letters swapped, one added) escape every key
/// that reads the name (its first letters, one letter out, the exact name); the building the
/// address names (postal code and house number) still brings the record to the check.
async fn a_name_misspelt_past_every_name_key_is_found_at_its_building(db: Db) {
    let app = TestApp::spawn(db).await;
    let northwind = app
        .create(json!({"name": "Northwind Traders", "country": "US"}))
        .await;
    let id = northwind["id"].as_str().expect("id").to_owned();
    let code = northwind["customer_code"]
        .as_str()
        .expect("code")
        .to_owned();
    let address = app
        .post(
            &format!("/api/v1/customers/{id}/addresses"),
            &app.staff,
            json!({"kind": "billing", "line1": "12 Harbour Street", "city": "Boston",
                "postal_code": "02110", "country": "US"}),
        )
        .await;
    assert_eq!(address.status(), 201);
    let draft = json!({"kind": "company", "name": "Nrothwinde Traders", "country": "US",
        "address_line1": "12 Harbor St", "postal_code": "02110"});
    let found = check(&app, &app.staff, draft).await;
    assert_eq!(codes(&found), vec![code], "{found:?}");
    let fields = evidence_of(&found[0], "field");
    assert!(
        fields.contains(&"address") && fields.contains(&"name"),
        "{fields:?}"
    );
    // Another building on the same street is not that record.
    let elsewhere = json!({"kind": "company", "name": "Nrothwinde Traders", "country": "US",
        "address_line1": "40 Harbor St", "postal_code": "02110"});
    assert!(check(&app, &app.staff, elsewhere).await.is_empty());
}

both!(a_scan_fills_the_review_queue_and_dismissals_are_remembered);

pub(crate) async fn scan(app: &TestApp, full: bool) -> Value {
    let started = json_of(
        app.post("/api/v1/duplicate-scans", &app.staff, json!({"full": full}))
            .await,
        202,
    )
    .await;
    let id = started["id"].as_str().expect("id").to_owned();
    for _ in 0..300 {
        let scan = json_of(
            app.get(&format!("/api/v1/duplicate-scans/{id}"), &app.viewer)
                .await,
            200,
        )
        .await;
        match scan["status"].as_str() {
            Some("completed") => return scan,
            Some("failed") => panic!("scan failed: {scan}"),
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    panic!("scan {id} never completed");
}

async fn queue(app: &TestApp, query: &str) -> Vec<Value> {
    let body = json_of(
        app.get(&format!("/api/v1/duplicates?{query}"), &app.viewer)
            .await,
        200,
    )
    .await;
    body["items"].as_array().cloned().unwrap_or_default()
}

fn pair_names(pairs: &[Value]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|p| {
            let mut names = [
                p["left"]["name"].as_str().unwrap_or_default().to_owned(),
                p["right"]["name"].as_str().unwrap_or_default().to_owned(),
            ];
            names.sort();
            (names[0].clone(), names[1].clone())
        })
        .collect()
}

async fn a_scan_fills_the_review_queue_and_dismissals_are_remembered(db: Db) {
    let app = TestApp::spawn(db).await;
    let acme = app
        .create(json!({"name": "Acme Widgets Inc", "website": "acme-widgets.example", "phone": "+14155552671"}))
        .await;
    let acme_llc = app
        .create(json!({"name": "ACME Widgets, LLC", "website": "https://www.acme-widgets.example"}))
        .await;
    app.create(json!({"name": "Acme Widgts", "phone": "+1 415 555 2671"}))
        .await;
    app.create(json!({"name": "Globex Corporation", "website": "globex.example"}))
        .await;
    app.create(json!({"kind": "person", "name": "Robert Smith", "first_name": "Robert", "last_name": "Smith", "email": "r.smith@gmail.com"}))
        .await;
    app.create(json!({"kind": "person", "name": "Bob Smith", "first_name": "Bob", "last_name": "Smith", "email": "rsmith+crm@gmail.com"}))
        .await;

    // Only staff and owners start scans; the first one is full.
    let response = app
        .post("/api/v1/duplicate-scans", &app.viewer, json!({}))
        .await;
    expect_problem(response, 403, "forbidden").await;
    let done = scan(&app, false).await;
    assert_eq!(done["mode"], "full");
    let scans = json_of(app.get("/api/v1/duplicate-scans", &app.viewer).await, 200).await;
    assert_eq!(scans["items"][0]["id"], done["id"]);
    assert_eq!(done["customers"], 6);
    // Every pair of the three Acme spellings (LLC vs Widgts on the typo'd name alone, so worth a
    // review but not likely), and the Smiths.
    assert_eq!(done["pairs"], 4, "{done}");
    assert!(done["candidates"].as_i64().expect("n") >= 4, "{done}");
    assert!(done["candidates_per_customer"].as_f64().expect("n") < 2.0);
    assert_eq!(done["percent"], 100.0);

    let open = queue(&app, "").await;
    let mut names = pair_names(&open);
    names.sort();
    assert_eq!(
        names,
        vec![
            (
                "ACME Widgets, LLC".to_owned(),
                "Acme Widgets Inc".to_owned()
            ),
            ("ACME Widgets, LLC".to_owned(), "Acme Widgts".to_owned()),
            ("Acme Widgets Inc".to_owned(), "Acme Widgts".to_owned()),
            ("Bob Smith".to_owned(), "Robert Smith".to_owned()),
        ]
    );
    let weak = open
        .iter()
        .find(|p| {
            pair_names(std::slice::from_ref(*p))[0]
                == ("ACME Widgets, LLC".to_owned(), "Acme Widgts".to_owned())
        })
        .expect("the weak pair");
    assert_eq!(weak["confidence"], "medium", "{weak}");
    let scores: Vec<f64> = open.iter().filter_map(|p| p["score"].as_f64()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    assert!(
        open.iter()
            .all(|p| !p["evidence"].as_array().expect("evidence").is_empty())
    );
    assert!(queue(&app, "min_score=0.999").await.len() < 4);
    let paged = json_of(
        app.get("/api/v1/duplicates?limit=3", &app.viewer).await,
        200,
    )
    .await;
    let next = paged["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let rest = queue(&app, &format!("limit=3&cursor={next}")).await;
    assert_eq!(rest.len(), 1);
    let other = json_of(app.get("/api/v1/duplicates", &app.other).await, 200).await;
    assert!(other["items"].as_array().expect("items").is_empty());

    // Dismissed pairs leave the queue and stay out while their records do not change.
    let acme_pair = open
        .iter()
        .find(|p| {
            pair_names(std::slice::from_ref(*p))[0]
                == (
                    "ACME Widgets, LLC".to_owned(),
                    "Acme Widgets Inc".to_owned(),
                )
        })
        .expect("acme pair")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let response = app
        .post(
            &format!("/api/v1/duplicates/{acme_pair}/dismiss"),
            &app.viewer,
            json!({}),
        )
        .await;
    expect_problem(response, 403, "forbidden").await;
    let dismissed = json_of(
        app.post(
            &format!("/api/v1/duplicates/{acme_pair}/dismiss"),
            &app.staff,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(dismissed["dismissed"][0], acme_pair.as_str());
    let again = app
        .post(
            &format!("/api/v1/duplicates/{acme_pair}/dismiss"),
            &app.staff,
            json!({}),
        )
        .await;
    expect_problem(again, 404, "not_found").await;
    assert_eq!(queue(&app, "").await.len(), 3);
    let gone = queue(&app, "status=dismissed").await;
    assert_eq!(gone.len(), 1);
    assert!(
        gone[0]["reviewed_by"]
            .as_str()
            .expect("who")
            .starts_with("staff-")
    );
    let rescan = scan(&app, true).await;
    assert_eq!(rescan["mode"], "full");
    assert_eq!(
        queue(&app, "status=dismissed").await.len(),
        1,
        "still dismissed"
    );
    assert_eq!(queue(&app, "").await.len(), 3);

    // A change matching reads brings it back on the next (incremental) scan, and the shared
    // phone now ties LLC to Widgts too.
    let changed = app
        .patch(
            &format!("/api/v1/customers/{}", acme_llc["id"].as_str().expect("id")),
            &app.staff,
            acme_llc["version"].as_i64(),
            json!({"phone": "+14155552671"}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let incremental = scan(&app, false).await;
    assert_eq!(incremental["mode"], "incremental");
    assert!(queue(&app, "status=dismissed").await.is_empty());
    assert_eq!(queue(&app, "").await.len(), 4);

    // A deleted customer's pairs leave the queue at once.
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/customers/{}", acme["id"].as_str().expect("id")),
            Some(&app.staff),
            None,
        )
        .await;
    assert!(deleted.status().is_success());
    assert_eq!(queue(&app, "").await.len(), 2);

    // Bulk dismissal, and bad queries.
    let ids: Vec<Value> = queue(&app, "")
        .await
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    let bulk = json_of(
        app.post(
            "/api/v1/duplicates/dismiss",
            &app.owner,
            json!({"ids": ids}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(bulk["dismissed"].as_array().expect("ids").len(), 2);
    assert!(queue(&app, "").await.is_empty());
    let response = app
        .post("/api/v1/duplicates/dismiss", &app.owner, json!({"ids": []}))
        .await;
    expect_problem(response, 422, "validation_failed").await;
    let response = app
        .get(
            "/api/v1/duplicates?status=maybe&min_score=2&cursor=zz",
            &app.viewer,
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(error_fields(&problem), vec!["status", "min_score"]);
}

both!(the_organisations_thresholds_decide_what_is_shown_and_how_sure);

async fn the_organisations_thresholds_decide_what_is_shown_and_how_sure(db: Db) {
    let app = TestApp::spawn(db).await;
    app.create(json!({"name": "Globex Corporation", "website": "globex.example"}))
        .await;
    let defaults = json_of(
        app.get("/api/v1/duplicate-settings", &app.viewer).await,
        200,
    )
    .await;
    assert_eq!(defaults, json!({"high": 0.9, "medium": 0.5}));
    let draft = json!({"name": "Globex Corp", "website": "globex-corp.example"});
    let found = check(&app, &app.viewer, draft.clone()).await;
    let score = found[0]["score"].as_f64().expect("a partial match");
    assert!(score < 1.0, "{found:?}");

    let put = |who, body: Value| {
        app.send(
            reqwest::Method::PUT,
            "/api/v1/duplicate-settings",
            Some(who),
            Some(body),
        )
    };
    expect_problem(
        put(&app.staff, json!({"high": 0.9, "medium": 0.5})).await,
        403,
        "forbidden",
    )
    .await;
    let problem = expect_problem(
        put(&app.owner, json!({"high": 0.4, "medium": 0.6})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), ["high"]);

    // Everything worth showing is now "high"; then nothing this weak is shown at all.
    json_of(
        put(&app.owner, json!({"high": score, "medium": score / 2.0})).await,
        200,
    )
    .await;
    assert_eq!(
        check(&app, &app.viewer, draft.clone()).await[0]["confidence"],
        "high"
    );
    let above = (score + 1.0) / 2.0;
    json_of(
        put(&app.owner, json!({"high": above, "medium": above})).await,
        200,
    )
    .await;
    assert!(check(&app, &app.viewer, draft).await.is_empty());
}

both!(sharing_a_common_name_counts_for_less_and_says_so);

/// Value-frequency weighting: the more customers bear a name, the less two of them sharing it
/// says. The check and a scan both show it as a `common_name` line of evidence, and the count
/// moving does not reopen a dismissed pair.
async fn sharing_a_common_name_counts_for_less_and_says_so(db: Db) {
    let app = TestApp::spawn(db).await;
    let person = |n: usize| {
        json!({"kind": "person", "name": "Maria Novak", "first_name": "Maria", "last_name": "Novak",
               "email": format!("maria.novak{n}@example.org")})
    };
    let draft = json!({"kind": "person", "first_name": "Maria", "last_name": "Novak"});
    app.create(person(1)).await;
    let rare = check(&app, &app.viewer, draft.clone()).await;
    assert_eq!(rare.len(), 1, "{rare:?}");
    let rules = |c: &Value| -> Vec<String> {
        c["evidence"]
            .as_array()
            .map(|e| {
                e.iter()
                    .filter_map(|x| x["rule"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(
        !rules(&rare[0]).contains(&"common_name".to_owned()),
        "{rare:?}"
    );

    for n in 2..=8 {
        app.create(person(n)).await;
    }
    // Nine bearers with the draft: the name alone no longer makes a likely duplicate.
    let common = check(&app, &app.viewer, draft.clone()).await;
    assert!(common.is_empty(), "{common:?}");
    // With something only one of them has, that one is found, and the evidence says the name
    // is common.
    let mut with_email = draft.clone();
    with_email["email"] = json!("Maria.Novak5@example.org");
    let found = check(&app, &app.viewer, with_email).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let line = found[0]["evidence"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["rule"] == "common_name"))
        .cloned()
        .expect("a common_name line");
    assert_eq!(line["field"], "name");
    assert!(
        line["contribution"].as_f64().unwrap_or(0.0) < -2.0,
        "{line}"
    );

    // A scan explains it the same way; a dismissal survives the name becoming commoner.
    let mut twin = person(5);
    twin["phone"] = json!("+1 415 555 0142");
    app.create(twin).await;
    scan(&app, true).await;
    let pairs = queue(&app, "min_score=0.5").await;
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert!(
        rules(&pairs[0]).contains(&"common_name".to_owned()),
        "{pairs:?}"
    );
    let id = pairs[0]["id"].as_str().expect("id").to_owned();
    json_of(
        app.post(
            &format!("/api/v1/duplicates/{id}/dismiss"),
            &app.staff,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    app.create(person(10)).await;
    scan(&app, true).await;
    assert!(queue(&app, "min_score=0.5").await.is_empty());
}
