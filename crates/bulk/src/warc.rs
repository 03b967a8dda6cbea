//! WARC (ISO 28500) files, plain or gzip-compressed (one member per record, as CC-NEWS ships
//! them, or one member for the whole file). Records are read one at a time: the header block
//! is parsed by the `warc` crate's parser, the body is read up to the entry limit and the rest
//! drained, so memory stays flat whatever the file's size.
//!
//! Offsets: a record of a plain file is named by its byte offset; a record of a gzipped file by
//! the offset of its gzip member (what CDX indexes and `dd skip=... | zcat` use), with `#<n>`
//! for the n-th record after the first in the same member. A gzipped file resumes at the member
//! of its last record (re-reading at most that member), a plain one at the next record.

use std::io::{self, BufRead, Read};
use std::ops::ControlFlow;

use newsflow_model::Format;

use crate::http::{decode_response, HttpOutcome};
use crate::{
    is_gzip, read_capped, Entry, Finished, Item, Limits, ReadError, Resume, SkipReason, Tell,
    Visited, Visitor,
};

/// Longest header block of a record accepted (a longer one is a parse error).
const MAX_HEADER_BYTES: usize = 256 * 1024;
/// Room for the HTTP head on top of the page itself.
const HTTP_HEAD_ROOM: u64 = 64 * 1024;

/// Reads a WARC stream at `reader` (positioned at `resume.offset`, which is the start of a
/// record or a gzip member). `prefix` goes before every locator (for WARCs inside archives).
pub(crate) fn read<R: BufRead>(
    reader: &mut Tell<R>,
    prefix: &str,
    limits: &Limits,
    resume: Resume,
    visit: &mut Visitor<'_>,
) -> Result<Finished, ReadError> {
    let mut index = resume.index_at_offset;
    if is_gzip(reader)? {
        loop {
            if reader.fill_buf()?.is_empty() {
                return Ok(Finished::Complete);
            }
            if !is_gzip(reader)? {
                // Trailing garbage after the last member: one error, then the end.
                let start = reader.pos();
                let locator = format!("{prefix}@{start}");
                io::copy(reader, &mut io::sink())?;
                let visited = Visited {
                    item: Item::Failed {
                        locator,
                        kind: "bad_record",
                        message: format!("bytes at offset {start} are not a gzip member"),
                    },
                    index,
                    resume: Resume {
                        offset: reader.pos(),
                        index_at_offset: index + 1,
                        next_index: index + 1,
                        nested: 0,
                    },
                    bytes_read: reader.pos(),
                };
                if index >= resume.next_index && visit(visited).is_break() {
                    return Ok(Finished::Stopped);
                }
                return Ok(Finished::Complete);
            }
            let member_start = reader.pos();
            let member_first = index;
            let mut stopped = false;
            let outcome = {
                let decoder = flate2::bufread::GzDecoder::new(&mut *reader);
                let mut member = Tell::new(io::BufReader::with_capacity(64 * 1024, decoder), 0);
                read_records(
                    &mut member,
                    limits,
                    &mut index,
                    |n| {
                        if n == 0 {
                            format!("{prefix}@{member_start}")
                        } else {
                            format!("{prefix}@{member_start}#{n}")
                        }
                    },
                    &mut |visited_index, item| {
                        if visited_index < resume.next_index {
                            return ControlFlow::Continue(());
                        }
                        let visited = Visited {
                            item,
                            index: visited_index,
                            resume: Resume {
                                offset: member_start,
                                index_at_offset: member_first,
                                next_index: visited_index + 1,
                                nested: 0,
                            },
                            bytes_read: member_start,
                        };
                        let flow = visit(visited);
                        if flow.is_break() {
                            stopped = true;
                        }
                        flow
                    },
                )
            };
            if stopped {
                return Ok(Finished::Stopped);
            }
            if let Err(err) = outcome {
                // A member that does not inflate: name it, then find the next member.
                let visited = Visited {
                    item: Item::Failed {
                        locator: format!("{prefix}@{member_start}"),
                        kind: "bad_record",
                        message: format!(
                            "gzip member at offset {member_start} cannot be read: {err}"
                        ),
                    },
                    index,
                    resume: Resume {
                        offset: member_start,
                        index_at_offset: member_first,
                        next_index: index + 1,
                        nested: 0,
                    },
                    bytes_read: reader.pos(),
                };
                let this = index;
                index += 1;
                if this >= resume.next_index && visit(visited).is_break() {
                    return Ok(Finished::Stopped);
                }
                skip_to_gzip_magic(reader)?;
            }
        }
    } else {
        let mut stopped = false;
        let result = {
            read_plain(reader, limits, &mut index, prefix, &mut |v| {
                if v.index < resume.next_index {
                    return ControlFlow::Continue(());
                }
                let flow = visit(v);
                if flow.is_break() {
                    stopped = true;
                }
                flow
            })
        };
        result?;
        Ok(if stopped {
            Finished::Stopped
        } else {
            Finished::Complete
        })
    }
}

/// Plain (uncompressed) WARC: record offsets are file offsets, and a read resumes at the
/// record after the last one handed out.
fn read_plain<R: BufRead>(
    reader: &mut Tell<R>,
    limits: &Limits,
    index: &mut u64,
    prefix: &str,
    visit: &mut dyn FnMut(Visited) -> ControlFlow<()>,
) -> Result<(), ReadError> {
    loop {
        skip_blank_lines(reader)?;
        if reader.fill_buf()?.is_empty() {
            return Ok(());
        }
        let start = reader.pos();
        let locator = format!("{prefix}@{start}");
        let item = match read_one(reader, limits, &locator)? {
            One::Item(item) => item,
            One::Resync(item) => {
                resync_plain(reader)?;
                item
            }
            One::End => return Ok(()),
        };
        let this = *index;
        *index += 1;
        let visited = Visited {
            item,
            index: this,
            resume: Resume {
                offset: reader.pos(),
                index_at_offset: this + 1,
                next_index: this + 1,
                nested: 0,
            },
            bytes_read: reader.pos(),
        };
        if visit(visited).is_break() {
            return Ok(());
        }
    }
}

/// Records inside one gzip member (usually one).
fn read_records<R: BufRead>(
    member: &mut Tell<R>,
    limits: &Limits,
    index: &mut u64,
    locator: impl Fn(u64) -> String,
    visit: &mut dyn FnMut(u64, Item) -> ControlFlow<()>,
) -> io::Result<()> {
    let mut n = 0u64;
    loop {
        skip_blank_lines(member)?;
        if member.fill_buf()?.is_empty() {
            return Ok(());
        }
        let name = locator(n);
        let one = read_one(member, limits, &name).map_err(io_of)?;
        let (item, give_up) = match one {
            One::Item(item) => (item, false),
            // The rest of a bad member cannot be trusted: drop it.
            One::Resync(item) => (item, true),
            One::End => return Ok(()),
        };
        let this = *index;
        *index += 1;
        n += 1;
        if visit(this, item).is_break() {
            return Ok(());
        }
        if give_up {
            io::copy(member, &mut io::sink())?;
            return Ok(());
        }
    }
}

fn io_of(err: ReadError) -> io::Error {
    match err {
        ReadError::Io(err) => err,
        ReadError::Format(err) => io::Error::other(err.to_string()),
    }
}

enum One {
    Item(Item),
    /// The header did not parse: the stream must be searched for the next record.
    Resync(Item),
    End,
}

fn skip_blank_lines<R: BufRead>(reader: &mut R) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        let blanks = buf
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        if blanks == 0 {
            return Ok(());
        }
        reader.consume(blanks);
    }
}

/// Reads lines until the next one starting with `WARC/`, leaving it unread.
fn resync_plain<R: BufRead>(reader: &mut Tell<R>) -> io::Result<()> {
    let mut at_line_start = true;
    loop {
        if at_line_start {
            let head = reader.peek(5)?;
            if head.is_empty() || head == b"WARC/" {
                return Ok(());
            }
        }
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(pos) => {
                reader.consume(pos + 1);
                at_line_start = true;
            }
            None => {
                let len = buf.len();
                reader.consume(len);
                at_line_start = false;
            }
        }
    }
}

/// Skips bytes up to the next gzip member header (`1f 8b 08`).
fn skip_to_gzip_magic<R: BufRead>(reader: &mut Tell<R>) -> io::Result<()> {
    const MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];
    loop {
        let head = reader.peek(3)?;
        if head == MAGIC {
            return Ok(());
        }
        if head.len() < 3 {
            // Fewer than three bytes to the end: no member starts here.
            let len = head.len();
            reader.consume(len);
            return Ok(());
        }
        let buf = reader.fill_buf()?;
        // Keep the last two bytes: a magic may start there and go on in the next buffer.
        let skip = buf
            .windows(3)
            .skip(1)
            .position(|w| w == MAGIC)
            .map(|p| p + 1)
            .unwrap_or(buf.len().saturating_sub(2).max(1));
        reader.consume(skip);
    }
}

/// Reads the header block of a record (up to and including the blank line).
fn read_header_block<R: BufRead>(reader: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut block = Vec::new();
    loop {
        let before = block.len();
        let n = reader
            .by_ref()
            .take((MAX_HEADER_BYTES + 2 - before) as u64)
            .read_until(b'\n', &mut block)?;
        if n == 0 {
            return Ok(if block.is_empty() { None } else { Some(block) });
        }
        let line = &block[before..];
        if line == b"\r\n" || line == b"\n" {
            return Ok(Some(block));
        }
        if block.len() > MAX_HEADER_BYTES {
            return Ok(Some(block));
        }
    }
}

fn read_one<R: BufRead>(reader: &mut R, limits: &Limits, locator: &str) -> Result<One, ReadError> {
    let Some(block) = read_header_block(reader)? else {
        return Ok(One::End);
    };
    let failed = |message: String| {
        One::Resync(Item::Failed {
            locator: locator.to_string(),
            kind: "bad_record",
            message,
        })
    };
    let offset = locator.rsplit_once('@').map(|(_, at)| at).unwrap_or("?");
    if !block.starts_with(b"WARC/") {
        return Ok(failed(format!(
            "warc record at offset {offset} cannot be parsed: it does not start with WARC/"
        )));
    }
    // The crate's parser wants CRLF line ends; be lenient with bare LF.
    let normalised: Vec<u8>;
    let header_bytes = if block.windows(2).any(|w| w == b"\r\n") {
        &block[..]
    } else {
        normalised = block
            .split(|&b| b == b'\n')
            .flat_map(|line| line.iter().copied().chain(*b"\r\n"))
            .collect();
        &normalised[..]
    };
    let parsed = match warc::parser::headers(header_bytes) {
        Ok((_, parsed)) => parsed,
        Err(err) => {
            return Ok(failed(format!(
                "warc record at offset {offset} cannot be parsed: {}",
                if err.is_incomplete() {
                    "the header block is incomplete"
                } else {
                    "a header line is malformed"
                }
            )))
        }
    };
    record_from_headers(parsed, reader, limits, locator, offset)
}

#[allow(clippy::type_complexity)]
fn record_from_headers<R: BufRead>(
    parsed: (&str, Vec<(&str, &[u8])>, usize),
    reader: &mut R,
    limits: &Limits,
    locator: &str,
    offset: &str,
) -> Result<One, ReadError> {
    let (_version, headers, content_length) = parsed;
    let header = |name: &str| -> Option<String> {
        headers
            .iter()
            .find(|(token, _)| token.eq_ignore_ascii_case(name))
            .map(|(_, value)| String::from_utf8_lossy(value).trim().to_string())
    };
    if !headers
        .iter()
        .any(|(token, _)| token.eq_ignore_ascii_case("content-length"))
    {
        return Ok(One::Resync(Item::Failed {
            locator: locator.to_string(),
            kind: "bad_record",
            message: format!("warc record at offset {offset} has no Content-Length"),
        }));
    }
    let warc_type = header("WARC-Type").unwrap_or_default().to_ascii_lowercase();
    let cap = limits.max_entry_bytes + HTTP_HEAD_ROOM;
    let mut body = reader.by_ref().take(content_length as u64);
    let reason = match warc_type.as_str() {
        "response" => None,
        "revisit" => Some(SkipReason::Revisit),
        "request" => Some(SkipReason::Request),
        "metadata" => Some(SkipReason::Metadata),
        _ => Some(SkipReason::OtherRecord),
    };
    if let Some(reason) = reason {
        let drained = io::copy(&mut body, &mut io::sink())?;
        if drained < content_length as u64 {
            return Ok(One::Item(truncated(
                locator,
                offset,
                drained,
                content_length,
            )));
        }
        return Ok(One::Item(Item::Skipped {
            locator: locator.to_string(),
            reason,
        }));
    }
    let (block, over) = read_capped(&mut body, cap)?;
    let got = if over {
        content_length as u64
    } else {
        block.len() as u64
    };
    if got < content_length as u64 {
        return Ok(One::Item(truncated(locator, offset, got, content_length)));
    }
    let item = match decode_response(&block, over, limits.max_entry_bytes) {
        HttpOutcome::Page { body, charset } => Item::Article(Entry {
            locator: locator.to_string(),
            format: Format::Html,
            bytes: body,
            url: header("WARC-Target-URI")
                .map(|uri| uri.trim_matches(|c| c == '<' || c == '>').to_string()),
            fetched_at: header("WARC-Date"),
            charset,
        }),
        HttpOutcome::Skip(reason) => Item::Skipped {
            locator: locator.to_string(),
            reason,
        },
        HttpOutcome::Fail { kind, message } => Item::Failed {
            locator: locator.to_string(),
            kind,
            message: format!("warc record at offset {offset}: {message}"),
        },
    };
    Ok(One::Item(item))
}

fn truncated(locator: &str, offset: &str, got: u64, want: usize) -> Item {
    Item::Failed {
        locator: locator.to_string(),
        kind: "truncated_record",
        message: format!(
            "warc record at offset {offset} ends after {got} of its {want} bytes (the file is cut short)"
        ),
    }
}
