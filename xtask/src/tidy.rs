//! `cargo xtask tidy`: repository hygiene that no compiler checks. Every Rust file under crates/,
//! migrations/, xtask/ and frontend/ opens with a `//!` doc saying why it exists (STYLE.md 7), and no
//! file is larger than 5 MiB (data sets and build outputs stay out of git).
//!
//! The same check runs as a unit test, so plain `cargo test` enforces it (rust-analyzer's tidy
//! test). It only reads files: it must never fix, format or delete anything.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Result, bail};

use crate::workspace;

const RUST_DIRS: [&str; 4] = ["crates", "migrations", "xtask", "frontend"];
const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// Skipped when git cannot list the files (no git, or not a checkout); mirrors .gitignore.
const IGNORED_DIRS: [&str; 4] = [".git", "target", "node_modules", "dist"];
const IGNORED_SUFFIXES: [&str; 3] = [".db", ".db-shm", ".db-wal"];

pub fn run() -> Result<()> {
    let checked = check(&workspace::root())?;
    println!("tidy: ok ({checked} files)");
    Ok(())
}

/// Checks the workspace at `root`; returns how many files it looked at.
pub fn check(root: &Path) -> Result<usize> {
    let files = list_files(root);
    let mut problems = Vec::new();
    for relative in &files {
        let path = root.join(relative);
        let Ok(metadata) = path.symlink_metadata() else {
            continue; // Tracked but deleted in the work tree.
        };
        if !metadata.is_file() {
            continue;
        }
        let shown = relative.display();
        if metadata.len() > MAX_FILE_BYTES {
            problems.push(format!(
                "{shown}: {} bytes, more than 5 MiB; keep large files out of the repository",
                metadata.len()
            ));
        }
        if needs_module_doc(relative) {
            match std::fs::read_to_string(&path) {
                Ok(text) if starts_with_module_doc(&text) => {}
                Ok(_) => problems.push(format!(
                    "{shown}: does not start with a `//!` comment saying why the module exists \
                     and what it must not do"
                )),
                Err(err) => problems.push(format!("{shown}: unreadable: {err}")),
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "tidy found {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    Ok(files.len())
}

fn needs_module_doc(relative: &Path) -> bool {
    relative.extension().is_some_and(|ext| ext == "rs")
        && relative
            .components()
            .next()
            .is_some_and(|first| RUST_DIRS.iter().any(|dir| first.as_os_str() == *dir))
}

/// The first non-blank line is a `//!` line.
fn starts_with_module_doc(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| line.trim_start().starts_with("//!"))
}

/// Tracked and untracked-but-not-ignored files relative to `root`, never under target/.
fn list_files(root: &Path) -> Vec<PathBuf> {
    let files = git_files(root).unwrap_or_else(|| {
        let mut files = Vec::new();
        walk(root, Path::new(""), &mut files);
        files
    });
    files
        .into_iter()
        .filter(|file| !file.starts_with("target"))
        .collect()
}

fn git_files(root: &Path) -> Option<Vec<PathBuf>> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let listing = String::from_utf8(output.stdout).ok()?;
    Some(
        listing
            .split('\0')
            .filter(|file| !file.is_empty())
            .map(PathBuf::from)
            .collect(),
    )
}

fn walk(root: &Path, relative: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        let path = relative.join(&name);
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            if !IGNORED_DIRS.contains(&name_text.as_ref()) {
                walk(root, &path, files);
            }
        } else if !IGNORED_SUFFIXES
            .iter()
            .any(|suffix| name_text.ends_with(suffix))
        {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::temp_dir::TempDir;
    use crate::tidy::{check, needs_module_doc, starts_with_module_doc};

    #[test]
    fn every_rust_file_starts_with_a_module_doc() -> anyhow::Result<()> {
        let root = crate::workspace::root();
        let checked = check(&root)?;
        assert!(checked > 0, "tidy looked at no files in {}", root.display());
        Ok(())
    }

    #[test]
    fn the_module_doc_may_follow_blank_lines_only() {
        assert!(starts_with_module_doc("//! Why.\nfn main() {}\n"));
        assert!(starts_with_module_doc("\n\n//! Why.\n"));
        assert!(!starts_with_module_doc("// Why.\n//! Late.\n"));
        assert!(!starts_with_module_doc("#![allow(dead_code)]\n//! Late.\n"));
        assert!(!starts_with_module_doc("/// An item doc.\nfn f() {}\n"));
        assert!(!starts_with_module_doc(""));
    }

    #[test]
    fn only_rust_files_in_code_directories_need_a_module_doc() {
        assert!(needs_module_doc(Path::new("crates/domain/src/lib.rs")));
        assert!(needs_module_doc(Path::new("xtask/src/main.rs")));
        assert!(!needs_module_doc(Path::new("crates/domain/Cargo.toml")));
        assert!(!needs_module_doc(Path::new("docs/example.rs")));
    }

    #[test]
    fn tidy_reports_a_missing_module_doc() -> anyhow::Result<()> {
        // Outside any git checkout, so this also exercises the directory walk.
        let dir = TempDir::new("tidy-test")?;
        std::fs::create_dir_all(dir.path().join("crates/x/src"))?;
        std::fs::write(dir.path().join("crates/x/src/lib.rs"), "//! Fine.\n")?;
        std::fs::write(dir.path().join("crates/x/src/bad.rs"), "fn f() {}\n")?;
        std::fs::create_dir_all(dir.path().join("target"))?;
        std::fs::write(dir.path().join("target/ignored.rs"), "fn f() {}\n")?;
        let error = check(dir.path()).expect_err("bad.rs has no module doc");
        let message = error.to_string();
        assert!(message.contains("crates/x/src/bad.rs"), "{message}");
        assert!(!message.contains("lib.rs"), "{message}");
        assert!(!message.contains("ignored.rs"), "{message}");
        Ok(())
    }
}
