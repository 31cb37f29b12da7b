//! Estimating match weights from an organisation's own records, unlabelled: Fellegi-Sunter's m
//! and u by expectation-maximisation, the way Splink and fastLink do it.
//!
//! Each field a pair compares lands on one of three levels: different (similarity at or below
//! the field's floor), similar, or equal. For each field and level, `m` is how often a true
//! match lands there and `u` how often two different entities do. `u` comes from *random*
//! pairs (all but a few are different entities; the few matches' part is taken out once EM
//! knows how many there are), `m` from EM over the candidate pairs a scan compares. The prior
//! is the share of matches among all pairs of the base, so a pair's odds fall as the base
//! grows, as they should.
//!
//! Holding `u` to random pairs is what keeps EM honest. Estimated among candidates, which
//! share a blocking key by construction, `u` soaks up the blocking, and EM settles on "a match
//! is a pair with the same email" (measured on our benchmark: recall fell from 0.94 to 0.77).
//!
//! Not yet the scan's model (see [`LevelModel`] for why); the benchmark compares the two.
//! Pure: no I/O, deterministic.

use super::score::{COMMON_NAME, MatchScore, Model};

/// The fields a model weighs, in [`Model::field`]'s names.
pub const FIELDS: [&str; 9] = [
    "name",
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "domain",
    "address",
    "tax_id",
];

/// Different, similar, equal.
pub const LEVELS: usize = 3;

/// What one compared pair shows the estimator: each field's level (None when a side lacks
/// it), and the log-odds the estimator leaves as they are (the common-name discount and the
/// one-sided penalty).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub levels: [Option<u8>; FIELDS.len()],
    pub offset: f64,
}

impl Observation {
    /// Reads a scored pair (scored with `model`, whose floors set the levels).
    pub fn of(scored: &MatchScore, model: &Model) -> Observation {
        let mut levels = [None; FIELDS.len()];
        let mut offset = 0.0;
        for e in &scored.evidence {
            if e.rule == COMMON_NAME || e.rule == "one_sided" {
                offset += e.contribution;
                continue;
            }
            let (Some(i), Some(field)) = (
                FIELDS.iter().position(|f| *f == e.field),
                model.field(e.field),
            ) else {
                continue;
            };
            levels[i] = Some(if e.similarity >= 1.0 {
                2
            } else if e.similarity > field.floor {
                1
            } else {
                0
            });
        }
        Observation { levels, offset }
    }
}

/// Weights by level: `m[field][level]` and `u[field][level]` (each field's levels sum to 1),
/// and the prior log2-odds of a match between two records of the base.
///
/// It scores a pair as the sum of its fields' log2(m/u) plus the prior and the offset. It is
/// not yet the scan's model: on our benchmark (`tenure-bench duplicates --in-memory`) it
/// reaches F1 0.907 at 0.5 where [`Model`] reaches 0.967 (100k customers), and 0.875 against
/// 0.962 (1M), with precision 0.9999 but recall 0.83 and 0.78. What it lacks is term frequencies: one u for "equal family name" averages
/// Smith with names only one family bears, so two records agreeing on a rare name and
/// nothing else stay below the prior, where [`Model`]'s calibrated weights (and its
/// common-name discount) find them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelModel {
    pub m: [[f64; LEVELS]; FIELDS.len()],
    pub u: [[f64; LEVELS]; FIELDS.len()],
    pub prior: f64,
}

impl LevelModel {
    /// log2(m/u) of a field at a level.
    pub fn weight(&self, field: usize, level: usize) -> f64 {
        (self.m[field][level] / self.u[field][level]).log2()
    }

    /// The log2-odds that the observed pair is a match.
    pub fn log_odds(&self, o: &Observation) -> f64 {
        let mut sum = self.prior + o.offset;
        for (i, level) in o.levels.iter().enumerate() {
            if let Some(level) = level {
                sum += self.weight(i, usize::from(*level));
            }
        }
        sum
    }

    /// The probability that the observed pair is a match.
    pub fn probability(&self, o: &Observation) -> f64 {
        1.0 / (1.0 + (-self.log_odds(o)).exp2())
    }
}

/// What the estimator reads.
#[derive(Debug, Clone, Copy)]
pub struct Sample<'a> {
    /// Candidate pairs (all of them, or a sample).
    pub candidates: &'a [Observation],
    /// How many candidate pairs each sampled one stands for (1 when all were read).
    pub weight: f64,
    /// Random pairs of the base.
    pub random: &'a [Observation],
    /// How many pairs the base holds, n(n-1)/2.
    pub all_pairs: f64,
}

/// An estimate and how it was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub model: LevelModel,
    pub iterations: usize,
    /// Expected matches in the whole base.
    pub matches: f64,
}

/// m's starting point: matches are mostly equal, seldom different.
const START_M: [f64; LEVELS] = [0.05, 0.15, 0.8];

/// Estimates u from the random pairs, then m and the number of matches by EM over the
/// candidates, until no weight moves by a thousandth of a bit (at most `max_iterations`).
pub fn estimate(sample: Sample<'_>, max_iterations: usize) -> Estimate {
    let mut model = LevelModel {
        m: [START_M; FIELDS.len()],
        u: [[0.0; LEVELS]; FIELDS.len()],
        prior: 0.0,
    };
    // How often random pairs land on each level: mostly chance among different entities, plus
    // the few true matches a random sample holds (taken out below, once their share is known).
    let mut chance = [[0.0f64; LEVELS]; FIELDS.len()];
    let mut floor = [0.0f64; FIELDS.len()];
    for i in 0..FIELDS.len() {
        let mut counts = [0.0f64; LEVELS];
        for level in sample.random.iter().filter_map(|o| o.levels[i]) {
            counts[usize::from(level)] += 1.0;
        }
        // Half a pair added to each level: a level never seen by chance in the sample still
        // has a finite weight, as rare as the sample can tell.
        let seen: f64 = counts.iter().sum::<f64>() + 0.5 * LEVELS as f64;
        floor[i] = 0.5 / seen;
        for (level, count) in counts.iter().enumerate() {
            chance[i][level] = (count + 0.5) / seen;
        }
    }
    model.u = chance;
    let all_pairs = sample.all_pairs.max(2.0);
    let log_odds_of = |matches: f64| {
        let share = (matches / all_pairs).clamp(1e-12, 0.5);
        (share / (1.0 - share)).log2()
    };
    // Start: a fiftieth of the candidates are matches.
    let mut matches = (0.02 * sample.candidates.len() as f64 * sample.weight).max(1.0);
    model.prior = log_odds_of(matches);
    let mut iterations = 0;
    while iterations < max_iterations && !sample.candidates.is_empty() {
        iterations += 1;
        let mut counts = [[0.0f64; LEVELS]; FIELDS.len()];
        let mut total = 0.0;
        for o in sample.candidates {
            let g = model.probability(o);
            total += g;
            for (i, level) in o.levels.iter().enumerate() {
                if let Some(level) = level {
                    counts[i][usize::from(*level)] += g;
                }
            }
        }
        let mut moved = 0.0f64;
        for (i, field) in counts.iter().enumerate() {
            let seen: f64 = field.iter().sum::<f64>() + 0.5 * LEVELS as f64;
            for (level, count) in field.iter().enumerate() {
                let m = (count + 0.5) / seen;
                let before = model.weight(i, level);
                model.m[i][level] = m;
                moved = moved.max((model.weight(i, level) - before).abs());
            }
        }
        matches = (total * sample.weight).max(1.0);
        // A random pair is a match with probability λ, so what random pairs show is
        // λ·m + (1-λ)·u: u is what is left once the matches' part is taken out. Where matches
        // are as rare as agreement by chance (an exact company name), this is most of it.
        let share = (matches / all_pairs).min(0.5);
        for (i, by_chance) in chance.iter().enumerate() {
            for (level, seen) in by_chance.iter().enumerate() {
                let before = model.weight(i, level);
                model.u[i][level] =
                    ((seen - share * model.m[i][level]) / (1.0 - share)).max(floor[i]);
                moved = moved.max((model.weight(i, level) - before).abs());
            }
        }
        let prior = log_odds_of(matches);
        moved = moved.max((prior - model.prior).abs());
        model.prior = prior;
        if moved < 1e-3 {
            break;
        }
    }
    Estimate {
        model,
        iterations,
        matches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so the tests need no crate.
    struct Draw(u64);

    impl Draw {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }

        fn level(&mut self, p: &[f64; LEVELS]) -> u8 {
            let x = self.next();
            if x < p[0] {
                0
            } else if x < p[0] + p[1] {
                1
            } else {
                2
            }
        }
    }

    /// The truth the tests draw from: every field's m and u by level.
    fn truth() -> LevelModel {
        let mut model = LevelModel {
            m: [[0.1, 0.2, 0.7]; FIELDS.len()],
            u: [[0.97, 0.02, 0.01]; FIELDS.len()],
            prior: 0.0,
        };
        model.m[4] = [0.3, 0.05, 0.65];
        model.u[4] = [0.999, 0.0009, 0.0001];
        model
    }

    /// A base of `pool` non-matching pairs and `matches` true ones: the candidates are every
    /// match and the non-matches that agree equally on some field (as blocking picks them);
    /// `random` are pairs drawn at random from the whole base, matches among them.
    fn base(
        truth: &LevelModel,
        matches: usize,
        pool: usize,
        seed: u64,
    ) -> (Vec<Observation>, Vec<Observation>) {
        let mut draw = Draw(seed);
        let pair = |draw: &mut Draw, probabilities: &[[f64; LEVELS]; FIELDS.len()]| {
            let mut levels = [None; FIELDS.len()];
            for (i, p) in probabilities.iter().enumerate() {
                // Two fields in three are held by both records.
                if draw.next() < 2.0 / 3.0 {
                    levels[i] = Some(draw.level(p));
                }
            }
            Observation {
                levels,
                offset: 0.0,
            }
        };
        let mut candidates: Vec<Observation> =
            (0..matches).map(|_| pair(&mut draw, &truth.m)).collect();
        for _ in 0..pool {
            let o = pair(&mut draw, &truth.u);
            if o.levels.iter().flatten().any(|l| *l == 2) {
                candidates.push(o);
            }
        }
        let share = matches as f64 / (matches + pool) as f64;
        let random = (0..200_000)
            .map(|_| {
                let is_match = draw.next() < share;
                pair(&mut draw, if is_match { &truth.m } else { &truth.u })
            })
            .collect();
        (candidates, random)
    }

    /// EM over every candidate, to convergence.
    fn estimated(candidates: &[Observation], random: &[Observation], all_pairs: f64) -> Estimate {
        estimate(
            Sample {
                candidates,
                weight: 1.0,
                random,
                all_pairs,
            },
            200,
        )
    }

    #[test]
    fn em_recovers_m_from_candidates_picked_by_agreement_and_u_from_random_pairs() {
        let truth = truth();
        let (candidates, random) = base(&truth, 4_000, 400_000, 7);
        let estimate = estimated(&candidates, &random, 404_000.0);
        assert!(
            (estimate.matches - 4_000.0).abs() < 400.0,
            "matches {}",
            estimate.matches
        );
        for (i, name) in FIELDS.iter().enumerate() {
            for level in 0..LEVELS {
                let (m, want) = (estimate.model.m[i][level], truth.m[i][level]);
                assert!((m - want).abs() < 0.05, "{name} m[{level}] {m} vs {want}");
                let (u, want) = (estimate.model.u[i][level], truth.u[i][level]);
                assert!((u - want).abs() < 0.005, "{name} u[{level}] {u} vs {want}");
            }
        }
    }

    #[test]
    fn the_matches_among_random_pairs_are_not_taken_for_chance() {
        // Different entities never share a name here, so every equal name among random pairs
        // is one of the matches they hold: u must fall to what the sample can tell, not stay
        // at the matches' own share.
        let mut truth = truth();
        truth.u[0] = [0.99, 0.01, 0.0];
        let (candidates, random) = base(&truth, 4_000, 400_000, 5);
        let estimate = estimated(&candidates, &random, 404_000.0);
        let equal_by_chance = random.iter().filter(|o| o.levels[0] == Some(2)).count() as f64
            / random.iter().filter(|o| o.levels[0].is_some()).count() as f64;
        let naive = (estimate.model.m[0][2] / equal_by_chance).log2();
        assert!(
            estimate.model.weight(0, 2) > naive + 5.0,
            "{} bits against {naive}",
            estimate.model.weight(0, 2)
        );
    }

    #[test]
    fn em_is_deterministic_and_every_weight_is_finite() {
        let (candidates, random) = base(&truth(), 300, 30_000, 11);
        let sample = Sample {
            candidates: &candidates,
            weight: 1.0,
            random: &random,
            all_pairs: 1e5,
        };
        let (a, b) = (estimate(sample, 50), estimate(sample, 50));
        assert_eq!(a, b);
        // A field nobody holds still has finite weights (the smoothing's).
        let none = estimated(&[], &[], 1e5);
        for i in 0..FIELDS.len() {
            for level in 0..LEVELS {
                assert!(a.model.weight(i, level).is_finite());
                assert!(none.model.weight(i, level).is_finite());
            }
        }
        assert_eq!(none.iterations, 0);
    }

    #[test]
    fn an_observation_reads_levels_and_keeps_the_discounts_aside() {
        use crate::duplicate::{MatchInput, Profile, score};
        let input = |name: &str, email: &str| MatchInput {
            kind: Some(crate::customer::CustomerKind::Company),
            name: Some(name.to_owned()),
            emails: vec![email.to_owned()],
            ..MatchInput::default()
        };
        let model = Model::default();
        let a = Profile::new(&input("Acme Widgets", "sales@acme.example"));
        let mut b = Profile::new(&input("Acme Widgts", "info@globex.example"));
        b.address = vec!["1".to_owned(), "main".to_owned()];
        let o = Observation::of(&score(&a, &b, &model), &model);
        assert_eq!(o.levels[0], Some(1), "a typo'd name is similar");
        assert_eq!(o.levels[4], Some(0), "different mailboxes are different");
        assert_eq!(o.levels[7], None, "an address on one side is not compared");
        assert!((o.offset + model.one_sided).abs() < 1e-9, "{o:?}");
    }
}
