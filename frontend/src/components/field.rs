//! A labelled form control with its error beside it: `<label for>`, `aria-invalid` and
//! `aria-describedby` pointing at the message, so screen readers read the error with the field.

use leptos::prelude::*;

/// The control a [`Field`] draws.
#[derive(Clone, Copy)]
pub enum FieldKind {
    /// `<input type=...>`: text, email, tel, url, number, date.
    Input(&'static str),
    TextArea,
    /// `(value, label)` pairs; may change while the form is open (owners load later).
    Select(Signal<Vec<(String, String)>>),
    /// `"true"` / `"false"` in the value.
    Checkbox,
}

#[component]
pub fn Field(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    kind: FieldKind,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    /// Shown under the control and read with it.
    #[prop(optional_no_strip)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let (error_id, hint_id, has_hint) = (error_id.clone(), hint_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            if has_hint {
                ids.push(hint_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || error.with(Option::is_some).then_some("true");
    let control = match kind {
        FieldKind::Input(input_type) => view! {
            <input id=id.clone() name=name.clone() type=input_type required=required
                aria-invalid=invalid aria-describedby=described.clone()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
        }
        .into_any(),
        FieldKind::TextArea => view! {
            <textarea id=id.clone() name=name.clone() rows="3" aria-invalid=invalid
                aria-describedby=described.clone()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        FieldKind::Select(options) => view! {
            <select id=id.clone() name=name.clone() required=required aria-invalid=invalid
                aria-describedby=described.clone()
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))>
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{l}</option> }
                        })
                        .collect_view()
                }}
            </select>
        }
        .into_any(),
        FieldKind::Checkbox => view! {
            <input id=id.clone() name=name.clone() type="checkbox"
                aria-describedby=described.clone()
                prop:checked=move || value.get() == "true"
                on:change=move |ev| value.set(event_target_checked(&ev).to_string())/>
        }
        .into_any(),
    };
    let class = if matches!(kind, FieldKind::Checkbox) {
        "field field-check"
    } else {
        "field"
    };
    view! {
        <div class=class>
            <label for=id>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {control}
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id hidden=move || error.with(Option::is_none)>
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}
