//! Conversions at the edge: wire DTOs into parsed domain types (collecting every field error at
//! once) and stored records into wire views. No I/O happens here.

use chrono::NaiveDate;
use tenure_api_types::{CustomerInput, CustomerView};
use tenure_domain::customer::{
    CompanySize, CustomerKind, CustomerStatus, CustomerType, EXTERNAL_ID_MAX_CHARS,
    LABEL_MAX_CHARS, NAME_MAX_CHARS, NOTES_MAX_CHARS, NewCustomer, PaymentStatus, TAX_ID_MAX_CHARS,
    dedupe_tags, display_name_for, validate_new_customer,
};
use tenure_domain::error::{FieldError, Validator, ValueError};
use tenure_domain::ids::{CustomerId, UserId};
use tenure_domain::money::Money;
use tenure_domain::values::{
    BoundedText, ChurnRisk, CountryCode, CurrencyCode, CustomerCode, Email, HealthScore, LongText,
    PhoneNumber, Tag, Website,
};
use tenure_store::customer::CustomerRecord;
use tenure_store::organization::Organization;

/// A trimmed, non-empty string, or `None`: forms send `""` for "no value".
pub(crate) fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) fn parse_opt<T>(
    v: &mut Validator,
    field: &str,
    raw: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<T> {
    present(raw).and_then(|s| v.check(field, parse(s)))
}

/// The organisation's region, which reads national phone numbers such as "(415) 555-2671".
pub fn default_region(org: &Organization) -> Option<CountryCode> {
    org.default_region
        .as_deref()
        .and_then(|r| CountryCode::parse(r).ok())
}

/// Like [`parse_opt`], but an absent or blank value records `missing` against `field`.
pub(crate) fn parse_required<T>(
    v: &mut Validator,
    field: &str,
    raw: &Option<String>,
    missing: &str,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<T> {
    if present(raw).is_none() {
        v.push(field, missing);
        return None;
    }
    parse_opt(v, field, raw, parse)
}

/// Whether any string or key inside `value` holds U+0000.
fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Parses a create body (or a patched view) into a [`NewCustomer`] for `org`, applying its
/// defaults (currency, phone region) and every cross-field rule.
pub fn new_customer(
    input: &CustomerInput,
    org: &Organization,
    today: NaiveDate,
) -> Result<NewCustomer, Vec<FieldError>> {
    let mut v = Validator::new();
    let kind = match present(&input.kind) {
        Some(raw) => v.check("kind", CustomerKind::parse(raw)),
        None => Some(CustomerKind::Company),
    };
    let text = |v: &mut Validator, field: &str, raw: &Option<String>, max: usize| {
        parse_opt(v, field, raw, |s| BoundedText::parse(s, max))
    };
    let first_name = text(&mut v, "first_name", &input.first_name, LABEL_MAX_CHARS);
    let last_name = text(&mut v, "last_name", &input.last_name, LABEL_MAX_CHARS);
    let name = match (present(&input.name), kind) {
        (Some(raw), _) => v.check("name", BoundedText::parse(raw, NAME_MAX_CHARS)),
        (None, Some(kind)) => match display_name_for(
            kind,
            first_name.as_ref().map(BoundedText::as_str),
            last_name.as_ref().map(BoundedText::as_str),
        ) {
            Some(generated) => v.check("name", BoundedText::parse(&generated, NAME_MAX_CHARS)),
            None => {
                v.push(
                    "name",
                    if kind == CustomerKind::Person {
                        "required: give a name or a first/last name"
                    } else {
                        "required"
                    },
                );
                None
            }
        },
        (None, None) => None,
    };
    let country = parse_opt(&mut v, "country", &input.country, CountryCode::parse);
    let region = country.or_else(|| default_region(org));
    let currency = match present(&input.currency) {
        Some(raw) => v.check("currency", CurrencyCode::parse(raw)),
        None => v.check("currency", CurrencyCode::parse(&org.default_currency)),
    };
    let money = |v: &mut Validator, field: &str, raw: &Option<String>| -> Option<Money> {
        let currency = currency.as_ref()?;
        parse_opt(v, field, raw, |s| Money::parse(s, currency))
    };
    let mrr = money(&mut v, "mrr", &input.mrr);
    let ltv = money(&mut v, "ltv", &input.ltv);
    let credit_limit = money(&mut v, "credit_limit", &input.credit_limit);
    let payment_terms_days = input.payment_terms_days.and_then(|days| {
        v.check(
            "payment_terms_days",
            u16::try_from(days).map_err(|_| ValueError::new("must be between 0 and 365")),
        )
    });
    let tags = input.tags.as_ref().map(|tags| {
        let parsed: Vec<Tag> = tags
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| v.check(&format!("tags[{i}]"), Tag::parse(raw)))
            .collect();
        dedupe_tags(parsed)
    });
    if tags.as_ref().is_some_and(|t| t.len() > 50) {
        v.push("tags", "at most 50 tags per customer");
    }
    let custom_fields = input.custom_fields.clone().unwrap_or_default();
    let settings = input.settings.clone().unwrap_or_default();
    for (field, map) in [("custom_fields", &custom_fields), ("settings", &settings)] {
        let text = serde_json::to_string(map).unwrap_or_default();
        if text.len() > 32 * 1024 {
            v.push(field, "at most 32 KiB of JSON");
        }
        // PostgreSQL's jsonb cannot store U+0000; refuse it here rather than fail on write.
        if map
            .iter()
            .any(|(key, value)| key.contains('\0') || has_nul(value))
        {
            v.push(field, "must not contain the NUL character (\\u0000)");
        }
    }
    let customer_code = parse_opt(
        &mut v,
        "customer_code",
        &input.customer_code,
        CustomerCode::parse,
    );
    let display_name = text(&mut v, "display_name", &input.display_name, NAME_MAX_CHARS);
    let legal_name = text(&mut v, "legal_name", &input.legal_name, NAME_MAX_CHARS);
    let email = parse_opt(&mut v, "email", &input.email, Email::parse);
    let phone = parse_opt(&mut v, "phone", &input.phone, |s| {
        PhoneNumber::parse(s, region.as_ref())
    });
    let website = parse_opt(&mut v, "website", &input.website, Website::parse);
    let industry = text(&mut v, "industry", &input.industry, LABEL_MAX_CHARS);
    let company_size = parse_opt(
        &mut v,
        "company_size",
        &input.company_size,
        CompanySize::parse,
    );
    let tax_id = text(&mut v, "tax_id", &input.tax_id, TAX_ID_MAX_CHARS);
    let status = parse_opt(&mut v, "status", &input.status, CustomerStatus::parse);
    let customer_type = parse_opt(
        &mut v,
        "customer_type",
        &input.customer_type,
        CustomerType::parse,
    );
    let tier = text(&mut v, "tier", &input.tier, LABEL_MAX_CHARS);
    let plan = text(&mut v, "plan", &input.plan, LABEL_MAX_CHARS);
    let payment_status = parse_opt(
        &mut v,
        "payment_status",
        &input.payment_status,
        PaymentStatus::parse,
    );
    let health_score = input
        .health_score
        .and_then(|h| v.check("health_score", HealthScore::new(h)));
    let churn_risk = input
        .churn_risk
        .and_then(|c| v.check("churn_risk", ChurnRisk::new(c)));
    let notes = parse_opt(&mut v, "notes", &input.notes, |s| {
        LongText::parse(s, NOTES_MAX_CHARS)
    });
    let internal_notes = parse_opt(&mut v, "internal_notes", &input.internal_notes, |s| {
        LongText::parse(s, NOTES_MAX_CHARS)
    });
    let external_id = text(
        &mut v,
        "external_id",
        &input.external_id,
        EXTERNAL_ID_MAX_CHARS,
    );
    let source = text(&mut v, "source", &input.source, LABEL_MAX_CHARS);
    v.finish()?;
    // Every path that leaves these empty recorded a field error above.
    let (Some(kind), Some(name), Some(currency)) = (kind, name, currency) else {
        return Err(vec![FieldError::new("name", "required")]);
    };
    let new = NewCustomer {
        kind,
        customer_code,
        name,
        display_name,
        legal_name,
        first_name,
        last_name,
        birth_date: input.birth_date,
        email,
        phone,
        website,
        industry,
        company_size,
        tax_id,
        status: status.unwrap_or(CustomerStatus::Lead),
        customer_type: customer_type.unwrap_or(CustomerType::Standard),
        tier,
        plan,
        currency,
        mrr: mrr.unwrap_or(Money::ZERO),
        ltv: ltv.unwrap_or(Money::ZERO),
        credit_limit,
        payment_terms_days,
        payment_status: payment_status.unwrap_or(PaymentStatus::Current),
        parent_id: input.parent_id.map(CustomerId::from_uuid),
        owner_id: input.owner_id.map(UserId::from_uuid),
        health_score,
        churn_risk,
        tags: tags.unwrap_or_default(),
        custom_fields,
        settings,
        portal_access: input.portal_access.unwrap_or(false),
        notes,
        internal_notes,
        country,
        customer_since: input.customer_since,
        external_id,
        source,
    };
    validate_new_customer(&new, today)?;
    Ok(new)
}

fn decimal(minor: i64, currency: &str) -> String {
    match CurrencyCode::parse(currency) {
        Ok(code) => Money::from_minor(minor).to_decimal_string(&code),
        Err(_) => minor.to_string(),
    }
}

/// The wire view of a stored customer.
pub fn customer_view(record: &CustomerRecord, today: NaiveDate) -> CustomerView {
    CustomerView {
        id: record.id.as_uuid(),
        customer_code: record.customer_code.clone(),
        kind: record.kind.as_str().to_owned(),
        name: record.name.clone(),
        display_name: record.display_name.clone(),
        legal_name: record.legal_name.clone(),
        first_name: record.first_name.clone(),
        last_name: record.last_name.clone(),
        birth_date: record.birth_date,
        email: record.email.clone(),
        phone: record.phone.clone(),
        website: record.website.clone(),
        domain: record.domain.clone(),
        industry: record.industry.clone(),
        company_size: record.company_size.clone(),
        tax_id: record.tax_id.clone(),
        status: record.status.as_str().to_owned(),
        customer_type: record.customer_type.as_str().to_owned(),
        tier: record.tier.clone(),
        plan: record.plan.clone(),
        currency: record.currency.clone(),
        mrr: decimal(record.mrr_minor, &record.currency),
        ltv: decimal(record.ltv_minor, &record.currency),
        credit_limit: record
            .credit_limit_minor
            .map(|m| decimal(m, &record.currency)),
        payment_terms_days: record.payment_terms_days.map(i64::from),
        payment_status: record.payment_status.as_str().to_owned(),
        parent_id: record.parent_id.map(|id| id.as_uuid()),
        owner_id: record.owner_id.map(|id| id.as_uuid()),
        health_score: record.health_score.map(i64::from),
        churn_risk: record.churn_risk.map(i64::from),
        tags: record.tags.clone(),
        custom_fields: record
            .custom_fields
            .as_object()
            .cloned()
            .unwrap_or_default(),
        settings: record.settings.as_object().cloned().unwrap_or_default(),
        portal_access: record.portal_access,
        notes: record.notes.clone(),
        internal_notes: record.internal_notes.clone(),
        country: record.country.clone(),
        customer_since: Some(record.customer_since),
        tenure_days: (today - record.customer_since).num_days().max(0),
        last_activity_at: record.last_activity_at,
        external_id: record.external_id.clone(),
        source: record.source.clone(),
        version: record.version,
        deleted_at: record.deleted_at,
        merged_into: record.merged_into.map(|id| id.as_uuid()),
        created_at: record.created_at,
        updated_at: record.updated_at,
    }
}

/// The writable fields of a stored customer, the base a JSON merge patch applies to.
pub fn customer_input(view: &CustomerView) -> CustomerInput {
    CustomerInput {
        kind: Some(view.kind.clone()),
        customer_code: Some(view.customer_code.clone()),
        name: Some(view.name.clone()),
        display_name: view.display_name.clone(),
        legal_name: view.legal_name.clone(),
        first_name: view.first_name.clone(),
        last_name: view.last_name.clone(),
        birth_date: view.birth_date,
        email: view.email.clone(),
        phone: view.phone.clone(),
        website: view.website.clone(),
        industry: view.industry.clone(),
        company_size: view.company_size.clone(),
        tax_id: view.tax_id.clone(),
        status: Some(view.status.clone()),
        customer_type: Some(view.customer_type.clone()),
        tier: view.tier.clone(),
        plan: view.plan.clone(),
        currency: Some(view.currency.clone()),
        mrr: Some(view.mrr.clone()),
        ltv: Some(view.ltv.clone()),
        credit_limit: view.credit_limit.clone(),
        payment_terms_days: view.payment_terms_days,
        payment_status: Some(view.payment_status.clone()),
        parent_id: view.parent_id,
        owner_id: view.owner_id,
        health_score: view.health_score,
        churn_risk: view.churn_risk,
        tags: Some(view.tags.clone()),
        custom_fields: Some(view.custom_fields.clone()),
        settings: Some(view.settings.clone()),
        portal_access: Some(view.portal_access),
        notes: view.notes.clone(),
        internal_notes: view.internal_notes.clone(),
        country: view.country.clone(),
        customer_since: view.customer_since,
        external_id: view.external_id.clone(),
        source: view.source.clone(),
    }
}

/// Applies an RFC 7396 JSON merge patch to `target` (objects merge, `null` removes).
/// `minor` units of `currency` as a decimal string (`"1250.00"`); an unknown stored currency
/// falls back to two decimals.
pub fn money_text(minor: i64, currency: &str) -> String {
    match CurrencyCode::parse(currency) {
        Ok(code) => Money::from_minor(minor).to_decimal_string(&code),
        Err(_) => format!("{}.{:02}", minor / 100, (minor % 100).abs()),
    }
}

pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match patch {
        serde_json::Value::Object(entries) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(Default::default());
            }
            if let serde_json::Value::Object(map) = target {
                for (key, value) in entries {
                    if value.is_null() {
                        map.remove(key);
                    } else {
                        merge_patch(
                            map.entry(key.clone()).or_insert(serde_json::Value::Null),
                            value,
                        );
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_published_vocabulary_is_the_domains() {
        use tenure_api_types::vocabulary as wire;
        use tenure_domain::customer::{
            CompanySize, CustomerKind, CustomerStatus, CustomerType, PaymentStatus,
        };
        fn strings<T>(all: &[T], as_str: fn(&T) -> &'static str) -> Vec<&'static str> {
            all.iter().map(as_str).collect()
        }
        assert_eq!(
            wire::CUSTOMER_KINDS,
            strings(CustomerKind::ALL, CustomerKind::as_str)
        );
        assert_eq!(
            wire::CUSTOMER_STATUSES,
            strings(CustomerStatus::ALL, CustomerStatus::as_str)
        );
        assert_eq!(
            wire::CUSTOMER_TYPES,
            strings(CustomerType::ALL, CustomerType::as_str)
        );
        assert_eq!(
            wire::PAYMENT_STATUSES,
            strings(PaymentStatus::ALL, PaymentStatus::as_str)
        );
        assert_eq!(
            wire::COMPANY_SIZES,
            strings(CompanySize::ALL, CompanySize::as_str)
        );
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
    }
}
