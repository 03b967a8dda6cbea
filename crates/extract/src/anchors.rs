//! Story anchors: what two reports of one event share whatever their language.
//!
//! Same-story matching within a language compares lead words (`story`); an article in French
//! and one in English about the same event share almost none. What they do share are names and
//! numbers: the places (spelt "Allemagne", "Deutschland" or "Germany", one id through the
//! gazetteer of the [`AnchorModel`]), the people and organisations (a capitalised word inside a
//! sentence, written alike in the Latin-script languages: "Netanyahu", "Hamas", "Ciarán"
//! and "Ciaran" after accents are folded) and the figures ("1,400", "1.400" and "1 400" are one
//! number; years and numbers under 100 are left out, they are in every article).
//!
//! Each anchor carries its inverse document frequency in the model's background texts, so a
//! rare place ("Jabalia") weighs more than a country every article of a war names ("Israel").
//! [`cross_language_score`] is the weight two articles' anchors share, over the smaller of the
//! two totals. Measured with `newsflow eval stories` on the hand-checked cross-language pairs
//! of `config/eval/cross_language_stories.tsv` (BENCHMARKS.md, "Stories across languages").

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::text::{self, FastState};

/// Words (title first, then body) from which anchors are taken: the lead, where news names the
/// event.
pub const LEAD_WORDS: usize = 300;
/// Longest place name looked up, in words.
const MAX_PLACE_WORDS: usize = 3;
/// The first line of an anchor model file.
const MAGIC: &str = "newsflow-anchors 2";

/// Errors reading an [`AnchorModel`].
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AnchorModelError {
    #[error("not an anchor model (first line {0:?})")]
    Magic(String),
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
}

/// One anchor of an article: the hash of its normalised form and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Anchor {
    pub hash: u32,
    /// Inverse document frequency in the model's background texts.
    pub weight: f32,
    /// A figure (not a name or a place).
    #[serde(default)]
    pub number: bool,
}

/// Place names in many languages mapped to one id, and the document frequency of every
/// anchor in background news text. Built by `newsflow train anchors`.
#[derive(Debug, Clone, Default)]
pub struct AnchorModel {
    /// Hash of a folded place name (words joined by single spaces) → the anchor hash of its
    /// place key (`c:DE`, `g:2950159`). Hashes, not strings: 44,000 names cost ~1 MB, not ~5.
    places: HashMap<u64, u32, FastState>,
    /// Anchor hash → background documents holding it.
    df: HashMap<u32, u32, FastState>,
    docs: u32,
}

impl AnchorModel {
    /// A model of places only (document frequencies come from [`AnchorModel::count`]).
    pub fn with_places<'a>(places: impl IntoIterator<Item = (&'a str, &'a str)>) -> AnchorModel {
        let mut model = AnchorModel::default();
        for (name, key) in places {
            model
                .places
                .entry(name_hash(&fold(name)))
                .or_insert_with(|| hash_of("p:", key));
        }
        model
    }

    /// Counts one background document's anchors.
    pub fn count(&mut self, title: Option<&str>, body: &str) {
        self.docs += 1;
        for (hash, _) in raw_anchors(title, body, self) {
            *self.df.entry(hash).or_default() += 1;
        }
    }

    /// Drops anchors seen in fewer than `min_df` documents (an unseen anchor gets the
    /// highest weight anyway).
    pub fn prune(&mut self, min_df: u32) {
        self.df.retain(|_, count| *count >= min_df);
    }

    pub fn places(&self) -> usize {
        self.places.len()
    }

    pub fn docs(&self) -> u32 {
        self.docs
    }

    pub fn terms(&self) -> usize {
        self.df.len()
    }

    fn weight(&self, hash: u32) -> f32 {
        let df = self.df.get(&hash).copied().unwrap_or(0);
        ((f64::from(self.docs) + 1.0) / (f64::from(df) + 1.0)).ln() as f32
    }

    /// The model as a text file: a magic line, `docs`, then `place` (name hash, anchor hash)
    /// and `df` (anchor hash, documents) lines in a fixed order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{MAGIC}\ndocs\t{}\n", self.docs);
        let mut places: Vec<(&u64, &u32)> = self.places.iter().collect();
        places.sort();
        for (name, anchor) in places {
            out.push_str(&format!("place\t{name}\t{anchor}\n"));
        }
        let mut df: Vec<(&u32, &u32)> = self.df.iter().collect();
        df.sort();
        for (hash, count) in df {
            out.push_str(&format!("df\t{hash}\t{count}\n"));
        }
        out.into_bytes()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<AnchorModel, AnchorModelError> {
        let text = String::from_utf8_lossy(bytes);
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        if first != MAGIC {
            return Err(AnchorModelError::Magic(first.chars().take(40).collect()));
        }
        let mut model = AnchorModel::default();
        for (index, line) in lines.enumerate() {
            let number = index + 2;
            let bad = |message: &str| AnchorModelError::Line {
                line: number,
                message: message.to_string(),
            };
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["docs", docs] => model.docs = docs.parse().map_err(|_| bad("bad docs"))?,
                ["place", name, anchor] => {
                    let name = name.parse().map_err(|_| bad("bad place name hash"))?;
                    let anchor = anchor.parse().map_err(|_| bad("bad place anchor"))?;
                    model.places.insert(name, anchor);
                }
                ["df", hash, count] => {
                    let hash = hash.parse().map_err(|_| bad("bad hash"))?;
                    let count = count.parse().map_err(|_| bad("bad count"))?;
                    model.df.insert(hash, count);
                }
                [""] => {}
                _ => return Err(bad("unknown line")),
            }
        }
        Ok(model)
    }
}

/// Lower case without accents ("Ciarán" → "ciaran", "Straße" → "strasse", "’" → "'").
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars().flat_map(char::to_lowercase) {
        match ch {
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => out.push('a'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => out.push('i'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => out.push('u'),
            'ç' | 'ć' | 'č' => out.push('c'),
            'ñ' | 'ń' | 'ň' => out.push('n'),
            'ś' | 'š' | 'ș' | 'ş' => out.push('s'),
            'ź' | 'ż' | 'ž' => out.push('z'),
            'ł' => out.push('l'),
            'ý' | 'ÿ' => out.push('y'),
            'ř' => out.push('r'),
            'ť' | 'ț' => out.push('t'),
            'ď' => out.push('d'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            '’' | '‘' => out.push('\''),
            _ => out.push(ch),
        }
    }
    out
}

fn hash_of(kind: &str, text: &str) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in kind.bytes().chain(text.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    (hash >> 32) as u32
}

/// The 64-bit hash a place name is looked up by (FNV-1a, then mixed).
fn name_hash(folded: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in folded.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= hash >> 31;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 29)
}

/// A word token as an anchor candidate: elided article cut off ("l’Égypte" → "Égypte",
/// "dell’Unione" → "Unione"), possessive dropped ("Israel's" → "Israel").
fn name_part(token: &str) -> &str {
    let mut word = token;
    if let Some(position) = word.find(['\'', '’']) {
        let (before, after) = word.split_at(position);
        let after = &after[after.chars().next().map_or(0, char::len_utf8)..];
        if before.chars().count() <= 4 && before.chars().all(char::is_lowercase) {
            word = after;
        } else if after == "s" {
            word = before;
        }
    }
    word
}

/// True when the gap between two words ends a sentence or opens a quotation, so that a
/// capital after it says nothing about a name.
fn starts_sentence(gap: &str) -> bool {
    gap.chars().any(|ch| {
        matches!(
            ch,
            '.' | '!'
                | '?'
                | ':'
                | '"'
                | '“'
                | '„'
                | '«'
                | '»'
                | '”'
                | '—'
                | '–'
                | '|'
                | '('
                | '['
        )
    })
}

/// The figure a number token stands for: thousands separators dropped ("1,400", "1.400",
/// "1 400" → "1400"); `None` for decimals, times, dates, years and numbers under 100.
fn figure(token: &str) -> Option<String> {
    let groups: Vec<&str> = token.split([',', '.', ' ', '\u{a0}', '\u{202f}']).collect();
    if groups.iter().any(|group| group.is_empty()) {
        return None;
    }
    let thousands = groups.len() > 1
        && groups[0].len() <= 3
        && groups[1..].iter().all(|group| group.len() == 3);
    if groups.len() > 1 && !thousands {
        return None;
    }
    let digits: String = groups.concat();
    let digits = digits.trim_start_matches('0');
    if digits.len() < 3 {
        return None;
    }
    if digits.len() == 4
        && groups.len() == 1
        && (digits.starts_with("19") || digits.starts_with("20"))
    {
        return None;
    }
    Some(digits.to_string())
}

/// The numbers of `text` with their thousands separators (`1,400`, `8 700`).
fn number_tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        if !bytes[position].is_ascii_digit()
            || (position > 0 && (bytes[position - 1].is_ascii_alphanumeric()))
        {
            position += 1;
            continue;
        }
        let start = position;
        let mut end = position;
        loop {
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            // A separator followed by a digit continues the number.
            let rest = &text[end..];
            let separator = rest
                .chars()
                .next()
                .filter(|ch| matches!(ch, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}'));
            match separator {
                Some(ch) if rest[ch.len_utf8()..].starts_with(|c: char| c.is_ascii_digit()) => {
                    end += ch.len_utf8();
                }
                _ => break,
            }
        }
        // A letter right after the digits ("5G", "3rd") is no figure.
        if !text[end..].starts_with(|c: char| c.is_alphabetic()) {
            out.push(&text[start..end]);
        }
        position = end.max(position + 1);
    }
    out
}

/// (hash, is a number) of the anchors of the lead of `title` + `body`, repeats included.
fn raw_anchors(title: Option<&str>, body: &str, model: &AnchorModel) -> Vec<(u32, bool)> {
    let mut out = Vec::new();
    let mut budget = LEAD_WORDS;
    let texts = title.into_iter().chain(std::iter::once(body));
    for text_in in texts {
        for paragraph in text_in.split('\n') {
            if budget == 0 {
                return out;
            }
            let words = text::words(paragraph);
            let used = words.len().min(budget);
            budget -= used;
            let words = &words[..used];
            let lead_end = words.last().map_or(0, |word| word.end);
            for number in number_tokens(&paragraph[..lead_end]) {
                if let Some(digits) = figure(number) {
                    out.push((hash_of("n:", &digits), true));
                }
            }
            let mut index = 0;
            while index < words.len() {
                let word = words[index];
                let token = name_part(word.text(paragraph));
                let initial =
                    index == 0 || starts_sentence(&paragraph[words[index - 1].end..word.start]);
                index += 1;
                if !token.chars().next().is_some_and(char::is_uppercase) {
                    continue;
                }
                // The longest place name starting here.
                let mut place = None;
                let mut key = fold(token);
                let mut keys = vec![key.clone()];
                for next in words[index..].iter().take(MAX_PLACE_WORDS - 1) {
                    let previous = words[index - 1 + keys.len() - 1];
                    if paragraph[previous.end..next.start] != *" " {
                        break;
                    }
                    key.push(' ');
                    key.push_str(&fold(name_part(next.text(paragraph))));
                    keys.push(key.clone());
                }
                for (extra, candidate) in keys.iter().enumerate().rev() {
                    if let Some(anchor) = model.places.get(&name_hash(candidate)) {
                        place = Some((*anchor, extra));
                        break;
                    }
                }
                if let Some((anchor, extra)) = place {
                    out.push((anchor, false));
                    index += extra;
                    continue;
                }
                let letters = token.chars().filter(|ch| ch.is_alphabetic()).count();
                let acronym = letters >= 2 && !token.chars().any(char::is_lowercase);
                if letters >= 3 && (!initial || acronym) {
                    out.push((hash_of("w:", &fold(token)), false));
                }
            }
        }
    }
    out
}

/// The anchors of an article's lead, sorted by hash, one per hash, weighted by the model.
pub fn anchors(title: Option<&str>, body: &str, model: &AnchorModel) -> Vec<Anchor> {
    let mut raw = raw_anchors(title, body, model);
    raw.sort_unstable();
    raw.dedup_by_key(|(hash, _)| *hash);
    raw.into_iter()
        .map(|(hash, number)| Anchor {
            hash,
            weight: model.weight(hash),
            number,
        })
        .collect()
}

/// Names or places two reports must share at least (figures alone join nothing).
pub const MIN_SHARED_NAMES: usize = 2;
/// Weight two reports must share at least: about three anchors no background text has, or
/// five that a few dozen have. Below it a short article's handful of anchors would decide.
pub const MIN_SHARED_WEIGHT: f32 = 15.0;

/// Shared anchor weight over the smaller total weight, 0..1; 0 when the articles share fewer
/// than [`MIN_SHARED_NAMES`] names or less than [`MIN_SHARED_WEIGHT`] weight.
pub fn cross_language_score(a: &[Anchor], b: &[Anchor]) -> f32 {
    let (mut i, mut j) = (0, 0);
    let mut shared = 0.0f32;
    let mut names = 0;
    while i < a.len() && j < b.len() {
        match a[i].hash.cmp(&b[j].hash) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += a[i].weight;
                names += usize::from(!a[i].number);
                i += 1;
                j += 1;
            }
        }
    }
    if names < MIN_SHARED_NAMES || shared < MIN_SHARED_WEIGHT {
        return 0.0;
    }
    let total = |anchors: &[Anchor]| anchors.iter().map(|anchor| anchor.weight).sum::<f32>();
    let smaller = total(a).min(total(b));
    if smaller <= 0.0 {
        return 0.0;
    }
    (shared / smaller).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> AnchorModel {
        let mut model = AnchorModel::with_places([
            ("Germany", "c:DE"),
            ("Deutschland", "c:DE"),
            ("Allemagne", "c:DE"),
            ("Egypt", "c:EG"),
            ("Égypte", "c:EG"),
            ("Rafah", "g:281102"),
            ("New York City", "g:5128581"),
        ]);
        model.count(None, "Germany and Egypt said something.");
        model
    }

    fn hashes(anchors: &[Anchor]) -> Vec<u32> {
        anchors.iter().map(|anchor| anchor.hash).collect()
    }

    #[test]
    fn places_in_any_language_are_one_anchor() {
        let model = model();
        let english = anchors(None, "Trade between Germany and Egypt grew.", &model);
        let german = anchors(None, "Der Handel mit Deutschland wächst.", &model);
        let french = anchors(
            None,
            "Le commerce entre l’Allemagne et l’Égypte progresse.",
            &model,
        );
        assert!(hashes(&english).contains(&hash_of("p:", "c:DE")));
        assert!(hashes(&german).contains(&hash_of("p:", "c:DE")));
        assert_eq!(hashes(&english), hashes(&french));
        let city = anchors(None, "It happened in New York City today.", &model);
        assert_eq!(hashes(&city), vec![hash_of("p:", "g:5128581")]);
    }

    #[test]
    fn names_inside_sentences_and_figures() {
        let model = AnchorModel::default();
        let found = anchors(
            None,
            "Storm Ciarán hit the coast. About 1,400 homes and 8 700 people near Brest, in 2023, with 12 cars.",
            &model,
        );
        let mut expected = vec![
            hash_of("w:", "ciaran"),
            hash_of("w:", "brest"),
            hash_of("n:", "1400"),
            hash_of("n:", "8700"),
        ];
        expected.sort_unstable();
        assert_eq!(hashes(&found), expected);
        assert_eq!(figure("1.400"), Some("1400".into()));
        assert_eq!(figure("3,5"), None);
        assert_eq!(figure("2023"), None);
        assert_eq!(figure("12"), None);
        assert_eq!(
            number_tokens("at 10:30, 5G and 1 400."),
            vec!["10", "30", "1 400"]
        );
    }

    #[test]
    fn rare_shared_names_score_and_common_ones_do_not() {
        let mut model = model();
        for _ in 0..200 {
            model.count(None, "Egypt and Germany said so.");
        }
        let weight = model.weight(hash_of("w:", "jabalia"));
        assert!(weight > model.weight(hash_of("p:", "c:DE")));
        let english = anchors(
            None,
            "Strikes hit the Jabalia camp again, and wounded Palestinians crossed at Rafah into Egypt, said Regev.",
            &model,
        );
        let french = anchors(
            None,
            "Le camp de Jabalia a de nouveau été frappé; des blessés sont passés par Rafah en Égypte, selon Regev.",
            &model,
        );
        let other = anchors(None, "Le commerce avec l’Égypte, selon Regev.", &model);
        assert!(cross_language_score(&english, &french) > 0.9);
        assert_eq!(cross_language_score(&english, &other), 0.0);
    }

    #[test]
    fn model_round_trips() {
        let model = model();
        let back = AnchorModel::from_bytes(&model.to_bytes()).expect("model");
        assert_eq!(back.to_bytes(), model.to_bytes());
        assert_eq!(back.places(), 7);
        assert!(AnchorModel::from_bytes(b"something else").is_err());
    }
}
