//! The model: lexicon resources plus one or two tagging stages, its byte format, and tagging.

use newsflow_model::EntityType;

use crate::conll::Span;
use crate::features::{prepare, Context};
use crate::hash::{FeatureIndex, KeyTable};
use crate::labels::{iob2, to_spans, NUM_LABELS};
use crate::lexicon::{Casing, Clusters, Gazetteer, Places};
use crate::perceptron::{Stage, TRANSITION_ROWS};
use crate::tagger::Tagger;
use crate::tokenize::sentences;

const MAGIC: &[u8; 8] = b"NFNER\0\0\x01";
/// 2: GeoNames place names and a flags word (bit 0: document-level features) after the
/// gazetteer.
const FORMAT_VERSION: u32 = 2;
const FLAG_DOCUMENT: u32 = 1;
/// Bit 1: sub-word features (character trigrams, long affixes). Models without it read and
/// tag exactly as before.
const FLAG_SUBWORDS: u32 = 2;
/// Bit 2: word identity without edge punctuation (see `Context::trim`).
const FLAG_TRIM: u32 = 4;
/// Bit 3: person-pronoun features (see `Context::pronouns`).
const FLAG_PRONOUNS: u32 = 8;
/// Bit 4: Brown path prefixes of the neighbouring words (with bit 5).
const FLAG_BROWN_NEIGHBOURS: u32 = 16;
/// Bit 5: the clusters table holds Brown paths; their prefixes are features of the word.
const FLAG_BROWN: u32 = 32;
/// Bit 6: at tagging time, a lower-case word between lower-case words or punctuation is `O`
/// unscored (see `features::forced_outside`). The weights are the same with or without it.
const FLAG_LOWERCASE_OUTSIDE: u32 = 64;

/// Errors reading a model.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NerError {
    #[error("not a newsflow ner model (bad magic bytes)")]
    BadMagic,
    #[error("unsupported ner model format version {0}")]
    UnsupportedVersion(u32),
    #[error("ner model is truncated")]
    Truncated,
    #[error("ner model is corrupt: {0}")]
    Corrupt(&'static str),
    #[error("no training sentences with gold tags")]
    NoTrainingData,
}

/// Feature groups a model was trained with (kept in the model's flags word).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Flags {
    pub(crate) document: bool,
    pub(crate) subwords: bool,
    pub(crate) trim: bool,
    pub(crate) pronouns: bool,
    pub(crate) brown: bool,
    pub(crate) brown_neighbours: bool,
    pub(crate) lowercase_outside: bool,
}

/// An entity mention in free text: byte offsets `[start, end)` into the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub text: String,
    pub kind: EntityType,
    pub start: usize,
    pub end: usize,
}

/// A trained named-entity recognizer. Immutable, `Send + Sync`.
#[derive(Debug, Clone)]
pub struct NerModel {
    pub(crate) casing: Casing,
    pub(crate) clusters: Clusters,
    pub(crate) gazetteer: Gazetteer,
    pub(crate) places: Places,
    /// Document-level features on (the other mentions of a word in the document).
    pub(crate) document: bool,
    /// Sub-word features on (character trigrams, 5- and 6-letter affixes).
    pub(crate) subwords: bool,
    /// Word identity without edge punctuation.
    pub(crate) trim: bool,
    /// Person-pronoun features on.
    pub(crate) pronouns: bool,
    /// Brown path prefixes of the word on.
    pub(crate) brown: bool,
    /// Brown path prefixes of the neighbours on.
    pub(crate) brown_neighbours: bool,
    /// Lower-case words among lower-case words are `O` without being scored.
    pub(crate) lowercase_outside: bool,
    pub(crate) first: Stage,
    pub(crate) second: Option<Stage>,
    /// The stages laid out for tagging (derived from `first` and `second`).
    tagger: Tagger,
}

impl NerModel {
    pub(crate) fn new(
        lexicon: (Casing, Clusters, Gazetteer, Places),
        flags: Flags,
        first: Stage,
        second: Option<Stage>,
    ) -> NerModel {
        let (casing, clusters, gazetteer, places) = lexicon;
        let tagger = Tagger::new(&first, second.as_ref());
        NerModel {
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
            lowercase_outside: flags.lowercase_outside,
            first,
            second,
            tagger,
        }
    }

    fn context(&self) -> Context<'_> {
        Context {
            casing: &self.casing,
            clusters: &self.clusters,
            gazetteer: &self.gazetteer,
            places: &self.places,
            document: self.document,
            pronouns: self.pronouns,
            subwords: self.subwords,
            trim: self.trim,
            brown: self.brown,
            brown_neighbours: self.brown_neighbours,
            lowercase_outside: self.lowercase_outside,
        }
    }

    /// BIOES labels of a document (internal).
    pub(crate) fn label_document(&self, sentences: &[Vec<&str>]) -> Vec<Vec<u8>> {
        let context = self.context();
        let prepared = prepare(sentences, &context);
        self.tagger.label(&prepared)
    }

    /// Tags for one document given as sentences of tokens; IOB2 strings like "B-PER", "I-ORG", "O".
    pub fn tag_document(&self, sentences: &[Vec<&str>]) -> Vec<Vec<&'static str>> {
        self.label_document(sentences)
            .iter()
            .map(|labels| labels.iter().map(|&l| iob2(l)).collect())
            .collect()
    }

    /// Entity spans (token indices) of every sentence of a document.
    pub fn spans_document(&self, sentences: &[Vec<&str>]) -> Vec<Vec<Span>> {
        self.label_document(sentences)
            .iter()
            .map(|labels| to_spans(labels))
            .collect()
    }

    /// Entity mentions in free text (the text is tokenized and split into sentences here; the
    /// whole text is one document). Offsets are byte offsets into `text`.
    pub fn recognize(&self, text: &str) -> Vec<Mention> {
        let token_sentences = sentences(text);
        let words: Vec<Vec<&str>> = token_sentences
            .iter()
            .map(|s| s.iter().map(|t| t.text(text)).collect())
            .collect();
        let spans = self.spans_document(&words);
        let mut mentions = Vec::new();
        for (tokens, sentence_spans) in token_sentences.iter().zip(&spans) {
            for span in sentence_spans {
                let (Some(first), Some(last)) = (
                    tokens.get(span.start),
                    span.end.checked_sub(1).and_then(|e| tokens.get(e)),
                ) else {
                    continue;
                };
                let Some(mention_text) = text.get(first.start..last.end) else {
                    continue;
                };
                mentions.push(Mention {
                    text: mention_text.to_string(),
                    kind: span.kind,
                    start: first.start,
                    end: last.end,
                });
            }
        }
        mentions
    }

    /// Number of weighted features (first stage, second stage).
    pub fn feature_counts(&self) -> (usize, usize) {
        (
            self.first.index.len(),
            self.second.as_ref().map(|s| s.index.len()).unwrap_or(0),
        )
    }

    /// Serialise the model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT_VERSION);
        put_table(&mut out, &self.casing.table);
        put_table(&mut out, &self.clusters.table);
        put_table(&mut out, &self.gazetteer.table);
        put_table(&mut out, &self.places.table);
        let mut flags = 0;
        if self.document {
            flags |= FLAG_DOCUMENT;
        }
        if self.subwords {
            flags |= FLAG_SUBWORDS;
        }
        if self.trim {
            flags |= FLAG_TRIM;
        }
        if self.pronouns {
            flags |= FLAG_PRONOUNS;
        }
        if self.brown {
            flags |= FLAG_BROWN;
        }
        if self.brown_neighbours {
            flags |= FLAG_BROWN_NEIGHBOURS;
        }
        if self.lowercase_outside {
            flags |= FLAG_LOWERCASE_OUTSIDE;
        }
        put_u32(&mut out, flags);
        put_stage(&mut out, &self.first);
        match &self.second {
            None => put_u32(&mut out, 0),
            Some(stage) => {
                put_u32(&mut out, 1);
                put_stage(&mut out, stage);
            }
        }
        out
    }

    /// Read a model written by [`NerModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<NerModel, NerError> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(NerError::BadMagic);
        }
        let version = reader.u32()?;
        if version != FORMAT_VERSION {
            return Err(NerError::UnsupportedVersion(version));
        }
        let casing = Casing {
            table: reader.table()?,
        };
        let clusters = Clusters {
            table: reader.table()?,
        };
        let gazetteer = Gazetteer {
            table: reader.table()?,
        };
        let places = Places {
            table: reader.table()?,
        };
        let flags = reader.u32()?;
        if flags
            & !(FLAG_DOCUMENT
                | FLAG_SUBWORDS
                | FLAG_TRIM
                | FLAG_PRONOUNS
                | FLAG_BROWN
                | FLAG_BROWN_NEIGHBOURS
                | FLAG_LOWERCASE_OUTSIDE)
            != 0
        {
            return Err(NerError::Corrupt("unknown feature flags"));
        }
        let first = reader.stage()?;
        let second = match reader.u32()? {
            0 => None,
            1 => Some(reader.stage()?),
            _ => return Err(NerError::Corrupt("bad second-stage flag")),
        };
        if reader.at != bytes.len() {
            return Err(NerError::Corrupt("trailing bytes"));
        }
        Ok(NerModel::new(
            (casing, clusters, gazetteer, places),
            Flags {
                document: flags & FLAG_DOCUMENT != 0,
                subwords: flags & FLAG_SUBWORDS != 0,
                trim: flags & FLAG_TRIM != 0,
                pronouns: flags & FLAG_PRONOUNS != 0,
                brown: flags & FLAG_BROWN != 0,
                brown_neighbours: flags & FLAG_BROWN_NEIGHBOURS != 0,
                lowercase_outside: flags & FLAG_LOWERCASE_OUTSIDE != 0,
            },
            first,
            second,
        ))
    }
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_table(out: &mut Vec<u8>, table: &KeyTable) {
    let entries = table.entries();
    put_u32(out, entries.len() as u32);
    for (key, value) in entries {
        out.extend_from_slice(&key.to_le_bytes());
        put_u32(out, value);
    }
}

fn put_stage(out: &mut Vec<u8>, stage: &Stage) {
    let keys = stage.index.keys();
    put_u32(out, keys.len() as u32);
    for (id, key) in keys.iter().enumerate() {
        out.extend_from_slice(&key.to_le_bytes());
        put_u32(out, id as u32);
    }
    out.extend_from_slice(&stage.scale.to_le_bytes());
    put_u32(out, stage.weights.len() as u32);
    for w in &stage.weights {
        out.extend_from_slice(&w.to_le_bytes());
    }
    for t in &stage.transitions {
        out.extend_from_slice(&t.to_le_bytes());
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], NerError> {
        let end = self.at.checked_add(count).ok_or(NerError::Truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or(NerError::Truncated)?;
        self.at = end;
        Ok(slice)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], NerError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32, NerError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn table(&mut self) -> Result<KeyTable, NerError> {
        let count = self.u32()? as usize;
        if count > self.bytes.len() / 12 {
            return Err(NerError::Truncated);
        }
        let mut table = KeyTable::with_capacity(count);
        for _ in 0..count {
            let key = u64::from_le_bytes(self.array()?);
            let value = self.u32()?;
            table.insert(key, value);
        }
        Ok(table)
    }
    fn stage(&mut self) -> Result<Stage, NerError> {
        let count = self.u32()? as usize;
        if count > self.bytes.len() / 12 {
            return Err(NerError::Truncated);
        }
        let mut keys = Vec::with_capacity(count);
        for expected in 0..count {
            let key = u64::from_le_bytes(self.array()?);
            if self.u32()? as usize != expected {
                return Err(NerError::Corrupt("feature ids out of order"));
            }
            keys.push(key);
        }
        let scale = f32::from_le_bytes(self.array()?);
        if !scale.is_finite() {
            return Err(NerError::Corrupt("bad weight scale"));
        }
        let weight_count = self.u32()? as usize;
        if weight_count != count * NUM_LABELS {
            return Err(NerError::Corrupt(
                "weight count does not match feature count",
            ));
        }
        let raw = self.take(weight_count.checked_mul(2).ok_or(NerError::Truncated)?)?;
        let weights: Vec<i16> = raw
            .chunks_exact(2)
            .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        let mut transitions = Vec::with_capacity(TRANSITION_ROWS * NUM_LABELS);
        for _ in 0..TRANSITION_ROWS * NUM_LABELS {
            let value = f32::from_le_bytes(self.array()?);
            if !value.is_finite() {
                return Err(NerError::Corrupt("bad transition weight"));
            }
            transitions.push(value);
        }
        Ok(Stage {
            index: FeatureIndex::new(keys),
            weights,
            scale,
            decoding: crate::perceptron::constrained(&transitions),
            transitions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn shipped() -> NerModel {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/models/ner.model");
        let bytes = std::fs::read(path).expect("config/models/ner.model is shipped");
        NerModel::from_bytes(&bytes).expect("shipped model loads")
    }

    // The English model skips lower-case words among lower-case words, and that changes no
    // tag of CoNLL-2003 dev (the skipped words are words the full scores label O), while
    // about two words in five are skipped.
    #[test]
    fn skipping_lower_case_runs_changes_no_tag_of_conll_dev() {
        let model = shipped();
        assert!(model.lowercase_outside);
        let mut full = model.clone();
        full.lowercase_outside = false;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/conll2003/dev.txt.gz"
        );
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).expect("shared CoNLL dev"))
            .read_to_string(&mut text)
            .expect("gzip");
        let (mut tokens, mut skipped) = (0, 0);
        for document in crate::conll::parse(&text).iter().take(120) {
            let words: Vec<Vec<&str>> = document.sentences.iter().map(|s| s.tokens()).collect();
            assert_eq!(model.tag_document(&words), full.tag_document(&words));
            let prepared = prepare(&words, &model.context());
            for sentence in crate::features::forced_outside(&prepared) {
                tokens += sentence.len();
                skipped += sentence.iter().filter(|&&skip| skip).count();
            }
        }
        assert!(
            tokens > 20_000 && skipped * 10 > tokens * 3,
            "{skipped} of {tokens}"
        );
    }
}
