//! Throughput of `TopicModel::predict` (text -> label, tokenising included), single thread,
//! on AG-length and BBC-length texts, next to the scikit-learn anchor measured in the same run.
//!
//! `cargo run --release -p newsflow-classify --example bench -- [DATA_DIR] [--no-anchor]`
//! Models: config/models/{ag_news,bbc}.model. Texts: the dev rows of each corpus (AG News row
//! index % 20 == 0; BBC every 5th article per label), looped for at least 3 s; docs/s by wall clock and by
//! thread CPU time (the machine is shared).

use std::hint::black_box;
use std::time::{Duration, Instant};

use newsflow_classify::{detect_language, TopicModel};
use newsflow_corpus::{ag_news, bbc};

/// CPU time of this thread in seconds (utime + stime from /proc, 10 ms ticks), so that time
/// the shared machine gives to other processes is not counted; `None` off Linux.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// Docs/s by wall clock and by thread CPU time, over at least 3 s.
fn rate(texts: &[String], mut run: impl FnMut(&str)) -> (f64, f64) {
    let mut done = 0usize;
    let started = Instant::now();
    let cpu_started = thread_cpu_seconds();
    loop {
        for text in texts {
            run(text);
        }
        done += texts.len();
        let elapsed = started.elapsed();
        if elapsed >= Duration::from_secs(3) {
            let wall = done as f64 / elapsed.as_secs_f64();
            let cpu = match (cpu_started, thread_cpu_seconds()) {
                (Some(before), Some(after)) if after > before => done as f64 / (after - before),
                _ => f64::NAN,
            };
            return (wall, cpu);
        }
    }
}

fn load(path: &str) -> Result<(TopicModel, f64, usize), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    let started = Instant::now();
    let model = TopicModel::from_bytes(&bytes)?;
    Ok((model, started.elapsed().as_secs_f64() * 1000.0, bytes.len()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data_dir = args
        .iter()
        .find(|arg| !arg.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "../shared/data".to_string());
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let data = std::path::Path::new(&data_dir);
    let ag_dev = ag_news::split(ag_news::read_shared(data)?).dev;
    let bbc_dev = bbc::split(bbc::read_shared(data)?).dev;
    let ag_texts: Vec<String> = ag_dev.into_iter().map(|doc| doc.text).collect();
    let bbc_texts: Vec<String> = bbc_dev.into_iter().map(|doc| doc.text).collect();
    let mean = |texts: &[String]| texts.iter().map(String::len).sum::<usize>() / texts.len().max(1);
    println!(
        "texts: ag {} (mean {} bytes), bbc {} (mean {} bytes)",
        ag_texts.len(),
        mean(&ag_texts),
        bbc_texts.len(),
        mean(&bbc_texts)
    );

    for name in ["ag_news", "bbc"] {
        let (model, load_ms, size) = load(&format!("{root}/config/models/{name}.model"))?;
        let short = rate(&ag_texts, |text| {
            black_box(model.predict(black_box(text)));
        });
        let long = rate(&bbc_texts, |text| {
            black_box(model.predict(black_box(text)));
        });
        println!(
            "ours model={name} file_bytes={size} load_ms={load_ms:.1} ag_length_docs_per_s={:.0} (cpu {:.0}) bbc_length_docs_per_s={:.0} (cpu {:.0})",
            short.0, short.1, long.0, long.1
        );
    }
    let short = rate(&ag_texts, |text| {
        black_box(detect_language(black_box(text)));
    });
    let long = rate(&bbc_texts, |text| {
        black_box(detect_language(black_box(text)));
    });
    println!(
        "language (whatlang) ag_length_docs_per_s={:.0} (cpu {:.0}) bbc_length_docs_per_s={:.0} (cpu {:.0})",
        short.0, short.1, long.0, long.1
    );
    for (name, texts) in [("ag", &ag_texts), ("bbc", &bbc_texts)] {
        let mut english = 0;
        let mut none = 0;
        for text in texts.iter() {
            match detect_language(text) {
                Some((code, _)) if code == "en" => english += 1,
                None => none += 1,
                Some(_) => {}
            }
        }
        let other = texts.len() - english - none;
        println!(
            "language on {name} dev (all english): en={english} none={none} other={other} of {}",
            texts.len()
        );
    }

    if !args.iter().any(|arg| arg == "--no-anchor") {
        let output = std::process::Command::new("python3")
            .arg(format!("{root}/scripts/topic_anchor.py"))
            .arg("--speed-only")
            .arg("--data")
            .arg(&data_dir)
            .output()?;
        print!("{}", String::from_utf8_lossy(&output.stdout));
        if !output.status.success() {
            eprint!("{}", String::from_utf8_lossy(&output.stderr));
        }
    }
    Ok(())
}
