//! Run the extract stage on plain-text files (first line = title, the rest = body) and print
//! one JSON record per file (body left out).
//! `cargo run --release -p newsflow-extract --example extract_files -- [--no-ner] FILE...`

use newsflow_extract::Extractor;
use newsflow_model::{Format, Record};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let no_ner = args.iter().any(|a| a == "--no-ner");
    let ner = if no_ner {
        None
    } else {
        let bytes = std::fs::read(format!("{root}/config/models/ner.model"))?;
        Some(newsflow_ner::NerModel::from_bytes(&bytes)?)
    };
    let keywords = std::fs::read(format!("{root}/config/models/keywords.model")).ok();
    let extractor = Extractor::new(ner, keywords.as_deref())?;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let bytes = std::fs::read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut lines = text.lines();
        let title = lines.next().unwrap_or("").trim().to_string();
        let body: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
        let mut record = Record::new(path.clone(), path.clone(), String::new(), Format::Txt);
        record.title = (!title.is_empty()).then_some(title);
        record.body = body.join("\n");
        extractor.extract(&mut record);
        record.body = String::new();
        println!("{}", serde_json::to_string(&record)?);
    }
    Ok(())
}
