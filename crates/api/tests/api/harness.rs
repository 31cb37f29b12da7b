//! Spawns a server per test and signs in its users.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::OnceLock;

use reqwest::{Method, Response};
use serde_json::Value;
use tenure_api::state::AppState;
use tenure_domain::permission::Role;
use tenure_store::Store;
use tenure_store::organization::Organization;
use tenure_store::user::NewUser;

/// The password every test user has.
pub const PASSWORD: &str = "correct-horse-battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `both!(name);` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::harness::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::harness::Db::Postgres).await
            }
        }
    )+};
}

/// A signed-in user of a test organisation.
#[derive(Debug, Clone)]
pub struct Login {
    pub email: String,
    pub token: String,
    pub refresh_token: String,
    pub user_id: String,
}

pub struct TestApp {
    pub base: String,
    /// The database URL, for tests that must go around the store to prove a constraint.
    pub database_url: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub org: Organization,
    pub owner: Login,
    pub staff: Login,
    pub viewer: Login,
    /// The owner of a second organisation, for isolation checks.
    pub other: Login,
    pub other_org: Organization,
    _dir: Option<TempDir>,
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn unique() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// One argon2 hash for every test user (hashing is slow by design).
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| tenure_api::auth::password::hash(PASSWORD).expect("hash"))
}

/// The PostgreSQL database of this test binary: created and migrated once, on its own runtime so
/// no test's runtime owns its connections.
fn postgres_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let server = std::env::var("TENURE_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("tenure_test_{}", unique());
        let url = format!("{server}/{name}");
        let admin = format!("{server}/postgres");
        let created = url.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let admin = Store::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is required for the API tests (TENURE_TEST_PG_URL={server}): {e:?}")
                });
                admin
                    .create_database(&name)
                    .await
                    .expect("create test database");
                let store = Store::connect(&created).await.expect("connect test database");
                store.migrate().await.expect("migrate test database");
            });
        })
        .join()
        .expect("creating the PostgreSQL test database");
        url
    })
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        let (url, dir) = match db {
            Db::Sqlite => {
                let dir = std::env::temp_dir().join(format!("tenure-test-{}", unique()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
                (url, Some(TempDir(dir)))
            }
            Db::Postgres => (postgres_url().to_owned(), None),
        };
        // A short lease: a job whose test (and worker) ended is taken over quickly.
        let store = Store::connect(&url)
            .await
            .expect("connect")
            .with_job_lease(std::time::Duration::from_secs(3));
        if db == Db::Sqlite {
            store.migrate().await.expect("migrate");
        }
        let suffix = unique();
        let org = store
            .create_organization(&format!("Test Org {suffix}"), Some("US"), "USD")
            .await
            .expect("org");
        let other_org = store
            .create_organization(&format!("Other Org {suffix}"), Some("GB"), "GBP")
            .await
            .expect("other org");
        let mut emails = Vec::new();
        for (org_id, role, who) in [
            (org.id, Role::Owner, "owner"),
            (org.id, Role::Staff, "staff"),
            (org.id, Role::Viewer, "viewer"),
            (other_org.id, Role::Owner, "other"),
        ] {
            let email = format!("{who}-{suffix}@test.example");
            store
                .create_user(NewUser {
                    organization_id: org_id,
                    email: &email,
                    name: who,
                    role,
                    password_hash: password_hash(),
                })
                .await
                .expect("user");
            emails.push(email);
        }
        let state = AppState::new(
            store.clone(),
            Some("test-secret-that-is-at-least-32-characters"),
        )
        .await
        .expect("state")
        // The tests play the reverse proxy, so X-Forwarded-For can stand for a client address.
        .with_trusted_proxies(vec!["127.0.0.1".parse().expect("ip")])
        // One directory for every test of the binary: on the shared PostgreSQL database any
        // test's worker may run any test's import, so each must find the others' files.
        .with_data_dir(&std::env::temp_dir().join("tenure-test-data"))
        .expect("data dir");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = tenure_api::app::serve(listener, state, Some(2)).expect("serve");
        tokio::spawn(server);
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let login = |email: String| {
            let client = client.clone();
            let base = base.clone();
            async move {
                let response = client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&serde_json::json!({"email": email, "password": PASSWORD}))
                    .send()
                    .await
                    .expect("login request");
                assert_eq!(response.status(), 200, "login of {email}");
                let body: Value = response.json().await.expect("login body");
                let token = body["access_token"].as_str().expect("token").to_owned();
                let me: Value = client
                    .get(format!("{base}/api/v1/me"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("me")
                    .json()
                    .await
                    .expect("me body");
                Login {
                    email,
                    token,
                    refresh_token: body["refresh_token"].as_str().expect("refresh").to_owned(),
                    user_id: me["user"]["id"].as_str().expect("user id").to_owned(),
                }
            }
        };
        let owner = login(emails[0].clone()).await;
        let staff = login(emails[1].clone()).await;
        let viewer = login(emails[2].clone()).await;
        let other = login(emails[3].clone()).await;
        TestApp {
            base,
            database_url: url.clone(),
            client,
            store,
            org,
            owner,
            staff,
            viewer,
            other,
            other_org,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request as `who` (no auth when `None`), with an optional JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        who: Option<&Login>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(who) = who {
            request = request.bearer_auth(&who.token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    pub async fn get(&self, path: &str, who: &Login) -> Response {
        self.send(Method::GET, path, Some(who), None).await
    }

    pub async fn post(&self, path: &str, who: &Login, body: Value) -> Response {
        self.send(Method::POST, path, Some(who), Some(body)).await
    }

    /// PATCH with `If-Match` when a version is given.
    pub async fn patch(
        &self,
        path: &str,
        who: &Login,
        version: Option<i64>,
        body: Value,
    ) -> Response {
        let mut request = self
            .client
            .patch(self.url(path))
            .bearer_auth(&who.token)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(version) = version {
            request = request.header("if-match", format!("\"{version}\""));
        }
        request.send().await.expect("request")
    }

    /// Creates a customer as the owner and returns its JSON.
    pub async fn create(&self, body: Value) -> Value {
        let response = self.post("/api/v1/customers", &self.owner, body).await;
        let status = response.status();
        let json: Value = response.json().await.expect("json");
        assert_eq!(status, 201, "create failed: {json}");
        json
    }
}

/// Asserts the response's status and returns its JSON body (`null` when it has none).
pub async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

/// Asserts a problem+json response with `status` and `code`, returning its body.
pub async fn expect_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "unexpected status for {code}"
    );
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status);
    body
}

/// The fields named in a validation problem.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
