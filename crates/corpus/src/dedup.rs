//! Exact and near-duplicate documents. BBC repeats articles (the same story under another
//! headline, or lightly edited); a pair that straddles a train/dev split is a free hit for the
//! model, so the BBC split ([`crate::bbc::split`]) drops repeats before splitting.

use std::collections::{HashMap, HashSet};

use crate::Labelled;

/// The text's lowercase words (runs of alphanumeric characters), for duplicate detection.
fn dedup_words(text: &str) -> Vec<String> {
    text.split(|ch: char| !ch.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words per shingle of the near-duplicate test.
pub const SHINGLE_WORDS: usize = 5;
/// Two documents whose sets of word 5-grams have a Jaccard similarity of at least this are
/// near-duplicates (the same article with another headline or a corrected sentence).
pub const NEAR_DUPLICATE_JACCARD: f64 = 0.5;

/// FNV-1a over the words of a shingle, with a separator byte between words.
fn shingle_hash(words: &[String]) -> u64 {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for word in words {
        for &byte in word.as_bytes().iter().chain(std::iter::once(&0u8)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    hash
}

/// Sorted distinct hashes of the word `SHINGLE_WORDS`-grams (the whole text as one shingle
/// when it is shorter).
fn shingles(words: &[String]) -> Vec<u64> {
    let mut out: Vec<u64> = if words.len() <= SHINGLE_WORDS {
        vec![shingle_hash(words)]
    } else {
        words.windows(SHINGLE_WORDS).map(shingle_hash).collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Jaccard similarity of two sorted distinct lists.
fn jaccard(first: &[u64], second: &[u64]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < first.len() && j < second.len() {
        match first[i].cmp(&second[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = first.len() + second.len() - shared;
    if union == 0 {
        1.0
    } else {
        shared as f64 / union as f64
    }
}

/// The documents without repeats; the first copy stays. A document is dropped when its words
/// (ignoring case and punctuation) equal a kept document's, or when the Jaccard similarity of
/// its word 5-gram set with a kept document's is at least [`NEAR_DUPLICATE_JACCARD`] (the same
/// article under another headline, or lightly edited: such pairs straddling a split inflate
/// the dev figure). Returns the kept documents and how many were dropped.
///
/// Candidates are found by prefix filtering (each set's rarest `|S| - ceil(t|S|) + 1`
/// shingles are indexed; two sets with Jaccard >= t must share one of them), so the result is
/// the same as comparing every pair, without the quadratic cost on ordinary text.
pub fn dedup<T: Labelled>(docs: Vec<T>) -> (Vec<T>, usize) {
    let before = docs.len();
    let words: Vec<Vec<String>> = docs.iter().map(|doc| dedup_words(doc.text())).collect();
    let sets: Vec<Vec<u64>> = words.iter().map(|words| shingles(words)).collect();
    let mut frequency: HashMap<u64, u32> = HashMap::new();
    for set in &sets {
        for &hash in set {
            *frequency.entry(hash).or_insert(0) += 1;
        }
    }
    let mut exact = HashSet::new();
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut keep = vec![false; docs.len()];
    for (doc, set) in sets.iter().enumerate() {
        if !exact.insert(words[doc].join(" ")) {
            continue;
        }
        let mut ordered = set.clone();
        ordered.sort_unstable_by_key(|hash| (frequency[hash], *hash));
        let prefix = set.len() - (NEAR_DUPLICATE_JACCARD * set.len() as f64).ceil() as usize + 1;
        let prefix = &ordered[..prefix.min(ordered.len())];
        let mut checked = HashSet::new();
        let duplicate = prefix.iter().any(|hash| {
            index.get(hash).is_some_and(|kept| {
                kept.iter().any(|&other| {
                    checked.insert(other) && jaccard(set, &sets[other]) >= NEAR_DUPLICATE_JACCARD
                })
            })
        });
        if duplicate {
            continue;
        }
        keep[doc] = true;
        for &hash in prefix {
            index.entry(hash).or_default().push(doc);
        }
    }
    let kept: Vec<T> = docs
        .into_iter()
        .zip(keep)
        .filter_map(|(doc, keep)| keep.then_some(doc))
        .collect();
    let dropped = before - kept.len();
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LabeledDoc;

    #[test]
    fn exact_repeats_ignore_case_and_punctuation() {
        let doc = |text: &str, label: &str| LabeledDoc {
            text: text.into(),
            label: label.into(),
        };
        let docs = vec![doc("A b.", "x"), doc("a  B", "x"), doc("c", "x")];
        let (kept, dropped) = dedup(docs);
        assert_eq!((kept.len(), dropped), (2, 1));
        assert_eq!(kept[0].text, "A b.");
    }

    /// A deterministic article of `len` words drawn from a small vocabulary.
    fn article(seed: u64, len: usize) -> String {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                format!("w{}", state % 40)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn near_duplicates_under_another_headline_are_dropped() {
        let body = article(1, 200);
        let doc = |text: String, label: &str| LabeledDoc {
            text,
            label: label.into(),
        };
        let docs = vec![
            doc(
                format!("China continues rapid growth\n\n{body}"),
                "business",
            ),
            doc(
                format!("China continues breakneck growth\n\n{body}"),
                "business",
            ),
            // Half the words new: another article on the same story, kept.
            doc(
                format!(
                    "Other story\n\n{} {}",
                    article(2, 100),
                    &body[body.len() / 2..]
                ),
                "business",
            ),
            // Three quarters verbatim: an updated version of the first, dropped.
            doc(
                format!(
                    "Update\n\n{} {}",
                    article(4, 50),
                    &body[..body.len() * 3 / 4]
                ),
                "business",
            ),
            doc(article(3, 200), "tech"),
        ];
        let (kept, dropped) = dedup(docs);
        assert_eq!(dropped, 2);
        assert!(kept[0].text.starts_with("China continues rapid"));
        assert!(kept[1].text.starts_with("Other story"));
        assert_eq!(kept.len(), 3);
    }

    #[test]
    fn prefix_filtering_finds_every_near_duplicate_pair() {
        // Documents made by editing a few base articles by varying amounts: the kept set must
        // be the one a comparison of every pair gives.
        let mut docs = Vec::new();
        for index in 0..120u64 {
            let base: Vec<String> = article(index % 7, 60)
                .split(' ')
                .map(str::to_string)
                .collect();
            let edits: Vec<String> = article(1000 + index, 60)
                .split(' ')
                .map(str::to_string)
                .collect();
            let changed = (index as usize * 7) % 40;
            let words: Vec<String> = base
                .iter()
                .zip(&edits)
                .enumerate()
                .map(|(position, (word, edit))| {
                    if position % 40 < changed {
                        edit.clone()
                    } else {
                        word.clone()
                    }
                })
                .collect();
            docs.push(LabeledDoc {
                text: words.join(" "),
                label: "x".into(),
            });
        }
        let sets: Vec<Vec<u64>> = docs
            .iter()
            .map(|doc| shingles(&dedup_words(&doc.text)))
            .collect();
        let mut expected = Vec::new();
        for (doc, set) in sets.iter().enumerate() {
            let words = dedup_words(&docs[doc].text);
            let repeat = expected.iter().any(|&other: &usize| {
                dedup_words(&docs[other].text) == words
                    || jaccard(set, &sets[other]) >= NEAR_DUPLICATE_JACCARD
            });
            if !repeat {
                expected.push(doc);
            }
        }
        let (kept, dropped) = dedup(docs.clone());
        assert!(dropped > 0 && !kept.is_empty());
        let kept_texts: Vec<&str> = kept.iter().map(|doc| doc.text.as_str()).collect();
        let expected_texts: Vec<&str> = expected
            .iter()
            .map(|&doc| docs[doc].text.as_str())
            .collect();
        assert_eq!(kept_texts, expected_texts);
    }
}
