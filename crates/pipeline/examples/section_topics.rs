//! How often the publisher's section gives a topic, per language, on the news pages
//! (`../shared/data/news-pages`, synthetic pages left out), and how the markup's section and the
//! URL path agree where both name a topic.
//!
//! `cargo run -p newsflow-pipeline --example section_topics [-- --list]`
//! (`--list` prints page, language, section, markup topic, URL topic, final topic, model guess
//! and title for every page with a section-derived topic.)

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use newsflow_model::Format;
use newsflow_pipeline::{Hints, ModelBytes, Pipeline, RawInput};

#[derive(Default)]
struct Count {
    pages: usize,
    with_section: usize,
    topic: usize,
    markup_topic: usize,
    url_topic: usize,
    both: usize,
    agree: usize,
    model_right_on_agreeing: usize,
    english_agreeing: usize,
}

fn main() {
    let list = std::env::args().any(|a| a == "--list");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/news-pages");
    let labels = std::fs::read_to_string(root.join("labels.jsonl")).expect("labels.jsonl");
    let models_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/models");
    let models = ModelBytes {
        primary_topic: Some((
            "ag_news".to_string(),
            std::fs::read(models_dir.join("ag_news.model")).expect("ag_news.model"),
        )),
        ..ModelBytes::default()
    };
    let pipeline = Pipeline::new(&models, Vec::new()).expect("pipeline");
    let model = newsflow_classify::TopicModel::from_bytes(
        &std::fs::read(models_dir.join("ag_news.model")).expect("model"),
    )
    .expect("model");
    let mut counts: BTreeMap<String, Count> = BTreeMap::new();
    // the clean stage's time, and the part of it the section's own parse and reading take
    // (measured here by the same reading without the URL)
    let mut clean_time = std::time::Duration::ZERO;
    let mut section_time = std::time::Duration::ZERO;
    for line in labels.lines() {
        // a few lines say `"published": NaN` (not JSON); that field is not read here
        let line = line.replace(": NaN", ": null");
        let label: serde_json::Value = serde_json::from_str(&line).expect("json");
        if label["synthetic"].as_bool() == Some(true) {
            continue;
        }
        let id = label["id"].as_str().unwrap_or_default();
        let file = label["file"].as_str().unwrap_or_default();
        let compressed = std::fs::read(root.join(file)).expect("page");
        let mut bytes = Vec::new();
        flate2::read::MultiGzDecoder::new(&compressed[..])
            .read_to_end(&mut bytes)
            .expect("gzip");
        let url = label["url"].as_str();
        let raw = RawInput {
            id,
            source: id,
            received_at: "2026-01-01T00:00:00Z",
            format: Format::Html,
            bytes: &bytes,
            hints: Hints {
                url,
                ..Hints::default()
            },
        };
        let started = std::time::Instant::now();
        let cleaned = pipeline.clean(&raw);
        clean_time += started.elapsed();
        let Ok(mut record) = cleaned else {
            continue;
        };
        pipeline.classify(&mut record);
        let language = record.language.clone().unwrap_or_else(|| "?".to_string());
        let html = String::from_utf8_lossy(&bytes);
        let started = std::time::Instant::now();
        let markup = newsflow_clean::markup_section(&html);
        section_time += started.elapsed();
        let markup_topic = markup.as_deref().and_then(newsflow_classify::section_topic);
        let url_topic = record.url.as_deref().and_then(newsflow_classify::url_topic);
        let from_section = record
            .nlp
            .as_ref()
            .and_then(|nlp| nlp.topic.as_deref())
            .is_some_and(|ran| ran == "section");
        let text = format!("{}\n{}", record.title.as_deref().unwrap_or(""), record.body);
        let guess = model.predict(&text).label;
        let count = counts.entry(language.clone()).or_default();
        count.pages += 1;
        count.with_section += usize::from(record.section.is_some());
        count.topic += usize::from(from_section);
        count.markup_topic += usize::from(markup_topic.is_some());
        count.url_topic += usize::from(url_topic.is_some());
        if let (Some(markup_topic), Some(url_topic)) = (markup_topic, url_topic) {
            count.both += 1;
            if markup_topic == url_topic {
                count.agree += 1;
                if language == "en" {
                    count.english_agreeing += 1;
                    count.model_right_on_agreeing += usize::from(guess == markup_topic);
                }
            } else if list {
                println!(
                    "DISAGREE {id} markup={markup:?} -> {markup_topic} url={url:?} -> {url_topic}"
                );
            }
        }
        if list && !from_section && record.section.is_some() {
            println!(
                "UNMAPPED {id}\t{language}\t{:?}\tmarkup={markup:?}\turl={url:?}",
                record.section
            );
        }
        if list && from_section {
            println!(
                "{id}\t{language}\t{:?}\tmarkup={markup_topic:?}\turl={url_topic:?}\ttopic={}\tmodel={guess}\t{}",
                record.section,
                record.topic.as_ref().map(|t| t.label.as_str()).unwrap_or(""),
                record.title.as_deref().unwrap_or("").chars().take(80).collect::<String>()
            );
        }
    }
    println!("language\tpages\tsection\tsection topic\tfrom markup\tfrom url\tboth\tagree\tmodel right on agreeing (en)");
    let mut total = Count::default();
    for (language, c) in &counts {
        println!(
            "{language}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}/{}",
            c.pages,
            c.with_section,
            c.topic,
            c.markup_topic,
            c.url_topic,
            c.both,
            c.agree,
            c.model_right_on_agreeing,
            c.english_agreeing
        );
        total.pages += c.pages;
        total.with_section += c.with_section;
        total.topic += c.topic;
        total.markup_topic += c.markup_topic;
        total.url_topic += c.url_topic;
        total.both += c.both;
        total.agree += c.agree;
        total.model_right_on_agreeing += c.model_right_on_agreeing;
        total.english_agreeing += c.english_agreeing;
    }
    println!(
        "all\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}/{}",
        total.pages,
        total.with_section,
        total.topic,
        total.markup_topic,
        total.url_topic,
        total.both,
        total.agree,
        total.model_right_on_agreeing,
        total.english_agreeing
    );
    println!(
        "clean stage {:.0} ms in all, of which the section's parse and reading about {:.0} ms",
        clean_time.as_secs_f64() * 1000.0,
        section_time.as_secs_f64() * 1000.0
    );
}
