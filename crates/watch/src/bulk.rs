//! Bulk files in the inbox (WARC, JSON Lines, tar, zip): read as a stream by a blocking thread
//! of `newsflow_bulk`, each article handed to the sink as its own message, a bounded number of
//! them unacknowledged at a time (publishing is paced by the sink's acks), in file order.
//!
//! Exactly once: an article's id is its content hash with its position in the file and the
//! file's identity (`newsflow_model::entry_id`), so a record published again after a crash is
//! the same message id and the stream stores it once. The local state records how far the
//! file was acknowledged (`pos` records of the checkpoint, about every second), so a watcher
//! killed half-way through a 1 GB WARC goes on from there instead of from the start, and the
//! file's identity goes into the dedup store only once all of it is acknowledged.

use std::collections::BTreeMap;
use std::future::Future;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::stream::{FuturesOrdered, StreamExt};
use newsflow_bulk::{BulkError, BulkKind, Finished, Item, Limits, Resume, Visited};
use newsflow_model::entry_id;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::checkpoint::FileState;
use crate::{
    after_publish, now_rfc3339, reject, rejection, wait_for_room, ArticleHints, Dedup, Delivered,
    Done, Found, FoundArticle, Inner, Rejection, Sink, SinkError,
};

/// How often the acknowledged position of a bulk file is handed to the local state.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Counters of bulk files, for status, the dashboard and `/metrics`.
#[derive(Debug, Default)]
pub struct BulkStats {
    /// Bulk files read to the end and acknowledged.
    pub files_done: AtomicU64,
    pub records_published: AtomicU64,
    /// Records the stream already held (a replay after a restart).
    pub records_already_published: AtomicU64,
    /// Records that are no article on purpose (revisit, request, metadata, not HTML, not 2xx).
    pub records_skipped: AtomicU64,
    /// Records that became error records.
    pub records_failed: AtomicU64,
    by_outcome: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    files: Mutex<BTreeMap<String, FileProgress>>,
}

/// A bulk file being read now.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileProgress {
    pub source: String,
    pub format: &'static str,
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub published: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Records handed out per second since this read started.
    pub records_per_sec: f64,
    /// Seconds left at the current byte rate, once there is one.
    pub eta_secs: Option<f64>,
    #[serde(skip)]
    started: Option<Instant>,
    #[serde(skip)]
    bytes_at_start: u64,
}

impl BulkStats {
    /// Records by (format, outcome): `published`, `already_published`, `failed` or a skip
    /// reason (`revisit`, `request`, `metadata`, `other_record`, `not_html`, `http_status`,
    /// `unsupported_member`).
    pub fn by_outcome(&self) -> Vec<(&'static str, &'static str, u64)> {
        let map = self.by_outcome.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|((f, o), n)| (*f, *o, *n)).collect()
    }

    /// The bulk files being read now, with their progress.
    pub fn files(&self) -> Vec<FileProgress> {
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files
            .values()
            .map(|file| {
                let mut file = file.clone();
                if let Some(started) = file.started {
                    let secs = started.elapsed().as_secs_f64().max(1e-3);
                    let records = file.published + file.skipped + file.failed;
                    file.records_per_sec = records as f64 / secs;
                    let bytes = file.bytes_read.saturating_sub(file.bytes_at_start) as f64;
                    if bytes > 0.0 {
                        let left = file.bytes_total.saturating_sub(file.bytes_read) as f64;
                        file.eta_secs = Some(left / (bytes / secs));
                    }
                }
                file
            })
            .collect()
    }

    fn count(&self, format: &'static str, outcome: &'static str) {
        let mut map = self.by_outcome.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry((format, outcome)).or_default() += 1;
    }

    fn update(&self, source: &str, change: impl FnOnce(&mut FileProgress)) {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(file) = files.get_mut(source) {
            change(file);
        }
    }
}

/// What became of one item once its message (if any) was acknowledged.
enum Outcome {
    Published,
    AlreadyPublished,
    Skipped(&'static str),
    Failed,
}

type Pending<'a> = Pin<Box<dyn Future<Output = (Visited, Result<Outcome, SinkError>)> + Send + 'a>>;

/// Reads, publishes and records one bulk file; runs as the file's task.
pub(crate) async fn take_bulk<S: Sink, D: Dedup>(
    inner: &Inner<S, D>,
    path: PathBuf,
    source: String,
    state: FileState,
    kind: BulkKind,
    resume: Option<Resume>,
    done_tx: &mpsc::UnboundedSender<Done>,
) -> Done {
    let container = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || newsflow_bulk::container_id(&path)).await
    };
    let container = match container {
        Ok(Ok(id)) => id,
        _ => return Done::Retry { source },
    };
    let stats = &inner.stats;
    if resume.is_none() {
        match inner.dedup.published_by(&container).await {
            Ok(Some(by)) => {
                if by == source {
                    stats.already_published.fetch_add(1, Ordering::Relaxed);
                } else {
                    stats.duplicates.fetch_add(1, Ordering::Relaxed);
                }
                tracing::debug!(source = %source, first = %by, "bulk file already published, skipped");
                return after_publish(inner, path, source, state, &container).await;
            }
            Ok(None) => {}
            Err(err) => {
                stats.dedup_failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(source = %source, error = %err, "dedup store unavailable, publishing anyway (the stream's duplicate window still guards)");
            }
        }
    }
    let format = kind.as_str();
    tracing::info!(source = %source, format, bytes = state.size, resume_at = resume.map(|r| r.next_index), "reading bulk file");
    {
        let mut files = stats.bulk.files.lock().unwrap_or_else(|p| p.into_inner());
        files.insert(
            source.clone(),
            FileProgress {
                source: source.clone(),
                format,
                bytes_read: resume.map(|r| r.offset).unwrap_or(0),
                bytes_total: state.size,
                published: 0,
                skipped: 0,
                failed: 0,
                records_per_sec: 0.0,
                eta_secs: None,
                started: Some(Instant::now()),
                bytes_at_start: resume.map(|r| r.offset).unwrap_or(0),
            },
        );
    }
    let limits = Limits {
        max_entry_bytes: inner.options.max_file_bytes,
        ..Limits::default()
    };
    let (tx, mut rx) = mpsc::channel::<Visited>(64);
    let reader = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            read_bulk(&path, kind, &limits, resume, &mut |visited| {
                if tx.blocking_send(visited).is_ok() {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            })
        })
    };
    let received_at = now_rfc3339();
    let in_flight = inner.options.bulk_in_flight.max(1);
    let mut window: FuturesOrdered<Pending<'_>> = FuturesOrdered::new();
    let mut acknowledged: Option<Resume> = None;
    let mut reported: Option<Resume> = None;
    let mut last_report = Instant::now();
    let mut failure: Option<SinkError> = None;
    let mut cancelled = false;
    let mut reading = true;
    let mut counts = (0u64, 0u64, 0u64);
    // An article read and waiting for room downstream (`Sink::room`); the reader stops at the
    // channel's bound meanwhile, so pacing also bounds what is read ahead.
    let mut held: Option<Visited> = None;
    loop {
        if !reading && window.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            _ = inner.cancel.cancelled(), if reading => {
                cancelled = true;
                reading = false;
                rx.close();
            }
            Some((visited, outcome)) = window.next(), if !window.is_empty() => {
                match outcome {
                    Ok(outcome) if failure.is_none() => {
                        let bulk = &stats.bulk;
                        let (label, field): (&'static str, usize) = match outcome {
                            Outcome::Published => {
                                bulk.records_published.fetch_add(1, Ordering::Relaxed);
                                ("published", 0)
                            }
                            Outcome::AlreadyPublished => {
                                bulk.records_already_published.fetch_add(1, Ordering::Relaxed);
                                ("already_published", 0)
                            }
                            Outcome::Skipped(reason) => {
                                bulk.records_skipped.fetch_add(1, Ordering::Relaxed);
                                (reason, 1)
                            }
                            Outcome::Failed => {
                                bulk.records_failed.fetch_add(1, Ordering::Relaxed);
                                ("failed", 2)
                            }
                        };
                        bulk.count(format, label);
                        match field {
                            0 => counts.0 += 1,
                            1 => counts.1 += 1,
                            _ => counts.2 += 1,
                        }
                        let bytes_read = visited.bytes_read;
                        bulk.update(&source, |file| {
                            file.bytes_read = file.bytes_read.max(bytes_read);
                            match field {
                                0 => file.published += 1,
                                1 => file.skipped += 1,
                                _ => file.failed += 1,
                            }
                        });
                        acknowledged = Some(visited.resume);
                        if last_report.elapsed() >= PROGRESS_EVERY {
                            last_report = Instant::now();
                            reported = acknowledged;
                            let _ = done_tx.send(Done::Progress { source: source.clone(), state, resume: visited.resume });
                        }
                    }
                    Ok(_) => {}
                    Err(err) => {
                        if failure.is_none() {
                            tracing::warn!(source = %source, record = %visited.item.locator(), error = %err, "hand-off of a bulk record failed, the file is taken again later from the last acknowledged record");
                            failure = Some(err);
                        }
                        reading = false;
                        rx.close();
                    }
                }
            }
            got = wait_for_room(inner.sink.as_ref(), stats, &inner.cancel), if reading && held.is_some() => {
                // Not got: shutting down, the cancel branch ends the read.
                if let (true, Some(visited)) = (got, held.take()) {
                    window.push_back(deliver(inner, &source, &container, &received_at, visited));
                }
            }
            visited = rx.recv(), if reading && held.is_none() && window.len() < in_flight => {
                match visited {
                    Some(visited) if matches!(visited.item, Item::Article(_)) => held = Some(visited),
                    Some(visited) => window.push_back(deliver(inner, &source, &container, &received_at, visited)),
                    None => reading = false,
                }
            }
            // acknowledged records not yet checkpointed while no more acks come (paused for
            // room downstream): report them a second after the last report, so a crash in a
            // long pause resumes from there, not from before it
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(last_report + PROGRESS_EVERY)), if acknowledged != reported => {
                if let Some(resume) = acknowledged {
                    last_report = Instant::now();
                    reported = acknowledged;
                    let _ = done_tx.send(Done::Progress { source: source.clone(), state, resume });
                }
            }
        }
    }
    drop(rx);
    let read = reader.await;
    if acknowledged.is_some() && acknowledged != reported {
        if let Some(resume) = acknowledged {
            let _ = done_tx.send(Done::Progress {
                source: source.clone(),
                state,
                resume,
            });
        }
    }
    stats
        .bulk
        .files
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&source);
    if cancelled || failure.is_some() {
        tracing::info!(source = %source, published = counts.0, skipped = counts.1, failed = counts.2, next = acknowledged.map(|r| r.next_index), "bulk file left part-way, its position kept");
        return Done::Retry { source };
    }
    match read {
        Ok(Ok(Finished::Complete)) => {
            forget_read_failures(inner, &source);
            stats.published.fetch_add(1, Ordering::Relaxed);
            stats.bulk.files_done.fetch_add(1, Ordering::Relaxed);
            tracing::info!(source = %source, format, published = counts.0, skipped = counts.1, failed = counts.2, "bulk file published");
            if let Err(err) = inner.dedup.record(&container, &source).await {
                stats.dedup_failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(source = %source, error = %err, "cannot record a published bulk file in the dedup store");
            }
            after_publish(inner, path, source, state, &container).await
        }
        Ok(Ok(Finished::Stopped)) | Err(_) => Done::Retry { source },
        // Not a file of its kind at all (a zip without its directory), before any record went
        // out: the whole file is rejected.
        Ok(Err(err @ BulkError::Format { .. })) if acknowledged.is_none() && resume.is_none() => {
            let found = rejection(
                &source,
                state,
                "unreadable",
                format!("{format} file cannot be read: {err}"),
            );
            let Found::Rejected(rejected) = found else {
                return Done::Retry { source };
            };
            reject(inner, path, source, state, rejected).await
        }
        Ok(Err(err)) => {
            let failed = ReadFailure {
                source,
                state,
                format,
                container: &container,
                at: acknowledged.or(resume),
                error: err,
            };
            read_failed(inner, path, failed).await
        }
    }
}

/// Failed reads of one bulk file (unchanged) before it gets an error record and is left alone.
pub(crate) const MAX_READ_ATTEMPTS: u32 = 5;

/// A read of a bulk file that stopped with an error.
struct ReadFailure<'a> {
    source: String,
    state: FileState,
    format: &'static str,
    container: &'a str,
    /// Where the acknowledged part of the file ends (None: nothing of it went out).
    at: Option<Resume>,
    error: BulkError,
}

/// A read stopped by an I/O error part-way: the records before it are published and
/// acknowledged, and its position is in the local state (a `Progress` went out before this),
/// so the file is retried from there, never marked done or rejected as a whole. After
/// [`MAX_READ_ATTEMPTS`] failed reads of the same file, one error record names the record it
/// cannot be read from, and the file is remembered as it is (a changed file is read again).
async fn read_failed<S: Sink, D: Dedup>(
    inner: &Inner<S, D>,
    path: PathBuf,
    failed: ReadFailure<'_>,
) -> Done {
    let ReadFailure {
        source,
        state,
        format,
        container,
        at,
        error,
    } = failed;
    let attempts = {
        let mut failures = inner
            .read_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let entry = failures.entry(source.clone()).or_insert((state, 0));
        if entry.0 != state {
            *entry = (state, 0);
        }
        entry.1 += 1;
        entry.1
    };
    let next = at.map(|resume| resume.next_index).unwrap_or(0);
    let offset = at.map(|resume| resume.offset).unwrap_or(0);
    if attempts < MAX_READ_ATTEMPTS {
        tracing::warn!(source = %source, attempt = attempts, next, error = %error, "bulk file read failed part-way, retried later from its acknowledged position");
        return Done::Retry { source };
    }
    let message = format!(
        "{format} file cannot be read from record {next} (byte {offset}) on, {attempts} reads failed; the records before it were handed on: {error}"
    );
    tracing::error!(source = %source, next, attempts, error = %error, "bulk file unreadable from a record on, an error record names it");
    if at.is_none() {
        // Nothing of it went out: the file is rejected whole (moved to rejected/ if so set).
        forget_read_failures(inner, &source);
        let Found::Rejected(rejected) = rejection(&source, state, "unreadable", message) else {
            return Done::Retry { source };
        };
        return reject(inner, path, source, state, rejected).await;
    }
    let record = Rejection {
        id: entry_id(b"unreadable", &format!("{container}#{next}")),
        source: source.clone(),
        kind: "unreadable",
        message: format!("{source}: {message}"),
        received_at: now_rfc3339(),
    };
    match inner.sink.deliver(Found::Rejected(record)).await {
        Ok(_) => {
            forget_read_failures(inner, &source);
            let bulk = &inner.stats.bulk;
            bulk.records_failed.fetch_add(1, Ordering::Relaxed);
            bulk.count(format, "unreadable");
            // Kept where it is and remembered: part of it was published, so it is neither
            // done nor rejected as a whole.
            Done::Handled { source, state }
        }
        Err(err) => {
            inner.stats.sink_failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(source = %source, error = %err, "hand-off of an error record failed, will retry");
            Done::Retry { source }
        }
    }
}

fn forget_read_failures<S, D>(inner: &Inner<S, D>, source: &str) {
    inner
        .read_failures
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(source);
}

/// Reads a bulk file with `newsflow_bulk::read_path`; in unit tests, a fault can make the read
/// fail part-way (see `tests::fail_reads`).
fn read_bulk(
    path: &std::path::Path,
    kind: BulkKind,
    limits: &Limits,
    resume: Option<Resume>,
    visit: &mut newsflow_bulk::Visitor<'_>,
) -> Result<Finished, BulkError> {
    #[cfg(test)]
    if let Some(after) = tests::take_fault(path) {
        let mut seen = 0u64;
        let mut injected = false;
        let read = newsflow_bulk::read_path(path, kind, limits, resume, &mut |visited| {
            if seen == after {
                injected = true;
                return ControlFlow::Break(());
            }
            seen += 1;
            visit(visited)
        });
        if injected {
            return Err(BulkError::Io {
                path: path.display().to_string(),
                source: std::io::Error::other("injected read error"),
            });
        }
        return read;
    }
    newsflow_bulk::read_path(path, kind, limits, resume, visit)
}

/// The message of one item, handed to the sink; resolves once it is acknowledged.
fn deliver<'a, S: Sink, D: Dedup>(
    inner: &'a Inner<S, D>,
    source: &str,
    container: &str,
    received_at: &str,
    visited: Visited,
) -> Pending<'a> {
    let found = match &visited.item {
        Item::Article(entry) => Some(Found::Article(FoundArticle {
            id: entry_id(&entry.bytes, &format!("{container}{}", entry.locator)),
            source: format!("{source}{}", entry.locator),
            format: entry.format,
            bytes: entry.bytes.clone(),
            received_at: received_at.to_string(),
            hints: ArticleHints {
                url: entry.url.clone(),
                fetched_at: entry.fetched_at.clone(),
                charset: entry.charset.clone(),
            },
        })),
        Item::Failed {
            locator,
            kind,
            message,
        } => Some(Found::Rejected(Rejection {
            id: entry_id(kind.as_bytes(), &format!("{container}{locator}")),
            source: format!("{source}{locator}"),
            kind,
            message: format!("{source}: {message}"),
            received_at: received_at.to_string(),
        })),
        Item::Skipped { .. } => None,
    };
    let sink = &inner.sink;
    Box::pin(async move {
        let outcome = match found {
            None => match &visited.item {
                Item::Skipped { reason, .. } => Ok(Outcome::Skipped(reason.as_str())),
                _ => Ok(Outcome::Failed),
            },
            Some(found @ Found::Rejected(_)) => sink.deliver(found).await.map(|_| Outcome::Failed),
            Some(found) => sink.deliver(found).await.map(|delivered| match delivered {
                Delivered::Stored => Outcome::Published,
                Delivered::AlreadyStored => Outcome::AlreadyPublished,
            }),
        };
        (visited, outcome)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::{run, AfterPublish, MemoryDedup, WatchOptions, WatchStats};

    /// Faults to inject: file name → (reads still to fail, items each failing read hands out).
    static FAULTS: Mutex<Vec<(String, u32, u64)>> = Mutex::new(Vec::new());

    /// The next `reads` reads of the file named `name` fail after handing out `after` items.
    fn fail_reads(name: &str, reads: u32, after: u64) {
        let mut faults = FAULTS.lock().unwrap();
        faults.retain(|(file, _, _)| file != name);
        faults.push((name.to_string(), reads, after));
    }

    pub(super) fn take_fault(path: &Path) -> Option<u64> {
        let name = path.file_name()?.to_string_lossy();
        let mut faults = FAULTS.lock().unwrap_or_else(|p| p.into_inner());
        let fault = faults.iter_mut().find(|(file, _, _)| *file == name)?;
        if fault.1 == 0 {
            return None;
        }
        fault.1 -= 1;
        Some(fault.2)
    }

    #[derive(Default)]
    struct Recorder {
        found: Mutex<Vec<Found>>,
    }

    impl Sink for Recorder {
        async fn deliver(&self, found: Found) -> Result<Delivered, SinkError> {
            self.found.lock().unwrap().push(found);
            Ok(Delivered::Stored)
        }
    }

    impl Recorder {
        /// Articles by source with how often each was handed on, and the error records.
        fn outline(&self) -> (HashMap<String, usize>, Vec<Rejection>) {
            let found = self.found.lock().unwrap();
            let mut articles = HashMap::new();
            let mut rejected = Vec::new();
            for found in found.iter() {
                match found {
                    Found::Article(article) => {
                        *articles.entry(article.source.clone()).or_default() += 1
                    }
                    Found::Rejected(rejection) => rejected.push(rejection.clone()),
                }
            }
            (articles, rejected)
        }
    }

    fn options(inbox: &Path, state: &Path) -> WatchOptions {
        WatchOptions {
            inbox: inbox.to_path_buf(),
            state_dir: state.to_path_buf(),
            stream_identity: "stream-1".to_string(),
            max_file_bytes: 1000,
            max_bulk_file_bytes: 0,
            bulk_in_flight: 4,
            rescan_every: Duration::from_millis(100),
            settle: Duration::from_millis(50),
            max_in_flight: 4,
            checkpoint_every: Duration::from_millis(20),
            after_publish: AfterPublish::Keep,
            move_rejected: true,
            state_write_delay: Duration::ZERO,
        }
    }

    fn jsonl(lines: usize) -> String {
        (1..=lines)
            .map(|n| format!("{{\"title\":\"Story {n}\",\"body\":\"Story {n} happened.\"}}\n"))
            .collect()
    }

    /// Runs a watcher on an inbox holding `name` (`lines` JSON lines) until `until` holds or
    /// 10 s pass; returns the recorder, the stats and the inbox.
    async fn watch(
        name: &str,
        lines: usize,
        until: impl Fn(&Recorder) -> bool,
    ) -> (Arc<Recorder>, Arc<WatchStats>, tempfile::TempDir) {
        let running = Running::start(name, lines, Arc::new(Recorder::default()));
        let start = Instant::now();
        while !until(&running.sink) && start.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A few more rescans: nothing more may come.
        tokio::time::sleep(Duration::from_millis(500)).await;
        running.cancel.cancel();
        running.handle.await.unwrap().unwrap();
        (running.sink, running.stats, running.temp)
    }

    use tokio_util::sync::CancellationToken;

    /// A sink with room for as many articles as were granted (`Sink::room`).
    struct Paced {
        recorder: Recorder,
        room: tokio::sync::Semaphore,
    }

    /// A watcher running on an inbox holding `name` (`lines` JSON lines) into `sink`.
    struct Running<S> {
        temp: tempfile::TempDir,
        sink: Arc<S>,
        stats: Arc<WatchStats>,
        cancel: CancellationToken,
        handle: tokio::task::JoinHandle<Result<(), crate::WatchError>>,
    }

    impl<S: Sink> Running<S> {
        fn start(name: &str, lines: usize, sink: Arc<S>) -> Running<S> {
            let temp = tempfile::tempdir().unwrap();
            let inbox = temp.path().join("inbox");
            std::fs::create_dir_all(&inbox).unwrap();
            std::fs::write(inbox.join(name), jsonl(lines)).unwrap();
            let stats = Arc::new(WatchStats::default());
            let cancel = CancellationToken::new();
            let handle = tokio::spawn(run(
                options(&inbox, &temp.path().join("state")),
                sink.clone(),
                Arc::new(MemoryDedup::default()),
                stats.clone(),
                cancel.clone(),
            ));
            Running {
                temp,
                sink,
                stats,
                cancel,
                handle,
            }
        }

        fn inbox(&self) -> std::path::PathBuf {
            self.temp.path().join("inbox")
        }
    }

    /// A watcher on `many.jsonl` (`lines` JSON lines) into a [`Paced`] sink with room for
    /// `room` articles.
    fn paced(lines: usize, room: usize) -> Running<Paced> {
        let sink = Arc::new(Paced {
            recorder: Recorder::default(),
            room: tokio::sync::Semaphore::new(room),
        });
        Running::start("many.jsonl", lines, sink)
    }

    impl Sink for Paced {
        async fn deliver(&self, found: Found) -> Result<Delivered, SinkError> {
            self.recorder.deliver(found).await
        }

        async fn room(&self) {
            if let Ok(permit) = self.room.acquire().await {
                permit.forget();
            }
        }
    }

    /// Issue 15: a bulk file waits for room downstream, record by record: with room for 10
    /// articles, 10 go out and the watcher is paused; granted more, the rest flow, each once,
    /// and a single file dropped meanwhile also waits its turn.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bulk_file_waits_for_room_downstream() {
        let paced = paced(50, 10);
        let (sink, stats) = (&paced.sink, &paced.stats);
        let articles = || sink.recorder.outline().0.len();
        let start = Instant::now();
        while (articles() < 10 || !stats.pace.paused()) && start.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(articles(), 10);
        assert!(stats.pace.paused());
        std::fs::write(paced.inbox().join("single.txt"), "a single article").unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(articles(), 10, "the single file waits for room too");
        sink.room.add_permits(41);
        while articles() < 51 && start.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (found, rejected) = sink.recorder.outline();
        assert!(rejected.is_empty(), "{rejected:?}");
        assert_eq!(found.len(), 51, "{found:?}");
        assert!(found.values().all(|n| *n == 1), "{found:?}");
        assert!(!stats.pace.paused());
        assert!(stats.pace.paused_ms_total() >= 300);
        paced.cancel.cancel();
        paced.handle.await.unwrap().unwrap();
    }

    /// A watcher waiting for room stops at once on shutdown, its acknowledged position kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_watcher_waiting_for_room_stops_on_shutdown() {
        let paced = paced(20, 3);
        let start = Instant::now();
        while !paced.stats.pace.paused() && start.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        paced.cancel.cancel();
        tokio::time::timeout(Duration::from_secs(5), paced.handle)
            .await
            .expect("stops while paused")
            .unwrap()
            .unwrap();
        assert_eq!(paced.sink.recorder.outline().0.len(), 3);
        assert!(!paced.stats.pace.paused());
    }

    /// Issue 15: a read that fails part-way, after records went out, keeps the file's position
    /// and the next read goes on from there: every record once, no error record, and the file
    /// is not taken as rejected (before the fix the whole file was rejected and the rest lost).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_error_part_way_resumes_at_the_acknowledged_record() {
        fail_reads("flaky.jsonl", 2, 15);
        let (recorder, stats, temp) = watch("flaky.jsonl", 40, |r| r.outline().0.len() >= 40).await;
        let (articles, rejected) = recorder.outline();
        assert!(rejected.is_empty(), "{rejected:?}");
        assert_eq!(articles.len(), 40, "{articles:?}");
        let doubled: Vec<_> = articles.iter().filter(|(_, n)| **n > 1).collect();
        assert!(doubled.is_empty(), "handed on twice: {doubled:?}");
        assert_eq!(stats.bulk.files_done.load(Ordering::Relaxed), 1);
        assert!(temp.path().join("inbox/flaky.jsonl").exists());
    }

    /// A file whose reads keep failing gets one error record, after MAX_READ_ATTEMPTS reads,
    /// naming the record it cannot be read from; the records before it went out once each, and
    /// the file stays in the inbox (not moved to rejected/: part of it was published).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_file_that_keeps_failing_gets_one_error_record_naming_where() {
        fail_reads("broken.jsonl", 1000, 5);
        let (recorder, _stats, temp) =
            watch("broken.jsonl", 40, |r| !r.outline().1.is_empty()).await;
        let (articles, rejected) = recorder.outline();
        // Each read hands out 5 records from the acknowledged position on.
        assert_eq!(
            articles.len(),
            5 * MAX_READ_ATTEMPTS as usize,
            "{articles:?}"
        );
        assert!(articles.values().all(|n| *n == 1), "{articles:?}");
        assert_eq!(rejected.len(), 1, "{rejected:?}");
        assert_eq!(rejected[0].kind, "unreadable");
        let from = format!("from record {} ", 5 * MAX_READ_ATTEMPTS);
        assert!(
            rejected[0].message.contains(&from),
            "{}",
            rejected[0].message
        );
        assert!(temp.path().join("inbox/broken.jsonl").exists());
        assert!(!temp.path().join("inbox/rejected").exists());
    }
}
