//! Shows, for one benchmark page, the truth paragraphs the HTML path missed and the output lines
//! that are not in the truth: `cargo run --release -p newsflow-clean --example diff_clean -- DATA ID`.
use newsflow_clean::{metric, Cleaner};
use newsflow_corpus::extraction::ExtractionPages;
use newsflow_model::Format;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args.next().ok_or("usage: diff_clean DATA ID")?;
    let id = args.next().ok_or("usage: diff_clean DATA ID")?;
    let corpus = ExtractionPages::open(std::path::Path::new(&data))?;
    let page = corpus
        .pages
        .iter()
        .find(|page| page.id == id)
        .ok_or("no such page id")?;
    let expected = page.body.clone();
    let html = corpus.html(page)?;
    let body = Cleaner::new()
        .clean(&html, Format::Html)
        .map(|c| c.body)
        .unwrap_or_default();
    let got = metric::shingles(&body);
    let want = metric::shingles(&expected);
    println!("== missed truth lines");
    for line in expected.lines() {
        let toks = metric::tokens(line);
        if toks.len() < 4 {
            continue;
        }
        let hits = toks.windows(4).filter(|w| got.contains_key(*w)).count();
        if hits * 2 < toks.len() - 3 {
            println!("- {}", line.chars().take(160).collect::<String>());
        }
    }
    println!("== extra output lines");
    for line in body.lines() {
        let toks = metric::tokens(line);
        let hit = if toks.len() < 4 {
            false
        } else {
            toks.windows(4).filter(|w| want.contains_key(*w)).count() * 2 >= toks.len() - 3
        };
        if !hit {
            println!("+ {}", line.chars().take(160).collect::<String>());
        }
    }
    println!("{:?}", metric::score_page(&expected, &body));
    Ok(())
}
