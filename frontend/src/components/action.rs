//! How the pages run a change against the API: a one-click change that says what happened in a
//! toast, and a dialog form that is busy while it saves, closes when it is done and shows the
//! server's messages when it is not.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use crate::api::ApiError;
use crate::components::{FormErrors, Toasts, use_toasts};

/// Runs `work` unless the form is already busy, keeping `busy` set while it runs.
pub fn run_busy(busy: RwSignal<bool>, work: impl Future<Output = ()> + 'static) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    spawn_local(async move {
        work.await;
        busy.set(false);
    });
}

/// Runs a one-click change (make primary, delete, restore) in the background: on success toasts
/// `message(result)` and calls `then`, on failure toasts the server's message.
pub fn spawn_change<T: 'static, M: Into<String>>(
    toasts: Toasts,
    work: impl Future<Output = Result<T, ApiError>> + 'static,
    message: impl FnOnce(T) -> M + 'static,
    then: impl FnOnce() + 'static,
) {
    spawn_local(async move {
        match work.await {
            Ok(done) => {
                toasts.info(message(done));
                then();
            }
            Err(e) => toasts.error(e.message()),
        }
    });
}

/// A form in a dialog: whether it is open, whether it is saving, its messages, and what to
/// reload once it has saved.
#[derive(Clone, Copy)]
pub struct DialogForm {
    open: RwSignal<bool>,
    busy: RwSignal<bool>,
    errors: FormErrors,
    toasts: Toasts,
    refresh: Callback<()>,
    on_error: Option<Callback<ApiError>>,
}

impl DialogForm {
    pub fn new(
        open: RwSignal<bool>,
        busy: RwSignal<bool>,
        errors: FormErrors,
        refresh: Callback<()>,
    ) -> DialogForm {
        DialogForm {
            open,
            busy,
            errors,
            toasts: use_toasts(),
            refresh,
            on_error: None,
        }
    }

    /// Also runs `on_error` after a refusal's messages are shown in the form.
    pub fn on_error(self, on_error: Callback<ApiError>) -> DialogForm {
        DialogForm {
            on_error: Some(on_error),
            ..self
        }
    }

    /// Sends the form (a busy form ignores another submit): on success toasts
    /// `message(&result)`, closes the dialog and reloads; on failure shows the server's
    /// messages in the form.
    pub fn send<T: 'static, M: Into<String>>(
        self,
        work: impl Future<Output = Result<T, ApiError>> + 'static,
        message: impl FnOnce(&T) -> M + 'static,
    ) {
        run_busy(self.busy, async move {
            match work.await {
                Ok(done) => {
                    self.toasts.info(message(&done));
                    self.open.set(false);
                    self.refresh.run(());
                }
                Err(error) => {
                    self.errors.show(&error);
                    if let Some(on_error) = self.on_error {
                        on_error.run(error);
                    }
                }
            }
        });
    }

    /// Adds a record (`create`) or saves `patch` to the one being edited (`update`); an edit
    /// that changes nothing just closes the dialog. `message` is told the saved record and
    /// whether it was an edit.
    pub fn save<V: 'static, S: 'static, M: Into<String>>(
        self,
        existing: Option<V>,
        patch: Map<String, Value>,
        update: impl AsyncFnOnce(&V, &Map<String, Value>) -> Result<S, ApiError> + 'static,
        create: impl Future<Output = Result<S, ApiError>> + 'static,
        message: impl FnOnce(&S, bool) -> M + 'static,
    ) {
        let edited = existing.is_some();
        if edited && patch.is_empty() {
            self.open.set(false);
            return;
        }
        self.send(
            async move {
                match &existing {
                    Some(record) => update(record, &patch).await,
                    None => create.await,
                }
            },
            move |saved| message(saved, edited),
        );
    }
}
