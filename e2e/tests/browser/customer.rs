//! The customer page ("Customer 360") in the browser: opening it, its URL-addressed tabs, and
//! one story per tab that changes something. Each test makes its own customers through the API
//! (unique names), so tests sharing the demo server never see each other's rows.
//!
//! Locators are by role, label and accessible name (`press("Add contact")`,
//! `fill_in("Email", ..)`, `tab("Contacts")`), with CSS only for the page's own landmarks.

use anyhow::{Context, ensure};
use fantoccini::Locator;
use serde_json::json;

use crate::harness::{Browser, DESKTOP, MOBILE, run, unique};

#[tokio::test]
async fn staff_opens_a_customer_from_the_directory_and_walks_its_tabs() {
    run("customer-open", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let link = b
            .find(".customer-table tbody tr[data-id] a.row-link")
            .await?;
        let name = link.text().await?;
        link.click().await?;
        b.wait_until(
            "the customer page",
            "/^\\/customers\\/[0-9a-f-]{36}$/.test(location.pathname)",
        )
        .await?;
        let heading = b.find("[data-testid=customer-name]").await?.text().await?;
        ensure!(
            heading == name,
            "the page is the customer clicked: {heading:?} vs {name:?}"
        );
        let crumbs = b.find("nav[aria-label=Breadcrumb]").await?.text().await?;
        ensure!(
            crumbs.starts_with("Customers"),
            "a breadcrumb back to the directory: {crumbs:?}"
        );
        for label in ["Tenure", "Lifetime value", "Plan", "MRR", "Credit balance"] {
            b.find(&format!(".metric-card[aria-label='{label}'] .metric-value"))
                .await?;
        }
        let selected = b.tab("Overview").await?.attr("aria-selected").await?;
        ensure!(
            selected.as_deref() == Some("true"),
            "the Overview is the first tab shown"
        );
        b.snapshot("customer-overview").await?;

        let overview = b.path().await?;
        for (tab, key) in [
            ("Contacts", "contacts"),
            ("Activity", "activity"),
            ("Ledger", "ledger"),
        ] {
            b.tab(tab).await?.click().await?;
            b.wait_until(
                &format!("?tab={key}"),
                &format!("location.search === '?tab={key}'"),
            )
            .await?;
            let selected = b.tab(tab).await?.attr("aria-selected").await?;
            ensure!(selected.as_deref() == Some("true"), "{tab} is selected");
        }
        b.snapshot("customer-ledger").await?;
        // Back walks the tabs in reverse, then to the Overview.
        b.client.back().await?;
        b.wait_until("back to Activity", "location.search === '?tab=activity'")
            .await?;
        b.find(".activity-filters").await?;
        b.client.back().await?;
        b.client.back().await?;
        b.wait_until(
            "back to the Overview",
            &format!("location.pathname + location.search === '{overview}'"),
        )
        .await?;
        b.find(".metric-grid").await?;
        // A reload keeps the tab.
        b.goto(&format!("{overview}?tab=goals")).await?;
        let selected = b.tab("Goals").await?.attr("aria-selected").await?;
        ensure!(
            selected.as_deref() == Some("true"),
            "a deep link opens the Goals tab"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn add_a_contact_and_make_it_primary() {
    run("customer-contacts", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let id = b.create_customer(json!({"name": format!("Contact Test {}", unique())})).await?;
        b.open_customer(&id, Some("contacts")).await?;
        b.wait_until("the empty list", "document.body.textContent.includes('No contacts yet')").await?;

        // The server's validation lands on the field it is about.
        b.press("Add contact").await?;
        b.dialog("Add contact").await?;
        b.fill_in("First name", "Ada").await?;
        b.fill_in("Last name", "Lovelace").await?;
        b.fill_in("Email", "not-an-email").await?;
        b.submit_dialog("Add contact").await?;
        b.wait_until("the email error", "document.querySelector('#f-contact-email-error:not([hidden])')").await?;
        let invalid = b.field("Email").await?.attr("aria-invalid").await?;
        ensure!(invalid.as_deref() == Some("true"), "the email field is marked invalid");
        b.snapshot("contact-server-error").await?;
        b.fill_in("Email", "ada@analytical.example").await?;
        b.submit_dialog("Add contact").await?;
        b.dialog_closed().await?;
        b.toast("Ada Lovelace added.").await?;

        b.press("Add contact").await?;
        b.dialog("Add contact").await?;
        b.fill_in("First name", "Grace").await?;
        b.fill_in("Last name", "Hopper").await?;
        b.choose("Role", "Technical").await?;
        b.field("Customer portal access").await?.click().await?;
        b.submit_dialog("Add contact").await?;
        b.dialog_closed().await?;
        b.wait_until("two rows", "document.querySelectorAll('.data-table tbody tr').length === 2").await?;
        let primaries = primary_names(b).await?;
        ensure!(primaries == ["Ada Lovelace"], "the first contact is primary on its own: {primaries:?}");
        let grace = b.find_xpath("//tr[.//*[normalize-space(.)='Grace Hopper']]", "Grace's row").await?;
        let cells = grace.text().await?;
        ensure!(cells.contains("Technical") && cells.contains("Portal"), "role badge and portal flag: {cells:?}");

        b.press("Make Grace Hopper primary").await?;
        b.toast("Grace Hopper is now the primary contact.").await?;
        b.wait_until("Grace is primary", "[...document.querySelectorAll('.data-table tbody tr')].filter(r => r.querySelector('.primary-badge')).map(r => r.querySelector('.row-title').textContent).join() === 'Grace Hopper'").await?;
        ensure!(primary_names(b).await? == ["Grace Hopper"], "only one primary");
        b.snapshot("contacts").await?;

        // The Overview's primary contact follows.
        b.tab("Overview").await?.click().await?;
        b.wait_until("the primary contact card", "document.querySelector('.contact-name') && document.querySelector('.contact-name').textContent === 'Grace Hopper'").await?;
        Ok(())
    })
    .await;
}

async fn primary_names(b: &Browser) -> anyhow::Result<Vec<String>> {
    let value = b
        .js("return [...document.querySelectorAll('.data-table tbody tr')].filter(r => r.querySelector('.primary-badge')).map(r => r.querySelector('.row-title').textContent);")
        .await?;
    Ok(serde_json::from_value(value)?)
}

#[tokio::test]
async fn log_a_call_and_see_it_on_top_of_the_timeline() {
    run("customer-activity", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let id = b.create_customer(json!({"name": format!("Timeline Test {}", unique())})).await?;
        b.api("POST", &format!("/customers/{id}/activities"), Some(json!({
            "type": "note", "subject": "An older note", "occurred_at": "2025-01-15T10:00:00Z"
        }))).await?;
        b.open_customer(&id, Some("activity")).await?;
        b.find(".timeline-item").await?;

        let subject = format!("Renewal call {}", unique());
        b.press("Log activity").await?;
        b.dialog("Log activity").await?;
        b.choose("Type", "Call").await?;
        b.fill_in("Subject", &subject).await?;
        b.choose("Result", "Positive").await?;
        b.fill_in("Duration (minutes)", "25").await?;
        b.submit_dialog("Log activity").await?;
        b.dialog_closed().await?;
        b.toast("Activity logged.").await?;
        let literal = serde_json::to_string(&subject)?;
        b.wait_until("the call on top", &format!(
            "document.querySelector('.timeline-item .timeline-subject') && document.querySelector('.timeline-item .timeline-subject').textContent === {literal}")).await?;
        let first = b.find(".timeline-item").await?;
        ensure!(first.attr("data-type").await?.as_deref() == Some("call"), "the newest entry is the call");
        let day = b.find(".timeline-day .day-heading").await?.text().await?;
        ensure!(day.eq_ignore_ascii_case("today"), "grouped under today: {day:?}");
        let days = b.find_all(".timeline-day").await?.len();
        ensure!(days >= 2, "the old note sits under its own day: {days}");
        b.snapshot("timeline").await?;

        // The type filter keeps only calls.
        b.press("Call").await?;
        b.wait_until("only calls", "document.querySelectorAll('.timeline-item').length > 0 && [...document.querySelectorAll('.timeline-item')].every(i => i.dataset.type === 'call')").await?;
        b.wait_until("the note filtered out", "!document.body.textContent.includes('An older note')").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn preview_and_apply_a_tier_change() {
    run("customer-tier", DESKTOP, async |b: &Browser| {
        // Tiers are the owner's to define; assigning one is staff work.
        b.sign_in("owner@demo.example").await?;
        let tag = unique();
        let tier_name = format!("Gold {tag}");
        // Levels are unique per organisation and 0..=1000; the demo tiers sit at the bottom.
        let level = i64::from_str_radix(&tag, 16).unwrap_or(7) % 900 + 100;
        b.api("POST", "/tiers", Some(json!({
            "name": tier_name, "level": level, "discount_percent": "10", "colour": "#d4af37",
            "benefits": ["Priority support"]
        }))).await?;
        b.js("localStorage.clear(); return true;").await?;
        b.sign_in("staff@demo.example").await?;
        let id = b.create_customer(json!({"name": format!("Tier Test {}", unique()), "mrr": "1000.00", "currency": "USD", "status": "active"})).await?;
        b.open_customer(&id, Some("settings")).await?;
        b.find("[data-testid=no-tier]").await?;

        b.press("Change tier").await?;
        b.dialog("Change tier").await?;
        // The dialog loads the catalogue when it opens.
        b.wait_until("the tier in the menu", &format!(
            "[...document.querySelectorAll('dialog[open] select option')].some(o => o.textContent.startsWith({}))",
            serde_json::to_string(&format!("{tier_name} ("))?
        )).await?;
        let option = b.js(&format!(
            "return [...document.querySelectorAll('dialog[open] select option')].map(o => o.textContent).find(t => t.startsWith({}));",
            serde_json::to_string(&format!("{tier_name} ("))?
        )).await?;
        let option = option.as_str().context("the tier in the menu")?.to_owned();
        b.choose("New tier", &option).await?;
        let preview = b.find("table[aria-label='Pricing impact']").await?;
        let text = preview.text().await?;
        ensure!(text.contains("MRR") && text.contains("ARR") && text.contains("Open orders"), "the impact table: {text:?}");
        let old = b.find("[data-testid=old-discount]").await?.text().await?;
        let new = b.find("[data-testid=new-discount]").await?.text().await?;
        ensure!(old == "0%" && new != old, "discount before {old:?} and after {new:?}");
        b.snapshot("tier-preview").await?;
        b.submit_dialog("Change tier").await?;
        b.dialog_closed().await?;
        b.toast(&format!("Tier changed to {tier_name}.")).await?;
        b.wait_until("the tier badge", &format!(
            "document.querySelector('[data-testid=tier-badge]') && document.querySelector('[data-testid=tier-badge]').textContent === {}",
            serde_json::to_string(&tier_name)?)).await?;
        let stored = b.api("GET", &format!("/customers/{id}"), None).await?;
        ensure!(stored["tier"] == json!(tier_name), "the customer has the tier: {}", stored["tier"]);
        ensure!(stored["mrr"] != json!("1000.00"), "MRR was repriced: {}", stored["mrr"]);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn set_a_parent_and_see_the_roll_up() {
    run("customer-hierarchy", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let tag = unique();
        let parent_name = format!("Holding {tag}");
        let parent = b.create_customer(json!({"name": parent_name, "mrr": "1000.00", "currency": "USD"})).await?;
        let child = b.create_customer(json!({"name": format!("Subsidiary {tag}"), "mrr": "500.00", "currency": "USD"})).await?;

        b.open_customer(&child, Some("hierarchy")).await?;
        b.find("[data-testid=no-parent]").await?;
        b.fill_in("Set parent", &format!("Holding {tag}")).await?;
        let option = b.find_xpath(
            &format!("//*[@role='option'][.//*[normalize-space(.)='{parent_name}']]"),
            "the parent in the results").await?;
        option.click().await?;
        b.toast(&format!("Parent set to {parent_name}.")).await?;
        let link = b.find("[data-testid=parent-link]").await?.text().await?;
        ensure!(link == parent_name, "the parent is shown: {link:?}");
        let crumbs = b.find("nav[aria-label=Breadcrumb]").await?.text().await?;
        ensure!(crumbs.contains(&parent_name), "the breadcrumb names the parent: {crumbs:?}");

        // The parent rolls up both.
        b.find_xpath(&format!("//nav[@aria-label='Breadcrumb']//a[normalize-space(.)='{parent_name}']"), "the breadcrumb link").await?.click().await?;
        b.wait_until("the parent's page", &format!("location.pathname === '/customers/{parent}'")).await?;
        b.tab("Hierarchy").await?.click().await?;
        b.wait_until("the roll-up", "document.querySelector('[data-testid=rollup-customers]') && document.querySelector('[data-testid=rollup-customers]').textContent === '2'").await?;
        let mrr = b.find("[data-testid=rollup-mrr]").await?.text().await?;
        ensure!(mrr == "$1,500", "the roll-up adds both MRRs: {mrr:?}");
        b.find(&format!(".data-table tr[data-id='{child}']")).await?;
        b.snapshot("hierarchy").await?;

        // Making the child the parent's parent would be a cycle: refused, and said why.
        b.fill_in("Set parent", &format!("Subsidiary {tag}")).await?;
        b.find_xpath("//*[@role='option']", "a result").await?.click().await?;
        b.wait_until("the refusal", "document.querySelector('#parent-search-error:not([hidden])')").await?;
        let message = b.find("#parent-search-error").await?.text().await?;
        ensure!(!message.trim().is_empty(), "the refusal says why");
        let input = b.field("Set parent").await?.attr("aria-invalid").await?;
        ensure!(input.as_deref() == Some("true"), "the picker is marked invalid");
        b.find("[data-testid=no-parent]").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn an_owner_issues_a_credit_that_staff_cannot() {
    run("customer-ledger", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let id = b.create_customer(json!({"name": format!("Ledger Test {}", unique()), "currency": "USD"})).await?;
        b.open_customer(&id, Some("ledger")).await?;
        b.find(".metric-grid").await?;
        b.button("Resend invoice").await?;
        ensure!(
            b.client.find_all(Locator::XPath("//button[normalize-space(.)='Issue credit' or normalize-space(.)='Issue credit or refund']")).await?.is_empty(),
            "staff cannot issue credits"
        );
        b.js("localStorage.clear(); return true;").await?;
        b.sign_in("owner@demo.example").await?;
        b.open_customer(&id, Some("ledger")).await?;
        b.press("Issue credit").await?;
        b.dialog("Issue credit or refund").await?;
        b.fill_in("Amount", "25").await?;
        b.fill_in("Reason", "Goodwill for the outage").await?;
        b.submit_dialog("Issue credit or refund").await?;
        b.dialog_closed().await?;
        b.wait_until("the balance", "document.querySelector('[data-testid=credit-balance]') && document.querySelector('[data-testid=credit-balance]').textContent === '$25.00'").await?;
        let row = b.find(".data-table tbody tr").await?.text().await?;
        ensure!(row.contains("Goodwill for the outage"), "the entry is listed: {row:?}");
        b.tab("Overview").await?.click().await?;
        let balance = b.find(".metric-card[aria-label='Credit balance'] .metric-value").await?;
        b.wait_until("the overview balance", "document.querySelector(\".metric-card[aria-label='Credit balance'] .metric-value\").textContent === '$25.00'").await?;
        ensure!(balance.text().await? == "$25.00", "the Overview shows the credit");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn staff_downloads_a_customers_personal_data_as_a_zip() {
    run("customer-gdpr", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let name = format!("Subject Access {}", unique());
        let id = b
            .create_customer(json!({"name": name, "email": "subject@access.example"}))
            .await?;
        b.open_customer(&id, None).await?;
        // Catch the download's blob: its bytes are the ZIP the server sent.
        b.js("window.__zip = null; const make = URL.createObjectURL; URL.createObjectURL = blob => { blob.arrayBuffer().then(a => window.__zip = Array.from(new Uint8Array(a).slice(0, 2))); return make(blob); }; return true;")
            .await?;
        b.press("Personal data").await?;
        b.wait_until("the ZIP", "window.__zip !== null").await?;
        let magic = b.js("return window.__zip;").await?;
        ensure!(magic == json!([0x50, 0x4b]), "a ZIP starts with PK: {magic}");
        Ok(())
    })
    .await;
}

/// GDPR erasure is an owner's: staff see no button. The owner must type the code exactly; the
/// customer then leaves the directory and the bin keeps only an anonymous record under its
/// code. An erasure someone else finished first is refused with the server's reason.
#[tokio::test]
async fn an_owner_erases_a_customers_personal_data_and_staff_cannot() {
    run("customer-erase", DESKTOP, async |b: &Browser| {
        let tag = unique();
        let name = format!("Erasure Subject {tag}");
        b.sign_in("staff@demo.example").await?;
        let id = b
            .create_customer(json!({"name": name, "email": format!("subject-{tag}@erasure.example")}))
            .await?;
        b.api(
            "POST",
            &format!("/customers/{id}/contacts"),
            Some(json!({"first_name": "Eve", "last_name": format!("Subject {tag}"), "email": format!("eve-{tag}@erasure.example")})),
        )
        .await?;
        b.open_customer(&id, None).await?;
        // The header's actions are drawn (staff may export), but erasure is not among them.
        b.button("Personal data").await?;
        let erase_buttons = b
            .client
            .find_all(Locator::XPath("//button[contains(normalize-space(.), 'Erase personal data')]"))
            .await?;
        ensure!(erase_buttons.is_empty(), "staff cannot erase");

        b.js("localStorage.clear(); return true;").await?;
        b.sign_in("owner@demo.example").await?;
        search_directory(b, &tag).await?;
        b.rows_loaded().await?;
        ensure!(b.row_names().await? == [name.clone()], "the customer is found before the erasure");
        let code = b.api("GET", &format!("/customers/{id}"), None).await?["customer_code"]
            .as_str()
            .context("the customer's code")?
            .to_owned();

        b.open_customer(&id, None).await?;
        b.press("Erase personal data…").await?;
        let dialog = b.dialog("Erase personal data").await?;
        let text = dialog.text().await?;
        ensure!(text.contains(&code) && text.contains("cannot be undone"), "the dialog names the code and warns: {text:?}");
        let label = format!("Type {code} to confirm");
        let submit = b.find("[data-testid=erase-submit]").await?;
        ensure!(submit.attr("disabled").await?.is_some(), "nothing typed: Erase is disabled");
        b.fill_in(&label, &code.to_lowercase()).await?;
        ensure!(submit.attr("disabled").await?.is_some(), "a near miss keeps Erase disabled");
        b.fill_in(&label, &code).await?;
        b.wait_until("Erase enabled", "!document.querySelector('[data-testid=erase-submit]').disabled").await?;
        b.snapshot("erase-dialog").await?;
        submit.click().await?;
        b.wait_until("back in the directory", "location.pathname === '/customers'").await?;
        b.toast(&format!("Personal data of {code} erased: the customer record, 1 contact")).await?;

        // Gone from the directory, and the bin holds only an anonymous record under the code.
        search_directory(b, &tag).await?;
        b.wait_until("no match", "document.body.textContent.includes('No customers match')").await?;
        b.goto(&format!("/customers?deleted=true&q={tag}")).await?;
        b.wait_until("no match in the bin", "document.querySelector('.table-wrap[aria-busy=\"false\"]') && document.body.textContent.includes('No customers match')").await?;
        b.goto(&format!("/customers?deleted=true&q={code}")).await?;
        b.rows_loaded().await?;
        let names = b.row_names().await?;
        ensure!(names == [format!("Erased customer {code}")], "the bin keeps an anonymous record: {names:?}");
        let stored = b
            .api("GET", &format!("/customers/{id}?include_deleted=true"), None)
            .await?;
        ensure!(stored["email"].is_null(), "the email is erased: {}", stored["email"]);

        // Someone else erases a customer while this dialog is open: the refusal says why.
        let other = b
            .create_customer(json!({"name": format!("Erasure Race {tag}")}))
            .await?;
        b.open_customer(&other, None).await?;
        let other_code = b.find("[data-testid=customer-code]").await?.text().await?;
        b.press("Erase personal data…").await?;
        b.dialog("Erase personal data").await?;
        b.fill_in(&format!("Type {other_code} to confirm"), &other_code)
            .await?;
        b.api(
            "POST",
            &format!("/customers/{other}/erase"),
            Some(json!({"confirmation": other_code})),
        )
        .await?;
        b.click("[data-testid=erase-submit]").await?;
        let banner = b.find("dialog[open] .banner-error").await?.text().await?;
        ensure!(
            banner.contains("erased"),
            "the refusal gives the server's reason: {banner:?}"
        );
        b.snapshot("erase-conflict").await?;
        Ok(())
    })
    .await;
}

/// A customer deleted from its page waits in the bin, opens from there read-only under a banner
/// that says so (no tabs, no edit), and comes back with Restore.
#[tokio::test]
async fn a_customer_in_the_bin_opens_from_the_bin_and_is_restored() {
    run("customer-bin", DESKTOP, async |b: &Browser| {
        let tag = unique();
        let name = format!("Binned Works {tag}");
        b.sign_in("staff@demo.example").await?;
        let id = b.create_customer(json!({"name": name})).await?;
        b.open_customer(&id, None).await?;
        b.press("Delete").await?;
        b.dialog("Delete this customer?").await?;
        b.press("Delete customer").await?;
        b.wait_until(
            "back in the directory",
            "location.pathname === '/customers'",
        )
        .await?;
        b.toast("Customer moved to the bin.").await?;
        b.rows_loaded().await?;

        b.click("[data-testid=bin-toggle]").await?;
        b.wait_until(
            "the bin in the URL",
            "location.search.includes('deleted=true')",
        )
        .await?;
        search_directory(b, &tag).await?;
        b.rows_loaded().await?;
        ensure!(
            b.row_names().await? == [name.clone()],
            "the bin holds the customer"
        );
        let when = b
            .find(&format!("tr[data-id='{id}'] [data-testid=deleted-at]"))
            .await?
            .text()
            .await?;
        ensure!(
            when.starts_with("Deleted "),
            "the row says when it was deleted: {when:?}"
        );
        b.click(&format!("tr[data-id='{id}'] a.row-link")).await?;
        b.wait_until(
            "its page",
            &format!("location.pathname === '/customers/{id}'"),
        )
        .await?;
        let heading = b.find("[data-testid=customer-name]").await?.text().await?;
        ensure!(
            heading == name,
            "the page is the binned customer: {heading:?}"
        );
        let banner = b.find("[data-testid=bin-banner]").await?.text().await?;
        ensure!(
            banner.contains("In the bin") && banner.contains("Deleted"),
            "the banner says so: {banner:?}"
        );
        let crumbs = b.find("nav[aria-label=Breadcrumb]").await?.text().await?;
        ensure!(
            crumbs.contains("Bin"),
            "the breadcrumb leads back to the bin: {crumbs:?}"
        );
        b.find(".binned-profile").await?;
        ensure!(
            b.find_all("[role=tablist]").await?.is_empty(),
            "no tabs while in the bin"
        );
        ensure!(
            b.find_all("a[href$='/edit']").await?.is_empty(),
            "no edit while in the bin"
        );
        ensure!(
            b.client
                .find_all(Locator::XPath(
                    "//button[normalize-space(.)='Delete' or normalize-space(.)='Log activity']"
                ))
                .await?
                .is_empty(),
            "none of a live customer's actions"
        );
        b.snapshot("customer-bin").await?;

        // Editing it by address is refused too, with the way back.
        b.goto(&format!("/customers/{id}/edit")).await?;
        b.wait_until(
            "the refusal",
            "document.body.textContent.includes('This customer is in the bin')",
        )
        .await?;
        ensure!(
            b.find_all("form.customer-form").await?.is_empty(),
            "no form for a customer in the bin"
        );
        b.click(&format!("a.btn[href='/customers/{id}']")).await?;

        b.press("Restore").await?;
        b.toast("Customer restored.").await?;
        b.wait_until("the tabs", "document.querySelector('[role=tablist]')")
            .await?;
        ensure!(
            b.find_all("[data-testid=bin-banner]").await?.is_empty(),
            "the banner is gone"
        );
        b.find("a.btn-primary[href$='/edit']").await?;
        b.find(".metric-grid").await?;
        let stored = b.api("GET", &format!("/customers/{id}"), None).await?;
        ensure!(
            stored["deleted_at"].is_null(),
            "restored: {}",
            stored["deleted_at"]
        );
        Ok(())
    })
    .await;
}

/// An owner opens a customer from the bin and erases its personal data there; the anonymous
/// record still opens from the bin, and Restore is refused with the server's reason.
#[tokio::test]
async fn an_owner_erases_a_customer_from_the_bin_which_then_cannot_come_back() {
    run("customer-bin-erase", DESKTOP, async |b: &Browser| {
        let tag = unique();
        b.sign_in("owner@demo.example").await?;
        let id = b
            .create_customer(json!({"name": format!("Bin Erasure {tag}"), "email": format!("bin-{tag}@erasure.example")}))
            .await?;
        b.api("DELETE", &format!("/customers/{id}"), None).await?;
        b.goto(&format!("/customers?deleted=true&q={tag}")).await?;
        b.rows_loaded().await?;
        b.click(&format!("tr[data-id='{id}'] a.row-link")).await?;
        b.find("[data-testid=bin-banner]").await?;
        let code = b.find("[data-testid=customer-code]").await?.text().await?;
        b.press("Erase personal data…").await?;
        b.dialog("Erase personal data").await?;
        b.fill_in(&format!("Type {code} to confirm"), &code).await?;
        b.click("[data-testid=erase-submit]").await?;
        b.wait_until("back in the directory", "location.pathname === '/customers'").await?;
        b.toast(&format!("Personal data of {code} erased")).await?;

        b.open_customer(&id, None).await?;
        let heading = b.find("[data-testid=customer-name]").await?.text().await?;
        ensure!(heading == format!("Erased customer {code}"), "only the anonymous record is left: {heading:?}");
        b.press("Restore").await?;
        let refusal = b.find("[data-testid=bin-refusal]").await?.text().await?;
        ensure!(refusal.contains("erased"), "the refusal gives the server's reason: {refusal:?}");
        b.wait_until("no Restore any more", "![...document.querySelectorAll('button')].some(x => x.textContent.trim() === 'Restore')").await?;
        ensure!(
            b.client.find_all(Locator::XPath("//button[contains(normalize-space(.), 'Erase personal data')]")).await?.is_empty(),
            "nor a second erasure"
        );
        b.snapshot("customer-bin-erased").await?;
        Ok(())
    })
    .await;
}

/// Types `text` into the directory's search and waits for the URL to follow.
async fn search_directory(b: &Browser, text: &str) -> anyhow::Result<()> {
    b.fill("#directory-search", text).await?;
    b.wait_until(
        "the search in the URL",
        &format!("location.search.includes({})", serde_json::to_string(text)?),
    )
    .await
}

#[tokio::test]
async fn a_viewer_reads_the_customer_page_without_any_action() {
    run("customer-viewer", DESKTOP, async |b: &Browser| {
        b.sign_in("viewer@demo.example").await?;
        b.click(".customer-table tbody tr[data-id] a.row-link").await?;
        b.find("[data-testid=customer-name]").await?;
        b.find(".metric-grid").await?;
        for tab in ["contacts", "activity", "goals", "hierarchy", "settings", "ledger"] {
            let id = b.js("return location.pathname.split('/')[2];").await?;
            let id = id.as_str().context("the customer id")?.to_owned();
            b.open_customer(&id, Some(tab)).await?;
            b.find("[role=tabpanel]").await?;
            let actions = b
                .js("return [...document.querySelectorAll('button')].map(x => x.textContent.trim()).filter(t => /^(Add|Log|Make|Send|Issue|Change tier|Update|Resend|Save|Remove|Delete|Edit)/.test(t));")
                .await?;
            ensure!(actions == json!([]), "no actions for a viewer on {tab}: {actions}");
            ensure!(b.find_all("#parent-search").await?.is_empty(), "no parent picker on {tab}");
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_customer_page_fits_a_phone() {
    run("customer-mobile", MOBILE, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let id = b
            .create_customer(json!({"name": format!("Phone Test {}", unique())}))
            .await?;
        b.api(
            "POST",
            &format!("/customers/{id}/contacts"),
            Some(json!({"first_name": "Mo", "last_name": "Bile", "email": "mo@example.com"})),
        )
        .await?;
        for tab in [None, Some("contacts"), Some("activity"), Some("settings")] {
            b.open_customer(&id, tab).await?;
            b.find("[role=tabpanel] > *").await?;
            b.fits_phone(&format!("the customer's {tab:?} tab")).await?;
        }
        b.open_customer(&id, Some("contacts")).await?;
        let display = b
            .js("return getComputedStyle(document.querySelector('.data-table tbody tr')).display;")
            .await?;
        ensure!(display == "grid", "contact rows are cards: {display}");
        b.snapshot("customer-mobile-contacts").await?;
        Ok(())
    })
    .await;
}

/// Demo customers carry a year of monthly payments; the overview draws them as a chart whose
/// points follow the API's `mrr_history` month by month.
#[tokio::test]
async fn the_overview_draws_mrr_history_as_a_chart() {
    run("customer-chart", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let page = b
            .api("GET", "/customers?status=active&sort=-tenure&limit=1", None)
            .await?;
        let id = page["items"][0]["id"]
            .as_str()
            .context("an active demo customer")?
            .to_owned();
        let overview = b.api("GET", &format!("/customers/{id}/overview"), None).await?;
        let months = overview["mrr_history"].as_array().cloned().unwrap_or_default();
        ensure!(months.len() >= 6, "a long-standing customer has months of payments: {months:?}");
        b.open_customer(&id, None).await?;
        let chart = b.find(".chart svg[role=img]").await?;
        let label = chart.attr("aria-label").await?.unwrap_or_default();
        ensure!(label.starts_with("MRR by month"), "the chart says what it shows: {label:?}");
        let points = b
            .js("return [...document.querySelectorAll('.chart circle')].map(c => parseFloat(c.getAttribute('cy')));")
            .await?;
        let points: Vec<f64> = serde_json::from_value(points)?;
        ensure!(points.len() == months.len(), "one point a month: {points:?} for {months:?}");
        let amounts: Vec<f64> = months
            .iter()
            .map(|m| m["amount"].as_str().unwrap_or("0").parse().unwrap_or(0.0))
            .collect();
        // A higher amount is drawn higher (a smaller y), month by month.
        for (a, p) in amounts.windows(2).zip(points.windows(2)) {
            ensure!(
                (a[1] > a[0]) == (p[1] < p[0]) || (a[1] - a[0]).abs() < f64::EPSILON,
                "the line follows the amounts: {amounts:?} drawn as {points:?}"
            );
        }
        let rows = b.find_all(".chart table tbody tr").await?.len();
        ensure!(rows == months.len(), "screen readers get the same months as a table: {rows}");
        b.snapshot("overview-chart").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_goal_gets_progress_with_a_note_in_its_history() {
    run("customer-goals", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let id = b
            .create_customer(json!({"name": format!("Goal Test {}", unique())}))
            .await?;
        b.open_customer(&id, Some("goals")).await?;
        b.press("Add goal").await?;
        b.dialog("Add goal").await?;
        b.fill_in("Goal", "Roll out to all teams").await?;
        b.choose("Metric", "Seats").await?;
        b.fill_in("Current value", "10").await?;
        b.fill_in("Target value", "40").await?;
        b.fill_in("Unit", "seats").await?;
        b.submit_dialog("Add goal").await?;
        b.dialog_closed().await?;
        let bar = b
            .find("[role=progressbar][aria-label='Roll out to all teams progress']")
            .await?;
        ensure!(
            bar.attr("aria-valuenow").await?.as_deref() == Some("25"),
            "10 of 40 is 25%"
        );

        b.press("Update progress").await?;
        b.dialog("Update Roll out to all teams").await?;
        b.fill_in("Current value", "30").await?;
        b.fill_in("Note", "Marketing and sales onboarded").await?;
        b.submit_dialog("Update Roll out to all teams").await?;
        b.dialog_closed().await?;
        b.wait_until(
            "75%",
            "document.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '75'",
        )
        .await?;
        b.find(".goal-history summary").await?.click().await?;
        let history = b.find(".goal-history").await?.text().await?;
        ensure!(
            history.contains("Marketing and sales onboarded"),
            "the note is in the history: {history:?}"
        );
        b.snapshot("goals").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn addresses_group_by_kind_with_one_primary_each() {
    run("customer-addresses", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let id = b.create_customer(json!({"name": format!("Address Test {}", unique())})).await?;
        b.open_customer(&id, Some("addresses")).await?;
        b.wait_until("the empty list", "document.body.textContent.includes('No addresses yet')").await?;
        for (label, line1, postcode) in [("Head office", "10 Downing Street", "sw1a2aa"), ("Warehouse", "1 Dock Road", "e162aa")] {
            b.press("Add address").await?;
            b.dialog("Add address").await?;
            b.choose("Kind", "Billing").await?;
            b.fill_in("Label", label).await?;
            b.fill_in("Street address", line1).await?;
            b.fill_in("City", "London").await?;
            b.fill_in("Postal code", postcode).await?;
            b.fill_in("Country", "gb").await?;
            b.submit_dialog("Add address").await?;
            b.dialog_closed().await?;
            b.toast("Address added.").await?;
        }
        let group = b.find("section[aria-label='Billing addresses']").await?;
        b.wait_until("two billing cards", "document.querySelectorAll(\"section[aria-label='Billing addresses'] .address-card\").length === 2").await?;
        let text = group.text().await?;
        ensure!(text.contains("SW1A 2AA"), "the postcode is normalised: {text:?}");
        let primary = b.find(".address-card[aria-label='Head office']").await?.text().await?;
        ensure!(primary.contains("Primary"), "the first billing address is primary: {primary:?}");

        let warehouse = b.find(".address-card[aria-label='Warehouse']").await?;
        warehouse.find(Locator::XPath(".//button[normalize-space(.)='Make primary']")).await?.click().await?;
        b.toast("Primary billing address changed.").await?;
        b.wait_until("the warehouse is primary", "document.querySelector(\".address-card[aria-label='Warehouse']\").textContent.includes('Primary') && !document.querySelector(\".address-card[aria-label='Head office']\").textContent.includes('Primary')").await?;
        b.snapshot("addresses").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn settings_save_payment_terms_and_custom_fields_by_their_types() {
    run("customer-settings", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let defs = b.api("GET", "/custom-fields", None).await?;
        let by_type = |t: &str| {
            defs["items"]
                .as_array()
                .and_then(|d| d.iter().find(|d| d["field_type"] == json!(t)))
                .cloned()
                .with_context(|| format!("the demo data defines a {t} custom field"))
        };
        let (number, select, boolean) = (by_type("number")?, by_type("select")?, by_type("bool")?);
        let id = b
            .create_customer(json!({"name": format!("Settings Test {}", unique())}))
            .await?;
        b.open_customer(&id, Some("settings")).await?;

        b.fill_in("Payment terms (days)", "45").await?;
        b.fill_in("Shipping method", "express").await?;
        b.press("Save billing and shipping").await?;
        b.toast("Billing and shipping saved.").await?;

        let label = |d: &serde_json::Value| d["label"].as_str().unwrap_or_default().to_owned();
        b.fill_in(&label(&number), "25").await?;
        let option = select["options"][0]
            .as_str()
            .context("a select option")?
            .to_owned();
        b.choose(&label(&select), &option).await?;
        b.field(&label(&boolean)).await?.click().await?;
        b.snapshot("settings").await?;
        b.press("Save custom fields").await?;
        b.toast("Custom fields saved.").await?;

        let stored = b.api("GET", &format!("/customers/{id}"), None).await?;
        ensure!(
            stored["payment_terms_days"] == json!(45),
            "payment terms: {}",
            stored["payment_terms_days"]
        );
        ensure!(
            stored["settings"]["shipping_method"] == json!("express"),
            "shipping: {}",
            stored["settings"]
        );
        let fields = &stored["custom_fields"];
        let key = |d: &serde_json::Value| d["key"].as_str().unwrap_or_default().to_owned();
        ensure!(
            fields[key(&number)] == json!(25),
            "a number is stored as a number: {fields}"
        );
        ensure!(
            fields[key(&select)] == json!(option),
            "the choice is stored: {fields}"
        );
        ensure!(
            fields[key(&boolean)] == json!(true),
            "the checkbox is stored as true: {fields}"
        );

        // Saving again unchanged sends nothing.
        b.press("Save custom fields").await?;
        b.toast("Nothing to save: no field changed.").await?;
        Ok(())
    })
    .await;
}
