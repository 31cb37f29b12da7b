//! Embeds the SPA bundle (`frontend/dist`, written by `cargo xtask build`) into the `tenure`
//! binary, so a release is one file. Without a bundle the server still builds and serves a small
//! placeholder page; `TENURE_SPA_DIST` points at a bundle elsewhere.
//!
//! Generates `$OUT_DIR/spa_assets.rs`: a `&[(&str, &[u8])]` of path (relative to the bundle
//! root, `/`-separated) and contents, in path order.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-env-changed=TENURE_SPA_DIST");
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dist = env::var_os("TENURE_SPA_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../frontend/dist"));
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        // A directory makes cargo rescan every file in it for changes.
        println!("cargo:rerun-if-changed={}", dist.display());
        collect(&dist, &dist, &mut files);
    } else {
        // No bundle yet: a missing path would rerun this script on every build, so watch the
        // folder the bundle will appear in instead.
        let parent = dist
            .parent()
            .filter(|p| p.exists())
            .unwrap_or(manifest.as_path());
        println!("cargo:rerun-if-changed={}", parent.display());
    }
    files.sort();
    let mut code = String::from("&[\n");
    for (relative, absolute) in &files {
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?}) as &[u8]),\n",
            absolute.display().to_string()
        ));
    }
    code.push(']');
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("spa_assets.rs"), code).expect("write spa_assets.rs");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("under the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let absolute = path.canonicalize().expect("canonical path");
            files.push((relative, absolute));
        }
    }
}
