//! Deterministic training from CoNLL documents (plus unlabelled text for the lexicon).
//!
//! Gazetteer features and the second pass's first-pass labels are computed by jackknifing over
//! document folds: a training document only ever sees a gazetteer and a first-pass model built
//! without it, so their weights are learned as they will behave on unseen text.

use crate::conll::Document;
use crate::features::{extract_document, trim_edges, Context, SentenceFeatures};
use crate::labels::from_spans;
use crate::lexicon::{normalise_lower, Casing, Clusters, Gazetteer, Places};
use crate::model::{Flags, NerError, NerModel};
use crate::perceptron::{train_stage, Stage, StageOptions};
use crate::tokenize::sentences;

/// Training settings. The defaults are the shipped model's.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Perceptron passes over the training sentences.
    pub epochs: usize,
    /// Features seen fewer times than this in training are dropped.
    pub min_feature_count: u32,
    /// Seed of the sentence shuffling.
    pub seed: u64,
    /// Document folds for jackknifed gazetteer and first-pass features (at least 2).
    pub folds: usize,
    /// Train a second pass that sees the first pass's labels of the whole document.
    pub second_pass: bool,
    /// Use a gazetteer of the training entities.
    pub gazetteer: bool,
    /// Unlabelled texts (raw articles) for casing statistics and word clusters.
    pub unlabelled: Vec<String>,
    /// Number of word clusters at the finest level (0: no clusters).
    pub clusters: usize,
    /// Perceptrons (different shuffles) averaged into each stage.
    pub runs: usize,
    /// GeoNames place names for place features (empty: none).
    pub places: Vec<newsflow_corpus::gazetteers::Place>,
    /// Document-level features (other mentions of a word in the article) and, with
    /// `second_pass`, the second pass over the first pass's labels of the whole document.
    pub document: bool,
    /// Sub-word features: character trigrams of each word and 5- and 6-letter affixes (meant
    /// for OCR'd text and compounds; measured without a clear gain on the multilingual dev
    /// sets, so off by default).
    pub subwords: bool,
    /// Word identity without edge punctuation (`Frankreich,` counts and matches as
    /// `frankreich`), for text whose tokenizer left punctuation attached.
    pub trim_punctuation: bool,
    /// Person-pronoun features ("Kim said he ..."): English pronouns, so on for English only.
    pub pronouns: bool,
    /// Name-part features: the (type, position) pairs a word had inside training entities
    /// ("kim" began a person's name), kept in the gazetteer table.
    pub name_parts: bool,
    /// Brown clusters (see [`crate::brown`]); their path prefixes (4, 6, 10, 20 bits) are
    /// features of the word. Empty: none.
    pub brown: crate::brown::BrownClusters,
    /// Brown path prefixes of the neighbouring words too.
    pub brown_neighbours: bool,
    /// Brown clusters learned here, from the unlabelled text plus the training tokens (like
    /// the k-means clusters; labels unused), with this many clusters (0: none; they take the
    /// place of `brown`).
    pub brown_clusters: usize,
    /// At tagging time, a lower-case word between lower-case words or punctuation is `O`
    /// without being scored (a speed-up that leaves the weights as they are; for English,
    /// where such a word is practically never part of a name).
    pub lowercase_outside: bool,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            epochs: 12,
            min_feature_count: 2,
            seed: 0x5eed_2003,
            folds: 5,
            second_pass: true,
            gazetteer: true,
            unlabelled: Vec::new(),
            clusters: 256,
            runs: 1,
            places: Vec::new(),
            document: true,
            subwords: false,
            trim_punctuation: false,
            pronouns: true,
            name_parts: true,
            brown: crate::brown::BrownClusters::default(),
            brown_neighbours: false,
            brown_clusters: 0,
            lowercase_outside: false,
        }
    }
}

/// What training did (for logs).
#[derive(Debug, Clone, Default)]
pub struct TrainReport {
    pub documents: usize,
    pub sentences: usize,
    pub tokens: usize,
    pub unlabelled_tokens: usize,
    pub casing_words: usize,
    pub cluster_words: usize,
    pub gazetteer_entries: usize,
    pub place_names: usize,
}

struct Prepared<'d> {
    words: Vec<Vec<&'d str>>,
    gold: Vec<Vec<u8>>,
}

/// The word as the lexicon keys it: without edge punctuation when `trim` is on.
fn lexicon_word(word: &str, trim: bool) -> &str {
    if trim {
        trim_edges(word)
    } else {
        word
    }
}

fn gazetteer_from<'a>(
    documents: impl Iterator<Item = &'a Prepared<'a>>,
    trim: bool,
    name_parts: bool,
) -> Gazetteer {
    let mut entries = Vec::new();
    for document in documents {
        for (words, gold) in document.words.iter().zip(&document.gold) {
            for span in crate::labels::to_spans(gold) {
                let names: Vec<String> = words[span.start..span.end]
                    .iter()
                    .map(|w| normalise_lower(lexicon_word(w, trim)))
                    .collect();
                entries.push((names, span.kind));
            }
        }
    }
    Gazetteer::build(entries.into_iter(), name_parts)
}

fn context<'r>(
    casing: &'r Casing,
    clusters: &'r Clusters,
    gazetteer: &'r Gazetteer,
    places: &'r Places,
    flags: Flags,
) -> Context<'r> {
    Context {
        casing,
        clusters,
        gazetteer,
        places,
        document: flags.document,
        subwords: flags.subwords,
        trim: flags.trim,
        pronouns: flags.pronouns,
        brown: flags.brown,
        brown_neighbours: flags.brown_neighbours,
        lowercase_outside: false,
    }
}

fn train_on(
    features: &[Vec<SentenceFeatures>],
    prepared: &[Prepared<'_>],
    documents: &[usize],
    options: &StageOptions,
) -> Stage {
    let mut pairs: Vec<(&SentenceFeatures, &[u8])> = Vec::new();
    for &d in documents {
        for (f, g) in features[d].iter().zip(&prepared[d].gold) {
            pairs.push((f, g.as_slice()));
        }
    }
    train_stage(&pairs, options)
}

/// Train a model on CoNLL documents whose last column is the gold tag (IOB1 or IOB2).
pub fn train(
    documents: &[Document],
    options: &TrainOptions,
) -> Result<(NerModel, TrainReport), NerError> {
    let mut report = TrainReport::default();
    let prepared: Vec<Prepared<'_>> = documents
        .iter()
        .map(|document| {
            let mut words = Vec::new();
            let mut gold = Vec::new();
            for sentence in &document.sentences {
                let Some(tags) = sentence.gold_tags() else {
                    continue;
                };
                let tokens = sentence.tokens();
                gold.push(from_spans(&crate::conll::spans(&tags), tokens.len()));
                words.push(tokens);
            }
            Prepared { words, gold }
        })
        .filter(|p| !p.words.is_empty())
        .collect();
    report.documents = prepared.len();
    report.sentences = prepared.iter().map(|p| p.words.len()).sum();
    report.tokens = prepared
        .iter()
        .flat_map(|p| &p.words)
        .map(|s| s.len())
        .sum();
    if report.sentences == 0 {
        return Err(NerError::NoTrainingData);
    }

    // Lexicon from unlabelled text plus the training tokens (labels unused).
    let unlabelled_sentences: Vec<Vec<&str>> = options
        .unlabelled
        .iter()
        .flat_map(|text| {
            sentences(text)
                .into_iter()
                .map(move |s| s.iter().map(|t| t.text(text)).collect::<Vec<&str>>())
        })
        .collect();
    report.unlabelled_tokens = unlabelled_sentences.iter().map(|s| s.len()).sum();
    let trim = options.trim_punctuation;
    let all_sentences = || {
        unlabelled_sentences
            .iter()
            .cloned()
            .chain(prepared.iter().flat_map(|p| p.words.iter().cloned()))
            .map(move |sentence| {
                sentence
                    .into_iter()
                    .map(|word| lexicon_word(word, trim))
                    .collect::<Vec<&str>>()
            })
    };
    let casing = Casing::build(all_sentences());
    report.casing_words = casing.table.len();
    let clusters = if options.clusters > 0 {
        Clusters::build(all_sentences(), options.clusters)
    } else {
        Clusters::default()
    };
    let clusters = if options.brown_clusters > 0 {
        let brown = crate::brown::brown_clusters(
            all_sentences(),
            &crate::brown::BrownOptions {
                clusters: options.brown_clusters,
                ..crate::brown::BrownOptions::default()
            },
        );
        clusters.with_brown(&brown)
    } else {
        clusters.with_brown(&options.brown)
    };
    report.cluster_words = clusters.table.len();

    let folds = options.folds.max(2);
    let fold_of = |d: usize| d % folds;
    let fold_gazetteers: Vec<Gazetteer> = (0..folds)
        .map(|k| {
            if options.gazetteer {
                gazetteer_from(
                    prepared
                        .iter()
                        .enumerate()
                        .filter(|(d, _)| fold_of(*d) != k)
                        .map(|(_, p)| p),
                    options.trim_punctuation,
                    options.name_parts,
                )
            } else {
                Gazetteer::default()
            }
        })
        .collect();
    let full_gazetteer = if options.gazetteer {
        gazetteer_from(
            prepared.iter(),
            options.trim_punctuation,
            options.name_parts,
        )
    } else {
        Gazetteer::default()
    };
    report.gazetteer_entries = full_gazetteer.table.len();
    let places = Places::build(&options.places);
    report.place_names = places.table.len();
    let flags = Flags {
        document: options.document,
        subwords: options.subwords,
        trim: options.trim_punctuation,
        pronouns: options.pronouns,
        brown: options.brown_clusters > 0 || !options.brown.entries.is_empty(),
        brown_neighbours: options.brown_neighbours
            && (options.brown_clusters > 0 || !options.brown.entries.is_empty()),
        lowercase_outside: options.lowercase_outside,
    };
    let context_for = |gazetteer| context(&casing, &clusters, gazetteer, &places, flags);

    // First pass: features with the document's out-of-fold gazetteer.
    let first_features: Vec<Vec<SentenceFeatures>> = prepared
        .iter()
        .enumerate()
        .map(|(d, p)| extract_document(&p.words, &context_for(&fold_gazetteers[fold_of(d)]), None))
        .collect();
    let stage_options = StageOptions {
        epochs: options.epochs,
        min_count: options.min_feature_count,
        seed: options.seed,
        runs: options.runs,
    };
    let all_documents: Vec<usize> = (0..prepared.len()).collect();
    let first = train_on(&first_features, &prepared, &all_documents, &stage_options);

    let second = if options.second_pass && options.document {
        // Jackknifed first-pass labels for every training document.
        let mut prior: Vec<Vec<Vec<u8>>> = vec![Vec::new(); prepared.len()];
        for k in 0..folds {
            let training: Vec<usize> = all_documents
                .iter()
                .copied()
                .filter(|&d| fold_of(d) != k)
                .collect();
            let stage = train_on(&first_features, &prepared, &training, &stage_options);
            for d in all_documents.iter().copied().filter(|&d| fold_of(d) == k) {
                prior[d] = first_features[d].iter().map(|f| stage.tag(f)).collect();
            }
        }
        let second_features: Vec<Vec<SentenceFeatures>> = prepared
            .iter()
            .enumerate()
            .map(|(d, p)| {
                extract_document(
                    &p.words,
                    &context_for(&fold_gazetteers[fold_of(d)]),
                    Some(&prior[d]),
                )
            })
            .collect();
        Some(train_on(
            &second_features,
            &prepared,
            &all_documents,
            &stage_options,
        ))
    } else {
        None
    };

    Ok((
        NerModel::new(
            (casing, clusters, full_gazetteer, places),
            flags,
            first,
            second,
        ),
        report,
    ))
}
