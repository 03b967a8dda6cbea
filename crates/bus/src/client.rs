//! What the commands ask the broker (`status`, `tail`, `errors`, `replay`, `export`, the
//! dashboard's observer, `bench`): stream and consumer figures, the stored messages of a
//! subject (read to the end, or followed as they arrive), re-publishing a stored message as a
//! new version, the watchers' counters and large articles from the object store. The commands
//! print; the broker's types stay here.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, message::PublishMessage};
use async_nats::HeaderMap;
use bytes::Bytes;
use futures::StreamExt;
use newsflow_config::NatsConfig;

use crate::{headers, BusError, Subjects};

/// A stored message stops [`Scan`] when no next one arrives within this (the stream's last
/// sequence was read at the start, so this only matters when messages were deleted).
const SCAN_IDLE: Duration = Duration::from_secs(2);

/// A JetStream connection with its subject names: what every command holds.
#[derive(Clone)]
pub struct Bus {
    js: jetstream::Context,
    subjects: Subjects,
}

/// A stream's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamFigures {
    pub messages: u64,
    pub bytes: u64,
    pub last_sequence: u64,
}

/// A durable consumer's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerFigures {
    /// Messages not yet delivered to any worker.
    pub pending: u64,
    /// Delivered, not yet acknowledged.
    pub ack_pending: usize,
    pub redelivered: usize,
    /// Pull requests waiting: roughly the workers idle right now.
    pub waiting: usize,
}

/// One stored message.
#[derive(Debug, Clone)]
pub struct Stored {
    pub subject: String,
    pub sequence: u64,
    /// Messages after this one that the read still has to deliver.
    pub pending: u64,
    pub payload: Bytes,
    headers: Option<HeaderMap>,
}

impl Stored {
    /// A header's value (see [`crate::headers`]).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .as_ref()
            .and_then(|map| map.get(name))
            .map(|value| value.to_string())
    }

    fn from_message(message: jetstream::Message) -> Stored {
        let (sequence, pending) = message
            .info()
            .map(|info| (info.stream_sequence, info.pending))
            .unwrap_or((0, 0));
        Stored {
            subject: message.subject.to_string(),
            sequence,
            pending,
            payload: message.payload.clone(),
            headers: message.headers.clone(),
        }
    }
}

/// Where a read of a stream starts.
#[derive(Debug, Clone, Copy)]
pub enum ReadFrom {
    /// The oldest stored message.
    All,
    /// Messages stored from now on.
    New,
    /// Messages stored at or after this time.
    Time(time::OffsetDateTime),
    /// The newest `n` messages of the stream (of every subject), then what follows.
    Last(u64),
}

/// Stored messages of one subject filter, in stream order, up to the stream's last message
/// when the read started.
pub struct Scan {
    messages: Option<consumer::pull::Ordered>,
    last: u64,
    done: bool,
}

impl Scan {
    /// The next message, or `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Stored>, BusError> {
        if self.done {
            return Ok(None);
        }
        let Some(messages) = self.messages.as_mut() else {
            return Ok(None);
        };
        let message = match tokio::time::timeout(SCAN_IDLE, messages.next()).await {
            Ok(Some(message)) => message.map_err(request_error)?,
            // Nothing (more) matched before the end of the stream.
            Ok(None) | Err(_) => {
                self.done = true;
                return Ok(None);
            }
        };
        let stored = Stored::from_message(message);
        if stored.sequence >= self.last || stored.pending == 0 {
            self.done = true;
        }
        Ok(Some(stored))
    }

    /// Every message left.
    pub async fn collect(mut self) -> Result<Vec<Stored>, BusError> {
        let mut out = Vec::new();
        while let Some(stored) = self.next().await? {
            out.push(stored);
        }
        Ok(out)
    }
}

/// Messages of one subject filter as they are stored, without end.
pub struct Follow {
    messages: consumer::pull::Ordered,
}

impl Follow {
    /// The next message; `None` when the consumer ended.
    pub async fn next(&mut self) -> Option<Result<Stored, BusError>> {
        let message = self.messages.next().await?;
        Some(message.map(Stored::from_message).map_err(request_error))
    }
}

fn request_error(err: impl std::fmt::Display) -> BusError {
    BusError::Request(err.to_string())
}

fn stream_error(stream: &str) -> impl Fn(&dyn std::fmt::Display) -> BusError + '_ {
    move |err| BusError::Stream {
        stream: stream.to_string(),
        message: err.to_string(),
    }
}

impl Bus {
    pub fn new(js: jetstream::Context, subjects: Subjects) -> Bus {
        Bus { js, subjects }
    }

    /// Connects to `config.url` (see [`crate::connect`]) under the name `name`.
    pub async fn connect(config: &NatsConfig, name: &str) -> Result<Bus, BusError> {
        let client = crate::connect(&config.url, config, name).await?;
        Ok(Bus::new(
            crate::jetstream(client),
            Subjects::new(&config.prefix),
        ))
    }

    pub fn subjects(&self) -> &Subjects {
        &self.subjects
    }

    /// The JetStream context (for wiring the workers, the watcher's sink and the stores).
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.js
    }

    /// True while the connection is up.
    pub fn is_connected(&self) -> bool {
        self.js.client().connection_state() == async_nats::connection::State::Connected
    }

    /// Creates or updates the articles, results and errors streams.
    pub async fn ensure_streams(&self, config: &NatsConfig) -> Result<(), BusError> {
        crate::ensure_streams(&self.js, &self.subjects, config).await
    }

    /// A stream's figures; `None` when there is no such stream.
    pub async fn stream_figures(&self, name: &str) -> Result<Option<StreamFigures>, BusError> {
        let Ok(mut stream) = self.js.get_stream(name).await else {
            return Ok(None);
        };
        let info = stream
            .info()
            .await
            .map_err(|err| stream_error(name)(&err))?;
        Ok(Some(StreamFigures {
            messages: info.state.messages,
            bytes: info.state.bytes,
            last_sequence: info.state.last_sequence,
        }))
    }

    /// Messages stored in stream `name` on subjects matching `filter`.
    pub async fn subject_count(&self, name: &str, filter: &str) -> Result<u64, BusError> {
        let error = stream_error(name);
        let stream = self.js.get_stream(name).await.map_err(|err| error(&err))?;
        let mut counts = stream
            .info_with_subjects(filter)
            .await
            .map_err(|err| error(&err))?;
        let mut count = 0u64;
        while let Some(entry) = counts.next().await {
            count += entry.map_err(|err| error(&err))?.1 as u64;
        }
        Ok(count)
    }

    /// A durable consumer's figures; `None` when the stream or the consumer is missing or
    /// does not answer.
    pub async fn consumer_figures(&self, stream: &str, durable: &str) -> Option<ConsumerFigures> {
        let stream = self.js.get_stream(stream).await.ok()?;
        let info = stream.consumer_info(durable).await.ok()?;
        Some(ConsumerFigures {
            pending: info.num_pending,
            ack_pending: info.num_ack_pending,
            redelivered: info.num_redelivered,
            waiting: info.num_waiting,
        })
    }

    /// An ordered consumer on `filter` of stream `name`, and the stream's last sequence.
    async fn ordered(
        &self,
        name: &str,
        filter: Option<&str>,
        from: ReadFrom,
    ) -> Result<(consumer::pull::Ordered, u64), BusError> {
        let error = stream_error(name);
        let mut stream = self.js.get_stream(name).await.map_err(|err| error(&err))?;
        let last = stream
            .info()
            .await
            .map_err(|err| error(&err))?
            .state
            .last_sequence;
        let deliver_policy = match from {
            ReadFrom::All => consumer::DeliverPolicy::All,
            ReadFrom::New => consumer::DeliverPolicy::New,
            ReadFrom::Time(start_time) => consumer::DeliverPolicy::ByStartTime { start_time },
            ReadFrom::Last(n) => consumer::DeliverPolicy::ByStartSequence {
                start_sequence: last.saturating_sub(n.max(1) - 1).max(1),
            },
        };
        let consumer = stream
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: filter.unwrap_or_default().to_string(),
                deliver_policy,
                ..Default::default()
            })
            .await
            .map_err(|err| BusError::Consumer {
                consumer: format!("ordered consumer on {name}"),
                message: err.to_string(),
            })?;
        let messages = consumer.messages().await.map_err(request_error)?;
        Ok((messages, last))
    }

    /// The messages stored in stream `name` on `filter` (from `from` on), up to the last one
    /// stored when the read starts.
    pub async fn scan(&self, name: &str, filter: &str, from: ReadFrom) -> Result<Scan, BusError> {
        let mut stream = self
            .js
            .get_stream(name)
            .await
            .map_err(|err| stream_error(name)(&err))?;
        let last = stream
            .info()
            .await
            .map_err(|err| stream_error(name)(&err))?
            .state
            .last_sequence;
        // Nothing is stored in the future (and nats-server misreads times past 2262).
        let future =
            matches!(from, ReadFrom::Time(start) if start > time::OffsetDateTime::now_utc());
        if last == 0 || future {
            return Ok(Scan {
                messages: None,
                last,
                done: true,
            });
        }
        let (messages, last) = self.ordered(name, Some(filter), from).await?;
        Ok(Scan {
            messages: Some(messages),
            last,
            done: false,
        })
    }

    /// Follows stream `name` (only `filter`'s subjects when given) from `from` on.
    pub async fn follow(
        &self,
        name: &str,
        filter: Option<&str>,
        from: ReadFrom,
    ) -> Result<Follow, BusError> {
        let (messages, _) = self.ordered(name, filter, from).await?;
        Ok(Follow { messages })
    }

    /// Publishes `stored` again on `subject` as result version `version`: its headers with
    /// `Newsflow-Version` set, `payload` (its own when `None`) and the message id `message_id`
    /// (a new one, so the duplicate window does not swallow it). Waits for the stream's ack.
    pub async fn republish(
        &self,
        subject: &str,
        stored: &Stored,
        payload: Option<Bytes>,
        version: u32,
        message_id: String,
    ) -> Result<(), BusError> {
        let mut header_map = stored.headers.clone().unwrap_or_default();
        header_map.insert(headers::VERSION, version.to_string().as_str());
        let publish = PublishMessage::build()
            .payload(payload.unwrap_or_else(|| stored.payload.clone()))
            .headers(header_map)
            .message_id(message_id);
        self.js
            .send_publish(subject.to_string(), publish)
            .await
            .map_err(request_error)?
            .await
            .map_err(request_error)?;
        Ok(())
    }

    /// Every watcher's counters that reported within the TTL (see
    /// [`crate::dedup::WatchCounters`]).
    pub async fn watchers(&self) -> Result<Vec<(String, serde_json::Value)>, BusError> {
        crate::dedup::WatchCounters::read_all(&self.js, &self.subjects).await
    }

    /// A large article's bytes from the object store.
    pub async fn fetch_blob(&self, id: &str) -> Result<Vec<u8>, String> {
        crate::publisher::fetch_blob(&self.js, &self.subjects, id).await
    }
}
