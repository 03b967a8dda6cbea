//! Another extraction tool's output on the shared pages, the anchor our figures are set beside
//! (`scripts/anchors/trafilatura_pages.py` writes it): a JSON Lines file whose first line names
//! the tool (`{"tool": "trafilatura", "version": "2.3.1"}`) and whose other lines are one page
//! each: `{"corpus", "id", "body", "title", "date", "authors", "sitename", "language", "ms"}`.
//! `newsflow eval clean --anchor` reads the bodies, `newsflow eval meta --anchor` the metadata.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};

use crate::CorpusError;

/// One page as the anchor tool gave it. Missing or `null` fields are empty; empty metadata
/// texts are `None`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AnchorPage {
    /// The corpus the page is from: `extraction` or `news-pages`.
    pub corpus: String,
    /// The page's id in its corpus.
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub body: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub authors: Vec<String>,
    /// The site's name for itself.
    #[serde(default)]
    pub sitename: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// The tool's time on the page, in milliseconds.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ms: f64,
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An anchor file: the tool and its pages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Anchor {
    /// The tool's name and version (`trafilatura 2.3.1`).
    pub tool: String,
    /// The pages by (corpus, id); of a page given twice, the last.
    pub pages: HashMap<(String, String), AnchorPage>,
}

impl Anchor {
    /// The anchor's page `id` of `corpus`.
    pub fn page(&self, corpus: &str, id: &str) -> Option<&AnchorPage> {
        self.pages.get(&(corpus.to_string(), id.to_string()))
    }
}

/// Reads an anchor file.
pub fn read(path: &Path) -> Result<Anchor, CorpusError> {
    let text = std::fs::read_to_string(path).map_err(|error| CorpusError::io(path, error))?;
    parse(&text).map_err(|error| error.in_file(path))
}

/// An anchor from its text (blank lines skipped; no header line is the tool `anchor`).
pub fn parse(text: &str) -> Result<Anchor, CorpusError> {
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap_or("{}"))
        .map_err(|error| CorpusError::format("anchor", format!("header line: {error}")))?;
    let tool = format!(
        "{} {}",
        header["tool"].as_str().unwrap_or("anchor"),
        header["version"].as_str().unwrap_or("")
    );
    let mut pages = HashMap::new();
    for (index, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut page: AnchorPage = serde_json::from_str(line).map_err(|error| {
            CorpusError::format("anchor", format!("line {}: {error}", index + 2))
        })?;
        for field in [
            &mut page.title,
            &mut page.date,
            &mut page.sitename,
            &mut page.language,
        ] {
            if field.as_deref() == Some("") {
                *field = None;
            }
        }
        pages.insert((page.corpus.clone(), page.id.clone()), page);
    }
    Ok(Anchor {
        tool: tool.trim().to_string(),
        pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_the_tool_and_pages_are_keyed_by_corpus_and_id() {
        let text = r#"{"tool": "trafilatura", "version": "2.3.1"}
{"corpus": "extraction", "id": "a1", "body": "Body one.", "title": "One", "date": "2019-11-19", "authors": ["Sarah E Needleman"], "sitename": "Wall Street Journal", "language": null, "ms": 12.5}

{"corpus": "news-pages", "id": "a1", "body": "Other.", "title": "", "date": null, "authors": null, "ms": 3.0}
"#;
        let anchor = parse(text).unwrap();
        assert_eq!(anchor.tool, "trafilatura 2.3.1");
        assert_eq!(anchor.pages.len(), 2);
        let page = anchor.page("extraction", "a1").unwrap();
        assert_eq!(page.body, "Body one.");
        assert_eq!(page.authors, ["Sarah E Needleman"]);
        assert_eq!(page.sitename.as_deref(), Some("Wall Street Journal"));
        assert_eq!(page.language, None);
        assert_eq!(page.ms, 12.5);
        let other = anchor.page("news-pages", "a1").unwrap();
        assert_eq!((other.title.clone(), other.date.clone()), (None, None));
        assert!(other.authors.is_empty());
        assert!(anchor.page("news-pages", "b2").is_none());
    }

    #[test]
    fn a_missing_version_or_header_still_names_a_tool() {
        assert_eq!(parse(r#"{"tool": "x"}"#).unwrap().tool, "x");
        assert_eq!(parse("").unwrap().tool, "anchor");
    }

    #[test]
    fn a_bad_line_is_an_error_naming_it() {
        let error = parse("{}\n{\"corpus\": \"extraction\"}\n").unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
    }
}
