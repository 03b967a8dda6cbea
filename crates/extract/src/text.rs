//! Shared text helpers: word tokens with byte offsets, sentence splitting, stopwords.

use crate::lang::{self, Language};
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// A fast, non-cryptographic hasher (FxHash-style) for in-memory maps of words, phrases and
/// ids that come from our own pipeline, not from an adversary choosing collisions (their
/// iteration order never reaches the output). Also used by the pipeline's story log.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

const FAST_K: u64 = 0xf135_7aea_2e62_a9c5;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(FAST_K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
    }
    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }
    #[inline]
    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }
    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }
    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
}

/// `HashMap<K, V, FastState>` hashes with [`FastHasher`].
pub type FastState = BuildHasherDefault<FastHasher>;

/// A word token: a maximal run of alphanumerics, inner apostrophes, hyphens and dots between
/// letters (so `U.S.`, `Hong-san` and `don't` are single tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
}

impl Word {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

fn is_joiner(ch: char) -> bool {
    matches!(ch, '\'' | '’' | '-' | '.' | '&')
}

/// Word tokens of `text` with byte offsets.
pub fn words(text: &str) -> Vec<Word> {
    let bytes = text.as_bytes();
    // The char at byte offset `pos` (always a char boundary here) and its length.
    let at = |pos: usize| -> Option<(char, usize)> {
        let byte = *bytes.get(pos)?;
        if byte.is_ascii() {
            Some((char::from(byte), 1))
        } else {
            text.get(pos..)?.chars().next().map(|c| (c, c.len_utf8()))
        }
    };
    let alphanumeric = |c: char| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        }
    };
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((ch, len)) = at(pos) {
        if !alphanumeric(ch) {
            pos += len;
            continue;
        }
        let start = pos;
        let mut end = pos + len;
        loop {
            match at(end) {
                Some((c, l)) if alphanumeric(c) => end += l,
                // A joiner followed by an alphanumeric continues the word.
                Some((c, l)) if is_joiner(c) => match at(end + l) {
                    Some((after, l2)) if alphanumeric(after) => end += l + l2,
                    _ => break,
                },
                _ => break,
            }
        }
        // A trailing dot after single letters (`U.S.`, `N.`) belongs to the abbreviation.
        if bytes.get(end) == Some(&b'.') {
            let body = &text[start..end];
            let single_letters = body.split('.').all(|part| part.chars().count() <= 1);
            if single_letters && body.chars().next().is_some_and(char::is_uppercase) {
                end += 1;
            }
        }
        out.push(Word { start, end });
        pos = end;
    }
    out
}

/// Lowercase form of a token for counting: possessive `'s` removed, curly apostrophes straightened.
pub fn norm_token(token: &str) -> String {
    let mut lower = String::with_capacity(token.len());
    norm_token_into(token, &mut lower);
    lower
}

/// [`norm_token`] into a reused buffer (cleared first).
pub fn norm_token_into(token: &str, out: &mut String) {
    out.clear();
    if token.is_ascii() {
        out.push_str(token);
        out.make_ascii_lowercase();
    } else {
        // `str::to_lowercase` (not per char): it knows the word-final sigma.
        out.extend(
            token
                .to_lowercase()
                .chars()
                .map(|c| if c == '’' { '\'' } else { c }),
        );
    }
    if out.ends_with("'s") {
        out.truncate(out.len() - 2);
    }
}

/// Abbreviations after which a dot does not end an English sentence.
pub(crate) const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "col", "lt", "sgt", "capt", "rep",
    "sen", "gov", "pres", "rev", "hon", "no", "vs", "inc", "ltd", "co", "corp", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "e.g",
    "i.e", "etc", "approx", "dept", "est", "fig", "vol", "op",
];

/// Sentence spans (byte ranges) of one English paragraph.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    sentences_in(text, &lang::ENGLISH)
}

/// Closing marks swallowed after a sentence's end (English keeps its old set).
fn closes_sentence(ch: char, language: &Language) -> bool {
    matches!(ch, '"' | '”' | '’' | '\'' | ')')
        || (language.code != "en" && matches!(ch, '»' | '«' | '“' | '‘'))
}

/// Marks that may open a sentence (English keeps its old set).
fn opens_sentence(ch: char, language: &Language) -> bool {
    matches!(ch, '"' | '“' | '‘' | '(')
        || (language.code != "en" && matches!(ch, '¿' | '¡' | '«' | '»' | '„' | '‚' | '–' | '—'))
}

/// Sentence spans (byte ranges) of one paragraph in `language`: a dot after one of its
/// abbreviations ("z. B.", "Dr.", "M.", "Sr.", "ca.") or, in German and Dutch, after an
/// ordinal number ("am 3. Oktober") does not end a sentence.
pub fn sentences_in(text: &str, language: &Language) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut index = 0;
    while index < chars.len() {
        let (offset, ch) = chars[index];
        if matches!(ch, '.' | '!' | '?') {
            // Swallow closing quotes and brackets after the mark.
            let mut end_index = index + 1;
            while end_index < chars.len() && closes_sentence(chars[end_index].1, language) {
                end_index += 1;
            }
            let end = chars.get(end_index).map(|(o, _)| *o).unwrap_or(text.len());
            let followed_by_space = end_index >= chars.len() || chars[end_index].1.is_whitespace();
            let next_starts_sentence = {
                let mut look = end_index;
                while look < chars.len() && chars[look].1.is_whitespace() {
                    look += 1;
                }
                look >= chars.len()
                    || chars[look].1.is_uppercase()
                    || chars[look].1.is_numeric()
                    || opens_sentence(chars[look].1, language)
            };
            let is_break = followed_by_space
                && next_starts_sentence
                && !(ch == '.' && is_abbreviation(text, offset, end, language));
            if is_break {
                if text[start..end].trim().chars().any(char::is_alphanumeric) {
                    out.push(trim_span(text, start, end));
                }
                start = end;
            }
            index = end_index.max(index + 1);
            continue;
        }
        let _ = offset;
        index += 1;
    }
    if text[start..].trim().chars().any(char::is_alphanumeric) {
        out.push(trim_span(text, start, text.len()));
    }
    out
}

fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let slice = &text[start..end];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    (start + lead, end - trail)
}

/// True when the dot at `dot` ends an abbreviation (or an ordinal) of `language` rather than
/// a sentence; `after` is where the text after the dot (and its closing marks) starts.
fn is_abbreviation(text: &str, dot: usize, after: usize, language: &Language) -> bool {
    let before = &text[..dot];
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect();
    if word.is_empty() {
        return false;
    }
    let lower = word.to_lowercase();
    if language.is_abbreviation(&lower) {
        return true;
    }
    // Single capital letters and dotted initials (`U.S`, `J`, `W`) are abbreviations; outside
    // English single lowercase letters too (`z. B.`, `d. h.`, `p. ex.`).
    let parts: Vec<&str> = word.split('.').collect();
    let initials = parts.iter().all(|part| part.chars().count() <= 1)
        && word.chars().next().is_some_and(|c| {
            c.is_uppercase() || (language.lowercase_initials && c.is_alphabetic())
        });
    if initials {
        return true;
    }
    // An ordinal ("am 3. Oktober", "im 19. Jahrhundert"): up to three digits, and the next
    // word is no function word ("… auf Platz 3. Dann …" ends a sentence).
    if language.ordinal_dots && word.len() <= 3 && word.bytes().all(|b| b.is_ascii_digit()) {
        let next: String = text[after..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        return !next.is_empty() && !language.is_stopword(&next.to_lowercase());
    }
    false
}

/// English function words that never start or end a keyphrase.
pub const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "all",
    "almost",
    "along",
    "already",
    "also",
    "although",
    "always",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "anyone",
    "anything",
    "are",
    "around",
    "as",
    "at",
    "back",
    "be",
    "became",
    "because",
    "become",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "during",
    "each",
    "either",
    "else",
    "enough",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "last",
    "later",
    "least",
    "less",
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "near",
    "need",
    "never",
    "new",
    "next",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "others",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "per",
    "perhaps",
    "put",
    "rather",
    "said",
    "same",
    "say",
    "says",
    "see",
    "seen",
    "several",
    "shall",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "told",
    "too",
    "took",
    "toward",
    "towards",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "use",
    "used",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "year",
    "years",
    "week",
    "weeks",
    "day",
    "days",
    "time",
    "first",
    "three",
    "four",
    "five",
    "going",
    "way",
    "make",
    "take",
    "told",
    "says",
    "saying",
    "according",
    "added",
    "including",
    "told",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tomorrow",
    "mr",
    "mrs",
    "ms",
    "dr",
    "s",
    "t",
    "don't",
    "it's",
    "i'm",
    "can't",
    "won't",
    "didn't",
    "doesn't",
    "isn't",
    "wasn't",
    "aren't",
    "also",
    "there's",
    "that's",
    "he's",
    "she's",
    "we're",
    "they're",
    "i've",
    "we've",
    "you're",
    "let",
    "lot",
    "lots",
    "thing",
    "things",
    "something",
    "really",
    "quite",
    "around",
    "top",
    "set",
    "go",
    "come",
    "came",
    "went",
    "want",
    "told",
    "look",
    "good",
    "great",
    "big",
    "small",
    "well",
    "high",
    "low",
    "long",
    "old",
    "part",
    "end",
    "number",
    "second",
    "third",
];

static STOPWORD_SET: LazyLock<HashSet<&'static str, FastState>> =
    LazyLock::new(|| STOPWORDS.iter().copied().collect());

pub fn is_stopword(lower: &str) -> bool {
    STOPWORD_SET.contains(lower)
}

/// True when a token looks like a capitalised name part (`Putin`, `U.S.`, `Hong-san`).
pub fn is_capitalised(token: &str) -> bool {
    token.chars().next().is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The previous implementation (a `Vec` of all chars), kept to check the faster one.
    fn words_reference(text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut index = 0;
        while index < chars.len() {
            let (start, ch) = chars[index];
            if !ch.is_alphanumeric() {
                index += 1;
                continue;
            }
            let mut end_index = index + 1;
            loop {
                if end_index < chars.len() && chars[end_index].1.is_alphanumeric() {
                    end_index += 1;
                    continue;
                }
                // A joiner followed by an alphanumeric continues the word.
                if end_index + 1 < chars.len()
                    && is_joiner(chars[end_index].1)
                    && chars[end_index + 1].1.is_alphanumeric()
                {
                    end_index += 2;
                    continue;
                }
                break;
            }
            // A trailing dot after single letters (`U.S.`, `N.`) belongs to the abbreviation.
            let mut end = chars
                .get(end_index)
                .map(|(offset, _)| *offset)
                .unwrap_or(text.len());
            if end_index < chars.len() && chars[end_index].1 == '.' {
                let body = &text[start..end];
                let single_letters = body.split('.').all(|part| part.chars().count() <= 1);
                if single_letters && body.chars().next().is_some_and(char::is_uppercase) {
                    end += 1;
                    end_index += 1;
                }
            }
            out.push(Word { start, end });
            index = end_index;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn words_match_the_char_vector_version(text in "[a-zA-Z0-9 .,'’&\\-éÉß\u{3a3}\u{2019}\u{1F600}\u{0301}]{0,60}") {
            proptest::prop_assert_eq!(words(&text), words_reference(&text));
        }
    }

    proptest::proptest! {
        #[test]
        fn norm_token_matches_lowercase_and_replace(token in "[a-zA-Z'’sS\u{3a3}\u{130}ÉΣς]{0,12}") {
            let mut expected = token.to_lowercase().replace('’', "'");
            if let Some(stripped) = expected.strip_suffix("'s") {
                expected = stripped.to_string();
            }
            proptest::prop_assert_eq!(norm_token(&token), expected);
        }
    }

    #[test]
    fn words_match_on_tricky_text() {
        for text in [
            "U.S. N. Korea's Hong-san’s x.y. É.U. A.B",
            "a-'b .. 'x- 12.5 ÉTÉ's",
            "",
            "-.",
            "Z.",
        ] {
            assert_eq!(words(text), words_reference(text), "{text}");
        }
    }

    #[test]
    fn words_keep_abbreviations_and_hyphens() {
        let text = "The U.S. and N. Korea, said Chon Hong-san's aide.";
        let tokens: Vec<&str> = words(text).iter().map(|w| w.text(text)).collect();
        assert_eq!(
            tokens,
            vec![
                "The",
                "U.S.",
                "and",
                "N.",
                "Korea",
                "said",
                "Chon",
                "Hong-san's",
                "aide"
            ]
        );
    }

    #[test]
    fn sentences_skip_abbreviations() {
        let text = "U.S. President George W. Bush spoke. Mr. Kim left! \"Why?\" he asked.";
        let spans: Vec<&str> = sentences(text).iter().map(|(s, e)| &text[*s..*e]).collect();
        assert_eq!(
            spans,
            vec![
                "U.S. President George W. Bush spoke.",
                "Mr. Kim left!",
                "\"Why?\" he asked."
            ]
        );
    }
}
