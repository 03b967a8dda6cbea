//! The watcher against a real folder and inotify, with a sink that records what it got.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use newsflow_watch::{run, Found, Sink, SinkError, WatchOptions, WatchStats};
use tokio_util::sync::CancellationToken;

#[derive(Default)]
struct Recorder {
    found: Mutex<Vec<Found>>,
}

impl Sink for Recorder {
    async fn deliver(&self, found: Found) -> Result<(), SinkError> {
        self.found.lock().unwrap().push(found);
        Ok(())
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
        checkpoint_path: state.join("checkpoint.json"),
        max_file_bytes: 1000,
        rescan_every: Duration::from_millis(300),
        settle: Duration::from_millis(100),
        max_in_flight: 4,
        checkpoint_every: Duration::from_millis(50),
    }
}

/// Starts the watcher on `inbox` (checkpoint under `state`), recording what it hands on.
fn start(
    inbox: &std::path::Path,
    state: &std::path::Path,
) -> (
    Arc<Recorder>,
    CancellationToken,
    tokio::task::JoinHandle<Result<(), newsflow_watch::WatchError>>,
) {
    let recorder = Arc::new(Recorder::default());
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(run(
        options(inbox, state),
        recorder.clone(),
        Arc::new(WatchStats::default()),
        cancel.clone(),
    ));
    (recorder, cancel, handle)
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
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("checkpoint.json")).unwrap()).unwrap();
    let files: Vec<&String> = stored["files"].as_object().unwrap().keys().collect();
    assert_eq!(files, ["a0.txt", "a4.txt"], "{stored}");
    assert_eq!(stored["ids"].as_object().unwrap().len(), 5, "{stored}");
}
