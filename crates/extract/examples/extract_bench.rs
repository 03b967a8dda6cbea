//! Single-thread speed of the extract stage (and of the story fingerprint) on plain-text
//! articles (first line = title, the rest = body), without and with NER, in one run. Reports
//! articles/s by wall clock and by the thread's CPU time (from /proc/thread-self/schedstat), so
//! figures stay comparable on a shared machine.
//!
//! `cargo run --release -p newsflow-extract --example extract_bench -- DIR [ROUNDS]`
//! (DIR is walked recursively, e.g. the unpacked `bbc/` of `data/bbc/bbc-dev.tar.gz`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use newsflow_extract::{story, Extractor};
use newsflow_model::{Format, Record};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// CPU time of this thread in seconds (0 where schedstat is unavailable).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().ok_or("usage: extract_bench DIR [ROUNDS]")?;
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut paths = Vec::new();
    files(Path::new(dir), &mut paths);
    let records: Vec<Record> = paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            let (title, body) = text.split_once('\n').unwrap_or((&text, ""));
            let name = path.display().to_string();
            let mut record = Record::new(name.clone(), name, String::new(), Format::Txt);
            record.title = Some(title.trim().to_string());
            record.body = body.trim().to_string();
            record
        })
        .collect();
    let bytes: usize = records.iter().map(|r| r.body.len()).sum();
    println!(
        "{} articles, {:.1} KB mean body, best of {rounds} rounds, single thread",
        records.len(),
        bytes as f64 / records.len().max(1) as f64 / 1024.0
    );
    let ner_bytes = std::fs::read(format!("{root}/config/models/ner.model"))?;
    let keywords = std::fs::read(format!("{root}/config/models/keywords.model")).ok();
    let runs = [
        (
            "extract without NER",
            Extractor::new(None, keywords.as_deref())?,
        ),
        (
            "extract with NER",
            Extractor::new(
                Some(newsflow_ner::NerModel::from_bytes(&ner_bytes)?),
                keywords.as_deref(),
            )?,
        ),
    ];
    let mut extracted = records.clone();
    for (label, extractor) in &runs {
        let (mut best_wall, mut best_cpu) = (f64::MAX, f64::MAX);
        for _ in 0..rounds {
            let (wall, cpu) = (Instant::now(), cpu_seconds());
            for (record, out) in records.iter().zip(extracted.iter_mut()) {
                let mut copy = record.clone();
                extractor.extract(&mut copy);
                *out = copy;
            }
            best_cpu = best_cpu.min(cpu_seconds() - cpu);
            best_wall = best_wall.min(wall.elapsed().as_secs_f64());
        }
        report(label, records.len(), best_wall, best_cpu);
    }
    let (mut best_wall, mut best_cpu) = (f64::MAX, f64::MAX);
    let mut words = 0usize;
    for _ in 0..rounds {
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        words = extracted
            .iter()
            .map(|r| story::fingerprint(r).words.len())
            .sum();
        best_cpu = best_cpu.min(cpu_seconds() - cpu);
        best_wall = best_wall.min(wall.elapsed().as_secs_f64());
    }
    report("story fingerprint", records.len(), best_wall, best_cpu);
    println!("({words} lead words in all)");
    Ok(())
}

fn report(label: &str, count: usize, wall: f64, cpu: f64) {
    println!(
        "{label:<20} {:>8.0} articles/s wall ({wall:.2} s), {:>8.0} articles/s CPU ({cpu:.2} s, {:.0} µs/article)",
        count as f64 / wall.max(1e-9),
        count as f64 / cpu.max(1e-9),
        cpu * 1e6 / count.max(1) as f64
    );
}
