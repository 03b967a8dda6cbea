//! JSON Lines: one article per line, the same object a `.json` article file holds. Unit index
//! = line number - 1; blank lines are no unit. A plain file resumes at the byte offset of the
//! next line, a gzipped one by reading past the lines already done.

use std::io::{self, BufRead};
use std::ops::ControlFlow;

use newsflow_model::Format;

use crate::{is_gzip, Entry, Finished, Item, Limits, ReadError, Resume, Tell, Visited, Visitor};

pub(crate) fn read<R: BufRead>(
    reader: &mut Tell<R>,
    prefix: &str,
    limits: &Limits,
    resume: Resume,
    visit: &mut Visitor<'_>,
) -> Result<Finished, ReadError> {
    if is_gzip(reader)? {
        // Offsets inside a gzip stream cannot be sought to: read from the start.
        let decoder = flate2::bufread::MultiGzDecoder::new(&mut *reader);
        let mut lines = Tell::new(io::BufReader::with_capacity(64 * 1024, decoder), 0);
        let resume = Resume {
            offset: 0,
            index_at_offset: 0,
            next_index: resume.next_index,
            nested: 0,
        };
        read_lines(&mut lines, prefix, limits, resume, false, visit)
    } else {
        read_lines(reader, prefix, limits, resume, true, visit)
    }
}

fn read_lines<R: BufRead>(
    reader: &mut Tell<R>,
    prefix: &str,
    limits: &Limits,
    resume: Resume,
    seekable: bool,
    visit: &mut Visitor<'_>,
) -> Result<Finished, ReadError> {
    let mut index = resume.index_at_offset;
    let mut line = Vec::new();
    loop {
        line.clear();
        let (read, over) = read_line_capped(reader, &mut line, limits.max_entry_bytes)?;
        if read == 0 {
            return Ok(Finished::Complete);
        }
        let this = index;
        index += 1;
        if this < resume.next_index {
            continue;
        }
        let locator = format!("{prefix}:{}", this + 1);
        let trimmed = line.trim_ascii();
        let item = if over {
            Item::Failed {
                locator,
                kind: "too_large",
                message: format!(
                    "line {} is longer than the limit of {} bytes",
                    this + 1,
                    limits.max_entry_bytes
                ),
            }
        } else if trimmed.is_empty() {
            continue;
        } else {
            match serde_json::from_slice::<serde_json::Value>(trimmed) {
                Ok(serde_json::Value::Object(_)) => Item::Article(Entry {
                    locator,
                    format: Format::Json,
                    bytes: trimmed.to_vec(),
                    url: None,
                    fetched_at: None,
                    charset: None,
                }),
                Ok(_) => Item::Failed {
                    locator,
                    kind: "invalid_json",
                    message: format!("line {} is not a JSON object", this + 1),
                },
                Err(err) => Item::Failed {
                    locator,
                    kind: "invalid_json",
                    message: format!("line {} is not valid JSON: {err}", this + 1),
                },
            }
        };
        let resume = if seekable {
            Resume {
                offset: reader.pos(),
                index_at_offset: this + 1,
                next_index: this + 1,
                nested: 0,
            }
        } else {
            Resume {
                offset: 0,
                index_at_offset: 0,
                next_index: this + 1,
                nested: 0,
            }
        };
        let visited = Visited {
            item,
            index: this,
            resume,
            bytes_read: reader.pos(),
        };
        if let ControlFlow::Break(()) = visit(visited) {
            return Ok(Finished::Stopped);
        }
    }
}

/// Reads one line (through `\n`), keeping at most `max` bytes of it: returns the bytes taken
/// from the stream and whether the line was longer than `max`.
fn read_line_capped<R: BufRead>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: u64,
) -> io::Result<(usize, bool)> {
    let mut total = 0usize;
    let mut over = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((total, over));
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(pos) => (&buf[..=pos], true),
            None => (buf, false),
        };
        let room = (max as usize).saturating_sub(line.len());
        let content = if done { chunk.len() - 1 } else { chunk.len() };
        if content > room {
            over = true;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let len = chunk.len();
        total += len;
        reader.consume(len);
        if done {
            return Ok((total, over));
        }
    }
}
