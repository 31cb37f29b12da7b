//! Custom fields: the organisation's definitions and the check of a customer's `custom_fields`
//! against them. This module must not do I/O; the store loads the definitions.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::error::{FieldError, ValueError};

wire_enum! {
    /// The type of a custom field's value.
    pub enum FieldType ("field_type") {
        Text => "text",
        Number => "number",
        Date => "date",
        Select => "select",
        Bool => "bool",
    }
}

/// Longest text value of a custom field.
pub const TEXT_MAX_CHARS: usize = 1_000;
/// Most options of a select.
pub const MAX_OPTIONS: usize = 100;

/// One definition, as the check needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDefinition {
    pub key: String,
    pub label: String,
    pub field_type: FieldType,
    pub options: Vec<String>,
    pub required: bool,
}

/// A definition's key: lower-case letters, digits and `_`, starting with a letter, at most 40.
pub fn parse_key(raw: &str) -> Result<String, ValueError> {
    let key = raw.trim();
    let ok = (1..=40).contains(&key.len())
        && key.as_bytes()[0].is_ascii_lowercase()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(key.to_owned())
    } else {
        Err(ValueError::new(
            "a key is 1 to 40 lower-case letters, digits or _, starting with a letter",
        ))
    }
}

/// Checks `values` against `definitions` and returns them normalised (trimmed text, dates as
/// `YYYY-MM-DD`, `null` values dropped). Only keys in `changed` are checked when it is given, so
/// values stored before a definition changed do not block unrelated edits; `required` is
/// checked on the result either way. Every problem is reported, named `custom_fields.<key>`.
pub fn check_custom_fields(
    definitions: &[FieldDefinition],
    values: &Map<String, Value>,
    changed: Option<&dyn Fn(&str) -> bool>,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Map::new();
    for (key, value) in values {
        if value.is_null() {
            continue;
        }
        let check = changed.is_none_or(|f| f(key));
        let field = format!("custom_fields.{key}");
        let Some(def) = definitions.iter().find(|d| &d.key == key) else {
            if check {
                errors.push(FieldError::new(
                    field,
                    "no such custom field; an owner defines them under Settings",
                ));
            } else {
                out.insert(key.clone(), value.clone());
            }
            continue;
        };
        if !check {
            out.insert(key.clone(), value.clone());
            continue;
        }
        match check_value(def, value) {
            Ok(Some(v)) => {
                out.insert(key.clone(), v);
            }
            Ok(None) => {}
            Err(e) => errors.push(FieldError::new(field, e.message)),
        }
    }
    for def in definitions.iter().filter(|d| d.required) {
        if !out.contains_key(&def.key) {
            errors.push(FieldError::new(
                format!("custom_fields.{}", def.key),
                format!("{} is required", def.label),
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One value against its definition; `Ok(None)` for an empty text (treated as absent).
fn check_value(def: &FieldDefinition, value: &Value) -> Result<Option<Value>, ValueError> {
    match (def.field_type, value) {
        (FieldType::Text, Value::String(s)) => {
            let t = s.trim();
            if t.is_empty() {
                Ok(None)
            } else if t.chars().count() > TEXT_MAX_CHARS || t.contains('\0') {
                Err(ValueError::new(format!(
                    "at most {TEXT_MAX_CHARS} characters"
                )))
            } else {
                Ok(Some(Value::String(t.to_owned())))
            }
        }
        (FieldType::Number, Value::Number(n)) => Ok(Some(Value::Number(n.clone()))),
        (FieldType::Number, Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(|n| Some(Value::Number(n)))
            .ok_or_else(|| ValueError::new("must be a number")),
        (FieldType::Date, Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(|d| Some(Value::String(d.format("%Y-%m-%d").to_string())))
            .map_err(|_| ValueError::new("must be a date as YYYY-MM-DD")),
        (FieldType::Select, Value::String(s)) => def
            .options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(s.trim()))
            .map(|o| Some(Value::String(o.clone())))
            .ok_or_else(|| ValueError::new(format!("must be one of: {}", def.options.join(", ")))),
        (FieldType::Bool, Value::Bool(b)) => Ok(Some(Value::Bool(*b))),
        (t, _) => Err(ValueError::new(match t {
            FieldType::Text => "must be text",
            FieldType::Number => "must be a number",
            FieldType::Date => "must be a date as YYYY-MM-DD",
            FieldType::Select => "must be one of the options",
            FieldType::Bool => "must be true or false",
        })),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn defs() -> Vec<FieldDefinition> {
        let def = |key: &str, field_type, options: &[&str], required| FieldDefinition {
            key: key.to_owned(),
            label: key.to_owned(),
            field_type,
            options: options.iter().map(|s| (*s).to_owned()).collect(),
            required,
        };
        vec![
            def("segment", FieldType::Select, &["SMB", "Enterprise"], false),
            def("seats", FieldType::Number, &[], false),
            def("renewal", FieldType::Date, &[], false),
            def("sso", FieldType::Bool, &[], false),
            def("champion", FieldType::Text, &[], true),
        ]
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn values_are_checked_and_normalised() {
        let out = check_custom_fields(
            &defs(),
            &map(json!({"segment": "enterprise", "seats": "40", "renewal": "2027-01-31", "sso": true, "champion": " Ada ", "gone": null})),
            None,
        )
        .unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"segment": "Enterprise", "seats": 40.0, "renewal": "2027-01-31", "sso": true, "champion": "Ada"})
        );
    }

    #[test]
    fn every_problem_is_reported_by_key() {
        let errors = check_custom_fields(
            &defs(),
            &map(json!({"segment": "Mid", "seats": "many", "renewal": "31/01/2027", "sso": "yes", "nope": 1})),
            None,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "custom_fields.nope",
                "custom_fields.renewal",
                "custom_fields.seats",
                "custom_fields.segment",
                "custom_fields.sso",
                "custom_fields.champion"
            ]
        );
    }

    #[test]
    fn unchanged_values_are_not_rechecked() {
        let only_sso = |key: &str| key == "sso";
        let out = check_custom_fields(
            &defs(),
            &map(json!({"legacy": "kept", "champion": "Ada", "sso": false})),
            Some(&only_sso),
        )
        .unwrap();
        assert_eq!(out.get("legacy"), Some(&json!("kept")));
        assert!(parse_key("Bad Key").is_err());
        assert_eq!(parse_key("renewal_date").unwrap(), "renewal_date");
    }
}
