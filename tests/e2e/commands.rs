//! Commands that work without NATS.

use std::process::Command;

use crate::harness::repo_root;
use crate::pipeline::record_validator;

fn newsflow(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newsflow"))
        .current_dir(repo_root())
        .args(args)
        .env_remove("NEWSFLOW_NATS_URL")
        .output()
        .unwrap()
}

#[test]
fn process_prints_one_record_per_file_and_errors_for_bad_ones() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("empty.txt"), b"").unwrap();
    let output = newsflow(&["process", "seeds", temp.path().to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    let validator = record_validator();
    for record in &lines[..5] {
        assert!(validator.is_valid(record), "{record:#}");
    }
    assert_eq!(lines[5]["error"]["kind"], "empty");
    // The two pairs that report the same story share a story id; 002 stands alone.
    let story = |n: usize| lines[n]["story_id"].as_str().unwrap().to_string();
    assert_eq!(story(0), story(1));
    assert_eq!(story(3), story(4));
    assert_ne!(story(2), story(0));
    assert_ne!(story(2), story(3));
    assert_ne!(story(0), story(3));
}

#[test]
fn config_check_explains_problems() {
    let output = newsflow(&["config", "check", "config/newsflow.toml"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let temp = tempfile::tempdir().unwrap();
    let bad = temp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[nats]\nprefix = \"a.b\"\n[workers]\nconcurrency = 0\n",
    )
    .unwrap();
    let output = newsflow(&["config", "check", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("nats.prefix") && stdout.contains("workers.concurrency"),
        "{stdout}"
    );
    std::fs::write(&bad, "[nats]\nurll = \"x\"\n").unwrap();
    let output = newsflow(&["config", "check", bad.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("urll"));
}

/// Runs newsflow in `dir` (no config/ there), without any `NEWSFLOW_*` setting but `env`.
fn newsflow_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsflow"));
    command.current_dir(dir).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("NEWSFLOW_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().copied());
    command.output().unwrap()
}

/// Issue 18 item 5: every command finds the shipped models the same way from any folder:
/// `ner --conll` (it stopped with "reading model config/models/ner.model") and `process`
/// (entities, and the clean models from the models folder) run from a temp folder.
#[test]
fn models_are_found_from_any_folder() {
    let temp = tempfile::tempdir().unwrap();
    let conll = temp.path().join("sample.conll");
    std::fs::write(
        &conll,
        "-DOCSTART- -X- -X- O\n\nAngela NNP B-NP B-PER\nMerkel NNP I-NP I-PER\nvisited VBD B-VP O\n\
         Paris NNP B-NP B-LOC\non IN B-PP O\nMonday NNP B-NP O\n. . O O\n",
    )
    .unwrap();
    let output = newsflow_in(temp.path(), &["ner", "--conll", "sample.conll"], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Merkel") && stdout.contains("PER"),
        "{stdout}"
    );

    std::fs::copy(
        repo_root().join("seeds/000_c88429b76dc10cae.txt"),
        temp.path().join("article.txt"),
    )
    .unwrap();
    let output = newsflow_in(temp.path(), &["process", "article.txt"], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("model file missing"), "{stderr}");
    let record: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
    assert!(
        record["entities"].as_array().is_some_and(|e| !e.is_empty()),
        "{record:#}"
    );
    assert!(record["topic"]["label"].is_string(), "{record:#}");
}

/// Issue 18 item 5: `classify` finds its topic model like every other command (its
/// `--models-dir` defaulted to a relative `config/models`), and `--models-dir` still wins.
#[test]
fn classify_finds_models_from_any_folder() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("input.jsonl"),
        "{\"id\":1,\"text\":\"The striker scored twice as the club won the league title.\"}\n",
    )
    .unwrap();
    let output = newsflow_in(
        temp.path(),
        &["classify", "--model", "bbc", "input.jsonl"],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
    assert_eq!(line["id"], 1, "{line}");
    assert!(line["label"].is_string(), "{line}");

    let empty = temp.path().join("no-models");
    std::fs::create_dir_all(&empty).unwrap();
    let output = newsflow_in(
        temp.path(),
        &[
            "classify",
            "--model",
            "bbc",
            "--models-dir",
            "no-models",
            "input.jsonl",
        ],
        &[],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-models/bbc.model"), "{stderr}");
}

/// Issue 18 item 5: a clean model that does not parse stops the command with an error naming
/// the file, instead of running on hand-set weights; an empty word list too.
#[test]
fn a_bad_clean_model_fails_loudly() {
    let temp = tempfile::tempdir().unwrap();
    let models = temp.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    std::fs::write(temp.path().join("article.txt"), "A short article.\n").unwrap();
    let models_dir = models.to_str().unwrap();
    for (file, bytes) in [
        ("clean-lines.json", &b"<html>not a model</html>"[..]),
        ("clean-words.txt", &b""[..]),
    ] {
        let _ = std::fs::remove_file(models.join("clean-lines.json"));
        std::fs::write(models.join(file), bytes).unwrap();
        let output = newsflow_in(
            temp.path(),
            &["process", "article.txt"],
            &[("NEWSFLOW_MODELS_DIR", models_dir)],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{file}: {stderr}");
        assert!(
            stderr.contains(file) && stderr.contains("invalid model"),
            "{file}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{file}");
    }
}

// Issue 16: keywords and summaries follow the article's language. A German, a French and a
// Spanish news page through `newsflow process`: keywords are ranked with the language's
// background table, none holds a function word of the language (checked against a short list
// written here, not the extract stage's own) or is a fragment, and the summary is detected as
// the article's language.
#[test]
fn keywords_and_summaries_follow_the_article_language() {
    let root = repo_root();
    let page = |source: &str, id: &str| {
        root.join(format!(
            "../shared/data/news-pages/pages/{source}/{id}.html.gz"
        ))
        .display()
        .to_string()
    };
    let german = page("postlight", "postlight-www.abendblatt.de");
    let french = page("postlight", "postlight-www.lemonde.fr");
    let spanish = page("htmldate", "htmldate-1731743891");
    let output = newsflow(&["process", &german, &french, &spanish]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(records.len(), 3);
    let function_words: &[(&str, &[&str])] = &[
        (
            "de",
            &[
                "der", "die", "das", "und", "in", "den", "von", "zu", "mit", "sich", "des", "auf",
                "für", "ist", "im", "dem", "nicht", "ein", "eine", "als", "auch", "es", "an",
                "werden", "aus", "er", "hat", "dass", "sie", "nach", "wird", "bei", "einer", "um",
                "am", "sind", "noch", "wie", "einem", "über", "so", "zum", "oder", "aber", "vor",
                "zur", "bis", "mehr", "durch", "man", "sagte", "sei", "wurde", "doch",
            ],
        ),
        (
            "fr",
            &[
                "le", "la", "les", "de", "des", "du", "un", "une", "et", "en", "à", "au", "aux",
                "que", "qui", "dans", "pour", "par", "sur", "pas", "plus", "ne", "se", "ce", "il",
                "elle", "sont", "est", "a", "ont", "été", "avec", "son", "sa", "ses", "mais", "ou",
                "comme", "aussi", "l", "d", "qu", "n", "s",
            ],
        ),
        (
            "es",
            &[
                "el", "la", "los", "las", "de", "del", "y", "en", "que", "a", "un", "una", "por",
                "con", "para", "se", "su", "sus", "al", "lo", "es", "no", "como", "más", "pero",
                "este", "esta", "ha", "fue", "sobre", "entre", "también", "dijo", "según", "o",
            ],
        ),
    ];
    for record in &records {
        let language = record["language"].as_str().unwrap();
        let stop = function_words
            .iter()
            .find(|(code, _)| *code == language)
            .unwrap_or_else(|| panic!("unexpected language {language}: {record:#}"))
            .1;
        assert_eq!(
            record["nlp"]["keywords"],
            format!("tfidf:{language}"),
            "{record:#}"
        );
        let keywords: Vec<&str> = record["keywords"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        assert!(keywords.len() >= 5, "{language}: {keywords:?}");
        for keyword in &keywords {
            for word in keyword.split([' ', '\'', '’']) {
                let lower = word.to_lowercase();
                assert!(
                    !stop.contains(&lower.as_str()),
                    "{language}: keyword {keyword:?} holds the function word {word:?}: {keywords:?}"
                );
                assert!(
                    lower.chars().filter(|c| c.is_alphabetic()).count() >= 2
                        && !lower.ends_with('-')
                        && !lower.starts_with('-'),
                    "{language}: keyword {keyword:?} is a fragment: {keywords:?}"
                );
            }
        }
        let summary = record["summary"].as_str().unwrap();
        let detected = newsflow_classify::detect_language(summary).map(|(code, _)| code);
        assert_eq!(
            detected.as_deref(),
            Some(language),
            "the summary is not in the article's language: {summary}"
        );
        assert!(
            record["body"]
                .as_str()
                .unwrap()
                .contains(summary.split(". ").next().unwrap().trim_end_matches('.')),
            "the summary is the article's own sentences: {summary}"
        );
    }
}
