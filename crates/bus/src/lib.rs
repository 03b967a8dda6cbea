//! newsflow on NATS JetStream: everything that talks to the broker lives here.
//!
//! Layout:
//! - [`subjects`]: subject and stream names (a contract).
//! - [`connect`] and [`ensure_streams`]: the connection and the file-stored streams.
//! - [`client`]: what the commands ask the broker ([`Bus`]: stream and consumer figures, the
//!   stored messages of a subject, read to the end or followed, re-publishing as a new
//!   version, the watchers' counters, large articles); the commands only print.
//! - [`runner`]: the one generic stage worker: durable pull consumer, stage function, onward
//!   publish with a message id, ack only after that publish is acknowledged, nak with backoff,
//!   and an error record after bounded retries.
//! - [`publisher`]: the watcher's sink, publishing each file with `Nats-Msg-Id` = content hash.
//! - [`pace`]: the watcher's pacing by the workers' backlog (`watch.max_backlog`).
//! - [`dedup`]: the watcher's shared dedup store (a key-value bucket with a TTL) and the
//!   articles stream's identity that scopes the watcher's state.
//! - [`stories`]: the shared story log (a stream whose age limit is the story window) and the
//!   follower that applies it, in order, to the caller's view.
//! - [`relay`]: the bare-broker relay rate, `newsflow bench`'s anchor.
//! - [`server`]: a local `nats-server` (the tests' broker) and its [`server::Supervisor`], the
//!   managed server of `newsflow up`: on a thread of its own, killed with this process.

pub mod client;
pub mod dedup;
pub mod headers;
pub mod pace;
pub mod publisher;
pub mod relay;
pub mod runner;
pub mod server;
pub mod stories;
pub mod subjects;

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use newsflow_config::NatsConfig;

pub use client::{Bus, ConsumerFigures, ReadFrom, Stored, StreamFigures};
pub use subjects::Subjects;

/// Errors talking to NATS.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot connect to nats at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("cannot set up stream {stream}: {message}")]
    Stream { stream: String, message: String },
    #[error("cannot set up consumer {consumer}: {message}")]
    Consumer { consumer: String, message: String },
    #[error("nats request failed: {0}")]
    Request(String),
}

/// How often the client pings a quiet server. Three unanswered pings (three intervals without
/// a byte from the server) count as a dead connection and the client moves to another server
/// of the list. The async-nats default (60 s) left a process whose server was cut off the
/// network (a link down, not a closed socket) stalled for about 3 minutes; with 3 s it moves
/// within ~9 s (`faults::cluster_link_cut_mid_stream_loses_nothing`).
pub const PING_INTERVAL: Duration = Duration::from_secs(3);

/// Time allowed to connect to one server (TCP, TLS and the NATS handshake) before the next of
/// the list is tried: a reconnect that picks a server that is cut off loses this much (2 s is
/// the nats.go default; async-nats's 5 s made the first reconnect after a cut take 5 s more).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Time allowed to one stream setup request. When several processes create the same replicated
/// stream at once, nats-server (2.15.1) answers only the first request; the others waited for
/// the whole 10 s request timeout (seen at the start of every cluster test). Setup is retried and
/// creating a stream that exists is a no-op, so a short wait loses nothing.
pub const SETUP_REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// Connects with the configured credentials (which are never logged) and TLS settings.
///
/// Waits up to 30 s for a first connection (the server may still be starting); every new
/// reason a connection attempt fails (refused, TLS, authorization) is logged as it appears, so a
/// wrong credential or certificate shows in the log at once instead of as a silent wait.
pub async fn connect(
    url: &str,
    config: &NatsConfig,
    name: &str,
) -> Result<async_nats::Client, BusError> {
    let shown_url = newsflow_config::redact_url(url);
    let connect_error = |message: String| BusError::Connect {
        url: shown_url.clone(),
        message,
    };
    let mut options = async_nats::ConnectOptions::new()
        .name(name)
        .max_reconnects(None::<usize>)
        .connection_timeout(CONNECT_TIMEOUT)
        .ping_interval(PING_INTERVAL)
        .event_callback(|event| async move {
            match event {
                async_nats::Event::Disconnected => {
                    tracing::warn!("nats disconnected, reconnecting")
                }
                async_nats::Event::Connected => tracing::info!("nats connected"),
                async_nats::Event::ServerError(err) => {
                    tracing::error!(error = %err, "nats server refused this client")
                }
                other => tracing::debug!(event = %other, "nats event"),
            }
        });
    if let Some(path) = &config.credentials_file {
        options = options.credentials_file(path).await.map_err(|err| {
            connect_error(format!("nats.credentials_file {}: {err}", path.display()))
        })?;
    }
    if let Some(path) = &config.nkey_file {
        let seed = std::fs::read_to_string(path)
            .map_err(|err| connect_error(format!("nats.nkey_file {}: {err}", path.display())))?;
        let seed = seed.trim().to_string();
        // Say which file is wrong without printing any of it.
        let is_user_seed = nkeys::KeyPair::from_seed(&seed)
            .map(|pair| pair.public_key().starts_with('U'))
            .unwrap_or(false);
        if !is_user_seed {
            return Err(connect_error(format!(
                "nats.nkey_file {}: not a user nkey seed (one line starting with SU, as `nk -gen user` writes it)",
                path.display()
            )));
        }
        options = options.nkey(seed);
    }
    if let (Some(user), Some(password)) = (&config.user, &config.password) {
        options = options.user_and_password(user.clone(), password.clone());
    }
    if let Some(token) = &config.token {
        options = options.token(token.clone());
    }
    if config.tls_required {
        options = options.require_tls(true);
    }
    for (field, path) in [
        ("tls_ca_file", &config.tls_ca_file),
        ("tls_cert_file", &config.tls_cert_file),
        ("tls_key_file", &config.tls_key_file),
    ] {
        if let Some(path) = path {
            std::fs::File::open(path)
                .map_err(|err| connect_error(format!("nats.{field} {}: {err}", path.display())))?;
        }
    }
    if let Some(ca) = &config.tls_ca_file {
        options = options.add_root_certificates(ca.clone());
    }
    if let (Some(cert), Some(key)) = (&config.tls_cert_file, &config.tls_key_file) {
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    let servers: Vec<String> = url
        .split(',')
        .map(|part| part.trim().to_string())
        .filter(|part| !part.is_empty())
        .collect();
    let addrs: Vec<async_nats::ServerAddr> = servers
        .iter()
        .map(|server| server.parse::<async_nats::ServerAddr>())
        .collect::<Result<_, _>>()
        .map_err(|err| connect_error(err.to_string()))?;
    // Each attempt tries every server once; async-nats would retry a first connection forever
    // and report why it fails only at debug level, so the retries are here.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut last_error = String::new();
    let mut pause = Duration::from_millis(100);
    loop {
        match options.clone().connect(addrs.clone()).await {
            Ok(client) => return Ok(client),
            Err(err) => {
                let message = err.to_string();
                if message != last_error {
                    tracing::warn!(
                        url = %shown_url,
                        error = %message,
                        "cannot connect to nats yet, retrying"
                    );
                    last_error = message;
                }
                if std::time::Instant::now() > deadline {
                    return Err(connect_error(format!(
                        "no connection within 30 s: {last_error}"
                    )));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// A JetStream context with publish acks awaited for at most 10 s.
pub fn jetstream(client: async_nats::Client) -> jetstream::Context {
    jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(10))
        .max_ack_inflight(4096)
        .backpressure_on_inflight(true)
        .build(client)
}

/// Creates or updates the articles, results and errors streams (file storage).
pub async fn ensure_streams(
    js: &jetstream::Context,
    subjects: &Subjects,
    config: &NatsConfig,
) -> Result<(), BusError> {
    let streams = [
        (
            subjects.articles_stream(),
            format!("{}.articles.>", subjects.prefix()),
        ),
        (
            subjects.results_stream(),
            format!("{}.results.>", subjects.prefix()),
        ),
        (
            subjects.errors_stream(),
            format!("{}.errors.>", subjects.prefix()),
        ),
    ];
    for (name, subject) in streams {
        let stream_config = stream::Config {
            name: name.clone(),
            subjects: vec![subject],
            storage: stream::StorageType::File,
            num_replicas: config.replicas,
            duplicate_window: Duration::from_secs(config.duplicate_window_secs),
            max_age: Duration::from_secs(config.max_age_secs),
            ..Default::default()
        };
        let mut last_error = String::new();
        // A cluster may still be electing a meta leader right after start: retry briefly.
        for attempt in 0..20 {
            let request = js.create_or_update_stream(stream_config.clone());
            let outcome = match tokio::time::timeout(SETUP_REQUEST_TIMEOUT, request).await {
                Ok(result) => result.map(drop).map_err(|err| err.to_string()),
                Err(_) => Err(format!("no reply within {SETUP_REQUEST_TIMEOUT:?}")),
            };
            match outcome {
                Ok(()) => {
                    last_error.clear();
                    break;
                }
                Err(err) => {
                    last_error = err;
                    tracing::debug!(stream = %name, attempt, error = %last_error, "stream setup retry");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
        if !last_error.is_empty() {
            return Err(BusError::Stream {
                stream: name,
                message: last_error,
            });
        }
    }
    Ok(())
}
