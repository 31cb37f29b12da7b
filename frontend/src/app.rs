//! The app: contexts (who is signed in, toasts), the routes, and the shell every signed-in page
//! sits in (navigation, organisation, user menu with role and sign-out).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;
use tenure_api_types::{MeResponse, RefreshRequest};
use wasm_bindgen::JsCast;

use crate::api::Call;
use crate::components::{Icon, Toasts, ToastsView};
use crate::pages::customer::{CustomerPage, EditCustomerPage, NewCustomerPage};
use crate::pages::directory::DirectoryPage;
use crate::pages::duplicates::DuplicatesPage;
use crate::pages::imports::ImportsPage;
use crate::pages::merge::MergeWizardPage;
use crate::pages::settings::SettingsPage;
use crate::pages::signin::SignInPage;
use crate::session::{self, Auth, use_auth};

#[component]
pub fn App() -> impl IntoView {
    let auth = Auth::new();
    provide_context(auth);
    provide_context(Toasts::new());
    crate::api::on_expired(move || {
        auth.me.set(None);
        auth.notice.set(Some(
            "Your session has expired. Sign in again to carry on.".to_owned(),
        ));
    });
    if auth.me.get_untracked().is_some() {
        // Drawn from the stored copy at once; refreshed here in case the role changed.
        spawn_local(async move {
            if let Ok(me) = Call::get("/me").json::<MeResponse>().await {
                session::store_me(&me);
                auth.me.set(Some(me));
            }
        });
    }
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Routes fallback=|| view! { <Shell><NotFound/></Shell> }>
                <Route path=path!("/signin") view=SignInPage/>
                <Route path=path!("/") view=|| view! { <Redirect path="/customers"/> }/>
                <Route path=path!("/customers") view=|| view! { <Shell><DirectoryPage/></Shell> }/>
                <Route path=path!("/customers/new") view=|| view! { <Shell><NewCustomerPage/></Shell> }/>
                <Route path=path!("/customers/:id") view=|| view! { <Shell><CustomerPage/></Shell> }/>
                <Route path=path!("/customers/:id/edit") view=|| view! { <Shell><EditCustomerPage/></Shell> }/>
                // One route for both, so the wizard keeps its state when an upload moves it to
                // the new job's address.
                <Route path=path!("/imports/:id?") view=|| view! { <Shell><ImportsPage/></Shell> }/>
                // One route for the review queue and the merge history (`/duplicates/merges`), so
                // a scan followed on one stays followed on the other.
                <Route path=path!("/duplicates/:section?") view=|| view! { <Shell><DuplicatesPage/></Shell> }/>
                <Route path=path!("/merges/new") view=|| view! { <Shell><MergeWizardPage/></Shell> }/>
                <Route path=path!("/settings") view=|| view! { <Shell><SettingsPage/></Shell> }/>
            </Routes>
            <ToastsView/>
        </Router>
    }
}

/// The frame of every signed-in page. Signed out, it sends you to sign-in and back here after.
#[component]
fn Shell(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let children = StoredValue::new(children);
    move || {
        if auth.me.with(Option::is_none) {
            let search = location.search.get_untracked();
            let search = match search.as_str() {
                "" => String::new(),
                s if s.starts_with('?') => search,
                s => format!("?{s}"),
            };
            let here = format!("{}{search}", location.pathname.get_untracked());
            let target = format!("/signin?next={}", crate::api::encode(&here));
            return view! { <Redirect path=target/> }.into_any();
        }
        view! {
            <div class="shell">
                <Sidebar/>
                <div class="shell-main">
                    <TopBar/>
                    <main id="main" class="page" tabindex="-1">{children.with_value(|c| c())}</main>
                </div>
            </div>
        }
        .into_any()
    }
}

#[component]
fn Sidebar() -> impl IntoView {
    let auth = use_auth();
    // The areas still to come are listed so people know where they will be, but not linked.
    let later = ["Segments", "Analytics"];
    view! {
        <nav class="sidebar" aria-label="Main">
            <a class="brand" href="/customers"><span class="brand-mark" aria-hidden="true">"T"</span>"Tenure"</a>
            <ul class="nav-list">
                <li><A href="/customers"><Icon name="users"/>"Customers"</A></li>
                <li><A href="/imports"><Icon name="upload"/>"Imports"</A></li>
                <Show when=move || auth.can_read()>
                    <li><A href="/duplicates"><Icon name="merge"/>"Duplicates"</A></li>
                </Show>
                <Show when=move || auth.can_manage()>
                    <li><A href="/settings"><Icon name="settings"/>"Settings"</A></li>
                </Show>
            </ul>
            <p class="nav-heading">"Coming soon"</p>
            <ul class="nav-list nav-later">
                {later.into_iter().map(|name| view! { <li><span aria-disabled="true">{name}</span></li> }).collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let menu_open = RwSignal::new(false);
    let sign_out = move |_| {
        let tokens = session::tokens();
        session::clear();
        auth.me.set(None);
        auth.notice.set(Some("You have signed out.".to_owned()));
        if let Some(tokens) = tokens {
            spawn_local(async move {
                let body = RefreshRequest {
                    refresh_token: tokens.refresh_token,
                };
                let _ = Call::post("/auth/logout", &body).done().await;
            });
        }
        navigate("/signin", Default::default());
    };
    let me = move || auth.me.get();
    // A click anywhere outside the open menu closes it.
    let menu = NodeRef::<leptos::html::Div>::new();
    let outside = window_event_listener(leptos::ev::click, move |ev| {
        let inside = menu
            .get_untracked()
            .zip(ev.target())
            .is_some_and(|(menu, target)| {
                target
                    .dyn_ref::<web_sys::Node>()
                    .is_some_and(|node| menu.contains(Some(node)))
            });
        if !inside && menu_open.get_untracked() {
            menu_open.set(false);
        }
    });
    on_cleanup(move || outside.remove());
    view! {
        <header class="topbar">
            <div class="org-name">{move || me().map(|m| m.organization.name)}</div>
            <div class="user-menu" node_ref=menu>
                <button class="btn btn-ghost user-button" aria-haspopup="true"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|o| *o = !*o)>
                    <span class="avatar" aria-hidden="true">
                        {move || me().and_then(|m| m.user.name.chars().next()).unwrap_or('?').to_string()}
                    </span>
                    <span class="user-name">{move || me().map(|m| m.user.name)}</span>
                    <span class="badge tone-neutral role-badge" data-testid="role">
                        {move || me().map(|m| m.user.role)}
                    </span>
                    <Icon name="chevron-down"/>
                </button>
                <Show when=move || menu_open.get()>
                    <div class="menu" role="menu"
                        on:keydown=move |ev| if ev.key() == "Escape" { menu_open.set(false) }>
                        <p class="menu-meta">{move || me().map(|m| m.user.email)}</p>
                        <button class="menu-item" role="menuitem" on:click=sign_out.clone()>
                            <Icon name="logout"/>"Sign out"
                        </button>
                    </div>
                </Show>
            </div>
        </header>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <div class="empty-state">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <a class="btn" href="/customers">"Go to customers"</a>
        </div>
    }
}
