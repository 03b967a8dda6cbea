//! `newsflow process PATH...`: the stages without NATS, for batch runs, debugging and
//! evaluation. One JSON line per input file on stdout (a record, or an error record); a bulk
//! file (WARC, JSON Lines, tar, zip) gives one line per article inside it, read as a stream,
//! with the same ids the watcher gives them and sources named the same way
//! (`crawl.warc.gz@1234`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use clap::Args;
use newsflow_bulk::{BulkKind, Item, Limits};
use newsflow_model::{article_id, entry_id, ErrorRecord, Format, Stage};
use newsflow_pipeline::{Hints, Pipeline, RawInput};

use crate::settings;
use crate::stories::LocalStories;

#[derive(Args)]
pub struct ProcessArgs {
    /// Files or folders (folders are walked recursively, in name order).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Pretty-print each record (not JSONL).
    #[arg(long)]
    pretty: bool,
    /// Stop after this stage (to see what each stage contributes).
    #[arg(long, value_enum, default_value_t = Until::Extract)]
    until: Until,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Until {
    Clean,
    Classify,
    Extract,
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(entries) => entries.flatten().map(|entry| entry.path()).collect(),
            Err(_) => {
                out.push(path.to_path_buf());
                return;
            }
        };
        entries.sort();
        for entry in entries {
            let hidden = entry
                .file_name()
                .map(|name| name.to_string_lossy().starts_with('.'))
                .unwrap_or(false);
            if !hidden {
                collect(&entry, out);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// What an unsupported name is told.
pub const ACCEPTED: &str = "accepted inputs are .txt, .html, .htm, .json, optionally .gz, and bulk files: .warc, .warc.gz, .jsonl, .ndjson (optionally .gz), .tar, .tar.gz, .tgz, .zip";

fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, (&'static str, String)> {
    let metadata = std::fs::metadata(path).map_err(|err| ("unreadable", err.to_string()))?;
    if !metadata.is_file() {
        return Err(("not_a_file", "not a regular file".to_string()));
    }
    if metadata.len() > max {
        return Err((
            "too_large",
            format!("file is {} bytes, the limit is {max}", metadata.len()),
        ));
    }
    let file = std::fs::File::open(path).map_err(|err| ("unreadable", err.to_string()))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| ("unreadable", err.to_string()))?;
    if bytes.len() as u64 > max {
        return Err(("too_large", format!("file grew past {max} bytes")));
    }
    Ok(bytes)
}

/// SIGINT or SIGTERM: `process` stops at the next article, prints what it did (a bulk file's
/// summary line too) and exits with 128 + the signal's number; a second signal exits at once.
/// Returns the number of the signal received, 0 while none was.
fn stop_on_signal() -> anyhow::Result<Arc<AtomicI32>> {
    let stop = Arc::new(AtomicI32::new(0));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Registered before returning: a signal from now on is caught, not fatal.
    let mut signals = {
        let _entered = runtime.enter();
        crate::run::StopSignals::new()?
    };
    let flag = stop.clone();
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let number = signals.recv().await;
            flag.store(number, Ordering::SeqCst);
            let number = signals.recv().await;
            crate::logs::eprint_line(&format!("newsflow process: signal {number} again, exiting"));
            crate::logs::flush(std::time::Duration::from_secs(1));
            std::process::exit(128 + number);
        })
    });
    Ok(stop)
}

/// After a signal: the lines written so far are flushed, then the process exits.
fn exit_interrupted(out: &mut impl Write, signal: i32, files_done: usize, files: usize) -> ! {
    let _ = out.flush();
    crate::logs::eprint_line(&format!(
        "newsflow process: stopped by signal {signal} after {files_done} of {files} inputs"
    ));
    crate::logs::flush(std::time::Duration::from_secs(2));
    std::process::exit(128 + signal);
}

pub fn run(config_path: Option<&Path>, args: ProcessArgs) -> anyhow::Result<()> {
    let config = settings::load_config(config_path)?;
    let pipeline = settings::pipeline(&config)?;
    let stop = stop_on_signal()?;
    let mut files = Vec::new();
    for path in &args.paths {
        collect(path, &mut files);
    }
    let mut stories = LocalStories::new(pipeline.anchor_model());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let received_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut ctx = Context {
        pipeline: &pipeline,
        stories: &mut stories,
        received_at: &received_at,
        args: &args,
        stop: &stop,
    };
    let total = files.len();
    for (done, file) in files.into_iter().enumerate() {
        let signal = stop.load(Ordering::SeqCst);
        if signal != 0 {
            exit_interrupted(&mut out, signal, done, total);
        }
        let source = file.to_string_lossy().into_owned();
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(kind) = BulkKind::from_file_name(&name) {
            process_bulk(&mut ctx, &file, &source, kind, &config, &mut out)?;
            let signal = stop.load(Ordering::SeqCst);
            if signal != 0 {
                exit_interrupted(&mut out, signal, done, total);
            }
            continue;
        }
        let Context {
            pipeline, stories, ..
        } = &mut ctx;
        let line = match read_capped(&file, config.watch.max_file_bytes) {
            Err((kind, message)) => {
                let id = article_id(source.as_bytes());
                to_json(
                    &ErrorRecord::new(id, &source, Stage::Watch, kind, message),
                    args.pretty,
                )
            }
            Ok(bytes) => {
                let id = article_id(&bytes);
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                match Format::from_file_name(&name) {
                    None => to_json(
                        &ErrorRecord::new(
                            id,
                            &source,
                            Stage::Watch,
                            "unsupported_format",
                            ACCEPTED,
                        ),
                        args.pretty,
                    ),
                    Some(format) => {
                        let raw = RawInput {
                            id: &id,
                            source: &source,
                            received_at: &received_at,
                            format,
                            bytes: &bytes,
                            hints: Default::default(),
                        };
                        match pipeline.clean(&raw) {
                            Ok(mut record) => {
                                if args.until != Until::Clean {
                                    pipeline.classify(&mut record);
                                }
                                if args.until == Until::Extract {
                                    pipeline.extract(&mut record);
                                    stories.assign(&mut record);
                                }
                                to_json(&record, args.pretty)
                            }
                            Err(error) => to_json(&error, args.pretty),
                        }
                    }
                }
            }
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

struct Context<'a> {
    pipeline: &'a Pipeline,
    stories: &'a mut LocalStories,
    received_at: &'a str,
    args: &'a ProcessArgs,
    /// The signal that stops the run (0: none yet).
    stop: &'a AtomicI32,
}

/// Counts of one bulk file, for the closing summary on stderr.
#[derive(Default)]
struct BulkCounts {
    articles: u64,
    failed: u64,
    skipped: std::collections::BTreeMap<&'static str, u64>,
}

/// One line per article of a bulk file, as it is read.
fn process_bulk(
    ctx: &mut Context<'_>,
    file: &Path,
    source: &str,
    kind: BulkKind,
    config: &newsflow_config::Config,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let limit = config.watch.max_bulk_file_bytes;
    if limit > 0 && size > limit {
        let record = ErrorRecord::new(
            article_id(source.as_bytes()),
            source,
            Stage::Watch,
            "too_large",
            format!("bulk file is {size} bytes, the limit (watch.max_bulk_file_bytes) is {limit}"),
        );
        writeln!(out, "{}", to_json(&record, ctx.args.pretty))?;
        return Ok(());
    }
    let limits = Limits {
        max_entry_bytes: config.watch.max_file_bytes,
        ..Limits::default()
    };
    // The same ids the watcher gives these articles: content, position and the file's identity.
    let container = newsflow_bulk::container_id(file).unwrap_or_default();
    let mut counts = BulkCounts::default();
    let mut write_error: Option<std::io::Error> = None;
    let started = std::time::Instant::now();
    let mut interrupted = false;
    let result = newsflow_bulk::read_path(file, kind, &limits, None, &mut |visited| {
        if ctx.stop.load(Ordering::SeqCst) != 0 {
            interrupted = true;
            return std::ops::ControlFlow::Break(());
        }
        let line = match visited.item {
            Item::Article(entry) => {
                counts.articles += 1;
                let entry_source = format!("{source}{}", entry.locator);
                let id = entry_id(&entry.bytes, &format!("{container}{}", entry.locator));
                let raw = RawInput {
                    id: &id,
                    source: &entry_source,
                    received_at: ctx.received_at,
                    format: entry.format,
                    bytes: &entry.bytes,
                    hints: Hints {
                        url: entry.url.as_deref(),
                        fetched_at: entry.fetched_at.as_deref(),
                        charset: entry.charset.as_deref(),
                    },
                };
                match ctx.pipeline.clean(&raw) {
                    Ok(mut record) => {
                        if ctx.args.until != Until::Clean {
                            ctx.pipeline.classify(&mut record);
                        }
                        if ctx.args.until == Until::Extract {
                            ctx.pipeline.extract(&mut record);
                            ctx.stories.assign(&mut record);
                        }
                        to_json(&record, ctx.args.pretty)
                    }
                    Err(error) => to_json(&error, ctx.args.pretty),
                }
            }
            Item::Skipped { reason, .. } => {
                *counts.skipped.entry(reason.as_str()).or_default() += 1;
                return std::ops::ControlFlow::Continue(());
            }
            Item::Failed {
                locator,
                kind,
                message,
            } => {
                counts.failed += 1;
                let entry_source = format!("{source}{locator}");
                let record = ErrorRecord::new(
                    entry_id(kind.as_bytes(), &format!("{container}{locator}")),
                    &entry_source,
                    Stage::Watch,
                    kind,
                    format!("{source}: {message}"),
                );
                to_json(&record, ctx.args.pretty)
            }
        };
        match writeln!(out, "{line}") {
            Ok(()) => std::ops::ControlFlow::Continue(()),
            Err(err) => {
                write_error = Some(err);
                std::ops::ControlFlow::Break(())
            }
        }
    });
    if let Some(err) = write_error {
        return Err(err.into());
    }
    if let Err(err) = result {
        let record = ErrorRecord::new(
            article_id(source.as_bytes()),
            source,
            Stage::Watch,
            "unreadable",
            err.to_string(),
        );
        writeln!(out, "{}", to_json(&record, ctx.args.pretty))?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let skipped: Vec<String> = counts
        .skipped
        .iter()
        .map(|(reason, n)| format!("{reason}={n}"))
        .collect();
    let read = if interrupted {
        ", stopped part-way by a signal"
    } else {
        ""
    };
    crate::logs::eprint_line(&format!(
        "{source}: {kind} {articles} articles, {failed} failed, skipped {skipped} in {elapsed:.1} s ({rate:.0} records/s){read}",
        kind = kind.as_str(),
        articles = counts.articles,
        failed = counts.failed,
        skipped = if skipped.is_empty() { "0".to_string() } else { skipped.join(" ") },
        rate = (counts.articles + counts.failed + counts.skipped.values().sum::<u64>()) as f64
            / elapsed.max(1e-9),
    ));
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T, pretty: bool) -> String {
    let encoded = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    encoded.unwrap_or_else(|err| {
        format!("{{\"error\":{{\"kind\":\"encode\",\"message\":\"{err}\"}}}}")
    })
}
