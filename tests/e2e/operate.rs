//! Operating newsflow: the dashboard in a real headless Chromium, `/metrics` and health,
//! `status`, `errors list|show|retry`, `replay` and `export` against a running pipeline.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::harness::{
    counts_by_id, errors, free_port, http_get, results, run_newsflow, seeds, wait_http, Broker,
    Workspace,
};

const SEED_003_TITLE: &str =
    "Vladimir Putin ‘gratefully’ accepts Kim Jong Un invitation to North Korea";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn chromium() -> PathBuf {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return PathBuf::from(path);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in ["/usr/bin", "/usr/local/bin", "/snap/bin"] {
            let path = Path::new(dir).join(name);
            if path.exists() {
                return path;
            }
        }
    }
    panic!("the dashboard test needs Chromium: apt-get install chromium (scripts/test.sh does)");
}

/// Headless Chromium with no outside network, a fresh profile, JavaScript given `budget_ms`
/// of virtual time to fetch and render.
fn chromium_run(url: &str, extra: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=5000",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_shows_a_dropped_seed_in_a_real_browser() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let up = workspace.spawn(&["up", "--nats", &broker.url(), "--http", &listen]);
    let seed = seeds()
        .into_iter()
        .find(|(name, _)| name.starts_with("003"))
        .unwrap();
    workspace.drop_file(&seed.0, &seed.1);
    workspace.drop_file("broken.html", PNG);

    // The state behind the page has the seed and the error.
    let state = wait_http(port, "/api/state", Duration::from_secs(60), |body| {
        body.contains(SEED_003_TITLE) && body.contains("\"kind\":\"binary\"")
    })
    .await;
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["nats_connected"], true);
    assert_eq!(state["results"][0]["topic"], "World", "{state:#}");

    // The page as a person sees it: JavaScript fetched and rendered the record.
    let url = format!("http://{listen}/");
    let dom = chromium_run(&url, &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains(&format!("<div class=\"title\">{SEED_003_TITLE}</div>")),
        "rendered page lacks the seed's title: {dom}\nlog: {}",
        up.log_text()
    );
    assert!(
        dom.contains("clean: binary") && dom.contains("broken.html"),
        "error list missing"
    );
    assert!(dom.contains("Dmitry Peskov"), "quotes or entities missing");
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    let _ = std::fs::remove_file(&shot);
    let output = chromium_run(&url, &[&format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "screenshot too small"
    );
    eprintln!("dashboard screenshot: {}", shot.display());

    // Metrics for Prometheus, health for orchestrators. A stage counts an article after its
    // onward publish is acknowledged, so the dashboard (which follows the streams) may show it
    // a moment before the counter moves: read /metrics until it does.
    let needles = [
        "newsflow_stage_messages_total{stage=\"extract\",outcome=\"done\"} 1",
        "newsflow_stage_messages_total{stage=\"clean\",outcome=\"rejected\"} 1",
        "newsflow_drop_to_stage_seconds_bucket{stage=\"extract\"",
        "newsflow_consumer_pending{stage=\"extract\"} 0",
        "newsflow_watch_files{outcome=\"published\"} 2",
    ];
    let start = std::time::Instant::now();
    let metrics = loop {
        let (status, metrics) = http_get(port, "/metrics").unwrap();
        assert_eq!(status, 200);
        let missing: Vec<&str> = needles
            .iter()
            .copied()
            .filter(|needle| !metrics.contains(needle))
            .collect();
        if missing.is_empty() {
            break metrics;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "/metrics lacks {missing:?}:\n{metrics}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    // Prometheus conventions: every metric has a description
    for line in metrics.lines().filter(|line| line.starts_with("# TYPE ")) {
        let name = line.split_whitespace().nth(2).unwrap_or("");
        assert!(
            metrics.contains(&format!("# HELP {name} ")),
            "/metrics has no HELP line for {name}:\n{metrics}"
        );
    }
    assert_eq!(
        http_get(port, "/healthz").unwrap(),
        (200, "ok\n".to_string())
    );
    assert_eq!(http_get(port, "/readyz").unwrap().0, 200);

    // NATS gone: still alive, no longer ready.
    drop(broker);
    let mut ready = 200;
    for _ in 0..60 {
        ready = http_get(port, "/readyz").unwrap().0;
        if ready == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(ready, 503, "readyz must fail while NATS is away");
    assert_eq!(http_get(port, "/healthz").unwrap().0, 200);
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn status_errors_retry_replay_and_export() {
    let broker = Broker::start();
    let url = broker.url();
    let workspace = Workspace::new(&url, "");
    let up = workspace.spawn(&["up", "--nats", &url]);
    for (name, bytes) in seeds() {
        workspace.drop_file(&name, &bytes);
    }
    workspace.drop_file("broken.html", PNG);
    let first = results(&url, 5, Duration::from_secs(90)).await;
    assert_eq!(first.len(), 5, "log: {}", up.log_text());
    assert_eq!(errors(&url, 1, Duration::from_secs(30)).await.len(), 1);
    let config = workspace.config.clone();
    let newsflow = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--nats", url.as_str()]);
        let (ok, stdout, stderr) = run_newsflow(&config, &all);
        assert!(ok, "newsflow {args:?} failed: {stderr}");
        (stdout, stderr)
    };

    // status: one row per stage, the error counted where it happened, nothing stuck.
    let (stdout, _) = newsflow(&["status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(status["results"], 5, "{status:#}");
    let stages = status["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 3);
    let clean = stages.iter().find(|s| s["stage"] == "clean").unwrap();
    assert_eq!(clean["errors"], 1);
    assert_eq!(clean["pending"], 0);
    let (table, _) = newsflow(&["status"]);
    assert!(
        table.contains("extract") && table.contains("results stored: 5"),
        "{table}"
    );

    // errors list / show: why it failed.
    let (stdout, _) = newsflow(&["errors", "list", "--json"]);
    let listed = json_lines(&stdout);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["error"]["kind"], "binary");
    let bad_id = listed[0]["id"].as_str().unwrap().to_string();
    let (table, _) = newsflow(&["errors", "list"]);
    assert!(
        table.contains("broken.html") && table.contains("binary"),
        "{table}"
    );
    let (shown, _) = newsflow(&["errors", "show", "broken.html"]);
    assert!(
        shown.contains(&bad_id) && shown.contains("binary"),
        "{shown}"
    );

    // retry: the article goes through clean again (and fails again, as it is still binary).
    let (stdout, _) = newsflow(&["errors", "retry"]);
    assert!(stdout.contains("re-submitted 1 article"), "{stdout}");
    let after = errors(&url, 2, Duration::from_secs(30)).await;
    assert_eq!(counts_by_id(&after).get(&bad_id), Some(&2), "{after:?}");

    // replay from extract: every article gets a second, newer record.
    let (stdout, _) = newsflow(&["replay", "--stage", "extract"]);
    assert!(stdout.contains("replayed 5 article"), "{stdout}");
    let all = results(&url, 10, Duration::from_secs(60)).await;
    assert_eq!(all.len(), 10);
    for (id, count) in counts_by_id(&all) {
        assert_eq!(
            count, 2,
            "{id} should have its first and its replayed record"
        );
    }

    // export: newest version of each article by default, every version on request.
    let (stdout, stderr) = newsflow(&["export"]);
    let exported = json_lines(&stdout);
    assert_eq!(exported.len(), 5, "{stderr}");
    assert!(exported.iter().all(|r| r["version"].as_u64().unwrap() > 1));
    let (stdout, _) = newsflow(&["export", "--all-versions"]);
    assert_eq!(json_lines(&stdout).len(), 10);
    let (stdout, _) = newsflow(&["export", "--since", "2999-01-01T00:00:00Z"]);
    assert!(json_lines(&stdout).is_empty());
    let parquet = workspace.dir.path().join("results.parquet");
    newsflow(&[
        "export",
        "--format",
        "parquet",
        "--out",
        parquet.to_str().unwrap(),
    ]);
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(&parquet).unwrap()).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 5);
    let rows: Vec<String> = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| row.unwrap().to_string())
        .collect();
    assert!(
        rows.iter()
            .any(|row| row.contains("N. Korea sticks to missile pledge")),
        "{rows:?}"
    );
    drop(up);
}
