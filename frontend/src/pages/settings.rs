//! Settings (owners): the organisation, its team, the catalogues owners manage (tiers and
//! custom field definitions) and the merge rules. Staff and viewers never see the link, and the API refuses what
//! this page would change for them.

mod fields;
mod merge_rules;
mod tiers;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::{UserList, UserView};

use crate::api::{ApiError, Call};
use crate::components::EmptyState;
use crate::components::FormErrors;
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
        let writer = Signal::derive(move || auth.can_manage());
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
            <tiers::TiersSection writer=writer/>
            <fields::CustomFieldsSection writer=writer/>
            <merge_rules::MergeRulesSection writer=writer/>
        }
        .into_any()
    }
}

/// Text of a form field as an optional wire value: trimmed, empty is `None`.
fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The entries of a list typed one per line or separated by commas, trimmed, blanks dropped.
fn split_list(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The server names a list's entries (`benefits[2]`); the form has one field for the list, so
/// those messages go under it, naming the entry.
fn squash_list_errors(errors: &FormErrors, error: &ApiError, list: &str) {
    let prefix = format!("{list}[");
    for e in &error.errors {
        if let Some(index) = e
            .field
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
        {
            errors.set(list, format!("Entry {}: {}", index + 1, e.message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_lines_and_commas() {
        assert_eq!(
            split_list(" Priority support\nQuarterly review, Named CSM ,\n\n"),
            vec!["Priority support", "Quarterly review", "Named CSM"]
        );
        assert!(split_list(" , \n").is_empty());
    }

    #[test]
    fn optional_text_is_trimmed_and_empty_is_none() {
        assert_eq!(optional("  #d4af37 "), Some("#d4af37".to_owned()));
        assert_eq!(optional("   "), None);
    }
}
