//! Contacts (the people at a customer) and addresses: their enums, write models and the
//! country-aware postal-code rules.
//!
//! Postal codes are checked with a documented table of national formats (no maintained crate
//! covers them without pulling in a large data set): US, GB, DE, FR, CA, AU and JP are checked and
//! normalised; other countries take any short code. This module must not do I/O.

use chrono::{DateTime, Utc};

use crate::error::{FieldError, ValueError};
use crate::values::{BoundedText, CountryCode, Email, LongText, PhoneNumber};

wire_enum! {
    /// What a contact does for the customer.
    pub enum ContactRole ("role") {
        Primary => "primary",
        Billing => "billing",
        Shipping => "shipping",
        Technical => "technical",
        DecisionMaker => "decision_maker",
        Contact => "contact",
    }
}

wire_enum! {
    /// How a contact prefers to be reached.
    pub enum PreferredChannel ("preferred_channel") {
        Email => "email",
        Phone => "phone",
        Sms => "sms",
        InPerson => "in_person",
        None => "none",
    }
}

wire_enum! {
    /// What an address is for.
    pub enum AddressKind ("kind") {
        Billing => "billing",
        Shipping => "shipping",
        Other => "other",
    }
}

/// Longest contact name part, title or department.
pub const CONTACT_LABEL_MAX_CHARS: usize = 100;
/// Longest address line, city or region.
pub const ADDRESS_LINE_MAX_CHARS: usize = 200;

/// A contact about to be written, made of parsed values.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    pub first_name: Option<BoundedText>,
    pub last_name: Option<BoundedText>,
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub mobile: Option<PhoneNumber>,
    pub title: Option<BoundedText>,
    pub department: Option<BoundedText>,
    pub role: ContactRole,
    pub is_primary: bool,
    pub is_influencer: bool,
    pub portal_access: bool,
    pub preferred_channel: Option<PreferredChannel>,
    pub receives_order_updates: bool,
    pub receives_marketing: bool,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub notes: Option<LongText>,
}

impl NewContact {
    /// The rules that span fields: a contact needs a name or an email to be recognisable, and
    /// the `primary` role means the primary flag.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        if self.role == ContactRole::Primary {
            self.is_primary = true;
        }
        if self.first_name.is_none() && self.last_name.is_none() && self.email.is_none() {
            return Err(vec![FieldError::new(
                "first_name",
                "a contact needs a first name, a last name or an email",
            )]);
        }
        Ok(())
    }

    /// "First Last", or the email when there is no name.
    pub fn full_name(&self) -> String {
        full_name(
            self.first_name.as_ref().map(BoundedText::as_str),
            self.last_name.as_ref().map(BoundedText::as_str),
            self.email.as_ref().map(Email::as_str),
        )
    }
}

/// "First Last", or the email, or "(no name)".
pub fn full_name(first: Option<&str>, last: Option<&str>, email: Option<&str>) -> String {
    let name = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !name.is_empty() {
        name
    } else {
        email.unwrap_or("(no name)").to_owned()
    }
}

/// An address about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAddress {
    pub kind: AddressKind,
    pub label: Option<BoundedText>,
    pub line1: BoundedText,
    pub line2: Option<BoundedText>,
    pub city: Option<BoundedText>,
    pub region: Option<BoundedText>,
    pub postal_code: Option<PostalCode>,
    pub country: CountryCode,
    pub is_primary: bool,
}

/// A postal code checked against its country's format and written the national way
/// (`SW1A 1AA`, `K1A 0B1`, `100-0001`, `94105-1234`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    /// Checks `raw` for `country`. The table:
    ///
    /// | country | format | example |
    /// |---|---|---|
    /// | US | 5 digits, optionally `-` and 4 more (ZIP+4) | `94105`, `94105-1234` |
    /// | GB | outward `A9`, `A99`, `A9A`, `AA9`, `AA99` or `AA9A`, a space, inward `9AA` | `SW1A 1AA` |
    /// | DE, FR | 5 digits | `10115`, `75008` |
    /// | CA | `A9A 9A9`; never D, F, I, O, Q, U; not W or Z first | `K1A 0B1` |
    /// | AU | 4 digits | `2000` |
    /// | JP | 7 digits as `999-9999` | `100-0001` |
    /// | others | up to 12 letters, digits, spaces or `-` | |
    pub fn parse(raw: &str, country: CountryCode) -> Result<PostalCode, ValueError> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let bad = |example: &str| {
            ValueError::new(format!(
                "not a valid postal code for {} (e.g. {example})",
                country.as_str()
            ))
        };
        let normalised = match country.as_str() {
            "US" => {
                let (zip, plus4) = match compact.split_once('-') {
                    Some((zip, plus4)) => (zip, Some(plus4)),
                    None if compact.len() == 9 => (&compact[..5], Some(&compact[5..])),
                    None => (compact.as_str(), None),
                };
                if !digits(zip, 5) || plus4.is_some_and(|p| !digits(p, 4)) {
                    return Err(bad("94105 or 94105-1234"));
                }
                match plus4 {
                    Some(p) => format!("{zip}-{p}"),
                    None => zip.to_owned(),
                }
            }
            "GB" => {
                if compact == "GIR0AA" {
                    "GIR 0AA".to_owned()
                } else if compact.len() >= 5 && compact.len() <= 7 && compact.is_ascii() {
                    let (outward, inward) = compact.split_at(compact.len() - 3);
                    if !uk_outward(outward) || !uk_inward(inward) {
                        return Err(bad("SW1A 1AA"));
                    }
                    format!("{outward} {inward}")
                } else {
                    return Err(bad("SW1A 1AA"));
                }
            }
            "DE" | "FR" => {
                if !digits(&compact, 5) {
                    return Err(bad(if country.as_str() == "DE" {
                        "10115"
                    } else {
                        "75008"
                    }));
                }
                compact
            }
            "CA" => {
                let b = compact.as_bytes();
                let letter = |c: u8, first: bool| {
                    c.is_ascii_uppercase()
                        && !b"DFIOQU".contains(&c)
                        && !(first && (c == b'W' || c == b'Z'))
                };
                let ok = b.len() == 6
                    && letter(b[0], true)
                    && b[1].is_ascii_digit()
                    && letter(b[2], false)
                    && b[3].is_ascii_digit()
                    && letter(b[4], false)
                    && b[5].is_ascii_digit();
                if !ok {
                    return Err(bad("K1A 0B1"));
                }
                format!("{} {}", &compact[..3], &compact[3..])
            }
            "AU" => {
                if !digits(&compact, 4) {
                    return Err(bad("2000"));
                }
                compact
            }
            "JP" => {
                let plain = compact.replace('-', "");
                if !digits(&plain, 7) {
                    return Err(bad("100-0001"));
                }
                format!("{}-{}", &plain[..3], &plain[3..])
            }
            _ => {
                let trimmed = raw.trim().to_uppercase();
                let ok = !trimmed.is_empty()
                    && trimmed.chars().count() <= 12
                    && trimmed
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == ' ' || c == '-');
                if !ok {
                    return Err(ValueError::new(
                        "a postal code is up to 12 letters, digits, spaces or hyphens",
                    ));
                }
                trimmed
            }
        };
        Ok(PostalCode(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The outward half of a UK postcode: `A9`, `A99`, `A9A`, `AA9`, `AA99` or `AA9A`.
fn uk_outward(s: &str) -> bool {
    let shape: String = s
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { 'A' })
        .collect();
    s.chars().all(|c| c.is_ascii_alphanumeric())
        && ["A9", "A99", "A9A", "AA9", "AA99", "AA9A"].contains(&shape.as_str())
}

/// The inward half: a digit then two letters (never C, I, K, M, O or V).
fn uk_inward(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 3
        && b[0].is_ascii_digit()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() && !b"CIKMOV".contains(c))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check(country: &str, raw: &str, expected: Option<&str>) {
        let country = CountryCode::parse(country).unwrap();
        let got = PostalCode::parse(raw, country).ok();
        assert_eq!(
            got.as_ref().map(PostalCode::as_str),
            expected,
            "{raw} in {}",
            country.as_str()
        );
    }

    #[test]
    fn postal_codes_are_checked_and_written_the_national_way() {
        check("US", "94105", Some("94105"));
        check("US", "94105-1234", Some("94105-1234"));
        check("US", "941051234", Some("94105-1234"));
        check("US", "9410", None);
        check("US", "ABCDE", None);
        check("GB", "sw1a1aa", Some("SW1A 1AA"));
        check("GB", "M1 1AE", Some("M1 1AE"));
        check("GB", "B33 8TH", Some("B33 8TH"));
        check("GB", "CR2 6XH", Some("CR2 6XH"));
        check("GB", "DN55 1PT", Some("DN55 1PT"));
        check("GB", "GIR 0AA", Some("GIR 0AA"));
        check("GB", "SW1A 1CA", None);
        check("GB", "12345", None);
        check("DE", "10115", Some("10115"));
        check("DE", "1011", None);
        check("FR", "75008", Some("75008"));
        check("FR", "7500A", None);
        check("CA", "k1a0b1", Some("K1A 0B1"));
        check("CA", "K1A 0B1", Some("K1A 0B1"));
        check("CA", "W1A 0B1", None);
        check("CA", "K1D 0B1", None);
        check("AU", "2000", Some("2000"));
        check("AU", "20000", None);
        check("JP", "1000001", Some("100-0001"));
        check("JP", "100-0001", Some("100-0001"));
        check("JP", "100-001", None);
        check("NL", "1012 ab", Some("1012 AB"));
        check("NL", "<script>", None);
    }

    #[test]
    fn a_contact_needs_a_name_or_an_email_and_role_primary_means_primary() {
        let mut contact = NewContact {
            first_name: None,
            last_name: None,
            email: None,
            phone: None,
            mobile: None,
            title: None,
            department: None,
            role: ContactRole::Primary,
            is_primary: false,
            is_influencer: false,
            portal_access: false,
            preferred_channel: None,
            receives_order_updates: false,
            receives_marketing: false,
            last_contacted_at: None,
            notes: None,
        };
        assert!(contact.validate().is_err());
        contact.email = Some(Email::parse("ada@example.com").unwrap());
        assert!(contact.validate().is_ok());
        assert!(contact.is_primary);
        assert_eq!(contact.full_name(), "ada@example.com");
        assert_eq!(
            full_name(Some("Ada"), Some("Lovelace"), None),
            "Ada Lovelace"
        );
    }
}
