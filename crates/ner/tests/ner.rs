//! Integration tests of the public API: training on a toy corpus, the byte format, and the
//! shipped model on free text.

use newsflow_model::EntityType;
use newsflow_ner::conll::{self, Evaluation};
use newsflow_ner::{train, BrownClusters, NerError, NerModel, TrainOptions};

const TOY: &str = "-DOCSTART- -X- O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER
visited VBD I-VP O
Paris NNP I-NP I-LOC
. . O O

The DT I-NP O
European NNP I-NP I-ORG
Commission NNP I-NP I-ORG
met VBD I-VP O
John NNP I-NP I-PER
Smith NNP I-NP I-PER
in IN I-PP O
London NNP I-NP I-LOC
. . O O

-DOCSTART- -X- O O

Mary NNP I-NP I-PER
Jones NNP I-NP I-PER
left VBD I-VP O
Berlin NNP I-NP I-LOC
for IN I-PP O
German JJ I-NP I-MISC
talks NNS I-NP O
. . O O
";

fn toy_model() -> NerModel {
    let documents = conll::parse(TOY);
    let options = TrainOptions {
        epochs: 5,
        min_feature_count: 1,
        folds: 2,
        clusters: 0,
        ..TrainOptions::default()
    };
    train(&documents, &options).expect("toy training").0
}

// Training fits a toy corpus, and is deterministic byte for byte.
#[test]
fn toy_training_fits_and_is_deterministic() {
    let model = toy_model();
    let documents = conll::parse(TOY);
    let mut evaluation = Evaluation::default();
    for document in &documents {
        let words: Vec<Vec<&str>> = document.sentences.iter().map(|s| s.tokens()).collect();
        let tags = model.tag_document(&words);
        for (sentence, predicted) in document.sentences.iter().zip(&tags) {
            evaluation.add(&sentence.gold_tags().expect("gold"), predicted);
        }
    }
    assert!(evaluation.overall().f1() > 0.9, "{}", evaluation.report());
    assert_eq!(model.to_bytes(), toy_model().to_bytes());
}

// The byte format round-trips and rejects damaged input without panicking.
#[test]
fn bytes_round_trip_and_damage_is_an_error() {
    let model = toy_model();
    let bytes = model.to_bytes();
    let again = NerModel::from_bytes(&bytes).expect("round trip");
    assert_eq!(again.to_bytes(), bytes);
    assert_eq!(
        NerModel::from_bytes(b"hello").unwrap_err(),
        NerError::Truncated
    );
    assert_eq!(
        NerModel::from_bytes(b"hello world, not a model").unwrap_err(),
        NerError::BadMagic
    );
    for cut in [9, 20, bytes.len() / 2, bytes.len() - 1] {
        assert!(NerModel::from_bytes(&bytes[..cut]).is_err());
    }
    let mut extended = bytes.clone();
    extended.push(0);
    assert!(NerModel::from_bytes(&extended).is_err());
}

// Brown clusters (learned in training or read from their text form) are features of the
// model, kept through the byte format; without them the model is the plain one.
#[test]
fn brown_features_round_trip() {
    let documents = conll::parse(TOY);
    let plain = toy_model();
    let options = TrainOptions {
        epochs: 5,
        min_feature_count: 1,
        folds: 2,
        clusters: 0,
        brown_clusters: 4,
        brown_neighbours: true,
        ..TrainOptions::default()
    };
    let learned = train(&documents, &options).expect("toy training").0;
    let bytes = learned.to_bytes();
    assert_ne!(bytes, plain.to_bytes());
    assert!(learned.feature_counts().0 > plain.feature_counts().0);
    let again = NerModel::from_bytes(&bytes).expect("round trip");
    assert_eq!(again.to_bytes(), bytes);
    let words: Vec<Vec<&str>> = documents[0].sentences.iter().map(|s| s.tokens()).collect();
    assert_eq!(again.tag_document(&words), learned.tag_document(&words));
    let brown =
        BrownClusters::parse("0110\tparis\t3\n0111\tlondon\t2\n10\tthe\t9\n").expect("clusters");
    let read = TrainOptions {
        brown_clusters: 0,
        brown,
        ..options
    };
    let model = train(&documents, &read).expect("toy training").0;
    assert_ne!(model.to_bytes(), plain.to_bytes());
}

// Empty training data is a typed error.
#[test]
fn training_without_gold_tags_fails() {
    let documents = conll::parse("just\nwords\n");
    assert_eq!(
        train(&documents, &TrainOptions::default()).unwrap_err(),
        NerError::NoTrainingData
    );
}

// The shipped model finds the obvious entities of a news sentence, with exact byte offsets.
#[test]
fn shipped_model_recognizes_free_text() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/models/ner.model");
    let bytes = std::fs::read(path).expect("config/models/ner.model is shipped");
    let model = NerModel::from_bytes(&bytes).expect("shipped model loads");
    let text = "German Chancellor Angela Merkel met Microsoft executives in Paris on Tuesday, \
                the European Commission said.\n\nSOCCER - JAPAN BEAT SYRIA IN ASIAN CUP .";
    let mentions = model.recognize(text);
    for mention in &mentions {
        assert_eq!(&text[mention.start..mention.end], mention.text);
    }
    let found =
        |name: &str, kind: EntityType| mentions.iter().any(|m| m.text == name && m.kind == kind);
    assert!(found("Angela Merkel", EntityType::PER), "{mentions:?}");
    assert!(found("Microsoft", EntityType::ORG), "{mentions:?}");
    assert!(found("Paris", EntityType::LOC), "{mentions:?}");
    assert!(
        found("European Commission", EntityType::ORG),
        "{mentions:?}"
    );
    assert!(found("JAPAN", EntityType::LOC), "{mentions:?}");
    // Never panics on odd input.
    for odd in [
        "",
        "\u{0}",
        "'''",
        "A.B.C.D.",
        "\u{201c}\u{201d}",
        "x\n\n\n",
    ] {
        let _ = model.recognize(odd);
    }
}

// Random text from a palette of awkward characters never panics and yields valid offsets.
#[test]
fn recognize_survives_random_text() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/models/ner.model");
    let bytes = std::fs::read(path).expect("config/models/ner.model is shipped");
    let model = NerModel::from_bytes(&bytes).expect("shipped model loads");
    let palette: Vec<char> = "aZ .,'\"’“”-—\n\t/()$%0123İıß東京ÉéU.S.n't's…"
        .chars()
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..500 {
        let mut text = String::new();
        for _ in 0..(state % 60) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(palette[(state % palette.len() as u64) as usize]);
        }
        for mention in model.recognize(&text) {
            assert_eq!(
                text.get(mention.start..mention.end),
                Some(mention.text.as_str())
            );
        }
        for token in newsflow_ner::tokenize(&text) {
            assert!(
                token.start < token.end
                    && text.is_char_boundary(token.start)
                    && text.is_char_boundary(token.end)
            );
        }
    }
}

// The shipped German, French and Dutch models load and find the obvious entities of a modern
// news sentence; a damaged copy is an error, never a silently empty model.
#[test]
fn shipped_language_models_load_and_tag() {
    let sentences = [
        (
            "de",
            "Bundeskanzler Friedrich Merz traf am Dienstag in Berlin den Präsidenten Emmanuel Macron.",
            [("Friedrich Merz", EntityType::PER), ("Berlin", EntityType::LOC)],
        ),
        (
            "fr",
            "Le président Emmanuel Macron a rencontré mardi à Paris le chancelier allemand.",
            [("Emmanuel Macron", EntityType::PER), ("Paris", EntityType::LOC)],
        ),
        (
            "nl",
            "Minister Jan de Vries sprak dinsdag in Amsterdam met koning Willem-Alexander.",
            [("Jan de Vries", EntityType::PER), ("Amsterdam", EntityType::LOC)],
        ),
    ];
    for (language, text, expected) in sentences {
        assert!(newsflow_ner::OTHER_LANGUAGES.contains(&language));
        let file = newsflow_ner::model_file_name(language);
        let path = format!("{}/../../config/models/{file}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("{path} is shipped: {err}"));
        let model = NerModel::from_bytes(&bytes).expect("shipped model loads");
        let mentions = model.recognize(text);
        for (name, kind) in expected {
            assert!(
                mentions.iter().any(|m| m.text == name && m.kind == kind),
                "{language}: {name} {kind:?} in {mentions:?}"
            );
        }
        let mut damaged = bytes.clone();
        damaged.truncate(bytes.len() / 2);
        assert_eq!(
            NerModel::from_bytes(&damaged).unwrap_err(),
            NerError::Truncated
        );
    }
    assert_eq!(newsflow_ner::model_file_name("en"), "ner.model");
    assert_eq!(newsflow_ner::model_name("de"), "ner-de");
}
