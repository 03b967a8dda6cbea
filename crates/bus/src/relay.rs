//! The bare-broker anchor of `newsflow bench`: three relay hops of 5 KB messages (publish →
//! pull → publish onward → await its ack → ack), no work, against the same kind of server as
//! the pipeline run, so the pipeline's rate can be read against what the broker alone does.

use std::time::{Duration, Instant};

use async_nats::jetstream::{consumer, message::PublishMessage, stream};
use bytes::Bytes;
use futures::StreamExt;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::BusError;

fn request_error(err: impl std::fmt::Display) -> BusError {
    BusError::Request(err.to_string())
}

/// Relays `messages` messages through three hops on the server at `url` (stream `RELAY`), each
/// hop acking its input only after the onward publish is acked; returns messages per second.
pub async fn bare_relay(url: &str, messages: usize) -> Result<f64, BusError> {
    let client = async_nats::connect(url)
        .await
        .map_err(|err| BusError::Connect {
            url: newsflow_config::redact_url(url),
            message: err.to_string(),
        })?;
    let js = crate::jetstream(client);
    js.create_or_update_stream(stream::Config {
        name: "RELAY".to_string(),
        subjects: vec!["relay.>".to_string()],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .map_err(|err| BusError::Stream {
        stream: "RELAY".to_string(),
        message: err.to_string(),
    })?;
    let payload = Bytes::from(vec![b'x'; 5 * 1024]);
    let hops = [
        ("relay.raw", "relay.clean"),
        ("relay.clean", "relay.classified"),
        ("relay.classified", "relay.results"),
    ];
    let cancel = CancellationToken::new();
    let mut tasks = JoinSet::new();
    for (index, (input, output)) in hops.iter().enumerate() {
        let js = js.clone();
        let cancel = cancel.clone();
        let input = input.to_string();
        let output = output.to_string();
        tasks.spawn(async move {
            let stream = js.get_stream("RELAY").await.map_err(request_error)?;
            let consumer = stream
                .create_consumer(consumer::pull::Config {
                    durable_name: Some(format!("hop{index}")),
                    filter_subject: input,
                    ack_policy: consumer::AckPolicy::Explicit,
                    max_ack_pending: 20_000,
                    ..Default::default()
                })
                .await
                .map_err(request_error)?;
            let messages = consumer
                .stream()
                .max_messages_per_batch(256)
                .expires(Duration::from_secs(2))
                .heartbeat(Duration::from_secs(1))
                .messages()
                .await
                .map_err(request_error)?;
            let relay = messages
                .take_until(cancel.cancelled_owned())
                .for_each_concurrent(256, |message| {
                    let js = js.clone();
                    let output = output.clone();
                    async move {
                        let Ok(message) = message else { return };
                        let id = message.info().map(|info| info.stream_sequence).unwrap_or(0);
                        let publish = PublishMessage::build()
                            .payload(message.payload.clone())
                            .message_id(format!("{output}:{id}"));
                        if let Ok(ack) = js.send_publish(output, publish).await {
                            if ack.await.is_ok() {
                                let _ = message.ack().await;
                            }
                        }
                    }
                });
            relay.await;
            Ok::<(), BusError>(())
        });
    }
    let start = Instant::now();
    let mut acks = Vec::with_capacity(1024);
    for n in 0..messages {
        let publish = PublishMessage::build()
            .payload(payload.clone())
            .message_id(format!("m{n}"));
        acks.push(
            js.send_publish("relay.raw", publish)
                .await
                .map_err(request_error)?,
        );
        if acks.len() >= 1024 {
            for ack in acks.drain(..) {
                ack.await.map_err(request_error)?;
            }
        }
    }
    for ack in acks.drain(..) {
        ack.await.map_err(request_error)?;
    }
    let mut stream = js.get_stream("RELAY").await.map_err(request_error)?;
    loop {
        // raw, clean, classified and results copies of every message: done at 4 × messages.
        let stored = stream.info().await.map_err(request_error)?.state.messages;
        if stored >= 4 * messages as u64 {
            break;
        }
        if start.elapsed() >= Duration::from_secs(600) {
            return Err(BusError::Request("relay did not finish".to_string()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = messages as f64 / start.elapsed().as_secs_f64();
    cancel.cancel();
    while tasks.join_next().await.is_some() {}
    Ok(rate)
}
