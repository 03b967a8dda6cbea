//! `news-pages/`: 690 real pages from the test fixtures of four public extraction projects
//! (readability, postlight, htmldate, newspaper4k), with labels of stated reliability per
//! source. The natural split is by source: judge a change leave-one-source-out.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{read_maybe_gz, CorpusError};

/// One labelled page (`labels.jsonl` line). Absent labels are `None` / empty.
#[derive(Debug, Clone, Deserialize)]
pub struct NewsPage {
    pub id: String,
    /// `readability`, `postlight`, `htmldate` or `newspaper4k`.
    pub source: String,
    /// Path of the gzipped raw page, relative to the corpus folder.
    pub file: String,
    #[serde(default)]
    pub url: Option<String>,
    /// Primary subtag of the declared language (as labelled), if any.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub byline: Option<String>,
    /// ISO date-time or `YYYY-MM-DD`.
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub site_name: Option<String>,
    /// Full main text (silver), one block per line.
    #[serde(default)]
    pub body: Option<String>,
    /// `silver` or `none`.
    #[serde(default)]
    pub body_kind: Option<String>,
    /// Postlight: the standfirst (dek) its per-site extractor gives, where it has one.
    #[serde(default)]
    pub dek: Option<String>,
    /// Postlight: the first words of the body, whitespace-normalised.
    #[serde(default)]
    pub body_start: Option<String>,
    /// Readability's tiny hand-made feature tests: never part of a quality figure.
    #[serde(default)]
    pub synthetic: bool,
    /// htmldate: `default` or `mediacloud`.
    #[serde(default)]
    pub subset: Option<String>,
}

impl NewsPage {
    /// The language for reporting: the labelled subtag, lowercased, or `"??"`.
    pub fn language_or_unknown(&self) -> String {
        self.language
            .as_deref()
            .map(|lang| {
                lang.split(['-', '_'])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            })
            .filter(|lang| !lang.is_empty())
            .unwrap_or_else(|| "??".to_string())
    }

    /// A full body label usable for a body score (silver, non-synthetic).
    pub fn scored_body(&self) -> Option<&str> {
        if self.synthetic || self.body_kind.as_deref() == Some("none") {
            return None;
        }
        self.body.as_deref().filter(|body| !body.trim().is_empty())
    }
}

/// The corpus: its folder and its labelled pages in file order.
#[derive(Debug, Clone)]
pub struct NewsPages {
    pub root: PathBuf,
    pub pages: Vec<NewsPage>,
}

impl NewsPages {
    /// Reads `labels.jsonl` of the `news-pages` folder at `root`.
    pub fn open(root: &Path) -> Result<NewsPages, CorpusError> {
        let path = root.join("labels.jsonl");
        let text = std::fs::read_to_string(&path).map_err(|error| CorpusError::Io {
            path: path.clone(),
            source: error,
        })?;
        let mut pages = Vec::new();
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let page: NewsPage =
                serde_json::from_str(&python_nan_to_null(line)).map_err(|error| {
                    CorpusError::parse(&path, format!("line {}: {error}", number + 1))
                })?;
            pages.push(page);
        }
        Ok(NewsPages {
            root: root.to_path_buf(),
            pages,
        })
    }

    /// The raw bytes of a page (gunzipped, otherwise exactly as the source project kept it).
    pub fn html(&self, page: &NewsPage) -> Result<Vec<u8>, CorpusError> {
        read_maybe_gz(&self.root.join(&page.file))
    }

    /// The sources in a stable order.
    pub fn sources(&self) -> Vec<String> {
        let mut sources: Vec<String> = self.pages.iter().map(|p| p.source.clone()).collect();
        sources.sort();
        sources.dedup();
        sources
    }
}

/// Which half of the news pages a page belongs to, for anything trained on the pages' text
/// (keyword background statistics of languages other than English, issue 16): trainers read
/// only [`NewsSplit::Train`] pages, evaluators report only on [`NewsSplit::Held`] ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewsSplit {
    Train,
    Held,
}

/// The split of a page: by an FNV-1a hash of its id (even: train, odd: held out), so it does
/// not depend on the file order and a page keeps its half when pages are added. Synthetic
/// pages (hand-made feature tests) are in neither half.
pub fn split_of(page: &NewsPage) -> Option<NewsSplit> {
    if page.synthetic {
        return None;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in page.id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Some(if hash.is_multiple_of(2) {
        NewsSplit::Train
    } else {
        NewsSplit::Held
    })
}

/// `labels.jsonl` was written by Python's `json`, which spells a missing number `NaN`: read it
/// as `null` (only outside strings).
fn python_nan_to_null(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains("NaN") && !line.contains("Infinity") {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = line;
    while let Some(ch) = rest.chars().next() {
        if in_string {
            out.push(ch);
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
            rest = &rest[ch.len_utf8()..];
            continue;
        }
        if ch == '"' {
            in_string = true;
        } else {
            let token = ["-Infinity", "Infinity", "NaN"]
                .into_iter()
                .find(|token| rest.starts_with(token));
            if let Some(token) = token {
                out.push_str("null");
                rest = &rest[token.len()..];
                continue;
            }
        }
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Option<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/news-pages");
        root.exists().then_some(root)
    }

    #[test]
    fn reads_every_page_of_the_shared_corpus() {
        let root = root().expect("../shared/data/news-pages is beside the repository");
        let corpus = NewsPages::open(&root).unwrap();
        assert_eq!(corpus.pages.len(), 690);
        assert_eq!(
            corpus.sources(),
            ["htmldate", "newspaper4k", "postlight", "readability"]
        );
        let synthetic = corpus.pages.iter().filter(|p| p.synthetic).count();
        assert_eq!(synthetic, 36);
        let first = &corpus.pages[0];
        let html = corpus.html(first).unwrap();
        assert!(html.len() > 1000);
        assert!(String::from_utf8_lossy(&html)
            .to_lowercase()
            .contains("<html"));
        let with_body = corpus.pages.iter().filter(|p| p.scored_body().is_some());
        assert!(with_body.count() > 100);
    }

    #[test]
    fn the_split_halves_the_real_pages() {
        let root = root().expect("../shared/data/news-pages is beside the repository");
        let corpus = NewsPages::open(&root).unwrap();
        let count = |half| {
            corpus
                .pages
                .iter()
                .filter(|p| split_of(p) == Some(half))
                .count()
        };
        let (train, held) = (count(NewsSplit::Train), count(NewsSplit::Held));
        assert_eq!(train + held, 690 - 36);
        assert!(train.abs_diff(held) < 60, "{train} / {held}");
        let synthetic = corpus.pages.iter().find(|p| p.synthetic).unwrap();
        assert_eq!(split_of(synthetic), None);
    }

    #[test]
    fn python_nan_is_null_outside_strings() {
        assert_eq!(
            python_nan_to_null(r#"{"a": NaN, "b": "NaN \" x", "c": -Infinity}"#),
            r#"{"a": null, "b": "NaN \" x", "c": null}"#
        );
    }

    #[test]
    fn language_is_the_primary_subtag() {
        let page: NewsPage =
            serde_json::from_str(r#"{"id":"x","source":"s","file":"f","language":"de-DE"}"#)
                .unwrap();
        assert_eq!(page.language_or_unknown(), "de");
        let page: NewsPage = serde_json::from_str(r#"{"id":"x","source":"s","file":"f"}"#).unwrap();
        assert_eq!(page.language_or_unknown(), "??");
    }
}
