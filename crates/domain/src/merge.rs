//! Survivorship: which record's value a merged customer keeps for each field when the person
//! merging does not choose, and the field-level three-way check behind undo.
//!
//! Records are compared as flat JSON maps (`field -> value`), so these rules know nothing of
//! the write model and apply to custom fields (`custom_fields.<key>`) like any other field. This
//! module must not parse or validate values: the caller turns the chosen values back into a
//! customer through the ordinary write path.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::FieldError;

/// The most records one merge takes: the survivor and up to nine others.
pub const MAX_RECORDS: usize = 10;

wire_enum! {
    /// How a field's value is chosen when the request leaves it out.
    pub enum Rule ("rule") {
        /// The survivor's value, even when empty.
        Survivor => "survivor",
        /// The survivor's value unless empty, else the most recently updated record's.
        NonEmpty => "non_empty",
        /// The most recently updated record that has a value.
        Newest => "newest",
        /// The record whose source is trusted most, then as `non_empty`.
        TrustedSource => "trusted_source",
    }
}

/// An organisation's survivorship rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rules {
    pub default: Rule,
    /// Overrides per field.
    #[serde(default)]
    pub fields: BTreeMap<String, Rule>,
    /// Sources, most trusted first (`salesforce`, `hubspot`, ...), compared case-insensitively.
    #[serde(default)]
    pub trusted_sources: Vec<String>,
}

impl Default for Rules {
    /// Keep what the survivor has and fill its gaps from the freshest record; who owns the
    /// account and how it is billed stay the survivor's unless someone chooses otherwise. (The
    /// code always stays the survivor's; no rule names it.)
    fn default() -> Rules {
        let fields = ["owner_id", "currency"]
            .into_iter()
            .map(|f| (f.to_owned(), Rule::Survivor))
            .collect();
        Rules {
            default: Rule::NonEmpty,
            fields,
            trusted_sources: Vec::new(),
        }
    }
}

impl Rules {
    /// The rule that decides `field`.
    pub fn rule_for(&self, field: &str) -> Rule {
        self.fields.get(field).copied().unwrap_or(self.default)
    }

    /// Rules as an owner may set them: known rules only, at most 50 sources.
    pub fn check(&self, known_field: impl Fn(&str) -> bool) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for field in self.fields.keys() {
            if !known_field(field) {
                errors.push(FieldError::new(
                    format!("fields.{field}"),
                    "no such field; use a field of CustomerInput or custom_fields.<key>",
                ));
            }
        }
        if self.trusted_sources.len() > 50 {
            errors.push(FieldError::new("trusted_sources", "at most 50 sources"));
        }
        if self.trusted_sources.iter().any(|s| s.trim().is_empty()) {
            errors.push(FieldError::new(
                "trusted_sources",
                "a source cannot be empty",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One record taking part in a merge.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub id: Uuid,
    pub updated_at: DateTime<Utc>,
    pub source: Option<&'a str>,
    pub values: &'a Map<String, Value>,
}

/// Which record a field's value comes from, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub id: Uuid,
    /// `None` when the request chose.
    pub rule: Option<Rule>,
}

/// A value that counts as "nothing there": null, blank text, an empty list or object.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Every field any record holds, sorted.
pub fn fields_of(candidates: &[Candidate<'_>]) -> Vec<String> {
    let mut fields: Vec<String> = candidates
        .iter()
        .flat_map(|c| c.values.keys().cloned())
        .collect();
    fields.sort();
    fields.dedup();
    fields
}

/// The choice for every field: the request's where it chose (`chosen`), else the rule's.
/// `candidates[0]` is the survivor. A chosen id that is not one of the records, or a field no
/// record has, is an error naming `fields.<field>`.
pub fn choose(
    candidates: &[Candidate<'_>],
    rules: &Rules,
    chosen: &BTreeMap<String, Uuid>,
    known_field: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, Choice>, Vec<FieldError>> {
    let mut errors = Vec::new();
    for (field, id) in chosen {
        if !known_field(field) {
            errors.push(FieldError::new(
                format!("fields.{field}"),
                "no such field; use a field of CustomerInput or custom_fields.<key>",
            ));
        } else if !candidates.iter().any(|c| c.id == *id) {
            errors.push(FieldError::new(
                format!("fields.{field}"),
                "must be the survivor or one of merged_ids",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(fields_of(candidates)
        .into_iter()
        .map(|field| {
            let choice = match chosen.get(&field) {
                Some(id) => Choice {
                    id: *id,
                    rule: None,
                },
                None => {
                    let rule = rules.rule_for(&field);
                    Choice {
                        id: by_rule(candidates, &field, rule, &rules.trusted_sources),
                        rule: Some(rule),
                    }
                }
            };
            (field, choice)
        })
        .collect())
}

fn value_of<'a>(candidate: &'a Candidate<'_>, field: &str) -> &'a Value {
    candidate.values.get(field).unwrap_or(&Value::Null)
}

/// The record a rule picks for one field. Ties go to the survivor, then to request order.
fn by_rule(candidates: &[Candidate<'_>], field: &str, rule: Rule, trusted: &[String]) -> Uuid {
    let survivor = &candidates[0];
    let has = |c: &&Candidate<'_>| !is_empty(value_of(c, field));
    // Most recently updated first; the sort is stable, so equal times keep request order.
    let mut newest: Vec<&Candidate<'_>> = candidates.iter().collect();
    newest.sort_by_key(|c| std::cmp::Reverse(c.updated_at));
    let freshest_with_value = newest.iter().copied().find(has);
    match rule {
        Rule::Survivor => survivor.id,
        Rule::NonEmpty => {
            if has(&survivor) {
                survivor.id
            } else {
                freshest_with_value.map_or(survivor.id, |c| c.id)
            }
        }
        Rule::Newest => freshest_with_value.map_or(survivor.id, |c| c.id),
        Rule::TrustedSource => {
            let rank = |c: &Candidate<'_>| {
                c.source.and_then(|s| {
                    trusted
                        .iter()
                        .position(|t| t.trim().eq_ignore_ascii_case(s.trim()))
                })
            };
            candidates
                .iter()
                .filter(has)
                .filter_map(|c| rank(c).map(|r| (r, c)))
                .min_by_key(|(r, _)| *r)
                .map(|(_, c)| c.id)
                .unwrap_or_else(|| by_rule(candidates, field, Rule::NonEmpty, trusted))
        }
    }
}

/// Undo's three-way check. `before` is the survivor before the merge, `after` as the merge
/// left it, `current` as it is now. Every field the merge changed must still hold the merged
/// value; those fields go back to `before` and every other field keeps `current` (so an edit
/// the merge did not touch survives the undo). Returns the restored map, or the fields that
/// were changed since.
pub fn restore(
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    current: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<String>> {
    let mut restored = current.clone();
    let mut changed_since = Vec::new();
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let was = before.get(key).unwrap_or(&Value::Null);
        let merged = after.get(key).unwrap_or(&Value::Null);
        if was == merged {
            continue;
        }
        if current.get(key).unwrap_or(&Value::Null) != merged {
            changed_since.push(key.clone());
        } else {
            restored.insert(key.clone(), was.clone());
        }
    }
    if changed_since.is_empty() {
        Ok(restored)
    } else {
        Err(changed_since)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap()
    }

    #[test]
    fn non_empty_keeps_the_survivor_and_fills_its_gaps_from_the_freshest() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let va = map(json!({"email": "a@x.com", "phone": null, "notes": ""}));
        let vb = map(json!({"email": "b@x.com", "phone": "+1", "notes": "old"}));
        let vc = map(json!({"email": null, "phone": "+2", "notes": "new"}));
        let cands = [
            Candidate {
                id: a,
                updated_at: at(1),
                source: None,
                values: &va,
            },
            Candidate {
                id: b,
                updated_at: at(2),
                source: None,
                values: &vb,
            },
            Candidate {
                id: c,
                updated_at: at(3),
                source: None,
                values: &vc,
            },
        ];
        let got = choose(&cands, &Rules::default(), &BTreeMap::new(), |_| true).unwrap();
        assert_eq!(got["email"].id, a);
        assert_eq!(got["phone"].id, c);
        assert_eq!(got["notes"].id, c, "blank text counts as empty");
        assert_eq!(got["email"].rule, Some(Rule::NonEmpty));
    }

    #[test]
    fn newest_survivor_and_trusted_source_rules() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let va = map(json!({"name": "Acme", "industry": null}));
        let vb = map(json!({"name": "ACME Inc", "industry": "Retail"}));
        let cands = [
            Candidate {
                id: a,
                updated_at: at(5),
                source: Some("hubspot"),
                values: &va,
            },
            Candidate {
                id: b,
                updated_at: at(1),
                source: Some("Salesforce"),
                values: &vb,
            },
        ];
        let mut rules = Rules {
            default: Rule::Newest,
            ..Rules::default()
        };
        let got = choose(&cands, &rules, &BTreeMap::new(), |_| true).unwrap();
        assert_eq!(got["name"].id, a, "a is newer");
        assert_eq!(got["industry"].id, b, "newest with a value");
        rules.default = Rule::TrustedSource;
        rules.trusted_sources = vec!["salesforce".into(), "hubspot".into()];
        let got = choose(&cands, &rules, &BTreeMap::new(), |_| true).unwrap();
        assert_eq!(got["name"].id, b, "salesforce outranks hubspot");
        rules.default = Rule::Survivor;
        let got = choose(&cands, &rules, &BTreeMap::new(), |_| true).unwrap();
        assert_eq!(got["industry"].id, a, "the survivor's, even empty");
    }

    #[test]
    fn a_request_choice_wins_and_bad_choices_are_named() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let va = map(json!({"email": "a@x.com"}));
        let vb = map(json!({"email": "b@x.com"}));
        let cands = [
            Candidate {
                id: a,
                updated_at: at(1),
                source: None,
                values: &va,
            },
            Candidate {
                id: b,
                updated_at: at(1),
                source: None,
                values: &vb,
            },
        ];
        let chosen = BTreeMap::from([("email".to_owned(), b)]);
        let got = choose(&cands, &Rules::default(), &chosen, |_| true).unwrap();
        assert_eq!(got["email"], Choice { id: b, rule: None });
        let bad = BTreeMap::from([
            ("email".to_owned(), Uuid::from_u128(9)),
            ("nope".to_owned(), a),
        ]);
        let errors = choose(&cands, &Rules::default(), &bad, |f| f != "nope").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["fields.email", "fields.nope"]);
    }

    #[test]
    fn undo_restores_what_the_merge_changed_and_keeps_later_edits_elsewhere() {
        let before = map(json!({"email": "a@x.com", "phone": null, "notes": "n"}));
        let after = map(json!({"email": "a@x.com", "phone": "+1", "notes": "n"}));
        let current = map(json!({"email": "a@x.com", "phone": "+1", "notes": "edited"}));
        let restored = restore(&before, &after, &current).unwrap();
        assert_eq!(
            Value::Object(restored),
            json!({"email": "a@x.com", "phone": null, "notes": "edited"})
        );
        let current = map(json!({"email": "a@x.com", "phone": "+9", "notes": "n"}));
        assert_eq!(restore(&before, &after, &current).unwrap_err(), ["phone"]);
    }

    #[test]
    fn emptiness() {
        for v in [json!(null), json!(""), json!("  "), json!([]), json!({})] {
            assert!(is_empty(&v), "{v}");
        }
        for v in [json!(0), json!(false), json!("x"), json!([1])] {
            assert!(!is_empty(&v), "{v}");
        }
    }
}
