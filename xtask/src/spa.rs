//! Builds the Leptos SPA (`frontend/`, crate `tenure-web`) into `frontend/dist/`, the bundle the
//! server embeds (`crates/api/build.rs`). Every command that builds the server calls
//! [`build_spa`] first.
//!
//! No manual step and no download but crates: the wasm32 target is added with rustup when
//! missing, and the `wasm-bindgen` CLI is installed with cargo at exactly the version Cargo.lock
//! pins (a mismatched CLI produces JS glue that fails at run time). Trunk was measured and not
//! chosen: it needs the same CLI, a 340 s install of its own, and wants to download wasm-opt.
//!
//! The bundle's file names carry a content hash so the server can cache them for a year;
//! `index.html` names them and is never cached. It must not fetch anything from a CDN.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{cmd, workspace};

const TARGET: &str = "wasm32-unknown-unknown";
/// Cargo profile of the wasm build: size-optimised with LTO (see the workspace Cargo.toml).
const PROFILE: &str = "wasm-release";

/// Builds the bundle; returns its directory.
pub fn build_spa() -> Result<PathBuf> {
    let started = Instant::now();
    ensure_wasm_target()?;
    let bindgen = ensure_wasm_bindgen()?;
    cmd::run(cmd::cargo().args([
        "build",
        "-p",
        "tenure-web",
        "--target",
        TARGET,
        "--profile",
        PROFILE,
    ]))?;
    let target = workspace::target_dir()?;
    let wasm = target.join(TARGET).join(PROFILE).join("tenure-web.wasm");
    let glue = target.join("spa-bindgen");
    cmd::run(
        Command::new(&bindgen)
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&glue)
            .arg(&wasm),
    )?;
    let frontend = workspace::root().join("frontend");
    let dist = frontend.join("dist");
    let sizes = assemble(&frontend, &glue, &dist)?;
    println!(
        "SPA: {} in {:.1}s; wasm {} KiB raw, {} KiB gzip; js {} KiB",
        dist.display(),
        started.elapsed().as_secs_f64(),
        sizes.wasm / 1024,
        sizes.wasm_gzip / 1024,
        sizes.js / 1024
    );
    Ok(dist)
}

struct Sizes {
    wasm: usize,
    wasm_gzip: usize,
    js: usize,
}

/// Writes `dist/`: hashed assets, the boot script, `index.html`, the favicon. Only rewrites
/// files whose bytes changed, so the server's build script sees no change after a no-op build.
fn assemble(frontend: &Path, glue: &Path, dist: &Path) -> Result<Sizes> {
    let wasm = read(&glue.join("tenure-web_bg.wasm"))?;
    let js = read(&glue.join("tenure-web.js"))?;
    let css = read(&frontend.join("assets").join("app.css"))?;
    let wasm_name = hashed("tenure-web", &wasm, "wasm");
    let js_name = hashed("tenure-web", &js, "js");
    let css_name = hashed("app", &css, "css");
    let boot = format!(
        "// Starts the app: load the wasm-bindgen glue, then the module it drives.\n\
         import init from './{js_name}';\n\
         init({{ module_or_path: new URL('./{wasm_name}', import.meta.url) }});\n"
    );
    let boot_name = hashed("boot", boot.as_bytes(), "js");
    let template =
        fs::read_to_string(frontend.join("index.html")).context("reading frontend/index.html")?;
    let index = template
        .replace("{{css}}", &css_name)
        .replace("{{js}}", &js_name)
        .replace("{{wasm}}", &wasm_name)
        .replace("{{boot}}", &boot_name);
    if index.contains("{{") {
        bail!("frontend/index.html has a placeholder xtask does not fill");
    }
    let favicon = read(&frontend.join("assets").join("favicon.svg"))?;
    let files: Vec<(String, &[u8])> = vec![
        (format!("assets/{wasm_name}"), &wasm),
        (format!("assets/{js_name}"), &js),
        (format!("assets/{css_name}"), &css),
        (format!("assets/{boot_name}"), boot.as_bytes()),
        ("index.html".to_owned(), index.as_bytes()),
        ("favicon.svg".to_owned(), &favicon),
    ];
    sync_dir(dist, &files)?;
    Ok(Sizes {
        wasm: wasm.len(),
        wasm_gzip: gzip_len(&wasm)?,
        js: js.len(),
    })
}

/// Makes `dir` hold exactly `files` (relative paths), touching only what differs.
fn sync_dir(dir: &Path, files: &[(String, &[u8])]) -> Result<()> {
    let wanted: Vec<PathBuf> = files.iter().map(|(p, _)| dir.join(p)).collect();
    for (relative, bytes) in files {
        let path = dir.join(relative);
        if fs::read(&path).is_ok_and(|old| old == *bytes) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    remove_stale(dir, &wanted)
}

fn remove_stale(dir: &Path, wanted: &[PathBuf]) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            remove_stale(&path, wanted)?;
        } else if !wanted.contains(&path) {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// `stem-0123456789abcdef.ext`, the hash of the contents.
fn hashed(stem: &str, bytes: &[u8], extension: &str) -> String {
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    format!("{stem}-{:016x}.{extension}", hasher.finish())
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("could not run rustup; it is needed to add the wasm32 target")?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == TARGET)
    {
        return Ok(());
    }
    cmd::run(Command::new("rustup").args(["target", "add", TARGET]))
}

/// The `wasm-bindgen` CLI at the version Cargo.lock pins, installed with cargo if needed.
fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let lock =
        fs::read_to_string(workspace::root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let version =
        locked_version(&lock, "wasm-bindgen").context("Cargo.lock has no wasm-bindgen package")?;
    let bin_dir = cargo_bin_dir();
    let program = bin_dir.join(format!("wasm-bindgen{}", std::env::consts::EXE_SUFFIX));
    let found = Command::new(&program)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if found.as_deref() == Some(format!("wasm-bindgen {version}").as_str()) {
        return Ok(program);
    }
    println!(
        "wasm-bindgen {version} is needed (found: {}); installing it with cargo",
        found.as_deref().unwrap_or("none")
    );
    // No --locked: the CLI's own lockfile pins a crate version the registry has yanked.
    cmd::run(cmd::cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &version,
        "--force",
    ]))?;
    Ok(program)
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT/bin`, `$CARGO_HOME/bin` or
/// `~/.cargo/bin`.
fn cargo_bin_dir() -> PathBuf {
    let root = std::env::var_os("CARGO_INSTALL_ROOT")
        .or_else(|| std::env::var_os("CARGO_HOME"))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    root.join("bin")
}

/// The version of `package` in a Cargo.lock.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let marker = format!("name = \"{package}\"\n");
    let after = &lock[lock.find(&marker)? + marker.len()..];
    let line = after.lines().next()?.trim();
    Some(
        line.strip_prefix("version = \"")?
            .strip_suffix('"')?
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::{hashed, locked_version};

    #[test]
    fn the_locked_version_is_read_for_the_exact_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.1\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "leptos"), None);
    }

    #[test]
    fn hashed_names_follow_the_contents() {
        assert_eq!(hashed("app", b"a", "css"), hashed("app", b"a", "css"));
        assert_ne!(hashed("app", b"a", "css"), hashed("app", b"b", "css"));
        assert!(hashed("app", b"a", "css").starts_with("app-"));
    }
}
