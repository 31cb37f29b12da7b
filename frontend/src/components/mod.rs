//! The app's own small component set: every page builds from these, and `assets/app.css` styles
//! them (no styles scattered through pages). No component crate fitted Leptos 0.8 offline with
//! the table, dialog and form pieces a CRM needs, so these are ours.

mod action;
mod chart;
mod dialog;
mod field;
mod icon;
mod paged;
mod toast;

pub use action::{DialogForm, run_busy, spawn_change};
pub use chart::{ChartPoint, LineChart, month_label};
pub use dialog::{Confirm, FormActions, Modal};
pub use field::{Field, FieldKind, FormBanner, FormErrors};
pub use icon::Icon;
pub use paged::{Paged, ShowMore};
pub use toast::{Toasts, ToastsView, use_toasts};

use leptos::prelude::*;

use crate::format::{self, Tone};

/// A small coloured label.
#[component]
pub fn Badge(tone: Tone, #[prop(into)] text: String) -> impl IntoView {
    view! { <span class=format!("badge {}", tone.class())>{text}</span> }
}

/// A 0-100 health score as a coloured badge; `None` reads "No score".
#[component]
pub fn HealthBadge(score: Option<i64>) -> impl IntoView {
    match score {
        Some(score) => view! {
            <span class=format!("badge score {}", format::health_tone(score).class())
                title=format!("Health {score} of 100")>{score}</span>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

/// A 0-100 churn risk as a coloured badge with its word (High, Medium, Low).
#[component]
pub fn RiskBadge(risk: Option<i64>) -> impl IntoView {
    match risk {
        Some(risk) => view! {
            <span class=format!("badge score {}", format::risk_tone(risk).class())
                title=format!("Churn risk {risk} of 100")>
                {format!("{risk} · {}", format::risk_word(risk))}
            </span>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

/// A tier as a badge in the tier's own colour (text dark or light, whichever reads).
#[component]
pub fn TierBadge(#[prop(into)] name: String, #[prop(into)] colour: String) -> impl IntoView {
    let style = format::tier_colour(&colour)
        .map(|c| format!("--tier-bg: {c}; --tier-fg: {}", format::text_on(c)));
    view! { <span class="badge tier-badge" style=style data-testid="tier-badge">{name}</span> }
}

/// A 0-100 share as a bar, with its value for screen readers.
#[component]
pub fn ProgressBar(percent: f64, #[prop(into)] label: String, tone: Tone) -> impl IntoView {
    let percent = if percent.is_finite() {
        percent.clamp(0.0, 100.0)
    } else {
        0.0
    };
    view! {
        <div class=format!("progress {}", tone.class()) role="progressbar" aria-label=label
            aria-valuemin="0" aria-valuemax="100" aria-valuenow=format!("{percent:.0}")>
            <span class="progress-fill" style=format!("width: {percent:.1}%")></span>
        </div>
    }
}

/// A customer status as a badge.
#[component]
pub fn StatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let tone = format::status_tone(&status);
    view! { <Badge tone=tone text=format::humanize(&status)/> }
}

/// What to show when a list is empty: what happened and what to do.
#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(into)] hint: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state" role="status">
            <Icon name="inbox"/>
            <h3>{title}</h3>
            <p>{hint}</p>
            {children.map(|c| c())}
        </div>
    }
}

/// A failed load: the server's message and a way to try again.
#[component]
pub fn ErrorState(#[prop(into)] message: String, on_retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="empty-state error-state" role="alert">
            <Icon name="alert"/>
            <h3>"Something went wrong"</h3>
            <p>{message}</p>
            <button class="btn" on:click=move |_| on_retry.run(())>"Try again"</button>
        </div>
    }
}

/// A banner across a page or form: `tone` is `error`, `warn` or `info`.
#[component]
pub fn Banner(#[prop(into)] tone: String, children: Children) -> impl IntoView {
    let role = if tone == "error" { "alert" } else { "status" };
    view! { <div class=format!("banner banner-{tone}") role=role>{children()}</div> }
}

#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" aria-hidden="true"></span> }
}
