//! Keyphrases: TF-IDF over candidate phrases (runs of up to three content words) against a
//! background document-frequency model trained on news corpora.
//!
//! Model file format (UTF-8 text), version 2: a header line `newsflow-keywords 2`, then per
//! language a line `language<TAB>CODE<TAB>docs<TAB>N` followed by one `term<TAB>df` line per
//! term (lowercase words joined by single spaces). Version 1 (`newsflow-keywords 1`, a line
//! `docs<TAB>N`, then the terms) is one English table.
//!
//! Candidates, stop words and elided articles follow the article's language ([`crate::lang`]);
//! the trainer cuts background documents with the same rules, so terms match.

use crate::lang::{self, Language};
use crate::text::{self, FastState};
use std::collections::{HashMap, HashSet};

/// Errors reading a keyword model.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KeywordModelError {
    #[error("keyword model is not utf-8")]
    NotUtf8,
    #[error("keyword model header is missing or unknown")]
    BadHeader,
    #[error("keyword model line {line} is malformed")]
    BadLine { line: usize },
}

const HEADER: &str = "newsflow-keywords 1";
const HEADER_V2: &str = "newsflow-keywords 2";
/// The longest candidate phrase, in words.
pub const MAX_PHRASE_WORDS: usize = 3;
/// How many keyphrases a record gets.
pub const KEYWORDS_PER_ARTICLE: usize = 10;

/// Background document frequencies.
#[derive(Debug, Clone, Default)]
pub struct KeywordModel {
    docs: u32,
    df: HashMap<String, u32, FastState>,
}

impl KeywordModel {
    pub fn from_bytes(bytes: &[u8]) -> Result<KeywordModel, KeywordModelError> {
        let text = std::str::from_utf8(bytes).map_err(|_| KeywordModelError::NotUtf8)?;
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(KeywordModelError::BadHeader);
        }
        let docs = lines
            .next()
            .and_then(|line| line.strip_prefix("docs\t"))
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or(KeywordModelError::BadHeader)?;
        let mut df = HashMap::default();
        KeywordModel::read_terms(lines.enumerate().map(|(i, line)| (i + 3, line)), &mut df)?;
        Ok(KeywordModel { docs, df })
    }

    /// Reads `term<TAB>df` lines; `first_line` numbers the first for errors.
    fn read_terms<'a>(
        lines: impl Iterator<Item = (usize, &'a str)>,
        df: &mut HashMap<String, u32, FastState>,
    ) -> Result<(), KeywordModelError> {
        for (number, line) in lines {
            let (term, count) = line
                .split_once('\t')
                .and_then(|(t, c)| c.parse::<u32>().ok().map(|c| (t, c)))
                .ok_or(KeywordModelError::BadLine { line: number })?;
            df.insert(term.to_string(), count);
        }
        Ok(())
    }

    pub fn docs(&self) -> u32 {
        self.docs
    }

    pub fn terms(&self) -> usize {
        self.df.len()
    }

    /// Inverse document frequency; an unseen term gets the highest value.
    pub fn idf(&self, term: &str) -> f32 {
        let df = self.df.get(term).copied().unwrap_or(0);
        ((self.docs as f32 + 1.0) / (df as f32 + 1.0)).ln() + 1.0
    }
}

/// Build an English model from background documents (version 1 bytes). Terms seen in fewer
/// than `min_df` documents are left out (they get the unseen-term idf). Output is
/// deterministic (terms sorted).
pub fn train<'a>(documents: impl IntoIterator<Item = &'a str>, min_df: u32) -> Vec<u8> {
    let model = train_in(documents, min_df, &lang::ENGLISH);
    let mut out = format!("{HEADER}\ndocs\t{}\n", model.docs);
    push_terms(&model, &mut out);
    out.into_bytes()
}

/// The background table of one language: candidates cut with that language's rules.
pub fn train_in<'a>(
    documents: impl IntoIterator<Item = &'a str>,
    min_df: u32,
    language: &Language,
) -> KeywordModel {
    let mut df: HashMap<String, u32, FastState> = HashMap::default();
    let mut docs = 0u32;
    for document in documents {
        docs += 1;
        let mut seen: HashSet<String> = HashSet::new();
        for paragraph in document.split('\n') {
            for_each_candidate(paragraph, language, |candidate| {
                if !seen.contains(candidate.term) {
                    seen.insert(candidate.term.to_string());
                }
            });
        }
        for term in seen {
            *df.entry(term).or_insert(0) += 1;
        }
    }
    df.retain(|_, count| *count >= min_df);
    KeywordModel { docs, df }
}

fn push_terms(model: &KeywordModel, out: &mut String) {
    let mut terms: Vec<(&String, &u32)> = model.df.iter().collect();
    terms.sort();
    for (term, count) in terms {
        out.push_str(term);
        out.push('\t');
        out.push_str(&count.to_string());
        out.push('\n');
    }
}

/// Background tables per language (ISO 639-1 code), as one model file holds them.
#[derive(Debug, Clone, Default)]
pub struct KeywordTables {
    tables: Vec<(String, KeywordModel)>,
}

impl KeywordTables {
    /// Reads a version 2 file, or a version 1 file as the English table.
    pub fn from_bytes(bytes: &[u8]) -> Result<KeywordTables, KeywordModelError> {
        let text = std::str::from_utf8(bytes).map_err(|_| KeywordModelError::NotUtf8)?;
        if text.lines().next() == Some(HEADER) {
            let model = KeywordModel::from_bytes(bytes)?;
            return Ok(KeywordTables {
                tables: vec![("en".to_string(), model)],
            });
        }
        let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
        if lines.next().map(|(_, line)| line) != Some(HEADER_V2) {
            return Err(KeywordModelError::BadHeader);
        }
        let mut tables: Vec<(String, KeywordModel)> = Vec::new();
        for (number, line) in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() == 4 && fields[0] == "language" && fields[2] == "docs" {
                let docs = fields[3]
                    .parse::<u32>()
                    .map_err(|_| KeywordModelError::BadLine { line: number })?;
                tables.push((
                    fields[1].to_string(),
                    KeywordModel {
                        docs,
                        df: HashMap::default(),
                    },
                ));
                continue;
            }
            let (_, model) = tables
                .last_mut()
                .ok_or(KeywordModelError::BadLine { line: number })?;
            KeywordModel::read_terms(std::iter::once((number, line)), &mut model.df)?;
        }
        Ok(KeywordTables { tables })
    }

    /// Tables in the order given (the file keeps it).
    pub fn new(tables: Vec<(String, KeywordModel)>) -> KeywordTables {
        KeywordTables { tables }
    }

    /// The version 2 file (terms sorted within each table: deterministic).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{HEADER_V2}\n");
        for (code, model) in &self.tables {
            out.push_str(&format!("language\t{code}\tdocs\t{}\n", model.docs));
            push_terms(model, &mut out);
        }
        out.into_bytes()
    }

    /// The table of a language.
    pub fn get(&self, code: &str) -> Option<&KeywordModel> {
        self.tables
            .iter()
            .find(|(lang, _)| lang == code)
            .map(|(_, model)| model)
    }

    /// The languages with a table, in file order.
    pub fn languages(&self) -> Vec<&str> {
        self.tables.iter().map(|(code, _)| code.as_str()).collect()
    }
}

/// A candidate phrase occurrence.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Lowercase normalised words joined by spaces.
    pub term: String,
    /// The phrase as written.
    pub surface: String,
    pub words: usize,
    /// Byte offset in the paragraph.
    pub start: usize,
}

/// Normalises `token` into `out` (an elided article cut off: `l’Italie` is `italie`); false
/// when it is not a content word of `language`.
fn content_word_into(token: &str, out: &mut String, language: &Language) -> bool {
    text::norm_token_into(token, out);
    let elided = language.elision_len(out);
    if elided > 0 {
        out.drain(..elided);
    }
    let letters = out.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || language.is_stopword(out) || out.contains('\\') {
        return false;
    }
    if language.code == "en" {
        return true;
    }
    // English titles and names run through European news ("The Death and …"); a verb with a
    // hyphenated pronoun ("ont-ils", "a-t-il", "trata-se") is no subject.
    let clitic = out
        .rsplit_once('-')
        .is_some_and(|(_, last)| language.is_stopword(last));
    !(lang::ENGLISH.is_stopword(out) || clitic)
}

/// The byte length of the elided article at the start of `token` (`l’` of `l’Italie`).
fn elided_prefix(token: &str, language: &Language) -> usize {
    if language.elisions.is_empty() {
        return 0;
    }
    let lower = token.to_lowercase();
    let cut = language.elision_len(&lower);
    // Lowercasing keeps these prefixes' byte lengths (ASCII letters and an apostrophe).
    if cut > 0 && token.is_char_boundary(cut) {
        cut
    } else {
        0
    }
}

/// A piece of a truncated compound: a word glued to a hyphen at a space ("Bundes- und
/// Landesregierung", "Kinder- und Jugendarzt", "…und -förderung").
fn truncated_compound(paragraph: &str, word: &text::Word) -> bool {
    let hyphen_after = paragraph[word.end..].starts_with('-');
    let hyphen_before = paragraph[..word.start].ends_with('-')
        && paragraph[..word.start - 1]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
    hyphen_after || hyphen_before
}

/// One candidate occurrence as [`for_each_candidate`] reports it: the term, the surface (a
/// slice of the paragraph), the number of words and the byte offset.
pub(crate) struct CandidateRef<'t, 'p> {
    pub(crate) term: &'t str,
    pub(crate) surface: &'p str,
    pub(crate) words: usize,
    pub(crate) start: usize,
}

/// Candidate phrases of an English paragraph: every 1..=3-word window of consecutive content
/// words that are separated only by spaces (no punctuation inside a phrase).
pub fn candidates(paragraph: &str) -> Vec<Candidate> {
    candidates_in(paragraph, &lang::ENGLISH)
}

/// [`candidates`] of a paragraph in `language`.
pub fn candidates_in(paragraph: &str, language: &Language) -> Vec<Candidate> {
    let mut out = Vec::new();
    for_each_candidate(paragraph, language, |c| {
        out.push(Candidate {
            term: c.term.to_string(),
            surface: c.surface.to_string(),
            words: c.words,
            start: c.start,
        })
    });
    out
}

/// [`candidates`] without allocating them: `emit` sees each candidate in the same order.
pub(crate) fn for_each_candidate<'p>(
    paragraph: &'p str,
    language: &Language,
    emit: impl FnMut(CandidateRef<'_, 'p>),
) {
    for_each_candidate_in(paragraph, &text::words(paragraph), language, emit);
}

/// [`for_each_candidate`] with the paragraph's `words` (`text::words(paragraph)`) at hand.
pub(crate) fn for_each_candidate_in<'p>(
    paragraph: &'p str,
    words: &[text::Word],
    language: &Language,
    mut emit: impl FnMut(CandidateRef<'_, 'p>),
) {
    // The current run of content words: (start, end) of each word in the paragraph and of its
    // normalised form in `lowered`.
    let mut run: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut lowered = String::new();
    let mut term = String::new();
    let mut token_lower = String::new();
    let mut flush = |run: &mut Vec<(usize, usize, usize, usize)>, lowered: &mut String| {
        for i in 0..run.len() {
            for n in 1..=MAX_PHRASE_WORDS {
                if i + n > run.len() {
                    break;
                }
                let slice = &run[i..i + n];
                // A phrase does not end inside a name ("Russian President Vladimir" of
                // "Russian President Vladimir Putin").
                let ends_in_name = i + n < run.len()
                    && text::is_capitalised(&paragraph[slice[n - 1].0..slice[n - 1].1])
                    && text::is_capitalised(&paragraph[run[i + n].0..run[i + n].1]);
                if ends_in_name {
                    continue;
                }
                term.clear();
                for (k, &(_, _, lower_start, lower_end)) in slice.iter().enumerate() {
                    if k > 0 {
                        term.push(' ');
                    }
                    term.push_str(&lowered[lower_start..lower_end]);
                }
                let surface = &paragraph[slice[0].0..slice[n - 1].1];
                let surface = surface
                    .strip_suffix("'s")
                    .or_else(|| surface.strip_suffix("’s"))
                    .unwrap_or(surface);
                emit(CandidateRef {
                    term: &term,
                    surface,
                    words: n,
                    start: slice[0].0,
                });
            }
        }
        run.clear();
        lowered.clear();
    };
    for (index, word) in words.iter().enumerate() {
        let token = word.text(paragraph);
        let joined = index > 0 && {
            let gap = &paragraph[words[index - 1].end..word.start];
            gap.bytes().all(|c| c == b' ') && !gap.is_empty()
        };
        // A possessive ends a phrase ("Kim's invitation" is not a phrase).
        let previous_possessive = index > 0 && {
            let previous = words[index - 1].text(paragraph);
            previous.ends_with("'s") || previous.ends_with("’s")
        };
        if !joined || previous_possessive {
            flush(&mut run, &mut lowered);
        }
        let fragment = language.truncated_compounds && truncated_compound(paragraph, word);
        if !fragment && content_word_into(token, &mut token_lower, language) {
            // An elided article starts no phrase and joins none to the word before it.
            let elided = elided_prefix(token, language);
            if elided > 0 {
                flush(&mut run, &mut lowered);
            }
            let lower_start = lowered.len();
            lowered.push_str(&token_lower);
            run.push((word.start + elided, word.end, lower_start, lowered.len()));
        } else {
            flush(&mut run, &mut lowered);
        }
    }
    flush(&mut run, &mut lowered);
}

/// A scored keyphrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyphrase {
    pub text: String,
    pub score: f32,
}

/// The top keyphrases of an English article (title weighs double, lead paragraphs 1.5×).
pub fn extract<'p>(
    title: Option<&'p str>,
    paragraphs: &[&'p str],
    model: Option<&KeywordModel>,
    limit: usize,
) -> Vec<Keyphrase> {
    extract_in(title, paragraphs, model, limit, &lang::ENGLISH)
}

/// [`extract`] for an article in `language`, against that language's background table.
pub fn extract_in<'p>(
    title: Option<&'p str>,
    paragraphs: &[&'p str],
    model: Option<&KeywordModel>,
    limit: usize,
    language: &Language,
) -> Vec<Keyphrase> {
    extract_keeping_candidates_in(title, paragraphs, model, limit, language).0
}

/// What the keyword pass found in an article's paragraphs (not its title), kept for the
/// summary ([`crate::summary::summarize_reusing`]) so it does not tokenise the paragraphs and
/// cut their candidates again.
#[derive(Debug, Default)]
pub struct ArticleCandidates {
    /// Every distinct candidate term of the title and the paragraphs, by id.
    pub(crate) terms: Vec<String>,
    /// One per paragraph, in order.
    pub(crate) paragraphs: Vec<ParagraphCandidates>,
}

/// A paragraph's words (`text::words`) and candidates, as the keyword pass saw them.
#[derive(Debug, Default)]
pub(crate) struct ParagraphCandidates {
    pub(crate) words: Vec<text::Word>,
    /// (byte offset, term id) of each candidate occurrence in the order [`for_each_candidate`]
    /// emits them, so offsets ascending.
    pub(crate) candidates: Vec<(usize, u32)>,
}

/// [`extract_in`], also handing back the paragraphs' words and candidates.
pub fn extract_keeping_candidates_in<'p>(
    title: Option<&'p str>,
    paragraphs: &[&'p str],
    model: Option<&KeywordModel>,
    limit: usize,
    language: &Language,
) -> (Vec<Keyphrase>, ArticleCandidates) {
    struct Stat<'s> {
        id: u32,
        tf: f32,
        count: u32,
        words: usize,
        surfaces: Vec<(&'s str, u32)>,
        first: usize,
    }
    let mut stats: HashMap<String, Stat<'p>, FastState> = HashMap::default();
    let mut kept = ArticleCandidates {
        terms: Vec::new(),
        paragraphs: Vec::with_capacity(paragraphs.len()),
    };
    let mut order = 0usize;
    let sources = title.into_iter().map(|t| (t, 2.0f32, false)).chain(
        paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, if i < 3 { 1.5 } else { 1.0 }, true)),
    );
    for (paragraph, weight, in_body) in sources {
        let words = text::words(paragraph);
        let mut found: Vec<(usize, u32)> = Vec::new();
        for_each_candidate_in(paragraph, &words, language, |candidate| {
            order += 1;
            let id = match stats.get_mut(candidate.term) {
                Some(stat) => {
                    stat.tf += weight;
                    stat.count += 1;
                    match stat
                        .surfaces
                        .iter_mut()
                        .find(|(surface, _)| *surface == candidate.surface)
                    {
                        Some((_, count)) => *count += 1,
                        None => stat.surfaces.push((candidate.surface, 1)),
                    }
                    stat.id
                }
                None => {
                    let id = stats.len() as u32;
                    stats.insert(
                        candidate.term.to_string(),
                        Stat {
                            id,
                            tf: weight,
                            count: 1,
                            words: candidate.words,
                            surfaces: vec![(candidate.surface, 1)],
                            first: order,
                        },
                    );
                    id
                }
            };
            if in_body {
                found.push((candidate.start, id));
            }
        });
        if in_body {
            kept.paragraphs.push(ParagraphCandidates {
                words,
                candidates: found,
            });
        }
    }
    let empty = KeywordModel::default();
    let model = model.unwrap_or(&empty);
    // A shorter phrase mostly used inside a longer one gives way to it ("jong il" → "kim jong il").
    // For each phrase, the highest count of a longer phrase (seen twice or more) containing it.
    // (A window of a term's words, joined by spaces, is the slice of the term it spans.)
    let mut parent_counts: HashMap<&str, u32, FastState> = HashMap::default();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (term, stat) in &stats {
        if stat.words < 2 || stat.count < 2 {
            continue;
        }
        spans.clear();
        let mut start = 0;
        for word in term.split(' ') {
            spans.push((start, start + word.len()));
            start += word.len() + 1;
        }
        for length in 1..spans.len() {
            for window in spans.windows(length) {
                let span = &term[window[0].0..window[length - 1].1];
                let entry = parent_counts.entry(span).or_insert(0);
                *entry = (*entry).max(stat.count);
            }
        }
    }
    let mut scored: Vec<(&str, f32, usize)> = Vec::new();
    for (term, stat) in &stats {
        if stat.words > 1 && stat.count < 2 {
            continue;
        }
        let absorbed = parent_counts
            .get(term.as_str())
            .is_some_and(|parent| (*parent as f32) >= 0.7 * stat.count as f32);
        if absorbed {
            continue;
        }
        let length_boost = 1.0 + 0.3 * (stat.words as f32 - 1.0);
        let score = stat.tf * model.idf(term) * length_boost;
        scored.push((term, score, stat.first));
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    let mut chosen: Vec<(&str, f32)> = Vec::new();
    for (term, score, _) in scored {
        if chosen.len() >= limit {
            break;
        }
        let overlaps = chosen
            .iter()
            .any(|(kept, _)| contains_words(kept, term) || contains_words(term, kept));
        if overlaps {
            continue;
        }
        chosen.push((term, score));
    }
    let keyphrases = chosen
        .into_iter()
        .map(|(term, score)| {
            let display = stats
                .get(term)
                .map(|stat| display_form(term, &stat.surfaces))
                .unwrap_or_else(|| term.to_string());
            Keyphrase {
                text: display,
                score,
            }
        })
        .collect();
    kept.terms = vec![String::new(); stats.len()];
    for (term, stat) in stats {
        kept.terms[stat.id as usize] = term;
    }
    (keyphrases, kept)
}

/// True when the words of `inner` appear contiguously in `outer`.
fn contains_words(outer: &str, inner: &str) -> bool {
    let outer_words: Vec<&str> = outer.split(' ').collect();
    let inner_words: Vec<&str> = inner.split(' ').collect();
    inner_words.len() <= outer_words.len()
        && outer_words
            .windows(inner_words.len())
            .any(|w| w == inner_words.as_slice())
}

/// The phrase as most often written (curly apostrophes straightened).
fn display_form(term: &str, surfaces: &[(&str, u32)]) -> String {
    let best = surfaces
        .iter()
        .min_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    match best {
        Some((surface, _)) => surface.replace('’', "'"),
        None => term.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_round_trip() {
        let bytes = train(
            [
                "the missile defence plan",
                "missile defence\nNorth Korea",
                "a cat",
            ],
            2,
        );
        let model = KeywordModel::from_bytes(&bytes).expect("model");
        assert_eq!(model.docs(), 3);
        assert_eq!(model.terms(), 3);
        assert!(model.idf("missile defence") < model.idf("cat"));
        assert_eq!(
            KeywordModel::from_bytes(b"x").unwrap_err(),
            KeywordModelError::BadHeader
        );
    }

    #[test]
    fn candidates_stop_at_punctuation_and_stopwords() {
        let terms: Vec<String> = candidates("The missile defence system, said Kim's aide.")
            .into_iter()
            .map(|c| c.term)
            .collect();
        assert!(terms.contains(&"missile defence system".to_string()));
        assert!(!terms.iter().any(|t| t.contains("system kim")));
        assert!(!terms.iter().any(|t| t.contains("kim aide")));
    }

    #[test]
    fn phrases_beat_their_parts() {
        let paragraphs = [
            "North Korea tested a missile. North Korea said the missile defence plan was a threat.",
            "The missile defence plan worries North Korea.",
        ];
        let keywords = extract(None, &paragraphs, None, 5);
        let texts: Vec<&str> = keywords.iter().map(|k| k.text.as_str()).collect();
        assert!(texts.contains(&"North Korea"), "{texts:?}");
        assert!(texts.contains(&"missile defence plan"), "{texts:?}");
        assert!(!texts.contains(&"korea"), "{texts:?}");
    }
}
