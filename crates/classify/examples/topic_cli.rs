//! The `newsflow` topic subcommands (crates/cli/src/cmd/topic.rs) compiled on their own, so they
//! can be run and tested before they are wired into the `newsflow` binary:
//! `cargo run --release -p newsflow-classify --example topic_cli -- train-topic --data ... --out ...`
//! `... -- classify --model ag_news input.jsonl`, `... -- eval-topic`.

#[path = "../../cli/src/cmd/topic.rs"]
mod topic;

use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    TrainTopic(topic::TrainTopicArgs),
    Classify(topic::ClassifyArgs),
    EvalTopic(topic::EvalTopicArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::TrainTopic(args) => topic::run_train_topic(&args),
        Command::Classify(args) => topic::run_classify(&args),
        Command::EvalTopic(args) => topic::run_eval_topic(&args),
    }
}
