//! Settings in the browser: an owner manages the tier catalogue and the custom field
//! definitions, and the customer page uses what they define. Names carry a unique suffix, so
//! tests sharing the demo server never see each other's rows.

use anyhow::{Context, ensure};
use serde_json::json;

use crate::harness::{Browser, DESKTOP, MOBILE, run, unique};

/// The text of the cell labelled `label` in the tiers table's row whose name is `name`.
async fn tier_cell(b: &Browser, name: &str, label: &str) -> anyhow::Result<String> {
    let value = b
        .js(&format!(
            "const row = [...document.querySelectorAll(\"table[aria-label='Tiers'] tbody tr\")]
               .find(r => r.querySelector('.row-title').textContent === {});
             return row ? row.querySelector(\"td[data-label='{label}']\").textContent : null;",
            serde_json::to_string(name)?
        ))
        .await?;
    value
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no row for tier {name:?}"))
}

#[tokio::test]
async fn an_owner_adds_a_tier_and_a_custom_field_and_the_customer_page_uses_them() {
    run("settings-catalogues", DESKTOP, async |b: &Browser| {
        b.sign_in("owner@demo.example").await?;
        b.click("a[href='/settings']").await?;
        b.find("table[aria-label='Tiers'] tbody tr").await?;

        // A new tier, at a level no demo tier uses.
        let tag = unique();
        let name = format!("Platinum {tag}");
        let level = u64::from_str_radix(&tag, 16).unwrap_or(7) % 500 + 500;
        b.press("Add tier").await?;
        b.dialog("Add tier").await?;
        b.fill_in("Name", &name).await?;
        b.fill_in("Level", &level.to_string()).await?;
        b.fill_in("Discount (%)", "10").await?;
        b.fill_in("Min annual spend", "250000").await?;
        b.fill_in("Benefits", "Named CSM, Quarterly review").await?;
        // A colour input takes no typing; set it as the picker would.
        b.js("const c = document.querySelector('dialog[open] input[type=color]');
              c.value = '#7c3aed'; c.dispatchEvent(new Event('input', {bubbles: true})); return true;")
            .await?;
        b.snapshot("settings-tier-dialog").await?;
        b.submit_dialog("Add tier").await?;
        b.dialog_closed().await?;
        b.toast(&format!("Tier {name} added.")).await?;
        b.wait_until("the new tier in the table", &format!(
            "[...document.querySelectorAll(\"table[aria-label='Tiers'] .row-title\")].some(t => t.textContent === {})",
            serde_json::to_string(&name)?)).await?;
        ensure!(tier_cell(b, &name, "Level").await? == level.to_string(), "its level");
        ensure!(tier_cell(b, &name, "Discount").await? == "10%", "its discount");
        ensure!(tier_cell(b, &name, "Customers").await? == "0", "no customers yet");
        let stored = b.api("GET", "/tiers", None).await?;
        let tier = stored["items"]
            .as_array()
            .and_then(|items| items.iter().find(|t| t["name"] == json!(name)))
            .context("the tier through the API")?;
        ensure!(tier["colour"] == json!("#7c3aed"), "the picked colour: {}", tier["colour"]);
        ensure!(tier["benefits"] == json!(["Named CSM", "Quarterly review"]), "benefits split: {}", tier["benefits"]);

        // Its discount changes; only that is sent.
        b.press(&format!("Edit {name}")).await?;
        b.dialog(&format!("Edit tier {name}")).await?;
        b.fill_in("Discount (%)", "12.5").await?;
        b.submit_dialog(&format!("Edit tier {name}")).await?;
        b.dialog_closed().await?;
        b.toast(&format!("Tier {name} saved.")).await?;
        b.wait_until("the new discount", &format!(
            "[...document.querySelectorAll(\"table[aria-label='Tiers'] tbody tr\")].some(r => r.querySelector('.row-title').textContent === {} && r.querySelector(\"td[data-label='Discount']\").textContent === '12.5%')",
            serde_json::to_string(&name)?)).await?;

        // Gold is in use: the confirmation says so, and the server's refusal is shown.
        b.press("Delete Gold").await?;
        let confirm = b.dialog("Delete tier Gold?").await?;
        let message = confirm.text().await?;
        ensure!(message.contains("carry Gold"), "the confirmation says customers carry it: {message:?}");
        b.press("Delete tier").await?;
        let refusal = b.find("[data-testid=tier-refusal]").await?.text().await?;
        b.snapshot("settings-tier-refusal").await?;
        ensure!(refusal.contains("Customers still carry this tier"), "the server's message: {refusal:?}");
        ensure!(tier_cell(b, "Gold", "Name").await.is_ok(), "Gold is still listed");

        // A select custom field, then offered on a customer's Settings tab.
        let key = format!("e2e_segment_{tag}");
        let label = format!("Segment {tag}");
        b.press("Add custom field").await?;
        b.dialog("Add custom field").await?;
        b.fill_in("Label", &label).await?;
        b.fill_in("Key", &key).await?;
        b.choose("Type", "Select").await?;
        b.fill_in("Options", "Enterprise\nMid-market, SMB").await?;
        b.submit_dialog("Add custom field").await?;
        b.dialog_closed().await?;
        b.toast(&format!("Custom field {label} added.")).await?;
        let row = b.find_xpath(
            &format!("//table[@aria-label='Custom fields']//tr[.//code[normalize-space(.)='{key}']]"),
            "the new field's row",
        ).await?.text().await?;
        ensure!(row.contains("Enterprise, Mid-market, SMB") && row.contains("Select"), "the row: {row:?}");
        b.snapshot("settings-desktop").await?;

        let id = b.create_customer(json!({"name": format!("Settings Test {tag}"), "currency": "USD", "status": "active"})).await?;
        b.open_customer(&id, Some("settings")).await?;
        let offered = b.field(&label).await?;
        let options = b.js(&format!(
            "return [...document.querySelectorAll(\"select[name='cf-{key}'] option\")].map(o => o.textContent);"
        )).await?;
        ensure!(offered.tag_name().await? == "select", "a menu for a select field");
        ensure!(options == json!(["—", "Enterprise", "Mid-market", "SMB"]), "its options: {options}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn staff_gets_no_catalogue_controls_on_settings() {
    run("settings-staff", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        b.goto("/settings").await?;
        b.wait_until(
            "the refusal",
            "document.body.textContent.includes('Settings are for owners')",
        )
        .await?;
        for css in [
            "[data-testid=tiers]",
            "[data-testid=custom-fields]",
            "dialog",
            "button.btn-primary",
        ] {
            ensure!(b.find_all(css).await?.is_empty(), "staff sees no {css}");
        }
        // The API agrees: the catalogue is the owners' to change.
        let refused = b
            .api(
                "POST",
                "/tiers",
                Some(json!({"name": format!("Staff {}", unique()), "level": 999})),
            )
            .await;
        ensure!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("403")),
            "staff cannot add a tier: {refused:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_settings_catalogues_fit_a_phone() {
    run("settings-mobile", MOBILE, async |b: &Browser| {
        b.sign_in("owner@demo.example").await?;
        b.goto("/settings").await?;
        b.find("table[aria-label='Tiers'] tbody tr").await?;
        let layout = b
            .js("const row = document.querySelector(\"table[aria-label='Tiers'] tbody tr\");
                 return { row: getComputedStyle(row).display,
                          right: Math.max(...[...document.querySelectorAll('.card')].map(c => c.getBoundingClientRect().right)),
                          page: document.documentElement.scrollWidth };")
            .await?;
        b.js("document.querySelector('[data-testid=tiers]').scrollIntoView(); return true;").await?;
        b.snapshot("settings-mobile").await?;
        ensure!(layout["row"] == "grid", "tier rows are cards: {layout}");
        ensure!(layout["right"].as_f64().is_some_and(|r| r <= 390.0), "the cards fit the screen: {layout}");
        ensure!(layout["page"].as_f64().is_some_and(|w| w <= 390.0), "nothing scrolls sideways: {layout}");
        b.press("Add tier").await?;
        let dialog = b.dialog("Add tier").await?;
        let width = dialog.rectangle().await?.2;
        b.snapshot("settings-mobile-dialog").await?;
        ensure!(width <= 390.0, "the dialog fits: {width}");
        Ok(())
    })
    .await;
}
