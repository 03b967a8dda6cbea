//! `newsflow status`: streams, stage consumers (pending, in flight, redelivered, workers
//! waiting) and error counts per stage, as a table or JSON.

use std::path::Path;

use clap::Args;
use newsflow_bus::Bus;
use newsflow_model::Stage;
use serde::Serialize;

use crate::observe::WatcherReport;
use crate::settings;

#[derive(Args)]
pub struct StatusArgs {
    #[arg(long, env = "NEWSFLOW_NATS_URL")]
    nats: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct StreamStatus {
    name: String,
    messages: u64,
    bytes: u64,
}

#[derive(Serialize)]
struct StageStatus {
    stage: String,
    consumer: String,
    /// Messages not yet delivered to any worker.
    pending: u64,
    /// Delivered, not yet acked.
    in_flight: usize,
    redelivered: usize,
    /// Pull requests waiting: roughly the workers idle right now.
    waiting_pulls: usize,
    errors: u64,
}

#[derive(Serialize)]
struct Status {
    nats: String,
    streams: Vec<StreamStatus>,
    stages: Vec<StageStatus>,
    results: u64,
    watch_errors: u64,
    /// Every watcher that reported in the last two minutes: what it published, rejected and
    /// skipped by reason (`duplicates`, `already_published`, `too_young`), as it reported them.
    watchers: Vec<WatcherReport>,
}

pub fn run(config_path: Option<&Path>, args: StatusArgs) -> anyhow::Result<()> {
    let mut config = settings::load_config(config_path)?;
    settings::client_nats_url(&mut config, args.nats.clone(), "status")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let status = runtime.block_on(async {
        let bus = Bus::connect(&config.nats, "newsflow-status").await?;
        let subjects = bus.subjects();
        let mut streams = Vec::new();
        let mut error_counts = std::collections::HashMap::new();
        let mut results = 0;
        for name in [
            subjects.articles_stream(),
            subjects.results_stream(),
            subjects.errors_stream(),
        ] {
            let Some(figures) = bus.stream_figures(&name).await? else {
                continue;
            };
            if name == subjects.results_stream() {
                results = figures.messages;
            }
            if name == subjects.errors_stream() {
                for stage in [Stage::Watch, Stage::Clean, Stage::Classify, Stage::Extract] {
                    let count = bus.subject_count(&name, &subjects.error(stage)).await?;
                    error_counts.insert(stage, count);
                }
            }
            streams.push(StreamStatus {
                name,
                messages: figures.messages,
                bytes: figures.bytes,
            });
        }
        let mut stages = Vec::new();
        for stage in [Stage::Clean, Stage::Classify, Stage::Extract] {
            let durable = subjects.durable(stage);
            let Some(figures) = bus
                .consumer_figures(&subjects.articles_stream(), &durable)
                .await
            else {
                continue;
            };
            stages.push(StageStatus {
                stage: stage.as_str().to_string(),
                consumer: durable,
                pending: figures.pending,
                in_flight: figures.ack_pending,
                redelivered: figures.redelivered,
                waiting_pulls: figures.waiting,
                errors: error_counts.get(&stage).copied().unwrap_or(0),
            });
        }
        let watchers = bus
            .watchers()
            .await?
            .into_iter()
            .filter_map(|(_, counters)| serde_json::from_value(counters).ok())
            .collect();
        anyhow::Ok(Status {
            nats: config.nats.url.clone(),
            streams,
            stages,
            results,
            watch_errors: error_counts.get(&Stage::Watch).copied().unwrap_or(0),
            watchers,
        })
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(());
    }
    println!("nats {}", status.nats);
    println!("{:<22} {:>10} {:>14}", "stream", "messages", "bytes");
    for stream in &status.streams {
        println!(
            "{:<22} {:>10} {:>14}",
            stream.name, stream.messages, stream.bytes
        );
    }
    println!();
    println!(
        "{:<10} {:>9} {:>10} {:>12} {:>14} {:>7}",
        "stage", "pending", "in flight", "redelivered", "waiting pulls", "errors"
    );
    println!(
        "{:<10} {:>9} {:>10} {:>12} {:>14} {:>7}",
        "watch", "-", "-", "-", "-", status.watch_errors
    );
    for stage in &status.stages {
        println!(
            "{:<10} {:>9} {:>10} {:>12} {:>14} {:>7}",
            stage.stage,
            stage.pending,
            stage.in_flight,
            stage.redelivered,
            stage.waiting_pulls,
            stage.errors
        );
    }
    if !status.watchers.is_empty() {
        println!();
        println!(
            "{:<28} {:>9} {:>8} {:>10} {:>9} {:>9} {:>7}  inbox",
            "watcher", "published", "rejected", "duplicate", "earlier", "too young", "removed"
        );
        for watcher in &status.watchers {
            let name = format!(
                "{}:{}{}",
                watcher.host,
                watcher.pid,
                if watcher.stopped { " (stopped)" } else { "" }
            );
            println!(
                "{:<28} {:>9} {:>8} {:>10} {:>9} {:>9} {:>7}  {}",
                name,
                watcher.published,
                watcher.rejected,
                watcher.duplicates,
                watcher.already_published,
                watcher.too_young,
                watcher.removed,
                watcher.inbox
            );
            if watcher.bulk_published + watcher.bulk_skipped + watcher.bulk_failed > 0 {
                println!(
                    "  bulk records: {} published, {} skipped, {} failed",
                    watcher.bulk_published, watcher.bulk_skipped, watcher.bulk_failed
                );
            }
            for file in &watcher.bulk_files {
                println!("  reading {}", file.line());
            }
            let pace = watcher.pace.line();
            if !pace.is_empty() && !watcher.stopped {
                println!("  {pace}");
            }
        }
    }
    println!();
    println!("results stored: {}", status.results);
    Ok(())
}
