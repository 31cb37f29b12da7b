//! Custom field definitions: the extra fields every customer's Settings tab offers. Owners add
//! and edit them in a dialog (the key is fixed once created: stored values refer to it) and
//! delete them (values already stored on customers stay).

use leptos::prelude::*;
use tenure_api_types::vocabulary::CUSTOM_FIELD_TYPES;
use tenure_api_types::{CustomFieldInput, CustomFieldView};

use super::{optional, split_list, squash_list_errors};
use crate::api::{self, ApiError};
use crate::components::{
    Confirm, DialogForm, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon,
    Modal, spawn_change, use_toasts,
};
use crate::format;

#[component]
pub fn CustomFieldsSection(#[prop(into)] writer: Signal<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(0_u32);
    let fields = LocalResource::new(move || {
        version.track();
        api::custom_fields()
    });
    let refresh = Callback::new(move |_| version.update(|v| *v += 1));
    // Where a new field goes by default: after the last one.
    let next_position = Signal::derive(move || {
        fields
            .get()
            .and_then(Result::ok)
            .and_then(|l| l.items.iter().map(|f| f.position).max())
            .map_or(1, |p| p + 1)
    });
    let dialog = RwSignal::new(false);
    let editing = RwSignal::new(None::<CustomFieldView>);
    let deleting = RwSignal::new(None::<CustomFieldView>);
    let confirm = RwSignal::new(false);
    let delete = Callback::new(move |_| {
        if let Some(field) = deleting.get_untracked() {
            let label = field.label.clone();
            spawn_change(
                toasts,
                async move { api::delete_custom_field(&field).await },
                move |()| format!("Custom field {label} deleted."),
                move || refresh.run(()),
            );
        }
    });
    let row = move |f: CustomFieldView| {
        let label = f.label.clone();
        let (for_edit, for_delete) = (f.clone(), f.clone());
        let options = if f.options.is_empty() {
            view! { <span class="muted">"—"</span> }.into_any()
        } else {
            view! { <span>{f.options.join(", ")}</span> }.into_any()
        };
        view! {
            <tr data-id=f.id.to_string()>
                <td class="col-name" data-label="Label"><span class="row-title">{f.label.clone()}</span></td>
                <td data-label="Key"><code>{f.key.clone()}</code></td>
                <td data-label="Type">{format::label(&f.field_type)}</td>
                <td data-label="Options">{options}</td>
                <td data-label="Required">{if f.required { "Yes" } else { "No" }}</td>
                <td class="col-actions">
                    <Show when=move || writer.get()>
                        <div class="row-actions">
                            <button class="btn-icon" aria-label=format!("Edit {label}") on:click={
                                let target = for_edit.clone();
                                move |_| {
                                    editing.set(Some(target.clone()));
                                    dialog.set(true);
                                }
                            }><Icon name="edit"/></button>
                            <button class="btn-icon" aria-label=format!("Delete {label}") on:click={
                                let target = for_delete.clone();
                                move |_| {
                                    deleting.set(Some(target.clone()));
                                    confirm.set(true);
                                }
                            }><Icon name="trash"/></button>
                        </div>
                    </Show>
                </td>
            </tr>
        }
    };
    view! {
        <section class="card" aria-labelledby="fields-heading" data-testid="custom-fields">
            <div class="card-head">
                <h2 id="fields-heading">"Custom fields"</h2>
                <Show when=move || writer.get()>
                    <button class="btn btn-primary" on:click=move |_| {
                        editing.set(None);
                        dialog.set(true);
                    }><Icon name="plus"/>"Add custom field"</button>
                </Show>
            </div>
            {move || match fields.get() {
                None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
                Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| fields.refetch())/> }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => view! {
                    <p class="muted">"No custom fields yet. Each one is offered on every customer's Settings tab."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="data-table" aria-label="Custom fields">
                            <thead><tr>
                                <th scope="col">"Label"</th><th scope="col">"Key"</th><th scope="col">"Type"</th>
                                <th scope="col">"Options"</th><th scope="col">"Required"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
        <FieldDialog open=dialog editing=editing next_position=next_position on_saved=refresh/>
        <Confirm open=confirm title=Signal::derive(move || deleting.get().map(|f| format!("Delete custom field {}?", f.label)).unwrap_or_default())
            message=Signal::derive(move || deleting.get().map(|f| format!(
                "{} will no longer be offered on customers. Values already stored under {} stay on the customers.",
                f.label, f.key
            )).unwrap_or_default())
            confirm="Delete custom field" on_confirm=delete/>
    }
}

/// The definition form's fields as text (the checkbox as `"true"`/`"false"`).
#[derive(Clone, Copy)]
struct DefinitionForm {
    key: RwSignal<String>,
    label: RwSignal<String>,
    field_type: RwSignal<String>,
    options: RwSignal<String>,
    required: RwSignal<String>,
    position: RwSignal<String>,
}

impl DefinitionForm {
    fn new() -> DefinitionForm {
        let s = || RwSignal::new(String::new());
        DefinitionForm {
            key: s(),
            label: s(),
            field_type: s(),
            options: s(),
            required: s(),
            position: s(),
        }
    }

    fn load(&self, from: Option<&CustomFieldView>, next_position: i64) {
        self.key
            .set(from.map(|f| f.key.clone()).unwrap_or_default());
        self.label
            .set(from.map(|f| f.label.clone()).unwrap_or_default());
        self.field_type
            .set(from.map_or_else(|| "text".to_owned(), |f| f.field_type.clone()));
        self.options
            .set(from.map(|f| f.options.join("\n")).unwrap_or_default());
        self.required
            .set(from.is_some_and(|f| f.required).to_string());
        self.position
            .set(from.map_or(next_position, |f| f.position).to_string());
    }

    /// The wire input, or the message for a position that is not a whole number.
    fn input(&self) -> Result<CustomFieldInput, &'static str> {
        let text = |s: RwSignal<String>| optional(&s.get_untracked());
        let position = match text(self.position) {
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| "Enter a whole number.")?),
            None => None,
        };
        let field_type = text(self.field_type);
        // Only a select has choices; a field that stops being one loses them.
        let options = if field_type.as_deref() == Some("select") {
            split_list(&self.options.get_untracked())
        } else {
            Vec::new()
        };
        Ok(CustomFieldInput {
            key: text(self.key),
            label: text(self.label),
            field_type,
            options: Some(options),
            required: Some(self.required.get_untracked() == "true"),
            position,
        })
    }
}

#[component]
fn FieldDialog(
    open: RwSignal<bool>,
    editing: RwSignal<Option<CustomFieldView>>,
    next_position: Signal<i64>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let form = DefinitionForm::new();
    let initial = StoredValue::new(CustomFieldInput::default());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = DialogForm::new(open, busy, errors, on_saved).on_error(Callback::new(
        move |error: ApiError| squash_list_errors(&errors, &error, "options"),
    ));
    Effect::new(move |_| {
        if open.get() {
            form.load(
                editing.get_untracked().as_ref(),
                next_position.get_untracked(),
            );
            initial.set_value(form.input().unwrap_or_default());
            errors.clear();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let input = match form.input() {
            Ok(input) => input,
            Err(message) => {
                errors.set("position", message);
                return;
            }
        };
        let existing = editing.get_untracked();
        if existing.is_none() && input.key.is_none() {
            errors.set("key", "Enter a key.");
        }
        if input.label.is_none() {
            errors.set("label", "Enter a label.");
        }
        if input.field_type.as_deref() == Some("select")
            && input.options.as_ref().is_none_or(Vec::is_empty)
        {
            errors.set("options", "A select needs at least one option.");
        }
        if errors.has_any() {
            return;
        }
        let mut patch = api::changes(&initial.get_value(), &input);
        // The key is read-only once the field exists.
        patch.remove("key");
        dialog.save(
            existing,
            patch,
            api::update_custom_field,
            async move { api::create_custom_field(&input).await },
            |saved, edited| {
                let done = if edited { "saved" } else { "added" };
                format!("Custom field {} {done}.", saved.label)
            },
        );
    };
    let title = Signal::derive(move || match editing.get() {
        Some(f) => format!("Edit custom field {}", f.label),
        None => "Add custom field".to_owned(),
    });
    let types = Signal::stored(
        CUSTOM_FIELD_TYPES
            .iter()
            .map(|t| ((*t).to_owned(), format::label(t)))
            .collect::<Vec<_>>(),
    );
    view! {
        <Modal open=open title=title>
            <form on:submit=submit novalidate class="modal-form-wide">
                <FormBanner errors=errors/>
                <div class="form-row">
                    <Field name="field-label" label="Label" kind=FieldKind::Input("text")
                        value=form.label error=errors.of("label") required=true/>
                    {move || if editing.with(Option::is_some) {
                        view! {
                            <div class="field">
                                <span class="field-static-label">"Key"</span>
                                <p class="field-static"><code>{move || form.key.get()}</code></p>
                                <p class="hint">"Fixed: stored values refer to it."</p>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <Field name="field-key" label="Key" kind=FieldKind::Input("text")
                                value=form.key error=errors.of("key") required=true
                                hint=Some("Lower-case letters, digits and _, e.g. renewal_owner. Cannot change later.")/>
                        }.into_any()
                    }}
                </div>
                <div class="form-row">
                    <Field name="field-type" label="Type" kind=FieldKind::Select(types)
                        value=form.field_type error=errors.of("field_type")/>
                    <Field name="field-position" label="Position" kind=FieldKind::Input("number")
                        value=form.position error=errors.of("position")
                        hint=Some("Lower comes first.")/>
                </div>
                <Show when=move || form.field_type.get() == "select">
                    <Field name="field-options" label="Options" kind=FieldKind::TextArea
                        value=form.options error=errors.of("options") required=true
                        hint=Some("One per line, or separated by commas.")/>
                </Show>
                <Field name="field-required" label="Required on every customer" kind=FieldKind::Checkbox
                    value=form.required error=errors.of("required")/>
                <FormActions open=open busy=busy
                    label=move || if editing.with(Option::is_some) { "Save custom field" } else { "Add custom field" }/>
            </form>
        </Modal>
    }
}
