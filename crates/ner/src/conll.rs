//! CoNLL-2003 files: the documents and sentences (read and written by `newsflow_corpus::conll`,
//! re-exported here), tag-scheme conversion (IOB1 / IOB2 / BIOES) and conlleval-style entity
//! scoring.

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use newsflow_corpus::conll::{parse, write, Document, Sentence, DOCSTART};
use newsflow_model::EntityType;

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

/// What went wrong with the entities that were not found exactly. Every wrong predicted span
/// is classed by the gold spans it overlaps: the same boundaries with another type
/// (`type_only`), an overlapping gold span of its type (`boundary_only`), only gold spans of
/// other types (`both`), or none (`spurious`); a gold span no prediction overlaps is `missed`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Errors {
    pub boundary_only: usize,
    pub type_only: usize,
    pub both: usize,
    pub missed: usize,
    pub spurious: usize,
    /// Type errors (`type_only` and `both`) by (gold type, predicted type).
    pub confusions: BTreeMap<(&'static str, &'static str), usize>,
}

impl Errors {
    fn add(&mut self, gold: &[Span], predicted: &[Span]) {
        let overlaps = |a: &Span, b: &Span| a.start < b.end && b.start < a.end;
        for span in predicted {
            if gold.contains(span) {
                continue;
            }
            let same_bounds = gold
                .iter()
                .find(|g| g.start == span.start && g.end == span.end);
            if let Some(g) = same_bounds {
                self.type_only += 1;
                *self
                    .confusions
                    .entry((g.kind.as_str(), span.kind.as_str()))
                    .or_default() += 1;
                continue;
            }
            let overlapping: Vec<&Span> = gold.iter().filter(|g| overlaps(g, span)).collect();
            if overlapping.is_empty() {
                self.spurious += 1;
            } else if overlapping.iter().any(|g| g.kind == span.kind) {
                self.boundary_only += 1;
            } else {
                self.both += 1;
                *self
                    .confusions
                    .entry((overlapping[0].kind.as_str(), span.kind.as_str()))
                    .or_default() += 1;
            }
        }
        for span in gold {
            if !predicted.iter().any(|p| overlaps(p, span)) {
                self.missed += 1;
            }
        }
    }
}

/// conlleval-style evaluation: exact type and both boundaries.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub per_type: BTreeMap<&'static str, Counts>,
    pub tokens: usize,
    pub tokens_correct: usize,
    /// Classes of the errors (see [`Errors`]).
    pub errors: Errors,
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
        self.errors.add(&gold_spans, &predicted_spans);
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
        let errors = &self.errors;
        let _ = writeln!(
            out,
            "errors: boundary-only {} (type right, span wrong); type-only {}; both {}; missed {}; spurious {}",
            errors.boundary_only, errors.type_only, errors.both, errors.missed, errors.spurious
        );
        let mut confusions: Vec<(&(&str, &str), &usize)> = errors.confusions.iter().collect();
        confusions.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let listed: Vec<String> = confusions
            .iter()
            .map(|((gold, predicted), count)| format!("{gold}->{predicted} {count}"))
            .collect();
        let _ = writeln!(out, "type errors (gold->predicted): {}", listed.join(", "));
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
        assert_eq!(eval.errors.boundary_only, 1);
    }

    #[test]
    fn errors_are_classed() {
        let mut eval = Evaluation::default();
        // gold: ORG [0,2), LOC [3,4), PER [5,6), MISC [7,8)
        let gold = [
            "B-ORG", "I-ORG", "O", "B-LOC", "O", "B-PER", "O", "B-MISC", "O",
        ];
        // predicted: ORG [0,4) boundary-only, PER [5,6) exact, LOC [7,8) type-only,
        // ORG [8,9) spurious; LOC [3,4) is overlapped by the long ORG (not missed).
        let predicted = [
            "B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-PER", "O", "B-LOC", "B-ORG",
        ];
        eval.add(&gold, &predicted);
        let errors = &eval.errors;
        assert_eq!(
            (
                errors.boundary_only,
                errors.type_only,
                errors.both,
                errors.missed,
                errors.spurious
            ),
            (1, 1, 0, 0, 1)
        );
        assert_eq!(errors.confusions.get(&("MISC", "LOC")), Some(&1));
        let mut eval = Evaluation::default();
        eval.add(&["B-LOC", "I-LOC", "O"], &["B-PER", "O", "O"]);
        assert_eq!((eval.errors.both, eval.errors.missed), (1, 0));
        let mut eval = Evaluation::default();
        eval.add(&["B-LOC", "O"], &["O", "O"]);
        assert_eq!(eval.errors.missed, 1);
    }
}
