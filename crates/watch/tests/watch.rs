//! The watcher against a real folder and inotify, with a sink that records what it got.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use newsflow_watch::checkpoint::{log_path, Checkpoint, Scope};
use newsflow_watch::{
    run, AfterPublish, Delivered, Found, MemoryDedup, Sink, SinkError, WatchOptions, WatchStats,
};
use tokio_util::sync::CancellationToken;

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
    fn sources(&self) -> Vec<(String, bool)> {
        let found = self.found.lock().unwrap();
        let mut sources: Vec<(String, bool)> = found
            .iter()
            .map(|found| match found {
                Found::Article(article) => (article.source.clone(), true),
                Found::Rejected(rejection) => (rejection.source.clone(), false),
            })
            .collect();
        sources.sort();
        sources
    }
}

fn options(inbox: &std::path::Path, state: &std::path::Path) -> WatchOptions {
    WatchOptions {
        inbox: inbox.to_path_buf(),
        state_dir: state.to_path_buf(),
        stream_identity: "stream-1".to_string(),
        max_file_bytes: 1000,
        rescan_every: Duration::from_millis(300),
        settle: Duration::from_millis(100),
        max_in_flight: 4,
        checkpoint_every: Duration::from_millis(50),
        after_publish: AfterPublish::Keep,
        move_rejected: false,
        state_write_delay: Duration::ZERO,
        max_bulk_file_bytes: 0,
        bulk_in_flight: 64,
    }
}

type Handle = tokio::task::JoinHandle<Result<(), newsflow_watch::WatchError>>;

/// Starts the watcher on `inbox` (state under `state`), recording what it hands on.
fn start(
    inbox: &std::path::Path,
    state: &std::path::Path,
) -> (Arc<Recorder>, CancellationToken, Handle) {
    let (recorder, _, cancel, handle) =
        start_with(options(inbox, state), Arc::new(MemoryDedup::default()));
    (recorder, cancel, handle)
}

/// Starts the watcher with these options and dedup store; returns its stats too.
fn start_with(
    options: WatchOptions,
    dedup: Arc<MemoryDedup>,
) -> (Arc<Recorder>, Arc<WatchStats>, CancellationToken, Handle) {
    let recorder = Arc::new(Recorder::default());
    let stats = Arc::new(WatchStats::default());
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(run(
        options,
        recorder.clone(),
        dedup,
        stats.clone(),
        cancel.clone(),
    ));
    (recorder, stats, cancel, handle)
}

async fn wait_for(recorder: &Recorder, count: usize) {
    for _ in 0..100 {
        if recorder.found.lock().unwrap().len() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn files_written_renamed_duplicated_and_rejected() {
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("inbox");
    let state = temp.path().join("state");
    std::fs::create_dir_all(&inbox).unwrap();
    // Present before the watcher starts: found by the first scan.
    std::fs::write(inbox.join("early.txt"), "early article").unwrap();
    let (recorder, cancel, handle) = start(&inbox, &state);
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::write(inbox.join("a.txt"), "article a").unwrap();
    std::fs::write(inbox.join("a-copy.txt"), "article a").unwrap();
    std::fs::write(temp.path().join("outside.tmp"), "renamed in").unwrap();
    std::fs::rename(temp.path().join("outside.tmp"), inbox.join("moved.html")).unwrap();
    std::fs::write(inbox.join("partial.part"), "ignored").unwrap();
    std::fs::write(inbox.join("picture.png"), "not an article").unwrap();
    std::fs::write(inbox.join("big.txt"), vec![b'x'; 2000]).unwrap();
    std::fs::write(temp.path().join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(temp.path().join("secret.txt"), inbox.join("link.txt")).unwrap();
    std::fs::create_dir_all(inbox.join("sub")).unwrap();
    std::fs::write(inbox.join("sub/deep.json"), "{}").unwrap();
    wait_for(&recorder, 7).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    cancel.cancel();
    handle.await.unwrap().unwrap();

    let got = recorder.sources();
    let expected: Vec<(String, bool)> = vec![
        ("a.txt".into(), true),
        ("big.txt".into(), false),
        ("early.txt".into(), true),
        ("link.txt".into(), false),
        ("moved.html".into(), true),
        ("picture.png".into(), false),
        ("sub/deep.json".into(), true),
    ];
    // a-copy.txt has the same bytes as a.txt: one of the two is published, not both.
    let mut without_copy: Vec<(String, bool)> = got
        .iter()
        .filter(|(source, _)| source != "a-copy.txt")
        .cloned()
        .collect();
    if !without_copy.iter().any(|(s, _)| s == "a.txt") {
        without_copy.push(("a.txt".into(), true));
        without_copy.sort();
    }
    assert_eq!(without_copy, expected, "got {got:?}");
    assert_eq!(got.len(), 7, "duplicate bytes published twice: {got:?}");
    let rejected_kinds: Vec<&'static str> = recorder
        .found
        .lock()
        .unwrap()
        .iter()
        .filter_map(|found| match found {
            Found::Rejected(rejection) => Some(rejection.kind),
            Found::Article(_) => None,
        })
        .collect();
    assert!(rejected_kinds.contains(&"symlink_outside_inbox"));
    assert!(rejected_kinds.contains(&"too_large"));
    assert!(rejected_kinds.contains(&"unsupported_format"));

    // Restart: nothing is handed on again, and a file dropped while down is picked up.
    std::fs::write(inbox.join("while-down.txt"), "dropped while down").unwrap();
    std::fs::write(inbox.join("a.txt"), "article a, second version").unwrap();
    let (second, cancel, handle) = start(&inbox, &state);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    cancel.cancel();
    handle.await.unwrap().unwrap();
    assert_eq!(
        second.sources(),
        vec![
            ("a.txt".to_string(), true),
            ("while-down.txt".to_string(), true)
        ]
    );
}

#[tokio::test]
async fn a_file_still_being_written_is_taken_once_whole_after_close() {
    use std::io::Write;
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("inbox");
    let state = temp.path().join("state");
    std::fs::create_dir_all(&inbox).unwrap();
    let (recorder, cancel, handle) = start(&inbox, &state);
    tokio::time::sleep(Duration::from_millis(400)).await;
    // A slow writer: pauses far longer than `settle` and several rescans between its writes.
    let mut file = std::fs::File::create(inbox.join("slow.txt")).unwrap();
    file.write_all(b"first half of the article, ").unwrap();
    file.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        recorder.found.lock().unwrap().is_empty(),
        "a file still open for writing was taken half-written"
    );
    file.write_all(b"and the second half.").unwrap();
    drop(file);
    wait_for(&recorder, 1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    cancel.cancel();
    handle.await.unwrap().unwrap();
    let found = recorder.found.lock().unwrap();
    assert_eq!(found.len(), 1, "taken more than once");
    match &found[0] {
        Found::Article(article) => assert_eq!(
            article.bytes.as_slice(),
            b"first half of the article, and the second half."
        ),
        Found::Rejected(rejection) => panic!("rejected: {}", rejection.message),
    }
}

#[tokio::test]
async fn files_gone_from_the_inbox_are_forgotten_but_their_content_stays_known() {
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("inbox");
    let state = temp.path().join("state");
    std::fs::create_dir_all(&inbox).unwrap();
    let (recorder, cancel, handle) = start(&inbox, &state);
    tokio::time::sleep(Duration::from_millis(400)).await;
    for n in 0..5 {
        std::fs::write(inbox.join(format!("a{n}.txt")), format!("article {n}")).unwrap();
    }
    wait_for(&recorder, 5).await;
    for n in 0..4 {
        std::fs::remove_file(inbox.join(format!("a{n}.txt"))).unwrap();
    }
    // Rescans every 300 ms; the checkpoint is written every 50 ms.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    // The same bytes again under a gone name: known content, not published again.
    std::fs::write(inbox.join("a0.txt"), "article 0").unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    cancel.cancel();
    handle.await.unwrap().unwrap();

    assert_eq!(
        recorder.found.lock().unwrap().len(),
        5,
        "{:?}",
        recorder.sources()
    );
    let files = state_files(&inbox, &state);
    assert_eq!(files, ["a0.txt", "a4.txt"]);
}

/// The files in the local state of `inbox`, sorted.
fn state_files(inbox: &std::path::Path, state: &std::path::Path) -> Vec<String> {
    let canonical = inbox.canonicalize().unwrap();
    let path = log_path(state, &canonical);
    let loaded = Checkpoint::load(
        &path,
        Scope {
            inbox: canonical.to_string_lossy().into_owned(),
            stream: "stream-1".to_string(),
        },
    )
    .unwrap();
    assert!(loaded.discarded.is_none(), "{:?}", loaded.discarded);
    let mut files: Vec<String> = loaded.checkpoint.sources().cloned().collect();
    files.sort();
    files
}

async fn stop(cancel: CancellationToken, handle: Handle) {
    cancel.cancel();
    handle.await.unwrap().unwrap();
}

fn count(stat: &std::sync::atomic::AtomicU64) -> u64 {
    stat.load(std::sync::atomic::Ordering::Relaxed)
}

#[tokio::test]
async fn delete_mode_removes_published_files_and_keeps_the_state_empty() {
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("inbox");
    let state = temp.path().join("state");
    std::fs::create_dir_all(&inbox).unwrap();
    let mut options = options(&inbox, &state);
    options.after_publish = AfterPublish::Delete;
    let (recorder, stats, cancel, handle) = start_with(options, Arc::new(MemoryDedup::default()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    for n in 0..20 {
        std::fs::write(inbox.join(format!("a{n}.txt")), format!("article {n}")).unwrap();
    }
    std::fs::write(inbox.join("copy.txt"), "article 3").unwrap();
    std::fs::write(inbox.join("picture.png"), "not an article").unwrap();
    wait_for(&recorder, 21).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop(cancel, handle).await;
    assert_eq!(recorder.found.lock().unwrap().len(), 21);
    let left: Vec<String> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // The duplicate is deleted too (its bytes are published); the rejected file is kept.
    assert_eq!(left, ["picture.png"]);
    assert_eq!(count(&stats.published), 20);
    assert_eq!(count(&stats.duplicates), 1);
    assert_eq!(count(&stats.rejected), 1);
    assert_eq!(count(&stats.removed), 21);
    assert_eq!(state_files(&inbox, &state), ["picture.png"]);
}

#[tokio::test]
async fn move_mode_fills_done_and_rejected_which_are_never_read() {
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("inbox");
    let state = temp.path().join("state");
    std::fs::create_dir_all(inbox.join("done")).unwrap();
    // Already in done/ before the start: never read.
    std::fs::write(inbox.join("done/old.txt"), "an old article").unwrap();
    let mut options = options(&inbox, &state);
    options.after_publish = AfterPublish::Move { dated: true };
    options.move_rejected = true;
    let (recorder, stats, cancel, handle) = start_with(options, Arc::new(MemoryDedup::default()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::create_dir_all(inbox.join("sub")).unwrap();
    std::fs::write(inbox.join("sub/a.txt"), "article a").unwrap();
    std::fs::write(inbox.join("b.txt"), "article b").unwrap();
    std::fs::write(inbox.join("picture.png"), "not an article").unwrap();
    wait_for(&recorder, 3).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop(cancel, handle).await;
    assert_eq!(
        recorder.sources(),
        vec![
            ("b.txt".to_string(), true),
            ("picture.png".to_string(), false),
            ("sub/a.txt".to_string(), true)
        ]
    );
    let today = {
        let date = time_today();
        inbox.join("done").join(date)
    };
    assert_eq!(
        std::fs::read_to_string(today.join("sub/a.txt")).unwrap(),
        "article a"
    );
    assert!(today.join("b.txt").exists());
    assert!(!inbox.join("b.txt").exists());
    assert!(inbox.join("rejected/picture.png").exists());
    let sidecar: serde_json::Value = serde_json::from_slice(
        &std::fs::read(inbox.join("rejected/picture.png.error.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sidecar["kind"], "unsupported_format");
    let rejected_id = recorder
        .found
        .lock()
        .unwrap()
        .iter()
        .find_map(|found| match found {
            Found::Rejected(rejection) => Some(rejection.id.clone()),
            Found::Article(_) => None,
        })
        .unwrap();
    assert_eq!(sidecar["id"], rejected_id.as_str());
    assert_eq!(count(&stats.removed), 3);
    assert!(state_files(&inbox, &state).is_empty());
}

fn time_today() -> String {
    let output = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[tokio::test]
async fn a_lost_state_or_a_new_stream_is_told_apart_by_the_dedup_store() {
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("inbox");
    let state = temp.path().join("state");
    std::fs::create_dir_all(&inbox).unwrap();
    for n in 0..5 {
        std::fs::write(inbox.join(format!("a{n}.txt")), format!("article {n}")).unwrap();
    }
    let dedup = Arc::new(MemoryDedup::default());
    let mut options = options(&inbox, &state);
    options.settle = Duration::ZERO;
    let (recorder, _, cancel, handle) = start_with(options.clone(), dedup.clone());
    wait_for(&recorder, 5).await;
    stop(cancel, handle).await;
    assert_eq!(recorder.found.lock().unwrap().len(), 5);

    // The local state is lost (another machine, a wiped state_dir): the shared dedup store
    // still knows every file, so nothing is handed on again, and each is counted.
    std::fs::remove_dir_all(&state).unwrap();
    let (again, stats, cancel, handle) = start_with(options.clone(), dedup.clone());
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop(cancel, handle).await;
    assert!(again.found.lock().unwrap().is_empty());
    assert_eq!(count(&stats.already_published), 5);

    // A new stream (and so a new dedup scope): the local state of the old one is not applied,
    // every file is offered again.
    options.stream_identity = "stream-2".to_string();
    let (fresh, _, cancel, handle) = start_with(options, Arc::new(MemoryDedup::default()));
    wait_for(&fresh, 5).await;
    stop(cancel, handle).await;
    assert_eq!(fresh.found.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn files_keep_flowing_while_a_state_write_is_slow() {
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("inbox");
    let state = temp.path().join("state");
    std::fs::create_dir_all(&inbox).unwrap();
    let mut options = options(&inbox, &state);
    // Every state write (append and fsync) takes 3 s: a disk stalled by another process.
    options.state_write_delay = Duration::from_secs(3);
    let (recorder, _, cancel, handle) = start_with(options, Arc::new(MemoryDedup::default()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::write(inbox.join("first.txt"), "first article").unwrap();
    wait_for(&recorder, 1).await;
    // The first state write has started and sleeps; files dropped now are still taken at once.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let dropped = std::time::Instant::now();
    for n in 0..10 {
        std::fs::write(inbox.join(format!("b{n}.txt")), format!("article {n}")).unwrap();
    }
    wait_for(&recorder, 11).await;
    let took = dropped.elapsed();
    assert_eq!(recorder.found.lock().unwrap().len(), 11);
    assert!(
        took < Duration::from_millis(1500),
        "files waited for the state write: {took:?}"
    );
    // Shutdown waits for the slow writes, and then everything is on disk.
    stop(cancel, handle).await;
    assert_eq!(state_files(&inbox, &state).len(), 11);
}

/// A file younger than `settle` when the first scan finds it, and with no event of its own
/// (it was written before the watch existed), is taken once it has settled, not a whole
/// rescan interval later.
#[tokio::test]
async fn a_young_file_found_by_a_scan_is_taken_once_settled_not_a_rescan_later() {
    let temp = tempfile::tempdir().unwrap();
    let inbox = temp.path().join("inbox");
    let state = temp.path().join("state");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("young.txt"), "a young article").unwrap();
    let mut options = options(&inbox, &state);
    options.rescan_every = Duration::from_secs(600);
    options.settle = Duration::from_secs(2);
    let (recorder, stats, cancel, handle) = start_with(options, Arc::new(MemoryDedup::default()));
    let started = std::time::Instant::now();
    while recorder.found.lock().unwrap().is_empty() && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waited = started.elapsed();
    cancel.cancel();
    handle.await.unwrap().unwrap();
    assert_eq!(recorder.sources(), vec![("young.txt".to_string(), true)]);
    assert!(waited < Duration::from_secs(8), "taken after {waited:?}");
    assert_eq!(
        stats.too_young.load(std::sync::atomic::Ordering::Relaxed),
        1,
        "the first scan found it too young"
    );
}
