//! Held-out F1 of the scraped-text path, k-fold by page, exactly as `newsflow eval clean` does it
//! (every page scored by a line model trained without it), and optionally writes the model trained
//! on all pages: `cargo run --release -p newsflow-clean --example text_eval -- [DATA] [FOLDS] [ROUNDS] [OUT]`.
use newsflow_clean::{metric, text, Cleaner};
use newsflow_model::Format;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args
        .next()
        .unwrap_or_else(|| "../shared/data/extraction".to_string());
    let folds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(5);
    let iterations: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(text::DEFAULT_ROUNDS);
    let out = args.next();
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{data}/ground-truth.json"
    ))?)?;
    let flat: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{data}/anchors/html-text.json"
    ))?)?;
    let flat = flat.get("output").unwrap_or(&flat);
    let truth = truth.as_object().ok_or("truth is not an object")?;
    let mut ids: Vec<&String> = truth.keys().collect();
    ids.sort();
    let pages: Vec<(Vec<String>, String)> = ids
        .iter()
        .map(|id| {
            let lines = flat[id.as_str()]["articleBody"]
                .as_str()
                .unwrap_or("")
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            (
                lines,
                truth[id.as_str()]["articleBody"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    let labelled: Vec<(Vec<String>, Vec<bool>)> = pages
        .iter()
        .map(|(lines, truth)| (lines.clone(), text::label_lines(lines, truth)))
        .collect();
    let words = include_bytes!("../../../config/models/clean-words.txt");
    let mut scores = vec![None; pages.len()];
    for fold in 0..folds {
        let train: Vec<(Vec<String>, Vec<bool>)> = labelled
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, p)| p.clone())
            .collect();
        let model = text::train(&train, iterations);
        let cleaner = Cleaner::with_models(Some(model.to_json().as_bytes()), Some(words))?;
        for (i, (lines, truth)) in pages.iter().enumerate() {
            if i % folds == fold {
                let body = cleaner
                    .clean(lines.join("\n").as_bytes(), Format::Txt)
                    .map(|c| c.body)
                    .unwrap_or_default();
                scores[i] = Some(metric::score_page(truth, &body));
                if std::env::var("DUMP").is_ok_and(|d| ids[i].starts_with(&d)) {
                    let probabilities = model.probabilities(lines);
                    let keep = model.keep(lines);
                    for (((line, p), k), l) in lines
                        .iter()
                        .zip(&probabilities)
                        .zip(&keep)
                        .zip(&labelled[i].1)
                    {
                        if !line.is_empty() {
                            let mark = match (l, k) {
                                (true, true) => "TP",
                                (true, false) => "FN",
                                (false, true) => "FP",
                                _ => "  ",
                            };
                            println!(
                                "{mark} {p:.2} {}",
                                line.chars().take(110).collect::<String>()
                            );
                        }
                    }
                }
            }
        }
    }
    let scores: Vec<metric::PageScore> = scores.into_iter().flatten().collect();
    let summary = metric::summarize(&scores);
    println!(
        "text path, {folds}-fold by page (held out): F1 {:.4} P {:.4} R {:.4}",
        summary.f1, summary.precision, summary.recall
    );
    if std::env::var("WORST").is_ok() {
        let mut ranked: Vec<(f64, &String)> = scores
            .iter()
            .map(|s| s.f1())
            .zip(ids.iter().copied())
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (f1, id) in ranked.iter().take(15) {
            println!("  {f1:.3} {id}");
        }
    }
    if let Some(out) = out {
        let model = text::train(&labelled, iterations);
        std::fs::write(&out, model.to_json())?;
        println!("wrote {out}");
    }
    Ok(())
}
