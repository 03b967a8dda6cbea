//! The three stages put together as pure functions over a [`Record`]: `clean` (bytes to
//! record), `classify` (language, topics) and `extract` (metadata, entities, quotes, keywords,
//! summary, story fingerprint). The NATS workers and `newsflow process` both call these, so the
//! batch mode is exactly what the stream does.

pub mod stories;

use newsflow_classify::{Rule, TopicModel, MIN_CONFIDENT_SCORE};
use newsflow_clean::Cleaner;
use std::sync::Arc;

use newsflow_extract::anchors::AnchorModel;
use newsflow_extract::story::{self, StoryFingerprint};
use newsflow_extract::Extractor;
use newsflow_model::{ErrorRecord, Format, ModelTopic, Nlp, Record, Stage, Topic};

/// Why the pipeline could not be built from its models.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("topic model {name}: {message}")]
    TopicModel { name: String, message: String },
    #[error("ner model: {0}")]
    NerModel(String),
    #[error("ner model for language {language}: {source}")]
    LanguageNerModel {
        language: String,
        #[source]
        source: newsflow_ner::NerError,
    },
    #[error("extractor: {0}")]
    Extractor(String),
    #[error("anchor model: {0}")]
    AnchorModel(#[from] newsflow_extract::anchors::AnchorModelError),
    #[error("clean model {file}: {source}")]
    CleanModel {
        file: &'static str,
        #[source]
        source: newsflow_clean::CleanError,
    },
}

/// A raw article as the watcher published it.
#[derive(Debug, Clone, Copy)]
pub struct RawInput<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub received_at: &'a str,
    pub format: Format,
    pub bytes: &'a [u8],
    /// What a bulk file said about the article beside its bytes (a WARC record's headers).
    pub hints: Hints<'a>,
}

/// What a container says about an article beside its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// The address it was fetched from (`WARC-Target-URI`): the record's `url`.
    pub url: Option<&'a str>,
    /// When it was fetched (`WARC-Date`): the record's `fetched_at`.
    pub fetched_at: Option<&'a str>,
    /// The charset of the HTTP `Content-Type` header, used when the page declares none.
    pub charset: Option<&'a str>,
}

/// The model files the stages use, as bytes (the binary reads them from `models_dir`).
#[derive(Debug, Default)]
pub struct ModelBytes {
    /// The primary topic model (decides `topic` and the results subject).
    pub primary_topic: Option<(String, Vec<u8>)>,
    /// Other topic models (their labels go under `topics`).
    pub secondary_topics: Vec<(String, Vec<u8>)>,
    pub ner: Option<Vec<u8>>,
    /// Entity models of other languages: (ISO 639-1 code, `ner-<code>.model` bytes).
    pub ner_languages: Vec<(String, Vec<u8>)>,
    pub keywords: Option<Vec<u8>>,
    /// The story anchors (`anchors.model`: place names in many languages, anchor document
    /// frequencies); without it stories join articles of one language only.
    pub anchors: Option<Vec<u8>>,
    /// The clean stage's line model (`clean-lines.json`); `None`: the one built into
    /// newsflow-clean ([`newsflow_clean::SHIPPED_LINE_MODEL`]).
    pub clean_lines: Option<Vec<u8>>,
    /// The clean stage's word frequencies (`clean-words.txt`); `None`: the built-in one.
    pub clean_words: Option<Vec<u8>>,
}

/// The loaded stages.
pub struct Pipeline {
    cleaner: Cleaner,
    primary: Option<TopicModel>,
    secondary: Vec<TopicModel>,
    rules: Vec<Rule>,
    extractor: Extractor,
    anchors: Option<Arc<AnchorModel>>,
}

impl Pipeline {
    pub fn new(models: &ModelBytes, rules: Vec<Rule>) -> Result<Pipeline, PipelineError> {
        let load_topic = |name: &str, bytes: &[u8]| {
            TopicModel::from_bytes(bytes).map_err(|err| PipelineError::TopicModel {
                name: name.to_string(),
                message: err.to_string(),
            })
        };
        let primary = match &models.primary_topic {
            Some((name, bytes)) => Some(load_topic(name, bytes)?),
            None => None,
        };
        let mut secondary = Vec::new();
        for (name, bytes) in &models.secondary_topics {
            secondary.push(load_topic(name, bytes)?);
        }
        let ner = match &models.ner {
            Some(bytes) => Some(
                newsflow_ner::NerModel::from_bytes(bytes)
                    .map_err(|err| PipelineError::NerModel(err.to_string()))?,
            ),
            None => None,
        };
        // other languages' entity models are checked now and read on first use
        let extractor = Extractor::new(ner, models.keywords.as_deref())
            .map_err(|err| PipelineError::Extractor(err.to_string()))?
            .with_language_model_bytes(models.ner_languages.clone())
            .map_err(|(language, source)| PipelineError::LanguageNerModel { language, source })?;
        let clean_lines = models
            .clean_lines
            .as_deref()
            .unwrap_or(newsflow_clean::SHIPPED_LINE_MODEL);
        let clean_words = models
            .clean_words
            .as_deref()
            .unwrap_or(newsflow_clean::SHIPPED_WORD_FREQS);
        // Each model alone, so that the error names the file.
        Cleaner::with_models(Some(clean_lines), None).map_err(|source| {
            PipelineError::CleanModel {
                file: newsflow_clean::LINE_MODEL_FILE,
                source,
            }
        })?;
        let cleaner =
            Cleaner::with_models(Some(clean_lines), Some(clean_words)).map_err(|source| {
                PipelineError::CleanModel {
                    file: newsflow_clean::WORD_FREQS_FILE,
                    source,
                }
            })?;
        let anchors = match &models.anchors {
            Some(bytes) => Some(Arc::new(AnchorModel::from_bytes(bytes)?)),
            None => None,
        };
        Ok(Pipeline {
            cleaner,
            primary,
            secondary,
            rules,
            extractor,
            anchors,
        })
    }

    /// The story anchor model, when one was given (shared with the story assigners).
    pub fn anchor_model(&self) -> Option<Arc<AnchorModel>> {
        self.anchors.clone()
    }

    /// The same-story fingerprint of an extracted record, with its anchors when the pipeline
    /// has an anchor model.
    pub fn story_fingerprint(&self, record: &Record) -> StoryFingerprint {
        story::fingerprint_with(record, self.anchors.as_deref())
    }

    /// Clean stage: bytes to a record with body and metadata candidates, or an error record.
    pub fn clean(&self, raw: &RawInput<'_>) -> Result<Record, Box<ErrorRecord>> {
        let cleaned = self
            .cleaner
            .clean_with_charset(raw.bytes, raw.format, raw.hints.charset)
            .map_err(|err| {
                Box::new(ErrorRecord::new(
                    raw.id,
                    raw.source,
                    Stage::Clean,
                    err.kind(),
                    err.to_string(),
                ))
            })?;
        let mut record = Record::new(
            raw.id.to_string(),
            raw.source.to_string(),
            raw.received_at.to_string(),
            raw.format,
        );
        record.title = cleaned.title;
        record.byline = cleaned.byline;
        record.dateline = cleaned.dateline;
        record.published = cleaned.published;
        record.published_text = cleaned.published_text;
        record.url = raw.hints.url.map(str::to_string).or(cleaned.url);
        record.fetched_at = raw.hints.fetched_at.map(str::to_string);
        record.outlet = cleaned.outlet;
        record.authors = cleaned.authors;
        record.modified = cleaned.modified;
        record.section = cleaned.section;
        record.standfirst = cleaned.standfirst;
        record.body = cleaned.body;
        record.encoding = Some(cleaned.encoding);
        if let Some(hint) = cleaned.language_hint {
            // the page's tag ("sq-AL", "pt_BR") by its ISO 639 primary subtag, as detected
            // languages are named
            let primary = hint
                .split(['-', '_'])
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase()) {
                record.language = Some(primary);
            }
        }
        record.stages.push("clean".to_string());
        Ok(record)
    }

    /// Classify stage: language, primary topic, other models' and rules' labels.
    pub fn classify(&self, record: &mut Record) {
        let text = classification_text(record);
        record.topics.clear();
        // a declared language the detector does not know stays (Albanian is not French)
        let declared_unknown = record
            .language
            .as_deref()
            .is_some_and(|declared| !newsflow_classify::can_detect(declared));
        match newsflow_classify::detect_language(&text).filter(|_| !declared_unknown) {
            Some((code, score)) => {
                record.language = Some(code);
                record.language_score = Some(score);
            }
            None => {
                if record.language.is_none() {
                    record
                        .skipped
                        .push("language: text too short to identify".to_string());
                }
            }
        }
        let english = record.language.as_deref().is_none_or(|code| code == "en");
        // the publisher's section decides for every language; the English model runs beside
        // it (its guess under `topics`) and decides alone for English text without one
        let from_section =
            newsflow_classify::topic_from_section(record.section.as_deref(), record.url.as_deref());
        let topic_ran = if from_section.is_some() {
            Nlp::SECTION.to_string()
        } else if !english {
            Nlp::UNSUPPORTED_LANGUAGE.to_string()
        } else {
            match &self.primary {
                Some(model) => Nlp::model(model.name()),
                None => Nlp::NO_MODEL.to_string(),
            }
        };
        record.nlp = Some(Nlp {
            language: record.language.clone(),
            topic: Some(topic_ran),
            ..Nlp::default()
        });
        record.topic = None;
        if english {
            let guess = self.primary.as_ref().map(|model| model.predict(&text));
            // Beside the section and for the secondary models, a model says nothing (its entry
            // is left out) when the text is outside its taxonomy or its calibrated score is
            // low (issue 20): `predict_known`.
            if let (Some(model), Some(_)) = (&self.primary, from_section) {
                if let Some(known) = model.predict_known(&text, MIN_CONFIDENT_SCORE) {
                    record.topics.push(ModelTopic {
                        model: model.name().to_string(),
                        label: known.label,
                        score: known.score,
                    });
                }
            }
            record.topic = guess;
            for model in &self.secondary {
                if let Some(topic) = model.predict_known(&text, MIN_CONFIDENT_SCORE) {
                    record.topics.push(ModelTopic {
                        model: model.name().to_string(),
                        label: topic.label,
                        score: topic.score,
                    });
                }
            }
        } else if from_section.is_none() {
            record.topic = Some(Topic {
                label: "unknown".to_string(),
                score: 0.0,
            });
            record.skipped.push(format!(
                "topic: no section and models are trained on english, language is {}",
                record.language.as_deref().unwrap_or("unknown")
            ));
        }
        if let Some(label) = from_section {
            record.topic = Some(Topic {
                label: label.to_string(),
                score: 1.0,
            });
        }
        let title = record.title.clone().unwrap_or_default();
        record.topics.extend(newsflow_classify::apply_rules(
            &self.rules,
            &title,
            &record.body,
        ));
        record.stages.push("classify".to_string());
    }

    /// Extract stage: metadata, entities, quotes, keywords, summary.
    pub fn extract(&self, record: &mut Record) {
        self.extractor.extract(record);
        // say so when keywords were ranked without the language's background statistics
        let language = record.language.as_deref().unwrap_or("unknown").to_string();
        let how = record.nlp.as_ref().and_then(|nlp| nlp.keywords.clone());
        if let Some(how) = how {
            if how.starts_with("frequency:") {
                record.skipped.push(format!(
                    "keywords: no background statistics for language {language}, ranked by frequency"
                ));
            } else if how.starts_with("none:") {
                record
                    .skipped
                    .push(format!("keywords: language {language} is not supported"));
            }
        }
        record.stages.push("extract".to_string());
    }

    /// All three stages (story assignment is separate: it needs shared state).
    pub fn process(&self, raw: &RawInput<'_>) -> Result<Record, Box<ErrorRecord>> {
        let mut record = self.clean(raw)?;
        self.classify(&mut record);
        self.extract(&mut record);
        Ok(record)
    }
}

/// Title and body, the text the topic models were trained on.
fn classification_text(record: &Record) -> String {
    match &record.title {
        Some(title) => format!("{title}\n{}", record.body),
        None => record.body.clone(),
    }
}
