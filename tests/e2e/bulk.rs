//! Bulk inputs end to end, against a real nats-server: a CC-NEWS-like WARC (gzip per record,
//! chunked and gzip-encoded bodies, a charset named only by the HTTP header, revisit, request,
//! metadata and non-HTML records, a corrupt member), JSON Lines with a bad line, tar and zip
//! archives with a traversal name, a link and a bomb; a watcher killed with SIGKILL in the middle
//! of a WARC publishes every record exactly once and resumes where it was.
//!
//! WARC records are written by the `warc` crate's writer (newsflow reads them with its own
//! stream reader and the crate's header parser), archives by the `tar` and `zip` crates.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use newsflow_bulk::fixtures::{gzip_bytes, http_response, warc_record};

use crate::harness::{
    article, counts_by_id, errors, raw_count, raw_ids, results, run_newsflow, Broker, Workspace,
};

const DATE: &str = "2024-05-01T08:30:00Z";

fn page(title: &str, paragraph: &str) -> String {
    format!(
        "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>\
         <p>{paragraph}</p><p>{paragraph} The minister said the talks would continue next week \
         in Geneva, according to officials.</p></article></body></html>"
    )
}

/// The crawl: (file bytes, gzip member offset of the corrupt record).
fn crawl() -> (Vec<u8>, u64) {
    let records = vec![
        warc_record("warcinfo", "", DATE, b"software: newsflow-test\r\n"),
        warc_record("request", "https://news.example/one", DATE, b"GET /one HTTP/1.1\r\n\r\n"),
        warc_record(
            "response",
            "https://news.example/one",
            DATE,
            &http_response(
                200,
                &[("Content-Type", "text/html; charset=utf-8")],
                page("Harbour reopens after storm", "The harbour reopened on Tuesday after a storm closed it for three days.").as_bytes(),
                false,
                false,
            ),
        ),
        warc_record("metadata", "https://news.example/one", DATE, b"fetchTimeMs: 120\r\n"),
        warc_record(
            "response",
            "https://news.example/two",
            DATE,
            &http_response(
                200,
                &[("Content-Type", "text/html")],
                page("Chunked and compressed story", "Engineers finished the new bridge ahead of schedule, the city council said.").as_bytes(),
                true,
                true,
            ),
        ),
        warc_record(
            "response",
            "https://news.example/three",
            DATE,
            &http_response(
                200,
                &[("Content-Type", "text/html; charset=ISO-8859-1")],
                b"<html><head><title>Caf\xe9 owners protest</title></head><body><article><p>Caf\xe9 owners in the old town protested on Monday against the new rent rules, which they say will close dozens of caf\xe9s.</p><p>The mayor promised a review of the rules before the summer.</p></article></body></html>",
                false,
                false,
            ),
        ),
        warc_record("revisit", "https://news.example/one", DATE, b"HTTP/1.1 200 OK\r\n\r\n"),
        warc_record(
            "response",
            "https://news.example/logo.png",
            DATE,
            &http_response(200, &[("Content-Type", "image/png")], b"\x89PNG\r\n", false, false),
        ),
        warc_record(
            "response",
            "https://news.example/gone",
            DATE,
            &http_response(404, &[("Content-Type", "text/html")], b"<html>gone</html>", false, false),
        ),
    ];
    let mut file = Vec::new();
    for record in &records[..6] {
        file.extend_from_slice(&gzip_bytes(record));
    }
    let corrupt_at = file.len() as u64;
    let mut corrupt = gzip_bytes(&records[2]);
    for byte in corrupt.iter_mut().skip(12).take(16) {
        *byte ^= 0x5a;
    }
    file.extend_from_slice(&corrupt);
    for record in &records[6..] {
        file.extend_from_slice(&gzip_bytes(record));
    }
    (file, corrupt_at)
}

fn tar_gz() -> Vec<u8> {
    fn add(builder: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, data).unwrap();
    }
    let mut builder = tar::Builder::new(Vec::new());
    add(&mut builder, "world/a1.txt", &article(901));
    add(
        &mut builder,
        "world/a2.html",
        page(
            "Archive page",
            "Farmers expect a record harvest this year after a wet spring.",
        )
        .as_bytes(),
    );
    let mut header = tar::Header::new_old();
    let evil = b"../../escape.html";
    header.as_old_mut().name[..evil.len()].copy_from_slice(evil);
    header.set_size(4);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    builder.append(&header, &b"evil"[..]).unwrap();
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    builder
        .append_link(&mut link, "world/passwd.txt", "/etc/passwd")
        .unwrap();
    gzip_bytes(&builder.into_inner().unwrap())
}

fn zip_with_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("z/z1.txt", options).unwrap();
    zip.write_all(&article(902)).unwrap();
    zip.start_file("bomb.txt", options).unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..32 {
        zip.write_all(&zeros).unwrap();
    }
    zip.start_file("../../../tmp/evil.txt", options).unwrap();
    zip.write_all(b"evil").unwrap();
    zip.finish().unwrap().into_inner()
}

const JSONL: &str = "{\"title\":\"Lines one\",\"body\":\"Rail workers began a two-day strike on Thursday over pay, the union said.\",\"url\":\"https://lines.example/1\",\"published\":\"2024-04-30\"}\n\
{\"title\": \"broken line\n\
{\"title\":\"Lines three\",\"body\":\"The central bank left interest rates unchanged on Wednesday, citing slowing inflation.\",\"author\":\"Ann Lee\"}\n";

#[tokio::test(flavor = "multi_thread")]
async fn warc_jsonl_and_archives_become_one_record_each() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let (warc, corrupt_at) = crawl();
    workspace.drop_file("crawl/CC-NEWS-test.warc.gz", &warc);
    workspace.drop_file("export.jsonl", JSONL.as_bytes());
    workspace.drop_file("mail/bundle.tar.gz", &tar_gz());
    workspace.drop_file("mail/bundle.zip", &zip_with_bomb());
    let up = workspace.spawn(&["up", "--nats", &broker.url()]);
    // 3 pages + 2 lines + 2 tar members + 1 zip member
    let records = results(&broker.url(), 8, Duration::from_secs(120)).await;
    let mut by_source: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for (_, record) in &records {
        let source = record["source"].as_str().unwrap().to_string();
        assert!(
            by_source.insert(source.clone(), record.clone()).is_none(),
            "{source} twice"
        );
    }
    let sources: Vec<&str> = by_source.keys().map(String::as_str).collect();
    assert_eq!(sources.len(), 8, "{sources:?}\n{}", up.log_text());
    let warc_pages: Vec<&serde_json::Value> = by_source
        .iter()
        .filter(|(source, _)| source.starts_with("crawl/CC-NEWS-test.warc.gz@"))
        .map(|(_, record)| record)
        .collect();
    assert_eq!(warc_pages.len(), 3, "{sources:?}");
    for record in &warc_pages {
        assert_eq!(record["fetched_at"], DATE);
        assert!(record["url"]
            .as_str()
            .unwrap()
            .starts_with("https://news.example/"));
        assert_eq!(record["format"], "html");
    }
    let by_url = |url: &str| {
        warc_pages
            .iter()
            .find(|r| r["url"] == url)
            .unwrap_or_else(|| panic!("no record for {url}"))
    };
    assert!(by_url("https://news.example/two")["body"]
        .as_str()
        .unwrap()
        .contains("new bridge ahead of schedule"));
    let latin = by_url("https://news.example/three");
    let body = latin["body"].as_str().unwrap();
    assert!(body.contains("Café owners"), "{body}");
    assert!(!body.contains('\u{fffd}'));
    assert_eq!(latin["encoding"], "windows-1252");
    assert!(by_source.contains_key("export.jsonl:1"));
    assert!(by_source.contains_key("export.jsonl:3"));
    assert_eq!(
        by_source["export.jsonl:1"]["url"],
        "https://lines.example/1"
    );
    assert!(by_source.contains_key("mail/bundle.tar.gz!/world/a1.txt"));
    assert!(by_source.contains_key("mail/bundle.tar.gz!/world/a2.html"));
    assert!(by_source.contains_key("mail/bundle.zip!/z/z1.txt"));

    let errors = errors(&broker.url(), 6, Duration::from_secs(30)).await;
    let mut kinds: BTreeMap<String, String> = BTreeMap::new();
    for (_, record) in &errors {
        kinds.insert(
            record["source"].as_str().unwrap().to_string(),
            format!(
                "{}/{}",
                record["error"]["stage"].as_str().unwrap(),
                record["error"]["kind"].as_str().unwrap()
            ),
        );
    }
    let expected: BTreeMap<String, String> = [
        (
            format!("crawl/CC-NEWS-test.warc.gz@{corrupt_at}"),
            "watch/bad_record",
        ),
        ("export.jsonl:2".to_string(), "watch/invalid_json"),
        (
            "mail/bundle.tar.gz!/../../escape.html".to_string(),
            "watch/unsafe_path",
        ),
        (
            "mail/bundle.tar.gz!/world/passwd.txt".to_string(),
            "watch/link_member",
        ),
        ("mail/bundle.zip!/bomb.txt".to_string(), "watch/zip_bomb"),
        (
            "mail/bundle.zip!/../../../tmp/evil.txt".to_string(),
            "watch/unsafe_path",
        ),
    ]
    .into_iter()
    .map(|(a, b)| (a, b.to_string()))
    .collect();
    assert_eq!(kinds, expected, "{}", up.log_text());
    let bad = errors
        .iter()
        .find(|(_, r)| r["error"]["kind"] == "bad_record")
        .unwrap();
    let message = bad.1["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("CC-NEWS-test.warc.gz")
            && message.contains(&format!("offset {corrupt_at}")),
        "{message}"
    );
    assert!(!std::path::Path::new("/tmp/evil.txt").exists());
}

/// A WARC of `records` small pages, one gzip member each.
pub(crate) fn big_crawl(records: usize) -> Vec<u8> {
    let mut file = Vec::new();
    for n in 0..records {
        let body = page(
            &format!("Story number {n}"),
            &format!("Story {n} tells of the council vote on road {n} and what residents said."),
        );
        let record = warc_record(
            "response",
            &format!("https://bulk.example/story/{n}"),
            DATE,
            &http_response(
                200,
                &[("Content-Type", "text/html")],
                body.as_bytes(),
                false,
                false,
            ),
        );
        file.extend_from_slice(&gzip_bytes(&record));
    }
    file
}

/// The watcher's local state logs, for a failure message.
fn state_logs(dir: &std::path::Path) -> String {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| std::fs::read_to_string(entry.path()).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn watcher_killed_mid_warc_resumes_and_publishes_each_record_once() {
    const RECORDS: usize = 20_000;
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let text = std::fs::read_to_string(&workspace.config).unwrap();
    std::fs::write(
        &workspace.config,
        text.replacen(
            "[watch]\n",
            // No workers run, so the first watcher stops at watch.max_backlog, well inside
            // the WARC whatever the machine's speed (unpaced, a quiet machine published all
            // 20,000 before the first checkpoint was seen); the second runs unpaced.
            "[watch]\nbulk_in_flight = 8\ncheckpoint_interval_ms = 100\nmax_backlog = 2000\n",
            1,
        ),
    )
    .unwrap();
    let js = async_nats::jetstream::new(async_nats::connect(broker.url()).await.unwrap());
    let mut watch = workspace.spawn(&["watch", "--nats", &broker.url()]);
    watch.wait_log("watcher started", Duration::from_secs(30));
    workspace.drop_file("cc/crawl.warc.gz", &big_crawl(RECORDS));
    // Kill as soon as the local state holds a position inside the WARC (published and
    // acknowledged up to there), while the rest is still being published.
    let state = workspace.dir.path().join("state").join("watch");
    let start = Instant::now();
    loop {
        let positioned = std::fs::read_dir(&state)
            .into_iter()
            .flatten()
            .flatten()
            .any(|entry| {
                std::fs::read_to_string(entry.path())
                    .unwrap_or_default()
                    .contains("\"op\":\"pos\"")
            });
        if positioned {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{}",
            watch.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    watch.kill9();
    let first_log = watch.log_text();
    let at_kill = raw_count(&js).await as usize;
    assert!(
        at_kill < RECORDS,
        "the whole WARC was published before the kill"
    );
    let paced = std::fs::read_to_string(&workspace.config).unwrap();
    std::fs::write(
        &workspace.config,
        paced.replacen("max_backlog = 2000\n", "max_backlog = 0\n", 1),
    )
    .unwrap();
    let again = workspace.spawn(&["watch", "--nats", &broker.url()]);
    let start = Instant::now();
    loop {
        if again.log_text().contains("bulk file published") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{} of {RECORDS}; log: {}\nfirst watcher's log: {first_log}\nstate: {}",
            raw_count(&js).await,
            again.log_text(),
            state_logs(&state)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ids = raw_ids(&js).await;
    let doubled: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "published twice: {doubled:?}");
    assert_eq!(ids.len(), RECORDS, "{}", again.log_text());
    // It went on from its position, not from the start.
    let log = again.log_text();
    let resumed_at: u64 = log
        .split("resume_at=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no resume position in the log: {log}"));
    assert!(
        resumed_at > 0 && resumed_at as usize <= at_kill,
        "resumed at {resumed_at}, {at_kill} published at the kill"
    );
    let published: usize = log
        .split("bulk file published")
        .nth(1)
        .and_then(|rest| rest.split("published=").nth(1))
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in the log: {log}"));
    eprintln!(
        "bulk kill -9: {at_kill} of {RECORDS} in the stream at the kill, resumed at record \
         {resumed_at}, {published} handed on after the restart, {} ids once each",
        ids.len()
    );
    assert!(
        published + resumed_at as usize >= RECORDS && published < RECORDS,
        "published {published} after resuming at {resumed_at}"
    );
}

/// Issue 15: the watcher is paced by the workers, not only by the stream's acks. With no
/// worker running, a WARC of 600 pages stops going into the stream at `watch.max_backlog`
/// (100) and `status` says the watcher is paused; a single file dropped meanwhile waits its
/// turn. Once workers start, everything flows: every page and the file exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn a_warc_waits_for_the_workers_at_max_backlog_then_flows_once() {
    const RECORDS: usize = 600;
    const MAX_BACKLOG: u64 = 100;
    let broker = Broker::start();
    let url = broker.url();
    let workspace = Workspace::new(&url, "");
    workspace.add_watch_options(&format!("bulk_in_flight = 16\nmax_backlog = {MAX_BACKLOG}"));
    let js = async_nats::jetstream::new(async_nats::connect(&url).await.unwrap());
    let watch = workspace.spawn(&["watch", "--nats", &url]);
    watch.wait_log("watcher started", Duration::from_secs(30));
    workspace.drop_file("cc/crawl.warc.gz", &big_crawl(RECORDS));
    // The stream fills up to the limit and then stops growing.
    let start = Instant::now();
    let mut stable_since: Option<(u64, Instant)> = None;
    let stopped_at = loop {
        let count = raw_count(&js).await;
        match stable_since {
            Some((at, since)) if at == count && count > 0 => {
                if since.elapsed() > Duration::from_secs(3) {
                    break count;
                }
            }
            _ => stable_since = Some((count, Instant::now())),
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{count} in the stream; {}",
            watch.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        (MAX_BACKLOG * 9 / 10..=MAX_BACKLOG + 5).contains(&stopped_at),
        "the stream stopped at {stopped_at}, the limit is {MAX_BACKLOG}"
    );
    workspace.drop_file("single.txt", &article(1));
    watch.wait_log("watcher paused", Duration::from_secs(10));
    let status = {
        let start = Instant::now();
        loop {
            let (_, stdout, _) =
                run_newsflow(&workspace.config, &["status", "--nats", url.as_str()]);
            if stdout.contains("paused: backlog") || start.elapsed() > Duration::from_secs(15) {
                break stdout;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    assert!(
        status.contains(&format!("paused: backlog {stopped_at} of {MAX_BACKLOG}")),
        "{status}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        raw_count(&js).await,
        stopped_at,
        "the stream grew while paused"
    );

    let _worker = workspace.spawn(&["worker", "--nats", &url]);
    let records = results(&url, RECORDS + 1, Duration::from_secs(240)).await;
    let counts = counts_by_id(&records);
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "results twice: {doubled:?}");
    assert_eq!(counts.len(), RECORDS + 1, "{}", watch.log_text());
    let sources: Vec<&str> = records
        .iter()
        .filter_map(|(_, record)| record["source"].as_str())
        .collect();
    assert!(sources.contains(&"single.txt"), "{sources:?}");
    let log = watch.log_text();
    assert!(log.contains("watcher resumed"), "{log}");
    assert!(log.contains("bulk file published"), "{log}");
}

/// `watch.max_bulk_file_bytes`: a bulk file over the cap is one `too_large` error record and
/// none of its records is published; a bulk file under the cap still flows.
#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_file_over_max_bulk_file_bytes_is_one_error_record_and_nothing_else() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let text = std::fs::read_to_string(&workspace.config).unwrap();
    let big = big_crawl(50);
    let cap = big.len() as u64 - 1;
    assert!(JSONL.len() as u64 <= cap);
    std::fs::write(
        &workspace.config,
        text.replacen(
            "[watch]\n",
            &format!("[watch]\nmax_bulk_file_bytes = {cap}\n"),
            1,
        ),
    )
    .unwrap();
    let js = async_nats::jetstream::new(async_nats::connect(broker.url()).await.unwrap());
    let watch = workspace.spawn(&["watch", "--nats", &broker.url()]);
    watch.wait_log("watcher started", Duration::from_secs(30));
    workspace.drop_file("cc/too-big.warc.gz", &big);
    workspace.drop_file("export.jsonl", JSONL.as_bytes());
    let records = errors(&broker.url(), 2, Duration::from_secs(60)).await;
    let kinds: Vec<(String, String)> = records
        .iter()
        .map(|(_, record)| {
            (
                record["source"].as_str().unwrap().to_string(),
                record["error"]["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("cc/too-big.warc.gz".to_string(), "too_large".to_string())),
        "{kinds:?}\n{}",
        watch.log_text()
    );
    assert!(kinds.contains(&("export.jsonl:2".to_string(), "invalid_json".to_string())));
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    let message = records
        .iter()
        .find(|(_, record)| record["source"] == "cc/too-big.warc.gz")
        .map(|(_, record)| record["error"]["message"].as_str().unwrap().to_string())
        .unwrap();
    assert!(message.contains("watch.max_bulk_file_bytes"), "{message}");
    // Only the two good lines of the JSON Lines file reached the articles stream.
    let start = Instant::now();
    while raw_count(&js).await < 2 && start.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(raw_count(&js).await, 2, "{}", watch.log_text());
}

#[test]
fn process_reads_a_warc_and_json_lines_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (warc, corrupt_at) = crawl();
    let warc_path = dir.path().join("crawl.warc.gz");
    std::fs::write(&warc_path, &warc).unwrap();
    let jsonl_path = dir.path().join("export.jsonl");
    std::fs::write(&jsonl_path, JSONL).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_newsflow"))
        .current_dir(crate::harness::repo_root())
        .args(["process"])
        .arg(&warc_path)
        .arg(&jsonl_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let sources: Vec<String> = lines
        .iter()
        .map(|line| {
            let source = line["source"].as_str().unwrap();
            let name = source.rsplit('/').next().unwrap().to_string();
            match line.get("error") {
                Some(error) => format!("{name} {}", error["kind"].as_str().unwrap()),
                None => name,
            }
        })
        .collect();
    let warc_sources: Vec<&String> = sources.iter().filter(|s| s.starts_with("crawl")).collect();
    assert_eq!(warc_sources.len(), 4, "{sources:?}");
    assert!(sources.contains(&format!("crawl.warc.gz@{corrupt_at} bad_record")));
    assert!(sources.contains(&"export.jsonl:1".to_string()));
    assert!(sources.contains(&"export.jsonl:2 invalid_json".to_string()));
    assert!(sources.contains(&"export.jsonl:3".to_string()));
    let fetched = lines.iter().filter(|l| l["fetched_at"] == DATE).count();
    assert_eq!(fetched, 3);
    assert!(
        stderr.contains("warc 3 articles, 1 failed, skipped http_status=1 metadata=1 not_html=1 other_record=1 request=1 revisit=1"),
        "{stderr}"
    );
}

/// Issue 15: `process` stopped by SIGINT in the middle of a WARC still says what it did: the
/// file's summary line (marked as stopped part-way) and how many inputs it finished, every
/// line on stdout a whole record, and the exit code 128 + 2.
#[test]
fn process_interrupted_by_a_signal_prints_its_summary() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let warc_path = dir.path().join("big.warc.gz");
    std::fs::write(&warc_path, big_crawl(5_000)).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsflow"))
        .current_dir(crate::harness::repo_root())
        .args(["process"])
        .arg(&warc_path)
        .arg(&warc_path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let mut line = String::new();
    while lines.len() < 20 && stdout.read_line(&mut line).unwrap() > 0 {
        lines.push(std::mem::take(&mut line));
    }
    crate::harness::signal(child.id(), "INT");
    for rest in stdout.lines() {
        lines.push(rest.unwrap());
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(lines.len() < 5_000, "not stopped: {} lines", lines.len());
    for line in &lines {
        let record: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert!(record["id"].is_string(), "{line}");
    }
    assert!(
        stderr.contains(&format!(
            "big.warc.gz: warc {} articles, 0 failed",
            lines.len()
        )) && stderr.contains("stopped part-way by a signal"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stopped by signal 2 after 0 of 2 inputs"),
        "{stderr}"
    );
}
