//! Topic-model commands: `train topic`, `classify`, `eval topic`.
//!
//! The file work of the classify crate lives here: corpora (BBC tar or folder, AG News CSV,
//! JSONL, read and split by `newsflow_corpus`), model files and JSONL input. Everything else is
//! `newsflow_classify`.

use std::fs;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use newsflow_classify::{accuracy, train, tune, Grid, LabeledDoc, TopicModel, TrainOptions};
use newsflow_corpus::{ag_news, bbc, dedup::dedup, jsonl, Split};

/// Formats of training data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// Decide from the path: a folder or `.tar[.gz]`/`.tgz` is bbc, `.csv[.gz]` is ag,
    /// `.jsonl[.gz]`/`.json` is jsonl.
    Auto,
    /// `<label>/<NNN>.txt` files, in a tar(.gz) or an extracted folder.
    Bbc,
    /// AG News CSV(.gz): `class,text` or `class,title,description`, classes 1..4.
    Ag,
    /// One `{"text": "...", "label": "..."}` per line.
    Jsonl,
}

/// `newsflow train topic`: train a topic model and write it.
#[derive(Debug, Clone, Args)]
pub struct TrainTopicArgs {
    /// Training data: a file or, for bbc, a folder of `<label>/<file>.txt`.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the model, e.g. config/models/bbc.model.
    #[arg(long)]
    pub out: PathBuf,
    /// Model name (default: the file stem of --out).
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_enum, default_value_t = DataFormat::Auto)]
    pub format: DataFormat,
    /// Hold out a dev split and print its accuracy: `none`, `auto` (the corpus split of
    /// `newsflow_corpus`; bbc: every 5th article per label after dedup, whatever
    /// --keep-duplicates says; ag: row index % 20 == 0; jsonl: every 5th row per label), or N
    /// (every N-th document per label). The written model is trained without the dev rows unless
    /// --refit-all.
    #[arg(long, default_value = "none")]
    pub dev_split: String,
    /// With a dev split: after reporting, train the written model on all rows.
    #[arg(long)]
    pub refit_all: bool,
    /// SVM cost; default: chosen by 5-fold cross-validation on the training rows.
    #[arg(long)]
    pub c: Option<f32>,
    /// NB-SVM feature scaling on or off; default: chosen by cross-validation.
    #[arg(long)]
    pub nb: Option<bool>,
    /// Word-prefix features of this many bytes (0: off); default: chosen by cross-validation
    /// among 0 and 4.
    #[arg(long)]
    pub prefix: Option<u8>,
    /// Table size 2^BITS; default 20.
    #[arg(long, default_value_t = 20)]
    pub hash_bits: u8,
    /// Keep duplicate documents (by default repeats are dropped before splitting; ag rows are
    /// always kept so that its dev split stays the README's).
    #[arg(long)]
    pub keep_duplicates: bool,
}

/// `newsflow classify`: label JSONL `{"id","text"}` lines with a topic model.
#[derive(Debug, Clone, Args)]
pub struct ClassifyArgs {
    /// Model name (NAME.model in the models folder) or path to a model file.
    #[arg(long)]
    pub model: String,
    /// Folder that holds NAME.model files. Default: the models folder every command uses (the
    /// config's `models_dir` or `NEWSFLOW_MODELS_DIR`, beside the binary, the source tree).
    #[arg(long)]
    pub models_dir: Option<PathBuf>,
    /// JSONL input, `-` for stdin.
    #[arg(default_value = "-")]
    pub input: String,
}

/// `newsflow eval topic`: dev accuracy on the shared corpora of models trained on their train
/// parts (hyperparameters by cross-validation on train only).
#[derive(Debug, Clone, Args)]
pub struct EvalTopicArgs {
    /// Folder holding bbc/bbc-dev.tar.gz and ag_news/train.csv.gz.
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Folder of the seed articles (out-of-taxonomy checks for the bbc model).
    #[arg(long, default_value = "seeds")]
    pub seeds: PathBuf,
}

fn format_of(path: &Path, format: DataFormat) -> DataFormat {
    if format != DataFormat::Auto {
        return format;
    }
    if path.is_dir() {
        return DataFormat::Bbc;
    }
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let base = name.strip_suffix(".gz").unwrap_or(&name);
    if base.ends_with(".tar") || name.ends_with(".tgz") {
        DataFormat::Bbc
    } else if base.ends_with(".csv") {
        DataFormat::Ag
    } else {
        DataFormat::Jsonl
    }
}

/// Reads a corpus in `format` (resolved from the path when auto).
pub fn read_corpus(
    path: &Path,
    format: DataFormat,
) -> anyhow::Result<(DataFormat, Vec<LabeledDoc>)> {
    let format = format_of(path, format);
    if path.is_dir() && format != DataFormat::Bbc {
        bail!(
            "{} is a folder: only the bbc format can be a folder",
            path.display()
        );
    }
    let docs = match format {
        DataFormat::Bbc => bbc::read(path)?
            .into_iter()
            .map(bbc::BbcDoc::into_labelled)
            .collect(),
        DataFormat::Ag => ag_news::read(path)?,
        DataFormat::Jsonl | DataFormat::Auto => jsonl::read(path)?,
    };
    if docs.is_empty() {
        bail!("no labelled documents found in {}", path.display());
    }
    Ok((format, docs))
}

/// Train and dev parts for a `--dev-split` value: `auto` is the corpus's own split (bbc:
/// [`bbc::split`], ag: [`ag_news::split`]; jsonl: every 5th row per label).
fn dev_split(
    docs: Vec<LabeledDoc>,
    format: DataFormat,
    split: &str,
) -> anyhow::Result<Option<Split<LabeledDoc>>> {
    match split {
        "none" => Ok(None),
        "auto" => Ok(Some(match format {
            DataFormat::Ag => ag_news::split(docs),
            DataFormat::Bbc => bbc::split(docs),
            _ => Split::every_per_label(docs, 5),
        })),
        every => {
            let every: usize = every.parse().with_context(|| {
                format!("--dev-split must be none, auto or a number, not {every:?}")
            })?;
            if every < 2 {
                bail!("--dev-split N needs N >= 2");
            }
            Ok(Some(Split::every_per_label(docs, every)))
        }
    }
}

/// Options for `docs`: the fixed ones from the flags, the others by 5-fold cross-validation.
fn choose_options(
    docs: &[LabeledDoc],
    base: &TrainOptions,
    c: Option<f32>,
    nb: Option<bool>,
    prefix: Option<u8>,
) -> anyhow::Result<TrainOptions> {
    let default_grid = Grid::default();
    let grid = Grid {
        c: c.map_or(default_grid.c.clone(), |c| vec![c]),
        nb: nb.map_or(default_grid.nb.clone(), |nb| vec![nb]),
        hash_bits: vec![base.hash_bits],
        prefix: prefix.map_or(default_grid.prefix.clone(), |prefix| vec![prefix]),
        folds: default_grid.folds,
    };
    if let ([c], [nb], [prefix]) = (
        grid.c.as_slice(),
        grid.nb.as_slice(),
        grid.prefix.as_slice(),
    ) {
        return Ok(TrainOptions {
            c: *c,
            nb: *nb,
            prefix: *prefix,
            ..base.clone()
        });
    }
    let (best, tried) = tune(docs, base, &grid)?;
    for (options, score) in &tried {
        eprintln!(
            "cv c={} nb={} prefix={} accuracy={score:.4}",
            options.c, options.nb, options.prefix
        );
    }
    eprintln!("chosen by 5-fold cv: {}", best.describe());
    Ok(best)
}

pub fn run_train_topic(args: &TrainTopicArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let (format, docs) = read_corpus(&args.data, args.format)?;
    // AG News dev rows are defined by raw row index, so its rows are never dropped.
    let docs = if args.keep_duplicates || format == DataFormat::Ag {
        docs
    } else {
        let (kept, dropped) = dedup(docs);
        eprintln!("{} documents ({dropped} duplicates dropped)", kept.len());
        kept
    };
    let name = match &args.name {
        Some(name) => name.clone(),
        None => args
            .out
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "topic".to_string()),
    };
    let base = TrainOptions {
        name,
        hash_bits: args.hash_bits,
        ..TrainOptions::default()
    };
    let model = match dev_split(docs.clone(), format, &args.dev_split)? {
        None => {
            let options = choose_options(&docs, &base, args.c, args.nb, args.prefix)?;
            train(&docs, &options)?
        }
        Some(Split {
            train: train_docs,
            dev: dev_docs,
            ..
        }) => {
            let options = choose_options(&train_docs, &base, args.c, args.nb, args.prefix)?;
            let model = train(&train_docs, &options)?;
            println!(
                "dev accuracy {:.4} ({} dev / {} train documents)",
                accuracy(&model, &dev_docs),
                dev_docs.len(),
                train_docs.len()
            );
            if args.refit_all {
                train(&docs, &options)?
            } else {
                model
            }
        }
    };
    let bytes = model.to_bytes();
    if let Some(parent) = args
        .out
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(&args.out, &bytes).with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "wrote {} ({} bytes, labels {:?}, {}) in {:.1}s",
        args.out.display(),
        bytes.len(),
        model.labels(),
        model.training_summary(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The model file for a name or path.
pub fn resolve_model(model: &str, models_dir: &Path) -> PathBuf {
    let direct = PathBuf::from(model);
    if direct.is_file() {
        return direct;
    }
    models_dir.join(format!("{model}.model"))
}

#[derive(serde::Deserialize)]
struct ClassifyInput {
    #[serde(default)]
    id: serde_json::Value,
    #[serde(default)]
    title: Option<String>,
    text: String,
}

#[derive(serde::Serialize)]
struct ClassifyOutput<'a> {
    id: &'a serde_json::Value,
    label: &'a str,
    score: f32,
}

pub fn run_classify(config_path: Option<&Path>, args: &ClassifyArgs) -> anyhow::Result<()> {
    let models_dir = match &args.models_dir {
        Some(dir) => dir.clone(),
        None => crate::settings::models_dir(&crate::settings::load_config(config_path)?),
    };
    let path = resolve_model(&args.model, &models_dir);
    let bytes = fs::read(&path).with_context(|| format!("cannot read model {}", path.display()))?;
    let model = TopicModel::from_bytes(&bytes)
        .with_context(|| format!("cannot load {}", path.display()))?;
    let reader: Box<dyn BufRead> = if args.input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file =
            fs::File::open(&args.input).with_context(|| format!("cannot open {}", args.input))?;
        Box::new(std::io::BufReader::new(file))
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (number, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("cannot read input line {}", number + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let input: ClassifyInput = serde_json::from_str(&line)
            .with_context(|| format!("input line {}: expected {{\"id\",\"text\"}}", number + 1))?;
        let text = match &input.title {
            Some(title) => format!("{title}\n{}", input.text),
            None => input.text,
        };
        let topic = model.predict(&text);
        let output = ClassifyOutput {
            id: &input.id,
            label: &topic.label,
            score: topic.score,
        };
        serde_json::to_writer(&mut out, &output)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

pub fn run_eval_topic(args: &EvalTopicArgs) -> anyhow::Result<()> {
    let bbc_docs = bbc::read_shared(&args.data)?;
    let bbc = bbc::split(
        bbc_docs
            .into_iter()
            .map(bbc::BbcDoc::into_labelled)
            .collect(),
    );
    let ag = ag_news::split(ag_news::read_shared(&args.data)?);
    println!(
        "bbc: {} duplicates dropped before splitting; dev = every 5th article per label",
        bbc.dropped
    );
    println!("ag_news: dev = row index % 20 == 0 (the README's dev.csv.gz)");
    let corpora = [("bbc", bbc), ("ag_news", ag)];
    for (name, split) in corpora {
        let (train_docs, dev_docs) = (split.train, split.dev);
        // The same table sizes as the shipped models (see the crate README).
        let base = TrainOptions {
            name: name.to_string(),
            hash_bits: if name == "ag_news" { 18 } else { 20 },
            ..TrainOptions::default()
        };
        let options = choose_options(&train_docs, &base, None, None, None)?;
        let model = train(&train_docs, &options)?;
        println!(
            "{name}: dev accuracy {:.4} ({} dev, {} train; {})",
            accuracy(&model, &dev_docs),
            dev_docs.len(),
            train_docs.len(),
            options.describe()
        );
        calibration_report(name, &model, &dev_docs);
        seeds_report(&model, &args.seeds)?;
    }
    Ok(())
}

/// Reliability of the calibrated score on the dev split (10 equal-width bins of the top
/// label's score: count, mean score, accuracy), its expected calibration error, and what the
/// abstention rule of the secondary models keeps.
fn calibration_report(name: &str, model: &TopicModel, dev: &[LabeledDoc]) {
    const BINS: usize = 10;
    let mut bins = [(0usize, 0f64, 0usize); BINS];
    let mut kept = 0;
    let mut kept_right = 0;
    let mut unclaimed = 0;
    for doc in dev {
        let topic = model.predict(&doc.text);
        let right = topic.label == doc.label;
        let bin = ((topic.score * BINS as f32) as usize).min(BINS - 1);
        bins[bin].0 += 1;
        bins[bin].1 += f64::from(topic.score);
        bins[bin].2 += usize::from(right);
        match model.predict_known(&doc.text, newsflow_classify::MIN_CONFIDENT_SCORE) {
            Some(_) => {
                kept += 1;
                kept_right += usize::from(right);
            }
            None => {
                let margins = model.margins(&doc.text);
                if margins.iter().all(|m| *m <= 0.0) {
                    unclaimed += 1;
                }
            }
        }
    }
    println!(
        "{name}: reliability on dev (temperature {:.2}, fitted on train folds)",
        model.temperature()
    );
    println!("  score bin   docs  mean score  accuracy");
    let mut ece = 0.0;
    for (index, (count, score_sum, right)) in bins.iter().enumerate() {
        if *count == 0 {
            continue;
        }
        let confidence = score_sum / *count as f64;
        let accuracy = *right as f64 / *count as f64;
        ece += (*count as f64 / dev.len().max(1) as f64) * (confidence - accuracy).abs();
        println!(
            "  {:.1}-{:.1}  {count:6}  {confidence:10.3}  {accuracy:8.3}",
            index as f64 / BINS as f64,
            (index + 1) as f64 / BINS as f64
        );
    }
    println!("  expected calibration error: {ece:.4}");
    println!(
        "  abstention (no positive one-vs-rest margin, or score < {}): says a label for {kept} of {} dev documents ({:.1} %), accuracy {:.4} on them; {} abstentions have no positive margin",
        newsflow_classify::MIN_CONFIDENT_SCORE,
        dev.len(),
        100.0 * kept as f64 / dev.len().max(1) as f64,
        kept_right as f64 / kept.max(1) as f64,
        unclaimed
    );
}

/// The seed articles (world politics, outside the BBC taxonomy): label, score, top margin and
/// whether the model says something.
fn seeds_report(model: &TopicModel, seeds: &Path) -> anyhow::Result<()> {
    let Ok(entries) = fs::read_dir(seeds) else {
        return Ok(());
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
    {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let topic = model.predict(&text);
        let top = model
            .margins(&text)
            .into_iter()
            .fold(f32::NEG_INFINITY, f32::max);
        let known = model.predict_known(&text, newsflow_classify::MIN_CONFIDENT_SCORE);
        println!(
            "  seed {}: {} {:.2} (top margin {top:.2}) -> {}",
            path.file_name().unwrap_or_default().to_string_lossy(),
            topic.label,
            topic.score,
            known.map_or("nothing".to_string(), |t| t.label)
        );
    }
    Ok(())
}
