//! Runs the CLI module `crates/cli/src/cmd/extract.rs` standalone (the same code the
//! `newsflow` binary wires as `train keywords` and `eval stories`):
//! `cargo run --release -p newsflow-extract --example extract_cli -- train-keywords --out config/models/keywords.model`
//! `cargo run --release -p newsflow-extract --example extract_cli -- eval-stories`

#[path = "../../cli/src/cmd/extract.rs"]
mod extract_cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    TrainKeywords(extract_cmd::TrainKeywordsArgs),
    EvalStories(extract_cmd::EvalStoriesArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::TrainKeywords(args) => extract_cmd::run_train_keywords(&args),
        Command::EvalStories(args) => extract_cmd::run_eval_stories(&args),
    }
}
