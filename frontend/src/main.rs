//! Tenure's single-page app: Leptos 0.8, client-side rendered to wasm32, talking only to the
//! public `/api/v1` (the same API integrators use). The `tenure` server embeds the bundle and
//! answers every page path with it, so history-API routes survive reloads.

mod api;
mod app;
mod browser;
mod components;
mod format;
mod live;
mod pages;
mod perf;
mod query;
mod session;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
