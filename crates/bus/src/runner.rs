//! The one generic stage worker. Every worker of a stage, on any machine, pulls from the same
//! durable consumer, so the stage's work is split between them.
//!
//! For each message: run the stage ([`Handler`]), publish the output onward with a message id
//! derived from the article id and the stage, and ack the input only once that publish is
//! acknowledged. A transient failure is nak'ed with exponential backoff; after `max_deliver`
//! deliveries the article becomes an error record on `<prefix>.errors.<stage>` and is
//! terminated. A permanent failure (bad input, or an output larger than the server's max
//! payload: kind `too_large`) becomes an error record at once.
//!
//! A worker killed at any instant loses nothing (the input is unacked, so it is redelivered)
//! and doubles nothing (the redelivered output carries the same message id, so the stream
//! stores it once).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, message::PublishMessage, AckKind};
use async_nats::HeaderMap;
use bytes::Bytes;
use futures::StreamExt;
use newsflow_model::{ErrorRecord, Stage};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::publisher::publish_error;
use crate::{headers, BusError, Subjects};

/// Deliveries without any outcome (the worker died each time) allowed per `max_deliver`.
/// A worker killed with messages in its pull buffer makes those count a delivery too.
const CRASH_FACTOR: i64 = 4;

/// Messages a worker keeps in hand per unit of `concurrency`: the handler runs on at most
/// `concurrency` of them at once; the others wait for their onward publish ack (and then ack
/// their input) without holding a handler slot, so the next article's work overlaps the
/// broker round trip of the last one.
const PIPELINE_DEPTH: usize = 4;

/// Why an onward publish failed.
enum PublishFailure {
    /// The output is larger than the server accepts: no retry can help.
    TooLarge(String),
    /// The broker failed: worth another try.
    Broker(String),
}

/// A message handed to a stage.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub subject: String,
    pub headers: HeaderMap,
    pub payload: Bytes,
    /// 1 on first delivery.
    pub delivered: i64,
}

impl Delivery {
    /// A header's value, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|value| value.to_string())
    }
}

/// Where a stage's output goes.
#[derive(Debug, Clone)]
pub struct Forward {
    pub subject: String,
    /// Becomes `Nats-Msg-Id`: the same article and stage always give the same id.
    pub message_id: String,
    pub headers: HeaderMap,
    pub payload: Bytes,
}

/// What a stage made of a delivery.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Publish onward, then ack.
    Forward(Forward),
    /// The input cannot be processed, now or ever: publish this error record, then terminate.
    Reject(ErrorRecord),
}

/// A failure that may pass on retry (the broker was away, a model was still loading...).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct Transient {
    pub kind: String,
    pub message: String,
    /// The broker failed (a publish, a fetch, the story log), not the article: retried for
    /// `CRASH_FACTOR` times longer before giving up, so a cluster failover of a few seconds
    /// does not turn good articles into error records.
    pub broker: bool,
    /// The stage that failed, when a handler runs several ([`run_stages`]); `None`: the stage
    /// whose consumer delivered the message.
    pub stage: Option<Stage>,
}

impl Transient {
    /// A failure of the work on this article.
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Transient {
        Transient {
            kind: kind.into(),
            message: message.into(),
            broker: false,
            stage: None,
        }
    }

    /// The same failure, named as one of `stage`'s (its error record goes to that stage's
    /// error subject).
    pub fn at(self, stage: Stage) -> Transient {
        Transient {
            stage: Some(stage),
            ..self
        }
    }

    /// A failure of the broker while handling this article.
    pub fn broker(kind: impl Into<String>, message: impl Into<String>) -> Transient {
        Transient {
            broker: true,
            ..Transient::new(kind, message)
        }
    }
}

/// A stage's logic. CPU-heavy work belongs on the blocking pool (`spawn_blocking`).
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, delivery: Delivery)
        -> impl Future<Output = Result<Outcome, Transient>> + Send;
}

/// Settings of one stage worker.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    pub stage: Stage,
    pub concurrency: usize,
    pub batch: usize,
    pub expires: Duration,
    pub max_deliver: i64,
    pub ack_wait: Duration,
    pub max_ack_pending: i64,
    pub backoff: Duration,
}

impl RunnerOptions {
    pub fn from_config(stage: Stage, workers: &newsflow_config::WorkersConfig) -> RunnerOptions {
        RunnerOptions {
            stage,
            concurrency: workers.concurrency.max(1),
            batch: workers.batch.max(1),
            expires: Duration::from_millis(workers.pull_expires_ms.max(1000)),
            max_deliver: workers.max_deliver.max(1),
            ack_wait: Duration::from_secs(workers.ack_wait_secs.max(1)),
            max_ack_pending: workers.max_ack_pending,
            backoff: Duration::from_millis(workers.retry_backoff_ms),
        }
    }
}

/// Counters of one stage in this process.
#[derive(Debug, Default)]
pub struct StageStats {
    /// Outputs published and inputs acked.
    pub done: AtomicU64,
    /// Inputs rejected as unprocessable (error record published).
    pub rejected: AtomicU64,
    /// Inputs given up after `max_deliver` attempts (error record published).
    pub dead: AtomicU64,
    /// Naks sent for a later retry.
    pub retried: AtomicU64,
    /// Messages being processed now.
    pub in_flight: AtomicU64,
}

/// Creates (or updates) the durable consumer shared by every worker of a stage.
pub async fn stage_consumer(
    js: &jetstream::Context,
    subjects: &Subjects,
    options: &RunnerOptions,
) -> Result<consumer::Consumer<consumer::pull::Config>, BusError> {
    let durable = subjects.durable(options.stage);
    let consumer_error = |message: String| BusError::Consumer {
        consumer: durable.clone(),
        message,
    };
    let Some(filter_subject) = subjects.stage_input(options.stage) else {
        return Err(consumer_error(
            "the watch stage has no consumer".to_string(),
        ));
    };
    let config = consumer::pull::Config {
        durable_name: Some(durable.clone()),
        filter_subject,
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: options.ack_wait,
        // Unlimited on the server: the runner decides when to give up (see `process`), so that
        // a redelivery caused by a crashed worker is not mistaken for a failing article.
        max_deliver: -1,
        max_ack_pending: options.max_ack_pending,
        ..Default::default()
    };
    let mut last_error = String::new();
    for _ in 0..20 {
        let stream = match js.get_stream(subjects.articles_stream()).await {
            Ok(stream) => stream,
            Err(err) => {
                last_error = err.to_string();
                tokio::time::sleep(Duration::from_millis(250)).await;
                continue;
            }
        };
        match stream.create_consumer(config.clone()).await {
            Ok(consumer) => return Ok(consumer),
            Err(err) => {
                last_error = err.to_string();
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
    Err(consumer_error(last_error))
}

/// Runs one stage worker until `cancel` fires, then finishes the messages in hand.
pub async fn run_stage<H: Handler>(
    js: jetstream::Context,
    subjects: Subjects,
    options: RunnerOptions,
    handler: Arc<H>,
    stats: Arc<StageStats>,
    cancel: CancellationToken,
) -> Result<(), BusError> {
    run_stages(js, subjects, options, handler, stats, Vec::new(), cancel).await
}

/// Runs a worker whose handler goes through several stages for each message: it pulls from
/// the consumer of `options.stage` (counted in `stats`), and runs the stages of `also` (with
/// their counters) in the same handler, whose output is never published on its own. A
/// finished message counts as done for each of them; a rejection, retry or dead letter for
/// the stage named by its error record (or [`Transient::stage`]).
pub async fn run_stages<H: Handler>(
    js: jetstream::Context,
    subjects: Subjects,
    options: RunnerOptions,
    handler: Arc<H>,
    stats: Arc<StageStats>,
    also: Vec<(Stage, Arc<StageStats>)>,
    cancel: CancellationToken,
) -> Result<(), BusError> {
    let mut stats = vec![(options.stage, stats)];
    stats.extend(also);
    let consumer = stage_consumer(&js, &subjects, &options).await?;
    let permits = Arc::new(Semaphore::new(options.concurrency));
    let in_hand_limit = options.concurrency * PIPELINE_DEPTH;
    let in_hand = Arc::new(Semaphore::new(in_hand_limit));
    let shared = Arc::new(Shared {
        js,
        subjects,
        options: options.clone(),
        handler,
        stats,
    });
    // Messages wait in the client's buffer until a slot frees up; keep that wait short of
    // ack_wait, or they are redelivered elsewhere while still queued here.
    // But never below 100: pull batches of 10-50 were measured to stall a stage for ~35 s now
    // and then (MEASURED.md, nats-server #6290); 100+ with heartbeats never did.
    let prefetch = options
        .batch
        .min(options.concurrency * 32)
        .max(options.batch.min(100))
        .max(1);
    tracing::info!(
        stage = options.stage.as_str(),
        concurrency = options.concurrency,
        prefetch,
        "stage worker started"
    );
    'pulling: while !cancel.is_cancelled() {
        let stream = consumer
            .stream()
            .max_messages_per_batch(prefetch)
            .expires(options.expires)
            .heartbeat(options.expires / 2)
            .messages()
            .await;
        let mut messages = match stream {
            Ok(messages) => messages,
            Err(err) => {
                tracing::warn!(stage = options.stage.as_str(), error = %err, "pull failed, retrying");
                tokio::select! {
                    _ = cancel.cancelled() => break 'pulling,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue 'pulling,
                }
            }
        };
        let mut errors_in_row = 0u32;
        loop {
            // A slot among the messages in hand (handled, or waiting for their onward
            // publish ack), then a slot to run the handler.
            let pending = tokio::select! {
                _ = cancel.cancelled() => break 'pulling,
                permit = in_hand.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break 'pulling,
                },
            };
            let permit = tokio::select! {
                _ = cancel.cancelled() => break 'pulling,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break 'pulling,
                },
            };
            let next = tokio::select! {
                _ = cancel.cancelled() => break 'pulling,
                next = messages.next() => next,
            };
            match next {
                Some(Ok(message)) => {
                    errors_in_row = 0;
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        for (stage, stats) in &shared.stats {
                            stats.in_flight.fetch_add(1, Ordering::Relaxed);
                            metrics::gauge!("newsflow_stage_in_flight", "stage" => stage.as_str())
                                .increment(1.0);
                        }
                        shared.process(message, permit).await;
                        for (stage, stats) in &shared.stats {
                            stats.in_flight.fetch_sub(1, Ordering::Relaxed);
                            metrics::gauge!("newsflow_stage_in_flight", "stage" => stage.as_str())
                                .decrement(1.0);
                        }
                        drop(pending);
                    });
                }
                Some(Err(err)) => {
                    errors_in_row += 1;
                    tracing::debug!(stage = options.stage.as_str(), error = %err, "pull stream error");
                    if errors_in_row > 3 {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue 'pulling;
                    }
                }
                None => continue 'pulling,
            }
        }
    }
    // Wait for the messages in hand: each ends acked, nak'ed or as an error record.
    let _ = in_hand.acquire_many(in_hand_limit as u32).await;
    let _ = permits.acquire_many(options.concurrency as u32).await;
    tracing::info!(stage = options.stage.as_str(), "stage worker stopped");
    Ok(())
}

struct Shared<H> {
    js: jetstream::Context,
    subjects: Subjects,
    options: RunnerOptions,
    handler: Arc<H>,
    /// The counters of the stages the handler runs, the consumer's first (never empty).
    stats: Vec<(Stage, Arc<StageStats>)>,
}

impl<H: Handler> Shared<H> {
    /// Handles one message; `slot` (a handler slot) is released as soon as the handler is done,
    /// before the onward publish is acknowledged.
    async fn process(&self, message: jetstream::Message, slot: OwnedSemaphorePermit) {
        let delivered = message.info().map(|info| info.delivered).unwrap_or(1);
        let header_map = message.headers.clone().unwrap_or_default();
        let id = header_map
            .get(headers::ID)
            .map(|value| value.to_string())
            .unwrap_or_default();
        let source = header_map
            .get(headers::SOURCE)
            .map(|value| headers::decode(value.as_str()))
            .unwrap_or_default();
        let version = header_map
            .get(headers::VERSION)
            .and_then(|value| value.as_str().parse::<u32>().ok())
            .unwrap_or(1);
        let stage = self.options.stage;
        if delivered > self.options.max_deliver * CRASH_FACTOR {
            // Delivered many times and never finished: every attempt died mid-way (a poison
            // article that crashes or hangs workers). Give up with a record instead of looping.
            let mut record = ErrorRecord::new(
                &id,
                &source,
                stage,
                "retries_exhausted",
                format!(
                    "no worker finished this article in {} deliveries",
                    delivered - 1
                ),
            );
            record.attempts = (delivered - 1) as u32;
            record.version = version;
            self.give_up(&message, record).await;
            return;
        }
        let dropped_ns = header_map
            .get(headers::DROPPED_NS)
            .and_then(|value| value.as_str().parse::<u128>().ok());
        let started = Instant::now();
        let delivery = Delivery {
            subject: message.subject.to_string(),
            headers: header_map,
            payload: message.payload.clone(),
            delivered,
        };
        // Tell the server the work is alive while it runs, so a slow article is not redelivered
        // to another worker while this one is still on it.
        let outcome = {
            let handle = self.handler.handle(delivery);
            tokio::pin!(handle);
            let mut progress = tokio::time::interval(self.options.ack_wait / 2);
            progress.tick().await;
            loop {
                tokio::select! {
                    outcome = &mut handle => break outcome,
                    _ = progress.tick() => {
                        let _ = message.ack_with(AckKind::Progress).await;
                    }
                }
            }
        };
        drop(slot);
        match outcome {
            Ok(Outcome::Forward(forward)) => match self.publish(forward).await {
                Ok(()) => {
                    if let Err(err) = message.ack().await {
                        // The output is stored; a redelivery republishes the same id, deduped.
                        tracing::warn!(stage = stage.as_str(), article_id = %id, error = %err, "ack failed");
                    }
                    // Several stages in one handler: the time is the consumer stage's (all of
                    // them), and each stage is done when the last one's output is stored.
                    metrics::histogram!("newsflow_stage_seconds", "stage" => stage.as_str())
                        .record(started.elapsed().as_secs_f64());
                    let since_drop = dropped_ns.and_then(seconds_since);
                    for (done_stage, stats) in &self.stats {
                        stats.done.fetch_add(1, Ordering::Relaxed);
                        self.count(*done_stage, "done");
                        if let Some(since_drop) = since_drop {
                            metrics::histogram!("newsflow_drop_to_stage_seconds", "stage" => done_stage.as_str())
                                .record(since_drop);
                        }
                    }
                }
                Err(PublishFailure::TooLarge(message_text)) => {
                    // Never fits, however often it is tried: an error record at once.
                    let mut record =
                        ErrorRecord::new(&id, &source, stage, "too_large", message_text);
                    record.attempts = delivered as u32;
                    record.version = version;
                    self.give_up(&message, record).await;
                }
                Err(PublishFailure::Broker(err)) => {
                    let transient = Transient::broker("publish_failed", err);
                    self.retry_or_give_up(&message, (&id, &source, version), delivered, transient)
                        .await;
                }
            },
            Ok(Outcome::Reject(mut record)) => {
                record.attempts = delivered as u32;
                record.version = version;
                if publish_error(&self.js, &self.subjects, &record)
                    .await
                    .is_ok()
                {
                    let _ = message.ack_with(AckKind::Term).await;
                    if let Some(stats) = self.stats_of(record.error.stage) {
                        stats.rejected.fetch_add(1, Ordering::Relaxed);
                    }
                    self.count(record.error.stage, "rejected");
                    tracing::debug!(stage = stage.as_str(), article_id = %id, kind = %record.error.kind, "article rejected");
                } else {
                    self.nak(&message, record.error.stage, delivered).await;
                }
            }
            Err(transient) => {
                self.retry_or_give_up(&message, (&id, &source, version), delivered, transient)
                    .await;
            }
        }
    }

    async fn publish(&self, forward: Forward) -> Result<(), PublishFailure> {
        let bytes = forward.payload.len();
        let subject = forward.subject;
        let message = PublishMessage::build()
            .payload(forward.payload)
            .headers(forward.headers)
            .message_id(forward.message_id);
        self.js
            .send_publish(subject.clone(), message)
            .await
            .map_err(|err| match err.kind() {
                jetstream::context::PublishErrorKind::MaxPayloadExceeded => {
                    PublishFailure::TooLarge(format!(
                        "the output for {subject} is {bytes} bytes, over the server's max \
                         payload of {} bytes (nats max_payload)",
                        self.js.client().server_info().max_payload
                    ))
                }
                _ => PublishFailure::Broker(err.to_string()),
            })?
            .await
            .map_err(|err| PublishFailure::Broker(err.to_string()))?;
        Ok(())
    }

    async fn retry_or_give_up(
        &self,
        message: &jetstream::Message,
        (id, source, version): (&str, &str, u32),
        delivered: i64,
        transient: Transient,
    ) {
        let stage = transient.stage.unwrap_or(self.options.stage);
        let allowed = if transient.broker {
            self.options.max_deliver * CRASH_FACTOR
        } else {
            self.options.max_deliver
        };
        if delivered >= allowed {
            let mut record = ErrorRecord::new(id, source, stage, transient.kind, transient.message);
            record.attempts = delivered as u32;
            record.version = version;
            self.give_up(message, record).await;
        } else {
            tracing::debug!(stage = stage.as_str(), article_id = %id, delivered, error = %transient, "stage failed, will retry");
            self.nak(message, stage, delivered).await;
        }
    }

    async fn give_up(&self, message: &jetstream::Message, record: ErrorRecord) {
        let stage = record.error.stage;
        match publish_error(&self.js, &self.subjects, &record).await {
            Ok(()) => {
                let _ = message.ack_with(AckKind::Term).await;
                if let Some(stats) = self.stats_of(stage) {
                    stats.dead.fetch_add(1, Ordering::Relaxed);
                }
                self.count(stage, "dead");
                tracing::warn!(stage = stage.as_str(), article_id = %record.id, kind = %record.error.kind, "article dead-lettered");
            }
            Err(err) => {
                tracing::warn!(stage = stage.as_str(), article_id = %record.id, error = %err, "error record publish failed");
                let delivered = i64::from(record.attempts);
                self.nak(message, stage, delivered).await;
            }
        }
    }

    async fn nak(&self, message: &jetstream::Message, stage: Stage, delivered: i64) {
        let exponent = (delivered.max(1) - 1).min(6) as u32;
        let delay = (self.options.backoff * 2u32.pow(exponent)).min(Duration::from_secs(30));
        let _ = message.ack_with(AckKind::Nak(Some(delay))).await;
        if let Some(stats) = self.stats_of(stage) {
            stats.retried.fetch_add(1, Ordering::Relaxed);
        }
        self.count(stage, "retried");
    }

    /// The counters of `stage`, or of the consumer's stage when the handler does not run it.
    fn stats_of(&self, stage: Stage) -> Option<&StageStats> {
        self.stats
            .iter()
            .find(|(covered, _)| *covered == stage)
            .or(self.stats.first())
            .map(|(_, stats)| stats.as_ref())
    }

    fn count(&self, stage: Stage, outcome: &'static str) {
        metrics::counter!(
            "newsflow_stage_messages_total",
            "stage" => stage.as_str(),
            "outcome" => outcome
        )
        .increment(1);
    }
}

/// Seconds from a Unix time in nanoseconds until now (None if it lies in the future).
fn seconds_since(unix_ns: u128) -> Option<f64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    now.checked_sub(unix_ns).map(|ns| ns as f64 / 1e9)
}

/// Copies the headers that travel with an article from stage to stage.
pub fn carry_headers(from: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in [
        headers::ID,
        headers::SOURCE,
        headers::FORMAT,
        headers::RECEIVED_AT,
        headers::DROPPED_NS,
        headers::VERSION,
    ] {
        if let Some(value) = from.get(name) {
            out.insert(name, value.as_str());
        }
    }
    out
}
