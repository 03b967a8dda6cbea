//! Single-thread throughput of the shipped model: `tag_document` on pre-tokenized CoNLL dev
//! documents (feature extraction included) and `recognize` on the same text joined back into
//! plain text (tokenization and sentence splitting included). Reports tokens/s by wall clock
//! and by the thread's CPU time (from /proc/thread-self/schedstat; comparable on a shared
//! machine).
//!
//! `cargo run --release -p newsflow-ner --example ner_bench -- [MODEL] [CONLL.gz] [ROUNDS]`

use std::time::Instant;

use newsflow_ner::NerModel;

/// CPU time of this thread in seconds (0 where schedstat is unavailable).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model_path = args
        .first()
        .map(String::as_str)
        .unwrap_or("config/models/ner.model");
    let data_path = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("../shared/data/conll2003/dev.txt.gz");
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes = std::fs::read(model_path).expect("model file");
    let load_started = Instant::now();
    let model = NerModel::from_bytes(&bytes).expect("model loads");
    let load_ms = load_started.elapsed().as_secs_f64() * 1e3;
    let documents = newsflow_corpus::conll::read(data_path.as_ref()).expect("data file");
    let token_docs: Vec<Vec<Vec<&str>>> = documents
        .iter()
        .map(|d| d.sentences.iter().map(|s| s.tokens()).collect())
        .collect();
    let tokens: usize = token_docs.iter().flatten().map(|s| s.len()).sum();
    let texts: Vec<String> = documents.iter().map(|d| d.text()).collect();

    let mut best_tag = 0f64;
    let mut best_recognize = 0f64;
    let mut best_tag_cpu = 0f64;
    let mut best_recognize_cpu = 0f64;
    let mut mentions = 0usize;
    for _ in 0..rounds {
        let started = Instant::now();
        let cpu = cpu_seconds();
        let mut entities = 0usize;
        for doc in &token_docs {
            entities += model
                .tag_document(doc)
                .iter()
                .flatten()
                .filter(|t| t.starts_with("B-"))
                .count();
        }
        best_tag = best_tag.max(tokens as f64 / started.elapsed().as_secs_f64());
        best_tag_cpu = best_tag_cpu.max(tokens as f64 / (cpu_seconds() - cpu).max(1e-9));
        let started = Instant::now();
        let cpu = cpu_seconds();
        mentions = 0;
        for text in &texts {
            mentions += model.recognize(text).len();
        }
        best_recognize = best_recognize.max(tokens as f64 / started.elapsed().as_secs_f64());
        best_recognize_cpu =
            best_recognize_cpu.max(tokens as f64 / (cpu_seconds() - cpu).max(1e-9));
        assert!(entities > 0);
    }
    println!(
        "model {:.2} MB loaded in {load_ms:.0} ms; {} documents, {tokens} tokens, best of {rounds} rounds",
        bytes.len() as f64 / 1e6,
        documents.len()
    );
    println!("tag_document: {best_tag:.0} tokens/s wall, {best_tag_cpu:.0} tokens/s CPU (features + two passes + Viterbi)");
    println!("recognize:    {best_recognize:.0} tokens/s wall, {best_recognize_cpu:.0} tokens/s CPU (tokenizer + sentence split included; {mentions} mentions)");
}
