//! Constrained values, each parsed once at the edge into a newtype with a private field.
//!
//! "Parse, don't validate": once a function holds an `Email` or a `PhoneNumber` it never has to
//! check it again. Every type here has a fallible constructor, getters and no setters, and
//! serializes as its canonical string (or number). This module must not do I/O (no DNS lookups, no
//! HTTP probes of websites) and must not accept a value it would print differently from how it
//! parses it back.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValueError;

/// Serializes a type as its `as_str()` and, when a parser is given, deserializes through it, so
/// the wire can never carry a value the parser would reject.
macro_rules! string_serde {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
    ($ty:ident, $parse:expr) => {
        string_serde!($ty);

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                let parse: fn(&str) -> Result<$ty, ValueError> = $parse;
                parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Email

/// The longest address that fits the SMTP path limit (RFC 5321 section 4.5.3.1.3).
const EMAIL_MAX_CHARS: usize = 254;

/// An email address: trimmed, lower-cased, with a domain that has at least one dot.
///
/// The whole address is lower-cased, including the local part: strictly the local part is case
/// sensitive, but no mail provider a CRM user meets treats it so, and one spelling per address is
/// what makes duplicate detection work.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, ValueError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValueError::new("email address must not be empty"));
        }
        let lowered = trimmed.to_lowercase();
        if lowered.chars().count() > EMAIL_MAX_CHARS {
            return Err(ValueError::new(format!(
                "email address must be at most {EMAIL_MAX_CHARS} characters"
            )));
        }
        let options = email_address::Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        email_address::EmailAddress::parse_with_options(&lowered, options).map_err(|err| {
            let reason = err.to_string();
            let reason = reason.trim_end_matches('.');
            ValueError::new(format!(
                "not a valid email address ({})",
                lower_first(reason)
            ))
        })?;
        // `with_required_tld` already demands two labels; this keeps the rule visible and true
        // even if the crate's option changes meaning.
        let has_dotted_domain = lowered
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.'));
        if !has_dotted_domain {
            return Err(ValueError::new(
                "not a valid email address (the domain needs a dot, like example.com)",
            ));
        }
        Ok(Email(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the last `@`, already lower-case.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

string_serde!(Email, Email::parse);

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// CountryCode

/// ISO 3166-1 alpha-2: the 249 officially assigned country codes, sorted so that lookups can
/// binary search. User-assigned (`XK`, `AA`, ...), exceptionally reserved (`UK`, `EU`) and
/// withdrawn (`AN`, `YU`) codes are deliberately absent.
pub const ISO_3166_1_ALPHA_2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// An officially assigned ISO 3166-1 alpha-2 country code, stored upper-case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CountryCode(&'static str);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<CountryCode, ValueError> {
        let upper = raw.trim().to_ascii_uppercase();
        ISO_3166_1_ALPHA_2
            .binary_search(&upper.as_str())
            .ok()
            .and_then(|index| ISO_3166_1_ALPHA_2.get(index))
            .copied()
            .map(CountryCode)
            .ok_or_else(|| {
                ValueError::new("not an ISO 3166-1 alpha-2 country code (e.g. US, GB, DE)")
            })
    }

    pub fn as_str(&self) -> &str {
        self.0
    }

    /// The phone-numbering region for this country, used as the default region when a phone
    /// number is typed without `+country`. `None` for places with no numbering plan of their
    /// own (for example `AQ`, `BV`).
    pub fn phone_region(&self) -> Option<phonenumber::country::Id> {
        phonenumber::country::Id::from_str(self.0).ok()
    }
}

string_serde!(CountryCode, CountryCode::parse);

// ---------------------------------------------------------------------------------------------
// CurrencyCode

/// Minor digits assumed for currencies ISO 4217 gives none (precious metals, `XXX`, ...).
const DEFAULT_MINOR_DIGITS: u32 = 2;

/// An ISO 4217 currency code, stored upper-case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CurrencyCode(iso_currency::Currency);

impl CurrencyCode {
    pub fn parse(raw: &str) -> Result<CurrencyCode, ValueError> {
        let upper = raw.trim().to_ascii_uppercase();
        iso_currency::Currency::from_code(&upper)
            .map(CurrencyCode)
            .ok_or_else(|| ValueError::new("not an ISO 4217 currency code (e.g. USD, EUR, JPY)"))
    }

    pub fn as_str(&self) -> &str {
        self.0.code()
    }

    /// How many digits follow the decimal point: 0 for JPY, 2 for USD, 3 for KWD, and 2 when
    /// ISO 4217 defines none.
    pub fn minor_digits(&self) -> u32 {
        self.0.exponent().map_or(DEFAULT_MINOR_DIGITS, u32::from)
    }

    /// The underlying `iso_currency` value, for names and symbols.
    pub fn currency(&self) -> iso_currency::Currency {
        self.0
    }
}

string_serde!(CurrencyCode, CurrencyCode::parse);

// ---------------------------------------------------------------------------------------------
// PhoneNumber

/// A valid phone number, stored in E.164 (`+14155552671`). Extensions are not kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses `raw` as typed by a person. Without a leading `+`, the number is read as a national
    /// number of `default_region` (usually the customer's country); without either it is
    /// rejected rather than guessed.
    pub fn parse(
        raw: &str,
        default_region: Option<&CountryCode>,
    ) -> Result<PhoneNumber, ValueError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValueError::new("phone number must not be empty"));
        }
        let region = default_region.and_then(CountryCode::phone_region);
        if region.is_none() && !trimmed.starts_with('+') {
            return Err(ValueError::new(
                "phone number needs a country: use +country format, e.g. +44 20 7946 0958",
            ));
        }
        let invalid = || ValueError::new("not a valid phone number");
        // An international number must not be read with a default region: the phonenumber
        // crate then strips that region's national prefix from it (with US, "+33 1 42 68 53 00"
        // loses the "1" of the Paris area code and comes out invalid).
        let region = if trimmed.starts_with('+') {
            None
        } else {
            region
        };
        let number = phonenumber::parse(region, trimmed).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        Ok(PhoneNumber(e164))
    }

    pub fn e164(&self) -> &str {
        &self.0
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

string_serde!(PhoneNumber, |raw| PhoneNumber::parse(raw, None));

// ---------------------------------------------------------------------------------------------
// Website

/// Longer URLs are not websites people type into a CRM, and browsers start to choke on them.
const WEBSITE_MAX_CHARS: usize = 2000;

/// A public http(s) website. `https://` is assumed when no scheme is typed. International domain
/// names are kept in their ASCII (punycode) form, as browsers send them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Website {
    url: String,
    domain: String,
}

impl Website {
    pub fn parse(raw: &str) -> Result<Website, ValueError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValueError::new("website must not be empty"));
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(ValueError::new("website must not contain spaces"));
        }
        if trimmed.chars().count() > WEBSITE_MAX_CHARS {
            return Err(ValueError::new(format!(
                "website must be at most {WEBSITE_MAX_CHARS} characters"
            )));
        }
        let with_scheme = if has_scheme(trimmed) {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let url = url::Url::parse(&with_scheme)
            .map_err(|_| ValueError::new("not a valid website address"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ValueError::new("website must use http or https"));
        }
        // Credentials in a stored link leak to everyone who can read the customer, and
        // `mailto:x@y.com` would otherwise sneak in as user `mailto:x` on host `y.com`.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ValueError::new(
                "website must not contain a user name or password",
            ));
        }
        let host = url.host_str().unwrap_or_default();
        let labels_ok = host.contains('.') && host.split('.').all(|label| !label.is_empty());
        if !labels_ok {
            return Err(ValueError::new(
                "website needs a full domain name, like acme.com",
            ));
        }
        let domain = host.strip_prefix("www.").unwrap_or(host).to_owned();
        let mut normalised = url.to_string();
        let bare_host = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
        if bare_host && normalised.ends_with('/') {
            normalised.pop();
        }
        Ok(Website {
            url: normalised,
            domain,
        })
    }

    /// The normalised URL: lower-case scheme and host, no trailing slash for a bare host.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The host, lower-case, without a leading `www.`; what duplicate detection compares.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    fn as_str(&self) -> &str {
        &self.url
    }
}

string_serde!(Website, Website::parse);

/// True when `s` starts with `scheme://`; `acme.com:8080` has no scheme, `ftp://x.y` has one.
fn has_scheme(s: &str) -> bool {
    s.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

// ---------------------------------------------------------------------------------------------
// Scores

macro_rules! score {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u8);

        impl $name {
            pub const MAX: u8 = 100;

            pub fn new(value: i64) -> Result<$name, ValueError> {
                u8::try_from(value)
                    .ok()
                    .filter(|v| *v <= Self::MAX)
                    .map($name)
                    .ok_or_else(|| ValueError::new(concat!($what, " must be between 0 and 100")))
            }

            pub fn get(&self) -> u8 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_u8(self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = i64::deserialize(deserializer)?;
                $name::new(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

score!(
    /// How healthy a customer relationship is, 0 (worst) to 100 (best).
    HealthScore,
    "health score"
);
score!(
    /// How likely a customer is to leave, 0 (safe) to 100 (leaving).
    ChurnRisk,
    "churn risk"
);

impl HealthScore {
    /// "healthy" (70 and above), "watch" (40 to 69) or "critical" (below 40).
    pub fn band(&self) -> &'static str {
        match self.0 {
            70.. => "healthy",
            40..70 => "watch",
            _ => "critical",
        }
    }
}

impl ChurnRisk {
    /// "low" (below 30), "medium" (30 to 59) or "high" (60 and above).
    pub fn band(&self) -> &'static str {
        match self.0 {
            60.. => "high",
            30..60 => "medium",
            _ => "low",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tag

const TAG_MAX_CHARS: usize = 40;

/// A label such as `enterprise`, `q3-renewal` or `region:emea`: lower-case, whitespace turned
/// into `-`, letters (any script), digits, `-`, `_` and `:` only.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    pub fn parse(raw: &str) -> Result<Tag, ValueError> {
        let normalised = raw
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-");
        let len = normalised.chars().count();
        if len == 0 {
            return Err(ValueError::new("tag must not be empty"));
        }
        if len > TAG_MAX_CHARS {
            return Err(ValueError::new(format!(
                "tag must be at most {TAG_MAX_CHARS} characters"
            )));
        }
        if let Some(bad) = normalised
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ':')))
        {
            return Err(ValueError::new(format!(
                "tag may only contain letters, digits, '-', '_' and ':' (found {bad:?})"
            )));
        }
        Ok(Tag(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_serde!(Tag, Tag::parse);

// ---------------------------------------------------------------------------------------------
// CustomerCode

const CUSTOMER_CODE_MAX_CHARS: usize = 32;
/// Generated codes are zero padded to this many digits so they sort well for the first million.
const GENERATED_CODE_DIGITS: usize = 6;

/// A human-facing customer reference such as `CUS-000123` or `ACME_EU`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerCode(String);

impl CustomerCode {
    pub fn parse(raw: &str) -> Result<CustomerCode, ValueError> {
        // ASCII upper-casing only, so that `ß` is rejected rather than turned into `SS`.
        let upper = raw.trim().to_ascii_uppercase();
        let len = upper.chars().count();
        if len == 0 {
            return Err(ValueError::new("customer code must not be empty"));
        }
        if len > CUSTOMER_CODE_MAX_CHARS {
            return Err(ValueError::new(format!(
                "customer code must be at most {CUSTOMER_CODE_MAX_CHARS} characters"
            )));
        }
        let allowed =
            |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_';
        if !upper.chars().all(allowed) {
            return Err(ValueError::new(
                "customer code may only contain A-Z, 0-9, '-' and '_'",
            ));
        }
        Ok(CustomerCode(upper))
    }

    /// The code given to the `n`th customer of an organisation: `CUS-000123`, with more digits
    /// once six are not enough.
    pub fn generated(n: u64) -> CustomerCode {
        CustomerCode(format!("CUS-{n:0width$}", width = GENERATED_CODE_DIGITS))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_serde!(CustomerCode, CustomerCode::parse);

// ---------------------------------------------------------------------------------------------
// Free text

/// A single line of text such as a name: trimmed, not empty, at most `max_chars` characters, no
/// control characters. There is no `Deserialize`: the bound belongs to the field, not the type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BoundedText(String);

impl BoundedText {
    pub fn parse(raw: &str, max_chars: usize) -> Result<BoundedText, ValueError> {
        let text = bounded(raw.trim(), max_chars)?;
        if text.chars().any(char::is_control) {
            return Err(ValueError::new("must not contain control characters"));
        }
        Ok(BoundedText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

string_serde!(BoundedText);

/// Multi-line text such as notes: like `BoundedText` but newlines and tabs are allowed. Windows
/// line endings are normalised to `\n` so the same note always has the same length.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LongText(String);

impl LongText {
    pub fn parse(raw: &str, max_chars: usize) -> Result<LongText, ValueError> {
        let unified = raw.replace("\r\n", "\n");
        let text = bounded(unified.trim(), max_chars)?;
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(ValueError::new(
                "must not contain control characters other than newlines and tabs",
            ));
        }
        Ok(LongText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

string_serde!(LongText);

fn bounded(text: &str, max_chars: usize) -> Result<&str, ValueError> {
    if text.is_empty() {
        return Err(ValueError::new("must not be empty"));
    }
    if text.chars().count() > max_chars {
        return Err(ValueError::new(format!(
            "must be at most {max_chars} characters"
        )));
    }
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use crate::values::{
        BoundedText, ChurnRisk, CountryCode, CurrencyCode, CustomerCode, Email, HealthScore,
        ISO_3166_1_ALPHA_2, LongText, PhoneNumber, Tag, Website,
    };

    /// `expected` is the canonical form, or `Err(fragment)` that the error message must contain.
    fn check<T: std::fmt::Debug>(
        parse: impl Fn(&str) -> Result<T, crate::error::ValueError>,
        show: impl Fn(&T) -> String,
        cases: &[(&str, Result<&str, &str>)],
    ) {
        for (input, expected) in cases {
            match (parse(input), expected) {
                (Ok(value), Ok(want)) => assert_eq!(show(&value), *want, "input {input:?}"),
                (Err(err), Err(fragment)) => assert!(
                    err.message.contains(fragment),
                    "input {input:?}: message {:?} lacks {fragment:?}",
                    err.message
                ),
                (got, want) => panic!("input {input:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_need_a_dotted_domain() {
        let long_local = format!("{}@example.com", "a".repeat(64));
        let too_long = format!("{}@{}.com", "a".repeat(64), "b".repeat(63).repeat(3));
        check(
            Email::parse,
            |e| e.as_str().to_owned(),
            &[
                ("  Jane.Doe@Example.COM ", Ok("jane.doe@example.com")),
                ("a+tag@sub.example.co.uk", Ok("a+tag@sub.example.co.uk")),
                ("josé@exämple.com", Ok("josé@exämple.com")),
                (&long_local, Ok(&long_local)),
                ("", Err("must not be empty")),
                ("   ", Err("must not be empty")),
                ("jane", Err("not a valid email address")),
                ("jane@localhost", Err("not a valid email address")),
                ("jane@", Err("not a valid email address")),
                ("@example.com", Err("not a valid email address")),
                ("jane doe@example.com", Err("not a valid email address")),
                ("jane@[127.0.0.1]", Err("not a valid email address")),
                ("Jane <jane@example.com>", Err("not a valid email address")),
                ("jane@example..com", Err("not a valid email address")),
                (&too_long, Err("at most 254")),
            ],
        );
    }

    #[test]
    fn email_domain_is_the_part_after_the_at_sign() {
        assert_eq!(Email::parse("Bob@Acme.io").unwrap().domain(), "acme.io");
        assert_eq!(Email::parse("\"a@b\"@acme.io").unwrap().domain(), "acme.io");
    }

    #[test]
    fn country_codes_are_case_insensitive_and_must_be_assigned() {
        check(
            CountryCode::parse,
            |c| c.as_str().to_owned(),
            &[
                ("us", Ok("US")),
                (" gb ", Ok("GB")),
                ("De", Ok("DE")),
                ("SS", Ok("SS")),
                ("AQ", Ok("AQ")),
                ("UK", Err("ISO 3166-1")),
                ("XK", Err("ISO 3166-1")),
                ("AN", Err("ISO 3166-1")),
                ("USA", Err("ISO 3166-1")),
                ("", Err("ISO 3166-1")),
                ("ü", Err("ISO 3166-1")),
            ],
        );
    }

    #[test]
    fn the_country_table_holds_249_sorted_unique_two_letter_codes() {
        assert_eq!(ISO_3166_1_ALPHA_2.len(), 249);
        assert!(ISO_3166_1_ALPHA_2.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ISO_3166_1_ALPHA_2
                .iter()
                .all(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()))
        );
        for code in ISO_3166_1_ALPHA_2 {
            assert_eq!(CountryCode::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn countries_map_to_phone_regions_where_one_exists() {
        let region = |c: &str| CountryCode::parse(c).unwrap().phone_region();
        assert_eq!(region("us"), Some(phonenumber::country::Id::US));
        assert_eq!(region("GB"), Some(phonenumber::country::Id::GB));
        assert_eq!(region("BV"), None);
    }

    #[test]
    fn currency_codes_are_iso_4217_with_their_minor_digits() {
        check(
            CurrencyCode::parse,
            |c| format!("{} {}", c.as_str(), c.minor_digits()),
            &[
                ("usd", Ok("USD 2")),
                (" EUR ", Ok("EUR 2")),
                ("jpy", Ok("JPY 0")),
                ("KWD", Ok("KWD 3")),
                ("XAU", Ok("XAU 2")),
                ("US", Err("ISO 4217")),
                ("ABC", Err("ISO 4217")),
                ("", Err("ISO 4217")),
            ],
        );
    }

    #[test]
    fn phone_numbers_become_e164_using_the_default_region_only_without_a_plus() {
        let us = CountryCode::parse("US").unwrap();
        let gb = CountryCode::parse("GB").unwrap();
        let aq = CountryCode::parse("AQ").unwrap();
        let cases: &[(&str, Option<&CountryCode>, Result<&str, &str>)] = &[
            ("+44 20 7946 0958", None, Ok("+442079460958")),
            ("+44 20 7946 0958", Some(&us), Ok("+442079460958")),
            // A national number starting with 1 keeps it, whatever the default region.
            ("+33 1 42 68 53 00", Some(&us), Ok("+33142685300")),
            ("+44 1908 555010", Some(&us), Ok("+441908555010")),
            ("(415) 555-2671", Some(&us), Ok("+14155552671")),
            ("415.555.2671", Some(&us), Ok("+14155552671")),
            ("020 7946 0958", Some(&gb), Ok("+442079460958")),
            ("  +1 415 555 2671  ", None, Ok("+14155552671")),
            ("(415) 555-2671", None, Err("use +country format")),
            ("(415) 555-2671", Some(&aq), Err("use +country format")),
            ("", Some(&us), Err("must not be empty")),
            ("+1 555", None, Err("not a valid phone number")),
            ("+1 000 000 0000", None, Err("not a valid phone number")),
            ("hello", Some(&us), Err("not a valid phone number")),
        ];
        for (input, region, expected) in cases {
            match (PhoneNumber::parse(input, *region), expected) {
                (Ok(p), Ok(want)) => {
                    assert_eq!(p.e164(), *want, "input {input:?}");
                    assert_eq!(p.to_string(), *want);
                }
                (Err(err), Err(fragment)) => {
                    assert!(err.message.contains(fragment), "input {input:?}: {err}")
                }
                (got, want) => panic!("input {input:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn websites_get_a_scheme_and_a_bare_domain() {
        check(
            Website::parse,
            |w| format!("{} {}", w.url(), w.domain()),
            &[
                ("acme.com", Ok("https://acme.com acme.com")),
                ("ACME.com/", Ok("https://acme.com acme.com")),
                (
                    "www.acme.com/path",
                    Ok("https://www.acme.com/path acme.com"),
                ),
                ("https://acme.com", Ok("https://acme.com acme.com")),
                ("http://WWW.Acme.com/", Ok("http://www.acme.com acme.com")),
                (
                    "HTTPS://acme.com/A?b=1",
                    Ok("https://acme.com/A?b=1 acme.com"),
                ),
                ("acme.com:8080", Ok("https://acme.com:8080 acme.com")),
                (
                    "shop.acme.co.uk",
                    Ok("https://shop.acme.co.uk shop.acme.co.uk"),
                ),
                ("", Err("must not be empty")),
                ("acme", Err("full domain name")),
                ("https://localhost", Err("full domain name")),
                ("acme.", Err("full domain name")),
                ("acme .com", Err("spaces")),
                ("ftp://acme.com", Err("http or https")),
                ("javascript://acme.com", Err("http or https")),
                ("mailto:bob@acme.com", Err("user name or password")),
                ("https://bob:secret@acme.com", Err("user name or password")),
                ("https://", Err("not a valid website")),
            ],
        );
    }

    #[test]
    fn scores_accept_0_to_100_and_fall_into_bands() {
        let cases: &[(i64, Option<(&str, &str)>)] = &[
            (-1, None),
            (0, Some(("critical", "low"))),
            (29, Some(("critical", "low"))),
            (30, Some(("critical", "medium"))),
            (39, Some(("critical", "medium"))),
            (40, Some(("watch", "medium"))),
            (59, Some(("watch", "medium"))),
            (60, Some(("watch", "high"))),
            (69, Some(("watch", "high"))),
            (70, Some(("healthy", "high"))),
            (100, Some(("healthy", "high"))),
            (101, None),
            (256, None),
            (i64::MIN, None),
        ];
        for (value, expected) in cases {
            let health = HealthScore::new(*value);
            let risk = ChurnRisk::new(*value);
            match expected {
                Some((health_band, risk_band)) => {
                    let (health, risk) = (health.unwrap(), risk.unwrap());
                    assert_eq!(i64::from(health.get()), *value);
                    assert_eq!(i64::from(risk.get()), *value);
                    assert_eq!((health.band(), risk.band()), (*health_band, *risk_band));
                }
                None => {
                    assert!(health.unwrap_err().message.contains("health score"));
                    assert!(risk.unwrap_err().message.contains("churn risk"));
                }
            }
        }
    }

    #[test]
    fn scores_travel_as_json_numbers_and_are_checked_on_the_way_in() {
        let score = HealthScore::new(85).unwrap();
        assert_eq!(serde_json::to_string(&score).unwrap(), "85");
        assert_eq!(serde_json::from_str::<HealthScore>("85").unwrap(), score);
        assert!(serde_json::from_str::<ChurnRisk>("101").is_err());
    }

    #[test]
    fn tags_are_lowercased_and_joined_with_dashes() {
        let forty = "a".repeat(40);
        let forty_one = "a".repeat(41);
        check(
            Tag::parse,
            |t| t.as_str().to_owned(),
            &[
                ("Enterprise", Ok("enterprise")),
                ("  Q3   Renewal ", Ok("q3-renewal")),
                ("region:EMEA", Ok("region:emea")),
                ("snake_case", Ok("snake_case")),
                ("Café Ünïcode", Ok("café-ünïcode")),
                ("東京", Ok("東京")),
                (&forty, Ok(&forty)),
                (&forty_one, Err("at most 40")),
                ("", Err("must not be empty")),
                (" \t ", Err("must not be empty")),
                ("a/b", Err("may only contain")),
                ("a,b", Err("may only contain")),
                ("#vip", Err("may only contain")),
            ],
        );
    }

    #[test]
    fn customer_codes_are_uppercase_ascii() {
        let max = "A".repeat(32);
        let over = "A".repeat(33);
        check(
            CustomerCode::parse,
            |c| c.as_str().to_owned(),
            &[
                ("cus-000123", Ok("CUS-000123")),
                (" acme_eu ", Ok("ACME_EU")),
                (&max, Ok(&max)),
                (&over, Err("at most 32")),
                ("", Err("must not be empty")),
                ("a b", Err("may only contain")),
                ("straße", Err("may only contain")),
                ("a.b", Err("may only contain")),
            ],
        );
    }

    #[test]
    fn generated_customer_codes_are_zero_padded_to_at_least_six_digits() {
        let cases: &[(u64, &str)] = &[
            (0, "CUS-000000"),
            (123, "CUS-000123"),
            (999_999, "CUS-999999"),
            (1_000_000, "CUS-1000000"),
            (u64::MAX, "CUS-18446744073709551615"),
        ];
        for (n, want) in cases {
            let code = CustomerCode::generated(*n);
            assert_eq!(code.as_str(), *want);
            assert_eq!(CustomerCode::parse(want).unwrap(), code);
        }
    }

    #[test]
    fn bounded_text_is_one_trimmed_line_within_its_limit() {
        check(
            |s| BoundedText::parse(s, 5),
            |t| t.as_str().to_owned(),
            &[
                ("  Acme ", Ok("Acme")),
                ("Zoë B", Ok("Zoë B")),
                ("éééé", Ok("éééé")),
                ("abcdef", Err("at most 5")),
                ("", Err("must not be empty")),
                ("  ", Err("must not be empty")),
                ("a\nb", Err("control characters")),
                ("a\tb", Err("control characters")),
                ("a\u{7}b", Err("control characters")),
            ],
        );
        assert_eq!(BoundedText::parse("x", 1).unwrap().into_string(), "x");
    }

    #[test]
    fn long_text_keeps_newlines_and_tabs_but_no_other_controls() {
        check(
            |s| LongText::parse(s, 12),
            |t| t.as_str().to_owned(),
            &[
                ("line1\nline2", Ok("line1\nline2")),
                ("a\r\nb\tc", Ok("a\nb\tc")),
                ("\n  note \n", Ok("note")),
                ("a\u{0}b", Err("control characters")),
                ("a\rb", Err("control characters")),
                ("", Err("must not be empty")),
                ("1234567890123", Err("at most 12")),
            ],
        );
    }

    #[test]
    fn string_values_travel_as_json_strings_and_are_parsed_on_the_way_in() {
        let email = Email::parse("A@B.CO").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"a@b.co\"");
        assert_eq!(
            serde_json::from_str::<Email>("\" A@B.co \"").unwrap(),
            email
        );
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
        let phone: PhoneNumber = serde_json::from_str("\"+14155552671\"").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"+14155552671\"");
        let site: Website = serde_json::from_str("\"acme.com\"").unwrap();
        assert_eq!(
            serde_json::to_string(&site).unwrap(),
            "\"https://acme.com\""
        );
        let country: CountryCode = serde_json::from_str("\"fr\"").unwrap();
        assert_eq!(country.to_string(), "FR");
        let currency: CurrencyCode = serde_json::from_str("\"eur\"").unwrap();
        assert_eq!(serde_json::to_string(&currency).unwrap(), "\"EUR\"");
        let tags: Vec<Tag> = serde_json::from_str("[\"VIP\", \"Q3 Renewal\"]").unwrap();
        assert_eq!(
            serde_json::to_string(&tags).unwrap(),
            "[\"vip\",\"q3-renewal\"]"
        );
        let text = BoundedText::parse("Acme", 10).unwrap();
        assert_eq!(serde_json::to_string(&text).unwrap(), "\"Acme\"");
    }

    proptest! {
        #[test]
        fn parsing_a_parsed_email_gives_it_back(local in "[a-zA-Z0-9._%+-]{1,20}", domain in "[a-zA-Z0-9]{1,10}\\.[a-zA-Z]{2,6}") {
            if let Ok(email) = Email::parse(&format!("{local}@{domain}")) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
                prop_assert_eq!(email.as_str(), email.as_str().to_lowercase());
            }
        }

        #[test]
        fn email_parse_never_panics(raw in "\\PC{0,80}") {
            let _ = Email::parse(&raw);
        }

        #[test]
        fn parsing_a_parsed_tag_gives_it_back(raw in "\\PC{0,50}") {
            if let Ok(tag) = Tag::parse(&raw) {
                prop_assert_eq!(Tag::parse(tag.as_str()), Ok(tag.clone()));
                prop_assert!(!tag.as_str().chars().any(char::is_whitespace));
            }
        }

        #[test]
        fn parsing_a_parsed_website_gives_it_back(raw in "(https?://)?(www\\.)?[a-zA-Z0-9-]{1,12}\\.[a-z]{2,5}(/[a-zA-Z0-9_-]{0,8}){0,2}") {
            if let Ok(site) = Website::parse(&raw) {
                prop_assert_eq!(Website::parse(site.url()), Ok(site.clone()));
            }
        }

        #[test]
        fn parsing_an_e164_number_gives_it_back(raw in "\\+?[0-9 ()-]{0,20}") {
            let us = CountryCode::parse("US").ok();
            if let Ok(phone) = PhoneNumber::parse(&raw, us.as_ref()) {
                prop_assert_eq!(PhoneNumber::parse(phone.e164(), None), Ok(phone.clone()));
            }
        }

        #[test]
        fn phone_parse_never_panics(raw in "\\PC{0,30}|\\+[0-9 ]{0,25}") {
            let us = CountryCode::parse("US").ok();
            let _ = PhoneNumber::parse(&raw, us.as_ref());
            let _ = PhoneNumber::parse(&raw, None);
        }

        #[test]
        fn website_parse_never_panics(raw in "\\PC{0,40}") {
            let _ = Website::parse(&raw);
        }

        #[test]
        fn parsing_parsed_text_gives_it_back(raw in "\\PC{0,30}") {
            if let Ok(text) = BoundedText::parse(&raw, 20) {
                prop_assert_eq!(BoundedText::parse(text.as_str(), 20), Ok(text.clone()));
            }
            if let Ok(code) = CustomerCode::parse(&raw) {
                prop_assert_eq!(CustomerCode::parse(code.as_str()), Ok(code.clone()));
            }
        }
    }
}
