//! Imports in the browser: a HubSpot companies export goes through the wizard (upload, map with
//! the template, validate, import) and its companies reach the directory; a mapping made by
//! hand is saved by name and maps the next file from the same system. Files are written by the
//! tests with names carrying a unique suffix, so the rows can be searched for and no other test
//! sees them.

use std::collections::BTreeMap;

use anyhow::{Context, ensure};

use crate::harness::{Browser, DESKTOP, run, unique};

const CITIES: [(&str, &str, &str); 5] = [
    ("Berlin", "Germany", "+49 30 901820"),
    ("Lyon", "France", "+33 4 72 10 30 30"),
    ("Leeds", "United Kingdom", "+44 113 243 8765"),
    ("Austin", "United States", "+1 512 555 0142"),
    ("Utrecht", "Netherlands", "+31 30 286 9111"),
];

const STAGES: [&str; 4] = ["customer", "lead", "opportunity", "customer"];

/// A HubSpot companies export of 20 rows, every name ending in `suffix`.
fn hubspot_companies(suffix: &str) -> String {
    let mut csv = String::from(
        "Record ID,Company name,Company Domain Name,Phone Number,City,Country/Region,Lifecycle Stage,Annual Revenue\n",
    );
    for i in 0..20 {
        let (city, country, phone) = CITIES[i % CITIES.len()];
        csv.push_str(&format!(
            "{record},Harbour {n:02} {suffix} GmbH,harbour{n:02}-{suffix}.example,{phone},{city},{country},{stage},{revenue}\n",
            record = 9_100_000 + i,
            n = i + 1,
            stage = STAGES[i % STAGES.len()],
            revenue = 250_000 + i * 10_000,
        ));
    }
    csv
}

/// The number on the outcome card `key` (`created`, `updated`, `skipped`, `failed`).
async fn outcome(b: &Browser, key: &str) -> anyhow::Result<u64> {
    let text = b
        .find(&format!("[data-testid=count-{key}] .metric-value"))
        .await?
        .text()
        .await?;
    text.replace(',', "")
        .parse()
        .with_context(|| format!("a count in {text:?}"))
}

#[tokio::test]
async fn staff_imports_a_hubspot_companies_export_and_finds_it_in_the_directory() {
    run("import-hubspot", DESKTOP, async |b: &Browser| {
        let suffix = unique();
        let file = std::env::temp_dir().join(format!("hubspot-companies-{suffix}.csv"));
        std::fs::write(&file, hubspot_companies(&suffix))?;

        b.sign_in("staff@demo.example").await?;
        b.click("nav a[href='/imports']").await?;
        b.find("[data-testid=dropzone]").await?;
        b.button("Choose a file").await?;
        // The picker's input takes the path, as the browser's file dialog would.
        b.find("#import-file")
            .await?
            .send_keys(&file.display().to_string())
            .await?;
        b.wait_until(
            "the new import's page",
            "/^\\/imports\\/[0-9a-f-]{36}$/.test(location.pathname)",
        )
        .await?;
        let _ = std::fs::remove_file(&file);

        // Map: the HubSpot template recognises the export's columns.
        b.find("form.map-form").await?;
        let facts = b.find(".map-form .step-head p").await?.text().await?;
        ensure!(facts.contains("20 rows"), "the file's rows are counted: {facts:?}");
        b.choose("Template", "HubSpot companies export").await?;
        b.wait_until(
            "the template's mapping",
            "document.querySelector(\"tr[data-column='Record ID'] select\").value === 'external_id' && \
             document.querySelector(\"tr[data-column='Company name'] select\").value === 'name'",
        )
        .await?;
        let chosen = b.field("Find existing customers by").await?.prop("value").await?;
        ensure!(
            chosen.as_deref() == Some("external_id"),
            "rows match on the record id: {chosen:?}"
        );
        b.snapshot("import-map").await?;
        b.press("Save mapping").await?;
        b.toast("Mapping saved.").await?;

        // Validate: a dry run forecasts 20 new companies.
        b.press("Run validation").await?;
        b.wait_until(
            "the forecast",
            "document.querySelector('[data-testid=count-created] .metric-value')",
        )
        .await?;
        ensure!(
            outcome(b, "created").await? == 20,
            "20 companies would be created"
        );
        ensure!(outcome(b, "failed").await? == 0, "no row is refused");
        b.snapshot("import-validated").await?;

        // Import: live progress to the end.
        b.press("Start import").await?;
        b.wait_until(
            "the import to complete",
            "document.querySelector('[data-testid=import-status]') && \
             document.querySelector('[data-testid=import-status]').textContent.includes('complete') && \
             document.querySelector('[data-testid=job-percent]').textContent === '100%'",
        )
        .await?;
        ensure!(outcome(b, "created").await? == 20, "20 companies created");
        let done = b.find("[data-testid=import-status]").await?.text().await?;
        ensure!(done == "The import is complete.", "the step says so: {done:?}");
        b.snapshot("import-completed").await?;
        // The history lists it with its result.
        b.wait_until(
            "the history row",
            "[...document.querySelectorAll('.history-table tbody tr')].some(r => r.textContent.includes('20 created'))",
        )
        .await?;

        // The directory finds an imported company.
        b.click("[data-testid=to-directory]").await?;
        b.rows_loaded().await?;
        let name = format!("Harbour 07 {suffix} GmbH");
        b.fill("#directory-search", &name).await?;
        b.wait_until(
            "the search in the URL",
            &format!("location.search.includes('{suffix}')"),
        )
        .await?;
        b.rows_loaded().await?;
        let names = b.row_names().await?;
        ensure!(
            names.contains(&name),
            "the imported company is in the directory: {names:?}"
        );
        Ok(())
    })
    .await;
}

/// A German shop's export that no template knows: `count` customers from number `first`, every
/// name and address carrying `suffix`.
fn shop_export(suffix: &str, first: usize, count: usize) -> String {
    let mut csv = String::from("Kundennummer,Firma,Kontakt E-Mail,Ort,Land\n");
    for i in first..first + count {
        csv.push_str(&format!(
            "K-{suffix}-{i:03},Werkstatt {i:02} {suffix},kontakt{i}-{suffix}@werkstatt.example,{city},DE\n",
            city = CITIES[i % CITIES.len()].0,
        ));
    }
    csv
}

/// The fields the shop's columns should feed.
const SHOP_MAPPING: [(&str, &str); 5] = [
    ("Kundennummer", "external_id"),
    ("Firma", "name"),
    ("Kontakt E-Mail", "email"),
    ("Ort", "billing_address.city"),
    ("Land", "billing_address.country"),
];

/// Uploads `csv` as a file called `name` and waits for the Map step.
async fn upload(b: &Browser, name: &str, csv: &str) -> anyhow::Result<()> {
    let file = std::env::temp_dir().join(name);
    std::fs::write(&file, csv)?;
    b.goto("/imports").await?;
    b.find("[data-testid=dropzone]").await?;
    b.find("#import-file")
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    b.wait_until(
        "the new import's page",
        "/^\\/imports\\/[0-9a-f-]{36}$/.test(location.pathname)",
    )
    .await?;
    let _ = std::fs::remove_file(&file);
    b.find("form.map-form .map-table").await?;
    Ok(())
}

/// The field each column feeds, as the Map step shows it (empty: ignored).
async fn targets(b: &Browser) -> anyhow::Result<BTreeMap<String, String>> {
    let value = b
        .js("return Object.fromEntries([...document.querySelectorAll('.map-table tr[data-column]')].map(r => [r.dataset.column, r.querySelector('select').value]));")
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// Points the column `header` at `target`, as someone would in its menu.
async fn map_column(b: &Browser, header: &str, target: &str) -> anyhow::Result<()> {
    b.find(&format!("tr[data-column='{header}'] select"))
        .await?
        .select_by_value(target)
        .await
        .with_context(|| format!("map {header} to {target}"))
}

/// The names of the saved mappings the Map step offers.
async fn offered(b: &Browser) -> anyhow::Result<Vec<String>> {
    let value = b
        .js("return [...document.querySelectorAll('#import-saved-mapping option')].filter(o => o.value).map(o => o.textContent);")
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// Waits until the Map step offers the saved mapping `name` (the list loads with the step).
async fn is_offered(b: &Browser, name: &str) -> anyhow::Result<()> {
    b.wait_until(
        "the saved mapping offered",
        &format!(
            "[...document.querySelectorAll('#import-saved-mapping option')].some(o => o.textContent === {})",
            serde_json::to_string(name)?
        ),
    )
    .await
}

#[tokio::test]
async fn a_saved_mapping_maps_the_next_file_from_the_same_system() {
    run("import-saved-mapping", DESKTOP, async |b: &Browser| {
        let suffix = unique();
        let name = format!("Werkstatt shop {suffix}");
        b.sign_in("staff@demo.example").await?;
        upload(
            b,
            &format!("shop-{suffix}-1.csv"),
            &shop_export(&suffix, 1, 3),
        )
        .await?;
        let guessed = targets(b).await?;
        ensure!(
            SHOP_MAPPING
                .iter()
                .all(|(h, t)| guessed.get(*h).map(String::as_str) != Some(*t)),
            "nothing recognises the shop's columns: {guessed:?}"
        );

        // Mapped by hand (the address left out at first) and kept under a name.
        for (header, target) in &SHOP_MAPPING[..3] {
            map_column(b, header, target).await?;
        }
        b.press("Save mapping as…").await?;
        b.dialog("Save mapping").await?;
        b.fill_in("Name", &name).await?;
        b.submit_dialog("Save mapping").await?;
        b.dialog_closed().await?;
        b.toast(&format!("Mapping “{name}” saved.")).await?;
        let chosen = b.field("Saved mapping").await?.prop("value").await?;
        ensure!(
            chosen.is_some_and(|id| id.len() == 36),
            "the new mapping is the one chosen"
        );

        // The address too, under the same name: it is taken, so the dialog offers to overwrite.
        for (header, target) in &SHOP_MAPPING[3..] {
            map_column(b, header, target).await?;
        }
        b.press("Save mapping as…").await?;
        b.dialog("Save mapping").await?;
        let preset = b.field("Name").await?.prop("value").await?;
        ensure!(
            preset.as_deref() == Some(name.as_str()),
            "the chosen mapping's name is offered: {preset:?}"
        );
        b.submit_dialog("Save mapping").await?;
        let taken = b
            .find("[data-testid=saved-mapping-taken]")
            .await?
            .text()
            .await?;
        ensure!(
            taken.contains(&name),
            "the dialog says the name is taken: {taken:?}"
        );
        b.snapshot("import-saved-mapping-overwrite").await?;
        b.press("Overwrite").await?;
        b.dialog_closed().await?;
        b.toast(&format!("Mapping “{name}” overwritten.")).await?;
        let stored = b.api("GET", "/import-mappings", None).await?;
        let ours: Vec<&serde_json::Value> = stored["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["name"] == serde_json::json!(name))
            .collect();
        ensure!(
            ours.len() == 1
                && ours[0]["mapping"]["columns"]["Ort"]
                    == serde_json::json!("billing_address.city"),
            "one mapping of that name, now with the address: {stored}"
        );

        // The shop's next file: the saved mapping restores every choice, and the file validates.
        upload(
            b,
            &format!("shop-{suffix}-2.csv"),
            &shop_export(&suffix, 4, 3),
        )
        .await?;
        is_offered(b, &name).await?;
        ensure!(
            targets(b).await? == guessed,
            "a new file starts from the guesses"
        );
        b.choose("Saved mapping", &name).await?;
        b.toast(&format!("Mapping “{name}” applied.")).await?;
        let restored = targets(b).await?;
        for (header, target) in SHOP_MAPPING {
            ensure!(
                restored.get(header).map(String::as_str) == Some(target),
                "{header} feeds {target} again: {restored:?}"
            );
        }
        let by = b
            .field("Find existing customers by")
            .await?
            .prop("value")
            .await?;
        ensure!(
            by.as_deref() == Some("external_id"),
            "rows match on the customer number: {by:?}"
        );
        b.snapshot("import-saved-mapping-applied").await?;
        b.press("Save mapping").await?;
        b.toast("Mapping saved.").await?;
        b.press("Run validation").await?;
        b.wait_until(
            "the forecast",
            "document.querySelector('[data-testid=count-created] .metric-value')",
        )
        .await?;
        ensure!(
            outcome(b, "created").await? == 3,
            "3 customers would be created"
        );
        ensure!(outcome(b, "failed").await? == 0, "no row is refused");

        // Back on the mapping, the saved mapping is deleted and offered no more.
        b.press("Map columns (done)").await?;
        is_offered(b, &name).await?;
        b.choose("Saved mapping", &name).await?;
        b.press("Delete saved mapping").await?;
        b.dialog("Delete saved mapping?").await?;
        b.press("Delete mapping").await?;
        b.toast(&format!("Saved mapping “{name}” deleted.")).await?;
        ensure!(
            !offered(b).await?.contains(&name),
            "the deleted mapping is not offered"
        );
        let stored = b.api("GET", "/import-mappings", None).await?;
        ensure!(
            !stored.to_string().contains(&name),
            "the server no longer has it: {stored}"
        );
        Ok(())
    })
    .await;
}
