//! Account actions: credits ledger entries and account flags. This module must not do I/O.

use crate::error::ValueError;
use crate::money::Money;
use crate::values::{BoundedText, CurrencyCode};

wire_enum! {
    /// What a ledger entry does to the account.
    pub enum LedgerKind ("kind") {
        /// Adds to the credit balance.
        Credit => "credit",
        /// Uses credit (e.g. applied to an invoice).
        Debit => "debit",
        /// Money returned against an order; does not touch the credit balance.
        Refund => "refund",
    }
}

/// A ledger entry about to be appended.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLedgerEntry {
    pub kind: LedgerKind,
    /// Always positive; the kind says which way it goes.
    pub amount: Money,
    pub currency: CurrencyCode,
    pub reason: BoundedText,
    pub order_reference: Option<BoundedText>,
}

/// Credits minus debits, and refunds, of one currency, from per-kind sums. `None` on overflow.
pub fn balance(credits: i64, debits: i64) -> Option<i64> {
    credits.checked_sub(debits)
}

/// A flag's name: lower-case letters, digits and `_`, like `legal_hold` or `do_not_contact`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlagName(String);

impl FlagName {
    pub fn parse(raw: &str) -> Result<FlagName, ValueError> {
        let name = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        let ok = (1..=40).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && name.as_bytes()[0].is_ascii_lowercase();
        if ok {
            Ok(FlagName(name))
        } else {
            Err(ValueError::new(
                "a flag is 1 to 40 letters, digits or _, starting with a letter (e.g. legal_hold)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_names_are_normalised_snake_case() {
        assert_eq!(
            FlagName::parse(" Legal Hold ").map(|f| f.0),
            Ok("legal_hold".to_owned())
        );
        assert_eq!(
            FlagName::parse("do-not-contact").map(|f| f.0),
            Ok("do_not_contact".to_owned())
        );
        assert!(FlagName::parse("1st").is_err());
        assert!(FlagName::parse("").is_err());
        assert!(FlagName::parse("a/b").is_err());
    }

    #[test]
    fn the_balance_is_credits_minus_debits() {
        assert_eq!(balance(10_000, 2_500), Some(7_500));
        assert_eq!(balance(i64::MIN, 1), None);
    }
}
