//! `tenure-bench duplicates`: a labelled duplicate benchmark of our own. A generator makes
//! realistic companies and people (invented names from syllables, so the name space is large;
//! people's names from common lists, so namesakes happen), then near-duplicates of a fifth of
//! them with typos, respellings, swapped tokens, legal-suffix and nickname variants, reformatted websites
//! and emails, and fields dropped, knowing which records are the same entity. It loads them,
//! runs a full scan as the server would, and prints the scan's time, peak RSS, blocking
//! efficiency, precision / recall / F1 at both thresholds, and the real-time check's latency.

use std::collections::HashSet;
use std::time::Instant;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tenure_domain::customer::CustomerKind;
use tenure_domain::duplicate::{MatchInput, Thresholds};
use tenure_domain::values::{CountryCode, PhoneNumber};
use tenure_store::Store;
use tenure_store::duplicate::fixture::FixtureCustomer;
use uuid::Uuid;

#[path = "duplicates_memory.rs"]
mod memory;
pub use memory::run_in_memory;

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "ten", "vo", "zu", "bel", "cor", "dan", "fen", "gar", "hol", "jin",
    "kor", "lum", "mar", "nor", "pel", "quin", "ros", "sil", "tor", "ul", "ven", "wex", "yar",
    "zen", "al", "bri", "cas", "dor", "el", "fa", "gi", "ha", "is", "jo", "ne", "tri",
];
const NOUNS: &[&str] = &[
    "Analytics",
    "Systems",
    "Logistics",
    "Foods",
    "Partners",
    "Robotics",
    "Labs",
    "Health",
    "Media",
    "Energy",
    "Capital",
    "Studio",
    "Works",
    "Solutions",
    "Consulting",
    "Design",
    "Motors",
    "Pharma",
    "Networks",
    "Bakery",
];
const LEGAL: &[&str] = &[
    "Inc", "Inc.", "LLC", "Ltd", "Limited", "GmbH", "Corp", "Co.",
];
const TLDS: &[&str] = &[".com", ".io", ".co.uk", ".de", ".net"];
const STREETS: &[(&str, &str)] = &[
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Road", "Rd"),
    ("Lane", "Ln"),
    ("Boulevard", "Blvd"),
];
const FIRST: &[(&str, Option<&str>)] = &[
    ("Robert", Some("Bob")),
    ("William", Some("Bill")),
    ("Elizabeth", Some("Liz")),
    ("Katherine", Some("Kate")),
    ("Michael", Some("Mike")),
    ("James", Some("Jim")),
    ("Jennifer", Some("Jen")),
    ("Thomas", Some("Tom")),
    ("Margaret", Some("Peggy")),
    ("Richard", Some("Rick")),
    ("Christopher", Some("Chris")),
    ("Daniel", Some("Dan")),
    ("Anna", None),
    ("Sofia", None),
    ("Lukas", None),
    ("Maria", None),
    ("Noah", None),
    ("Emma", None),
    ("Olivia", None),
    ("Mateo", None),
    ("Aisha", None),
    ("Yuki", None),
    ("Priya", None),
    ("Chen", None),
    ("Fatima", None),
    ("Oscar", None),
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Müller",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Nguyen",
    "Kim",
    "Patel",
    "Singh",
    "Cohen",
    "O'Brien",
    "van der Berg",
    "Kowalski",
    "Novak",
    "Silva",
    "Tanaka",
    "Ivanova",
];
const AREAS: &[u32] = &[212, 312, 415, 617, 646, 718, 202, 305, 512, 206];

/// One entity's clean record, before any duplicate is made of it.
#[derive(Clone)]
struct Entity {
    person: bool,
    words: Vec<String>,
    legal: Option<String>,
    first: Option<(String, Option<String>)>,
    last: Option<String>,
    birth: Option<NaiveDate>,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    street: Option<(u32, String, usize)>,
    postal: Option<String>,
    tax: Option<String>,
}

struct Generator {
    rng: StdRng,
    /// Company words already given to an entity: two companies never share a name word, so
    /// the labels stay true (a real base has namesakes among people, which the lists give).
    used: HashSet<String>,
    /// Mailboxes and phone numbers already given: like a company word, each belongs to one
    /// entity. Drawn freely, a million records' random numbers collide by the ten thousand
    /// (two different Chen Smiths at chen.smith455@gmail.com), which labels as different two
    /// records that every CRM, and every person, would call one.
    taken: HashSet<String>,
}

impl Generator {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// An invented word of 2 to 4 syllables (2.6 million of them).
    fn word(&mut self) -> String {
        let n = self.rng.random_range(2..=4);
        let raw: String = (0..n).map(|_| *self.pick(SYLLABLES)).collect();
        let mut chars = raw.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
            .unwrap_or_default()
    }

    fn phone(&mut self) -> String {
        loop {
            let area = *self.pick(AREAS);
            let exchange = loop {
                let e = self.rng.random_range(200..1000);
                if e != 555 && e % 100 != 11 {
                    break e;
                }
            };
            let phone = format!("+1{area}{exchange}{:04}", self.rng.random_range(0..10_000));
            if self.taken.insert(phone.clone()) {
                return phone;
            }
        }
    }

    /// A personal mailbox nobody else has: first.last plus a number (wider once the short
    /// numbers of a common name are taken).
    fn personal_email(&mut self, first: &str, last: &str) -> String {
        let local = format!(
            "{}.{}",
            first.to_lowercase(),
            tenure_domain::search::fold(last).replace(' ', "")
        );
        let mut top = 999;
        loop {
            // Dots do not tell gmail mailboxes apart, so neither may they here.
            let number = self.rng.random_range(1..top);
            let email = format!("{local}{number}@gmail.com");
            if self.taken.insert(email.replace('.', "")) {
                return email;
            }
            top = (top * 2).min(1_000_000);
        }
    }

    fn entity(&mut self) -> Entity {
        let person = self.chance(0.3);
        let street = self.chance(0.5).then(|| {
            (
                self.rng.random_range(1..1000),
                self.word(),
                self.rng.random_range(0..STREETS.len()),
            )
        });
        let postal = street
            .as_ref()
            .map(|_| format!("{:05}", self.rng.random_range(10_000..99_999)));
        if person {
            let (first, nick) = *self.pick(FIRST);
            let last = if self.chance(0.5) {
                (*self.pick(LAST)).to_owned()
            } else {
                self.word()
            };
            let birth = self.chance(0.6).then(|| {
                NaiveDate::from_ymd_opt(
                    self.rng.random_range(1950..2003),
                    self.rng.random_range(1..=12),
                    self.rng.random_range(1..=28),
                )
                .unwrap_or_default()
            });
            let email = self.chance(0.8).then(|| self.personal_email(first, &last));
            let phone = self.chance(0.5).then(|| self.phone());
            Entity {
                person,
                words: Vec::new(),
                legal: None,
                first: Some((first.to_owned(), nick.map(str::to_owned))),
                last: Some(last),
                birth,
                email,
                phone,
                website: None,
                street,
                postal,
                tax: None,
            }
        } else {
            let first_word = loop {
                let w = self.word();
                if self.used.insert(w.clone()) {
                    break w;
                }
            };
            let mut words = vec![first_word];
            if self.chance(0.8) {
                words.push((*self.pick(NOUNS)).to_owned());
            }
            let legal = self.chance(0.6).then(|| (*self.pick(LEGAL)).to_owned());
            let domain = format!("{}{}", words.join("-").to_lowercase(), self.pick(TLDS));
            let website = self.chance(0.7).then(|| format!("https://{domain}"));
            let email = self.chance(0.5).then(|| format!("info@{domain}"));
            let phone = self.chance(0.6).then(|| self.phone());
            let tax = self
                .chance(0.2)
                .then(|| format!("US{:09}", self.rng.random_range(0..1_000_000_000u64)));
            Entity {
                person,
                words,
                legal,
                first: None,
                last: None,
                birth: None,
                email,
                phone,
                website,
                street,
                postal,
                tax,
            }
        }
    }

    /// One character deleted, doubled, replaced or swapped with its neighbour (never the first).
    fn typo(&mut self, s: &str) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        if chars.len() < 4 {
            return s.to_owned();
        }
        let i = self.rng.random_range(1..chars.len() - 1);
        match self.rng.random_range(0..4) {
            0 => {
                chars.remove(i);
            }
            1 => chars.insert(i, chars[i]),
            2 => chars[i] = (b'a' + self.rng.random_range(0..26u8)) as char,
            _ => chars.swap(i, i + 1),
        }
        chars.into_iter().collect()
    }

    /// The name spelt another way it could sound ("ph" for "f", "k" for a hard "c", "y" for
    /// "i", ...), as when it was taken down over the phone.
    fn respell(&mut self, s: &str) -> String {
        const SOUNDS: &[(&str, &str)] = &[
            ("ph", "f"),
            ("f", "ph"),
            ("ch", "k"),
            ("c", "k"),
            ("k", "c"),
            ("y", "i"),
            ("i", "y"),
            ("x", "ks"),
            ("qu", "kw"),
            ("sch", "sh"),
            ("ee", "ea"),
            ("th", "t"),
            ("ll", "l"),
            ("l", "ll"),
            ("tt", "t"),
            ("ou", "u"),
        ];
        let lower = s.to_lowercase();
        let options: Vec<(usize, &str, &str)> = SOUNDS
            .iter()
            .flat_map(|(from, to)| lower.match_indices(from).map(move |(i, _)| (i, *from, *to)))
            .collect();
        if options.is_empty() {
            return s.to_owned();
        }
        let (at, from, to) = options[self.rng.random_range(0..options.len())];
        let spelt = format!("{}{to}{}", &lower[..at], &lower[at + from.len()..]);
        let mut chars = spelt.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
            .unwrap_or_default()
    }

    /// The entity as one record; `variant` perturbs it as a duplicate would be.
    fn record(&mut self, e: &Entity, variant: bool) -> FixtureCustomer {
        let keep = |g: &mut Generator, p: f64| !variant || g.chance(p);
        let mut c = FixtureCustomer {
            id: Uuid::now_v7(),
            kind: if e.person { "person" } else { "company" }.to_owned(),
            country: "US".to_owned(),
            ..FixtureCustomer::default()
        };
        if e.person {
            let (first, nick) = e.first.clone().unwrap_or_default();
            let mut first = match nick {
                Some(nick) if variant && self.chance(0.3) => nick,
                _ => first,
            };
            let mut last = e.last.clone().unwrap_or_default();
            if variant && self.chance(0.2) {
                last = self.typo(&last);
            }
            if variant && self.chance(0.1) {
                first = self.typo(&first);
            }
            if variant && self.chance(0.05) {
                last = self.respell(&last);
            }
            if variant && self.chance(0.05) {
                first = self.respell(&first);
            }
            if variant && self.chance(0.08) {
                std::mem::swap(&mut first, &mut last);
            }
            c.name = format!("{first} {last}");
            c.first_name = Some(first);
            c.last_name = Some(last);
            c.birth_date = e.birth.and_then(|b| {
                if !keep(self, 0.8) {
                    return None;
                }
                if variant && self.chance(0.1) {
                    use chrono::Datelike;
                    if b.day() <= 12 {
                        return NaiveDate::from_ymd_opt(b.year(), b.day(), b.month());
                    }
                }
                Some(b)
            });
        } else {
            let mut words = e.words.clone();
            if variant && words.len() > 1 && self.chance(0.1) {
                words.swap(0, 1);
            }
            if variant && self.chance(0.3) {
                let i = self.rng.random_range(0..words.len());
                words[i] = self.typo(&words[i]);
            }
            let legal = if variant && self.chance(0.5) {
                self.chance(0.6).then(|| (*self.pick(LEGAL)).to_owned())
            } else {
                e.legal.clone()
            };
            let mut name = words.join(" ");
            if let Some(legal) = legal {
                name = format!("{name}{} {legal}", if self.chance(0.3) { "," } else { "" });
            }
            if variant && self.chance(0.15) {
                name = name.to_uppercase();
            }
            c.name = name;
            c.website = e.website.clone().filter(|_| keep(self, 0.7)).map(|w| {
                if variant && self.chance(0.5) {
                    w.replace("https://", "http://www.") + "/about"
                } else {
                    w
                }
            });
            c.tax_id = e.tax.clone().filter(|_| keep(self, 0.5));
        }
        c.email = e.email.clone().filter(|_| keep(self, 0.65)).map(|m| {
            if variant && m.ends_with("@gmail.com") && self.chance(0.4) {
                m.replacen('.', "", 1)
            } else if variant && self.chance(0.3) {
                m.to_uppercase()
            } else {
                m
            }
        });
        c.phone = e.phone.clone().filter(|_| keep(self, 0.65));
        if let Some((number, word, street)) = e.street.clone().filter(|_| keep(self, 0.5)) {
            let (long, short) = STREETS[street];
            let kind = if variant && self.chance(0.5) {
                short
            } else {
                long
            };
            c.address_line1 = Some(format!("{number} {word} {kind}"));
            c.postal_code = e.postal.clone();
        }
        c
    }
}

/// The generated records and the true duplicate pairs among them.
struct Fixture {
    customers: Vec<FixtureCustomer>,
    truth: HashSet<(Uuid, Uuid)>,
    /// Drafts for the check: fresh variants of entities that are in the base.
    drafts: Vec<MatchInput>,
}

fn generate(total: u64) -> Fixture {
    let mut g = Generator {
        rng: StdRng::seed_from_u64(7),
        used: HashSet::new(),
        taken: HashSet::new(),
    };
    let mut customers = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut truth = HashSet::new();
    let mut drafts = Vec::new();
    while (customers.len() as u64) < total {
        let entity = g.entity();
        let copies = if g.chance(0.2) {
            g.rng.random_range(1..=3)
        } else {
            0
        };
        let mut group = vec![g.record(&entity, false)];
        for _ in 0..copies {
            group.push(g.record(&entity, true));
        }
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                truth.insert(if a.id < b.id {
                    (a.id, b.id)
                } else {
                    (b.id, a.id)
                });
            }
        }
        if drafts.len() < 300 && g.chance(0.05) {
            drafts.push(draft(&g.record(&entity, true)));
        }
        customers.extend(group);
    }
    customers.truncate(usize::try_from(total).unwrap_or(usize::MAX));
    let kept: HashSet<Uuid> = customers.iter().map(|c| c.id).collect();
    truth.retain(|(a, b)| kept.contains(a) && kept.contains(b));
    // Phones are stored as the API stores them: E.164.
    for c in &mut customers {
        c.phone = c
            .phone
            .as_deref()
            .and_then(|p| PhoneNumber::parse(p, None).ok())
            .map(|p| p.e164().to_owned());
    }
    Fixture {
        customers,
        truth,
        drafts,
    }
}

fn draft(c: &FixtureCustomer) -> MatchInput {
    MatchInput {
        kind: CustomerKind::parse(&c.kind).ok(),
        name: Some(c.name.clone()),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        birth_date: c.birth_date,
        emails: c.email.clone().into_iter().collect(),
        phones: c.phone.clone().into_iter().collect(),
        website: c.website.clone(),
        address: c.address_line1.clone(),
        postal_code: c.postal_code.clone(),
        tax_id: c.tax_id.clone(),
        country: CountryCode::parse(&c.country).ok(),
    }
}

fn quality(found: &[(Uuid, Uuid, f64)], truth: &HashSet<(Uuid, Uuid)>, min: f64) -> String {
    let predicted: Vec<&(Uuid, Uuid, f64)> = found.iter().filter(|p| p.2 >= min).collect();
    let tp = predicted
        .iter()
        .filter(|(a, b, _)| truth.contains(&(*a, *b)))
        .count() as f64;
    let precision = if predicted.is_empty() {
        0.0
    } else {
        tp / predicted.len() as f64
    };
    let recall = if truth.is_empty() {
        0.0
    } else {
        tp / truth.len() as f64
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    format!(
        "score >= {min}: {} pairs, precision {precision:.4}, recall {recall:.4}, F1 {f1:.4}",
        predicted.len()
    )
}

pub async fn run(store: &Store, total: u64) -> anyhow::Result<()> {
    println!("backend: {:?}, customers: {total}", store.backend());
    let org = store
        .create_organization("Duplicate Bench Co", Some("US"), "USD")
        .await?;
    let started = Instant::now();
    let mut fixture = generate(total);
    println!(
        "generated {} customers ({} true duplicate pairs) in {:.1} s",
        fixture.customers.len(),
        fixture.truth.len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    store
        .insert_duplicate_fixture(org.id, &fixture.customers)
        .await?;
    println!(
        "loaded with blocking keys in {:.1} s (setup, not the scan)",
        started.elapsed().as_secs_f64()
    );

    // TENURE_BENCH_SHOW=n prints n false positives and n missed pairs, for tuning.
    let show: usize = std::env::var("TENURE_BENCH_SHOW")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // The scan's own peak: the generated records leave memory (unless shown later) and the
    // high-water mark restarts (Linux: `5` to clear_refs), so setup does not count.
    let setup_peak = super::import::peak_rss_mib().unwrap_or(f64::NAN);
    if show == 0 {
        fixture.customers = Vec::new();
    }
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    println!(
        "setup peak RSS {setup_peak:.0} MiB{}",
        if reset {
            "; the scan's peak is measured from here"
        } else {
            " (could not reset the peak: it includes setup)"
        }
    );

    let actor = tenure_store::audit::Actor::system("bench");
    if show > 0 {
        // Keep pairs down to 0.1, so the sweep shows what a lower threshold would find.
        let low = Thresholds {
            medium: 0.1,
            ..Thresholds::default()
        };
        store.set_duplicate_thresholds(org.id, &low, &actor).await?;
    }
    store.create_duplicate_scan(org.id, true, &actor).await?;
    let scan = store
        .claim_duplicate_scan("bench")
        .await?
        .ok_or_else(|| anyhow::anyhow!("the scan was not claimable"))?;
    let started = Instant::now();
    let timings = tenure_api::duplicate::run(store, "bench", &scan).await?;
    let elapsed = started.elapsed().as_secs_f64();
    println!("scan phases: {timings}");
    let done = store.duplicate_scan(org.id, scan.id).await?;
    println!(
        "full scan: {} customers in {elapsed:.1} s; {} candidate pairs ({:.2} per customer), {} pairs kept; peak RSS {:.0} MiB",
        done.customers,
        done.candidates,
        done.candidates as f64 / done.customers.max(1) as f64,
        done.pairs,
        super::import::peak_rss_mib().unwrap_or(f64::NAN),
    );
    let candidates: HashSet<(Uuid, Uuid)> = store
        .duplicate_candidate_pairs(org.id, None)
        .await?
        .id_pairs()
        .collect();
    let blocked = fixture
        .truth
        .iter()
        .filter(|p| candidates.contains(p))
        .count();
    println!(
        "blocking recall: {blocked} of {} true pairs share a key ({:.4})",
        fixture.truth.len(),
        blocked as f64 / fixture.truth.len().max(1) as f64
    );
    let found = store.duplicate_pairs_for_bench(org.id, 0.0).await?;

    let thresholds = Thresholds::default();
    println!(
        "quality (review threshold) {}",
        quality(&found, &fixture.truth, thresholds.medium)
    );
    println!(
        "quality (high threshold)   {}",
        quality(&found, &fixture.truth, thresholds.high)
    );
    if show > 0 {
        for step in 0..=18 {
            let min = 0.1 + f64::from(step) * 0.05;
            println!("  sweep {}", quality(&found, &fixture.truth, min));
        }
    }

    if show > 0 {
        let by_id: std::collections::HashMap<Uuid, &FixtureCustomer> =
            fixture.customers.iter().map(|c| (c.id, c)).collect();
        let kept: HashSet<(Uuid, Uuid)> = found
            .iter()
            .filter(|p| p.2 >= thresholds.medium)
            .map(|(a, b, _)| (*a, *b))
            .collect();
        for (a, b, s) in found
            .iter()
            .filter(|(a, b, s)| *s >= thresholds.medium && !fixture.truth.contains(&(*a, *b)))
            .take(show)
        {
            println!("FALSE POSITIVE {s}\n  {:?}\n  {:?}", by_id[a], by_id[b]);
        }
        for (a, b) in fixture
            .truth
            .iter()
            .filter(|p| !kept.contains(p))
            .take(show)
        {
            let why = if candidates.contains(&(*a, *b)) {
                "scored low"
            } else {
                "no shared key"
            };
            println!("MISSED ({why})\n  {:?}\n  {:?}", by_id[a], by_id[b]);
        }
    }

    let mut samples = Vec::with_capacity(fixture.drafts.len());
    let mut hits = 0usize;
    for draft in &fixture.drafts {
        let t = Instant::now();
        let candidates = store
            .duplicate_candidates(org.id, draft, None, thresholds.medium, 5)
            .await?;
        samples.push(t.elapsed());
        hits += usize::from(!candidates.is_empty());
    }
    if !samples.is_empty() {
        let n = samples.len();
        let f = super::figures(samples);
        super::row("duplicate check (store call)", "store", &f);
        println!("  a candidate found for {hits} of {n} drafts of existing entities");
    }
    Ok(())
}
