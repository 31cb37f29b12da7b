//! One customer: the profile page (the full 360 view is its own piece of work), and the pages
//! that create and edit one around [`form::CustomerForm`].

mod form;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use tenure_api_types::CustomerView;
use uuid::Uuid;

use crate::api::{ApiError, Call};
use crate::components::{
    EmptyState, ErrorState, HealthBadge, Icon, Modal, RiskBadge, StatusBadge, use_toasts,
};
use crate::format;
use crate::session::use_auth;
use form::{CustomerForm, Mode};

/// The customer the URL names, loaded (and reloadable).
fn use_customer() -> (
    RwSignal<Option<Result<CustomerView, ApiError>>>,
    Callback<()>,
) {
    let params = use_params_map();
    let customer = RwSignal::new(None);
    let load = Callback::new(move |_| {
        let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
        customer.set(None);
        spawn_local(async move {
            let result = match id.parse::<Uuid>() {
                Ok(id) => {
                    Call::get(&format!("/customers/{id}"))
                        .json::<CustomerView>()
                        .await
                }
                Err(_) => Err(ApiError {
                    status: 404,
                    code: "not_found".to_owned(),
                    title: "No such customer".to_owned(),
                    detail: None,
                    errors: Vec::new(),
                }),
            };
            customer.set(Some(result));
        });
    });
    Effect::new(move |_| {
        params.track();
        load.run(());
    });
    (customer, load)
}

fn missing(error: &ApiError, reload: Callback<()>) -> AnyView {
    if error.status == 404 {
        view! {
            <EmptyState title="Customer not found" hint="It may have been deleted, or the link is wrong.">
                <a class="btn" href="/customers">"Back to customers"</a>
            </EmptyState>
        }
        .into_any()
    } else {
        view! { <ErrorState message=error.message() on_retry=reload/> }.into_any()
    }
}

#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <div class="page-head">
            <div>
                <a class="back-link" href="/customers"><Icon name="chevron-left"/>"Customers"</a>
                <h1>"New customer"</h1>
            </div>
        </div>
        {move || if auth.can_write() {
            view! { <CustomerForm mode=Mode::Create/> }.into_any()
        } else {
            view! { <EmptyState title="You can't add customers" hint="Your role can view customers but not change them. Ask an owner for staff access."/> }.into_any()
        }}
    }
}

#[component]
pub fn EditCustomerPage() -> impl IntoView {
    let auth = use_auth();
    let (customer, reload) = use_customer();
    view! {
        {move || match customer.get() {
            None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
            Some(Err(error)) => missing(&error, reload),
            Some(Ok(_)) if !auth.can_write() => view! {
                <EmptyState title="You can't edit customers" hint="Your role can view customers but not change them."/>
            }.into_any(),
            Some(Ok(c)) => view! {
                <div class="page-head">
                    <div>
                        <a class="back-link" href=format!("/customers/{}", c.id)><Icon name="chevron-left"/>{c.name.clone()}</a>
                        <h1>{format!("Edit {}", c.name)}</h1>
                    </div>
                </div>
                <CustomerForm mode=Mode::Edit(Box::new(c)) on_reload=reload/>
            }.into_any(),
        }}
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let (customer, reload) = use_customer();
    view! {
        {move || match customer.get() {
            None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
            Some(Err(error)) => missing(&error, reload),
            Some(Ok(c)) => view! { <Profile customer=c reload=reload/> }.into_any(),
        }}
    }
}

#[component]
fn Profile(customer: CustomerView, reload: Callback<()>) -> impl IntoView {
    let auth = use_auth();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let confirm = RwSignal::new(false);
    let id = customer.id;
    let deleted = customer.deleted_at.is_some();
    let delete = move |_| {
        confirm.set(false);
        let navigate = navigate.clone();
        spawn_local(async move {
            match Call::delete(&format!("/customers/{id}")).done().await {
                Ok(()) => {
                    toasts.info("Customer moved to the bin.");
                    navigate("/customers", Default::default());
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };
    let restore = move |_| {
        spawn_local(async move {
            match Call::post(&format!("/customers/{id}/restore"), &serde_json::json!({}))
                .done()
                .await
            {
                Ok(()) => {
                    toasts.info("Customer restored.");
                    reload.run(());
                }
                Err(e) => toasts.error(e.message()),
            }
        });
    };
    let money = |amount: &str| format::money(amount, &customer.currency, false);
    let facts: Vec<(&str, String)> = vec![
        ("Code", customer.customer_code.clone()),
        ("Type", format::humanize(&customer.customer_type)),
        (
            "Plan",
            customer.plan.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        (
            "Tier",
            customer.tier.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        ("MRR", money(&customer.mrr)),
        ("Lifetime value", money(&customer.ltv)),
        ("Payment", format::humanize(&customer.payment_status)),
        ("Tenure", format::tenure(customer.tenure_days)),
        (
            "Email",
            customer.email.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        (
            "Phone",
            customer.phone.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        (
            "Website",
            customer.website.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        (
            "Country",
            customer.country.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        (
            "Industry",
            customer.industry.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        (
            "Customer since",
            customer
                .customer_since
                .map_or_else(|| "—".to_owned(), format::date),
        ),
    ];
    let name = customer.name.clone();
    view! {
        <div class="page-head">
            <div>
                <a class="back-link" href="/customers"><Icon name="chevron-left"/>"Customers"</a>
                <h1 data-testid="customer-name">{customer.name.clone()}</h1>
                <p class="subtitle">
                    <StatusBadge status=customer.status.clone()/>
                    {deleted.then(|| view! { <span class="badge tone-bad">"In the bin"</span> })}
                    {customer.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}
                </p>
            </div>
            <Show when=move || auth.can_write()>
                <div class="page-actions">
                    {if deleted {
                        view! { <button class="btn" on:click=restore>"Restore"</button> }.into_any()
                    } else {
                        view! {
                            <button class="btn btn-danger" on:click=move |_| confirm.set(true)><Icon name="trash"/>"Delete"</button>
                            <a class="btn btn-primary" href=format!("/customers/{id}/edit")><Icon name="edit"/>"Edit"</a>
                        }.into_any()
                    }}
                </div>
            </Show>
        </div>
        <div class="profile-grid">
            <section class="card">
                <h2>"Health"</h2>
                <dl class="facts">
                    <div><dt>"Health score"</dt><dd><HealthBadge score=customer.health_score/></dd></div>
                    <div><dt>"Churn risk"</dt><dd><RiskBadge risk=customer.churn_risk/></dd></div>
                </dl>
            </section>
            <section class="card">
                <h2>"Profile"</h2>
                <dl class="facts">
                    {facts.into_iter().map(|(label, value)| view! { <div><dt>{label}</dt><dd>{value}</dd></div> }).collect_view()}
                </dl>
            </section>
            {customer.notes.clone().map(|notes| view! {
                <section class="card"><h2>"Notes"</h2><p class="prewrap">{notes}</p></section>
            })}
        </div>
        <Modal open=confirm title=Signal::derive(move || "Delete this customer?".to_owned())>
            <p>{format!("{name} will move to the bin, from where it can be restored.")}</p>
            <div class="modal-actions">
                <button class="btn" on:click=move |_| confirm.set(false)>"Cancel"</button>
                <button class="btn btn-danger" on:click=delete.clone()>"Delete customer"</button>
            </div>
        </Modal>
    }
}
