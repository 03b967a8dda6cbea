//! Word knowledge learned before tagging: casing statistics and word clusters from unlabelled
//! text, and a gazetteer of entity names from the labelled training documents.

use std::collections::HashMap;

use newsflow_model::EntityType;

use crate::hash::{hash_str, FeatureHasher, KeyTable};
use crate::labels::type_index;

pub(crate) const KIND_CASING: u32 = 0xCA5E;
pub(crate) const KIND_CLUSTER: u32 = 0xC1A5;
/// Key kind of a word's Brown cluster path in the [`Clusters`] table.
pub(crate) const KIND_BROWN: u32 = 0xB50A;
/// Longest Brown path prefix kept per word (bits).
pub(crate) const BROWN_MAX_BITS: u32 = 20;
pub(crate) const KIND_GAZETTEER: u32 = 0x6A2E;
/// Key kind of a single word's entry in the [`Gazetteer`] table: the (type, part) pairs the
/// word had inside training entities.
pub(crate) const KIND_NAME_PART: u32 = 0x6A2F;

/// Kind bits of a place name in [`Places`] (bits 0..4 of the stored value).
pub(crate) const PLACE_CITY: u32 = 1;
pub(crate) const PLACE_COUNTRY: u32 = 2;
pub(crate) const PLACE_CONTINENT: u32 = 4;
pub(crate) const PLACE_ADMIN1: u32 = 8;

/// Longest gazetteer entry, in tokens.
pub(crate) const GAZETTEER_MAX_TOKENS: usize = 6;

/// Lower-cases and normalises curly quotes and digits (every digit becomes `0`).
pub(crate) fn normalise_lower(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    normalise_lower_into(word, &mut out);
    out
}

/// [`normalise_lower`] into a reused buffer (cleared first).
pub(crate) fn normalise_lower_into(word: &str, out: &mut String) {
    out.clear();
    for c in word.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '`' => out.push('\''),
            '\u{201c}' | '\u{201d}' | '\u{201e}' => out.push('"'),
            '0'..='9' => out.push('0'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// Casing statistics: for a lower-cased word, how often it is capitalised when it is not the
/// first word of a sentence, and how frequent it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct Casing {
    pub(crate) table: KeyTable,
}

impl Casing {
    /// Build from tokenized sentences of unlabelled text.
    pub(crate) fn build<'a>(sentences: impl Iterator<Item = Vec<&'a str>>) -> Casing {
        let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
        for sentence in sentences {
            // Skip all-caps lines (headlines): their casing says nothing.
            let letters: Vec<&&str> = sentence
                .iter()
                .filter(|w| w.chars().any(|c| c.is_alphabetic()))
                .collect();
            let caps = letters
                .iter()
                .filter(|w| !w.chars().any(|c| c.is_lowercase()))
                .count();
            if letters.len() >= 3 && caps * 10 >= letters.len() * 8 {
                continue;
            }
            for word in sentence.iter().skip(1) {
                let Some(first) = word.chars().next() else {
                    continue;
                };
                if !first.is_alphabetic() {
                    continue;
                }
                let entry = counts.entry(normalise_lower(word)).or_insert((0, 0));
                entry.1 += 1;
                if first.is_uppercase() {
                    entry.0 += 1;
                }
            }
        }
        let mut keys: Vec<(&String, &(u32, u32))> = counts.iter().collect();
        keys.sort();
        let mut table = KeyTable::with_capacity(keys.len());
        for (word, &(capitalised, total)) in keys {
            if total < 2 {
                continue;
            }
            let share = f64::from(capitalised) / f64::from(total);
            let share_bucket = if share < 0.05 {
                0
            } else if share < 0.5 {
                1
            } else if share < 0.95 {
                2
            } else {
                3
            };
            let freq_bucket = (32 - total.leading_zeros()).min(12);
            table.insert(hash_str(KIND_CASING, word), share_bucket * 16 + freq_bucket);
        }
        Casing { table }
    }

    /// `(share bucket 0..4, frequency bucket)` of a normalised lower-case word.
    pub(crate) fn lookup(&self, lower: &str) -> Option<(u32, u32)> {
        self.table
            .get(hash_str(KIND_CASING, lower))
            .map(|code| (code / 16, code % 16))
    }
}

/// Word clusters: up to three cluster ids (coarse to fine) per lower-cased word.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clusters {
    pub(crate) table: KeyTable,
}

impl Clusters {
    /// Packed ids: 10 bits per level, level 0 in the low bits; a level of 1023 means none.
    pub(crate) fn lookup(&self, lower: &str) -> Option<[u32; 3]> {
        self.table
            .get(hash_str(KIND_CLUSTER, lower))
            .map(|packed| [packed & 1023, (packed >> 10) & 1023, (packed >> 20) & 1023])
    }

    /// The word's Brown path, packed: length (at most [`BROWN_MAX_BITS`]) in bits 0..5, the
    /// first `length` bits of the path (as a binary number) above.
    pub(crate) fn brown(&self, lower: &str) -> Option<u32> {
        self.table.get(hash_str(KIND_BROWN, lower))
    }

    /// These clusters plus the Brown paths of `brown` (keyed apart from the k-means ids).
    pub(crate) fn with_brown(self, brown: &crate::brown::BrownClusters) -> Clusters {
        if brown.entries.is_empty() {
            return self;
        }
        let mut table = KeyTable::with_capacity(self.table.len() + brown.entries.len());
        for (key, value) in self.table.entries() {
            table.insert(key, value);
        }
        for entry in &brown.entries {
            table.insert(hash_str(KIND_BROWN, &entry.word), pack_brown(&entry.path));
        }
        Clusters { table }
    }
}

/// See [`Clusters::brown`].
pub(crate) fn pack_brown(path: &str) -> u32 {
    let bits = path.len().min(BROWN_MAX_BITS as usize);
    let mut value = 0u32;
    for byte in path.bytes().take(bits) {
        value = (value << 1) | u32::from(byte == b'1');
    }
    bits as u32 | (value << 5)
}

/// The Brown path prefixes used as features: `(prefix length asked, length, bits)`; a path
/// shorter than the prefix gives its whole self.
pub(crate) fn brown_prefixes(packed: u32) -> [(u32, u32, u32); 4] {
    let length = packed & 31;
    let value = packed >> 5;
    [4, 6, 10, 20].map(|want: u32| {
        let take = want.min(length);
        (want, take, value >> (length - take))
    })
}

/// Entity names seen in labelled data: normalised token sequence -> types seen.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gazetteer {
    pub(crate) table: KeyTable,
}

pub(crate) fn gazetteer_key<S: AsRef<str>>(lowered: &[S]) -> u64 {
    let mut hasher = FeatureHasher::new(KIND_GAZETTEER);
    for word in lowered {
        hasher = hasher.str(word.as_ref());
    }
    hasher.finish()
}

impl Gazetteer {
    /// Build from (normalised tokens, type) entity occurrences. The stored value is a bit mask
    /// of types seen (bits 0..4) plus the majority type (bits 4..6).
    /// With `name_parts`, every word of an entry also gets an entry of its own (see
    /// [`Gazetteer::name_parts`]).
    pub(crate) fn build(
        entries: impl Iterator<Item = (Vec<String>, EntityType)>,
        name_parts: bool,
    ) -> Gazetteer {
        let mut counts: HashMap<Vec<String>, [u32; 4]> = HashMap::new();
        let mut parts: HashMap<String, u32> = HashMap::new();
        for (words, kind) in entries {
            if words.is_empty() || words.len() > GAZETTEER_MAX_TOKENS {
                continue;
            }
            if name_parts {
                let last = words.len() - 1;
                for (index, word) in words.iter().enumerate() {
                    let part = if last == 0 {
                        3
                    } else if index == 0 {
                        0
                    } else if index == last {
                        2
                    } else {
                        1
                    };
                    *parts.entry(word.clone()).or_insert(0) |= 1 << (type_index(kind) * 4 + part);
                }
            }
            counts.entry(words).or_default()[type_index(kind)] += 1;
        }
        let mut keys: Vec<(&Vec<String>, &[u32; 4])> = counts.iter().collect();
        keys.sort();
        let mut table = KeyTable::with_capacity(keys.len());
        for (words, type_counts) in keys {
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
            table.insert(gazetteer_key(words), mask | ((best as u32) << 4));
        }
        let mut part_keys: Vec<(&String, &u32)> = parts.iter().collect();
        part_keys.sort();
        let mut table = if part_keys.is_empty() {
            table
        } else {
            let mut merged = KeyTable::with_capacity(table.len() + part_keys.len());
            for (key, value) in table.entries() {
                merged.insert(key, value);
            }
            merged
        };
        for (word, &bits) in part_keys {
            table.insert(hash_str(KIND_NAME_PART, word), bits);
        }
        Gazetteer { table }
    }

    pub(crate) fn lookup(&self, key: u64) -> Option<u32> {
        self.table.get(key)
    }

    /// The (type, part) bits (`type * 4 + part`) a normalised lower-case word had inside
    /// training entities.
    pub(crate) fn name_parts(&self, lower: &str) -> u16 {
        self.table
            .get(hash_str(KIND_NAME_PART, lower))
            .map_or(0, |bits| bits as u16)
    }
}

/// Place names from GeoNames (world knowledge, not training labels): normalised token sequence
/// (keyed like the [`Gazetteer`]) -> kinds seen (bits 0..4: city, country, continent, admin1)
/// and the population bucket of the largest place of that name (bits 4..8: 0 unknown, else
/// the number of decimal digits, at most 9).
#[derive(Debug, Clone, Default)]
pub(crate) struct Places {
    pub(crate) table: KeyTable,
}

fn population_bucket(population: u64) -> u32 {
    if population == 0 {
        0
    } else {
        (population.ilog10() + 1).min(9)
    }
}

impl Places {
    /// Build from GeoNames rows: each name is tokenized like running text and lower-cased.
    pub(crate) fn build(places: &[newsflow_corpus::gazetteers::Place]) -> Places {
        use newsflow_corpus::gazetteers::PlaceKind;
        let mut entries: HashMap<Vec<String>, (u32, u32)> = HashMap::new();
        for place in places {
            let words: Vec<String> = crate::tokenize::tokenize(&place.name)
                .iter()
                .map(|token| normalise_lower(token.text(&place.name)))
                .collect();
            if words.is_empty() || words.len() > GAZETTEER_MAX_TOKENS {
                continue;
            }
            let kind = match place.kind {
                PlaceKind::City => PLACE_CITY,
                PlaceKind::Country => PLACE_COUNTRY,
                PlaceKind::Continent => PLACE_CONTINENT,
                PlaceKind::Admin1 => PLACE_ADMIN1,
            };
            let entry = entries.entry(words).or_insert((0, 0));
            entry.0 |= kind;
            entry.1 = entry.1.max(population_bucket(place.population));
        }
        let mut keys: Vec<(&Vec<String>, &(u32, u32))> = entries.iter().collect();
        keys.sort();
        let mut table = KeyTable::with_capacity(keys.len());
        for (words, &(kinds, bucket)) in keys {
            table.insert(gazetteer_key(words), kinds | (bucket << 4));
        }
        Places { table }
    }

    pub(crate) fn lookup(&self, key: u64) -> Option<u32> {
        self.table.get(key)
    }
}

/// Settings of the distributional clustering.
const CLUSTER_MIN_COUNT: u32 = 3;
const CLUSTER_MAX_WORDS: usize = 60_000;
const CONTEXT_WORDS: usize = 800;
const KMEANS_ROUNDS: usize = 10;

fn normalise(vector: &mut [f32]) {
    let norm: f32 = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for v in vector.iter_mut() {
            *v /= norm;
        }
    }
}

/// Deterministic spherical k-means over sparse vectors (index, value), returning the cluster
/// of every vector and the (normalised) centroids.
fn kmeans(vectors: &[Vec<(u32, f32)>], dims: usize, k: usize) -> (Vec<u32>, Vec<Vec<f32>>) {
    let k = k.min(vectors.len()).max(1);
    // Seeds: vectors spread evenly over the (frequency-sorted) list.
    let mut centroids: Vec<Vec<f32>> = (0..k)
        .map(|c| {
            let mut dense = vec![0f32; dims];
            if let Some(v) = vectors.get(c * vectors.len() / k) {
                for &(i, x) in v {
                    dense[i as usize] = x;
                }
            }
            dense
        })
        .collect();
    let mut assignment = vec![0u32; vectors.len()];
    for _round in 0..KMEANS_ROUNDS {
        for (slot, vector) in assignment.iter_mut().zip(vectors) {
            let mut best = 0usize;
            let mut best_score = f32::NEG_INFINITY;
            for (c, centroid) in centroids.iter().enumerate() {
                let score: f32 = vector.iter().map(|&(i, x)| centroid[i as usize] * x).sum();
                if score > best_score {
                    best_score = score;
                    best = c;
                }
            }
            *slot = best as u32;
        }
        let mut sums = vec![vec![0f32; dims]; k];
        for (vector, &c) in vectors.iter().zip(&assignment) {
            for &(i, x) in vector {
                sums[c as usize][i as usize] += x;
            }
        }
        for (c, sum) in sums.iter_mut().enumerate() {
            if sum.iter().all(|v| *v == 0.0) {
                // Keep an empty cluster's old centroid.
                sum.clone_from(&centroids[c]);
            }
            normalise(sum);
        }
        centroids = sums;
    }
    (assignment, centroids)
}

impl Clusters {
    /// Distributional word clusters: each frequent word is a vector of its left and right
    /// neighbours (among the most frequent words), clustered by spherical k-means into `fine`
    /// clusters; the centroids are clustered again into `fine / 4` and `fine / 16` clusters.
    pub(crate) fn build<'a>(
        sentences: impl Iterator<Item = Vec<&'a str>>,
        fine: usize,
    ) -> Clusters {
        let sentences: Vec<Vec<String>> = sentences
            .map(|s| s.iter().map(|w| normalise_lower(w)).collect())
            .collect();
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for sentence in &sentences {
            for word in sentence {
                *counts.entry(word.as_str()).or_insert(0) += 1;
            }
        }
        let mut by_frequency: Vec<(&str, u32)> = counts.iter().map(|(w, c)| (*w, *c)).collect();
        by_frequency.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let context_index: HashMap<&str, u32> = by_frequency
            .iter()
            .take(CONTEXT_WORDS)
            .enumerate()
            .map(|(i, (w, _))| (*w, i as u32))
            .collect();
        let words: Vec<&str> = by_frequency
            .iter()
            .filter(|(_, c)| *c >= CLUSTER_MIN_COUNT)
            .take(CLUSTER_MAX_WORDS)
            .map(|(w, _)| *w)
            .collect();
        let word_index: HashMap<&str, usize> =
            words.iter().enumerate().map(|(i, w)| (*w, i)).collect();
        // Context dims: left word (0..C), right word (C..2C), plus "other"/edge slots.
        let dims = 2 * CONTEXT_WORDS + 4;
        let mut contexts: Vec<HashMap<u32, u32>> = vec![HashMap::new(); words.len()];
        for sentence in &sentences {
            for (t, word) in sentence.iter().enumerate() {
                let Some(&index) = word_index.get(word.as_str()) else {
                    continue;
                };
                let left = if t == 0 {
                    2 * CONTEXT_WORDS as u32
                } else {
                    context_index
                        .get(sentence[t - 1].as_str())
                        .copied()
                        .unwrap_or(2 * CONTEXT_WORDS as u32 + 1)
                };
                let right = match sentence.get(t + 1) {
                    None => 2 * CONTEXT_WORDS as u32 + 2,
                    Some(next) => context_index
                        .get(next.as_str())
                        .map(|i| i + CONTEXT_WORDS as u32)
                        .unwrap_or(2 * CONTEXT_WORDS as u32 + 3),
                };
                *contexts[index].entry(left).or_insert(0) += 1;
                *contexts[index].entry(right).or_insert(0) += 1;
            }
        }
        let vectors: Vec<Vec<(u32, f32)>> = contexts
            .iter()
            .map(|context| {
                let mut v: Vec<(u32, f32)> = context
                    .iter()
                    .map(|(&i, &c)| (i, (1.0 + c as f32).ln()))
                    .collect();
                v.sort_by_key(|&(i, _)| i);
                let norm: f32 = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
                if norm > 0.0 {
                    for (_, x) in v.iter_mut() {
                        *x /= norm;
                    }
                }
                v
            })
            .collect();
        let (fine_assignment, centroids) = kmeans(&vectors, dims, fine.clamp(1, 1000));
        let dense_as_sparse: Vec<Vec<(u32, f32)>> = centroids
            .iter()
            .map(|c| {
                c.iter()
                    .enumerate()
                    .filter(|(_, x)| **x != 0.0)
                    .map(|(i, x)| (i as u32, *x))
                    .collect()
            })
            .collect();
        let (medium, _) = kmeans(&dense_as_sparse, dims, (fine / 4).max(1));
        let (coarse, _) = kmeans(&dense_as_sparse, dims, (fine / 16).max(1));
        let mut table = KeyTable::with_capacity(words.len());
        for (word, &cluster) in words.iter().zip(&fine_assignment) {
            let c = cluster as usize;
            let packed = (coarse[c] & 1023) | ((medium[c] & 1023) << 10) | ((cluster & 1023) << 20);
            table.insert(hash_str(KIND_CLUSTER, word), packed);
        }
        Clusters { table }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casing_separates_names_from_common_words() {
        let text = vec![
            vec!["Yesterday", "the", "man", "met", "Smith", "in", "Paris"],
            vec!["The", "man", "saw", "Smith", "and", "the", "dog"],
        ];
        let casing = Casing::build(text.into_iter());
        assert_eq!(casing.lookup("smith").map(|(share, _)| share), Some(3));
        assert_eq!(casing.lookup("the").map(|(share, _)| share), Some(0));
        assert_eq!(casing.lookup("paris"), None); // seen once: no statistics
    }

    #[test]
    fn clusters_group_words_by_context() {
        let mut text = Vec::new();
        for _ in 0..5 {
            for animal in ["cat", "dog", "cow"] {
                text.push(vec!["the", animal, "eats", "grass"]);
            }
            for city in ["paris", "rome", "oslo"] {
                text.push(vec!["flights", "to", city, "today"]);
            }
        }
        let clusters = Clusters::build(text.into_iter(), 2);
        let fine = |w: &str| clusters.lookup(w).map(|levels| levels[2]);
        assert!(fine("cat").is_some());
        assert_eq!(fine("cat"), fine("dog"));
        assert_eq!(fine("cat"), fine("cow"));
        assert_eq!(fine("paris"), fine("rome"));
        assert_ne!(fine("cat"), fine("paris"));
        assert_eq!(fine("unseen"), None);
    }

    #[test]
    fn brown_paths_give_prefixes() {
        let packed = pack_brown("0110101");
        assert_eq!(packed & 31, 7);
        // 4, 6 bits: prefixes; 10, 20 bits: the whole 7-bit path.
        assert_eq!(
            brown_prefixes(packed),
            [
                (4, 4, 0b0110),
                (6, 6, 0b011010),
                (10, 7, 0b0110101),
                (20, 7, 0b0110101)
            ]
        );
        let long = pack_brown("1111000011110000111100001");
        assert_eq!(long & 31, 20);
        assert_eq!(
            brown_prefixes(long)[3],
            (20, 20, 0b1111_0000_1111_0000_1111)
        );
        let brown = crate::brown::BrownClusters::parse("0110101\tparis\t9\n").expect("parse");
        let clusters = Clusters::default().with_brown(&brown);
        assert_eq!(clusters.brown("paris"), Some(packed));
        assert_eq!(clusters.brown("rome"), None);
        assert_eq!(clusters.lookup("paris"), None);
    }

    #[test]
    fn places_keep_kinds_and_population() {
        use newsflow_corpus::gazetteers::{Place, PlaceKind};
        let place = |name: &str, kind, population| Place {
            name: name.to_string(),
            kind,
            country: String::new(),
            population,
        };
        let places = Places::build(&[
            place("New York City", PlaceKind::City, 8_175_133),
            place("Georgia", PlaceKind::Country, 3_700_000),
            place("Georgia", PlaceKind::Admin1, 10_000_000),
        ]);
        let value = places
            .lookup(gazetteer_key(&["new", "york", "city"]))
            .expect("entry");
        assert_eq!(value & 15, PLACE_CITY);
        assert_eq!(value >> 4, 7);
        let value = places.lookup(gazetteer_key(&["georgia"])).expect("entry");
        assert_eq!(value & 15, PLACE_COUNTRY | PLACE_ADMIN1);
        assert_eq!(value >> 4, 8);
    }

    #[test]
    fn gazetteer_keeps_name_parts() {
        let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        let entries = vec![
            (words("kim young sam"), EntityType::PER),
            (words("un"), EntityType::ORG),
        ];
        let gazetteer = Gazetteer::build(entries.clone().into_iter(), true);
        // PER (type 0): "kim" begins, "young" is inside, "sam" ends; "un" is a single ORG.
        assert_eq!(gazetteer.name_parts("kim"), 1 << 0);
        assert_eq!(gazetteer.name_parts("young"), 1 << 1);
        assert_eq!(gazetteer.name_parts("sam"), 1 << 2);
        assert_eq!(gazetteer.name_parts("un"), 1 << (4 + 3));
        assert_eq!(gazetteer.name_parts("jong"), 0);
        let without = Gazetteer::build(entries.into_iter(), false);
        assert_eq!(without.name_parts("kim"), 0);
        assert!(without
            .lookup(gazetteer_key(&["kim", "young", "sam"]))
            .is_some());
    }

    #[test]
    fn gazetteer_keeps_types_and_majority() {
        let entries = vec![
            (vec!["new".to_string(), "york".to_string()], EntityType::LOC),
            (vec!["new".to_string(), "york".to_string()], EntityType::LOC),
            (vec!["new".to_string(), "york".to_string()], EntityType::ORG),
        ];
        let gazetteer = Gazetteer::build(entries.into_iter(), false);
        let value = gazetteer
            .lookup(gazetteer_key(&["new", "york"]))
            .expect("entry");
        assert_eq!(value & 15, 0b0110); // ORG and LOC seen
        assert_eq!(value >> 4, 2); // LOC is the majority
        assert_eq!(gazetteer.lookup(gazetteer_key(&["york"])), None);
    }
}
