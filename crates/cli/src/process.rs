//! `newsflow process PATH...`: the stages without NATS, for batch runs, debugging and
//! evaluation. One JSON line per input file on stdout (a record, or an error record).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use newsflow_model::{article_id, ErrorRecord, Format, Stage};
use newsflow_pipeline::RawInput;

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

pub fn run(config_path: Option<&Path>, args: ProcessArgs) -> anyhow::Result<()> {
    let config = settings::load_config(config_path)?;
    let pipeline = settings::pipeline(&config)?;
    let mut files = Vec::new();
    for path in &args.paths {
        collect(path, &mut files);
    }
    let mut stories = LocalStories::new();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let received_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    for file in files {
        let source = file.to_string_lossy().into_owned();
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
                            "accepted inputs are .txt, .html, .htm, .json, optionally .gz",
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
