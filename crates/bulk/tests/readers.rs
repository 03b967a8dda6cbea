//! The readers over files written by real writers: WARC records by the `warc` crate, tar by
//! the `tar` crate, zip by the `zip` crate, gzip by flate2.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use newsflow_bulk::fixtures::{gzip_bytes, http_response, warc_record};
use newsflow_bulk::{read_path, BulkKind, Finished, Item, Limits, Resume, SkipReason, Visited};
use newsflow_model::Format;

fn read_all(path: &Path, kind: BulkKind, resume: Option<Resume>) -> Vec<Visited> {
    let mut out = Vec::new();
    let finished = read_path(path, kind, &Limits::default(), resume, &mut |v| {
        out.push(v);
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(finished, Finished::Complete);
    out
}

const DATE: &str = "2024-03-01T12:00:00Z";

/// The records of a CC-NEWS-like crawl, each its own gzip member when `per_record_gzip`.
fn crawl() -> Vec<Vec<u8>> {
    let html = |title: &str| {
        format!("<html><head><title>{title}</title></head><body><p>{title} body text.</p></body></html>")
    };
    vec![
        warc_record("warcinfo", "", DATE, b"software: test\r\n"),
        warc_record(
            "request",
            "https://news.example/a",
            DATE,
            b"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n",
        ),
        // 0: plain
        warc_record(
            "response",
            "https://news.example/a",
            DATE,
            &http_response(
                200,
                &[("Content-Type", "text/html; charset=utf-8")],
                html("Plain").as_bytes(),
                false,
                false,
            ),
        ),
        warc_record(
            "metadata",
            "https://news.example/a",
            DATE,
            b"fetchTimeMs: 12\r\n",
        ),
        // chunked + gzip
        warc_record(
            "response",
            "https://news.example/b",
            DATE,
            &http_response(
                200,
                &[("Content-Type", "text/html")],
                html("Chunked gzip").repeat(50).as_bytes(),
                true,
                true,
            ),
        ),
        // latin-1 named only by the HTTP header
        warc_record(
            "response",
            "https://news.example/c",
            DATE,
            &http_response(
                200,
                &[("Content-Type", "text/html; charset=ISO-8859-1")],
                b"<html><body><p>Caf\xe9 cr\xe8me</p></body></html>",
                false,
                false,
            ),
        ),
        warc_record(
            "revisit",
            "https://news.example/a",
            DATE,
            b"HTTP/1.1 200 OK\r\n\r\n",
        ),
        warc_record(
            "response",
            "https://news.example/logo.png",
            DATE,
            &http_response(
                200,
                &[("Content-Type", "image/png")],
                b"\x89PNG....",
                false,
                false,
            ),
        ),
        warc_record(
            "response",
            "https://news.example/missing",
            DATE,
            &http_response(
                404,
                &[("Content-Type", "text/html")],
                b"<html>not found</html>",
                false,
                false,
            ),
        ),
    ]
}

fn articles(items: &[Visited]) -> Vec<&newsflow_bulk::Entry> {
    items
        .iter()
        .filter_map(|v| match &v.item {
            Item::Article(entry) => Some(entry),
            _ => None,
        })
        .collect()
}

fn skipped(items: &[Visited]) -> Vec<SkipReason> {
    items
        .iter()
        .filter_map(|v| match &v.item {
            Item::Skipped { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

fn check_crawl(items: &[Visited]) {
    let pages = articles(items);
    assert_eq!(pages.len(), 3, "{items:#?}");
    assert_eq!(pages[0].url.as_deref(), Some("https://news.example/a"));
    assert_eq!(pages[0].fetched_at.as_deref(), Some(DATE));
    assert_eq!(pages[0].format, Format::Html);
    let chunked = "<html><head><title>Chunked gzip</title></head><body><p>Chunked gzip body text.</p></body></html>".repeat(50);
    assert_eq!(pages[1].bytes, chunked.as_bytes());
    assert_eq!(pages[2].charset.as_deref(), Some("iso-8859-1"));
    assert!(pages[2].bytes.windows(4).any(|w| w == b"Caf\xe9"));
    let mut reasons = skipped(items);
    reasons.sort_by_key(|r| r.as_str());
    assert_eq!(
        reasons,
        vec![
            SkipReason::HttpStatus,
            SkipReason::Metadata,
            SkipReason::NotHtml,
            SkipReason::OtherRecord,
            SkipReason::Request,
            SkipReason::Revisit
        ]
    );
    let indexes: Vec<u64> = items.iter().map(|v| v.index).collect();
    assert_eq!(indexes, (0..9).collect::<Vec<_>>());
}

#[test]
fn warc_gzip_per_record_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.warc.gz");
    let mut offsets = Vec::new();
    let mut file = Vec::new();
    for record in crawl() {
        offsets.push(file.len() as u64);
        file.extend_from_slice(&gzip_bytes(&record));
    }
    std::fs::write(&path, &file).unwrap();
    let items = read_all(&path, BulkKind::Warc, None);
    check_crawl(&items);
    // a record is named by the offset of its gzip member
    assert_eq!(items[2].item.locator(), format!("@{}", offsets[2]));
    assert_eq!(items[5].resume.offset, offsets[5]);
    // resuming after item 4 seeks to its member and hands out from item 5 on
    let again = read_all(&path, BulkKind::Warc, Some(items[4].resume));
    assert_eq!(again.len(), 4);
    assert_eq!(again[0], items[5]);
    assert_eq!(again.last(), items.last());
}

#[test]
fn warc_plain_and_one_member_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let plain: Vec<u8> = crawl().concat();
    let path = dir.path().join("crawl.warc");
    std::fs::write(&path, &plain).unwrap();
    let items = read_all(&path, BulkKind::Warc, None);
    check_crawl(&items);
    let again = read_all(&path, BulkKind::Warc, Some(items[6].resume));
    assert_eq!(again.as_slice(), &items[7..]);

    let whole = dir.path().join("whole.warc.gz");
    std::fs::write(&whole, gzip_bytes(&plain)).unwrap();
    let items = read_all(&whole, BulkKind::Warc, None);
    check_crawl(&items);
    assert_eq!(items[2].item.locator(), "@0#2");
    let again = read_all(&whole, BulkKind::Warc, Some(items[6].resume));
    assert_eq!(again.as_slice(), &items[7..]);
}

#[test]
fn a_broken_record_is_an_error_and_the_rest_flows() {
    let dir = tempfile::tempdir().unwrap();
    let records = crawl();
    // plain: garbage between records
    let mut plain = records[..3].concat();
    let bad_at = plain.len();
    plain.extend_from_slice(b"WARC/1.0\r\nthis is not a header\r\n\r\nrubbish\r\n\r\n");
    plain.extend_from_slice(&records[3..].concat());
    let path = dir.path().join("broken.warc");
    std::fs::write(&path, &plain).unwrap();
    let items = read_all(&path, BulkKind::Warc, None);
    let failed: Vec<_> = items
        .iter()
        .filter_map(|v| match &v.item {
            Item::Failed {
                locator,
                kind,
                message,
            } => Some((locator.clone(), *kind, message.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, format!("@{bad_at}"));
    assert_eq!(failed[0].1, "bad_record");
    assert!(
        failed[0].2.contains(&format!("offset {bad_at}")),
        "{}",
        failed[0].2
    );
    assert_eq!(articles(&items).len(), 3);

    // gzip per record: one member that is not deflate data, and a record cut short
    let mut gz = Vec::new();
    for record in &records[..3] {
        gz.extend_from_slice(&gzip_bytes(record));
    }
    let bad_member = gz.len();
    let mut corrupt = gzip_bytes(&records[3]);
    for byte in corrupt.iter_mut().skip(12).take(20) {
        *byte ^= 0x5a;
    }
    gz.extend_from_slice(&corrupt);
    for record in &records[4..] {
        gz.extend_from_slice(&gzip_bytes(record));
    }
    let cut = &records[2][..records[2].len() - 30];
    gz.extend_from_slice(&gzip_bytes(cut));
    let path = dir.path().join("broken.warc.gz");
    std::fs::write(&path, &gz).unwrap();
    let items = read_all(&path, BulkKind::Warc, None);
    let kinds: Vec<(String, &str)> = items
        .iter()
        .filter_map(|v| match &v.item {
            Item::Failed { locator, kind, .. } => Some((locator.clone(), *kind)),
            _ => None,
        })
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(kinds[0], (format!("@{bad_member}"), "bad_record"));
    assert_eq!(kinds[1].1, "truncated_record");
    assert_eq!(articles(&items).len(), 3);
}

#[test]
fn jsonl_with_a_bad_line_plain_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"title\":\"One\",\"body\":\"first\"}\n\n{\"title\": broken\n[1,2]\n{\"title\":\"Four\",\"html\":\"<p>x</p>\",\"url\":\"https://a.example/4\"}";
    let path = dir.path().join("export.jsonl");
    std::fs::write(&path, text).unwrap();
    let items = read_all(&path, BulkKind::Jsonl, None);
    let summary: Vec<(String, &str)> = items
        .iter()
        .map(|v| match &v.item {
            Item::Article(e) => (e.locator.clone(), "article"),
            Item::Failed { locator, kind, .. } => (locator.clone(), *kind),
            Item::Skipped { locator, .. } => (locator.clone(), "skipped"),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (":1".to_string(), "article"),
            (":3".to_string(), "invalid_json"),
            (":4".to_string(), "invalid_json"),
            (":5".to_string(), "article"),
        ]
    );
    if let Item::Failed { message, .. } = &items[1].item {
        assert!(message.starts_with("line 3 is not valid JSON"), "{message}");
    }
    let again = read_all(&path, BulkKind::Jsonl, Some(items[1].resume));
    assert_eq!(again.as_slice(), &items[2..]);

    let gz = dir.path().join("export.ndjson.gz");
    std::fs::write(&gz, gzip_bytes(text.as_bytes())).unwrap();
    let zipped = read_all(&gz, BulkKind::Jsonl, None);
    assert_eq!(zipped.len(), 4);
    let again = read_all(&gz, BulkKind::Jsonl, Some(zipped[2].resume));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].item, zipped[3].item);
}

#[test]
fn jsonl_line_over_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let long = format!(
        "{{\"body\":\"{}\"}}\n{{\"body\":\"ok\"}}\n",
        "x".repeat(5000)
    );
    std::fs::write(&path, long).unwrap();
    let limits = Limits {
        max_entry_bytes: 1000,
        ..Limits::default()
    };
    let mut kinds = Vec::new();
    read_path(&path, BulkKind::Jsonl, &limits, None, &mut |v| {
        kinds.push(match v.item {
            Item::Failed { kind, .. } => kind,
            Item::Article(_) => "article",
            Item::Skipped { .. } => "skipped",
        });
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(kinds, vec!["too_large", "article"]);
}

fn tar_with(dir: &Path, gz: bool) -> std::path::PathBuf {
    let mut builder = tar::Builder::new(Vec::new());
    fn add(builder: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, data).unwrap();
    }
    let b = &mut builder;
    add(b, "news/one.html", b"<html><p>one</p></html>");
    add(b, "news/two.txt", b"Two\n\nbody of two");
    add(b, "README.md", b"not an article");
    add(
        b,
        "inner/export.jsonl",
        b"{\"title\":\"J1\",\"body\":\"a\"}\nnot json\n{\"title\":\"J3\",\"body\":\"c\"}\n",
    );
    // a traversal name, written raw (the builder refuses it)
    let mut header = tar::Header::new_old();
    let evil = b"../../etc/evil.html";
    header.as_old_mut().name[..evil.len()].copy_from_slice(evil);
    header.set_size(4);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    builder.append(&header, &b"evil"[..]).unwrap();
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    builder
        .append_link(&mut link, "news/passwd.html", "/etc/passwd")
        .unwrap();
    add(
        &mut builder,
        "news/three.json",
        b"{\"title\":\"Three\",\"body\":\"three\"}",
    );
    let bytes = builder.into_inner().unwrap();
    let (name, bytes) = if gz {
        ("bundle.tar.gz", gzip_bytes(&bytes))
    } else {
        ("bundle.tar", bytes)
    };
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn outline(items: &[Visited]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|v| match &v.item {
            Item::Article(e) => (e.locator.clone(), format!("article {}", e.format.as_str())),
            Item::Failed { locator, kind, .. } => (locator.clone(), kind.to_string()),
            Item::Skipped { locator, reason } => (locator.clone(), reason.as_str().to_string()),
        })
        .collect()
}

#[test]
fn tar_members_traversal_and_links() {
    let dir = tempfile::tempdir().unwrap();
    for gz in [false, true] {
        let path = tar_with(dir.path(), gz);
        let items = read_all(&path, BulkKind::Tar, None);
        let expected: Vec<(String, String)> = [
            ("!/news/one.html", "article html"),
            ("!/news/two.txt", "article txt"),
            ("!/README.md", "unsupported_member"),
            ("!/inner/export.jsonl:1", "article json"),
            ("!/inner/export.jsonl:2", "invalid_json"),
            ("!/inner/export.jsonl:3", "article json"),
            ("!/../../etc/evil.html", "unsafe_path"),
            ("!/news/passwd.html", "link_member"),
            ("!/news/three.json", "article json"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(outline(&items), expected);
        // resume after the jsonl member's second line: on at its third
        let again = read_all(&path, BulkKind::Tar, Some(items[4].resume));
        assert_eq!(outline(&again), expected[5..].to_vec());
        let again = read_all(&path, BulkKind::Tar, Some(items[7].resume));
        assert_eq!(outline(&again), expected[8..].to_vec());
    }
}

#[test]
fn zip_members_bomb_traversal_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.zip");
    {
        let file = std::fs::File::create(&path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("a/one.html", options).unwrap();
        zip.write_all(b"<html><p>one</p></html>").unwrap();
        zip.start_file("bomb.html", options).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..20 {
            zip.write_all(&zeros).unwrap();
        }
        zip.start_file("../escape.txt", options).unwrap();
        zip.write_all(b"escape").unwrap();
        zip.add_symlink("link.html", "/etc/passwd", options)
            .unwrap();
        zip.start_file("b/two.json", options).unwrap();
        zip.write_all(b"{\"title\":\"Two\",\"body\":\"two\"}")
            .unwrap();
        zip.finish().unwrap();
    }
    let items = read_all(&path, BulkKind::Zip, None);
    let expected: Vec<(String, String)> = [
        ("!/a/one.html", "article html"),
        ("!/bomb.html", "zip_bomb"),
        ("!/../escape.txt", "unsafe_path"),
        ("!/link.html", "link_member"),
        ("!/b/two.json", "article json"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(outline(&items), expected);
    let again = read_all(&path, BulkKind::Zip, Some(items[2].resume));
    assert_eq!(outline(&again), expected[3..].to_vec());
}

#[test]
fn a_tar_gz_that_expands_too_far_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = tar::Builder::new(Vec::new());
    for i in 0..4 {
        let data = vec![b'a'; 2 << 20];
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("big{i}.txt"), &data[..])
            .unwrap();
    }
    let path = dir.path().join("bomb.tar.gz");
    std::fs::write(&path, gzip_bytes(&builder.into_inner().unwrap())).unwrap();
    let limits = Limits {
        max_expanded_bytes: 5 << 20,
        ..Limits::default()
    };
    let mut items = Vec::new();
    read_path(&path, BulkKind::Tar, &limits, None, &mut |v| {
        items.push(v);
        ControlFlow::Continue(())
    })
    .unwrap();
    let kinds: Vec<String> = outline(&items).into_iter().map(|(_, k)| k).collect();
    assert_eq!(kinds, vec!["article txt", "article txt", "archive_bomb"]);
}

#[test]
fn the_visitor_can_stop_a_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.warc");
    std::fs::write(&path, crawl().concat()).unwrap();
    let mut seen = 0;
    let finished = read_path(&path, BulkKind::Warc, &Limits::default(), None, &mut |_| {
        seen += 1;
        if seen == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(finished, Finished::Stopped);
    assert_eq!(seen, 3);
}

/// `bytes` as one gzip member of stored (uncompressed) deflate blocks: its size follows the
/// input's, so a test can put a member boundary at an exact offset.
fn stored_gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A response record of one page whose gzip member (stored) is exactly `size` bytes.
fn member_of_size(size: usize, uri: &str) -> Vec<u8> {
    let member = |pad: usize| {
        let page = format!(
            "<html><head><title>Padded</title></head><body><p>{}</p></body></html>",
            "x".repeat(pad)
        );
        let record = warc_record(
            "response",
            uri,
            DATE,
            &http_response(
                200,
                &[("Content-Type", "text/html")],
                page.as_bytes(),
                false,
                false,
            ),
        );
        stored_gzip(&record)
    };
    let mut pad = size / 2;
    for _ in 0..20 {
        let got = member(pad).len();
        if got == size {
            return member(pad);
        }
        pad = (pad as i64 + size as i64 - got as i64).max(0) as usize;
    }
    panic!("no padding gives a member of {size} bytes");
}

/// Issue 15: the CI run where a watcher never resumed a WARC. `read_path` reads through a
/// 256 KiB buffer; when a gzip member ended one byte before the buffer's end, the check for
/// the next member's magic (`1f 8b`) saw a single byte, took the rest of the file for trailing
/// garbage, named it in one error record and reported the file complete, so the watcher
/// marked a WARC done that it had published only the start of.
#[test]
fn issue_15_a_member_ending_one_byte_before_the_read_buffer_ends_is_not_the_end() {
    const BUFFER: usize = 256 * 1024;
    let dir = tempfile::tempdir().unwrap();
    for left_in_buffer in [1usize, 2, 3] {
        let mut file = member_of_size(BUFFER - left_in_buffer, "https://news.example/first");
        assert_eq!(file.len(), BUFFER - left_in_buffer);
        let mut offsets = vec![0u64];
        for n in 0..5 {
            offsets.push(file.len() as u64);
            let record = warc_record(
                "response",
                &format!("https://news.example/{n}"),
                DATE,
                &http_response(
                    200,
                    &[("Content-Type", "text/html")],
                    format!("<html><body><p>Story {n}</p></body></html>").as_bytes(),
                    false,
                    false,
                ),
            );
            file.extend_from_slice(&gzip_bytes(&record));
        }
        let path = dir.path().join(format!("crawl-{left_in_buffer}.warc.gz"));
        std::fs::write(&path, &file).unwrap();
        let items = read_all(&path, BulkKind::Warc, None);
        let locators: Vec<String> = outline(&items)
            .into_iter()
            .map(|(locator, kind)| format!("{locator} {kind}"))
            .collect();
        let expected: Vec<String> = offsets
            .iter()
            .map(|offset| format!("@{offset} article html"))
            .collect();
        assert_eq!(
            locators, expected,
            "{left_in_buffer} byte(s) left in the buffer"
        );
    }
}

/// A read resumed after any item hands out exactly the items after it: also inside a WARC or
/// a JSON Lines file nested in a tar, a tar.gz or a zip (it used to start such a member again
/// and hand its first items out a second time, deduplicated only within the stream's window).
#[test]
fn a_read_resumed_inside_a_nested_bulk_file_goes_on_after_the_last_item() {
    let dir = tempfile::tempdir().unwrap();
    let warc: Vec<u8> = (0..4)
        .flat_map(|n| {
            gzip_bytes(&warc_record(
                "response",
                &format!("https://news.example/{n}"),
                DATE,
                &http_response(
                    200,
                    &[("Content-Type", "text/html")],
                    format!("<html><body><p>Story {n}</p></body></html>").as_bytes(),
                    false,
                    false,
                ),
            ))
        })
        .collect();
    let jsonl = b"{\"title\":\"J1\",\"body\":\"a\"}\nnot json\n{\"title\":\"J3\",\"body\":\"c\"}\n";
    let members: Vec<(&str, &[u8])> = vec![
        ("first.html", b"<html><p>first</p></html>"),
        ("crawl/part.warc.gz", &warc),
        ("middle.txt", b"Middle\n\nbody"),
        ("export.jsonl", jsonl),
        ("last.html", b"<html><p>last</p></html>"),
    ];
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in &members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, *data).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    std::fs::write(dir.path().join("bundle.tar"), &tar).unwrap();
    std::fs::write(dir.path().join("bundle.tar.gz"), gzip_bytes(&tar)).unwrap();
    {
        let file = std::fs::File::create(dir.path().join("bundle.zip")).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in &members {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }
    for (name, kind) in [
        ("bundle.tar", BulkKind::Tar),
        ("bundle.tar.gz", BulkKind::Tar),
        ("bundle.zip", BulkKind::Zip),
    ] {
        let path = dir.path().join(name);
        let items = read_all(&path, kind, None);
        assert_eq!(items.len(), 10, "{name}: {:#?}", outline(&items));
        for (i, item) in items.iter().enumerate() {
            let again = read_all(&path, kind, Some(item.resume));
            assert_eq!(
                outline(&again),
                outline(&items[i + 1..]),
                "{name}: resumed after {}",
                item.item.locator()
            );
        }
    }
}
