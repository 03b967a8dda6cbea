//! Pacing the watcher by the workers (`watch.max_backlog`), not only by the stream's acks.
//!
//! Publish acks say the broker stored an article, not that anyone processed it: a 1 GB WARC
//! went into the stream 3.5× faster than the stages took it (nats-server at 3.5 GiB RSS). The
//! [`Pacer`] gives the watcher's sink credit for `max_backlog` articles in the pipeline: the
//! articles waiting at, or being worked on by, any stage consumer (`num_pending` +
//! `num_ack_pending`, summed over the stages). [`run_pacer`] asks the broker every
//! [`POLL_EVERY`] and sets the credit to the limit less the backlog less what the watcher
//! published since the question was asked, so the backlog stays near the limit however fast
//! the watcher reads; the watcher waits in `Sink::room` when the credit is spent.
//!
//! A stage with no consumer yet (no worker has started) counts the messages of its input
//! subject in the stream: what its first worker would be given.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use futures::StreamExt;
use newsflow_model::Stage;
use newsflow_watch::WatchStats;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::Subjects;

/// How often the backlog is asked for while the watcher runs.
pub const POLL_EVERY: Duration = Duration::from_millis(500);

/// The stages whose consumers make up the backlog.
const STAGES: [Stage; 3] = [Stage::Clean, Stage::Classify, Stage::Extract];

/// Credit for articles the watcher may hand on before downstream takes more.
#[derive(Debug)]
pub struct Pacer {
    max_backlog: u64,
    credit: Semaphore,
    /// Articles the watcher took credit for, ever.
    taken: AtomicU64,
    stats: Arc<WatchStats>,
}

impl Pacer {
    /// A pacer for at most `max_backlog` articles in the pipeline (at least 1). It has no
    /// credit until the first backlog is set.
    pub fn new(max_backlog: u64, stats: Arc<WatchStats>) -> Pacer {
        let max_backlog = max_backlog.max(1);
        stats.pace.limit.store(max_backlog, Ordering::Relaxed);
        Pacer {
            max_backlog,
            credit: Semaphore::new(0),
            taken: AtomicU64::new(0),
            stats,
        }
    }

    pub fn max_backlog(&self) -> u64 {
        self.max_backlog
    }

    /// Waits for credit for one article and takes it.
    pub async fn take(&self) {
        if let Ok(permit) = self.credit.acquire().await {
            permit.forget();
            self.taken.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Articles taken so far: read before asking for the backlog, handed to
    /// [`Pacer::set_backlog`] with the answer.
    pub fn taken(&self) -> u64 {
        self.taken.load(Ordering::Relaxed)
    }

    /// Downstream holds `backlog` articles, as asked when `taken_before` had been taken: the
    /// credit becomes what is left of the limit, less what was taken since (those are not in
    /// the answer yet).
    pub fn set_backlog(&self, backlog: u64, taken_before: u64) {
        self.stats.pace.backlog.store(backlog, Ordering::Relaxed);
        let since = self.taken().saturating_sub(taken_before);
        let credit = self
            .max_backlog
            .saturating_sub(backlog)
            .saturating_sub(since) as usize;
        let available = self.credit.available_permits();
        if credit > available {
            self.credit.add_permits(credit - available);
        } else if credit < available {
            self.credit.forget_permits(available - credit);
        }
    }

    /// Credit left now.
    pub fn credit(&self) -> usize {
        self.credit.available_permits()
    }
}

/// Articles in the pipeline: for every stage, its consumer's `num_pending` +
/// `num_ack_pending`, or the messages on its input subject when it has no consumer yet.
pub async fn pipeline_backlog(js: &jetstream::Context, subjects: &Subjects) -> Result<u64, String> {
    let stream_name = subjects.articles_stream();
    let stream = js
        .get_stream(&stream_name)
        .await
        .map_err(|err| format!("stream {stream_name}: {err}"))?;
    let mut backlog = 0u64;
    for stage in STAGES {
        let durable = subjects.durable(stage);
        match stream.consumer_info(&durable).await {
            Ok(info) => backlog += info.num_pending + info.num_ack_pending as u64,
            Err(err) if err.kind() == jetstream::context::ConsumerInfoErrorKind::NotFound => {
                let Some(input) = subjects.stage_input(stage) else {
                    continue;
                };
                let mut counts = stream
                    .info_with_subjects(&input)
                    .await
                    .map_err(|err| format!("stream {stream_name} subjects: {err}"))?;
                while let Some(entry) = counts.next().await {
                    let (_, count) =
                        entry.map_err(|err| format!("stream {stream_name} subjects: {err}"))?;
                    backlog += count as u64;
                }
            }
            Err(err) => return Err(format!("consumer {durable}: {err}")),
        }
    }
    Ok(backlog)
}

/// Keeps the pacer's credit up to date until `cancel` fires. A failed question leaves the
/// credit as it is (the watcher pauses when it is spent) and is logged once per failure run.
pub async fn run_pacer(
    js: jetstream::Context,
    subjects: Subjects,
    pacer: Arc<Pacer>,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    let mut paused = false;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let taken_before = pacer.taken();
        match pipeline_backlog(&js, &subjects).await {
            Ok(backlog) => {
                if failing {
                    tracing::info!(backlog, "pipeline backlog readable again");
                    failing = false;
                }
                pacer.set_backlog(backlog, taken_before);
                // Paused when the credit is spent (the backlog itself stays just under the
                // limit: the credit keeps it there); resumed once the workers have taken a
                // quarter of it, so that a steady drain is not a line every poll.
                let full = if paused {
                    backlog > pacer.max_backlog() * 3 / 4
                } else {
                    pacer.credit() == 0
                };
                if full != paused {
                    paused = full;
                    if full {
                        tracing::info!(
                            backlog,
                            max_backlog = pacer.max_backlog(),
                            "watcher paused: the pipeline's backlog is at watch.max_backlog"
                        );
                    } else {
                        tracing::info!(
                            backlog,
                            max_backlog = pacer.max_backlog(),
                            "watcher resumed: the backlog is under watch.max_backlog"
                        );
                    }
                }
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(%error, "cannot read the pipeline's backlog: the watcher publishes only the credit it has (set watch.max_backlog = 0 to publish unpaced)");
                    failing = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_is_the_limit_less_the_backlog_less_what_was_taken_since() {
        let stats = Arc::new(WatchStats::default());
        let pacer = Pacer::new(100, stats.clone());
        assert_eq!(pacer.credit(), 0, "no credit before the first answer");
        pacer.set_backlog(30, 0);
        assert_eq!(pacer.credit(), 70);
        assert_eq!(stats.pace.backlog.load(Ordering::Relaxed), 30);
        assert_eq!(stats.pace.limit.load(Ordering::Relaxed), 100);
        // Over the limit: no credit at all.
        pacer.set_backlog(150, 0);
        assert_eq!(pacer.credit(), 0);
        pacer.set_backlog(0, 0);
        assert_eq!(pacer.credit(), 100);
    }

    #[tokio::test]
    async fn articles_taken_while_asking_are_not_granted_twice() {
        let pacer = Pacer::new(10, Arc::new(WatchStats::default()));
        pacer.set_backlog(0, 0);
        let before = pacer.taken();
        for _ in 0..4 {
            pacer.take().await;
        }
        // The answer was asked before the 4 were taken: they are not in it.
        pacer.set_backlog(0, before);
        assert_eq!(pacer.credit(), 6);
        // A later answer that includes them.
        pacer.set_backlog(4, pacer.taken());
        assert_eq!(pacer.credit(), 6);
    }

    #[tokio::test]
    async fn take_waits_for_credit() {
        let pacer = Arc::new(Pacer::new(2, Arc::new(WatchStats::default())));
        pacer.set_backlog(1, 0);
        pacer.take().await;
        let waiting = tokio::spawn({
            let pacer = pacer.clone();
            async move { pacer.take().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished());
        pacer.set_backlog(0, pacer.taken());
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .unwrap()
            .unwrap();
    }
}
