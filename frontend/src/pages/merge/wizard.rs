//! The merge wizard: (1) the record that survives, the oldest by default; (2) for every field
//! the records disagree on, the value the survivor keeps, preselected by the organisation's
//! rules (the fields they agree on folded away); (3) the server's preview of the survivor as
//! it would be and what moves to it, asked again 250 ms after the last change; and (4) the
//! merge, after a confirmation, which opens the survivor. A merge the server refuses (a record
//! merged, deleted or changed meanwhile) shows each of its reasons and offers a reload.
//!
//! Only staff and owners merge; the page says so to viewers rather than showing them a form.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use serde_json::Value;
use tenure_api_types::{CustomerView, MERGE_MAX_RECORDS, MergeInput, MergePreview};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::browser::now;
use crate::components::{
    Badge, Banner, Confirm, EmptyState, ErrorState, Icon, Spinner, StatusBadge, Toasts, run_busy,
    use_toasts,
};
use crate::format::{self, Tone};
use crate::pages::merge::{
    RefusalBanner, and_list, customer_words, default_survivor, field_label, ids_from_query,
    left_behind_words, moves_words, reasons, record_dates, rule_hint, value_text,
};
use crate::session::use_auth;

/// How long choosing must pause before the preview is asked for again.
const PAUSE: Duration = Duration::from_millis(250);

/// The router's `navigate`, kept where `Copy` closures can reach it.
type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

/// `/merges/new?ids=<a>,<b>[,…]`.
#[component]
pub fn MergeWizardPage() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let ids = Memo::new(move |_| ids_from_query(&location.search.get()));
    let body = move || {
        if !auth.can_write() {
            return view! {
                <EmptyState title="Merging is for staff and owners"
                    hint="Your role can see possible duplicates but not merge them."/>
            }
            .into_any();
        }
        match ids.get() {
            Some(ids) => view! { <Wizard ids=ids/> }.into_any(),
            None => view! {
                <EmptyState title="Nothing to merge"
                    hint=format!("A merge needs two to {MERGE_MAX_RECORDS} customers; this link names fewer, or something that is not a customer.")>
                    <a class="btn" href="/duplicates">"Review possible duplicates"</a>
                </EmptyState>
            }
            .into_any(),
        }
    };
    view! {
        <div class="page-head">
            <div>
                <a class="back-link" href="/duplicates"><Icon name="chevron-left"/>"Duplicates"</a>
                <h1>"Merge customers"</h1>
                <p class="subtitle">"Keep one record, choose the values it keeps, and fold the others into it."</p>
            </div>
        </div>
        {body}
    }
}

/// Fields of the preview as the table draws them: the values by record.
#[derive(Debug, Clone, PartialEq)]
struct FieldRow {
    field: String,
    values: Vec<(Uuid, Value)>,
}

/// Why the server would not merge: its words and each reason it gave.
#[derive(Debug, Clone, PartialEq)]
struct Refusal {
    title: String,
    detail: Option<String>,
    reasons: Vec<String>,
    /// A conflict (something changed meanwhile): reloading may help.
    conflict: bool,
}

impl Refusal {
    /// The server's reasons stand on their own; its detail only speaks when it gave none.
    fn of(error: &ApiError) -> Refusal {
        let reasons = reasons(error);
        let conflict = error.status == 409;
        let detail = if !reasons.is_empty() {
            conflict.then(|| {
                "Another change reached these records first. Reload them and review the merge again."
                    .to_owned()
            })
        } else {
            Some(error.message())
        };
        Refusal {
            title: if conflict {
                "These records can no longer be merged as shown.".to_owned()
            } else {
                "The merge did not go ahead.".to_owned()
            },
            detail,
            reasons,
            conflict,
        }
    }
}

/// Everything the wizard's parts share.
#[derive(Clone, Copy)]
struct WizardState {
    ids: StoredValue<Vec<Uuid>>,
    records: RwSignal<Option<Result<Vec<CustomerView>, ApiError>>>,
    survivor: RwSignal<Option<Uuid>>,
    /// The values the person chose, by field; the rest follow the rules.
    choices: RwSignal<BTreeMap<String, Uuid>>,
    preview: RwSignal<Option<Result<MergePreview, ApiError>>>,
    /// A preview is on its way (or waiting for the pause after a change).
    previewing: RwSignal<bool>,
    refused: RwSignal<Option<Refusal>>,
    merging: RwSignal<bool>,
    /// Bumped by "Reload": the records and the preview load again.
    version: RwSignal<u32>,
    /// Owners' names by id, to name an `owner_id`.
    users: RwSignal<HashMap<Uuid, String>>,
    /// Custom field labels by key.
    custom: RwSignal<HashMap<String, String>>,
    navigate: StoredValue<Navigate, LocalStorage>,
    toasts: Toasts,
}

impl WizardState {
    fn new(ids: Vec<Uuid>) -> WizardState {
        let navigate = use_navigate();
        WizardState {
            ids: StoredValue::new(ids),
            records: RwSignal::new(None),
            survivor: RwSignal::new(None),
            choices: RwSignal::new(BTreeMap::new()),
            preview: RwSignal::new(None),
            previewing: RwSignal::new(false),
            refused: RwSignal::new(None),
            merging: RwSignal::new(false),
            version: RwSignal::new(0),
            users: RwSignal::new(HashMap::new()),
            custom: RwSignal::new(HashMap::new()),
            navigate: StoredValue::new_local(Box::new(move |path: &str, options| {
                navigate(path, options)
            })),
            toasts: use_toasts(),
        }
    }

    fn records(&self) -> Vec<CustomerView> {
        self.records
            .with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .unwrap_or_default()
    }

    /// The records in the bin (merged before, or deleted): a merge of them cannot go ahead.
    fn binned(&self) -> Vec<String> {
        self.records()
            .iter()
            .filter(|c| c.deleted_at.is_some())
            .map(|c| {
                let who = customer_words(&c.customer_code, &c.name);
                if c.merged_into.is_some() {
                    format!("{who} was already merged into another customer.")
                } else {
                    format!("{who} is in the bin.")
                }
            })
            .collect()
    }

    fn preview_ok(&self) -> bool {
        self.preview.with(|p| matches!(p, Some(Ok(_))))
    }

    /// The request the wizard stands for, once the survivor is known.
    fn input(&self) -> Option<MergeInput> {
        let survivor = self.survivor.get()?;
        Some(MergeInput {
            survivor_id: survivor,
            merged_ids: self
                .ids
                .get_value()
                .into_iter()
                .filter(|id| *id != survivor)
                .collect(),
            fields: self.choices.get(),
        })
    }

    /// The record whose value `field` keeps: the person's choice, else the preview's.
    fn chosen(&self, field: &str) -> Option<Uuid> {
        self.choices
            .with(|c| c.get(field).copied())
            .or_else(|| self.with_field(field, |f| f.chosen))
    }

    /// How `field`'s value was chosen: by the person, or by which rule.
    fn rule(&self, field: &str) -> Option<String> {
        if self.choices.with(|c| c.contains_key(field)) {
            return Some("choice".to_owned());
        }
        self.with_field(field, |f| f.rule.clone())
    }

    fn with_field<R>(
        &self,
        field: &str,
        f: impl FnOnce(&tenure_api_types::MergeFieldView) -> R,
    ) -> Option<R> {
        self.preview.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .and_then(|p| p.fields.iter().find(|v| v.field == field))
                .map(f)
        })
    }

    fn choose(&self, field: &str, id: Uuid) {
        self.refused.set(None);
        self.choices.update(|c| {
            c.insert(field.to_owned(), id);
        });
    }

    /// An id a value names: one of the records by its code, or an owner by name.
    fn name_of(&self, id: Uuid) -> Option<String> {
        self.records
            .with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|r| r.iter().find(|c| c.id == id))
                    .map(|c| c.customer_code.clone())
            })
            .or_else(|| self.users.with(|u| u.get(&id).cloned()))
    }

    /// Loads the records again and, through them, the preview (after a refusal).
    fn reload(&self) {
        self.refused.set(None);
        self.version.update(|v| *v += 1);
    }

    fn merge(self) {
        let toasts = self.toasts;
        let Some(input) = self.input_untracked() else {
            return;
        };
        let survivor = input.survivor_id;
        self.refused.set(None);
        run_busy(self.merging, async move {
            match api::merge(&input).await {
                Ok(done) => {
                    let merged: Vec<String> = done
                        .merged
                        .iter()
                        .map(|m| m.customer_code.clone())
                        .collect();
                    toasts.info(format!(
                        "Merged {} into {}.",
                        and_list(&merged),
                        done.survivor.customer_code
                    ));
                    let path = format!("/customers/{survivor}");
                    self.navigate
                        .with_value(|navigate| navigate(&path, NavigateOptions::default()));
                }
                Err(error) => drop(self.refused.try_set(Some(Refusal::of(&error)))),
            }
        });
    }

    fn input_untracked(&self) -> Option<MergeInput> {
        untrack(|| self.input())
    }
}

fn use_wizard() -> WizardState {
    expect_context::<WizardState>()
}

#[component]
fn Wizard(ids: Vec<Uuid>) -> impl IntoView {
    let wizard = WizardState::new(ids);
    provide_context(wizard);
    load_records(wizard);
    follow_preview(wizard);
    spawn_local(async move {
        if let Ok(list) = api::users().await {
            wizard
                .users
                .try_set(list.items.into_iter().map(|u| (u.id, u.name)).collect());
        }
    });
    spawn_local(async move {
        if let Ok(list) = api::custom_fields().await {
            wizard
                .custom
                .try_set(list.items.into_iter().map(|f| (f.key, f.label)).collect());
        }
    });
    let retry = Callback::new(move |_| wizard.reload());
    move || match wizard.records.get() {
        None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
        Some(Err(error)) if error.status == 404 => view! {
            <EmptyState title="A customer was not found"
                hint="One of the customers this link names does not exist in your organisation.">
                <a class="btn" href="/duplicates">"Review possible duplicates"</a>
            </EmptyState>
        }
        .into_any(),
        Some(Err(error)) => {
            view! { <ErrorState message=error.message() on_retry=retry/> }.into_any()
        }
        Some(Ok(_)) => {
            let binned = wizard.binned();
            if binned.is_empty() {
                view! { <WizardBody/> }.into_any()
            } else {
                view! {
                    <Banner tone="warn">
                        <Icon name="alert"/>
                        <div data-testid="merge-blocked">
                            <p class="banner-title">"Only customers outside the bin can be merged."</p>
                            <ul class="banner-list">{binned.into_iter().map(|b| view! { <li>{b}</li> }).collect_view()}</ul>
                        </div>
                    </Banner>
                }
                .into_any()
            }
        }
    }
}

/// Loads the records (again on "Reload"), and picks the oldest as the survivor unless one
/// was chosen that is still among them.
fn load_records(wizard: WizardState) {
    let sequence = StoredValue::new(0_u64);
    Effect::new(move |_| {
        wizard.version.track();
        let ticket = sequence.get_value() + 1;
        sequence.set_value(ticket);
        let ids = wizard.ids.get_value();
        wizard.records.set(None);
        spawn_local(async move {
            let mut loaded = Vec::with_capacity(ids.len());
            for id in ids {
                match api::customer(id).await {
                    Ok(customer) => loaded.push(customer),
                    Err(error) => {
                        if sequence.try_get_value() == Some(ticket) {
                            wizard.records.try_set(Some(Err(error)));
                        }
                        return;
                    }
                }
            }
            if sequence.try_get_value() != Some(ticket) {
                return;
            }
            let kept = wizard
                .survivor
                .get_untracked()
                .filter(|s| loaded.iter().any(|c| c.id == *s));
            let survivor = kept.or_else(|| default_survivor(&loaded));
            if wizard.survivor.get_untracked() != survivor {
                wizard.survivor.try_set(survivor);
            }
            wizard.records.try_set(Some(Ok(loaded)));
        });
    });
}

/// Asks for the preview whenever the survivor or a choice changes: at once the first time,
/// then after a pause, so clicking through several fields asks once. Only the answer to the
/// newest question is shown.
fn follow_preview(wizard: WizardState) {
    let ticket = StoredValue::new(0_u64);
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let loaded = wizard.records.with(|r| matches!(r, Some(Ok(_))));
        let input = wizard.input();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let mine = ticket.get_value() + 1;
        ticket.set_value(mine);
        let Some(input) = input.filter(|_| loaded) else {
            wizard.previewing.set(false);
            return;
        };
        wizard.previewing.set(true);
        let ask = move || {
            spawn_local(async move {
                let answer = api::preview_merge(&input).await;
                if ticket.try_get_value() != Some(mine) {
                    return;
                }
                wizard.previewing.try_set(false);
                wizard.preview.try_set(Some(answer));
            });
        };
        if wizard.preview.with_untracked(Option::is_none) {
            ask();
        } else {
            pending.set_value(set_timeout_with_handle(ask, PAUSE).ok());
        }
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
    });
}

#[component]
fn WizardBody() -> impl IntoView {
    view! {
        <MergeRefusal/>
        <div class="merge-layout" data-testid="merge-wizard">
            <div class="merge-main">
                <SurvivorChoice/>
                <FieldChoices/>
            </div>
            <ResultPane/>
        </div>
    }
}

/// Why the merge was refused, each reason on its line, with a way to load the records again.
#[component]
fn MergeRefusal() -> impl IntoView {
    let wizard = use_wizard();
    move || {
        wizard.refused.get().map(|refusal| {
            let conflict = refusal.conflict;
            view! {
                <RefusalBanner title=refusal.title detail=refusal.detail reasons=refusal.reasons
                    testid="merge-refused">
                    {conflict.then(|| view! {
                        <button type="button" class="btn" on:click=move |_| wizard.reload()>
                            <Icon name="refresh"/>"Reload the records"
                        </button>
                    })}
                </RefusalBanner>
            }
        })
    }
}

/// Step 1: one card per record, a radio each; the survivor is marked.
#[component]
fn SurvivorChoice() -> impl IntoView {
    let wizard = use_wizard();
    let cards = wizard
        .records()
        .into_iter()
        .map(|c| {
            let id = c.id;
            let checked = move || wizard.survivor.get() == Some(id);
            let contact = [c.email.clone(), c.phone.clone(), c.website.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            view! {
                <label class="merge-record" class:is-survivor=checked data-id=id.to_string()
                    data-testid="survivor-choice">
                    <input type="radio" name="merge-survivor" value=id.to_string()
                        prop:checked=checked
                        on:change=move |_| {
                            wizard.refused.set(None);
                            wizard.survivor.set(Some(id));
                        }/>
                    <span class="merge-record-body">
                        <span class="merge-record-head">
                            <span class="customer-code">{c.customer_code.clone()}</span>
                            <strong class="merge-record-name">{c.name.clone()}</strong>
                            <Show when=checked>
                                <Badge tone=Tone::Good text="Survivor"/>
                            </Show>
                        </span>
                        {(!contact.is_empty()).then(|| view! { <span class="cell-sub">{contact}</span> })}
                        <span class="merge-record-meta">
                            <StatusBadge status=c.status.clone()/>
                            <span class="muted">{record_dates(c.created_at, c.updated_at, now())}</span>
                            {c.source.clone().map(|s| view! { <span class="muted">{format!("Source: {s}")}</span> })}
                        </span>
                    </span>
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="card merge-step" aria-labelledby="merge-survivor-heading">
            <h2 id="merge-survivor-heading"><span class="merge-step-number" aria-hidden="true">"1"</span>"Keep which record?"</h2>
            <p class="hint">"The survivor keeps its id, code and history; the others are folded into it and move to the bin. The oldest record is suggested."</p>
            <div class="merge-records" role="radiogroup" aria-labelledby="merge-survivor-heading">{cards}</div>
        </section>
    }
}

/// Step 2: a row per field the records disagree on, a radio per record's value; the fields
/// they agree on folded under "N fields agree".
#[component]
fn FieldChoices() -> impl IntoView {
    let wizard = use_wizard();
    let records = StoredValue::new(wizard.records());
    // The last answered preview's rows, kept while a fresh one is asked for.
    let rows = Memo::new(
        move |previous: Option<&Option<(Vec<FieldRow>, Vec<FieldRow>)>>| {
            wizard.preview.with(|p| match p {
                Some(Ok(preview)) => Some(field_rows(preview)),
                _ => previous.cloned().flatten(),
            })
        },
    );
    let error = move || {
        wizard.preview.with(|p| match p {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        })
    };
    let columns = move || {
        records.with_value(|records| {
            records
                .iter()
                .map(|c| {
                    let id = c.id;
                    view! {
                        <th scope="col" data-id=id.to_string()>
                            <span class="customer-code">{c.customer_code.clone()}</span>
                            <Show when=move || wizard.survivor.get() == Some(id)>
                                " "<Badge tone=Tone::Good text="Survivor"/>
                            </Show>
                        </th>
                    }
                })
                .collect_view()
        })
    };
    let table = move || {
        let Some((differ, agree)) = rows.get() else {
            return view! { <div class="skeleton-block small" aria-busy="true"></div> }.into_any();
        };
        let agree_count = agree.len();
        let differ_count = differ.len();
        let agreed = agree
            .into_iter()
            .map(|row| {
                let field = row.field.clone();
                let label = move || field_label(&row.field, &wizard.custom.get());
                let value = row
                    .values
                    .first()
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Null);
                let currency = records
                    .with_value(|r| r.first().map(|c| c.currency.clone()))
                    .unwrap_or_default();
                let text = move || value_text(&field, &value, &currency, &|id| wizard.name_of(id));
                view! { <div><dt>{label}</dt><dd>{text}</dd></div> }
            })
            .collect_view();
        view! {
            {if differ_count == 0 {
                view! { <p class="muted" data-testid="merge-no-differences">"The records agree on every field: there is nothing to choose."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table merge-fields" data-testid="merge-fields">
                            <caption class="visually-hidden">"The value the survivor keeps, field by field"</caption>
                            <thead><tr><th scope="col">"Field"</th>{columns}</tr></thead>
                            <tbody>
                                <For each=move || rows.get().map(|(d, _)| d).unwrap_or_default()
                                    key=|row| row.field.clone() let:row>
                                    <FieldChoiceRow row=row records=records.get_value()/>
                                </For>
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {(agree_count > 0).then(|| view! {
                <details class="merge-agree" data-testid="merge-agree">
                    <summary>{format!("{} agree", format::count_noun(agree_count as u64, "field", "fields"))}</summary>
                    <dl class="facts">{agreed}</dl>
                </details>
            })}
        }
        .into_any()
    };
    view! {
        <section class="card merge-step" aria-labelledby="merge-fields-heading">
            <h2 id="merge-fields-heading"><span class="merge-step-number" aria-hidden="true">"2"</span>"Choose the values it keeps"</h2>
            <p class="hint">"Where the records disagree, pick the value to keep. Each starts at what your organisation's merge rules choose."</p>
            {move || error().map(|e| view! {
                <Banner tone="error">
                    <div>
                        <p class="banner-title">"The preview could not be made."</p>
                        <p>{e.message()}</p>
                        <ul class="banner-list">{e.errors.iter().map(|f| view! { <li>{f.message.clone()}</li> }).collect_view()}</ul>
                    </div>
                </Banner>
            })}
            {table}
        </section>
    }
}

/// The preview's fields as rows: the ones the records disagree on, then the ones they agree on.
fn field_rows(preview: &MergePreview) -> (Vec<FieldRow>, Vec<FieldRow>) {
    // By id, not in the preview's order (the survivor's first), so that choosing another
    // survivor does not redraw the table.
    let row = |f: &tenure_api_types::MergeFieldView| {
        let mut values: Vec<(Uuid, Value)> = f
            .values
            .iter()
            .map(|v| (v.customer_id, v.value.clone()))
            .collect();
        values.sort_by_key(|(id, _)| *id);
        FieldRow {
            field: f.field.clone(),
            values,
        }
    };
    let (differ, agree) = crate::pages::merge::split_fields(&preview.fields);
    (
        differ.into_iter().map(row).collect(),
        agree.into_iter().map(row).collect(),
    )
}

#[component]
fn FieldChoiceRow(row: FieldRow, records: Vec<CustomerView>) -> impl IntoView {
    let wizard = use_wizard();
    let field = StoredValue::new(row.field.clone());
    let label = move || field.with_value(|f| field_label(f, &wizard.custom.get()));
    let hint = move || field.with_value(|f| wizard.rule(f)).map(|r| rule_hint(&r));
    let chose = move || field.with_value(|f| wizard.rule(f)).as_deref() == Some("choice");
    let cells = records
        .into_iter()
        .map(|c| {
            let id = c.id;
            let value = row
                .values
                .iter()
                .find(|(v, _)| *v == id)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null);
            let currency = c.currency.clone();
            let text = move || {
                field.with_value(|f| value_text(f, &value, &currency, &|i| wizard.name_of(i)))
            };
            let checked = move || field.with_value(|f| wizard.chosen(f)) == Some(id);
            let code = c.customer_code.clone();
            let column = c.customer_code.clone();
            view! {
                <td data-label=column data-id=id.to_string() class="merge-cell" class:is-chosen=checked>
                    <label class="merge-choice">
                        <input type="radio" name=field.with_value(|f| format!("merge-field-{f}"))
                            value=id.to_string() prop:checked=checked
                            on:change=move |_| field.with_value(|f| wizard.choose(f, id))/>
                        <span class="visually-hidden">{move || format!("{} from {code}: ", label())}</span>
                        <span class="merge-value">{text}</span>
                    </label>
                </td>
            }
        })
        .collect_view();
    view! {
        <tr data-field=row.field.clone()>
            <th scope="row" class="col-name">
                <span class="merge-field-name">{label}</span>
                <span class="merge-rule" class:is-choice=chose data-testid="merge-rule">{hint}</span>
            </th>
            {cells}
        </tr>
    }
}

/// The facts of the survivor the result pane shows, beside whether the merge changes them.
fn result_facts(
    result: &CustomerView,
    before: Option<&CustomerView>,
    name_of: impl Fn(Uuid) -> Option<String>,
) -> Vec<(&'static str, String, bool)> {
    let facts = |c: &CustomerView| -> Vec<(&'static str, String)> {
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
        vec![
            ("Name", c.name.clone()),
            ("Code", c.customer_code.clone()),
            ("Email", dash(&c.email)),
            ("Phone", dash(&c.phone)),
            ("Website", dash(&c.website)),
            ("Status", format::label(&c.status)),
            ("Plan", dash(&c.plan)),
            ("Tier", dash(&c.tier)),
            ("MRR", format::money(&c.mrr, &c.currency, false)),
            ("Country", dash(&c.country)),
            (
                "Owner",
                c.owner_id.map_or_else(
                    || "—".to_owned(),
                    |o| name_of(o).unwrap_or_else(|| o.to_string()),
                ),
            ),
        ]
    };
    let old = before.map(facts);
    facts(result)
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let changed = old
                .as_ref()
                .and_then(|old| old.get(i))
                .is_some_and(|(_, was)| *was != value);
            (label, value, changed)
        })
        .collect()
}

/// Step 3 and 4: the survivor as it would be, what moves to it, and the merge.
#[component]
fn ResultPane() -> impl IntoView {
    let wizard = use_wizard();
    let confirm = RwSignal::new(false);
    let count = wizard.ids.with_value(Vec::len);
    // The last answered preview, kept while a fresh one is asked for.
    let preview = Memo::new(move |previous: Option<&Option<MergePreview>>| {
        wizard.preview.with(|p| match p {
            Some(Ok(p)) => Some(p.clone()),
            _ => previous.cloned().flatten(),
        })
    });
    let ready = move || {
        wizard.preview_ok()
            && !wizard.previewing.get()
            && !wizard.merging.get()
            && wizard.refused.with(Option::is_none)
    };
    let body = move || {
        preview.get().map(|p| {
            let facts = result_facts(&p.result, p.records.first(), |id| wizard.name_of(id));
            let moves = moves_words(&p.moves);
            let behind = left_behind_words(&p.moves);
            view! {
                <dl class="merge-result-facts">
                    {facts.into_iter().map(|(label, value, changed)| view! {
                        <div class:is-changed=changed data-fact=label>
                            <dt>{label}</dt>
                            <dd>{value}{changed.then(|| view! { <span class="merge-changed">"changed"</span> })}</dd>
                        </div>
                    }).collect_view()}
                </dl>
                {(!p.tags.is_empty()).then(|| view! {
                    <div class="merge-tags">
                        <h3>"Tags"</h3>
                        <p>{p.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> " " }).collect_view()}</p>
                    </div>
                })}
                <h3>"What moves to the survivor"</h3>
                {if moves.is_empty() {
                    view! { <p class="muted" data-testid="merge-moves">"Nothing else moves."</p> }.into_any()
                } else {
                    view! {
                        <ul class="merge-moves" data-testid="merge-moves">
                            {moves.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {behind.map(|b| view! { <p class="hint">{b}</p> })}
            }
        })
    };
    let survivor_words = move || {
        let survivor = wizard.survivor.get();
        wizard
            .records()
            .into_iter()
            .find(|c| Some(c.id) == survivor)
            .map(|c| customer_words(&c.customer_code, &c.name))
            .unwrap_or_default()
    };
    let others = move || {
        let survivor = wizard.survivor.get();
        let codes: Vec<String> = wizard
            .records()
            .into_iter()
            .filter(|c| Some(c.id) != survivor)
            .map(|c| c.customer_code)
            .collect();
        and_list(&codes)
    };
    let message = Signal::derive(move || {
        format!(
            "{} will be folded into {}: their contacts, activity and other records move to it, \
             and they go to the bin marked as merged. You can undo the merge from the merge history.",
            others(),
            survivor_words()
        )
    });
    let on_confirm = Callback::new(move |_| wizard.merge());
    let label = format!("Merge {count} records");
    view! {
        <aside class="card merge-result" aria-labelledby="merge-result-heading"
            aria-busy=move || wizard.previewing.get().to_string() data-testid="merge-result">
            <div class="card-head">
                <h2 id="merge-result-heading"><span class="merge-step-number" aria-hidden="true">"3"</span>"The result"</h2>
                {move || wizard.previewing.get().then(|| view! { <Spinner/> })}
            </div>
            {move || match body() {
                Some(body) => body.into_any(),
                None => view! { <div class="skeleton-block small" aria-busy="true"></div> }.into_any(),
            }}
            <div class="merge-submit">
                <button type="button" class="btn btn-primary btn-block" data-testid="merge-submit"
                    disabled=move || !ready() on:click=move |_| confirm.set(true)>
                    {move || wizard.merging.get().then(|| view! { <Spinner/> })}
                    <Icon name="merge"/>{label.clone()}
                </button>
                <a class="btn btn-ghost btn-block" href="/duplicates">"Cancel"</a>
            </div>
        </aside>
        <Confirm open=confirm title=format!("Merge {count} records?") message=message
            confirm="Merge records" on_confirm=on_confirm/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(n: u128, email: Option<&str>) -> CustomerView {
        serde_json::from_value(serde_json::json!({
            "id": Uuid::from_u128(n), "customer_code": format!("CUS-{n}"), "kind": "company",
            "name": "Acme", "email": email, "status": "active", "customer_type": "standard",
            "currency": "USD", "mrr": "100", "ltv": "0", "payment_status": "current",
            "tags": [], "custom_fields": {}, "settings": {}, "portal_access": false,
            "tenure_days": 0, "version": 1,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .expect("a customer view")
    }

    #[test]
    fn the_result_marks_what_the_merge_changes_on_the_survivor() {
        let before = customer(1, None);
        let after = customer(1, Some("ops@acme.example"));
        let facts = result_facts(&after, Some(&before), |_| None);
        let email = facts.iter().find(|(l, _, _)| *l == "Email");
        assert_eq!(email, Some(&("Email", "ops@acme.example".to_owned(), true)));
        let name = facts.iter().find(|(l, _, _)| *l == "Name");
        assert_eq!(name, Some(&("Name", "Acme".to_owned(), false)));
        assert!(
            result_facts(&after, None, |_| None)
                .iter()
                .all(|(_, _, changed)| !changed)
        );
    }

    #[test]
    fn a_conflict_offers_a_reload_and_lists_each_reason() {
        let error = ApiError {
            status: 409,
            code: "merge_conflict".to_owned(),
            title: "Conflict".to_owned(),
            detail: Some("The records changed.".to_owned()),
            errors: vec![tenure_api_types::ProblemField {
                field: "merged_ids[0]".to_owned(),
                message: "CUS-2 is in the bin".to_owned(),
            }],
        };
        let refusal = Refusal::of(&error);
        assert!(refusal.conflict);
        assert_eq!(refusal.reasons, vec!["CUS-2 is in the bin."]);
        assert!(
            !Refusal::of(&ApiError {
                status: 403,
                ..error
            })
            .conflict
        );
    }
}
