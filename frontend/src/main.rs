//! Tenure's single-page app, a Leptos 0.8 client-side shell. It talks only to the public
//! `/api/v1` API. The screens arrive with the SPA issue; until then the server serves a small
//! page at `/` and this crate is not part of the default build.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| view! { <main><h1>"Tenure"</h1></main> });
}
