//! The browser tests' world: the `tenure serve --demo` (SQLite, demo data) and the ChromeDriver
//! that `cargo xtask test` starts and names in `TENURE_E2E_URL` and `TENURE_E2E_WEBDRIVER` (it
//! owns their lifetimes, so nothing outlives a run), a fresh headless Chromium session with its
//! own profile dir per test, and helpers that wait for the SPA instead of sleeping. A failing test leaves a screenshot and
//! the page's HTML under `target/e2e-artifacts/`.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long any one wait may take before the test fails.
const WAIT: Duration = Duration::from_secs(15);

pub const DESKTOP: (u32, u32) = (1280, 900);
pub const MOBILE: (u32, u32) = (390, 844);

/// A suffix no other run or test has used, so names made with it can be searched for.
pub fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}", nanos % 0xffff_ffff)
}

struct World {
    base_url: String,
    driver_url: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!(
                    "{name} is not set: run the browser tests with `cargo xtask test`, which \
                     starts `tenure serve --demo` with the SPA and ChromeDriver and sets it"
                )
            })
        };
        World {
            base_url: var("TENURE_E2E_URL"),
            driver_url: var("TENURE_E2E_WEBDRIVER"),
        }
    })
}

/// Where failure screenshots go: `$CARGO_TARGET_DIR/e2e-artifacts` (or the workspace target).
pub fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("e2e-artifacts")
}

/// One signed-out browser on the app.
pub struct Browser {
    pub client: Client,
    pub base: String,
    _profile: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `scenario` in a fresh browser; on failure saves a screenshot and the HTML, then fails.
pub async fn run(name: &str, size: (u32, u32), scenario: impl AsyncFnOnce(&Browser) -> Result<()>) {
    let browser = open(size).await.expect("open a browser");
    let outcome = scenario(&browser).await;
    if let Err(error) = outcome {
        let dir = artifacts_dir();
        let _ = std::fs::create_dir_all(&dir);
        let shot = dir.join(format!("{name}.png"));
        if let Ok(png) = browser.client.screenshot().await {
            let _ = std::fs::write(&shot, png);
        }
        if let Ok(html) = browser.client.source().await {
            let _ = std::fs::write(dir.join(format!("{name}.html")), html);
        }
        let url = browser
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let _ = browser.client.clone().close().await;
        panic!(
            "{name} failed at {url}: {error:#}\n(screenshot: {})",
            shot.display()
        );
    }
    let _ = browser.client.clone().close().await;
}

async fn open(size: (u32, u32)) -> Result<Browser> {
    let world = world();
    let profile = std::env::temp_dir().join(format!(
        "tenure-e2e-chrome-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&profile)?;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={},{}", size.0, size.1),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&world.driver_url)
        .await
        .context("start a Chromium session")?;
    client.set_window_size(size.0, size.1).await?;
    Ok(Browser {
        client,
        base: world.base_url.clone(),
        _profile: TempDir(profile),
    })
}

/// `text` as an XPath 1.0 string literal (which has no escapes: quotes are concatenated).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Browser {
    pub async fn goto(&self, path: &str) -> Result<()> {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    /// The path and query of the current page, e.g. `/customers?status=active`.
    pub async fn path(&self) -> Result<String> {
        let url = self.client.current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        })
    }

    pub async fn find(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches {css}"))
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        Ok(self.client.find_all(Locator::Css(css)).await?)
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        // A reactive page may render the element anew between finding and clicking it (a
        // live scan's progress arriving): then it is found again.
        for _ in 0..3 {
            match self.find(css).await?.click().await {
                Ok(_) => return Ok(()),
                Err(e) if e.to_string().contains("stale element") => continue,
                Err(e) => return Err(e).with_context(|| format!("click {css}")),
            }
        }
        self.find(css)
            .await?
            .click()
            .await
            .with_context(|| format!("click {css}"))?;
        Ok(())
    }

    /// Clears a field and types into it.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let field = self.find(css).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    pub async fn js(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, Vec::new()).await?)
    }

    /// Waits until `script` (a JS expression) is truthy.
    pub async fn wait_until(&self, what: &str, script: &str) -> Result<()> {
        self.wait_until_within(what, script, WAIT).await
    }

    /// The same, for work that may take longer than a page (a background job): up to `limit`.
    pub async fn wait_until_within(&self, what: &str, script: &str, limit: Duration) -> Result<()> {
        let started = Instant::now();
        loop {
            let value = self.js(&format!("return !!({script});")).await?;
            if value == Value::Bool(true) {
                return Ok(());
            }
            if started.elapsed() > limit {
                bail!("timed out waiting for {what} ({script})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the directory to show real rows (not skeletons, not a request in flight).
    pub async fn rows_loaded(&self) -> Result<()> {
        self.wait_until(
            "the customer rows",
            "document.querySelector('.table-wrap[aria-busy=\"false\"]') && \
             document.querySelectorAll('.customer-table tbody tr[data-id]').length > 0",
        )
        .await
    }

    /// The names in the table, top to bottom.
    pub async fn row_names(&self) -> Result<Vec<String>> {
        let value = self
            .js("return [...document.querySelectorAll('.customer-table tbody tr[data-id] .row-link')].map(a => a.textContent);")
            .await?;
        serde_json::from_value(value).map_err(|e| anyhow!("row names: {e}"))
    }

    /// With `TENURE_E2E_SCREENSHOTS=1`, saves a screenshot of this moment (to look at the UI).
    pub async fn snapshot(&self, name: &str) -> Result<()> {
        if std::env::var_os("TENURE_E2E_SCREENSHOTS").is_none() {
            return Ok(());
        }
        let dir = artifacts_dir().join("snapshots");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join(format!("{name}.png")),
            self.client.screenshot().await?,
        )?;
        Ok(())
    }

    /// Waits for the first element matching `xpath`.
    pub async fn find_xpath(&self, xpath: &str, what: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(xpath))
            .await
            .with_context(|| format!("no {what} ({xpath})"))
    }

    /// A button (or a link styled as one) by its accessible name: its text or `aria-label`.
    pub async fn button(&self, name: &str) -> Result<Element> {
        let n = xpath_literal(name);
        self.find_xpath(
            &format!(
                "//*[(self::button or self::a or @role='button') and not(@disabled) and                  (normalize-space(.)={n} or @aria-label={n})]"
            ),
            &format!("button {name:?}"),
        )
        .await
    }

    /// Clicks the button named `name`.
    pub async fn press(&self, name: &str) -> Result<()> {
        self.button(name)
            .await?
            .click()
            .await
            .with_context(|| format!("click button {name:?}"))
    }

    /// The open dialog whose heading is `title`.
    pub async fn dialog(&self, title: &str) -> Result<Element> {
        let t = xpath_literal(title);
        self.find_xpath(
            &format!("//dialog[@open][.//h2[normalize-space(.)={t}]]"),
            &format!("dialog {title:?}"),
        )
        .await
    }

    /// Submits the open dialog titled `title` with its submit button.
    pub async fn submit_dialog(&self, title: &str) -> Result<()> {
        let dialog = self.dialog(title).await?;
        dialog
            .find(Locator::XPath(".//button[@type='submit']"))
            .await?
            .click()
            .await
            .with_context(|| format!("submit the dialog {title:?}"))
    }

    /// Waits until no dialog is open.
    pub async fn dialog_closed(&self) -> Result<()> {
        self.wait_until(
            "the dialog to close",
            "!document.querySelector('dialog[open]')",
        )
        .await
    }

    /// The tab named `name` (role=tab).
    pub async fn tab(&self, name: &str) -> Result<Element> {
        let n = xpath_literal(name);
        self.find_xpath(
            &format!("//*[@role='tab' and normalize-space(.)={n}]"),
            &format!("tab {name:?}"),
        )
        .await
    }

    /// The form control labelled `label` (through `<label for>`; a required field's label
    /// ends in `*`).
    pub async fn field(&self, label: &str) -> Result<Element> {
        let l = xpath_literal(label);
        let starred = xpath_literal(&format!("{label} *"));
        let label_element = self
            .find_xpath(
                &format!("//label[normalize-space(.)={l} or normalize-space(.)={starred}]"),
                &format!("label {label:?}"),
            )
            .await?;
        let id = label_element
            .attr("for")
            .await?
            .with_context(|| format!("label {label:?} names no control"))?;
        self.find(&format!("[id='{id}']")).await
    }

    /// Types into the field labelled `label`, replacing what was there.
    pub async fn fill_in(&self, label: &str, text: &str) -> Result<()> {
        let field = self.field(label).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Picks the option with visible text `option` in the menu labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) -> Result<()> {
        self.field(label)
            .await?
            .select_by_label(option)
            .await
            .with_context(|| format!("choose {option:?} in {label:?}"))
    }

    /// Calls the API as the signed-in user (with the SPA's stored token), returning the JSON
    /// answer; a failure status is an error.
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let body = body.map_or("null".to_owned(), |b| b.to_string());
        let script = format!(
            "const done = arguments[0];
             const t = JSON.parse(localStorage.getItem('tenure.tokens')).access_token;
             const body = {body};
             fetch('/api/v1{path}', {{method: '{method}', headers: {{Authorization: 'Bearer ' + t,
               'Content-Type': 'application/json'}}, body: body === null ? undefined : JSON.stringify(body)}})
               .then(async r => done({{status: r.status, json: await r.json().catch(() => null)}}))
               .catch(e => done({{status: 0, json: String(e)}}));"
        );
        let answer = self.client.execute_async(&script, Vec::new()).await?;
        let status = answer["status"].as_u64().unwrap_or(0);
        if !(200..300).contains(&status) {
            bail!("{method} {path} answered {status}: {}", answer["json"]);
        }
        Ok(answer["json"].clone())
    }

    /// Creates a customer through the API and returns its id.
    pub async fn create_customer(&self, body: Value) -> Result<String> {
        let created = self.api("POST", "/customers", Some(body)).await?;
        created["id"]
            .as_str()
            .map(str::to_owned)
            .context("the new customer's id")
    }

    /// Opens a customer's page on `tab` (None: the Overview) and waits for its header.
    pub async fn open_customer(&self, id: &str, tab: Option<&str>) -> Result<()> {
        match tab {
            Some(tab) => self.goto(&format!("/customers/{id}?tab={tab}")).await?,
            None => self.goto(&format!("/customers/{id}")).await?,
        }
        self.find("[data-testid=customer-name]").await?;
        Ok(())
    }

    /// Waits until the toast stack says `text`.
    pub async fn toast(&self, text: &str) -> Result<()> {
        let literal = serde_json::to_string(text)?;
        self.wait_until(
            &format!("the toast {text:?}"),
            &format!("document.querySelector('.toasts').textContent.includes({literal})"),
        )
        .await
    }

    /// Signs in through the form and waits for the directory.
    pub async fn sign_in(&self, email: &str) -> Result<()> {
        self.goto("/signin").await?;
        self.fill("#signin-email", email).await?;
        self.fill("#signin-password", "demo").await?;
        self.click("form button[type=submit]").await?;
        self.wait_until(
            "the directory after sign-in",
            "location.pathname === '/customers'",
        )
        .await?;
        self.rows_loaded().await
    }

    /// Turns the window into a phone's ([`MOBILE`]) and waits for the page to lay out for it.
    pub async fn as_phone(&self) -> Result<()> {
        self.client.set_window_size(MOBILE.0, MOBILE.1).await?;
        self.wait_until(
            "the phone layout",
            &format!("document.documentElement.clientWidth <= {}", MOBILE.0),
        )
        .await
    }

    /// Fails when the page is wider than a phone's screen, so it would scroll sideways; `what`
    /// names the page in the message.
    pub async fn fits_phone(&self, what: &str) -> Result<()> {
        let width = self
            .js("return document.documentElement.scrollWidth;")
            .await?;
        if !width.as_f64().is_some_and(|w| w <= f64::from(MOBILE.0)) {
            bail!("{what} scrolls sideways on a phone: {width} wide");
        }
        Ok(())
    }
}
