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

/// raw → clean.
pub struct CleanHandler {
    pub pipeline: Arc<Pipeline>,
    pub subjects: Subjects,
    pub bus: Bus,
}

impl Handler for CleanHandler {
    async fn handle(&self, delivery: Delivery) -> Result<Outcome, Transient> {
        let (id, source) = identity(&delivery);
        let received_at = header_or_empty(&delivery, headers::RECEIVED_AT);
        let format_name = header_or_empty(&delivery, headers::FORMAT);
        let Some(format) = Format::parse(&format_name) else {
            return Ok(Outcome::Reject(ErrorRecord::new(
                id,
                source,
                Stage::Clean,
                "unsupported_format",
                format!("unknown format header '{format_name}'"),
            )));
        };
        let bytes: Vec<u8> = match delivery.header(headers::BLOB) {
            Some(blob) => self
                .bus
                .fetch_blob(&blob)
                .await
                .map_err(|message| Transient::broker("blob_fetch", message))?,
            None => delivery.payload.to_vec(),
        };
        let pipeline = self.pipeline.clone();
        let version = version(&delivery);
        let url = delivery
            .header(headers::URL)
            .map(|value| headers::decode(&value));
        let fetched_at = delivery.header(headers::FETCHED_AT);
        let charset = delivery.header(headers::CHARSET);
        let cleaned = {
            let id = id.clone();
            let source = source.clone();
            blocking(move || {
                let raw = RawInput {
                    id: &id,
                    source: &source,
                    received_at: &received_at,
                    format,
                    bytes: &bytes,
                    hints: Hints {
                        url: url.as_deref(),
                        fetched_at: fetched_at.as_deref(),
                        charset: charset.as_deref(),
                    },
                };
                pipeline.clean(&raw).map(|mut record| {
                    record.version = version;
                    record
                })
            })
            .await?
        };
        match cleaned {
            Ok(record) => Ok(Outcome::Forward(Forward {
                subject: self.subjects.clean(),
                message_id: format!("clean:{id}:v{version}"),
                headers: carry_headers(&delivery.headers),
                payload: encode_record(&record)?,
            })),
            Err(error_record) => Ok(Outcome::Reject(*error_record)),
        }
    }
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
        let topic = record.topic.as_ref().map(|topic| topic.label.clone());
        Ok(Outcome::Forward(Forward {
            subject: self.subjects.result(topic.as_deref()),
            message_id: format!("result:{}:v{}", record.id, record.version),
            headers: carry_headers(&delivery.headers),
            payload: encode_record(&record)?,
        }))
    }
}
