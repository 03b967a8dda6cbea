//! `newsflow eval clean` and `newsflow train clean`: score the clean stage on the
//! article-extraction benchmark and train its models (line model and word frequencies).

use std::path::Path;

use anyhow::Context;
use newsflow_clean::{metric, text, words::WordModel, Cleaner};
use newsflow_corpus::bbc::{self, BbcDoc};
use newsflow_corpus::conll::{self, Document};
use newsflow_corpus::{ag_news, extraction::ExtractionPages};
use newsflow_model::Format;

type Pages = Vec<(String, Vec<String>, String)>;

/// `newsflow eval clean`
#[derive(Debug, Clone, clap::Args)]
pub struct EvalCleanArgs {
    /// The extraction benchmark folder (ground-truth.json, html/, anchors/).
    #[arg(long, default_value = "../shared/data/extraction")]
    pub data: String,
    /// How many of the worst pages to list.
    #[arg(long, default_value_t = 10)]
    pub worst: usize,
    /// Folds for the held-out text-path figure.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// The news-pages folder (real pages of four public projects, labels per source).
    #[arg(long, default_value = "../shared/data/news-pages")]
    pub news_pages: String,
    /// Another extractor's output on the same pages, scored beside newsflow (JSON lines as
    /// `scripts/anchors/trafilatura_pages.py` writes them).
    #[arg(long)]
    pub anchor: Option<String>,
    /// Write one line per page (corpus, id, source, language, F1s, lengths) to this TSV file,
    /// to compare two runs page by page.
    #[arg(long)]
    pub pages_out: Option<String>,
    /// Write every page's body as JSON lines (corpus, id, body), in the anchor file's shape, to
    /// read or diff two runs' text.
    #[arg(long)]
    pub bodies_out: Option<String>,
    /// Hand-picked snippets of news pages' article text and of their furniture (JSON lines: id,
    /// language, kind, with, without), scored as snippet precision and recall; read when the
    /// file exists.
    #[arg(long, default_value = "config/eval/body-snippets.jsonl")]
    pub snippets: String,
    /// Score each body with the page's standfirst put before it (where the body does not hold
    /// it already): what the figures would be if the standfirst were part of the body.
    #[arg(long)]
    pub with_standfirst: bool,
    /// Skip the text path's cross-validation (slow; the HTML figures only).
    #[arg(long)]
    pub html_only: bool,
    /// The HTML parser to measure: the built-in tokenizer or html5ever's tree construction
    #[arg(long, value_enum, default_value_t = ParserChoice::Builtin)]
    pub parser: ParserChoice,
}

/// `--parser` of `eval clean`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParserChoice {
    Builtin,
    Html5ever,
}

impl ParserChoice {
    pub fn parser(self) -> newsflow_clean::HtmlParser {
        match self {
            ParserChoice::Builtin => newsflow_clean::HtmlParser::Builtin,
            ParserChoice::Html5ever => newsflow_clean::HtmlParser::Html5ever,
        }
    }
}

/// `newsflow train clean`
#[derive(Debug, Clone, clap::Args)]
pub struct TrainCleanArgs {
    /// The shared data root (extraction/, bbc/, ag_news/, conll2003/).
    #[arg(long, default_value = "../shared/data")]
    pub data: String,
    /// Output folder for clean-lines.json and clean-words.txt.
    #[arg(long, default_value = "config/models")]
    pub out: String,
    /// Boosting rounds (trees per stage) of the line model.
    #[arg(long, default_value_t = text::DEFAULT_ROUNDS)]
    pub iterations: usize,
}

/// (id, flattened lines, truth) for every extraction page, sorted by id: the lines are the
/// page's whole text as `anchors/html-text.json` gives it, whitespace-folded.
fn load_pages(corpus: &ExtractionPages) -> anyhow::Result<Pages> {
    let flat = corpus.anchor("html-text")?;
    Ok(corpus
        .pages
        .iter()
        .map(|page| {
            let page_text = flat.get(&page.id).map_or("", String::as_str);
            let lines = page_text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            (page.id.clone(), lines, page.body.clone())
        })
        .collect())
}

/// The texts the word model is counted from, but for the extraction bodies (added per fold):
/// the train part of the BBC split, every AG News row and the CoNLL-2003 train tokens.
fn base_word_texts(data: &Path, bbc_train: &[BbcDoc]) -> anyhow::Result<Vec<String>> {
    let mut texts: Vec<String> = bbc_train.iter().map(|doc| doc.text.clone()).collect();
    texts.extend(ag_news::read_shared(data)?.into_iter().map(|row| row.text));
    let conll_words: Vec<String> = conll::read(&data.join(conll::TRAIN))?
        .iter()
        .map(Document::text)
        .collect();
    texts.push(conll_words.join(" "));
    Ok(texts)
}

/// The word model from `base` plus the bodies of the pages `keep` accepts (by position).
fn count_words(base: &[String], pages: &Pages, keep: impl Fn(usize) -> bool) -> WordModel {
    let bodies = pages
        .iter()
        .enumerate()
        .filter(|(index, _)| keep(*index))
        .map(|(_, (_, _, body))| body.as_str());
    WordModel::count(base.iter().map(String::as_str).chain(bodies), 2)
}

/// Text-path F1, k-fold by page: every page is scored by a line model trained without it and
/// with word statistics counted without its fold's bodies.
fn text_path_held_out(
    pages: &Pages,
    base_words: &[String],
    folds: usize,
    iterations: usize,
) -> anyhow::Result<metric::Summary> {
    let labelled: Vec<(Vec<String>, Vec<bool>)> = pages
        .iter()
        .map(|(_, lines, truth)| (lines.clone(), text::label_lines(lines, truth)))
        .collect();
    let folds = folds.max(2);
    let fold_of = |index: usize| ExtractionPages::fold_of(index, folds);
    let mut scores = Vec::new();
    for fold in 0..folds {
        let train: Vec<(Vec<String>, Vec<bool>)> = labelled
            .iter()
            .enumerate()
            .filter(|(i, _)| fold_of(*i) != fold)
            .map(|(_, p)| p.clone())
            .collect();
        let model = text::train(&train, iterations);
        let words = count_words(base_words, pages, |i| fold_of(i) != fold).to_text();
        let cleaner =
            Cleaner::with_models(Some(model.to_json().as_bytes()), Some(words.as_bytes()))?;
        for (i, (_, lines, truth)) in pages.iter().enumerate() {
            if fold_of(i) == fold {
                let body = cleaner
                    .clean(lines.join("\n").as_bytes(), Format::Txt)
                    .map(|c| c.body)
                    .unwrap_or_default();
                scores.push(metric::score_page(truth, &body));
            }
        }
    }
    Ok(metric::summarize(&scores))
}

pub fn run_eval_clean(config: Option<&Path>, args: &EvalCleanArgs) -> anyhow::Result<()> {
    crate::cmd::body_eval::run(config, args)?;
    if args.html_only {
        return Ok(());
    }
    run_eval_text_path(config, args)
}

/// The text path's held-out figure and the HTML path's worst extraction pages.
fn run_eval_text_path(config: Option<&Path>, args: &EvalCleanArgs) -> anyhow::Result<()> {
    let cleaner = crate::settings::cleaner(config)?;
    let extraction = Path::new(&args.data);
    let corpus = ExtractionPages::open(extraction)?;
    let pages = load_pages(&corpus).with_context(|| format!("reading {}", args.data))?;
    let mut scores = Vec::new();
    let mut ranked = Vec::new();
    let mut bytes_total = 0usize;
    let started = std::time::Instant::now();
    for (page, (id, _, truth)) in corpus.pages.iter().zip(&pages) {
        let html = corpus.html(page)?;
        bytes_total += html.len();
        let body = cleaner
            .clean(&html, Format::Html)
            .map(|c| c.body)
            .unwrap_or_default();
        let page = metric::score_page(truth, &body);
        ranked.push((page.f1(), id.clone(), page));
        scores.push(page);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let summary = metric::summarize(&scores);
    println!(
        "html path (all {} pages): F1 {:.4}  P {:.4}  R {:.4}  ({:.1} MB in {:.2}s incl. gunzip)",
        summary.pages,
        summary.f1,
        summary.precision,
        summary.recall,
        bytes_total as f64 / 1e6,
        elapsed
    );
    // The data root is the extraction folder's parent (bbc/, ag_news/, conll2003/ beside it).
    let root = extraction.parent().unwrap_or(Path::new("."));
    let bbc = bbc::split(bbc::read_shared(root)?);
    let base_words = base_word_texts(root, &bbc.train)?;
    let text_summary = text_path_held_out(&pages, &base_words, args.folds, text::DEFAULT_ROUNDS)?;
    println!(
        "text path ({}-fold by page, every page scored by a line model and word counts made without it): F1 {:.4}  P {:.4}  R {:.4}",
        args.folds, text_summary.f1, text_summary.precision, text_summary.recall
    );
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("worst html pages (page F1, P, R, id):");
    for (f1, id, page) in ranked.iter().take(args.worst) {
        println!(
            "  {f1:.3}  P {:.3}  R {:.3}  {id}",
            page.precision().unwrap_or(0.0),
            page.recall().unwrap_or(0.0)
        );
    }
    Ok(())
}

pub fn run_train_clean(args: &TrainCleanArgs) -> anyhow::Result<()> {
    let data = Path::new(&args.data);
    let bbc = bbc::split(bbc::read_shared(data)?);
    let pages = load_pages(&ExtractionPages::open(&data.join("extraction"))?)?;
    let base_words = base_word_texts(data, &bbc.train)?;
    let words = count_words(&base_words, &pages, |_| true);
    let words_text = words.to_text();
    println!(
        "word model: {} words, {} bytes",
        words.len(),
        words_text.len()
    );
    let mut split_articles = 0;
    for doc in &bbc.dev {
        let (repaired, count) = words.repair_text(&doc.text);
        if count > 0 {
            split_articles += 1;
            println!(
                "  false split {}: {}",
                doc.name(),
                first_diff(&doc.text, &repaired)
            );
        }
    }
    println!(
        "false splits: {split_articles} of {} held-out BBC articles (the dev part of the BBC split, not counted into the model)",
        bbc.dev.len()
    );
    let summary = text_path_held_out(&pages, &base_words, 5, args.iterations)?;
    println!(
        "text path, 5-fold by page (held out, word counts without the fold): F1 {:.4} P {:.4} R {:.4}",
        summary.f1, summary.precision, summary.recall
    );
    let labelled: Vec<(Vec<String>, Vec<bool>)> = pages
        .iter()
        .map(|(_, lines, truth)| (lines.clone(), text::label_lines(lines, truth)))
        .collect();
    let model = text::train(&labelled, args.iterations);
    std::fs::create_dir_all(&args.out)?;
    std::fs::write(format!("{}/clean-lines.json", args.out), model.to_json())?;
    std::fs::write(format!("{}/clean-words.txt", args.out), words_text)?;
    println!(
        "wrote {0}/clean-lines.json and {0}/clean-words.txt",
        args.out
    );
    Ok(())
}

fn first_diff(before: &str, after: &str) -> String {
    let a: Vec<&str> = before.split_whitespace().collect();
    let b: Vec<&str> = after.split_whitespace().collect();
    for (i, word) in a.iter().enumerate() {
        if b.get(i) != Some(word) {
            return format!(
                "{word:?} -> {:?} {:?}",
                b.get(i).unwrap_or(&""),
                b.get(i + 1).unwrap_or(&"")
            );
        }
    }
    String::new()
}
