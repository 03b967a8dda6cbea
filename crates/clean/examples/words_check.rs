//! Word repair checks without the CLI: false splits on the held-out BBC articles (the dev part
//! of the BBC split, which `newsflow train clean` leaves out of the word counts) with the shipped
//! word list, and the repaired text of the given files:
//! `cargo run --release -p newsflow-clean --example words_check -- [DATA] [FILE...]`.
use std::path::Path;

use newsflow_clean::words::WordModel;
use newsflow_corpus::bbc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args.next().unwrap_or_else(|| "../shared/data".to_string());
    let words = WordModel::from_bytes(newsflow_clean::SHIPPED_WORD_FREQS)?;
    let dev = bbc::split(bbc::read_shared(Path::new(&data))?).dev;
    let mut split = 0;
    for doc in &dev {
        let (repaired, count) = words.repair_text(&doc.text);
        if count > 0 {
            split += 1;
            let before: Vec<&str> = doc.text.split_whitespace().collect();
            let after: Vec<&str> = repaired.split_whitespace().collect();
            let at = before
                .iter()
                .zip(&after)
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            println!("  false split {}: {:?}", doc.name(), before.get(at));
        }
    }
    let checked = dev.len();
    println!("false splits: {split} of {checked} held-out BBC articles");
    for file in args {
        let text = std::fs::read_to_string(&file)?;
        let (repaired, count) = words.repair_text(&text);
        println!("== {file}: {count} splits");
        println!("{repaired}");
    }
    Ok(())
}
