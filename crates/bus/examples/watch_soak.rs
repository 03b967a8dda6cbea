//! Soak benchmark of the watcher (issue 14), not a test: many small files through a watcher in
//! delete mode against a real nats-server, then many content ids through the key-value dedup
//! path. Prints, every few seconds, files/s, this process's RSS, the nats-server's RSS, the
//! watcher's local state (files, bytes on disk) and the dedup bucket's size.
//!
//! ```text
//! cargo run --release -p newsflow-bus --example watch_soak -- [FILES] [IDS]
//! ```
//!
//! Defaults: 100,000 files and 100,000 ids. The producer keeps at most 2,000 files waiting in
//! the inbox (written to a temp name, then renamed in), so the inbox stays small and the
//! watcher's state must too.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsflow_bus::dedup::{stream_identity, KvDedup};
use newsflow_bus::publisher::JetStreamSink;
use newsflow_bus::server::{NatsServer, ServerOptions};
use newsflow_bus::Subjects;
use newsflow_config::NatsConfig;
use newsflow_watch::{AfterPublish, Dedup, WatchOptions, WatchStats};
use tokio_util::sync::CancellationToken;

/// VmRSS in MiB of a process (`self` or a pid).
fn rss_mib(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse::<f64>().ok())
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

/// The pid of the nats-server whose command line names `store` (read from /proc).
fn server_pid(store: &std::path::Path) -> Option<String> {
    let needle = store.to_string_lossy().into_owned();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|ch| ch.is_ascii_digit()) {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        if cmdline.contains("nats-server") && cmdline.contains(&needle) {
            return Some(name);
        }
    }
    None
}

fn files_in(folder: &std::path::Path) -> usize {
    std::fs::read_dir(folder)
        .map(|dir| dir.count())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let files: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let ids: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let temp = tempfile::tempdir()?;
    let store = temp.path().join("nats");
    let server = NatsServer::start(ServerOptions::new(&store))?;
    let nats_pid = server_pid(&store).unwrap_or_default();
    let client = newsflow_bus::connect(server.url(), &NatsConfig::default(), "soak").await?;
    let js = newsflow_bus::jetstream(client);
    let subjects = Subjects::new("newsflow");
    newsflow_bus::ensure_streams(&js, &subjects, &NatsConfig::default()).await?;
    let identity = stream_identity(&js, &subjects).await?;
    let window = Duration::from_secs(7 * 24 * 3600);
    let dedup = Arc::new(KvDedup::open(&js, &subjects, window, 1, &identity).await?);
    let inbox = temp.path().join("inbox");
    std::fs::create_dir_all(&inbox)?;
    let options = WatchOptions {
        inbox: inbox.clone(),
        state_dir: temp.path().join("state"),
        stream_identity: identity,
        max_file_bytes: 1 << 20,
        max_bulk_file_bytes: 0,
        bulk_in_flight: 128,
        rescan_every: Duration::from_secs(10),
        settle: Duration::from_millis(200),
        max_in_flight: 64,
        checkpoint_every: Duration::from_millis(500),
        after_publish: AfterPublish::Delete,
        move_rejected: false,
        state_write_delay: Duration::ZERO,
    };
    let stats = Arc::new(WatchStats::default());
    let cancel = CancellationToken::new();
    let sink = Arc::new(JetStreamSink::new(js.clone(), subjects.clone(), 1));
    let watcher = tokio::spawn(newsflow_watch::run(
        options,
        sink,
        dedup.clone(),
        stats.clone(),
        cancel.clone(),
    ));

    println!("phase 1: {files} files through a watcher in delete mode");
    println!("seconds\tpublished\tfiles/s\trss_mib\tnats_rss_mib\tstate_files\tstate_bytes\tinbox");
    let producer = {
        let inbox = inbox.clone();
        tokio::task::spawn_blocking(move || {
            for n in 0..files {
                while files_in(&inbox) > 2000 {
                    std::thread::sleep(Duration::from_millis(5));
                }
                let temp = inbox.join(format!(".a{n}.part"));
                let body = format!("soak article {n}: a short body of some words, {n} again.\n");
                std::fs::write(&temp, body).expect("write");
                std::fs::rename(&temp, inbox.join(format!("a{n}.txt"))).expect("rename");
            }
        })
    };
    let start = Instant::now();
    let mut last = (0u64, Instant::now());
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let published = stats.published.load(Ordering::Relaxed);
        let rate = (published - last.0) as f64 / last.1.elapsed().as_secs_f64();
        last = (published, Instant::now());
        println!(
            "{:.0}\t{published}\t{rate:.0}\t{:.1}\t{:.1}\t{}\t{}\t{}",
            start.elapsed().as_secs_f64(),
            rss_mib("self"),
            rss_mib(&nats_pid),
            stats.state_files.load(Ordering::Relaxed),
            stats.state_bytes.load(Ordering::Relaxed),
            files_in(&inbox),
        );
        if published >= files as u64 {
            break;
        }
    }
    producer.await?;
    let took = start.elapsed().as_secs_f64();
    println!(
        "phase 1: {files} files in {took:.1} s, {:.0} files/s; not published: {} duplicate, {} already published, {} rejected",
        files as f64 / took,
        stats.duplicates.load(Ordering::Relaxed),
        stats.already_published.load(Ordering::Relaxed),
        stats.rejected.load(Ordering::Relaxed),
    );
    cancel.cancel();
    watcher.await??;

    println!("phase 2: {ids} content ids through the dedup path (look up, record after the ack)");
    println!("seconds\tids\tids/s\trss_mib\tnats_rss_mib\tbucket_msgs\tbucket_bytes");
    let start = Instant::now();
    let mut last = (0usize, Instant::now());
    let bucket = format!("KV_{}", subjects.watch_dedup_bucket());
    let in_flight = 64;
    let mut next = 0usize;
    while next < ids {
        let batch: Vec<usize> = (next..(next + 4096).min(ids)).collect();
        next += batch.len();
        let mut tasks = tokio::task::JoinSet::new();
        for chunk in batch.chunks(batch.len().div_ceil(in_flight)) {
            let dedup = dedup.clone();
            let chunk = chunk.to_vec();
            tasks.spawn(async move {
                for n in chunk {
                    let id = newsflow_model::article_id(format!("id {n}").as_bytes());
                    if dedup.published_by(&id).await.expect("lookup").is_none() {
                        dedup.record(&id, "soak.txt").await.expect("record");
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        if last.1.elapsed() >= Duration::from_secs(5) || next >= ids {
            let rate = (next - last.0) as f64 / last.1.elapsed().as_secs_f64();
            last = (next, Instant::now());
            let info = js.get_stream(&bucket).await?.get_info().await?;
            println!(
                "{:.0}\t{next}\t{rate:.0}\t{:.1}\t{:.1}\t{}\t{}",
                start.elapsed().as_secs_f64(),
                rss_mib("self"),
                rss_mib(&nats_pid),
                info.state.messages,
                info.state.bytes
            );
        }
    }
    let took = start.elapsed().as_secs_f64();
    println!(
        "phase 2: {ids} ids in {took:.1} s, {:.0} ids/s",
        ids as f64 / took
    );
    drop(server);
    Ok(())
}
