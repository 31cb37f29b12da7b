//! What kind of CSV a file is, decided from its first bytes: the text encoding, the delimiter
//! and whether the first record is a header. Pure functions over bytes and strings; the API
//! reads the file and calls them.

/// A file's text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (a byte-order mark, if any, is dropped).
    Utf8,
    Utf16Le,
    Utf16Be,
    /// The fallback for text that is not valid UTF-8: what Excel on Windows writes.
    Windows1252,
}

impl TextEncoding {
    pub fn as_str(&self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
}

/// The encoding a byte-order mark announces, and the mark's length.
pub fn bom(head: &[u8]) -> Option<(TextEncoding, usize)> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some((TextEncoding::Utf8, 3))
    } else if head.starts_with(&[0xFF, 0xFE]) {
        Some((TextEncoding::Utf16Le, 2))
    } else if head.starts_with(&[0xFE, 0xFF]) {
        Some((TextEncoding::Utf16Be, 2))
    } else {
        None
    }
}

/// Delimiters tried, in order of preference on a tie.
pub const DELIMITERS: &[u8] = b",;\t|";

/// The delimiter of `text` (the first lines of a file): the candidate that splits the most
/// lines into the same number of fields, outside quotes. Comma when nothing splits.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines = logical_lines(text, 50);
    let mut best = (b',', 0usize, 0usize);
    for &d in DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        if (consistent, first) > (best.1, best.2) {
            best = (d, consistent, first);
        }
    }
    best.0
}

/// Up to `max` non-empty records of `text`, joining lines inside quotes.
fn logical_lines(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                current.push(ch);
            }
            '\n' | '\r' if !quoted => {
                if !current.trim().is_empty() {
                    out.push(std::mem::take(&mut current));
                    if out.len() == max {
                        return out;
                    }
                }
                current.clear();
            }
            _ => current.push(ch),
        }
    }
    // The last line may be cut off mid-record: count it only when it is all there is.
    if out.is_empty() && !current.trim().is_empty() {
        out.push(current);
    }
    out
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

/// Whether `first` (the first record) names columns rather than holding data, judged against
/// the records after it: a header has no empty cell, no cell that parses as a number, date or
/// email, and no cell repeated.
pub fn looks_like_header(first: &[String]) -> bool {
    if first.is_empty() {
        return false;
    }
    let mut seen = std::collections::HashSet::new();
    first.iter().all(|cell| {
        let cell = cell.trim();
        !cell.is_empty()
            && seen.insert(cell.to_lowercase())
            && cell.parse::<f64>().is_err()
            && !cell.contains('@')
            && chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").is_err()
    })
}

/// Names for the columns of a file without a header: `Column 1`, `Column 2`, ...
pub fn numbered_headers(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("Column {i}")).collect()
}

/// Headers made usable: trimmed, blanks named by position, repeats numbered (`Email (2)`), so
/// every column can be named in a mapping.
pub fn unique_headers(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, header) in raw.iter().enumerate() {
        let base = match header.trim() {
            "" => format!("Column {}", i + 1),
            h => h.to_owned(),
        };
        let mut name = base.clone();
        let mut n = 2;
        while out.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("name;city\n\"Smith, J\";Köln\nX;Y\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a,b\";c\r\n\"1,2\";3\r\n"), b';');
        // A quoted newline does not break the count.
        assert_eq!(sniff_delimiter("a;b\n\"x\ny\";z\n"), b';');
        assert_eq!(sniff_delimiter("single\nvalue\n"), b',');
    }

    #[test]
    fn boms() {
        assert_eq!(bom(b"\xEF\xBB\xBFa"), Some((TextEncoding::Utf8, 3)));
        assert_eq!(bom(b"\xFF\xFEa\0"), Some((TextEncoding::Utf16Le, 2)));
        assert_eq!(bom(b"abc"), None);
    }

    #[test]
    fn headers() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert!(looks_like_header(&s(&["Name", "Email", "MRR"])));
        assert!(!looks_like_header(&s(&["Acme", "a@acme.example", "100"])));
        assert!(!looks_like_header(&s(&["Name", ""])));
        assert_eq!(
            unique_headers(&s(&["Email", " ", "Email"])),
            ["Email", "Column 2", "Email (2)"]
        );
    }
}
