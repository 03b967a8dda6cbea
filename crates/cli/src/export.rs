//! `newsflow export`: the stored results as JSON lines or a Parquet file, for analysts.
//!
//! Reads the results stream from `--since` up to the last record stored when the export
//! started, keeps the newest `version` of every article id (a replay supersedes older records),
//! and writes them in stream order. Parquet columns are flat: scalars as typed columns, lists
//! (entities, quotes, keywords, topics) as JSON text columns.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, ValueEnum};
use newsflow_bus::{Bus, ReadFrom};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use serde_json::Value;

use crate::settings;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Parquet,
}

#[derive(Args)]
pub struct ExportArgs {
    #[arg(long, env = "NEWSFLOW_NATS_URL")]
    nats: Option<String>,
    /// Only results stored at or after this time (RFC 3339, e.g. 2026-11-25T00:00:00Z).
    #[arg(long)]
    since: Option<String>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    format: ExportFormat,
    /// Output file ("-" or none: stdout; parquet needs a file).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Keep every version of an article instead of the newest only.
    #[arg(long)]
    all_versions: bool,
    /// Only results on this subject (e.g. newsflow.results.world).
    #[arg(long)]
    subject: Option<String>,
}

pub fn run(config_path: Option<&Path>, args: ExportArgs) -> anyhow::Result<()> {
    let mut config = settings::load_config(config_path)?;
    settings::client_nats_url(&mut config, args.nats.clone(), "export")?;
    let to_stdout = args.out.as_deref().is_none_or(|out| out == Path::new("-"));
    anyhow::ensure!(
        !(args.format == ExportFormat::Parquet && to_stdout),
        "parquet export needs --out FILE"
    );
    let since = args
        .since
        .as_deref()
        .map(|text| {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .with_context(|| format!("--since {text:?} is not an RFC 3339 time"))
        })
        .transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let records = runtime.block_on(async {
        let bus = Bus::connect(&config.nats, "newsflow-export").await?;
        let subjects = bus.subjects();
        anyhow::ensure!(
            bus.stream_figures(&subjects.results_stream())
                .await?
                .is_some(),
            "no results stream on this server"
        );
        let filter = args
            .subject
            .clone()
            .unwrap_or_else(|| subjects.all_results());
        let from = since.map(ReadFrom::Time).unwrap_or(ReadFrom::All);
        let mut scan = bus.scan(&subjects.results_stream(), &filter, from).await?;
        let mut records: Vec<(String, u64, Vec<u8>)> = Vec::new();
        let mut newest: HashMap<String, usize> = HashMap::new();
        while let Some(message) = scan.next().await? {
            let value: Value = serde_json::from_slice(&message.payload)
                .with_context(|| format!("result {} is not JSON", message.sequence))?;
            let id = value["id"].as_str().unwrap_or_default().to_string();
            let version = value["version"].as_u64().unwrap_or(1);
            let payload = message.payload.to_vec();
            match newest.get(&id) {
                Some(&index) if !args.all_versions => {
                    if version >= records[index].1 {
                        records[index] = (id, version, payload);
                    }
                }
                _ => {
                    newest.insert(id.clone(), records.len());
                    records.push((id, version, payload));
                }
            }
        }
        anyhow::Ok(records)
    })?;
    let payloads: Vec<Vec<u8>> = records.into_iter().map(|(_, _, payload)| payload).collect();
    match args.format {
        ExportFormat::Jsonl => {
            let mut out: Box<dyn Write> = match &args.out {
                Some(path) if !to_stdout => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                )),
                _ => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            for payload in &payloads {
                out.write_all(payload)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
        }
        ExportFormat::Parquet => {
            let path = args.out.as_deref().unwrap_or(Path::new("results.parquet"));
            let values: Vec<Value> = payloads
                .iter()
                .map(|payload| serde_json::from_slice(payload))
                .collect::<Result<_, _>>()?;
            write_parquet(path, &values)?;
        }
    }
    eprintln!("exported {} records", payloads.len());
    Ok(())
}

#[derive(Clone, Copy)]
enum Column {
    /// Required UTF-8 text.
    Text(&'static str),
    /// Optional UTF-8 text (null when absent).
    OptionalText(&'static str),
    /// A nested value kept as JSON text.
    Json(&'static str),
    Int(&'static str),
    /// `topic.label` / `topic.score` style nested fields.
    NestedText(&'static str, &'static str, &'static str),
    NestedDouble(&'static str, &'static str, &'static str),
    OptionalDouble(&'static str),
}

const COLUMNS: &[Column] = &[
    Column::Text("id"),
    Column::Int("version"),
    Column::Text("source"),
    Column::Text("received_at"),
    Column::Text("format"),
    Column::OptionalText("title"),
    Column::OptionalText("byline"),
    Column::OptionalText("dateline"),
    Column::OptionalText("published"),
    Column::OptionalText("outlet"),
    Column::OptionalText("url"),
    Column::OptionalText("language"),
    Column::OptionalDouble("language_score"),
    Column::NestedText("topic", "label", "topic"),
    Column::NestedDouble("topic", "score", "topic_score"),
    Column::Json("topics"),
    Column::Json("entities"),
    Column::Json("quotes"),
    Column::Json("keywords"),
    Column::OptionalText("summary"),
    Column::OptionalText("story_id"),
    Column::OptionalText("duplicate_of"),
    Column::Text("body"),
];

fn column_schema(column: Column) -> String {
    match column {
        Column::Text(name) => format!("REQUIRED BYTE_ARRAY {name} (UTF8);"),
        Column::OptionalText(name) | Column::Json(name) | Column::NestedText(_, _, name) => {
            format!("OPTIONAL BYTE_ARRAY {name} (UTF8);")
        }
        Column::Int(name) => format!("REQUIRED INT64 {name};"),
        Column::NestedDouble(_, _, name) | Column::OptionalDouble(name) => {
            format!("OPTIONAL DOUBLE {name};")
        }
    }
}

fn text_of(value: &Value, column: Column) -> Option<String> {
    let field = match column {
        Column::Text(name) | Column::OptionalText(name) => value.get(name)?,
        Column::NestedText(outer, inner, _) => value.get(outer)?.get(inner)?,
        Column::Json(name) => {
            let field = value.get(name)?;
            return (!field.is_null()).then(|| field.to_string());
        }
        _ => return None,
    };
    match field {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

fn double_of(value: &Value, column: Column) -> Option<f64> {
    match column {
        Column::NestedDouble(outer, inner, _) => value.get(outer)?.get(inner)?.as_f64(),
        Column::OptionalDouble(name) => value.get(name)?.as_f64(),
        _ => None,
    }
}

/// Writes the records as one Parquet file (row groups of 10,000, snappy pages).
fn write_parquet(path: &Path, records: &[Value]) -> anyhow::Result<()> {
    let message = format!(
        "message newsflow_result {{ {} }}",
        COLUMNS
            .iter()
            .map(|c| column_schema(*c))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let schema = Arc::new(parquet::schema::parser::parse_message_type(&message)?);
    let properties = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = SerializedFileWriter::new(file, schema, properties)?;
    for chunk in records.chunks(10_000) {
        let mut group = writer.next_row_group()?;
        for column in COLUMNS {
            let Some(mut out) = group.next_column()? else {
                anyhow::bail!("parquet schema has fewer columns than expected");
            };
            match column {
                Column::Int(name) => {
                    let values: Vec<i64> = chunk
                        .iter()
                        .map(|record| record.get(name).and_then(Value::as_i64).unwrap_or(1))
                        .collect();
                    out.typed::<Int64Type>().write_batch(&values, None, None)?;
                }
                Column::NestedDouble(..) | Column::OptionalDouble(_) => {
                    let found: Vec<Option<f64>> = chunk
                        .iter()
                        .map(|record| double_of(record, *column))
                        .collect();
                    let levels: Vec<i16> = found.iter().map(|v| i16::from(v.is_some())).collect();
                    let values: Vec<f64> = found.into_iter().flatten().collect();
                    out.typed::<DoubleType>()
                        .write_batch(&values, Some(&levels), None)?;
                }
                Column::Text(_) => {
                    let values: Vec<ByteArray> = chunk
                        .iter()
                        .map(|record| {
                            ByteArray::from(text_of(record, *column).unwrap_or_default().as_str())
                        })
                        .collect();
                    out.typed::<ByteArrayType>()
                        .write_batch(&values, None, None)?;
                }
                Column::OptionalText(_) | Column::NestedText(..) | Column::Json(_) => {
                    let found: Vec<Option<String>> = chunk
                        .iter()
                        .map(|record| text_of(record, *column))
                        .collect();
                    let levels: Vec<i16> = found.iter().map(|v| i16::from(v.is_some())).collect();
                    let values: Vec<ByteArray> = found
                        .into_iter()
                        .flatten()
                        .map(|text| ByteArray::from(text.as_str()))
                        .collect();
                    out.typed::<ByteArrayType>()
                        .write_batch(&values, Some(&levels), None)?;
                }
            }
            out.close()?;
        }
        group.close()?;
    }
    writer.close()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn parquet_round_trips_scalars_nulls_and_lists() {
        let records = vec![
            serde_json::json!({"id": "a", "version": 2, "source": "a.txt", "received_at": "2026-11-26T00:00:00Z",
                "format": "txt", "title": "Kim, Putin head back", "topic": {"label": "World", "score": 0.93},
                "entities": [{"text": "Kim", "type": "PER", "count": 2}], "body": "Body a"}),
            serde_json::json!({"id": "b", "version": 1, "source": "b.html", "received_at": "2026-11-26T00:00:01Z",
                "format": "html", "title": null, "topic": null, "body": "Body b"}),
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.parquet");
        write_parquet(&path, &records).unwrap();
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 2);
        let rows: Vec<String> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| row.unwrap().to_string())
            .collect();
        assert!(
            rows[0].contains("title: \"Kim, Putin head back\""),
            "{}",
            rows[0]
        );
        assert!(rows[0].contains("topic_score: 0.93"), "{}", rows[0]);
        assert!(rows[0].contains(r#""type":"PER""#), "{}", rows[0]);
        assert!(rows[1].contains("title: null"), "{}", rows[1]);
        assert!(rows[1].contains("version: 1"), "{}", rows[1]);
    }
}
