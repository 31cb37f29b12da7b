//! How numbers, money, dates and scores read in the UI. Pure, unit-tested on the host.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A decimal string from the API in a currency: `("12500.5", "USD")` -> `$12,500.50`.
/// Whole amounts drop the cents when `compact` (table cells): `$12,500`.
pub fn money(amount: &str, currency: &str, compact: bool) -> String {
    let amount = amount.trim();
    let (negative, digits) = match amount.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, amount),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let Ok(whole_n) = whole.parse::<u64>() else {
        return format!("{amount} {currency}");
    };
    let decimals = match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" => 0,
        _ => 2,
    };
    let mut fraction: String = fraction.chars().take(decimals).collect();
    while fraction.len() < decimals {
        fraction.push('0');
    }
    let show_fraction = decimals > 0 && !(compact && fraction.chars().all(|c| c == '0'));
    let number = if show_fraction {
        format!("{}.{fraction}", thousands(whole_n))
    } else {
        thousands(whole_n)
    };
    let sign = if negative { "-" } else { "" };
    match currency_symbol(currency) {
        Some(symbol) => format!("{sign}{symbol}{number}"),
        None => format!("{sign}{number} {currency}"),
    }
}

fn currency_symbol(code: &str) -> Option<&'static str> {
    Some(match code {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        "AUD" => "A$",
        "CAD" => "C$",
        _ => return None,
    })
}

/// How long someone has been a customer: `2y 3m`, `5m`, `12d`, `new`.
pub fn tenure(days: i64) -> String {
    match days {
        i64::MIN..=0 => "new".to_owned(),
        1..=30 => format!("{days}d"),
        31..=364 => format!("{}m", days / 30),
        _ => match (days % 365) / 30 {
            0 => format!("{}y", days / 365),
            months => format!("{}y {months}m", days / 365),
        },
    }
}

/// `3 hours ago`, `yesterday`, `12 days ago`, or the date beyond two months.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds();
    if seconds < 0 {
        return at.format("%Y-%m-%d").to_string();
    }
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match seconds {
        0..60 => "just now".to_owned(),
        60..3_600 => plural(seconds / 60, "minute"),
        3_600..86_400 => plural(seconds / 3_600, "hour"),
        86_400..172_800 => "yesterday".to_owned(),
        172_800..5_184_000 => plural(seconds / 86_400, "day"),
        _ => at.format("%Y-%m-%d").to_string(),
    }
}

pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Traffic-light class of a score: `good`, `warn` or `bad`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Neutral,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Good => "tone-good",
            Tone::Warn => "tone-warn",
            Tone::Bad => "tone-bad",
            Tone::Neutral => "tone-neutral",
        }
    }
}

/// Health: 70 and up is healthy, below 40 is poor.
pub fn health_tone(score: i64) -> Tone {
    match score {
        70.. => Tone::Good,
        40..70 => Tone::Warn,
        _ => Tone::Bad,
    }
}

/// Churn risk: 60 and up is high (the API's "high risk" view), below 30 is low.
pub fn risk_tone(risk: i64) -> Tone {
    match risk {
        60.. => Tone::Bad,
        30..60 => Tone::Warn,
        _ => Tone::Good,
    }
}

pub fn risk_word(risk: i64) -> &'static str {
    match risk_tone(risk) {
        Tone::Bad => "High",
        Tone::Warn => "Medium",
        _ => "Low",
    }
}

pub fn status_tone(status: &str) -> Tone {
    match status {
        "active" => Tone::Good,
        "onboarding" | "lead" => Tone::Neutral,
        "at_risk" | "suspended" => Tone::Warn,
        "churned" => Tone::Bad,
        _ => Tone::Neutral,
    }
}

/// `at_risk` -> `At risk`; `payment_issues` -> `Payment issues`.
pub fn humanize(word: &str) -> String {
    let spaced = word.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a wire value reads in a menu: `at_risk` -> `At risk`, `vip` -> `VIP`,
/// `501-1000` -> `501–1000`.
pub fn label(value: &str) -> String {
    match value {
        "vip" => "VIP".to_owned(),
        v if v.starts_with(|c: char| c.is_ascii_digit()) => v.replace('-', "–"),
        v => humanize(v),
    }
}

/// `N customer`/`N customers`, with thousands separators.
pub fn count_noun(n: u64, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(n),
        if n == 1 { singular } else { plural }
    )
}

/// A moment in the viewer's time zone: `2026-11-25 14:05`.
pub fn datetime(at: DateTime<Utc>, zone: FixedOffset) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// The time of day in the viewer's time zone: `14:05`.
pub fn time_of_day(at: DateTime<Utc>, zone: FixedOffset) -> String {
    at.with_timezone(&zone).format("%H:%M").to_string()
}

/// A day heading of a timeline: `Today`, `Yesterday`, or `Mon 24 Nov 2026`.
pub fn day_heading(day: NaiveDate, today: NaiveDate) -> String {
    match (today - day).num_days() {
        0 => "Today".to_owned(),
        1 => "Yesterday".to_owned(),
        _ if day.year() == today.year() => day.format("%a %-d %b").to_string(),
        _ => day.format("%a %-d %b %Y").to_string(),
    }
}

/// A decimal string from the API as a number for drawing (never for sums shown to people).
pub fn decimal(amount: &str) -> f64 {
    amount.trim().parse().unwrap_or(0.0)
}

/// A signed change in money: `+$10.00`, `-$10.00`, `$0.00`.
pub fn money_delta(amount: &str, currency: &str) -> String {
    let text = money(amount, currency, false);
    if decimal(amount) > 0.0 && !amount.trim_start().starts_with('+') {
        format!("+{text}")
    } else {
        text
    }
}

/// A discount such as `"12.50"` as `12.5%`.
pub fn percent(value: &str) -> String {
    let value = value.trim();
    let trimmed = if value.contains('.') {
        value.trim_end_matches('0').trim_end_matches('.')
    } else {
        value
    };
    format!("{trimmed}%")
}

/// A goal's value without a needless `.0`: `12`, `12.5`.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}

/// A file size: `512 B`, `14.2 KB`, `3.5 MB`, `1.2 GB` (binary multiples, as file managers
/// mostly show them).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A time left: `45 s`, `3 min 20 s`, `1 h 5 min`.
pub fn duration(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3_600 => match seconds % 60 {
            0 => format!("{} min", seconds / 60),
            s => format!("{} min {s} s", seconds / 60),
        },
        _ => match (seconds % 3_600) / 60 {
            0 => format!("{} h", seconds / 3_600),
            m => format!("{} h {m} min", seconds / 3_600),
        },
    }
}

/// A tier colour if it is a plain `#rrggbb` (anything else is not put into a style).
pub fn tier_colour(colour: &str) -> Option<&str> {
    let hex = colour.strip_prefix('#')?;
    (hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(colour)
}

/// Dark or white text, whichever contrasts more with the `#rrggbb` background.
pub fn text_on(colour: &str) -> &'static str {
    let channel = |i: usize| {
        let v = colour
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |v| f64::from(v) / 255.0);
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with white is 1.05 / (L + 0.05); with #101828 (L ~ 0.01) it is (L + 0.05) / 0.06.
    if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.06 {
        "#ffffff"
    } else {
        "#101828"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn money_in_known_and_unknown_currencies() {
        assert_eq!(money("12500.5", "USD", false), "$12,500.50");
        assert_eq!(money("12500.00", "USD", true), "$12,500");
        assert_eq!(money("12500.25", "EUR", true), "€12,500.25");
        assert_eq!(money("-3", "GBP", false), "-£3.00");
        assert_eq!(money("1200", "JPY", false), "¥1,200");
        assert_eq!(money("10", "CHF", false), "10.00 CHF");
        assert_eq!(money("abc", "USD", false), "abc USD");
    }

    #[test]
    fn tenure_reads_like_a_person_would_say_it() {
        assert_eq!(tenure(0), "new");
        assert_eq!(tenure(12), "12d");
        assert_eq!(tenure(95), "3m");
        assert_eq!(tenure(365), "1y");
        assert_eq!(tenure(365 * 2 + 95), "2y 3m");
    }

    #[test]
    fn relative_times() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 25, 12, 0, 0)
            .single()
            .expect("valid");
        let ago = |s: i64| relative(now - chrono::Duration::seconds(s), now);
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(7_200), "2 hours ago");
        assert_eq!(ago(90_000), "yesterday");
        assert_eq!(ago(86_400 * 12), "12 days ago");
        assert_eq!(ago(86_400 * 90), "2026-08-27");
    }

    #[test]
    fn score_tones_match_the_api_thresholds() {
        assert_eq!(health_tone(70), Tone::Good);
        assert_eq!(health_tone(69), Tone::Warn);
        assert_eq!(health_tone(39), Tone::Bad);
        assert_eq!(risk_tone(60), Tone::Bad);
        assert_eq!(risk_tone(59), Tone::Warn);
        assert_eq!(risk_tone(29), Tone::Good);
        assert_eq!(risk_word(75), "High");
    }

    #[test]
    fn words() {
        assert_eq!(humanize("at_risk"), "At risk");
        assert_eq!(humanize(""), "");
        assert_eq!(count_noun(1, "customer", "customers"), "1 customer");
        assert_eq!(
            count_noun(2_000, "customer", "customers"),
            "2,000 customers"
        );
    }

    #[test]
    fn day_headings_say_today_and_yesterday() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid");
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid");
        assert_eq!(day_heading(today, today), "Today");
        assert_eq!(day_heading(day(2026, 11, 24), today), "Yesterday");
        assert_eq!(day_heading(day(2026, 11, 2), today), "Mon 2 Nov");
        assert_eq!(day_heading(day(2025, 12, 31), today), "Wed 31 Dec 2025");
    }

    #[test]
    fn times_read_in_the_viewers_zone() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 25, 23, 30, 0)
            .single()
            .expect("valid");
        let berlin = FixedOffset::east_opt(3_600).expect("valid");
        assert_eq!(datetime(at, berlin), "2026-11-26 00:30");
        assert_eq!(time_of_day(at, berlin), "00:30");
    }

    #[test]
    fn deltas_percents_and_numbers() {
        assert_eq!(money_delta("10", "USD"), "+$10.00");
        assert_eq!(money_delta("-10.5", "USD"), "-$10.50");
        assert_eq!(money_delta("0", "USD"), "$0.00");
        assert_eq!(percent("12.50"), "12.5%");
        assert_eq!(percent("10.00"), "10%");
        assert_eq!(percent("10"), "10%");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(1.0 / 3.0), "0.33");
        assert_eq!(decimal("1250.50"), 1250.5);
        assert_eq!(decimal("oops"), 0.0);
    }

    #[test]
    fn file_sizes_and_durations_read_short() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1_023), "1023 B");
        assert_eq!(bytes(14_540), "14.2 KB");
        assert_eq!(bytes(512 * 1024 * 1024), "512 MB");
        assert_eq!(bytes(1_288_490_189), "1.2 GB");
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(120), "2 min");
        assert_eq!(duration(200), "3 min 20 s");
        assert_eq!(duration(3_900), "1 h 5 min");
        assert_eq!(duration(7_200), "2 h");
    }

    #[test]
    fn tier_colours_are_checked_and_get_readable_text() {
        assert_eq!(tier_colour("#d4af37"), Some("#d4af37"));
        assert_eq!(tier_colour("red; background: url(x)"), None);
        assert_eq!(tier_colour("#12345"), None);
        assert_eq!(text_on("#ffffff"), "#101828");
        assert_eq!(text_on("#ffd700"), "#101828");
        assert_eq!(text_on("#1e3a8a"), "#ffffff");
        assert_eq!(text_on("#000000"), "#ffffff");
    }
}
