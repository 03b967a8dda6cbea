//! The generic stage runner against a real nats-server: forwarding with dedup ids, rejects,
//! retries with dead-lettering, and the watcher's publisher (including the object store path).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{self, DeliverPolicy};
use bytes::Bytes;
use futures::StreamExt;
use newsflow_bus::publisher::{fetch_blob, JetStreamSink};
use newsflow_bus::runner::{
    carry_headers, run_stage, Delivery, Forward, Handler, Outcome, RunnerOptions, StageStats,
    Transient,
};
use newsflow_bus::server::{NatsServer, ServerOptions};
use newsflow_bus::{headers, Subjects};
use newsflow_config::NatsConfig;
use newsflow_model::{ErrorRecord, Format, Stage};
use newsflow_watch::{Found, FoundArticle, Sink};
use tokio_util::sync::CancellationToken;

/// Upper-cases the payload; rejects "bad"; fails transiently on "flaky" every time.
struct TestStage {
    subjects: Subjects,
    calls: AtomicU64,
}

impl Handler for TestStage {
    async fn handle(&self, delivery: Delivery) -> Result<Outcome, Transient> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let id = delivery.header(headers::ID).unwrap_or_default();
        let text = String::from_utf8_lossy(&delivery.payload).into_owned();
        match text.as_str() {
            "bad" => Ok(Outcome::Reject(ErrorRecord::new(
                id,
                "bad.txt",
                Stage::Clean,
                "empty",
                "nothing in it",
            ))),
            "flaky" => Err(Transient::new("flaky", "always fails")),
            _ => Ok(Outcome::Forward(Forward {
                subject: self.subjects.clean(),
                message_id: format!("clean:{id}"),
                headers: carry_headers(&delivery.headers),
                payload: Bytes::from(text.to_uppercase()),
            })),
        }
    }
}

async fn read_all(
    js: &async_nats::jetstream::Context,
    stream: &str,
    filter: &str,
    expected: usize,
) -> Vec<(String, Bytes)> {
    let stream = js.get_stream(stream).await.unwrap();
    let consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: filter.to_string(),
            deliver_policy: DeliverPolicy::All,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut messages = consumer.messages().await.unwrap();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let wait = if out.len() >= expected {
            Duration::from_millis(700)
        } else {
            deadline.saturating_duration_since(tokio::time::Instant::now())
        };
        match tokio::time::timeout(wait, messages.next()).await {
            Ok(Some(Ok(message))) => {
                out.push((message.subject.to_string(), message.payload.clone()))
            }
            _ => break,
        }
    }
    out
}

fn article(id: &str, text: &str) -> Found {
    Found::Article(FoundArticle {
        id: id.to_string(),
        source: format!("dir/{id}\nname.txt"),
        format: Format::Txt,
        bytes: text.as_bytes().to_vec(),
        received_at: "2026-01-01T00:00:00Z".to_string(),
        hints: Default::default(),
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn runner_forwards_rejects_and_dead_letters_exactly_once() {
    let store = tempfile::tempdir().unwrap();
    let server = NatsServer::start(ServerOptions::new(store.path())).unwrap();
    let config = NatsConfig::default();
    let client = newsflow_bus::connect(server.url(), &config, "test")
        .await
        .unwrap();
    let js = newsflow_bus::jetstream(client);
    let subjects = Subjects::new("newsflow");
    newsflow_bus::ensure_streams(&js, &subjects, &config)
        .await
        .unwrap();

    let sink = JetStreamSink::new(js.clone(), subjects.clone(), 1);
    sink.deliver(article("a1", "hello")).await.unwrap();
    // The same article again: the duplicate window stores it once.
    sink.deliver(article("a1", "hello")).await.unwrap();
    sink.deliver(article("a2", "world")).await.unwrap();
    sink.deliver(article("b1", "bad")).await.unwrap();
    sink.deliver(article("f1", "flaky")).await.unwrap();

    let handler = Arc::new(TestStage {
        subjects: subjects.clone(),
        calls: AtomicU64::new(0),
    });
    let stats = Arc::new(StageStats::default());
    let cancel = CancellationToken::new();
    let options = RunnerOptions {
        stage: Stage::Clean,
        concurrency: 2,
        batch: 128,
        expires: Duration::from_secs(2),
        max_deliver: 3,
        ack_wait: Duration::from_secs(5),
        max_ack_pending: 1000,
        backoff: Duration::from_millis(50),
    };
    let worker = tokio::spawn(run_stage(
        js.clone(),
        subjects.clone(),
        options,
        handler.clone(),
        stats.clone(),
        cancel.clone(),
    ));

    let cleaned = read_all(&js, "NEWSFLOW_ARTICLES", "newsflow.articles.clean", 2).await;
    let mut payloads: Vec<String> = cleaned
        .iter()
        .map(|(_, payload)| String::from_utf8_lossy(payload).into_owned())
        .collect();
    payloads.sort();
    assert_eq!(payloads, vec!["HELLO", "WORLD"]);

    let errors = read_all(&js, "NEWSFLOW_ERRORS", "newsflow.errors.>", 2).await;
    assert_eq!(errors.len(), 2, "{errors:?}");
    let records: Vec<ErrorRecord> = errors
        .iter()
        .map(|(_, payload)| serde_json::from_slice(payload).unwrap())
        .collect();
    let bad = records.iter().find(|r| r.id == "b1").unwrap();
    assert_eq!(bad.error.kind, "empty");
    assert_eq!(bad.attempts, 1, "a rejected input is not retried");
    let flaky = records.iter().find(|r| r.id == "f1").unwrap();
    assert_eq!(flaky.error.kind, "flaky");
    assert_eq!(
        flaky.attempts, 3,
        "a transient failure is retried max_deliver times"
    );
    assert_eq!(
        flaky.source, "dir/f1\nname.txt",
        "source survives header encoding"
    );

    cancel.cancel();
    worker.await.unwrap().unwrap();
    assert_eq!(stats.done.load(Ordering::Relaxed), 2);
    assert_eq!(stats.dead.load(Ordering::Relaxed), 1);
    assert_eq!(stats.rejected.load(Ordering::Relaxed), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn articles_above_max_payload_travel_through_the_object_store() {
    let store = tempfile::tempdir().unwrap();
    let mut options = ServerOptions::new(store.path());
    options.max_payload = 64 * 1024;
    let server = NatsServer::start(options).unwrap();
    let config = NatsConfig::default();
    let client = newsflow_bus::connect(server.url(), &config, "test")
        .await
        .unwrap();
    let js = newsflow_bus::jetstream(client);
    let subjects = Subjects::new("newsflow");
    newsflow_bus::ensure_streams(&js, &subjects, &config)
        .await
        .unwrap();
    let big = "x".repeat(200 * 1024);
    let sink = JetStreamSink::new(js.clone(), subjects.clone(), 1);
    sink.deliver(article("big1", &big)).await.unwrap();
    let stream = js.get_stream("NEWSFLOW_ARTICLES").await.unwrap();
    let message = stream
        .get_last_raw_message_by_subject("newsflow.articles.raw")
        .await
        .unwrap();
    assert!(message.payload.is_empty());
    let blob = message.headers.get(headers::BLOB).unwrap().to_string();
    let bytes = fetch_blob(&js, &subjects, &blob).await.unwrap();
    assert_eq!(bytes.len(), big.len());
}
