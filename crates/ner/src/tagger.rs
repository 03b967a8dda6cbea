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

use crate::features::{
    context_features, forced_outside, form_ids, form_keys, forms, is_skipped, prior_features,
    skipped_in, PreparedDocument,
};
use crate::labels::{allowed_last, NUM_LABELS, OUTSIDE};
use crate::perceptron::{Stage, TRANSITION_ROWS};

/// Viterbi over a stage's constrained transitions, written so that the per-label maximum is
/// computed without branches (the compiler turns it into vector compares and blends).
#[derive(Debug, Clone)]
pub(crate) struct Decoder {
    start: [f32; NUM_LABELS],
    /// `transitions[previous][label]` (minus infinity where not allowed).
    transitions: [[f32; NUM_LABELS]; NUM_LABELS],
}

impl Decoder {
    /// From constrained transitions (see `perceptron::constrained`).
    pub(crate) fn new(decoding: &[f32]) -> Decoder {
        let mut start = [f32::NEG_INFINITY; NUM_LABELS];
        let mut transitions = [[f32::NEG_INFINITY; NUM_LABELS]; NUM_LABELS];
        if decoding.len() == TRANSITION_ROWS * NUM_LABELS {
            start.copy_from_slice(&decoding[NUM_LABELS * NUM_LABELS..]);
            for (previous, row) in transitions.iter_mut().enumerate() {
                row.copy_from_slice(&decoding[previous * NUM_LABELS..(previous + 1) * NUM_LABELS]);
            }
        }
        Decoder { start, transitions }
    }

    /// The best-scoring label sequence (Viterbi; ties go to the lowest previous label). With
    /// constrained transitions (see `perceptron::constrained`) it is a valid BIOES sequence.
    pub(crate) fn decode(&self, emissions: &[f32], out: &mut Vec<u8>, back: &mut Vec<u8>) {
        self.decode_skipping(emissions, &[], out, back);
    }

    /// [`Decoder::decode`], where the tokens marked in `outside` can only be `O` (their
    /// emissions are `O` 0 and minus infinity else): only `O`'s column is computed there.
    pub(crate) fn decode_skipping(
        &self,
        emissions: &[f32],
        outside: &[bool],
        out: &mut Vec<u8>,
        back: &mut Vec<u8>,
    ) {
        let count = emissions.len() / NUM_LABELS;
        out.clear();
        if count == 0 {
            return;
        }
        back.clear();
        back.resize(count * NUM_LABELS, 0);
        let mut previous = [0f32; NUM_LABELS];
        for (label, slot) in previous.iter_mut().enumerate() {
            *slot = emissions[label] + self.start[label];
        }
        for t in 1..count {
            if outside.get(t).copied().unwrap_or(false) {
                // the O column only, in the order and with the comparisons of the full loop
                let outside_label = usize::from(OUTSIDE);
                let mut best = f32::NEG_INFINITY;
                let mut best_prev = 0u8;
                for (prev, row) in self.transitions.iter().enumerate() {
                    let candidate = previous[prev] + row[outside_label];
                    if candidate > best {
                        best = candidate;
                        best_prev = prev as u8;
                    }
                }
                let slots = &mut back[t * NUM_LABELS..(t + 1) * NUM_LABELS];
                slots.fill(0);
                slots[outside_label] = best_prev;
                previous = [f32::NEG_INFINITY; NUM_LABELS];
                previous[outside_label] = best + emissions[t * NUM_LABELS + outside_label];
                continue;
            }
            let mut current = [f32::NEG_INFINITY; NUM_LABELS];
            // 32-bit lanes, like the scores, so compare masks apply without repacking.
            let mut best_prev = [0u32; NUM_LABELS];
            for (prev, row) in self.transitions.iter().enumerate() {
                let prev_score = previous[prev];
                for label in 0..NUM_LABELS {
                    let candidate = prev_score + row[label];
                    let better = candidate > current[label];
                    current[label] = if better { candidate } else { current[label] };
                    best_prev[label] = if better {
                        prev as u32
                    } else {
                        best_prev[label]
                    };
                }
            }
            let emission = &emissions[t * NUM_LABELS..(t + 1) * NUM_LABELS];
            for label in 0..NUM_LABELS {
                current[label] += emission[label];
            }
            for (slot, &prev) in back[t * NUM_LABELS..(t + 1) * NUM_LABELS]
                .iter_mut()
                .zip(&best_prev)
            {
                *slot = prev as u8;
            }
            previous = current;
        }
        let mut best_label = 0usize;
        let mut best = f32::NEG_INFINITY;
        for (label, &value) in previous.iter().enumerate() {
            if allowed_last(label as u8) && value > best {
                best = value;
                best_label = label;
            }
        }
        out.resize(count, 0);
        out[count - 1] = best_label as u8;
        for t in (1..count).rev() {
            let next = usize::from(out[t]);
            out[t - 1] = back[t * NUM_LABELS + next];
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Tagger {
    /// (key, row); row 0 marks an empty slot.
    slots: Vec<(u64, u32)>,
    mask: usize,
    /// Per row: the first stage's `NUM_LABELS` weights, then (with a second stage) the second
    /// stage's, so one read serves both passes. Row 0 is all zeros.
    rows: Vec<i16>,
    first: StageScores,
    second: Option<StageScores>,
}

/// How a stage turns summed weights into a label sequence.
#[derive(Debug, Clone)]
struct StageScores {
    scale: f32,
    decoder: Decoder,
}

const WIDE: usize = 2 * NUM_LABELS;

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
            rows: Vec::new(),
            first: StageScores {
                scale: first.scale,
                decoder: Decoder::new(&first.decoding),
            },
            second: second.map(|stage| StageScores {
                scale: stage.scale,
                decoder: Decoder::new(&stage.decoding),
            }),
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
        let width = stages.len() * NUM_LABELS;
        tagger.rows = vec![0i16; row_count as usize * width];
        for (index, (stage, rows)) in stages.iter().zip(&stage_rows).enumerate() {
            let mut filled = vec![false; row_count as usize];
            for (id, &row) in rows.iter().enumerate() {
                // With a repeated key the first id wins, as in `FeatureIndex::get`.
                if std::mem::replace(&mut filled[row as usize], true) {
                    continue;
                }
                let source = id * NUM_LABELS;
                if let Some(weights) = stage.weights.get(source..source + NUM_LABELS) {
                    let target = row as usize * width + index * NUM_LABELS;
                    tagger.rows[target..target + NUM_LABELS].copy_from_slice(weights);
                }
            }
        }
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
        let mut scratch = Scratch::default();
        // tokens labelled O unscored (none unless the model asks for it)
        let skip = forced_outside(document);
        let Some(second) = &self.second else {
            return self
                .first_pass::<NUM_LABELS>(document, &skip, &mut scratch)
                .0;
        };
        // First pass; the second stage's sums over the same keys are kept for the second pass.
        let (first, sums) = self.first_pass::<WIDE>(document, &skip, &mut scratch);
        // Second pass: add the features of the first pass's labels.
        let extra = prior_features(document, &first, &skip);
        let mut out = Vec::with_capacity(first.len());
        for (s, (extra, sentence_sums)) in extra.iter().zip(&sums).enumerate() {
            self.rows_into(&extra.keys, &mut scratch.rows);
            scratch.emissions.clear();
            let skipped = skipped_in(&skip, s);
            for (t, base_sums) in sentence_sums.iter().enumerate() {
                if is_skipped(skipped, t) {
                    push_outside(&mut scratch.emissions);
                    continue;
                }
                let mut more = [0i32; WIDE];
                if t + 1 < extra.offsets.len() {
                    let range = extra.offsets[t]..extra.offsets[t + 1];
                    add_rows(&self.rows, &scratch.rows[range], &mut more);
                }
                let mut total = *split(base_sums).1;
                for (sum, value) in total.iter_mut().zip(split(&more).1) {
                    *sum += value;
                }
                push_scores(&mut scratch.emissions, &total, second.scale);
            }
            out.push(decode(second, skipped, &mut scratch));
        }
        out
    }

    /// First-pass labels, and the summed rows (`W` wide) of every token's features. The keys
    /// that depend only on the word form are looked up and summed once per distinct form.
    #[allow(clippy::type_complexity)]
    fn first_pass<const W: usize>(
        &self,
        document: &PreparedDocument<'_>,
        skip: &[Vec<bool>],
        scratch: &mut Scratch,
    ) -> (Vec<Vec<u8>>, Vec<Vec<[i32; W]>>) {
        let context = context_features(document, skip);
        let forms = forms(document);
        let mut form_sums: Vec<Option<[i32; W]>> = vec![None; forms.len()];
        let mut form_keys_buffer = Vec::new();
        let mut form_rows = Vec::new();
        let mut labels = Vec::with_capacity(context.len());
        let mut sums = Vec::with_capacity(context.len());
        for (s, sentence) in context.iter().enumerate() {
            self.rows_into(&sentence.keys, &mut scratch.rows);
            scratch.emissions.clear();
            let mut sentence_sums = Vec::with_capacity(sentence.len());
            let skipped = skipped_in(skip, s);
            for (t, form) in form_ids(document, s).enumerate().take(sentence.len()) {
                if is_skipped(skipped, t) {
                    push_outside(&mut scratch.emissions);
                    sentence_sums.push([0i32; W]);
                    continue;
                }
                let form = form as usize;
                let mut token_sums = match form_sums.get(form).copied().flatten() {
                    Some(known) => known,
                    None => {
                        let mut computed = [0i32; W];
                        if let Some(&(fs, ft)) = forms.get(form) {
                            form_keys_buffer.clear();
                            form_keys(document, fs as usize, ft as usize, &mut form_keys_buffer);
                            self.rows_into(&form_keys_buffer, &mut form_rows);
                            add_rows(&self.rows, &form_rows, &mut computed);
                        }
                        if let Some(slot) = form_sums.get_mut(form) {
                            *slot = Some(computed);
                        }
                        computed
                    }
                };
                let range = sentence.offsets[t]..sentence.offsets[t + 1];
                add_rows(&self.rows, &scratch.rows[range], &mut token_sums);
                let mut own = [0i32; NUM_LABELS];
                own.copy_from_slice(&token_sums[..NUM_LABELS]);
                push_scores(&mut scratch.emissions, &own, self.first.scale);
                sentence_sums.push(token_sums);
            }
            labels.push(decode(&self.first, skipped, scratch));
            sums.push(sentence_sums);
        }
        (labels, sums)
    }
}

fn split(sums: &[i32; WIDE]) -> (&[i32; NUM_LABELS], &[i32; NUM_LABELS]) {
    let (own, later) = sums.split_at(NUM_LABELS);
    (
        own.try_into().unwrap_or(&[0; NUM_LABELS]),
        later.try_into().unwrap_or(&[0; NUM_LABELS]),
    )
}

fn decode(stage: &StageScores, outside: &[bool], scratch: &mut Scratch) -> Vec<u8> {
    let mut labels = Vec::new();
    stage
        .decoder
        .decode_skipping(&scratch.emissions, outside, &mut labels, &mut scratch.back);
    labels
}

/// Adds the weight rows `rows` (each `W` wide) to `sums`.
#[inline]
fn add_rows<const W: usize>(matrix: &[i16], rows: &[u32], sums: &mut [i32; W]) {
    for &row in rows {
        let start = row as usize * W;
        if let Some(weights) = matrix.get(start..start + W) {
            for (sum, weight) in sums.iter_mut().zip(weights) {
                *sum += i32::from(*weight);
            }
        }
    }
}

/// Scores that leave a token no label but `O` (every path through it is `O` there, so the
/// best path is the one the full scores give whenever that one has `O` there too).
fn push_outside(out: &mut Vec<f32>) {
    out.extend((0..NUM_LABELS as u8).map(|label| {
        if label == OUTSIDE {
            0.0
        } else {
            f32::NEG_INFINITY
        }
    }));
}

/// Scores as [`Stage::emissions`] computes them: the exact integer sum times the scale.
fn push_scores(out: &mut Vec<f32>, sums: &[i32; NUM_LABELS], scale: f32) {
    out.extend(sums.iter().map(|&sum| sum as f32 * scale));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::SentenceFeatures;
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

    /// Score of a label sequence under `decoding` (start row last, as `Decoder::new` reads it).
    fn path_score(emissions: &[f32], decoding: &[f32], labels: &[usize]) -> f32 {
        let mut score = 0.0;
        for (t, &label) in labels.iter().enumerate() {
            let row = if t == 0 { NUM_LABELS } else { labels[t - 1] };
            score += decoding[row * NUM_LABELS + label] + emissions[t * NUM_LABELS + label];
        }
        score
    }

    // Decoding with the O-only tokens marked computes only O's column there, and finds the
    // labels the full loop finds on the same (forced) scores.
    #[test]
    fn skipping_decoder_agrees_with_the_full_loop() {
        let mut state = 0x1234_5678_9abc_def1u64;
        for round in 0..300 {
            let transitions: Vec<f32> = (0..TRANSITION_ROWS * NUM_LABELS)
                .map(|_| (next(&mut state) % 1000) as f32 / 100.0 - 5.0)
                .collect();
            let decoder = Decoder::new(&constrained(&transitions));
            let count = 1 + round % 12;
            let outside: Vec<bool> = (0..count)
                .map(|_| next(&mut state).is_multiple_of(3))
                .collect();
            let mut emissions = Vec::new();
            for &skip in &outside {
                if skip {
                    push_outside(&mut emissions);
                } else {
                    emissions.extend(
                        (0..NUM_LABELS).map(|_| (next(&mut state) % 1000) as f32 / 100.0 - 5.0),
                    );
                }
            }
            let (mut full, mut skipping, mut back) = (Vec::new(), Vec::new(), Vec::new());
            decoder.decode(&emissions, &mut full, &mut back);
            decoder.decode_skipping(&emissions, &outside, &mut skipping, &mut back);
            assert_eq!(full, skipping, "round {round}");
            for (label, skip) in full.iter().zip(&outside) {
                assert!(!skip || *label == OUTSIDE);
            }
        }
    }

    // The decoder finds a best path: its score equals the best of every valid sequence,
    // found by enumeration (ties are common with small integer scores).
    #[test]
    fn decoder_finds_the_best_path() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..120 {
            let transitions: Vec<f32> = (0..TRANSITION_ROWS * NUM_LABELS)
                .map(|_| (next(&mut state) % 7) as f32 - 3.0)
                .collect();
            let decoding = constrained(&transitions);
            let count = round % 5;
            let emissions: Vec<f32> = (0..count * NUM_LABELS)
                .map(|_| (next(&mut state) % 5) as f32)
                .collect();
            let (mut got, mut back) = (Vec::new(), Vec::new());
            Decoder::new(&decoding).decode(&emissions, &mut got, &mut back);
            assert_eq!(got.len(), count);
            if count == 0 {
                continue;
            }
            let mut best = f32::NEG_INFINITY;
            let mut labels = vec![0usize; count];
            for code in 0..NUM_LABELS.pow(count as u32) {
                let mut rest = code;
                for slot in labels.iter_mut() {
                    *slot = rest % NUM_LABELS;
                    rest /= NUM_LABELS;
                }
                if allowed_last(labels[count - 1] as u8) {
                    best = best.max(path_score(&emissions, &decoding, &labels));
                }
            }
            let got: Vec<usize> = got.iter().map(|&l| usize::from(l)).collect();
            assert!(allowed_last(got[count - 1] as u8));
            assert_eq!(
                path_score(&emissions, &decoding, &got),
                best,
                "round {round}"
            );
        }
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

        // Both passes through `label`'s arithmetic: first-stage sums over the base keys, and
        // second-stage sums over the base keys plus the extra keys.
        let (mut expected, mut got) = (Vec::new(), Vec::new());
        let mut rows = Vec::new();
        tagger.rows_into(&base.keys, &mut rows);
        let mut extra_rows = Vec::new();
        tagger.rows_into(&extra.keys, &mut extra_rows);
        let mut got_second = Vec::new();
        for t in 0..base.len() {
            let mut sums = [0i32; WIDE];
            add_rows(
                &tagger.rows,
                &rows[base.offsets[t]..base.offsets[t + 1]],
                &mut sums,
            );
            let (own, later) = split(&sums);
            push_scores(&mut got, own, tagger.first.scale);
            let mut more = [0i32; WIDE];
            add_rows(
                &tagger.rows,
                &extra_rows[extra.offsets[t]..extra.offsets[t + 1]],
                &mut more,
            );
            let mut total = *later;
            for (sum, value) in total.iter_mut().zip(split(&more).1) {
                *sum += value;
            }
            push_scores(&mut got_second, &total, second.scale);
        }
        first.emissions(&base, &mut expected);
        assert_eq!(expected, got);
        second.emissions(&joined, &mut expected);
        assert_eq!(expected, got_second);

        // A one-stage model has rows of one stage's width.
        let single = Tagger::new(&first, None);
        single.rows_into(&base.keys, &mut rows);
        got.clear();
        for t in 0..base.len() {
            let mut sums = [0i32; NUM_LABELS];
            add_rows(
                &single.rows,
                &rows[base.offsets[t]..base.offsets[t + 1]],
                &mut sums,
            );
            push_scores(&mut got, &sums, single.first.scale);
        }
        first.emissions(&base, &mut expected);
        assert_eq!(expected, got);
    }
}
