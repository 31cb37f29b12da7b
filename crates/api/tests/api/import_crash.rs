//! An import survives its server being killed: the real `tenure` binary imports 200,000 rows,
//! is killed with SIGKILL part-way, is started again, and finishes; the organisation's customers
//! then equal those of a clean import of the same file, with no row lost or doubled.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};
use tenure_domain::permission::Role;
use tenure_store::Store;
use tenure_store::user::NewUser;

use crate::harness::{Db, PASSWORD, password_hash, unique};

const ROWS: u64 = 200_000;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(url: &str, data: &std::path::Path) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_tenure"))
        .arg("serve")
        .env("TENURE_DATABASE_URL", url)
        .env("TENURE_BIND", format!("127.0.0.1:{port}"))
        .env("TENURE_DATA_DIR", data)
        .env(
            "TENURE_JWT_SECRET",
            "crash-test-secret-that-is-at-least-32-chars",
        )
        .env("TENURE_JOB_LEASE_SECS", "2")
        .env("TENURE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start tenure");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn ready(client: &reqwest::Client, server: &Server) {
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("tenure did not become ready");
}

async fn call(client: &reqwest::Client, request: reqwest::RequestBuilder, token: &str) -> Value {
    let response = request.bearer_auth(token).send().await.expect("request");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert!(status.is_success(), "{status}: {body}");
    let _ = client;
    body
}

async fn login(client: &reqwest::Client, server: &Server, email: &str) -> String {
    let body: Value = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}

/// Uploads the file, maps it (external ids from `csv`), starts it; returns the job id.
async fn begin(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    file: &std::path::Path,
) -> String {
    let job = call(
        client,
        client
            .post(format!("{}/api/v1/imports?file_name=big.csv", server.base))
            .header("content-type", "text/csv")
            .body(std::fs::read(file).expect("file")),
        token,
    )
    .await;
    let id = job["id"].as_str().expect("id").to_owned();
    call(
        client,
        client
            .put(format!("{}/api/v1/imports/{id}/mapping", server.base))
            .json(&json!({"match": {"by": "external_id", "on_match": "update"}})),
        token,
    )
    .await;
    call(
        client,
        client.post(format!("{}/api/v1/imports/{id}/start", server.base)),
        token,
    )
    .await;
    id
}

async fn job(client: &reqwest::Client, server: &Server, token: &str, id: &str) -> Value {
    call(
        client,
        client.get(format!("{}/api/v1/imports/{id}", server.base)),
        token,
    )
    .await
}

async fn until_done(client: &reqwest::Client, server: &Server, token: &str, id: &str) -> Value {
    loop {
        let job = job(client, server, token, id).await;
        match job["status"].as_str() {
            Some("completed") => return job,
            Some("failed") => panic!("import failed: {job}"),
            _ => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// The customers of an organisation as comparable rows, in external-id order.
async fn customers(
    url: &str,
    org: uuid::Uuid,
    backend: DbBackend,
) -> Vec<(String, String, String)> {
    let db = Database::connect(url).await.expect("connect");
    let marker = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT external_id, name, email FROM customers WHERE organization_id = {marker} AND deleted_at IS NULL ORDER BY external_id"
            ),
            vec![org.into()],
        ))
        .await
        .expect("customers");
    rows.iter()
        .map(|r| {
            (
                r.try_get::<String>("", "external_id").expect("external_id"),
                r.try_get::<String>("", "name").expect("name"),
                r.try_get::<String>("", "email").expect("email"),
            )
        })
        .collect()
}

crate::both!(an_import_killed_midway_resumes_to_the_same_result);

async fn an_import_killed_midway_resumes_to_the_same_result(db: Db) {
    let dir = std::env::temp_dir().join(format!("tenure-crash-{}", unique()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (url, backend) = match db {
        Db::Sqlite => (
            format!("sqlite://{}?mode=rwc", dir.join("crash.db").display()),
            DbBackend::Sqlite,
        ),
        Db::Postgres => {
            let server = std::env::var("TENURE_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
            let server = server.trim_end_matches('/').to_owned();
            let name = format!("tenure_crash_{}", unique());
            Store::connect(&format!("{server}/postgres"))
                .await
                .expect("admin")
                .create_database(&name)
                .await
                .expect("create database");
            (format!("{server}/{name}"), DbBackend::Postgres)
        }
    };
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let mut orgs = Vec::new();
    for name in ["Crashed Co", "Clean Co"] {
        let org = store
            .create_organization(name, Some("US"), "USD")
            .await
            .expect("org");
        let email = format!("owner@{}.example", name.to_lowercase().replace(' ', "-"));
        store
            .create_user(NewUser {
                organization_id: org.id,
                email: &email,
                name: "Owner",
                role: Role::Owner,
                password_hash: password_hash(),
            })
            .await
            .expect("user");
        orgs.push((org.id.as_uuid(), email));
    }
    // 200,000 rows, a few of them bad, a few repeating an earlier row's external id.
    let file = dir.join("big.csv");
    let mut text = String::from("external_id,name,email\n");
    for i in 0..ROWS {
        let id = if i % 997 == 996 { i - 500 } else { i };
        let email = if i % 1009 == 0 {
            "not-an-email".to_owned()
        } else {
            format!("c{i}@crash.example")
        };
        text.push_str(&format!("ext-{id:07},Crash Customer {i},{email}\n"));
    }
    std::fs::write(&file, text).expect("write");

    let client = reqwest::Client::new();
    let data = dir.join("data");
    let server = start(&url, &data);
    ready(&client, &server).await;
    let token = login(&client, &server, &orgs[0].1).await;
    let crashed = begin(&client, &server, &token, &file).await;
    loop {
        let job = job(&client, &server, &token, &crashed).await;
        let done = job["progress"]["rows_done"].as_u64().unwrap_or(0);
        assert_ne!(
            job["status"], "completed",
            "finished before it could be killed"
        );
        if done >= ROWS / 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(server); // SIGKILL: no shutdown, no chance to finish the batch in flight.

    let server = start(&url, &data);
    ready(&client, &server).await;
    let token = login(&client, &server, &orgs[0].1).await;
    let resumed = until_done(&client, &server, &token, &crashed).await;

    let clean_token = login(&client, &server, &orgs[1].1).await;
    let clean_id = begin(&client, &server, &clean_token, &file).await;
    let clean = until_done(&client, &server, &clean_token, &clean_id).await;

    assert_eq!(
        resumed["counts"], clean["counts"],
        "resumed {resumed}\nclean {clean}"
    );
    let bad = (0..ROWS)
        .filter(|i| i % 997 == 996 || i % 1009 == 0)
        .count() as u64;
    assert_eq!(clean["counts"]["failed"], bad);
    assert_eq!(clean["counts"]["created"], ROWS - bad);
    let after_crash = customers(&url, orgs[0].0, backend).await;
    let after_clean = customers(&url, orgs[1].0, backend).await;
    assert_eq!(after_crash.len() as u64, ROWS - bad);
    assert!(
        after_crash == after_clean,
        "the resumed import differs from a clean one"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
