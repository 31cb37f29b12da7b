//! The directory: filters, quick views, search, sorting, keyset and page pagination, totals,
//! and the same answers from SQLite and PostgreSQL on the same data.

use serde_json::{Value, json};

use crate::both;
use crate::harness::{Db, Login, TestApp};

both!(
    filters_and_views_select_the_right_customers,
    search_ignores_case_and_accents_and_matches_phones,
    totals_are_exact_up_to_the_cap_then_flagged,
);

/// Every `customer_code` a query returns, following `next_cursor` to the end.
async fn walk(app: &TestApp, who: &Login, query: &str, limit: u32) -> Vec<String> {
    let mut codes = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1_000 {
        let mut path = format!("/api/v1/customers?{query}&limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let response = app.get(&path, who).await;
        assert_eq!(response.status(), 200, "{path}");
        let page: Value = response.json().await.expect("json");
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= limit as usize);
        codes.extend(
            items
                .iter()
                .map(|c| c["customer_code"].as_str().expect("code").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return codes,
        }
    }
    panic!("pagination did not end");
}

/// The same query in page mode.
async fn pages(app: &TestApp, who: &Login, query: &str, per_page: u32) -> Vec<String> {
    let mut codes = Vec::new();
    for page in 1.. {
        let page: Value = app
            .get(
                &format!("/api/v1/customers?{query}&page={page}&per_page={per_page}"),
                who,
            )
            .await
            .json()
            .await
            .expect("json");
        let items = page["items"].as_array().expect("items");
        if items.is_empty() {
            break;
        }
        codes.extend(
            items
                .iter()
                .map(|c| c["customer_code"].as_str().expect("code").to_owned()),
        );
    }
    codes
}

const QUERIES: &[&str] = &[
    "sort=name",
    "sort=-ltv",
    "sort=-mrr,name",
    "sort=plan,-health",
    "sort=tenure",
    "sort=-churn_risk,-last_activity",
    "sort=created",
    "status=active,at_risk&sort=-mrr",
    "view=high_risk&sort=-churn_risk",
    "view=payment_issues",
    "tag=beta,expansion&sort=name",
    "health_min=40&health_max=80&sort=health",
    "type=vip,partner&plan=Enterprise,Pro",
    "q=acme",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_agree_on_every_list_query() {
    let sqlite = TestApp::spawn(Db::Sqlite).await;
    let postgres = TestApp::spawn(Db::Postgres).await;
    for app in [&sqlite, &postgres] {
        app.store
            .bulk_insert_customers(app.org.id, 180, 5, &[])
            .await
            .expect("seed");
    }
    for query in QUERIES {
        let a = walk(&sqlite, &sqlite.viewer, query, 17).await;
        let b = walk(&postgres, &postgres.viewer, query, 17).await;
        assert_eq!(a, b, "backends disagree on {query}");
        let mut unique = a.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            a.len(),
            "a row repeated across pages for {query}"
        );
        let paged = pages(&sqlite, &sqlite.viewer, query, 25).await;
        assert_eq!(paged, a, "page mode differs from keyset mode for {query}");
        let total: Value = sqlite
            .get(
                &format!("/api/v1/customers?{query}&limit=1"),
                &sqlite.viewer,
            )
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(total["total"], a.len() as u64, "total of {query}");
        assert_eq!(total["total_is_estimate"], false);
    }
    let everyone = walk(&sqlite, &sqlite.viewer, "sort=name", 500).await;
    assert_eq!(everyone.len(), 180);
}

async fn filters_and_views_select_the_right_customers(db: Db) {
    let app = TestApp::spawn(db).await;
    app.store
        .bulk_insert_customers(app.org.id, 300, 9, &[])
        .await
        .expect("seed");
    let list = |query: &'static str| {
        let app = &app;
        async move {
            let page: Value = app
                .get(&format!("/api/v1/customers?{query}&limit=500"), &app.owner)
                .await
                .json()
                .await
                .expect("json");
            page
        }
    };
    let active = list("view=active").await;
    let items = active["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|c| c["status"] == "active" || c["status"] == "onboarding")
    );
    let risky = list("view=high_risk").await;
    assert!(
        risky["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|c| c["churn_risk"].as_i64().is_some_and(|r| r >= 60) && c["status"] != "churned")
    );
    let payment = list("view=payment_issues").await;
    assert!(
        payment["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|c| c["payment_status"] == "overdue" || c["payment_status"] == "failed")
    );
    let cancelled = list("view=cancelled").await;
    assert!(
        cancelled["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|c| c["status"] == "churned")
    );
    let counts: Value = app
        .get("/api/v1/customers/counts", &app.owner)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(counts["all"], 300);
    assert_eq!(counts["active"], active["total"]);
    assert_eq!(counts["high_risk"], risky["total"]);
    assert_eq!(counts["payment_issues"], payment["total"]);
    assert_eq!(counts["cancelled"], cancelled["total"]);
    // `-mrr` orders by stored minor units: the decimal text without its point.
    let by_mrr = list("status=active&sort=-mrr").await;
    let minor: Vec<i64> = by_mrr["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| {
            let text = c["mrr"].as_str().expect("mrr").replace('.', "");
            text.parse::<i64>().expect("minor units")
        })
        .collect();
    assert!(minor.len() > 10);
    assert!(minor.windows(2).all(|w| w[0] >= w[1]), "{minor:?}");
    assert!(
        by_mrr["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|c| c["status"] == "active")
    );
    let tagged = list("tag=beta").await;
    assert!(
        tagged["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|c| c["tags"].as_array().expect("tags").contains(&json!("beta")))
    );
    let healthy = list("health_min=80").await;
    assert!(
        healthy["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|c| c["health_score"].as_i64().is_some_and(|h| h >= 80))
    );
    let recent = list("created_from=2000-01-01&created_to=2999-12-31").await;
    assert_eq!(recent["total"], 300);
    let none = list("created_to=2000-01-01").await;
    assert_eq!(none["total"], 0);
}

async fn search_ignores_case_and_accents_and_matches_phones(db: Db) {
    let app = TestApp::spawn(db).await;
    let jose = app.create(json!({"kind": "person", "first_name": "José", "last_name": "Müller", "phone": "+1 415 555 2671", "email": "jose@search.example"})).await;
    app.create(json!({"name": "Unrelated Industries", "website": "unrelated.example"}))
        .await;
    let found = |query: &'static str| {
        let app = &app;
        async move {
            let page: Value = app
                .get(&format!("/api/v1/customers?q={query}"), &app.staff)
                .await
                .json()
                .await
                .expect("json");
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["name"].as_str().expect("name").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("jose").await, ["José Müller"]);
    assert_eq!(found("MULLER%20jos").await, ["José Müller"]);
    assert_eq!(found("(415)%20555-2671").await, ["José Müller"]);
    assert_eq!(found("search.example").await, ["José Müller"]);
    let code = jose["customer_code"].as_str().expect("code").to_lowercase();
    let by_code: Value = app
        .get(&format!("/api/v1/customers?q={code}"), &app.staff)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(by_code["total"], 1);
    assert_eq!(found("unrelated.example").await, ["Unrelated Industries"]);
    assert!(found("nobody-matches-this").await.is_empty());
    // LIKE wildcards are not wildcards: punctuation folds away, leaving no search at all.
    assert_eq!(found("%25").await.len(), 2);
    assert_eq!(found("_").await.len(), 2);
}

async fn totals_are_exact_up_to_the_cap_then_flagged(db: Db) {
    let app = TestApp::spawn(db).await;
    let over_cap = tenure_store::customer::COUNT_CAP + 250;
    app.store
        .bulk_insert_customers(app.org.id, over_cap, 3, &[])
        .await
        .expect("seed");
    app.store.analyze().await.expect("analyze");
    let page: Value = app
        .get("/api/v1/customers?limit=5", &app.viewer)
        .await
        .json()
        .await
        .expect("json");
    let total = page["total"].as_u64().expect("total");
    match db {
        // PostgreSQL answers from the planner above the cap: close, never below the cap.
        Db::Postgres => {
            assert_eq!(page["total_is_estimate"], true);
            assert!(total > tenure_store::customer::COUNT_CAP, "{total}");
            assert!(
                (total as f64 - over_cap as f64).abs() / (over_cap as f64) < 0.2,
                "{total}"
            );
        }
        Db::Sqlite => {
            assert_eq!(page["total_is_estimate"], false);
            assert_eq!(total, over_cap);
        }
    }
    let small: Value = app
        .get("/api/v1/customers?status=suspended&limit=5", &app.viewer)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(small["total_is_estimate"], false);
    assert!(small["total"].as_u64().expect("total") < tenure_store::customer::COUNT_CAP);
}
