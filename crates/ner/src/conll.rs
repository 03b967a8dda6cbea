//! CoNLL-2003 files: parsing into documents and sentences, writing predictions back as an extra
//! column, tag-scheme conversion (IOB1 / IOB2 / BIOES) and conlleval-style entity scoring.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use newsflow_model::EntityType;

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

    /// Gold entity spans (IOB1 and IOB2 both read correctly).
    pub fn gold_spans(&self) -> Vec<Span> {
        self.gold_tags()
            .map(|tags| spans(&tags))
            .unwrap_or_default()
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

/// An entity span over token indices `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: EntityType,
}

fn split_tag(tag: &str) -> (char, Option<EntityType>) {
    if tag == "O" || tag.len() < 3 {
        return ('O', None);
    }
    let (prefix, rest) = tag.split_at(1);
    let kind = rest.strip_prefix('-').and_then(EntityType::parse);
    match (prefix, kind) {
        ("B" | "I" | "E" | "S" | "L" | "U", Some(kind)) => {
            let p = match prefix {
                "L" => 'E',
                "U" => 'S',
                other => other.chars().next().unwrap_or('O'),
            };
            (p, Some(kind))
        }
        _ => ('O', None),
    }
}

/// Entity spans of a tag sequence, with conlleval's chunk rules (so IOB1, IOB2 and BIOES all
/// read correctly; an `I-X` after `O` or another type starts a new entity).
pub fn spans<S: AsRef<str>>(tags: &[S]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(usize, EntityType)> = None;
    let mut previous: (char, Option<EntityType>) = ('O', None);
    for (index, tag) in tags.iter().enumerate() {
        let (prefix, kind) = split_tag(tag.as_ref());
        let (prev_prefix, prev_kind) = previous;
        // End of the open chunk before this token?
        let ends = match open {
            None => false,
            Some(_) => {
                prev_prefix == 'E'
                    || prev_prefix == 'S'
                    || prefix == 'O'
                    || prefix == 'B'
                    || prefix == 'S'
                    || kind != prev_kind
            }
        };
        if ends {
            if let Some((start, open_kind)) = open.take() {
                out.push(Span {
                    start,
                    end: index,
                    kind: open_kind,
                });
            }
        }
        if let Some(kind) = kind {
            let starts = open.is_none();
            if starts {
                open = Some((index, kind));
            }
        }
        previous = (prefix, kind);
    }
    if let Some((start, kind)) = open {
        out.push(Span {
            start,
            end: tags.len(),
            kind,
        });
    }
    out
}

/// IOB2 tags (`B-X` first token, `I-X` the rest) for spans over `len` tokens.
pub fn iob2_tags(spans: &[Span], len: usize) -> Vec<&'static str> {
    let mut tags = vec!["O"; len];
    for span in spans {
        let end = span.end.min(len);
        for (index, slot) in tags.iter_mut().enumerate().take(end).skip(span.start) {
            *slot = tag_str(span.kind, index == span.start);
        }
    }
    tags
}

/// The static IOB2 tag string for a type.
pub fn tag_str(kind: EntityType, begin: bool) -> &'static str {
    match (kind, begin) {
        (EntityType::PER, true) => "B-PER",
        (EntityType::PER, false) => "I-PER",
        (EntityType::ORG, true) => "B-ORG",
        (EntityType::ORG, false) => "I-ORG",
        (EntityType::LOC, true) => "B-LOC",
        (EntityType::LOC, false) => "I-LOC",
        (EntityType::MISC, true) => "B-MISC",
        (EntityType::MISC, false) => "I-MISC",
    }
}

/// Per-type counts for entity scoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// conlleval-style evaluation: exact type and both boundaries.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub per_type: BTreeMap<&'static str, Counts>,
    pub tokens: usize,
    pub tokens_correct: usize,
}

impl Evaluation {
    /// Add one sentence: gold tags (any scheme) and predicted tags (any scheme).
    pub fn add<G: AsRef<str>, P: AsRef<str>>(&mut self, gold: &[G], predicted: &[P]) {
        let gold_spans = spans(gold);
        let predicted_spans = spans(predicted);
        for span in &gold_spans {
            self.per_type.entry(span.kind.as_str()).or_default().gold += 1;
        }
        for span in &predicted_spans {
            let counts = self.per_type.entry(span.kind.as_str()).or_default();
            counts.predicted += 1;
            if gold_spans.contains(span) {
                counts.correct += 1;
            }
        }
        // Token accuracy on IOB2-normalised tags.
        let gold_iob2 = iob2_tags(&gold_spans, gold.len());
        let predicted_iob2 = iob2_tags(&predicted_spans, predicted.len());
        self.tokens += gold.len();
        self.tokens_correct += gold_iob2
            .iter()
            .zip(&predicted_iob2)
            .filter(|(a, b)| a == b)
            .count();
    }

    pub fn overall(&self) -> Counts {
        let mut total = Counts::default();
        for counts in self.per_type.values() {
            total.gold += counts.gold;
            total.predicted += counts.predicted;
            total.correct += counts.correct;
        }
        total
    }

    /// A conlleval-like report.
    pub fn report(&self) -> String {
        let overall = self.overall();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "processed {} tokens with {} phrases; found: {} phrases; correct: {}.",
            self.tokens, overall.gold, overall.predicted, overall.correct
        );
        let _ = writeln!(
            out,
            "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
            100.0 * ratio(self.tokens_correct, self.tokens),
            100.0 * overall.precision(),
            100.0 * overall.recall(),
            100.0 * overall.f1()
        );
        for (kind, counts) in &self.per_type {
            let _ = writeln!(
                out,
                "{:>17}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}",
                kind,
                100.0 * counts.precision(),
                100.0 * counts.recall(),
                100.0 * counts.f1(),
                counts.predicted
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iob1_spans_split_on_b_only() {
        let tags = ["I-ORG", "O", "I-PER", "I-PER", "B-PER", "I-LOC", "I-MISC"];
        let got = spans(&tags);
        let kinds: Vec<_> = got.iter().map(|s| (s.start, s.end, s.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (0, 1, EntityType::ORG),
                (2, 4, EntityType::PER),
                (4, 5, EntityType::PER),
                (5, 6, EntityType::LOC),
                (6, 7, EntityType::MISC)
            ]
        );
        assert_eq!(
            iob2_tags(&got, tags.len()),
            vec!["B-ORG", "O", "B-PER", "I-PER", "B-PER", "B-LOC", "B-MISC"]
        );
    }

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
    fn evaluation_counts_exact_matches_only() {
        let mut eval = Evaluation::default();
        eval.add(
            &["I-PER", "I-PER", "O", "I-LOC"],
            &["B-PER", "O", "O", "B-LOC"],
        );
        let overall = eval.overall();
        assert_eq!(
            (overall.gold, overall.predicted, overall.correct),
            (2, 2, 1)
        );
        assert!((overall.f1() - 0.5).abs() < 1e-9);
    }
}
