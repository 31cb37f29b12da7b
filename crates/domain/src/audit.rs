//! Field-level before/after diffs for the audit log.
//!
//! The store serialises an entity before and after a change and records what `diff` returns, so
//! the audit trail shows "plan: starter -> growth" instead of two whole snapshots. This module
//! must not decide what is audited or write anything; it only compares two JSON values.

use serde_json::{Map, Value, json};

/// Keys that change on every write or are derived, so they would only add noise to the log.
const IGNORED_KEYS: [&str; 3] = ["updated_at", "version", "search_text"];

/// For two JSON objects, `{field: {"from": old, "to": new}}` for every top-level key whose value
/// differs; a missing key counts as `null`. Nested values are compared whole. Anything that is
/// not a pair of objects diffs to `{"value": {"from": .., "to": ..}}`, or `{}` when equal.
pub fn diff(before: &Value, after: &Value) -> Value {
    let (Some(old), Some(new)) = (before.as_object(), after.as_object()) else {
        return if before == after {
            Value::Object(Map::new())
        } else {
            json!({ "value": { "from": before, "to": after } })
        };
    };
    let mut changes = Map::new();
    let keys = old
        .keys()
        .chain(new.keys().filter(|key| !old.contains_key(*key)));
    for key in keys {
        if IGNORED_KEYS.contains(&key.as_str()) {
            continue;
        }
        let from = old.get(key).unwrap_or(&Value::Null);
        let to = new.get(key).unwrap_or(&Value::Null);
        if from != to {
            changes.insert(key.clone(), json!({ "from": from, "to": to }));
        }
    }
    Value::Object(changes)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use crate::audit::diff;

    fn check(before: Value, after: Value, expected: Value) {
        assert_eq!(diff(&before, &after), expected, "{before} -> {after}");
    }

    #[test]
    fn objects_diff_to_the_changed_fields_only() {
        let cases = [
            (json!({}), json!({}), json!({})),
            (json!({"a": 1}), json!({"a": 1}), json!({})),
            (
                json!({"plan": "starter", "name": "Acme"}),
                json!({"plan": "growth", "name": "Acme"}),
                json!({"plan": {"from": "starter", "to": "growth"}}),
            ),
            (
                json!({"email": "a@b.co"}),
                json!({}),
                json!({"email": {"from": "a@b.co", "to": null}}),
            ),
            (
                json!({}),
                json!({"phone": "+14155552671"}),
                json!({"phone": {"from": null, "to": "+14155552671"}}),
            ),
            (json!({"notes": null}), json!({}), json!({})),
            (json!({}), json!({"notes": null}), json!({})),
            (
                json!({"tags": ["a"], "custom": {"x": 1}}),
                json!({"tags": ["a", "b"], "custom": {"x": 1}}),
                json!({"tags": {"from": ["a"], "to": ["a", "b"]}}),
            ),
            (
                json!({"mrr": 1}),
                json!({"mrr": 1.0}),
                json!({"mrr": {"from": 1, "to": 1.0}}),
            ),
        ];
        for (before, after, expected) in cases {
            check(before, after, expected);
        }
    }

    #[test]
    fn bookkeeping_keys_are_ignored() {
        check(
            json!({"updated_at": "2025-01-01", "version": 1, "search_text": "acme", "name": "A"}),
            json!({"updated_at": "2025-02-01", "version": 2, "search_text": "acme co", "name": "B"}),
            json!({"name": {"from": "A", "to": "B"}}),
        );
        check(json!({"version": 1}), json!({}), json!({}));
    }

    #[test]
    fn non_objects_diff_as_a_single_value() {
        let cases = [
            (json!(1), json!(1), json!({})),
            (json!(null), json!(null), json!({})),
            (
                json!("a"),
                json!("b"),
                json!({"value": {"from": "a", "to": "b"}}),
            ),
            (
                json!([1]),
                json!([1, 2]),
                json!({"value": {"from": [1], "to": [1, 2]}}),
            ),
            (
                json!(null),
                json!({"a": 1}),
                json!({"value": {"from": null, "to": {"a": 1}}}),
            ),
            (
                json!({"a": 1}),
                json!(5),
                json!({"value": {"from": {"a": 1}, "to": 5}}),
            ),
        ];
        for (before, after, expected) in cases {
            check(before, after, expected);
        }
    }

    fn small_object() -> impl Strategy<Value = Value> {
        prop::collection::btree_map(
            prop::sample::select(vec!["name", "plan", "mrr", "version", "notes"]),
            prop_oneof![
                Just(Value::Null),
                any::<i64>().prop_map(Value::from),
                "[a-c]{0,2}".prop_map(Value::from)
            ],
            0..5,
        )
        .prop_map(|map| Value::Object(map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
    }

    proptest! {
        #[test]
        fn a_value_never_differs_from_itself(v in small_object()) {
            prop_assert_eq!(diff(&v, &v), json!({}));
        }

        #[test]
        fn applying_the_diff_to_before_gives_after_up_to_nulls_and_ignored_keys(before in small_object(), after in small_object()) {
            let changes = diff(&before, &after);
            let mut patched = before.as_object().cloned().unwrap_or_default();
            for (key, change) in changes.as_object().cloned().unwrap_or_default() {
                patched.insert(key, change["to"].clone());
            }
            let normalise = |v: &serde_json::Map<String, Value>| -> Vec<(String, Value)> {
                v.iter()
                    .filter(|(k, v)| !v.is_null() && k.as_str() != "version")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
            prop_assert_eq!(normalise(&patched), normalise(after.as_object().unwrap_or(&serde_json::Map::new())));
        }
    }
}
