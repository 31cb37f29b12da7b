//! The customer page's tabs: which exist, how they are named in the URL (`?tab=contacts`), and
//! the tab strip. Tabs are links, so each is a history entry and back returns to the last one;
//! the strip follows the ARIA tabs pattern (arrow keys move between tabs).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use crate::pages::customer::use_customer_page;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Contacts,
    Addresses,
    Activity,
    Hierarchy,
    Goals,
    Settings,
    Ledger,
}

pub const TABS: &[Tab] = &[
    Tab::Overview,
    Tab::Contacts,
    Tab::Addresses,
    Tab::Activity,
    Tab::Hierarchy,
    Tab::Goals,
    Tab::Settings,
    Tab::Ledger,
];

impl Tab {
    /// The tab's name in the URL.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Contacts => "contacts",
            Tab::Addresses => "addresses",
            Tab::Activity => "activity",
            Tab::Hierarchy => "hierarchy",
            Tab::Goals => "goals",
            Tab::Settings => "settings",
            Tab::Ledger => "ledger",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Contacts => "Contacts",
            Tab::Addresses => "Addresses",
            Tab::Activity => "Activity",
            Tab::Hierarchy => "Hierarchy",
            Tab::Goals => "Goals",
            Tab::Settings => "Settings",
            Tab::Ledger => "Ledger",
        }
    }

    /// The tab a URL's `tab` parameter names; missing or unknown is the Overview.
    pub fn from_key(key: Option<&str>) -> Tab {
        TABS.iter()
            .copied()
            .find(|t| Some(t.key()) == key)
            .unwrap_or(Tab::Overview)
    }

    /// The page address that shows this tab (the Overview has none of its own).
    pub fn href(self, customer: uuid::Uuid) -> String {
        match self {
            Tab::Overview => format!("/customers/{customer}"),
            tab => format!("/customers/{customer}?tab={}", tab.key()),
        }
    }
}

#[component]
pub fn TabList(current: Memo<Tab>) -> impl IntoView {
    let page = use_customer_page();
    let navigate = StoredValue::new_local(use_navigate());
    // Left/Right/Home/End move to another tab and focus it, as the ARIA tabs pattern asks.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let at = TABS
            .iter()
            .position(|t| *t == current.get_untracked())
            .unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" => (at + 1) % TABS.len(),
            "ArrowLeft" => (at + TABS.len() - 1) % TABS.len(),
            "Home" => 0,
            "End" => TABS.len() - 1,
            _ => return,
        };
        ev.prevent_default();
        let tab = TABS[next];
        navigate.with_value(|go| go(&tab.href(page.id), Default::default()));
        request_animation_frame(move || {
            if let Some(element) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&format!("tab-{}", tab.key())))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        });
    };
    view! {
        <div class="tabs" role="tablist" aria-label="Customer sections" on:keydown=on_key>
            {TABS.iter().map(|tab| {
                let tab = *tab;
                let selected = move || current.get() == tab;
                view! {
                    <a role="tab" id=format!("tab-{}", tab.key()) class="tab"
                        href=tab.href(page.id)
                        aria-selected=move || selected().to_string()
                        aria-controls="customer-tab-panel"
                        tabindex=move || if selected() { "0" } else { "-1" }>
                        {tab.label()}
                    </a>
                }
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tab_round_trips_through_its_url_key() {
        for tab in TABS {
            assert_eq!(Tab::from_key(Some(tab.key())), *tab);
        }
        assert_eq!(Tab::from_key(None), Tab::Overview);
        assert_eq!(Tab::from_key(Some("nonsense")), Tab::Overview);
    }

    #[test]
    fn the_overview_has_the_plain_address() {
        let id = uuid::Uuid::nil();
        assert_eq!(Tab::Overview.href(id), format!("/customers/{id}"));
        assert_eq!(Tab::Ledger.href(id), format!("/customers/{id}?tab=ledger"));
    }
}
