//! The directory query: filters, quick views, multi-key sort, keyset or offset pagination, and a
//! total that never costs more than the page.
//!
//! One SQL text serves both backends. Sort keys are expressions that match the list indexes of
//! the foundation migration exactly (nullable keys through `COALESCE`), and the id breaks ties in
//! the direction of the first key, so a uniform sort is one row-value comparison that walks an
//! index. Totals are exact up to [`COUNT_CAP`]; above it PostgreSQL's planner estimate is used
//! and flagged. Nothing here may format values into SQL: they are always bound.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};
use serde::{Deserialize, Serialize};
use tenure_domain::customer::{CustomerStatus, CustomerType, PaymentStatus};
use tenure_domain::error::FieldError;
use tenure_domain::ids::{OrganizationId, UserId};
use tenure_domain::query::{HIGH_RISK_THRESHOLD, QuickView, Range, SortField, SortKey};
use uuid::Uuid;

use crate::customer::CustomerRecord;
use crate::customer::row::{CustomerRow, SELECT_COLUMNS, attach_tags};
use crate::sql::{Clause, stmt};
use crate::{Store, StoreError};

/// Totals are exact up to this many rows, estimated above.
pub const COUNT_CAP: u64 = 10_000;

/// Largest offset the page mode serves; deeper pages must use the cursor.
pub const MAX_OFFSET: u64 = 100_000;

/// Which customers the directory shows. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Free text: every word must occur in name, email, code, domain or phone.
    pub q: Option<String>,
    pub statuses: Vec<CustomerStatus>,
    pub types: Vec<CustomerType>,
    pub tiers: Vec<String>,
    pub plans: Vec<String>,
    /// Customers carrying any of these tags.
    pub tags: Vec<String>,
    pub payment_statuses: Vec<PaymentStatus>,
    pub owners: Vec<UserId>,
    pub health: Range<u8>,
    pub churn_risk: Range<u8>,
    pub created: Range<DateTime<Utc>>,
    pub last_activity: Range<DateTime<Utc>>,
    pub view: Option<QuickView>,
    /// Show the deleted customers (the bin) instead of the live ones.
    pub deleted: bool,
}

/// How to cut the result into pages.
#[derive(Debug, Clone)]
pub enum Paging {
    /// Keyset: stable under inserts, constant cost at any depth.
    Keyset { after: Option<Cursor>, limit: u32 },
    /// Numbered pages for the table UI (1-based).
    Offset { page: u32, per_page: u32 },
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct CustomerPage {
    pub items: Vec<CustomerRecord>,
    pub next_cursor: Option<Cursor>,
    /// `None` when the caller did not ask for a total.
    pub total: Option<u64>,
    pub total_is_estimate: bool,
}

/// Counts per quick view for the same filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewCounts {
    pub all: u64,
    pub active: u64,
    pub high_risk: u64,
    pub payment_issues: u64,
    pub cancelled: u64,
    pub is_estimate: bool,
}

/// Position after the last row of a page: that row's sort-key values and id, plus the sort it
/// belongs to (a cursor from another sort is refused rather than silently misread).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    sort: String,
    #[serde(rename = "v")]
    values: Vec<serde_json::Value>,
    #[serde(rename = "i")]
    id: Uuid,
}

impl Cursor {
    /// The opaque text form handed to clients.
    pub fn encode(&self) -> String {
        crate::sql::encode_cursor(self)
    }

    /// Reads a client's cursor for `sort`; any tampering or mismatch is a field error.
    pub fn decode(text: &str, sort: &[SortKey]) -> Result<Cursor, StoreError> {
        let invalid = || {
            StoreError::Invalid(vec![FieldError::new(
                "cursor",
                "invalid cursor: pass back the next_cursor of the previous page unchanged, with the same sort",
            )])
        };
        let cursor: Cursor = crate::sql::decode_cursor(text).ok_or_else(invalid)?;
        if cursor.sort != sort_signature(sort) || cursor.values.len() != sort.len() {
            return Err(invalid());
        }
        for (key, value) in sort.iter().zip(&cursor.values) {
            bind_value(key.field, value).ok_or_else(invalid)?;
        }
        Ok(cursor)
    }
}

fn sort_signature(sort: &[SortKey]) -> String {
    sort.iter()
        .map(|k| {
            format!(
                "{}{}",
                if k.descending { "-" } else { "" },
                k.field.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The SQL expression a field sorts by, and whether ascending in the API means descending in
/// SQL (tenure: a longer tenure is an earlier `customer_since`).
fn sort_expression(field: SortField) -> (&'static str, bool) {
    match field {
        SortField::Name => ("c.name_sort", false),
        SortField::Plan => ("COALESCE(c.plan, '')", false),
        SortField::Tenure => ("c.customer_since", true),
        SortField::Ltv => ("c.ltv_minor", false),
        SortField::Mrr => ("c.mrr_minor", false),
        SortField::ChurnRisk => ("COALESCE(c.churn_risk, -1)", false),
        SortField::Health => ("COALESCE(c.health_score, -1)", false),
        SortField::LastActivity => ("COALESCE(c.last_activity_at, c.created_at)", false),
        SortField::Created => ("c.created_at", false),
    }
}

/// A record's value for a sort field, as stored in a cursor.
fn cursor_value(field: SortField, record: &CustomerRecord) -> serde_json::Value {
    use serde_json::json;
    match field {
        SortField::Name => json!(tenure_domain::search::fold(&record.name)),
        SortField::Plan => json!(record.plan.clone().unwrap_or_default()),
        SortField::Tenure => json!(record.customer_since),
        SortField::Ltv => json!(record.ltv_minor),
        SortField::Mrr => json!(record.mrr_minor),
        SortField::ChurnRisk => json!(record.churn_risk.unwrap_or(-1)),
        SortField::Health => json!(record.health_score.unwrap_or(-1)),
        SortField::LastActivity => json!(record.last_activity_at.unwrap_or(record.created_at)),
        SortField::Created => json!(record.created_at),
    }
}

/// A cursor value as a bound parameter of the right type, or `None` when it does not fit.
fn bind_value(field: SortField, value: &serde_json::Value) -> Option<Value> {
    match field {
        SortField::Name | SortField::Plan => value
            .as_str()
            .filter(|s| !s.contains('\0'))
            .map(|s| s.to_owned().into()),
        SortField::Ltv | SortField::Mrr | SortField::ChurnRisk | SortField::Health => {
            value.as_i64().map(Value::from)
        }
        SortField::Tenure => value
            .as_str()
            .and_then(|s| s.parse::<NaiveDate>().ok())
            .filter(|d| (1..=9999).contains(&d.year()))
            .map(Value::from),
        SortField::LastActivity | SortField::Created => value
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .filter(|t| (1..=9999).contains(&t.year()))
            .map(|t| Value::from(t.with_timezone(&Utc))),
    }
}

/// The folded words of a query; a phone-like query becomes its digits.
fn search_terms(q: &str) -> Vec<String> {
    let looks_like_phone = q.chars().any(|c| c.is_ascii_digit())
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if looks_like_phone {
        let digits = tenure_domain::search::digits(q);
        return if digits.is_empty() {
            vec![]
        } else {
            vec![digits]
        };
    }
    tenure_domain::search::fold(q)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_owned)
        .collect()
}

/// The `WHERE` clause for a filter (without the quick view when `view` is overridden).
fn where_clause(
    backend: DbBackend,
    org: OrganizationId,
    filter: &CustomerFilter,
    view: Option<QuickView>,
) -> Clause {
    let mut clause = Clause::default();
    clause.push("c.organization_id = ?", [org.as_uuid().into()]);
    clause.push(
        if filter.deleted {
            "c.deleted_at IS NOT NULL"
        } else {
            "c.deleted_at IS NULL"
        },
        [],
    );
    if let Some(q) = &filter.q {
        let terms = search_terms(q);
        // Trigram indexes serve terms of three characters or more; shorter ones scan.
        let (indexed, short): (Vec<String>, Vec<String>) =
            terms.into_iter().partition(|t| t.chars().count() >= 3);
        if backend == DbBackend::Sqlite && !indexed.is_empty() {
            // Terms are folded to letters, digits and spaces, so quoting them is enough.
            let query = indexed
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(" AND ");
            clause.push(
                "c.rowid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)",
                [query.into()],
            );
        } else {
            for term in &indexed {
                clause.push("c.search_text LIKE ?", [format!("%{term}%").into()]);
            }
        }
        for term in short {
            clause.push("c.search_text LIKE ?", [format!("%{term}%").into()]);
        }
    }
    let mut any_of = |column: &str, values: Vec<Value>| {
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            clause.push(format!("{column} IN ({marks})"), values);
        }
    };
    any_of(
        "c.status",
        filter.statuses.iter().map(|s| s.as_str().into()).collect(),
    );
    any_of(
        "c.customer_type",
        filter.types.iter().map(|s| s.as_str().into()).collect(),
    );
    any_of(
        "c.tier",
        filter.tiers.iter().map(|s| s.clone().into()).collect(),
    );
    any_of(
        "c.plan",
        filter.plans.iter().map(|s| s.clone().into()).collect(),
    );
    any_of(
        "c.payment_status",
        filter
            .payment_statuses
            .iter()
            .map(|s| s.as_str().into())
            .collect(),
    );
    any_of(
        "c.owner_id",
        filter.owners.iter().map(|o| o.as_uuid().into()).collect(),
    );
    if !filter.tags.is_empty() {
        let marks = vec!["?"; filter.tags.len()].join(", ");
        let mut values: Vec<Value> = vec![org.as_uuid().into()];
        values.extend(filter.tags.iter().map(|t| Value::from(t.clone())));
        clause.push(
            // `IN` rather than a correlated `EXISTS`: bundled SQLite has returned a customer once
            // per matching tag for the `EXISTS` form under `LIMIT ... OFFSET`.
            format!("c.id IN (SELECT t.customer_id FROM customer_tags t WHERE t.organization_id = ? AND t.tag IN ({marks}))"),
            values,
        );
    }
    let mut range = |expr: &str, min: Option<Value>, max: Option<Value>| {
        if let Some(min) = min {
            clause.push(format!("{expr} >= ?"), [min]);
        }
        if let Some(max) = max {
            clause.push(format!("{expr} <= ?"), [max]);
        }
    };
    range(
        "c.health_score",
        filter.health.min.map(|v| i32::from(v).into()),
        filter.health.max.map(|v| i32::from(v).into()),
    );
    range(
        "c.churn_risk",
        filter.churn_risk.min.map(|v| i32::from(v).into()),
        filter.churn_risk.max.map(|v| i32::from(v).into()),
    );
    range(
        "c.created_at",
        filter.created.min.map(Value::from),
        filter.created.max.map(Value::from),
    );
    range(
        "c.last_activity_at",
        filter.last_activity.min.map(Value::from),
        filter.last_activity.max.map(Value::from),
    );
    match view {
        None | Some(QuickView::All) => {}
        Some(QuickView::Active) => clause.push("c.status IN ('active', 'onboarding')", []),
        // The threshold is a constant written into the text (not bound) so the text matches the
        // partial index `customers_high_risk_idx` and the planner can prove it applies.
        Some(QuickView::HighRisk) => clause.push(
            format!("c.churn_risk >= {HIGH_RISK_THRESHOLD} AND c.status <> 'churned'"),
            [],
        ),
        Some(QuickView::PaymentIssues) => {
            clause.push("c.payment_status IN ('overdue', 'failed')", [])
        }
        Some(QuickView::Cancelled) => clause.push("c.status = 'churned'", []),
    }
    clause
}

/// `ORDER BY` text and the (expression, descending) pairs including the id tiebreaker.
fn order(sort: &[SortKey]) -> Vec<(&'static str, bool)> {
    let mut keys: Vec<(&'static str, bool)> = sort
        .iter()
        .map(|key| {
            let (expr, flipped) = sort_expression(key.field);
            (expr, key.descending != flipped)
        })
        .collect();
    let first_desc = keys.first().map(|(_, desc)| *desc).unwrap_or(false);
    keys.push(("c.id", first_desc));
    keys
}

/// The keyset condition "after this cursor" for the given order.
fn after_clause(keys: &[(&'static str, bool)], values: Vec<Value>) -> (String, Vec<Value>) {
    let uniform = keys.iter().all(|(_, desc)| *desc == keys[0].1);
    if uniform {
        let exprs: Vec<&str> = keys.iter().map(|(e, _)| *e).collect();
        let marks = vec!["?"; keys.len()].join(", ");
        let op = if keys[0].1 { "<" } else { ">" };
        return (format!("({}) {op} ({marks})", exprs.join(", ")), values);
    }
    // Mixed directions: (k1 > v1) OR (k1 = v1 AND k2 < v2) OR ... ; the leading bound is repeated
    // outside the OR so an index on the first key can still narrow the scan.
    let mut ors = Vec::new();
    let mut bound = Vec::new();
    for i in 0..keys.len() {
        let mut ands = Vec::new();
        for (j, (expr, _)) in keys.iter().enumerate().take(i) {
            ands.push(format!("{expr} = ?"));
            bound.push(values[j].clone());
        }
        let (expr, desc) = keys[i];
        ands.push(format!("{expr} {} ?", if desc { "<" } else { ">" }));
        bound.push(values[i].clone());
        ors.push(format!("({})", ands.join(" AND ")));
    }
    let (first, first_desc) = keys[0];
    let mut all = vec![values[0].clone()];
    all.extend(bound);
    (
        format!(
            "{first} {} ? AND ({})",
            if first_desc { "<=" } else { ">=" },
            ors.join(" OR ")
        ),
        all,
    )
}

impl Store {
    /// One page of the directory. `with_total` adds the (capped) total.
    pub async fn list_customers(
        &self,
        org: OrganizationId,
        filter: &CustomerFilter,
        sort: &[SortKey],
        paging: &Paging,
        with_total: bool,
    ) -> Result<CustomerPage, StoreError> {
        let backend = self.db.get_database_backend();
        let mut clause = where_clause(backend, org, filter, filter.view);
        let keys = order(sort);
        let (limit, offset) = match paging {
            Paging::Keyset { after, limit } => {
                if let Some(cursor) = after {
                    // A cursor is only meaningful for the sort it was made for.
                    let fits = cursor.sort == sort_signature(sort)
                        && cursor.values.len() == sort.len()
                        && sort
                            .iter()
                            .zip(&cursor.values)
                            .all(|(key, value)| bind_value(key.field, value).is_some());
                    if !fits {
                        return Err(StoreError::Invalid(vec![FieldError::new(
                            "cursor",
                            "this cursor belongs to another sort",
                        )]));
                    }
                    let mut values: Vec<Value> = sort
                        .iter()
                        .zip(&cursor.values)
                        .filter_map(|(key, value)| bind_value(key.field, value))
                        .collect();
                    values.push(cursor.id.into());
                    let (sql, values) = after_clause(&keys, values);
                    clause.push(sql, values);
                }
                (u64::from(*limit), 0)
            }
            Paging::Offset { page, per_page } => {
                let offset = u64::from(page.saturating_sub(1)) * u64::from(*per_page);
                if offset > MAX_OFFSET {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "page",
                        format!(
                            "pages deeper than {MAX_OFFSET} rows are not served; use cursor pagination"
                        ),
                    )]));
                }
                (u64::from(*per_page), offset)
            }
        };
        let order_by: Vec<String> = keys
            .iter()
            .map(|(expr, desc)| format!("{expr} {}", if *desc { "DESC" } else { "ASC" }))
            .collect();
        // With a search on PostgreSQL, the matches are found first (trigram index) and sorted
        // after: `OFFSET 0` fences the subquery. Otherwise the planner may walk a sort index
        // hoping to meet matches early, and a fragment that clusters in that order ("umbrel"
        // under name) costs a scan of most of the tenant.
        let source = if backend == DbBackend::Postgres && filter.q.is_some() {
            format!(
                "(SELECT * FROM customers c WHERE {} OFFSET 0) c",
                clause.joined()
            )
        } else {
            format!("customers c WHERE {}", clause.joined())
        };
        let sql = format!(
            "SELECT {SELECT_COLUMNS} FROM {source} ORDER BY {} LIMIT {} OFFSET {}",
            order_by.join(", "),
            limit + 1,
            offset
        );
        let mut rows = CustomerRow::find_by_statement(stmt(backend, &sql, clause.values))
            .all(&self.db)
            .await?;
        let has_more = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let items = attach_tags(&self.db, rows).await?;
        let next_cursor = match (paging, has_more, items.last()) {
            (Paging::Keyset { .. }, true, Some(last)) => Some(Cursor {
                sort: sort_signature(sort),
                values: sort.iter().map(|k| cursor_value(k.field, last)).collect(),
                id: last.id.as_uuid(),
            }),
            _ => None,
        };
        let (total, total_is_estimate) = if with_total {
            let (n, estimate) = self.count_customers(org, filter, filter.view).await?;
            (Some(n), estimate)
        } else {
            (None, false)
        };
        Ok(CustomerPage {
            items,
            next_cursor,
            total,
            total_is_estimate,
        })
    }

    /// Counts per quick view for a filter (its own `view` is ignored).
    pub async fn customer_view_counts(
        &self,
        org: OrganizationId,
        filter: &CustomerFilter,
    ) -> Result<ViewCounts, StoreError> {
        let mut is_estimate = false;
        let mut counts = [0u64; 5];
        for (slot, view) in counts.iter_mut().zip(QuickView::ALL) {
            let (n, estimate) = self.count_customers(org, filter, Some(*view)).await?;
            *slot = n;
            is_estimate |= estimate;
        }
        let [all, active, high_risk, payment_issues, cancelled] = counts;
        Ok(ViewCounts {
            all,
            active,
            high_risk,
            payment_issues,
            cancelled,
            is_estimate,
        })
    }

    /// Exact count up to [`COUNT_CAP`]; above it the planner's estimate on PostgreSQL (flagged),
    /// and an exact count on SQLite, whose tenants are small enough for it.
    async fn count_customers(
        &self,
        org: OrganizationId,
        filter: &CustomerFilter,
        view: Option<QuickView>,
    ) -> Result<(u64, bool), StoreError> {
        let backend = self.db.get_database_backend();
        let clause = where_clause(backend, org, filter, view);
        let capped = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM customers c WHERE {} LIMIT {}) capped",
            clause.joined(),
            COUNT_CAP + 1
        );
        let n = crate::sql::count(&self.db, stmt(backend, &capped, clause.values.clone())).await?;
        if n <= COUNT_CAP {
            return Ok((n, false));
        }
        match backend {
            DbBackend::Postgres => {
                let explain = format!(
                    "EXPLAIN (FORMAT JSON) SELECT 1 FROM customers c WHERE {}",
                    clause.joined()
                );
                let row = self
                    .db
                    .query_one_raw(stmt(backend, &explain, clause.values))
                    .await?;
                let plan: Option<serde_json::Value> =
                    row.and_then(|r| r.try_get_by_index::<serde_json::Value>(0).ok());
                let estimate = plan
                    .as_ref()
                    .and_then(|p| p.pointer("/0/Plan/Plan Rows"))
                    .and_then(serde_json::Value::as_f64)
                    .map(|rows| rows.round() as u64)
                    .unwrap_or(n)
                    .max(n);
                Ok((estimate, true))
            }
            _ => {
                let exact = format!(
                    "SELECT COUNT(*) AS n FROM customers c WHERE {}",
                    clause.joined()
                );
                let n = crate::sql::count(&self.db, stmt(backend, &exact, clause.values)).await?;
                Ok((n, false))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_like_queries_search_by_digits() {
        assert_eq!(search_terms("+1 (415) 555-2671"), vec!["14155552671"]);
        assert_eq!(search_terms("Ácme  Corp"), vec!["acme", "corp"]);
        assert!(search_terms("  ").is_empty());
    }

    #[test]
    fn uniform_sorts_use_one_row_comparison() {
        let keys = order(&[SortKey {
            field: SortField::Ltv,
            descending: true,
        }]);
        let (sql, values) = after_clause(&keys, vec![Value::from(5i64), Value::from(Uuid::nil())]);
        assert_eq!(sql, "(c.ltv_minor, c.id) < (?, ?)");
        assert_eq!(values.len(), 2);
    }

    #[test]
    fn mixed_sorts_expand_to_an_or_chain_with_a_leading_bound() {
        let keys = order(&[
            SortKey {
                field: SortField::Plan,
                descending: false,
            },
            SortKey {
                field: SortField::Mrr,
                descending: true,
            },
        ]);
        let values = vec![
            Value::from("pro"),
            Value::from(3i64),
            Value::from(Uuid::nil()),
        ];
        let (sql, bound) = after_clause(&keys, values);
        assert!(sql.starts_with("COALESCE(c.plan, '') >= ? AND ("));
        assert!(sql.contains("(COALESCE(c.plan, '') = ? AND c.mrr_minor < ?)"));
        assert_eq!(bound.len(), 1 + 1 + 2 + 3);
    }

    #[test]
    fn a_cursor_from_another_sort_is_refused() {
        let by_name = [SortKey {
            field: SortField::Name,
            descending: false,
        }];
        let by_mrr = [SortKey {
            field: SortField::Mrr,
            descending: false,
        }];
        let cursor = Cursor {
            sort: sort_signature(&by_name),
            values: vec![serde_json::json!("acme")],
            id: Uuid::nil(),
        };
        assert!(Cursor::decode(&cursor.encode(), &by_name).is_ok());
        assert!(Cursor::decode(&cursor.encode(), &by_mrr).is_err());
        assert!(Cursor::decode("not-a-cursor!", &by_name).is_err());
    }
}
