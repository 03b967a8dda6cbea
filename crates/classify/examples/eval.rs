//! Dev accuracy of the topic classifier on both shared corpora, with hyperparameters chosen by
//! 5-fold cross-validation on the train part only.
//!
//! `cargo run --release -p newsflow-classify --example eval -- [DATA_DIR] [bits=18,20] [prefix=0,5] [nb=true,false] [c=0.3,1] [only=bbc] [errors=true] [anchor=true]`
//! `anchor=true` runs `scripts/topic_anchor.py` on the same splits afterwards (side by side).
//! Without `bits=`, the shipped table sizes: ag_news 18 bits, bbc 20.
//! BBC: dedup, then per label i % 5 == 0 is dev. AG News: row index % 20 == 0 is dev.

use std::time::Instant;

use newsflow_classify::{accuracy, train, tune, Grid, TrainOptions};
use newsflow_corpus::{ag_news, bbc};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Arguments: [DATA_DIR] [bits=18,20] [prefix=0,5] [nb=true] [c=0.3,1] [only=bbc|ag_news]
    // [errors=true] (list the dev errors)
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data_dir = args
        .iter()
        .find(|arg| !arg.contains('='))
        .cloned()
        .unwrap_or_else(|| "../shared/data".to_string());
    let list = |key: &str| -> Option<Vec<String>> {
        args.iter()
            .find_map(|arg| arg.strip_prefix(&format!("{key}=")))
            .map(|values| values.split(',').map(str::to_string).collect())
    };
    let mut grid = Grid::default();
    let fixed_bits = list("bits").is_some();
    if let Some(values) = list("bits") {
        grid.hash_bits = values
            .iter()
            .map(|value| value.parse())
            .collect::<Result<_, _>>()?;
    }
    if let Some(values) = list("prefix") {
        grid.prefix = values
            .iter()
            .map(|value| value.parse())
            .collect::<Result<_, _>>()?;
    }
    if let Some(values) = list("nb") {
        grid.nb = values
            .iter()
            .map(|value| value.parse())
            .collect::<Result<_, _>>()?;
    }
    if let Some(values) = list("c") {
        grid.c = values
            .iter()
            .map(|value| value.parse())
            .collect::<Result<_, _>>()?;
    }
    let only = list("only");
    let show_errors =
        list("errors").is_some_and(|values| values.iter().any(|value| value == "true"));
    let title = list("title").is_some_and(|values| values.iter().any(|value| value == "true"));
    let root = std::path::Path::new(&data_dir);
    let bbc_docs = bbc::read_shared(root)?
        .into_iter()
        .map(bbc::BbcDoc::into_labelled);
    let bbc = bbc::split(bbc_docs.collect());
    println!(
        "bbc: {} articles after dropping {} duplicates",
        bbc.train.len() + bbc.dev.len(),
        bbc.dropped
    );
    let corpora = [
        ("bbc", bbc),
        ("ag_news", ag_news::split(ag_news::read_shared(root)?)),
    ];
    for (name, split) in corpora {
        let (train_docs, dev_docs) = (split.train, split.dev);
        if only
            .as_ref()
            .is_some_and(|only| !only.iter().any(|corpus| corpus == name))
        {
            continue;
        }
        let started = Instant::now();
        let base = TrainOptions {
            name: name.to_string(),
            title,
            ..TrainOptions::default()
        };
        // Without bits=: the shipped table sizes (ag_news 18 bits, bbc 20).
        let mut grid = grid.clone();
        if !fixed_bits {
            grid.hash_bits = vec![if name == "ag_news" { 18 } else { 20 }];
        }
        let (best, tried) = tune(&train_docs, &base, &grid)?;
        for (options, score) in &tried {
            println!("  cv {name} {} -> {score:.4}", options.describe());
        }
        let model = train(&train_docs, &best)?;
        let dev_accuracy = accuracy(&model, &dev_docs);
        if show_errors {
            for doc in &dev_docs {
                let topic = model.predict(&doc.text);
                if topic.label != doc.label {
                    let headline = doc.text.trim_start().lines().next().unwrap_or("");
                    let headline: String = headline.chars().take(80).collect();
                    println!(
                        "  dev error {name}: true={} predicted={} score={:.2} | {headline}",
                        doc.label, topic.label, topic.score
                    );
                }
            }
        }
        println!(
            "ours corpus={name} {} train={} dev={} dev_accuracy={dev_accuracy:.4} temperature={:.2} model_bytes={} tune+train_s={:.1}",
            best.describe(),
            train_docs.len(),
            dev_docs.len(),
            model.temperature(),
            model.to_bytes().len(),
            started.elapsed().as_secs_f64()
        );
    }
    if list("anchor").is_some_and(|values| values.iter().any(|value| value == "true")) {
        // The scikit-learn anchors on the same splits, in the same run.
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut command = std::process::Command::new("python3");
        command
            .arg(format!("{root}/scripts/topic_anchor.py"))
            .arg("--data")
            .arg(&data_dir);
        if let Some(only) = &only {
            command.arg("--only").arg(only.join(","));
        }
        let output = command.output()?;
        print!("{}", String::from_utf8_lossy(&output.stdout));
        if !output.status.success() {
            eprint!("{}", String::from_utf8_lossy(&output.stderr));
        }
    }
    Ok(())
}
