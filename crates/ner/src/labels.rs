//! The BIOES label set used inside the model, and its mapping to IOB2 strings.

use newsflow_model::EntityType;

/// Number of labels: `O` plus B/I/E/S for each of the four types.
pub(crate) const NUM_LABELS: usize = 17;
pub(crate) const OUTSIDE: u8 = 0;

pub(crate) const TYPES: [EntityType; 4] = [
    EntityType::PER,
    EntityType::ORG,
    EntityType::LOC,
    EntityType::MISC,
];

/// Position of a label inside its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Begin = 0,
    Inside = 1,
    End = 2,
    Single = 3,
}

pub(crate) fn type_index(kind: EntityType) -> usize {
    match kind {
        EntityType::PER => 0,
        EntityType::ORG => 1,
        EntityType::LOC => 2,
        EntityType::MISC => 3,
    }
}

pub(crate) fn label(kind: EntityType, part: Part) -> u8 {
    (1 + type_index(kind) * 4 + part as usize) as u8
}

/// `(type, part)` of a label, `None` for `O`.
pub(crate) fn decode(label: u8) -> Option<(EntityType, Part)> {
    if label == OUTSIDE || usize::from(label) >= NUM_LABELS {
        return None;
    }
    let index = usize::from(label - 1);
    let part = match index % 4 {
        0 => Part::Begin,
        1 => Part::Inside,
        2 => Part::End,
        _ => Part::Single,
    };
    Some((TYPES[index / 4], part))
}

/// IOB2 string of a BIOES label.
pub(crate) fn iob2(label: u8) -> &'static str {
    match decode(label) {
        None => "O",
        Some((kind, Part::Begin | Part::Single)) => crate::conll::tag_str(kind, true),
        Some((kind, _)) => crate::conll::tag_str(kind, false),
    }
}

/// BIOES labels for spans over `len` tokens.
pub(crate) fn from_spans(spans: &[crate::conll::Span], len: usize) -> Vec<u8> {
    let mut labels = vec![OUTSIDE; len];
    for span in spans {
        let end = span.end.min(len);
        if span.start >= end {
            continue;
        }
        if end - span.start == 1 {
            labels[span.start] = label(span.kind, Part::Single);
            continue;
        }
        for (index, slot) in labels.iter_mut().enumerate().take(end).skip(span.start) {
            let part = if index == span.start {
                Part::Begin
            } else if index + 1 == end {
                Part::End
            } else {
                Part::Inside
            };
            *slot = label(span.kind, part);
        }
    }
    labels
}

/// Spans of a BIOES label sequence (lenient: a broken sequence still yields spans).
pub(crate) fn to_spans(labels: &[u8]) -> Vec<crate::conll::Span> {
    let tags: Vec<&str> = labels
        .iter()
        .map(|&l| match decode(l) {
            None => "O",
            Some((kind, Part::Begin)) => crate::conll::tag_str(kind, true),
            Some((kind, Part::Inside)) => crate::conll::tag_str(kind, false),
            Some((kind, Part::End)) => match kind {
                EntityType::PER => "E-PER",
                EntityType::ORG => "E-ORG",
                EntityType::LOC => "E-LOC",
                EntityType::MISC => "E-MISC",
            },
            Some((kind, Part::Single)) => match kind {
                EntityType::PER => "S-PER",
                EntityType::ORG => "S-ORG",
                EntityType::LOC => "S-LOC",
                EntityType::MISC => "S-MISC",
            },
        })
        .collect();
    crate::conll::spans(&tags)
}

/// May `next` follow `previous` (`None` = sentence start) in a BIOES sequence?
pub(crate) fn allowed(previous: Option<u8>, next: u8) -> bool {
    let open = |l: u8| matches!(decode(l), Some((_, Part::Begin | Part::Inside)));
    match (previous, decode(next)) {
        (None, None) => true,
        (None, Some((_, part))) => matches!(part, Part::Begin | Part::Single),
        (Some(p), None) => !open(p),
        (Some(p), Some((kind, part))) => match part {
            Part::Begin | Part::Single => !open(p),
            Part::Inside | Part::End => open(p) && decode(p).map(|(k, _)| k) == Some(kind),
        },
    }
}

/// May a sentence end after `label`?
pub(crate) fn allowed_last(label: u8) -> bool {
    !matches!(decode(label), Some((_, Part::Begin | Part::Inside)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conll::Span;

    #[test]
    fn spans_round_trip_through_bioes() {
        let spans = vec![
            Span {
                start: 0,
                end: 1,
                kind: EntityType::ORG,
            },
            Span {
                start: 2,
                end: 5,
                kind: EntityType::PER,
            },
            Span {
                start: 5,
                end: 7,
                kind: EntityType::PER,
            },
        ];
        let labels = from_spans(&spans, 8);
        assert_eq!(to_spans(&labels), spans);
        assert!(labels.windows(2).all(|w| allowed(Some(w[0]), w[1])));
        assert!(allowed_last(labels[7]));
        assert_eq!(iob2(labels[2]), "B-PER");
        assert_eq!(iob2(labels[4]), "I-PER");
        assert_eq!(iob2(labels[5]), "B-PER");
    }
}
