//! `newsflow tail`: results (or error records) as JSON lines, as they arrive.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use newsflow_bus::{Bus, ReadFrom};

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
    /// For a person: one short block per record (title, outlet, date, topic, top entities, a
    /// quote with its speaker, story group) instead of the JSON line.
    #[arg(long)]
    pretty: bool,
}

pub fn run(config_path: Option<&Path>, args: TailArgs) -> anyhow::Result<()> {
    let mut config = settings::load_config(config_path)?;
    settings::client_nats_url(&mut config, args.nats.clone(), "tail")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let bus = Bus::connect(&config.nats, "newsflow-tail").await?;
        bus.ensure_streams(&config.nats).await?;
        let subjects = bus.subjects();
        let (stream_name, default_subject) = if args.errors {
            (subjects.errors_stream(), subjects.all_errors())
        } else {
            (subjects.results_stream(), subjects.all_results())
        };
        let filter = args.subject.clone().unwrap_or(default_subject);
        let from = if args.new {
            ReadFrom::New
        } else {
            ReadFrom::All
        };
        let mut messages = bus
            .follow(&stream_name, Some(&filter), from)
            .await
            .context("cannot follow the results stream")?;
        let mut printed = 0usize;
        let mut stories = BTreeMap::new();
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
            if args.pretty {
                let record: serde_json::Value = serde_json::from_slice(&message.payload)
                    .with_context(|| format!("a record on {} is not JSON", message.subject))?;
                out.write_all(pretty(&record, &mut stories).as_bytes())?;
                out.write_all(b"\n")?;
            } else {
                out.write_all(&message.payload)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            printed += 1;
        }
        Ok(())
    })
}

/// One readable block per record for a person (`tail --pretty`): title, outlet, date, topic,
/// the top entities, one quote with its speaker, and the story group, which names the earlier
/// records of the same story among those shown (`stories`: story id -> their sources).
fn pretty(record: &serde_json::Value, stories: &mut BTreeMap<String, Vec<String>>) -> String {
    let text = |field: &str| record[field].as_str().filter(|value| !value.is_empty());
    let source = text("source").unwrap_or("?");
    if let Some(error) = record.get("error").filter(|error| error.is_object()) {
        return format!(
            "x {source}: not processed at {} ({}): {}\n",
            error["stage"].as_str().unwrap_or("?"),
            error["kind"].as_str().unwrap_or("?"),
            error["message"].as_str().unwrap_or("?"),
        );
    }
    let mut block = format!("* {}\n", text("title").unwrap_or("(no title)"));
    let topic = match (
        record["topic"]["label"].as_str(),
        record["topic"]["score"].as_f64(),
    ) {
        (Some(label), Some(score)) => Some(format!("{label} ({score:.2})")),
        (Some(label), None) => Some(label.to_string()),
        _ => None,
    };
    let facts: Vec<String> = [
        text("outlet").map(str::to_string),
        text("published").map(str::to_string),
        topic,
        text("language").map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .collect();
    let unknown = "(not found)".to_string();
    let facts = if facts.is_empty() {
        unknown.clone()
    } else {
        facts.join(" | ")
    };
    block.push_str(&format!("  {:<9} {facts}\n", "from"));
    block.push_str(&format!("  {:<9} {source}\n", "file"));
    let entities: Vec<String> = record["entities"]
        .as_array()
        .map(|entities| {
            let mut entities: Vec<&serde_json::Value> = entities.iter().collect();
            // Most mentioned first; the stable sort keeps the record's order among equals.
            entities.sort_by_key(|entity| std::cmp::Reverse(entity["count"].as_u64().unwrap_or(0)));
            entities
                .iter()
                .take(6)
                .map(|entity| {
                    format!(
                        "{} ({} x{})",
                        entity["text"].as_str().unwrap_or("?"),
                        entity["type"].as_str().unwrap_or("?"),
                        entity["count"].as_u64().unwrap_or(1)
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let entities = if entities.is_empty() {
        unknown.clone()
    } else {
        entities.join(", ")
    };
    block.push_str(&format!("  {:<9} {entities}\n", "entities"));
    let quotes = record["quotes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    // A quote with a known speaker says more than one without.
    let quote = quotes
        .iter()
        .find(|quote| quote["speaker"].is_string())
        .or(quotes.first());
    let quote = match quote {
        Some(quote) => format!(
            "\"{}\" - {}",
            shorten(quote["text"].as_str().unwrap_or(""), 160),
            quote["speaker"].as_str().unwrap_or("(speaker not found)")
        ),
        None => unknown.clone(),
    };
    block.push_str(&format!("  {:<9} {quote}\n", "quote"));
    let story = match text("story_id") {
        Some(story_id) => {
            let earlier = stories.entry(story_id.to_string()).or_default();
            let line = if earlier.is_empty() {
                format!("{story_id} (first of its story here)")
            } else {
                format!("{story_id} (same story as {})", earlier.join(", "))
            };
            earlier.push(source.to_string());
            line
        }
        None => unknown,
    };
    block.push_str(&format!("  {:<9} {story}\n", "story"));
    block
}

/// At most `limit` characters, cut at a word boundary, with an ellipsis when cut.
fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    let cut = cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut);
    format!("{cut}...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_shows_one_block_with_the_story_group() {
        let first = serde_json::json!({
            "id": "a", "source": "000.txt", "title": "Talks resume in Geneva",
            "outlet": "Example News", "published": "2024-05-01", "language": "en",
            "topic": {"label": "world", "score": 0.91},
            "entities": [
                {"text": "Geneva", "type": "LOC", "count": 2},
                {"text": "Ana Lopez", "type": "PER", "count": 3}
            ],
            "quotes": [
                {"text": "unattributed", "speaker": null},
                {"text": "We will continue next week", "speaker": "Ana Lopez"}
            ],
            "story_id": "s1"
        });
        let mut second = first.clone();
        second["source"] = "001.txt".into();
        let mut stories = BTreeMap::new();
        let block = pretty(&first, &mut stories);
        assert!(block.starts_with("* Talks resume in Geneva\n"), "{block}");
        assert!(
            block.contains("Example News | 2024-05-01 | world (0.91) | en"),
            "{block}"
        );
        assert!(
            block.contains("Ana Lopez (PER x3), Geneva (LOC x2)"),
            "{block}"
        );
        assert!(
            block.contains("\"We will continue next week\" - Ana Lopez"),
            "{block}"
        );
        assert!(block.contains("s1 (first of its story here)"), "{block}");
        let block = pretty(&second, &mut stories);
        assert!(block.contains("s1 (same story as 000.txt)"), "{block}");
    }

    #[test]
    fn pretty_says_what_was_not_found_and_shows_errors() {
        let bare = serde_json::json!({"id": "b", "source": "x.txt", "title": null,
            "entities": [], "quotes": null, "story_id": null});
        let block = pretty(&bare, &mut BTreeMap::new());
        assert!(block.contains("(no title)"), "{block}");
        assert!(block.contains("entities  (not found)"), "{block}");
        let error = serde_json::json!({"id": "c", "source": "y.bin",
            "error": {"stage": "clean", "kind": "binary", "message": "not text"}});
        assert_eq!(
            pretty(&error, &mut BTreeMap::new()),
            "x y.bin: not processed at clean (binary): not text\n"
        );
        assert_eq!(shorten("one two three", 9), "one two...");
    }
}
