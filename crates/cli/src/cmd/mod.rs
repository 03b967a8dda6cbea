//! One module per group of subcommands. Each exposes clap `Args` structs and `run` functions.

pub mod body_eval;
pub mod clean_eval;
pub mod extract;
pub mod meta_eval;
pub mod ner;
pub mod quote_eval;
pub mod topic;
