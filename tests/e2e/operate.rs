//! Operating newsflow: the dashboard in a real headless Chromium, `/metrics` and health,
//! `status`, `errors list|show|retry`, `replay` and `export` against a running pipeline.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use crate::browser::Browser;
use crate::harness::{
    counts_by_id, errors, free_port, http_get, results, run_newsflow, seeds, wait_http, Broker,
    Workspace,
};

const SEED_003_TITLE: &str =
    "Vladimir Putin ‘gratefully’ accepts Kim Jong Un invitation to North Korea";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const TECH_TITLE: &str = "Chipmaker unveils faster processor for laptops";
/// English, Sci/Tech, with a byline and a dateline.
const TECH: &str = r#"{"title": "Chipmaker unveils faster processor for laptops", "author": "By Maria Lopez", "published": "2024-03-12", "outlet": "Tech Daily", "text": "SAN FRANCISCO (Reuters) - Semiconductor company Intel on Tuesday unveiled a new processor for laptops that it says runs artificial intelligence software twice as fast as its previous chips, as it races to win back market share from rivals AMD and Apple.\n\nThe chip, built on a new manufacturing process, will ship in computers from Dell, HP and Lenovo later this year, the company said. \"This is the biggest change to our laptop chips in a decade,\" chief executive Pat Gelsinger told reporters at a launch event.\n\nAnalysts said the new software features and longer battery life could help Intel, whose shares have fallen this year as investors worried about delays in its factory plans. The company also announced a new graphics chip for gaming computers and data centers."}"#;
const SPORT_TITLE: &str = "Bayern München gewinnt das Spitzenspiel gegen Dortmund";
/// German: no topic (the models are English), language `de`.
const SPORT_DE: &str = r#"{"title": "Bayern München gewinnt das Spitzenspiel gegen Dortmund", "author": "Von Anna Schmidt", "published": "2024-05-04T18:30:00+02:00", "outlet": "Sportblatt", "text": "MÜNCHEN (dpa) - Der FC Bayern München hat das Spitzenspiel der Fußball-Bundesliga gegen Borussia Dortmund mit 3:1 gewonnen. Harry Kane traf zweimal für die Münchner, die damit die Tabellenführung ausbauten.\n\nTrainer Thomas Tuchel lobte nach dem Spiel die Mannschaft. \"Wir haben heute eine sehr reife Leistung gezeigt\", sagte Tuchel. Dortmund verkürzte zwischenzeitlich durch Julian Brandt, doch die Bayern blieben vor 75.000 Zuschauern in der Allianz Arena überlegen.\n\nIn der Tabelle liegt der FC Bayern nun sechs Punkte vor Bayer Leverkusen. Am kommenden Wochenende spielt die Mannschaft in Stuttgart. Die Borussia muss nach der Niederlage um die Qualifikation für die Champions League bangen."}"#;

/// Where test artifacts (screenshots) are kept: `<target>/test-artifacts`.
fn artifacts() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn save_png(name: &str, png: &[u8]) {
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "screenshot {name} too small: {} bytes",
        png.len()
    );
    let path = artifacts().join(name);
    std::fs::write(&path, png).unwrap();
    eprintln!("dashboard screenshot: {}", path.display());
}

/// The first event of `GET path` as server-sent events: (content type, event name, data).
fn first_event(port: u16, path: &str) -> (String, String, serde_json::Value) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // HTTP/1.0: the body comes as it is, not in chunks.
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 65536];
    let text = loop {
        let n = stream.read(&mut buffer).unwrap();
        assert!(n > 0, "event stream ended before its first event");
        received.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some((_, body)) = text.split_once("\r\n\r\n") {
            if body.contains("\n\n") {
                break text;
            }
        }
    };
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let content_type = head
        .lines()
        .find_map(|line| line.strip_prefix("content-type: "))
        .unwrap_or("")
        .to_string();
    let event = body.split("\n\n").next().unwrap();
    let field = |name: &str| {
        event
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .unwrap_or("")
            .to_string()
    };
    let data = serde_json::from_str(&field("data: ")).unwrap();
    (content_type, field("event: "), data)
}

/// `value` with every number a float, as JavaScript has them (its JSON writes 1.0 as 1).
fn js_numbers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.into_iter().map(js_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, js_numbers(value)))
                .collect(),
        ),
        other => other,
    }
}

/// The ids of the results the page lists now.
const LISTED: &str =
    "[...document.querySelectorAll('#results .result')].map(r => r.dataset.id).join(' ')";

fn set_filter(browser: &mut Browser, page: &crate::browser::Page, id: &str, value: &str) {
    let event = if id == "filter-entity" {
        "input"
    } else {
        "change"
    };
    browser.eval(
        page,
        &format!(
            "(() => {{ const input = document.getElementById({id:?}); input.value = {value:?}; \
             input.dispatchEvent(new Event({event:?})); return input.value; }})()"
        ),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_shows_a_dropped_seed_in_a_real_browser() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let _up = workspace.spawn(&["up", "--nats", &broker.url(), "--http", &listen]);
    let seed = seeds()
        .into_iter()
        .find(|(name, _)| name.starts_with("003"))
        .unwrap();
    workspace.drop_file(&seed.0, &seed.1);
    workspace.drop_file("tech.json", TECH.as_bytes());
    workspace.drop_file("broken.html", PNG);

    // The state behind the page, for scripts: the seed, the other article and the error.
    let state = wait_http(port, "/api/state", Duration::from_secs(60), |body| {
        body.contains(SEED_003_TITLE)
            && body.contains(TECH_TITLE)
            && body.contains("\"kind\":\"binary\"")
    })
    .await;
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["nats_connected"], true);
    let stored = results(&broker.url(), 2, Duration::from_secs(30)).await;
    let record_titled = |title: &str| {
        stored
            .iter()
            .map(|(_, record)| record.clone())
            .find(|record| record["title"] == title)
            .unwrap_or_else(|| panic!("no record titled {title}: {stored:?}"))
    };
    let (seed_record, tech_record) = (record_titled(SEED_003_TITLE), record_titled(TECH_TITLE));
    let (seed_id, tech_id) = (
        seed_record["id"].as_str().unwrap(),
        tech_record["id"].as_str().unwrap(),
    );
    let listed = |state: &serde_json::Value| -> Vec<String> {
        state["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        state["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == seed_id)
            .unwrap()["topic"]["label"],
        "World",
        "{state:#}"
    );
    // Filters as query parameters.
    let (status, filtered) = http_get(port, "/api/state?topic=sci%2Ftech").unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        listed(&serde_json::from_str(&filtered).unwrap()),
        [tech_id],
        "{filtered}"
    );
    // The whole record of a result, body and all, as the stream has it.
    let (status, whole) = http_get(port, &format!("/api/records/{seed_id}")).unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&whole).unwrap(),
        seed_record
    );
    assert_eq!(http_get(port, "/api/records/nosuchid").unwrap().0, 404);
    // Pushed as server-sent events, the first at once.
    let (content_type, event, pushed) = first_event(port, "/api/events?entity=peskov");
    assert_eq!(content_type, "text/event-stream");
    assert_eq!(event, "state");
    assert_eq!(listed(&pushed), [seed_id], "{pushed:#}");
    // The page comes with the state in it: no "connecting…" until a first event.
    let (status, html) = http_get(port, "/").unwrap();
    assert_eq!(status, 200);
    assert!(html.contains(TECH_TITLE), "state not in the page");

    // The page as a person sees it, in a real browser.
    let mut browser = Browser::start();
    let page = browser.open(&format!("http://{listen}/"));
    assert_eq!(
        browser.eval(&page, "document.getElementById('conn').textContent"),
        "NATS connected"
    );
    browser.wait_for(
        &page,
        &format!("{LISTED}.split(' ').length === 2"),
        Duration::from_secs(10),
    );
    // Each result: summary, keywords, byline, dateline, story id, entities.
    let shown = browser.eval(
        &page,
        &format!("document.querySelector('.result[data-id=\"{tech_id}\"]').innerText"),
    );
    let shown = shown.as_str().unwrap();
    let summary_start: String = tech_record["summary"]
        .as_str()
        .unwrap()
        .chars()
        .take(40)
        .collect();
    let story = &tech_record["story_id"].as_str().unwrap()[..12];
    for needle in [
        "Sci/Tech",
        "by Maria Lopez",
        "SAN FRANCISCO",
        summary_start.as_str(),
        tech_record["keywords"][0].as_str().unwrap(),
        "Intel",
        &format!("story {story}"),
    ] {
        assert!(shown.contains(needle), "result lacks {needle:?}:\n{shown}");
    }
    let seed_shown = browser.eval(
        &page,
        &format!("document.querySelector('.result[data-id=\"{seed_id}\"]').innerText"),
    );
    assert!(
        seed_shown.as_str().unwrap().contains("Dmitry Peskov"),
        "quotes or entities missing: {seed_shown}"
    );
    browser.wait_for(
        &page,
        "[...document.querySelectorAll('#errors .error')].some(e => e.innerText.includes('clean: binary') && e.innerText.includes('broken.html'))",
        Duration::from_secs(10),
    );
    // The watcher: a row among the stages (this process's) and in the watchers' table (from
    // the key-value bucket every watcher reports to).
    browser.wait_for(
        &page,
        "(() => { const cells = document.querySelector('#stages tr[data-stage=watch]').cells; \
         return cells[1].textContent === '3' && cells[8].textContent === '0'; })()",
        Duration::from_secs(10),
    );
    browser.wait_for(
        &page,
        "[...document.querySelectorAll('#watchers tr[data-watcher]')].some(r => \
         r.cells[1].textContent.endsWith('inbox') && r.cells[2].textContent === '3' && r.cells[3].textContent === '3')",
        Duration::from_secs(15),
    );

    // The detail view: the full record, as stored.
    browser.eval(
        &page,
        &format!("document.querySelector('.result[data-id=\"{seed_id}\"] button.open').click()"),
    );
    browser.wait_for(
        &page,
        "document.getElementById('detail').open && document.getElementById('detail').dataset.loaded === 'yes'",
        Duration::from_secs(10),
    );
    let detail = browser.eval(&page, "document.getElementById('detail-json').textContent");
    let detail: serde_json::Value = serde_json::from_str(detail.as_str().unwrap()).unwrap();
    assert_eq!(
        js_numbers(detail),
        js_numbers(seed_record.clone()),
        "the detail view is not the whole record"
    );
    save_png("dashboard-record.png", &browser.screenshot(&page));
    browser.eval(&page, "document.getElementById('detail-close').click()");
    browser.wait_for(
        &page,
        "!document.getElementById('detail').open",
        Duration::from_secs(5),
    );

    // Filters narrow the list: by topic, by entity.
    set_filter(&mut browser, &page, "filter-topic", "Sci/Tech");
    browser.wait_for(
        &page,
        &format!("{LISTED} === '{tech_id}'"),
        Duration::from_secs(5),
    );
    browser.eval(&page, "document.getElementById('filter-clear').click()");
    set_filter(&mut browser, &page, "filter-entity", "peskov");
    browser.wait_for(
        &page,
        &format!("{LISTED} === '{seed_id}'"),
        Duration::from_secs(5),
    );
    browser.eval(&page, "document.getElementById('filter-clear').click()");
    browser.wait_for(
        &page,
        &format!("{LISTED}.split(' ').length === 2"),
        Duration::from_secs(5),
    );

    // Live: an article dropped now shows up without a reload, and the rates move.
    browser.eval(&page, "window.notReloaded = true");
    workspace.drop_file("sport.json", SPORT_DE.as_bytes());
    browser.wait_for(
        &page,
        &format!(
            "[...document.querySelectorAll('#results .title')].some(t => t.textContent === {SPORT_TITLE:?})"
        ),
        Duration::from_secs(60),
    );
    assert_eq!(browser.eval(&page, "window.notReloaded === true"), true);
    browser.wait_for(
        &page,
        "(() => { const rate = s => document.querySelector(`#stages tr[data-stage=${s}] .rate`).textContent; \
         return rate('watch') !== '0.0' && rate('extract') !== '0.0'; })()",
        Duration::from_secs(8),
    );
    // By language: only the German one.
    set_filter(&mut browser, &page, "filter-language", "de");
    let german = browser.wait_for(
        &page,
        &format!("{LISTED}.split(' ').length === 1 && document.querySelector('#results .title').textContent"),
        Duration::from_secs(5),
    );
    assert_eq!(german, SPORT_TITLE);
    browser.eval(&page, "document.getElementById('filter-clear').click()");
    browser.wait_for(
        &page,
        &format!("{LISTED}.split(' ').length === 3"),
        Duration::from_secs(5),
    );
    save_png("dashboard.png", &browser.screenshot(&page));
    drop(browser);

    // Metrics for Prometheus, health for orchestrators. A stage counts an article after its
    // onward publish is acknowledged, so the dashboard (which follows the streams) may show it
    // a moment before the counter moves: read /metrics until it does.
    let needles = [
        "newsflow_stage_messages_total{stage=\"extract\",outcome=\"done\"} 3",
        "newsflow_stage_messages_total{stage=\"clean\",outcome=\"rejected\"} 1",
        "newsflow_drop_to_stage_seconds_bucket{stage=\"extract\"",
        "newsflow_consumer_pending{stage=\"extract\"} 0",
        "newsflow_watch_files{outcome=\"published\"} 4",
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

/// Issue 15: the dashboard shows each bulk file being read (records, bytes read of total,
/// records/s, ETA) and a watcher held back by the pipeline's backlog as "paused: backlog".
/// With `watch.max_backlog = 1` a WARC of 300 pages is read a few records a second, so both
/// stay on screen long enough to be seen in a real browser.
#[tokio::test(flavor = "multi_thread")]
async fn dashboard_shows_a_bulk_file_and_a_paused_watcher_in_a_real_browser() {
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    workspace.add_watch_options("max_backlog = 1");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let up = workspace.spawn(&["up", "--nats", &broker.url(), "--http", &listen]);
    up.wait_log("watcher started", Duration::from_secs(60));
    workspace.drop_file("cc/slow.warc.gz", &crate::bulk::big_crawl(300));
    let mut browser = Browser::start();
    let page = browser.open(&format!("http://{listen}/"));
    let row = "document.querySelector('#bulk-files tr[data-bulk=\"cc/slow.warc.gz\"]')";
    browser.wait_for(
        &page,
        &format!("{row} && {row}.innerText.includes('this process')"),
        Duration::from_secs(60),
    );
    let shown = browser.eval(&page, &format!("{row}.innerText"));
    let shown = shown.as_str().unwrap_or_default().to_string();
    assert!(
        shown.contains("cc/slow.warc.gz") && shown.contains(" of ") && shown.contains('%'),
        "{shown}"
    );
    assert_eq!(
        browser.eval(&page, &format!("{row}.querySelector('progress') !== null")),
        true
    );
    browser.wait_for(
        &page,
        "document.querySelector('tr[data-stage=\"watch\"]').innerText.includes('paused: backlog')",
        Duration::from_secs(30),
    );
    assert!(
        browser
            .eval(&page, "document.getElementById('totals').textContent")
            .as_str()
            .unwrap_or_default()
            .contains("of 1 ·"),
        "totals"
    );
    std::fs::write(
        artifacts().join("dashboard-bulk.png"),
        browser.screenshot(&page),
    )
    .unwrap();
}
