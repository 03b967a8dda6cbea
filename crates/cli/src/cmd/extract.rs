//! `newsflow train keywords` and `newsflow eval stories`: build the keyword background model
//! from the shared corpora's train parts, and score same-story detection on the labelled BBC
//! pairs (plus the seed articles), with the extract stage's single-thread speed.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use newsflow_corpus::bbc::{self, BbcDoc};
use newsflow_corpus::{ag_news, conll};
use newsflow_extract::story::{self, StoryFingerprint};
use newsflow_extract::Extractor;
use newsflow_model::{Format, Record};

const DEFAULT_DATA: &str = "../shared/data";
const DEFAULT_KEYWORDS: &str = "config/models/keywords.model";
const DEFAULT_SEEDS: &str = "seeds";
/// Terms seen in fewer background documents are left out of the model.
const MIN_DF: u32 = 2;

/// `newsflow train keywords`: background document frequencies for keyphrase scoring.
#[derive(Args, Debug, Clone)]
pub struct TrainKeywordsArgs {
    /// Folder holding bbc/, ag_news/ and conll2003/.
    #[arg(long, default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = DEFAULT_KEYWORDS)]
    pub out: PathBuf,
}

/// `newsflow eval stories`: same-story pair precision/recall and extract speed.
#[derive(Args, Debug, Clone)]
pub struct EvalStoriesArgs {
    /// Folder holding bbc/.
    #[arg(long, default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Keyword model (skipped when missing). Default: `keywords.model` of the models folder,
    /// found as the pipeline finds it.
    #[arg(long)]
    pub keywords: Option<PathBuf>,
    /// NER model (skipped when missing; an unreadable one is an error). Default: `ner.model`
    /// of the models folder.
    #[arg(long)]
    pub ner: Option<PathBuf>,
    /// Folder of the seed articles (plain text).
    #[arg(long, default_value = DEFAULT_SEEDS)]
    pub seeds: PathBuf,
    /// Random different-story pairs drawn from the BBC dev part (same topic).
    #[arg(long, default_value_t = 300)]
    pub random_pairs: usize,
}

/// CoNLL-2003 train stories as texts (one sentence a line).
fn conll_train(data: &Path) -> anyhow::Result<Vec<String>> {
    let documents = conll::read(&data.join(conll::TRAIN))?;
    Ok(documents
        .iter()
        .filter(|doc| !doc.sentences.is_empty())
        .map(|doc| doc.text())
        .collect())
}

fn labelled_names() -> BTreeSet<String> {
    story::labelled_pairs()
        .into_iter()
        .flat_map(|p| [p.a, p.b])
        .collect()
}

pub fn run_train_keywords(args: &TrainKeywordsArgs) -> anyhow::Result<()> {
    // BBC: the train part of the corpus split, without any article of a labelled story pair
    // (those and the dev part are what `eval stories` scores).
    let labelled = labelled_names();
    let bbc = bbc::split(bbc::read_shared(&args.data)?);
    let mut texts: Vec<String> = Vec::new();
    let mut bbc_used = 0;
    for doc in &bbc.train {
        if !labelled.contains(&doc.name()) {
            texts.push(format!("{}\n{}", doc.title(), doc.body()));
            bbc_used += 1;
        }
    }
    let ag: Vec<String> = ag_news::split(ag_news::read_shared(&args.data)?)
        .train
        .iter()
        .map(|row| ag_news::spaced(&row.text))
        .collect();
    let conll = conll_train(&args.data)?;
    let (ag_count, conll_count) = (ag.len(), conll.len());
    texts.extend(ag);
    texts.extend(conll);
    let bytes = newsflow_extract::keywords::train(texts.iter().map(String::as_str), MIN_DF);
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    let model = newsflow_extract::keywords::KeywordModel::from_bytes(&bytes)?;
    println!(
        "keywords: {} documents (bbc {bbc_used}, ag_news {ag_count}, conll {conll_count}), {} terms (df >= {MIN_DF}), {} bytes -> {}",
        model.docs(),
        model.terms(),
        bytes.len(),
        args.out.display()
    );
    Ok(())
}

fn bbc_record(doc: &BbcDoc) -> Record {
    let name = doc.name();
    let mut record = Record::new(name.clone(), name, String::new(), Format::Txt);
    record.title = Some(doc.title().to_string());
    record.body = doc.body();
    record
}

/// The model files `eval stories` uses: as given, else those of the models folder.
struct StoryModels {
    keywords: PathBuf,
    ner: PathBuf,
}

impl StoryModels {
    fn of(config_path: Option<&Path>, args: &EvalStoriesArgs) -> anyhow::Result<StoryModels> {
        let config = crate::settings::load_config(config_path)?;
        let dir = crate::settings::models_dir(&config);
        Ok(StoryModels {
            keywords: args
                .keywords
                .clone()
                .unwrap_or_else(|| dir.join("keywords.model")),
            ner: args
                .ner
                .clone()
                .unwrap_or_else(|| dir.join(newsflow_ner::model_file_name("en"))),
        })
    }
}

fn load_extractor(models: &StoryModels, with_ner: bool) -> anyhow::Result<Extractor> {
    let keywords = if models.keywords.exists() {
        Some(
            std::fs::read(&models.keywords)
                .with_context(|| format!("reading {}", models.keywords.display()))?,
        )
    } else {
        eprintln!(
            "keyword model {} missing, not used",
            models.keywords.display()
        );
        None
    };
    let ner = if with_ner {
        load_ner(&models.ner)?
    } else {
        None
    };
    Ok(Extractor::new(ner, keywords.as_deref())?)
}

/// The NER model, or `None` (with a note on stderr) when it is missing; a model that cannot
/// be read or loaded is an error, never skipped.
fn load_ner(path: &Path) -> anyhow::Result<Option<newsflow_ner::NerModel>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("ner model {} missing, not used", path.display());
            return Ok(None);
        }
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let model = newsflow_ner::NerModel::from_bytes(&bytes)
        .with_context(|| format!("loading ner model {}", path.display()))?;
    Ok(Some(model))
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

struct Scored {
    name: String,
    same: bool,
    near_duplicate_label: bool,
    score: f32,
    near_duplicate: bool,
}

fn precision_recall(pairs: &[&Scored], threshold: f32) -> (f64, f64, usize, usize, usize) {
    let tp = pairs
        .iter()
        .filter(|p| p.same && p.score >= threshold)
        .count();
    let fp = pairs
        .iter()
        .filter(|p| !p.same && p.score >= threshold)
        .count();
    let fn_ = pairs
        .iter()
        .filter(|p| p.same && p.score < threshold)
        .count();
    let precision = if tp + fp == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    let recall = if tp + fn_ == 0 {
        1.0
    } else {
        tp as f64 / (tp + fn_) as f64
    };
    (precision, recall, tp, fp, fn_)
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

pub fn run_eval_stories(config_path: Option<&Path>, args: &EvalStoriesArgs) -> anyhow::Result<()> {
    let models = StoryModels::of(config_path, args)?;
    let extractor = load_extractor(&models, true)?;
    let docs = bbc::read_shared(&args.data)?;
    let names: Vec<String> = docs.iter().map(BbcDoc::name).collect();
    let by_name: HashMap<&str, &BbcDoc> = names.iter().map(String::as_str).zip(&docs).collect();
    let mut pairs: Vec<(String, String, bool, bool)> = Vec::new();
    for pair in story::labelled_pairs() {
        let near = pair.source == "near-identical text";
        pairs.push((pair.a, pair.b, pair.same, near));
    }
    // Random same-topic pairs from the dev part of the BBC split, labelled different (a
    // headline match or a labelled pair is skipped).
    let labelled: BTreeSet<(String, String)> = pairs
        .iter()
        .map(|(a, b, _, _)| (a.clone(), b.clone()))
        .collect();
    let dev: Vec<(String, &BbcDoc)> = bbc::split(docs.iter().collect::<Vec<_>>())
        .dev
        .into_iter()
        .map(|doc| (doc.name(), doc))
        .collect();
    let mut rng = SplitMix(20_231_114);
    let mut random = 0;
    let mut attempts = 0;
    while random < args.random_pairs && attempts < args.random_pairs * 50 && dev.len() > 1 {
        attempts += 1;
        let (a_name, a) = &dev[(rng.next() % dev.len() as u64) as usize];
        let (b_name, b) = &dev[(rng.next() % dev.len() as u64) as usize];
        if a_name >= b_name || a.topic != b.topic || a.title().eq_ignore_ascii_case(b.title()) {
            continue;
        }
        let key = (a_name.clone(), b_name.clone());
        if labelled.contains(&key) || pairs.iter().any(|(x, y, _, _)| *x == key.0 && *y == key.1) {
            continue;
        }
        pairs.push((key.0, key.1, false, false));
        random += 1;
    }
    let mut fingerprints: HashMap<String, StoryFingerprint> = HashMap::new();
    for (a, b, _, _) in &pairs {
        for name in [a, b] {
            if fingerprints.contains_key(name) {
                continue;
            }
            let doc = by_name
                .get(name.as_str())
                .with_context(|| format!("{name} is not in the BBC archive"))?;
            let mut record = bbc_record(doc);
            extractor.extract(&mut record);
            fingerprints.insert(name.clone(), story::fingerprint(&record));
        }
    }
    let mut scored: Vec<Scored> = Vec::new();
    for (a, b, same, near) in &pairs {
        let (Some(fa), Some(fb)) = (fingerprints.get(a), fingerprints.get(b)) else {
            continue;
        };
        scored.push(Scored {
            name: format!("{a} ~ {b}"),
            same: *same,
            near_duplicate_label: *near,
            score: story::same_story(fa, fb),
            near_duplicate: story::near_duplicate(fa, fb),
        });
    }
    let positives = scored.iter().filter(|s| s.same).count();
    println!(
        "story pairs: {} ({} same story: {} near-identical, {} rewrites/same event; {} different: {} hand-labelled related, {} random same-topic)",
        scored.len(),
        positives,
        scored.iter().filter(|s| s.same && s.near_duplicate_label).count(),
        scored.iter().filter(|s| s.same && !s.near_duplicate_label).count(),
        scored.len() - positives,
        scored.len() - positives - random,
        random
    );
    let all: Vec<&Scored> = scored.iter().collect();
    println!("threshold  precision  recall  f1     (all pairs)");
    for step in 1..=12 {
        let threshold = step as f32 * 0.05;
        let (p, r, _, _, _) = precision_recall(&all, threshold);
        println!("{threshold:9.2}  {p:9.3}  {r:6.3}  {:.3}", f1(p, r));
    }
    // Pick a threshold on one half of the pairs and score it on the other half.
    let (tune, test): (Vec<&Scored>, Vec<&Scored>) = {
        let mut tune = Vec::new();
        let mut test = Vec::new();
        for (index, pair) in scored.iter().enumerate() {
            if index.is_multiple_of(2) {
                tune.push(pair);
            } else {
                test.push(pair);
            }
        }
        (tune, test)
    };
    let mut best = (0.0f64, 0.5f32);
    for step in 1..=90 {
        let candidate = step as f32 * 0.01;
        let (p, r, _, _, _) = precision_recall(&tune, candidate);
        if f1(p, r) > best.0 + 1e-9 {
            best = (f1(p, r), candidate);
        }
    }
    let (p, r, tp, fp, fn_) = precision_recall(&test, best.1);
    println!("best threshold on the tune half: {:.2} (f1 {:.3}); on the test half: precision {p:.3} recall {r:.3} f1 {:.3} (tp {tp}, fp {fp}, fn {fn_})", best.1, best.0, f1(p, r));
    let (p, r, tp, fp, fn_) = precision_recall(&all, story::SAME_STORY_THRESHOLD);
    println!(
        "SAME_STORY_THRESHOLD {:.2}, all pairs: precision {p:.3} recall {r:.3} f1 {:.3} (tp {tp}, fp {fp}, fn {fn_})",
        story::SAME_STORY_THRESHOLD,
        f1(p, r)
    );
    for pair in &scored {
        let predicted = pair.score >= story::SAME_STORY_THRESHOLD;
        if predicted != pair.same {
            println!(
                "  {} {} score {:.3}",
                if pair.same { "missed" } else { "false join" },
                pair.name,
                pair.score
            );
        }
    }
    let near_tp = scored
        .iter()
        .filter(|s| s.near_duplicate && s.near_duplicate_label)
        .count();
    let near_fp = scored
        .iter()
        .filter(|s| s.near_duplicate && !s.near_duplicate_label)
        .count();
    let near_fn = scored
        .iter()
        .filter(|s| !s.near_duplicate && s.near_duplicate_label)
        .count();
    println!(
        "near_duplicate: tp {near_tp}, fp {near_fp}, fn {near_fn} (label: near-identical text)"
    );
    for pair in scored
        .iter()
        .filter(|s| s.near_duplicate != s.near_duplicate_label)
    {
        println!(
            "  near_duplicate {} for {} (same story: {})",
            pair.near_duplicate, pair.name, pair.same
        );
    }

    seeds_report(args, &extractor)?;
    speed_report(&models, &docs)?;
    Ok(())
}

/// The seed articles as records: no title, the whole text as body.
fn seed_records(dir: &Path) -> anyhow::Result<Vec<Record>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    let mut records = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut record = Record::new(name.clone(), name, String::new(), Format::Txt);
        record.body = String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        records.push(record);
    }
    Ok(records)
}

fn seeds_report(args: &EvalStoriesArgs, extractor: &Extractor) -> anyhow::Result<()> {
    if !args.seeds.exists() {
        println!("seeds: {} not found, skipped", args.seeds.display());
        return Ok(());
    }
    let mut records = seed_records(&args.seeds)?;
    for record in &mut records {
        extractor.extract(record);
    }
    let fingerprints: Vec<StoryFingerprint> = records.iter().map(story::fingerprint).collect();
    println!(
        "seed pairs (same_story score, joined at {:.2}):",
        story::SAME_STORY_THRESHOLD
    );
    for i in 0..records.len() {
        for j in i + 1..records.len() {
            let score = story::same_story(&fingerprints[i], &fingerprints[j]);
            println!(
                "  {} ~ {}: {score:.3}{}",
                records[i].id,
                records[j].id,
                if score >= story::SAME_STORY_THRESHOLD {
                    " same story"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}

/// Single-thread extract speed over the BBC articles, without and with NER, in one run.
fn speed_report(models: &StoryModels, docs: &[BbcDoc]) -> anyhow::Result<()> {
    let records: Vec<Record> = docs.iter().map(bbc_record).collect();
    let bytes: usize = records.iter().map(|r| r.body.len()).sum();
    let mut runs = vec![("without NER", load_extractor(models, false)?)];
    if load_ner(&models.ner)?.is_some() {
        runs.push(("with NER", load_extractor(models, true)?));
    }
    for (label, extractor) in runs {
        let started = Instant::now();
        for record in &records {
            let mut copy = record.clone();
            extractor.extract(&mut copy);
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "extract speed {label}: {} articles ({:.1} KB mean) in {seconds:.2} s = {:.0} articles/s (single thread)",
            records.len(),
            bytes as f64 / records.len().max(1) as f64 / 1024.0,
            records.len() as f64 / seconds.max(1e-9)
        );
    }
    Ok(())
}
