//! `newsflow eval quotes`: quote precision, recall and speaker accuracy per language on the
//! hand-checked set `config/eval/quotes.jsonl` (issue 20, issue 16).
//!
//! Each line of the set names an article (`seeds/<file>` or a `news-pages` id) and the quotes
//! a careful reader marks in its cleaned body: `{"id","language","quotes":[{"text","speaker"}]}`.
//! The page text is not stored: the article goes through the configured pipeline (clean,
//! classify, extract) on the fly, as `newsflow process` would run it.
//!
//! Match rule: quote texts are normalised to lowercase alphanumeric tokens; a found quote and a
//! gold quote match when their token overlap (shared tokens, counted with multiplicity) is at
//! least half of the longer one's tokens. Pairs are matched one to one, best overlap first.
//! Precision is matched / found, recall matched / gold. Speaker accuracy is over the matched
//! pairs: the normalised speakers are equal (both `null` counts as equal).
//!
//! `--sample FILE` writes the articles the selection rule picks (see [`select`]) with their
//! cleaned bodies, for annotating a new set; the rule does not look at the extractor's output.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use newsflow_corpus::news_pages::NewsPages;
use newsflow_model::{Format, Quote, Record};
use newsflow_pipeline::Pipeline;
use serde::{Deserialize, Serialize};

/// `newsflow eval quotes`
#[derive(Debug, Clone, clap::Args)]
pub struct EvalQuotesArgs {
    /// The shared data root (holds news-pages/).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Folder of the seed articles (plain text).
    #[arg(long, default_value = "seeds")]
    pub seeds: PathBuf,
    /// The hand-checked quote set (JSON lines).
    #[arg(long, default_value = "config/eval/quotes.jsonl")]
    pub gold: PathBuf,
    /// List every missed quote, false quote and wrong speaker.
    #[arg(long)]
    pub show: bool,
    /// Instead of scoring: write the sample the selection rule picks (id, language, body) here.
    #[arg(long)]
    pub sample: Option<PathBuf>,
    /// With `--sample`: news pages per language.
    #[arg(long, default_value_t = 25)]
    pub per_language: usize,
}

/// One gold quote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldQuote {
    pub text: String,
    pub speaker: Option<String>,
}

/// One article of the set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldArticle {
    /// `seeds/<file>` or a news-pages id.
    pub id: String,
    pub language: String,
    pub quotes: Vec<GoldQuote>,
}

/// Languages the sample takes news pages of (issue 16's list).
const SAMPLE_LANGUAGES: [&str; 7] = ["en", "de", "fr", "es", "it", "pt", "nl"];
/// A sampled page's cleaned body has at least this many characters.
const MIN_BODY_CHARS: usize = 1500;
/// Double quotation marks of any style; a sampled body has at least one.
const QUOTE_MARKS: [char; 8] = ['"', '“', '”', '„', '«', '»', '「', '」'];

/// Lowercase alphanumeric tokens.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Shared tokens (with multiplicity) over the longer side's token count.
pub fn overlap(a: &str, b: &str) -> f64 {
    let (ta, tb) = (tokens(a), tokens(b));
    let longer = ta.len().max(tb.len());
    if longer == 0 {
        return 0.0;
    }
    let mut counts: HashMap<&str, i32> = HashMap::new();
    for t in &ta {
        *counts.entry(t.as_str()).or_default() += 1;
    }
    let mut shared = 0;
    for t in &tb {
        if let Some(count) = counts.get_mut(t.as_str()) {
            if *count > 0 {
                *count -= 1;
                shared += 1;
            }
        }
    }
    shared as f64 / longer as f64
}

fn same_speaker(gold: Option<&str>, found: Option<&str>) -> bool {
    let norm = |s: Option<&str>| s.map(|s| tokens(s).join(" ")).filter(|s| !s.is_empty());
    norm(gold) == norm(found)
}

/// One-to-one matches (gold index, found index), best overlap first, overlap ≥ 0.5.
pub fn match_quotes(gold: &[GoldQuote], found: &[Quote]) -> Vec<(usize, usize)> {
    let mut candidates = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (fi, f) in found.iter().enumerate() {
            let score = overlap(&g.text, &f.text);
            if score >= 0.5 {
                candidates.push((score, gi, fi));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut gold_used = vec![false; gold.len()];
    let mut found_used = vec![false; found.len()];
    let mut out = Vec::new();
    for (_, gi, fi) in candidates {
        if gold_used[gi] || found_used[fi] {
            continue;
        }
        gold_used[gi] = true;
        found_used[fi] = true;
        out.push((gi, fi));
    }
    out.sort_unstable();
    out
}

/// Counts of one language.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    articles: usize,
    gold: usize,
    found: usize,
    matched: usize,
    speaker_right: usize,
}

fn ratio(num: usize, den: usize) -> String {
    if den == 0 {
        "-".to_string()
    } else {
        format!("{:.3}", num as f64 / den as f64)
    }
}

/// A seed as a raw text input, or a news page's HTML.
fn article_record(
    id: &str,
    args: &EvalQuotesArgs,
    pages: &NewsPages,
    pipeline: &Pipeline,
) -> anyhow::Result<Option<Record>> {
    let (bytes, format, source) = if let Some(file) = id.strip_prefix("seeds/") {
        let path = args.seeds.join(file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        (bytes, Format::Txt, path.display().to_string())
    } else {
        let page = pages
            .pages
            .iter()
            .find(|p| p.id == id)
            .with_context(|| format!("{id} is not a news-pages id"))?;
        (pages.html(page)?, Format::Html, page.file.clone())
    };
    let raw = super::eval_input(id, &source, format, &bytes);
    Ok(pipeline.process(&raw).ok())
}

/// The sample: the 5 seeds, then per language the news pages ordered by a fixed hash of their
/// id (a reproducible shuffle), not synthetic, whose cleaned body is detected as that
/// language, has at least [`MIN_BODY_CHARS`] characters and holds a double quotation mark;
/// the first `per_language` of each.
fn select(
    args: &EvalQuotesArgs,
    pages: &NewsPages,
    pipeline: &Pipeline,
) -> anyhow::Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    let mut seeds: Vec<String> = std::fs::read_dir(&args.seeds)
        .with_context(|| format!("reading {}", args.seeds.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".txt"))
        .collect();
    seeds.sort();
    for seed in seeds {
        let id = format!("seeds/{seed}");
        if let Some(record) = article_record(&id, args, pages, pipeline)? {
            out.push((id, "en".to_string(), record.body));
        }
    }
    let mut order: Vec<&newsflow_corpus::news_pages::NewsPage> =
        pages.pages.iter().filter(|p| !p.synthetic).collect();
    order.sort_by_key(|p| (fnv(&p.id), p.id.clone()));
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    for page in order {
        let Some(record) = article_record(&page.id, args, pages, pipeline)? else {
            continue;
        };
        let Some(language) = record.language.clone() else {
            continue;
        };
        if !SAMPLE_LANGUAGES.contains(&language.as_str())
            || record.body.chars().count() < MIN_BODY_CHARS
            || !record.body.contains(QUOTE_MARKS)
        {
            continue;
        }
        let count = taken.entry(language.clone()).or_default();
        if *count >= args.per_language {
            continue;
        }
        *count += 1;
        out.push((page.id.clone(), language, record.body));
    }
    Ok(out)
}

/// FNV-1a of a string: the fixed shuffle of the sample.
fn fnv(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub fn run_eval_quotes(config: Option<&Path>, args: &EvalQuotesArgs) -> anyhow::Result<()> {
    let config = crate::settings::load_config(config)?;
    let pipeline = crate::settings::pipeline(&config)?;
    let pages = NewsPages::open(&args.data.join("news-pages"))?;
    if let Some(path) = &args.sample {
        let sample = select(args, &pages, &pipeline)?;
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        for (id, language, body) in &sample {
            let line = serde_json::json!({"id": id, "language": language, "body": body});
            writeln!(out, "{line}")?;
        }
        println!("sample: {} articles -> {}", sample.len(), path.display());
        return Ok(());
    }
    let text = std::fs::read_to_string(&args.gold)
        .with_context(|| format!("reading {}", args.gold.display()))?;
    let mut by_language: BTreeMap<String, Tally> = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let article: GoldArticle = serde_json::from_str(line)
            .with_context(|| format!("{} line {}", args.gold.display(), number + 1))?;
        let record = article_record(&article.id, args, &pages, &pipeline)?;
        let found = record.and_then(|r| r.quotes).unwrap_or_default();
        let matches = match_quotes(&article.quotes, &found);
        let tally = by_language.entry(article.language.clone()).or_default();
        tally.articles += 1;
        tally.gold += article.quotes.len();
        tally.found += found.len();
        tally.matched += matches.len();
        for (gi, fi) in &matches {
            let gold = &article.quotes[*gi];
            let ours = &found[*fi];
            if same_speaker(gold.speaker.as_deref(), ours.speaker.as_deref()) {
                tally.speaker_right += 1;
            } else if args.show {
                println!(
                    "{} speaker: gold {:?}, found {:?}: {}",
                    article.id,
                    gold.speaker,
                    ours.speaker,
                    short(&gold.text)
                );
            }
        }
        if args.show {
            for (gi, gold) in article.quotes.iter().enumerate() {
                if !matches.iter().any(|(g, _)| *g == gi) {
                    println!("{} missed: {}", article.id, short(&gold.text));
                }
            }
            for (fi, ours) in found.iter().enumerate() {
                if !matches.iter().any(|(_, f)| *f == fi) {
                    println!(
                        "{} false: {} ({:?})",
                        article.id,
                        short(&ours.text),
                        ours.speaker
                    );
                }
            }
        }
    }
    let mut all = Tally::default();
    println!("language  articles  gold  found  matched  precision  recall  speaker");
    for (language, t) in &by_language {
        print_row(language, t);
        all.articles += t.articles;
        all.gold += t.gold;
        all.found += t.found;
        all.matched += t.matched;
        all.speaker_right += t.speaker_right;
    }
    print_row("all", &all);
    println!("(match: token overlap >= 0.5 of the longer quote, one to one; speaker: over matched quotes)");
    Ok(())
}

fn print_row(language: &str, t: &Tally) {
    println!(
        "{language:8}  {:8}  {:4}  {:5}  {:7}  {:>9}  {:>6}  {:>7}",
        t.articles,
        t.gold,
        t.found,
        t.matched,
        ratio(t.matched, t.found),
        ratio(t.matched, t.gold),
        ratio(t.speaker_right, t.matched)
    );
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(90).collect();
    if text.chars().count() > 90 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(text: &str) -> GoldQuote {
        GoldQuote {
            text: text.to_string(),
            speaker: None,
        }
    }

    fn found(text: &str) -> Quote {
        Quote {
            text: text.to_string(),
            speaker: None,
        }
    }

    #[test]
    fn overlap_is_over_the_longer_quote() {
        assert_eq!(overlap("We are ready.", "we are ready"), 1.0);
        assert_eq!(overlap("a b c d", "a b"), 0.5);
        assert_eq!(overlap("", "a"), 0.0);
    }

    #[test]
    fn matches_are_one_to_one() {
        let gold = [gold("we will win the war"), gold("the war is over now")];
        let found = [
            found("we will win the war"),
            found("Kim Jong Il - Vladimir Lenin"),
        ];
        assert_eq!(match_quotes(&gold, &found), vec![(0, 0)]);
        assert!(same_speaker(Some("Dmitry Peskov"), Some("dmitry  peskov")));
        assert!(same_speaker(None, None));
        assert!(!same_speaker(Some("Lim Soo-suk"), Some("Lim Soo")));
    }
}
