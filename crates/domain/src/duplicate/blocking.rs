//! Blocking keys: the few values under which a record is filed so that a scan compares only
//! records sharing one, never the cross product. Exact keys (email, phone, domain, tax id) and
//! name keys that survive common typos:
//! - companies: the first four letters of the first two name tokens in sorted order, and the
//!   word that names the company with each one letter out (a deletion neighbourhood);
//! - people: the start of the family name with the given name's initial, in both orders (so
//!   swapped names meet), the family name with each one letter out, with the initial, and
//!   how the family name sounds with how the given name starts to sound (Double Metaphone:
//!   "Catherine Christensen" meets "Katherine Kristensen", whose every letter key differs).
//!
//! And keys that do not read the name at all, so a misspelt or common name still meets its
//! twin: a person's birth date with the initials (a date alone is shared by dozens in a big
//! base), and the building an address names ([`normalize::building`]).
//!
//! The exact full name is a key too ([`frequency_key`]): it blocks namesakes whose coarser name
//! block is too common to compare, and its block's size is how common the name is (the
//! scorer's common-name discount). A scan skips blocks over its cap.

use std::collections::HashMap;

use super::normalize;
use super::score::Profile;

/// The definition of the keys: raised whenever [`keys`] files records differently, so stored
/// keys built by an older one are rebuilt. 2: exact names, deletion neighbourhoods. 3: birth
/// dates, buildings and how family names sound.
pub const VERSION: i32 = 3;

/// The keys of one record, each prefixed with its kind (`e:`, `p:`, `d:`, `t:`, `f:`, `n:`,
/// `w:`, `pn:`, `pd:`, `pm:`, `b:`, `a:`), without repeats.
pub fn keys(profile: &Profile) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    keys.extend(profile.emails.iter().map(|e| format!("e:{e}")));
    keys.extend(profile.phones.iter().map(|p| format!("p:{p}")));
    if let Some(domain) = &profile.domain {
        keys.push(format!("d:{domain}"));
    }
    if let Some(tax) = &profile.tax_id {
        keys.push(format!("t:{tax}"));
    }
    keys.extend(frequency_key(profile));
    if let Some(building) = &profile.building {
        keys.push(format!("a:{building}"));
    }
    let prefix = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    if profile.person {
        if let (Some(first), Some(last)) = (&profile.first, &profile.last) {
            keys.push(format!("pn:{}:{}", prefix(last, 4), prefix(first, 1)));
            keys.push(format!("pn:{}:{}", prefix(first, 4), prefix(last, 1)));
            // A typo early in the family name: one letter out of it, with the initial.
            let initial = prefix(first, 1);
            keys.extend(
                deletions(last)
                    .into_iter()
                    .map(|variant| format!("pd:{variant}:{initial}")),
            );
            // A spelling heard over the phone: the family name's sound, with the given
            // name's first sound (C and K of Catherine and Katherine are one).
            let sounded = normalize::sounds(first)
                .first()
                .map(|code| prefix(code, 1))
                .unwrap_or(initial);
            keys.extend(
                normalize::sounds(last)
                    .into_iter()
                    .map(|code| format!("pm:{code}:{sounded}")),
            );
        } else if let Some(only) = profile.last.as_ref().or(profile.first.as_ref()) {
            keys.push(format!("pn:{}:", prefix(only, 4)));
        }
        // With both initials in sorted order, so swapped names still meet: a date with one
        // initial filed Maria Brown with Maria O'Brien born the same day, and a million
        // customers hold thousands of such strangers.
        if let Some(born) = profile.birth_date {
            let mut initials: Vec<String> = [&profile.first, &profile.last]
                .into_iter()
                .flatten()
                .map(|name| prefix(name, 1))
                .collect();
            initials.sort();
            keys.push(format!("b:{born}:{}", initials.concat()));
        }
    } else if !profile.name.is_empty() {
        let mut sorted: Vec<&str> = profile.name.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        let head: Vec<String> = sorted.iter().take(2).map(|t| prefix(t, 4)).collect();
        keys.push(format!("n:{}", head.join(" ")));
        // The word that names the company (the longest that is not "consulting" or the
        // like), and that word with any one letter out, so one typo anywhere in it still
        // meets the original.
        let telling = |t: &&String| t.chars().count() >= 3 && !normalize::is_generic_word(t);
        let longest = |x: &&String, y: &&String| x.len().cmp(&y.len()).then_with(|| y.cmp(x));
        let word = profile
            .name
            .iter()
            .filter(telling)
            .max_by(longest)
            .or_else(|| profile.name.iter().filter(|t| t.len() >= 4).max_by(longest));
        if let Some(word) = word {
            keys.extend(deletions(word).into_iter().map(|w| format!("w:{w}")));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// A word and, when it is long enough for what is left to still tell, the word with each one of
/// its letters left out: two words one typo apart (a letter dropped, added, changed or two
/// swapped) share one of these.
fn deletions(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = vec![word.to_owned()];
    if chars.len() >= 4 {
        out.extend((0..chars.len()).map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| c)
                .collect::<String>()
        }));
    }
    out
}

/// The key of a record's exact name (`f:` and, for people, family then given name; for
/// companies the sorted tokens): the customers filed under it are its namesakes.
pub fn frequency_key(profile: &Profile) -> Option<String> {
    if profile.person {
        let last = profile.last.as_deref()?;
        return Some(format!(
            "f:{last}:{}",
            profile.first.as_deref().unwrap_or("")
        ));
    }
    (!profile.name.is_empty()).then(|| format!("f:{}", name_key(profile)))
}

/// Tells a profile how common its name is, from the organisation's namesake counts by
/// [`frequency_key`] (a name missing from them is borne by one).
pub fn count_name(profile: &mut Profile, counts: &HashMap<String, u32>) {
    profile.name_count =
        frequency_key(profile).map_or(0, |key| counts.get(&key).copied().unwrap_or(1));
}

/// A name as one string, word order aside: its tokens sorted and joined (people: family name,
/// then given name). What the exact-name key ([`frequency_key`]) files a company under.
pub fn name_key(profile: &Profile) -> String {
    if profile.person {
        return [profile.last.as_deref(), profile.first.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut sorted = profile.name.clone();
    sorted.sort();
    sorted.join(" ")
}
