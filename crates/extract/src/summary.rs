//! Extractive summary: at most three sentences, lead-biased.
//!
//! The first well-formed sentence of the article is always taken (the news lead); the others
//! are the best by a mix of position (earlier is better) and keyphrase coverage, skipping
//! sentences that repeat an already chosen one. Sentences come out in article order.
//!
//! Sentences are cut with the rules of the article's language ([`crate::lang`]: "z. B.",
//! "Dr.", "M.", "Sr.", "ca.", German ordinals), so a summary never ends inside a sentence at an
//! abbreviation; the summary is the article's own sentences, so it is in the article's language.

use crate::keywords::{for_each_candidate_in, Keyphrase};
use crate::lang::{self, Language};
use crate::text;
use crate::text::FastState;
use std::collections::HashMap;

pub const MAX_SENTENCES: usize = 3;

struct Sentence<'a> {
    text: &'a str,
    rank: usize,
    /// Distinct candidate terms of the sentence, as ids into the article's terms, ascending.
    terms: Vec<u32>,
}

/// Values common to two ascending lists without repeats.
fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        both += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    both
}

/// A well-formed sentence of `count` words: 6..=80 words, ends like a sentence, not page
/// furniture. Quotation marks are those of `language` (German „…“ and »…«, guillemets).
fn well_formed(sentence: &str, count: usize, language: &Language) -> bool {
    let english = language.code == "en";
    let ends = sentence.trim_end().chars().last().is_some_and(|c| {
        matches!(c, '.' | '!' | '?' | '"' | '”' | ')') || (!english && matches!(c, '“' | '»' | '«'))
    });
    // A sentence cut inside a quotation is not a sentence of the article's voice.
    let count_of = |mark: char| sentence.matches(mark).count();
    let straight_balanced = count_of('"').is_multiple_of(2);
    let balanced = if english {
        count_of('“') == count_of('”') && straight_balanced
    } else {
        // „ closes with “ (or ”); else “ with ”; guillemets pair either way round.
        let low = count_of('„');
        let curly = if low > 0 {
            low == count_of('“') + count_of('”')
        } else {
            count_of('“') == count_of('”')
        };
        curly && count_of('«') == count_of('»') && straight_balanced
    };
    (6..=80).contains(&count)
        && ends
        && balanced
        && sentence.chars().next().is_some_and(|c| !c.is_lowercase())
}

/// The sentences (byte ranges) of a paragraph in `language`, as the summary cuts them.
pub fn sentences(paragraph: &str, language: &Language) -> Vec<(usize, usize)> {
    text::sentences_in(paragraph, language)
}

/// The summary of an English article.
pub fn summarize(paragraphs: &[&str], keyphrases: &[Keyphrase]) -> Option<String> {
    summarize_in(paragraphs, keyphrases, &lang::ENGLISH)
}

/// The summary of an article in `language`.
pub fn summarize_in(
    paragraphs: &[&str],
    keyphrases: &[Keyphrase],
    language: &Language,
) -> Option<String> {
    let weights: HashMap<String, f32, FastState> = keyphrases
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                k.text.to_lowercase().replace('’', "'"),
                1.0 / (1.0 + i as f32).sqrt(),
            )
        })
        .collect();
    let mut sentences: Vec<Sentence<'_>> = Vec::new();
    // Every distinct term of the article gets an id, and its keyphrase weight if it has one.
    let mut term_ids: HashMap<String, u32, FastState> = HashMap::default();
    let mut term_weights: Vec<Option<f32>> = Vec::new();
    for paragraph in paragraphs {
        for (start, end) in text::sentences_in(paragraph, language) {
            let sentence = &paragraph[start..end];
            let words = text::words(sentence);
            if !well_formed(sentence, words.len(), language) {
                continue;
            }
            let mut terms: Vec<u32> = Vec::new();
            for_each_candidate_in(sentence, &words, language, |c| {
                let id = match term_ids.get(c.term) {
                    Some(&id) => id,
                    None => {
                        let id = term_weights.len() as u32;
                        term_weights.push(weights.get(c.term).copied());
                        term_ids.insert(c.term.to_string(), id);
                        id
                    }
                };
                terms.push(id);
            });
            terms.sort_unstable();
            terms.dedup();
            sentences.push(Sentence {
                text: sentence,
                rank: sentences.len(),
                terms,
            });
        }
    }
    if sentences.is_empty() {
        return None;
    }
    let coverage = |sentence: &Sentence<'_>| -> f32 {
        sentence
            .terms
            .iter()
            .filter_map(|&t| term_weights.get(t as usize).copied().flatten())
            .sum::<f32>()
    };
    let max_coverage = sentences
        .iter()
        .map(coverage)
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let mut chosen: Vec<usize> = vec![0];
    let mut ranked: Vec<(usize, f32)> = sentences
        .iter()
        .enumerate()
        .skip(1)
        .map(|(index, sentence)| {
            let position = 1.0 / (1.0 + sentence.rank as f32 * 0.35);
            // A sentence opening with a pronoun leans on the one before it.
            let first_word = sentence
                .text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_lowercase();
            let dangling = language.dangling.contains(&first_word.as_str());
            let penalty = if dangling { 0.6 } else { 1.0 };
            (
                index,
                penalty * (0.55 * position + 0.45 * coverage(sentence) / max_coverage),
            )
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for (index, _) in ranked {
        if chosen.len() >= MAX_SENTENCES {
            break;
        }
        let candidate = &sentences[index];
        let redundant = chosen.iter().any(|kept| {
            let other = &sentences[*kept];
            let both = shared(&candidate.terms, &other.terms);
            let union = (candidate.terms.len() + other.terms.len() - both).max(1) as f32;
            both as f32 / union > 0.5
        });
        if !redundant {
            chosen.push(index);
        }
    }
    chosen.sort_unstable();
    Some(
        chosen
            .iter()
            .map(|i| sentences[*i].text)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_first_and_at_most_three() {
        let paragraphs = [
            "Play video",
            "North Korean leader Kim Jong Il has toured Russia's space science facilities today.",
            "Kim visited the space centre outside Moscow on Sunday with his hosts.",
            "The visit is Kim's first to Russia and his third trip abroad since 1994.",
            "Kim confirmed on Saturday his country intends to observe the missile moratorium.",
        ];
        let summary = summarize(&paragraphs, &[]).expect("summary");
        assert!(summary.starts_with("North Korean leader Kim Jong Il"));
        assert_eq!(text::sentences(&summary).len(), 3);
        assert_eq!(summarize(&["Play video"], &[]), None);
    }
}
