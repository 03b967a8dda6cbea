//! The HTML path: parse, read metadata (title, byline, dates, canonical URL, site name,
//! language, JSON-LD), find the article container by paragraph scoring (text length, commas,
//! link density, class/id hints, DOM neighbourhood), join paragraph-like siblings and containers
//! of the same tag and class (an article split into chunks), and render its text block by block.

use crate::decode::{decode_entities, normalize_line};
use crate::dom::{Dom, NodeId, NodeKind};

/// What the HTML path found.
#[derive(Debug, Default, Clone)]
pub struct HtmlArticle {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub published_text: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub language: Option<String>,
    /// JSON-LD `articleBody`, when the page states one (a reference for choosing the body).
    pub json_ld_body: Option<String>,
    /// JSON-LD `description` of the article node: the page's own summary of the article, the
    /// body of last resort when the page shows none of it (a video's page, a paywall's teaser).
    pub json_ld_description: Option<String>,
    /// Person authors named in the markup (JSON-LD, meta, rel=author), as written.
    pub authors: Vec<String>,
    /// Last modification (ISO 8601), kept apart from `published`.
    pub modified: Option<String>,
    /// The publisher's section (`articleSection`, `article:section`, breadcrumbs, else the
    /// URL path's section segment).
    pub section: Option<String>,
    /// The standfirst: the editor's summary of the article shown between the headline and the
    /// body (a dek, chapeau, Vorspann, entradilla), in a block the page names as one.
    pub standfirst: Option<String>,
    pub lines: Vec<String>,
}

const DROP_TAGS: [&str; 22] = [
    "script",
    "style",
    "noscript",
    "nav",
    "aside",
    "form",
    "button",
    "select",
    "svg",
    "iframe",
    "template",
    "textarea",
    "title",
    "head",
    "figcaption",
    "input",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "menu",
];

pub(crate) const BLOCK_TAGS: [&str; 37] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "figure",
    "br",
    "hr",
    "address",
    "tbody",
    "thead",
    "caption",
    "center",
    "body",
    "html",
    "details",
    "summary",
];

const NEGATIVE: [&str; 70] = [
    "comment",
    "share",
    "sharing",
    "social",
    "related",
    "newsletter",
    "caption",
    "byline",
    "cookie",
    "sidebar",
    "breadcrumb",
    "footer",
    "promo",
    "recommend",
    "subscribe",
    "signup",
    "popup",
    "modal",
    "banner",
    "advert",
    "sponsor",
    "masthead",
    "menu",
    "navbar",
    "pagination",
    "pager",
    "widget",
    "outbrain",
    "taboola",
    "toolbar",
    "tags",
    "author",
    "credit",
    "disqus",
    "rss",
    "hidden",
    "skip",
    "print",
    "trending",
    "most-popular",
    "recirc",
    "read-more",
    "more-stories",
    "dateline",
    // the same furniture in the other six languages (German, French, Spanish, Italian,
    // Portuguese, Dutch); "commenti" and "commentaire" already hold "comment"; a German
    // "Kommentar" is also an opinion piece, whose block holding the page's text stays (see
    // `comment_hint`)
    "kommentar",
    "comentario",
    "reactie",
    "teilen",
    "partage",
    "compartir",
    "condividi",
    "compartilhar",
    "verwandt",
    "relacionad",
    "correlat",
    "gerelateerd",
    "werbung",
    "anzeige",
    "publicidad",
    "publicidade",
    "pubblicita",
    "advertentie",
    "autor",
    "auteur",
    "fusszeile",
    "seitenleiste",
    // the advert and the comment in the languages of Central and Eastern Europe, Scandinavia,
    // Turkey and Indonesia ("reklama", "reklame", "komentarze", "komentar"), and French and
    // Spanish adverts ("annonce", "anuncio")
    "reklam",
    "komentar",
    "annonce",
    "anuncio",
];
const POSITIVE: [&str; 25] = [
    "article",
    "body",
    "content",
    "story",
    "main",
    "post",
    "entry",
    "text",
    // the same in German, French, Spanish, Italian, Portuguese and Dutch
    "artikel",
    "inhalt",
    "beitrag",
    "meldung",
    "nachricht",
    "contenu",
    "texte",
    "corps",
    "contenido",
    "articulo",
    "noticia",
    "cuerpo",
    "contenuto",
    "articolo",
    "testo",
    "conteudo",
    "inhoud",
];

fn class_id(dom: &Dom, id: NodeId) -> String {
    let mut out = String::new();
    for name in ["class", "id", "role", "itemprop"] {
        if let Some(value) = dom.attr(id, name) {
            if name == "id" && is_heading_slug(value) {
                continue; // an anchor made from a heading says nothing of the layout
            }
            if name == "class" {
                for token in value
                    .split_whitespace()
                    .filter(|token| !is_utility_class(token))
                {
                    push_words(&mut out, token);
                    out.push(' ');
                }
                continue;
            }
            push_words(&mut out, value);
            out.push(' ');
        }
    }
    out
}

/// A utility class of a CSS framework (Tailwind, Bootstrap, WordPress's block editor): it
/// styles any block, so its words are no hint of what the block holds ("text-center",
/// "md:text-lg", "text-gray-700", "text-md-start", "has-text-align-center",
/// "justify-content-between", "content-center"); a name such as "text-description",
/// "article-text" or "entry-content" is not one.
fn is_utility_class(token: &str) -> bool {
    // Tailwind's responsive and state variants: "md:", "hover:", "dark:md:"; "!" important
    let utility = token
        .rsplit(':')
        .next()
        .unwrap_or(token)
        .to_ascii_lowercase();
    let utility = utility.strip_prefix('!').unwrap_or(&utility);
    // the typography utilities' values: sizes, alignments, colours and transforms
    const TEXT_VALUES: [&str; 60] = [
        "xs",
        "sm",
        "base",
        "lg",
        "xl",
        "2xl",
        "3xl",
        "4xl",
        "5xl",
        "6xl",
        "left",
        "center",
        "right",
        "justify",
        "start",
        "end",
        "muted",
        "primary",
        "secondary",
        "success",
        "danger",
        "warning",
        "info",
        "light",
        "dark",
        "white",
        "black",
        "transparent",
        "current",
        "inherit",
        "gray",
        "grey",
        "slate",
        "zinc",
        "neutral",
        "stone",
        "red",
        "orange",
        "amber",
        "yellow",
        "lime",
        "green",
        "emerald",
        "teal",
        "cyan",
        "sky",
        "blue",
        "indigo",
        "violet",
        "purple",
        "fuchsia",
        "pink",
        "rose",
        "lowercase",
        "uppercase",
        "capitalize",
        "nowrap",
        "truncate",
        "reset",
        "decoration",
    ];
    const BREAKPOINTS: [&str; 5] = ["sm", "md", "lg", "xl", "xxl"];
    const ALIGNMENTS: [&str; 9] = [
        "start", "end", "center", "between", "around", "evenly", "stretch", "baseline", "normal",
    ];
    let text_utility = utility
        .strip_prefix("text-")
        .or_else(|| utility.strip_prefix("has-text-"))
        .is_some_and(|rest| {
            let mut parts = rest.split('-');
            let first = parts.next().unwrap_or("");
            // "text-md-center": a breakpoint, then the value
            let value = if BREAKPOINTS.contains(&first) && rest.contains('-') {
                parts.next().unwrap_or("")
            } else {
                first
            };
            TEXT_VALUES.contains(&value)
                || value.starts_with('[')
                || utility.starts_with("has-text-")
        });
    text_utility
        || [
            "content-",
            "justify-content-",
            "align-content-",
            "place-content-",
        ]
        .iter()
        .any(|prefix| {
            utility
                .strip_prefix(prefix)
                .is_some_and(|rest| ALIGNMENTS.contains(&rest))
        })
}

/// Lowercase, with camelCase words parted by `-` as a stylesheet would write them
/// ("tagStyle_18h2erd" → "tag-style_18h2erd", "shareBar" → "share-bar"): generated class names of
/// component frameworks are camelCase, and a hint word must not match across the joint.
pub(crate) fn push_words(out: &mut String, value: &str) {
    let mut previous_lower = false;
    for ch in value.chars() {
        if ch.is_ascii_uppercase() && previous_lower {
            out.push('-');
        }
        previous_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        out.push(ch.to_ascii_lowercase());
    }
}

/// An id made from a heading's words ("sharing-with-a-single-developer"), as documentation and
/// blog tools give sections: five or more words joined by `-` or `_`.
fn is_heading_slug(value: &str) -> bool {
    value
        .split(['-', '_'])
        .filter(|word| !word.is_empty())
        .count()
        >= 5
}

pub(crate) fn has_token(hay: &str, word: &str) -> bool {
    hay.match_indices(word).any(|(index, _)| {
        let before = hay[..index].chars().next_back();
        let after = hay[index + word.len()..].chars().next();
        let starts = before.is_none_or(|ch| !ch.is_ascii_alphabetic());
        // allow plurals and suffixes like "comments", "sharebar"
        let _ = after;
        starts
    })
}

fn negative_hint(hints: &str) -> bool {
    if hints.trim().is_empty() {
        return false;
    }
    if NEGATIVE.iter().any(|word| has_token(hints, word)) {
        return true;
    }
    // German names compound their words with the head last ("leserkommentare",
    // "werbeanzeige"): these are furniture wherever they stand in a name ("kommentar" alone is
    // also an opinion piece, "werbung" also the end of "bewerbung")
    if [
        "kommentare",
        "leserkommentar",
        "kommentarbereich",
        "werbeanzeige",
        "werbebanner",
        "fusszeile",
        "seitenleiste",
    ]
    .iter()
    .any(|word| hints.contains(word))
    {
        return true;
    }
    // whole words only: "ad", "nav", "meta", and the carousels of the script libraries every
    // site uses (Swiper, Slick, Owl Carousel, Flickity: teasers, obituaries, pictures, never
    // the article's running text; "slickdeals" is none)
    hints
        .split(|ch: char| !ch.is_ascii_alphanumeric())
        .any(|token| {
            matches!(
                token,
                "ad" | "ads" | "nav" | "meta" | "swiper" | "carousel" | "slick" | "flickity"
            )
        })
}

/// Whether one of the names holds a content word and does not end in a furniture word: a block
/// named "entry-content" or "sr-body-share-wrapper" is the article's, "article-comments" or
/// "entry-footer" is a part of the article's block named as furniture.
fn named_content_only(hints: &str) -> bool {
    hints
        .split_whitespace()
        .any(|name| positive_hint(name) && !ends_in_furniture(name))
}

/// Whether a class or id name's last word is a furniture word ("post-tags", "entry-footer",
/// "article__comments-2").
fn ends_in_furniture(name: &str) -> bool {
    let name = name.trim_end_matches(|ch: char| !ch.is_ascii_alphabetic());
    let Some(last) = name
        .rsplit(|ch: char| !ch.is_ascii_alphanumeric())
        .find(|token| !token.is_empty())
    else {
        return false;
    };
    let stem = name.strip_suffix('s').unwrap_or(name);
    // a last word that is or opens with a furniture word, plurals and endings of any of the
    // languages included ("comments", "kommentare", "commenti"), or a name glued to one
    // ("entryfooter")
    NEGATIVE.iter().any(|word| last.starts_with(word))
        || NEGATIVE
            .iter()
            .any(|word| stem.ends_with(word.strip_suffix('s').unwrap_or(word)))
        || matches!(last, "ad" | "nav" | "meta")
}

fn positive_hint(hints: &str) -> bool {
    POSITIVE.iter().any(|word| has_token(hints, word))
}

/// Structured data written out as elements, for machines (a stylesheet hides it): the
/// publisher's block (`itemprop="publisher"`) and any `itemprop` element whose whole text is
/// one address (`<div itemprop="image">https://…/photo.jpg</div>`).
fn is_microdata(dom: &Dom, sizes: &Sizes, id: NodeId) -> bool {
    let Some(property) = dom.attr(id, "itemprop") else {
        return false;
    };
    if property.split_whitespace().any(|name| name == "publisher") {
        return sizes.text[id] <= 300;
    }
    if sizes.text[id] > 2000 {
        return false;
    }
    let mut text = String::new();
    for node in dom.descendants(id) {
        if let NodeKind::Text { start, end } = dom.nodes[node].kind {
            text.push_str(&dom.source[start..end]);
        }
    }
    let text = text.trim();
    !text.is_empty()
        && !text.contains(char::is_whitespace)
        && (text.starts_with("http://") || text.starts_with("https://"))
}

fn is_hidden(dom: &Dom, id: NodeId) -> bool {
    if dom.attr(id, "hidden").is_some() || dom.attr(id, "aria-hidden") == Some("true") {
        return true;
    }
    dom.attr(id, "style").is_some_and(|style| {
        let compact: String = style
            .chars()
            .filter(|ch| !ch.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        compact.contains("display:none") || compact.contains("visibility:hidden")
    })
}

/// Counts of characters per node (whole subtree) and inside links.
struct Sizes {
    text: Vec<u32>,
    link: Vec<u32>,
    commas: Vec<u32>,
    /// Han, kana and Hangul characters (each counted once in `text`).
    cjk: Vec<u32>,
}

impl Sizes {
    /// A node's text in Latin-letter equivalents (a Han, kana or Hangul character counts as
    /// three letters, as `chars_of` counts a body): what makes a paragraph.
    fn weighted(&self, id: NodeId) -> u32 {
        self.text[id] + 2 * self.cjk[id]
    }
}

fn measure(dom: &Dom, dropped: &[bool]) -> Sizes {
    let count = dom.nodes.len();
    let mut sizes = Sizes {
        text: vec![0; count],
        link: vec![0; count],
        commas: vec![0; count],
        cjk: vec![0; count],
    };
    for id in (0..count).rev() {
        if dropped[id] {
            continue;
        }
        if let NodeKind::Text { start, end } = dom.nodes[id].kind {
            // one walk over the characters for the three counts
            for ch in dom.source[start..end].chars() {
                sizes.text[id] += u32::from(!ch.is_whitespace());
                sizes.commas[id] += u32::from(is_comma(ch));
                sizes.cjk[id] += u32::from(is_cjk(ch));
            }
        }
        if dom.tag(id) == Some("a") {
            sizes.link[id] = sizes.text[id];
        }
        if let Some(parent) = dom.nodes[id].parent {
            sizes.text[parent] += sizes.text[id];
            sizes.link[parent] += sizes.link[id];
            sizes.commas[parent] += sizes.commas[id];
            sizes.cjk[parent] += sizes.cjk[id];
        }
    }
    sizes
}

/// A comma in any script: Latin, Arabic (also Persian and Urdu), the full-width and
/// ideographic commas of Chinese and Japanese, and their small and vertical forms (the set
/// Mozilla's Readability counts, and the ideographic comma `、`).
fn is_comma(ch: char) -> bool {
    matches!(
        ch,
        ',' | '\u{060C}'
            | '\u{3001}'
            | '\u{FF0C}'
            | '\u{FF64}'
            | '\u{FE50}'
            | '\u{FE51}'
            | '\u{FE10}'
            | '\u{FE11}'
            | '\u{2E41}'
            | '\u{2E34}'
            | '\u{2E32}'
    )
}

/// Runs the HTML path on a decoded page.
pub fn extract(source: &str) -> HtmlArticle {
    extract_from(Dom::parse(source), false)
}

/// Runs the HTML path on a tree built by html5ever.
#[cfg(feature = "html5ever")]
pub fn extract_html5ever(source: &str) -> HtmlArticle {
    let (buffer, nodes) = crate::dom5::parse(source);
    extract_from(
        Dom {
            source: &buffer,
            nodes,
        },
        false,
    )
}

/// `nested`: the page is a `<noscript>`'s content read for a stub body's sake, whose own
/// `<noscript>` blocks are not read again (markup nested a million deep stays linear).
fn extract_from(dom: Dom<'_>, nested: bool) -> HtmlArticle {
    let mut article = HtmlArticle::default();
    crate::meta::read_metadata(&dom, &mut article);
    article.section = crate::meta::read_section(&dom, article.url.as_deref());
    let analysis = Analysis::of(&dom);
    article.lines = match analysis.top {
        // no block reads as a paragraph (the article's text all links, or in no block of its
        // own): the page's own body when it states one, else what the page shows
        None => match stated_body(&article) {
            Some(reference) => reference_lines(reference),
            None => or_description(
                or_concealed(
                    &dom,
                    render(&dom, &analysis.dropped, &analysis.sizes, &[0]),
                    nested,
                ),
                &article,
            ),
        },
        Some(_) => {
            let primary = render(&dom, &analysis.dropped, &analysis.sizes, &analysis.roots);
            let mut lines = choose_body(&dom, &analysis, primary, &article);
            if chars_of(&lines) < STUB_BODY {
                lines = or_description(or_concealed(&dom, lines, nested), &article);
            }
            // (a comment section's heading is also a section label: it ends the article
            // before it goes as one)
            cut_at_comment_notice(&mut lines);
            trim_section_labels(&mut lines);
            trim_calls_to_reader(&mut lines);
            trim_timestamps(&mut lines);
            // a share line above the last-updated line it left
            trim_calls_to_reader(&mut lines);
            drop_credits(&mut lines);
            drop_author_note(&mut lines, &article.authors);
            article.standfirst = standfirst(&dom, &analysis, article.title.as_deref());
            lines
        }
    };
    article
}

/// Class and id words that name a standfirst, in the seven languages (whole words of a name,
/// or two joined: "sub-headline").
const STANDFIRST_WORDS: [&str; 30] = [
    "standfirst",
    "subline",
    "desc",
    "subheading",
    "dek",
    "deck",
    "subdeck",
    "lede",
    "lead",
    "leadin",
    "intro",
    "introduction",
    "summary",
    "excerpt",
    "abstract",
    "strapline",
    "subtitle",
    "subheadline",
    "subhead",
    "description",
    "chapeau",
    "chapo",
    "vorspann",
    "anreisser",
    "entradilla",
    "sumario",
    "bajada",
    "subtitulo",
    "sottotitolo",
    "sommario",
];

fn standfirst_hint(hints: &str) -> bool {
    let tokens: Vec<&str> = hints
        .split(|ch: char| !ch.is_ascii_alphanumeric())
        .filter(|token| !token.is_empty())
        .collect();
    // the site's own tagline ("site-description", "blog-description") is no article's
    if tokens
        .iter()
        .any(|&token| matches!(token, "site" | "tagline"))
        || tokens
            .windows(2)
            .any(|pair| pair[0] == "blog" && matches!(pair[1], "description" | "desc"))
    {
        return false;
    }
    tokens.iter().any(|token| STANDFIRST_WORDS.contains(token))
        || tokens
            .windows(2)
            .any(|pair| STANDFIRST_WORDS.contains(&format!("{}{}", pair[0], pair[1]).as_str()))
}

/// The standfirst: the first block after the headline, before the body's first paragraph,
/// that the page names as one (`class="article__dek"`, `"chapeau"`, `"entradilla"`), holds
/// 5 to 150 words with few links and is no furniture.
fn standfirst(dom: &Dom, analysis: &Analysis, title: Option<&str>) -> Option<String> {
    let headline = analysis.headline?;
    let end = &analysis.end;
    let (dropped, sizes) = (&analysis.dropped, &analysis.sizes);
    // the headline's words, as the page shows them and as the title gives them
    let headlines: Vec<String> = [
        Some(crate::meta::text_of(dom, headline)),
        title.map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .filter(|text| text.split_whitespace().count() >= 3)
    .collect();
    // pictures, players and headlines below each node, counted once bottom-up
    let mut media_below = vec![false; dom.nodes.len()];
    for id in (0..dom.nodes.len()).rev() {
        let media = matches!(
            dom.tag(id),
            Some("img" | "picture" | "figure" | "figcaption" | "video" | "audio" | "iframe" | "h1")
        );
        if let Some(parent) = dom.nodes[id].parent {
            media_below[parent] |= media || media_below[id];
        }
    }
    let mut id = end[headline] + 1;
    let mut looked = 0;
    while id < dom.nodes.len() && looked < STANDFIRST_REACH {
        let Some(tag) = dom.tag(id) else {
            id += 1;
            continue;
        };
        looked += 1;
        if dropped[id] || matches!(tag, "figure" | "picture" | "time" | "table" | "ul" | "ol") {
            id = end[id] + 1;
            continue;
        }
        let hints = class_id(dom, id);
        let text = sizes.text[id];
        // an <h2> that follows the headline as its first text, in the same block: a subtitle
        // whatever its name ("<h1>…</h1><h2>A sentence that sums the story up.</h2>")
        let subtitle = tag == "h2"
            && looked <= SUBTITLE_REACH
            && dom.nodes[id].parent.is_some()
            && dom.nodes[id].parent == dom.nodes[headline].parent;
        // a lead picture or video ("lede" is also the top media, "lead-image"), or a block
        // that holds the headline
        if (30..=1200).contains(&text)
            && (standfirst_hint(&hints) || subtitle)
            && !negative_hint(&hints)
            && sizes.link[id] * 3 < text
            && !media_below[id]
        {
            let line = render(dom, dropped, sizes, &[id]).join(" ");
            let words = line.split_whitespace().count();
            let sized = (5..=150).contains(&words) || (line_chars(&line) >= 60 && words < 150);
            // (a dateline block named "description" is no standfirst)
            if sized
                && !is_timestamp_line(&line)
                && !headlines
                    .iter()
                    .any(|headline| line.contains(headline.as_str()))
            {
                return Some(line);
            }
        }
        // the body has begun (a later <h1> is the headline itself: a logo's or a section's
        // came first)
        if analysis.paragraph[id] {
            return None;
        }
        id += 1;
    }
    None
}

/// How many elements after the headline the standfirst is looked for in.
const STANDFIRST_REACH: usize = 400;

/// How many elements after the headline an unnamed `<h2>` subtitle may stand.
const SUBTITLE_REACH: usize = 3;

/// A picture's credit or a bare picture label on a line of its own ("Foto: Anas-Mohamed,
/// Shutterstock", "(Image credit: Submitted by Ashley)", "Photos: Oakland Zoo", "Image Source:
/// Nicole Cohen", "Beitragsbild"):
/// the label, a colon and a short name, or the label alone.
static CREDIT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^\(?\s*(?:(?:foto|fotos|photo|photos|bild|bilder|image|images|credit|credits|image credit|photo credit|image source|photo source|image courtesy|photo courtesy|picture|pictures|bildnachweis|fotonachweis|crédit photo|crédits photo|crédit|crédits|fotografía|imagen|imagem|fonte|quelle|source|beitragsbild|titelbild|symbolbild|bildquelle|fotoquelle|original-content von)\s*:\s*[^.!?:]{1,70}[^.!?:\s]|beitragsbild|titelbild|symbolbild)\s*\)?$",
    )
    .expect("valid credit pattern")
});

/// A picture's credit closing its caption: "… (Image: GETTY)", "… (Credit: iStock)", "… Photo:
/// Joseph Cox", "… — Foto: Michele Taborga/Arquivo Pessoal", "… Bild: Dave Thompson / AP":
/// a picture word and a colon, then a name without a sentence's punctuation to the line's end.
static CAPTION_CREDIT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    let picture = concat!(
        "(?:image|images|photo|photos|picture|pictures|credit|credits|photo credit|image credit",
        "|foto|fotos|bild|bilder|fotografía|imagen|imagem|crédit|crédits|crédit photo)"
    );
    regex::Regex::new(&format!(
        r"(?i)(?:[(\[]\s*{picture}\s*:\s*[^.!?:()\[\]]{{1,60}}[)\]]|(?:^|[\s—–-]){picture}\s*:\s*[^.!?:]{{1,60}})\s*$"
    ))
    .expect("valid caption credit pattern")
});

/// A caption is at most this long (see [`CAPTION_CREDIT`]).
const CAPTION_CHARS: usize = 200;

/// Picture credits and labels go wherever they stand, and so do captions that end in a
/// picture's credit; a body that is nothing but such lines stays as it is.
fn drop_credits(lines: &mut Vec<String>) {
    let credit = |line: &String| {
        let length = line.chars().count();
        let line = line.trim();
        (length <= 90 && CREDIT.is_match(line))
            // (one colon, the credit's: a line with more is a dateline or a source's
            // credit too, "22/11/2020 - 04:30 - Fonte: Agência Brasil - Foto: …")
            || (length <= CAPTION_CHARS
                && line.matches(':').count() == 1
                && CAPTION_CREDIT.is_match(line))
    };
    if lines.iter().any(|line| !credit(line)) {
        lines.retain(|line| !credit(line));
    }
}

/// A comment section's notice, in the languages newsflow reads: its policy, its state, its
/// sign-in wall, its spam filter ("Comments are closed.", "Es wurden noch keine Kommentare
/// geschrieben.", "L'espace des contributions est réservé aux abonnés.").
static COMMENT_NOTICE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?i)(comment policy|comments? (are|is) (now )?closed|leave a (comment|reply)",
        r"|no comments yet|be the first to comment|keep it civil|logged in to (post|leave|comment)",
        r"|kommentare? (schreiben|verfassen)|keine kommentare",
        // "comments are closed" in the other languages ("Kommentare geschlossen",
        // "Kommentarfunktion deaktiviert", "comentarios cerrados", "commenti chiusi",
        // "comentários fechados", "reacties gesloten")
        r"|kommentare (sind )?geschlossen|kommentarfunktion (ist )?(deaktiviert|geschlossen)",
        r"|comentarios (están )?cerrados|commenti (sono )?chiusi|comentários (estão )?fechados",
        r"|reacties (zijn )?gesloten",
        // the section's heading with its count ("Kommentare (2)", "5 Comments")
        r"|^\W*(\d+\s+)?(comments?|kommentare?|commentaires?|comentarios?|commenti|reacties)\s*(\(\d+\))?\W*$",
        r"|müssen (sie )?(sich )?(angemeldet|eingeloggt)",
        r"|commentaires? (sont|est) (ferm|réserv)|laisser un commentaire|espace des contributions",
        r"|deja un comentario|akismet|lascia un commento|deixe um comentário|plaats een reactie)",
    ))
    .expect("valid comment notice pattern")
});

/// The heading that blog software puts over a post's comments, with their count and the
/// post's title in quotation marks ("34 responses to “Title”", "One thought on “Title”",
/// "12 Antworten auf „Titel“", "2 réflexions sur « Titre »", "3 respuestas a «Título»",
/// "5 risposte a “Titolo”", "2 comentários em “Título”", "4 reacties op “Titel”"): what follows
/// is the comments, however short the post before them.
static COMMENTS_TITLE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?i)^\W*(\d+|one|ein|eine|einen|un|une|uno|una|um|uma|een|één)\s+",
        r"(responses?|repl(y|ies)|thoughts?|comments?|antworten|antwort|gedanken|gedanke",
        r"|kommentare?|réponses?|réflexions?|commentaires?|respuestas?|comentarios?|risposte",
        r"|risposta|pensieri|pensiero|commenti|commento|respostas?|comentários?|pensamentos?",
        r"|reacties|reactie|gedachten|gedachte)\s+",
        r"(to|on|for|auf|zu|zum|zur|für|à|sur|pour|a|en|sobre|para|em|su|per|op|over|bij)\s*",
        // the title in quotation marks is the whole rest of the line
        r#"["“”„«»‚‘’'‹›].{0,250}["“”„«»‚‘’'‹›]\W*$"#,
    ))
    .expect("valid comments title pattern")
});

/// The heading of a note about the author, a whole line, in the languages newsflow reads
/// ("About the author", "Über den Autor", "À propos de l'auteur", "Sobre el autor",
/// "L'autore", "Sobre o autor", "Over de auteur").
static ABOUT_THE_AUTHOR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?i)^\W*(?:about\s+the\s+(?:authors?|writers?)|über\s+(?:den\s+autor|die\s+autorin",
        r"|die\s+autoren|die\s+autorinnen)|zum\s+autor|zur\s+autorin|zu\s+den\s+autoren",
        r"|à\s+propos\s+de\s+l['’]auteure?|l['’]auteure?|sobre\s+(?:el\s+autor|la\s+autora",
        r"|o\s+autor|a\s+autora|os\s+autores|los\s+autores)",
        r"|acerca\s+(?:del\s+autor|de\s+la\s+autora|de\s+los\s+autores)|l['’]autore|sull['’]autore",
        r"|informazioni\s+sull['’]autore|over\s+de\s+(?:auteur|schrijver))\W*$",
    ))
    .expect("valid about-the-author pattern")
});

/// A comment section or a note about the author that came with the article ends it: from the
/// first short line that is a comment section's notice or the note's heading, when what
/// stands before it is at least two lines and two thirds of the body's text (the comments,
/// sign-in calls, the author's biography and site links after it go too).
fn cut_at_comment_notice(lines: &mut Vec<String>) {
    let total: usize = lines.iter().map(|line| line.chars().count()).sum();
    let mut kept = 0;
    for (at, line) in lines.iter().enumerate() {
        let length = line.chars().count();
        let notice = kept * 3 >= total * 2
            && length <= 140
            && (COMMENT_NOTICE.is_match(line) || ABOUT_THE_AUTHOR.is_match(line));
        // the comments' own heading naming the post ends it whatever their share of the text
        let comments = kept >= COMMENTED_POST && length <= 300 && COMMENTS_TITLE.is_match(line);
        if at >= 2 && (notice || comments) {
            lines.truncate(at);
            return;
        }
        kept += length;
    }
}

/// The least text a post keeps above its comments' heading (see [`COMMENTS_TITLE`]).
const COMMENTED_POST: usize = 200;

/// What follows an author's name in a note about the author: a verb of being or of work, in
/// the languages newsflow reads, after an optional pronoun note ("(she/her)").
static AUTHOR_NOTE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"^(\s*\([^)]{1,40}\))?(,[^,]{1,80},)?\s+",
        r"(is|has been|joined|covers|writes|ist|arbeitet|schreibt|est|écrit",
        r"|es|escribe|è|scrive|é|escreve|werkt|schrijft)\s",
    ))
    .expect("valid author note pattern")
});

/// A note about the page's own author at the body's end ("Laura E. Adkins is the Forward's
/// contributing network editor.", "Peter Grimm ist Journalist, Autor von …"): one of the last
/// three lines opens with an author's full name as the markup gives it and goes on in the
/// present tense as a note about a person does (not "was detained", not "is survived by");
/// it goes, with the lines after it. A body that would keep less than two lines or less than
/// two thirds of its text stays as it is.
fn drop_author_note(lines: &mut Vec<String>, authors: &[String]) {
    let fold = |text: &str| text.replace('\u{2019}', "'");
    let names: Vec<String> = authors
        .iter()
        .map(|name| fold(name.trim()))
        .filter(|name| name.split_whitespace().count() >= 2)
        .collect();
    if names.is_empty() || lines.len() < 3 {
        return;
    }
    let total: usize = lines.iter().map(|line| line.chars().count()).sum();
    for at in lines.len().saturating_sub(3).max(2)..lines.len() {
        let line = fold(lines[at].trim_start());
        let note = line.chars().count() <= 400
            && names.iter().any(|name| {
                line.strip_prefix(name.as_str()).is_some_and(|rest| {
                    AUTHOR_NOTE.is_match(rest) && !AUTHOR_NOT_A_NOTE.is_match(rest)
                })
            });
        let kept: usize = lines[..at].iter().map(|line| line.chars().count()).sum();
        if note && kept * 3 >= total * 2 {
            lines.truncate(at);
            return;
        }
    }
}

/// "… is survived by", "… is accused of": the story's own subject, not a note on its author.
static AUTHOR_NOT_A_NOTE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"^\W*(is|ist|est|es|è|é)\s+(survived|accused|charged|suspected|wanted|missing|dead)\b",
    )
    .expect("valid pattern")
});

/// Words that open a timestamp line ("Updated: 9.45pm", "Stand: 19.10.2019 11:05 Uhr",
/// "Publié le 3 mai"), in the languages newsflow reads, lowercase.
const TIMESTAMP_WORDS: [&str; 24] = [
    "updated",
    "last updated",
    "published",
    "first published",
    "posted",
    "update",
    "aktualisiert",
    "zuletzt aktualisiert",
    "veröffentlicht",
    "stand",
    "publié",
    "mis à jour",
    "modifié",
    "actualizado",
    "publicado",
    "actualización",
    "atualizado",
    "atualização",
    "pubblicato",
    "aggiornato",
    "bijgewerkt",
    "gepubliceerd",
    "geplaatst",
    "laatst bijgewerkt",
];

/// Phrases of a reading-time line ("Oct 18, 2019 · 8 min read", "5 Min. Lesezeit").
const READING_TIME: [&str; 8] = [
    "min read",
    "minute read",
    "minutes read",
    "lesezeit",
    "de lecture",
    "de lectura",
    "di lettura",
    "leestijd",
];

/// A line that only says when the article was published or updated, or how long it takes to
/// read: a date or a time, one of the words that announce them, and little else.
fn is_timestamp_line(line: &str) -> bool {
    let line = line.trim();
    if line.chars().count() > 90 || !line.contains(|ch: char| ch.is_ascii_digit()) {
        return false;
    }
    let lower = line.to_lowercase();
    let words = lower
        .split(|ch: char| !ch.is_alphabetic())
        .filter(|word| !word.is_empty())
        .count();
    if words > 10 {
        return false;
    }
    if READING_TIME.iter().any(|phrase| lower.contains(phrase)) {
        return true;
    }
    let opened = TIMESTAMP_WORDS.iter().any(|word| {
        lower
            .strip_prefix(word)
            .is_some_and(|rest| rest.starts_with([':', ' ', '\u{a0}']) || rest.is_empty())
    });
    let timed =
        TIME.is_match(&lower) || AGO.is_match(&lower) || crate::dates::find_written(line).is_some();
    opened && timed
}

/// A line of market quotes: one or more signed percentage changes ("+0,52 %", "−1.2%"), few
/// words around them (names of indices, shares or currencies), no sentence.
fn is_ticker_line(line: &str) -> bool {
    let line = line.trim();
    if line.chars().count() > 160 || line.ends_with(['.', '!', '?', ':']) {
        return false;
    }
    let changes = TICKER_CHANGE.find_iter(line).count();
    let words = line
        .split(|ch: char| !ch.is_alphabetic())
        .filter(|word| !word.is_empty())
        .count();
    changes >= 1 && words <= 3 * changes + 1
}

/// A signed percentage change: "+0,52 %", "-1.2%", "−0,3%".
static TICKER_CHANGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"[+\-−–]\s?\d+(?:[.,]\d+)?\s?%").expect("valid change pattern")
});

/// A time told as how long ago, in the languages newsflow reads: "3 hours ago", "vor 3
/// Stunden", "il y a 3 heures", "hace 3 horas", "3 ore fa", "há 3 horas", "3 uur geleden".
static AGO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"\b\d+\s*(min|mins|minutes?|hours?|hrs?|days?|weeks?)\s+ago\b",
        r"|\bvor\s+\d+\s+(min\.?|minuten?|stunden?|tagen?|wochen?)",
        r"|\bil y a\s+\d+\s+(min|minutes?|heures?|jours?)",
        r"|\bhace\s+\d+\s+(min|minutos?|horas?|d[ií]as?)",
        r"|\b\d+\s+(minuti|minuto|ore|ora|giorni|giorno)\s+fa\b",
        r"|\bh[áa]\s+\d+\s+(min|minutos?|horas?|dias?)",
        r"|\b\d+\s+(minuten|minuut|uur|dagen|dag)\s+geleden\b",
    ))
    .expect("valid relative time pattern")
});

/// A time of day: "9.45pm", "11:05 Uhr", "3:15 p.m.", "15h30".
static TIME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\b\d{1,2}([:.]\d{2}|h\d{2})\s*(am|pm|a\.m\.|p\.m\.|uhr|h\b)?")
        .expect("valid time pattern")
});

/// Timestamp and reading-time lines at the body's edges (the first two lines and the last)
/// go, and ticker and share lines above the article; a body that is nothing but timestamps
/// stays as it is.
fn trim_timestamps(lines: &mut Vec<String>) {
    if lines.iter().all(|line| is_timestamp_line(line)) {
        return;
    }
    // a stock or currency ticker above the article ("DAX 15.234 +0,5 % · Dow Jones 34.000
    // +0,1 %")
    while lines.len() > 1 && lines.first().is_some_and(|line| is_ticker_line(line)) {
        lines.remove(0);
    }
    // a share bar above the article ("Teilen auf Facebook", "Facebook Twitter E-Mail")
    while lines.len() > 1
        && lines
            .first()
            .is_some_and(|line| line.chars().count() <= 60 && SHARE_LINE.is_match(line))
    {
        lines.remove(0);
    }
    let mut removed = 0;
    while removed < 2 && lines.first().is_some_and(|line| is_timestamp_line(line)) {
        lines.remove(0);
        removed += 1;
    }
    if lines.last().is_some_and(|line| is_timestamp_line(line)) {
        lines.pop();
    }
}

/// Labels of page sections that are not the article ("Comments", "Tags:", "Mehr zum Thema",
/// "À lire aussi", "Anzeige"), in the languages newsflow reads; a line is such a label when,
/// lowercased and without a closing colon, it is one of these, or one followed by a count or
/// a colon and names ("Kommentare (3)", "Tags: Deals", "Popular on IndieWire").
const SECTION_LABELS: [&str; 135] = [
    // comments
    "comments",
    "comment",
    "kommentare",
    "kommentar",
    "commentaires",
    "commentaire",
    "comentarios",
    "comentários",
    "commenti",
    "reacties",
    "leave a comment",
    "post a comment",
    "add a comment",
    "write a comment",
    "leave a reply",
    "kommentar schreiben",
    "kommentare schreiben",
    "schreiben sie einen kommentar",
    "schreibe einen kommentar",
    "kommentar verfassen",
    "jetzt kommentieren",
    "kommentieren",
    "laisser un commentaire",
    "écrire un commentaire",
    "réagir",
    "deja un comentario",
    "dejar un comentario",
    "escribe un comentario",
    "lascia un commento",
    "scrivi un commento",
    "deixe um comentário",
    "deixe seu comentário",
    "plaats een reactie",
    "reageer",
    // tags and filing
    "tags",
    "labels",
    "filed under",
    "schlagwörter",
    "schlagworte",
    "themen",
    "étiquettes",
    "etiquetas",
    "mots-clés",
    "tag",
    // more of the same
    "related",
    "related articles",
    "related stories",
    "related topics",
    "related posts",
    "popular on",
    "most read",
    "mehr zum thema",
    "weiterlesen",
    "read more",
    "further reading",
    "relacionadas",
    "relacionados",
    "leer más",
    "lee también",
    "leia mais",
    "veja também",
    "lire plus",
    "zie ook",
    "lesen sie auch",
    "meistgelesen",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "you may also like",
    "you might also like",
    "recommended for you",
    "vous aimerez aussi",
    "vous aimerez peut-être aussi",
    "vous pourriez aussi aimer",
    "también te puede interesar",
    "te podría interesar",
    "ti potrebbe interessare",
    "potrebbe interessarti",
    "você também pode gostar",
    "você pode gostar",
    "misschien ook interessant",
    "weitere artikel",
    "à lire aussi",
    "lire aussi",
    "sur le même sujet",
    "les plus lus",
    "te puede interesar",
    "noticias relacionadas",
    "lo más leído",
    "leggi anche",
    "articoli correlati",
    "i più letti",
    "leia também",
    "notícias relacionadas",
    "mais lidas",
    "lees ook",
    "meest gelezen",
    "gerelateerde artikelen",
    // advertising
    "advertisement",
    "anzeige",
    "werbung",
    "publicité",
    "publicidad",
    "pubblicità",
    "publicidade",
    "advertentie",
    // sharing
    "share",
    "share this",
    "teilen",
    "partager",
    "compartir",
    "condividi",
    // the same in Chinese and Japanese: related, recommended, popular, advertising, sharing
    "関連記事",
    "関連ニュース",
    "関連リンク",
    "おすすめ記事",
    "人気記事",
    "相关文章",
    "相關文章",
    "相关阅读",
    "相關閱讀",
    "相关新闻",
    "相關新聞",
    "延伸阅读",
    "延伸閱讀",
    "推荐阅读",
    "推薦閱讀",
    "推荐",
    "推薦",
    "热门文章",
    "熱門文章",
    "广告",
    "廣告",
    "広告",
    "分享",
    "シェア",
];

/// Labels of a list of the article's tags or categories, in the languages newsflow reads.
const TAG_LABELS: [&str; 27] = [
    "tags",
    "tagged",
    "keywords",
    "topics",
    "categories",
    "category",
    "filed under",
    "posted in",
    "schlagwörter",
    "schlagworte",
    "stichwörter",
    "stichworte",
    "themen",
    "kategorien",
    "kategorie",
    "veröffentlicht in",
    "étiquettes",
    "mots-clés",
    "catégories",
    "publié dans",
    "etiquetas",
    "categorías",
    "categorias",
    "argomenti",
    "categorie",
    "trefwoorden",
    "categorieën",
];

/// A line that lists the article's tags or categories after its label ("Schlagwörter:
/// Radverkehr, Stadtrat, Verkehr", "Filed under: Politics | Europe"): short items, no sentence.
fn is_tag_line(line: &str) -> bool {
    let line = line.trim();
    if line.chars().count() > 250 || line.ends_with(['.', '!', '?']) {
        return false;
    }
    let lower = line.to_lowercase();
    TAG_LABELS.iter().any(|label| {
        let Some(rest) = lower
            .strip_prefix(label)
            .and_then(|rest| rest.trim_start().strip_prefix([':', '：']))
        else {
            return false;
        };
        let items: Vec<&str> = rest
            .split([',', '|', '·', '•', ';', '/'])
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect();
        !items.is_empty()
            && items
                .iter()
                .all(|item| item.split_whitespace().count() <= 5)
    })
}

fn is_section_label(line: &str) -> bool {
    if is_tag_line(line) {
        return true;
    }
    let lower = line
        .trim()
        .trim_end_matches([':', '：', ' '])
        .to_lowercase();
    if lower.is_empty() || lower.chars().count() > 40 {
        return false;
    }
    SECTION_LABELS.iter().any(|label| {
        let Some(rest) = lower.strip_prefix(label) else {
            return false;
        };
        let rest = rest.trim_start();
        // "Comments", "Kommentare (0)", "Tags: BGR Deals", "Popular on IndieWire"
        rest.is_empty()
            || rest.starts_with(['(', ':', '：'])
            || rest.chars().all(|ch| ch.is_ascii_digit())
            || (label.ends_with(" on") || *label == "filed under") && rest.len() < lower.len()
    })
}

/// A line that marks where an advertisement interrupts the article, in the languages newsflow
/// reads: "Article continues below", "Story continues after advertisement", "Der Artikel geht
/// unten weiter", "Weiterlesen nach der Anzeige", "La suite après la publicité", "El artículo
/// continúa debajo", "L'articolo continua sotto", "O texto continua após a publicidade", "Het
/// artikel gaat verder onder de advertentie". The whole line, never a sentence that holds the
/// words.
static AD_BREAK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?i)^\W*(?:",
        r"(?:the\s+)?(?:article|story|text|content)\s+continues\s+(?:below|after\s+(?:the\s+|this\s+)?(?:ad|advert|advertisement))(?:\s+advertisement)?",
        r"|continue\s+reading\s+below",
        r"|advertisement\s*[-–—:]?\s*(?:scroll\s+(?:down\s+)?to\s+continue(?:\s+reading)?|continue\s+reading\s+below)",
        r"|scroll\s+to\s+continue\s+with\s+content",
        r"|(?:der\s+|die\s+)?(?:artikel|text|beitrag|meldung)\s+(?:geht|wird)\s+(?:unten|unter\s+der\s+(?:anzeige|werbung)|nach\s+der\s+(?:anzeige|werbung))\s+(?:weiter|fortgesetzt)",
        r"|weiter(?:lesen)?\s+(?:nach|unter)\s+der\s+(?:anzeige|werbung)",
        r"|(?:la\s+)?suite\s+(?:de\s+l['’]article\s+)?(?:après|ci-dessous|sous)(?:\s+(?:la|cette)\s+publicité)?",
        r"|l['’]article\s+continue\s+(?:ci-dessous|après\s+(?:la|cette)\s+publicité)",
        r"|(?:el\s+)?(?:artículo|texto|contenido)\s+(?:continúa|sigue)\s+(?:(?:debajo|abajo)(?:\s+de\s+la\s+publicidad)?|(?:después|tras)\s+(?:de\s+)?la\s+publicidad)",
        r"|(?:continúa|sigue)\s+leyendo\s+(?:debajo|abajo)",
        r"|(?:l['’]articolo|il\s+testo)\s+continua\s+(?:sotto|dopo\s+la\s+pubblicità)",
        r"|continua\s+(?:a\s+leggere\s+)?dopo\s+la\s+pubblicità",
        r"|(?:o\s+)?(?:artigo|texto|conteúdo)\s+continua\s+(?:abaixo|(?:após\s+a|depois\s+da)\s+publicidade)",
        r"|continua\s+(?:após\s+a|depois\s+da)\s+publicidade",
        r"|(?:het\s+)?(?:artikel|verhaal)\s+gaat\s+(?:verder\s+)?(?:onder|na)\s+de\s+advertentie(?:\s+verder)?",
        r"|lees\s+verder\s+(?:onder|na)\s+de\s+advertentie",
        r")\W*$",
    ))
    .expect("ad break pattern")
});

/// Whether the line only marks an advertisement's place in the article (see [`AD_BREAK`]).
pub(crate) fn is_ad_break(line: &str) -> bool {
    line.chars().count() <= 80 && AD_BREAK.is_match(line.trim())
}

/// A site's notice about its cookies, in the languages newsflow reads: the site or "we" using
/// them ("We use cookies to ensure …", "Diese Website verwendet Cookies …", "Nous utilisons
/// les témoins de navigation (cookies) …", "このサイトでは、…Cookieなどを使用して…"), a request
/// to enable them, the policy's own line, or the terms one accepts by using the site. Only from
/// the line's start: an article about cookies keeps its sentences.
static COOKIE_NOTICE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        // after a word of warning, if any ("Achtung:", "Hinweis:", "Note:")
        r"(?i)^\W*(?:\w{1,12}\s*:\s*)?(?:",
        // the site, or "we", uses or sets them
        r"(?:we|this\s+(?:web)?site|our\s+(?:web)?site|wir|diese\s+(?:web)?(?:site|seite)",
        r"|auf\s+(?:unserer|dieser)\s+(?:web)?(?:site|seite)|nous|ce\s+site|notre\s+site",
        r"|este\s+(?:sitio|site|portal)|utilizamos|usamos|questo\s+sito|utilizziamo|noi",
        r"|wij|deze\s+(?:web)?site|このサイト|本サイト|当サイト|本网站|本網站|我们|我們)",
        r"[^.!?。]{0,80}?(?:cookies?(?:[^\w-]|$)|cookieなど|témoins|クッキー)",
        // asked to enable them
        r"|(?:please\s+|bitte\s+)?(?:enable|aktivieren\s+sie|activez|activa|attiva|ative)",
        r"\b[^.!?]{0,30}?cookies",
        // the policy's line, its settings
        r"|cookies?[\s-]?(?:policy|richtlinie|einstellungen|settings|hinweis|notice|などの設定)",
        // the terms accepted by using the site
        r"|(?:use\s+of\s+this\s+site|by\s+(?:continuing\s+to\s+)?us(?:e|ing)\s+(?:this|our)",
        r"\s+(?:web)?site|durch\s+die\s+(?:weitere\s+)?nutzung\s+(?:der|dieser|unserer)",
        r"\s+(?:web)?(?:site|seite)|en\s+poursuivant\s+votre\s+navigation)",
        r"[^.!?]{0,160}?cookie",
        r")",
    ))
    .expect("valid cookie notice pattern")
});

/// Whether the line is a site's notice about its cookies (see [`COOKIE_NOTICE`]).
pub(crate) fn is_cookie_notice(line: &str) -> bool {
    line.chars().count() <= COOKIE_NOTICE_CHARS && COOKIE_NOTICE.is_match(line.trim())
}

/// A cookie notice is at most this long.
const COOKIE_NOTICE_CHARS: usize = 400;

/// Section labels left in the body once their links and widgets are gone, and the lines that
/// mark an advertisement's place.
fn trim_section_labels(lines: &mut Vec<String>) {
    // a label between paragraphs ("Mehr zum Thema", "READ MORE", "Relacionadas") whose teaser
    // links are gone goes too; a body that is nothing but labels stays as it is
    let furniture =
        |line: &String| is_section_label(line) || is_ad_break(line) || is_cookie_notice(line);
    if lines.iter().any(|line| !furniture(line)) {
        lines.retain(|line| !furniture(line));
    }
}

/// A call to the reader that closes many articles, in the languages newsflow reads: to sign
/// up, subscribe, follow, join, download, send a tip, read more elsewhere ("Get local news
/// delivered to your inbox!", "Want more stories like this? Subscribe …", "Hat dir dieser
/// Artikel gefallen?", "Abonnez-vous …", "Síguenos en …").
static CALL_TO_READER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?i)\b(sign up|signup|subscribe|newsletter|follow (us|our)\b",
        r"|join (the|our)\b.*\b(community|channel)|download (the|our)\b.*\bapp",
        r"|delivered to your inbox|in your inbox|never miss|don'?t miss|stay up to date",
        r"|want more\b|story tip|news tip|click here|for all the latest\b.*\bvisit",
        r"|free trial|for free by",
        r"|abonnier|newsletter|folgen sie|folge uns|hier findest du|hat (dir|ihnen) dieser",
        r"|diskutieren sie mit|melden sie sich|jetzt anmelden",
        r"|abonnez-vous|inscrivez-vous|suivez-nous|notre newsletter",
        r"|suscr[ií]bete|s[ií]guenos|iscriviti|seguici|assine|siga-nos|volg ons|schrijf je in)",
    ))
    .expect("valid call-to-reader pattern")
});

/// Lines at the body's end that call on the reader (a newsletter, a follow, a download), at
/// most three, each short: a body that is nothing else stays as it is.
fn trim_calls_to_reader(lines: &mut Vec<String>) {
    for _ in 0..3 {
        let Some(last) = lines.last() else { return };
        let length = last.chars().count();
        let call = length <= 250 && CALL_TO_READER.is_match(last);
        let share = length <= 60 && SHARE_LINE.is_match(last);
        if lines.len() < 3 || !(call || share) {
            return;
        }
        lines.pop();
    }
}

/// A short line that offers to share the article on a network ("Teilen auf Facebook", "Auf
/// WhatsApp teilen", "Share on X", "Partager sur WhatsApp") or is nothing but networks' names
/// ("Facebook Twitter E-Mail"): the verb and the network's name both, from the line's start,
/// so that a sentence ending in "teilen" stays.
static SHARE_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    let verb = r"(share|sharing|teilen|partager|compartir|condividi|condividere|compartilhar|partilhar|delen)";
    let network = r"(facebook|twitter|x|whatsapp|linkedin|e-?mail|pinterest|telegram|reddit|xing|threads|bluesky|messenger)";
    let on = r"((auf|on|sur|en|su|no|em|op|via)\s+)?";
    regex::Regex::new(&format!(
        r"(?i)^\W*({verb}\b.{{0,25}}\b{network}|{on}{network}\b.{{0,25}}\b{verb}|({network}\W+)+{network})\W*$"
    ))
    .expect("valid share line pattern")
});

/// The page read for its body: furniture, sizes, paragraphs, scores, the top container and the
/// blocks that join it.
struct Analysis {
    dropped: Vec<bool>,
    sizes: Sizes,
    paragraph: Vec<bool>,
    score: Vec<f32>,
    /// Containers by score, best first.
    candidates: Vec<(f32, NodeId)>,
    top: Option<NodeId>,
    roots: Vec<NodeId>,
    /// The roots with the article's unnamed chunks before the top added (`path_twins`), when
    /// there are any.
    extended: Option<Vec<NodeId>>,
    /// The last node of each subtree.
    end: Vec<NodeId>,
    /// Characters of the paragraphs under each node.
    under: Vec<u32>,
    /// The headline's element (`meta::headline_of`).
    headline: Option<NodeId>,
    /// Whether the top block is the one at the headline that the page's description led to,
    /// over a larger block elsewhere (see `at_the_headline`).
    led: bool,
}

impl Analysis {
    fn of(dom: &Dom) -> Analysis {
        let count = dom.nodes.len();
        let nothing_dropped = vec![false; count];
        let raw_sizes = measure(dom, &nothing_dropped);
        let page_text = raw_sizes.text[0].max(1);

        let end = subtree_ends(dom);
        let headline = crate::meta::headline_of(dom);
        let mut dropped = furniture(dom, &raw_sizes, page_text, &end, headline);
        drop_nested_articles(dom, &raw_sizes, &mut dropped);
        let sizes = measure(dom, &dropped);

        let paragraph = paragraphs(dom, &dropped, &sizes);
        let score = score_nodes(dom, &paragraph, &sizes);
        let under = paragraph_text(dom, &paragraph, &sizes);
        let mut candidates: Vec<(f32, NodeId)> = (0..count)
            .filter(|&id| score[id] > 0.0 && !dropped[id])
            .map(|id| (candidate_score(dom, &sizes, &score, id), id))
            .collect();
        // best first; the earlier node wins a tie
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut analysis = Analysis {
            dropped,
            sizes,
            paragraph,
            score,
            candidates,
            top: None,
            roots: Vec::new(),
            extended: None,
            end,
            under,
            headline,
            led: false,
        };
        let Some(&(top_score, top)) = analysis.candidates.first() else {
            return analysis;
        };
        let stub = named_stub(&analysis, top);
        // reading order weighs only the ranking's own top: after the stub rule moved it, the
        // teaser it moved from would win back
        let large = analysis.under[top] > AT_HEADLINE_SHORT;
        let (top, top_score, led) = if stub != top {
            (stub, top_score, false)
        } else {
            match at_the_headline(dom, &analysis, top, top_score) {
                same if same == top => (top, top_score, false),
                other => (
                    other,
                    candidate_score(dom, &analysis.sizes, &analysis.score, other),
                    large,
                ),
            }
        };
        // a block the page's lead chose over a larger one is not widened back to the
        // ancestor that holds them both
        let top = if led {
            top
        } else {
            shared_ancestor(dom, &analysis, top, top_score)
        };
        analysis.led = led;
        analysis.top = Some(top);
        analysis.roots = analysis.roots_of(dom, top, top_score);
        analysis.roots = climb(dom, &analysis, top);
        analysis.extended = path_twins(dom, &analysis, top);
        analysis
    }

    /// Whether a block between parts of the article is furniture: a picture, or mostly links.
    fn is_gap(&self, dom: &Dom, block: NodeId) -> bool {
        let text = self.sizes.text[block];
        (text > 0 && self.sizes.link[block] * 2 >= text)
            || (block..=self.end[block]).any(|id| matches!(dom.tag(id), Some("img" | "picture")))
    }

    /// Whether a block shows readers anything: text, or a picture (a script, a style or an
    /// empty clearfix does not).
    fn shows_something(&self, dom: &Dom, block: NodeId) -> bool {
        if matches!(
            dom.tag(block),
            Some("script" | "style" | "noscript" | "template" | "link" | "meta")
        ) {
            return false;
        }
        (block..=self.end[block]).any(|id| match dom.nodes[id].kind {
            NodeKind::Text { start, end } => !dom.source[start..end].trim().is_empty(),
            _ => matches!(dom.tag(id), Some("img" | "picture")),
        })
    }

    /// The tag and first class name of each kind of paragraph and subheading under `top`
    /// (later class names may number each paragraph), each kind once.
    fn paragraph_kinds<'d>(&self, dom: &'d Dom, top: NodeId) -> Vec<ParagraphKind<'d>> {
        let mut kinds = Vec::new();
        for id in (top..=self.end[top]).filter(|&id| {
            self.paragraph[id]
                || (!self.dropped[id]
                    && matches!(dom.tag(id), Some("h2" | "h3" | "h4" | "h5" | "h6")))
        }) {
            let kind = paragraph_kind(dom, id);
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        kinds
    }

    /// Whether the paragraphs under `block` are of the `kinds` of the top's paragraphs: of
    /// their text, at least 80 % in elements of such a tag and first class name, and no
    /// heading among them but of a kind the top has too (furniture dropped inside it aside).
    fn written_like(&self, dom: &Dom, block: NodeId, kinds: &[ParagraphKind]) -> bool {
        let (mut same, mut all) = (0u32, 0u32);
        for id in block..=self.end[block] {
            if self.dropped[id] {
                continue;
            }
            if matches!(dom.tag(id), Some("h2" | "h3" | "h4" | "h5" | "h6"))
                && !kinds.contains(&paragraph_kind(dom, id))
            {
                return false;
            }
            if self.paragraph[id] {
                all += self.sizes.text[id];
                if kinds.contains(&paragraph_kind(dom, id)) {
                    same += self.sizes.text[id];
                }
            }
        }
        all > 0 && same * 10 >= all * 8
    }

    /// The leading paragraphs of a block after the top, past a gap, that are written like the
    /// article (paragraphs of the top's kinds), read down through wrappers, up to the first
    /// box: a heading of any kind, a picture beside paragraphs, text written otherwise (a
    /// note, a list of links). Nothing unless they hold over 80 characters of paragraph text (or 40
    /// ending a sentence) with link density under 0.25, as a whole tail needs.
    fn tail_parts(&self, dom: &Dom, block: NodeId, kinds: &[ParagraphKind]) -> Vec<NodeId> {
        let mut parts = Vec::new();
        self.collect_tail_parts(dom, block, kinds, 0, &mut parts);
        let text: u32 = parts.iter().map(|&part| self.under[part]).sum();
        let all: u32 = parts.iter().map(|&part| self.sizes.text[part]).sum();
        let links: u32 = parts.iter().map(|&part| self.sizes.link[part]).sum();
        let long_enough = parts
            .last()
            .is_some_and(|&last| self.long_enough_for_a_tail(dom, text, last));
        let prose = parts
            .last()
            .is_some_and(|&last| self.tail_links_allowed(dom, links, all, last));
        if long_enough && prose {
            parts
        } else {
            Vec::new()
        }
    }

    /// Whether `links` characters of link text in `all` leave a run of paragraphs ending with
    /// `last` prose: under a quarter, or more (a paragraph is at most half links) when it
    /// ends a sentence outside a link and its words outside the links make one (40+
    /// characters): a closing sentence that links a name or a source ("downloaded from
    /// <a>slideshare</a>.") is the article's; a teaser ends with its link ("mehr...").
    fn tail_links_allowed(&self, dom: &Dom, links: u32, all: u32, last: NodeId) -> bool {
        (links as f32) < 0.25 * all.max(1) as f32
            || (all.saturating_sub(links) >= 40
                && ends_a_sentence_outside_links(dom, last, &self.end))
    }

    /// Whether `text` characters of paragraph text ending with `last` make a tail: over 80,
    /// or 40 that end a sentence.
    fn long_enough_for_a_tail(&self, dom: &Dom, text: u32, last: NodeId) -> bool {
        text > 80 || (text >= 40 && ends_a_sentence(dom, last, &self.end))
    }

    /// Collects the leading run of `block`'s children written like the article; false where
    /// the run ends (at a heading, a card with a picture, text written otherwise).
    fn collect_tail_parts(
        &self,
        dom: &Dom,
        block: NodeId,
        kinds: &[ParagraphKind],
        depth: u8,
        parts: &mut Vec<NodeId>,
    ) -> bool {
        for &child in &dom.nodes[block].children {
            if dom.tag(child).is_none() || self.dropped[child] || !self.shows_something(dom, child)
            {
                continue;
            }
            let text = self.sizes.text[child];
            if text == 0 {
                continue;
            }
            // a heading of any kind opens a section of its own here ("About the author",
            // "2 responses"), and a block with a picture beside its paragraphs is a card (a
            // comment's avatar; a paragraph's own inline mark is no card)
            let paragraph = self.paragraph[child];
            let boxed = (child..=self.end[child]).any(|id| {
                !self.dropped[id]
                    && match dom.tag(id) {
                        Some("h2" | "h3" | "h4" | "h5" | "h6") => true,
                        Some("img" | "picture" | "figure") => !paragraph,
                        _ => false,
                    }
            });
            if boxed {
                return false;
            }
            if paragraph && self.written_like(dom, child, kinds) {
                parts.push(child);
                continue;
            }
            // a block written otherwise that holds text of its own (a caption, a note) ends
            // the run; a wrapper is read through
            let own_text = dom.nodes[child].children.iter().any(|&inner| {
                matches!(dom.nodes[inner].kind, NodeKind::Text { start, end }
                    if !dom.source[start..end].trim().is_empty())
            });
            if own_text
                || depth >= 3
                || !self.collect_tail_parts(dom, child, kinds, depth + 1, parts)
            {
                return false;
            }
        }
        true
    }

    /// The top container, its siblings that belong to the article too, the lead before it and
    /// its twins elsewhere in the page.
    fn roots_of(&self, dom: &Dom, top: NodeId, top_score: f32) -> Vec<NodeId> {
        let (dropped, sizes, score, paragraph) =
            (&self.dropped, &self.sizes, &self.score, &self.paragraph);
        let mut roots = Vec::new();
        match dom.nodes[top].parent {
            Some(parent) => {
                let threshold = (top_score * 0.1).max(6.0);
                // whether the sibling before is furniture: a dropped block with text, a
                // picture, links, or an empty block a script fills (an advert's slot; an empty
                // clearfix, a script or a rule between the article and what follows is no gap)
                let mut after_gap = false;
                // the kinds of the top's paragraphs, read once when a tail is weighed
                let mut kinds = None;
                for &sibling in &dom.nodes[parent].children {
                    if sibling == top {
                        roots.push(sibling);
                        after_gap = false;
                        continue;
                    }
                    if dom.tag(sibling).is_none() {
                        continue;
                    }
                    if dropped[sibling] {
                        if self.shows_something(dom, sibling) {
                            after_gap = true;
                        }
                        continue;
                    }
                    let length = sizes.text[sibling];
                    let link_density = sizes.link[sibling] as f32 / length.max(1) as f32;
                    // the article's tail after a picture or a box of links: a block after the
                    // top that is mostly paragraph text, few links, written in the top's own
                    // paragraphs (on a site that gives its paragraphs a class, an author's
                    // note or a box after the article is written in paragraphs of its own
                    // kind; where every paragraph is a bare <p>, the gap is the evidence)
                    let tail = sibling > top
                        && after_gap
                        && self.long_enough_for_a_tail(dom, self.under[sibling], sibling)
                        && self.under[sibling] * 10 >= length * 6
                        && link_density < 0.25
                        && self.written_like(
                            dom,
                            sibling,
                            kinds.get_or_insert_with(|| self.paragraph_kinds(dom, top)),
                        );
                    let keep = score[sibling] >= threshold
                        || (paragraph[sibling] && length > 80 && link_density < 0.25)
                        || tail;
                    // the tail with a box of its own inside (a newsletter's call, a related
                    // story, a tag list): its paragraphs written like the article join, up to
                    // the box, which is no gap before the next sibling (that would let a bio
                    // after it join past the box)
                    let parts = if !keep && sibling > top && after_gap {
                        let kinds = kinds.get_or_insert_with(|| self.paragraph_kinds(dom, top));
                        self.tail_parts(dom, sibling, kinds)
                    } else {
                        Vec::new()
                    };
                    if !parts.is_empty() {
                        after_gap = false;
                    } else if self.shows_something(dom, sibling) {
                        after_gap = self.is_gap(dom, sibling);
                    } else if is_slot(dom, sibling) {
                        after_gap = true;
                    }
                    if keep {
                        roots.push(sibling);
                    }
                    roots.extend(parts);
                }
                self.short_sentences_in_the_flow(dom, parent, &mut roots);
            }
            None => roots.push(top),
        }
        for lead in lead_before(dom, self, top) {
            if !roots.contains(&lead) {
                roots.push(lead);
            }
        }
        roots.sort_unstable();
        extend_with_twins(dom, self, top, top_score, &mut roots);
        roots
    }
}

impl Analysis {
    /// Short paragraphs of one sentence among the top's siblings (Readability's rule for a
    /// paragraph under 80 characters: no links, a sentence's end): kept where the article's
    /// flow of paragraphs runs through them. Before the first kept block only when that block
    /// is one of the article's paragraphs beside the top ("A PEDESTRIAN suffered serious
    /// injuries." opening a tabloid's story), not the top itself (a lone line before the
    /// article's container is its standfirst more often); between two kept blocks; never after
    /// the last one, where a one-line credit or call to the reader sits. Furniture (a dropped
    /// block that shows something, a picture) between them breaks the flow.
    fn short_sentences_in_the_flow(&self, dom: &Dom, parent: NodeId, roots: &mut Vec<NodeId>) {
        // the parent's blocks in order; `None` for furniture that breaks the flow
        let blocks: Vec<Option<NodeId>> = dom.nodes[parent]
            .children
            .iter()
            .copied()
            .filter(|&id| dom.tag(id).is_some())
            .filter_map(|id| {
                if self.dropped[id] || self.sizes.text[id] == 0 {
                    self.shows_something(dom, id).then_some(None)
                } else {
                    Some(Some(id))
                }
            })
            .collect();
        let kept: std::collections::HashSet<NodeId> = roots.iter().copied().collect();
        let is_kept = |block: Option<NodeId>| block.is_some_and(|id| kept.contains(&id));
        let (Some(first), Some(last)) = (
            blocks.iter().position(|&block| is_kept(block)),
            blocks.iter().rposition(|&block| is_kept(block)),
        ) else {
            return;
        };
        let short = |block: Option<NodeId>| block.is_some_and(|id| self.short_sentence(dom, id));
        let mut added = Vec::new();
        if blocks[first] != self.top {
            for &block in blocks[..first].iter().rev() {
                if !short(block) {
                    break;
                }
                added.extend(block);
            }
        }
        // a run of short sentences between two kept blocks
        let mut at = first + 1;
        while at < last {
            if is_kept(blocks[at]) || !short(blocks[at]) {
                at += 1;
                continue;
            }
            let end = (at..=last)
                .find(|&next| !short(blocks[next]) || is_kept(blocks[next]))
                .unwrap_or(last);
            if is_kept(blocks[end]) {
                added.extend(blocks[at..end].iter().flatten());
            }
            at = end + 1;
        }
        roots.extend(added);
    }

    /// A paragraph of one short sentence: under 80 characters, at least four words, no links,
    /// no hint of a standfirst or of furniture in its names, not a quotation standing alone (a
    /// pull quote repeats the article), ending as a sentence ends.
    fn short_sentence(&self, dom: &Dom, id: NodeId) -> bool {
        let length = self.sizes.text[id];
        if !(self.paragraph[id] || dom.tag(id) == Some("p"))
            || length == 0
            || length >= 80
            || self.sizes.link[id] > 0
        {
            return false;
        }
        let hints = class_id(dom, id);
        if standfirst_hint(&hints) || negative_hint(&hints) {
            return false;
        }
        let text = crate::meta::text_of(dom, id);
        let text = text.trim();
        if text.starts_with([
            '"', '\u{201c}', '\u{201e}', '\u{ab}', '\u{bb}', '\u{2018}', '\'',
        ]) {
            return false;
        }
        let end = text.trim_end_matches([
            '"', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '\u{ab}', '\u{bb}', '\'', ')',
            ' ', '\u{a0}',
        ]);
        // an ellipsis ends a teaser, not a sentence of the article
        end.ends_with(['.', '!', '?'])
            && !end.ends_with("...")
            && text.split_whitespace().count() >= 4
    }
}

/// An empty block that a script fills (an advert's or a video's slot between chunks of the
/// article), unless named as a layout aid ("clear", "clearfix", "spacer", "divider").
fn is_slot(dom: &Dom, id: NodeId) -> bool {
    matches!(
        dom.tag(id),
        Some("div" | "section" | "aside" | "figure" | "ins")
    ) && !dom.attr(id, "class").is_some_and(|class| {
        let class = class.to_ascii_lowercase();
        ["clear", "spacer", "divider", "separator"]
            .iter()
            .any(|word| class.contains(word))
    })
}

/// Whether an element holds block elements (a `<div>`, `<p>`, heading, section or list).
fn holds_blocks(dom: &Dom, id: NodeId, end: &[NodeId]) -> bool {
    (id + 1..=end[id]).any(|inner| {
        matches!(
            dom.tag(inner),
            Some(
                "div"
                    | "p"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "section"
                    | "article"
                    | "ul"
                    | "ol"
                    | "table"
            )
        )
    })
}

/// A block's last non-blank text node and its trimmed text.
fn last_text<'d>(dom: &'d Dom, block: NodeId, end: &[NodeId]) -> Option<(NodeId, &'d str)> {
    (block..=end[block])
        .rev()
        .find_map(|id| match dom.nodes[id].kind {
            NodeKind::Text { start, end } => {
                let text = dom.source[start..end].trim();
                (!text.is_empty()).then_some((id, text))
            }
            _ => None,
        })
}

/// Whether `text` ends a sentence (a full stop, a question or exclamation mark, or a closing
/// quotation mark after one).
fn is_sentence_end(text: &str) -> bool {
    let text = text.trim_end_matches(['"', '”', '’', '»', '“', '\'', ')']);
    text.ends_with(['.', '!', '?', '。'])
}

/// Whether a block's last text ends a sentence.
fn ends_a_sentence(dom: &Dom, block: NodeId, end: &[NodeId]) -> bool {
    last_text(dom, block, end).is_some_and(|(_, text)| is_sentence_end(text))
}

/// Whether a block's last text ends a sentence outside a link: a teaser's "mehr..." or
/// "Read more…" ends as a sentence does, inside its link.
fn ends_a_sentence_outside_links(dom: &Dom, block: NodeId, end: &[NodeId]) -> bool {
    let Some((last, text)) = last_text(dom, block, end) else {
        return false;
    };
    if !is_sentence_end(text) {
        return false;
    }
    let mut at = dom.nodes[last].parent;
    while let Some(id) = at {
        if dom.tag(id) == Some("a") {
            return false;
        }
        if id == block {
            break;
        }
        at = dom.nodes[id].parent;
    }
    true
}

/// A paragraph's tag and first class name.
type ParagraphKind<'d> = (Option<&'d str>, Option<&'d str>);

fn paragraph_kind<'d>(dom: &'d Dom, id: NodeId) -> ParagraphKind<'d> {
    (
        dom.tag(id),
        dom.attr(id, "class")
            .and_then(|class| class.split_whitespace().next()),
    )
}

/// `<article>` elements inside another `<article>` are, by the HTML standard's own example,
/// its comments, or else the teaser cards of related stories: each of two or more such
/// elements that holds under a quarter of the outer one's text and no headline is furniture.
/// A large inner one (a CMS that wraps the body in an `<article>` of its own) stays.
fn drop_nested_articles(dom: &Dom, raw_sizes: &Sizes, dropped: &mut [bool]) {
    let count = dom.nodes.len();
    let mut inner = vec![0u32; count];
    let mut h1 = vec![false; count];
    for id in (0..count).rev() {
        if dom.tag(id) == Some("h1") {
            h1[id] = true;
        }
        if let Some(parent) = dom.nodes[id].parent {
            inner[parent] += inner[id] + u32::from(dom.tag(id) == Some("article"));
            h1[parent] |= h1[id];
        }
    }
    // the nearest enclosing <article> of each node
    let mut outer: Vec<Option<NodeId>> = vec![None; count];
    for id in 1..count {
        if let Some(parent) = dom.nodes[id].parent {
            outer[id] = if dom.tag(parent) == Some("article") {
                Some(parent)
            } else {
                outer[parent]
            };
        }
    }
    // per outer <article>: the text of the articles right inside it, and the largest of them
    let mut nested_text = vec![0u64; count];
    let mut largest: Vec<Option<NodeId>> = vec![None; count];
    for (id, &around) in outer.iter().enumerate() {
        if dom.tag(id) != Some("article") {
            continue;
        }
        if let Some(around) = around {
            nested_text[around] += u64::from(raw_sizes.text[id]);
            if largest[around].is_none_or(|best| raw_sizes.text[id] > raw_sizes.text[best]) {
                largest[around] = Some(id);
            }
        }
    }
    for id in 0..count {
        // what is inside a dropped block is dropped with it
        if dom.nodes[id].parent.is_some_and(|parent| dropped[parent]) {
            dropped[id] = true;
            continue;
        }
        if dom.tag(id) != Some("article") || dropped[id] || h1[id] {
            continue;
        }
        let Some(around) = outer[id] else { continue };
        let (text, outer_text) = (
            u64::from(raw_sizes.text[id]),
            u64::from(raw_sizes.text[around]),
        );
        // the body in an <article> of its own outweighs the outer's text outside the nested
        // ones (a headline, a byline), however long the comments beside it are
        let body = largest[around] == Some(id) && text > outer_text - nested_text[around];
        if inner[around] >= 2 && text * 4 < outer_text && !body {
            dropped[id] = true;
        }
    }
}

/// How far above the top container an unnamed chunk's path may meet it.
const PATH_TWIN_LEVELS: usize = 8;

/// The article's first chunks cut off when nothing names them (no class or id on the top
/// container) and ads or boxes stand between them and the top: blocks between the headline
/// and the top with the top's tag, at the same depth, whose ancestors carry the same tags up to
/// where the two paths meet (at most eight levels up), holding running text (150+ characters
/// of paragraphs, few links, little else). The roots with them added, when there are any.
fn path_twins(dom: &Dom, analysis: &Analysis, top: NodeId) -> Option<Vec<NodeId>> {
    let unnamed = |id: NodeId| {
        dom.attr(id, "class").is_none_or(|c| c.trim().is_empty())
            && dom.attr(id, "id").is_none_or(|c| c.trim().is_empty())
    };
    if !unnamed(top) {
        return None;
    }
    let headline = analysis.headline?;
    let (sizes, under, end, roots) = (
        &analysis.sizes,
        &analysis.under,
        &analysis.end,
        &analysis.roots,
    );
    if end[headline] >= top {
        return None;
    }
    let depth_of = |mut id: NodeId| {
        let mut depth = 0;
        while let Some(parent) = dom.nodes[id].parent {
            depth += 1;
            id = parent;
        }
        depth
    };
    let top_depth = depth_of(top);
    let same_path = |other: NodeId| {
        let (mut a, mut b) = (top, other);
        for _ in 0..=PATH_TWIN_LEVELS {
            if a == b {
                return true;
            }
            if dom.tag(a) != dom.tag(b) {
                return false;
            }
            match (dom.nodes[a].parent, dom.nodes[b].parent) {
                (Some(pa), Some(pb)) => (a, b) = (pa, pb),
                _ => return false,
            }
        }
        false
    };
    let mut extended = roots.clone();
    let between = under.iter().enumerate().take(top).skip(end[headline] + 1);
    for (id, &paragraphs) in between {
        if analysis.dropped[id]
            || dom.tag(id) != dom.tag(top)
            || !unnamed(id)
            || paragraphs < 150
            || sizes.link[id] * 10 > sizes.text[id]
            || sizes.text[id].saturating_sub(paragraphs) * 2 > paragraphs
            || extended.iter().any(|&root| nested(end, root, id))
            || depth_of(id) != top_depth
            || !same_path(id)
        {
            continue;
        }
        extended.push(id);
    }
    if extended.len() == roots.len() {
        return None;
    }
    extended.sort_unstable();
    Some(extended)
}

/// How many levels above the top container the article's whole may stand.
const CLIMB_LEVELS: usize = 6;

/// An article cut into chunks that nothing names alike (`<article>` holding div, div, div,
/// each with a few paragraphs, between pictures): when an ancestor of the top container a few
/// levels up holds at least half as much paragraph text again as the blocks chosen, and what
/// it adds is nearly all paragraphs (other text and link text together at most a tenth of the
/// paragraph text it adds), that ancestor is the article. Comment threads, teaser lists and
/// menus beside an article add names, dates and links with every paragraph and fail the test;
/// the ancestor that gains most paragraph text net of ten times its other text wins, the
/// lowest on a tie. The climb stops at an `<article>` element and below a block that holds
/// two headlines or `<article>` elements (a feed: the next story appended below this one).
fn climb(dom: &Dom, analysis: &Analysis, top: NodeId) -> Vec<NodeId> {
    const NOISE_WEIGHT: i64 = 10;
    let (sizes, roots) = (&analysis.sizes, &analysis.roots);
    let (under, end) = (&analysis.under, &analysis.end);
    // headlines and <article> elements under each node: a block holding two of either is a
    // list or a feed of articles, not one
    let mut headlines = vec![0u32; dom.nodes.len()];
    for id in (0..dom.nodes.len()).rev() {
        if matches!(dom.tag(id), Some("h1" | "article")) && !analysis.dropped[id] {
            headlines[id] += 1;
        }
        if let Some(parent) = dom.nodes[id].parent {
            headlines[parent] += headlines[id];
        }
    }
    let mut best: Option<(i64, NodeId)> = None;
    let mut node = top;
    for _ in 0..CLIMB_LEVELS {
        // an <article> element is as far as the article goes
        if dom.tag(node) == Some("article") {
            break;
        }
        let Some(parent) = dom.nodes[node].parent else {
            break;
        };
        if matches!(dom.tag(parent), Some("body" | "html") | None) || headlines[parent] >= 2 {
            break;
        }
        node = parent;
        // the roots this ancestor would take the place of
        let (mut paragraphs, mut text, mut links) = (0i64, 0i64, 0i64);
        for &root in roots
            .iter()
            .filter(|&&root| node <= root && root <= end[node])
        {
            paragraphs += i64::from(under[root]);
            text += i64::from(sizes.text[root]);
            links += i64::from(sizes.link[root]);
        }
        let gained = i64::from(under[node]) - paragraphs;
        let other = (i64::from(sizes.text[node]) - i64::from(under[node])) - (text - paragraphs);
        let more_links = i64::from(sizes.link[node]) - links;
        if gained <= 0 || gained * 2 < paragraphs {
            continue;
        }
        let value = gained - NOISE_WEIGHT * (other.max(0) + more_links.max(0));
        if value > 0 && best.is_none_or(|(best_value, _)| value > best_value) {
            best = Some((value, node));
        }
    }
    let Some((_, ancestor)) = best else {
        return roots.clone();
    };
    let mut climbed: Vec<NodeId> = roots
        .iter()
        .copied()
        .filter(|&root| !(ancestor <= root && root <= end[ancestor]))
        .collect();
    climbed.push(ancestor);
    climbed.sort_unstable();
    climbed
}

/// A small block that tops the ranking by its name alone ("csc-textpic-text": a teaser box
/// of 160 characters) gives way to the block with the most paragraph text by its own score,
/// when that holds three times its paragraph text and at least 500 characters.
fn named_stub(analysis: &Analysis, top: NodeId) -> NodeId {
    let (under, end) = (&analysis.under, &analysis.end);
    if under[top] >= 300 {
        return top;
    }
    let related = |id: NodeId| nested(end, top, id);
    let sizes = &analysis.sizes;
    let plain = |id: NodeId| {
        let link_density = sizes.link[id] as f32 / sizes.text[id].max(1) as f32;
        analysis.score[id] * (1.0 - link_density)
    };
    let best = analysis
        .candidates
        .iter()
        .map(|&(_, id)| id)
        .filter(|&id| !related(id))
        .max_by(|&a, &b| plain(a).total_cmp(&plain(b)).then(b.cmp(&a)));
    match best {
        Some(other)
            if under[other] >= 500
                && under[other] >= under[top] * 3
                && plain(other) > plain(top) =>
        {
            other
        }
        _ => top,
    }
}

/// How much of the top's score a block right at the headline needs to be preferred to it.
const AT_HEADLINE_SHARE: f32 = 0.4;
/// The same for a top block over [`AT_HEADLINE_SHORT`] when the page's description stands
/// right under the headline (its lead).
const AT_HEADLINE_LED_SHARE: f32 = 0.05;
/// How many characters of text may stand between the headline and a block "right under" it.
const AT_HEADLINE_GAP: u32 = 250;
/// How much text must stand between the block at the headline and a top block after it.
const AT_HEADLINE_APART: u32 = 300;
/// The largest paragraph text of a top container that reading order may overrule.
const AT_HEADLINE_SHORT: u32 = 1500;

/// A short article loses narrowly to a long block elsewhere (a footer's copyright notice, the
/// site's "about us" paragraph, a teaser) when nothing names the blocks: two paragraphs score
/// about what one long one does. Reading order decides such a close call: when the best block
/// unrelated to the top one among those that hold the headline or begin right under it (at
/// most a sentence or two of text between them) scores at least 0.4 of the top's, and the top
/// one is short and away from the headline, the block at the headline is the article.
fn at_the_headline(dom: &Dom, analysis: &Analysis, top: NodeId, top_score: f32) -> NodeId {
    let (under, end) = (&analysis.under, &analysis.end);
    let Some(headline) = analysis.headline else {
        return top;
    };
    if analysis.dropped[headline] {
        return top;
    }
    // a large top block gives way only when the page's own description stands right under
    // the headline: the article's lead is there, whatever outscores it elsewhere
    let led = under[top] > AT_HEADLINE_SHORT && description_under_headline(dom, analysis, headline);
    if under[top] > AT_HEADLINE_SHORT && !led {
        return top;
    }
    let related = |a: NodeId, b: NodeId| nested(end, a, b);
    // text (not dropped) before each node in document order
    let mut before = vec![0u32; dom.nodes.len() + 1];
    for id in 0..dom.nodes.len() {
        let own = match dom.nodes[id].kind {
            NodeKind::Text { .. } => analysis.sizes.text[id],
            _ => 0,
        };
        before[id + 1] = before[id] + own;
    }
    // link text before each node: the text nodes inside a link, each counted once
    let in_link = inside_links(dom, &analysis.sizes, u32::MAX);
    let mut linked = vec![0u32; dom.nodes.len() + 1];
    for id in 0..dom.nodes.len() {
        let own = match dom.nodes[id].kind {
            NodeKind::Text { .. } if in_link[id] => analysis.sizes.text[id],
            _ => 0,
        };
        linked[id + 1] = linked[id] + own;
    }
    let at_headline = |id: NodeId| {
        related(id, headline)
            || (id > end[headline] && before[id] - before[end[headline] + 1] <= AT_HEADLINE_GAP)
    };
    if at_headline(top) {
        return top;
    }
    // the best block at the headline that is not the top one's
    let Some(&(second_score, second)) = analysis
        .candidates
        .iter()
        .find(|&&(_, id)| !related(id, top) && at_headline(id))
    else {
        return top;
    };
    // the top one's text must stand apart from the block at the headline: a block right after
    // it is the article's continuation (its lead chunk, then the rest after a picture)
    let apart = top < second || {
        let gap = before[top] - before[end[second] + 1];
        let links = linked[top] - linked[end[second] + 1];
        gap > AT_HEADLINE_APART
            || (gap >= 50 && links * 2 >= gap)
            || under[second] >= under[top] * 2
    };
    let share = if led {
        AT_HEADLINE_LED_SHARE
    } else {
        AT_HEADLINE_SHARE
    };
    if second_score >= top_score * share && under[second] >= 100 && apart {
        second
    } else {
        top
    }
}

/// Whether the page's description (`og:description`, else `description`, 80 characters or
/// more) is shown in the text right under the headline: the article's lead.
fn description_under_headline(dom: &Dom, analysis: &Analysis, headline: NodeId) -> bool {
    let mut description = None;
    for id in 0..dom.nodes.len() {
        if dom.tag(id) != Some("meta") {
            continue;
        }
        let name = dom
            .attr(id, "property")
            .or_else(|| dom.attr(id, "name"))
            .unwrap_or("");
        let open_graph = name.eq_ignore_ascii_case("og:description");
        if !open_graph && !name.eq_ignore_ascii_case("description") {
            continue;
        }
        if let Some(content) = dom.attr(id, "content") {
            let content = normalize_line(&decode_entities(content));
            if content.chars().count() >= 80 {
                description = Some(content);
                if open_graph {
                    break;
                }
            }
        }
    }
    let Some(description) = description else {
        return false;
    };
    let probe: String = description.chars().take(60).collect();
    // the text after the headline, a few hundred characters of it
    let mut after = String::new();
    let mut id = analysis.end[headline] + 1;
    while id < dom.nodes.len() && after.len() < 800 {
        if analysis.dropped[id] {
            id = analysis.end[id] + 1;
            continue;
        }
        if let NodeKind::Text { start, end } = dom.nodes[id].kind {
            after.push_str(&decode_entities(&dom.source[start..end]));
            after.push(' ');
        }
        id += 1;
    }
    normalize_line(&after).contains(&probe)
}

/// Every body the HTML path weighs for a page, by name, beside the one it chooses
/// (`chosen`): for measuring how it chooses, not for use in the pipeline.
#[doc(hidden)]
pub fn body_candidates(source: &str) -> Vec<(&'static str, Vec<String>)> {
    let dom = Dom::parse(source);
    let mut article = HtmlArticle::default();
    crate::meta::read_metadata(&dom, &mut article);
    let analysis = Analysis::of(&dom);
    let (dropped, sizes) = (&analysis.dropped, &analysis.sizes);
    let mut out = Vec::new();
    let Some(top) = analysis.top else {
        out.push(("chosen", render(&dom, dropped, sizes, &[0])));
        return out;
    };
    let primary = render(&dom, dropped, sizes, &analysis.roots);
    let chosen = choose_body(&dom, &analysis, primary.clone(), &article);
    let chosen = if chars_of(&chosen) < STUB_BODY {
        or_description(or_concealed(&dom, chosen, false), &article)
    } else {
        chosen
    };
    out.push(("chosen", chosen));
    out.push(("primary", primary));
    out.push(("top_only", render(&dom, dropped, sizes, &[top])));
    if let Some(parent) = dom.nodes[top].parent {
        out.push(("parent", render(&dom, dropped, sizes, &[parent])));
    }
    let related = |id: NodeId| nested(&analysis.end, top, id);
    if let Some(&(_, second)) = analysis.candidates.iter().find(|(_, id)| !related(*id)) {
        out.push(("second", render(&dom, dropped, sizes, &[second])));
    }
    out.push(("paragraphs", paragraphs_only(&dom, &analysis)));
    if let Some(body) = article.json_ld_body.as_deref() {
        out.push(("json_ld", reference_lines(body)));
    }
    out
}

/// An article cut into many blocks of the same weight (a feature's text blocks between
/// pictures, each named "text"): when three or more of the runners-up score nearly as high as
/// the top block, their closest common ancestor below `<body>` is the article (readability's
/// rule of alternative candidates).
fn shared_ancestor(dom: &Dom, analysis: &Analysis, top: NodeId, top_score: f32) -> NodeId {
    const MINIMUM: usize = 3;
    let (candidates, end) = (&analysis.candidates, &analysis.end);
    // blocks inside the top or around it are already in it, or it in them
    let related = |id: NodeId| nested(end, top, id);
    let close: Vec<NodeId> = candidates
        .iter()
        .skip(1)
        .take(4)
        .filter(|(value, _)| *value >= top_score * 0.75)
        .map(|&(_, id)| id)
        .filter(|&id| !related(id))
        .collect();
    // blocks of the top's own tag and class are its twins, joined later one by one without
    // the pictures and captions between them
    let class = |id: NodeId| (dom.tag(id), dom.attr(id, "class").map(str::trim));
    if close.len() < MINIMUM || close.iter().all(|&id| class(id) == class(top)) {
        return top;
    }
    // a block the CMS names as the article's body keeps it; the blocks close to it in score
    // are then a live ticker or teasers beside it
    let hints = class_id(dom, top).replace(['_', '-'], "");
    if [
        "articlebody",
        "articlecontent",
        "storybody",
        "entrycontent",
        "postcontent",
        "postbody",
        "articletext",
    ]
    .iter()
    .any(|name| hints.contains(name))
    {
        return top;
    }
    let mut ancestor = dom.nodes[top].parent;
    while let Some(node) = ancestor {
        if matches!(dom.tag(node), Some("body" | "html") | None) {
            break;
        }
        let inside = close
            .iter()
            .filter(|&&id| node < id && id <= end[node])
            .count();
        if inside >= MINIMUM {
            return node;
        }
        ancestor = dom.nodes[node].parent;
    }
    top
}

/// Readability-style scores: each paragraph gives its parent its value (one point, one per
/// comma, one per 100 characters up to three), its grandparent half and the next ancestor a
/// sixth.
fn score_nodes(dom: &Dom, paragraph: &[bool], sizes: &Sizes) -> Vec<f32> {
    let mut score = vec![0f32; dom.nodes.len()];
    for id in (0..dom.nodes.len()).filter(|&id| paragraph[id]) {
        let length = sizes.weighted(id);
        let value = 1.0 + sizes.commas[id] as f32 + (length as f32 / 100.0).min(3.0);
        let mut ancestor = dom.nodes[id].parent;
        let mut level = 0;
        while let Some(node) = ancestor {
            if level >= 3 {
                break;
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                _ => 3.0 * level as f32,
            };
            score[node] += value / divider;
            ancestor = dom.nodes[node].parent;
            level += 1;
        }
    }
    score
}

/// A node's score as the article's container: its paragraph score plus a bonus for content
/// names and `<article>`/`<main>`, scaled down by its link density.
fn candidate_score(dom: &Dom, sizes: &Sizes, score: &[f32], id: NodeId) -> f32 {
    let link_density = sizes.link[id] as f32 / sizes.text[id].max(1) as f32;
    let hints = class_id(dom, id);
    let mut bonus = 0.0;
    if positive_hint(&hints) {
        bonus += 25.0;
    }
    if matches!(dom.tag(id), Some("article" | "main")) {
        bonus += 10.0;
    }
    (score[id] + bonus) * (1.0 - link_density)
}

/// Why a piece of text is in or out of the body: for the innermost element holding `needle`,
/// each ancestor's tag, class/id names, whether it was dropped as furniture, whether it reads
/// as a paragraph, its text and link characters and its score as a container. A debugging aid
/// (`cargo run -p newsflow-clean --example explain_body -- PAGE.html NEEDLE`).
pub fn explain(source: &str, needle: &str) -> Vec<String> {
    let dom = Dom::parse(source);
    let count = dom.nodes.len();
    let raw_sizes = measure(&dom, &vec![false; count]);
    let mut dropped = furniture(
        &dom,
        &raw_sizes,
        raw_sizes.text[0].max(1),
        &subtree_ends(&dom),
        crate::meta::headline_of(&dom),
    );
    drop_nested_articles(&dom, &raw_sizes, &mut dropped);
    let sizes = measure(&dom, &dropped);
    let paragraph = paragraphs(&dom, &dropped, &sizes);
    let score = score_nodes(&dom, &paragraph, &sizes);
    let mut out = Vec::new();
    let mut ranked: Vec<(f32, NodeId)> = (0..count)
        .filter(|&id| score[id] > 0.0 && !dropped[id])
        .map(|id| (candidate_score(&dom, &sizes, &score, id), id))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (value, id) in ranked.iter().take(5) {
        out.push(format!(
            "candidate {value:.1}: {} {:?} text={}",
            dom.tag(*id).unwrap_or("#root"),
            class_id(&dom, *id),
            sizes.text[*id]
        ));
    }
    let Some(text_node) = (0..count).find(|&id| match &dom.nodes[id].kind {
        NodeKind::Text { start, end } => {
            decode_entities(&dom.source[*start..*end]).contains(needle)
        }
        _ => false,
    }) else {
        out.push(format!("no text node contains {needle:?}"));
        return out;
    };
    let mut node = dom.nodes[text_node].parent;
    while let Some(id) = node {
        out.push(format!(
            "{:<8} {:<50} dropped={:<5} paragraph={:<5} text={:<6} raw_text={:<6} links={:<6} score={:.1} candidate={:.1}",
            dom.tag(id).unwrap_or("#root"),
            class_id(&dom, id).chars().take(50).collect::<String>(),
            dropped[id],
            paragraph[id],
            sizes.text[id],
            raw_sizes.text[id],
            sizes.link[id],
            score[id],
            candidate_score(&dom, &sizes, &score, id),
        ));
        node = dom.nodes[id].parent;
    }
    out
}

/// Paragraph characters a block naming itself content ("entry-content") needs to tell that
/// the page's article is there, and not in a furniture block however large.
const NAMED_POST_TEXT: u32 = 100;

/// What never is article text: scripts, forms, hidden blocks and the like, and blocks whose
/// class or id names furniture (comments, share bars, ...). A class name is only a hint: a
/// block holding most of the page's paragraph text is the article whatever its wrapper is
/// called (page builders wrap everything in "widget" and "wrap" containers), except for
/// comment threads, which can outgrow the article they follow. A block holding a third of
/// the page's text is not dropped by its name alone either, unless the page names its content
/// block elsewhere (a short post beside a long sidebar).
fn furniture(
    dom: &Dom,
    raw_sizes: &Sizes,
    page_text: u32,
    end: &[NodeId],
    headline: Option<NodeId>,
) -> Vec<bool> {
    let count = dom.nodes.len();
    let mut dropped = vec![false; count];
    let slides = slide_captions(dom, raw_sizes);
    for id in 0..count {
        if let Some(parent) = dom.nodes[id].parent {
            if dropped[parent] {
                dropped[id] = true;
                continue;
            }
        }
        let Some(tag) = dom.tag(id) else { continue };
        // a dialog over the page (cookie consent, newsletter, log-in), named by its role
        // rather than its class, unless it is a reader's view of the article (it holds the
        // page's headline)
        let dialog =
            is_dialog(dom, id, tag) && !headline.is_some_and(|headline| nested(end, id, headline));
        // (a button holds inline content; one holding blocks was stretched over the page by
        // an unclosed element inside it)
        let structural = matches!(tag, "form" | "nav" | "aside" | "menu" | "button");
        if structural
            && raw_sizes.text[id] * 3 >= page_text
            && (tag != "button" || holds_blocks(dom, id, end))
        {
            // a form or nav wrapping the whole page (ASP.NET pages) is not furniture, nor a
            // button that an unclosed element inside it stretched over the page
            continue;
        }
        // a slide's text is the article's (when the page does not hide it)
        let by_tag = DROP_TAGS.contains(&tag) && !slides[id];
        if by_tag
            || dialog
            || is_page_footer(dom, (id, tag), end, headline, (raw_sizes, page_text))
            || is_hidden(dom, id)
            || is_microdata(dom, raw_sizes, id)
        {
            dropped[id] = true;
        }
    }
    let tag_sizes = measure(dom, &dropped);
    let tag_paragraphs = paragraphs(dom, &dropped, &tag_sizes);
    let paragraph_mass = paragraph_text(dom, &tag_paragraphs, &tag_sizes);
    let page_paragraphs = paragraph_mass[0];
    // class and id names, read once per node left after the tag pass
    let hints_of: Vec<String> = (0..count)
        .map(|id| {
            if dropped[id] {
                String::new()
            } else {
                class_id(dom, id)
            }
        })
        .collect();
    // whether each node's names hold a content word, and a furniture word: read once, each
    // is asked of most nodes two or three times below
    let named: Vec<bool> = (0..count)
        .map(|id| {
            !dropped[id]
                && !matches!(dom.tag(id), Some("body" | "html" | "#root") | None)
                && positive_hint(&hints_of[id])
        })
        .collect();
    let negative: Vec<bool> = hints_of.iter().map(|hints| negative_hint(hints)).collect();
    let names_content = |id: NodeId| named[id];
    // the largest paragraph text under a block that names itself content ("post-content"),
    // per node over its subtree
    let mut named_content = vec![0u32; count];
    for id in (0..count).rev() {
        if names_content(id) {
            named_content[id] = named_content[id].max(paragraph_mass[id]);
        }
        if let Some(parent) = dom.nodes[id].parent {
            named_content[parent] = named_content[parent].max(named_content[id]);
        }
    }
    // when most of the page's paragraph text sits in blocks whose only furniture word is a
    // weak one ("widget"), that word is the page builder's name for every block
    let mut weak_mass = 0;
    let mut id = 0;
    while id < count {
        if dropped[id] {
            id = end[id] + 1;
            continue;
        }
        let hints = hints_of[id].as_str();
        if negative[id] && !positive_hint(hints) && only_weak_hints(hints) {
            weak_mass += paragraph_mass[id];
            id = end[id] + 1;
            continue;
        }
        id += 1;
    }
    let builder_vocabulary = page_paragraphs >= 500 && weak_mass * 2 > page_paragraphs;
    let largest_named = named_content[0];
    // the paragraph text of the largest enclosing block that names itself content
    let mut named_above = vec![0u32; count];
    for id in 0..count {
        let inherited = dom.nodes[id].parent.map_or(0, |parent| named_above[parent]);
        named_above[id] = if names_content(id) {
            inherited.max(paragraph_mass[id])
        } else {
            inherited
        };
    }
    // the blocks that name themselves content and hold paragraph text, in document order,
    // with the least subtree end among each prefix: a short post beside a long "about me" or
    // archive widget is still named as the post (a name inside a block named as other
    // furniture than a widget, "profile-textblock" in the sidebar, is not the post's)
    let mut in_furniture = vec![false; count];
    for id in 0..count {
        let inherited = dom.nodes[id]
            .parent
            .is_some_and(|parent| in_furniture[parent]);
        let hints = hints_of[id].as_str();
        in_furniture[id] =
            inherited || (negative[id] && !named_content_only(hints) && !only_weak_hints(hints));
    }
    let named_blocks: Vec<NodeId> = (0..count)
        .filter(|&id| {
            names_content(id) && !in_furniture[id] && paragraph_mass[id] >= NAMED_POST_TEXT
        })
        .collect();
    let least_end: Vec<NodeId> = named_blocks
        .iter()
        .scan(NodeId::MAX, |least, &block| {
            *least = (*least).min(end[block]);
            Some(*least)
        })
        .collect();
    // whether such a block lies wholly before or wholly after the node
    let content_elsewhere = |id: NodeId| {
        let before = named_blocks.partition_point(|&block| block < id);
        (before > 0 && least_end[before - 1] < id)
            || named_blocks.last().is_some_and(|&block| block > end[id])
    };
    let own_text = own_running_text(dom, raw_sizes);
    for id in 0..count {
        if dropped[id] {
            continue;
        }
        if let Some(parent) = dom.nodes[id].parent {
            if dropped[parent] {
                dropped[id] = true;
                continue;
            }
        }
        let Some(tag) = dom.tag(id) else { continue };
        if matches!(tag, "body" | "html" | "#root" | "a") {
            continue;
        }
        // a part of a paragraph's running text (an inline formula, a styled word) is the
        // paragraph's, whatever its class says
        if in_running_text(dom, &own_text, id, tag) {
            continue;
        }
        // a slide's text is the article's, however its caption is named
        if slides[id] {
            continue;
        }
        let hints = hints_of[id].as_str();
        // a content word among the names shields a block that holds text of the article's
        // kind or its headline, not a widget's label and buttons ("like-post-wrapper" of a
        // likes widget, "newsletter-signup-container single-post")
        let shielded = named_content_only(hints)
            && (paragraph_mass[id] > 0
                || raw_sizes.text[id] >= SHIELDED_TEXT
                || headline.is_some_and(|headline| nested(end, id, headline)));
        if !negative[id]
            || shielded
            || (raw_sizes.text[id] * 3 >= page_text && !content_elsewhere(id))
        {
            continue;
        }
        let mass = paragraph_mass[id];
        let major = |named: u32| named >= 500 && named * 2 >= largest_named;
        let holds_the_article = !comment_hint(hints)
            && ((page_paragraphs >= 500 && mass * 2 > page_paragraphs)
                || (builder_vocabulary && only_weak_hints(hints))
                || (major(named_content[id]) && named_content[id] * 3 >= tag_sizes.text[id] * 2)
                || (major(named_above[id]) && mass * 3 >= named_above[id] * 2));
        if !holds_the_article {
            dropped[id] = true;
        }
    }
    dropped
}

/// A block named both as furniture and as content, holding no paragraph, is furniture below
/// this many characters of text.
const SHIELDED_TEXT: u32 = 200;

/// Captions that are a gallery's slide texts, not photos' captions: a slideshow article tells
/// its story in its slides' captions, each holding `SLIDE_TEXT` characters or more in `<p>`
/// elements, and a gallery has `SLIDES` or more of them (a single long wire-photo caption is
/// no gallery). One bottom-up pass: linear in the page however captions nest.
fn slide_captions(dom: &Dom, raw_sizes: &Sizes) -> Vec<bool> {
    let count = dom.nodes.len();
    // characters in <p> elements under each node (a <p> inside a <p> counts once)
    let mut in_paragraphs = vec![0u32; count];
    for id in (0..count).rev() {
        if dom.tag(id) == Some("p") {
            in_paragraphs[id] = raw_sizes.text[id];
        }
        if let Some(parent) = dom.nodes[id].parent {
            in_paragraphs[parent] = in_paragraphs[parent].saturating_add(in_paragraphs[id]);
        }
    }
    let mut slides = vec![false; count];
    for id in 0..count {
        slides[id] = dom.tag(id) == Some("figcaption") && in_paragraphs[id] >= SLIDE_TEXT;
    }
    if slides.iter().filter(|&&slide| slide).count() < SLIDES {
        slides.fill(false);
    }
    slides
}

/// How much paragraph text makes a caption a slide's text, and how many such captions make a
/// gallery.
const SLIDE_TEXT: u32 = 200;
const SLIDES: usize = 3;

/// The page's own footer: a `<footer>` (or an element whose role is `contentinfo`) whose
/// nearest sectioning ancestor is the page itself (no `<article>`, `<section>`, `<aside>`,
/// `<nav>` or other footer around it, nor a sectioning root such as a `<blockquote>`'s
/// citation or a `<figure>`'s credit, by the HTML standard's definition of a page footer:
/// `<main>` is no sectioning element, and app frameworks wrap the whole page in one), that
/// does not hold the headline and that does not hold nearly all of the page's text. Its copyright lines, addresses and link lists are never the article's,
/// however much of a short page's text they hold (the class-name rules keep a block holding a
/// third of the page's text, which on a page with a one-paragraph article is the footer).
fn is_page_footer(
    dom: &Dom,
    (id, tag): (NodeId, &str),
    end: &[NodeId],
    headline: Option<NodeId>,
    (raw_sizes, page_text): (&Sizes, u32),
) -> bool {
    let named = tag == "footer"
        || dom.attr(id, "role").is_some_and(|role| {
            role.split_ascii_whitespace()
                .any(|token| token.eq_ignore_ascii_case("contentinfo"))
        });
    if !named || headline.is_some_and(|headline| nested(end, id, headline)) {
        return false;
    }
    let mut ancestor = dom.nodes[id].parent;
    while let Some(node) = ancestor {
        if matches!(
            dom.tag(node),
            Some(
                "article"
                    | "section"
                    | "aside"
                    | "nav"
                    | "footer"
                    | "blockquote"
                    | "figure"
                    | "details"
                    | "fieldset"
                    | "td"
                    | "dialog"
            )
        ) {
            return false;
        }
        ancestor = dom.nodes[node].parent;
    }
    // a page written into its footer (the article's paragraphs in it) is no footer's page
    raw_sizes.text[id] * 5 < page_text * 4
}

/// Whether an element is a dialog: `<dialog>`, a `dialog` or `alertdialog` role (one of the
/// role's tokens, in any case) or `aria-modal="true"`.
fn is_dialog(dom: &Dom, id: NodeId, tag: &str) -> bool {
    tag == "dialog"
        || dom.attr(id, "role").is_some_and(|role| {
            role.split_ascii_whitespace().any(|token| {
                token.eq_ignore_ascii_case("dialog") || token.eq_ignore_ascii_case("alertdialog")
            })
        })
        || dom
            .attr(id, "aria-modal")
            .is_some_and(|modal| modal.trim().eq_ignore_ascii_case("true"))
}

/// Whether each node holds running text of its own: a text child of 25 characters or more.
fn own_running_text(dom: &Dom, sizes: &Sizes) -> Vec<bool> {
    let mut own = vec![false; dom.nodes.len()];
    for (id, node) in dom.nodes.iter().enumerate() {
        if matches!(node.kind, NodeKind::Text { .. }) && sizes.text[id] >= 25 {
            if let Some(parent) = node.parent {
                own[parent] = true;
            }
        }
    }
    own
}

/// Whether an element is part of running text: an inline element between sentences of its
/// parent's own text (a caption alone in its `<p>` is not). `own` is `own_running_text`'s.
fn in_running_text(dom: &Dom, own: &[bool], id: NodeId, tag: &str) -> bool {
    let Some(parent) = dom.nodes[id].parent else {
        return false;
    };
    !BLOCK_TAGS.contains(&tag) && own[parent]
}

/// Class names whose only furniture word is one that page builders give to every block
/// ("elementor-widget-wrap").
fn only_weak_hints(hints: &str) -> bool {
    let without_weak = hints.replace("widget", " ");
    !negative_hint(&without_weak)
}

/// Names of comment threads and their parts.
fn comment_hint(hints: &str) -> bool {
    [
        "comment",
        "disqus",
        "repl",
        "respond",
        "discussion",
        // German, Spanish and Portuguese, Dutch ("commenti", "commentaire" hold "comment";
        // a German "Kommentar" alone is also an opinion piece)
        "kommentare",
        "leserkommentar",
        "kommentarbereich",
        "kommentarf",
        "diskussion",
        "comentario",
        "reactie",
    ]
    .iter()
    .any(|word| crate::meta::hint_has(hints, word))
}

/// Paragraph-like blocks outside furniture: `<p>`, `<pre>`, `<blockquote>`, and divs, cells
/// and sections with a long run of their own text; at least 25 characters, at most half links.
/// A page that writes its paragraphs as divs of phrasing content (text in spans, links,
/// emphasis; Readability reads such a div as a `<p>`) has those divs as its paragraphs when
/// they hold more text than the paragraphs found otherwise: on a page written with `<p>`,
/// such divs are mostly newsletter, cookie and donation boxes. The same holds for a block whose
/// paragraphs are runs of inline text between `<br>` line breaks.
fn paragraphs(dom: &Dom, dropped: &[bool], sizes: &Sizes) -> Vec<bool> {
    let mut paragraph = vec![false; dom.nodes.len()];
    let blocks = blocks_below(dom);
    // a block inside a link (a teaser card: picture, headline and blurb in one <a>) is link
    // text however it is laid out
    // (an unclosed <a> in broken markup may hold the whole page: only a card-sized link
    // counts)
    let in_link = inside_links(dom, sizes, TEASER_CARD);
    let mut div_paragraphs = Vec::new();
    for (id, &is_dropped) in dropped.iter().enumerate() {
        if is_dropped || in_link[id] {
            continue;
        }
        let Some(tag) = dom.tag(id) else { continue };
        let paragraph_like = matches!(tag, "p" | "pre" | "blockquote")
            || (matches!(tag, "div" | "td" | "section" | "article" | "main")
                && dom.nodes[id].children.iter().any(|&child| {
                    matches!(dom.nodes[child].kind, NodeKind::Text { .. })
                        && sizes.weighted(child) > 80
                }));
        // a block of phrasing content (a div of spans), or one whose paragraphs are runs of
        // spans and emphasis between <br> line breaks beside pictures and ad slots, as older
        // content systems write them (Readability turns such runs into <p>s)
        let phrasing_div = (tag == "div" && !blocks[id] && sizes.weighted(id) > 80)
            || (!paragraph_like
                && matches!(tag, "div" | "td" | "section" | "article" | "main")
                && written_in_runs(dom, sizes, &blocks, id));
        // a list item of running text (a numbered programme, a list of findings) reads like a
        // paragraph; menus and link lists are short or link-heavy
        let long_item = tag == "li"
            && sizes.weighted(id) >= 120
            && sizes.link[id] * 10 < sizes.text[id]
            && dom
                .descendants(id)
                .into_iter()
                .skip(1)
                .all(|below| !matches!(dom.tag(below), Some("p" | "div" | "li" | "ul" | "ol")));
        if !paragraph_like && !long_item && !phrasing_div {
            continue;
        }
        if sizes.weighted(id) < 25 {
            continue;
        }
        let length = sizes.text[id];
        let link_density = sizes.link[id] as f32 / length.max(1) as f32;
        if link_density > 0.5 {
            continue;
        }
        if paragraph_like || long_item {
            paragraph[id] = true;
        } else {
            div_paragraphs.push(id);
        }
    }
    let text = |id: NodeId| u64::from(sizes.text[id]);
    let div_text: u64 = div_paragraphs.iter().map(|&id| text(id)).sum();
    let other_text: u64 = (0..dom.nodes.len())
        .filter(|&id| paragraph[id])
        .map(text)
        .sum();
    if div_text > other_text {
        for id in div_paragraphs {
            paragraph[id] = true;
        }
    }
    paragraph
}

/// Whether a block is written as runs of running text between line breaks: its own text and
/// that of inline elements (spans, emphasis; links not counted) between `<br>`s and blocks
/// holds at least half of its text, in a run of more than 80 characters.
fn written_in_runs(dom: &Dom, sizes: &Sizes, blocks: &[bool], id: NodeId) -> bool {
    let (mut longest, mut total, mut run) = (0, 0, 0);
    for &child in &dom.nodes[id].children {
        match dom.tag(child) {
            None => {
                if matches!(dom.nodes[child].kind, NodeKind::Text { .. }) {
                    run += sizes.text[child];
                }
            }
            Some("a") => {}
            Some(tag) if BLOCK_TAGS.contains(&tag) || blocks[child] => {
                longest = longest.max(run);
                total += run;
                run = 0;
            }
            Some(_) => run += sizes.text[child].saturating_sub(sizes.link[child]),
        }
    }
    longest = longest.max(run);
    total += run;
    longest > 80 && total * 2 >= sizes.text[id]
}

/// Whether each node has a block below it: an element that starts a block of its own or
/// holds an image (Readability's test for a div that is really a paragraph).
fn blocks_below(dom: &Dom) -> Vec<bool> {
    let mut below = vec![false; dom.nodes.len()];
    for id in (1..dom.nodes.len()).rev() {
        let Some(parent) = dom.nodes[id].parent else {
            continue;
        };
        let block = below[id]
            || matches!(
                dom.tag(id),
                Some(
                    "p" | "div"
                        | "section"
                        | "article"
                        | "main"
                        | "header"
                        | "footer"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "ul"
                        | "ol"
                        | "li"
                        | "dl"
                        | "table"
                        | "blockquote"
                        | "pre"
                        | "figure"
                        | "img"
                        | "picture"
                        | "hr"
                        | "address"
                        | "details"
                        | "form"
                )
            );
        if block {
            below[parent] = true;
        }
    }
    below
}

/// The article's lead when it sits in a row of its own before the top container's ("the start
/// cut"): walking up at most three levels while the ancestor holds little more than the top,
/// the blocks right before the path that are nothing but paragraphs with few links join it,
/// stepping over one box of links or one picture between them (an advert, a "read also" list).
/// A lone paragraph joins only in the article's own paragraph style; a lead found past such a
/// box, or known only by bare paragraphs, shares two words with the headline or the article's
/// first paragraph; and a lead that only repeats the article's sentences never joins.
fn lead_before(dom: &Dom, analysis: &Analysis, top: NodeId) -> Vec<NodeId> {
    let (dropped, sizes, paragraph, under) = (
        &analysis.dropped,
        &analysis.sizes,
        &analysis.paragraph,
        &analysis.under,
    );
    let mut lead = Vec::new();
    let mut child = top;
    let mut skipped = false;
    // a lead found past the box between it and the body
    let mut past_a_box = false;
    for _ in 0..3 {
        let Some(parent) = dom.nodes[child].parent else {
            break;
        };
        if matches!(dom.tag(parent), Some("body" | "html" | "#root") | None)
            || sizes.text[parent] > sizes.text[top] * 3 / 2
        {
            break;
        }
        let children = &dom.nodes[parent].children;
        let at = children.iter().position(|&id| id == child).unwrap_or(0);
        for &sibling in children[..at].iter().rev() {
            if dropped[sibling] {
                continue;
            }
            let text = sizes.text[sibling];
            if text == 0 {
                continue;
            }
            let only_paragraphs = under[sibling] * 10 >= text * 9;
            // links under a fifth of the text, or under half in prose that links a source or
            // a name and ends its sentence outside them (as a tail's, `tail_links_allowed`;
            // with 80+ characters, its own words are 40+)
            let few_links = sizes.link[sibling] * 5 < text
                || (sizes.link[sibling] * 2 < text
                    && ends_a_sentence_outside_links(dom, sibling, &analysis.end));
            let pictured = dom
                .descendants(sibling)
                .into_iter()
                .any(|id| matches!(dom.tag(id), Some("img" | "figure" | "picture")));
            if !(only_paragraphs && few_links && text >= 80) || (pictured && under[sibling] < 400) {
                // an advert's picture or a box of links between the lead and the body is
                // stepped over, once
                let interstitial = sizes.link[sibling] * 2 >= text
                    || (pictured && text - sizes.link[sibling] < 200);
                if interstitial && !skipped {
                    skipped = true;
                    continue;
                }
                break;
            }
            past_a_box |= skipped;
            lead.push(sibling);
        }
        child = parent;
    }
    // one paragraph alone before the article is its standfirst more often than its lead,
    // unless it is written in the article's own paragraph style (the tag and class names of
    // the top container's paragraphs, give or take a modifier: CNN's "zn-body__paragraph")
    let innermost = |root: NodeId| -> Vec<NodeId> {
        dom.descendants(root)
            .into_iter()
            .filter(|&id| paragraph[id] && sizes.text[id] >= 80 && under[id] == sizes.text[id])
            .filter(|&id| {
                dom.descendants(id)
                    .into_iter()
                    .skip(1)
                    .all(|below| !paragraph[below])
            })
            .collect()
    };
    let lead_paragraphs: Vec<NodeId> = lead.iter().flat_map(|&root| innermost(root)).collect();
    let first = innermost(top).first().copied();
    let mut bare = false;
    let in_article_style = match (lead_paragraphs.as_slice(), first) {
        (&[lead_paragraph], Some(first)) => {
            dom.tag(lead_paragraph) == dom.tag(first)
                && match (dom.attr(lead_paragraph, "class"), dom.attr(first, "class")) {
                    (Some(a), Some(b)) => same_class_names(a, b),
                    // both written as bare <p>s: the same style, unless the page names the one
                    // before a standfirst
                    (None, None) => {
                        bare = true;
                        !named_standfirst(dom, lead_paragraph, &lead)
                    }
                    _ => false,
                }
        }
        _ => false,
    };
    if lead_paragraphs.len() < 2 && !in_article_style {
        lead.clear();
    }
    // a lead known only by bare paragraphs, or found past a box, must tell the story the
    // headline or the article's first paragraph tells (not a newsletter's call, a tagline, an
    // author's biography or another story's teaser): two words in common
    if (past_a_box || bare) && !lead.is_empty() {
        let mut story = analysis
            .headline
            .map(|headline| crate::meta::text_of(dom, headline))
            .unwrap_or_default();
        if let Some(first) = first {
            story.push(' ');
            story.push_str(&crate::meta::text_of(dom, first));
        }
        let lead_text = render(dom, dropped, sizes, &lead).join(" ");
        if crate::meta::common_stems(&lead_text, &story) < 2 {
            lead.clear();
        }
    }
    // a summary that only repeats the article's own sentences is no lead of it
    if !lead.is_empty() {
        let article = render(dom, dropped, sizes, &[top]).join(" ");
        lead.retain(|&root| {
            let lines = render(dom, dropped, sizes, &[root]);
            !lines.iter().all(|line| article.contains(line.as_str()))
        });
    }
    lead
}

/// Whether the paragraph, or a block around it up to one of `roots`, is named a standfirst.
fn named_standfirst(dom: &Dom, paragraph: NodeId, roots: &[NodeId]) -> bool {
    let mut node = Some(paragraph);
    while let Some(id) = node {
        if standfirst_hint(&class_id(dom, id)) {
            return true;
        }
        if roots.contains(&id) {
            break;
        }
        node = dom.nodes[id].parent;
    }
    false
}

/// Characters of the paragraphs under each node (a paragraph inside another counts once).
fn paragraph_text(dom: &Dom, paragraph: &[bool], sizes: &Sizes) -> Vec<u32> {
    let mut under = vec![0u32; dom.nodes.len()];
    for id in (0..dom.nodes.len()).rev() {
        if paragraph[id] {
            under[id] = sizes.text[id];
        }
        if let Some(parent) = dom.nodes[id].parent {
            under[parent] += under[id];
        }
    }
    under
}

/// Length of a body in Latin-letter equivalents: a Han, kana or Hangul character carries about
/// as much as three Latin letters, so a short Japanese article is not mistaken for a stub.
fn chars_of(lines: &[String]) -> usize {
    lines.iter().map(|line| line_chars(line)).sum()
}

/// One line's length as [`chars_of`] counts it.
fn line_chars(line: &str) -> usize {
    line.chars().map(|ch| if is_cjk(ch) { 3 } else { 1 }).sum()
}

fn is_cjk(ch: char) -> bool {
    matches!(ch as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// The primary body is checked against what else the page offers, and replaced when it looks
/// wrong: nearly empty, or holding only a small part of the page's paragraph text while a
/// paragraph-only reading of the page is more than twice as long. When the page states its own
/// body (JSON-LD `articleBody`), that text is the reference: the candidate that agrees with it
/// best wins, and it is used itself when no candidate holds most of it. A body still a stub
/// after this is completed by the caller (`or_concealed`, then `or_description`).
fn choose_body(
    dom: &Dom,
    analysis: &Analysis,
    primary: Vec<String>,
    article: &HtmlArticle,
) -> Vec<String> {
    let (dropped, sizes) = (&analysis.dropped, &analysis.sizes);
    let (under, roots) = (&analysis.under, &analysis.roots);
    let total = under[0] as usize;
    let in_roots: usize = roots.iter().map(|&root| under[root] as usize).sum();
    let primary_chars = chars_of(&primary);
    let reference = stated_body(article);
    // a body that is short against the page's paragraph text is the signal to look again
    // (unless the page's lead chose the top over a larger block: it holds a small part of
    // the page's paragraph text by design)
    let weak =
        primary_chars < SHORT_BODY || (!analysis.led && total >= 1000 && in_roots * 2 < total);
    // the primary with the article's chunks before the top, where it is kept: whether it is
    // kept is judged on the primary alone, so the fallbacks decide as before
    let extended = |primary: Vec<String>| match &analysis.extended {
        Some(roots) => render(dom, dropped, sizes, roots),
        None => primary,
    };
    if !weak && reference.is_none() {
        return extended(primary);
    }
    let chosen = choose_weak_body(dom, analysis, primary.clone(), reference);
    let chosen = if chosen == primary {
        extended(chosen)
    } else {
        chosen
    };
    if chars_of(&chosen) >= STUB_BODY {
        return chosen;
    }
    // still a stub (an icon's text, a date): every sentence-long line of the page outside
    // furniture, as a last reading, when it holds clearly more
    let sentences: Vec<String> = render(dom, dropped, sizes, &[0])
        .into_iter()
        .filter(|line| is_sentence_line(line))
        .collect();
    let chosen_chars = chars_of(&chosen);
    let sentence_chars = chars_of(&sentences);
    if sentence_chars >= STUB_BODY * 2 && sentence_chars > chosen_chars * 3 {
        return sentences;
    }
    chosen
}

/// A line of the page read as the article's text when nothing else is: sentence-long (40
/// Latin-letter equivalents or more) and ending as a sentence ends, so that a teaser's
/// headline or a menu's run of words is not taken for it.
fn is_sentence_line(line: &str) -> bool {
    if line_chars(line) < 40 {
        return false;
    }
    let text = line
        .trim_end()
        .trim_end_matches(['"', '”', '’', '»', '“', '\'', ')', '」', '』']);
    text.ends_with(['.', '!', '?', '。', '！', '？', '؟', '।', '…'])
}

/// A stub body gives way to what the page shows only to scripts or only without them, when
/// that holds clearly more: the article inside `<noscript>` (a script-built page's fallback),
/// or the sentence-long lines of elements hidden by their markup (`hidden`,
/// `display:none`: a post that a script reveals) or named as furniture.
fn or_concealed(dom: &Dom, lines: Vec<String>, nested: bool) -> Vec<String> {
    let chars = chars_of(&lines);
    if chars >= STUB_BODY {
        return lines;
    }
    let mut best: Vec<String> = Vec::new();
    for id in 0..dom.nodes.len() {
        if nested || dom.tag(id) != Some("noscript") {
            continue;
        }
        for &child in &dom.nodes[id].children {
            if let NodeKind::RawText { start, end } = dom.nodes[child].kind {
                let inner = &dom.source[start..end];
                if inner.len() >= 400 && inner.to_ascii_lowercase().contains("<p") {
                    let found = extract_from(Dom::parse(inner), true).lines;
                    if chars_of(&found) > chars_of(&best) {
                        best = found;
                    }
                }
            }
        }
    }
    let count = dom.nodes.len();
    let mut dropped = vec![false; count];
    // the page's footer is no hidden article either
    let end = subtree_ends(dom);
    let headline = crate::meta::headline_of(dom);
    let raw_sizes = measure(dom, &vec![false; count]);
    let page_text = raw_sizes.text.first().copied().unwrap_or(0);
    for id in 0..count {
        let parent_dropped = dom.nodes[id].parent.is_some_and(|parent| dropped[parent]);
        dropped[id] = parent_dropped
            || dom.tag(id).is_some_and(|tag| {
                DROP_TAGS.contains(&tag)
                    || is_page_footer(dom, (id, tag), &end, headline, (&raw_sizes, page_text))
            });
    }
    let sizes = measure(dom, &dropped);
    let sentences: Vec<String> = render(dom, &dropped, &sizes, &[0])
        .into_iter()
        .filter(|line| is_sentence_line(line))
        .collect();
    if chars_of(&sentences) > chars_of(&best) {
        best = sentences;
    }
    let best_chars = chars_of(&best);
    if best_chars >= STUB_BODY * 2 && best_chars > chars * 3 {
        best
    } else {
        lines
    }
}

/// A stub body (under [`STUB_BODY`]) gives way to the article's own description in its
/// structured data when that says more: a video's page, a paywall's teaser. A body that is a
/// short article of its own (a sentence-long paragraph the description does not tell: a news
/// brief, a three-line post) stays, after the description.
fn or_description(lines: Vec<String>, article: &HtmlArticle) -> Vec<String> {
    let chars = chars_of(&lines);
    if chars >= STUB_BODY {
        return lines;
    }
    let Some(description) = article
        .json_ld_description
        .as_deref()
        .map(reference_lines)
        .filter(|description| chars_of(description) >= 120 && chars_of(description) > chars)
    else {
        return lines;
    };
    let words = |lines: &[String]| -> std::collections::HashSet<String> {
        lines
            .iter()
            .flat_map(|line| line.split(|ch: char| !ch.is_alphanumeric()))
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let told = words(&description);
    // the stub's own paragraphs: sentence-long, mostly not in the description, no call on the
    // reader or notice of a paywall or a player
    let own: Vec<String> = lines
        .into_iter()
        .filter(|line| {
            let line_words = words(std::slice::from_ref(line));
            line.chars().count() >= STUB_PARAGRAPH
                && line_words
                    .iter()
                    .filter(|word| told.contains(*word))
                    .count()
                    * 2
                    < line_words.len()
                && !CALL_TO_READER.is_match(line)
                && !STUB_NOTICE.is_match(line)
        })
        .collect();
    description.into_iter().chain(own).collect()
}

/// A stub's line that tells the reader what they cannot see: a paywall's or a player's notice.
static STUB_NOTICE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?i)\b(log ?in|sign ?in|create an account|subscribers?\b|unlimited access",
        r"|watch (the|our|this)\b|video|abonnent|anmelden|abonn[ée]s?\b|suscriptor",
        r"|abbonat|assinante|inloggen|abonnee)",
    ))
    .expect("valid stub notice pattern")
});

/// A line of a stub body this long is a paragraph of its own (see [`or_description`]).
const STUB_PARAGRAPH: usize = 60;

/// Below this many characters a body is a stub whatever the page.
const STUB_BODY: usize = 200;

/// The body of a page whose primary reading looks weak (see [`choose_body`]).
fn choose_weak_body(
    dom: &Dom,
    analysis: &Analysis,
    primary: Vec<String>,
    reference: Option<&str>,
) -> Vec<String> {
    let primary_chars = chars_of(&primary);
    let fallback = paragraphs_only(dom, analysis);
    let fallback_chars = chars_of(&fallback);
    if let Some(reference) = reference {
        let recall = |lines: &[String]| {
            crate::metric::score_page(reference, &lines.join("\n"))
                .recall()
                .unwrap_or(0.0)
        };
        let primary_recall = recall(&primary);
        if primary_recall >= 0.6 {
            return primary;
        }
        let fallback_recall = recall(&fallback);
        if fallback_recall >= 0.6 && fallback_recall > primary_recall {
            return fallback;
        }
        // the page's own body, unless it is a teaser shorter than what the page shows
        if chars_of(&[reference.to_string()]) > primary_chars {
            return reference_lines(reference);
        }
        return primary;
    }
    let longer = if primary_chars < SHORT_BODY { 2 } else { 4 };
    if fallback_chars > primary_chars * longer {
        fallback
    } else {
        primary
    }
}

/// Below this many characters a body is suspect on its own.
const SHORT_BODY: usize = 500;

/// Every paragraph of the page outside furniture, with the headings between them, in document
/// order: the body read as a sequence of paragraphs (a text-density reading of the page).
fn paragraphs_only(dom: &Dom, analysis: &Analysis) -> Vec<String> {
    let (dropped, sizes, paragraph, end) = (
        &analysis.dropped,
        &analysis.sizes,
        &analysis.paragraph,
        &analysis.end,
    );
    let mut roots = Vec::new();
    let mut id = 0;
    while id < dom.nodes.len() {
        if dropped[id] {
            id = end[id] + 1;
            continue;
        }
        let heading = matches!(dom.tag(id), Some("h2" | "h3" | "h4" | "h5" | "h6"));
        if paragraph[id] || (heading && sizes.link[id] * 2 < sizes.text[id].max(1)) {
            roots.push(id);
            id = end[id] + 1;
            continue;
        }
        id += 1;
    }
    render(dom, dropped, sizes, &roots)
}

/// The page's own body (JSON-LD `articleBody`) when it is long enough to be one.
fn stated_body(article: &HtmlArticle) -> Option<&str> {
    article
        .json_ld_body
        .as_deref()
        .filter(|body| body.chars().count() >= STATED_BODY)
}

/// A stated `articleBody` shorter than this is a teaser, not a body.
const STATED_BODY: usize = 300;

/// The page's own `articleBody` as lines (its line breaks, else one paragraph).
fn reference_lines(reference: &str) -> Vec<String> {
    let text = if reference.contains('<') {
        let dom = Dom::parse(reference);
        let none = vec![false; dom.nodes.len()];
        let sizes = measure(&dom, &none);
        return render(&dom, &none, &sizes, &[0]);
    } else {
        decode_entities(reference)
    };
    text.lines()
        .map(normalize_line)
        .filter(|line| !line.is_empty())
        .collect()
}

/// Whether two class attributes name the same style, give or take a modifier: the names of one
/// are all among the other's ("article-text" and "article-text array", "zn-body__paragraph" and
/// "zn-body__paragraph speakable"); an empty attribute names none.
fn same_class_names(a: &str, b: &str) -> bool {
    let a: Vec<&str> = a.split_whitespace().collect();
    let b: Vec<&str> = b.split_whitespace().collect();
    !a.is_empty()
        && !b.is_empty()
        && (a.iter().all(|name| b.contains(name)) || b.iter().all(|name| a.contains(name)))
}

/// Whether one of two nodes holds the other (or they are the same), by the subtree ends.
fn nested(end: &[NodeId], a: NodeId, b: NodeId) -> bool {
    (a <= b && b <= end[a]) || (b <= a && a <= end[b])
}

/// The most text a link may hold and still be one teaser card (headline and blurb).
const TEASER_CARD: u32 = 500;

/// Whether each node sits inside a link that holds at most `max_text` characters.
fn inside_links(dom: &Dom, sizes: &Sizes, max_text: u32) -> Vec<bool> {
    let mut inside = vec![false; dom.nodes.len()];
    for id in 1..dom.nodes.len() {
        if let Some(parent) = dom.nodes[id].parent {
            inside[id] =
                inside[parent] || (dom.tag(parent) == Some("a") && sizes.text[parent] <= max_text);
        }
    }
    inside
}

/// The last node of each subtree (node ids are in document order).
fn subtree_ends(dom: &Dom) -> Vec<NodeId> {
    let mut end: Vec<NodeId> = (0..dom.nodes.len()).collect();
    for id in (0..dom.nodes.len()).rev() {
        if let Some(parent) = dom.nodes[id].parent {
            end[parent] = end[parent].max(end[id]);
        }
    }
    end
}

/// An article split into several containers of the same kind (chunks between figures or ads):
/// elements elsewhere in the page with the top container's tag and class list that hold
/// paragraphs with few links join the article, in document order.
fn extend_with_twins(
    dom: &Dom,
    analysis: &Analysis,
    top: NodeId,
    top_score: f32,
    roots: &mut Vec<NodeId>,
) {
    let (dropped, sizes, score, end) = (
        &analysis.dropped,
        &analysis.sizes,
        &analysis.score,
        &analysis.end,
    );
    let Some(class) = dom
        .attr(top, "class")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return;
    };
    let tag = dom.tag(top);
    let inside = |id: NodeId, roots: &[NodeId]| roots.iter().any(|&root| nested(end, root, id));
    // a twin carries the top's class names, give or take a modifier ("article-text" and
    // "article-text array")
    let twin_class = |other: &str| same_class_names(class, other);
    let mut added = false;
    let mut headings = Vec::new();
    let mut short = Vec::new();
    for id in 0..dom.nodes.len() {
        if id == top
            || dropped[id]
            || dom.tag(id) != tag
            || !dom
                .attr(id, "class")
                .map(str::trim)
                .is_some_and(|other| !other.is_empty() && twin_class(other))
        {
            continue;
        }
        let length = sizes.text[id];
        let link_density = sizes.link[id] as f32 / length.max(1) as f32;
        // a twin with running text of its own joins however short it is next to the top
        let running_text = length >= 400 && link_density < 0.1;
        let enough = score[id] >= (top_score * 0.05).max(3.0) || (running_text && score[id] >= 3.0);
        if inside(id, roots) {
            continue;
        }
        if !enough || link_density > 0.3 {
            if is_heading_block(dom, sizes, id) {
                headings.push(id);
            } else if link_density <= 0.3 && length > 0 {
                short.push(id);
            }
            continue;
        }
        roots.push(id);
        added = true;
    }
    if added {
        roots.sort_unstable();
    }
    // a twin holding nothing but a subheading, after a chunk of the article and right before
    // the next one, is the article's own subheading ("Jednoczący przekaz Tuska" in its own
    // "article--text" block)
    let next_with_text = |id: NodeId| {
        let parent = dom.nodes[id].parent?;
        let siblings = &dom.nodes[parent].children;
        let at = siblings.iter().position(|&sibling| sibling == id)?;
        siblings[at + 1..]
            .iter()
            .copied()
            .find(|&sibling| !dropped[sibling] && sizes.text[sibling] > 0)
    };
    let between: Vec<NodeId> = headings
        .into_iter()
        .filter(|&id| {
            roots.first().is_some_and(|&first| first < id)
                && next_with_text(id).is_some_and(|next| roots.contains(&next))
        })
        .collect();
    if !between.is_empty() {
        roots.extend(between);
        roots.sort_unstable();
    }
    // a twin too short to join on its own score (a one-sentence paragraph in its own
    // "article--text" block) joins when nothing but pictures or other furniture stands between
    // it and the chunks of the article before and after it
    if short.is_empty() || roots.is_empty() {
        return;
    }
    // texts with characters before each node, so that any stretch is checked at once
    let mut texts_before = vec![0u32; dom.nodes.len() + 1];
    for node in 0..dom.nodes.len() {
        let text = matches!(dom.nodes[node].kind, NodeKind::Text { .. }) && sizes.text[node] > 0;
        texts_before[node + 1] = texts_before[node] + u32::from(text);
    }
    let text_in = |from: NodeId, to: NodeId| from < to && texts_before[to] > texts_before[from];
    // the roots in document order, with the furthest subtree end so far (roots may nest)
    let mut sorted = roots.clone();
    sorted.sort_unstable();
    let mut furthest = Vec::with_capacity(sorted.len());
    for &root in &sorted {
        let last = furthest.last().copied().unwrap_or(0);
        furthest.push(end[root].max(last));
    }
    let mut enclosed: Vec<NodeId> = Vec::new();
    for id in short {
        // not inside one joined already (an outer twin's inner block)
        if enclosed.last().is_some_and(|&last| id <= end[last]) {
            continue;
        }
        let at = sorted.partition_point(|&root| root < id);
        let (Some(&before_end), Some(&after)) = (furthest.get(at.wrapping_sub(1)), sorted.get(at))
        else {
            continue;
        };
        // inside a root, or holding one
        if before_end >= id || after <= end[id] {
            continue;
        }
        if !text_in(before_end + 1, id) && !text_in(end[id] + 1, after) {
            enclosed.push(id);
        }
    }
    if !enclosed.is_empty() {
        roots.extend(enclosed);
        roots.sort_unstable();
    }
}

/// A block whose whole text is one heading (h2–h6) without links.
fn is_heading_block(dom: &Dom, sizes: &Sizes, id: NodeId) -> bool {
    let text = sizes.text[id];
    text > 0
        && text <= 200
        && sizes.link[id] == 0
        && dom.descendants(id).into_iter().any(|below| {
            matches!(dom.tag(below), Some("h2" | "h3" | "h4" | "h5" | "h6"))
                && sizes.text[below] == text
        })
}

/// Renders the text of the given subtrees, one line per block, dropping link-heavy blocks.
fn render(dom: &Dom, dropped: &[bool], sizes: &Sizes, roots: &[NodeId]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut current_links = 0usize;
    // a root inside a link (a heading that a teaser card's `<a>` wraps) renders as link text
    let linked = (roots != [0]).then(|| inside_links(dom, sizes, TEASER_CARD));
    // (node, entering)
    let mut stack: Vec<(NodeId, bool)> = Vec::new();
    for &root in roots {
        let mut link_depth = usize::from(linked.as_ref().is_some_and(|linked| linked[root]));
        stack.push((root, true));
        while let Some((id, entering)) = stack.pop() {
            if dropped[id] {
                continue;
            }
            match &dom.nodes[id].kind {
                NodeKind::Text { start, end } => {
                    let text = decode_entities(&dom.source[*start..*end]);
                    if link_depth > 0 {
                        current_links += text.chars().filter(|ch| !ch.is_whitespace()).count();
                    }
                    current.push_str(&text);
                }
                NodeKind::RawText { .. } => {}
                NodeKind::Element { tag, .. } => {
                    let block = BLOCK_TAGS.contains(&tag.as_str());
                    let heading = tag == "h1";
                    if entering {
                        if block {
                            flush(&mut lines, &mut current, &mut current_links);
                        }
                        if tag == "a" {
                            link_depth += 1;
                        }
                        if heading && sizes.text[id] < 300 {
                            continue; // the headline is a field, not body
                        }
                        stack.push((id, false));
                        for &child in dom.nodes[id].children.iter().rev() {
                            stack.push((child, true));
                        }
                    } else {
                        if tag == "a" {
                            link_depth = link_depth.saturating_sub(1);
                        }
                        if block {
                            flush(&mut lines, &mut current, &mut current_links);
                        } else if matches!(tag.as_str(), "span" | "a" | "em" | "strong" | "b" | "i")
                        {
                            // inline: nothing
                        }
                    }
                }
            }
        }
    }
    flush(&mut lines, &mut current, &mut current_links);
    lines
}

fn flush(lines: &mut Vec<String>, current: &mut String, current_links: &mut usize) {
    let line = normalize_line(current);
    current.clear();
    let links = std::mem::take(current_links);
    if line.is_empty() {
        return;
    }
    let length = line.chars().filter(|ch| !ch.is_whitespace()).count();
    // inside the article a line may lead with a link ("<a>Headline</a> summary ..."); only
    // lines that are nearly all link text are navigation
    if links * 10 > length * 7 {
        return;
    }
    lines.push(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_article_and_drops_furniture() {
        let paragraph = "This is a long paragraph of article text, with commas, and enough words to count as body. ";
        let page = format!(
            "<html lang=en><head><title>T</title><meta property='og:title' content='The headline'></head><body>\
             <nav><a href=/>Home</a> <a href=/news>News</a></nav>\
             <div class='article-body'><h1>The headline</h1><p>{p}</p><p>{p}</p><div class='share-tools'>Share on Facebook</div><p>{p}</p></div>\
             <footer>Copyright 2024 Example</footer></body></html>",
            p = paragraph
        );
        let article = extract(&page);
        assert_eq!(article.title.as_deref(), Some("The headline"));
        assert_eq!(article.language.as_deref(), Some("en"));
        assert_eq!(article.lines.len(), 3, "{:?}", article.lines);
        assert!(article
            .lines
            .iter()
            .all(|line| !line.contains("Share") && !line.contains("Copyright")));
    }

    #[test]
    fn the_articles_tail_after_a_picture_and_links_joins_it() {
        let paragraph = "The council approved the budget on Tuesday after a long debate, \
                         and the opposition voted against it, as expected by most. ";
        let page = |tail: &str, gap: &str| {
            format!(
                "<html><body><h1>Budget passed</h1><div class='col'><div>\
                 <p>{paragraph}</p><p>{paragraph}</p><h3>The vote</h3><p>{paragraph}</p>\
                 <p>{paragraph}</p></div>{gap}<div>{tail}</div></div></body></html>"
            )
        };
        let gap = "<div><img src='/p.jpg' alt=''><ul><li><a href='/a'>Bigfoot print found \
                   in Wales</a></li><li><a href='/b'>Another story people read</a></li></ul>\
                   </div>";
        let tail = "<p>The mayor and her husband have two grown children, a daughter and a \
                    son, who both live in the city with their families.</p>";
        let body = extract(&page(tail, gap)).lines.join("\n");
        assert!(body.contains("two grown children"), "{body}");
        // a subheading of the article's kind may stand in it, another heading may not
        let headed = format!("<h3>The family</h3>{tail}");
        let body = extract(&page(&headed, gap)).lines.join("\n");
        assert!(body.contains("two grown children"), "{body}");
        let boxed = format!("<h2>More on this</h2>{tail}");
        let body = extract(&page(&boxed, gap)).lines.join("\n");
        assert!(!body.contains("two grown children"), "{body}");
        // a closing sentence alone is a tail too; a short line without one is not
        let closing = "<p>The final vote was thirty-one to twelve, in the end.</p>";
        let body = extract(&page(closing, gap)).lines.join("\n");
        assert!(body.contains("thirty-one to twelve"), "{body}");
        let label = "<p>The final vote was thirty-one to twelve, in the end</p>";
        let body = extract(&page(label, gap)).lines.join("\n");
        assert!(!body.contains("thirty-one to twelve"), "{body}");
        // a note written in paragraphs of another kind is not the article's
        let note = "<p class='note'>Jane Doe is a correspondent who covers the city \
                    council and its budget for the paper, and writes its weekly column.</p>";
        let body = extract(&page(note, gap)).lines.join("\n");
        assert!(!body.contains("correspondent who covers"), "{body}");
        // the tail's own paragraphs join where a box follows them in its block; the box does
        // not, nor anything after it there or in the next block
        let promo = "<div class='box'><h2>Our newsletter</h2><p>Sign up for the daily \
                     briefing, in your inbox every morning before work and at noon.</p></div>";
        let bio = "<p>Jane Doe has reported on the city council and its budget for the paper \
                   since 2009, and writes its weekly politics column.</p>";
        let boxed_tail = format!("{tail}{promo}");
        let body = extract(&page(&boxed_tail, gap)).lines.join("\n");
        assert!(body.contains("two grown children"), "{body}");
        assert!(!body.contains("daily briefing"), "{body}");
        let pictured = promo.replace("<h2>", "<img src='/n.png' alt=''><h2>");
        let next_block = format!("{tail}{pictured}</div><div>{bio}");
        let body = extract(&page(&next_block, gap)).lines.join("\n");
        assert!(body.contains("two grown children"), "{body}");
        assert!(!body.contains("Jane Doe"), "{body}");
        // a box inside a wrapper ends the run for the whole block
        let links = "<ul><li><a href='/a'>Council budget: what changes for you</a></li>\
                     <li><a href='/b'>Opposition reacts to the vote on Tuesday</a></li>\
                     <li><a href='/c'>Mayor defends the spending plan</a></li>\
                     <li><a href='/d'>Five things to know about the city budget</a></li></ul>";
        let wrapped = format!("<div>{tail}{links}</div>{bio}");
        let body = extract(&page(&wrapped, gap)).lines.join("\n");
        assert!(body.contains("two grown children"), "{body}");
        assert!(!body.contains("Jane Doe"), "{body}");
        // a section under a heading (an author's box, a comment thread) and cards with
        // pictures are not the article's tail, even in its paragraph style
        for section in [
            format!("<h3>About the author</h3>{bio}{links}"),
            format!("<div><img src='/a.png' alt=''>{bio}<a href='#r'>Reply</a></div>{promo}"),
        ] {
            let body = extract(&page(&section, gap)).lines.join("\n");
            assert!(!body.contains("Jane Doe"), "{section}: {body}");
        }
        // nor a block holding a heading, nor a teaser line mostly links, nor a run with many
        // links
        let headed = format!("<div>{bio}<h3>More from Jane Doe</h3></div>{promo}");
        let body = extract(&page(&headed, gap)).lines.join("\n");
        assert!(!body.contains("Jane Doe has reported"), "{body}");
        let teaser = "<p><a href='/x'>Read the full council budget report for 2024 and the \
                      opposition's alternative budget plan</a> here.</p>";
        let body = extract(&page(&format!("{teaser}{tail}{promo}"), gap))
            .lines
            .join("\n");
        assert!(!body.contains("two grown children"), "{body}");
        let linked = "<p>The council also published <a href='/x'>the full budget report for \
                      2024 and its annexes</a> on its website, with the vote tally.</p>";
        let body = extract(&page(&format!("{tail}{linked}{promo}"), gap))
            .lines
            .join("\n");
        assert!(body.contains("vote tally"), "{body}");
        // a closing sentence that links a source is prose (its own words make a sentence);
        // a short call around a link, or a line whose last words are a link ("mehr...", a
        // teaser's "Read more..."), is not
        let body = extract(&page(&format!("{linked}{promo}"), gap))
            .lines
            .join("\n");
        assert!(body.contains("vote tally"), "{body}");
        let call = "<p>Read it all at <a href='/x'>the council's website</a> on Tuesday.</p>";
        let body = extract(&page(&format!("{call}{promo}"), gap))
            .lines
            .join("\n");
        assert!(!body.contains("council's website"), "{body}");
        let more = "<p>The city will build a public pool next to the school by the end of next \
                    year. <a href='/y'>Read more on the pool plans...</a></p>";
        let body = extract(&page(&format!("{more}{promo}"), gap))
            .lines
            .join("\n");
        assert!(!body.contains("public pool"), "{body}");

        // a note of another kind before them ends the run
        let noted =
            format!("<div class='note'>Jane Doe covers the city council.</div>{tail}{promo}");
        let body = extract(&page(&noted, gap)).lines.join("\n");
        assert!(!body.contains("two grown children"), "{body}");
        // nor is a block right after the article with nothing between, or nothing to see: an
        // empty clearfix, a script, a rule
        for between in [
            "",
            "<div class='clear'></div>",
            "<script>var x = 1;</script>",
            "<hr>",
        ] {
            let body = extract(&page(tail, between)).lines.join("\n");
            assert!(!body.contains("two grown children"), "{between}: {body}");
        }
    }

    #[test]
    fn share_lines_and_how_long_ago_lines_at_the_end_go() {
        let paragraph = "<p>Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr \
                         beschlossen, nach langer Debatte.</p>";
        let body = |tail: &str| {
            let page = format!(
                "<html lang='de'><body><article><h1>Haushalt beschlossen</h1>{paragraph}\
                 {paragraph}{paragraph}{tail}</article></body></html>"
            );
            extract(&page).lines
        };
        for tail in [
            "<p>Auf WhatsApp teilen</p><p>Aktualisiert vor 5 Minuten</p>",
            "<p>Share on X</p><p>Published 3 hours ago • Last updated 1 hour ago</p>",
            "<p>Facebook, Twitter, E-Mail</p><p>Mis à jour il y a 2 heures</p>",
        ] {
            assert_eq!(body(tail).len(), 3, "{tail}: {:?}", body(tail));
        }
        // the article's own last sentence about a network stays
        let kept = body("<p>Viele Experten teilen diese Einschätzung auf Twitter.</p>");
        assert_eq!(kept.len(), 4, "{kept:?}");
    }

    #[test]
    fn a_ticker_or_share_bar_above_the_article_goes_a_sentence_with_a_change_stays() {
        let paragraph = "<p>Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr \
                         beschlossen, nach langer Debatte.</p>";
        let first = |line: &str| {
            let page = format!(
                "<html lang='de'><body><article><h1>Haushalt</h1><p>{line}</p>{paragraph}\
                 {paragraph}{paragraph}</article></body></html>"
            );
            extract(&page).lines[0].clone()
        };
        for ticker in [
            "DAX 15.234 +0,5% · MDAX 26.100 −0,3% · Dow Jones 34.000 +0,1%",
            "EUR/USD 1,0712 +0,05%",
        ] {
            assert!(first(ticker).starts_with("Der Stadtrat"), "{ticker}");
        }
        let sentence = "Der DAX stieg am Morgen um +0,5 % auf 15.234 Punkte";
        assert_eq!(first(sentence), sentence);
        // and so does a share bar there
        assert!(first("Teilen auf Facebook").starts_with("Der Stadtrat"));
        assert!(first("Facebook Twitter E-Mail").starts_with("Der Stadtrat"));
    }

    #[test]
    fn a_button_left_open_over_the_page_keeps_the_article() {
        // the menu button's end tag is missing, so the parser puts the page inside it
        let paragraph = "The council approved the budget on Tuesday after a long debate, \
                         and the opposition voted against it, as expected. ";
        let page = format!(
            "<html><body><header><button class='header__menu-button'><div><span>Menu</span>\
             <div class='article-body'><h1>Budget passed</h1><p>{paragraph}</p><p>{paragraph}</p>\
             </div></header></body></html>"
        );
        let body = extract(&page).lines.join("\n");
        assert!(body.contains("The council approved"), "{body}");
        // a button holding a small share of the page is still furniture
        let page = format!(
            "<html><body><button>Subscribe to our newsletter now</button>\
             <div class='article-body'><p>{paragraph}</p><p>{paragraph}</p></div></body></html>"
        );
        let body = extract(&page).lines.join("\n");
        assert!(!body.contains("Subscribe"), "{body}");
    }

    #[test]
    fn a_short_post_beats_a_long_sidebar_when_the_page_names_its_post() {
        // a blog's short post beside a longer "about me" box, both in blocks named
        // "widget": the sidebar holds more of the page's text, but the page names its post's
        // block (and the profile's "textblock" inside the sidebar is no post)
        let about = "I am a friendly, supposedly amusing person who writes about travel, cooking, \
                     old computers and the strange things that happen to me, and things became \
                     weirder from there, as you will read in these pages. ";
        let page = |post_class: &str| {
            format!(
                "<html><body><div class='column'><div class='widget Blog'>\
                 <h3 class='post-title'>This Is My Old Blog</h3>\
                 <div class='{post_class}'>This is where my blog used to be; I keep the name \
                 because I used it to log in elsewhere, and no blog meant no login. The posts \
                 moved to a new address last spring, and the old ones are kept there, with \
                 their pictures and the readers' letters.</div>\
                 </div></div><aside><div class='sidebar section'><div class='widget Profile'>\
                 <div class='widget-content'><dl><dd class='profile-textblock'><div>{about}\
                 </div></dd></dl></div></div></div></aside></body></html>"
            )
        };
        let article = extract(&page("post-body entry-content"));
        let body = article.lines.join("\n");
        assert!(body.contains("This is where my blog"), "{body}");
        assert!(!body.contains("supposedly amusing"), "{body}");
        // without a name for the post, the large sidebar is not dropped on its name alone
        let article = extract(&page("x"));
        assert!(article.lines.join("\n").contains("supposedly amusing"));
    }

    #[test]
    fn a_stub_body_gives_way_to_the_pages_sentences() {
        // an old blog: the post is lines of a table cell broken by <br>, no paragraph anywhere
        // but a one-line notice, which the scorer picks
        let post: String = (1..=8)
            .map(|n| {
                format!("Line {n} of the post tells what happened on the trip, in a sentence.<br>")
            })
            .collect();
        // the titles of other posts, unlinked, are no sentences of it
        let others: String = (1..=4)
            .map(|n| {
                format!("<div>Older post {n}: the long way home from the northern lakes</div>")
            })
            .collect();
        let page = format!(
            "<html><body><table><tr><td class='post'>{post}</td></tr></table>\
             <div><p>All posts on this blog are written by me alone.</p></div>{others}\
             </body></html>"
        );
        let article = extract(&page);
        let post_lines = article
            .lines
            .iter()
            .filter(|line| line.contains("of the post tells"))
            .count();
        assert_eq!(post_lines, 8, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Line 1 of the post"));
        assert!(
            article
                .lines
                .iter()
                .all(|line| !line.contains("Older post")),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn section_labels_left_at_the_bodys_edges_go() {
        let mut lines: Vec<String> = [
            "Anzeige",
            "Der Stadtrat hat am Dienstag den Haushalt beschlossen.",
            "Mehr zum Thema",
            "Die Opposition stimmte dagegen.",
            "Kommentare (0)",
            "Mehr zum Thema:",
            "Kommentare schreiben",
            "Leave a Reply",
            "Tags",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        trim_section_labels(&mut lines);
        assert_eq!(
            lines,
            [
                "Der Stadtrat hat am Dienstag den Haushalt beschlossen.",
                "Die Opposition stimmte dagegen."
            ]
        );
        // words that merely begin like a label stay
        let mut lines: Vec<String> = ["Share prices fell", "Tagesordnung", "Teilen wir es auf."]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let before = lines.clone();
        trim_section_labels(&mut lines);
        assert_eq!(lines, before);
        // Chinese and Japanese labels ("recommended", "related articles") between paragraphs
        let mut lines: Vec<String> = [
            "索尼發言人表示，公司一向遵守所有法規。",
            "推薦",
            "報導指出，截至10月3日，沒有跡象顯示申請已獲得批准。",
            "関連記事",
            "推荐阅读：",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        trim_section_labels(&mut lines);
        assert_eq!(
            lines,
            [
                "索尼發言人表示，公司一向遵守所有法規。",
                "報導指出，截至10月3日，沒有跡象顯示申請已獲得批准。"
            ]
        );
        // a list of the article's tags after its label, however long
        let mut lines: Vec<String> = [
            "Der Stadtrat hat am Dienstag den Haushalt beschlossen.",
            "Schlagwörter: Radverkehr, Stadtrat, Verkehr, Hauptstraße, Oberbürgermeister",
            "Filed under: Politics | Europe | Energy prices",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        trim_section_labels(&mut lines);
        assert_eq!(
            lines,
            ["Der Stadtrat hat am Dienstag den Haushalt beschlossen."]
        );
        assert!(!is_tag_line(
            "Themen: Der Rat hat über die Radwege, die Parkplätze und die Busse beraten."
        ));
        assert!(!is_tag_line(
            "Categories of spending that the council cut, such as roads, grew again"
        ));
        // a sentence that opens with such a word stays
        let mut lines: Vec<String> = ["推荐系统的研究仍在继续。", "研究人员表示结果令人鼓舞。"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        trim_section_labels(&mut lines);
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn timestamp_and_reading_time_lines_at_the_bodys_edges_go() {
        let mut lines: Vec<String> = [
            "Posted: Nov 8, 2023 / 11:50 AM EST",
            "Stand: 19.10.2019 11:05 Uhr",
            "The council approved the budget on Tuesday after a long debate.",
            "It was updated on 3 May 2023 to include the new figures.",
            "Updated: 9.45pm",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        trim_timestamps(&mut lines);
        assert_eq!(
            lines,
            [
                "The council approved the budget on Tuesday after a long debate.",
                "It was updated on 3 May 2023 to include the new figures."
            ]
        );
        for line in [
            "Oct 18, 2019 · 8 min read",
            "Temps de lecture : 4 min",
            "5 Min Read",
        ] {
            assert!(is_timestamp_line(line), "{line}");
        }
        // a sentence that mentions an update, a dateline of a story, a line without a date
        for line in [
            "Updated figures from 2023 show the trend continued for a third year in a row.",
            "BERLIN, 3. Mai 2023 – Der Stadtrat hat den Haushalt beschlossen.",
            "Published by the ministry",
        ] {
            assert!(!is_timestamp_line(line), "{line}");
        }
    }

    #[test]
    fn calls_to_the_reader_at_the_body_end_go() {
        let lines = |texts: &[&str]| texts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut body = lines(&[
            "The council voted on Tuesday to close the bridge for repairs.",
            "Work starts in March and should take six weeks.",
            "Don't miss the latest news from around Scotland - Sign up to our daily newsletter.",
            "Get local news delivered to your inbox!",
        ]);
        trim_calls_to_reader(&mut body);
        assert_eq!(body.len(), 2, "{body:?}");
        // in other languages too
        let mut body = lines(&[
            "Der Gemeinderat hat am Dienstag beschlossen, die Brücke zu sperren.",
            "Die Arbeiten beginnen im März.",
            "Hat dir dieser Artikel gefallen? Dann folge uns auf Instagram!",
        ]);
        trim_calls_to_reader(&mut body);
        assert_eq!(body.len(), 2, "{body:?}");
        // a closing quote that speaks of subscriptions, a group to join, and a short body stay
        let mut body = lines(&[
            "The publisher cut the newsroom again.",
            "“What kind of products are going to be left that readers feel are worth a digital subscription?”",
        ]);
        trim_calls_to_reader(&mut body);
        assert_eq!(body.len(), 2);
        let mut body = lines(&[
            "The working group meets monthly.",
            "Its chair said the rules would change.",
            "Members can join the Ad Blocking Working Group by email.",
        ]);
        trim_calls_to_reader(&mut body);
        assert_eq!(body.len(), 3);
    }

    #[test]
    fn picture_credits_and_labels_on_lines_of_their_own_go() {
        let mut lines: Vec<String> = [
            "Foto: Anas-Mohamed, Shutterstock",
            "Der Stadtrat hat am Dienstag den Haushalt beschlossen.",
            "(Image credit: Submitted by Ashley)",
            "Beitragsbild",
            "Image Source: Nicole Cohen",
            "Picture: Reuters",
            // a press release's syndication line
            "Original-Content von: Polizei Steinfurt, übermittelt durch news aktuell",
            "Source: the ministry said the figures were final.",
            "Photo: the mayor, who said: no.",
            // captions that end in their picture's credit
            "China has warned they will cease control of Hong Kong (Image: GETTY )",
            "Farmers protest in Bathinda, Punjab. (Credits: PTI)",
            "Benjamin com a nova dona, que deu um lar ao cachorro. — Foto: Michele Taborga/Arquivo",
            "Die Deutsche Bank Filiale in der Betzdorfer Wilhelmstraße (Foto: Jennifer Patt)",
            "The War Department Library in the Eisenhower Executive Office Building. Photo: Tim O’Reilly",
            // a dateline with a source's credit and the picture's stays (the agency is read
            // from it)
            "22/11/2020 - 04:30 - Fonte: Agência Brasil - Foto: Cesar Greco/Palmeiras",
            // a sentence naming a newspaper, a long lead that ends in its picture's credit
            "The minister told the newspaper Bild: the talks will go on.",
            "Zum Beispiel die Kollektivierung von Firmen wie BMW, sagt der Chef der Jusos. In der \
             Wirtschaftsordnung, die er sich vorstellt, gäbe es auch kein Eigentum an Wohnraum \
             mehr. Ein Gespräch über eine radikale Alternative Foto: Tibor Boz/Redux/laif",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        drop_credits(&mut lines);
        assert_eq!(
            lines,
            [
                "Der Stadtrat hat am Dienstag den Haushalt beschlossen.",
                "Source: the ministry said the figures were final.",
                "Photo: the mayor, who said: no.",
                "22/11/2020 - 04:30 - Fonte: Agência Brasil - Foto: Cesar Greco/Palmeiras",
                "The minister told the newspaper Bild: the talks will go on.",
                "Zum Beispiel die Kollektivierung von Firmen wie BMW, sagt der Chef der Jusos. In der \
                 Wirtschaftsordnung, die er sich vorstellt, gäbe es auch kein Eigentum an Wohnraum \
                 mehr. Ein Gespräch über eine radikale Alternative Foto: Tibor Boz/Redux/laif",
            ]
        );
    }

    #[test]
    fn a_gallery_told_in_its_slides_captions_keeps_them() {
        // a slideshow article: each slide's caption holds a subheading and paragraphs of the
        // story; a photo's one-line caption elsewhere stays out
        let slide = |n: usize| {
            format!(
                "<figure class='flat-slide'><img src={n}.jpg><figcaption class='slide-caption'>\
                 <h3>Mistake {n}</h3><p>Slide {n}: \"Oftentimes people settle for what is fastest \
                 or easiest to buy at that moment,\" the designer says, and the rooms then look \
                 like every other room in the building.</p><p>Her advice for slide {n} is to take \
                 the extra time and find one piece that means something to you.</p>\
                 </figcaption></figure>"
            )
        };
        // a carousel's clone of a slide, hidden from readers, stays out
        let hidden = slide(9).replace("<figcaption class", "<figcaption aria-hidden='true' class");
        let slides: String = (1..=4).map(slide).collect::<String>() + &hidden;
        let page = format!(
            "<html><body><article class='post gallery'><h1>Five mistakes</h1>\
             <p>No generation is perfect, and when it comes to decorating, one designer has seen \
             the same traps again and again. Ahead, she shares the five biggest mistakes.</p>\
             <figure><img src=0.jpg><figcaption>The designer in her studio.</figcaption></figure>\
             <div class='slides'>{slides}</div></article></body></html>"
        );
        let article = extract(&page);
        let body = article.lines.join("\n");
        for n in 1..=4 {
            assert!(body.contains(&format!("Slide {n}:")), "{body}");
        }
        assert!(!body.contains("in her studio"), "{body}");
        assert!(!body.contains("Slide 9"), "{body}");
    }

    #[test]
    fn one_long_photo_caption_is_no_gallery() {
        // a wire photo's caption of two long sentences in a <p> of its own stays out
        let caption = "<figure><img src=1.jpg><figcaption><p>Zimbabwe's President Robert Mugabe \
                       attends a graduation ceremony at the Zimbabwe Open University in Marondera, \
                       east of the capital Harare, on November 17, 2017. The army says he is \
                       confined to his residence, and talks on his exit go on through the church. \
                       REUTERS/Philimon Bulawayo</p></figcaption></figure>";
        let page = format!(
            "<html><body><article><h1>Mugabe under house arrest</h1>{}{caption}{}{}</article></body></html>",
            long_paragraph(1),
            long_paragraph(2),
            long_paragraph(3)
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 3, "{:?}", article.lines);
    }

    #[test]
    fn a_carousel_holding_more_text_than_the_article_is_not_the_article() {
        // the slider libraries' names are whole words: "slickdeals" is no slider
        assert!(negative_hint("swiper-wrapper"));
        assert!(negative_hint("owl-carousel owl-theme"));
        assert!(negative_hint("slick-track"));
        assert!(!negative_hint("slickdeals-price"));
        assert!(!negative_hint("swiperight"));
        // a short news item, then a slider of obituaries whose slides hold three times its
        // text (two Hungarian county sites of the dev pages)
        let slide = |n: usize| {
            format!(
                "<div class='swiper-slide'>With deep sorrow we announce that our beloved \
                 neighbour number {n} passed away at the age of 86, and the funeral will be \
                 held on Tuesday, at ten o'clock, in the chapel of the eastern cemetery.</div>"
            )
        };
        let slides: String = (1..=12).map(slide).collect();
        let page = format!(
            "<html><body><div class='left-area'><article class='enews-article'><h1>Fatigue after the virus</h1>\
             <div class='entry-content'>{}{}{}</div></article></div>\
             <div class='right-area'><div class='grief-module-container'><div class='swiper-container'>\
             <div class='swiper-wrapper'>{slides}</div></div></div></div></body></html>",
            long_paragraph(1),
            long_paragraph(2),
            long_paragraph(3)
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 3, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Paragraph 1"));
    }

    #[test]
    fn camel_case_class_names_are_read_as_words() {
        let mut out = String::new();
        push_words(&mut out, "tagStyle_18h2erd-o_O-shareBar CtxtMenu");
        assert_eq!(out, "tag-style_18h2erd-o_o-share-bar ctxt-menu");
        // "tagStyle" is no "tags" list, "shareBar" is a share bar
        assert!(!negative_hint("tag-style_18h2erd"));
        assert!(negative_hint(&out));
    }

    #[test]
    fn generated_style_classes_do_not_hide_paragraphs() {
        let paragraphs: String = (1..=5)
            .map(|n| {
                format!(
                    "<p class='tagStyle_18h2erd-o_O-style_1i5d9um'>{}</p>",
                    &long_paragraph(n)[3..]
                )
            })
            .collect();
        let page =
            format!("<html><body><main><article>{paragraphs}</article></main></body></html>");
        let article = extract(&page);
        assert_eq!(article.lines.len(), 5, "{:?}", article.lines);
    }

    #[test]
    fn an_inline_element_in_running_text_stays_whatever_its_class() {
        let text = "When the coefficient is not zero, the equation has two solutions, namely";
        let page = format!(
            "<html><body><div class='content'><p>{p}</p><div>{text} \
             <mjx-container class='MathJax CtxtMenu_Attached_0'>x = 1 or x = 2</mjx-container>, \
             as the worked example in the previous section of this page shows again.</div><p>{p}</p></div></body></html>",
            p = &long_paragraph(1)[3..long_paragraph(1).len() - 4],
        );
        let article = extract(&page);
        assert!(
            article
                .lines
                .iter()
                .any(|line| line.contains("x = 1 or x = 2")),
            "{:?}",
            article.lines
        );
        // a caption alone in its paragraph is still a caption
        let page = format!(
            "<html><body><div class='content'>{}<p><span class='wf_caption'>A map of the moon.</span></p>{}</div></body></html>",
            long_paragraph(1),
            long_paragraph(2)
        );
        let article = extract(&page);
        assert!(article
            .lines
            .iter()
            .all(|line| !line.contains("map of the moon")));
    }

    fn long_paragraph(n: usize) -> String {
        format!(
            "<p>Paragraph {n} of the report, with several clauses, names and numbers, long enough \
             to be read as the running text of a news article rather than a teaser or a label.</p>"
        )
    }

    #[test]
    fn the_standfirst_under_the_headline_is_its_own_field() {
        let body: String = (1..=4).map(long_paragraph).collect();
        let page = format!(
            "<html><head><title>Stadtrat beschließt neuen Haushalt - Beispiel-Zeitung</title>\
             </head><body><header><h1>Stadtrat beschließt neuen Haushalt</h1>\
             <p class='artikel__vorspann'>Nach langer Debatte stimmt eine knappe Mehrheit für \
             den Entwurf der Kämmerin. Die Opposition kündigt Widerstand an.</p>\
             <span class='autor'>Von Erika Musterfrau</span></header>\
             <div class='artikel-text'>{body}</div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(
            article.standfirst.as_deref(),
            Some(
                "Nach langer Debatte stimmt eine knappe Mehrheit für den Entwurf der Kämmerin. \
                 Die Opposition kündigt Widerstand an."
            )
        );
        assert!(holds_line_starting(&article, "Paragraph 1"));
    }

    #[test]
    fn an_h2_right_under_the_headline_is_the_standfirst() {
        let body: String = (1..=4).map(long_paragraph).collect();
        let page = format!(
            "<html><body><header><h1>Council passes the budget after a long debate</h1>\
             <h2>A narrow majority backs the treasurer's draft; the opposition vows to fight on.\
             </h2></header><div class='story'>{body}</div></body></html>"
        );
        assert_eq!(
            extract(&page).standfirst.as_deref(),
            Some("A narrow majority backs the treasurer's draft; the opposition vows to fight on.")
        );
        // in a small block named both as the article's and as furniture ("article-meta-upper")
        // that holds the headline
        let page = format!(
            "<html><body><header class='article-header'><div class='article-meta \
             article-meta-upper'><h1>Council passes the budget after a long debate</h1>\
             <h2 class='sub-headline'>A narrow majority backs the treasurer's draft; the \
             opposition vows to fight on.</h2></div></header><div class='story'>{body}</div>\
             </body></html>"
        );
        assert_eq!(
            extract(&page).standfirst.as_deref(),
            Some("A narrow majority backs the treasurer's draft; the opposition vows to fight on.")
        );
        // an <h2> further down is a subheading of the body, not a standfirst
        let page = format!(
            "<html><body><header><h1>Council passes the budget after a long debate</h1>\
             <span>5 min read</span><a href='/x'>Share</a><span>Updated</span></header>\
             <div class='story'>{body}<h2>What the opposition says about the budget now</h2>\
             {body}</div></body></html>"
        );
        assert_eq!(extract(&page).standfirst, None);
    }

    #[test]
    fn no_standfirst_from_a_tagline_a_lead_video_or_the_body() {
        let body: String = (1..=4).map(long_paragraph).collect();
        let headline = "<h1>Council passes the budget after a long debate</h1>";
        for between in [
            "<p class='site-description'>News, views and everything else from the valley, \
             since 1998 and every day of the week.</p>",
            "<div class='article-lede'><video src='/v.mp4'></video><p>Video Player is loading. \
             Watch the council's vote in full, with the mayor's speech.</p></div>",
            "<div class='post-header font-description'><span>Published October 19, 2022, \
             10:15 am</span> By</div>",
            "",
        ] {
            let page = format!(
                "<html><body><div class='header'>{headline}{between}</div>\
                 <div class='story'>{body}<p class='summary'>A closing summary of the whole \
                 story, in the body's own block after its first paragraph.</p></div></body></html>"
            );
            assert_eq!(extract(&page).standfirst, None, "{between}");
        }
    }

    #[test]
    fn a_comment_thread_named_in_german_is_never_the_article() {
        let body: String = (1..=8).map(long_paragraph).collect();
        let comments: String = (1..=3)
            .map(|n| {
                format!(
                    "<div><p>Leserin {n} schreibt, sie habe das alles ganz anders erlebt, und \
                     fragt, warum der Bericht die Anwohner, die Kosten und die Fristen nicht \
                     erwähnt, die im Stadtrat doch lange besprochen wurden.</p></div>"
                )
            })
            .collect();
        let page = format!(
            "<html><body><h1>Stadtrat beschließt neuen Haushalt</h1><div class='beitrag'>{body}\
             </div><section class='leserkommentare'>{comments}</section></body></html>"
        );
        let article = extract(&page);
        assert!(holds_line_starting(&article, "Paragraph 1"));
        assert_no_line_contains(&article, "Leserin");
    }

    #[test]
    fn an_opinion_piece_named_kommentar_keeps_its_text() {
        // "Kommentar" is a genre too: the block that holds the page's paragraphs stays, and
        // only the plural and the thread's parts name a comment thread
        assert!(!comment_hint("kommentar artikel"));
        assert!(comment_hint("leserkommentare"));
        assert!(comment_hint("kommentarbereich"));
        assert!(negative_hint("kommentar-box"));
        let body: String = (1..=4).map(long_paragraph).collect();
        let links: String = (1..=40)
            .map(|n| {
                format!(
                    "<li><a href='/ressort/{n}'>Weitere Nachrichten aus dem Ressort {n}</a></li>"
                )
            })
            .collect();
        let page = format!(
            "<html><body><h1>Der Haushalt ist ein Fehler</h1><div class='kommentar'>\
             {body}</div><div class='spalte'><ul>{links}</ul></div></body></html>"
        );
        let article = extract(&page);
        assert!(
            holds_line_starting(&article, "Paragraph 4"),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn class_names_in_other_languages_name_content_and_furniture() {
        let body: String = (1..=4).map(long_paragraph).collect();
        let teaser = "<p>Ein anderer Beitrag über die Stadtratssitzung vom Dienstag, mit einem \
                      langen Anriss, der wie ein Absatz aussieht und Leser weiterführen soll.</p>";
        let page = format!(
            "<html><body><div class='artikel-inhalt'>{body}\
             <div class='kommentare'><p>Ein Leser schreibt, er habe alles vom Küchenfenster aus \
             gesehen, und der Bericht oben lasse das Schlimmste weg.</p></div></div>\
             <div class='verwandte-beitraege'>{teaser}</div></body></html>"
        );
        let article = extract(&page);
        assert!(holds_line_starting(&article, "Paragraph 4"));
        assert!(
            article
                .lines
                .iter()
                .all(|line| !line.contains("Küchenfenster") && !line.contains("Stadtrat")),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn a_block_named_after_the_article_and_a_furniture_word_is_furniture() {
        // "article-comments" and "entry-footer" sit inside the article's block and name the
        // article first; "body-share-wrapper" wraps the body and its share bar and stays
        let body: String = (1..=4).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div class='body-share-wrapper'><div class='article'>{body}\
             <div class='article-comments'><p>A reader writes that she saw it all happen from \
             her kitchen window, and that the account above leaves out the worst part.</p></div>\
             <div class='entry-footer'><p>Posted in the weblog's news category, and closed for new \
             remarks after thirty days, as every entry of this weblog is.</p></div></div>\
             <ul class='share'><li><a href='/x'>Share</a></li></ul></div></body></html>"
        );
        let article = extract(&page);
        assert!(holds_line_starting(&article, "Paragraph 4"));
        assert!(
            article
                .lines
                .iter()
                .all(|line| !line.contains("kitchen") && !line.contains("thirty days")),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn short_body_against_the_page_falls_back_to_its_paragraphs() {
        // the paragraphs sit one per nest of wrappers, so the hinted standfirst outscores
        // every container (none holds more than one paragraph)
        let body: String = (1..=6)
            .map(|n| {
                format!(
                    "<div class='x1'><div class='x2'><div class='w'>{}</div></div></div>",
                    long_paragraph(n)
                )
            })
            .collect();
        let page = format!(
            "<html><body><div class='article-content'><p>A short standfirst of the story, \
             nothing more, in the container the hints point at.</p></div>{body}</body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 7, "{:?}", article.lines);
        assert!(article.lines[6].starts_with("Paragraph 6"));
    }

    #[test]
    fn a_block_of_the_article_with_a_modifier_class_is_a_twin() {
        // the article's text is cut into blocks between photos, each deep in a grid of its
        // own; one block carries one more class name than the others
        let block = |from: usize, count: usize, class: &str| {
            let text: String = (from..from + count).map(long_paragraph).collect();
            format!(
                "<div class='row'><div class='cell'><div class='wrap'><div class='inner'>\
                 <div class='{class}'>{text}</div></div></div></div></div>\
                 <figure><img src=x.jpg></figure>"
            )
        };
        let page = format!(
            "<html><body><div class='page'>{}{}{}</div></body></html>",
            block(1, 4, "article-text gray"),
            block(5, 2, "article-text gray array"),
            block(7, 3, "article-text gray")
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 9, "{:?}", article.lines);
        assert!(article.lines[4].starts_with("Paragraph 5"));
    }

    /// An article cut into chunks that no class names: each chunk is a div in a div in a div
    /// under `<article>`, pictures with captions between them.
    fn unnamed_chunks(sizes: &[usize]) -> String {
        let mut from = 1;
        let mut chunks = String::new();
        for &count in sizes {
            let text: String = (from..from + count).map(long_paragraph).collect();
            from += count;
            chunks.push_str(&format!(
                "<div><div><div>{text}</div></div></div>\
                 <div><figure><img src=x.jpg><figcaption>A caption under the photo</figcaption></figure></div>"
            ));
        }
        format!("<article>{chunks}</article>")
    }

    /// Fails, showing the body, when a body line contains `needle`.
    fn assert_no_line_contains(article: &HtmlArticle, needle: &str) {
        assert!(
            article.lines.iter().all(|line| !line.contains(needle)),
            "{needle:?} in {:?}",
            article.lines
        );
    }

    /// Whether a body line starts with `prefix`.
    fn holds_line_starting(article: &HtmlArticle, prefix: &str) -> bool {
        article.lines.iter().any(|line| line.starts_with(prefix))
    }

    /// Asserts that `page`'s body holds a line starting with `kept` and none containing
    /// `dropped`.
    fn assert_keeps_and_drops(page: &str, kept: &str, dropped: &str) {
        let article = extract(page);
        assert!(
            holds_line_starting(&article, kept),
            "{kept:?} in {:?}",
            article.lines
        );
        assert_no_line_contains(&article, dropped);
    }

    /// The body lines of `long_paragraph`s.
    fn paragraph_lines(article: &HtmlArticle) -> Vec<&String> {
        article
            .lines
            .iter()
            .filter(|line| line.starts_with("Paragraph"))
            .collect()
    }

    #[test]
    fn an_article_cut_into_unnamed_chunks_is_read_whole() {
        let page = format!(
            "<html><body><div><h1>The headline</h1>{}</div></body></html>",
            unnamed_chunks(&[4, 2, 3])
        );
        let article = extract(&page);
        let paragraphs = paragraph_lines(&article);
        assert_eq!(paragraphs.len(), 9, "{:?}", article.lines);
        assert!(paragraphs[8].starts_with("Paragraph 9"));
    }

    /// A short article of two unnamed paragraphs under its headline, a few related headlines,
    /// then the site's long copyright notice in a block of its own; nothing is named.
    /// A two-paragraph police brief: a short article that one long notice outscores.
    const ARREST_REPORT: &str =
        "<p>Two people were arrested in Peja on Thursday on suspicion of running an illegal \
         gambling den in the back room of a bar in the town centre, police said after officers \
         raided the place late in the evening, acting on a tip from neighbours who had seen many \
         cars outside.</p><p>The two had also ignored the government's orders on opening hours. \
         Officers seized a key to the bar, two gaming machines and the cash found in them, the \
         police's daily report said on Friday morning in the regional capital of the same name. \
         Both will appear before a judge next week.</p>";

    fn short_article_before_a_long_notice(article: &str) -> String {
        let related: String = (1..=3)
            .map(|n| format!("<li><a href=/news/{n}>Another story of the day, number {n}</a></li>"))
            .collect();
        format!(
            "<html><body><div><a href=/>Home</a> <a href=/news>News</a></div>\
             <div><h1>Two people arrested over an illegal gambling den</h1><div>{article}</div></div>\
             <div><ul>{related}</ul></div>\
             <div><div><p>This site is run by the Example Media Group. All material on it, \
             photographs included, is protected by copyright, and the group keeps every right \
             to it. Nothing on this site may be used for commercial purposes, and copying, \
             reproducing or publishing it, original or changed, in any way, without the group's \
             prior written consent, is forbidden. Using it on another website or in another \
             medium without consent infringes copyright and intellectual property, and every \
             infringement will be pursued under the law in force.</p></div></div></body></html>"
        )
    }

    #[test]
    fn a_short_article_at_the_headline_beats_a_longer_notice_far_below_it() {
        let page = short_article_before_a_long_notice(ARREST_REPORT);
        assert_keeps_and_drops(&page, "Two people were arrested", "copyright");
    }

    #[test]
    fn the_block_at_the_headline_wins_though_another_block_elsewhere_scores_between() {
        // the site's list of sections in a sidebar scores between the short article and the
        // copyright notice: it is not at the headline, so it does not stop the article
        let page = short_article_before_a_long_notice(ARREST_REPORT).replace(
            "<div><div><p>This site",
            "<div><div><p>Example Media: news, sport, weather, culture, business, science, \
             travel, food, cars, homes.</p></div></div><div><div><p>This site",
        );
        let article = extract(&page);
        assert!(
            holds_line_starting(&article, "Two people were arrested"),
            "{:?}",
            article.lines
        );
        assert_no_line_contains(&article, "copyright");
        assert_no_line_contains(&article, "Example Media:");
    }

    /// A one-paragraph brief beside the page's footer, whose copyright notice holds more text
    /// (and more commas) than the brief.
    fn brief_before_a_page_footer(footer_open: &str, footer_close: &str) -> String {
        format!(
            "<html><body><div><h1>Man arrested after a shooting in Roxbury</h1>\
             <div class='article-body'><p>Police arrested a man on Saturday after a shooting \
             near the corner of Tremont and Camden Street left one person injured.</p></div></div>\
             {footer_open}<div><p>All content copyright 2000 - 2023 Example TV. Example TV \
             broadcasts educational and informational programming for children, and files \
             quarterly reports with the regulator, detailing the station's outreach to children. \
             The public may view the reports on our website, under \"Public File\", or on the \
             regulator's own website. For more, please read our privacy policy, terms of use and \
             accessibility statement.</p></div>{footer_close}</body></html>"
        )
    }

    #[test]
    fn utility_classes_are_no_content_hint() {
        for utility in [
            "text-center",
            "md:text-lg",
            "hover:text-white",
            "text-gray-700",
            "text-md-start",
            "has-text-align-center",
            "justify-content-between",
            "align-content-center",
            "content-center",
        ] {
            assert!(is_utility_class(utility), "{utility}");
        }
        for name in [
            "article-text",
            "entry-content",
            "content",
            "text",
            "post-content-wrap",
        ] {
            assert!(!is_utility_class(name), "{name}");
        }
        // a notice styled by utility classes no longer outweighs an unnamed article: it
        // scores what its text does, not 25 points more for "text-center"
        let notice = "<div><div class='text-center text-lg'><p>Example Media runs this site, \
             and all of it is protected by copyright and database rights in every country. It \
             may not be copied, shared, sold, changed or published in part or in whole without \
             the prior consent of the group, given in writing and signed by one of its \
             directors, with the date, the purpose and the pages concerned.</p></div></div>";
        let page = format!(
            "<html><body>{notice}<div><h1>Two people arrested over an illegal gambling \
             den</h1><div>{ARREST_REPORT}</div></div></body></html>"
        );
        assert_keeps_and_drops(&page, "Two people were arrested", "Example Media runs");
    }

    #[test]
    fn the_page_footer_is_furniture_however_short_the_article() {
        let page = brief_before_a_page_footer("<footer class='site-footer'>", "</footer>");
        assert_keeps_and_drops(&page, "Police arrested a man", "All content copyright");
        let page = brief_before_a_page_footer("<div role='contentinfo'>", "</div>");
        assert_keeps_and_drops(&page, "Police arrested a man", "All content copyright");
        // a quotation's citation and a page written into its footer are not the page's footer
        let cited = "<html><body><h1>Council approves the new bridge</h1><div>\
             <p>The city council approved the new bridge over the river on Monday, after a \
             debate of four hours, with twenty votes in favour and eleven against.</p>\
             <blockquote><p>It is the largest investment of the decade for the region and its \
             people, and it will be finished on time.</p><footer>Jane Doe, mayor of \
             Springfield</footer></blockquote></div></body></html>";
        assert!(
            holds_line_starting(&extract(cited), "Jane Doe, mayor"),
            "{:?}",
            extract(cited).lines
        );
        let paragraphs: String = (1..=5)
            .map(|n| {
                format!(
                    "<p>Paragraph {n} of the report tells how the council approved the new \
                     bridge over the river on Monday, after a long debate.</p>"
                )
            })
            .collect();
        let in_footer = format!(
            "<html><body><header><h1>Council approves the new bridge</h1></header>\
             <footer>{paragraphs}</footer></body></html>"
        );
        assert!(
            holds_line_starting(&extract(&in_footer), "Paragraph 3 of the report"),
            "{:?}",
            extract(&in_footer).lines
        );
    }

    #[test]
    fn a_short_article_stays_beside_the_description_that_does_not_tell_it() {
        // the description tells the story's start, the page shows one later paragraph
        let description = "A woman's torso was found in a dumpster in Tarzana on Wednesday \
                           morning, and the Los Angeles police have announced an arrest in the \
                           case.";
        let page = |paragraph: &str| {
            format!(
                "<html><head><script type='application/ld+json'>{{\"@type\": \"NewsArticle\", \
                 \"description\": \"{description}\"}}</script></head><body>\
                 <h1>Arrest made after remains found in Tarzana</h1>\
                 <div class='article-body'><p>{paragraph}</p></div></body></html>"
            )
        };
        let article = extract(&page(
            "He has been charged with one count of murder and is held on bail of two million.",
        ));
        assert!(
            holds_line_starting(&article, "A woman's torso"),
            "{:?}",
            article.lines
        );
        assert!(
            holds_line_starting(&article, "He has been charged"),
            "{:?}",
            article.lines
        );
        // a stub line that the description tells (a teaser's first words), a paywall's or a
        // player's notice give way to it
        let told = description.split_whitespace().collect::<Vec<_>>().join(" ");
        for stub in [
            "A woman's torso was found in a dumpster in Tarzana on Wednesday morning, police said.",
            "Subscribe now for unlimited access to all of our local reporting today.",
            "Watch the full video report from our newsroom at the top of this page.",
        ] {
            assert_eq!(
                extract(&page(stub)).lines,
                std::slice::from_ref(&told),
                "{stub}"
            );
        }
    }

    fn bridge_story_with_a_dialog(open: &str, close: &str, inside: &str) -> String {
        format!(
            "<html><body><div><h1>Council approves the new bridge</h1>\
             <div><p>The city council approved the new bridge over the river on Monday, after a \
             debate of four hours, with twenty votes in favour and eleven against.</p>\
             <p>Work is to begin next spring and to last two years, the mayor said, at a cost \
             of forty million, paid in part by the region.</p></div></div>\
             <{open}>{inside}</{close}></body></html>"
        )
    }

    #[test]
    fn a_cookie_dialog_named_by_its_role_is_no_article() {
        // a consent centre over the page, its boxes unnamed: only its role says what it is
        let settings: String = (1..=6)
            .map(|n| {
                format!(
                    "<div><h3>Cookie group {n}</h3><div>These cookies, when you allow them, \
                     store information on your browser about you, your preferences or your \
                     device, to make the site work, to measure visits and to show offers.</div>\
                     </div>"
                )
            })
            .collect();
        for (open, close) in [
            ("div role='alertdialog' aria-modal='true'", "div"),
            ("div role='dialog'", "div"),
            ("div role='Dialog region'", "div"),
            ("div aria-modal='TRUE'", "div"),
            ("dialog open", "dialog"),
        ] {
            let page = bridge_story_with_a_dialog(
                open,
                close,
                &format!("<h2>Your privacy</h2>{settings}"),
            );
            // shown with the failure (a test's output is kept only when it fails)
            println!("dialog form: <{open}>");
            assert_keeps_and_drops(&page, "The city council approved", "These cookies");
        }
    }

    #[test]
    fn a_dialog_holding_the_headline_is_a_readers_view_of_the_article() {
        // a list of teasers, and the article opened over it in a modal view
        let teasers: String = (1..=20)
            .map(|n| {
                format!(
                    "<div><a href=/{n}>Story {n}</a><p>Teaser {n} of the day's news, one \
                     sentence about what happened and where, long enough to read.</p></div>"
                )
            })
            .collect();
        let body: String = (1..=5).map(long_paragraph).collect();
        let page = format!(
            "<html><head><title>The article in full - Example News</title></head><body>\
             <main>{teasers}</main><div role='dialog' aria-modal='true'>\
             <h1>The article in full</h1><div>{body}</div></div></body></html>"
        );
        let article = extract(&page);
        assert!(
            holds_line_starting(&article, "Paragraph 3 of the report"),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn a_block_is_written_in_runs_only_where_its_own_lines_are_running_text() {
        let runs = |block: &str| {
            let page = format!("<html><body><div id=x>{block}</div></body></html>");
            let dom = Dom::parse(&page);
            let sizes = measure(&dom, &vec![false; dom.nodes.len()]);
            let blocks = blocks_below(&dom);
            let id = (0..dom.nodes.len())
                .find(|&id| dom.attr(id, "id") == Some("x"))
                .unwrap();
            written_in_runs(&dom, &sizes, &blocks, id)
        };
        let sentence = "A sentence of the story, with a clause or two and a name or a number, \
                        long enough to be read as running text.";
        // paragraphs as spans between line breaks, beside a picture
        assert!(runs(&format!(
            "<span>{sentence}</span><br><br><img src=a.jpg><b>{sentence}</b><br><br>"
        )));
        // an address: short lines, however many
        assert!(!runs(
            &"<span>Example Media Group, Main Street 1</span><br>".repeat(8)
        ));
        // a list of links between line breaks
        assert!(!runs(&format!(
            "<a href=/a>{sentence}</a><br><a href=/b>{sentence}</a><br>"
        )));
        // one long caption beside the article's real paragraphs
        assert!(!runs(&format!(
            "<span>{sentence}</span><p>{sentence} {sentence}</p><p>{sentence} {sentence}</p>"
        )));
    }

    #[test]
    fn teaser_cards_inside_links_are_not_paragraphs() {
        // a short article, then "latest headlines": each card one <a> holding a picture, a
        // headline and a blurb of a sentence or two; nothing is named
        let body: String = (1..=4).map(long_paragraph).collect();
        let cards: String = (1..=12)
            .map(|n| {
                format!(
                    "<div><a href=/news/{n}><div><img src={n}.jpg></div><div><strong>Story \
                     {n} of the day</strong><em>Blurb {n}: a man and a woman have been arrested \
                     in connection with the death of a student, police in the city said on \
                     Tuesday after a long search.</em></div></a></div>"
                )
            })
            .collect();
        let page = format!(
            "<html><body><div><h1>The headline</h1><div>{body}</div></div>\
             <section><h4>Latest headlines</h4>{cards}</section></body></html>"
        );
        let article = extract(&page);
        assert_eq!(paragraph_lines(&article).len(), 4, "{:?}", article.lines);
        assert_no_line_contains(&article, "Blurb");
    }

    #[test]
    fn an_unclosed_link_around_the_article_does_not_hide_it() {
        // broken markup: an <a> never closed before the article holds the rest of the page
        let body: String = (1..=4).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div><a href=/>Home<div><h1>The headline</h1><div>{body}</div></div></div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(paragraph_lines(&article).len(), 4, "{:?}", article.lines);
    }

    #[test]
    fn articles_nested_in_the_article_are_its_comments_not_its_text() {
        // a blog post whose comments are <article> elements inside the post's, as the HTML
        // standard's example has them; nothing is named
        let body: String = (1..=3).map(long_paragraph).collect();
        let comments: String = (1..=8)
            .map(|n| {
                format!(
                    "<li><article><footer><a href=/u/{n}>Reader {n}</a> <time>2 hours ago</time>\
                     </footer><p>Comment {n}: one quick read of this post tells me that the \
                     writer knows the subject well, and I agree with most of what it says.</p>\
                     </article></li>"
                )
            })
            .collect();
        let page = format!(
            "<html><body><main><article><h1>The headline</h1><div>{body}</div>\
             <ol>{comments}</ol></article></main></body></html>"
        );
        let article = extract(&page);
        assert_eq!(paragraph_lines(&article).len(), 3, "{:?}", article.lines);
        assert_no_line_contains(&article, "Comment");
    }

    #[test]
    fn a_large_article_inside_the_article_is_its_body() {
        // a CMS that wraps the body in an <article> of its own, beside two teaser cards
        let body: String = (1..=5).map(long_paragraph).collect();
        let page = format!(
            "<html><body><article><h1>The headline</h1><article>{body}</article>\
             <article><a href=/a>Another story</a></article><article><a href=/b>And \
             another</a></article></article></body></html>"
        );
        let dom = Dom::parse(&page);
        let analysis = Analysis::of(&dom);
        let kept = (0..dom.nodes.len())
            .filter(|&id| analysis.paragraph[id] && !analysis.dropped[id])
            .count();
        assert_eq!(kept, 5);
    }

    #[test]
    fn reading_order_does_not_bring_back_the_teaser_the_stub_rule_moved_from() {
        // a block named as text holds one short teaser line under the headline; the article
        // follows after a run of captions
        let body: String = (1..=4).map(long_paragraph).collect();
        let captions: String = (1..=8)
            .map(|n| {
                format!("<span>Photo {n}: a caption of the picture above, with its credit.</span> ")
            })
            .collect();
        let page = format!(
            "<html><body><div><h1>The headline</h1><div class='csc-textpic-text'><p>A teaser line \
             on the story below, long enough to be read as a sentence of its own here, and a \
             little longer still, with a clause more to read.</p></div>\
             <div>{captions}</div><div><div>{body}</div></div></div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 4, "{:?}", article.lines);
        assert_eq!(paragraph_lines(&article).len(), 4, "{:?}", article.lines);
    }

    #[test]
    fn a_link_around_the_rest_of_the_article_is_not_link_text_between_its_chunks() {
        // the lead, a short caption, then the rest of the article inside a block link: the
        // rest is the article's continuation, not a block set apart by links
        let lead: String = (1..=3).map(long_paragraph).collect();
        let rest: String = (4..=7).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div><h1>The headline</h1><div><div>{lead}</div></div>\
             <div><span>A caption of the photo between the two parts of the story, short.</span></div>\
             <a href=/gallery><div><div>{rest}</div></div></a></div></body></html>"
        );
        let dom = Dom::parse(&page);
        let analysis = Analysis::of(&dom);
        let top = analysis.top.expect("a top block");
        let text = render(&dom, &analysis.dropped, &analysis.sizes, &[top]);
        assert!(
            text.iter().any(|line| line.starts_with("Paragraph 4 ")),
            "{text:?}"
        );
    }

    #[test]
    fn the_body_in_an_article_of_its_own_stays_beside_long_comment_articles() {
        let body: String = (1..=5).map(long_paragraph).collect();
        let comments: String = (1..=30)
            .map(|n| {
                format!(
                    "<article><p>Comment {n}: I have followed this story for years, and this \
                     report is the best summary of it that I have read so far.</p></article>"
                )
            })
            .collect();
        let page = format!(
            "<html><body><article><header><h1>The headline</h1></header><article>{body}</article>\
             <section>{comments}</section></article></body></html>"
        );
        let article = extract(&page);
        assert_eq!(paragraph_lines(&article).len(), 5, "{:?}", article.lines);
        assert_no_line_contains(&article, "Comment");
    }

    #[test]
    fn the_articles_unnamed_first_chunks_before_an_ad_are_kept() {
        // nothing is named: the article's first chunk, a newsletter box and an ad, then the
        // rest, each chunk four levels down in a section of its own
        let first: String = (1..=2).map(long_paragraph).collect();
        let rest: String = (3..=8).map(long_paragraph).collect();
        let chunk =
            |text: &str| format!("<section><div><div><div>{text}</div></div></div></section>");
        let page = format!(
            "<html><body><main><h1>The headline</h1><div>{}\
             <div><h3>Sign up for our newsletter</h3><p>Every morning, the news you need.</p>\
             <a href=/signup>Sign up</a></div><div><a href=/ad>Advertisement: a car for \
             you</a></div>{}</div></main></body></html>",
            chunk(&first),
            chunk(&rest)
        );
        let article = extract(&page);
        let paragraphs = paragraph_lines(&article);
        assert_eq!(paragraphs.len(), 8, "{:?}", article.lines);
        assert!(
            paragraphs[0].starts_with("Paragraph 1 "),
            "{:?}",
            article.lines
        );
        assert_no_line_contains(&article, "newsletter");
    }

    /// The text of the block the page analysis takes as the article's top container.
    fn top_block_text(page: &str) -> Vec<String> {
        let dom = Dom::parse(page);
        let analysis = Analysis::of(&dom);
        let top = analysis.top.expect("a top block");
        render(&dom, &analysis.dropped, &analysis.sizes, &[top])
    }

    #[test]
    fn a_block_at_the_headline_far_weaker_than_the_top_one_does_not_win() {
        // a teaser line under the headline, then a list of links, then the article
        let body: String = (1..=6).map(long_paragraph).collect();
        let links: String = (1..=12)
            .map(|n| format!("<li><a href=/{n}>Another story of the day, number {n}</a></li>"))
            .collect();
        let page = format!(
            "<html><body><div><h1>The headline</h1><div><p>A short teaser on what the story \
             below says about the matter at hand, on why it matters to readers this week, and on \
             what the people it names have said about it so far.</p>\
             </div></div><ul>{links}</ul><div><div>{body}</div></div></body></html>"
        );
        let top = top_block_text(&page);
        assert!(top[0].starts_with("Paragraph 1 "), "{top:?}");
    }

    #[test]
    fn the_articles_lead_chunk_at_the_headline_does_not_take_the_rest_s_place() {
        // the lead's chunk, a picture, then the rest of the article, each a few levels down
        let lead: String = (1..=2).map(long_paragraph).collect();
        let rest: String = (3..=5).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div><h1>The headline</h1></div><div><div><div>{lead}</div></div>\
             <div><img src=a.jpg><span>A photo</span></div><div><div>{rest}</div></div></div>\
             </body></html>"
        );
        let top = top_block_text(&page);
        assert!(top[0].starts_with("Paragraph 3 "), "{top:?}");
    }

    #[test]
    fn climbing_stops_at_the_article_element_before_the_next_story() {
        // an endless-scroll page appends the next story in an <article> of its own, cut into
        // chunks the same way
        let next: String = [20..22, 22..24, 24..25]
            .into_iter()
            .map(|range| {
                let text: String = range.map(long_paragraph).collect();
                format!("<div><div><div>{text}</div></div></div>")
            })
            .collect();
        let page = format!(
            "<html><body><div><h1>The headline</h1><div>{}<article><h2>The next story</h2>{next}</article></div></div></body></html>",
            unnamed_chunks(&[4, 2, 3])
        );
        let article = extract(&page);
        let paragraphs = paragraph_lines(&article);
        assert_eq!(paragraphs.len(), 9, "{:?}", article.lines);
        assert!(
            paragraphs[8].starts_with("Paragraph 9 "),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn climbing_to_the_whole_article_stops_short_of_an_unnamed_comment_thread() {
        // the comments beside the article carry a name, a time and a reply link with every
        // paragraph, and no class or id says what they are
        let comment = |n: usize| {
            format!(
                "<div><div><a href=/user/{n}>Reader {n}</a> <span>{n} hours ago</span></div>\
                 <p>Comment {n}: I have followed this story for years, and this report, with \
                 its numbers, is the best summary of it that I have read so far.</p>\
                 <a href=#reply>Reply</a> <a href=#like>Like</a></div>"
            )
        };
        let comments: String = (1..=6).map(comment).collect();
        let page = format!(
            "<html><body><div><h1>The headline</h1><div>{}<section><h3>6 comments</h3>{comments}</section></div></div></body></html>",
            unnamed_chunks(&[4, 2, 3])
        );
        let article = extract(&page);
        assert_no_line_contains(&article, "Comment");
        assert_eq!(paragraph_lines(&article).len(), 9, "{:?}", article.lines);
    }

    #[test]
    fn a_subheading_in_a_block_of_its_own_between_chunks_joins_the_article() {
        // each chunk of the article is its own "article--text" block; one holds only the
        // subheading before the next chunk, another only a footer heading before a link list
        let chunk = |from: usize, count: usize| {
            let text: String = (from..from + count).map(long_paragraph).collect();
            format!("<div><div class='article--text x1'>{text}</div></div>")
        };
        let page =
            format!(
            "<html><body><article>{}<div><div class='article--text x1'><h2>What comes next</h2>\
             </div>{}</div>{}</article><div class='article--text x1'><h3>Follow us</h3></div>\
             <ul><li><a href='/a'>Facebook</a></li><li><a href='/b'>X</a></li></ul>\
             </body></html>",
            chunk(1, 3),
            chunk(4, 3).replace("<div><div", "<div").replace("</div></div>", "</div>"),
            chunk(7, 2)
        );
        let article = extract(&page);
        assert!(
            article.lines.iter().any(|line| line == "What comes next"),
            "{:?}",
            article.lines
        );
        let heading = article.lines.iter().position(|l| l == "What comes next");
        assert_eq!(heading, Some(3), "{:?}", article.lines);
        assert!(!article.lines.iter().any(|line| line == "Follow us"));
    }

    #[test]
    fn a_one_sentence_chunk_between_chunks_joins_the_article() {
        // every paragraph is its own "article--text" block with a picture here and there; one
        // is a single short sentence, too light to join on its own score; a short block of the
        // same style after the article, past a teaser line, stays out
        let chunk =
            |inner: String| format!("<div><div class='article--text x1'>{inner}</div></div>");
        let picture = "<div class='pic'><img src=x.jpg></div>";
        let page = format!(
            "<html><body><article>{}{}{picture}{}{}</article>\
             <p class='teaser'><a href=/more>More from the campaign trail</a></p>\
             {}</body></html>",
            chunk(long_paragraph(1)),
            chunk(long_paragraph(2)),
            chunk("<p>Names will not be in the agreement.</p>".to_string()),
            chunk(long_paragraph(3)),
            chunk("<p>Subscribe for the morning briefing today.</p>".to_string()),
        );
        let article = extract(&page);
        assert_eq!(
            article.lines.get(2).map(String::as_str),
            Some("Names will not be in the agreement."),
            "{:?}",
            article.lines
        );
        assert!(article.lines[3].starts_with("Paragraph 3"));
        assert!(!article.lines.iter().any(|line| line.contains("Subscribe")));
    }

    #[test]
    fn commas_of_every_script_score_the_paragraph() {
        // Readability's comma point counts the full-width and ideographic commas of Chinese and
        // Japanese and the Arabic comma: a Chinese article's clauses outweigh a block of as
        // many comma-less lines beside it
        let article_paragraph = |n: usize| {
            format!(
                "<p>第{n}段，国务院总理今天在北京会见了来访的代表团，双方就经贸合作、\
                 科技交流和人文往来等议题深入交换了意见，并签署了多项合作文件。</p>"
            )
        };
        let other_paragraph = |n: usize| {
            format!(
                "<p>第{n}条推荐阅读的其他新闻标题在这里显示出来供读者点击查看更多内容\
                 以及相关的图片和视频报道请关注我们的官方账号获取最新消息动态</p>"
            )
        };
        let page = format!(
            "<html><body><div><div><div id='a'>{}{}{}</div></div></div>\
             <div><div><div id='b'>{}{}{}{}{}</div></div></div></body></html>",
            article_paragraph(1),
            article_paragraph(2),
            article_paragraph(3),
            other_paragraph(1),
            other_paragraph(2),
            other_paragraph(3),
            other_paragraph(4),
            other_paragraph(5)
        );
        let article = extract(&page);
        assert!(
            article
                .lines
                .first()
                .is_some_and(|line| line.starts_with("第1段")),
            "{:?}",
            article.lines
        );
        assert!(
            !article.lines.iter().any(|line| line.contains("推荐阅读")),
            "{:?}",
            article.lines
        );
        for comma in [',', '，', '、', '،'] {
            assert!(is_comma(comma), "{comma}");
        }
        assert!(!is_comma('。') && !is_comma('.'));
    }

    #[test]
    fn short_japanese_paragraphs_are_paragraphs() {
        // twenty kana and kanji say as much as sixty Latin letters: paragraphs under 25
        // characters are the article's when they are Japanese
        let paragraph = |n: usize| format!("<p>第{n}回の調査では、攻撃の件数が大きく増えた。</p>");
        let page = format!(
            "<html><body><div class='menu'><a href='/a'>ホーム</a> <a href='/b'>ニュース</a></div>\
             <div><div>{}{}{}{}</div></div>\
             <div class='box'><span>速報</span><span>新着</span></div></body></html>",
            paragraph(1),
            paragraph(2),
            paragraph(3),
            paragraph(4)
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 4, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("第1回"), "{:?}", article.lines);
    }

    #[test]
    fn lines_that_mark_an_advertisement_go() {
        for line in [
            "Article continues below",
            "Story continues below advertisement",
            "ADVERTISEMENT - SCROLL TO CONTINUE READING",
            "Der Artikel geht unten weiter",
            "Weiterlesen nach der Anzeige",
            "Artikel wird nach der Werbung fortgesetzt",
            "La suite après la publicité",
            "L’article continue ci-dessous",
            "El artículo continúa debajo de la publicidad",
            "Sigue leyendo debajo",
            "L'articolo continua sotto",
            "O texto continua após a publicidade",
            "Het artikel gaat verder onder de advertentie",
            "— Lees verder na de advertentie —",
        ] {
            assert!(is_ad_break(line), "{line}");
        }
        for line in [
            "The story continues below the surface of the talks, officials said.",
            "Die Suite des Hotels liegt unten am See.",
            "Article",
            "Continue",
            "La suite",
        ] {
            assert!(!is_ad_break(line), "{line}");
        }
        assert_goes_between_paragraphs("Der Artikel geht unten weiter");
    }

    #[test]
    fn a_sites_cookie_notice_goes() {
        for line in [
            "We use cookies to ensure that we give you the best experience on our website.OkRead more",
            "Wir nutzen Cookies",
            "Diese Website verwendet Cookies, um so geil zu sein wie sie ist.",
            "Auf unserer Website werden Cookies gemäß unserer Datenschutzerklärung verwendet.",
            "Achtung: bitte aktivieren Sie Cookies um diese Seite anzusehen!",
            "Nous utilisons les témoins de navigation (cookies) afin d'opérer nos services.",
            "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
            "Questo sito utilizza cookie tecnici e di profilazione.",
            "Deze website maakt gebruik van cookies.",
            "このサイトでは、利用状況の把握や広告配信などのために、Cookieなどを使用してアクセスデータを取得・利用しています。",
            "Cookieなどの設定や使用の詳細、オプトアウトについては詳細をご覧ください。",
            "Cookie Policy",
            "Use of this site constitutes acceptance of our User Agreement and Privacy Policy and Cookie Statement.",
        ] {
            assert!(is_cookie_notice(line), "{line}");
        }
        // an article's sentences about cookies stay
        for line in [
            "We debuted Privacy Badger, the best cookie-eater around.",
            "Meta says the new rules on cookies will cost it billions.",
            "Cookies and cakes were sold at the school fair on Saturday.",
            "The court found that the site's cookie banner broke the law.",
        ] {
            assert!(!is_cookie_notice(line), "{line}");
        }
        assert_goes_between_paragraphs(
            "Diese Website verwendet Cookies, um die Nutzung zu analysieren.",
        );
    }

    #[test]
    fn headlines_inside_teaser_links_stay_out_of_a_short_articles_body() {
        // a one-paragraph article beside a grid of teaser cards whose link wraps the headline
        // block (`<a><h2>…</h2></a>`): the paragraph reading of the page, tried because the
        // article is short, must not read those headlines as the page's own text
        let headlines = [
            "Updates: the road is to be closed for a while yet after a fuel leak",
            "Council issues statement after school confirms staff illness case",
            "Stolen car forced to stop by police after a high-speed chase",
            "Inside this stunning townhouse on sale for two and a half million",
            "Police arrest suspected bike thief after chasing him for a mile",
            "What all parents need to know as their children head back to school",
        ];
        let cards: String = headlines
            .iter()
            .enumerate()
            .map(|(n, headline)| {
                format!(
                    "<article class='card'><div class='card-image'><a href='/n/{n}'>\
                     <img src='/i/{n}.jpg' alt=''></a></div><div class='card-content'>\
                     <a href='/n/{n}'><h2 class='card-headline'>{headline}</h2></a></div>\
                     </article>"
                )
            })
            .collect();
        let page = format!(
            "<html><head><title>Woman hurt after being hit by car</title></head><body>\
             <h1>Woman hurt after being hit by car</h1><div class='article-body'><p>The woman \
             was walking along Station Street shortly after noon on Friday when she was hit \
             by the car.</p></div><div class='more'><h3>More stories</h3>{cards}</div>\
             </body></html>"
        );
        let body = extract(&page).lines.join("\n");
        assert!(body.contains("walking along Station Street"), "{body}");
        for headline in headlines {
            assert!(!body.contains(headline), "{body}");
        }
    }

    #[test]
    fn a_blogs_comments_heading_ends_a_short_post_before_long_comments() {
        let post = [
            "Chargers coach Anthony Lynn recognizes that his team's playoff hopes are slim.",
            "Lynn said after the game that winning Monday night was the most important step \
             toward getting back into the playoff race. Instead, they lost 24-17.",
        ];
        let comment = "It is time for both fans to come to grips with reality, it is over \
                       yet again, and the season ends in December as it always does here.";
        for heading in [
            "34 responses to “Anthony Lynn: “We needed to win this game””",
            "One thought on \"Anthony Lynn: we needed to win\"",
            "12 Antworten auf „Lynn: Wir mussten gewinnen“",
            "2 réflexions sur « Lynn : il fallait gagner »",
            "3 respuestas a «Lynn: teníamos que ganar»",
            "4 reacties op “Lynn: we moesten winnen”",
        ] {
            let mut lines: Vec<String> = post.iter().map(|line| line.to_string()).collect();
            lines.push(heading.to_string());
            lines.extend(std::iter::repeat_n(comment.to_string(), 12));
            cut_at_comment_notice(&mut lines);
            assert_eq!(lines, post, "{heading}");
        }
        // a sentence of the article that opens alike stays
        let mut lines: Vec<String> = post.iter().map(|line| line.to_string()).collect();
        lines.push("One response to “Brexit” has been to raise tariffs on imports.".to_string());
        lines.push(comment.to_string());
        cut_at_comment_notice(&mut lines);
        assert_eq!(lines.len(), 4, "{lines:?}");
    }

    /// Fails unless `line` goes from between two paragraphs when the body is trimmed.
    fn assert_goes_between_paragraphs(line: &str) {
        let mut lines: Vec<String> = ["First paragraph.", line, "Second."]
            .map(String::from)
            .to_vec();
        trim_section_labels(&mut lines);
        assert_eq!(lines, ["First paragraph.", "Second."], "{line}");
    }

    #[test]
    fn a_short_twin_inside_a_twin_is_read_once() {
        // the short paragraph's block and the block around it carry the same class: the inner
        // one joins on its score, the outer one must not join again around it
        let page = format!(
            "<html><body><article><div class='t'>{}{}</div>\
             <div class='t'><div class='t'><p>A short one, with two commas, here.</p></div></div>\
             <div class='t'>{}{}</div></article></body></html>",
            long_paragraph(1),
            long_paragraph(2),
            long_paragraph(3),
            long_paragraph(4)
        );
        let article = extract(&page);
        let short = article
            .lines
            .iter()
            .filter(|line| line.starts_with("A short one"))
            .count();
        assert!(short <= 1, "{:?}", article.lines);
        assert_eq!(article.lines.len(), 4 + short, "{:?}", article.lines);
    }

    #[test]
    fn microdata_written_out_as_elements_is_not_text() {
        // schema.org properties as elements (a stylesheet hides them): a photo's address, the
        // publisher's name and logo; a property holding prose, or an address inside a
        // sentence, is text
        let page = "<html><body><div class='meta'>\
             <div itemprop='image'>https://img.example.com/1044423427_1200x675.jpg</div>\
             <div itemprop='publisher' itemscope><div itemprop='name'>Example News</div>\
             <div itemprop='logo'><div itemprop='url'>https://img.example.com/logo.png</div>\
             </div></div></div><div itemprop='description'><p>The ministry reported thirty \
             new cases.</p></div><div itemprop='articleBody'><p>Details are at \
             https://example.com/figures today.</p></div></body></html>";
        let dom = Dom::parse(page);
        let sizes = measure(&dom, &vec![false; dom.nodes.len()]);
        let microdata: Vec<&str> = (0..dom.nodes.len())
            .filter(|&id| is_microdata(&dom, &sizes, id))
            .filter_map(|id| dom.attr(id, "itemprop"))
            .collect();
        assert_eq!(microdata, ["image", "publisher", "logo", "url"]);
    }

    #[test]
    fn a_stub_body_gives_way_to_the_article_a_script_would_show_or_hide() {
        let paragraphs: String = (1..=4).map(long_paragraph).collect();
        // a script-built page: an icon while loading, the article only in <noscript>
        let page = format!(
            "<html><body><div id='app'><i class='icon'>\u{e900}</i> Loading</div>\
             <noscript><div class='post'><h1>Title</h1>{paragraphs}</div></noscript></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 4, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Paragraph 1"));
        // a post that a script reveals
        let page = format!(
            "<html><body><div class='icon'>\u{e900}\u{e901}</div>\
             <div class='post' style='display: none'>{paragraphs}</div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 4, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Paragraph 1"));
    }

    #[test]
    fn a_small_box_named_as_text_gives_way_to_the_article_it_stands_beside() {
        // a CMS's teaser boxes are named "textpic-text"; the press release itself sits in an
        // unnamed frame of paragraphs
        let teaser = "<div class='csc-textpic-text'><p>The service app tells you what to do in an \
                      emergency abroad, for iOS and Android.</p></div>";
        let release: String = (1..=5).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div class='col-8'><div class='frame'>{release}</div></div>\
             <div class='col-4'>{teaser}{teaser}</div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 5, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Paragraph 1"));
    }

    #[test]
    fn a_page_showing_none_of_its_article_falls_back_to_its_structured_description() {
        // a video's page: the player and a list of links, the story only in the JSON-LD
        let page = r#"<html><head><script type="application/ld+json">{"@type":"NewsArticle",
            "description":"A 98-year-old World War II veteran left a hospital in Kettering, England, on April 22, to applause from staff after beating COVID-19, the hospital said."}
            </script></head><body><div class="player"><span>Today's Most Popular Articles</span></div>
            <ul><li><a href="/a">One</a></li><li><a href="/b">Two</a></li></ul></body></html>"#;
        let article = extract(page);
        assert_eq!(article.lines.len(), 1, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("A 98-year-old World War II veteran"));
    }

    #[test]
    fn a_lone_paragraph_before_the_article_is_its_lead_only_in_the_articles_style() {
        let text = |n: usize| {
            format!(
                "Paragraph {n} of the report, with several clauses, names and numbers, long \
                 enough to be read as the running text of a news article rather than a label."
            )
        };
        let body: String = (2..=7)
            .map(|n| format!("<p class='story-paragraph'>{}</p>", text(n)))
            .collect();
        let page = |lead_class: &str| {
            format!(
                "<html><body><div class='main'><div class='lead-wrap'>\
                 <p class='{lead_class}'>{}</p></div>\
                 <div class='story-body'>{body}</div></div></body></html>",
                text(1)
            )
        };
        let article = extract(&page("story-paragraph"));
        assert!(
            article.lines[0].starts_with("Paragraph 1"),
            "{:?}",
            article.lines
        );
        let article = extract(&page("standfirst"));
        assert!(
            article.lines[0].starts_with("Paragraph 2"),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn divs_of_spans_are_the_paragraphs_of_a_page_written_without_p() {
        // an editor's markup: every paragraph a div holding one styled span, and a short
        // author's note in real paragraphs that would otherwise win
        let chapter: String = (1..=8)
            .map(|n| {
                format!(
                    "<div style='margin: 1em 0'><div style='direction: ltr'>\
                     <span style='font-family: arial'>Paragraph {n} of the chapter, with several \
                     clauses, names and numbers, long enough to be read as running text.</span>\
                     </div></div>"
                )
            })
            .collect();
        let page = format!(
            "<html><body><div class='author-note'>{}</div>\
             <div class='chapter-inner'>{chapter}</div></body></html>",
            (1..=4)
                .map(|n| format!(
                    "<p>Note {n} from the author before the chapter: thanks to the readers, \
                     the patrons and the editors, with news of the schedule, the next volume \
                     and the artwork, and an answer to the questions asked last week.</p>"
                ))
                .collect::<String>()
        );
        let article = extract(&page);
        let chapter_lines = article
            .lines
            .iter()
            .filter(|line| line.starts_with("Paragraph "))
            .count();
        assert_eq!(chapter_lines, 8, "{:?}", article.lines);
    }

    #[test]
    fn paragraphs_written_as_runs_between_line_breaks_are_the_article() {
        // an older content system: the review's paragraphs are spans between <br><br>, with a
        // picture and an ad slot among them; the site's complaints notice below is a real <p>
        let runs: String = (1..=6)
            .map(|n| {
                format!(
                    "<span style='font-weight: 400'>Paragraph {n} of the review, on the room, \
                     the menu and the service, long enough to be read as running text.</span>\
                     <br><br>"
                )
            })
            .collect();
        let page = format!(
            "<html><body><h1>A night at the new restaurant</h1>\
             <div class='entry'><div class='lightbox'><strong>Our critic tries the new place on \
             the high street.</strong><br><br>{runs}<img src='a.jpg'>\
             <div class='code-block'><script>ads.push({{}});</script></div>{runs}</div></div>\
             <div class='more'><ul>{links}</ul></div><div class='bottom'><div class='inner'><p>We endeavour to ensure that all our reports are fair and \
             accurate and comply with the code of practice. If you think we have made a \
             significant mistake, please let us know as soon as possible by email, by phone or \
             by letter to the editor, and we will attempt to resolve your issue in a timely, \
             reasonable and amicable manner. If you are unsatisfied with our response, you can \
             contact the regulator, which will investigate the matter.</p></div></div>\
             </body></html>",
            links = (1..=12)
                .map(|n| format!("<li><a href='/{n}'>More from the food pages, part {n}</a></li>"))
                .collect::<String>()
        );
        assert_keeps_and_drops(&page, "Paragraph 3 of the review", "We endeavour");
    }

    #[test]
    fn divs_of_phrasing_on_a_page_of_paragraphs_stay_boxes() {
        let body: String = (1..=6).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div class='block'>{body}</div>\
             <div class='block'><div><span>Get the best of our reporting, analysis and \
             commentary in your inbox, every Friday morning, free of charge: sign up for \
             the weekly newsletter, unsubscribe at any time.</span></div></div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 6, "{:?}", article.lines);
    }

    #[test]
    fn a_page_builders_widget_blocks_are_article_parts() {
        // every block of the article sits in a "widget" wrapper, as page builders write them
        let body: String = (1..=6)
            .map(|n| {
                format!(
                    "<div class='builder-widget-wrap'><div class='builder-widget builder-widget-text-editor'>\
                     <div class='builder-widget-container'>{}</div></div></div>",
                    long_paragraph(n)
                )
            })
            .collect();
        let page = format!(
            "<html><body><div class='site-header'><a href=/>Home</a></div>\
             <div class='sidebar-widget'><p>Subscribe to our letter, it is free and weekly and good.</p></div>\
             <div class='entry-content'>{body}</div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 6, "{:?}", article.lines);
        assert_no_line_contains(&article, "Subscribe");
    }

    #[test]
    fn a_furniture_name_on_the_wrapper_of_the_whole_article_is_overruled() {
        // the article's paragraphs all sit in a block named like furniture, inside the block
        // that names itself the post's content
        let body: String = (1..=6).map(long_paragraph).collect();
        let other: String = (20..=40).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div class='post-content'><div class='promo-wrap'>{body}</div></div>\
             <div class='x'>{other}</div></body></html>"
        );
        let article = extract(&page);
        assert!(
            holds_line_starting(&article, "Paragraph 1 "),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn a_call_to_action_widget_after_the_article_stays_out() {
        let body: String = (1..=6).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div class='content'><article>{body}</article>\
             <div class='zone-widget'><p>Support our newsroom and make a difference for readers \
             everywhere, with a gift of any size, today and every month.</p></div></div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 6, "{:?}", article.lines);
    }

    /// A body of `count` lines of article text, then `tail`.
    fn story_lines(count: usize, tail: &[&str]) -> Vec<String> {
        (1..=count)
            .map(|n| {
                format!("Paragraph {n} of the story, long enough to be the article's own text.")
            })
            .chain(tail.iter().map(|line| line.to_string()))
            .collect()
    }

    #[test]
    fn a_comment_sections_notice_ends_the_article() {
        let body = |tail: &[&str]| story_lines(8, tail);
        for notice in [
            "Comments are closed.",
            "You must be logged in to post a comment.",
            "Um einen Kommentar schreiben zu können, müssen Sie sich registrieren.",
            "L\u{2019}espace des contributions est réservé aux abonnés.",
            // the comment section's heading with its count, a call to write one
            "Kommentare (2)",
            "5 Comments",
            "Kommentare schreiben",
            // "comments are closed" in the other languages
            "Kommentarfeed | Kommentare geschlossen | Trackback-URL",
            "Kommentarfunktion ist geschlossen.",
            "Los comentarios están cerrados.",
            "I commenti sono chiusi.",
            "Comentários fechados.",
            "Reacties zijn gesloten.",
            // the heading of a note about the author, with the biography after it
            "Über den Autor",
            "About the Author",
            "À propos de l\u{2019}auteur",
            "Acerca del autor",
        ] {
            let mut lines = body(&[notice, "Great story, thanks!", "Home | About us"]);
            cut_at_comment_notice(&mut lines);
            assert_eq!(lines, body(&[]), "{notice}");
        }
        // the article's own call in a long line, a notice in the first two thirds: they stay
        for tail in [
            vec![
                "Surely we left some of your favourite gadgets off of this list, so tell us which \
                 one it was. Leave a comment and let us know what your favourite gadget is.",
            ],
            vec![
                "Comments are closed.",
                &"Paragraph 5 of the story, much longer. ".repeat(9),
            ],
            // a sentence about the author is no heading
            vec!["About the author of the report, little is known beyond her name."],
        ] {
            let mut lines = body(&tail);
            cut_at_comment_notice(&mut lines);
            assert_eq!(lines, body(&tail));
        }
    }

    #[test]
    fn a_comment_sections_heading_ends_the_article_in_a_page_without_names() {
        // the heading is also a section label: the article must end at it before it goes
        let body: String = (1..=4).map(long_paragraph).collect();
        for (heading, comment) in [
            (
                "Kommentare (2)",
                "<b>Hans</b> schrieb am 12.05.2023: Endlich tut sich was in dieser Stadt, das \
                 war längst überfällig und ist richtig so, finde ich jedenfalls!",
            ),
            (
                "Commentaires (2)",
                "<b>Jean</b> a écrit le 12/05/2023 : Enfin quelque chose bouge dans cette \
                 ville, il était temps et c'est très bien ainsi, à mon avis !",
            ),
        ] {
            let page = format!(
                "<html><body><div><h1>Council passes the budget</h1>{body}\
                 <div><h3>{heading}</h3><div>{comment}</div></div>\
                 <div><h3>Vous aimerez aussi</h3></div></div></body></html>"
            );
            let article = extract(&page);
            assert_eq!(article.lines.len(), 4, "{:?}", article.lines);
        }
    }

    #[test]
    fn the_description_under_the_headline_leads_to_the_article() {
        // no class names: a long column of notices elsewhere outscores the article, whose
        // lead the page's description repeats right under the headline
        let lead = "Der Oberarzt sagte am Dienstag im Fernsehen, viele Genesene litten noch \
                    Jahre später an chronischer Müdigkeit.";
        let article: String = (1..=3).map(long_paragraph).collect();
        let notices: String = (1..=30)
            .map(|n| {
                format!(
                    "<li><p>Notice {n}: with deep sorrow we announce that a resident of the \
                     town, aged {}, has died. The funeral is held on Friday, at eleven, in the \
                     parish church; flowers, not wreaths, please.</p></li>",
                    60 + n
                )
            })
            .collect();
        // the site's links between the two
        let links: String = (1..=12)
            .map(|n| format!("<a href='/s/{n}'>Section number {n} of the site</a> "))
            .collect();
        let page = |meta: &str| {
            format!(
                "<html><head><title>Genesene bleiben lange müde</title>{meta}</head><body>\
                 <div><div><h1>Genesene bleiben lange müde</h1><p>{lead}</p>{article}</div>\
                 </div><div>{links}</div><div><div><section><ul>{notices}</ul></section></div>\
                 </div></body></html>"
            )
        };
        let meta = format!("<meta property='og:description' content='{lead}'>");
        let found = extract(&page(&meta));
        assert!(
            holds_line_starting(&found, "Paragraph 1"),
            "{:?}",
            found.lines
        );
        assert_no_line_contains(&found, "Notice 3:");
        // without it the column wins, as before
        let found = extract(&page(""));
        assert!(
            !holds_line_starting(&found, "Paragraph 1"),
            "{:?}",
            found.lines
        );
    }

    #[test]
    fn a_note_about_the_author_at_the_end_goes() {
        let body = |last: &[&str]| story_lines(4, last);
        let authors = vec!["Laura E. Adkins".to_string(), "Reuters".to_string()];
        for note in [
            "Laura E. Adkins is the Forward's network editor. Contact her on Twitter.",
            "Laura E. Adkins (she/her) joined the paper in 2022.",
            "Laura E. Adkins ist Redakteurin bei der Zeitung.",
        ] {
            let mut lines = body(&[note, "Follow her at @adkins."]);
            drop_author_note(&mut lines, &authors);
            assert_eq!(lines, body(&[]), "{note}");
        }
        // the author quoted or named in the story, a one-word credit, a note that is half the
        // body, a note before the last three lines: all stay
        for (last, authors) in [
            (
                vec!["Laura E. Adkins said the vote was close."],
                authors.clone(),
            ),
            (vec!["Reuters is a news agency."], authors.clone()),
            (
                vec!["Laura E. Adkins is an editor. ".repeat(8).trim_end()],
                authors.clone(),
            ),
            (
                vec!["Laura E. Adkins is an editor.", "One.", "Two.", "Three."],
                authors.clone(),
            ),
        ] {
            let mut lines = body(&last);
            drop_author_note(&mut lines, &authors);
            assert_eq!(lines, body(&last));
        }
        let mut lines = body(&["Laura E. Adkins is an editor."]);
        drop_author_note(&mut lines, &[]);
        assert_eq!(lines.len(), 5);
        // the story's own subject, a longer name, a past tense: not a note about the author
        for last in [
            "Laura E. Adkins is survived by her two sons.",
            "Laura E. Adkinson is a reporter.",
            "Laura E. Adkins was detained for six hours at the border.",
        ] {
            let mut lines = body(&[last]);
            drop_author_note(&mut lines, &authors);
            assert_eq!(lines, body(&[last]));
        }
        // curly and straight apostrophes match; a later note is tried when an earlier line
        // that looks like one would take too much
        let mut lines = body(&["Dara O\u{2019}Brien is our Dublin correspondent."]);
        drop_author_note(&mut lines, &["Dara O'Brien".to_string()]);
        assert_eq!(lines, body(&[]));
        let long = format!("Laura E. Adkins is {}", "a long story. ".repeat(30));
        let mut lines = body(&[&long, "Laura E. Adkins is an editor."]);
        drop_author_note(&mut lines, &authors);
        assert_eq!(lines, body(&[&long]));
    }

    #[test]
    fn short_sentences_in_the_articles_flow_join_it() {
        // a tabloid's one-sentence paragraphs beside the container that holds the rest
        let rest: String = (3..=9).map(long_paragraph).collect();
        let page = |before: &str, between: &str, after: &str| {
            format!(
                "<html><body><div class='p402_hide'>{before}{}{between}<div id='rest'>{rest}</div>\
                 {after}</div><div class='footer'><a href=/a>About us</a></div></body></html>",
                long_paragraph(1)
            )
        };
        let article = extract(&page(
            "<p class='first'>A PEDESTRIAN was hurt in a crash.</p><p>She is 34 years old.</p>",
            "<p>Police closed the road for two hours.</p><p>He was held at the scene.</p>",
            "",
        ));
        assert_eq!(article.lines.len(), 12, "{:?}", article.lines);
        assert_eq!(article.lines[0], "A PEDESTRIAN was hurt in a crash.");
        assert_eq!(article.lines[1], "She is 34 years old.");
        assert_eq!(article.lines[3], "Police closed the road for two hours.");
        assert_eq!(article.lines[4], "He was held at the scene.");
        // a line after the last kept block, a fragment, an ellipsis, a link, a standfirst, a
        // pull quote, or a line past furniture stays out
        for (before, between, after) in [
            ("", "", "<p>Follow us on all the networks today.</p>"),
            ("<p>Updated on the third of June</p>", "", ""),
            (
                "<p>\u{201c}We are all concerned with events \u{2026}\u{201d}</p>",
                "",
                "",
            ),
            ("<p>We are all concerned with these events ...</p>", "", ""),
            (
                "<p>Police named the driver as <a href=/x>Smith</a>.</p>",
                "",
                "",
            ),
            (
                "<p class='standfirst'>Ministers agree to raise the wage.</p>",
                "",
                "",
            ),
            (
                "",
                "<p>\u{201c}We will not back down on this,\u{201d} she said.</p>",
                "",
            ),
            (
                "<p>Our offices will be closed on Monday.</p>\
                 <div class='share-bar'><a href=/s>Share</a></div>",
                "",
                "",
            ),
        ] {
            let article = extract(&page(before, between, after));
            assert_eq!(
                article.lines.len(),
                8,
                "{before}{between}{after}: {:?}",
                article.lines
            );
        }
        // a lone line right before the article's container is no part of the flow
        let lone = format!(
            "<html><body><div class='p402_hide'><p>Ministers agree to raise the wage today.</p>\
             <div id='rest'>{rest}</div></div></body></html>"
        );
        assert_eq!(extract(&lone).lines.len(), 7, "{:?}", extract(&lone).lines);
    }

    #[test]
    fn a_lead_in_a_row_of_its_own_joins_the_body() {
        // grid layouts put the first paragraphs in one row and the rest in the next
        let lead: String = (1..=2).map(long_paragraph).collect();
        let rest: String = (3..=12).map(long_paragraph).collect();
        let page = format!(
            "<html><body><section class='grid'><div class='row'><div class='col'>{lead}</div></div>\
             <div class='row wide'><div class='col-8'>{rest}</div></div></section>\
             <div class='footer-links'><a href=/a>About us and our long list of links</a></div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 12, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Paragraph 1 "));
    }

    #[test]
    fn a_lone_standfirst_before_the_body_stays_out() {
        let rest: String = (3..=12).map(long_paragraph).collect();
        let page = format!(
            "<html><body><section class='grid'><div class='row'><div class='col'><p>A standfirst \
             that sums the story up in one sentence of about a hundred characters.</p></div></div>\
             <div class='row wide'><div class='col-8'>{rest}</div></div></section></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 10, "{:?}", article.lines);
    }

    /// A page whose article opens in a block of its own, then `between`, then the rest.
    fn parted_article(lead: &str, between: &str) -> String {
        let rest: String = (3..=10).map(long_paragraph).collect();
        format!(
            "<html><body><h1>The headline of the report</h1><div class='page'><div>{lead}</div>\
             {between}<div>{rest}</div></div><div class='footer-links'><a href=/a>About us</a>\
             </div></body></html>"
        )
    }

    #[test]
    fn the_lead_is_kept_across_a_box_of_links_or_a_picture() {
        let links: String = (0..5)
            .map(|i| format!("<li><a href=/r{i}>Another story of the day number {i}</a></li>"))
            .collect();
        for between in [
            format!("<ul>{links}</ul>"),
            "<div><img src=/a.jpg><span>Picture: an agency</span></div>".to_string(),
        ] {
            let article = extract(&parted_article(&long_paragraph(1), &between));
            assert_eq!(article.lines.len(), 9, "{between}: {:?}", article.lines);
            assert!(
                article.lines[0].starts_with("Paragraph 1 "),
                "{:?}",
                article.lines
            );
        }
        // two boxes between are two: the block before them is no longer the article's lead
        let two = format!("<ul>{links}</ul><div><img src=/a.jpg><span>Picture</span></div>");
        let article = extract(&parted_article(&long_paragraph(1), &two));
        assert_eq!(article.lines.len(), 8, "{:?}", article.lines);
    }

    #[test]
    fn a_lead_that_links_names_in_its_sentences_is_prose() {
        let picture = "<div><img src=/a.jpg></div>";
        let linked = "<p>Paragraph 1 of the report names <a href=/p>the minister of transport \
                      and the mayor</a> and <a href=/q>the council</a>, and quotes both of them \
                      at length.</p>";
        let article = extract(&parted_article(linked, picture));
        assert_eq!(article.lines.len(), 9, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Paragraph 1 "));
        // a teaser's line ends in its link
        let teaser = "<p>Paragraph 1 of the report names the minister and the mayor, and quotes \
                      both. <a href=/p>Read more on the report and the minister...</a></p>";
        let article = extract(&parted_article(teaser, picture));
        assert_eq!(article.lines.len(), 8, "{:?}", article.lines);
    }

    #[test]
    fn a_lone_bare_paragraph_before_bare_paragraphs_is_the_lead_unless_named_a_standfirst() {
        let between = "<div><img src=/a.jpg></div>";
        let article = extract(&parted_article(&long_paragraph(1), between));
        assert_eq!(article.lines.len(), 9, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Paragraph 1 "));
        for name in ["standfirst", "article-intro", "dek"] {
            let lead = format!("<div class='{name}'>{}</div>", long_paragraph(1));
            let article = extract(&parted_article(&lead, between));
            assert_eq!(article.lines.len(), 8, "{name}: {:?}", article.lines);
        }
    }

    #[test]
    fn a_bare_block_before_the_body_that_tells_another_story_is_no_lead() {
        let links: String = (0..5)
            .map(|i| format!("<li><a href=/r{i}>Another story of the day number {i}</a></li>"))
            .collect();
        for (lead, between) in [
            (
                "<p>Sign up for our free morning newsletter and get the day's top stories \
                 delivered to your inbox every weekday before breakfast.</p>",
                format!("<ul>{links}</ul>"),
            ),
            (
                "<p>John Smith is a senior reporter covering transport and housing, and has \
                 written for the paper since he left university in Leeds.</p>",
                "<div><img src=/a.jpg></div>".to_string(),
            ),
        ] {
            let article = extract(&parted_article(lead, &between));
            assert_eq!(article.lines.len(), 8, "{:?}", article.lines);
        }
    }

    #[test]
    fn a_lead_that_repeats_the_article_stays_out() {
        let lead = long_paragraph(3);
        let article = extract(&parted_article(&lead, "<div><img src=/a.jpg></div>"));
        assert_eq!(article.lines.len(), 8, "{:?}", article.lines);
        assert!(article.lines[0].starts_with("Paragraph 3 "));
    }

    #[test]
    fn adverts_and_comments_named_in_more_languages_are_furniture() {
        let body: String = (1..=5).map(long_paragraph).collect();
        let other = "<p>Text that is not the article's, written at length as an advertiser or a \
            reader writes it, long enough to read as running text of its own block.</p>";
        for name in [
            "reklama",
            "reklame-box",
            "komentarze",
            "annonce",
            "anuncio-top",
        ] {
            let page = format!(
                "<html><body><h1>The headline of the report</h1><div class='article'>{body}\
                 <div class='{name}'>{other}{other}</div></div></body></html>"
            );
            let article = extract(&page);
            assert_eq!(article.lines.len(), 5, "{name}: {:?}", article.lines);
        }
    }

    #[test]
    fn a_full_body_is_not_padded_with_teasers_elsewhere() {
        let body: String = (1..=6).map(long_paragraph).collect();
        let teasers: String = (0..4)
            .map(|i| {
                format!(
                    "<li><h3><a href=/s{i}>Other story {i}</a></h3>{}</li>",
                    long_paragraph(10 + i)
                )
            })
            .collect();
        let page = format!(
            "<html><body><main><article class='story'>{body}</article></main>\
             <div class='more'><ul class='list'>{teasers}</ul></div></body></html>"
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 6, "{:?}", article.lines);
    }

    #[test]
    fn the_pages_own_article_body_decides_between_candidates() {
        let paragraphs: Vec<String> = (1..=6).map(long_paragraph).collect();
        let plain: Vec<String> = paragraphs
            .iter()
            .map(|p| {
                p.trim_start_matches("<p>")
                    .trim_end_matches("</p>")
                    .to_string()
            })
            .collect();
        let json_ld = serde_json::json!({"@type": "NewsArticle", "articleBody": plain.join(" ")});
        let page = format!(
            "<html><head><script type='application/ld+json'>{json_ld}</script></head><body>\
             <div class='article-content'><p>A short standfirst of the story, nothing more, \
             in the container the hints point at.</p></div><div>{}</div></body></html>",
            paragraphs.concat()
        );
        let article = extract(&page);
        assert!(
            article.lines.iter().any(|l| l.starts_with("Paragraph 6")),
            "{:?}",
            article.lines
        );
        // a teaser articleBody shorter than the page's text never replaces it
        let teaser =
            serde_json::json!({"@type": "NewsArticle", "articleBody": format!("{} ...", plain[0])});
        let page = format!(
            "<html><head><script type='application/ld+json'>{teaser}</script></head><body>\
             <article>{}</article></body></html>",
            paragraphs.concat()
        );
        assert_eq!(extract(&page).lines.len(), 6);
    }

    #[test]
    fn a_page_without_paragraphs_gives_its_own_article_body() {
        // every sentence of the article is a link (a content system's "plain links"), so no
        // block reads as a paragraph; the page states its body in JSON-LD
        let sentences: Vec<String> = (1..=4)
            .map(|n| {
                format!(
                    "Sentence {n} of the market story tells where the stalls stand, when the \
                     doors open and what the visitors will find there this weekend."
                )
            })
            .collect();
        let linked: String = sentences
            .iter()
            .map(|s| format!("<p><a href='https://example.org/event'>{s}</a></p>"))
            .collect();
        let page = |json_ld: &str| {
            format!(
                "<html><head>{json_ld}</head><body><div class='top'>News you can trust since \
                 1877</div><div class='player'>Watch more of our videos on Shots!</div>\
                 <div class='article-content'>{linked}</div></body></html>"
            )
        };
        let json_ld = format!(
            "<script type='application/ld+json'>{}</script>",
            serde_json::json!({"@type": "NewsArticle", "articleBody": sentences.join("  ")})
        );
        let article = extract(&page(&json_ld));
        assert_eq!(
            article.lines,
            vec![sentences
                .join("  ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")],
        );
        // without it, the page's text is all there is
        let article = extract(&page(""));
        assert!(
            article.lines.iter().any(|l| l.contains("Watch more")),
            "{:?}",
            article.lines
        );
    }

    #[test]
    fn a_widget_named_after_the_post_is_still_a_widget() {
        // a blog's likes widget and newsletter box carry the post's name ("like-post-wrapper",
        // "single-post") beside their own; with no paragraph of their own they go
        let body: String = (1..=3).map(long_paragraph).collect();
        for (label, button) in [("Like this:", "Like"), ("Gefällt mir:", "Gefällt mir")] {
            let page = format!(
                "<html><body><article class='post'><h1 class='entry-title'>A walk in the \
                 hills</h1><div class='entry-content'>{body}\
                 <div class='sharedaddy sd-block sd-like jetpack-likes-widget-wrapper' \
                 id='like-post-wrapper-1'><h3 class='sd-title'>{label}</h3><div \
                 class='likes-widget-placeholder'><span class='button'><span>{button}</span>\
                 </span> <span class='loading'>Loading...</span></div></div>\
                 <div class='newsletter-signup-container single-post'><legend>Get the \
                 newsletter</legend><label>Email address</label></div></div></article>\
                 </body></html>"
            );
            let article = extract(&page);
            assert_eq!(article.lines.len(), 3, "{:?}", article.lines);
        }
        // a block so named that holds the article's paragraphs stays
        let page = format!(
            "<html><body><div class='post-content share-enabled'>{body}</div>\
             <div class='sidebar'>{}</div></body></html>",
            long_paragraph(9)
        );
        assert_eq!(extract(&page).lines.len(), 3);
    }

    #[test]
    fn sections_with_ids_made_from_headings_are_not_furniture() {
        let body: String = (1..=3).map(long_paragraph).collect();
        let page = format!(
            "<html><body><div class='content'><div class='section' id='intro'>{body}\
             <div class='section' id='sharing-with-a-single-developer'>{}{}</div>\
             <div class='section' id='share-tools'><a href=/fb>Share</a></div></div></div></body></html>",
            long_paragraph(4),
            long_paragraph(5)
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 5, "{:?}", article.lines);
        assert!(is_heading_slug("getting-into-trouble-with-shared-history"));
        assert!(!is_heading_slug("share-tools"));
        assert!(!is_heading_slug("taboola-below-article-thumbnails"));
    }

    #[test]
    fn article_split_in_same_class_chunks_is_joined() {
        let p = |n: usize| {
            format!("<p>Paragraph {n} of the story, with commas, clauses, and enough words to be read as article text.</p>")
        };
        let page = format!(
            "<html><body><div class='wrap'><div class='chunk body'>{}{}{}</div></div>\
             <div class='ad-slot'><a href=/x>Buy now</a></div>\
             <section><div class='chunk body'>{}{}</div></section>\
             <div class='chunk body'><a href=/a>Other story one headline here</a> <a href=/b>Other story two headline</a></div>\
             </body></html>",
            p(1), p(2), p(3), p(4), p(5)
        );
        let article = extract(&page);
        assert_eq!(article.lines.len(), 5, "{:?}", article.lines);
        assert!(article.lines[4].starts_with("Paragraph 5"));
    }

    #[test]
    fn a_list_of_long_items_after_the_text_is_part_of_the_article() {
        // the programme in its own container of the article's class, as a numbered list
        let item = |n: usize| {
            format!("<li><strong>Point {n}:</strong> we want fair wages, training for everyone and working hours that fit family life, paid for by the federal budget over the next four years.</li>")
        };
        let page = format!(
            "<html><body><nav><ul><li><a href=/a>Home</a></li><li><a href=/b>Topics</a></li></ul></nav>\
             <div class='container'><div class='bodyText'>{}{}</div></div>\
             <div class='container'><div class='bodyText'><h2>What we will do</h2><ol>{}{}{}</ol></div></div>\
             </body></html>",
            long_paragraph(1),
            long_paragraph(2),
            item(1),
            item(2),
            item(3)
        );
        let article = extract(&page);
        assert!(
            article.lines.iter().any(|line| line.contains("Point 3:")),
            "{:?}",
            article.lines
        );
        assert!(!article.lines.iter().any(|line| line == "Home"));
    }

    #[test]
    fn text_right_inside_an_article_element_is_read() {
        let sentence = "もっぱら映画は映画館で見る派の筆者だが、最近、映像配信サービスで魅力的なドラマや映画、それもオリジナル作品が増えてきているように思う。";
        let sentence = format!("{sentence}{sentence}");
        let page = format!(
            "<html><body><div class='page'><div class='side'><div>A teaser for another story in the sidebar written out as a \
             sentence of its own so that it reads like running text of more than eighty characters.</div></div>\
             <div class='column'><article class='arti-body'>{sentence}<br><br>{sentence}<br><br>{sentence}</article></div></div>\
             <footer><p>Copyright</p></footer></body></html>"
        );
        let article = extract(&page);
        assert_eq!(
            article.lines.first(),
            Some(&sentence),
            "{:?}",
            article.lines
        );
        assert!(!article.lines.iter().any(|line| line.contains("teaser")));
    }

    #[test]
    fn a_feature_cut_into_many_named_text_blocks_is_read_whole() {
        // narrative blocks and quote blocks of two kinds, pictures between them
        let narrative = |n: usize| {
            format!("<div class='g-block'><div class='g-text'><p>Narrative part {n} of the feature, with clauses, names, places, and numbers, long enough to read as running text of the story.</p></div></div>")
        };
        let quote = |n: usize| {
            format!("<div class='g-block'><figure><img src='{n}.jpg'></figure><div class='g-portrait-text'><p>Quote {n}: it has been in the family since 1912, kept on a piano, then a closet, then a safe deposit box.</p></div></div>")
        };
        let page = format!(
            "<html><body><div class='g-blocks'>{}{}{}{}{}{}</div><div class='footer-links'><a href=/a>About</a></div></body></html>",
            narrative(1), quote(1), narrative(2), quote(2), narrative(3), quote(3)
        );
        let article = extract(&page);
        for needle in [
            "Narrative part 1",
            "Narrative part 3",
            "Quote 1:",
            "Quote 3:",
        ] {
            assert!(
                article.lines.iter().any(|line| line.starts_with(needle)),
                "{needle}: {:?}",
                article.lines
            );
        }
    }
}
