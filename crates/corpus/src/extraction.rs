//! `extraction/`: the dev split (121 pages) of the article-extraction benchmark, with the
//! human-annotated article bodies and the published predictions of other extractors.

use std::path::{Path, PathBuf};

use crate::{read_json, read_maybe_gz, CorpusError};

/// One benchmark page.
#[derive(Debug, Clone)]
pub struct ExtractionPage {
    /// 64 hex characters; names the HTML file too.
    pub id: String,
    pub url: Option<String>,
    /// The annotated article body (paragraphs separated by newlines).
    pub body: String,
}

/// The corpus: its folder and its pages sorted by id.
#[derive(Debug, Clone)]
pub struct ExtractionPages {
    pub root: PathBuf,
    pub pages: Vec<ExtractionPage>,
}

impl ExtractionPages {
    /// Reads `ground-truth.json` of the `extraction` folder at `root`.
    pub fn open(root: &Path) -> Result<ExtractionPages, CorpusError> {
        let path = root.join("ground-truth.json");
        let value = read_json(&path)?;
        let map = value
            .as_object()
            .ok_or_else(|| CorpusError::parse(&path, "not a json object"))?;
        let mut pages: Vec<ExtractionPage> = map
            .iter()
            .map(|(id, entry)| ExtractionPage {
                id: id.clone(),
                url: entry["url"].as_str().map(str::to_string),
                body: entry["articleBody"].as_str().unwrap_or("").to_string(),
            })
            .collect();
        pages.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(ExtractionPages {
            root: root.to_path_buf(),
            pages,
        })
    }

    /// The page's HTML (gunzipped).
    pub fn html(&self, page: &ExtractionPage) -> Result<Vec<u8>, CorpusError> {
        read_maybe_gz(&self.root.join("html").join(format!("{}.html.gz", page.id)))
    }

    /// An anchor tool's predictions (`anchors/<tool>.json`), id → body; both the plain map and
    /// the `{"version", "output"}` wrapper are read.
    pub fn anchor(
        &self,
        tool: &str,
    ) -> Result<std::collections::HashMap<String, String>, CorpusError> {
        let path = self.root.join("anchors").join(format!("{tool}.json"));
        let value = read_json(&path)?;
        let map = value.get("output").unwrap_or(&value);
        let map = map
            .as_object()
            .ok_or_else(|| CorpusError::parse(&path, "not a json object"))?;
        Ok(map
            .iter()
            .map(|(id, entry)| {
                let body = entry["articleBody"].as_str().unwrap_or("").to_string();
                (id.clone(), body)
            })
            .collect())
    }

    /// The fold (of `folds`) of the page at `index` in id order: the one split every
    /// cross-validated trainer and evaluator uses. Anything counted from the pages' bodies (word
    /// statistics) must be counted per fold too, without the fold it scores.
    pub fn fold_of(index: usize, folds: usize) -> usize {
        index % folds.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shared_benchmark_pages() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/extraction");
        let corpus = ExtractionPages::open(&root).unwrap();
        assert_eq!(corpus.pages.len(), 121);
        assert!(corpus.pages.windows(2).all(|w| w[0].id < w[1].id));
        let html = corpus.html(&corpus.pages[0]).unwrap();
        assert!(html.len() > 10_000);
        let anchor = corpus.anchor("html-text").unwrap();
        assert_eq!(anchor.len(), 121);
        let in_fold = |fold| {
            (0..121)
                .filter(|&i| ExtractionPages::fold_of(i, 5) == fold)
                .count()
        };
        assert_eq!([0, 1, 2, 3, 4].map(in_fold), [25, 24, 24, 24, 24]);
    }
}
