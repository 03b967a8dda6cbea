//! Per-article entity aggregation: mentions from the NER model become one entry per real-world
//! entity, with its canonical (longest) form, type and mention count.
//!
//! A shorter mention joins a longer entity when its words are a contiguous part of the longer
//! form ("Putin" → "Vladimir Putin"), when it abbreviates it word by word ("N. Korea" → "North
//! Korea"), or when it is its acronym ("UN" → "United Nations"). A short form that fits several
//! entities ("Kim" → "Kim Jong Il" / "Kim Jong Un") joins the one mentioned most recently before it.

use crate::text;
use newsflow_model::{Entity, EntityType};
use std::collections::HashMap;

/// One entity mention (byte offsets into the article body).
#[derive(Debug, Clone, PartialEq)]
pub struct EntityMention {
    pub text: String,
    pub kind: EntityType,
    pub start: usize,
    pub end: usize,
}

/// Honorifics that are not part of a name ("Mr Putin" is "Putin").
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "prof", "rev", "mx",
];

/// The words of a mention, possessive, edge punctuation and a leading honorific removed.
fn mention_words(surface: &str) -> Vec<String> {
    let mut words = raw_mention_words(surface);
    let honorific = words
        .first()
        .is_some_and(|w| HONORIFICS.contains(&w.trim_end_matches('.').to_lowercase().as_str()));
    if honorific && words.len() > 1 {
        words.remove(0);
    }
    words
}

fn raw_mention_words(surface: &str) -> Vec<String> {
    // "DPRK[North Korea]": an aside in brackets is not part of the name.
    let surface = surface.split(['[', '(']).next().unwrap_or(surface);
    text::words(surface)
        .iter()
        .map(|w| {
            let token = w.text(surface);
            let token = token
                .strip_suffix("'s")
                .or_else(|| token.strip_suffix("’s"))
                .unwrap_or(token);
            token.to_string()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

fn is_abbreviation_of(short: &str, long: &str) -> bool {
    let Some(stem) = short.strip_suffix('.') else {
        return false;
    };
    !stem.is_empty() && !stem.contains('.') && long.len() > stem.len() && long.starts_with(stem)
}

fn acronym(words: &[String]) -> String {
    words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .filter_map(|w| w.chars().next())
        .collect()
}

/// True when `short` names the same entity as `long` (see the module docs).
pub fn covers(long: &[String], short: &[String]) -> bool {
    if short.is_empty() || short.len() > long.len() {
        return false;
    }
    if short.len() < long.len() && long.windows(short.len()).any(|window| window == short) {
        // A lone function-like word ("New") does not name "New York".
        return short
            .iter()
            .any(|w| w.chars().count() > 2 || w.chars().all(char::is_uppercase));
    }
    if short.len() == long.len() {
        let same = short
            .iter()
            .zip(long)
            .all(|(s, l)| s == l || is_abbreviation_of(s, l));
        return same && short != long;
    }
    if short.len() == 1 && long.len() >= 2 {
        let letters: String = short[0].chars().filter(|c| c.is_alphabetic()).collect();
        if letters.len() >= 2 && letters.chars().all(char::is_uppercase) {
            return acronym(long) == letters;
        }
    }
    false
}

/// Whether a part of a longer name may stand for it: a surname for a person ("Putin"), two or
/// more words for an organisation ("Security Council"); never a lone word of a place or a
/// lone non-person word of an organisation ("Moscow" is not "Moscow Declaration", "Korea" is
/// not "North Korea").
fn partial_allowed(long: EntityType, short: EntityType, short_len: usize) -> bool {
    // A lone PER word may stand for a full name the tagger typed ORG ("Kim" / "Kim Jong Il").
    long == EntityType::PER
        || (long == EntityType::ORG && (short_len >= 2 || short == EntityType::PER))
}

fn compatible(long: EntityType, short: EntityType, short_len: usize) -> bool {
    // A lone surname is often mis-typed by the tagger; let it join a person. Taggers also
    // confuse persons and organisations on full names, so a lone PER word may join an ORG.
    long == short
        || (long == EntityType::PER && short_len == 1)
        || (long == EntityType::ORG && short == EntityType::PER && short_len == 1)
}

struct Cluster {
    words: Vec<String>,
    surface: String,
    votes: HashMap<EntityType, u32>,
    count: u32,
    first: usize,
    last_seen: usize,
}

/// Aggregate mentions into entities, most mentioned first (ties: first mentioned first).
pub fn aggregate(mentions: &[EntityMention]) -> Vec<Entity> {
    let mut ordered: Vec<&EntityMention> = mentions.iter().collect();
    ordered.sort_by_key(|m| m.start);
    // Clusters are seeded by the distinct forms, longest first; each mention then joins the
    // best cluster for its form.
    let mut forms: Vec<(Vec<String>, String, EntityType)> = Vec::new();
    for mention in &ordered {
        let words = mention_words(&mention.text);
        if words.is_empty() {
            continue;
        }
        if !forms
            .iter()
            .any(|(w, _, k)| *w == words && *k == mention.kind)
        {
            forms.push((words.clone(), words.join(" "), mention.kind));
        }
    }
    forms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(b.1.len().cmp(&a.1.len())));
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut form_targets: Vec<Vec<usize>> = Vec::new();
    for (words, surface, kind) in &forms {
        let mut targets: Vec<usize> = Vec::new();
        for (index, cluster) in clusters.iter().enumerate() {
            let kind_ok = cluster
                .votes
                .keys()
                .any(|long_kind| compatible(*long_kind, *kind, words.len()));
            let partial_ok = cluster
                .votes
                .keys()
                .any(|long_kind| partial_allowed(*long_kind, *kind, words.len()));
            let is_part = words.len() < cluster.words.len()
                && cluster
                    .words
                    .windows(words.len())
                    .any(|w| w == words.as_slice());
            if (cluster.words == *words && cluster.votes.contains_key(kind))
                || (kind_ok && (partial_ok || !is_part) && covers(&cluster.words, words))
            {
                targets.push(index);
            }
        }
        if targets.is_empty() {
            let same_words = clusters.iter().position(|c| c.words == *words);
            if let Some(index) = same_words {
                clusters[index].votes.entry(*kind).or_insert(0);
                targets.push(index);
            } else {
                clusters.push(Cluster {
                    words: words.clone(),
                    surface: surface.clone(),
                    votes: HashMap::from([(*kind, 0)]),
                    count: 0,
                    first: usize::MAX,
                    last_seen: 0,
                });
                targets.push(clusters.len() - 1);
            }
        }
        form_targets.push(targets);
    }
    for mention in &ordered {
        let words = mention_words(&mention.text);
        let Some(form_index) = forms
            .iter()
            .position(|(w, _, k)| *w == words && *k == mention.kind)
        else {
            continue;
        };
        let targets = &form_targets[form_index];
        // Several candidates: the one mentioned most so far (the story's main "Kim"), then the
        // one seen most recently, then the first.
        let chosen = targets
            .iter()
            .copied()
            .max_by_key(|index| {
                let cluster = &clusters[*index];
                (cluster.count, cluster.last_seen, usize::MAX - index)
            })
            .unwrap_or(targets[0]);
        let cluster = &mut clusters[chosen];
        cluster.count += 1;
        *cluster.votes.entry(mention.kind).or_insert(0) += 1;
        cluster.first = cluster.first.min(mention.start);
        cluster.last_seen = mention.start;
    }
    let mut entities: Vec<(usize, Entity)> = clusters
        .into_iter()
        .filter(|c| c.count > 0)
        .map(|c| {
            let kind = c
                .votes
                .iter()
                .max_by_key(|(kind, votes)| (**votes, std::cmp::Reverse(**kind)))
                .map_or(EntityType::MISC, |(kind, _)| *kind);
            (
                c.first,
                Entity {
                    text: c.surface,
                    kind,
                    count: c.count,
                },
            )
        })
        .collect();
    entities.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(&b.0)));
    entities.into_iter().map(|(_, e)| e).collect()
}

/// Repair person mentions the tagger cut short: a PER mention followed, after one space, by a
/// capitalised word of at most three letters (the last part of names such as "Kim Jong Il",
/// often dropped or tagged as a separate ORG) takes that word in, and one followed by a
/// hyphenated tail ("Lim Soo" + "-suk") takes the tail in.
pub fn repair_mentions(text_in: &str, mentions: Vec<EntityMention>) -> Vec<EntityMention> {
    let mut out: Vec<EntityMention> = Vec::with_capacity(mentions.len());
    let mut index = 0;
    while index < mentions.len() {
        let mut mention = mentions[index].clone();
        index += 1;
        if mention.kind != EntityType::PER {
            out.push(mention);
            continue;
        }
        let rest = text_in.get(mention.end..).unwrap_or("");
        if let Some(after_hyphen) = rest.strip_prefix('-') {
            let tail: String = after_hyphen
                .chars()
                .take_while(|c| c.is_alphabetic())
                .collect();
            if !tail.is_empty() && tail.chars().next().is_some_and(char::is_lowercase) {
                let new_end = mention.end + 1 + tail.len();
                mention.end = new_end;
                mention.text = text_in
                    .get(mention.start..new_end)
                    .unwrap_or(&mention.text)
                    .to_string();
                out.push(mention);
                continue;
            }
        }
        let Some(after_space) = rest.strip_prefix(' ') else {
            out.push(mention);
            continue;
        };
        // A hyphenated given name tagged apart ("Lim" + "Soo-suk").
        if let Some(next) = mentions.get(index) {
            let hyphenated = next.start == mention.end + 1
                && !next.text.contains(' ')
                && next.text.split('-').count() == 2
                && next
                    .text
                    .split('-')
                    .nth(1)
                    .is_some_and(|tail| tail.chars().next().is_some_and(char::is_lowercase))
                && text::is_capitalised(&next.text);
            if hyphenated {
                mention.end = next.end;
                mention.text = text_in
                    .get(mention.start..next.end)
                    .unwrap_or(&mention.text)
                    .to_string();
                index += 1;
                out.push(mention);
                continue;
            }
        }
        let word: String = after_space
            .chars()
            .take_while(|c| c.is_alphabetic())
            .collect();
        let next_char = after_space[word.len()..].chars().next();
        let short_name_part = (2..=3).contains(&word.chars().count())
            && text::is_capitalised(&word)
            && word.chars().skip(1).all(char::is_lowercase)
            && !text::is_stopword(&word.to_lowercase())
            && next_char.is_none_or(|c| !c.is_alphanumeric());
        if short_name_part {
            let new_end = mention.end + 1 + word.len();
            // Drop a separate mention of that word.
            if index < mentions.len()
                && mentions[index].start == mention.end + 1
                && mentions[index].end <= new_end
            {
                index += 1;
            }
            mention.end = new_end;
            mention.text = text_in
                .get(mention.start..new_end)
                .unwrap_or(&mention.text)
                .to_string();
        }
        out.push(mention);
    }
    out
}

/// Capitalised name runs of a text (a stand-in for entity mentions when no NER model is
/// loaded): "Dmitry Peskov", "North Korea", "RIA". Sentence-initial function words are dropped.
pub fn name_runs(paragraph: &str) -> Vec<(usize, usize)> {
    let words = text::words(paragraph);
    let mut runs = Vec::new();
    let mut index = 0;
    while index < words.len() {
        let token = words[index].text(paragraph);
        if !text::is_capitalised(token) || text::is_stopword(&text::norm_token(token)) {
            index += 1;
            continue;
        }
        let start = index;
        let mut end = index + 1;
        while end < words.len() {
            let gap = &paragraph[words[end - 1].end..words[end].start];
            let next = words[end].text(paragraph);
            if gap != " "
                || !text::is_capitalised(next)
                || text::is_stopword(&text::norm_token(next))
            {
                break;
            }
            // A possessive ends the name ("Kim's invitation").
            if words[end - 1].text(paragraph).ends_with("'s")
                || words[end - 1].text(paragraph).ends_with("’s")
            {
                break;
            }
            end += 1;
        }
        runs.push((words[start].start, words[end - 1].end));
        index = end;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(text: &str, kind: EntityType, start: usize) -> EntityMention {
        EntityMention {
            text: text.into(),
            kind,
            start,
            end: start + text.len(),
        }
    }

    #[test]
    fn short_forms_join_long_forms() {
        let mentions = vec![
            mention("Vladimir Putin", EntityType::PER, 0),
            mention("North Korea", EntityType::LOC, 20),
            mention("Putin", EntityType::PER, 40),
            mention("N. Korea", EntityType::LOC, 60),
            mention("Putin's", EntityType::PER, 80),
            mention("United Nations", EntityType::ORG, 100),
            mention("UN", EntityType::ORG, 120),
        ];
        let entities = aggregate(&mentions);
        assert_eq!(
            entities,
            vec![
                Entity {
                    text: "Vladimir Putin".into(),
                    kind: EntityType::PER,
                    count: 3
                },
                Entity {
                    text: "North Korea".into(),
                    kind: EntityType::LOC,
                    count: 2
                },
                Entity {
                    text: "United Nations".into(),
                    kind: EntityType::ORG,
                    count: 2
                },
            ]
        );
    }

    #[test]
    fn places_do_not_absorb_their_parts() {
        let mentions = vec![
            mention("Moscow Declaration", EntityType::LOC, 0),
            mention("Moscow", EntityType::LOC, 30),
            mention("North Korea", EntityType::LOC, 50),
            mention("Korea", EntityType::LOC, 70),
            mention("UN Security Council", EntityType::ORG, 90),
            mention("Security Council", EntityType::ORG, 120),
        ];
        let texts: Vec<(String, u32)> = aggregate(&mentions)
            .into_iter()
            .map(|e| (e.text, e.count))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("UN Security Council".to_string(), 2),
                ("Moscow Declaration".to_string(), 1),
                ("Moscow".to_string(), 1),
                ("North Korea".to_string(), 1),
                ("Korea".to_string(), 1),
            ]
        );
    }

    #[test]
    fn ambiguous_short_form_joins_the_main_one() {
        let mentions = vec![
            mention("Kim Jong Un", EntityType::PER, 0),
            mention("Kim", EntityType::PER, 10),
            mention("Kim Jong Il", EntityType::PER, 20),
            mention("Kim", EntityType::PER, 30),
        ];
        let entities = aggregate(&mentions);
        assert_eq!(
            entities,
            vec![
                Entity {
                    text: "Kim Jong Un".into(),
                    kind: EntityType::PER,
                    count: 3
                },
                Entity {
                    text: "Kim Jong Il".into(),
                    kind: EntityType::PER,
                    count: 1
                },
            ]
        );
    }

    #[test]
    fn cut_names_are_repaired() {
        let text = "Kim Jong Il met Kim Jong Un in Seoul with Lim Soo-suk.";
        let mentions = vec![
            mention("Kim Jong", EntityType::PER, 0),
            mention("Kim Jong", EntityType::PER, 16),
            mention("Un", EntityType::ORG, 25),
            mention("Seoul", EntityType::LOC, 31),
            mention("Lim", EntityType::PER, 42),
            mention("Soo-suk", EntityType::MISC, 46),
        ];
        let repaired = repair_mentions(text, mentions);
        let texts: Vec<&str> = repaired.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["Kim Jong Il", "Kim Jong Un", "Seoul", "Lim Soo-suk"]
        );
    }

    #[test]
    fn name_runs_skip_function_words() {
        let text = "The Kremlin spokesman Dmitry Peskov told RIA on Sunday.";
        let runs: Vec<&str> = name_runs(text).iter().map(|(s, e)| &text[*s..*e]).collect();
        assert_eq!(runs, vec!["Kremlin", "Dmitry Peskov", "RIA"]);
    }
}
