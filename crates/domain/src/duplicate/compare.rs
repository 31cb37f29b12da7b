//! Field comparators: graded similarity in [0, 1] between two normalised values, built on
//! `strsim`'s metrics. Every comparator is symmetric and gives 1 for equal input.

/// Jaro-Winkler similarity, for short strings where typos and shared prefixes matter (names).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    // strsim's prefix bonus is symmetric, but its float arithmetic is not always; order the
    // arguments so the result is exactly the same either way.
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    strsim::jaro_winkler(x, y)
}

/// Normalised Levenshtein similarity (1 - distance / longer length).
pub fn levenshtein(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    strsim::normalized_levenshtein(x, y)
}

/// Token-set ratio (as in fuzzywuzzy/rapidfuzz): the shared tokens compared with each side's
/// full token set, taking the best, so extra words and word order cost little
/// ("acme widgets" vs "widgets acme europe" is high). Empty on either side is 0.
pub fn token_set_ratio(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut left: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut right: Vec<&str> = b.iter().map(String::as_str).collect();
    left.sort_unstable();
    left.dedup();
    right.sort_unstable();
    right.dedup();
    let common: Vec<&str> = left.iter().filter(|t| right.contains(t)).copied().collect();
    fn only<'a>(side: &[&'a str], common: &[&str]) -> Vec<&'a str> {
        side.iter()
            .filter(|t| !common.contains(t))
            .copied()
            .collect()
    }
    let join = |parts: &[&str]| parts.join(" ");
    let base = join(&common);
    let with = |rest: Vec<&str>| {
        let mut all = common.clone();
        all.extend(rest);
        join(&all)
    };
    let l = with(only(&left, &common));
    let r = with(only(&right, &common));
    let mut best = levenshtein(&l, &r);
    if !common.is_empty() {
        best = best.max(levenshtein(&base, &l)).max(levenshtein(&base, &r));
    }
    best
}

/// Token-set ratio discounted by the share of tokens left unmatched, so "rosdan" against
/// "rosdan media" (one name inside the other) is close but not equal: extra words are weak
/// evidence of another entity. Equal token sets are still 1.
pub fn name_similarity(a: &[String], b: &[String]) -> f64 {
    let set = token_set_ratio(a, b);
    if set == 0.0 {
        return 0.0;
    }
    let set_a: std::collections::BTreeSet<&String> = a.iter().collect();
    let set_b: std::collections::BTreeSet<&String> = b.iter().collect();
    let longer = set_a.len().max(set_b.len()) as f64;
    let shared = set_a.intersection(&set_b).count() as f64;
    let unmatched = ((longer - shared) / longer).clamp(0.0, 1.0);
    set * (1.0 - 0.15 * unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        s.split(' ')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn jaro_winkler_rewards_shared_prefixes_and_forgives_typos() {
        assert_eq!(jaro_winkler("martha", "martha"), 1.0);
        assert!(jaro_winkler("martha", "marhta") > 0.95);
        assert!(jaro_winkler("jonathan", "jon") > 0.8);
        assert!(jaro_winkler("smith", "jones") < 0.5);
        assert_eq!(jaro_winkler("", "abc"), 0.0);
        assert_eq!(jaro_winkler("", ""), 1.0);
    }

    #[test]
    fn token_set_ratio_ignores_order_and_extra_words() {
        assert_eq!(token_set_ratio(&t("acme widgets"), &t("widgets acme")), 1.0);
        assert_eq!(
            token_set_ratio(&t("acme widgets"), &t("acme widgets europe")),
            1.0
        );
        assert!(token_set_ratio(&t("acme widgets"), &t("acme widgts")) > 0.85);
        assert!(token_set_ratio(&t("acme"), &t("globex")) < 0.3);
        assert_eq!(token_set_ratio(&t(""), &t("acme")), 0.0);
    }

    #[test]
    fn name_similarity_discounts_a_name_inside_another() {
        assert_eq!(name_similarity(&t("acme widgets"), &t("widgets acme")), 1.0);
        let inside = name_similarity(&t("rosdan"), &t("rosdan media"));
        assert!(inside > 0.9 && inside < 0.95, "{inside}");
        assert_eq!(
            name_similarity(&t("rosdan"), &t("rosdan media")),
            name_similarity(&t("rosdan media"), &t("rosdan"))
        );
        assert_eq!(name_similarity(&t(""), &t("acme")), 0.0);
    }

    #[test]
    fn comparators_are_symmetric() {
        let pairs = [
            ("dixon", "dicksonx"),
            ("a", "ab"),
            ("crate", "trace"),
            ("ünï", "uni"),
        ];
        for (a, b) in pairs {
            assert_eq!(jaro_winkler(a, b), jaro_winkler(b, a));
            assert_eq!(levenshtein(a, b), levenshtein(b, a));
            assert_eq!(token_set_ratio(&t(a), &t(b)), token_set_ratio(&t(b), &t(a)));
        }
    }
}
