//! Training: tf-idf over hashed words and bigrams, one-vs-rest L2-loss linear SVMs solved by dual
//! coordinate descent (the liblinear algorithm), optional naive-Bayes feature scaling (NB-SVM),
//! a softmax temperature fitted on held-out folds, and cross-validation to pick hyperparameters.

use std::collections::BTreeSet;

use crate::features::{hashed_tokens, Scratch};
use crate::model::{softmax_best, TopicModel, MAX_HASH_BITS, MIN_HASH_BITS};
use crate::ClassifyError;

pub use newsflow_corpus::LabeledDoc;

/// Hyperparameters of [`train`]. `newsflow train topic` tunes `c`, `nb` and `prefix` per corpus
/// by cross-validation ([`tune`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Name stored in the model.
    pub name: String,
    /// The table has `2^hash_bits` buckets.
    pub hash_bits: u8,
    /// Use word bigrams as well as words.
    pub bigrams: bool,
    /// Also hash the first `prefix` bytes of longer words (0: off).
    pub prefix: u8,
    /// Extra features for the words of the first line (the headline of `title\nbody`).
    pub title: bool,
    /// SVM cost (inverse regularisation).
    pub c: f32,
    /// Scale features by naive-Bayes log-count ratios per label (NB-SVM).
    pub nb: bool,
    /// Most passes of coordinate descent per label.
    pub max_epochs: usize,
    /// Stop when the projected-gradient spread falls below this.
    pub tolerance: f32,
    /// Seed of the coordinate order (training is deterministic for a given seed).
    pub seed: u64,
    /// Folds used to fit the score temperature (0 or 1: keep temperature 1).
    pub calibration_folds: usize,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            name: "topic".to_string(),
            hash_bits: 20,
            bigrams: true,
            prefix: 0,
            title: false,
            c: 1.0,
            nb: false,
            max_epochs: 100,
            tolerance: 0.01,
            seed: 42,
            calibration_folds: 3,
        }
    }
}

impl TrainOptions {
    /// A one-line description of the options (stored in the model).
    pub fn describe(&self) -> String {
        format!(
            "hash_bits={} bigrams={} prefix={} title={} c={} nb={} max_epochs={} tolerance={} seed={}",
            self.hash_bits,
            self.bigrams,
            self.prefix,
            self.title,
            self.c,
            self.nb,
            self.max_epochs,
            self.tolerance,
            self.seed
        )
    }
}

/// Sparse tf-idf vectors of a corpus and the idf of every bucket.
struct Vectors {
    rows: Vec<Vec<(u32, f32)>>,
    idf: Vec<f32>,
}

fn vectorise(docs: &[LabeledDoc], options: &TrainOptions) -> Vectors {
    let buckets = 1usize << options.hash_bits;
    let mut scratch = Scratch::default();
    let mut tokens = Vec::new();
    let mut counted: Vec<Vec<(u32, u32)>> = Vec::with_capacity(docs.len());
    let mut document_frequency = vec![0u32; buckets];
    for doc in docs {
        hashed_tokens(
            &doc.text,
            options.hash_bits,
            options.bigrams,
            options.prefix,
            options.title,
            &mut scratch,
            &mut tokens,
        );
        for &(index, _) in &tokens {
            document_frequency[index as usize] += 1;
        }
        counted.push(tokens.clone());
    }
    let total = docs.len() as f32;
    let idf: Vec<f32> = document_frequency
        .iter()
        .map(|&df| {
            if df == 0 {
                0.0
            } else {
                ((1.0 + total) / (1.0 + df as f32)).ln() + 1.0
            }
        })
        .collect();
    let rows = counted
        .into_iter()
        .map(|tokens| {
            let mut row: Vec<(u32, f32)> = tokens
                .into_iter()
                .map(|(index, count)| {
                    let tf = 1.0 + (count as f32).ln();
                    (index, tf * idf[index as usize])
                })
                .collect();
            let norm = row
                .iter()
                .map(|(_, value)| value * value)
                .sum::<f32>()
                .sqrt();
            if norm > 0.0 {
                for (_, value) in &mut row {
                    *value /= norm;
                }
            }
            row
        })
        .collect();
    Vectors { rows, idf }
}

/// A small deterministic generator (xorshift64*), for the coordinate order.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut state = self.0;
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        self.0 = state;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn shuffle(&mut self, items: &mut [usize]) {
        for index in (1..items.len()).rev() {
            let other = (self.next() % (index as u64 + 1)) as usize;
            items.swap(index, other);
        }
    }
}

/// L2-regularised L2-loss SVM by dual coordinate descent (Hsieh et al., 2008), with a
/// regularised bias feature of value 1. `scale` multiplies every feature (NB-SVM).
/// Returns the weights in the scaled space and the bias.
fn train_binary(
    rows: &[Vec<(u32, f32)>],
    positive: &[bool],
    dimension: usize,
    scale: Option<&[f32]>,
    options: &TrainOptions,
    seed: u64,
) -> (Vec<f32>, f32) {
    let diagonal = 0.5 / options.c.max(1e-6);
    let feature = |index: u32, value: f32| match scale {
        Some(scale) => value * scale[index as usize],
        None => value,
    };
    let q_diagonal: Vec<f32> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|&(index, value)| feature(index, value).powi(2))
                .sum::<f32>()
                + 1.0
                + diagonal
        })
        .collect();
    let mut weights = vec![0f32; dimension];
    let mut bias = 0f32;
    let mut alpha = vec![0f32; rows.len()];
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = Rng(seed | 1);
    for _ in 0..options.max_epochs {
        rng.shuffle(&mut order);
        let mut largest = f32::NEG_INFINITY;
        let mut smallest = f32::INFINITY;
        for &doc in &order {
            let sign = if positive[doc] { 1.0 } else { -1.0 };
            let row = &rows[doc];
            let mut margin = bias;
            for &(index, value) in row {
                margin += weights[index as usize] * feature(index, value);
            }
            let gradient = sign * margin - 1.0 + diagonal * alpha[doc];
            let projected = if alpha[doc] == 0.0 {
                gradient.min(0.0)
            } else {
                gradient
            };
            largest = largest.max(projected);
            smallest = smallest.min(projected);
            if projected.abs() > 1e-12 {
                let previous = alpha[doc];
                alpha[doc] = (previous - gradient / q_diagonal[doc]).max(0.0);
                let step = (alpha[doc] - previous) * sign;
                for &(index, value) in row {
                    weights[index as usize] += step * feature(index, value);
                }
                bias += step;
            }
        }
        if largest - smallest < options.tolerance {
            break;
        }
    }
    (weights, bias)
}

/// Naive-Bayes log-count ratios of one label against the rest over the buckets in use.
fn nb_ratios(rows: &[Vec<(u32, f32)>], positive: &[bool], idf: &[f32]) -> Vec<f32> {
    let mut in_label = vec![1f32; idf.len()];
    let mut elsewhere = vec![1f32; idf.len()];
    for (row, &is_positive) in rows.iter().zip(positive) {
        let target = if is_positive {
            &mut in_label
        } else {
            &mut elsewhere
        };
        for &(index, _) in row {
            target[index as usize] += 1.0;
        }
    }
    let used = |counts: &[f32]| -> f32 {
        counts
            .iter()
            .zip(idf)
            .filter(|(_, idf)| **idf > 0.0)
            .map(|(count, _)| count)
            .sum()
    };
    let in_total = used(&in_label).max(1.0);
    let else_total = used(&elsewhere).max(1.0);
    in_label
        .iter()
        .zip(&elsewhere)
        .zip(idf)
        .map(|((inside, outside), idf)| {
            if *idf > 0.0 {
                ((inside / in_total) / (outside / else_total)).ln()
            } else {
                0.0
            }
        })
        .collect()
}

fn check(docs: &[LabeledDoc], options: &TrainOptions) -> Result<Vec<String>, ClassifyError> {
    if !(MIN_HASH_BITS..=MAX_HASH_BITS).contains(&options.hash_bits) {
        return Err(ClassifyError::Options(format!(
            "hash_bits must be in {MIN_HASH_BITS}..={MAX_HASH_BITS}"
        )));
    }
    if !(options.c.is_finite() && options.c > 0.0) {
        return Err(ClassifyError::Options("c must be a positive number".into()));
    }
    let labels: Vec<String> = docs
        .iter()
        .map(|doc| doc.label.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if labels.len() < 2 {
        return Err(ClassifyError::Data(format!(
            "training needs documents of at least 2 labels, got {}",
            labels.len()
        )));
    }
    Ok(labels)
}

/// The margins-only core of training: a model with temperature 1.
fn fit(docs: &[LabeledDoc], options: &TrainOptions, labels: &[String]) -> TopicModel {
    let vectors = vectorise(docs, options);
    let buckets = vectors.idf.len();
    let stride = labels.len() + 1;
    let mut table = vec![0f32; buckets * stride];
    for (index, idf) in vectors.idf.iter().enumerate() {
        table[index * stride] = *idf;
    }
    let mut bias = Vec::with_capacity(labels.len());
    for (label_index, label) in labels.iter().enumerate() {
        let positive: Vec<bool> = docs.iter().map(|doc| &doc.label == label).collect();
        let ratios = options
            .nb
            .then(|| nb_ratios(&vectors.rows, &positive, &vectors.idf));
        let seed = options.seed.wrapping_add(label_index as u64 * 0x9E37_79B9);
        let (weights, label_bias) = train_binary(
            &vectors.rows,
            &positive,
            buckets,
            ratios.as_deref(),
            options,
            seed,
        );
        for (index, weight) in weights.iter().enumerate() {
            let scaled = match &ratios {
                Some(ratios) => weight * ratios[index],
                None => *weight,
            };
            table[index * stride + 1 + label_index] = scaled;
        }
        bias.push(label_bias);
    }
    TopicModel {
        name: options.name.clone(),
        labels: labels.to_vec(),
        hash_bits: options.hash_bits,
        bigrams: options.bigrams,
        prefix: options.prefix,
        title: options.title,
        temperature: 1.0,
        bias,
        table,
        trained: format!("{}; documents={}", options.describe(), docs.len()),
    }
}

/// Stratified fold of every document: within each label, the i-th document goes to fold i % k.
fn fold_of(docs: &[LabeledDoc], folds: usize) -> Vec<usize> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    docs.iter()
        .map(|doc| {
            let count = seen.entry(doc.label.as_str()).or_insert(0);
            let fold = *count % folds;
            *count += 1;
            fold
        })
        .collect()
}

fn split(docs: &[LabeledDoc], fold: &[usize], held_out: usize) -> (Vec<LabeledDoc>, Vec<usize>) {
    let mut train = Vec::new();
    let mut test = Vec::new();
    for (index, doc) in docs.iter().enumerate() {
        if fold[index] == held_out {
            test.push(index);
        } else {
            train.push(doc.clone());
        }
    }
    (train, test)
}

/// Fits the temperature that minimises the held-out negative log-likelihood.
fn fit_temperature(margins: &[(Vec<f32>, usize)]) -> f32 {
    let mut best = (f32::INFINITY, 1.0);
    for step in 0..60 {
        let temperature = 0.25 * 1.1f32.powi(step);
        let mut loss = 0f32;
        for (row, truth) in margins {
            let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let total: f32 = row
                .iter()
                .map(|margin| ((margin - top) * temperature).exp())
                .sum();
            let log_probability = (row[*truth] - top) * temperature - total.ln();
            loss -= log_probability;
        }
        if loss < best.0 {
            best = (loss, temperature);
        }
    }
    best.1
}

/// Trains a topic model on labelled documents.
pub fn train(docs: &[LabeledDoc], options: &TrainOptions) -> Result<TopicModel, ClassifyError> {
    let labels = check(docs, options)?;
    let mut model = fit(docs, options, &labels);
    if options.calibration_folds >= 2 {
        let fold = fold_of(docs, options.calibration_folds);
        let mut held_out = Vec::with_capacity(docs.len());
        for round in 0..options.calibration_folds {
            let (train_docs, test) = split(docs, &fold, round);
            if check(&train_docs, options)
                .map(|found| found != labels)
                .unwrap_or(true)
            {
                continue;
            }
            let partial = fit(&train_docs, options, &labels);
            for index in test {
                if let Some(truth) = labels.iter().position(|label| *label == docs[index].label) {
                    held_out.push((partial.margins(&docs[index].text), truth));
                }
            }
        }
        if !held_out.is_empty() {
            model.temperature = fit_temperature(&held_out);
        }
    }
    Ok(model)
}

/// Accuracy of `model` on `docs` (0 for no documents).
pub fn accuracy(model: &TopicModel, docs: &[LabeledDoc]) -> f64 {
    if docs.is_empty() {
        return 0.0;
    }
    let right = docs
        .iter()
        .filter(|doc| model.predict(&doc.text).label == doc.label)
        .count();
    right as f64 / docs.len() as f64
}

/// Stratified k-fold cross-validated accuracy of `options` on `docs`.
pub fn cross_validate(
    docs: &[LabeledDoc],
    options: &TrainOptions,
    folds: usize,
) -> Result<f64, ClassifyError> {
    let labels = check(docs, options)?;
    if folds < 2 {
        return Err(ClassifyError::Options(
            "cross-validation needs at least 2 folds".into(),
        ));
    }
    let fold = fold_of(docs, folds);
    let mut right = 0usize;
    let mut total = 0usize;
    for round in 0..folds {
        let (train_docs, test) = split(docs, &fold, round);
        let model = fit(&train_docs, options, &labels);
        for index in test {
            let margins = model.margins(&docs[index].text);
            let (best, _) = softmax_best(&margins, 1.0);
            total += 1;
            if labels[best] == docs[index].label {
                right += 1;
            }
        }
    }
    Ok(if total == 0 {
        0.0
    } else {
        right as f64 / total as f64
    })
}

/// The hyperparameter grid searched by [`tune`].
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub c: Vec<f32>,
    pub nb: Vec<bool>,
    pub hash_bits: Vec<u8>,
    pub prefix: Vec<u8>,
    pub folds: usize,
}

impl Default for Grid {
    fn default() -> Grid {
        Grid {
            c: vec![0.1, 0.3, 1.0, 3.0, 10.0],
            nb: vec![false, true],
            hash_bits: vec![20],
            prefix: vec![0, 4],
            folds: 5,
        }
    }
}

/// Picks the options with the best cross-validated accuracy on `docs` (ties: the first in grid
/// order). Returns the winner and every `(options, accuracy)` tried.
pub fn tune(
    docs: &[LabeledDoc],
    base: &TrainOptions,
    grid: &Grid,
) -> Result<(TrainOptions, Vec<(TrainOptions, f64)>), ClassifyError> {
    let mut tried = Vec::new();
    let mut best: Option<(TrainOptions, f64)> = None;
    for (&hash_bits, &prefix) in grid
        .hash_bits
        .iter()
        .flat_map(|bits| grid.prefix.iter().map(move |prefix| (bits, prefix)))
    {
        for &nb in &grid.nb {
            for &c in &grid.c {
                let options = TrainOptions {
                    hash_bits,
                    prefix,
                    nb,
                    c,
                    ..base.clone()
                };
                let score = cross_validate(docs, &options, grid.folds)?;
                if best.as_ref().is_none_or(|(_, top)| score > *top) {
                    best = Some((options.clone(), score));
                }
                tried.push((options, score));
            }
        }
    }
    let (winner, _) = best.ok_or_else(|| ClassifyError::Options("empty grid".into()))?;
    Ok((winner, tried))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<LabeledDoc> {
        let sport = [
            "the striker scored a goal in the football match",
            "the team won the match after extra time",
            "tennis champion wins the final set",
            "the coach praised the players after the cup game",
            "a late goal gave the team the league title",
            "the runner won gold at the championship",
        ];
        let money = [
            "shares fell as the bank cut interest rates",
            "the company reported higher profits and sales",
            "oil prices rose on the stock market",
            "investors sold shares after weak earnings",
            "the central bank raised rates to curb inflation",
            "the firm agreed a takeover deal worth billions",
        ];
        let mut docs = Vec::new();
        for (a, b) in sport.iter().zip(money.iter()) {
            docs.push(LabeledDoc {
                text: a.to_string(),
                label: "sport".into(),
            });
            docs.push(LabeledDoc {
                text: b.to_string(),
                label: "business".into(),
            });
        }
        docs
    }

    fn small() -> TrainOptions {
        TrainOptions {
            hash_bits: 12,
            ..TrainOptions::default()
        }
    }

    #[test]
    fn learns_and_round_trips() {
        let model = train(&corpus(), &small()).unwrap();
        assert_eq!(model.labels(), ["business", "sport"]);
        let topic = model.predict("the team scored a late goal to win the cup");
        assert_eq!(topic.label, "sport");
        assert!(topic.score > 0.5 && topic.score <= 1.0);
        assert_eq!(
            model.predict("bank shares and profits fell").label,
            "business"
        );
        let back = TopicModel::from_bytes(&model.to_bytes()).unwrap();
        assert_eq!(back, model);
        assert!(model.predict("").score > 0.0);
    }

    #[test]
    fn training_is_deterministic() {
        let first = train(&corpus(), &small()).unwrap();
        let second = train(&corpus(), &small()).unwrap();
        assert_eq!(first.to_bytes(), second.to_bytes());
    }

    #[test]
    fn nb_svm_learns_too() {
        let options = TrainOptions {
            nb: true,
            ..small()
        };
        let model = train(&corpus(), &options).unwrap();
        assert_eq!(model.predict("the striker won the match").label, "sport");
        // A corpus where every document carries its label's keywords: cv must be perfect.
        let keyed: Vec<LabeledDoc> = (0..30)
            .map(|index| {
                let (label, words) = if index % 2 == 0 {
                    ("sport", "goal match")
                } else {
                    ("business", "shares bank")
                };
                LabeledDoc {
                    text: format!("{words} filler{index} other{}", index % 7),
                    label: label.into(),
                }
            })
            .collect();
        assert_eq!(cross_validate(&keyed, &options, 3).unwrap(), 1.0);
        assert!(cross_validate(&keyed, &options, 1).is_err());
    }

    #[test]
    fn rejects_bad_input() {
        let one_label: Vec<LabeledDoc> = corpus()
            .into_iter()
            .filter(|doc| doc.label == "sport")
            .collect();
        assert!(train(&one_label, &small()).is_err());
        assert!(train(
            &corpus(),
            &TrainOptions {
                hash_bits: 40,
                ..small()
            }
        )
        .is_err());
        assert!(train(&corpus(), &TrainOptions { c: 0.0, ..small() }).is_err());
    }
}
