//! Progress of a running `newsflow up`/`worker`/`watch`: live bars on a terminal (indicatif),
//! a structured log line every few seconds otherwise (or with `--log-format json`).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio_util::sync::CancellationToken;

use crate::observe::{Observer, StageView, Status};

static BARS: OnceLock<MultiProgress> = OnceLock::new();

/// The live bars, once they are drawn (log lines step around them).
pub fn bars() -> Option<&'static MultiProgress> {
    BARS.get()
}

/// Writes a line to stdout; while the bars are drawn, above them (the bars are cleared, the line
/// written, the bars drawn again below it), never into them.
pub fn print_above_bars(line: &str) {
    use std::io::Write;
    let write = || {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{line}");
        let _ = stdout.flush();
    };
    match bars() {
        Some(bars) => bars.suspend(write),
        None => write(),
    }
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

fn summary(snapshot: &Status) -> String {
    let mut line = String::new();
    if let Some(watch) = &snapshot.watch {
        line.push_str(&format!(
            "files: {} published, {} rejected, {} duplicate, {} already published, {} too young, \
             {:.1}/s; ",
            watch.published,
            watch.rejected,
            watch.duplicates,
            watch.already_published,
            watch.too_young,
            watch.rate
        ));
        if watch.bulk_published + watch.bulk_skipped + watch.bulk_failed > 0 {
            line.push_str(&format!(
                "bulk records: {} published, {} skipped, {} failed; ",
                watch.bulk_published, watch.bulk_skipped, watch.bulk_failed
            ));
        }
        for file in &watch.bulk_files {
            line.push_str(&format!("reading {}; ", file.line()));
        }
        if watch.pace.paused {
            line.push_str(&format!("{}; ", watch.pace.line()));
        }
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
        let mut previous = Counts::of(&observer.status());
        let mut previous_at = std::time::Instant::now();
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
            let mut snapshot = observer.status();
            let now = Counts::of(&snapshot);
            now.rates_since(&previous, previous_at.elapsed(), &mut snapshot);
            previous = now;
            previous_at = std::time::Instant::now();
            let line = summary(&snapshot);
            if line != last && !line.is_empty() {
                tracing::info!(summary = %line, "progress");
                last = line;
            }
        }
    });
}

/// What was finished so far, to turn two snapshots into rates over the interval between log
/// lines (the observer's own rates cover its last poll only, and read 0 between bursts).
struct Counts {
    files: u64,
    stages: Vec<u64>,
}

impl Counts {
    fn of(snapshot: &Status) -> Counts {
        Counts {
            files: snapshot.watch.as_ref().map_or(0, |watch| {
                watch.published + watch.rejected + watch.duplicates + watch.already_published
            }),
            stages: snapshot
                .stages
                .iter()
                .map(|stage| stage.done + stage.rejected + stage.failed)
                .collect(),
        }
    }

    /// Writes into `snapshot` the rates per second since `before`, `elapsed` ago.
    fn rates_since(&self, before: &Counts, elapsed: Duration, snapshot: &mut Status) {
        let seconds = elapsed.as_secs_f64().max(1e-3);
        if let Some(watch) = snapshot.watch.as_mut() {
            watch.rate = self.files.saturating_sub(before.files) as f64 / seconds;
        }
        for (index, stage) in snapshot.stages.iter_mut().enumerate() {
            let now = self.stages.get(index).copied().unwrap_or(0);
            let then = before.stages.get(index).copied().unwrap_or(now);
            stage.rate = now.saturating_sub(then) as f64 / seconds;
        }
    }
}

/// A stage bar's position and length: what this process finished, and that plus what is still
/// to finish (the consumer's backlog as of now, or what is in hand here when that is more).
fn bar_counts(stage: &StageView) -> (u64, u64) {
    let finished = stage.done + stage.rejected + stage.failed;
    let waiting = stage.waiting.unwrap_or(0).max(stage.in_flight);
    (finished, finished + waiting)
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
            let snapshot = observer.status();
            if let (Some(bar), Some(watch)) = (&files, &snapshot.watch) {
                let bulk = watch
                    .bulk_files
                    .iter()
                    .map(|file| format!("; reading {}", file.line()))
                    .collect::<String>();
                let bulk = if watch.pace.paused {
                    format!("{bulk}; {}", watch.pace.line())
                } else {
                    bulk
                };
                bar.set_message(format!(
                    "{} published, {} rejected, {} duplicate, {} already published, {} too young, {} error records, {:.1}/s{bulk}",
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
                let (position, length) = bar_counts(stage);
                bar.set_length(length);
                bar.set_position(position);
                bar.set_message(format!(
                    "{} rejected, {} failed, {} waiting, {:.1}/s",
                    stage.rejected,
                    stage.failed,
                    length - position,
                    stage.rate
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{StageView, WatchView};

    fn snapshot(files: u64, done: u64) -> Status {
        Status {
            nats_connected: true,
            uptime_secs: 0,
            watch: Some(WatchView {
                published: files,
                ..WatchView::default()
            }),
            watchers: Vec::new(),
            stages: vec![StageView {
                stage: "clean".to_string(),
                done,
                ..StageView::default()
            }],
            results_stored: None,
            errors_stored: None,
        }
    }

    #[test]
    fn log_line_rates_cover_the_interval_between_lines() {
        let before = Counts::of(&snapshot(10, 4));
        let mut now = snapshot(60, 29);
        Counts::of(&now).rates_since(&before, Duration::from_secs(5), &mut now);
        assert!((now.watch.as_ref().unwrap().rate - 10.0).abs() < 1e-9);
        assert!((now.stages[0].rate - 5.0).abs() < 1e-9);
        let line = summary(&now);
        assert!(
            line.contains("60 published") && line.contains("5.0/s"),
            "{line}"
        );
    }

    #[test]
    fn a_bar_is_as_long_as_finished_and_still_waiting() {
        let stage = StageView {
            done: 29,
            rejected: 1,
            // Polled when 12 had finished: 18 left then, none now.
            pending: Some(15),
            ack_pending: Some(3),
            waiting: Some(0),
            ..StageView::default()
        };
        assert_eq!(bar_counts(&stage), (30, 30));
        let busy = StageView {
            done: 5,
            waiting: Some(2),
            in_flight: 4,
            ..StageView::default()
        };
        assert_eq!(bar_counts(&busy), (5, 9), "in hand here but not polled yet");
    }
}
