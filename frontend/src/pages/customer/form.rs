//! The create/edit customer form: four sections (basic, business, billing, settings), checks
//! a person can fix before sending, server errors on the field they belong to, and `If-Match`
//! so an edit of a stale copy says who won and offers a reload instead of overwriting. Under
//! the basic fields, customers the one typed may duplicate are listed as they are found
//! ([`super::duplicates`]); they never stop a save.
//!
//! The form is driven by [`FIELDS`]; a value is a string while edited and becomes JSON (text,
//! number, money string, tag list, bool) only when sent. An edit sends only what changed (JSON
//! merge patch).

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::{Map, Value};
use tenure_api_types::vocabulary::{
    COMPANY_SIZES, CUSTOMER_KINDS, CUSTOMER_STATUSES, CUSTOMER_TYPES, PAYMENT_STATUSES,
};
use tenure_api_types::{CustomerView, DuplicateCheckInput, UserList};

use crate::api::{ApiError, Call};
use crate::components::{Banner, Field, FieldKind, Spinner, use_toasts};
use crate::pages::customer::duplicates::DuplicateWarning;
use crate::pages::customer::optional;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Email,
    Tel,
    Url,
    Date,
    Whole,
    Money,
    Long,
    /// One of a closed set of wire values (labelled by `format::label`).
    Choice(&'static [&'static str]),
    /// The same, with "not set" as the first choice.
    OptionalChoice(&'static [&'static str]),
    Owner,
    /// A tier of the organisation's catalogue, by name (the server refuses any other).
    Tier,
    Tags,
    Check,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Basic,
    Business,
    Billing,
    Settings,
}

const SECTIONS: &[(Section, &str, &str)] = &[
    (
        Section::Basic,
        "Basic",
        "Who the customer is and how to reach them.",
    ),
    (Section::Business, "Business", "Where they stand with you."),
    (Section::Billing, "Billing", "What they pay and how."),
    (Section::Settings, "Settings", "Access and notes."),
];

struct Spec {
    key: &'static str,
    label: &'static str,
    kind: Kind,
    section: Section,
    hint: Option<&'static str>,
}

const fn spec(key: &'static str, label: &'static str, kind: Kind, section: Section) -> Spec {
    Spec {
        key,
        label,
        kind,
        section,
        hint: None,
    }
}

impl Spec {
    /// The same field with a line of help under it.
    const fn hint(mut self, hint: &'static str) -> Spec {
        self.hint = Some(hint);
        self
    }
}

use Kind::*;
use Section::*;

const FIELDS: &[Spec] = &[
    spec("kind", "Kind", Choice(CUSTOMER_KINDS), Basic),
    spec("name", "Name", Text, Basic),
    spec("first_name", "First name", Text, Basic),
    spec("last_name", "Last name", Text, Basic),
    spec("birth_date", "Birth date", Date, Basic),
    spec("display_name", "Display name", Text, Basic),
    spec("legal_name", "Legal name", Text, Basic),
    spec("customer_code", "Customer code", Text, Basic)
        .hint("Left empty, one like CUS-000123 is made."),
    spec("email", "Email", Email, Basic),
    spec("phone", "Phone", Tel, Basic),
    spec("website", "Website", Url, Basic),
    spec("country", "Country", Text, Basic).hint("Two-letter code, e.g. DE, US."),
    spec("status", "Status", Choice(CUSTOMER_STATUSES), Business),
    spec("customer_type", "Type", Choice(CUSTOMER_TYPES), Business),
    spec("tier", "Tier", Tier, Business)
        .hint("Changing it here skips the pricing preview; the Settings tab shows it."),
    spec("plan", "Plan", Text, Business),
    spec("industry", "Industry", Text, Business),
    spec(
        "company_size",
        "Company size",
        OptionalChoice(COMPANY_SIZES),
        Business,
    ),
    spec("owner_id", "Account owner", Owner, Business),
    spec("tags", "Tags", Tags, Business).hint("Separate tags with commas."),
    spec("health_score", "Health score", Whole, Business).hint("0 to 100."),
    spec("churn_risk", "Churn risk", Whole, Business).hint("0 to 100."),
    spec("customer_since", "Customer since", Date, Business),
    spec("currency", "Currency", Text, Billing).hint("Three-letter code, e.g. USD, EUR."),
    spec("mrr", "MRR", Money, Billing).hint("Monthly recurring revenue, e.g. 1250.00"),
    spec("ltv", "Lifetime value", Money, Billing),
    spec("credit_limit", "Credit limit", Money, Billing),
    spec("payment_terms_days", "Payment terms (days)", Whole, Billing),
    spec(
        "payment_status",
        "Payment status",
        Choice(PAYMENT_STATUSES),
        Billing,
    ),
    spec("tax_id", "Tax id", Text, Billing),
    spec("portal_access", "Customer portal access", Check, Settings),
    spec("notes", "Notes", Long, Settings),
    spec("internal_notes", "Internal notes", Long, Settings).hint("Only your team sees these."),
];

/// The values a new customer starts with.
fn defaults() -> HashMap<&'static str, String> {
    let mut values: HashMap<&'static str, String> =
        FIELDS.iter().map(|f| (f.key, String::new())).collect();
    values.insert("kind", "company".to_owned());
    values.insert("status", "active".to_owned());
    values.insert("customer_type", "standard".to_owned());
    values.insert("payment_status", "current".to_owned());
    values.insert("portal_access", "false".to_owned());
    values
}

/// A stored customer as form strings.
fn values_of(customer: &CustomerView) -> HashMap<&'static str, String> {
    let json = serde_json::to_value(customer).unwrap_or(Value::Null);
    FIELDS
        .iter()
        .map(|f| {
            let text = match json.get(f.key) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            };
            (f.key, text)
        })
        .collect()
}

/// One field's string as JSON, or the message a person can act on.
fn to_json(spec: &Spec, raw: &str) -> Result<Value, String> {
    let text = raw.trim();
    Ok(match spec.kind {
        Check => Value::Bool(text == "true"),
        Tags => Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| Value::String(t.to_owned()))
                .collect(),
        ),
        _ if text.is_empty() => Value::Null,
        Whole => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "Enter a whole number.".to_owned())?,
        Money => {
            let plain = text.replace([',', ' '], "");
            let valid = !plain.is_empty()
                && plain.trim_start_matches('-').split('.').count() <= 2
                && plain
                    .trim_start_matches('-')
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.');
            if !valid {
                return Err("Enter an amount like 1250.00".to_owned());
            }
            Value::String(plain)
        }
        Email if !text.contains('@') => {
            return Err("Enter an email address like name@example.com.".to_owned());
        }
        _ => Value::String(text.to_owned()),
    })
}

#[derive(Clone)]
pub enum Mode {
    Create,
    Edit(Box<CustomerView>),
}

#[component]
pub fn CustomerForm(
    mode: Mode,
    #[prop(optional)] on_reload: Option<Callback<()>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let toasts = use_toasts();
    let initial = match &mode {
        Mode::Create => defaults(),
        Mode::Edit(customer) => values_of(customer),
    };
    let values: HashMap<&'static str, RwSignal<String>> = initial
        .iter()
        .map(|(k, v)| (*k, RwSignal::new(v.clone())))
        .collect();
    let values = StoredValue::new(values);
    let initial = StoredValue::new(initial);
    let errors = RwSignal::new(HashMap::<String, String>::new());
    let banner = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let owners = RwSignal::new(vec![(String::new(), "No owner".to_owned())]);
    spawn_local(async move {
        if let Ok(users) = Call::get("/users").json::<UserList>().await {
            owners
                .update(|o| o.extend(users.items.into_iter().map(|u| (u.id.to_string(), u.name))));
        }
    });
    let value =
        move |key: &str| values.with_value(|v| v.get(key).map(|s| s.get()).unwrap_or_default());
    let tiers = RwSignal::new(vec![(String::new(), "No tier".to_owned())]);
    let current_tier =
        values.with_value(|v| v.get("tier").map(|s| s.get_untracked()).unwrap_or_default());
    spawn_local(async move {
        if let Ok(list) = crate::api::tiers().await {
            tiers.update(|t| {
                t.extend(
                    list.items
                        .into_iter()
                        .map(|tier| (tier.name.clone(), tier.name)),
                );
                // A tier stored before the catalogue knew it stays selectable as it is.
                if !current_tier.is_empty() && !t.iter().any(|(v, _)| *v == current_tier) {
                    t.push((current_tier.clone(), current_tier.clone()));
                }
            });
        }
    });
    let is_person = move || value("kind") == "person";
    let editing = match &mode {
        Mode::Edit(customer) => Some((customer.id, customer.version)),
        Mode::Create => None,
    };
    // What matching reads of the form as it stands, for the duplicate warning.
    let check = Memo::new(move |_| {
        let text = |key: &str| optional(&value(key));
        let personal = |key: &str| if is_person() { text(key) } else { None };
        DuplicateCheckInput {
            kind: text("kind"),
            name: text("name"),
            first_name: personal("first_name"),
            last_name: personal("last_name"),
            birth_date: personal("birth_date"),
            email: text("email"),
            phone: text("phone"),
            website: text("website"),
            tax_id: text("tax_id"),
            country: text("country"),
            exclude_id: editing.map(|(id, _)| id),
            ..DuplicateCheckInput::default()
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut body = Map::new();
        let mut problems = HashMap::new();
        for spec in FIELDS {
            let raw = values.with_value(|v| v[spec.key].get_untracked());
            let changed = initial.with_value(|i| i.get(spec.key) != Some(&raw));
            if editing.is_some() && !changed {
                continue;
            }
            match to_json(spec, &raw) {
                Ok(Value::Null) if editing.is_none() => {}
                Ok(Value::Array(items)) if editing.is_none() && items.is_empty() => {}
                Ok(json) => {
                    body.insert(spec.key.to_owned(), json);
                }
                Err(message) => {
                    problems.insert(spec.key.to_owned(), message);
                }
            }
        }
        let kind = values.with_value(|v| v["kind"].get_untracked());
        let name = values.with_value(|v| v["name"].get_untracked());
        if kind == "company" && name.trim().is_empty() {
            problems.insert("name".to_owned(), "Enter the customer's name.".to_owned());
        }
        if kind == "person" && name.trim().is_empty() {
            let first = values.with_value(|v| v["first_name"].get_untracked());
            let last = values.with_value(|v| v["last_name"].get_untracked());
            if first.trim().is_empty() && last.trim().is_empty() {
                problems.insert(
                    "first_name".to_owned(),
                    "Enter a first or last name.".to_owned(),
                );
            }
        }
        if !problems.is_empty() {
            focus_first_error(&problems);
            errors.set(problems);
            banner.set(None);
            return;
        }
        if editing.is_some() && body.is_empty() {
            toasts.info("Nothing to save: no field changed.");
            return;
        }
        errors.set(HashMap::new());
        banner.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let body = Value::Object(body);
            let result = match editing {
                None => Call::post("/customers", &body).json::<CustomerView>().await,
                Some((id, version)) => {
                    Call::patch(&format!("/customers/{id}"), &body, version)
                        .json::<CustomerView>()
                        .await
                }
            };
            busy.set(false);
            match result {
                Ok(saved) => {
                    toasts.info(if editing.is_some() {
                        "Changes saved."
                    } else {
                        "Customer created."
                    });
                    navigate(&format!("/customers/{}", saved.id), Default::default());
                }
                Err(error) => {
                    let fields: HashMap<String, String> = error
                        .errors
                        .iter()
                        .map(|e| (e.field.clone(), e.message.clone()))
                        .collect();
                    if !fields.is_empty() {
                        focus_first_error(&fields);
                    }
                    errors.set(fields);
                    banner.set(Some(error));
                }
            }
        });
    };

    let field_view = move |spec: &'static Spec| {
        let signal = values.with_value(|v| v[spec.key]);
        let error = Signal::derive(move || errors.with(|e| e.get(spec.key).cloned()));
        let kind = match spec.kind {
            Email => FieldKind::Input("email"),
            Tel => FieldKind::Input("tel"),
            Url => FieldKind::Input("url"),
            Date => FieldKind::Input("date"),
            Whole => FieldKind::Input("number"),
            Money => FieldKind::Input("text"),
            Long => FieldKind::TextArea,
            Check => FieldKind::Checkbox,
            Choice(values) => FieldKind::Select(Signal::stored(options(values, false))),
            OptionalChoice(values) => FieldKind::Select(Signal::stored(options(values, true))),
            Owner => FieldKind::Select(owners.into()),
            Tier => FieldKind::Select(tiers.into()),
            Text | Tags => FieldKind::Input("text"),
        };
        let required = spec.key == "name";
        let make = move || {
            view! {
                <Field name=spec.key label=spec.label kind=kind value=signal error=error
                    required=required hint=spec.hint/>
            }
        };
        // Name is the company's; first and last name and birth date are a person's.
        match spec.key {
            "first_name" | "last_name" | "birth_date" => {
                view! { <Show when=is_person>{make()}</Show> }.into_any()
            }
            _ => make().into_any(),
        }
    };

    view! {
        <form class="customer-form" on:submit=submit novalidate>
            {move || banner.get().map(|error| {
                if error.code == "version_conflict" {
                    view! {
                        <Banner tone="warn">
                            <strong>"This customer was changed by someone else"</strong>
                            " since you opened it. Reload to see their version; your unsaved changes here will be lost."
                            {on_reload.map(|reload| view! {
                                <button type="button" class="btn" on:click=move |_| reload.run(())>"Reload"</button>
                            })}
                        </Banner>
                    }.into_any()
                } else if error.code == "validation_failed" {
                    view! { <Banner tone="error">"Some fields need attention: see the messages below."</Banner> }.into_any()
                } else {
                    view! { <Banner tone="error">{error.message()}</Banner> }.into_any()
                }
            })}
            {SECTIONS.iter().map(|(section, title, blurb)| view! {
                <fieldset class="form-section">
                    <legend>{*title}</legend>
                    <p class="hint">{*blurb}</p>
                    <div class="form-grid">
                        {FIELDS.iter().filter(|f| f.section == *section).map(field_view).collect_view()}
                    </div>
                </fieldset>
                {(*section == Basic).then(|| view! { <DuplicateWarning input=check/> })}
            }).collect_view()}
            <div class="form-actions">
                <a class="btn" href=match editing { Some((id, _)) => format!("/customers/{id}"), None => "/customers".to_owned() }>"Cancel"</a>
                <button class="btn btn-primary" type="submit" disabled=move || busy.get()>
                    {move || busy.get().then(|| view! { <Spinner/> })}
                    {if editing.is_some() { "Save changes" } else { "Create customer" }}
                </button>
            </div>
        </form>
    }
}

/// `(value, label)` menu entries for wire values, optionally led by "not set".
fn options(values: &[&str], optional: bool) -> Vec<(String, String)> {
    optional
        .then(|| (String::new(), "—".to_owned()))
        .into_iter()
        .chain(
            values
                .iter()
                .map(|v| ((*v).to_owned(), crate::format::label(v))),
        )
        .collect()
}

/// Moves focus to the first field with a message, in form order.
fn focus_first_error(problems: &HashMap<String, String>) {
    use wasm_bindgen::JsCast;
    let Some(first) = FIELDS.iter().find(|f| problems.contains_key(f.key)) else {
        return;
    };
    let id = format!("f-{}", first.key);
    // After the error messages render.
    request_animation_frame(move || {
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}
