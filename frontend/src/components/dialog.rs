//! Modal dialogs on the native `<dialog>` element: `showModal()` makes the page behind inert,
//! traps focus, moves it into the dialog, closes on Escape and hands focus back to the control
//! that opened it, all without a line of focus-juggling here.

use leptos::html;
use leptos::prelude::*;

static NEXT_ID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// A modal shown while `open` is true; closing it (Escape, a button) sets `open` to false.
#[component]
pub fn Modal(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let title_id = format!(
        "dialog-title-{}",
        NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let labelled_by = title_id.clone();
    Effect::new(move |_| {
        let wanted = open.get();
        if let Some(element) = dialog.get() {
            if wanted && !element.open() {
                let _ = element.show_modal();
            } else if !wanted && element.open() {
                element.close();
            }
        }
    });
    view! {
        <dialog node_ref=dialog class="modal" aria-labelledby=labelled_by
            on:close=move |_| open.set(false)>
            <header class="modal-head">
                <h2 id=title_id>{move || title.get()}</h2>
                <button class="btn-icon" aria-label="Close" on:click=move |_| open.set(false)>
                    <super::Icon name="x"/>
                </button>
            </header>
            <Show when=move || open.get()>{
                let children = children.clone();
                move || children()
            }</Show>
        </dialog>
    }
}
