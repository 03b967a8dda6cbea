//! Test helpers: a real nats-server, the newsflow binary as child processes, result collection.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::{self, DeliverPolicy};
use futures::StreamExt;
use newsflow_bus::server::{NatsServer, ServerOptions};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(repo_root().join("seeds"))
        .unwrap()
        .flatten()
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect();
    seeds.sort();
    seeds
}

/// A real nats-server with a temp store, killed on drop.
pub struct Broker {
    pub server: NatsServer,
    _store: tempfile::TempDir,
}

impl Broker {
    pub fn start() -> Broker {
        Broker::start_with(&[])
    }

    /// With extra nats-server arguments (e.g. `--user`, `--pass`, `--auth`).
    pub fn start_with(args: &[&str]) -> Broker {
        let store = tempfile::tempdir().unwrap();
        let mut options = ServerOptions::new(store.path());
        options.extra_args = args.iter().map(|arg| arg.to_string()).collect();
        let server =
            NatsServer::start(options).expect("nats-server must be installed (see README)");
        Broker {
            server,
            _store: store,
        }
    }

    pub fn url(&self) -> String {
        self.server.url().to_string()
    }
}

/// A temp working area: inbox, state dir and a config file.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub inbox: PathBuf,
    pub config: PathBuf,
}

impl Workspace {
    pub fn new(nats_url: &str, extra: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir_all(&inbox).unwrap();
        let config = dir.path().join("newsflow.toml");
        let models = repo_root().join("config/models");
        std::fs::write(
            &config,
            format!(
                "version = 1\nstate_dir = \"{state}\"\nmodels_dir = \"{models}\"\n\
                 [nats]\nurl = \"{nats_url}\"\n\
                 [watch]\ninbox = \"{inbox}\"\nrescan_secs = 2\nsettle_ms = 300\n\
                 [workers]\nack_wait_secs = 8\nretry_backoff_ms = 100\nconcurrency = 2\n\
                 [http]\nlisten = \"\"\n{extra}\n",
                state = dir.path().join("state").display(),
                models = models.display(),
                inbox = inbox.display(),
            ),
        )
        .unwrap();
        Workspace { dir, inbox, config }
    }

    /// Writes a file the way a careful producer does: to a temp name, then renamed in.
    pub fn drop_file(&self, name: &str, bytes: &[u8]) {
        let temp = self
            .dir
            .path()
            .join(format!(".{}.part", name.replace('/', "_")));
        std::fs::write(&temp, bytes).unwrap();
        let target = self.inbox.join(name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::rename(&temp, target).unwrap();
    }

    pub fn spawn(&self, args: &[&str]) -> Proc {
        Proc::spawn(&self.config, args, self.dir.path())
    }

    /// [`Workspace::spawn`] with its own `RUST_LOG` filter.
    pub fn spawn_logging(&self, args: &[&str], filter: &str) -> Proc {
        Proc::spawn_logging(&self.config, args, self.dir.path(), filter)
    }

    /// Adds lines to the config's `[nats]` table.
    pub fn add_nats_options(&self, lines: &str) {
        self.add_options("nats", lines);
    }

    /// Adds lines to the config's `[watch]` table.
    pub fn add_watch_options(&self, lines: &str) {
        self.add_options("watch", lines);
    }

    /// Adds lines to the config's `[workers]` table.
    pub fn add_workers_options(&self, lines: &str) {
        self.add_options("workers", lines);
    }

    /// Adds lines to a table of the config (`nats`, `watch`, `workers`).
    fn add_options(&self, table: &str, lines: &str) {
        let header = format!("[{table}]\n");
        let text = std::fs::read_to_string(&self.config).unwrap();
        assert!(
            text.contains(&header),
            "no {header:?} in the workspace's config"
        );
        let text = text.replacen(&header, &format!("{header}{lines}\n"), 1);
        std::fs::write(&self.config, text).unwrap();
    }
}

/// A newsflow child process, killed (SIGKILL) on drop.
pub struct Proc {
    pub child: Child,
    pub log: PathBuf,
}

impl Proc {
    pub fn spawn(config: &Path, args: &[&str], log_dir: &Path) -> Proc {
        Proc::spawn_logging(config, args, log_dir, "info,async_nats=warn")
    }

    /// [`Proc::spawn`] with its own `RUST_LOG` filter (e.g. per-article debug lines).
    pub fn spawn_logging(config: &Path, args: &[&str], log_dir: &Path, filter: &str) -> Proc {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = log_dir.join(format!("proc-{n}.log"));
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_newsflow"))
            .arg("--config")
            .arg(config)
            .args(args)
            .env("RUST_LOG", filter)
            .env_remove("NEWSFLOW_NATS_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .unwrap();
        Proc { child, log }
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait (graceful shutdown).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                self.kill9();
                panic!("process did not stop on SIGTERM; log: {}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Reads every message on `filter` in `stream` until `expected` arrived and then `quiet`
/// passed without more, or `deadline` passed. Returns (subject, JSON) pairs.
pub async fn collect(
    url: &str,
    stream: &str,
    filter: &str,
    expected: usize,
    deadline: Duration,
    quiet: Duration,
) -> Vec<(String, serde_json::Value)> {
    let start = Instant::now();
    // The server may still be starting (e.g. the one `newsflow up` manages).
    // Credentials in the URL (nats://user:pass@host or nats://token@host) as connect options.
    let (options, address) = match url
        .strip_prefix("nats://")
        .and_then(|rest| rest.split_once('@'))
    {
        Some((credentials, host)) => {
            let options = match credentials.split_once(':') {
                Some((user, password)) => async_nats::ConnectOptions::with_user_and_password(
                    user.to_string(),
                    password.to_string(),
                ),
                None => async_nats::ConnectOptions::with_token(credentials.to_string()),
            };
            (options, format!("nats://{host}"))
        }
        None => (async_nats::ConnectOptions::new(), url.to_string()),
    };
    let client = loop {
        match options.clone().connect(&address).await {
            Ok(client) => break client,
            Err(err) => {
                assert!(start.elapsed() < deadline, "cannot connect to {url}: {err}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    collect_on(client, stream, filter, expected, deadline, quiet, start).await
}

pub async fn results(
    url: &str,
    expected: usize,
    deadline: Duration,
) -> Vec<(String, serde_json::Value)> {
    collect(
        url,
        "NEWSFLOW_RESULTS",
        "newsflow.results.>",
        expected,
        deadline,
        Duration::from_millis(1500),
    )
    .await
}

pub async fn errors(
    url: &str,
    expected: usize,
    deadline: Duration,
) -> Vec<(String, serde_json::Value)> {
    collect(
        url,
        "NEWSFLOW_ERRORS",
        "newsflow.errors.>",
        expected,
        deadline,
        Duration::from_millis(1500),
    )
    .await
}

/// Count of records per article id.
pub fn counts_by_id(records: &[(String, serde_json::Value)]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (_, record) in records {
        *counts
            .entry(record["id"].as_str().unwrap_or("").to_string())
            .or_insert(0) += 1;
    }
    counts
}

/// A synthetic but realistic article: a seed's text with a unique paragraph, so each is new.
pub fn article(n: usize) -> Vec<u8> {
    let seeds = seeds();
    let (_, base) = &seeds[n % seeds.len()];
    let mut text = String::from_utf8_lossy(base).into_owned();
    text.push_str(&format!(
        "\n\nIn a further development reported on day {n}, officials said the talks number {n} would continue next week.\n"
    ));
    text.into_bytes()
}

/// A free TCP port on loopback (bound and released).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A 3-node nats-server cluster with JetStream on loopback.
pub struct Cluster {
    pub nodes: Vec<NatsServer>,
    _stores: Vec<tempfile::TempDir>,
}

impl Cluster {
    pub fn start() -> Cluster {
        let client_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let cluster_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let mut stores = Vec::new();
        let mut handles = Vec::new();
        for index in 0..3 {
            let store = tempfile::tempdir().unwrap();
            let routes: Vec<String> = cluster_ports
                .iter()
                .enumerate()
                .filter(|(other, _)| *other != index)
                .map(|(_, port)| format!("nats://127.0.0.1:{port}"))
                .collect();
            let mut options = ServerOptions::new(store.path());
            options.port = client_ports[index];
            options.extra_args = vec![
                "--server_name".into(),
                format!("n{index}"),
                "--cluster_name".into(),
                "newsflow-test".into(),
                "--cluster".into(),
                format!("nats://127.0.0.1:{}", cluster_ports[index]),
                "--routes".into(),
                routes.join(","),
            ];
            // Nodes wait for each other, so start them in parallel.
            handles.push(std::thread::spawn(move || NatsServer::start(options)));
            stores.push(store);
        }
        let nodes = handles
            .into_iter()
            .map(|handle| handle.join().unwrap().expect("cluster node starts"))
            .collect();
        Cluster {
            nodes,
            _stores: stores,
        }
    }

    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(|node| node.url().to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A plain HTTP/1.1 GET on loopback: (status, body).
pub fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// Polls `GET path` until `ready(body)` holds or `deadline` passes; returns the last body.
pub async fn wait_http(
    port: u16,
    path: &str,
    deadline: Duration,
    ready: impl Fn(&str) -> bool,
) -> String {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < deadline {
        if let Ok((200, body)) = http_get(port, path) {
            if ready(&body) {
                return body;
            }
            last = body;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("GET {path} never got ready; last body: {last}");
}

/// Runs the newsflow binary to completion: (exit success, stdout, stderr).
pub fn run_newsflow(config: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_newsflow"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("NEWSFLOW_NATS_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

// ---- brokers with a config file and subscribers that connect like newsflow (security.rs) ----

impl Broker {
    /// With extra nats-server config-file text: TLS, nkey users, operator mode.
    pub fn start_with_config(config: &str) -> Broker {
        let store = tempfile::tempdir().unwrap();
        let mut options = ServerOptions::new(store.path());
        options.config = config.to_string();
        let server =
            NatsServer::start(options).expect("nats-server must be installed (see README)");
        Broker {
            server,
            _store: store,
        }
    }
    /// With this max payload (nats-server's own default is 1 MiB; ours is 8 MiB).
    pub fn start_with_max_payload(bytes: usize) -> Broker {
        let store = tempfile::tempdir().unwrap();
        let mut options = ServerOptions::new(store.path());
        options.max_payload = bytes;
        let server =
            NatsServer::start(options).expect("nats-server must be installed (see README)");
        Broker {
            server,
            _store: store,
        }
    }
}

impl Workspace {
    /// The `[nats]` section of this workspace's config file.
    pub fn nats_config(&self) -> newsflow_config::NatsConfig {
        let text = std::fs::read_to_string(&self.config).unwrap();
        newsflow_config::Config::from_toml(&text).unwrap().nats
    }
}

/// [`results`] over a client that connects the way newsflow does with `nats` (credentials, TLS).
pub async fn results_as(
    url: &str,
    nats: &newsflow_config::NatsConfig,
    expected: usize,
    deadline: Duration,
) -> Vec<(String, serde_json::Value)> {
    let start = Instant::now();
    let client = newsflow_bus::connect(url, nats, "e2e-results")
        .await
        .unwrap_or_else(|err| panic!("the results reader cannot connect: {err}"));
    collect_on(
        client,
        "NEWSFLOW_RESULTS",
        "newsflow.results.>",
        expected,
        deadline,
        Duration::from_millis(1500),
        start,
    )
    .await
}

/// The part of [`collect`] after connecting.
pub async fn collect_on(
    client: async_nats::Client,
    stream: &str,
    filter: &str,
    expected: usize,
    deadline: Duration,
    quiet: Duration,
    start: Instant,
) -> Vec<(String, serde_json::Value)> {
    let js = async_nats::jetstream::new(client);
    let stream = loop {
        match js.get_stream(stream).await {
            Ok(stream) => break stream,
            Err(err) => {
                assert!(
                    start.elapsed() < deadline,
                    "stream {stream} never appeared: {err}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    // A cluster that just lost a node may time out requests until a new leader is elected.
    let mut messages = loop {
        let attempt = async {
            stream
                .create_consumer(consumer::pull::OrderedConfig {
                    filter_subject: filter.to_string(),
                    deliver_policy: DeliverPolicy::All,
                    ..Default::default()
                })
                .await
                .map_err(|err| err.to_string())?
                .messages()
                .await
                .map_err(|err| err.to_string())
        };
        match attempt.await {
            Ok(messages) => break messages,
            Err(err) => {
                assert!(start.elapsed() < deadline, "cannot consume {filter}: {err}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    };
    let mut out = Vec::new();
    loop {
        let remaining = deadline.saturating_sub(start.elapsed());
        if remaining.is_zero() {
            break;
        }
        let wait = if out.len() >= expected {
            quiet.min(remaining)
        } else {
            remaining
        };
        match tokio::time::timeout(wait, messages.next()).await {
            Ok(Some(Ok(message))) => {
                let value: serde_json::Value = serde_json::from_slice(&message.payload)
                    .unwrap_or_else(|err| panic!("not json on {}: {err}", message.subject));
                out.push((message.subject.to_string(), value));
            }
            Ok(Some(Err(err))) => panic!("consumer error: {err}"),
            Ok(None) | Err(_) => break,
        }
    }
    out
}

/// Resident memory of a process from `/proc/<pid>/status`: (VmRSS, VmHWM) in KiB.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Sends a signal by name (`STOP`, `CONT`, ...) to a process.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} {pid} failed");
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until the log contains `needle`.
    pub fn wait_log(&self, needle: &str, deadline: Duration) {
        let start = Instant::now();
        while !self.log_text().contains(needle) {
            assert!(
                start.elapsed() < deadline,
                "`{needle}` never logged; log: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The `ip` tool (iproute2): on PATH, or in the sbin folders a plain user's PATH lacks.
fn ip_binary() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join("ip"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from("ip"))
}

/// Runs `ip ARGS`; Err(stderr) on failure.
pub fn ip(args: &[&str]) -> Result<(), String> {
    let output = Command::new(ip_binary())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run `ip`: {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// One nats-server in its own network namespace (a separate host as far as the network goes).
pub struct NetnsNode {
    pub name: String,
    pub namespace: String,
    pub ip: String,
    child: Option<Child>,
    store: tempfile::TempDir,
    args: Vec<String>,
}

impl NetnsNode {
    pub fn url(&self) -> String {
        format!("nats://{}:4222", self.ip)
    }

    fn spawn(&mut self) -> Result<(), String> {
        let binary = newsflow_bus::server::find_nats_server().map_err(|err| err.to_string())?;
        let log = self.store.path().join("nats-server.log");
        let _ = std::fs::remove_file(&log);
        let child = Command::new(ip_binary())
            .args(["netns", "exec", &self.namespace])
            .arg(binary)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| format!("cannot start nats-server in {}: {err}", self.namespace))?;
        self.child = Some(child);
        Ok(())
    }

    fn wait_ready(&mut self, deadline: Duration) -> Result<(), String> {
        let log = self.store.path().join("nats-server.log");
        let start = Instant::now();
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("Server is ready") {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|child| child.try_wait()) {
                return Err(format!(
                    "nats-server {} exited with {status}: {}",
                    self.name,
                    text.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
                ));
            }
            if start.elapsed() > deadline {
                return Err(format!("nats-server {} not ready: {text}", self.name));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.store.path().join("nats-server.log")).unwrap_or_default()
    }

    /// Names of the clients connected to this node (from its monitoring port's `/connz`).
    pub fn client_names(&self) -> Vec<String> {
        use std::io::{Read, Write};
        let fetch = || -> std::io::Result<String> {
            let mut stream = std::net::TcpStream::connect((self.ip.as_str(), 8222))?;
            stream.set_read_timeout(Some(Duration::from_secs(5)))?;
            write!(
                stream,
                "GET /connz?limit=1000 HTTP/1.0\r\nHost: {}\r\n\r\n",
                self.ip
            )?;
            let mut response = String::new();
            stream.read_to_string(&mut response)?;
            Ok(response
                .split_once("\r\n\r\n")
                .map(|(_, body)| body.to_string())
                .unwrap_or_default())
        };
        let body = fetch().unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        value["connections"]
            .as_array()
            .map(|connections| {
                connections
                    .iter()
                    .map(|c| c["name"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A 3-node JetStream cluster, each node in its own network namespace, wired to a switch (a
/// bridge in a namespace of its own, so the host's firewall never sees the traffic) that the
/// test's processes reach through one more veth pair from the host. Links can be cut.
///
///     host (198.18.S.1) ── veth ── [switch ns: br0] ── veth ── [ns n0: 198.18.S.10 nats-server]
///                                                 ├─── veth ── [ns n1: 198.18.S.11 nats-server]
///                                                 └─── veth ── [ns n2: 198.18.S.12 nats-server]
pub struct NetnsCluster {
    pub nodes: Vec<NetnsNode>,
    switch: String,
    namespaces: Vec<String>,
}

impl NetnsCluster {
    /// Err(why) when this machine does not let us make network namespaces (not root, no
    /// `ip`, no veth or bridge support): the caller skips, loudly.
    pub fn start() -> Result<NetnsCluster, String> {
        Self::remove_stale();
        static CLUSTERS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let id = std::process::id();
        let serial = CLUSTERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Namespaces are named newsflow-test-<pid>-<serial>-*, interfaces nf<pid>x<serial>h
        // (15 bytes at most).
        let prefix = format!("nf{id}x{serial}");
        let namespace_prefix = format!("newsflow-test-{id}-{serial}");
        // 198.18.0.0/15 is reserved for network tests (RFC 2544); a /24 not routed here yet.
        let routes = Command::new(ip_binary())
            .args(["-4", "route", "show", "table", "all"])
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        let subnet = (0..512u32)
            .map(|n| (id + serial + n) % 512)
            .map(|n| format!("198.{}.{}", 18 + n / 256, n % 256))
            .find(|subnet| !routes.contains(&format!("{subnet}.")))
            .ok_or("no free /24 in 198.18.0.0/15")?;
        let switch = format!("{namespace_prefix}-sw");
        let mut cluster = NetnsCluster {
            nodes: Vec::new(),
            switch: switch.clone(),
            namespaces: Vec::new(),
        };
        ip(&["netns", "add", &switch])?;
        cluster.namespaces.push(switch.clone());
        ip(&["-n", &switch, "link", "set", "lo", "up"])?;
        ip(&["-n", &switch, "link", "add", "br0", "type", "bridge"])?;
        ip(&["-n", &switch, "link", "set", "br0", "up"])?;
        let host = format!("{prefix}h");
        ip(&[
            "link", "add", &host, "type", "veth", "peer", "name", "host", "netns", &switch,
        ])?;
        ip(&["-n", &switch, "link", "set", "host", "master", "br0", "up"])?;
        ip(&["addr", "add", &format!("{subnet}.1/24"), "dev", &host])?;
        ip(&["link", "set", &host, "up"])?;
        let ips: Vec<String> = (0..3)
            .map(|index| format!("{subnet}.{}", 10 + index))
            .collect();
        for (index, address) in ips.iter().enumerate() {
            let namespace = format!("{namespace_prefix}-n{index}");
            ip(&["netns", "add", &namespace])?;
            cluster.namespaces.push(namespace.clone());
            ip(&["-n", &namespace, "link", "set", "lo", "up"])?;
            let port = format!("n{index}");
            ip(&[
                "-n", &switch, "link", "add", &port, "type", "veth", "peer", "name", "eth0",
                "netns", &namespace,
            ])?;
            ip(&["-n", &switch, "link", "set", &port, "master", "br0", "up"])?;
            ip(&[
                "-n",
                &namespace,
                "addr",
                "add",
                &format!("{address}/24"),
                "dev",
                "eth0",
            ])?;
            ip(&["-n", &namespace, "link", "set", "eth0", "up"])?;
            let store = tempfile::tempdir().map_err(|err| err.to_string())?;
            let config = store.path().join("nats-server.conf");
            std::fs::write(&config, "max_payload: 8388608\n").map_err(|err| err.to_string())?;
            let routes: Vec<String> = ips
                .iter()
                .filter(|other| *other != address)
                .map(|other| format!("nats://{other}:6222"))
                .collect();
            let args: Vec<String> = [
                "-c",
                &config.display().to_string(),
                "-js",
                "-a",
                address,
                "-p",
                "4222",
                "--store_dir",
                &store.path().display().to_string(),
                "-l",
                &store.path().join("nats-server.log").display().to_string(),
                "--server_name",
                &format!("n{index}"),
                "--cluster_name",
                "newsflow-netns",
                "--cluster",
                &format!("nats://{address}:6222"),
                "--routes",
                &routes.join(","),
                "-m",
                "8222",
            ]
            .iter()
            .map(|arg| arg.to_string())
            .collect();
            cluster.nodes.push(NetnsNode {
                name: format!("n{index}"),
                namespace,
                ip: address.clone(),
                child: None,
                store,
                args,
            });
        }
        // Nodes wait for each other to form the cluster, so start them all, then wait.
        // From here on a failure is a failure, not a reason to skip.
        for node in &mut cluster.nodes {
            node.spawn().unwrap_or_else(|err| panic!("{err}"));
        }
        for node in &mut cluster.nodes {
            node.wait_ready(Duration::from_secs(30))
                .unwrap_or_else(|err| panic!("{err}"));
        }
        Ok(cluster)
    }

    /// Namespaces left by an earlier run whose test process is gone (killed before cleanup).
    fn remove_stale() {
        let Ok(output) = Command::new(ip_binary()).args(["netns", "list"]).output() else {
            return;
        };
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let name = line.split_whitespace().next().unwrap_or("");
            let Some(rest) = name.strip_prefix("newsflow-test-") else {
                continue;
            };
            let pid: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !pid.is_empty() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = ip(&["netns", "del", name]);
            }
        }
    }

    /// Client URLs of all nodes, comma-separated (as `--nats` takes them).
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(|node| node.url())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Cuts node `index` off the network: its switch port goes down, so its packets (to the
    /// other nodes and to every client) are dropped; the process keeps running.
    pub fn cut(&self, index: usize) {
        ip(&[
            "-n",
            &self.switch,
            "link",
            "set",
            &format!("n{index}"),
            "down",
        ])
        .unwrap();
    }

    /// Plugs node `index` back in.
    pub fn restore(&self, index: usize) {
        ip(&[
            "-n",
            &self.switch,
            "link",
            "set",
            &format!("n{index}"),
            "up",
        ])
        .unwrap();
    }
}

impl Drop for NetnsCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
        // Deleting a namespace deletes its veth ends, and with them their peers.
        for namespace in self.namespaces.iter().rev() {
            let _ = ip(&["netns", "del", namespace]);
        }
    }
}

/// A client of any of the comma-separated `urls`.
pub async fn connect_any(urls: &str) -> async_nats::Client {
    let addrs: Vec<async_nats::ServerAddr> = urls
        .split(',')
        .map(|url| url.parse().expect("a nats URL"))
        .collect();
    async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(addrs)
        .await
        .expect("connects")
}

/// The subject the watcher publishes to: the articles stream also holds every stage's copy
/// of an article once workers run (`newsflow.articles.clean`, `.classified`).
pub const RAW_SUBJECT: &str = "newsflow.articles.raw";

/// Messages per article id on `newsflow.articles.raw` (the watcher's publishes; the stages'
/// copies on the other subjects of the stream are not counted).
pub async fn raw_ids(js: &async_nats::jetstream::Context) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    let Ok(mut stream) = js.get_stream("NEWSFLOW_ARTICLES").await else {
        return ids;
    };
    let Ok(info) = stream.info().await else {
        return ids;
    };
    let (first, last) = (info.state.first_sequence, info.state.last_sequence);
    for sequence in first.max(1)..=last {
        if let Ok(message) = stream.get_raw_message(sequence).await {
            if message.subject.as_str() != RAW_SUBJECT {
                continue;
            }
            let id = message
                .headers
                .get("Newsflow-Id")
                .map(|value| value.to_string())
                .unwrap_or_default();
            *ids.entry(id).or_insert(0) += 1;
        }
    }
    ids
}

/// Messages stored on `subject` (wildcards allowed) in the articles stream.
pub async fn articles_on(js: &async_nats::jetstream::Context, subject: &str) -> u64 {
    let Ok(stream) = js.get_stream("NEWSFLOW_ARTICLES").await else {
        return 0;
    };
    let Ok(mut subjects) = stream.info_with_subjects(subject).await else {
        return 0;
    };
    let mut count = 0;
    while let Some(Ok((_, messages))) = subjects.next().await {
        count += messages as u64;
    }
    count
}

/// Messages on `newsflow.articles.raw` (the watcher's publishes) in the articles stream.
pub async fn raw_count(js: &async_nats::jetstream::Context) -> u64 {
    let Ok(stream) = js.get_stream("NEWSFLOW_ARTICLES").await else {
        return 0;
    };
    let Ok(mut subjects) = stream.info_with_subjects(RAW_SUBJECT).await else {
        return 0;
    };
    let mut count = 0;
    while let Some(Ok((_, messages))) = subjects.next().await {
        count += messages as u64;
    }
    count
}
