//! Property tests: arbitrary bytes never panic in any format, and errors are typed.
use newsflow_clean::Cleaner;
use newsflow_model::Format;
use proptest::prelude::*;

fn cleaner() -> &'static Cleaner {
    static CLEANER: std::sync::OnceLock<Cleaner> = std::sync::OnceLock::new();
    CLEANER.get_or_init(Cleaner::new)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for format in [Format::Html, Format::Txt, Format::Json] {
            match cleaner().clean(&bytes, format) {
                Ok(cleaned) => prop_assert!(!cleaned.body.trim().is_empty()),
                Err(err) => prop_assert!(!err.kind().is_empty()),
            }
        }
    }

    #[test]
    fn dates_and_json_fields_never_panic(
        date in "[0-9]{1,4}[-/ .][0-9é]{1,2}[-/ .][0-9]{1,4}([T ][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?([+-][0-9]{2}:?[0-9]{2}|Z| GMT)?)?",
        other in "\\PC{0,30}",
        text in "[A-Za-z0-9 ,.:|()\n-]{0,400}",
    ) {
        for value in [&date, &other] {
            let json = serde_json::json!({"date": value, "text": text, "title": value});
            let _ = cleaner().clean(json.to_string().as_bytes(), Format::Json);
            let html = format!("<html><head><meta property='article:published_time' content='{value}'></head><body><time datetime='{value}'>x</time><p>{text}</p></body></html>");
            let _ = cleaner().clean(html.as_bytes(), Format::Html);
            let page = format!("{value}\n\nBy Someone\n{value}\n{text}");
            let _ = cleaner().clean(page.as_bytes(), Format::Txt);
        }
    }

    #[test]
    fn markup_like_text_never_panics(text in "[<>/a-z =\"'&#;!\\-\\n]{0,600}") {
        for format in [Format::Html, Format::Txt, Format::Json] {
            let _ = cleaner().clean(text.as_bytes(), format);
        }
    }
}

#[test]
fn gzip_input_is_decompressed() {
    use std::io::Write;
    let page = b"<html><body><article><p>The council approved the new budget on Tuesday, after a long debate, officials said.</p></article></body></html>";
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(page).expect("write to memory");
    let compressed = encoder.finish().expect("finish gzip");
    let cleaned = cleaner()
        .clean(&compressed, Format::Html)
        .expect("clean gzip page");
    assert!(cleaned.body.contains("approved the new budget"));
}

#[test]
fn latin1_and_utf16_and_mojibake() {
    let latin1 = b"<html><head><meta charset=\"windows-1252\"></head><body><p>Le caf\xe9 a ferm\xe9 ses portes mardi, apr\xe8s une longue gr\xe8ve du personnel.</p></body></html>";
    let cleaned = cleaner().clean(latin1, Format::Html).expect("latin-1 page");
    assert!(cleaned.body.contains("café"), "{}", cleaned.body);
    assert_eq!(cleaned.encoding, "windows-1252");
    let text = "The mayor said it\u{e2}\u{20ac}\u{2122}s a \u{201c}good day\u{201d} for the city and its people, after the vote.";
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let cleaned = cleaner().clean(&utf16, Format::Txt).expect("utf-16 text");
    assert!(
        cleaned.body.contains("it’s a “good day”"),
        "{}",
        cleaned.body
    );
}
