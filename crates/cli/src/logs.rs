//! Log output that can never hold up or kill the process. Lines go through a bounded queue to
//! a writer thread that writes them to stderr (stepping around the live bars). When stderr is
//! closed, a pipe whose reader died, or a reader that stopped reading, the writer thread fails
//! or waits alone: lines that do not fit in the queue are dropped and counted, and the task
//! that logs goes on. (tracing-subscriber's own answer to a failed write is an `eprintln!`,
//! which panics on a broken pipe: a signal task that logged before cancelling died that way,
//! and the daemon ignored every SIGTERM after.)

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::OnceLock;
use std::time::Duration;

/// Lines held while stderr is slow; beyond this they are dropped.
const QUEUE_LINES: usize = 4096;

enum Item {
    Line(Vec<u8>),
    Flush(SyncSender<()>),
}

static QUEUE: OnceLock<SyncSender<Item>> = OnceLock::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);

fn queue() -> &'static SyncSender<Item> {
    QUEUE.get_or_init(|| {
        let (sender, receiver) = mpsc::sync_channel(QUEUE_LINES);
        // Without the thread the receiver is gone and every line is dropped: never an error.
        let _ = std::thread::Builder::new()
            .name("log-writer".to_string())
            .spawn(move || write_lines(receiver));
        sender
    })
}

fn write_lines(receiver: mpsc::Receiver<Item>) {
    let mut stderr = io::stderr();
    for item in receiver {
        match item {
            Item::Line(line) => {
                let dropped = DROPPED.swap(0, Ordering::Relaxed);
                let note = (dropped > 0).then(|| {
                    format!("newsflow: {dropped} log lines dropped (stderr was not being read)\n")
                });
                let write = |stderr: &mut io::Stderr| {
                    if let Some(note) = &note {
                        let _ = stderr.write_all(note.as_bytes());
                    }
                    let _ = stderr.write_all(&line);
                };
                match crate::progress::bars() {
                    Some(bars) => bars.suspend(|| write(&mut stderr)),
                    None => write(&mut stderr),
                }
            }
            Item::Flush(done) => {
                let _ = stderr.flush();
                let _ = done.send(());
            }
        }
    }
}

fn enqueue(line: Vec<u8>) {
    match queue().try_send(Item::Line(line)) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A line for stderr through the same queue as the logs (e.g. the final error of `main`).
pub fn eprint_line(text: &str) {
    enqueue(format!("{text}\n").into_bytes());
}

/// Waits up to `timeout` for the queued lines to be written; false when they were not.
pub fn flush(timeout: Duration) -> bool {
    let (done, finished) = mpsc::sync_channel(1);
    if queue().try_send(Item::Flush(done)).is_err() {
        return false;
    }
    finished.recv_timeout(timeout).is_ok()
}

/// The tracing writer: each formatted event is one `write` of a whole line.
pub struct LogWriter;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;
    fn make_writer(&'a self) -> LogWriter {
        LogWriter
    }
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        enqueue(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
