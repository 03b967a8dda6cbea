//! Progress of a running `newsflow up`/`worker`/`watch`: live bars on a terminal (indicatif),
//! a structured log line every few seconds otherwise (or with `--log-format json`).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio_util::sync::CancellationToken;

use crate::observe::{Observer, Snapshot, StageView};

static BARS: OnceLock<MultiProgress> = OnceLock::new();

/// The live bars, once they are drawn (log lines step around them).
pub fn bars() -> Option<&'static MultiProgress> {
    BARS.get()
}

/// Shows progress until cancelled: bars when `interactive`, else a log line when it changes.
pub fn spawn(observer: Arc<Observer>, interactive: bool, cancel: CancellationToken) {
    if interactive {
        spawn_bars(observer, cancel);
    } else {
        spawn_log_lines(observer, cancel);
    }
}

fn stage_line(stage: &StageView) -> String {
    format!(
        "{} done, {} rejected, {} failed, {} in flight, {:.1}/s",
        stage.done, stage.rejected, stage.failed, stage.in_flight, stage.rate
    )
}

fn summary(snapshot: &Snapshot) -> String {
    let mut line = String::new();
    if let Some(watch) = &snapshot.watch {
        line.push_str(&format!(
            "files: {} published, {} rejected, {} duplicate, {} already published, {} too young; ",
            watch.published,
            watch.rejected,
            watch.duplicates,
            watch.already_published,
            watch.too_young
        ));
    }
    let stages: Vec<String> = snapshot
        .stages
        .iter()
        .filter(|stage| stage.done + stage.rejected + stage.failed + stage.in_flight > 0)
        .map(|stage| format!("{}: {}", stage.stage, stage_line(stage)))
        .collect();
    line.push_str(&stages.join("; "));
    line
}

fn spawn_log_lines(observer: Arc<Observer>, cancel: CancellationToken) {
    tokio::spawn(async move {
        let mut last = String::new();
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
            let line = summary(&observer.snapshot());
            if line != last && !line.is_empty() {
                tracing::info!(progress = %line, "progress");
                last = line;
            }
        }
    });
}

fn spawn_bars(observer: Arc<Observer>, cancel: CancellationToken) {
    let bars = BARS.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
    let files = observer.local().watch.as_ref().map(|_| {
        let bar = bars.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:<9} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix("files");
        bar
    });
    let style = ProgressStyle::with_template("  {prefix:<9} [{bar:32}] {pos:>7}/{len:<7} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let stages: Vec<ProgressBar> = ["clean", "classify", "extract"]
        .iter()
        .map(|name| {
            let bar = bars.add(ProgressBar::new(0));
            bar.set_style(style.clone());
            bar.set_prefix(*name);
            bar
        })
        .collect();
    tokio::spawn(async move {
        loop {
            let snapshot = observer.snapshot();
            if let (Some(bar), Some(watch)) = (&files, &snapshot.watch) {
                bar.set_message(format!(
                    "{} published, {} rejected, {} duplicate, {} already published, {} too young, {} error records, {:.1}/s",
                    watch.published,
                    watch.rejected,
                    watch.duplicates,
                    watch.already_published,
                    watch.too_young,
                    watch.errors.unwrap_or(0),
                    watch.rate
                ));
                bar.tick();
            }
            for (bar, stage) in stages.iter().zip(&snapshot.stages) {
                let finished = stage.done + stage.rejected + stage.failed;
                let waiting = stage.pending.unwrap_or(0) + stage.ack_pending.unwrap_or(0);
                bar.set_length(finished + waiting.max(stage.in_flight));
                bar.set_position(finished);
                bar.set_message(format!(
                    "{} rejected, {} failed, {} waiting, {:.1}/s",
                    stage.rejected, stage.failed, waiting, stage.rate
                ));
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
        }
        if let Some(bar) = &files {
            bar.finish();
        }
        for bar in &stages {
            bar.finish();
        }
    });
}
