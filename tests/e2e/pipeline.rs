//! The seeds dropped into an inbox under a running pipeline come out as records.

use std::time::Duration;

use crate::harness::{
    articles_on, connect_any, repo_root, results, run_newsflow, seeds, Broker, Workspace,
};

const BOILERPLATE: &[&str] = &[
    "Skip to main content",
    "Play video",
    "QuickTime",
    "Back to the top",
    "External sites are not endorsed",
    "Pages will open in a new browser window",
    "Share This Article",
    "Leave a comment",
    "Leave a Reply",
    "Read the full article here",
    "Left Menu",
    "ABC News Live",
    "24/7 coverage",
    "Receive free Russian politics updates",
    "Image Credit",
];

const TITLES: &[(&str, &str)] = &[
    (
        "000_c88429b76dc10cae.txt",
        "Kim, Putin head back to the future",
    ),
    (
        "001_863716dbe718f919.txt",
        "N. Korea sticks to missile pledge",
    ),
    (
        "002_2bcfb5945116226e.txt",
        "Putin Makes First Visit to N. Korea",
    ),
    (
        "003_1c2efdea2e879c8f.txt",
        "Vladimir Putin ‘gratefully’ accepts Kim Jong Un invitation to North Korea",
    ),
    (
        "004_ee7681ee4ce6f542.txt",
        "Putin 'gratefully accepted' Kim's invitation to visit North Korea -Kremlin",
    ),
];

pub fn record_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schema/record.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

pub fn error_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schema/error.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn seeds_become_five_clean_records_routed_by_topic() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let mut up = workspace.spawn(&["up", "--nats", &broker.url()]);
    for (name, bytes) in seeds() {
        workspace.drop_file(&name, &bytes);
    }
    let records = results(&broker.url(), 5, Duration::from_secs(60)).await;
    assert_eq!(records.len(), 5, "log: {}", up.log_text());
    let validator = record_validator();
    for (subject, record) in &records {
        let problems: Vec<String> = validator
            .iter_errors(record)
            .map(|e| e.to_string())
            .collect();
        assert!(
            problems.is_empty(),
            "record does not match schema: {problems:?}\n{record:#}"
        );
        let source = record["source"].as_str().unwrap();
        let expected_title = TITLES
            .iter()
            .find(|(name, _)| *name == source)
            .map(|(_, title)| *title);
        assert_eq!(
            record["title"].as_str(),
            expected_title,
            "title of {source}"
        );
        let body = record["body"].as_str().unwrap();
        assert!(body.len() > 1000, "body of {source} too short: {body}");
        for boilerplate in BOILERPLATE {
            assert!(
                !body.contains(boilerplate),
                "{source} body keeps '{boilerplate}'"
            );
        }
        // Routed by the primary topic: the subject's last token is the topic label's token.
        let label = record["topic"]["label"].as_str().unwrap_or("unknown");
        assert_eq!(
            subject,
            &format!("newsflow.results.{}", newsflow_model::subject_token(label))
        );
        assert_eq!(record["language"], "en", "{source}");
        assert_eq!(record["nlp"]["entities"], "model:ner", "{source}");
    }
    let status = up.terminate();
    assert!(
        status.success(),
        "up exited with {status}: {}",
        up.log_text()
    );
}

/// A real news page of the shared data, decompressed.
fn news_page(source: &str, id: &str) -> Vec<u8> {
    use std::io::Read;
    let path = repo_root().join(format!(
        "../shared/data/news-pages/pages/{source}/{id}.html.gz"
    ));
    let compressed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&compressed[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

// Issue 16: a German page gets entities from the German model, a Spanish one none (never the
// English model's), and each record says what ran. Topics come from the publisher's section in
// every language: the German page's breadcrumb says "Wirtschaft" (Business, results.business),
// the Spanish page's article:section "El Mundo" (World); a German page whose section maps to no
// topic ("lokales") is `unknown` with score 0 on results.unknown, not the English model's guess.
#[tokio::test(flavor = "multi_thread")]
async fn entities_come_from_the_page_language_model_or_none() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let mut up = workspace.spawn(&["up", "--nats", &broker.url()]);
    workspace.drop_file(
        "abendblatt.html",
        &news_page("postlight", "postlight-www.abendblatt.de"),
    );
    workspace.drop_file(
        "spanish.html",
        &news_page("htmldate", "htmldate-1731743891"),
    );
    workspace.drop_file(
        "lokales.html",
        &news_page("htmldate", "htmldate-1518961308"),
    );
    let records = results(&broker.url(), 3, Duration::from_secs(60)).await;
    assert_eq!(records.len(), 3, "log: {}", up.log_text());
    let validator = record_validator();
    for (subject, record) in &records {
        let problems: Vec<String> = validator
            .iter_errors(record)
            .map(|e| e.to_string())
            .collect();
        assert!(problems.is_empty(), "schema: {problems:?}\n{record:#}");
        let nlp = &record["nlp"];
        match record["source"].as_str().unwrap() {
            "abendblatt.html" => {
                assert_eq!(nlp["language"], "de");
                assert_eq!(nlp["entities"], "model:ner-de");
                assert!(!record["entities"].as_array().unwrap().is_empty());
                assert_eq!(record["section"], "Wirtschaft");
                assert_eq!(record["topic"]["label"], "Business");
                assert_eq!(record["topic"]["score"], 1.0);
                assert_eq!(nlp["topic"], "section");
                assert_eq!(subject, "newsflow.results.business");
            }
            "spanish.html" => {
                assert_eq!(nlp["language"], "es");
                assert_eq!(nlp["entities"], "none:unsupported-language");
                assert!(record["entities"].is_null());
                assert_eq!(record["section"], "El Mundo");
                assert_eq!(record["topic"]["label"], "World");
                assert_eq!(nlp["topic"], "section");
                assert_eq!(subject, "newsflow.results.world");
            }
            other => {
                assert_eq!(other, "lokales.html");
                assert_eq!(nlp["language"], "de");
                assert_eq!(record["section"], "lokales");
                assert_eq!(record["topic"]["label"], "unknown");
                assert_eq!(record["topic"]["score"], 0.0);
                assert_eq!(nlp["topic"], "none:unsupported-language");
                assert_eq!(subject, "newsflow.results.unknown");
            }
        }
    }
    let status = up.terminate();
    assert!(
        status.success(),
        "up exited with {status}: {}",
        up.log_text()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn up_without_nats_runs_its_own_server() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let workspace = Workspace::new("", "");
    let text = std::fs::read_to_string(&workspace.config).unwrap();
    let text = text.replace("url = \"\"", &format!("url = \"\"\nmanaged_port = {port}"));
    std::fs::write(&workspace.config, text).unwrap();
    let mut up = workspace.spawn(&["up"]);
    let (name, bytes) = &seeds()[0];
    workspace.drop_file(name, bytes);
    let url = format!("nats://127.0.0.1:{port}");
    let records = results(&url, 1, Duration::from_secs(60)).await;
    assert_eq!(records.len(), 1, "log: {}", up.log_text());
    // Client commands with the same config find the managed server without --nats.
    let (ok, stdout, stderr) = run_newsflow(&workspace.config, &["status", "--json"]);
    assert!(ok, "{stderr}");
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(status["nats"], url.as_str(), "{stdout}");
    let status = up.terminate();
    assert!(status.success(), "{}", up.log_text());
    // Once it is gone they say so at once instead of waiting for a server.
    let started = std::time::Instant::now();
    let (ok, _, stderr) = run_newsflow(&workspace.config, &["status"]);
    assert!(!ok);
    assert!(stderr.contains("needs --nats URL"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_extract_workers_agree_on_same_story_groups() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let url = broker.url();
    let _watch = workspace.spawn(&["watch", "--nats", &url]);
    let _clean = workspace.spawn(&["worker", "--nats", &url, "--stage", "clean"]);
    let _classify = workspace.spawn(&["worker", "--nats", &url, "--stage", "classify"]);
    let _extract_a = workspace.spawn(&["worker", "--nats", &url, "--stage", "extract"]);
    let _extract_b = workspace.spawn(&["worker", "--nats", &url, "--stage", "extract"]);
    // All at once, so the two extract workers race on articles of the same story.
    for (name, bytes) in seeds() {
        workspace.drop_file(&name, &bytes);
    }
    let records = results(&url, 5, Duration::from_secs(60)).await;
    assert_eq!(records.len(), 5);
    let story = |prefix: &str| {
        records
            .iter()
            .find(|(_, record)| record["source"].as_str().unwrap_or("").starts_with(prefix))
            .and_then(|(_, record)| record["story_id"].as_str())
            .unwrap_or_else(|| panic!("no story for {prefix}"))
            .to_string()
    };
    assert_eq!(
        story("000"),
        story("001"),
        "000 and 001 report the same story"
    );
    assert_eq!(
        story("003"),
        story("004"),
        "003 and 004 report the same story"
    );
    assert_ne!(story("002"), story("000"));
    assert_ne!(story("002"), story("003"));
    assert_ne!(story("000"), story("003"));
}

/// Issue 17: with `workers.fused` (the default) a worker set runs the three stages in one
/// process for each article: its records are those of workers that pass each stage's record on
/// through the stream, field for field, and nothing is stored on the intermediate subjects.
#[tokio::test(flavor = "multi_thread")]
async fn fused_stages_publish_the_records_of_separate_stages() {
    let mut runs = Vec::new();
    for fused in [true, false] {
        let broker = Broker::start();
        let url = broker.url();
        let workspace = Workspace::new(&url, "");
        workspace.add_workers_options(&format!("fused = {fused}"));
        let worker = workspace.spawn(&["worker", "--nats", &url]);
        let _watch = workspace.spawn(&["watch", "--nats", &url]);
        for (name, bytes) in seeds() {
            workspace.drop_file(&name, &bytes);
        }
        let records = results(&url, 5, Duration::from_secs(60)).await;
        assert_eq!(records.len(), 5, "fused = {fused}: {}", worker.log_text());
        let js = async_nats::jetstream::new(connect_any(&url).await);
        let intermediate = articles_on(&js, "newsflow.articles.clean").await
            + articles_on(&js, "newsflow.articles.classified").await;
        assert_eq!(
            articles_on(&js, "newsflow.articles.raw").await,
            5,
            "fused = {fused}"
        );
        assert_eq!(intermediate, if fused { 0 } else { 10 }, "fused = {fused}");
        let mut by_source = std::collections::BTreeMap::new();
        for (subject, mut record) in records {
            let object = record.as_object_mut().unwrap();
            // when the file was taken and which article a story is named after vary by run
            object.remove("received_at");
            let story = object.remove("story_id").unwrap();
            object.remove("duplicate_of");
            let source = object["source"].as_str().unwrap().to_string();
            by_source.insert(source, (subject, record, story));
        }
        // the same-story groups, as sets of sources
        let mut groups = std::collections::BTreeMap::<String, Vec<String>>::new();
        for (source, (_, _, story)) in &by_source {
            groups
                .entry(story.to_string())
                .or_default()
                .push(source.clone());
        }
        let mut groups: Vec<Vec<String>> = groups.into_values().collect();
        groups.sort();
        let records: Vec<(String, String, serde_json::Value)> = by_source
            .into_iter()
            .map(|(source, (subject, record, _))| (source, subject, record))
            .collect();
        runs.push((records, groups));
    }
    let (fused, separate) = (&runs[0], &runs[1]);
    assert_eq!(fused.1, separate.1, "same-story groups");
    assert_eq!(fused.0.len(), separate.0.len());
    for (a, b) in fused.0.iter().zip(&separate.0) {
        assert_eq!(a, b, "the record of {}", a.0);
    }
}

/// Consumers on a stream, by stream name.
async fn consumers_on(js: &async_nats::jetstream::Context, stream: &str) -> usize {
    js.get_stream(stream)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .consumer_count
}

/// Issue 17: a worker process that serves no dashboard does not follow the results and errors
/// streams (nothing would read them; every worker of a cluster would receive and parse every
/// record); with a dashboard it does, for the dashboard's list.
#[tokio::test(flavor = "multi_thread")]
async fn only_a_dashboard_follows_the_results() {
    let broker = Broker::start();
    let url = broker.url();
    let workspace = Workspace::new(&url, "");
    let worker = workspace.spawn(&["worker", "--nats", &url]);
    let _watch = workspace.spawn(&["watch", "--nats", &url]);
    for (name, bytes) in seeds() {
        workspace.drop_file(&name, &bytes);
    }
    workspace.drop_file("broken.html", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01");
    let js = async_nats::jetstream::new(connect_any(&url).await);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let stored = |stream: &'static str| {
        let js = js.clone();
        async move {
            js.get_stream(stream)
                .await
                .map(|stream| stream.cached_info().state.messages)
                .unwrap_or(0)
        }
    };
    while stored("NEWSFLOW_RESULTS").await < 5 || stored("NEWSFLOW_ERRORS").await < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "results not stored: {}",
            worker.log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(consumers_on(&js, "NEWSFLOW_RESULTS").await, 0);
    assert_eq!(consumers_on(&js, "NEWSFLOW_ERRORS").await, 0);

    // the same worker with a dashboard lists the records: it follows both streams
    let port = crate::harness::free_port();
    let listen = format!("127.0.0.1:{port}");
    let _dashboard = workspace.spawn(&["worker", "--nats", &url, "--http", &listen]);
    crate::harness::wait_http(port, "/api/state", Duration::from_secs(60), |body| {
        body.contains("\"kind\":\"binary\"") && body.matches("\"story_id\"").count() >= 5
    })
    .await;
    assert_eq!(consumers_on(&js, "NEWSFLOW_RESULTS").await, 1);
    assert_eq!(consumers_on(&js, "NEWSFLOW_ERRORS").await, 1);
}
