//! The Activity tab: the customer's timeline, newest first, grouped by day, with an icon per
//! type; filters by type, outcome and date; older pages load as the end of the list scrolls
//! into view (an `IntersectionObserver`), with a "Load older" button as the fallback. Also the
//! dialog that logs or edits an engagement, opened from here and from the page header.
//!
//! Grouping and the date conversions are plain functions with tests; system entries (orders,
//! payments, tier changes, ...) are shown but never offered for editing.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use leptos::prelude::*;
use tenure_api_types::vocabulary::{
    ACTIVITY_DIRECTIONS, ACTIVITY_OUTCOMES, ACTIVITY_TYPES, ENGAGEMENT_TYPES,
};
use tenure_api_types::{ActivityInput, ActivityView, ContactView};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api::{self, ActivityQuery, ApiError};
use crate::components::{
    Badge, Confirm, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal,
    Spinner, use_toasts,
};
use crate::format::{self, Tone};
use crate::pages::customer::overview::{empty, status_tone};
use crate::pages::customer::{
    can_write, choices, local_zone, now, optional, text_of, use_customer_page,
};

/// The icon of an activity type.
pub fn icon_for(activity_type: &str) -> &'static str {
    match activity_type {
        "note" => "note",
        "email" => "mail",
        "call" => "phone",
        "meeting" => "calendar",
        "demo" => "monitor",
        "training" => "book",
        "task" => "task",
        "order" => "bag",
        "payment" => "card",
        "ticket" => "lifebuoy",
        "status_change" => "refresh",
        "tier_change" => "award",
        "credit" => "dollar",
        "flag" => "flag",
        "merge" => "merge",
        "import" => "upload",
        _ => "note",
    }
}

/// Consecutive items of the same local day together, keeping their order (the timeline is
/// newest first, so days come newest first too).
pub fn group_by_day<T>(
    items: Vec<T>,
    at: impl Fn(&T) -> DateTime<Utc>,
    zone: FixedOffset,
) -> Vec<(NaiveDate, Vec<T>)> {
    let mut days: Vec<(NaiveDate, Vec<T>)> = Vec::new();
    for item in items {
        let day = at(&item).with_timezone(&zone).date_naive();
        match days.last_mut() {
            Some((last, group)) if *last == day => group.push(item),
            _ => days.push((day, vec![item])),
        }
    }
    days
}

/// A `datetime-local` input's value (`2026-11-25T14:05`) in the viewer's zone as a moment.
pub fn parse_local(value: &str, zone: FixedOffset) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    zone.from_local_datetime(&naive)
        .single()
        .map(|at| at.with_timezone(&Utc))
}

/// A moment as a `datetime-local` input's value in the viewer's zone.
pub fn local_input(at: DateTime<Utc>, zone: FixedOffset) -> String {
    at.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}

/// The start of a local day (a `date` input's value), for the `from` filter; `end` gives the
/// start of the next day instead, so the `to` filter includes the whole day.
pub fn day_bound(value: &str, zone: FixedOffset, end: bool) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()?;
    let day = if end { day.succ_opt()? } else { day };
    zone.from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|at| at.with_timezone(&Utc))
}

#[component]
pub fn ActivityTab() -> impl IntoView {
    let page = use_customer_page();
    let zone = local_zone();
    let types = RwSignal::new(Vec::<String>::new());
    let outcome = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let query = Memo::new(move |_| ActivityQuery {
        types: types.get(),
        outcome: optional(&outcome.get()),
        from: day_bound(&from.get(), zone, false),
        to: day_bound(&to.get(), zone, true),
    });
    let items = RwSignal::new(Vec::<ActivityView>::new());
    let cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    // Each load has a ticket; an answer to an older question is dropped.
    let ticket = StoredValue::new(0_u64);
    let fetch = move |more: bool| {
        let after = if more { cursor.get_untracked() } else { None };
        if more && after.is_none() {
            return;
        }
        let mine = ticket.get_value() + 1;
        ticket.set_value(mine);
        loading.set(true);
        let query = query.get_untracked();
        leptos::task::spawn_local(async move {
            let result = api::activities(page.id, &query, after.as_deref()).await;
            if ticket.get_value() != mine {
                return;
            }
            loading.set(false);
            match result {
                Ok(list) => {
                    error.set(None);
                    cursor.set(list.next_cursor);
                    if more {
                        items.update(|i| i.extend(list.items));
                    } else {
                        items.set(list.items);
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        query.track();
        page.changed.track();
        fetch(false);
    });
    let load_older = move || {
        if !loading.get_untracked() {
            fetch(true);
        }
    };
    let sentinel = NodeRef::<leptos::html::Div>::new();
    watch_end(sentinel, load_older);
    let toggle_type = move |t: &'static str| {
        types.update(|list| {
            if let Some(at) = list.iter().position(|x| x == t) {
                list.remove(at);
            } else {
                list.push(t.to_owned());
            }
        });
    };
    let outcomes = Signal::stored(
        std::iter::once((String::new(), "Any outcome".to_owned()))
            .chain(choices(ACTIVITY_OUTCOMES, false))
            .collect(),
    );
    let filtered = move || {
        query.with(|q| {
            !q.types.is_empty() || q.outcome.is_some() || q.from.is_some() || q.to.is_some()
        })
    };
    let dialogs = page.dialogs;
    let writer = can_write();
    view! {
        <div class="tab-head">
            <h2>"Activity"</h2>
            <Show when=move || writer.get()>
                <button class="btn btn-primary" on:click=move |_| {
                    dialogs.editing_activity.set(None);
                    dialogs.log_activity.set(true);
                }><Icon name="plus"/>"Log activity"</button>
            </Show>
        </div>
        <div class="activity-filters" role="group" aria-label="Filter the timeline">
            <div class="chips" role="group" aria-label="Types">
                {ACTIVITY_TYPES.iter().map(|t| {
                    let t: &'static str = t;
                    let pressed = move || types.with(|list| list.iter().any(|x| x == t));
                    view! {
                        <button type="button" class="chip" data-type=t
                            aria-pressed=move || pressed().to_string()
                            on:click=move |_| toggle_type(t)>
                            <Icon name=icon_for(t)/>{format::label(t)}
                        </button>
                    }
                }).collect_view()}
            </div>
            <div class="filter-row">
                <Field name="activity-outcome" label="Outcome" kind=FieldKind::Select(outcomes)
                    value=outcome error=Signal::stored(None::<String>)/>
                <Field name="activity-from" label="From" kind=FieldKind::Input("date") value=from
                    error=Signal::stored(None::<String>)/>
                <Field name="activity-to" label="To" kind=FieldKind::Input("date") value=to
                    error=Signal::stored(None::<String>)/>
                <Show when=filtered>
                    <button type="button" class="btn btn-ghost" on:click=move |_| {
                        types.set(Vec::new());
                        outcome.set(String::new());
                        from.set(String::new());
                        to.set(String::new());
                    }>"Clear filters"</button>
                </Show>
            </div>
        </div>
        <div class="timeline-wrap" aria-busy=move || loading.get().to_string()>
            {move || {
                if let Some(e) = error.get() {
                    let retry = Callback::new(move |_| fetch(false));
                    return view! { <ErrorState message=e.message() on_retry=retry/> }.into_any();
                }
                let list = items.get();
                if list.is_empty() {
                    if loading.get() {
                        return view! { <div class="skeleton-block" aria-hidden="true"></div> }.into_any();
                    }
                    return if filtered() {
                        empty("Nothing matches", "No activity matches these filters. Clear them to see everything.").into_any()
                    } else {
                        empty("No activity yet", "Calls, emails, meetings and what the system records will show up here.").into_any()
                    };
                }
                let today = now().with_timezone(&zone).date_naive();
                group_by_day(list, |a| a.occurred_at, zone)
                    .into_iter()
                    .map(|(day, entries)| {
                        let heading = format::day_heading(day, today);
                        let day_label = heading.clone();
                        view! {
                            <section class="timeline-day" aria-label=day_label>
                                <h3 class="day-heading">{heading}</h3>
                                <ol class="timeline">
                                    {entries.into_iter().map(|a| view! { <TimelineEntry activity=a editable=true/> }).collect_view()}
                                </ol>
                            </section>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </div>
        <div node_ref=sentinel class="timeline-end">
            <Show when=move || cursor.with(Option::is_some) && error.with(Option::is_none)>
                <button class="btn" disabled=move || loading.get() on:click=move |_| load_older()>
                    {move || loading.get().then(|| view! { <Spinner/> })}"Load older"
                </button>
            </Show>
        </div>
    }
}

/// Calls `on_visible` whenever `target` scrolls into view (with some margin to spare).
fn watch_end(target: NodeRef<leptos::html::Div>, on_visible: impl Fn() + Copy + 'static) {
    let callback = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let visible = entries.iter().any(|entry| {
            entry
                .dyn_into::<web_sys::IntersectionObserverEntry>()
                .is_ok_and(|e| e.is_intersecting())
        });
        if visible {
            on_visible();
        }
    });
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin("200px");
    let Ok(observer) = web_sys::IntersectionObserver::new_with_options(
        callback.as_ref().unchecked_ref(),
        &options,
    ) else {
        // No observer (very old browser): the "Load older" button still works.
        return;
    };
    let observer = StoredValue::new_local(observer);
    let callback = StoredValue::new_local(Some(callback));
    Effect::new(move |_| {
        if let Some(element) = target.get() {
            observer.with_value(|o| o.observe(&element));
        }
    });
    on_cleanup(move || {
        observer.with_value(|o| o.disconnect());
        callback.update_value(|c| drop(c.take()));
    });
}

/// One entry of the timeline: icon, what happened, when and by whom; engagements can be edited
/// and deleted by staff.
#[component]
pub fn TimelineEntry(activity: ActivityView, editable: bool) -> impl IntoView {
    let page = use_customer_page();
    let toasts = use_toasts();
    let writer = can_write();
    let zone = local_zone();
    let confirm = RwSignal::new(false);
    let a = activity.clone();
    let when = if editable {
        format::time_of_day(a.occurred_at, zone)
    } else {
        format::relative(a.occurred_at, now())
    };
    let editable = editable && !a.system;
    let for_edit = StoredValue::new(activity.clone());
    let for_delete = StoredValue::new(activity);
    let delete = Callback::new(move |_| {
        let target = for_delete.get_value();
        page.change(
            toasts,
            async move { api::delete_activity(&target).await },
            |()| "Activity deleted.",
        );
    });
    let dialogs = page.dialogs;
    let subject = a.subject.clone();
    view! {
        <li class="timeline-item" data-type=a.activity_type.clone() data-id=a.id.to_string()>
            <span class=format!("timeline-icon type-{}", a.activity_type) aria-hidden="true">
                <Icon name=icon_for(&a.activity_type)/>
            </span>
            <div class="timeline-body">
                <div class="timeline-line">
                    <strong class="timeline-subject">{a.subject.clone()}</strong>
                    <span class="timeline-meta">
                        <Badge tone=Tone::Neutral text=format::label(&a.activity_type)/>
                        {a.outcome.clone().map(|o| view! { <Badge tone=status_tone(&o) text=format::label(&o)/> })}
                        {a.direction.clone().map(|d| view! { <span class="muted">{format::label(&d)}</span> })}
                    </span>
                </div>
                <p class="timeline-sub muted">
                    <time datetime=a.occurred_at.to_rfc3339()>{when}</time>
                    {format!(" · {}", a.actor_label)}
                    {a.duration_minutes.map(|m| format!(" · {m} min"))}
                    {a.amount.clone().map(|amount| {
                        let currency = a.currency.clone().unwrap_or_default();
                        format!(" · {}", format::money(&amount, &currency, false))
                    })}
                    {a.related_ref.clone().map(|r| format!(" · {r}"))}
                </p>
                {a.body.clone().map(|b| view! { <p class="timeline-text prewrap">{b}</p> })}
                {(!a.attendees.is_empty()).then(|| view! {
                    <p class="timeline-sub muted">{format!("With {}", a.attendees.join(", "))}</p>
                })}
            </div>
            <Show when=move || editable && writer.get()>
                <div class="row-actions">
                    <button class="btn-icon" aria-label=format!("Edit {subject}") on:click=move |_| {
                        dialogs.editing_activity.set(Some(for_edit.get_value()));
                        dialogs.log_activity.set(true);
                    }><Icon name="edit"/></button>
                    <button class="btn-icon" aria-label=format!("Delete {}", for_delete.with_value(|a| a.subject.clone()))
                        on:click=move |_| confirm.set(true)><Icon name="trash"/></button>
                </div>
                <Confirm open=confirm title="Delete this activity?"
                    message=format!("“{}” leaves the timeline.", for_delete.with_value(|a| a.subject.clone()))
                    confirm="Delete activity" on_confirm=delete/>
            </Show>
        </li>
    }
}

/// The activity form's fields as text.
#[derive(Clone, Copy)]
struct ActivityForm {
    activity_type: RwSignal<String>,
    subject: RwSignal<String>,
    body: RwSignal<String>,
    direction: RwSignal<String>,
    outcome: RwSignal<String>,
    occurred_at: RwSignal<String>,
    duration: RwSignal<String>,
    attendees: RwSignal<String>,
    contact: RwSignal<String>,
}

impl ActivityForm {
    fn new() -> ActivityForm {
        ActivityForm {
            activity_type: RwSignal::new("call".to_owned()),
            subject: RwSignal::new(String::new()),
            body: RwSignal::new(String::new()),
            direction: RwSignal::new(String::new()),
            outcome: RwSignal::new(String::new()),
            occurred_at: RwSignal::new(String::new()),
            duration: RwSignal::new(String::new()),
            attendees: RwSignal::new(String::new()),
            contact: RwSignal::new(String::new()),
        }
    }

    fn load(&self, from: Option<&ActivityView>, zone: FixedOffset) {
        let now = local_input(now(), zone);
        self.activity_type
            .set(from.map_or_else(|| "call".to_owned(), |a| a.activity_type.clone()));
        self.subject
            .set(from.map(|a| a.subject.clone()).unwrap_or_default());
        self.body
            .set(from.map(|a| text_of(&a.body)).unwrap_or_default());
        self.direction
            .set(from.map(|a| text_of(&a.direction)).unwrap_or_default());
        self.outcome
            .set(from.map(|a| text_of(&a.outcome)).unwrap_or_default());
        self.occurred_at
            .set(from.map_or(now, |a| local_input(a.occurred_at, zone)));
        self.duration.set(
            from.and_then(|a| a.duration_minutes)
                .map(|m| m.to_string())
                .unwrap_or_default(),
        );
        self.attendees
            .set(from.map(|a| a.attendees.join(", ")).unwrap_or_default());
        self.contact.set(
            from.and_then(|a| a.contact_id)
                .map(|id| id.to_string())
                .unwrap_or_default(),
        );
    }

    /// The form as the API's input, or the messages of the fields a person must fix first.
    fn input(&self, zone: FixedOffset) -> Result<ActivityInput, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let subject = optional(&self.subject.get_untracked());
        if subject.is_none() {
            problems.push(("subject", "Say in one line what happened.".to_owned()));
        }
        let occurred_text = self.occurred_at.get_untracked();
        let occurred_at = parse_local(&occurred_text, zone);
        if occurred_at.is_none() && !occurred_text.trim().is_empty() {
            problems.push(("occurred_at", "Enter a date and time.".to_owned()));
        }
        let duration_text = self.duration.get_untracked();
        let duration_minutes = match duration_text.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(m) if m >= 0 => Some(m),
                _ => {
                    problems.push(("duration_minutes", "Enter whole minutes.".to_owned()));
                    None
                }
            },
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let attendees: Vec<String> = self
            .attendees
            .get_untracked()
            .split(',')
            .filter_map(optional)
            .collect();
        Ok(ActivityInput {
            activity_type: optional(&self.activity_type.get_untracked()),
            subject,
            body: optional(&self.body.get_untracked()),
            direction: optional(&self.direction.get_untracked()),
            outcome: optional(&self.outcome.get_untracked()),
            occurred_at,
            duration_minutes,
            attendees: (!attendees.is_empty()).then_some(attendees),
            contact_id: self.contact.get_untracked().parse().ok(),
            ..ActivityInput::default()
        })
    }
}

/// Logs an engagement (call, meeting, note, ...) or edits one; opened from the header and the
/// Activity tab.
#[component]
pub fn ActivityDialog() -> impl IntoView {
    let page = use_customer_page();
    let zone = local_zone();
    let open = page.dialogs.log_activity;
    let editing = page.dialogs.editing_activity;
    let form = ActivityForm::new();
    let initial = StoredValue::new(ActivityInput::default());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = page.dialog(open, busy, errors);
    let contacts = RwSignal::new(Vec::<ContactView>::new());
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        form.load(editing.get_untracked().as_ref(), zone);
        initial.set_value(form.input(zone).unwrap_or_default());
        errors.clear();
        leptos::task::spawn_local(async move {
            if let Ok(list) = api::contacts(page.id).await {
                contacts.set(list.items);
            }
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let input = match form.input(zone) {
            Ok(input) => input,
            Err(problems) => {
                for (key, message) in problems {
                    errors.set(key, message);
                }
                return;
            }
        };
        let existing = editing.get_untracked();
        let patch = crate::api::changes(&initial.get_value(), &input);
        dialog.save(
            existing,
            patch,
            api::update_activity,
            async move { api::create_activity(page.id, &input).await },
            |_, edited| {
                if edited {
                    "Activity saved."
                } else {
                    "Activity logged."
                }
            },
        );
    };
    let title = Signal::derive(move || {
        if editing.with(Option::is_some) {
            "Edit activity".to_owned()
        } else {
            "Log activity".to_owned()
        }
    });
    let types = Signal::stored(choices(ENGAGEMENT_TYPES, false));
    let directions = Signal::stored(choices(ACTIVITY_DIRECTIONS, true));
    let outcomes = Signal::stored(choices(ACTIVITY_OUTCOMES, true));
    let contact_choices = Signal::derive(move || {
        std::iter::once((String::new(), "—".to_owned()))
            .chain(
                contacts
                    .get()
                    .into_iter()
                    .map(|c| (c.id.to_string(), c.full_name)),
            )
            .collect()
    });
    view! {
        <Modal open=open title=title>
            <form on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <div class="form-row">
                    <Field name="activity-type" label="Type" kind=FieldKind::Select(types)
                        value=form.activity_type error=errors.of("type") required=true/>
                    <Field name="activity-occurred" label="When" kind=FieldKind::Input("datetime-local")
                        value=form.occurred_at error=errors.of("occurred_at")/>
                </div>
                <Field name="activity-subject" label="Subject" kind=FieldKind::Input("text")
                    value=form.subject error=errors.of("subject") required=true/>
                <Field name="activity-body" label="Notes" kind=FieldKind::TextArea value=form.body
                    error=errors.of("body")/>
                <div class="form-row">
                    <Field name="activity-direction" label="Direction" kind=FieldKind::Select(directions)
                        value=form.direction error=errors.of("direction")/>
                    <Field name="activity-outcome-field" label="Result" kind=FieldKind::Select(outcomes)
                        value=form.outcome error=errors.of("outcome")/>
                </div>
                <div class="form-row">
                    <Field name="activity-duration" label="Duration (minutes)" kind=FieldKind::Input("number")
                        value=form.duration error=errors.of("duration_minutes")/>
                    <Field name="activity-contact" label="With contact" kind=FieldKind::Select(contact_choices)
                        value=form.contact error=errors.of("contact_id")/>
                </div>
                <Field name="activity-attendees" label="Attendees" kind=FieldKind::Input("text")
                    value=form.attendees error=errors.of("attendees")
                    hint=Some("Names or emails, separated by commas.")/>
                <FormActions open=open busy=busy
                    label=move || if editing.with(Option::is_some) { "Save activity" } else { "Log activity" }/>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("an RFC 3339 time")
    }

    #[test]
    fn grouping_follows_the_local_day_and_keeps_the_order() {
        let times = vec![
            at("2026-11-25T09:00:00Z"),
            at("2026-11-25T00:30:00Z"),
            at("2026-11-24T22:00:00Z"),
            at("2026-11-20T12:00:00Z"),
        ];
        let utc = FixedOffset::east_opt(0).expect("valid");
        let days = group_by_day(times.clone(), |t| *t, utc);
        let shape: Vec<(String, usize)> = days
            .iter()
            .map(|(d, items)| (d.to_string(), items.len()))
            .collect();
        assert_eq!(
            shape,
            vec![
                ("2026-11-25".to_owned(), 2),
                ("2026-11-24".to_owned(), 1),
                ("2026-11-20".to_owned(), 1)
            ]
        );
        // Two hours east, 22:00 UTC on the 24th is already the 25th.
        let east = FixedOffset::east_opt(7_200).expect("valid");
        let days = group_by_day(times, |t| *t, east);
        assert_eq!(days[0].1.len(), 3);
        assert!(group_by_day(Vec::<DateTime<Utc>>::new(), |t| *t, utc).is_empty());
    }

    #[test]
    fn local_inputs_round_trip_through_the_viewers_zone() {
        let east = FixedOffset::east_opt(3_600).expect("valid");
        let moment = parse_local("2026-11-25T14:05", east).expect("parses");
        assert_eq!(moment, at("2026-11-25T13:05:00Z"));
        assert_eq!(local_input(moment, east), "2026-11-25T14:05");
        assert_eq!(parse_local("yesterday", east), None);
    }

    #[test]
    fn date_filters_cover_whole_local_days() {
        let west = FixedOffset::west_opt(5 * 3_600).expect("valid");
        assert_eq!(
            day_bound("2026-11-25", west, false),
            Some(at("2026-11-25T05:00:00Z"))
        );
        assert_eq!(
            day_bound("2026-11-25", west, true),
            Some(at("2026-11-26T05:00:00Z"))
        );
        assert_eq!(day_bound("", west, false), None);
    }

    #[test]
    fn every_activity_type_has_its_own_icon() {
        let icons: std::collections::HashSet<_> =
            ACTIVITY_TYPES.iter().map(|t| icon_for(t)).collect();
        assert_eq!(icons.len(), ACTIVITY_TYPES.len());
    }
}
