//! Normalises text for the customer search index and for search queries.
//!
//! The store keeps one `search_text` column per customer built by `search_text`, and the API folds
//! the user's query with the same `fold`, so "Zoë", "ZOE" and "zoe" find each other in any database
//! with a plain `LIKE`. This module must not rank, tokenise for a particular engine, or know how
//! the column is queried.

/// Folds `s` for matching: accents transliterated to ASCII (`Zoë` -> `zoe`, `Straße` ->
/// `strasse`), lower-cased, and every run of characters that are not letters or digits turned
/// into a single space, with no space at either end.
pub fn fold(s: &str) -> String {
    // Characters deunicode cannot transliterate become separators rather than "[?]".
    let ascii = deunicode::deunicode_with_tofu(s, " ");
    let mut out = String::with_capacity(ascii.len());
    let mut pending_space = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Folds each part and joins the non-empty ones with a single space.
pub fn search_text(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|part| fold(part))
        .filter(|folded| !folded.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Only the ASCII digits of `s`, so `+1 (415) 555-2671` and `4155552671` can be matched.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::search::{digits, fold, search_text};

    fn check(input: &str, expected: &str) {
        assert_eq!(fold(input), expected, "input {input:?}");
    }

    #[test]
    fn fold_strips_accents_case_and_punctuation() {
        let cases = [
            ("", ""),
            ("   ", ""),
            ("Acme", "acme"),
            ("ZOË", "zoe"),
            ("Zoë Bäcker-Müller", "zoe backer muller"),
            ("Straße", "strasse"),
            ("  Acme, Inc.  ", "acme inc"),
            ("O'Brien & Sons", "o brien sons"),
            ("jane.doe@example.com", "jane doe example com"),
            ("a\t\nb", "a b"),
            ("Ĳssel Œuvre", "ijssel oeuvre"),
            ("東京", "dong jing"),
            ("Café №5", "cafe no5"),
            ("--", ""),
        ];
        for (input, expected) in cases {
            check(input, expected);
        }
    }

    #[test]
    fn search_text_joins_only_the_non_empty_parts() {
        let cases: &[(&[&str], &str)] = &[
            (&[], ""),
            (&["", "  ", "--"], ""),
            (
                &["Acme GmbH", "", "ACME-EU", "zoë@acme.de"],
                "acme gmbh acme eu zoe acme de",
            ),
            (&["  one ", "two"], "one two"),
        ];
        for (parts, expected) in cases {
            assert_eq!(search_text(parts), *expected, "{parts:?}");
        }
    }

    #[test]
    fn digits_keeps_only_ascii_digits() {
        let cases = [
            ("+1 (415) 555-2671", "14155552671"),
            ("", ""),
            ("no digits", ""),
            ("١٢٣ 42", "42"),
        ];
        for (input, expected) in cases {
            assert_eq!(digits(input), expected, "input {input:?}");
        }
    }

    proptest! {
        #[test]
        fn folding_twice_is_folding_once(s in "\\PC{0,60}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn folded_text_is_lowercase_ascii_words_separated_by_single_spaces(s in "\\PC{0,60}") {
            let folded = fold(&s);
            prop_assert!(folded.chars().all(|c| c == ' ' || c.is_ascii_lowercase() || c.is_ascii_digit()));
            prop_assert!(!folded.starts_with(' ') && !folded.ends_with(' '));
            prop_assert!(!folded.contains("  "));
        }
    }
}
