//! Imports in the browser: a HubSpot companies export goes through the wizard (upload, map with
//! the template, validate, import) and its companies reach the directory. The file is written
//! by the test with names carrying a unique suffix, so the rows can be searched for and no
//! other test sees them.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, ensure};

use crate::harness::{Browser, DESKTOP, run};

/// A suffix no other run or test has used.
fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}", nanos % 0xffff_ffff)
}

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
