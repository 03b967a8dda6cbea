//! Scores the HTML path on data/extraction: `cargo run --release -p newsflow-clean --example eval_clean [DATA] [WORST]`.
use std::path::Path;

use newsflow_clean::{metric, Cleaner};
use newsflow_corpus::extraction::ExtractionPages;
use newsflow_model::Format;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args
        .next()
        .unwrap_or_else(|| "../shared/data/extraction".to_string());
    let worst: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let corpus = ExtractionPages::open(Path::new(&data))?;
    let cleaner = Cleaner::new();
    let mut scores = Vec::new();
    let mut ranked = Vec::new();
    for page in &corpus.pages {
        let html = corpus.html(page)?;
        let body = cleaner
            .clean(&html, Format::Html)
            .map(|c| c.body)
            .unwrap_or_default();
        let id = page.id.clone();
        let page = metric::score_page(&page.body, &body);
        ranked.push((page.f1(), id, page));
        scores.push(page);
    }
    let summary = metric::summarize(&scores);
    println!(
        "html path: F1 {:.4}  P {:.4}  R {:.4}  ({} pages)",
        summary.f1, summary.precision, summary.recall, summary.pages
    );
    // two halves of the pages (even and odd positions): a change tuned on one half should hold on
    // the other
    for half in 0..2 {
        let part: Vec<metric::PageScore> = scores
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == half)
            .map(|(_, s)| *s)
            .collect();
        let summary = metric::summarize(&part);
        println!(
            "  half {half}: F1 {:.4}  P {:.4}  R {:.4}  ({} pages)",
            summary.f1, summary.precision, summary.recall, summary.pages
        );
    }
    if let Ok(path) = std::env::var("PAGES") {
        // per-page figures, to compare two versions page by page
        let rows: Vec<String> = ranked
            .iter()
            .map(|(f1, id, page)| {
                format!(
                    "{id} {f1:.4} {:.4} {:.4}",
                    page.precision().unwrap_or(0.0),
                    page.recall().unwrap_or(0.0)
                )
            })
            .collect();
        std::fs::write(path, rows.join("\n") + "\n")?;
    }
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (f1, id, page) in ranked.iter().take(worst) {
        println!(
            "{f1:.3} P {:.3} R {:.3} {id}",
            page.precision().unwrap_or(0.0),
            page.recall().unwrap_or(0.0)
        );
    }
    Ok(())
}
