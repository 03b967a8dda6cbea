//! Routing rules: an article whose title or body mentions any of a rule's phrases (case-insensitive,
//! on word boundaries, any run of whitespace matching a space) gets the rule's label, so a newsroom
//! can route stories without retraining a model.

use newsflow_model::ModelTopic;
use serde::{Deserialize, Serialize};

/// A keyword or phrase rule, e.g. `{ name = "north-korea", label = "north-korea",
/// any = ["North Korea", "Pyongyang", "Kim Jong"] }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Name of the rule: the `model` of the labels it adds.
    pub name: String,
    /// Label to add.
    pub label: String,
    /// Phrases; one of them must occur.
    pub any: Vec<String>,
    /// Least number of phrase occurrences (all phrases together) needed; 0 counts as 1.
    #[serde(default = "one")]
    pub min_matches: usize,
}

fn one() -> usize {
    1
}

/// Lowercase with every whitespace run turned into one space, framed by spaces.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for word in text.split_whitespace() {
        for ch in word.chars() {
            out.extend(ch.to_lowercase());
        }
        out.push(' ');
    }
    out
}

/// Occurrences of `phrase` in `haystack` that start and end on word boundaries.
fn count_matches(haystack: &str, phrase: &str) -> usize {
    let mut count = 0;
    let mut from = 0;
    while let Some(offset) = haystack[from..].find(phrase) {
        let start = from + offset;
        let end = start + phrase.len();
        let before = haystack[..start].chars().next_back();
        let after = haystack[end..].chars().next();
        let boundary = |ch: Option<char>| ch.is_none_or(|ch| !ch.is_alphanumeric());
        let first_is_word = phrase.chars().next().is_some_and(char::is_alphanumeric);
        let last_is_word = phrase
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        if (!first_is_word || boundary(before)) && (!last_is_word || boundary(after)) {
            count += 1;
            from = end;
        } else {
            // Step one character on to look for the next candidate.
            from = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    count
}

/// The labels of every rule that matches the title or body, in rule order (score 1).
pub fn apply_rules(rules: &[Rule], title: &str, body: &str) -> Vec<ModelTopic> {
    if rules.is_empty() {
        return Vec::new();
    }
    let haystack = normalise(&format!("{title}\n{body}"));
    let mut topics = Vec::new();
    for rule in rules {
        let needed = rule.min_matches.max(1);
        let mut found = 0;
        for phrase in &rule.any {
            let phrase = normalise(phrase);
            let phrase = phrase.trim();
            if phrase.is_empty() {
                continue;
            }
            found += count_matches(&haystack, phrase);
            if found >= needed {
                break;
            }
        }
        if found >= needed {
            topics.push(ModelTopic {
                model: rule.name.clone(),
                label: rule.label.clone(),
                score: 1.0,
            });
        }
    }
    topics
}

#[cfg(test)]
mod tests {
    use super::*;

    fn north_korea(min_matches: usize) -> Rule {
        Rule {
            name: "north-korea".into(),
            label: "north-korea".into(),
            any: vec!["North Korea".into(), "Pyongyang".into(), "Kim Jong".into()],
            min_matches,
        }
    }

    #[test]
    fn phrases_match_on_word_boundaries() {
        let rules = [north_korea(1)];
        let hit = apply_rules(
            &rules,
            "Talks resume",
            "Envoys flew to PYONGYANG on Monday.",
        );
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].model, "north-korea");
        assert_eq!(apply_rules(&rules, "North\n  Korea's leader", "").len(), 1);
        assert!(apply_rules(&rules, "Pyongyangese food", "South Korea votes").is_empty());
        assert!(apply_rules(&rules, "", "").is_empty());
    }

    #[test]
    fn min_matches_counts_all_phrases() {
        let rules = [north_korea(2)];
        assert!(apply_rules(&rules, "Pyongyang", "nothing else").is_empty());
        assert_eq!(
            apply_rules(&rules, "Pyongyang", "Kim Jong Un spoke").len(),
            1
        );
    }

    #[test]
    fn deserialises_with_default_min_matches() {
        let rule: Rule = serde_json::from_str(r#"{"name":"n","label":"l","any":["x"]}"#).unwrap();
        assert_eq!(rule.min_matches, 1);
        assert!(
            serde_json::from_str::<Rule>(r#"{"name":"n","label":"l","any":[],"x":1}"#).is_err()
        );
    }

    #[test]
    fn odd_text_does_not_panic() {
        let rule = Rule {
            name: "r".into(),
            label: "l".into(),
            any: vec!["İ".into(), "ß".into(), " ".into()],
            min_matches: 1,
        };
        let _ = apply_rules(&[rule], "İstanbul straße", "ǅ ẞ \u{0307}");
    }
}
