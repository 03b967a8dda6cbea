//! One tagging stage: a linear model over feature keys with first-order BIOES transitions,
//! decoded with Viterbi and trained as an averaged structured perceptron.

use crate::features::SentenceFeatures;
use crate::hash::{FeatureIndex, KeyMap};
use crate::labels::{allowed, NUM_LABELS};

/// Rows of the transition matrix: one per previous label plus one for the sentence start.
pub(crate) const TRANSITION_ROWS: usize = NUM_LABELS + 1;
const START_ROW: usize = NUM_LABELS;

/// A trained stage: feature key -> row of label weights, plus transition weights.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    pub(crate) index: FeatureIndex,
    /// Quantised weights, `NUM_LABELS` per feature; the real weight is `weight * scale`.
    pub(crate) weights: Vec<i16>,
    pub(crate) scale: f32,
    /// Learned transition weights (what is stored).
    pub(crate) transitions: Vec<f32>,
    /// `transitions` with disallowed BIOES transitions at minus infinity (what decodes).
    pub(crate) decoding: Vec<f32>,
}

/// Which transitions are allowed (row = previous label or start, column = label).
fn allowed_matrix() -> [[bool; NUM_LABELS]; TRANSITION_ROWS] {
    let mut matrix = [[false; NUM_LABELS]; TRANSITION_ROWS];
    for (row, cells) in matrix.iter_mut().enumerate() {
        for (label, cell) in cells.iter_mut().enumerate() {
            let previous = if row == START_ROW {
                None
            } else {
                Some(row as u8)
            };
            *cell = allowed(previous, label as u8);
        }
    }
    matrix
}

/// Transition scores with disallowed transitions set to minus infinity.
pub(crate) fn constrained(transitions: &[f32]) -> Vec<f32> {
    let allowed = allowed_matrix();
    let mut out = transitions.to_vec();
    out.resize(TRANSITION_ROWS * NUM_LABELS, 0.0);
    for (row, cells) in allowed.iter().enumerate() {
        for (label, ok) in cells.iter().enumerate() {
            if !ok {
                out[row * NUM_LABELS + label] = f32::NEG_INFINITY;
            }
        }
    }
    out
}

/// Best label sequence for `emissions` (`n * NUM_LABELS` scores); `transitions` must come from
/// [`constrained`] (so the result is a valid BIOES sequence).
pub(crate) fn viterbi(emissions: &[f32], transitions: &[f32], out: &mut Vec<u8>) {
    crate::tagger::Decoder::new(transitions).decode(emissions, out, &mut Vec::new());
}

impl Stage {
    /// Label scores of every token of a sentence.
    pub(crate) fn emissions(&self, features: &SentenceFeatures, out: &mut Vec<f32>) {
        out.clear();
        out.resize(features.len() * NUM_LABELS, 0.0);
        for t in 0..features.len() {
            let mut sums = [0i32; NUM_LABELS];
            for &key in features.token(t) {
                if let Some(id) = self.index.get(key) {
                    let start = id as usize * NUM_LABELS;
                    if let Some(weights) = self.weights.get(start..start + NUM_LABELS) {
                        for (sum, weight) in sums.iter_mut().zip(weights) {
                            *sum += i32::from(*weight);
                        }
                    }
                }
            }
            for (score, sum) in out[t * NUM_LABELS..(t + 1) * NUM_LABELS]
                .iter_mut()
                .zip(sums)
            {
                *score = sum as f32 * self.scale;
            }
        }
    }

    pub(crate) fn tag(&self, features: &SentenceFeatures) -> Vec<u8> {
        let mut emissions = Vec::new();
        self.emissions(features, &mut emissions);
        let mut labels = Vec::new();
        viterbi(&emissions, &self.decoding, &mut labels);
        labels
    }
}

/// Training settings of one stage.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StageOptions {
    pub(crate) epochs: usize,
    pub(crate) min_count: u32,
    pub(crate) seed: u64,
    /// Perceptrons trained with different shuffles whose weights are averaged.
    pub(crate) runs: usize,
}

struct Instance {
    ids: Vec<u32>,
    offsets: Vec<u32>,
    gold: Vec<u8>,
}

fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// One averaged-perceptron run; returns the averaged emission and transition weights.
fn run_perceptron(
    instances: &[Instance],
    feature_count: usize,
    epochs: usize,
    seed: u64,
) -> (Vec<f32>, Vec<f32>) {
    let mut weights = vec![0i32; feature_count * NUM_LABELS];
    let mut totals = vec![0i64; feature_count * NUM_LABELS];
    let mut transitions = vec![0i32; TRANSITION_ROWS * NUM_LABELS];
    let mut transition_totals = vec![0i64; TRANSITION_ROWS * NUM_LABELS];
    let mut step: i64 = 1;
    let mut order: Vec<usize> = (0..instances.len()).collect();
    let mut rng = seed | 1;
    let mut emissions: Vec<f32> = Vec::new();
    let mut float_transitions = vec![0f32; TRANSITION_ROWS * NUM_LABELS];
    // 0 where a transition is allowed, minus infinity where not.
    let mask = constrained(&float_transitions);
    let mut predicted: Vec<u8> = Vec::new();
    for _epoch in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = (xorshift(&mut rng) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &index in &order {
            let instance = &instances[index];
            let count = instance.gold.len();
            emissions.clear();
            emissions.resize(count * NUM_LABELS, 0.0);
            for t in 0..count {
                let row = &mut emissions[t * NUM_LABELS..(t + 1) * NUM_LABELS];
                let span = instance.offsets[t] as usize..instance.offsets[t + 1] as usize;
                let mut sums = [0i32; NUM_LABELS];
                for &id in &instance.ids[span] {
                    let start = id as usize * NUM_LABELS;
                    for (sum, w) in sums.iter_mut().zip(&weights[start..start + NUM_LABELS]) {
                        *sum += w;
                    }
                }
                for (score, sum) in row.iter_mut().zip(sums) {
                    *score = sum as f32;
                }
            }
            for ((f, &w), &m) in float_transitions.iter_mut().zip(&transitions).zip(&mask) {
                *f = w as f32 + m;
            }
            viterbi(&emissions, &float_transitions, &mut predicted);
            if predicted != instance.gold {
                for t in 0..count {
                    let gold = usize::from(instance.gold[t]);
                    let guess = usize::from(predicted[t]);
                    if gold != guess {
                        let span = instance.offsets[t] as usize..instance.offsets[t + 1] as usize;
                        for &id in &instance.ids[span] {
                            let base = id as usize * NUM_LABELS;
                            weights[base + gold] += 1;
                            totals[base + gold] += step;
                            weights[base + guess] -= 1;
                            totals[base + guess] -= step;
                        }
                    }
                    let gold_prev = if t == 0 {
                        START_ROW
                    } else {
                        usize::from(instance.gold[t - 1])
                    };
                    let guess_prev = if t == 0 {
                        START_ROW
                    } else {
                        usize::from(predicted[t - 1])
                    };
                    if (gold_prev, gold) != (guess_prev, guess) {
                        transitions[gold_prev * NUM_LABELS + gold] += 1;
                        transition_totals[gold_prev * NUM_LABELS + gold] += step;
                        transitions[guess_prev * NUM_LABELS + guess] -= 1;
                        transition_totals[guess_prev * NUM_LABELS + guess] -= step;
                    }
                }
            }
            step += 1;
        }
    }
    let average =
        |w: i32, total: i64| -> f32 { (f64::from(w) - total as f64 / step as f64) as f32 };
    let averaged: Vec<f32> = weights
        .iter()
        .zip(&totals)
        .map(|(&w, &t)| average(w, t))
        .collect();
    let averaged_transitions: Vec<f32> = transitions
        .iter()
        .zip(&transition_totals)
        .map(|(&w, &t)| average(w, t))
        .collect();
    (averaged, averaged_transitions)
}

/// Train a stage on sentences with gold BIOES labels (averaged structured perceptron).
pub(crate) fn train_stage(
    sentences: &[(&SentenceFeatures, &[u8])],
    options: &StageOptions,
) -> Stage {
    // Count feature keys and keep the frequent ones.
    let mut counts: KeyMap<u32> = KeyMap::default();
    for (features, _) in sentences {
        for &key in &features.keys {
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    let mut kept: Vec<u64> = counts
        .iter()
        .filter(|(_, &count)| count >= options.min_count)
        .map(|(&key, _)| key)
        .collect();
    kept.sort_unstable();
    let mut ids: KeyMap<u32> = KeyMap::default();
    for (id, key) in kept.iter().enumerate() {
        ids.insert(*key, id as u32);
    }
    drop(counts);
    let instances: Vec<Instance> = sentences
        .iter()
        .filter(|(features, gold)| features.len() == gold.len() && !gold.is_empty())
        .map(|(features, gold)| {
            let mut instance = Instance {
                ids: Vec::with_capacity(features.keys.len()),
                offsets: Vec::with_capacity(gold.len() + 1),
                gold: gold.to_vec(),
            };
            instance.offsets.push(0);
            for t in 0..features.len() {
                for key in features.token(t) {
                    if let Some(&id) = ids.get(key) {
                        instance.ids.push(id);
                    }
                }
                instance.offsets.push(instance.ids.len() as u32);
            }
            instance
        })
        .collect();

    let feature_count = kept.len();
    let runs = options.runs.max(1);
    let mut averaged = vec![0f32; feature_count * NUM_LABELS];
    let mut averaged_transitions = vec![0f32; TRANSITION_ROWS * NUM_LABELS];
    for run in 0..runs {
        let seed = options
            .seed
            .wrapping_add((run as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let (weights, transitions) =
            run_perceptron(&instances, feature_count, options.epochs, seed);
        for (sum, w) in averaged.iter_mut().zip(weights) {
            *sum += w / runs as f32;
        }
        for (sum, w) in averaged_transitions.iter_mut().zip(transitions) {
            *sum += w / runs as f32;
        }
    }
    // Quantise to 16 bits and drop features whose weights all round to zero.
    let max = averaged.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-6);
    let scale = max / 32767.0;
    let mut kept_keys = Vec::with_capacity(feature_count);
    let mut quantised = Vec::with_capacity(averaged.len());
    for (id, key) in kept.iter().enumerate() {
        let row = &averaged[id * NUM_LABELS..(id + 1) * NUM_LABELS];
        let q: Vec<i16> = row
            .iter()
            .map(|w| (w / scale).round().clamp(-32767.0, 32767.0) as i16)
            .collect();
        if q.iter().all(|w| w.abs() <= 1) {
            continue;
        }
        kept_keys.push(*key);
        quantised.extend_from_slice(&q);
    }
    Stage {
        index: FeatureIndex::new(kept_keys),
        weights: quantised,
        scale,
        decoding: constrained(&averaged_transitions),
        transitions: averaged_transitions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::OUTSIDE;

    #[test]
    fn viterbi_respects_constraints() {
        // Emissions prefer I-PER at the start, which is not allowed; B-PER/E-PER must win.
        let mut emissions = vec![0f32; 2 * NUM_LABELS];
        emissions[2] = 5.0; // I-PER at t=0
        emissions[1] = 4.0; // B-PER at t=0
        emissions[NUM_LABELS + 3] = 4.0; // E-PER at t=1
        let transitions = constrained(&[0f32; TRANSITION_ROWS * NUM_LABELS]);
        let mut out = Vec::new();
        viterbi(&emissions, &transitions, &mut out);
        assert_eq!(out, vec![1, 3]);
        viterbi(&[], &transitions, &mut out);
        assert!(out.is_empty());
        let single = vec![0f32; NUM_LABELS];
        viterbi(&single, &transitions, &mut out);
        assert_eq!(out, vec![OUTSIDE]);
    }
}
