//! `tenure-bench timeline`: one customer with N activities (10,000 by default) among a tenant of
//! customers that each have a background of their own, served in-process and measured over HTTP:
//! the first page of the timeline, a page deep in it, filtered pages, and the overview.

use std::net::TcpListener;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::Duration;
use tenure_api::state::AppState;
use tenure_domain::activity::{ActivityType, NewActivity, Outcome, subject};
use tenure_domain::ids::CustomerId;
use tenure_domain::permission::Role;
use tenure_store::customer::{CustomerFilter, Paging};
use tenure_store::user::NewUser;
use tenure_store::{Actor, Store};

use crate::{figures, row};

/// Background activities on every other customer, so the table is not just the one customer.
const BACKGROUND_PER_CUSTOMER: u64 = 40;
/// At most this many other customers get a background.
const BACKGROUND_CUSTOMERS: usize = 2_500;

fn activities(n: u64, spread_minutes: i64) -> Vec<NewActivity> {
    let kinds = [
        ActivityType::Note,
        ActivityType::Email,
        ActivityType::Call,
        ActivityType::Meeting,
        ActivityType::Payment,
        ActivityType::Ticket,
    ];
    let outcomes = [Outcome::Positive, Outcome::Neutral, Outcome::Negative];
    let now = tenure_store::now();
    (0..n)
        .map(|i| {
            let at = now - Duration::minutes((i as i64 * spread_minutes) / n.max(1) as i64);
            let mut a = NewActivity::system(
                kinds[(i % kinds.len() as u64) as usize],
                subject(&format!("Activity {i}")),
                at,
            );
            a.outcome = Some(outcomes[(i % 3) as usize]);
            a
        })
        .collect()
}

pub async fn run(
    store: &Store,
    customers: u64,
    per_customer: u64,
    iterations: usize,
) -> anyhow::Result<()> {
    println!(
        "backend: {:?}, customers: {customers}, activities on the measured customer: {per_customer}",
        store.backend()
    );
    let org = store
        .create_organization("Timeline Co", Some("US"), "USD")
        .await?;
    let password = "bench-password";
    let hash = tenure_api::auth::password::hash(password)?;
    let user = store
        .create_user(NewUser {
            organization_id: org.id,
            email: "bench@bench.example",
            name: "Bench",
            role: Role::Owner,
            password_hash: &hash,
        })
        .await?;
    store
        .bulk_insert_customers(org.id, customers.max(1), 3, &[user.id])
        .await?;
    let page = store
        .list_customers(
            org.id,
            &CustomerFilter::default(),
            &[],
            &Paging::Keyset {
                after: None,
                limit: 500,
            },
            false,
        )
        .await?;
    let ids: Vec<CustomerId> = page.items.iter().map(|c| c.id).collect();
    let Some((&target, others)) = ids.split_first() else {
        bail!("no customers seeded");
    };
    let actor = Actor::system("bench");
    let started = Instant::now();
    // Two years of history on the measured customer.
    store
        .import_activities(
            org.id,
            target,
            &activities(per_customer, 2 * 365 * 1440),
            &actor,
        )
        .await?;
    let mut background = 0;
    for other in others
        .iter()
        .cycle()
        .take(BACKGROUND_CUSTOMERS.min(others.len() * 5))
    {
        store
            .import_activities(
                org.id,
                *other,
                &activities(BACKGROUND_PER_CUSTOMER, 365 * 1440),
                &actor,
            )
            .await?;
        background += BACKGROUND_PER_CUSTOMER;
    }
    println!(
        "seed: {} activities in {:.1} s",
        per_customer + background,
        started.elapsed().as_secs_f64()
    );
    store.analyze().await?;

    let state = AppState::new(
        store.clone(),
        Some("bench-secret-that-is-at-least-32-characters"),
    )
    .await?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tenure_api::app::serve(listener, state, Some(1))?;
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "bench@bench.example", "password": password}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .context("no token")?
        .to_owned();
    let timeline = format!("/api/v1/customers/{target}/activities");
    // A cursor half-way down the timeline, reached by walking pages of 200.
    let mut cursor = String::new();
    for _ in 0..(per_customer / 2 / 200).max(1) {
        let path = if cursor.is_empty() {
            format!("{base}{timeline}?limit=200")
        } else {
            format!("{base}{timeline}?limit=200&cursor={cursor}")
        };
        let page: serde_json::Value = client
            .get(path)
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    let month_ago = (tenure_store::now() - Duration::days(30))
        .to_rfc3339()
        .replace('+', "%2B")
        .replace(':', "%3A");
    let scenarios: Vec<(&str, String)> = vec![
        ("timeline first page (50)", format!("{timeline}?limit=50")),
        (
            "timeline deep page (half-way)",
            format!("{timeline}?limit=50&cursor={cursor}"),
        ),
        (
            "timeline type=call,meeting",
            format!("{timeline}?limit=50&type=call,meeting"),
        ),
        (
            "timeline outcome=negative",
            format!("{timeline}?limit=50&outcome=negative"),
        ),
        (
            "timeline last 30 days",
            format!("{timeline}?limit=50&from={month_ago}"),
        ),
        (
            "overview (one call)",
            format!("/api/v1/customers/{target}/overview"),
        ),
    ];
    println!("\nHTTP: {iterations} sequential requests per scenario after 20 warm-up");
    for (name, path) in &scenarios {
        let url = format!("{base}{path}");
        let mut samples = Vec::with_capacity(iterations);
        for i in 0..iterations + 20 {
            let t = Instant::now();
            let response = client.get(&url).bearer_auth(&token).send().await?;
            if !response.status().is_success() {
                bail!("{name}: {} {}", response.status(), response.text().await?);
            }
            response.bytes().await?;
            if i >= 20 {
                samples.push(t.elapsed());
            }
        }
        row(name, "http", &figures(samples));
    }
    handle.stop(true).await;
    Ok(())
}
