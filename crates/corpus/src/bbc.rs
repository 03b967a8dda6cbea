//! `bbc/`: BBC News articles (Greene & Cunningham 2006) in five topics, `bbc-dev.tar.gz` a tar of
//! `bbc/<topic>/<NNN>.txt` (headline, blank line, body; UTF-8 except one Latin-1 file).
//!
//! The reader takes any tar(.gz) or extracted folder of `<anything>/<label>/<file>.txt` (users'
//! own data in the same layout), sorted by label, then file name: the order the split is
//! defined in.
//!
//! **The split** ([`split`]), used by every trainer and evaluator that touches BBC (topic model,
//! keyword background, word repair, same-story pairs): exact and near-duplicate articles are
//! dropped first ([`crate::dedup`]: 40 exact and 35 near repeats of the 1,485), then within each
//! topic the kept article at position `i` is dev when `i % 5 == 0` (285 dev, 1,125 train).

use std::io::Read;
use std::path::Path;

use crate::{decode_text, dedup::dedup, maybe_gunzip, CorpusError, LabeledDoc, Labelled, Split};

/// The tarball, relative to the shared data root.
pub const TARBALL: &str = "bbc/bbc-dev.tar.gz";

/// Every `DEV_EVERY`-th kept article of a topic is dev.
pub const DEV_EVERY: usize = 5;

/// One article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BbcDoc {
    /// The folder it is in (`business`, `entertainment`, `politics`, `sport`, `tech`).
    pub topic: String,
    /// Its file name (`001.txt`).
    pub file: String,
    /// The whole file: headline, blank line, body.
    pub text: String,
}

impl BbcDoc {
    /// `topic/file`, e.g. `business/001.txt` (how the labelled story pairs name articles).
    pub fn name(&self) -> String {
        format!("{}/{}", self.topic, self.file)
    }

    /// The headline: the first line, trimmed.
    pub fn title(&self) -> &str {
        self.text.lines().next().unwrap_or("").trim()
    }

    /// The body: every later non-empty line, trimmed, one paragraph a line.
    pub fn body(&self) -> String {
        self.text
            .lines()
            .skip(1)
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The article as a topic-model row (the whole text, the topic as label).
    pub fn into_labelled(self) -> LabeledDoc {
        LabeledDoc {
            text: self.text,
            label: self.topic,
        }
    }
}

impl Labelled for BbcDoc {
    fn text(&self) -> &str {
        &self.text
    }
    fn label(&self) -> &str {
        &self.topic
    }
}

/// The articles of a tar(.gz) file or of an extracted folder.
pub fn read(path: &Path) -> Result<Vec<BbcDoc>, CorpusError> {
    if path.is_dir() {
        return read_dir(path);
    }
    let bytes = std::fs::read(path).map_err(|error| CorpusError::io(path, error))?;
    parse_tar(bytes).map_err(|error| error.in_file(path))
}

/// The articles of the shared tarball under the data root `root`.
pub fn read_shared(root: &Path) -> Result<Vec<BbcDoc>, CorpusError> {
    read(&root.join(TARBALL))
}

/// A candidate file `.../<label>/<file>`, or `None` when it is not an article (not `.txt`, a
/// dot file, or not in a label folder).
fn article_path(path: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let [.., label, file] = parts.as_slice() else {
        return None;
    };
    if !file.ends_with(".txt") || file.starts_with('.') || label.starts_with('.') {
        return None;
    }
    Some((label.to_string(), file.to_string()))
}

fn sorted(mut docs: Vec<BbcDoc>) -> Vec<BbcDoc> {
    docs.sort_by(|a, b| (&a.topic, &a.file).cmp(&(&b.topic, &b.file)));
    docs
}

/// The articles of a tar, gzipped or not, sorted by label, then file name.
pub fn parse_tar(bytes: Vec<u8>) -> Result<Vec<BbcDoc>, CorpusError> {
    let tar_bytes = maybe_gunzip(bytes)?;
    let mut archive = tar::Archive::new(tar_bytes.as_slice());
    let entries = archive
        .entries()
        .map_err(|error| CorpusError::format("tar", error))?;
    let mut docs = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|error| CorpusError::format("tar", error))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|error| CorpusError::format("tar", error))?
            .to_string_lossy()
            .into_owned();
        let Some((topic, file)) = article_path(&path) else {
            continue;
        };
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|error| CorpusError::format("tar", format!("{path}: {error}")))?;
        docs.push(BbcDoc {
            topic,
            file,
            text: decode_text(&content),
        });
    }
    Ok(sorted(docs))
}

/// Every `.txt` file under `dir` whose parent folder (below `dir`) names its label.
pub fn read_dir(dir: &Path) -> Result<Vec<BbcDoc>, CorpusError> {
    let mut docs = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries =
            std::fs::read_dir(&current).map_err(|error| CorpusError::io(&current, error))?;
        for entry in entries {
            let path = entry
                .map_err(|error| CorpusError::io(&current, error))?
                .path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.parent() == Some(dir) {
                continue;
            }
            let Some((topic, file)) = article_path(&path.to_string_lossy()) else {
                continue;
            };
            let bytes = std::fs::read(&path).map_err(|error| CorpusError::io(&path, error))?;
            docs.push(BbcDoc {
                topic,
                file,
                text: decode_text(&bytes),
            });
        }
    }
    Ok(sorted(docs))
}

/// The BBC split: duplicates dropped (the first copy stays), then per label the kept document
/// at position `i` is dev when `i % 5 == 0`. `docs` in reader order (label, then file name).
pub fn split<D: Labelled>(docs: Vec<D>) -> Split<D> {
    let (kept, dropped) = dedup(docs);
    let mut split = Split::every_per_label(kept, DEV_EVERY);
    split.dropped = dropped;
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tar_labels_from_folders() {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, body) in [
            ("bbc/tech/002.txt", "b"),
            ("bbc/sport/001.txt", "Head\n\n  a  \n\nb"),
            ("bbc/README", "x"),
            ("bbc/.hidden/003.txt", "x"),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(body.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, body.as_bytes())
                .unwrap();
        }
        let docs = parse_tar(builder.into_inner().unwrap()).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].name(), "sport/001.txt");
        assert_eq!(docs[0].title(), "Head");
        assert_eq!(docs[0].body(), "a\nb");
        assert_eq!(docs[1].label(), "tech");
        assert!(matches!(
            parse_tar(vec![1; 1024]),
            Err(CorpusError::Format { .. })
        ));
    }

    #[test]
    fn reads_and_splits_the_shared_tarball() {
        let root = crate::root_from_manifest(env!("CARGO_MANIFEST_DIR"));
        let docs = read_shared(&root).unwrap();
        assert_eq!(docs.len(), 1485);
        let per_topic = |topic: &str| docs.iter().filter(|d| d.topic == topic).count();
        assert_eq!(
            ["business", "entertainment", "politics", "sport", "tech"].map(per_topic),
            [340, 258, 278, 341, 268]
        );
        assert_eq!(docs[0].name(), "business/001.txt");
        // The one Latin-1 file is read, not dropped or mangled.
        let latin1 = docs.iter().find(|d| d.name() == "sport/199.txt").unwrap();
        assert!(!latin1.text.contains('\u{fffd}'));
        let split = split(docs);
        assert_eq!(
            (split.dropped, split.dev.len(), split.train.len()),
            (75, 285, 1125)
        );
        assert_eq!(split.dev[0].name(), "business/001.txt");
    }
}
