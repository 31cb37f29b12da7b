//! Sign-in: email and password, an organisation when one email belongs to several, clear
//! errors, the demo logins in demo mode, and a return to the page that sent you here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use tenure_api_types::{InstanceInfo, LoginRequest, MeResponse, TokenResponse};

use crate::api::{ApiError, Call};
use crate::components::{Banner, Spinner};
use crate::session::{self, use_auth};

#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let organization = RwSignal::new(String::new());
    let needs_org = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let demo = RwSignal::new(Vec::new());
    spawn_local(async move {
        if let Ok(info) = Call::get("/instance").json::<InstanceInfo>().await {
            demo.set(info.demo_logins);
        }
    });
    // Only paths inside the app: a crafted `next=https://evil` must not leave it.
    let next = move || {
        query
            .with_untracked(|q| q.get("next"))
            .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/signin"))
            .unwrap_or_else(|| "/customers".to_owned())
    };
    if auth.me.get_untracked().is_some() {
        navigate(&next(), Default::default());
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if email.with_untracked(|e| e.trim().is_empty())
            || password.with_untracked(String::is_empty)
        {
            error.set(Some("Enter your email and password.".to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        crate::perf::mark("tenure:signin");
        let request = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            organization: Some(organization.get_untracked().trim().to_owned())
                .filter(|o| !o.is_empty()),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match sign_in(&request).await {
                Ok(me) => {
                    auth.notice.set(None);
                    auth.me.set(Some(me));
                    navigate(&next(), Default::default());
                }
                Err(e) if e.code == "organization_required" => {
                    needs_org.set(true);
                    error.set(Some(
                        "This email belongs to several organisations: enter the one to sign in to."
                            .to_owned(),
                    ));
                }
                Err(e) => error.set(Some(match e.code.as_str() {
                    "invalid_credentials" => {
                        "That email and password do not match an account.".to_owned()
                    }
                    "too_many_requests" => format!("Too many attempts. {}", e.message()),
                    "validation_failed" => "Enter a valid email address.".to_owned(),
                    _ => e.message(),
                })),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="signin-page">
            <main id="main" class="signin-card">
                <div class="brand brand-large"><span class="brand-mark" aria-hidden="true">"T"</span>"Tenure"</div>
                <h1>"Sign in"</h1>
                {move || auth.notice.get().map(|n| view! { <Banner tone="info">{n}</Banner> })}
                {move || error.get().map(|e| view! { <Banner tone="error">{e}</Banner> })}
                <form on:submit=submit novalidate>
                    <div class="field">
                        <label for="signin-email">"Email"</label>
                        <input id="signin-email" name="email" type="email" autocomplete="username"
                            required autofocus prop:value=move || email.get()
                            on:input=move |ev| email.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="signin-password">"Password"</label>
                        <input id="signin-password" name="password" type="password"
                            autocomplete="current-password" required prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))/>
                    </div>
                    <Show when=move || needs_org.get()>
                        <div class="field">
                            <label for="signin-org">"Organisation"</label>
                            <input id="signin-org" name="organization" type="text"
                                prop:value=move || organization.get()
                                on:input=move |ev| organization.set(event_target_value(&ev))/>
                        </div>
                    </Show>
                    <button class="btn btn-primary btn-block" type="submit" disabled=move || busy.get()>
                        {move || busy.get().then(|| view! { <Spinner/> })}
                        {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
                <Show when=move || !demo.with(Vec::is_empty)>
                    <section class="demo-logins" aria-labelledby="demo-heading">
                        <h2 id="demo-heading">"Demo accounts"</h2>
                        <p class="hint">"This server runs with demo data. Pick an account to fill the form."</p>
                        <ul>
                            {move || demo.get().into_iter().map(|login| {
                                let (e, p) = (login.email.clone(), login.password.clone());
                                view! {
                                    <li>
                                        <button type="button" class="btn btn-ghost demo-login"
                                            on:click=move |_| { email.set(e.clone()); password.set(p.clone()); }>
                                            <span>{login.email}</span>
                                            <span class="badge tone-neutral">{login.label}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <p class="hint">"Password: "
                            <code>{move || demo.with(|d| d.first().map(|l| l.password.clone()))}</code>
                        </p>
                    </section>
                </Show>
            </main>
        </div>
    }
}

async fn sign_in(request: &LoginRequest) -> Result<MeResponse, ApiError> {
    let tokens: TokenResponse = Call::post("/auth/login", request).json().await?;
    session::store_tokens(&tokens);
    let me: MeResponse = Call::get("/me").json().await?;
    session::store_me(&me);
    Ok(me)
}
