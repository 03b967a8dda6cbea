//! Gives every article a language and topics: the classify stage of newsflow.
//!
//! Layout:
//! - [`TopicModel`] (`model`): a hashed word + bigram tf-idf linear model, its file format and
//!   prediction.
//! - [`train`] (`train`): one-vs-rest linear SVMs by dual coordinate descent (optionally NB-SVM),
//!   with cross-validation ([`cross_validate`], [`tune`]) to pick hyperparameters.
//! - [`detect_language`] (`language`): ISO 639-1 code and confidence via whatlang.
//! - [`Rule`] and [`apply_rules`] (`rules`): keyword routing without retraining.
//! - [`topic_from_section`] (`section`): the topic a publisher's section or URL path names, in
//!   seven languages (a documented table).
//!
//! Training data (BBC tar, AG News CSV, users' JSONL) and its dev splits are read by
//! `newsflow_corpus`; [`LabeledDoc`] is its labelled-document type.
//!
//! Pure code: no I/O. Models come in as bytes.

#[doc(hidden)]
pub mod features;
mod language;
mod model;
mod rules;
mod section;
mod train;

pub use language::{can_detect, detect_language};
pub use model::{TopicModel, MIN_CONFIDENT_SCORE};
pub use newsflow_corpus::LabeledDoc;
pub use rules::{apply_rules, Rule};
pub use section::{section_topic, topic_from_section, url_topic, ENTERTAINMENT};
pub use train::{accuracy, cross_validate, train, tune, Grid, TrainOptions};

/// What can go wrong in the classify stage.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    /// A model file that cannot be read.
    #[error("invalid topic model: {0}")]
    Format(String),
    /// Training data that cannot be parsed or used.
    #[error("invalid training data: {0}")]
    Data(String),
    /// Training options out of range.
    #[error("invalid training options: {0}")]
    Options(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn model_is_shareable() {
        assert_send_sync::<TopicModel>();
    }
}
