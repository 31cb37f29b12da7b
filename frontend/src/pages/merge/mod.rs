//! Merging duplicate customers: the wizard at `/merges/new?ids=<a>,<b>[,…]` ([`wizard`]), which
//! has the person pick the record that survives and, field by field, the value it keeps, shows
//! the server's preview of the result and what moves, and merges; and the merge history with
//! undo ([`history`]), shown on the Duplicates page. The ids live in the URL, so the review
//! queue's "Merge…" is a plain link and a reload keeps the wizard.
//!
//! The server decides everything (which value a rule keeps, what moves, whether a merge or an
//! undo may go ahead); the page only asks and shows. The wording is plain functions here,
//! unit-tested on the host, beside the one banner both halves show when the server refuses.
//! This module must not call the API except through `crate::api`.

pub mod history;
mod wizard;

pub use wizard::MergeWizardPage;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde_json::Value;
use tenure_api_types::{
    CustomerView, MERGE_FIELDS, MERGE_MAX_RECORDS, MergeCounts, MergeFieldView,
};
use uuid::Uuid;

use crate::components::{Banner, Icon};
use crate::format;

/// The wizard's address for these customers.
pub fn wizard_href(ids: &[Uuid]) -> String {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    format!("/merges/new?ids={}", ids.join(","))
}

/// The customers a URL query string names (`ids=<a>,<b>`), in order, each once. `None` unless
/// there are two to [`MERGE_MAX_RECORDS`] of them and every one is an id.
pub fn ids_from_query(search: &str) -> Option<Vec<Uuid>> {
    let search = search.strip_prefix('?').unwrap_or(search);
    let raw = form_urlencoded::parse(search.as_bytes())
        .find(|(key, _)| key == "ids")
        .map(|(_, value)| value.into_owned())?;
    let mut ids: Vec<Uuid> = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id = part.parse().ok()?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    (2..=MERGE_MAX_RECORDS).contains(&ids.len()).then_some(ids)
}

/// The survivor a merge starts with: the oldest record (the one other systems most likely
/// know), the first of equals.
pub fn default_survivor(records: &[CustomerView]) -> Option<Uuid> {
    records
        .iter()
        .enumerate()
        .min_by_key(|(index, c)| (c.created_at, *index))
        .map(|(_, c)| c.id)
}

/// A merge field by its name on the wire: a `CustomerInput` key, or `custom_fields.<key>`
/// (named by its definition's label when `custom` knows it).
pub fn field_label(field: &str, custom: &HashMap<String, String>) -> String {
    if let Some(key) = field.strip_prefix("custom_fields.") {
        return custom
            .get(key)
            .cloned()
            .unwrap_or_else(|| format::humanize(key));
    }
    let known = match field {
        "customer_code" => "Customer code",
        "tax_id" => "Tax id",
        "mrr" => "MRR",
        "ltv" => "LTV",
        "payment_terms_days" => "Payment terms (days)",
        "parent_id" => "Parent",
        "owner_id" => "Owner",
        "external_id" => "External id",
        other => return format::humanize(other),
    };
    known.to_owned()
}

/// Why a field's value is the one kept, by the preview's `rule`.
pub fn rule_hint(rule: &str) -> String {
    match rule {
        "choice" => "Your choice".to_owned(),
        "survivor" => "Rule: the survivor's".to_owned(),
        "non_empty" => "Rule: the survivor's unless empty".to_owned(),
        "newest" => "Rule: the newest value".to_owned(),
        "trusted_source" => "Rule: the most trusted source".to_owned(),
        other => format!("Rule: {}", format::humanize(other)),
    }
}

/// The survivorship rules an owner may pick: the wire name, a short name, what it does.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "non_empty",
        "Survivor's unless empty",
        "The survivor's value; when it has none, the most recently updated record's.",
    ),
    (
        "survivor",
        "Always the survivor's",
        "The survivor's value, even when it is empty.",
    ),
    (
        "newest",
        "Newest",
        "The value of the most recently updated record that has one.",
    ),
    (
        "trusted_source",
        "Most trusted source",
        "The value of the record whose source is trusted most; then as the survivor's unless empty.",
    ),
];

/// A rule's short name.
pub fn rule_name(rule: &str) -> String {
    RULES
        .iter()
        .find(|(key, _, _)| *key == rule)
        .map_or_else(|| format::humanize(rule), |(_, name, _)| (*name).to_owned())
}

/// Whether a merge chooses `field`'s value (so a rule for it means something).
pub fn chosen_by_merges(field: &str) -> bool {
    field
        .strip_prefix("custom_fields.")
        .is_some_and(|key| !key.is_empty())
        || MERGE_FIELDS.contains(&field)
}

/// How a value reads in the field table and the result: `—` for nothing, money in its
/// currency, wire words as words, lists joined, `lookup` naming ids (an owner, a parent).
pub fn value_text(
    field: &str,
    value: &Value,
    currency: &str,
    lookup: &dyn Fn(Uuid) -> Option<String>,
) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::String(s) if s.trim().is_empty() => "—".to_owned(),
        Value::String(s) => match field {
            "mrr" | "ltv" | "credit_limit" => format::money(s, currency, false),
            "status" | "kind" | "customer_type" | "payment_status" | "company_size" => {
                format::label(s)
            }
            "owner_id" | "parent_id" => {
                s.parse().ok().and_then(lookup).unwrap_or_else(|| s.clone())
            }
            _ => s.clone(),
        },
        Value::Bool(true) => "Yes".to_owned(),
        Value::Bool(false) => "No".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.is_empty() => "—".to_owned(),
        Value::Array(items) => items
            .iter()
            .map(|item| value_text("", item, currency, lookup))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) if map.is_empty() => "—".to_owned(),
        Value::Object(map) => map
            .iter()
            .map(|(key, item)| format!("{key}: {}", value_text("", item, currency, lookup)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The preview's fields split into those the records disagree on and those they agree on,
/// each in the order a customer's form has them (name and contact details first), custom
/// fields last.
pub fn split_fields(fields: &[MergeFieldView]) -> (Vec<&MergeFieldView>, Vec<&MergeFieldView>) {
    let mut fields: Vec<&MergeFieldView> = fields.iter().collect();
    fields.sort_by_key(|f| {
        let known = MERGE_FIELDS.iter().position(|known| *known == f.field);
        (known.unwrap_or(MERGE_FIELDS.len()), f.field.clone())
    });
    fields.into_iter().partition(|f| f.differs)
}

/// What a merge moves (or moved) to the survivor, one phrase per non-zero count.
pub fn moves_words(counts: &MergeCounts) -> Vec<String> {
    [
        (counts.contacts, "contact", "contacts"),
        (counts.addresses, "address", "addresses"),
        (counts.activities, "activity", "activities"),
        (counts.goals, "goal", "goals"),
        (counts.ledger_entries, "ledger entry", "ledger entries"),
        (counts.flags, "flag", "flags"),
        (counts.children, "child customer", "child customers"),
        (
            counts.duplicate_pairs,
            "open duplicate pair",
            "open duplicate pairs",
        ),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format::count_noun(n, one, many))
    .collect()
}

/// What stays with the merged records because the survivor already has its equal.
pub fn left_behind_words(counts: &MergeCounts) -> Option<String> {
    let n = counts.left_behind;
    (n > 0).then(|| {
        let (verb, equal) = if n == 1 {
            ("stays", "its equal")
        } else {
            ("stay", "their equals")
        };
        format!(
            "{} {verb} behind: the survivor already has {equal} (a contact with the same \
             email, an active flag of the same name).",
            format::count_noun(n, "record", "records")
        )
    })
}

/// A reason as the server words it, as a sentence: capital first, full stop last.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// The reasons of a refusal (`errors[].message`), as sentences.
pub fn reasons(error: &crate::api::ApiError) -> Vec<String> {
    error.errors.iter().map(|e| sentence(&e.message)).collect()
}

/// A refused merge or undo: what was refused, the server's detail, each of its reasons on its
/// line, and `children` (a button that may help) after them.
#[component]
pub fn RefusalBanner(
    title: String,
    detail: Option<String>,
    reasons: Vec<String>,
    testid: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <Banner tone="error">
            <Icon name="alert"/>
            <div class="merge-refusal" data-testid=testid>
                <p class="banner-title">{title}</p>
                {detail.map(|d| view! { <p>{d}</p> })}
                {(!reasons.is_empty()).then(|| view! {
                    <ul class="banner-list">
                        {reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                    </ul>
                })}
            </div>
            {children()}
        </Banner>
    }
}

/// `CUS-000123 Acme`: a customer as a merge names it.
pub fn customer_words(code: &str, name: &str) -> String {
    format!("{code} {name}").trim().to_owned()
}

/// `CUS-1, CUS-2 and CUS-3`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// How a merge's status reads, and its tone.
pub fn status_words(status: &str) -> (&'static str, format::Tone) {
    match status {
        "applied" => ("Applied", format::Tone::Good),
        "undone" => ("Undone", format::Tone::Neutral),
        "erased" => ("Erased", format::Tone::Warn),
        _ => ("Unknown", format::Tone::Neutral),
    }
}

/// When a record was created and last changed, for the survivor choice.
pub fn record_dates(created: DateTime<Utc>, updated: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!(
        "Created {} · changed {}",
        format::relative(created, now),
        format::relative(updated, now)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn the_wizard_reads_two_to_ten_distinct_ids_from_its_address() {
        let (a, b) = (id(1), id(2));
        assert_eq!(ids_from_query(&format!("?ids={a},{b}")), Some(vec![a, b]));
        assert_eq!(
            ids_from_query(&format!("ids={a}%2C{b}%2C{a}")),
            Some(vec![a, b]),
            "an id named twice counts once"
        );
        assert_eq!(
            ids_from_query(&format!("ids={a},{a}")),
            None,
            "one record is no merge"
        );
        assert_eq!(ids_from_query(&format!("ids={a},nope")), None);
        assert_eq!(ids_from_query(""), None);
        let eleven: Vec<String> = (1..=11).map(|n| id(n).to_string()).collect();
        assert_eq!(ids_from_query(&format!("ids={}", eleven.join(","))), None);
        assert_eq!(
            ids_from_query(&wizard_href(&[a, b]).replace("/merges/new", "")),
            Some(vec![a, b])
        );
    }

    #[test]
    fn fields_read_as_words_and_custom_fields_by_their_label() {
        let custom = HashMap::from([("region".to_owned(), "Sales region".to_owned())]);
        assert_eq!(field_label("mrr", &custom), "MRR");
        assert_eq!(field_label("legal_name", &custom), "Legal name");
        assert_eq!(field_label("custom_fields.region", &custom), "Sales region");
        assert_eq!(field_label("custom_fields.tier_note", &custom), "Tier note");
        assert_eq!(rule_hint("choice"), "Your choice");
        assert_eq!(rule_hint("non_empty"), "Rule: the survivor's unless empty");
        assert_eq!(rule_name("newest"), "Newest");
        assert_eq!(rule_name("coin_toss"), "Coin toss");
        assert!(chosen_by_merges("email") && chosen_by_merges("custom_fields.region"));
        assert!(!chosen_by_merges("customer_code") && !chosen_by_merges("custom_fields."));
    }

    #[test]
    fn values_read_as_people_write_them() {
        let none: &dyn Fn(Uuid) -> Option<String> = &|_| None;
        assert_eq!(value_text("email", &json!(null), "USD", none), "—");
        assert_eq!(value_text("email", &json!("  "), "USD", none), "—");
        assert_eq!(
            value_text("mrr", &json!("1250.5"), "USD", none),
            "$1,250.50"
        );
        assert_eq!(
            value_text("status", &json!("at_risk"), "USD", none),
            "At risk"
        );
        assert_eq!(
            value_text("tags", &json!(["vip", "eu"]), "USD", none),
            "vip, eu"
        );
        assert_eq!(
            value_text("portal_access", &json!(true), "USD", none),
            "Yes"
        );
        assert_eq!(
            value_text("settings", &json!({"language": "de"}), "USD", none),
            "language: de"
        );
        let owner = id(7);
        assert_eq!(
            value_text("owner_id", &json!(owner.to_string()), "USD", &|i| {
                (i == owner).then(|| "Olivia Owner".to_owned())
            }),
            "Olivia Owner"
        );
    }

    #[test]
    fn the_oldest_record_survives_by_default() {
        let at = |s| DateTime::from_timestamp(s, 0).unwrap_or_default();
        let record = |n, created| {
            let mut c: CustomerView = serde_json::from_value(json!({
                "id": id(n), "customer_code": format!("CUS-{n}"), "kind": "company",
                "name": "Acme", "status": "active", "customer_type": "standard",
                "currency": "USD", "mrr": "0", "ltv": "0", "payment_status": "current",
                "tags": [], "custom_fields": {}, "settings": {}, "portal_access": false,
                "tenure_days": 0, "version": 1, "created_at": at(0), "updated_at": at(0)
            }))
            .expect("a customer view");
            c.created_at = at(created);
            c
        };
        assert_eq!(
            default_survivor(&[record(1, 20), record(2, 10), record(3, 10)]),
            Some(id(2))
        );
        assert_eq!(default_survivor(&[]), None);
    }

    #[test]
    fn fields_come_in_the_forms_order_those_that_differ_apart() {
        let field = |name: &str, differs| MergeFieldView {
            field: name.to_owned(),
            values: Vec::new(),
            chosen: id(1),
            rule: "survivor".to_owned(),
            differs,
        };
        let fields = [
            field("churn_risk", true),
            field("custom_fields.region", true),
            field("email", true),
            field("name", true),
            field("status", false),
            field("kind", false),
        ];
        let (differ, agree) = split_fields(&fields);
        let names =
            |fs: Vec<&MergeFieldView>| fs.iter().map(|f| f.field.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(differ),
            ["name", "email", "churn_risk", "custom_fields.region"]
        );
        assert_eq!(names(agree), ["kind", "status"]);
    }

    #[test]
    fn what_moves_reads_as_counted_nouns() {
        let counts = MergeCounts {
            contacts: 3,
            activities: 1,
            ledger_entries: 2,
            left_behind: 1,
            ..MergeCounts::default()
        };
        assert_eq!(
            moves_words(&counts),
            vec!["3 contacts", "1 activity", "2 ledger entries"]
        );
        assert!(moves_words(&MergeCounts::default()).is_empty());
        assert_eq!(
            left_behind_words(&counts).as_deref(),
            Some(
                "1 record stays behind: the survivor already has its equal (a contact with the \
                 same email, an active flag of the same name)."
            )
        );
        assert_eq!(left_behind_words(&MergeCounts::default()), None);
    }

    #[test]
    fn lists_of_customers_read_as_a_sentence() {
        let codes = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(and_list(&codes(&["A"])), "A");
        assert_eq!(and_list(&codes(&["A", "B"])), "A and B");
        assert_eq!(and_list(&codes(&["A", "B", "C"])), "A, B and C");
        assert_eq!(customer_words("CUS-1", "Acme"), "CUS-1 Acme");
        assert_eq!(status_words("undone").0, "Undone");
        assert_eq!(
            sentence("email of CUS-1 was changed since the merge"),
            "Email of CUS-1 was changed since the merge."
        );
        assert_eq!(sentence("CUS-2 is in the bin."), "CUS-2 is in the bin.");
        assert_eq!(sentence("  "), "");
    }
}
