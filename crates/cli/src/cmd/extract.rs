//! `newsflow train keywords` and `newsflow eval stories`: build the keyword background model
//! (one table per language) from the shared corpora's train parts, and score same-story
//! detection on the labelled BBC pairs (plus the seed articles), with the extract stage's
//! single-thread speed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use newsflow_corpus::bbc::{self, BbcDoc};
use newsflow_corpus::news_pages::{self, NewsPages, NewsSplit};
use newsflow_corpus::{ag_news, conll};
use newsflow_extract::keywords::{KeywordModel, KeywordTables};
use newsflow_extract::lang;
use newsflow_extract::story::{self, StoryFingerprint};
use newsflow_extract::Extractor;
use newsflow_model::{Format, Record};

const DEFAULT_DATA: &str = "../shared/data";
const DEFAULT_KEYWORDS: &str = "config/models/keywords.model";
const DEFAULT_SEEDS: &str = "seeds";
/// Terms seen in fewer background documents are left out of the model.
const MIN_DF: u32 = 2;
/// A language with fewer background documents gets no table (its keywords are ranked by
/// frequency, `nlp.keywords: "frequency:<lang>"`): a handful of pages are no statistics.
const MIN_TABLE_DOCS: u32 = 10;

/// Sentences per background document cut from a `ner-multilingual/` file (it has no
/// document boundaries), as `train ner` cuts them.
const NER_TEXT_SENTENCES: usize = 20;

/// `newsflow train keywords`: background document frequencies for keyphrase scoring, one table
/// per language in one file.
#[derive(Args, Debug, Clone)]
pub struct TrainKeywordsArgs {
    /// Folder holding bbc/, ag_news/, conll2003/, news-pages/ and ner-multilingual/.
    #[arg(long, default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = DEFAULT_KEYWORDS)]
    pub out: PathBuf,
    /// Languages to (re)train, comma-separated (en, de, fr, es, it, pt, nl); the other tables
    /// of an existing model at --out are kept as they are. Default: all seven.
    #[arg(long, value_delimiter = ',')]
    pub lang: Vec<String>,
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
    /// Hand-checked pairs of news pages in two languages (that part is skipped when the file
    /// is missing).
    #[arg(long, default_value = super::anchors::DEFAULT_PAIRS)]
    pub cross_pairs: PathBuf,
    /// Print the score of every labelled cross-language pair.
    #[arg(long)]
    pub show: bool,
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
    let languages: Vec<String> = if args.lang.is_empty() {
        lang::SUPPORTED.iter().map(|l| l.to_string()).collect()
    } else {
        args.lang.clone()
    };
    for code in &languages {
        anyhow::ensure!(
            lang::SUPPORTED.contains(&code.as_str()),
            "no keyword rules for language {code} (supported: {})",
            lang::SUPPORTED.join(", ")
        );
    }
    // Tables of languages not retrained now come from the model already there.
    let mut tables: Vec<(String, KeywordModel)> = Vec::new();
    if args.out.exists() && languages.len() < lang::SUPPORTED.len() {
        let old = KeywordTables::from_bytes(
            &std::fs::read(&args.out).with_context(|| format!("reading {}", args.out.display()))?,
        )
        .with_context(|| format!("loading {}", args.out.display()))?;
        for code in lang::SUPPORTED {
            if let (false, Some(model)) = (languages.iter().any(|l| l == code), old.get(code)) {
                tables.push((code.to_string(), model.clone()));
            }
        }
    }
    let others: Vec<&str> = languages
        .iter()
        .map(String::as_str)
        .filter(|code| *code != "en")
        .collect();
    let pages = if others.is_empty() {
        BTreeMap::new()
    } else {
        news_page_texts(&args.data, &others)?
    };
    for code in lang::SUPPORTED {
        if !languages.iter().any(|l| l == code) {
            continue;
        }
        let language = lang::for_code(Some(code)).context("supported language")?;
        let (texts, sources) = if code == "en" {
            english_background(&args.data)?
        } else {
            let mut texts: Vec<String> = pages.get(code).cloned().unwrap_or_default();
            let mut sources = format!("news-pages train half {}", texts.len());
            if conll::MULTILINGUAL_LANGUAGES.contains(&code) {
                let documents = conll::pseudo_documents(
                    conll::read(&args.data.join(conll::multilingual("train", code)))?,
                    NER_TEXT_SENTENCES,
                );
                sources.push_str(&format!(", ner-multilingual train {}", documents.len()));
                texts.extend(documents.iter().map(conll::Document::text));
            }
            (texts, sources)
        };
        let model = newsflow_extract::keywords::train_in(
            texts.iter().map(String::as_str),
            MIN_DF,
            language,
        );
        if model.docs() < MIN_TABLE_DOCS {
            println!(
                "keywords {code}: {} documents ({sources}), under {MIN_TABLE_DOCS}: no table (ranked by frequency)",
                model.docs()
            );
            continue;
        }
        println!(
            "keywords {code}: {} documents ({sources}), {} terms (df >= {MIN_DF})",
            model.docs(),
            model.terms()
        );
        tables.push((code.to_string(), model));
    }
    // The file keeps the languages in a fixed order.
    tables.sort_by_key(|(code, _)| lang::SUPPORTED.iter().position(|l| l == code));
    let bytes = KeywordTables::new(tables).to_bytes();
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    let written = KeywordTables::from_bytes(&bytes)?;
    println!(
        "keywords: tables {}, {} bytes -> {}",
        written.languages().join(", "),
        bytes.len(),
        args.out.display()
    );
    Ok(())
}

/// The English background documents: the BBC train part without any article of a labelled
/// story pair (those and the dev part are what `eval stories` scores), AG News train rows and
/// CoNLL-2003 train stories; with a line saying how many of each.
fn english_background(data: &Path) -> anyhow::Result<(Vec<String>, String)> {
    let labelled = labelled_names();
    let bbc = bbc::split(bbc::read_shared(data)?);
    let mut texts: Vec<String> = Vec::new();
    let mut bbc_used = 0;
    for doc in &bbc.train {
        if !labelled.contains(&doc.name()) {
            texts.push(format!("{}\n{}", doc.title(), doc.body()));
            bbc_used += 1;
        }
    }
    let ag: Vec<String> = ag_news::split(ag_news::read_shared(data)?)
        .train
        .iter()
        .map(|row| ag_news::spaced(&row.text))
        .collect();
    let conll = conll_train(data)?;
    let sources = format!(
        "bbc {bbc_used}, ag_news {}, conll {}",
        ag.len(),
        conll.len()
    );
    texts.extend(ag);
    texts.extend(conll);
    Ok((texts, sources))
}

/// Title and cleaned body of the news pages of the train half ([`news_pages::split_of`]), by
/// the language the pipeline detects (only `languages`): cleaned and classified as `newsflow
/// process` runs them.
fn news_page_texts(
    data: &Path,
    languages: &[&str],
) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let config = crate::settings::load_config(None)?;
    let pipeline = crate::settings::pipeline(&config)?;
    let pages = NewsPages::open(&data.join("news-pages"))?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for page in &pages.pages {
        if news_pages::split_of(page) != Some(NewsSplit::Train) {
            continue;
        }
        let Some(record) = page_record(&pages, page, &pipeline)? else {
            continue;
        };
        let Some(code) = record.language.as_deref() else {
            continue;
        };
        if languages.contains(&code) {
            let text = match &record.title {
                Some(title) => format!("{title}\n{}", record.body),
                None => record.body.clone(),
            };
            out.entry(code.to_string()).or_default().push(text);
        }
    }
    Ok(out)
}

/// A news page cleaned and classified (not extracted) by the pipeline; `None` when the clean
/// stage rejects it.
pub(super) fn page_record(
    pages: &NewsPages,
    page: &news_pages::NewsPage,
    pipeline: &newsflow_pipeline::Pipeline,
) -> anyhow::Result<Option<Record>> {
    let bytes = pages.html(page)?;
    let raw = super::eval_input(&page.id, &page.file, Format::Html, &bytes);
    let Ok(mut record) = pipeline.clean(&raw) else {
        return Ok(None);
    };
    pipeline.classify(&mut record);
    Ok(Some(record))
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

    if args.cross_pairs.exists() {
        super::anchors::cross_language_report(
            config_path,
            &args.data,
            &args.cross_pairs,
            args.show,
        )?;
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

/// `newsflow eval keywords`: proxies for keyword and summary quality per language on the
/// held-out half of the news pages (there is no gold for them): keywords that are stop words
/// or fragments, overlap with the page's own keywords (`<meta name="keywords">`,
/// `news_keywords`, JSON-LD `keywords`), summaries cut at an abbreviation and summaries in
/// another language than the article; each beside the English rules run on the same article.
#[derive(Args, Debug, Clone)]
pub struct EvalKeywordsArgs {
    /// Folder holding news-pages/.
    #[arg(long, default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Print every page's keywords and summary, and every bad keyword and cut summary.
    #[arg(long)]
    pub show: bool,
}

/// A word is "frequent" (a function word found by counting, not from a list) when it is in at
/// least this share of a language's held-out pages, with at least [`FREQUENT_MIN_PAGES`] pages.
const FREQUENT_SHARE: f64 = 0.4;
const FREQUENT_MIN_PAGES: usize = 5;

/// Figures of one ranking (the article's language, or the English rules) in one language.
#[derive(Default)]
struct KeywordTally {
    pages: usize,
    with_keywords: usize,
    keywords: usize,
    /// A first or last word is a stop word of the language, or a word is a fragment.
    bad: usize,
    /// A word is one of the language's frequent words (counted on the pages).
    frequent: usize,
    meta_pages: usize,
    meta_hits: usize,
    meta_matched: usize,
    meta_keywords: usize,
    summaries: usize,
    cut: usize,
    other_language: usize,
    /// Sentence ends inside the bodies' paragraphs, and those at an abbreviation.
    sentence_ends: usize,
    body_cuts: usize,
}

/// The page's own keywords: `<meta name="keywords" | "news_keywords" content>` and JSON-LD
/// `keywords` (a comma-separated string or a list), lowercased, without duplicates.
pub fn page_keywords(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |text: &str| {
        for part in text.split([',', ';']) {
            let part = part.trim().to_lowercase();
            if !part.is_empty() && part.chars().count() <= 60 && !out.contains(&part) {
                out.push(part);
            }
        }
    };
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<meta") {
        let start = from + at;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &html[start..end];
        let name = attribute(tag, "name").or_else(|| attribute(tag, "property"));
        if name.is_some_and(|n| {
            let n = n.to_ascii_lowercase();
            n == "keywords" || n == "news_keywords"
        }) {
            if let Some(content) = attribute(tag, "content") {
                add(&decode_entities(content));
            }
        }
        from = end;
    }
    let mut from = 0;
    while let Some(at) = lower[from..].find("application/ld+json") {
        let open = from + at;
        let Some(body_start) = lower[open..].find('>').map(|e| open + e + 1) else {
            break;
        };
        let body_end = lower[body_start..]
            .find("</script")
            .map_or(lower.len(), |e| body_start + e);
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&html[body_start..body_end]) {
            let mut stack = vec![&value];
            while let Some(node) = stack.pop() {
                match node {
                    serde_json::Value::Object(map) => {
                        for (key, child) in map {
                            if key == "keywords" {
                                match child {
                                    serde_json::Value::String(text) => add(text),
                                    serde_json::Value::Array(items) => {
                                        for item in items.iter().filter_map(|i| i.as_str()) {
                                            add(item);
                                        }
                                    }
                                    _ => {}
                                }
                            } else {
                                stack.push(child);
                            }
                        }
                    }
                    serde_json::Value::Array(items) => stack.extend(items),
                    _ => {}
                }
            }
        }
        from = body_end;
    }
    out
}

/// The value of an HTML attribute in a tag's text (quoted with " or ').
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        let before_ok = lower[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace);
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = lower.len() - rest.len() + 1;
        let value = tag[value_at..].trim_start();
        let quote = value.chars().next()?;
        if quote == '"' || quote == '\'' {
            let inner = &value[1..];
            return inner.find(quote).map(|end| &inner[..end]);
        }
        return value.split_whitespace().next();
    }
    None
}

/// The few entities meta keywords use.
fn decode_entities(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Lowercase words of a keyword (letters and digits).
fn keyword_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// True when one keyword's words appear contiguously in the other's.
fn keywords_match(ours: &str, theirs: &str) -> bool {
    let (a, b) = (keyword_words(ours), keyword_words(theirs));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    long.windows(short.len()).any(|w| w == short.as_slice())
}

/// Why a keyword is a stop word or a fragment, if it is one.
fn bad_keyword(keyword: &str, language: &lang::Language) -> Option<&'static str> {
    let words: Vec<&str> = keyword.split(' ').filter(|w| !w.is_empty()).collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return Some("empty");
    };
    for word in &words {
        let lower = word.to_lowercase();
        if lower.chars().filter(|c| c.is_alphabetic()).count() < 2 {
            return Some("fragment: under two letters");
        }
        if lower.starts_with('-') || lower.ends_with('-') {
            return Some("fragment: truncated compound");
        }
        let elided = ["l", "d", "qu", "dell", "all", "nell", "un"]
            .iter()
            .any(|p| lower.starts_with(&format!("{p}'")) || lower.starts_with(&format!("{p}’")));
        if elided {
            return Some("fragment: elided article");
        }
    }
    let is_stop = |w: &str| language.is_stopword(&w.to_lowercase());
    if is_stop(first) || is_stop(last) {
        return Some("stop word at an edge");
    }
    None
}

/// Month names of the supported languages (lowercase), after which an ordinal's dot goes on.
const MONTHS: &[&str] = &[
    "januar",
    "jänner",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
    "januari",
    "februari",
    "maart",
    "mei",
    "augustus",
    "december",
    "juli",
    "oktober",
];

/// The word before a dot at `dot` (letters, digits and inner dots: `z.B`, `U.S`, `3`); empty
/// after an apostrophe (`Bartleby's.`, `won't.`: the end of a word, not an abbreviation).
fn word_before(text: &str, dot: usize) -> String {
    let word: String = text[..dot]
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect();
    let before = text[..dot - word.len()].chars().next_back();
    if before.is_some_and(|c| c == '\'' || c == '’') {
        return String::new();
    }
    word
}

/// The first word of `text` (letters and digits).
fn first_word(text: &str) -> String {
    text.trim_start()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect()
}

/// True when a sentence that ends with `word` + "." while the text goes on with `next` is cut
/// at an abbreviation: `word` is one of the language's abbreviations or a single letter
/// ("z. B.", "Dr.", "M.", "Sr.", "ca."), or (German, Dutch) a number of up to two digits
/// followed by a month name or a lowercase word (an ordinal, "am 3. Oktober").
fn abbreviation_cut(word: &str, next: &str, language: &lang::Language) -> bool {
    let lower = word.to_lowercase();
    if next.is_empty() || lower.is_empty() {
        return false;
    }
    let letters = lower.chars().any(char::is_alphabetic);
    if letters && lower.split('.').all(|p| p.chars().count() <= 1) {
        return true;
    }
    if language.is_abbreviation(&lower) {
        return true;
    }
    let number = (1..=2).contains(&lower.len()) && lower.bytes().all(|b| b.is_ascii_digit());
    number
        && language.ordinal_dots
        && (next.chars().next().is_some_and(char::is_lowercase)
            || MONTHS.contains(&next.to_lowercase().as_str()))
}

/// Where the summary ends one of its sentences at an abbreviation, if it does: the text up to
/// that dot. A sentence of the summary ends at a dot where the body goes on with another word
/// than the summary does ([`abbreviation_cut`] on the body's next word).
fn cut_at_abbreviation(summary: &str, body: &str, language: &lang::Language) -> Option<String> {
    let flat = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (summary, body) = (flat(summary), flat(body));
    for (dot, _) in summary.match_indices('.') {
        let after = &summary[dot + 1..];
        if !(after.is_empty() || after.starts_with(' ')) {
            continue;
        }
        let word = word_before(&summary, dot);
        let summary_next = first_word(after);
        let head_start = summary[..dot]
            .char_indices()
            .rev()
            .nth(40)
            .map_or(0, |(i, _)| i);
        let head = &summary[head_start..=dot];
        // Where the body has this text: does it go on as the summary does?
        let mut goes_on = false;
        let mut cut = false;
        for (at, _) in body.match_indices(head) {
            let body_next = first_word(&body[at + head.len()..]);
            if body_next == summary_next {
                goes_on = true;
                break;
            }
            cut |= abbreviation_cut(&word, &body_next, language);
        }
        if cut && !goes_on {
            return Some(summary[..=dot].to_string());
        }
    }
    None
}

/// Sentence ends the summary's splitter with the rules of `rules` puts at an abbreviation of
/// the article's `language` in a body, and all the sentence ends it puts inside paragraphs.
fn body_cuts(
    body: &str,
    rules: &lang::Language,
    language: &lang::Language,
) -> (usize, usize, Vec<String>) {
    let (mut cuts, mut ends, mut shown) = (0, 0, Vec::new());
    for paragraph in body.split('\n') {
        let spans = newsflow_extract::summary::sentences(paragraph, rules);
        for pair in spans.windows(2) {
            ends += 1;
            let end = pair[0].1;
            let sentence = &paragraph[pair[0].0..end];
            let Some(dot) = sentence.rfind('.') else {
                continue;
            };
            if !sentence[dot + 1..].chars().all(|c| !c.is_alphanumeric()) {
                continue;
            }
            let word = word_before(sentence, dot);
            let next = first_word(&paragraph[end..]);
            if abbreviation_cut(&word, &next, language) {
                cuts += 1;
                let from = sentence[..dot]
                    .char_indices()
                    .rev()
                    .nth(30)
                    .map_or(0, |(i, _)| i);
                shown.push(format!("{} | {}", &sentence[from..], next));
            }
        }
    }
    (cuts, ends, shown)
}

pub fn run_eval_keywords(
    config_path: Option<&Path>,
    args: &EvalKeywordsArgs,
) -> anyhow::Result<()> {
    let config = crate::settings::load_config(config_path)?;
    let pipeline = crate::settings::pipeline(&config)?;
    let pages = NewsPages::open(&args.data.join("news-pages"))?;
    // (language, after record, before record, page html)
    let mut rows: Vec<(String, Record, Record, String)> = Vec::new();
    for page in &pages.pages {
        if news_pages::split_of(page) != Some(NewsSplit::Held) {
            continue;
        }
        let Some(record) = page_record(&pages, page, &pipeline)? else {
            continue;
        };
        let Some(code) = record.language.clone() else {
            continue;
        };
        if !lang::SUPPORTED.contains(&code.as_str()) {
            continue;
        }
        let mut before = record.clone();
        before.language = Some("en".to_string());
        pipeline.extract(&mut before);
        let mut after = record;
        pipeline.extract(&mut after);
        let html = String::from_utf8_lossy(&pages.html(page)?).into_owned();
        rows.push((code, after, before, html));
    }
    // Frequent words per language, counted on the held-out bodies.
    let mut page_counts: BTreeMap<&str, (usize, HashMap<String, usize>)> = BTreeMap::new();
    for (code, after, _, _) in &rows {
        let entry = page_counts.entry(code.as_str()).or_default();
        entry.0 += 1;
        let words: BTreeSet<String> = keyword_words(&after.body).into_iter().collect();
        for word in words {
            *entry.1.entry(word).or_default() += 1;
        }
    }
    let frequent: BTreeMap<&str, BTreeSet<String>> = page_counts
        .iter()
        .map(|(code, (pages, counts))| {
            let set = if *pages >= FREQUENT_MIN_PAGES {
                counts
                    .iter()
                    .filter(|(_, n)| **n as f64 >= FREQUENT_SHARE * *pages as f64)
                    .map(|(w, _)| w.clone())
                    .collect()
            } else {
                BTreeSet::new()
            };
            (*code, set)
        })
        .collect();
    let mut tallies: BTreeMap<(String, &str), KeywordTally> = BTreeMap::new();
    for (code, after, before, html) in &rows {
        let language = lang::for_code(Some(code)).context("supported")?;
        let meta = page_keywords(html);
        let no_frequent = BTreeSet::new();
        let frequent_words = frequent.get(code.as_str()).unwrap_or(&no_frequent);
        for (run, record) in [("after", after), ("english rules", before)] {
            let tally = tallies.entry((code.clone(), run)).or_default();
            tally.pages += 1;
            let keywords = record.keywords.clone().unwrap_or_default();
            if !keywords.is_empty() {
                tally.with_keywords += 1;
            }
            tally.keywords += keywords.len();
            for keyword in &keywords {
                if let Some(why) = bad_keyword(keyword, language) {
                    tally.bad += 1;
                    if args.show {
                        println!("{} {run}: bad keyword {keyword:?} ({why})", record.id);
                    }
                }
                if keyword_words(keyword)
                    .iter()
                    .any(|w| frequent_words.contains(w))
                {
                    tally.frequent += 1;
                }
            }
            if !meta.is_empty() && !keywords.is_empty() {
                tally.meta_pages += 1;
                let matched = keywords
                    .iter()
                    .filter(|k| meta.iter().any(|m| keywords_match(k, m)))
                    .count();
                tally.meta_matched += matched;
                tally.meta_keywords += keywords.len();
                tally.meta_hits += usize::from(matched > 0);
            }
            let rules = if run == "after" {
                language
            } else {
                &lang::ENGLISH
            };
            let (cuts, ends, shown) = body_cuts(&record.body, rules, language);
            tally.body_cuts += cuts;
            tally.sentence_ends += ends;
            if args.show {
                for cut in shown {
                    println!(
                        "{} {run}: sentence cut at an abbreviation: {cut}",
                        record.id
                    );
                }
            }
            if let Some(summary) = &record.summary {
                tally.summaries += 1;
                if let Some(head) = cut_at_abbreviation(summary, &record.body, language) {
                    tally.cut += 1;
                    if args.show {
                        println!(
                            "{} {run}: summary cut at an abbreviation: {head}",
                            record.id
                        );
                    }
                }
                let detected = newsflow_classify::detect_language(summary).map(|(l, _)| l);
                if detected.as_deref().is_some_and(|l| l != code) {
                    tally.other_language += 1;
                    if args.show {
                        println!(
                            "{} {run}: summary detected as {detected:?}: {summary}",
                            record.id
                        );
                    }
                }
            }
            if args.show && run == "after" {
                println!(
                    "{} [{code}] keywords {:?} (page's: {:?})\n  summary: {}",
                    record.id,
                    keywords,
                    meta,
                    record.summary.as_deref().unwrap_or("-")
                );
            }
        }
    }
    println!(
        "news pages, held-out half ({} pages in en/de/fr/es/it/pt/nl); frequent words: in >= {:.0} % of a language's held-out pages (>= {FREQUENT_MIN_PAGES} pages)",
        rows.len(),
        FREQUENT_SHARE * 100.0
    );
    println!("lang  ranking        pages  with_kw  kw/page  stop/fragment  frequent_word  meta_pages  meta_hit  meta_prec  summaries  cut_at_abbr  other_lang  body_ends  body_cuts  ran");
    let ratio = |n: usize, d: usize| {
        if d == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", n as f64 / d as f64)
        }
    };
    for code in lang::SUPPORTED {
        for run in ["english rules", "after"] {
            let Some(t) = tallies.get(&(code.to_string(), run)) else {
                continue;
            };
            let ran = rows
                .iter()
                .find(|(c, _, _, _)| c == code)
                .and_then(|(_, after, before, _)| {
                    let record = if run == "after" { after } else { before };
                    record.nlp.as_ref().and_then(|n| n.keywords.clone())
                })
                .unwrap_or_default();
            println!(
                "{code:4}  {run:13}  {:5}  {:7}  {:>7}  {:>13}  {:>13}  {:10}  {:>8}  {:>9}  {:9}  {:>11}  {:>10}  {:9}  {:>9}  {ran}",
                t.pages,
                t.with_keywords,
                ratio(t.keywords, t.pages),
                ratio(t.bad, t.keywords),
                ratio(t.frequent, t.keywords),
                t.meta_pages,
                ratio(t.meta_hits, t.meta_pages),
                ratio(t.meta_matched, t.meta_keywords),
                t.summaries,
                ratio(t.cut, t.summaries),
                ratio(t.other_language, t.summaries),
                t.sentence_ends,
                ratio(t.body_cuts, t.sentence_ends),
            );
        }
    }
    println!("(english rules: the same article with English stop words, sentence rules and background table, as the extract stage ran on every language before; body_ends: sentence ends inside paragraphs, body_cuts: share of them at an abbreviation; 'ran' is nlp.keywords of the first page)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_keywords_come_from_metas_and_json_ld() {
        let html = r#"<html><head><meta name="keywords" content="Bundestag, Haushalt &amp; Steuern">
            <META NAME='news_keywords' CONTENT='haushalt;Berlin'>
            <meta property="og:title" content="nope">
            <script type="application/ld+json">{"@graph":[{"keywords":["Olaf Scholz","Berlin"]}]}</script>
            </head></html>"#;
        assert_eq!(
            page_keywords(html),
            [
                "bundestag",
                "haushalt & steuern",
                "haushalt",
                "berlin",
                "olaf scholz"
            ]
        );
        assert!(page_keywords("<html></html>").is_empty());
    }

    #[test]
    fn keywords_match_by_contained_words() {
        assert!(keywords_match("Olaf Scholz", "scholz"));
        assert!(keywords_match("Haushalt", "Haushalt & Steuern"));
        assert!(!keywords_match("Haus", "Haushalt"));
    }

    #[test]
    fn bad_keywords_are_stop_words_at_an_edge_or_fragments() {
        let german = lang::for_code(Some("de")).unwrap();
        assert_eq!(bad_keyword("Bundesregierung", german), None);
        assert!(bad_keyword("und Berlin", german).is_some());
        assert!(bad_keyword("Bundes-", german).is_some());
        let french = lang::for_code(Some("fr")).unwrap();
        assert!(bad_keyword("l'Italie", french).is_some());
        assert_eq!(bad_keyword("Italie", french), None);
    }

    #[test]
    fn a_summary_cut_at_an_abbreviation_is_found() {
        let german = lang::for_code(Some("de")).unwrap();
        let body = "Die Regierung will z. B. die Steuern senken. Das sagte Dr. Anna Weber.";
        assert!(cut_at_abbreviation("Die Regierung will z. B.", body, german).is_some());
        assert_eq!(cut_at_abbreviation(body, body, german), None);
        assert!(cut_at_abbreviation(
            "Das sagte Dr. Die Regierung will z. B. die Steuern senken.",
            body,
            german
        )
        .is_some());
        let dated = "Am 2. Februar ist Welttag. Er kommt 2. Dann geht es weiter.";
        assert!(cut_at_abbreviation("Am 2. Dann geht es weiter.", dated, german).is_some());
        assert_eq!(
            cut_at_abbreviation("Er kommt 2. Am 2. Februar ist Welttag.", dated, german),
            None,
            "a number ends a sentence before a capitalised word that is no month"
        );
    }
}
