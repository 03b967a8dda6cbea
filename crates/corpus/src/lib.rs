//! newsflow-corpus: reads the shared corpora in `../shared/data` (one reader per format) and
//! defines their splits, so every trainer and evaluator sees the same documents.
//!
//! - [`bbc`]: `bbc/` (BBC News articles in five topics, a tar of `<topic>/<NNN>.txt`), its
//!   reader and [`bbc::split`], the one BBC dev split (duplicates dropped, then every 5th
//!   article per topic).
//! - [`ag_news`]: `ag_news/` (AG News CSV), its reader and [`ag_news::split`] (row % 20 == 0
//!   is dev, the README's `dev.csv.gz`).
//! - [`conll`]: `conll2003/` and `ner-multilingual/` (CoNLL token-per-line files): documents and
//!   sentences, read and written back.
//! - [`extraction`]: `extraction/` (the article-extraction benchmark's dev pages and bodies) and
//!   its cross-validation folds.
//! - [`gazetteers`]: `gazetteers/` (GeoNames place names, CC BY 4.0) for entity features.
//! - [`news_pages`]: `news-pages/` (real pages from four public projects, labels per source;
//!   `split_of` gives its train and held-out halves for what is trained on page text).
//! - [`jsonl`]: users' own labelled data, one `{"text","label"}` object a line.
//! - [`anchor`]: another extraction tool's output on the shared pages (bodies and metadata),
//!   the figures' anchor.
//! - [`dedup`]: exact and near-duplicate documents (word 5-gram Jaccard), part of the BBC split.
//!
//! Every reader takes a path (or bytes) and returns typed [`CorpusError`]s; nothing here trains
//! or scores.

pub mod ag_news;
pub mod anchor;
pub mod bbc;
pub mod conll;
pub mod dedup;
pub mod extraction;
pub mod gazetteers;
pub mod jsonl;
pub mod news_pages;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a corpus could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("reading {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("parsing {path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// Bytes (not yet tied to a file) that are not in the expected format.
    #[error("invalid {format} data: {message}")]
    Format {
        format: &'static str,
        message: String,
    },
}

impl CorpusError {
    fn io(path: &Path, source: std::io::Error) -> CorpusError {
        CorpusError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn parse(path: &Path, message: impl std::fmt::Display) -> CorpusError {
        CorpusError::Parse {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }

    fn format(format: &'static str, message: impl std::fmt::Display) -> CorpusError {
        CorpusError::Format {
            format,
            message: message.to_string(),
        }
    }

    /// The error with the file it came from (a [`CorpusError::Format`] becomes a
    /// [`CorpusError::Parse`] naming `path`).
    fn in_file(self, path: &Path) -> CorpusError {
        match self {
            CorpusError::Format { format, message } => {
                CorpusError::parse(path, format!("{format}: {message}"))
            }
            other => other,
        }
    }
}

/// One labelled document (a topic corpus row): its text and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledDoc {
    pub text: String,
    pub label: String,
}

/// A document with a text and a label, whatever else it carries: what the splits and the
/// duplicate filter work on.
pub trait Labelled {
    fn text(&self) -> &str;
    fn label(&self) -> &str;
}

impl<T: Labelled + ?Sized> Labelled for &T {
    fn text(&self) -> &str {
        (**self).text()
    }
    fn label(&self) -> &str {
        (**self).label()
    }
}

impl Labelled for LabeledDoc {
    fn text(&self) -> &str {
        &self.text
    }
    fn label(&self) -> &str {
        &self.label
    }
}

/// A corpus cut into the documents a model learns from and those it is scored on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<T> {
    pub train: Vec<T>,
    pub dev: Vec<T>,
    /// Documents in neither part (duplicates dropped before splitting).
    pub dropped: usize,
}

impl<T> Split<T> {
    /// Document `i` is dev when `i % every == 0`, counting over the whole list.
    pub fn every(docs: Vec<T>, every: usize) -> Split<T> {
        Split::by_position(docs, None, every)
    }

    /// Document `i` is dev when `i % every == 0`, where `i` counts within each label (a
    /// stratified split, in list order).
    pub fn every_per_label(docs: Vec<T>, every: usize) -> Split<T>
    where
        T: Labelled,
    {
        let labels: Vec<String> = docs.iter().map(|doc| doc.label().to_string()).collect();
        Split::by_position(docs, Some(&labels), every)
    }

    fn by_position(docs: Vec<T>, labels: Option<&[String]>, every: usize) -> Split<T> {
        let every = every.max(1);
        let mut counters: HashMap<&str, usize> = HashMap::new();
        let mut split = Split {
            train: Vec::new(),
            dev: Vec::new(),
            dropped: 0,
        };
        for (index, doc) in docs.into_iter().enumerate() {
            let group = labels.map_or("", |labels| labels[index].as_str());
            let counter = counters.entry(group).or_insert(0);
            let position = *counter;
            *counter += 1;
            if position.is_multiple_of(every) {
                split.dev.push(doc);
            } else {
                split.train.push(doc);
            }
        }
        split
    }
}

fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The bytes, gunzipped when they start with the gzip magic.
pub fn maybe_gunzip(bytes: Vec<u8>) -> Result<Vec<u8>, CorpusError> {
    if !is_gzip(&bytes) {
        return Ok(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() * 4);
    flate2::read::MultiGzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .map_err(|error| CorpusError::format("gzip", error))?;
    Ok(out)
}

/// The bytes of a file, gunzipped when it is gzip-compressed (by its first bytes).
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>, CorpusError> {
    let raw = std::fs::read(path).map_err(|error| CorpusError::io(path, error))?;
    maybe_gunzip(raw).map_err(|error| error.in_file(path))
}

/// Text of a file: UTF-8 when valid (without a byte-order mark), else Latin-1 (every byte is
/// one character; `bbc/sport/199.txt` is such a file).
pub fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text).to_string(),
        Err(_) => bytes.iter().map(|&byte| char::from(byte)).collect(),
    }
}

/// A JSON file parsed whole.
pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value, CorpusError> {
    let text = std::fs::read_to_string(path).map_err(|error| CorpusError::io(path, error))?;
    serde_json::from_str(&text).map_err(|error| CorpusError::parse(path, error))
}

/// The default shared data root as seen from the repository root (`../shared/data`).
pub fn default_root() -> PathBuf {
    PathBuf::from("../shared/data")
}

/// The shared data root as seen from a crate of this workspace (for tests against the shared
/// files: `<crate>/../../../shared/data`).
#[doc(hidden)]
pub fn root_from_manifest(manifest_dir: &str) -> PathBuf {
    Path::new(manifest_dir).join("../../../shared/data")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, label: &str) -> LabeledDoc {
        LabeledDoc {
            text: text.into(),
            label: label.into(),
        }
    }

    #[test]
    fn splits_by_position_overall_and_per_label() {
        let docs = vec![
            doc("a", "x"),
            doc("b", "x"),
            doc("c", "y"),
            doc("d", "x"),
            doc("e", "y"),
        ];
        let split = Split::every_per_label(docs.clone(), 2);
        let texts = |part: &[LabeledDoc]| part.iter().map(|d| d.text.clone()).collect::<String>();
        assert_eq!(texts(&split.dev), "acd");
        assert_eq!(texts(&split.train), "be");
        let split = Split::every(docs, 2);
        assert_eq!(texts(&split.dev), "ace");
    }

    #[test]
    fn gzip_by_magic_and_latin1_fallback() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"plain").unwrap();
        assert_eq!(maybe_gunzip(encoder.finish().unwrap()).unwrap(), b"plain");
        assert_eq!(maybe_gunzip(b"plain".to_vec()).unwrap(), b"plain");
        assert!(matches!(
            maybe_gunzip(vec![0x1f, 0x8b, 0, 1]),
            Err(CorpusError::Format { .. })
        ));
        assert_eq!(decode_text(b"caf\xe9"), "café");
        assert_eq!(decode_text("\u{feff}café".as_bytes()), "café");
    }
}
