//! No stage panics on arbitrary input, with the shipped models loaded (the NER model, both
//! topic models, the keyword statistics): every input ends as a finished record that
//! serialises, or as an error record that says why.

use std::sync::OnceLock;

use newsflow_model::Format;
use newsflow_pipeline::{ModelBytes, Pipeline, RawInput};
use proptest::prelude::*;

fn model(name: &str) -> Vec<u8> {
    let path = format!("{}/../../config/models/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| {
        let models = ModelBytes {
            primary_topic: Some(("ag_news".to_string(), model("ag_news.model"))),
            secondary_topics: vec![("bbc".to_string(), model("bbc.model"))],
            ner: Some(model("ner.model")),
            ner_languages: newsflow_ner::OTHER_LANGUAGES
                .iter()
                .map(|lang| {
                    (
                        lang.to_string(),
                        model(&newsflow_ner::model_file_name(lang)),
                    )
                })
                .collect(),
            keywords: Some(model("keywords.model")),
            anchors: Some(model("anchors.model")),
            clean_lines: Some(model("clean-lines.json")),
            clean_words: Some(model("clean-words.txt")),
        };
        Pipeline::new(&models, Vec::new()).expect("shipped models load")
    })
}

/// News-like text: names, quotes, datelines, dates, markup and arbitrary Unicode mixed.
fn newsy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("“".to_string()),
        Just("”".to_string()),
        Just("\"".to_string()),
        Just(" said ".to_string()),
        Just("\n\n".to_string()),
        Just("MOSCOW, Russia (CNN) -- ".to_string()),
        Just("By Jane Smith, Reuters\n".to_string()),
        Just("Kim Jong Un met Vladimir Putin in Pyongyang. ".to_string()),
        Just("July 19, 2000 ".to_string()),
        Just("<p>".to_string()),
        Just("</div>".to_string()),
        Just("<script>".to_string()),
        Just("&amp;".to_string()),
        Just("Share this: Facebook Twitter\n".to_string()),
        "[A-Z][a-z]{0,9} ".prop_map(|s| s),
        "[a-z]{1,12} ".prop_map(|s| s),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

fn check(bytes: &[u8], format: Format) {
    let raw = RawInput {
        id: "prop",
        source: "prop.txt",
        received_at: "2026-11-26T00:00:00Z",
        format,
        bytes,
        hints: Default::default(),
    };
    match pipeline().process(&raw) {
        Ok(record) => {
            assert_eq!(record.stages, ["clean", "classify", "extract"]);
            let json = serde_json::to_string(&record).expect("record serialises");
            assert!(json.contains("\"id\":\"prop\""));
        }
        Err(error) => {
            assert!(!error.error.message.is_empty(), "error without a message");
            serde_json::to_string(&error).expect("error record serialises");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_in_any_format(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        which in 0usize..3,
    ) {
        check(&bytes, [Format::Txt, Format::Html, Format::Json][which]);
    }

    #[test]
    fn newsy_text_as_text_html_and_json(title in newsy_text(), body in newsy_text()) {
        check(format!("{title}\n\n{body}").as_bytes(), Format::Txt);
        check(
            format!("<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}").as_bytes(),
            Format::Html,
        );
        let json = serde_json::json!({"title": title, "text": body, "published": title});
        check(json.to_string().as_bytes(), Format::Json);
    }
}
