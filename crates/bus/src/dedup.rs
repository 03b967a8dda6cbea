//! The watcher's shared dedup store: a JetStream key-value bucket (`<prefix>_watch_dedup`)
//! whose keys are the content ids published to the articles stream, kept for
//! `watch.dedup_window_secs` (the bucket's max age). Every watcher of the stream, on any
//! machine, reads and writes the same bucket, so a file is not published twice however long
//! after the stream's own duplicate window.
//!
//! Keys are `<stream scope>.<content id>`: the scope is a hash of the stream's identity, so a
//! stream that is deleted and created again (a wipe) starts with nothing known, and the keys of
//! the old one expire. Values are the inbox-relative source that published the content.
//!
//! A key is created (create-if-absent) only after the article's publish ack: a crash between
//! the two publishes the file again, which the stream's `Nats-Msg-Id` duplicate window absorbs.

use std::time::Duration;

use async_nats::jetstream::{self, kv};
use bytes::Bytes;
use newsflow_watch::{Dedup, DedupError};

use crate::{BusError, Subjects};

/// The key-value bucket behind [`Dedup`].
pub struct KvDedup {
    store: kv::Store,
    scope: String,
}

impl KvDedup {
    /// Opens the bucket (creating it when absent) for the stream with this identity.
    pub async fn open(
        js: &jetstream::Context,
        subjects: &Subjects,
        window: Duration,
        replicas: usize,
        stream_identity: &str,
    ) -> Result<KvDedup, BusError> {
        let bucket = subjects.watch_dedup_bucket();
        let store = match js.get_key_value(&bucket).await {
            Ok(store) => store,
            Err(_) => {
                let config = kv::Config {
                    bucket: bucket.clone(),
                    description: "content ids the watchers published, by stream".to_string(),
                    history: 1,
                    max_age: window,
                    storage: jetstream::stream::StorageType::File,
                    num_replicas: replicas,
                    ..Default::default()
                };
                match js.create_key_value(config).await {
                    Ok(store) => store,
                    // Another watcher may have created it in the meantime.
                    Err(create_error) => {
                        js.get_key_value(&bucket)
                            .await
                            .map_err(|_| BusError::Stream {
                                stream: bucket.clone(),
                                message: create_error.to_string(),
                            })?
                    }
                }
            }
        };
        let hash = newsflow_model::article_id(stream_identity.as_bytes());
        Ok(KvDedup {
            store,
            scope: format!("s{}", &hash[..16]),
        })
    }

    fn key(&self, id: &str) -> String {
        format!("{}.{id}", self.scope)
    }
}

impl Dedup for KvDedup {
    async fn published_by(&self, id: &str) -> Result<Option<String>, DedupError> {
        let value = self
            .store
            .get(self.key(id))
            .await
            .map_err(|err| DedupError {
                message: err.to_string(),
            })?;
        Ok(value.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    async fn record(&self, id: &str, source: &str) -> Result<bool, DedupError> {
        let value = Bytes::from(source.to_string());
        match self.store.create(self.key(id), value).await {
            Ok(_) => Ok(true),
            Err(err) if err.kind() == kv::CreateErrorKind::AlreadyExists => Ok(false),
            Err(err) => Err(DedupError {
                message: err.to_string(),
            }),
        }
    }
}

/// How long a watcher's counters stay in [`WatchCounters`]'s bucket after its last report: a
/// watcher that stopped drops out of `newsflow status` after this.
pub const WATCH_COUNTERS_TTL: Duration = Duration::from_secs(120);

/// Each running watcher's counters in a key-value bucket (`<prefix>_watch_stats`), one key per
/// watcher, refreshed every few seconds and expiring [`WATCH_COUNTERS_TTL`] after the last
/// report, so `newsflow status` can show what every watcher decided without reaching it.
pub struct WatchCounters {
    store: kv::Store,
}

impl WatchCounters {
    /// Opens the bucket, creating it when absent.
    pub async fn open(
        js: &jetstream::Context,
        subjects: &Subjects,
        replicas: usize,
    ) -> Result<WatchCounters, BusError> {
        let bucket = subjects.watch_stats_bucket();
        if let Ok(store) = js.get_key_value(&bucket).await {
            return Ok(WatchCounters { store });
        }
        let config = kv::Config {
            bucket: bucket.clone(),
            description: "counters of the running watchers".to_string(),
            history: 1,
            max_age: WATCH_COUNTERS_TTL,
            storage: jetstream::stream::StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        };
        let store = match js.create_key_value(config).await {
            Ok(store) => store,
            Err(create_error) => js
                .get_key_value(&bucket)
                .await
                .map_err(|_| BusError::Stream {
                    stream: bucket.clone(),
                    message: create_error.to_string(),
                })?,
        };
        Ok(WatchCounters { store })
    }

    /// Stores one watcher's counters (any JSON object) under its name.
    pub async fn put(&self, watcher: &str, counters: &serde_json::Value) -> Result<(), BusError> {
        let value = Bytes::from(counters.to_string());
        self.store
            .put(counter_key(watcher), value)
            .await
            .map(|_| ())
            .map_err(|err| BusError::Stream {
                stream: self.store.name.clone(),
                message: err.to_string(),
            })
    }

    /// Every watcher that reported within the TTL: (name, counters), sorted by name.
    pub async fn read_all(
        js: &jetstream::Context,
        subjects: &Subjects,
    ) -> Result<Vec<(String, serde_json::Value)>, BusError> {
        use futures::StreamExt;
        let Ok(store) = js.get_key_value(subjects.watch_stats_bucket()).await else {
            return Ok(Vec::new());
        };
        let error = |err: &dyn std::fmt::Display| BusError::Stream {
            stream: subjects.watch_stats_bucket(),
            message: err.to_string(),
        };
        let mut keys = store.keys().await.map_err(|err| error(&err))?;
        let mut out = Vec::new();
        while let Some(key) = keys.next().await {
            let key = key.map_err(|err| error(&err))?;
            if let Some(bytes) = store.get(&key).await.map_err(|err| error(&err))? {
                if let Ok(value) = serde_json::from_slice(&bytes) {
                    out.push((key, value));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// A key-value key from a watcher's name (only `[-_=a-zA-Z0-9]` and dots between tokens).
fn counter_key(watcher: &str) -> String {
    let key: String = watcher
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '=') {
                ch
            } else {
                '_'
            }
        })
        .collect();
    if key.is_empty() {
        "watcher".to_string()
    } else {
        key
    }
}

/// The identity of the articles stream as JetStream reports it: name, cluster and creation
/// time. A stream deleted and created again (or a new server) has another identity.
pub async fn stream_identity(
    js: &jetstream::Context,
    subjects: &Subjects,
) -> Result<String, BusError> {
    let name = subjects.articles_stream();
    let mut stream = js.get_stream(&name).await.map_err(|err| BusError::Stream {
        stream: name.clone(),
        message: err.to_string(),
    })?;
    let info = stream.info().await.map_err(|err| BusError::Stream {
        stream: name.clone(),
        message: err.to_string(),
    })?;
    let cluster = info
        .cluster
        .as_ref()
        .and_then(|cluster| cluster.name.clone())
        .unwrap_or_else(|| "-".to_string());
    let created = info
        .created
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| info.created.unix_timestamp_nanos().to_string());
    Ok(format!("{name}@{cluster}@{created}"))
}
