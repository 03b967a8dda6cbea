//! `newsflow up`, `watch` and `worker`: the long-running parts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use newsflow_bus::dedup::{stream_identity, KvDedup, WatchCounters};
use newsflow_bus::pace::{run_pacer, Pacer};
use newsflow_bus::publisher::JetStreamSink;
use newsflow_bus::runner::{run_stage, run_stages, RunnerOptions};
use newsflow_bus::server::{ServerOptions, Supervisor};
use newsflow_bus::{Bus, Subjects};
use newsflow_config::Config;
use newsflow_model::Stage;
use newsflow_watch::{AfterPublish, WatchOptions, WatchStats};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::handlers::{ClassifyHandler, CleanHandler, ExtractHandler, FusedHandler};
use crate::observe::{LocalStats, Observer, WatcherReport};
use crate::stories::StoryService;
use crate::{progress, settings, web};

#[derive(Args)]
pub struct UpArgs {
    /// Folder to watch (overrides the config).
    #[arg(long)]
    inbox: Option<PathBuf>,
    /// NATS server or cluster URL(s); without it a local nats-server is started and supervised.
    #[arg(long, env = "NEWSFLOW_NATS_URL")]
    nats: Option<String>,
    /// Articles processed at once per stage.
    #[arg(long)]
    concurrency: Option<usize>,
    /// Dashboard, /metrics and health on this address (overrides http.listen; "" for none).
    #[arg(long)]
    http: Option<String>,
}

#[derive(Args)]
pub struct WatchArgs {
    #[arg(long)]
    inbox: Option<PathBuf>,
    #[arg(long, env = "NEWSFLOW_NATS_URL")]
    nats: Option<String>,
    /// Serve /metrics, health and the dashboard on this address (e.g. 127.0.0.1:9101).
    #[arg(long)]
    http: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    Clean,
    Classify,
    Extract,
    All,
}

#[derive(Args)]
pub struct WorkerArgs {
    #[arg(long, env = "NEWSFLOW_NATS_URL")]
    nats: Option<String>,
    /// Which stage(s) this worker runs.
    #[arg(long, value_enum, default_value_t = StageArg::All)]
    stage: StageArg,
    #[arg(long)]
    concurrency: Option<usize>,
    /// Serve /metrics, health and the dashboard on this address (e.g. 0.0.0.0:9102).
    #[arg(long)]
    http: Option<String>,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Runs a long-running command's future; on the way out, blocking-pool work that outlived it
/// (a write to a dead pipe, a slow fsync) gets a moment, not a veto over the exit.
fn run_daemon(future: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    let runtime = runtime()?;
    let result = runtime.block_on(future);
    runtime.shutdown_timeout(Duration::from_secs(2));
    result
}

/// How long a signalled process may take to finish the work in hand before it exits anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The signals that stop a daemon: SIGINT (Ctrl-C) and SIGTERM.
pub(crate) struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    pub(crate) fn new() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    /// The next signal's number.
    pub(crate) async fn recv(&mut self) -> i32 {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => 2,
                _ = self.terminate.recv() => 15,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            2
        }
    }
}

/// The managed server's URL file while it runs, for [`exit_now`] to withdraw.
static MANAGED_URL_FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Ends the process now, as a signal would (exit status 128 + signal). The managed
/// nats-server goes with it (its parent-death signal); its URL file is withdrawn first.
fn exit_now(signal: i32) -> ! {
    if let Some(url_file) = MANAGED_URL_FILE.get() {
        let _ = std::fs::remove_file(url_file);
    }
    crate::logs::flush(Duration::from_millis(200));
    std::process::exit(128 + signal)
}

/// Cancels the token on the first SIGINT or SIGTERM, before doing anything else: the log line
/// after it may be dropped (stderr closed or unread) but can never hold the cancel up. A second
/// signal, or a shutdown longer than [`SHUTDOWN_GRACE`], ends the process at once.
fn cancel_on_signals(cancel: CancellationToken) -> anyhow::Result<()> {
    let mut signals = StopSignals::new().context("cannot listen for signals")?;
    tokio::spawn(async move {
        let first = signals.recv().await;
        cancel.cancel();
        tracing::info!(
            signal = first,
            grace_secs = SHUTDOWN_GRACE.as_secs(),
            "shutting down: finishing work in hand (a second signal stops at once)"
        );
        // A plain thread: it fires even if every runtime thread is stuck.
        let _ = std::thread::Builder::new()
            .name("shutdown-grace".to_string())
            .spawn(move || {
                std::thread::sleep(SHUTDOWN_GRACE);
                tracing::warn!(
                    grace_secs = SHUTDOWN_GRACE.as_secs(),
                    "shutdown outlasted its grace period, exiting now"
                );
                exit_now(first)
            });
        let second = signals.recv().await;
        tracing::warn!(signal = second, "second signal, exiting now");
        exit_now(second)
    });
    Ok(())
}

/// A local nats-server, supervised on a thread of its own (restarted if it dies, killed with
/// this process). Its URL is in `settings::managed_url_file` while it runs, for the client
/// commands (status, tail, ...) run with the same config.
struct Managed {
    supervisor: Option<Supervisor>,
    url: String,
    url_file: PathBuf,
}

impl Managed {
    /// Withdraws the URL, then stops the server.
    async fn stop(mut self) {
        let _ = tokio::fs::remove_file(&self.url_file).await;
        if let Some(supervisor) = self.supervisor.take() {
            supervisor.stop().await;
        }
    }
}

impl Drop for Managed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.url_file);
    }
}

async fn start_managed(config: &Config) -> anyhow::Result<Managed> {
    let store = config.state_dir.join("nats");
    let mut options = ServerOptions::new(&store);
    options.port = config.nats.managed_port;
    options.die_with_parent = true;
    options.take_over_store = true;
    let supervisor = Supervisor::start(options, Duration::from_secs(1)).await?;
    let url = supervisor.url().to_string();
    tracing::info!(url = %url, pid = supervisor.pid(), store = %store.display(), "local nats-server started");
    let url_file = settings::managed_url_file(config);
    let partial = url_file.with_extension("part");
    let written = match tokio::fs::write(&partial, format!("{url}\n")).await {
        Ok(()) => tokio::fs::rename(&partial, &url_file).await,
        Err(err) => Err(err),
    };
    written.with_context(|| format!("cannot write {}", url_file.display()))?;
    let _ = MANAGED_URL_FILE.set(url_file.clone());
    Ok(Managed {
        supervisor: Some(supervisor),
        url,
        url_file,
    })
}

pub(crate) struct Connected {
    bus: Bus,
}

async fn connect(config: &Config, url: &str, name: &str) -> anyhow::Result<Connected> {
    let client = newsflow_bus::connect(url, &config.nats, name).await?;
    let js = newsflow_bus::jetstream(client);
    let subjects = Subjects::new(&config.nats.prefix);
    // A cluster electing a leader or a node going away mid-setup fails the first attempts;
    // a daemon waits that out instead of exiting.
    let mut attempt = 0u32;
    loop {
        match newsflow_bus::ensure_streams(&js, &subjects, &config.nats).await {
            Ok(()) => break,
            Err(err) if attempt < 30 => {
                attempt += 1;
                tracing::warn!(error = %err, attempt, "cannot set up the streams yet, retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(Connected {
        bus: Bus::new(js, subjects),
    })
}

fn watch_options(config: &Config, stream_identity: String) -> WatchOptions {
    let after_publish = match config.watch.after_publish {
        newsflow_config::AfterPublish::Keep => AfterPublish::Keep,
        newsflow_config::AfterPublish::Delete => AfterPublish::Delete,
        newsflow_config::AfterPublish::Move => AfterPublish::Move {
            dated: config.watch.done_dated,
        },
    };
    WatchOptions {
        inbox: config.watch.inbox.clone(),
        state_dir: config.state_dir.clone(),
        stream_identity,
        max_file_bytes: config.watch.max_file_bytes,
        max_bulk_file_bytes: config.watch.max_bulk_file_bytes,
        bulk_in_flight: config.watch.bulk_in_flight,
        rescan_every: Duration::from_secs(config.watch.rescan_secs.max(1)),
        settle: Duration::from_millis(config.watch.settle_ms),
        max_in_flight: config.watch.max_in_flight,
        checkpoint_every: Duration::from_millis(config.watch.checkpoint_interval_ms.max(10)),
        after_publish,
        move_rejected: config.watch.move_rejected,
        state_write_delay: Duration::ZERO,
    }
}

/// Starts the watcher: its local state is scoped to the articles stream's identity, and its
/// dedup store is the key-value bucket shared by every watcher of that stream.
fn spawn_watcher(
    tasks: &mut JoinSet<anyhow::Result<()>>,
    config: &Config,
    connected: &Connected,
    stats: Arc<WatchStats>,
    cancel: CancellationToken,
) {
    let _ = crate::web::metrics_handle();
    let js = connected.bus.jetstream().clone();
    let subjects = connected.bus.subjects().clone();
    let mut sink = JetStreamSink::new(js.clone(), subjects.clone(), config.nats.replicas);
    if config.watch.max_backlog > 0 {
        // Articles wait for room in the pipeline (watch.max_backlog), not only for the acks.
        let pacer = Arc::new(Pacer::new(config.watch.max_backlog, stats.clone()));
        tokio::spawn(run_pacer(
            js.clone(),
            subjects.clone(),
            pacer.clone(),
            cancel.clone(),
        ));
        sink = sink.paced_by(pacer);
    }
    let sink = Arc::new(sink);
    let config = config.clone();
    tasks.spawn(async move {
        let identity = stream_identity(&js, &subjects).await?;
        let window = Duration::from_secs(config.watch.dedup_window_secs.max(1));
        let dedup = KvDedup::open(&js, &subjects, window, config.nats.replicas, &identity).await?;
        tracing::info!(stream = %identity, bucket = %subjects.watch_dedup_bucket(), "watcher scoped to the stream");
        let options = watch_options(&config, identity);
        match WatchCounters::open(&js, &subjects, config.nats.replicas).await {
            Ok(counters) => {
                let inbox = options.inbox.display().to_string();
                tokio::spawn(report_watch_counters(counters, inbox, stats.clone(), cancel.clone()));
            }
            Err(error) => tracing::warn!(%error, "watcher counters not shared: status will not show them"),
        }
        newsflow_watch::run(options, sink, Arc::new(dedup), stats, cancel).await?;
        Ok(())
    });
}

/// How often a watcher shares its counters for `newsflow status`.
const COUNTERS_EVERY: Duration = Duration::from_secs(2);

/// Shares this watcher's counters (what it published, rejected and skipped, by reason) in the
/// watchers' key-value bucket every [`COUNTERS_EVERY`] and once more when it stops.
async fn report_watch_counters(
    counters: WatchCounters,
    inbox: String,
    stats: Arc<WatchStats>,
    cancel: CancellationToken,
) {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_else(|_| "localhost".to_string());
    let pid = std::process::id();
    let name = format!("{host}-{pid}");
    let mut failed = false;
    loop {
        let stopping = tokio::select! {
            _ = cancel.cancelled() => true,
            _ = tokio::time::sleep(COUNTERS_EVERY) => false,
        };
        let report = WatcherReport::of(&stats, &host, pid, &inbox, stopping);
        let value = serde_json::to_value(&report).unwrap_or_default();
        match counters.put(&name, &value).await {
            Ok(()) => failed = false,
            Err(error) if !failed => {
                failed = true;
                tracing::warn!(%error, "cannot share watcher counters");
            }
            Err(_) => {}
        }
        if stopping {
            return;
        }
    }
}

async fn spawn_workers(
    tasks: &mut JoinSet<anyhow::Result<()>>,
    config: &Config,
    connected: &Connected,
    stages: &[Stage],
    stats: &LocalStats,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    // The metrics recorder first: a count made before it is installed is lost for good.
    let _ = crate::web::metrics_handle();
    let pipeline = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || settings::pipeline(&config)).await??
    };
    let pipeline = Arc::new(pipeline);
    // One story log follower for every handler of this process that assigns stories.
    let mut stories = None;
    if stages.contains(&Stage::Extract) {
        let window = Duration::from_secs(config.workers.story_window_secs);
        let service = StoryService::new(
            &connected.bus,
            window,
            config.nats.replicas,
            pipeline.anchor_model(),
        )
        .await?;
        stories = Some(Arc::new(service));
    }
    // All three stages here and `workers.fused`: the clean consumer's handler runs them all
    // for each article. The classify and extract workers still run beside it, for records on
    // the intermediate subjects (from workers started with `--stage`, or `replay --stage`).
    let fused = config.workers.fused
        && [Stage::Clean, Stage::Classify, Stage::Extract]
            .iter()
            .all(|stage| stages.contains(stage));
    for stage in stages {
        let options = RunnerOptions::from_config(*stage, &config.workers);
        let js = connected.bus.jetstream().clone();
        let subjects = connected.bus.subjects().clone();
        let cancel = cancel.clone();
        match (stage, &stories) {
            (Stage::Clean, Some(stories)) if fused => {
                let handler = Arc::new(FusedHandler {
                    pipeline: pipeline.clone(),
                    subjects: subjects.clone(),
                    bus: connected.bus.clone(),
                    stories: stories.clone(),
                });
                let own = stats.clean.clone();
                let also = vec![
                    (Stage::Classify, stats.classify.clone()),
                    (Stage::Extract, stats.extract.clone()),
                ];
                tasks.spawn(async move {
                    run_stages(js, subjects, options, handler, own, also, cancel).await?;
                    Ok(())
                });
            }
            (Stage::Clean, _) => {
                let handler = Arc::new(CleanHandler {
                    pipeline: pipeline.clone(),
                    subjects: subjects.clone(),
                    bus: connected.bus.clone(),
                });
                let stats = stats.clean.clone();
                tasks.spawn(async move {
                    run_stage(js, subjects, options, handler, stats, cancel).await?;
                    Ok(())
                });
            }
            (Stage::Classify, _) => {
                let handler = Arc::new(ClassifyHandler {
                    pipeline: pipeline.clone(),
                    subjects: subjects.clone(),
                });
                let stats = stats.classify.clone();
                tasks.spawn(async move {
                    run_stage(js, subjects, options, handler, stats, cancel).await?;
                    Ok(())
                });
            }
            (Stage::Extract, Some(stories)) => {
                let handler = Arc::new(ExtractHandler {
                    pipeline: pipeline.clone(),
                    subjects: subjects.clone(),
                    stories: stories.clone(),
                });
                let stats = stats.extract.clone();
                tasks.spawn(async move {
                    run_stage(js, subjects, options, handler, stats, cancel).await?;
                    Ok(())
                });
            }
            (Stage::Extract, None) | (Stage::Watch, _) => {}
        }
    }
    Ok(())
}

/// Starts what shows this process's work: the observer, the HTTP endpoint (when `http` is an
/// address) and the live progress.
async fn start_observing(
    connected: &Connected,
    local: LocalStats,
    http: &str,
    config: &Config,
    interactive: bool,
    cancel: CancellationToken,
) -> anyhow::Result<Option<std::net::SocketAddr>> {
    let observer = Observer::new(Arc::new(local), config.http.recent);
    observer.spawn(
        connected.bus.clone(),
        Duration::from_secs(2),
        !http.is_empty() && config.http.dashboard,
        cancel.clone(),
    );
    let bound = if http.is_empty() {
        None
    } else {
        let bound = web::serve(
            http,
            observer.clone(),
            config.http.dashboard,
            cancel.clone(),
        )
        .await?;
        tracing::info!(address = %format!("http://{bound}/"), "dashboard, /metrics and /healthz served");
        Some(bound)
    };
    progress::spawn(observer, interactive, cancel);
    Ok(bound)
}

async fn wait_all(
    mut tasks: JoinSet<anyhow::Result<()>>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let result = joined
            .map_err(anyhow::Error::from)
            .and_then(|result| result);
        if let Err(err) = result {
            tracing::error!(error = %format!("{err:#}"), "a part stopped with an error, shutting down");
            cancel.cancel();
            first_error.get_or_insert(err);
        }
    }
    match first_error {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

fn apply_overrides(
    config: &mut Config,
    inbox: Option<PathBuf>,
    nats: Option<String>,
    concurrency: Option<usize>,
) {
    if let Some(inbox) = inbox {
        config.watch.inbox = inbox;
    }
    if let Some(nats) = nats {
        config.nats.url = nats;
    }
    if let Some(concurrency) = concurrency {
        config.workers.concurrency = concurrency.max(1);
    }
}

pub fn up(config_path: Option<&Path>, args: UpArgs, interactive: bool) -> anyhow::Result<()> {
    let mut config = settings::load_config(config_path)?;
    apply_overrides(&mut config, args.inbox, args.nats, args.concurrency);
    if let Some(http) = args.http {
        config.http.listen = http;
    }
    run_daemon(async move {
        let cancel = CancellationToken::new();
        cancel_on_signals(cancel.clone())?;
        let managed = if config.nats.url.is_empty() {
            Some(start_managed(&config).await?)
        } else {
            None
        };
        let url = managed
            .as_ref()
            .map(|m| m.url.clone())
            .unwrap_or_else(|| config.nats.url.clone());
        let connected = connect(&config, &url, "newsflow-up").await?;
        let mut tasks = JoinSet::new();
        let stats = LocalStats {
            watch: Some(Arc::new(WatchStats::default())),
            ..LocalStats::default()
        };
        spawn_workers(
            &mut tasks,
            &config,
            &connected,
            &[Stage::Clean, Stage::Classify, Stage::Extract],
            &stats,
            cancel.clone(),
        )
        .await?;
        spawn_watcher(
            &mut tasks,
            &config,
            &connected,
            stats.watch.clone().unwrap_or_default(),
            cancel.clone(),
        );
        let http = config.http.listen.clone();
        let bound = start_observing(
            &connected,
            stats,
            &http,
            &config,
            interactive,
            cancel.clone(),
        )
        .await?;
        let dashboard = bound
            .map(|addr| format!("; dashboard http://{addr}/"))
            .unwrap_or_default();
        let line = format!(
            "newsflow is up: drop articles into {} ; results on {} (nats {url}){dashboard}",
            config.watch.inbox.display(),
            connected.bus.subjects().all_results()
        );
        // Not println! (it panics when stdout is a pipe whose reader is gone), and off the
        // runtime, not waited for: a full pipe nobody reads must not hold up the daemon.
        // On a terminal it goes above the live bars, not into them.
        let _ = std::thread::Builder::new()
            .name("stdout".to_string())
            .spawn(move || progress::print_above_bars(&line));
        let result = wait_all(tasks, cancel).await;
        if let Some(managed) = managed {
            managed.stop().await;
        }
        result
    })
}

pub fn watch(config_path: Option<&Path>, args: WatchArgs, interactive: bool) -> anyhow::Result<()> {
    let mut config = settings::load_config(config_path)?;
    apply_overrides(&mut config, args.inbox, args.nats, None);
    let http = args.http.unwrap_or_default();
    serve_remote(
        config,
        "newsflow-watch",
        &http,
        interactive,
        async |tasks, config, connected, cancel| {
            let watch_stats = Arc::new(WatchStats::default());
            spawn_watcher(tasks, config, connected, watch_stats.clone(), cancel);
            Ok(LocalStats {
                watch: Some(watch_stats),
                ..LocalStats::default()
            })
        },
    )
}

pub fn worker(
    config_path: Option<&Path>,
    args: WorkerArgs,
    interactive: bool,
) -> anyhow::Result<()> {
    let mut config = settings::load_config(config_path)?;
    apply_overrides(&mut config, None, args.nats, args.concurrency);
    let stages: Vec<Stage> = match args.stage {
        StageArg::Clean => vec![Stage::Clean],
        StageArg::Classify => vec![Stage::Classify],
        StageArg::Extract => vec![Stage::Extract],
        StageArg::All => vec![Stage::Clean, Stage::Classify, Stage::Extract],
    };
    let http = args.http.unwrap_or_default();
    serve_remote(
        config,
        "newsflow-worker",
        &http,
        interactive,
        async |tasks, config, connected, cancel| {
            let stats = LocalStats::default();
            spawn_workers(tasks, config, connected, &stages, &stats, cancel).await?;
            Ok(stats)
        },
    )
}

/// `newsflow watch` and `newsflow worker`: connect to the configured NATS (no managed server),
/// start the process's tasks, observe them (progress, HTTP), run until a signal.
fn serve_remote(
    config: Config,
    name: &str,
    http: &str,
    interactive: bool,
    start: impl AsyncFnOnce(
        &mut JoinSet<anyhow::Result<()>>,
        &Config,
        &Connected,
        CancellationToken,
    ) -> anyhow::Result<LocalStats>,
) -> anyhow::Result<()> {
    if config.nats.url.is_empty() {
        anyhow::bail!(
            "{} needs --nats URL (or NEWSFLOW_NATS_URL); `newsflow up` runs a local server",
            name.replace('-', " ")
        );
    }
    run_daemon(async move {
        let cancel = CancellationToken::new();
        cancel_on_signals(cancel.clone())?;
        let connected = connect(&config, &config.nats.url, name).await?;
        let mut tasks = JoinSet::new();
        let stats = start(&mut tasks, &config, &connected, cancel.clone()).await?;
        start_observing(
            &connected,
            stats,
            http,
            &config,
            interactive,
            cancel.clone(),
        )
        .await?;
        wait_all(tasks, cancel).await
    })
}

/// A full worker set (clean, classify, extract) in this process, for `newsflow bench`.
pub async fn spawn_in_process_worker(
    config: &Config,
    cancel: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<anyhow::Result<()>>> {
    let connected = connect(config, &config.nats.url, "newsflow-bench-worker").await?;
    let mut tasks = JoinSet::new();
    let stats = LocalStats::default();
    spawn_workers(
        &mut tasks,
        config,
        &connected,
        &[Stage::Clean, Stage::Classify, Stage::Extract],
        &stats,
        cancel.clone(),
    )
    .await?;
    Ok(tokio::spawn(wait_all(tasks, cancel)))
}

/// A watcher in this process, for `newsflow bench`.
pub async fn spawn_in_process_watcher(
    config: &Config,
    cancel: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<anyhow::Result<()>>> {
    let connected = connect(config, &config.nats.url, "newsflow-bench-watch").await?;
    let mut tasks = JoinSet::new();
    spawn_watcher(
        &mut tasks,
        config,
        &connected,
        Arc::new(WatchStats::default()),
        cancel.clone(),
    );
    Ok(tokio::spawn(wait_all(tasks, cancel)))
}
