//! The Goals tab: the customer's success plan. Each goal shows its progress as a bar, can be
//! added and edited in a dialog, has its progress updated with a note (the server records it in
//! the goal's history, newest first), and shows that history.

use leptos::prelude::*;
use tenure_api_types::vocabulary::{GOAL_METRICS, GOAL_STATUSES};
use tenure_api_types::{GoalInput, GoalView};

use crate::api;
use crate::components::{
    Badge, Confirm, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal,
    ProgressBar, use_toasts,
};
use crate::format;
use crate::pages::customer::overview::{empty, status_tone};
use crate::pages::customer::{
    can_write, choices, local_zone, optional, text_of, use_customer_page,
};

/// `12 / 40 seats`, `75 / 100 %`.
pub fn progress_text(goal: &GoalView) -> String {
    let unit = goal.unit.as_deref().map(str::trim).unwrap_or("");
    let text = format!(
        "{} / {}",
        format::number(goal.current_value),
        format::number(goal.target_value)
    );
    if unit.is_empty() {
        text
    } else {
        format!("{text} {unit}")
    }
}

/// A goal's title, status and progress bar (used here and on the Overview).
#[component]
pub fn GoalProgress(goal: GoalView) -> impl IntoView {
    let tone = status_tone(&goal.status);
    view! {
        <div class="goal-progress">
            <div class="goal-line">
                <strong>{goal.title.clone()}</strong>
                <Badge tone=tone text=format::label(&goal.status)/>
            </div>
            <ProgressBar percent=goal.progress_percent label=format!("{} progress", goal.title) tone=tone/>
            <p class="muted goal-numbers">
                {progress_text(&goal)}
                {format!(" · {:.0}%", goal.progress_percent)}
                {goal.target_date.map(|d| format!(" · due {}", format::date(d)))}
            </p>
        </div>
    }
}

#[component]
pub fn GoalsTab() -> impl IntoView {
    let page = use_customer_page();
    let toasts = use_toasts();
    let writer = can_write();
    let goals = LocalResource::new(move || {
        page.changed.track();
        api::goals(page.id)
    });
    let dialog = RwSignal::new(false);
    let progress_dialog = RwSignal::new(false);
    let editing = RwSignal::new(None::<GoalView>);
    let deleting = RwSignal::new(None::<GoalView>);
    let confirm = RwSignal::new(false);
    let delete = Callback::new(move |_| {
        if let Some(goal) = deleting.get_untracked() {
            page.change(
                toasts,
                async move { api::delete_goal(&goal).await },
                |()| "Goal deleted.",
            );
        }
    });
    let zone = local_zone();
    let card = move |g: GoalView| {
        let (for_progress, for_edit, for_delete) = (g.clone(), g.clone(), g.clone());
        let title = g.title.clone();
        let history = g.history.clone();
        let card_label = title.clone();
        view! {
            <li class="card goal-card" data-id=g.id.to_string() aria-label=card_label>
                <GoalProgress goal=g.clone()/>
                <p class="muted">
                    {format::label(&g.metric)}
                    {g.period.clone().map(|p| format!(" · {p}"))}
                    {g.completed_at.map(|d| format!(" · completed {}", format::date(d)))}
                </p>
                {g.description.clone().map(|d| view! { <p class="prewrap">{d}</p> })}
                <Show when=move || writer.get()>
                    <div class="row-actions">
                        <button class="btn btn-small" on:click={
                            let target = for_progress.clone();
                            move |_| {
                                editing.set(Some(target.clone()));
                                progress_dialog.set(true);
                            }
                        }>"Update progress"</button>
                        <button class="btn-icon" aria-label=format!("Edit {title}") on:click={
                            let target = for_edit.clone();
                            move |_| {
                                editing.set(Some(target.clone()));
                                dialog.set(true);
                            }
                        }><Icon name="edit"/></button>
                        <button class="btn-icon" aria-label=format!("Delete {title}") on:click={
                            let target = for_delete.clone();
                            move |_| {
                                deleting.set(Some(target.clone()));
                                confirm.set(true);
                            }
                        }><Icon name="trash"/></button>
                    </div>
                </Show>
                {(!history.is_empty()).then(|| view! {
                    <details class="goal-history">
                        <summary>{format!("History ({})", history.len())}</summary>
                        <ol class="plain-list">
                            {history.into_iter().map(|h| view! {
                                <li>
                                    <span>{format!("{} · {}", format::number(h.value), format::label(&h.status))}</span>
                                    <span class="muted">{format!(" — {}, {}", h.actor_label, format::datetime(h.created_at, zone))}</span>
                                    {h.note.map(|n| view! { <p class="prewrap">{n}</p> })}
                                </li>
                            }).collect_view()}
                        </ol>
                    </details>
                })}
            </li>
        }
    };
    view! {
        <div class="tab-head">
            <h2>"Goals"</h2>
            <Show when=move || writer.get()>
                <button class="btn btn-primary" on:click=move |_| {
                    editing.set(None);
                    dialog.set(true);
                }><Icon name="plus"/>"Add goal"</button>
            </Show>
        </div>
        {move || match goals.get() {
            None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
            Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=Callback::new(move |_| goals.refetch())/> }.into_any(),
            Some(Ok(list)) if list.items.is_empty() => empty("No goals yet", "Agree what success means for this customer and track it here.").into_any(),
            Some(Ok(list)) => view! { <ul class="goal-grid">{list.items.into_iter().map(card).collect_view()}</ul> }.into_any(),
        }}
        <GoalDialog open=dialog editing=editing/>
        <ProgressDialog open=progress_dialog goal=editing/>
        <Confirm open=confirm title="Delete this goal?"
            message=Signal::derive(move || deleting.get().map(|g| format!("“{}” and its history will be deleted.", g.title)).unwrap_or_default())
            confirm="Delete goal" on_confirm=delete/>
    }
}

/// A number field's text as a value, or the message to show.
fn number_of(text: &str) -> Result<Option<f64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| "Enter a number.".to_owned()),
    }
}

#[derive(Clone, Copy)]
struct GoalForm {
    title: RwSignal<String>,
    description: RwSignal<String>,
    metric: RwSignal<String>,
    current: RwSignal<String>,
    target: RwSignal<String>,
    unit: RwSignal<String>,
    period: RwSignal<String>,
    status: RwSignal<String>,
    target_date: RwSignal<String>,
}

impl GoalForm {
    fn new() -> GoalForm {
        let s = || RwSignal::new(String::new());
        GoalForm {
            title: s(),
            description: s(),
            metric: s(),
            current: s(),
            target: s(),
            unit: s(),
            period: s(),
            status: s(),
            target_date: s(),
        }
    }

    fn load(&self, from: Option<&GoalView>) {
        let text =
            |f: fn(&GoalView) -> &Option<String>| from.map(|g| text_of(f(g))).unwrap_or_default();
        self.title
            .set(from.map(|g| g.title.clone()).unwrap_or_default());
        self.description.set(text(|g| &g.description));
        self.metric
            .set(from.map_or_else(|| "adoption".to_owned(), |g| g.metric.clone()));
        self.current
            .set(from.map_or_else(|| "0".to_owned(), |g| format::number(g.current_value)));
        self.target.set(
            from.map(|g| format::number(g.target_value))
                .unwrap_or_default(),
        );
        self.unit.set(text(|g| &g.unit));
        self.period.set(text(|g| &g.period));
        self.status
            .set(from.map_or_else(|| "on_track".to_owned(), |g| g.status.clone()));
        self.target_date.set(
            from.and_then(|g| g.target_date)
                .map(format::date)
                .unwrap_or_default(),
        );
    }

    fn input(&self) -> Result<GoalInput, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let text = |s: RwSignal<String>| optional(&s.get_untracked());
        let mut number = |key: &'static str, s: RwSignal<String>| {
            number_of(&s.get_untracked()).unwrap_or_else(|message| {
                problems.push((key, message));
                None
            })
        };
        let current_value = number("current_value", self.current);
        let target_value = number("target_value", self.target);
        let title = text(self.title);
        if title.is_none() {
            problems.push(("title", "Name the goal.".to_owned()));
        }
        if target_value.is_none() && !problems.iter().any(|(k, _)| *k == "target_value") {
            problems.push(("target_value", "Enter the target.".to_owned()));
        }
        let target_date = match text(self.target_date) {
            None => None,
            Some(d) => match chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(("target_date", "Enter a date.".to_owned()));
                    None
                }
            },
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(GoalInput {
            title,
            description: text(self.description),
            metric: text(self.metric),
            current_value,
            target_value,
            unit: text(self.unit),
            period: text(self.period),
            status: text(self.status),
            target_date,
            completed_at: None,
            note: None,
        })
    }
}

#[component]
fn GoalDialog(open: RwSignal<bool>, editing: RwSignal<Option<GoalView>>) -> impl IntoView {
    let page = use_customer_page();
    let form = GoalForm::new();
    let initial = StoredValue::new(GoalInput::default());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(open, busy, errors);
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
            Err(problems) => {
                for (key, message) in problems {
                    errors.set(key, message);
                }
                return;
            }
        };
        let existing = editing.get_untracked();
        let patch = api::changes(&initial.get_value(), &input);
        dialog.save(
            existing,
            patch,
            api::update_goal,
            async move { api::create_goal(page.id, &input).await },
            |_, edited| if edited { "Goal saved." } else { "Goal added." },
        );
    };
    let title = Signal::derive(move || {
        if editing.with(Option::is_some) {
            "Edit goal".to_owned()
        } else {
            "Add goal".to_owned()
        }
    });
    let metrics = Signal::stored(choices(GOAL_METRICS, false));
    let statuses = Signal::stored(choices(GOAL_STATUSES, false));
    view! {
        <Modal open=open title=title>
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <Field name="goal-title" label="Goal" kind=FieldKind::Input("text") value=form.title
                    error=errors.of("title") required=true/>
                <Field name="goal-description" label="Description" kind=FieldKind::TextArea
                    value=form.description error=errors.of("description")/>
                <div class="form-row">
                    <Field name="goal-metric" label="Metric" kind=FieldKind::Select(metrics)
                        value=form.metric error=errors.of("metric")/>
                    <Field name="goal-status" label="Status" kind=FieldKind::Select(statuses)
                        value=form.status error=errors.of("status")/>
                </div>
                <div class="form-row">
                    <Field name="goal-current" label="Current value" kind=FieldKind::Input("number")
                        value=form.current error=errors.of("current_value")/>
                    <Field name="goal-target" label="Target value" kind=FieldKind::Input("number")
                        value=form.target error=errors.of("target_value") required=true/>
                </div>
                <div class="form-row">
                    <Field name="goal-unit" label="Unit" kind=FieldKind::Input("text") value=form.unit
                        error=errors.of("unit") hint=Some("e.g. %, seats, USD")/>
                    <Field name="goal-period" label="Period" kind=FieldKind::Input("text")
                        value=form.period error=errors.of("period") hint=Some("e.g. 2026-Q4")/>
                </div>
                <Field name="goal-target_date" label="Target date" kind=FieldKind::Input("date")
                    value=form.target_date error=errors.of("target_date")/>
                <FormActions open=open busy=busy
                    label=move || if editing.with(Option::is_some) { "Save goal" } else { "Add goal" }/>
            </form>
        </Modal>
    }
}

/// Records where a goal stands now (value and status) with a note for its history.
#[component]
fn ProgressDialog(open: RwSignal<bool>, goal: RwSignal<Option<GoalView>>) -> impl IntoView {
    let page = use_customer_page();
    let value = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(open, busy, errors);
    Effect::new(move |_| {
        if open.get() {
            let g = goal.get_untracked();
            value.set(
                g.as_ref()
                    .map(|g| format::number(g.current_value))
                    .unwrap_or_default(),
            );
            status.set(g.map(|g| g.status).unwrap_or_default());
            note.set(String::new());
            errors.clear();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let Some(current) = goal.get_untracked() else {
            return;
        };
        let new_value = match number_of(&value.get_untracked()) {
            Ok(Some(v)) => v,
            Ok(None) => {
                errors.set("current_value", "Enter where the goal stands now.");
                return;
            }
            Err(message) => {
                errors.set("current_value", message);
                return;
            }
        };
        let mut patch = serde_json::Map::new();
        if new_value != current.current_value {
            patch.insert("current_value".to_owned(), new_value.into());
        }
        if status.get_untracked() != current.status {
            patch.insert("status".to_owned(), status.get_untracked().into());
        }
        if patch.is_empty() {
            errors.set(
                "current_value",
                "Change the value or the status to record progress.",
            );
            return;
        }
        if let Some(note) = optional(&note.get_untracked()) {
            patch.insert("note".to_owned(), note.into());
        }
        dialog.send(
            async move { api::update_goal(&current, &patch).await },
            |_| "Progress recorded.",
        );
    };
    let title = Signal::derive(move || {
        goal.get().map_or_else(
            || "Update progress".to_owned(),
            |g| format!("Update {}", g.title),
        )
    });
    let statuses = Signal::stored(choices(GOAL_STATUSES, false));
    view! {
        <Modal open=open title=title>
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <div class="form-row">
                    <Field name="progress-value" label="Current value" kind=FieldKind::Input("number")
                        value=value error=errors.of("current_value") required=true/>
                    <Field name="progress-status" label="Status" kind=FieldKind::Select(statuses)
                        value=status error=errors.of("status")/>
                </div>
                <Field name="progress-note" label="Note" kind=FieldKind::TextArea value=note
                    error=errors.of("note") hint=Some("Kept in the goal's history.")/>
                <FormActions open=open busy=busy label="Record progress"/>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_or_explain() {
        assert_eq!(number_of(" 12.5 "), Ok(Some(12.5)));
        assert_eq!(number_of(""), Ok(None));
        assert!(number_of("lots").is_err());
        assert!(number_of("NaN").is_err());
    }
}
