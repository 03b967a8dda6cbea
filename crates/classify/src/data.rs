//! Training-data formats, parsed from bytes (the caller reads the files):
//!
//! - **BBC**: a tar (optionally gzipped) of `<anything>/<label>/<NNN>.txt`; one article per file,
//!   UTF-8 or Latin-1. For an extracted folder, the caller walks it and uses [`decode_text`].
//! - **AG News**: CSV (optionally gzipped), no header: `class,text` or the official
//!   `class,title,description`; classes `1..4` become `World`, `Sports`, `Business`, `Sci/Tech`,
//!   any other class value is kept as the label.
//! - **JSONL**: one `{"text": "...", "label": "..."}` object per line (blank lines skipped;
//!   other fields ignored). This is the form for users' own labelled data.
//!
//! Plus the corpus helpers used for honest dev figures: [`dedup`] and [`split_every`].

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde::Deserialize;

use crate::{ClassifyError, LabeledDoc};

/// The AG News class names, by class index 1..4.
pub const AG_LABELS: [&str; 4] = ["World", "Sports", "Business", "Sci/Tech"];

fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The bytes, gunzipped when they start with the gzip magic.
pub fn maybe_gunzip(bytes: &[u8]) -> Result<Vec<u8>, ClassifyError> {
    if !is_gzip(bytes) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|err| ClassifyError::Data(format!("bad gzip data: {err}")))?;
    Ok(out)
}

/// Text of a file: UTF-8 when valid, else Latin-1 (every byte is one character).
pub fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text).to_string(),
        Err(_) => bytes.iter().map(|&byte| char::from(byte)).collect(),
    }
}

/// Articles of a BBC-style tar(.gz): every `.../<label>/<file>.txt`, sorted by label, then file
/// name (the order the dev split is defined in).
pub fn parse_bbc_tar(bytes: &[u8]) -> Result<Vec<LabeledDoc>, ClassifyError> {
    let tar_bytes = maybe_gunzip(bytes)?;
    let mut archive = tar::Archive::new(tar_bytes.as_slice());
    let entries = archive
        .entries()
        .map_err(|err| ClassifyError::Data(format!("bad tar data: {err}")))?;
    let mut found: Vec<(String, String, LabeledDoc)> = Vec::new();
    for entry in entries {
        let mut entry =
            entry.map_err(|err| ClassifyError::Data(format!("bad tar entry: {err}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|err| ClassifyError::Data(format!("bad tar path: {err}")))?
            .to_string_lossy()
            .into_owned();
        let parts: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
        let [.., label, file] = parts.as_slice() else {
            continue;
        };
        if !file.ends_with(".txt") || file.starts_with('.') || label.starts_with('.') {
            continue;
        }
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|err| ClassifyError::Data(format!("cannot read {path}: {err}")))?;
        let doc = LabeledDoc {
            text: decode_text(&content),
            label: label.to_string(),
        };
        found.push((label.to_string(), file.to_string(), doc));
    }
    found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(found.into_iter().map(|(_, _, doc)| doc).collect())
}

/// Splits one CSV record starting at `position`; returns its fields and the next position.
fn csv_record(text: &str, mut position: usize) -> (Vec<String>, usize) {
    let bytes = text.as_bytes();
    let mut fields = Vec::new();
    loop {
        let mut field = String::new();
        if bytes.get(position) == Some(&b'"') {
            position += 1;
            let mut start = position;
            loop {
                match text[position..].find('"') {
                    None => {
                        field.push_str(&text[start..]);
                        position = text.len();
                        break;
                    }
                    Some(offset) => {
                        let quote = position + offset;
                        field.push_str(&text[start..quote]);
                        if bytes.get(quote + 1) == Some(&b'"') {
                            field.push('"');
                            position = quote + 2;
                            start = position;
                        } else {
                            position = quote + 1;
                            break;
                        }
                    }
                }
            }
            // Skip anything between the closing quote and the separator.
            while position < bytes.len() && !matches!(bytes[position], b',' | b'\n' | b'\r') {
                position += 1;
            }
        } else {
            let end = text[position..]
                .find([',', '\n', '\r'])
                .map_or(text.len(), |offset| position + offset);
            field.push_str(&text[position..end]);
            position = end;
        }
        fields.push(field);
        match bytes.get(position) {
            Some(b',') => position += 1,
            Some(b'\r') => {
                position += 1;
                if bytes.get(position) == Some(&b'\n') {
                    position += 1;
                }
                return (fields, position);
            }
            Some(b'\n') => return (fields, position + 1),
            _ => return (fields, position),
        }
    }
}

/// Documents of an AG News CSV(.gz), in file order.
pub fn parse_ag_csv(bytes: &[u8]) -> Result<Vec<LabeledDoc>, ClassifyError> {
    let raw = maybe_gunzip(bytes)?;
    let text = decode_text(&raw);
    let mut docs = Vec::new();
    let mut position = 0;
    let mut line = 0;
    while position < text.len() {
        line += 1;
        let (fields, next) = csv_record(&text, position);
        position = next;
        if fields.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let (class, body) = match fields.as_slice() {
            [class, text] => (class, text.clone()),
            [class, title, description] => (class, format!("{title} {description}")),
            _ => {
                return Err(ClassifyError::Data(format!(
                    "csv record {line}: expected 2 or 3 fields, found {}",
                    fields.len()
                )))
            }
        };
        let class = class.trim();
        let label = match class.parse::<usize>() {
            Ok(index @ 1..=4) => AG_LABELS[index - 1].to_string(),
            _ => class.to_string(),
        };
        if label.is_empty() {
            return Err(ClassifyError::Data(format!(
                "csv record {line}: empty class"
            )));
        }
        docs.push(LabeledDoc { text: body, label });
    }
    Ok(docs)
}

#[derive(Deserialize)]
struct JsonDoc {
    text: String,
    label: String,
}

/// Documents of a JSONL file of `{"text","label"}` objects (optionally gzipped), in file order.
pub fn parse_jsonl(bytes: &[u8]) -> Result<Vec<LabeledDoc>, ClassifyError> {
    let raw = maybe_gunzip(bytes)?;
    let text = decode_text(&raw);
    let mut docs = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc: JsonDoc = serde_json::from_str(line)
            .map_err(|err| ClassifyError::Data(format!("jsonl line {}: {err}", number + 1)))?;
        if doc.label.is_empty() {
            return Err(ClassifyError::Data(format!(
                "jsonl line {}: empty label",
                number + 1
            )));
        }
        docs.push(LabeledDoc {
            text: doc.text,
            label: doc.label,
        });
    }
    Ok(docs)
}

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
pub fn dedup(docs: Vec<LabeledDoc>) -> (Vec<LabeledDoc>, usize) {
    let before = docs.len();
    let words: Vec<Vec<String>> = docs.iter().map(|doc| dedup_words(&doc.text)).collect();
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
    let kept: Vec<LabeledDoc> = docs
        .into_iter()
        .zip(keep)
        .filter_map(|(doc, keep)| keep.then_some(doc))
        .collect();
    let dropped = before - kept.len();
    (kept, dropped)
}

/// Splits into (train, dev): document `i` goes to dev when `i % every == 0`, where `i` counts
/// within each label when `per_label` (BBC) or over the whole list otherwise (AG News).
pub fn split_every(
    docs: &[LabeledDoc],
    every: usize,
    per_label: bool,
) -> (Vec<LabeledDoc>, Vec<LabeledDoc>) {
    let every = every.max(1);
    let mut counters: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut train = Vec::new();
    let mut dev = Vec::new();
    for (index, doc) in docs.iter().enumerate() {
        let position = if per_label {
            let counter = counters.entry(doc.label.as_str()).or_insert(0);
            let current = *counter;
            *counter += 1;
            current
        } else {
            index
        };
        if position % every == 0 {
            dev.push(doc.clone());
        } else {
            train.push(doc.clone());
        }
    }
    (train, dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_classes() {
        let data =
            "\"1\",\"Iraq \"\"talks\"\" resume\"\n\"4\",\"new chip\"\n\n3,plain,two parts\r\n";
        let docs = parse_ag_csv(data.as_bytes()).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].label, "World");
        assert_eq!(docs[0].text, "Iraq \"talks\" resume");
        assert_eq!(docs[1].label, "Sci/Tech");
        assert_eq!(
            docs[2],
            LabeledDoc {
                text: "plain two parts".into(),
                label: "Business".into()
            }
        );
        assert!(parse_ag_csv(b"1,2,3,4\n").is_err());
    }

    #[test]
    fn gzip_is_detected() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"\"2\",\"goal\"\n").unwrap();
        let docs = parse_ag_csv(&encoder.finish().unwrap()).unwrap();
        assert_eq!(docs[0].label, "Sports");
        assert!(parse_ag_csv(&[0x1f, 0x8b, 0, 1]).is_err());
    }

    #[test]
    fn jsonl_lines() {
        let docs = parse_jsonl(
            b"{\"text\":\"a\",\"label\":\"x\",\"id\":1}\n\n{\"text\":\"b\",\"label\":\"y\"}\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        let err = parse_jsonl(b"{\"text\":\"a\"}\n").unwrap_err();
        assert!(err.to_string().contains("line 1"));
    }

    #[test]
    fn latin1_fallback() {
        assert_eq!(decode_text(b"caf\xe9"), "café");
        assert_eq!(decode_text("café".as_bytes()), "café");
    }

    #[test]
    fn tar_labels_from_folders() {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, body) in [
            ("bbc/tech/002.txt", "b"),
            ("bbc/sport/001.txt", "a"),
            ("bbc/README", "x"),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(body.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, body.as_bytes())
                .unwrap();
        }
        let docs = parse_bbc_tar(&builder.into_inner().unwrap()).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            (docs[0].label.as_str(), docs[0].text.as_str()),
            ("sport", "a")
        );
    }

    #[test]
    fn dedup_then_split() {
        let doc = |text: &str, label: &str| LabeledDoc {
            text: text.into(),
            label: label.into(),
        };
        let docs = vec![
            doc("A b.", "x"),
            doc("a  B", "x"),
            doc("c", "x"),
            doc("d", "y"),
            doc("e", "y"),
        ];
        let (kept, dropped) = dedup(docs);
        assert_eq!((kept.len(), dropped), (4, 1));
        let (train, dev) = split_every(&kept, 2, true);
        assert_eq!(
            dev.iter().map(|d| d.text.as_str()).collect::<Vec<_>>(),
            ["A b.", "d"]
        );
        assert_eq!(train.len(), 2);
        let (_, dev) = split_every(&kept, 2, false);
        assert_eq!(dev.len(), 2);
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
