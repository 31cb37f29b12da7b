//! The customer directory's list query, parsed from the strings of a URL query.
//!
//! The API and the SPA both build and read `?sort=-mrr,name&view=high_risk&limit=100`; parsing it
//! here means the two agree on every default and every limit. This module must not build SQL or
//! know column names: the store maps `SortField` and `QuickView` to its own columns.

use crate::customer::{CustomerStatus, PaymentStatus};
use crate::error::ValueError;
use crate::values::ChurnRisk;

wire_enum! {
    /// A column the directory can be ordered by.
    pub enum SortField ("sort field") {
        Name => "name",
        Plan => "plan",
        /// How long the customer has been a customer (`customer_since`).
        Tenure => "tenure",
        Ltv => "ltv",
        Mrr => "mrr",
        ChurnRisk => "churn_risk",
        Health => "health",
        LastActivity => "last_activity",
        Created => "created",
    }
}

/// One ordering criterion; `-mrr` on the wire is `{ field: Mrr, descending: true }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub field: SortField,
    pub descending: bool,
}

/// More keys than this add nothing a person can see, and each one costs an index.
pub const MAX_SORT_KEYS: usize = 4;

/// The order used when the request gives none: name, ascending.
pub const DEFAULT_SORT: SortKey = SortKey {
    field: SortField::Name,
    descending: false,
};

/// Parses `name`, `-mrr,name`, ` -health , created `: comma separated, a leading `-` means
/// descending. The empty string means the default, `[name asc]`. Rejects empty items, unknown
/// fields (listing the allowed ones), a field given twice and more than `MAX_SORT_KEYS` keys.
pub fn parse_sort(raw: &str) -> Result<Vec<SortKey>, ValueError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(vec![DEFAULT_SORT]);
    }
    let mut keys: Vec<SortKey> = Vec::new();
    for item in trimmed.split(',') {
        let item = item.trim();
        let (descending, name) = match item.strip_prefix('-') {
            Some(rest) => (true, rest.trim()),
            None => (false, item),
        };
        if name.is_empty() {
            return Err(ValueError::new(
                "sort has an empty item; write fields like name,-mrr",
            ));
        }
        let field = SortField::parse(name)?;
        if keys.iter().any(|key| key.field == field) {
            return Err(ValueError::new(format!(
                "sort field {field} is given more than once"
            )));
        }
        keys.push(SortKey { field, descending });
        if keys.len() > MAX_SORT_KEYS {
            return Err(ValueError::new(format!(
                "sort takes at most {MAX_SORT_KEYS} fields"
            )));
        }
    }
    Ok(keys)
}

/// Churn risk from which a customer counts as high risk (inclusive).
pub const HIGH_RISK_THRESHOLD: u8 = 60;

wire_enum! {
    /// The directory's predefined filters (the tabs above the table):
    ///
    /// - `All`: every customer.
    /// - `Active`: status is `active` or `onboarding`.
    /// - `HighRisk`: churn risk is at least `HIGH_RISK_THRESHOLD` (60) and status is not `churned`;
    ///   customers without a churn risk are not high risk.
    /// - `PaymentIssues`: payment status is `overdue` or `failed`.
    /// - `Cancelled`: status is `churned`.
    ///
    /// `QuickView::matches` is the executable form of this list; the store's query must agree
    /// with it.
    pub enum QuickView ("view") {
        All => "all",
        Active => "active",
        HighRisk => "high_risk",
        PaymentIssues => "payment_issues",
        Cancelled => "cancelled",
    }
}

impl QuickView {
    /// Whether a customer with these attributes belongs in this view.
    pub fn matches(
        &self,
        status: CustomerStatus,
        churn_risk: Option<ChurnRisk>,
        payment_status: PaymentStatus,
    ) -> bool {
        match self {
            QuickView::All => true,
            QuickView::Active => {
                matches!(status, CustomerStatus::Active | CustomerStatus::Onboarding)
            }
            QuickView::HighRisk => {
                status != CustomerStatus::Churned
                    && churn_risk.is_some_and(|risk| risk.get() >= HIGH_RISK_THRESHOLD)
            }
            QuickView::PaymentIssues => {
                matches!(
                    payment_status,
                    PaymentStatus::Overdue | PaymentStatus::Failed
                )
            }
            QuickView::Cancelled => status == CustomerStatus::Churned,
        }
    }
}

/// An inclusive filter range; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range<T> {
    pub min: Option<T>,
    pub max: Option<T>,
}

impl<T: PartialOrd> Range<T> {
    /// Rejects a range whose minimum is greater than its maximum.
    pub fn new(min: Option<T>, max: Option<T>) -> Result<Self, ValueError> {
        if let (Some(low), Some(high)) = (&min, &max)
            && low > high
        {
            return Err(ValueError::new(
                "the minimum must not be greater than the maximum",
            ));
        }
        Ok(Range { min, max })
    }

    /// A range with neither end, which every value is in.
    pub fn unbounded() -> Self {
        Range {
            min: None,
            max: None,
        }
    }

    pub fn is_unbounded(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }

    /// Whether `value` lies within both ends, inclusive.
    pub fn contains(&self, value: &T) -> bool {
        self.min.as_ref().is_none_or(|min| value >= min)
            && self.max.as_ref().is_none_or(|max| value <= max)
    }
}

impl<T: PartialOrd> Default for Range<T> {
    fn default() -> Self {
        Range::unbounded()
    }
}

/// The most rows one page may ask for.
pub const MAX_LIMIT: u32 = 500;
/// Rows per page when the request does not say.
pub const DEFAULT_LIMIT: u32 = 50;

/// Parses the page size: absent or blank means `DEFAULT_LIMIT`; otherwise 1 to `MAX_LIMIT`.
pub fn parse_limit(raw: Option<&str>) -> Result<u32, ValueError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(DEFAULT_LIMIT);
    };
    text.parse::<u32>()
        .ok()
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| {
            ValueError::new(format!(
                "limit must be a whole number from 1 to {MAX_LIMIT}"
            ))
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use crate::customer::{CustomerStatus, PaymentStatus};
    use crate::query::{
        DEFAULT_LIMIT, HIGH_RISK_THRESHOLD, MAX_LIMIT, QuickView, Range, SortField, SortKey,
        parse_limit, parse_sort,
    };
    use crate::values::ChurnRisk;

    fn key(field: SortField, descending: bool) -> SortKey {
        SortKey { field, descending }
    }

    /// `expected`: the keys, or a fragment of the error message.
    fn check(input: &str, expected: Result<Vec<SortKey>, &str>) {
        match (parse_sort(input), expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "input {input:?}"),
            (Err(err), Err(fragment)) => assert!(
                err.message.contains(fragment),
                "input {input:?}: {:?} lacks {fragment:?}",
                err.message
            ),
            (got, want) => panic!("input {input:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn sort_strings_parse_into_ordered_keys() {
        use SortField::{ChurnRisk, Created, Health, LastActivity, Mrr, Name, Tenure};
        let cases: Vec<(&str, Result<Vec<SortKey>, &str>)> = vec![
            ("", Ok(vec![key(Name, false)])),
            ("   ", Ok(vec![key(Name, false)])),
            ("name", Ok(vec![key(Name, false)])),
            ("-mrr", Ok(vec![key(Mrr, true)])),
            ("-mrr,name", Ok(vec![key(Mrr, true), key(Name, false)])),
            (
                " -health , created ",
                Ok(vec![key(Health, true), key(Created, false)]),
            ),
            ("- tenure", Ok(vec![key(Tenure, true)])),
            ("CHURN_RISK", Ok(vec![key(ChurnRisk, false)])),
            (
                "last_activity,-churn_risk,mrr,name",
                Ok(vec![
                    key(LastActivity, false),
                    key(ChurnRisk, true),
                    key(Mrr, false),
                    key(Name, false),
                ]),
            ),
            ("name,plan,mrr,ltv,health", Err("at most 4")),
            ("name,-name", Err("more than once")),
            ("mrr,mrr", Err("more than once")),
            ("name,", Err("empty item")),
            (",name", Err("empty item")),
            ("-", Err("empty item")),
            ("--mrr", Err("must be one of")),
            (
                "revenue",
                Err(
                    "sort field must be one of: name, plan, tenure, ltv, mrr, churn_risk, health, last_activity, created",
                ),
            ),
            ("+mrr", Err("must be one of")),
        ];
        for (input, expected) in cases {
            check(input, expected);
        }
    }

    #[test]
    fn sort_fields_have_the_documented_wire_names() {
        let names: Vec<&str> = SortField::ALL.iter().map(SortField::as_str).collect();
        assert_eq!(
            names,
            [
                "name",
                "plan",
                "tenure",
                "ltv",
                "mrr",
                "churn_risk",
                "health",
                "last_activity",
                "created"
            ]
        );
        for field in SortField::ALL {
            assert_eq!(SortField::parse(field.as_str()), Ok(*field));
        }
    }

    #[test]
    fn quick_views_have_the_documented_wire_names() {
        let names: Vec<&str> = QuickView::ALL.iter().map(QuickView::as_str).collect();
        assert_eq!(
            names,
            ["all", "active", "high_risk", "payment_issues", "cancelled"]
        );
        for view in QuickView::ALL {
            assert_eq!(QuickView::parse(view.as_str()), Ok(*view));
            assert_eq!(
                serde_json::to_string(view).unwrap(),
                format!("\"{}\"", view.as_str())
            );
        }
    }

    #[test]
    fn quick_views_select_the_documented_customers() {
        use CustomerStatus::{Active, AtRisk, Churned, Lead, Onboarding, Suspended};
        use PaymentStatus::{Current, Failed, Overdue, Pending};
        let risk = |r: i64| Some(ChurnRisk::new(r).unwrap());
        // (status, churn risk, payment status) -> [all, active, high_risk, payment_issues, cancelled]
        let cases: &[(CustomerStatus, Option<ChurnRisk>, PaymentStatus, [bool; 5])] = &[
            (Active, None, Current, [true, true, false, false, false]),
            (
                Onboarding,
                risk(10),
                Pending,
                [true, true, false, false, false],
            ),
            (Lead, risk(59), Current, [true, false, false, false, false]),
            (Lead, risk(60), Current, [true, false, true, false, false]),
            (AtRisk, risk(95), Overdue, [true, false, true, true, false]),
            (Suspended, None, Failed, [true, false, false, true, false]),
            (Churned, risk(99), Failed, [true, false, false, true, true]),
            (Churned, None, Current, [true, false, false, false, true]),
        ];
        for (status, churn, payment, want) in cases {
            let got: Vec<bool> = QuickView::ALL
                .iter()
                .map(|view| view.matches(*status, *churn, *payment))
                .collect();
            assert_eq!(got, want, "{status} {churn:?} {payment}");
        }
        assert_eq!(HIGH_RISK_THRESHOLD, 60);
    }

    #[test]
    fn ranges_reject_a_minimum_above_the_maximum() {
        let cases: &[(Option<i64>, Option<i64>, bool)] = &[
            (None, None, true),
            (Some(5), None, true),
            (None, Some(5), true),
            (Some(5), Some(5), true),
            (Some(1), Some(5), true),
            (Some(6), Some(5), false),
        ];
        for (min, max, ok) in cases {
            let range = Range::new(*min, *max);
            assert_eq!(range.is_ok(), *ok, "{min:?}..{max:?}");
            if let Ok(range) = range {
                assert_eq!((range.min, range.max), (*min, *max));
            }
        }
        assert!(Range::new(Some(2.0), Some(1.0)).is_err());
        assert!(Range::<i64>::default().is_unbounded());
    }

    #[test]
    fn ranges_contain_values_between_their_ends_inclusive() {
        let range = Range::new(Some(10), Some(20)).unwrap();
        let cases: &[(i64, bool)] = &[(9, false), (10, true), (15, true), (20, true), (21, false)];
        for (value, inside) in cases {
            assert_eq!(range.contains(value), *inside, "{value}");
        }
        assert!(Range::new(None, Some(0)).unwrap().contains(&i64::MIN));
        assert!(Range::<i64>::unbounded().contains(&i64::MAX));
    }

    #[test]
    fn limits_default_to_fifty_and_stay_within_one_to_five_hundred() {
        let cases: &[(Option<&str>, Result<u32, ()>)] = &[
            (None, Ok(DEFAULT_LIMIT)),
            (Some(""), Ok(DEFAULT_LIMIT)),
            (Some("  "), Ok(DEFAULT_LIMIT)),
            (Some("1"), Ok(1)),
            (Some(" 100 "), Ok(100)),
            (Some("500"), Ok(MAX_LIMIT)),
            (Some("0"), Err(())),
            (Some("501"), Err(())),
            (Some("-1"), Err(())),
            (Some("1.5"), Err(())),
            (Some("ten"), Err(())),
            (Some("99999999999999999999"), Err(())),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_limit(*raw).map_err(|_| ()), *want, "{raw:?}");
        }
        assert_eq!(
            parse_limit(Some("0")).unwrap_err().message,
            "limit must be a whole number from 1 to 500"
        );
    }

    proptest! {
        #[test]
        fn printing_parsed_sort_keys_parses_back_to_the_same_keys(raw in "[-a-z_, ]{0,40}") {
            if let Ok(keys) = parse_sort(&raw) {
                let printed: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}{}", if k.descending { "-" } else { "" }, k.field))
                    .collect();
                prop_assert_eq!(parse_sort(&printed.join(",")), Ok(keys.clone()));
                prop_assert!(!keys.is_empty() && keys.len() <= 4);
            }
        }
    }
}
