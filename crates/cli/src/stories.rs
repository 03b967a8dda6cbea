//! Same-story assignment for the extract workers: each article's fingerprint goes into the
//! shared story log on NATS (`newsflow_bus::stories`, with its window from
//! `workers.story_window_secs`), and its story is decided from the entries before it
//! (`newsflow_pipeline::stories`), so every worker on every machine agrees.

use std::sync::Arc;
use std::time::Duration;

use newsflow_bus::stories::{StoryStream, StoryView};
use newsflow_bus::{Bus, BusError};
use newsflow_extract::anchors::AnchorModel;
use newsflow_extract::story::{self, StoryFingerprint};
use newsflow_model::Record;
use newsflow_pipeline::stories::StoryLog;
use serde::{Deserialize, Serialize};

/// Entries kept in memory (older ones fall out of the comparison).
const LOG_CAPACITY: usize = 50_000;

/// One entry of the story log.
#[derive(Serialize, Deserialize)]
struct LogEntry {
    id: String,
    fingerprint: StoryFingerprint,
}

/// The story log as the follower applies it.
struct View(StoryLog);

impl StoryView for View {
    fn next_sequence(&self) -> u64 {
        self.0.next_sequence()
    }

    fn apply(&mut self, sequence: u64, entry: &[u8]) {
        match serde_json::from_slice::<LogEntry>(entry) {
            Ok(entry) => {
                self.0.apply(sequence, &entry.id, entry.fingerprint);
            }
            Err(_) => self.0.skip_to(sequence + 1),
        }
    }
}

pub struct StoryService {
    stream: StoryStream<View>,
    /// Names and places in many languages, for stories across languages.
    anchors: Option<Arc<AnchorModel>>,
}

impl StoryService {
    /// Opens the story log (`window`: how long fingerprints are kept) and starts following it.
    pub async fn new(
        bus: &Bus,
        window: Duration,
        replicas: usize,
        anchors: Option<Arc<AnchorModel>>,
    ) -> Result<StoryService, BusError> {
        let view = View(StoryLog::new(LOG_CAPACITY));
        let stream = StoryStream::open(bus, window, replicas, view).await?;
        Ok(StoryService { stream, anchors })
    }

    /// Sets `story_id` and `duplicate_of` on a record.
    pub async fn assign(&self, record: &mut Record) -> Result<(), String> {
        let entry = LogEntry {
            id: record.id.clone(),
            fingerprint: story::fingerprint_with(record, self.anchors.as_deref()),
        };
        let payload = serde_json::to_vec(&entry).map_err(|err| err.to_string())?;
        let (sequence, view) = self
            .stream
            .append(&record.id, payload)
            .await
            .map_err(|err| err.to_string())?;
        let assignment = view
            .0
            .assignment(sequence)
            .cloned()
            .ok_or_else(|| format!("story log entry {sequence} is no longer in the window"))?;
        drop(view);
        record.story_id = Some(assignment.story_id);
        record.duplicate_of = assignment.duplicate_of;
        Ok(())
    }
}

/// The same decision without NATS, for `newsflow process` (log order = input order).
pub struct LocalStories {
    log: StoryLog,
    next: u64,
    anchors: Option<Arc<AnchorModel>>,
}

impl LocalStories {
    pub fn new(anchors: Option<Arc<AnchorModel>>) -> LocalStories {
        LocalStories {
            log: StoryLog::new(LOG_CAPACITY),
            next: 1,
            anchors,
        }
    }

    pub fn assign(&mut self, record: &mut Record) {
        let assignment = self.log.apply(
            self.next,
            &record.id,
            story::fingerprint_with(record, self.anchors.as_deref()),
        );
        self.next += 1;
        record.story_id = Some(assignment.story_id);
        record.duplicate_of = assignment.duplicate_of;
    }
}
