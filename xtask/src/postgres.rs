//! Finds or starts a PostgreSQL server for the API tests and the benchmark, so `cargo xtask test`
//! works on a bare machine and the PostgreSQL half of the suite is never silently skipped.
//!
//! Order, first that works wins, and the choice is always printed:
//! 1. `TEST_DATABASE_URL` (any database path in it is stripped: the tests make their own);
//! 2. a server on 127.0.0.1:5432 that lets `postgres` in without a password;
//! 3. a private throwaway cluster from the installed server binaries (initdb + pg_ctl), stopped
//!    and deleted when xtask exits;
//! 4. on Debian as root, `apt-get install postgresql`, then 3.
//!
//! It must not touch a server it did not start (no stop, no config change), and it must not leave
//! a private cluster running: a Drop guard stops it, and a watchdog outside xtask's process group
//! stops it if xtask is killed (Ctrl-C) before the guard runs.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::cmd;
use crate::temp_dir::TempDir;

/// For testing the provisioning order only: the port step 2 probes (default 5432). Point it at an
/// unused port to exercise the private-cluster path on a machine that runs PostgreSQL.
const PROBE_PORT_VAR: &str = "XTASK_PG_PROBE_PORT";
const DEFAULT_PORT: u16 = 5432;
const HOW_TO_PROVIDE: &str = "\
provide PostgreSQL in one of these ways:
  - set TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT (a role that may CREATE DATABASE);
  - run a server on 127.0.0.1:5432 that trusts the `postgres` role from localhost;
  - install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql,
    macOS: brew install postgresql) so xtask can start a private throwaway cluster.";

/// A usable PostgreSQL server. Keep it alive as long as the server is needed.
pub struct Postgres {
    /// Server URL without a database name, e.g. `postgres://postgres@127.0.0.1:5432`.
    pub url: String,
    /// `Some` when xtask started the server; dropping it stops the server.
    _cluster: Option<Cluster>,
}

/// `cargo xtask pg-url`: provisions like `test` does and prints the URL; proves the server answers
/// when psql is available. A private cluster stops again when this returns.
pub fn print_url() -> Result<()> {
    let postgres = provision()?;
    if let Some(psql) = find_psql() {
        cmd::run(
            Command::new(psql)
                .args(["-X", "-w", "-A", "-t", "-d"])
                .arg(database_url(&postgres.url, "postgres"))
                .args(["-c", "select version()"]),
        )?;
    }
    println!("{}", postgres.url);
    Ok(())
}

pub fn provision() -> Result<Postgres> {
    if let Some(url) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        let url = server_url(&url).context("TEST_DATABASE_URL is not a usable PostgreSQL URL")?;
        println!("PostgreSQL: TEST_DATABASE_URL -> {}", cmd::redact_url(&url));
        return Ok(Postgres {
            url,
            _cluster: None,
        });
    }

    let port = probe_port()?;
    if let Some(url) = local_server(port) {
        println!("PostgreSQL: the server on 127.0.0.1:{port} -> {url}");
        return Ok(Postgres {
            url,
            _cluster: None,
        });
    }

    let bin_dir = match find_server_binaries() {
        Some(bin_dir) => bin_dir,
        None if debian_as_root() => {
            println!("PostgreSQL: no server and no server binaries; installing them with apt-get");
            install_with_apt()
                .with_context(|| format!("installing PostgreSQL failed\n{HOW_TO_PROVIDE}"))?;
            find_server_binaries().with_context(|| {
                format!("apt-get installed postgresql but no initdb was found\n{HOW_TO_PROVIDE}")
            })?
        }
        None => bail!(
            "no PostgreSQL for the tests: TEST_DATABASE_URL is not set, nothing usable listens \
             on 127.0.0.1:{port}, and no initdb is installed\n{HOW_TO_PROVIDE}"
        ),
    };
    let cluster = Cluster::start(&bin_dir)?;
    let url = format!("postgres://postgres@127.0.0.1:{}", cluster.port);
    println!(
        "PostgreSQL: private throwaway cluster from {} in {} -> {url}",
        bin_dir.display(),
        cluster.dir.path().display()
    );
    Ok(Postgres {
        url,
        _cluster: Some(cluster),
    })
}

/// `<server>/<database>`: the URL of one database on a server URL from [`provision`].
pub fn database_url(server_url: &str, database: &str) -> String {
    format!("{}/{database}", server_url.trim_end_matches('/'))
}

/// Drops the databases the API tests created on this server (`tenure_test_*`), so runs against a
/// long-lived server do not pile them up. Best effort: without psql, or for a database still in
/// use, it says so and moves on.
pub fn drop_test_databases(server_url: &str) {
    let Some(psql) = find_psql() else {
        println!("no psql: leaving tenure_test_* databases in place");
        return;
    };
    let admin = database_url(server_url, "postgres");
    let listed = cmd::stdout_of(Command::new(&psql).args([
        "-X",
        "-A",
        "-t",
        "-w",
        "-d",
        &admin,
        "-c",
        "SELECT datname FROM pg_database WHERE datname LIKE 'tenure\\_test\\_%'",
    ]));
    let Ok(names) = listed else {
        println!("could not list test databases; leaving them in place");
        return;
    };
    let names: Vec<&str> = names
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    let mut dropped = 0;
    for name in &names {
        let ok = cmd::succeeds(Command::new(&psql).args([
            "-X",
            "-q",
            "-w",
            "-d",
            &admin,
            "-c",
            &format!("DROP DATABASE IF EXISTS \"{name}\""),
        ]));
        dropped += usize::from(ok);
    }
    println!("dropped {dropped} of {} test databases", names.len());
}

/// psql on PATH, or beside the newest installed server binaries.
pub fn find_psql() -> Option<PathBuf> {
    cmd::find_on_path("psql").or_else(|| {
        find_server_binaries()
            .map(|bin_dir| bin_dir.join("psql"))
            .filter(|psql| psql.is_file())
    })
}

/// `scheme://userinfo@host:port` from a URL that may carry a database path and query. The query is
/// dropped too: the tests append `/<database>` to what they get.
fn server_url(url: &str) -> Result<String> {
    let (scheme, rest) = url
        .split_once("://")
        .context("expected postgres://USER:PASSWORD@HOST:PORT")?;
    if scheme != "postgres" && scheme != "postgresql" {
        bail!("expected a postgres:// URL, got a {scheme}:// one");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.ends_with('@') {
        bail!("the URL names no host; a TCP host is needed (postgres://USER@HOST:PORT)");
    }
    if rest.len() > authority.len() {
        println!(
            "PostgreSQL: using the server only; dropped `{}` from TEST_DATABASE_URL",
            &rest[authority.len()..]
        );
    }
    Ok(format!("{scheme}://{authority}"))
}

fn probe_port() -> Result<u16> {
    match std::env::var(PROBE_PORT_VAR) {
        Ok(port) => {
            let port = port
                .parse()
                .with_context(|| format!("{PROBE_PORT_VAR}={port} is not a port number"))?;
            println!("PostgreSQL: {PROBE_PORT_VAR} set, probing 127.0.0.1:{port}");
            Ok(port)
        }
        Err(_) => Ok(DEFAULT_PORT),
    }
}

/// The URL of a server on 127.0.0.1:`port` that accepts `postgres` without a password, if any.
fn local_server(port: u16) -> Option<String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()?;
    let url = format!("postgres://postgres@127.0.0.1:{port}");
    let Some(psql) = find_psql() else {
        // Nothing to confirm with; the port answers, so trust it. The tests will say if not.
        return Some(url);
    };
    let confirmed = cmd::succeeds(
        Command::new(psql)
            .args(["-X", "-w", "-h", "127.0.0.1", "-U", "postgres", "-p"])
            .arg(port.to_string())
            .args(["-c", "select 1"])
            .env("PGCONNECT_TIMEOUT", "5"),
    );
    if !confirmed {
        println!(
            "PostgreSQL: 127.0.0.1:{port} answers but `psql -h 127.0.0.1 -U postgres` is refused \
             without a password; not using it"
        );
        return None;
    }
    Some(url)
}

/// The directory holding `initdb` and `pg_ctl`: the newest `/usr/lib/postgresql/<version>/bin`
/// (Debian keeps them off PATH), else wherever `initdb` is on PATH.
fn find_server_binaries() -> Option<PathBuf> {
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = parse_version(&entry.file_name().to_string_lossy())?;
            let bin_dir = entry.path().join("bin");
            bin_dir
                .join("initdb")
                .is_file()
                .then_some((version, bin_dir))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin_dir)| bin_dir);
    debian.or_else(|| {
        let initdb = cmd::find_on_path("initdb")?;
        let bin_dir = initdb.parent()?.to_path_buf();
        bin_dir.join("pg_ctl").is_file().then_some(bin_dir)
    })
}

/// `16` -> (16, 0), `9.6` -> (9, 6); anything else is not a version directory.
fn parse_version(name: &str) -> Option<(u32, u32)> {
    let mut parts = name.splitn(2, '.');
    let major = parts.next()?.parse().ok()?;
    let minor = match parts.next() {
        Some(minor) => minor.parse().ok()?,
        None => 0,
    };
    Some((major, minor))
}

fn debian_as_root() -> bool {
    Path::new("/etc/debian_version").exists() && cmd::running_as_root()
}

fn install_with_apt() -> Result<()> {
    cmd::run_quiet(Command::new("apt-get").arg("update"))?;
    cmd::run_quiet(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "postgresql"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// A private cluster in a temp dir. Drop stops the server, then the fields drop in order: the
/// dir goes, then the watchdog's pipe closes.
struct Cluster {
    bin_dir: PathBuf,
    port: u16,
    /// PostgreSQL refuses to run as root; as root every server command runs as `postgres`.
    as_postgres_user: bool,
    started: bool,
    dir: TempDir,
    /// Closing this (last, after `dir`) tells the watchdog xtask is gone.
    watchdog: Option<ChildStdin>,
}

impl Cluster {
    fn start(bin_dir: &Path) -> Result<Cluster> {
        let as_postgres_user = cmd::running_as_root();
        if as_postgres_user && !cmd::succeeds(Command::new("id").arg("postgres")) {
            bail!(
                "xtask runs as root and PostgreSQL refuses to; there is no `postgres` user to run \
                 it as (create one, or run xtask as another user)\n{HOW_TO_PROVIDE}"
            );
        }
        if as_postgres_user && cmd::find_on_path("runuser").is_none() {
            bail!(
                "xtask runs as root and PostgreSQL refuses to; `runuser` (util-linux) is needed \
                 to run it as `postgres`\n{HOW_TO_PROVIDE}"
            );
        }
        let mut cluster = Cluster {
            bin_dir: bin_dir.to_path_buf(),
            port: free_port()?,
            as_postgres_user,
            started: false,
            dir: TempDir::new("pg")?,
            watchdog: None,
        };
        let dir = cluster.dir.path().to_path_buf();
        if as_postgres_user {
            cmd::run_quiet(Command::new("chown").arg("postgres:").arg(&dir))?;
        }
        // Before anything can start: from here on a killed xtask leaves nothing behind.
        cluster.spawn_watchdog();
        let data = dir.join("data");
        // Trust auth on 127.0.0.1 only; no fsync: the cluster lives for one run and speed matters.
        cmd::run_quiet(
            cluster
                .server_command("initdb")
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "--auth=trust", "--no-sync"])
                .args(["-E", "UTF8", "--no-locale"]),
        )
        .context("initdb failed")?;
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off",
            cluster.port,
            dir.display()
        );
        let log = dir.join("postgres.log");
        let started = cmd::run_quiet(
            cluster
                .server_command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .arg("-o")
                .arg(options)
                .args(["-w", "start"]),
        );
        // pg_ctl may have started the server even when it reports failure (timeout); stop it.
        cluster.started = true;
        if let Err(err) = started {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(err.context(format!("the private PostgreSQL did not start:\n{log}")));
        }
        Ok(cluster)
    }

    /// A PostgreSQL server program from `bin_dir`, run as `postgres` when xtask is root.
    fn server_command(&self, program: &str) -> Command {
        let program = self.bin_dir.join(program);
        let mut command = if self.as_postgres_user {
            // runuser (util-linux) rather than `su -c`, which would take one shell string.
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        // The `postgres` user may not be allowed into xtask's working directory; it owns this one.
        command.current_dir(self.dir.path());
        command
    }

    /// A detached shell that waits for xtask to exit, then stops the server and removes the dir.
    /// It covers what Drop cannot: Ctrl-C (which kills xtask but not the server: pg_ctl puts the
    /// server in its own session) and kill. It waits on a pipe only xtask holds the write end of
    /// (std makes it close-on-exec, so no other child inherits it): the kernel closes it however
    /// xtask ends. When Drop did run first, the shell's stop and rm find nothing to do.
    fn spawn_watchdog(&mut self) {
        let Some(setsid) = cmd::find_on_path("setsid") else {
            return;
        };
        let stop = cmd::display(
            self.server_command("pg_ctl")
                .arg("-D")
                .arg(self.dir.path().join("data"))
                .args(["-m", "fast", "stop"]),
        );
        let script = format!(
            "cat >/dev/null; {stop} >/dev/null 2>&1; rm -rf {dir}",
            dir = cmd::quote(&self.dir.path().to_string_lossy()),
        );
        let spawned = Command::new(setsid)
            .args(["sh", "-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match spawned {
            Ok(mut watchdog) => self.watchdog = watchdog.stdin.take(),
            Err(err) => eprintln!(
                "warning: no watchdog for the private PostgreSQL ({err}); Ctrl-C may leave it \
                 running"
            ),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.started {
            return;
        }
        println!(
            "PostgreSQL: stopping the private cluster on port {}",
            self.port
        );
        let stopped = cmd::run_quiet(
            self.server_command("pg_ctl")
                .arg("-D")
                .arg(self.dir.path().join("data"))
                .args(["-m", "fast", "-w", "stop"]),
        );
        if let Err(err) = stopped {
            eprintln!("warning: could not stop the private PostgreSQL: {err:#}");
        }
    }
}

/// A port nobody listens on right now (the OS picks it; the tiny race until postgres binds it is
/// acceptable for a test cluster).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("could not find a free port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use crate::postgres::{database_url, parse_version, server_url};

    #[test]
    fn server_url_strips_database_and_query() -> anyhow::Result<()> {
        assert_eq!(
            server_url("postgres://u:p@db.example:5433/app?sslmode=require")?,
            "postgres://u:p@db.example:5433"
        );
        assert_eq!(
            server_url("postgresql://postgres@127.0.0.1")?,
            "postgresql://postgres@127.0.0.1"
        );
        Ok(())
    }

    #[test]
    fn server_url_rejects_urls_without_a_host_or_of_another_kind() {
        assert!(server_url("postgres:///app?host=/run/postgresql").is_err());
        assert!(server_url("postgres://user@/app").is_err());
        assert!(server_url("sqlite://tenure.db").is_err());
        assert!(server_url("127.0.0.1:5432").is_err());
    }

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(parse_version("16"), Some((16, 0)));
        assert_eq!(parse_version("9.6"), Some((9, 6)));
        assert_eq!(parse_version("common"), None);
        assert!(parse_version("16") > parse_version("9.6"));
    }

    #[test]
    fn database_url_appends_one_path_segment() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/", "tenure_bench"),
            "postgres://postgres@127.0.0.1:5432/tenure_bench"
        );
    }
}
