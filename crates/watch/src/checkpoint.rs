//! The watcher's crash-safe memory of what it has handed on: written to a temp file, fsynced
//! and renamed over the old one, so a crash leaves either the old or the new state, never half.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::WatchError;

/// What the watcher knows of one file it has dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    pub size: u64,
    pub mtime_ns: i64,
}

/// The checkpoint, versioned so a later layout can read an older one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckpointV1 {
    /// Files dealt with (published, rejected or recognised as a duplicate), by inbox-relative path.
    pub files: BTreeMap<String, FileState>,
    /// Article ids handed on, with the source they first came from.
    pub ids: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "version")]
enum Stored {
    #[serde(rename = "1")]
    V1(CheckpointV1),
}

/// The checkpoint file on disk.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    pub state: CheckpointV1,
    dirty: bool,
}

impl Checkpoint {
    /// Loads the checkpoint at `path`, or starts empty when there is none.
    pub fn load(path: &Path) -> Result<Checkpoint, WatchError> {
        let state = match std::fs::read(path) {
            Ok(bytes) => {
                let stored: Stored =
                    serde_json::from_slice(&bytes).map_err(|err| WatchError::Checkpoint {
                        path: path.to_path_buf(),
                        message: err.to_string(),
                    })?;
                match stored {
                    Stored::V1(state) => state,
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => CheckpointV1::default(),
            Err(err) => {
                return Err(WatchError::Checkpoint {
                    path: path.to_path_buf(),
                    message: err.to_string(),
                })
            }
        };
        Ok(Checkpoint {
            path: path.to_path_buf(),
            state,
            dirty: false,
        })
    }

    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Writes the checkpoint if it changed: temp file, fsync, rename, fsync of the folder.
    pub fn flush(&mut self) -> Result<(), WatchError> {
        if !self.dirty {
            return Ok(());
        }
        let io_error = |err: std::io::Error| WatchError::Checkpoint {
            path: self.path.clone(),
            message: err.to_string(),
        };
        let folder = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(io_error)?;
        let temp_path = self.path.with_extension("tmp");
        let stored = Stored::V1(std::mem::take(&mut self.state));
        let encoded = serde_json::to_vec(&stored);
        let Stored::V1(state) = stored;
        self.state = state;
        let bytes = encoded.map_err(|err| WatchError::Checkpoint {
            path: self.path.clone(),
            message: err.to_string(),
        })?;
        let mut file = std::fs::File::create(&temp_path).map_err(io_error)?;
        file.write_all(&bytes).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        drop(file);
        std::fs::rename(&temp_path, &self.path).map_err(io_error)?;
        if let Ok(dir) = std::fs::File::open(folder) {
            // Best effort: some file systems refuse fsync on folders.
            let _ = dir.sync_all();
        }
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/checkpoint.json");
        let mut checkpoint = Checkpoint::load(&path).unwrap();
        assert!(checkpoint.state.files.is_empty());
        checkpoint.state.files.insert(
            "a.txt".into(),
            FileState {
                size: 3,
                mtime_ns: 42,
            },
        );
        checkpoint.state.ids.insert("id1".into(), "a.txt".into());
        checkpoint.mark_dirty();
        checkpoint.flush().unwrap();
        let again = Checkpoint::load(&path).unwrap();
        assert_eq!(again.state, checkpoint.state);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\":\"1\""), "{text}");
    }

    #[test]
    fn a_corrupt_checkpoint_is_an_error_not_a_reset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert!(Checkpoint::load(&path).is_err());
    }
}
