//! Dates found on a page to ISO 8601: machine-readable forms (`2019-11-19T17:50:00-08:00`,
//! `20191119`, RFC 2822 `Tue, 19 Nov 2019 17:50:00 GMT`, Unix seconds) and written ones
//! (`July 19, 2000`, `19 July 2000`). A date alone gives `YYYY-MM-DD`; a time gives
//! `YYYY-MM-DDTHH:MM:SS` plus the offset when one is given (`Z` for UTC/GMT). Anything
//! ambiguous or out of range gives `None`.

/// Month names and their usual abbreviations in English, German, French, Spanish, Italian,
/// Portuguese and Dutch, and the forms dates use in Polish, Czech, Slovak, Romanian, Russian,
/// Ukrainian, Turkish, Indonesian, the Scandinavian languages and Arabic (Egyptian names and the
/// one-word Levantine ones); lowercase, a trailing '.' ignored when matching.
const MONTH_NAMES: [&[&str]; 12] = [
    &[
        "january",
        "jan",
        "januar",
        "jänner",
        "janvier",
        "janv",
        "enero",
        "ene",
        "gennaio",
        "gen",
        "janeiro",
        "januari",
        "stycznia",
        "styczeń",
        "ianuarie",
        "ledna",
        "leden",
        "января",
        "січня",
        "ocak",
        "tammikuuta",
        "januára",
        "يناير",
        "január",
        "janar",
        "siječnja",
        "jaanuar",
        "sausio",
        "gener",
        "януари",
        "ιανουαρίου",
        "ιανουάριος",
        "tammikuu",
        "ιανουαριου",
        "јануар",
        "јануара",
    ],
    &[
        "february",
        "feb",
        "febr",
        "februar",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "febrero",
        "febbraio",
        "fevereiro",
        "fev",
        "fév",
        "februari",
        "lutego",
        "luty",
        "februarie",
        "února",
        "unora",
        "únor",
        "февраля",
        "лютого",
        "şubat",
        "subat",
        "februára",
        "فبراير",
        "شباط",
        "február",
        "shkurt",
        "veljače",
        "veebruar",
        "vasario",
        "febrer",
        "февруари",
        "φεβρουαρίου",
        "φεβρουάριος",
        "helmikuuta",
        "φεβρουαριου",
        "фебруар",
        "фебруара",
    ],
    &[
        "march",
        "mar",
        "märz",
        "maerz",
        "mars",
        "marzo",
        "março",
        "marco",
        "maart",
        "mrt",
        "marca",
        "marzec",
        "martie",
        "března",
        "brezna",
        "březen",
        "марта",
        "березня",
        "mart",
        "maret",
        "مارس",
        "آذار",
        "március",
        "marts",
        "ožujka",
        "marec",
        "märts",
        "kovo",
        "març",
        "март",
        "μαρτίου",
        "μάρτιος",
        "maaliskuuta",
        "μαρτιου",
    ],
    &[
        "april",
        "apr",
        "avril",
        "avr",
        "abril",
        "abr",
        "aprile",
        "kwietnia",
        "kwiecień",
        "aprilie",
        "dubna",
        "duben",
        "апреля",
        "квітня",
        "nisan",
        "apríla",
        "أبريل",
        "ابريل",
        "إبريل",
        "نيسان",
        "április",
        "prill",
        "travnja",
        "aprill",
        "balandžio",
        "април",
        "απριλίου",
        "απρίλιος",
        "huhtikuuta",
        "απριλιου",
        "априла",
    ],
    &[
        "may",
        "mai",
        "mayo",
        "maggio",
        "mag",
        "maio",
        "mei",
        "maja",
        "maj",
        "mája",
        "května",
        "kvetna",
        "květen",
        "мая",
        "травня",
        "mayıs",
        "mayis",
        "مايو",
        "أيار",
        "május",
        "svibnja",
        "gegužės",
        "maig",
        "май",
        "μαΐου",
        "μαίου",
        "μάιος",
        "toukokuuta",
        "μαιου",
        "мај",
        "маја",
    ],
    &[
        "june",
        "jun",
        "juni",
        "juin",
        "junio",
        "giugno",
        "giu",
        "junho",
        "czerwca",
        "czerwiec",
        "iunie",
        "června",
        "cervna",
        "červen",
        "июня",
        "червня",
        "haziran",
        "júna",
        "يونيو",
        "يونيه",
        "حزيران",
        "június",
        "qershor",
        "lipnja",
        "junij",
        "juuni",
        "birželio",
        "juny",
        "юни",
        "ιουνίου",
        "ιούνιος",
        "kesäkuuta",
        "ιουνιου",
        "јун",
        "јуна",
    ],
    &[
        "july",
        "jul",
        "juli",
        "juillet",
        "juil",
        "julio",
        "luglio",
        "lug",
        "julho",
        "lipca",
        "lipiec",
        "iulie",
        "července",
        "cervence",
        "červenec",
        "июля",
        "липня",
        "temmuz",
        "júla",
        "يوليو",
        "يوليه",
        "تموز",
        "július",
        "korrik",
        "srpnja",
        "julij",
        "juuli",
        "liepos",
        "juliol",
        "юли",
        "ιουλίου",
        "ιούλιος",
        "heinäkuuta",
        "ιουλιου",
        "јул",
        "јула",
    ],
    &[
        "august",
        "aug",
        "août",
        "aout",
        "agosto",
        "ago",
        "augustus",
        "sierpnia",
        "sierpień",
        "srpna",
        "srpen",
        "августа",
        "серпня",
        "ağustos",
        "agustos",
        "agustus",
        "augusti",
        "augusta",
        "أغسطس",
        "اغسطس",
        "augusztus",
        "gusht",
        "kolovoza",
        "avgust",
        "rugpjūčio",
        "agost",
        "август",
        "αυγούστου",
        "αύγουστος",
        "elokuuta",
        "αυγουστου",
    ],
    &[
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
        "września",
        "wrzesnia",
        "wrzesień",
        "septembrie",
        "září",
        "zari",
        "сентября",
        "вересня",
        "eylül",
        "eylul",
        "septembra",
        "سبتمبر",
        "أيلول",
        "szeptember",
        "shtator",
        "rujna",
        "septembar",
        "rugsėjo",
        "setembre",
        "септември",
        "σεπτεμβρίου",
        "σεπτέμβριος",
        "syyskuuta",
        "σεπτεμβριου",
        "септембар",
        "септембра",
    ],
    &[
        "october",
        "oct",
        "oktober",
        "okt",
        "octobre",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "października",
        "pazdziernika",
        "październik",
        "octombrie",
        "října",
        "rijna",
        "říjen",
        "октября",
        "жовтня",
        "ekim",
        "oktobra",
        "أكتوبر",
        "اكتوبر",
        "október",
        "tetor",
        "oktobar",
        "oktoober",
        "spalio",
        "октомври",
        "οκτωβρίου",
        "οκτώβριος",
        "lokakuuta",
        "οκτωβριου",
        "октобар",
        "октобра",
    ],
    &[
        "november",
        "nov",
        "novembre",
        "noviembre",
        "novembro",
        "listopada",
        "listopad",
        "noiembrie",
        "listopadu",
        "ноября",
        "листопада",
        "kasım",
        "kasim",
        "novembra",
        "نوفمبر",
        "nëntor",
        "studenoga",
        "studenog",
        "novembar",
        "lapkričio",
        "ноември",
        "νοεμβρίου",
        "νοέμβριος",
        "marraskuuta",
        "νοεμβριου",
        "новембар",
        "новембра",
    ],
    &[
        "december",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
        "dec.",
        "grudnia",
        "grudzień",
        "decembrie",
        "prosince",
        "prosinec",
        "декабря",
        "грудня",
        "aralık",
        "aralik",
        "desember",
        "decembra",
        "ديسمبر",
        "dhjetor",
        "prosinca",
        "decembar",
        "detsember",
        "gruodžio",
        "desembre",
        "декември",
        "δεκεμβρίου",
        "δεκέμβριος",
        "joulukuuta",
        "δεκεμβριου",
        "децембар",
        "децембра",
    ],
];

fn month_number(name: &str) -> Option<u32> {
    let lower = name.trim_end_matches('.').to_lowercase();
    if lower.chars().count() < 3 {
        return None;
    }
    MONTH_NAMES
        .iter()
        .position(|names| names.contains(&lower.as_str()))
        .map(|index| index as u32 + 1)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn valid(year: i32, month: u32, day: u32) -> bool {
    (1900..=2200).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
}

fn date(year: i32, month: u32, day: u32) -> Option<String> {
    valid(year, month, day).then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// A civil date to days since 1970-01-01 (Howard Hinnant's algorithm).
/// Whole days between the calendar dates that start two ISO 8601 strings.
pub(crate) fn days_apart(a: &str, b: &str) -> Option<i64> {
    let day = |iso: &str| -> Option<i64> {
        let year: i32 = iso.get(0..4)?.parse().ok()?;
        let month: u32 = iso.get(5..7)?.parse().ok()?;
        let day: u32 = iso.get(8..10)?.parse().ok()?;
        Some(days_from_civil(year, month, day))
    };
    Some((day(a)? - day(b)?).abs())
}

fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// "YYYY-MM-DD[T ]HH:MM:SS" at the start of `text`: minutes since the epoch and the seconds.
fn local_minutes(text: &str) -> Option<(i64, u32)> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 || bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b' ')
    {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let (month, day) = (digits(text.get(5..7)?)?, digits(text.get(8..10)?)?);
    let (hour, minute) = (digits(text.get(11..13)?)?, digits(text.get(14..16)?)?);
    let second = digits(text.get(17..19)?)?;
    if !valid(year, month, day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let minutes = days_from_civil(year, month, day) * 1440 + i64::from(hour * 60 + minute);
    Some((minutes, second))
}

/// The publisher's own local form of a UTC instant: a page that states its time as
/// `2023-11-09T03:28:35Z` in one place often writes the same instant as
/// `2023-11-08T22:28:35-05:00` (or `2023-11-08 22:28:35`, its local clock) in another. The
/// instant stays the same; the offset says which day the publisher printed. `None` when the
/// page holds no such form.
pub fn local_form(utc: &str, source: &str) -> Option<String> {
    let instant = utc.strip_suffix('Z')?;
    let (utc_minutes, second) = local_minutes(instant)?;
    let tail = instant.get(13..19)?; // ":MM:SS"
    let mut derived: Option<String> = None;
    for (at, _) in source.match_indices(tail).take(200) {
        let Some(start) = at.checked_sub(13) else {
            continue;
        };
        let Some(candidate) = source.get(start..at + 6) else {
            continue;
        };
        let Some((minutes, seconds)) = local_minutes(candidate) else {
            continue;
        };
        let offset = minutes - utc_minutes;
        if seconds != second || offset == 0 || offset.abs() > 14 * 60 || offset % 15 != 0 {
            continue;
        }
        let rest = &source[at + 6..];
        let rest = rest
            .strip_prefix('.')
            .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
            .unwrap_or(rest);
        let sign = if offset < 0 { '-' } else { '+' };
        let written = format!(
            "{}T{}{sign}{:02}:{:02}",
            &candidate[..10],
            &candidate[11..19],
            offset.abs() / 60,
            offset.abs() % 60
        );
        // an explicit offset must agree with the clock difference; a bare local clock gives it
        let stated: String = rest.chars().take(6).filter(|c| *c != ':').collect();
        if stated.starts_with(['+', '-']) {
            if stated.get(..5) == Some(&written[19..].replace(':', "")) {
                return Some(written);
            }
            continue;
        }
        if !rest.starts_with(['Z', 'z']) {
            derived.get_or_insert(written);
        }
    }
    derived
}

/// A UTC instant written in the offset that puts it on the day the page prints under its
/// headline: a page whose markup says `2023-11-01T23:01:00Z` and whose dateline says "02
/// Novembre 2023" published at one minute past midnight in Rome. The instant stays the same;
/// the offset is the smallest whole number of hours that reaches the printed day (at most 14
/// ahead, 12 behind). `None` when the printed day is the instant's own day in UTC or more than
/// one day away, or cannot be reached.
pub fn on_printed_day(utc: &str, printed: &str) -> Option<String> {
    let instant = utc.strip_suffix('Z')?;
    let (minutes, second) = local_minutes(instant)?;
    let printed_day = {
        let year: i32 = printed.get(0..4)?.parse().ok()?;
        let (month, day) = (digits(printed.get(5..7)?)?, digits(printed.get(8..10)?)?);
        valid(year, month, day).then(|| days_from_civil(year, month, day))?
    };
    let (day, minute_of_day) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    let hours = match printed_day - day {
        1 => (1440 - minute_of_day + 59) / 60,
        -1 => -(minute_of_day / 60 + 1),
        _ => return None,
    };
    if !(-12..=14).contains(&hours) {
        return None;
    }
    let local = minutes + hours * 60;
    if local.div_euclid(1440) != printed_day {
        return None;
    }
    let (year, month, day_of_month) = civil_from_days(printed_day);
    let clock = local.rem_euclid(1440);
    let sign = if hours < 0 { '-' } else { '+' };
    Some(format!(
        "{year:04}-{month:02}-{day_of_month:02}T{:02}:{:02}:{second:02}{sign}{:02}:00",
        clock / 60,
        clock % 60,
        hours.abs()
    ))
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

fn digits(text: &str) -> Option<u32> {
    (!text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// "HH:MM[:SS[.fff]]" and an optional offset ("Z", "+01:00", "-0800", "GMT", "UTC", "EDT").
fn time_part(text: &str) -> Option<String> {
    let text = text.trim();
    let split = text
        .char_indices()
        .find(|&(_, ch)| !(ch.is_ascii_digit() || ch == ':' || ch == '.'))
        .map_or(text.len(), |(at, _)| at);
    let (clock, zone) = text.split_at(split);
    let mut fields = clock.split(':');
    let hour = digits(fields.next()?)?;
    let minute = digits(fields.next()?)?;
    let second = match fields.next() {
        Some(field) => digits(field.split('.').next()?)?,
        None => 0,
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let zone = zone.trim();
    let offset = match zone {
        "" => String::new(),
        "Z" | "z" | "GMT" | "UTC" | "+00:00" | "+0000" | "-00:00" => "Z".to_string(),
        // the zone abbreviations RFC 2822 allows and Java's `Date.toString` prints, and the
        // unambiguous European and Japanese ones
        "EDT" => "-04:00".to_string(),
        "EST" | "CDT" => "-05:00".to_string(),
        "CST" | "MDT" => "-06:00".to_string(),
        "MST" | "PDT" => "-07:00".to_string(),
        "PST" => "-08:00".to_string(),
        "BST" | "CET" => "+01:00".to_string(),
        "CEST" => "+02:00".to_string(),
        "JST" => "+09:00".to_string(),
        _ => {
            let sign = zone.chars().next()?;
            if sign != '+' && sign != '-' {
                return None;
            }
            let rest: String = zone[1..].chars().filter(|&ch| ch != ':').collect();
            if rest.len() != 4 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (h, m) = rest.split_at(2);
            if h.parse::<u32>().ok()? > 14 || m.parse::<u32>().ok()? > 59 {
                return None;
            }
            format!("{sign}{h}:{m}")
        }
    };
    Some(format!("{hour:02}:{minute:02}:{second:02}{offset}"))
}

fn iso_like(text: &str) -> Option<String> {
    // YYYY-MM-DD or YYYY/MM/DD, then optionally [T ]time
    let bytes = text.as_bytes();
    if bytes.len() < 8 {
        return None;
    }
    let (day_part, rest) =
        if bytes.len() >= 10 && matches!(bytes[4], b'-' | b'/') && bytes[..10].is_ascii() {
            text.split_at(10)
        } else if bytes.len() == 8 && bytes.iter().all(u8::is_ascii_digit) {
            // YYYYMMDD
            let year = text[0..4].parse().ok()?;
            return date(year, digits(&text[4..6])?, digits(&text[6..8])?);
        } else {
            return None;
        };
    let separator = day_part.as_bytes()[4];
    if day_part.as_bytes()[7] != separator {
        return None;
    }
    let year: i32 = day_part[0..4].parse().ok()?;
    let day = date(year, digits(&day_part[5..7])?, digits(&day_part[8..10])?)?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(['T', 't']).unwrap_or(rest);
    if rest.trim().is_empty() {
        return Some(day);
    }
    Some(format!("{day}T{}", time_part(rest)?))
}

/// "Tue, 19 Nov 2019 17:50:00 GMT", "Mon Aug 03 12:45:00 EDT 2015", "19 November 2019",
/// "November 19, 2019 5:50 PM" (the time of written dates is dropped: without a zone it names
/// no instant).
fn written(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .map(|ch| if ch == ',' { ' ' } else { ch })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let words: &[&str] = match words.first() {
        Some(first)
            if first.len() >= 3
                && month_number(first).is_none()
                && !first.bytes().next()?.is_ascii_digit() =>
        {
            &words[1..] // weekday
        }
        _ => &words[..],
    };
    if words.len() < 3 {
        return None;
    }
    let ordinal = |word: &str| -> Option<u32> {
        let trimmed = word.trim_end_matches(|ch: char| ch.is_ascii_alphabetic() || ch == '.');
        digits(trimmed).filter(|&d| d <= 31)
    };
    // "Aug 03 12:45:00 EDT 2015" (Java's `Date.toString`, Unix `date`): the year comes last
    if words.len() >= 4
        && words[2].contains(':')
        && month_number(words[0]).is_some()
        && words.last().is_some_and(|year| year.len() == 4)
    {
        let year: i32 = words[words.len() - 1].parse().ok()?;
        let day_text = date(year, month_number(words[0])?, ordinal(words[1])?)?;
        let zone = if words.len() == 5 { words[3] } else { "" };
        return Some(match time_part(&format!("{}{zone}", words[2])) {
            Some(time) if time.len() > 8 => format!("{day_text}T{time}"),
            _ => day_text,
        });
    }
    let (year, month, day, rest) = if let Some(month) = month_number(words[0]) {
        (words[2], month, ordinal(words[1])?, &words[3..])
    } else {
        (
            words[2],
            month_number(words[1])?,
            ordinal(words[0])?,
            &words[3..],
        )
    };
    if year.len() != 4 {
        return None;
    }
    let day_text = date(year.parse().ok()?, month, day)?;
    // RFC 2822 carries a zone: keep the instant
    if rest.len() == 2 && rest[0].contains(':') {
        if let Some(time) = time_part(&format!("{}{}", rest[0], rest[1])) {
            if time.len() > 8 {
                return Some(format!("{day_text}T{time}"));
            }
        }
    }
    Some(day_text)
}

fn year_of(token: &str) -> Option<i32> {
    let trimmed = token.trim_end_matches(|ch: char| !ch.is_ascii_digit());
    (trimmed.len() == 4 && trimmed.bytes().all(|b| b.is_ascii_digit()))
        .then(|| trimmed.parse().ok())
        .flatten()
}

fn day_of(token: &str) -> Option<u32> {
    // "14", "14.", "14th", "1er", "1º"
    let end = token
        .char_indices()
        .find(|&(_, ch)| !ch.is_ascii_digit())
        .map_or(token.len(), |(at, _)| at);
    let rest = &token[end..];
    let suffix_ok = rest.is_empty()
        || matches!(
            rest.to_lowercase().as_str(),
            "." | "st" | "nd" | "rd" | "th" | "er" | "º" | "°" | "o"
        );
    if !suffix_ok {
        return None;
    }
    digits(&token[..end]).filter(|&d| (1..=31).contains(&d))
}

/// "14.09.2023" (day first, as written in German, Dutch and most of Europe) or "2023-09-14".
fn numeric_day(token: &str) -> Option<String> {
    let token = token.trim_matches(|ch: char| !ch.is_ascii_digit());
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() == 3 && parts[0].len() <= 2 && parts[1].len() <= 2 && parts[2].len() == 4 {
        return date(parts[2].parse().ok()?, digits(parts[1])?, digits(parts[0])?);
    }
    // "8.5.12", "08.05.12": the German short form, day and month first, the year's last two
    // digits (up to 69 this century, as strptime reads %y)
    if parts.len() == 3
        && parts.iter().all(|part| !part.is_empty())
        && parts[0].len() <= 2
        && parts[1].len() <= 2
        && parts[2].len() == 2
    {
        let short: i32 = parts[2].parse().ok()?;
        let year = if short < 70 {
            2000 + short
        } else {
            1900 + short
        };
        return date(year, digits(parts[1])?, digits(parts[0])?);
    }
    if token.len() == 10 && token.as_bytes()[4] == b'-' && token.as_bytes()[7] == b'-' {
        return iso_like(token);
    }
    None
}

/// Which of two numbers up to 12 before a year is the day ("06/05/2020"), by the page's
/// language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericOrder {
    /// Not known: such a date is ambiguous and not read.
    Unknown,
    /// Day, month, year: nearly every language's short form.
    DayFirst,
}

impl NumericOrder {
    /// The order of a page's language tag (`<html lang>`: "es", "pt-BR", "en-GB"): day first
    /// for every language written with a two-letter code but English, Filipino, Chinese,
    /// Japanese, Korean, Persian, Hungarian and Lithuanian (month or year first), and Spanish
    /// in the United States (both); English only in the Commonwealth's regions. `en-US` is
    /// also what content systems declare by default on sites that write day first, so it
    /// tells nothing.
    pub fn of_language(tag: Option<&str>) -> NumericOrder {
        let Some(tag) = tag else {
            return NumericOrder::Unknown;
        };
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = tag.split('-');
        let language = parts.next().unwrap_or("");
        let region = parts.find(|part| part.len() == 2).unwrap_or("");
        match (language, region) {
            ("en", "gb" | "uk" | "ie" | "au" | "nz" | "in" | "za" | "sg" | "ng" | "ke" | "pk")
            | ("en", "gh" | "mt" | "jm" | "hk" | "my") => NumericOrder::DayFirst,
            ("en" | "tl" | "zh" | "ja" | "ko" | "fa" | "hu" | "lt", _) | ("es", "us") => {
                NumericOrder::Unknown
            }
            (other, _) if other.len() == 2 && other.chars().all(|ch| ch.is_ascii_alphabetic()) => {
                NumericOrder::DayFirst
            }
            _ => NumericOrder::Unknown,
        }
    }
}

/// The first date written in a line of text, in English, German, French, Spanish, Italian,
/// Portuguese or Dutch: "September 14, 2023", "14. September 2023", "le 14 septembre 2023",
/// "14 de septiembre de 2023", "14.09.2023". Day precision (`YYYY-MM-DD`).
pub fn find_written(text: &str) -> Option<String> {
    find_written_in(text, NumericOrder::Unknown)
}

/// [`find_written`], reading "06/05/2020" in the given order.
pub fn find_written_in(text: &str, order: NumericOrder) -> Option<String> {
    let spelled = find_spelled(text);
    let numeric = find_numeric(text, order);
    match (spelled, numeric) {
        (Some((at, day)), Some((numeric_at, _))) if at <= numeric_at => Some(day),
        (_, Some((_, day))) => Some(day),
        (Some((_, day)), None) => Some(day),
        (None, None) => None,
    }
}

/// The first date with digits only that the month-name reader does not see, with its byte
/// offset: "2019年3月5日" (Japanese, Chinese), "2023년 11월 2일" (Korean), "2019/03/05" and
/// "2019.03.05" (year first), "22/11/2020" and "22-11-2020" (day first when the day is over
/// 12, month first when the second number is: both at most 12 is read in `order`, and is no
/// date when that is unknown).
fn find_numeric(text: &str, order: NumericOrder) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() || (at > 0 && bytes[at - 1].is_ascii_digit()) {
            at += 1;
            continue;
        }
        if let Some(day) = numeric_at(&text[at..], order) {
            return Some((at, day));
        }
        at += 1;
    }
    None
}

/// A run of three numbers at the start of `text`, with their separators.
fn numeric_at(text: &str, order: NumericOrder) -> Option<String> {
    let mut numbers = [0u32; 3];
    let mut lengths = [0usize; 3];
    let mut separators = [""; 2];
    let mut rest = text;
    for index in 0..3 {
        let end = rest
            .find(|ch: char| !ch.is_ascii_digit())
            .unwrap_or(rest.len());
        if end == 0 || end > 4 {
            return None;
        }
        numbers[index] = rest[..end].parse().ok()?;
        lengths[index] = end;
        rest = &rest[end..];
        let separator_end = rest
            .char_indices()
            .find(|&(_, ch)| ch.is_ascii_digit())
            .map(|(at, _)| at)
            .unwrap_or(rest.len());
        let separator = &rest[..separator_end];
        if index < 2 {
            separators[index] = separator;
            rest = &rest[separator_end..];
        } else if rest.starts_with(|ch: char| ch.is_ascii_digit()) {
            return None;
        } else if lengths[0] == 4
            && ["年", "년"]
                .iter()
                .any(|mark| separators[0].starts_with(mark))
        {
            // "2019年3月5日": the day must carry its mark
            if !["日", "일"]
                .iter()
                .any(|mark| separator.trim_start().starts_with(mark))
            {
                return None;
            }
        }
    }
    let cjk = |first: &str, second: &str| {
        (first == "年" && second == "月") || (first.trim() == "년" && second.trim() == "월")
    };
    let year_first = lengths[0] == 4 && lengths[1] <= 2 && lengths[2] <= 2;
    if year_first
        && (cjk(separators[0], separators[1])
            || (separators[0] == separators[1] && matches!(separators[0], "/" | "." | "-")))
    {
        return date(numbers[0] as i32, numbers[1], numbers[2]);
    }
    let year_last = lengths[0] <= 2 && lengths[1] <= 2 && lengths[2] == 4;
    if year_last && separators[0] == separators[1] && matches!(separators[0], "/" | "-") {
        let (first, second, year) = (numbers[0], numbers[1], numbers[2] as i32);
        return match (first > 12, second > 12) {
            (true, false) => date(year, second, first),
            (false, true) => date(year, first, second),
            _ if first == second => date(year, first, second),
            (false, false) => match order {
                NumericOrder::DayFirst => date(year, second, first),
                NumericOrder::Unknown => None,
            },
            _ => None,
        };
    }
    None
}

/// The first date spelled with a month name (or dotted, "14.09.2023"), with its byte offset.
fn find_spelled(text: &str) -> Option<(usize, String)> {
    let offset = |token: &str| token.as_ptr() as usize - text.as_ptr() as usize;
    let tokens: Vec<&str> = text
        .split(|ch: char| ch.is_whitespace() || ch == ',' || ch == '|' || ch == '/')
        .filter(|token| !token.is_empty())
        .filter(|token| !matches!(token.to_lowercase().as_str(), "de" | "del" | "of" | "the"))
        .take(400)
        .collect();
    for (index, token) in tokens.iter().enumerate() {
        if token.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            if let Some(day) = numeric_day(token) {
                return Some((offset(token), day));
            }
        }
        let word = token.trim_matches(|ch: char| !ch.is_alphanumeric());
        // Catalan elides "de" before a vowel: "18 d'agost de 2020"
        let word = ["d'", "d’", "D'", "D’"]
            .iter()
            .find_map(|elided| word.strip_prefix(elided))
            .unwrap_or(word);
        if let Some(month) = month_number(word) {
            // month day year
            if let (Some(day), Some(year)) = (
                tokens.get(index + 1).and_then(|t| day_of(t)),
                tokens.get(index + 2).and_then(|t| year_of(t)),
            ) {
                if let Some(found) = date(year, month, day) {
                    return Some((offset(token), found));
                }
            }
            // day month year; a second name of the same month may follow the first
            // ("24 نيسان / أبريل 2020": the Levantine and the Egyptian name of April)
            let same_month_next = tokens
                .get(index + 1)
                .map(|t| t.trim_matches(|ch: char| !ch.is_alphanumeric()))
                .and_then(month_number)
                == Some(month);
            let year_at = if same_month_next {
                index + 2
            } else {
                index + 1
            };
            if let (Some(day), Some(year)) = (
                index
                    .checked_sub(1)
                    .and_then(|before| tokens.get(before))
                    .and_then(|t| day_of(t)),
                tokens.get(year_at).and_then(|t| year_of(t)),
            ) {
                if let Some(found) = date(year, month, day) {
                    return Some((offset(token), found));
                }
            }
            // year month day, as Hungarian ("2020. augusztus 18.") and Lithuanian ("2020 m.
            // rugpjūčio 18 d.") write it
            // (the year marked, so that "Wimbledon 2019 set 3" is no date)
            let year_before = match index.checked_sub(1).map(|before| tokens[before]) {
                Some("m." | "m") => index.checked_sub(2),
                Some(year) if year.ends_with('.') => index.checked_sub(1),
                _ => None,
            };
            if let (Some(year), Some(day)) = (
                year_before
                    .and_then(|before| tokens.get(before))
                    .and_then(|t| year_of(t)),
                tokens.get(index + 1).and_then(|t| day_of(t)),
            ) {
                if let Some(found) = date(year, month, day) {
                    return Some((offset(token), found));
                }
            }
        }
    }
    None
}

/// A date found on a page as ISO 8601, when it is unambiguous.
pub fn to_iso8601(raw: &str) -> Option<String> {
    let text = raw.trim();
    if text.is_empty() || text.len() > 80 {
        return None;
    }
    if let Some(iso) = iso_like(text) {
        return Some(iso);
    }
    // Unix seconds (2001..2286)
    if (10..=13).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        let mut seconds: i64 = text.parse().ok()?;
        if text.len() == 13 {
            seconds /= 1000; // milliseconds
        } else if text.len() != 10 {
            return None;
        }
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let rem = seconds.rem_euclid(86_400);
        return valid(year, month, day).then(|| {
            format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
                rem / 3600,
                rem % 3600 / 60,
                rem % 60
            )
        });
    }
    written(text)
}

#[cfg(test)]
mod tests {
    use super::{on_printed_day, to_iso8601};

    #[test]
    fn a_utc_instant_is_written_on_the_day_the_page_prints() {
        // Rome: a minute past midnight on the 2nd, written in UTC as the 1st
        assert_eq!(
            on_printed_day("2023-11-01T23:01:00Z", "2023-11-02").as_deref(),
            Some("2023-11-02T00:01:00+01:00")
        );
        // New York: the evening of the 1st, written in UTC as the 2nd
        assert_eq!(
            on_printed_day("2020-05-02T02:54:29Z", "2020-05-01").as_deref(),
            Some("2020-05-01T23:54:29-03:00")
        );
        // the same day, two days away, a day out of reach, or no UTC instant: nothing to do
        assert_eq!(on_printed_day("2023-11-01T23:01:00Z", "2023-11-01"), None);
        assert_eq!(on_printed_day("2023-11-01T23:01:00Z", "2023-11-03"), None);
        assert_eq!(on_printed_day("2023-11-01T06:00:00Z", "2023-11-02"), None);
        assert_eq!(
            on_printed_day("2023-11-01T23:01:00+01:00", "2023-11-02"),
            None
        );
        // across a year's end
        assert_eq!(
            on_printed_day("2020-12-31T22:30:00Z", "2021-01-01").as_deref(),
            Some("2021-01-01T00:30:00+02:00")
        );
    }

    #[test]
    fn a_utc_instant_in_the_publishers_local_form() {
        use super::local_form;
        // nypost: JSON-LD in UTC, the page's own script in New York time
        let page =
            r#"{"datePublished":"2023-11-09T03:28:35Z"} var t = "2023-11-08T22:28:35-05:00";"#;
        assert_eq!(
            local_form("2023-11-09T03:28:35Z", page).as_deref(),
            Some("2023-11-08T22:28:35-05:00")
        );
        // mercurynews: a bare local clock of the same instant gives the offset
        let page = r#"<time datetime="2023-11-08 17:49:09">"#;
        assert_eq!(
            local_form("2023-11-09T01:49:09Z", page).as_deref(),
            Some("2023-11-08T17:49:09-08:00")
        );
        // an offset that disagrees with the clocks is another instant, not a local form
        let page = r#""2023-11-08T22:28:35+02:00" "2023-11-09T03:28:35+00:00""#;
        assert_eq!(local_form("2023-11-09T03:28:35Z", page), None);
        assert_eq!(local_form("2023-11-09", page), None);
    }

    #[test]
    fn machine_and_written_dates() {
        let cases = [
            (
                "2019-11-19T17:50:00-08:00",
                Some("2019-11-19T17:50:00-08:00"),
            ),
            ("2019-11-19T17:50:00.000Z", Some("2019-11-19T17:50:00Z")),
            (
                "Mon Aug 03 12:45:00 EDT 2015",
                Some("2015-08-03T12:45:00-04:00"),
            ),
            (
                "Fri Mar 13 21:30:09 EST 2015",
                Some("2015-03-13T21:30:09-05:00"),
            ),
            (
                "Tue, 19 Nov 2019 17:50:00 PST",
                Some("2019-11-19T17:50:00-08:00"),
            ),
            ("Mon Aug 03 12:45:00 XYZ 2015", Some("2015-08-03")),
            ("2019-11-19 17:50", Some("2019-11-19T17:50:00")),
            (
                "2019-11-19T17:50:00+0100",
                Some("2019-11-19T17:50:00+01:00"),
            ),
            ("2019-11-19", Some("2019-11-19")),
            ("2019/11/19", Some("2019-11-19")),
            ("20191119", Some("2019-11-19")),
            (
                "Tue, 19 Nov 2019 17:50:00 GMT",
                Some("2019-11-19T17:50:00Z"),
            ),
            (
                "Tue, 19 Nov 2019 17:50:00 +0000",
                Some("2019-11-19T17:50:00Z"),
            ),
            ("July 19, 2000", Some("2000-07-19")),
            ("Sept. 3, 2019", Some("2019-09-03")),
            ("19 July 2000", Some("2000-07-19")),
            ("November 19th, 2019 5:50 PM", Some("2019-11-19")),
            ("1574185800", Some("2019-11-19T17:50:00Z")),
            ("2019-02-30", None),
            ("2019-13-01", None),
            ("14-09-2023", None),
            ("yesterday", None),
            ("", None),
            ("2019-11-19T25:00", None),
            ("2019-11-1é", None),
            ("20é-11-19", None),
            ("2019-11-19T1é:00", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(to_iso8601(raw).as_deref(), expected, "{raw}");
        }
    }

    #[test]
    fn written_dates_in_seven_languages() {
        let cases = [
            (
                "Published September 14, 2023 at 5:00 pm",
                Some("2023-09-14"),
            ),
            (
                "Veröffentlicht am 14. September 2023, 10:42 Uhr",
                Some("2023-09-14"),
            ),
            ("Stand: 3. März 2022", Some("2022-03-03")),
            ("Publié le 14 septembre 2023 à 10h00", Some("2023-09-14")),
            ("1er février 2020", Some("2020-02-01")),
            ("14 de septiembre de 2023", Some("2023-09-14")),
            ("Pubblicato il 2 novembre 2023", Some("2023-11-02")),
            ("Publicado em 7 de março de 2021", Some("2021-03-07")),
            ("Gepubliceerd op 5 mei 2020", Some("2020-05-05")),
            ("Datum: 14.09.2023 | 10:00", Some("2023-09-14")),
            ("الأربعاء، 07 أكتوبر 2020 - 12:09 م", Some("2020-10-07")),
            ("15 أيلول 2019", Some("2019-09-15")),
            // almadenahnews: the Levantine and the Egyptian name of April side by side
            (
                "تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً",
                Some("2020-04-24"),
            ),
            ("24 نيسان / آب 2020", None),
            ("von Klaus Schmidt, 8.5.12", Some("2012-05-08")),
            ("Stand 08.05.12", Some("2012-05-08")),
            ("Version 1.2.3.4", None),
            ("Copyright 2023 All rights reserved", None),
            ("3 hours ago", None),
            ("Mai 2023", None),
            (
                "22/11/2020 - 04:30 - Fonte: Agência Brasil",
                Some("2020-11-22"),
            ),
            ("Posted 11/22/2020", Some("2020-11-22")),
            ("05/06/2020", None),
            ("2019/03/05 10:00", Some("2019-03-05")),
            ("更新日：2019年3月5日", Some("2019-03-05")),
            ("2019年3月", None),
            ("2023년 11월 2일 오후", Some("2023-11-02")),
            ("Unica.md, 20 septembrie 2020 16:20", Some("2020-09-20")),
            ("opublikowano 3 marca 2021", Some("2021-03-03")),
            ("3 марта 2021 года", Some("2021-03-03")),
            (
                "Updated 11/23/2020, first published November 22, 2020",
                Some("2020-11-23"),
            ),
            (
                "first published November 22, 2020, updated 11/23/2020",
                Some("2020-11-22"),
            ),
            ("version 1.2.3 of 10/10/10", None),
        ];
        for (text, expected) in cases {
            assert_eq!(super::find_written(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn months_named_in_more_european_languages_and_the_year_first_form() {
        for (text, expected) in [
            ("Danmark - 10. marts 2020 kl. 20:00", "2020-03-10"),
            ("13 gusht 2020, 09:08", "2020-08-13"),
            ("Τετάρτη, 19 Αυγούστου 2020", "2020-08-19"),
            ("2020. augusztus 18. 21:05", "2020-08-18"),
            ("2020 m. rugpjūčio 18 d.", "2020-08-18"),
            ("18. kolovoza 2020.", "2020-08-18"),
            ("18 d'agost de 2020", "2020-08-18"),
            ("18 септември 2020", "2020-09-18"),
            ("18. lokakuuta 2020", "2020-10-18"),
            ("19 ΑΥΓΟΥΣΤΟΥ 2020", "2020-08-19"),
            ("10. маја 2020.", "2020-05-10"),
        ] {
            assert_eq!(
                super::find_written(text).as_deref(),
                Some(expected),
                "{text}"
            );
        }
        // a year before a month with no day after it is no date, nor an unmarked year before
        // a word that is a month elsewhere
        assert_eq!(super::find_written("2020. augusztus"), None);
        for text in [
            "Wimbledon 2019 set 3",
            "Nest Hub 2021 Gen 2 review",
            "In 2019 out 5",
        ] {
            assert_eq!(super::find_written(text), None, "{text}");
        }
    }

    #[test]
    fn two_numbers_up_to_twelve_are_read_in_the_languages_order() {
        use super::{find_written_in, NumericOrder};
        let order = |tag: &str| NumericOrder::of_language(Some(tag));
        for tag in [
            "es", "pt-BR", "fr-FR", "de", "nl", "it_IT", "en-GB", "en-in", "ru", "ar",
        ] {
            assert_eq!(order(tag), NumericOrder::DayFirst, "{tag}");
        }
        // content systems declare en-US by default, on sites that write day first too
        for tag in [
            "en", "en-US", "en-CA", "ja", "zh-CN", "ko", "hu", "", "x", "eng", "tl", "es-US",
        ] {
            assert_eq!(order(tag), NumericOrder::Unknown, "{tag}");
        }
        assert_eq!(NumericOrder::of_language(None), NumericOrder::Unknown);
        let text = "Publicado: 06/05/2020 · 10:07";
        assert_eq!(
            find_written_in(text, NumericOrder::DayFirst).as_deref(),
            Some("2020-05-06")
        );
        assert_eq!(find_written_in(text, NumericOrder::Unknown), None);
        // a number over twelve tells the order whatever the language says
        assert_eq!(
            find_written_in("05/13/2020", NumericOrder::DayFirst).as_deref(),
            Some("2020-05-13")
        );
        assert_eq!(
            find_written_in("06-10-2020", NumericOrder::DayFirst).as_deref(),
            Some("2020-10-06")
        );
    }
}
