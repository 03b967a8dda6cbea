//! The shared story log on NATS: a stream of fingerprints (`<prefix>.stories`) with an age
//! limit as its time window. Each extract worker appends its article's fingerprint, reads the
//! log up to that entry and decides the story from the entries before it (see
//! `newsflow_pipeline::stories`), so every worker on every machine agrees.

use std::time::Duration;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_nats::jetstream::{self, consumer, message::PublishMessage, stream};
use bytes::Bytes;
use futures::StreamExt;
use newsflow_bus::Subjects;
use newsflow_extract::story::{self, StoryFingerprint};
use newsflow_model::Record;
use newsflow_pipeline::stories::StoryLog;
use serde::{Deserialize, Serialize};
use tokio::sync::{watch, Mutex};

/// Entries kept in memory (older ones fall out of the comparison).
const LOG_CAPACITY: usize = 50_000;

/// The follower's consumer lives on one server. If that server is cut off, the client would
/// notice only after two missed 15 s heartbeats (up to a minute, measured by
/// `faults::cluster_link_cut_mid_stream_loses_nothing`): a follower that gets nothing for this
/// long while an article waits for its entry starts a new consumer (on a server it can reach).
const FOLLOW_STALL: Duration = Duration::from_secs(3);

#[derive(Serialize, Deserialize)]
struct LogEntry {
    id: String,
    fingerprint: StoryFingerprint,
}

pub struct StoryService {
    js: jetstream::Context,
    subject: String,
    log: Arc<Mutex<StoryLog>>,
    /// Highest log sequence applied to `log` by the follower task.
    applied: watch::Receiver<u64>,
    /// Highest log sequence an article of this process waits for.
    awaited: Arc<AtomicU64>,
    _follower: tokio::task::JoinHandle<()>,
}

impl StoryService {
    /// Creates the story stream if needed (`window` is how long fingerprints are kept) and
    /// starts following it: one task applies every entry in log order as it arrives.
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
        let mut created = None;
        for _ in 0..20 {
            // Short: concurrent creators of one replicated stream may get no reply at all.
            let request = js.create_or_update_stream(config.clone());
            let outcome = tokio::time::timeout(newsflow_bus::SETUP_REQUEST_TIMEOUT, request).await;
            match outcome
                .unwrap_or_else(|_| Err(jetstream::context::CreateStreamErrorKind::TimedOut.into()))
            {
                Ok(_) => match js.get_stream(&stream_name).await {
                    Ok(stream) => {
                        created = Some(stream);
                        break;
                    }
                    Err(err) => last_error = err.to_string(),
                },
                Err(err) => last_error = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let Some(stream) = created else {
            return Err(format!("story stream: {last_error}"));
        };
        let log = Arc::new(Mutex::new(StoryLog::new(LOG_CAPACITY)));
        let (applied_tx, applied) = watch::channel(0u64);
        let awaited = Arc::new(AtomicU64::new(0));
        let follower = tokio::spawn(follow(stream, log.clone(), applied_tx, awaited.clone()));
        Ok(StoryService {
            js,
            subject,
            log,
            applied,
            awaited,
            _follower: follower,
        })
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
        self.awaited.fetch_max(sequence, Ordering::Relaxed);
        let mut applied = self.applied.clone();
        tokio::time::timeout(
            Duration::from_secs(30),
            applied.wait_for(|&applied| applied >= sequence),
        )
        .await
        .map_err(|_| format!("story log did not reach entry {sequence} within 30 s"))?
        .map_err(|_| "story log follower stopped".to_string())?;
        let log = self.log.lock().await;
        let assignment = log
            .assignment(sequence)
            .cloned()
            .ok_or_else(|| format!("story log entry {sequence} is no longer in the window"))?;
        record.story_id = Some(assignment.story_id);
        record.duplicate_of = assignment.duplicate_of;
        Ok(())
    }
}

/// Applies every log entry in order, from the oldest the stream still holds, forever.
async fn follow(
    stream: stream::Stream,
    log: Arc<Mutex<StoryLog>>,
    applied: watch::Sender<u64>,
    awaited: Arc<AtomicU64>,
) {
    loop {
        let start = log.lock().await.next_sequence();
        let consumer = stream
            .create_consumer(consumer::pull::OrderedConfig {
                deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: start,
                },
                ..Default::default()
            })
            .await;
        let mut messages = match consumer {
            Ok(consumer) => match consumer.messages().await {
                Ok(messages) => messages,
                Err(err) => {
                    tracing::warn!(error = %err, "story log follow failed, retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            Err(err) => {
                tracing::warn!(error = %err, "story log consumer failed, retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        loop {
            let message = match tokio::time::timeout(FOLLOW_STALL, messages.next()).await {
                Ok(Some(Ok(message))) => message,
                Ok(Some(Err(_)) | None) => break,
                Err(_) => {
                    // Quiet: fine when nobody waits, a stuck consumer when someone does.
                    let next = log.lock().await.next_sequence();
                    if awaited.load(Ordering::Relaxed) >= next {
                        tracing::warn!(
                            waiting_for = next,
                            "story log follower got nothing for {FOLLOW_STALL:?}, starting a new consumer"
                        );
                        break;
                    }
                    continue;
                }
            };
            let Ok(info) = message.info() else {
                continue;
            };
            let sequence = info.stream_sequence;
            let mut guard = log.lock().await;
            if sequence >= guard.next_sequence() {
                match serde_json::from_slice::<LogEntry>(&message.payload) {
                    Ok(entry) => {
                        guard.apply(sequence, &entry.id, entry.fingerprint);
                    }
                    Err(_) => guard.skip_to(sequence + 1),
                }
            }
            drop(guard);
            applied.send_replace(sequence);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
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
