//! newsflow-corpus: reads the shared corpora in `../shared/data` (one reader per format) and
//! defines their splits, so every trainer and evaluator sees the same documents.
//!
//! - [`news_pages`]: `news-pages/` (real pages from four public projects, labels per source).
//! - [`extraction`]: `extraction/` (the article-extraction benchmark's dev pages and bodies).

pub mod extraction;
pub mod news_pages;

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
}

/// The bytes of a file, gunzipped when its name ends in `.gz`.
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>, CorpusError> {
    let raw = std::fs::read(path).map_err(|error| CorpusError::io(path, error))?;
    if path.extension().is_some_and(|ext| ext == "gz") {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|error| CorpusError::io(path, error))?;
        Ok(out)
    } else {
        Ok(raw)
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
