//! The customer page's header: where the customer sits (breadcrumb of its ancestors, or the
//! bin), who it is (name, code, status, tier, health and churn risk), its active flags, and the
//! actions a role allows (an owner's GDPR erasure is its own module, [`super::erase`]; a
//! customer in the bin has its actions in [`super::bin`]). Also the "Send message" dialog the
//! header opens. Everything shown comes from what the page loaded, except the link to possible
//! duplicates and the merged records, which ask for themselves ([`super::duplicates`],
//! [`super::merges`]).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use tenure_api_types::{ContactView, SendMessageInput};

use crate::api;
use crate::components::{
    Badge, Confirm, Field, FieldKind, FormActions, FormBanner, FormErrors, HealthBadge, Icon,
    Modal, RiskBadge, StatusBadge, TierBadge, spawn_change, use_toasts,
};
use crate::format::{self, Tone};
use crate::pages::customer::{Loaded, duplicates, erase, merges, optional, use_customer_page};
use crate::session::use_auth;

#[component]
pub fn Header() -> impl IntoView {
    let page = use_customer_page();
    move || {
        page.loaded
            .get()
            .and_then(Result::ok)
            .map(|loaded| view! { <HeaderView loaded=loaded/> })
    }
}

#[component]
fn HeaderView(loaded: Loaded) -> impl IntoView {
    let page = use_customer_page();
    let auth = use_auth();
    let toasts = use_toasts();
    let navigate = StoredValue::new_local(use_navigate());
    let confirm_delete = RwSignal::new(false);
    let Loaded { customer, overview } = loaded;
    let id = customer.id;
    let deleted = customer.deleted_at.is_some();
    let name = customer.name.clone();
    let delete = Callback::new(move |_| {
        spawn_change(
            toasts,
            async move {
                crate::api::Call::delete(&format!("/customers/{id}"))
                    .done()
                    .await
            },
            |()| "Customer moved to the bin.",
            move || navigate.with_value(|go| go("/customers", Default::default())),
        );
    });
    let dialogs = page.dialogs;
    let active_flags: Vec<_> = overview
        .iter()
        .flat_map(|o| &o.flags)
        .filter(|f| f.removed_at.is_none())
        .cloned()
        .collect();
    let tier = overview.as_ref().and_then(|o| o.tier.clone());
    let ancestors = overview.map(|o| o.ancestors).unwrap_or_default();
    view! {
        <div class="page-head customer-head">
            <div class="head-main">
                <nav class="breadcrumb" aria-label="Breadcrumb">
                    <ol>
                        <li><a href="/customers">"Customers"</a></li>
                        {deleted.then(|| view! { <li><a href="/customers?deleted=true">"Bin"</a></li> })}
                        {ancestors.iter().map(|a| view! {
                            <li><a href=format!("/customers/{}", a.id)>{a.name.clone()}</a></li>
                        }).collect_view()}
                        <li aria-current="page">{customer.name.clone()}</li>
                    </ol>
                </nav>
                <h1 data-testid="customer-name">{customer.name.clone()}</h1>
                <p class="subtitle">
                    <span class="customer-code" data-testid="customer-code">{customer.customer_code.clone()}</span>
                    <StatusBadge status=customer.status.clone()/>
                    {match (tier, customer.tier.clone()) {
                        (Some(t), _) => Some(view! { <TierBadge name=t.name colour=t.colour/> }.into_any()),
                        (None, Some(name)) => Some(view! { <Badge tone=Tone::Neutral text=name/> }.into_any()),
                        (None, None) => None,
                    }}
                    <span class="labelled-badge">"Health " <HealthBadge score=customer.health_score/></span>
                    <span class="labelled-badge">"Churn risk " <RiskBadge risk=customer.churn_risk/></span>
                    {match (deleted, customer.merged_into.is_some()) {
                        (true, true) => Some(view! { <span class="badge tone-neutral">"Merged"</span> }),
                        (true, false) => Some(view! { <span class="badge tone-bad">"In the bin"</span> }),
                        _ => None,
                    }}
                    {(!deleted).then(|| view! { <duplicates::DuplicatesBadge id=id/> })}
                    {customer.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}
                </p>
            </div>
            <Show when=move || auth.can_write() && !deleted>
                <div class="page-actions">
                    <button class="btn" on:click=move |_| {
                        dialogs.editing_activity.set(None);
                        dialogs.log_activity.set(true);
                    }><Icon name="plus"/>"Log activity"</button>
                    <button class="btn" on:click=move |_| dialogs.send_message.set(true)>
                        <Icon name="send"/>"Send message"
                    </button>
                    <Show when=move || auth.can_bill()>
                        <button class="btn" on:click=move |_| dialogs.issue_credit.set(true)>
                            <Icon name="dollar"/>"Issue credit"
                        </button>
                    </Show>
                    <button class="btn" on:click=move |_| dialogs.change_tier.set(true)>
                        <Icon name="award"/>"Change tier"
                    </button>
                    <GdprExportButton id=id code=customer.customer_code.clone()/>
                    <erase::EraseButton id=id code=customer.customer_code.clone() name=customer.name.clone()/>
                    <button class="btn btn-danger" on:click=move |_| confirm_delete.set(true)>
                        <Icon name="trash"/>"Delete"
                    </button>
                    <a class="btn btn-primary" href=format!("/customers/{id}/edit")><Icon name="edit"/>"Edit"</a>
                </div>
            </Show>
        </div>
        {(!active_flags.is_empty()).then(|| view! {
            <ul class="flag-list" aria-label="Account flags">
                {active_flags.into_iter().map(|f| view! {
                    <li class="flag-chip" role="note">
                        <Icon name="flag"/>
                        <strong>{format::humanize(&f.flag)}</strong>
                        <span>{f.reason}</span>
                    </li>
                }).collect_view()}
            </ul>
        })}
        {(!deleted).then(|| view! { <merges::MergedRecords id=id/> })}
        <Confirm open=confirm_delete title="Delete this customer?"
            message=format!("{name} will move to the bin, from where it can be restored.")
            confirm="Delete customer" on_confirm=delete/>
    }
}

/// `POST /customers/{id}/actions/send-message`: a message to a contact (or any address),
/// recorded on the timeline.
#[component]
pub fn SendMessageDialog() -> impl IntoView {
    let page = use_customer_page();
    let open = page.dialogs.send_message;
    let channel = RwSignal::new("email".to_owned());
    let contact = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(open, busy, errors);
    let contacts = RwSignal::new(Vec::<ContactView>::new());
    // Fresh each time it opens, with the customer's contacts to pick from.
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        for field in [contact, to, subject, body] {
            field.set(String::new());
        }
        channel.set("email".to_owned());
        errors.clear();
        leptos::task::spawn_local(async move {
            if let Ok(list) = api::contacts(page.id).await {
                if let Some(primary) = list.items.iter().find(|c| c.is_primary) {
                    contact.set(primary.id.to_string());
                }
                contacts.set(list.items);
            }
        });
    });
    let contact_choices = Signal::derive(move || {
        std::iter::once((
            String::new(),
            "No contact: write an address below".to_owned(),
        ))
        .chain(contacts.get().into_iter().map(|c| {
            let email = c.email.clone().unwrap_or_default();
            (
                c.id.to_string(),
                format!("{} {email}", c.full_name).trim().to_owned(),
            )
        }))
        .collect()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        if subject.get_untracked().trim().is_empty() && channel.get_untracked() == "email" {
            errors.set("subject", "Enter a subject.");
        }
        if body.get_untracked().trim().is_empty() {
            errors.set("body", "Write the message.");
        }
        if errors.has_any() {
            return;
        }
        let input = SendMessageInput {
            channel: optional(&channel.get_untracked()),
            contact_id: contact.get_untracked().parse().ok(),
            to: optional(&to.get_untracked()),
            subject: optional(&subject.get_untracked()),
            body: optional(&body.get_untracked()),
        };
        dialog.send(
            async move { api::send_message(page.id, &input).await },
            |_| "Message sent and added to the timeline.",
        );
    };
    let channels = Signal::stored(vec![
        ("email".to_owned(), "Email".to_owned()),
        ("sms".to_owned(), "SMS".to_owned()),
        ("portal".to_owned(), "Customer portal".to_owned()),
    ]);
    view! {
        <Modal open=open title="Send message">
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <Field name="message-channel" label="Channel" kind=FieldKind::Select(channels)
                    value=channel error=errors.of("channel")/>
                <Field name="message-contact" label="Contact" kind=FieldKind::Select(contact_choices)
                    value=contact error=errors.of("contact_id")/>
                <Field name="message-to" label="To" kind=FieldKind::Input("text") value=to
                    error=errors.of("to") hint=Some("Left empty, the contact's address is used.")/>
                <Field name="message-subject" label="Subject" kind=FieldKind::Input("text")
                    value=subject error=errors.of("subject")/>
                <Field name="message-body" label="Message" kind=FieldKind::TextArea value=body
                    error=errors.of("body") required=true/>
                <FormActions open=open busy=busy label="Send"/>
            </form>
        </Modal>
    }
}

/// Downloads everything held about the customer (GDPR access request) as a ZIP; the server
/// writes the export to the audit log.
#[component]
pub fn GdprExportButton(id: uuid::Uuid, code: String) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let file = StoredValue::new(format!("gdpr-{code}.zip"));
    let export = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::Call::get(&format!("/customers/{id}/gdpr-export"))
                .bytes()
                .await
            {
                Ok(bytes) => {
                    if crate::browser::download(&file.get_value(), "application/zip", &bytes)
                        .is_err()
                    {
                        toasts.error("The browser refused the download.");
                    }
                }
                Err(e) => toasts.error(format!("Export failed: {}", e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <button class="btn" on:click=export disabled=move || busy.get()
            title="Everything held about this customer, as JSON and CSV (GDPR access request)">
            <Icon name="download"/>{move || if busy.get() { "Exporting…" } else { "Personal data" }}
        </button>
    }
}
