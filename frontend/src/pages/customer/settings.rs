//! The Settings tab: the customer's tier (changed through a dialog that previews the pricing
//! impact first: old and new discount, MRR and ARR before, after and the difference, open
//! orders; confirming applies `PUT /tier`), billing and shipping preferences, and the
//! organisation's custom fields rendered by their definitions (text, number, date, select,
//! bool). Preferences and custom fields are saved as merge patches of the customer with
//! `If-Match`, sending only what changed.

use leptos::prelude::*;
use serde_json::{Map, Value};
use tenure_api_types::{CustomFieldView, CustomerView, TierChangeInput, TierPreview, TierView};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{
    Banner, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal,
    Spinner, TierBadge, Toasts, use_toasts,
};
use crate::format;
use crate::pages::customer::{CustomerPage, can_write, optional, run_busy, use_customer_page};

/// The text a form shows for a stored custom-field value.
pub fn custom_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A custom field's text as the JSON its type stores; empty is `null` (cleared).
pub fn custom_value(field_type: &str, text: &str) -> Result<Value, String> {
    let text = text.trim();
    if field_type == "bool" {
        return Ok(Value::Bool(text == "true"));
    }
    if text.is_empty() {
        return Ok(Value::Null);
    }
    match field_type {
        "number" => {
            if let Ok(whole) = text.parse::<i64>() {
                return Ok(Value::from(whole));
            }
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| "Enter a number.".to_owned())
        }
        "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| Value::String(d.to_string()))
            .map_err(|_| "Enter a date.".to_owned()),
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// The keys whose value differs between `before` and `after`, with the new value (`null` when
/// cleared): one merge-patch object.
pub fn changed_keys(before: &Map<String, Value>, after: &Map<String, Value>) -> Map<String, Value> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k).unwrap_or(&Value::Null) != *v)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[component]
pub fn SettingsTab() -> impl IntoView {
    let page = use_customer_page();
    let writer = can_write();
    let tier = move || page.with_overview(|o| (o.tier.clone(), o.customer.tier.clone()));
    view! {
        <section class="card" aria-labelledby="tier-heading">
            <div class="card-head">
                <h2 id="tier-heading">"Tier"</h2>
                <Show when=move || writer.get()>
                    <button class="btn" on:click=move |_| page.dialogs.change_tier.set(true)>
                        <Icon name="award"/>"Change tier"
                    </button>
                </Show>
            </div>
            {move || match tier() {
                Some((Some(t), _)) => view! { <TierFacts tier=t/> }.into_any(),
                Some((None, Some(name))) => view! {
                    <p>{format!("{name} (not one of the organisation's tiers)")}</p>
                }.into_any(),
                _ => view! { <p class="muted" data-testid="no-tier">"No tier: list prices apply."</p> }.into_any(),
            }}
        </section>
        <BillingForm/>
        <CustomFieldsForm/>
    }
}

#[component]
fn TierFacts(tier: TierView) -> impl IntoView {
    view! {
        <div class="tier-facts">
            <TierBadge name=tier.name.clone() colour=tier.colour.clone()/>
            <dl class="facts">
                <div><dt>"Discount"</dt><dd data-testid="tier-discount">{format::percent(&tier.discount_percent)}</dd></div>
                <div><dt>"Level"</dt><dd>{tier.level}</dd></div>
                <div><dt>"Minimum annual spend"</dt><dd>{tier.min_annual_spend.as_deref().map_or_else(|| "—".to_owned(), |m| format::money(m, &tier.currency, true))}</dd></div>
            </dl>
            {(!tier.benefits.is_empty()).then(|| view! {
                <ul class="benefits">{tier.benefits.iter().map(|b| view! { <li><Icon name="check"/>{b.clone()}</li> }).collect_view()}</ul>
            })}
            {tier.requirements.clone().map(|r| view! { <p class="hint">{r}</p> })}
        </div>
    }
}

/// The tier change: pick a tier, see what it does to the price, then confirm.
#[component]
pub fn TierDialog() -> impl IntoView {
    let page = use_customer_page();
    let open = page.dialogs.change_tier;
    let tiers = RwSignal::new(Vec::<TierView>::new());
    let choice = RwSignal::new(String::new());
    let reprice = RwSignal::new("true".to_owned());
    let reason = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<Result<TierPreview, ApiError>>);
    let previewing = RwSignal::new(false);
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(open, busy, errors);
    let current = move || {
        page.with_overview_untracked(|o| o.tier.as_ref().map(|t| t.id.to_string()))
            .flatten()
    };
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        choice.set(current().unwrap_or_default());
        reprice.set("true".to_owned());
        reason.set(String::new());
        preview.set(None);
        errors.clear();
        leptos::task::spawn_local(async move {
            match api::tiers().await {
                Ok(list) => tiers.set(list.items),
                Err(e) => errors.banner.set(Some(e.message())),
            }
        });
    });
    let input = move || TierChangeInput {
        tier_id: choice.get_untracked().parse::<Uuid>().ok(),
        reprice: Some(reprice.get_untracked() == "true"),
        reason: optional(&reason.get_untracked()),
    };
    // A new choice asks for a new preview; only the newest answer counts.
    let ticket = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let chosen = choice.get();
        reprice.track();
        if !open.get_untracked() || Some(chosen.clone()) == current().or(Some(String::new())) {
            preview.set(None);
            return;
        }
        let mine = ticket.get_value() + 1;
        ticket.set_value(mine);
        previewing.set(true);
        let body = input();
        leptos::task::spawn_local(async move {
            let result = api::preview_tier(page.id, &body).await;
            if ticket.get_value() == mine {
                previewing.set(false);
                preview.set(Some(result));
            }
        });
    });
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let body = input();
        let name = tiers.with_untracked(|t| {
            t.iter()
                .find(|t| Some(t.id) == body.tier_id)
                .map(|t| t.name.clone())
        });
        dialog.send(
            async move { api::apply_tier(page.id, &body).await },
            move |_| match name {
                Some(name) => format!("Tier changed to {name}."),
                None => "Tier removed.".to_owned(),
            },
        );
    };
    let options = Signal::derive(move || {
        std::iter::once((String::new(), "No tier".to_owned()))
            .chain(tiers.get().into_iter().map(|t| {
                let label = format!("{} ({} off)", t.name, format::percent(&t.discount_percent));
                (t.id.to_string(), label)
            }))
            .collect()
    });
    let ready = move || matches!(preview.get(), Some(Ok(_))) && !previewing.get();
    view! {
        <Modal open=open title="Change tier">
            <form on:submit=apply novalidate class="modal-form-wide">
                <FormBanner errors=errors/>
                <Field name="tier-choice" label="New tier" kind=FieldKind::Select(options) value=choice
                    error=errors.of("tier_id")/>
                <Field name="tier-reprice" label="Reprice MRR by the change in discount" kind=FieldKind::Checkbox
                    value=reprice error=errors.of("reprice")/>
                <Field name="tier-reason" label="Reason" kind=FieldKind::Input("text") value=reason
                    error=errors.of("reason")/>
                <div class="tier-preview" aria-live="polite" aria-busy=move || previewing.get().to_string()>
                    {move || match preview.get() {
                        None if previewing.get() => view! { <p class="muted"><Spinner/>" Working out the price…"</p> }.into_any(),
                        None => view! { <p class="muted">"Pick another tier to see what it does to the price."</p> }.into_any(),
                        Some(Err(e)) => view! { <Banner tone="error">{e.message()}</Banner> }.into_any(),
                        Some(Ok(p)) => view! { <PreviewTable preview=p/> }.into_any(),
                    }}
                </div>
                <FormActions open=open busy=busy label="Apply tier change"
                    blocked=Signal::derive(move || !ready())/>
            </form>
        </Modal>
    }
}

#[component]
fn PreviewTable(preview: TierPreview) -> impl IntoView {
    let c = preview.currency.clone();
    let money = move |a: &str| format::money(a, &c, false);
    let delta = {
        let c = preview.currency.clone();
        move |a: &str| format::money_delta(a, &c)
    };
    let tone = |a: &str| {
        let v = format::decimal(a);
        if v > 0.0 {
            "delta-up"
        } else if v < 0.0 {
            "delta-down"
        } else {
            ""
        }
    };
    let rows = [
        ("MRR", &preview.mrr),
        ("ARR", &preview.arr),
        ("Open orders total", &preview.open_orders_total),
    ]
    .map(|(label, change)| {
        view! {
            <tr>
                <th scope="row">{label}</th>
                <td class="num">{money(&change.before)}</td>
                <td class="num">{money(&change.after)}</td>
                <td class=format!("num {}", tone(&change.delta))>{delta(&change.delta)}</td>
            </tr>
        }
    });
    view! {
        <table class="simple-table preview-table" aria-label="Pricing impact">
            <thead><tr><th scope="col"></th><th scope="col" class="num">"Before"</th><th scope="col" class="num">"After"</th><th scope="col" class="num">"Change"</th></tr></thead>
            <tbody>
                <tr>
                    <th scope="row">"Discount"</th>
                    <td class="num" data-testid="old-discount">{format::percent(&preview.old_discount_percent)}</td>
                    <td class="num" data-testid="new-discount">{format::percent(&preview.new_discount_percent)}</td>
                    <td></td>
                </tr>
                {rows}
            </tbody>
        </table>
        <p class="hint">
            {format!("{} → {}. ", preview.old_tier.clone().unwrap_or_else(|| "No tier".to_owned()), preview.new_tier.clone().unwrap_or_else(|| "No tier".to_owned()))}
            {format!("List price {} a month. ", format::money(&preview.list_mrr, &preview.currency, false))}
            {format!("{} open {} repriced the same way.", preview.open_orders, if preview.open_orders == 1 { "order is" } else { "orders are" })}
            {(!preview.reprice).then_some(" MRR is not repriced: only the tier changes.")}
        </p>
        {(!preview.meets_requirements).then(|| view! {
            <Banner tone="warn">"The customer does not meet this tier's minimum annual spend."</Banner>
        })}
    }
}

/// Billing and shipping preferences: top-level fields and `settings.*` keys of the customer.
#[derive(Clone, Copy)]
struct BillingValues {
    payment_terms: RwSignal<String>,
    currency: RwSignal<String>,
    credit_limit: RwSignal<String>,
    shipping_method: RwSignal<String>,
    shipping_instructions: RwSignal<String>,
    preferred_carrier: RwSignal<String>,
}

const SETTINGS_KEYS: [&str; 3] = [
    "shipping_method",
    "shipping_instructions",
    "preferred_carrier",
];

impl BillingValues {
    fn signals(&self) -> [(&'static str, RwSignal<String>); 6] {
        [
            ("payment_terms_days", self.payment_terms),
            ("currency", self.currency),
            ("credit_limit", self.credit_limit),
            ("shipping_method", self.shipping_method),
            ("shipping_instructions", self.shipping_instructions),
            ("preferred_carrier", self.preferred_carrier),
        ]
    }

    fn load(&self, c: &CustomerView) {
        let setting = |key: &str| custom_text(c.settings.get(key));
        self.payment_terms.set(
            c.payment_terms_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        self.currency.set(c.currency.clone());
        self.credit_limit
            .set(c.credit_limit.clone().unwrap_or_default());
        self.shipping_method.set(setting("shipping_method"));
        self.shipping_instructions
            .set(setting("shipping_instructions"));
        self.preferred_carrier.set(setting("preferred_carrier"));
    }
}

/// The merge patch that turns `before`'s billing and shipping into the form's values, or the
/// messages of fields to fix first.
fn billing_patch(
    before: &CustomerView,
    values: &[(&'static str, String)],
) -> Result<Map<String, Value>, Vec<(String, String)>> {
    let mut patch = Map::new();
    let mut settings = Map::new();
    let mut problems = Vec::new();
    for (key, text) in values {
        let text = text.trim();
        if SETTINGS_KEYS.contains(key) {
            let old = custom_text(before.settings.get(*key));
            if old != text {
                let value = optional(text).map_or(Value::Null, Value::String);
                settings.insert((*key).to_owned(), value);
            }
            continue;
        }
        let (old, new) = match *key {
            "payment_terms_days" => {
                let old = before
                    .payment_terms_days
                    .map(Value::from)
                    .unwrap_or(Value::Null);
                let new = match text {
                    "" => Value::Null,
                    t => match t.parse::<i64>() {
                        Ok(days) if days >= 0 => Value::from(days),
                        _ => {
                            problems.push((
                                key.to_string(),
                                "Enter a whole number of days.".to_owned(),
                            ));
                            continue;
                        }
                    },
                };
                (old, new)
            }
            "currency" => (
                Value::String(before.currency.clone()),
                Value::String(text.to_uppercase()),
            ),
            _ => (
                before
                    .credit_limit
                    .clone()
                    .map_or(Value::Null, Value::String),
                optional(&text.replace([',', ' '], "")).map_or(Value::Null, Value::String),
            ),
        };
        if old != new {
            patch.insert((*key).to_owned(), new);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if !settings.is_empty() {
        patch.insert("settings".to_owned(), Value::Object(settings));
    }
    Ok(patch)
}

/// Saves `patch` to the customer (a stale copy reloads, so the next try can succeed).
fn save_customer(
    page: CustomerPage,
    toasts: Toasts,
    busy: RwSignal<bool>,
    errors: FormErrors,
    customer: CustomerView,
    patch: Map<String, Value>,
    message: &'static str,
) {
    run_busy(busy, async move {
        match api::patch_customer(customer.id, customer.version, &patch).await {
            Ok(_) => {
                toasts.info(message);
                page.refresh();
            }
            Err(error) => {
                if error.code == "version_conflict" {
                    page.refresh();
                }
                errors.show(&error);
            }
        }
    });
}

#[component]
fn BillingForm() -> impl IntoView {
    let page = use_customer_page();
    let toasts = use_toasts();
    let writer = can_write();
    let s = || RwSignal::new(String::new());
    let values = BillingValues {
        payment_terms: s(),
        currency: s(),
        credit_limit: s(),
        shipping_method: s(),
        shipping_instructions: s(),
        preferred_carrier: s(),
    };
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    // The form follows the stored customer: filled again whenever its version changes.
    let version = Memo::new(move |_| page.customer().map(|c| c.version));
    Effect::new(move |_| {
        version.track();
        if let Some(c) = page.customer_untracked() {
            values.load(&c);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let Some(customer) = page.customer_untracked() else {
            return;
        };
        let texts: Vec<(&'static str, String)> = values
            .signals()
            .iter()
            .map(|(k, s)| (*k, s.get_untracked()))
            .collect();
        let patch = match billing_patch(&customer, &texts) {
            Ok(patch) => patch,
            Err(problems) => {
                for (key, message) in problems {
                    errors.set(&key, message);
                }
                return;
            }
        };
        if patch.is_empty() {
            toasts.info("Nothing to save: no field changed.");
            return;
        }
        save_customer(
            page,
            toasts,
            busy,
            errors,
            customer,
            patch,
            "Billing and shipping saved.",
        );
    };
    view! {
        <section class="card" aria-labelledby="billing-heading">
            <h2 id="billing-heading">"Billing and shipping"</h2>
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <fieldset disabled=move || !writer.get()>
                    <div class="form-grid">
                        <Field name="settings-payment_terms_days" label="Payment terms (days)" kind=FieldKind::Input("number")
                            value=values.payment_terms error=errors.of("payment_terms_days")/>
                        <Field name="settings-currency" label="Currency" kind=FieldKind::Input("text")
                            value=values.currency error=errors.of("currency") hint=Some("Three-letter code, e.g. USD, EUR.")/>
                        <Field name="settings-credit_limit" label="Credit limit" kind=FieldKind::Input("text")
                            value=values.credit_limit error=errors.of("credit_limit")/>
                        <Field name="settings-shipping_method" label="Shipping method" kind=FieldKind::Input("text")
                            value=values.shipping_method error=errors.of("settings.shipping_method")
                            hint=Some("e.g. standard, express, freight")/>
                        <Field name="settings-preferred_carrier" label="Preferred carrier" kind=FieldKind::Input("text")
                            value=values.preferred_carrier error=errors.of("settings.preferred_carrier")/>
                        <Field name="settings-shipping_instructions" label="Shipping instructions" kind=FieldKind::TextArea
                            value=values.shipping_instructions error=errors.of("settings.shipping_instructions")/>
                    </div>
                </fieldset>
                <Show when=move || writer.get()>
                    <div class="form-actions-inline">
                        <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                            {move || busy.get().then(|| view! { <Spinner/> })}"Save billing and shipping"
                        </button>
                    </div>
                </Show>
            </form>
        </section>
    }
}

#[component]
fn CustomFieldsForm() -> impl IntoView {
    let page = use_customer_page();
    let toasts = use_toasts();
    let writer = can_write();
    let definitions = LocalResource::new(api::custom_fields);
    let values = RwSignal::new(Vec::<(CustomFieldView, RwSignal<String>)>::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let version = Memo::new(move |_| page.customer().map(|c| c.version));
    // One text per definition, filled from the stored customer (again when it changes).
    Effect::new(move |_| {
        version.track();
        let Some(Ok(list)) = definitions.get() else {
            return;
        };
        let stored = page
            .customer_untracked()
            .map(|c| c.custom_fields)
            .unwrap_or_default();
        let mut defs = list.items;
        defs.sort_by_key(|d| d.position);
        values.set(
            defs.into_iter()
                .map(|d| {
                    let text = custom_text(stored.get(&d.key));
                    let text = if d.field_type == "bool" && text.is_empty() {
                        "false".to_owned()
                    } else {
                        text
                    };
                    (d, RwSignal::new(text))
                })
                .collect(),
        );
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let Some(customer) = page.customer_untracked() else {
            return;
        };
        let mut after = Map::new();
        for (def, text) in values.get_untracked() {
            match custom_value(&def.field_type, &text.get_untracked()) {
                Ok(Value::Null) if def.required => {
                    errors.set(
                        &format!("custom_fields.{}", def.key),
                        format!("Enter {}.", def.label),
                    );
                }
                Ok(value) => {
                    after.insert(def.key.clone(), value);
                }
                Err(message) => errors.set(&format!("custom_fields.{}", def.key), message),
            }
        }
        if errors.has_any() {
            return;
        }
        // Unset booleans count as false, so an untouched checkbox is no change.
        let mut before = customer.custom_fields.clone();
        for (def, _) in values.get_untracked() {
            if def.field_type == "bool" && !before.contains_key(&def.key) {
                before.insert(def.key.clone(), Value::Bool(false));
            }
        }
        let changes = changed_keys(&before, &after);
        if changes.is_empty() {
            toasts.info("Nothing to save: no field changed.");
            return;
        }
        let mut patch = Map::new();
        patch.insert("custom_fields".to_owned(), Value::Object(changes));
        save_customer(
            page,
            toasts,
            busy,
            errors,
            customer,
            patch,
            "Custom fields saved.",
        );
    };
    view! {
        <section class="card" aria-labelledby="custom-heading">
            <h2 id="custom-heading">"Custom fields"</h2>
            {move || match definitions.get() {
                None => view! { <div class="skeleton-block small" aria-busy="true"></div> }.into_any(),
                Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| definitions.refetch())/> }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => view! {
                    <p class="muted">"Your organisation has no custom fields yet. Owners define them under Settings."</p>
                }.into_any(),
                Some(Ok(_)) => view! {
                    <form on:submit=submit novalidate>
                        <FormBanner errors=errors/>
                        <fieldset disabled=move || !writer.get()>
                            <div class="form-grid">
                                {move || values.get().into_iter().map(|(def, value)| {
                                    let kind = match def.field_type.as_str() {
                                        "number" => FieldKind::Input("number"),
                                        "date" => FieldKind::Input("date"),
                                        "bool" => FieldKind::Checkbox,
                                        "select" => FieldKind::Select(Signal::stored(
                                            std::iter::once((String::new(), "—".to_owned()))
                                                .chain(def.options.iter().map(|o| (o.clone(), o.clone())))
                                                .collect(),
                                        )),
                                        _ => FieldKind::Input("text"),
                                    };
                                    view! {
                                        <Field name=format!("cf-{}", def.key) label=def.label.clone() kind=kind value=value
                                            error=errors.of(format!("custom_fields.{}", def.key)) required=def.required/>
                                    }
                                }).collect_view()}
                            </div>
                        </fieldset>
                        <Show when=move || writer.get()>
                            <div class="form-actions-inline">
                                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                                    {move || busy.get().then(|| view! { <Spinner/> })}"Save custom fields"
                                </button>
                            </div>
                        </Show>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn custom_values_take_their_types_json() {
        assert_eq!(custom_value("number", "12"), Ok(json!(12)));
        assert_eq!(custom_value("number", "12.5"), Ok(json!(12.5)));
        assert!(custom_value("number", "twelve").is_err());
        assert_eq!(custom_value("date", "2026-11-25"), Ok(json!("2026-11-25")));
        assert!(custom_value("date", "25/11/2026").is_err());
        assert_eq!(custom_value("bool", "true"), Ok(json!(true)));
        assert_eq!(custom_value("bool", ""), Ok(json!(false)));
        assert_eq!(custom_value("select", " Gold "), Ok(json!("Gold")));
        assert_eq!(custom_value("text", "  "), Ok(Value::Null));
        assert_eq!(custom_text(Some(&json!(12))), "12");
        assert_eq!(custom_text(None), "");
    }

    #[test]
    fn only_changed_custom_fields_are_sent() {
        let before = json!({"region": "EMEA", "seats": 10});
        let after = json!({"region": "EMEA", "seats": 12, "renewal": null});
        let (Value::Object(before), Value::Object(after)) = (before, after) else {
            unreachable!("objects")
        };
        assert_eq!(
            Value::Object(changed_keys(&before, &after)),
            json!({"seats": 12})
        );
    }
}
