//! The shared story log on NATS: a stream of entries on `<prefix>.stories`
//! ([`crate::Subjects::stories`], stream [`crate::Subjects::stories_stream`]) whose age limit is the story
//! window (`workers.story_window_secs`). Each extract worker appends its article's entry, waits
//! until its follower has applied the log up to that entry, and decides the story from the
//! entries before it (`newsflow_pipeline::stories`), so every worker on every machine agrees.
//!
//! What an entry holds and what is decided from it is the caller's: this module knows the
//! stream, the ordered follow and its recovery, and hands each entry's bytes to a
//! [`StoryView`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, message::PublishMessage, stream};
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::{watch, Mutex, MutexGuard};

use crate::{Bus, BusError, SETUP_REQUEST_TIMEOUT};

/// The follower's consumer lives on one server. If that server is cut off, the client would
/// notice only after two missed 15 s heartbeats (up to a minute, measured by
/// `faults::cluster_link_cut_mid_stream_loses_nothing`): a follower that gets nothing for this
/// long while an article waits for its entry starts a new consumer (on a server it can reach).
const FOLLOW_STALL: Duration = Duration::from_secs(3);

/// How long [`StoryStream::append`] waits for the follower to reach the new entry.
const APPLY_WAIT: Duration = Duration::from_secs(30);

/// The in-memory view of the log that the follower keeps up to date, entry by entry in log
/// order.
pub trait StoryView: Send + 'static {
    /// The next log sequence the view needs (everything below it was applied).
    fn next_sequence(&self) -> u64;

    /// Applies the entry at `sequence` (its bytes as appended). An entry that cannot be read
    /// is the view's to skip.
    fn apply(&mut self, sequence: u64, entry: &[u8]);
}

/// The story stream and a follower task applying it to a [`StoryView`].
pub struct StoryStream<V> {
    js: jetstream::Context,
    subject: String,
    view: Arc<Mutex<V>>,
    /// Highest log sequence applied to `view` by the follower task.
    applied: watch::Receiver<u64>,
    /// Highest log sequence an article of this process waits for.
    awaited: Arc<AtomicU64>,
    follower: tokio::task::JoinHandle<()>,
}

impl<V> Drop for StoryStream<V> {
    fn drop(&mut self) {
        self.follower.abort();
    }
}

impl<V: StoryView> StoryStream<V> {
    /// Creates the story stream if needed (entries are kept for `window`) and starts following
    /// it from `view`'s next sequence: one task applies every entry in log order as it arrives.
    pub async fn open(
        bus: &Bus,
        window: Duration,
        replicas: usize,
        view: V,
    ) -> Result<StoryStream<V>, BusError> {
        let js = bus.jetstream().clone();
        let stream_name = bus.subjects().stories_stream();
        let subject = bus.subjects().stories();
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
            let outcome = tokio::time::timeout(SETUP_REQUEST_TIMEOUT, request).await;
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
            return Err(BusError::Stream {
                stream: stream_name,
                message: last_error,
            });
        };
        let view = Arc::new(Mutex::new(view));
        let (applied_tx, applied) = watch::channel(0u64);
        let awaited = Arc::new(AtomicU64::new(0));
        let follower = tokio::spawn(follow(stream, view.clone(), applied_tx, awaited.clone()));
        Ok(StoryStream {
            js,
            subject,
            view,
            applied,
            awaited,
            follower,
        })
    }

    /// Appends `entry` for article `id` (message id `story:<id>`: a redelivered article's
    /// entry is stored once, and the first one's sequence is returned), waits until the
    /// follower applied the log up to it, and returns its sequence with the view, locked.
    pub async fn append(
        &self,
        id: &str,
        entry: Vec<u8>,
    ) -> Result<(u64, MutexGuard<'_, V>), BusError> {
        let ack = self
            .js
            .send_publish(
                self.subject.clone(),
                PublishMessage::build()
                    .payload(Bytes::from(entry))
                    .message_id(format!("story:{id}")),
            )
            .await
            .map_err(|err| BusError::Request(err.to_string()))?
            .await
            .map_err(|err| BusError::Request(err.to_string()))?;
        let sequence = ack.sequence;
        self.awaited.fetch_max(sequence, Ordering::Relaxed);
        let mut applied = self.applied.clone();
        tokio::time::timeout(APPLY_WAIT, applied.wait_for(|&applied| applied >= sequence))
            .await
            .map_err(|_| {
                BusError::Request(format!(
                    "story log did not reach entry {sequence} within {APPLY_WAIT:?}"
                ))
            })?
            .map_err(|_| BusError::Request("story log follower stopped".to_string()))?;
        Ok((sequence, self.view.lock().await))
    }
}

/// Applies every log entry in order, from the oldest the stream still holds, forever.
async fn follow<V: StoryView>(
    stream: stream::Stream,
    view: Arc<Mutex<V>>,
    applied: watch::Sender<u64>,
    awaited: Arc<AtomicU64>,
) {
    loop {
        let start = view.lock().await.next_sequence();
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
                    let next = view.lock().await.next_sequence();
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
            let mut guard = view.lock().await;
            if sequence >= guard.next_sequence() {
                guard.apply(sequence, &message.payload);
            }
            drop(guard);
            applied.send_replace(sequence);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
