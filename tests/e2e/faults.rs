//! kill -9 of stage workers mid-stream: every article ends as exactly one record.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::harness::{article, counts_by_id, errors, results, Broker, Workspace};

/// Articles per fault test: 300 in CI; `NEWSFLOW_FAULT_ARTICLES=10000` for the full-size run.
fn fault_articles(default: usize) -> usize {
    std::env::var("NEWSFLOW_FAULT_ARTICLES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_workers_lose_nothing_and_double_nothing() {
    let articles = fault_articles(1000);
    let broker = Broker::start();
    let workspace = Arc::new(Workspace::new(&broker.url(), ""));
    let _watch = workspace.spawn(&["watch", "--nats", &broker.url()]);
    let url = broker.url();
    let stop = Arc::new(AtomicBool::new(false));
    // Two workers; one of them, picked at random, is killed with SIGKILL at a random moment
    // every 1.5-4 s and replaced, until every article has a result.
    let killer = {
        let workspace = workspace.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut workers = [
                workspace.spawn(&["worker", "--nats", &url]),
                workspace.spawn(&["worker", "--nats", &url]),
            ];
            let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
            let mut kills = 0usize;
            while !stop.load(Ordering::Relaxed) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let pause = 1500 + (state >> 33) % 2500;
                std::thread::sleep(Duration::from_millis(pause));
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let victim = ((state >> 20) % 2) as usize;
                workers[victim].kill9();
                workers[victim] = workspace.spawn(&["worker", "--nats", &url]);
                kills += 1;
            }
            let logs: String = workers
                .iter()
                .map(|w| w.log_text())
                .collect::<Vec<_>>()
                .join("\n---\n");
            (kills, logs)
        })
    };
    for n in 0..articles {
        workspace.drop_file(&format!("burst/{n:05}.txt"), &article(1000 + n));
    }
    let deadline = Duration::from_secs(120 + articles as u64 / 20);
    let records = results(&broker.url(), articles, deadline).await;
    stop.store(true, Ordering::Relaxed);
    let (kills, worker_logs) = killer.join().unwrap();
    let counts = counts_by_id(&records);
    let doubled: Vec<_> = counts.iter().filter(|(_, &count)| count > 1).collect();
    let failed = errors(&broker.url(), 0, Duration::from_secs(2)).await;
    eprintln!(
        "fault run: {articles} articles, {kills} worker kills, {} results, {} doubled, {} errors",
        counts.len(),
        doubled.len(),
        failed.len()
    );
    assert!(kills >= 1, "no fault was injected");
    assert!(failed.is_empty(), "unexpected error records: {failed:?}");
    assert_eq!(
        counts.len(),
        articles,
        "lost {} articles; worker logs: {worker_logs}",
        articles - counts.len()
    );
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn nats_server_restart_mid_stream_loses_nothing() {
    let articles = fault_articles(120);
    let mut broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let _watch = workspace.spawn(&["watch", "--nats", &broker.url()]);
    let _worker = workspace.spawn(&["worker", "--nats", &broker.url()]);
    for n in 0..articles / 2 {
        workspace.drop_file(&format!("before/{n:04}.txt"), &article(5000 + n));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Killed (not stopped) and back on the same port with the same file store.
    broker.server.kill();
    for n in articles / 2..articles {
        workspace.drop_file(&format!("during/{n:04}.txt"), &article(5000 + n));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    broker.server.restart().expect("nats-server restarts");
    let records = results(&broker.url(), articles, Duration::from_secs(120)).await;
    let counts = counts_by_id(&records);
    assert_eq!(
        counts.len(),
        articles,
        "lost {} articles",
        articles - counts.len()
    );
    assert!(
        counts.values().all(|&count| count == 1),
        "doubled: {counts:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cluster_node_killed_mid_stream_loses_nothing() {
    let articles = fault_articles(120);
    let mut cluster = crate::harness::Cluster::start();
    let urls = cluster.urls();
    let workspace = Workspace::new(&urls, "");
    let text = std::fs::read_to_string(&workspace.config).unwrap();
    std::fs::write(
        &workspace.config,
        text.replace("[nats]\n", "[nats]\nreplicas = 3\n"),
    )
    .unwrap();
    let mut up = workspace.spawn(&["up", "--nats", &urls]);
    // Kill the node mid-stream, not mid-setup: wait until the replicated streams exist.
    let survivor = cluster.nodes[1].url().to_string();
    let js = async_nats::jetstream::new(async_nats::connect(&survivor).await.unwrap());
    let start = std::time::Instant::now();
    while js.get_stream("NEWSFLOW_RESULTS").await.is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "streams never created: {}",
            up.log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for n in 0..articles / 2 {
        workspace.drop_file(&format!("before/{n:04}.txt"), &article(7000 + n));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    cluster.nodes[0].kill();
    for n in articles / 2..articles {
        workspace.drop_file(&format!("during/{n:04}.txt"), &article(7000 + n));
    }
    let records = results(&survivor, articles, Duration::from_secs(150)).await;
    let counts = counts_by_id(&records);
    assert_eq!(
        counts.len(),
        articles,
        "lost {}; log: {}",
        articles - counts.len(),
        up.log_text()
    );
    assert!(
        counts.values().all(|&count| count == 1),
        "doubled: {counts:?}"
    );
    up.terminate();
}
