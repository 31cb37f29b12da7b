//! Where things are: the workspace root and cargo's target directory.
//!
//! It must not guess the target directory: the caller may have set `CARGO_TARGET_DIR` (CI does),
//! or a `.cargo/config.toml` may, so it asks `cargo metadata`. It must never set
//! `CARGO_TARGET_DIR` itself.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result, bail};

use crate::cmd;

/// The workspace root: xtask lives in `<root>/xtask`.
///
/// Read at run time (`cargo run` and `cargo test` set `CARGO_MANIFEST_DIR` for the process): a
/// target dir shared between clones, as CI's is, can hand one clone an xtask binary built in
/// another, and the compile-time path would then point at the other clone (or at nothing).
pub fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

/// Cargo's target directory as cargo itself resolves it.
pub fn target_dir() -> Result<PathBuf> {
    // Not echoed like other commands: it is bookkeeping, not a step the user needs to see.
    let output = cmd::cargo()
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("could not run `cargo metadata`")?;
    if !output.status.success() {
        bail!("`cargo metadata` failed ({})", output.status);
    }
    let metadata =
        String::from_utf8(output.stdout).context("`cargo metadata` printed invalid UTF-8")?;
    json_string_field(&metadata, "target_directory")
        .map(PathBuf::from)
        .context("`cargo metadata` printed no `target_directory`")
}

/// The path of a release binary of this workspace (after it has been built).
pub fn release_binary(name: &str) -> Result<PathBuf> {
    Ok(target_dir()?
        .join("release")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// The value of the first `"key": "value"` string field in a JSON document. Deliberately tiny (no
/// serde_json build for one field); handles the escapes a path can contain.
fn json_string_field(json: &str, key: &str) -> Option<String> {
    let after_key = &json[json.find(&format!("\"{key}\""))? + key.len() + 2..];
    let after_colon = after_key.trim_start().strip_prefix(':')?.trim_start();
    let mut chars = after_colon.strip_prefix('"')?.chars();
    let mut value = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(value),
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    value.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::workspace::{json_string_field, root};

    #[test]
    fn json_string_field_reads_an_escaped_path() {
        let json = r#"{"packages":[],"target_directory" : "C:\\work\\tar\"get","version":1}"#;
        assert_eq!(
            json_string_field(json, "target_directory").as_deref(),
            Some(r#"C:\work\tar"get"#)
        );
        assert_eq!(json_string_field(json, "workspace_root"), None);
    }

    #[test]
    fn the_root_holds_the_workspace_manifest() {
        assert!(root().join("Cargo.toml").is_file());
        assert!(root().join("xtask").is_dir());
    }
}
