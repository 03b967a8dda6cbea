//! Feature extraction: for every token of a document, a list of 64-bit feature keys built from
//! the word, its shape, affixes, neighbours, casing statistics, clusters, gazetteer matches,
//! other mentions of the same word in the document, and (second pass) the first pass's labels.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::hash::{FeatureHasher, KeyMap};
use crate::labels::{decode, to_spans, type_index, OUTSIDE};
use crate::lexicon::{
    brown_prefixes, gazetteer_key, normalise_lower_into, Casing, Clusters, Gazetteer, Places,
    GAZETTEER_MAX_TOKENS, KIND_GAZETTEER,
};

/// Resources the feature extractor reads.
pub(crate) struct Context<'r> {
    pub(crate) casing: &'r Casing,
    pub(crate) clusters: &'r Clusters,
    pub(crate) gazetteer: &'r Gazetteer,
    /// GeoNames place names (empty: no place features).
    pub(crate) places: &'r Places,
    /// Document-level features (other mentions of the word in the document).
    pub(crate) document: bool,
    /// Person-pronoun features: an English "he"/"she" (and forms) within a few words after a
    /// capitalised word, here and after its other mentions in the document.
    pub(crate) pronouns: bool,
    /// Sub-word features: character trigrams of the word and 5- and 6-letter affixes (for
    /// OCR'd text, where a misread letter leaves most trigrams intact, and for compounds).
    pub(crate) subwords: bool,
    /// Word identity without edge punctuation: `Frankreich,` and `„Berlin` are looked up,
    /// counted and matched as `frankreich` and `berlin` (their exact form and shape keep the
    /// punctuation). For text whose tokenizer left punctuation attached.
    pub(crate) trim: bool,
    /// Brown path prefixes of the word (the clusters table holds Brown paths).
    pub(crate) brown: bool,
    /// Brown path prefixes of the neighbouring words too (with `brown`).
    pub(crate) brown_neighbours: bool,
    /// At tagging time, a lower-case word between lower-case words or punctuation is `O`
    /// without being scored (see [`forced_outside`]). Training is unchanged.
    pub(crate) lowercase_outside: bool,
}

/// Features of one sentence: keys of token `t` are `keys[offsets[t]..offsets[t + 1]]`.
#[derive(Debug, Default, Clone)]
pub(crate) struct SentenceFeatures {
    pub(crate) keys: Vec<u64>,
    pub(crate) offsets: Vec<usize>,
}

impl SentenceFeatures {
    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
    pub(crate) fn token(&self, index: usize) -> &[u64] {
        &self.keys[self.offsets[index]..self.offsets[index + 1]]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseClass {
    Lower,
    Title,
    Upper,
    Mixed,
    NoLetter,
}

fn case_class(word: &str) -> CaseClass {
    let mut upper = 0;
    let mut lower = 0;
    let mut first_upper = false;
    for (index, c) in word.chars().enumerate() {
        if c.is_uppercase() {
            upper += 1;
            if index == 0 {
                first_upper = true;
            }
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    match (upper, lower) {
        (0, 0) => CaseClass::NoLetter,
        (0, _) => CaseClass::Lower,
        (_, 0) => CaseClass::Upper,
        (1, _) if first_upper => CaseClass::Title,
        _ if first_upper => CaseClass::Mixed,
        _ => CaseClass::Mixed,
    }
}

/// Long shape (runs capped at two) and short shape (runs collapsed) of a word, written into
/// the given buffers (cleared first).
fn shapes_into(word: &str, long: &mut String, short: &mut String) {
    long.clear();
    short.clear();
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars().take(24) {
        let mapped = if c.is_ascii() {
            if c.is_ascii_uppercase() {
                'X'
            } else if c.is_ascii_lowercase() {
                'x'
            } else if c.is_ascii_digit() {
                'd'
            } else {
                c
            }
        } else if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if mapped == last {
            run += 1;
        } else {
            run = 1;
            short.push(mapped);
        }
        if run <= 2 {
            long.push(mapped);
        }
        last = mapped;
    }
}

#[cfg(test)]
fn shapes(word: &str) -> (String, String) {
    let mut long = String::new();
    let mut short = String::new();
    shapes_into(word, &mut long, &mut short);
    (long, short)
}

/// What the document knows about one distinct (normalised lower-case) word.
struct WordInfo {
    lower: String,
    lower_hash: u64,
    casing: Option<(u32, u32)>,
    clusters: Option<[u32; 3]>,
    brown: Option<u32>,
}

struct TokenInfo<'a> {
    word: &'a str,
    case: CaseClass,
    casing: Option<(u32, u32)>,
    clusters: Option<[u32; 3]>,
    /// Packed Brown path (see `Clusters::brown`).
    brown: Option<u32>,
    /// Gazetteer matches: bit `type * 4 + part` (part: B, I, E, S of the longest match).
    gazetteer: u16,
    gazetteer_major: Option<u32>,
    /// (type, part) bits the word had inside training entities (capitalised tokens only).
    name_parts: u16,
    /// Place-name matches: bit `kind * 4 + part` (kind: city, country, continent, admin1).
    places: u16,
    /// Population bucket of the matched place name.
    place_bucket: Option<u32>,
    /// Index of the normalised lower-case word among the document's distinct words.
    word_id: u32,
    /// Index of the exact word form among the document's distinct forms.
    form_id: u32,
    word_hash: u64,
    lower_hash: u64,
    shape_hash: u64,
    short_hash: u64,
}

/// A document prepared for feature extraction (shared by both passes).
pub(crate) struct PreparedDocument<'a> {
    document_features: bool,
    lowercase_outside: bool,
    pronoun_features: bool,
    brown_neighbours: bool,
    subword_features: bool,
    sentences: Vec<Vec<TokenInfo<'a>>>,
    headlines: Vec<bool>,
    /// Per distinct word: its lower-case form and lexicon entries.
    words: Vec<WordInfo>,
    /// Per distinct word form: its first token (sentence, index).
    forms: Vec<(u32, u32)>,
    /// Per distinct word: (capitalised inside a sentence, lower-case) occurrence counts.
    stats: Vec<(u32, u32)>,
    /// Per distinct word: where it occurs (sentence, token), up to [`MAX_OCCURRENCES`].
    occurrences: Vec<Occurrences>,
}

/// Up to [`MAX_OCCURRENCES`] places of a word, held inline: one allocation-free entry per
/// distinct word instead of a growing `Vec` each.
#[derive(Clone, Copy)]
struct Occurrences {
    len: u8,
    places: [(u32, u32); MAX_OCCURRENCES],
}

impl Occurrences {
    const EMPTY: Occurrences = Occurrences {
        len: 0,
        places: [(0, 0); MAX_OCCURRENCES],
    };

    /// Adds a place unless [`MAX_OCCURRENCES`] are held already.
    fn push(&mut self, place: (u32, u32)) {
        if let Some(slot) = self.places.get_mut(usize::from(self.len)) {
            *slot = place;
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[(u32, u32)] {
        &self.places[..usize::from(self.len)]
    }
}

impl PreparedDocument<'_> {
    fn lower(&self, info: &TokenInfo<'_>) -> &str {
        self.words
            .get(info.word_id as usize)
            .map(|w| w.lower.as_str())
            .unwrap_or("")
    }
}

/// `word` without leading and trailing characters that are neither letters nor digits (the
/// word itself when nothing would be left).
pub(crate) fn trim_edges(word: &str) -> &str {
    let trimmed = word.trim_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_empty() {
        word
    } else {
        trimmed
    }
}

/// Class of an English personal pronoun of a person: 1 he/his/him, 2 she/her, 0 none. ("it"
/// and "they" were measured as well and cost pseudo-test F1.)
fn pronoun_class(lower: &str) -> u8 {
    match lower {
        "he" | "his" | "him" | "himself" => 1,
        "she" | "her" | "hers" | "herself" => 2,
        _ => 0,
    }
}

/// Tokens after a name within which the first personal pronoun is looked for.
const PRONOUN_WINDOW: usize = 8;

/// The class of the first personal pronoun within [`PRONOUN_WINDOW`] tokens after token `t`
/// (0: none).
fn pronoun_after(document: &PreparedDocument<'_>, infos: &[TokenInfo<'_>], t: usize) -> u8 {
    for info in infos.iter().skip(t + 1).take(PRONOUN_WINDOW) {
        let class = pronoun_class(document.lower(info));
        if class != 0 {
            return class;
        }
    }
    0
}

/// Occurrences of a word used for context aggregation.
const MAX_OCCURRENCES: usize = 8;

fn text_hash(text: &str) -> u64 {
    FeatureHasher::new(0).str(text).finish()
}

const BOS_HASH: u64 = 0x0b05_0b05_0b05_0b05;
const EOS_HASH: u64 = 0x0e05_0e05_0e05_0e05;

/// Longest-match lookup of token spans (starting at a capitalised word or a digit) in a name
/// table. Returns per token the bits `type * 4 + part` and the majority type of the match.
fn match_names(
    infos: &[TokenInfo<'_>],
    words: &[WordInfo],
    lookup: impl Fn(u64) -> Option<u32>,
) -> Vec<(u16, Option<u32>)> {
    let count = infos.len();
    let mut out = vec![(0u16, None); count];
    let mut start = 0;
    let mut keys = Vec::with_capacity(GAZETTEER_MAX_TOKENS);
    while start < count {
        let first = infos[start].word.chars().next();
        if !first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) {
            start += 1;
            continue;
        }
        let max_len = GAZETTEER_MAX_TOKENS.min(count - start);
        // Keys of the spans start..start+1, start..start+2, ... (the hash of a span extends
        // the hash of the span one token shorter: same value as `gazetteer_key`).
        keys.clear();
        let mut hasher = FeatureHasher::new(KIND_GAZETTEER);
        for info in &infos[start..start + max_len] {
            let lower = words
                .get(info.word_id as usize)
                .map(|w| w.lower.as_str())
                .unwrap_or("");
            hasher = hasher.str(lower);
            keys.push(hasher.finish());
        }
        let mut matched = 0;
        for len in (1..=max_len).rev() {
            let Some(value) = lookup(keys[len - 1]) else {
                continue;
            };
            let mask = value & 15;
            for (offset, slot) in out[start..start + len].iter_mut().enumerate() {
                let part = if len == 1 {
                    3
                } else if offset == 0 {
                    0
                } else if offset + 1 == len {
                    2
                } else {
                    1
                };
                for t in 0..4u16 {
                    if mask & (1 << t) != 0 {
                        slot.0 |= 1 << (t * 4 + part);
                    }
                }
                slot.1.get_or_insert(value >> 4);
            }
            matched = len;
            break;
        }
        start += matched.max(1);
    }
    out
}

fn place_matches(infos: &mut [TokenInfo<'_>], words: &[WordInfo], places: &Places) {
    if places.table.len() == 0 {
        return;
    }
    let matches = match_names(infos, words, |key| places.lookup(key));
    for (info, (bits, bucket)) in infos.iter_mut().zip(matches) {
        info.places = bits;
        info.place_bucket = bucket;
    }
}

fn gazetteer_matches(infos: &mut [TokenInfo<'_>], words: &[WordInfo], gazetteer: &Gazetteer) {
    if gazetteer.table.len() == 0 {
        return;
    }
    let matches = match_names(infos, words, |key| gazetteer.lookup(key));
    for (info, (bits, major)) in infos.iter_mut().zip(matches) {
        info.gazetteer = bits;
        info.gazetteer_major = major;
    }
}

/// Names the first pass found in this document: key -> type mask and majority type, as in
/// the gazetteer. The keys are finished feature hashes, so the map does not hash them again.
fn document_names(document: &PreparedDocument<'_>, prior: &[Vec<u8>]) -> KeyMap<u32> {
    let mut counts: KeyMap<[u32; 4]> = KeyMap::default();
    for (infos, labels) in document.sentences.iter().zip(prior) {
        if labels.len() != infos.len() {
            continue;
        }
        for span in to_spans(labels) {
            if span.end - span.start > GAZETTEER_MAX_TOKENS {
                continue;
            }
            let words: Vec<&str> = infos[span.start..span.end]
                .iter()
                .map(|i| document.lower(i))
                .collect();
            counts.entry(gazetteer_key(&words)).or_default()[type_index(span.kind)] += 1;
        }
    }
    counts
        .into_iter()
        .map(|(key, type_counts)| {
            let mut mask = 0u32;
            let mut best = 0usize;
            for (index, &count) in type_counts.iter().enumerate() {
                if count > 0 {
                    mask |= 1 << index;
                }
                if count > type_counts[best] {
                    best = index;
                }
            }
            (key, mask | ((best as u32) << 4))
        })
        .collect()
}

fn is_headline(words: &[&str]) -> bool {
    let mut letters = 0;
    let mut caps = 0;
    for word in words {
        let class = case_class(word);
        if class == CaseClass::NoLetter {
            continue;
        }
        letters += 1;
        if class == CaseClass::Upper {
            caps += 1;
        }
    }
    letters >= 2 && caps * 10 >= letters * 8
}

#[inline]
fn push(keys: &mut Vec<u64>, hasher: FeatureHasher) {
    keys.push(hasher.finish());
}

fn prior_type(label: u8) -> usize {
    match decode(label) {
        None => 0,
        Some((kind, _)) => 1 + type_index(kind),
    }
}

/// Slot `type * 4 + part` of a label inside a multi-token entity (B, I or E), else `None`.
fn within_slot(label: u8) -> Option<usize> {
    match decode(label) {
        Some((kind, part)) if part != crate::labels::Part::Single => {
            Some(type_index(kind) * 4 + part as usize)
        }
        _ => None,
    }
}

fn is_capitalised(case: CaseClass) -> bool {
    matches!(case, CaseClass::Title | CaseClass::Mixed | CaseClass::Upper)
}

/// What a word form's tokens share: its word, case, shapes and name parts.
#[derive(Clone, Copy)]
struct FormInfo {
    word_id: u32,
    case: CaseClass,
    shape_hash: u64,
    short_hash: u64,
    name_parts: u16,
}

/// Token information and document statistics of a document.
pub(crate) fn prepare<'a>(
    document: &[Vec<&'a str>],
    context: &Context<'_>,
) -> PreparedDocument<'a> {
    let headlines: Vec<bool> = document.iter().map(|s| is_headline(s)).collect();
    // Distinct words by the hash of their lower-case form; a (practically impossible) hash
    // collision between two different words is resolved by comparing the strings.
    let mut ids: KeyMap<u32> = KeyMap::default();
    let mut collided: HashMap<String, u32> = HashMap::new();
    let mut words: Vec<WordInfo> = Vec::new();
    // Distinct exact forms by the hash of the text, with the same collision fallback.
    let mut form_ids: KeyMap<u32> = KeyMap::default();
    let mut form_collided: HashMap<&'a str, u32> = HashMap::new();
    let mut forms: Vec<(u32, u32)> = Vec::new();
    let mut form_words: Vec<&'a str> = Vec::new();
    // per distinct form: what depends on the form alone
    let mut form_infos: Vec<FormInfo> = Vec::new();
    let mut stats: Vec<(u32, u32)> = Vec::new();
    let mut occurrences: Vec<Occurrences> = Vec::new();
    let mut sentences: Vec<Vec<TokenInfo<'a>>> = Vec::with_capacity(document.len());
    let mut lower = String::new();
    let mut shape = String::new();
    let mut short = String::new();
    for (s, sentence) in document.iter().enumerate() {
        let mut infos: Vec<TokenInfo<'a>> = Vec::with_capacity(sentence.len());
        for (t, &word) in sentence.iter().enumerate() {
            // a form seen before reuses what its first occurrence computed
            let word_hash = text_hash(word);
            let known_form = match form_ids.get(&word_hash) {
                Some(&id) if form_words[id as usize] == word => Some(id),
                Some(_) => form_collided.get(word).copied(),
                None => None,
            };
            let (form_id, form) = match known_form {
                Some(id) => (id, form_infos[id as usize]),
                None => {
                    let core = if context.trim { trim_edges(word) } else { word };
                    normalise_lower_into(core, &mut lower);
                    shapes_into(word, &mut shape, &mut short);
                    let case = case_class(word);
                    let lower_hash = text_hash(&lower);
                    let known = match ids.get(&lower_hash) {
                        Some(&id) if words[id as usize].lower == lower => Some(id),
                        Some(_) => collided.get(lower.as_str()).copied(),
                        None => None,
                    };
                    let word_id = match known {
                        Some(id) => id,
                        None => {
                            let id = words.len() as u32;
                            match ids.entry(lower_hash) {
                                Entry::Occupied(_) => {
                                    collided.insert(lower.clone(), id);
                                }
                                Entry::Vacant(slot) => {
                                    slot.insert(id);
                                }
                            }
                            words.push(WordInfo {
                                casing: context.casing.lookup(&lower),
                                clusters: context.clusters.lookup(&lower),
                                brown: if context.brown {
                                    context.clusters.brown(&lower)
                                } else {
                                    None
                                },
                                lower: lower.clone(),
                                lower_hash,
                            });
                            stats.push((0, 0));
                            occurrences.push(Occurrences::EMPTY);
                            id
                        }
                    };
                    let id = forms.len() as u32;
                    match form_ids.entry(word_hash) {
                        Entry::Occupied(_) => {
                            form_collided.insert(word, id);
                        }
                        Entry::Vacant(slot) => {
                            slot.insert(id);
                        }
                    }
                    let form = FormInfo {
                        word_id,
                        case,
                        shape_hash: text_hash(&shape),
                        short_hash: text_hash(&short),
                        name_parts: if is_capitalised(case) {
                            context.gazetteer.name_parts(&words[word_id as usize].lower)
                        } else {
                            0
                        },
                    };
                    forms.push((s as u32, t as u32));
                    form_words.push(word);
                    form_infos.push(form);
                    (id, form)
                }
            };
            let (word_id, case) = (form.word_id, form.case);
            let info = &words[word_id as usize];
            if let Some(list) = occurrences.get_mut(word_id as usize) {
                list.push((s as u32, t as u32));
            }
            if let Some(entry) = stats.get_mut(word_id as usize) {
                if t > 0 && !headlines[s] && is_capitalised(case) {
                    entry.0 += 1;
                }
                if case == CaseClass::Lower {
                    entry.1 += 1;
                }
            }
            infos.push(TokenInfo {
                word,
                casing: info.casing,
                clusters: info.clusters,
                brown: info.brown,
                word_hash,
                lower_hash: info.lower_hash,
                shape_hash: form.shape_hash,
                short_hash: form.short_hash,
                case,
                gazetteer: 0,
                gazetteer_major: None,
                name_parts: form.name_parts,
                places: 0,
                place_bucket: None,
                word_id,
                form_id,
            });
        }
        gazetteer_matches(&mut infos, &words, context.gazetteer);
        place_matches(&mut infos, &words, context.places);
        sentences.push(infos);
    }
    PreparedDocument {
        document_features: context.document,
        lowercase_outside: context.lowercase_outside,
        pronoun_features: context.pronouns,
        brown_neighbours: context.brown_neighbours,
        subword_features: context.subwords,
        sentences,
        headlines,
        words,
        forms,
        stats,
        occurrences,
    }
}

/// Features of every sentence of a document. `prior` holds first-pass labels (same shape as
/// `document`) for the second pass.
pub(crate) fn extract_document(
    document: &[Vec<&str>],
    context: &Context<'_>,
    prior: Option<&[Vec<u8>]>,
) -> Vec<SentenceFeatures> {
    features(&prepare(document, context), prior)
}

/// Features of a prepared document (see [`extract_document`]).
pub(crate) fn features(
    document: &PreparedDocument<'_>,
    prior: Option<&[Vec<u8>]>,
) -> Vec<SentenceFeatures> {
    build_features(
        document,
        prior,
        Parts {
            word: true,
            context: true,
        },
        &[],
    )
}

/// Only the features that depend on the first pass's labels: `features(document, None)`
/// followed, token by token, by these keys is `features(document, Some(prior))`.
pub(crate) fn prior_features(
    document: &PreparedDocument<'_>,
    prior: &[Vec<u8>],
    skip: &[Vec<bool>],
) -> Vec<SentenceFeatures> {
    build_features(
        document,
        Some(prior),
        Parts {
            word: false,
            context: false,
        },
        skip,
    )
}

/// The keys that depend only on the token's own word form (its text, lower case, shapes and
/// lexicon entries): equal for every occurrence of the form in a document.
fn word_keys(info: &TokenInfo<'_>, lower: &str, subwords: bool, keys: &mut Vec<u64>) {
    push(keys, FeatureHasher::new(1));
    push(keys, FeatureHasher::new(2).num(info.word_hash));
    push(keys, FeatureHasher::new(3).num(info.lower_hash));
    let mut prefix_ends = lower.char_indices().map(|(i, _)| i).skip(1);
    let mut suffix_starts = lower.char_indices().rev().map(|(i, _)| i);
    for k in 1..=4u64 {
        let (Some(prefix_end), Some(suffix_start)) = (prefix_ends.next(), suffix_starts.next())
        else {
            break;
        };
        // Only proper affixes (shorter than the word).
        if suffix_start == 0 {
            break;
        }
        push(keys, FeatureHasher::new(4).num(k).str(&lower[..prefix_end]));
        push(
            keys,
            FeatureHasher::new(5).num(k).str(&lower[suffix_start..]),
        );
    }
    if subwords {
        subword_keys(lower, keys);
    }
    if info.name_parts != 0 {
        for bit in 0..16u16 {
            if info.name_parts & (1 << bit) != 0 {
                push(keys, FeatureHasher::new(57).num(u64::from(bit)));
            }
        }
        // Which types the word was part of (any position).
        let mut types = 0u64;
        for ty in 0..4 {
            if info.name_parts & (15 << (ty * 4)) != 0 {
                types |= 1 << ty;
            }
        }
        push(
            keys,
            FeatureHasher::new(58).num(types).num(info.case as u64),
        );
    }
    push(keys, FeatureHasher::new(6).num(info.shape_hash));
    push(keys, FeatureHasher::new(7).num(info.short_hash));
    // Casing statistics from unlabelled text.
    match info.casing {
        Some((share, freq)) => {
            push(keys, FeatureHasher::new(17).num(u64::from(share)));
            push(
                keys,
                FeatureHasher::new(19)
                    .num(u64::from(share))
                    .num(u64::from(freq.min(8))),
            );
        }
        None => push(keys, FeatureHasher::new(17).num(99)),
    }
    // Clusters.
    if let Some(levels) = info.clusters {
        for (level, id) in levels.iter().enumerate() {
            if *id != 1023 {
                push(
                    keys,
                    FeatureHasher::new(20).num(level as u64).num(u64::from(*id)),
                );
            }
        }
        push(
            keys,
            FeatureHasher::new(31)
                .num(u64::from(levels[1]))
                .num(info.short_hash),
        );
    }
    // Brown path prefixes (4, 6, 10, 20 bits).
    if let Some(packed) = info.brown {
        for (want, take, bits) in brown_prefixes(packed) {
            push(
                keys,
                FeatureHasher::new(40)
                    .num(u64::from(want))
                    .num(u64::from(take))
                    .num(u64::from(bits)),
            );
        }
    }
}

/// Longest word (in characters) whose trigrams are features.
const MAX_TRIGRAM_WORD: usize = 32;

/// Character trigrams of `^word$` and the 5- and 6-letter prefixes and suffixes.
fn subword_keys(lower: &str, keys: &mut Vec<u64>) {
    let chars: Vec<char> = std::iter::once('^')
        .chain(lower.chars())
        .chain(std::iter::once('$'))
        .collect();
    let letters = chars.len() - 2;
    if (3..=MAX_TRIGRAM_WORD).contains(&letters) {
        for window in chars.windows(3) {
            push(
                keys,
                FeatureHasher::new(60)
                    .num(u64::from(window[0]))
                    .num(u64::from(window[1]))
                    .num(u64::from(window[2])),
            );
        }
    }
    for k in 5..=6usize {
        if letters <= k {
            break;
        }
        let prefix: String = chars[1..1 + k].iter().collect();
        let suffix: String = chars[chars.len() - 1 - k..chars.len() - 1].iter().collect();
        push(keys, FeatureHasher::new(4).num(k as u64).str(&prefix));
        push(keys, FeatureHasher::new(5).num(k as u64).str(&suffix));
    }
}

/// Which keys [`build_features`] makes.
#[derive(Clone, Copy)]
struct Parts {
    /// [`word_keys`].
    word: bool,
    /// Keys of the token in its context (neighbours, position, gazetteer, document).
    context: bool,
}

/// Keys of the `index`-th token of sentence `sentence` that depend only on its word form.
pub(crate) fn form_keys(
    document: &PreparedDocument<'_>,
    sentence: usize,
    index: usize,
    keys: &mut Vec<u64>,
) {
    if let Some(info) = document.sentences.get(sentence).and_then(|s| s.get(index)) {
        word_keys(info, document.lower(info), document.subword_features, keys);
    }
}

/// The first token of every distinct word form: `(sentence, index)`, by form id.
pub(crate) fn forms<'d>(document: &'d PreparedDocument<'_>) -> &'d [(u32, u32)] {
    &document.forms
}

/// Form id of every token of a sentence.
pub(crate) fn form_ids<'d>(
    document: &'d PreparedDocument<'_>,
    sentence: usize,
) -> impl Iterator<Item = u32> + 'd {
    document
        .sentences
        .get(sentence)
        .into_iter()
        .flatten()
        .map(|info| info.form_id)
}

/// Features without the word-form keys ([`form_keys`] gives those once per form).
pub(crate) fn context_features(
    document: &PreparedDocument<'_>,
    skip: &[Vec<bool>],
) -> Vec<SentenceFeatures> {
    build_features(
        document,
        None,
        Parts {
            word: false,
            context: true,
        },
        skip,
    )
}

/// The skipped tokens of sentence `s` (empty: none).
pub(crate) fn skipped_in(skip: &[Vec<bool>], s: usize) -> &[bool] {
    skip.get(s).map(Vec::as_slice).unwrap_or_default()
}

/// Whether token `t` is skipped (see [`forced_outside`]).
pub(crate) fn is_skipped(skipped: &[bool], t: usize) -> bool {
    skipped.get(t).copied().unwrap_or(false)
}

/// Per sentence, the tokens the tagger labels `O` without scoring them, when the model says
/// so (`Context::lowercase_outside`; empty otherwise): a lower-case word whose neighbours are
/// lower-case words, punctuation or the sentence's edge. In English news such a word is
/// practically never part of a name (4 of the 8,603 entity tokens of CoNLL-2003 dev), while
/// a lower-case word next to a capitalised one ("Joop van den Ende", "rue de Rivoli") is
/// scored as before. About two words in five of news text are skipped.
pub(crate) fn forced_outside(document: &PreparedDocument<'_>) -> Vec<Vec<bool>> {
    if !document.lowercase_outside {
        return Vec::new();
    }
    let quiet = |info: Option<&TokenInfo<'_>>| {
        info.is_none_or(|info| match info.case {
            CaseClass::Lower => true,
            CaseClass::NoLetter => !info.word.chars().any(char::is_alphanumeric),
            _ => false,
        })
    };
    document
        .sentences
        .iter()
        .map(|infos| {
            (0..infos.len())
                .map(|t| {
                    infos[t].case == CaseClass::Lower
                        && quiet(t.checked_sub(1).and_then(|p| infos.get(p)))
                        && quiet(infos.get(t + 1))
                })
                .collect()
        })
        .collect()
}

fn build_features(
    document: &PreparedDocument<'_>,
    prior: Option<&[Vec<u8>]>,
    parts: Parts,
    skip: &[Vec<bool>],
) -> Vec<SentenceFeatures> {
    // First-pass label counts per distinct word: O, PER, ORG, LOC, MISC.
    let mut prior_counts: Vec<[u32; 5]> = Vec::new();
    // First-pass labels per distinct word inside multi-token entities: (type * 4 + part) for
    // B, I, E ("Kim" of "Kim Jong Il" elsewhere in the article).
    let mut within_counts: Vec<[u16; 16]> = Vec::new();
    if let Some(prior) = prior {
        prior_counts = vec![[0; 5]; document.stats.len()];
        within_counts = vec![[0; 16]; document.stats.len()];
        for (infos, labels) in document.sentences.iter().zip(prior) {
            for (info, &label) in infos.iter().zip(labels) {
                if let Some(counts) = prior_counts.get_mut(info.word_id as usize) {
                    counts[prior_type(label)] += 1;
                }
                if let Some(slot) = within_slot(label) {
                    if let Some(counts) = within_counts.get_mut(info.word_id as usize) {
                        counts[slot] = counts[slot].saturating_add(1);
                    }
                }
            }
        }
    }
    let names = prior.map(|p| document_names(document, p));
    let mut out = Vec::with_capacity(document.sentences.len());
    for (s, infos) in document.sentences.iter().enumerate() {
        let headline = document.headlines[s];
        let local_matches = names
            .as_ref()
            .map(|names| match_names(infos, &document.words, |key| names.get(&key).copied()));
        let count = infos.len();
        let sentence_prior = prior.and_then(|p| p.get(s));
        let mut features = SentenceFeatures {
            keys: Vec::with_capacity(count * if parts.context { 48 } else { 8 }),
            offsets: Vec::with_capacity(count + 1),
        };
        features.offsets.push(0);
        let skipped = skipped_in(skip, s);
        for (t, info) in infos.iter().enumerate() {
            if is_skipped(skipped, t) {
                features.offsets.push(features.keys.len());
                continue;
            }
            let keys = &mut features.keys;
            let prev = if t > 0 { Some(&infos[t - 1]) } else { None };
            let next = infos.get(t + 1);
            let prev2 = if t > 1 { Some(&infos[t - 2]) } else { None };
            let next2 = infos.get(t + 2);
            let prev_lower = prev.map(|i| i.lower_hash).unwrap_or(BOS_HASH);
            let next_lower = next.map(|i| i.lower_hash).unwrap_or(EOS_HASH);
            let prev_short = prev.map(|i| i.short_hash).unwrap_or(BOS_HASH);
            let next_short = next.map(|i| i.short_hash).unwrap_or(EOS_HASH);
            let prev_shape = prev.map(|i| i.shape_hash).unwrap_or(BOS_HASH);
            let next_shape = next.map(|i| i.shape_hash).unwrap_or(EOS_HASH);
            let case = info.case as u64;
            let first = u64::from(t == 0);
            let headline_flag = u64::from(headline);
            if parts.word {
                word_keys(info, document.lower(info), document.subword_features, keys);
            }
            if parts.context {
                push(keys, FeatureHasher::new(8).num(prev_lower));
                push(keys, FeatureHasher::new(9).num(next_lower));
                push(
                    keys,
                    FeatureHasher::new(10).num(prev2.map(|i| i.lower_hash).unwrap_or(BOS_HASH)),
                );
                push(
                    keys,
                    FeatureHasher::new(11).num(next2.map(|i| i.lower_hash).unwrap_or(EOS_HASH)),
                );
                push(
                    keys,
                    FeatureHasher::new(12).num(prev_lower).num(info.lower_hash),
                );
                push(
                    keys,
                    FeatureHasher::new(13).num(info.lower_hash).num(next_lower),
                );
                push(
                    keys,
                    FeatureHasher::new(14)
                        .num(prev_short)
                        .num(info.short_hash)
                        .num(next_short),
                );
                push(
                    keys,
                    FeatureHasher::new(15).num(prev_shape).num(info.shape_hash),
                );
                push(
                    keys,
                    FeatureHasher::new(16).num(info.shape_hash).num(next_shape),
                );
                push(
                    keys,
                    FeatureHasher::new(27)
                        .num(first)
                        .num(headline_flag)
                        .num(info.short_hash),
                );
                push(
                    keys,
                    FeatureHasher::new(28)
                        .num(first)
                        .num((count.min(6)) as u64)
                        .num(info.short_hash),
                );
                // Neighbour word with this word's shape (e.g. "Mr." + Xx, "said" after Xx).
                push(
                    keys,
                    FeatureHasher::new(29).num(prev_lower).num(info.short_hash),
                );
                push(
                    keys,
                    FeatureHasher::new(30).num(info.short_hash).num(next_lower),
                );

                // Casing statistics from unlabelled text, with this token's position.
                let share = info.casing.map(|(share, _)| u64::from(share)).unwrap_or(99);
                push(
                    keys,
                    FeatureHasher::new(18)
                        .num(share)
                        .num(case)
                        .num(first)
                        .num(headline_flag),
                );

                // Clusters of the neighbours.
                for (template, neighbour) in [(21u32, prev), (22u32, next)] {
                    match neighbour.and_then(|n| n.clusters) {
                        Some(levels) => {
                            push(
                                keys,
                                FeatureHasher::new(template)
                                    .num(0)
                                    .num(u64::from(levels[0])),
                            );
                            push(
                                keys,
                                FeatureHasher::new(template)
                                    .num(1)
                                    .num(u64::from(levels[1])),
                            );
                        }
                        None => push(keys, FeatureHasher::new(template).num(9)),
                    }
                }
                if document.brown_neighbours {
                    for (template, neighbour) in [(41u32, prev), (42u32, next)] {
                        match neighbour.and_then(|n| n.brown) {
                            Some(packed) => {
                                for (want, take, bits) in brown_prefixes(packed) {
                                    push(
                                        keys,
                                        FeatureHasher::new(template)
                                            .num(u64::from(want))
                                            .num(u64::from(take))
                                            .num(u64::from(bits)),
                                    );
                                }
                            }
                            None => push(keys, FeatureHasher::new(template).num(99)),
                        }
                    }
                }

                // Gazetteer.
                for bit in 0..16u16 {
                    if info.gazetteer & (1 << bit) != 0 {
                        push(keys, FeatureHasher::new(23).num(u64::from(bit)));
                        push(keys, FeatureHasher::new(32).num(u64::from(bit)).num(case));
                    }
                }
                if let Some(major) = info.gazetteer_major {
                    push(keys, FeatureHasher::new(33).num(u64::from(major)));
                }
                for (template, neighbour) in [(24u32, prev), (25u32, next)] {
                    let mask = neighbour.map(|n| n.gazetteer).unwrap_or(0);
                    let mut types = 0u64;
                    for ty in 0..4 {
                        if mask & (15 << (ty * 4)) != 0 {
                            types |= 1 << ty;
                        }
                    }
                    push(keys, FeatureHasher::new(template).num(types));
                }

                // Place names (GeoNames): kind and position in the longest match, with the
                // token's casing and sentence position, the place's size, and the neighbours'.
                if info.places != 0 {
                    for bit in 0..16u16 {
                        if info.places & (1 << bit) != 0 {
                            push(keys, FeatureHasher::new(50).num(u64::from(bit)));
                            push(
                                keys,
                                FeatureHasher::new(51)
                                    .num(u64::from(bit))
                                    .num(case)
                                    .num(first | (headline_flag << 1)),
                            );
                        }
                    }
                    if let Some(bucket) = info.place_bucket {
                        push(
                            keys,
                            FeatureHasher::new(52)
                                .num(u64::from(bucket))
                                .num(u64::from(info.gazetteer_major.map_or(9, |m| m))),
                        );
                    }
                }
                for (template, neighbour) in [(61u32, prev), (62u32, next)] {
                    let bits = neighbour.map_or(0, |n| n.name_parts);
                    if bits != 0 {
                        let mut types = 0u64;
                        for ty in 0..4 {
                            if bits & (15 << (ty * 4)) != 0 {
                                types |= 1 << ty;
                            }
                        }
                        push(keys, FeatureHasher::new(template).num(types).num(case));
                    }
                }
                for (template, neighbour) in [(53u32, prev), (54u32, next)] {
                    let mask = neighbour.map(|n| n.places).unwrap_or(0);
                    if mask != 0 {
                        let mut kinds = 0u64;
                        for kind in 0..4 {
                            if mask & (15 << (kind * 4)) != 0 {
                                kinds |= 1 << kind;
                            }
                        }
                        push(keys, FeatureHasher::new(template).num(kinds).num(case));
                    }
                }

                // Other mentions of the same word in the document.
                if let Some(&(capitalised_inside, lower_case)) = document
                    .stats
                    .get(info.word_id as usize)
                    .filter(|_| document.document_features)
                {
                    let self_inside = u32::from(t > 0 && !headline && is_capitalised(info.case));
                    let self_lower = u32::from(info.case == CaseClass::Lower);
                    let inside_elsewhere = capitalised_inside.saturating_sub(self_inside) > 0;
                    let lower_elsewhere = lower_case.saturating_sub(self_lower) > 0;
                    push(
                        keys,
                        FeatureHasher::new(26)
                            .num(case)
                            .num(u64::from(inside_elsewhere))
                            .num(u64::from(lower_elsewhere))
                            .num(first | (headline_flag << 1)),
                    );
                }

                // Personal pronouns ("he", "her") after the name, here and after the word's
                // other mentions in the document: "Kim said he ...".
                if document.pronoun_features && is_capitalised(info.case) {
                    let own = pronoun_after(document, infos, t);
                    push(keys, FeatureHasher::new(63).num(u64::from(own)));
                    if document.document_features {
                        let mut seen = 0u64;
                        if let Some(list) = document.occurrences.get(info.word_id as usize) {
                            for &(os, ot) in list.as_slice() {
                                if (os as usize, ot as usize) == (s, t) {
                                    continue;
                                }
                                if let Some(other) = document.sentences.get(os as usize) {
                                    seen |= 1 << pronoun_after(document, other, ot as usize);
                                }
                            }
                        }
                        push(keys, FeatureHasher::new(64).num(seen >> 1));
                    }
                }

                // Context aggregation: neighbours of the word's other occurrences in the document.
                if document.document_features
                    && info.case != CaseClass::Lower
                    && info.case != CaseClass::NoLetter
                {
                    if let Some(list) = document.occurrences.get(info.word_id as usize) {
                        for &(os, ot) in list.as_slice() {
                            if (os as usize, ot as usize) == (s, t) {
                                continue;
                            }
                            let Some(other) = document.sentences.get(os as usize) else {
                                continue;
                            };
                            let ot = ot as usize;
                            let before = ot
                                .checked_sub(1)
                                .and_then(|i| other.get(i))
                                .map(|i| i.lower_hash)
                                .unwrap_or(BOS_HASH);
                            let after = other.get(ot + 1).map(|i| i.lower_hash).unwrap_or(EOS_HASH);
                            push(keys, FeatureHasher::new(35).num(before));
                            push(keys, FeatureHasher::new(36).num(after));
                            let before2 = ot
                                .checked_sub(2)
                                .and_then(|i| other.get(i))
                                .map(|i| i.lower_hash)
                                .unwrap_or(BOS_HASH);
                            let after2 =
                                other.get(ot + 2).map(|i| i.lower_hash).unwrap_or(EOS_HASH);
                            push(keys, FeatureHasher::new(37).num(before2));
                            push(keys, FeatureHasher::new(38).num(after2));
                        }
                    }
                }
            }

            // Second pass: first-pass labels of this word elsewhere and around the token.
            if let Some(sentence_prior) = sentence_prior {
                let own = sentence_prior.get(t).copied().unwrap_or(OUTSIDE);
                if let Some(counts) = prior_counts.get(info.word_id as usize) {
                    let mut others = *counts;
                    let own_type = prior_type(own);
                    others[own_type] = others[own_type].saturating_sub(1);
                    let entity_total: u32 = others[1..].iter().sum();
                    if entity_total > 0 {
                        let mut best = 1;
                        for ty in 2..5 {
                            if others[ty] > others[best] {
                                best = ty;
                            }
                        }
                        push(keys, FeatureHasher::new(43).num(best as u64));
                        push(
                            keys,
                            FeatureHasher::new(44)
                                .num(best as u64)
                                .num(u64::from(others[0] > 0))
                                .num(case),
                        );
                    } else if others[0] > 0 {
                        push(keys, FeatureHasher::new(43).num(0));
                    }
                }
                let label_at = |index: Option<usize>| -> u64 {
                    index
                        .and_then(|i| sentence_prior.get(i))
                        .map(|&l| u64::from(l))
                        .unwrap_or(99)
                };
                let own = u64::from(own);
                let before = label_at(t.checked_sub(1));
                let after = label_at(Some(t + 1));
                if let Some(counts) = within_counts.get(info.word_id as usize) {
                    let mut others = *counts;
                    if let Some(slot) = within_slot(sentence_prior.get(t).copied().unwrap_or(0)) {
                        others[slot] = others[slot].saturating_sub(1);
                    }
                    let mut best = 16usize;
                    for (slot, &count) in others.iter().enumerate() {
                        if count > 0 && (best == 16 || count > others[best]) {
                            best = slot;
                        }
                    }
                    if best < 16 {
                        let own_label = sentence_prior.get(t).copied().unwrap_or(OUTSIDE);
                        let own_part = match decode(own_label) {
                            None => 0u64,
                            Some((_, part)) => 1 + part as u64,
                        };
                        push(
                            keys,
                            FeatureHasher::new(48)
                                .num(best as u64)
                                .num(own_part)
                                .num(case),
                        );
                        push(
                            keys,
                            FeatureHasher::new(49)
                                .num((best / 4) as u64)
                                .num(prior_type(own_label) as u64),
                        );
                    }
                }
                push(keys, FeatureHasher::new(40).num(own));
                if let Some((bits, major)) = local_matches.as_ref().and_then(|m| m.get(t)) {
                    for bit in 0..16u16 {
                        if bits & (1 << bit) != 0 {
                            push(keys, FeatureHasher::new(45).num(u64::from(bit)));
                        }
                    }
                    if let Some(major) = major {
                        push(
                            keys,
                            FeatureHasher::new(46).num(u64::from(*major)).num(case),
                        );
                        push(keys, FeatureHasher::new(47).num(u64::from(*major)).num(own));
                    }
                }
                push(keys, FeatureHasher::new(41).num(before).num(own));
                push(keys, FeatureHasher::new(42).num(own).num(after));
            }

            features.offsets.push(features.keys.len());
        }
        out.push(features);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_cases() {
        assert_eq!(shapes("Washington"), ("Xxx".to_string(), "Xx".to_string()));
        assert_eq!(
            shapes("1996-08-22"),
            ("dd-dd-dd".to_string(), "d-d-d".to_string())
        );
        assert_eq!(case_class("EU"), CaseClass::Upper);
        assert_eq!(case_class("McDonald"), CaseClass::Mixed);
        assert_eq!(case_class("said"), CaseClass::Lower);
        assert!(is_headline(&["SOCCER", "-", "JAPAN", "WIN", "."]));
        assert!(!is_headline(&["The", "EU", "said", "."]));
        assert_eq!(trim_edges("Frankreich,"), "Frankreich");
        assert_eq!(trim_edges("„Berlin“"), "Berlin");
        assert_eq!(trim_edges("--"), "--");
    }

    /// Empty lexicon resources, and a context over them with the English model's switches.
    type Resources = (Casing, Clusters, Gazetteer, Places);

    fn resources() -> Resources {
        Default::default()
    }

    fn context(resources: &Resources, lowercase_outside: bool) -> Context<'_> {
        let (casing, clusters, gazetteer, places) = resources;
        Context {
            casing,
            clusters,
            gazetteer,
            places,
            document: true,
            pronouns: true,
            subwords: false,
            trim: false,
            brown: false,
            brown_neighbours: false,
            lowercase_outside,
        }
    }

    #[test]
    fn lower_case_words_among_lower_case_words_are_skipped() {
        let resources = resources();
        let mut context = context(&resources, true);
        let doc = vec![
            "the show , run by Joop van den Ende , opened in 1996 to rave reviews ."
                .split(' ')
                .collect::<Vec<_>>(),
            vec!["iPhone", "sales", "rose"],
        ];
        let skipped: Vec<Vec<bool>> = forced_outside(&prepare(&doc, &context));
        let words = |s: usize| -> Vec<&str> {
            doc[s]
                .iter()
                .zip(&skipped[s])
                .filter(|(_, &skip)| skip)
                .map(|(word, _)| *word)
                .collect()
        };
        // "by", "van" and "den" touch a name, "in" and "to" a number, "sales" "iPhone"
        assert_eq!(
            words(0),
            ["the", "show", "run", "opened", "rave", "reviews"]
        );
        assert_eq!(words(1), ["rose"]);
        context.lowercase_outside = false;
        assert!(forced_outside(&prepare(&doc, &context)).is_empty());
    }

    #[test]
    fn every_token_gets_features() {
        let resources = resources();
        let context = context(&resources, false);
        let doc = vec![
            vec!["EU", "rejects", "German", "call"],
            vec!["Peter", "Blackburn"],
        ];
        let features = extract_document(&doc, &context, None);
        assert_eq!(features.len(), 2);
        assert_eq!(features[0].len(), 4);
        assert!(features[1].token(1).len() > 10);
    }
}
