//! Why a piece of text is in or out of a page's body: prints the ancestors of the text that
//! contains NEEDLE with their furniture, paragraph and score decisions.
//!
//! `cargo run -p newsflow-clean --example explain_body -- PAGE.html[.gz] NEEDLE`

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(needle)) = (args.next(), args.next()) else {
        eprintln!("usage: explain_body PAGE.html[.gz] NEEDLE");
        std::process::exit(2);
    };
    let raw = std::fs::read(&path)?;
    let bytes = if path.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice()).read_to_end(&mut out)?;
        out
    } else {
        raw
    };
    let source = String::from_utf8_lossy(&bytes);
    for line in newsflow_clean::explain_html(&source, &needle) {
        println!("{line}");
    }
    Ok(())
}
