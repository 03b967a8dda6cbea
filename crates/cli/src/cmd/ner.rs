//! `newsflow train ner`, `newsflow ner` and `newsflow eval ner`: train the named-entity model on
//! CoNLL-2003 train (plus the shared unlabelled text for casing statistics and word clusters),
//! tag CoNLL files, and score a model conlleval-style with its single-thread throughput.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _};
use clap::Args;
use newsflow_corpus::conll::read as read_conll;
use newsflow_corpus::{ag_news, bbc, extraction::ExtractionPages};
use newsflow_ner::conll::{self, Document, Evaluation};
use newsflow_ner::{NerModel, TrainOptions};

const DEFAULT_MODEL: &str = "config/models/ner.model";
const DEFAULT_TRAIN: &str = "../shared/data/conll2003/train.txt.gz";
const DEFAULT_DEV: &str = "../shared/data/conll2003/dev.txt.gz";
const DEFAULT_UNLABELLED: &str = "../shared/data";

/// `newsflow train ner`: train the entity model (deterministic).
#[derive(Args, Debug, Clone)]
pub struct TrainNerArgs {
    /// CoNLL training file (gzip or plain; last column is the gold tag, IOB1 or IOB2).
    #[arg(long, default_value = DEFAULT_TRAIN)]
    pub train: PathBuf,
    /// CoNLL file scored after training (only reported, never trained on).
    #[arg(long, default_value = DEFAULT_DEV)]
    pub dev: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = DEFAULT_MODEL)]
    pub out: PathBuf,
    /// Folder with the shared unlabelled corpora (bbc/, ag_news/, extraction/); missing parts
    /// are skipped.
    #[arg(long, default_value = DEFAULT_UNLABELLED)]
    pub unlabelled: PathBuf,
    /// Train without unlabelled text (no casing statistics beyond train, no clusters).
    #[arg(long)]
    pub no_unlabelled: bool,
    /// Perceptron epochs.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Word clusters at the finest level (0 disables clusters).
    #[arg(long, default_value_t = 256)]
    pub clusters: usize,
    /// Features seen fewer times in training are dropped.
    #[arg(long)]
    pub min_count: Option<u32>,
    /// Document folds for the jackknifed gazetteer and first-pass labels.
    #[arg(long)]
    pub folds: Option<usize>,
    /// Perceptrons with different shuffles averaged into each stage.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// No second (document-level) pass.
    #[arg(long)]
    pub no_second_pass: bool,
    /// No gazetteer of training entities.
    #[arg(long)]
    pub no_gazetteer: bool,
    /// Shared data folder holding `gazetteers/places.tsv.gz` (GeoNames place names, CC BY 4.0).
    #[arg(long, default_value = DEFAULT_UNLABELLED)]
    pub gazetteers: PathBuf,
    /// No GeoNames place-name features.
    #[arg(long)]
    pub no_places: bool,
    /// No document-level features (other mentions of a word in the article) and no second pass.
    #[arg(long)]
    pub no_document: bool,
    /// Hold out the last 10 % of training documents as a pseudo-test set, report on it and on
    /// --dev, and write no model.
    #[arg(long)]
    pub pseudo_test: bool,
}

/// `newsflow ner`: tag a CoNLL file (or free text) with a trained model.
#[derive(Args, Debug, Clone)]
pub struct NerArgs {
    /// CoNLL input (token in the first column); `-` reads stdin. Every line is written back
    /// with the predicted IOB2 tag appended as a new last column.
    #[arg(long, conflicts_with = "text")]
    pub conll: Option<String>,
    /// Free-text input (`-` for stdin): one JSON line per entity mention (byte offsets).
    #[arg(long)]
    pub text: Option<String>,
    /// The model file.
    #[arg(long, default_value = DEFAULT_MODEL)]
    pub model: PathBuf,
}

/// `newsflow eval ner`: conlleval-style precision / recall / F1 and tokens per second.
#[derive(Args, Debug, Clone)]
pub struct EvalNerArgs {
    /// CoNLL file with gold tags in the last column.
    #[arg(long, default_value = DEFAULT_DEV)]
    pub data: PathBuf,
    /// The model file.
    #[arg(long, default_value = DEFAULT_MODEL)]
    pub model: PathBuf,
    /// Tag the data this many times for the throughput figure (the best run is reported).
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
}

fn read_input(name: &str) -> anyhow::Result<String> {
    if name == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading stdin")?;
        return Ok(text);
    }
    let bytes = newsflow_corpus::read_maybe_gz(Path::new(name))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The shared unlabelled texts under `dir`: every BBC article, every AG News row of the train
/// file (`\` read as a space) and the extraction ground-truth bodies. Missing corpora are
/// skipped. None of them is scored by the entity model, so no split applies.
pub fn unlabelled_texts(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut texts = Vec::new();
    if dir.join(bbc::TARBALL).exists() {
        texts.extend(bbc::read_shared(dir)?.into_iter().map(|doc| doc.text));
    }
    if dir.join(ag_news::TRAIN).exists() {
        let rows = ag_news::read_shared(dir)?;
        texts.extend(rows.iter().map(|row| ag_news::spaced(&row.text)));
    }
    let extraction = dir.join("extraction");
    if extraction.join("ground-truth.json").exists() {
        let pages = ExtractionPages::open(&extraction)?;
        texts.extend(pages.pages.into_iter().map(|page| page.body));
    }
    Ok(texts)
}

/// Tag every document; returns the IOB2 tags and the tokens per second of tagging alone.
pub fn tag_documents(
    model: &NerModel,
    documents: &[Document],
) -> (Vec<Vec<Vec<&'static str>>>, f64) {
    let started = Instant::now();
    let mut tokens = 0usize;
    let mut all = Vec::with_capacity(documents.len());
    for document in documents {
        let words: Vec<Vec<&str>> = document.sentences.iter().map(|s| s.tokens()).collect();
        tokens += words.iter().map(|w| w.len()).sum::<usize>();
        all.push(model.tag_document(&words));
    }
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    (all, tokens as f64 / seconds)
}

/// conlleval-style scores of `model` on `documents`, with the tokens per second.
pub fn evaluate(model: &NerModel, documents: &[Document]) -> (Evaluation, f64) {
    let (predictions, speed) = tag_documents(model, documents);
    let mut evaluation = Evaluation::default();
    for (document, tags) in documents.iter().zip(&predictions) {
        for (sentence, predicted) in document.sentences.iter().zip(tags) {
            if let Some(gold) = sentence.gold_tags() {
                evaluation.add(&gold, predicted);
            }
        }
    }
    (evaluation, speed)
}

fn load_model(path: &Path) -> anyhow::Result<NerModel> {
    let bytes = std::fs::read(path).with_context(|| format!("reading model {}", path.display()))?;
    NerModel::from_bytes(&bytes).with_context(|| format!("loading model {}", path.display()))
}

pub fn run_train_ner(args: &TrainNerArgs) -> anyhow::Result<()> {
    let mut documents = read_conll(&args.train)?;
    if documents.is_empty() {
        bail!("no documents in {}", args.train.display());
    }
    let mut options = TrainOptions {
        clusters: args.clusters,
        runs: args.runs,
        second_pass: !args.no_second_pass,
        gazetteer: !args.no_gazetteer,
        document: !args.no_document,
        ..TrainOptions::default()
    };
    if let Some(epochs) = args.epochs {
        options.epochs = epochs;
    }
    if let Some(min_count) = args.min_count {
        options.min_feature_count = min_count;
    }
    if let Some(folds) = args.folds {
        options.folds = folds;
    }
    if !args.no_unlabelled {
        options.unlabelled = unlabelled_texts(&args.unlabelled)?;
    }
    if !args.no_places {
        options.places = newsflow_corpus::gazetteers::read_places(&args.gazetteers)?;
    }
    let pseudo_test = if args.pseudo_test {
        let cut = documents.len() - documents.len() / 10;
        documents.split_off(cut)
    } else {
        Vec::new()
    };
    let started = Instant::now();
    let (model, report) = newsflow_ner::train(&documents, &options)?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes = model.to_bytes();
    // Score what will be shipped: the quantised model as read back.
    let model = NerModel::from_bytes(&bytes)?;
    eprintln!(
        "trained on {} documents, {} sentences, {} tokens (+{} unlabelled tokens, {} place names) in {:.1} s; model {:.2} MB, features {:?}",
        report.documents,
        report.sentences,
        report.tokens,
        report.unlabelled_tokens,
        report.place_names,
        seconds,
        bytes.len() as f64 / 1e6,
        model.feature_counts()
    );
    if !pseudo_test.is_empty() {
        let (evaluation, _) = evaluate(&model, &pseudo_test);
        println!(
            "pseudo-test (last {} training documents, not trained on):\n{}",
            pseudo_test.len(),
            evaluation.report()
        );
    }
    if args.dev.exists() {
        let dev = read_conll(&args.dev)?;
        let (evaluation, speed) = evaluate(&model, &dev);
        println!(
            "dev ({}; {speed:.0} tokens/s):\n{}",
            args.dev.display(),
            evaluation.report()
        );
    }
    if args.pseudo_test {
        eprintln!("--pseudo-test: model not written");
        return Ok(());
    }
    if let Some(parent) = args.out.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

pub fn run_ner(args: &NerArgs) -> anyhow::Result<()> {
    let model = load_model(&args.model)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(text_input) = &args.text {
        let text = read_input(text_input)?;
        for mention in model.recognize(&text) {
            let line = serde_json::json!({
                "text": mention.text,
                "type": mention.kind.as_str(),
                "start": mention.start,
                "end": mention.end,
            });
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        return Ok(());
    }
    let input = args.conll.as_deref().unwrap_or("-");
    let documents = conll::parse(&read_input(input)?);
    let (predictions, _) = tag_documents(&model, &documents);
    out.write_all(conll::write(&documents, &predictions).as_bytes())?;
    out.flush()?;
    Ok(())
}

pub fn run_eval_ner(args: &EvalNerArgs) -> anyhow::Result<()> {
    let model = load_model(&args.model)?;
    let documents = read_conll(&args.data)?;
    let (evaluation, mut best_speed) = evaluate(&model, &documents);
    for _ in 1..args.repeat.max(1) {
        let (_, speed) = tag_documents(&model, &documents);
        best_speed = best_speed.max(speed);
    }
    let model_bytes = std::fs::metadata(&args.model).map(|m| m.len()).unwrap_or(0);
    println!("{}", evaluation.report().trim_end());
    println!(
        "throughput: {best_speed:.0} tokens/s (single thread, features included, best of {}); model {:.2} MB",
        args.repeat.max(1),
        model_bytes as f64 / 1e6
    );
    Ok(())
}
