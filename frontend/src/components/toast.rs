//! Short-lived messages after an action ("2 customers deleted"), announced to screen readers
//! through a polite live region.

use std::time::Duration;

use leptos::prelude::*;

#[derive(Clone)]
struct Toast {
    id: u64,
    text: String,
    error: bool,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    pub fn new() -> Toasts {
        Toasts {
            items: RwSignal::new(Vec::new()),
            next: StoredValue::new(1),
        }
    }

    pub fn info(&self, text: impl Into<String>) {
        self.push(text.into(), false);
    }

    pub fn error(&self, text: impl Into<String>) {
        self.push(text.into(), true);
    }

    fn push(&self, text: String, error: bool) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items
            .update(|items| items.push(Toast { id, text, error }));
        let items = self.items;
        set_timeout(
            move || items.update(|items| items.retain(|t| t.id != id)),
            Duration::from_secs(if error { 8 } else { 4 }),
        );
    }
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// The toast stack; mounted once by the app shell.
#[component]
pub fn ToastsView() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class=if toast.error { "toast toast-error" } else { "toast" }>{toast.text}</div>
            </For>
        </div>
    }
}
