//! The organisation's merge rules (owners): which value a merge keeps when the person merging
//! does not choose. One rule for every field, overrides for single fields, and the sources
//! trusted most first (for the `trusted_source` rule). Shown as facts, edited in a dialog; the
//! server checks the fields and rules, and its messages are shown where they belong.

use std::collections::BTreeMap;

use leptos::prelude::*;
use tenure_api_types::{MERGE_FIELDS, MergeRulesView};

use super::split_list;
use crate::api::{self, ApiError};
use crate::components::{
    DialogForm, ErrorState, Field, FieldKind, FormActions, FormBanner, FormErrors, Icon, Modal,
};
use crate::pages::merge::{RULES, chosen_by_merges, field_label, rule_name};

#[component]
pub fn MergeRulesSection(#[prop(into)] writer: Signal<bool>) -> impl IntoView {
    let version = RwSignal::new(0_u32);
    let rules = LocalResource::new(move || {
        version.track();
        api::merge_rules()
    });
    let custom = LocalResource::new(api::custom_fields);
    let labels = Signal::derive(move || {
        custom
            .get()
            .and_then(Result::ok)
            .map(|list| {
                list.items
                    .into_iter()
                    .map(|f| (f.key, f.label))
                    .collect::<std::collections::HashMap<_, _>>()
            })
            .unwrap_or_default()
    });
    let open = RwSignal::new(false);
    let refresh = Callback::new(move |_| version.update(|v| *v += 1));
    let facts = move |r: MergeRulesView| {
        let overrides = r
            .fields
            .iter()
            .map(|(field, rule)| {
                view! {
                    <li data-field=field.clone()>
                        <strong>{field_label(field, &labels.get())}</strong>": "{rule_name(rule)}
                    </li>
                }
            })
            .collect_view();
        let sources = if r.trusted_sources.is_empty() {
            "None".to_owned()
        } else {
            r.trusted_sources.join(", then ")
        };
        view! {
            <dl class="facts merge-rules-facts">
                <div><dt>"Every field"</dt><dd data-testid="merge-default-rule">{rule_name(&r.default)}</dd></div>
                <div class="merge-rules-wide">
                    <dt>"Except"</dt>
                    <dd>{if r.fields.is_empty() {
                        view! { "No field has a rule of its own." }.into_any()
                    } else {
                        view! { <ul class="plain-list merge-overrides">{overrides}</ul> }.into_any()
                    }}</dd>
                </div>
                <div><dt>"Trusted sources"</dt><dd>{sources}</dd></div>
            </dl>
        }
    };
    view! {
        <section class="card" aria-labelledby="merge-rules-heading" data-testid="merge-rules">
            <div class="card-head">
                <div>
                    <h2 id="merge-rules-heading">"Merge rules"</h2>
                    <p class="hint">"Which value a merge keeps for a field when the person merging does not choose one."</p>
                </div>
                <Show when=move || writer.get() && matches!(rules.get(), Some(Ok(_)))>
                    <button class="btn" on:click=move |_| open.set(true)><Icon name="edit"/>"Edit rules"</button>
                </Show>
            </div>
            {move || match rules.get() {
                None => view! { <div class="skeleton-block small" aria-busy="true"></div> }.into_any(),
                Some(Err(e)) => view! { <ErrorState message=e.message() on_retry=refresh/> }.into_any(),
                Some(Ok(r)) => facts(r).into_any(),
            }}
        </section>
        <MergeRulesDialog open=open rules=rules labels=labels on_saved=refresh/>
    }
}

/// One per-field rule in the form.
#[derive(Clone, Copy)]
struct Override {
    key: u64,
    field: RwSignal<String>,
    rule: RwSignal<String>,
}

/// The rules as the server takes them, or the messages for overrides that cannot be sent.
fn rules_input(
    default: &str,
    overrides: &[(String, String)],
    sources: &str,
) -> Result<MergeRulesView, Vec<String>> {
    let mut fields = BTreeMap::new();
    let mut problems = Vec::new();
    for (field, rule) in overrides {
        if field.is_empty() {
            continue;
        }
        if fields.insert(field.clone(), rule.clone()).is_some() {
            problems.push(format!("{field} has two rules: keep one."));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(MergeRulesView {
        default: default.to_owned(),
        fields,
        trusted_sources: split_list(sources),
    })
}

#[component]
fn MergeRulesDialog(
    open: RwSignal<bool>,
    rules: LocalResource<Result<MergeRulesView, ApiError>>,
    labels: Signal<std::collections::HashMap<String, String>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let default = RwSignal::new(String::new());
    let sources = RwSignal::new(String::new());
    let overrides = RwSignal::new(Vec::<Override>::new());
    let next = StoredValue::new(0_u64);
    let add = move |field: String, rule: String| {
        let key = next.get_value();
        next.set_value(key + 1);
        overrides.update(|o| {
            o.push(Override {
                key,
                field: RwSignal::new(field),
                rule: RwSignal::new(rule),
            })
        });
    };
    // The server's messages about single overrides (`fields.<field>`).
    let override_errors = RwSignal::new(Vec::<String>::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let dialog = DialogForm::new(open, busy, errors, on_saved).on_error(Callback::new(
        move |error: ApiError| {
            override_errors.set(
                error
                    .errors
                    .iter()
                    .filter_map(|e| {
                        let field = e.field.strip_prefix("fields.")?;
                        Some(format!(
                            "{}: {}",
                            field_label(field, &labels.get_untracked()),
                            e.message
                        ))
                    })
                    .collect(),
            );
        },
    ));
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        errors.clear();
        override_errors.set(Vec::new());
        overrides.set(Vec::new());
        if let Some(Ok(r)) = rules.get_untracked() {
            default.set(r.default.clone());
            sources.set(r.trusted_sources.join("\n"));
            // The built-in rules name fields a merge never chooses (the code stays the
            // survivor's); the server refuses rules for those, so they are not sent back.
            for (field, rule) in r.fields {
                if chosen_by_merges(&field) {
                    add(field, rule);
                }
            }
        }
    });
    let rule_choices = Signal::stored(
        RULES
            .iter()
            .map(|(key, name, _)| ((*key).to_owned(), (*name).to_owned()))
            .collect::<Vec<_>>(),
    );
    let field_choices = Memo::new(move |_| {
        let labels = labels.get();
        let mut choices: Vec<(String, String)> = MERGE_FIELDS
            .iter()
            .map(|f| ((*f).to_owned(), field_label(f, &labels)))
            .collect();
        let mut custom: Vec<(String, String)> = labels
            .iter()
            .map(|(key, label)| (format!("custom_fields.{key}"), format!("{label} (custom)")))
            .collect();
        custom.sort();
        choices.extend(custom);
        choices
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let pairs: Vec<(String, String)> = overrides
            .get_untracked()
            .iter()
            .map(|o| (o.field.get_untracked(), o.rule.get_untracked()))
            .collect();
        match rules_input(&default.get_untracked(), &pairs, &sources.get_untracked()) {
            Err(problems) => override_errors.set(problems),
            Ok(input) => {
                override_errors.set(Vec::new());
                dialog.send(
                    async move { api::save_merge_rules(&input).await },
                    |_| "Merge rules saved.",
                );
            }
        }
    };
    let row = move |o: Override| {
        let remove = move |_| overrides.update(|list| list.retain(|x| x.key != o.key));
        let field_options = move || {
            let current = o.field.get();
            let mut choices = field_choices.get();
            if !current.is_empty() && !choices.iter().any(|(v, _)| *v == current) {
                choices.push((current.clone(), current.clone()));
            }
            choices
                .into_iter()
                .map(|(v, l)| {
                    let selected = v == current;
                    view! { <option value=v selected=selected>{l}</option> }
                })
                .collect_view()
        };
        let rule_options = move || {
            let current = o.rule.get();
            RULES
                .iter()
                .map(|(key, name, _)| {
                    view! { <option value=*key selected=*key == current>{*name}</option> }
                })
                .collect_view()
        };
        view! {
            <li class="merge-override" data-key=o.key.to_string()>
                <select aria-label="Field" prop:value=move || o.field.get()
                    on:change=move |ev| o.field.set(event_target_value(&ev))>
                    <option value="">"Choose a field…"</option>
                    {field_options}
                </select>
                <select aria-label="Rule" prop:value=move || o.rule.get()
                    on:change=move |ev| o.rule.set(event_target_value(&ev))>
                    {rule_options}
                </select>
                <button type="button" class="btn-icon" aria-label="Remove this rule" on:click=remove>
                    <Icon name="x"/>
                </button>
            </li>
        }
    };
    let described = move || {
        let current = default.get();
        RULES
            .iter()
            .find(|(key, _, _)| *key == current)
            .map(|(_, _, what)| *what)
    };
    view! {
        <Modal open=open title="Edit merge rules">
            <form on:submit=submit novalidate class="modal-form-wide">
                <FormBanner errors=errors/>
                <Field name="merge-default" label="Rule for every field" kind=FieldKind::Select(rule_choices)
                    value=default error=errors.of("default")/>
                <p class="hint merge-rule-what">{described}</p>
                <fieldset class="merge-overrides-form">
                    <legend>"Fields with a rule of their own"</legend>
                    <ul class="plain-list">
                        <For each=move || overrides.get() key=|o| o.key let:o>{row(o)}</For>
                    </ul>
                    {move || {
                        let problems = override_errors.get();
                        (!problems.is_empty()).then(|| view! {
                            <ul class="field-error merge-override-errors" role="alert">
                                {problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                            </ul>
                        })
                    }}
                    <button type="button" class="btn btn-small" on:click=move |_| add(String::new(), "survivor".to_owned())>
                        <Icon name="plus"/>"Add a field rule"
                    </button>
                </fieldset>
                <Field name="merge-sources" label="Trusted sources" kind=FieldKind::TextArea
                    value=sources error=errors.of("trusted_sources")
                    hint=Some("Most trusted first, one per line, e.g. salesforce then hubspot. Used by the “Most trusted source” rule.")/>
                <FormActions open=open busy=busy label="Save rules"/>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_rules_and_a_field_ruled_twice_is_refused() {
        let pairs = |p: &[(&str, &str)]| {
            p.iter()
                .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
                .collect::<Vec<_>>()
        };
        let rules = rules_input(
            "non_empty",
            &pairs(&[("owner_id", "survivor"), ("", "newest")]),
            "salesforce\nhubspot",
        )
        .expect("valid rules");
        assert_eq!(rules.default, "non_empty");
        assert_eq!(
            rules.fields,
            BTreeMap::from([("owner_id".to_owned(), "survivor".to_owned())])
        );
        assert_eq!(rules.trusted_sources, vec!["salesforce", "hubspot"]);
        let twice = rules_input(
            "newest",
            &pairs(&[("email", "survivor"), ("email", "newest")]),
            "",
        );
        assert_eq!(
            twice,
            Err(vec!["email has two rules: keep one.".to_owned()])
        );
    }
}
