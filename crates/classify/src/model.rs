//! The topic model: a table of `2^hash_bits` rows `[idf, w_label_0, .., w_label_k-1]`, one bias
//! per label and a softmax temperature; and its binary file format.
//!
//! Prediction: hashed words and word bigrams, sublinear tf (`1 + ln count`) times idf, L2
//! normalised, dotted with each label's weights plus its bias. The score is the softmax of the
//! margins times the temperature that was fitted on held-out folds at training time.
//!
//! File format (little-endian): the magic `NFTOPIC1`, a `u32` length and a JSON header
//! ([`Header`]), a `u32` row count, then per row a `u32` bucket and `labels + 1` `f32`s
//! (idf, then one weight per label). Buckets that no training document touched are not stored.

use std::cell::RefCell;

use newsflow_model::Topic;
use serde::{Deserialize, Serialize};

use crate::features::{hashed_tokens, Scratch};
use crate::ClassifyError;

const MAGIC: &[u8; 8] = b"NFTOPIC1";
/// Smallest and largest table sizes a model file may declare.
pub(crate) const MIN_HASH_BITS: u8 = 8;
pub(crate) const MAX_HASH_BITS: u8 = 26;
const MAX_LABELS: usize = 1024;
/// Version of the tokeniser and hashing in `features`: a model trained with another version
/// would read the wrong buckets, so it is refused.
const FEATURES_VERSION: u32 = 2;

/// The JSON header of a model file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    /// [`FEATURES_VERSION`] of the model.
    #[serde(default)]
    features: u32,
    name: String,
    labels: Vec<String>,
    hash_bits: u8,
    bigrams: bool,
    /// Word-prefix length of the prefix features (0: none).
    #[serde(default)]
    prefix: u8,
    /// Extra features for the words of the first line (the headline).
    #[serde(default)]
    title: bool,
    temperature: f32,
    bias: Vec<f32>,
    /// Free-form description of how the model was trained (options, data sizes).
    #[serde(default)]
    trained: String,
}

/// A trained topic model. Cheap to share between threads (`Send + Sync`, read-only).
#[derive(Debug, Clone, PartialEq)]
pub struct TopicModel {
    pub(crate) name: String,
    pub(crate) labels: Vec<String>,
    pub(crate) hash_bits: u8,
    pub(crate) bigrams: bool,
    pub(crate) prefix: u8,
    pub(crate) title: bool,
    pub(crate) temperature: f32,
    pub(crate) bias: Vec<f32>,
    /// `2^hash_bits` rows of `labels.len() + 1` values: idf, then the label weights.
    pub(crate) table: Vec<f32>,
    pub(crate) trained: String,
}

/// Token buffers: hashed buckets, then `(bucket, count)` pairs.
type Buffers = (Scratch, Vec<(u32, u32)>);

thread_local! {
    /// Per-thread buffers for tokenising, so prediction does not allocate.
    static BUFFERS: RefCell<Buffers> = RefCell::new((Scratch::default(), Vec::new()));
}

impl TopicModel {
    /// Reads a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<TopicModel, ClassifyError> {
        let mut reader = Reader { bytes, position: 0 };
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(ClassifyError::Format(
                "not a newsflow topic model (bad magic)".into(),
            ));
        }
        let header_len = reader.u32()? as usize;
        let header: Header = serde_json::from_slice(reader.take(header_len)?)
            .map_err(|err| ClassifyError::Format(format!("bad model header: {err}")))?;
        if header.features != FEATURES_VERSION {
            return Err(ClassifyError::Format(format!(
                "model uses features version {}, this build reads version {FEATURES_VERSION}: retrain it",
                header.features
            )));
        }
        if header.labels.is_empty() || header.labels.len() > MAX_LABELS {
            return Err(ClassifyError::Format(format!(
                "a model needs 1..={MAX_LABELS} labels, this one has {}",
                header.labels.len()
            )));
        }
        if !(MIN_HASH_BITS..=MAX_HASH_BITS).contains(&header.hash_bits) {
            return Err(ClassifyError::Format(format!(
                "hash_bits {} is outside {MIN_HASH_BITS}..={MAX_HASH_BITS}",
                header.hash_bits
            )));
        }
        if header.bias.len() != header.labels.len() {
            return Err(ClassifyError::Format(
                "bias and labels differ in length".into(),
            ));
        }
        if !header.temperature.is_finite() || header.bias.iter().any(|value| !value.is_finite()) {
            return Err(ClassifyError::Format(
                "non-finite number in model header".into(),
            ));
        }
        let stride = header.labels.len() + 1;
        let buckets = 1usize << header.hash_bits;
        let rows = reader.u32()? as usize;
        if rows > buckets {
            return Err(ClassifyError::Format(format!(
                "{rows} rows for {buckets} buckets"
            )));
        }
        let body = reader.take(rows * (4 + 4 * stride))?;
        if reader.position != bytes.len() {
            return Err(ClassifyError::Format(
                "trailing bytes after the model".into(),
            ));
        }
        let mut table = vec![0f32; buckets * stride];
        for row in body.chunks_exact(4 + 4 * stride) {
            let (index_bytes, values) = row.split_at(4);
            let index = u32::from_le_bytes(le4(index_bytes)) as usize;
            if index >= buckets {
                return Err(ClassifyError::Format(format!(
                    "bucket {index} out of range"
                )));
            }
            let target = &mut table[index * stride..(index + 1) * stride];
            for (slot, value) in target.iter_mut().zip(values.chunks_exact(4)) {
                let number = f32::from_le_bytes(le4(value));
                if !number.is_finite() {
                    return Err(ClassifyError::Format("non-finite weight".into()));
                }
                *slot = number;
            }
        }
        Ok(TopicModel {
            name: header.name,
            labels: header.labels,
            hash_bits: header.hash_bits,
            bigrams: header.bigrams,
            prefix: header.prefix,
            title: header.title,
            temperature: header.temperature,
            bias: header.bias,
            table,
            trained: header.trained,
        })
    }

    /// Writes the model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            features: FEATURES_VERSION,
            name: self.name.clone(),
            labels: self.labels.clone(),
            hash_bits: self.hash_bits,
            bigrams: self.bigrams,
            prefix: self.prefix,
            title: self.title,
            temperature: self.temperature,
            bias: self.bias.clone(),
            trained: self.trained.clone(),
        };
        // Serialising a struct of strings and numbers cannot fail.
        let header_json = serde_json::to_vec(&header).unwrap_or_default();
        let stride = self.stride();
        let used: Vec<(usize, &[f32])> = self
            .table
            .chunks_exact(stride)
            .enumerate()
            .filter(|(_, row)| row.iter().any(|value| *value != 0.0))
            .collect();
        let mut bytes = Vec::with_capacity(16 + header_json.len() + used.len() * (4 + 4 * stride));
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(header_json.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&header_json);
        bytes.extend_from_slice(&(used.len() as u32).to_le_bytes());
        for (index, row) in used {
            bytes.extend_from_slice(&(index as u32).to_le_bytes());
            for value in row {
                bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
        bytes
    }

    /// The model's name (e.g. `ag_news`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The labels the model can give, sorted.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// How the model was trained (options and data sizes), as recorded at training time.
    pub fn training_summary(&self) -> &str {
        &self.trained
    }

    /// The softmax temperature fitted at training time.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    fn stride(&self) -> usize {
        self.labels.len() + 1
    }

    /// The raw margin of every label (same order as [`TopicModel::labels`]).
    pub fn margins(&self, text: &str) -> Vec<f32> {
        let mut margins = vec![0f32; self.labels.len()];
        self.margins_into(text, &mut margins);
        margins
    }

    fn margins_into(&self, text: &str, margins: &mut [f32]) {
        let stride = self.stride();
        margins.fill(0.0);
        let mut norm_squared = 0f32;
        BUFFERS.with(|buffers| {
            let mut buffers = buffers.borrow_mut();
            let (scratch, tokens) = &mut *buffers;
            hashed_tokens(
                text,
                self.hash_bits,
                self.bigrams,
                self.prefix,
                self.title,
                scratch,
                tokens,
            );
            for &(index, count) in tokens.iter() {
                let start = index as usize * stride;
                let Some(row) = self.table.get(start..start + stride) else {
                    continue;
                };
                let idf = row[0];
                if idf == 0.0 {
                    continue;
                }
                let tf = if count == 1 {
                    1.0
                } else {
                    1.0 + (count as f32).ln()
                };
                let value = tf * idf;
                norm_squared += value * value;
                for (margin, weight) in margins.iter_mut().zip(&row[1..]) {
                    *margin += value * weight;
                }
            }
        });
        let scale = if norm_squared > 0.0 {
            norm_squared.sqrt().recip()
        } else {
            0.0
        };
        for (margin, bias) in margins.iter_mut().zip(&self.bias) {
            *margin = *margin * scale + bias;
        }
    }

    /// The best label and its probability-like score (softmax of the scaled margins, 0..1).
    pub fn predict(&self, text: &str) -> Topic {
        let mut stack = [0f32; 16];
        let mut heap = Vec::new();
        let margins: &mut [f32] = if self.labels.len() <= stack.len() {
            &mut stack[..self.labels.len()]
        } else {
            heap.resize(self.labels.len(), 0.0);
            &mut heap
        };
        self.margins_into(text, margins);
        let (best, score) = softmax_best(margins, self.temperature);
        Topic {
            label: self.labels.get(best).cloned().unwrap_or_default(),
            score,
        }
    }
}

/// Below this calibrated score a secondary model says nothing: its label is more likely wrong
/// than right (the rule is fixed, not fitted: see BENCHMARKS.md, topic calibration).
pub const MIN_CONFIDENT_SCORE: f32 = 0.5;

impl TopicModel {
    /// The best label when the model knows the text: some label's one-vs-rest classifier
    /// claims it (its raw margin is positive; when none does, the text is outside the
    /// taxonomy) and the calibrated score is at least `min_score`; `None` otherwise.
    pub fn predict_known(&self, text: &str, min_score: f32) -> Option<Topic> {
        let margins = self.margins(text);
        let (best, score) = softmax_best(&margins, self.temperature);
        let claimed = margins.get(best).is_some_and(|margin| *margin > 0.0);
        (claimed && score >= min_score).then(|| Topic {
            label: self.labels.get(best).cloned().unwrap_or_default(),
            score,
        })
    }
}

/// Index of the largest margin and its softmax probability at `temperature`.
pub(crate) fn softmax_best(margins: &[f32], temperature: f32) -> (usize, f32) {
    let mut best = 0;
    for (index, margin) in margins.iter().enumerate() {
        if *margin > margins[best] {
            best = index;
        }
    }
    let Some(top) = margins.get(best) else {
        return (0, 0.0);
    };
    let total: f32 = margins
        .iter()
        .map(|margin| ((margin - top) * temperature).exp())
        .sum();
    (best, if total > 0.0 { total.recip() } else { 0.0 })
}

fn le4(bytes: &[u8]) -> [u8; 4] {
    let mut out = [0u8; 4];
    out.copy_from_slice(&bytes[..4]);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], ClassifyError> {
        let end = self
            .position
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| ClassifyError::Format("model file is truncated".into()))?;
        let slice = &self.bytes[self.position..end];
        self.position = end;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, ClassifyError> {
        Ok(u32::from_le_bytes(le4(self.take(4)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_picks_the_top_margin() {
        let (best, score) = softmax_best(&[0.1, 2.0, -1.0], 1.0);
        assert_eq!(best, 1);
        assert!(score > 0.5 && score < 1.0);
        let (_, even) = softmax_best(&[0.0, 0.0], 1.0);
        assert!((even - 0.5).abs() < 1e-6);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(TopicModel::from_bytes(b"").is_err());
        assert!(TopicModel::from_bytes(b"NFTOPIC1\xff\xff\xff\xff").is_err());
        assert!(TopicModel::from_bytes(b"NFTOPIC1\x02\x00\x00\x00{}").is_err());
    }
}
