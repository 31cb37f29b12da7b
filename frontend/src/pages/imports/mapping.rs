//! Step 2: which field each column of the file feeds. The server has already guessed (from
//! the headers, with a confidence); people pick a vendor template, change single columns, and
//! say how rows find existing customers, or apply a mapping saved earlier ([`super::saved`]).
//! Only the columns someone changed are sent as overrides, so the server's template and
//! auto-mapping stay in charge of the rest; what the server saved is shown again after the
//! save.

use std::collections::{BTreeMap, HashMap};

use leptos::prelude::*;
use serde_json::{Map, Value};
use tenure_api_types::{
    ImportColumn, ImportJobView, ImportMappingInput, ImportMatchInput, ImportTemplateView,
    ImportTransformInput,
};

use crate::api::{self, ApiError};
use crate::components::{Banner, ErrorState, Field, FieldKind, Spinner, run_busy, use_toasts};
use crate::format;
use crate::pages::imports::saved::{SavedMappingDialogs, SavedMappingPicker, SavedMappings};
use crate::pages::imports::{may_run, use_imports};

/// A header folded for comparison as the server folds it: ASCII letters and digits,
/// lower-cased (`Company Domain Name` and `company_domain_name` agree).
pub fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// How a column will be mapped, as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub target: Option<String>,
    /// `exact`, `alias`, `fuzzy` or `user`; `None` when ignored.
    pub confidence: Option<String>,
    pub transforms: Vec<String>,
}

/// The mapping the table shows, resolved as the server resolves it: someone's choice first,
/// then the template chosen here (when it is not the one the server already applied), then
/// the server's own mapping; an automatic mapping gives way when a choice or the template gave
/// its field to another column.
pub fn preview(
    columns: &[ImportColumn],
    template: Option<&ImportTemplateView>,
    applied: bool,
    overrides: &BTreeMap<String, Option<String>>,
) -> Vec<Mapped> {
    let from_template = |column: &ImportColumn| -> Option<Mapped> {
        let template = template.filter(|_| !applied)?;
        let key = header_key(&column.header);
        template.columns.iter().find_map(|c| {
            let exact = header_key(&c.header) == key;
            let alias = c.aliases.iter().any(|a| header_key(a) == key);
            (exact || alias).then(|| Mapped {
                target: Some(c.target.clone()),
                confidence: Some(if exact { "exact" } else { "alias" }.to_owned()),
                transforms: c.transform.iter().cloned().collect(),
            })
        })
    };
    let chosen: Vec<&str> = columns
        .iter()
        .filter_map(|c| overrides.get(&c.header))
        .filter_map(|choice| choice.as_deref())
        .collect();
    let templated: Vec<Option<Mapped>> = columns
        .iter()
        .map(from_template)
        .map(|m| m.filter(|m| !m.target.as_deref().is_some_and(|t| chosen.contains(&t))))
        .collect();
    let claimed: Vec<&str> = templated
        .iter()
        .flatten()
        .filter_map(|m| m.target.as_deref())
        .chain(chosen.iter().copied())
        .collect();
    columns
        .iter()
        .zip(&templated)
        .map(|(column, templated)| {
            if let Some(choice) = overrides.get(&column.header) {
                return Mapped {
                    target: choice.clone(),
                    confidence: choice.as_ref().map(|_| "user".to_owned()),
                    transforms: Vec::new(),
                };
            }
            if let Some(mapped) = templated {
                return mapped.clone();
            }
            match &column.mapping {
                Some(m) if !claimed.contains(&m.target.as_str()) => Mapped {
                    target: Some(m.target.clone()),
                    confidence: Some(m.confidence.clone()),
                    transforms: m.transforms.clone(),
                },
                _ => Mapped {
                    target: None,
                    confidence: None,
                    transforms: Vec::new(),
                },
            }
        })
        .collect()
}

/// How rows find existing customers when nobody said: by the strongest key the file has.
pub fn default_match(mapped: &[Mapped]) -> &'static str {
    let has = |target: &str| mapped.iter().any(|m| m.target.as_deref() == Some(target));
    if has("external_id") {
        "external_id"
    } else if has("email") {
        "email"
    } else if has("website") {
        "domain"
    } else {
        "none"
    }
}

/// A target as a person reads it: `billing_address.city` -> `Billing address › City`.
pub fn target_label(target: &str) -> String {
    let word = |part: &str| match part {
        "external_id" => "External ID".to_owned(),
        "tax_id" => "Tax ID".to_owned(),
        "mrr" => "MRR".to_owned(),
        "ltv" => "LTV".to_owned(),
        other => format::humanize(other),
    };
    target.split('.').map(word).collect::<Vec<_>>().join(" › ")
}

/// A vendor as it spells itself.
fn vendor_name(vendor: &str) -> String {
    match vendor {
        "hubspot" => "HubSpot".to_owned(),
        other => format::humanize(other),
    }
}

/// The column a refusal's field names (`columns.Owner`, `columns[Owner]`, `columns["Owner"]`).
pub fn column_of_error(field: &str) -> Option<&str> {
    let rest = field.strip_prefix("columns")?;
    let name = rest
        .strip_prefix('.')
        .or_else(|| rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')))?;
    let name = name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name);
    (!name.is_empty()).then_some(name)
}

/// The wire spelling of the match policy's fields, as the form keys them.
fn match_key(field: &str) -> Option<&'static str> {
    let rest = field
        .strip_prefix("match.")
        .or_else(|| field.strip_prefix("match_policy."))?;
    match rest {
        "by" => Some("match.by"),
        "on_match" => Some("match.on_match"),
        _ => None,
    }
}

/// A saved mapping fitted to a file: the columns and transforms of headers the file has, and
/// the headers it lacks (the server refuses a mapping that names a column the file does not
/// have).
pub fn fit_to_file(
    mapping: &ImportMappingInput,
    headers: &[String],
) -> (ImportMappingInput, Vec<String>) {
    let known = |header: &String| headers.contains(header);
    let mut missing: Vec<String> = mapping
        .columns
        .keys()
        .chain(mapping.transforms.keys())
        .filter(|h| !known(h))
        .cloned()
        .collect();
    missing.sort();
    missing.dedup();
    let fitted = ImportMappingInput {
        columns: mapping
            .columns
            .iter()
            .filter(|(h, _)| known(h))
            .map(|(h, t)| (h.clone(), t.clone()))
            .collect(),
        transforms: mapping
            .transforms
            .iter()
            .filter(|(h, _)| known(h))
            .map(|(h, t)| (h.clone(), t.clone()))
            .collect(),
        ..mapping.clone()
    };
    (fitted, missing)
}

/// Everything the Map step's form holds, as signals: what `PUT /imports/{id}/mapping` takes.
/// Transforms, defaults and the source have no controls here; they come from the job's saved
/// mapping or a saved mapping applied, and go back as they came.
#[derive(Clone, Copy)]
pub struct MapState {
    pub template: RwSignal<String>,
    /// Someone's choice per column header (`None` ignores the column).
    pub overrides: RwSignal<BTreeMap<String, Option<String>>>,
    pub transforms: RwSignal<BTreeMap<String, Vec<ImportTransformInput>>>,
    pub defaults: RwSignal<Map<String, Value>>,
    pub by: RwSignal<String>,
    /// The match key last guessed from the mapping: `by` follows the guesses while it is this.
    auto_by: StoredValue<String>,
    pub on_match: RwSignal<String>,
    pub source: RwSignal<Option<String>>,
}

impl MapState {
    /// The form's mapping as the API takes it.
    pub fn input(&self) -> ImportMappingInput {
        let by = self.by.get_untracked();
        ImportMappingInput {
            template: Some(self.template.get_untracked()),
            columns: self.overrides.get_untracked(),
            transforms: self.transforms.get_untracked(),
            defaults: self.defaults.get_untracked(),
            match_policy: Some(ImportMatchInput {
                on_match: (by != "none").then(|| self.on_match.get_untracked()),
                by: Some(by),
                source: self.source.get_untracked(),
            }),
        }
    }

    /// Takes in `mapping` as if someone had chosen each of its settings here; a match key it
    /// does not name follows the mapping, as it does before anyone picks one.
    pub fn apply(&self, mapping: &ImportMappingInput) {
        let policy = mapping.match_policy.clone().unwrap_or_default();
        self.template.set(
            mapping
                .template
                .clone()
                .unwrap_or_else(|| "custom".to_owned()),
        );
        self.overrides.set(mapping.columns.clone());
        self.transforms.set(mapping.transforms.clone());
        self.defaults.set(mapping.defaults.clone());
        self.source.set(policy.source);
        self.on_match
            .set(policy.on_match.unwrap_or_else(|| "update".to_owned()));
        self.by
            .set(policy.by.unwrap_or_else(|| self.auto_by.get_value()));
    }
}

const MATCH_BY: [(&str, &str); 4] = [
    ("external_id", "External ID"),
    ("email", "Email"),
    ("domain", "Website domain"),
    ("none", "Don't match: always create"),
];

const ON_MATCH: [(&str, &str); 3] = [
    ("update", "Update the customer"),
    ("fill_empty", "Only fill its empty fields"),
    ("skip", "Skip the row"),
];

fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

#[component]
pub fn MapStep(job: ImportJobView) -> impl IntoView {
    let imports = use_imports();
    move || match imports.templates.get() {
        None => view! { <div class="skeleton-block" aria-busy="true"></div> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorState message=e.message() on_retry=Callback::new(move |_| {
                imports.templates.set(None);
                leptos::task::spawn_local(async move {
                    let list = api::import_templates().await;
                    imports.templates.try_set(Some(list));
                });
            })/>
        }
        .into_any(),
        Some(Ok(list)) => {
            view! { <MapForm job=job.clone() templates=list.items targets=list.targets/> }
                .into_any()
        }
    }
}

#[component]
fn MapForm(
    job: ImportJobView,
    templates: Vec<ImportTemplateView>,
    targets: Vec<String>,
) -> impl IntoView {
    let imports = use_imports();
    let toasts = use_toasts();
    let writer = may_run();
    let saved: ImportMappingInput = job
        .mapping
        .clone()
        .and_then(|m| serde_json::from_value(m).ok())
        .unwrap_or_default();
    let applied_template = job
        .template
        .clone()
        .or_else(|| saved.template.clone())
        .unwrap_or_else(|| "custom".to_owned());
    let state = MapState {
        template: RwSignal::new(applied_template.clone()),
        overrides: RwSignal::new(saved.columns.clone()),
        transforms: RwSignal::new(saved.transforms.clone()),
        defaults: RwSignal::new(saved.defaults.clone()),
        by: RwSignal::new(String::new()),
        auto_by: StoredValue::new(String::new()),
        on_match: RwSignal::new(
            job.match_policy
                .as_ref()
                .map(|m| m.on_match.clone())
                .or_else(|| saved.match_policy.as_ref().and_then(|m| m.on_match.clone()))
                .unwrap_or_else(|| "update".to_owned()),
        ),
        source: RwSignal::new(saved.match_policy.as_ref().and_then(|m| m.source.clone())),
    };
    let MapState {
        template,
        overrides,
        by,
        auto_by,
        on_match,
        ..
    } = state;
    let field_errors = RwSignal::new(HashMap::<String, String>::new());
    let banner = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let id = job.id;
    let total_rows = job.total_rows;
    let columns = StoredValue::new(job.columns.clone());
    let templates = StoredValue::new(templates);
    let saved_mappings = SavedMappings::new(
        state,
        job.columns.iter().map(|c| c.header.clone()).collect(),
    );

    let mapped = Memo::new(move |_| {
        let chosen = template.get();
        let applied = chosen == applied_template;
        templates.with_value(|all| {
            let template = all.iter().find(|t| t.id == chosen);
            columns.with_value(|columns| overrides.with(|o| preview(columns, template, applied, o)))
        })
    });
    // The match key follows the mapping until someone picks one.
    let initial_by = job
        .match_policy
        .as_ref()
        .map(|m| m.by.clone())
        .or_else(|| saved.match_policy.as_ref().and_then(|m| m.by.clone()));
    match initial_by {
        Some(chosen) => by.set(chosen),
        None => {
            let guess = mapped.with_untracked(|m| default_match(m)).to_owned();
            auto_by.set_value(guess.clone());
            by.set(guess);
        }
    }
    Effect::new(move |_| {
        let guess = mapped.with(|m| default_match(m)).to_owned();
        if by.get_untracked() == auto_by.get_value() && guess != auto_by.get_value() {
            auto_by.set_value(guess.clone());
            by.set(guess);
        }
    });

    let duplicates = Memo::new(move |_| {
        mapped.with(|rows| {
            let mut seen = HashMap::<String, usize>::new();
            for target in rows.iter().filter_map(|m| m.target.clone()) {
                *seen.entry(target).or_default() += 1;
            }
            seen.into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(t, _)| t)
                .collect::<Vec<_>>()
        })
    });
    let mapped_count = move || mapped.with(|m| m.iter().filter(|m| m.target.is_some()).count());

    let template_options = Signal::derive(move || {
        let mut list = vec![("custom".to_owned(), "Custom (no template)".to_owned())];
        templates.with_value(|all| {
            list.extend(all.iter().map(|t| (t.id.clone(), t.label.clone())));
        });
        list
    });
    let template_hint = move || {
        let chosen = template.get();
        templates.with_value(|all| {
            all.iter().find(|t| t.id == chosen).map(|t| {
                format!(
                    "Each row becomes a {}. {} column names are recognised, and record ids are kept so that importing a newer export updates these customers.",
                    if t.kind == "person" { "person" } else { "company" },
                    vendor_name(&t.vendor)
                )
            })
        })
    };
    let error_of =
        move |key: &'static str| Signal::derive(move || field_errors.with(|f| f.get(key).cloned()));

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        field_errors.set(HashMap::new());
        banner.set(Vec::new());
        let input = state.input();
        run_busy(busy, async move {
            match api::save_import_mapping(id, &input).await {
                Ok(view) => {
                    toasts.info("Mapping saved.");
                    imports.changed(view);
                }
                Err(e) => show_refusal(&e, field_errors, banner),
            }
        });
    };

    let header_row = view! {
        <thead><tr>
            <th scope="col">"Column in the file"</th>
            <th scope="col">"Sample values"</th>
            <th scope="col" class="num">"Filled"</th>
            <th scope="col">"Maps to"</th>
            <th scope="col">"Confidence"</th>
        </tr></thead>
    };
    let target_options = StoredValue::new(grouped_targets(&targets));
    let row = move |(index, column): (usize, ImportColumn)| {
        let header = StoredValue::new(column.header.clone());
        let select_id = format!("map-column-{index}");
        let current = move || mapped.with(|m| m.get(index).cloned());
        let target = move || current().and_then(|m| m.target).unwrap_or_default();
        let initial = target();
        let row_error = Signal::derive(move || {
            header.with_value(|h| field_errors.with(|f| f.get(&format!("columns.{h}")).cloned()))
        });
        let error_id = format!("{select_id}-error");
        let duplicate = move || {
            let t = target();
            !t.is_empty() && duplicates.with(|d| d.contains(&t))
        };
        let filled_share = if total_rows > 0 {
            Some((column.filled as f64 / total_rows as f64 * 100.0).round())
        } else {
            None
        };
        let samples = distinct_samples(&column.samples, 3);
        let options = target_options.with_value(|groups| {
            groups
                .iter()
                .map(|(group, items)| {
                    let items = items
                        .iter()
                        .map(|t| {
                            let selected = *t == initial;
                            view! { <option value=t.clone() selected=selected>{target_label(t)}</option> }
                        })
                        .collect_view();
                    view! { <optgroup label=*group>{items}</optgroup> }
                })
                .collect_view()
        });
        let ignored = initial.is_empty();
        view! {
            <tr data-column=column.header.clone() class:is-ignored=move || target().is_empty()>
                <td class="col-name" data-label="Column">
                    <span class="row-title">{column.header.clone()}</span>
                </td>
                <td data-label="Sample values" class="col-samples">
                    {if samples.is_empty() {
                        view! { <span class="muted">"All empty"</span> }.into_any()
                    } else {
                        view! {
                            <ul class="samples">
                                {samples.into_iter().map(|s| view! { <li title=s.clone()>{s.clone()}</li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </td>
                <td class="num" data-label="Filled">
                    {format::thousands(column.filled)}
                    {filled_share.map(|p| view! { <span class="cell-sub">{format!("{p:.0}%")}</span> })}
                </td>
                <td data-label="Maps to" class="col-target">
                    <label class="visually-hidden" for=select_id.clone()>{format!("Field for column {}", column.header)}</label>
                    <select id=select_id class="target-select" disabled=move || !writer.get()
                        aria-invalid=move || row_error.with(Option::is_some).then_some("true")
                        aria-describedby=error_id.clone()
                        prop:value=target
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            let choice = (!value.is_empty()).then_some(value);
                            header.with_value(|h| overrides.update(|o| drop(o.insert(h.clone(), choice))));
                        }>
                        <option value="" selected=ignored>"— Ignore this column —"</option>
                        {options}
                    </select>
                    {move || {
                        let transforms = current().map(|m| m.transforms).unwrap_or_default();
                        (!transforms.is_empty()).then(|| {
                            let text = format!("Then: {}", transforms.join(", "));
                            let title = text.clone();
                            view! { <p class="hint transform-hint" title=title>{text}</p> }
                        })
                    }}
                    {move || duplicate().then(|| view! { <p class="hint warn-text">"Another column feeds this field too."</p> })}
                    <p class="field-error" id=format!("map-column-{index}-error") hidden=move || row_error.with(Option::is_none)>
                        {move || row_error.get().unwrap_or_default()}
                    </p>
                </td>
                <td data-label="Confidence" class="col-confidence">{move || confidence_badge(current().and_then(|m| m.confidence))}</td>
            </tr>
        }
    };
    let rows = columns.with_value(|c| c.iter().cloned().enumerate().map(row).collect_view());
    let file_facts = format!(
        "{} · {} · {} · {}",
        job.file_name,
        format::bytes(job.file_size),
        format::count_noun(job.total_rows, "row", "rows"),
        describe_format(&job.encoding, &job.delimiter)
    );
    let column_count = job.columns.len();

    view! {
        <form class="map-form" on:submit=save novalidate aria-labelledby="map-heading">
            <div class="step-head">
                <h2 id="map-heading">"Map columns"</h2>
                <p class="muted">{file_facts}</p>
            </div>
            {move || {
                let lines = banner.get();
                (!lines.is_empty()).then(|| view! {
                    <Banner tone="error">
                        <div>
                            <p class="banner-title">"The mapping was not saved."</p>
                            <ul class="banner-list">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                        </div>
                    </Banner>
                })
            }}
            <fieldset class="map-settings" disabled=move || !writer.get()>
                <SavedMappingPicker saved=saved_mappings on_applied=Callback::new(move |_| {
                    field_errors.set(HashMap::new());
                    banner.set(Vec::new());
                })/>
                <Field name="import-template" label="Template" kind=FieldKind::Select(template_options)
                    value=template error=error_of("template")/>
                <Field name="import-match-by" label="Find existing customers by" kind=FieldKind::Select(Signal::derive(|| options(&MATCH_BY)))
                    value=by error=error_of("match.by")/>
                <Show when=move || by.get() != "none">
                    <Field name="import-on-match" label="When a row matches a customer" kind=FieldKind::Select(Signal::derive(|| options(&ON_MATCH)))
                        value=on_match error=error_of("match.on_match")/>
                </Show>
            </fieldset>
            {move || template_hint().map(|text| view! { <p class="hint template-hint">{text}</p> })}
            <div class="table-wrap">
                <table class="data-table map-table" aria-label="Columns of the file and the fields they feed">
                    {header_row}
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="wizard-actions">
                <p class="muted" aria-live="polite">
                    {move || format!("{} of {column_count} columns mapped; the rest are ignored.", mapped_count())}
                </p>
                <Show when=move || writer.get()>
                    <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                        {move || busy.get().then(|| view! { <Spinner/> })}
                        "Save mapping"
                    </button>
                </Show>
            </div>
        </form>
        <SavedMappingDialogs saved=saved_mappings/>
    }
}

/// Puts a refused mapping's messages by their column or setting; the rest go in the banner.
fn show_refusal(
    error: &ApiError,
    fields: RwSignal<HashMap<String, String>>,
    banner: RwSignal<Vec<String>>,
) {
    let mut placed = HashMap::new();
    let mut lines = Vec::new();
    for e in &error.errors {
        if let Some(column) = column_of_error(&e.field) {
            placed.insert(format!("columns.{column}"), e.message.clone());
            lines.push(format!("{column}: {}", e.message));
        } else if let Some(key) = match_key(&e.field) {
            placed.insert(key.to_owned(), e.message.clone());
        } else if e.field == "template" {
            placed.insert("template".to_owned(), e.message.clone());
        } else {
            lines.push(format!("{}: {}", e.field, e.message));
        }
    }
    if error.errors.is_empty() {
        lines.push(error.message());
    }
    fields.set(placed);
    banner.set(lines);
}

/// Up to `n` different sample values, in the file's order (a city column often repeats).
fn distinct_samples(samples: &[String], n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sample in samples {
        if out.len() == n {
            break;
        }
        if !out.contains(sample) {
            out.push(sample.clone());
        }
    }
    out
}

/// The targets in three groups, as the select shows them.
fn grouped_targets(targets: &[String]) -> Vec<(&'static str, Vec<String>)> {
    let mut groups: Vec<(&'static str, Vec<String>)> = vec![
        ("Customer", Vec::new()),
        ("Billing address", Vec::new()),
        ("Primary contact", Vec::new()),
    ];
    for target in targets {
        let group = if target.starts_with("billing_address.") {
            1
        } else if target.starts_with("primary_contact.") {
            2
        } else {
            0
        };
        groups[group].1.push(target.clone());
    }
    groups.retain(|(_, items)| !items.is_empty());
    groups
}

/// `UTF-8, comma-separated`.
fn describe_format(encoding: &str, delimiter: &str) -> String {
    let separator = match delimiter {
        "," => "comma-separated",
        ";" => "semicolon-separated",
        "\t" => "tab-separated",
        "|" => "pipe-separated",
        _ => "delimited",
    };
    format!("{}, {separator}", encoding.to_uppercase())
}

fn confidence_badge(confidence: Option<String>) -> impl IntoView {
    let Some(confidence) = confidence else {
        return view! { <span class="muted">"—"</span> }.into_any();
    };
    let (class, text, title) = match confidence.as_str() {
        "exact" => (
            "tone-good",
            "Exact",
            "The header is the field's own name or the template's.",
        ),
        "alias" => (
            "tone-good",
            "Alias",
            "The header is a known other name of the field.",
        ),
        "fuzzy" => (
            "tone-warn",
            "Fuzzy",
            "The header is only spelled like the field: check it.",
        ),
        "user" => ("tone-accent", "Your choice", "Chosen here."),
        _ => ("tone-neutral", "Guess", "Mapped automatically."),
    };
    view! {
        <span class=format!("badge confidence {class}") title=title data-confidence=confidence>{text}</span>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenure_api_types::{ImportColumnMapping, ImportTemplateColumn};

    fn column(header: &str, mapped: Option<(&str, &str)>) -> ImportColumn {
        ImportColumn {
            index: 0,
            header: header.to_owned(),
            samples: Vec::new(),
            filled: 0,
            mapping: mapped.map(|(target, confidence)| ImportColumnMapping {
                target: target.to_owned(),
                confidence: confidence.to_owned(),
                transforms: Vec::new(),
            }),
        }
    }

    fn hubspot() -> ImportTemplateView {
        let col = |header: &str, aliases: &[&str], target: &str| ImportTemplateColumn {
            header: header.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            target: target.to_owned(),
            transform: None,
        };
        ImportTemplateView {
            id: "hubspot_companies".to_owned(),
            label: "HubSpot companies export".to_owned(),
            vendor: "hubspot".to_owned(),
            kind: "company".to_owned(),
            source: "hubspot".to_owned(),
            columns: vec![
                col("Record ID", &["Company ID"], "external_id"),
                col("Company name", &["name"], "name"),
            ],
        }
    }

    fn targets(mapped: &[Mapped]) -> Vec<Option<&str>> {
        mapped.iter().map(|m| m.target.as_deref()).collect()
    }

    #[test]
    fn headers_fold_like_the_servers() {
        assert_eq!(header_key("Company Domain Name"), "companydomainname");
        assert_eq!(header_key("billing_address.city"), "billingaddresscity");
    }

    #[test]
    fn a_new_template_maps_its_columns_and_takes_their_fields_from_guesses() {
        let columns = [
            column("Company ID", None),
            column("Name", Some(("name", "exact"))),
            column("Title", Some(("name", "fuzzy"))),
            column("City", Some(("billing_address.city", "alias"))),
        ];
        let none = BTreeMap::new();
        let template = hubspot();
        let shown = preview(&columns, Some(&template), false, &none);
        assert_eq!(
            targets(&shown),
            vec![
                Some("external_id"),
                Some("name"),
                None,
                Some("billing_address.city")
            ]
        );
        assert_eq!(shown[0].confidence.as_deref(), Some("alias"));
        assert_eq!(shown[1].confidence.as_deref(), Some("alias"));
        // The template the server applied already is its mapping: shown as it is.
        let shown = preview(&columns, Some(&template), true, &none);
        assert_eq!(shown[2].target.as_deref(), Some("name"));
        assert_eq!(shown[0].target, None);
    }

    #[test]
    fn choices_beat_templates_and_can_ignore_a_column() {
        let columns = [
            column("Record ID", None),
            column("Owner", Some(("notes", "fuzzy"))),
        ];
        let mut overrides = BTreeMap::new();
        overrides.insert("Record ID".to_owned(), Some("customer_code".to_owned()));
        overrides.insert("Owner".to_owned(), None);
        let shown = preview(&columns, Some(&hubspot()), false, &overrides);
        assert_eq!(targets(&shown), vec![Some("customer_code"), None]);
        assert_eq!(shown[0].confidence.as_deref(), Some("user"));
        assert_eq!(shown[1].confidence, None);
    }

    #[test]
    fn a_choice_takes_its_field_from_automatic_mappings() {
        let columns = [
            column("Company name", None),
            column("Title", Some(("notes", "fuzzy"))),
            column("Owner", None),
        ];
        let mut overrides = BTreeMap::new();
        overrides.insert("Owner".to_owned(), Some("name".to_owned()));
        let shown = preview(&columns, Some(&hubspot()), false, &overrides);
        assert_eq!(targets(&shown), vec![None, Some("notes"), Some("name")]);
        overrides.insert("Owner".to_owned(), Some("notes".to_owned()));
        let shown = preview(&columns, None, true, &overrides);
        assert_eq!(targets(&shown), vec![None, None, Some("notes")]);
    }

    #[test]
    fn matching_defaults_to_the_strongest_key_present() {
        let with = |target: &str| Mapped {
            target: Some(target.to_owned()),
            confidence: None,
            transforms: Vec::new(),
        };
        assert_eq!(
            default_match(&[with("name"), with("external_id")]),
            "external_id"
        );
        assert_eq!(default_match(&[with("email"), with("website")]), "email");
        assert_eq!(default_match(&[with("website")]), "domain");
        assert_eq!(default_match(&[with("name")]), "none");
    }

    #[test]
    fn refusals_name_their_column_in_any_spelling() {
        assert_eq!(column_of_error("columns.Owner"), Some("Owner"));
        assert_eq!(column_of_error("columns[Owner]"), Some("Owner"));
        assert_eq!(column_of_error("columns[\"Signed on\"]"), Some("Signed on"));
        assert_eq!(column_of_error("template"), None);
        assert_eq!(match_key("match.by"), Some("match.by"));
        assert_eq!(match_key("match_policy.on_match"), Some("match.on_match"));
    }

    #[test]
    fn a_saved_mapping_fits_a_file_by_leaving_out_the_columns_it_lacks() {
        let mut mapping = ImportMappingInput {
            template: Some("custom".to_owned()),
            ..ImportMappingInput::default()
        };
        mapping
            .columns
            .insert("Firma".to_owned(), Some("name".to_owned()));
        mapping.columns.insert("Fax".to_owned(), None);
        mapping.transforms.insert(
            "Firma".to_owned(),
            vec![ImportTransformInput::Case {
                to: "title".to_owned(),
            }],
        );
        mapping.transforms.insert("Gone".to_owned(), Vec::new());
        let headers = ["Firma".to_owned(), "Ort".to_owned()];
        let (fitted, left_out) = fit_to_file(&mapping, &headers);
        assert_eq!(left_out, ["Fax", "Gone"]);
        assert_eq!(fitted.columns.keys().collect::<Vec<_>>(), ["Firma"]);
        assert_eq!(fitted.transforms.keys().collect::<Vec<_>>(), ["Firma"]);
        assert_eq!(fitted.template.as_deref(), Some("custom"));
        let (same, none) = fit_to_file(&fitted, &headers);
        assert_eq!((same, none), (fitted, Vec::<String>::new()));
    }

    #[test]
    fn the_form_gives_back_the_mapping_applied_to_it() {
        let state = MapState {
            template: RwSignal::new("custom".to_owned()),
            overrides: RwSignal::new(BTreeMap::new()),
            transforms: RwSignal::new(BTreeMap::new()),
            defaults: RwSignal::new(Map::new()),
            by: RwSignal::new("none".to_owned()),
            auto_by: StoredValue::new("none".to_owned()),
            on_match: RwSignal::new("update".to_owned()),
            source: RwSignal::new(None),
        };
        let mut mapping = ImportMappingInput {
            template: Some("hubspot_companies".to_owned()),
            match_policy: Some(ImportMatchInput {
                by: Some("email".to_owned()),
                on_match: Some("skip".to_owned()),
                source: Some("shop".to_owned()),
            }),
            ..ImportMappingInput::default()
        };
        mapping
            .columns
            .insert("Kontakt".to_owned(), Some("email".to_owned()));
        mapping
            .defaults
            .insert("status".to_owned(), Value::from("active"));
        state.apply(&mapping);
        assert_eq!(state.input(), mapping);
        // A mapping that names no match key leaves it to the guess from the columns.
        state.apply(&ImportMappingInput::default());
        assert_eq!(state.by.get_untracked(), "none");
        assert_eq!(state.template.get_untracked(), "custom");
        assert_eq!(state.on_match.get_untracked(), "update");
    }

    #[test]
    fn samples_are_shown_once_each() {
        let samples: Vec<String> = ["Berlin", "Berlin", "Lyon", "Berlin", "Leeds", "Austin"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(
            distinct_samples(&samples, 3),
            vec!["Berlin", "Lyon", "Leeds"]
        );
    }

    #[test]
    fn targets_read_as_words() {
        assert_eq!(
            target_label("billing_address.city"),
            "Billing address › City"
        );
        assert_eq!(target_label("external_id"), "External ID");
        assert_eq!(
            target_label("primary_contact.email"),
            "Primary contact › Email"
        );
    }
}
