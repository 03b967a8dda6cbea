//! Operating commands: `newsflow errors list|show|retry` and `newsflow replay`.
//!
//! A retry or replay re-publishes the stored input of a stage with a new result version (the
//! current Unix time), so its message ids are new (not swallowed by the duplicate window) and
//! its results supersede the older ones: same article id, higher `version`.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream::{self, consumer, message::PublishMessage};
use async_nats::HeaderMap;
use clap::{Args, Subcommand, ValueEnum};
use futures::StreamExt;
use newsflow_bus::{headers, Subjects};
use newsflow_model::{ErrorRecord, Record};

use crate::settings;

#[derive(Args)]
pub struct ErrorsArgs {
    #[arg(long, env = "NEWSFLOW_NATS_URL", global = true)]
    nats: Option<String>,
    #[command(subcommand)]
    command: ErrorsCommand,
}

#[derive(Subcommand)]
enum ErrorsCommand {
    /// One line per error record: stage, kind, source, message.
    List {
        /// Print the records as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Every error record of an article id (or of a source path).
    Show { id_or_source: String },
    /// Re-submit articles that failed in clean, classify or extract (after a fix).
    Retry {
        /// Article ids; with none, every article that has an error record.
        ids: Vec<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReplayStage {
    Clean,
    Classify,
    Extract,
}

#[derive(Args)]
pub struct ReplayArgs {
    #[arg(long, env = "NEWSFLOW_NATS_URL")]
    nats: Option<String>,
    /// Only articles stored at or after this time (RFC 3339, e.g. 2026-11-25T00:00:00Z).
    #[arg(long)]
    since: Option<String>,
    /// First stage to re-run (default clean: everything); later stages always run.
    #[arg(long, value_enum, default_value_t = ReplayStage::Clean)]
    stage: ReplayStage,
}

async fn connect(
    config_path: Option<&Path>,
    nats: Option<String>,
    command: &str,
) -> anyhow::Result<(jetstream::Context, Subjects)> {
    let mut config = settings::load_config(config_path)?;
    settings::client_nats_url(&mut config, nats, command)?;
    let client = newsflow_bus::connect(&config.nats.url, &config.nats, "newsflow-ops").await?;
    Ok((
        newsflow_bus::jetstream(client),
        Subjects::new(&config.nats.prefix),
    ))
}

/// Every stored message on `filter` (optionally from a start time), in stream order.
async fn scan(
    js: &jetstream::Context,
    stream: &str,
    filter: &str,
    since: Option<time::OffsetDateTime>,
) -> anyhow::Result<Vec<async_nats::jetstream::Message>> {
    let mut stream = js
        .get_stream(stream)
        .await
        .with_context(|| format!("stream {stream}"))?;
    let last = stream.info().await?.state.last_sequence;
    // Nothing is stored in the future (and nats-server misreads times past 2262).
    if last == 0 || since.is_some_and(|since| since > time::OffsetDateTime::now_utc()) {
        return Ok(Vec::new());
    }
    let deliver_policy = match since {
        Some(start_time) => consumer::DeliverPolicy::ByStartTime { start_time },
        None => consumer::DeliverPolicy::All,
    };
    let consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: filter.to_string(),
            deliver_policy,
            ..Default::default()
        })
        .await?;
    let mut messages = consumer.messages().await?;
    let mut out = Vec::new();
    while let Ok(Some(message)) =
        tokio::time::timeout(Duration::from_millis(1500), messages.next()).await
    {
        let message = message?;
        let sequence = message.info().map(|info| info.stream_sequence).unwrap_or(0);
        out.push(message);
        if sequence >= last {
            break;
        }
    }
    Ok(out)
}

fn replay_version() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_secs() as u32)
        .unwrap_or(2)
}

/// Re-publishes a raw article with a new version.
async fn republish_raw(
    js: &jetstream::Context,
    subjects: &Subjects,
    message: &async_nats::jetstream::Message,
    version: u32,
) -> anyhow::Result<()> {
    let mut header_map = message.headers.clone().unwrap_or_default();
    let id = header_map
        .get(headers::ID)
        .map(|v| v.to_string())
        .unwrap_or_default();
    header_map.insert(headers::VERSION, version.to_string().as_str());
    let publish = PublishMessage::build()
        .payload(message.payload.clone())
        .headers(header_map)
        .message_id(format!("raw:{id}:v{version}"));
    js.send_publish(subjects.raw(), publish).await?.await?;
    Ok(())
}

pub fn errors(config_path: Option<&Path>, args: ErrorsArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (js, subjects) = connect(config_path, args.nats, "errors").await?;
        let stored = scan(&js, &subjects.errors_stream(), &subjects.all_errors(), None).await?;
        let records: Vec<ErrorRecord> = stored
            .iter()
            .filter_map(|message| serde_json::from_slice(&message.payload).ok())
            .collect();
        match args.command {
            ErrorsCommand::List { json } => {
                for record in &records {
                    if json {
                        println!("{}", serde_json::to_string(record)?);
                    } else {
                        let mut message = record.error.message.replace('\n', " ");
                        if message.chars().count() > 80 {
                            message = message.chars().take(77).collect::<String>() + "...";
                        }
                        println!(
                            "{:<8} {:<22} {:<32} {} — {}",
                            record.error.stage.as_str(),
                            record.error.kind,
                            record.id,
                            record.source.replace('\n', "\\n"),
                            message
                        );
                    }
                }
                if !json {
                    eprintln!("{} error record(s)", records.len());
                }
            }
            ErrorsCommand::Show { id_or_source } => {
                let matching: Vec<&ErrorRecord> = records
                    .iter()
                    .filter(|record| record.id == id_or_source || record.source == id_or_source)
                    .collect();
                anyhow::ensure!(!matching.is_empty(), "no error record for {id_or_source}");
                for record in matching {
                    println!("{}", serde_json::to_string_pretty(record)?);
                }
            }
            ErrorsCommand::Retry { ids } => {
                let wanted: BTreeSet<String> = if ids.is_empty() {
                    records
                        .iter()
                        .filter(|record| record.error.stage != newsflow_model::Stage::Watch)
                        .map(|record| record.id.clone())
                        .collect()
                } else {
                    ids.into_iter().collect()
                };
                let raw = scan(&js, &subjects.articles_stream(), &subjects.raw(), None).await?;
                let version = replay_version();
                let mut done = BTreeSet::new();
                for message in &raw {
                    let id = message
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(headers::ID))
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    if wanted.contains(&id) && done.insert(id) {
                        republish_raw(&js, &subjects, message, version).await?;
                    }
                }
                for id in wanted.difference(&done) {
                    eprintln!("{id}: no stored raw article (watch-stage errors are fixed by dropping the file again)");
                }
                println!("re-submitted {} article(s) as version {version}", done.len());
            }
        }
        anyhow::Ok(())
    })
}

pub fn replay(config_path: Option<&Path>, args: ReplayArgs) -> anyhow::Result<()> {
    let since = match &args.since {
        Some(text) => Some(
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .with_context(|| format!("--since {text} is not an RFC 3339 time"))?,
        ),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (js, subjects) = connect(config_path, args.nats, "replay").await?;
        let version = replay_version();
        let input_subject = match args.stage {
            ReplayStage::Clean => subjects.raw(),
            ReplayStage::Classify => subjects.clean(),
            ReplayStage::Extract => subjects.classified(),
        };
        let stored = scan(&js, &subjects.articles_stream(), &input_subject, since).await?;
        let mut seen = BTreeSet::new();
        let mut count = 0usize;
        for message in stored.iter().rev() {
            let header_map: HeaderMap = message.headers.clone().unwrap_or_default();
            let id = header_map
                .get(headers::ID)
                .map(|v| v.to_string())
                .unwrap_or_default();
            // The newest stored copy of each article is the one to replay.
            if !seen.insert(id.clone()) {
                continue;
            }
            match args.stage {
                ReplayStage::Clean => republish_raw(&js, &subjects, message, version).await?,
                ReplayStage::Classify | ReplayStage::Extract => {
                    let Ok(mut record) = serde_json::from_slice::<Record>(&message.payload) else {
                        continue;
                    };
                    record.version = version;
                    let mut header_map = header_map.clone();
                    header_map.insert(headers::VERSION, version.to_string().as_str());
                    let stage = if matches!(args.stage, ReplayStage::Classify) {
                        "clean"
                    } else {
                        "classify"
                    };
                    let publish = PublishMessage::build()
                        .payload(serde_json::to_vec(&record)?.into())
                        .headers(header_map)
                        .message_id(format!("{stage}:{id}:v{version}"));
                    js.send_publish(input_subject.clone(), publish)
                        .await?
                        .await?;
                }
            }
            count += 1;
        }
        println!("replayed {count} article(s) from {input_subject} as version {version}");
        anyhow::Ok(())
    })
}
