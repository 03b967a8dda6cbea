//! Word repair checks without the CLI: false splits on the held-out BBC articles (index % 5 == 0
//! per topic, the ones `newsflow train clean` leaves out of the word counts) with the shipped
//! word list, and the repaired text of the given files:
//! `cargo run --release -p newsflow-clean --example words_check -- [DATA] [FILE...]`.
use std::io::Read;

use newsflow_clean::words::WordModel;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args.next().unwrap_or_else(|| "../shared/data".to_string());
    let words = WordModel::from_bytes(include_bytes!("../../../config/models/clean-words.txt"))?;
    let compressed = std::fs::read(format!("{data}/bbc/bbc-dev.tar.gz"))?;
    let mut tar = Vec::new();
    flate2::read::MultiGzDecoder::new(&compressed[..]).read_to_end(&mut tar)?;
    let mut files = Vec::new();
    let mut pos = 0;
    while pos + 512 <= tar.len() {
        let header = &tar[pos..pos + 512];
        if header.iter().all(|&b| b == 0) {
            break;
        }
        let field = |range: std::ops::Range<usize>| {
            String::from_utf8_lossy(&header[range])
                .trim_end_matches(['\0', ' '])
                .to_string()
        };
        let (name, prefix) = (field(0..100), field(345..500));
        let size = usize::from_str_radix(field(124..136).trim(), 8).unwrap_or(0);
        let full = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let start = pos + 512;
        let end = (start + size).min(tar.len());
        if (header[156] == b'0' || header[156] == 0) && full.ends_with(".txt") {
            files.push((full, String::from_utf8_lossy(&tar[start..end]).into_owned()));
        }
        pos = start + size.div_ceil(512) * 512;
    }
    files.sort();
    let (mut checked, mut split) = (0, 0);
    let mut last_topic = String::new();
    let mut index = 0;
    for (path, text) in &files {
        let parts: Vec<&str> = path.split('/').collect();
        let topic = parts[parts.len().saturating_sub(2)].to_string();
        if topic != last_topic {
            index = 0;
            last_topic = topic.clone();
        }
        if index % 5 == 0 {
            checked += 1;
            let (repaired, count) = words.repair_text(text);
            if count > 0 {
                split += 1;
                let before: Vec<&str> = text.split_whitespace().collect();
                let after: Vec<&str> = repaired.split_whitespace().collect();
                let at = before
                    .iter()
                    .zip(&after)
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                println!("  false split {path}: {:?}", before.get(at));
            }
        }
        index += 1;
    }
    println!("false splits: {split} of {checked} held-out BBC articles");
    for file in args {
        let text = std::fs::read_to_string(&file)?;
        let (repaired, count) = words.repair_text(&text);
        println!("== {file}: {count} splits");
        println!("{repaired}");
    }
    Ok(())
}
