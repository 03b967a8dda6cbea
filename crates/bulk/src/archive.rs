//! Archives: `.tar` (plain or gzip-compressed) and `.zip`. Every member that newsflow takes as a
//! single file (txt, html, json, optionally `.gz`) is one article; a member that is a bulk file
//! itself (a WARC, JSON Lines, a tar or zip) is read as one, one level deep. Nothing is ever
//! written to disk or followed:
//! - a member name that is absolute or climbs out (`..`) is refused as `unsafe_path`;
//! - symlink and hard-link members are refused as `link_member`, never resolved;
//! - a zip member expanding more than [`Limits::max_ratio`] times its compressed size (beyond
//!   1 MiB) is refused as `zip_bomb` before it is inflated, and every member's read is capped
//!   at the entry limit whatever its header claims;
//! - all members together may expand to at most [`Limits::max_expanded_bytes`]: past that the
//!   archive stops with an `archive_bomb` error.
//!
//! Unit index = member index; items of a nested bulk member all carry their member's index
//! and resume at the member (a restart reads that member again; its items keep their ids).

use std::cell::Cell;
use std::io::{self, BufRead, Read, Seek};
use std::ops::ControlFlow;
use std::rc::Rc;

use crate::{
    is_gzip, read_capped, single_format, BulkError, BulkKind, Entry, Finished, Item, Limits,
    ReadError, Resume, Tell, Visited, Visitor,
};

/// How deep bulk files are read inside archives (an archive in an archive, not deeper).
const MAX_DEPTH: usize = 2;

/// Counts the bytes read through it into a shared cell; fails once `limit` is passed.
struct Counted<R> {
    inner: R,
    count: Rc<Cell<u64>>,
    limit: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("archive expands past {0} bytes")]
struct Expanded(u64);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.count.get() + n as u64;
        self.count.set(total);
        if total > self.limit {
            return Err(io::Error::other(Expanded(self.limit)));
        }
        Ok(n)
    }
}

fn is_expanded(err: &io::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = err.get_ref().map(|e| e as _);
    while let Some(err) = source {
        if err.is::<Expanded>() {
            return true;
        }
        source = err.source();
    }
    err.to_string().contains("archive expands past")
}

/// Why a member name is unsafe, if it is.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.starts_with('/') || name.starts_with('\\') {
        return Some("absolute path");
    }
    if name.as_bytes().get(1) == Some(&b':') {
        return Some("drive-letter path");
    }
    if name.contains('\0') {
        return Some("nul byte in the name");
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        return Some("path climbs out with ..");
    }
    None
}

pub(crate) fn read_tar<R: BufRead>(
    reader: &mut Tell<R>,
    prefix: &str,
    limits: &Limits,
    start: Resume,
    visit: &mut Visitor<'_>,
) -> Result<Finished, ReadError> {
    let next_index = start.next_index;
    let raw_pos = Rc::new(Cell::new(reader.pos()));
    let expanded = Rc::new(Cell::new(0u64));
    let gz = is_gzip(reader)?;
    let raw = Shared {
        inner: reader,
        pos: raw_pos.clone(),
    };
    let stream: Box<dyn Read + '_> = if gz {
        Box::new(flate2::bufread::MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let counted = Counted {
        inner: stream,
        count: expanded.clone(),
        limit: limits.max_expanded_bytes,
    };
    let mut archive = tar::Archive::new(counted);
    let entries = archive.entries()?;
    for (this, entry) in (0u64..).zip(entries) {
        let bytes_read = raw_pos.get();
        let resume = Resume {
            offset: 0,
            index_at_offset: 0,
            next_index: this + 1,
            nested: 0,
        };
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let (kind, message) = if is_expanded(&err) {
                    (
                        "archive_bomb",
                        format!(
                            "archive expands past {} bytes; refused from member {this} on",
                            limits.max_expanded_bytes
                        ),
                    )
                } else {
                    (
                        "bad_member",
                        format!("tar member {this} cannot be read, the rest of the archive is lost: {err}"),
                    )
                };
                let visited = Visited {
                    item: Item::Failed {
                        locator: format!("{prefix}!/#{this}"),
                        kind,
                        message,
                    },
                    index: this,
                    resume,
                    bytes_read,
                };
                return Ok(if visit(visited).is_break() {
                    Finished::Stopped
                } else {
                    Finished::Complete
                });
            }
        };
        if this < next_index {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = name.trim_start_matches("./").to_string();
        let locator = format!("{prefix}!/{name}");
        let kind = entry.header().entry_type();
        let item_flow = if let Some(why) = unsafe_name(&name) {
            Some(Item::Failed {
                locator,
                kind: "unsafe_path",
                message: format!(
                    "member name {name:?} is refused ({why}); nothing is written or followed"
                ),
            })
        } else if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            Some(Item::Failed {
                locator,
                kind: "link_member",
                message: format!(
                    "member {name:?} is a link (to {target:?}); links in archives are never followed"
                ),
            })
        } else if kind.is_dir() {
            None
        } else if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            Some(Item::Skipped {
                locator,
                reason: crate::SkipReason::UnsupportedMember,
            })
        } else {
            let mut flow = ControlFlow::Continue(());
            let mut handed = Handed::new(this, start);
            let result = member(&mut entry, &name, &locator, limits, &mut |item| {
                let Some(resume) = handed.next(&item, &locator, resume) else {
                    return ControlFlow::Continue(());
                };
                let visited = Visited {
                    resume,
                    item,
                    index: this,
                    bytes_read,
                };
                flow = visit(visited);
                flow
            });
            match result {
                Ok(()) => {}
                Err(err) if is_expanded(&err) => {
                    let visited = Visited {
                        item: Item::Failed {
                            locator,
                            kind: "archive_bomb",
                            message: format!(
                                "archive expands past {} bytes; refused from this member on",
                                limits.max_expanded_bytes
                            ),
                        },
                        index: this,
                        resume,
                        bytes_read,
                    };
                    let _ = visit(visited);
                    return Ok(Finished::Complete);
                }
                Err(err) => return Err(err.into()),
            }
            if flow.is_break() {
                return Ok(Finished::Stopped);
            }
            None
        };
        if let Some(item) = item_flow {
            let visited = Visited {
                item,
                index: this,
                resume,
                bytes_read,
            };
            if visit(visited).is_break() {
                return Ok(Finished::Stopped);
            }
        }
    }
    Ok(Finished::Complete)
}

/// Counts the items of one member as they come, to say where a read resumes after each, and
/// passes over those a resumed read already handed out.
struct Handed {
    /// Items of this member handed out so far (including those passed over).
    count: u64,
    /// Items to pass over: the member where a read resumes inside a nested bulk file.
    skip: u64,
}

impl Handed {
    fn new(member_index: u64, start: Resume) -> Handed {
        let skip = if member_index == start.next_index {
            start.nested
        } else {
            0
        };
        Handed { count: 0, skip }
    }

    /// Where to resume after `item` of the member at `member_locator` (`after`: past the
    /// member), or `None` when a resumed read already handed it out. An item of a nested bulk
    /// file (its locator is longer than the member's) resumes inside the member, after the
    /// items handed out so far; the member's own item resumes after the member.
    fn next(&mut self, item: &Item, member_locator: &str, after: Resume) -> Option<Resume> {
        self.count += 1;
        if self.count <= self.skip {
            return None;
        }
        if !member_locator.is_empty() && item.locator().len() > member_locator.len() {
            Some(Resume {
                next_index: after.next_index - 1,
                nested: self.count,
                ..after
            })
        } else {
            Some(after)
        }
    }
}

/// A `&mut` buffered reader that publishes its position.
struct Shared<'a, R> {
    inner: &'a mut Tell<R>,
    pos: Rc<Cell<u64>>,
}

impl<R: BufRead> Read for Shared<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos.set(self.inner.pos());
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Shared<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos.set(self.inner.pos());
    }
}

pub(crate) fn read_zip<R: Read + Seek>(
    reader: R,
    prefix: &str,
    limits: &Limits,
    start: Resume,
    visit: &mut Visitor<'_>,
) -> Result<Finished, BulkError> {
    let next_index = start.next_index;
    let mut archive = zip::ZipArchive::new(reader).map_err(|err| BulkError::Format {
        kind: "zip",
        message: err.to_string(),
    })?;
    let mut expanded = 0u64;
    for i in (next_index as usize)..archive.len() {
        let this = i as u64;
        let resume = Resume {
            offset: 0,
            index_at_offset: 0,
            next_index: this + 1,
            nested: 0,
        };
        let mut bytes_read = 0;
        let mut handed = Handed::new(this, start);
        let mut emit = |item: Item, bytes_read: u64, locator: &str| {
            let Some(resume) = handed.next(&item, locator, resume) else {
                return ControlFlow::Continue(());
            };
            visit(Visited {
                resume,
                item,
                index: this,
                bytes_read,
            })
        };
        let mut file = match archive.by_index(i) {
            Ok(file) => file,
            Err(err) => {
                let item = Item::Failed {
                    locator: format!("{prefix}!/#{i}"),
                    kind: "bad_member",
                    message: format!("zip member {i} cannot be read: {err}"),
                };
                if emit(item, bytes_read, "").is_break() {
                    return Ok(Finished::Stopped);
                }
                continue;
            }
        };
        bytes_read = file.data_start().unwrap_or(0) + file.compressed_size();
        let name = String::from_utf8_lossy(file.name_raw()).into_owned();
        let locator = format!("{prefix}!/{name}");
        let item = if let Some(why) = unsafe_name(&name).or_else(|| {
            file.enclosed_name()
                .is_none()
                .then_some("not a path inside the archive")
        }) {
            Some(Item::Failed {
                locator,
                kind: "unsafe_path",
                message: format!(
                    "member name {name:?} is refused ({why}); nothing is written or followed"
                ),
            })
        } else if file.is_symlink() {
            Some(Item::Failed {
                locator,
                kind: "link_member",
                message: format!(
                    "member {name:?} is a symlink; links in archives are never followed"
                ),
            })
        } else if file.is_dir() {
            None
        } else if file.size() > 1024 * 1024
            && file.size() > file.compressed_size().saturating_mul(limits.max_ratio)
        {
            Some(Item::Failed {
                locator,
                kind: "zip_bomb",
                message: format!(
                    "member {name:?} claims {} bytes from {} compressed (more than {}x); refused without inflating it",
                    file.size(),
                    file.compressed_size(),
                    limits.max_ratio
                ),
            })
        } else if expanded + file.size().min(limits.max_entry_bytes) > limits.max_expanded_bytes {
            let item = Item::Failed {
                locator,
                kind: "archive_bomb",
                message: format!(
                    "archive expands past {} bytes; refused from this member on",
                    limits.max_expanded_bytes
                ),
            };
            let _ = emit(item, bytes_read, "");
            return Ok(Finished::Complete);
        } else {
            expanded += file.size().min(limits.max_entry_bytes);
            let mut flow = ControlFlow::Continue(());
            let result = member(&mut file, &name, &locator, limits, &mut |item| {
                flow = emit(item, bytes_read, &locator);
                flow
            });
            if let Err(err) = result {
                let item = Item::Failed {
                    locator: locator.clone(),
                    kind: "bad_member",
                    message: format!("zip member {name:?} cannot be read: {err}"),
                };
                flow = emit(item, bytes_read, "");
            }
            if flow.is_break() {
                return Ok(Finished::Stopped);
            }
            None
        };
        if let Some(item) = item {
            if emit(item, bytes_read, "").is_break() {
                return Ok(Finished::Stopped);
            }
        }
    }
    Ok(Finished::Complete)
}

/// One regular member: an article, a nested bulk file, or skipped.
fn member(
    reader: &mut dyn Read,
    name: &str,
    locator: &str,
    limits: &Limits,
    emit: &mut dyn FnMut(Item) -> ControlFlow<()>,
) -> io::Result<()> {
    let base = name.rsplit('/').next().unwrap_or(name);
    if let Some(format) = single_format(base) {
        let (bytes, over) = read_capped(reader, limits.max_entry_bytes)?;
        let item = if over {
            Item::Failed {
                locator: locator.to_string(),
                kind: "too_large",
                message: format!(
                    "member {name:?} is larger than the limit of {} bytes",
                    limits.max_entry_bytes
                ),
            }
        } else {
            Item::Article(Entry {
                locator: locator.to_string(),
                format,
                bytes,
                url: None,
                fetched_at: None,
                charset: None,
            })
        };
        let _ = emit(item);
        return Ok(());
    }
    let Some(kind) = BulkKind::from_file_name(base) else {
        io::copy(reader, &mut io::sink())?;
        let _ = emit(Item::Skipped {
            locator: locator.to_string(),
            reason: crate::SkipReason::UnsupportedMember,
        });
        return Ok(());
    };
    if locator.matches("!/").count() >= MAX_DEPTH {
        io::copy(reader, &mut io::sink())?;
        let _ = emit(Item::Failed {
            locator: locator.to_string(),
            kind: "too_deep",
            message: format!("archives nested more than {MAX_DEPTH} deep are not read"),
        });
        return Ok(());
    }
    let mut visit = |visited: Visited| emit(visited.item);
    let result = match kind {
        BulkKind::Zip => {
            // A zip needs its directory at the end: bounded by the entry limit, in memory.
            let (bytes, over) = read_capped(reader, limits.max_entry_bytes)?;
            if over {
                let _ = emit(Item::Failed {
                    locator: locator.to_string(),
                    kind: "too_large",
                    message: format!(
                        "zip member {name:?} is larger than the limit of {} bytes",
                        limits.max_entry_bytes
                    ),
                });
                return Ok(());
            }
            read_zip(
                io::Cursor::new(bytes),
                locator,
                limits,
                Resume::default(),
                &mut visit,
            )
            .map_err(ReadError::Format)
        }
        _ => {
            let mut buffered = Tell::new(io::BufReader::with_capacity(64 * 1024, reader), 0);
            let start = Resume::default();
            match kind {
                BulkKind::Warc => {
                    crate::warc::read(&mut buffered, locator, limits, start, &mut visit)
                }
                BulkKind::Jsonl => {
                    crate::jsonl::read(&mut buffered, locator, limits, start, &mut visit)
                }
                _ => read_tar(
                    &mut buffered,
                    locator,
                    limits,
                    Resume::default(),
                    &mut visit,
                ),
            }
        }
    };
    match result {
        Ok(_) => Ok(()),
        Err(ReadError::Io(err)) => Err(err),
        Err(ReadError::Format(err)) => {
            let _ = emit(Item::Failed {
                locator: locator.to_string(),
                kind: "bad_member",
                message: err.to_string(),
            });
            Ok(())
        }
    }
}
