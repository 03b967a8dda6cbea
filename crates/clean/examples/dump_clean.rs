//! Prints the cleaned result of one file: `cargo run -p newsflow-clean --example dump_clean FILE [html|txt|json]`.
use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: dump_clean FILE [FORMAT]")?;
    let format = args
        .next()
        .and_then(|f| newsflow_model::Format::parse(&f))
        .unwrap_or(newsflow_model::Format::Html);
    let mut bytes = Vec::new();
    std::fs::File::open(&path)?.read_to_end(&mut bytes)?;
    let cleaner = newsflow_clean::Cleaner::new();
    match cleaner.clean(&bytes, format) {
        Ok(cleaned) => println!("{}", serde_json::to_string_pretty(&cleaned)?),
        Err(err) => println!("error {}: {err}", err.kind()),
    }
    Ok(())
}
