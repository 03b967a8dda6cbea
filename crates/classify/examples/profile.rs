//! Where prediction time goes: hashing only, hashing + sort/count, full predict (AG-length texts).
//! `cargo run --release -p newsflow-classify --example profile -- MODEL_FILE`

use std::hint::black_box;
use std::time::Instant;

use newsflow_classify::features::{for_each_hash, hashed_tokens, Scratch};
use newsflow_classify::TopicModel;
use newsflow_corpus::ag_news;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model_path = std::env::args().nth(1).ok_or("usage: profile MODEL_FILE")?;
    let model = TopicModel::from_bytes(&std::fs::read(model_path)?)?;
    let dev = ag_news::split(ag_news::read_shared(&newsflow_corpus::default_root())?).dev;
    let texts: Vec<String> = dev.into_iter().map(|doc| doc.text).collect();
    let rounds = 2000;
    let total = (rounds * texts.len()) as f64;
    for _ in 0..3 {
        let started = Instant::now();
        let mut sum = 0u64;
        for _ in 0..rounds {
            for text in &texts {
                for_each_hash(black_box(text), true, 0, |hash| {
                    sum = sum.wrapping_add(hash)
                });
            }
        }
        black_box(sum);
        let hash_rate = total / started.elapsed().as_secs_f64();
        let started = Instant::now();
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        for _ in 0..rounds {
            for text in &texts {
                hashed_tokens(black_box(text), 20, true, 0, false, &mut scratch, &mut out);
                black_box(&out);
            }
        }
        let token_rate = total / started.elapsed().as_secs_f64();
        let started = Instant::now();
        for _ in 0..rounds {
            for text in &texts {
                black_box(model.predict(black_box(text)));
            }
        }
        let predict_rate = total / started.elapsed().as_secs_f64();
        println!(
            "docs/s: hash {hash_rate:.0}, hash+sort {token_rate:.0}, predict {predict_rate:.0}"
        );
    }
    Ok(())
}
