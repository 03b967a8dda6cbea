//! `ag_news/`: AG News topic rows, gzip-compressed CSV without a header: `class,text` (the
//! shared files: title and description already joined) or the official
//! `class,title,description`. Classes `1..4` become `World`, `Sports`, `Business`, `Sci/Tech`;
//! any other class value is kept as the label. Text quirks of the source are kept (a `\` where
//! the source had a line break: [`spaced`] reads it as a space).
//!
//! **The split** ([`split`]): `dev.csv.gz` is every 20th row of `train.csv.gz` (row index
//! % 20 == 0), so dev is those 250 rows and train the other 4,750, in file order. Rows are never
//! deduplicated: that would move the README's dev rows.

use std::path::Path;

use crate::{decode_text, maybe_gunzip, CorpusError, LabeledDoc, Split};

/// The training file, relative to the shared data root.
pub const TRAIN: &str = "ag_news/train.csv.gz";

/// Row `i` of `train.csv.gz` is dev when `i % DEV_EVERY == 0`.
pub const DEV_EVERY: usize = 20;

/// The AG News class names, by class index 1..4.
pub const LABELS: [&str; 4] = ["World", "Sports", "Business", "Sci/Tech"];

/// Splits one CSV record starting at `position`; returns its fields and the next position.
fn csv_record(text: &str, mut position: usize) -> (Vec<String>, usize) {
    let bytes = text.as_bytes();
    let mut fields = Vec::new();
    loop {
        let mut field = String::new();
        if bytes.get(position) == Some(&b'"') {
            position += 1;
            let mut start = position;
            loop {
                match text[position..].find('"') {
                    None => {
                        field.push_str(&text[start..]);
                        position = text.len();
                        break;
                    }
                    Some(offset) => {
                        let quote = position + offset;
                        field.push_str(&text[start..quote]);
                        if bytes.get(quote + 1) == Some(&b'"') {
                            field.push('"');
                            position = quote + 2;
                            start = position;
                        } else {
                            position = quote + 1;
                            break;
                        }
                    }
                }
            }
            // Skip anything between the closing quote and the separator.
            while position < bytes.len() && !matches!(bytes[position], b',' | b'\n' | b'\r') {
                position += 1;
            }
        } else {
            let end = text[position..]
                .find([',', '\n', '\r'])
                .map_or(text.len(), |offset| position + offset);
            field.push_str(&text[position..end]);
            position = end;
        }
        fields.push(field);
        match bytes.get(position) {
            Some(b',') => position += 1,
            Some(b'\r') => {
                position += 1;
                if bytes.get(position) == Some(&b'\n') {
                    position += 1;
                }
                return (fields, position);
            }
            Some(b'\n') => return (fields, position + 1),
            _ => return (fields, position),
        }
    }
}

/// The rows of an AG News CSV file (gzipped or not), in file order.
pub fn read(path: &Path) -> Result<Vec<LabeledDoc>, CorpusError> {
    let bytes = std::fs::read(path).map_err(|error| CorpusError::io(path, error))?;
    parse(bytes).map_err(|error| error.in_file(path))
}

/// The rows of the shared `train.csv.gz` under the data root `root`.
pub fn read_shared(root: &Path) -> Result<Vec<LabeledDoc>, CorpusError> {
    read(&root.join(TRAIN))
}

/// The rows of AG News CSV bytes (gzipped or not), in file order.
pub fn parse(bytes: Vec<u8>) -> Result<Vec<LabeledDoc>, CorpusError> {
    let raw = maybe_gunzip(bytes)?;
    let text = decode_text(&raw);
    let mut docs = Vec::new();
    let mut position = 0;
    let mut line = 0;
    while position < text.len() {
        line += 1;
        let (fields, next) = csv_record(&text, position);
        position = next;
        if fields.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let (class, body) = match fields.as_slice() {
            [class, text] => (class, text.clone()),
            [class, title, description] => (class, format!("{title} {description}")),
            _ => {
                return Err(CorpusError::format(
                    "csv",
                    format!(
                        "record {line}: expected 2 or 3 fields, found {}",
                        fields.len()
                    ),
                ))
            }
        };
        let class = class.trim();
        let label = match class.parse::<usize>() {
            Ok(index @ 1..=4) => LABELS[index - 1].to_string(),
            _ => class.to_string(),
        };
        if label.is_empty() {
            return Err(CorpusError::format(
                "csv",
                format!("record {line}: empty class"),
            ));
        }
        docs.push(LabeledDoc { text: body, label });
    }
    Ok(docs)
}

/// The text with each `\` read as a space (the source's lost line breaks), for tokenizers
/// that would otherwise glue two words.
pub fn spaced(text: &str) -> String {
    text.replace('\\', " ")
}

/// The AG News split: row `i` is dev when `i % 20 == 0` (the README's `dev.csv.gz`).
pub fn split(rows: Vec<LabeledDoc>) -> Split<LabeledDoc> {
    Split::every(rows, DEV_EVERY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_classes() {
        let data =
            "\"1\",\"Iraq \"\"talks\"\" resume\"\n\"4\",\"new chip\"\n\n3,plain,two parts\r\n";
        let docs = parse(data.as_bytes().to_vec()).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].label, "World");
        assert_eq!(docs[0].text, "Iraq \"talks\" resume");
        assert_eq!(docs[1].label, "Sci/Tech");
        assert_eq!(
            docs[2],
            LabeledDoc {
                text: "plain two parts".into(),
                label: "Business".into()
            }
        );
        assert!(matches!(
            parse(b"1,2,3,4\n".to_vec()),
            Err(CorpusError::Format { .. })
        ));
    }

    #[test]
    fn gzip_is_detected() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"\"2\",\"goal\"\n").unwrap();
        let docs = parse(encoder.finish().unwrap()).unwrap();
        assert_eq!(docs[0].label, "Sports");
        assert!(parse(vec![0x1f, 0x8b, 0, 1]).is_err());
    }

    #[test]
    fn reads_and_splits_the_shared_rows() {
        let root = crate::root_from_manifest(env!("CARGO_MANIFEST_DIR"));
        let rows = read_shared(&root).unwrap();
        assert_eq!(rows.len(), 5000);
        // A text that ends in a quoted phrase keeps its closing quote.
        assert!(rows
            .iter()
            .any(|row| row.text.ends_with("\"Monday Night Football.\"")));
        let split = split(rows.clone());
        assert_eq!((split.dev.len(), split.train.len()), (250, 4750));
        // The README's dev.csv.gz is exactly the dev part.
        let dev_file = read(&root.join("ag_news/dev.csv.gz")).unwrap();
        assert_eq!(split.dev, dev_file);
        let count = |label: &str| split.dev.iter().filter(|d| d.label == label).count();
        assert_eq!(LABELS.map(count), [64, 50, 65, 71]);
        assert_eq!(spaced("strong\\dollar"), "strong dollar");
    }
}
