//! Trains a model with fixed options on a corpus file (for experiments without the CLI).
//! `cargo run --release -p newsflow-classify --example train_quick -- ag|bbc|jsonl FILE OUT NAME [C] [HASH_BITS] [NB]`

use newsflow_classify::data::{dedup, parse_ag_csv, parse_bbc_tar, parse_jsonl};
use newsflow_classify::{train, TrainOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [format, file, out, name, rest @ ..] = args.as_slice() else {
        return Err("usage: train_quick ag|bbc|jsonl FILE OUT NAME [C] [HASH_BITS] [NB]".into());
    };
    let bytes = std::fs::read(file)?;
    let docs = match format.as_str() {
        "ag" => parse_ag_csv(&bytes)?,
        "bbc" => dedup(parse_bbc_tar(&bytes)?).0,
        _ => parse_jsonl(&bytes)?,
    };
    let mut options = TrainOptions {
        name: name.clone(),
        ..TrainOptions::default()
    };
    if let Some(c) = rest.first() {
        options.c = c.parse()?;
    }
    if let Some(bits) = rest.get(1) {
        options.hash_bits = bits.parse()?;
    }
    if let Some(nb) = rest.get(2) {
        options.nb = nb.parse()?;
    }
    let model = train(&docs, &options)?;
    std::fs::write(out, model.to_bytes())?;
    println!(
        "{} documents -> {out} ({})",
        docs.len(),
        model.training_summary()
    );
    Ok(())
}
