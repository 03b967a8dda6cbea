//! Article metadata: byline (person names only), dateline city, outlet, title and publication
//! date, each from the clean stage's raw candidates and, when those are missing, from the
//! article's first paragraphs. A field the input does not support stays `None`.

use crate::dates;
use regex::Regex;
use std::sync::LazyLock;

/// Well-known outlets: canonical name, other spellings, and host names (suffix match).
const OUTLETS: &[(&str, &[&str], &[&str])] = &[
    (
        "CNN",
        &["CNN Interactive", "CNN International"],
        &["cnn.com"],
    ),
    (
        "ABC News",
        &["ABC"],
        &["abcnews.go.com", "abcnews.com", "abc.net.au"],
    ),
    ("Reuters", &["Thomson Reuters"], &["reuters.com"]),
    (
        "Associated Press",
        &["AP", "The Associated Press", "AP News"],
        &["apnews.com", "ap.org"],
    ),
    (
        "AFP",
        &["Agence France-Presse", "Agence France Presse"],
        &["afp.com"],
    ),
    (
        "BBC News",
        &["BBC", "BBC World Service"],
        &["bbc.co.uk", "bbc.com"],
    ),
    (
        "Financial Times",
        &["FT", "The Financial Times"],
        &["ft.com"],
    ),
    (
        "The New York Times",
        &["New York Times", "NYT"],
        &["nytimes.com"],
    ),
    (
        "The Washington Post",
        &["Washington Post"],
        &["washingtonpost.com"],
    ),
    (
        "The Guardian",
        &["Guardian"],
        &["theguardian.com", "guardian.co.uk"],
    ),
    ("Bloomberg", &["Bloomberg News"], &["bloomberg.com"]),
    (
        "The Wall Street Journal",
        &["Wall Street Journal", "WSJ"],
        &["wsj.com"],
    ),
    ("NBC News", &["NBC"], &["nbcnews.com"]),
    ("CBS News", &["CBS"], &["cbsnews.com"]),
    ("Fox News", &["Fox"], &["foxnews.com"]),
    ("Al Jazeera", &["Al Jazeera English"], &["aljazeera.com"]),
    ("Sky News", &[], &["news.sky.com"]),
    ("NPR", &["National Public Radio"], &["npr.org"]),
    ("Politico", &["POLITICO"], &["politico.com", "politico.eu"]),
    ("The Independent", &["Independent"], &["independent.co.uk"]),
    (
        "The Telegraph",
        &["Telegraph", "The Daily Telegraph"],
        &["telegraph.co.uk"],
    ),
    (
        "Daily Mail",
        &["Mail Online", "MailOnline"],
        &["dailymail.co.uk"],
    ),
    ("USA Today", &["USA TODAY"], &["usatoday.com"]),
    ("Los Angeles Times", &["LA Times"], &["latimes.com"]),
    ("CNBC", &[], &["cnbc.com"]),
    ("Axios", &[], &["axios.com"]),
    ("The Economist", &["Economist"], &["economist.com"]),
    ("Newsweek", &[], &["newsweek.com"]),
    (
        "Yonhap",
        &["Yonhap News", "Yonhap News Agency"],
        &["yna.co.kr"],
    ),
    (
        "Xinhua",
        &["Xinhua News Agency"],
        &["xinhuanet.com", "news.cn"],
    ),
    (
        "TASS",
        &["ITAR-TASS", "Itar-Tass"],
        &["tass.com", "tass.ru"],
    ),
    ("RIA Novosti", &["RIA"], &["ria.ru"]),
    ("Interfax", &[], &["interfax.com", "interfax.ru"]),
    ("Kyodo News", &["Kyodo"], &["kyodonews.net"]),
    ("Devdiscourse", &[], &["devdiscourse.com"]),
    ("Press Trust of India", &["PTI"], &["ptinews.com"]),
    ("ANI", &["Asian News International"], &["aninews.in"]),
    ("Deutsche Welle", &["DW"], &["dw.com"]),
    ("Euronews", &[], &["euronews.com"]),
    ("France 24", &[], &["france24.com"]),
    ("The Hill", &[], &["thehill.com"]),
    (
        "Business Insider",
        &["Insider"],
        &["businessinsider.com", "insider.com"],
    ),
    ("Forbes", &[], &["forbes.com"]),
    ("The Verge", &[], &["theverge.com"]),
    ("Wired", &["WIRED"], &["wired.com"]),
    ("TechCrunch", &[], &["techcrunch.com"]),
    ("Ars Technica", &[], &["arstechnica.com"]),
    ("The Atlantic", &[], &["theatlantic.com"]),
    ("Time", &["TIME"], &["time.com"]),
    (
        "HuffPost",
        &["Huffington Post"],
        &["huffpost.com", "huffingtonpost.com"],
    ),
    ("ESPN", &[], &["espn.com"]),
    ("Variety", &[], &["variety.com"]),
    ("The Times", &["Times of London"], &["thetimes.co.uk"]),
    (
        "The Times of India",
        &["Times of India"],
        &["timesofindia.indiatimes.com"],
    ),
    ("The Japan Times", &[], &["japantimes.co.jp"]),
    ("South China Morning Post", &["SCMP"], &["scmp.com"]),
    ("The Korea Herald", &["Korea Herald"], &["koreaherald.com"]),
    (
        "KCNA",
        &["Korean Central News Agency"],
        &["kcna.kp", "kcnawatch.org"],
    ),
    ("UPI", &["United Press International"], &["upi.com"]),
];

/// News agencies: canonical name and other spellings (matched whole, case-insensitive; short
/// all-caps spellings only as written).
const AGENCIES: &[(&str, &[&str])] = &[
    (
        "dpa",
        &[
            "Deutsche Presse-Agentur",
            "dpa-AFX",
            "dpa/lnw",
            "dpa/lby",
            "dpa/tmn",
        ],
    ),
    ("AP", &["Associated Press", "The Associated Press"]),
    ("Reuters", &["Thomson Reuters"]),
    (
        "AFP",
        &["Agence France-Presse", "Agence France Presse", "afp"],
    ),
    ("ANSA", &["Agenzia ANSA"]),
    ("EFE", &["Agencia EFE", "efe"]),
    ("APA", &["Austria Presse Agentur"]),
    ("KNA", &["Katholische Nachrichten-Agentur"]),
    ("epd", &["Evangelischer Pressedienst"]),
    ("SDA", &["Keystone-SDA", "sda"]),
    ("Belga", &[]),
    ("Ritzau", &["Ritzaus Bureau"]),
    ("NTB", &["Norsk Telegrambyrå"]),
    ("TT", &["TT Nyhetsbyrån"]),
    ("ANP", &[]),
    ("Lusa", &["Agência Lusa"]),
    ("Europa Press", &[]),
    ("Xinhua", &["Xinhua News Agency"]),
    ("Kyodo", &["Kyodo News"]),
    ("Yonhap", &["Yonhap News Agency"]),
    ("TASS", &["ITAR-TASS"]),
    ("PTI", &["Press Trust of India"]),
    ("IANS", &[]),
    ("ANI", &["Asian News International"]),
    ("UPI", &["United Press International"]),
    ("AAP", &["Australian Associated Press"]),
    ("The Canadian Press", &["Canadian Press"]),
    ("AGI", &[]),
    ("Adnkronos", &[]),
    ("Anadolu", &["Anadolu Agency", "AA"]),
    ("Bloomberg", &["Bloomberg News"]),
    ("dts", &["dts Nachrichtenagentur"]),
    ("SID", &[]),
    ("AFX", &[]),
];

/// The canonical name of a news agency, when `name` is one ("Agence France-Presse" → AFP).
pub fn known_agency(name: &str) -> Option<&'static str> {
    let trimmed = name
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
    if trimmed.is_empty() {
        return None;
    }
    AGENCIES.iter().find_map(|(canonical, aliases)| {
        let same = |spelling: &str| {
            if spelling.len() <= 4 && spelling.chars().all(|c| c.is_ascii_uppercase()) {
                spelling == trimmed
            } else {
                spelling.eq_ignore_ascii_case(trimmed)
            }
        };
        (same(canonical) || aliases.iter().any(|alias| same(alias))).then_some(*canonical)
    })
}

/// Words that name a news agency in the seven languages ("Agência Brasil", "Agencia Reforma",
/// "Agenzia Nova", "Agence Belga", "Xinhua News Agency").
const AGENCY_WORDS: &[&str] = &[
    "agencia",
    "agência",
    "agenzia",
    "agence",
    "agentur",
    "agency",
    "nachrichtenagentur",
    "presseagentur",
    "persbureau",
    "nieuwsagentschap",
];

/// A news agency's name: a known agency's canonical name, else a name of two to four
/// capitalised words one of which is an agency word ("Agência O Globo", "Agencia Reforma"),
/// as written.
pub fn agency_name(part: &str) -> Option<String> {
    if let Some(agency) = known_agency(part) {
        return Some(agency.to_string());
    }
    let name = part.trim().trim_end_matches('.');
    let words: Vec<&str> = name.split_whitespace().collect();
    let fits = (2..=4).contains(&words.len())
        && words
            .iter()
            .any(|word| AGENCY_WORDS.contains(&word.to_lowercase().as_str()))
        && words.iter().all(|word| {
            word.chars().next().is_some_and(char::is_uppercase)
                && word.chars().all(|c| c.is_alphabetic() || c == '-')
        });
    fits.then(|| name.to_string())
}

/// Words that mark a byline part as an organisation or a desk rather than a person.
const NON_PERSON_WORDS: &[&str] = &[
    "news",
    "room",
    "newsroom",
    "staff",
    "desk",
    "agency",
    "agencies",
    "press",
    "reuters",
    "times",
    "post",
    "journal",
    "team",
    "correspondent",
    "correspondents",
    "editor",
    "editors",
    "reporter",
    "reporters",
    "online",
    "media",
    "wire",
    "wires",
    "bureau",
    "service",
    "web",
    "digital",
    "writer",
    "writers",
    "contributor",
    "contributors",
    "report",
    "admin",
    "guest",
    "associated",
    "network",
    "daily",
    "weekly",
    "magazine",
    "tribune",
    "herald",
    "group",
    "email",
    "follow",
    "ago",
    "hours",
    "minutes",
    "updated",
    "share",
    "author",
    "authors",
    "about",
    "more",
    "profile",
    "view",
    "redaktion",
    "rédaction",
    "redacción",
    "redazione",
    "redação",
    "redactie",
    "autor",
    "auteur",
    "autore",
    "contributors",
    "wikimedia",
    "project",
    "projects",
    "username",
    "facebook",
    "twitter",
    "instagram",
    "linkedin",
    "comments",
    "comment",
    "read",
    "posts",
    "by",
    // publishers' own names in their author fields ("Preußische Allgemeine Zeitung", "… GmbH")
    "zeitung",
    "allgemeine",
    "verlag",
    "gmbh",
    "nachrichten",
    "rundschau",
    "anzeiger",
    "presse",
    "radio",
    "fernsehen",
    "gazette",
    "quotidien",
    "diario",
    "periódico",
    "giornale",
    "jornal",
    "krant",
    "dagblad",
    "nieuws",
    "noticias",
    "notícias",
    "notizie",
    "ltd",
    "inc",
    "llc",
    // authorities and desks that sign press releases and reports
    "polizei",
    "police",
    "policía",
    "polícia",
    "polizia",
    "politie",
    "ministry",
    "ministère",
    "ministerio",
    "ministério",
    "ministero",
    "ministerie",
    "información",
    "informação",
    "informazione",
    "live",
    // "all posts" links beside a byline, in the other languages ("Alle Meldungen")
    "alle",
    "mehr",
    "weitere",
    "meldungen",
    "meldung",
    "keine",
    "artikel",
    "beiträge",
    "tous",
    "toutes",
    "articles",
    "todos",
    "todas",
    "artículos",
    "tutti",
    "articoli",
    "sports",
    "international",
    "artigos",
    "meer",
    "artikelen",
    "berichten",
];

/// Endings of German compounds naming an organisation ("Außenministerium", "Kreispolizei",
/// "Feuerwehrverband"): no person's name ends so.
const ORGANISATION_ENDINGS: &[&str] = &["ministerium", "zeitung", "polizei", "verband", "verein"];

/// Articles that open an outlet's or an organisation's name ("El Día", "La Información", "Die
/// Welt"), never a person's given name.
const NAME_ARTICLES: &[&str] = &[
    "the", "el", "los", "las", "la", "der", "die", "das", "il", "lo", "het",
];

/// Lowercase particles inside names ("Ursula von der Leyen", "Lisa de Moraes").
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "di", "do", "dos", "das", "del", "della", "der", "den", "van", "von", "la", "le",
    "du", "des", "y", "e", "bin", "al", "ten", "ter", "zu", "el",
];

/// Byline openers in English, German, French, Spanish, Italian, Portuguese and Dutch (and the
/// Scandinavian "Af"/"Av"), each followed by a capitalised name.
const BYLINE_PREFIXES: &[&str] = &[
    "by",
    "af",
    "av",
    "von",
    "par",
    "por",
    "di",
    "door",
    "text:",
    "texto:",
    "text von",
    "autor:",
    "autorin:",
    "auteur:",
    "autore:",
    "written by",
    "reporting by",
    "posted by",
    // the same openers written out, and German themes' "durch" ("durch Stephan Markus")
    "geschrieben von",
    "verfasst von",
    "durch",
    "écrit par",
    "escrito por",
    "scritto da",
    "geschreven door",
    "propos recueillis par",
    "recueillis par",
    "recueilli par",
];

/// Words joining two names: and, und, et, y, e, en.
const NAME_JOINERS: &[&str] = &[
    " and ", " und ", " et ", " y ", " e ", " en ", " & ", " und ",
];

/// The canonical outlet name for a spelling (case-insensitive), when it is a known outlet.
pub fn known_outlet(name: &str) -> Option<&'static str> {
    let trimmed = name.trim().trim_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_empty() {
        return None;
    }
    OUTLETS.iter().find_map(|(canonical, aliases, _)| {
        let matches = canonical.eq_ignore_ascii_case(trimmed)
            || aliases.iter().any(|alias| {
                // Short all-caps aliases (AP, FT, DW) only match exactly as written.
                if alias.len() <= 3 {
                    *alias == trimmed
                } else {
                    alias.eq_ignore_ascii_case(trimmed)
                }
            });
        matches.then_some(*canonical)
    })
}

/// The outlet for a URL's host, from the known list.
pub fn outlet_from_url(url: &str) -> Option<&'static str> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = after_scheme
        .split(['/', '?', '#', ':'])
        .next()?
        .to_ascii_lowercase();
    OUTLETS.iter().find_map(|(canonical, _, hosts)| {
        hosts
            .iter()
            .any(|known| host == *known || host.ends_with(&format!(".{known}")))
            .then_some(*canonical)
    })
}

/// The host of an absolute URL without `www.` ("globalnews.ca"), when it has one.
pub fn host_of_url(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("//")?;
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()?
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
    .then(|| host.to_string())
}

/// What a raw byline says: person names, news agencies and/or an outlet.
#[derive(Debug, Default, PartialEq)]
pub struct Byline {
    pub persons: Vec<String>,
    pub outlet: Option<String>,
    pub agencies: Vec<String>,
    /// One-word names the author markup gives (a blogger's pen name, user name or first
    /// name): the authors only when no source names a person in full, and never when they
    /// name the site (see [`names_the_site`]).
    pub pen_names: Vec<String>,
}

static BYLINE_CUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(?:\||•|·|\s-\s|\s–\s|\s—\s|\d|\bupdated\b|\bpublished\b|\bposted\b|\bmin read\b|\bfollow\b|\bemail\b|\baktualisiert\b|\bveröffentlicht\b|\bpublié\b|\bpublicado\b|\bpubblicato\b|\bgepubliceerd\b|\bmis à jour\b|@).*$")
        .expect("static regex")
});

/// The rest of a line after a byline opener ("By", "Von", "Par", "Por", "Di", "Door"), when it
/// starts with one followed by a capitalised word.
pub fn strip_byline_prefix(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    for prefix in BYLINE_PREFIXES {
        let Some(head) = trimmed.get(..prefix.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(prefix) {
            continue;
        }
        // "AV Club", "AF lines": the Scandinavian openers are never all capitals
        if matches!(*prefix, "af" | "av") && head.ends_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        let after = &trimmed[prefix.len()..];
        let next = after.chars().next();
        // "ByABC News" is a byline; "Byron Smith" and "Diplomats said" are not.
        let glued_ok = prefix.len() == 2 && head == "By" && next.is_some_and(char::is_uppercase);
        if next.is_some_and(|c| c.is_whitespace() || c == ':') || glued_ok {
            // "By | Jane Doe": the word and the name in blocks of their own
            let rest =
                after.trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '|');
            if rest.chars().next().is_some_and(char::is_uppercase) {
                return Some(rest);
            }
            // "By by JOSH HASKELL": a label and the byline's own word
            if let Some(again) = strip_byline_prefix(rest) {
                return Some(again);
            }
        }
    }
    None
}

/// Words that open a byline naming the kind of piece before its author: an article ("Ein
/// Kommentar von …", "A column by …", "Une chronique de …") or a genre's name alone
/// ("Kommentar von …", "Analysis by …"). A name never starts with an article; a genre's
/// name is not a given name, so "Richard von Weizsäcker" stays whole.
const GENRE_LEADS: &[&str] = &[
    "ein", "eine", "der", "die", "das", "a", "an", "the", "un", "une", "una", "uno", "il", "la",
    "le", "el", "een", "het",
];
const GENRE_WORDS: &[&str] = &[
    "kommentar",
    "analyse",
    "analysis",
    "interview",
    "gastbeitrag",
    "gastkommentar",
    "essay",
    "reportage",
    "kolumne",
    "column",
    "commentary",
    "opinion",
    "bericht",
    "report",
    "review",
    "kritik",
    "chronique",
    "tribune",
    "entretien",
    "crónica",
    "columna",
    "análisis",
    "commento",
];

/// The rest of a byline after "Ein Kommentar von", "Eine Analyse von", "Analysis by": one to
/// three words that open with an article or are a genre's name alone, then a byline word and
/// a capitalised name.
fn strip_genre_lead(line: &str) -> Option<&str> {
    let words: Vec<(usize, &str)> = line
        .split_whitespace()
        .map(|word| (word.as_ptr() as usize - line.as_ptr() as usize, word))
        .collect();
    let first = words.first()?.1.to_lowercase();
    let opens_with_article = GENRE_LEADS.contains(&first.as_str());
    for (index, &(at, word)) in words.iter().enumerate().take(4).skip(1) {
        let lower = word.to_lowercase();
        if !matches!(
            lower.as_str(),
            "by" | "von" | "par" | "de" | "por" | "di" | "door"
        ) {
            continue;
        }
        let genre_alone = index == 1 && GENRE_WORDS.contains(&first.trim_end_matches(':'));
        if !(opens_with_article || genre_alone) {
            return None;
        }
        let rest = line[at + word.len()..].trim_start();
        return rest
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
            .then_some(rest);
    }
    None
}

/// Parse a raw byline ("ByABC News", "By Jill Dougherty, CNN", "Von Anna Schmidt und Jan
/// Berg, dpa", "Par Sébastien Farcis (AFP)").
pub fn parse_byline(raw: &str) -> Byline {
    let line = raw.lines().next().unwrap_or("").trim();
    let opened = strip_byline_prefix(line);
    let rest = opened.or_else(|| strip_genre_lead(line)).unwrap_or(line);
    let mut first = parse_names(rest, false);
    if !first.persons.is_empty() {
        return first;
    }
    // "von Heiner", "By John": one name after the byline's own word is a pen name or a first
    // name (kept aside like the markup's, for when nothing names a person in full)
    if let Some(opened) = opened.filter(|_| first.agencies.is_empty() && first.outlet.is_none()) {
        let head = BYLINE_CUT.replace(opened, "");
        let head = head.trim().trim_end_matches(['.', ',']);
        if known_agency(head).is_none() && known_outlet(head).is_none() {
            if let Some(pen) = pen_name(head) {
                first.pen_names.push(pen);
            }
        }
    }
    // "Politik · Jochen Bittner, Tina Hildebrandt": a section's name before the names; the
    // first later block that names someone (or an agency) is the byline
    rest.split(['|', '·', '•'])
        .skip(1)
        .take(3)
        .map(|block| {
            let block = block.trim();
            parse_names(strip_byline_prefix(block).unwrap_or(block), false)
        })
        .find(|byline| !byline.persons.is_empty() || !byline.agencies.is_empty())
        .unwrap_or(first)
}

/// Names as given by the page's markup (JSON-LD, meta tags): joined names are split, agencies
/// and outlets set apart; a name of one word is kept only from markup.
pub fn parse_markup_names(raw: &str) -> Byline {
    let rest = strip_byline_prefix(raw).unwrap_or(raw);
    if let Some(name) = surname_first(rest) {
        return parse_names(&name, true);
    }
    parse_names(rest, true)
}

/// A catalogue-style name in markup ("Gillman, Steve", "Doe, Jane A."): one capitalised
/// surname, a comma, then one or two given names or initials, and nothing else. Given back in
/// reading order ("Steve Gillman"). Two single words can also be two authors known by one
/// name each, but markup names them with their full names.
fn surname_first(text: &str) -> Option<String> {
    let (surname, given) = text.trim().split_once(',')?;
    let surname = surname.trim();
    let given = given.trim();
    let capitalised = |word: &str| {
        word.chars().next().is_some_and(char::is_uppercase)
            && word
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
    };
    let given_words: Vec<&str> = given.split_whitespace().collect();
    let one_surname = !surname.contains(char::is_whitespace) && capitalised(surname);
    let fits = one_surname
        && (1..=2).contains(&given_words.len())
        && given_words.iter().all(|word| capitalised(word))
        && !given.contains(',')
        && [surname, given]
            .iter()
            .all(|part| known_agency(part).is_none() && known_outlet(part).is_none());
    fits.then(|| format!("{given} {surname}"))
}

fn parse_names(text: &str, from_markup: bool) -> Byline {
    let mut result = Byline::default();
    let rest = BYLINE_CUT.replace(text, "");
    let mut normalised = rest.replace(';', ",").replace(['(', ')'], ",");
    normalised = join_surnames(&normalised);
    for joiner in NAME_JOINERS {
        normalised = normalised.replace(joiner, ",");
    }
    // "Wilmer Leon. Sputnik International": a full stop after a name of two words or more
    // ends it (an initial's full stop does not)
    normalised = split_after_full_stops(&normalised);
    for part in normalised.split([',', '/']) {
        let part = unglue_desk(part.trim()).trim_end_matches('.');
        if part.is_empty() {
            continue;
        }
        if let Some(agency) = agency_name(part) {
            if !result.agencies.contains(&agency) {
                result.agencies.push(agency);
            }
            continue;
        }
        // "Jill Dougherty for CNN" / "Jill Dougherty in Moscow".
        let (name_part, tail) = match part
            .split_once(" for ")
            .or_else(|| part.split_once(" For "))
            .or_else(|| part.split_once(" in "))
        {
            Some((name, tail)) => (name.trim(), Some(tail.trim())),
            None => (part, None),
        };
        if let Some(outlet) = tail.and_then(known_outlet) {
            result.outlet.get_or_insert_with(|| outlet.to_string());
        }
        if let Some(outlet) = known_outlet(name_part) {
            result.outlet.get_or_insert_with(|| outlet.to_string());
            continue;
        }
        // "AP National Writer", "Reuters Staff Reporter": an agency's or outlet's job title
        let words: Vec<&str> = name_part.split_whitespace().collect();
        if words.len() >= 2
            && (1..words.len()).any(|k| {
                let head = words[..k].join(" ");
                known_agency(&head).is_some() || known_outlet(&head).is_some()
            })
        {
            continue;
        }
        let person = person_name(name_part, from_markup).or_else(|| {
            (!from_markup)
                .then(|| name_before_furniture(name_part))
                .flatten()
        });
        if let Some(person) = person {
            if !result.persons.contains(&person) {
                result.persons.push(person);
            }
        } else if let Some(pen) = from_markup.then(|| pen_name(name_part)).flatten() {
            if !result.pen_names.contains(&pen) {
                result.pen_names.push(pen);
            }
        }
    }
    result
}

/// A full stop that ends a name ("Wilmer Leon. Sputnik International") becomes a comma: after
/// a word of three or more letters, before a capital.
fn split_after_full_stops(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(". ") {
        let (head, tail) = rest.split_at(at);
        let last_word = head.rsplit(char::is_whitespace).next().unwrap_or("");
        let next = tail[2..].chars().next();
        out.push_str(head);
        if last_word.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && last_word.chars().all(char::is_alphabetic)
            && next.is_some_and(char::is_uppercase)
        {
            out.push_str(", ");
        } else {
            out.push_str(". ");
        }
        rest = &tail[2..];
    }
    out.push_str(rest);
    out
}

/// A name glued to the desk after it, as a page's markup joins two elements ("Isabel
/// KeaneJournal New"): cut where a word turns from small to capital letters into a desk or
/// outlet word.
fn unglue_desk(part: &str) -> &str {
    for (index, pair) in part.char_indices().zip(part.chars().skip(1)) {
        let ((at, before), after) = (index, pair);
        if !(before.is_lowercase() && after.is_uppercase()) {
            continue;
        }
        let cut = at + before.len_utf8();
        let word: String = part[cut..]
            .chars()
            .take_while(|c| c.is_alphabetic())
            .collect::<String>()
            .to_lowercase();
        if NON_PERSON_WORDS.contains(&word.as_str()) {
            return &part[..cut];
        }
    }
    part
}

/// Portuguese and Spanish surnames joined by "e" or "y" ("José Volta e Pinto", "José Ortega y
/// Gasset") are one name: the word is a joiner of two names only when a name of two or more
/// words follows it. Such a joining word is kept, bound to the surname by a no-break space.
fn join_surnames(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find([' ']) {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let after = &tail[1..];
        let joiner = ["e ", "y "].iter().find(|word| after.starts_with(**word));
        if let Some(word) = joiner {
            let next: Vec<&str> = after[2..]
                .split([',', ';', '/'])
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            let one_surname =
                next.len() == 1 && next[0].chars().next().is_some_and(char::is_uppercase);
            if one_surname && !out.trim_end().is_empty() {
                out.push(' ');
                out.push_str(word.trim_end());
                out.push('\u{a0}');
                rest = &after[2..];
                continue;
            }
        }
        out.push(' ');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A person's name as written (all-caps names title-cased), or `None` when the text does not
/// look like one: two to five capitalised words (particles such as "de", "von" aside), no
/// digits, no desk or outlet words. Markup may also name a person in one word of a script
/// without spaces between words.
fn person_name(text: &str, from_markup: bool) -> Option<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.len() == 1 && from_markup {
        let token = tokens[0];
        let unspaced_script = token.chars().all(|c| c.is_alphabetic() && !c.is_ascii())
            && token.chars().any(|c| {
                ('\u{3040}'..='\u{9fff}').contains(&c) || ('\u{ac00}'..='\u{d7af}').contains(&c)
            });
        return (unspaced_script && token.chars().count() <= 8).then(|| token.to_string());
    }
    if !(2..=5).contains(&tokens.len()) {
        return None;
    }
    // "Laura E. Adkins December": the date after a byline, not a surname
    let last = tokens[tokens.len() - 1].to_lowercase();
    if tokens.len() >= 3 && MONTH_WORDS.contains(&last.trim_end_matches('.')) {
        return None;
    }
    if NAME_ARTICLES.contains(&tokens[0].to_lowercase().as_str()) {
        return None;
    }
    // "ACLU Speech", "BBC Verify": an acronym of three to five capitals before words that are
    // not in capitals is an organisation's name (initials are two: "AJ Smith"; a surname in
    // capitals comes last: "Jean DUPONT")
    let all_capitals = |token: &str| {
        let letters: Vec<char> = token.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
    };
    let first_letters = tokens[0].chars().filter(|c| c.is_alphabetic()).count();
    if all_capitals(tokens[0])
        && (3..=5).contains(&first_letters)
        && tokens[1..].iter().any(|token| {
            token.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !all_capitals(token)
        })
    {
        return None;
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut capitalised = 0;
    for token in &tokens {
        let lower = token.to_lowercase();
        let bare = lower.trim_end_matches(['.', ':']);
        if NON_PERSON_WORDS.contains(&bare)
            || ORGANISATION_ENDINGS
                .iter()
                .any(|ending| bare.ends_with(ending))
        {
            return None;
        }
        if !token
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
        {
            return None;
        }
        if NAME_PARTICLES.contains(&token.trim_end_matches('.')) {
            out.push((*token).to_string());
            continue;
        }
        if !token.chars().next().is_some_and(char::is_uppercase) {
            return None;
        }
        capitalised += 1;
        let is_upper = token.chars().filter(|c| c.is_alphabetic()).count() > 2
            && token.chars().all(|c| !c.is_lowercase());
        if is_upper {
            out.push(title_case(token));
        } else {
            out.push((*token).to_string());
        }
    }
    (capitalised >= 2).then(|| out.join(" "))
}

/// One word that the page's author markup gives as the writer's name (`<meta name="author"
/// content="kinra">`, a JSON-LD author "MoritzMeyer", a rel=author link "doumae"): a blogger's
/// pen name, user name or first name is how the page credits its author (also one word after
/// the page byline's own word: "von Heiner"). Latin letters and digits with `_` or `-` inside,
/// 3 to 30 characters, at least three letters, not all capitals (an acronym), not a word that
/// names an account, a role or an organisation ("admin", "Redaktion", "editor", "news"), a
/// month or a weekday.
fn pen_name(text: &str) -> Option<String> {
    let token = text.trim();
    if token.contains(char::is_whitespace) {
        return None;
    }
    let count = token.chars().count();
    let letters = token.chars().filter(|c| c.is_alphabetic()).count();
    // Latin script: a one-word name in another script is more often a place or a desk
    let plain = token.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-')
            || (c.is_alphabetic() && ('\u{c0}'..='\u{24f}').contains(&c))
    });
    let generic = |word: &str| {
        let lower = word.to_lowercase();
        NON_PERSON_WORDS.contains(&lower.as_str())
            || ACCOUNT_WORDS.contains(&lower.as_str())
            || MONTH_WORDS.contains(&lower.as_str())
            || ORGANISATION_ENDINGS
                .iter()
                .any(|ending| lower.ends_with(ending))
    };
    let any_generic = generic(token) || token.split(['-', '_']).any(generic);
    // an acronym in capitals is an organisation's ("NDR", "BNS")
    let acronym = token.chars().all(|c| !c.is_lowercase());
    ((3..=30).contains(&count) && letters >= 3 && plain && !any_generic && !acronym)
        .then(|| token.to_string())
}

/// Whether a one-word name is the site's: the outlet's name or a label of the page's host,
/// compared without case, spaces and dashes ("UOL" on noticias.uol.com.br, "Weltwoche" on
/// weltwoche.ch, "Kent" on kentnews.online, "handball-world" on handball-world.news).
pub fn names_the_site(name: &str, outlet: Option<&str>, url: Option<&str>) -> bool {
    let squash = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let name = squash(name);
    if name.is_empty() {
        return false;
    }
    // the outlet's name as a whole, or one of its words ("Weltwoche" in "Die Weltwoche")
    if outlet.is_some_and(|outlet| {
        squash(outlet) == name || outlet.split_whitespace().any(|word| squash(word) == name)
    }) {
        return true;
    }
    let host = url
        .and_then(|url| url.split("://").nth(1))
        .and_then(|rest| rest.split(['/', '?', '#', ':']).next())
        .unwrap_or("");
    // the host's own labels, not the top-level domain or "www" ("Dennis" on a .de site)
    let labels: Vec<&str> = host.split('.').collect();
    let own = labels.len().saturating_sub(1);
    labels[..own]
        .iter()
        .filter(|label| {
            !matches!(
                **label,
                "www" | "m" | "co" | "com" | "org" | "net" | "gov" | "ac"
            )
        })
        .map(|label| squash(label))
        .any(|label| {
            label == name
                || (label.len() >= 4 && (label.starts_with(&name) || name.starts_with(&label)))
        })
}

/// Words that CMSs put where the author's name belongs: accounts, roles, desks, labels ("bio",
/// "login", "now") and weekdays.
const ACCOUNT_WORDS: &[&str] = &[
    "administrator",
    "administrador",
    "amministratore",
    "webmaster",
    "user",
    "benutzer",
    "utilisateur",
    "usuario",
    "utente",
    "gast",
    "invité",
    "invitado",
    "ospite",
    "anonymous",
    "anonym",
    "anonyme",
    "anónimo",
    "anonimo",
    "unknown",
    "null",
    "none",
    "undefined",
    "root",
    "system",
    "support",
    "info",
    "office",
    "kontakt",
    "contact",
    "presse",
    "prensa",
    "stampa",
    "imprensa",
    "pers",
    "verlag",
    "redaktionen",
    "redacao",
    "redaccion",
    "redazione",
    "editorial",
    "editoria",
    "team",
    "staff",
    "sponsored",
    "anzeige",
    "werbung",
    "advertorial",
    "partner",
    "login",
    "now",
    "bio",
    "organization",
    "organisation",
    "redaktori",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

const MONTH_WORDS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// The name at the start of a byline part that runs on into furniture: "Howard Blume Staff
/// Writer", "Laura E. Adkins December", "Meg Wagner NEW YORK DAILY NEWS" (two to four words
/// before the first desk, outlet or month word).
fn name_before_furniture(text: &str) -> Option<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let stop = tokens
        .iter()
        .enumerate()
        .skip(2)
        .find_map(|(index, token)| {
            let lower = token.to_lowercase();
            let lower = lower.trim_end_matches(['.', ':']);
            (NON_PERSON_WORDS.contains(&lower) || MONTH_WORDS.contains(&lower)).then_some(index)
        })?;
    if stop > 4 {
        return None;
    }
    // an all-caps outlet after a mixed-case name: cut where the case changes
    let mixed = tokens[..stop]
        .iter()
        .take_while(|t| t.chars().any(char::is_lowercase))
        .count();
    let mut end = if mixed >= 2 && mixed < stop {
        mixed
    } else {
        stop
    };
    // the outlet's or agency's own first words run in after the name ("Paul Steinhauser Fox
    // News", "Hillel Italie The Associated Press"): cut where a known one begins
    let known = |words: &[&str]| {
        let name = words.join(" ");
        let name = name.trim_end_matches(['.', ',']);
        known_outlet(name).is_some() || known_agency(name).is_some()
    };
    if let Some(start) = (2..end).find(|&k| known(&tokens[k..=stop]) || known(&tokens[k..])) {
        end = start;
    }
    person_name(&tokens[..end].join(" "), false)
}

fn title_case(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut start = true;
    for ch in token.chars() {
        if start {
            out.extend(ch.to_uppercase());
        } else {
            out.extend(ch.to_lowercase());
        }
        start = matches!(ch, '-' | '\'' | '’');
    }
    out
}

static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?P<city>[A-Z][A-Za-z .'’-]{1,40}?)\s*(?P<rest>(?:,[^\n(]{0,80}?)?)\s*(?P<agency>\([A-Za-z .&-]{2,40}\))?\s*(?:--|—|–|-)\s")
        .expect("static regex")
});

/// Capitalised lead words that are labels, not places.
const NOT_PLACES: &[&str] = &[
    "BREAKING",
    "BREAKING NEWS",
    "UPDATE",
    "UPDATED",
    "EXCLUSIVE",
    "WATCH",
    "LIVE",
    "ANALYSIS",
    "OPINION",
    "VIDEO",
    "PHOTOS",
    "EDITOR'S NOTE",
    "NOTE",
    "CORRECTION",
    "FACT CHECK",
    "REVIEW",
    "COMMENT",
    "INTERVIEW",
    "SPONSORED",
    "ADVERTISEMENT",
    "ALERT",
    "FLASH",
    "URGENT",
];

/// The dateline city ("MOSCOW" from "MOSCOW, Russia --", "SEOUL" from "S E O U L, South
/// Korea, July 19, 2000 --"). The city must be written in capitals, or be followed by an
/// agency marker such as "(Reuters)".
pub fn parse_dateline(raw: &str) -> Option<String> {
    let captures = DATELINE.captures(raw)?;
    let city = captures.name("city")?.as_str().trim();
    if NOT_PLACES.contains(&city.to_uppercase().as_str()) {
        return None;
    }
    let has_agency = captures.name("agency").is_some();
    let letters: Vec<char> = city.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 {
        return None;
    }
    let all_caps = letters.iter().all(|c| c.is_uppercase());
    if !all_caps && !has_agency {
        return None;
    }
    if !all_caps && city.split_whitespace().count() > 3 {
        return None;
    }
    let tokens: Vec<&str> = city.split_whitespace().collect();
    let spaced = tokens.len() > 2 && tokens.iter().all(|t| t.chars().count() == 1);
    let city = if spaced {
        tokens.concat()
    } else {
        tokens.join(" ")
    };
    Some(city.to_uppercase())
}

/// A dateline candidate that is already just the place ("MOSCOW", "S E O U L", "New York"), as
/// the clean stage passes it after taking the lead apart: one to four words of letters.
pub fn plain_city(raw: &str) -> Option<String> {
    let trimmed = raw.trim().trim_end_matches([',', '-', '—', '–', ' ']);
    let tokens: Vec<&str> = trimmed.split_whitespace().collect();
    let spaced = tokens.len() > 2 && tokens.iter().all(|t| t.chars().count() == 1);
    let city = if spaced {
        tokens.concat()
    } else {
        tokens.join(" ")
    };
    let words = city.split_whitespace().count();
    let letters = city.chars().filter(|c| c.is_alphabetic()).count();
    let allowed = city
        .chars()
        .all(|c| c.is_alphabetic() || c == ' ' || c == '.' || c == '-' || c == '\'');
    if !(1..=4).contains(&words) || letters < 2 || !allowed {
        return None;
    }
    let capitalised = city
        .split_whitespace()
        .all(|word| word.chars().next().is_some_and(char::is_uppercase));
    if !capitalised || NOT_PLACES.contains(&city.to_uppercase().as_str()) {
        return None;
    }
    Some(city.to_uppercase())
}

static LEAD_AGENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^\n]{0,120}?\((?P<outlet>[A-Z][A-Za-z.&' -]{1,40})\)\s*(?:--|—|–|-|:)")
        .expect("static regex")
});

static POSSESSIVE_REPORTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?P<outlet>[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){0,2})['’]s (?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+(?:-[A-Z][a-z]+)? (?:reports|has more|has the story|explains|looks at)")
        .expect("static regex")
});

/// Outlet named in the text: "(CNN) --" in the lead, a "Reuters | Moscow | Updated" line, or
/// "CNN's Jill Dougherty reports".
pub fn outlet_in_text(paragraphs: &[&str]) -> Option<String> {
    for paragraph in paragraphs.iter().take(6) {
        if let Some(captures) = LEAD_AGENCY.captures(paragraph) {
            let name = captures.name("outlet").map_or("", |m| m.as_str()).trim();
            if let Some(outlet) = known_outlet(name) {
                return Some(outlet.to_string());
            }
        }
    }
    for paragraph in paragraphs.iter().take(8) {
        if paragraph.len() < 240 && paragraph.contains('|') {
            for field in paragraph.split('|') {
                if let Some(outlet) = known_outlet(field) {
                    return Some(outlet.to_string());
                }
            }
        }
    }
    for paragraph in paragraphs {
        if let Some(captures) = POSSESSIVE_REPORTER.captures(paragraph) {
            if let Some(outlet) = captures
                .name("outlet")
                .and_then(|m| known_outlet(m.as_str()))
            {
                return Some(outlet.to_string());
            }
        }
    }
    None
}

static LEAD_AGENCY_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^\n]{0,120}?\((?P<agency>[A-Za-z][A-Za-z./ -]{1,30})\)\s*(?:--|—|–|-|:|\.)?\s")
        .expect("static regex")
});

/// A news agency credited at the start of the lead ("BERLIN (dpa) -", "Paris (AFP) —").
pub fn agency_in_lead(paragraphs: &[&str]) -> Option<&'static str> {
    paragraphs.iter().take(3).find_map(|paragraph| {
        let captures = LEAD_AGENCY_ONLY.captures(paragraph)?;
        let inside = captures.name("agency")?.as_str();
        inside.split('/').find_map(known_agency)
    })
}

static TAIL_AGENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[.!?»“”\s])(?:\((?P<paren>[\p{L}][\p{L}./ -]{1,40})\)\s*\.?|(?:quelle|fonte|fuente|source|bron|mit material von|with reporting by|avec)\s*:?\s*(?P<named>[\p{L}][\p{L}./ -]{1,40}?)\.?)\s*$")
        .expect("static regex")
});

/// Whether [`TAIL_AGENCY`] can match the text at all: every match holds a `)` or one of the
/// pattern's words. The pattern's letter classes repeated forty times make the regex engine
/// fall back to a backtracking search over every paragraph's end; this test spares the search
/// where the answer is known to be no, which is nearly everywhere.
fn may_credit_an_agency(tail: &str) -> bool {
    // `(?i)` matches by simple case folding: the long s (U+017F) is an `s`, and no other
    // letter of these words folds outside ASCII
    tail.contains(')')
        || tail.contains('\u{17F}')
        || [
            "quelle",
            "fonte",
            "fuente",
            "source",
            "bron",
            "mit material von",
            "with reporting by",
            "avec",
        ]
        .iter()
        .any(|word| {
            tail.as_bytes()
                .windows(word.len())
                .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
        })
}

static SOURCE_AGENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:quelle|fonte|fuente|source|bron)\s*:\s*(?P<named>[\p{L}][\p{L}./ -]{1,40}?)\s*(?:$|\s[-–|·]\s|[;,]|\.\s)")
        .expect("static regex")
});

static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\((?:additional )?(?:reporting|writing|reporting and writing|reporting and additional reporting) by (?P<names>[^;)]{3,120})")
        .expect("static regex")
});

/// The reporters a wire story names in its closing sign-off ("(Reporting by Gus Trompiz and
/// Marine Pennetier; Editing by …)"): the names after "Reporting by" or "Writing by", never the
/// editors.
pub fn sign_off_persons(paragraphs: &[&str]) -> Vec<String> {
    let mut persons = Vec::new();
    for paragraph in paragraphs.iter().rev().take(3) {
        if !paragraph.contains(" by ") && !paragraph.contains(" By ") {
            continue;
        }
        for captures in SIGN_OFF.captures_iter(paragraph) {
            let Some(names) = captures.name("names") else {
                continue;
            };
            for person in parse_names(names.as_str(), false).persons {
                if !persons.contains(&person) {
                    persons.push(person);
                }
            }
        }
        if !persons.is_empty() {
            break;
        }
    }
    persons
}

/// A news agency credited at the end of the text ("… sagte er. (dpa)", "… (ANSA).", "Quelle:
/// dpa", "Mit Material von Reuters"), or named as the source in a line of the lead ("22/11/2020
/// - 04:30 - Fonte: Agência Brasil - Foto: …").
pub fn agency_in_tail(paragraphs: &[&str]) -> Option<String> {
    let parts = |inside: &str| {
        inside
            .split(['/', ','])
            .find_map(|part| agency_name(part.trim()))
    };
    paragraphs
        .iter()
        .rev()
        .take(2)
        .find_map(|paragraph| {
            // only a paragraph's last words can credit it; the pattern reads no more
            let paragraph = paragraph.trim();
            let mut start = paragraph.len().saturating_sub(80);
            while !paragraph.is_char_boundary(start) {
                start -= 1;
            }
            let tail = &paragraph[start..];
            if !may_credit_an_agency(tail) {
                return None;
            }
            let captures = TAIL_AGENCY.captures(tail)?;
            parts(
                captures
                    .name("paren")
                    .or_else(|| captures.name("named"))?
                    .as_str(),
            )
        })
        .or_else(|| {
            paragraphs.iter().take(3).find_map(|paragraph| {
                let lower = paragraph.to_lowercase();
                if !["quelle", "fonte", "fuente", "source", "bron"]
                    .iter()
                    .any(|word| lower.contains(word))
                {
                    return None;
                }
                let captures = SOURCE_AGENCY.captures(paragraph)?;
                parts(captures.name("named")?.as_str())
            })
        })
}

static TITLE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+(?:\||-|–|—|::)\s+(?P<site>[^|–—]{2,40})$").expect("static regex")
});

/// The title with whitespace collapsed and a trailing " | Outlet" / " - Outlet" removed.
pub fn refine_title(raw: &str, outlet: Option<&str>) -> Option<String> {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return None;
    }
    let mut title = collapsed.clone();
    if let Some(captures) = TITLE_SUFFIX.captures(&collapsed) {
        let site = captures.name("site").map_or("", |m| m.as_str()).trim();
        let is_outlet = known_outlet(site).is_some()
            || outlet.is_some_and(|name| name.eq_ignore_ascii_case(site));
        if is_outlet {
            if let Some(whole) = captures.get(0) {
                title = collapsed[..whole.start()].trim().to_string();
            }
        }
    }
    (!title.is_empty()).then_some(title)
}

/// The part of a dateline lead before its dash ("S E O U L, South Korea, July 19, 2000").
pub fn dateline_head(paragraph: &str) -> String {
    let cut = [" -- ", " — ", " – ", " - "]
        .iter()
        .filter_map(|dash| paragraph.find(dash))
        .min()
        .unwrap_or(paragraph.len().min(120));
    paragraph
        .get(..cut)
        .unwrap_or("")
        .chars()
        .take(160)
        .collect()
}

static HEADER_DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:published|updated|posted|created|first published|last updated|date)\b")
        .expect("static regex")
});

/// The publication date as ISO 8601, from (in order) the ISO candidate, the raw date text, the
/// dateline, and short header lines near the top of the body ("Updated: ...").
pub fn published(
    iso: Option<&str>,
    raw_text: Option<&str>,
    dateline: Option<&str>,
    paragraphs: &[&str],
) -> Option<String> {
    for candidate in [iso, raw_text, dateline].into_iter().flatten() {
        if let Some(value) = dates::normalize(candidate) {
            return Some(value);
        }
    }
    // Header lines: short lines among the first paragraphs. The most precise value wins
    // (a time with a zone over a bare date); the first one among equals.
    let mut best: Option<String> = None;
    for (index, paragraph) in paragraphs.iter().take(8).enumerate() {
        let short = paragraph.len() <= 160;
        let first_sentence_dateline = index < 4 && parse_dateline(paragraph).is_some();
        // A short labelled line ("Updated: ..."), or a very short line near the top (a bare
        // date), or the head of a dateline lead (before its dash, not the story's own dates).
        let few_words = paragraph.split_whitespace().count() <= 8;
        let header_line =
            short && (HEADER_DATE_LINE.is_match(paragraph) || (index < 3 && few_words));
        let head: String = if header_line {
            paragraph.chars().take(200).collect()
        } else if first_sentence_dateline {
            dateline_head(paragraph)
        } else {
            continue;
        };
        if let Some(value) = dates::normalize(&head) {
            if best
                .as_ref()
                .is_none_or(|current| value.len() > current.len())
            {
                best = Some(value);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agency_prefilter_lets_every_match_through() {
        for tail in [
            "said the minister. (AFP)",
            "said the minister (dpa).",
            "said the minister. (Reuters/AP) .  ",
            "Quelle: dpa",
            "QUELLE : AFP",
            "fonte: ANSA.",
            "Fuente: EFE",
            "Source: Reuters",
            "ſource: Reuters",
            "SOURCE: Reuters",
            "bron: ANP",
            "Mit Material von dpa und AFP",
            "MIT MATERIAL VON dpa",
            "With reporting by Reuters.",
            "Avec AFP",
        ] {
            assert!(TAIL_AGENCY.is_match(tail), "{tail}");
            assert!(may_credit_an_agency(tail), "{tail}");
        }
        // a paragraph's end with none of the words and no parenthesis is passed over
        assert!(!may_credit_an_agency(
            "The minister said the talks would go on next week."
        ));
        assert!(!may_credit_an_agency(""));
    }

    proptest::proptest! {
        #[test]
        fn the_agency_prefilter_is_exact(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "(", ")", ".", " ", "  ", ":", "dpa", "AFP", "Reuters", "Quelle", "SOURCE",
                    "ſource", "Fonte", "fuente", "Bron", "mit", "Material", "von", "with",
                    "reporting", "by", "avec", "Avec", "said", "the", "»", "“", "é", "Ünal",
                ]),
                0..14,
            )
        ) {
            let tail: String = words.concat();
            if TAIL_AGENCY.is_match(&tail) {
                proptest::prop_assert!(may_credit_an_agency(&tail), "{}", tail);
            }
        }
    }

    #[test]
    fn catalogue_names_in_markup_are_read_first_name_first() {
        assert_eq!(
            parse_markup_names("Gillman, Steve").persons,
            ["Steve Gillman"]
        );
        assert_eq!(parse_markup_names("Doe, Jane A.").persons, ["Jane A. Doe"]);
        assert_eq!(
            parse_markup_names("Jane Doe, John Roe").persons,
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(
            parse_markup_names("Jane Doe, Reuters").agencies,
            ["Reuters"]
        );
        assert_eq!(parse_markup_names("Doe, CNN").persons, Vec::<String>::new());
        assert_eq!(
            parse_byline("By by JOSH HASKELL, DAVID CAPLAN and PATRICK REEVELL").persons,
            ["Josh Haskell", "David Caplan", "Patrick Reevell"]
        );
    }

    #[test]
    fn a_wire_storys_sign_off_names_its_reporters_not_its_editors() {
        let paragraphs = [
            "PARIS, Jan 1 (Reuters) - French farmers protested on Monday.",
            "The ministry said it would respond next week.",
            "(Reporting by Gus Trompiz, Jean-Stephane Brosse and Marine Pennetier; Editing by Louise Heavens)",
        ];
        assert_eq!(
            sign_off_persons(&paragraphs),
            vec!["Gus Trompiz", "Jean-Stephane Brosse", "Marine Pennetier"]
        );
        assert!(sign_off_persons(&["(Editing by Louise Heavens)"]).is_empty());
        // "For MailOnline" after the name is the outlet's
        assert_eq!(
            parse_byline("By Amitai Winehouse For Mailonline").persons,
            vec!["Amitai Winehouse".to_string()]
        );
        assert!(parse_markup_names("NDTV Sports").persons.is_empty());
        // a name glued to its desk, a full stop before the outlet; initials stay
        assert_eq!(
            parse_byline("By Robert Brum and Isabel KeaneJournal News").persons,
            vec!["Robert Brum".to_string(), "Isabel Keane".to_string()]
        );
        assert_eq!(
            parse_markup_names("Wilmer Leon. Sputnik International").persons,
            vec!["Wilmer Leon".to_string()]
        );
        assert_eq!(
            parse_byline("By William K. Rashbaum").persons,
            vec!["William K. Rashbaum".to_string()]
        );
        assert_eq!(
            parse_byline("By Ian McDonald").persons,
            vec!["Ian McDonald".to_string()]
        );
    }

    #[test]
    fn an_outlet_run_in_after_the_name_is_cut_where_it_begins() {
        assert_eq!(
            parse_byline("By Paul Steinhauser Fox News").persons,
            ["Paul Steinhauser"]
        );
        assert_eq!(
            parse_byline("By Hillel Italie The Associated Press").persons,
            ["Hillel Italie"]
        );
        // an agency's job title after the name is no second person
        assert_eq!(
            parse_byline("Hillel Italie, AP National Writer").persons,
            ["Hillel Italie"]
        );
        // a three-word name before an outlet word that starts no known outlet stays whole
        assert_eq!(
            parse_byline("By Mary Ann Jones Staff").persons,
            ["Mary Ann Jones"]
        );
    }

    #[test]
    fn byline_openers_written_out() {
        for (line, name) in [
            ("durch Stephan Markus", "Stephan Markus"),
            ("Geschrieben von Anna Schmidt", "Anna Schmidt"),
            ("Escrito por Ana García", "Ana García"),
            ("Scritto da Marco Rossi", "Marco Rossi"),
        ] {
            assert_eq!(parse_byline(line).persons, [name], "{line}");
        }
        // a sentence's "durch" before a lowercase word opens no byline
        assert!(strip_byline_prefix("durch die Redaktion geprüft").is_none());
    }

    #[test]
    fn a_job_titles_organisation_after_the_name_is_no_person() {
        // "Name, Title, Organisation": an acronym before ordinary words and a project are an
        // organisation's name
        assert_eq!(
            parse_byline(
                "By Daniel Kahn Gillmor, Senior Staff Technologist, ACLU Speech, Privacy, and \
                 Technology Project"
            )
            .persons,
            ["Daniel Kahn Gillmor"]
        );
        // names in capitals, initials and a surname in capitals stay persons
        assert_eq!(
            parse_byline("By GARY B. GRAVES, AP Sports Writer").persons,
            ["Gary B. Graves"]
        );
        assert_eq!(parse_byline("Par Jean DUPONT").persons, ["Jean Dupont"]);
        assert_eq!(parse_byline("By AJ Smith").persons, ["AJ Smith"]);
    }

    #[test]
    fn agencies_by_their_word_at_the_end_and_as_the_named_source() {
        assert_eq!(
            agency_name("Agência O Globo").as_deref(),
            Some("Agência O Globo")
        );
        assert_eq!(
            agency_name("Agencia Reforma").as_deref(),
            Some("Agencia Reforma")
        );
        assert_eq!(agency_name("Agence France-Presse").as_deref(), Some("AFP"));
        assert_eq!(agency_name("agency"), None);
        assert_eq!(agency_name("Anna Schmidt"), None);
        let tail = |paragraphs: &[&str]| agency_in_tail(paragraphs);
        assert_eq!(
            tail(&["Erster Absatz.", "Die Polizei ermittelt. (dpa)"]).as_deref(),
            Some("dpa")
        );
        assert_eq!(
            tail(&["Primo paragrafo.", "Lo ha detto il ministro. (ANSA)."]).as_deref(),
            Some("ANSA")
        );
        assert_eq!(
            tail(&[
                "22/11/2020 - 04:30 - Fonte: Agência Brasil - Foto: Cesar Greco/Palmeiras",
                "Com um gol nos acréscimos, o Goiás venceu.",
            ])
            .as_deref(),
            Some("Agência Brasil")
        );
        // a party or a broadcaster in brackets at the end is no agency
        assert_eq!(tail(&["Er sprach für die Union. (CDU)"]), None);
        assert_eq!(tail(&["Das sagte er im Interview (ZDF)."]), None);
    }

    #[test]
    fn bylines_in_romance_languages_and_publishers_in_author_fields() {
        // a surname joined by "e"/"y" is one name; before a full name the word joins two
        assert_eq!(
            parse_markup_names("José Volta e Pinto").persons,
            vec!["José Volta e Pinto".to_string()]
        );
        assert_eq!(
            parse_byline("Por José Ortega y Gasset").persons,
            vec!["José Ortega y Gasset".to_string()]
        );
        assert_eq!(
            parse_byline("Por Ana Silva e João Costa").persons,
            vec!["Ana Silva".to_string(), "João Costa".to_string()]
        );
        assert_eq!(
            parse_byline("Elsa Provenzano et Mickaël Bosredon").persons,
            vec![
                "Elsa Provenzano".to_string(),
                "Mickaël Bosredon".to_string()
            ]
        );
        // an interview's byline (ouest-france.fr, JSON-LD author)
        assert_eq!(
            parse_markup_names("Recueilli par Patrick ANGEVIN.").persons,
            vec!["Patrick Angevin".to_string()]
        );
        // the publisher in the author field is not a person
        for name in [
            "Preußische Allgemeine Zeitung",
            "Frankfurter Allgemeine Zeitung GmbH",
            "Jornal O Papel",
            "El Dia",
            "La Información",
            "The Electronic Frontier Foundation",
            "Außenministerium der Republik Österreich",
            "Polizei Steinfurt",
            "Bernau Live",
        ] {
            assert!(parse_markup_names(name).persons.is_empty(), "{name}");
        }
        // a newsroom's "all reports" link is not a byline
        for line in [
            "Alle Meldungen",
            "Keine Meldung von Polizei Steinfurt mehr verpassen.",
        ] {
            assert!(parse_byline(line).persons.is_empty(), "{line}");
        }
        assert_eq!(
            parse_byline("Von Anna Schmidt").persons,
            vec!["Anna Schmidt".to_string()]
        );
    }

    #[test]
    fn bylines() {
        assert_eq!(
            parse_byline("ByABC News"),
            Byline {
                persons: vec![],
                outlet: Some("ABC News".into()),
                agencies: vec![],
                pen_names: vec![],
            }
        );
        assert_eq!(parse_byline("By News Room 5 Min Read"), Byline::default());
        assert_eq!(
            parse_byline("By Jill Dougherty, CNN"),
            Byline {
                persons: vec!["Jill Dougherty".into()],
                outlet: Some("CNN".into()),
                agencies: vec![],
                pen_names: vec![],
            }
        );
        assert_eq!(
            parse_byline("By JOHN SMITH and Jane Doe | Updated 2 hours ago").persons,
            vec!["John Smith".to_string(), "Jane Doe".to_string()]
        );
        assert_eq!(
            parse_byline("Byron Smith").persons,
            vec!["Byron Smith".to_string()]
        );
        assert_eq!(
            parse_byline("Howard Blume Staff Writer").persons,
            vec!["Howard Blume".to_string()]
        );
        assert_eq!(
            parse_byline("By Meg Wagner NEW YORK DAILY NEWS").persons,
            vec!["Meg Wagner".to_string()]
        );
        assert_eq!(
            parse_byline("Laura E. Adkins December 28, 2016").persons,
            vec!["Laura E. Adkins".to_string()]
        );
        assert!(parse_byline("Email the author").persons.is_empty());
        // the kind of piece before its author
        for line in [
            "Ein Kommentar von Max Mustermann",
            "Eine Analyse von Max Mustermann",
            "Kommentar von Max Mustermann",
            "Analysis by Max Mustermann",
            "Une chronique de Max Mustermann",
        ] {
            assert_eq!(
                parse_byline(line).persons,
                vec!["Max Mustermann".to_string()],
                "{line}"
            );
        }
        // a name with a particle stays whole
        assert_eq!(
            parse_byline("Richard von Weizsäcker").persons,
            vec!["Richard von Weizsäcker".to_string()]
        );
        assert_eq!(
            parse_byline("Beatrix von Storch und Max Mustermann").persons,
            vec![
                "Beatrix von Storch".to_string(),
                "Max Mustermann".to_string()
            ]
        );
        assert!(parse_byline("3 hours ago").persons.is_empty());
        // the page's byline blocks set apart by the clean stage
        assert_eq!(
            parse_byline("By Joe Davidson | Washington Post | Dec 13, 2016").persons,
            vec!["Joe Davidson".to_string()]
        );
        assert_eq!(
            parse_byline("Von | Anna Schmidt | 3. März 2024").persons,
            vec!["Anna Schmidt".to_string()]
        );
        assert_eq!(strip_byline_prefix("AV Club Staff"), None);
        let danish = parse_byline("Erhverv - 02. januar 2020 kl. 10:21 | Af Ritzau | Kontakt");
        assert!(danish.persons.is_empty(), "{danish:?}");
        assert_eq!(danish.agencies, vec!["Ritzau".to_string()]);
        assert_eq!(
            parse_byline("Politik · Jochen Bittner, Tina Hildebrandt").persons,
            vec!["Jochen Bittner".to_string(), "Tina Hildebrandt".to_string()]
        );
    }

    #[test]
    fn plain_city_candidates() {
        assert_eq!(plain_city("MOSCOW").as_deref(), Some("MOSCOW"));
        assert_eq!(plain_city("S E O U L").as_deref(), Some("SEOUL"));
        assert_eq!(plain_city("New York").as_deref(), Some("NEW YORK"));
        assert_eq!(plain_city("two years ago"), None);
        assert_eq!(plain_city("Updated 14-09-2023"), None);
        assert_eq!(plain_city(""), None);
    }

    #[test]
    fn datelines() {
        assert_eq!(
            parse_dateline("MOSCOW, Russia -- North Korean").as_deref(),
            Some("MOSCOW")
        );
        assert_eq!(
            parse_dateline("MOSCOW, Russia (CNN) -- North").as_deref(),
            Some("MOSCOW")
        );
        assert_eq!(
            parse_dateline("S E O U L, South Korea, July 19, 2000 -- Russian").as_deref(),
            Some("SEOUL")
        );
        assert_eq!(
            parse_dateline("Moscow, Sept 14 (Reuters) - Russia").as_deref(),
            Some("MOSCOW")
        );
        assert_eq!(
            parse_dateline("NEW YORK — Stocks fell").as_deref(),
            Some("NEW YORK")
        );
        assert_eq!(
            parse_dateline("Two years ago, North Korea agreed -- x"),
            None
        );
    }

    #[test]
    fn outlets() {
        assert_eq!(
            outlet_in_text(&["MOSCOW, Russia (CNN) -- North Korean leader"]).as_deref(),
            Some("CNN")
        );
        assert_eq!(
            outlet_in_text(&["Reuters | Moscow | Updated: 14-09-2023 18:46 IST"]).as_deref(),
            Some("Reuters")
        );
        assert_eq!(
            outlet_in_text(&["CNN's Jill Dougherty has more on the visit"]).as_deref(),
            Some("CNN")
        );
        assert_eq!(outlet_in_text(&["Nothing here (really) - no."]), None);
        assert_eq!(
            outlet_from_url("https://www.ft.com/content/x"),
            Some("Financial Times")
        );
        assert_eq!(
            outlet_from_url("https://edition.cnn.com/2001/WORLD/"),
            Some("CNN")
        );
        assert_eq!(outlet_from_url("https://example.com/"), None);
    }

    #[test]
    fn publication_dates() {
        let lead = "MOSCOW, Russia, Aug 5, 2001 -- The talks on July 4, 1999 were recalled.";
        assert_eq!(
            published(None, None, None, &[lead]).as_deref(),
            Some("2001-08-05")
        );
        let event_only = "MOSCOW, Russia -- The talks on July 4, 1999 were recalled by officials.";
        assert_eq!(published(None, None, None, &[event_only]), None);
        let lines = [
            "date 2023-09-14 Left Menu",
            "Reuters | Moscow | Updated: 14-09-2023 18:46 IST",
        ];
        assert_eq!(
            published(None, None, None, &lines).as_deref(),
            Some("2023-09-14T18:46:00+05:30")
        );
        assert_eq!(
            published(
                Some("2023-09-14T18:46:00Z"),
                Some("July 19, 2000"),
                None,
                &[]
            )
            .as_deref(),
            Some("2023-09-14T18:46:00Z")
        );
    }

    #[test]
    fn titles() {
        assert_eq!(
            refine_title("Kim visits  Moscow | CNN", None).as_deref(),
            Some("Kim visits Moscow")
        );
        assert_eq!(
            refine_title("Up - and down", None).as_deref(),
            Some("Up - and down")
        );
        assert_eq!(refine_title("   ", None), None);
    }
}
