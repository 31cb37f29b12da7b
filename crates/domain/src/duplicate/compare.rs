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

/// Company names a typo per word apart: every word of the shorter name meets its own word of
/// the other, equal or (either of 4 letters and up) one edit away (a letter dropped, added or changed, or
/// two swapped). Equal words count 1, typo'd ones 0.95, and words only the longer name has are
/// discounted as in [`name_similarity`]; with the rule, `typo` if any word needed one. `None`
/// when some word has no partner: "gicor" against "gicorka" is another word, not a typo, though
/// Jaro-Winkler would call it 0.95.
pub fn typo_tolerant_tokens(a: &[String], b: &[String]) -> Option<(f64, &'static str)> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut short: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut long: Vec<&str> = b.iter().map(String::as_str).collect();
    short.sort_unstable();
    long.sort_unstable();
    if (short.len(), &short) > (long.len(), &long) {
        std::mem::swap(&mut short, &mut long);
    }
    let mut used = vec![false; long.len()];
    let mut unmatched: Vec<&str> = Vec::new();
    for word in &short {
        match long
            .iter()
            .enumerate()
            .position(|(i, w)| !used[i] && w == word)
        {
            Some(i) => used[i] = true,
            None => unmatched.push(word),
        }
    }
    let typos = unmatched.len();
    for word in unmatched {
        let partner = long.iter().enumerate().position(|(i, w)| {
            !used[i]
                && word.chars().count().max(w.chars().count()) >= 4
                && strsim::osa_distance(word, w) == 1
        })?;
        used[partner] = true;
    }
    let exact = short.len() - typos;
    let matched = (exact as f64 + 0.95 * typos as f64) / short.len() as f64;
    let extra = (long.len() - short.len()) as f64 / long.len() as f64;
    let rule = if typos > 0 { "typo" } else { "token_set" };
    Some((matched * (1.0 - 0.15 * extra), rule))
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
    fn a_typo_per_word_is_forgiven_but_another_word_is_not() {
        let sim = |x: &str, y: &str| typo_tolerant_tokens(&t(x), &t(y));
        assert_eq!(
            sim("torzenbel media", "media toreznbel"),
            Some((0.975, "typo"))
        );
        assert_eq!(
            sim("acme widgets", "widgets acme"),
            Some((1.0, "token_set"))
        );
        let (inside, rule) = sim("rosdan", "rosdan media").expect("one inside the other");
        assert!((inside - 0.925).abs() < 1e-9 && rule == "token_set");
        assert_eq!(sim("gicorka consulting", "gicor consulting"), None);
        assert_eq!(sim("abc", "abd"), None);
        assert_eq!(
            sim("acm analytics", "acme analytics"),
            Some((0.975, "typo"))
        );
        assert_eq!(
            sim("garyagarwex capital", "garyargarwex capitla"),
            Some((0.95, "typo"))
        );
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
