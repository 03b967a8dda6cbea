//! Stories across languages: `newsflow train anchors` (the anchor model: place names in many
//! languages and anchor document frequencies) and the cross-language part of `newsflow eval
//! stories` (the hand-checked pairs of `config/eval/cross_language_stories.tsv`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use newsflow_corpus::news_pages::{self, NewsPages, NewsSplit};
use newsflow_corpus::{ag_news, bbc};
use newsflow_extract::anchors::AnchorModel;
use newsflow_extract::story::{self, StoryFingerprint};
use newsflow_model::Record;

const DEFAULT_DATA: &str = "../shared/data";
const DEFAULT_OUT: &str = "config/models/anchors.model";
/// The hand-checked cross-language pairs (news page ids).
pub const DEFAULT_PAIRS: &str = "config/eval/cross_language_stories.tsv";
/// Country and territory names in the seven languages (Unicode CLDR, written by
/// `scripts/country_names.py`): GeoNames names countries in English only.
const COUNTRY_NAMES: &str = include_str!("../../data/country_names.tsv");
/// Cities with fewer inhabitants stay out of the model (their names are more often words or
/// surnames than places a foreign report names).
const MIN_CITY_POPULATION: u64 = 100_000;
/// Anchors seen in fewer background documents are left out (they weigh as unseen ones).
const MIN_DF: u32 = 2;

/// `newsflow train anchors`: the story anchor model.
#[derive(Args, Debug, Clone)]
pub struct TrainAnchorsArgs {
    /// Folder holding gazetteers/, bbc/, ag_news/ and news-pages/.
    #[arg(long, default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = DEFAULT_OUT)]
    pub out: PathBuf,
    /// Labelled cross-language pairs whose pages stay out of the background.
    #[arg(long, default_value = DEFAULT_PAIRS)]
    pub pairs: PathBuf,
}

/// One place row of `gazetteers/places.tsv.gz` with its GeoNames id.
struct PlaceRow {
    name: String,
    kind: String,
    country: String,
    population: u64,
    id: String,
}

fn place_rows(data: &Path) -> anyhow::Result<Vec<PlaceRow>> {
    let path = data.join(newsflow_corpus::gazetteers::PLACES);
    let bytes = newsflow_corpus::read_maybe_gz(&path)?;
    let text =
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [name, kind, country, population, id] = fields.as_slice() {
            rows.push(PlaceRow {
                name: name.to_string(),
                kind: kind.to_string(),
                country: country.to_string(),
                population: population.trim().parse().unwrap_or(0),
                id: id.to_string(),
            });
        }
    }
    Ok(rows)
}

/// (name, place key) in order of precedence: a name that stands for several places means the
/// first (countries in any language, continents, US states, then cities by population).
fn place_names(rows: &[PlaceRow]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in COUNTRY_NAMES.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        if let (Some(name), Some(code)) = (fields.next(), fields.next()) {
            out.push((name.to_string(), format!("c:{code}")));
        }
    }
    for kind in ["country", "continent", "admin1"] {
        for row in rows.iter().filter(|row| row.kind == kind) {
            let key = if kind == "country" {
                format!("c:{}", row.country)
            } else {
                format!("g:{}", row.id)
            };
            out.push((row.name.clone(), key));
        }
    }
    let mut cities: Vec<&PlaceRow> = rows
        .iter()
        .filter(|row| row.kind == "city" && row.population >= MIN_CITY_POPULATION)
        .collect();
    cities.sort_by(|a, b| b.population.cmp(&a.population).then(a.name.cmp(&b.name)));
    out.extend(
        cities
            .into_iter()
            .map(|row| (row.name.clone(), format!("g:{}", row.id))),
    );
    out
}

/// A labelled cross-language pair.
pub struct CrossPair {
    pub a: String,
    pub b: String,
    pub same: bool,
    pub note: String,
}

/// `a<TAB>b<TAB>label<TAB>note` lines (`#` comments).
pub fn read_pairs(path: &Path) -> anyhow::Result<Vec<CrossPair>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut pairs = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        anyhow::ensure!(fields.len() >= 3, "{}: bad line {line:?}", path.display());
        pairs.push(CrossPair {
            a: fields[0].to_string(),
            b: fields[1].to_string(),
            same: fields[2] == "1",
            note: fields.get(3).unwrap_or(&"").to_string(),
        });
    }
    Ok(pairs)
}

pub fn run_train_anchors(args: &TrainAnchorsArgs) -> anyhow::Result<()> {
    let rows = place_rows(&args.data)?;
    let names = place_names(&rows);
    let mut model = AnchorModel::with_places(
        names
            .iter()
            .map(|(name, key)| (name.as_str(), key.as_str())),
    );
    let left_out: BTreeSet<String> = if args.pairs.exists() {
        read_pairs(&args.pairs)?
            .into_iter()
            .flat_map(|pair| [pair.a, pair.b])
            .collect()
    } else {
        BTreeSet::new()
    };
    let bbc = bbc::split(bbc::read_shared(&args.data)?);
    for doc in &bbc.train {
        model.count(Some(doc.title()), &doc.body());
    }
    let ag = ag_news::split(ag_news::read_shared(&args.data)?).train;
    for row in &ag {
        model.count(None, &ag_news::spaced(&row.text));
    }
    // The pages are cleaned as the pipeline cleans them, without an anchor model (the one
    // in the models folder may be an older format or missing: this command makes it).
    let config = crate::settings::load_config(None)?;
    let mut models = crate::settings::load_models(&config)?;
    models.anchors = None;
    let pipeline = newsflow_pipeline::Pipeline::new(&models, crate::settings::rules(&config))?;
    let pages = NewsPages::open(&args.data.join("news-pages"))?;
    let mut page_count = 0;
    for page in &pages.pages {
        if news_pages::split_of(page) != Some(NewsSplit::Train) || left_out.contains(&page.id) {
            continue;
        }
        if let Some(record) = super::extract::page_record(&pages, page, &pipeline)? {
            model.count(record.title.as_deref(), &record.body);
            page_count += 1;
        }
    }
    model.prune(MIN_DF);
    let bytes = model.to_bytes();
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "anchors: {} place names, {} background documents (bbc train {}, ag_news train {}, news-pages train half {page_count} without the {} labelled pages), {} anchors with df >= {MIN_DF}, {} bytes -> {}",
        model.places(),
        model.docs(),
        bbc.train.len(),
        ag.len(),
        left_out.len(),
        model.terms(),
        bytes.len(),
        args.out.display()
    );
    Ok(())
}

fn precision_recall(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
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
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}

/// The cross-language part of `eval stories`: the labelled pairs scored without anchors (as
/// before) and with the pipeline's anchor model, and every pair of news pages in two different
/// languages that the anchors join.
pub fn cross_language_report(
    config_path: Option<&Path>,
    data: &Path,
    pairs_path: &Path,
    show: bool,
) -> anyhow::Result<()> {
    let pairs = read_pairs(pairs_path)?;
    let config = crate::settings::load_config(config_path)?;
    let pipeline = crate::settings::pipeline(&config)?;
    if pipeline.anchor_model().is_none() {
        println!(
            "cross-language stories: no {} in the models folder, skipped",
            crate::settings::ANCHORS_FILE
        );
        return Ok(());
    }
    let pages = NewsPages::open(&data.join("news-pages"))?;
    let mut records: BTreeMap<String, (Record, StoryFingerprint, StoryFingerprint)> =
        BTreeMap::new();
    for page in &pages.pages {
        if page.synthetic {
            continue;
        }
        let Some(mut record) = super::extract::page_record(&pages, page, &pipeline)? else {
            continue;
        };
        pipeline.extract(&mut record);
        let without = story::fingerprint(&record);
        let with = pipeline.story_fingerprint(&record);
        records.insert(page.id.clone(), (record, without, with));
    }
    println!(
        "cross-language stories: {} labelled pairs ({} same story, {} different) from {}",
        pairs.len(),
        pairs.iter().filter(|pair| pair.same).count(),
        pairs.iter().filter(|pair| !pair.same).count(),
        pairs_path.display()
    );
    for (label, use_anchors) in [("before (words only)", false), ("with anchors", true)] {
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for pair in &pairs {
            let (Some(a), Some(b)) = (records.get(&pair.a), records.get(&pair.b)) else {
                anyhow::bail!("pair {} ~ {}: page missing or rejected", pair.a, pair.b);
            };
            let (fa, fb) = if use_anchors {
                (&a.2, &b.2)
            } else {
                (&a.1, &b.1)
            };
            let score = story::same_story(fa, fb);
            let joined = score >= story::SAME_STORY_THRESHOLD;
            match (joined, pair.same) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                (false, false) => {}
            }
            if show && use_anchors {
                println!(
                    "  {:.3} {} {} ({} {}) ~ {} ({} {}): {}",
                    score,
                    if pair.same { "same" } else { "diff" },
                    pair.a,
                    a.0.language.as_deref().unwrap_or("?"),
                    a.0.published.as_deref().unwrap_or("?"),
                    pair.b,
                    b.0.language.as_deref().unwrap_or("?"),
                    b.0.published.as_deref().unwrap_or("?"),
                    pair.note
                );
            }
        }
        let (precision, recall, f1) = precision_recall(tp, fp, fn_);
        println!(
            "  {label}: precision {precision:.3} recall {recall:.3} f1 {f1:.3} (tp {tp}, fp {fp}, fn {fn_})"
        );
    }
    // Every pair of pages in two different languages.
    let ids: Vec<&String> = records.keys().collect();
    let mut joined: Vec<(f32, &str, &str)> = Vec::new();
    let mut cross_pairs = 0usize;
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            let (ra, rb) = (&records[*a], &records[*b]);
            let (Some(la), Some(lb)) = (&ra.0.language, &rb.0.language) else {
                continue;
            };
            if la == lb {
                continue;
            }
            cross_pairs += 1;
            let score = story::cross_language_similarity(&ra.2, &rb.2);
            if score >= story::SAME_STORY_THRESHOLD {
                joined.push((score, a.as_str(), b.as_str()));
            }
        }
    }
    println!(
        "  all {} non-synthetic news pages: {cross_pairs} pairs in two languages, {} joined by anchors",
        records.len(),
        joined.len()
    );
    for (score, a, b) in joined {
        let labelled = pairs
            .iter()
            .find(|pair| (pair.a == a && pair.b == b) || (pair.a == b && pair.b == a))
            .map_or("unlabelled", |pair| {
                if pair.same {
                    "labelled same"
                } else {
                    "labelled different"
                }
            });
        println!("    {score:.3} {a} ~ {b} ({labelled})");
    }
    Ok(())
}
