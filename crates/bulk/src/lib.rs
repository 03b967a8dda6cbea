//! Readers of bulk inputs: files that hold many articles. A WARC crawl (`.warc`, `.warc.gz`
//! with one gzip member per record, as CC-NEWS ships them), JSON Lines (`.jsonl`, `.ndjson`,
//! optionally gzip-compressed) and archives (`.tar`, `.tar.gz`, `.tgz`, `.zip`) whose members are
//! single article files or bulk files themselves.
//!
//! Pure and synchronous (no tokio, no NATS), so `newsflow process` and the watcher share them.
//!
//! Layout:
//! - [`read_path`]: opens a file and calls a visitor once per [`Visited`] item, in file order,
//!   reading the file as a stream (memory is bounded by [`Limits::max_entry_bytes`] per entry,
//!   never by the file's size). The visitor can stop the read ([`ControlFlow::Break`]).
//! - [`Item`]: an article ([`Entry`]), a unit skipped on purpose (a `revisit` record, a 404, a
//!   blank line) with its [`SkipReason`], or a unit that cannot be read (a WARC record that does
//!   not parse, a bad JSON line, a path-traversal member, a zip bomb) with a kind and message:
//!   the rest of the file still flows.
//! - [`Resume`]: every item carries where a later read can start to continue after it (a byte
//!   offset to seek to where the format allows it, else the index of the next unit to take), so
//!   a reader killed mid-file resumes there.
//! - `warc`, `http` (status, content type, chunked and gzip/deflate/br bodies), `jsonl`,
//!   `archive` (tar, zip): one module per format.
//!
//! A visitor rather than an `Iterator`: a tar member is a borrowed stream of the archive, and a
//! WARC inside a tar is read from it as it goes; a callback keeps that streaming without a
//! self-referential iterator. The watcher runs the visitor on a blocking thread feeding a
//! bounded channel, which gives the same back-pressure as an iterator.

mod archive;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod http;
mod jsonl;
mod warc;

use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::Path;

use newsflow_model::Format;
use serde::{Deserialize, Serialize};

pub use crate::http::{decode_response, HttpOutcome};

/// Errors that stop the read of a whole file (per-unit problems become [`Item::Failed`]).
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("not a {kind} file: {message}")]
    Format { kind: &'static str, message: String },
}

/// The kind of a bulk file, decided by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BulkKind {
    Warc,
    Jsonl,
    Tar,
    Zip,
}

impl BulkKind {
    /// `.warc`, `.warc.gz`, `.jsonl`, `.ndjson` (optionally `.gz`), `.tar`, `.tar.gz`, `.tgz`,
    /// `.zip`; anything else is `None`.
    pub fn from_file_name(name: &str) -> Option<BulkKind> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".tgz") || lower.ends_with(".zip") {
            return Some(if lower.ends_with(".zip") {
                BulkKind::Zip
            } else {
                BulkKind::Tar
            });
        }
        let base = lower.strip_suffix(".gz").unwrap_or(&lower);
        let ext = base.rsplit_once('.').map(|(_, ext)| ext)?;
        match ext {
            "warc" => Some(BulkKind::Warc),
            "jsonl" | "ndjson" => Some(BulkKind::Jsonl),
            "tar" => Some(BulkKind::Tar),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BulkKind::Warc => "warc",
            BulkKind::Jsonl => "jsonl",
            BulkKind::Tar => "tar",
            BulkKind::Zip => "zip",
        }
    }
}

/// Bounds of a read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest entry (an article's bytes, a JSON line, a member), as `watch.max_file_bytes`.
    pub max_entry_bytes: u64,
    /// Most bytes all members of an archive may expand to, whatever their headers claim
    /// (a bomb stops the archive with an `archive_bomb` error). 0: 200 × the archive's size,
    /// at least 256 MiB.
    pub max_expanded_bytes: u64,
    /// A member is refused as a `zip_bomb` when it expands more than this many times over its
    /// compressed size and beyond 1 MiB.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 16 * 1024 * 1024,
            max_expanded_bytes: 0,
            max_ratio: 200,
        }
    }
}

/// Where to start a read to continue after an item. `offset` is a byte offset into the file
/// to seek to, `index_at_offset` the index of the unit found there, and units before
/// `next_index` are read past without being handed out (a format that cannot be entered in the
/// middle, e.g. a tar.gz, says offset 0 and index 0: the file is read again from the start and
/// only the units before `next_index` are skipped). `nested` counts the items of unit
/// `next_index` already handed out when that unit is a bulk file inside an archive (a WARC in
/// a tar): a read goes on inside it instead of handing its first items out again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    pub offset: u64,
    pub index_at_offset: u64,
    pub next_index: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub nested: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Why a unit became no article (counted by reason, never an error record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
    /// A WARC `revisit` record (the page did not change since an earlier capture).
    Revisit,
    /// A WARC `request` record.
    Request,
    /// A WARC `metadata` record.
    Metadata,
    /// A `warcinfo`, `resource`, `conversion` or other WARC record type.
    OtherRecord,
    /// A response whose content is not HTML (images, PDFs, robots.txt, ...).
    NotHtml,
    /// A response whose HTTP status is not 2xx.
    HttpStatus,
    /// An archive member newsflow does not take (a README, an image) or a folder.
    UnsupportedMember,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Revisit => "revisit",
            SkipReason::Request => "request",
            SkipReason::Metadata => "metadata",
            SkipReason::OtherRecord => "other_record",
            SkipReason::NotHtml => "not_html",
            SkipReason::HttpStatus => "http_status",
            SkipReason::UnsupportedMember => "unsupported_member",
        }
    }
}

/// One article found in a bulk file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Where in the file: `@<offset>` (a WARC record: the byte offset of the record, or of its
    /// gzip member; `@<offset>#<n>` for the n-th record inside one member), `:<line>` (a JSON
    /// line, 1-based), `!/<path>` (an archive member; nested as `!/a.tar!/b.html`). Appended to
    /// the file's source it names the article; with the bytes it makes the article's id.
    pub locator: String,
    pub format: Format,
    pub bytes: Vec<u8>,
    /// The page's address (a WARC record's `WARC-Target-URI`).
    pub url: Option<String>,
    /// When the page was fetched (a WARC record's `WARC-Date`).
    pub fetched_at: Option<String>,
    /// Charset named by the HTTP `Content-Type` header (used when the page declares none).
    pub charset: Option<String>,
}

/// What one unit of a bulk file became.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Article(Entry),
    Skipped {
        locator: String,
        reason: SkipReason,
    },
    /// A unit that cannot be read; an error record names it. `kind` is machine-readable:
    /// `bad_record`, `truncated_record`, `invalid_json`, `too_large`, `unsafe_path`,
    /// `link_member`, `zip_bomb`, `archive_bomb`, `bad_member`, `content_encoding`.
    Failed {
        locator: String,
        kind: &'static str,
        message: String,
    },
}

impl Item {
    pub fn locator(&self) -> &str {
        match self {
            Item::Article(entry) => &entry.locator,
            Item::Skipped { locator, .. } | Item::Failed { locator, .. } => locator,
        }
    }
}

/// An item with where it is in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Visited {
    pub item: Item,
    /// Index of the unit (record, line, member) in the file.
    pub index: u64,
    /// Where a later read continues after this item.
    pub resume: Resume,
    /// Bytes of the file read so far (for progress and ETA).
    pub bytes_read: u64,
}

/// How a read ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// The whole file was read.
    Complete,
    /// The visitor stopped it.
    Stopped,
}

/// The visitor: gets every item in order; `Break` stops the read.
pub type Visitor<'a> = dyn FnMut(Visited) -> ControlFlow<()> + 'a;

/// Reads the bulk file at `path` as `kind`, from `resume` on (or from the start).
pub fn read_path(
    path: &Path,
    kind: BulkKind,
    limits: &Limits,
    resume: Option<Resume>,
    visit: &mut Visitor<'_>,
) -> Result<Finished, BulkError> {
    let io_error = |source: io::Error| BulkError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    let mut limits = *limits;
    if limits.max_expanded_bytes == 0 {
        limits.max_expanded_bytes = size.saturating_mul(200).max(256 * 1024 * 1024);
    }
    let resume = resume.unwrap_or_default();
    match kind {
        BulkKind::Zip => archive::read_zip(file, "", &limits, resume, visit),
        BulkKind::Warc | BulkKind::Jsonl | BulkKind::Tar => {
            let start = if kind == BulkKind::Tar {
                0
            } else {
                resume.offset
            };
            file.seek(SeekFrom::Start(start)).map_err(io_error)?;
            let mut reader = Tell::new(io::BufReader::with_capacity(256 * 1024, file), start);
            let result = match kind {
                BulkKind::Warc => warc::read(&mut reader, "", &limits, resume, visit),
                BulkKind::Jsonl => jsonl::read(&mut reader, "", &limits, resume, visit),
                _ => archive::read_tar(&mut reader, "", &limits, resume, visit),
            };
            result.map_err(|err| match err {
                ReadError::Io(source) => io_error(source),
                ReadError::Format(err) => err,
            })
        }
    }
}

/// A read failure inside a format module.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(io::Error),
    Format(BulkError),
}

impl From<io::Error> for ReadError {
    fn from(err: io::Error) -> Self {
        ReadError::Io(err)
    }
}

/// A buffered reader that knows how many bytes were taken from it (its position in the file),
/// and can look a few bytes ahead across the end of its inner buffer ([`Tell::peek`]).
pub(crate) struct Tell<R> {
    inner: R,
    pos: u64,
    /// Bytes taken out of `inner` by [`Tell::peek`] and not consumed yet (a handful at most);
    /// they are read before `inner`'s.
    ahead: Vec<u8>,
}

impl<R: BufRead> Tell<R> {
    pub(crate) fn new(inner: R, pos: u64) -> Tell<R> {
        Tell {
            inner,
            pos,
            ahead: Vec::new(),
        }
    }

    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    /// The next `n` bytes without consuming them; fewer only at the end of the stream.
    ///
    /// `fill_buf` alone returns what is left in the buffer, which can be a single byte when a
    /// unit ends just before the buffer's end (issue 15: a gzip member's magic seen as one
    /// byte was taken for trailing garbage and the rest of a WARC was dropped), so every look
    /// at a signature goes through here.
    pub(crate) fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.ahead.is_empty() && self.inner.fill_buf()?.len() >= n {
            return Ok(&self.inner.fill_buf()?[..n]);
        }
        while self.ahead.len() < n {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let take = (n - self.ahead.len()).min(buf.len());
            self.ahead.extend_from_slice(&buf[..take]);
            self.inner.consume(take);
        }
        Ok(&self.ahead[..self.ahead.len().min(n)])
    }
}

impl<R: BufRead> Read for Tell<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = if self.ahead.is_empty() {
            self.inner.read(buf)?
        } else {
            let n = self.ahead.len().min(buf.len());
            buf[..n].copy_from_slice(&self.ahead[..n]);
            self.ahead.drain(..n);
            n
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tell<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.ahead.is_empty() {
            self.inner.fill_buf()
        } else {
            Ok(&self.ahead)
        }
    }

    fn consume(&mut self, amt: usize) {
        if self.ahead.is_empty() {
            self.inner.consume(amt);
        } else {
            debug_assert!(amt <= self.ahead.len());
            self.ahead.drain(..amt.min(self.ahead.len()));
        }
        self.pos += amt as u64;
    }
}

/// Whether a stream starts with the gzip magic (without consuming it).
pub(crate) fn is_gzip<R: BufRead>(reader: &mut Tell<R>) -> io::Result<bool> {
    Ok(reader.peek(2)? == [0x1f, 0x8b])
}

/// Reads up to `max` bytes into a buffer; then drains the rest. Returns the bytes and whether
/// the stream was longer than `max`.
pub(crate) fn read_capped<R: Read + ?Sized>(
    reader: &mut R,
    max: u64,
) -> io::Result<(Vec<u8>, bool)> {
    let mut bytes = Vec::new();
    (&mut *reader).take(max).read_to_end(&mut bytes)?;
    let rest = io::copy(reader, &mut io::sink())?;
    Ok((bytes, rest > 0))
}

/// The identity of a bulk file's content without reading all of it: a hash of its size, its
/// first and its last MiB. The same file under another name (or dropped again) has the same
/// identity; it goes into every article id of the file, so the same bytes at the same
/// position of the same file always get the same id.
pub fn container_id(path: &Path) -> io::Result<String> {
    const SPAN: u64 = 1024 * 1024;
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let mut sample = Vec::with_capacity(2 * SPAN as usize);
    (&mut file).take(SPAN).read_to_end(&mut sample)?;
    if size > SPAN {
        file.seek(SeekFrom::Start(size.saturating_sub(SPAN).max(SPAN)))?;
        file.take(SPAN).read_to_end(&mut sample)?;
    }
    Ok(newsflow_model::entry_id(&sample, &format!("bulk:{size}")))
}

/// The article format of a single-file name (`a.html`, `b.json.gz`), as the watcher takes it.
pub fn single_format(name: &str) -> Option<Format> {
    Format::from_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{gzip_bytes, http_response, warc_record};

    fn page_record(n: usize) -> Vec<u8> {
        warc_record(
            "response",
            &format!("https://news.example/{n}"),
            "2024-03-01T12:00:00Z",
            &http_response(
                200,
                &[("Content-Type", "text/html")],
                format!("<html><body><p>Story {n}</p></body></html>").as_bytes(),
                false,
                false,
            ),
        )
    }

    /// Every item of `bytes` read as `kind` through a buffer of `capacity` bytes, as
    /// "locator kind" lines.
    fn read_through(bytes: &[u8], kind: BulkKind, capacity: usize) -> Vec<String> {
        let mut reader = Tell::new(io::BufReader::with_capacity(capacity, bytes), 0);
        let mut out = Vec::new();
        let mut visit = |visited: Visited| {
            out.push(match visited.item {
                Item::Article(entry) => format!("{} article", entry.locator),
                Item::Skipped { locator, reason } => format!("{locator} {}", reason.as_str()),
                Item::Failed { locator, kind, .. } => format!("{locator} {kind}"),
            });
            ControlFlow::Continue(())
        };
        let finished = match kind {
            BulkKind::Warc => warc::read(
                &mut reader,
                "",
                &Limits::default(),
                Resume::default(),
                &mut visit,
            ),
            BulkKind::Jsonl => jsonl::read(
                &mut reader,
                "",
                &Limits::default(),
                Resume::default(),
                &mut visit,
            ),
            _ => unreachable!(),
        };
        assert!(
            matches!(finished, Ok(Finished::Complete)),
            "capacity {capacity}"
        );
        out
    }

    /// Issue 15: a signature (gzip magic, `WARC/`) split across the end of the read buffer is
    /// still seen, whatever the buffer's size: a gzip-per-record WARC with a corrupt member, a
    /// plain WARC with a corrupt record, a gzipped JSON Lines file.
    #[test]
    fn signatures_split_across_buffer_ends_are_seen() {
        let mut gz = Vec::new();
        let mut plain = Vec::new();
        for n in 0..4 {
            if n == 2 {
                gz.extend_from_slice(b"\x1f\x8b\x08 this member is corrupt");
                plain.extend_from_slice(b"WARC/1.0\r\nno colon here\r\n\r\njunk\r\n");
            }
            gz.extend_from_slice(&gzip_bytes(&page_record(n)));
            plain.extend_from_slice(&page_record(n));
        }
        let jsonl =
            gzip_bytes(b"{\"title\":\"A\",\"body\":\"a\"}\n{\"title\":\"B\",\"body\":\"b\"}\n");
        let whole = |bytes: &[u8], kind| read_through(bytes, kind, 1 << 20);
        let (gz_items, plain_items, jsonl_items) = (
            whole(&gz, BulkKind::Warc),
            whole(&plain, BulkKind::Warc),
            whole(&jsonl, BulkKind::Jsonl),
        );
        assert_eq!(
            gz_items.iter().filter(|i| i.ends_with("article")).count(),
            4,
            "{gz_items:?}"
        );
        assert_eq!(
            gz_items
                .iter()
                .filter(|i| i.ends_with("bad_record"))
                .count(),
            1,
            "{gz_items:?}"
        );
        assert_eq!(
            plain_items
                .iter()
                .filter(|i| i.ends_with("article"))
                .count(),
            4,
            "{plain_items:?}"
        );
        assert_eq!(jsonl_items, [":1 article", ":2 article"]);
        for capacity in 1..=9 {
            assert_eq!(
                read_through(&gz, BulkKind::Warc, capacity),
                gz_items,
                "capacity {capacity}"
            );
            assert_eq!(
                read_through(&plain, BulkKind::Warc, capacity),
                plain_items,
                "capacity {capacity}"
            );
            assert_eq!(
                read_through(&jsonl, BulkKind::Jsonl, capacity),
                jsonl_items,
                "capacity {capacity}"
            );
        }
    }

    #[test]
    fn peek_looks_across_the_buffer_and_reads_go_on_in_order() {
        let mut reader = Tell::new(io::BufReader::with_capacity(2, &b"abcdefg"[..]), 0);
        let mut first = [0u8; 1];
        reader.read_exact(&mut first).unwrap();
        assert_eq!(reader.peek(4).unwrap(), b"bcde");
        assert_eq!(reader.pos(), 1);
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"bcdefg");
        assert_eq!(reader.pos(), 7);
        assert_eq!(reader.peek(3).unwrap(), b"");
    }

    #[test]
    fn kinds_from_names() {
        assert_eq!(BulkKind::from_file_name("a.warc"), Some(BulkKind::Warc));
        assert_eq!(
            BulkKind::from_file_name("CC-NEWS-2024.warc.gz"),
            Some(BulkKind::Warc)
        );
        assert_eq!(BulkKind::from_file_name("a.jsonl"), Some(BulkKind::Jsonl));
        assert_eq!(
            BulkKind::from_file_name("a.NDJSON.gz"),
            Some(BulkKind::Jsonl)
        );
        assert_eq!(BulkKind::from_file_name("a.tar"), Some(BulkKind::Tar));
        assert_eq!(BulkKind::from_file_name("a.tar.gz"), Some(BulkKind::Tar));
        assert_eq!(BulkKind::from_file_name("a.tgz"), Some(BulkKind::Tar));
        assert_eq!(BulkKind::from_file_name("a.zip"), Some(BulkKind::Zip));
        assert_eq!(BulkKind::from_file_name("a.html"), None);
        assert_eq!(BulkKind::from_file_name("a.json.gz"), None);
        assert_eq!(BulkKind::from_file_name("warc"), None);
    }
}
