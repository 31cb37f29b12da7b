//! Settings (owners): the organisation and its team. Staff and viewers never see the link, and
//! the API refuses what this page would change for them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::{UserList, UserView};

use crate::api::Call;
use crate::components::EmptyState;
use crate::format;
use crate::session::use_auth;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let auth = use_auth();
    let users = RwSignal::new(Vec::<UserView>::new());
    spawn_local(async move {
        if let Ok(list) = Call::get("/users").json::<UserList>().await {
            users.set(list.items);
        }
    });
    move || {
        if !auth.can_manage() {
            return view! {
                <EmptyState title="Settings are for owners" hint="Ask an owner of your organisation to change settings."/>
            }
            .into_any();
        }
        let me = auth.me.get();
        view! {
            <div class="page-head"><h1>"Settings"</h1></div>
            <section class="card">
                <h2>"Organisation"</h2>
                <dl class="facts">
                    <div><dt>"Name"</dt><dd>{me.as_ref().map(|m| m.organization.name.clone())}</dd></div>
                    <div><dt>"Slug"</dt><dd>{me.as_ref().map(|m| m.organization.slug.clone())}</dd></div>
                    <div><dt>"Default currency"</dt><dd>{me.as_ref().map(|m| m.organization.default_currency.clone())}</dd></div>
                </dl>
            </section>
            <section class="card">
                <h2>"Team"</h2>
                <table class="simple-table">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th></tr></thead>
                    <tbody>
                        {move || users.get().into_iter().map(|u| view! {
                            <tr><td>{u.name}</td><td>{u.email}</td><td>{format::humanize(&u.role)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
        .into_any()
    }
}
