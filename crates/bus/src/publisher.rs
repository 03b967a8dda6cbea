//! The watcher's sink: publishes each found file to `<prefix>.articles.raw` with
//! `Nats-Msg-Id` = `raw:<content hash>` (a second drop within the duplicate window is stored
//! once), and each rejected file as an error record on `<prefix>.errors.watch`. Files larger
//! than the server's max payload go to the object store and the message carries a reference.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, object_store};
use async_nats::HeaderMap;
use bytes::Bytes;
use newsflow_model::{ErrorRecord, Stage};
use newsflow_watch::{Delivered, Found, Sink, SinkError};
use tokio::sync::OnceCell;

use crate::pace::Pacer;
use crate::{headers, Subjects};

/// Room left in a message for protocol overhead and the headers added on publishing
/// (`Nats-Msg-Id`), beside the article's own headers.
const HEADER_ROOM: usize = 4096;

/// The bytes a header block takes in a message (`name: value\r\n` per value).
fn header_bytes(header_map: &HeaderMap) -> usize {
    header_map
        .iter()
        .map(|(name, values)| {
            let name: &str = name.as_ref();
            values
                .iter()
                .map(|value| name.len() + value.as_str().len() + 4)
                .sum::<usize>()
        })
        .sum()
}

/// Publishes what the watcher finds.
pub struct JetStreamSink {
    js: jetstream::Context,
    subjects: Subjects,
    blobs: OnceCell<object_store::ObjectStore>,
    replicas: usize,
    /// Room downstream (`watch.max_backlog`); `None`: paced by the stream's acks only.
    pacer: Option<Arc<Pacer>>,
}

impl JetStreamSink {
    pub fn new(js: jetstream::Context, subjects: Subjects, replicas: usize) -> JetStreamSink {
        JetStreamSink {
            js,
            subjects,
            blobs: OnceCell::new(),
            replicas,
            pacer: None,
        }
    }

    /// Articles wait for the pacer's credit before they are published.
    pub fn paced_by(mut self, pacer: Arc<Pacer>) -> JetStreamSink {
        self.pacer = Some(pacer);
        self
    }

    async fn blob_store(&self) -> Result<&object_store::ObjectStore, String> {
        self.blobs
            .get_or_try_init(|| blob_store(&self.js, &self.subjects, self.replicas))
            .await
    }

    async fn publish_once(&self, found: &Found) -> Result<Delivered, String> {
        match found {
            Found::Article(article) => {
                let mut header_map = HeaderMap::new();
                header_map.insert(headers::ID, article.id.as_str());
                header_map.insert(headers::SOURCE, headers::encode(&article.source).as_str());
                header_map.insert(headers::FORMAT, article.format.as_str());
                header_map.insert(headers::RECEIVED_AT, article.received_at.as_str());
                header_map.insert(headers::DROPPED_NS, now_ns().to_string().as_str());
                if let Some(url) = &article.hints.url {
                    header_map.insert(headers::URL, headers::encode(url).as_str());
                }
                if let Some(fetched_at) = &article.hints.fetched_at {
                    header_map.insert(headers::FETCHED_AT, headers::encode(fetched_at).as_str());
                }
                if let Some(charset) = &article.hints.charset {
                    header_map.insert(headers::CHARSET, headers::encode(charset).as_str());
                }
                let max_payload = self.js.client().server_info().max_payload;
                // Long headers (a source path, a crawled URL) count too: an article that
                // fits alone may not fit with them, and the server would refuse it forever.
                let headers_len = header_bytes(&header_map);
                let payload = if article.bytes.len() + headers_len + HEADER_ROOM > max_payload {
                    let store = self.blob_store().await?;
                    let meta = object_store::ObjectMetadata {
                        name: article.id.clone(),
                        chunk_size: Some((max_payload / 2).clamp(1024, 128 * 1024)),
                        ..Default::default()
                    };
                    store
                        .put(meta, &mut article.bytes.as_slice())
                        .await
                        .map_err(|err| format!("object store put: {err}"))?;
                    header_map.insert(headers::BLOB, article.id.as_str());
                    Bytes::new()
                } else {
                    Bytes::from(article.bytes.clone())
                };
                let message = PublishMessage::build()
                    .payload(payload)
                    .headers(header_map)
                    .message_id(format!("raw:{}", article.id));
                let ack = self
                    .js
                    .send_publish(self.subjects.raw(), message)
                    .await
                    .map_err(|err| err.to_string())?
                    .await
                    .map_err(|err| err.to_string())?;
                Ok(if ack.duplicate {
                    Delivered::AlreadyStored
                } else {
                    Delivered::Stored
                })
            }
            Found::Rejected(rejection) => {
                let mut record = ErrorRecord::new(
                    rejection.id.clone(),
                    rejection.source.clone(),
                    Stage::Watch,
                    rejection.kind,
                    rejection.message.clone(),
                );
                record.received_at = Some(rejection.received_at.clone());
                publish_error(&self.js, &self.subjects, &record).await?;
                Ok(Delivered::Stored)
            }
        }
    }
}

impl Sink for JetStreamSink {
    async fn room(&self) {
        if let Some(pacer) = &self.pacer {
            pacer.take().await;
        }
    }

    async fn deliver(&self, found: Found) -> Result<Delivered, SinkError> {
        let mut delay = Duration::from_millis(200);
        let mut last_error = String::new();
        for attempt in 0..6 {
            match self.publish_once(&found).await {
                Ok(delivered) => return Ok(delivered),
                Err(err) => {
                    tracing::debug!(attempt, error = %err, "publish retry");
                    last_error = err;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
        Err(SinkError {
            message: last_error,
        })
    }
}

/// Publishes an error record to `<prefix>.errors.<stage>` and waits for the stream's ack.
/// The message id makes a repeated error for the same article and stage stored once.
pub async fn publish_error(
    js: &jetstream::Context,
    subjects: &Subjects,
    record: &ErrorRecord,
) -> Result<(), String> {
    let payload = serde_json::to_vec(record).map_err(|err| err.to_string())?;
    let mut header_map = HeaderMap::new();
    header_map.insert(headers::ID, record.id.as_str());
    header_map.insert(headers::SOURCE, headers::encode(&record.source).as_str());
    let message = PublishMessage::build()
        .payload(Bytes::from(payload))
        .headers(header_map)
        .message_id(format!(
            "error:{}:{}:v{}",
            record.error.stage.as_str(),
            record.id,
            record.version
        ));
    js.send_publish(subjects.error(record.error.stage), message)
        .await
        .map_err(|err| err.to_string())?
        .await
        .map_err(|err| err.to_string())?;
    Ok(())
}

/// The object store for large articles (created on first use).
pub async fn blob_store(
    js: &jetstream::Context,
    subjects: &Subjects,
    replicas: usize,
) -> Result<object_store::ObjectStore, String> {
    let bucket = subjects.blob_bucket();
    match js.get_object_store(&bucket).await {
        Ok(store) => Ok(store),
        Err(_) => js
            .create_object_store(object_store::Config {
                bucket,
                storage: jetstream::stream::StorageType::File,
                num_replicas: replicas,
                ..Default::default()
            })
            .await
            .map_err(|err| format!("object store: {err}")),
    }
}

/// Reads a large article's bytes back from the object store.
pub async fn fetch_blob(
    js: &jetstream::Context,
    subjects: &Subjects,
    id: &str,
) -> Result<Vec<u8>, String> {
    use tokio::io::AsyncReadExt;
    let store = blob_store(js, subjects, 1).await?;
    let mut object = store
        .get(id)
        .await
        .map_err(|err| format!("object store get {id}: {err}"))?;
    let mut bytes = Vec::new();
    object
        .read_to_end(&mut bytes)
        .await
        .map_err(|err| format!("object store read {id}: {err}"))?;
    Ok(bytes)
}

/// Unix time in nanoseconds.
pub fn now_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or(0)
}
