//! The Overview tab: the key numbers, the MRR over the last year (inline SVG), the churn-risk
//! panel with the stored scores, the profile, the primary contact, flags, the newest activity
//! and the active goals. All of it comes from the one overview the page loaded; only the flag
//! controls write.

use leptos::prelude::*;
use tenure_api_types::{CustomerOverview, CustomerView, FlagInput, FlagView};

use crate::api;
use crate::components::{
    ChartPoint, Confirm, EmptyState, Field, FieldKind, FormActions, FormBanner, FormErrors,
    HealthBadge, Icon, LineChart, Modal, ProgressBar, RiskBadge, month_label, use_toasts,
};
use crate::format::{self, Tone};
use crate::pages::customer::tabs::Tab;
use crate::pages::customer::{activity, can_write, goals, now, optional, use_customer_page};

#[component]
pub fn OverviewTab() -> impl IntoView {
    let page = use_customer_page();
    move || {
        page.with_overview(Clone::clone)
            .map(|overview| view! { <OverviewView overview=overview/> })
    }
}

#[component]
fn OverviewView(overview: CustomerOverview) -> impl IntoView {
    let page = use_customer_page();
    let m = overview.metrics.clone();
    let c = overview.customer.clone();
    let money = {
        let currency = m.currency.clone();
        move |amount: &str| format::money(amount, &currency, false)
    };
    let metrics = vec![
        ("Tenure", format::tenure(m.tenure_days), None),
        ("Lifetime value", money(&m.ltv), None),
        (
            "Plan",
            m.plan.clone().unwrap_or_else(|| "—".to_owned()),
            None,
        ),
        (
            "MRR",
            money(&m.mrr),
            Some(format!("{} a year", money(&m.arr))),
        ),
        ("Credit balance", money(&m.credit_balance), None),
    ];
    let mut facts = profile_facts(&c);
    facts.extend([
        ("Contacts", m.contacts.to_string()),
        ("Open tickets", m.open_tickets.to_string()),
        ("Child accounts", overview.children.to_string()),
    ]);
    let history = overview.mrr_history.clone();
    let currency = m.currency.clone();
    let chart = (!history.is_empty()).then(|| {
        let points: Vec<ChartPoint> = history
            .iter()
            .map(|p| ChartPoint {
                label: month_label(&p.month),
                value: format::decimal(&p.amount),
                text: format::money(&p.amount, &currency, false),
            })
            .collect();
        let summary = match (points.first(), points.last()) {
            (Some(first), Some(last)) => format!(
                "MRR by month, {} to {}: from {} to {}",
                first.label, last.label, first.text, last.text
            ),
            _ => "MRR by month".to_owned(),
        };
        let axis_currency = currency.clone();
        let axis =
            Callback::new(move |v: f64| format::money(&format!("{v:.0}"), &axis_currency, true));
        view! { <LineChart points=points label=summary axis=axis/> }
    });
    let last_activity = c.last_activity_at.map(|at| format::relative(at, now()));
    let recent = overview.recent_activities.clone();
    let goals_list = overview.active_goals.clone();
    let primary = overview.primary_contact.clone();
    let flags = overview.flags.clone();
    view! {
        <div class="metric-grid">
            {metrics.into_iter().map(|(label, value, sub)| view! {
                <section class="metric-card" aria-label=label>
                    <h2 class="metric-label">{label}</h2>
                    <p class="metric-value">{value}</p>
                    {sub.map(|s| view! { <p class="metric-sub">{s}</p> })}
                </section>
            }).collect_view()}
        </div>
        <div class="overview-grid">
            <div class="overview-main">
                <section class="card" aria-labelledby="mrr-heading">
                    <h2 id="mrr-heading">"MRR over time"</h2>
                    {match chart {
                        Some(chart) => chart.into_any(),
                        None => view! { <p class="muted">"No recurring payments recorded yet."</p> }.into_any(),
                    }}
                </section>
                <section class="card" aria-labelledby="recent-heading">
                    <div class="card-head">
                        <h2 id="recent-heading">"Recent activity"</h2>
                        <a href=Tab::Activity.href(page.id)>"All activity"</a>
                    </div>
                    {if recent.is_empty() {
                        view! { <p class="muted">"Nothing logged yet."</p> }.into_any()
                    } else {
                        view! {
                            <ol class="timeline compact">
                                {recent.into_iter().map(|a| view! { <activity::TimelineEntry activity=a editable=false/> }).collect_view()}
                            </ol>
                        }.into_any()
                    }}
                </section>
                <section class="card" aria-labelledby="goals-heading">
                    <div class="card-head">
                        <h2 id="goals-heading">"Goals"</h2>
                        <a href=Tab::Goals.href(page.id)>"All goals"</a>
                    </div>
                    {if goals_list.is_empty() {
                        view! { <p class="muted">"No active goals."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="goal-summary">
                                {goals_list.into_iter().map(|g| view! { <li><goals::GoalProgress goal=g/></li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            </div>
            <div class="overview-side">
                <section class="card risk-panel" aria-labelledby="risk-heading">
                    <h2 id="risk-heading">"Churn risk"</h2>
                    <dl class="facts facts-two">
                        <div><dt>"Health score"</dt><dd><HealthBadge score=m.health_score/></dd></div>
                        <div><dt>"Churn risk"</dt><dd><RiskBadge risk=m.churn_risk/></dd></div>
                    </dl>
                    {m.churn_risk.map(|risk| view! {
                        <ProgressBar percent=risk as f64 label="Churn risk" tone=format::risk_tone(risk)/>
                    })}
                    <dl class="facts facts-two">
                        <div><dt>"Status"</dt><dd>{format::humanize(&c.status)}</dd></div>
                        <div><dt>"Payment"</dt><dd>{format::humanize(&c.payment_status)}</dd></div>
                        <div><dt>"Last activity"</dt><dd>{last_activity.unwrap_or_else(|| "Never".to_owned())}</dd></div>
                        <div><dt>"Open tickets"</dt><dd>{m.open_tickets}</dd></div>
                    </dl>
                    <p class="hint">"Scores as stored on the customer; they change when edited or recalculated."</p>
                </section>
                <section class="card" aria-labelledby="primary-heading">
                    <div class="card-head">
                        <h2 id="primary-heading">"Primary contact"</h2>
                        <a href=Tab::Contacts.href(page.id)>"All contacts"</a>
                    </div>
                    {match primary {
                        Some(p) => view! {
                            <p class="contact-name">{p.full_name.clone()}</p>
                            {p.title.clone().map(|t| view! { <p class="muted">{t}</p> })}
                            {p.email.clone().map(|e| view! { <p><a href=format!("mailto:{e}")>{e.clone()}</a></p> })}
                            {p.phone.clone().map(|t| view! { <p><a href=format!("tel:{t}")>{t.clone()}</a></p> })}
                        }.into_any(),
                        None => view! { <p class="muted">"No contacts yet."</p> }.into_any(),
                    }}
                </section>
                <FlagsCard flags=flags/>
                <section class="card" aria-labelledby="profile-heading">
                    <h2 id="profile-heading">"Profile"</h2>
                    <dl class="facts">
                        {facts.into_iter().map(|(label, value)| view! { <div><dt>{label}</dt><dd>{value}</dd></div> }).collect_view()}
                    </dl>
                    {c.notes.clone().map(|notes| view! { <h3>"Notes"</h3><p class="prewrap">{notes}</p> })}
                </section>
            </div>
        </div>
    }
}

/// What the Profile card lists of the customer record itself.
pub fn profile_facts(c: &CustomerView) -> Vec<(&'static str, String)> {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    vec![
        ("Code", c.customer_code.clone()),
        ("Type", format::label(&c.customer_type)),
        ("Email", dash(&c.email)),
        ("Phone", dash(&c.phone)),
        ("Website", dash(&c.website)),
        ("Country", dash(&c.country)),
        ("Industry", dash(&c.industry)),
        ("Company size", dash(&c.company_size)),
        ("Payment", format::humanize(&c.payment_status)),
        (
            "Payment terms",
            c.payment_terms_days
                .map_or_else(|| "—".to_owned(), |d| format!("{d} days")),
        ),
        (
            "Customer since",
            c.customer_since
                .map_or_else(|| "—".to_owned(), format::date),
        ),
    ]
}

/// Flags on the account: the active ones with who set them and why; staff add and remove them.
#[component]
fn FlagsCard(flags: Vec<FlagView>) -> impl IntoView {
    let page = use_customer_page();
    let toasts = use_toasts();
    let writer = can_write();
    let adding = RwSignal::new(false);
    let flag = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(adding, busy, errors);
    let removing = RwSignal::new(None::<FlagView>);
    let confirm_remove = RwSignal::new(false);
    let active: Vec<FlagView> = flags
        .into_iter()
        .filter(|f| f.removed_at.is_none())
        .collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let input = FlagInput {
            flag: optional(&flag.get_untracked()).map(|f| f.to_lowercase().replace(' ', "_")),
            reason: optional(&reason.get_untracked()),
        };
        if input.flag.is_none() {
            errors.set("flag", "Name the flag, e.g. do_not_contact.");
        }
        if input.reason.is_none() {
            errors.set("reason", "Say why.");
        }
        if errors.has_any() {
            return;
        }
        dialog.send(
            async move { api::add_flag(page.id, &input).await },
            |_| "Flag added.",
        );
    };
    let remove = Callback::new(move |_| {
        if let Some(target) = removing.get_untracked() {
            page.change(
                toasts,
                api::remove_flag(page.id, target.id, "Removed from the customer page"),
                |()| "Flag removed.",
            );
        }
    });
    let suggestions = Signal::stored(vec![
        (String::new(), "—".to_owned()),
        ("do_not_contact".to_owned(), "Do not contact".to_owned()),
        ("legal_hold".to_owned(), "Legal hold".to_owned()),
        ("payment_plan".to_owned(), "Payment plan".to_owned()),
        ("escalated".to_owned(), "Escalated".to_owned()),
        ("vip_handling".to_owned(), "VIP handling".to_owned()),
    ]);
    view! {
        <section class="card" aria-labelledby="flags-heading">
            <div class="card-head">
                <h2 id="flags-heading">"Flags"</h2>
                <Show when=move || writer.get()>
                    <button class="btn btn-small" on:click=move |_| {
                        flag.set(String::new());
                        reason.set(String::new());
                        errors.clear();
                        adding.set(true);
                    }><Icon name="flag"/>"Add flag"</button>
                </Show>
            </div>
            {if active.is_empty() {
                view! { <p class="muted">"No flags on this account."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {active.into_iter().map(|f| {
                            let target = f.clone();
                            let label = format::humanize(&f.flag);
                            view! {
                                <li class="flag-row">
                                    <div>
                                        <strong>{label.clone()}</strong>
                                        <p class="muted">{format!("{} · {}", f.reason, f.created_by)}</p>
                                    </div>
                                    <Show when=move || writer.get()>
                                        <button class="btn-icon" aria-label=format!("Remove flag {label}")
                                            on:click={
                                                let target = target.clone();
                                                move |_| {
                                                    removing.set(Some(target.clone()));
                                                    confirm_remove.set(true);
                                                }
                                            }><Icon name="x"/></button>
                                    </Show>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <Modal open=adding title="Add flag">
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <Field name="flag-flag" label="Flag" kind=FieldKind::Select(suggestions) value=flag
                    error=errors.of("flag") required=true/>
                <Field name="flag-reason" label="Reason" kind=FieldKind::TextArea value=reason
                    error=errors.of("reason") required=true/>
                <FormActions open=adding busy=busy label="Add flag"/>
            </form>
        </Modal>
        <Confirm open=confirm_remove title="Remove this flag?"
            message=Signal::derive(move || removing.get().map(|f| format!(
                "The {} flag comes off the account; its history stays.", format::humanize(&f.flag))).unwrap_or_default())
            confirm="Remove flag" on_confirm=remove/>
    }
}

/// The empty state a tab shows when its list is empty.
pub fn empty(title: &'static str, hint: &'static str) -> impl IntoView {
    view! { <EmptyState title=title hint=hint/> }
}

/// Tone of a flag, goal or entry status word.
pub fn status_tone(status: &str) -> Tone {
    match status {
        "on_track" | "achieved" | "positive" | "credit" => Tone::Good,
        "at_risk" | "action_required" | "refund" => Tone::Warn,
        "missed" | "negative" => Tone::Bad,
        _ => Tone::Neutral,
    }
}
