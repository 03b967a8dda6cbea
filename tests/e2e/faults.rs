//! Faults against real nats-server processes: kill -9 of stage workers, a nats-server restart,
//! a cluster node killed, a cluster node's network link cut (network namespaces), a stuck
//! consumer with a growing backlog. After each, every dropped file ends as exactly one record.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::harness::{article, counts_by_id, errors, results, Broker, Workspace};

/// Articles per fault test: `default` in CI; `NEWSFLOW_FAULT_ARTICLES=10000` for the full-size run.
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
    let articles = fault_articles(500);
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
    let records = results(
        &survivor,
        articles,
        Duration::from_secs(150 + articles as u64 / 5),
    )
    .await;
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

/// (messages not yet delivered, delivered and not yet acked) of a stage's durable consumer.
async fn consumer_backlog(
    js: &async_nats::jetstream::Context,
    durable: &str,
) -> Option<(u64, u64)> {
    let stream = js.get_stream("NEWSFLOW_ARTICLES").await.ok()?;
    let info = stream.consumer_info(durable).await.ok()?;
    Some((info.num_pending, info.num_ack_pending as u64))
}

/// (messages, bytes) stored in a stream.
async fn stream_size(js: &async_nats::jetstream::Context, name: &str) -> (u64, u64) {
    match js.get_stream(name).await {
        Ok(stream) => stream
            .get_info()
            .await
            .map(|info| (info.state.messages, info.state.bytes))
            .unwrap_or((0, 0)),
        Err(_) => (0, 0),
    }
}

/// How much a process may use while a backlog of `articles` builds up or drains, in MiB.
struct MemoryLimits {
    /// VmHWM at the end.
    cap: f64,
    /// Highest VmRSS minus VmRSS when idle before the first article (first-use warm-up included).
    from_idle: f64,
    /// Highest VmRSS after the early mark minus VmRSS at it: a buffer that grows with the
    /// backlog shows here.
    growth: f64,
    /// Allowed for each article on top of `from_idle` and `growth`, in KiB (per-article state
    /// kept by design, e.g. the watcher's checkpoint or the extract worker's story log).
    per_article_kib: f64,
}

/// VmRSS (MiB) of some processes, sampled with how far the backlog had got.
struct MemoryTrace {
    names: Vec<&'static str>,
    pids: Vec<u32>,
    start: std::time::Instant,
    /// (seconds since start, backlog progress, VmRSS MiB per process)
    samples: Vec<(f64, u64, Vec<f64>)>,
}

impl MemoryTrace {
    fn new(processes: &[(&'static str, u32)]) -> MemoryTrace {
        MemoryTrace {
            names: processes.iter().map(|(name, _)| *name).collect(),
            pids: processes.iter().map(|(_, pid)| *pid).collect(),
            start: std::time::Instant::now(),
            samples: Vec::new(),
        }
    }

    fn sample(&mut self, progress: u64) {
        let rss = self
            .pids
            .iter()
            .map(|&pid| {
                let (rss, _) = crate::harness::memory_kib(pid).expect("process is alive");
                rss as f64 / 1024.0
            })
            .collect();
        self.samples
            .push((self.start.elapsed().as_secs_f64(), progress, rss));
    }

    /// Longest time without progress, in seconds.
    fn longest_stall(&self) -> f64 {
        let mut longest = 0.0f64;
        let mut since = (0.0, 0);
        for &(at, progress, _) in &self.samples {
            if progress != since.1 {
                since = (at, progress);
            }
            longest = longest.max(at - since.0);
        }
        longest
    }

    /// Checks each process against its limits (the first sample is the idle one); prints a
    /// line per process and returns what exceeded a limit.
    fn check(
        &self,
        early: u64,
        articles: usize,
        limits: &[MemoryLimits],
        phase: &str,
    ) -> Vec<String> {
        let from = self
            .samples
            .iter()
            .position(|(_, progress, _)| *progress >= early)
            .expect("progress never reached the early mark");
        let mut problems = Vec::new();
        for (index, name) in self.names.iter().enumerate() {
            let limit = &limits[index];
            let idle = self.samples[0].2[index];
            let at_early = self.samples[from].2[index];
            let peak = self
                .samples
                .iter()
                .map(|(_, _, rss)| rss[index])
                .fold(f64::MIN, f64::max);
            let hwm = crate::harness::memory_kib(self.pids[index])
                .map(|(_, hwm)| hwm as f64 / 1024.0)
                .expect("process is alive");
            let per_article = limit.per_article_kib * articles as f64 / 1024.0;
            let line = format!(
                "{phase}: {name}: idle {idle:.1} MiB, {at_early:.1} at the early mark, peak {peak:.1}, VmHWM {hwm:.1}"
            );
            eprintln!("{line}");
            if hwm > limit.cap {
                problems.push(format!("{line}: VmHWM above {:.0} MiB", limit.cap));
            }
            if peak - idle > limit.from_idle + per_article {
                problems.push(format!(
                    "{line}: grew {:.1} MiB from idle, allowed {:.1}",
                    peak - idle,
                    limit.from_idle + per_article
                ));
            }
            if peak - at_early > limit.growth + per_article {
                problems.push(format!(
                    "{line}: grew {:.1} MiB after the early mark, allowed {:.1}",
                    peak - at_early,
                    limit.growth + per_article
                ));
            }
        }
        problems
    }
}

/// A stage stuck (its only worker SIGSTOPped, pull request open) while a backlog builds up
/// behind it: the watcher and the upstream workers keep flat memory, the backlog waits in
/// JetStream, not in them. Then the stuck worker resumes and drains the backlog with flat
/// memory too (bounded prefetch), and every article ends as exactly one result.
/// `NEWSFLOW_FAULT_UNBOUNDED=1` runs it with buffers as large as the backlog (watcher
/// `max_in_flight` 100,000, workers batch 5,000 × concurrency 200), which must fail it.
#[tokio::test(flavor = "multi_thread")]
async fn stuck_consumer_backlog_keeps_memory_flat() {
    let articles = fault_articles(1000);
    let broker = Broker::start();
    let url = broker.url();
    let workspace = Workspace::new(&url, "");
    // The backlog is to wait in JetStream, in front of the stuck stage: unpaced (with
    // watch.max_backlog the watcher would stop there and the rest would wait in the inbox).
    workspace.add_watch_options("max_backlog = 0");
    if std::env::var("NEWSFLOW_FAULT_UNBOUNDED").is_ok() {
        let text = std::fs::read_to_string(&workspace.config).unwrap();
        let text = text
            .replace("[watch]\n", "[watch]\nmax_in_flight = 100000\n")
            .replace("concurrency = 2\n", "concurrency = 200\nbatch = 5000\n");
        std::fs::write(&workspace.config, text).unwrap();
    }
    let watch = workspace.spawn(&["watch", "--nats", &url]);
    let clean = workspace.spawn(&["worker", "--nats", &url, "--stage", "clean"]);
    let classify = workspace.spawn(&["worker", "--nats", &url, "--stage", "classify"]);
    let extract = workspace.spawn(&["worker", "--nats", &url, "--stage", "extract"]);
    let ready = Duration::from_secs(90);
    watch.wait_log("watcher started", ready);
    clean.wait_log("stage worker started", ready);
    classify.wait_log("stage worker started", ready);
    // Stuck with its consumer in place and a pull request open, as a hung process would be.
    extract.wait_log("stage worker started", ready);
    crate::harness::signal(extract.pid(), "STOP");
    let js = async_nats::jetstream::new(async_nats::connect(&url).await.unwrap());

    // Phase 1: the backlog builds up in front of the stuck stage.
    let mut upstream = MemoryTrace::new(&[
        ("watcher", watch.pid()),
        ("clean worker", clean.pid()),
        ("classify worker", classify.pid()),
    ]);
    upstream.sample(0);
    let start = std::time::Instant::now();
    for n in 0..articles {
        workspace.drop_file(&format!("backlog/{n:05}.txt"), &article(20_000 + n));
    }
    let dropped = start.elapsed();
    let deadline = Duration::from_secs(120 + articles as u64 / 10);
    let mut full_since = None;
    loop {
        let (pending, in_hand) = consumer_backlog(&js, "newsflow-extract")
            .await
            .unwrap_or((0, 0));
        let backlog = pending + in_hand;
        upstream.sample(backlog);
        if backlog >= articles as u64 {
            // Keep sampling a little after the last article arrived.
            let since = *full_since.get_or_insert_with(std::time::Instant::now);
            if since.elapsed() > Duration::from_secs(3) {
                break;
            }
        }
        assert!(
            start.elapsed() < deadline,
            "backlog stuck at {backlog} of {articles}; clean log: {}",
            clean.log_text()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let built = start.elapsed();
    let (_, backlog_bytes) = stream_size(&js, "NEWSFLOW_ARTICLES").await;
    let (results_while_stuck, _) = stream_size(&js, "NEWSFLOW_RESULTS").await;
    eprintln!(
        "stuck: {articles} dropped in {dropped:.1?}, backlog built in {built:.1?} ({} samples); articles stream {:.1} MiB; {results_while_stuck} results while stuck",
        upstream.samples.len(),
        backlog_bytes as f64 / 1048576.0,
    );
    assert_eq!(results_while_stuck, 0, "the stuck stage was not stuck");
    let worker = MemoryLimits {
        cap: 256.0,
        from_idle: 16.0,
        growth: 8.0,
        per_article_kib: 0.0,
    };
    // Checked at the end, so that one run shows every process and the drain too.
    let mut memory_problems = upstream.check(
        articles as u64 / 4,
        articles,
        &[
            // The checkpoint keeps every file's name and every article id for good (plus a
            // set of claimed ids): measured ~1.5 KiB of RSS per file, linear, flat when idle.
            MemoryLimits {
                cap: 64.0,
                from_idle: 8.0,
                growth: 4.0,
                per_article_kib: 2.0,
            },
            MemoryLimits { ..worker },
            MemoryLimits { ..worker },
        ],
        "stuck",
    );

    // Phase 2: the stuck worker resumes and drains the backlog.
    let mut drain = MemoryTrace::new(&[("extract worker", extract.pid())]);
    drain.sample(0);
    crate::harness::signal(extract.pid(), "CONT");
    let resumed = std::time::Instant::now();
    loop {
        let (pending, in_hand) = consumer_backlog(&js, "newsflow-extract")
            .await
            .unwrap_or((u64::MAX, 0));
        let done = (articles as u64).saturating_sub(pending.saturating_add(in_hand));
        drain.sample(done);
        if pending == 0 && in_hand == 0 {
            break;
        }
        assert!(
            resumed.elapsed() < deadline,
            "drain stuck with {pending} pending, {in_hand} in hand; extract log: {}",
            extract.log_text()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let drained = resumed.elapsed();
    eprintln!(
        "stuck: drained in {drained:.1?}, longest pause without an ack {:.1} s",
        drain.longest_stall()
    );
    // The story log keeps a fingerprint (~2 KB with its index postings) per article by design,
    // and the first articles warm up the NER and story code (measured +10-13 MiB).
    memory_problems.extend(drain.check(
        articles as u64 / 10,
        articles,
        &[MemoryLimits {
            from_idle: 24.0,
            per_article_kib: 4.0,
            ..worker
        }],
        "drain",
    ));
    let records = results(&url, articles, Duration::from_secs(60)).await;
    let counts = counts_by_id(&records);
    let doubled: Vec<_> = counts.iter().filter(|(_, &count)| count > 1).collect();
    let failed = errors(&url, 0, Duration::from_secs(2)).await;
    eprintln!(
        "stuck: {articles} articles, {} results, {} doubled, {} errors",
        counts.len(),
        doubled.len(),
        failed.len()
    );
    if std::env::var("NEWSFLOW_FAULT_TRACE").is_ok() {
        for (at, progress, rss) in upstream.samples.iter().chain(&drain.samples) {
            eprintln!("trace {at:.2} {progress} {rss:.1?}");
        }
    }
    assert!(
        memory_problems.is_empty(),
        "memory not flat:\n{}",
        memory_problems.join("\n")
    );
    assert!(failed.is_empty(), "unexpected error records: {failed:?}");
    assert_eq!(counts.len(), articles, "lost {}", articles - counts.len());
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
}

/// `later - earlier`, 0 if it is not later.
fn since(later: std::time::SystemTime, earlier: std::time::SystemTime) -> Duration {
    later.duration_since(earlier).unwrap_or_default()
}

/// (time the stream stored it, source file) of every result record, read through `url`.
async fn result_times(url: &str, expected: usize) -> Vec<(std::time::SystemTime, String)> {
    use async_nats::jetstream::consumer::{pull::OrderedConfig, DeliverPolicy};
    use futures::StreamExt;
    let js = async_nats::jetstream::new(async_nats::connect(url).await.unwrap());
    let stream = js.get_stream("NEWSFLOW_RESULTS").await.unwrap();
    let mut messages = stream
        .create_consumer(OrderedConfig {
            filter_subject: "newsflow.results.>".to_string(),
            deliver_policy: DeliverPolicy::All,
            ..Default::default()
        })
        .await
        .unwrap()
        .messages()
        .await
        .unwrap();
    let mut out = Vec::new();
    while out.len() < expected {
        let Ok(Some(Ok(message))) =
            tokio::time::timeout(Duration::from_secs(10), messages.next()).await
        else {
            break;
        };
        let stored = std::time::SystemTime::from(message.info().unwrap().published);
        let record: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
        out.push((stored, record["source"].as_str().unwrap_or("").to_string()));
    }
    out
}

/// Three nats-server nodes on three network namespaces (separate hosts as far as the network
/// goes), R3 streams, articles dropped at a steady rate; mid-run one node's link is cut (its
/// process keeps running, its packets go nowhere), later plugged back in. The pipeline must
/// keep flowing while the node is away, and every article ends as exactly one result.
/// Skipped, loudly, where network namespaces cannot be made (not root, no `ip`).
#[tokio::test(flavor = "multi_thread")]
async fn cluster_link_cut_mid_stream_loses_nothing() {
    let articles = fault_articles(300);
    let cluster = match crate::harness::NetnsCluster::start() {
        Ok(cluster) => cluster,
        Err(why) => {
            // Straight to stderr, not eprintln!: the test harness would swallow that.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED faults::cluster_link_cut_mid_stream_loses_nothing: cannot make \
                 network namespaces here ({why}). It needs root and `ip netns`; the link-cut \
                 fault was NOT tested. ***\n"
            );
            return;
        }
    };
    let urls = cluster.urls();
    let setup = std::time::Instant::now();
    // The cluster elects a JetStream meta leader before it takes streams.
    let js = async_nats::jetstream::new(crate::harness::connect_any(&urls).await);
    // (A request sent before that gets no reply at all: ask again after 1 s, not 10.)
    while !matches!(
        tokio::time::timeout(Duration::from_secs(1), js.query_account()).await,
        Ok(Ok(_))
    ) {
        assert!(
            setup.elapsed() < Duration::from_secs(60),
            "no JetStream meta leader; n0 log: {}",
            cluster.nodes[0].log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!(
        "link cut: JetStream cluster ready after {:.1?}",
        setup.elapsed()
    );
    let workspace = Workspace::new(&urls, "");
    workspace.add_nats_options("replicas = 3");
    let watch = workspace.spawn(&["watch", "--nats", &urls]);
    let workers = [
        workspace.spawn(&["worker", "--nats", &urls]),
        workspace.spawn(&["worker", "--nats", &urls]),
    ];
    let logs = || {
        std::iter::once(&watch)
            .chain(&workers)
            .map(|proc| proc.log_text())
            .collect::<Vec<_>>()
            .join("\n---\n")
    };
    let ready = Duration::from_secs(90);
    watch.wait_log("watcher started", ready);
    for worker in &workers {
        worker.wait_log("stage worker started stage=\"extract\"", ready);
    }
    eprintln!(
        "link cut: watcher and workers up after {:.1?}",
        setup.elapsed()
    );
    if std::env::var("NEWSFLOW_FAULT_TRACE").is_ok() {
        eprintln!("{}", logs());
    }

    // Cut the node that leads the articles stream and serves the most newsflow processes.
    let leader = js
        .get_stream("NEWSFLOW_ARTICLES")
        .await
        .expect("articles stream")
        .get_info()
        .await
        .expect("stream info")
        .cluster
        .and_then(|cluster| cluster.leader)
        .unwrap_or_default();
    let clients: Vec<Vec<String>> = cluster
        .nodes
        .iter()
        .map(|node| {
            node.client_names()
                .into_iter()
                .filter(|name| name.starts_with("newsflow-"))
                .collect()
        })
        .collect();
    let victim = (0..cluster.nodes.len())
        .max_by_key(|&index| (clients[index].len(), cluster.nodes[index].name == leader))
        .unwrap();
    let survivors: Vec<String> = cluster
        .nodes
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != victim)
        .map(|(_, node)| node.url())
        .collect();
    eprintln!(
        "link cut: articles stream leader {leader}; newsflow clients per node {clients:?}; cutting {}",
        cluster.nodes[victim].name
    );

    // Articles at a steady rate (10/s; up to 50/s for a full-size run); the cut comes 5 s in
    // and lasts 20 s (or a third of a longer run).
    let period = (Duration::from_secs(30) / articles.max(1) as u32)
        .clamp(Duration::from_millis(20), Duration::from_millis(100));
    let run = period * articles as u32;
    let cut_after = Duration::from_secs(5).min(run / 6);
    let cut_for = Duration::from_secs(20).max(run / 3);
    let dropper = {
        let inbox_workspace = Workspace {
            dir: tempfile::tempdir().unwrap(),
            inbox: workspace.inbox.clone(),
            config: workspace.config.clone(),
        };
        std::thread::spawn(move || {
            let start = std::time::Instant::now();
            let mut dropped_at = Vec::new();
            for n in 0..articles {
                let due = start + period * n as u32;
                std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
                inbox_workspace.drop_file(&format!("steady/{n:05}.txt"), &article(30_000 + n));
                dropped_at.push(std::time::SystemTime::now());
            }
            dropped_at
        })
    };
    let start = std::time::Instant::now();
    tokio::time::sleep(cut_after).await;
    let cut_at = std::time::SystemTime::now();
    cluster.cut(victim);
    tokio::time::sleep(cut_for).await;
    let restored_at = std::time::SystemTime::now();
    let restored = std::time::Instant::now();
    cluster.restore(victim);
    let dropped_at = tokio::task::spawn_blocking(move || dropper.join().unwrap())
        .await
        .unwrap();

    // Every article: exactly one result, read back through the survivors.
    let records = results(
        &survivors[0],
        articles,
        Duration::from_secs(120 + articles as u64 / 5),
    )
    .await;
    let counts = counts_by_id(&records);
    let doubled: Vec<_> = counts.iter().filter(|(_, &count)| count > 1).collect();
    let failed = errors(&survivors[0], 0, Duration::from_secs(2)).await;

    // The cut node catches up once it is back.
    let mut caught_up = None;
    while start.elapsed() < run + Duration::from_secs(180) {
        let info = match js.get_stream("NEWSFLOW_ARTICLES").await {
            Ok(stream) => stream.get_info().await.ok(),
            Err(_) => None,
        };
        let current = info
            .and_then(|info| info.cluster)
            .map(|cluster| {
                cluster.leader.is_some()
                    && cluster.replicas.len() == 2
                    && cluster.replicas.iter().all(|peer| peer.current)
            })
            .unwrap_or(false);
        if current {
            caught_up = Some(restored.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Flow during the cut: results of articles dropped after the cut, stored before the restore.
    let seen = result_times(&survivors[0], articles).await;
    let dropped_when = |source: &str| -> Option<std::time::SystemTime> {
        let n: usize = source
            .strip_prefix("steady/")?
            .strip_suffix(".txt")?
            .parse()
            .ok()?;
        dropped_at.get(n).copied()
    };
    let mut first_after_cut = None;
    let mut during_cut = 0usize;
    let mut slowest_during_cut = Duration::ZERO;
    for (when, source) in &seen {
        let Some(dropped) = dropped_when(source) else {
            continue;
        };
        if dropped > cut_at && *when < restored_at {
            during_cut += 1;
            first_after_cut = Some(
                first_after_cut.map_or(*when, |first: std::time::SystemTime| first.min(*when)),
            );
        }
        if dropped > cut_at && dropped < restored_at {
            slowest_during_cut = slowest_during_cut.max(since(*when, dropped));
        }
    }
    // Longest time without a new result from `from` until `until` (or the last result).
    let mut times: Vec<_> = seen.iter().map(|(when, _)| *when).collect();
    times.sort();
    let longest_pause = |from: std::time::SystemTime, until: Option<std::time::SystemTime>| {
        let mut points = vec![from];
        points.extend(
            times
                .iter()
                .copied()
                .filter(|&at| at > from && until.is_none_or(|until| at < until)),
        );
        points.extend(until);
        points
            .windows(2)
            .map(|pair| since(pair[1], pair[0]))
            .max()
            .unwrap_or_default()
    };
    let pause_during_cut = longest_pause(cut_at, Some(restored_at));
    let pause_after_restore = longest_pause(restored_at, None);
    let dropped_during_cut = dropped_at
        .iter()
        .filter(|&&at| at > cut_at && at < restored_at)
        .count();
    eprintln!(
        "link cut: {articles} articles over {run:.0?}; node {} cut for {:.1?}; \
         {during_cut} of {dropped_during_cut} articles dropped during the cut had their result before the restore; \
         results of articles dropped after the cut from {:.1?} after the cut; \
         longest pause between results {pause_during_cut:.1?} during the cut, {pause_after_restore:.1?} after the restore; \
         slowest drop-to-result of an article dropped during the cut {slowest_during_cut:.1?}; \
         cut node current again {:.1?} after the restore; {} results, {} doubled, {} errors",
        cluster.nodes[victim].name,
        since(restored_at, cut_at),
        first_after_cut.map(|first| since(first, cut_at)),
        caught_up,
        counts.len(),
        doubled.len(),
        failed.len()
    );
    if std::env::var("NEWSFLOW_FAULT_TRACE").is_ok() {
        // Results per second, from the cut on.
        let mut per_second = std::collections::BTreeMap::new();
        for (when, _) in &seen {
            let second = since(*when, cut_at).as_secs();
            if *when >= cut_at {
                *per_second.entry(second).or_insert(0usize) += 1;
            }
        }
        eprintln!(
            "results per second after the cut: {per_second:?}\n{}",
            logs()
        );
    }
    assert!(failed.is_empty(), "unexpected error records: {failed:?}");
    assert_eq!(
        counts.len(),
        articles,
        "lost {}; logs: {}",
        articles - counts.len(),
        logs()
    );
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
    assert!(
        during_cut > 0,
        "nothing dropped after the cut came through before the restore; logs: {}",
        logs()
    );
    assert!(caught_up.is_some(), "the cut node never caught up");
}
