//! Direct quotations and their speakers.
//!
//! Quotes are spans between double quotation marks (straight `"` or curly `“ ”`, `« »`); a
//! quote left open at the end of a paragraph continues when the next paragraph opens with a
//! quotation mark (the news convention for multi-paragraph quotes).
//!
//! Decisions:
//! - Scare quotes are not quotations of a speaker: a span is kept when it has at least 4 words,
//!   or at least 2 words and ends a clause inside the marks (`.`, `,`, `!`, `?`).
//!   Single quotation marks are not read (they are mostly apostrophes and headline quotes).
//! - Speakers are names only: a person or an organisation ("RIA quoted the declaration as
//!   saying" → RIA). A description without a name ("the joint statement said", "a Foreign
//!   Ministry spokesman told Reuters") gives `None`.
//! - Attribution order: a speech verb directly before the quote ("Putin said, “…"), then the
//!   attribution after it ("…,” said Peskov / Kirby told reporters / X was quoted as saying /
//!   it quoted him as saying), then "according to X", then a speech verb earlier in the same
//!   sentence; a quote without one continues the previous quote of the same or the previous
//!   paragraph, or takes the subject of a speech verb in the previous paragraph.
//! - Pronouns (he, she, him, her) resolve to the nearest preceding named person: a previous
//!   speaker or a person mention outside quotes. Short names expand to the full name used in
//!   the article ("Peskov" → "Dmitry Peskov").

use crate::entities::{covers, name_runs};
use crate::text;
use newsflow_model::{EntityType, Quote};

const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "stated",
    "states",
    "asserted",
    "insisted",
    "warned",
    "warns",
    "noted",
    "notes",
    "explained",
    "declared",
    "announced",
    "argued",
    "argues",
    "claimed",
    "claims",
    "wrote",
    "writes",
    "tweeted",
    "replied",
    "answered",
    "urged",
    "acknowledged",
    "admitted",
    "stressed",
    "emphasised",
    "emphasized",
    "suggested",
    "recalled",
    "predicted",
    "continued",
    "commented",
    "remarked",
    "concluded",
    "observed",
    "reported",
    "quoted",
    "asked",
    "cautioned",
    "conceded",
    "confirmed",
    "responded",
    "recounted",
    "explains",
    "adding",
    "saying",
    "telling",
    "posted",
];

/// Words between a subject and its speech verb ("Klebanov was quoted", "Peskov also said").
const AUXILIARIES: &[&str] = &[
    "was",
    "is",
    "were",
    "are",
    "has",
    "had",
    "have",
    "been",
    "also",
    "then",
    "later",
    "again",
    "once",
    "would",
    "will",
    "did",
    "does",
    "has",
    "further",
    "earlier",
    "subsequently",
    "often",
];

const PRONOUNS: &[&str] = &["he", "she", "him", "her"];

/// Nouns that may follow an organisation's name in a subject ("RIA news agency", "the
/// Itar-Tass report") without making the speaker someone else.
const ORG_NOUNS: &[&str] = &[
    "news",
    "agency",
    "report",
    "reports",
    "newspaper",
    "daily",
    "television",
    "tv",
    "radio",
    "channel",
    "media",
    "broadcaster",
    "website",
    "agency's",
];

/// A name mention with a position in the body (from the NER model or capitalised runs).
#[derive(Debug, Clone)]
pub struct NameMention {
    pub words: Vec<String>,
    pub text: String,
    pub kind: Option<EntityType>,
    pub start: usize,
}

#[derive(Debug, Clone)]
struct Span {
    text: String,
    /// Paragraph index and byte offset of the opening mark.
    open_para: usize,
    open: usize,
    /// Paragraph index and byte offset just after the closing mark (or paragraph end).
    close_para: usize,
    close: usize,
}

fn is_open_mark(ch: char) -> bool {
    matches!(ch, '“' | '«' | '„')
}

fn is_close_mark(ch: char) -> bool {
    matches!(ch, '”' | '»')
}

/// Quotation spans over the paragraphs (see the module docs).
fn spans(paragraphs: &[&str]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize, String)> = None;
    for (pi, paragraph) in paragraphs.iter().enumerate() {
        let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
        let mut skip_first_open = false;
        if open.is_some() {
            let first = paragraph.trim_start().chars().next();
            if first.is_some_and(|c| is_open_mark(c) || c == '"') {
                skip_first_open = true;
            } else if let Some((op, oo, buffer)) = open.take() {
                // Unclosed at the previous paragraph's end and not continued: it ends there.
                let previous = paragraphs[pi - 1];
                out.push(Span {
                    text: buffer,
                    open_para: op,
                    open: oo,
                    close_para: pi - 1,
                    close: previous.len(),
                });
            }
        }
        let mut segment_start = 0;
        for (ci, (offset, ch)) in chars.iter().enumerate() {
            let prev = if ci == 0 { None } else { Some(chars[ci - 1].1) };
            let next = chars.get(ci + 1).map(|(_, c)| *c);
            let straight_opens = *ch == '"'
                && prev.is_none_or(|p| {
                    p.is_whitespace() || matches!(p, '(' | '[' | '—' | '–' | '-' | ':')
                })
                && next.is_some_and(|n| !n.is_whitespace());
            let opens = is_open_mark(*ch) || straight_opens;
            let closes = is_close_mark(*ch) || (*ch == '"' && !straight_opens);
            if skip_first_open && opens {
                skip_first_open = false;
                segment_start = offset + ch.len_utf8();
                continue;
            }
            skip_first_open = false;
            match open.as_mut() {
                None if opens => {
                    open = Some((pi, *offset, String::new()));
                    segment_start = offset + ch.len_utf8();
                }
                Some((_, _, buffer)) if closes => {
                    if !buffer.is_empty() {
                        buffer.push(' ');
                    }
                    buffer.push_str(&paragraph[segment_start..*offset]);
                    if let Some((op, oo, buffer)) = open.take() {
                        out.push(Span {
                            text: buffer,
                            open_para: op,
                            open: oo,
                            close_para: pi,
                            close: offset + ch.len_utf8(),
                        });
                    }
                }
                _ => {}
            }
        }
        if let Some((_, _, buffer)) = open.as_mut() {
            if !buffer.is_empty() {
                buffer.push(' ');
            }
            buffer.push_str(&paragraph[segment_start.min(paragraph.len())..]);
        }
    }
    if let Some((op, oo, buffer)) = open.take() {
        let last = paragraphs.len().saturating_sub(1);
        let close = paragraphs.get(last).map_or(0, |p| p.len());
        out.push(Span {
            text: buffer,
            open_para: op,
            open: oo,
            close_para: last,
            close,
        });
    }
    for span in &mut out {
        span.text = span.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    out
}

/// True when a quoted text is a quotation of a speaker rather than a scare quote.
pub fn is_quotation(inner: &str) -> bool {
    let count = text::words(inner).len();
    let ends_clause = inner
        .trim_end()
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '.' | ',' | '!' | '?' | '…'));
    count >= 4 || (count >= 2 && ends_clause)
}

/// What an attribution names.
#[derive(Debug, Clone, PartialEq)]
enum Who {
    Name(String),
    Pronoun,
    Nobody,
}

fn word_list(segment: &str) -> Vec<(String, usize, usize)> {
    text::words(segment)
        .iter()
        .map(|w| (w.text(segment).to_string(), w.start, w.end))
        .collect()
}

fn is_speech_verb(token: &str) -> bool {
    SPEECH_VERBS.contains(&token.to_lowercase().as_str())
}

/// The speaker named by a subject phrase ("Kremlin spokesman Dmitry Peskov", "RIA news agency",
/// "he", "the joint statement").
fn subject_speaker(subject: &str) -> Who {
    let trimmed = subject
        .trim()
        .trim_matches(|c: char| c == ',' || c.is_whitespace());
    let words = word_list(trimmed);
    let Some((last, _, _)) = words.last() else {
        return Who::Nobody;
    };
    if words.len() == 1 && PRONOUNS.contains(&last.to_lowercase().as_str()) {
        return Who::Pronoun;
    }
    // Skip trailing adverbs ("Peskov also said", "he later told").
    let mut end = words.len();
    while end > 0
        && words[end - 1].0.chars().all(|c| c.is_lowercase())
        && (words[end - 1].0.ends_with("ly") || AUXILIARIES.contains(&words[end - 1].0.as_str()))
    {
        end -= 1;
    }
    if end == 0 {
        return Who::Nobody;
    }
    if end == 1 && PRONOUNS.contains(&words[0].0.to_lowercase().as_str()) {
        return Who::Pronoun;
    }
    // Trailing organisation nouns are allowed after a name.
    let mut name_end = end;
    while name_end > 0 && ORG_NOUNS.contains(&words[name_end - 1].0.to_lowercase().as_str()) {
        name_end -= 1;
    }
    if name_end == 0 || !text::is_capitalised(&words[name_end - 1].0) {
        return Who::Nobody;
    }
    let mut name_start = name_end - 1;
    while name_start > 0 && text::is_capitalised(&words[name_start - 1].0) {
        let gap = &trimmed[words[name_start - 1].2..words[name_start].1];
        // "Amazon's Robin Terrell": the possessive belongs to another name.
        let previous = &words[name_start - 1].0;
        if gap != " " || previous.ends_with("'s") || previous.ends_with("’s") {
            break;
        }
        name_start -= 1;
    }
    // Drop leading function words and titles ("The", "President").
    while name_start < name_end && text::is_stopword(&text::norm_token(&words[name_start].0)) {
        name_start += 1;
    }
    if name_start >= name_end {
        return Who::Nobody;
    }
    let name_words: Vec<String> = words[name_start..name_end]
        .iter()
        .map(|(w, _, _)| w.clone())
        .collect();
    let kept = strip_titles(&name_words);
    let Some(first_kept) = kept.first() else {
        return Who::Nobody;
    };
    let offset = name_end - kept.len();
    debug_assert_eq!(&words[offset].0, first_kept);
    let name = &trimmed[words[offset].1..words[name_end - 1].2];
    Who::Name(strip_possessive(name))
}

/// Titles and offices that precede a name ("Russian Deputy Prime Minister Ilya Klebanov").
const TITLES: &[&str] = &[
    "president",
    "prime",
    "minister",
    "deputy",
    "vice",
    "premier",
    "secretary",
    "chancellor",
    "senator",
    "sen",
    "governor",
    "gov",
    "general",
    "gen",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "lord",
    "lady",
    "king",
    "queen",
    "prince",
    "princess",
    "foreign",
    "defence",
    "defense",
    "chief",
    "executive",
    "chairman",
    "chairwoman",
    "director",
    "leader",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ambassador",
    "judge",
    "justice",
    "mayor",
    "pope",
    "rev",
    "professor",
    "prof",
    "captain",
    "coach",
    "manager",
    "state",
    "interior",
    "finance",
    "economy",
    "trade",
    "health",
    "home",
    "former",
    "acting",
    "opposition",
    "party",
    "senior",
    "official",
    "commander",
    "colonel",
    "col",
    "lieutenant",
    "sergeant",
    "officer",
    "envoy",
    "chairperson",
    "ceo",
    "founder",
    "head",
    "boss",
    "striker",
    "midfielder",
    "defender",
];

fn is_title(word: &str) -> bool {
    TITLES.contains(&word.trim_end_matches('.').to_lowercase().as_str())
}

/// Nationality-like adjectives: "Russian", "Korean", "Chinese", "British", "Israeli".
fn is_nationality(word: &str) -> bool {
    let lower = word.to_lowercase();
    text::is_capitalised(word)
        && (lower.ends_with("an")
            || lower.ends_with("ese")
            || lower.ends_with("ish")
            || lower.ends_with('i'))
}

/// The name without leading titles and nationality adjectives; when a title sits inside the
/// run ("White House Press Secretary Stephanie Grisham"), the name is what follows it.
pub fn strip_titles(words: &[String]) -> &[String] {
    let last_title = words
        .iter()
        .take(words.len().saturating_sub(1))
        .rposition(|w| is_title(w));
    let words = match last_title {
        Some(index) => &words[index + 1..],
        None => words,
    };
    let mut start = 0;
    while start + 1 < words.len() {
        let word = &words[start];
        let next = &words[start + 1];
        let compass =
            matches!(word.as_str(), "North" | "South" | "East" | "West") && is_nationality(next);
        let adjective = is_nationality(word) && (is_title(next) || is_nationality(next));
        if is_title(word) || compass || adjective {
            start += 1;
        } else {
            break;
        }
    }
    &words[start..]
}

fn strip_possessive(name: &str) -> String {
    name.strip_suffix("'s")
        .or_else(|| name.strip_suffix("’s"))
        .unwrap_or(name)
        .to_string()
}

/// Attribution after the closing mark: "said Peskov", "Kirby told reporters", "he said",
/// "RIA quoted the declaration as saying", "it quoted him as saying".
fn after_attribution(after: &str) -> Option<Who> {
    let clause =
        after.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '—' | '–' | '-'));
    // The attribution must be the rest of this sentence.
    let clause_end = clause
        .find(['.', ';', '“', '"', '!', '?'])
        .unwrap_or(clause.len());
    let clause = &clause[..clause_end];
    let words = word_list(clause);
    let verb_index = words
        .iter()
        .take(12)
        .position(|(w, _, _)| is_speech_verb(w))?;
    if verb_index == 0 {
        // "said Lim Soo-suk, a South Korean ..." / "said the Kremlin"
        let rest = &clause[words[0].2..];
        let object = rest.split(',').next().unwrap_or("");
        let object_words = word_list(object);
        let first = object_words.first()?;
        if PRONOUNS.contains(&first.0.to_lowercase().as_str()) {
            return Some(Who::Pronoun);
        }
        return Some(subject_speaker(object));
    }
    let subject = &clause[..words[verb_index].1];
    // A subject after a comma ("..., the minister said") must not reach back across clauses.
    let subject = subject.rsplit(',').next().unwrap_or(subject);
    let who = subject_speaker(subject);
    // "X quoted Y as saying": Y speaks when named or a pronoun; otherwise X (the source).
    if words[verb_index].0.eq_ignore_ascii_case("quoted") {
        let rest = &clause[words[verb_index].2..];
        if let Some((object, _)) = rest.split_once(" as ") {
            match subject_speaker(object) {
                Who::Nobody => {}
                named => return Some(named),
            }
        }
    }
    // "was quoted as saying" has its subject before "was".
    Some(who)
}

/// The speaker from the text before the opening mark, in the same sentence.
fn before_attribution(before: &str) -> (Option<Who>, bool) {
    let sentence_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| matches!(c, '.' | '!' | '?' | '”' | '"'))
        .map(|(index, c)| index + c.len_utf8())
        .unwrap_or(0);
    let clause = before[sentence_start.min(before.len())..].trim();
    if clause.is_empty() {
        return (None, false);
    }
    let lower = clause.to_lowercase();
    let words = word_list(clause);
    // "According to Putin, ..."
    if let Some(index) = lower.find("according to ") {
        let rest = &clause[index + "according to ".len()..];
        let name_part = rest.split(',').next().unwrap_or("");
        if let Who::Name(name) = subject_speaker(name_part) {
            return (Some(Who::Name(name)), false);
        }
    }
    // The speech verb nearest the quote ("Asked whether ..., Peskov said Putin had ...").
    let Some(verb_index) = words.iter().rposition(|(w, _, _)| is_speech_verb(w)) else {
        return (None, false);
    };
    // Directly introduced: nothing but an optional addressee / time and a colon or comma
    // between the verb and the quote ("Putin said, “", "told Reuters on Sunday: "").
    let tail = clause[words[verb_index].2..].trim();
    let direct = tail.is_empty()
        || tail.ends_with(':')
        || tail.ends_with(',')
        || words.len() - verb_index <= 6;
    let subject = &clause[..words[verb_index].1];
    let subject = subject.rsplit(',').next().unwrap_or(subject);
    (Some(subject_speaker(subject)), direct)
}

/// Speakers of a previous paragraph's speech verb: "He also said Russia was prepared ...".
fn paragraph_speaker(paragraph: &str) -> Option<Who> {
    for (start, end) in text::sentences(paragraph) {
        let sentence = paragraph[start..end].trim_end_matches(['.', '!', '?']);
        if sentence.contains(['“', '"']) {
            continue;
        }
        let (who, _) = before_attribution(sentence);
        if let Some(who @ (Who::Name(_) | Who::Pronoun)) = who {
            return Some(who);
        }
    }
    None
}

/// Quotes with speakers. `names` are name mentions with body offsets (NER mentions or
/// capitalised runs); `paragraph_offsets[i]` is the body offset of paragraph `i`.
pub fn extract(
    paragraphs: &[&str],
    paragraph_offsets: &[usize],
    names: &[NameMention],
) -> Vec<Quote> {
    let spans = spans(paragraphs);
    let quote_ranges: Vec<(usize, usize)> = spans
        .iter()
        .map(|s| {
            (
                paragraph_offsets.get(s.open_para).copied().unwrap_or(0) + s.open,
                paragraph_offsets.get(s.close_para).copied().unwrap_or(0) + s.close,
            )
        })
        .collect();
    let outside_quotes = |position: usize| {
        !quote_ranges
            .iter()
            .any(|(s, e)| position >= *s && position < *e)
    };
    // (body position, resolved speaker) of earlier quotes.
    let mut speakers: Vec<(usize, usize, Option<String>)> = Vec::new();
    let mut quotes = Vec::new();
    for (index, span) in spans.iter().enumerate() {
        if !is_quotation(&span.text) {
            continue;
        }
        let open_paragraph = paragraphs[span.open_para];
        let close_paragraph = paragraphs[span.close_para];
        let before = &open_paragraph[..span.open.min(open_paragraph.len())];
        let after = close_paragraph.get(span.close..).unwrap_or("");
        let position = paragraph_offsets.get(span.open_para).copied().unwrap_or(0) + span.open;
        let (before_who, direct) = before_attribution(before);
        let mut who = None;
        if direct {
            who = before_who.clone();
        }
        if who.is_none() {
            who = after_attribution(after);
        }
        if who.is_none() {
            who = before_who;
        }
        if who.is_none() {
            // Continuation: an earlier quote in this paragraph or the previous one, or a speech
            // verb in the previous paragraph when the quote opens its paragraph.
            let previous = speakers
                .iter()
                .rev()
                .find(|(para, _, _)| *para + 1 >= span.open_para);
            if let Some((_, _, speaker)) = previous {
                quotes.push(Quote {
                    text: span.text.clone(),
                    speaker: speaker.clone(),
                });
                speakers.push((span.close_para, position, speaker.clone()));
                continue;
            }
            if before.trim().is_empty() && span.open_para > 0 {
                who = paragraph_speaker(paragraphs[span.open_para - 1]);
            }
        }
        let speaker = match who {
            Some(Who::Name(name)) => Some(expand(&name, position, names)),
            Some(Who::Pronoun) => resolve_pronoun(position, &speakers, names, &outside_quotes),
            Some(Who::Nobody) | None => None,
        };
        let _ = index;
        quotes.push(Quote {
            text: span.text.clone(),
            speaker: speaker.clone(),
        });
        speakers.push((span.close_para, position, speaker));
    }
    quotes
}

/// The full name used in the article for a short name: the nearest preceding mention that
/// covers it, else the first following one, else the name itself.
fn expand(name: &str, position: usize, names: &[NameMention]) -> String {
    let short: Vec<String> = text::words(name)
        .iter()
        .map(|w| strip_possessive(w.text(name)))
        .collect();
    let short = strip_titles(&short).to_vec();
    let mut best: Option<&NameMention> = None;
    for mention in names {
        if !covers_or_equals(&mention.words, &short) {
            continue;
        }
        let better = match best {
            None => true,
            Some(current) => {
                let current_before = current.start < position;
                let mention_before = mention.start < position;
                match (current_before, mention_before) {
                    (false, true) => true,
                    (true, true) => {
                        mention.start > current.start
                            || mention.words.len() > current.words.len()
                                && mention.start == current.start
                    }
                    (false, false) => mention.start < current.start,
                    (true, false) => false,
                }
            }
        };
        if better {
            best = Some(mention);
        }
    }
    // The canonical (longest) form of that mention's own entity.
    match best {
        Some(mention) => {
            let longer = names
                .iter()
                .filter(|m| covers(&m.words, &mention.words))
                .max_by_key(|m| (m.words.len(), std::cmp::Reverse(m.start)));
            longer.unwrap_or(mention).text.clone()
        }
        None if short.is_empty() => name.to_string(),
        None => short.join(" "),
    }
}

fn covers_or_equals(long: &[String], short: &[String]) -> bool {
    long == short || covers(long, short)
}

fn resolve_pronoun(
    position: usize,
    speakers: &[(usize, usize, Option<String>)],
    names: &[NameMention],
    outside_quotes: &dyn Fn(usize) -> bool,
) -> Option<String> {
    let last_speaker = speakers
        .iter()
        .rev()
        .find_map(|(_, at, speaker)| speaker.as_ref().map(|s| (*at, s.clone())));
    let last_person = names
        .iter()
        .filter(|m| {
            m.kind == Some(EntityType::PER) && m.start < position && outside_quotes(m.start)
        })
        .max_by_key(|m| m.start)
        .map(|m| (m.start, expand(&m.text, m.start, names)));
    match (last_speaker, last_person) {
        (Some(speaker), Some(person)) => Some(if person.0 > speaker.0 {
            person.1
        } else {
            speaker.1
        }),
        (Some(speaker), None) => Some(speaker.1),
        (None, Some(person)) => Some(person.1),
        (None, None) => None,
    }
}

/// Name mentions from capitalised runs, for articles processed without a NER model.
pub fn names_from_runs(paragraphs: &[&str], paragraph_offsets: &[usize]) -> Vec<NameMention> {
    let mut out = Vec::new();
    for (paragraph, offset) in paragraphs.iter().zip(paragraph_offsets) {
        for (start, end) in name_runs(paragraph) {
            let surface = &paragraph[start..end];
            let all_words: Vec<String> = text::words(surface)
                .iter()
                .map(|w| strip_possessive(w.text(surface)))
                .collect();
            let words = strip_titles(&all_words).to_vec();
            if words.is_empty() {
                continue;
            }
            out.push(NameMention {
                text: words.join(" "),
                words,
                kind: None,
                start: offset + start,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(paragraphs: &[&str]) -> Vec<Quote> {
        let mut offsets = Vec::new();
        let mut offset = 0;
        for p in paragraphs {
            offsets.push(offset);
            offset += p.len() + 1;
        }
        let names = names_from_runs(paragraphs, &offsets);
        extract(paragraphs, &offsets, &names)
    }

    fn speakers(quotes: &[Quote]) -> Vec<Option<&str>> {
        quotes.iter().map(|q| q.speaker.as_deref()).collect()
    }

    #[test]
    fn attribution_forms() {
        let quotes = run(&[
            "Kremlin spokesman Dmitry Peskov spoke on Monday.",
            "“We are very pleased with the talks,” Peskov told reporters.",
            "\"This project is being finalised in Moscow,\" Klebanov was quoted as saying.",
            "“There is no way out of this,” said Cheong Seong-chang, a researcher. “The US can act alone.”",
            "Putin said, “Why should only Russia pay for everything?”",
            "“One can minimize the threat this way,” it quoted him as saying.",
            "\"North Korea asserts its programme is peaceful,\" the joint statement said.",
            "\"North Korea asserts its programme is peaceful,\" RIA news agency quoted the declaration as saying.",
            "“We are delighted with the response,” said Amazon's Robin Terrell.",
            "They called it a “strategic partnership” in global affairs.",
        ]);
        assert_eq!(
            speakers(&quotes),
            vec![
                Some("Dmitry Peskov"),
                Some("Klebanov"),
                Some("Cheong Seong-chang"),
                Some("Cheong Seong-chang"),
                Some("Putin"),
                Some("Putin"),
                None,
                Some("RIA"),
                Some("Robin Terrell"),
            ]
        );
    }

    #[test]
    fn multi_paragraph_quote() {
        let quotes = run(&[
            "“This is the first part of it,",
            "“and this is the second part,” he said.",
        ]);
        assert_eq!(quotes.len(), 1);
        assert_eq!(
            quotes[0].text,
            "This is the first part of it, and this is the second part,"
        );
    }

    #[test]
    fn titles_are_not_names() {
        let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            strip_titles(&words("White House Press Secretary Stephanie Grisham")),
            words("Stephanie Grisham")
        );
        assert_eq!(
            strip_titles(&words("Russian Deputy Prime Minister Ilya Klebanov")),
            words("Ilya Klebanov")
        );
        assert_eq!(
            strip_titles(&words("North Korean Vice Premier Cho Chang Dok")),
            words("Cho Chang Dok")
        );
        assert_eq!(
            strip_titles(&words("Vladimir Putin")),
            words("Vladimir Putin")
        );
        assert_eq!(strip_titles(&words("President")), words("President"));
    }

    #[test]
    fn scare_quotes_are_skipped() {
        assert!(!is_quotation("strategic partnership"));
        assert!(!is_quotation("troubling"));
        assert!(is_quotation("full and unconditional support"));
        assert!(is_quotation("We disagree."));
    }
}
