//! Defence against CSV (formula) injection in exports, following OWASP's "CSV Injection" advice.
//!
//! A customer named `=HYPERLINK(...)` must open in a spreadsheet as text, not run as a formula.
//! Cells that start with a formula trigger get a leading `'`; plain numbers and E.164 phone
//! numbers are left alone so that `-12.50` and `+14155552671` stay readable. This module must not
//! quote or escape CSV syntax itself (the `csv` writer does that) and must not change any other
//! cell.

use std::borrow::Cow;

/// First characters that make spreadsheet programs treat a cell as a formula (OWASP).
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// E.164 allows at most 15 digits; 8 keeps short codes and partial numbers neutralised.
const E164_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

/// Returns `cell` unchanged, or prefixed with `'` when it starts with a formula trigger and is not
/// a plain signed number or an E.164 phone number.
pub fn neutralise_cell(cell: &str) -> Cow<'_, str> {
    let triggered = cell.starts_with(FORMULA_TRIGGERS);
    if triggered && !is_plain_number(cell) && !is_e164(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// An optional sign, digits, then optionally one `.` followed by digits: `-12`, `+3.5`.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell
        .strip_prefix('-')
        .or_else(|| cell.strip_prefix('+'))
        .unwrap_or(cell);
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match unsigned.split_once('.') {
        Some((whole, fraction)) => all_digits(whole) && all_digits(fraction),
        None => all_digits(unsigned),
    }
}

/// `+` followed by 8 to 15 ASCII digits and nothing else.
fn is_e164(cell: &str) -> bool {
    cell.strip_prefix('+').is_some_and(|digits| {
        E164_DIGITS.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use proptest::prelude::*;

    use crate::csv_safety::neutralise_cell;

    fn check(input: &str, expected: &str) {
        let got = neutralise_cell(input);
        assert_eq!(got, expected, "input {input:?}");
        // Unchanged cells must not allocate.
        if input == expected {
            assert!(
                matches!(got, Cow::Borrowed(_)),
                "input {input:?} was copied"
            );
        }
    }

    #[test]
    fn formula_triggers_get_a_leading_quote_but_numbers_and_phones_do_not() {
        let cases = [
            // Formulas and anything that merely starts like one.
            ("=1+1", "'=1+1"),
            (
                "=HYPERLINK(\"http://evil\")",
                "'=HYPERLINK(\"http://evil\")",
            ),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+1 555", "'+1 555"),
            ("-5-5", "'-5-5"),
            ("+", "'+"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("-5.", "'-5."),
            ("-1.2.3", "'-1.2.3"),
            ("-1e5", "'-1e5"),
            ("+-5", "'+-5"),
            ("\t=x", "'\t=x"),
            ("\r=x", "'\r=x"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            // Plain numbers and E.164 numbers stay readable.
            ("-5", "-5"),
            ("-12", "-12"),
            ("-12.50", "-12.50"),
            ("+3.5", "+3.5"),
            ("+14155552671", "+14155552671"),
            ("+1234567", "+1234567"),
            ("+123456789012345", "+123456789012345"),
            ("+1234567890123456", "+1234567890123456"),
            // Everything else is untouched.
            ("", ""),
            ("Acme", "Acme"),
            ("a=b", "a=b"),
            (" =1+1", " =1+1"),
            ("'=1", "'=1"),
            ("12.50", "12.50"),
            ("zoë@acme.de", "zoë@acme.de"),
        ];
        for (input, expected) in cases {
            check(input, expected);
        }
    }

    proptest! {
        #[test]
        fn a_neutralised_cell_is_left_alone_the_second_time(cell in "\\PC{0,20}|[-+=@\t\r][0-9.+ -]{0,16}") {
            let once = neutralise_cell(&cell).into_owned();
            prop_assert_eq!(neutralise_cell(&once), Cow::Borrowed(once.as_str()));
        }

        #[test]
        fn neutralising_only_ever_prepends_a_quote(cell in "\\PC{0,20}|[-+=@\t\r][0-9.+ -]{0,16}") {
            let out = neutralise_cell(&cell);
            let quoted = format!("'{}", cell);
            prop_assert!(out == cell.as_str() || *out == quoted);
        }
    }
}
