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
        // Escape fires `cancel` at once but `close` only later, as a task: `open` follows
        // `cancel` so a click in between can reopen the dialog, and a late `close` is ignored
        // when the dialog has been shown again meanwhile.
        <dialog node_ref=dialog class="modal" aria-labelledby=labelled_by
            on:cancel=move |_: web_sys::Event| open.set(false)
            on:close=move |_| {
                if !dialog.get_untracked().is_some_and(|d| d.open()) {
                    open.set(false);
                }
            }>
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

/// "Are you sure?": a modal with a message and a button that does it.
#[component]
pub fn Confirm(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(into)] confirm: String,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let confirm = StoredValue::new(confirm);
    view! {
        <Modal open=open title=title>
            <p>{move || message.get()}</p>
            <div class="modal-actions">
                <button class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button class="btn btn-danger" on:click=move |_| {
                    open.set(false);
                    on_confirm.run(());
                }>{confirm.get_value()}</button>
            </div>
        </Modal>
    }
}

/// The foot of a form in a [`Modal`]: "Cancel" closes the dialog, and the submit button, named
/// `label`, shows a spinner and does nothing while the form is `busy` (or `blocked`, when the
/// form is not ready to send).
#[component]
pub fn FormActions(
    open: RwSignal<bool>,
    busy: RwSignal<bool>,
    #[prop(into)] label: TextProp,
    /// A submit that destroys something (red, not the primary blue).
    #[prop(optional)]
    danger: bool,
    #[prop(optional, into)] blocked: Option<Signal<bool>>,
    /// The submit button's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    let class = if danger {
        "btn btn-danger"
    } else {
        "btn btn-primary"
    };
    view! {
        <div class="modal-actions">
            <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
            <button type="submit" class=class data-testid=testid
                disabled=move || busy.get() || blocked.is_some_and(|b| b.get())>
                {move || busy.get().then(|| view! { <super::Spinner/> })}
                {move || label.get()}
            </button>
        </div>
    }
}
