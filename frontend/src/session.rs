//! Who is signed in. Tokens live in `localStorage` so a reload (or a second tab) stays signed
//! in; the current user (`/me`) is kept beside them so the shell draws at once and is refreshed
//! in the background. The [`Auth`] context carries the same facts as signals for the views.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tenure_api_types::{MeResponse, TokenResponse};

const TOKENS_KEY: &str = "tenure.tokens";
const ME_KEY: &str = "tenure.me";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let text = storage()?.get_item(key).ok()??;
    serde_json::from_str(&text).ok()
}

fn write(key: &str, value: &impl Serialize) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(value)) {
        let _ = storage.set_item(key, &text);
    }
}

/// The stored tokens, read fresh each time so a refresh in another tab is seen here.
pub fn tokens() -> Option<Tokens> {
    read(TOKENS_KEY)
}

pub fn store_tokens(fresh: &TokenResponse) {
    write(
        TOKENS_KEY,
        &Tokens {
            access_token: fresh.access_token.clone(),
            refresh_token: fresh.refresh_token.clone(),
        },
    );
}

pub fn stored_me() -> Option<MeResponse> {
    tokens().and(read(ME_KEY))
}

pub fn store_me(me: &MeResponse) {
    write(ME_KEY, me);
}

/// Forgets the session in this browser.
pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(TOKENS_KEY);
        let _ = storage.remove_item(ME_KEY);
    }
}

/// The signed-in user as the views see it.
#[derive(Clone, Copy)]
pub struct Auth {
    pub me: RwSignal<Option<MeResponse>>,
    /// Shown on the sign-in page: why you are there ("Your session has expired").
    pub notice: RwSignal<Option<String>>,
}

impl Auth {
    pub fn new() -> Auth {
        Auth {
            me: RwSignal::new(stored_me()),
            notice: RwSignal::new(None),
        }
    }

    pub fn has(&self, permission: &str) -> bool {
        self.me.with(|me| {
            me.as_ref()
                .is_some_and(|me| me.permissions.iter().any(|p| p == permission))
        })
    }

    /// May see customers, and so the duplicates found among them (every role).
    pub fn can_read(&self) -> bool {
        self.has("customers:read")
    }

    /// May create, edit, delete and bulk-change customers (staff and owners).
    pub fn can_write(&self) -> bool {
        self.has("customers:write")
    }

    /// May add credits, debits and refunds to a customer's ledger (owners).
    pub fn can_bill(&self) -> bool {
        self.has("billing:write")
    }

    /// May erase a customer's personal data under GDPR (owners).
    pub fn can_erase(&self) -> bool {
        self.has("data:erase")
    }

    /// May see and change the organisation's settings (owners).
    pub fn can_manage(&self) -> bool {
        self.has("settings:write")
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
