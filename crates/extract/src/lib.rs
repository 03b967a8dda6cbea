//! The extract stage: from a cleaned article record, find who is in the story (entities), who
//! said what (quotes), when and by whom it was published (metadata), what it is about
//! (keyphrases, summary), and whether it is the same story as another article (`story`).
//!
//! Layout:
//! - [`Extractor`]: the stage; `extract` fills a [`Record`]'s extract fields in place.
//! - [`meta`]: byline, dateline, outlet, title; [`dates`]: date text to ISO 8601.
//! - [`entities`]: NER mentions aggregated into one entry per real-world entity.
//! - [`quotes`]: direct quotations and their speakers.
//! - [`keywords`]: TF-IDF keyphrases against a background model; [`summary`]: lead-biased
//!   extractive summary.
//! - [`story`]: same-story fingerprints and comparisons.
//!
//! The crate is pure: models come in as bytes or values, nothing here reads files.

pub mod dates;
pub mod entities;
pub mod keywords;
pub mod meta;
pub mod quotes;
pub mod story;
pub mod summary;
mod text;

pub use text::{FastHasher, FastState};

use entities::EntityMention;
use keywords::{KeywordModel, KeywordModelError};
use newsflow_model::Record;
use newsflow_ner::NerModel;
use quotes::NameMention;

/// Bodies longer than this (bytes) are analysed only up to here.
pub const MAX_BODY_BYTES: usize = 200_000;

/// Errors building an [`Extractor`].
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExtractError {
    #[error("invalid keyword model: {0}")]
    KeywordModel(#[from] KeywordModelError),
}

/// The extract stage. `Send + Sync`: one instance serves all worker threads.
#[derive(Debug)]
pub struct Extractor {
    /// The English entity model (also for articles of unknown language).
    ner: Option<NerModel>,
    /// Entity models of other languages, by ISO 639-1 code.
    ner_languages: Vec<(String, NerModel)>,
    keywords: Option<KeywordModel>,
}

/// Which entity model an article gets, and what `nlp.entities` says about it.
enum EntityChoice<'m> {
    Model(&'m NerModel, String),
    /// No model: `nlp.entities` and the `skipped` note.
    Nothing(&'static str, String),
}

/// The body's non-empty paragraphs with their byte offsets.
fn paragraphs(body: &str) -> (Vec<&str>, Vec<usize>) {
    let mut texts = Vec::new();
    let mut offsets = Vec::new();
    let mut offset = 0;
    for line in body.split('\n') {
        let trimmed = line.trim_end_matches('\r');
        if !trimmed.trim().is_empty() {
            texts.push(trimmed);
            offsets.push(offset);
        }
        offset += line.len() + 1;
    }
    (texts, offsets)
}

fn truncate(body: &str, limit: usize) -> &str {
    if body.len() <= limit {
        return body;
    }
    let mut end = limit;
    while end > 0 && !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

impl Extractor {
    /// An extractor with an optional NER model (without one, `entities` stays `None`) and an
    /// optional keyword model (the bytes of `config/models/keywords.model`; without one,
    /// keyphrases are ranked by frequency alone).
    pub fn new(ner: Option<NerModel>, keywords: Option<&[u8]>) -> Result<Extractor, ExtractError> {
        let keywords = keywords.map(KeywordModel::from_bytes).transpose()?;
        Ok(Extractor {
            ner,
            ner_languages: Vec::new(),
            keywords,
        })
    }

    /// The extractor with entity models for other languages (`("de", model)`, ...): an article
    /// detected as one of them is tagged with its model; an article in a language with no
    /// model gets no entities (the English model never runs on it).
    pub fn with_language_models(mut self, models: Vec<(String, NerModel)>) -> Extractor {
        self.ner_languages = models;
        self
    }

    /// The entity model for an article's language (`None`: unknown, taken as English).
    fn entity_model(&self, language: Option<&str>) -> EntityChoice<'_> {
        let code = language.unwrap_or("en");
        if code == "en" {
            return match &self.ner {
                Some(model) => EntityChoice::Model(model, newsflow_ner::model_name("en")),
                None => EntityChoice::Nothing(
                    newsflow_model::Nlp::NO_MODEL,
                    "extract: entities: no ner model".to_string(),
                ),
            };
        }
        if let Some((_, model)) = self.ner_languages.iter().find(|(lang, _)| lang == code) {
            return EntityChoice::Model(model, newsflow_ner::model_name(code));
        }
        if newsflow_ner::OTHER_LANGUAGES.contains(&code) {
            return EntityChoice::Nothing(
                newsflow_model::Nlp::NO_MODEL,
                format!("extract: entities: no ner model for language {code}"),
            );
        }
        EntityChoice::Nothing(
            newsflow_model::Nlp::UNSUPPORTED_LANGUAGE,
            format!("extract: entities: language {code}"),
        )
    }

    /// Fills title (refined), byline, dateline, published (ISO), outlet, entities, quotes,
    /// keywords and summary. Never panics.
    pub fn extract(&self, record: &mut Record) {
        let body_owned = std::mem::take(&mut record.body);
        let body = truncate(&body_owned, MAX_BODY_BYTES);
        if body.len() < body_owned.len() {
            record.skipped.push(format!(
                "extract: body analysed up to {MAX_BODY_BYTES} bytes"
            ));
        }
        let (paragraphs, offsets) = paragraphs(body);

        // Authors: the names the page's markup gives, else the raw byline, else a byline
        // line ("By", "Von", "Par", "Por", "Di", "Door") among the first paragraphs.
        let body_byline = || {
            paragraphs
                .iter()
                .take(6)
                .find(|p| p.len() < 100 && meta::strip_byline_prefix(p).is_some())
                .map(|p| p.to_string())
        };
        let mut byline = meta::Byline::default();
        for raw in std::mem::take(&mut record.authors) {
            let parsed = meta::parse_markup_names(&raw);
            merge_byline(&mut byline, parsed);
        }
        let byline_source = record.byline.clone().or_else(body_byline);
        if byline.persons.is_empty() {
            if let Some(source) = byline_source.as_deref() {
                merge_byline(&mut byline, meta::parse_byline(source));
            }
            if byline.persons.is_empty() && record.byline.is_some() {
                if let Some(line) = body_byline() {
                    merge_byline(&mut byline, meta::parse_byline(&line));
                }
            }
        }
        if let Some(agency) = meta::agency_in_lead(&paragraphs) {
            if !byline.agencies.iter().any(|a| a == agency) {
                byline.agencies.push(agency.to_string());
            }
        }
        record.byline = (!byline.persons.is_empty()).then(|| byline.persons.join(", "));
        record.authors = byline.persons.clone();
        record.agencies = byline.agencies.clone();

        let dateline_raw = record.dateline.clone();
        record.dateline = dateline_raw
            .as_deref()
            .and_then(|raw| meta::parse_dateline(raw).or_else(|| meta::plain_city(raw)))
            .or_else(|| {
                paragraphs
                    .iter()
                    .take(6)
                    .find_map(|p| meta::parse_dateline(p))
            });

        // Outlet: the page's own name for itself (og:site_name, JSON-LD publisher), a known
        // outlet named in the text or the byline, the known host, then the host itself.
        let outlet = record
            .outlet
            .as_deref()
            .and_then(|candidate| {
                let trimmed = candidate.trim();
                meta::known_outlet(trimmed).map(str::to_string).or_else(|| {
                    (!trimmed.is_empty() && trimmed.len() <= 60).then(|| trimmed.to_string())
                })
            })
            .or_else(|| meta::outlet_in_text(&paragraphs))
            .or(byline.outlet.clone())
            .or_else(|| {
                record
                    .url
                    .as_deref()
                    .and_then(meta::outlet_from_url)
                    .map(str::to_string)
            })
            .or_else(|| record.url.as_deref().and_then(meta::host_of_url));
        record.outlet = outlet;

        record.title = record
            .title
            .as_deref()
            .and_then(|t| meta::refine_title(t, record.outlet.as_deref()));

        let dateline_for_date = dateline_raw.as_deref().or_else(|| {
            paragraphs
                .iter()
                .take(6)
                .find(|p| meta::parse_dateline(p).is_some())
                .copied()
        });
        // The dateline sentence may run on; only its head can hold the date.
        let dateline_head: Option<String> = dateline_for_date.map(meta::dateline_head);
        record.published = meta::published(
            record.published.as_deref(),
            record.published_text.as_deref(),
            dateline_head.as_deref(),
            &paragraphs,
        );

        // Stopwords and keyword background statistics are English; entity models exist for
        // English and the languages of `ner_languages`.
        let language = record.language.clone().filter(|lang| lang != "en");
        let mut nlp = record.nlp.take().unwrap_or_default();
        nlp.language = record.language.clone();

        // Entities and the names quotes are attributed to.
        let mut names: Vec<NameMention> = Vec::new();
        match self.entity_model(record.language.as_deref()) {
            EntityChoice::Nothing(ran, note) => {
                record.entities = None;
                record.skipped.push(note);
                nlp.entities = Some(ran.to_string());
            }
            EntityChoice::Model(ner, name) => {
                let mentions: Vec<EntityMention> = ner
                    .recognize(body)
                    .into_iter()
                    .map(|m| EntityMention {
                        text: m.text,
                        kind: m.kind,
                        start: m.start,
                        end: m.end,
                    })
                    .map(|m| {
                        if record.language.as_deref() == Some("fr") {
                            strip_french_elision(m)
                        } else {
                            m
                        }
                    })
                    .collect();
                let mentions = entities::repair_mentions(body, mentions);
                record.entities = Some(entities::aggregate(&mentions));
                nlp.entities = Some(newsflow_model::Nlp::model(&name));
                for mention in &mentions {
                    let words: Vec<String> = entity_words(&mention.text);
                    if !words.is_empty() {
                        names.push(NameMention {
                            text: words.join(" "),
                            words,
                            kind: Some(mention.kind),
                            start: mention.start,
                        });
                    }
                }
            }
        }
        names.extend(quotes::names_from_runs(&paragraphs, &offsets));
        names.sort_by_key(|n| n.start);
        // Quotation marks and speech verbs of the article's language (English ones for English,
        // unknown and uncovered languages).
        let quote_rules = quotes::rules_for(record.language.as_deref());
        record.quotes = Some(quotes::extract_with(
            quote_rules,
            &paragraphs,
            &offsets,
            &names,
        ));
        nlp.quotes = Some(format!("rules:{}", quote_rules.language));

        // Page furniture that names the outlet ("ABC News Live") or the desk of the byline
        // ("News Room") is not what the article is about.
        let outlet_lower = record.outlet.as_deref().map(str::to_lowercase);
        let byline_lower = byline_source.as_deref().map(str::to_lowercase);
        let mut keyphrases = keywords::extract(
            record.title.as_deref(),
            &paragraphs,
            self.keywords.as_ref(),
            keywords::KEYWORDS_PER_ARTICLE + 5,
        );
        keyphrases.retain(|k| {
            let lower = k.text.to_lowercase();
            let names_outlet = outlet_lower.as_deref().is_some_and(|o| lower.contains(o));
            let in_byline = byline_lower.as_deref().is_some_and(|b| b.contains(&lower));
            !names_outlet && !in_byline
        });
        keyphrases.truncate(keywords::KEYWORDS_PER_ARTICLE);
        if self.keywords.is_none() {
            record
                .skipped
                .push("extract: keywords: no background model".to_string());
        }
        record.summary = summary::summarize(&paragraphs, &keyphrases);
        match &language {
            Some(lang) => {
                record.keywords = None;
                record
                    .skipped
                    .push(format!("extract: keywords: language {lang}"));
                nlp.keywords = Some(newsflow_model::Nlp::UNSUPPORTED_LANGUAGE.to_string());
            }
            None => {
                record.keywords = Some(keyphrases.into_iter().map(|k| k.text).collect());
                let ranking = if self.keywords.is_some() {
                    "tfidf:en"
                } else {
                    "frequency:en"
                };
                nlp.keywords = Some(ranking.to_string());
            }
        }
        record.nlp = Some(nlp);
        record.body = body_owned;
    }
}

/// A French mention without its elided article (`l’Italie` is `Italie`, `d’Europe` is
/// `Europe`): the tokenizer keeps `l’` on the word. `D’` is kept (`D’Alembert`).
fn strip_french_elision(mention: EntityMention) -> EntityMention {
    const ELIDED: &[&str] = &["l’", "l'", "L’", "L'", "d’", "d'"];
    for prefix in ELIDED {
        if let Some(rest) = mention.text.strip_prefix(prefix) {
            if rest.chars().next().is_some_and(char::is_uppercase) {
                return EntityMention {
                    text: rest.to_string(),
                    start: mention.start + prefix.len(),
                    ..mention
                };
            }
        }
    }
    mention
}

/// Adds the persons, agencies and outlet of `more` that `into` does not have yet.
fn merge_byline(into: &mut meta::Byline, more: meta::Byline) {
    for person in more.persons {
        if !into.persons.contains(&person) {
            into.persons.push(person);
        }
    }
    for agency in more.agencies {
        if !into.agencies.contains(&agency) {
            into.agencies.push(agency);
        }
    }
    if into.outlet.is_none() {
        into.outlet = more.outlet;
    }
}

fn entity_words(surface: &str) -> Vec<String> {
    text::words(surface)
        .iter()
        .map(|w| {
            let token = w.text(surface);
            token
                .strip_suffix("'s")
                .or_else(|| token.strip_suffix("’s"))
                .unwrap_or(token)
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extractor_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Extractor>();
    }

    #[test]
    fn other_languages_skip_keywords() {
        let extractor = Extractor::new(None, None).expect("extractor");
        let mut record = Record::new(
            "x".into(),
            "x.txt".into(),
            String::new(),
            newsflow_model::Format::Txt,
        );
        record.language = Some("de".into());
        record.body =
            "Die Regierung hat am Montag neue Regeln beschlossen. Sie gelten ab Juli.".into();
        extractor.extract(&mut record);
        assert_eq!(record.keywords, None);
        assert!(record
            .skipped
            .contains(&"extract: keywords: language de".to_string()));
        assert!(record.summary.is_some());
    }

    fn record_in(language: &str, body: &str) -> Record {
        let mut record = Record::new(
            "x".into(),
            "x.txt".into(),
            String::new(),
            newsflow_model::Format::Txt,
        );
        record.language = Some(language.into());
        record.body = body.into();
        record
    }

    #[test]
    fn the_record_says_what_ran() {
        let extractor = Extractor::new(None, None).expect("extractor");
        let mut spanish = record_in(
            "es",
            "El presidente dijo el lunes que el Gobierno aprobará nuevas reglas en julio.",
        );
        extractor.extract(&mut spanish);
        let nlp = spanish.nlp.expect("nlp");
        assert_eq!(nlp.language.as_deref(), Some("es"));
        assert_eq!(nlp.entities.as_deref(), Some("none:unsupported-language"));
        assert_eq!(nlp.keywords.as_deref(), Some("none:unsupported-language"));
        assert_eq!(nlp.quotes.as_deref(), Some("rules:es"));
        assert_eq!(spanish.entities, None);

        let mut german = record_in("de", "Die Regierung hat am Montag neue Regeln beschlossen.");
        extractor.extract(&mut german);
        let nlp = german.nlp.expect("nlp");
        assert_eq!(nlp.entities.as_deref(), Some("none:no-model"));
        assert!(german
            .skipped
            .contains(&"extract: entities: no ner model for language de".to_string()));

        let mut english = record_in("en", "The government approved new rules on Monday.");
        english.nlp = Some(newsflow_model::Nlp {
            topic: Some("model:bbc".into()),
            ..Default::default()
        });
        extractor.extract(&mut english);
        let nlp = english.nlp.expect("nlp");
        assert_eq!(
            nlp.topic.as_deref(),
            Some("model:bbc"),
            "classify's entry is kept"
        );
        assert_eq!(nlp.entities.as_deref(), Some("none:no-model"));
        assert_eq!(nlp.keywords.as_deref(), Some("frequency:en"));
    }

    #[test]
    fn french_elided_articles_are_not_part_of_names() {
        let mention = |text: &str| EntityMention {
            text: text.to_string(),
            kind: newsflow_model::EntityType::LOC,
            start: 10,
            end: 10 + text.len(),
        };
        let stripped = strip_french_elision(mention("l’Italie"));
        assert_eq!(
            (stripped.text.as_str(), stripped.start),
            ("Italie", 10 + "l’".len())
        );
        assert_eq!(strip_french_elision(mention("L'Europe")).text, "Europe");
        assert_eq!(
            strip_french_elision(mention("D’Alembert")).text,
            "D’Alembert"
        );
        assert_eq!(
            strip_french_elision(mention("l’ambassade")).text,
            "l’ambassade"
        );
    }

    #[test]
    fn bad_keyword_model_is_an_error() {
        let error = Extractor::new(None, Some(b"nope")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid keyword model: keyword model header is missing or unknown"
        );
    }
}
