//! Header names carried on every article message, and their encoding.

/// Article id (content hash).
pub const ID: &str = "Newsflow-Id";
/// Source path relative to the inbox, percent-encoded (names may hold newlines or bad UTF-8).
pub const SOURCE: &str = "Newsflow-Source";
/// `txt`, `html` or `json`.
pub const FORMAT: &str = "Newsflow-Format";
/// When the watcher took the file (RFC 3339).
pub const RECEIVED_AT: &str = "Newsflow-Received-At";
/// Unix time in nanoseconds when the watcher published the file: for drop-to-result latency.
pub const DROPPED_NS: &str = "Newsflow-Dropped-Ns";
/// Result version: 1 for a first run, higher for a replay (its results supersede older ones).
pub const VERSION: &str = "Newsflow-Version";
/// Set when the bytes are in the object store instead of the payload (too large for it).
pub const BLOB: &str = "Newsflow-Blob";
/// The address a crawled page was fetched from (a WARC record's `WARC-Target-URI`), encoded.
pub const URL: &str = "Newsflow-Url";
/// When a crawled page was fetched (a WARC record's `WARC-Date`).
pub const FETCHED_AT: &str = "Newsflow-Fetched-At";
/// The charset named by a crawled page's HTTP `Content-Type` header.
pub const CHARSET: &str = "Newsflow-Charset";

/// Percent-encodes everything outside printable ASCII (and `%` itself).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if (0x20..0x7f).contains(&byte) && byte != b'%' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Reverses [`encode`] (invalid escapes are kept as they are).
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 3 <= bytes.len() {
            let high = (bytes[index + 1] as char).to_digit(16);
            let low = (bytes[index + 2] as char).to_digit(16);
            if let (Some(high), Some(low)) = (high, low) {
                out.push((high * 16 + low) as u8);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for value in [
            "a/b.txt",
            "new\nline.txt",
            "100%.txt",
            "ünï.txt",
            "%",
            "a%4",
        ] {
            assert_eq!(decode(&encode(value)), value);
        }
        assert!(!encode("new\nline").contains('\n'));
    }
}
