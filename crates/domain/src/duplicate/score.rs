//! Scoring a pair: each field both records have is compared, its similarity turned into a
//! Fellegi-Sunter weight (log2 of m/u when it agrees, of (1-m)/(1-u) when it does not, graded in
//! between), and the weights summed. The score is the match probability of that sum relative to
//! the probability the same fields would give if they all agreed: in [0, 1], symmetric, and 1
//! for a record against itself. Every field's part is returned as [`Evidence`], so a reviewer
//! sees why two records match.

use chrono::{Datelike, NaiveDate};

use crate::customer::CustomerKind;
use crate::values::CountryCode;

use super::compare::{
    jaro_winkler, levenshtein, name_similarity, token_set_ratio, typo_tolerant_tokens,
};
use super::normalize;

/// A record as the matcher sees it, before normalisation (what a customer or a draft holds).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchInput {
    pub kind: Option<CustomerKind>,
    /// The display name (a company's name, or a person's full name).
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// The customer's own email first, then its contacts'.
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub website: Option<String>,
    /// Street line of the main address.
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub tax_id: Option<String>,
    /// Reads national phone numbers.
    pub country: Option<CountryCode>,
}

/// A normalised record: what comparators and blocking keys read. Ordered only so a pair can
/// be scored in one canonical orientation.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Profile {
    pub person: bool,
    /// Company-name tokens (for people, the folded full name).
    pub name: Vec<String>,
    /// The canonical given name (nicknames resolved) and the given name as folded.
    pub first: Option<String>,
    pub given: Option<String>,
    pub last: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub domain: Option<String>,
    pub address: Vec<String>,
    /// The building the address names, for blocking: the postal code with the house number
    /// (or, without a postal code, the number with the street's name), so a typo in the
    /// street or a different way of writing it still meets.
    pub building: Option<String>,
    pub tax_id: Option<String>,
    /// How many customers of the organisation bear this exact name ([`super::blocking::frequency_key`]);
    /// set by whoever knows the base, 0 when unknown. Sharing a common name is weak evidence.
    pub name_count: u32,
}

impl Profile {
    pub fn new(input: &MatchInput) -> Profile {
        let person = input.kind == Some(CustomerKind::Person);
        let name = input.name.as_deref().unwrap_or_default();
        let given_of = |s: &str| {
            crate::search::fold(s)
                .split(' ')
                .next()
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let (mut given, mut last) = (
            input.first_name.as_deref().and_then(given_of),
            input.last_name.as_deref().and_then(normalize::last_name),
        );
        if person && given.is_none() && last.is_none() {
            // "Jane van der Berg": the first word is the given name, the rest the family name.
            let folded = crate::search::fold(name);
            if let Some((first_word, family)) = folded.split_once(' ') {
                given = Some(first_word.to_owned());
                last = normalize::last_name(family);
            } else {
                last = normalize::last_name(&folded);
            }
        }
        let first = given.as_deref().and_then(normalize::first_name);
        let mut emails: Vec<String> = input
            .emails
            .iter()
            .filter_map(|e| normalize::email(e))
            .collect();
        emails.sort();
        emails.dedup();
        let mut phones: Vec<String> = input
            .phones
            .iter()
            .filter_map(|p| normalize::phone(p, input.country.as_ref()))
            .collect();
        phones.sort();
        phones.dedup();
        let domain = input
            .website
            .as_deref()
            .and_then(normalize::registrable_domain)
            .or_else(|| {
                // A company's own email (the first one; the rest are its contacts') stands in
                // for its web domain, unless it is free mail.
                (!person)
                    .then(|| input.emails.first())
                    .flatten()
                    .and_then(|e| normalize::registrable_domain(e))
            });
        let mut address = input
            .address
            .as_deref()
            .map(normalize::address)
            .unwrap_or_default();
        let postal: Option<String> = input
            .postal_code
            .as_deref()
            .map(|p| crate::search::fold(p).split(' ').collect())
            .filter(|p: &String| !p.is_empty());
        let building = normalize::building(&address, postal.as_deref());
        if let Some(postal) = postal
            && !address.is_empty()
        {
            address.push(postal);
        }
        Profile {
            person,
            name: if person {
                crate::search::fold(name)
                    .split(' ')
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect()
            } else {
                normalize::company_name(name)
            },
            first,
            given,
            last,
            birth_date: input.birth_date,
            emails,
            phones,
            domain,
            address,
            building,
            tax_id: input.tax_id.as_deref().and_then(normalize::tax_id),
            name_count: 0,
        }
    }
}

/// How one field's agreement is weighed: `m` = P(agree | same entity), `u` = P(agree | different
/// entities); similarity at or below `floor` counts as full disagreement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldModel {
    pub m: f64,
    pub u: f64,
    pub floor: f64,
}

impl FieldModel {
    /// The weight of full agreement, log2(m/u).
    pub fn agree(&self) -> f64 {
        (self.m / self.u).log2()
    }

    /// The weight of disagreement, log2((1-m)/(1-u)) (negative).
    pub fn disagree(&self) -> f64 {
        ((1.0 - self.m) / (1.0 - self.u)).log2()
    }

    /// The weight of a similarity: disagreement up to the floor, then linear up to agreement.
    pub fn weigh(&self, similarity: f64) -> f64 {
        if similarity <= self.floor {
            return self.disagree();
        }
        let t = ((similarity - self.floor) / (1.0 - self.floor)).clamp(0.0, 1.0);
        self.disagree() + (self.agree() - self.disagree()) * t
    }
}

/// The weights of every field and the prior odds of a match. Calibrated defaults; an
/// organisation's own estimates (EM over its data) can replace them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub name: FieldModel,
    pub first_name: FieldModel,
    pub last_name: FieldModel,
    pub birth_date: FieldModel,
    pub email: FieldModel,
    pub phone: FieldModel,
    pub domain: FieldModel,
    pub address: FieldModel,
    pub tax_id: FieldModel,
    /// log2 of the prior odds that a compared pair is a match.
    pub prior: f64,
    /// What a field held by only one of the two records takes off (a bare namesake against a
    /// full record is weaker than two full records agreeing). 0 for a draft being typed, which
    /// is incomplete by nature.
    pub one_sided: f64,
}

impl Model {
    /// The model of a field by its evidence name.
    pub fn field(&self, name: &str) -> Option<&FieldModel> {
        Some(match name {
            "name" => &self.name,
            "first_name" => &self.first_name,
            "last_name" => &self.last_name,
            "birth_date" => &self.birth_date,
            "email" => &self.email,
            "phone" => &self.phone,
            "domain" => &self.domain,
            "address" => &self.address,
            "tax_id" => &self.tax_id,
            _ => return None,
        })
    }

    /// The model for a record still being typed: missing fields are not held against it.
    pub fn for_draft() -> Model {
        Model {
            one_sided: 0.0,
            ..Model::default()
        }
    }
}

impl Default for Model {
    fn default() -> Model {
        let f = |m, u, floor| FieldModel { m, u, floor };
        Model {
            name: f(0.95, 0.005, 0.7),
            first_name: f(0.92, 0.1, 0.75),
            last_name: f(0.95, 0.1, 0.8),
            birth_date: f(0.97, 0.003, 0.5),
            email: f(0.7, 0.0001, 0.85),
            phone: f(0.7, 0.0005, 0.85),
            domain: f(0.85, 0.001, 0.99),
            address: f(0.75, 0.002, 0.6),
            tax_id: f(0.9, 0.00001, 0.79),
            prior: -4.5,
            one_sided: 0.5,
        }
    }
}

/// One field's part in a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub field: &'static str,
    pub left: String,
    pub right: String,
    pub similarity: f64,
    /// The field's weight when it fully agrees.
    pub weight: f64,
    /// What it added (negative when it speaks against a match).
    pub contribution: f64,
    /// How it was compared: `exact`, `jaro_winkler`, `token_set`, `nickname`, `swapped`, ...
    pub rule: &'static str,
}

/// A pair's score and its evidence, field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchScore {
    pub score: f64,
    pub evidence: Vec<Evidence>,
}

/// Scores two records. Fields only one side has are not evidence either way. Symmetric: the pair
/// is scored in one canonical orientation and the evidence's sides follow the caller's order.
pub fn score(a: &Profile, b: &Profile, model: &Model) -> MatchScore {
    if b < a {
        let mut result = score_ordered(b, a, model);
        for e in &mut result.evidence {
            std::mem::swap(&mut e.left, &mut e.right);
        }
        return result;
    }
    score_ordered(a, b, model)
}

fn score_ordered(a: &Profile, b: &Profile, model: &Model) -> MatchScore {
    let mut evidence = Vec::new();
    let mut push = |field, left: String, right: String, similarity: f64, rule, m: &FieldModel| {
        let similarity = (similarity.clamp(0.0, 1.0) * 1e6).round() / 1e6;
        evidence.push(Evidence {
            field,
            left,
            right,
            similarity,
            weight: m.agree(),
            contribution: m.weigh(similarity),
            rule,
        });
    };

    if a.person && b.person {
        person_names(a, b, model, &mut push);
    } else if !a.name.is_empty() && !b.name.is_empty() {
        let joined = |p: &Profile| p.name.join(" ");
        // Words, not characters: Jaro-Winkler rewards a shared start, and for companies a
        // shared start with another syllable is usually another company.
        let (similarity, rule) = if a.name == b.name {
            (1.0, "exact")
        } else {
            typo_tolerant_tokens(&a.name, &b.name)
                .unwrap_or_else(|| (name_similarity(&a.name, &b.name), "token_set"))
        };
        push("name", joined(a), joined(b), similarity, rule, &model.name);
    }
    if let (Some(x), Some(y)) = (a.birth_date, b.birth_date) {
        let (similarity, rule) = dates(x, y);
        push(
            "birth_date",
            x.to_string(),
            y.to_string(),
            similarity,
            rule,
            &model.birth_date,
        );
    }
    if let Some((x, y, similarity, rule)) = best_pair(&a.emails, &b.emails, emails) {
        push("email", x, y, similarity, rule, &model.email);
    }
    if let Some((x, y, similarity, rule)) = best_pair(&a.phones, &b.phones, phones) {
        push("phone", x, y, similarity, rule, &model.phone);
    }
    if let (Some(x), Some(y)) = (&a.domain, &b.domain) {
        let same = x == y;
        push(
            "domain",
            x.clone(),
            y.clone(),
            if same { 1.0 } else { 0.0 },
            if same {
                "registrable_domain"
            } else {
                "different"
            },
            &model.domain,
        );
    }
    if !a.address.is_empty() && !b.address.is_empty() {
        let similarity = token_set_ratio(&a.address, &b.address);
        push(
            "address",
            a.address.join(" "),
            b.address.join(" "),
            similarity,
            if similarity == 1.0 {
                "exact"
            } else {
                "token_set"
            },
            &model.address,
        );
    }
    if let (Some(x), Some(y)) = (&a.tax_id, &b.tax_id) {
        let similarity = if x == y {
            1.0
        } else if strsim::levenshtein(x, y) == 1 {
            0.8
        } else {
            0.0
        };
        push(
            "tax_id",
            x.clone(),
            y.clone(),
            similarity,
            if x == y { "exact" } else { "levenshtein" },
            &model.tax_id,
        );
    }

    common_name(a, b, &mut evidence);
    let fields: [(&'static str, bool, bool); 6] = [
        ("birth_date", a.birth_date.is_some(), b.birth_date.is_some()),
        ("email", !a.emails.is_empty(), !b.emails.is_empty()),
        ("phone", !a.phones.is_empty(), !b.phones.is_empty()),
        ("domain", a.domain.is_some(), b.domain.is_some()),
        ("address", !a.address.is_empty(), !b.address.is_empty()),
        ("tax_id", a.tax_id.is_some(), b.tax_id.is_some()),
    ];
    // Only one record holds it: nothing to compare, but less alike than two full records.
    for (field, has_a, has_b) in fields {
        if has_a != has_b && model.one_sided > 0.0 {
            let mark = |has: bool| if has { "(given)" } else { "" }.to_owned();
            evidence.push(Evidence {
                field,
                left: mark(has_a),
                right: mark(has_b),
                similarity: 0.0,
                weight: 0.0,
                contribution: -model.one_sided,
                rule: "one_sided",
            });
        }
    }
    let total: f64 = evidence.iter().map(|e| e.contribution).sum();
    let best: f64 = evidence.iter().map(|e| e.weight).sum();
    let worst: f64 = evidence
        .iter()
        .filter(|e| e.weight > 0.0)
        .filter_map(|e| model.field(e.field))
        .map(FieldModel::disagree)
        .sum();
    // A common name (weight 0) is not enough to be sure of, however equal the rest.
    let identical = evidence
        .iter()
        .all(|e| e.similarity == 1.0 && e.weight > 0.0);
    let score = if best <= worst {
        0.0
    } else if identical {
        // Equal on every field either record holds: the records cannot be told apart.
        1.0
    } else {
        let p = 1.0 / (1.0 + (-(total + model.prior)).exp2());
        (p.clamp(0.0, 1.0) * 1e4).round() / 1e4
    };
    MatchScore { score, evidence }
}

/// The rule of the evidence that discounts a shared common name.
pub const COMMON_NAME: &str = "common_name";

/// A name borne by n customers agrees by chance n/2 times as often as a name only the two
/// records bear (value-frequency weighting, as in Fellegi-Sunter with term frequencies): what the
/// names added is cut by log2(n/2), never below nothing.
fn common_name(a: &Profile, b: &Profile, evidence: &mut Vec<Evidence>) {
    let shared = a.name_count.max(b.name_count);
    let added: f64 = evidence
        .iter()
        .filter(|e| matches!(e.field, "name" | "first_name" | "last_name"))
        .map(|e| e.contribution)
        .sum();
    if shared <= 2 || added <= 0.0 {
        return;
    }
    let count = |n: u32| format!("{n} with this name");
    evidence.push(Evidence {
        field: "name",
        left: count(a.name_count),
        right: count(b.name_count),
        similarity: 0.0,
        weight: 0.0,
        contribution: -(f64::from(shared) / 2.0).log2().min(added),
        rule: COMMON_NAME,
    });
}

/// First and last names, in either order ("Smith John" is John Smith), with nicknames.
fn person_names(
    a: &Profile,
    b: &Profile,
    model: &Model,
    push: &mut impl FnMut(&'static str, String, String, f64, &'static str, &FieldModel),
) {
    let sim = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => Some(jaro_winkler(x, y)),
        _ => None,
    };
    let sum = |pair: [Option<f64>; 2]| pair.iter().flatten().sum::<f64>();
    let direct = [sim(&a.first, &b.first), sim(&a.last, &b.last)];
    let swapped = [sim(&a.first, &b.last), sim(&a.last, &b.first)];
    // Order the comparison so that a-vs-b and b-vs-a pick the same assignment.
    let use_swapped = sum(swapped) > sum(direct) + 1e-9;
    let (first_b, last_b) = if use_swapped {
        (&b.last, &b.first)
    } else {
        (&b.first, &b.last)
    };
    let rule = |x: &str, y: &str, exact: bool| {
        if use_swapped {
            "swapped"
        } else if exact {
            "exact"
        } else if x == y {
            "nickname"
        } else {
            "jaro_winkler"
        }
    };
    if let (Some(x), Some(y)) = (&a.first, first_b) {
        let exact = !use_swapped && a.given == b.given;
        push(
            "first_name",
            x.clone(),
            y.clone(),
            jaro_winkler(x, y),
            rule(x, y, exact),
            &model.first_name,
        );
    }
    if let (Some(x), Some(y)) = (&a.last, last_b) {
        push(
            "last_name",
            x.clone(),
            y.clone(),
            jaro_winkler(x, y),
            rule(x, y, x == y),
            &model.last_name,
        );
    }
}

/// Equal dates agree; day and month swapped or one digit off nearly; the same month and year a
/// little.
fn dates(x: NaiveDate, y: NaiveDate) -> (f64, &'static str) {
    if x == y {
        return (1.0, "exact");
    }
    if x.year() == y.year() && x.month() == y.day() && x.day() == y.month() {
        return (0.8, "day_month_swapped");
    }
    let (sx, sy) = (
        x.format("%Y%m%d").to_string(),
        y.format("%Y%m%d").to_string(),
    );
    if strsim::hamming(&sx, &sy) == Ok(1) {
        return (0.8, "one_digit");
    }
    if x.year() == y.year() && x.month() == y.month() {
        return (0.3, "same_month");
    }
    (0.0, "different")
}

fn emails(x: &str, y: &str) -> (f64, &'static str) {
    if x == y {
        return (1.0, "exact");
    }
    match (x.rsplit_once('@'), y.rsplit_once('@')) {
        (Some((lx, dx)), Some((ly, dy))) if dx == dy => {
            // katherine.patel404 and katherine.patel64 are two mailboxes, not a typo.
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            if digits(lx) != digits(ly) {
                return (0.0, "different_number");
            }
            (0.9 * jaro_winkler(lx, ly), "same_domain_jaro_winkler")
        }
        _ => (0.0, "different"),
    }
}

fn phones(x: &str, y: &str) -> (f64, &'static str) {
    if x == y {
        return (1.0, "e164");
    }
    let tail = |s: &str| s.get(s.len().saturating_sub(8)..).unwrap_or(s).to_owned();
    if x.len() >= 8 && y.len() >= 8 && tail(x) == tail(y) {
        return (0.9, "national_number");
    }
    (levenshtein(x, y) * 0.8, "levenshtein")
}

/// The most similar pair across two sets (symmetric: ties go to the smaller pair).
fn best_pair(
    a: &[String],
    b: &[String],
    compare: impl Fn(&str, &str) -> (f64, &'static str),
) -> Option<(String, String, f64, &'static str)> {
    let mut best: Option<(String, String, f64, &'static str)> = None;
    for x in a {
        for y in b {
            let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
            let (similarity, rule) = compare(lo, hi);
            let better = match &best {
                None => true,
                Some((bx, by, bs, _)) => {
                    let (blo, bhi) = if bx <= by { (bx, by) } else { (by, bx) };
                    similarity > *bs || (similarity == *bs && (lo, hi) < (blo, bhi))
                }
            };
            if better {
                best = Some((x.clone(), y.clone(), similarity, rule));
            }
        }
    }
    best
}
