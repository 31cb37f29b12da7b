//! Duplicate detection in the browser: the customer form warns, as a name is typed, of demo
//! customers it may duplicate and says why (without stopping the save); and a scan started on
//! the Duplicates page finds near-duplicates a test made, which the customer page's badge leads
//! to, where their evidence is shown and they are dismissed, one and then in bulk, and found
//! again under Dismissed. Only the scan test scans, so no other test meets a running scan.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use serde_json::json;

use crate::harness::{Browser, DESKTOP, MOBILE, run, unique};

/// The first word of `name` without its last letter (`Acme Analytics GmbH` ->
/// `Acm Analytics GmbH`): a typo matching should still see through.
fn misspelt(name: &str) -> String {
    let (first, rest) = name.split_once(' ').unwrap_or((name, ""));
    let mut first = first.to_owned();
    first.pop();
    format!("{first} {rest}").trim().to_owned()
}

#[tokio::test]
async fn typing_a_name_like_a_demo_customers_shows_why_it_may_be_a_duplicate() {
    run("duplicate-warning", DESKTOP, async |b: &Browser| {
        b.sign_in("staff@demo.example").await?;
        let page = b
            .api("GET", "/customers?q=acme%20analytics&sort=name&limit=1", None)
            .await?;
        let demo = &page["items"][0];
        let (demo_id, demo_name) = (
            demo["id"].as_str().context("a demo Acme")?.to_owned(),
            demo["name"].as_str().context("its name")?.to_owned(),
        );
        let demo_email = demo["email"].as_str().context("its email")?.to_owned();

        b.click("a[href='/customers/new']").await?;
        b.find("#f-name").await?;
        ensure!(
            b.find_all("[data-testid=duplicate-warning]").await?.is_empty(),
            "no warning before anything is typed"
        );
        let typed = misspelt(&demo_name);
        b.fill("#f-name", &typed).await?;
        let candidate = format!("[data-testid=duplicate-warning] li[data-id='{demo_id}']");
        b.find(&candidate).await?;
        let name_row = b
            .find(&format!("{candidate} tr[data-field=name]"))
            .await?
            .text()
            .await?;
        ensure!(
            name_row.contains("Similar spelling"),
            "the evidence says how the names compare: {name_row:?}"
        );
        let link = b.find(&format!("{candidate} a")).await?;
        ensure!(
            link.attr("href").await?.as_deref() == Some(&format!("/customers/{demo_id}")),
            "the candidate links to its page"
        );
        ensure!(
            link.attr("target").await?.as_deref() == Some("_blank"),
            "in a new tab, so the form is kept"
        );
        let heads = b
            .js("return [...document.querySelectorAll('[data-testid=duplicate-warning] .duplicate-candidate-head')].map(h => h.textContent);")
            .await?;
        let heads: Vec<String> = serde_json::from_value(heads)?;
        ensure!(
            !heads.is_empty() && heads.len() <= 5,
            "up to five candidates: {heads:?}"
        );
        ensure!(
            heads.iter().all(|h| h.contains('%') && h.contains("confidence")),
            "each with its score and confidence: {heads:?}"
        );

        // The demo customer's email too: the same, and now likely the same customer.
        b.fill("#f-email", &demo_email).await?;
        b.wait_until(
            "the email in the evidence",
            &format!("document.querySelector(\"{candidate} tr[data-field=email]\")"),
        )
        .await?;
        let email_row = b
            .find(&format!("{candidate} tr[data-field=email]"))
            .await?
            .text()
            .await?;
        ensure!(
            email_row.contains("The same"),
            "the email matches: {email_row:?}"
        );
        let confidence = b
            .find(&format!("{candidate} [data-testid=confidence]"))
            .await?
            .text()
            .await?;
        ensure!(
            confidence == "High confidence",
            "an equal email makes it likely: {confidence:?}"
        );
        b.js("document.querySelector('[data-testid=duplicate-warning]').scrollIntoView(); return true;")
            .await?;
        b.snapshot("duplicate-warning").await?;

        // A warning, not a stop: the customer is saved all the same.
        b.click("form.customer-form button[type=submit]").await?;
        b.wait_until(
            "the new customer's page",
            "/^\\/customers\\/[0-9a-f-]{36}$/.test(location.pathname)",
        )
        .await?;
        b.toast("Customer created.").await?;

        // Editing it, the warning names the demo customer but never the customer itself.
        let path = b.path().await?;
        let own = path.trim_start_matches("/customers/").to_owned();
        b.goto(&format!("{path}/edit")).await?;
        b.find(&candidate).await?;
        ensure!(
            b.find_all(&format!("[data-testid=duplicate-warning] li[data-id='{own}']"))
                .await?
                .is_empty(),
            "the customer edited is left out"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_scan_finds_near_duplicates_which_are_reviewed_and_dismissed() {
    run("duplicate-scan", DESKTOP, async |b: &Browser| {
        let tag = unique();
        let domain = format!("quillon-{tag}.example");
        b.sign_in("staff@demo.example").await?;
        let first = b
            .create_customer(json!({
                "name": format!("Quillon Freight {tag} GmbH"), "email": format!("ops@{domain}"),
                "website": format!("https://{domain}"), "country": "DE"
            }))
            .await?;
        let second = b
            .create_customer(json!({
                "name": format!("Quilon Freight {tag}"), "email": format!("ops@{domain}"),
                "website": format!("{domain}/contact"), "country": "DE"
            }))
            .await?;
        let third = b
            .create_customer(json!({
                "name": format!("Quillon Freight {tag} AG"), "website": format!("www.{domain}"),
                "country": "DE"
            }))
            .await?;

        b.click("nav a[href='/duplicates']").await?;
        b.wait_until("the queue", "document.querySelector('.queue[aria-busy=false]')").await?;
        // Every percent the page shows while the scan runs, to see it move.
        b.js("window.__scan = []; new MutationObserver(() => { const p = document.querySelector('.scan-card [data-testid=scan-percent]'); if (p && window.__scan[window.__scan.length - 1] !== p.textContent) window.__scan.push(p.textContent); }).observe(document.body, {subtree: true, childList: true, characterData: true}); return true;")
            .await?;
        // Someone else's full scan is running: starting another is refused, and the page says so.
        let running = b
            .api("POST", "/duplicate-scans", Some(json!({"full": true})))
            .await?;
        let running = running["id"].as_str().context("the scan's id")?.to_owned();
        b.press("Scan now").await?;
        let refusal = b.find("[data-testid=scan-refused]").await?.text().await?;
        ensure!(refusal.contains("already running"), "the refusal: {refusal:?}");
        b.snapshot("duplicates-scan-refused").await?;
        let started = Instant::now();
        loop {
            let other = b.api("GET", &format!("/duplicate-scans/{running}"), None).await?;
            if matches!(other["status"].as_str(), Some("completed" | "failed")) {
                break;
            }
            ensure!(started.elapsed() < Duration::from_secs(180), "the other scan never finished: {other}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }

        b.press("Scan now").await?;
        ensure!(
            b.find_all("[data-testid=scan-refused]").await?.is_empty(),
            "a new start clears the refusal"
        );
        b.wait_until_within(
            "the scan to complete",
            "document.querySelector('[data-testid=scan-outcome]')",
            Duration::from_secs(180),
        )
        .await?;
        let outcome = b.find("[data-testid=scan-outcome]").await?.text().await?;
        ensure!(outcome.contains("Scan complete."), "the scan completed: {outcome:?}");
        let percent = b.find("[data-testid=scan-percent]").await?.text().await?;
        ensure!(percent == "100%", "the bar reached the end: {percent:?}");
        let seen = b.js("return window.__scan;").await?;
        println!("scan progress as shown: {seen}");
        ensure!(
            seen.as_array().is_some_and(|s| !s.is_empty()),
            "the live bar was shown while it ran: {seen}"
        );
        b.snapshot("duplicates-scanned").await?;

        // The customer page links to its pairs before they are reviewed.
        b.open_customer(&first, None).await?;
        let badge = b.find("[data-testid=duplicates-badge]").await?;
        ensure!(
            badge.attr("href").await?.as_deref() == Some(&format!("/duplicates?status=open&customer={first}")),
            "the badge links to the customer's pairs"
        );
        b.snapshot("duplicates-badge").await?;
        badge.click().await?;
        b.wait_until(
            "the queue of this customer",
            &format!("location.pathname === '/duplicates' && location.search.includes('customer={first}')"),
        )
        .await?;
        let filter = b.find("[data-testid=customer-filter]").await?.text().await?;
        ensure!(filter.contains(&format!("Quillon Freight {tag} GmbH")), "the filter names the customer: {filter:?}");
        b.wait_until("its two pairs", "document.querySelector('.queue[aria-busy=false]') && document.querySelectorAll('.pair-card').length === 2").await?;
        let pair = b
            .find_xpath(
                &format!(
                    "//article[contains(@class, 'pair-card')][.//a[@href='/customers/{first}']][.//a[@href='/customers/{second}']]"
                ),
                "the pair of the first two",
            )
            .await?;
        let pair_id = pair.attr("data-id").await?.context("the pair's id")?;
        let card = format!("article.pair-card[data-id='{pair_id}']");
        let email = b.find(&format!("{card} tr[data-field=email]")).await?.text().await?;
        ensure!(email.contains("The same"), "the shared email is evidence: {email:?}");
        let name = b.find(&format!("{card} tr[data-field=name]")).await?;
        ensure!(
            name.attr("class").await?.as_deref() == Some("is-different"),
            "the names differ, and that stands out"
        );
        b.snapshot("duplicates-queue").await?;

        b.click(&format!("{card} button[aria-label^='Dismiss the pair']")).await?;
        b.toast("are not duplicates.").await?;
        b.wait_until("the pair to leave the queue", &format!("!document.querySelector(\"{card}\")")).await?;
        ensure!(
            b.find_all(&format!("article.pair-card:has(a[href='/customers/{third}'])")).await?.len() == 1,
            "the other pair stays"
        );

        // The rest in bulk.
        b.click("[data-testid=select-all-pairs]").await?;
        let selected = b.find("[data-testid=pairs-selected]").await?.text().await?;
        ensure!(selected == "1 selected", "one pair selected: {selected:?}");
        b.press("Dismiss selected").await?;
        b.dialog("Dismiss the selected pairs?").await?;
        b.press("Dismiss pairs").await?;
        b.toast("1 pair dismissed.").await?;
        b.wait_until(
            "the empty queue",
            "document.body.textContent.includes('No possible duplicates of this customer')",
        )
        .await?;

        // Both wait under Dismissed, and the badge is gone.
        b.click("button.chip[data-status=dismissed]").await?;
        b.wait_until("dismissed in the URL", "location.search.includes('status=dismissed')").await?;
        b.wait_until("both dismissed pairs", "document.querySelector('.queue[aria-busy=false]') && document.querySelectorAll('.pair-card').length === 2").await?;
        b.find(&card).await?;
        let reviewed = b.find(&format!("{card} .pair-reviewed")).await?.text().await?;
        ensure!(reviewed.starts_with("Dismissed by"), "who dismissed it: {reviewed:?}");
        ensure!(
            b.find_all("button[aria-label^='Dismiss the pair']").await?.is_empty(),
            "a dismissed pair cannot be dismissed again"
        );
        b.snapshot("duplicates-dismissed").await?;
        // Both scored 90% or more: a higher lowest score keeps them.
        b.choose("Lowest score", "90% and up").await?;
        b.wait_until("the score in the URL", "location.search.includes('min_score=0.9')").await?;
        b.wait_until("the pairs again", "document.querySelector('.queue[aria-busy=false]') && document.querySelectorAll('.pair-card').length === 2").await?;
        let open = b
            .api("GET", &format!("/duplicates?status=open&customer={first}&limit=1"), None)
            .await?;
        ensure!(open["items"] == json!([]), "no open pair names the customer: {open}");

        // On a phone the pairs and their evidence fit the screen.
        b.as_phone().await?;
        b.fits_phone("the review queue").await?;
        b.js("document.querySelector('.pair-card').scrollIntoView(); return true;").await?;
        b.snapshot("duplicates-mobile-pairs").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_viewer_reads_the_duplicates_page_without_any_action() {
    run("duplicates-viewer", MOBILE, async |b: &Browser| {
        b.sign_in("viewer@demo.example").await?;
        b.click("nav a[href='/duplicates']").await?;
        b.wait_until("the queue", "document.querySelector('.queue[aria-busy=false]')")
            .await?;
        let actions = b
            .js("return [...document.querySelectorAll('main button')].map(x => x.textContent.trim()).filter(t => /^(Scan now|Full scan|Dismiss|Dismiss selected)$/.test(t));")
            .await?;
        ensure!(actions == json!([]), "no scan or dismissal for a viewer: {actions}");
        ensure!(
            b.find_all("main input[type=checkbox]").await?.is_empty(),
            "nothing to select"
        );
        b.fits_phone("the duplicates page").await?;
        b.snapshot("duplicates-mobile").await?;
        Ok(())
    })
    .await;
}
