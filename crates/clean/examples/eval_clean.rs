//! Scores the HTML path on data/extraction: `cargo run --release -p newsflow-clean --example eval_clean [DATA] [WORST]`.
use std::io::Read;

use newsflow_clean::{metric, Cleaner};
use newsflow_model::Format;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args
        .next()
        .unwrap_or_else(|| "../shared/data/extraction".to_string());
    let worst: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{data}/ground-truth.json"
    ))?)?;
    let truth = truth.as_object().ok_or("ground truth is not an object")?;
    let cleaner = Cleaner::new();
    let mut ids: Vec<&String> = truth.keys().collect();
    ids.sort();
    let mut scores = Vec::new();
    let mut ranked = Vec::new();
    for id in ids {
        let compressed = std::fs::read(format!("{data}/html/{id}.html.gz"))?;
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..]).read_to_end(&mut html)?;
        let body = cleaner
            .clean(&html, Format::Html)
            .map(|c| c.body)
            .unwrap_or_default();
        let expected = truth[id]["articleBody"].as_str().unwrap_or("");
        let page = metric::score_page(expected, &body);
        ranked.push((page.f1(), id.clone(), page));
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
