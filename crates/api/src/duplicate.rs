//! Duplicate detection on the server: the background scanner and the wire views of scans,
//! pairs and evidence. The HTTP endpoints are in `routes::duplicate`.
//!
//! A scan runs in three phases, each reported as progress (and on the event stream):
//! `candidates` (the store joins blocking keys in SQL), `scoring` (profiles are built and pairs
//! scored on blocking threads, in chunks, so the server keeps answering) and `storing` (pairs
//! at or above the review threshold are upserted as they come, then pairs no longer found are
//! pruned).

use std::sync::Arc;
use std::time::Duration;

use tenure_api_types::{
    DuplicateCluster, DuplicateClusterList, DuplicatePairView, DuplicateScanView, DuplicateSide,
    MatchEvidence,
};
use tenure_domain::duplicate::{Evidence, Model, Profile, Thresholds, score};
use tenure_domain::ids::OrganizationId;
use tenure_store::Store;
use tenure_store::duplicate::pairs::PairRecord;
use tenure_store::duplicate::scan::{CandidatePairs, ScanRecord, ScoredPair, status};
use uuid::Uuid;

use crate::state::AppState;

/// Pairs scored per blocking task (and between two progress reports).
const SCORE_CHUNK: usize = 5_000;
/// Customers whose profiles are loaded per round trip.
const LOAD_CHUNK: usize = 2_000;

/// Starts one scanner loop on the current runtime.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let owner = format!("scanner-{}", Uuid::now_v7().simple());
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

/// Runs one claimed scan to its end (the scanner loop, and the benchmark, call it).
pub async fn run(store: &Store, owner: &str, scan: &ScanRecord) -> anyhow::Result<()> {
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
    let customers = i64::try_from(store.live_customer_count(org).await?).unwrap_or(i64::MAX);
    report("candidates", [0, 0, 0, customers]).await?;
    let CandidatePairs { ids, pairs } = store.duplicate_candidate_pairs(org, scan.since).await?;
    let candidates = i64::try_from(pairs.len()).unwrap_or(i64::MAX);
    report("scoring", [candidates, 0, 0, customers]).await?;

    // Profiles by the pairs' customer index; one deleted meanwhile has none and is skipped.
    let mut profiles: Vec<Option<Profile>> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(LOAD_CHUNK) {
        let inputs = store.duplicate_match_inputs(org, chunk).await?;
        let chunk = chunk.to_vec();
        let built = tokio::task::spawn_blocking(move || {
            chunk
                .iter()
                .map(|id| inputs.get(id).map(Profile::new))
                .collect::<Vec<_>>()
        })
        .await?;
        profiles.extend(built);
    }
    let shared = Arc::new((ids, profiles));
    let medium = store.duplicate_thresholds(org).await?.medium;

    let (mut scored, mut found) = (0i64, 0i64);
    for chunk in pairs.chunks(SCORE_CHUNK) {
        let chunk = chunk.to_vec();
        let covered = i64::try_from(chunk.len()).unwrap_or(i64::MAX);
        let shared = Arc::clone(&shared);
        let keep =
            tokio::task::spawn_blocking(move || score_chunk(&shared.0, &shared.1, &chunk, medium))
                .await?;
        scored += covered;
        found += i64::try_from(keep.len()).unwrap_or(i64::MAX);
        store.store_duplicate_pairs(org, scan.id, &keep).await?;
        report("scoring", [candidates, scored, found, customers]).await?;
    }
    report("storing", [candidates, candidates, found, customers]).await?;
    store.prune_duplicate_pairs(scan).await?;
    store
        .finish_duplicate_scan(scan, owner, status::COMPLETED, None)
        .await?;
    Ok(())
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
    for e in evidence {
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
