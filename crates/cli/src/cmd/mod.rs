//! One module per group of subcommands. Each exposes clap `Args` structs and `run` functions.

pub mod anchors;
pub mod body_eval;
pub mod clean_eval;
pub mod extract;
pub mod meta_eval;
pub mod ner;
pub mod quote_eval;
pub mod topic;

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
