//! `newsflow tail`: results (or error records) as JSON lines, as they arrive.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream::consumer::{self, DeliverPolicy};
use clap::Args;
use futures::StreamExt;
use newsflow_bus::Subjects;

use crate::settings;

#[derive(Args)]
pub struct TailArgs {
    #[arg(long, env = "NEWSFLOW_NATS_URL")]
    nats: Option<String>,
    /// Subject filter (default: every result, `<prefix>.results.>`).
    #[arg(long)]
    subject: Option<String>,
    /// Show error records (`<prefix>.errors.>`) instead of results.
    #[arg(long)]
    errors: bool,
    /// Only records that arrive from now on (default: replay what the stream holds, then follow).
    #[arg(long)]
    new: bool,
    /// Stop after this many records.
    #[arg(long)]
    count: Option<usize>,
    /// Stop when nothing arrived for this many seconds.
    #[arg(long)]
    idle_timeout: Option<u64>,
}

pub fn run(config_path: Option<&Path>, args: TailArgs) -> anyhow::Result<()> {
    let mut config = settings::load_config(config_path)?;
    settings::client_nats_url(&mut config, args.nats.clone(), "tail")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let client = newsflow_bus::connect(&config.nats.url, &config.nats, "newsflow-tail").await?;
        let js = newsflow_bus::jetstream(client);
        let subjects = Subjects::new(&config.nats.prefix);
        newsflow_bus::ensure_streams(&js, &subjects, &config.nats).await?;
        let (stream_name, default_subject) = if args.errors {
            (subjects.errors_stream(), subjects.all_errors())
        } else {
            (subjects.results_stream(), subjects.all_results())
        };
        let filter = args.subject.clone().unwrap_or(default_subject);
        let stream = js
            .get_stream(&stream_name)
            .await
            .context("results stream")?;
        let consumer = stream
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: filter,
                deliver_policy: if args.new {
                    DeliverPolicy::New
                } else {
                    DeliverPolicy::All
                },
                ..Default::default()
            })
            .await
            .context("cannot create a consumer")?;
        let mut messages = consumer.messages().await?;
        let mut printed = 0usize;
        let stdout = std::io::stdout();
        loop {
            if args.count.is_some_and(|count| printed >= count) {
                break;
            }
            let next = match args.idle_timeout {
                Some(secs) => {
                    match tokio::time::timeout(Duration::from_secs(secs), messages.next()).await {
                        Ok(next) => next,
                        Err(_) => break,
                    }
                }
                None => messages.next().await,
            };
            let Some(message) = next else { break };
            let message = message?;
            let mut out = stdout.lock();
            out.write_all(&message.payload)?;
            out.write_all(b"\n")?;
            out.flush()?;
            printed += 1;
        }
        Ok(())
    })
}
