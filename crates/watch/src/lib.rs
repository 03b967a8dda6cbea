//! Watches the inbox folder and hands every finished article file to a [`Sink`], once.
//!
//! Layout:
//! - notify (inotify) events are the fast path: a file is ready when it is closed after writing
//!   or renamed into the folder (a rename-in gives no close event on Linux).
//! - A periodic rescan is the safety net: it finds files dropped while the daemon was down or
//!   whose events were lost, taking them only once they have settled.
//! - [`checkpoint`]: a crash-safe record of what was handed on, written only after the sink
//!   confirmed, so a restart neither misses nor repeats a file.
//!
//! The watcher knows nothing of NATS: the binary plugs a JetStream publisher in as the sink.

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

use crate::checkpoint::{Checkpoint, FileState};

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

/// Where found files go. `deliver` returns only once the file is safely stored downstream.
pub trait Sink: Send + Sync + 'static {
    fn deliver(&self, found: Found) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// Watcher settings.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub inbox: PathBuf,
    pub checkpoint_path: PathBuf,
    pub max_file_bytes: u64,
    pub rescan_every: Duration,
    pub settle: Duration,
    pub max_in_flight: usize,
    pub checkpoint_every: Duration,
}

/// Counters for progress displays and metrics.
#[derive(Debug, Default)]
pub struct WatchStats {
    pub seen: AtomicU64,
    pub published: AtomicU64,
    pub rejected: AtomicU64,
    pub duplicates: AtomicU64,
    pub sink_failures: AtomicU64,
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
    /// Handed on (or recognised as already handed on): remember it.
    Handled {
        source: String,
        state: FileState,
        id: Option<String>,
    },
    /// Not ready or the sink failed: forget it for now, a later event or rescan retries.
    Retry { source: String },
}

struct Inner<S> {
    /// Ids handed on or being handed on: a second file with the same bytes is a duplicate.
    claimed_ids: Mutex<HashSet<String>>,
    options: WatchOptions,
    inbox_root: PathBuf,
    sink: Arc<S>,
    stats: Arc<WatchStats>,
}

/// Runs the watcher until `cancel` fires. Flushes the checkpoint before returning.
pub async fn run<S: Sink>(
    options: WatchOptions,
    sink: Arc<S>,
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
    let mut checkpoint = Checkpoint::load(&options.checkpoint_path)?;

    let (event_tx, mut event_rx) = mpsc::channel::<notify::Result<notify::Event>>(4096);
    let mut watcher = notify::recommended_watcher(move |event| {
        // Blocking here is the backpressure: the kernel queue buffers, and an overflow is
        // reported as a rescan request.
        let _ = event_tx.blocking_send(event);
    })?;
    watcher.watch(&inbox_root, RecursiveMode::Recursive)?;

    let inner = Arc::new(Inner {
        claimed_ids: Mutex::new(checkpoint.state.ids.keys().cloned().collect()),
        options: options.clone(),
        inbox_root: inbox_root.clone(),
        sink,
        stats,
    });
    let permits = Arc::new(Semaphore::new(options.max_in_flight.max(1)));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let mut in_flight: HashSet<String> = HashSet::new();
    let mut rescan = tokio::time::interval(options.rescan_every);
    // Files written to and not closed yet (a writer still has them open): a rescan leaves them
    // alone however long the writer pauses, up to WRITER_GRACE; the close event takes them.
    let mut writing: HashMap<PathBuf, Instant> = HashMap::new();
    let mut flush_tick = tokio::time::interval(options.checkpoint_every);
    tracing::info!(inbox = %inbox_root.display(), known_files = checkpoint.state.files.len(), "watcher started");

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
                forget_gone_files(&mut checkpoint, &inbox_root, &found, &in_flight);
                candidates.extend(found.into_iter().map(|path| (path, false)));
            }
            Some(done) = done_rx.recv() => {
                apply_done(&mut checkpoint, &mut in_flight, done);
            }
            _ = flush_tick.tick() => {
                if checkpoint.is_dirty() {
                    if let Err(err) = checkpoint.flush() {
                        tracing::error!(error = %err, "checkpoint write failed");
                    }
                }
            }
        }
        for (path, from_event) in candidates {
            if cancel.is_cancelled() {
                break;
            }
            if !from_event
                && writing
                    .get(&path)
                    .is_some_and(|since| since.elapsed() < WRITER_GRACE)
            {
                continue;
            }
            if let Some(directory) = path.is_dir().then_some(path.clone()) {
                // A folder moved or created in: files may have landed before its watch existed.
                let found = tokio::task::spawn_blocking(move || walk_files(&directory))
                    .await
                    .unwrap_or_default();
                for file in found {
                    consider(
                        &inner,
                        &checkpoint,
                        &mut in_flight,
                        &permits,
                        &done_tx,
                        file,
                        true,
                    )
                    .await;
                }
                continue;
            }
            consider(
                &inner,
                &checkpoint,
                &mut in_flight,
                &permits,
                &done_tx,
                path,
                from_event,
            )
            .await;
            while let Ok(done) = done_rx.try_recv() {
                apply_done(&mut checkpoint, &mut in_flight, done);
            }
        }
    }

    // Let in-flight deliveries finish so what was published is also checkpointed.
    drop(done_tx);
    let _ = permits
        .acquire_many(options.max_in_flight.max(1) as u32)
        .await;
    while let Ok(done) = done_rx.try_recv() {
        apply_done(&mut checkpoint, &mut in_flight, done);
    }
    checkpoint.flush()?;
    tracing::info!("watcher stopped");
    Ok(())
}

/// Forgets the files a full scan no longer finds (and that are not being handled), so the
/// checkpoint holds what is in the inbox, not every file ever taken. The content ids stay: a
/// file dropped again with the same bytes is still a duplicate, never published twice.
fn forget_gone_files(
    checkpoint: &mut Checkpoint,
    inbox_root: &Path,
    found: &[PathBuf],
    in_flight: &HashSet<String>,
) {
    // An unreadable inbox lists nothing; that is not "every file is gone".
    if std::fs::read_dir(inbox_root).is_err() {
        return;
    }
    let present: HashSet<String> = found
        .iter()
        .filter_map(|path| relative_source(inbox_root, path))
        .collect();
    let before = checkpoint.state.files.len();
    checkpoint
        .state
        .files
        .retain(|source, _| present.contains(source) || in_flight.contains(source));
    let forgotten = before - checkpoint.state.files.len();
    if forgotten > 0 {
        tracing::debug!(forgotten, "files gone from the inbox forgotten");
        checkpoint.mark_dirty();
    }
}

fn apply_done(checkpoint: &mut Checkpoint, in_flight: &mut HashSet<String>, done: Done) {
    match done {
        Done::Handled { source, state, id } => {
            in_flight.remove(&source);
            if let Some(id) = id {
                checkpoint
                    .state
                    .ids
                    .entry(id)
                    .or_insert_with(|| source.clone());
            }
            checkpoint.state.files.insert(source, state);
            checkpoint.mark_dirty();
        }
        Done::Retry { source } => {
            in_flight.remove(&source);
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
    Some(parts.join("/"))
}

async fn consider<S: Sink>(
    inner: &Arc<Inner<S>>,
    checkpoint: &Checkpoint,
    in_flight: &mut HashSet<String>,
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
    if in_flight.contains(&source) {
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
    if checkpoint.state.files.get(&source) == Some(&state) {
        return;
    }
    if !from_event {
        let age = link_metadata
            .modified()
            .ok()
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .unwrap_or_default();
        if age < inner.options.settle {
            return;
        }
    }
    let Ok(permit) = permits.clone().acquire_owned().await else {
        return;
    };
    in_flight.insert(source.clone());
    let inner = inner.clone();
    let done_tx = done_tx.clone();
    tokio::spawn(async move {
        let done = take_file(&inner, path, source, state).await;
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

/// Checks, reads and hands on one file; runs as its own task.
async fn take_file<S: Sink>(
    inner: &Inner<S>,
    path: PathBuf,
    source: String,
    state: FileState,
) -> Done {
    inner.stats.seen.fetch_add(1, Ordering::Relaxed);
    let checked = {
        let root = inner.inbox_root.clone();
        let max = inner.options.max_file_bytes;
        let path = path.clone();
        let source = source.clone();
        tokio::task::spawn_blocking(move || check_and_read(&root, &path, &source, state, max)).await
    };
    let found = match checked {
        Ok(Ok(found)) => found,
        Ok(Err(NotReady)) | Err(_) => return Done::Retry { source },
    };
    let mut claimed_id = None;
    if let Found::Article(article) = &found {
        let mut claimed = inner.claimed_ids.lock().unwrap_or_else(|p| p.into_inner());
        if !claimed.insert(article.id.clone()) {
            inner.stats.duplicates.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(source = %source, id = %article.id, "same bytes as an earlier file, skipped");
            return Done::Handled {
                source,
                state,
                id: None,
            };
        }
        claimed_id = Some(article.id.clone());
    }
    let is_article = claimed_id.is_some();
    match inner.sink.deliver(found).await {
        Ok(()) => {
            if is_article {
                inner.stats.published.fetch_add(1, Ordering::Relaxed);
            } else {
                inner.stats.rejected.fetch_add(1, Ordering::Relaxed);
            }
            Done::Handled {
                source,
                state,
                id: claimed_id,
            }
        }
        Err(err) => {
            inner.stats.sink_failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(source = %source, error = %err, "hand-off failed, will retry");
            if let Some(id) = claimed_id {
                let mut claimed = inner.claimed_ids.lock().unwrap_or_else(|p| p.into_inner());
                claimed.remove(&id);
            }
            Done::Retry { source }
        }
    }
}

/// The file changed or vanished while being looked at: try again later.
struct NotReady;

fn check_and_read(
    root: &Path,
    path: &Path,
    source: &str,
    state: FileState,
    max_file_bytes: u64,
) -> Result<Found, NotReady> {
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
    let Some(format) = Format::from_file_name(source) else {
        return Ok(rejection(
            source,
            state,
            "unsupported_format",
            "accepted inputs are .txt, .html, .htm, .json, optionally .gz".to_string(),
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
    Ok(Found::Article(FoundArticle {
        id: article_id(&bytes),
        source: source.to_string(),
        format,
        bytes,
        received_at: now_rfc3339(),
    }))
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
    }
}
