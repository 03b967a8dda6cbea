//! Every body candidate the HTML path weighs, scored per page against the label (extraction,
//! news-pages bodies) and against an anchor's body (e.g. trafilatura's), as JSON lines: for
//! studying how the HTML path should choose among its candidates.
//!
//! `cargo run --release -p newsflow-clean --example body_candidates -- DATA_ROOT [ANCHOR.jsonl] > OUT.jsonl`

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

use newsflow_clean::metric;
use newsflow_corpus::extraction::ExtractionPages;
use newsflow_corpus::news_pages::NewsPages;

/// corpus, id, source, language, page bytes, body label, body start label
type Page = (
    String,
    String,
    String,
    String,
    Vec<u8>,
    Option<String>,
    Option<String>,
);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| "../shared/data".to_string());
    let mut anchor: HashMap<(String, String), String> = HashMap::new();
    if let Some(path) = args.next() {
        let file = std::io::BufReader::new(std::fs::File::open(path)?);
        for line in file.lines().skip(1) {
            let value: serde_json::Value = serde_json::from_str(&line?)?;
            let key = (
                value["corpus"].as_str().unwrap_or("").to_string(),
                value["id"].as_str().unwrap_or("").to_string(),
            );
            anchor.insert(key, value["body"].as_str().unwrap_or("").to_string());
        }
    }
    let root = Path::new(&root);
    let mut pages: Vec<Page> = Vec::new();
    let extraction = ExtractionPages::open(&root.join("extraction"))?;
    for page in &extraction.pages {
        pages.push((
            "extraction".into(),
            page.id.clone(),
            "extraction".into(),
            "en".into(),
            extraction.html(page)?,
            Some(page.body.clone()),
            None,
        ));
    }
    let news = NewsPages::open(&root.join("news-pages"))?;
    for page in news.pages.iter().filter(|p| !p.synthetic) {
        pages.push((
            "news-pages".into(),
            page.id.clone(),
            page.source.clone(),
            page.language_or_unknown(),
            news.html(page)?,
            page.scored_body().map(str::to_string),
            page.body_start.clone(),
        ));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (corpus, id, source, language, html, gold, start) in pages {
        let theirs = anchor.get(&(corpus.clone(), id.clone()));
        let mut candidates = serde_json::Map::new();
        for (name, lines) in newsflow_clean::html_body_candidates(&html) {
            let body = lines.join("\n");
            let mut entry = serde_json::json!({
                "chars": body.chars().count(),
                "lines": lines.len(),
            });
            if let Some(gold) = &gold {
                let score = metric::score_page(gold, &body);
                entry["f1"] = score.f1().into();
                entry["p"] = score.precision().unwrap_or(0.0).into();
                entry["r"] = score.recall().unwrap_or(0.0).into();
            }
            if let Some(theirs) = theirs {
                let score = metric::score_page(theirs, &body);
                entry["vs_anchor_p"] = score.precision().unwrap_or(0.0).into();
                entry["vs_anchor_r"] = score.recall().unwrap_or(0.0).into();
            }
            if let Some(start) = &start {
                let wanted: Vec<&str> = metric::tokens(start).into_iter().take(12).collect();
                let have = metric::tokens(&body);
                let found =
                    !wanted.is_empty() && have.windows(wanted.len()).any(|window| window == wanted);
                entry["start"] = found.into();
            }
            candidates.insert(name.to_string(), entry);
        }
        let line = serde_json::json!({
            "corpus": corpus, "id": id, "source": source, "language": language,
            "anchor_chars": theirs.map(|t| t.chars().count()),
            "candidates": candidates,
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}
