//! The hostile-input corpus (issue 7), made by code at test time so no 50 MB file or zip bomb
//! sits in git: every file gets exactly one error record or one correct result, no worker
//! crashes or stalls, and a good article dropped after them still comes through.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, Instant};

use crate::harness::{article, errors, results, run_newsflow, Broker, Workspace};

/// nats-server's own default max payload (newsflow's managed server and the test brokers use
/// 8 MiB).
const NATS_DEFAULT_MAX_PAYLOAD: usize = 1024 * 1024;

/// What a hostile file must end as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// An error record of this kind on this stage's error subject.
    Error(&'static str, &'static str),
    /// A result whose body contains this text.
    Result(&'static str),
    /// Either, as long as it is exactly one of them (input with no single right answer).
    Either,
}

/// A gzip "bomb": one small member inflating to 1 MiB of zeros, repeated 1,024 times
/// (1 GiB inflated from about 1 MB on disk; the multi-member reader would inflate it all).
fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
    let member = encoder.finish().unwrap();
    member.repeat(1024)
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

fn deep_html(levels: usize) -> Vec<u8> {
    let mut html = String::from("<html><body>");
    html.push_str(&"<div>".repeat(levels));
    html.push_str("<p>Buried paragraph at the bottom of a very deep page.</p>");
    html.push_str(&"</div>".repeat(levels));
    html.push_str("</body></html>");
    html.into_bytes()
}

fn corpus() -> Vec<(Vec<u8>, Vec<u8>, Expect)> {
    let prose =
        "The council voted on Tuesday to reopen the harbour bridge after repairs that took \
                 nine months, officials said. Traffic is expected to return to normal by Friday.";
    let mut latin1 =
        b"Le caf\xe9 de la gare a rouvert ses portes mardi, a annonc\xe9 la mairie. ".to_vec();
    latin1.extend_from_slice(prose.as_bytes());
    vec![
        (
            b"empty.txt".to_vec(),
            Vec::new(),
            Expect::Error("clean", "empty"),
        ),
        (
            b"whitespace.txt".to_vec(),
            b" \n\t\r\n  \xc2\xa0 \n".to_vec(),
            Expect::Error("clean", "no_content"),
        ),
        (
            b"random-binary.txt".to_vec(),
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
            Expect::Error("clean", "binary"),
        ),
        (
            b"png-renamed.html".to_vec(),
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec(),
            Expect::Error("clean", "binary"),
        ),
        (
            b"utf16-bom.txt".to_vec(),
            utf16le_with_bom(&format!("Harbour bridge reopens\n\n{prose}")),
            Expect::Result("harbour bridge after repairs"),
        ),
        (
            b"latin1.txt".to_vec(),
            latin1,
            Expect::Result("Le café de la gare"),
        ),
        (
            b"huge-50mb.txt".to_vec(),
            prose.as_bytes().repeat(50 * 1024 * 1024 / prose.len() + 1),
            Expect::Error("watch", "too_large"),
        ),
        (
            b"deep-100k.html".to_vec(),
            deep_html(100_000),
            Expect::Either,
        ),
        (
            b"bomb.txt.gz".to_vec(),
            gzip_bomb(),
            Expect::Error("clean", "too_large"),
        ),
        (
            b"wrong-types.json".to_vec(),
            br#"{"title": 42, "body": ["not", "a", "string"], "published": {"no": true}}"#.to_vec(),
            Expect::Either,
        ),
        (
            b"truncated.json".to_vec(),
            br#"{"title": "Cut off", "body": "The article stops in the mid"#.to_vec(),
            Expect::Either,
        ),
        (
            b"name with\nnewline and \xff\xfe bytes.txt".to_vec(),
            format!("Odd name\n\n{prose}").into_bytes(),
            Expect::Result("harbour bridge after repairs"),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_corpus_each_file_gets_one_clear_outcome() {
    let broker = Broker::start();
    let url = broker.url();
    let workspace = Workspace::new(&url, "");
    // Per-article lines (watcher decisions, stage retries) for the failure message.
    let up = workspace.spawn_logging(
        &["up", "--nats", &url],
        "info,async_nats=warn,newsflow_watch=debug,newsflow_bus::runner=debug",
    );
    let corpus = corpus();
    for (name, bytes, _) in &corpus {
        let staged = workspace.dir.path().join("staged");
        std::fs::write(&staged, bytes).unwrap();
        std::fs::rename(&staged, workspace.inbox.join(OsStr::from_bytes(name))).unwrap();
    }
    // Links that would let the watcher read outside the inbox.
    let outside = workspace.dir.path().join("secret.txt");
    std::fs::write(&outside, "credentials outside the inbox").unwrap();
    std::os::unix::fs::symlink(&outside, workspace.inbox.join("symlink-escape.txt")).unwrap();
    std::fs::hard_link(&outside, workspace.inbox.join("hardlink-escape.txt")).unwrap();
    // A good article after all of that still goes through: nothing crashed or stalled.
    workspace.drop_file("good-after.txt", &article(11));

    let expected_results = 1 + corpus
        .iter()
        .filter(|(_, _, expect)| matches!(expect, Expect::Result(_)))
        .count();
    let expected_errors = 2 + corpus
        .iter()
        .filter(|(_, _, expect)| matches!(expect, Expect::Error(..)))
        .count();
    // The counts above leave out the files that may end either way, so the collection goes on
    // until every file has an outcome (or the deadline): a slow page (the deep one in a debug
    // build on a loaded machine) is waited for, not taken as missing.
    let mut wanted: Vec<String> = corpus
        .iter()
        .map(|(name, _, _)| String::from_utf8_lossy(name).into_owned())
        .collect();
    wanted.extend(
        [
            "symlink-escape.txt",
            "hardlink-escape.txt",
            "good-after.txt",
        ]
        .map(String::from),
    );
    let deadline = Instant::now() + Duration::from_secs(180);
    let (results, errors) = loop {
        let results = results(&url, expected_results, Duration::from_secs(120)).await;
        let errors = errors(&url, expected_errors, Duration::from_secs(60)).await;
        let done = wanted.iter().all(|source| {
            results
                .iter()
                .chain(errors.iter())
                .any(|(_, record)| record["source"] == source.as_str())
        });
        if done || Instant::now() > deadline {
            break (results, errors);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };

    // Exactly one outcome per file.
    let mut outcomes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (subject, record) in results.iter().chain(errors.iter()) {
        let source = record["source"].as_str().unwrap().to_string();
        outcomes.entry(source).or_default().push(subject.clone());
    }
    let log = up.log_text();
    for (name, _, expect) in &corpus {
        let source = String::from_utf8_lossy(name).into_owned();
        let got = outcomes.get(&source).cloned().unwrap_or_default();
        if got.len() != 1 {
            // Where it is: the stages' pending and in-flight counts, then the log.
            let (_, status, _) = run_newsflow(&workspace.config, &["status", "--nats", &url]);
            panic!(
                "{source:?}: outcomes {got:?}\nall: {outcomes:#?}\nstatus:\n{status}\nlog: {log}"
            );
        }
        let record = results
            .iter()
            .chain(errors.iter())
            .find(|(_, record)| record["source"] == source.as_str())
            .map(|(_, record)| record)
            .unwrap();
        match expect {
            Expect::Error(stage, kind) => {
                assert_eq!(
                    got[0],
                    format!("newsflow.errors.{stage}"),
                    "{source:?}: {record:#}"
                );
                assert_eq!(record["error"]["kind"], *kind, "{source:?}: {record:#}");
                let message = record["error"]["message"].as_str().unwrap();
                assert!(
                    message.len() > 10,
                    "{source:?}: unclear message {message:?}"
                );
            }
            Expect::Result(text) => {
                assert!(
                    got[0].starts_with("newsflow.results."),
                    "{source:?}: {record:#}"
                );
                let body = record["body"].as_str().unwrap();
                assert!(body.contains(text), "{source:?}: body {body:?}");
                assert!(
                    !body.contains('\u{fffd}'),
                    "{source:?}: mojibake in {body:?}"
                );
            }
            Expect::Either => {}
        }
    }
    for (source, kind) in [
        ("symlink-escape.txt", "symlink_outside_inbox"),
        ("hardlink-escape.txt", "hard_link"),
    ] {
        let record = errors
            .iter()
            .find(|(_, record)| record["source"] == source)
            .map(|(_, record)| record)
            .unwrap_or_else(|| panic!("no error for {source}: {outcomes:#?}"));
        assert_eq!(record["error"]["kind"], kind);
        assert_eq!(outcomes[source].len(), 1);
    }
    assert_eq!(outcomes.get("good-after.txt").map(Vec::len), Some(1));
    // Nothing outside the inbox was read into any record.
    for (_, record) in results.iter().chain(errors.iter()) {
        assert!(!record.to_string().contains("credentials outside the inbox"));
    }
    assert!(!log.contains("panicked"), "a part panicked: {log}");
}

/// Against a server with nats-server's default max payload (1 MiB): a 1.1 MB page travels by
/// reference (object store) and gets its result; 1.1 MB of text, whose clean record cannot fit
/// in a message, gets a `too_large` error record of the clean stage at its first attempt,
/// instead of being retried until `max_deliver` runs out.
#[tokio::test(flavor = "multi_thread")]
async fn an_output_over_the_max_payload_is_one_clear_error_at_once() {
    let broker = Broker::start_with_max_payload(NATS_DEFAULT_MAX_PAYLOAD);
    let url = broker.url();
    let workspace = Workspace::new(&url, "");
    let up = workspace.spawn_logging(
        &["up", "--nats", &url],
        "info,async_nats=warn,newsflow_bus::runner=debug",
    );
    let prose = "The council voted on Tuesday to reopen the harbour bridge after repairs that \
                 took nine months, officials said. Traffic is expected to return to normal.";
    let long = format!("Long text\n\n{}", prose.repeat(1_100_000 / prose.len()));
    assert!(long.len() > NATS_DEFAULT_MAX_PAYLOAD);
    workspace.drop_file("long-1mb.txt", long.as_bytes());
    let deep = deep_html(100_000);
    assert!(deep.len() > NATS_DEFAULT_MAX_PAYLOAD);
    workspace.drop_file("deep-100k.html", &deep);
    let errors = errors(&url, 1, Duration::from_secs(120)).await;
    let results = results(&url, 1, Duration::from_secs(120)).await;
    let log = up.log_text();
    let (_, status, _) = run_newsflow(&workspace.config, &["status", "--nats", &url]);
    let context = format!(
        "errors: {errors:#?}\nresults: {}\nstatus:\n{status}\nlog: {log}",
        results.len()
    );
    assert_eq!(errors.len(), 1, "{context}");
    let record = &errors[0].1;
    assert_eq!(errors[0].0, "newsflow.errors.clean", "{context}");
    assert_eq!(record["source"], "long-1mb.txt", "{context}");
    assert_eq!(record["error"]["kind"], "too_large", "{context}");
    assert_eq!(record["attempts"], 1, "{context}");
    let message = record["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("max payload"), "{message}");
    assert_eq!(results.len(), 1, "{context}");
    assert_eq!(results[0].1["source"], "deep-100k.html", "{context}");
    assert!(!log.contains("panicked"), "{log}");
}
