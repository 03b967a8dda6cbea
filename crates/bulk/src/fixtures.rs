//! Writers of bulk test inputs (feature `fixtures`): WARC records through the `warc` crate's
//! writer, HTTP responses as a crawler stores them (chunked, gzip-encoded), gzip members. For
//! tests and the benchmark's generator, never for the product.

use std::io::Write;

use warc::{RecordBuilder, RecordType, WarcHeader, WarcWriter};

/// An HTTP/1.1 response as stored in a WARC `response` record: `headers` as given, the body
/// gzip-encoded when `gzip` (with `Content-Encoding: gzip`) and sent in chunks of 1,000 bytes
/// when `chunked` (with `Transfer-Encoding: chunked`).
pub fn http_response(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    chunked: bool,
    gzip: bool,
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    let body = if gzip {
        out.extend_from_slice(b"Content-Encoding: gzip\r\n");
        gzip_bytes(body)
    } else {
        body.to_vec()
    };
    if chunked {
        out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
        for chunk in body.chunks(1000) {
            out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        out.extend_from_slice(&body);
    }
    out
}

/// One WARC/1.0 record written by the `warc` crate's writer.
pub fn warc_record(warc_type: &str, uri: &str, date: &str, block: &[u8]) -> Vec<u8> {
    let record_type = match warc_type {
        "response" => RecordType::Response,
        "request" => RecordType::Request,
        "revisit" => RecordType::Revisit,
        "metadata" => RecordType::Metadata,
        "warcinfo" => RecordType::WarcInfo,
        _ => RecordType::Resource,
    };
    let content_type = match warc_type {
        "response" | "revisit" => "application/http; msgtype=response",
        "request" => "application/http; msgtype=request",
        "warcinfo" => "application/warc-fields",
        _ => "text/plain",
    };
    let record = RecordBuilder::default()
        .warc_type(record_type)
        .header(WarcHeader::TargetURI, uri)
        .header(WarcHeader::Date, date)
        .header(WarcHeader::ContentType, content_type)
        .body(block.to_vec())
        .build()
        .expect("a valid warc record");
    let mut out = Vec::new();
    {
        let mut writer = WarcWriter::new(&mut out);
        writer.write(&record).expect("write to memory");
    }
    out
}

/// `bytes` as one gzip member.
pub fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("write to memory");
    encoder.finish().expect("write to memory")
}
