//! Normalisers: each turns one kind of value, as people type it, into the form duplicate
//! matching compares. They fold case and accents (through [`crate::search::fold`]), and know the
//! conventions of their field: legal suffixes of company names, nicknames, gmail-like email
//! addresses, E.164 phones, registrable domains (the public suffix list, compiled in) and
//! street abbreviations. Every function is total: junk in gives `None` or an empty result.

use crate::search::fold;
use crate::values::{CountryCode, PhoneNumber};

use super::nicknames;

/// Legal-form tokens dropped from the end of a company name (after folding; runs of single
/// letters such as "S.A." are joined first, so "s a" is "sa").
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "mbh",
    "sa",
    "sarl",
    "sas",
    "srl",
    "spa",
    "bv",
    "nv",
    "ag",
    "kg",
    "ohg",
    "ug",
    "pty",
    "plc",
    "llp",
    "lp",
    "corp",
    "corporation",
    "co",
    "company",
    "oy",
    "ab",
    "as",
    "aps",
    "sl",
    "kk",
    "pte",
    "pvt",
    "private",
    "holding",
    "holdings",
    "group",
];

/// Words that carry no identity in a company name.
const NAME_STOPWORDS: &[&str] = &["and", "the", "of"];

/// Words of a company name that say what it does, not who it is: many companies share them, so
/// they are a poor key ("Acme Consulting" is filed under acme).
const GENERIC_WORDS: &[&str] = &[
    "academy",
    "agency",
    "analytics",
    "associates",
    "bakery",
    "bank",
    "brands",
    "builders",
    "capital",
    "care",
    "center",
    "centre",
    "clinic",
    "cloud",
    "communications",
    "construction",
    "consultants",
    "consulting",
    "data",
    "design",
    "development",
    "digital",
    "education",
    "electric",
    "energy",
    "engineering",
    "enterprises",
    "entertainment",
    "equipment",
    "finance",
    "financial",
    "foods",
    "foundation",
    "global",
    "health",
    "healthcare",
    "industries",
    "institute",
    "insurance",
    "international",
    "investments",
    "labs",
    "laboratories",
    "legal",
    "logistics",
    "management",
    "manufacturing",
    "marketing",
    "media",
    "medical",
    "motors",
    "networks",
    "partners",
    "pharma",
    "pharmaceuticals",
    "products",
    "properties",
    "realty",
    "resources",
    "restaurant",
    "retail",
    "robotics",
    "security",
    "services",
    "software",
    "solutions",
    "studio",
    "studios",
    "supply",
    "systems",
    "technologies",
    "technology",
    "trading",
    "transport",
    "travel",
    "ventures",
    "works",
];

/// A word many companies' names share ("consulting", "systems").
pub fn is_generic_word(token: &str) -> bool {
    GENERIC_WORDS.contains(&token)
}

/// Mail providers whose domain says nothing about the company.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
];

/// Street-address words and their one abbreviation.
const ADDRESS_WORDS: &[(&str, &str)] = &[
    ("street", "st"),
    ("str", "st"),
    ("strasse", "st"),
    ("avenue", "ave"),
    ("av", "ave"),
    ("road", "rd"),
    ("boulevard", "blvd"),
    ("drive", "dr"),
    ("lane", "ln"),
    ("court", "ct"),
    ("place", "pl"),
    ("square", "sq"),
    ("suite", "unit"),
    ("ste", "unit"),
    ("apartment", "unit"),
    ("apt", "unit"),
    ("floor", "fl"),
    ("building", "bldg"),
    ("highway", "hwy"),
    ("parkway", "pkwy"),
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
];

/// Folded tokens of `s`, with runs of single letters joined ("S.A.R.L." -> "sarl").
fn tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut letters = String::new();
    for token in fold(s).split(' ').filter(|t| !t.is_empty()) {
        if token.len() == 1 && token.chars().all(|c| c.is_ascii_alphabetic()) {
            letters.push_str(token);
            continue;
        }
        if !letters.is_empty() {
            out.push(std::mem::take(&mut letters));
        }
        out.push(token.to_owned());
    }
    if !letters.is_empty() {
        out.push(letters);
    }
    out
}

/// A company name as tokens: folded, "&" read as "and", stopwords out, legal suffixes dropped
/// from the end (never the last remaining token). "The Smith & Sons Co., Ltd." -> smith sons.
pub fn company_name(name: &str) -> Vec<String> {
    let mut out: Vec<String> = tokens(&name.replace('&', " and "))
        .into_iter()
        .filter(|t| !NAME_STOPWORDS.contains(&t.as_str()))
        .collect();
    while out.len() > 1
        && out
            .last()
            .is_some_and(|t| LEGAL_SUFFIXES.contains(&t.as_str()))
    {
        out.pop();
    }
    out
}

/// A given name, folded, as its canonical form ("Bob" -> robert). Only the first token counts
/// ("Mary Ann" -> mary).
pub fn first_name(name: &str) -> Option<String> {
    let folded = fold(name);
    let first = folded.split(' ').next().filter(|t| !t.is_empty())?;
    Some(nicknames::canonical(first).to_owned())
}

/// A family name, folded, with its tokens joined ("van der Berg" -> vanderberg), so spacing and
/// particles written together or apart compare alike.
pub fn last_name(name: &str) -> Option<String> {
    let joined: String = fold(name).split(' ').collect();
    (!joined.is_empty()).then_some(joined)
}

/// How a name sounds: its Double Metaphone codes (the primary and, when the name can be
/// pronounced two ways, the alternate), at most six letters each. Spellings of one name heard
/// over the phone share one: "Christensen" and "Kristensen" (two edits apart, so no
/// one-letter-out key joins them), "Catherine" and "Katherine", "Schmidt" and "Smith".
pub fn sounds(name: &str) -> Vec<String> {
    let codes = rphonetic::DoubleMetaphone::new(Some(6)).double_metaphone(name);
    let mut out = vec![codes.primary(), codes.alternate()];
    out.retain(|code| !code.is_empty());
    out.dedup();
    out
}

/// An email address for comparison: lower-case; for gmail-like providers (which ignore them)
/// without dots and `+tag` in the local part, on one domain. Other providers' local parts are
/// kept as written, since dots and tags may be significant there. `None` if not an address.
pub fn email(raw: &str) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    let (local, domain) = lower.rsplit_once('@')?;
    if local.is_empty() || !domain.contains('.') {
        return None;
    }
    if matches!(domain, "gmail.com" | "googlemail.com") {
        let local = local.split('+').next().unwrap_or(local).replace('.', "");
        return (!local.is_empty()).then(|| format!("{local}@gmail.com"));
    }
    Some(format!("{local}@{domain}"))
}

/// The registrable domain of a host, URL or email address ("https://shop.acme.co.uk/x" ->
/// acme.co.uk), by the public suffix list; `None` for free-mail providers, bare suffixes and
/// junk.
pub fn registrable_domain(raw: &str) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    let host = match lower.rsplit_once('@') {
        Some((_, domain)) => domain,
        None => {
            let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
            rest.split(['/', '?', '#', ':']).next().unwrap_or(rest)
        }
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() || !host.contains('.') {
        return None;
    }
    let domain = psl::domain_str(host)?.to_owned();
    (!FREE_MAIL.contains(&domain.as_str())).then_some(domain)
}

/// A phone number as the digits of its E.164 form; numbers without `+` are read in `region`.
/// `None` if it is not a valid number.
pub fn phone(raw: &str, region: Option<&CountryCode>) -> Option<String> {
    let number = PhoneNumber::parse(raw, region).ok()?;
    Some(crate::search::digits(number.e164()))
}

/// An address line as tokens: folded, street words abbreviated one way ("Street" -> st), unit
/// markers unified ("Suite 5", "Apt 5", "#5" -> unit 5).
pub fn address(line: &str) -> Vec<String> {
    tokens(&line.replace('#', " unit "))
        .into_iter()
        .map(|t| {
            ADDRESS_WORDS
                .iter()
                .find(|(word, _)| *word == t)
                .map_or(t.clone(), |(_, short)| (*short).to_owned())
        })
        .collect()
}

/// The building an address names, from its normalised tokens: the postal code with the house
/// number (`"25152:541"`), or without a postal code the number with the street's longest word
/// (`"541:almijo"`). None without a house number: a street alone is too wide a block.
pub fn building(address: &[String], postal: Option<&str>) -> Option<String> {
    let number = address
        .iter()
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))?;
    match postal {
        Some(postal) => Some(format!("{postal}:{number}")),
        None => {
            let street = address
                .iter()
                .filter(|t| t.chars().all(char::is_alphabetic) && t.chars().count() >= 3)
                .max_by(|x, y| x.len().cmp(&y.len()).then_with(|| y.cmp(x)))?;
            Some(format!("{number}:{street}"))
        }
    }
}

/// A tax or registration id: letters and digits only, upper-case ("DE 123.456.789" ->
/// DE123456789).
pub fn tax_id(raw: &str) -> Option<String> {
    let out: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn company_names_lose_case_accents_punctuation_and_legal_forms() {
        let cases: &[(&str, &[&str])] = &[
            ("Acme Inc.", &["acme"]),
            ("ACME, Incorporated", &["acme"]),
            ("Acme LLC", &["acme"]),
            ("The Smith & Sons Co., Ltd.", &["smith", "sons"]),
            ("Smith and Sons", &["smith", "sons"]),
            ("Müller GmbH", &["muller"]),
            ("Société Générale S.A.", &["societe", "generale"]),
            ("Dupont S.A.R.L.", &["dupont"]),
            ("Van Dijk B.V.", &["van", "dijk"]),
            ("Koala Pty Ltd", &["koala"]),
            ("Limited Brands Inc", &["limited", "brands"]),
            ("Group", &["group"]),
            ("株式会社トヨタ", &["zhu", "shi", "hui", "she", "toyota"]),
            ("", &[]),
            ("  ...  ", &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(company_name(input), words(expected), "{input:?}");
        }
    }

    #[test]
    fn person_names_use_nicknames_and_join_particles() {
        assert_eq!(first_name("Bob").as_deref(), Some("robert"));
        assert_eq!(first_name("  Élisabeth ").as_deref(), Some("elisabeth"));
        assert_eq!(first_name("Liz Ann").as_deref(), Some("elizabeth"));
        assert_eq!(first_name(""), None);
        assert_eq!(last_name("van der Berg").as_deref(), Some("vanderberg"));
        assert_eq!(last_name("Vanderberg").as_deref(), Some("vanderberg"));
        assert_eq!(last_name("O'Brien").as_deref(), Some("obrien"));
        assert_eq!(last_name("Иванов").as_deref(), Some("ivanov"));
        assert_eq!(last_name(" - "), None);
    }

    #[test]
    fn emails_drop_dots_and_tags_only_where_the_provider_ignores_them() {
        assert_eq!(
            email(" Jane.Doe+crm@GMAIL.com ").as_deref(),
            Some("janedoe@gmail.com")
        );
        assert_eq!(
            email("jane.doe@googlemail.com").as_deref(),
            Some("janedoe@gmail.com")
        );
        assert_eq!(
            email("Jane.Doe+x@Acme.com").as_deref(),
            Some("jane.doe+x@acme.com")
        );
        assert_eq!(email("not an email"), None);
        assert_eq!(email("@acme.com"), None);
        assert_eq!(email("jane@localhost"), None);
        assert_eq!(email(""), None);
    }

    #[test]
    fn domains_are_registrable_and_free_mail_says_nothing() {
        let cases = [
            ("https://www.acme.com/about", Some("acme.com")),
            ("shop.acme.co.uk", Some("acme.co.uk")),
            ("ACME.COM.", Some("acme.com")),
            ("jane@mail.acme.de", Some("acme.de")),
            ("http://acme.com:8080?q=1", Some("acme.com")),
            ("jane@gmail.com", None),
            ("co.uk", None),
            ("localhost", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(registrable_domain(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn phones_compare_as_e164_digits() {
        let us = CountryCode::parse("US").ok();
        assert_eq!(
            phone("(415) 555-2671", us.as_ref()).as_deref(),
            Some("14155552671")
        );
        assert_eq!(
            phone("+1 415 555 2671", None).as_deref(),
            Some("14155552671")
        );
        assert_eq!(phone("555-2671", None), None);
        assert_eq!(phone("", us.as_ref()), None);
    }

    #[test]
    fn addresses_abbreviate_street_words_and_units() {
        assert_eq!(
            address("12 Main Street, Suite 5"),
            words(&["12", "main", "st", "unit", "5"])
        );
        assert_eq!(
            address("12 Main St #5"),
            words(&["12", "main", "st", "unit", "5"])
        );
        assert_eq!(address("Hauptstraße 3"), words(&["hauptstrasse", "3"]));
        assert_eq!(address(""), Vec::<String>::new());
    }

    #[test]
    fn names_that_sound_alike_share_a_code() {
        let share = |a: &str, b: &str| sounds(a).iter().any(|code| sounds(b).contains(code));
        for (a, b) in [
            ("christensen", "kristensen"),
            ("catherine", "katherine"),
            ("schmidt", "smith"),
            ("philips", "fillips"),
            ("nguyen", "nguen"),
        ] {
            assert!(share(a, b), "{a} / {b}: {:?} {:?}", sounds(a), sounds(b));
        }
        assert!(!share("smith", "jones"));
        assert_eq!(sounds(""), Vec::<String>::new());
        // Non-Latin names arrive folded to ASCII; a name with no letters has no sound.
        assert_eq!(sounds("1234"), Vec::<String>::new());
    }

    #[test]
    fn a_building_is_its_postal_code_and_house_number_or_its_number_and_street() {
        let building_of = |line: &str, postal: Option<&str>| building(&address(line), postal);
        assert_eq!(
            building_of("541 Almijo Avenue", Some("25152")),
            Some("25152:541".to_owned())
        );
        // The street written another way, or misspelt, is the same building.
        assert_eq!(
            building_of("541 Almjio Ave", Some("25152")),
            building_of("541 Almijo Avenue", Some("25152"))
        );
        assert_eq!(
            building_of("Hauptstraße 3", None),
            Some("3:hauptstrasse".to_owned())
        );
        assert_eq!(
            building_of("12b Main St", None),
            Some("12b:main".to_owned())
        );
        // No number, no building: a whole street is no block.
        assert_eq!(building_of("Main Street", Some("10001")), None);
        assert_eq!(building_of("", None), None);
    }

    #[test]
    fn tax_ids_keep_letters_and_digits() {
        assert_eq!(tax_id("de 123.456.789").as_deref(), Some("DE123456789"));
        assert_eq!(tax_id(" - "), None);
    }
}
