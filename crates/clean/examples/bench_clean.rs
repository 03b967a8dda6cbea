//! Speed and F1 of the HTML path on the 121 benchmark pages, side by side with dom_smoothie and rs-trafilatura in
//! the same run (all pages in memory first, single thread, F1 by our metric):
//! `cargo run --release -p newsflow-clean --example bench_clean [DATA] [ROUNDS]`.
use std::time::Instant;

use newsflow_clean::{metric, Cleaner};
use newsflow_corpus::extraction::ExtractionPages;
use newsflow_model::Format;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args
        .next()
        .unwrap_or_else(|| "../shared/data/extraction".to_string());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(5);
    let corpus = ExtractionPages::open(std::path::Path::new(&data))?;
    let pages = corpus
        .pages
        .iter()
        .map(|page| corpus.html(page))
        .collect::<Result<Vec<_>, _>>()?;
    let total_bytes: usize = pages.iter().map(Vec::len).sum();
    let texts: Vec<String> = pages
        .iter()
        .map(|page| String::from_utf8_lossy(page).into_owned())
        .collect();
    let cleaner = Cleaner::new();
    let truths: Vec<&str> = corpus.pages.iter().map(|page| page.body.as_str()).collect();
    println!("| tool | pages/s | MB/s | F1 | P | R |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let report = |name: &str, seconds: f64, bodies: &[String]| {
        let scores: Vec<metric::PageScore> = truths
            .iter()
            .zip(bodies)
            .map(|(truth, body)| metric::score_page(truth, body))
            .collect();
        let summary = metric::summarize(&scores);
        let pages_done = (pages.len() * rounds) as f64;
        println!(
            "| {name} | {:.0} | {:.1} | {:.4} | {:.4} | {:.4} |",
            pages_done / seconds,
            (total_bytes * rounds) as f64 / 1e6 / seconds,
            summary.f1,
            summary.precision,
            summary.recall
        );
    };
    // alternate the tools round by round so machine noise hits both alike
    let mut ours = vec![String::new(); pages.len()];
    let mut smoothie = vec![String::new(); pages.len()];
    let mut ours_seconds = 0.0;
    let mut smoothie_seconds = 0.0;
    let mut trafilatura = vec![String::new(); pages.len()];
    let mut trafilatura_seconds = 0.0;
    for _ in 0..rounds {
        let started = Instant::now();
        for (page, body) in pages.iter().zip(ours.iter_mut()) {
            *body = cleaner
                .clean(page, Format::Html)
                .map(|c| c.body)
                .unwrap_or_default();
        }
        ours_seconds += started.elapsed().as_secs_f64();
        let started = Instant::now();
        for (text, body) in texts.iter().zip(smoothie.iter_mut()) {
            *body = dom_smoothie::Readability::new(text.as_str(), None, None)
                .and_then(|mut readability| readability.parse())
                .map(|article| article.text_content.to_string())
                .unwrap_or_default();
        }
        smoothie_seconds += started.elapsed().as_secs_f64();
        let started = Instant::now();
        for (text, body) in texts.iter().zip(trafilatura.iter_mut()) {
            *body = rs_trafilatura::extract(text)
                .map(|result| result.content_text)
                .unwrap_or_default();
        }
        trafilatura_seconds += started.elapsed().as_secs_f64();
    }
    report("newsflow-clean", ours_seconds, &ours);
    report(
        "dom_smoothie 0.19 (text_content)",
        smoothie_seconds,
        &smoothie,
    );
    report(
        "rs-trafilatura 0.2.2 (content_text)",
        trafilatura_seconds,
        &trafilatura,
    );
    println!(
        "({} pages, {:.1} MB of HTML, {rounds} rounds, single thread)",
        pages.len(),
        total_bytes as f64 / 1e6
    );
    Ok(())
}
