//! Same-story assignment over an ordered log of fingerprints.
//!
//! Every extract worker appends the article's fingerprint to one shared log (a JetStream
//! stream) and then decides the story from the entries *before* its own in that log. Each
//! entry's story depends only on earlier entries, so every worker that reads the log computes
//! the same answer: two workers racing on two articles of one new story cannot split it, since
//! the second in log order sees the first. The log is bounded by the stream's age limit; this
//! type is the in-memory view of it, rebuilt from the stream by whoever needs it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

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
    fingerprint: StoryFingerprint,
    assignment: Assignment,
}

/// Fingerprints in log order, with their assignments, bounded to `capacity` entries.
pub struct StoryLog {
    /// Sorted by sequence (gaps allowed).
    entries: VecDeque<Entry>,
    /// Word hash → ordinals of the entries whose lead has it, oldest first: only entries that
    /// share a word can reach the word-Jaccard threshold, so only they are compared.
    index: HashMap<u32, VecDeque<u64>, FastState>,
    /// Ordinal (count of entries ever added before it) of `entries[0]`; an entry's position
    /// in `entries` is its ordinal minus this.
    first_ordinal: u64,
    capacity: usize,
    /// Next sequence this view expects (everything below was applied).
    next_sequence: u64,
}

impl StoryLog {
    pub fn new(capacity: usize) -> StoryLog {
        StoryLog {
            entries: VecDeque::new(),
            index: HashMap::default(),
            first_ordinal: 0,
            capacity: capacity.max(1),
            next_sequence: 1,
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
        let assignment = self.decide(id, &fingerprint);
        let ordinal = self.first_ordinal + self.entries.len() as u64;
        for word in &fingerprint.words {
            self.index.entry(*word).or_default().push_back(ordinal);
        }
        self.entries.push_back(Entry {
            sequence,
            id: id.to_string(),
            fingerprint,
            assignment: assignment.clone(),
        });
        while self.entries.len() > self.capacity {
            if let Some(old) = self.entries.pop_front() {
                let old_ordinal = self.first_ordinal;
                self.first_ordinal += 1;
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
            }
        }
        self.next_sequence = sequence + 1;
        assignment
    }

    fn decide(&self, id: &str, fingerprint: &StoryFingerprint) -> Assignment {
        // The entries sharing a lead word, by position in `entries` (= log order).
        let mut shared = vec![false; self.entries.len()];
        for word in &fingerprint.words {
            if let Some(ordinals) = self.index.get(word) {
                for ordinal in ordinals {
                    if let Some(slot) = ordinal
                        .checked_sub(self.first_ordinal)
                        .and_then(|position| shared.get_mut(position as usize))
                    {
                        *slot = true;
                    }
                }
            }
        }
        let mut best: Option<(f32, &Entry)> = None;
        let mut duplicate_of = None;
        let mut seen_ids: HashSet<&str, FastState> = HashSet::default();
        // Newest first: ties go to the most recent story.
        let candidates = shared
            .iter()
            .zip(&self.entries)
            .rev()
            .filter(|(shares, _)| **shares)
            .map(|(_, entry)| entry);
        for entry in candidates {
            if entry.id == id || !seen_ids.insert(entry.id.as_str()) {
                continue;
            }
            let (score, near) = story::compare(fingerprint, &entry.fingerprint);
            if duplicate_of.is_none() && near {
                duplicate_of = Some(entry.id.clone());
            }
            if score >= story::SAME_STORY_THRESHOLD
                && best
                    .as_ref()
                    .is_none_or(|(best_score, _)| score > *best_score)
            {
                best = Some((score, entry));
            }
        }
        let story_id = match (&duplicate_of, best) {
            (Some(original), _) => self
                .entries
                .iter()
                .find(|entry| &entry.id == original)
                .map(|entry| entry.assignment.story_id.clone())
                .unwrap_or_else(|| id.to_string()),
            (None, Some((_, entry))) => entry.assignment.story_id.clone(),
            (None, None) => id.to_string(),
        };
        Assignment {
            story_id,
            duplicate_of,
        }
    }
}

/// A fast, non-cryptographic hasher (FxHash-style) for the log's in-memory maps: word hashes
/// and article ids come from our own pipeline, not from an adversary choosing collisions.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

const FAST_K: u64 = 0xf135_7aea_2e62_a9c5;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(FAST_K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        // The high bits are the well-mixed ones; hashbrown uses the top 7 and the low bits.
        self.0.rotate_left(26)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
    }
    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }
    #[inline]
    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }
    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }
    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
}

type FastState = BuildHasherDefault<FastHasher>;

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

    #[test]
    fn identical_text_is_flagged_as_duplicate() {
        let mut log = StoryLog::new(100);
        log.apply(1, "a", fingerprint(MISSILE));
        let again = log.apply(2, "b", fingerprint(MISSILE));
        assert_eq!(again.duplicate_of.as_deref(), Some("a"));
        assert_eq!(again.story_id, "a");
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
    }
}
