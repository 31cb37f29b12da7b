//! Keeps a background job fresh: an import, a duplicate scan. While the job shown works, the
//! page listens to the tenant's event stream (`GET /events`, one event per kind of job, data: the
//! job's view, at least once a second); when the stream fails (a proxy that buffers, a token
//! that expired) or says nothing of this job for a while, it asks for the job once a second
//! instead, and tries the stream again later. Events about other jobs of the same kind are
//! handed on too (the imports history shows them).
//!
//! A kind of job says what it is through [`Job`]. This module must not decide anything about a
//! job: it only hands fresher views to the page.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api::{self, ApiError};

/// How long the stream may say nothing of the job before a poll checks on it.
const QUIET_MS: f64 = 2_500.0;
/// How long after the stream failed it is tried again.
const RETRY_MS: f64 = 15_000.0;

/// A kind of background job the event stream reports on.
pub trait Job: Clone + DeserializeOwned + Send + Sync + 'static {
    /// The event whose data is a view of this kind of job.
    const EVENT: &'static str;

    fn id(&self) -> Uuid;

    /// Whether the job still works, so is worth following.
    fn working(&self) -> bool;

    /// The job as the server has it now.
    fn fetch(id: Uuid) -> impl Future<Output = Result<Self, ApiError>> + 'static;
}

/// An open `EventSource` and its listeners; closed when dropped.
struct Stream {
    source: web_sys::EventSource,
    broken: Rc<Cell<bool>>,
    _on_progress: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}

struct Follower<T: Job> {
    job: RwSignal<Option<T>>,
    on_update: Callback<T>,
    stream: StoredValue<Option<Stream>, LocalStorage>,
    /// When the stream last spoke of the job shown (or was opened), in ms since the epoch.
    last_heard: StoredValue<f64>,
    failed_at: StoredValue<Option<f64>>,
    polling: StoredValue<bool>,
}

// Handles only (the job itself is never copied), so Copy whatever the job is.
impl<T: Job> Clone for Follower<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Job> Copy for Follower<T> {}

/// Follows `job` while it works, handing every fresher view of any job of its kind to
/// `on_update`.
pub fn follow<T: Job>(job: RwSignal<Option<T>>, on_update: Callback<T>) {
    let follower = Follower {
        job,
        on_update,
        stream: StoredValue::new_local(None),
        last_heard: StoredValue::new(0.0),
        failed_at: StoredValue::new(None),
        polling: StoredValue::new(false),
    };
    let active = Memo::new(move |_| job.with(|j| j.as_ref().filter(|j| j.working()).map(T::id)));
    // At once when a job starts working (or another is shown), then every second.
    Effect::new(move |_| {
        active.track();
        follower.tick();
    });
    let ticker = set_interval_with_handle(move || follower.tick(), Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(ticker) = ticker {
            ticker.clear();
        }
        follower.stream.set_value(None);
    });
}

impl<T: Job> Follower<T> {
    fn tick(self) {
        let Some(Some((id, busy))) = self
            .job
            .try_with_untracked(|j| j.as_ref().map(|j| (j.id(), j.working())))
        else {
            self.stream.set_value(None);
            return;
        };
        if !busy {
            self.stream.set_value(None);
            return;
        }
        let now = js_sys::Date::now();
        if self
            .stream
            .try_with_value(|s| s.as_ref().is_some_and(|s| s.broken.get()))
            .unwrap_or(false)
        {
            self.stream.set_value(None);
            self.failed_at.set_value(Some(now));
        }
        let open = self.stream.try_with_value(Option::is_some).unwrap_or(false);
        let may_retry = self
            .failed_at
            .try_get_value()
            .flatten()
            .is_none_or(|at| now - at > RETRY_MS);
        if !open && may_retry {
            self.open();
        }
        let open = self.stream.try_with_value(Option::is_some).unwrap_or(false);
        let quiet = now - self.last_heard.try_get_value().unwrap_or(0.0) > QUIET_MS;
        if (!open || quiet) && !self.polling.try_get_value().unwrap_or(true) {
            self.poll(id);
        }
    }

    fn open(self) {
        let Some(url) = api::events_url() else {
            return;
        };
        let Ok(source) = web_sys::EventSource::new(&url) else {
            self.failed_at.set_value(Some(js_sys::Date::now()));
            return;
        };
        let on_progress = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                let Ok(view) = serde_json::from_str::<T>(&text) else {
                    return;
                };
                let shown = self
                    .job
                    .try_with_untracked(|j| j.as_ref().is_some_and(|j| j.id() == view.id()))
                    .unwrap_or(false);
                if shown {
                    self.last_heard.set_value(js_sys::Date::now());
                }
                self.on_update.run(view);
            },
        );
        let broken = Rc::new(Cell::new(false));
        let on_error = {
            let broken = Rc::clone(&broken);
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                // The browser would reconnect with the same (maybe expired) token; polling
                // takes over instead, and the next tick drops this stream.
                if let Some(source) = event
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::EventSource>().ok())
                {
                    source.close();
                }
                broken.set(true);
            })
        };
        let listening = source
            .add_event_listener_with_callback(T::EVENT, on_progress.as_ref().unchecked_ref())
            .is_ok();
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        broken.set(!listening);
        self.last_heard.set_value(js_sys::Date::now());
        self.stream.set_value(Some(Stream {
            source,
            broken,
            _on_progress: on_progress,
            _on_error: on_error,
        }));
    }

    fn poll(self, id: Uuid) {
        self.polling.set_value(true);
        spawn_local(async move {
            if let Ok(view) = T::fetch(id).await {
                self.on_update.try_run(view);
            }
            self.polling.set_value(false);
        });
    }
}
