//! What the watcher does with duplicates, renames, bad files and its own restarts.

use std::time::Duration;

use crate::harness::{article, errors, results, seeds, Broker, Workspace};
use crate::pipeline::error_validator;

#[tokio::test(flavor = "multi_thread")]
async fn same_file_twice_gives_one_record_and_renamed_in_is_picked_up() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let _up = workspace.spawn(&["up", "--nats", &broker.url()]);
    let (name, bytes) = &seeds()[1];
    workspace.drop_file(name, bytes);
    workspace.drop_file("again/copy-of-seed.txt", bytes);
    // Written in place (close-after-write) instead of renamed in.
    std::fs::write(workspace.inbox.join("in-place.txt"), article(7)).unwrap();
    let records = results(&broker.url(), 2, Duration::from_secs(60)).await;
    let sources: Vec<&str> = records
        .iter()
        .map(|(_, r)| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{sources:?}");
    assert!(sources.contains(&"in-place.txt"), "{sources:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_files_get_error_records_and_the_daemon_keeps_going() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let _up = workspace.spawn(&["up", "--nats", &broker.url()]);
    workspace.drop_file("empty.txt", b"");
    workspace.drop_file(
        "binary.html",
        &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe, 0, 1, 2, 3],
    );
    workspace.drop_file("invalid-utf8.txt", b"caf\xe9 \xff\xfe broken \xc3\x28 text");
    workspace.drop_file(
        "truncated.html",
        b"<html><head><title>Half a page</title></head><body><p>This page was cut off in the mi",
    );
    workspace.drop_file("notes.docx", b"not an article format");
    let outside = workspace.dir.path().join("secret.txt");
    std::fs::write(&outside, "outside the inbox").unwrap();
    std::os::unix::fs::symlink(&outside, workspace.inbox.join("escape.txt")).unwrap();
    // A good article after the bad ones still goes through.
    workspace.drop_file("good.txt", &article(3));

    let errors = errors(&broker.url(), 4, Duration::from_secs(60)).await;
    let summary: Vec<String> = errors
        .iter()
        .map(|(subject, record)| format!("{subject} {}", record["source"]))
        .collect();
    let validator = error_validator();
    for (_, record) in &errors {
        assert!(validator.is_valid(record), "{record:#}");
    }
    let by_source = |source: &str| {
        errors
            .iter()
            .find(|(_, record)| record["source"] == source)
            .map(|(subject, record)| {
                (
                    subject.clone(),
                    record["error"]["kind"].as_str().unwrap_or("").to_string(),
                )
            })
    };
    assert_eq!(
        by_source("escape.txt"),
        Some((
            "newsflow.errors.watch".to_string(),
            "symlink_outside_inbox".to_string()
        ))
    );
    assert_eq!(
        by_source("notes.docx").map(|(_, k)| k).as_deref(),
        Some("unsupported_format")
    );
    assert_eq!(
        by_source("empty.txt").map(|(s, _)| s).as_deref(),
        Some("newsflow.errors.clean"),
        "{summary:?}"
    );
    assert_eq!(
        by_source("binary.html").map(|(s, _)| s).as_deref(),
        Some("newsflow.errors.clean")
    );

    let records = results(&broker.url(), 3, Duration::from_secs(30)).await;
    let sources: Vec<&str> = records
        .iter()
        .map(|(_, r)| r["source"].as_str().unwrap())
        .collect();
    assert!(sources.contains(&"good.txt"), "{sources:?}");
    // Bad input either gives an error record or a correct result; never silence.
    for bad in ["invalid-utf8.txt", "truncated.html"] {
        let accounted = sources.contains(&bad) || by_source(bad).is_some();
        assert!(accounted, "{bad} gave neither a record nor an error");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn watcher_restart_neither_misses_nor_repeats() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let mut worker = workspace.spawn(&["worker", "--nats", &broker.url()]);
    let mut watch = workspace.spawn(&["watch", "--nats", &broker.url()]);
    for n in 0..10 {
        workspace.drop_file(&format!("first-{n}.txt"), &article(100 + n));
    }
    let first = results(&broker.url(), 10, Duration::from_secs(60)).await;
    assert_eq!(first.len(), 10, "{}", watch.log_text());
    watch.kill9();
    for n in 0..5 {
        workspace.drop_file(&format!("while-down-{n}.txt"), &article(200 + n));
    }
    let _watch_again = workspace.spawn(&["watch", "--nats", &broker.url()]);
    let all = results(&broker.url(), 15, Duration::from_secs(60)).await;
    let counts = crate::harness::counts_by_id(&all);
    assert_eq!(counts.len(), 15, "{}", worker.log_text());
    assert!(counts.values().all(|&count| count == 1), "{counts:?}");
    worker.terminate();
}
