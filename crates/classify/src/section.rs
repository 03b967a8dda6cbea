//! Topics from the publisher's own section, in any language: a hand-written table of section
//! words in English, German, French, Spanish, Italian, Portuguese and Dutch mapped to the
//! topic labels of the primary model (AG News: `World`, `Sports`, `Business`, `Sci/Tech`),
//! plus `Entertainment` for culture sections, which AG News has no class for (BBC's label).
//!
//! A section label ("Wirtschaft", "Sport - Fußball", "Politique", "Ciencia y Tecnología") is
//! folded (lower case, accents and ß taken off) and cut into words; the first word the table
//! knows gives the topic. Politics and foreign news go to `World` (AG News puts politics
//! there); sections that name a genre or a place rather than a subject (opinion, local,
//! panorama, lifestyle, travel, health, cars) are not mapped: the model decides for English,
//! and other languages get `unknown`.

/// Topic of a culture, arts or entertainment section (no AG News class covers it).
pub const ENTERTAINMENT: &str = "Entertainment";

/// Section words (folded) and the topic each one means.
const SECTIONS: &[(&str, &str)] = &[
    // sports
    ("sport", "Sports"),
    ("sports", "Sports"),
    ("sportwelt", "Sports"),
    ("lokalsport", "Sports"),
    ("motorsport", "Sports"),
    ("wintersport", "Sports"),
    ("radsport", "Sports"),
    ("fussball", "Sports"),
    ("football", "Sports"),
    ("soccer", "Sports"),
    ("futbol", "Sports"),
    ("futebol", "Sports"),
    ("calcio", "Sports"),
    ("voetbal", "Sports"),
    ("bundesliga", "Sports"),
    ("tennis", "Sports"),
    ("golf", "Sports"),
    ("cricket", "Sports"),
    ("rugby", "Sports"),
    ("basketball", "Sports"),
    ("baseball", "Sports"),
    ("hockey", "Sports"),
    ("nfl", "Sports"),
    ("nba", "Sports"),
    ("mlb", "Sports"),
    ("nhl", "Sports"),
    ("olympia", "Sports"),
    ("olympics", "Sports"),
    ("cyclisme", "Sports"),
    ("ciclismo", "Sports"),
    ("deportes", "Sports"),
    ("deporte", "Sports"),
    ("esporte", "Sports"),
    ("esportes", "Sports"),
    ("desporto", "Sports"),
    ("sportif", "Sports"),
    // business
    ("business", "Business"),
    ("economy", "Business"),
    ("economics", "Business"),
    ("money", "Business"),
    ("markets", "Business"),
    ("finance", "Business"),
    ("wirtschaft", "Business"),
    ("finanzen", "Business"),
    ("geld", "Business"),
    ("borse", "Business"),
    ("boerse", "Business"),
    ("unternehmen", "Business"),
    ("economie", "Business"),
    ("eco", "Business"),
    ("finances", "Business"),
    ("bourse", "Business"),
    ("entreprises", "Business"),
    ("economia", "Business"),
    ("finanzas", "Business"),
    ("negocios", "Business"),
    ("empresas", "Business"),
    ("mercados", "Business"),
    ("bolsa", "Business"),
    ("financas", "Business"),
    ("mercado", "Business"),
    ("finanza", "Business"),
    ("borsa", "Business"),
    ("aziende", "Business"),
    ("financien", "Business"),
    ("beurs", "Business"),
    // world news and politics
    ("world", "World"),
    ("international", "World"),
    ("politics", "World"),
    ("ausland", "World"),
    ("welt", "World"),
    ("politik", "World"),
    ("monde", "World"),
    ("politique", "World"),
    ("internacional", "World"),
    ("mundo", "World"),
    ("politica", "World"),
    ("mondo", "World"),
    ("esteri", "World"),
    ("internazionale", "World"),
    ("buitenland", "World"),
    ("wereld", "World"),
    ("politiek", "World"),
    ("europe", "World"),
    ("europa", "World"),
    ("africa", "World"),
    ("asia", "World"),
    ("americas", "World"),
    ("afrika", "World"),
    ("asien", "World"),
    ("nahost", "World"),
    ("geopolitique", "World"),
    ("geopolitics", "World"),
    // science and technology
    ("technology", "Sci/Tech"),
    ("tech", "Sci/Tech"),
    ("science", "Sci/Tech"),
    ("sciences", "Sci/Tech"),
    ("space", "Sci/Tech"),
    ("gadgets", "Sci/Tech"),
    ("internet", "Sci/Tech"),
    ("gaming", "Sci/Tech"),
    ("games", "Sci/Tech"),
    ("wissenschaft", "Sci/Tech"),
    ("wissen", "Sci/Tech"),
    ("technik", "Sci/Tech"),
    ("digital", "Sci/Tech"),
    ("netzwelt", "Sci/Tech"),
    ("technologie", "Sci/Tech"),
    ("techno", "Sci/Tech"),
    ("informatique", "Sci/Tech"),
    ("tecnologia", "Sci/Tech"),
    ("ciencia", "Sci/Tech"),
    ("ciencias", "Sci/Tech"),
    ("scienza", "Sci/Tech"),
    ("wetenschap", "Sci/Tech"),
    ("techniek", "Sci/Tech"),
    ("biologie", "Sci/Tech"),
    // culture and entertainment
    ("entertainment", ENTERTAINMENT),
    ("culture", ENTERTAINMENT),
    ("arts", ENTERTAINMENT),
    ("movies", ENTERTAINMENT),
    ("music", ENTERTAINMENT),
    ("books", ENTERTAINMENT),
    ("celebrity", ENTERTAINMENT),
    ("kultur", ENTERTAINMENT),
    ("feuilleton", ENTERTAINMENT),
    ("kino", ENTERTAINMENT),
    ("musik", ENTERTAINMENT),
    ("leute", ENTERTAINMENT),
    ("promis", ENTERTAINMENT),
    ("cinema", ENTERTAINMENT),
    ("musique", ENTERTAINMENT),
    ("livres", ENTERTAINMENT),
    ("cultura", ENTERTAINMENT),
    ("espectaculos", ENTERTAINMENT),
    ("cine", ENTERTAINMENT),
    ("musica", ENTERTAINMENT),
    ("libros", ENTERTAINMENT),
    ("spettacoli", ENTERTAINMENT),
    ("spettacolo", ENTERTAINMENT),
    ("libri", ENTERTAINMENT),
    ("cultuur", ENTERTAINMENT),
    ("muziek", ENTERTAINMENT),
    ("film", ENTERTAINMENT),
    ("entretenimiento", ENTERTAINMENT),
    ("diversao", ENTERTAINMENT),
    ("gossip", ENTERTAINMENT),
];

/// Lower case without accents: "Fußball" -> "fussball", "Économie" -> "economie".
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars().flat_map(char::to_lowercase) {
        match ch {
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            _ => out.push(ch),
        }
    }
    out
}

/// The topic a publisher's section label means, if the table knows one of its words.
pub fn section_topic(section: &str) -> Option<&'static str> {
    let folded = fold(section);
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(6)
        .find_map(|word| {
            SECTIONS
                .iter()
                .find(|(known, _)| *known == word)
                .map(|(_, topic)| *topic)
        })
}

/// The topic the path of an article's URL names (`/wirtschaft/...`, `/news/world-europe-1234`
/// does not: only whole segments before the article's own slug count, at most the first three).
pub fn url_topic(url: &str) -> Option<&'static str> {
    let rest = url.split_once("//").map_or(url, |(_, rest)| rest);
    let path = rest.split_once('/').map(|(_, p)| p)?;
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (_, before_slug) = segments.split_last()?;
    before_slug.iter().take(3).find_map(|segment| {
        let folded = fold(segment);
        SECTIONS
            .iter()
            .find(|(known, _)| *known == folded)
            .map(|(_, topic)| *topic)
    })
}

/// The topic from a record's section, else from its URL path.
pub fn topic_from_section(section: Option<&str>, url: Option<&str>) -> Option<&'static str> {
    section
        .and_then(section_topic)
        .or_else(|| url.and_then(url_topic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_in_seven_languages() {
        let cases = [
            ("Sport", Some("Sports")),
            ("Fußball", Some("Sports")),
            ("Wirtschaft", Some("Business")),
            ("Politik > Ausland", Some("World")),
            ("Économie", Some("Business")),
            ("Politique", Some("World")),
            ("Ciencia y Tecnología", Some("Sci/Tech")),
            ("Deportes", Some("Sports")),
            ("Economia", Some("Business")),
            ("Cultura", Some(ENTERTAINMENT)),
            ("Esteri", Some("World")),
            ("Buitenland", Some("World")),
            ("Meinung", None),
            ("Lokales", None),
        ];
        for (section, topic) in cases {
            assert_eq!(section_topic(section), topic, "{section}");
        }
    }

    #[test]
    fn url_paths() {
        assert_eq!(
            url_topic("https://www.faz.net/aktuell/wirtschaft/konjunktur/zinsen-123.html"),
            Some("Business")
        );
        assert_eq!(
            url_topic("https://www.lemonde.fr/politique/article/2019/01/02/x_1.html"),
            Some("World")
        );
        assert_eq!(
            url_topic("https://elpais.com/deportes/2020-03-01/el-madrid.html"),
            Some("Sports")
        );
        // the slug itself never counts
        assert_eq!(url_topic("https://example.com/sport"), None);
        assert_eq!(url_topic("https://example.com/2019/05/sport-news/"), None);
    }

    #[test]
    fn section_before_url() {
        assert_eq!(
            topic_from_section(Some("Kultur"), Some("https://x.de/sport/a-1.html")),
            Some(ENTERTAINMENT)
        );
        assert_eq!(
            topic_from_section(Some("Meinung"), Some("https://x.de/sport/a-1.html")),
            Some("Sports")
        );
        assert_eq!(topic_from_section(None, None), None);
    }
}
