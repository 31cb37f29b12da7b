//! Duplicate detection: explainable matching of customer records, pure and deterministic.
//!
//! A record ([`MatchInput`]) is normalised once into a [`Profile`] ([`normalize`]), filed under
//! a few [`blocking`] keys so a scan compares only records sharing one, and a pair is scored by
//! [`score`] into a value in [0, 1] with per-field [`Evidence`]. The store and the API decide
//! which pairs to compare and keep; nothing here does I/O.

pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod estimate;
mod nicknames;
pub mod normalize;
pub mod score;

pub use score::{Evidence, FieldModel, MatchInput, MatchScore, Model, Profile, score};

/// Where a score sends a pair, by the organisation's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Thresholds {
    /// At or above: suggested as a duplicate.
    pub high: f64,
    /// At or above (and below `high`): worth a review.
    pub medium: f64,
}

impl Thresholds {
    /// Thresholds an organisation may set: `0 < medium <= high <= 1`.
    pub fn check(&self) -> Result<(), Vec<crate::error::FieldError>> {
        let mut errors = Vec::new();
        if !(self.medium > 0.0 && self.medium <= 1.0) {
            errors.push(crate::error::FieldError::new(
                "medium",
                "must be above 0 and at most 1",
            ));
        }
        if !(self.high > 0.0 && self.high <= 1.0) {
            errors.push(crate::error::FieldError::new(
                "high",
                "must be above 0 and at most 1",
            ));
        } else if self.high < self.medium {
            errors.push(crate::error::FieldError::new(
                "high",
                "must be at least medium",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// `high` or `medium`, the label of a score worth showing.
    pub fn confidence(&self, score: f64) -> &'static str {
        if score >= self.high { "high" } else { "medium" }
    }
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            high: 0.9,
            medium: 0.5,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::customer::CustomerKind;
    use crate::values::CountryCode;

    fn company(name: &str) -> MatchInput {
        MatchInput {
            kind: Some(CustomerKind::Company),
            name: Some(name.to_owned()),
            country: CountryCode::parse("US").ok(),
            ..MatchInput::default()
        }
    }

    fn person(first: &str, last: &str) -> MatchInput {
        MatchInput {
            kind: Some(CustomerKind::Person),
            name: Some(format!("{first} {last}")),
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
            country: CountryCode::parse("GB").ok(),
            ..MatchInput::default()
        }
    }

    fn pair(a: &MatchInput, b: &MatchInput) -> MatchScore {
        score(&Profile::new(a), &Profile::new(b), &Model::default())
    }

    #[test]
    fn a_company_under_other_spellings_scores_high_with_its_reasons() {
        let a = MatchInput {
            website: Some("https://www.acme-widgets.com".to_owned()),
            phones: vec!["(415) 555-2671".to_owned()],
            emails: vec!["Sales@Acme-Widgets.com".to_owned()],
            ..company("Acme Widgets, Inc.")
        };
        let b = MatchInput {
            website: Some("acme-widgets.com/contact".to_owned()),
            phones: vec!["+1 415 555 2671".to_owned()],
            ..company("ACME Widgets LLC")
        };
        let result = pair(&a, &b);
        assert!(result.score >= 0.99, "{result:?}");
        let fields: Vec<(&str, &str)> = result.evidence.iter().map(|e| (e.field, e.rule)).collect();
        assert_eq!(
            fields,
            vec![
                ("name", "exact"),
                ("phone", "e164"),
                ("domain", "registrable_domain"),
                ("email", "one_sided"),
            ]
        );
        assert!(result.evidence[..3].iter().all(|e| e.contribution > 0.0));
        assert!(result.evidence[3].contribution < 0.0);
        // A draft being typed is not marked down for what it does not have yet.
        let draft = score(&Profile::new(&a), &Profile::new(&b), &Model::for_draft());
        assert_eq!(draft.evidence.len(), 3);
    }

    #[test]
    fn a_typo_in_the_name_with_the_same_phone_is_a_likely_duplicate() {
        let a = MatchInput {
            phones: vec!["+14155552671".to_owned()],
            ..company("Globex Corporation")
        };
        let b = MatchInput {
            phones: vec!["415-555-2671".to_owned()],
            ..company("Glbex Corp")
        };
        let result = pair(&a, &b);
        assert!(result.score >= 0.9, "{result:?}");
    }

    #[test]
    fn different_companies_sharing_a_word_score_low() {
        let a = MatchInput {
            website: Some("acme.com".to_owned()),
            ..company("Acme Widgets")
        };
        let b = MatchInput {
            website: Some("globex.com".to_owned()),
            ..company("Globex Widgets")
        };
        let result = pair(&a, &b);
        assert!(result.score < 0.2, "{result:?}");
        let domain = result
            .evidence
            .iter()
            .find(|e| e.field == "domain")
            .expect("domain");
        assert!(domain.contribution < 0.0);
    }

    #[test]
    fn people_match_by_nickname_swapped_order_and_gmail_variants() {
        let a = MatchInput {
            emails: vec!["robert.smith+crm@gmail.com".to_owned()],
            birth_date: NaiveDate::from_ymd_opt(1980, 4, 7),
            ..person("Bob", "Smith")
        };
        let b = MatchInput {
            emails: vec!["RobertSmith@googlemail.com".to_owned()],
            birth_date: NaiveDate::from_ymd_opt(1980, 7, 4),
            ..person("Robert", "Smith")
        };
        let result = pair(&a, &b);
        assert!(result.score >= 0.95, "{result:?}");
        let rules: Vec<&str> = result.evidence.iter().map(|e| e.rule).collect();
        assert_eq!(
            rules,
            vec!["nickname", "exact", "day_month_swapped", "exact"]
        );

        let swapped = pair(&person("John", "Smith"), &person("Smith", "John"));
        assert!(
            swapped.evidence.iter().all(|e| e.rule == "swapped"),
            "{swapped:?}"
        );
        assert_eq!(swapped.score, 1.0);
    }

    #[test]
    fn a_bare_namesake_of_a_full_record_is_not_likely_the_same() {
        let full = MatchInput {
            birth_date: NaiveDate::from_ymd_opt(1977, 10, 5),
            emails: vec!["thomas.jones442@gmail.com".to_owned()],
            phones: vec!["+17189282051".to_owned()],
            ..person("Thomas", "Jones")
        };
        let bare = person("Thomas", "Jones");
        assert!(pair(&full, &bare).score < 0.7, "{:?}", pair(&full, &bare));
        let variant = MatchInput {
            phones: Vec::new(),
            emails: vec!["thomasjones442@gmail.com".to_owned()],
            ..full.clone()
        };
        assert!(pair(&full, &variant).score > 0.99);
    }

    #[test]
    fn people_with_the_same_name_but_other_dates_and_phones_are_not_merged() {
        let a = MatchInput {
            birth_date: NaiveDate::from_ymd_opt(1970, 1, 1),
            phones: vec!["+447911123456".to_owned()],
            ..person("John", "Smith")
        };
        let b = MatchInput {
            birth_date: NaiveDate::from_ymd_opt(1992, 9, 30),
            phones: vec!["+447400123456".to_owned()],
            ..person("John", "Smith")
        };
        let result = pair(&a, &b);
        assert!(result.score < 0.1, "{result:?}");
        assert_eq!(result.evidence.len(), 4, "{result:?}");
    }

    #[test]
    fn nothing_in_common_to_compare_scores_zero_without_evidence() {
        let a = MatchInput {
            emails: vec!["a@acme.com".to_owned()],
            ..MatchInput::default()
        };
        let b = MatchInput {
            phones: vec!["+14155552671".to_owned()],
            ..MatchInput::default()
        };
        let result = pair(&a, &b);
        assert_eq!(result.score, 0.0);
        assert!(result.evidence.iter().all(|e| e.rule == "one_sided"));
        let draft = score(&Profile::new(&a), &Profile::new(&b), &Model::for_draft());
        assert!(draft.evidence.is_empty());
    }

    #[test]
    fn blocking_files_variants_under_a_shared_key() {
        let keys = |m: &MatchInput| blocking::keys(&Profile::new(m));
        let shares = |a: &MatchInput, b: &MatchInput| {
            let kb = keys(b);
            keys(a).iter().any(|k| kb.contains(k))
        };
        assert!(shares(
            &company("Acme Widgets Inc"),
            &company("Widgets Acme")
        ));
        assert!(shares(&company("Acme Widgets"), &company("Acme Widgts")));
        assert!(shares(&person("John", "Smith"), &person("Smith", "John")));
        assert!(!shares(&company("Acme"), &company("Globex")));
        let with_email = MatchInput {
            emails: vec!["j.doe@gmail.com".to_owned()],
            ..company("X")
        };
        let other = MatchInput {
            emails: vec!["jdoe@gmail.com".to_owned()],
            ..company("Y")
        };
        assert!(shares(&with_email, &other));
        assert_eq!(
            blocking::name_key(&Profile::new(&company("Widgets Acme Ltd"))),
            "acme widgets"
        );
    }

    #[test]
    fn a_common_name_is_weaker_evidence_than_a_rare_one() {
        let a = MatchInput {
            emails: vec!["maria.novak522@gmail.com".to_owned()],
            ..person("Maria", "Novak")
        };
        let b = person("Maria", "Novak");
        let scored = |count: u32| {
            let (mut pa, mut pb) = (Profile::new(&a), Profile::new(&b));
            pa.name_count = count;
            pb.name_count = count;
            score(&pa, &pb, &Model::default())
        };
        let (rare, common) = (scored(2), scored(40));
        assert!(rare.evidence.iter().all(|e| e.rule != score::COMMON_NAME));
        let discount = common
            .evidence
            .iter()
            .find(|e| e.rule == score::COMMON_NAME)
            .expect("a common-name discount");
        assert_eq!(discount.left, "40 with this name");
        assert!(
            (discount.contribution + 20f64.log2()).abs() < 1e-9,
            "{discount:?}"
        );
        assert!(
            common.score < 0.3 && rare.score > common.score,
            "{rare:?} {common:?}"
        );
        // Two records equal in all they hold are certain, unless all they hold is a common name.
        let mut same = Profile::new(&a);
        same.name_count = 2;
        assert_eq!(score(&same, &same, &Model::default()).score, 1.0);
        same.name_count = 40;
        assert!(score(&same, &same, &Model::default()).score < 1.0);
        // Names that disagree take no discount: there is nothing to cut.
        let mut other = Profile::new(&person("Aisha", "Tanaka"));
        other.name_count = 40;
        let unlike = score(&other, &Profile::new(&b), &Model::default());
        assert!(unlike.evidence.iter().all(|e| e.rule != score::COMMON_NAME));
    }

    #[test]
    fn two_numbered_mailboxes_at_one_provider_are_two_people() {
        let a = MatchInput {
            emails: vec!["katherine.patel404@gmail.com".to_owned()],
            ..person("Katherine", "Patel")
        };
        let b = MatchInput {
            emails: vec!["katherine.patel64@gmail.com".to_owned()],
            ..person("Katherine", "Patel")
        };
        let result = pair(&a, &b);
        let email = result
            .evidence
            .iter()
            .find(|e| e.field == "email")
            .expect("email");
        assert_eq!(email.rule, "different_number");
        assert!(email.contribution < 0.0);
    }

    #[test]
    fn one_typo_in_the_word_that_names_a_company_still_shares_a_key() {
        let keys = |m: &MatchInput| blocking::keys(&Profile::new(m));
        let shares = |a: &MatchInput, b: &MatchInput| {
            let kb = keys(b);
            keys(a)
                .iter()
                .any(|k| kb.contains(k) && !k.starts_with("f:"))
        };
        for (x, y) in [
            ("Pelyartor Consulting Corp", "Plyartor Consulting"),
            ("Torzenbel Media GmbH", "Toreznbel Media GmbH"),
            ("Joalcor", "Jolcor"),
            ("Falorosdor Robotics, GmbH", "Fallorosdor Robotics Corp"),
            ("Acme Analytics GmbH", "Acm Analytics GmbH"),
        ] {
            assert!(shares(&company(x), &company(y)), "{x} / {y}");
        }
        assert!(!shares(
            &company("Pelyartor Consulting"),
            &company("Torzenbel Consulting")
        ));
        // People: a name spelt as it sounds, two or more letters apart, and a typo early in
        // the family name; with another given name, a stranger.
        for ((a_first, a_last), (b_first, b_last), meet) in [
            (
                ("Catherine", "Christensen"),
                ("Katherine", "Kristensen"),
                true,
            ),
            (("Catherine", "Christensen"), ("Oscar", "Kristensen"), false),
            (("Maria", "Johnson"), ("Maria", "Jonson"), true),
            (("Maria", "Johnson"), ("Oscar", "Jonson"), false),
        ] {
            assert_eq!(
                shares(&person(a_first, a_last), &person(b_first, b_last)),
                meet,
                "{a_first} {a_last} / {b_first} {b_last}"
            );
        }
    }

    #[test]
    fn a_common_or_misspelt_name_meets_its_twin_by_birth_date_or_building() {
        // Keys that do not read the name: the name blocks of a common name are too big to
        // compare, and a typo in the first letters escapes them.
        let keys = |m: &MatchInput| blocking::keys(&Profile::new(m));
        let shared = |a: &MatchInput, b: &MatchInput| -> Vec<String> {
            let kb = keys(b);
            keys(a).into_iter().filter(|k| kb.contains(k)).collect()
        };
        let born = |m: MatchInput, date: &str| MatchInput {
            birth_date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
            ..m
        };
        // A nickname (read as the name it stands for) or swapped names keep the initials.
        for (first, last) in [("Bob", "Smith"), ("Smith", "Robert")] {
            assert!(
                shared(
                    &born(person("Robert", "Smith"), "1985-01-27"),
                    &born(person(first, last), "1985-01-27")
                )
                .contains(&"b:1985-01-27:rs".to_owned()),
                "{first} {last}"
            );
        }
        assert!(
            shared(
                &born(person("Daniel", "Krne"), "1985-01-27"),
                &born(person("Daniel", "Korne"), "1985-01-27")
            )
            .contains(&"b:1985-01-27:dk".to_owned())
        );
        // Strangers born the same day are not compared for it.
        for (first, last) in [("Maria", "Novak"), ("Daniel", "Novak"), ("Maria", "Brown")] {
            assert!(
                shared(
                    &born(person("Maria", "O'Brien"), "1985-01-27"),
                    &born(person(first, last), "1985-01-27")
                )
                .is_empty(),
                "{first} {last}"
            );
        }
        let at = |m: MatchInput, line: &str, postal: Option<&str>| MatchInput {
            address: Some(line.to_owned()),
            postal_code: postal.map(str::to_owned),
            ..m
        };
        // (Their name keys meet too here; among a million, O'Brien's are over the cap.)
        assert!(
            shared(
                &at(person("Dan", "O'Bien"), "541 Almijo Ave", Some("25152")),
                &at(
                    person("Daniel", "O'Brien"),
                    "541 Almijo Avenue",
                    Some("25152")
                )
            )
            .contains(&"a:25152:541".to_owned())
        );
        assert!(
            shared(
                &at(company("Yarpelahzu Solutions"), "684 Venyargi Ln", None),
                &at(company("Yarpelhazu Sollutions"), "684 Venyargi Lane", None)
            )
            .contains(&"a:684:venyargi".to_owned())
        );
        // Two slips in the word that names it: only the building joins them (the API test's pair).
        assert_eq!(
            shared(
                &at(
                    company("Northwind Traders"),
                    "12 Harbour Street",
                    Some("02110")
                ),
                &at(company("Nrothwinde Traders"), "12 Harbor St", Some("02110"))
            ),
            ["a:02110:12"]
        );
    }

    fn arb_text() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            "[A-Za-zÀ-ÿ .&'-]{0,24}".prop_map(Some),
            prop::sample::select(vec![
                "Acme Inc".to_owned(),
                "ACME, LLC".to_owned(),
                "Bob".to_owned(),
                "Robert".to_owned(),
                "Smith".to_owned(),
                "Иван Петров".to_owned(),
                "東京".to_owned(),
            ])
            .prop_map(Some),
        ]
    }

    prop_compose! {
        fn arb_input()(
            person in any::<bool>(),
            name in arb_text(),
            first in arb_text(),
            last in arb_text(),
            day in prop::option::of(0u32..20_000),
            emails in prop::collection::vec("[a-c.+]{1,5}@(gmail|acme|globex)\\.com", 0..3),
            phones in prop::collection::vec("\\+1415555[0-9]{4}", 0..3),
            website in prop::option::of("(www\\.)?(acme|globex|initech)\\.(com|co\\.uk)"),
            address in arb_text(),
            postal in prop::option::of("[0-9]{5}"),
            tax in prop::option::of("[A-Z]{2}[0-9]{3}"),
        ) -> MatchInput {
            MatchInput {
                kind: Some(if person { CustomerKind::Person } else { CustomerKind::Company }),
                name,
                first_name: first,
                last_name: last,
                birth_date: day.and_then(|d| NaiveDate::from_num_days_from_ce_opt(715_000 + d as i32)),
                emails,
                phones,
                website,
                address,
                postal_code: postal,
                tax_id: tax,
                country: CountryCode::parse("US").ok(),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn scores_are_symmetric_and_bounded(a in arb_input(), b in arb_input()) {
            let ab = pair(&a, &b);
            let ba = pair(&b, &a);
            prop_assert_eq!(ab.score, ba.score);
            prop_assert!((0.0..=1.0).contains(&ab.score));
            prop_assert_eq!(ab.evidence.len(), ba.evidence.len());
            for (x, y) in ab.evidence.iter().zip(&ba.evidence) {
                prop_assert_eq!(&x.left, &y.right);
                prop_assert_eq!(x.contribution, y.contribution);
            }
        }

        #[test]
        fn a_record_matches_itself_with_score_one(a in arb_input()) {
            let result = pair(&a, &a);
            if result.evidence.is_empty() {
                prop_assert_eq!(result.score, 0.0);
            } else {
                prop_assert_eq!(result.score, 1.0);
                prop_assert!(result.evidence.iter().all(|e| e.similarity == 1.0));
            }
        }
    }
}
