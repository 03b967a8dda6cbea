//! One module per group of subcommands. Each exposes clap `Args` structs and `run` functions.

pub mod anchors;
pub mod body_eval;
pub mod clean_eval;
pub mod extract;
pub mod meta_eval;
pub mod ner;
pub mod quote_eval;
pub mod topic;

/// Hand-made labels, one JSON object a line (`config/eval/*.jsonl`); none when the file does
/// not exist. `what` names a label in the error of a line that does not parse.
pub(crate) fn read_hand_labels<T: serde::de::DeserializeOwned>(
    path: &str,
    what: &str,
) -> anyhow::Result<Vec<T>> {
    use anyhow::Context as _;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error).with_context(|| format!("reading {path}")),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line).with_context(|| format!("{path}:{}: not {what}", index + 1))
        })
        .collect()
}

/// The fixed receipt time evaluations give every page, so records compare across runs.
const EVAL_RECEIVED_AT: &str = "2026-01-01T00:00:00Z";

/// A page of the shared data as the pipeline's input, the way every evaluation feeds it.
pub(crate) fn eval_input<'a>(
    id: &'a str,
    source: &'a str,
    format: newsflow_model::Format,
    bytes: &'a [u8],
) -> newsflow_pipeline::RawInput<'a> {
    newsflow_pipeline::RawInput {
        id,
        source,
        received_at: EVAL_RECEIVED_AT,
        format,
        bytes,
        hints: Default::default(),
    }
}
