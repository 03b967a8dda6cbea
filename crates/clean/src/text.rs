//! The scraped-text path: a page flattened to lines. A small learned line model (logistic
//! regression over per-line and neighbourhood features) keeps the article lines; general
//! patterns pick the headline, byline, dateline and date lines out as fields.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::decode::normalize_line;
use crate::{CleanError, Cleaned};

/// Feature names, in the order of the weights.
pub const FEATURES: [&str; 24] = [
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
];

/// The learned line model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineModel {
    pub version: u32,
    pub features: Vec<String>,
    pub weights: Vec<f64>,
    /// Second stage: the base features plus the first stage's probabilities of the line and
    /// its neighbours ([`CONTEXT_FEATURES`] more weights).
    #[serde(default)]
    pub context_weights: Option<Vec<f64>>,
    pub threshold: f64,
}

/// Extra features of the second stage.
pub const CONTEXT_FEATURES: [&str; 5] = ["p_self", "p_prev", "p_next", "p_window", "p_window_max"];

fn context_rows(base: &[Vec<f64>], probabilities: &[f64]) -> Vec<Vec<f64>> {
    let count = probabilities.len();
    base.iter()
        .enumerate()
        .map(|(index, row)| {
            let at = |offset: isize| -> f64 {
                let position = index as isize + offset;
                if position >= 0 && (position as usize) < count {
                    probabilities[position as usize]
                } else {
                    0.0
                }
            };
            let start = index.saturating_sub(3);
            let end = (index + 4).min(count);
            let window = &probabilities[start..end];
            let mean = window.iter().sum::<f64>() / window.len().max(1) as f64;
            let max_other = (1..=3).map(|k| at(-k).min(at(k))).fold(0.0, f64::max);
            let mut extended = row.clone();
            extended.extend([at(0), at(-1), at(1), mean, max_other]);
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
        Ok(model)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Probability that each line is article text.
    pub fn probabilities(&self, lines: &[String]) -> Vec<f64> {
        let features = line_features(lines);
        let first: Vec<f64> = features
            .iter()
            .map(|row| sigmoid_dot(&self.weights, row))
            .collect();
        match &self.context_weights {
            Some(context) => context_rows(&features, &first)
                .iter()
                .map(|row| sigmoid_dot(context, row))
                .collect(),
            None => first,
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
        keep
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
    crate::metric::tokens(line).len()
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
        ]);
    }
    rows
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

fn fit(rows: &Rows, dims: usize, iterations: usize) -> Vec<f64> {
    let mut weights = vec![0.0; dims];
    let total_weight: f64 = rows.iter().map(|(_, _, w)| w).sum::<f64>().max(1e-9);
    let rate = 0.5;
    let lambda = 1e-4;
    let mut velocity = vec![0.0; dims];
    for _ in 0..iterations {
        let mut gradient = vec![0.0; dims];
        for (row, label, weight) in rows {
            let error = (sigmoid_dot(&weights, row) - label) * weight;
            for (g, x) in gradient.iter_mut().zip(row) {
                *g += error * x;
            }
        }
        for d in 0..dims {
            let g = gradient[d] / total_weight + lambda * weights[d];
            velocity[d] = 0.9 * velocity[d] - rate * g;
            weights[d] += velocity[d];
        }
    }
    weights
}

fn fit_first_stage(pages: &[(Vec<String>, Vec<bool>)], iterations: usize) -> Vec<f64> {
    let mut rows = Vec::new();
    for (lines, labels) in pages {
        page_rows(lines, labels, line_features(lines), &mut rows);
    }
    fit(&rows, FEATURES.len(), iterations)
}

/// Trains the line model: L2-regularised logistic regression by full-batch gradient descent
/// (deterministic: no randomness), in two stages; the second stage sees the first stage's
/// probabilities of neighbouring lines, cross-fitted over 3 folds of the training pages.
pub fn train(pages: &[(Vec<String>, Vec<bool>)], iterations: usize) -> LineModel {
    let weights = fit_first_stage(pages, iterations);
    let inner = 3;
    let mut rows = Vec::new();
    for fold in 0..inner {
        let train: Vec<(Vec<String>, Vec<bool>)> = pages
            .iter()
            .enumerate()
            .filter(|(i, _)| i % inner != fold)
            .map(|(_, page)| page.clone())
            .collect();
        let fold_weights = fit_first_stage(&train, iterations);
        for (_, (lines, labels)) in pages.iter().enumerate().filter(|(i, _)| i % inner == fold) {
            let features = line_features(lines);
            let first: Vec<f64> = features
                .iter()
                .map(|row| sigmoid_dot(&fold_weights, row))
                .collect();
            page_rows(lines, labels, context_rows(&features, &first), &mut rows);
        }
    }
    let context = fit(&rows, FEATURES.len() + CONTEXT_FEATURES.len(), iterations);
    LineModel {
        version: 1,
        features: FEATURES
            .iter()
            .chain(CONTEXT_FEATURES.iter())
            .map(|s| s.to_string())
            .collect(),
        weights,
        context_weights: Some(context),
        threshold: 0.5,
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
        if !keep[index] || header_lines[index] || line.is_empty() || is_credit(line) {
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
    // a lead that only repeats later paragraphs (a teaser summary) is dropped
    let mut deduped = Vec::with_capacity(body.len());
    for (index, line) in body.iter().enumerate() {
        let later = body[index + 1..].join(" ");
        let sentences: Vec<&str> = line
            .split_inclusive(['.', '!', '?'])
            .map(str::trim)
            .filter(|s| s.len() > 20)
            .collect();
        let repeated =
            !sentences.is_empty() && sentences.iter().all(|sentence| later.contains(sentence));
        if !repeated {
            deduped.push(line.clone());
        }
    }
    cleaned.body = deduped.join("\n");
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let model = train(&[page(5), page(8)], 300);
        let (lines, labels) = page(6);
        assert_eq!(model.keep(&lines), labels);
    }
}
