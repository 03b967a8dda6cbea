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
