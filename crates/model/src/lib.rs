//! The data that flows through newsflow: the raw article as the watcher found it, the result
//! record every stage fills in, and the error record for inputs that cannot be processed.
//!
//! Layout:
//! - [`Format`]: what kind of file an article came from, decided by its name.
//! - [`Record`]: the result record (a contract: fields are added, never renamed or dropped).
//! - [`ErrorRecord`]: what goes to `newsflow.errors.<stage>`.
//! - [`article_id`]: the content hash that identifies an article version.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Version of the record layout; bumped when fields are added.
pub const RECORD_SCHEMA_VERSION: u32 = 2;

/// The kind of input file, decided from its name (a trailing `.gz` is looked through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text as scraped: a page flattened to lines.
    Txt,
    /// An HTML page.
    Html,
    /// A JSON object with fields such as `title`, `text`/`body`/`html`, `url`, `published`.
    Json,
}

impl Format {
    /// The format for a file name, or `None` when newsflow does not accept it.
    /// `article.html.gz` is `Html`: compression is detected from the bytes by the clean stage.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let base = lower.strip_suffix(".gz").unwrap_or(&lower);
        let ext = base.rsplit_once('.').map(|(_, ext)| ext)?;
        match ext {
            "txt" | "text" => Some(Format::Txt),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Txt => "txt",
            Format::Html => "html",
            Format::Json => "json",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "txt" => Some(Format::Txt),
            "html" => Some(Format::Html),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// The identity of an article version: the first 32 hex digits of the SHA-256 of its bytes.
/// The same bytes dropped twice get the same id; changed bytes are a new version.
pub fn article_id(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    hex::encode(&digest[..16])
}

/// The identity of one article inside a bulk file (a WARC record, a JSON line, an archive
/// member): its content hash together with its position (`locator`, e.g. `@1234` or `:17`), so
/// a record read again after a restart gets the same id and the same bytes at another position
/// are another article.
pub fn entry_id(bytes: &[u8], locator: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    hasher.update([0u8]);
    hasher.update(locator.as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// A topic label with its confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub label: String,
    pub score: f32,
}

/// A label from a secondary topic model or a routing rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelTopic {
    /// The model or rule that gave the label.
    pub model: String,
    pub label: String,
    pub score: f32,
}

/// Entity types, as in CoNLL-2003.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityType {
    PER,
    ORG,
    LOC,
    MISC,
}

impl EntityType {
    pub fn parse(text: &str) -> Option<EntityType> {
        match text {
            "PER" => Some(EntityType::PER),
            "ORG" => Some(EntityType::ORG),
            "LOC" => Some(EntityType::LOC),
            "MISC" => Some(EntityType::MISC),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::PER => "PER",
            EntityType::ORG => "ORG",
            EntityType::LOC => "LOC",
            EntityType::MISC => "MISC",
        }
    }
}

/// One real-world entity of an article, with its canonical (longest) form and mention count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub text: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub count: u32,
}

/// A direct quotation and who said it (`None` when no speaker can be identified).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub text: String,
    pub speaker: Option<String>,
}

/// What ran on an article, so a consumer can filter: each analysis says `kind:name`, where
/// kind is `model` (a trained model: `model:ner-de`, `model:bbc`), `rules` (hand-written rules
/// for a language: `rules:en`), `tfidf` / `frequency` (keywords with or without background
/// statistics, `tfidf:en`) or `none` (nothing ran, with the reason: `none:unsupported-language`,
/// `none:no-model`); `topic` may also be `section` (the publisher's section, mapped to a
/// topic). A field is `null` until the stage that decides it has run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nlp {
    /// The language the analyses were chosen for (ISO 639-1); `null` when it is unknown, in
    /// which case English ones ran.
    pub language: Option<String>,
    /// What found `entities`.
    pub entities: Option<String>,
    /// What gave `topic` (and the secondary models' `topics`).
    pub topic: Option<String>,
    /// What found `quotes`.
    pub quotes: Option<String>,
    /// What ranked `keywords`.
    pub keywords: Option<String>,
}

impl Nlp {
    /// `nlp.entities` / `nlp.topic` of a trained model.
    pub fn model(name: &str) -> String {
        format!("model:{name}")
    }

    /// `nlp.topic` when the topic comes from the publisher's section (any language).
    pub const SECTION: &'static str = "section";

    /// Nothing ran because no model or rules cover the article's language.
    pub const UNSUPPORTED_LANGUAGE: &'static str = "none:unsupported-language";

    /// Nothing ran because the model file is not installed.
    pub const NO_MODEL: &'static str = "none:no-model";
}

/// The result record: one JSON object per article (a contract, see `schema/record.schema.json`).
///
/// Fields that no stage has filled yet are `null`, never guessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// Path of the input file relative to the inbox.
    pub source: String,
    /// When the watcher found the file (RFC 3339, UTC).
    pub received_at: String,
    pub format: Format,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    /// Publication date, ISO 8601 (a date, or a date-time with its offset when the input gives one).
    pub published: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
    /// The person authors, one name each (`byline` keeps them joined, as before).
    #[serde(default)]
    pub authors: Vec<String>,
    /// News agencies credited in the byline or the page's markup ("dpa", "Reuters").
    #[serde(default)]
    pub agencies: Vec<String>,
    /// Last modification, ISO 8601 like `published`; never taken for the publication date.
    #[serde(default)]
    pub modified: Option<String>,
    /// ISO 639-1 code.
    pub language: Option<String>,
    /// Confidence of `language`, 0..1.
    #[serde(default)]
    pub language_score: Option<f32>,
    /// Clean article text, paragraphs separated by `\n`.
    pub body: String,
    /// Primary topic (from the primary model).
    pub topic: Option<Topic>,
    /// Labels of the other configured models and of routing rules.
    #[serde(default)]
    pub topics: Vec<ModelTopic>,
    pub entities: Option<Vec<Entity>>,
    pub quotes: Option<Vec<Quote>>,
    pub keywords: Option<Vec<String>>,
    pub summary: Option<String>,
    pub story_id: Option<String>,
    /// Id of an earlier article with (nearly) the same text.
    #[serde(default)]
    pub duplicate_of: Option<String>,
    /// Raw date text found by the clean stage, before normalisation.
    #[serde(default)]
    pub published_text: Option<String>,
    /// Text encoding the input was decoded from.
    #[serde(default)]
    pub encoding: Option<String>,
    /// What was skipped for this article and why (e.g. "ner: language de").
    #[serde(default)]
    pub skipped: Vec<String>,
    /// Stages that have run, in order.
    #[serde(default)]
    pub stages: Vec<String>,
    /// Result version: a replay publishes a higher version that supersedes the old one.
    #[serde(default = "default_version")]
    pub version: u32,
    /// When the page was fetched by a crawler (a WARC record's `WARC-Date`), RFC 3339; `null`
    /// for articles that did not come from a crawl.
    #[serde(default)]
    pub fetched_at: Option<String>,
    /// What ran on the article (models, rules, or nothing and why), language by language;
    /// `null` before the classify stage.
    #[serde(default)]
    pub nlp: Option<Nlp>,
    /// The publisher's own section of the article as the page gives it ("Wirtschaft",
    /// "Sport", "politique"): JSON-LD `articleSection`, `article:section`, breadcrumbs, else
    /// the URL path's section segment; `null` when the page states none.
    #[serde(default)]
    pub section: Option<String>,
    /// The standfirst: the editor's summary of the article shown between the headline and the
    /// body (a dek, chapeau, Vorspann, entradilla), as the page names it; `null` when the page
    /// shows none. `body` leaves it out where the page sets it apart from the article's text and
    /// repeats it where the page puts it inside.
    #[serde(default)]
    pub standfirst: Option<String>,
}

fn default_version() -> u32 {
    1
}

impl Record {
    /// An empty record for an article, before any stage ran.
    pub fn new(id: String, source: String, received_at: String, format: Format) -> Record {
        Record {
            id,
            source,
            received_at,
            format,
            title: None,
            byline: None,
            dateline: None,
            published: None,
            outlet: None,
            url: None,
            authors: Vec::new(),
            agencies: Vec::new(),
            modified: None,
            language: None,
            language_score: None,
            body: String::new(),
            topic: None,
            topics: Vec::new(),
            entities: None,
            quotes: None,
            keywords: None,
            summary: None,
            story_id: None,
            duplicate_of: None,
            published_text: None,
            encoding: None,
            skipped: Vec::new(),
            stages: Vec::new(),
            version: 1,
            fetched_at: None,
            nlp: None,
            section: None,
            standfirst: None,
        }
    }
}

/// The stage where an error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Watch,
    Clean,
    Classify,
    Extract,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Watch => "watch",
            Stage::Clean => "clean",
            Stage::Classify => "classify",
            Stage::Extract => "extract",
        }
    }
}

/// Why an article failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub stage: Stage,
    /// A short machine-readable kind, e.g. `empty`, `binary`, `too_large`, `unsupported_format`.
    pub kind: String,
    pub message: String,
}

/// What goes to `newsflow.errors.<stage>` for an input that cannot be processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRecord {
    pub id: String,
    pub source: String,
    pub error: ErrorDetail,
    /// How many deliveries were tried before giving up (0 for errors found without retrying).
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub received_at: Option<String>,
    /// The run this error belongs to: 1 first, higher for a retry or replay (like `Record`).
    #[serde(default = "first_version")]
    pub version: u32,
}

fn first_version() -> u32 {
    1
}

impl ErrorRecord {
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        stage: Stage,
        kind: impl Into<String>,
        message: impl Into<String>,
    ) -> ErrorRecord {
        ErrorRecord {
            id: id.into(),
            source: source.into(),
            error: ErrorDetail {
                stage,
                kind: kind.into(),
                message: message.into(),
            },
            attempts: 0,
            received_at: None,
            version: 1,
        }
    }
}

/// A subject-safe lowercase token for a label: `Sci/Tech` → `sci_tech`, empty → `unknown`.
pub fn subject_token(label: &str) -> String {
    let mut token = String::with_capacity(label.len());
    for ch in label.chars() {
        if ch.is_ascii_alphanumeric() {
            token.push(ch.to_ascii_lowercase());
        } else if ch == '-' || ch == '_' {
            token.push(ch);
        } else if !token.ends_with('_') {
            token.push('_');
        }
    }
    let trimmed = token.trim_matches('_');
    if trimmed.is_empty() {
        "unknown".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_names() {
        assert_eq!(Format::from_file_name("a.txt"), Some(Format::Txt));
        assert_eq!(Format::from_file_name("a.HTM"), Some(Format::Html));
        assert_eq!(Format::from_file_name("a.html.gz"), Some(Format::Html));
        assert_eq!(Format::from_file_name("a.json.gz"), Some(Format::Json));
        assert_eq!(Format::from_file_name("a.png"), None);
        assert_eq!(Format::from_file_name("noext"), None);
        assert_eq!(Format::from_file_name("a.gz"), None);
    }

    #[test]
    fn ids_are_content_hashes() {
        assert_eq!(article_id(b"abc"), article_id(b"abc"));
        assert_ne!(article_id(b"abc"), article_id(b"abd"));
        assert_eq!(article_id(b"abc").len(), 32);
    }

    #[test]
    fn entry_ids_are_stable_and_positional() {
        assert_eq!(entry_id(b"abc", "@10"), entry_id(b"abc", "@10"));
        assert_ne!(entry_id(b"abc", "@10"), entry_id(b"abc", "@11"));
        assert_ne!(entry_id(b"abc", "@10"), entry_id(b"abd", "@10"));
        assert_ne!(entry_id(b"abc", ""), article_id(b"abc"));
    }

    #[test]
    fn subject_tokens() {
        assert_eq!(subject_token("Sci/Tech"), "sci_tech");
        assert_eq!(subject_token("World"), "world");
        assert_eq!(subject_token(""), "unknown");
        assert_eq!(subject_token("a.b*>c"), "a_b_c");
    }

    #[test]
    fn record_round_trips() {
        let record = Record::new("x".into(), "a.txt".into(), "t".into(), Format::Txt);
        let json = serde_json::to_string(&record).unwrap();
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(record, back);
        assert!(json.contains("\"entities\":null"));
    }
}
