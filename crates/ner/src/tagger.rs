//! The tagging-time layout of a model (built when a model is loaded or trained; the byte format
//! keeps one [`Stage`] per pass).
//!
//! Both passes share most feature keys (the second pass adds the first pass's labels to the
//! same features), so one open-addressing table maps a key to a row shared by both stages, and
//! each stage has a dense weight matrix over those rows (zeros where the stage lacks the
//! feature; row 0 is all zeros and stands for an unknown key). A document's keys are looked up
//! once: the second pass reuses the first pass's rows and only looks up its label features.
//! Lookups compare full 64-bit keys and sums are exact integer sums, so the scores are the ones
//! [`Stage::emissions`] computes.

use crate::features::{features, prior_features, PreparedDocument, SentenceFeatures};
use crate::labels::NUM_LABELS;
use crate::perceptron::{viterbi_with, Stage};

/// Weights of one stage over the shared rows.
#[derive(Debug, Clone)]
struct StageWeights {
    /// `NUM_LABELS` weights per row; row 0 is all zeros.
    rows: Vec<i16>,
    scale: f32,
    decoding: Vec<f32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Tagger {
    /// (key, row); row 0 marks an empty slot.
    slots: Vec<(u64, u32)>,
    mask: usize,
    first: StageWeights,
    second: Option<StageWeights>,
}

/// Reused buffers of one document's tagging.
#[derive(Default)]
struct Scratch {
    rows: Vec<u32>,
    emissions: Vec<f32>,
    back: Vec<u8>,
}

impl Tagger {
    pub(crate) fn new(first: &Stage, second: Option<&Stage>) -> Tagger {
        let stages: Vec<&Stage> = std::iter::once(first).chain(second).collect();
        let distinct_upper_bound: usize = stages.iter().map(|s| s.index.len()).sum();
        let capacity = (distinct_upper_bound.max(8) * 2).next_power_of_two();
        let mut tagger = Tagger {
            slots: vec![(0, 0); capacity],
            mask: capacity - 1,
            first: StageWeights {
                rows: Vec::new(),
                scale: first.scale,
                decoding: first.decoding.clone(),
            },
            second: None,
        };
        // Rows: 0 = none, then every distinct key in order of first appearance.
        let mut row_count = 1u32;
        let mut stage_rows: Vec<Vec<u32>> = Vec::new();
        for stage in &stages {
            let mut rows = Vec::with_capacity(stage.index.len());
            for &key in stage.index.keys() {
                let slot = tagger.slot_of(key);
                let (stored, row) = tagger.slots[slot];
                if row != 0 && stored == key {
                    rows.push(row);
                } else {
                    tagger.slots[slot] = (key, row_count);
                    rows.push(row_count);
                    row_count += 1;
                }
            }
            stage_rows.push(rows);
        }
        let weights_of = |stage: &Stage, rows: &[u32]| -> StageWeights {
            let mut matrix = vec![0i16; row_count as usize * NUM_LABELS];
            let mut filled = vec![false; row_count as usize];
            for (id, &row) in rows.iter().enumerate() {
                // With a repeated key the first id wins, as in `FeatureIndex::get`.
                if std::mem::replace(&mut filled[row as usize], true) {
                    continue;
                }
                let source = id * NUM_LABELS;
                if let Some(weights) = stage.weights.get(source..source + NUM_LABELS) {
                    let target = row as usize * NUM_LABELS;
                    matrix[target..target + NUM_LABELS].copy_from_slice(weights);
                }
            }
            StageWeights {
                rows: matrix,
                scale: stage.scale,
                decoding: stage.decoding.clone(),
            }
        };
        tagger.first = weights_of(first, &stage_rows[0]);
        tagger.second = second.map(|stage| weights_of(stage, &stage_rows[1]));
        tagger
    }

    /// The slot holding `key`, or the empty slot where it would go.
    #[inline]
    fn slot_of(&self, key: u64) -> usize {
        let mut slot = (key as usize) & self.mask;
        loop {
            let (stored, row) = self.slots[slot];
            if row == 0 || stored == key {
                return slot;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// The row of `key` (0 when no stage has it).
    #[inline]
    fn row(&self, key: u64) -> u32 {
        let mut slot = (key as usize) & self.mask;
        loop {
            let (stored, row) = self.slots[slot];
            if stored == key || row == 0 {
                return row;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    fn rows_into(&self, keys: &[u64], out: &mut Vec<u32>) {
        out.clear();
        out.extend(keys.iter().map(|&key| self.row(key)));
    }

    /// BIOES labels of every sentence of a prepared document (both passes).
    pub(crate) fn label(&self, document: &PreparedDocument<'_>) -> Vec<Vec<u8>> {
        let base = features(document, None);
        let mut scratch = Scratch::default();
        let mut base_rows: Vec<Vec<u32>> = Vec::with_capacity(base.len());
        let mut first: Vec<Vec<u8>> = Vec::with_capacity(base.len());
        for sentence in &base {
            self.rows_into(&sentence.keys, &mut scratch.rows);
            emissions(
                &self.first,
                sentence,
                &scratch.rows,
                None,
                &mut scratch.emissions,
            );
            let mut labels = Vec::new();
            viterbi_with(
                &scratch.emissions,
                &self.first.decoding,
                &mut labels,
                &mut scratch.back,
            );
            first.push(labels);
            base_rows.push(std::mem::take(&mut scratch.rows));
        }
        let Some(second) = &self.second else {
            return first;
        };
        let extra = prior_features(document, &first);
        let mut out = Vec::with_capacity(base.len());
        for ((sentence, rows), extra) in base.iter().zip(&base_rows).zip(&extra) {
            self.rows_into(&extra.keys, &mut scratch.rows);
            emissions(
                second,
                sentence,
                rows,
                Some((extra, &scratch.rows)),
                &mut scratch.emissions,
            );
            let mut labels = Vec::new();
            viterbi_with(
                &scratch.emissions,
                &second.decoding,
                &mut labels,
                &mut scratch.back,
            );
            out.push(labels);
        }
        out
    }
}

#[inline]
fn add_rows(weights: &[i16], rows: &[u32], sums: &mut [i32; NUM_LABELS]) {
    for &row in rows {
        let start = row as usize * NUM_LABELS;
        if let Some(row) = weights.get(start..start + NUM_LABELS) {
            for (sum, weight) in sums.iter_mut().zip(row) {
                *sum += i32::from(*weight);
            }
        }
    }
}

/// Label scores of every token of a sentence from the rows of its keys (and the rows of the
/// extra second-pass keys), as [`Stage::emissions`] computes them.
fn emissions(
    weights: &StageWeights,
    sentence: &SentenceFeatures,
    rows: &[u32],
    extra: Option<(&SentenceFeatures, &[u32])>,
    out: &mut Vec<f32>,
) {
    let count = sentence.len();
    out.clear();
    out.resize(count * NUM_LABELS, 0.0);
    for t in 0..count {
        let mut sums = [0i32; NUM_LABELS];
        let range = sentence.offsets[t]..sentence.offsets[t + 1];
        add_rows(&weights.rows, &rows[range], &mut sums);
        if let Some((extra, extra_rows)) = extra {
            if t + 1 < extra.offsets.len() {
                let range = extra.offsets[t]..extra.offsets[t + 1];
                add_rows(&weights.rows, &extra_rows[range], &mut sums);
            }
        }
        for (score, sum) in out[t * NUM_LABELS..(t + 1) * NUM_LABELS]
            .iter_mut()
            .zip(sums)
        {
            *score = sum as f32 * weights.scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::FeatureIndex;
    use crate::perceptron::{constrained, TRANSITION_ROWS};

    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    fn stage(keys: Vec<u64>, state: &mut u64) -> Stage {
        let weights = (0..keys.len() * NUM_LABELS)
            .map(|_| (next(state) % 2001) as i16 - 1000)
            .collect();
        let transitions = vec![0.5f32; TRANSITION_ROWS * NUM_LABELS];
        Stage {
            index: FeatureIndex::new(keys),
            weights,
            scale: 0.01,
            decoding: constrained(&transitions),
            transitions,
        }
    }

    fn sentence(keys: Vec<Vec<u64>>) -> SentenceFeatures {
        let mut out = SentenceFeatures::default();
        out.offsets.push(0);
        for token in keys {
            out.keys.extend(token);
            out.offsets.push(out.keys.len());
        }
        out
    }

    // Shared rows give the same scores as each stage's own index, for known and unknown keys.
    #[test]
    fn shared_rows_score_like_the_stages() {
        let mut state = 0x1234_5678_9abc_def1u64;
        let pool: Vec<u64> = (0..3000).map(|_| next(&mut state)).collect();
        let first = stage(pool[..2000].to_vec(), &mut state);
        let second = stage(pool[1000..].to_vec(), &mut state);
        let tagger = Tagger::new(&first, Some(&second));
        let pick = |state: &mut u64| -> u64 {
            if next(state).is_multiple_of(4) {
                next(state) // unknown
            } else {
                pool[(next(state) % 3000) as usize]
            }
        };
        let base: Vec<Vec<u64>> = (0..12)
            .map(|_| (0..40).map(|_| pick(&mut state)).collect())
            .collect();
        let extra: Vec<Vec<u64>> = (0..12)
            .map(|_| (0..5).map(|_| pick(&mut state)).collect())
            .collect();
        let joined: Vec<Vec<u64>> = base
            .iter()
            .zip(&extra)
            .map(|(b, e)| b.iter().chain(e).copied().collect())
            .collect();
        let (base, extra, joined) = (sentence(base), sentence(extra), sentence(joined));

        let mut rows = Vec::new();
        tagger.rows_into(&base.keys, &mut rows);
        let (mut expected, mut got) = (Vec::new(), Vec::new());
        first.emissions(&base, &mut expected);
        emissions(&tagger.first, &base, &rows, None, &mut got);
        assert_eq!(expected, got);

        let mut extra_rows = Vec::new();
        tagger.rows_into(&extra.keys, &mut extra_rows);
        second.emissions(&joined, &mut expected);
        let weights = tagger.second.as_ref().expect("second stage");
        emissions(weights, &base, &rows, Some((&extra, &extra_rows)), &mut got);
        assert_eq!(expected, got);
    }
}
