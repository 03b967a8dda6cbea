//! An HTTP response as a WARC `response` record stores it: status line, headers, body as sent
//! on the wire. Decides whether it is an article (2xx, HTML) and undoes the transfer encoding
//! (chunked) and the content encoding (gzip, deflate, br), with the decoded size capped.

use std::io::Read;

use crate::SkipReason;

/// What a stored response is.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpOutcome {
    /// A 2xx HTML page: its decoded body and the charset its `Content-Type` header names.
    Page {
        body: Vec<u8>,
        charset: Option<String>,
    },
    Skip(SkipReason),
    Fail {
        kind: &'static str,
        message: String,
    },
}

/// Decodes a stored response. `truncated`: the record was longer than the read cap (a 2xx HTML
/// page then fails as `too_large`); `max` caps the decoded body.
pub fn decode_response(block: &[u8], truncated: bool, max: u64) -> HttpOutcome {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(block) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => {
            return HttpOutcome::Fail {
                kind: "bad_record",
                message: "http response head is incomplete".to_string(),
            }
        }
        Err(err) => {
            return HttpOutcome::Fail {
                kind: "bad_record",
                message: format!("http response head cannot be parsed: {err}"),
            }
        }
    };
    let status = response.code.unwrap_or(0);
    if !(200..300).contains(&status) {
        return HttpOutcome::Skip(SkipReason::HttpStatus);
    }
    let header = |name: &str| -> Option<String> {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let content_type = header("content-type");
    let body = &block[head_len..];
    let (is_html, charset) = match &content_type {
        Some(value) => media_type(value),
        None => (sniff_html(body), None),
    };
    if !is_html {
        return HttpOutcome::Skip(SkipReason::NotHtml);
    }
    if truncated {
        return HttpOutcome::Fail {
            kind: "too_large",
            message: format!("page is larger than the limit of {max} bytes"),
        };
    }
    let chunked = header("transfer-encoding")
        .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        match dechunk(body) {
            Some(body) => body,
            // Some crawlers store the body de-chunked but keep the header.
            None => body.to_vec(),
        }
    } else {
        body.to_vec()
    };
    let encodings: Vec<String> = header("content-encoding")
        .map(|value| {
            value
                .split(',')
                .map(|part| part.trim().to_ascii_lowercase())
                .filter(|part| !part.is_empty() && part != "identity")
                .collect()
        })
        .unwrap_or_default();
    let mut body = body;
    // Applied in the order listed: undone last first.
    for encoding in encodings.iter().rev() {
        body = match decode_content(&body, encoding, max) {
            Ok(decoded) => decoded,
            Err(outcome) => return outcome,
        };
    }
    HttpOutcome::Page { body, charset }
}

fn decode_content(body: &[u8], encoding: &str, max: u64) -> Result<Vec<u8>, HttpOutcome> {
    let fail = |message: String| HttpOutcome::Fail {
        kind: "content_encoding",
        message,
    };
    let mut out = Vec::new();
    let read = match encoding {
        "gzip" | "x-gzip" => {
            if body.len() < 2 || body[0] != 0x1f || body[1] != 0x8b {
                // Stored already decoded (some writers do), header kept.
                return Ok(body.to_vec());
            }
            flate2::read::MultiGzDecoder::new(body)
                .take(max + 1)
                .read_to_end(&mut out)
        }
        "deflate" => {
            // "deflate" is zlib-wrapped by the standard, raw by some servers.
            let zlib = flate2::read::ZlibDecoder::new(body)
                .take(max + 1)
                .read_to_end(&mut out);
            if zlib.is_err() {
                out.clear();
                flate2::read::DeflateDecoder::new(body)
                    .take(max + 1)
                    .read_to_end(&mut out)
            } else {
                zlib
            }
        }
        "br" => brotli_decompressor::Decompressor::new(body, 64 * 1024)
            .take(max + 1)
            .read_to_end(&mut out),
        other => {
            return Err(fail(format!(
                "content encoding {other} is not supported (gzip, deflate, br are)"
            )))
        }
    };
    if let Err(err) = read {
        return Err(fail(format!("{encoding} body cannot be decoded: {err}")));
    }
    if out.len() as u64 > max {
        return Err(HttpOutcome::Fail {
            kind: "too_large",
            message: format!("{encoding} body expands past the limit of {max} bytes"),
        });
    }
    Ok(out)
}

/// Whether a `Content-Type` value is HTML, and the charset it names.
fn media_type(value: &str) -> (bool, Option<String>) {
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let html = media == "text/html" || media == "application/xhtml+xml";
    let charset = parts.find_map(|part| {
        let (name, value) = part.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("charset") {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            (!value.is_empty()).then(|| value.to_ascii_lowercase())
        } else {
            None
        }
    });
    (html, charset)
}

fn sniff_html(body: &[u8]) -> bool {
    let head: Vec<u8> = body
        .iter()
        .take(1024)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("<!doctype html") || text.starts_with("<html")
}

/// Undoes chunked transfer encoding; `None` when the body is not well-formed chunks.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&body[..line_end]).ok()?;
        let size_text = line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if body.len() < size {
            // A truncated capture: keep what arrived.
            out.extend_from_slice(body);
            return Some(out);
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size..];
        body = body.strip_prefix(b"\r\n").unwrap_or(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn page(body: &[u8]) -> HttpOutcome {
        decode_response(body, false, 1 << 20)
    }

    #[test]
    fn plain_html_with_charset() {
        let got = page(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n\r\n<p>caf\xe9</p>",
        );
        assert_eq!(
            got,
            HttpOutcome::Page {
                body: b"<p>caf\xe9</p>".to_vec(),
                charset: Some("iso-8859-1".into())
            }
        );
    }

    #[test]
    fn chunked_and_gzip() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<html><p>hello world</p></html>").unwrap();
        let zipped = gz.finish().unwrap();
        let (a, b) = zipped.split_at(7);
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        block.extend_from_slice(format!("{:x}\r\n", a.len()).as_bytes());
        block.extend_from_slice(a);
        block.extend_from_slice(format!("\r\n{:X};ext=1\r\n", b.len()).as_bytes());
        block.extend_from_slice(b);
        block.extend_from_slice(b"\r\n0\r\n\r\n");
        assert_eq!(
            page(&block),
            HttpOutcome::Page {
                body: b"<html><p>hello world</p></html>".to_vec(),
                charset: None
            }
        );
    }

    #[test]
    fn brotli_and_deflate() {
        let html = b"<html><p>brotli body</p></html>";
        let mut br = Vec::new();
        {
            // A brotli stream of one uncompressed meta-block, written by hand (the reader
            // crate has no encoder): WBITS=16, ISLAST=0, MLEN, ISUNCOMPRESSED=1, then an empty
            // last meta-block.
            let mut writer = BitWriter::default();
            writer.bits(0, 1); // WBITS = 16
            writer.bits(0, 1); // ISLAST = 0
            writer.bits(0, 2); // MNIBBLES = 4
            writer.bits((html.len() - 1) as u64, 16);
            writer.bits(1, 1); // ISUNCOMPRESSED
            writer.align();
            writer.bytes.extend_from_slice(html);
            writer.bits(1, 1); // ISLAST
            writer.bits(1, 1); // ISLASTEMPTY
            writer.align();
            br.extend_from_slice(&writer.bytes);
        }
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n\r\n".to_vec();
        block.extend_from_slice(&br);
        assert_eq!(
            page(&block),
            HttpOutcome::Page {
                body: html.to_vec(),
                charset: None
            }
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(html).unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: deflate\r\n\r\n"
                .to_vec();
        block.extend_from_slice(&z.finish().unwrap());
        assert!(matches!(page(&block), HttpOutcome::Page { body, .. } if body == html));
    }

    #[derive(Default)]
    struct BitWriter {
        bytes: Vec<u8>,
        bit: u32,
    }

    impl BitWriter {
        fn bits(&mut self, value: u64, count: u32) {
            for i in 0..count {
                if self.bit == 0 {
                    self.bytes.push(0);
                }
                let last = self.bytes.len() - 1;
                self.bytes[last] |= (((value >> i) & 1) as u8) << self.bit;
                self.bit = (self.bit + 1) % 8;
            }
        }

        fn align(&mut self) {
            self.bit = 0;
        }
    }

    #[test]
    fn skips_and_failures() {
        assert_eq!(
            page(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html>"),
            HttpOutcome::Skip(SkipReason::HttpStatus)
        );
        assert_eq!(
            page(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"),
            HttpOutcome::Skip(SkipReason::NotHtml)
        );
        assert!(matches!(
            page(b"HTTP/1.1 200 OK\r\n\r\n<!DOCTYPE html><p>x"),
            HttpOutcome::Page { .. }
        ));
        assert!(matches!(
            page(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: zstd\r\n\r\nxx"),
            HttpOutcome::Fail {
                kind: "content_encoding",
                ..
            }
        ));
        assert!(matches!(
            page(b"garbage"),
            HttpOutcome::Fail {
                kind: "bad_record",
                ..
            }
        ));
        assert!(matches!(
            decode_response(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>",
                true,
                10
            ),
            HttpOutcome::Fail {
                kind: "too_large",
                ..
            }
        ));
        // a gzip body that expands past the cap
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&vec![b'a'; 10_000]).unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend_from_slice(&gz.finish().unwrap());
        assert!(matches!(
            decode_response(&block, false, 1000),
            HttpOutcome::Fail {
                kind: "too_large",
                ..
            }
        ));
    }
}
