//! What a running newsflow shows about itself: the latest results, errors and story clusters
//! (followed from the streams), per-stage consumer state and every watcher's shared counters
//! (polled), and this process's own counters with their rates. Feeds the dashboard (its state,
//! pushed as server-sent events), `/metrics` gauges and the live progress.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use newsflow_bus::runner::StageStats;
use newsflow_bus::{Bus, ReadFrom};
use newsflow_model::{ErrorRecord, Record, Stage};
use newsflow_watch::WatchStats;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

const STAGES: [Stage; 3] = [Stage::Clean, Stage::Classify, Stage::Extract];

/// Characters of a result's body the state lists (the whole record is at `/api/records/ID`).
pub const BODY_EXCERPT_CHARS: usize = 280;

/// Rates per second are measured over this much of the recent past.
pub const RATE_WINDOW: Duration = Duration::from_secs(10);

/// How often this process's counters are sampled for the rates.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

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

    /// What this process has finished so far.
    fn finished(&self) -> Finished {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut stages = [0u64; 3];
        for (slot, stage) in stages.iter_mut().zip(STAGES) {
            if let Some(stats) = self.stage(stage) {
                *slot = load(&stats.done) + load(&stats.rejected) + load(&stats.dead);
            }
        }
        Finished {
            files: self.watch.as_ref().map_or(0, |watch| watch_files(watch)),
            stages,
        }
    }
}

/// Files a watcher decided on: published, rejected, or skipped as published before.
fn watch_files(watch: &WatchStats) -> u64 {
    let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
    load(&watch.published)
        + load(&watch.rejected)
        + load(&watch.duplicates)
        + load(&watch.already_published)
}

/// What this process finished so far: files its watcher decided on, articles each stage
/// finished (done, rejected or dead-lettered), in [`STAGES`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Finished {
    files: u64,
    stages: [u64; 3],
}

/// This process's counters sampled every [`SAMPLE_EVERY`], to give rates over the last
/// [`RATE_WINDOW`] (a rate over one poll interval reads 0.0 between bursts and in most views).
#[derive(Default)]
struct RateWindow {
    samples: VecDeque<(Instant, Finished)>,
}

/// Rates per second: the watcher's files, then each stage in [`STAGES`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Rates {
    files: f64,
    stages: [f64; 3],
}

impl RateWindow {
    fn sample(&mut self, at: Instant, finished: Finished) {
        self.samples.push_back((at, finished));
        while let Some((first, _)) = self.samples.front() {
            if at.duration_since(*first) <= RATE_WINDOW {
                break;
            }
            self.samples.pop_front();
        }
    }

    /// Rates from the oldest sample in the window to `finished` at `now`.
    fn rates(&self, now: Instant, finished: Finished) -> Rates {
        let Some((since, then)) = self.samples.front() else {
            return Rates::default();
        };
        let seconds = now.duration_since(*since).as_secs_f64();
        if seconds < 0.5 {
            return Rates::default();
        }
        let per_second = |now: u64, then: u64| now.saturating_sub(then) as f64 / seconds;
        let mut stages = [0.0; 3];
        for (index, rate) in stages.iter_mut().enumerate() {
            *rate = per_second(finished.stages[index], then.stages[index]);
        }
        Rates {
            files: per_second(finished.files, then.files),
            stages,
        }
    }
}

/// A finished record as the dashboard lists it: the record itself, with the fields of
/// [`Record`], its body cut to its first [`BODY_EXCERPT_CHARS`] characters.
#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    #[serde(flatten)]
    pub record: Record,
    /// Characters in the whole body.
    pub body_chars: usize,
}

impl ResultView {
    fn of(record: &Record) -> ResultView {
        let body_chars = record.body.chars().count();
        let mut listed = record.clone();
        if body_chars > BODY_EXCERPT_CHARS {
            listed.body = record.body.chars().take(BODY_EXCERPT_CHARS).collect();
            listed.body.push('…');
        }
        ResultView {
            record: listed,
            body_chars,
        }
    }
}

/// Which results to list: by topic (the primary label or another model's or rule's), language
/// and entity (part of an entity's name), all ignoring case; empty or absent means any.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResultFilter {
    pub topic: Option<String>,
    pub language: Option<String>,
    pub entity: Option<String>,
}

impl ResultFilter {
    pub fn matches(&self, record: &Record) -> bool {
        let wanted = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_lowercase)
        };
        if let Some(topic) = wanted(&self.topic) {
            let mut labels = record
                .topic
                .iter()
                .map(|topic| topic.label.as_str())
                .chain(record.topics.iter().map(|topic| topic.label.as_str()));
            if !labels.any(|label| label.to_lowercase() == topic) {
                return false;
            }
        }
        if let Some(language) = wanted(&self.language) {
            if record.language.as_deref().map(str::to_lowercase) != Some(language) {
                return false;
            }
        }
        if let Some(entity) = wanted(&self.entity) {
            let found = record
                .entities
                .iter()
                .flatten()
                .any(|candidate| candidate.text.to_lowercase().contains(&entity));
            if !found {
                return false;
            }
        }
        true
    }
}

/// A watcher's counters as every running watcher shares them in the `<prefix>_watch_stats`
/// bucket (for `newsflow status` and the dashboard).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WatcherReport {
    pub host: String,
    pub pid: u32,
    pub inbox: String,
    /// Files looked at (read and decided on).
    pub seen: u64,
    pub published: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub already_published: u64,
    pub too_young: u64,
    pub removed: u64,
    pub state_files: u64,
    /// Records of bulk files (WARC, JSON Lines, archives): published, skipped on purpose
    /// (revisit, not HTML, ...), failed (error records).
    pub bulk_published: u64,
    pub bulk_skipped: u64,
    pub bulk_failed: u64,
    /// Bulk files being read now, with their progress.
    pub bulk_files: Vec<BulkFileView>,
    /// Whether the watcher waits for the pipeline's backlog (`watch.max_backlog`).
    pub pace: PaceView,
    /// RFC 3339, UTC.
    pub reported_at: String,
    /// The last report of a watcher that stopped.
    pub stopped: bool,
}

impl WatcherReport {
    pub fn of(stats: &WatchStats, host: &str, pid: u32, inbox: &str, stopped: bool) -> Self {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        WatcherReport {
            host: host.to_string(),
            pid,
            inbox: inbox.to_string(),
            seen: load(&stats.seen),
            published: load(&stats.published),
            rejected: load(&stats.rejected),
            duplicates: load(&stats.duplicates),
            already_published: load(&stats.already_published),
            too_young: load(&stats.too_young),
            removed: load(&stats.removed),
            state_files: load(&stats.state_files),
            bulk_published: load(&stats.bulk.records_published)
                + load(&stats.bulk.records_already_published),
            bulk_skipped: load(&stats.bulk.records_skipped),
            bulk_failed: load(&stats.bulk.records_failed),
            bulk_files: BulkFileView::all(stats),
            pace: PaceView::of(stats),
            reported_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            stopped,
        }
    }
}

/// The watcher's pacing by the pipeline's backlog (`watch.max_backlog`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaceView {
    /// The limit; 0: not paced (by the stream's acks only).
    pub max_backlog: u64,
    /// Articles in the pipeline (pending + ack pending of the stage consumers) at the last look.
    pub backlog: u64,
    /// Articles waiting for room now: "paused: backlog".
    pub paused: bool,
    /// Seconds paused in total.
    pub paused_secs: f64,
}

impl PaceView {
    pub fn of(stats: &WatchStats) -> PaceView {
        let pace = &stats.pace;
        PaceView {
            max_backlog: pace.limit.load(Ordering::Relaxed),
            backlog: pace.backlog.load(Ordering::Relaxed),
            paused: pace.paused(),
            paused_secs: pace.paused_ms_total() as f64 / 1000.0,
        }
    }

    /// `paused: backlog 10012 of 10000 (paused 42 s in all)`, `backlog 120 of 10000`; empty
    /// when not paced.
    pub fn line(&self) -> String {
        if self.max_backlog == 0 {
            return String::new();
        }
        let paused = if self.paused { "paused: " } else { "" };
        let mut line = format!("{paused}backlog {} of {}", self.backlog, self.max_backlog);
        if self.paused_secs >= 1.0 {
            line.push_str(&format!(" (paused {:.0} s in all)", self.paused_secs));
        }
        line
    }
}

/// A bulk file being read: records published / skipped / failed, bytes read of total, ETA.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkFileView {
    pub source: String,
    pub format: String,
    pub published: u64,
    pub skipped: u64,
    pub failed: u64,
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub records_per_sec: f64,
    pub eta_secs: Option<f64>,
}

impl BulkFileView {
    pub fn all(stats: &WatchStats) -> Vec<BulkFileView> {
        stats
            .bulk
            .files()
            .into_iter()
            .map(|file| BulkFileView {
                source: file.source,
                format: file.format.to_string(),
                published: file.published,
                skipped: file.skipped,
                failed: file.failed,
                bytes_read: file.bytes_read,
                bytes_total: file.bytes_total,
                records_per_sec: file.records_per_sec,
                eta_secs: file.eta_secs,
            })
            .collect()
    }

    /// `crawl.warc.gz: 1200 published, 30 skipped, 1 failed, 120.0 of 980.0 MiB, ETA 55 s`
    pub fn line(&self) -> String {
        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        let eta = self
            .eta_secs
            .map(|secs| format!(", ETA {secs:.0} s"))
            .unwrap_or_default();
        format!(
            "{} ({}): {} published, {} skipped, {} failed, {:.1} of {:.1} MiB, {:.0} records/s{eta}",
            self.source,
            self.format,
            self.published,
            self.skipped,
            self.failed,
            mib(self.bytes_read),
            mib(self.bytes_total),
            self.records_per_sec
        )
    }
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
    /// The shared consumer at its last poll: waiting for any worker, delivered and unacked,
    /// redelivered.
    pub pending: Option<u64>,
    pub ack_pending: Option<u64>,
    pub redelivered: Option<u64>,
    pub waiting_pulls: Option<u64>,
    /// Articles still to finish now: the consumer's pending and unacked at its last poll, less
    /// what this process finished since.
    pub waiting: Option<u64>,
    /// Error records of this stage in the errors stream (all workers).
    pub errors: Option<u64>,
    /// Articles finished per second by this process over the last [`RATE_WINDOW`].
    pub rate: f64,
}

/// This process's watcher.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WatchView {
    /// Files looked at (read and decided on).
    pub seen: u64,
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
    /// Files decided on per second over the last [`RATE_WINDOW`].
    pub rate: f64,
    /// Records of bulk files published, skipped on purpose, failed.
    pub bulk_published: u64,
    pub bulk_skipped: u64,
    pub bulk_failed: u64,
    /// Bulk files being read now.
    pub bulk_files: Vec<BulkFileView>,
    /// Pacing by the pipeline's backlog: "paused: backlog".
    pub pace: PaceView,
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
        "newsflow_bulk_records",
        "records of bulk files (warc, jsonl, tar, zip) by format and outcome: published, \
         already_published, failed (error record), or the reason it is no article (revisit, \
         request, metadata, other_record, not_html, http_status, unsupported_member)"
    );
    metrics::describe_gauge!(
        "newsflow_bulk_files_done",
        "bulk files read to the end and acknowledged"
    );
    metrics::describe_gauge!("newsflow_bulk_files_reading", "bulk files being read now");
    metrics::describe_gauge!(
        "newsflow_watch_paused",
        "1 while the watcher waits for the pipeline's backlog to fall under watch.max_backlog"
    );
    metrics::describe_gauge!(
        "newsflow_watch_backlog",
        "articles in the pipeline (pending + ack pending of the stage consumers) at the \
         watcher's last look; 0 when not paced"
    );
    metrics::describe_gauge!(
        "newsflow_watch_max_backlog",
        "watch.max_backlog (0: not paced)"
    );
    metrics::describe_gauge!(
        "newsflow_watch_paused_seconds",
        "seconds the watcher waited for the backlog, in all"
    );
    metrics::describe_gauge!(
        "newsflow_watch_state_bytes",
        "bytes of the watcher's local state log on disk"
    );
}

/// The counters: this process's, the consumers', the watchers'.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub nats_connected: bool,
    pub uptime_secs: u64,
    /// This process's watcher.
    pub watch: Option<WatchView>,
    /// Every watcher that reported within the bucket's TTL (this process's too), as it reported.
    pub watchers: Vec<WatcherReport>,
    pub stages: Vec<StageView>,
    /// Records in the results and errors streams.
    pub results_stored: Option<u64>,
    pub errors_stored: Option<u64>,
}

/// Everything `/api/state` returns and `/api/events` pushes.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    #[serde(flatten)]
    pub status: Status,
    /// The latest results, newest first (one per id: its newest version).
    pub results: Vec<ResultView>,
    pub errors: Vec<ErrorRecord>,
    /// Story clusters with more than one article among `results`.
    pub stories: Vec<StoryView>,
}

#[derive(Default)]
struct Polled {
    stages: HashMap<Stage, ConsumerState>,
    error_counts: HashMap<Stage, u64>,
    results_stored: Option<u64>,
    errors_stored: Option<u64>,
    watchers: Vec<WatcherReport>,
}

#[derive(Clone, Copy, Default)]
struct ConsumerState {
    pending: u64,
    ack_pending: u64,
    redelivered: u64,
    waiting: u64,
    /// What this process had finished of the stage when the consumer answered.
    finished_here: u64,
}

/// What one poll of the broker found.
#[derive(Default)]
struct PollResult {
    stages: HashMap<Stage, ConsumerState>,
    error_counts: HashMap<Stage, u64>,
    results_stored: Option<u64>,
    errors_stored: Option<u64>,
    watchers: Option<Vec<WatcherReport>>,
}

struct ResultEntry {
    record: Arc<Record>,
    listed: ResultView,
}

#[derive(Default)]
struct Recent {
    results: VecDeque<ResultEntry>,
    errors: VecDeque<ErrorRecord>,
}

/// Shared state behind the dashboard and the metrics.
pub struct Observer {
    local: Arc<LocalStats>,
    recent_max: usize,
    started: Instant,
    recent: Mutex<Recent>,
    polled: Mutex<Polled>,
    rates: Mutex<RateWindow>,
    bus: Mutex<Option<Bus>>,
    /// Bumped on every change of the results, errors or polled state.
    changes: watch::Sender<u64>,
}

impl Observer {
    pub fn new(local: Arc<LocalStats>, recent_max: usize) -> Arc<Observer> {
        Arc::new(Observer {
            local,
            recent_max: recent_max.max(1),
            started: Instant::now(),
            recent: Mutex::new(Recent::default()),
            polled: Mutex::new(Polled::default()),
            rates: Mutex::new(RateWindow::default()),
            bus: Mutex::new(None),
            changes: watch::channel(0).0,
        })
    }

    pub fn local(&self) -> &LocalStats {
        &self.local
    }

    /// Changes when the results, errors or polled state change (what the event stream waits on).
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn changed(&self) {
        self.changes
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    /// True while the NATS connection is up (what `/readyz` answers).
    pub fn nats_connected(&self) -> bool {
        lock(&self.bus).as_ref().is_some_and(Bus::is_connected)
    }

    /// Adds a result record (a newer version of an id replaces the older one).
    pub fn add_result(&self, payload: &[u8]) {
        let record = match serde_json::from_slice::<Record>(payload) {
            Ok(record) => record,
            Err(error) => {
                tracing::debug!(%error, "result not listed: not a record");
                return;
            }
        };
        {
            let mut recent = lock(&self.recent);
            if let Some(position) = recent.results.iter().position(|r| r.record.id == record.id) {
                if recent.results[position].record.version > record.version {
                    return;
                }
                recent.results.remove(position);
            }
            recent.results.push_front(ResultEntry {
                listed: ResultView::of(&record),
                record: Arc::new(record),
            });
            recent.results.truncate(self.recent_max);
        }
        self.changed();
    }

    pub fn add_error(&self, payload: &[u8]) {
        let record = match serde_json::from_slice::<ErrorRecord>(payload) {
            Ok(record) => record,
            Err(error) => {
                tracing::debug!(%error, "error record not listed: not an error record");
                return;
            }
        };
        {
            let mut recent = lock(&self.recent);
            recent.errors.push_front(record);
            recent.errors.truncate(self.recent_max);
        }
        self.changed();
    }

    /// The whole record of a recent result.
    pub fn record(&self, id: &str) -> Option<Arc<Record>> {
        lock(&self.recent)
            .results
            .iter()
            .find(|entry| entry.record.id == id)
            .map(|entry| entry.record.clone())
    }

    /// The counters (what the progress shows), without the results.
    pub fn status(&self) -> Status {
        let finished = self.local.finished();
        let rates = lock(&self.rates).rates(Instant::now(), finished);
        let polled = lock(&self.polled);
        let stages = STAGES
            .iter()
            .enumerate()
            .map(|(index, &stage)| {
                let local = self.local.stage(stage).cloned().unwrap_or_default();
                let consumer = polled.stages.get(&stage).copied();
                let finished_now = finished.stages[index];
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
                    waiting: consumer.map(|c| c.waiting_now(finished_now)),
                    errors: polled.error_counts.get(&stage).copied(),
                    rate: rates.stages[index],
                }
            })
            .collect();
        let watch = self.local.watch.as_ref().map(|watch| WatchView {
            seen: watch.seen.load(Ordering::Relaxed),
            published: watch.published.load(Ordering::Relaxed),
            rejected: watch.rejected.load(Ordering::Relaxed),
            duplicates: watch.duplicates.load(Ordering::Relaxed),
            already_published: watch.already_published.load(Ordering::Relaxed),
            too_young: watch.too_young.load(Ordering::Relaxed),
            removed: watch.removed.load(Ordering::Relaxed),
            state_files: watch.state_files.load(Ordering::Relaxed),
            state_bytes: watch.state_bytes.load(Ordering::Relaxed),
            errors: polled.error_counts.get(&Stage::Watch).copied(),
            rate: rates.files,
            bulk_published: watch.bulk.records_published.load(Ordering::Relaxed)
                + watch.bulk.records_already_published.load(Ordering::Relaxed),
            bulk_skipped: watch.bulk.records_skipped.load(Ordering::Relaxed),
            bulk_failed: watch.bulk.records_failed.load(Ordering::Relaxed),
            bulk_files: BulkFileView::all(watch),
            pace: PaceView::of(watch),
        });
        Status {
            nats_connected: self.nats_connected(),
            uptime_secs: self.started.elapsed().as_secs(),
            watch,
            watchers: polled.watchers.clone(),
            stages,
            results_stored: polled.results_stored,
            errors_stored: polled.errors_stored,
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        self.snapshot_of(&ResultFilter::default())
    }

    /// The state with the results `filter` lets through (and the stories among them).
    pub fn snapshot_of(&self, filter: &ResultFilter) -> Snapshot {
        let status = self.status();
        let recent = lock(&self.recent);
        let results: Vec<ResultView> = recent
            .results
            .iter()
            .filter(|entry| filter.matches(&entry.record))
            .map(|entry| entry.listed.clone())
            .collect();
        let mut groups: BTreeMap<String, Vec<StoryMember>> = BTreeMap::new();
        for result in &results {
            if let Some(story) = &result.record.story_id {
                groups.entry(story.clone()).or_default().push(StoryMember {
                    id: result.record.id.clone(),
                    title: result.record.title.clone(),
                });
            }
        }
        let stories = groups
            .into_iter()
            .filter(|(_, members)| members.len() > 1)
            .map(|(story_id, articles)| StoryView { story_id, articles })
            .collect();
        Snapshot {
            status,
            results,
            errors: recent.errors.iter().cloned().collect(),
            stories,
        }
    }

    /// Samples this process's counters every second and polls the broker every `every`, until
    /// cancelled; with `follow_records` (a dashboard is served: only it lists them) it also
    /// follows the results and errors streams from the latest `recent` records on. Without
    /// a dashboard nothing reads those records, and following them would cost every worker
    /// process a delivery and a parse of every record of the cluster.
    pub fn spawn(
        self: &Arc<Observer>,
        bus: Bus,
        every: Duration,
        follow_records: bool,
        cancel: CancellationToken,
    ) {
        *lock(&self.bus) = Some(bus.clone());
        let streams: &[bool] = if follow_records { &[false, true] } else { &[] };
        for &errors in streams {
            let observer = self.clone();
            let bus = bus.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move {
                loop {
                    if let Err(err) = observer.follow(&bus, errors, &cancel).await {
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
        let sampling = cancel.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(SAMPLE_EVERY);
            loop {
                tokio::select! {
                    _ = sampling.cancelled() => return,
                    _ = ticks.tick() => {}
                }
                let finished = observer.local.finished();
                lock(&observer.rates).sample(Instant::now(), finished);
            }
        });
        let observer = self.clone();
        tokio::spawn(async move {
            loop {
                observer.poll(&bus).await;
                observer.publish_watch_metrics();
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(every) => {}
                }
            }
        });
    }

    fn publish_watch_metrics(&self) {
        let Some(watch) = &self.local.watch else {
            return;
        };
        // Each round: the recorder may be installed after this task starts.
        describe_watch_metrics();
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed) as f64;
        metrics::gauge!("newsflow_watch_files", "outcome" => "published")
            .set(load(&watch.published));
        metrics::gauge!("newsflow_watch_files", "outcome" => "rejected").set(load(&watch.rejected));
        metrics::gauge!("newsflow_watch_files", "outcome" => "duplicate")
            .set(load(&watch.duplicates));
        metrics::gauge!("newsflow_watch_files", "outcome" => "already_published")
            .set(load(&watch.already_published));
        metrics::gauge!("newsflow_watch_files", "outcome" => "too_young")
            .set(load(&watch.too_young));
        metrics::gauge!("newsflow_watch_removed_files").set(load(&watch.removed));
        metrics::gauge!("newsflow_watch_dedup_failures").set(load(&watch.dedup_failures));
        metrics::gauge!("newsflow_watch_state_files").set(load(&watch.state_files));
        metrics::gauge!("newsflow_watch_state_bytes").set(load(&watch.state_bytes));
        for (format, outcome, count) in watch.bulk.by_outcome() {
            metrics::gauge!("newsflow_bulk_records", "format" => format, "outcome" => outcome)
                .set(count as f64);
        }
        metrics::gauge!("newsflow_bulk_files_done").set(load(&watch.bulk.files_done));
        metrics::gauge!("newsflow_bulk_files_reading").set(watch.bulk.files().len() as f64);
        let pace = PaceView::of(watch);
        metrics::gauge!("newsflow_watch_paused").set(if pace.paused { 1.0 } else { 0.0 });
        metrics::gauge!("newsflow_watch_backlog").set(pace.backlog as f64);
        metrics::gauge!("newsflow_watch_max_backlog").set(pace.max_backlog as f64);
        metrics::gauge!("newsflow_watch_paused_seconds").set(pace.paused_secs);
    }

    async fn follow(
        &self,
        bus: &Bus,
        errors: bool,
        cancel: &CancellationToken,
    ) -> anyhow::Result<()> {
        let name = if errors {
            bus.subjects().errors_stream()
        } else {
            bus.subjects().results_stream()
        };
        let from = ReadFrom::Last(self.recent_max as u64);
        let mut messages = bus.follow(&name, None, from).await?;
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

    async fn poll(&self, bus: &Bus) {
        let subjects = bus.subjects();
        let mut found = PollResult::default();
        for (index, stage) in STAGES.into_iter().enumerate() {
            let Some(info) = bus
                .consumer_figures(&subjects.articles_stream(), &subjects.durable(stage))
                .await
            else {
                continue;
            };
            // Read right after the answer: what finished here since is taken off the
            // consumer's backlog until the next poll (see `ConsumerState::waiting_now`).
            let finished_here = self.local.finished().stages[index];
            let state = ConsumerState {
                pending: info.pending,
                ack_pending: info.ack_pending as u64,
                redelivered: info.redelivered as u64,
                waiting: info.waiting as u64,
                finished_here,
            };
            let label = stage.as_str();
            metrics::gauge!("newsflow_consumer_pending", "stage" => label)
                .set(state.pending as f64);
            metrics::gauge!("newsflow_consumer_ack_pending", "stage" => label)
                .set(state.ack_pending as f64);
            metrics::gauge!("newsflow_consumer_redelivered", "stage" => label)
                .set(state.redelivered as f64);
            found.stages.insert(stage, state);
        }
        let errors_stream = subjects.errors_stream();
        if let Ok(Some(figures)) = bus.stream_figures(&errors_stream).await {
            found.errors_stored = Some(figures.messages);
            for stage in [Stage::Watch, Stage::Clean, Stage::Classify, Stage::Extract] {
                let Ok(count) = bus
                    .subject_count(&errors_stream, &subjects.error(stage))
                    .await
                else {
                    continue;
                };
                metrics::gauge!("newsflow_error_records", "stage" => stage.as_str())
                    .set(count as f64);
                found.error_counts.insert(stage, count);
            }
        }
        if let Ok(Some(figures)) = bus.stream_figures(&subjects.results_stream()).await {
            found.results_stored = Some(figures.messages);
            metrics::gauge!("newsflow_results_stored").set(figures.messages as f64);
        }
        match bus.watchers().await {
            Ok(watchers) => {
                found.watchers = Some(
                    watchers
                        .into_iter()
                        .filter_map(|(_, value)| serde_json::from_value(value).ok())
                        .collect(),
                )
            }
            Err(error) => tracing::debug!(%error, "watcher counters not read"),
        }
        self.store_poll(found);
    }

    /// Keeps what a poll found (what it could not read stays as the last poll found it).
    fn store_poll(&self, found: PollResult) {
        {
            let mut polled = lock(&self.polled);
            if !found.stages.is_empty() {
                polled.stages = found.stages;
            }
            if !found.error_counts.is_empty() {
                polled.error_counts = found.error_counts;
            }
            polled.results_stored = found.results_stored.or(polled.results_stored);
            polled.errors_stored = found.errors_stored.or(polled.errors_stored);
            if let Some(watchers) = found.watchers {
                polled.watchers = watchers;
            }
        }
        self.changed();
    }
}

impl ConsumerState {
    /// The articles still to finish when this process has finished `finished_now` of the
    /// stage: the backlog the consumer reported, less what finished here since it answered.
    /// (Adding the live count of finished articles to a backlog polled seconds ago counted
    /// those articles twice: a bar read 30/48 with 30 files in all.)
    fn waiting_now(&self, finished_now: u64) -> u64 {
        let since = finished_now.saturating_sub(self.finished_here);
        (self.pending + self.ack_pending).saturating_sub(since)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsflow_model::{Entity, EntityType, Format, ModelTopic, Topic};

    fn record(id: &str, version: u32, story: &str) -> Record {
        let mut record = Record::new(
            id.to_string(),
            format!("{id}.txt"),
            "2026-01-01T00:00:00Z".to_string(),
            Format::Txt,
        );
        record.title = Some(format!("title {id} v{version}"));
        record.topic = Some(Topic {
            label: "World".to_string(),
            score: 0.9,
        });
        record.version = version;
        record.story_id = Some(story.to_string());
        record.language = Some("en".to_string());
        record.entities = Some(vec![Entity {
            text: "Kim Jong Un".to_string(),
            kind: EntityType::PER,
            count: 3,
        }]);
        record
    }

    fn bytes(record: &Record) -> Vec<u8> {
        serde_json::to_vec(record).unwrap()
    }

    #[test]
    fn newer_versions_replace_older_and_stories_group() {
        let observer = Observer::new(Arc::new(LocalStats::default()), 3);
        observer.add_result(&bytes(&record("a", 1, "s1")));
        observer.add_result(&bytes(&record("b", 1, "s1")));
        observer.add_result(&bytes(&record("a", 2, "s1")));
        observer.add_result(&bytes(&record("a", 1, "s1")));
        observer.add_result(b"not json");
        observer.add_result(br#"{"id": "untyped", "title": "not a record"}"#);
        let snapshot = observer.snapshot();
        let titles: Vec<_> = snapshot
            .results
            .iter()
            .map(|r| r.record.title.clone().unwrap())
            .collect();
        assert_eq!(titles, ["title a v2", "title b v1"]);
        assert_eq!(snapshot.stories.len(), 1);
        assert_eq!(snapshot.stories[0].articles.len(), 2);
        let listed = serde_json::to_value(&snapshot.results[0]).unwrap();
        assert_eq!(listed["entities"][0]["type"], "PER");
        assert_eq!(listed["topic"]["label"], "World");
        observer.add_result(&bytes(&record("c", 1, "s2")));
        observer.add_result(&bytes(&record("d", 1, "s3")));
        assert_eq!(observer.snapshot().results.len(), 3, "bounded by recent");
        assert!(
            observer.record("b").is_none(),
            "fell out of the recent results"
        );
        assert_eq!(
            observer.record("d").unwrap().title.as_deref(),
            Some("title d v1")
        );
    }

    #[test]
    fn the_list_has_a_body_excerpt_and_the_record_has_the_whole_body() {
        let observer = Observer::new(Arc::new(LocalStats::default()), 10);
        let mut long = record("long", 1, "s");
        long.body = "é".repeat(1000);
        let mut short = record("short", 1, "s");
        short.body = "a short body".to_string();
        observer.add_result(&bytes(&long));
        observer.add_result(&bytes(&short));
        let snapshot = observer.snapshot();
        let listed = |id: &str| {
            snapshot
                .results
                .iter()
                .find(|r| r.record.id == id)
                .unwrap()
                .clone()
        };
        assert_eq!(listed("long").body_chars, 1000);
        assert_eq!(
            listed("long").record.body.chars().count(),
            BODY_EXCERPT_CHARS + 1
        );
        assert_eq!(listed("short").record.body, "a short body");
        assert_eq!(*observer.record("long").unwrap(), long);
    }

    #[test]
    fn filters_by_topic_language_and_entity() {
        let observer = Observer::new(Arc::new(LocalStats::default()), 10);
        observer.add_result(&bytes(&record("world", 1, "s1")));
        let mut tech = record("tech", 1, "s2");
        tech.topic = Some(Topic {
            label: "Sci/Tech".to_string(),
            score: 0.9,
        });
        tech.topics = vec![ModelTopic {
            model: "bbc".to_string(),
            label: "tech".to_string(),
            score: 0.9,
        }];
        tech.entities = Some(vec![Entity {
            text: "Intel".to_string(),
            kind: EntityType::ORG,
            count: 2,
        }]);
        observer.add_result(&bytes(&tech));
        let mut german = record("german", 1, "s3");
        german.topic = None;
        german.language = Some("de".to_string());
        german.entities = None;
        observer.add_result(&bytes(&german));
        let ids = |topic: &str, language: &str, entity: &str| -> Vec<String> {
            let filter = ResultFilter {
                topic: Some(topic.to_string()),
                language: Some(language.to_string()),
                entity: Some(entity.to_string()),
            };
            observer
                .snapshot_of(&filter)
                .results
                .iter()
                .map(|r| r.record.id.clone())
                .collect()
        };
        assert_eq!(ids("", "", ""), ["german", "tech", "world"]);
        assert_eq!(ids("sci/tech", "", ""), ["tech"]);
        assert_eq!(ids("tech", "", ""), ["tech"], "another model's label");
        assert_eq!(ids("", "DE", ""), ["german"]);
        assert_eq!(ids("", "en", "jong"), ["world"]);
        assert_eq!(ids("World", "de", ""), Vec::<String>::new());
    }

    #[test]
    fn errors_are_listed_newest_first() {
        let observer = Observer::new(Arc::new(LocalStats::default()), 10);
        for id in ["x", "y"] {
            let record = ErrorRecord::new(id, "bad.html", Stage::Clean, "binary", "looks binary");
            observer.add_error(&serde_json::to_vec(&record).unwrap());
        }
        observer.add_error(b"{\"id\": \"not an error record\"}");
        let snapshot = observer.snapshot();
        assert_eq!(snapshot.errors.len(), 2);
        assert_eq!(snapshot.errors[0].id, "y");
        assert_eq!(snapshot.errors[1].error.kind, "binary");
    }

    #[test]
    fn rates_cover_the_window_not_the_last_poll() {
        let start = Instant::now();
        let at = |secs: u64| start + Duration::from_secs(secs);
        let finished = |files: u64, clean: u64| Finished {
            files,
            stages: [clean, 0, 0],
        };
        let mut window = RateWindow::default();
        assert_eq!(window.rates(at(0), finished(0, 0)), Rates::default());
        // A burst of 30 files in the first second, then quiet.
        window.sample(at(0), finished(0, 0));
        for second in 1..=8 {
            window.sample(at(second), finished(30, 20));
        }
        let rates = window.rates(at(8), finished(30, 20));
        assert!((rates.files - 30.0 / 8.0).abs() < 1e-9, "{rates:?}");
        assert!((rates.stages[0] - 20.0 / 8.0).abs() < 1e-9, "{rates:?}");
        // Live counts between samples count too.
        let rates = window.rates(at(8), finished(30, 28));
        assert!((rates.stages[0] - 28.0 / 8.0).abs() < 1e-9, "{rates:?}");
        // Once the burst is older than the window, the rate is 0.
        for second in 9..=20 {
            window.sample(at(second), finished(30, 30));
        }
        assert_eq!(window.rates(at(20), finished(30, 30)), Rates::default());
    }

    #[test]
    fn waiting_counts_no_article_twice_between_polls() {
        let local = Arc::new(LocalStats::default());
        let observer = Observer::new(local.clone(), 10);
        // 30 files in all: the poll saw 12 finished here and 18 left in the consumer.
        local.clean.done.store(12, Ordering::Relaxed);
        let mut found = PollResult::default();
        found.stages.insert(
            Stage::Clean,
            ConsumerState {
                pending: 15,
                ack_pending: 3,
                finished_here: local.finished().stages[0],
                ..ConsumerState::default()
            },
        );
        observer.store_poll(found);
        let clean = |observer: &Observer| observer.status().stages[0].clone();
        assert_eq!(clean(&observer).waiting, Some(18));
        // Before the next poll the other 18 finish (one of them rejected).
        local.clean.done.store(29, Ordering::Relaxed);
        local.clean.rejected.store(1, Ordering::Relaxed);
        let now = clean(&observer);
        assert_eq!(now.waiting, Some(0));
        assert_eq!(
            now.done + now.rejected + now.failed + now.waiting.unwrap(),
            30
        );
    }
}
