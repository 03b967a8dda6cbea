//! Metadata of real pages, one or more per language (en, de, fr, es, it, pt, nl), through the
//! clean and extract stages: title, published day, person authors and news agencies. The
//! pages are read from `../shared/data/news-pages` beside the repository (as in CI).

use std::io::Read;
use std::path::PathBuf;

use newsflow_model::{Format, Record};
use newsflow_pipeline::{ModelBytes, Pipeline, RawInput};

fn page(id: &str) -> Vec<u8> {
    let source = id.split('-').next().unwrap_or("");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/news-pages/pages")
        .join(source)
        .join(format!("{id}.html.gz"));
    let compressed = std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (../shared/data beside the repository)",
            path.display()
        )
    });
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&compressed[..])
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn record(pipeline: &Pipeline, id: &str, bytes: &[u8]) -> Record {
    let raw = RawInput {
        id,
        source: id,
        received_at: "2026-01-01T00:00:00Z",
        format: Format::Html,
        bytes,
        hints: Default::default(),
    };
    pipeline.process(&raw).expect("a record")
}

/// (page id, title, published day, person authors, agencies); `None` is not checked.
type Case = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static [&'static str]>,
    &'static [&'static str],
);

const CASES: &[Case] = &[
    // en: JSON-LD and meta tags, two authors
    (
        "postlight-www.theguardian.com",
        Some("Standing Rock protesters hold out against extraordinary police violence"),
        Some("2016-11-29"),
        Some(&["Julia Carrie Wong", "Sam Levin"]),
        &[],
    ),
    // en: four authors in one byline
    (
        "postlight-www.nytimes.com",
        Some("Ahmad Khan Rahami Is Arrested in Manhattan and New Jersey Bombings"),
        Some("2016-09-19"),
        Some(&[
            "Marc Santora",
            "William K. Rashbaum",
            "Al Baker",
            "Adam Goldman",
        ]),
        &[],
    ),
    // de: title, date and author from markup
    (
        "postlight-www.abendblatt.de",
        Some("Warum Mangos und Papayas jetzt teurer sind"),
        Some("2020-05-15"),
        Some(&["Melanie Wassink"]),
        &[],
    ),
    // de: the date only written ("16.12.2012") in an element named "published"
    ("htmldate-kinra.de", None, Some("2012-12-16"), None, &[]),
    // de: "27.06.2018 09:54" under the headline
    (
        "htmldate-goodform.ch.blog",
        None,
        Some("2018-06-27"),
        None,
        &[],
    ),
    // de: a dpa byline
    (
        "htmldate-bnn.de-Brand",
        None,
        Some("2023-10-31"),
        None,
        &["dpa"],
    ),
    // fr: title cut of its site name, date from markup
    (
        "postlight-www.lemonde.fr",
        Some("Les sombres perspectives économiques de la Commission européenne"),
        Some("2019-05-07"),
        None,
        &[],
    ),
    // fr: AFP credited
    (
        "readability-liberation-1",
        Some("Un troisième Français mort dans le séisme au Népal"),
        Some("2015-04-30"),
        None,
        &["AFP"],
    ),
    // es: author from markup; the title is the page's only h1, what the reader sees, over the
    // og:title written for search ("… en México, Venezuela y otros nueve países")
    (
        "readability-cnet-svg-classes",
        Some("Twitter Lite se estrena en 11 países de América Latina"),
        None,
        Some(&["César Salza"]),
        &[],
    ),
    (
        "htmldate-1731743891",
        None,
        Some("2020-10-07"),
        None,
        &["EFE"],
    ),
    // it: ANSA credited
    (
        "htmldate-1671960661",
        None,
        Some("2020-07-28"),
        None,
        &["ANSA"],
    ),
    // pt
    (
        "readability-folha",
        Some("Tite diz que errou ao levar taça da Libertadores a Lula em 2012"),
        Some("2018-12-21"),
        None,
        &[],
    ),
    // nl
    ("htmldate-1721884119", None, Some("2020-09-26"), None, &[]),
    // de: the date line stands above the h1, a list of other stories with dates below it
    (
        "htmldate-handball-word.news-nationalspiel",
        None,
        Some("2022-02-02"),
        None,
        &[],
    ),
    // de: the JSON-LD headline carries HTML references ("&#8222;EA Fifa&#8220;")
    (
        "htmldate-absatzwirtschaft.de-EA-Fifa",
        Some("Kicken im Dreieck: Das Rebranding von „EA Fifa“ zu „EA FC“"),
        None,
        None,
        &[],
    ),
    // de: the only h1 over an og:title written for search
    (
        "htmldate-computerbild.de-streamingcloud",
        Some("Cloud-Gaming im Test: Jetzt ist Amazon Luna dabei"),
        None,
        None,
        &[],
    ),
    // de: the publisher's name in the author meta is no person
    (
        "htmldate-paz.de-Wettstreit",
        None,
        None,
        Some(&["Hagen Ritter"]),
        &[],
    ),
    // fr: an interview's byline, "Recueilli par Patrick ANGEVIN."
    (
        "htmldate-ouest-france.fr-gaza",
        None,
        None,
        Some(&["Patrick Angevin"]),
        &[],
    ),
    // pt: a surname joined by "e"; the agency named as the source in the lead
    (
        "htmldate-1735359864",
        None,
        None,
        Some(&["José Volta e Pinto"]),
        &[],
    ),
    (
        "htmldate-1777110076",
        None,
        None,
        Some(&[]),
        &["Agência Brasil"],
    ),
    // en: a syndicated story; the header's byline names the source site ("By CNN.com"), the
    // text's the writer
    (
        "htmldate-1588026728",
        None,
        None,
        Some(&["Kate Sullivan"]),
        &[],
    ),
];

#[test]
fn real_pages_in_seven_languages() {
    let pipeline = Pipeline::new(&ModelBytes::default(), Vec::new()).expect("pipeline");
    for (id, title, day, authors, agencies) in CASES {
        let record = record(&pipeline, id, &page(id));
        if let Some(title) = title {
            assert_eq!(record.title.as_deref(), Some(*title), "{id}: title");
        }
        if let Some(day) = day {
            assert_eq!(
                record.published.as_deref().map(|d| &d[..10]),
                Some(*day),
                "{id}: published"
            );
        }
        if let Some(authors) = authors {
            assert_eq!(record.authors, *authors, "{id}: authors");
        }
        for agency in *agencies {
            assert!(
                record.agencies.iter().any(|a| a == agency),
                "{id}: agencies {:?} lack {agency}",
                record.agencies
            );
        }
        for author in &record.authors {
            assert!(!record.agencies.contains(author), "{id}: {author} twice");
        }
    }
}

/// The standfirst (dek, chapeau, entradilla) is a field of its own, in five languages.
#[test]
fn standfirsts_in_five_languages() {
    let pipeline = Pipeline::new(&ModelBytes::default(), Vec::new()).expect("pipeline");
    let cases = [
        (
            "postlight-www.theatlantic.com",
            "The city has never before used the emergency system",
        ),
        (
            "postlight-www.spektrum.de",
            "Das bizarre Genom der größten Blütenpflanze der Welt",
        ),
        (
            "htmldate-courrierinternational.com-Hamas",
            "Les autorités israéliennes disent préparer",
        ),
        (
            "htmldate-1598244597",
            "Se convierte así en el primer miembro del Gobierno andaluz",
        ),
        (
            "htmldate-1594316187",
            "A polícia informou que os autores dos disparos procuravam",
        ),
    ];
    for (id, opening) in cases {
        let record = record(&pipeline, id, &page(id));
        let standfirst = record.standfirst.as_deref().unwrap_or_default();
        assert!(
            standfirst.starts_with(opening),
            "{id}: standfirst {standfirst:?}"
        );
    }
    // a dek of one sentence under the headline
    let record = record(
        &pipeline,
        "postlight-www.recode.net",
        &page("postlight-www.recode.net"),
    );
    assert_eq!(
        record.standfirst.as_deref(),
        Some("The FCC will now have a Republican majority.")
    );
}

#[test]
fn language_stays_right_where_html_lang_lies() {
    let pipeline = Pipeline::new(&ModelBytes::default(), Vec::new()).expect("pipeline");
    let html = "<html lang=\"en\"><head><title>Neue Regeln | Beispielzeitung</title></head><body><article><h1>Neue Regeln</h1>\
        <p class=\"byline\">Von Anna Schmidt und Jan Berg</p>\
        <p>Die Bundesregierung hat am Montag neue Regeln für den Ausbau der Windkraft beschlossen, die ab Juli gelten sollen.</p>\
        <p>Nach Angaben des Ministeriums sollen die Genehmigungsverfahren damit deutlich kürzer werden, sagte eine Sprecherin in Berlin.</p>\
        <p>Die Opposition kritisierte, dass die Länder bei der Planung zu wenig Mitsprache hätten und die Kommunen die Kosten tragen müssten.</p>\
        </article></body></html>";
    let record = record(&pipeline, "lang", html.as_bytes());
    assert_eq!(record.language.as_deref(), Some("de"));
    assert_eq!(record.authors, ["Anna Schmidt", "Jan Berg"]);
    assert_eq!(record.byline.as_deref(), Some("Anna Schmidt, Jan Berg"));
}

fn shipped_model(file: &str) -> Vec<u8> {
    let path = format!("{}/../../config/models/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Entities come from the model of the article's language, or from none: the record's `nlp`
/// says which (issue 16). German, French and Dutch pages get their own models, Spanish and
/// Italian ones no entities (the English model never runs on them), English the English model.
/// Every page here but the Guardian's states its section, which gives the topic.
#[test]
fn entities_by_language_and_the_record_says_what_ran() {
    let models = ModelBytes {
        primary_topic: Some(("ag_news".to_string(), shipped_model("ag_news.model"))),
        ner: Some(shipped_model("ner.model")),
        ner_languages: newsflow_ner::OTHER_LANGUAGES
            .iter()
            .map(|lang| {
                (
                    lang.to_string(),
                    shipped_model(&newsflow_ner::model_file_name(lang)),
                )
            })
            .collect(),
        ..ModelBytes::default()
    };
    let pipeline = Pipeline::new(&models, Vec::new()).expect("shipped models load");
    let cases = [
        (
            "postlight-www.theguardian.com",
            "en",
            "model:ner",
            "model:ag_news",
        ),
        (
            "postlight-www.abendblatt.de",
            "de",
            "model:ner-de",
            "section",
        ),
        ("postlight-www.lemonde.fr", "fr", "model:ner-fr", "section"),
        (
            "htmldate-1731743891",
            "es",
            "none:unsupported-language",
            "section",
        ),
        (
            "htmldate-1671960661",
            "it",
            "none:unsupported-language",
            "section",
        ),
    ];
    for (id, language, entities, topic) in cases {
        let record = record(&pipeline, id, &page(id));
        assert_eq!(record.language.as_deref(), Some(language), "{id}");
        let nlp = record.nlp.as_ref().expect("nlp");
        assert_eq!(nlp.language.as_deref(), Some(language), "{id}");
        assert_eq!(nlp.entities.as_deref(), Some(entities), "{id}");
        assert_eq!(nlp.topic.as_deref(), Some(topic), "{id}");
        assert_eq!(
            nlp.quotes.as_deref(),
            Some(format!("rules:{language}").as_str()),
            "{id}"
        );
        if entities.starts_with("model:") {
            let found = record.entities.as_ref().expect("entities");
            assert!(!found.is_empty(), "{id}: no entities");
        } else {
            assert_eq!(record.entities, None, "{id}");
        }
    }
}

#[test]
fn a_damaged_language_model_is_an_error() {
    let mut bytes = shipped_model("ner-de.model");
    bytes.truncate(1000);
    let models = ModelBytes {
        ner_languages: vec![("de".to_string(), bytes)],
        ..ModelBytes::default()
    };
    let error = Pipeline::new(&models, Vec::new())
        .err()
        .expect("a damaged model is an error");
    assert!(matches!(
        error,
        newsflow_pipeline::PipelineError::LanguageNerModel { ref language, .. } if language == "de"
    ));
    assert_eq!(
        error.to_string(),
        "ner model for language de: ner model is truncated"
    );
}

/// Topics from the publisher's section in every language (issue 16): the page's section as
/// given, the topic it maps to with score 1 and `nlp.topic: "section"`; an English page
/// without one keeps the English model; a German page whose section maps to no topic
/// ("lokales") gets `unknown` with score 0, never the English model's guess.
#[test]
fn topics_from_the_publishers_section_in_every_language() {
    let models = ModelBytes {
        primary_topic: Some(("ag_news".to_string(), shipped_model("ag_news.model"))),
        secondary_topics: vec![("bbc".to_string(), shipped_model("bbc.model"))],
        ..ModelBytes::default()
    };
    let pipeline = Pipeline::new(&models, Vec::new()).expect("shipped models load");
    let cases = [
        (
            "postlight-www.abendblatt.de",
            "de",
            Some("Wirtschaft"),
            "Business",
        ),
        (
            "postlight-www.lemonde.fr",
            "fr",
            Some("Économie"),
            "Business",
        ),
        ("readability-liberation-1", "fr", Some("Monde"), "World"),
        ("htmldate-1789664619", "es", Some("Deportes"), "Sports"),
        (
            "htmldate-Repubblica.it-Israele-Hamas",
            "it",
            Some("Esteri"),
            "World",
        ),
        ("readability-folha", "pt", Some("Esporte"), "Sports"),
        ("htmldate-1721884119", "nl", Some("Sport"), "Sports"),
        ("postlight-www.si.com", "en", Some("NFL"), "Sports"),
    ];
    for (id, language, section, topic) in cases {
        let record = record(&pipeline, id, &page(id));
        assert_eq!(record.language.as_deref(), Some(language), "{id}");
        assert_eq!(record.section.as_deref(), section, "{id}");
        let chosen = record.topic.as_ref().expect("topic");
        assert_eq!((chosen.label.as_str(), chosen.score), (topic, 1.0), "{id}");
        let nlp = record.nlp.as_ref().expect("nlp");
        assert_eq!(nlp.topic.as_deref(), Some("section"), "{id}");
        // the English model runs beside the section on English text only, and says nothing
        // when the text is outside its taxonomy or its score is low (issue 20)
        let models: Vec<&str> = record.topics.iter().map(|t| t.model.as_str()).collect();
        if language == "en" {
            assert!(
                models.iter().all(|m| ["ag_news", "bbc"].contains(m)),
                "{id}: {models:?}"
            );
        } else {
            assert!(models.is_empty(), "{id}: {models:?}");
        }
    }

    let english = record(
        &pipeline,
        "postlight-www.theguardian.com",
        &page("postlight-www.theguardian.com"),
    );
    let nlp = english.nlp.as_ref().expect("nlp");
    assert_eq!(nlp.topic.as_deref(), Some("model:ag_news"));
    assert!(english.topic.as_ref().is_some_and(|t| t.label != "unknown"));

    let local = record(
        &pipeline,
        "htmldate-1518961308",
        &page("htmldate-1518961308"),
    );
    assert_eq!(local.language.as_deref(), Some("de"));
    assert_eq!(local.section.as_deref(), Some("lokales"));
    let nlp = local.nlp.as_ref().expect("nlp");
    assert_eq!(nlp.topic.as_deref(), Some("none:unsupported-language"));
    let unknown = local.topic.as_ref().expect("topic");
    assert_eq!((unknown.label.as_str(), unknown.score), ("unknown", 0.0));
    assert!(local.topics.is_empty());
}
