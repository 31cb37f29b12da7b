//! `cargo xtask`: Tenure's one entry point for building, running, testing, benchmarking and the
//! generated OpenAPI file (matklad's cargo-xtask pattern; the `justfile` and `.ci/run` only forward
//! here).
//!
//! This file only dispatches: each command lives in its own module. It parses arguments by hand so
//! xtask builds in seconds with nothing but `anyhow`; it must not grow product logic, and it must not
//! depend on the workspace's own crates (xtask has to work while they do not compile).

mod bench;
mod browser;
mod build;
mod cmd;
mod openapi;
mod postgres;
mod run;
mod spa;
mod temp_dir;
mod test;
mod tidy;
mod workspace;

use std::process::ExitCode;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command> [args]

commands:
  run [-- ARGS]          build the release server, then `tenure serve --demo ARGS`
                         (SQLite at ./tenure.db unless TENURE_DATABASE_URL is set)
  test [-- FILTER...]    the whole suite: fmt, clippy, SPA, PostgreSQL, cargo test, browser, OpenAPI, tidy
  e2e [-- FILTER...]     only the browser tests (builds the SPA and a debug server first)
  build                  release build of the `tenure` binary; prints its path
  openapi                regenerate openapi/openapi.json from `tenure openapi`
  tidy                   module docs on every .rs file, no file over 5 MiB
  bench directory [--customers N] [--sqlite-customers N]
                         directory benchmark on PostgreSQL (default 1000000 customers)
                         and on SQLite (default 100000)
  bench timeline [--customers N] [--sqlite-customers N]
                         one customer's 10,000-entry timeline and overview, both backends
  bench import [--customers N] [--sqlite-customers N]
                         a generated HubSpot export through the CSV import (1M / 100k rows)
  bench duplicates [--customers N] [--sqlite-customers N]
                         a labelled near-duplicate set: full scan time, RSS, precision,
                         recall, F1 and the real-time check's latency (1M / 100k)
  bench web [--runs N]   SPA size, and sign-in to first directory render in N fresh
                         headless browsers against the release server (default 10)
";

fn main() -> ExitCode {
    match dispatch() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nerror: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn dispatch() -> Result<()> {
    let args = std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string()
                .map_err(|arg| anyhow::anyhow!("argument {arg:?} is not valid UTF-8"))
        })
        .collect::<Result<Vec<String>>>()?;
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    match command.as_str() {
        "build" => {
            expect_no_args("build", rest)?;
            build::run()
        }
        "run" => run::run(strip_separator(rest)),
        "test" => test::run(strip_separator(rest)),
        "e2e" => browser::run(strip_separator(rest)),
        "openapi" => {
            expect_no_args("openapi", rest)?;
            openapi::run()
        }
        "tidy" => {
            expect_no_args("tidy", rest)?;
            tidy::run()
        }
        "bench" => bench::run(rest),
        // Hidden: prints the PostgreSQL server URL `test` would use, to debug provisioning.
        "pg-url" => {
            expect_no_args("pg-url", rest)?;
            postgres::print_url()
        }
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

/// `cargo xtask test -- foo` and `cargo xtask test foo` mean the same: drop one leading `--`.
fn strip_separator(args: &[String]) -> &[String] {
    match args.split_first() {
        Some((first, rest)) if first == "--" => rest,
        _ => args,
    }
}

fn expect_no_args(command: &str, args: &[String]) -> Result<()> {
    match args.first() {
        Some(extra) => {
            bail!("`cargo xtask {command}` takes no arguments, got `{extra}`\n\n{USAGE}")
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::strip_separator;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn a_leading_double_dash_is_dropped_once() {
        assert_eq!(strip_separator(&strings(&["--", "foo"])), strings(&["foo"]));
        assert_eq!(strip_separator(&strings(&["foo"])), strings(&["foo"]));
        assert_eq!(
            strip_separator(&strings(&["--", "--", "x"])),
            strings(&["--", "x"])
        );
        assert!(strip_separator(&[]).is_empty());
    }
}
