//! `tenure-bench directory`: seeds a tenant, serves the real app in-process and measures the
//! customer directory over HTTP and, for the same queries, the store call alone (SQL plus row
//! decoding), so the cost of each layer is visible. `tenure-bench timeline` does the same for
//! one customer's page: its activity timeline with 10,000 entries, and the overview.
//! `tenure-bench import` runs a generated vendor export through the CSV import;
//! `tenure-bench duplicates` scans a labelled set of generated near-duplicates.
//! It prints figures; it asserts nothing about them (targets live in the issue tracker and the
//! closing notes, not in timed tests).

#[path = "bench/duplicates.rs"]
mod duplicates;
#[path = "bench/import.rs"]
mod import;
#[path = "bench/timeline.rs"]
mod timeline;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tenure_api::state::AppState;
use tenure_domain::permission::Role;
use tenure_domain::query::{QuickView, SortField, SortKey};
use tenure_store::Store;
use tenure_store::customer::{CustomerFilter, Paging};
use tenure_store::user::NewUser;

const USAGE: &str = "usage: tenure-bench directory|timeline|import|duplicates --database-url URL --customers N [--activities N] [--create-database] [--iterations N] [--in-memory]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Directory,
    Timeline,
    /// `--customers` is the number of CSV rows.
    Import,
    /// `--customers` generated records, a fifth of them with near-duplicates.
    Duplicates,
}

struct Options {
    scenario: Scenario,
    /// Activities on the measured customer (timeline).
    activities: u64,
    database_url: String,
    customers: u64,
    create_database: bool,
    iterations: usize,
    /// Duplicates only: block and score in memory, without a database (the quality loop).
    in_memory: bool,
}

fn parse_args() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let scenario = match args.next().as_deref() {
        Some("directory") => Scenario::Directory,
        Some("timeline") => Scenario::Timeline,
        Some("import") => Scenario::Import,
        Some("duplicates") => Scenario::Duplicates,
        _ => bail!("{USAGE}"),
    };
    let mut options = Options {
        scenario,
        activities: 10_000,
        database_url: String::new(),
        customers: 100_000,
        create_database: false,
        iterations: 200,
        in_memory: false,
    };
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--database-url" => options.database_url = args.next().context(USAGE)?,
            "--customers" => {
                options.customers = args
                    .next()
                    .context(USAGE)?
                    .replace(['_', ','], "")
                    .parse()?
            }
            "--iterations" => options.iterations = args.next().context(USAGE)?.parse()?,
            "--activities" => {
                options.activities = args
                    .next()
                    .context(USAGE)?
                    .replace(['_', ','], "")
                    .parse()?
            }
            "--create-database" => options.create_database = true,
            "--in-memory" => options.in_memory = true,
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    if options.database_url.is_empty() && !(options.in_memory && scenario == Scenario::Duplicates) {
        bail!("--database-url is required\n{USAGE}");
    }
    Ok(options)
}

/// Latency figures of one scenario, in milliseconds.
pub(crate) struct Figures {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

pub(crate) fn figures(mut samples: Vec<Duration>) -> Figures {
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[index].as_secs_f64() * 1000.0
    };
    Figures {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: at(1.0),
    }
}

pub(crate) fn row(name: &str, layer: &str, f: &Figures) {
    println!(
        "{name:<34} {layer:<6} p50 {:>8.2} ms   p95 {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms",
        f.p50, f.p95, f.p99, f.max
    );
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let options = parse_args()?;
    if options.in_memory {
        duplicates::run_in_memory(options.customers);
        return Ok(());
    }
    if options.create_database {
        let (server, name) = options
            .database_url
            .rsplit_once('/')
            .context("--create-database needs a PostgreSQL URL ending in /<database>")?;
        let admin = Store::connect(&format!("{server}/postgres")).await?;
        admin.create_database(name).await?;
    }
    let store = Store::connect(&options.database_url).await?;
    store.migrate().await?;
    if options.scenario == Scenario::Import {
        return import::run(&store, options.customers).await;
    }
    if options.scenario == Scenario::Duplicates {
        return duplicates::run(&store, options.customers).await;
    }
    if options.scenario == Scenario::Timeline {
        return timeline::run(
            &store,
            options.customers,
            options.activities,
            options.iterations,
        )
        .await;
    }
    let backend = format!("{:?}", store.backend());
    println!("backend: {backend}, customers: {}", options.customers);

    let org = store
        .create_organization("Bench Co", Some("US"), "USD")
        .await?;
    let noise = store
        .create_organization("Neighbour Ltd", Some("GB"), "GBP")
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
    let started = Instant::now();
    store
        .bulk_insert_customers(org.id, options.customers, 1, &[user.id])
        .await?;
    let seeded = started.elapsed();
    store
        .bulk_insert_customers(noise.id, (options.customers / 100).max(100), 2, &[])
        .await?;
    println!(
        "seed: {} customers in {:.1} s ({:.0} rows/s)",
        options.customers,
        seeded.as_secs_f64(),
        options.customers as f64 / seeded.as_secs_f64()
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
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "bench@bench.example", "password": password}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .context("no token")?
        .to_owned();

    // A cursor 50,000 rows deep (or half-way on smaller sets), reached by walking keyset pages.
    let depth = (options.customers / 2).min(50_000);
    let mut cursor = String::new();
    let mut walked = 0;
    while walked < depth {
        let path = if cursor.is_empty() {
            format!("{base}/api/v1/customers?limit=500")
        } else {
            format!("{base}/api/v1/customers?limit=500&cursor={cursor}")
        };
        let page: serde_json::Value = client
            .get(path)
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        cursor = page["next_cursor"]
            .as_str()
            .context("ran out of pages")?
            .to_owned();
        walked += 500;
    }

    let scenarios: Vec<(&str, String)> = vec![
        ("healthz (baseline)", "/healthz".to_owned()),
        (
            "first page (name, with total)",
            "/api/v1/customers?limit=50".to_owned(),
        ),
        (
            "page mode page 3 (with total)",
            "/api/v1/customers?page=3&per_page=50".to_owned(),
        ),
        (
            "deep keyset page (50k rows in)",
            format!("/api/v1/customers?limit=50&cursor={cursor}"),
        ),
        (
            "filtered+sorted (active, -mrr)",
            "/api/v1/customers?status=active&sort=-mrr&limit=50".to_owned(),
        ),
        (
            "filtered+sorted (high risk view)",
            "/api/v1/customers?view=high_risk&sort=-churn_risk&limit=50".to_owned(),
        ),
        (
            "search name fragment (umbrel)",
            "/api/v1/customers?q=umbrel&limit=50".to_owned(),
        ),
        (
            "search rare fragment (soylent rob)",
            "/api/v1/customers?q=soylent%20robot&limit=50".to_owned(),
        ),
        (
            "quick-view counts (5 capped)",
            "/api/v1/customers/counts".to_owned(),
        ),
    ];
    println!(
        "\nHTTP: {} sequential requests per scenario after 20 warm-up",
        options.iterations
    );
    for (name, path) in &scenarios {
        let url = format!("{base}{path}");
        for _ in 0..20 {
            client
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await?
                .bytes()
                .await?;
        }
        let mut samples = Vec::with_capacity(options.iterations);
        for _ in 0..options.iterations {
            let t = Instant::now();
            let response = client.get(&url).bearer_auth(&token).send().await?;
            if !response.status().is_success() {
                bail!("{name}: {} {}", response.status(), response.text().await?);
            }
            response.bytes().await?;
            samples.push(t.elapsed());
        }
        row(name, "http", &figures(samples));
    }

    println!("\nStore (SQL + decoding, no HTTP): same queries");
    let by = |field, descending| SortKey { field, descending };
    let name_sort = vec![by(SortField::Name, false)];
    let store_cases: Vec<(&str, CustomerFilter, Vec<SortKey>, bool)> = vec![
        (
            "first page, no total",
            CustomerFilter::default(),
            name_sort.clone(),
            false,
        ),
        (
            "first page, with total",
            CustomerFilter::default(),
            name_sort.clone(),
            true,
        ),
        (
            "filtered+sorted (active, -mrr)",
            CustomerFilter {
                statuses: vec![tenure_domain::customer::CustomerStatus::Active],
                ..CustomerFilter::default()
            },
            vec![by(SortField::Mrr, true)],
            true,
        ),
        (
            "high risk view",
            CustomerFilter {
                view: Some(QuickView::HighRisk),
                ..CustomerFilter::default()
            },
            vec![by(SortField::ChurnRisk, true)],
            true,
        ),
        (
            "search name fragment (umbrel)",
            CustomerFilter {
                q: Some("umbrel".to_owned()),
                ..CustomerFilter::default()
            },
            name_sort.clone(),
            true,
        ),
    ];
    for (name, filter, sort, with_total) in &store_cases {
        let paging = Paging::Keyset {
            after: None,
            limit: 50,
        };
        let mut samples = Vec::with_capacity(options.iterations);
        for i in 0..options.iterations + 20 {
            let t = Instant::now();
            store
                .list_customers(org.id, filter, sort, &paging, *with_total)
                .await?;
            if i >= 20 {
                samples.push(t.elapsed());
            }
        }
        row(name, "store", &figures(samples));
    }

    // Throughput: 16 concurrent clients on the first page for three seconds.
    let url = format!("{base}/api/v1/customers?limit=50");
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = client.clone();
        let url = url.clone();
        let token = token.clone();
        tasks.push(actix_web::rt::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                if let Ok(r) = client.get(&url).bearer_auth(&token).send().await
                    && r.bytes().await.is_ok()
                {
                    n += 1;
                }
            }
            n
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap_or(0);
    }
    println!(
        "\nthroughput: first page, 16 concurrent clients: {:.0} req/s",
        total as f64 / 3.0
    );
    handle.stop(true).await;
    Ok(())
}
