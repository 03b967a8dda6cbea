//! CoNLL token-per-line files: `conll2003/` (English, `token POS chunk NER`, IOB1,
//! `-DOCSTART-` lines between stories) and `ner-multilingual/` (`token NER`, IOB2, no
//! `-DOCSTART-`). A blank line ends a sentence. The files are the split (`train.txt.gz`,
//! `dev.txt.gz`); the last column is the gold tag. Scoring lives with the model
//! (`newsflow_ner::conll`).

use std::path::Path;

use crate::{decode_text, read_maybe_gz, CorpusError};

/// The English training file, relative to the shared data root.
pub const TRAIN: &str = "conll2003/train.txt.gz";
/// The English dev file, relative to the shared data root.
pub const DEV: &str = "conll2003/dev.txt.gz";

/// Languages of the `ner-multilingual/` files.
pub const MULTILINGUAL_LANGUAGES: &[&str] = &["de", "fr", "nl"];

/// A `ner-multilingual/` file (`split` is `train` or `dev`) of a language, relative to the
/// shared data root: `ner-multilingual/train.de.txt.gz`.
pub fn multilingual(split: &str, language: &str) -> String {
    format!("ner-multilingual/{split}.{language}.txt.gz")
}

/// The marker that starts a new document in CoNLL files.
pub const DOCSTART: &str = "-DOCSTART-";

/// One sentence: its raw lines (all columns kept), one line per token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sentence {
    pub lines: Vec<String>,
}

impl Sentence {
    /// A sentence of bare tokens (no other columns).
    pub fn from_tokens<S: AsRef<str>>(tokens: &[S]) -> Sentence {
        Sentence {
            lines: tokens.iter().map(|t| t.as_ref().to_string()).collect(),
        }
    }

    /// The tokens (first column of each line).
    pub fn tokens(&self) -> Vec<&str> {
        self.lines
            .iter()
            .map(|line| line.split_whitespace().next().unwrap_or(""))
            .collect()
    }

    /// The gold tags (last column), when every line has at least two columns.
    pub fn gold_tags(&self) -> Option<Vec<&str>> {
        let mut tags = Vec::with_capacity(self.lines.len());
        for line in &self.lines {
            let mut columns = line.split_whitespace();
            let first = columns.next();
            let last = columns.next_back();
            match (first, last) {
                (Some(_), Some(tag)) => tags.push(tag),
                _ => return None,
            }
        }
        Some(tags)
    }
}

/// One document: the `-DOCSTART-` line that opened it (if any) and its sentences.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub header: Option<String>,
    pub sentences: Vec<Sentence>,
}

impl Document {
    pub fn token_count(&self) -> usize {
        self.sentences.iter().map(|s| s.lines.len()).sum()
    }
}

/// Parse CoNLL text: blank lines end sentences, `-DOCSTART-` lines start documents.
/// Text without any `-DOCSTART-` line is one document.
pub fn parse(text: &str) -> Vec<Document> {
    let mut documents: Vec<Document> = Vec::new();
    let mut current = Document::default();
    let mut sentence = Sentence::default();
    for raw_line in text.lines() {
        let line = raw_line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !sentence.lines.is_empty() {
                current.sentences.push(std::mem::take(&mut sentence));
            }
            continue;
        }
        if line.split_whitespace().next() == Some(DOCSTART) {
            if !sentence.lines.is_empty() {
                current.sentences.push(std::mem::take(&mut sentence));
            }
            if current.header.is_some() || !current.sentences.is_empty() {
                documents.push(std::mem::take(&mut current));
            }
            current.header = Some(line.to_string());
            continue;
        }
        sentence.lines.push(line.to_string());
    }
    if !sentence.lines.is_empty() {
        current.sentences.push(sentence);
    }
    if current.header.is_some() || !current.sentences.is_empty() {
        documents.push(current);
    }
    documents
}

/// Write documents back with one predicted tag appended to every line (space-separated).
/// `-DOCSTART-` lines get an `O` appended too, so every non-blank line has the same number of
/// columns (what `conlleval` expects). `predictions[d][s][t]` is the tag of token `t` of
/// sentence `s` of document `d`; a missing prediction is written as `O`.
pub fn write(documents: &[Document], predictions: &[Vec<Vec<&str>>]) -> String {
    let mut out = String::new();
    for (doc_index, document) in documents.iter().enumerate() {
        if let Some(header) = &document.header {
            out.push_str(header);
            out.push_str(" O\n\n");
        }
        for (sentence_index, sentence) in document.sentences.iter().enumerate() {
            for (token_index, line) in sentence.lines.iter().enumerate() {
                let tag = predictions
                    .get(doc_index)
                    .and_then(|doc| doc.get(sentence_index))
                    .and_then(|sent| sent.get(token_index))
                    .copied()
                    .unwrap_or("O");
                out.push_str(line);
                out.push(' ');
                out.push_str(tag);
                out.push('\n');
            }
            out.push('\n');
        }
    }
    out
}

/// Documents without a `-DOCSTART-` header (a whole `ner-multilingual/` file is one) cut into
/// consecutive pseudo-documents of at most `sentences` sentences, so that document-level
/// features see article-sized windows; documents with a header are kept whole. Writing the
/// result back gives the same lines in the same order.
pub fn pseudo_documents(documents: Vec<Document>, sentences: usize) -> Vec<Document> {
    let size = sentences.max(1);
    let mut out = Vec::with_capacity(documents.len());
    for document in documents {
        if document.header.is_some() || document.sentences.len() <= size {
            out.push(document);
            continue;
        }
        let mut rest = document.sentences.into_iter().peekable();
        while rest.peek().is_some() {
            out.push(Document {
                header: None,
                sentences: rest.by_ref().take(size).collect(),
            });
        }
    }
    out
}

/// The documents of a CoNLL file (gzipped or not).
pub fn read(path: &Path) -> Result<Vec<Document>, CorpusError> {
    Ok(parse(&decode_text(&read_maybe_gz(path)?)))
}

impl Document {
    /// The document as plain text: tokens joined by spaces, one sentence a line.
    pub fn text(&self) -> String {
        self.sentences
            .iter()
            .map(|sentence| sentence.tokens().join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_write_round_trip() {
        let text = "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\nHi UH O O\n";
        let docs = parse(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0].tokens(), vec!["EU", "rejects"]);
        assert_eq!(
            docs[0].sentences[0].gold_tags().unwrap(),
            vec!["I-ORG", "O"]
        );
        let predictions = vec![vec![vec!["B-ORG", "O"], vec!["B-PER"]], vec![vec!["O"]]];
        let written = write(&docs, &predictions);
        assert!(written.starts_with("-DOCSTART- -X- O O O\n\nEU NNP I-NP I-ORG B-ORG\n"));
        assert_eq!(parse(&written).len(), 2);
    }

    #[test]
    fn pseudo_documents_cut_headerless_documents_only() {
        let text = "a O\n\nb O\n\nc O\n\nd O\n\ne O\n";
        let documents = pseudo_documents(parse(text), 2);
        let sizes: Vec<usize> = documents.iter().map(|d| d.sentences.len()).collect();
        assert_eq!(sizes, [2, 2, 1]);
        let written = write(&documents, &[]);
        assert_eq!(written, "a O O\n\nb O O\n\nc O O\n\nd O O\n\ne O O\n\n");
        let with_header = parse("-DOCSTART- O\n\na O\n\nb O\n\nc O\n");
        assert_eq!(pseudo_documents(with_header.clone(), 1), with_header);
    }

    #[test]
    fn reads_the_shared_files() {
        let root = crate::root_from_manifest(env!("CARGO_MANIFEST_DIR"));
        let train = read(&root.join(TRAIN)).unwrap();
        assert_eq!(train.len(), 946);
        let sentences: usize = train.iter().map(|d| d.sentences.len()).sum();
        let tokens: usize = train.iter().map(Document::token_count).sum();
        assert_eq!((sentences, tokens), (14_041, 203_621));
        assert_eq!(
            train[0].sentences[0].tokens(),
            ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."]
        );
        assert_eq!(train[0].sentences[0].gold_tags().unwrap()[0], "I-ORG");
        let dev = read(&root.join(DEV)).unwrap();
        let tokens: usize = dev.iter().map(Document::token_count).sum();
        assert_eq!(tokens, 51_362);
        let german = read(&root.join(multilingual("dev", "de"))).unwrap();
        assert_eq!(german.len(), 1);
        assert_eq!(german[0].sentences.len(), 499);
        assert!(german[0].header.is_none());
        assert_eq!(
            german[0].sentences[0].gold_tags().unwrap().len(),
            german[0].sentences[0].lines.len()
        );
        for language in MULTILINGUAL_LANGUAGES {
            let train = read(&root.join(multilingual("train", language))).unwrap();
            let sentences: usize = train.iter().map(|d| d.sentences.len()).sum();
            let expected = match *language {
                "de" => 4_541,
                "fr" => 6_726,
                _ => 5_524,
            };
            assert_eq!(sentences, expected, "{language}");
        }
    }
}
