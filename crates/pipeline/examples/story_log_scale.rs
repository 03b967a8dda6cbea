//! How the story log's per-article cost grows as the log fills. Articles of BBC length are
//! made of a BBC headline over BBC text (a fixed pseudo-random choice, so that the
//! vocabulary, lead words and shingles are those of real news), fingerprinted and applied one
//! after another to a log of `capacity` entries (the daemon's is 50,000); printed: the mean
//! time of `apply` per block. Two kinds of stream:
//! - `sentences` (default): twelve sentences from anywhere in the corpus, so that articles are
//!   about as unrelated as a day's news (few pass the same-story threshold);
//! - `paragraphs`: four paragraphs of other articles; with 1,485 articles to draw from, every
//!   later article has dozens of relatives, a worst case for the decision.
//!
//! `cargo run --release -p newsflow-pipeline --example story_log_scale -- [ARTICLES] [CAPACITY] [BLOCK] [sentences|paragraphs]`

use newsflow_extract::story;
use newsflow_model::{Format, Record};
use newsflow_pipeline::stories::StoryLog;
use std::path::Path;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let articles: usize = args.get(1).map_or(Ok(60_000), |a| a.parse())?;
    let capacity: usize = args.get(2).map_or(Ok(50_000), |a| a.parse())?;
    let block: usize = args.get(3).map_or(Ok(5_000), |a| a.parse())?;
    let docs = newsflow_corpus::bbc::read_shared(Path::new("../shared/data"))?;
    let titles: Vec<&str> = docs.iter().map(|doc| doc.title()).collect();
    let bodies: Vec<String> = docs.iter().map(|doc| doc.body()).collect();
    let paragraphs: Vec<Vec<&str>> = bodies.iter().map(|body| body.lines().collect()).collect();
    let sentences: Vec<&str> = bodies
        .iter()
        .flat_map(|body| body.split_inclusive(". "))
        .map(str::trim)
        .filter(|sentence| sentence.len() > 20)
        .collect();
    let by_paragraphs = args.get(4).is_some_and(|kind| kind == "paragraphs");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let fingerprints: Vec<(String, story::StoryFingerprint)> = (0..articles)
        .map(|i| {
            let title = titles[next() % titles.len()];
            let body: Vec<&str> = if by_paragraphs {
                (0..4)
                    .map(|k| {
                        let paragraphs = &paragraphs[next() % paragraphs.len()];
                        paragraphs
                            .get(k)
                            .or(paragraphs.first())
                            .copied()
                            .unwrap_or("")
                    })
                    .collect()
            } else {
                (0..12)
                    .map(|_| sentences[next() % sentences.len()])
                    .collect()
            };
            let mut record =
                Record::new(format!("a{i}"), String::new(), String::new(), Format::Txt);
            record.title = Some(title.to_string());
            record.body = body.join("\n");
            record.language = Some("en".to_string());
            (record.id.clone(), story::fingerprint(&record))
        })
        .collect();
    let mut log = StoryLog::new(capacity);
    // FNV-1a over every decision, to compare two builds' decisions in one number.
    let mut digest = 0xcbf2_9ce4_8422_2325u64;
    let mut hash = |text: &str| {
        for byte in text.bytes().chain([0]) {
            digest = (digest ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    println!("| articles applied | µs per apply | joined an earlier story | near-duplicates |");
    println!("| --- | --- | --- | --- |");
    for (b, chunk) in fingerprints.chunks(block).enumerate() {
        let start = Instant::now();
        let (mut joined, mut duplicates) = (0, 0);
        for (i, (id, fingerprint)) in chunk.iter().enumerate() {
            let sequence = (b * block + i + 1) as u64;
            let assignment = log.apply(sequence, id, fingerprint.clone());
            hash(&assignment.story_id);
            hash(assignment.duplicate_of.as_deref().unwrap_or("-"));
            joined += usize::from(assignment.story_id != *id);
            duplicates += usize::from(assignment.duplicate_of.is_some());
        }
        let micros = start.elapsed().as_secs_f64() * 1e6 / chunk.len() as f64;
        println!(
            "| {} | {micros:.1} | {joined} | {duplicates} |",
            b * block + chunk.len()
        );
    }
    println!("decisions digest {digest:016x}");
    Ok(())
}
