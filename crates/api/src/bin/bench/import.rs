//! `tenure-bench import`: a generated HubSpot companies export of N rows (2% of them bad) goes
//! through the real pipeline over HTTP: upload, map with the template, import in the
//! background, poll until done. Then the same file again, matched by external id (0 creates).
//! On PostgreSQL the same rows are also loaded with `COPY` into the same indexed table, for
//! scale. Prints rows/s and the process's peak RSS.

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tenure_api::state::AppState;
use tenure_domain::permission::Role;
use tenure_store::user::NewUser;
use tenure_store::{Backend, Store};

const INDUSTRIES: &[&str] = &[
    "Software",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Logistics",
    "Finance",
    "Energy",
    "Education",
];
const STAGES: &[&str] = &[
    "customer",
    "opportunity",
    "lead",
    "evangelist",
    "salesqualifiedlead",
];
const WORDS: &[&str] = &[
    "Northwind",
    "Blue",
    "Summit",
    "Harbor",
    "Quantum",
    "Cedar",
    "Atlas",
    "Nova",
    "Granite",
    "Silver",
    "Lumen",
    "Pioneer",
    "Vertex",
    "Maple",
    "Orbit",
    "Beacon",
];
const SUFFIXES: &[&str] = &[
    "Analytics",
    "Logistics",
    "Labs",
    "Systems",
    "Foods",
    "Health",
    "Works",
];

/// One row of the generated export; every 50th is bad in one of five ways.
fn row(i: u64, out: &mut impl Write) -> std::io::Result<()> {
    let w = |n: u64| WORDS[(n % WORDS.len() as u64) as usize];
    let name = format!(
        "{} {} {} {i}",
        w(i),
        w(i / 7 + 3),
        SUFFIXES[(i % SUFFIXES.len() as u64) as usize]
    );
    let domain = format!("{}-{i}.example", w(i).to_lowercase());
    let employees = (i * 37) % 12_000 + 1;
    let phone = format!("+1 415 {:03} {:04}", 200 + i % 700, i % 10_000);
    let (city, region, postal, country) = match i % 4 {
        0 => (
            "San Francisco",
            "CA",
            format!("{:05}", 94_000 + i % 999),
            "United States",
        ),
        1 => ("London", "", "SW1A 1AA".to_owned(), "United Kingdom"),
        2 => (
            "Berlin",
            "BE",
            format!("{:05}", 10_115 + i % 800),
            "Germany",
        ),
        _ => ("Lyon", "", format!("{:05}", 69_001 + i % 9), "FR"),
    };
    let bad = i % 50 == 49;
    let (name, postal, phone, employees) = match (bad, (i / 50) % 5) {
        (false, _) => (name, postal, phone, employees.to_string()),
        (true, 0) => (
            format!("=HYPERLINK(\"x{i}\")"),
            postal,
            phone,
            employees.to_string(),
        ),
        (true, 1) => (name, "ABCDE-99".to_owned(), phone, employees.to_string()),
        (true, 2) => (name, postal, "12".to_owned(), employees.to_string()),
        (true, 3) => (String::new(), postal, phone, employees.to_string()),
        (true, _) => (name, postal, phone, "lots".to_owned()),
    };
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(256));
    writer.write_record([
        (100_000 + i).to_string(),
        name,
        domain,
        INDUSTRIES[(i % INDUSTRIES.len() as u64) as usize].to_owned(),
        employees,
        phone,
        format!("{} Market Street", i % 900 + 1),
        city.to_owned(),
        region.to_owned(),
        postal,
        country.to_owned(),
        STAGES[(i % STAGES.len() as u64) as usize].to_owned(),
        format!(
            "20{:02}-{:02}-{:02} 09:30",
            15 + i % 10,
            i % 12 + 1,
            i % 28 + 1
        ),
    ])?;
    out.write_all(
        &writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?,
    )
}

const HEADER: &str = "Record ID,Company name,Company Domain Name,Industry,Number of Employees,Phone Number,Street Address,City,State/Region,Postal Code,Country/Region,Lifecycle Stage,Create Date\r\n";

/// Peak resident memory of this process (Linux), in MiB.
pub(crate) fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn json(&self, request: reqwest::RequestBuilder) -> anyhow::Result<serde_json::Value> {
        let response = request.bearer_auth(&self.token).send().await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await?;
        if !status.is_success() {
            bail!("{status}: {body}");
        }
        Ok(body)
    }

    /// Uploads, maps with the HubSpot companies template, starts, and waits; returns the job and
    /// the seconds from the first byte uploaded to the job's end.
    async fn import(
        &self,
        path: &std::path::Path,
    ) -> anyhow::Result<(serde_json::Value, f64, f64)> {
        let started = Instant::now();
        let file = tokio::fs::File::open(path).await?;
        let body = reqwest::Body::wrap_stream(tokio_util_stream(file));
        let job = self
            .json(
                self.http
                    .post(format!("{}/api/v1/imports?file_name=bench.csv", self.base))
                    .header("content-type", "text/csv")
                    .body(body),
            )
            .await?;
        let uploaded = started.elapsed().as_secs_f64();
        let id = job["id"].as_str().context("job id")?.to_owned();
        self.json(
            self.http
                .put(format!("{}/api/v1/imports/{id}/mapping", self.base))
                .json(&serde_json::json!({"template": "hubspot_companies"})),
        )
        .await?;
        self.json(
            self.http
                .post(format!("{}/api/v1/imports/{id}/start", self.base)),
        )
        .await?;
        let mut last_print = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let job = self
                .json(self.http.get(format!("{}/api/v1/imports/{id}", self.base)))
                .await?;
            match job["status"].as_str() {
                Some("completed") => {
                    return Ok((job, uploaded, started.elapsed().as_secs_f64()));
                }
                Some("failed") => bail!("import failed: {}", job["message"]),
                _ => {}
            }
            if last_print.elapsed() > Duration::from_secs(10) {
                last_print = Instant::now();
                println!(
                    "  ... {} rows, {} rows/s, eta {} s",
                    job["progress"]["rows_done"],
                    job["progress"]["rows_per_second"],
                    job["progress"]["eta_seconds"]
                );
            }
        }
    }
}

/// A file as a stream of 1 MiB chunks (reqwest streams it; nothing holds the whole file).
fn tokio_util_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(file, |mut file| async move {
        let mut buf = vec![0u8; 1 << 20];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    })
}

/// Writes the generated export; returns its size in bytes.
fn generate(path: &std::path::Path, rows: u64) -> anyhow::Result<u64> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    out.write_all(HEADER.as_bytes())?;
    for i in 0..rows {
        row(i, &mut out)?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

pub async fn run(store: &Store, rows: u64) -> anyhow::Result<()> {
    let backend = store.backend();
    println!("backend: {backend:?}, rows: {rows}");
    let org = store
        .create_organization("Import Bench Co", Some("US"), "USD")
        .await?;
    let password = "bench-password";
    let hash = tenure_api::auth::password::hash(password)?;
    store
        .create_user(NewUser {
            organization_id: org.id,
            email: "importer@bench.example",
            name: "Importer",
            role: Role::Owner,
            password_hash: &hash,
        })
        .await?;
    let dir = std::env::temp_dir().join(format!("tenure-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("hubspot-companies.csv");
    let started = Instant::now();
    let size = generate(&file, rows)?;
    println!(
        "generated {rows} rows ({:.1} MiB, 2% bad) in {:.1} s",
        size as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64()
    );

    let state = AppState::new(
        store.clone(),
        Some("bench-secret-that-is-at-least-32-characters"),
    )
    .await?
    .with_data_dir(&dir.join("data"))?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tenure_api::app::serve(listener, state, Some(1))?;
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "importer@bench.example", "password": password}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let client = Client {
        http,
        base,
        token: token["access_token"]
            .as_str()
            .context("no token")?
            .to_owned(),
    };

    let (job, uploaded, total) = client.import(&file).await?;
    let counts = &job["counts"];
    println!(
        "import: {rows} rows end to end in {total:.1} s = {:.0} rows/s (upload and inspection {uploaded:.1} s); created {}, failed {}",
        rows as f64 / total,
        counts["created"],
        counts["failed"]
    );
    let (again, _, total_again) = client.import(&file).await?;
    println!(
        "re-import of the same file (match by external id): {total_again:.1} s = {:.0} rows/s; created {}, updated {}, skipped {}, failed {}",
        rows as f64 / total_again,
        again["counts"]["created"],
        again["counts"]["updated"],
        again["counts"]["skipped"],
        again["counts"]["failed"]
    );
    if let Some(rss) = peak_rss_mib() {
        println!("peak RSS of the server process (bench client included): {rss:.0} MiB");
    }
    handle.stop(true).await;
    if backend == Backend::Postgres {
        copy_comparison(store, org.id, &dir).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `COPY` of the same customer rows into the same table (all its indexes in place), under a
/// second organisation: the floor a plain bulk load reaches on this machine.
async fn copy_comparison(
    store: &Store,
    org: tenure_domain::ids::OrganizationId,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let twin = store
        .create_organization("Copy Twin Co", Some("US"), "USD")
        .await?;
    let export = dir.join("copy.csv");
    // The server writes and reads the file as its own OS user.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777))?;
    }
    let rows = store
        .copy_customers_for_bench(org, twin.id, &export.display().to_string())
        .await?;
    println!(
        "COPY of the same {} rows into the indexed customers table: {:.1} s = {:.0} rows/s",
        rows.0,
        rows.1.as_secs_f64(),
        rows.0 as f64 / rows.1.as_secs_f64()
    );
    Ok(())
}
