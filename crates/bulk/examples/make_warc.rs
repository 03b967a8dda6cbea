//! Writes a CC-NEWS-like WARC (one gzip member per record) for the bulk benchmark: the HTML
//! pages (`.html`, `.htm`, optionally `.gz`) under a folder (e.g. `../shared/data/extraction`)
//! repeated with unique URLs until the file reaches a size, each page a `request` + `response`
//! pair, every tenth response gzip-encoded and chunked.
//!
//!     cargo run --release -p newsflow-bulk --features fixtures --example make_warc -- \
//!         PAGES_DIR OUT.warc.gz 1073741824

use std::io::Write;
use std::path::{Path, PathBuf};

use newsflow_bulk::fixtures::{gzip_bytes, http_response, warc_record};

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            html_files(&path, out);
        } else if path.file_name().is_some_and(|name| {
            let name = name.to_string_lossy();
            [".html", ".htm", ".html.gz", ".htm.gz"]
                .iter()
                .any(|ext| name.ends_with(ext))
        }) {
            out.push(path);
        }
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: make_warc PAGES_DIR OUT.warc.gz BYTES");
        std::process::exit(2);
    }
    let mut pages = Vec::new();
    html_files(Path::new(&args[1]), &mut pages);
    let target: u64 = args[3].parse().expect("BYTES is a number");
    let pages: Vec<Vec<u8>> = pages
        .iter()
        .filter_map(|p| {
            let bytes = std::fs::read(p).ok()?;
            if p.extension().is_some_and(|ext| ext == "gz") {
                let mut html = Vec::new();
                std::io::Read::read_to_end(
                    &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                    &mut html,
                )
                .ok()?;
                Some(html)
            } else {
                Some(bytes)
            }
        })
        .filter(|b| b.len() < 4 << 20)
        .collect();
    assert!(!pages.is_empty(), "no .html pages under {}", args[1]);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args[2])?);
    let mut written = 0u64;
    let mut n = 0usize;
    while written < target {
        let body = &pages[n % pages.len()];
        let uri = format!("https://bench.example/{}/page-{n}.html", n % 97);
        let date = "2024-05-01T08:30:00Z";
        let request = warc_record(
            "request",
            &uri,
            date,
            format!("GET /page-{n}.html HTTP/1.1\r\nHost: bench.example\r\n\r\n").as_bytes(),
        );
        let encoded = n.is_multiple_of(10);
        let response = warc_record(
            "response",
            &uri,
            date,
            &http_response(
                200,
                &[("Content-Type", "text/html; charset=utf-8")],
                body,
                encoded,
                encoded,
            ),
        );
        for record in [request, response] {
            let member = gzip_bytes(&record);
            out.write_all(&member)?;
            written += member.len() as u64;
        }
        n += 1;
    }
    out.flush()?;
    eprintln!("{n} pages, {written} bytes in {}", args[2]);
    Ok(())
}
