//! The shared story log on NATS: a stream of fingerprints (`<prefix>.stories`) with an age
//! limit as its time window. Each extract worker appends its article's fingerprint, reads the
//! log up to that entry and decides the story from the entries before it (see
//! `newsflow_pipeline::stories`), so every worker on every machine agrees.

use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use bytes::Bytes;
use newsflow_bus::Subjects;
use newsflow_extract::story::{self, StoryFingerprint};
use newsflow_model::Record;
use newsflow_pipeline::stories::StoryLog;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// Entries kept in memory (older ones fall out of the comparison).
const LOG_CAPACITY: usize = 50_000;

#[derive(Serialize, Deserialize)]
struct LogEntry {
    id: String,
    fingerprint: StoryFingerprint,
}

pub struct StoryService {
    js: jetstream::Context,
    subject: String,
    stream_name: String,
    log: Mutex<StoryLog>,
}

impl StoryService {
    /// Creates the story stream if needed (`window` is how long fingerprints are kept).
    pub async fn new(
        js: jetstream::Context,
        subjects: &Subjects,
        window: Duration,
        replicas: usize,
    ) -> Result<StoryService, String> {
        let stream_name = format!(
            "{}_STORIES",
            subjects.prefix().to_ascii_uppercase().replace('-', "_")
        );
        let subject = format!("{}.stories", subjects.prefix());
        let config = stream::Config {
            name: stream_name.clone(),
            subjects: vec![subject.clone()],
            storage: stream::StorageType::File,
            num_replicas: replicas,
            max_age: window,
            duplicate_window: Duration::from_secs(120).min(window),
            ..Default::default()
        };
        let mut last_error = String::new();
        for _ in 0..20 {
            match js.create_or_update_stream(config.clone()).await {
                Ok(_) => {
                    return Ok(StoryService {
                        js,
                        subject,
                        stream_name,
                        log: Mutex::new(StoryLog::new(LOG_CAPACITY)),
                    })
                }
                Err(err) => {
                    last_error = err.to_string();
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
        Err(format!("story stream: {last_error}"))
    }

    /// Sets `story_id` and `duplicate_of` on a record.
    pub async fn assign(&self, record: &mut Record) -> Result<(), String> {
        let fingerprint = story::fingerprint(record);
        let entry = LogEntry {
            id: record.id.clone(),
            fingerprint,
        };
        let payload = serde_json::to_vec(&entry).map_err(|err| err.to_string())?;
        let ack = self
            .js
            .send_publish(
                self.subject.clone(),
                PublishMessage::build()
                    .payload(Bytes::from(payload))
                    .message_id(format!("story:{}", record.id)),
            )
            .await
            .map_err(|err| err.to_string())?
            .await
            .map_err(|err| err.to_string())?;
        let sequence = ack.sequence;
        let mut log = self.log.lock().await;
        if log.next_sequence() <= sequence {
            self.catch_up(&mut log, sequence).await?;
        }
        let assignment = log
            .assignment(sequence)
            .cloned()
            .ok_or_else(|| format!("story log entry {sequence} is no longer in the window"))?;
        record.story_id = Some(assignment.story_id);
        record.duplicate_of = assignment.duplicate_of;
        Ok(())
    }

    async fn catch_up(&self, log: &mut StoryLog, until: u64) -> Result<(), String> {
        let mut stream = self
            .js
            .get_stream(&self.stream_name)
            .await
            .map_err(|err| err.to_string())?;
        let first = stream
            .info()
            .await
            .map_err(|err| err.to_string())?
            .state
            .first_sequence;
        log.skip_to(first.max(until.saturating_sub(LOG_CAPACITY as u64)));
        let mut sequence = log.next_sequence();
        while sequence <= until {
            match stream.get_raw_message(sequence).await {
                Ok(message) => {
                    if let Ok(entry) = serde_json::from_slice::<LogEntry>(&message.payload) {
                        log.apply(sequence, &entry.id, entry.fingerprint);
                    } else {
                        log.skip_to(sequence + 1);
                    }
                }
                Err(err) => {
                    let text = err.to_string();
                    if text.contains("not found") || text.contains("no message") {
                        log.skip_to(sequence + 1);
                    } else {
                        return Err(format!("story log read {sequence}: {text}"));
                    }
                }
            }
            sequence += 1;
        }
        Ok(())
    }
}

/// The same decision without NATS, for `newsflow process` (log order = input order).
pub struct LocalStories {
    log: StoryLog,
    next: u64,
}

impl LocalStories {
    pub fn new() -> LocalStories {
        LocalStories {
            log: StoryLog::new(LOG_CAPACITY),
            next: 1,
        }
    }

    pub fn assign(&mut self, record: &mut Record) {
        let assignment = self
            .log
            .apply(self.next, &record.id, story::fingerprint(record));
        self.next += 1;
        record.story_id = Some(assignment.story_id);
        record.duplicate_of = assignment.duplicate_of;
    }
}
