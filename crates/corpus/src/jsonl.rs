//! Users' own labelled data: one `{"text": "...", "label": "..."}` object a line (gzipped or
//! not; blank lines skipped, other fields ignored). Not a shared corpus: the form
//! `newsflow train topic` takes for any other topic data.

use std::path::Path;

use serde::Deserialize;

use crate::{decode_text, maybe_gunzip, CorpusError, LabeledDoc};

#[derive(Deserialize)]
struct Line {
    text: String,
    label: String,
}

/// The documents of a JSONL file, in file order.
pub fn read(path: &Path) -> Result<Vec<LabeledDoc>, CorpusError> {
    let bytes = std::fs::read(path).map_err(|error| CorpusError::io(path, error))?;
    parse(bytes).map_err(|error| error.in_file(path))
}

/// The documents of JSONL bytes, in order.
pub fn parse(bytes: Vec<u8>) -> Result<Vec<LabeledDoc>, CorpusError> {
    let text = decode_text(&maybe_gunzip(bytes)?);
    let mut docs = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc: Line = serde_json::from_str(line).map_err(|error| {
            CorpusError::format("jsonl", format!("line {}: {error}", number + 1))
        })?;
        if doc.label.is_empty() {
            return Err(CorpusError::format(
                "jsonl",
                format!("line {}: empty label", number + 1),
            ));
        }
        docs.push(LabeledDoc {
            text: doc.text,
            label: doc.label,
        });
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_lines() {
        let docs = parse(
            b"{\"text\":\"a\",\"label\":\"x\",\"id\":1}\n\n{\"text\":\"b\",\"label\":\"y\"}\n"
                .to_vec(),
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        let err = parse(b"{\"text\":\"a\"}\n".to_vec()).unwrap_err();
        assert!(err.to_string().contains("line 1"));
    }

    /// The shared AG News dev rows written as a user's gzipped JSONL file read back the same.
    #[test]
    fn reads_the_shared_ag_news_rows_as_jsonl() {
        use std::io::Write;
        let root = crate::root_from_manifest(env!("CARGO_MANIFEST_DIR"));
        let rows = crate::ag_news::read(&root.join("ag_news/dev.csv.gz")).unwrap();
        assert_eq!(rows.len(), 250);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for row in &rows {
            let line = serde_json::json!({"text": row.text, "label": row.label, "id": 0});
            writeln!(encoder, "{line}").unwrap();
        }
        let docs = parse(encoder.finish().unwrap()).unwrap();
        assert_eq!(docs, rows);
    }
}
