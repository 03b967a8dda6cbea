//! The `newsflow` ner subcommands as a standalone program, compiled from the CLI's own module
//! (`crates/cli/src/cmd/ner.rs`), so they can be run and tested without the full binary:
//!
//! ```text
//! cargo run --release -p newsflow-ner --example ner_cli -- train [--pseudo-test] [--out PATH]
//! cargo run --release -p newsflow-ner --example ner_cli -- eval [--data FILE]
//! cargo run --release -p newsflow-ner --example ner_cli -- tag --conll FILE
//! ```

#[path = "../../cli/src/cmd/ner.rs"]
mod ner;

use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// = `newsflow train ner`
    Train(ner::TrainNerArgs),
    /// = `newsflow ner`
    Tag(ner::NerArgs),
    /// = `newsflow eval ner`
    Eval(ner::EvalNerArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Train(args) => ner::run_train_ner(&args),
        Command::Tag(args) => ner::run_ner(&args),
        Command::Eval(args) => ner::run_eval_ner(&args),
    }
}
