//! The directory's export: "Export…" opens a dialog to choose the format (CSV or an Excel
//! workbook) and the columns, in the order wanted (all of [`EXPORT_COLUMNS`] in their default
//! order to begin with). The file holds every customer matching the directory's current
//! search, view, filters and sort, fetched through the API with the signed-in user's token and
//! saved by the browser. The choice lasts while the directory is open.

use leptos::prelude::*;
use tenure_api_types::EXPORT_COLUMNS;
use wasm_bindgen::JsCast;

use super::Directory;
use crate::api::{Call, encode};
use crate::components::{FormActions, FormBanner, FormErrors, Icon, Modal, run_busy, use_toasts};
use crate::format;

/// The file types the export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV",
            ExportFormat::Xlsx => "Excel",
        }
    }
}

/// One column of the export and whether it is wanted.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportColumn {
    pub key: &'static str,
    pub label: &'static str,
    pub on: bool,
}

/// Every column, wanted, in the API's default order.
pub fn default_columns() -> Vec<ExportColumn> {
    EXPORT_COLUMNS
        .iter()
        .map(|&(key, label)| ExportColumn {
            key,
            label,
            on: true,
        })
        .collect()
}

/// Moves the column `key` one place up (towards the first column) or down; at an end it stays.
pub fn move_column(columns: &mut [ExportColumn], key: &str, up: bool) {
    let Some(at) = columns.iter().position(|c| c.key == key) else {
        return;
    };
    let to = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|to| *to < columns.len())
    };
    if let Some(to) = to {
        columns.swap(at, to);
    }
}

/// `/customers/export.csv?{query}&columns=a,b` (under `/api/v1`): the directory's question and
/// the wanted columns' keys, in their order.
pub fn export_path(format: ExportFormat, query: &str, columns: &[ExportColumn]) -> String {
    let keys: Vec<&str> = columns.iter().filter(|c| c.on).map(|c| c.key).collect();
    let columns = format!("columns={}", encode(&keys.join(",")));
    let query = if query.is_empty() {
        columns
    } else {
        format!("{query}&{columns}")
    };
    format!("/customers/export.{}?{query}", format.extension())
}

/// Opens the export dialog.
#[component]
pub fn ExportButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button class="btn" on:click=move |_| open.set(true)>
            <Icon name="download"/>"Export…"
        </button>
        <ExportDialog open=open/>
    }
}

#[component]
fn ExportDialog(open: RwSignal<bool>) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let toasts = use_toasts();
    let format = RwSignal::new(ExportFormat::Csv);
    let columns = RwSignal::new(default_columns());
    let busy = RwSignal::new(false);
    let errors = FormErrors::new();
    Effect::new(move |_| {
        if open.get() {
            errors.clear();
        }
    });
    let chosen = move || columns.with(|c| c.iter().filter(|c| c.on).count());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if chosen() == 0 {
            return;
        }
        errors.clear();
        let format = format.get_untracked();
        let query = directory.query.get_untracked().export_query();
        let path = columns.with_untracked(|c| export_path(format, &query, c));
        run_busy(busy, async move {
            match Call::get(&path).bytes().await {
                Ok(bytes) => {
                    let file = format!("customers.{}", format.extension());
                    if crate::browser::download(&file, format.mime(), &bytes).is_err() {
                        toasts.error("The browser refused the download.");
                    } else {
                        toasts.info(format!("Exported {file}."));
                        open.set(false);
                    }
                }
                Err(e) => errors.show(&e),
            }
        });
    };
    view! {
        <Modal open=open title="Export customers">
            <form class="export-form" on:submit=submit novalidate>
                <FormBanner errors=errors/>
                <p class="muted" data-testid="export-count">{move || matching(directory)}</p>
                <FormatChoice format=format/>
                <ColumnChoice columns=columns error=errors.of("columns")/>
                <FormActions open=open busy=busy
                    label=move || format!("Export {}", format.get().name())
                    blocked=Signal::derive(move || chosen() == 0) testid="export-submit"/>
            </form>
        </Modal>
    }
}

/// What the file will hold: `1,234 customers match the current search and filters.`
fn matching(directory: Directory) -> String {
    directory.list.with(|list| match list {
        Some(Ok(list)) => format!(
            "{}{} the current search and filters.",
            if list.total_is_estimate { "About " } else { "" },
            match list.total {
                1 => "1 customer matches".to_owned(),
                n => format!("{} customers match", format::thousands(n)),
            }
        ),
        _ => "Every customer matching the current search and filters.".to_owned(),
    })
}

#[component]
fn FormatChoice(format: RwSignal<ExportFormat>) -> impl IntoView {
    let option = move |value: ExportFormat, label: &'static str, hint: &'static str| {
        let id = format!("export-format-{}", value.extension());
        let label_for = id.clone();
        view! {
            <label class="check export-format" for=label_for>
                <input id=id type="radio" name="export-format" value=value.extension()
                    prop:checked=move || format.get() == value
                    on:change=move |_| format.set(value)/>
                <span>{label}<span class="hint">{hint}</span></span>
            </label>
        }
    };
    view! {
        <fieldset class="field">
            <legend>"Format"</legend>
            <div class="export-formats">
                {option(ExportFormat::Csv, "CSV", "Plain text; opens anywhere")}
                {option(ExportFormat::Xlsx, "Excel (XLSX)", "A workbook; numbers stay numbers")}
            </div>
        </fieldset>
    }
}

/// The columns as a checklist in export order, each with buttons to move it.
#[component]
fn ColumnChoice(
    columns: RwSignal<Vec<ExportColumn>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let set_all = move |on: bool| columns.update(|c| c.iter_mut().for_each(|c| c.on = on));
    let count = move || {
        columns.with(|c| {
            format!(
                "{} of {} chosen",
                c.iter().filter(|c| c.on).count(),
                c.len()
            )
        })
    };
    view! {
        <fieldset class="field" aria-describedby="export-columns-error">
            <legend>"Columns"</legend>
            <div class="export-column-tools">
                <span class="muted" aria-live="polite" data-testid="export-chosen">{count}</span>
                <button type="button" class="btn btn-small" on:click=move |_| set_all(true)>"Select all"</button>
                <button type="button" class="btn btn-small" on:click=move |_| set_all(false)>"Select none"</button>
                <button type="button" class="btn btn-small btn-ghost"
                    on:click=move |_| columns.set(default_columns())
                    title="Every column, in the default order">"Reset"</button>
            </div>
            <ol class="export-columns">
                <For each=move || columns.get() key=|c| c.key let:column>
                    <ColumnRow key=column.key label=column.label columns=columns/>
                </For>
            </ol>
            <p class="field-error" id="export-columns-error" hidden=move || error.with(Option::is_none)>
                {move || error.get().unwrap_or_default()}
            </p>
        </fieldset>
    }
}

#[component]
fn ColumnRow(
    key: &'static str,
    label: &'static str,
    columns: RwSignal<Vec<ExportColumn>>,
) -> impl IntoView {
    let at = move || columns.with(|c| c.iter().position(|c| c.key == key));
    let on = move || columns.with(|c| c.iter().any(|c| c.key == key && c.on));
    let last = move || columns.with(|c| c.len().saturating_sub(1));
    let id = format!("export-column-{key}");
    let label_for = id.clone();
    let shift = move |up: bool| {
        columns.update(|c| move_column(c, key, up));
        // The row moved in the page: keep focus on the button pressed, or on its twin once
        // the row reaches an end.
        let stuck = if up {
            at() == Some(0)
        } else {
            at() == Some(last())
        };
        let wanted = if up != stuck { "up" } else { "down" };
        let id = format!("export-column-{key}-{wanted}");
        request_animation_frame(move || focus(&id));
    };
    view! {
        <li class="export-column" data-key=key class:is-off=move || !on()>
            <label class="check" for=label_for>
                <input id=id type="checkbox" value=key prop:checked=on
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        columns.update(|c| c.iter_mut().filter(|c| c.key == key).for_each(|c| c.on = checked));
                    }/>
                {label}<code class="export-key">{key}</code>
            </label>
            <button type="button" class="btn-icon" id=format!("export-column-{key}-up")
                aria-label=format!("Move {label} up") disabled=move || at() == Some(0)
                on:click=move |_| shift(true)>
                <Icon name="arrow-up"/>
            </button>
            <button type="button" class="btn-icon" id=format!("export-column-{key}-down")
                aria-label=format!("Move {label} down") disabled=move || at() == Some(last())
                on:click=move |_| shift(false)>
                <Icon name="arrow-down"/>
            </button>
        </li>
    }
}

/// Focuses the element with `id`, if there is one.
fn focus(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(columns: &[ExportColumn]) -> Vec<&str> {
        columns.iter().map(|c| c.key).collect()
    }

    #[test]
    fn every_column_is_wanted_in_the_apis_order_at_first() {
        let columns = default_columns();
        assert_eq!(columns.len(), EXPORT_COLUMNS.len());
        assert!(columns.iter().all(|c| c.on));
        assert_eq!(columns[0].key, EXPORT_COLUMNS[0].0);
    }

    #[test]
    fn columns_move_one_place_and_stay_at_the_ends() {
        let mut columns = default_columns();
        columns.truncate(3);
        let (a, b, c) = (columns[0].key, columns[1].key, columns[2].key);
        move_column(&mut columns, c, true);
        assert_eq!(keys(&columns), [a, c, b]);
        move_column(&mut columns, a, true);
        assert_eq!(keys(&columns), [a, c, b]);
        move_column(&mut columns, b, false);
        assert_eq!(keys(&columns), [a, c, b]);
        move_column(&mut columns, a, false);
        assert_eq!(keys(&columns), [c, a, b]);
        move_column(&mut columns, "nope", false);
        assert_eq!(keys(&columns), [c, a, b]);
    }

    #[test]
    fn the_path_carries_the_question_and_the_wanted_columns_in_order() {
        let mut columns = default_columns();
        columns.retain(|c| ["name", "email", "mrr"].contains(&c.key));
        move_column(&mut columns, "mrr", true);
        columns[0].on = true;
        assert_eq!(
            export_path(ExportFormat::Csv, "q=acme&sort=name", &columns),
            "/customers/export.csv?q=acme&sort=name&columns=name%2Cmrr%2Cemail"
        );
        columns[1].on = false;
        assert_eq!(
            export_path(ExportFormat::Xlsx, "", &columns),
            "/customers/export.xlsx?columns=name%2Cemail"
        );
    }
}
