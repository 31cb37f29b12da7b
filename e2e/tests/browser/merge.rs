//! Merging in the browser: a possible duplicate from the review queue opens in the merge
//! wizard, where the person keeps another record's value for one field and merges; the
//! survivor's page shows that value, the merged record leaves the directory and its page says
//! into which customer it went; then the merge history undoes it and both customers are as they
//! were (after an undo refused while the value the merge set had been changed). A viewer sees
//! the history but no way to merge or undo; an owner sets the merge rules in Settings. A cluster
//! of three or more seeded near-duplicates opens whole in the wizard from the clusters view.
//!
//! The demo's seeded near-duplicates are used when the queue has them. Only without them does
//! this test make a pair of its own and scan for it (the scan test is the only other one that
//! scans; a scan already running is waited for, never raced).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

use crate::harness::{Browser, DESKTOP, run, unique};

/// Words other tests search the demo data for: their customers are left alone here.
const OTHER_TESTS: &[&str] = &["acme", "initech", "umbrella", "quillon", "quilon"];

/// The fields this test may choose another value for, with the fact the wizard's result pane
/// shows it as.
const CHOOSABLE: &[(&str, &str)] = &[
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("website", "Website"),
    ("plan", "Plan"),
    ("country", "Country"),
];

/// An open pair: its id and the ids of its two customers.
struct Pair {
    id: String,
    left: String,
    right: String,
}

impl Pair {
    fn of(value: &Value) -> Option<Pair> {
        Some(Pair {
            id: value["id"].as_str()?.to_owned(),
            left: value["left"]["customer_id"].as_str()?.to_owned(),
            right: value["right"]["customer_id"].as_str()?.to_owned(),
        })
    }

    /// Whether neither customer is one another test works on.
    fn untouched(value: &Value) -> bool {
        ["left", "right"].iter().all(|side| {
            let name = value[side]["name"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase();
            !OTHER_TESTS.iter().any(|word| name.contains(word))
        })
    }
}

/// A seeded pair from the queue (the demo fills it as it starts: waited for a little), else a
/// pair this test makes and scans for.
async fn queued_pair(b: &Browser) -> Result<Pair> {
    let started = Instant::now();
    loop {
        let page = b
            .api("GET", "/duplicates?status=open&limit=100", None)
            .await?;
        let found = page["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| Pair::untouched(p))
            .find_map(Pair::of);
        if let Some(pair) = found {
            return Ok(pair);
        }
        if started.elapsed() > Duration::from_secs(30) {
            println!("the queue has no seeded pair this test may use: making one");
            return made_pair(b).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Two near-identical customers, and a scan that finds them (started once no other scan runs).
async fn made_pair(b: &Browser) -> Result<Pair> {
    let tag = unique();
    let domain = format!("merlow-{tag}.example");
    let first = b
        .create_customer(json!({
            "name": format!("Merlow Textiles {tag} GmbH"), "email": format!("info@{domain}"),
            "website": format!("https://{domain}"), "phone": "+49 30 901820", "country": "DE"
        }))
        .await?;
    b.create_customer(json!({
        "name": format!("Merlow Textile {tag}"), "email": format!("info@{domain}"),
        "website": format!("www.{domain}"), "plan": "Growth", "country": "DE"
    }))
    .await?;
    let started = Instant::now();
    let scan = loop {
        let script = "const done = arguments[0];
             const t = JSON.parse(localStorage.getItem('tenure.tokens')).access_token;
             fetch('/api/v1/duplicate-scans', {method: 'POST', headers: {Authorization: 'Bearer ' + t,
               'Content-Type': 'application/json'}, body: JSON.stringify({full: false})})
               .then(async r => done({status: r.status, json: await r.json().catch(() => null)}));";
        let answer = b.client.execute_async(script, Vec::new()).await?;
        match answer["status"].as_u64() {
            Some(200..=202) => {
                break answer["json"]["id"]
                    .as_str()
                    .context("the scan's id")?
                    .to_owned();
            }
            Some(409) if started.elapsed() < Duration::from_secs(180) => {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            _ => bail!("the scan did not start: {answer}"),
        }
    };
    loop {
        let view = b
            .api("GET", &format!("/duplicate-scans/{scan}"), None)
            .await?;
        match view["status"].as_str() {
            Some("completed") => break,
            Some("failed") => bail!("the scan failed: {view}"),
            _ if started.elapsed() > Duration::from_secs(300) => {
                bail!("the scan never finished: {view}")
            }
            _ => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
    let page = b
        .api(
            "GET",
            &format!("/duplicates?status=open&customer={first}&limit=1"),
            None,
        )
        .await?;
    Pair::of(&page["items"][0]).with_context(|| format!("the scan found the pair: {page}"))
}

/// Changes `field` of a live customer to `value` through the API, as someone else would.
async fn set_field(b: &Browser, id: &str, field: &str, value: &Value) -> Result<()> {
    let body = serde_json::to_string(&json!({ field: value }))?;
    let script = format!(
        "const done = arguments[0];
         (async () => {{
           const t = JSON.parse(localStorage.getItem('tenure.tokens')).access_token;
           const c = await (await fetch('/api/v1/customers/{id}', {{headers: {{Authorization: 'Bearer ' + t}}}})).json();
           const r = await fetch('/api/v1/customers/{id}', {{method: 'PATCH', headers: {{Authorization: 'Bearer ' + t,
             'Content-Type': 'application/merge-patch+json', 'If-Match': '\"' + c.version + '\"'}}, body: JSON.stringify({body})}});
           done(r.status);
         }})().catch(e => done(String(e)));"
    );
    let status = b.client.execute_async(&script, Vec::new()).await?;
    ensure!(
        status == json!(200),
        "PATCH {field} of {id} answered {status}"
    );
    Ok(())
}

/// Another valid value for one of the [`CHOOSABLE`] fields.
fn edited(field: &str) -> Value {
    match field {
        "email" => json!(format!("edited-{}@example.com", unique())),
        "phone" => json!("+14155550199"),
        "website" => json!(format!("https://edited-{}.example", unique())),
        "country" => json!("NZ"),
        _ => json!(format!("Edited {}", unique())),
    }
}

/// A customer as the API has it now (also from the bin).
async fn customer(b: &Browser, id: &str) -> Result<Value> {
    b.api(
        "GET",
        &format!("/customers/{id}?include_deleted=true"),
        None,
    )
    .await
}

/// The directory searched for `term`, once it has answered: whether `id` is among its rows.
async fn directory_lists(b: &Browser, term: &str, id: &str) -> Result<bool> {
    b.goto(&format!("/customers?q={term}")).await?;
    b.wait_until(
        "the directory's answer",
        "document.querySelector('.table-wrap[aria-busy=false]') && \
         (document.querySelector('.customer-table tbody tr[data-id]') || \
          document.querySelector('.customer-table .empty-state'))",
    )
    .await?;
    Ok(!b
        .find_all(&format!(".customer-table tbody tr[data-id='{id}']"))
        .await?
        .is_empty())
}

#[tokio::test]
async fn a_pair_from_the_queue_is_merged_with_a_chosen_value_and_the_merge_is_undone() {
    run("merge", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let pair = queued_pair(b).await?;
        // Both can be found in the directory, so an absence later means something.
        for id in [&pair.left, &pair.right] {
            let code = customer(b, id).await?["customer_code"].as_str().context("a code")?.to_owned();
            ensure!(directory_lists(b, &code, id).await?, "{code} is listed before the merge");
        }

        // From the queue, as someone reviewing it would.
        b.goto(&format!("/duplicates?status=open&customer={}", pair.left)).await?;
        let card = format!("article.pair-card[data-id='{}']", pair.id);
        b.find(&card).await?;
        b.click(&format!("{card} [data-testid=merge-pair]")).await?;
        b.wait_until("the wizard", "location.pathname === '/merges/new'").await?;
        b.wait_until(
            "the records and their preview",
            "document.querySelector('[data-testid=merge-result][aria-busy=false] [data-fact=Name]') && \
             document.querySelector('input[name=merge-survivor]:checked')",
        )
        .await?;
        let path = b.path().await?;
        ensure!(
            path.contains(&pair.left) && path.contains(&pair.right),
            "the wizard names both customers: {path}"
        );

        // The oldest record is suggested as the survivor.
        let survivor = b
            .js("return document.querySelector('input[name=merge-survivor]:checked').value;")
            .await?
            .as_str()
            .context("a survivor is chosen")?
            .to_owned();
        let merged = if survivor == pair.left { pair.right.clone() } else { pair.left.clone() };
        let before = customer(b, &survivor).await?;
        let other = customer(b, &merged).await?;
        ensure!(
            before["created_at"].as_str() <= other["created_at"].as_str(),
            "the older record survives by default: {} vs {}",
            before["created_at"],
            other["created_at"]
        );

        // A field the records disagree on, kept from the survivor by the rules: take the
        // merged record's value instead.
        let rows = b
            .js("return [...document.querySelectorAll('[data-testid=merge-fields] tbody tr[data-field]')].map(r => [r.dataset.field, (r.querySelector('input:checked') || {}).value || null]);")
            .await?;
        let rows: Vec<(String, Option<String>)> = serde_json::from_value(rows)?;
        let (field, fact) = CHOOSABLE
            .iter()
            .copied()
            .find(|(field, _)| {
                rows.iter().any(|(f, chosen)| f == field && chosen.as_deref() == Some(survivor.as_str()))
                    && other[*field].as_str().is_some_and(|v| !v.trim().is_empty())
            })
            .with_context(|| format!("a field to choose among {rows:?}"))?;
        let expected = other[field].as_str().context("the merged record's value")?.to_owned();
        let hint = format!("tr[data-field='{field}'] [data-testid=merge-rule]");
        let rule = b.find(&hint).await?.text().await?;
        ensure!(rule.starts_with("Rule:"), "the rules chose it, and say so: {rule:?}");
        b.click(&format!("tr[data-field='{field}'] td[data-id='{merged}'] input[type=radio]")).await?;
        let rule = b.find(&hint).await?.text().await?;
        ensure!(rule == "Your choice", "the hint follows the choice: {rule:?}");
        let literal = serde_json::to_string(&expected)?;
        b.wait_until(
            "the preview of the choice",
            &format!(
                "document.querySelector(\"[data-testid=merge-result][aria-busy=false] [data-fact='{fact}'] dd\") && \
                 document.querySelector(\"[data-testid=merge-result] [data-fact='{fact}'] dd\").textContent.includes({literal})"
            ),
        )
        .await?;
        let changed = b.find(&format!("[data-testid=merge-result] [data-fact='{fact}']")).await?;
        ensure!(
            changed.attr("class").await?.unwrap_or_default().contains("is-changed"),
            "the result marks the survivor's {field} as changed"
        );
        let agree = b.find_all("[data-testid=merge-agree] summary").await?;
        if let Some(summary) = agree.first() {
            let text = summary.text().await?;
            ensure!(text.ends_with("agree"), "identical fields are folded away: {text:?}");
        }
        b.snapshot("merge-wizard").await?;

        let merged_code = other["customer_code"].as_str().context("its code")?.to_owned();
        let survivor_code = before["customer_code"].as_str().context("its code")?.to_owned();
        let wizard = b.path().await?;

        b.press("Merge 2 records").await?;
        b.dialog("Merge 2 records?").await?;
        b.press("Merge records").await?;
        b.toast(&format!("Merged {merged_code} into {survivor_code}.")).await?;
        b.wait_until("the survivor's page", &format!("location.pathname === '/customers/{survivor}'")).await?;
        b.find("[data-testid=customer-name]").await?;
        if field == "name" {
            let name = b.find("[data-testid=customer-name]").await?.text().await?;
            ensure!(name == expected, "the survivor carries the chosen name: {name:?}");
        } else {
            b.wait_until(
                "the chosen value on the survivor's page",
                &format!(
                    "document.querySelector('main') && \
                     document.querySelector('main').textContent.includes({literal})"
                ),
            )
            .await?;
        }
        let after = customer(b, &survivor).await?;
        ensure!(after[field] == other[field], "the survivor's {field} is the chosen one: {}", after[field]);
        // The survivor's page names what was merged into it, linking to the history.
        let merged_line = b.find("[data-testid=merged-records] li a").await?;
        ensure!(
            merged_line.attr("href").await?.as_deref() == Some("/duplicates/merges"),
            "the merged records link to the merge history"
        );
        b.wait_until(
            "the merged code on the survivor's page",
            &format!("document.querySelector('[data-testid=merged-records]').textContent.includes('{merged_code} merged in')"),
        )
        .await?;
        b.snapshot("merge-survivor").await?;

        ensure!(!directory_lists(b, &merged_code, &merged).await?, "{merged_code} left the directory");
        b.open_customer(&merged, None).await?;
        let link = b.find("[data-testid=merged-into]").await?;
        ensure!(
            link.attr("href").await?.as_deref() == Some(&format!("/customers/{survivor}")),
            "the merged record links to its survivor"
        );
        b.wait_until(
            "the survivor's name in the link",
            &format!("document.querySelector('[data-testid=merged-into]').textContent.includes('{survivor_code}')"),
        )
        .await?;
        b.snapshot("merge-merged-record").await?;

        // The history has it, and undoes it.
        b.goto("/duplicates/merges").await?;
        let row = format!(
            "[data-testid=merge-history] tr[data-survivor='{survivor}']:has(a[href='/customers/{merged}'])"
        );
        b.find(&row).await?;
        let status = b.find(&format!("{row} [data-testid=merge-status]")).await?.text().await?;
        ensure!(status == "Applied", "the merge stands: {status:?}");
        let moved = b.find(&format!("{row} td[data-label=Fields]")).await?.text().await?;
        ensure!(moved.contains("from the merged"), "the history counts the value taken over: {moved:?}");
        b.snapshot("merge-history").await?;

        // Someone changes the value the merge set: undoing would lose that, and says so.
        set_field(b, &survivor, field, &edited(field)).await?;
        b.click(&format!("{row} [data-testid=undo-merge]")).await?;
        b.dialog(&format!("Undo the merge into {survivor_code}?")).await?;
        b.press("Undo merge").await?;
        let refusal = b.find("[data-testid=undo-refused]").await?.text().await?;
        ensure!(
            refusal.contains(&survivor_code) && refusal.to_lowercase().contains(field) && refusal.contains("changed since the merge"),
            "the refusal names the field that changed: {refusal:?}"
        );
        b.snapshot("merge-undo-refused").await?;
        let status = b.find(&format!("{row} [data-testid=merge-status]")).await?.text().await?;
        ensure!(status == "Applied", "the merge still stands: {status:?}");

        // Set back, the undo goes ahead.
        set_field(b, &survivor, field, &other[field]).await?;
        b.click(&format!("{row} [data-testid=undo-merge]")).await?;
        b.dialog(&format!("Undo the merge into {survivor_code}?")).await?;
        b.press("Undo merge").await?;
        b.toast(&format!("Merge undone: {merged_code} is back.")).await?;
        b.wait_until(
            "the undone status",
            &format!("document.querySelector(\"{row} [data-testid=merge-status]\").textContent === 'Undone'"),
        )
        .await?;
        ensure!(
            b.find_all(&format!("{row} [data-testid=undo-merge]")).await?.is_empty(),
            "an undone merge cannot be undone again"
        );
        ensure!(
            b.find_all("[data-testid=undo-refused]").await?.is_empty(),
            "the earlier refusal is gone"
        );

        let back = b.api("GET", &format!("/customers/{merged}"), None).await?;
        ensure!(back["deleted_at"].is_null() && back["merged_into"].is_null(), "{merged_code} is live again: {back}");
        let restored = b.api("GET", &format!("/customers/{survivor}"), None).await?;
        ensure!(restored["deleted_at"].is_null(), "the survivor is live");
        ensure!(
            restored[field] == before[field],
            "the survivor's {field} is back to {}: {}",
            before[field],
            restored[field]
        );
        ensure!(directory_lists(b, &merged_code, &merged).await?, "{merged_code} is listed again");

        // On a phone the wizard fits the screen.
        b.as_phone().await?;
        b.goto(&wizard).await?;
        b.wait_until(
            "the wizard on a phone",
            "document.querySelector('[data-testid=merge-result][aria-busy=false] [data-fact=Name]') && \
             document.querySelector('[data-testid=merge-fields]')",
        )
        .await?;
        b.fits_phone("the merge wizard").await?;
        let display = b
            .js("return getComputedStyle(document.querySelector('[data-testid=merge-fields] tbody tr')).display;")
            .await?;
        ensure!(display == "grid", "field rows are cards: {display}");
        b.snapshot("merge-wizard-mobile").await?;
        b.js("document.querySelector('[data-testid=merge-fields]').scrollIntoView(); return true;").await?;
        b.snapshot("merge-wizard-mobile-fields").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_viewer_sees_the_merge_history_but_cannot_merge_or_undo() {
    run("merge-viewer", DESKTOP, async |b: &Browser| {
        b.sign_in("viewer@demo.example").await?;
        b.goto("/duplicates/merges").await?;
        b.wait_until(
            "the history",
            "document.querySelector('[data-testid=merge-history] table, [data-testid=no-merges]')",
        )
        .await?;
        let tab = b.find("a[role=tab][aria-selected=true]").await?.text().await?;
        ensure!(tab == "Merge history", "the history's tab is the current one: {tab:?}");
        ensure!(
            b.find_all("[data-testid=undo-merge]").await?.is_empty(),
            "a viewer cannot undo"
        );
        b.press("Review queue").await?;
        b.wait_until("the queue", "document.querySelector('.queue[aria-busy=false]')").await?;
        ensure!(
            b.find_all("[data-testid=merge-pair]").await?.is_empty(),
            "a viewer cannot merge a pair"
        );
        let ids = b.api("GET", "/customers?limit=2", None).await?;
        let ids: Vec<&str> = ids["items"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str()).collect();
        ensure!(ids.len() == 2, "two demo customers");
        b.goto(&format!("/merges/new?ids={},{}", ids[0], ids[1])).await?;
        b.wait_until(
            "the refusal",
            "document.querySelector('main') && \
             document.querySelector('main').textContent.includes('Merging is for staff and owners')",
        )
        .await?;
        ensure!(b.find_all("[data-testid=merge-wizard]").await?.is_empty(), "no wizard for a viewer");

        // On a phone the history's rows are cards that fit the screen.
        b.as_phone().await?;
        b.goto("/duplicates/merges").await?;
        b.wait_until(
            "the history",
            "document.querySelector('[data-testid=merge-history] table, [data-testid=no-merges]')",
        )
        .await?;
        b.fits_phone("the merge history").await?;
        b.snapshot("merge-history-mobile").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn an_owner_gives_a_field_its_own_merge_rule_and_trusted_sources() {
    run("merge-rules", DESKTOP, async |b: &Browser| {
        b.sign_in("owner@demo.example").await?;
        let original = b.api("GET", "/merge-rules", None).await?;
        b.click("a[href='/settings']").await?;
        b.find("[data-testid=merge-rules] [data-testid=merge-default-rule]")
            .await?;
        b.press("Edit rules").await?;
        let dialog = "dialog[open]";
        b.dialog("Edit merge rules").await?;
        b.press("Add a field rule").await?;
        let row = format!("{dialog} .merge-override:last-child");
        b.find(&format!("{row} select[aria-label=Field]"))
            .await?
            .select_by_value("industry")
            .await?;
        b.find(&format!("{row} select[aria-label=Rule]"))
            .await?
            .select_by_value("newest")
            .await?;
        b.fill_in("Trusted sources", "salesforce\nhubspot").await?;
        b.snapshot("merge-rules-dialog").await?;
        b.press("Save rules").await?;
        b.dialog_closed().await?;
        b.toast("Merge rules saved.").await?;
        b.wait_until(
            "the new rule among the facts",
            "document.querySelector(\"[data-testid=merge-rules] li[data-field='industry']\")",
        )
        .await?;
        let text = b.find("[data-testid=merge-rules]").await?.text().await?;
        ensure!(
            text.contains("Industry: Newest") && text.contains("salesforce, then hubspot"),
            "the facts show the rules: {text:?}"
        );
        let saved = b.api("GET", "/merge-rules", None).await?;
        ensure!(
            saved["fields"]["industry"] == json!("newest"),
            "stored: {saved}"
        );
        ensure!(
            saved["trusted_sources"] == json!(["salesforce", "hubspot"]),
            "stored: {saved}"
        );
        b.js("document.querySelector('[data-testid=merge-rules]').scrollIntoView(); return true;")
            .await?;
        b.snapshot("merge-rules").await?;
        ensure!(
            saved["fields"]["owner_id"] == original["fields"]["owner_id"],
            "the other rules are kept: {saved}"
        );
        // As they were, for everyone else; but for the rules of fields a merge never chooses
        // (the built-in `customer_code`), which the server reads out but refuses to take back.
        let mut restored = original.clone();
        if let Some(fields) = restored["fields"].as_object_mut() {
            fields
                .retain(|field, _| !matches!(field.as_str(), "customer_code" | "tags" | "source"));
        }
        b.api("PUT", "/merge-rules", Some(restored)).await?;
        Ok(())
    })
    .await;
}

/// Whether none of a cluster's customers is one another test works on.
fn cluster_untouched(cluster: &Value) -> bool {
    cluster["customers"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|c| {
            let name = c["name"].as_str().unwrap_or_default().to_lowercase();
            !OTHER_TESTS.iter().any(|word| name.contains(word))
        })
}

/// The customer ids a cluster names, in its order.
fn cluster_ids(cluster: &Value) -> Vec<String> {
    cluster["customers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["customer_id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_cluster_of_three_or_more_opens_whole_in_the_merge_wizard() {
    run("merge-cluster", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        // The demo's seeded near-duplicates chain into clusters of three and more as it
        // starts: waited for a little. Nothing here merges, so no other test is disturbed.
        let started = Instant::now();
        let (page, cluster) = loop {
            let page = b.api("GET", "/duplicate-clusters?limit=25", None).await?;
            let found = page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| (3..=10).contains(&cluster_ids(c).len()) && cluster_untouched(c))
                .cloned();
            if let Some(cluster) = found {
                break (page, cluster);
            }
            ensure!(
                started.elapsed() < Duration::from_secs(30),
                "the demo has no cluster of three to ten customers: {page}"
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        };
        let key = cluster["key"].as_str().context("the cluster's key")?.to_owned();
        let ids = cluster_ids(&cluster);

        // The queue's view switch, kept in the URL.
        b.goto("/duplicates").await?;
        b.click("button.chip[data-view=clusters]").await?;
        b.wait_until("the clusters view", "location.search.includes('view=clusters')").await?;
        let card = format!("[data-testid=duplicate-cluster][data-key='{key}']");
        b.find(&card).await?;
        ensure!(
            b.find("button.chip[data-view=clusters]").await?.attr("aria-pressed").await?.as_deref()
                == Some("true"),
            "the Clusters chip shows it is on"
        );
        let total = b.find("[data-testid=cluster-total]").await?.text().await?;
        ensure!(total.contains("cluster"), "the count of clusters is shown: {total:?}");

        // Each customer links to its page, with its code; the weakest link is stated.
        for customer in cluster["customers"].as_array().into_iter().flatten() {
            let id = customer["customer_id"].as_str().context("an id")?;
            let code = customer["customer_code"].as_str().context("a code")?;
            let link = b.find(&format!("{card} a.pair-side[data-id='{id}']")).await?;
            ensure!(link.attr("href").await?.as_deref() == Some(&format!("/customers/{id}")[..]), "{code} links to its page");
            ensure!(link.text().await?.contains(code), "{code} is shown");
        }
        let weakest = b.find(&format!("{card} [data-testid=cluster-weakest]")).await?.text().await?;
        ensure!(weakest.starts_with("Weakest link:"), "the weakest link is stated: {weakest:?}");

        // A cluster too big for one merge opens its first ten and says so.
        if let Some(big) = page["items"].as_array().into_iter().flatten().find(|c| cluster_ids(c).len() > 10) {
            let big_card = format!("[data-testid=duplicate-cluster][data-key='{}']", big["key"].as_str().context("a key")?);
            let href = b.find(&format!("{big_card} [data-testid=merge-cluster]")).await?.attr("href").await?.unwrap_or_default();
            ensure!(href.matches(',').count() == 9, "ten records at most: {href}");
            b.find(&format!("{big_card} [data-testid=cluster-note]")).await?;
        }
        b.js(&format!("document.querySelector(\"{card}\").scrollIntoView(); return true;")).await?;
        b.snapshot("duplicate-clusters").await?;

        // "Show more" continues where the first page of 25 ended.
        let total = b.api("GET", "/duplicate-clusters?limit=1", None).await?["total"].as_u64().unwrap_or(0);
        ensure!(total > 25, "the demo has more than a page of clusters: {total}");
        b.click(".history-more button").await?;
        b.wait_until(
            "the next page of clusters",
            "document.querySelectorAll('[data-testid=duplicate-cluster]').length > 25",
        )
        .await?;

        // "Merge all…" opens every record of the cluster in the wizard.
        b.click(&format!("{card} [data-testid=merge-cluster]")).await?;
        b.wait_until("the wizard", "location.pathname === '/merges/new'").await?;
        let path = b.path().await?;
        for id in &ids {
            ensure!(path.contains(id.as_str()), "the wizard is asked for {id}: {path}");
        }
        b.wait_until(
            "every record of the cluster",
            &format!("document.querySelectorAll('input[name=merge-survivor]').length === {}", ids.len()),
        )
        .await?;
        let shown = b
            .js("return [...document.querySelectorAll('input[name=merge-survivor]')].map(i => i.value);")
            .await?;
        let shown: Vec<String> = serde_json::from_value(shown)?;
        for id in &ids {
            ensure!(shown.contains(id), "the wizard shows {id}: {shown:?}");
        }

        // Back, without merging: the clusters view again.
        b.js("history.back(); return true;").await?;
        b.wait_until("the clusters view again", "location.pathname === '/duplicates' && location.search.includes('view=clusters')").await?;
        b.find(&card).await?;

        // It fits a phone.
        b.as_phone().await?;
        b.fits_phone("the clusters view").await?;
        b.js(&format!("document.querySelector(\"{card}\").scrollIntoView(); return true;")).await?;
        b.snapshot("duplicate-clusters-mobile").await?;
        Ok(())
    })
    .await;
}
