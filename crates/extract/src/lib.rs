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
//! - [`story`]: same-story fingerprints and comparisons; [`anchors`]: the names, places and
//!   figures two reports of one event share in any language (cross-language stories).
//!
//! The crate is pure: models come in as bytes or values, nothing here reads files.

pub mod anchors;
pub mod dates;
pub mod entities;
pub mod keywords;
pub mod lang;
pub mod meta;
pub mod quotes;
pub mod story;
pub mod summary;
mod text;

pub use text::{FastHasher, FastState};

use entities::EntityMention;
use keywords::{KeywordModelError, KeywordTables};
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
    /// Entity models of other languages, by ISO 639-1 code, each read on the first article
    /// in its language.
    ner_languages: Vec<LanguageModel>,
    /// Keyword background tables per language.
    keywords: Option<KeywordTables>,
}

/// An entity model of another language: its bytes, checked when given, and the model read
/// from them on the first article that needs it (a feed in English never holds the German,
/// French and Dutch models: ~85 MB).
#[derive(Debug)]
struct LanguageModel {
    code: String,
    bytes: Vec<u8>,
    model: std::sync::OnceLock<Option<NerModel>>,
}

impl LanguageModel {
    fn model(&self) -> Option<&NerModel> {
        self.model
            .get_or_init(|| NerModel::from_bytes(&self.bytes).ok())
            .as_ref()
    }
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
    /// optional keyword model (the bytes of `config/models/keywords.model`, one background
    /// table per language; without one, or for a language it has no table of, keyphrases are
    /// ranked by frequency alone).
    pub fn new(ner: Option<NerModel>, keywords: Option<&[u8]>) -> Result<Extractor, ExtractError> {
        let keywords = keywords.map(KeywordTables::from_bytes).transpose()?;
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
        self.ner_languages = models
            .into_iter()
            .map(|(code, model)| LanguageModel {
                code,
                bytes: Vec::new(),
                model: std::sync::OnceLock::from(Some(model)),
            })
            .collect();
        self
    }

    /// The extractor with entity models for other languages given as model file bytes
    /// (`("de", bytes)`, ...). Each is read once here to fail on a bad model, then dropped,
    /// and read again on the first article in its language.
    pub fn with_language_model_bytes(
        mut self,
        models: Vec<(String, Vec<u8>)>,
    ) -> Result<Extractor, (String, newsflow_ner::NerError)> {
        for (code, bytes) in models {
            if let Err(error) = NerModel::from_bytes(&bytes) {
                return Err((code, error));
            }
            self.ner_languages.push(LanguageModel {
                code,
                bytes,
                model: std::sync::OnceLock::new(),
            });
        }
        Ok(self)
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
        if let Some(language) = self.ner_languages.iter().find(|model| model.code == code) {
            if let Some(model) = language.model() {
                return EntityChoice::Model(model, newsflow_ner::model_name(code));
            }
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
    ///
    /// The steps run in this order because each reads what the one before it settled: the
    /// outlet uses the byline's outlet, the title is refined against the outlet, quotes are
    /// attributed to the entities' names, keyphrases drop the outlet and byline, and the summary
    /// is weighted by the keyphrases.
    pub fn extract(&self, record: &mut Record) {
        let body_owned = std::mem::take(&mut record.body);
        let body = truncate(&body_owned, MAX_BODY_BYTES);
        if body.len() < body_owned.len() {
            record.skipped.push(format!(
                "extract: body analysed up to {MAX_BODY_BYTES} bytes"
            ));
        }
        let (paragraphs, offsets) = paragraphs(body);

        let markup_names = std::mem::take(&mut record.authors);
        let mut authors = authors(markup_names, record.byline.as_deref(), &paragraphs);
        // a blogger's one-word name from the author markup, when nothing names a person in full
        if authors.byline.persons.is_empty() {
            authors.byline.persons = std::mem::take(&mut authors.byline.pen_names)
                .into_iter()
                .filter(|name| {
                    !meta::names_the_site(name, record.outlet.as_deref(), record.url.as_deref())
                })
                .collect();
        }
        record.byline =
            (!authors.byline.persons.is_empty()).then(|| authors.byline.persons.join(", "));
        record.authors = authors.byline.persons.clone();
        record.agencies = authors.byline.agencies.clone();

        let page_dateline = record.dateline.take();
        record.dateline = dateline(page_dateline.as_deref(), &paragraphs);
        record.outlet = outlet(
            record.outlet.as_deref(),
            &paragraphs,
            authors.byline.outlet.as_deref(),
            record.url.as_deref(),
        );
        record.title = record
            .title
            .as_deref()
            .and_then(|title| meta::refine_title(title, record.outlet.as_deref()));
        record.published = published(
            record.published.as_deref(),
            record.published_text.as_deref(),
            page_dateline.as_deref(),
            &paragraphs,
        );

        let mut nlp = record.nlp.take().unwrap_or_default();
        nlp.language = record.language.clone();

        let found = self.entities(body, record.language.as_deref());
        record.entities = found.entities;
        record.skipped.extend(found.skipped);
        nlp.entities = Some(found.ran);
        let names = quote_names(&found.mentions, &paragraphs, &offsets);
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

        // Stop words, sentence rules and background statistics of the article's language;
        // English ones for unknown and uncovered languages (whose keywords then stay empty).
        let language = lang::for_code(record.language.as_deref()).unwrap_or(&lang::ENGLISH);
        let (candidates, article_candidates) = keywords::extract_keeping_candidates_in(
            record.title.as_deref(),
            &paragraphs,
            self.keywords.as_ref().and_then(|t| t.get(language.code)),
            keywords::KEYWORDS_PER_ARTICLE + 5,
            language,
        );
        let keyphrases = without_page_furniture(
            candidates,
            record.outlet.as_deref(),
            authors.source.as_deref(),
        );
        record.summary =
            summary::summarize_reusing(&paragraphs, &article_candidates, &keyphrases, language);
        let chosen = self.keywords_for(record.language.as_deref(), keyphrases);
        record.keywords = chosen.keywords;
        record.skipped.extend(chosen.skipped);
        nlp.keywords = Some(chosen.ran);
        record.nlp = Some(nlp);
        record.body = body_owned;
    }

    /// Entities from the model of the article's language, or the reason there are none.
    fn entities(&self, body: &str, language: Option<&str>) -> FoundEntities {
        match self.entity_model(language) {
            EntityChoice::Nothing(ran, note) => FoundEntities {
                entities: None,
                ran: ran.to_string(),
                skipped: Some(note),
                mentions: Vec::new(),
            },
            EntityChoice::Model(ner, name) => {
                let mentions = recognize(ner, body, language);
                FoundEntities {
                    entities: Some(entities::aggregate(&mentions)),
                    ran: newsflow_model::Nlp::model(&name),
                    skipped: None,
                    mentions,
                }
            }
        }
    }

    /// The keywords of an article in `language` (unknown: English): ranked by TF-IDF against
    /// the language's background table, or by frequency where the model has none; a language
    /// without stop words and sentence rules ([`lang::SUPPORTED`]) gets none (its keyphrases
    /// still weight the summary).
    fn keywords_for(
        &self,
        language: Option<&str>,
        keyphrases: Vec<keywords::Keyphrase>,
    ) -> RankedKeywords {
        let mut skipped = Vec::new();
        let code = language.unwrap_or("en");
        if lang::for_code(Some(code)).is_none() {
            if self.keywords.is_none() {
                skipped.push("extract: keywords: no background model".to_string());
            }
            skipped.push(format!("extract: keywords: language {code}"));
            return RankedKeywords {
                keywords: None,
                ran: newsflow_model::Nlp::UNSUPPORTED_LANGUAGE.to_string(),
                skipped,
            };
        }
        let table = self.keywords.as_ref().and_then(|t| t.get(code));
        match (&self.keywords, table) {
            (None, _) => skipped.push("extract: keywords: no background model".to_string()),
            (Some(_), None) => skipped.push(format!(
                "extract: keywords: no background statistics for language {code}"
            )),
            (Some(_), Some(_)) => {}
        }
        let ranking = if table.is_some() {
            "tfidf"
        } else {
            "frequency"
        };
        RankedKeywords {
            keywords: Some(keyphrases.into_iter().map(|k| k.text).collect()),
            ran: format!("{ranking}:{code}"),
            skipped,
        }
    }
}

/// What the entity step gives the record.
struct FoundEntities {
    /// `entities`: `None` when no model ran.
    entities: Option<Vec<newsflow_model::Entity>>,
    /// `nlp.entities`: the model that ran, or why none did.
    ran: String,
    /// The `skipped` note when no model ran.
    skipped: Option<String>,
    /// The model's mentions: quotes are attributed to them.
    mentions: Vec<EntityMention>,
}

/// What the keyword step gives the record.
struct RankedKeywords {
    /// `keywords`: `None` for languages without stop words and sentence rules.
    keywords: Option<Vec<String>>,
    /// `nlp.keywords`: the ranking, or why there is none.
    ran: String,
    /// The `skipped` notes, in order.
    skipped: Vec<String>,
}

/// Who wrote the article, and the line that said so.
#[derive(Debug)]
struct Authors {
    byline: meta::Byline,
    /// The byline text read (the page's, else a byline line in the lead), even when it gave
    /// no names: keyphrases found in it are page furniture.
    source: Option<String>,
}

/// A byline line ("By", "Von", "Par", "Por", "Di", "Door") among the first paragraphs; not
/// one opening with "durch", which opens many a German sentence before a capitalised noun
/// ("Durch Starkregen Überschwemmungen") and names a writer only in a page's byline block.
fn byline_in_lead<'p>(paragraphs: &[&'p str]) -> Option<&'p str> {
    paragraphs
        .iter()
        .take(6)
        .find(|p| {
            p.len() < 100
                && !p.trim_start().to_lowercase().starts_with("durch ")
                && meta::strip_byline_prefix(p).is_some()
        })
        .copied()
}

/// Authors: the names the page's markup gives, else the page's byline, else a byline line in
/// the lead (also when the page's byline names nobody), else the reporters of a wire story's
/// sign-off; plus a news agency the lead or the end of the text names.
fn authors(markup_names: Vec<String>, page_byline: Option<&str>, paragraphs: &[&str]) -> Authors {
    let mut byline = meta::Byline::default();
    for raw in markup_names {
        merge_byline(&mut byline, meta::parse_markup_names(&raw));
    }
    let lead_byline = byline_in_lead(paragraphs);
    let source = page_byline.or(lead_byline).map(str::to_string);
    if byline.persons.is_empty() {
        if let Some(source) = source.as_deref() {
            merge_byline(&mut byline, meta::parse_byline(source));
        }
        if byline.persons.is_empty() && page_byline.is_some() {
            if let Some(line) = lead_byline {
                merge_byline(&mut byline, meta::parse_byline(line));
            }
        }
    }
    // a wire story's sign-off names its reporters when nothing above named a person
    if byline.persons.is_empty() {
        byline.persons = meta::sign_off_persons(paragraphs);
    }
    if let Some(agency) = meta::agency_in_lead(paragraphs) {
        if !byline.agencies.iter().any(|a| a == agency) {
            byline.agencies.push(agency.to_string());
        }
    }
    if let Some(agency) = meta::agency_in_tail(paragraphs) {
        if !byline.agencies.contains(&agency) {
            byline.agencies.push(agency);
        }
    }
    Authors { byline, source }
}

/// The dateline: the page's own (a city alone is accepted there), else one opening a
/// paragraph of the lead.
fn dateline(page_dateline: Option<&str>, paragraphs: &[&str]) -> Option<String> {
    page_dateline
        .and_then(|raw| meta::parse_dateline(raw).or_else(|| meta::plain_city(raw)))
        .or_else(|| {
            paragraphs
                .iter()
                .take(6)
                .find_map(|p| meta::parse_dateline(p))
        })
}

/// The outlet: the page's own name for itself (og:site_name, JSON-LD publisher; a known
/// outlet's canonical name, else the name if it is short), a known outlet named in the text,
/// the byline's outlet, the known host, then the host itself.
fn outlet(
    page_outlet: Option<&str>,
    paragraphs: &[&str],
    byline_outlet: Option<&str>,
    url: Option<&str>,
) -> Option<String> {
    page_outlet
        .and_then(|candidate| {
            let trimmed = candidate.trim();
            meta::known_outlet(trimmed).map(str::to_string).or_else(|| {
                (!trimmed.is_empty() && trimmed.len() <= 60).then(|| trimmed.to_string())
            })
        })
        .or_else(|| meta::outlet_in_text(paragraphs))
        .or_else(|| byline_outlet.map(str::to_string))
        .or_else(|| url.and_then(meta::outlet_from_url).map(str::to_string))
        .or_else(|| url.and_then(meta::host_of_url))
}

/// The publication date (ISO 8601): the page's machine date, its date text, the head of the
/// dateline (the page's, else a dateline paragraph of the lead; the sentence may run on and
/// only its head can hold the date), then a date in the lead.
fn published(
    page_published: Option<&str>,
    page_published_text: Option<&str>,
    page_dateline: Option<&str>,
    paragraphs: &[&str],
) -> Option<String> {
    let dateline_line = page_dateline.or_else(|| {
        paragraphs
            .iter()
            .take(6)
            .find(|p| meta::parse_dateline(p).is_some())
            .copied()
    });
    let dateline_head = dateline_line.map(meta::dateline_head);
    meta::published(
        page_published,
        page_published_text,
        dateline_head.as_deref(),
        paragraphs,
    )
}

/// The entity model's mentions in `body`, French elided articles trimmed off and repaired
/// against the text.
fn recognize(ner: &NerModel, body: &str, language: Option<&str>) -> Vec<EntityMention> {
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
            if language == Some("fr") {
                strip_french_elision(m)
            } else {
                m
            }
        })
        .collect();
    entities::repair_mentions(body, mentions)
}

/// The names quotes can be attributed to: the entity mentions (possessive `'s` dropped) and
/// runs of capitalised words, in text order.
fn quote_names(
    mentions: &[EntityMention],
    paragraphs: &[&str],
    offsets: &[usize],
) -> Vec<NameMention> {
    let mut names: Vec<NameMention> = Vec::new();
    for mention in mentions {
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
    names.extend(quotes::names_from_runs(paragraphs, offsets));
    names.sort_by_key(|n| n.start);
    names
}

/// The best keyphrases without page furniture that names the outlet ("ABC News Live") or the
/// desk of the byline ("News Room"): not what the article is about.
fn without_page_furniture(
    mut keyphrases: Vec<keywords::Keyphrase>,
    outlet: Option<&str>,
    byline: Option<&str>,
) -> Vec<keywords::Keyphrase> {
    let outlet_lower = outlet.map(str::to_lowercase);
    let byline_lower = byline.map(str::to_lowercase);
    keyphrases.retain(|k| {
        let lower = k.text.to_lowercase();
        let names_outlet = outlet_lower.as_deref().is_some_and(|o| lower.contains(o));
        let in_byline = byline_lower.as_deref().is_some_and(|b| b.contains(&lower));
        !names_outlet && !in_byline
    });
    keyphrases.truncate(keywords::KEYWORDS_PER_ARTICLE);
    keyphrases
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
    for pen in more.pen_names {
        if !into.pen_names.contains(&pen) {
            into.pen_names.push(pen);
        }
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
    fn a_bad_language_model_fails_when_given_not_on_first_use() {
        let extractor = Extractor::new(None, None).expect("extractor");
        let error = extractor
            .with_language_model_bytes(vec![("de".to_string(), b"not a model".to_vec())])
            .expect_err("a bad model is refused");
        assert_eq!(error.0, "de");
    }

    #[test]
    fn a_german_sentence_opening_with_durch_is_no_byline_in_the_lead() {
        let lead = [
            "Durch Starkregen Überschwemmungen",
            "Der Regen hielt die ganze Nacht an, sagte ein Sprecher.",
        ];
        assert_eq!(byline_in_lead(&lead), None);
        let lead = ["Von Anna Schmidt", "Der Regen hielt die ganze Nacht an."];
        assert_eq!(byline_in_lead(&lead), Some("Von Anna Schmidt"));
    }

    #[test]
    fn extractor_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Extractor>();
    }

    #[test]
    fn uncovered_languages_skip_keywords() {
        let extractor = Extractor::new(None, None).expect("extractor");
        let mut record = Record::new(
            "x".into(),
            "x.txt".into(),
            String::new(),
            newsflow_model::Format::Txt,
        );
        record.language = Some("pl".into());
        record.body =
            "Rząd przyjął w poniedziałek nowe przepisy dotyczące podatków. Obowiązują od lipca."
                .into();
        extractor.extract(&mut record);
        assert_eq!(record.keywords, None);
        assert!(record
            .skipped
            .contains(&"extract: keywords: language pl".to_string()));
        assert!(record.summary.is_some());
    }

    #[test]
    fn german_keywords_and_summary_follow_german_rules() {
        let german = keywords::KeywordModel::default();
        let tables = keywords::KeywordTables::new(vec![("de".to_string(), german)]);
        let extractor = Extractor {
            ner: None,
            ner_languages: Vec::new(),
            keywords: Some(tables),
        };
        let mut record = record_in(
            "de",
            "Die Bundesregierung hat am 3. Oktober z. B. neue Regeln für die Bundes- und \
             Landesverwaltung beschlossen, sagte Dr. Anna Weber am Montag in Berlin.\n\
             Die Bundesregierung will die Regeln der Landesverwaltung bis zum Sommer prüfen \
             lassen, und die Länder sollen dabei mitreden.",
        );
        extractor.extract(&mut record);
        let nlp = record.nlp.expect("nlp");
        assert_eq!(nlp.keywords.as_deref(), Some("tfidf:de"));
        let keywords = record.keywords.expect("keywords");
        assert!(
            keywords.iter().any(|k| k == "Bundesregierung"),
            "{keywords:?}"
        );
        for keyword in &keywords {
            for word in keyword.split(' ') {
                assert!(
                    !lang::GERMAN.is_stopword(&word.to_lowercase()),
                    "{keyword} in {keywords:?}"
                );
            }
            assert_ne!(keyword, "Bundes", "a truncated compound is no keyword");
        }
        let summary = record.summary.expect("summary");
        assert!(
            summary.starts_with("Die Bundesregierung hat am 3. Oktober z. B. neue Regeln"),
            "{summary}"
        );
        assert!(summary.contains("sagte Dr. Anna Weber am Montag in Berlin."));
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
        assert_eq!(nlp.keywords.as_deref(), Some("frequency:es"));
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
    fn authors_come_from_markup_then_the_page_byline_then_the_lead() {
        let lead = [
            "By Jill Dougherty",
            "MOSCOW, Russia -- North Korean leader Kim Jong Il",
        ];
        let from_markup = authors(vec!["Jane Doe".into()], Some("By John Smith"), &lead);
        assert_eq!(from_markup.byline.persons, ["Jane Doe"]);
        assert_eq!(from_markup.source.as_deref(), Some("By John Smith"));

        let from_page = authors(Vec::new(), Some("By John Smith"), &lead);
        assert_eq!(from_page.byline.persons, ["John Smith"]);

        let from_lead = authors(Vec::new(), None, &lead);
        assert_eq!(from_lead.byline.persons, ["Jill Dougherty"]);
        assert_eq!(from_lead.source.as_deref(), Some("By Jill Dougherty"));
    }

    #[test]
    fn a_pen_name_is_the_author_when_nothing_names_a_person_in_full() {
        let extractor = Extractor::new(None, None).expect("extractor");
        let article = |markup: &[&str], byline: Option<&str>, url: &str| {
            let mut record = Record::new(
                "x".into(),
                "x.html".into(),
                String::new(),
                newsflow_model::Format::Html,
            );
            record.authors = markup.iter().map(|name| name.to_string()).collect();
            record.byline = byline.map(str::to_string);
            record.url = Some(url.to_string());
            record.body = "Der Roboter saugt jeden Morgen die Küche, seit drei Jahren.\n\
                           Ein Ersatzakku kostet vierzig Euro."
                .into();
            extractor.extract(&mut record);
            record.authors
        };
        assert_eq!(
            article(&["doumae"], None, "https://techlog.example.jp/a/1"),
            ["doumae"]
        );
        // a full name anywhere wins; a pen name is not kept beside it
        assert_eq!(
            article(
                &["doumae", "Jane Doe"],
                None,
                "https://techlog.example.jp/a/1"
            ),
            ["Jane Doe"]
        );
        assert_eq!(
            article(
                &["doumae"],
                Some("By John Smith"),
                "https://techlog.example.jp/a/1"
            ),
            ["John Smith"]
        );
        // one name after the page byline's own word
        assert_eq!(
            article(&[], Some("von Heiner"), "https://werkstatt.example.de/x"),
            ["Heiner"]
        );
        assert!(article(&[], Some("By Staff"), "https://example.org/x").is_empty());
        // a common first name on a site of its country, an agency after the byline's word
        assert_eq!(
            article(&[], Some("von Dennis"), "https://www.beispiel.de/x"),
            ["Dennis"]
        );
        assert!(article(&[], Some("Por Lusa"), "https://example.pt/x").is_empty());
        // the site's own name, an acronym, an account are no one's pen name
        assert!(article(&["Weltwoche"], None, "https://weltwoche.ch/x").is_empty());
        assert!(article(&["NDR"], None, "https://example.org/x").is_empty());
        assert!(article(&["admin"], None, "https://example.org/x").is_empty());
        assert!(article(&["Campact-Team"], None, "https://example.org/x").is_empty());
    }

    #[test]
    fn a_page_byline_without_names_falls_back_to_the_lead_but_stays_the_source() {
        let lead = ["By Jill Dougherty", "The visit is Kim's first to Russia."];
        let found = authors(Vec::new(), Some("By News Room 5 Min Read"), &lead);
        assert_eq!(found.byline.persons, ["Jill Dougherty"]);
        assert_eq!(found.source.as_deref(), Some("By News Room 5 Min Read"));
        assert!(authors(Vec::new(), None, &["No byline here."])
            .source
            .is_none());
    }

    #[test]
    fn the_page_dateline_wins_and_may_be_a_city_alone() {
        let lead = ["NEW YORK — Stocks fell on Monday."];
        assert_eq!(dateline(Some("MOSCOW"), &lead).as_deref(), Some("MOSCOW"));
        assert_eq!(
            dateline(None, &lead),
            meta::parse_dateline(lead[0]),
            "else the lead's"
        );
        assert!(dateline(None, &lead).is_some());
        assert_eq!(dateline(None, &["Stocks fell on Monday."]), None);
    }

    #[test]
    fn the_outlet_falls_back_from_page_to_text_to_byline_to_url() {
        let lead = ["MOSCOW, Russia (CNN) -- North Korean leader"];
        let plain = ["Stocks fell on Monday."];
        let address = "https://www.example-news.test/world/story.html";
        let url = Some(address);
        assert_eq!(
            outlet(Some("  The Daily Example "), &lead, None, url).as_deref(),
            Some("The Daily Example")
        );
        assert_eq!(
            outlet(Some(&"x".repeat(61)), &plain, Some("BBC"), url).as_deref(),
            Some("BBC"),
            "a long page name is not a name"
        );
        assert_eq!(
            outlet(None, &lead, Some("BBC"), url).as_deref(),
            Some("CNN")
        );
        assert_eq!(outlet(None, &plain, None, url), meta::host_of_url(address));
        assert_eq!(outlet(None, &plain, None, None), None);
    }

    #[test]
    fn the_published_date_reads_only_the_datelines_head() {
        let lead = ["WASHINGTON, March 3, 2021 -- Officials said on June 9, 2020 that"];
        assert_eq!(
            published(None, None, None, &lead),
            meta::published(None, None, Some(&meta::dateline_head(lead[0])), &lead)
        );
        assert_eq!(
            published(Some("2020-01-02"), None, None, &lead),
            meta::published(Some("2020-01-02"), None, None, &lead),
            "the page's date comes first"
        );
    }

    #[test]
    fn quote_names_join_entities_and_capitalised_runs_in_text_order() {
        let paragraphs = ["Officials met.", "Later Anna Berg spoke to Putin's aides."];
        let offsets = [0, "Officials met.\n".len()];
        let putin_start = offsets[1] + "Later Anna Berg spoke to ".len();
        let mentions = [EntityMention {
            text: "Putin's".to_string(),
            kind: newsflow_model::EntityType::PER,
            start: putin_start,
            end: putin_start + "Putin's".len(),
        }];
        let names = quote_names(&mentions, &paragraphs, &offsets);
        let putin = names
            .iter()
            .find(|n| n.kind.is_some())
            .expect("the entity is a name");
        assert_eq!((putin.text.as_str(), putin.start), ("Putin", putin_start));
        assert!(names.windows(2).all(|pair| pair[0].start <= pair[1].start));
        assert!(quote_names(&[], &[], &[]).is_empty());
    }

    #[test]
    fn keyphrases_naming_the_outlet_or_inside_the_byline_are_dropped() {
        let phrase = |text: &str| keywords::Keyphrase {
            text: text.to_string(),
            score: 1.0,
        };
        let ranked = vec![
            phrase("ABC News Live"),
            phrase("News Room"),
            phrase("interest rates"),
        ];
        let kept = without_page_furniture(ranked, Some("ABC News"), Some("By News Room"));
        let texts: Vec<&str> = kept.iter().map(|k| k.text.as_str()).collect();
        assert_eq!(texts, ["interest rates"]);

        let many: Vec<keywords::Keyphrase> = (0..keywords::KEYWORDS_PER_ARTICLE + 5)
            .map(|i| phrase(&format!("phrase {i}")))
            .collect();
        assert_eq!(
            without_page_furniture(many, None, None).len(),
            keywords::KEYWORDS_PER_ARTICLE
        );
    }

    #[test]
    fn without_a_model_entities_say_why() {
        let extractor = Extractor::new(None, None).expect("extractor");
        let english = extractor.entities("Angela Merkel visited Paris.", None);
        assert_eq!(english.entities, None);
        assert_eq!(english.ran, newsflow_model::Nlp::NO_MODEL);
        assert_eq!(
            english.skipped.as_deref(),
            Some("extract: entities: no ner model")
        );
        assert!(english.mentions.is_empty());
        let spanish = extractor.entities("El presidente habló.", Some("es"));
        assert_eq!(spanish.ran, newsflow_model::Nlp::UNSUPPORTED_LANGUAGE);
    }

    #[test]
    fn keywords_for_covered_languages_and_notes_in_order() {
        let extractor = Extractor::new(None, None).expect("extractor");
        let phrase = keywords::Keyphrase {
            text: "interest rates".to_string(),
            score: 1.0,
        };
        let english = extractor.keywords_for(None, vec![phrase.clone()]);
        assert_eq!(english.keywords, Some(vec!["interest rates".to_string()]));
        assert_eq!(english.ran, "frequency:en");
        assert_eq!(english.skipped, ["extract: keywords: no background model"]);
        let german = extractor.keywords_for(Some("de"), vec![phrase.clone()]);
        assert_eq!(german.keywords, Some(vec!["interest rates".to_string()]));
        assert_eq!(german.ran, "frequency:de");
        assert_eq!(german.skipped, ["extract: keywords: no background model"]);
        let russian = extractor.keywords_for(Some("ru"), vec![phrase.clone()]);
        assert_eq!(russian.keywords, None);
        assert_eq!(russian.ran, newsflow_model::Nlp::UNSUPPORTED_LANGUAGE);
        assert_eq!(
            russian.skipped,
            [
                "extract: keywords: no background model",
                "extract: keywords: language ru"
            ]
        );
        let english_only = keywords::KeywordTables::new(vec![(
            "en".to_string(),
            keywords::KeywordModel::default(),
        )]);
        let with_model = Extractor {
            ner: None,
            ner_languages: Vec::new(),
            keywords: Some(english_only),
        };
        assert_eq!(
            with_model.keywords_for(None, vec![phrase.clone()]).ran,
            "tfidf:en"
        );
        let french = with_model.keywords_for(Some("fr"), vec![phrase]);
        assert_eq!(french.ran, "frequency:fr");
        assert_eq!(
            french.skipped,
            ["extract: keywords: no background statistics for language fr"]
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
