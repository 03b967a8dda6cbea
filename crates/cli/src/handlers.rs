//! The three stages as NATS stage handlers: decode the delivery, run the pure stage function
//! on the blocking pool, and say where the output goes.

use std::sync::Arc;

use bytes::Bytes;
use newsflow_bus::runner::{carry_headers, Delivery, Forward, Handler, Outcome, Transient};
use newsflow_bus::{headers, Bus, Subjects};
use newsflow_model::{ErrorRecord, Format, Record, Stage};
use newsflow_pipeline::{Hints, Pipeline, RawInput};

use crate::stories::StoryService;

fn header_or_empty(delivery: &Delivery, name: &str) -> String {
    delivery.header(name).unwrap_or_default()
}

/// The result version the delivery belongs to (1 unless it is a replay).
fn version(delivery: &Delivery) -> u32 {
    delivery
        .header(headers::VERSION)
        .and_then(|value| value.parse().ok())
        .unwrap_or(1)
}

fn identity(delivery: &Delivery) -> (String, String) {
    let id = header_or_empty(delivery, headers::ID);
    let source = delivery
        .header(headers::SOURCE)
        .map(|value| headers::decode(&value))
        .unwrap_or_default();
    (id, source)
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Transient> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| Transient::new("panic", format!("stage function panicked: {err}")))
}

fn encode_record(record: &Record) -> Result<Bytes, Transient> {
    serde_json::to_vec(record)
        .map(Bytes::from)
        .map_err(|err| Transient::new("encode", err.to_string()))
}

fn decode_record(delivery: &Delivery, stage: Stage) -> Result<Record, Box<Outcome>> {
    serde_json::from_slice(&delivery.payload).map_err(|err| {
        let (id, source) = identity(delivery);
        Box::new(Outcome::Reject(ErrorRecord::new(
            id,
            source,
            stage,
            "bad_record",
            format!("input is not a record: {err}"),
        )))
    })
}

/// A raw article as a delivery carries it, owned, ready for the blocking pool.
struct RawParts {
    id: String,
    source: String,
    received_at: String,
    format: Format,
    bytes: Vec<u8>,
    version: u32,
    url: Option<String>,
    fetched_at: Option<String>,
    charset: Option<String>,
}

impl RawParts {
    /// The article of a raw delivery (its bytes from the object store when it travels by
    /// reference), or the error record of an input that can never be cleaned.
    async fn of(delivery: &Delivery, bus: &Bus) -> Result<Result<RawParts, Outcome>, Transient> {
        let (id, source) = identity(delivery);
        let received_at = header_or_empty(delivery, headers::RECEIVED_AT);
        let format_name = header_or_empty(delivery, headers::FORMAT);
        let Some(format) = Format::parse(&format_name) else {
            return Ok(Err(Outcome::Reject(ErrorRecord::new(
                id,
                source,
                Stage::Clean,
                "unsupported_format",
                format!("unknown format header '{format_name}'"),
            ))));
        };
        let bytes: Vec<u8> = match delivery.header(headers::BLOB) {
            Some(blob) => bus
                .fetch_blob(&blob)
                .await
                .map_err(|message| Transient::broker("blob_fetch", message).at(Stage::Clean))?,
            None => delivery.payload.to_vec(),
        };
        Ok(Ok(RawParts {
            id,
            source,
            received_at,
            format,
            bytes,
            version: version(delivery),
            url: delivery
                .header(headers::URL)
                .map(|value| headers::decode(&value)),
            fetched_at: delivery.header(headers::FETCHED_AT),
            charset: delivery.header(headers::CHARSET),
        }))
    }

    /// The clean stage on it (on the calling thread).
    fn clean(&self, pipeline: &Pipeline) -> Result<Record, Box<ErrorRecord>> {
        let raw = RawInput {
            id: &self.id,
            source: &self.source,
            received_at: &self.received_at,
            format: self.format,
            bytes: &self.bytes,
            hints: Hints {
                url: self.url.as_deref(),
                fetched_at: self.fetched_at.as_deref(),
                charset: self.charset.as_deref(),
            },
        };
        pipeline.clean(&raw).map(|mut record| {
            record.version = self.version;
            record
        })
    }
}

/// raw → clean.
pub struct CleanHandler {
    pub pipeline: Arc<Pipeline>,
    pub subjects: Subjects,
    pub bus: Bus,
}

impl Handler for CleanHandler {
    async fn handle(&self, delivery: Delivery) -> Result<Outcome, Transient> {
        let raw = match RawParts::of(&delivery, &self.bus).await? {
            Ok(raw) => raw,
            Err(outcome) => return Ok(outcome),
        };
        let pipeline = self.pipeline.clone();
        let cleaned = blocking(move || raw.clean(&pipeline)).await?;
        match cleaned {
            Ok(record) => Ok(Outcome::Forward(Forward {
                subject: self.subjects.clean(),
                message_id: format!("clean:{}:v{}", record.id, record.version),
                headers: carry_headers(&delivery.headers),
                payload: encode_record(&record)?,
            })),
            Err(error_record) => Ok(Outcome::Reject(*error_record)),
        }
    }
}

/// raw → results.<topic>: the three stages one after another in this process (`workers.fused`),
/// the story decided through the shared story log. The output is the record the separate
/// stages would publish, with the same message id; nothing goes to the intermediate subjects.
pub struct FusedHandler {
    pub pipeline: Arc<Pipeline>,
    pub subjects: Subjects,
    pub bus: Bus,
    pub stories: Arc<StoryService>,
}

impl Handler for FusedHandler {
    async fn handle(&self, delivery: Delivery) -> Result<Outcome, Transient> {
        let raw = match RawParts::of(&delivery, &self.bus).await? {
            Ok(raw) => raw,
            Err(outcome) => return Ok(outcome),
        };
        let pipeline = self.pipeline.clone();
        let processed = blocking(move || {
            raw.clean(&pipeline).map(|mut record| {
                pipeline.classify(&mut record);
                pipeline.extract(&mut record);
                record
            })
        })
        .await?;
        let mut record = match processed {
            Ok(record) => record,
            Err(error_record) => return Ok(Outcome::Reject(*error_record)),
        };
        self.stories
            .assign(&mut record)
            .await
            .map_err(|message| Transient::broker("story_log", message).at(Stage::Extract))?;
        result_forward(&self.subjects, &delivery, &record)
    }
}

/// Where a finished record goes: `results.<topic>`, id `result:<id>:v<version>`.
fn result_forward(
    subjects: &Subjects,
    delivery: &Delivery,
    record: &Record,
) -> Result<Outcome, Transient> {
    let topic = record.topic.as_ref().map(|topic| topic.label.as_str());
    Ok(Outcome::Forward(Forward {
        subject: subjects.result(topic),
        message_id: format!("result:{}:v{}", record.id, record.version),
        headers: carry_headers(&delivery.headers),
        payload: encode_record(record)?,
    }))
}

/// clean → classified.
pub struct ClassifyHandler {
    pub pipeline: Arc<Pipeline>,
    pub subjects: Subjects,
}

impl Handler for ClassifyHandler {
    async fn handle(&self, delivery: Delivery) -> Result<Outcome, Transient> {
        let mut record = match decode_record(&delivery, Stage::Classify) {
            Ok(record) => record,
            Err(outcome) => return Ok(*outcome),
        };
        let pipeline = self.pipeline.clone();
        let record = blocking(move || {
            pipeline.classify(&mut record);
            record
        })
        .await?;
        Ok(Outcome::Forward(Forward {
            subject: self.subjects.classified(),
            message_id: format!("classify:{}:v{}", record.id, record.version),
            headers: carry_headers(&delivery.headers),
            payload: encode_record(&record)?,
        }))
    }
}

/// classified → results.<topic>, with the story decided through the shared story log.
pub struct ExtractHandler {
    pub pipeline: Arc<Pipeline>,
    pub subjects: Subjects,
    pub stories: Arc<StoryService>,
}

impl Handler for ExtractHandler {
    async fn handle(&self, delivery: Delivery) -> Result<Outcome, Transient> {
        let mut record = match decode_record(&delivery, Stage::Extract) {
            Ok(record) => record,
            Err(outcome) => return Ok(*outcome),
        };
        let pipeline = self.pipeline.clone();
        let mut record = blocking(move || {
            pipeline.extract(&mut record);
            record
        })
        .await?;
        self.stories
            .assign(&mut record)
            .await
            .map_err(|message| Transient::broker("story_log", message))?;
        result_forward(&self.subjects, &delivery, &record)
    }
}
