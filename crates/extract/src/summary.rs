//! Extractive summary: at most three sentences, lead-biased.
//!
//! The first well-formed sentence of the article is always taken (the news lead); the others
//! are the best by a mix of position (earlier is better) and keyphrase coverage, skipping
//! sentences that repeat an already chosen one. Sentences come out in article order.
//!
//! Sentences are cut with the rules of the article's language ([`crate::lang`]: "z. B.",
//! "Dr.", "M.", "Sr.", "ca.", German ordinals), so a summary never ends inside a sentence at an
//! abbreviation; the summary is the article's own sentences, so it is in the article's language.

use crate::keywords::{for_each_candidate_in, ArticleCandidates, Keyphrase, ParagraphCandidates};
use crate::lang::{self, Language};
use crate::text;
use crate::text::FastState;
use std::borrow::Cow;
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

/// The summary of an article in `language`, every sentence tokenised and cut into candidates
/// on its own.
pub fn summarize_in(
    paragraphs: &[&str],
    keyphrases: &[Keyphrase],
    language: &Language,
) -> Option<String> {
    summarize_from(paragraphs, None, keyphrases, language)
}

/// [`summarize_in`] with the words and candidates the keyword pass found in the same
/// `paragraphs` ([`crate::keywords::extract_keeping_candidates_in`]): the same summary, byte for
/// byte, without tokenising each sentence and cutting its candidates again.
pub fn summarize_reusing(
    paragraphs: &[&str],
    found: &ArticleCandidates,
    keyphrases: &[Keyphrase],
    language: &Language,
) -> Option<String> {
    debug_assert_eq!(found.paragraphs.len(), paragraphs.len());
    summarize_from(paragraphs, Some(found), keyphrases, language)
}

/// A sentence's share of the keyword pass's work on its paragraph.
#[derive(Debug)]
struct SentenceCandidates<'k> {
    /// Its words (`text::words` of the sentence alone gives as many).
    words: usize,
    /// (byte offset in the paragraph, term id) of its candidates, in emission order.
    candidates: &'k [(usize, u32)],
}

/// The words and candidates of each sentence (`spans`) of `paragraph`, read off the keyword
/// pass's `kept` for the whole paragraph; `None` when they might differ from the sentence's
/// own, so the caller cuts them again.
///
/// Why they are the same: a sentence ends at a space (or the paragraph's end), and a word
/// never holds a space, so the paragraph's words are the sentences' words; the context a
/// candidate reads (`truncated_compound`'s neighbours, `ends_in_name`'s next word) stays
/// inside its run of words, and a run ends where the gap between two words is not only
/// spaces: at the '.', '!' or '?' that ends a sentence. Except where that dot belongs to the
/// word before it ("x..U.S. Moscow": a word keeps the dot of initials, and `..U.S` is no
/// abbreviation, so a sentence ends there): then the run may go on across the end, and
/// the paragraph's candidates differ ("u.s. moscow").
fn sentence_candidates<'k>(
    paragraph: &str,
    spans: &[(usize, usize)],
    kept: &'k ParagraphCandidates,
) -> Option<Vec<SentenceCandidates<'k>>> {
    let words = &kept.words;
    let candidates = &kept.candidates;
    let mut out = Vec::with_capacity(spans.len());
    let (mut word, mut candidate) = (0, 0);
    for &(start, end) in spans {
        let first_word = word;
        while word < words.len() && words[word].start < end {
            word += 1;
        }
        if first_word < word {
            let inside = words[first_word].start >= start && words[word - 1].end <= end;
            let run_goes_on = first_word > 0 && {
                let gap = &paragraph[words[first_word - 1].end..words[first_word].start];
                !gap.is_empty() && gap.bytes().all(|b| b == b' ')
            };
            if !inside || run_goes_on {
                return None;
            }
        }
        let first_candidate = candidate;
        while candidate < candidates.len() && candidates[candidate].0 < end {
            candidate += 1;
        }
        if candidates[first_candidate..candidate]
            .first()
            .is_some_and(|&(offset, _)| offset < start)
        {
            return None;
        }
        out.push(SentenceCandidates {
            words: word - first_word,
            candidates: &candidates[first_candidate..candidate],
        });
    }
    (word == words.len() && candidate == candidates.len()).then_some(out)
}

/// The summary's ids of the article's terms: in order of first use in a well-formed sentence
/// (the order the coverage sums add weights in), each with its keyphrase weight.
struct TermIds<'t> {
    ids: HashMap<Cow<'t, str>, u32, FastState>,
    weights: Vec<Option<f32>>,
    /// The summary's id of each of the keyword pass's term ids, `u32::MAX` until used.
    of_pass: Vec<u32>,
}

impl<'t> TermIds<'t> {
    /// The id of a term the summary cut itself.
    fn id(&mut self, term: &str, weights: &HashMap<String, f32, FastState>) -> u32 {
        match self.ids.get(term) {
            Some(&id) => id,
            None => self.insert(Cow::Owned(term.to_string()), weights),
        }
    }

    /// The id of the keyword pass's term `pass_id`.
    fn id_of_pass(
        &mut self,
        pass_id: u32,
        terms: &'t [String],
        weights: &HashMap<String, f32, FastState>,
    ) -> u32 {
        let cached = self.of_pass[pass_id as usize];
        if cached != u32::MAX {
            return cached;
        }
        let term = terms[pass_id as usize].as_str();
        let id = match self.ids.get(term) {
            Some(&id) => id,
            None => self.insert(Cow::Borrowed(term), weights),
        };
        self.of_pass[pass_id as usize] = id;
        id
    }

    fn insert(&mut self, term: Cow<'t, str>, weights: &HashMap<String, f32, FastState>) -> u32 {
        let id = self.weights.len() as u32;
        self.weights.push(weights.get(term.as_ref()).copied());
        self.ids.insert(term, id);
        id
    }
}

/// A well-formed sentence of the article, ranked by position, with its distinct term ids.
fn push_sentence<'s>(sentences: &mut Vec<Sentence<'s>>, text: &'s str, mut terms: Vec<u32>) {
    terms.sort_unstable();
    terms.dedup();
    let rank = sentences.len();
    sentences.push(Sentence { text, rank, terms });
}

fn summarize_from(
    paragraphs: &[&str],
    found: Option<&ArticleCandidates>,
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
    let pass_terms: &[String] = found.map_or(&[], |f| f.terms.as_slice());
    let mut term_ids = TermIds {
        ids: HashMap::default(),
        weights: Vec::new(),
        of_pass: vec![u32::MAX; pass_terms.len()],
    };
    for (index, paragraph) in paragraphs.iter().enumerate() {
        let spans = text::sentences_in(paragraph, language);
        let reused = found
            .and_then(|f| f.paragraphs.get(index))
            .and_then(|kept| sentence_candidates(paragraph, &spans, kept));
        if let Some(reused) = reused {
            for (&(start, end), own) in spans.iter().zip(reused) {
                let sentence = &paragraph[start..end];
                if !well_formed(sentence, own.words, language) {
                    continue;
                }
                let terms: Vec<u32> = own
                    .candidates
                    .iter()
                    .map(|&(_, pass_id)| term_ids.id_of_pass(pass_id, pass_terms, &weights))
                    .collect();
                push_sentence(&mut sentences, sentence, terms);
            }
            continue;
        }
        for (start, end) in spans {
            let sentence = &paragraph[start..end];
            let words = text::words(sentence);
            if !well_formed(sentence, words.len(), language) {
                continue;
            }
            let mut terms: Vec<u32> = Vec::new();
            for_each_candidate_in(sentence, &words, language, |c| {
                terms.push(term_ids.id(c.term, &weights));
            });
            push_sentence(&mut sentences, sentence, terms);
        }
    }
    if sentences.is_empty() {
        return None;
    }
    let coverage = |sentence: &Sentence<'_>| -> f32 {
        sentence
            .terms
            .iter()
            .filter_map(|&t| term_ids.weights.get(t as usize).copied().flatten())
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
    use crate::keywords;

    /// A sentence's word count and candidates (paragraph offset, term) as the summary cut
    /// them before it reused the keyword pass: from the sentence alone.
    fn recomputed(
        paragraph: &str,
        (start, end): (usize, usize),
        language: &Language,
    ) -> (usize, Vec<(usize, String)>) {
        let sentence = &paragraph[start..end];
        let words = text::words(sentence);
        let mut candidates = Vec::new();
        for_each_candidate_in(sentence, &words, language, |c| {
            candidates.push((start + c.start, c.term.to_string()))
        });
        (words.len(), candidates)
    }

    /// Checks every sentence whose candidates the summary reuses against [`recomputed`], and
    /// the whole summary against [`summarize_in`]; returns how many paragraphs were reused.
    fn check_reuse(title: Option<&str>, paragraphs: &[&str], language: &Language) -> usize {
        let (keyphrases, found) =
            keywords::extract_keeping_candidates_in(title, paragraphs, None, 15, language);
        assert_eq!(found.paragraphs.len(), paragraphs.len());
        let mut reused_paragraphs = 0;
        for (paragraph, kept) in paragraphs.iter().zip(&found.paragraphs) {
            assert_eq!(kept.words, text::words(paragraph), "{paragraph:?}");
            let spans = text::sentences_in(paragraph, language);
            let Some(reused) = sentence_candidates(paragraph, &spans, kept) else {
                continue;
            };
            reused_paragraphs += 1;
            assert_eq!(reused.len(), spans.len());
            for (&span, own) in spans.iter().zip(&reused) {
                let candidates: Vec<(usize, String)> = own
                    .candidates
                    .iter()
                    .map(|&(offset, id)| (offset, found.terms[id as usize].clone()))
                    .collect();
                assert_eq!(
                    (own.words, candidates),
                    recomputed(paragraph, span, language),
                    "{} in {paragraph:?}",
                    language.code
                );
            }
        }
        assert_eq!(
            summarize_reusing(paragraphs, &found, &keyphrases, language),
            summarize_in(paragraphs, &keyphrases, language),
            "{} in {paragraphs:?}",
            language.code
        );
        reused_paragraphs
    }

    const TOKENS: &[&str] = &[
        "Kim",
        "Jong",
        "Il",
        "North",
        "Korea",
        "missile",
        "defence",
        "talks",
        "officials",
        "the",
        "and",
        "of",
        "der",
        "und",
        "la",
        "U.S.",
        "..U.S.",
        "x..A.",
        "A.B",
        "Mr.",
        "Dr.",
        "z.",
        "B.",
        "3.",
        "19.",
        "Oktober",
        "Mio.",
        "Bundes-",
        "-förderung",
        "Landesregierung",
        "l’Italie",
        "d'Europe",
        "L’État",
        "Kim's",
        "Putin’s",
        "KIM’S",
        "a-t-il",
        "12.5",
        "N.",
        "São",
        "Paulo",
        "ÉTÉ",
        "ΟΔΟΣ",
        "said",
        "Sr.",
        "ca.",
        "etc.",
        ".",
        "..",
        "!",
        "?",
        ",",
        ";",
        "\"",
        "”",
        "“",
        "»",
        "«",
        "„",
        "(",
        ")",
        "—",
        "–",
        "-",
        "’",
        "'",
        "¿",
        "¡",
    ];
    const GAPS: &[&str] = &[" ", " ", " ", "  ", "", "\u{a0}", "\t", " - "];

    fn paragraph_from(parts: &[(&str, &str)]) -> String {
        parts
            .iter()
            .map(|(token, gap)| format!("{token}{gap}"))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn reused_candidates_equal_the_sentences_own(
            first in proptest::collection::vec(
                (proptest::sample::select(TOKENS), proptest::sample::select(GAPS)), 0..60),
            second in proptest::collection::vec(
                (proptest::sample::select(TOKENS), proptest::sample::select(GAPS)), 0..60),
            title in proptest::collection::vec(
                (proptest::sample::select(TOKENS), proptest::sample::select(GAPS)), 0..8),
        ) {
            let (first, second, title) =
                (paragraph_from(&first), paragraph_from(&second), paragraph_from(&title));
            for code in lang::SUPPORTED {
                let language = lang::for_code(Some(code)).expect("supported");
                check_reuse(Some(&title), &[&first, &second], language);
            }
        }
    }

    #[test]
    fn reuse_on_tricky_text() {
        let paragraphs = [
            "North Korean leader Kim Jong Il has toured Russia's space science facilities today.",
            "U.S. President George W. Bush met Mr. Kim in the U.S. capital on Sunday. \"Why?\" \
             he asked the North Korean missile defence officials, who said nothing at all.",
            "Am 3. Oktober trafen sich Bundes- und Landesregierung in Berlin zu langen Gesprächen. \
             Die Kinder- und Jugendarzt-Verbände waren auch dabei, sagte z. B. ein Sprecher.",
            "L’Italie et l'Europe ont-ils parlé de la défense antimissile de la Corée du Nord?",
            "Kim's aides met Putin’s aides and the Russian President Vladimir Putin in Moscow.",
        ];
        for code in lang::SUPPORTED {
            let language = lang::for_code(Some(code)).expect("supported");
            assert_eq!(
                check_reuse(Some("Kim Jong Il in Russia"), &paragraphs, language),
                paragraphs.len()
            );
        }
    }

    #[test]
    fn a_run_across_a_sentence_end_is_cut_again() {
        // A word keeps the dot of initials ("U.S."), but "..U.S" is no abbreviation, so a
        // sentence ends after it while the paragraph's run of words goes on: the paragraph
        // has "u.s. moscow", the first sentence "u.s." (which ends in no name there).
        let crossing = "The missile deal was signed by the ..U.S. Moscow talks then resumed at \
                        the space centre with missile defence officials.";
        let paragraph_terms: Vec<String> = keywords::candidates(crossing)
            .into_iter()
            .map(|c| c.term)
            .collect();
        assert!(paragraph_terms.contains(&"u.s. moscow".to_string()));
        let spans = text::sentences(crossing);
        assert_eq!(spans.len(), 2);
        assert!(recomputed(crossing, spans[0], &lang::ENGLISH)
            .1
            .iter()
            .any(|(_, term)| term == "u.s."));
        let paragraphs = [
            "North Korean officials and missile defence officials met at the space centre today.",
            crossing,
            "Moscow talks on missile defence resumed with North Korean officials on Sunday.",
        ];
        assert_eq!(check_reuse(None, &paragraphs, &lang::ENGLISH), 2);
    }

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
