//! The body half of `newsflow eval clean`: the HTML path scored per source and per language on
//! the extraction benchmark (gold bodies) and news-pages (silver bodies, body starts), beside
//! another extractor's output on the same pages when one is given (`--anchor`).
//!
//! Hand-picked snippets (`config/eval/body-snippets.jsonl`) measure the body where no source
//! labels one: a person read each page and copied a few runs of words from its article text
//! (`with`: the body should hold them) and from its furniture (`without`: it should not). Snippet
//! precision and recall are summed over pages, the way widely used extraction evaluations count.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use newsflow_clean::{metric, Cleaner};
use newsflow_corpus::extraction::ExtractionPages;
use newsflow_corpus::news_pages::NewsPages;
use newsflow_model::Format;

use super::clean_eval::EvalCleanArgs;

/// One scored page.
struct Scored {
    corpus: &'static str,
    id: String,
    group: String,
    language: String,
    ours: Option<metric::PageScore>,
    theirs: Option<metric::PageScore>,
    /// Body start found (postlight): ours, theirs.
    start: Option<(bool, Option<bool>)>,
    ours_chars: usize,
    theirs_chars: Option<usize>,
    ms: f64,
    their_ms: Option<f64>,
    /// Our body scored against the anchor's body as if it were the truth: how much of the
    /// anchor's text we also give (recall) and how much of ours it also gives (precision).
    /// The only body measure on pages without a body label.
    vs_anchor: Option<metric::PageScore>,
    /// Hand-picked snippets found: ours, the anchor's.
    snippets: Option<(SnippetTally, Option<SnippetTally>)>,
}

/// A page's article text and furniture as a person sampled them (`config/eval/body-snippets.jsonl`).
#[derive(Debug, Clone, serde::Deserialize)]
struct SnippetLabel {
    id: String,
    /// `article`, `other` (no running text to extract) or `script-only`.
    kind: String,
    /// The article's language as the labeller judged it (ISO 639-1), if any.
    #[serde(default)]
    language: Option<String>,
    /// Runs of words from the article text.
    #[serde(default)]
    with: Vec<String>,
    /// Runs of words from the page's furniture.
    #[serde(default)]
    without: Vec<String>,
}

/// The snippet labels of article pages by id; none when the file does not exist.
fn read_snippets(path: &str) -> anyhow::Result<HashMap<String, SnippetLabel>> {
    let labels: Vec<SnippetLabel> = super::read_hand_labels(path, "a snippet label")?;
    Ok(labels
        .into_iter()
        .map(|mut label| {
            label.with.retain(|snippet| !snippet.trim().is_empty());
            label.without.retain(|snippet| !snippet.trim().is_empty());
            label
        })
        .filter(|label| label.kind == "article" && !label.with.is_empty())
        .map(|label| (label.id.clone(), label))
        .collect())
}

/// `text` with every run of whitespace (no-break spaces included) made one space.
fn squash(text: &str) -> String {
    text.split(|ch: char| ch.is_whitespace() || ch == '\u{a0}')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Snippets found and missed in one body.
#[derive(Debug, Clone, Copy, Default)]
struct SnippetTally {
    /// Article snippets found, missed; furniture snippets found, left out.
    found: usize,
    missed: usize,
    furniture_kept: usize,
    furniture_dropped: usize,
    /// The first article snippet (from the opening paragraph, often a standfirst that some
    /// labels count as the article and others leave out) missed.
    first_missed: usize,
}

impl SnippetTally {
    fn of(label: &SnippetLabel, body: &str) -> Self {
        let body = squash(body);
        let found = |snippet: &String| body.contains(&squash(snippet));
        let found_with = label.with.iter().filter(|s| found(s)).count();
        let kept = label.without.iter().filter(|s| found(s)).count();
        SnippetTally {
            found: found_with,
            missed: label.with.len() - found_with,
            furniture_kept: kept,
            furniture_dropped: label.without.len() - kept,
            first_missed: usize::from(label.with.first().is_some_and(|s| !found(s))),
        }
    }

    fn add(&mut self, other: SnippetTally) {
        self.found += other.found;
        self.missed += other.missed;
        self.furniture_kept += other.furniture_kept;
        self.furniture_dropped += other.furniture_dropped;
        self.first_missed += other.first_missed;
    }

    /// Precision, recall and F-score over the summed counts.
    fn prf(&self) -> (f64, f64, f64) {
        let ratio = |a: usize, b: usize| {
            if a + b == 0 {
                0.0
            } else {
                a as f64 / (a + b) as f64
            }
        };
        let precision = ratio(self.found, self.furniture_kept);
        let recall = ratio(self.found, self.missed);
        let f = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        (precision, recall, f)
    }
}

/// The body, and the time the clean stage took; with `with_standfirst`, the page's standfirst
/// put before the body where the body does not hold it.
fn clean_body(cleaner: &Cleaner, html: &[u8], with_standfirst: bool) -> (String, f64) {
    let started = Instant::now();
    let cleaned = cleaner.clean(html, Format::Html).ok();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let Some(cleaned) = cleaned else {
        return (String::new(), ms);
    };
    let body = match cleaned.standfirst {
        Some(standfirst) if with_standfirst && !cleaned.body.contains(&standfirst) => {
            format!("{standfirst}\n{}", cleaned.body)
        }
        _ => cleaned.body,
    };
    (body, ms)
}

/// Whether the first words of `start` (up to 12 tokens) occur as a run in `body`'s tokens.
fn start_found(start: &str, body: &str) -> bool {
    let wanted: Vec<&str> = metric::tokens(start).into_iter().take(12).collect();
    if wanted.is_empty() {
        return false;
    }
    let have = metric::tokens(body);
    have.windows(wanted.len()).any(|window| window == wanted)
}

/// `config`: the `--config` file, whose models folder the clean models are read from.
pub fn run(config: Option<&Path>, args: &EvalCleanArgs) -> anyhow::Result<()> {
    let cleaner = crate::settings::cleaner(config)?.with_options(newsflow_clean::CleanOptions {
        parser: args.parser.parser(),
        ..Default::default()
    });
    let anchor = args
        .anchor
        .as_deref()
        .map(|path| newsflow_corpus::anchor::read(Path::new(path)))
        .transpose()?;
    let anchor_name = anchor
        .as_ref()
        .map(|anchor| anchor.tool.clone())
        .unwrap_or_default();
    let their = |corpus: &str, id: &str| anchor.as_ref().and_then(|anchor| anchor.page(corpus, id));
    let snippet_labels = read_snippets(&args.snippets)?;
    let mut scored = Vec::new();
    let mut bodies: Vec<(&'static str, String, String)> = Vec::new();

    let extraction = ExtractionPages::open(Path::new(&args.data))
        .with_context(|| format!("reading {}", args.data))?;
    for page in &extraction.pages {
        let html = extraction.html(page)?;
        let (body, ms) = clean_body(&cleaner, &html, args.with_standfirst);
        let other = their("extraction", &page.id);
        scored.push(Scored {
            corpus: "extraction",
            id: page.id.clone(),
            group: "extraction (gold)".to_string(),
            language: "all".to_string(),
            ours: Some(metric::score_page(&page.body, &body)),
            theirs: other.map(|o| metric::score_page(&page.body, &o.body)),
            start: None,
            ours_chars: body.chars().count(),
            theirs_chars: other.map(|o| o.body.chars().count()),
            ms,
            their_ms: other.map(|o| o.ms),
            vs_anchor: other.map(|o| metric::score_page(&o.body, &body)),
            snippets: None,
        });
        bodies.push(("extraction", page.id.clone(), body));
    }

    let news = NewsPages::open(Path::new(&args.news_pages))
        .with_context(|| format!("reading {}", args.news_pages))?;
    for page in news.pages.iter().filter(|page| !page.synthetic) {
        let html = news.html(page)?;
        let (body, ms) = clean_body(&cleaner, &html, args.with_standfirst);
        let other = their("news-pages", &page.id);
        let truth = page.scored_body();
        scored.push(Scored {
            corpus: "news-pages",
            id: page.id.clone(),
            group: page.source.clone(),
            // the page's own label, else the snippet labeller's judgement ("en-US" is "en")
            language: match (page.language.as_deref(), snippet_labels.get(&page.id)) {
                (
                    None,
                    Some(SnippetLabel {
                        language: Some(language),
                        ..
                    }),
                ) => language
                    .split(['-', '_'])
                    .next()
                    .unwrap_or("??")
                    .to_ascii_lowercase(),
                _ => page.language_or_unknown(),
            },
            ours: truth.map(|truth| metric::score_page(truth, &body)),
            theirs: truth.and_then(|truth| other.map(|o| metric::score_page(truth, &o.body))),
            start: page.body_start.as_deref().map(|start| {
                (
                    start_found(start, &body),
                    other.map(|o| start_found(start, &o.body)),
                )
            }),
            ours_chars: body.chars().count(),
            theirs_chars: other.map(|o| o.body.chars().count()),
            ms,
            their_ms: other.map(|o| o.ms),
            vs_anchor: other.map(|o| metric::score_page(&o.body, &body)),
            snippets: snippet_labels.get(&page.id).map(|label| {
                (
                    SnippetTally::of(label, &body),
                    other.map(|o| SnippetTally::of(label, &o.body)),
                )
            }),
        });
        bodies.push(("news-pages", page.id.clone(), body));
    }

    print_tables(&scored, &anchor_name);
    if let Some(path) = &args.pages_out {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(
            out,
            "corpus\tid\tgroup\tlanguage\tf1\tp\tr\tanchor_f1\tchars\tanchor_chars\tstart\tanchor_start\tvs_anchor_p\tvs_anchor_r\tsnippets_found\tsnippets_missed\tanchor_snippets_found"
        )?;
        for page in &scored {
            let f = |score: Option<metric::PageScore>| {
                score.map(|s| format!("{:.4}", s.f1())).unwrap_or_default()
            };
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                page.corpus,
                page.id,
                page.group,
                page.language,
                f(page.ours),
                page.ours
                    .and_then(|s| s.precision())
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_default(),
                page.ours
                    .and_then(|s| s.recall())
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_default(),
                f(page.theirs),
                page.ours_chars,
                page.theirs_chars.map(|c| c.to_string()).unwrap_or_default(),
                page.start
                    .map(|(ours, _)| ours.to_string())
                    .unwrap_or_default(),
                page.start
                    .and_then(|(_, theirs)| theirs)
                    .map(|theirs| theirs.to_string())
                    .unwrap_or_default(),
                page.vs_anchor
                    .and_then(|s| s.precision())
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_default(),
                page.vs_anchor
                    .and_then(|s| s.recall())
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_default(),
                page.snippets
                    .map(|(ours, _)| ours.found.to_string())
                    .unwrap_or_default(),
                page.snippets
                    .map(|(ours, _)| ours.missed.to_string())
                    .unwrap_or_default(),
                page.snippets
                    .and_then(|(_, theirs)| theirs)
                    .map(|theirs| theirs.found.to_string())
                    .unwrap_or_default(),
            )?;
        }
        println!("per-page scores written to {path}");
    }
    if let Some(path) = &args.bodies_out {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for (corpus, id, body) in &bodies {
            let line = serde_json::json!({"corpus": corpus, "id": id, "body": body});
            writeln!(out, "{line}")?;
        }
        println!("bodies written to {path}");
    }
    Ok(())
}

fn summary_cell(scores: &[metric::PageScore]) -> String {
    if scores.is_empty() {
        return format!("{:>22}", "–");
    }
    let s = metric::summarize(scores);
    format!("{:.3} ({:.3}/{:.3})", s.f1, s.precision, s.recall)
}

fn print_tables(scored: &[Scored], anchor_name: &str) {
    let anchor = !anchor_name.is_empty();
    println!("HTML path body, benchmark metric: F1 (P/R), pages with a full body label");
    println!(
        "{:<28} {:>5}  {:<22} {}",
        "source / language",
        "pages",
        "newsflow",
        if anchor { anchor_name } else { "" }
    );
    let mut groups: BTreeMap<String, Vec<&Scored>> = BTreeMap::new();
    for page in scored.iter().filter(|p| p.ours.is_some()) {
        groups.entry(page.group.clone()).or_default().push(page);
        if page.corpus == "news-pages" {
            groups
                .entry(format!("  news-pages lang {}", page.language))
                .or_default()
                .push(page);
        }
    }
    let mut silver_all = Vec::new();
    for (name, pages) in &groups {
        let ours: Vec<_> = pages.iter().filter_map(|p| p.ours).collect();
        let theirs: Vec<_> = pages.iter().filter_map(|p| p.theirs).collect();
        if !name.starts_with("  ") && name != "extraction (gold)" {
            silver_all.extend(pages.iter().copied());
        }
        println!(
            "{:<28} {:>5}  {:<22} {}",
            name,
            pages.len(),
            summary_cell(&ours),
            if anchor {
                summary_cell(&theirs)
            } else {
                String::new()
            }
        );
    }
    let ours: Vec<_> = silver_all.iter().filter_map(|p| p.ours).collect();
    let theirs: Vec<_> = silver_all.iter().filter_map(|p| p.theirs).collect();
    println!(
        "{:<28} {:>5}  {:<22} {}",
        "news-pages silver, all",
        silver_all.len(),
        summary_cell(&ours),
        if anchor {
            summary_cell(&theirs)
        } else {
            String::new()
        }
    );

    let starts: Vec<_> = scored.iter().filter_map(|p| p.start).collect();
    if !starts.is_empty() {
        let ours = starts.iter().filter(|(o, _)| *o).count();
        let theirs = starts.iter().filter(|(_, t)| *t == Some(true)).count();
        let n = starts.len();
        let other = if anchor {
            format!(", {anchor_name} {theirs}/{n}")
        } else {
            String::new()
        };
        println!(
            "postlight body start found (first 12 words, hand-written labels): newsflow {ours}/{n}{other}"
        );
    }
    // pages with no body label: how often the body is missing or far shorter than the anchor's
    if anchor {
        for corpus_group in ["htmldate", "postlight"] {
            let pages: Vec<_> = scored.iter().filter(|p| p.group == corpus_group).collect();
            let long: Vec<_> = pages
                .iter()
                .filter(|p| p.theirs_chars.unwrap_or(0) >= 1000)
                .collect();
            let short = long
                .iter()
                .filter(|p| p.ours_chars * 2 < p.theirs_chars.unwrap_or(0))
                .count();
            let empty = long.iter().filter(|p| p.ours_chars < 200).count();
            println!(
                "{corpus_group}: of {} pages where {anchor_name} finds ≥1,000 chars, newsflow's body is under half of it on {short}, under 200 chars on {empty}",
                long.len()
            );
            let agreement: Vec<metric::PageScore> =
                pages.iter().filter_map(|p| p.vs_anchor).collect();
            if !agreement.is_empty() {
                let s = metric::summarize(&agreement);
                println!(
                    "{corpus_group}: newsflow's body against {anchor_name}'s as if it were the truth, {} pages: F1 {:.3}, share of its text we give (R) {:.3}, share of ours it gives (P) {:.3}",
                    agreement.len(),
                    s.f1,
                    s.recall,
                    s.precision
                );
            }
        }
    }
    print_snippets(scored, anchor_name);
    let mut ms: Vec<f64> = scored.iter().map(|p| p.ms).collect();
    ms.sort_by(f64::total_cmp);
    let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
    let median = ms.get(ms.len() / 2).copied().unwrap_or(0.0);
    print!(
        "ms per page over {} pages (decode + clean, one thread): newsflow mean {mean:.2}, median {median:.2}",
        ms.len()
    );
    if anchor {
        let mut theirs: Vec<f64> = scored.iter().filter_map(|p| p.their_ms).collect();
        theirs.sort_by(f64::total_cmp);
        let their_mean = theirs.iter().sum::<f64>() / theirs.len().max(1) as f64;
        let their_median = theirs.get(theirs.len() / 2).copied().unwrap_or(0.0);
        print!(
            "; {anchor_name} mean {their_mean:.2}, median {their_median:.2} ({:.1}x newsflow's mean)",
            their_mean / mean.max(1e-9)
        );
    }
    println!();
}

/// Snippet precision and recall on the hand-sampled pages, per language (de, en, other, all)
/// and per source when more than one is labelled, with the pages where a tool finds none of the
/// article's snippets.
fn print_snippets(scored: &[Scored], anchor_name: &str) {
    let labelled: Vec<&Scored> = scored.iter().filter(|p| p.snippets.is_some()).collect();
    if labelled.is_empty() {
        return;
    }
    println!(
        "hand-picked snippets (config/eval/body-snippets.jsonl): F (P/R) summed over pages; recall without each page's first snippet; pages where none of the article's snippets is found"
    );
    let group_of = |language: &str| match language {
        "de" | "en" => language.to_string(),
        _ => "other".to_string(),
    };
    let mut groups: BTreeMap<String, Vec<&Scored>> = BTreeMap::new();
    for page in &labelled {
        groups
            .entry(group_of(&page.language))
            .or_default()
            .push(page);
        groups.entry("all".to_string()).or_default().push(page);
    }
    // and per source, to judge a change on each
    let sources: BTreeSet<&str> = labelled.iter().map(|page| page.group.as_str()).collect();
    if sources.len() > 1 {
        for page in &labelled {
            groups
                .entry(format!("src {}", page.group))
                .or_default()
                .push(page);
        }
    }
    let cell = |tallies: &[SnippetTally]| {
        let mut sum = SnippetTally::default();
        for tally in tallies {
            sum.add(*tally);
        }
        let (p, r, f) = sum.prf();
        let none = tallies.iter().filter(|t| t.found == 0).count();
        // recall past the opening paragraph: every article snippet but the first
        let rest_found = sum.found - (tallies.len() - sum.first_missed);
        let rest = rest_found as f64 / (rest_found + sum.missed - sum.first_missed).max(1) as f64;
        format!("{f:.3} ({p:.3}/{r:.3}) R past opening {rest:.3}, none on {none:>2}")
    };
    for (name, pages) in &groups {
        let ours: Vec<SnippetTally> = pages
            .iter()
            .filter_map(|p| p.snippets.map(|s| s.0))
            .collect();
        let theirs: Vec<SnippetTally> = pages
            .iter()
            .filter_map(|p| p.snippets.and_then(|s| s.1))
            .collect();
        let their_cell = if anchor_name.is_empty() || theirs.is_empty() {
            String::new()
        } else {
            format!("  {anchor_name} {}", cell(&theirs))
        };
        println!(
            "  {name:<13} {:>4} pages  newsflow {}{their_cell}",
            pages.len(),
            cell(&ours)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(with: &[&str], without: &[&str]) -> SnippetLabel {
        SnippetLabel {
            id: "page".to_string(),
            kind: "article".to_string(),
            language: None,
            with: with.iter().map(|s| s.to_string()).collect(),
            without: without.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn snippets_are_found_across_line_breaks_and_no_break_spaces() {
        let page = label(
            &[
                "Die Stadt plant einen neuen Park",
                "am Ende des Artikels steht",
            ],
            &["Kommentare schreiben"],
        );
        let body = "Die Stadt plant\neinen\u{a0}neuen Park am Fluss.\nNichts weiter.";
        let tally = SnippetTally::of(&page, body);
        assert_eq!((tally.found, tally.missed), (1, 1));
        assert_eq!((tally.furniture_kept, tally.furniture_dropped), (0, 1));
        assert_eq!(tally.first_missed, 0);
    }

    #[test]
    fn summed_counts_give_precision_and_recall() {
        let page = label(
            &["a standfirst of the story", "the body itself"],
            &["Leave a Reply"],
        );
        let mut sum = SnippetTally::of(&page, "the body itself\nLeave a Reply");
        sum.add(SnippetTally::of(
            &page,
            "a standfirst of the story\nthe body itself",
        ));
        assert_eq!(sum.first_missed, 1);
        let (precision, recall, _) = sum.prf();
        assert!((precision - 0.75).abs() < 1e-9, "{precision}");
        assert!((recall - 0.75).abs() < 1e-9, "{recall}");
    }
}
