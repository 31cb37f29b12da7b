//! Duplicate detection on the server: the background scanner and the wire views of scans,
//! pairs and evidence. The HTTP endpoints are in `routes::duplicate`.
//!
//! A scan runs in three phases, each reported as progress (and on the event stream):
//! `candidates` (the store joins blocking keys in SQL), `scoring` (profiles are built and pairs
//! scored on blocking threads, in chunks, so the server keeps answering) and `storing` (pairs
//! at or above the review threshold are upserted as they come, then pairs no longer found are
//! pruned).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tenure_api_types::{
    DuplicateCluster, DuplicateClusterList, DuplicatePairView, DuplicateScanView, DuplicateSide,
    MatchEvidence,
};
use tenure_domain::duplicate::blocking::count_name;
use tenure_domain::duplicate::score::COMMON_NAME;
use tenure_domain::duplicate::{Evidence, Model, Profile, Thresholds, score};
use tenure_domain::ids::OrganizationId;
use tenure_store::duplicate::pairs::PairRecord;
use tenure_store::duplicate::scan::{CandidatePairs, ScanRecord, ScoredPair, status};
use tenure_store::{Store, StoreError};
use uuid::Uuid;

use crate::state::AppState;

/// Pairs scored per round (split across the cores), stored while the next round is scored.
const SCORE_CHUNK: usize = 100_000;
/// How often a running scan reports progress.
const REPORT_EVERY: Duration = Duration::from_secs(1);
/// Customers whose profiles are loaded per round trip.
const LOAD_CHUNK: usize = 2_000;

/// Starts one scanner loop on the current runtime.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let owner = format!("scanner-{}", Uuid::now_v7().simple());
        // After an upgrade that changed the blocking keys, every organisation's are rebuilt
        // once, so the check while typing finds old records by the new keys too.
        match state.store.stale_match_keys().await {
            Ok(orgs) => {
                for org in orgs {
                    match state.store.refresh_stale_match_keys(org).await {
                        Ok(_) => tracing::info!(%org, "rebuilt blocking keys"),
                        Err(e) => {
                            tracing::warn!(%org, error = ?e, "rebuilding blocking keys failed")
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = ?e, "looking for stale blocking keys failed"),
        }
        loop {
            match state.store.claim_duplicate_scan(&owner).await {
                Ok(Some(scan)) => {
                    let id = scan.id;
                    if let Err(e) = run(&state.store, &owner, &scan).await {
                        tracing::error!(scan = %id, error = ?e, "duplicate scan failed");
                        let _ = state
                            .store
                            .finish_duplicate_scan(
                                &scan,
                                &owner,
                                status::FAILED,
                                Some(format!("{e:#}")),
                            )
                            .await;
                    }
                }
                Ok(None) => tokio::time::sleep(Duration::from_millis(500)).await,
                Err(e) => {
                    tracing::warn!(error = ?e, "claiming duplicate scans failed");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    });
}

/// Lost the scan to another worker: stop quietly.
#[derive(Debug)]
struct LeaseLost;

impl std::fmt::Display for LeaseLost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("another worker took the scan over")
    }
}

impl std::error::Error for LeaseLost {}

/// Where a scan's time went, phase by phase (logged at the end; the benchmark prints it).
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanTimings {
    /// Joining the blocking keys in SQL.
    pub candidates: Duration,
    /// Reading the customers of the pairs and normalising them.
    pub profiles: Duration,
    /// Scoring on blocking threads, with the kept pairs stored meanwhile (wall time).
    pub scoring: Duration,
    /// Upserting kept pairs (mostly while scoring goes on) and pruning pairs no longer found.
    pub storing: Duration,
}

impl std::fmt::Display for ScanTimings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "candidates {:.1} s, profiles {:.1} s, scoring {:.1} s (storing {:.1} s of it overlapped)",
            self.candidates.as_secs_f64(),
            self.profiles.as_secs_f64(),
            self.scoring.as_secs_f64(),
            self.storing.as_secs_f64()
        )
    }
}

/// Runs one claimed scan to its end (the scanner loop, and the benchmark, call it).
pub async fn run(store: &Store, owner: &str, scan: &ScanRecord) -> anyhow::Result<ScanTimings> {
    let org = OrganizationId::from_uuid(scan.organization_id);
    let report = |phase: &'static str, counts: [i64; 4]| async move {
        if store
            .duplicate_scan_progress(scan, owner, phase, counts)
            .await?
        {
            Ok(())
        } else {
            Err(anyhow::Error::new(LeaseLost))
        }
    };
    let mut timings = ScanTimings::default();
    let clock = Instant::now();
    // Keys built by an older definition would hide pairs the current one files together.
    if store.refresh_stale_match_keys(org).await? {
        tracing::info!(%org, "rebuilt blocking keys of an older definition before the scan");
    }
    let customers = i64::try_from(store.live_customer_count(org).await?).unwrap_or(i64::MAX);
    report("candidates", [0, 0, 0, customers]).await?;
    let CandidatePairs { ids, pairs } = store.duplicate_candidate_pairs(org, scan.since).await?;
    let candidates = i64::try_from(pairs.len()).unwrap_or(i64::MAX);
    report("scoring", [candidates, 0, 0, customers]).await?;
    timings.candidates = clock.elapsed();

    // Profiles by the pairs' customer index; one deleted meanwhile has none and is skipped.
    // The next chunk is read while this one is normalised on blocking threads.
    let clock = Instant::now();
    let names = Arc::new(store.duplicate_name_counts(org).await?);
    let mut profiles: Vec<Option<Profile>> = Vec::with_capacity(ids.len());
    let mut chunks = ids.chunks(LOAD_CHUNK);
    let mut next = match chunks.next() {
        Some(chunk) => Some((chunk, store.duplicate_match_inputs(org, chunk).await?)),
        None => None,
    };
    while let Some((chunk, inputs)) = next.take() {
        let names = Arc::clone(&names);
        let build = in_parallel(chunk.to_vec(), move |part| {
            part.iter()
                .map(|id| {
                    let mut profile = Profile::new(inputs.get(id)?);
                    count_name(&mut profile, &names);
                    Some(profile)
                })
                .collect::<Vec<_>>()
        });
        let read = async {
            match chunks.next() {
                Some(chunk) => Ok::<_, StoreError>(Some((
                    chunk,
                    store.duplicate_match_inputs(org, chunk).await?,
                ))),
                None => Ok(None),
            }
        };
        let (built, read) = futures_util::future::join(build, read).await;
        profiles.extend(built?.into_iter().flatten());
        next = read?;
    }
    let shared = Arc::new((ids, profiles));
    let medium = store.duplicate_thresholds(org).await?.medium;
    timings.profiles = clock.elapsed();

    // Scoring runs on every core while the previous chunk's finds are stored; progress is
    // reported about once a second.
    let clock = Instant::now();
    let (mut scored, mut found) = (0i64, 0i64);
    let mut last_report = Instant::now();
    let mut finds: Vec<ScoredPair> = Vec::new();
    let mut storing = Duration::ZERO;
    for chunk in pairs.chunks(SCORE_CHUNK) {
        let shared = Arc::clone(&shared);
        let score = in_parallel(chunk.to_vec(), move |part| {
            score_chunk(&shared.0, &shared.1, &part, medium)
        });
        let batch = std::mem::take(&mut finds);
        let save = async {
            let started = Instant::now();
            if !batch.is_empty() {
                store.store_duplicate_pairs(org, scan.id, &batch).await?;
            }
            Ok::<_, StoreError>(started.elapsed())
        };
        let (kept, saved) = futures_util::future::join(score, save).await;
        storing += saved?;
        let kept: Vec<ScoredPair> = kept?.into_iter().flatten().collect();
        scored += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
        found += i64::try_from(kept.len()).unwrap_or(i64::MAX);
        finds = kept;
        if last_report.elapsed() >= REPORT_EVERY {
            report("scoring", [candidates, scored, found, customers]).await?;
            last_report = Instant::now();
        }
    }
    let started = Instant::now();
    store.store_duplicate_pairs(org, scan.id, &finds).await?;
    storing += started.elapsed();
    timings.scoring = clock.elapsed();
    let clock = Instant::now();
    report("storing", [candidates, candidates, found, customers]).await?;
    store.prune_duplicate_pairs(scan).await?;
    store
        .finish_duplicate_scan(scan, owner, status::COMPLETED, None)
        .await?;
    timings.storing = storing + clock.elapsed();
    tracing::info!(scan = %scan.id, candidates, found, %timings, "duplicate scan completed");
    Ok(timings)
}

/// Runs `work` over `items` split into one part per core, on blocking threads; the parts'
/// results in order.
async fn in_parallel<T, R>(
    items: Vec<T>,
    work: impl Fn(Vec<T>) -> R + Send + Sync + 'static,
) -> anyhow::Result<Vec<R>>
where
    T: Send + 'static,
    R: Send + 'static,
{
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let size = items.len().div_ceil(cores).max(1);
    let work = Arc::new(work);
    let mut items = items.into_iter();
    let mut tasks = Vec::with_capacity(cores);
    loop {
        let part: Vec<T> = items.by_ref().take(size).collect();
        if part.is_empty() {
            break;
        }
        let work = Arc::clone(&work);
        tasks.push(tokio::task::spawn_blocking(move || work(part)));
    }
    let mut out = Vec::with_capacity(tasks.len());
    for task in futures_util::future::join_all(tasks).await {
        out.push(task?);
    }
    Ok(out)
}

/// Scores a chunk of candidate pairs, keeping those worth a review (at or above `medium`).
fn score_chunk(
    ids: &[Uuid],
    profiles: &[Option<Profile>],
    pairs: &[(u32, u32)],
    medium: f64,
) -> Vec<ScoredPair> {
    let model = Model::default();
    let profile = |i: u32| profiles.get(i as usize).and_then(Option::as_ref);
    pairs
        .iter()
        .filter_map(|&(li, ri)| {
            let (l, r) = (&ids[li as usize], &ids[ri as usize]);
            let matched = score(profile(li)?, profile(ri)?, &model);
            (matched.score >= medium).then(|| {
                let evidence: Vec<MatchEvidence> =
                    matched.evidence.into_iter().map(evidence_view).collect();
                ScoredPair {
                    left: *l,
                    right: *r,
                    score: matched.score,
                    signature: signature(&evidence),
                    evidence: serde_json::to_value(&evidence).unwrap_or_default(),
                }
            })
        })
        .collect()
}

/// A fingerprint of what a pair's score compared (FNV-1a over each field's two values): it
/// changes exactly when one of the records changes in a way matching reads.
fn signature(evidence: &[MatchEvidence]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    // How common a name is changes with other records, not with these two.
    for e in evidence.iter().filter(|e| e.rule != COMMON_NAME) {
        for part in [
            e.field.as_str(),
            "\u{1f}",
            &e.left,
            "\u{1f}",
            &e.right,
            "\u{1e}",
        ] {
            for byte in part.bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    format!("{hash:016x}")
}

/// Weights to three decimals: enough to explain, stable to compare.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub fn evidence_view(e: Evidence) -> MatchEvidence {
    MatchEvidence {
        field: e.field.to_owned(),
        left: e.left,
        right: e.right,
        similarity: e.similarity,
        weight: round(e.weight),
        contribution: round(e.contribution),
        rule: e.rule.to_owned(),
    }
}

pub fn confidence(score: f64, thresholds: &Thresholds) -> String {
    thresholds.confidence(score).to_owned()
}

pub fn scan_view(scan: &ScanRecord) -> DuplicateScanView {
    let percent = match scan.status.as_str() {
        "completed" => 100.0,
        _ if scan.candidates > 0 => {
            // Candidates are a fifth of the work, scoring the rest.
            20.0 + 80.0 * scan.scored as f64 / scan.candidates as f64
        }
        "running" => 5.0,
        _ => 0.0,
    };
    DuplicateScanView {
        id: scan.id,
        mode: scan.mode.clone(),
        status: scan.status.clone(),
        phase: scan.phase.clone(),
        candidates: scan.candidates,
        scored: scan.scored,
        pairs: scan.pairs,
        customers: scan.customers,
        candidates_per_customer: if scan.customers > 0 {
            (scan.candidates as f64 / scan.customers as f64 * 1000.0).round() / 1000.0
        } else {
            0.0
        },
        percent: (percent * 10.0).round() / 10.0,
        message: scan.message.clone(),
        created_by: scan.created_by_label.clone(),
        started_at: scan.started_at,
        finished_at: scan.finished_at,
        created_at: scan.created_at,
    }
}

pub fn pair_view(pair: PairRecord, thresholds: &Thresholds) -> DuplicatePairView {
    DuplicatePairView {
        id: pair.id,
        left: DuplicateSide {
            customer_id: pair.left_id,
            customer_code: pair.left_code,
            name: pair.left_name,
        },
        right: DuplicateSide {
            customer_id: pair.right_id,
            customer_code: pair.right_code,
            name: pair.right_name,
        },
        score: pair.score,
        confidence: confidence(pair.score, thresholds),
        evidence: serde_json::from_value(pair.evidence).unwrap_or_default(),
        status: pair.status,
        reviewed_by: pair.reviewed_by_label,
        reviewed_at: pair.reviewed_at,
        updated_at: pair.updated_at,
    }
}

/// One page of the organisation's clusters of open pairs scoring at least `min_score`,
/// strongest first; `offset` is the page's start (the list's cursor).
pub async fn cluster_page(
    store: &Store,
    org: OrganizationId,
    thresholds: &Thresholds,
    min_score: f64,
    offset: u64,
    limit: u64,
) -> Result<DuplicateClusterList, crate::error::ApiError> {
    let edges = store.duplicate_edges(org, min_score).await?;
    let clusters =
        tokio::task::spawn_blocking(move || tenure_domain::duplicate::cluster::clusters(&edges))
            .await
            .map_err(|e| crate::error::ApiError::Internal(e.into()))?;
    let total = clusters.len() as u64;
    let page: Vec<_> = clusters
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    let ids: Vec<Uuid> = page.iter().flat_map(|c| c.members.clone()).collect();
    let labels = store.customer_labels(org, &ids).await?;
    let side = |id: &Uuid| {
        let (customer_code, name) = labels.get(id).cloned().unwrap_or_default();
        DuplicateSide {
            customer_id: *id,
            customer_code,
            name,
        }
    };
    let items = page
        .into_iter()
        .map(|c| DuplicateCluster {
            key: c.members[0],
            customers: c.members.iter().map(side).collect(),
            pair_ids: c.pairs.iter().map(|p| p.pair).collect(),
            best_score: c.best,
            weakest_score: c.weakest,
            confidence: confidence(c.best, thresholds),
        })
        .collect();
    let next = offset + limit;
    Ok(DuplicateClusterList {
        items,
        total,
        next_cursor: (next < total).then(|| next.to_string()),
    })
}
