//! The SPA's only way out: `fetch` against the public `/api/v1`, with the signed-in user's
//! bearer token. A 401 is answered once by rotating the refresh token and retrying; when that
//! fails too the session has expired and the app goes back to sign-in with a message.
//!
//! Errors arrive as RFC 9457 problems and stay that way ([`ApiError`]) so forms can put each
//! field's message next to the field.
//!
//! Pages call the typed functions at the end of this file (one per endpoint, named for what
//! they return or do); [`Call`] is the one place a request is built.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use gloo_net::http::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tenure_api_types::{
    ActivityInput, ActivityList, ActivityView, AddressInput, AddressList, AddressView, ChildList,
    ContactInput, ContactList, ContactView, CustomFieldList, CustomerList, CustomerOverview,
    CustomerView, DuplicateCheckInput, DuplicateCheckResult, DuplicateClusterList,
    DuplicateDismissInput, DuplicateDismissResult, DuplicatePairList, DuplicateScanInput,
    DuplicateScanView, ErasureRequest, ErasureView, FlagInput, FlagView, GoalInput, GoalList,
    GoalView, ImportJobList, ImportJobView, ImportMappingInput, ImportTemplateList, Ledger,
    LedgerEntryInput, LedgerEntryView, MergeInput, MergeList, MergePreview, MergeRulesView,
    MergeView, Problem, ProblemField, RefreshRequest, ResendInvoiceInput, Rollup,
    SavedMappingInput, SavedMappingList, SavedMappingView, SendMessageInput, TierChangeInput,
    TierList, TierPreview, TokenResponse, UserList,
};
use uuid::Uuid;

use crate::session;

pub const BASE: &str = "/api/v1";

/// A failed call: the server's problem document, or a network failure dressed as one.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub title: String,
    pub detail: Option<String>,
    pub errors: Vec<ProblemField>,
}

impl ApiError {
    fn network(message: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: 0,
            code: "network".to_owned(),
            title: "Tenure could not be reached".to_owned(),
            detail: Some(format!("Check your connection and try again. ({message})")),
            errors: Vec::new(),
        }
    }

    /// One line for a banner: the detail when there is one, else the title.
    pub fn message(&self) -> String {
        self.detail.clone().unwrap_or_else(|| self.title.clone())
    }
}

thread_local! {
    /// Called when the session cannot be renewed (set by the app shell).
    static ON_EXPIRED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// What to do when the session has expired for good.
pub fn on_expired(callback: impl Fn() + 'static) {
    ON_EXPIRED.with(|slot| *slot.borrow_mut() = Some(Box::new(callback)));
}

/// A request to `/api/v1{path}`: method, optional body, optional `If-Match` version.
pub struct Call<'a> {
    method: Method,
    path: &'a str,
    body: Option<Body>,
    if_match: Option<i64>,
}

/// What a request carries.
enum Body {
    Json(String),
    /// A file as it is (an import upload): the browser streams it from disk, so it is never
    /// read into memory here, and a retry after a token refresh sends it again.
    Blob {
        blob: web_sys::Blob,
        content_type: String,
    },
}

impl<'a> Call<'a> {
    pub fn get(path: &'a str) -> Call<'a> {
        Call {
            method: Method::GET,
            path,
            body: None,
            if_match: None,
        }
    }

    pub fn post(path: &'a str, body: &impl Serialize) -> Call<'a> {
        Call::with_body(Method::POST, path, body)
    }

    pub fn patch(path: &'a str, body: &impl Serialize, version: i64) -> Call<'a> {
        let mut call = Call::with_body(Method::PATCH, path, body);
        call.if_match = Some(version);
        call
    }

    pub fn put(path: &'a str, body: &impl Serialize) -> Call<'a> {
        Call::with_body(Method::PUT, path, body)
    }

    pub fn delete(path: &'a str) -> Call<'a> {
        Call {
            method: Method::DELETE,
            path,
            body: None,
            if_match: None,
        }
    }

    /// A `POST` without a body: a command such as `/imports/{id}/start`.
    pub fn command(path: &'a str) -> Call<'a> {
        Call {
            method: Method::POST,
            path,
            body: None,
            if_match: None,
        }
    }

    /// A `POST` of a file as the raw body.
    pub fn upload(path: &'a str, blob: web_sys::Blob, content_type: &str) -> Call<'a> {
        Call {
            method: Method::POST,
            path,
            body: Some(Body::Blob {
                blob,
                content_type: content_type.to_owned(),
            }),
            if_match: None,
        }
    }

    fn with_body(method: Method, path: &'a str, body: &impl Serialize) -> Call<'a> {
        Call {
            method,
            path,
            body: serde_json::to_string(body).ok().map(Body::Json),
            if_match: None,
        }
    }

    /// Sends the call and decodes a JSON answer.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        let response = self.send().await?;
        response
            .json::<T>()
            .await
            .map_err(|e| ApiError::network(format!("unexpected answer: {e}")))
    }

    /// Sends the call; any 2xx is success and its body is ignored.
    pub async fn done(self) -> Result<(), ApiError> {
        self.send().await.map(|_| ())
    }

    /// Sends the call and returns the raw body (CSV downloads).
    pub async fn bytes(self) -> Result<Vec<u8>, ApiError> {
        let response = self.send().await?;
        response.binary().await.map_err(ApiError::network)
    }

    async fn send(self) -> Result<Response, ApiError> {
        let (response, used) = self.send_once().await?;
        if response.status() != 401 || used.is_none() {
            return check(response).await;
        }
        // The access token lapsed or was revoked. Another tab may already have renewed it;
        // otherwise renew once here. Then retry.
        let current = session::tokens().map(|t| t.access_token);
        if current != used || refresh().await {
            let (response, _) = self.send_once().await?;
            if response.status() != 401 {
                return check(response).await;
            }
        }
        session::clear();
        ON_EXPIRED.with(|slot| {
            if let Some(callback) = slot.borrow().as_ref() {
                callback();
            }
        });
        check(response).await
    }

    /// One attempt; also returns the access token it carried.
    async fn send_once(&self) -> Result<(Response, Option<String>), ApiError> {
        let url = format!("{BASE}{}", self.path);
        let mut builder = RequestBuilder::new(&url)
            .method(self.method.clone())
            .header(
                "Accept",
                "application/json, application/problem+json, text/csv",
            );
        let used = session::tokens().map(|t| t.access_token);
        if let Some(token) = &used {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        if let Some(version) = self.if_match {
            builder = builder.header("If-Match", &format!("\"{version}\""));
        }
        let request = match &self.body {
            Some(Body::Json(body)) => builder
                .header("Content-Type", "application/json")
                .body(body.clone()),
            Some(Body::Blob { blob, content_type }) => builder
                .header("Content-Type", content_type)
                .body(blob.clone()),
            None => builder.build(),
        }
        .map_err(ApiError::network)?;
        let response = request.send().await.map_err(ApiError::network)?;
        Ok((response, used))
    }
}

/// Turns a non-2xx answer into its problem document.
async fn check(response: Response) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    match response.json::<Problem>().await {
        Ok(problem) => Err(ApiError {
            status,
            code: problem.code,
            title: problem.title,
            detail: problem.detail,
            errors: problem.errors,
        }),
        Err(_) => Err(ApiError {
            status,
            code: "http_error".to_owned(),
            title: format!("The server answered {status}"),
            detail: None,
            errors: Vec::new(),
        }),
    }
}

/// Rotates the refresh token; `false` when the session is over.
async fn refresh() -> bool {
    let Some(tokens) = session::tokens() else {
        return false;
    };
    let body = RefreshRequest {
        refresh_token: tokens.refresh_token,
    };
    let Ok(request) = RequestBuilder::new(&format!("{BASE}/auth/refresh"))
        .method(Method::POST)
        .json(&body)
    else {
        return false;
    };
    match request.send().await {
        Ok(response) if response.ok() => match response.json::<TokenResponse>().await {
            Ok(fresh) => {
                session::store_tokens(&fresh);
                true
            }
            Err(_) => false,
        },
        _ => false,
    }
}

/// Percent-encodes one path segment or query value.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The fields of a JSON merge patch (RFC 7396) that turn `before` into `after`: only what
/// changed, `null` where a value was cleared. Nested objects are compared as wholes, which is
/// what the small wire inputs here need.
pub fn changes<T: Serialize>(before: &T, after: &T) -> Map<String, Value> {
    let (Ok(Value::Object(before)), Ok(Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Map::new();
    };
    after
        .into_iter()
        .filter(|(key, value)| before.get(key).unwrap_or(&Value::Null) != value)
        .collect()
}

// The customer page (Customer 360): one typed function per endpoint.

/// The header and the Overview tab in one call; a `404` for a customer in the bin.
pub async fn overview(id: Uuid) -> Result<CustomerOverview, ApiError> {
    Call::get(&format!("/customers/{id}/overview")).json().await
}

/// One customer, also when it is in the bin.
pub async fn customer(id: Uuid) -> Result<CustomerView, ApiError> {
    Call::get(&format!("/customers/{id}?include_deleted=true"))
        .json()
        .await
}

/// Brings a customer back from the bin. An erased customer can never come back: a `409
/// conflict` whose detail says it was erased.
pub async fn restore_customer(id: Uuid) -> Result<CustomerView, ApiError> {
    Call::post(&format!("/customers/{id}/restore"), &serde_json::json!({}))
        .json()
        .await
}

/// `PATCH /customers/{id}` with `If-Match` (parent, settings, custom fields).
pub async fn patch_customer(
    id: Uuid,
    version: i64,
    patch: &Map<String, Value>,
) -> Result<CustomerView, ApiError> {
    Call::patch(&format!("/customers/{id}"), patch, version)
        .json()
        .await
}

/// Customers whose name, code or email matches `q`, for pickers.
pub async fn search_customers(q: &str, limit: u32) -> Result<CustomerList, ApiError> {
    Call::get(&format!("/customers?q={}&limit={limit}", encode(q)))
        .json()
        .await
}

pub async fn contacts(id: Uuid) -> Result<ContactList, ApiError> {
    Call::get(&format!("/customers/{id}/contacts")).json().await
}

pub async fn create_contact(id: Uuid, input: &ContactInput) -> Result<ContactView, ApiError> {
    Call::post(&format!("/customers/{id}/contacts"), input)
        .json()
        .await
}

pub async fn update_contact(
    contact: &ContactView,
    patch: &Map<String, Value>,
) -> Result<ContactView, ApiError> {
    let path = format!("/customers/{}/contacts/{}", contact.customer_id, contact.id);
    Call::patch(&path, patch, contact.version).json().await
}

pub async fn delete_contact(contact: &ContactView) -> Result<(), ApiError> {
    let path = format!("/customers/{}/contacts/{}", contact.customer_id, contact.id);
    Call::delete(&path).done().await
}

pub async fn addresses(id: Uuid) -> Result<AddressList, ApiError> {
    Call::get(&format!("/customers/{id}/addresses"))
        .json()
        .await
}

pub async fn create_address(id: Uuid, input: &AddressInput) -> Result<AddressView, ApiError> {
    Call::post(&format!("/customers/{id}/addresses"), input)
        .json()
        .await
}

pub async fn update_address(
    address: &AddressView,
    patch: &Map<String, Value>,
) -> Result<AddressView, ApiError> {
    let path = format!(
        "/customers/{}/addresses/{}",
        address.customer_id, address.id
    );
    Call::patch(&path, patch, address.version).json().await
}

pub async fn delete_address(address: &AddressView) -> Result<(), ApiError> {
    let path = format!(
        "/customers/{}/addresses/{}",
        address.customer_id, address.id
    );
    Call::delete(&path).done().await
}

/// Which part of the timeline to fetch: the filters of the Activity tab.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityQuery {
    /// Activity types; empty is every type.
    pub types: Vec<String>,
    pub outcome: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl ActivityQuery {
    /// The query string of one page: the filters, the page size and where to continue.
    pub fn to_query(&self, limit: u32, cursor: Option<&str>) -> String {
        let mut parts = Vec::new();
        if !self.types.is_empty() {
            parts.push(format!("type={}", encode(&self.types.join(","))));
        }
        if let Some(outcome) = &self.outcome {
            parts.push(format!("outcome={}", encode(outcome)));
        }
        for (key, at) in [("from", self.from), ("to", self.to)] {
            if let Some(at) = at {
                let text = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                parts.push(format!("{key}={}", encode(&text)));
            }
        }
        parts.push(format!("limit={limit}"));
        if let Some(cursor) = cursor {
            parts.push(format!("cursor={}", encode(cursor)));
        }
        parts.join("&")
    }
}

pub async fn activities(
    id: Uuid,
    query: &ActivityQuery,
    cursor: Option<&str>,
) -> Result<ActivityList, ApiError> {
    let path = format!("/customers/{id}/activities?{}", query.to_query(50, cursor));
    Call::get(&path).json().await
}

pub async fn create_activity(id: Uuid, input: &ActivityInput) -> Result<ActivityView, ApiError> {
    Call::post(&format!("/customers/{id}/activities"), input)
        .json()
        .await
}

pub async fn update_activity(
    activity: &ActivityView,
    patch: &Map<String, Value>,
) -> Result<ActivityView, ApiError> {
    let path = format!(
        "/customers/{}/activities/{}",
        activity.customer_id, activity.id
    );
    Call::patch(&path, patch, activity.version).json().await
}

pub async fn delete_activity(activity: &ActivityView) -> Result<(), ApiError> {
    let path = format!(
        "/customers/{}/activities/{}",
        activity.customer_id, activity.id
    );
    Call::delete(&path).done().await
}

pub async fn goals(id: Uuid) -> Result<GoalList, ApiError> {
    Call::get(&format!("/customers/{id}/goals")).json().await
}

pub async fn create_goal(id: Uuid, input: &GoalInput) -> Result<GoalView, ApiError> {
    Call::post(&format!("/customers/{id}/goals"), input)
        .json()
        .await
}

pub async fn update_goal(
    goal: &GoalView,
    patch: &Map<String, Value>,
) -> Result<GoalView, ApiError> {
    let path = format!("/customers/{}/goals/{}", goal.customer_id, goal.id);
    Call::patch(&path, patch, goal.version).json().await
}

pub async fn delete_goal(goal: &GoalView) -> Result<(), ApiError> {
    let path = format!("/customers/{}/goals/{}", goal.customer_id, goal.id);
    Call::delete(&path).done().await
}

pub async fn ledger(id: Uuid) -> Result<Ledger, ApiError> {
    Call::get(&format!("/customers/{id}/ledger")).json().await
}

pub async fn add_ledger_entry(
    id: Uuid,
    input: &LedgerEntryInput,
) -> Result<LedgerEntryView, ApiError> {
    Call::post(&format!("/customers/{id}/ledger"), input)
        .json()
        .await
}

pub async fn add_flag(id: Uuid, input: &FlagInput) -> Result<FlagView, ApiError> {
    Call::post(&format!("/customers/{id}/flags"), input)
        .json()
        .await
}

pub async fn remove_flag(id: Uuid, flag_id: Uuid, reason: &str) -> Result<(), ApiError> {
    let path = format!("/customers/{id}/flags/{flag_id}?reason={}", encode(reason));
    Call::delete(&path).done().await
}

pub async fn send_message(id: Uuid, input: &SendMessageInput) -> Result<ActivityView, ApiError> {
    Call::post(&format!("/customers/{id}/actions/send-message"), input)
        .json()
        .await
}

pub async fn resend_invoice(
    id: Uuid,
    input: &ResendInvoiceInput,
) -> Result<ActivityView, ApiError> {
    Call::post(&format!("/customers/{id}/actions/resend-invoice"), input)
        .json()
        .await
}

/// GDPR erasure (owners): `confirmation` must be the customer's code, or the answer is a `422`
/// on `confirmation`. An erased customer, or one a running import holds, is a `409` whose
/// detail says which.
pub async fn erase_customer(id: Uuid, confirmation: &str) -> Result<ErasureView, ApiError> {
    let body = ErasureRequest {
        confirmation: confirmation.to_owned(),
    };
    Call::post(&format!("/customers/{id}/erase"), &body)
        .json()
        .await
}

pub async fn tiers() -> Result<TierList, ApiError> {
    Call::get("/tiers").json().await
}

pub async fn preview_tier(id: Uuid, input: &TierChangeInput) -> Result<TierPreview, ApiError> {
    Call::post(&format!("/customers/{id}/tier/preview"), input)
        .json()
        .await
}

pub async fn apply_tier(id: Uuid, input: &TierChangeInput) -> Result<CustomerView, ApiError> {
    Call::put(&format!("/customers/{id}/tier"), input)
        .json()
        .await
}

/// The organisation's people (every role may read them), to name owners.
pub async fn users() -> Result<UserList, ApiError> {
    Call::get("/users").json().await
}

pub async fn custom_fields() -> Result<CustomFieldList, ApiError> {
    Call::get("/custom-fields").json().await
}

pub async fn children(id: Uuid) -> Result<ChildList, ApiError> {
    Call::get(&format!("/customers/{id}/children")).json().await
}

pub async fn rollup(id: Uuid) -> Result<Rollup, ApiError> {
    Call::get(&format!("/customers/{id}/rollup")).json().await
}

// Settings (owners): the tier catalogue and the custom field definitions.

pub async fn create_tier(
    input: &tenure_api_types::TierInput,
) -> Result<tenure_api_types::TierView, ApiError> {
    Call::post("/tiers", input).json().await
}

pub async fn update_tier(
    tier: &tenure_api_types::TierView,
    patch: &Map<String, Value>,
) -> Result<tenure_api_types::TierView, ApiError> {
    Call::patch(&format!("/tiers/{}", tier.id), patch, tier.version)
        .json()
        .await
}

/// A tier customers still carry is refused with a `409 conflict` whose detail says so.
pub async fn delete_tier(tier: &tenure_api_types::TierView) -> Result<(), ApiError> {
    Call::delete(&format!("/tiers/{}", tier.id)).done().await
}

pub async fn create_custom_field(
    input: &tenure_api_types::CustomFieldInput,
) -> Result<tenure_api_types::CustomFieldView, ApiError> {
    Call::post("/custom-fields", input).json().await
}

/// Definitions carry no version; the server ignores `If-Match` for them.
pub async fn update_custom_field(
    field: &tenure_api_types::CustomFieldView,
    patch: &Map<String, Value>,
) -> Result<tenure_api_types::CustomFieldView, ApiError> {
    Call::patch(&format!("/custom-fields/{}", field.id), patch, 1)
        .json()
        .await
}

/// Values already stored on customers under the field's key stay.
pub async fn delete_custom_field(
    field: &tenure_api_types::CustomFieldView,
) -> Result<(), ApiError> {
    Call::delete(&format!("/custom-fields/{}", field.id))
        .done()
        .await
}

// Imports: the CSV wizard and its history.

pub async fn import_templates() -> Result<ImportTemplateList, ApiError> {
    Call::get("/import-templates").json().await
}

/// Uploads a file as the raw body (never read into memory here), named in the query string.
pub async fn upload_import(file: &web_sys::File) -> Result<ImportJobView, ApiError> {
    let name = file.name();
    let path = format!("/imports?file_name={}", encode(&name));
    let blob: &web_sys::Blob = file;
    Call::upload(
        &path,
        blob.clone(),
        upload_content_type(&name, &file.type_()),
    )
    .json()
    .await
}

/// The type an upload is sent as: CSV when the browser or the name says so, else raw bytes
/// (the server sniffs the encoding and delimiter either way).
pub fn upload_content_type(name: &str, browser_type: &str) -> &'static str {
    let csv_name = name.to_lowercase().ends_with(".csv");
    if browser_type == "text/csv" || csv_name {
        "text/csv"
    } else {
        "application/octet-stream"
    }
}

pub async fn import_job(id: Uuid) -> Result<ImportJobView, ApiError> {
    Call::get(&format!("/imports/{id}")).json().await
}

/// A refused mapping is a `422` whose `errors` name the fields (`template`, `columns.<header>`).
pub async fn save_import_mapping(
    id: Uuid,
    input: &ImportMappingInput,
) -> Result<ImportJobView, ApiError> {
    Call::put(&format!("/imports/{id}/mapping"), input)
        .json()
        .await
}

/// The organisation's saved mappings, by name.
pub async fn saved_mappings() -> Result<SavedMappingList, ApiError> {
    Call::get("/import-mappings").json().await
}

/// A name already taken is a `409 conflict` (the answer does not say by which mapping: look it
/// up by name); an empty or over-long name is a `422` on `name`.
pub async fn create_saved_mapping(input: &SavedMappingInput) -> Result<SavedMappingView, ApiError> {
    Call::post("/import-mappings", input).json().await
}

/// Replaces a saved mapping's name and mapping.
pub async fn update_saved_mapping(
    id: Uuid,
    input: &SavedMappingInput,
) -> Result<SavedMappingView, ApiError> {
    Call::put(&format!("/import-mappings/{id}"), input)
        .json()
        .await
}

/// Jobs already mapped with it keep their copy.
pub async fn delete_saved_mapping(id: Uuid) -> Result<(), ApiError> {
    Call::delete(&format!("/import-mappings/{id}")).done().await
}

/// Starts the dry run; the job turns `validating`, then `validated`.
pub async fn validate_import(id: Uuid) -> Result<ImportJobView, ApiError> {
    Call::command(&format!("/imports/{id}/validate"))
        .json()
        .await
}

/// Queues the import; the job turns `queued`, `running`, then `completed`.
pub async fn start_import(id: Uuid) -> Result<ImportJobView, ApiError> {
    Call::command(&format!("/imports/{id}/start")).json().await
}

pub async fn cancel_import(id: Uuid) -> Result<ImportJobView, ApiError> {
    Call::command(&format!("/imports/{id}/cancel")).json().await
}

/// Undoes a finished import (accepted until `revertible_until`).
pub async fn revert_import(id: Uuid) -> Result<ImportJobView, ApiError> {
    Call::command(&format!("/imports/{id}/revert")).json().await
}

/// The history, newest first.
pub async fn import_history(limit: u32, cursor: Option<&str>) -> Result<ImportJobList, ApiError> {
    let mut path = format!("/imports?limit={limit}");
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", encode(cursor)));
    }
    Call::get(&path).json().await
}

/// Every refused row of a job as CSV, with an error column.
pub async fn import_errors_csv(id: Uuid) -> Result<Vec<u8>, ApiError> {
    Call::get(&format!("/imports/{id}/errors.csv"))
        .bytes()
        .await
}

// Duplicates: the real-time check, whole-base scans and the review queue.

/// Customers that may be the one typed so far, best first, each with its evidence.
pub async fn check_duplicates(
    input: &DuplicateCheckInput,
) -> Result<DuplicateCheckResult, ApiError> {
    Call::post("/customers/duplicates/check", input)
        .json()
        .await
}

/// Starts a scan in the background: every live customer (`full`), or only those changed since
/// the last completed scan. While one is queued or running another is a `409 conflict`.
pub async fn start_duplicate_scan(full: bool) -> Result<DuplicateScanView, ApiError> {
    let body = DuplicateScanInput { full: Some(full) };
    Call::post("/duplicate-scans", &body).json().await
}

pub async fn duplicate_scan(id: Uuid) -> Result<DuplicateScanView, ApiError> {
    Call::get(&format!("/duplicate-scans/{id}")).json().await
}

/// Which stored pairs to list: the review queue's filters. The page's URL names them as the
/// API does, so one query string serves both; only `view=clusters` is the page's alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairQuery {
    /// `open`, `dismissed` or `merged`.
    pub status: String,
    /// The lowest score shown, in percent; `None` is any.
    pub min_percent: Option<u8>,
    /// Only pairs with this customer on either side.
    pub customer: Option<Uuid>,
    /// The open pairs grouped into clusters (`GET /duplicate-clusters`) rather than listed.
    pub clusters: bool,
}

impl Default for PairQuery {
    fn default() -> PairQuery {
        PairQuery {
            status: "open".to_owned(),
            min_percent: None,
            customer: None,
            clusters: false,
        }
    }
}

impl PairQuery {
    /// Reads a URL query string (with or without the leading `?`); what cannot be read keeps
    /// its default, so a hand-edited link still shows a queue.
    pub fn from_query_string(search: &str) -> PairQuery {
        let mut query = PairQuery::default();
        let search = search.strip_prefix('?').unwrap_or(search);
        for (key, value) in form_urlencoded::parse(search.as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "status" if matches!(value, "open" | "dismissed" | "merged") => {
                    query.status = value.to_owned();
                }
                "min_score" => {
                    query.min_percent = value
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && *v > 0.0 && *v <= 1.0)
                        .map(|v| (v * 100.0).round() as u8);
                }
                "customer" => query.customer = value.parse().ok(),
                "view" => query.clusters = value == "clusters",
                _ => {}
            }
        }
        query
    }

    /// The page's query string: the filters, then `view=clusters` when clusters are shown.
    pub fn to_query(&self) -> String {
        let filters = self.filters();
        if self.clusters {
            format!("{filters}&view=clusters")
        } else {
            filters
        }
    }

    /// The filters as `GET /duplicates` reads them: `status=open&min_score=0.9&customer=…`.
    fn filters(&self) -> String {
        let mut parts = vec![format!("status={}", encode(&self.status))];
        if self.min_percent.is_some() {
            parts.push(format!("min_score={}", self.min_score()));
        }
        if let Some(customer) = self.customer {
            parts.push(format!("customer={customer}"));
        }
        parts.join("&")
    }

    fn min_score(&self) -> f64 {
        self.min_percent.map_or(0.0, |p| f64::from(p) / 100.0)
    }
}

/// One page of the review queue, best first; `cursor` continues where the last page ended.
pub async fn duplicate_pairs(
    query: &PairQuery,
    limit: u32,
    cursor: Option<&str>,
) -> Result<DuplicatePairList, ApiError> {
    let mut path = format!("/duplicates?{}&limit={limit}", query.filters());
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", encode(cursor)));
    }
    Call::get(&path).json().await
}

/// One page of the clusters of customers that open pairs link, strongest first; only the
/// query's lowest score counts (clusters are of open pairs, and of the whole base).
pub async fn duplicate_clusters(
    query: &PairQuery,
    limit: u32,
    cursor: Option<&str>,
) -> Result<DuplicateClusterList, ApiError> {
    let mut path = format!("/duplicate-clusters?limit={limit}");
    if query.min_percent.is_some() {
        path.push_str(&format!("&min_score={}", query.min_score()));
    }
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", encode(cursor)));
    }
    Call::get(&path).json().await
}

/// Takes a pair out of the queue until one of its customers changes; a pair that is no longer
/// open is a `404`.
pub async fn dismiss_pair(id: Uuid) -> Result<DuplicateDismissResult, ApiError> {
    Call::command(&format!("/duplicates/{id}/dismiss"))
        .json()
        .await
}

/// Dismisses at most 500 pairs at once; ids that are not open pairs are left alone (and not in
/// the answer).
pub async fn dismiss_pairs(ids: &[Uuid]) -> Result<DuplicateDismissResult, ApiError> {
    let body = DuplicateDismissInput { ids: ids.to_vec() };
    Call::post("/duplicates/dismiss", &body).json().await
}

// Merges: the preview, the merge, its history and undo, and the survivorship rules.

/// What `merge` with the same input would do: every field's values and the one kept, the
/// survivor as it would be, and what moves to it. A bad input is a `422` naming the fields.
pub async fn preview_merge(input: &MergeInput) -> Result<MergePreview, ApiError> {
    Call::post("/merges/preview", input).json().await
}

/// Merges `input.merged_ids` into the survivor (staff and owners). A record merged, deleted or
/// changed meanwhile is a `409 merge_conflict` whose `errors` say which and why.
pub async fn merge(input: &MergeInput) -> Result<MergeView, ApiError> {
    Call::post("/merges", input).json().await
}

/// One page of the merges, newest first; `survivor` keeps those into that customer.
pub async fn merges(
    survivor: Option<Uuid>,
    limit: u32,
    cursor: Option<&str>,
) -> Result<MergeList, ApiError> {
    let mut path = format!("/merges?limit={limit}");
    if let Some(survivor) = survivor {
        path.push_str(&format!("&customer={survivor}"));
    }
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", encode(cursor)));
    }
    Call::get(&path).json().await
}

/// Undoes an applied merge. What blocks it (a field changed on the survivor since) is a `409
/// undo_conflict` whose `errors` name each field; a merge already undone is a `409 conflict`.
pub async fn undo_merge(id: Uuid) -> Result<MergeView, ApiError> {
    Call::command(&format!("/merges/{id}/undo")).json().await
}

pub async fn merge_rules() -> Result<MergeRulesView, ApiError> {
    Call::get("/merge-rules").json().await
}

/// Replaces the rules (owners); an unknown field or rule is a `422` naming it.
pub async fn save_merge_rules(rules: &MergeRulesView) -> Result<MergeRulesView, ApiError> {
    Call::put("/merge-rules", rules).json().await
}

/// The address of the tenant's event stream. `EventSource` cannot send headers, so the token
/// rides in the query string (the server accepts that on this path only).
pub fn events_url() -> Option<String> {
    let token = session::tokens()?.access_token;
    Some(format!("{BASE}/events?access_token={}", encode(&token)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn changes_holds_only_what_differs_and_nulls_what_was_cleared() {
        let before = ContactInput {
            first_name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            title: Some("CTO".into()),
            ..ContactInput::default()
        };
        let after = ContactInput {
            first_name: Some("Ada".into()),
            email: Some("ada@lovelace.example".into()),
            title: None,
            is_primary: Some(true),
            ..ContactInput::default()
        };
        let patch = changes(&before, &after);
        assert_eq!(
            Value::Object(patch),
            json!({"email": "ada@lovelace.example", "title": null, "is_primary": true})
        );
        assert!(changes(&after, &after).is_empty());
    }

    #[test]
    fn activity_query_writes_filters_in_the_apis_words() {
        let at = |d| {
            Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0)
                .single()
                .expect("valid")
        };
        let query = ActivityQuery {
            types: vec!["call".into(), "meeting".into()],
            outcome: Some("positive".into()),
            from: Some(at(1)),
            to: Some(at(25)),
        };
        assert_eq!(
            query.to_query(50, Some("abc=")),
            "type=call%2Cmeeting&outcome=positive&from=2026-11-01T00%3A00%3A00Z\
             &to=2026-11-25T00%3A00%3A00Z&limit=50&cursor=abc%3D"
        );
        assert_eq!(ActivityQuery::default().to_query(20, None), "limit=20");
    }

    #[test]
    fn pair_queries_round_trip_through_the_url_and_drop_what_they_cannot_read() {
        let id = Uuid::nil();
        let query = PairQuery::from_query_string(&format!(
            "?status=dismissed&min_score=0.9&customer={id}&page=2"
        ));
        assert_eq!(
            query,
            PairQuery {
                status: "dismissed".to_owned(),
                min_percent: Some(90),
                customer: Some(id),
                clusters: false,
            }
        );
        assert_eq!(
            query.to_query(),
            format!("status=dismissed&min_score=0.9&customer={id}")
        );
        assert_eq!(PairQuery::from_query_string(""), PairQuery::default());
        assert_eq!(
            PairQuery::from_query_string("status=closed&min_score=7&customer=nope"),
            PairQuery::default()
        );
        assert_eq!(PairQuery::default().to_query(), "status=open");
        assert_eq!(
            PairQuery::from_query_string("status=merged").status,
            "merged",
            "merged pairs have a list of their own"
        );
        let clusters = PairQuery::from_query_string("view=clusters&min_score=0.7");
        assert!(clusters.clusters);
        assert_eq!(
            clusters.to_query(),
            "status=open&min_score=0.7&view=clusters"
        );
        assert_eq!(
            clusters.filters(),
            "status=open&min_score=0.7",
            "the view is the page's, not the API's"
        );
        assert!(!PairQuery::from_query_string("view=pairs").clusters);
    }

    #[test]
    fn uploads_are_csv_when_the_browser_or_the_name_says_so() {
        assert_eq!(upload_content_type("companies.CSV", ""), "text/csv");
        assert_eq!(upload_content_type("export", "text/csv"), "text/csv");
        assert_eq!(
            upload_content_type("export.txt", "text/plain"),
            "application/octet-stream"
        );
    }
}
