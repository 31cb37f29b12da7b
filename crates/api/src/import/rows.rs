//! One CSV row into the customer it describes, through the same parsers as the API's own
//! bodies (`CustomerInput`, `AddressInput`, `ContactInput`), so an import accepts exactly what
//! the API accepts. Errors name the file's column as well as the field.

use chrono::NaiveDate;
use tenure_api_types::{AddressInput, ContactInput, CustomerInput, ImportFieldChange};
use tenure_domain::contact::{NewAddress, NewContact};
use tenure_domain::customer::NewCustomer;
use tenure_domain::error::FieldError;
use tenure_domain::import::plan::{MappedRow, MatchBy, OnMatch, Plan};
use tenure_domain::values::{Email, Website};
use tenure_store::customer::{Catalogue, CustomerRecord};
use tenure_store::import::RowError;
use tenure_store::organization::Organization;

use crate::convert::{customer_input, customer_view, new_customer};
use crate::routes::contact::{new_address, new_contact};

/// A row ready to be created.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    pub customer: NewCustomer,
    pub address: Option<NewAddress>,
    pub contact: Option<NewContact>,
}

/// What a matched row does to its customer.
#[derive(Debug, Clone)]
pub enum UpdateOutcome {
    Unchanged,
    Changed {
        customer: Box<NewCustomer>,
        changes: Vec<ImportFieldChange>,
    },
}

/// Everything needed to turn rows into customers for one job.
#[derive(Debug, Clone)]
pub struct RowParser {
    pub plan: Plan,
    pub org: Organization,
    pub today: NaiveDate,
    pub catalogue: Catalogue,
}

/// The text of a cell a spreadsheet would run as a formula, refused before parsing.
fn formula_errors(mapped: &MappedRow) -> Vec<RowError> {
    mapped
        .formulas
        .iter()
        .map(|header| RowError {
            column: Some(header.clone()),
            field: "cell".to_owned(),
            message: "starts with '=' like a spreadsheet formula; formulas are not imported"
                .to_owned(),
        })
        .collect()
}

impl RowParser {
    /// The key the match policy looks rows up by, normalised as stored; `None` when the row has
    /// none (it can only be created) or matching is off.
    pub fn match_key(&self, mapped: &MappedRow) -> Option<String> {
        match self.plan.policy.by {
            MatchBy::ExternalId => mapped.get("external_id").map(str::to_owned),
            MatchBy::Email => mapped
                .get("email")
                .and_then(|e| Email::parse(e).ok())
                .map(|e| e.as_str().to_owned()),
            MatchBy::Domain => mapped
                .get("website")
                .and_then(|w| Website::parse(w).ok())
                .map(|w| w.domain().to_owned()),
            MatchBy::None => None,
        }
    }

    /// Parses a row that creates a customer.
    pub fn parse_new(&self, mapped: &MappedRow) -> Result<ParsedRow, Vec<RowError>> {
        let mut errors = formula_errors(mapped);
        let mut input = CustomerInput::default();
        for (target, value) in &mapped.values {
            if let Err(e) = set_field(&mut input, target, value, false) {
                errors.push(located(mapped, e));
            }
        }
        if input.external_id.is_some() {
            input.source = Some(self.plan.policy.source.clone());
        }
        let customer = new_customer(&input, &self.org, self.today)
            .and_then(|c| self.catalogue.resolve(None, &c));
        let customer = keep(customer, "", mapped, &mut errors);
        let address = keep(
            self.address(mapped),
            "billing_address.",
            mapped,
            &mut errors,
        );
        let contact = keep(
            self.contact(mapped),
            "primary_contact.",
            mapped,
            &mut errors,
        );
        match (customer, address, contact) {
            (Some(customer), Some(address), Some(contact)) if errors.is_empty() => Ok(ParsedRow {
                customer,
                address,
                contact,
            }),
            _ => Err(errors),
        }
    }

    /// Applies a matched row to `before` under the job's `on_match` (`update` or `fill_empty`;
    /// the caller handles `skip`). Only mapped, non-empty cells change anything.
    pub fn parse_update(
        &self,
        before: &CustomerRecord,
        mapped: &MappedRow,
    ) -> Result<UpdateOutcome, Vec<RowError>> {
        let mut errors = formula_errors(mapped);
        let original = customer_input(&customer_view(before, self.today));
        let mut merged = original.clone();
        let fill_only = self.plan.policy.on_match == OnMatch::FillEmpty;
        for (target, value) in &mapped.values {
            // The match key and the record's identity stay as they are.
            if matches!(*target, "external_id" | "kind") || target.contains('.') {
                continue;
            }
            if let Err(e) = set_field(&mut merged, target, value, fill_only) {
                errors.push(located(mapped, e));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if merged == original {
            return Ok(UpdateOutcome::Unchanged);
        }
        let customer = new_customer(&merged, &self.org, self.today)
            .and_then(|c| self.catalogue.resolve(Some(before), &c))
            .map_err(|errs| {
                errs.into_iter()
                    .map(|e| located(mapped, e))
                    .collect::<Vec<_>>()
            })?;
        let unchanged =
            new_customer(&original, &self.org, self.today).is_ok_and(|old| old == customer);
        if unchanged {
            return Ok(UpdateOutcome::Unchanged);
        }
        Ok(UpdateOutcome::Changed {
            customer: Box::new(customer),
            changes: diff(&original, &merged),
        })
    }

    fn address(&self, mapped: &MappedRow) -> Result<Option<NewAddress>, Vec<FieldError>> {
        let part = |name: &str| {
            mapped
                .get(&format!("billing_address.{name}"))
                .map(str::to_owned)
        };
        let input = AddressInput {
            kind: Some("billing".to_owned()),
            line1: part("line1"),
            line2: part("line2"),
            city: part("city"),
            region: part("region"),
            postal_code: part("postal_code"),
            country: part("country").or_else(|| mapped.get("country").map(str::to_owned)),
            ..AddressInput::default()
        };
        let any = input.line1.is_some()
            || input.line2.is_some()
            || input.city.is_some()
            || input.region.is_some()
            || input.postal_code.is_some();
        if !any {
            return Ok(None);
        }
        if input.line1.is_none() {
            // A city or postcode without a street still says where the customer is; keep it
            // rather than refuse the row, with the city (or postcode) as the first line.
            let mut input = input.clone();
            input.line1 = input.city.clone().or_else(|| input.postal_code.clone());
            return new_address(&input).map(Some);
        }
        new_address(&input).map(Some)
    }

    fn contact(&self, mapped: &MappedRow) -> Result<Option<NewContact>, Vec<FieldError>> {
        let part = |name: &str| {
            mapped
                .get(&format!("primary_contact.{name}"))
                .map(str::to_owned)
        };
        let any = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "mobile",
            "title",
        ]
        .iter()
        .any(|name| part(name).is_some());
        if !any {
            return Ok(None);
        }
        // A person's own name and email are their contact's when the file gives no other
        // (a Salesforce contact's title and mobile belong to that same person).
        let own = |name: &str| mapped.get(name).map(str::to_owned);
        let input = ContactInput {
            first_name: part("first_name").or_else(|| own("first_name")),
            last_name: part("last_name").or_else(|| own("last_name")),
            email: part("email").or_else(|| own("email")),
            phone: part("phone"),
            mobile: part("mobile"),
            title: part("title"),
            role: Some("primary".to_owned()),
            is_primary: Some(true),
            ..ContactInput::default()
        };
        new_contact(&input, &self.org).map(Some)
    }
}

/// The value of a parse, or `None` with its errors added to `errors` (fields prefixed with
/// the nested record's name, such as `billing_address.`).
fn keep<T>(
    result: Result<T, Vec<FieldError>>,
    prefix: &str,
    mapped: &MappedRow,
    errors: &mut Vec<RowError>,
) -> Option<T> {
    result
        .map_err(|field_errors| {
            errors.extend(field_errors.into_iter().map(|mut e| {
                e.field = format!("{prefix}{}", e.field);
                located(mapped, e)
            }));
        })
        .ok()
}

/// A field error with the file's column it came from.
fn located(mapped: &MappedRow, e: FieldError) -> RowError {
    let base = e.field.split('[').next().unwrap_or(&e.field).to_owned();
    RowError {
        column: mapped
            .column_of(&base)
            .or_else(|| mapped.column_of(&e.field))
            .map(str::to_owned),
        field: e.field,
        message: e.message,
    }
}

/// Sets one top-level target of `input` from a cell; with `only_if_empty`, a value already
/// there wins.
fn set_field(
    input: &mut CustomerInput,
    target: &str,
    value: &str,
    only_if_empty: bool,
) -> Result<(), FieldError> {
    fn put(slot: &mut Option<String>, value: &str, only_if_empty: bool) {
        if !only_if_empty || slot.as_deref().is_none_or(|s| s.trim().is_empty()) {
            *slot = Some(value.to_owned());
        }
    }
    let date = |value: &str| {
        NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
            FieldError::new(
                target,
                "must be a date as YYYY-MM-DD (add a date transform for other formats)",
            )
        })
    };
    match target {
        "name" => put(&mut input.name, value, only_if_empty),
        "kind" => put(&mut input.kind, value, only_if_empty),
        "customer_code" => put(&mut input.customer_code, value, only_if_empty),
        "display_name" => put(&mut input.display_name, value, only_if_empty),
        "legal_name" => put(&mut input.legal_name, value, only_if_empty),
        "first_name" => put(&mut input.first_name, value, only_if_empty),
        "last_name" => put(&mut input.last_name, value, only_if_empty),
        "email" => put(&mut input.email, value, only_if_empty),
        "phone" => put(&mut input.phone, value, only_if_empty),
        "website" => put(&mut input.website, value, only_if_empty),
        "industry" => put(&mut input.industry, value, only_if_empty),
        "company_size" => put(&mut input.company_size, value, only_if_empty),
        "tax_id" => put(&mut input.tax_id, value, only_if_empty),
        "status" => put(&mut input.status, value, only_if_empty),
        "customer_type" => put(&mut input.customer_type, value, only_if_empty),
        "tier" => put(&mut input.tier, value, only_if_empty),
        "plan" => put(&mut input.plan, value, only_if_empty),
        "currency" => put(&mut input.currency, value, only_if_empty),
        "mrr" => put(&mut input.mrr, &amount(value), only_if_empty),
        "ltv" => put(&mut input.ltv, &amount(value), only_if_empty),
        "credit_limit" => put(&mut input.credit_limit, &amount(value), only_if_empty),
        "notes" => put(&mut input.notes, value, only_if_empty),
        "country" => put(&mut input.country, value, only_if_empty),
        "external_id" => put(&mut input.external_id, value, only_if_empty),
        "payment_terms_days" => {
            let days = value
                .parse::<i64>()
                .map_err(|_| FieldError::new(target, "must be a whole number of days"))?;
            if !only_if_empty || input.payment_terms_days.is_none() {
                input.payment_terms_days = Some(days);
            }
        }
        "customer_since" => {
            let day = date(value)?;
            if !only_if_empty || input.customer_since.is_none() {
                input.customer_since = Some(day);
            }
        }
        "tags" => {
            let mut tags: Vec<String> = input.tags.clone().unwrap_or_default();
            if !only_if_empty || tags.is_empty() {
                for tag in value
                    .split([';', ','])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                {
                    if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                        tags.push(tag.to_owned());
                    }
                }
                input.tags = Some(tags);
            }
        }
        // Nested targets are read by `address` / `contact`; `full_name` was split already.
        _ => {}
    }
    Ok(())
}

/// An amount as exports write it: currency symbols and thousands separators dropped
/// (`$1,250.00` -> `1250.00`). A comma decimal (`1250,50`) is read as a decimal point.
fn amount(raw: &str) -> String {
    if !raw.chars().any(|c| c.is_ascii_digit()) {
        // Nothing numeric: leave it for the parser to name.
        return raw.to_owned();
    }
    let kept: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    match (kept.rfind('.'), kept.rfind(',')) {
        (Some(_), Some(_)) | (Some(_), None) => kept.replace(',', ""),
        (None, Some(comma)) if kept.len() - comma == 3 => kept.replace(',', "."),
        _ => kept.replace(',', ""),
    }
}

/// The fields two inputs disagree on, as JSON values.
fn diff(before: &CustomerInput, after: &CustomerInput) -> Vec<ImportFieldChange> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    b.into_iter()
        .filter(|(k, v)| a.get(k) != Some(v))
        .map(|(field, after)| ImportFieldChange {
            before: a.get(&field).cloned().unwrap_or(serde_json::Value::Null),
            field,
            after,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::amount;

    #[test]
    fn amounts_as_exports_write_them() {
        assert_eq!(amount("$1,250.00"), "1250.00");
        assert_eq!(amount("1250,50"), "1250.50");
        assert_eq!(amount("1,250"), "1250");
        assert_eq!(amount("€ 99"), "99");
        assert_eq!(amount("abc"), "abc");
    }
}
