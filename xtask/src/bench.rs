//! `cargo xtask bench web` is the SPA's benchmark (see `browser::bench`).
//!
//! `cargo xtask bench directory` and `cargo xtask bench timeline`: run `tenure-bench`
//! (crates/api/src/bin/bench.rs) on a fresh PostgreSQL database and on a fresh SQLite file, so
//! the directory's and the customer timeline's figures on both backends come from one command. tenure-bench seeds, serves, measures and prints; this
//! module only provisions and forwards.
//!
//! It must not reuse data between runs (every run starts from an empty database) and must not
//! measure anything itself.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::postgres::{self, Postgres};
use crate::temp_dir::TempDir;
use crate::{build, cmd, workspace};

const USAGE: &str = "usage: cargo xtask bench directory|timeline|import|duplicates [--customers N] [--sqlite-customers N]\n       cargo xtask bench web [--runs N]";
const BENCH_DATABASE: &str = "tenure_bench";

#[derive(Debug, PartialEq)]
struct Options {
    /// `directory` or `timeline`.
    scenario: &'static str,
    postgres_customers: u64,
    sqlite_customers: u64,
}

pub fn run(args: &[String]) -> Result<()> {
    if let Some(("web", rest)) = args.split_first().map(|(s, r)| (s.as_str(), r)) {
        return crate::browser::bench(rest);
    }
    let options = parse(args)?;
    build::build_release(&["tenure", "tenure-bench"])?;
    let bench = workspace::release_binary("tenure-bench")?;

    println!(
        "\n==> {} benchmark on PostgreSQL, {} customers",
        options.scenario, options.postgres_customers
    );
    let postgres = postgres::provision()?;
    bench_postgres(&bench, &postgres, &options)?;
    drop(postgres);

    println!(
        "\n==> {} benchmark on SQLite, {} customers",
        options.scenario, options.sqlite_customers
    );
    let dir = TempDir::new("bench")?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    run_bench(
        &bench,
        options.scenario,
        &url,
        options.sqlite_customers,
        &[],
    )
}

/// With psql, `tenure_bench` is dropped and created before the run and dropped after it. Without
/// psql, a database name unique to this run is passed with `--create-database`, and tenure-bench
/// creates it.
fn bench_postgres(bench: &Path, postgres: &Postgres, options: &Options) -> Result<()> {
    let (scenario, customers) = (options.scenario, options.postgres_customers);
    let Some(psql) = postgres::find_psql() else {
        let database = format!("{BENCH_DATABASE}_{}", std::process::id());
        println!("no psql: tenure-bench creates the fresh database {database}");
        let url = postgres::database_url(&postgres.url, &database);
        return run_bench(bench, scenario, &url, customers, &["--create-database"]);
    };
    let admin = postgres::database_url(&postgres.url, "postgres");
    let sql = |statement: String| {
        cmd::run_quiet(
            Command::new(&psql)
                .args([
                    "-X",
                    "-q",
                    "-w",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    &admin,
                    "-c",
                ])
                .arg(statement),
        )
    };
    sql(format!("DROP DATABASE IF EXISTS {BENCH_DATABASE}"))?;
    sql(format!("CREATE DATABASE {BENCH_DATABASE}"))?;
    let url = postgres::database_url(&postgres.url, BENCH_DATABASE);
    run_bench(bench, scenario, &url, customers, &[])?;
    // Only after success: a failed run leaves the data for a look.
    sql(format!("DROP DATABASE IF EXISTS {BENCH_DATABASE}"))
}

fn run_bench(
    bench: &Path,
    scenario: &str,
    url: &str,
    customers: u64,
    extra: &[&str],
) -> Result<()> {
    let mut command = Command::new(bench);
    command
        .args([scenario, "--database-url", url, "--customers"])
        .arg(customers.to_string())
        .args(extra)
        .current_dir(workspace::root());
    cmd::run(&mut command).context("tenure-bench failed")
}

fn parse(args: &[String]) -> Result<Options> {
    let Some((scenario, rest)) = args.split_first() else {
        bail!("which benchmark? `directory`, `timeline`, `import`, `duplicates` or `web`\n{USAGE}");
    };
    // The timeline is about one customer's 10,000 activities; its tenant need not be huge.
    let mut options = match scenario.as_str() {
        "directory" => Options {
            scenario: "directory",
            postgres_customers: 1_000_000,
            sqlite_customers: 100_000,
        },
        "timeline" => Options {
            scenario: "timeline",
            postgres_customers: 10_000,
            sqlite_customers: 10_000,
        },
        // CSV rows: the targets are a million on PostgreSQL, 100,000 on SQLite.
        "import" => Options {
            scenario: "import",
            postgres_customers: 1_000_000,
            sqlite_customers: 100_000,
        },
        // Generated customers for the duplicate scan: the same targets.
        "duplicates" => Options {
            scenario: "duplicates",
            postgres_customers: 1_000_000,
            sqlite_customers: 100_000,
        },
        _ => bail!(
            "unknown benchmark `{scenario}`; `directory`, `timeline`, `import`, `duplicates` or `web`\n{USAGE}"
        ),
    };
    let mut rest = rest.iter();
    while let Some(flag) = rest.next() {
        let (name, inline_value) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (flag.as_str(), None),
        };
        let target = match name {
            "--customers" => &mut options.postgres_customers,
            "--sqlite-customers" => &mut options.sqlite_customers,
            _ => bail!("unknown argument `{flag}`\n{USAGE}"),
        };
        let value = inline_value
            .or_else(|| rest.next().cloned())
            .with_context(|| format!("{name} needs a number\n{USAGE}"))?;
        *target = parse_count(&value).with_context(|| format!("{name} {value}\n{USAGE}"))?;
    }
    Ok(options)
}

/// `1000000`, `1_000_000` and `1,000,000` are all a million.
fn parse_count(value: &str) -> Result<u64> {
    let digits: String = value.chars().filter(|c| !matches!(c, '_' | ',')).collect();
    let count: u64 = digits
        .parse()
        .with_context(|| format!("`{value}` is not a whole number"))?;
    if count == 0 {
        bail!("the customer count must be at least 1");
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use crate::bench::{Options, parse};

    fn args(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn defaults_are_a_million_on_postgres_and_a_hundred_thousand_on_sqlite() -> anyhow::Result<()> {
        assert_eq!(
            parse(&args(&["directory"]))?,
            Options {
                scenario: "directory",
                postgres_customers: 1_000_000,
                sqlite_customers: 100_000
            }
        );
        Ok(())
    }

    #[test]
    fn counts_accept_separators_and_inline_values() -> anyhow::Result<()> {
        assert_eq!(
            parse(&args(&[
                "directory",
                "--customers",
                "2_000",
                "--sqlite-customers=1,500"
            ]))?,
            Options {
                scenario: "directory",
                postgres_customers: 2_000,
                sqlite_customers: 1_500
            }
        );
        Ok(())
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(parse(&args(&[])).is_err());
        assert!(parse(&args(&["list"])).is_err());
        assert!(parse(&args(&["directory", "--customers"])).is_err());
        assert!(parse(&args(&["directory", "--customers", "many"])).is_err());
        assert!(parse(&args(&["directory", "--customers", "0"])).is_err());
        assert!(parse(&args(&["directory", "--rows", "5"])).is_err());
    }
}
