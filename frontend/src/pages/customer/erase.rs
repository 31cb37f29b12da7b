//! GDPR erasure, for owners only: a danger button in the customer page's header and the dialog
//! it opens. The dialog says what is erased, what stays and that it cannot be undone, and its
//! Erase button works only once the customer's code is typed exactly. The server scrubs the
//! customer and every record that names the person, moves the anonymised customer to the bin
//! for good, and answers with how much it scrubbed; a toast reads that out and the page returns
//! to the directory. Refusals (a code that does not match, an erasure already done, an import
//! still holding the person) are shown in the dialog as the server words them.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use tenure_api_types::{ErasureCounts, ErasureView};
use uuid::Uuid;

use crate::api;
use crate::components::{
    Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal, run_busy, use_toasts,
};
use crate::format;
use crate::session::use_auth;

/// `Personal data of CUS-000123 erased: the customer record, 2 contacts and 1 address.`
pub fn erasure_summary(erasure: &ErasureView) -> String {
    let mut parts = vec!["the customer record".to_owned()];
    parts.extend(scrubbed_parts(&erasure.scrubbed));
    format!(
        "Personal data of {} erased: {}.",
        erasure.customer_code,
        join_words(&parts)
    )
}

/// The non-zero counts as words, in the order the server scrubs them.
fn scrubbed_parts(counts: &ErasureCounts) -> Vec<String> {
    [
        (counts.contacts, "contact", "contacts"),
        (counts.addresses, "address", "addresses"),
        (counts.activities, "activity", "activities"),
        (counts.ledger_entries, "ledger entry", "ledger entries"),
        (counts.flags, "flag", "flags"),
        (counts.goals, "goal", "goals"),
        (counts.audit_entries, "audit entry", "audit entries"),
        (
            counts.import_changes,
            "earlier import state",
            "earlier import states",
        ),
        (
            counts.import_rows,
            "rejected import row",
            "rejected import rows",
        ),
        (counts.import_jobs, "import preview", "import previews"),
        (counts.import_files, "uploaded file", "uploaded files"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format::count_noun(n, one, many))
    .collect()
}

/// `a`, `a and b`, `a, b and c`.
fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "Erase personal data…" and its dialog; nothing at all for anyone but an owner.
#[component]
pub fn EraseButton(id: Uuid, code: String, name: String) -> impl IntoView {
    let auth = use_auth();
    let open = RwSignal::new(false);
    let code = StoredValue::new(code);
    let name = StoredValue::new(name);
    move || {
        auth.can_erase().then(|| {
            view! {
                <button class="btn btn-danger" on:click=move |_| open.set(true)
                    title="Erase everything that identifies this customer (GDPR right to erasure)">
                    <Icon name="alert"/>"Erase personal data…"
                </button>
                <EraseDialog open=open id=id code=code.get_value() name=name.get_value()/>
            }
        })
    }
}

#[component]
fn EraseDialog(open: RwSignal<bool>, id: Uuid, code: String, name: String) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = StoredValue::new_local(use_navigate());
    let typed = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let code = StoredValue::new(code);
    let name = StoredValue::new(name);
    // Fresh each time it opens: nothing typed, no old refusal.
    Effect::new(move |_| {
        if open.get() {
            typed.set(String::new());
            errors.clear();
        }
    });
    let confirmed = move || code.with_value(|code| typed.with(|t| t == code));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let confirmation = typed.get_untracked();
        if code.with_value(|code| confirmation != *code) {
            return;
        }
        errors.clear();
        run_busy(busy, async move {
            match api::erase_customer(id, &confirmation).await {
                Ok(erasure) => {
                    open.set(false);
                    toasts.info(erasure_summary(&erasure));
                    navigate.with_value(|go| go("/customers", Default::default()));
                }
                Err(error) => errors.show(&error),
            }
        });
    };
    view! {
        <Modal open=open title="Erase personal data">
            <div class="erase-intro" data-testid="erase-intro">
                <p>
                    "You are about to erase " <strong>{name.get_value()}</strong> ", customer "
                    <code class="erase-code" data-testid="erase-code">{code.get_value()}</code>
                    ", under the GDPR right to erasure. Everywhere Tenure keeps it, this removes:"
                </p>
                <ul class="erase-list">
                    <li>"its name, email, phone, website, tax id, notes and custom fields"</li>
                    <li>"its contacts' names and details, and its addresses"</li>
                    <li>"the texts and attendees of its activities, ledger and flag reasons, goal titles and notes"</li>
                    <li>"earlier values in the audit log, and import rows and uploaded files that name it"</li>
                </ul>
                <p class="muted">
                    "Ids, the code, dates, amounts and statuses stay, so revenue history still adds up. "
                    "The customer moves to the bin as an anonymous record and can never be restored."
                </p>
                <p class="erase-warning"><Icon name="alert"/>"This cannot be undone."</p>
            </div>
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <Field name="erase-confirmation" label=code.with_value(|code| format!("Type {code} to confirm")) kind=FieldKind::Input("text")
                    value=typed error=errors.of("confirmation")
                    hint=Some("Exactly as shown, capitals and dashes included.")/>
                <FormActions open=open busy=busy label="Erase" danger=true
                    blocked=Signal::derive(move || !confirmed()) testid="erase-submit"/>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erasure(scrubbed: ErasureCounts) -> ErasureView {
        ErasureView {
            id: Uuid::nil(),
            customer_id: Uuid::nil(),
            customer_code: "CUS-000123".to_owned(),
            erased_by: None,
            erased_by_label: "owner@demo.example".to_owned(),
            erased_at: chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default(),
            scrubbed,
        }
    }

    #[test]
    fn the_summary_names_what_was_scrubbed_and_skips_zeros() {
        let counts = ErasureCounts {
            contacts: 2,
            addresses: 1,
            audit_entries: 1_200,
            ..ErasureCounts::default()
        };
        assert_eq!(
            erasure_summary(&erasure(counts)),
            "Personal data of CUS-000123 erased: the customer record, 2 contacts, 1 address \
             and 1,200 audit entries."
        );
        assert_eq!(
            erasure_summary(&erasure(ErasureCounts::default())),
            "Personal data of CUS-000123 erased: the customer record."
        );
    }

    #[test]
    fn words_join_with_commas_and_a_final_and() {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(join_words(&words(&[])), "");
        assert_eq!(join_words(&words(&["a"])), "a");
        assert_eq!(join_words(&words(&["a", "b"])), "a and b");
        assert_eq!(join_words(&words(&["a", "b", "c"])), "a, b and c");
    }
}
