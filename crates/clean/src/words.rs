//! Repair of joined words ("begana" → "began a", "twoKoreas" → "two Koreas") with a unigram
//! frequency model. Conservative: a token is split only when the joined form is unknown and
//! both parts are common words.

use std::collections::HashMap;

use crate::CleanError;

/// Unigram counts (lowercase words).
#[derive(Debug, Clone, Default)]
pub struct WordModel {
    counts: HashMap<String, u64>,
}

/// Minimum count for a part to count as a common word.
const COMMON: u64 = 50;
/// Short parts must be much more common (function words).
const COMMON_SHORT: u64 = 2_000;
/// Enough for a part next to strong evidence (a camelCase boundary or a function word).
const RARE_OK: u64 = 5;
/// Tenths of a text's words the model must know (count >= [`RARE_OK`]) for it to be repaired.
const ENGLISH_SHARE_TENTHS: usize = 6;

impl WordModel {
    /// Reads `word<TAB>count` lines.
    pub fn from_bytes(bytes: &[u8]) -> Result<WordModel, CleanError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| CleanError::InvalidModel("word list is not utf-8".into()))?;
        let mut counts = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Some((word, count)) = line.split_once('\t') else {
                return Err(CleanError::InvalidModel(format!(
                    "word list line {} is not `word<TAB>count`: {:?}",
                    index + 1,
                    line.chars().take(60).collect::<String>()
                )));
            };
            let count = count
                .trim()
                .parse::<u64>()
                .map_err(|_| CleanError::InvalidModel(format!("bad count in line {line:?}")))?;
            counts.insert(word.to_string(), count);
        }
        if counts.is_empty() {
            return Err(CleanError::InvalidModel("word list is empty".into()));
        }
        Ok(WordModel { counts })
    }

    /// Builds a model from texts (for training): lowercase alphabetic words.
    pub fn count<'a>(texts: impl Iterator<Item = &'a str>, min_count: u64) -> WordModel {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for text in texts {
            for word in text.split(|ch: char| !ch.is_alphabetic() && ch != '\'') {
                let word = word.trim_matches('\'');
                if word.is_empty() {
                    continue;
                }
                *counts.entry(word.to_lowercase()).or_insert(0) += 1;
            }
        }
        counts.retain(|_, count| *count >= min_count);
        WordModel { counts }
    }

    /// Serialises as `word<TAB>count` lines, most frequent first (ties by word).
    pub fn to_text(&self) -> String {
        let mut entries: Vec<(&String, &u64)> = self.counts.iter().collect();
        entries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut out = String::new();
        for (word, count) in entries {
            out.push_str(word);
            out.push('\t');
            out.push_str(&count.to_string());
            out.push('\n');
        }
        out
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn freq(&self, word: &str) -> u64 {
        // ASCII words (nearly all) are lowered without allocating; `to_lowercase` lowers ASCII
        // the same way.
        let count = if !word.is_ascii() {
            self.counts.get(&word.to_lowercase())
        } else if !word.bytes().any(|b| b.is_ascii_uppercase()) {
            self.counts.get(word)
        } else {
            let mut buffer = [0u8; 32];
            match buffer.get_mut(..word.len()) {
                Some(lower) => {
                    lower.copy_from_slice(word.as_bytes());
                    lower.make_ascii_lowercase();
                    std::str::from_utf8(lower)
                        .ok()
                        .and_then(|lower| self.counts.get(lower))
                }
                None => self.counts.get(&word.to_ascii_lowercase()),
            }
        };
        count.copied().unwrap_or(0)
    }

    /// Count of a split part, falling back to its singular ("Koreas" → "korea").
    fn part_freq(&self, part: &str) -> u64 {
        let direct = self.freq(part);
        if direct > 0 || part.chars().count() < 4 {
            return direct;
        }
        part.strip_suffix('s')
            .map(|stem| self.freq(stem))
            .unwrap_or(0)
    }

    /// Count of a word together with its inflected forms and stem ("forge" from "forged" and
    /// "forging", "trusting" with "trust").
    fn lemma_freq(&self, part: &str) -> u64 {
        let direct = self.freq(part);
        if part.chars().count() < 4 {
            return direct;
        }
        let lower = part.to_lowercase();
        let mut forms = vec![
            format!("{lower}s"),
            format!("{lower}d"),
            format!("{lower}ed"),
            format!("{lower}ing"),
        ];
        if let Some(stem) = lower.strip_suffix('e') {
            forms.push(format!("{stem}ing"));
        }
        for suffix in ["ing", "ed", "s"] {
            if let Some(stem) = lower.strip_suffix(suffix) {
                if stem.chars().count() >= 3 {
                    forms.push(stem.to_string());
                    forms.push(format!("{stem}e"));
                }
            }
        }
        direct + forms.iter().map(|form| self.freq(form)).sum::<u64>()
    }

    fn common(&self, word: &str) -> bool {
        let length = word.chars().count();
        let needed = if length <= 2 { COMMON_SHORT } else { COMMON };
        if length == 1 && !matches!(word, "a" | "A" | "I") {
            return false;
        }
        self.freq(word) >= needed
    }

    /// The split of one alphabetic token, when it is a join of two words.
    pub fn split_word(&self, word: &str) -> Option<(String, String)> {
        self.split_word_with(word, false)
    }

    /// `relaxed`: for a text already shown to have join damage, two rarer parts of four or
    /// more letters (or a function word and a rarer word), counting inflected forms, are enough.
    fn split_word_with(&self, word: &str, relaxed: bool) -> Option<(String, String)> {
        let freq = |part: &str| {
            if relaxed {
                self.lemma_freq(part)
            } else {
                self.freq(part)
            }
        };
        if self.counts.is_empty()
            || word.chars().count() < 4
            || !word.chars().all(char::is_alphabetic)
        {
            return None;
        }
        if self.freq(word) > 0 {
            return None;
        }
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        // camelCase: "twoKoreas", "NorthKorean": split at a lower→Upper boundary
        for window in chars.windows(2) {
            let (_, left) = window[0];
            let (at, right) = window[1];
            if left.is_lowercase() && right.is_uppercase() {
                let (first, second) = word.split_at(at);
                if second.chars().skip(1).any(char::is_uppercase) {
                    return None; // "iPhone"-like or acronyms: leave
                }
                if self.freq(first) >= RARE_OK && self.part_freq(second) >= 2 {
                    return Some((first.to_string(), second.to_string()));
                }
                return None;
            }
        }
        if word.chars().skip(1).any(char::is_uppercase) {
            return None;
        }
        // lowercase join: best split where both parts are common
        let mut best: Option<(f64, usize)> = None;
        for &(at, _) in chars.iter().skip(1) {
            let (first, second) = word.split_at(at);
            let function_word = |part: &str| part.chars().count() <= 3 && self.common(part);
            let rare_ok = if relaxed { RARE_OK } else { 4 * RARE_OK };
            let both_common = self.common(first) && self.common(second)
                || (first.chars().count() >= 4
                    && second.chars().count() >= 4
                    && freq(first) >= rare_ok
                    && freq(second) >= rare_ok);
            let function_join = (function_word(first)
                && freq(second) >= RARE_OK
                && second.chars().count() >= 3)
                || (function_word(second) && freq(first) >= RARE_OK && first.chars().count() >= 3);
            if !both_common && !function_join {
                continue;
            }
            // a part known only through its inflections counts as if 20 times rarer
            let weight = |part: &str| {
                let direct = self.freq(part);
                if direct > 0 {
                    (direct as f64).ln()
                } else {
                    (freq(part).max(1) as f64 / 20.0).ln()
                }
            };
            let score = weight(first) + weight(second);
            if best.is_none_or(|(value, _)| score > value) {
                best = Some((score, at));
            }
        }
        let (_, at) = best?;
        let (first, second) = word.split_at(at);
        Some((first.to_string(), second.to_string()))
    }

    /// Repairs every token of a text; returns the text and how many words were split.
    ///
    /// Gated per document: splits are applied only when the text shows join damage (at least
    /// four distinct joined tokens by the strict rules, and at least one in 100 words), so a
    /// clean article with one rare compound is left untouched; in a damaged text the relaxed
    /// rules (rarer parts, inflected forms) apply.
    pub fn repair_text(&self, text: &str) -> (String, u32) {
        if self.counts.is_empty() {
            return (text.to_string(), 0);
        }
        let mut candidates: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut words = 0usize;
        let mut known = 0usize;
        let mut lower = String::new();
        for (word, after_apostrophe) in alphabetic_runs(text) {
            words += 1;
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            if self
                .counts
                .get(lower.as_str())
                .is_some_and(|&count| count >= RARE_OK)
            {
                known += 1;
            }
            if self.split_token(word, after_apostrophe, false).is_some() {
                candidates.insert(word);
            }
        }
        if candidates.len() < 4 || candidates.len() * 100 < words {
            return (text.to_string(), 0);
        }
        // The word model is English: a text whose words are mostly not English words (0.30-0.51
        // known in German, French, Spanish, Italian and Portuguese news, 0.70-0.96 in English)
        // is left as written ("alla" is no "all a", "ajude" no "a jude")
        if known * 10 < words * ENGLISH_SHARE_TENTHS {
            return (text.to_string(), 0);
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut repaired = 0;
        let mut last = 0;
        for (word, after_apostrophe) in alphabetic_runs(text) {
            let start = word.as_ptr() as usize - text.as_ptr() as usize;
            out.push_str(&text[last..start]);
            match self.split_token(word, after_apostrophe, true) {
                Some((first, second)) => {
                    out.push_str(&first);
                    out.push(' ');
                    out.push_str(&second);
                    repaired += 1;
                }
                None => out.push_str(word),
            }
            last = start + word.len();
        }
        out.push_str(&text[last..]);
        let (out, junctions) = self.repair_junctions(&out);
        (out, repaired + junctions)
    }

    /// In a text already shown to have join damage, the same damage at digits and punctuation:
    /// "in1990" → "in 1990", "$50million" → "$50 million", "problems,has" → "problems, has",
    /// "DPRK[North" → "DPRK [North". Only where the letters on the word side are a known word
    /// (so "mp3", "10km", "3rd", "1990s" and "1,000" stay as they are).
    fn repair_junctions(&self, text: &str) -> (String, u32) {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let word_at = |from: usize, forward: bool| -> String {
            let mut letters = Vec::new();
            let mut index = from as isize;
            while index >= 0 && (index as usize) < chars.len() {
                let ch = chars[index as usize].1;
                if !ch.is_ascii_lowercase() {
                    break;
                }
                letters.push(ch);
                index += if forward { 1 } else { -1 };
            }
            if !forward {
                letters.reverse();
            }
            // a word that goes on into capitals or digits is not a plain word
            let edge = index >= 0 && (index as usize) < chars.len();
            if edge && chars[index as usize].1.is_alphanumeric() {
                return String::new();
            }
            letters.into_iter().collect()
        };
        let known = |word: &str, least: usize| word.len() >= least && self.freq(word) >= RARE_OK;
        let mut out = String::with_capacity(text.len() + 8);
        let mut repaired = 0;
        for (position, &(_, ch)) in chars.iter().enumerate() {
            if position > 0 {
                let previous = chars[position - 1].1;
                let gap = if previous.is_ascii_lowercase() && ch.is_ascii_digit() {
                    // "in1990": a known word, then a number of two or more digits
                    let digits = chars[position..]
                        .iter()
                        .take_while(|(_, c)| c.is_ascii_digit())
                        .count();
                    let after = chars.get(position + digits).map(|&(_, c)| c);
                    digits >= 2
                        && after.is_none_or(|c| !c.is_alphanumeric())
                        && known(&word_at(position - 1, false), 2)
                } else if previous.is_ascii_digit() && ch.is_ascii_lowercase() {
                    // "$50million", "G-8meeting": a number, then a known word of 4+ letters
                    known(&word_at(position, true), 4)
                } else if matches!(previous, ',' | ';')
                    && ch.is_ascii_lowercase()
                    && position >= 2
                    && chars[position - 2].1.is_ascii_lowercase()
                {
                    // "problems,has": two known words around a comma
                    known(&word_at(position - 2, false), 2) && known(&word_at(position, true), 2)
                } else {
                    // "DPRK[North": a bracket opened right after a word
                    ch == '[' && previous.is_alphabetic()
                };
                if gap {
                    out.push(' ');
                    repaired += 1;
                }
            }
            out.push(ch);
        }
        (out, repaired)
    }

    fn split_token(
        &self,
        word: &str,
        after_apostrophe: bool,
        relaxed: bool,
    ) -> Option<(String, String)> {
        if after_apostrophe {
            // "North’smissile" -> "North’s missile"
            let rest = word.strip_prefix('s')?;
            if self.freq(word) == 0 && rest.chars().count() >= 3 && self.freq(rest) >= 4 * RARE_OK {
                return Some(("s".to_string(), rest.to_string()));
            }
            return None;
        }
        self.split_word_with(word, relaxed)
    }
}

/// Maximal alphabetic runs, each with whether it directly follows an apostrophe. Runs glued to
/// digits are skipped.
fn alphabetic_runs(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut previous: Option<char> = None;
    let mut before_start: Option<char> = None;
    for (index, ch) in text.char_indices() {
        if ch.is_alphabetic() {
            if start.is_none() {
                start = Some(index);
                before_start = previous;
            }
        } else if let Some(begin) = start.take() {
            if !ch.is_ascii_digit() && !before_start.is_some_and(|c| c.is_ascii_digit()) {
                out.push((
                    &text[begin..index],
                    matches!(before_start, Some('’' | '\'')),
                ));
            }
        }
        previous = Some(ch);
    }
    if let Some(begin) = start {
        if !before_start.is_some_and(|c| c.is_ascii_digit()) {
            out.push((&text[begin..], matches!(before_start, Some('’' | '\''))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> WordModel {
        let mut counts = HashMap::new();
        for (word, count) in [
            ("began", 500),
            ("a", 90_000),
            ("two", 5_000),
            ("koreas", 60),
            ("north", 3_000),
            ("korean", 900),
            ("the", 100_000),
            ("heels", 80),
            ("to", 80_000),
            ("begin", 400),
            ("mend", 6),
            ("strained", 9),
            ("forged", 5),
            ("forging", 4),
            ("again", 2_000),
            ("gain", 300),
            ("he", 20_000),
            ("trip", 200),
            ("ties", 150),
            ("and", 60_000),
            ("links", 120),
            ("on", 30_000),
            ("of", 70_000),
            ("ports", 60),
            ("all", 20_000),
            ("not", 20_000),
            ("stamp", 300),
            ("form", 900),
        ] {
            counts.insert(word.to_string(), count);
        }
        WordModel { counts }
    }

    #[test]
    fn junctions_at_digits_and_punctuation_are_split_only_beside_known_words() {
        let mut model = model();
        for (word, count) in [
            ("in", 50_000),
            ("million", 800),
            ("meeting", 700),
            ("problems", 300),
            ("has", 20_000),
        ] {
            model.counts.insert(word.to_string(), count);
        }
        let (out, count) =
            model.repair_junctions("in1990 $50million G-8meeting problems,has DPRK[North");
        assert_eq!(
            out,
            "in 1990 $50 million G-8 meeting problems, has DPRK [North"
        );
        assert_eq!(count, 5);
        let kept = "mp3 10km 3rd 1990s 1,000 the2x Koreas,North a,b";
        assert_eq!(model.repair_junctions(kept).0, kept);
    }

    #[test]
    fn text_that_is_mostly_not_english_is_left_as_written() {
        let model = model();
        // each of these Italian words splits into two English ones on its own...
        for word in ["alla", "stampa", "forma", "nota"] {
            assert!(model.split_word(word).is_some(), "{word}");
        }
        // ...but an Italian text is not English with joined words
        let italian = "Secondo la nota della società, alla stampa serve una forma nuova: \
                       nota anche alla redazione, la stampa in forma digitale.";
        assert_eq!(model.repair_text(italian), (italian.to_string(), 0));
    }

    #[test]
    fn splits_joins_and_leaves_known_words() {
        let model = model();
        assert_eq!(
            model.split_word("begana"),
            Some(("began".into(), "a".into()))
        );
        assert_eq!(
            model.split_word("twoKoreas"),
            Some(("two".into(), "Koreas".into()))
        );
        assert_eq!(
            model.split_word("NorthKorean"),
            Some(("North".into(), "Korean".into()))
        );
        assert_eq!(
            model.split_word("theheels"),
            Some(("the".into(), "heels".into()))
        );
        assert_eq!(model.split_word("again"), None);
        assert_eq!(model.split_word("iPhone"), None);
        // rare parts are not enough on their own...
        assert_eq!(model.split_word("mendstrained"), None);
        assert_eq!(model.split_word("toforge"), None);
        // ...but are in a text with join damage
        let (text, count) = model.repair_text(
            "He begana trip toforge ties and mendstrained links on theheels of the twoKoreas and NorthKorean ports.",
        );
        assert_eq!(
            text,
            "He began a trip to forge ties and mend strained links on the heels of the two Koreas and North Korean ports."
        );
        assert_eq!(count, 6);
        // one join alone is not enough evidence of join damage
        let (text, count) = model.repair_text("He begana trip.");
        assert_eq!((text.as_str(), count), ("He begana trip.", 0));
    }
}
