//! Merging duplicates over HTTP on both databases: a merge of three with every kind of related
//! record and its undo, checked record by record; merging a parent; two overlapping merges at
//! once; undo refused when the survivor changed since; bad requests; survivorship rules.

use serde_json::{Value, json};

use crate::both;
use crate::duplicates::scan;
use crate::harness::{Db, TestApp, error_fields, expect_problem, json_of};

both!(
    merging_three_moves_everything_and_undo_puts_it_all_back,
    merging_a_parent_reparents_its_children_and_overlapping_merges_conflict,
    undo_is_refused_while_a_field_the_merge_set_was_changed_since,
    bad_merges_are_refused_field_by_field_and_rules_are_the_organisations,
);

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

async fn get(app: &TestApp, path: &str) -> Value {
    json_of(app.get(path, &app.viewer).await, 200).await
}

/// Merges as staff, expecting 201; the merge.
async fn merge_as_staff(app: &TestApp, body: Value) -> Value {
    json_of(app.post("/api/v1/merges", &app.staff, body).await, 201).await
}

/// Undoes a merge (by its undo path) as staff, expecting 200.
async fn undo_as_staff(app: &TestApp, path: &str) -> Value {
    json_of(app.post(path, &app.staff, json!({})).await, 200).await
}

/// Changes a customer as staff with the version it has now, expecting 200.
async fn edit_as_staff(app: &TestApp, customer: &str, patch: Value) -> Value {
    let path = format!("/api/v1/customers/{customer}");
    let current = get(app, &path).await;
    json_of(
        app.patch(&path, &app.staff, current["version"].as_i64(), patch)
            .await,
        200,
    )
    .await
}

async fn add(app: &TestApp, customer: &str, what: &str, body: Value) -> Value {
    json_of(
        app.post(
            &format!("/api/v1/customers/{customer}/{what}"),
            &app.owner,
            body,
        )
        .await,
        201,
    )
    .await
}

/// Everything a customer is: the record (without the version and time the undo moves
/// forward) and each related list, as the API shows them.
async fn state_of(app: &TestApp, customer: &str) -> Value {
    let mut record = get(
        app,
        &format!("/api/v1/customers/{customer}?include_deleted=true"),
    )
    .await;
    let object = record.as_object_mut().expect("object");
    object.remove("version");
    object.remove("updated_at");
    object.remove("tenure_days");
    let mut state = json!({ "record": record });
    for what in [
        "contacts",
        "addresses",
        "activities?limit=100",
        "goals",
        "ledger",
        "flags",
        "children",
    ] {
        let key = what.split('?').next().expect("key").to_owned();
        state[key] = get(app, &format!("/api/v1/customers/{customer}/{what}")).await;
    }
    state["pairs"] = get(app, &format!("/api/v1/duplicates?customer={customer}")).await;
    state
}

fn child_ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["customer"]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn names(list: &Value, field: &str) -> Vec<String> {
    let mut all: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v[field].as_str().unwrap_or_default().to_owned())
        .collect();
    all.sort();
    all
}

async fn merging_three_moves_everything_and_undo_puts_it_all_back(db: Db) {
    let app = TestApp::spawn(db).await;
    let survivor = app
        .create(json!({"name": "Acme Widgets", "email": "hello@acme-widgets.com", "website": "acme-widgets.com",
            "mrr": "100.00", "tags": ["vip"], "external_id": "hs-1", "source": "hubspot"}))
        .await;
    let first = app
        .create(
            json!({"name": "Acme Widgets, Inc.", "website": "https://www.acme-widgets.com",
            "phone": "+1 415 555 2671", "industry": "Retail", "mrr": "250.00", "tags": ["renewal"], "tax_id": "94-1234567",
            "external_id": "sf-9", "source": "salesforce", "status": "active"}),
        )
        .await;
    let second = app
        .create(json!({"name": "ACME Widgets LLC", "website": "acme-widgets.com", "notes": "Came in through the webinar",
            "tags": ["vip", "webinar"]}))
        .await;
    let (s, x1, x2) = (id(&survivor), id(&first), id(&second));
    let child = app
        .create(json!({"name": "Acme Widgets Europe", "parent_id": x1}))
        .await;
    let c = id(&child);

    // Related records of every kind, including a primary on both sides, a contact the survivor
    // already has and a flag it already carries.
    let related = [
        (
            &s,
            "contacts",
            json!({"first_name": "Alice", "email": "alice@acme-widgets.com", "is_primary": true}),
        ),
        (
            &x1,
            "contacts",
            json!({"first_name": "Bob", "email": "bob@acme-widgets.com", "is_primary": true}),
        ),
        (
            &x1,
            "contacts",
            json!({"first_name": "Alice", "last_name": "Again", "email": "alice@acme-widgets.com"}),
        ),
        (
            &x2,
            "contacts",
            json!({"first_name": "Carol", "email": "carol@acme-widgets.com", "is_primary": true}),
        ),
        (
            &s,
            "addresses",
            json!({"kind": "billing", "line1": "1 Main St", "country": "US", "is_primary": true}),
        ),
        (
            &x1,
            "addresses",
            json!({"kind": "billing", "line1": "9 Side St", "country": "US", "is_primary": true}),
        ),
        (
            &x2,
            "addresses",
            json!({"kind": "shipping", "line1": "5 Dock Rd", "country": "US", "is_primary": true}),
        ),
        (
            &x1,
            "activities",
            json!({"type": "note", "subject": "Asked about SSO"}),
        ),
        (
            &x2,
            "activities",
            json!({"type": "call", "subject": "Intro call"}),
        ),
        (
            &x1,
            "goals",
            json!({"title": "Adopt reporting", "target_value": 10}),
        ),
        (
            &x2,
            "ledger",
            json!({"kind": "credit", "amount": "25.00", "reason": "Goodwill"}),
        ),
        (
            &s,
            "flags",
            json!({"flag": "payment_plan", "reason": "Agreed"}),
        ),
        (
            &x1,
            "flags",
            json!({"flag": "payment_plan", "reason": "Also agreed"}),
        ),
    ];
    for (customer, what, body) in related {
        add(&app, customer, what, body).await;
    }
    // An outsider sharing only a phone and a tax id with one merged record: its pair moves to the survivor.
    let outsider = id(&app
        .create(
            json!({"name": "Roadrunner Widgets", "phone": "+1 415 555 2671", "tax_id": "94-1234567"}),
        )
        .await);
    scan(&app, true).await;

    let ids = [
        s.clone(),
        x1.clone(),
        x2.clone(),
        c.clone(),
        outsider.clone(),
    ];
    let mut before = Vec::new();
    for customer in &ids {
        before.push(state_of(&app, customer).await);
    }
    assert!(
        !before[1]["pairs"]["items"]
            .as_array()
            .expect("pairs")
            .is_empty(),
        "the scan paired the near-duplicates"
    );
    let partners = |state: &Value| -> Vec<String> {
        let mut ids: Vec<String> = state["pairs"]["items"]
            .as_array()
            .expect("pairs")
            .iter()
            .flat_map(|p| {
                [
                    p["left"]["customer_id"].as_str(),
                    p["right"]["customer_id"].as_str(),
                ]
            })
            .flatten()
            .map(str::to_owned)
            .collect();
        ids.sort();
        ids
    };
    assert!(
        partners(&before[4]).contains(&x1),
        "the outsider pairs with the first merged record"
    );
    assert!(
        !partners(&before[4]).contains(&s),
        "but not with the survivor"
    );

    // The preview: the request's choice, the rules' picks, what would move; nothing written.
    let body = json!({"survivor_id": s, "merged_ids": [x1, x2], "fields": {"name": x1}});
    let preview = json_of(
        app.post("/api/v1/merges/preview", &app.staff, body.clone())
            .await,
        200,
    )
    .await;
    let field = |name: &str| {
        preview["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .find(|f| f["field"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {preview}"))
    };
    assert_eq!(field("name")["chosen"], x1.as_str());
    assert_eq!(field("name")["rule"], "choice");
    assert_eq!(
        field("phone")["chosen"],
        x1.as_str(),
        "the survivor has none"
    );
    assert_eq!(field("phone")["rule"], "non_empty");
    assert_eq!(field("email")["chosen"], s.as_str());
    assert_eq!(field("email")["differs"], true);
    assert_eq!(preview["records"][0]["id"], s.as_str());
    assert_eq!(preview["result"]["name"], "Acme Widgets, Inc.");
    assert_eq!(preview["result"]["notes"], "Came in through the webinar");
    assert_eq!(preview["tags"], json!(["vip", "renewal", "webinar"]));
    let moves = &preview["moves"];
    assert_eq!(
        (moves["contacts"].as_u64(), moves["addresses"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        (moves["goals"].as_u64(), moves["ledger_entries"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (moves["children"].as_u64(), moves["left_behind"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        state_of(&app, &s).await,
        before[0],
        "a preview writes nothing"
    );

    // Viewers may not merge.
    expect_problem(
        app.post("/api/v1/merges", &app.viewer, body.clone()).await,
        403,
        "forbidden",
    )
    .await;

    let merge = json_of(
        app.post("/api/v1/merges", &app.staff, body.clone()).await,
        201,
    )
    .await;
    assert_eq!(merge["status"], "applied");
    assert_eq!(merge["survivor"]["id"], s.as_str());
    assert_eq!(merge["merged"][1]["id"], x2.as_str());
    assert_eq!(
        merge["moved"], *moves,
        "the merge did what the preview said"
    );
    assert_eq!(merge["fields"]["name"], x1.as_str());
    let merge_id = id(&merge);

    let after = get(&app, &format!("/api/v1/customers/{s}")).await;
    assert_eq!(after["name"], "Acme Widgets, Inc.");
    assert_eq!(after["phone"], "+14155552671");
    assert_eq!(after["industry"], "Retail");
    assert_eq!(after["email"], "hello@acme-widgets.com");
    assert_eq!(after["external_id"], "hs-1");
    assert_eq!(after["tags"], json!(["renewal", "vip", "webinar"]));
    for gone in [&x1, &x2] {
        expect_problem(
            app.get(&format!("/api/v1/customers/{gone}"), &app.viewer)
                .await,
            404,
            "not_found",
        )
        .await;
        let binned = get(
            &app,
            &format!("/api/v1/customers/{gone}?include_deleted=true"),
        )
        .await;
        assert_eq!(binned["merged_into"], s.as_str());
    }
    let contacts = get(&app, &format!("/api/v1/customers/{s}/contacts")).await;
    assert_eq!(
        names(&contacts, "email"),
        [
            "alice@acme-widgets.com",
            "bob@acme-widgets.com",
            "carol@acme-widgets.com"
        ]
    );
    let primaries: Vec<&Value> = contacts["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["is_primary"] == true)
        .collect();
    assert_eq!(primaries.len(), 1, "one primary contact: {contacts}");
    assert_eq!(primaries[0]["email"], "alice@acme-widgets.com");
    let addresses = get(&app, &format!("/api/v1/customers/{s}/addresses")).await;
    let primary_lines: Vec<(String, bool)> = addresses["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            (
                a["line1"].as_str().unwrap_or_default().to_owned(),
                a["is_primary"] == true,
            )
        })
        .collect();
    assert_eq!(primary_lines.len(), 3);
    assert!(primary_lines.contains(&("1 Main St".to_owned(), true)));
    assert!(
        primary_lines.contains(&("9 Side St".to_owned(), false)),
        "{primary_lines:?}"
    );
    assert!(
        primary_lines.contains(&("5 Dock Rd".to_owned(), true)),
        "another kind keeps its primary"
    );
    let timeline = get(&app, &format!("/api/v1/customers/{s}/activities?limit=100")).await;
    let types = names(&timeline, "type");
    for t in ["call", "merge", "note"] {
        assert!(types.contains(&t.to_owned()), "{t} in {types:?}");
    }
    assert_eq!(
        get(&app, &format!("/api/v1/customers/{s}/goals")).await["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let flags = get(&app, &format!("/api/v1/customers/{s}/flags")).await;
    assert_eq!(
        flags["items"].as_array().map(Vec::len),
        Some(1),
        "the second payment_plan flag stays behind"
    );
    let children = get(&app, &format!("/api/v1/customers/{s}/children")).await;
    assert_eq!(child_ids(&children), [c.as_str()]);
    assert_eq!(
        get(&app, &format!("/api/v1/customers/{c}")).await["parent_id"],
        s.as_str()
    );
    let merged_pairs = get(&app, "/api/v1/duplicates?status=merged").await;
    assert!(
        !merged_pairs["items"].as_array().expect("items").is_empty(),
        "pairs inside the merge are settled"
    );
    let moved = state_of(&app, &outsider).await;
    assert!(
        partners(&moved).contains(&s),
        "the outsider's pair now names the survivor"
    );
    assert!(merge["moved"]["duplicate_pairs"].as_u64() >= Some(1));
    let open = get(&app, &format!("/api/v1/duplicates?customer={x1}")).await;
    assert_eq!(open["items"].as_array().map(Vec::len), Some(0));

    // The check while typing no longer offers the merged records.
    let found = json_of(
        app.post(
            "/api/v1/customers/duplicates/check",
            &app.viewer,
            json!({"name": "Acme Widgets LLC"}),
        )
        .await,
        200,
    )
    .await;
    let offered: Vec<&str> = found["candidates"]
        .as_array()
        .expect("c")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        !offered.contains(&x1.as_str()) && !offered.contains(&x2.as_str()),
        "{offered:?}"
    );

    let history = get(&app, "/api/v1/merges").await;
    assert_eq!(history["items"][0]["id"], merge_id.as_str());
    let mine = get(&app, &format!("/api/v1/merges?customer={s}")).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        get(&app, &format!("/api/v1/merges/{merge_id}")).await["status"],
        "applied"
    );

    // Undo puts every record and every moved relation back as it was.
    let undone = undo_as_staff(&app, &format!("/api/v1/merges/{merge_id}/undo")).await;
    assert_eq!(undone["status"], "undone");
    assert_eq!(undone["undone_by_label"], app.staff.email.as_str());
    for (customer, was) in ids.iter().zip(&before) {
        let now = state_of(&app, customer).await;
        assert_eq!(&now, was, "{customer} after undo");
    }
    expect_problem(
        app.post(
            &format!("/api/v1/merges/{merge_id}/undo"),
            &app.staff,
            json!({}),
        )
        .await,
        409,
        "conflict",
    )
    .await;

    // The same merge can be done again after an undo.
    json_of(app.post("/api/v1/merges", &app.staff, body).await, 201).await;
}

async fn merging_a_parent_reparents_its_children_and_overlapping_merges_conflict(db: Db) {
    let app = TestApp::spawn(db).await;
    let group = app.create(json!({"name": "Umbrella Group"})).await;
    let parent = app
        .create(json!({"name": "Umbrella Corp", "parent_id": id(&group)}))
        .await;
    let survivor = app
        .create(json!({"name": "Umbrella Corporation", "parent_id": id(&parent)}))
        .await;
    let sibling = app
        .create(json!({"name": "Umbrella Labs", "parent_id": id(&parent)}))
        .await;
    let (p, s) = (id(&parent), id(&survivor));

    // The survivor was the merged record's child: it takes the merged record's own parent.
    let merge = merge_as_staff(&app, json!({"survivor_id": s, "merged_ids": [p]})).await;
    let after = get(&app, &format!("/api/v1/customers/{s}")).await;
    assert_eq!(after["parent_id"], id(&group).as_str());
    assert_eq!(
        get(&app, &format!("/api/v1/customers/{}", id(&sibling))).await["parent_id"],
        s.as_str()
    );
    assert_eq!(merge["moved"]["children"], 1);
    let rollup = get(&app, &format!("/api/v1/customers/{}/children", id(&group))).await;
    assert_eq!(child_ids(&rollup), [s.as_str()]);
    undo_as_staff(&app, &format!("/api/v1/merges/{}/undo", id(&merge))).await;
    assert_eq!(
        get(&app, &format!("/api/v1/customers/{s}")).await["parent_id"],
        p.as_str()
    );
    assert_eq!(
        get(&app, &format!("/api/v1/customers/{}", id(&sibling))).await["parent_id"],
        p.as_str()
    );

    // Two merges sharing a record, sent at once: one wins, the other is told why it lost.
    let a = id(&app.create(json!({"name": "Initech"})).await);
    let b = app.create(json!({"name": "Initech LLC"})).await;
    let d = id(&app.create(json!({"name": "Initech Inc"})).await);
    let (one, two) = tokio::join!(
        app.post(
            "/api/v1/merges",
            &app.staff,
            json!({"survivor_id": a, "merged_ids": [id(&b)]})
        ),
        app.post(
            "/api/v1/merges",
            &app.owner,
            json!({"survivor_id": d, "merged_ids": [id(&b)]})
        ),
    );
    let mut statuses = [one.status().as_u16(), two.status().as_u16()];
    let loser = if statuses[0] == 201 { two } else { one };
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    let problem = expect_problem(loser, 409, "merge_conflict").await;
    assert_eq!(
        error_fields(&problem),
        [format!(
            "customers.{}",
            b["customer_code"].as_str().expect("code")
        )]
    );
    let message = problem["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("merged") || message.contains("changed"),
        "{message}"
    );
}

async fn undo_is_refused_while_a_field_the_merge_set_was_changed_since(db: Db) {
    let app = TestApp::spawn(db).await;
    let survivor = app.create(json!({"name": "Hooli", "notes": "Keep"})).await;
    let other = app
        .create(json!({"name": "Hooli Inc", "phone": "+1 415 555 0100", "industry": "Tech"}))
        .await;
    let s = id(&survivor);
    let merge = merge_as_staff(&app, json!({"survivor_id": s, "merged_ids": [id(&other)]})).await;
    let undo_path = format!("/api/v1/merges/{}/undo", id(&merge));

    // A field the merge set, changed since: undo would lose it.
    let current = get(&app, &format!("/api/v1/customers/{s}")).await;
    let version = current["version"].as_i64();
    json_of(
        app.patch(
            &format!("/api/v1/customers/{s}"),
            &app.staff,
            version,
            json!({"phone": "+1 415 555 0199", "notes": "Edited"}),
        )
        .await,
        200,
    )
    .await;
    let problem = expect_problem(
        app.post(&undo_path, &app.staff, json!({})).await,
        409,
        "undo_conflict",
    )
    .await;
    assert_eq!(error_fields(&problem), ["survivor.phone"]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .expect("m")
            .contains("phone")
    );
    assert_eq!(
        get(&app, &format!("/api/v1/merges/{}", id(&merge))).await["status"],
        "applied"
    );

    // Set back, the undo goes through, and the edit to a field the merge left alone stays.
    edit_as_staff(&app, &s, json!({"phone": "+1 415 555 0100"})).await;
    undo_as_staff(&app, &undo_path).await;
    let restored = get(&app, &format!("/api/v1/customers/{s}")).await;
    assert_eq!(restored["phone"], Value::Null);
    assert_eq!(restored["industry"], Value::Null);
    assert_eq!(restored["notes"], "Edited");
    assert_eq!(
        get(&app, &format!("/api/v1/customers/{}", id(&other))).await["phone"],
        "+14155550100"
    );

    // A merged record brought back by hand blocks the undo of its merge.
    let again = merge_as_staff(&app, json!({"survivor_id": s, "merged_ids": [id(&other)]})).await;
    json_of(
        app.post(
            &format!("/api/v1/customers/{}/restore", id(&other)),
            &app.staff,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    let problem = expect_problem(
        app.post(
            &format!("/api/v1/merges/{}/undo", id(&again)),
            &app.staff,
            json!({}),
        )
        .await,
        409,
        "undo_conflict",
    )
    .await;
    assert_eq!(
        error_fields(&problem),
        [format!(
            "customers.{}",
            other["customer_code"].as_str().expect("code")
        )]
    );
}

async fn bad_merges_are_refused_field_by_field_and_rules_are_the_organisations(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app
        .create(json!({"name": "Vandelay Industries", "currency": "USD", "mrr": "10.00"}))
        .await;
    let b = app.create(json!({"name": "Vandelay Industries Ltd", "currency": "EUR", "mrr": "99.00", "industry": "Import"})).await;
    let (a_id, b_id) = (id(&a), id(&b));
    let post = |body: Value| app.post("/api/v1/merges", &app.staff, body);

    let problem = expect_problem(
        post(json!({"survivor_id": a_id, "merged_ids": []})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), ["merged_ids"]);
    let problem = expect_problem(
        post(json!({"survivor_id": a_id, "merged_ids": [a_id]})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), ["merged_ids[0]"]);
    let problem = expect_problem(
        post(json!({"survivor_id": a_id, "merged_ids": [uuid::Uuid::now_v7()]})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), ["merged_ids[0]"]);
    let problem = expect_problem(
        post(json!({"survivor_id": a_id, "merged_ids": [b_id], "fields": {"nope": a_id, "name": uuid::Uuid::now_v7()}})).await,
        422, "validation_failed").await;
    assert_eq!(error_fields(&problem), ["fields.name", "fields.nope"]);
    // Money is read in its own currency: taking EUR 99 into a USD customer is refused.
    let problem = expect_problem(
        post(json!({"survivor_id": a_id, "merged_ids": [b_id], "fields": {"mrr": b_id}})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), ["fields.mrr"]);
    // Another organisation's customer is not there.
    let theirs = json_of(
        app.post("/api/v1/customers", &app.other, json!({"name": "Vandelay"}))
            .await,
        201,
    )
    .await;
    let problem = expect_problem(
        post(json!({"survivor_id": a_id, "merged_ids": [id(&theirs)]})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), ["merged_ids[0]"]);

    // Rules: the defaults, an owner's change, and what it does to a preview.
    let rules = get(&app, "/api/v1/merge-rules").await;
    assert_eq!(rules["default"], "non_empty");
    // What GET shows can be PUT back as it is.
    let same = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/merge-rules",
            Some(&app.owner),
            Some(rules.clone()),
        )
        .await;
    assert_eq!(json_of(same, 200).await, rules);
    expect_problem(
        app.send(
            reqwest::Method::PUT,
            "/api/v1/merge-rules",
            Some(&app.staff),
            Some(json!({"default": "newest"})),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let problem = expect_problem(
        app.send(
            reqwest::Method::PUT,
            "/api/v1/merge-rules",
            Some(&app.owner),
            Some(json!({"default": "oldest", "fields": {"shoe_size": "newest"}})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), ["default", "fields.shoe_size"]);
    let set = json_of(
        app.send(reqwest::Method::PUT, "/api/v1/merge-rules", Some(&app.owner),
            Some(json!({"default": "non_empty", "fields": {"name": "newest"}, "trusted_sources": ["salesforce"]}))).await,
        200).await;
    assert_eq!(set["fields"]["name"], "newest");
    assert_eq!(get(&app, "/api/v1/merge-rules").await, set);
    let preview = json_of(
        app.post(
            "/api/v1/merges/preview",
            &app.staff,
            json!({"survivor_id": a_id, "merged_ids": [b_id]}),
        )
        .await,
        200,
    )
    .await;
    let name = preview["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["field"] == "name")
        .cloned()
        .expect("name");
    assert_eq!(
        (name["chosen"].as_str(), name["rule"].as_str()),
        (Some(b_id.as_str()), Some("newest"))
    );
    assert_eq!(
        preview["result"]["currency"], "USD",
        "money stays in the survivor's currency"
    );
    assert_eq!(preview["result"]["mrr"], "10.00");
}

both!(an_erasure_takes_the_records_merged_in_and_the_merge_snapshot_with_it);

async fn an_erasure_takes_the_records_merged_in_and_the_merge_snapshot_with_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let survivor = app
        .create(
            json!({"name": "Erin Example", "kind": "person", "first_name": "Erin",
        "last_name": "Example", "email": "erin@private.example"}),
        )
        .await;
    let other = app
        .create(
            json!({"name": "Erin Example", "kind": "person", "first_name": "Erin",
        "last_name": "Example", "phone": "+1 415 555 0142"}),
        )
        .await;
    let merge = merge_as_staff(
        &app,
        json!({"survivor_id": id(&survivor), "merged_ids": [id(&other)]}),
    )
    .await;
    json_of(
        app.post(
            &format!("/api/v1/customers/{}/erase", id(&survivor)),
            &app.owner,
            json!({"confirmation": survivor["customer_code"]}),
        )
        .await,
        200,
    )
    .await;
    // The record merged into it was the same person: erased with it.
    let erasures = json_of(app.get("/api/v1/erasures", &app.owner).await, 200).await;
    let mut erased: Vec<&str> = erasures["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["customer_code"].as_str())
        .collect();
    erased.sort_unstable();
    let mut both = [
        survivor["customer_code"].as_str().expect("code"),
        other["customer_code"].as_str().expect("code"),
    ];
    both.sort_unstable();
    assert_eq!(erased, both);
    let gone = get(
        &app,
        &format!("/api/v1/customers/{}?include_deleted=true", id(&other)),
    )
    .await;
    assert_eq!(gone["phone"], Value::Null);
    let after = get(&app, &format!("/api/v1/merges/{}", id(&merge))).await;
    assert_eq!(after["status"], "erased");
    assert_eq!(after["fields"], json!({}));
    let problem = expect_problem(
        app.post(
            &format!("/api/v1/merges/{}/undo", id(&merge)),
            &app.staff,
            json!({}),
        )
        .await,
        409,
        "undo_conflict",
    )
    .await;
    assert_eq!(error_fields(&problem), ["merge"]);
}

both!(a_sync_that_still_sends_a_merged_records_external_id_updates_the_survivor);

async fn a_sync_that_still_sends_a_merged_records_external_id_updates_the_survivor(db: Db) {
    use crate::import_jobs::{map, run_phase, upload};
    let app = TestApp::spawn(db).await;
    let survivor = app
        .create(json!({"name": "Northwind Analytics", "external_id": "1001", "source": "hubspot"}))
        .await;
    let merged = app
        .create(
            json!({"name": "Northwind Analytics Inc", "external_id": "1002", "source": "hubspot"}),
        )
        .await;
    merge_as_staff(
        &app,
        json!({"survivor_id": id(&survivor), "merged_ids": [id(&merged)]}),
    )
    .await;

    let csv = "Record ID,Company name,Industry\n1002,Northwind Analytics Inc,Logistics\n";
    let job = upload(&app, &app.staff, "hubspot.csv", csv.as_bytes().to_vec()).await;
    let job_id = id(&job);
    map(&app, &job_id, json!({"template": "hubspot_companies"})).await;
    let done = run_phase(&app, &job_id, "start", "completed").await;
    assert_eq!(
        done["counts"],
        json!({"created": 0, "updated": 1, "skipped": 0, "failed": 0}),
        "{done}"
    );
    let after = get(&app, &format!("/api/v1/customers/{}", id(&survivor))).await;
    assert_eq!(after["industry"], "Logistics");
    assert_eq!(
        after["external_id"], "1001",
        "the survivor keeps its own id"
    );
}

both!(clusters_gather_three_records_of_one_customer_for_one_merge);

async fn clusters_gather_three_records_of_one_customer_for_one_merge(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut stark = Vec::new();
    for name in [
        "Stark Industries",
        "Stark Industries Inc.",
        "STARK INDUSTRIES LLC",
    ] {
        stark.push(id(&app
            .create(json!({"name": name, "website": "stark-industries.example"}))
            .await));
    }
    for name in ["Wayne Enterprises", "Wayne Enterprises Ltd"] {
        app.create(json!({"name": name, "website": "wayne.example"}))
            .await;
    }
    scan(&app, true).await;
    let clusters = get(&app, "/api/v1/duplicate-clusters").await;
    assert_eq!(clusters["total"], 2, "{clusters}");
    let three = clusters["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["customers"].as_array().map(Vec::len) == Some(3))
        .cloned()
        .expect("the Stark cluster");
    let mut members: Vec<String> = three["customers"]
        .as_array()
        .expect("c")
        .iter()
        .map(|c| c["customer_id"].as_str().expect("id").to_owned())
        .collect();
    members.sort();
    let mut expected = stark.clone();
    expected.sort();
    assert_eq!(members, expected);
    assert_eq!(three["pair_ids"].as_array().map(Vec::len), Some(3));
    assert!(three["weakest_score"].as_f64() <= three["best_score"].as_f64());
    let first = get(&app, "/api/v1/duplicate-clusters?limit=1").await;
    assert_eq!(
        (
            first["items"].as_array().map(Vec::len),
            first["next_cursor"].as_str()
        ),
        (Some(1), Some("1"))
    );
    let rest = get(&app, "/api/v1/duplicate-clusters?limit=1&cursor=1").await;
    assert_eq!(rest["next_cursor"], Value::Null);
    expect_problem(
        app.get("/api/v1/duplicate-clusters?cursor=x", &app.viewer)
            .await,
        422,
        "validation_failed",
    )
    .await;

    merge_as_staff(
        &app,
        json!({"survivor_id": stark[0], "merged_ids": [stark[1], stark[2]]}),
    )
    .await;
    let after = get(&app, "/api/v1/duplicate-clusters").await;
    assert_eq!(after["total"], 1, "the merged cluster is settled: {after}");
}

both!(undo_is_refused_when_what_the_merge_moved_has_moved_on);

async fn undo_is_refused_when_what_the_merge_moved_has_moved_on(db: Db) {
    let app = TestApp::spawn(db).await;
    let survivor = id(&app.create(json!({"name": "Pied Piper"})).await);
    let merged = id(&app.create(json!({"name": "Pied Piper Inc"})).await);
    let child = id(&app
        .create(json!({"name": "Pied Piper Labs", "parent_id": merged}))
        .await);
    let elsewhere = id(&app.create(json!({"name": "Raviga Capital"})).await);
    add(
        &app,
        &merged,
        "contacts",
        json!({"first_name": "Richard", "email": "richard@piedpiper.example"}),
    )
    .await;
    let merge = merge_as_staff(
        &app,
        json!({"survivor_id": survivor, "merged_ids": [merged]}),
    )
    .await;
    let undo_path = format!("/api/v1/merges/{}/undo", id(&merge));

    // The child was given another parent since: undo would undo that too.
    edit_as_staff(&app, &child, json!({"parent_id": elsewhere})).await;
    let problem = expect_problem(
        app.post(&undo_path, &app.staff, json!({})).await,
        409,
        "undo_conflict",
    )
    .await;
    assert_eq!(error_fields(&problem), [format!("customers.{child}")]);
    edit_as_staff(&app, &child, json!({"parent_id": survivor})).await;

    // The survivor was itself merged into a third record: its contact moved on with it.
    let third = id(&app.create(json!({"name": "Pied Piper Holdings"})).await);
    let onward = merge_as_staff(
        &app,
        json!({"survivor_id": third, "merged_ids": [survivor]}),
    )
    .await;
    let problem = expect_problem(
        app.post(&undo_path, &app.staff, json!({})).await,
        409,
        "undo_conflict",
    )
    .await;
    let fields = error_fields(&problem);
    assert!(
        fields.iter().any(|f| f.starts_with("customers.")),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|f| f.starts_with("contacts.")),
        "{fields:?}"
    );
    assert_eq!(
        get(&app, &format!("/api/v1/merges/{}", id(&merge))).await["status"],
        "applied",
        "nothing was changed"
    );

    // Undone in reverse order, both go through.
    undo_as_staff(&app, &format!("/api/v1/merges/{}/undo", id(&onward))).await;
    undo_as_staff(&app, &undo_path).await;
    let contacts = get(&app, &format!("/api/v1/customers/{merged}/contacts")).await;
    assert_eq!(names(&contacts, "email"), ["richard@piedpiper.example"]);
    assert_eq!(
        get(&app, &format!("/api/v1/customers/{child}")).await["parent_id"],
        merged.as_str()
    );
}
