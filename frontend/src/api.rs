//! The SPA's only way out: `fetch` against the public `/api/v1`, with the signed-in user's
//! bearer token. A 401 is answered once by rotating the refresh token and retrying; when that
//! fails too the session has expired and the app goes back to sign-in with a message.
//!
//! Errors arrive as RFC 9457 problems and stay that way ([`ApiError`]) so forms can put each
//! field's message next to the field.

use std::cell::RefCell;

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tenure_api_types::{Problem, ProblemField, RefreshRequest, TokenResponse};

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

/// A request to `/api/v1{path}`: method, optional JSON body, optional `If-Match` version.
pub struct Call<'a> {
    method: Method,
    path: &'a str,
    body: Option<String>,
    if_match: Option<i64>,
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

    pub fn delete(path: &'a str) -> Call<'a> {
        Call {
            method: Method::DELETE,
            path,
            body: None,
            if_match: None,
        }
    }

    fn with_body(method: Method, path: &'a str, body: &impl Serialize) -> Call<'a> {
        Call {
            method,
            path,
            body: serde_json::to_string(body).ok(),
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
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body.clone()),
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
