//! The tier catalogue: every tier with its colour, level, discount, qualifying spend and how
//! many customers carry it; owners add and edit tiers in a dialog and delete unused ones (the
//! server refuses a tier in use, and its message is shown as it is).

use leptos::prelude::*;
use tenure_api_types::{TierInput, TierView};

use super::{optional, split_list, squash_list_errors};
use crate::api::{self, ApiError};
use crate::components::{
    Banner, Confirm, DialogForm, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors,
    Icon, Modal, use_toasts,
};
use crate::format;

/// The grey the server gives a tier without a colour.
const DEFAULT_COLOUR: &str = "#6b7280";

#[component]
pub fn TiersSection(#[prop(into)] writer: Signal<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(0_u32);
    let tiers = LocalResource::new(move || {
        version.track();
        api::tiers()
    });
    let refresh = Callback::new(move |_| version.update(|v| *v += 1));
    let dialog = RwSignal::new(false);
    let editing = RwSignal::new(None::<TierView>);
    let deleting = RwSignal::new(None::<TierView>);
    let confirm = RwSignal::new(false);
    // Why the last delete was refused (a tier in use), in the server's words.
    let refusal = RwSignal::new(None::<String>);
    let delete = Callback::new(move |_| {
        let Some(tier) = deleting.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::delete_tier(&tier).await {
                Ok(()) => {
                    refusal.set(None);
                    toasts.info(format!("Tier {} deleted.", tier.name));
                    refresh.run(());
                }
                Err(e) if e.status == 409 => refusal.set(Some(e.message())),
                Err(e) => toasts.error(e.message()),
            }
        });
    });
    let row = move |t: TierView| {
        let name = t.name.clone();
        let swatch = format::tier_colour(&t.colour).map(|c| format!("--swatch: {c}"));
        let spend = t
            .min_annual_spend
            .as_deref()
            .map_or_else(|| "—".to_owned(), |m| format::money(m, &t.currency, true));
        let (for_edit, for_delete) = (t.clone(), t.clone());
        view! {
            <tr data-id=t.id.to_string()>
                <td class="col-name" data-label="Name">
                    <span class="tier-name">
                        <span class="swatch" style=swatch title=t.colour.clone() aria-hidden="true"></span>
                        <span class="row-title">{t.name.clone()}</span>
                    </span>
                    {(!t.benefits.is_empty()).then(|| view! { <span class="cell-sub">{t.benefits.join(" · ")}</span> })}
                </td>
                <td class="num" data-label="Level">{t.level}</td>
                <td class="num" data-label="Discount">{format::percent(&t.discount_percent)}</td>
                <td class="num" data-label="Min annual spend">{spend}</td>
                <td class="num" data-label="Customers">{format::thousands(t.customers)}</td>
                <td class="col-actions">
                    <Show when=move || writer.get()>
                        <div class="row-actions">
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
                                    refusal.set(None);
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
    let confirm_message = Signal::derive(move || {
        deleting
            .get()
            .map(|t| match t.customers {
                0 => format!(
                    "{} will be removed from the catalogue. No customer carries it.",
                    t.name
                ),
                n => format!(
                    "{} {} {}. A tier in use cannot be deleted: move them to another tier first.",
                    format::count_noun(n, "customer", "customers"),
                    if n == 1 { "carries" } else { "carry" },
                    t.name
                ),
            })
            .unwrap_or_default()
    });
    view! {
        <section class="card" aria-labelledby="tiers-heading" data-testid="tiers">
            <div class="card-head">
                <h2 id="tiers-heading">"Tiers"</h2>
                <Show when=move || writer.get()>
                    <button class="btn btn-primary" on:click=move |_| {
                        editing.set(None);
                        dialog.set(true);
                    }><Icon name="plus"/>"Add tier"</button>
                </Show>
            </div>
            {move || refusal.get().map(|text| view! {
                <div data-testid="tier-refusal"><Banner tone="error">{text}</Banner></div>
            })}
            {move || match tiers.get() {
                None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
                Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| tiers.refetch())/> }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => view! {
                    <p class="muted">"No tiers yet. Tiers are service levels with a discount that customers carry."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="data-table" aria-label="Tiers">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col" class="num">"Level"</th>
                                <th scope="col" class="num">"Discount"</th><th scope="col" class="num">"Min annual spend"</th>
                                <th scope="col" class="num">"Customers"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
        <TierDialog open=dialog editing=editing on_saved=refresh/>
        <Confirm open=confirm title=Signal::derive(move || deleting.get().map(|t| format!("Delete tier {}?", t.name)).unwrap_or_default())
            message=confirm_message confirm="Delete tier" on_confirm=delete/>
    }
}

/// The tier form's fields as text.
#[derive(Clone, Copy)]
struct TierForm {
    name: RwSignal<String>,
    level: RwSignal<String>,
    discount: RwSignal<String>,
    min_spend: RwSignal<String>,
    currency: RwSignal<String>,
    colour: RwSignal<String>,
    benefits: RwSignal<String>,
    requirements: RwSignal<String>,
}

impl TierForm {
    fn new() -> TierForm {
        let s = || RwSignal::new(String::new());
        TierForm {
            name: s(),
            level: s(),
            discount: s(),
            min_spend: s(),
            currency: s(),
            colour: s(),
            benefits: s(),
            requirements: s(),
        }
    }

    fn load(&self, from: Option<&TierView>) {
        self.name
            .set(from.map(|t| t.name.clone()).unwrap_or_default());
        self.level
            .set(from.map(|t| t.level.to_string()).unwrap_or_default());
        self.discount
            .set(from.map_or_else(|| "0".to_owned(), |t| t.discount_percent.clone()));
        self.min_spend.set(
            from.and_then(|t| t.min_annual_spend.clone())
                .unwrap_or_default(),
        );
        self.currency
            .set(from.map(|t| t.currency.clone()).unwrap_or_default());
        self.colour
            .set(from.map_or_else(|| DEFAULT_COLOUR.to_owned(), |t| t.colour.clone()));
        self.benefits
            .set(from.map(|t| t.benefits.join("\n")).unwrap_or_default());
        self.requirements.set(
            from.and_then(|t| t.requirements.clone())
                .unwrap_or_default(),
        );
    }

    /// The wire input, or the message for a level that is not a whole number.
    fn input(&self) -> Result<TierInput, &'static str> {
        let text = |s: RwSignal<String>| optional(&s.get_untracked());
        let level = match text(self.level) {
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| "Enter a whole number.")?),
            None => None,
        };
        Ok(TierInput {
            name: text(self.name),
            level,
            discount_percent: text(self.discount),
            benefits: Some(split_list(&self.benefits.get_untracked())),
            min_annual_spend: text(self.min_spend),
            currency: text(self.currency).map(|c| c.to_uppercase()),
            requirements: text(self.requirements),
            colour: text(self.colour).map(|c| c.to_lowercase()),
        })
    }
}

#[component]
fn TierDialog(
    open: RwSignal<bool>,
    editing: RwSignal<Option<TierView>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let form = TierForm::new();
    let initial = StoredValue::new(TierInput::default());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = DialogForm::new(open, busy, errors, on_saved).on_error(Callback::new(
        move |error: ApiError| squash_list_errors(&errors, &error, "benefits"),
    ));
    Effect::new(move |_| {
        if open.get() {
            form.load(editing.get_untracked().as_ref());
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
                errors.set("level", message);
                return;
            }
        };
        if input.name.is_none() {
            errors.set("name", "Enter a name.");
        }
        if input.level.is_none() {
            errors.set("level", "Enter a level: higher is better.");
        }
        if errors.has_any() {
            return;
        }
        let existing = editing.get_untracked();
        let patch = api::changes(&initial.get_value(), &input);
        dialog.save(
            existing,
            patch,
            api::update_tier,
            async move { api::create_tier(&input).await },
            |saved, edited| {
                let done = if edited { "saved" } else { "added" };
                format!("Tier {} {done}.", saved.name)
            },
        );
    };
    let title = Signal::derive(move || match editing.get() {
        Some(t) => format!("Edit tier {}", t.name),
        None => "Add tier".to_owned(),
    });
    view! {
        <Modal open=open title=title>
            <form on:submit=submit novalidate class="modal-form-wide">
                <FormBanner errors=errors/>
                <div class="form-row">
                    <Field name="tier-name" label="Name" kind=FieldKind::Input("text")
                        value=form.name error=errors.of("name") required=true/>
                    <Field name="tier-level" label="Level" kind=FieldKind::Input("number")
                        value=form.level error=errors.of("level") required=true
                        hint=Some("0 to 1000, higher is better; unique.")/>
                </div>
                <div class="form-row">
                    <Field name="tier-discount" label="Discount (%)" kind=FieldKind::Input("text")
                        value=form.discount error=errors.of("discount_percent")
                        hint=Some("0 to 100, e.g. 12.5.")/>
                    <Field name="tier-colour" label="Colour" kind=FieldKind::Input("color")
                        value=form.colour error=errors.of("colour")/>
                </div>
                <div class="form-row">
                    <Field name="tier-min_spend" label="Min annual spend" kind=FieldKind::Input("text")
                        value=form.min_spend error=errors.of("min_annual_spend")/>
                    <Field name="tier-currency" label="Currency" kind=FieldKind::Input("text")
                        value=form.currency error=errors.of("currency")
                        hint=Some("Blank: the organisation's currency.")/>
                </div>
                <Field name="tier-benefits" label="Benefits" kind=FieldKind::TextArea
                    value=form.benefits error=errors.of("benefits")
                    hint=Some("One per line, or separated by commas.")/>
                <Field name="tier-requirements" label="Other requirements" kind=FieldKind::TextArea
                    value=form.requirements error=errors.of("requirements")/>
                {move || editing.get().filter(|t| t.customers > 0).map(|t| view! {
                    <p class="hint">{format!(
                        "A new name is carried to the {} on this tier.",
                        format::count_noun(t.customers, "customer", "customers")
                    )}</p>
                })}
                <FormActions open=open busy=busy
                    label=move || if editing.with(Option::is_some) { "Save tier" } else { "Add tier" }/>
            </form>
        </Modal>
    }
}
