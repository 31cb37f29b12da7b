//! The Contacts tab: the people at the customer in a table (role badges, primary, portal
//! access), added and edited in a dialog without leaving the page, made primary in one click
//! (`PATCH {"is_primary": true}` demotes the old primary on the server), and deleted after a
//! confirmation.

use leptos::prelude::*;
use tenure_api_types::vocabulary::{CONTACT_ROLES, PREFERRED_CHANNELS};
use tenure_api_types::{ContactInput, ContactView};

use crate::api;
use crate::components::{
    Badge, Confirm, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal,
    use_toasts,
};
use crate::format::{self, Tone};
use crate::pages::customer::overview::empty;
use crate::pages::customer::{
    can_write, choices, optional, primary_patch, text_of, use_customer_page,
};

fn role_tone(role: &str) -> Tone {
    match role {
        "primary" | "decision_maker" => Tone::Good,
        "billing" => Tone::Warn,
        _ => Tone::Neutral,
    }
}

#[component]
pub fn ContactsTab() -> impl IntoView {
    let page = use_customer_page();
    let toasts = use_toasts();
    let writer = can_write();
    let contacts = LocalResource::new(move || {
        page.changed.track();
        api::contacts(page.id)
    });
    let dialog = RwSignal::new(false);
    let editing = RwSignal::new(None::<ContactView>);
    let deleting = RwSignal::new(None::<ContactView>);
    let confirm = RwSignal::new(false);
    let make_primary = move |contact: ContactView| {
        page.change(
            toasts,
            async move { api::update_contact(&contact, &primary_patch()).await },
            |c| format!("{} is now the primary contact.", c.full_name),
        );
    };
    let delete = Callback::new(move |_| {
        if let Some(contact) = deleting.get_untracked() {
            let name = contact.full_name.clone();
            page.change(
                toasts,
                async move { api::delete_contact(&contact).await },
                move |()| format!("{name} deleted."),
            );
        }
    });
    let row = move |c: ContactView| {
        let name = c.full_name.clone();
        let for_edit = c.clone();
        let for_primary = c.clone();
        let for_delete = c.clone();
        let primary = c.is_primary;
        view! {
            <tr data-id=c.id.to_string()>
                <td class="col-name" data-label="Name">
                    <span class="row-title">{c.full_name.clone()}</span>
                    {primary.then(|| view! { <span class="badge tone-good primary-badge"><Icon name="star"/>"Primary"</span> })}
                    {c.title.clone().map(|t| view! { <span class="cell-sub">{t}</span> })}
                </td>
                <td data-label="Role"><Badge tone=role_tone(&c.role) text=format::label(&c.role)/></td>
                <td data-label="Email">{c.email.clone().map(|e| view! { <a href=format!("mailto:{e}")>{e.clone()}</a> })}</td>
                <td data-label="Phone">{c.phone.clone().or(c.mobile.clone()).unwrap_or_default()}</td>
                <td data-label="Portal">
                    {if c.portal_access {
                        view! { <span class="badge tone-good">"Portal"</span> }.into_any()
                    } else {
                        view! { <span class="muted">"No"</span> }.into_any()
                    }}
                </td>
                <td class="col-actions">
                    <Show when=move || writer.get()>
                        <div class="row-actions">
                            {(!primary).then(|| {
                                let target = for_primary.clone();
                                view! {
                                    <button class="btn btn-small" aria-label=format!("Make {} primary", target.full_name)
                                        on:click=move |_| make_primary(target.clone())>"Make primary"</button>
                                }
                            })}
                            <button class="btn-icon" aria-label=format!("Edit {name}") on:click={
                                let target = for_edit.clone();
                                move |_| {
                                    editing.set(Some(target.clone()));
                                    dialog.set(true);
                                }
                            }><Icon name="edit"/></button>
                            <button class="btn-icon" aria-label=format!("Delete {name}") on:click={
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
        <div class="tab-head">
            <h2>"Contacts"</h2>
            <Show when=move || writer.get()>
                <button class="btn btn-primary" on:click=move |_| {
                    editing.set(None);
                    dialog.set(true);
                }><Icon name="plus"/>"Add contact"</button>
            </Show>
        </div>
        {move || match contacts.get() {
            None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
            Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| contacts.refetch())/> }.into_any(),
            Some(Ok(list)) if list.items.is_empty() => empty("No contacts yet", "Add the people you work with at this customer.").into_any(),
            Some(Ok(list)) => view! {
                <div class="table-wrap">
                    <table class="data-table" aria-label="Contacts">
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Email"</th>
                            <th scope="col">"Phone"</th><th scope="col">"Portal"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
                    </table>
                </div>
            }.into_any(),
        }}
        <ContactDialog open=dialog editing=editing/>
        <Confirm open=confirm title="Delete this contact?"
            message=Signal::derive(move || deleting.get().map(|c| format!("{} will be removed from this customer.", c.full_name)).unwrap_or_default())
            confirm="Delete contact" on_confirm=delete/>
    }
}

/// The contact form's fields as text (checkboxes as `"true"`/`"false"`).
#[derive(Clone, Copy)]
struct ContactForm {
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    email: RwSignal<String>,
    phone: RwSignal<String>,
    mobile: RwSignal<String>,
    title: RwSignal<String>,
    department: RwSignal<String>,
    role: RwSignal<String>,
    channel: RwSignal<String>,
    is_primary: RwSignal<String>,
    portal_access: RwSignal<String>,
    order_updates: RwSignal<String>,
    marketing: RwSignal<String>,
    notes: RwSignal<String>,
}

impl ContactForm {
    fn new() -> ContactForm {
        let s = || RwSignal::new(String::new());
        ContactForm {
            first_name: s(),
            last_name: s(),
            email: s(),
            phone: s(),
            mobile: s(),
            title: s(),
            department: s(),
            role: s(),
            channel: s(),
            is_primary: s(),
            portal_access: s(),
            order_updates: s(),
            marketing: s(),
            notes: s(),
        }
    }

    fn load(&self, from: Option<&ContactView>) {
        let text = |f: fn(&ContactView) -> &Option<String>| {
            from.map(|c| text_of(f(c))).unwrap_or_default()
        };
        let flag = |f: fn(&ContactView) -> bool| from.is_some_and(f).to_string();
        self.first_name.set(text(|c| &c.first_name));
        self.last_name.set(text(|c| &c.last_name));
        self.email.set(text(|c| &c.email));
        self.phone.set(text(|c| &c.phone));
        self.mobile.set(text(|c| &c.mobile));
        self.title.set(text(|c| &c.title));
        self.department.set(text(|c| &c.department));
        self.channel.set(text(|c| &c.preferred_channel));
        self.notes.set(text(|c| &c.notes));
        self.role
            .set(from.map_or_else(|| "contact".to_owned(), |c| c.role.clone()));
        self.is_primary.set(flag(|c| c.is_primary));
        self.portal_access.set(flag(|c| c.portal_access));
        self.order_updates
            .set(from.is_none_or(|c| c.receives_order_updates).to_string());
        self.marketing.set(flag(|c| c.receives_marketing));
    }

    fn input(&self) -> ContactInput {
        let text = |s: RwSignal<String>| optional(&s.get_untracked());
        let flag = |s: RwSignal<String>| Some(s.get_untracked() == "true");
        // Primary is only ever switched on: another contact becoming primary switches it off.
        let primary = (self.is_primary.get_untracked() == "true").then_some(true);
        ContactInput {
            first_name: text(self.first_name),
            last_name: text(self.last_name),
            email: text(self.email),
            phone: text(self.phone),
            mobile: text(self.mobile),
            title: text(self.title),
            department: text(self.department),
            role: text(self.role),
            is_primary: primary,
            is_influencer: None,
            portal_access: flag(self.portal_access),
            preferred_channel: text(self.channel),
            receives_order_updates: flag(self.order_updates),
            receives_marketing: flag(self.marketing),
            last_contacted_at: None,
            notes: text(self.notes),
        }
    }
}

#[component]
fn ContactDialog(open: RwSignal<bool>, editing: RwSignal<Option<ContactView>>) -> impl IntoView {
    let page = use_customer_page();
    let form = ContactForm::new();
    let initial = StoredValue::new(ContactInput::default());
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
        if input.first_name.is_none() && input.last_name.is_none() && input.email.is_none() {
            errors.set("first_name", "Enter a name or an email address.");
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
            api::update_contact,
            async move { api::create_contact(page.id, &input).await },
            |saved, edited| {
                let done = if edited { "saved" } else { "added" };
                format!("{} {done}.", saved.full_name)
            },
        );
    };
    let title = Signal::derive(move || match editing.get() {
        Some(c) => format!("Edit {}", c.full_name),
        None => "Add contact".to_owned(),
    });
    let roles = Signal::stored(choices(CONTACT_ROLES, false));
    let channels = Signal::stored(choices(PREFERRED_CHANNELS, true));
    view! {
        <Modal open=open title=title>
            <form on:submit=submit novalidate class="modal-form-wide">
                <FormBanner errors=errors/>
                <div class="form-row">
                    <Field name="contact-first_name" label="First name" kind=FieldKind::Input("text")
                        value=form.first_name error=errors.of("first_name")/>
                    <Field name="contact-last_name" label="Last name" kind=FieldKind::Input("text")
                        value=form.last_name error=errors.of("last_name")/>
                </div>
                <Field name="contact-email" label="Email" kind=FieldKind::Input("email")
                    value=form.email error=errors.of("email")/>
                <div class="form-row">
                    <Field name="contact-phone" label="Phone" kind=FieldKind::Input("tel")
                        value=form.phone error=errors.of("phone")/>
                    <Field name="contact-mobile" label="Mobile" kind=FieldKind::Input("tel")
                        value=form.mobile error=errors.of("mobile")/>
                </div>
                <div class="form-row">
                    <Field name="contact-title" label="Job title" kind=FieldKind::Input("text")
                        value=form.title error=errors.of("title")/>
                    <Field name="contact-department" label="Department" kind=FieldKind::Input("text")
                        value=form.department error=errors.of("department")/>
                </div>
                <div class="form-row">
                    <Field name="contact-role" label="Role" kind=FieldKind::Select(roles)
                        value=form.role error=errors.of("role")/>
                    <Field name="contact-channel" label="Preferred channel" kind=FieldKind::Select(channels)
                        value=form.channel error=errors.of("preferred_channel")/>
                </div>
                <div class="check-grid">
                    <Field name="contact-is_primary" label="Primary contact" kind=FieldKind::Checkbox
                        value=form.is_primary error=errors.of("is_primary")/>
                    <Field name="contact-portal_access" label="Customer portal access" kind=FieldKind::Checkbox
                        value=form.portal_access error=errors.of("portal_access")/>
                    <Field name="contact-order_updates" label="Receives order updates" kind=FieldKind::Checkbox
                        value=form.order_updates error=errors.of("receives_order_updates")/>
                    <Field name="contact-marketing" label="Receives marketing" kind=FieldKind::Checkbox
                        value=form.marketing error=errors.of("receives_marketing")/>
                </div>
                <Field name="contact-notes" label="Notes" kind=FieldKind::TextArea value=form.notes
                    error=errors.of("notes")/>
                <FormActions open=open busy=busy
                    label=move || if editing.with(Option::is_some) { "Save contact" } else { "Add contact" }/>
            </form>
        </Modal>
    }
}
