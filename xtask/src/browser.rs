//! The browser tests' prerequisites: Debian's Chromium and ChromeDriver, installed with apt-get
//! when missing (as root, which CI is), and the `tenure` binary the tests start.
//!
//! It must not download a browser of its own (nothing but package registries is reachable).

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::temp_dir::TempDir;
use crate::{cmd, workspace};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// `cargo xtask e2e`: the browser tests alone, with everything they need built first.
pub fn run(args: &[String]) -> Result<()> {
    crate::spa::build_spa()?;
    ensure_chromium()?;
    let server = build_server()?;
    run_tests(&server, args)
}

/// `cargo xtask bench web [--runs N]`: the SPA's size (printed by the bundle build) and sign-in
/// to first directory render against the release server, N fresh browsers (default 10).
pub fn bench(args: &[String]) -> Result<()> {
    let runs = match args {
        [] => 10,
        [flag, n] if flag == "--runs" => n.parse().with_context(|| format!("--runs {n}"))?,
        _ => bail!("usage: cargo xtask bench web [--runs N]"),
    };
    crate::build::build_release(&["tenure"])?;
    ensure_chromium()?;
    let server = workspace::release_binary("tenure")?;
    run_tests_with(
        &server,
        &["sign_in_to_first_render".to_owned()],
        &[("TENURE_E2E_RENDER_RUNS", runs.to_string())],
    )
}

/// Makes sure Chromium and ChromeDriver are installed.
pub fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "the browser tests need Chromium and ChromeDriver: \
             sudo apt-get install chromium chromium-driver"
        );
    }
    cmd::run_quiet(Command::new("apt-get").arg("update"))?;
    cmd::run_quiet(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "--no-install-recommends",
                "chromium",
                "chromium-driver",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Builds the debug `tenure` (with the SPA bundle already in `frontend/dist`); returns its path.
pub fn build_server() -> Result<PathBuf> {
    cmd::run(cmd::cargo().args(["build", "-p", "tenure-api", "--bin", "tenure"]))?;
    Ok(workspace::target_dir()?
        .join("debug")
        .join(format!("tenure{}", std::env::consts::EXE_SUFFIX)))
}

/// Starts `server` (SQLite in a temp dir, demo data) and ChromeDriver, runs
/// `cargo test -p tenure-e2e` against them, and stops both whatever happens.
pub fn run_tests(server: &Path, args: &[String]) -> Result<()> {
    run_tests_with(server, args, &[])
}

fn run_tests_with(server: &Path, args: &[String], env: &[(&str, String)]) -> Result<()> {
    let dir = TempDir::new("tenure-e2e")?;
    let db = dir.path().join("e2e.db");
    let mut app = Command::new(server);
    app.args(["serve", "--demo"])
        .env(
            "TENURE_DATABASE_URL",
            format!("sqlite://{}?mode=rwc", db.display()),
        )
        .env("TENURE_BIND", "127.0.0.1:0")
        .env("TENURE_DATA_DIR", dir.path().join("data"))
        .env("TENURE_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    println!("$ {}", cmd::display(&app));
    let mut app = Running(
        app.spawn()
            .with_context(|| format!("start {}", server.display()))?,
    );
    let url = announced_url(&mut app.0)?;
    let port = free_port()?;
    let mut driver = Command::new(CHROMEDRIVER);
    driver
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    println!("$ {}", cmd::display(&driver));
    let _driver = Running(driver.spawn().context("start chromedriver")?);
    wait_for_port(port)?;
    let mut test = cmd::cargo();
    test.args([
        "test",
        "-p",
        "tenure-e2e",
        "--",
        "--test-threads=2",
        "--show-output",
    ])
    .args(args)
    .env("TENURE_E2E_URL", &url)
    .env("TENURE_E2E_WEBDRIVER", format!("http://127.0.0.1:{port}"))
    .env("CHROMIUM", CHROMIUM);
    for (name, value) in env {
        test.env(name, value);
    }
    cmd::run(&mut test)
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads the server's banner (`Tenure is running at http://...`) and keeps draining its output.
fn announced_url(child: &mut Child) -> Result<String> {
    let stdout = child.stdout.take().context("the server's stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line?;
        if let Some(rest) = line.strip_prefix("Tenure is running at ") {
            let url = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            std::thread::spawn(move || lines.for_each(drop));
            return Ok(url);
        }
    }
    bail!("the server exited before it announced its address")
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16) -> Result<()> {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(20) {
            bail!("chromedriver did not listen on port {port}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}
