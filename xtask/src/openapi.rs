//! The committed OpenAPI document, `openapi/openapi.json`: `cargo xtask openapi` regenerates it from
//! `tenure openapi`, and `cargo xtask test` fails when the two differ, so API changes show up in
//! review as a diff of the contract.
//!
//! It must not build the document itself or reformat it: the server is the single source of truth
//! and its output is written as printed (plus a trailing newline if it lacks one).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::{cmd, workspace};

pub fn run() -> Result<()> {
    let generated = generate()?;
    let path = committed_path();
    let unchanged = std::fs::read_to_string(&path).is_ok_and(|committed| committed == generated);
    if unchanged {
        println!("openapi/openapi.json is up to date");
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
    }
    std::fs::write(&path, &generated)
        .with_context(|| format!("could not write {}", path.display()))?;
    println!("wrote openapi/openapi.json ({} bytes)", generated.len());
    Ok(())
}

/// Fails when `tenure openapi` prints something other than the committed file.
pub fn check_drift() -> Result<()> {
    let generated = generate()?;
    let path = committed_path();
    let committed = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "could not read {}; run `cargo xtask openapi` to create it",
            path.display()
        )
    })?;
    match first_difference(&committed, &generated) {
        None => {
            println!("openapi/openapi.json matches the server");
            Ok(())
        }
        Some((line, committed_line, generated_line)) => bail!(
            "openapi/openapi.json is out of date with the server (first difference at line \
             {line}):\n  committed: {committed_line}\n  generated: {generated_line}\n\
             run `cargo xtask openapi` and commit the result"
        ),
    }
}

fn committed_path() -> PathBuf {
    workspace::root().join("openapi").join("openapi.json")
}

/// The document as the server prints it, ending in exactly one newline.
fn generate() -> Result<String> {
    let printed = cmd::stdout_of(cmd::cargo().args([
        "run",
        "-q",
        "-p",
        "tenure-api",
        "--bin",
        "tenure",
        "--",
        "openapi",
    ]))?;
    if printed.trim().is_empty() {
        bail!("`tenure openapi` printed nothing");
    }
    Ok(format!("{}\n", printed.trim_end_matches(['\n', '\r'])))
}

/// The first line (1-based) where the documents differ, ignoring trailing newlines; `None` when
/// they are the same.
fn first_difference<'a>(
    committed: &'a str,
    generated: &'a str,
) -> Option<(usize, &'a str, &'a str)> {
    let committed = committed.trim_end_matches(['\n', '\r']);
    let generated = generated.trim_end_matches(['\n', '\r']);
    if committed == generated {
        return None;
    }
    let mut committed_lines = committed.lines();
    let mut generated_lines = generated.lines();
    let mut line = 1;
    loop {
        match (committed_lines.next(), generated_lines.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (a, b) => {
                return Some((
                    line,
                    a.unwrap_or("<end of file>"),
                    b.unwrap_or("<end of file>"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::openapi::first_difference;

    #[test]
    fn trailing_newlines_are_not_drift() {
        assert_eq!(first_difference("{\n}\n", "{\n}"), None);
        assert_eq!(first_difference("{\n}", "{\n}\n\n"), None);
    }

    #[test]
    fn drift_names_the_first_differing_line() {
        assert_eq!(
            first_difference("{\n  \"a\": 1\n}\n", "{\n  \"a\": 2\n}\n"),
            Some((2, "  \"a\": 1", "  \"a\": 2"))
        );
        assert_eq!(
            first_difference("{\n}", "{\n}\n{"),
            Some((3, "<end of file>", "{"))
        );
    }
}
