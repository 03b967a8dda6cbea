//! Same-story assignment over an ordered log of fingerprints.
//!
//! Every extract worker appends the article's fingerprint to one shared log (a JetStream
//! stream) and then decides the story from the entries *before* its own in that log. Each
//! entry's story depends only on earlier entries, so every worker that reads the log computes
//! the same answer: two workers racing on two articles of one new story cannot split it, since
//! the second in log order sees the first. The log is bounded by the stream's age limit; this
//! type is the in-memory view of it, rebuilt from the stream by whoever needs it.

use newsflow_extract::FastState;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use newsflow_extract::story::{self, StoryFingerprint};

/// The story decided for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub story_id: String,
    /// Earlier article with (nearly) the same text.
    pub duplicate_of: Option<String>,
}

struct Entry {
    sequence: u64,
    id: String,
    /// The number of `id` in [`StoryLog::ids`]: equal numbers are equal ids.
    id_number: u64,
    fingerprint: StoryFingerprint,
    /// `fingerprint.words` is sorted (it always is when made by `story::fingerprint`).
    words_sorted: bool,
    /// `fingerprint.words` is strictly increasing (sorted, no repeats; also always true for
    /// `story::fingerprint`): then index postings count the shared words exactly.
    words_unique: bool,
    /// The low byte of each MinHash value (when the MinHash has the full
    /// [`story::MINHASH_SIZE`]): equal values have equal low bytes, so the bytes that agree
    /// bound the shingle similarity from above without reading the MinHash itself.
    sketch: Option<[u8; story::MINHASH_SIZE]>,
    assignment: Assignment,
}

/// The MinHash when it has the full [`story::MINHASH_SIZE`] values.
fn full_minhash(minhash: &[u32]) -> Option<&[u32; story::MINHASH_SIZE]> {
    minhash.try_into().ok()
}

/// The low bytes of a full-size MinHash (see `Entry::sketch`).
fn sketch(minhash: &[u32]) -> Option<[u8; story::MINHASH_SIZE]> {
    full_minhash(minhash).map(|minhash| minhash.map(|value| value as u8))
}

/// True when the id numbered `number` has more than one entry in the log.
fn is_repeated(repeated: &HashSet<u64, FastState>, number: u64) -> bool {
    !repeated.is_empty() && repeated.contains(&number)
}

/// How many of two sketches' bytes agree.
fn sketch_agreement(a: &[u8; story::MINHASH_SIZE], b: &[u8; story::MINHASH_SIZE]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

/// Fingerprints in log order, with their assignments, bounded to `capacity` entries.
pub struct StoryLog {
    /// Sorted by sequence (gaps allowed).
    entries: VecDeque<Entry>,
    /// Word hash → ordinals of the entries whose lead has it, oldest first: only entries that
    /// share a word can reach the word-Jaccard threshold, so only they are compared.
    index: HashMap<u32, VecDeque<u64>, FastState>,
    /// Anchor hash → ordinals of the entries with that anchor, oldest first: the candidates in
    /// other languages, which share names and figures rather than words.
    anchor_index: HashMap<u32, VecDeque<u64>, FastState>,
    /// Article id → its number and the ordinals of its entries, oldest first (more than one
    /// when an article was appended again, e.g. after a crash between append and ack): a
    /// duplicate's story and the "seen this id" test without comparing strings.
    ids: HashMap<String, IdEntries, FastState>,
    next_id_number: u64,
    /// Numbers of the ids with more than one entry in the log (almost always none).
    repeated: HashSet<u64, FastState>,
    /// The MinHash values of the entries, for the entries whose shingles may be similar.
    similar: SimilarIndex,
    /// Ordinals of the entries the prefilter cannot judge (a repeated id, lead words with
    /// repeats, a MinHash of another size): always visited.
    special: BTreeSet<u64>,
    /// Ordinal (count of entries ever added before it) of `entries[0]`; an entry's position
    /// in `entries` is its ordinal minus this.
    first_ordinal: u64,
    capacity: usize,
    /// Next sequence this view expects (everything below was applied).
    next_sequence: u64,
    /// Per-entry buffers of one decision, kept between decisions: at a full log they are
    /// 50,000 entries long, and a fresh allocation of that size is fresh pages every time.
    scratch: Scratch,
}

/// See [`StoryLog::scratch`].
#[derive(Default)]
struct Scratch {
    /// Per older entry: the postings of the walked lead words that point at it.
    shared: Vec<u32>,
    /// Per older entry: whether it may matter for a reason other than its lead words.
    may: Vec<bool>,
}

impl StoryLog {
    pub fn new(capacity: usize) -> StoryLog {
        StoryLog {
            entries: VecDeque::new(),
            index: HashMap::default(),
            anchor_index: HashMap::default(),
            ids: HashMap::default(),
            next_id_number: 0,
            repeated: HashSet::default(),
            similar: SimilarIndex::new(capacity.max(1)),
            special: BTreeSet::new(),
            first_ordinal: 0,
            capacity: capacity.max(1),
            next_sequence: 1,
            scratch: Scratch::default(),
        }
    }

    /// The next log sequence this view needs to apply.
    pub fn next_sequence(&self) -> u64 {
        self.next_sequence
    }

    /// Skips to `sequence` (the log's first entry when older ones expired).
    pub fn skip_to(&mut self, sequence: u64) {
        if sequence > self.next_sequence {
            self.next_sequence = sequence;
        }
    }

    fn entry(&self, sequence: u64) -> Option<&Entry> {
        let index = self
            .entries
            .binary_search_by_key(&sequence, |entry| entry.sequence)
            .ok()?;
        self.entries.get(index)
    }

    /// The assignment of an applied entry.
    pub fn assignment(&self, sequence: u64) -> Option<&Assignment> {
        self.entry(sequence).map(|entry| &entry.assignment)
    }

    /// Applies the entry at `sequence` (must be `next_sequence()` or later; gaps are allowed,
    /// e.g. deleted messages) and returns its assignment.
    pub fn apply(&mut self, sequence: u64, id: &str, fingerprint: StoryFingerprint) -> Assignment {
        if let Some(existing) = self.assignment(sequence) {
            return existing.clone();
        }
        debug_assert!(self
            .entries
            .back()
            .is_none_or(|last| last.sequence < sequence));
        let mut scratch = std::mem::take(&mut self.scratch);
        let assignment = self.decide(id, &fingerprint, &mut scratch);
        self.scratch = scratch;
        let ordinal = self.first_ordinal + self.entries.len() as u64;
        for word in &fingerprint.words {
            self.index.entry(*word).or_default().push_back(ordinal);
        }
        for anchor in &fingerprint.anchors {
            self.anchor_index
                .entry(anchor.hash)
                .or_default()
                .push_back(ordinal);
        }
        let id_number = match self.ids.get_mut(id) {
            Some(entries) => {
                entries.ordinals.push_back(ordinal);
                self.repeated.insert(entries.number);
                self.special.extend(entries.ordinals.iter().copied());
                entries.number
            }
            None => {
                let number = self.next_id_number;
                self.next_id_number += 1;
                let ordinals = VecDeque::from([ordinal]);
                self.ids
                    .insert(id.to_string(), IdEntries { number, ordinals });
                number
            }
        };
        let words_unique = strictly_increasing(&fingerprint.words);
        let odd_minhash =
            !fingerprint.minhash.is_empty() && fingerprint.minhash.len() != story::MINHASH_SIZE;
        if !words_unique || odd_minhash {
            self.special.insert(ordinal);
        }
        if let Some(bits) = self.similar.wanted_bits(self.entries.len() + 1) {
            // More buckets for a fuller log: the live entries are indexed again, oldest first.
            let first = self.first_ordinal;
            let live = self.entries.iter().enumerate().map(|(position, entry)| {
                (
                    first + position as u64,
                    entry.fingerprint.minhash.as_slice(),
                )
            });
            self.similar.rebuild(bits, live);
        }
        if let Some(minhash) = full_minhash(&fingerprint.minhash) {
            self.similar.insert(ordinal, minhash);
        }
        self.entries.push_back(Entry {
            sequence,
            id: id.to_string(),
            id_number,
            words_sorted: fingerprint.words.is_sorted(),
            words_unique,
            sketch: sketch(&fingerprint.minhash),
            fingerprint,
            assignment: assignment.clone(),
        });
        while self.entries.len() > self.capacity {
            if let Some(old) = self.entries.pop_front() {
                let old_ordinal = self.first_ordinal;
                self.first_ordinal += 1;
                self.special.remove(&old_ordinal);
                for word in &old.fingerprint.words {
                    if let Some(ordinals) = self.index.get_mut(word) {
                        if ordinals.front() == Some(&old_ordinal) {
                            ordinals.pop_front();
                        }
                        if ordinals.is_empty() {
                            self.index.remove(word);
                        }
                    }
                }
                for anchor in &old.fingerprint.anchors {
                    if let Some(ordinals) = self.anchor_index.get_mut(&anchor.hash) {
                        if ordinals.front() == Some(&old_ordinal) {
                            ordinals.pop_front();
                        }
                        if ordinals.is_empty() {
                            self.anchor_index.remove(&anchor.hash);
                        }
                    }
                }
                if let Some(entries) = self.ids.get_mut(&old.id) {
                    if entries.ordinals.front() == Some(&old_ordinal) {
                        entries.ordinals.pop_front();
                    }
                    if entries.ordinals.len() < 2 {
                        self.repeated.remove(&entries.number);
                    }
                    if entries.ordinals.is_empty() {
                        self.ids.remove(&old.id);
                    }
                }
            }
        }
        self.next_sequence = sequence + 1;
        assignment
    }

    /// Which of the `older` oldest entries may matter to `fingerprint` for a reason other than
    /// their lead words: a MinHash value equal at one of the first positions (an entry with
    /// shingle similarity at the threshold agrees on at least `m` of the 64 values, so on one
    /// of any `64 - m + 1`: found through [`SimilarIndex`]), a shared anchor (a cross-language
    /// score needs two shared names), or a special entry. `None` when the query itself cannot
    /// be judged this way (a MinHash of another size): every candidate is then visited.
    /// `may` is the buffer the answer is written to.
    fn may_matter<'m>(
        &self,
        fingerprint: &StoryFingerprint,
        older: usize,
        may: &'m mut Vec<bool>,
    ) -> Option<&'m [bool]> {
        may.clear();
        may.resize(older, false);
        let mut mark = |ordinal: u64| {
            if let Some(slot) = ordinal
                .checked_sub(self.first_ordinal)
                .and_then(|position| may.get_mut(usize::try_from(position).ok()?))
            {
                *slot = true;
            }
        };
        match full_minhash(&fingerprint.minhash) {
            Some(minhash) => {
                self.similar
                    .matches(minhash, self.first_ordinal, self.entries.len(), &mut mark)
            }
            None if fingerprint.minhash.is_empty() => {}
            None => return None,
        }
        for anchor in &fingerprint.anchors {
            if let Some(ordinals) = self.anchor_index.get(&anchor.hash) {
                ordinals.iter().for_each(|&ordinal| mark(ordinal));
            }
        }
        self.special.iter().for_each(|&ordinal| mark(ordinal));
        Some(may.as_slice())
    }

    /// True when `entry`, sharing `both` lead words (counted exactly) with `fingerprint`, can
    /// neither be a near-duplicate nor reach the same-story threshold, so that visiting it
    /// would change nothing: its lead-word Jaccard is below the threshold, the bytes of the
    /// MinHashes that agree bound the shingle similarity below it, no cross-language score
    /// is possible (one side has no anchors), and no other entry has its id (whose visit
    /// order the decision depends on). A log of 50,000 entries has thousands of entries
    /// sharing some lead word with any article; this keeps the cost of the ones that cannot
    /// matter to a few compares on the entry itself.
    fn cannot_matter(
        &self,
        fingerprint: &StoryFingerprint,
        query_sketch: Option<&[u8; story::MINHASH_SIZE]>,
        entry: &Entry,
        both: usize,
    ) -> bool {
        let below = |score: f32| score < story::SAME_STORY_THRESHOLD;
        let shingles_below = match (query_sketch, &entry.sketch) {
            (Some(a), Some(b)) => below(sketch_agreement(a, b) as f32 / story::MINHASH_SIZE as f32),
            // Shingle similarity is 0 when either MinHash is empty.
            _ => fingerprint.minhash.is_empty() || entry.fingerprint.minhash.is_empty(),
        };
        shingles_below
            && below(story::lead_word_jaccard(
                fingerprint.words.len(),
                entry.fingerprint.words.len(),
                both,
            ))
            && (fingerprint.anchors.is_empty() || entry.fingerprint.anchors.is_empty())
            && !is_repeated(&self.repeated, entry.id_number)
    }

    fn decide(
        &self,
        id: &str,
        fingerprint: &StoryFingerprint,
        scratch: &mut Scratch,
    ) -> Assignment {
        // Candidates are the entries sharing a lead word, newest first (ties go to the most
        // recent story). The first near-duplicate decides the story by itself, so the scan
        // stops there. The newest entries are tested directly (a merge of the sorted word
        // lists), which finds the usual near-duplicate without touching the index; older
        // entries are found through the index.
        let mut decision = Decision {
            id_number: self.ids.get(id).map(|entries| entries.number),
            fingerprint,
            best: None,
            duplicate_of: None,
            repeated: &self.repeated,
            seen_ids: HashSet::default(),
        };
        let len = self.entries.len();
        let direct = len.min(DIRECT_SCAN);
        let sorted = fingerprint.words.is_sorted();
        let mut stopped = false;
        for entry in self.entries.iter().rev().take(direct) {
            let shares = if sorted && entry.words_sorted {
                shares_sorted(&fingerprint.words, &entry.fingerprint.words)
            } else {
                fingerprint
                    .words
                    .iter()
                    .any(|word| entry.fingerprint.words.contains(word))
            };
            if shares && decision.visit(entry) {
                stopped = true;
                break;
            }
        }
        if !stopped && len > direct {
            // The older entries sharing a lead word, by position in `entries` (= log order),
            // with the number of postings that point at them: the number of shared words
            // when both word lists are free of repeats.
            let older = len - direct;
            let query_unique = strictly_increasing(&fingerprint.words);
            let query_sketch = sketch(&fingerprint.minhash);
            let Scratch { shared, may } = scratch;
            let may_matter = if query_unique {
                self.may_matter(fingerprint, older, may)
            } else {
                None
            };
            let lead_words = fingerprint.words.len();
            // `reaches[c]`: with `c` shared words the lead-word Jaccard can reach the
            // threshold (at most c / lead_words: the other list holds them all). It grows
            // with `c`.
            let reaches: Vec<bool> = (0..=lead_words)
                .map(|count| {
                    story::lead_word_jaccard(lead_words, count, count)
                        >= story::SAME_STORY_THRESHOLD
                })
                .collect();
            // Prefix filter: the words with the longest postings (the most common ones) are
            // not traversed. An unmarked entry is read only when its count of the other
            // words, plus every skipped word, can reach the threshold; its count of the
            // skipped words is then taken from its own word list. Two thirds of the words
            // the threshold allows are skipped (all of them would leave every entry sharing
            // one rare word to be read; measured in BENCHMARKS.md). Only when the entries
            // the prefilter marks are known.
            let skipped: Vec<u32> = match &may_matter {
                Some(_) => {
                    let most = reaches
                        .iter()
                        .position(|&reach| reach)
                        .unwrap_or(lead_words + 1);
                    let mut by_postings: Vec<(usize, u32)> = fingerprint
                        .words
                        .iter()
                        .map(|word| (self.index.get(word).map_or(0, VecDeque::len), *word))
                        .collect();
                    by_postings.sort_unstable_by(|a, b| b.cmp(a));
                    let mut skipped: Vec<u32> = by_postings
                        .iter()
                        .take(most.saturating_sub(1) * 2 / 3)
                        .map(|&(_, word)| word)
                        .collect();
                    skipped.sort_unstable();
                    skipped
                }
                None => Vec::new(),
            };
            shared.clear();
            shared.resize(older, 0);
            for word in &fingerprint.words {
                if skipped.binary_search(word).is_ok() {
                    continue;
                }
                if let Some(ordinals) = self.index.get(word) {
                    for ordinal in ordinals {
                        if let Some(slot) = ordinal
                            .checked_sub(self.first_ordinal)
                            .and_then(|position| shared.get_mut(position as usize))
                        {
                            *slot += 1;
                        }
                    }
                }
            }
            let reach = |count: usize| reaches.get(count).copied().unwrap_or(true);
            let candidates = shared
                .iter()
                .enumerate()
                .rev()
                .filter_map(|(position, &counted)| {
                    let may = may_matter
                        .as_ref()
                        .is_none_or(|may| may.get(position).copied().unwrap_or(true));
                    let counted = counted as usize;
                    // Neither marked nor able to reach the threshold with every skipped
                    // word shared as well: not read at all.
                    if !may && (counted == 0 || !reach(counted + skipped.len())) {
                        return None;
                    }
                    Some((may, counted, self.entries.get(position)?))
                });
            for (may, counted, entry) in candidates {
                let unique = query_unique && entry.words_unique;
                // What cannot matter with every skipped word shared cannot matter with fewer
                // (the Jaccard grows with the shared words): judged before they are counted.
                if unique
                    && !skipped.is_empty()
                    && self.cannot_matter(
                        fingerprint,
                        query_sketch.as_ref(),
                        entry,
                        counted + skipped.len(),
                    )
                {
                    continue;
                }
                let count = counted + skipped_shared(&skipped, entry);
                if count == 0 || !(may || reach(count)) {
                    continue;
                }
                let counted = unique.then_some(count);
                if counted.is_some_and(|both| {
                    self.cannot_matter(fingerprint, query_sketch.as_ref(), entry, both)
                }) {
                    continue;
                }
                if decision.visit_counted(entry, counted) {
                    break;
                }
            }
        }
        if decision.duplicate_of.is_none() && !fingerprint.anchors.is_empty() {
            // Entries in another language sharing an anchor (those sharing a lead word were
            // seen above), newest first.
            let mut positions: Vec<usize> = Vec::new();
            for anchor in &fingerprint.anchors {
                if let Some(ordinals) = self.anchor_index.get(&anchor.hash) {
                    positions.extend(ordinals.iter().filter_map(|ordinal| {
                        let position = ordinal.checked_sub(self.first_ordinal)?;
                        usize::try_from(position).ok()
                    }));
                }
            }
            positions.sort_unstable();
            positions.dedup();
            for position in positions.into_iter().rev() {
                let Some(entry) = self.entries.get(position) else {
                    continue;
                };
                if entry.fingerprint.language != fingerprint.language && decision.visit(entry) {
                    break;
                }
            }
        }
        let Decision {
            best, duplicate_of, ..
        } = decision;
        // A duplicate joins the story of the oldest entry with the duplicate's id.
        let story_id = match (duplicate_of, best) {
            (Some(original), _) => self
                .ids
                .get(&original.id)
                .and_then(|entries| entries.ordinals.front())
                .and_then(|ordinal| ordinal.checked_sub(self.first_ordinal))
                .and_then(|position| self.entries.get(usize::try_from(position).ok()?))
                .map(|entry| entry.assignment.story_id.clone())
                .unwrap_or_else(|| id.to_string()),
            (None, Some((_, entry))) => entry.assignment.story_id.clone(),
            (None, None) => id.to_string(),
        };
        Assignment {
            story_id,
            duplicate_of: duplicate_of.map(|entry| entry.id.clone()),
        }
    }
}

/// Newest entries whose shared words are tested directly before the index is used.
const DIRECT_SCAN: usize = 64;

/// How many of the (sorted) `skipped` words `entry`'s lead words hold: postings count each
/// entry once per occurrence of a word, so an entry with repeats counts a skipped word once
/// per occurrence too.
fn skipped_shared(skipped: &[u32], entry: &Entry) -> usize {
    if skipped.is_empty() {
        return 0;
    }
    let words = &entry.fingerprint.words;
    if entry.words_sorted {
        skipped
            .iter()
            .map(|word| {
                let start = words.partition_point(|w| w < word);
                words[start..].iter().take_while(|w| *w == word).count()
            })
            .sum()
    } else {
        words
            .iter()
            .filter(|word| skipped.binary_search(word).is_ok())
            .count()
    }
}

/// True when two sorted lists have a value in common.
fn shares_sorted(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// An article id's number and the ordinals of its entries in the log, oldest first.
struct IdEntries {
    number: u64,
    ordinals: VecDeque<u64>,
}

/// The running decision over candidates visited newest first.
struct Decision<'l, 'a> {
    /// The number of the deciding article's id, when the log holds an entry of it.
    id_number: Option<u64>,
    fingerprint: &'a StoryFingerprint,
    best: Option<(f32, &'l Entry)>,
    duplicate_of: Option<&'l Entry>,
    /// `StoryLog::repeated`.
    repeated: &'l HashSet<u64, FastState>,
    /// Numbers of the repeated ids visited so far (an id with one entry is visited at most
    /// once on each path, and a second visit through the anchors scores what the first did).
    seen_ids: HashSet<u64, FastState>,
}

fn strictly_increasing(words: &[u32]) -> bool {
    words.windows(2).all(|pair| pair[0] < pair[1])
}

impl<'l> Decision<'l, '_> {
    /// Takes one candidate into account; true once a near-duplicate is found (the story is
    /// then the duplicate's, whatever the later candidates score).
    fn visit(&mut self, entry: &'l Entry) -> bool {
        self.visit_counted(entry, None)
    }

    /// [`Decision::visit`] with the number of shared lead words when it is known.
    fn visit_counted(&mut self, entry: &'l Entry, shared: Option<usize>) -> bool {
        if self.id_number == Some(entry.id_number) {
            return false;
        }
        if is_repeated(self.repeated, entry.id_number) && !self.seen_ids.insert(entry.id_number) {
            return false;
        }
        let (score, near) = match shared {
            Some(shared) => story::compare_counted(self.fingerprint, &entry.fingerprint, shared),
            None => story::compare(self.fingerprint, &entry.fingerprint),
        };
        if near {
            self.duplicate_of = Some(entry);
            return true;
        }
        if score >= story::SAME_STORY_THRESHOLD
            && self
                .best
                .as_ref()
                .is_none_or(|(best_score, _)| score > *best_score)
        {
            self.best = Some((score, entry));
        }
        false
    }
}

/// MinHash positions indexed: an entry whose shingle similarity reaches the same-story
/// threshold agrees with the query on at least `m` of the `MINHASH_SIZE` values, so on one of
/// any `MINHASH_SIZE - m + 1` positions (pigeonhole).
const SIMILAR_POSITIONS: usize = {
    let mut agree = 0;
    while (agree as f32 / story::MINHASH_SIZE as f32) < story::SAME_STORY_THRESHOLD {
        agree += 1;
    }
    story::MINHASH_SIZE - agree + 1
};

/// log2 of the most buckets of [`SimilarIndex`] (2.6 MB of heads; a log of 50,000 entries
/// has 2.6 million values in them).
const SIMILAR_BUCKET_BITS: u32 = 19;

/// The entries' MinHash values at the first [`SIMILAR_POSITIONS`] positions, by (position,
/// value): a hash table of chains, newest first, through a ring of `capacity` entries' links.
/// Nothing is removed when an entry leaves the log: a chain is read only while its ordinals
/// are live, and links point to older ordinals only. Ordinals are kept as their low 32 bits;
/// a live one is recognised by its distance from the log's first ordinal. A bucket shared by
/// two keys only adds candidates (each is then judged on its own).
struct SimilarIndex {
    /// Per bucket: the newest (ordinal, position) in it, as two arrays (5 bytes a bucket);
    /// position `u8::MAX` = empty.
    head_ordinals: Vec<u32>,
    head_positions: Vec<u8>,
    /// Per (ring slot, position): the next older (ordinal, position) of the same bucket.
    link_ordinals: Vec<u32>,
    link_positions: Vec<u8>,
    capacity: usize,
    /// log2 of the number of buckets: about four values a bucket for the entries the log
    /// holds (grown as it fills, up to its capacity's), so that memory follows the log.
    bucket_bits: u32,
}

impl SimilarIndex {
    fn new(capacity: usize) -> SimilarIndex {
        SimilarIndex {
            head_ordinals: Vec::new(),
            head_positions: Vec::new(),
            link_ordinals: Vec::new(),
            link_positions: Vec::new(),
            capacity,
            bucket_bits: 0,
        }
    }

    /// log2 of the buckets for `entries` entries (about four values a bucket).
    fn bits_for(entries: usize) -> u32 {
        (entries.saturating_mul(SIMILAR_POSITIONS) / 4)
            .max(1)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(8, SIMILAR_BUCKET_BITS)
    }

    /// The bucket bits a log of `live` entries calls for, when more than the table has.
    fn wanted_bits(&self, live: usize) -> Option<u32> {
        let bits = Self::bits_for(live.min(self.capacity));
        (self.head_positions.is_empty() || bits > self.bucket_bits).then_some(bits)
    }

    /// A table of `1 << bits` empty buckets, then `live` (ordinal, MinHash) inserted in order
    /// (oldest first, so that chains run from newer to older again).
    fn rebuild<'m>(&mut self, bits: u32, live: impl Iterator<Item = (u64, &'m [u32])>) {
        self.bucket_bits = bits;
        self.head_ordinals = vec![0; 1 << bits];
        self.head_positions = vec![u8::MAX; 1 << bits];
        for (ordinal, minhash) in live {
            if let Some(minhash) = full_minhash(minhash) {
                self.insert(ordinal, minhash);
            }
        }
    }

    fn bucket(&self, position: usize, value: u32) -> usize {
        let key = ((position as u64) << 32 | u64::from(value)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (key >> (64 - self.bucket_bits)) as usize
    }

    fn insert(&mut self, ordinal: u64, minhash: &[u32; story::MINHASH_SIZE]) {
        if self.head_positions.is_empty() {
            self.rebuild(Self::bits_for(1), std::iter::empty());
        }
        let slot = (ordinal % self.capacity as u64) as usize * SIMILAR_POSITIONS;
        if self.link_positions.len() < slot + SIMILAR_POSITIONS {
            self.link_ordinals.resize(slot + SIMILAR_POSITIONS, 0);
            self.link_positions
                .resize(slot + SIMILAR_POSITIONS, u8::MAX);
        }
        for (position, &value) in minhash.iter().enumerate().take(SIMILAR_POSITIONS) {
            let bucket = self.bucket(position, value);
            self.link_ordinals[slot + position] = self.head_ordinals[bucket];
            self.link_positions[slot + position] = self.head_positions[bucket];
            self.head_ordinals[bucket] = ordinal as u32;
            self.head_positions[bucket] = position as u8;
        }
    }

    /// Calls `mark` with the ordinal of every live entry (ordinals `first..first + len`) that
    /// may share a value with `minhash` at one of the indexed positions.
    fn matches(
        &self,
        minhash: &[u32; story::MINHASH_SIZE],
        first: u64,
        len: usize,
        mark: &mut impl FnMut(u64),
    ) {
        if self.head_positions.is_empty() {
            return;
        }
        for (position, &value) in minhash.iter().enumerate().take(SIMILAR_POSITIONS) {
            let bucket = self.bucket(position, value);
            let mut next = (self.head_ordinals[bucket], self.head_positions[bucket]);
            // A chain runs from newer to older ordinals. A bucket left alone for 2^32
            // ordinals can hold a stale one that reads as live; the walk then stops where the
            // order breaks or a link is missing, and at worst marks extra entries.
            let mut newer = u64::MAX;
            while next.1 != u8::MAX {
                let (low, at) = next;
                let distance = low.wrapping_sub(first as u32) as usize;
                if distance >= len {
                    break;
                }
                let ordinal = first + distance as u64;
                if ordinal >= newer {
                    break;
                }
                newer = ordinal;
                if usize::from(at) == position {
                    mark(ordinal);
                }
                let link =
                    (ordinal % self.capacity as u64) as usize * SIMILAR_POSITIONS + usize::from(at);
                match (self.link_ordinals.get(link), self.link_positions.get(link)) {
                    (Some(&low), Some(&at)) => next = (low, at),
                    _ => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsflow_model::{Format, Record};

    fn fingerprint(body: &str) -> StoryFingerprint {
        let mut record = Record::new("x".into(), "x.txt".into(), "t".into(), Format::Txt);
        record.body = body.to_string();
        story::fingerprint(&record)
    }

    const MISSILE: &str = "North Korean leader Kim Jong Il said his country will observe the moratorium on long-range missile testing until 2003, the Kremlin said after talks in Moscow with President Vladimir Putin.";
    const FOOTBALL: &str = "Arsenal beat Chelsea two goals to nil at Highbury on Saturday, with Thierry Henry scoring both goals in the second half of a tense London derby.";

    #[test]
    fn same_story_joins_and_other_stories_stay_apart() {
        let mut log = StoryLog::new(100);
        let first = log.apply(1, "a", fingerprint(MISSILE));
        assert_eq!(first.story_id, "a");
        let other = log.apply(2, "b", fingerprint(FOOTBALL));
        assert_eq!(other.story_id, "b");
        let rewrite = format!("{MISSILE} Officials in Seoul welcomed the pledge.");
        let joined = log.apply(5, "c", fingerprint(&rewrite));
        assert_eq!(joined.story_id, "a", "a gap in sequences is fine");
        // Applying the same sequence again gives the same answer (redelivery).
        assert_eq!(log.apply(5, "c", fingerprint(&rewrite)), joined);
        assert_eq!(log.assignment(2).map(|a| a.story_id.as_str()), Some("b"));
        assert_eq!(log.assignment(3), None);
    }

    // Two reports in two languages share no lead word but their places and names: the anchor
    // index finds the earlier one and the anchor score joins them.
    #[test]
    fn reports_in_two_languages_join_through_their_anchors() {
        use newsflow_extract::anchors::AnchorModel;
        let mut model = AnchorModel::with_places([("Egypt", "c:EG"), ("Égypte", "c:EG")]);
        for _ in 0..500 {
            model.count(None, "A story about Egypt.");
        }
        let report = |id: &str, language: &str, body: &str| {
            let mut record = Record::new(id.into(), "x.txt".into(), "t".into(), Format::Txt);
            record.body = body.to_string();
            record.language = Some(language.to_string());
            record.published = Some("2023-11-01".to_string());
            story::fingerprint_with(&record, Some(&model))
        };
        let english = report(
            "en",
            "en",
            "Wounded people crossed at Rafah into Egypt as the Jabalia camp was hit, Regev told Collins.",
        );
        let french = report(
            "fr",
            "fr",
            "Des blessés passent mercredi par Rafah vers l’Égypte pendant que l’armée frappe encore le camp de Jabalia, selon Regev interrogé longuement par Collins sur la chaîne américaine.",
        );
        let other = report("de", "de", "Unwetter über Bayern, meldet der Wetterdienst.");
        let mut log = StoryLog::new(100);
        assert_eq!(log.apply(1, "en", english.clone()).story_id, "en");
        assert!(story::word_similarity(&english, &french) < story::SAME_STORY_THRESHOLD);
        assert_eq!(log.apply(2, "de", other).story_id, "de");
        assert_eq!(log.apply(3, "fr", french.clone()).story_id, "en");
        // Without anchors the languages share no signal but a few lead words.
        let mut plain = french;
        plain.anchors.clear();
        assert_eq!(story::cross_language_similarity(&english, &plain), 0.0);
    }

    #[test]
    fn identical_text_is_flagged_as_duplicate() {
        let mut log = StoryLog::new(100);
        log.apply(1, "a", fingerprint(MISSILE));
        let again = log.apply(2, "b", fingerprint(MISSILE));
        assert_eq!(again.duplicate_of.as_deref(), Some("a"));
        assert_eq!(again.story_id, "a");
    }

    /// The decision as first written: every live entry sharing a lead word, newest first, no
    /// early stop, no index.
    fn reference_decide(
        log: &[(String, StoryFingerprint, Assignment)],
        id: &str,
        fingerprint: &StoryFingerprint,
    ) -> Assignment {
        let mut best: Option<(f32, usize)> = None;
        let mut duplicate_of: Option<String> = None;
        let mut seen = HashSet::new();
        for (index, (other_id, other, _)) in log.iter().enumerate().rev() {
            if !fingerprint.words.iter().any(|w| other.words.contains(w)) {
                continue;
            }
            if other_id == id || !seen.insert(other_id.clone()) {
                continue;
            }
            if duplicate_of.is_none() && story::near_duplicate(fingerprint, other) {
                duplicate_of = Some(other_id.clone());
            }
            let score = story::same_story(fingerprint, other);
            if score >= story::SAME_STORY_THRESHOLD && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, index));
            }
        }
        if duplicate_of.is_none() && !fingerprint.anchors.is_empty() {
            // The anchor path: other-language entries sharing an anchor, newest first.
            for (index, (other_id, other, _)) in log.iter().enumerate().rev() {
                let shares = other
                    .anchors
                    .iter()
                    .any(|a| fingerprint.anchors.iter().any(|b| a.hash == b.hash));
                if !shares || other.language == fingerprint.language {
                    continue;
                }
                if other_id == id || !seen.insert(other_id.clone()) {
                    continue;
                }
                if story::near_duplicate(fingerprint, other) {
                    duplicate_of = Some(other_id.clone());
                    break;
                }
                let score = story::same_story(fingerprint, other);
                if score >= story::SAME_STORY_THRESHOLD && best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, index));
                }
            }
        }
        let story_id = match (&duplicate_of, best) {
            (Some(original), _) => log
                .iter()
                .find(|(other_id, _, _)| other_id == original)
                .map(|(_, _, a)| a.story_id.clone())
                .unwrap_or_else(|| id.to_string()),
            (None, Some((_, index))) => log[index].2.story_id.clone(),
            (None, None) => id.to_string(),
        };
        Assignment {
            story_id,
            duplicate_of,
        }
    }

    // Early stop, direct scan and index give the reference decision on a long random stream
    // with near-duplicates, rewrites, repeated ids and eviction.
    #[test]
    fn decisions_match_the_reference() {
        decisions_match_the_reference_on(0x2545_f491_4f6c_dd1d, 150, 600, false, 0);
    }

    // The same with articles in two languages that share anchors (the cross-language path and
    // the prefilter's anchor source), a bigger log (the ring of the MinHash index wraps
    // several times) and seeds of their own.
    #[test]
    fn decisions_match_the_reference_across_languages() {
        for seed in [1u64, 0x9e37_79b9, 0xdead_beef_cafe] {
            decisions_match_the_reference_on(seed, 300, 1500, true, 0);
        }
    }

    // The same where the log's ordinals pass 2^32 (the MinHash index keeps their low 32
    // bits), with odd fingerprints now and then: an empty or short MinHash, lead words with
    // repeats or unsorted, a date known only to the month, no language.
    #[test]
    fn decisions_match_the_reference_past_2_32_with_odd_fingerprints() {
        for (seed, first) in [(7u64, (1u64 << 32) - 400), (11, (1 << 33) - 7)] {
            decisions_match_the_reference_on(seed, 120, 1200, true, first);
        }
    }

    fn decisions_match_the_reference_on(
        seed: u64,
        capacity: usize,
        stream: u64,
        anchors: bool,
        first_ordinal: u64,
    ) {
        use newsflow_extract::anchors::Anchor;
        let odd = first_ordinal > 0;
        let mut state = seed;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut log = StoryLog::new(capacity);
        log.first_ordinal = first_ordinal;
        let mut reference: Vec<(String, StoryFingerprint, Assignment)> = Vec::new();
        let templates: Vec<Vec<u32>> = (0..6)
            .map(|_| (0..64).map(|_| next() as u32).collect())
            .collect();
        for sequence in 1..=stream {
            let template = &templates[(next() % 6) as usize];
            let changed = (next() % 64) as usize;
            let minhash: Vec<u32> = template
                .iter()
                .enumerate()
                .map(|(i, &h)| if i < changed { next() as u32 } else { h })
                .collect();
            let mut words: Vec<u32> = (0..(next() % 30) as usize)
                .map(|_| (next() % 200) as u32)
                .collect();
            words.sort_unstable();
            // Now and then a list with repeats (not what `story::fingerprint` makes).
            if next() % 10 != 0 {
                words.dedup();
            }
            let mut minhash = minhash;
            let mut month_only = false;
            if odd {
                match next() % 20 {
                    0 => minhash.clear(),
                    1 => minhash.truncate(10),
                    2 => words.reverse(),
                    3 => month_only = true,
                    _ => {}
                }
            }
            let mut anchor_list: Vec<Anchor> = if anchors {
                (0..(next() % 5) as usize)
                    .map(|_| Anchor {
                        hash: (next() % 12) as u32,
                        weight: 5.0 + (next() % 20) as f32,
                        number: next() % 4 == 0,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            anchor_list.sort_by_key(|anchor| anchor.hash);
            anchor_list.dedup_by_key(|anchor| anchor.hash);
            let fingerprint = StoryFingerprint {
                minhash,
                words,
                day: if anchors {
                    (next() % 4 != 0).then(|| (next() % 5) as i64)
                } else {
                    (next() % 3 == 0).then(|| (next() % 20) as i64)
                },
                month_only,
                language: (anchors && !(odd && next() % 10 == 0))
                    .then(|| ["en", "de"][(next() % 2) as usize].to_string()),
                anchors: anchor_list,
            };
            let id = format!("a{}", next() % 500);
            let expected = reference_decide(&reference, &id, &fingerprint);
            let got = log.apply(sequence, &id, fingerprint.clone());
            assert_eq!(got, expected, "sequence {sequence}");
            reference.push((id, fingerprint, got));
            if reference.len() > capacity {
                reference.remove(0);
            }
        }
    }

    // 0.2 of 64 values is 12.8: an entry at the threshold agrees on 13, so on one of any 52.
    #[test]
    fn the_pigeonhole_covers_the_threshold() {
        assert_eq!(SIMILAR_POSITIONS, 52);
        let agree = story::MINHASH_SIZE - SIMILAR_POSITIONS + 1;
        assert!(agree as f32 / story::MINHASH_SIZE as f32 >= story::SAME_STORY_THRESHOLD);
        assert!(((agree - 1) as f32 / story::MINHASH_SIZE as f32) < story::SAME_STORY_THRESHOLD);
    }

    #[test]
    fn capacity_bounds_memory_and_evicts_from_the_index() {
        let mut log = StoryLog::new(2);
        log.apply(1, "a", fingerprint(MISSILE));
        log.apply(2, "b", fingerprint(FOOTBALL));
        log.apply(3, "c", fingerprint(FOOTBALL));
        assert_eq!(log.entries.len(), 2);
        // "a" fell out of the window: a rewrite now starts a new story.
        let late = log.apply(4, "d", fingerprint(MISSILE));
        assert_eq!(late.story_id, "d");
        assert!(log.index.values().all(|sequences| !sequences.contains(&1)));
        // The id map holds the live entries only; nothing is repeated or special.
        let mut ids: Vec<&str> = log.ids.keys().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["c", "d"]);
        assert!(log.repeated.is_empty() && log.special.is_empty());
        // An article appended again is repeated (and special) until one copy leaves.
        log.apply(5, "d", fingerprint(MISSILE));
        assert_eq!(log.repeated.len(), 1);
        log.apply(6, "e", fingerprint(FOOTBALL));
        log.apply(7, "f", fingerprint(FOOTBALL));
        assert!(log.repeated.is_empty() && log.special.is_empty());
    }
}
