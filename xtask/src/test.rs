//! `cargo xtask test`: the whole suite CI runs, in the order that fails cheapest first: format,
//! clippy, the SPA bundle, PostgreSQL, `cargo test` (SQLite and PostgreSQL, the SPA's unit
//! tests), the browser tests (headless Chromium), OpenAPI drift, tidy.
//!
//! It must stop at the first failing step with a non-zero exit, announce and time every step, and
//! never skip one silently (no PostgreSQL is an error, not a skipped half of the suite).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::{browser, cmd, openapi, postgres, spa, tidy};

const STEPS: usize = 8;

/// `args` go to the test binaries: `cargo xtask test -- merge` runs `cargo test -- merge`.
pub fn run(args: &[String]) -> Result<()> {
    let started = Instant::now();
    let mut report = Report::default();
    let result = run_steps(&mut report, args);
    report.print_summary(started.elapsed(), result.is_ok());
    result
}

fn run_steps(report: &mut Report, args: &[String]) -> Result<()> {
    report.step("fmt", "cargo fmt --all -- --check", || {
        let mut fmt = cmd::cargo();
        fmt.args(["fmt", "--all", "--", "--check"]);
        // rustfmt colours its diff whenever TERM says the terminal could, even into a CI log;
        // it does not read CARGO_TERM_COLOR, so forward that setting.
        if let Ok(color @ ("never" | "always" | "auto")) =
            std::env::var("CARGO_TERM_COLOR").as_deref()
        {
            fmt.args(["--color", color]);
        }
        cmd::run(&mut fmt)
    })?;
    report.step(
        "clippy",
        "cargo clippy --workspace --all-targets -- -D warnings",
        || {
            cmd::run(cmd::cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        },
    )?;
    // Before the server compiles: the server embeds the bundle.
    report.step(
        "spa",
        "build the SPA bundle (frontend/dist)",
        spa::build_spa,
    )?;
    let postgres = report.step(
        "postgres",
        "provision PostgreSQL, export TENURE_TEST_PG_URL",
        || {
            let postgres = postgres::provision()?;
            println!("TENURE_TEST_PG_URL={}", cmd::redact_url(&postgres.url));
            Ok(postgres)
        },
    )?;
    let mut cargo_test = cmd::cargo();
    cargo_test.arg("test");
    if !args.is_empty() {
        cargo_test.arg("--").args(args);
    }
    let what = cmd::display(&cargo_test);
    report.step("test", &what, || {
        cmd::run(cargo_test.env("TENURE_TEST_PG_URL", &postgres.url))
    })?;
    // Only after a pass: a failed run keeps its databases for a look.
    postgres::drop_test_databases(&postgres.url);
    report.step(
        "browser",
        "headless Chromium against `tenure serve --demo` (cargo test -p tenure-e2e)",
        || {
            browser::ensure_chromium()?;
            let server = browser::build_server()?;
            browser::run_tests(&server, args)
        },
    )?;
    // A private cluster is not needed past this point; stop it now rather than at exit.
    drop(postgres);
    report.step(
        "openapi",
        "`tenure openapi` matches openapi/openapi.json",
        openapi::check_drift,
    )?;
    report.step("tidy", "module docs and file sizes", tidy::run)?;
    Ok(())
}

#[derive(Default)]
struct Report {
    done: Vec<(&'static str, Duration, bool)>,
}

impl Report {
    /// Announces step `name`, runs it and records how long it took and whether it passed.
    fn step<T>(
        &mut self,
        name: &'static str,
        what: &str,
        run: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let number = self.done.len() + 1;
        println!("\n==> [{number}/{STEPS}] {name}: {what}");
        let started = Instant::now();
        let result = run();
        let elapsed = started.elapsed();
        self.done.push((name, elapsed, result.is_ok()));
        match &result {
            Ok(_) => println!("<== {name} ok ({})", seconds(elapsed)),
            Err(_) => println!("<== {name} FAILED ({})", seconds(elapsed)),
        }
        result.with_context(|| format!("step `{name}` failed"))
    }

    fn print_summary(&self, total: Duration, ok: bool) {
        println!("\n==> summary");
        for (name, elapsed, passed) in &self.done {
            let status = if *passed { "ok" } else { "FAILED" };
            println!("  {status:<7} {name:<9} {:>8}", seconds(*elapsed));
        }
        let verdict = if ok { "passed" } else { "FAILED" };
        println!(
            "cargo xtask test {verdict}: {} of {STEPS} steps ran in {}",
            self.done.len(),
            seconds(total)
        );
    }
}

fn seconds(elapsed: Duration) -> String {
    format!("{:.1}s", elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::test::{Report, seconds};

    #[test]
    fn a_failed_step_is_recorded_and_stops_nothing_by_itself() {
        let mut report = Report::default();
        let passed = report.step("one", "passes", || Ok(1));
        let failed = report.step("two", "fails", || -> anyhow::Result<()> {
            anyhow::bail!("boom")
        });
        assert_eq!(passed.ok(), Some(1));
        let error = failed.expect_err("the second step fails");
        assert_eq!(format!("{error:#}"), "step `two` failed: boom");
        let outcomes: Vec<_> = report
            .done
            .iter()
            .map(|(name, _, ok)| (*name, *ok))
            .collect();
        assert_eq!(outcomes, [("one", true), ("two", false)]);
    }

    #[test]
    fn seconds_have_one_decimal() {
        assert_eq!(seconds(Duration::from_millis(12_345)), "12.3s");
    }
}
