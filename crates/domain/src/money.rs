//! Money as integer minor units (cents, pence, yen) of a currency carried alongside it.
//!
//! Amounts are never `f64`: 0.1 + 0.2 must be exactly 0.3 in a revenue column. The currency is not
//! stored inside `Money` because a customer row has one currency for all its amounts; callers pass
//! the `CurrencyCode` to parse and print. This module must not convert between currencies or round.

use crate::error::ValueError;
use crate::values::CurrencyCode;

/// An amount in minor units of an accompanying currency: `Money::from_minor(1234)` is 12.34 USD or
/// 1234 JPY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    minor: i64,
}

impl Money {
    pub const ZERO: Money = Money { minor: 0 };

    pub const fn from_minor(minor: i64) -> Money {
        Money { minor }
    }

    pub const fn minor(&self) -> i64 {
        self.minor
    }

    pub const fn is_negative(&self) -> bool {
        self.minor < 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.minor.checked_add(other.minor).map(Money::from_minor)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.minor.checked_sub(other.minor).map(Money::from_minor)
    }

    /// Parses a plain decimal such as `1234`, `1234.5`, `-12.30` or `+7`.
    ///
    /// Rejected on purpose: more fraction digits than the currency has (`1.234` USD would need
    /// rounding), exponents (`1e3`), thousands separators (`1,234` is ambiguous across locales),
    /// a bare `.5` or `5.`, currency symbols, and anything outside `i64` minor units.
    pub fn parse(text: &str, currency: &CurrencyCode) -> Result<Money, ValueError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ValueError::new("amount must not be empty"));
        }
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (unsigned, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return Err(ValueError::new(
                "amount must be a plain number like 1234.50 (no separators, symbols or exponents)",
            ));
        }
        let digits = currency.minor_digits();
        let fraction = fraction.unwrap_or("");
        let fraction_len = u32::try_from(fraction.len()).unwrap_or(u32::MAX);
        if fraction_len > digits {
            return Err(ValueError::new(format!(
                "{} allows at most {digits} decimal places",
                currency.as_str()
            )));
        }
        let overflow = || ValueError::new("amount is too large");
        // Accumulate in i128 so that i64::MIN, whose magnitude does not fit an i64, parses too.
        let mut minor: i128 = 0;
        let padded = fraction
            .bytes()
            .chain(std::iter::repeat_n(b'0', (digits - fraction_len) as usize));
        for b in whole.bytes().chain(padded) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(b - b'0')))
                .ok_or_else(overflow)?;
        }
        if negative {
            minor = -minor;
        }
        i64::try_from(minor)
            .map(Money::from_minor)
            .map_err(|_| overflow())
    }

    /// The amount with exactly the currency's minor digits: `1234.50`, `-0.05`, `1234` for JPY.
    pub fn to_decimal_string(&self, currency: &CurrencyCode) -> String {
        let digits = currency.minor_digits();
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = self.minor.unsigned_abs();
        if digits == 0 {
            return format!("{sign}{magnitude}");
        }
        // u64::MAX has 20 digits, so 10^digits only fits for the exponents ISO 4217 actually uses.
        match 10u64.checked_pow(digits) {
            Some(scale) => format!(
                "{sign}{}.{:0width$}",
                magnitude / scale,
                magnitude % scale,
                width = digits as usize
            ),
            None => format!("{sign}0.{magnitude:0width$}", width = digits as usize),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use crate::money::Money;
    use crate::values::CurrencyCode;

    fn currency(code: &str) -> CurrencyCode {
        CurrencyCode::parse(code).unwrap()
    }

    /// `expected`: the minor units, or a fragment of the error message.
    fn check(code: &str, input: &str, expected: Result<i64, &str>) {
        let got = Money::parse(input, &currency(code));
        match (got, expected) {
            (Ok(money), Ok(minor)) => assert_eq!(money.minor(), minor, "{code} {input:?}"),
            (Err(err), Err(fragment)) => assert!(
                err.message.contains(fragment),
                "{code} {input:?}: {:?} lacks {fragment:?}",
                err.message
            ),
            (got, want) => panic!("{code} {input:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn plain_decimals_parse_into_minor_units() {
        let cases: &[(&str, &str, Result<i64, &str>)] = &[
            ("USD", "1234", Ok(123_400)),
            ("USD", "1234.5", Ok(123_450)),
            ("USD", "1234.50", Ok(123_450)),
            ("USD", "-12.30", Ok(-1230)),
            ("USD", "+3.5", Ok(350)),
            ("USD", " 7 ", Ok(700)),
            ("USD", "0.05", Ok(5)),
            ("USD", "-0.05", Ok(-5)),
            ("USD", "-0", Ok(0)),
            ("USD", "007.10", Ok(710)),
            ("JPY", "1234", Ok(1234)),
            ("KWD", "1.234", Ok(1234)),
            ("USD", "92233720368547758.07", Ok(i64::MAX)),
            ("USD", "-92233720368547758.08", Ok(i64::MIN)),
        ];
        for (code, input, expected) in cases {
            check(code, input, *expected);
        }
    }

    #[test]
    fn anything_but_a_plain_decimal_is_rejected() {
        let cases: &[(&str, &str, &str)] = &[
            ("USD", "", "must not be empty"),
            ("USD", "  ", "must not be empty"),
            ("USD", "1.234", "at most 2 decimal places"),
            ("JPY", "1.0", "at most 0 decimal places"),
            ("USD", "1e3", "plain number"),
            ("USD", "1,234.00", "plain number"),
            ("USD", "1 234", "plain number"),
            ("USD", "$12", "plain number"),
            ("USD", ".5", "plain number"),
            ("USD", "5.", "plain number"),
            ("USD", "-", "plain number"),
            ("USD", "--5", "plain number"),
            ("USD", "1.2.3", "plain number"),
            ("USD", "١٢", "plain number"),
            ("USD", "NaN", "plain number"),
            ("USD", "92233720368547758.08", "too large"),
            ("USD", "-92233720368547758.09", "too large"),
            (
                "USD",
                "99999999999999999999999999999999999999999",
                "too large",
            ),
        ];
        for (code, input, fragment) in cases {
            check(code, input, Err(fragment));
        }
    }

    #[test]
    fn amounts_print_with_exactly_the_currency_minor_digits() {
        let cases: &[(&str, i64, &str)] = &[
            ("USD", 123_450, "1234.50"),
            ("USD", -5, "-0.05"),
            ("USD", 0, "0.00"),
            ("USD", 100, "1.00"),
            ("USD", i64::MIN, "-92233720368547758.08"),
            ("JPY", 1234, "1234"),
            ("JPY", -1234, "-1234"),
            ("KWD", 1234, "1.234"),
        ];
        for (code, minor, want) in cases {
            let text = Money::from_minor(*minor).to_decimal_string(&currency(code));
            assert_eq!(text, *want, "{code} {minor}");
        }
    }

    #[test]
    fn addition_is_checked_and_zero_is_neutral() {
        let a = Money::from_minor(150);
        assert_eq!(a.checked_add(Money::ZERO), Some(a));
        assert_eq!(
            a.checked_add(Money::from_minor(-200)),
            Some(Money::from_minor(-50))
        );
        assert_eq!(
            Money::from_minor(i64::MAX).checked_add(Money::from_minor(1)),
            None
        );
        assert_eq!(
            Money::from_minor(i64::MIN).checked_sub(Money::from_minor(1)),
            None
        );
        assert!(Money::from_minor(-1).is_negative());
        assert!(!Money::ZERO.is_negative());
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_amount(
            minor in -1_000_000_000_000_000i64..=1_000_000_000_000_000i64,
            code in prop::sample::select(vec!["USD", "JPY", "KWD", "EUR", "CLF", "XAU"]),
        ) {
            let currency = currency(code);
            let money = Money::from_minor(minor);
            prop_assert_eq!(Money::parse(&money.to_decimal_string(&currency), &currency), Ok(money));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,30}") {
            let _ = Money::parse(&text, &currency("USD"));
        }
    }
}
