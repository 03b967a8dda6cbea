//! `newsflow eval meta`: page metadata (title, published date, person authors, outlet,
//! language) scored on `news-pages` per source and per language, beside an anchor tool's
//! output for the same pages (`scripts/anchors/trafilatura_pages.py`).
//!
//! Each figure is a mean over the pages that carry the label: title exact match (normalised)
//! and token F1, published day match (`YYYY-MM-DD`), author set F1 over normalised names, site
//! name exact match (normalised), language primary-subtag match. Synthetic pages are left out.
//! newspaper4k's authors are its own (noisy) output: reported, not to be tuned on.
//!
//! Hand-checked labels (`config/eval/meta-hand.jsonl`: title, person authors and agencies of
//! the non-English pages that their source left without them, read off each page by a person)
//! fill the labels a page lacks; their pages are also reported as a group of their own.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use newsflow_corpus::news_pages::{NewsPage, NewsPages};
use newsflow_model::Format;
use newsflow_pipeline::{ModelBytes, Pipeline};

/// `newsflow eval meta`
#[derive(Debug, Clone, clap::Args)]
pub struct EvalMetaArgs {
    /// The shared data root (holds news-pages/).
    #[arg(long, default_value = "../shared/data")]
    pub data: String,
    /// JSON lines of another tool on the same pages (first line `{"tool","version"}`, then
    /// `{"corpus","id","title","date","authors","sitename","language","ms"}` per page).
    #[arg(long)]
    pub anchor: Option<String>,
    /// Only pages of this source.
    #[arg(long)]
    pub source: Option<String>,
    /// List the pages where newsflow misses this field (title, date, authors, site, language).
    #[arg(long)]
    pub show: Option<String>,
    /// Write newsflow's metadata for every page here (JSON lines: id, source, language,
    /// title, date, authors, agencies, site, modified).
    #[arg(long)]
    pub dump: Option<String>,
    /// How many misses `--show` lists.
    #[arg(long, default_value_t = 40)]
    pub limit: usize,
    /// Hand-checked labels that fill what a page's source left out (JSON lines: id, language,
    /// kind, title, authors, agencies); read when the file exists.
    #[arg(long, default_value = "config/eval/meta-hand.jsonl")]
    pub hand: String,
}

/// A page's metadata as a person read it off the page (`config/eval/meta-hand.jsonl`).
#[derive(Debug, Clone, serde::Deserialize)]
struct HandLabel {
    id: String,
    /// `article` or `other` (a front page, a list, a product page).
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    agencies: Vec<String>,
}

/// The hand-checked labels by page id; none when the file does not exist.
fn read_hand(path: &str) -> anyhow::Result<HashMap<String, HandLabel>> {
    let labels: Vec<HandLabel> = super::read_hand_labels(path, "a hand label")?;
    Ok(labels
        .into_iter()
        .map(|label| (label.id.clone(), label))
        .collect())
}

/// Counts over the hand-checked pages that name nobody, and over their agencies.
#[derive(Debug, Default)]
struct HandTally {
    /// Article pages the hand labels credit to no person, and how many of them each tool
    /// credits to someone anyway (ours, the anchor's).
    no_author_pages: usize,
    no_author_named: [usize; 2],
    /// Agencies: hand-labelled, ours, and ours that are right (names compared normalised).
    agencies: [usize; 3],
}

/// Standfirsts against postlight's `dek` labels: pages with a label, where ours matches it
/// (token F1 >= 0.8), where ours is another text, where we give none; and the pages of every
/// source where we give one.
#[derive(Debug, Default)]
struct DekTally {
    labelled: usize,
    right: usize,
    other: usize,
    given: usize,
    pages: usize,
}

/// One tool's metadata for a page.
#[derive(Debug, Clone, Default)]
struct Meta {
    title: Option<String>,
    date: Option<String>,
    authors: Vec<String>,
    site: Option<String>,
    language: Option<String>,
}

const FIELDS: [&str; 6] = [
    "title exact",
    "title F1",
    "date",
    "authors F1",
    "site",
    "language",
];

/// Scores of one page, by field (absent where the page has no label for it).
fn score(page: &NewsPage, meta: &Meta) -> [Option<f64>; 6] {
    let exact = |ok: bool| if ok { 1.0 } else { 0.0 };
    let title = page.title.as_deref().filter(|t| !t.trim().is_empty());
    let title_exact = title.map(|truth| {
        exact(
            meta.title
                .as_deref()
                .is_some_and(|ours| normalise_text(ours) == normalise_text(truth)),
        )
    });
    let title_f1 =
        title.map(|truth| token_f1(&tokens(truth), &tokens(meta.title.as_deref().unwrap_or(""))));
    let date = page.published.as_deref().and_then(|truth| {
        day(truth).map(|truth_day| {
            let ours = meta.date.as_deref();
            exact(
                ours.and_then(day) == Some(truth_day)
                    || ours.is_some_and(|o| same_instant(truth, o))
                    || ours
                        .and_then(day)
                        .is_some_and(|o| local_midnight_on(truth, o)),
            )
        })
    });
    let authors = (!page.authors.is_empty()).then(|| {
        let truth: Vec<String> = page.authors.iter().map(|a| normalise_name(a)).collect();
        let ours: Vec<String> = meta.authors.iter().map(|a| normalise_name(a)).collect();
        set_f1(&truth, &ours)
    });
    let site = page
        .site_name
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|truth| {
            exact(
                meta.site
                    .as_deref()
                    .is_some_and(|ours| normalise_site(ours) == normalise_site(truth)),
            )
        });
    let language = page
        .language
        .as_deref()
        .and_then(primary_subtag)
        .map(|truth| exact(meta.language.as_deref().and_then(primary_subtag) == Some(truth)));
    [title_exact, title_f1, date, authors, site, language]
}

fn normalise_text(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|ch| match ch {
            '‘' | '’' | '′' => '\'',
            '“' | '”' | '„' | '«' | '»' => '"',
            '–' | '—' | '‐' => '-',
            '\u{a0}' => ' ',
            _ => ch,
        })
        .collect();
    mapped
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|ch: char| !ch.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn token_f1(truth: &[String], ours: &[String]) -> f64 {
    if truth.is_empty() || ours.is_empty() {
        return if truth.is_empty() && ours.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    let mut counts: HashMap<&str, i32> = HashMap::new();
    for token in truth {
        *counts.entry(token).or_default() += 1;
    }
    let mut common = 0;
    for token in ours {
        if let Some(count) = counts.get_mut(token.as_str()) {
            if *count > 0 {
                *count -= 1;
                common += 1;
            }
        }
    }
    if common == 0 {
        return 0.0;
    }
    let precision = f64::from(common) / ours.len() as f64;
    let recall = f64::from(common) / truth.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

fn normalise_name(name: &str) -> String {
    tokens(name).join(" ")
}

fn set_f1(truth: &[String], ours: &[String]) -> f64 {
    let truth: HashSet<&str> = truth
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    let ours: HashSet<&str> = ours
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if truth.is_empty() || ours.is_empty() {
        return 0.0;
    }
    let common = truth.intersection(&ours).count() as f64;
    if common == 0.0 {
        return 0.0;
    }
    let precision = common / ours.len() as f64;
    let recall = common / truth.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

fn normalise_site(site: &str) -> String {
    site.chars()
        .filter(|ch| ch.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Two timestamps that both carry a time and a zone name the same instant, whatever offset
/// each is written in (`2016-12-20T00:08:44.000Z` and `2016-12-19T19:08:44-05:00`): the same
/// answer, though their local days differ.
fn same_instant(a: &str, b: &str) -> bool {
    let parse = |text: &str| {
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .ok()
    };
    matches!((parse(a), parse(b)), (Some(a), Some(b)) if (a - b).whole_seconds().abs() < 60)
}

/// A label that is a local day written as its midnight in UTC (`2019-04-01T15:00:00.000Z` is
/// 2 April 0:00 in Tokyo): `ours` names that day when the label is 0:00 at some UTC offset
/// from −12 to +14 hours (in quarter hours) on the day `ours` names.
fn local_midnight_on(truth: &str, ours: &str) -> bool {
    let Ok(instant) =
        time::OffsetDateTime::parse(truth.trim(), &time::format_description::well_known::Rfc3339)
    else {
        return false;
    };
    (-48i64..=56).any(|quarters| {
        let local = instant + time::Duration::minutes(quarters * 15);
        local.hour() == 0
            && local.minute() == 0
            && local.second() == 0
            && local.date().to_string() == ours
    })
}

/// `YYYY-MM-DD` at the start of a date text.
fn day(text: &str) -> Option<&str> {
    let head = text.trim().get(..10)?;
    let bytes = head.as_bytes();
    let shape = bytes.iter().enumerate().all(|(i, b)| match i {
        4 | 7 => *b == b'-',
        _ => b.is_ascii_digit(),
    });
    shape.then_some(head)
}

fn primary_subtag(lang: &str) -> Option<String> {
    let primary = lang.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (!primary.is_empty()).then_some(primary)
}

/// The anchor tool's metadata and ms per page, by news-pages id.
type AnchorPages = HashMap<String, (Meta, f64)>;

/// The anchor tool's name and version, and its metadata per news-pages id.
fn read_anchor(path: &str) -> anyhow::Result<(String, AnchorPages)> {
    let anchor = newsflow_corpus::anchor::read(Path::new(path))?;
    let pages = anchor
        .pages
        .into_values()
        .filter(|page| page.corpus == "news-pages")
        .map(|page| {
            let meta = Meta {
                title: page.title,
                date: page.date,
                authors: page.authors,
                site: page.sitename,
                language: page.language,
            };
            (page.id, (meta, page.ms))
        })
        .collect();
    Ok((anchor.tool, pages))
}

/// Sums of scores per field for one tool.
#[derive(Debug, Clone, Default)]
struct Tally {
    sum: [f64; 6],
    count: [usize; 6],
}

impl Tally {
    fn add(&mut self, scores: &[Option<f64>; 6]) {
        for (field, value) in scores.iter().enumerate() {
            if let Some(value) = value {
                self.sum[field] += value;
                self.count[field] += 1;
            }
        }
    }

    fn mean(&self, field: usize) -> Option<f64> {
        (self.count[field] > 0).then(|| self.sum[field] / self.count[field] as f64)
    }
}

fn cell(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"))
}

fn print_table(title: &str, groups: &BTreeMap<String, (Tally, Tally)>, anchor_tool: Option<&str>) {
    println!("\n## {title}\n");
    let header: Vec<String> = FIELDS.iter().map(|f| format!("{f:>17}")).collect();
    println!("{:<14} {:>4} {}", "group", "n", header.join(" "));
    for (group, (ours, theirs)) in groups {
        let pages = ours.count.iter().max().copied().unwrap_or(0);
        let cells: Vec<String> = (0..FIELDS.len())
            .map(|field| {
                let pair = match anchor_tool {
                    Some(_) => format!("{}/{}", cell(ours.mean(field)), cell(theirs.mean(field))),
                    None => cell(ours.mean(field)),
                };
                format!("{:>13} {:>3}", pair, ours.count[field])
            })
            .collect();
        println!("{group:<14} {pages:>4} {}", cells.join(" "));
    }
    if let Some(tool) = anchor_tool {
        println!("(each cell: newsflow/{tool}, then the number of labelled pages)");
    }
}

fn field_index(name: &str) -> Option<usize> {
    match name {
        "title" => Some(0),
        "date" => Some(2),
        "authors" => Some(3),
        "site" => Some(4),
        "language" => Some(5),
        _ => None,
    }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

pub fn run_eval_meta(args: &EvalMetaArgs) -> anyhow::Result<()> {
    let root = Path::new(&args.data).join("news-pages");
    let corpus = NewsPages::open(&root)?;
    let anchor = args.anchor.as_deref().map(read_anchor).transpose()?;
    let pipeline = Pipeline::new(&ModelBytes::default(), Vec::new())?;
    let hand = read_hand(&args.hand)?;
    let mut hand_tally = HandTally::default();
    let mut deks = DekTally::default();
    let show = args
        .show
        .as_deref()
        .map(|name| {
            field_index(name).ok_or_else(|| {
                anyhow::anyhow!("--show takes title, date, authors, site or language")
            })
        })
        .transpose()?;

    let mut by_source: BTreeMap<String, (Tally, Tally)> = BTreeMap::new();
    let mut by_language: BTreeMap<String, (Tally, Tally)> = BTreeMap::new();
    let mut clean_ms = Vec::new();
    let mut anchor_ms = Vec::new();
    let mut shown = 0;
    let mut clean_errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut dump = match &args.dump {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {path}"))?,
        )),
        None => None,
    };
    for page in &corpus.pages {
        if page.synthetic || args.source.as_deref().is_some_and(|s| s != page.source) {
            continue;
        }
        // the hand-checked labels fill what the source left out, never replace its own
        let hand_label = hand.get(&page.id);
        let filled;
        let page = match hand_label {
            Some(label) => {
                let mut copy = page.clone();
                if copy.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
                    copy.title = label.title.clone();
                }
                if copy.authors.is_empty() {
                    copy.authors = label.authors.clone();
                }
                filled = copy;
                &filled
            }
            None => page,
        };
        let bytes = corpus.html(page)?;
        let raw = super::eval_input(&page.id, &page.file, Format::Html, &bytes);
        let started = Instant::now();
        let cleaned = pipeline.clean(&raw);
        clean_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let mut our_agencies = Vec::new();
        let ours = match cleaned {
            Ok(mut record) => {
                pipeline.classify(&mut record);
                pipeline.extract(&mut record);
                our_agencies = record.agencies.clone();
                deks.pages += 1;
                deks.given += usize::from(record.standfirst.is_some());
                if let Some(truth) = page.dek.as_deref().filter(|dek| !dek.trim().is_empty()) {
                    deks.labelled += 1;
                    match record.standfirst.as_deref() {
                        Some(ours) if token_f1(&tokens(truth), &tokens(ours)) >= 0.8 => {
                            deks.right += 1
                        }
                        Some(_) => deks.other += 1,
                        None => {}
                    }
                }
                if let Some(out) = dump.as_mut() {
                    let line = serde_json::json!({
                        "id": page.id,
                        "source": page.source,
                        "language": record.language,
                        "title": record.title,
                        "date": record.published,
                        "authors": record.authors,
                        "agencies": record.agencies,
                        "site": record.outlet,
                        "modified": record.modified,
                        "standfirst": record.standfirst,
                    });
                    writeln!(out, "{line}")?;
                }
                Meta {
                    title: record.title,
                    date: record.published,
                    authors: record.authors,
                    site: record.outlet,
                    language: record.language,
                }
            }
            Err(error) => {
                *clean_errors.entry(error.error.kind.clone()).or_default() += 1;
                Meta::default()
            }
        };
        let our_scores = score(page, &ours);
        let their = anchor
            .as_ref()
            .and_then(|(_, pages)| pages.get(&page.id).cloned());
        let their_scores = their
            .as_ref()
            .map(|(meta, _)| score(page, meta))
            .unwrap_or_default();
        if let Some((_, ms)) = &their {
            anchor_ms.push(*ms);
        }
        let mut groups = vec![page.source.clone(), "all".to_string()];
        if let Some(label) = hand_label {
            groups.push("hand-checked".to_string());
            if label.kind.as_deref() != Some("other") && label.authors.is_empty() {
                hand_tally.no_author_pages += 1;
                hand_tally.no_author_named[0] += usize::from(!ours.authors.is_empty());
                hand_tally.no_author_named[1] +=
                    usize::from(their.as_ref().is_some_and(|(t, _)| !t.authors.is_empty()));
            }
            let truth: HashSet<String> = label.agencies.iter().map(|a| normalise_site(a)).collect();
            hand_tally.agencies[0] += truth.len();
            hand_tally.agencies[1] += our_agencies.len();
            hand_tally.agencies[2] += our_agencies
                .iter()
                .filter(|a| truth.contains(&normalise_site(a)))
                .count();
        }
        for group in groups {
            let entry = by_source.entry(group).or_default();
            entry.0.add(&our_scores);
            entry.1.add(&their_scores);
        }
        let entry = by_language.entry(page.language_or_unknown()).or_default();
        entry.0.add(&our_scores);
        entry.1.add(&their_scores);
        if let Some(field) = show {
            if our_scores[field].is_some_and(|s| s < 1.0) && shown < args.limit {
                shown += 1;
                let (truth, mine, other) = match field {
                    0 => (
                        page.title.clone(),
                        ours.title.clone(),
                        their.and_then(|t| t.0.title),
                    ),
                    2 => (
                        page.published.clone(),
                        ours.date.clone(),
                        their.and_then(|t| t.0.date),
                    ),
                    3 => (
                        Some(page.authors.join("; ")),
                        Some(ours.authors.join("; ")),
                        their.map(|t| t.0.authors.join("; ")),
                    ),
                    4 => (
                        page.site_name.clone(),
                        ours.site.clone(),
                        their.and_then(|t| t.0.site),
                    ),
                    _ => (
                        page.language.clone(),
                        ours.language.clone(),
                        their.and_then(|t| t.0.language),
                    ),
                };
                println!(
                    "{} [{}]\n  label:    {}\n  newsflow: {}\n  anchor:   {}",
                    page.id,
                    page.language_or_unknown(),
                    truth.unwrap_or_default(),
                    mine.unwrap_or_default(),
                    other.unwrap_or_default()
                );
            }
        }
    }
    let tool = anchor.as_ref().map(|(tool, _)| tool.as_str());
    print_table("per source", &by_source, tool);
    // languages with few pages are pooled
    let mut languages: BTreeMap<String, (Tally, Tally)> = BTreeMap::new();
    for (language, tallies) in by_language {
        let pages = tallies.0.count.iter().max().copied().unwrap_or(0);
        let group = if pages >= 3 || language == "nl" || language == "it" {
            language
        } else {
            "other".to_string()
        };
        let entry = languages.entry(group).or_default();
        for field in 0..FIELDS.len() {
            entry.0.sum[field] += tallies.0.sum[field];
            entry.0.count[field] += tallies.0.count[field];
            entry.1.sum[field] += tallies.1.sum[field];
            entry.1.count[field] += tallies.1.count[field];
        }
    }
    print_table(
        "per language (as labelled; under 3 pages pooled as other)",
        &languages,
        tool,
    );
    let pages = clean_ms.len();
    let mean = clean_ms.iter().sum::<f64>() / pages.max(1) as f64;
    println!(
        "\nnewsflow clean stage: {pages} pages, {mean:.2} ms per page (median {:.2})",
        median(&mut clean_ms)
    );
    if let Some(tool) = tool {
        let count = anchor_ms.len();
        let mean = anchor_ms.iter().sum::<f64>() / count.max(1) as f64;
        println!(
            "{tool}: {count} pages, {mean:.2} ms per page (median {:.2})",
            median(&mut anchor_ms)
        );
    }
    if !clean_errors.is_empty() {
        println!("pages without a record (clean stage error, all fields missed): {clean_errors:?}");
    }
    println!("(authors of newspaper4k are its own noisy output: reported, not tuned on)");
    println!(
        "standfirst: given on {} of {} pages; postlight's hand-written deks ({}): newsflow's matches on {} (token F1 >= 0.8), another text on {}, none on {}",
        deks.given,
        deks.pages,
        deks.labelled,
        deks.right,
        deks.other,
        deks.labelled - deks.right - deks.other
    );
    if !hand.is_empty() {
        println!(
            "hand-checked labels ({}): {} pages; of {} articles crediting no person, newsflow names \
             someone on {}{}; agencies: {} labelled, newsflow gives {} of which {} right",
            args.hand,
            hand.len(),
            hand_tally.no_author_pages,
            hand_tally.no_author_named[0],
            tool.map_or_else(String::new, |tool| format!(
                " ({tool} on {})",
                hand_tally.no_author_named[1]
            )),
            hand_tally.agencies[0],
            hand_tally.agencies[1],
            hand_tally.agencies[2],
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores() {
        assert_eq!(day("2019-11-19T17:50:00Z"), Some("2019-11-19"));
        assert_eq!(day("2019-1-19"), None);
        let a = tokens("Kim visits Moscow");
        assert!((token_f1(&a, &tokens("kim visits moscow")) - 1.0).abs() < 1e-9);
        assert_eq!(normalise_name("Jill  Dougherty."), "jill dougherty");
        let truth = vec!["a b".to_string(), "c d".to_string()];
        assert!((set_f1(&truth, &["a b".to_string()]) - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(normalise_site("The Verge"), "theverge");
        assert_eq!(primary_subtag("de-DE").as_deref(), Some("de"));
        // a local day written as its midnight in UTC
        assert!(local_midnight_on("2019-04-01T15:00:00.000Z", "2019-04-02"));
        assert!(local_midnight_on("2019-04-01T18:30:00Z", "2019-04-02"));
        assert!(!local_midnight_on("2019-04-01T15:00:00.000Z", "2019-04-03"));
        assert!(!local_midnight_on("2019-04-01T15:07:00Z", "2019-04-02"));
        assert!(!local_midnight_on("2019-04-01", "2019-04-02"));
    }
}
