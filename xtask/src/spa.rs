//! The place where xtask will build the Leptos SPA (`frontend/`, crate `tenure-web`) to wasm and
//! put it where the server serves it from. Every command that builds the server calls
//! [`build_spa`] first, so the later change only has to fill this function in.
//!
//! Today it must not install or download anything (no wasm target, no wasm-bindgen): the SPA is a
//! shell and the server serves a placeholder page at `/`.

use anyhow::Result;

pub fn build_spa() -> Result<()> {
    println!(
        "SPA: not built yet (frontend/ is a shell); the server serves a placeholder page at /"
    );
    Ok(())
}
