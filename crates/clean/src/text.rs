//! The scraped-text path: a page flattened to lines. A small learned line model (two stages of
//! gradient-boosted trees over per-line, block, neighbourhood and page features; the second
//! stage also sees the first stage's probabilities around the line) keeps the article lines;
//! general patterns pick the headline, byline, dateline and date lines out as fields.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use crate::decode::normalize_line;
use crate::trees::{Forest, Settings};
use crate::{CleanError, Cleaned};

/// Feature names, in the order of the weights.
pub const FEATURES: [&str; 44] = [
    "bias",
    "log_tokens",
    "long",
    "short",
    "terminal_punct",
    "starts_upper",
    "title_case_share",
    "digit_share",
    "position",
    "position_sq",
    "prev_log_tokens",
    "next_log_tokens",
    "window_long_share",
    "duplicate",
    "boiler_word",
    "separator",
    "starts_lower",
    "mass_before",
    "mass_after",
    "has_quote",
    "commas",
    "bullet",
    "paren_end",
    "parenthetical",
    "log_chars",
    "block_log_lines",
    "block_single",
    "block_long_share",
    "near_terminal_share",
    "near_log_tokens",
    "near_long_share",
    "in_best_run",
    "run_distance",
    "upper_share",
    "url",
    "avg_word_len",
    "prose_run_log",
    "first_in_block",
    "title_overlap",
    "after_title",
    "since_title",
    "reply_like",
    "timestamp_like",
    "replies_before",
];

/// The learned line model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineModel {
    pub version: u32,
    pub features: Vec<String>,
    /// Logistic weights of the first stage, used only when there are no trees (the hand-set
    /// fallback of [`LineModel::default`]).
    pub weights: Vec<f64>,
    /// Second stage: the base features plus the first stage's probabilities of the line and
    /// its neighbours ([`CONTEXT_FEATURES`] more weights).
    #[serde(default)]
    pub context_weights: Option<Vec<f64>>,
    /// Boosted trees of the first stage; when present they replace `weights`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forest: Option<Forest>,
    /// Boosted trees of the second stage; when present they replace `context_weights`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_forest: Option<Forest>,
    pub threshold: f64,
}

/// Extra features of the second stage.
pub const CONTEXT_FEATURES: [&str; 12] = [
    "p_self",
    "p_prev",
    "p_next",
    "p_window",
    "p_window_max",
    "p_prev2",
    "p_next2",
    "p_block",
    "p_wide",
    "p_kept_before",
    "p_kept_after",
    "p_rank",
];

/// The second stage's rows: the base features plus the first stage's probabilities of the
/// line, its non-empty neighbours, its block and the page.
fn context_rows(base: &[Vec<f64>], lines: &[String], probabilities: &[f64]) -> Vec<Vec<f64>> {
    let count = probabilities.len();
    let nonempty: Vec<usize> = (0..count).filter(|&i| !lines[i].is_empty()).collect();
    let mut rank_of = vec![usize::MAX; count];
    for (rank, &index) in nonempty.iter().enumerate() {
        rank_of[index] = rank;
    }
    let p: Vec<f64> = nonempty.iter().map(|&i| probabilities[i]).collect();
    let total = p.len();
    // block means (blocks: runs of non-empty lines)
    let mut block_mean = vec![0.0; count];
    let mut start = 0;
    while start < count {
        if lines[start].is_empty() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < count && !lines[end].is_empty() {
            end += 1;
        }
        let mean = probabilities[start..end].iter().sum::<f64>() / (end - start) as f64;
        block_mean[start..end].iter_mut().for_each(|m| *m = mean);
        start = end;
    }
    let kept_total = p.iter().filter(|&&x| x >= 0.5).count().max(1) as f64;
    let mut kept_prefix = vec![0usize; total + 1];
    for (rank, &x) in p.iter().enumerate() {
        kept_prefix[rank + 1] = kept_prefix[rank] + usize::from(x >= 0.5);
    }
    let mut sorted = p.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    base.iter()
        .enumerate()
        .map(|(index, row)| {
            let mut extended = row.clone();
            let rank = rank_of[index];
            if rank == usize::MAX {
                extended.extend([probabilities[index]].iter().chain([0.0; 11].iter()));
                return extended;
            }
            let at = |offset: isize| -> f64 {
                let position = rank as isize + offset;
                if position >= 0 && (position as usize) < total {
                    p[position as usize]
                } else {
                    0.0
                }
            };
            let window = |radius: usize| -> f64 {
                let from = rank.saturating_sub(radius);
                let to = (rank + radius + 1).min(total);
                p[from..to].iter().sum::<f64>() / (to - from).max(1) as f64
            };
            let max_other = (1..=3).map(|k| at(-k).min(at(k))).fold(0.0, f64::max);
            let kept_before = kept_prefix[rank] as f64 / kept_total;
            let kept_after = (kept_prefix[total] - kept_prefix[rank + 1]) as f64 / kept_total;
            let position = sorted.partition_point(|&x| x > p[rank]) as f64 / total.max(1) as f64;
            extended.extend([
                p[rank],
                at(-1),
                at(1),
                window(3),
                max_other,
                at(-2),
                at(2),
                block_mean[index],
                window(10),
                kept_before,
                kept_after,
                position,
            ]);
            extended
        })
        .collect()
}

fn sigmoid_dot(weights: &[f64], row: &[f64]) -> f64 {
    let z: f64 = weights.iter().zip(row).map(|(w, x)| w * x).sum();
    1.0 / (1.0 + (-z).exp())
}

impl Default for LineModel {
    /// A hand-set fallback: long, sentence-like lines are kept.
    fn default() -> Self {
        let mut weights = vec![0.0; FEATURES.len()];
        weights[0] = -3.0;
        weights[1] = 1.0;
        weights[4] = 1.5;
        weights[14] = -2.0;
        LineModel {
            version: 1,
            features: FEATURES.iter().map(|s| s.to_string()).collect(),
            weights,
            context_weights: None,
            forest: None,
            context_forest: None,
            threshold: 0.5,
        }
    }
}

impl LineModel {
    pub fn from_json(bytes: &[u8]) -> Result<LineModel, CleanError> {
        let model: LineModel = serde_json::from_slice(bytes)
            .map_err(|err| CleanError::InvalidModel(err.to_string()))?;
        if model.weights.len() != FEATURES.len() {
            return Err(CleanError::InvalidModel(format!(
                "expected {} weights, found {}",
                FEATURES.len(),
                model.weights.len()
            )));
        }
        if let Some(context) = &model.context_weights {
            if context.len() != FEATURES.len() + CONTEXT_FEATURES.len() {
                return Err(CleanError::InvalidModel(
                    "wrong number of context weights".to_string(),
                ));
            }
        }
        if let Some(forest) = &model.forest {
            if !forest.is_valid(FEATURES.len()) {
                return Err(CleanError::InvalidModel("malformed trees".to_string()));
            }
        }
        if let Some(forest) = &model.context_forest {
            if !forest.is_valid(FEATURES.len() + CONTEXT_FEATURES.len()) {
                return Err(CleanError::InvalidModel(
                    "malformed context trees".to_string(),
                ));
            }
        }
        Ok(model)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Probability that each line is article text.
    pub fn probabilities(&self, lines: &[String]) -> Vec<f64> {
        let features = line_features(lines);
        let first: Vec<f64> = match &self.forest {
            Some(forest) => features.iter().map(|row| forest.probability(row)).collect(),
            None => features
                .iter()
                .map(|row| sigmoid_dot(&self.weights, row))
                .collect(),
        };
        match (&self.context_forest, &self.context_weights) {
            (Some(forest), _) => context_rows(&features, lines, &first)
                .iter()
                .map(|row| forest.probability(row))
                .collect(),
            (None, Some(context)) => context_rows(&features, lines, &first)
                .iter()
                .map(|row| sigmoid_dot(context, row))
                .collect(),
            (None, None) => first,
        }
    }

    /// Which of the lines are article text.
    pub fn keep(&self, lines: &[String]) -> Vec<bool> {
        let mut keep: Vec<bool> = self
            .probabilities(lines)
            .into_iter()
            .map(|p| p >= self.threshold)
            .collect();
        extend_prose_runs(lines, &mut keep);
        drop_furniture(lines, &mut keep);
        if !keep.iter().any(|&k| k) {
            densest_run_fallback(lines, &mut keep);
        }
        keep
    }
}

/// Furniture the line model keeps inside an article: a short kept line wholly in parentheses
/// ("(QuickTime, Real or Windows Media)", "(Reuters)"), and a run of three or more short
/// fragments (at most eight words, not ending a sentence; blank lines do not break the run)
/// that follows a dropped line: the rest of a video box or link panel whose first lines were
/// recognised. A list inside an article follows a kept line ("The measures include:") and stays.
/// Last, a fragment closing the page after a dropped line (a footer tagline).
fn drop_furniture(lines: &[String], keep: &mut [bool]) {
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if keep[index]
            && trimmed.starts_with('(')
            && trimmed.ends_with(')')
            && word_tokens(trimmed) <= 8
        {
            keep[index] = false;
        }
    }
    let fragment = |line: &str| {
        let words = line.split_whitespace().count();
        words > 0 && words <= 8 && !ends_sentence(line)
    };
    let mut run: Vec<usize> = Vec::new();
    let mut after_dropped = false;
    let mut previous_dropped = false;
    for (index, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if keep[index] && fragment(line) {
            if run.is_empty() {
                after_dropped = previous_dropped;
            }
            run.push(index);
        } else {
            if after_dropped && run.len() >= 3 {
                run.iter().for_each(|&at| keep[at] = false);
            }
            run.clear();
        }
        previous_dropped = !keep[index];
    }
    if after_dropped && run.len() >= 3 {
        run.iter().for_each(|&at| keep[at] = false);
    }
    // A caption above a media box: a kept line that does not end a sentence ("CNN's Jill
    // Dougherty has more on the leader's visit (August 5)", a bare name under a picture)
    // right above a dropped line of the same block or of the box below it ("Play video"); a
    // subheading is followed by its kept paragraph instead. Bottom up, so a picture's name line
    // above a dropped video caption goes too.
    for index in (0..lines.len()).rev() {
        let line = lines[index].trim();
        if !keep[index] || line.is_empty() || ends_sentence(line) || word_tokens(line) > 20 {
            continue;
        }
        let next = (index + 1..lines.len()).find(|&at| !lines[at].trim().is_empty());
        let media_after = next.is_some_and(|at| !keep[at] && media_marker(&lines[at]))
            || next.is_some_and(|at| {
                !keep[at]
                    && (at + 1..lines.len())
                        .find(|&after| !lines[after].trim().is_empty())
                        .is_some_and(|after| !keep[after] && media_marker(&lines[after]))
                    && !lines[index + 1..at].iter().any(|l| l.trim().is_empty())
            });
        if media_after {
            keep[index] = false;
        }
    }
    // The page's tail: a last kept fragment that follows a dropped line is a footer tagline.
    while let Some(last) = (0..lines.len()).rev().find(|&at| keep[at]) {
        let before = (0..last).rev().find(|&at| !lines[at].trim().is_empty());
        if fragment(&lines[last]) && before.is_some_and(|at| !keep[at]) {
            keep[last] = false;
        } else {
            break;
        }
    }
}

/// A media player's control line: "Play video", "Watch video", "Video", "Listen", "Play
/// audio", "(QuickTime, Real or Windows Media)".
fn media_marker(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    let words = lower.split_whitespace().count();
    words <= 6
        && (lower.contains("quicktime")
            || [
                "play video",
                "watch video",
                "watch:",
                "video",
                "play audio",
                "listen",
            ]
            .iter()
            .any(|marker| lower.starts_with(marker)))
}

/// When the model keeps nothing (a short text, or a page unlike those it learned from), the
/// sentences of the page's densest run of prose are kept: lines of 10 or more words that end
/// like a sentence.
fn densest_run_fallback(lines: &[String], keep: &mut [bool]) {
    let tokens: Vec<usize> = lines.iter().map(|line| word_tokens(line)).collect();
    let context = page_context(lines, &tokens);
    for (index, k) in keep.iter_mut().enumerate() {
        *k = context.in_best_run[index] && tokens[index] >= 10 && ends_sentence(&lines[index]);
    }
}

/// Paragraph continuity: a dropped line that reads as a full prose sentence (long, ends in
/// sentence punctuation, no furniture words) and directly touches kept article text (the
/// nearest non-empty line before or after it is kept) is article text too. Repeats until
/// nothing changes, so a run of such paragraphs at the edge of the article is kept whole.
fn extend_prose_runs(lines: &[String], keep: &mut [bool]) {
    let prose: Vec<bool> = lines
        .iter()
        .map(|line| {
            let trimmed = line.trim_end();
            let last = trimmed.chars().next_back().unwrap_or(' ');
            word_tokens(line) >= 15
                && matches!(last, '.' | '!' | '?' | '"' | '”' | '’')
                && !boiler_word(&line.to_lowercase())
        })
        .collect();
    let neighbour_kept = |keep: &[bool], index: usize, step: isize| -> bool {
        let mut at = index as isize + step;
        while at >= 0 && (at as usize) < lines.len() {
            if !lines[at as usize].trim().is_empty() {
                return keep[at as usize];
            }
            at += step;
        }
        false
    };
    let mut changed = true;
    while changed {
        changed = false;
        for index in 0..lines.len() {
            if !keep[index]
                && prose[index]
                && (neighbour_kept(keep, index, -1) || neighbour_kept(keep, index, 1))
            {
                keep[index] = true;
                changed = true;
            }
        }
    }
}

fn word_tokens(line: &str) -> usize {
    crate::metric::token_count(line)
}

fn boiler_word(lower: &str) -> bool {
    const WORDS: [&str; 30] = [
        "share",
        "click",
        "subscribe",
        "cookie",
        "comment",
        "©",
        "copyright",
        "sign up",
        "log in",
        "login",
        "advertisement",
        "read more",
        "follow us",
        "newsletter",
        "privacy",
        "terms of",
        "all rights",
        "play video",
        "related",
        "sign in",
        "download",
        "app store",
        "email",
        "facebook",
        "twitter",
        "whatsapp",
        "linkedin",
        "loading",
        "menu",
        "skip to",
    ];
    WORDS.iter().any(|word| lower.contains(word))
}

/// One feature row per line.
pub fn line_features(lines: &[String]) -> Vec<Vec<f64>> {
    let count = lines.len();
    let tokens: Vec<usize> = lines.iter().map(|line| word_tokens(line)).collect();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for line in lines {
        if !line.is_empty() {
            *seen.entry(line.as_str()).or_insert(0) += 1;
        }
    }
    let long_mass: Vec<f64> = tokens
        .iter()
        .map(|&t| if t >= 15 { t as f64 } else { 0.0 })
        .collect();
    let total_mass: f64 = long_mass.iter().sum::<f64>().max(1.0);
    let context = page_context(lines, &tokens);
    let mut before = 0.0;
    let mut rows = Vec::with_capacity(count);
    for (index, line) in lines.iter().enumerate() {
        let token_count = tokens[index];
        let log_tokens = (1.0 + token_count as f64).ln();
        let trimmed = line.trim_end();
        let last = trimmed.chars().next_back().unwrap_or(' ');
        let terminal = matches!(
            last,
            '.' | '!' | '?' | '"' | '”' | '’' | '\'' | ':' | '。' | '」'
        );
        // A line ending in a parenthesis is a caption, credit or teaser far more often than a
        // sentence ("(QuickTime, Real or Windows Media)", "... first visit (August 5)").
        let paren_end = last == ')';
        let first = line.chars().next().unwrap_or(' ');
        let words: Vec<&str> = line.split_whitespace().collect();
        let title_case = words
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .count() as f64
            / words.len().max(1) as f64;
        let chars = line.chars().count().max(1) as f64;
        let digits = line.chars().filter(char::is_ascii_digit).count() as f64 / chars;
        let position = if count > 1 {
            index as f64 / (count - 1) as f64
        } else {
            0.0
        };
        let neighbour = |offset: isize| -> f64 {
            let mut acc = 0.0;
            let mut found = 0.0;
            for step in 1..=2isize {
                let at = index as isize + offset * step;
                if at >= 0 && (at as usize) < count {
                    acc += (1.0 + tokens[at as usize] as f64).ln();
                    found += 1.0;
                }
            }
            if found > 0.0 {
                acc / found
            } else {
                0.0
            }
        };
        let window_start = index.saturating_sub(5);
        let window_end = (index + 6).min(count);
        let window_long = tokens[window_start..window_end]
            .iter()
            .filter(|&&t| t >= 15)
            .count() as f64
            / (window_end - window_start).max(1) as f64;
        let lower = line.to_lowercase();
        let duplicate = seen.get(line.as_str()).copied().unwrap_or(0) > 1;
        let separator = line.contains('|') || line.contains('»') || line.contains(" / ");
        let mass_before = before / total_mass;
        before += long_mass[index];
        let mass_after = (total_mass - before) / total_mass;
        let quote = line.contains('"') || line.contains('“') || line.contains('”');
        let commas = (line.matches(',').count() as f64).min(5.0) / 5.0;
        let bullet = matches!(first, '•' | '-' | '*' | '·' | '>');
        rows.push(vec![
            1.0,
            log_tokens,
            f64::from(u8::from(token_count >= 15)),
            f64::from(u8::from(token_count <= 3)),
            f64::from(u8::from(terminal)),
            f64::from(u8::from(
                first.is_uppercase() || first == '“' || first == '"',
            )),
            title_case,
            digits,
            position,
            position * position,
            neighbour(-1),
            neighbour(1),
            window_long,
            f64::from(u8::from(duplicate)),
            f64::from(u8::from(boiler_word(&lower))),
            f64::from(u8::from(separator)),
            f64::from(u8::from(first.is_lowercase())),
            mass_before,
            mass_after,
            f64::from(u8::from(quote)),
            commas,
            f64::from(u8::from(bullet)),
            f64::from(u8::from(paren_end)),
            f64::from(u8::from(first == '(' && paren_end)),
            (1.0 + line.chars().count() as f64).ln() / 5.0,
            (context.block_lines[index] as f64).ln(),
            f64::from(u8::from(context.block_lines[index] == 1)),
            context.block_long_share[index],
            context.near_terminal[index],
            context.near_log_tokens[index],
            context.near_long[index],
            f64::from(u8::from(context.in_best_run[index])),
            context.run_distance[index],
            words
                .iter()
                .filter(|w| {
                    w.chars().count() > 1
                        && w.chars().all(|c| !c.is_lowercase())
                        && w.chars().any(char::is_uppercase)
                })
                .count() as f64
                / words.len().max(1) as f64,
            f64::from(u8::from(
                lower.contains("http") || lower.contains("www.") || lower.contains(".com"),
            )),
            (words.iter().map(|w| w.chars().count()).sum::<usize>() as f64
                / words.len().max(1) as f64)
                .min(15.0)
                / 5.0,
            (1.0 + context.prose_run[index] as f64).ln(),
            f64::from(u8::from(context.first_in_block[index])),
            context.title_overlap[index],
            f64::from(u8::from(context.since_title[index].is_some())),
            context.since_title[index].map_or(1.0, |d| (d as f64 / count.max(1) as f64).sqrt()),
            f64::from(u8::from(context.reply[index])),
            f64::from(u8::from(context.timestamp[index])),
            (1.0 + context.replies_before[index] as f64).ln(),
        ]);
    }
    rows
}

/// Page-level context of every line: its block (lines between blank lines), its non-empty
/// neighbours, and the page's densest run of prose.
struct PageContext {
    block_lines: Vec<usize>,
    block_long_share: Vec<f64>,
    first_in_block: Vec<bool>,
    near_terminal: Vec<f64>,
    near_log_tokens: Vec<f64>,
    near_long: Vec<f64>,
    in_best_run: Vec<bool>,
    run_distance: Vec<f64>,
    prose_run: Vec<usize>,
    /// Share of the line's words that occur in the page's first line (the `<title>` of a
    /// flattened page).
    title_overlap: Vec<f64>,
    /// Lines since the nearest earlier line that repeats the title (the headline).
    since_title: Vec<Option<usize>>,
    /// Comment-thread furniture: "name says:", "Reply", "34 responses to ...".
    reply: Vec<bool>,
    /// A date with a clock time ("November 19, 2019 at 6:34 am").
    timestamp: Vec<bool>,
    /// How many reply or timestamp lines come before the line.
    replies_before: Vec<usize>,
}

static CLOCK: OnceLock<Option<Regex>> = OnceLock::new();

fn reply_like(line: &str, tokens: usize) -> bool {
    let lower = line.to_lowercase();
    let lower = lower.trim_end();
    tokens <= 12
        && (lower.ends_with("says:")
            || lower.ends_with("said:")
            || lower.ends_with("wrote:")
            || lower == "reply"
            || lower.starts_with("reply ")
            || lower.contains("responses to")
            || lower.contains("comments")
            || lower.contains("replies")
            || lower.starts_with("leave a "))
}

fn timestamp_like(line: &str, tokens: usize) -> bool {
    tokens <= 12
        && regex(
            &CLOCK,
            r"(?i)\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?\b|\b\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b",
        )
        .is_some_and(|re| re.is_match(line))
}

fn ends_sentence(line: &str) -> bool {
    let last = line.trim_end().chars().next_back().unwrap_or(' ');
    matches!(last, '.' | '!' | '?' | '"' | '”' | '’' | '\'' | '。' | '」')
}

fn page_context(lines: &[String], tokens: &[usize]) -> PageContext {
    let count = lines.len();
    let mut context = PageContext {
        block_lines: vec![1; count],
        block_long_share: vec![0.0; count],
        first_in_block: vec![false; count],
        near_terminal: vec![0.0; count],
        near_log_tokens: vec![0.0; count],
        near_long: vec![0.0; count],
        in_best_run: vec![false; count],
        run_distance: vec![1.0; count],
        prose_run: vec![0; count],
        title_overlap: vec![0.0; count],
        since_title: vec![None; count],
        reply: vec![false; count],
        timestamp: vec![false; count],
        replies_before: vec![0; count],
    };
    let mut replies = 0;
    for index in 0..count {
        context.replies_before[index] = replies;
        context.reply[index] = reply_like(&lines[index], tokens[index]);
        context.timestamp[index] = timestamp_like(&lines[index], tokens[index]);
        replies += usize::from(context.reply[index] || context.timestamp[index]);
    }
    // the title: the first non-empty line; the headline repeats most of its words
    if let Some(first) = lines.iter().position(|line| !line.is_empty()) {
        let title: std::collections::HashSet<String> = crate::metric::tokens(&lines[first])
            .iter()
            .map(|t| t.to_lowercase())
            .collect();
        let mut last_title = None;
        for (index, line) in lines.iter().enumerate().skip(first + 1) {
            let words = crate::metric::tokens(line);
            if words.is_empty() {
                context.since_title[index] = last_title.map(|at| index - at);
                continue;
            }
            let shared = words
                .iter()
                .filter(|w| title.contains(&w.to_lowercase()))
                .count() as f64
                / words.len() as f64;
            context.title_overlap[index] = shared;
            context.since_title[index] = last_title.map(|at| index - at);
            if shared >= 0.7 && words.len() >= 3 && words.len() <= 40 {
                last_title = Some(index);
            }
        }
    }
    // blocks
    let mut start = 0;
    while start < count {
        if lines[start].is_empty() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < count && !lines[end].is_empty() {
            end += 1;
        }
        let long = tokens[start..end].iter().filter(|&&t| t >= 15).count() as f64;
        for index in start..end {
            context.block_lines[index] = end - start;
            context.block_long_share[index] = long / (end - start) as f64;
        }
        context.first_in_block[start] = true;
        start = end;
    }
    // non-empty neighbourhood (5 lines each side)
    let nonempty: Vec<usize> = (0..count).filter(|&i| !lines[i].is_empty()).collect();
    let terminal: Vec<bool> = nonempty.iter().map(|&i| ends_sentence(&lines[i])).collect();
    for (rank, &index) in nonempty.iter().enumerate() {
        let from = rank.saturating_sub(5);
        let to = (rank + 6).min(nonempty.len());
        let others = (to - from).saturating_sub(1).max(1) as f64;
        let mut term = 0.0;
        let mut logt = 0.0;
        let mut long = 0.0;
        for other in from..to {
            if other == rank {
                continue;
            }
            let t = tokens[nonempty[other]];
            term += f64::from(u8::from(terminal[other]));
            logt += (1.0 + t as f64).ln();
            long += f64::from(u8::from(t >= 15));
        }
        context.near_terminal[index] = term / others;
        context.near_log_tokens[index] = logt / others;
        context.near_long[index] = long / others;
    }
    // runs of consecutive prose lines (non-empty lines of 10+ tokens)
    let mut rank = 0;
    while rank < nonempty.len() {
        if tokens[nonempty[rank]] < 10 {
            rank += 1;
            continue;
        }
        let mut end = rank;
        while end < nonempty.len() && tokens[nonempty[end]] >= 10 {
            end += 1;
        }
        for &index in &nonempty[rank..end] {
            context.prose_run[index] = end - rank;
        }
        rank = end;
    }
    // the densest run of the page: the maximum-sum stretch of non-empty lines, where long
    // lines count for and short lines against
    let value = |t: usize| (t.min(40) as f64) - 8.0;
    let (mut best, mut best_from, mut best_to) = (f64::MIN, 0, 0);
    let (mut sum, mut from) = (0.0, 0);
    for (rank, &index) in nonempty.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            from = rank;
        }
        sum += value(tokens[index]);
        if sum > best {
            best = sum;
            best_from = from;
            best_to = rank + 1;
        }
    }
    if best > 0.0 {
        let total = nonempty.len().max(1) as f64;
        for (rank, &index) in nonempty.iter().enumerate() {
            context.in_best_run[index] = (best_from..best_to).contains(&rank);
            let distance = if rank < best_from {
                best_from - rank
            } else if rank >= best_to {
                rank + 1 - best_to
            } else {
                0
            };
            context.run_distance[index] = (distance as f64 / total).sqrt();
        }
    }
    context
}

type Rows = Vec<(Vec<f64>, f64, f64)>;

fn page_rows(lines: &[String], labels: &[bool], features: Vec<Vec<f64>>, rows: &mut Rows) {
    // every page weighs about the same, like in the metric
    let nonempty = lines.iter().filter(|line| !line.is_empty()).count().max(1) as f64;
    for ((row, &label), line) in features.into_iter().zip(labels).zip(lines) {
        if line.is_empty() {
            continue;
        }
        let weight = (word_tokens(line) as f64 + 1.0).sqrt() / nonempty.sqrt();
        rows.push((row, f64::from(u8::from(label)), weight));
    }
}

fn fit_first_stage(pages: &[(Vec<String>, Vec<bool>)], settings: Settings) -> Forest {
    let mut rows = Vec::new();
    for (lines, labels) in pages {
        page_rows(lines, labels, line_features(lines), &mut rows);
    }
    crate::trees::fit(&rows, FEATURES.len(), settings)
}

/// Trees per stage of the shipped line model.
pub const DEFAULT_ROUNDS: usize = 150;

/// Trains the line model: two stages of gradient-boosted trees (depth 4, `rounds` trees each;
/// deterministic, no sampling). The second stage sees the first stage's probabilities of the
/// line, its neighbours, its block and the page, cross-fitted over 3 folds of the training
/// pages so that it learns from probabilities like those of unseen pages.
pub fn train(pages: &[(Vec<String>, Vec<bool>)], rounds: usize) -> LineModel {
    let settings = Settings {
        rounds,
        ..Settings::default()
    };
    let first = fit_first_stage(pages, settings);
    let inner = 3;
    let mut rows = Vec::new();
    for fold in 0..inner {
        let train: Vec<(Vec<String>, Vec<bool>)> = pages
            .iter()
            .enumerate()
            .filter(|(i, _)| i % inner != fold)
            .map(|(_, page)| page.clone())
            .collect();
        let fold_forest = fit_first_stage(&train, settings);
        for (_, (lines, labels)) in pages.iter().enumerate().filter(|(i, _)| i % inner == fold) {
            let features = line_features(lines);
            let probabilities: Vec<f64> = features
                .iter()
                .map(|row| fold_forest.probability(row))
                .collect();
            page_rows(
                lines,
                labels,
                context_rows(&features, lines, &probabilities),
                &mut rows,
            );
        }
    }
    let second = crate::trees::fit(&rows, FEATURES.len() + CONTEXT_FEATURES.len(), settings);
    LineModel {
        version: 2,
        features: FEATURES
            .iter()
            .chain(CONTEXT_FEATURES.iter())
            .map(|s| s.to_string())
            .collect(),
        forest: Some(first),
        context_forest: Some(second),
        ..LineModel::default()
    }
}

/// Labels for a flattened page against the true body: a line is article text when most of
/// its shingles (or, for short lines, its token sequence) occur in the truth.
pub fn label_lines(lines: &[String], truth: &str) -> Vec<bool> {
    let truth_shingles = crate::metric::shingles(truth);
    let truth_joined = format!(" {} ", crate::metric::tokens(truth).join(" "));
    lines
        .iter()
        .map(|line| {
            let toks = crate::metric::tokens(line);
            if toks.is_empty() {
                return false;
            }
            if toks.len() < 4 {
                return truth_joined.contains(&format!(" {} ", toks.join(" ")));
            }
            let windows = toks.len() - 3;
            let hits = toks
                .windows(4)
                .filter(|w| truth_shingles.contains_key(*w))
                .count();
            hits * 2 >= windows
        })
        .collect()
}

fn regex(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

static BYLINE: OnceLock<Option<Regex>> = OnceLock::new();
static DATELINE: OnceLock<Option<Regex>> = OnceLock::new();
static DATE: OnceLock<Option<Regex>> = OnceLock::new();

const MONTHS: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";

fn date_regex() -> Option<&'static Regex> {
    regex(
        &DATE,
        &format!(
            r"(?:(?:Updated|Published|Posted|Created)\s*:?\s*)?(?:{m}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{m},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}(?:[ T]\d{{2}}:\d{{2}})?|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{4}}(?:\s+\d{{1,2}}:\d{{2}}(?:\s*[A-Z]{{2,4}})?)?)",
            m = MONTHS
        ),
    )
}

/// Removes spaces inside letter-spaced words ("S E O U L" → "SEOUL").
fn unspace(text: &str) -> String {
    let parts: Vec<&str> = text.split(' ').collect();
    if parts.len() >= 3 && parts.iter().all(|p| p.chars().count() == 1) {
        parts.concat()
    } else {
        text.to_string()
    }
}

/// Header fields found on one line.
#[derive(Debug, Default)]
struct HeaderHit {
    byline: Option<String>,
    outlet: Option<String>,
    dateline: Option<String>,
    date: Option<String>,
    /// text after the dateline lead, when the line continues with the article
    rest: Option<String>,
    whole_line_is_header: bool,
}

static CAPTION_CREDIT: OnceLock<Option<Regex>> = OnceLock::new();

/// The outlet of a reporter's media caption: "CNN's Jill Dougherty has more on …", "ABC News'
/// Jane Doe reports"; a short capitalised name or one ending like an outlet ("… News").
fn caption_outlet(line: &str) -> Option<String> {
    let pattern = regex(
        &CAPTION_CREDIT,
        r"^(?P<outlet>[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){0,2})['’]s? (?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+(?:-[A-Z][a-z]+)? (?:reports|has more|has the story|explains|looks at)\b",
    )?;
    let outlet = pattern.captures(line.trim())?.name("outlet")?.as_str();
    let acronym =
        (2..=6).contains(&outlet.len()) && outlet.chars().all(|ch| ch.is_ascii_uppercase());
    (acronym || outlet_like(outlet)).then(|| outlet.to_string())
}

fn outlet_like(name: &str) -> bool {
    const WORDS: [&str; 12] = [
        "News",
        "Press",
        "Reuters",
        "Agency",
        "Times",
        "Post",
        "Wire",
        "Associated",
        "Staff",
        "AP",
        "AFP",
        "Bloomberg",
    ];
    name.split_whitespace()
        .next_back()
        .is_some_and(|word| WORDS.contains(&word))
}

fn header_fields(line: &str) -> HeaderHit {
    let mut hit = HeaderHit::default();
    let tokens = word_tokens(line);
    // "By Name" / "ByABC News" / "By News Room 5 Min Read"
    if let Some(re) = regex(
        &BYLINE,
        r"^(?i:by)\s*([A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|de|van|von))*)",
    ) {
        if tokens <= 12 {
            if let Some(caps) = re.captures(line) {
                let name = caps
                    .get(1)
                    .map(|m| m.as_str().trim().to_string())
                    .unwrap_or_default();
                if !name.is_empty() {
                    if outlet_like(&name) {
                        hit.outlet = Some(name);
                    } else {
                        hit.byline = Some(name);
                    }
                    hit.whole_line_is_header = true;
                    return hit;
                }
            }
        }
    }
    // "Outlet | City | Updated: date | ..."
    if line.matches('|').count() >= 2 && tokens <= 30 {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        if let Some(date_part) = parts
            .iter()
            .find(|part| date_regex().is_some_and(|re| re.is_match(part)))
        {
            hit.date = Some(date_part.to_string());
            if parts.len() >= 3 {
                hit.outlet =
                    Some(parts[0].to_string()).filter(|p| !p.is_empty() && word_tokens(p) <= 4);
                hit.dateline = Some(parts[1].to_string()).filter(|p| {
                    !p.is_empty()
                        && word_tokens(p) <= 4
                        && !date_regex().is_some_and(|re| re.is_match(p))
                });
            }
            hit.whole_line_is_header = true;
            return hit;
        }
    }
    // "CITY, Country, date (Outlet) -- text"
    if let Some(re) = regex(
        &DATELINE,
        r"^((?:[A-Z](?: ?[A-Z.'])+)(?:\s[A-Z](?: ?[A-Z.'])+)*)((?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)*)?)(,\s*[^()]*?\d{4})?\s*(?:\(([^)]{1,40})\))?\s*(?:--|—|–|-)\s+",
    ) {
        if let Some(caps) = re.captures(line) {
            let city = caps
                .get(1)
                .map(|m| unspace(m.as_str().trim()))
                .unwrap_or_default();
            if city.chars().filter(|ch| ch.is_alphabetic()).count() >= 3 {
                hit.dateline = Some(city);
                if let Some(date) = caps.get(3) {
                    hit.date = Some(date.as_str().trim_start_matches(',').trim().to_string());
                }
                if let Some(outlet) = caps.get(4) {
                    hit.outlet = Some(outlet.as_str().trim().to_string());
                }
                let end = caps.get(0).map(|m| m.end()).unwrap_or(0);
                hit.rest = Some(line[end..].to_string());
            }
        }
    }
    if hit.dateline.is_none() && tokens <= 8 {
        if let Some(m) = date_regex().and_then(|re| re.find(line)) {
            let leftover = word_tokens(&line.replace(m.as_str(), ""));
            if leftover <= 4 {
                hit.date = Some(m.as_str().trim().to_string());
                hit.whole_line_is_header = true;
            }
        }
    }
    hit
}

/// Image credits and captions credits ("Image Credit: ANI", "Photo: AFP").
fn is_credit(line: &str) -> bool {
    let lower = line.to_lowercase();
    word_tokens(line) < 15
        && [
            "image credit",
            "photo credit",
            "credit:",
            "photo:",
            "image:",
            "picture:",
            "(photo",
            "getty images",
        ]
        .iter()
        .any(|marker| lower.contains(marker))
}

fn headline_like(line: &str) -> bool {
    let tokens = word_tokens(line);
    let last = line.chars().next_back().unwrap_or(' ');
    (3..=25).contains(&tokens)
        && !matches!(last, '.' | ':' | ',')
        && !line.contains('|')
        && !boiler_word(&line.to_lowercase())
        && line.chars().next().is_some_and(|ch| {
            ch.is_uppercase() || ch.is_numeric() || ch == '‘' || ch == '\'' || ch == '"'
        })
}

/// The body's lines without those that only repeat later paragraphs (a teaser summary above
/// the article, a pull quote, a scraped line twice): a lead's sentences found anywhere in the
/// later text, any other line's as whole sentences of later lines (a substring search from
/// every line made long texts quadratic).
fn without_repeats(body: &[String]) -> Vec<&str> {
    let joined = body.join(" ");
    let mut later_sentences: HashSet<&str> = HashSet::new();
    let mut repeated = vec![false; body.len()];
    let mut later_start = joined.len() + 1;
    for (index, line) in body.iter().enumerate().rev() {
        let sentences = sentences_of(line);
        repeated[index] = !sentences.is_empty()
            && if index < LEAD_LINES {
                let later = joined.get(later_start.min(joined.len())..).unwrap_or("");
                sentences.iter().all(|sentence| later.contains(sentence))
            } else {
                sentences
                    .iter()
                    .all(|sentence| later_sentences.contains(sentence))
            };
        later_sentences.extend(sentences);
        later_start -= line.len() + 1;
    }
    body.iter()
        .zip(&repeated)
        .filter(|(_, &repeated)| !repeated)
        .map(|(line, _)| line.as_str())
        .collect()
}

/// A line's sentences of more than 20 bytes, as the repeated-line test compares them.
fn sentences_of(line: &str) -> Vec<&str> {
    line.split_inclusive(['.', '!', '?'])
        .map(str::trim)
        .filter(|s| s.len() > 20)
        .collect()
}

/// How many of the body's first lines may be a lead that only repeats later paragraphs.
const LEAD_LINES: usize = 3;

/// Runs the text path on decoded text.
pub fn clean_text(source: &str, model: &LineModel) -> Cleaned {
    let lines: Vec<String> = source.lines().map(normalize_line).collect();
    let keep = model.keep(&lines);
    let mut cleaned = Cleaned::default();
    let first_kept = keep.iter().position(|&k| k).unwrap_or(lines.len());

    // header zone: lines before the body plus the first few body lines
    let header_end = (first_kept + 3).min(lines.len());
    let mut header_lines = vec![false; lines.len()];
    let mut rewritten: HashMap<usize, String> = HashMap::new();
    let mut date_with_context = false;
    for index in 0..header_end {
        let line = &lines[index];
        if line.is_empty() {
            continue;
        }
        let hit = header_fields(line);
        let has_context = hit.outlet.is_some() || hit.dateline.is_some();
        if hit.byline.is_some() && cleaned.byline.is_none() {
            cleaned.byline = hit.byline;
        }
        if hit.outlet.is_some() && cleaned.outlet.is_none() {
            cleaned.outlet = hit.outlet;
        }
        if hit.dateline.is_some() && cleaned.dateline.is_none() {
            cleaned.dateline = hit.dateline;
        }
        // a date beside an outlet or dateline beats a bare date line
        if hit.date.is_some()
            && (cleaned.published_text.is_none() || has_context && !date_with_context)
        {
            date_with_context = has_context;
            cleaned.published_text = hit.date;
        }
        if hit.whole_line_is_header {
            header_lines[index] = true;
        } else if let Some(rest) = hit.rest {
            rewritten.insert(index, rest);
        }
    }
    // a media caption dropped from the body may be the only line naming the outlet
    // ("CNN's Jill Dougherty has more on …")
    if cleaned.outlet.is_none() {
        cleaned.outlet = lines
            .iter()
            .zip(&keep)
            .filter(|(_, &kept)| !kept)
            .find_map(|(line, _)| caption_outlet(line));
    }
    // headline: the first headline-like line near the top that is not a header line
    for index in 0..(first_kept + 1).min(lines.len()).max(1.min(lines.len())) {
        if header_lines[index] || lines[index].is_empty() {
            continue;
        }
        if headline_like(&lines[index]) {
            cleaned.title = Some(lines[index].clone());
            header_lines[index] = true;
            break;
        }
    }
    let mut body: Vec<String> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if !keep[index]
            || header_lines[index]
            || line.is_empty()
            || is_credit(line)
            || crate::html::is_ad_break(line)
            || crate::html::is_cookie_notice(line)
        {
            continue;
        }
        if cleaned.title.as_deref() == Some(line.as_str()) {
            continue;
        }
        match rewritten.get(&index) {
            Some(rest) => body.push(rest.clone()),
            None => body.push(line.clone()),
        }
    }
    cleaned.body = without_repeats(&body).join("\n");
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_that_only_repeat_later_ones_go() {
        let body: Vec<String> = [
            "Officials agreed a new treaty on Friday. It takes effect next year.",
            "Officials agreed a new treaty on Friday, after talks that lasted a week.",
            "Officials agreed a new treaty on Friday. It takes effect next year.",
            "The 100 metres: K Holmes (Ealing, Southall and Middlesex AC).",
            "K Holmes (Ealing, Southall and Middlesex AC).",
            "The relay: H Clitheroe (Preston), K Holmes (Ealing, Southall and Middlesex AC).",
            "A pull quote that the article repeats later on.",
            "The minister said so. A pull quote that the article repeats later on.",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let kept = without_repeats(&body);
        // the teaser lead, whose sentences a later line repeats, goes; that later line stays
        assert_eq!(
            kept.iter()
                .filter(|line| line.starts_with("Officials"))
                .count(),
            2
        );
        assert_eq!(kept[0], body[1]);
        // a result line inside a longer later line is its own entry, not a repeat
        assert!(kept.contains(&body[4].as_str()), "{kept:?}");
        // a pull quote repeated as a sentence of a later paragraph goes
        assert!(!kept.contains(&body[6].as_str()), "{kept:?}");
    }

    #[test]
    fn a_caption_above_a_video_box_goes_a_subheading_stays() {
        let lines: Vec<String> = [
            "The talks ended on Friday without an agreement, officials said.",
            "",
            "Kim Jong Il  ",
            "CNN's Steve Harrigan reports on the leader's stopover in Omsk",
            "",
            "Play video",
            "(QuickTime, Real or Windows Media)",
            "",
            "Strengthened ties",
            "",
            "Both sides reaffirmed the importance of the treaty, the aide said.",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // the line model's verdict: prose kept, the reporter's caption and the player dropped
        let mut keep = vec![
            true, false, true, false, false, false, true, false, true, false, true,
        ];
        drop_furniture(&lines, &mut keep);
        assert!(!keep[2], "the picture's name line above the video caption");
        assert!(!keep[6], "the player's formats");
        assert!(keep[0] && keep[8] && keep[10], "{keep:?}");
        // the caption still names the outlet
        assert_eq!(caption_outlet(&lines[3]).as_deref(), Some("CNN"));
        assert_eq!(
            caption_outlet("ABC News' Martha Raddatz reports from Seoul").as_deref(),
            Some("ABC News")
        );
        assert_eq!(caption_outlet("Kim Jong Il"), None);
    }

    #[test]
    fn header_patterns() {
        let hit = header_fields("ByABC News");
        assert_eq!(hit.outlet.as_deref(), Some("ABC News"));
        assert_eq!(hit.byline, None);
        let hit = header_fields("By News Room 5 Min Read");
        assert_eq!(hit.byline.as_deref(), Some("News Room"));
        assert!(hit.whole_line_is_header);
        let hit = header_fields(
            "S E O U L, South Korea, July 19, 2000 -- Russian President Vladimir Putin began",
        );
        assert_eq!(hit.dateline.as_deref(), Some("SEOUL"));
        assert_eq!(hit.date.as_deref(), Some("July 19, 2000"));
        assert_eq!(
            hit.rest.as_deref(),
            Some("Russian President Vladimir Putin began")
        );
        let hit = header_fields(
            "Reuters | Moscow | Updated: 14-09-2023 18:46 IST | Created: 14-09-2023 17:19 IST",
        );
        assert_eq!(hit.outlet.as_deref(), Some("Reuters"));
        assert_eq!(hit.dateline.as_deref(), Some("Moscow"));
        assert_eq!(hit.date.as_deref(), Some("Updated: 14-09-2023 18:46 IST"));
        let hit = header_fields("MOSCOW, Russia (CNN) -- North Korean leader");
        assert_eq!(hit.dateline.as_deref(), Some("MOSCOW"));
        assert_eq!(hit.outlet.as_deref(), Some("CNN"));
    }

    #[test]
    fn labels_follow_truth() {
        let lines = vec![
            "Home News Sport".to_string(),
            "The cat sat on the mat today".to_string(),
        ];
        assert_eq!(
            label_lines(&lines, "The cat sat on the mat today, said police."),
            vec![false, true]
        );
    }

    #[test]
    fn training_separates_easy_lines() {
        let page = |n: usize| -> (Vec<String>, Vec<bool>) {
            let mut lines = vec!["Menu".to_string(), "Home".to_string()];
            let mut labels = vec![false, false];
            for i in 0..n {
                lines.push(format!(
                    "This is sentence number {i} of the article, and it is long enough to count."
                ));
                labels.push(true);
            }
            lines.push("Share on Twitter".to_string());
            labels.push(false);
            (lines, labels)
        };
        let pages: Vec<(Vec<String>, Vec<bool>)> = (4..16).map(page).collect();
        let model = train(&pages, 50);
        let (lines, labels) = page(6);
        assert_eq!(model.keep(&lines), labels);
    }
}
