//! Saved mappings on the Map step: an organisation's own mappings, kept by name so the next
//! file from the same system maps in one step. Choosing one puts its template, column choices,
//! transforms, defaults and match policy into the form exactly as if they had been chosen by
//! hand (choices for columns this file lacks are left out, and the step says which). "Save
//! mapping as…" keeps the form's mapping under a name, offering to overwrite a mapping that
//! already has it; the chosen one can be deleted. Nothing reaches the job until the form itself
//! is saved.
//!
//! The picker sits inside the mapping form; its dialogs hold forms of their own, so they are
//! drawn after it ([`SavedMappingDialogs`]), never inside it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::{SavedMappingInput, SavedMappingView};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{
    Banner, Confirm, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal, run_busy,
    spawn_change, use_toasts,
};
use crate::pages::imports::mapping::{MapState, fit_to_file};
use crate::pages::imports::may_run;

/// The saved mappings as the Map step shows them, and which one was applied last.
#[derive(Clone, Copy)]
pub struct SavedMappings {
    state: MapState,
    /// The file's column headers.
    headers: StoredValue<Vec<String>>,
    list: RwSignal<Option<Result<Vec<SavedMappingView>, ApiError>>>,
    chosen: RwSignal<Option<Uuid>>,
    /// Headers the applied mapping names that this file does not have.
    left_out: RwSignal<Vec<String>>,
    save_open: RwSignal<bool>,
    delete_open: RwSignal<bool>,
}

impl SavedMappings {
    /// The saved mappings of the form `state` of a file with `headers`, loading.
    pub fn new(state: MapState, headers: Vec<String>) -> SavedMappings {
        let saved = SavedMappings {
            state,
            headers: StoredValue::new(headers),
            list: RwSignal::new(None),
            chosen: RwSignal::new(None),
            left_out: RwSignal::new(Vec::new()),
            save_open: RwSignal::new(false),
            delete_open: RwSignal::new(false),
        };
        let list = saved.list;
        spawn_local(async move {
            let loaded = api::saved_mappings().await.map(|l| l.items);
            list.try_set(Some(loaded));
        });
        saved
    }

    fn items(&self) -> Vec<SavedMappingView> {
        self.list.with(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().ok())
                .cloned()
                .unwrap_or_default()
        })
    }

    fn chosen_view(&self) -> Option<SavedMappingView> {
        let id = self.chosen.get()?;
        self.items().into_iter().find(|m| m.id == id)
    }

    /// Applies the saved mapping `id` to the form.
    fn choose(&self, id: Option<Uuid>) -> Option<SavedMappingView> {
        self.chosen.set(id);
        self.left_out.set(Vec::new());
        let view = self.chosen_view()?;
        let (fitted, left_out) = self.headers.with_value(|h| fit_to_file(&view.mapping, h));
        self.state.apply(&fitted);
        self.left_out.set(left_out);
        Some(view)
    }

    /// Takes in a mapping just saved or overwritten: listed by name, and the one chosen.
    fn stored(&self, view: SavedMappingView) {
        let id = view.id;
        self.list.update(|l| {
            let mut items = l.take().and_then(Result::ok).unwrap_or_default();
            items.retain(|m| m.id != id);
            items.push(view);
            items.sort_by(|a, b| a.name.cmp(&b.name));
            *l = Some(Ok(items));
        });
        self.chosen.set(Some(id));
        self.left_out.set(Vec::new());
    }

    fn forget(&self, id: Uuid) {
        self.list.update(|l| {
            if let Some(Ok(items)) = l {
                items.retain(|m| m.id != id);
            }
        });
        if self.chosen.get_untracked() == Some(id) {
            self.chosen.set(None);
        }
    }
}

/// The "Saved mapping" menu, with the actions to save the form's mapping and delete the one
/// chosen. `on_applied` runs once a saved mapping is in the form.
#[component]
pub fn SavedMappingPicker(saved: SavedMappings, on_applied: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let writer = may_run();
    let on_change = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev).parse::<Uuid>().ok();
        if let Some(view) = saved.choose(id) {
            on_applied.run(());
            toasts.info(format!("Mapping “{}” applied.", view.name));
        }
    };
    let prompt = move || match saved.list.get() {
        None => "Loading…",
        Some(Ok(items)) if items.is_empty() => "None saved yet",
        Some(Ok(_)) => "— Choose one —",
        Some(Err(_)) => "Could not be loaded",
    };
    let options = move || {
        let chosen = saved.chosen.get();
        saved
            .items()
            .into_iter()
            .map(|m| {
                let selected = Some(m.id) == chosen;
                view! { <option value=m.id.to_string() selected=selected>{m.name}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="field saved-mapping">
            <label for="import-saved-mapping">"Saved mapping"</label>
            <div class="saved-mapping-row">
                <select id="import-saved-mapping" aria-describedby="import-saved-mapping-note"
                    prop:value=move || saved.chosen.get().map(|id| id.to_string()).unwrap_or_default()
                    on:change=on_change>
                    <option value="">{prompt}</option>
                    {options}
                </select>
                <Show when=move || writer.get()>
                    <button type="button" class="btn" on:click=move |_| saved.save_open.set(true)>
                        "Save mapping as…"
                    </button>
                    <button type="button" class="btn btn-danger"
                        disabled=move || saved.chosen.with(Option::is_none)
                        on:click=move |_| saved.delete_open.set(true)>
                        <Icon name="trash"/>"Delete saved mapping"
                    </button>
                </Show>
            </div>
            <p class="hint warn-text" id="import-saved-mapping-note" data-testid="saved-mapping-left-out"
                hidden=move || saved.left_out.with(Vec::is_empty)>
                {move || format!("Not in this file, so left out: {}.", saved.left_out.get().join(", "))}
            </p>
        </div>
    }
}

/// The dialogs of [`SavedMappingPicker`]: saving under a name, and deleting.
#[component]
pub fn SavedMappingDialogs(saved: SavedMappings) -> impl IntoView {
    let toasts = use_toasts();
    let delete = Callback::new(move |_| {
        let Some(target) = saved.chosen_view() else {
            return;
        };
        let (id, name) = (target.id, target.name);
        spawn_change(
            toasts,
            async move { api::delete_saved_mapping(id).await },
            move |()| format!("Saved mapping “{name}” deleted."),
            move || saved.forget(id),
        );
    });
    let message = Signal::derive(move || {
        saved
            .chosen_view()
            .map(|m| {
                format!(
                    "“{}” will no longer be offered for new imports. Imports already mapped with it keep their mapping.",
                    m.name
                )
            })
            .unwrap_or_default()
    });
    view! {
        <SaveDialog saved=saved/>
        <Confirm open=saved.delete_open title="Delete saved mapping?" message=message
            confirm="Delete mapping" on_confirm=delete/>
    }
}

/// Keeps the form's mapping under a name. A name already taken is offered for overwriting.
#[component]
fn SaveDialog(saved: SavedMappings) -> impl IntoView {
    let toasts = use_toasts();
    let open = saved.save_open;
    let name = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    // The mapping that already has the name asked for, once the server said so.
    let taken = RwSignal::new(None::<SavedMappingView>);
    Effect::new(move |_| {
        if open.get() {
            let preset = untrack(move || saved.chosen_view().map(|m| m.name));
            name.set(preset.unwrap_or_default());
            errors.clear();
            taken.set(None);
        }
    });
    let conflict = move || taken.get().filter(|m| name.with(|n| n.trim() == m.name));
    let done = move |view: SavedMappingView, verb: &str| {
        toasts.info(format!("Mapping “{}” {verb}.", view.name));
        saved.stored(view);
        open.set(false);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let wanted = name.get_untracked().trim().to_owned();
        if wanted.is_empty() {
            errors.set("name", "Give the mapping a name.");
            return;
        }
        let input = SavedMappingInput {
            name: wanted.clone(),
            mapping: saved.state.input(),
        };
        run_busy(busy, async move {
            match api::create_saved_mapping(&input).await {
                Ok(view) => done(view, "saved"),
                Err(error) if error.status == 409 => {
                    // The refusal does not say which mapping has the name: the list does.
                    let same = api::saved_mappings()
                        .await
                        .ok()
                        .and_then(|l| l.items.into_iter().find(|m| m.name == wanted));
                    match same {
                        Some(existing) => taken.set(Some(existing)),
                        None => errors.show(&error),
                    }
                }
                Err(error) => errors.show(&error),
            }
        });
    };
    let overwrite = move |_| {
        let Some(existing) = conflict() else {
            return;
        };
        let input = SavedMappingInput {
            name: existing.name.clone(),
            mapping: saved.state.input(),
        };
        run_busy(busy, async move {
            match api::update_saved_mapping(existing.id, &input).await {
                Ok(view) => done(view, "overwritten"),
                Err(error) => errors.show(&error),
            }
        });
    };
    view! {
        <Modal open=open title="Save mapping">
            <form on:submit=submit novalidate>
                <p class="muted">"Keep this mapping to apply it to the next file from the same system in one step."</p>
                <FormBanner errors=errors/>
                <Field name="saved-mapping-name" label="Name" kind=FieldKind::Input("text") value=name
                    error=errors.of("name") required=true
                    hint=Some("Up to 100 characters, e.g. the system the files come from.")/>
                {move || conflict().map(|existing| view! {
                    <Banner tone="warn">
                        <p data-testid="saved-mapping-taken">{format!(
                            "A saved mapping is already called “{}” (saved by {}). Overwrite it with this one?",
                            existing.name, existing.created_by_label
                        )}</p>
                        <button type="button" class="btn btn-small" on:click=overwrite
                            disabled=move || busy.get()>"Overwrite"</button>
                    </Banner>
                })}
                <FormActions open=open busy=busy label="Save"/>
            </form>
        </Modal>
    }
}
