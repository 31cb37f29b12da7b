//! The Addresses tab: one group of cards per kind (billing, shipping, other), each address
//! added and edited in a dialog, made the primary of its kind (the server demotes the old one)
//! or deleted after a confirmation.

use leptos::prelude::*;
use tenure_api_types::vocabulary::ADDRESS_KINDS;
use tenure_api_types::{AddressInput, AddressView};

use crate::api;
use crate::components::{
    Confirm, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal,
    use_toasts,
};
use crate::format;
use crate::pages::customer::overview::empty;
use crate::pages::customer::{
    can_write, choices, optional, primary_patch, text_of, use_customer_page,
};

/// The lines an address is written in, without empty ones: street, street, "city region
/// postcode", country.
pub fn address_lines(a: &AddressView) -> Vec<String> {
    let place = [&a.city, &a.region, &a.postal_code]
        .into_iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    [
        Some(a.line1.clone()),
        a.line2.clone(),
        Some(place),
        Some(a.country.clone()),
    ]
    .into_iter()
    .flatten()
    .filter(|l| !l.trim().is_empty())
    .collect()
}

#[component]
pub fn AddressesTab() -> impl IntoView {
    let page = use_customer_page();
    let toasts = use_toasts();
    let writer = can_write();
    let addresses = LocalResource::new(move || {
        page.changed.track();
        api::addresses(page.id)
    });
    let dialog = RwSignal::new(false);
    let editing = RwSignal::new(None::<AddressView>);
    let deleting = RwSignal::new(None::<AddressView>);
    let confirm = RwSignal::new(false);
    let make_primary = move |address: AddressView| {
        page.change(
            toasts,
            async move { api::update_address(&address, &primary_patch()).await },
            |a| format!("Primary {} address changed.", a.kind),
        );
    };
    let delete = Callback::new(move |_| {
        if let Some(address) = deleting.get_untracked() {
            page.change(
                toasts,
                async move { api::delete_address(&address).await },
                |()| "Address deleted.",
            );
        }
    });
    let card = move |a: AddressView| {
        let title = a
            .label
            .clone()
            .unwrap_or_else(|| format!("{} address", format::label(&a.kind)));
        let (for_edit, for_primary, for_delete) = (a.clone(), a.clone(), a.clone());
        let primary = a.is_primary;
        let card_label = title.clone();
        view! {
            <li class="address-card" data-id=a.id.to_string() aria-label=card_label>
                <div class="address-head">
                    <strong>{title.clone()}</strong>
                    {primary.then(|| view! { <span class="badge tone-good"><Icon name="star"/>"Primary"</span> })}
                </div>
                <address>
                    {address_lines(&a).into_iter().map(|l| view! { <span>{l}</span> }).collect_view()}
                </address>
                <Show when=move || writer.get()>
                    <div class="row-actions">
                        {(!primary).then(|| {
                            let target = for_primary.clone();
                            view! {
                                <button class="btn btn-small" on:click=move |_| make_primary(target.clone())>
                                    "Make primary"
                                </button>
                            }
                        })}
                        <button class="btn-icon" aria-label=format!("Edit {title}") on:click={
                            let target = for_edit.clone();
                            move |_| {
                                editing.set(Some(target.clone()));
                                dialog.set(true);
                            }
                        }><Icon name="edit"/></button>
                        <button class="btn-icon" aria-label=format!("Delete {title}") on:click={
                            let target = for_delete.clone();
                            move |_| {
                                deleting.set(Some(target.clone()));
                                confirm.set(true);
                            }
                        }><Icon name="trash"/></button>
                    </div>
                </Show>
            </li>
        }
    };
    view! {
        <div class="tab-head">
            <h2>"Addresses"</h2>
            <Show when=move || writer.get()>
                <button class="btn btn-primary" on:click=move |_| {
                    editing.set(None);
                    dialog.set(true);
                }><Icon name="plus"/>"Add address"</button>
            </Show>
        </div>
        {move || match addresses.get() {
            None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
            Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| addresses.refetch())/> }.into_any(),
            Some(Ok(list)) if list.items.is_empty() => empty("No addresses yet", "Add where to bill and where to ship.").into_any(),
            Some(Ok(list)) => ADDRESS_KINDS.iter().map(|kind| {
                let of_kind: Vec<AddressView> = list.items.iter().filter(|a| a.kind == *kind).cloned().collect();
                let heading = format!("{} addresses", format::label(kind));
                let group_label = heading.clone();
                (!of_kind.is_empty()).then(|| view! {
                    <section class="address-group" aria-label=group_label>
                        <h3>{heading}</h3>
                        <ul class="address-grid">{of_kind.into_iter().map(card).collect_view()}</ul>
                    </section>
                })
            }).collect_view().into_any(),
        }}
        <AddressDialog open=dialog editing=editing/>
        <Confirm open=confirm title="Delete this address?"
            message=Signal::derive(move || deleting.get().map(|a| format!("{} will be removed.", address_lines(&a).join(", "))).unwrap_or_default())
            confirm="Delete address" on_confirm=delete/>
    }
}

#[derive(Clone, Copy)]
struct AddressForm {
    kind: RwSignal<String>,
    label: RwSignal<String>,
    line1: RwSignal<String>,
    line2: RwSignal<String>,
    city: RwSignal<String>,
    region: RwSignal<String>,
    postal_code: RwSignal<String>,
    country: RwSignal<String>,
    is_primary: RwSignal<String>,
}

impl AddressForm {
    fn new() -> AddressForm {
        let s = || RwSignal::new(String::new());
        AddressForm {
            kind: s(),
            label: s(),
            line1: s(),
            line2: s(),
            city: s(),
            region: s(),
            postal_code: s(),
            country: s(),
            is_primary: s(),
        }
    }

    fn load(&self, from: Option<&AddressView>) {
        let text = |f: fn(&AddressView) -> &Option<String>| {
            from.map(|a| text_of(f(a))).unwrap_or_default()
        };
        self.kind
            .set(from.map_or_else(|| "billing".to_owned(), |a| a.kind.clone()));
        self.label.set(text(|a| &a.label));
        self.line1
            .set(from.map(|a| a.line1.clone()).unwrap_or_default());
        self.line2.set(text(|a| &a.line2));
        self.city.set(text(|a| &a.city));
        self.region.set(text(|a| &a.region));
        self.postal_code.set(text(|a| &a.postal_code));
        self.country
            .set(from.map(|a| a.country.clone()).unwrap_or_default());
        self.is_primary
            .set(from.is_some_and(|a| a.is_primary).to_string());
    }

    fn input(&self) -> AddressInput {
        let text = |s: RwSignal<String>| optional(&s.get_untracked());
        AddressInput {
            kind: text(self.kind),
            label: text(self.label),
            line1: text(self.line1),
            line2: text(self.line2),
            city: text(self.city),
            region: text(self.region),
            postal_code: text(self.postal_code),
            country: text(self.country).map(|c| c.to_uppercase()),
            // Only ever switched on: another address of the kind becoming primary demotes this.
            is_primary: (self.is_primary.get_untracked() == "true").then_some(true),
        }
    }
}

#[component]
fn AddressDialog(open: RwSignal<bool>, editing: RwSignal<Option<AddressView>>) -> impl IntoView {
    let page = use_customer_page();
    let form = AddressForm::new();
    let initial = StoredValue::new(AddressInput::default());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(open, busy, errors);
    Effect::new(move |_| {
        if open.get() {
            form.load(editing.get_untracked().as_ref());
            initial.set_value(form.input());
            errors.clear();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let input = form.input();
        if input.line1.is_none() {
            errors.set("line1", "Enter the street address.");
        }
        if input.country.is_none() {
            errors.set("country", "Enter the two-letter country code, e.g. DE.");
        }
        if errors.has_any() {
            return;
        }
        let existing = editing.get_untracked();
        let mut patch = api::changes(&initial.get_value(), &input);
        if input.is_primary.is_none() {
            patch.remove("is_primary");
        }
        dialog.save(
            existing,
            patch,
            api::update_address,
            async move { api::create_address(page.id, &input).await },
            |_, edited| {
                if edited {
                    "Address saved."
                } else {
                    "Address added."
                }
            },
        );
    };
    let title = Signal::derive(move || {
        if editing.with(Option::is_some) {
            "Edit address".to_owned()
        } else {
            "Add address".to_owned()
        }
    });
    let kinds = Signal::stored(choices(ADDRESS_KINDS, false));
    view! {
        <Modal open=open title=title>
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <div class="form-row">
                    <Field name="address-kind" label="Kind" kind=FieldKind::Select(kinds)
                        value=form.kind error=errors.of("kind")/>
                    <Field name="address-label" label="Label" kind=FieldKind::Input("text")
                        value=form.label error=errors.of("label") hint=Some("e.g. Head office")/>
                </div>
                <Field name="address-line1" label="Street address" kind=FieldKind::Input("text")
                    value=form.line1 error=errors.of("line1") required=true/>
                <Field name="address-line2" label="Address line 2" kind=FieldKind::Input("text")
                    value=form.line2 error=errors.of("line2")/>
                <div class="form-row">
                    <Field name="address-city" label="City" kind=FieldKind::Input("text")
                        value=form.city error=errors.of("city")/>
                    <Field name="address-region" label="Region" kind=FieldKind::Input("text")
                        value=form.region error=errors.of("region")/>
                </div>
                <div class="form-row">
                    <Field name="address-postal_code" label="Postal code" kind=FieldKind::Input("text")
                        value=form.postal_code error=errors.of("postal_code")/>
                    <Field name="address-country" label="Country" kind=FieldKind::Input("text")
                        value=form.country error=errors.of("country") required=true
                        hint=Some("Two-letter code, e.g. DE, US.")/>
                </div>
                <Field name="address-is_primary" label="Primary address of its kind" kind=FieldKind::Checkbox
                    value=form.is_primary error=errors.of("is_primary")/>
                <FormActions open=open busy=busy
                    label=move || if editing.with(Option::is_some) { "Save address" } else { "Add address" }/>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lines_skip_what_is_missing() {
        let now = chrono::Utc::now();
        let address = AddressView {
            id: uuid::Uuid::nil(),
            customer_id: uuid::Uuid::nil(),
            kind: "billing".into(),
            label: None,
            line1: "1 Main Street".into(),
            line2: None,
            city: Some("Springfield".into()),
            region: Some("IL".into()),
            postal_code: Some("62701".into()),
            country: "US".into(),
            is_primary: true,
            version: 1,
            deleted_at: None,
            created_at: now,
            updated_at: now,
        };
        assert_eq!(
            address_lines(&address),
            vec!["1 Main Street", "Springfield IL 62701", "US"]
        );
    }
}
