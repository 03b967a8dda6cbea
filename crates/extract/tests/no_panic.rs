//! The stage never panics: arbitrary text in every input field.

use newsflow_extract::{dates, story, Extractor};
use newsflow_model::{Format, Record};
use proptest::prelude::*;

fn keyword_model() -> Option<Vec<u8>> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/models/keywords.model"
    ))
    .ok()
}

/// Text mixing news-like tokens, quotes, dashes, digits and arbitrary Unicode.
fn newsy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("“".to_string()),
        Just("”".to_string()),
        Just("\"".to_string()),
        Just(" said ".to_string()),
        Just(" he said.".to_string()),
        Just("\n".to_string()),
        Just(" -- ".to_string()),
        Just("MOSCOW, Russia (CNN) -- ".to_string()),
        Just("By ".to_string()),
        Just("U.S. ".to_string()),
        Just("Kim Jong Il ".to_string()),
        Just("July 19, 2000 ".to_string()),
        Just("14-09-2023 18:46 IST".to_string()),
        "[A-Z][a-z]{0,8} ".prop_map(|s| s),
        "[0-9:/.-]{1,6}".prop_map(|s| s),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn record(body: String, title: String, byline: String, dateline: String, date: String) -> Record {
    let mut record = Record::new("p".into(), "p.txt".into(), String::new(), Format::Txt);
    record.body = body;
    record.title = Some(title);
    record.byline = Some(byline);
    record.dateline = Some(dateline);
    record.published_text = Some(date.clone());
    record.published = Some(date);
    record.url = Some("http://".to_string());
    record.outlet = Some(String::new());
    record
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn extract_never_panics(
        body in newsy_text(),
        title in newsy_text(),
        byline in newsy_text(),
        dateline in newsy_text(),
        date in newsy_text(),
    ) {
        let keywords = keyword_model();
        let extractor = Extractor::new(None, keywords.as_deref()).expect("extractor");
        let mut first = record(body.clone(), title, byline, dateline, date);
        extractor.extract(&mut first);
        prop_assert_eq!(&first.body, &body);
        prop_assert!(first.summary.as_deref().is_none_or(|s| !s.is_empty()));
        let print = story::fingerprint(&first);
        let score = story::same_story(&print, &print);
        prop_assert!((0.0..=1.0).contains(&score));
        if let Some(published) = &first.published {
            prop_assert!(published.len() >= 7);
        }
    }

    #[test]
    fn dates_never_panic(text in any::<String>()) {
        if let Some(iso) = dates::normalize(&text) {
            prop_assert!(iso.len() >= 7);
        }
    }
}
