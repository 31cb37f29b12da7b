//! `cargo xtask build`: the release `tenure` binary, with the SPA built first. Also the release
//! build step `run` and `bench` share.
//!
//! (This is `src/build.rs`, an ordinary module, not a cargo build script.) It must not change
//! cargo's target directory: binaries are found where cargo put them.

use std::path::PathBuf;

use anyhow::Result;

use crate::{cmd, spa, workspace};

pub fn run() -> Result<()> {
    let binary = build_server()?;
    println!("{}", binary.display());
    Ok(())
}

/// Builds the SPA and the release `tenure` binary; returns the binary's path.
pub fn build_server() -> Result<PathBuf> {
    build_release(&["tenure"])?;
    workspace::release_binary("tenure")
}

/// Builds the SPA, then the given binaries of `tenure-api` in release mode.
pub fn build_release(binaries: &[&str]) -> Result<()> {
    spa::build_spa()?;
    let mut cargo = cmd::cargo();
    cargo.args(["build", "--release", "-p", "tenure-api"]);
    for binary in binaries {
        cargo.args(["--bin", binary]);
    }
    cmd::run(&mut cargo)
}
