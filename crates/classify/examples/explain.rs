//! Which words push a text towards one label rather than another (single-word margins times
//! their count): `explain MODEL_FILE TEXT_FILE LABEL_A LABEL_B`.

use std::collections::HashMap;

use newsflow_classify::TopicModel;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, text_path, first, second] = args.as_slice() else {
        return Err("usage: explain MODEL_FILE TEXT_FILE LABEL_A LABEL_B".into());
    };
    let model = TopicModel::from_bytes(&std::fs::read(model_path)?)?;
    let text = std::fs::read_to_string(text_path)?;
    let position = |label: &str| model.labels().iter().position(|known| known == label);
    let (Some(a), Some(b)) = (position(first), position(second)) else {
        return Err(format!("labels are {:?}", model.labels()).into());
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for word in text
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        *counts.entry(word.to_lowercase()).or_default() += 1;
    }
    let mut scored: Vec<(f32, String, usize)> = counts
        .into_iter()
        .map(|(word, count)| {
            let margins = model.margins(&word);
            ((margins[a] - margins[b]) * count as f32, word, count)
        })
        .collect();
    scored.sort_by(|x, y| x.0.total_cmp(&y.0));
    println!(
        "towards {second}: {:?}",
        &scored[..scored.len().min(15)]
            .iter()
            .map(|(s, w, c)| format!("{w}x{c}:{s:.2}"))
            .collect::<Vec<_>>()
    );
    scored.reverse();
    println!(
        "towards {first}: {:?}",
        &scored[..scored.len().min(15)]
            .iter()
            .map(|(s, w, c)| format!("{w}x{c}:{s:.2}"))
            .collect::<Vec<_>>()
    );
    Ok(())
}
