//! The watcher's local state: which files *still in the inbox* it has dealt with, so a restart
//! does not read them again. It holds nothing about content ids (the shared [`crate::Dedup`]
//! store does), so it is proportional to the inbox, not to the watcher's history.
//!
//! Layout: an append-only log of JSON lines in `<state_dir>/watch/<inbox hash>.log`. The first
//! line names the [`Scope`] (inbox and stream) the log belongs to; each further line puts or
//! deletes one file. Changes are appended in batches and fsynced by a blocking-pool thread
//! ([`Checkpoint::begin_write`] hands the work out, the event loop never waits on the disk). When
//! the log holds more than twice the live entries (plus some slack), the next write compacts it:
//! temp file, fsync, rename, fsync of the folder, so a crash leaves the old or the new log.
//!
//! A torn last line (a crash mid-append) is dropped on load: it only loses a record that was
//! not yet confirmed, and a file missing from the state is read again and then recognised as
//! already published by the dedup store or JetStream's duplicate window.
//!
//! Why a log and not an embedded store (redb, sled): the state is a small map that lives in
//! memory anyway; what matters is that a write costs what changed, not the whole map, and that
//! the fsync happens off the event loop. A 60-line log gives both without a dependency, a
//! second file format to recover, or a store-wide lock held across the fsync.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::WatchError;

/// The layout version this build writes (1 was the whole-file JSON checkpoint; 3 added the
/// `pos` record of a bulk file's progress). Logs of version 2 are read as they are.
pub const LOG_VERSION: u32 = 3;

/// What the watcher knows of one file it has dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    pub size: u64,
    pub mtime_ns: i64,
}

/// Whom a checkpoint belongs to: one inbox (its canonical path) and one stream (an identity
/// string from whoever owns the stream; the watcher only compares it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub inbox: String,
    pub stream: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Record {
    Scope {
        version: u32,
        inbox: String,
        stream: String,
    },
    Put {
        source: String,
        size: u64,
        mtime_ns: i64,
    },
    Del {
        source: String,
    },
    /// How far into a bulk file (as `size`/`mtime_ns`) the watcher got: every unit before
    /// `next_index` is published and acknowledged.
    Pos {
        source: String,
        size: u64,
        mtime_ns: i64,
        #[serde(flatten)]
        resume: Resume,
    },
}

pub use newsflow_bulk::Resume;

/// Where the log of the inbox at `canonical_inbox` lives under `state_dir`: one log per inbox,
/// so two inboxes sharing a state_dir never read each other's state.
pub fn log_path(state_dir: &Path, canonical_inbox: &Path) -> PathBuf {
    let inbox = canonical_inbox.to_string_lossy();
    let hash = newsflow_model::article_id(inbox.as_bytes());
    state_dir.join("watch").join(format!("{}.log", &hash[..16]))
}

/// The watcher's state, in memory, with the changes not yet on disk.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    scope: Scope,
    files: HashMap<String, FileState>,
    /// Bulk files part-way published: where to go on (cleared when the file is done or gone).
    progress: HashMap<String, (FileState, Resume)>,
    /// Encoded records not yet handed to a write.
    pending: Vec<u8>,
    /// Records in the log file on disk (header excluded): compaction is due when it is much
    /// larger than `files`.
    records_on_disk: usize,
    /// Records in `pending`.
    records_pending: usize,
    /// The next write must rewrite the log from memory (new log, another scope, or a failed
    /// append that may have left half a line).
    needs_rewrite: bool,
    /// Bytes of the log file after the last write.
    bytes_on_disk: u64,
    /// The open log (None while a write has it, or before the first write).
    writer: Option<std::fs::File>,
    write_in_flight: bool,
}

/// What loading found.
#[derive(Debug)]
pub struct Loaded {
    pub checkpoint: Checkpoint,
    /// Why an existing log was not applied (another inbox, another stream, an older layout).
    pub discarded: Option<String>,
}

impl Checkpoint {
    /// Loads the log at `path` if it belongs to `scope`; otherwise starts empty and says why.
    pub fn load(path: &Path, scope: Scope) -> Result<Loaded, WatchError> {
        let error = |message: String| WatchError::Checkpoint {
            path: path.to_path_buf(),
            message,
        };
        let mut checkpoint = Checkpoint {
            path: path.to_path_buf(),
            scope: scope.clone(),
            files: HashMap::new(),
            progress: HashMap::new(),
            pending: Vec::new(),
            records_on_disk: 0,
            records_pending: 0,
            needs_rewrite: true,
            bytes_on_disk: 0,
            writer: None,
            write_in_flight: false,
        };
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Loaded {
                    checkpoint,
                    discarded: None,
                })
            }
            Err(err) => return Err(error(err.to_string())),
        };
        let bytes_on_disk = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut lines = std::io::BufReader::new(file).split(b'\n').peekable();
        let header = match lines.next() {
            Some(line) => line.map_err(|err| error(err.to_string()))?,
            None => Vec::new(),
        };
        match serde_json::from_slice::<Record>(&header) {
            Ok(Record::Scope {
                version,
                inbox,
                stream,
            }) => {
                let reason = if version != LOG_VERSION && version != 2 {
                    Some(format!("written in layout version {version}"))
                } else if inbox != scope.inbox {
                    Some(format!("it belongs to another inbox ({inbox})"))
                } else if stream != scope.stream {
                    Some(format!(
                        "it belongs to another stream ({stream}; this one is {}): the stream was \
                         replaced, so every file is offered to it again",
                        scope.stream
                    ))
                } else {
                    None
                };
                if let Some(reason) = reason {
                    return Ok(Loaded {
                        checkpoint,
                        discarded: Some(reason),
                    });
                }
            }
            _ if header.is_empty() && lines.peek().is_none() => {
                return Ok(Loaded {
                    checkpoint,
                    discarded: None,
                })
            }
            _ => return Err(error("first line is not a scope record".to_string())),
        }
        let mut records = 0usize;
        let mut torn = false;
        while let Some(line) = lines.next() {
            let line = line.map_err(|err| error(err.to_string()))?;
            if line.is_empty() {
                continue;
            }
            match serde_json::from_slice::<Record>(&line) {
                Ok(Record::Put {
                    source,
                    size,
                    mtime_ns,
                }) => {
                    checkpoint.progress.remove(&source);
                    checkpoint
                        .files
                        .insert(source, FileState { size, mtime_ns });
                }
                Ok(Record::Del { source }) => {
                    checkpoint.files.remove(&source);
                    checkpoint.progress.remove(&source);
                }
                Ok(Record::Pos {
                    source,
                    size,
                    mtime_ns,
                    resume,
                }) => {
                    checkpoint
                        .progress
                        .insert(source, (FileState { size, mtime_ns }, resume));
                }
                Ok(Record::Scope { .. }) => {
                    return Err(error("a scope record in the middle of the log".to_string()))
                }
                // A crash mid-append leaves the last line torn: that record was never confirmed.
                Err(_) if lines.peek().is_none() => {
                    torn = true;
                    break;
                }
                Err(err) => return Err(error(format!("record {}: {err}", records + 2))),
            }
            records += 1;
        }
        checkpoint.records_on_disk = records;
        checkpoint.bytes_on_disk = bytes_on_disk;
        // A torn tail is cut off by rewriting; otherwise appends go on where the log ends.
        checkpoint.needs_rewrite = torn;
        if !checkpoint.needs_rewrite {
            let writer = std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .map_err(|err| error(err.to_string()))?;
            checkpoint.writer = Some(writer);
        }
        Ok(Loaded {
            checkpoint,
            discarded: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The state of `source`, if it was dealt with.
    pub fn get(&self, source: &str) -> Option<&FileState> {
        self.files.get(source)
    }

    /// Files in the state.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Bytes of the log on disk after the last write.
    pub fn bytes_on_disk(&self) -> u64 {
        self.bytes_on_disk
    }

    /// Sources in the state (for forgetting files gone from the inbox).
    pub fn sources(&self) -> impl Iterator<Item = &String> {
        self.files.keys()
    }

    /// Where a bulk file (as `state`) was left part-way, if it was.
    pub fn progress(&self, source: &str, state: FileState) -> Option<Resume> {
        self.progress
            .get(source)
            .filter(|(at, _)| *at == state)
            .map(|(_, resume)| *resume)
    }

    /// Remembers how far into the bulk file `source` (as `state`) the watcher got; written only
    /// after every unit before `resume.next_index` was acknowledged.
    pub fn set_progress(&mut self, source: String, state: FileState, resume: Resume) {
        if self.progress.get(&source) == Some(&(state, resume)) {
            return;
        }
        self.push(&Record::Pos {
            source: source.clone(),
            size: state.size,
            mtime_ns: state.mtime_ns,
            resume,
        });
        self.progress.insert(source, (state, resume));
    }

    /// Bulk files part-way published.
    pub fn progress_sources(&self) -> impl Iterator<Item = &String> {
        self.progress.keys()
    }

    /// Remembers that `source` (as `state`) was dealt with.
    pub fn put(&mut self, source: String, state: FileState) {
        let had_progress = self.progress.remove(&source).is_some();
        if self.files.get(&source) == Some(&state) && !had_progress {
            return;
        }
        self.push(&Record::Put {
            source: source.clone(),
            size: state.size,
            mtime_ns: state.mtime_ns,
        });
        self.files.insert(source, state);
    }

    /// Forgets `source` (gone from the inbox).
    pub fn remove(&mut self, source: &str) {
        let had_progress = self.progress.remove(source).is_some();
        if self.files.remove(source).is_none() && !had_progress {
            return;
        }
        self.push(&Record::Del {
            source: source.to_string(),
        });
    }

    fn push(&mut self, record: &Record) {
        if let Ok(mut line) = serde_json::to_vec(record) {
            line.push(b'\n');
            self.pending.extend_from_slice(&line);
            self.records_pending += 1;
        }
    }

    /// Whether there is something to write.
    pub fn is_dirty(&self) -> bool {
        self.records_pending > 0 || self.needs_rewrite
    }

    pub fn write_in_flight(&self) -> bool {
        self.write_in_flight
    }

    /// Hands out the next write (None when nothing changed or a write is still running). Run
    /// it with [`StateWrite::run`] on a blocking thread, then give it back to
    /// [`Checkpoint::finish_write`].
    pub fn begin_write(&mut self) -> Option<StateWrite> {
        if self.write_in_flight || !self.is_dirty() {
            return None;
        }
        let live = self.files.len() + self.progress.len();
        let compact = self.needs_rewrite
            || self.writer.is_none()
            || self.records_on_disk + self.records_pending > 2 * live + 1024;
        let kind = if compact {
            let mut bytes = Vec::with_capacity(64 * (live + 1));
            let header = Record::Scope {
                version: LOG_VERSION,
                inbox: self.scope.inbox.clone(),
                stream: self.scope.stream.clone(),
            };
            let mut push = |record: &Record| {
                if let Ok(line) = serde_json::to_vec(record) {
                    bytes.extend_from_slice(&line);
                    bytes.push(b'\n');
                }
            };
            push(&header);
            for (source, state) in &self.files {
                push(&Record::Put {
                    source: source.clone(),
                    size: state.size,
                    mtime_ns: state.mtime_ns,
                });
            }
            for (source, (state, resume)) in &self.progress {
                push(&Record::Pos {
                    source: source.clone(),
                    size: state.size,
                    mtime_ns: state.mtime_ns,
                    resume: *resume,
                });
            }
            WriteKind::Rewrite {
                bytes,
                records: live,
            }
        } else {
            WriteKind::Append {
                bytes: std::mem::take(&mut self.pending),
                records: self.records_pending,
                file: self.writer.take(),
            }
        };
        self.pending.clear();
        self.records_pending = 0;
        self.needs_rewrite = false;
        self.write_in_flight = true;
        Some(StateWrite {
            path: self.path.clone(),
            kind,
            delay: Duration::ZERO,
            outcome: None,
        })
    }

    /// Takes back a finished write. A failed write makes the next one a full rewrite.
    pub fn finish_write(&mut self, write: StateWrite) -> Result<(), WatchError> {
        self.write_in_flight = false;
        match write.outcome {
            Some(Ok(done)) => {
                self.writer = Some(done.file);
                self.bytes_on_disk = done.bytes_on_disk;
                if done.rewritten {
                    self.records_on_disk = done.records;
                } else {
                    self.records_on_disk += done.records;
                }
                Ok(())
            }
            Some(Err(message)) => {
                self.needs_rewrite = true;
                self.writer = None;
                Err(WatchError::Checkpoint {
                    path: self.path.clone(),
                    message,
                })
            }
            None => {
                self.needs_rewrite = true;
                Err(WatchError::Checkpoint {
                    path: self.path.clone(),
                    message: "write was not run".to_string(),
                })
            }
        }
    }

    /// Gives up on a write whose thread died: the next write rewrites the log whole.
    pub fn abandon_write(&mut self) {
        self.write_in_flight = false;
        self.needs_rewrite = true;
        self.writer = None;
    }

    /// Writes everything now, on this thread (for shutdown and tests).
    pub fn flush_blocking(&mut self) -> Result<(), WatchError> {
        while let Some(mut write) = self.begin_write() {
            write.run();
            self.finish_write(write)?;
        }
        Ok(())
    }
}

#[derive(Debug)]
enum WriteKind {
    Append {
        bytes: Vec<u8>,
        records: usize,
        file: Option<std::fs::File>,
    },
    Rewrite {
        bytes: Vec<u8>,
        records: usize,
    },
}

#[derive(Debug)]
struct WriteDone {
    file: std::fs::File,
    bytes_on_disk: u64,
    records: usize,
    rewritten: bool,
}

/// One write of the state: blocking file I/O and an fsync, to run off the event loop.
#[derive(Debug)]
pub struct StateWrite {
    path: PathBuf,
    kind: WriteKind,
    delay: Duration,
    outcome: Option<Result<WriteDone, String>>,
}

impl StateWrite {
    /// Sleeps this long before writing (tests: a slow disk).
    pub fn with_delay(mut self, delay: Duration) -> StateWrite {
        self.delay = delay;
        self
    }

    /// Does the write (blocking).
    pub fn run(&mut self) {
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        let kind = std::mem::replace(
            &mut self.kind,
            WriteKind::Rewrite {
                bytes: Vec::new(),
                records: 0,
            },
        );
        self.outcome = Some(write(&self.path, kind).map_err(|err| err.to_string()));
    }
}

fn write(path: &Path, kind: WriteKind) -> std::io::Result<WriteDone> {
    match kind {
        WriteKind::Append {
            bytes,
            records,
            file,
        } => {
            let mut file = match file {
                Some(file) => file,
                None => std::fs::OpenOptions::new().append(true).open(path)?,
            };
            file.write_all(&bytes)?;
            file.sync_data()?;
            let bytes_on_disk = file.metadata()?.len();
            Ok(WriteDone {
                file,
                bytes_on_disk,
                records,
                rewritten: false,
            })
        }
        WriteKind::Rewrite { bytes, records } => {
            let folder = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(folder)?;
            let temp_path = path.with_extension("tmp");
            let mut temp = std::fs::File::create(&temp_path)?;
            temp.write_all(&bytes)?;
            temp.sync_all()?;
            drop(temp);
            std::fs::rename(&temp_path, path)?;
            if let Ok(dir) = std::fs::File::open(folder) {
                // Best effort: some file systems refuse fsync on folders.
                let _ = dir.sync_all();
            }
            let file = std::fs::OpenOptions::new().append(true).open(path)?;
            Ok(WriteDone {
                file,
                bytes_on_disk: bytes.len() as u64,
                records,
                rewritten: true,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(stream: &str) -> Scope {
        Scope {
            inbox: "/in".to_string(),
            stream: stream.to_string(),
        }
    }

    fn state(size: u64) -> FileState {
        FileState { size, mtime_ns: 42 }
    }

    #[test]
    fn round_trips_through_disk_with_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("watch/state.log");
        let mut checkpoint = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        assert!(checkpoint.is_empty());
        checkpoint.put("a.txt".into(), state(3));
        checkpoint.put("b.txt".into(), state(4));
        checkpoint.flush_blocking().unwrap();
        checkpoint.remove("a.txt");
        checkpoint.put("c.txt".into(), state(5));
        checkpoint.flush_blocking().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 5, "{text}");
        assert!(
            text.starts_with("{\"op\":\"scope\",\"version\":3"),
            "{text}"
        );
        let again = Checkpoint::load(&path, scope("s1")).unwrap();
        assert!(again.discarded.is_none());
        let mut sources: Vec<&String> = again.checkpoint.sources().collect();
        sources.sort();
        assert_eq!(sources, ["b.txt", "c.txt"]);
        assert_eq!(again.checkpoint.get("c.txt"), Some(&state(5)));
    }

    #[test]
    fn bulk_positions_survive_a_reload_and_end_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("watch/state.log");
        let mut checkpoint = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        let at = |next: u64| Resume {
            offset: next * 100,
            index_at_offset: next,
            next_index: next,
            nested: 0,
        };
        checkpoint.set_progress("crawl.warc.gz".into(), state(9000), at(10));
        checkpoint.flush_blocking().unwrap();
        checkpoint.set_progress("crawl.warc.gz".into(), state(9000), at(20));
        checkpoint.flush_blocking().unwrap();
        let mut again = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        assert_eq!(again.progress("crawl.warc.gz", state(9000)), Some(at(20)));
        // another version of the file (size changed) does not resume
        assert_eq!(again.progress("crawl.warc.gz", state(9001)), None);
        // done: the position goes
        again.put("crawl.warc.gz".into(), state(9000));
        again.flush_blocking().unwrap();
        let done = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        assert_eq!(done.progress("crawl.warc.gz", state(9000)), None);
        assert_eq!(done.get("crawl.warc.gz"), Some(&state(9000)));
    }

    #[test]
    fn a_version_2_log_is_still_applied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.log");
        std::fs::write(
            &path,
            "{\"op\":\"scope\",\"version\":2,\"inbox\":\"/in\",\"stream\":\"s1\"}\n\
             {\"op\":\"put\",\"source\":\"a.txt\",\"size\":3,\"mtime_ns\":42}\n",
        )
        .unwrap();
        let loaded = Checkpoint::load(&path, scope("s1")).unwrap();
        assert!(loaded.discarded.is_none());
        assert_eq!(loaded.checkpoint.get("a.txt"), Some(&state(3)));
    }

    #[test]
    fn another_stream_or_inbox_is_not_applied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.log");
        let mut checkpoint = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        checkpoint.put("a.txt".into(), state(3));
        checkpoint.flush_blocking().unwrap();
        let other_stream = Checkpoint::load(&path, scope("s2")).unwrap();
        assert!(other_stream.checkpoint.is_empty());
        let reason = other_stream.discarded.unwrap();
        assert!(reason.contains("another stream (s1"), "{reason}");
        let other_inbox = Checkpoint::load(
            &path,
            Scope {
                inbox: "/elsewhere".to_string(),
                stream: "s1".to_string(),
            },
        )
        .unwrap();
        assert!(other_inbox.checkpoint.is_empty());
        assert!(other_inbox
            .discarded
            .unwrap()
            .contains("another inbox (/in)"));
        // The new owner's first write replaces the old log.
        let mut replaced = Checkpoint::load(&path, scope("s2")).unwrap().checkpoint;
        replaced.put("b.txt".into(), state(1));
        replaced.flush_blocking().unwrap();
        let again = Checkpoint::load(&path, scope("s2")).unwrap();
        assert!(again.discarded.is_none());
        assert_eq!(again.checkpoint.len(), 1);
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_a_corrupt_middle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.log");
        let mut checkpoint = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        checkpoint.put("a.txt".into(), state(3));
        checkpoint.flush_blocking().unwrap();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        file.write_all(b"{\"op\":\"put\",\"sour").unwrap();
        drop(file);
        let mut torn = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        assert_eq!(torn.len(), 1);
        torn.put("b.txt".into(), state(2));
        torn.flush_blocking().unwrap();
        assert_eq!(
            Checkpoint::load(&path, scope("s1"))
                .unwrap()
                .checkpoint
                .len(),
            2
        );
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("\"put\"", "\"pu", 1) + "\n").unwrap();
        assert!(Checkpoint::load(&path, scope("s1")).is_err());
    }

    #[test]
    fn the_log_is_compacted_to_the_live_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.log");
        let mut checkpoint = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        for round in 0..50 {
            for n in 0..100 {
                let source = format!("f{round}-{n}.txt");
                checkpoint.put(source.clone(), state(n));
                checkpoint.remove(&source);
            }
            checkpoint.put(format!("kept{round}.txt"), state(1));
            checkpoint.flush_blocking().unwrap();
        }
        // 10,050 records went through; the log holds the 50 live files and what came after
        // the last compaction (less than 2 × live + 1024 records).
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines < 2 * 50 + 1024 + 202, "{lines} lines");
        let again = Checkpoint::load(&path, scope("s1")).unwrap().checkpoint;
        assert_eq!(again.len(), 50);
    }
}
