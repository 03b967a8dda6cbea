//! What a running newsflow shows about itself: the latest results, errors and story clusters
//! (followed from the streams), per-stage consumer state (polled), and this process's own
//! counters. Feeds the dashboard, `/metrics` gauges and the live progress line.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer};
use futures::StreamExt;
use newsflow_bus::runner::StageStats;
use newsflow_bus::Subjects;
use newsflow_model::Stage;
use newsflow_watch::WatchStats;
use serde::Serialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// The counters of the parts running in this process.
#[derive(Default)]
pub struct LocalStats {
    pub watch: Option<Arc<WatchStats>>,
    pub clean: Arc<StageStats>,
    pub classify: Arc<StageStats>,
    pub extract: Arc<StageStats>,
}

impl LocalStats {
    pub fn stage(&self, stage: Stage) -> Option<&Arc<StageStats>> {
        match stage {
            Stage::Clean => Some(&self.clean),
            Stage::Classify => Some(&self.classify),
            Stage::Extract => Some(&self.extract),
            Stage::Watch => None,
        }
    }
}

/// A finished record as the dashboard lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    pub id: String,
    pub source: String,
    pub title: Option<String>,
    pub topic: Option<String>,
    pub topic_score: Option<f64>,
    pub language: Option<String>,
    pub published: Option<String>,
    pub outlet: Option<String>,
    pub byline: Option<String>,
    pub entities: Vec<EntityView>,
    pub quotes: Vec<QuoteView>,
    pub keywords: Vec<String>,
    pub summary: Option<String>,
    pub story_id: Option<String>,
    pub version: u64,
    pub received_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    pub text: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuoteView {
    pub text: String,
    pub speaker: Option<String>,
}

/// An error record as the dashboard lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorView {
    pub id: String,
    pub source: String,
    pub stage: String,
    pub kind: String,
    pub message: String,
    pub attempts: u64,
}

/// One stage's state: this process's counters and the shared consumer's (all workers).
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageView {
    pub stage: String,
    /// Done / rejected / dead-lettered / retried by this process.
    pub done: u64,
    pub rejected: u64,
    pub failed: u64,
    pub retried: u64,
    pub in_flight: u64,
    /// The shared consumer: waiting for any worker, delivered and unacked, redelivered.
    pub pending: Option<u64>,
    pub ack_pending: Option<u64>,
    pub redelivered: Option<u64>,
    pub waiting_pulls: Option<u64>,
    /// Error records of this stage in the errors stream (all workers).
    pub errors: Option<u64>,
    /// Outputs per second by this process over the last poll interval.
    pub rate: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct WatchView {
    pub published: u64,
    pub rejected: u64,
    /// Files whose bytes another file already published.
    pub duplicates: u64,
    /// Files published before (a restart, another watcher, a lost local state).
    pub already_published: u64,
    /// Files left for later because modified too recently or still open (counted once each).
    pub too_young: u64,
    /// Files deleted or moved to done/ or rejected/ after their publish ack.
    pub removed: u64,
    /// Files in the watcher's local state, and its size on disk.
    pub state_files: u64,
    pub state_bytes: u64,
    pub errors: Option<u64>,
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoryView {
    pub story_id: String,
    pub articles: Vec<StoryMember>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoryMember {
    pub id: String,
    pub title: Option<String>,
}

/// `# HELP` lines of the watcher's metrics.
fn describe_watch_metrics() {
    metrics::describe_gauge!(
        "newsflow_watch_files",
        "files the watcher decided on, by outcome: published, rejected, duplicate (same bytes as \
         an earlier file), already_published (published before), too_young (left for later)"
    );
    metrics::describe_gauge!(
        "newsflow_watch_removed_files",
        "files deleted or moved to done/ or rejected/ after their publish ack"
    );
    metrics::describe_gauge!(
        "newsflow_watch_dedup_failures",
        "dedup store lookups or records that failed (the file was published anyway)"
    );
    metrics::describe_gauge!(
        "newsflow_watch_state_files",
        "files in the watcher's local state (dealt with and still in the inbox)"
    );
    metrics::describe_gauge!(
        "newsflow_watch_state_bytes",
        "bytes of the watcher's local state log on disk"
    );
}

/// Everything `/api/state` returns.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub nats_connected: bool,
    pub uptime_secs: u64,
    pub watch: Option<WatchView>,
    pub stages: Vec<StageView>,
    /// Records in the results and errors streams.
    pub results_stored: Option<u64>,
    pub errors_stored: Option<u64>,
    pub results: Vec<ResultView>,
    pub errors: Vec<ErrorView>,
    pub stories: Vec<StoryView>,
}

#[derive(Default)]
struct Polled {
    stages: HashMap<Stage, ConsumerState>,
    error_counts: HashMap<Stage, u64>,
    results_stored: Option<u64>,
    errors_stored: Option<u64>,
    rates: HashMap<Stage, f64>,
    watch_rate: f64,
}

#[derive(Clone, Copy, Default)]
struct ConsumerState {
    pending: u64,
    ack_pending: u64,
    redelivered: u64,
    waiting: u64,
}

#[derive(Default)]
struct Recent {
    results: VecDeque<ResultView>,
    errors: VecDeque<ErrorView>,
}

/// Shared state behind the dashboard and the metrics.
pub struct Observer {
    local: Arc<LocalStats>,
    recent_max: usize,
    started: Instant,
    recent: Mutex<Recent>,
    polled: Mutex<Polled>,
    client: Mutex<Option<async_nats::Client>>,
}

impl Observer {
    pub fn new(local: Arc<LocalStats>, recent_max: usize) -> Arc<Observer> {
        Arc::new(Observer {
            local,
            recent_max: recent_max.max(1),
            started: Instant::now(),
            recent: Mutex::new(Recent::default()),
            polled: Mutex::new(Polled::default()),
            client: Mutex::new(None),
        })
    }

    pub fn local(&self) -> &LocalStats {
        &self.local
    }

    /// True while the NATS connection is up (what `/readyz` answers).
    pub fn nats_connected(&self) -> bool {
        lock(&self.client).as_ref().is_some_and(|client| {
            client.connection_state() == async_nats::connection::State::Connected
        })
    }

    /// Adds a result record (a newer version of an id replaces the older one).
    pub fn add_result(&self, payload: &[u8]) {
        let Ok(value) = serde_json::from_slice::<Value>(payload) else {
            return;
        };
        let view = result_view(&value);
        let mut recent = lock(&self.recent);
        if let Some(position) = recent.results.iter().position(|r| r.id == view.id) {
            if recent.results[position].version > view.version {
                return;
            }
            recent.results.remove(position);
        }
        recent.results.push_front(view);
        recent.results.truncate(self.recent_max);
    }

    pub fn add_error(&self, payload: &[u8]) {
        let Ok(value) = serde_json::from_slice::<Value>(payload) else {
            return;
        };
        let error = value.get("error").cloned().unwrap_or(Value::Null);
        let view = ErrorView {
            id: text(&value, "id").unwrap_or_default(),
            source: text(&value, "source").unwrap_or_default(),
            stage: text(&error, "stage").unwrap_or_default(),
            kind: text(&error, "kind").unwrap_or_default(),
            message: text(&error, "message").unwrap_or_default(),
            attempts: value.get("attempts").and_then(Value::as_u64).unwrap_or(0),
        };
        let mut recent = lock(&self.recent);
        recent.errors.push_front(view);
        recent.errors.truncate(self.recent_max);
    }

    pub fn snapshot(&self) -> Snapshot {
        let polled = lock(&self.polled);
        let stages = [Stage::Clean, Stage::Classify, Stage::Extract]
            .into_iter()
            .map(|stage| {
                let local = self.local.stage(stage).cloned().unwrap_or_default();
                let consumer = polled.stages.get(&stage).copied();
                StageView {
                    stage: stage.as_str().to_string(),
                    done: local.done.load(Ordering::Relaxed),
                    rejected: local.rejected.load(Ordering::Relaxed),
                    failed: local.dead.load(Ordering::Relaxed),
                    retried: local.retried.load(Ordering::Relaxed),
                    in_flight: local.in_flight.load(Ordering::Relaxed),
                    pending: consumer.map(|c| c.pending),
                    ack_pending: consumer.map(|c| c.ack_pending),
                    redelivered: consumer.map(|c| c.redelivered),
                    waiting_pulls: consumer.map(|c| c.waiting),
                    errors: polled.error_counts.get(&stage).copied(),
                    rate: polled.rates.get(&stage).copied().unwrap_or(0.0),
                }
            })
            .collect();
        let watch = self.local.watch.as_ref().map(|watch| WatchView {
            published: watch.published.load(Ordering::Relaxed),
            rejected: watch.rejected.load(Ordering::Relaxed),
            duplicates: watch.duplicates.load(Ordering::Relaxed),
            already_published: watch.already_published.load(Ordering::Relaxed),
            too_young: watch.too_young.load(Ordering::Relaxed),
            removed: watch.removed.load(Ordering::Relaxed),
            state_files: watch.state_files.load(Ordering::Relaxed),
            state_bytes: watch.state_bytes.load(Ordering::Relaxed),
            errors: polled.error_counts.get(&Stage::Watch).copied(),
            rate: polled.watch_rate,
        });
        let recent = lock(&self.recent);
        let results: Vec<ResultView> = recent.results.iter().cloned().collect();
        let mut groups: BTreeMap<String, Vec<StoryMember>> = BTreeMap::new();
        for result in &results {
            if let Some(story) = &result.story_id {
                groups.entry(story.clone()).or_default().push(StoryMember {
                    id: result.id.clone(),
                    title: result.title.clone(),
                });
            }
        }
        let stories = groups
            .into_iter()
            .filter(|(_, members)| members.len() > 1)
            .map(|(story_id, articles)| StoryView { story_id, articles })
            .collect();
        Snapshot {
            nats_connected: self.nats_connected(),
            uptime_secs: self.started.elapsed().as_secs(),
            watch,
            stages,
            results_stored: polled.results_stored,
            errors_stored: polled.errors_stored,
            results,
            errors: recent.errors.iter().cloned().collect(),
            stories,
        }
    }

    /// Follows the results and errors streams (from the latest `recent` records on) and polls
    /// the stage consumers every `every`, until cancelled.
    pub fn spawn(
        self: &Arc<Observer>,
        js: jetstream::Context,
        subjects: Subjects,
        every: Duration,
        cancel: CancellationToken,
    ) {
        *lock(&self.client) = Some(js.client());
        for errors in [false, true] {
            let observer = self.clone();
            let js = js.clone();
            let subjects = subjects.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move {
                loop {
                    if let Err(err) = observer.follow(&js, &subjects, errors, &cancel).await {
                        tracing::debug!(error = %err, "dashboard feed interrupted, resuming");
                    }
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            });
        }
        let observer = self.clone();
        tokio::spawn(async move {
            let mut last: HashMap<Stage, u64> = HashMap::new();
            let mut last_watch = 0u64;
            let mut last_at = Instant::now();
            loop {
                observer.poll(&js, &subjects).await;
                let elapsed = last_at.elapsed().as_secs_f64().max(1e-3);
                last_at = Instant::now();
                {
                    let mut polled = lock(&observer.polled);
                    for stage in [Stage::Clean, Stage::Classify, Stage::Extract] {
                        let done = observer
                            .local
                            .stage(stage)
                            .map(|s| s.done.load(Ordering::Relaxed))
                            .unwrap_or(0);
                        let before = last.insert(stage, done).unwrap_or(done);
                        polled
                            .rates
                            .insert(stage, done.saturating_sub(before) as f64 / elapsed);
                    }
                    if let Some(watch) = &observer.local.watch {
                        // Each round: the recorder may be installed after this task starts.
                        describe_watch_metrics();
                        let published = watch.published.load(Ordering::Relaxed);
                        polled.watch_rate = published.saturating_sub(last_watch) as f64 / elapsed;
                        last_watch = published;
                        metrics::gauge!("newsflow_watch_files", "outcome" => "published")
                            .set(published as f64);
                        metrics::gauge!("newsflow_watch_files", "outcome" => "rejected")
                            .set(watch.rejected.load(Ordering::Relaxed) as f64);
                        metrics::gauge!("newsflow_watch_files", "outcome" => "duplicate")
                            .set(watch.duplicates.load(Ordering::Relaxed) as f64);
                        metrics::gauge!("newsflow_watch_files", "outcome" => "already_published")
                            .set(watch.already_published.load(Ordering::Relaxed) as f64);
                        metrics::gauge!("newsflow_watch_files", "outcome" => "too_young")
                            .set(watch.too_young.load(Ordering::Relaxed) as f64);
                        metrics::gauge!("newsflow_watch_removed_files")
                            .set(watch.removed.load(Ordering::Relaxed) as f64);
                        metrics::gauge!("newsflow_watch_dedup_failures")
                            .set(watch.dedup_failures.load(Ordering::Relaxed) as f64);
                        metrics::gauge!("newsflow_watch_state_files")
                            .set(watch.state_files.load(Ordering::Relaxed) as f64);
                        metrics::gauge!("newsflow_watch_state_bytes")
                            .set(watch.state_bytes.load(Ordering::Relaxed) as f64);
                    }
                }
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(every) => {}
                }
            }
        });
    }

    async fn follow(
        &self,
        js: &jetstream::Context,
        subjects: &Subjects,
        errors: bool,
        cancel: &CancellationToken,
    ) -> anyhow::Result<()> {
        let name = if errors {
            subjects.errors_stream()
        } else {
            subjects.results_stream()
        };
        let mut stream = js.get_stream(&name).await?;
        let last = stream.info().await?.state.last_sequence;
        let start = last.saturating_sub(self.recent_max as u64 - 1).max(1);
        let consumer = stream
            .create_consumer(consumer::pull::OrderedConfig {
                deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: start,
                },
                ..Default::default()
            })
            .await?;
        let mut messages = consumer.messages().await?;
        loop {
            let next = tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                next = messages.next() => next,
            };
            let Some(message) = next else {
                return Ok(());
            };
            let message = message?;
            if errors {
                self.add_error(&message.payload);
            } else {
                self.add_result(&message.payload);
            }
        }
    }

    async fn poll(&self, js: &jetstream::Context, subjects: &Subjects) {
        let mut stages = HashMap::new();
        if let Ok(stream) = js.get_stream(subjects.articles_stream()).await {
            for stage in [Stage::Clean, Stage::Classify, Stage::Extract] {
                let Ok(info) = stream.consumer_info(subjects.durable(stage)).await else {
                    continue;
                };
                let state = ConsumerState {
                    pending: info.num_pending,
                    ack_pending: info.num_ack_pending as u64,
                    redelivered: info.num_redelivered as u64,
                    waiting: info.num_waiting as u64,
                };
                let label = stage.as_str();
                metrics::gauge!("newsflow_consumer_pending", "stage" => label)
                    .set(state.pending as f64);
                metrics::gauge!("newsflow_consumer_ack_pending", "stage" => label)
                    .set(state.ack_pending as f64);
                metrics::gauge!("newsflow_consumer_redelivered", "stage" => label)
                    .set(state.redelivered as f64);
                stages.insert(stage, state);
            }
        }
        let mut error_counts = HashMap::new();
        let mut errors_stored = None;
        if let Ok(mut stream) = js.get_stream(subjects.errors_stream()).await {
            if let Ok(info) = stream.info().await {
                errors_stored = Some(info.state.messages);
            }
            for stage in [Stage::Watch, Stage::Clean, Stage::Classify, Stage::Extract] {
                let Ok(mut counts) = stream.info_with_subjects(subjects.error(stage)).await else {
                    continue;
                };
                let mut count = 0u64;
                while let Some(Ok((_, n))) = counts.next().await {
                    count += n as u64;
                }
                metrics::gauge!("newsflow_error_records", "stage" => stage.as_str())
                    .set(count as f64);
                error_counts.insert(stage, count);
            }
        }
        let mut results_stored = None;
        if let Ok(mut stream) = js.get_stream(subjects.results_stream()).await {
            if let Ok(info) = stream.info().await {
                results_stored = Some(info.state.messages);
                metrics::gauge!("newsflow_results_stored").set(info.state.messages as f64);
            }
        }
        let mut polled = lock(&self.polled);
        if !stages.is_empty() {
            polled.stages = stages;
        }
        if !error_counts.is_empty() {
            polled.error_counts = error_counts;
        }
        polled.results_stored = results_stored.or(polled.results_stored);
        polled.errors_stored = errors_stored.or(polled.errors_stored);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn result_view(value: &Value) -> ResultView {
    let topic = value.get("topic").cloned().unwrap_or(Value::Null);
    let entities = value
        .get("entities")
        .and_then(Value::as_array)
        .map(|entities| {
            entities
                .iter()
                .take(10)
                .map(|entity| EntityView {
                    text: text(entity, "text").unwrap_or_default(),
                    kind: text(entity, "type").unwrap_or_default(),
                    count: entity.get("count").and_then(Value::as_u64).unwrap_or(1),
                })
                .collect()
        })
        .unwrap_or_default();
    let quotes = value
        .get("quotes")
        .and_then(Value::as_array)
        .map(|quotes| {
            quotes
                .iter()
                .take(3)
                .map(|quote| QuoteView {
                    text: text(quote, "text").unwrap_or_default(),
                    speaker: text(quote, "speaker"),
                })
                .collect()
        })
        .unwrap_or_default();
    let keywords = value
        .get("keywords")
        .and_then(Value::as_array)
        .map(|keywords| {
            keywords
                .iter()
                .filter_map(Value::as_str)
                .take(8)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    ResultView {
        id: text(value, "id").unwrap_or_default(),
        source: text(value, "source").unwrap_or_default(),
        title: text(value, "title"),
        topic: text(&topic, "label"),
        topic_score: topic.get("score").and_then(Value::as_f64),
        language: text(value, "language"),
        published: text(value, "published"),
        outlet: text(value, "outlet"),
        byline: text(value, "byline"),
        entities,
        quotes,
        keywords,
        summary: text(value, "summary"),
        story_id: text(value, "story_id"),
        version: value.get("version").and_then(Value::as_u64).unwrap_or(1),
        received_at: text(value, "received_at"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, version: u64, story: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "id": id, "source": format!("{id}.txt"), "title": format!("title {id} v{version}"),
            "topic": {"label": "World", "score": 0.9}, "version": version, "story_id": story,
            "entities": [{"text": "Kim Jong Un", "type": "PER", "count": 3}],
            "quotes": [{"text": "We will", "speaker": "Kim Jong Un"}],
        }))
        .unwrap()
    }

    #[test]
    fn newer_versions_replace_older_and_stories_group() {
        let observer = Observer::new(Arc::new(LocalStats::default()), 3);
        observer.add_result(&record("a", 1, "s1"));
        observer.add_result(&record("b", 1, "s1"));
        observer.add_result(&record("a", 2, "s1"));
        observer.add_result(&record("a", 1, "s1"));
        observer.add_result(b"not json");
        let snapshot = observer.snapshot();
        let titles: Vec<_> = snapshot
            .results
            .iter()
            .map(|r| r.title.clone().unwrap())
            .collect();
        assert_eq!(titles, ["title a v2", "title b v1"]);
        assert_eq!(snapshot.stories.len(), 1);
        assert_eq!(snapshot.stories[0].articles.len(), 2);
        assert_eq!(snapshot.results[0].entities[0].kind, "PER");
        observer.add_result(&record("c", 1, "s2"));
        observer.add_result(&record("d", 1, "s3"));
        assert_eq!(observer.snapshot().results.len(), 3, "bounded by recent");
    }

    #[test]
    fn errors_are_listed_newest_first() {
        let observer = Observer::new(Arc::new(LocalStats::default()), 10);
        for id in ["x", "y"] {
            observer.add_error(
                serde_json::to_string(&serde_json::json!({
                    "id": id, "source": "bad.html", "attempts": 1,
                    "error": {"stage": "clean", "kind": "binary", "message": "looks binary"}
                }))
                .unwrap()
                .as_bytes(),
            );
        }
        let snapshot = observer.snapshot();
        assert_eq!(snapshot.errors[0].id, "y");
        assert_eq!(snapshot.errors[1].kind, "binary");
    }
}
