//! Step 1: a file dropped on the zone or picked with the button is sent at once as the raw
//! request body (the browser streams it from disk; it is never read into memory here), and the
//! wizard moves to the new job's address.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::components::{Banner, EmptyState, Icon, Spinner};
use crate::format;
use crate::pages::imports::{may_run, use_imports};

/// The largest file the server takes.
const MAX_BYTES: u64 = 512 * 1024 * 1024;

/// Why a file is refused before it is sent, if it is.
pub fn refusal(name: &str, size: u64) -> Option<String> {
    if size == 0 {
        Some(format!("{name} is empty."))
    } else if size > MAX_BYTES {
        Some(format!(
            "{name} is {}; files up to 512 MB can be imported. Split it and import the parts.",
            format::bytes(size)
        ))
    } else {
        None
    }
}

#[component]
pub fn UploadStep() -> impl IntoView {
    let writer = may_run();
    move || {
        if writer.get() {
            view! { <DropZone/> }.into_any()
        } else {
            view! {
                <EmptyState title="Imports are for staff and owners"
                    hint="Your role can see past imports below but not run one. Ask an owner for staff access."/>
            }
            .into_any()
        }
    }
}

#[component]
fn DropZone() -> impl IntoView {
    let imports = use_imports();
    let navigate = StoredValue::new_local(use_navigate());
    let input = NodeRef::<leptos::html::Input>::new();
    let chosen = RwSignal::new(None::<(String, u64)>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let hover = RwSignal::new(false);
    let send = move |file: web_sys::File| {
        if busy.get_untracked() {
            return;
        }
        let (name, size) = (file.name(), file.size() as u64);
        if let Some(why) = refusal(&name, size) {
            chosen.set(None);
            error.set(Some(why));
            return;
        }
        error.set(None);
        chosen.set(Some((name, size)));
        busy.set(true);
        spawn_local(async move {
            match api::upload_import(&file).await {
                Ok(job) => {
                    let path = format!("/imports/{}", job.id);
                    imports.job.set(Some(job));
                    imports.history.refresh();
                    navigate.with_value(|go| go(&path, NavigateOptions::default()));
                }
                Err(e) => {
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    let picked = move |_| {
        let Some(element) = input.get_untracked() else {
            return;
        };
        let file = element.files().and_then(|files| files.get(0));
        // Picking the same file again after an error must fire `change` again.
        element.set_value("");
        if let Some(file) = file {
            send(file);
        }
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        hover.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|files| files.get(0))
        {
            send(file);
        }
    };
    let class = move || {
        let mut class = "dropzone".to_owned();
        if hover.get() {
            class.push_str(" is-over");
        }
        if busy.get() {
            class.push_str(" is-busy");
        }
        class
    };
    view! {
        <div class=class data-testid="dropzone"
            on:dragenter=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); hover.set(true); }
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); hover.set(true); }
            on:dragleave=move |_| hover.set(false)
            on:drop=dropped>
            <input type="file" id="import-file" class="visually-hidden" tabindex="-1"
                accept=".csv,.tsv,.txt,text/csv,text/plain" aria-label="CSV file"
                node_ref=input on:change=picked disabled=move || busy.get()/>
            {move || match chosen.get().filter(|_| busy.get()) {
                Some((name, size)) => view! {
                    <div class="dropzone-file" role="status" aria-live="polite">
                        <span class="dropzone-icon"><Icon name="note"/></span>
                        <p class="dropzone-title">{name}</p>
                        <p class="muted">{format!("{} · uploading…", format::bytes(size))}</p>
                        <div class="progress progress-indeterminate tone-neutral" aria-hidden="true"><span class="progress-fill"></span></div>
                        <p class="hint"><Spinner/>" Large files take a while; keep this tab open."</p>
                    </div>
                }.into_any(),
                None => view! {
                    <div class="dropzone-idle">
                        <span class="dropzone-icon"><Icon name="upload"/></span>
                        <p class="dropzone-title">"Drag a CSV file here"</p>
                        <p class="muted">"or"</p>
                        <button type="button" class="btn btn-primary" on:click=move |_| {
                            if let Some(input) = input.get_untracked() {
                                input.click();
                            }
                        }><Icon name="upload"/>"Choose a file"</button>
                        <p class="hint">"CSV up to 512 MB, in any common encoding and delimiter. HubSpot, Salesforce and Pipedrive exports are recognised."</p>
                    </div>
                }.into_any(),
            }}
        </div>
        {move || error.get().map(|text| view! { <div class="upload-error"><Banner tone="error">{text}</Banner></div> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_oversized_files_are_refused_before_sending() {
        assert_eq!(refusal("a.csv", 0).as_deref(), Some("a.csv is empty."));
        assert!(refusal("a.csv", MAX_BYTES).is_none());
        let big = refusal("big.csv", MAX_BYTES + 1).unwrap_or_default();
        assert!(big.starts_with("big.csv is 512 MB"), "{big}");
    }
}
