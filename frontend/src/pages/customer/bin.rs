//! A customer in the bin, on its own page: a banner that says so and offers the way out
//! (Restore for staff and owners, an owner's GDPR erasure, the personal-data export), and the
//! profile shown in place of the tabs, read-only, since the API serves none of their data for
//! a deleted customer. An erased customer can never be restored: the server's refusal is shown
//! in the banner as it words it. A customer merged into another says into which, linking to
//! it, and is brought back by undoing the merge (from the merge history), not by Restore.

use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::browser::{local_zone, now};
use crate::components::{Banner, Icon, Spinner, run_busy, use_toasts};
use crate::format;
use crate::pages::customer::header::GdprExportButton;
use crate::pages::customer::overview::profile_facts;
use crate::pages::customer::{erase, use_customer_page};
use crate::session::use_auth;

/// "In the bin", with Restore and the owner's erasure; nothing for a live customer.
#[component]
pub fn BinBanner() -> impl IntoView {
    let page = use_customer_page();
    move || {
        page.customer()
            .filter(|c| c.deleted_at.is_some())
            .map(|c| match c.merged_into {
                Some(survivor) => view! { <MergedBanner customer=c survivor=survivor/> }.into_any(),
                None => view! { <BinBannerView customer=c/> }.into_any(),
            })
    }
}

/// "Merged into CUS-000123 Acme", linking to the survivor; the personal-data export and an
/// owner's erasure stay offered.
#[component]
fn MergedBanner(customer: tenure_api_types::CustomerView, survivor: Uuid) -> impl IntoView {
    let auth = use_auth();
    let found = LocalResource::new(move || async move { api::customer(survivor).await.ok() });
    let who = move || {
        found.get().flatten().map_or_else(
            || "the surviving customer".to_owned(),
            |c| format!("{} {}", c.customer_code, c.name),
        )
    };
    let when = customer.deleted_at.map(|at| {
        (
            format::relative(at, now()),
            format::datetime(at, local_zone()),
        )
    });
    let id = customer.id;
    let code = StoredValue::new(customer.customer_code.clone());
    let name = StoredValue::new(customer.name.clone());
    view! {
        <Banner tone="info">
            <Icon name="merge"/>
            <div class="bin-banner-text" data-testid="merged-banner">
                <p class="banner-title">
                    "Merged into "
                    <a href=format!("/customers/{survivor}") data-testid="merged-into">{who}</a>
                </p>
                <p>
                    {match when {
                        Some((ago, exact)) => view! { "Merged " <time title=exact>{ago}</time> ". " }.into_any(),
                        None => ().into_any(),
                    }}
                    "Its contacts, activity and other records moved there, and it is left out of the directory. "
                    "To bring it back, undo the merge in the "
                    <a href="/duplicates/merges">"merge history"</a>"."
                </p>
            </div>
            <Show when=move || auth.can_write()>
                <div class="banner-actions">
                    <GdprExportButton id=id code=code.get_value()/>
                    <erase::EraseButton id=id code=code.get_value() name=name.get_value()/>
                </div>
            </Show>
        </Banner>
    }
}

#[component]
fn BinBannerView(customer: tenure_api_types::CustomerView) -> impl IntoView {
    let page = use_customer_page();
    let auth = use_auth();
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    // Why the server would not restore it (an erased customer), once it has said so.
    let refused = RwSignal::new(None::<String>);
    let id = customer.id;
    let code = StoredValue::new(customer.customer_code.clone());
    let name = StoredValue::new(customer.name.clone());
    let when = customer.deleted_at.map(|at| {
        (
            format::relative(at, now()),
            format::datetime(at, local_zone()),
        )
    });
    let restore = move |_| {
        refused.set(None);
        run_busy(busy, async move {
            match api::restore_customer(id).await {
                Ok(_) => {
                    toasts.info("Customer restored.");
                    page.refresh();
                }
                Err(error) if error.status == 409 => refused.set(Some(error.message())),
                Err(error) => toasts.error(error.message()),
            }
        });
    };
    view! {
        <Banner tone="warn">
            <Icon name="trash"/>
            <div class="bin-banner-text" data-testid="bin-banner">
                <p class="banner-title">"In the bin"</p>
                <p>
                    {match when {
                        Some((ago, exact)) => view! {
                            "Deleted " <time title=exact>{ago}</time> ". "
                        }.into_any(),
                        None => ().into_any(),
                    }}
                    "It is left out of the directory and cannot be changed."
                    <Show when=move || refused.with(Option::is_none)>
                        " Restoring it brings it back with its contacts, activity and ledger."
                    </Show>
                </p>
                {move || refused.get().map(|why| view! {
                    <p class="bin-refusal" role="alert" data-testid="bin-refusal"><strong>{why}</strong></p>
                })}
            </div>
            <Show when=move || auth.can_write()>
                <div class="banner-actions">
                    <Show when=move || refused.with(Option::is_none)>
                        <button class="btn btn-primary" on:click=restore disabled=move || busy.get()>
                            {move || busy.get().then(|| view! { <Spinner/> })}"Restore"
                        </button>
                    </Show>
                    <GdprExportButton id=id code=code.get_value()/>
                    // Erasing again would be refused for the same reason.
                    <Show when=move || refused.with(Option::is_none)>
                        <erase::EraseButton id=id code=code.get_value() name=name.get_value()/>
                    </Show>
                </div>
            </Show>
        </Banner>
    }
}

/// The customer record, read-only, where the tabs would be.
#[component]
pub fn BinnedProfile() -> impl IntoView {
    let page = use_customer_page();
    move || {
        page.customer().map(|c| {
            let facts = profile_facts(&c);
            view! {
                <section class="card binned-profile" aria-labelledby="profile-heading">
                    <h2 id="profile-heading">"Profile"</h2>
                    <dl class="facts">
                        {facts.into_iter().map(|(label, value)| view! { <div><dt>{label}</dt><dd>{value}</dd></div> }).collect_view()}
                    </dl>
                    {c.notes.clone().map(|notes| view! { <h3>"Notes"</h3><p class="prewrap">{notes}</p> })}
                    <p class="hint">"Its contacts, addresses, activity, goals and ledger are not shown while it is in the bin."</p>
                </section>
            }
        })
    }
}
