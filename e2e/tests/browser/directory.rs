//! The directory's export dialog in the browser: columns chosen and reordered, then the same
//! question downloaded as CSV and as an Excel workbook. The download's blob is caught as the
//! SPA hands it to the browser (as the GDPR download test does), and the files are read back:
//! the CSV as text, the workbook by unzipping its sheet in the page.

use anyhow::{Context, ensure};
use serde_json::Value;

use crate::harness::{Browser, DESKTOP, run};
use crate::total;

/// Keeps the last blob the SPA turns into a download in `window.__blob`.
const CATCH_DOWNLOADS: &str = "window.__blob = null; const make = URL.createObjectURL; \
     URL.createObjectURL = blob => { window.__blob = blob; return make(blob); }; return true;";

/// The parts of the caught workbook a test reads, unzipped in the page (the central directory
/// says where each file is; `DecompressionStream` inflates it).
const READ_WORKBOOK: &str = "const done = arguments[0];
    (async () => {
      const bytes = new Uint8Array(await window.__blob.arrayBuffer());
      const dv = new DataView(bytes.buffer);
      let end = bytes.length - 22;
      while (end >= 0 && dv.getUint32(end, true) !== 0x06054b50) end--;
      if (end < 0) return done({magic: Array.from(bytes.slice(0, 2)), files: {}});
      const files = {};
      let p = dv.getUint32(end + 16, true);
      for (let i = 0; i < dv.getUint16(end + 10, true); i++) {
        const method = dv.getUint16(p + 10, true), size = dv.getUint32(p + 20, true);
        const nameLen = dv.getUint16(p + 28, true), extraLen = dv.getUint16(p + 30, true);
        const commentLen = dv.getUint16(p + 32, true), local = dv.getUint32(p + 42, true);
        const name = new TextDecoder().decode(bytes.slice(p + 46, p + 46 + nameLen));
        const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
        const data = bytes.slice(start, start + size);
        if (/^xl\\/(worksheets\\/sheet1|sharedStrings|styles)\\.xml$/.test(name)) {
          files[name] = method === 0 ? new TextDecoder().decode(data)
            : await new Response(new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text();
        }
        p += 46 + nameLen + extraLen + commentLen;
      }
      done({magic: Array.from(bytes.slice(0, 2)), type: window.__blob.type, files});
    })().catch(e => done({error: String(e)}));";

#[tokio::test]
async fn export_three_chosen_columns_as_csv_and_as_a_workbook() {
    run("directory-export", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        b.goto("/customers?q=umbrella").await?;
        b.rows_loaded().await?;
        let matching = total(b).await?;
        b.js(CATCH_DOWNLOADS).await?;

        b.press("Export…").await?;
        let dialog = b.dialog("Export customers").await?;
        let count = b.find("[data-testid=export-count]").await?.text().await?;
        ensure!(
            count.starts_with(&format!("{matching} customers match")),
            "the dialog says how many rows the file will hold: {count:?}"
        );
        let all = chosen_keys(b).await?;
        ensure!(
            all.len() > 3 && all.contains(&"name".to_owned()),
            "every column is chosen at first: {all:?}"
        );

        // Name, email and MRR only, with MRR moved before email.
        b.press("Select none").await?;
        let submit = b.find("[data-testid=export-submit]").await?;
        ensure!(
            submit.attr("disabled").await?.is_some(),
            "nothing to export without a column"
        );
        for key in ["name", "email", "mrr"] {
            b.click(&format!("#export-column-{key}")).await?;
        }
        // Up past the columns left out, until it sits before email; focus stays on the button.
        for _ in 0..5 {
            b.press("Move MRR up").await?;
        }
        b.wait_until(
            "focus on the button pressed",
            "document.querySelector('#export-column-mrr-up') === document.activeElement",
        )
        .await?;
        let chosen = chosen_keys(b).await?;
        ensure!(
            chosen == ["name", "mrr", "email"],
            "three columns in the order chosen: {chosen:?}"
        );
        let counter = b.find("[data-testid=export-chosen]").await?.text().await?;
        ensure!(
            counter.starts_with("3 of "),
            "the dialog counts them: {counter:?}"
        );
        b.snapshot("export-dialog").await?;
        dialog
            .find(fantoccini::Locator::Css("[data-testid=export-submit]"))
            .await?
            .click()
            .await?;
        b.wait_until("the CSV", "window.__blob !== null").await?;
        b.dialog_closed().await?;
        b.toast("Exported customers.csv.").await?;
        let csv = b
            .client
            .execute_async(
                "const done = arguments[0]; window.__blob.text().then(done);",
                Vec::new(),
            )
            .await?;
        let csv = csv.as_str().context("CSV text")?;
        let mut lines = csv.lines().filter(|l| !l.is_empty());
        let header = lines.next().context("a header line")?;
        ensure!(
            header == "name,mrr,email",
            "the header is the chosen keys in order: {header:?}"
        );
        let rows: Vec<&str> = lines.collect();
        ensure!(
            rows.len() as u64 == matching,
            "one line per matching customer: {} vs {matching}",
            rows.len()
        );
        ensure!(
            rows.iter().all(|r| r.to_lowercase().contains("umbrella")),
            "the rows are the search's: {rows:?}"
        );

        // The same question as a workbook: the choice is still there.
        b.js("window.__blob = null; return true;").await?;
        b.press("Export…").await?;
        b.dialog("Export customers").await?;
        ensure!(
            chosen_keys(b).await? == ["name", "mrr", "email"],
            "the columns chosen are kept while the directory is open"
        );
        b.click("#export-format-xlsx").await?;
        b.press("Export Excel").await?;
        b.wait_until("the workbook", "window.__blob !== null")
            .await?;
        b.toast("Exported customers.xlsx.").await?;
        let book = b.client.execute_async(READ_WORKBOOK, Vec::new()).await?;
        ensure!(
            book["magic"] == serde_json::json!([0x50, 0x4b]),
            "an XLSX is a ZIP and starts with PK: {book}"
        );
        let sheet = book["files"]["xl/worksheets/sheet1.xml"]
            .as_str()
            .with_context(|| format!("the workbook's first sheet: {}", book["error"]))?;
        let cells = header_cells(sheet, &book["files"])?;
        let names: Vec<&str> = cells.iter().map(|(text, _)| text.as_str()).collect();
        ensure!(
            names == ["name", "mrr", "email"],
            "row 1 holds the chosen keys in order: {cells:?}"
        );
        let styles = book["files"]["xl/styles.xml"].as_str().unwrap_or_default();
        ensure!(
            cells.iter().all(|(_, style)| bold(styles, *style)),
            "the header is bold: {cells:?}"
        );
        let rows = sheet.matches("<row ").count() as u64;
        ensure!(
            rows == matching + 1,
            "a header row and one row per customer: {rows} vs {matching}"
        );
        Ok(())
    })
    .await;
}

/// The keys of the checked columns, in the dialog's order.
async fn chosen_keys(b: &Browser) -> anyhow::Result<Vec<String>> {
    let keys = b
        .js("return [...document.querySelectorAll('dialog[open] .export-column')].filter(li => li.querySelector('input').checked).map(li => li.dataset.key);")
        .await?;
    Ok(serde_json::from_value(keys)?)
}

/// The text and style index of each cell of row 1, strings looked up in the shared table when
/// the sheet points there (`t="s"`) and read in place when inline.
fn header_cells(sheet: &str, files: &Value) -> anyhow::Result<Vec<(String, usize)>> {
    let start = sheet.find("<row r=\"1\"").context("a row 1")?;
    let row = &sheet[start..];
    let row = &row[..row.find("</row>").context("row 1 ends")?];
    let shared: Vec<String> = files["xl/sharedStrings.xml"]
        .as_str()
        .unwrap_or_default()
        .split("<si>")
        .skip(1)
        .map(text_of)
        .collect();
    row.split("<c ")
        .skip(1)
        .map(|cell| {
            let style = attribute(cell, "s")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let text = if attribute(cell, "t").as_deref() == Some("s") {
                let v: usize = between(cell, "<v>", "</v>")
                    .context("a shared string index")?
                    .parse()?;
                shared.get(v).cloned().context("the shared string")?
            } else {
                text_of(cell)
            };
            Ok((text, style))
        })
        .collect()
}

/// Whether cell style `index` of `styles.xml` uses a bold font.
fn bold(styles: &str, index: usize) -> bool {
    let font = between(styles, "<cellXfs", "</cellXfs>")
        .and_then(|xfs| {
            elements(&xfs, "xf")
                .get(index)
                .and_then(|xf| attribute(xf, "fontId"))
        })
        .and_then(|id| id.parse::<usize>().ok());
    let fonts = between(styles, "<fonts", "</fonts>").unwrap_or_default();
    font.and_then(|font| {
        elements(&fonts, "font")
            .get(font)
            .map(|f| f.contains("<b/>"))
    })
    .unwrap_or(false)
}

/// The elements named `tag` in `xml`, each up to where it closes.
fn elements(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    xml.match_indices(&open)
        .map(|(i, _)| &xml[i..])
        .filter(|e| matches!(e[open.len()..].chars().next(), Some('>' | ' ' | '/')))
        .map(|e| {
            let end = e.find(&close).or_else(|| e.find("/>")).unwrap_or(e.len());
            e[..end].to_owned()
        })
        .collect()
}

/// The text of the `<t>` elements in `xml`.
fn text_of(xml: &str) -> String {
    xml.split("<t")
        .skip(1)
        .filter_map(|t| {
            let t = &t[t.find('>')? + 1..];
            Some(t[..t.find("</t>")?].to_owned())
        })
        .collect()
}

/// An attribute of the element (or element body) `xml` starts with.
fn attribute(xml: &str, name: &str) -> Option<String> {
    let head = format!(" {}", &xml[..xml.find('>').unwrap_or(xml.len())]);
    between(&head, &format!(" {name}=\""), "\"")
}

fn between(text: &str, open: &str, close: &str) -> Option<String> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].to_owned())
}
