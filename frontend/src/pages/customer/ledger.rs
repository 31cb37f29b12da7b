//! The Ledger tab: the customer's credits, debits and refunds (append-only: a mistake is put
//! right with an opposite entry), the balance per currency, and for owners the dialog that
//! issues a credit or records a refund (also opened from the header's "Issue credit"). Staff
//! can resend an invoice from here; it lands on the timeline.

use leptos::prelude::*;
use tenure_api_types::vocabulary::LEDGER_KINDS;
use tenure_api_types::{LedgerEntryInput, ResendInvoiceInput};

use crate::api;
use crate::components::{
    Badge, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal,
};
use crate::format;
use crate::pages::customer::overview::{empty, status_tone};
use crate::pages::customer::{can_write, choices, local_zone, optional, use_customer_page};
use crate::session::use_auth;

/// A money amount as typed (`1,250.00`) as the API's decimal text, if it is a positive amount.
pub fn positive_amount(text: &str) -> Option<String> {
    let plain = text.trim().replace([',', ' '], "");
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let valid = !whole.is_empty() && digits(whole) && digits(fraction) && fraction.len() <= 4;
    (valid && plain.chars().any(|c| c.is_ascii_digit() && c != '0')).then_some(plain)
}

#[component]
pub fn LedgerTab() -> impl IntoView {
    let page = use_customer_page();
    let auth = use_auth();
    let writer = can_write();
    let zone = local_zone();
    let ledger = LocalResource::new(move || {
        page.changed.track();
        api::ledger(page.id)
    });
    let resend = RwSignal::new(false);
    view! {
        <div class="tab-head">
            <h2>"Ledger"</h2>
            <div class="page-actions">
                <Show when=move || writer.get()>
                    <button class="btn" on:click=move |_| resend.set(true)><Icon name="mail"/>"Resend invoice"</button>
                </Show>
                <Show when=move || auth.can_bill()>
                    <button class="btn btn-primary" on:click=move |_| page.dialogs.issue_credit.set(true)>
                        <Icon name="plus"/>"Issue credit or refund"
                    </button>
                </Show>
            </div>
        </div>
        {move || match ledger.get() {
            None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
            Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| ledger.refetch())/> }.into_any(),
            Some(Ok(l)) => view! {
                <div class="metric-grid compact">
                    {if l.balances.is_empty() {
                        view! {
                            <section class="metric-card" aria-label="Credit balance">
                                <h3 class="metric-label">"Credit balance"</h3>
                                <p class="metric-value">{format::money("0", &page.currency(), false)}</p>
                            </section>
                        }.into_any()
                    } else {
                        l.balances.into_iter().map(|b| view! {
                            <section class="metric-card" aria-label=format!("Credit balance {}", b.currency)>
                                <h3 class="metric-label">{format!("Credit balance ({})", b.currency)}</h3>
                                <p class="metric-value" data-testid="credit-balance">{format::money(&b.credit_balance, &b.currency, false)}</p>
                                <p class="metric-sub">{format!("Refunded {}", format::money(&b.refunded, &b.currency, false))}</p>
                            </section>
                        }).collect_view().into_any()
                    }}
                </div>
                {if l.items.is_empty() {
                    empty("No entries yet", "Credits, debits and refunds will be listed here.").into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" aria-label="Ledger entries">
                                <thead><tr>
                                    <th scope="col">"Date"</th><th scope="col">"Kind"</th>
                                    <th scope="col" class="num">"Amount"</th><th scope="col">"Reason"</th>
                                    <th scope="col">"Order"</th><th scope="col">"By"</th>
                                </tr></thead>
                                <tbody>
                                    {l.items.into_iter().map(|e| view! {
                                        <tr data-id=e.id.to_string()>
                                            <td data-label="Date">{format::datetime(e.created_at, zone)}</td>
                                            <td data-label="Kind"><Badge tone=status_tone(&e.kind) text=format::label(&e.kind)/></td>
                                            <td class="num" data-label="Amount">{format::money(&e.amount, &e.currency, false)}</td>
                                            <td data-label="Reason">{e.reason.clone()}</td>
                                            <td data-label="Order">{e.order_reference.clone().unwrap_or_default()}</td>
                                            <td data-label="By">{e.actor_label.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            }.into_any(),
        }}
        <ResendInvoiceDialog open=resend/>
    }
}

/// A credit, debit or refund (owners; the API checks `billing:write` too).
#[component]
pub fn LedgerEntryDialog() -> impl IntoView {
    let page = use_customer_page();
    let open = page.dialogs.issue_credit;
    let kind = RwSignal::new("credit".to_owned());
    let amount = RwSignal::new(String::new());
    let currency = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let order = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(open, busy, errors);
    Effect::new(move |_| {
        if open.get() {
            kind.set("credit".to_owned());
            for field in [amount, reason, order] {
                field.set(String::new());
            }
            currency.set(
                page.customer_untracked()
                    .map(|c| c.currency)
                    .unwrap_or_default(),
            );
            errors.clear();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let value = positive_amount(&amount.get_untracked());
        if value.is_none() {
            errors.set("amount", "Enter a positive amount like 150.00.");
        }
        if optional(&reason.get_untracked()).is_none() {
            errors.set("reason", "Say why; the team and the audit log see it.");
        }
        if kind.get_untracked() == "refund" && optional(&order.get_untracked()).is_none() {
            errors.set("order_reference", "A refund names the order it is for.");
        }
        if errors.has_any() {
            return;
        }
        let input = LedgerEntryInput {
            kind: optional(&kind.get_untracked()),
            amount: value,
            currency: optional(&currency.get_untracked()).map(|c| c.to_uppercase()),
            reason: optional(&reason.get_untracked()),
            order_reference: optional(&order.get_untracked()),
        };
        dialog.send(
            async move { api::add_ledger_entry(page.id, &input).await },
            |entry| {
                format!(
                    "{} of {} recorded.",
                    format::label(&entry.kind),
                    format::money(&entry.amount, &entry.currency, false)
                )
            },
        );
    };
    let kinds = Signal::stored(choices(LEDGER_KINDS, false));
    view! {
        <Modal open=open title="Issue credit or refund">
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <div class="form-row">
                    <Field name="ledger-kind" label="Kind" kind=FieldKind::Select(kinds) value=kind
                        error=errors.of("kind")/>
                    <Field name="ledger-amount" label="Amount" kind=FieldKind::Input("text") value=amount
                        error=errors.of("amount") required=true/>
                </div>
                <Field name="ledger-currency" label="Currency" kind=FieldKind::Input("text") value=currency
                    error=errors.of("currency")/>
                <Field name="ledger-reason" label="Reason" kind=FieldKind::TextArea value=reason
                    error=errors.of("reason") required=true/>
                <Field name="ledger-order" label="Order reference" kind=FieldKind::Input("text") value=order
                    error=errors.of("order_reference") hint=Some("Required for a refund, e.g. ORD-1042.")/>
                <FormActions open=open busy=busy label="Record entry"/>
            </form>
        </Modal>
    }
}

#[component]
fn ResendInvoiceDialog(open: RwSignal<bool>) -> impl IntoView {
    let page = use_customer_page();
    let reference = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(open, busy, errors);
    Effect::new(move |_| {
        if open.get() {
            for field in [reference, to, note] {
                field.set(String::new());
            }
            errors.clear();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        if optional(&reference.get_untracked()).is_none() {
            errors.set(
                "invoice_reference",
                "Enter the invoice number, e.g. INV-1042.",
            );
            return;
        }
        let input = ResendInvoiceInput {
            invoice_reference: optional(&reference.get_untracked()),
            to: optional(&to.get_untracked()),
            note: optional(&note.get_untracked()),
        };
        dialog.send(
            async move { api::resend_invoice(page.id, &input).await },
            |_| "Invoice sent again; it is on the timeline.",
        );
    };
    view! {
        <Modal open=open title="Resend invoice">
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <Field name="invoice-reference" label="Invoice number" kind=FieldKind::Input("text")
                    value=reference error=errors.of("invoice_reference") required=true/>
                <Field name="invoice-to" label="Send to" kind=FieldKind::Input("email") value=to
                    error=errors.of("to") hint=Some("Left empty: the billing contact, else the primary contact.")/>
                <Field name="invoice-note" label="Note" kind=FieldKind::TextArea value=note
                    error=errors.of("note")/>
                <FormActions open=open busy=busy label="Resend invoice"/>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_be_positive_decimals() {
        assert_eq!(positive_amount(" 1,250.50 "), Some("1250.50".to_owned()));
        assert_eq!(positive_amount("150"), Some("150".to_owned()));
        assert_eq!(positive_amount("0.00"), None);
        assert_eq!(positive_amount("-5"), None);
        assert_eq!(positive_amount("1.2.3"), None);
        assert_eq!(positive_amount("abc"), None);
        assert_eq!(positive_amount(""), None);
    }
}
