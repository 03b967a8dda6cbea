//! A PTB/CoNLL-like tokenizer and sentence splitter for free text. Tokens are byte ranges of the
//! input: punctuation is split off, `U.S.`-style abbreviations, hyphenated words (`Jong-un`),
//! numbers (`1,200.50`) and dates stay whole, clitics (`'s`, `n't`, `'re`, ...) become their own
//! tokens, and curly quotes are split like straight ones.

/// A token: a byte range `[start, end)` of the text it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text in `source` (the text given to [`tokenize`]); empty when out of range.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// Tokens of `text`, in order.
pub fn tokenize(text: &str) -> Vec<Token> {
    sentences(text).into_iter().flatten().collect()
}

/// Words that keep their final period.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
    "cmdr", "adm", "maj", "rev", "st", "jr", "sr", "inc", "corp", "co", "ltd", "plc", "bros", "vs",
    "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mt", "ft", "vol", "approx", "dept", "univ", "assn", "ave", "blvd", "calif", "fla", "mich",
    "minn", "tex", "conn", "ariz", "colo", "nev", "okla", "tenn", "wis", "wyo", "e.g", "i.e",
];

fn is_open_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '/'
            | '('
            | '['
            | '{'
            | '<'
            | '`'
            | '\u{201c}'
            | '\u{2018}'
            | '\u{ab}'
            | '\u{201e}'
            | '*'
            | '$'
            | '\u{a3}'
            | '\u{20ac}'
            | '#'
            | '\u{2039}'
    )
}

fn is_close_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '/'
            | ')'
            | ']'
            | '}'
            | '>'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '.'
            | '\u{201d}'
            | '\u{2019}'
            | '\u{bb}'
            | '\u{2026}'
            | '*'
            | '%'
            | '\u{203a}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '\u{2013}' | '\u{2014}' | '\u{2015}')
}

/// Is `word` (without a final period) an abbreviation that keeps its period: `U.S`, `Mr`, `J`?
fn keeps_period(word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let chars: Vec<char> = word.chars().collect();
    // Single capital initial: "J." in "J. Smith".
    if chars.len() == 1 && chars[0].is_alphabetic() && chars[0].is_uppercase() {
        return true;
    }
    // Letters separated by periods: "U.S", "e.g", "U.N".
    if chars.len() >= 3
        && chars.iter().enumerate().all(|(i, c)| {
            if i % 2 == 0 {
                c.is_alphabetic()
            } else {
                *c == '.'
            }
        })
    {
        return true;
    }
    if word.is_ascii() {
        // (The abbreviations are lower-case ASCII, so this is the lower-cased comparison.)
        return ABBREVIATIONS
            .iter()
            .any(|abbreviation| abbreviation.eq_ignore_ascii_case(word));
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

const CLITICS: &[&str] = &["'s", "'re", "'ve", "'ll", "'d", "'m", "n't"];

/// Split one whitespace-free chunk `[start, end)` of `text` into tokens.
fn split_chunk(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let chunk = &text[start..end];
    // Leading punctuation, one token per character.
    let mut begin = start;
    for (offset, c) in chunk.char_indices() {
        let at = start + offset;
        if at < begin {
            continue;
        }
        if is_open_punct(c) || is_dash(c) {
            let rest = &text[at + c.len_utf8()..end];
            // "'s" at the start of a chunk (after a split) is a clitic token, keep it whole.
            if c == '\'' && rest.chars().next().is_some_and(|n| n.is_alphanumeric()) && at > start {
                break;
            }
            out.push(Token {
                start: at,
                end: at + c.len_utf8(),
            });
            begin = at + c.len_utf8();
        } else {
            break;
        }
    }
    if begin >= end {
        return;
    }
    // Trailing punctuation, collected right to left.
    let mut trailing: Vec<Token> = Vec::new();
    let mut finish = end;
    loop {
        let core = &text[begin..finish];
        let Some(last) = core.chars().next_back() else {
            break;
        };
        if core.ends_with("...") && core.len() > 3 {
            trailing.push(Token {
                start: finish - 3,
                end: finish,
            });
            finish -= 3;
            continue;
        }
        if last == '.' {
            let before = &core[..core.len() - 1];
            if keeps_period(before) {
                break;
            }
        }
        if (is_close_punct(last) || is_dash(last)) && core.chars().count() > 1 {
            trailing.push(Token {
                start: finish - last.len_utf8(),
                end: finish,
            });
            finish -= last.len_utf8();
            continue;
        }
        break;
    }
    // Clitics at the end of the core ("Germany's", "don't", curly apostrophes too).
    let core = &text[begin..finish];
    // The core lower-cased with straight apostrophes; an ASCII core (nearly all) is compared
    // in place, which is the same test (ASCII lowers byte by byte).
    let lower_owned = if core.is_ascii() {
        None
    } else {
        Some(core.replace('\u{2019}', "'").to_lowercase())
    };
    let ends_with_clitic = |clitic: &str| match &lower_owned {
        Some(lower) => lower.len() > clitic.len() && lower.ends_with(clitic),
        None => {
            core.len() > clitic.len()
                && core.as_bytes()[core.len() - clitic.len()..]
                    .eq_ignore_ascii_case(clitic.as_bytes())
        }
    };
    let mut clitic_split = None;
    for clitic in CLITICS {
        if ends_with_clitic(clitic) {
            // Map the split point back to the original string (curly apostrophe is 3 bytes).
            let clitic_chars = clitic.chars().count();
            let split_char = core.chars().count() - clitic_chars;
            let split_byte = core
                .char_indices()
                .nth(split_char)
                .map(|(i, _)| i)
                .unwrap_or(core.len());
            if split_byte > 0 {
                clitic_split = Some(begin + split_byte);
            }
            break;
        }
    }
    match clitic_split {
        Some(split) => {
            split_core(text, begin, split, out);
            out.push(Token {
                start: split,
                end: finish,
            });
        }
        None => split_core(text, begin, finish, out),
    }
    out.extend(trailing.into_iter().rev());
}

/// Split a core at inner dashes (em/en dash) and inner "--"; keep everything else whole.
fn split_core(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let core = &text[start..end];
    let mut piece_start = start;
    let mut iter = core.char_indices().peekable();
    while let Some((offset, c)) = iter.next() {
        let at = start + offset;
        if is_dash(c) || (c == '-' && core[offset..].starts_with("--")) {
            let width = if c == '-' { 2 } else { c.len_utf8() };
            if at > piece_start {
                out.push(Token {
                    start: piece_start,
                    end: at,
                });
            }
            out.push(Token {
                start: at,
                end: at + width,
            });
            piece_start = at + width;
            if c == '-' {
                iter.next();
            }
        }
    }
    if end > piece_start {
        out.push(Token {
            start: piece_start,
            end,
        });
    }
}

/// Sentences of `text`, each a list of tokens. A line break ends a sentence; so does `.`, `!`
/// or `?` (optionally followed by closing quotes or brackets) before a word that starts with an
/// upper-case letter, a digit or an opening quote.
pub fn sentences(text: &str) -> Vec<Vec<Token>> {
    let mut result: Vec<Vec<Token>> = Vec::new();
    let mut lines_start = 0;
    for line in text.split_inclusive('\n') {
        let line_start = lines_start;
        lines_start += line.len();
        let mut tokens = Vec::new();
        let mut chunk_start: Option<usize> = None;
        for (offset, c) in line.char_indices() {
            let at = line_start + offset;
            if c.is_whitespace() {
                if let Some(s) = chunk_start.take() {
                    split_chunk(text, s, at, &mut tokens);
                }
            } else if chunk_start.is_none() {
                chunk_start = Some(at);
            }
        }
        if let Some(s) = chunk_start {
            split_chunk(text, s, line_start + line.len(), &mut tokens);
        }
        // Sentence boundaries within the line.
        let mut current: Vec<Token> = Vec::new();
        let count = tokens.len();
        let mut index = 0;
        while index < count {
            let token = tokens[index];
            current.push(token);
            index += 1;
            if !matches!(token.text(text), "." | "!" | "?" | "...") {
                continue;
            }
            // Absorb closing quotes / brackets.
            let mut next = index;
            while next < count
                && matches!(
                    tokens[next].text(text),
                    "\"" | "'" | ")" | "\u{201d}" | "\u{2019}" | "]"
                )
            {
                next += 1;
            }
            let Some(following) = tokens.get(next) else {
                continue;
            };
            let starts_sentence = following.text(text).chars().next().is_some_and(|c| {
                c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '\u{201c}' | '(')
            });
            if starts_sentence {
                current.extend_from_slice(&tokens[index..next]);
                index = next;
                result.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            result.push(current);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_and_clitics_are_lower_case_ascii() {
        for word in ABBREVIATIONS.iter().chain(CLITICS) {
            assert!(word.is_ascii() && *word == word.to_lowercase(), "{word}");
        }
    }

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn splits_punctuation_and_clitics_like_conll() {
        assert_eq!(
            words("Germany's U.S. envoy, Kim Jong-un, didn't say \u{201c}no.\u{201d}"),
            vec![
                "Germany", "'s", "U.S.", "envoy", ",", "Kim", "Jong-un", ",", "did", "n't", "say",
                "\u{201c}", "no", ".", "\u{201d}"
            ]
        );
        assert_eq!(words("($1,200.50)"), vec!["(", "$", "1,200.50", ")"]);
        assert_eq!(
            words("Mr. J. Smith left."),
            vec!["Mr.", "J.", "Smith", "left", "."]
        );
        assert_eq!(words("O'Brien rests"), vec!["O'Brien", "rests"]);
        assert_eq!(
            words("/WORLD and/or 1/8"),
            vec!["/", "WORLD", "and/or", "1/8"]
        );
        assert_eq!(
            words("\u{201c}Quote\u{201d}"),
            vec!["\u{201c}", "Quote", "\u{201d}"]
        );
    }

    #[test]
    fn splits_sentences_at_periods_and_lines() {
        let text = "He left. She stayed in the U.S. today.\nNew line here";
        let sents: Vec<Vec<&str>> = sentences(text)
            .iter()
            .map(|s| s.iter().map(|t| t.text(text)).collect())
            .collect();
        assert_eq!(
            sents,
            vec![
                vec!["He", "left", "."],
                vec!["She", "stayed", "in", "the", "U.S.", "today", "."],
                vec!["New", "line", "here"]
            ]
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "'",
            "...",
            "\u{2019}s",
            "a\u{2014}b",
            "--",
            "''''",
            "\u{0}\u{ffff}.",
            "é.'",
        ] {
            let tokens = tokenize(text);
            for t in tokens {
                assert!(t.start < t.end && t.end <= text.len());
            }
        }
    }
}
