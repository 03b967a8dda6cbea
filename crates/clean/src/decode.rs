//! Bytes to text: gzip (with a size cap), byte-order marks, `<meta charset>`, guessing
//! (chardetng), mojibake repair, entity decoding and whitespace normalisation.

use std::io::Read;

use crate::CleanError;

/// Decompresses gzip input (magic bytes `1f 8b`) up to `max_size` bytes; other input is
/// returned as is.
pub fn maybe_gunzip(
    bytes: &[u8],
    max_size: usize,
) -> Result<std::borrow::Cow<'_, [u8]>, CleanError> {
    if bytes.len() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    let mut limited = decoder.take(max_size as u64 + 1);
    let mut out = Vec::new();
    limited
        .read_to_end(&mut out)
        .map_err(|err| CleanError::Decompress(err.to_string().to_lowercase()))?;
    if out.len() > max_size {
        return Err(CleanError::TooLarge { limit: max_size });
    }
    Ok(std::borrow::Cow::Owned(out))
}

/// Looks like a binary file (image, archive, executable) rather than text.
pub fn looks_binary(bytes: &[u8]) -> bool {
    const MAGICS: [&[u8]; 8] = [
        b"\x89PNG",
        b"GIF8",
        b"\xff\xd8\xff",
        b"PK\x03\x04",
        b"%PDF",
        b"\x7fELF",
        b"RIFF",
        b"\x00asm",
    ];
    if MAGICS.iter().any(|magic| bytes.starts_with(magic)) {
        return true;
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return false; // UTF-16 with a BOM: text
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let controls = sample
        .iter()
        .filter(|&&b| b == 0 || (b < 0x09) || (0x0e..0x1b).contains(&b))
        .count();
    controls * 20 > sample.len().max(1)
}

/// Finds `<meta charset=...>` or `http-equiv` content charset in the first bytes of a page.
fn meta_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let mut index = from + pos + 7;
        while index < lower.len() && matches!(lower[index], b' ' | b'=' | b'"' | b'\'') {
            index += 1;
        }
        let start = index;
        while index < lower.len()
            && (lower[index].is_ascii_alphanumeric()
                || matches!(lower[index], b'-' | b'_' | b':' | b'.'))
        {
            index += 1;
        }
        if index > start {
            if let Some(encoding) = encoding_rs::Encoding::for_label(&lower[start..index]) {
                // a page that declares UTF-16 in ASCII bytes is not UTF-16
                if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                    return Some(encoding_rs::UTF_8);
                }
                return Some(encoding);
            }
        }
        from = index.max(from + pos + 7);
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Decodes bytes to a string, returning the encoding's name. `hint` is a charset named outside
/// the bytes (an HTTP `Content-Type` header): used when the bytes are not UTF-8 and the page
/// declares no charset of its own.
pub fn decode_with_hint(
    bytes: &[u8],
    look_for_meta: bool,
    hint: Option<&str>,
) -> (String, &'static str) {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), encoding_name(encoding));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), "utf-8");
    }
    let declared = if look_for_meta {
        meta_charset(bytes)
    } else {
        None
    };
    let hinted = hint
        .and_then(|label| encoding_rs::Encoding::for_label(label.trim().as_bytes()))
        .filter(|encoding| {
            *encoding != encoding_rs::UTF_16LE && *encoding != encoding_rs::UTF_16BE
        });
    let encoding = match declared.or(hinted) {
        Some(encoding) if encoding != encoding_rs::UTF_8 => encoding,
        _ => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            detector.guess(None, chardetng::Utf8Detection::Allow)
        }
    };
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), encoding_name(encoding))
}

fn encoding_name(encoding: &'static encoding_rs::Encoding) -> &'static str {
    match encoding.name() {
        "UTF-8" => "utf-8",
        "UTF-16LE" => "utf-16le",
        "UTF-16BE" => "utf-16be",
        "windows-1252" => "windows-1252",
        "ISO-8859-2" => "iso-8859-2",
        "Shift_JIS" => "shift_jis",
        "EUC-JP" => "euc-jp",
        "windows-1251" => "windows-1251",
        "KOI8-R" => "koi8-r",
        "GBK" => "gbk",
        "gb18030" => "gb18030",
        "Big5" => "big5",
        "EUC-KR" => "euc-kr",
        _ => "other",
    }
}

/// Windows-1252 byte for a char, when it has one.
fn cp1252_byte(ch: char) -> Option<u8> {
    let code = ch as u32;
    if (0x80..=0xff).contains(&code) {
        return Some(code as u8);
    }
    let byte = match ch {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => return None,
    };
    Some(byte)
}

/// Repairs UTF-8 that was decoded as Windows-1252 (`â€™` → `’`, `Ã©` → `é`): only complete,
/// valid multi-byte sequences are re-decoded, so genuine Latin-1 text is left alone.
pub fn repair_mojibake(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|ch| matches!(ch as u32, 0xC2..=0xF4)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    let mut repaired = 0usize;
    // accented letters that are no part of a repairable sequence: real Latin-1 text
    // ("aggravé »", where é, a no-break space and » also read as one UTF-8 character)
    let mut genuine = 0usize;
    while index < chars.len() {
        let lead = chars[index] as u32;
        let width = match lead {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        if width > 0 && index + width <= chars.len() {
            let mut bytes = [0u8; 4];
            let mut ok = true;
            for (offset, slot) in bytes.iter_mut().enumerate().take(width) {
                match cp1252_byte(chars[index + offset]) {
                    Some(byte) if offset == 0 || (0x80..=0xbf).contains(&byte) => *slot = byte,
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                if let Ok(decoded) = std::str::from_utf8(&bytes[..width]) {
                    out.push_str(decoded);
                    index += width;
                    repaired += 1;
                    continue;
                }
            }
        }
        if matches!(lead, 0xC0..=0xFF) {
            genuine += 1;
        }
        out.push(chars[index]);
        index += 1;
    }
    // text with more genuine accented letters than repairable sequences is what it says
    if repaired > 0 && repaired >= genuine {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Characters dropped everywhere: zero-width spaces and joiners, soft hyphens, BOMs.
pub fn is_invisible(ch: char) -> bool {
    matches!(
        ch,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Whether a zero-width non-joiner or joiner between `previous` and `next` is part of the
/// spelling: Persian writes "می‌دمیدند" and "اصلاح‌طلبان" with a non-joiner, Indic scripts and
/// emoji sequences use both. Only between two non-space characters, after a letter or mark of
/// a script from Hebrew (U+0590) up or an emoji; after Latin, Greek and Cyrillic letters
/// (Vietnamese and polytonic Greek included), punctuation, quotation marks, dashes, currency
/// signs and CJK punctuation they are stray marks and go.
fn joiner_is_spelling(ch: char, previous: Option<char>, next: Option<char>) -> bool {
    let Some(previous) = previous else {
        return false;
    };
    let spelled_with_joiners = previous >= '\u{0590}'
        && !matches!(
            previous,
            '\u{1E00}'..='\u{1FFF}'     // Latin and Greek extended
                | '\u{2000}'..='\u{2BFF}' // punctuation, currency, letterlike, arrows, ...
                | '\u{3000}'..='\u{303F}' // CJK punctuation
                | '\u{FE30}'..='\u{FE4F}' // CJK compatibility forms
                | '\u{FF00}'..='\u{FF65}' // fullwidth forms
        );
    let emoji = matches!(previous, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}');
    matches!(ch, '\u{200C}' | '\u{200D}')
        && (spelled_with_joiners || emoji)
        && !previous.is_whitespace()
        && !is_invisible(previous)
        && next.is_some_and(|n| !n.is_whitespace() && !is_invisible(n))
}

/// Normalises one line: invisible characters removed (joiners kept where a script spells
/// with them), every run of whitespace (including non-breaking spaces) turned into one space,
/// trimmed.
pub fn normalize_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut pending_space = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        if is_invisible(ch) {
            let previous = if pending_space {
                None
            } else {
                out.chars().next_back()
            };
            if joiner_is_spelling(ch, previous, chars.peek().copied()) {
                out.push(ch);
            }
            continue;
        }
        if ch.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(ch);
    }
    out
}

/// Decodes HTML character references (`&amp;`, `&#8217;`, `&#x2019;`, common named ones).
pub fn decode_entities(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let end = after
            .char_indices()
            .take(LONGEST_ENTITY)
            .find(|&(_, ch)| !(ch.is_ascii_alphanumeric() || ch == '#'))
            .map(|(index, _)| index)
            .unwrap_or(after.len().min(LONGEST_ENTITY));
        let name = &after[..end];
        let has_semicolon = after[end..].starts_with(';');
        if let Some(ch) = entity_char(name) {
            out.push(ch);
            rest = &after[end + usize::from(has_semicolon)..];
        } else if let Some((first, second)) = named_entity(name, has_semicolon) {
            out.push(first);
            out.extend(second);
            rest = &after[end + usize::from(has_semicolon)..];
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The longest named reference (`CounterClockwiseContourIntegral`) and then some.
const LONGEST_ENTITY: usize = 40;

/// Any other of HTML5's 2,231 named references (`&Egrave;`, `&ugrave;`, `&oelig;`), with its
/// semicolon, or without one for the legacy names that may omit it (`&Egrave`).
fn named_entity(name: &str, has_semicolon: bool) -> Option<(char, Option<char>)> {
    let (first, second) = if has_semicolon {
        let mut key = String::with_capacity(name.len() + 1);
        key.push_str(name);
        key.push(';');
        *web_atoms::NAMED_ENTITIES.get(key.as_str())?
    } else {
        *web_atoms::NAMED_ENTITIES.get(name)?
    };
    // the table also holds every prefix of a name ("T" of "THORN;", "" of them all) with the
    // code point 0: those are no reference, and "AT&T", "R&D", "Schnittlauch & Co" stay as
    // written
    let first = char::from_u32(first).filter(|&ch| ch != '\0')?;
    Some((first, char::from_u32(second).filter(|&ch| ch != '\0')))
}

fn entity_char(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = if let Some(hex) = number
            .strip_prefix('x')
            .or_else(|| number.strip_prefix('X'))
        {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            number.parse::<u32>().ok()?
        };
        // numeric references in the C1 range mean Windows-1252 (HTML5 rule)
        if (0x80..=0x9f).contains(&code) {
            let byte = [code as u8];
            let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
            return decoded.chars().next();
        }
        return char::from_u32(code).filter(|&ch| ch != '\0');
    }
    let ch = match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "sbquo" => '‚',
        "bdquo" => '„',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "shy" => '\u{AD}',
        "zwj" => '\u{200D}',
        "zwnj" => '\u{200C}',
        "laquo" => '«',
        "raquo" => '»',
        "lsaquo" => '‹',
        "rsaquo" => '›',
        "bull" => '•',
        "middot" => '·',
        "deg" => '°',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "sect" => '§',
        "para" => '¶',
        "times" => '×',
        "divide" => '÷',
        "frac12" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "eacute" => 'é',
        "Eacute" => 'É',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "aacute" => 'á',
        "agrave" => 'à',
        "acirc" => 'â',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "ccedil" => 'ç',
        "ntilde" => 'ñ',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "iuml" => 'ï',
        "thinsp" => '\u{2009}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "prime" => '′',
        "Prime" => '″',
        "dagger" => '†',
        _ => return None,
    };
    Some(ch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_repaired_and_latin1_left_alone() {
        assert_eq!(repair_mojibake("it\u{e2}\u{20ac}\u{2122}s"), "it’s");
        assert_eq!(repair_mojibake("caf\u{c3}\u{a9}"), "café");
        assert_eq!(repair_mojibake("naïve café—"), "naïve café—");
        // é, a no-break space and » read as one UTF-8 character (頻), in real French
        let french = "Le bilan s'est aggravé\u{a0}» selon le ministère, déjà très éprouvé.";
        assert_eq!(repair_mojibake(french), french);
        // a page double-encoded throughout is repaired whole
        assert_eq!(
            repair_mojibake(
                "D\u{e9}j\u{e0} vu: caf\u{c3}\u{a9}, na\u{c3}\u{af}ve, \u{c3}\u{a9}t\u{c3}\u{a9}"
            ),
            "D\u{e9}j\u{e0} vu: café, naïve, été"
        );
    }

    #[test]
    fn joiners_stay_where_a_script_spells_with_them() {
        // Persian writes prefixes and compounds with a zero-width non-joiner
        let persian = "اصلاح\u{200c}طلبان در این انتخابات می\u{200c}دمیدند";
        assert_eq!(normalize_line(persian), persian);
        // Hindi conjuncts and emoji sequences with a joiner
        assert_eq!(normalize_line("क्\u{200d}ष"), "क्\u{200d}ष");
        assert_eq!(normalize_line("👩\u{200d}💻"), "👩\u{200d}💻");
        // stray marks in Latin text, at a line's start and after a space go
        assert_eq!(
            normalize_line("\u{200c}Zero\u{200b}width\u{200d} jo\u{200c}iners \u{200c}go\u{feff}"),
            "Zerowidth joiners go"
        );
        // and after punctuation, quotation marks, CJK punctuation, Vietnamese letters, before
        // a space or at a line's end
        assert_eq!(
            normalize_line("it’\u{200c}s — \u{200d}done。\u{200c}次 Tiế\u{200c}ng"),
            "it’s — done。次 Tiếng"
        );
        assert_eq!(normalize_line("انتخابات\u{200c} و\u{200c}"), "انتخابات و");
    }

    #[test]
    fn a_bare_ampersand_stays_as_written() {
        for text in [
            "Schnittlauch & Co",
            "AT&T and R&D",
            "M&A, B&B, H&M",
            "GmbH & Co. KG",
            "a&b",
            "&",
            "Q&amp;A",
        ] {
            let decoded = decode_entities(text);
            assert!(!decoded.contains('\0'), "{text}: {decoded:?}");
        }
        assert_eq!(decode_entities("Schnittlauch & Co"), "Schnittlauch & Co");
        assert_eq!(decode_entities("AT&T and R&D"), "AT&T and R&D");
        assert_eq!(decode_entities("M&A, B&B, H&M"), "M&A, B&B, H&M");
        assert_eq!(decode_entities("Q&amp;A &Egrave; &eacute"), "Q&A È é");
    }

    #[test]
    fn entities_decode() {
        assert_eq!(
            decode_entities("a &amp; b &#8217; &#x2019; &rsquo; &bogus; &#150;"),
            "a & b ’ ’ ’ &bogus; –"
        );
        assert_eq!(
            decode_entities("&Egrave; pi&ugrave; &oelig;uvre &Ccedil;a &Egrave &NotEqualTilde;"),
            "È più œuvre Ça È \u{2242}\u{338}"
        );
    }

    #[test]
    fn whitespace_and_invisibles_normalise() {
        assert_eq!(
            normalize_line("  a\u{A0}\u{A0}b\u{200B}c soft\u{AD}ware \t"),
            "a bc software"
        );
    }

    #[test]
    fn encodings_are_detected() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body>caf\xe9</body></html>";
        let (text, name) = decode_with_hint(latin1, true, None);
        assert!(text.contains("café"));
        assert_eq!(name, "windows-1252");
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("héllo".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            decode_with_hint(&utf16, false, None),
            ("héllo".to_string(), "utf-16le")
        );
    }

    #[test]
    fn an_outside_charset_counts_when_the_page_names_none() {
        // KOI8-R "привет" without a meta charset: the HTTP header decides.
        let koi8 = b"<html><body><p>\xd0\xd2\xc9\xd7\xc5\xd4</p></body></html>";
        let (text, name) = decode_with_hint(koi8, true, Some("koi8-r"));
        assert!(text.contains("привет"), "{text}");
        assert_eq!(name, "koi8-r");
        // the page's own declaration wins over the header
        let declared = b"<meta charset=\"iso-8859-1\"><p>caf\xe9</p>";
        let (text, _) = decode_with_hint(declared, true, Some("koi8-r"));
        assert!(text.contains("café"), "{text}");
        // UTF-8 bytes stay UTF-8 whatever the header says
        let (text, _) = decode_with_hint("café".as_bytes(), true, Some("iso-8859-1"));
        assert_eq!(text, "café");
    }

    #[test]
    fn gzip_bomb_is_capped() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&vec![b'a'; 1 << 20]).unwrap_or_default();
        let compressed = encoder.finish().unwrap_or_default();
        assert!(matches!(
            maybe_gunzip(&compressed, 1000),
            Err(CleanError::TooLarge { .. })
        ));
        assert_eq!(
            maybe_gunzip(&compressed, 2 << 20).map(|c| c.len()).ok(),
            Some(1 << 20)
        );
    }
}
