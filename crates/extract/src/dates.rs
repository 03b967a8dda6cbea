//! Publication dates: raw date text to ISO 8601.
//!
//! `normalize` finds the first date in the text and returns the most precise ISO form the text
//! supports: `YYYY-MM-DDThh:mm:ss±hh:mm` when a time and a zone are given, `YYYY-MM-DD` for a
//! date (a time without a zone is not an instant, so it is dropped), `YYYY-MM` for a month.
//! Nothing is guessed: slash dates whose day and month are both <= 12 are ambiguous (US vs
//! European order) and yield `None`; relative dates ("2 hours ago") yield `None`.

use regex::Regex;
use std::sync::LazyLock;

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

/// Zone abbreviations with a single unambiguous meaning in news pages.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("IST", 330),
    ("PKT", 300),
    ("ICT", 420),
    ("WIB", 420),
    ("HKT", 480),
    ("SGT", 480),
    ("JST", 540),
    ("KST", 540),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
];

const MONTH_NAME: &str = r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
const TIME: &str = r"(?:,?\s*(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>(?i:[ap]\.?m\.?))?(?:\s*\(?(?P<zone>UTC|GMT|Z|[A-Z]{2,4}T|IST|MSK|WIB|[+-]\d{2}:?\d{2}|(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?)\b\)?)?)?";

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?)?",
    )
    .expect("static regex")
});

static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?P<mname>{MONTH_NAME})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b{TIME}"
    ))
    .expect("static regex")
});

static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mname>{MONTH_NAME}),?\s+(?P<year>\d{{4}})\b{TIME}"
    ))
    .expect("static regex")
});

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})[-/.](?P<year>\d{{4}})\b{TIME}"
    ))
    .expect("static regex")
});

static MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?P<mname>{MONTH_NAME}),?\s+(?P<year>\d{{4}})\b"
    ))
    .expect("static regex")
});

fn month_number(name: &str) -> Option<u32> {
    let lower = name.trim_end_matches('.').to_lowercase();
    MONTHS
        .iter()
        .find(|(month, _)| *month == lower)
        .map(|(_, number)| *number)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn valid_date(year: i32, month: u32, day: u32) -> bool {
    (1800..=2200).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
}

/// Offset in minutes for a zone token (`IST`, `+0530`, `GMT+8`, `Z`).
fn zone_offset(zone: &str) -> Option<i32> {
    if let Some((_, minutes)) = ZONES.iter().find(|(name, _)| *name == zone) {
        return Some(*minutes);
    }
    let numeric = zone
        .strip_prefix("GMT")
        .or_else(|| zone.strip_prefix("UTC"))
        .unwrap_or(zone);
    let sign = match numeric.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = numeric[1..].chars().filter(char::is_ascii_digit).collect();
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (
            digits[..1].parse::<i32>().ok()?,
            digits[1..].parse::<i32>().ok()?,
        ),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes))
}

fn format_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let absolute = minutes.abs();
    format!("{sign}{:02}:{:02}", absolute / 60, absolute % 60)
}

/// The date (and the time with its zone when both are present) as ISO 8601.
fn render(year: i32, month: u32, day: u32, captures: &regex::Captures<'_>) -> Option<String> {
    if !valid_date(year, month, day) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let Some(hour) = captures
        .name("hour")
        .and_then(|m| m.as_str().parse::<u32>().ok())
    else {
        return Some(date);
    };
    let minute = captures
        .name("minute")
        .and_then(|m| m.as_str().parse::<u32>().ok())
        .unwrap_or(0);
    let second = captures
        .name("second")
        .and_then(|m| m.as_str().parse::<u32>().ok())
        .unwrap_or(0);
    let mut hour = hour;
    if let Some(ampm) = captures.name("ampm") {
        if hour == 0 || hour > 12 {
            return Some(date);
        }
        let pm = ampm.as_str().to_ascii_lowercase().starts_with('p');
        hour = match (pm, hour) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Some(date);
    }
    let Some(offset) = captures.name("zone").and_then(|m| zone_offset(m.as_str())) else {
        return Some(date);
    };
    let zone = if captures.name("zone").is_some_and(|m| m.as_str() == "Z") {
        "Z".to_string()
    } else {
        format_offset(offset)
    };
    Some(format!("{date}T{hour:02}:{minute:02}:{second:02}{zone}"))
}

/// The first date in `text` as ISO 8601, or `None` when the text gives no full calendar date
/// or month (see the module docs).
pub fn normalize(text: &str) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    fn consider(best: &mut Option<(usize, String)>, start: usize, value: Option<String>) {
        if let Some(value) = value {
            if best
                .as_ref()
                .is_none_or(|(best_start, _)| start < *best_start)
            {
                *best = Some((start, value));
            }
        }
    }
    if let Some(captures) = ISO.captures(text) {
        let year = captures.name("year").and_then(|m| m.as_str().parse().ok());
        let month = captures.name("month").and_then(|m| m.as_str().parse().ok());
        let day = captures.name("day").and_then(|m| m.as_str().parse().ok());
        if let (Some(year), Some(month), Some(day)) = (year, month, day) {
            let start = captures.get(0).map_or(0, |m| m.start());
            consider(&mut best, start, render(year, month, day, &captures));
        }
    }
    for regex in [&*MONTH_DAY_YEAR, &*DAY_MONTH_YEAR] {
        for captures in regex.captures_iter(text) {
            let month = captures
                .name("mname")
                .and_then(|m| month_number(m.as_str()));
            let day = captures.name("day").and_then(|m| m.as_str().parse().ok());
            let year = captures.name("year").and_then(|m| m.as_str().parse().ok());
            if let (Some(year), Some(month), Some(day)) = (year, month, day) {
                let start = captures.get(0).map_or(0, |m| m.start());
                let value = render(year, month, day, &captures);
                if value.is_some() {
                    consider(&mut best, start, value);
                    break;
                }
            }
        }
    }
    for captures in NUMERIC.captures_iter(text) {
        let a: u32 = captures
            .name("a")
            .and_then(|m| m.as_str().parse().ok())
            .unwrap_or(0);
        let b: u32 = captures
            .name("b")
            .and_then(|m| m.as_str().parse().ok())
            .unwrap_or(0);
        let Some(year) = captures
            .name("year")
            .and_then(|m| m.as_str().parse::<i32>().ok())
        else {
            continue;
        };
        let slash = captures.name("sep").is_some_and(|m| m.as_str() == "/");
        // Dashes and dots are day-first (European and Asian sites); slashes are month-first only
        // when unambiguous.
        let (day, month) = if a > 12 {
            (a, b)
        } else if b > 12 {
            (b, a)
        } else if slash {
            if a == b {
                (a, b)
            } else {
                continue;
            }
        } else {
            (a, b)
        };
        let start = captures.get(0).map_or(0, |m| m.start());
        let value = render(year, month, day, &captures);
        if value.is_some() {
            consider(&mut best, start, value);
            break;
        }
    }
    if best.is_none() {
        for captures in MONTH_YEAR.captures_iter(text) {
            let month = captures
                .name("mname")
                .and_then(|m| month_number(m.as_str()));
            let year = captures
                .name("year")
                .and_then(|m| m.as_str().parse::<i32>().ok());
            if let (Some(month), Some(year)) = (month, year) {
                if (1800..=2200).contains(&year) {
                    // "may 2001" is only a month when "May" is capitalised.
                    let name = captures.name("mname").map_or("", |m| m.as_str());
                    if name.eq_ignore_ascii_case("may") && !name.starts_with('M') {
                        continue;
                    }
                    let start = captures.get(0).map_or(0, |m| m.start());
                    consider(&mut best, start, Some(format!("{year:04}-{month:02}")));
                    break;
                }
            }
        }
    }
    best.map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn issue_examples() {
        assert_eq!(normalize("July 19, 2000").as_deref(), Some("2000-07-19"));
        assert_eq!(
            normalize("Updated: 14-09-2023 18:46 IST | Created: 14-09-2023 17:19 IST").as_deref(),
            Some("2023-09-14T18:46:00+05:30")
        );
        assert_eq!(normalize("Aug 2001").as_deref(), Some("2001-08"));
        assert_eq!(
            normalize("2023-09-14T18:46:00+05:30").as_deref(),
            Some("2023-09-14T18:46:00+05:30")
        );
        assert_eq!(
            normalize("2023-09-14T18:46:00Z").as_deref(),
            Some("2023-09-14T18:46:00Z")
        );
    }

    #[test]
    fn more_forms() {
        assert_eq!(
            normalize("Thursday 14 September 2023").as_deref(),
            Some("2023-09-14")
        );
        assert_eq!(
            normalize("Sept. 14, 2023 at 6:46 p.m. EDT").as_deref(),
            Some("2023-09-14T18:46:00-04:00")
        );
        assert_eq!(
            normalize("14 Sep 2023 10:05 GMT").as_deref(),
            Some("2023-09-14T10:05:00+00:00")
        );
        assert_eq!(normalize("2023-09-14 10:05").as_deref(), Some("2023-09-14"));
        assert_eq!(normalize("09/14/2023").as_deref(), Some("2023-09-14"));
        assert_eq!(
            normalize("S E O U L, South Korea, July 19, 2000 --").as_deref(),
            Some("2000-07-19")
        );
    }

    #[test]
    fn nothing_guessed() {
        assert_eq!(normalize("03/04/2023"), None);
        assert_eq!(normalize("2 hours ago"), None);
        assert_eq!(normalize("February 30, 2023"), None);
        assert_eq!(normalize("you may 2000 times"), None);
        assert_eq!(normalize(""), None);
    }
}
