//! `newsflow eval clean` and `newsflow train clean`: score the clean stage on the
//! article-extraction benchmark and train its models (line model and word frequencies).

use std::io::Read;

use anyhow::Context;
use newsflow_clean::{metric, text, words::WordModel, Cleaner};
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
    /// Skip the text path's cross-validation (slow; the HTML figures only).
    #[arg(long)]
    pub html_only: bool,
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

fn gunzip(path: &str) -> Result<Vec<u8>, anyhow::Error> {
    let compressed = std::fs::read(path)?;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&compressed[..]).read_to_end(&mut out)?;
    Ok(out)
}

/// (id, flattened lines, truth) for every page, sorted by id.
fn load_pages(data: &str) -> Result<Pages, anyhow::Error> {
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{data}/extraction/ground-truth.json"
    ))?)?;
    let flat: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{data}/extraction/anchors/html-text.json"
    ))?)?;
    let flat = flat.get("output").unwrap_or(&flat);
    let mut pages = Vec::new();
    for (id, entry) in truth
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("truth is not an object"))?
    {
        let body = entry["articleBody"].as_str().unwrap_or("").to_string();
        let page_text = flat[id]["articleBody"].as_str().unwrap_or("");
        let lines = page_text
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        pages.push((id.clone(), lines, body));
    }
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(pages)
}

/// BBC articles as (topic, index within topic, text), from the tar.
fn load_bbc(data: &str) -> Result<Vec<(String, usize, String)>, anyhow::Error> {
    let tar = gunzip(&format!("{data}/bbc/bbc-dev.tar.gz"))?;
    let mut files = Vec::new();
    let mut pos = 0;
    while pos + 512 <= tar.len() {
        let header = &tar[pos..pos + 512];
        if header.iter().all(|&b| b == 0) {
            break;
        }
        let name = String::from_utf8_lossy(&header[..100])
            .trim_end_matches('\0')
            .to_string();
        let prefix = String::from_utf8_lossy(&header[345..500])
            .trim_end_matches('\0')
            .to_string();
        let size_text = String::from_utf8_lossy(&header[124..136])
            .trim_end_matches(['\0', ' '])
            .trim()
            .to_string();
        let size = usize::from_str_radix(&size_text, 8).unwrap_or(0);
        let full = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let start = pos + 512;
        let end = (start + size).min(tar.len());
        if (header[156] == b'0' || header[156] == 0) && full.ends_with(".txt") {
            files.push((full, String::from_utf8_lossy(&tar[start..end]).into_owned()));
        }
        pos = start + size.div_ceil(512) * 512;
    }
    files.sort();
    let mut out = Vec::new();
    let mut last_topic = String::new();
    let mut index = 0;
    for (path, text) in files {
        let parts: Vec<&str> = path.split('/').collect();
        let topic = parts
            .get(parts.len().saturating_sub(2))
            .copied()
            .unwrap_or("")
            .to_string();
        if topic != last_topic {
            index = 0;
            last_topic = topic.clone();
        }
        out.push((topic, index, text));
        index += 1;
    }
    Ok(out)
}

fn word_sources(data: &str, bbc: &[(String, usize, String)]) -> Result<Vec<String>, anyhow::Error> {
    let mut texts = Vec::new();
    // BBC: only articles not used for the false-split check (index % 5 != 0)
    for (_, index, text) in bbc {
        if index % 5 != 0 {
            texts.push(text.clone());
        }
    }
    let ag = String::from_utf8(gunzip(&format!("{data}/ag_news/train.csv.gz"))?)?;
    texts.push(ag);
    let conll = String::from_utf8(gunzip(&format!("{data}/conll2003/train.txt.gz"))?)?;
    let conll_words: String = conll
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "-DOCSTART-")
        .collect::<Vec<_>>()
        .join(" ");
    texts.push(conll_words);
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{data}/extraction/ground-truth.json"
    ))?)?;
    for entry in truth
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("truth is not an object"))?
        .values()
    {
        texts.push(entry["articleBody"].as_str().unwrap_or("").to_string());
    }
    Ok(texts)
}

fn parent_of(extraction: &str) -> String {
    std::path::Path::new(extraction)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| ".".to_string())
}

/// Text-path F1 with the line model trained k-fold by page (every page scored by a model that
/// did not see it).
fn text_path_held_out(
    pages: &Pages,
    words_text: &str,
    folds: usize,
    iterations: usize,
) -> anyhow::Result<metric::Summary> {
    let labelled: Vec<(Vec<String>, Vec<bool>)> = pages
        .iter()
        .map(|(_, lines, truth)| (lines.clone(), text::label_lines(lines, truth)))
        .collect();
    let folds = folds.max(2);
    let mut scores = Vec::new();
    for fold in 0..folds {
        let train: Vec<(Vec<String>, Vec<bool>)> = labelled
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, p)| p.clone())
            .collect();
        let model = text::train(&train, iterations);
        let cleaner = Cleaner::with_models(
            Some(model.to_json().as_bytes()),
            Some(words_text.as_bytes()),
        )?;
        for (i, (_, lines, truth)) in pages.iter().enumerate() {
            if i % folds == fold {
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

pub fn run_eval_clean(args: &EvalCleanArgs) -> anyhow::Result<()> {
    crate::cmd::body_eval::run(args)?;
    if args.html_only {
        return Ok(());
    }
    run_eval_text_path(args)
}

/// The text path's held-out figure and the HTML path's worst extraction pages.
fn run_eval_text_path(args: &EvalCleanArgs) -> anyhow::Result<()> {
    let cleaner = Cleaner::new();
    let root = parent_of(&args.data);
    let pages = load_pages(&root).with_context(|| format!("reading {}", args.data))?;
    let mut scores = Vec::new();
    let mut ranked = Vec::new();
    let mut bytes_total = 0usize;
    let started = std::time::Instant::now();
    for (id, _, truth) in &pages {
        let html = gunzip(&format!("{}/html/{id}.html.gz", args.data))?;
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
    let words_text =
        String::from_utf8_lossy(include_bytes!("../../../../config/models/clean-words.txt"))
            .into_owned();
    let text_summary = text_path_held_out(&pages, &words_text, args.folds, text::DEFAULT_ROUNDS)?;
    println!(
        "text path ({}-fold by page, every page scored by a line model trained without it): F1 {:.4}  P {:.4}  R {:.4}",
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
    let data = &args.data;
    let bbc = load_bbc(data)?;
    let texts = word_sources(data, &bbc)?;
    let words = WordModel::count(texts.iter().map(String::as_str), 2);
    let words_text = words.to_text();
    println!(
        "word model: {} words, {} bytes",
        words.len(),
        words_text.len()
    );
    let mut checked = 0;
    let mut split_articles = 0;
    for (topic, index, text) in &bbc {
        if index % 5 != 0 {
            continue;
        }
        checked += 1;
        let (repaired, count) = words.repair_text(text);
        if count > 0 {
            split_articles += 1;
            println!(
                "  false split {topic}/{index}: {}",
                first_diff(text, &repaired)
            );
        }
    }
    println!("false splits: {split_articles} of {checked} held-out BBC articles (index % 5 == 0, not counted into the model)");
    let pages = load_pages(data)?;
    let summary = text_path_held_out(&pages, &words_text, 5, args.iterations)?;
    println!(
        "text path, 5-fold by page (held out): F1 {:.4} P {:.4} R {:.4}",
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
