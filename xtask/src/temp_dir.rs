//! A fresh directory under the system temp dir that is deleted when dropped (private PostgreSQL
//! clusters, benchmark SQLite files).
//!
//! It must not reuse an existing directory: every instance is created new, so two xtask runs
//! never share state. Deletion is best effort and never panics.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `$TMPDIR/tenure-<label>-<pid>-<n>-<nanos>`: the pid and counter keep names unique
    /// within this machine's running processes, the nanoseconds across pid reuse.
    pub fn new(label: &str) -> Result<TempDir> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "tenure-{label}-{}-{n}-{nanos:09}",
            std::process::id()
        ));
        std::fs::create_dir(&path)
            .with_context(|| format!("could not create {}", path.display()))?;
        Ok(TempDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(err) = std::fs::remove_dir_all(&self.path) {
            eprintln!("warning: could not remove {}: {err}", self.path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::temp_dir::TempDir;

    #[test]
    fn a_temp_dir_is_fresh_and_removed_on_drop() -> anyhow::Result<()> {
        let first = TempDir::new("xtask-test")?;
        let second = TempDir::new("xtask-test")?;
        assert_ne!(first.path(), second.path());
        std::fs::write(first.path().join("file"), "x")?;
        let path = first.path().to_path_buf();
        drop(first);
        assert!(!path.exists());
        Ok(())
    }
}
