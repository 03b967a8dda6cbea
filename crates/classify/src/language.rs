//! Language identification with whatlang (trigram profiles of 70 languages, pure Rust, no model
//! files): small and fast enough to run on every article. Codes are mapped to ISO 639-1.

/// Fewer letters than this and the text is too short to identify.
const MIN_LETTERS: usize = 12;
/// How much of a text is looked at.
const SAMPLE_CHARS: usize = 600;
/// Below this confidence the guess is not returned (unless whatlang itself calls it reliable).
const MIN_CONFIDENCE: f64 = 0.5;

/// ISO 639-1 for whatlang's ISO 639-3 codes (every language whatlang knows has one).
fn iso639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "afr" => "af",
        "aka" => "ak",
        "amh" => "am",
        "ara" => "ar",
        "aze" => "az",
        "bel" => "be",
        "ben" => "bn",
        "bul" => "bg",
        "cat" => "ca",
        "ces" => "cs",
        "cmn" => "zh",
        "cym" => "cy",
        "dan" => "da",
        "deu" => "de",
        "ell" => "el",
        "eng" => "en",
        "epo" => "eo",
        "est" => "et",
        "fin" => "fi",
        "fra" => "fr",
        "guj" => "gu",
        "heb" => "he",
        "hin" => "hi",
        "hrv" => "hr",
        "hun" => "hu",
        "hye" => "hy",
        "ind" => "id",
        "ita" => "it",
        "jav" => "jv",
        "jpn" => "ja",
        "kan" => "kn",
        "kat" => "ka",
        "khm" => "km",
        "kor" => "ko",
        "lat" => "la",
        "lav" => "lv",
        "lit" => "lt",
        "mal" => "ml",
        "mar" => "mr",
        "mkd" => "mk",
        "mya" => "my",
        "nep" => "ne",
        "nld" => "nl",
        "nob" => "nb",
        "ori" => "or",
        "pan" => "pa",
        "pes" => "fa",
        "pol" => "pl",
        "por" => "pt",
        "ron" => "ro",
        "rus" => "ru",
        "sin" => "si",
        "slk" => "sk",
        "slv" => "sl",
        "sna" => "sn",
        "spa" => "es",
        "srp" => "sr",
        "swe" => "sv",
        "tam" => "ta",
        "tel" => "te",
        "tgl" => "tl",
        "tha" => "th",
        "tuk" => "tk",
        "tur" => "tr",
        "ukr" => "uk",
        "urd" => "ur",
        "uzb" => "uz",
        "vie" => "vi",
        "yid" => "yi",
        "zul" => "zu",
        _ => return None,
    })
}

/// Whether the detector can name this language (an ISO 639-1 code, or a tag such as `sq-AL`
/// by its primary subtag). A page that declares a language the detector does not know keeps
/// its declaration: the detector would only name the nearest language it knows.
pub fn can_detect(tag: &str) -> bool {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    whatlang::Lang::all()
        .iter()
        .any(|lang| iso639_1(lang.code()) == Some(primary.as_str()))
}

/// The language of `text` as an ISO 639-1 code with a confidence in 0..1, or `None` when the
/// text is too short or the guess is unreliable.
pub fn detect_language(text: &str) -> Option<(String, f32)> {
    // Long articles: the first SAMPLE_CHARS characters decide (whatlang's time grows with the
    // length, its answer on news prose does not).
    let sample = match text.char_indices().nth(SAMPLE_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    let letters = sample.chars().filter(|ch| ch.is_alphabetic()).count();
    if letters < MIN_LETTERS {
        return None;
    }
    let info = whatlang::detect(sample)?;
    let confidence = info.confidence();
    if !info.is_reliable() && confidence < MIN_CONFIDENCE {
        return None;
    }
    let code = iso639_1(info.lang().code())?;
    Some((code.to_string(), confidence as f32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detectable_languages() {
        assert!(can_detect("de"));
        assert!(can_detect("en-GB"));
        assert!(can_detect("pt_BR"));
        assert!(!can_detect("sq-AL"));
        assert!(!can_detect("ga"));
        assert!(!can_detect(""));
    }

    #[test]
    fn common_languages() {
        let cases = [
            ("en", "The prime minister said on Tuesday that the government would publish its plans for the economy next week."),
            ("de", "Der Bundeskanzler sagte am Dienstag, dass die Regierung ihre Pläne für die Wirtschaft nächste Woche vorlegen werde."),
            ("fr", "Le Premier ministre a déclaré mardi que le gouvernement publierait ses projets pour l'économie la semaine prochaine."),
            ("es", "El primer ministro dijo el martes que el gobierno publicará sus planes para la economía la próxima semana."),
            ("ru", "Премьер-министр заявил во вторник, что правительство опубликует свои планы по экономике на следующей неделе."),
        ];
        for (code, text) in cases {
            let (found, confidence) = detect_language(text).unwrap();
            assert_eq!(found, code, "{text}");
            assert!((0.0..=1.0).contains(&confidence));
        }
    }

    #[test]
    fn too_short_is_none() {
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language("ok 123"), None);
        assert_eq!(detect_language("   \n\t ...!!"), None);
    }

    #[test]
    fn every_whatlang_language_has_a_code() {
        for lang in whatlang::Lang::all() {
            assert!(iso639_1(lang.code()).is_some(), "{}", lang.code());
        }
    }
}
