//! newsflow-clean: turns one page (HTML, scraped text or JSON) into exactly the article — body
//! text plus the title, byline, dateline and date found on the way.
//!
//! Layout:
//! - `decode`: bytes to text (gzip with a cap, BOM, charset, guessing, mojibake, entities).
//! - `dom`: a forgiving, iterative HTML parser into an arena tree.
//! - `html`: the HTML path (article-container scoring, chunks of the same kind).
//! - `meta`: page metadata from markup (title, byline, dates, URL, site name, JSON-LD).
//! - `text`: the scraped-text path (a learned line model plus header-field patterns).
//! - `trees`: the small gradient-boosted trees of the line model.
//! - `dates`: dates found on a page to ISO 8601.
//! - `words`: repair of joined words with a word-frequency model.
//! - [`metric`]: the article-extraction benchmark metric.

mod dates;
mod decode;
mod dom;
#[cfg(feature = "html5ever")]
mod dom5;
mod html;
mod meta;
pub mod metric;
pub mod text;
pub mod trees;
pub mod words;

pub use html::explain as explain_html;
use newsflow_model::Format;

/// The section a page's markup states (JSON-LD, meta tags, breadcrumbs), without the URL
/// fallback: for measuring how often the markup and the URL agree.
pub fn markup_section(html: &str) -> Option<String> {
    meta::read_section(&dom::Dom::parse(html), None)
}

/// Every body the HTML path weighs for a page, by name, beside the one it chooses (`chosen`):
/// for measuring how it chooses (`examples/body_candidates.rs`), not for the pipeline.
#[doc(hidden)]
pub fn html_body_candidates(bytes: &[u8]) -> Vec<(&'static str, Vec<String>)> {
    let (decoded, _) = decode::decode_with_hint(bytes, true, None);
    html::body_candidates(&decode::repair_mojibake(&decoded))
}

/// Default cap for decompressed input.
pub const DEFAULT_MAX_SIZE: usize = 64 * 1024 * 1024;

/// The shipped line model (`config/models/clean-lines.json`), built in: what the binary uses
/// when its models folder has none. A model in the folder is read and used instead.
pub const SHIPPED_LINE_MODEL: &[u8] = include_bytes!("../../../config/models/clean-lines.json");
/// The shipped word frequencies (`config/models/clean-words.txt`), built in likewise.
pub const SHIPPED_WORD_FREQS: &[u8] = include_bytes!("../../../config/models/clean-words.txt");
/// File name of the line model in a models folder.
pub const LINE_MODEL_FILE: &str = "clean-lines.json";
/// File name of the word frequencies in a models folder.
pub const WORD_FREQS_FILE: &str = "clean-words.txt";

/// Why a page could not be cleaned.
#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    #[error("input is empty")]
    Empty,
    #[error("input looks binary, not text")]
    Binary,
    #[error("input is larger than {limit} bytes after decompression")]
    TooLarge { limit: usize },
    #[error("could not decompress input: {0}")]
    Decompress(String),
    #[error("invalid json input: {0}")]
    InvalidJson(String),
    #[error("no article content found")]
    NoContent,
    #[error("invalid model: {0}")]
    InvalidModel(String),
}

impl CleanError {
    /// Short machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            CleanError::Empty => "empty",
            CleanError::Binary => "binary",
            CleanError::TooLarge { .. } => "too_large",
            CleanError::Decompress(_) => "decompress",
            CleanError::InvalidJson(_) => "invalid_json",
            CleanError::NoContent => "no_content",
            CleanError::InvalidModel(_) => "invalid_model",
        }
    }
}

/// Options of a [`Cleaner`].
#[derive(Debug, Clone, Copy)]
pub struct CleanOptions {
    /// Maximum size of input after gzip decompression.
    pub max_size: usize,
    /// Which parser builds the page's tree.
    pub parser: HtmlParser,
}

/// The HTML parser of the HTML path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HtmlParser {
    /// The hand-written forgiving tokenizer (`dom.rs`): the default.
    #[default]
    Builtin,
    /// html5ever's HTML5 tree construction (feature `html5ever`), for comparison.
    #[cfg(feature = "html5ever")]
    Html5ever,
}

impl Default for CleanOptions {
    fn default() -> Self {
        CleanOptions {
            max_size: DEFAULT_MAX_SIZE,
            parser: HtmlParser::Builtin,
        }
    }
}

/// The cleaned article.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Cleaned {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    /// Raw date text found (e.g. "July 19, 2000").
    pub published_text: Option<String>,
    /// ISO 8601 when a machine-readable date exists.
    pub published: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    /// Person authors named in the page's markup, as written (the extract stage splits and
    /// checks them).
    pub authors: Vec<String>,
    /// Last modification, ISO 8601, never used as the publication date.
    pub modified: Option<String>,
    /// The publisher's own section of the article, as given (`articleSection`,
    /// `article:section`, breadcrumbs, else the URL path's section segment).
    pub section: Option<String>,
    /// The editor's summary shown between the headline and the body, when the page names
    /// one; `body` holds it too only where the page puts it inside the article's text block.
    pub standfirst: Option<String>,
    pub language_hint: Option<String>,
    /// Paragraphs separated by '\n'.
    pub body: String,
    pub encoding: String,
    pub repaired_words: u32,
}

/// The clean stage with its models loaded. `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Cleaner {
    line_model: text::LineModel,
    words: words::WordModel,
    options: CleanOptions,
}

impl Default for Cleaner {
    fn default() -> Self {
        Cleaner::new()
    }
}

impl Cleaner {
    /// With the shipped models built into this library ([`SHIPPED_LINE_MODEL`],
    /// [`SHIPPED_WORD_FREQS`]). They never fall back to hand-set weights: a unit test checks
    /// they parse, and a build whose models do not panics here. The binary loads the models
    /// of its models folder with [`Cleaner::with_models`] instead.
    pub fn new() -> Cleaner {
        Cleaner::shipped().expect("the built-in clean models parse (test shipped_models_parse)")
    }

    /// With the shipped models built into this library; a typed error if they do not parse.
    pub fn shipped() -> Result<Cleaner, CleanError> {
        Cleaner::with_models(Some(SHIPPED_LINE_MODEL), Some(SHIPPED_WORD_FREQS))
    }

    /// With models given as bytes, e.g. read from a models folder; a model that does not parse
    /// is [`CleanError::InvalidModel`]. `None`: the hand-set line weights / no word repair, for
    /// evaluation tools that measure the models against them.
    pub fn with_models(
        line_model: Option<&[u8]>,
        word_freqs: Option<&[u8]>,
    ) -> Result<Cleaner, CleanError> {
        let line_model = match line_model {
            Some(bytes) => text::LineModel::from_json(bytes)?,
            None => text::LineModel::default(),
        };
        let words = match word_freqs {
            Some(bytes) => words::WordModel::from_bytes(bytes)?,
            None => words::WordModel::default(),
        };
        Ok(Cleaner {
            line_model,
            words,
            options: CleanOptions::default(),
        })
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: CleanOptions) -> Cleaner {
        self.options = options;
        self
    }

    /// The line model in use (for evaluation tools).
    pub fn line_model(&self) -> &text::LineModel {
        &self.line_model
    }

    /// Cleans one page.
    pub fn clean(&self, bytes: &[u8], format: Format) -> Result<Cleaned, CleanError> {
        self.clean_with_charset(bytes, format, None)
    }

    /// Cleans one page whose charset an outside source names (an HTTP `Content-Type` header
    /// stored in a WARC record): it decides when the bytes are not UTF-8 and the page
    /// declares none.
    pub fn clean_with_charset(
        &self,
        bytes: &[u8],
        format: Format,
        charset: Option<&str>,
    ) -> Result<Cleaned, CleanError> {
        let raw = decode::maybe_gunzip(bytes, self.options.max_size)?;
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Err(CleanError::Empty);
        }
        if raw.len() > self.options.max_size {
            return Err(CleanError::TooLarge {
                limit: self.options.max_size,
            });
        }
        if decode::looks_binary(&raw) {
            return Err(CleanError::Binary);
        }
        let (decoded, encoding) = decode::decode_with_hint(&raw, format != Format::Txt, charset);
        let repaired = decode::repair_mojibake(&decoded);
        let mut cleaned = match format {
            Format::Html => self.clean_html(&repaired),
            Format::Txt => self.clean_text(&repaired),
            Format::Json => self.clean_json(&repaired)?,
        };
        cleaned.encoding = encoding.to_string();
        if cleaned.body.trim().is_empty() {
            return Err(CleanError::NoContent);
        }
        Ok(cleaned)
    }

    fn clean_html(&self, source: &str) -> Cleaned {
        let article = match self.options.parser {
            HtmlParser::Builtin => html::extract(source),
            #[cfg(feature = "html5ever")]
            HtmlParser::Html5ever => html::extract_html5ever(source),
        };
        let mut cleaned = Cleaned {
            title: article.title,
            byline: article.byline,
            published: article.published,
            published_text: article.published_text,
            url: article.url,
            outlet: article.outlet,
            authors: article.authors,
            modified: article.modified,
            section: article.section,
            standfirst: article.standfirst,
            language_hint: article.language,
            ..Cleaned::default()
        };
        // the headline repeated as the body's line, however its punctuation was rendered
        // ("Prince -- Woman Warns …" in the title, "Prince Woman Warns …" in the h1)
        let headline = cleaned.title.as_deref().map(letters_and_digits);
        let lines: Vec<String> = article
            .lines
            .into_iter()
            .filter(|line| {
                cleaned.title.as_deref() != Some(line.as_str())
                    && headline.as_deref().is_none_or(|headline| {
                        headline.chars().count() < 15 || letters_and_digits(line) != headline
                    })
            })
            .collect();
        cleaned.body = lines.join("\n");
        cleaned
    }

    fn clean_text(&self, source: &str) -> Cleaned {
        let mut cleaned = text::clean_text(source, &self.line_model);
        if cleaned.published.is_none() {
            cleaned.published = cleaned
                .published_text
                .as_deref()
                .and_then(dates::to_iso8601);
        }
        let (body, repaired) = self.words.repair_text(&cleaned.body);
        cleaned.body = body;
        cleaned.repaired_words = repaired;
        cleaned
    }

    fn clean_json(&self, source: &str) -> Result<Cleaned, CleanError> {
        let value: serde_json::Value = serde_json::from_str(source)
            .map_err(|err| CleanError::InvalidJson(err.to_string().to_lowercase()))?;
        let serde_json::Value::Object(map) = value else {
            return Err(CleanError::InvalidJson(
                "top level is not an object".to_string(),
            ));
        };
        let field = |names: &[&str]| -> Option<String> {
            names.iter().find_map(|name| match map.get(*name) {
                Some(serde_json::Value::String(text)) if !text.trim().is_empty() => {
                    Some(text.clone())
                }
                _ => None,
            })
        };
        let mut cleaned = if let Some(html) = field(&["html"]) {
            self.clean_html(&html)
        } else if let Some(text) = field(&["text", "body", "content", "articleBody"]) {
            self.clean_text(&text)
        } else {
            return Err(CleanError::NoContent);
        };
        if let Some(title) = field(&["title", "headline"]) {
            cleaned.title = Some(decode::normalize_line(&title));
        }
        if let Some(url) = field(&["url"]) {
            cleaned.url = Some(url);
        }
        if let Some(date) = field(&["published", "date", "datePublished"]) {
            cleaned.published = dates::to_iso8601(&date);
            cleaned.published_text = Some(date);
        }
        if let Some(author) = field(&["author", "byline"]) {
            cleaned.byline = Some(decode::normalize_line(&author));
        }
        if let Some(outlet) = field(&["outlet", "source", "site_name"]) {
            cleaned.outlet = Some(outlet);
        }
        if let Some(section) = field(&["section", "articleSection"]) {
            cleaned.section = Some(decode::normalize_line(&section));
        }
        if let Some(standfirst) = field(&["standfirst", "dek", "subtitle"]) {
            cleaned.standfirst = Some(decode::normalize_line(&standfirst));
        }
        Ok(cleaned)
    }
}

/// A line's letters and digits, lower-cased: the same headline written with other
/// punctuation or spacing compares equal.
fn letters_and_digits(line: &str) -> String {
    line.chars()
        .filter(|ch| ch.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18 item 5: the built-in models parse (`Cleaner::new` relies on it) and are the
    /// models of `config/models`, not hand-set weights.
    #[test]
    fn shipped_models_parse() {
        let cleaner = Cleaner::shipped().expect("shipped models");
        assert_ne!(
            cleaner.line_model().to_json(),
            text::LineModel::default().to_json()
        );
    }

    #[test]
    fn the_headline_is_not_a_body_line_however_its_punctuation_was_rendered() {
        let paragraph = "<p>Paragraph of the report, with several clauses, names and numbers, \
                         long enough to be read as the running text of a news article.</p>";
        let page = format!(
            "<html><head><title>Prince -- Woman Warns Estate ... Step Aside, I'm His Wife!</title>\
             </head><body><article><h1>Prince -- Woman Warns Estate ... Step Aside, I'm His Wife!</h1>\
             <h2><span>Prince</span> <span>Woman Warns Estate ...</span> <span>Step Aside, I'm His \
             Wife!</span></h2>{paragraph}{paragraph}{paragraph}</article></body></html>"
        );
        let cleaned = Cleaner::shipped()
            .expect("shipped models")
            .clean(page.as_bytes(), Format::Html)
            .expect("cleaned");
        assert!(cleaned
            .title
            .as_deref()
            .is_some_and(|title| title.contains("--")));
        assert!(
            cleaned
                .body
                .lines()
                .all(|line| !line.contains("Step Aside")),
            "{}",
            cleaned.body
        );
    }

    /// A bad model is a typed error naming what is wrong, never a silent fallback.
    #[test]
    fn a_bad_model_is_an_error() {
        for (lines, words) in [
            (&b"{not json"[..], SHIPPED_WORD_FREQS),
            (&br#"{"version":2,"weights":[1.0]}"#[..], SHIPPED_WORD_FREQS),
            (SHIPPED_LINE_MODEL, &b"<html>404 not found</html>\n"[..]),
            (SHIPPED_LINE_MODEL, &b"the\tmany\n"[..]),
            (SHIPPED_LINE_MODEL, &b""[..]),
            (SHIPPED_LINE_MODEL, &b"\xff\xfe\tbytes"[..]),
        ] {
            let err = Cleaner::with_models(Some(lines), Some(words)).unwrap_err();
            assert_eq!(err.kind(), "invalid_model", "{err}");
        }
    }

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn cleaner_is_send_sync() {
        assert_send_sync::<Cleaner>();
    }

    #[test]
    fn bad_inputs_give_typed_errors() {
        let cleaner = Cleaner::new();
        assert_eq!(
            cleaner.clean(b"", Format::Html).map_err(|e| e.kind()).err(),
            Some("empty")
        );
        assert_eq!(
            cleaner
                .clean(b"  \n\t ", Format::Txt)
                .map_err(|e| e.kind())
                .err(),
            Some("empty")
        );
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
        assert_eq!(
            cleaner.clean(png, Format::Html).map_err(|e| e.kind()).err(),
            Some("binary")
        );
        assert_eq!(
            cleaner
                .clean(b"{\"text\": 5}", Format::Json)
                .map_err(|e| e.kind())
                .err(),
            Some("no_content")
        );
        assert_eq!(
            cleaner
                .clean(b"[1,2]", Format::Json)
                .map_err(|e| e.kind())
                .err(),
            Some("invalid_json")
        );
        assert_eq!(
            cleaner
                .clean(b"{\"text\": ", Format::Json)
                .map_err(|e| e.kind())
                .err(),
            Some("invalid_json")
        );
    }

    #[test]
    fn scraped_text_loses_the_lines_that_mark_an_advertisement() {
        let text = "Government unveils plan for the economy\n\n\
            The government said on Tuesday that it would publish its plans for the economy next \
            week, after months of talks with unions and employers across the country.\n\n\
            Story continues below advertisement\n\n\
            Ministers said the plans would include new rules for energy prices and a review of \
            the tax system, which critics have long said favours large companies.\n\n\
            Der Artikel geht unten weiter\n\n\
            The opposition said the proposals came too late and would do little to help families \
            facing higher bills this winter, and called for an emergency budget.\n";
        let cleaned = Cleaner::new()
            .clean(text.as_bytes(), Format::Txt)
            .unwrap_or_default();
        assert!(cleaned.body.contains("Ministers said"), "{}", cleaned.body);
        assert!(
            cleaned.body.contains("The opposition said"),
            "{}",
            cleaned.body
        );
        assert!(
            !cleaned.body.contains("continues below"),
            "{}",
            cleaned.body
        );
        assert!(
            !cleaned.body.contains("geht unten weiter"),
            "{}",
            cleaned.body
        );
    }

    #[test]
    fn deep_and_truncated_html_do_not_panic() {
        let cleaner = Cleaner::new();
        let deep = "<div>".repeat(100_000)
            + "Some text that is long enough, with commas, to be a paragraph of an article.";
        assert!(cleaner.clean(deep.as_bytes(), Format::Html).is_ok());
        let truncated = b"<html><body><p>Article text, long enough to count as a paragraph of news.</p><p>More <a href=\"x";
        assert!(cleaner.clean(truncated, Format::Html).is_ok());
    }

    #[test]
    fn json_html_and_fields() {
        let cleaner = Cleaner::new();
        let input = br#"{"title": "A title", "html": "<p>Body text of the article, with commas, long enough to keep.</p>", "url": "https://x/y", "datePublished": "2024-01-02"}"#;
        let cleaned = cleaner.clean(input, Format::Json).map_err(|e| e.kind());
        let cleaned = cleaned.unwrap_or_default();
        assert_eq!(cleaned.title.as_deref(), Some("A title"));
        assert_eq!(cleaned.published.as_deref(), Some("2024-01-02"));
        assert_eq!(cleaned.standfirst, None);
        let input = br#"{"title": "A title", "dek": "The  editor's summary.", "text": "Body text of the article, with commas, long enough to keep."}"#;
        let cleaned = cleaner.clean(input, Format::Json).unwrap_or_default();
        assert_eq!(cleaned.standfirst.as_deref(), Some("The editor's summary."));
        let page = br#"<html><head><meta property="article:published_time" content="2019-11-19T17:50:00.000Z"></head><body><article><p>Body text of the article, with commas, long enough to keep as a paragraph.</p></article></body></html>"#;
        let cleaned = cleaner.clean(page, Format::Html).unwrap_or_default();
        assert_eq!(cleaned.published.as_deref(), Some("2019-11-19T17:50:00Z"));
        let page = br#"<html><body><article><time datetime="Tue, 19 Nov 2019 17:50:00 GMT">Nov 19</time><p>Body text of the article, with commas, long enough to keep as a paragraph.</p></article></body></html>"#;
        let cleaned = cleaner.clean(page, Format::Html).unwrap_or_default();
        assert_eq!(cleaned.published.as_deref(), Some("2019-11-19T17:50:00Z"));
        assert!(cleaned.body.contains("Body text"));
    }
}
