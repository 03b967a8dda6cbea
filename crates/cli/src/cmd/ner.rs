//! `newsflow train ner`, `newsflow ner` and `newsflow eval ner`: train the named-entity model on
//! CoNLL-2003 train (plus the shared unlabelled text for casing statistics and word clusters),
//! or with `--lang de|fr|nl` on that language's `ner-multilingual/` train split, tag CoNLL files,
//! and score a model conlleval-style with its single-thread throughput.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _};
use clap::Args;
use newsflow_corpus::conll::read as read_conll;
use newsflow_corpus::{ag_news, bbc, extraction::ExtractionPages};
use newsflow_ner::conll::{self, Document, Evaluation};
use newsflow_ner::{BrownClusters, BrownOptions, NerModel, TrainOptions};

const DEFAULT_UNLABELLED: &str = "../shared/data";

/// Sentences per pseudo-document when a CoNLL input has no `-DOCSTART-` lines (the
/// `ner-multilingual/` files): document-level features see windows of this many sentences, in
/// training and tagging alike. Chosen on the multilingual dev sets (see BENCHMARKS.md).
pub const PSEUDO_DOCUMENT_SENTENCES: usize = 20;

/// What `--lang` selects: the model file name and the shared train and dev files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NerLanguage {
    pub code: String,
}

impl NerLanguage {
    /// `en` or one of the `ner-multilingual/` languages; anything else is an error.
    pub fn parse(code: &str) -> anyhow::Result<NerLanguage> {
        let code = code.trim().to_ascii_lowercase();
        if code != "en" && !newsflow_corpus::conll::MULTILINGUAL_LANGUAGES.contains(&code.as_str())
        {
            bail!(
                "no entity model for language {code} (models: en, {})",
                newsflow_corpus::conll::MULTILINGUAL_LANGUAGES.join(", ")
            );
        }
        Ok(NerLanguage { code })
    }

    fn english(&self) -> bool {
        self.code == "en"
    }

    /// The model's file name in the models folder (`ner.model`, `ner-de.model`).
    pub fn model_file(&self) -> String {
        newsflow_ner::model_file_name(&self.code)
    }

    /// The model in the models folder, found as the pipeline finds it (`--config`, the
    /// `NEWSFLOW_*` environment, beside the binary, the source tree).
    fn default_model(&self, config_path: Option<&Path>) -> anyhow::Result<PathBuf> {
        let config = crate::settings::load_config(config_path)?;
        Ok(crate::settings::models_dir(&config).join(self.model_file()))
    }

    fn split_file(&self, split: &str) -> PathBuf {
        let relative = if self.english() {
            match split {
                "train" => newsflow_corpus::conll::TRAIN.to_string(),
                _ => newsflow_corpus::conll::DEV.to_string(),
            }
        } else {
            newsflow_corpus::conll::multilingual(split, &self.code)
        };
        Path::new(DEFAULT_UNLABELLED).join(relative)
    }
}

/// `newsflow train ner`: train the entity model (deterministic).
#[derive(Args, Debug, Clone)]
pub struct TrainNerArgs {
    /// Language: `en` (CoNLL-2003) or `de`, `fr`, `nl` (`ner-multilingual/`); picks the default
    /// train and dev files and the model file (`ner.model`, `ner-de.model`, ...).
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// CoNLL training file (gzip or plain; last column is the gold tag, IOB1 or IOB2).
    /// Default: the language's shared train split.
    #[arg(long)]
    pub train: Option<PathBuf>,
    /// CoNLL file scored after training (only reported, never trained on). Default: the
    /// language's shared dev split.
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// Where to write the model. Default: `config/models/` + the language's model file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Folder with the shared unlabelled corpora (bbc/, ag_news/, extraction/); missing parts
    /// are skipped. English text: used for `--lang en` only.
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
    /// Sentences per pseudo-document for inputs without `-DOCSTART-` lines.
    #[arg(long, default_value_t = PSEUDO_DOCUMENT_SENTENCES)]
    pub document_sentences: usize,
    /// Sub-word features (character trigrams, 5- and 6-letter affixes). Off by default: no
    /// clear gain on the multilingual dev sets (see BENCHMARKS.md).
    #[arg(long)]
    pub subwords: bool,
    /// Word identity without edge punctuation (`Frankreich,` looked up as `frankreich`):
    /// `true` or `false`. Default: on for `de`, `fr`, `nl`, off for `en`.
    #[arg(long)]
    pub trim_punctuation: Option<bool>,
    /// No person-pronoun features (they are English: on for `--lang en` only).
    #[arg(long)]
    pub no_pronouns: bool,
    /// Name-part features (the types and positions a word had inside training entities):
    /// `true` or `false`. Default: on for `en` and `de`, off for `fr` and `nl`, where they
    /// did not pay on dev (see BENCHMARKS.md).
    #[arg(long)]
    pub name_parts: Option<bool>,
    /// Brown clusters (`path<TAB>word<TAB>count` lines, as written by `newsflow train
    /// clusters`): their 4-, 6-, 10- and 20-bit path prefixes become features of the word.
    /// Off by default (see BENCHMARKS.md).
    #[arg(long)]
    pub brown: Option<PathBuf>,
    /// With `--brown` or `--brown-clusters`: the neighbouring words' path prefixes too.
    #[arg(long)]
    pub brown_neighbours: bool,
    /// Learn this many Brown clusters while training, from the unlabelled text plus the
    /// training tokens (labels unused), instead of reading `--brown` (0: off; 500 clusters
    /// take about a minute).
    #[arg(long, default_value_t = 0)]
    pub brown_clusters: usize,
    /// At tagging time, label a lower-case word between lower-case words or punctuation `O`
    /// without scoring it (the weights are the same): `true` or `false`. Default: on for `en`,
    /// where it changes no tag of CoNLL dev and saves a tenth of an article's CPU; off for
    /// `de`, `fr`, `nl`, where it costs dev F1 ("rue de Rivoli", OCR'd name parts).
    #[arg(long)]
    pub lowercase_outside: Option<bool>,
}

/// Default output of `newsflow train clusters`.
pub const DEFAULT_BROWN: &str = "config/models/brown-en.txt";

/// `newsflow train clusters`: Brown clusters of the shared unlabelled English text
/// (deterministic).
#[derive(Args, Debug, Clone)]
pub struct TrainClustersArgs {
    /// Folder with the shared unlabelled corpora (bbc/, ag_news/, extraction/).
    #[arg(long, default_value = DEFAULT_UNLABELLED)]
    pub unlabelled: PathBuf,
    /// Number of clusters (the window of active clusters).
    #[arg(long, default_value_t = 500)]
    pub clusters: usize,
    /// Words seen fewer times are not clustered.
    #[arg(long, default_value_t = 3)]
    pub min_count: u32,
    /// At most this many (most frequent) words are clustered.
    #[arg(long, default_value_t = 60_000)]
    pub max_words: usize,
    /// Worker threads (the result does not depend on it).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Where to write the clusters.
    #[arg(long, default_value = DEFAULT_BROWN)]
    pub out: PathBuf,
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
    /// Language of the input: `en`, `de`, `fr` or `nl` (picks the shipped model).
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// The model file. Default: the language's shipped model (`ner.model`, `ner-de.model`, ...)
    /// in the models folder.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Sentences per pseudo-document for inputs without `-DOCSTART-` lines.
    #[arg(long, default_value_t = PSEUDO_DOCUMENT_SENTENCES)]
    pub document_sentences: usize,
}

/// `newsflow eval ner`: conlleval-style precision / recall / F1 and tokens per second.
#[derive(Args, Debug, Clone)]
pub struct EvalNerArgs {
    /// Language: `en`, `de`, `fr` or `nl` (picks the default data and model).
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// CoNLL file with gold tags in the last column. Default: the language's shared dev split.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The model file. Default: the language's shipped model in the models folder.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Sentences per pseudo-document for inputs without `-DOCSTART-` lines.
    #[arg(long, default_value_t = PSEUDO_DOCUMENT_SENTENCES)]
    pub document_sentences: usize,
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

/// The documents of a CoNLL file, headerless ones cut into pseudo-documents.
fn read_documents(path: &Path, document_sentences: usize) -> anyhow::Result<Vec<Document>> {
    Ok(newsflow_corpus::conll::pseudo_documents(
        read_conll(path)?,
        document_sentences,
    ))
}

fn load_model(path: &Path) -> anyhow::Result<NerModel> {
    let bytes = std::fs::read(path).with_context(|| format!("reading model {}", path.display()))?;
    NerModel::from_bytes(&bytes).with_context(|| format!("loading model {}", path.display()))
}

pub fn run_train_ner(args: &TrainNerArgs) -> anyhow::Result<()> {
    let language = NerLanguage::parse(&args.lang)?;
    let train = args
        .train
        .clone()
        .unwrap_or_else(|| language.split_file("train"));
    let dev_path = args
        .dev
        .clone()
        .unwrap_or_else(|| language.split_file("dev"));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("config/models").join(language.model_file()));
    let mut documents = read_documents(&train, args.document_sentences)?;
    if documents.is_empty() {
        bail!("no documents in {}", train.display());
    }
    let mut options = TrainOptions {
        clusters: args.clusters,
        runs: args.runs,
        second_pass: !args.no_second_pass,
        gazetteer: !args.no_gazetteer,
        document: !args.no_document,
        subwords: args.subwords,
        trim_punctuation: args.trim_punctuation.unwrap_or(!language.english()),
        pronouns: !args.no_pronouns && language.english(),
        name_parts: args
            .name_parts
            .unwrap_or(language.english() || language.code == "de"),
        brown_neighbours: args.brown_neighbours,
        brown_clusters: args.brown_clusters,
        lowercase_outside: args.lowercase_outside.unwrap_or(language.english()),
        ..TrainOptions::default()
    };
    if let Some(path) = &args.brown {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading brown clusters {}", path.display()))?;
        options.brown = BrownClusters::parse(&text)
            .with_context(|| format!("reading brown clusters {}", path.display()))?;
    }
    if let Some(epochs) = args.epochs {
        options.epochs = epochs;
    }
    if let Some(min_count) = args.min_count {
        options.min_feature_count = min_count;
    }
    if let Some(folds) = args.folds {
        options.folds = folds;
    }
    // The shared unlabelled text is English: other languages learn casing and clusters from
    // their training tokens alone.
    if !args.no_unlabelled && language.english() {
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
    if dev_path.exists() {
        let dev = read_documents(&dev_path, args.document_sentences)?;
        let (evaluation, speed) = evaluate(&model, &dev);
        println!(
            "dev ({}; {speed:.0} tokens/s):\n{}",
            dev_path.display(),
            evaluation.report()
        );
    }
    if args.pseudo_test {
        eprintln!("--pseudo-test: model not written");
        return Ok(());
    }
    if let Some(parent) = out.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

pub fn run_train_clusters(args: &TrainClustersArgs) -> anyhow::Result<()> {
    let texts = unlabelled_texts(&args.unlabelled)?;
    if texts.is_empty() {
        bail!("no unlabelled text under {}", args.unlabelled.display());
    }
    let started = Instant::now();
    let sentences = texts.iter().flat_map(|text| {
        newsflow_ner::sentences(text)
            .into_iter()
            .map(move |s| s.iter().map(|t| t.text(text)).collect::<Vec<&str>>())
    });
    let options = BrownOptions {
        clusters: args.clusters,
        min_count: args.min_count,
        max_words: args.max_words,
        threads: args.threads,
    };
    let clusters = newsflow_ner::brown_clusters(sentences, &options);
    let mut paths: Vec<&str> = clusters.entries.iter().map(|e| e.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let longest = paths.iter().map(|p| p.len()).max().unwrap_or(0);
    eprintln!(
        "brown clusters of {} texts: {} words in {} clusters (paths up to {longest} bits) in {:.1} s",
        texts.len(),
        clusters.entries.len(),
        paths.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(parent) = args.out.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    std::fs::write(&args.out, clusters.to_text())
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

pub fn run_ner(config_path: Option<&Path>, args: &NerArgs) -> anyhow::Result<()> {
    let language = NerLanguage::parse(&args.lang)?;
    let model_path = match &args.model {
        Some(path) => path.clone(),
        None => language.default_model(config_path)?,
    };
    let model = load_model(&model_path)?;
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
    let documents = newsflow_corpus::conll::pseudo_documents(
        conll::parse(&read_input(input)?),
        args.document_sentences,
    );
    let (predictions, _) = tag_documents(&model, &documents);
    out.write_all(conll::write(&documents, &predictions).as_bytes())?;
    out.flush()?;
    Ok(())
}

pub fn run_eval_ner(config_path: Option<&Path>, args: &EvalNerArgs) -> anyhow::Result<()> {
    let language = NerLanguage::parse(&args.lang)?;
    let model_path = match &args.model {
        Some(path) => path.clone(),
        None => language.default_model(config_path)?,
    };
    let data = args
        .data
        .clone()
        .unwrap_or_else(|| language.split_file("dev"));
    let model = load_model(&model_path)?;
    let documents = read_documents(&data, args.document_sentences)?;
    let (evaluation, mut best_speed) = evaluate(&model, &documents);
    for _ in 1..args.repeat.max(1) {
        let (_, speed) = tag_documents(&model, &documents);
        best_speed = best_speed.max(speed);
    }
    let model_bytes = std::fs::metadata(&model_path).map(|m| m.len()).unwrap_or(0);
    println!("{}", evaluation.report().trim_end());
    println!(
        "throughput: {best_speed:.0} tokens/s (single thread, features included, best of {}); model {:.2} MB",
        args.repeat.max(1),
        model_bytes as f64 / 1e6
    );
    Ok(())
}
