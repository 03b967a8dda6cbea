//! `newsflow-ner` finds named entities (PER, ORG, LOC, MISC) in news text: an averaged
//! structured perceptron over BIOES labels with Viterbi decoding, word-shape, affix, context,
//! casing-statistics, word-cluster, gazetteer and document-level features (the neighbours of the
//! same word's other mentions in the article), and a second pass that sees the first pass's
//! labels of the whole document.
//!
//! English models are trained on CoNLL-2003; German, French and Dutch ones (see
//! [`OTHER_LANGUAGES`]) on historic newspaper text, with the same features.
//!
//! Layout:
//! - [`NerModel`]: a trained model (`from_bytes` / `to_bytes`), [`NerModel::tag_document`] for
//!   pre-tokenized text, [`NerModel::recognize`] for free text.
//! - [`train`] with [`TrainOptions`]: deterministic training from CoNLL documents.
//! - [`brown_clusters`]: Brown word clusters (bit paths) of unlabelled text, an optional
//!   feature group of [`train`].
//! - [`tokenize`] / [`sentences`]: the PTB/CoNLL-like tokenizer used by `recognize`.
//! - [`conll`]: conlleval-style scoring and tag schemes (the CoNLL documents themselves are
//!   `newsflow_corpus::conll`'s, re-exported).
//!
//! The crate is pure: models come in as bytes, nothing here touches files or the network (its
//! CoNLL types come from `newsflow-corpus`, whose file readers it does not call).

pub mod brown;
pub mod conll;
mod features;
mod hash;
mod labels;
mod lexicon;
mod model;
mod perceptron;
mod tagger;
mod tokenize;
mod training;

pub use brown::{brown_clusters, BrownClusters, BrownEntry, BrownOptions};
pub use model::{Mention, NerError, NerModel};
pub use tokenize::{sentences, tokenize, Token};
pub use training::{train, TrainOptions, TrainReport};

/// Languages with a model of their own besides English (`ner-<code>.model`, trained on the
/// `ner-multilingual/` data: PER, LOC, ORG, no MISC).
pub const OTHER_LANGUAGES: &[&str] = &["de", "fr", "nl"];

/// A model's file name in the models folder: `ner.model` for English (and anything not in
/// [`OTHER_LANGUAGES`]), `ner-de.model` for German, and so on.
pub fn model_file_name(language: &str) -> String {
    if OTHER_LANGUAGES.contains(&language) {
        format!("ner-{language}.model")
    } else {
        "ner.model".to_string()
    }
}

/// The name a record's `nlp.entities` gives a model: `ner` for English, `ner-de`, ...
pub fn model_name(language: &str) -> String {
    model_file_name(language)
        .trim_end_matches(".model")
        .to_string()
}

// The extract stage shares one model between worker threads.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<NerModel>();
};
