//! The directory's state as it lives in the URL: every filter, the sort and the page, so
//! back/forward, reloads and shared links show the same rows. The URL's parameter names are the
//! API's (`/customers?status=active&sort=-ltv` asks `/api/v1/customers` the same question), so
//! turning one into the other is a copy, not a translation.
//!
//! Pure: no browser, no signals; unit-tested on the host.

/// A column the table can sort by: its API key and the direction a first click sorts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortColumn {
    pub key: &'static str,
    pub label: &'static str,
    /// Numbers and dates sort largest/newest first on the first click; names A to Z.
    pub descending_first: bool,
}

pub const SORT_COLUMNS: &[SortColumn] = &[
    SortColumn {
        key: "name",
        label: "Name",
        descending_first: false,
    },
    SortColumn {
        key: "plan",
        label: "Plan",
        descending_first: false,
    },
    SortColumn {
        key: "tenure",
        label: "Tenure",
        descending_first: true,
    },
    SortColumn {
        key: "mrr",
        label: "MRR",
        descending_first: true,
    },
    SortColumn {
        key: "ltv",
        label: "LTV",
        descending_first: true,
    },
    SortColumn {
        key: "health",
        label: "Health",
        descending_first: false,
    },
    SortColumn {
        key: "churn_risk",
        label: "Churn risk",
        descending_first: true,
    },
    SortColumn {
        key: "last_activity",
        label: "Last activity",
        descending_first: true,
    },
];

/// Page sizes offered; the API allows 1..=500.
pub const PAGE_SIZES: &[u32] = &[25, 50, 100, 200];
pub const DEFAULT_PER_PAGE: u32 = 25;
pub const DEFAULT_SORT: &str = "name";

/// Quick views behind the status chips, in chip order (`all` is the absence of a view).
pub const VIEWS: &[(&str, &str)] = &[
    ("all", "All"),
    ("active", "Active"),
    ("high_risk", "High risk"),
    ("payment_issues", "Payment issues"),
    ("cancelled", "Cancelled"),
];

/// Filter parameters: the keys the filter panel edits, in the order the URL writes them.
pub const FILTER_KEYS: &[&str] = &[
    "status",
    "type",
    "tier",
    "plan",
    "tag",
    "payment_status",
    "owner",
    "health_min",
    "health_max",
    "churn_min",
    "churn_max",
    "created_from",
    "created_to",
];

/// Everything the directory shows, as the URL says it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirectoryQuery {
    pub q: String,
    /// `None` is "All".
    pub view: Option<String>,
    /// `(key, value)` for the keys in [`FILTER_KEYS`] that are set; lists stay comma-separated.
    pub filters: Vec<(String, String)>,
    /// As the API takes it: `name`, `-ltv`.
    pub sort: String,
    pub page: u32,
    pub per_page: u32,
    /// The bin: soft-deleted customers instead of live ones.
    pub deleted: bool,
}

impl DirectoryQuery {
    /// Reads a URL query string (with or without the leading `?`). Unknown keys and values
    /// that are not numbers where numbers belong are dropped, so a hand-edited link degrades to
    /// defaults instead of an error page.
    pub fn from_query_string(search: &str) -> DirectoryQuery {
        let mut query = DirectoryQuery {
            sort: DEFAULT_SORT.to_owned(),
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..DirectoryQuery::default()
        };
        let search = search.strip_prefix('?').unwrap_or(search);
        for (key, value) in form_urlencoded::parse(search.as_bytes()) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "q" => query.q = value.to_owned(),
                "view" if value != "all" && VIEWS.iter().any(|(v, _)| *v == value) => {
                    query.view = Some(value.to_owned());
                }
                "sort" => query.sort = value.to_owned(),
                "deleted" => query.deleted = value == "true",
                "page" => query.page = value.parse().ok().filter(|p| *p >= 1).unwrap_or(1),
                "per_page" => {
                    query.per_page = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=500).contains(n))
                        .unwrap_or(DEFAULT_PER_PAGE);
                }
                key if FILTER_KEYS.contains(&key) => query.set_filter(key, value),
                _ => {}
            }
        }
        query
    }

    /// The URL form, defaults left out so links stay short: `status=active&sort=-ltv`.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.q.trim().is_empty() {
            out.append_pair("q", self.q.trim());
        }
        if let Some(view) = &self.view {
            out.append_pair("view", view);
        }
        for key in FILTER_KEYS {
            if let Some(value) = self.filter(key) {
                out.append_pair(key, value);
            }
        }
        if self.sort != DEFAULT_SORT {
            out.append_pair("sort", &self.sort);
        }
        if self.deleted {
            out.append_pair("deleted", "true");
        }
        if self.page != 1 {
            out.append_pair("page", &self.page.to_string());
        }
        if self.per_page != DEFAULT_PER_PAGE {
            out.append_pair("per_page", &self.per_page.to_string());
        }
        out.finish()
    }

    /// The path to navigate to for this state.
    pub fn to_path(&self) -> String {
        match self.to_query_string() {
            s if s.is_empty() => "/customers".to_owned(),
            s => format!("/customers?{s}"),
        }
    }

    /// The query for `GET /api/v1/customers`: the same keys plus explicit paging.
    pub fn list_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        self.append_filter_pairs(&mut out, true);
        out.append_pair("sort", &self.sort);
        out.append_pair("page", &self.page.to_string());
        out.append_pair("per_page", &self.per_page.to_string());
        out.finish()
    }

    /// The query for `/customers/counts`: the filters without the view (each chip counts its
    /// own view) and without paging.
    pub fn counts_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        self.append_filter_pairs(&mut out, false);
        out.finish()
    }

    /// The query for `/customers/export.csv` and for collecting every matching id: the filters,
    /// view and sort, no paging.
    pub fn export_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        self.append_filter_pairs(&mut out, true);
        out.append_pair("sort", &self.sort);
        out.finish()
    }

    fn append_filter_pairs(
        &self,
        out: &mut form_urlencoded::Serializer<'_, String>,
        with_view: bool,
    ) {
        if !self.q.trim().is_empty() {
            out.append_pair("q", self.q.trim());
        }
        if with_view && let Some(view) = &self.view {
            out.append_pair("view", view);
        }
        for (key, value) in &self.filters {
            out.append_pair(key, value);
        }
        if self.deleted {
            out.append_pair("deleted", "true");
        }
    }

    pub fn filter(&self, key: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets or (with an empty value) clears one filter, keeping [`FILTER_KEYS`] order.
    pub fn set_filter(&mut self, key: &str, value: &str) {
        self.filters.retain(|(k, _)| k != key);
        let value = value.trim();
        if !value.is_empty() && FILTER_KEYS.contains(&key) {
            self.filters.push((key.to_owned(), value.to_owned()));
            self.filters.sort_by_key(|(k, _)| {
                FILTER_KEYS
                    .iter()
                    .position(|f| f == k)
                    .unwrap_or(usize::MAX)
            });
        }
    }

    /// The values of a comma-separated filter (`status=active,at_risk`).
    pub fn filter_list(&self, key: &str) -> Vec<String> {
        self.filter(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Adds or removes one value of a list filter.
    pub fn toggle_in_list(&mut self, key: &str, value: &str, on: bool) {
        let mut values = self.filter_list(key);
        values.retain(|v| v != value);
        if on {
            values.push(value.to_owned());
        }
        self.set_filter(key, &values.join(","));
    }

    /// A changed question starts again at page 1.
    pub fn changed(mut self, change: impl FnOnce(&mut DirectoryQuery)) -> DirectoryQuery {
        change(&mut self);
        self.page = 1;
        self
    }

    /// Sort by `key`: a new column sorts in its natural direction, the current one flips.
    pub fn sorted_by(&self, column: &SortColumn) -> DirectoryQuery {
        let sort = match self.sort_of(column.key) {
            Some(true) => column.key.to_owned(),
            Some(false) => format!("-{}", column.key),
            None if column.descending_first => format!("-{}", column.key),
            None => column.key.to_owned(),
        };
        self.clone().changed(|q| q.sort = sort)
    }

    /// `Some(descending)` when the first sort key is `key`.
    pub fn sort_of(&self, key: &str) -> Option<bool> {
        let first = self.sort.split(',').next().unwrap_or("").trim();
        match first.strip_prefix('-') {
            Some(k) if k == key => Some(true),
            None if first == key => Some(false),
            _ => None,
        }
    }

    pub fn active_filter_count(&self) -> usize {
        self.filters.len()
    }

    /// Last page number for `total` rows (at least 1).
    pub fn last_page(&self, total: u64) -> u32 {
        let per_page = u64::from(self.per_page.max(1));
        u32::try_from(total.div_ceil(per_page).max(1)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_url_is_the_default_directory() {
        let query = DirectoryQuery::from_query_string("");
        assert_eq!(query.sort, "name");
        assert_eq!((query.page, query.per_page), (1, DEFAULT_PER_PAGE));
        assert_eq!(query.to_path(), "/customers");
        assert_eq!(query.list_query(), "sort=name&page=1&per_page=25");
    }

    #[test]
    fn a_shared_link_round_trips() {
        let url = "?q=acme+gmbh&view=high_risk&status=active%2Cat_risk&health_min=40&sort=-ltv&page=3&per_page=100";
        let query = DirectoryQuery::from_query_string(url);
        assert_eq!(query.q, "acme gmbh");
        assert_eq!(query.view.as_deref(), Some("high_risk"));
        assert_eq!(query.filter_list("status"), ["active", "at_risk"]);
        assert_eq!(query.filter("health_min"), Some("40"));
        assert_eq!(
            (query.sort.as_str(), query.page, query.per_page),
            ("-ltv", 3, 100)
        );
        assert_eq!(
            DirectoryQuery::from_query_string(&query.to_query_string()),
            query
        );
    }

    #[test]
    fn junk_in_a_hand_edited_link_falls_back_to_defaults() {
        let query =
            DirectoryQuery::from_query_string("page=0&per_page=9999&view=bogus&colour=red&q=");
        assert_eq!(query, DirectoryQuery::from_query_string(""));
        let query = DirectoryQuery::from_query_string("view=all");
        assert_eq!(query.view, None);
    }

    #[test]
    fn filters_keep_a_stable_order_whatever_order_they_are_set_in() {
        let mut a = DirectoryQuery::from_query_string("");
        a.set_filter("owner", "u1");
        a.set_filter("status", "active");
        let mut b = DirectoryQuery::from_query_string("");
        b.set_filter("status", "active");
        b.set_filter("owner", "u1");
        assert_eq!(a.to_query_string(), b.to_query_string());
        assert_eq!(a.to_query_string(), "status=active&owner=u1");
        a.set_filter("status", " ");
        assert_eq!(a.to_query_string(), "owner=u1");
    }

    #[test]
    fn toggling_list_values() {
        let mut query = DirectoryQuery::from_query_string("status=lead");
        query.toggle_in_list("status", "active", true);
        assert_eq!(query.filter("status"), Some("lead,active"));
        query.toggle_in_list("status", "lead", false);
        query.toggle_in_list("status", "active", false);
        assert_eq!(query.filter("status"), None);
    }

    #[test]
    fn a_changed_question_starts_at_page_one() {
        let query = DirectoryQuery::from_query_string("page=4");
        let changed = query.clone().changed(|q| q.q = "x".to_owned());
        assert_eq!((changed.page, changed.q.as_str()), (1, "x"));
    }

    #[test]
    fn sorting_flips_the_current_column_and_starts_new_ones_naturally() {
        let mrr = SORT_COLUMNS
            .iter()
            .find(|c| c.key == "mrr")
            .expect("mrr column");
        let name = SORT_COLUMNS
            .iter()
            .find(|c| c.key == "name")
            .expect("name column");
        let query = DirectoryQuery::from_query_string("page=2");
        assert_eq!(query.sort_of("name"), Some(false));
        let by_mrr = query.sorted_by(mrr);
        assert_eq!((by_mrr.sort.as_str(), by_mrr.page), ("-mrr", 1));
        assert_eq!(by_mrr.sort_of("mrr"), Some(true));
        assert_eq!(by_mrr.sorted_by(mrr).sort, "mrr");
        assert_eq!(query.sorted_by(name).sort, "-name");
        assert_eq!(by_mrr.sorted_by(name).sort, "name");
    }

    #[test]
    fn counts_ignore_the_view_and_paging_but_keep_the_filters() {
        let query = DirectoryQuery::from_query_string("q=a&view=active&tier=gold&page=2");
        assert_eq!(query.counts_query(), "q=a&tier=gold");
        assert_eq!(query.export_query(), "q=a&view=active&tier=gold&sort=name");
        assert_eq!(
            query.list_query(),
            "q=a&view=active&tier=gold&sort=name&page=2&per_page=25"
        );
    }

    #[test]
    fn the_bin_is_a_flag_every_query_carries() {
        let query = DirectoryQuery::from_query_string("deleted=true&q=a");
        assert!(query.deleted);
        assert_eq!(query.to_query_string(), "q=a&deleted=true");
        assert_eq!(query.counts_query(), "q=a&deleted=true");
        assert_eq!(
            query.list_query(),
            "q=a&deleted=true&sort=name&page=1&per_page=25"
        );
        assert!(!DirectoryQuery::from_query_string("deleted=false").deleted);
    }

    #[test]
    fn last_page_rounds_up() {
        let query = DirectoryQuery::from_query_string("per_page=50");
        assert_eq!(query.last_page(0), 1);
        assert_eq!(query.last_page(50), 1);
        assert_eq!(query.last_page(51), 2);
    }
}
