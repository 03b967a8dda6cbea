//! The shipped models (config/models) load, round-trip and give sensible labels; model parsing and
//! prediction never panic on arbitrary bytes.

use newsflow_classify::{apply_rules, detect_language, Rule, TopicModel, MIN_CONFIDENT_SCORE};

fn shipped(name: &str) -> TopicModel {
    let path = format!(
        "{}/../../config/models/{name}.model",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {path}: {err}"));
    assert!(bytes.len() < 20 * 1024 * 1024, "{path} is over 20 MB");
    TopicModel::from_bytes(&bytes).unwrap()
}

#[test]
fn ag_news_model_labels() {
    let model = shipped("ag_news");
    assert_eq!(model.name(), "ag_news");
    assert_eq!(model.labels(), ["Business", "Sci/Tech", "Sports", "World"]);
    let cases = [
        (
            "Sports",
            "Ronaldo scores twice as Real Madrid beat Barcelona in the league",
        ),
        (
            "Business",
            "Oil prices climb as stocks fall on Wall Street amid profit warnings",
        ),
        (
            "Sci/Tech",
            "Microsoft releases a new version of Windows software for its PCs",
        ),
        (
            "World",
            "Iraqi insurgents attack a police station in Baghdad, killing 12",
        ),
    ];
    for (label, text) in cases {
        let topic = model.predict(text);
        assert_eq!(topic.label, label, "{text}");
        assert!(topic.score > 0.0 && topic.score <= 1.0);
    }
    let back = TopicModel::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(back, model);
}

#[test]
fn bbc_model_labels() {
    let model = shipped("bbc");
    assert_eq!(
        model.labels(),
        ["business", "entertainment", "politics", "sport", "tech"]
    );
    let cases = [
        ("sport", "England's rugby side beat Wales at Twickenham in the Six Nations"),
        ("politics", "Tony Blair told MPs that Labour would fight the election on the economy, while the Tories attacked the chancellor"),
        ("entertainment", "The film won best picture at the Oscars and its star took the best actress award"),
        ("tech", "Mobile phone makers are adding broadband and digital music players to new handsets"),
    ];
    for (label, text) in cases {
        assert_eq!(model.predict(text).label, label, "{text}");
    }
}

/// Issue 20: the BBC 2004–05 taxonomy has no place for the North Korea summit seeds; the model
/// says nothing on them (no label's one-vs-rest margin is positive), while AG News says World.
#[test]
fn secondary_models_say_nothing_outside_their_taxonomy() {
    let bbc = shipped("bbc");
    let ag_news = shipped("ag_news");
    let seeds = format!("{}/../../seeds", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 5);
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            bbc.predict_known(&text, MIN_CONFIDENT_SCORE),
            None,
            "{path:?}"
        );
        let world = ag_news.predict_known(&text, MIN_CONFIDENT_SCORE);
        assert_eq!(world.map(|t| t.label).as_deref(), Some("World"), "{path:?}");
    }
    // In the taxonomy the model still speaks.
    let sport = "England's rugby side beat Wales at Twickenham in the Six Nations";
    let known = bbc.predict_known(sport, MIN_CONFIDENT_SCORE);
    assert_eq!(known.map(|t| t.label).as_deref(), Some("sport"));
}

/// A deterministic stream of bytes with many UTF-8 boundary cases.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn arbitrary_input_never_panics() {
    let model = shipped("ag_news");
    let bytes = model.to_bytes();
    for seed in 0..60u64 {
        let junk = noise(seed, (seed as usize * 37) % 3000);
        let text = String::from_utf8_lossy(&junk);
        let topic = model.predict(&text);
        assert!(topic.score.is_finite());
        let _ = detect_language(&text);
        let rule = Rule {
            name: "r".into(),
            label: "l".into(),
            any: vec![text.chars().take(3).collect()],
            min_matches: 1,
        };
        let _ = apply_rules(&[rule], &text, &text);
        // Truncated and corrupted model files are errors, never panics.
        let cut = (seed as usize * 7919) % bytes.len();
        assert!(TopicModel::from_bytes(&bytes[..cut]).is_err());
        let mut corrupt = bytes.clone();
        corrupt[cut] ^= 0xff;
        let _ = TopicModel::from_bytes(&corrupt);
        let _ = TopicModel::from_bytes(&junk);
    }
}
