//! Same-story assignment over an ordered log of fingerprints.
//!
//! Every extract worker appends the article's fingerprint to one shared log (a JetStream
//! stream) and then decides the story from the entries *before* its own in that log. Each
//! entry's story depends only on earlier entries, so every worker that reads the log computes
//! the same answer: two workers racing on two articles of one new story cannot split it, since
//! the second in log order sees the first. The log is bounded by the stream's age limit; this
//! type is the in-memory view of it, rebuilt from the stream by whoever needs it.

use std::collections::{HashSet, VecDeque};

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
    entries: VecDeque<Entry>,
    capacity: usize,
    /// Next sequence this view expects (everything below was applied).
    next_sequence: u64,
}

impl StoryLog {
    pub fn new(capacity: usize) -> StoryLog {
        StoryLog {
            entries: VecDeque::new(),
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

    /// The assignment of an applied entry.
    pub fn assignment(&self, sequence: u64) -> Option<&Assignment> {
        let offset = self.entries.front()?.sequence;
        let index = sequence.checked_sub(offset)? as usize;
        let entry = self.entries.get(index)?;
        (entry.sequence == sequence).then_some(&entry.assignment)
    }

    /// Applies the entry at `sequence` (must be `next_sequence()` or later; gaps are allowed,
    /// e.g. deleted messages) and returns its assignment.
    pub fn apply(&mut self, sequence: u64, id: &str, fingerprint: StoryFingerprint) -> Assignment {
        if let Some(existing) = self.assignment(sequence) {
            return existing.clone();
        }
        let assignment = self.decide(id, &fingerprint);
        self.entries.push_back(Entry {
            sequence,
            id: id.to_string(),
            fingerprint,
            assignment: assignment.clone(),
        });
        while self.entries.len() > self.capacity {
            self.entries.pop_front();
        }
        self.next_sequence = sequence + 1;
        assignment
    }

    fn decide(&self, id: &str, fingerprint: &StoryFingerprint) -> Assignment {
        let mut best: Option<(f32, &Entry)> = None;
        let mut duplicate_of = None;
        let mut seen_ids = HashSet::new();
        for entry in self.entries.iter().rev() {
            if entry.id == id || !seen_ids.insert(entry.id.as_str()) {
                continue;
            }
            if duplicate_of.is_none() && story::near_duplicate(fingerprint, &entry.fingerprint) {
                duplicate_of = Some(entry.id.clone());
            }
            let score = story::same_story(fingerprint, &entry.fingerprint);
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
