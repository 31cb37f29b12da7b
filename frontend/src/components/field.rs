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

/// The messages of one form, by the field name the server uses (`email`, `settings.currency`),
/// plus one line for what belongs to no field. Shared by the small dialog forms.
#[derive(Clone, Copy)]
pub struct FormErrors {
    fields: RwSignal<std::collections::HashMap<String, String>>,
    pub banner: RwSignal<Option<String>>,
}

impl FormErrors {
    pub fn new() -> FormErrors {
        FormErrors {
            fields: RwSignal::new(std::collections::HashMap::new()),
            banner: RwSignal::new(None),
        }
    }

    /// The message of `key`, as a [`Field`] wants it.
    pub fn of(&self, key: impl Into<String>) -> Signal<Option<String>> {
        let fields = self.fields;
        let key = key.into();
        Signal::derive(move || fields.with(|f| f.get(&key).cloned()))
    }

    pub fn set(&self, key: &str, message: impl Into<String>) {
        self.fields
            .update(|f| drop(f.insert(key.to_owned(), message.into())));
    }

    pub fn clear(&self) {
        self.fields.set(std::collections::HashMap::new());
        self.banner.set(None);
    }

    pub fn has_any(&self) -> bool {
        self.fields.with(|f| !f.is_empty())
    }

    /// Puts a failed call's field messages on their fields; anything else goes in the banner.
    pub fn show(&self, error: &crate::api::ApiError) {
        let fields: std::collections::HashMap<String, String> = error
            .errors
            .iter()
            .map(|e| (e.field.clone(), e.message.clone()))
            .collect();
        let banner = if fields.is_empty() {
            Some(error.message())
        } else {
            Some("Some fields need attention: see the messages below.".to_owned())
        };
        self.fields.set(fields);
        self.banner.set(banner);
    }
}

/// The form's banner (role=alert) when it has one.
#[component]
pub fn FormBanner(errors: FormErrors) -> impl IntoView {
    move || {
        errors
            .banner
            .get()
            .map(|text| view! { <super::Banner tone="error">{text}</super::Banner> })
    }
}
