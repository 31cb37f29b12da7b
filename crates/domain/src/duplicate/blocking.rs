//! Blocking keys: the few values under which a record is filed so that a scan compares only
//! records sharing one, never the cross product. Exact keys (email, phone, domain, tax id) and
//! name keys that survive common typos: for companies the first four letters of the first two
//! name tokens in sorted order, and the longest token; for people the start of the family name
//! with the given name's initial, in both orders (so swapped names meet). A scan caps each
//! block and adds a sorted-neighbourhood pass over [`name_key`].

use super::score::Profile;

/// The keys of one record, each prefixed with its kind (`e:`, `p:`, `d:`, `t:`, `n:`, `w:`,
/// `pn:`), without repeats.
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
    if profile.person {
        let prefix = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        if let (Some(first), Some(last)) = (&profile.first, &profile.last) {
            keys.push(format!("pn:{}:{}", prefix(last, 4), prefix(first, 1)));
            keys.push(format!("pn:{}:{}", prefix(first, 4), prefix(last, 1)));
        } else if let Some(only) = profile.last.as_ref().or(profile.first.as_ref()) {
            keys.push(format!("pn:{}:", prefix(only, 4)));
        }
    } else if !profile.name.is_empty() {
        let mut sorted: Vec<&str> = profile.name.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        let head: Vec<String> = sorted
            .iter()
            .take(2)
            .map(|t| t.chars().take(4).collect())
            .collect();
        keys.push(format!("n:{}", head.join(" ")));
        if let Some(longest) = profile
            .name
            .iter()
            .filter(|t| t.len() >= 4)
            .max_by(|x, y| x.len().cmp(&y.len()).then_with(|| y.cmp(x)))
        {
            keys.push(format!("w:{longest}"));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The key a sorted-neighbourhood pass orders by: the name's tokens sorted and joined (people:
/// family name, then given name), so near-identical names sort next to each other.
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
