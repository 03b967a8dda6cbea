//! Same-story detection, pure part: a compact fingerprint of an article and two comparisons.
//!
//! - `near_duplicate`: MinHash (64 hashes) of lowercase word 4-shingles of the body; the share
//!   of equal hashes estimates the Jaccard similarity of the shingle sets.
//! - `same_story`: Jaccard similarity of the article leads: the sets of the first
//!   `LEAD_WORDS` distinct content words (title, then body; stopwords and numbers left out).
//!   News puts the event in the lead, so two reports of one event share many of those words
//!   (names, places, what happened); articles about the same people in another event share
//!   only the general ones. Measured with `newsflow eval stories` (seeds as whole texts):
//!   the lead sets score the same-story seed pairs 0.449 and 0.242 and the other pairs at most
//!   0.124; whole-body word sets gave 0.281 / 0.179 vs 0.125, and cosine of keyphrase and
//!   entity vectors scored every seed pair alike (0.62-0.86: all share Putin, Kim, North Korea).
//!   The score is zero when both articles carry publication dates more than a week apart.
//! - Across languages (both records' `language` known and different): the lead words of a
//!   French and an English report of one event are different words, so the score is also the
//!   [`anchors::cross_language_score`] of their names, places and figures, when a fingerprint
//!   was made with an [`AnchorModel`] ([`fingerprint_with`]) and both publication dates are
//!   known and at most [`CROSS_LANGUAGE_MAX_DAYS_APART`] days apart (a language-independent
//!   signal is weaker than shared words, so the time window is narrower).

use crate::anchors::{self, Anchor, AnchorModel};
use crate::text;
use newsflow_model::Record;
use serde::{Deserialize, Serialize};

/// Number of MinHash values.
pub const MINHASH_SIZE: usize = 64;
/// Words per shingle.
pub const SHINGLE_WORDS: usize = 4;
/// Distinct content words that make up an article's lead set.
pub const LEAD_WORDS: usize = 100;
/// `same_story` score at or above which two articles are the same story. Chosen by measurement
/// (`newsflow eval stories`): the best F1 on one half of the labelled BBC pairs was at 0.21, and
/// 0.20 sits between the seeds' different-story pairs (<= 0.124) and same-story pairs (>= 0.242).
pub const SAME_STORY_THRESHOLD: f32 = 0.20;
/// Estimated shingle Jaccard at or above which two articles are near-duplicates.
pub const NEAR_DUPLICATE_THRESHOLD: f32 = 0.5;
/// Publication dates further apart than this (days) mean different stories.
pub const MAX_DAYS_APART: i64 = 7;
/// Across languages, publication dates further apart than this (days) mean different stories.
pub const CROSS_LANGUAGE_MAX_DAYS_APART: i64 = 2;

/// Hand-checked same-story pairs of the shared BBC corpus (`topic/NNN.txt` names), one per
/// line: `doc_a<TAB>doc_b<TAB>label<TAB>source`, label 1 = same story, 0 = a related but
/// different story. Used by `newsflow eval stories`; documents named here are left out of the
/// keyword background model.
pub const BBC_STORY_PAIRS: &str = include_str!("../data/bbc_story_pairs.tsv");

/// A labelled pair from [`BBC_STORY_PAIRS`].
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPair {
    pub a: String,
    pub b: String,
    pub same: bool,
    pub source: String,
}

/// The labelled pairs of [`BBC_STORY_PAIRS`].
pub fn labelled_pairs() -> Vec<LabelledPair> {
    BBC_STORY_PAIRS
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let a = fields.next()?.to_string();
            let b = fields.next()?.to_string();
            let same = fields.next()? == "1";
            let source = fields.next().unwrap_or("").to_string();
            Some(LabelledPair { a, b, same, source })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryFingerprint {
    /// MinHash of body shingles (empty for an empty body).
    pub minhash: Vec<u32>,
    /// Hashes of the lead's distinct content words, sorted.
    pub words: Vec<u32>,
    /// Publication date as days since 1970-01-01, when known.
    pub day: Option<i64>,
    /// True when `day` is only known to the month.
    #[serde(default)]
    pub month_only: bool,
    /// The record's detected language (ISO 639-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Names, places and figures of the lead, sorted by hash (empty without an anchor model).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anchors: Vec<Anchor>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_extend(FNV_OFFSET, bytes)
}

/// FNV-1a continued over more bytes: `fnv1a_extend(fnv1a(a), b) == fnv1a(a ++ b)`.
fn fnv1a_extend(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

const fn mix(mut value: u64) -> u64 {
    value ^= value >> 30;
    value = value.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value ^= value >> 27;
    value = value.wrapping_mul(0x94d0_49bb_1331_11eb);
    value ^ (value >> 31)
}

/// The MinHash functions: function `i` maps a shingle's mixed hash `h` to the top 32 bits of
/// `h * multiplier + addend` (multiply-add-shift), so a shingle costs one mix and 64
/// multiply-adds rather than 64 mixes. Odd multipliers from `mix(i + 1)`, addends from
/// `mix(i + 1 + MINHASH_SIZE)`.
const MINHASH_FUNCTIONS: [(u64, u64); MINHASH_SIZE] = {
    let mut functions = [(0u64, 0u64); MINHASH_SIZE];
    let mut index = 0;
    while index < MINHASH_SIZE {
        functions[index] = (
            mix(index as u64 + 1) | 1,
            mix((index + 1 + MINHASH_SIZE) as u64),
        );
        index += 1;
    }
    functions
};

fn minhash(body: &str) -> Vec<u32> {
    // Normalised tokens, one after another in `arena`; token k is arena[ends[k-1]..ends[k]].
    let mut arena = String::with_capacity(body.len());
    let mut ends: Vec<usize> = Vec::new();
    let mut token = String::new();
    for word in text::words(body) {
        text::norm_token_into(word.text(body), &mut token);
        arena.push_str(&token);
        ends.push(arena.len());
    }
    if ends.is_empty() {
        return Vec::new();
    }
    let token_at = |k: usize| -> &[u8] {
        let start = if k == 0 { 0 } else { ends[k - 1] };
        &arena.as_bytes()[start..ends[k]]
    };
    let mut mins = [u32::MAX; MINHASH_SIZE];
    let width = SHINGLE_WORDS.min(ends.len());
    for first in 0..=ends.len() - width {
        // FNV-1a of the window's tokens joined by single spaces.
        let mut shingle = fnv1a_extend(FNV_OFFSET, token_at(first));
        for k in first + 1..first + width {
            shingle = fnv1a_extend(shingle, b" ");
            shingle = fnv1a_extend(shingle, token_at(k));
        }
        let mixed = mix(shingle);
        for (slot, (multiplier, addend)) in mins.iter_mut().zip(MINHASH_FUNCTIONS) {
            let value = (mixed.wrapping_mul(multiplier).wrapping_add(addend) >> 32) as u32;
            *slot = (*slot).min(value);
        }
    }
    mins.to_vec()
}

/// Days since 1970-01-01 for an ISO date prefix (`YYYY-MM-DD` or `YYYY-MM`).
fn day_number(iso: &str) -> Option<(i64, bool)> {
    let year: i64 = iso.get(0..4)?.parse().ok()?;
    let month: i64 = iso.get(5..7)?.parse().ok()?;
    let (day, month_only) = match iso.get(8..10).and_then(|d| d.parse::<i64>().ok()) {
        Some(day) => (day, false),
        None => (15, true),
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468, month_only))
}

/// Adds the hashes of `text_in`'s content words not seen yet, up to `LEAD_WORDS` in all.
fn add_lead_words(text_in: &str, seen: &mut Vec<u32>) {
    let mut token = String::new();
    for word in text::words(text_in) {
        if seen.len() >= LEAD_WORDS {
            return;
        }
        text::norm_token_into(word.text(text_in), &mut token);
        let starts_with_letter = token.chars().next().is_some_and(char::is_alphabetic);
        if token.chars().count() > 2 && starts_with_letter && !text::is_stopword(&token) {
            let hash = (mix(fnv1a(token.as_bytes())) >> 32) as u32;
            if !seen.contains(&hash) {
                seen.push(hash);
            }
        }
    }
}

/// The fingerprint of a record (uses title, body and published) without anchors: it joins
/// articles of one language only.
pub fn fingerprint(record: &Record) -> StoryFingerprint {
    fingerprint_with(record, None)
}

/// The fingerprint of a record (uses title, body, published and language), with the anchors
/// of its lead when an anchor model is given.
pub fn fingerprint_with(record: &Record, anchor_model: Option<&AnchorModel>) -> StoryFingerprint {
    let mut words = Vec::with_capacity(LEAD_WORDS);
    if let Some(title) = &record.title {
        add_lead_words(title, &mut words);
    }
    add_lead_words(&record.body, &mut words);
    words.sort_unstable();
    let date = record.published.as_deref().and_then(day_number);
    StoryFingerprint {
        minhash: minhash(&record.body),
        words,
        day: date.map(|(day, _)| day),
        month_only: date.is_some_and(|(_, month_only)| month_only),
        language: record.language.clone(),
        anchors: anchor_model
            .map(|model| anchors::anchors(record.title.as_deref(), &record.body, model))
            .unwrap_or_default(),
    }
}

/// True when both languages are known and differ.
fn languages_differ(a: &StoryFingerprint, b: &StoryFingerprint) -> bool {
    matches!((&a.language, &b.language), (Some(x), Some(y)) if x != y)
}

/// The anchor score of two articles in different languages (0 for one language, for unknown
/// or distant dates, or without anchors).
pub fn cross_language_similarity(a: &StoryFingerprint, b: &StoryFingerprint) -> f32 {
    if a.anchors.is_empty() || b.anchors.is_empty() || !languages_differ(a, b) {
        return 0.0;
    }
    match (a.day, b.day) {
        (Some(x), Some(y)) if !a.month_only && !b.month_only => {
            if (x - y).abs() > CROSS_LANGUAGE_MAX_DAYS_APART {
                return 0.0;
            }
        }
        _ => return 0.0,
    }
    anchors::cross_language_score(&a.anchors, &b.anchors)
}

/// Jaccard similarity of the two lead word sets (0 when either is empty).
pub fn word_similarity(a: &StoryFingerprint, b: &StoryFingerprint) -> f32 {
    if a.words.is_empty() || b.words.is_empty() {
        return 0.0;
    }
    jaccard(a, b, shared_sorted(&a.words, &b.words))
}

/// Values common to two sorted lists without repeats (a branch-free merge).
fn shared_sorted(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        both += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    both
}

/// Estimated Jaccard similarity of the two bodies' shingle sets (0 when either is empty).
pub fn shingle_similarity(a: &StoryFingerprint, b: &StoryFingerprint) -> f32 {
    if a.minhash.is_empty() || a.minhash.len() != b.minhash.len() {
        return 0.0;
    }
    let equal: u32 = a
        .minhash
        .iter()
        .zip(&b.minhash)
        .map(|(x, y)| u32::from(x == y))
        .sum();
    equal as f32 / a.minhash.len() as f32
}

/// True when both dates are known and too far apart for one story.
fn dates_apart(a: &StoryFingerprint, b: &StoryFingerprint) -> bool {
    match (a.day, b.day) {
        (Some(x), Some(y)) => {
            let slack = if a.month_only || b.month_only { 31 } else { 0 };
            (x - y).abs() > MAX_DAYS_APART + slack
        }
        _ => false,
    }
}

/// How likely the two articles report the same story, 0..1.
pub fn same_story(a: &StoryFingerprint, b: &StoryFingerprint) -> f32 {
    if dates_apart(a, b) {
        return 0.0;
    }
    word_similarity(a, b)
        .max(shingle_similarity(a, b))
        .max(cross_language_similarity(a, b))
}

/// True when the two bodies are (nearly) the same text.
pub fn near_duplicate(a: &StoryFingerprint, b: &StoryFingerprint) -> bool {
    shingle_similarity(a, b) >= NEAR_DUPLICATE_THRESHOLD
}

/// `(same_story(a, b), near_duplicate(a, b))` with the shingles compared once.
pub fn compare(a: &StoryFingerprint, b: &StoryFingerprint) -> (f32, bool) {
    let shingles = shingle_similarity(a, b);
    let near = shingles >= NEAR_DUPLICATE_THRESHOLD;
    if dates_apart(a, b) {
        return (0.0, near);
    }
    (
        word_similarity(a, b)
            .max(shingles)
            .max(cross_language_similarity(a, b)),
        near,
    )
}

/// [`compare`] when the number of lead words the two share is already known (e.g. counted
/// through an index); `shared` must be what a merge of the two word lists counts.
pub fn compare_counted(a: &StoryFingerprint, b: &StoryFingerprint, shared: usize) -> (f32, bool) {
    let shingles = shingle_similarity(a, b);
    let near = shingles >= NEAR_DUPLICATE_THRESHOLD;
    if dates_apart(a, b) {
        return (0.0, near);
    }
    (
        jaccard(a, b, shared)
            .max(shingles)
            .max(cross_language_similarity(a, b)),
        near,
    )
}

fn jaccard(a: &StoryFingerprint, b: &StoryFingerprint, both: usize) -> f32 {
    lead_word_jaccard(a.words.len(), b.words.len(), both)
}

/// The lead-word Jaccard similarity of two fingerprints with `a` and `b` lead words of which
/// `both` are shared: what [`word_similarity`] and [`compare_counted`] score.
pub fn lead_word_jaccard(a: usize, b: usize, both: usize) -> f32 {
    if a == 0 || b == 0 {
        return 0.0;
    }
    let union = a + b - both;
    both as f32 / union.max(1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsflow_model::Format;

    fn record(body: &str, keywords: &[&str], published: Option<&str>) -> Record {
        let mut record = Record::new("id".into(), "a.txt".into(), "t".into(), Format::Txt);
        record.body = body.into();
        record.keywords = Some(keywords.iter().map(|k| k.to_string()).collect());
        record.published = published.map(str::to_string);
        record
    }

    #[test]
    fn labelled_pairs_parse() {
        let pairs = labelled_pairs();
        assert_eq!(pairs.len(), 113);
        assert_eq!(pairs.iter().filter(|p| p.same).count(), 88);
    }

    #[test]
    fn days() {
        assert_eq!(day_number("1970-01-01"), Some((0, false)));
        assert_eq!(day_number("2000-03-01"), Some((11017, false)));
        assert_eq!(day_number("2001-08"), Some((11549, true)));
    }

    #[test]
    fn duplicates_and_dates() {
        let body = "The quick brown fox jumps over the lazy dog near the river bank today";
        let a = fingerprint(&record(body, &["fox", "lazy dog"], Some("2023-09-14")));
        let b = fingerprint(&record(
            body,
            &["fox", "lazy dog"],
            Some("2023-09-15T10:00:00Z"),
        ));
        let c = fingerprint(&record(body, &["fox", "lazy dog"], Some("2000-07-19")));
        let d = fingerprint(&record(
            "Entirely different words about markets and stocks falling",
            &["stocks"],
            None,
        ));
        assert!(near_duplicate(&a, &b));
        assert!(same_story(&a, &b) > 0.99);
        assert_eq!(same_story(&a, &c), 0.0);
        assert!(!near_duplicate(&a, &d));
        assert!(same_story(&a, &d) < 0.1);
        let json = serde_json::to_string(&a).expect("json");
        assert_eq!(
            serde_json::from_str::<StoryFingerprint>(&json).expect("back"),
            a
        );
    }
}
