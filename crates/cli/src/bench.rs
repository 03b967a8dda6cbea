//! `newsflow bench`: end-to-end throughput and drop-to-result latency through the real
//! pipeline (watcher + stage workers, in this process) next to the bare-broker relay rate
//! (publish → pull → publish onward → await ack → ack, three hops, no work) measured in the
//! same run against the same kind of local nats-server.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, ValueEnum};
use newsflow_bus::server::{NatsServer, ServerOptions};
use newsflow_bus::{headers, publisher::now_ns, Bus, ReadFrom};
use newsflow_config::Config;
use tokio_util::sync::CancellationToken;

use crate::settings;

#[derive(Args)]
pub struct BenchArgs {
    /// Articles per run.
    #[arg(long, default_value_t = 2000)]
    articles: usize,
    /// Worker counts per stage to measure (each in its own run).
    #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
    workers: Vec<usize>,
    /// Messages for the bare relay anchor.
    #[arg(long, default_value_t = 20000)]
    relay_messages: usize,
    /// Use this nats-server instead of starting one per run.
    #[arg(long)]
    nats: Option<String>,
    /// Offered rate in articles/s (files dropped at this pace); 0 drops them all at once.
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Where the articles come from: the scraped seeds (4.1 KB with menus and footers), or the
    /// BBC news corpus of `../shared/data` (2.3 KB of clean prose, 1,485 distinct articles).
    #[arg(long, value_enum, default_value_t = Corpus::Seeds)]
    corpus: Corpus,
    /// The BBC tarball for `--corpus bbc`.
    #[arg(long, default_value = "../shared/data/bbc/bbc-dev.tar.gz")]
    bbc: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Corpus {
    Seeds,
    Bbc,
}

/// `count` articles from the corpus, each with a unique closing paragraph (so none is a
/// duplicate of another even when the corpus has fewer articles than `count`).
fn bench_articles(args: &BenchArgs) -> anyhow::Result<Vec<Vec<u8>>> {
    let count = args.articles;
    let mut sources = Vec::new();
    match args.corpus {
        Corpus::Seeds => {
            let seeds_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds");
            for entry in
                std::fs::read_dir(&seeds_dir).with_context(|| format!("{}", seeds_dir.display()))?
            {
                sources.push(std::fs::read(entry?.path())?);
            }
            sources.sort();
        }
        Corpus::Bbc => {
            let docs = newsflow_corpus::bbc::read(&args.bbc)?;
            let (docs, _) = newsflow_corpus::dedup::dedup(docs);
            sources.extend(docs.into_iter().map(|doc| doc.text.into_bytes()));
        }
    }
    anyhow::ensure!(!sources.is_empty(), "no articles in the bench corpus");
    Ok((0..count)
        .map(|n| {
            let mut text = sources[n % sources.len()].clone();
            text.extend_from_slice(
                format!("\n\nBenchmark paragraph {n}: officials said further talks, number {n}, would follow.\n").as_bytes(),
            );
            text
        })
        .collect())
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU seconds (user + system) from a `/proc/.../stat` file; `/proc` counts in USER_HZ, which
/// is 100 on Linux whatever the kernel's tick.
fn cpu_seconds(stat_path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    // `pid (comm) state ...`: comm may hold spaces; fields after it start at state (field 3).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// CPU seconds of this process and of the run's nats-server (if this run started it).
fn pipeline_cpu(server_pid: Option<u32>) -> f64 {
    let own = cpu_seconds("/proc/self/stat").unwrap_or(f64::NAN);
    let server = server_pid
        .and_then(|pid| cpu_seconds(&format!("/proc/{pid}/stat")))
        .unwrap_or(0.0);
    own + server
}

/// The stages alone on the same articles, as `newsflow process` runs them (clean, classify,
/// extract, local story assignment, JSON out), in this thread: CPU seconds per article.
fn stages_only_cpu(config: &Config, articles: &[Vec<u8>]) -> anyhow::Result<f64> {
    use newsflow_model::{article_id, Format};
    use newsflow_pipeline::RawInput;
    let pipeline = settings::pipeline(config)?;
    let mut stories = crate::stories::LocalStories::new(pipeline.anchor_model());
    let received_at = "2026-01-01T00:00:00Z";
    let before = cpu_seconds("/proc/thread-self/stat").unwrap_or(f64::NAN);
    let mut bytes_out = 0usize;
    for (n, bytes) in articles.iter().enumerate() {
        let id = article_id(bytes);
        let source = format!("bench/{n:06}.txt");
        let raw = RawInput {
            id: &id,
            source: &source,
            received_at,
            format: Format::Txt,
            bytes,
            hints: Default::default(),
        };
        let line = match pipeline.clean(&raw) {
            Ok(mut record) => {
                pipeline.classify(&mut record);
                pipeline.extract(&mut record);
                stories.assign(&mut record);
                serde_json::to_vec(&record)?
            }
            Err(error) => serde_json::to_vec(&error)?,
        };
        bytes_out += line.len();
    }
    let after = cpu_seconds("/proc/thread-self/stat").unwrap_or(f64::NAN);
    std::hint::black_box(bytes_out);
    Ok((after - before) / articles.len().max(1) as f64)
}

struct Broker {
    _server: Option<NatsServer>,
    _store: Option<tempfile::TempDir>,
    url: String,
    pid: Option<u32>,
}

fn broker(existing: &Option<String>) -> anyhow::Result<Broker> {
    if let Some(url) = existing {
        return Ok(Broker {
            _server: None,
            _store: None,
            url: url.clone(),
            pid: None,
        });
    }
    let store = tempfile::tempdir()?;
    let server = NatsServer::start(ServerOptions::new(store.path()))?;
    let url = server.url().to_string();
    let pid = Some(server.pid());
    Ok(Broker {
        _server: Some(server),
        _store: Some(store),
        url,
        pid,
    })
}

struct RunFigures {
    workers: usize,
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// CPU seconds per article of this process and the nats-server, from the first drop to
    /// the last result (model loading and the bench's writing of the inbox files excluded).
    cpu_per_article: f64,
}

/// One pipeline run: `workers` worker sets (each clean + classify + extract), one watcher.
async fn pipeline_run(
    url: &str,
    server_pid: Option<u32>,
    config: &Config,
    workers: usize,
    articles: &[Vec<u8>],
    offered_rate: f64,
) -> anyhow::Result<RunFigures> {
    let temp = tempfile::tempdir()?;
    let inbox = temp.path().join("inbox");
    std::fs::create_dir_all(&inbox)?;
    let mut config = config.clone();
    config.nats.url = url.to_string();
    config.nats.prefix = format!("bench{workers}");
    config.watch.inbox = inbox.clone();
    config.state_dir = temp.path().join("state");
    let bus = Bus::connect(&config.nats, "bench").await?;
    bus.ensure_streams(&config.nats).await?;
    let subjects = bus.subjects();
    let cancel = CancellationToken::new();
    let mut parts = Vec::new();
    for _ in 0..workers {
        parts.push(crate::run::spawn_in_process_worker(&config, cancel.clone()).await?);
    }
    let watcher = crate::run::spawn_in_process_watcher(&config, cancel.clone()).await?;
    // Collect results with their drop timestamps.
    let mut messages = bus
        .follow(
            &subjects.results_stream(),
            Some(&subjects.all_results()),
            ReadFrom::All,
        )
        .await?;
    let start = Instant::now();
    let cpu_start = pipeline_cpu(server_pid);
    let writer = {
        let inbox = inbox.clone();
        let articles = articles.to_vec();
        tokio::task::spawn_blocking(move || -> anyhow::Result<f64> {
            let own_cpu = || cpu_seconds("/proc/thread-self/stat").unwrap_or(0.0);
            let cpu_before = own_cpu();
            let paced = Instant::now();
            for (n, bytes) in articles.iter().enumerate() {
                if offered_rate > 0.0 {
                    let due = Duration::from_secs_f64(n as f64 / offered_rate);
                    if let Some(wait) = due.checked_sub(paced.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
                let part = inbox.join(format!(".{n}.part"));
                std::fs::write(&part, bytes)?;
                std::fs::rename(&part, inbox.join(format!("{n:06}.txt")))?;
            }
            Ok(own_cpu() - cpu_before)
        })
    };
    let mut latencies = Vec::with_capacity(articles.len());
    while latencies.len() < articles.len() {
        let next = tokio::time::timeout(Duration::from_secs(120), messages.next())
            .await
            .context("no result for 120 s")?;
        let Some(message) = next else { break };
        let message = message?;
        let dropped = message
            .header(headers::DROPPED_NS)
            .and_then(|value| value.parse::<u128>().ok())
            .unwrap_or(0);
        latencies.push((now_ns().saturating_sub(dropped)) as f64 / 1e6);
    }
    let elapsed = start.elapsed().as_secs_f64();
    // The bench's own writing of the inbox files is not the pipeline's work.
    let writer_cpu = writer.await??;
    let cpu = pipeline_cpu(server_pid) - cpu_start - writer_cpu;
    cancel.cancel();
    for part in parts {
        let _ = part.await;
    }
    let _ = watcher.await;
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Ok(RunFigures {
        workers,
        rate: latencies.len() as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        cpu_per_article: cpu / latencies.len().max(1) as f64,
    })
}

pub fn run(config_path: Option<&Path>, args: BenchArgs) -> anyhow::Result<()> {
    let config = settings::load_config(config_path)?;
    let articles = bench_articles(&args)?;
    let mean_size =
        articles.iter().map(Vec::len).sum::<usize>() as f64 / articles.len().max(1) as f64;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let anchor_broker = broker(&args.nats)?;
        let relay = newsflow_bus::relay::bare_relay(&anchor_broker.url, args.relay_messages).await?;
        drop(anchor_broker);
        println!(
            "bare-broker relay (3 hops, ack after onward publish ack, 5 KB): {relay:.0} msgs/s"
        );
        let offered = if args.rate > 0.0 {
            format!("offered at {:.0} articles/s", args.rate)
        } else {
            "all dropped at once".to_string()
        };
        println!(
            "pipeline: {} {} articles of {:.1} KB mean, {offered}, watcher + clean/classify/extract",
            articles.len(),
            match args.corpus {
                Corpus::Seeds => "seed",
                Corpus::Bbc => "BBC",
            },
            mean_size / 1024.0
        );
        let stages_cpu = stages_only_cpu(&config, &articles)?;
        println!(
            "stages only (clean + classify + extract + stories, no NATS, one thread): {:.2} ms CPU per article",
            stages_cpu * 1e3
        );
        println!("| worker sets | articles/s | share of relay | drop→result p50 | p99 | pipeline CPU per article | stage share |");
        println!("| --- | --- | --- | --- | --- | --- | --- |");
        for workers in &args.workers {
            let run_broker = broker(&args.nats)?;
            let figures = pipeline_run(
                &run_broker.url,
                run_broker.pid,
                &config,
                *workers,
                &articles,
                args.rate,
            )
            .await?;
            println!(
                "| {} | {:.0} | {:.0} % | {:.1} ms | {:.1} ms | {:.2} ms | {:.2} |",
                figures.workers,
                figures.rate,
                100.0 * figures.rate / relay,
                figures.p50_ms,
                figures.p99_ms,
                figures.cpu_per_article * 1e3,
                stages_cpu / figures.cpu_per_article
            );
        }
        println!(
            "peak RSS of this process (pipeline + bench client): {:.0} MB",
            rss_mb()
        );
        anyhow::Ok(())
    })
}
