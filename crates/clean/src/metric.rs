//! The article-extraction benchmark metric (Zyte `article-extraction-benchmark`), exactly as
//! `data/extraction/README.md` defines it: 4-token shingles of `\w+` tokens, per-page
//! tp / fp / fn normalised by their sum, precision and recall averaged over pages, F1 the
//! harmonic mean of the two means.

use std::collections::HashMap;

/// Tokens: maximal runs of Unicode word characters (`\w`: alphanumeric, marks, connector
/// punctuation such as `_`).
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (index, ch) in text.char_indices() {
        if is_word_char(ch) {
            if start.is_none() {
                start = Some(index);
            }
        } else if let Some(begin) = start.take() {
            out.push(&text[begin..index]);
        }
    }
    if let Some(begin) = start {
        out.push(&text[begin..]);
    }
    out
}

/// How many tokens [`tokens`] finds in `text`, without collecting them.
pub fn token_count(text: &str) -> usize {
    let mut count = 0;
    let mut inside = false;
    for ch in text.chars() {
        let word = is_word_char(ch);
        count += usize::from(word && !inside);
        inside = word;
    }
    count
}

/// Python's `\w` for str patterns: alphanumerics (letters, digits of any script), the
/// underscore, and combining marks.
pub fn is_word_char(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphanumeric() || ch == '_';
    }
    ch.is_alphanumeric() || is_combining_mark(ch)
}

fn is_combining_mark(ch: char) -> bool {
    matches!(ch as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0900..=0x0903 | 0x093A..=0x094F | 0x3099..=0x309A | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// The multiset of 4-token shingles of a text.
pub fn shingles(text: &str) -> HashMap<Vec<&str>, u32> {
    let toks = tokens(text);
    let mut counts = HashMap::new();
    if toks.is_empty() {
        return counts;
    }
    if toks.len() < 4 {
        counts.insert(toks, 1);
        return counts;
    }
    for window in toks.windows(4) {
        *counts.entry(window.to_vec()).or_insert(0) += 1;
    }
    counts
}

/// Normalised counts of one page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageScore {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

impl PageScore {
    /// Page precision, `None` when nothing was predicted (left out of the mean).
    pub fn precision(&self) -> Option<f64> {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            return Some(1.0);
        }
        if self.tp + self.fp == 0.0 {
            return None;
        }
        Some(self.tp / (self.tp + self.fp))
    }

    /// Page recall, `None` when the truth is empty (left out of the mean).
    pub fn recall(&self) -> Option<f64> {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            return Some(1.0);
        }
        if self.tp + self.fn_ == 0.0 {
            return None;
        }
        Some(self.tp / (self.tp + self.fn_))
    }

    /// Per-page F1 (for ranking the worst pages; the benchmark F1 is [`Summary::f1`]).
    pub fn f1(&self) -> f64 {
        let precision = self.precision().unwrap_or(0.0);
        let recall = self.recall().unwrap_or(0.0);
        if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        }
    }
}

/// Scores one page: prediction against truth.
pub fn score_page(truth: &str, prediction: &str) -> PageScore {
    let truth_shingles = shingles(truth);
    let predicted_shingles = shingles(prediction);
    let mut tp = 0u64;
    let mut fp = 0u64;
    let mut fn_ = 0u64;
    for (shingle, &count) in &predicted_shingles {
        let in_truth = truth_shingles.get(shingle).copied().unwrap_or(0);
        tp += u64::from(count.min(in_truth));
        fp += u64::from(count.saturating_sub(in_truth));
    }
    for (shingle, &count) in &truth_shingles {
        let predicted = predicted_shingles.get(shingle).copied().unwrap_or(0);
        fn_ += u64::from(count.saturating_sub(predicted));
    }
    let total = (tp + fp + fn_) as f64;
    if total == 0.0 {
        return PageScore {
            tp: 0.0,
            fp: 0.0,
            fn_: 0.0,
        };
    }
    PageScore {
        tp: tp as f64 / total,
        fp: fp as f64 / total,
        fn_: fn_ as f64 / total,
    }
}

/// Benchmark summary over pages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub pages: usize,
}

/// Averages page precision and recall (pages without a value are left out) and takes the
/// harmonic mean of the two means.
pub fn summarize(pages: &[PageScore]) -> Summary {
    let precisions: Vec<f64> = pages.iter().filter_map(PageScore::precision).collect();
    let recalls: Vec<f64> = pages.iter().filter_map(PageScore::recall).collect();
    let mean = |values: &[f64]| {
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let precision = mean(&precisions);
    let recall = mean(&recalls);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Summary {
        precision,
        recall,
        f1,
        pages: pages.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_drop_punctuation_and_keep_case() {
        assert_eq!(
            tokens("Hello, World! it's 2024_x"),
            vec!["Hello", "World", "it", "s", "2024_x"]
        );
        assert_eq!(tokens("café naïve"), vec!["café", "naïve"]);
        assert!(tokens(" ,. ").is_empty());
    }

    #[test]
    fn token_count_is_the_number_of_tokens() {
        for text in [
            "",
            " ,. ",
            "Hello, World! it's 2024_x",
            "café naïve",
            "a",
            "a b",
            ",a,,b,",
            "e\u{301}te\u{301} x",
            "東京 都 ＡＢ",
            "  trailing word",
            "word at end",
        ] {
            assert_eq!(token_count(text), tokens(text).len(), "{text:?}");
        }
    }

    #[test]
    fn identical_texts_score_one() {
        let page = score_page("a b c d e f", "a b c d e f");
        assert_eq!(page.precision(), Some(1.0));
        assert_eq!(page.recall(), Some(1.0));
    }

    #[test]
    fn hand_computed_partial_overlap() {
        // truth shingles: abcd bcde cdef (3); prediction: abcd bcde cdex (3)
        // tp = 2, fp = 1, fn = 1 -> divided by 4: tp .5 fp .25 fn .25
        let page = score_page("a b c d e f", "a b c d e x");
        assert!((page.tp - 0.5).abs() < 1e-12);
        assert!((page.fp - 0.25).abs() < 1e-12);
        assert!((page.fn_ - 0.25).abs() < 1e-12);
        assert!((page.precision().unwrap_or(0.0) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn short_text_is_one_shingle_and_empty_prediction_is_left_out_of_precision() {
        assert_eq!(shingles("a b").len(), 1);
        let empty = score_page("a b c d e", "");
        assert_eq!(empty.precision(), None);
        assert_eq!(empty.recall(), Some(0.0));
        let full = score_page("a b c d e", "a b c d e");
        let summary = summarize(&[empty, full]);
        // precision mean over the one page that predicted = 1; recall mean = 0.5
        assert!((summary.precision - 1.0).abs() < 1e-12);
        assert!((summary.recall - 0.5).abs() < 1e-12);
        assert!((summary.f1 - 2.0 * 0.5 / 1.5).abs() < 1e-12);
    }

    #[test]
    fn repeated_shingles_count_as_multiset() {
        // truth: "a b c d" twice as separate texts joined -> shingles abcd, bcda, cdab, dabc, abcd
        let page = score_page("a b c d a b c d", "a b c d");
        // prediction abcd (1): tp 1, fp 0, fn 4 -> tp .2
        assert!((page.tp - 0.2).abs() < 1e-12);
        assert!((page.fn_ - 0.8).abs() < 1e-12);
    }
}
