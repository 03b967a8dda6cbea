//! Watches the inbox folder and hands every finished article file to a [`Sink`], once.
//!
//! Layout:
//! - notify (inotify) events are the fast path: a file is ready when it is closed after writing
//!   or renamed into the folder (a rename-in gives no close event on Linux).
//! - A periodic rescan is the safety net: it finds files dropped while the daemon was down or
//!   whose events were lost, taking them only once they have settled.
//! - [`Dedup`]: the shared memory of content already in the stream (the binary plugs in a
//!   JetStream key-value bucket), consulted before a publish and written only after the
//!   publish is acknowledged, so a crash in between publishes again (and JetStream's
//!   `Nats-Msg-Id` window absorbs that) instead of losing the file.
//! - [`checkpoint`]: the local state, which files still in the inbox were dealt with, scoped to
//!   one inbox and one stream and written incrementally off the event loop.
//! - [`AfterPublish`]: a published file is kept, deleted or moved to `done/`, and only after
//!   the publish ack; a rejected file may be moved to `rejected/` with a sidecar naming its
//!   error record. `done/` and `rejected/` at the top of the inbox are never read.
//!
//! The watcher knows nothing of NATS: the binary plugs a JetStream publisher in as the sink, a
//! key-value bucket as the dedup store, and passes the stream's identity as an opaque string.

pub mod bulk;
pub mod checkpoint;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use newsflow_model::{article_id, Format};
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::checkpoint::{Checkpoint, FileState, Scope, StateWrite};

/// What a file of an unsupported kind is told.
pub const ACCEPTED: &str = "accepted inputs are .txt, .html, .htm, .json, optionally .gz, and bulk files: .warc, .warc.gz, .jsonl, .ndjson (optionally .gz), .tar, .tar.gz, .tgz, .zip";

/// Folder at the top of the inbox that published files are moved to (never read).
pub const DONE_DIR: &str = "done";
/// Folder at the top of the inbox that rejected files are moved to (never read).
pub const REJECTED_DIR: &str = "rejected";

/// Errors that stop the watcher (per-file problems become [`Found::Rejected`] instead).
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("inbox {path} is not usable: {message}")]
    Inbox { path: PathBuf, message: String },
    #[error("checkpoint {path}: {message}")]
    Checkpoint { path: PathBuf, message: String },
    #[error("file watcher failed: {0}")]
    Notify(#[from] notify::Error),
}

/// Why the sink could not take a file (it is tried again later).
#[derive(Debug, thiserror::Error)]
#[error("sink failed: {message}")]
pub struct SinkError {
    pub message: String,
}

/// Why the dedup store could not answer (the watcher goes on without it).
#[derive(Debug, thiserror::Error)]
#[error("dedup store failed: {message}")]
pub struct DedupError {
    pub message: String,
}

/// An article file ready to publish.
#[derive(Debug, Clone)]
pub struct FoundArticle {
    pub id: String,
    /// Path relative to the inbox.
    pub source: String,
    pub format: Format,
    pub bytes: Vec<u8>,
    /// When the watcher took the file (RFC 3339, UTC).
    pub received_at: String,
    /// What a bulk file said about the article beside its bytes (empty for a single file).
    pub hints: ArticleHints,
}

/// What a bulk file says about one of its articles (a WARC record's headers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleHints {
    /// `WARC-Target-URI`.
    pub url: Option<String>,
    /// `WARC-Date`.
    pub fetched_at: Option<String>,
    /// The charset of the HTTP `Content-Type` header.
    pub charset: Option<String>,
}

/// A file that cannot be an article, with the reason.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub id: String,
    pub source: String,
    /// Short machine-readable kind: `too_large`, `unsupported_format`, `symlink_outside_inbox`, ...
    pub kind: &'static str,
    pub message: String,
    pub received_at: String,
}

/// What the watcher hands to its sink.
#[derive(Debug, Clone)]
pub enum Found {
    Article(FoundArticle),
    Rejected(Rejection),
}

/// How the sink stored a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// Stored now.
    Stored,
    /// The sink already held it (e.g. JetStream's duplicate window recognised the message id).
    AlreadyStored,
}

/// Where found files go. `deliver` returns only once the file is safely stored downstream.
pub trait Sink: Send + Sync + 'static {
    fn deliver(&self, found: Found) -> impl Future<Output = Result<Delivered, SinkError>> + Send;

    /// Waits until downstream has room for one more article, and takes it: pacing by the
    /// consumers of the articles, beyond the store's acks (a huge WARC must not flood the
    /// stream while the workers lag). Called before each article, not before error records.
    /// The default always has room.
    fn room(&self) -> impl Future<Output = ()> + Send {
        std::future::ready(())
    }
}

/// Memory of the content ids already stored downstream, shared by every watcher of a stream and
/// kept for a window (the binary's is a JetStream key-value bucket with a TTL).
pub trait Dedup: Send + Sync + 'static {
    /// The inbox-relative source that published content `id` within the window, if any.
    fn published_by(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<String>, DedupError>> + Send;

    /// Records that content `id` from `source` is stored downstream: create-if-absent, `false`
    /// when it was already recorded. Called only after the sink acknowledged the file.
    fn record(
        &self,
        id: &str,
        source: &str,
    ) -> impl Future<Output = Result<bool, DedupError>> + Send;
}

/// A [`Dedup`] in this process's memory, kept for good: for tests and single-process use only
/// (it grows with every id and is forgotten on restart).
#[derive(Debug, Default)]
pub struct MemoryDedup {
    ids: Mutex<HashMap<String, String>>,
}

impl Dedup for MemoryDedup {
    async fn published_by(&self, id: &str) -> Result<Option<String>, DedupError> {
        let ids = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        Ok(ids.get(id).cloned())
    }

    async fn record(&self, id: &str, source: &str) -> Result<bool, DedupError> {
        let mut ids = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        if ids.contains_key(id) {
            return Ok(false);
        }
        ids.insert(id.to_string(), source.to_string());
        Ok(true)
    }
}

/// What happens to a file once it is published (its content acknowledged downstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterPublish {
    /// Leave it in the inbox (the local state remembers it was dealt with).
    #[default]
    Keep,
    /// Delete it.
    Delete,
    /// Move it to `done/` under the inbox, keeping its relative path; with `dated`, into
    /// `done/YYYY-MM-DD/` (UTC).
    Move { dated: bool },
}

/// Watcher settings.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub inbox: PathBuf,
    /// Folder of the local state (the log is `<state_dir>/watch/<inbox hash>.log`).
    pub state_dir: PathBuf,
    /// Identity of the stream the files go to (opaque: only compared). Local state written for
    /// another stream is not applied.
    pub stream_identity: String,
    /// Largest single article file; for bulk files, the largest article inside them.
    pub max_file_bytes: u64,
    /// Largest bulk file (WARC, JSON Lines, archive); 0: unlimited.
    pub max_bulk_file_bytes: u64,
    /// Articles of one bulk file published and not yet acknowledged at a time.
    pub bulk_in_flight: usize,
    pub rescan_every: Duration,
    pub settle: Duration,
    pub max_in_flight: usize,
    pub checkpoint_every: Duration,
    pub after_publish: AfterPublish,
    /// Move rejected files to `rejected/` (with a `.error.json` sidecar naming the error record).
    pub move_rejected: bool,
    /// Each state write waits this long first (tests: a slow disk). Zero in production.
    pub state_write_delay: Duration,
}

/// Counters for progress displays and metrics. Every file not published is counted under
/// one reason: `rejected`, `duplicates`, `already_published` or `too_young`.
#[derive(Debug, Default)]
pub struct WatchStats {
    /// Files looked at (read and decided on).
    pub seen: AtomicU64,
    pub published: AtomicU64,
    /// Files that cannot be articles (an error record was published).
    pub rejected: AtomicU64,
    /// Files whose bytes another file already published (duplicate content).
    pub duplicates: AtomicU64,
    /// Files already published before (a restart, another watcher, a lost local state).
    pub already_published: AtomicU64,
    /// Files a rescan left for later because they were modified too recently or are still
    /// open for writing (each counted once while it waits).
    pub too_young: AtomicU64,
    pub sink_failures: AtomicU64,
    /// Answers the dedup store could not give (the file is published anyway: JetStream's
    /// duplicate window still guards).
    pub dedup_failures: AtomicU64,
    /// Files deleted or moved to `done/`/`rejected/` after their publish ack.
    pub removed: AtomicU64,
    /// Files in the local state now.
    pub state_files: AtomicU64,
    /// Bytes of the local state on disk after the last write.
    pub state_bytes: AtomicU64,
    /// Bulk files (WARC, JSON Lines, archives): records by outcome and the files being read.
    pub bulk: bulk::BulkStats,
    /// Waits for room downstream ([`Sink::room`]).
    pub pace: PaceStats,
}

/// The watcher held back by the sink ([`Sink::room`]): "paused: backlog". The sink that paces
/// sets `limit` and `backlog`; the watcher counts its waits.
#[derive(Debug, Default)]
pub struct PaceStats {
    /// Articles downstream may hold before the watcher waits (0: not paced).
    pub limit: AtomicU64,
    /// Articles downstream holds, at the sink's last look.
    pub backlog: AtomicU64,
    /// Watcher tasks waiting for room now (a single file, or a bulk file's next record).
    pub waiting: AtomicU64,
    /// Milliseconds the watcher had at least one article waiting for room, in total.
    pub paused_ms: AtomicU64,
    /// When the current pause began.
    paused_since: Mutex<Option<Instant>>,
}

impl PaceStats {
    /// Whether the watcher is held back now.
    pub fn paused(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > 0
    }

    /// Milliseconds paused in total, the current pause included.
    pub fn paused_ms_total(&self) -> u64 {
        let current = self
            .paused_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|since| since.elapsed().as_millis() as u64)
            .unwrap_or(0);
        self.paused_ms.load(Ordering::Relaxed) + current
    }

    /// Counts a wait until the guard is dropped (the wait may be abandoned part-way).
    fn begin_wait(&self) -> WaitingForRoom<'_> {
        if self.waiting.fetch_add(1, Ordering::Relaxed) == 0 {
            let mut since = self.paused_since.lock().unwrap_or_else(|p| p.into_inner());
            since.get_or_insert_with(Instant::now);
        }
        WaitingForRoom { pace: self }
    }

    fn end_wait(&self) {
        if self.waiting.fetch_sub(1, Ordering::Relaxed) == 1 {
            let mut since = self.paused_since.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(began) = since.take() {
                self.paused_ms
                    .fetch_add(began.elapsed().as_millis() as u64, Ordering::Relaxed);
            }
        }
    }
}

/// One article waiting for room; the wait ends when this is dropped.
struct WaitingForRoom<'a> {
    pace: &'a PaceStats,
}

impl Drop for WaitingForRoom<'_> {
    fn drop(&mut self) {
        self.pace.end_wait();
    }
}

/// Waits for [`Sink::room`] for one article, counting the wait when there is one; `false` when
/// the watcher is shutting down first.
pub(crate) async fn wait_for_room<S: Sink>(
    sink: &S,
    stats: &WatchStats,
    cancel: &CancellationToken,
) -> bool {
    let room = sink.room();
    tokio::pin!(room);
    if futures::FutureExt::now_or_never(room.as_mut()).is_some() {
        return true;
    }
    let _waiting = stats.pace.begin_wait();
    tokio::select! {
        biased;
        _ = cancel.cancelled() => false,
        () = &mut room => true,
    }
}

/// Whether a file name is one to leave alone: hidden, temporary or partial downloads.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with(".tmp")
        || name.ends_with(".part")
        || name.ends_with('~')
        || name.ends_with(".crdownload")
        || name.ends_with(".swp")
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

fn mtime_ns(metadata: &std::fs::Metadata) -> i64 {
    match metadata.modified() {
        Ok(time) => match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(since) => since.as_nanos() as i64,
            Err(before) => -(before.duration().as_nanos() as i64),
        },
        Err(_) => 0,
    }
}

/// The outcome of looking at one path, sent back to the loop that owns the checkpoint.
enum Done {
    /// Dealt with and still in the inbox: remember it.
    Handled { source: String, state: FileState },
    /// Dealt with and moved out of the inbox or deleted: forget it.
    Gone { source: String },
    /// Not ready or the sink failed: forget it for now, a later event or rescan retries.
    Retry { source: String },
    /// A bulk file is published and acknowledged up to `resume` (it is still being read).
    Progress {
        source: String,
        state: FileState,
        resume: checkpoint::Resume,
    },
}

struct Inner<S, D> {
    /// Content ids being published now: a second file with the same bytes waits for the first.
    publishing_ids: Mutex<HashSet<String>>,
    /// Bulk files whose read failed part-way, as (size, mtime) and failed reads so far: each
    /// is retried from its acknowledged position, a bounded number of times.
    read_failures: Mutex<HashMap<String, (FileState, u32)>>,
    options: WatchOptions,
    inbox_root: PathBuf,
    sink: Arc<S>,
    dedup: Arc<D>,
    stats: Arc<WatchStats>,
    /// Fires on shutdown: a bulk file being read stops at the next record (its progress is
    /// kept) instead of holding the shutdown for the rest of the file.
    cancel: CancellationToken,
}

/// What the event loop owns.
struct Local {
    checkpoint: Checkpoint,
    in_flight: HashSet<String>,
    /// Files a rescan found too young, counted once each until they are taken.
    deferred: HashSet<String>,
}

/// Runs the watcher until `cancel` fires. Flushes the local state before returning.
pub async fn run<S: Sink, D: Dedup>(
    options: WatchOptions,
    sink: Arc<S>,
    dedup: Arc<D>,
    stats: Arc<WatchStats>,
    cancel: CancellationToken,
) -> Result<(), WatchError> {
    std::fs::create_dir_all(&options.inbox).map_err(|err| WatchError::Inbox {
        path: options.inbox.clone(),
        message: err.to_string(),
    })?;
    let inbox_root = std::fs::canonicalize(&options.inbox).map_err(|err| WatchError::Inbox {
        path: options.inbox.clone(),
        message: err.to_string(),
    })?;
    let scope = Scope {
        inbox: inbox_root.to_string_lossy().into_owned(),
        stream: options.stream_identity.clone(),
    };
    let log_path = checkpoint::log_path(&options.state_dir, &inbox_root);
    let loaded = {
        let path = log_path.clone();
        tokio::task::spawn_blocking(move || Checkpoint::load(&path, scope))
            .await
            .map_err(|err| WatchError::Checkpoint {
                path: log_path.clone(),
                message: err.to_string(),
            })??
    };
    if let Some(reason) = &loaded.discarded {
        tracing::warn!(path = %log_path.display(), reason = %reason, "local watcher state not applied; files are offered again (the dedup store and the stream's duplicate window still recognise published content)");
    }
    let legacy = options.state_dir.join("watch-checkpoint.json");
    if legacy.exists() {
        tracing::warn!(path = %legacy.display(), "checkpoint of an older newsflow is not applied (it names no inbox or stream); it can be deleted");
    }
    let mut local = Local {
        checkpoint: loaded.checkpoint,
        in_flight: HashSet::new(),
        deferred: HashSet::new(),
    };

    let (event_tx, mut event_rx) = mpsc::channel::<notify::Result<notify::Event>>(4096);
    let mut watcher = notify::recommended_watcher(move |event| {
        // Blocking here is the backpressure: the kernel queue buffers, and an overflow is
        // reported as a rescan request.
        let _ = event_tx.blocking_send(event);
    })?;
    watcher.watch(&inbox_root, RecursiveMode::Recursive)?;

    let inner = Arc::new(Inner {
        publishing_ids: Mutex::new(HashSet::new()),
        read_failures: Mutex::new(HashMap::new()),
        options: options.clone(),
        inbox_root: inbox_root.clone(),
        sink,
        dedup,
        stats,
        cancel: cancel.clone(),
    });
    let permits = Arc::new(Semaphore::new(options.max_in_flight.max(1)));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let mut rescan = tokio::time::interval(options.rescan_every);
    // Files written to and not closed yet (a writer still has them open): a rescan leaves them
    // alone however long the writer pauses, up to WRITER_GRACE; the close event takes them.
    let mut writing: HashMap<PathBuf, Instant> = HashMap::new();
    // Files a rescan found too young are looked at again once they could have settled, not
    // a whole rescan interval later (a file whose events were missed, e.g. dropped while the
    // watch was being set up, waited `rescan_secs` for nothing).
    let mut recheck = tokio::time::interval(options.settle.max(Duration::from_millis(100)));
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut flush_tick = tokio::time::interval(options.checkpoint_every);
    // The state write running on the blocking pool, if any: the loop never waits for the disk.
    let mut state_write: Option<tokio::task::JoinHandle<StateWrite>> = None;
    tracing::info!(inbox = %inbox_root.display(), state = %log_path.display(), known_files = local.checkpoint.len(), after_publish = ?options.after_publish, "watcher started");

    loop {
        let mut candidates: Vec<(PathBuf, bool)> = Vec::new();
        tokio::select! {
            _ = cancel.cancelled() => break,
            Some(event) = event_rx.recv() => {
                match event {
                    Ok(event) => {
                        track_writers(&mut writing, &event);
                        candidates.extend(ready_paths(&event));
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "watch event error, rescanning");
                        rescan.reset_immediately();
                    }
                }
            }
            _ = rescan.tick() => {
                let root = inbox_root.clone();
                let found = tokio::task::spawn_blocking(move || walk_files(&root)).await.unwrap_or_default();
                forget_gone_files(&mut local, &inbox_root, &found, &inner.read_failures);
                candidates.extend(found.into_iter().map(|path| (path, false)));
            }
            Some(done) = done_rx.recv() => {
                apply_done(&mut local, done);
            }
            _ = recheck.tick(), if !local.deferred.is_empty() && local.deferred.len() <= MAX_RECHECKED => {
                candidates.extend(
                    local
                        .deferred
                        .iter()
                        .filter(|source| !local.in_flight.contains(*source))
                        .map(|source| (inbox_root.join(source), false)),
                );
            }
            joined = async { state_write.as_mut().expect("guarded").await }, if state_write.is_some() => {
                state_write = None;
                match joined {
                    Ok(write) => {
                        if let Err(err) = local.checkpoint.finish_write(write) {
                            tracing::error!(error = %err, "watcher state write failed, rewriting it whole next time");
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "watcher state write did not finish");
                        local.checkpoint.abandon_write();
                    }
                }
                inner.stats.state_bytes.store(local.checkpoint.bytes_on_disk(), Ordering::Relaxed);
            }
            _ = flush_tick.tick() => {
                if let Some(write) = local.checkpoint.begin_write() {
                    let delay = options.state_write_delay;
                    state_write = Some(tokio::task::spawn_blocking(move || {
                        let mut write = write.with_delay(delay);
                        write.run();
                        write
                    }));
                }
            }
        }
        for (path, from_event) in candidates {
            if cancel.is_cancelled() {
                break;
            }
            if relative_source(&inbox_root, &path).is_none() {
                continue;
            }
            if !from_event
                && writing
                    .get(&path)
                    .is_some_and(|since| since.elapsed() < WRITER_GRACE)
            {
                defer_too_young(&inner, &mut local, &path);
                continue;
            }
            if let Some(directory) = path.is_dir().then_some(path.clone()) {
                // A folder moved or created in: files may have landed before its watch existed.
                let found = tokio::task::spawn_blocking(move || walk_files(&directory))
                    .await
                    .unwrap_or_default();
                for file in found {
                    consider(&inner, &mut local, &permits, &done_tx, file, true).await;
                }
                continue;
            }
            consider(&inner, &mut local, &permits, &done_tx, path, from_event).await;
            while let Ok(done) = done_rx.try_recv() {
                apply_done(&mut local, done);
            }
        }
        inner
            .stats
            .state_files
            .store(local.checkpoint.len() as u64, Ordering::Relaxed);
    }

    // Let in-flight deliveries finish so what was published is also recorded.
    drop(done_tx);
    let _ = permits
        .acquire_many(options.max_in_flight.max(1) as u32)
        .await;
    while let Ok(done) = done_rx.try_recv() {
        apply_done(&mut local, done);
    }
    if let Some(write) = state_write.take() {
        match write.await {
            Ok(write) => {
                if let Err(err) = local.checkpoint.finish_write(write) {
                    tracing::error!(error = %err, "watcher state write failed, rewriting it whole");
                }
            }
            Err(_) => local.checkpoint.abandon_write(),
        }
    }
    let mut checkpoint = local.checkpoint;
    tokio::task::spawn_blocking(move || checkpoint.flush_blocking())
        .await
        .map_err(|err| WatchError::Checkpoint {
            path: log_path.clone(),
            message: err.to_string(),
        })??;
    tracing::info!("watcher stopped");
    Ok(())
}

/// Deferred files looked at again every `settle`; past this many only the rescans take them.
const MAX_RECHECKED: usize = 10_000;

/// Counts (once) and logs a file a rescan leaves for later.
fn defer_too_young<S, D>(inner: &Inner<S, D>, local: &mut Local, path: &Path) {
    let Some(source) = relative_source(&inner.inbox_root, path) else {
        return;
    };
    if local.deferred.len() < 1_000_000 && local.deferred.insert(source.clone()) {
        inner.stats.too_young.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(source = %source, "too young (modified recently or still open), taken later");
    }
}

/// Forgets the files a full scan no longer finds (and that are not being handled), so the
/// local state holds what is in the inbox, not every file ever taken. Content stays known to
/// the dedup store: a file dropped again with the same bytes is not published twice.
fn forget_gone_files(
    local: &mut Local,
    inbox_root: &Path,
    found: &[PathBuf],
    read_failures: &Mutex<HashMap<String, (FileState, u32)>>,
) {
    // An unreadable inbox lists nothing; that is not "every file is gone".
    if std::fs::read_dir(inbox_root).is_err() {
        return;
    }
    let present: HashSet<String> = found
        .iter()
        .filter_map(|path| relative_source(inbox_root, path))
        .collect();
    let gone: Vec<String> = local
        .checkpoint
        .sources()
        .chain(local.checkpoint.progress_sources())
        .filter(|source| !present.contains(*source) && !local.in_flight.contains(*source))
        .cloned()
        .collect();
    for source in &gone {
        local.checkpoint.remove(source);
    }
    local.deferred.retain(|source| present.contains(source));
    read_failures
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|source, _| present.contains(source));
    if !gone.is_empty() {
        tracing::debug!(
            forgotten = gone.len(),
            "files gone from the inbox forgotten"
        );
    }
}

fn apply_done(local: &mut Local, done: Done) {
    match done {
        Done::Handled { source, state } => {
            local.in_flight.remove(&source);
            local.deferred.remove(&source);
            local.checkpoint.put(source, state);
        }
        Done::Gone { source } => {
            local.in_flight.remove(&source);
            local.deferred.remove(&source);
            local.checkpoint.remove(&source);
        }
        Done::Retry { source } => {
            local.in_flight.remove(&source);
        }
        Done::Progress {
            source,
            state,
            resume,
        } => {
            local.checkpoint.set_progress(source, state, resume);
        }
    }
}

/// How long a file written to and never closed is left alone by rescans (a writer that keeps
/// a file open for longer than this gets it read as it is then).
const WRITER_GRACE: Duration = Duration::from_secs(600);

/// Remembers which files are being written (modified, not yet closed).
fn track_writers(writing: &mut HashMap<PathBuf, Instant>, event: &notify::Event) {
    match event.kind {
        EventKind::Modify(ModifyKind::Data(_)) => {
            for path in &event.paths {
                writing.insert(path.clone(), Instant::now());
            }
            if writing.len() > 100_000 {
                writing.retain(|_, since| since.elapsed() < WRITER_GRACE);
            }
        }
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Remove(_)
        | EventKind::Modify(ModifyKind::Name(_)) => {
            for path in &event.paths {
                writing.remove(path);
            }
        }
        _ => {}
    }
}

/// Paths an event says are ready (closed after writing, or renamed in, or a new folder).
fn ready_paths(event: &notify::Event) -> Vec<(PathBuf, bool)> {
    if event.need_rescan() {
        return Vec::new();
    }
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            event.paths.iter().map(|p| (p.clone(), true)).collect()
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
            event.paths.iter().map(|p| (p.clone(), true)).collect()
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => event
            .paths
            .last()
            .map(|p| vec![(p.clone(), true)])
            .unwrap_or_default(),
        EventKind::Create(CreateKind::Folder) => {
            event.paths.iter().map(|p| (p.clone(), true)).collect()
        }
        _ => Vec::new(),
    }
}

/// Every file under `root`, not following symlinked folders, skipping hidden ones.
fn walk_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                if dir == root && (name == DONE_DIR || name == REJECTED_DIR) {
                    continue;
                }
                stack.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

/// Path relative to the inbox as a string (lossy for names that are not UTF-8), or `None` when
/// the path is outside it or inside a hidden folder.
fn relative_source(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => return None,
        }
    }
    if parts.is_empty() || parts.iter().any(|part| part.starts_with('.')) {
        return None;
    }
    if parts[0] == DONE_DIR || parts[0] == REJECTED_DIR {
        return None;
    }
    Some(parts.join("/"))
}

async fn consider<S: Sink, D: Dedup>(
    inner: &Arc<Inner<S, D>>,
    local: &mut Local,
    permits: &Arc<Semaphore>,
    done_tx: &mpsc::UnboundedSender<Done>,
    path: PathBuf,
    from_event: bool,
) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    if is_ignored_name(&name) {
        return;
    }
    let Some(source) = relative_source(&inner.inbox_root, &path) else {
        return;
    };
    if local.in_flight.contains(&source) {
        return;
    }
    let Ok(link_metadata) = std::fs::symlink_metadata(&path) else {
        return;
    };
    if link_metadata.is_dir() {
        return;
    }
    let state = FileState {
        size: link_metadata.len(),
        mtime_ns: mtime_ns(&link_metadata),
    };
    if local.checkpoint.get(&source) == Some(&state) {
        return;
    }
    if !from_event {
        let age = link_metadata
            .modified()
            .ok()
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .unwrap_or_default();
        if age < inner.options.settle {
            defer_too_young(inner, local, &path);
            return;
        }
    }
    let Ok(permit) = permits.clone().acquire_owned().await else {
        return;
    };
    local.in_flight.insert(source.clone());
    let resume = local.checkpoint.progress(&source, state);
    let inner = inner.clone();
    let done_tx = done_tx.clone();
    tokio::spawn(async move {
        let done = take_file(&inner, path, source, state, resume, &done_tx).await;
        let _ = done_tx.send(done);
        drop(permit);
    });
}

fn rejection(source: &str, state: FileState, kind: &'static str, message: String) -> Found {
    let identity = format!("{source}\0{}\0{}", state.size, state.mtime_ns);
    Found::Rejected(Rejection {
        id: article_id(identity.as_bytes()),
        source: source.to_string(),
        kind,
        message,
        received_at: now_rfc3339(),
    })
}

/// Removes an id from the ids being published when dropped (also on early returns).
struct Publishing<'a> {
    ids: &'a Mutex<HashSet<String>>,
    id: String,
}

impl Drop for Publishing<'_> {
    fn drop(&mut self) {
        let mut ids = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        ids.remove(&self.id);
    }
}

/// Checks, reads and hands on one file; runs as its own task.
async fn take_file<S: Sink, D: Dedup>(
    inner: &Inner<S, D>,
    path: PathBuf,
    source: String,
    state: FileState,
    resume: Option<checkpoint::Resume>,
    done_tx: &mpsc::UnboundedSender<Done>,
) -> Done {
    let checked = {
        let root = inner.inbox_root.clone();
        let max = inner.options.max_file_bytes;
        let max_bulk = inner.options.max_bulk_file_bytes;
        let path = path.clone();
        let source = source.clone();
        tokio::task::spawn_blocking(move || {
            check_and_read(&root, &path, &source, state, max, max_bulk)
        })
        .await
    };
    let found = match checked {
        Ok(Ok(Checked::Found(found))) => found,
        Ok(Ok(Checked::Bulk(kind))) => {
            inner.stats.seen.fetch_add(1, Ordering::Relaxed);
            return bulk::take_bulk(inner, path, source, state, kind, resume, done_tx).await;
        }
        Ok(Err(NotReady)) | Err(_) => return Done::Retry { source },
    };
    inner.stats.seen.fetch_add(1, Ordering::Relaxed);
    let article = match found {
        Found::Article(article) => article,
        Found::Rejected(rejection) => return reject(inner, path, source, state, rejection).await,
    };
    let id = article.id.clone();
    let _publishing = {
        let mut ids = inner
            .publishing_ids
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !ids.insert(id.clone()) {
            // Decided once the other file's publish is acknowledged (next rescan).
            tracing::debug!(source = %source, id = %id, "same bytes as a file being published, looked at again later");
            return Done::Retry { source };
        }
        Publishing {
            ids: &inner.publishing_ids,
            id: id.clone(),
        }
    };
    match inner.dedup.published_by(&id).await {
        Ok(Some(by)) => {
            if by == source {
                inner
                    .stats
                    .already_published
                    .fetch_add(1, Ordering::Relaxed);
                tracing::debug!(source = %source, id = %id, "already published, skipped");
            } else {
                inner.stats.duplicates.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(source = %source, id = %id, first = %by, "same bytes as an earlier file, skipped");
            }
            return after_publish(inner, path, source, state, &id).await;
        }
        Ok(None) => {}
        Err(err) => {
            inner.stats.dedup_failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(source = %source, error = %err, "dedup store unavailable, publishing anyway (the stream's duplicate window still guards)");
        }
    }
    if !wait_for_room(inner.sink.as_ref(), &inner.stats, &inner.cancel).await {
        return Done::Retry { source };
    }
    match inner.sink.deliver(Found::Article(article)).await {
        Ok(Delivered::Stored) => {
            inner.stats.published.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Delivered::AlreadyStored) => {
            inner
                .stats
                .already_published
                .fetch_add(1, Ordering::Relaxed);
            tracing::debug!(source = %source, id = %id, "already in the stream (duplicate window), skipped");
        }
        Err(err) => {
            inner.stats.sink_failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(source = %source, error = %err, "hand-off failed, will retry");
            return Done::Retry { source };
        }
    }
    // Only now, after the ack: a crash before this line publishes the file again, and the
    // stream's duplicate window recognises it.
    if let Err(err) = inner.dedup.record(&id, &source).await {
        inner.stats.dedup_failures.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(source = %source, error = %err, "cannot record published content in the dedup store");
    }
    after_publish(inner, path, source, state, &id).await
}

/// Hands on an error record for a file that cannot be an article, then (optionally) moves
/// the file to `rejected/` with a sidecar.
async fn reject<S: Sink, D: Dedup>(
    inner: &Inner<S, D>,
    path: PathBuf,
    source: String,
    state: FileState,
    rejection: Rejection,
) -> Done {
    match inner.sink.deliver(Found::Rejected(rejection.clone())).await {
        Ok(_) => {
            inner.stats.rejected.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(source = %source, kind = rejection.kind, id = %rejection.id, "rejected, error record published");
        }
        Err(err) => {
            inner.stats.sink_failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(source = %source, error = %err, "hand-off of an error record failed, will retry");
            return Done::Retry { source };
        }
    }
    if !inner.options.move_rejected {
        return Done::Handled { source, state };
    }
    let root = inner.inbox_root.clone();
    let moved = tokio::task::spawn_blocking(move || {
        let target = root.join(REJECTED_DIR).join(&rejection.source);
        let moved = move_unchanged(&path, &target, state, &rejection.id)?;
        let sidecar = serde_json::json!({
            "id": rejection.id,
            "source": rejection.source,
            "kind": rejection.kind,
            "message": rejection.message,
            "received_at": rejection.received_at,
        });
        let mut sidecar_path = moved.clone().into_os_string();
        sidecar_path.push(".error.json");
        std::fs::write(&sidecar_path, sidecar.to_string())?;
        Ok::<_, std::io::Error>(moved)
    })
    .await;
    finish_removal(inner, source, state, moved, "moved to rejected/")
}

/// What a published (or recognised) file becomes: kept, deleted or moved to `done/`.
async fn after_publish<S: Sink, D: Dedup>(
    inner: &Inner<S, D>,
    path: PathBuf,
    source: String,
    state: FileState,
    id: &str,
) -> Done {
    let root = inner.inbox_root.clone();
    let id = id.to_string();
    let relative = source.clone();
    let outcome = match inner.options.after_publish {
        AfterPublish::Keep => return Done::Handled { source, state },
        AfterPublish::Delete => {
            tokio::task::spawn_blocking(move || {
                if !unchanged(&path, state)? {
                    return Err(changed_error());
                }
                std::fs::remove_file(&path).map(|()| path)
            })
            .await
        }
        AfterPublish::Move { dated } => {
            tokio::task::spawn_blocking(move || {
                let mut target = root.join(DONE_DIR);
                if dated {
                    let today = time::OffsetDateTime::now_utc().date();
                    target.push(format!(
                        "{:04}-{:02}-{:02}",
                        today.year(),
                        today.month() as u8,
                        today.day()
                    ));
                }
                target.push(&relative);
                move_unchanged(&path, &target, state, &id)
            })
            .await
        }
    };
    let what = match inner.options.after_publish {
        AfterPublish::Delete => "deleted",
        _ => "moved to done/",
    };
    finish_removal(inner, source, state, outcome, what)
}

fn finish_removal<S, D>(
    inner: &Inner<S, D>,
    source: String,
    state: FileState,
    outcome: Result<std::io::Result<PathBuf>, tokio::task::JoinError>,
    what: &str,
) -> Done {
    match outcome {
        Ok(Ok(target)) => {
            inner.stats.removed.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(source = %source, target = %target.display(), "{what} after the publish ack");
            Done::Gone { source }
        }
        Ok(Err(err)) if err.kind() == std::io::ErrorKind::NotFound => Done::Gone { source },
        Ok(Err(err)) if err.get_ref().is_some_and(|inner| inner.is::<Changed>()) => {
            // Rewritten since it was read: the new bytes are a new file, taken again.
            tracing::debug!(source = %source, "changed after it was read, looked at again");
            Done::Retry { source }
        }
        Ok(Err(err)) => {
            tracing::warn!(source = %source, error = %err, "published but cannot be {what}; kept", what = what);
            Done::Handled { source, state }
        }
        Err(err) => {
            tracing::warn!(source = %source, error = %err, "published but not {what}; kept", what = what);
            Done::Handled { source, state }
        }
    }
}

/// The file was rewritten after it was read: leave it for the next look.
#[derive(Debug, thiserror::Error)]
#[error("file changed since it was read")]
struct Changed;

fn changed_error() -> std::io::Error {
    std::io::Error::other(Changed)
}

/// Whether the file at `path` is still the one that was read (size and mtime).
fn unchanged(path: &Path, state: FileState) -> std::io::Result<bool> {
    let metadata = std::fs::symlink_metadata(path)?;
    Ok(metadata.len() == state.size && mtime_ns(&metadata) == state.mtime_ns)
}

/// Moves `path` to `target` (creating folders) if it is unchanged; a name already taken gets the
/// content id before its extension. Returns where it went.
fn move_unchanged(
    path: &Path,
    target: &Path,
    state: FileState,
    id: &str,
) -> std::io::Result<PathBuf> {
    if !unchanged(path, state)? {
        return Err(changed_error());
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut target = target.to_path_buf();
    if target.symlink_metadata().is_ok() {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let short = &id[..id.len().min(12)];
        let renamed = match name.split_once('.') {
            Some((stem, rest)) => format!("{stem}.{short}.{rest}"),
            None => format!("{name}.{short}"),
        };
        target.set_file_name(renamed);
    }
    std::fs::rename(path, &target)?;
    Ok(target)
}

/// The file changed or vanished while being looked at: try again later.
struct NotReady;

/// What a look at a file found: a single article (or its rejection), or a bulk file to stream.
enum Checked {
    Found(Found),
    Bulk(newsflow_bulk::BulkKind),
}

fn check_and_read(
    root: &Path,
    path: &Path,
    source: &str,
    state: FileState,
    max_file_bytes: u64,
    max_bulk_file_bytes: u64,
) -> Result<Checked, NotReady> {
    let rejection = |source: &str, state: FileState, kind: &'static str, message: String| {
        Checked::Found(rejection(source, state, kind, message))
    };
    use std::io::Read;
    let link_metadata = std::fs::symlink_metadata(path).map_err(|_| NotReady)?;
    let file_type = link_metadata.file_type();
    let metadata = if file_type.is_symlink() {
        let target = match std::fs::canonicalize(path) {
            Ok(target) => target,
            Err(err) => {
                return Ok(rejection(
                    source,
                    state,
                    "broken_symlink",
                    format!("symlink target cannot be resolved: {err}"),
                ))
            }
        };
        if !target.starts_with(root) {
            return Ok(rejection(
                source,
                state,
                "symlink_outside_inbox",
                "symlink points outside the inbox; newsflow reads nothing outside it".to_string(),
            ));
        }
        std::fs::metadata(&target).map_err(|_| NotReady)?
    } else {
        link_metadata
    };
    if !metadata.is_file() {
        return Ok(rejection(
            source,
            state,
            "not_a_file",
            "not a regular file (fifo, socket or device)".to_string(),
        ));
    }
    if hard_link_count(&metadata) > 1 {
        return Ok(rejection(
            source,
            state,
            "hard_link",
            "file has other hard links, which may lie outside the inbox; copy it in instead"
                .to_string(),
        ));
    }
    let name = source.rsplit('/').next().unwrap_or(source);
    if let Some(kind) = newsflow_bulk::BulkKind::from_file_name(name) {
        if max_bulk_file_bytes > 0 && metadata.len() > max_bulk_file_bytes {
            return Ok(rejection(
                source,
                state,
                "too_large",
                format!(
                    "bulk file is {} bytes, the limit (watch.max_bulk_file_bytes) is {max_bulk_file_bytes}",
                    metadata.len()
                ),
            ));
        }
        return Ok(Checked::Bulk(kind));
    }
    let Some(format) = Format::from_file_name(source) else {
        return Ok(rejection(
            source,
            state,
            "unsupported_format",
            ACCEPTED.to_string(),
        ));
    };
    if metadata.len() > max_file_bytes {
        return Ok(rejection(
            source,
            state,
            "too_large",
            format!(
                "file is {} bytes, the limit is {max_file_bytes}",
                metadata.len()
            ),
        ));
    }
    let file = std::fs::File::open(path).map_err(|_| NotReady)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // Cap the read: the file may grow after the size check.
    file.take(max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| NotReady)?;
    if bytes.len() as u64 > max_file_bytes {
        return Ok(rejection(
            source,
            state,
            "too_large",
            format!("file grew past the limit of {max_file_bytes} bytes"),
        ));
    }
    Ok(Checked::Found(Found::Article(FoundArticle {
        id: article_id(&bytes),
        source: source.to_string(),
        format,
        bytes,
        received_at: now_rfc3339(),
        hints: ArticleHints::default(),
    })))
}

#[cfg(unix)]
fn hard_link_count(metadata: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    metadata.nlink()
}

#[cfg(not(unix))]
fn hard_link_count(_metadata: &std::fs::Metadata) -> u64 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_names() {
        for name in [".hidden.txt", "a.tmp", "a.part", "a.txt~", "a.crdownload"] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("a.txt"));
    }

    #[test]
    fn relative_sources() {
        let root = Path::new("/in");
        assert_eq!(
            relative_source(root, Path::new("/in/a/b.txt")).as_deref(),
            Some("a/b.txt")
        );
        assert_eq!(relative_source(root, Path::new("/in/.state/b.txt")), None);
        assert_eq!(relative_source(root, Path::new("/elsewhere/b.txt")), None);
        assert_eq!(relative_source(root, Path::new("/in/done/b.txt")), None);
        assert_eq!(relative_source(root, Path::new("/in/rejected")), None);
        assert_eq!(
            relative_source(root, Path::new("/in/a/done/b.txt")).as_deref(),
            Some("a/done/b.txt")
        );
    }
}
