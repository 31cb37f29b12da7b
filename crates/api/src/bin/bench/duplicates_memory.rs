//! `tenure-bench duplicates --in-memory`: the quality loop without a database. The same
//! generator, profiles, blocking keys (blocks over the store's cap skipped), namesake counts and
//! scorer as a scan, all in memory, so a change to matching can be judged at a million
//! customers in about a minute instead of ten. It prints what a scan's figures cannot: which
//! kind of record the misses and false positives are, and how many of the pairs blocking
//! missed would have scored as duplicates (what a new blocking key could still win).
//! `TENURE_BENCH_SHOW=n` prints n of each kind of mistake.
//!
//! Its pairs and scores equal a real scan's on the same fixture (1M: 459,037 kept pairs by
//! both); the scan's own figures (time, memory, the check) come only from the real run.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tenure_domain::duplicate::blocking::{count_name, frequency_key, keys};
use tenure_domain::duplicate::estimate::{FIELDS, LEVELS, Observation, Sample, estimate};
use tenure_domain::duplicate::{Model, Profile, Thresholds, score};
use tenure_store::duplicate::BLOCK_CAP;
use uuid::Uuid;

use crate::duplicates::{Fixture, draft, generate, quality};

/// A candidate pair as indices into the fixture's customers (smaller first).
type Pair = (u32, u32);

pub fn run_in_memory(total: u64) {
    let started = Instant::now();
    let fixture = generate(total);
    let profiles = profiles_of(&fixture);
    let pairs = candidate_pairs(&profiles);
    println!(
        "in memory: {} customers, {} true pairs, {} candidate pairs ({:.2} per customer); {:.1} s",
        profiles.len(),
        fixture.truth.len(),
        pairs.len(),
        pairs.len() as f64 / profiles.len().max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    let index: HashMap<Uuid, u32> = fixture
        .customers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as u32))
        .collect();
    let truth: HashSet<Pair> = fixture
        .truth
        .iter()
        .map(|(a, b)| {
            let (a, b) = (index[a], index[b]);
            (a.min(b), a.max(b))
        })
        .collect();
    let model = Model::default();
    let started = Instant::now();
    let scored: HashMap<Pair, f64> = pairs
        .iter()
        .copied()
        .zip(score_all(&profiles, &pairs, &model))
        .collect();
    println!("scored in {:.1} s", started.elapsed().as_secs_f64());
    let blocked = truth.iter().filter(|p| scored.contains_key(p)).count();
    println!(
        "blocking recall {blocked} of {} ({:.4})",
        truth.len(),
        blocked as f64 / truth.len().max(1) as f64
    );
    let found: Vec<(Uuid, Uuid, f64)> = scored
        .iter()
        .map(|(&(a, b), &s)| {
            let (x, y) = (
                fixture.customers[a as usize].id,
                fixture.customers[b as usize].id,
            );
            (x.min(y), x.max(y), s)
        })
        .collect();
    let thresholds = Thresholds::default();
    for min in [0.3, 0.4, thresholds.medium, 0.6, 0.7, 0.8, thresholds.high] {
        println!("  {}", quality(&found, &fixture.truth, min));
    }
    diagnose(
        &fixture,
        &profiles,
        &truth,
        &scored,
        &model,
        thresholds.medium,
    );
    compare_estimated(&fixture, &profiles, &pairs, &model);
}

/// Every customer's profile, with its namesake count as the store would count it.
fn profiles_of(fixture: &Fixture) -> Vec<Profile> {
    let mut profiles: Vec<Profile> = fixture
        .customers
        .iter()
        .map(|c| Profile::new(&draft(c)))
        .collect();
    let mut names: HashMap<String, u32> = HashMap::new();
    for key in profiles.iter().filter_map(frequency_key) {
        *names.entry(key).or_default() += 1;
    }
    for p in &mut profiles {
        count_name(p, &names);
    }
    profiles
}

/// The pairs sharing a key whose block is within the cap, each once, as the scan's SQL
/// finds them; prints how many blocks of each kind of key were too big.
fn candidate_pairs(profiles: &[Profile]) -> Vec<Pair> {
    let mut blocks: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, p) in profiles.iter().enumerate() {
        for key in keys(p) {
            blocks.entry(key).or_default().push(i as u32);
        }
    }
    let mut pairs: Vec<Pair> = Vec::new();
    let mut oversized: HashMap<String, usize> = HashMap::new();
    for (key, members) in &blocks {
        if members.len() > BLOCK_CAP {
            let kind = key.split(':').next().unwrap_or_default().to_owned();
            *oversized.entry(kind).or_default() += 1;
            continue;
        }
        for (i, a) in members.iter().enumerate() {
            pairs.extend(members[i + 1..].iter().map(|b| (*a.min(b), *a.max(b))));
        }
    }
    let mut oversized: Vec<_> = oversized.into_iter().collect();
    oversized.sort();
    println!(
        "{} keys in {} blocks; over the cap of {BLOCK_CAP}, by kind of key: {oversized:?}",
        blocks.values().map(Vec::len).sum::<usize>(),
        blocks.len()
    );
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Scores of `pairs`, in order, on every core.
fn score_all(profiles: &[Profile], pairs: &[Pair], model: &Model) -> Vec<f64> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    std::thread::scope(|s| {
        let parts: Vec<_> = pairs
            .chunks(pairs.len().div_ceil(cores).max(1))
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&(a, b)| {
                            score(&profiles[a as usize], &profiles[b as usize], model).score
                        })
                        .collect::<Vec<f64>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The mistakes at `threshold`, counted by kind of record, and what the pairs that blocking
/// missed agree on when they would have scored as duplicates.
fn diagnose(
    fixture: &Fixture,
    profiles: &[Profile],
    truth: &HashSet<Pair>,
    scored: &HashMap<Pair, f64>,
    model: &Model,
    threshold: f64,
) {
    let kind = |p: &Pair| {
        if profiles[p.0 as usize].person {
            "person"
        } else {
            "company"
        }
    };
    let unblocked: Vec<&Pair> = truth.iter().filter(|p| !scored.contains_key(p)).collect();
    let low: Vec<(&Pair, f64)> = truth
        .iter()
        .filter_map(|p| scored.get(p).map(|s| (p, *s)))
        .filter(|(_, s)| *s < threshold)
        .collect();
    let wrong: Vec<(&Pair, f64)> = scored
        .iter()
        .filter(|(p, s)| **s >= threshold && !truth.contains(p))
        .map(|(p, s)| (p, *s))
        .collect();
    let by_kind = |pairs: &mut dyn Iterator<Item = &Pair>| {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for p in pairs {
            *counts.entry(kind(p)).or_default() += 1;
        }
        counts
    };
    println!(
        "at {threshold}: missed with no shared key {:?}, scored low {:?}, false positives {:?}",
        by_kind(&mut unblocked.iter().copied()),
        by_kind(&mut low.iter().map(|(p, _)| *p)),
        by_kind(&mut wrong.iter().map(|(p, _)| *p)),
    );
    let mut reachable: HashMap<String, usize> = HashMap::new();
    for p in &unblocked {
        let m = score(&profiles[p.0 as usize], &profiles[p.1 as usize], model);
        if m.score >= threshold {
            let mut agreeing: Vec<&str> = m
                .evidence
                .iter()
                .filter(|e| e.contribution > 0.0)
                .map(|e| e.field)
                .collect();
            agreeing.dedup();
            *reachable
                .entry(format!("{}: {}", kind(p), agreeing.join("+")))
                .or_default() += 1;
        }
    }
    let mut reachable: Vec<_> = reachable.into_iter().collect();
    reachable.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    println!(
        "missed by blocking but would score >= {threshold}: {} ({:?})",
        reachable.iter().map(|r| r.1).sum::<usize>(),
        &reachable[..reachable.len().min(15)]
    );

    let show: usize = std::env::var("TENURE_BENCH_SHOW")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let describe = |i: u32| {
        let c = &fixture.customers[i as usize];
        format!(
            "{} | {:?} {:?} | born {:?} | {:?} | {:?} | {:?} | {:?} {:?} | {:?} | {} with the name",
            c.name,
            c.first_name,
            c.last_name,
            c.birth_date,
            c.email,
            c.phone,
            c.website,
            c.address_line1,
            c.postal_code,
            c.tax_id,
            profiles[i as usize].name_count
        )
    };
    for p in unblocked.iter().take(show) {
        println!("NO SHARED KEY\n  {}\n  {}", describe(p.0), describe(p.1));
    }
    for (p, s) in low.iter().take(show) {
        println!("SCORED LOW {s}\n  {}\n  {}", describe(p.0), describe(p.1));
    }
    for (p, s) in wrong.iter().take(show) {
        println!(
            "FALSE POSITIVE {s}\n  {}\n  {}",
            describe(p.0),
            describe(p.1)
        );
    }
}

/// The same pairs weighed by m and u estimated from the base itself (EM), for comparison.
fn compare_estimated(fixture: &Fixture, profiles: &[Profile], pairs: &[Pair], model: &Model) {
    let started = Instant::now();
    let observe = |&(a, b): &Pair| {
        Observation::of(
            &score(&profiles[a as usize], &profiles[b as usize], model),
            model,
        )
    };
    let step = (pairs.len() / 1_000_000).max(1);
    let candidates: Vec<Observation> = pairs.iter().step_by(step).map(observe).collect();
    let mut rng = StdRng::seed_from_u64(11);
    let n = profiles.len() as u32;
    let random: Vec<Observation> = (0..1_000_000)
        .map(|_| (rng.random_range(0..n), rng.random_range(0..n)))
        .filter(|(a, b)| a != b)
        .map(|(a, b)| observe(&(a.min(b), a.max(b))))
        .collect();
    let estimated = estimate(
        Sample {
            candidates: &candidates,
            weight: step as f64,
            random: &random,
            all_pairs: f64::from(n) * (f64::from(n) - 1.0) / 2.0,
        },
        200,
    );
    println!(
        "EM over {} candidate and {} random pairs: {} iterations, {:.0} matches expected, prior {:.2} bits; {:.1} s",
        candidates.len(),
        random.len(),
        estimated.iterations,
        estimated.matches,
        estimated.model.prior,
        started.elapsed().as_secs_f64()
    );
    for (i, name) in FIELDS.iter().enumerate() {
        let w: Vec<String> = (0..LEVELS)
            .map(|l| format!("{:+.1}", estimated.model.weight(i, l)))
            .collect();
        println!(
            "  {name:<10} different / similar / equal: {} bits (m {}, u {})",
            w.join(" / "),
            estimated.model.m[i].map(|m| format!("{m:.3}")).join(" "),
            estimated.model.u[i].map(|u| format!("{u:.2e}")).join(" ")
        );
    }
    let found: Vec<(Uuid, Uuid, f64)> = pairs
        .iter()
        .map(|p| {
            let (x, y) = (
                fixture.customers[p.0 as usize].id,
                fixture.customers[p.1 as usize].id,
            );
            (x.min(y), x.max(y), estimated.model.probability(&observe(p)))
        })
        .collect();
    println!("with the estimated weights:");
    for min in [0.1, 0.3, 0.5, 0.7, 0.9] {
        println!("  {}", quality(&found, &fixture.truth, min));
    }
}
