//! One customer: the customer page ("Customer 360": a header and eight tabs, each its own
//! module) and the pages that create and edit one around [`form::CustomerForm`].
//!
//! The page loads `GET /customers/{id}/overview` once for the header and the Overview tab; each
//! other tab loads its own data when it is shown. Every change made anywhere on the page bumps
//! one counter ([`CustomerPage::refresh`]) that all of those loads follow, so the header, the
//! tab and the Overview never disagree. The tab is in the URL (`?tab=contacts`), so back,
//! reload and shared links work. This module must not call the API except through `crate::api`.
//!
//! A customer in the bin opens too: the API serves neither its overview nor its tabs' data, so
//! the page shows the customer alone, read-only, with the way out of the bin ([`bin`]).

mod activity;
mod addresses;
mod bin;
mod contacts;
mod duplicates;
mod erase;
mod form;
mod goals;
mod header;
mod hierarchy;
mod ledger;
mod merges;
mod overview;
mod settings;
mod tabs;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use tenure_api_types::{ActivityView, CustomerOverview, CustomerView};
use uuid::Uuid;

use crate::api::{self, ApiError};
// The tabs take the clock and the viewer's zone from here.
pub(crate) use crate::browser::{local_zone, now};
use crate::components::{
    DialogForm, EmptyState, ErrorState, FormErrors, Icon, Toasts, run_busy, spawn_change,
};
use crate::session::use_auth;
use form::{CustomerForm, Mode};
use tabs::Tab;

/// The customer the URL names, also from the bin, loaded (and reloadable).
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
                Ok(id) => api::customer(id).await,
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
            <EmptyState title="Customer not found" hint="The link may be wrong, or the customer was never in this organisation.">
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
            Some(Ok(c)) if c.deleted_at.is_some() => view! {
                <EmptyState title="This customer is in the bin" hint="A customer in the bin cannot be changed. Restore it from its page first.">
                    <a class="btn" href=format!("/customers/{}", c.id)>{format!("Go to {}", c.name)}</a>
                </EmptyState>
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

/// What the page loaded: the customer, and its overview. The API serves the overview of live
/// customers only, so a customer in the bin comes without one.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub customer: CustomerView,
    pub overview: Option<CustomerOverview>,
}

/// The overview; for a customer in the bin (whose overview is a `404`), the customer alone.
async fn load(id: Uuid) -> Result<Loaded, ApiError> {
    match api::overview(id).await {
        Ok(overview) => Ok(Loaded {
            customer: overview.customer.clone(),
            overview: Some(overview),
        }),
        Err(error) if error.status == 404 => match api::customer(id).await {
            Ok(customer) if customer.deleted_at.is_some() => Ok(Loaded {
                customer,
                overview: None,
            }),
            _ => Err(error),
        },
        Err(error) => Err(error),
    }
}

/// What every part of the customer page shares.
#[derive(Clone, Copy)]
pub struct CustomerPage {
    pub id: Uuid,
    pub loaded: LocalResource<Result<Loaded, ApiError>>,
    /// Bumped after every change made on the page; every tab's data follows it.
    pub changed: RwSignal<u32>,
    pub dialogs: Dialogs,
}

/// The dialogs the header opens (and some tabs too), mounted once for the page.
#[derive(Clone, Copy)]
pub struct Dialogs {
    pub log_activity: RwSignal<bool>,
    /// The activity the activity dialog edits; `None` logs a new one.
    pub editing_activity: RwSignal<Option<ActivityView>>,
    pub send_message: RwSignal<bool>,
    pub issue_credit: RwSignal<bool>,
    pub change_tier: RwSignal<bool>,
}

impl CustomerPage {
    /// Loads everything on the page again, after a change.
    pub fn refresh(&self) {
        self.changed.update(|n| *n += 1);
    }

    /// Runs a one-click change: toasts `message(result)` and reloads the page, or toasts why
    /// the change was refused.
    pub fn change<T: 'static, M: Into<String>>(
        self,
        toasts: Toasts,
        work: impl Future<Output = Result<T, ApiError>> + 'static,
        message: impl FnOnce(T) -> M + 'static,
    ) {
        spawn_change(toasts, work, message, move || self.refresh());
    }

    /// A dialog form on this page: it reloads the page once it has saved.
    pub fn dialog(
        self,
        open: RwSignal<bool>,
        busy: RwSignal<bool>,
        errors: FormErrors,
    ) -> DialogForm {
        DialogForm::new(open, busy, errors, Callback::new(move |_| self.refresh()))
    }

    /// The customer as last loaded.
    pub fn customer(&self) -> Option<CustomerView> {
        self.loaded.with(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().ok())
                .map(|l| l.customer.clone())
        })
    }

    pub fn customer_untracked(&self) -> Option<CustomerView> {
        self.loaded.with_untracked(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().ok())
                .map(|l| l.customer.clone())
        })
    }

    /// `f` of the overview as last loaded; `None` before it is, and for a customer in the bin.
    pub fn with_overview<R>(&self, f: impl FnOnce(&CustomerOverview) -> R) -> Option<R> {
        self.loaded.with(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().ok())
                .and_then(|l| l.overview.as_ref())
                .map(f)
        })
    }

    /// The same, without following later loads.
    pub fn with_overview_untracked<R>(&self, f: impl FnOnce(&CustomerOverview) -> R) -> Option<R> {
        self.loaded.with_untracked(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().ok())
                .and_then(|l| l.overview.as_ref())
                .map(f)
        })
    }

    /// Whether the customer as last loaded is in the bin.
    pub fn in_bin(&self) -> bool {
        self.loaded
            .with(|l| matches!(l, Some(Ok(l)) if l.customer.deleted_at.is_some()))
    }

    /// The customer's currency (the organisation's default until loaded).
    pub fn currency(&self) -> String {
        self.customer()
            .map(|c| c.currency)
            .unwrap_or_else(|| "USD".to_owned())
    }
}

pub fn use_customer_page() -> CustomerPage {
    expect_context::<CustomerPage>()
}

/// The customer page the URL names; a different id is a different page (everything reloads).
#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<Uuid>().ok())
    });
    move || match id.get() {
        Some(id) => view! { <Customer360 id=id/> }.into_any(),
        None => view! {
            <EmptyState title="Customer not found" hint="The link is not a customer's address.">
                <a class="btn" href="/customers">"Back to customers"</a>
            </EmptyState>
        }
        .into_any(),
    }
}

/// Whether the page has something to show.
#[derive(Clone, PartialEq)]
enum Shown {
    Loading,
    Ready,
    Failed(ApiError),
}

#[component]
fn Customer360(id: Uuid) -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    let loaded = LocalResource::new(move || {
        changed.track();
        load(id)
    });
    let page = CustomerPage {
        id,
        loaded,
        changed,
        dialogs: Dialogs {
            log_activity: RwSignal::new(false),
            editing_activity: RwSignal::new(None),
            send_message: RwSignal::new(false),
            issue_credit: RwSignal::new(false),
            change_tier: RwSignal::new(false),
        },
    };
    provide_context(page);
    let toasts = crate::components::use_toasts();
    // Once shown, the page stays: a failed reload is a toast, not a blank page.
    let shown = Memo::new(move |previous: Option<&Shown>| {
        let ready_before = previous == Some(&Shown::Ready);
        match loaded.get() {
            None if ready_before => Shown::Ready,
            None => Shown::Loading,
            Some(Ok(_)) => Shown::Ready,
            Some(Err(error)) if ready_before => {
                toasts.error(error.message());
                Shown::Ready
            }
            Some(Err(error)) => Shown::Failed(error),
        }
    });
    // A customer in the bin has no overview and no tabs to show: its profile stands in for
    // them (kept while it reloads, so restoring it does not flash).
    let profile_only = Memo::new(move |previous: Option<&bool>| {
        page.loaded.with(|l| match l {
            Some(Ok(l)) => l.overview.is_none(),
            _ => previous.copied().unwrap_or(false),
        })
    });
    let query = use_query_map();
    let tab = Memo::new(move |_| Tab::from_key(query.with(|q| q.get("tab")).as_deref()));
    let retry = Callback::new(move |_| page.refresh());
    move || match shown.get() {
        Shown::Loading => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
        Shown::Failed(error) => missing(&error, retry),
        Shown::Ready if profile_only.get() => view! {
            <header::Header/>
            <bin::BinBanner/>
            <bin::BinnedProfile/>
        }
        .into_any(),
        Shown::Ready => view! {
            <header::Header/>
            <bin::BinBanner/>
            <tabs::TabList current=tab/>
            <div class="tab-panel" role="tabpanel" id="customer-tab-panel"
                aria-labelledby=move || format!("tab-{}", tab.get().key())>
                {move || match tab.get() {
                    Tab::Overview => view! { <overview::OverviewTab/> }.into_any(),
                    Tab::Contacts => view! { <contacts::ContactsTab/> }.into_any(),
                    Tab::Addresses => view! { <addresses::AddressesTab/> }.into_any(),
                    Tab::Activity => view! { <activity::ActivityTab/> }.into_any(),
                    Tab::Hierarchy => view! { <hierarchy::HierarchyTab/> }.into_any(),
                    Tab::Goals => view! { <goals::GoalsTab/> }.into_any(),
                    Tab::Settings => view! { <settings::SettingsTab/> }.into_any(),
                    Tab::Ledger => view! { <ledger::LedgerTab/> }.into_any(),
                }}
            </div>
            <activity::ActivityDialog/>
            <header::SendMessageDialog/>
            <ledger::LedgerEntryDialog/>
            <settings::TierDialog/>
        }
        .into_any(),
    }
}

/// The signed-in user may write on this customer (staff, owners; nobody while it is in the
/// bin): a reactive check for views.
fn can_write() -> Signal<bool> {
    let auth = use_auth();
    let page = use_customer_page();
    Signal::derive(move || auth.can_write() && !page.in_bin())
}

/// Text of a form field as an optional wire value: trimmed, empty is `None`.
fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// An optional wire value as a form field's text.
fn text_of(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// `(value, label)` menu entries for wire values, optionally led by an empty "—" entry.
fn choices(values: &[&str], optional: bool) -> Vec<(String, String)> {
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

/// An edit that makes a contact or an address the primary of its kind.
fn primary_patch() -> serde_json::Map<String, serde_json::Value> {
    let mut patch = serde_json::Map::new();
    patch.insert("is_primary".to_owned(), true.into());
    patch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_text_is_trimmed_and_empty_is_none() {
        assert_eq!(optional("  Ada "), Some("Ada".to_owned()));
        assert_eq!(optional("   "), None);
        assert_eq!(text_of(&None), "");
    }

    #[test]
    fn choices_can_lead_with_not_set() {
        assert_eq!(
            choices(&["at_risk"], true),
            vec![
                (String::new(), "—".to_owned()),
                ("at_risk".to_owned(), "At risk".to_owned())
            ]
        );
    }
}
