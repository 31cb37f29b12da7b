//! Tiers and their pricing: discounts as exact basis points, and what a tier change does to a
//! customer's MRR, ARR and open orders. This module must not do I/O.

use crate::error::ValueError;
use crate::money::Money;

/// A discount between 0% and 100% with at most two decimals, held as basis points (1250 =
/// 12.5%) so pricing never touches floating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Discount(u16);

impl Discount {
    pub const NONE: Discount = Discount(0);

    /// Parses `"12.5"`, `"10"`, `"0.25"`; at most two decimals, 0 to 100.
    pub fn parse(raw: &str) -> Result<Discount, ValueError> {
        let text = raw.trim().trim_end_matches('%').trim();
        let err = || {
            ValueError::new(
                "a discount is a percentage from 0 to 100 with at most two decimals, e.g. 12.5",
            )
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || whole.len() > 3
            || fraction.len() > 2
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
            || (text.contains('.') && fraction.is_empty())
        {
            return Err(err());
        }
        let whole: u32 = whole.parse().map_err(|_| err())?;
        let fraction: u32 = format!("{fraction:0<2}").parse().map_err(|_| err())?;
        let bp = whole * 100 + fraction;
        if bp > 10_000 {
            return Err(err());
        }
        u16::try_from(bp).map(Discount).map_err(|_| err())
    }

    pub fn from_basis_points(bp: i64) -> Discount {
        Discount(u16::try_from(bp.clamp(0, 10_000)).unwrap_or(0))
    }

    pub fn basis_points(&self) -> i64 {
        i64::from(self.0)
    }

    /// `"12.5"`, `"10"`, `"0.25"`.
    pub fn to_percent_string(&self) -> String {
        let whole = self.0 / 100;
        let fraction = self.0 % 100;
        if fraction == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{fraction:02}")
                .trim_end_matches('0')
                .to_owned()
        }
    }
}

/// What moving from `old` to `new` discount does to a price that is currently `price` (net of
/// `old`). The list price is `price / (1 - old)`; the new price is `list * (1 - new)`, rounded
/// half away from zero to the minor unit. A 100% old discount hides the list price, so the price
/// is kept as is.
pub fn reprice(price: Money, old: Discount, new: Discount) -> (Money, Money) {
    let full = 10_000i128;
    let old_keep = full - i128::from(old.0);
    let new_keep = full - i128::from(new.0);
    if old_keep == 0 {
        return (price, price);
    }
    let minor = i128::from(price.minor());
    let list = div_round(minor * full, old_keep);
    let repriced = div_round(minor * new_keep, old_keep);
    let clamp = |v: i128| Money::from_minor(i64::try_from(v).unwrap_or(i64::MAX));
    (clamp(list), clamp(repriced))
}

/// `n / d` rounded half away from zero (`d > 0`).
fn div_round(n: i128, d: i128) -> i128 {
    let half = d / 2;
    if n >= 0 {
        (n + half) / d
    } else {
        (n - half) / d
    }
}

/// `#rrggbb`, lower-cased.
pub fn parse_colour(raw: &str) -> Result<String, ValueError> {
    let text = raw.trim().to_ascii_lowercase();
    let ok = text.len() == 7
        && text.starts_with('#')
        && text[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(text)
    } else {
        Err(ValueError::new("a colour is #rrggbb, e.g. #c0a062"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn discounts_parse_exactly_and_print_back() {
        for (raw, bp, shown) in [
            ("12.5", 1250, "12.5"),
            ("10", 1000, "10"),
            ("0.25", 25, "0.25"),
            ("100", 10_000, "100"),
            ("7%", 700, "7"),
            ("0", 0, "0"),
        ] {
            let d = Discount::parse(raw).unwrap();
            assert_eq!(d.basis_points(), bp, "{raw}");
            assert_eq!(d.to_percent_string(), shown);
        }
        for bad in ["100.01", "-1", "1.234", "abc", "", ".5", "5.", "1e2"] {
            assert!(Discount::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn repricing_goes_through_the_list_price() {
        let d = |s: &str| Discount::parse(s).unwrap();
        // 900.00 at 10% off is 1000.00 list; at 20% off it is 800.00.
        assert_eq!(
            reprice(Money::from_minor(90_000), d("10"), d("20")),
            (Money::from_minor(100_000), Money::from_minor(80_000))
        );
        // No discount to 12.5%: 1000.00 -> 875.00.
        assert_eq!(
            reprice(Money::from_minor(100_000), Discount::NONE, d("12.5")).1,
            Money::from_minor(87_500)
        );
        // Rounds half away from zero: 333 at 0% -> 33.33% off would be 222.0111 -> 222.
        assert_eq!(
            reprice(Money::from_minor(333), Discount::NONE, d("33.33")).1,
            Money::from_minor(222)
        );
        // A 100% old discount hides the list price.
        assert_eq!(
            reprice(Money::from_minor(0), d("100"), d("10")).1,
            Money::ZERO
        );
    }

    #[test]
    fn colours_are_hex_triplets() {
        assert_eq!(parse_colour(" #C0A062 ").unwrap(), "#c0a062");
        assert!(parse_colour("red").is_err());
        assert!(parse_colour("#12345g").is_err());
    }
}
