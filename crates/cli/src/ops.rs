//! Operating commands: `newsflow errors list|show|retry` and `newsflow replay`.
//!
//! A retry or replay re-publishes the stored input of a stage with a new result version (the
//! current Unix time), so its message ids are new (not swallowed by the duplicate window) and
//! its results supersede the older ones: same article id, higher `version`.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use newsflow_bus::{headers, Bus, ReadFrom, Stored};
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
) -> anyhow::Result<Bus> {
    let mut config = settings::load_config(config_path)?;
    settings::client_nats_url(&mut config, nats, command)?;
    Ok(Bus::connect(&config.nats, "newsflow-ops").await?)
}

fn replay_version() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_secs() as u32)
        .unwrap_or(2)
}

/// Re-publishes a raw article with a new version.
async fn republish_raw(bus: &Bus, message: &Stored, version: u32) -> anyhow::Result<()> {
    let id = message.header(headers::ID).unwrap_or_default();
    bus.republish(
        &bus.subjects().raw(),
        message,
        None,
        version,
        format!("raw:{id}:v{version}"),
    )
    .await?;
    Ok(())
}

pub fn errors(config_path: Option<&Path>, args: ErrorsArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let bus = connect(config_path, args.nats, "errors").await?;
        let subjects = bus.subjects();
        let stored = bus
            .scan(&subjects.errors_stream(), &subjects.all_errors(), ReadFrom::All)
            .await?
            .collect()
            .await?;
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
                let raw = bus
                    .scan(&subjects.articles_stream(), &subjects.raw(), ReadFrom::All)
                    .await?
                    .collect()
                    .await?;
                let version = replay_version();
                let mut done = BTreeSet::new();
                for message in &raw {
                    let id = message.header(headers::ID).unwrap_or_default();
                    if wanted.contains(&id) && done.insert(id) {
                        republish_raw(&bus, message, version).await?;
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
        let bus = connect(config_path, args.nats, "replay").await?;
        let subjects = bus.subjects();
        let version = replay_version();
        let input_subject = match args.stage {
            ReplayStage::Clean => subjects.raw(),
            ReplayStage::Classify => subjects.clean(),
            ReplayStage::Extract => subjects.classified(),
        };
        let from = since.map(ReadFrom::Time).unwrap_or(ReadFrom::All);
        let stored = bus
            .scan(&subjects.articles_stream(), &input_subject, from)
            .await?
            .collect()
            .await?;
        if stored.is_empty() && !matches!(args.stage, ReplayStage::Clean) {
            // Fused workers (`workers.fused`) store no intermediate records: the articles that
            // got that far are the ones with a result, and they are run again from their raw
            // copy (the clean stage gives the same record again).
            let finished: BTreeSet<String> = bus
                .scan(
                    &subjects.results_stream(),
                    &subjects.all_results(),
                    ReadFrom::All,
                )
                .await?
                .collect()
                .await?
                .iter()
                .filter_map(|message| message.header(headers::ID))
                .collect();
            let raw = bus
                .scan(&subjects.articles_stream(), &subjects.raw(), from)
                .await?
                .collect()
                .await?;
            let mut seen = BTreeSet::new();
            for message in raw.iter().rev() {
                let id = message.header(headers::ID).unwrap_or_default();
                if finished.contains(&id) && seen.insert(id) {
                    republish_raw(&bus, message, version).await?;
                }
            }
            println!(
                "replayed {} article(s) from {} as version {version} (no records stored on \
                 {input_subject}: the workers run the stages in one process)",
                seen.len(),
                subjects.raw()
            );
            return anyhow::Ok(());
        }
        let mut seen = BTreeSet::new();
        let mut count = 0usize;
        for message in stored.iter().rev() {
            let id = message.header(headers::ID).unwrap_or_default();
            // The newest stored copy of each article is the one to replay.
            if !seen.insert(id.clone()) {
                continue;
            }
            match args.stage {
                ReplayStage::Clean => republish_raw(&bus, message, version).await?,
                ReplayStage::Classify | ReplayStage::Extract => {
                    let Ok(mut record) = serde_json::from_slice::<Record>(&message.payload) else {
                        continue;
                    };
                    record.version = version;
                    let stage = if matches!(args.stage, ReplayStage::Classify) {
                        "clean"
                    } else {
                        "classify"
                    };
                    bus.republish(
                        &input_subject,
                        message,
                        Some(serde_json::to_vec(&record)?.into()),
                        version,
                        format!("{stage}:{id}:v{version}"),
                    )
                    .await?;
                }
            }
            count += 1;
        }
        println!("replayed {count} article(s) from {input_subject} as version {version}");
        anyhow::Ok(())
    })
}
