//! Planning a merge: the records' values compared field by field, the organisation's
//! survivorship rules applied where the request does not choose, and the survivor's new values
//! parsed through the same path as any customer write. Undo's survivor values are worked out
//! here too, by the domain's three-way check. The store then does the transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde_json::{Map, Value};
use tenure_api_types::{
    CustomerInput, MERGE_FIELDS, MERGE_MAX_RECORDS, MergeFieldValue, MergeFieldView, MergeInput,
};
use tenure_domain::error::FieldError;
use tenure_domain::ids::CustomerId;
use tenure_domain::merge::{self, Candidate, Rules};
use tenure_store::customer::CustomerRecord;
use tenure_store::merge::MergePlan;
use tenure_store::organization::Organization;
use tenure_store::{Store, StoreError};
use uuid::Uuid;

use crate::convert::{customer_input, customer_view, new_customer};
use crate::error::ApiError;

/// Fields of `CustomerInput` a merge does not choose: the code stays the survivor's, tags are
/// united, custom fields are chosen key by key, and the source follows the external id.
const NOT_CHOSEN: &[&str] = &["customer_code", "tags", "custom_fields", "source"];
/// Money is written in the record's currency, so it follows the currency choice.
const MONEY: &[&str] = &["mrr", "ltv", "credit_limit"];

/// A merge worked out and ready for the store.
pub struct Planned {
    pub plan: MergePlan,
    /// The survivor first.
    pub records: Vec<CustomerRecord>,
    pub fields: Vec<MergeFieldView>,
    pub tags: Vec<String>,
}

/// Whether a field name is one a merge can choose or a rule can name.
pub fn known_field(field: &str) -> bool {
    match field.strip_prefix("custom_fields.") {
        Some(key) => !key.is_empty(),
        None => MERGE_FIELDS.contains(&field),
    }
}

/// A record's writable values as one flat map (`custom_fields.<key>` for each custom field).
fn flat(record: &CustomerRecord, today: NaiveDate) -> Map<String, Value> {
    let input = customer_input(&customer_view(record, today));
    let mut map = match serde_json::to_value(&input) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for key in NOT_CHOSEN {
        map.remove(*key);
    }
    for (key, value) in &record
        .custom_fields
        .as_object()
        .cloned()
        .unwrap_or_default()
    {
        map.insert(format!("custom_fields.{key}"), value.clone());
    }
    map
}

/// A record's whole input as JSON, for undo's comparison.
pub fn input_map(record: &CustomerRecord, today: NaiveDate) -> Map<String, Value> {
    match serde_json::to_value(customer_input(&customer_view(record, today))) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn check_shape(input: &MergeInput) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if input.merged_ids.is_empty() || input.merged_ids.len() >= MERGE_MAX_RECORDS {
        errors.push(FieldError::new(
            "merged_ids",
            format!(
                "merge 1 to {} records into the survivor",
                MERGE_MAX_RECORDS - 1
            ),
        ));
    }
    let mut seen = BTreeSet::from([input.survivor_id]);
    for (i, id) in input.merged_ids.iter().enumerate() {
        if !seen.insert(*id) {
            errors.push(FieldError::new(
                format!("merged_ids[{i}]"),
                if *id == input.survivor_id {
                    "the survivor cannot be merged into itself"
                } else {
                    "listed twice"
                },
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Reads the records and works out the merge `input` asks for.
pub async fn plan(
    store: &Store,
    org: &Organization,
    input: &MergeInput,
    today: NaiveDate,
) -> Result<Planned, ApiError> {
    check_shape(input)?;
    let mut records = Vec::with_capacity(input.merged_ids.len() + 1);
    let mut missing = Vec::new();
    let ids = std::iter::once((String::from("survivor_id"), input.survivor_id)).chain(
        input
            .merged_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (format!("merged_ids[{i}]"), *id)),
    );
    for (field, id) in ids {
        match store
            .customer(org.id, CustomerId::from_uuid(id), true)
            .await
        {
            Ok(record) => records.push(record),
            Err(StoreError::NotFound) => {
                missing.push(FieldError::new(field, "no such customer"));
            }
            Err(other) => return Err(other.into()),
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    let rules = store.merge_rules(org.id).await?.unwrap_or_default();
    plan_records(org, records, input, &rules, today)
}

fn plan_records(
    org: &Organization,
    records: Vec<CustomerRecord>,
    input: &MergeInput,
    rules: &Rules,
    today: NaiveDate,
) -> Result<Planned, ApiError> {
    let maps: Vec<Map<String, Value>> = records.iter().map(|r| flat(r, today)).collect();
    let candidates: Vec<Candidate<'_>> = records
        .iter()
        .zip(&maps)
        .map(|(record, values)| Candidate {
            id: record.id.as_uuid(),
            updated_at: record.updated_at,
            source: record.source.as_deref(),
            values,
        })
        .collect();
    let mut errors = Vec::new();
    for field in input.fields.keys() {
        if field == "source" {
            errors.push(FieldError::new(
                "fields.source",
                "the source follows the external_id choice",
            ));
        }
    }
    let known = |field: &str| known_field(field) && maps.iter().any(|m| m.contains_key(field));
    let mut choices =
        merge::choose(&candidates, rules, &input.fields, known).map_err(ApiError::Validation)?;

    // Money follows the currency: an amount read in another currency would change its worth.
    let index_of = |id: Uuid| {
        records
            .iter()
            .position(|r| r.id.as_uuid() == id)
            .unwrap_or(0)
    };
    if let Some(currency_choice) = choices.get("currency").copied() {
        let currency = &records[index_of(currency_choice.id)].currency;
        for field in MONEY {
            if let Some(choice) = choices.get_mut(*field)
                && &records[index_of(choice.id)].currency != currency
            {
                if choice.rule.is_none() {
                    errors.push(FieldError::new(
                        format!("fields.{field}"),
                        format!(
                            "{} is in {}, the merged customer bills in {currency}; choose its currency too",
                            records[index_of(choice.id)].customer_code,
                            records[index_of(choice.id)].currency
                        ),
                    ));
                } else {
                    choice.id = currency_choice.id;
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }

    let set: BTreeSet<Uuid> = records.iter().map(|r| r.id.as_uuid()).collect();
    let mut survivor = input_map(&records[0], today);
    let mut custom = Map::new();
    let mut history = BTreeMap::new();
    let mut views = Vec::new();
    for (field, choice) in &choices {
        let values: Vec<&Value> = maps
            .iter()
            .map(|m| m.get(field).unwrap_or(&Value::Null))
            .collect();
        let differs = values.iter().any(|v| *v != values[0]);
        let chosen = maps[index_of(choice.id)]
            .get(field)
            .cloned()
            .unwrap_or(Value::Null);
        if differs {
            history.insert(field.clone(), choice.id);
        }
        if let Some(key) = field.strip_prefix("custom_fields.") {
            if !chosen.is_null() {
                custom.insert(key.to_owned(), chosen);
            }
        } else if field == "external_id" {
            survivor.insert(field.clone(), chosen);
            let source = records[index_of(choice.id)].source.clone();
            survivor.insert(
                "source".to_owned(),
                source.map_or(Value::Null, Value::String),
            );
        } else {
            survivor.insert(field.clone(), chosen);
        }
        views.push(MergeFieldView {
            field: field.clone(),
            values: records
                .iter()
                .zip(values)
                .map(|(r, v)| MergeFieldValue {
                    customer_id: r.id.as_uuid(),
                    value: v.clone(),
                })
                .collect(),
            chosen: choice.id,
            rule: choice.rule.map_or("choice", |r| r.as_str()).to_owned(),
            differs,
        });
    }
    survivor.insert("custom_fields".to_owned(), Value::Object(custom));
    let mut tags: Vec<String> = Vec::new();
    for record in &records {
        for tag in &record.tags {
            if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                tags.push(tag.clone());
            }
        }
    }
    survivor.insert(
        "tags".to_owned(),
        Value::Array(tags.iter().cloned().map(Value::String).collect()),
    );
    // A parent inside the merge is replaced by the nearest ancestor outside it.
    if let Some(Value::String(parent)) = survivor.get("parent_id").cloned() {
        let mut parent = Uuid::parse_str(&parent).ok();
        let mut hops = 0;
        while let Some(p) = parent.filter(|p| set.contains(p)) {
            parent = records
                .iter()
                .find(|r| r.id.as_uuid() == p)
                .and_then(|r| r.parent_id.map(|id| id.as_uuid()));
            hops += 1;
            if hops > records.len() {
                parent = None;
            }
        }
        survivor.insert(
            "parent_id".to_owned(),
            parent.map_or(Value::Null, |p| Value::String(p.to_string())),
        );
    }
    let survivor_input: CustomerInput = serde_json::from_value(Value::Object(survivor))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("merged input: {e}")))?;
    let survivor_new = new_customer(&survivor_input, org, today).map_err(|errors| {
        ApiError::Validation(
            errors
                .into_iter()
                .map(|e| {
                    FieldError::new(
                        format!("fields.{}", e.field),
                        format!(
                            "the chosen values do not make a valid customer: {}",
                            e.message
                        ),
                    )
                })
                .collect(),
        )
    })?;
    let plan = MergePlan {
        survivor: records[0].id,
        survivor_version: records[0].version,
        merged: records[1..].iter().map(|r| (r.id, r.version)).collect(),
        survivor_new,
        fields: history,
    };
    Ok(Planned {
        plan,
        records,
        fields: views,
        tags,
    })
}

/// The survivor's values after undoing merge `id`, and the version they apply to; a field the
/// merge set that was changed since is an `undo_conflict` naming it.
pub async fn undo_values(
    store: &Store,
    org: &Organization,
    id: Uuid,
    today: NaiveDate,
) -> Result<(i64, tenure_domain::customer::NewCustomer), ApiError> {
    let snapshot = store.merge_snapshot(org.id, id).await?;
    let before = snapshot
        .before
        .first()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("merge {id} has no survivor")))?;
    let current = store.customer(org.id, before.id, true).await?;
    let restored = merge::restore(
        &input_map(before, today),
        &input_map(&snapshot.after, today),
        &input_map(&current, today),
    )
    .map_err(|fields| ApiError::Refused {
        code: "undo_conflict",
        reasons: fields
            .into_iter()
            .map(|field| {
                FieldError::new(
                    format!("survivor.{field}"),
                    format!(
                        "{field} of {} was changed since the merge; set it back or change it after undoing",
                        current.customer_code
                    ),
                )
            })
            .collect(),
    })?;
    let input: CustomerInput = serde_json::from_value(Value::Object(restored))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("restored input: {e}")))?;
    let new = new_customer(&input, org, today).map_err(ApiError::Validation)?;
    Ok((current.version, new))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared list is exactly `CustomerInput`'s fields but those a merge does not choose.
    #[test]
    fn merge_fields_are_the_inputs_fields_a_merge_chooses() {
        let Ok(Value::Object(all)) = serde_json::to_value(CustomerInput::default()) else {
            panic!("CustomerInput is an object");
        };
        let mut expected: Vec<&str> = all
            .keys()
            .map(String::as_str)
            .filter(|k| !NOT_CHOSEN.contains(k))
            .collect();
        let mut shared = MERGE_FIELDS.to_vec();
        expected.sort_unstable();
        shared.sort_unstable();
        assert_eq!(shared, expected);
        assert_eq!(MERGE_MAX_RECORDS, merge::MAX_RECORDS);
    }
}
