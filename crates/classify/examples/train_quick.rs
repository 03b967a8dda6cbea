//! Trains a model with fixed options on a corpus file (for experiments without the CLI).
//! `cargo run --release -p newsflow-classify --example train_quick -- ag|bbc|jsonl FILE OUT NAME [C] [HASH_BITS] [NB]`

use newsflow_classify::{train, TrainOptions};
use newsflow_corpus::{ag_news, bbc, dedup::dedup, jsonl};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [format, file, out, name, rest @ ..] = args.as_slice() else {
        return Err("usage: train_quick ag|bbc|jsonl FILE OUT NAME [C] [HASH_BITS] [NB]".into());
    };
    let file = std::path::Path::new(file);
    let docs = match format.as_str() {
        "ag" => ag_news::read(file)?,
        "bbc" => dedup(bbc::read(file)?)
            .0
            .into_iter()
            .map(bbc::BbcDoc::into_labelled)
            .collect(),
        _ => jsonl::read(file)?,
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
