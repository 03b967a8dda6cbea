//! Page metadata from markup first, text second: title, byline and authors, published and
//! modified dates, canonical URL, site name, language and JSON-LD, read in one pass over the
//! parsed page.
//!
//! - Title: JSON-LD `headline`, `og:title`, `twitter:title`, `<title>`; the first `<h1>` wins
//!   when one of those starts with it (the rest is furniture), or when only the `<title>` is
//!   there and the page's one `<h1>` tells the same story in other words; site names,
//!   sections and dates at either end are cut when they are the outlet's (`og:site_name`, the
//!   JSON-LD publisher, the host).
//! - Published: JSON-LD `datePublished`, meta tags (Open Graph, parsely, sailthru, Dublin
//!   Core, ...), `itemprop="datePublished"`, `<time datetime>`, the URL path, then a date
//!   written in an element whose class names a date, in seven languages. Never inside a
//!   comment section or a footer; scripts are never read as text. `modified` is kept apart.
//! - Authors: JSON-LD `author`, `itemprop="author"`, meta tags, `rel="author"` links, as
//!   written; the extract stage splits them and tells persons from agencies and outlets.

use std::collections::{HashMap, HashSet};

use crate::decode::{decode_entities, normalize_line};
use crate::dom::{Dom, NodeId, NodeKind};
use crate::html::HtmlArticle;

/// The headline's element: of the `<h1>`s with text, the first that the page's `<title>` or
/// `og:title` repeats, else the first (a section's or the site's name may come before the
/// article's); on a page whose only `<h1>` is its logo, the first such `<h2>` or `<h3>`.
pub(crate) fn headline_of(dom: &Dom) -> Option<NodeId> {
    let count = dom.nodes.len();
    let titles: Vec<String> = (0..count)
        .filter_map(|id| match dom.tag(id)? {
            "title" => Some(text_of(dom, id)),
            "meta" => dom
                .attr(id, "property")
                .or_else(|| dom.attr(id, "name"))
                .filter(|key| key.trim().eq_ignore_ascii_case("og:title"))
                .and_then(|_| dom.attr(id, "content"))
                .map(|content| normalize_line(&decode_entities(content))),
            _ => None,
        })
        .map(|title| title.to_lowercase())
        .filter(|title| !title.is_empty())
        .collect();
    let in_title = |id: NodeId| {
        let text = text_of(dom, id).to_lowercase();
        text.chars().count() >= 10 && titles.iter().any(|title| title.contains(&text))
    };
    let h1s: Vec<NodeId> = (0..count)
        .filter(|&id| dom.tag(id) == Some("h1") && !text_of(dom, id).is_empty())
        .collect();
    if let Some(&first) = h1s.first() {
        return Some(
            h1s.iter()
                .copied()
                .find(|&id| in_title(id))
                .unwrap_or(first),
        );
    }
    (0..count).find(|&id| matches!(dom.tag(id), Some("h2" | "h3")) && in_title(id))
}

/// Full-width punctuation (ideographic and full-width forms): no space around it.
fn wide_punctuation(ch: char) -> bool {
    matches!(ch as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

/// A character of a script written without spaces between words (kana, Han) or their
/// full-width punctuation; Korean spaces its words and is not one.
fn wide(ch: char) -> bool {
    matches!(ch as u32,
        0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Text of a byline's subtree with its blocks set apart by " | " ("By Joe Davidson | Washington
/// Post | Dec 13, 2016"), so that a name does not run into the next block's outlet or date.
fn byline_text_of(dom: &Dom, id: NodeId) -> String {
    let mut out = String::new();
    let mut stack = vec![(id, false)];
    while let Some((node, leaving)) = stack.pop() {
        let block = node != id
            && dom
                .tag(node)
                .is_some_and(|tag| crate::html::BLOCK_TAGS.contains(&tag) || tag == "time");
        if block && !out.trim_end().is_empty() && !out.trim_end().ends_with('|') {
            out.push_str(" | ");
        }
        if leaving {
            continue;
        }
        if let NodeKind::Text { start, end } = dom.nodes[node].kind {
            let text = decode_entities(&dom.source[start..end]);
            if text.starts_with([',', '.', ';', ':', '!', '?', ')']) && out.ends_with(' ') {
                out.pop();
            }
            out.push_str(&text);
            out.push(' ');
        }
        if block {
            stack.push((node, true));
        }
        for &child in dom.nodes[node].children.iter().rev() {
            stack.push((child, false));
        }
        if out.len() > 2000 {
            break;
        }
    }
    let line = normalize_line(&out);
    line.trim_end_matches(['|', ' ']).to_string()
}

/// Text of a node's subtree (raw text too, for `<title>`).
pub(crate) fn text_of(dom: &Dom, id: NodeId) -> String {
    let mut out = String::new();
    for node in dom.descendants(id) {
        match dom.nodes[node].kind {
            NodeKind::Text { start, end } => {
                let text = decode_entities(&dom.source[start..end]);
                // "<em>Metroid</em>, One …": no space before the punctuation after a tag
                if text.starts_with([',', '.', ';', ':', '!', '?', ')']) && out.ends_with(' ') {
                    out.pop();
                }
                // Japanese and Chinese put no space between words, nor between the spans
                // that hold them ("比較してみた</span><i>：</i>")
                let before = out.trim_end().chars().next_back();
                let after = text.trim_start().chars().next();
                if out.ends_with(' ')
                    && ((before.is_some_and(wide) && after.is_some_and(wide))
                        || before.is_some_and(wide_punctuation)
                        || after.is_some_and(wide_punctuation))
                {
                    out.truncate(out.trim_end().len());
                }
                out.push_str(&text);
                out.push(' ');
            }
            NodeKind::RawText { start, end } if dom.tag(id) == Some("title") => {
                out.push_str(&decode_entities(&dom.source[start..end]));
            }
            _ => {}
        }
        if out.len() > 2000 {
            break;
        }
    }
    normalize_line(&out)
}

fn meta_values<'d>(dom: &'d Dom, metas: &[NodeId], key: &str) -> Vec<&'d str> {
    metas
        .iter()
        .filter(|&&id| {
            dom.attr(id, "property")
                .or_else(|| dom.attr(id, "name"))
                .or_else(|| dom.attr(id, "itemprop"))
                .is_some_and(|name| name.trim().eq_ignore_ascii_case(key))
        })
        // `value` where a page (or a fixture that rewrote it) has no `content`
        .filter_map(|&id| dom.attr(id, "content").or_else(|| dom.attr(id, "value")))
        .collect()
}

fn meta_value(dom: &Dom, metas: &[NodeId], keys: &[&str]) -> Option<String> {
    for key in keys {
        for content in meta_values(dom, metas, key) {
            let value = normalize_line(&decode_entities(content));
            if !value.is_empty() {
                return Some(value);
            }
        }
    }
    None
}

const PUBLISHED_KEYS: [&str; 47] = [
    "article:published_time",
    "og:published_time",
    "article:published",
    "datePublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "dc.created",
    "citation_publication_date",
    "citation_date",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "article.published",
    "originalpublicationdate",
    "date",
    "cxenseparse:recs:publishtime",
    "displaydate",
    "og:article:published_time",
    "article.created",
    "article_date_original",
    "bt:pubdate",
    "content_create_date",
    "date_published",
    "datecreated",
    "dateposted",
    "dc:date",
    "dc:created",
    "dc.date.publication",
    "dcsext.articlefirstpublished",
    "doc_date",
    "mediator_published_time",
    "publication_date",
    "published-date",
    "rnews:datepublished",
    "shareaholic:article_published_time",
    "twt-published-at",
    "vr:published_time",
    "rbpubdate",
    "pdate",
    "ptime",
];

/// A `<meta>` named for a publication date in a vendor's own words where no known key is
/// present ("cxenseparse:publishtime", "dtk:publishdate", "five_hundred_pixels:uploaded",
/// "nastooh:publishdate", "uploadDate"): a name that says published, uploaded, created or
/// released, and not modified, updated, expiring or imported.
fn publication_meta_name(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    let says_published = [
        "publish",
        "pubdate",
        "pub_date",
        "upload",
        "created",
        "release_date",
    ]
    .iter()
    .any(|word| name.contains(word));
    let says_other = ["modif", "updat", "expir", "import", "valid", "last", "end"]
        .iter()
        .any(|word| name.contains(word));
    says_published && !says_other
}

fn vendor_published(dom: &Dom, metas: &[NodeId]) -> Option<String> {
    metas.iter().find_map(|&id| {
        let named = dom
            .attr(id, "property")
            .or_else(|| dom.attr(id, "name"))
            .or_else(|| dom.attr(id, "itemprop"))?;
        if !publication_meta_name(named) {
            return None;
        }
        let value = normalize_line(&decode_entities(dom.attr(id, "content")?));
        crate::dates::to_iso8601(&value).map(|_| value)
    })
}

const MODIFIED_KEYS: [&str; 7] = [
    "article:modified_time",
    "og:updated_time",
    "dateModified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
];

const AUTHOR_KEYS: [&str; 8] = [
    "author",
    "article:author",
    "og:article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
];

/// Class and id words of sections whose dates and names are not the article's.
fn outside_article(hints: &str) -> bool {
    [
        "comment",
        "reply",
        "footer",
        "related",
        "sidebar",
        "copyright",
        "respond",
    ]
    .iter()
    .any(|word| hint_has(hints, word))
}

/// Whether class and id names hold a furniture word; "respond" (WordPress's comment form,
/// `#respond`) only where it opens a word: a block named "correspondent" holds the byline.
pub(crate) fn hint_has(hints: &str, word: &str) -> bool {
    if word != "respond" {
        return hints.contains(word);
    }
    crate::html::has_token(hints, word)
}

/// Class and id words of teaser cards (other articles' headlines, bylines and dates): their
/// names are not the article's authors. Dates stay readable under them, where some pages
/// print the article's own date in a block named "teaser".
fn teaser(hints: &str) -> bool {
    hints.contains("tease")
}

/// A footer of the post itself (WordPress `entry-footer`, `post-footer`, Movable Type
/// `asset-footer`, `article-footer`), not the page's or a comment's.
fn post_footer(tag: &str, hints: &str) -> bool {
    (tag == "footer" || hints.contains("footer"))
        && ["post", "entry", "asset", "article"]
            .iter()
            .any(|word| hints.contains(word))
        && !["comment", "reply", "related", "respond"]
            .iter()
            .any(|word| hint_has(hints, word))
}

/// Whether a link sits in a list item of a list whose items link more than four authors' pages:
/// a menu or directory of the site's writers, not a byline.
fn in_writers_menu(dom: &Dom, link: NodeId) -> bool {
    let Some(item) = dom.nodes[link].parent.filter(|&p| dom.tag(p) == Some("li")) else {
        return false;
    };
    let Some(list) = dom.nodes[item]
        .parent
        .filter(|&l| matches!(dom.tag(l), Some("ul" | "ol")))
    else {
        return false;
    };
    dom.nodes[list]
        .children
        .iter()
        .filter(|&&child| {
            dom.nodes[child].children.iter().any(|&below| {
                dom.tag(below) == Some("a") && dom.attr(below, "href").is_some_and(is_author_page)
            })
        })
        .count()
        > 4
}

/// A link to an author's page (`/author/jane-doe`, `/people/`, `/staff/`, `/autor/`,
/// `/auteur/`, `/redactie/`...), as bylines link their names.
fn is_author_page(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    let path = lower.split_once("://").map_or(lower.as_str(), |(_, rest)| {
        rest.split_once('/').map_or("", |(_, p)| p)
    });
    let segments: Vec<&str> = path
        .split(['/', '?', '#'])
        .filter(|s| !s.is_empty())
        .collect();
    // the account's own pages ("/users/sign_out") are no one's byline
    let account_action = segments.last().is_some_and(|last| {
        matches!(
            *last,
            "sign_out"
                | "signout"
                | "sign_in"
                | "signin"
                | "sign_up"
                | "signup"
                | "login"
                | "logout"
                | "register"
                | "settings"
                | "edit"
                | "password"
        )
    });
    segments.len() >= 2
        && !account_action
        && segments[..segments.len() - 1].iter().any(|segment| {
            matches!(
                *segment,
                "author"
                    | "authors"
                    | "autor"
                    | "autoren"
                    | "auteur"
                    | "auteurs"
                    | "autore"
                    | "autori"
                    | "people"
                    | "staff"
                    | "journalist"
                    | "journalists"
                    | "redactie"
                    | "redaktion"
                    | "reporter"
                    | "reporters"
                    | "writer"
                    | "writers"
                    | "editors"
                    | "contributor"
                    | "contributors"
                    | "columnist"
                    | "users"
            )
        })
}

fn hints_of(dom: &Dom, id: NodeId) -> String {
    let mut out = String::new();
    for name in ["class", "id", "itemprop"] {
        if let Some(value) = dom.attr(id, name) {
            crate::html::push_words(&mut out, value);
            out.push(' ');
        }
    }
    out
}

/// What JSON-LD says about the article.
#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    published: Option<String>,
    /// `datePublished` of a node that is not an article (a WebPage): a weaker candidate.
    other_published: Option<String>,
    modified: Option<String>,
    authors: Vec<String>,
    publisher: Option<String>,
    /// `articleBody`: the page's own statement of its text.
    article_body: Option<String>,
    /// The article node's `description`.
    description: Option<String>,
}

/// Everything found in one pass, before choosing.
#[derive(Debug, Default)]
struct Found {
    h1: Vec<String>,
    title_tag: Option<String>,
    /// `<time datetime>` values: value, marked as the publication's, node.
    times: Vec<(String, bool, NodeId)>,
    itemprop_published: Option<String>,
    itemprop_modified: Option<String>,
    itemprop_authors: Vec<String>,
    /// The grandparent of the first `itemprop="author"`: the block the article's authors share.
    author_block: Option<NodeId>,
    /// The element of the first itemprop author.
    first_author_node: Option<NodeId>,
    rel_authors: Vec<String>,
    /// Those of `rel_authors` marked `rel="author"` (not only linking an author's page).
    rel_marked: Vec<String>,
    /// The grandparent of the first author link: later author links elsewhere are teasers'.
    rel_block: Option<NodeId>,
    /// The text around the first author link (its parent's, when short): blogs print the date
    /// beside the name ("Klaus Schmidt, 8.5.12", "Posted by Jane on March 3, 2019").
    author_link_line: Option<String>,
    byline_text: Option<String>,
    /// Later elements marked as bylines (at most a few), read only when the first byline
    /// names only the outlet.
    later_bylines: Vec<NodeId>,
    date_texts: Vec<String>,
    /// The first `<h1>` outside comments and footers: dates are written near the headline.
    after_h1: Option<NodeId>,
    /// The site's name and host as its RSS or Atom feed link states them.
    feed_site: Vec<String>,
    /// An hAtom `published` element's machine date in its `title`
    /// (`<abbr class="published" title="2012-05-08T10:14:00+02:00">10:14</abbr>`).
    hatom_published: Option<String>,
}

pub(crate) fn read_metadata(dom: &Dom, article: &mut HtmlArticle) {
    let mut metas = Vec::new();
    let mut found = Found::default();
    let mut json_ld = JsonLd::default();
    // a node is outside the article when it or an ancestor is a comment section or footer;
    // parents come before their children in the arena
    let mut outside = vec![false; dom.nodes.len()];
    let mut outside_dates = vec![false; dom.nodes.len()];
    // the wrappers of the headline hold the article: a layout class on them ("withSidebar",
    // "has-footer") says what sits beside the article, not that this is outside it
    let mut holds_headline = vec![false; dom.nodes.len()];
    let headline = headline_of(dom);
    let mut ancestor = headline.and_then(|h1| dom.nodes[h1].parent);
    while let Some(id) = ancestor {
        holds_headline[id] = true;
        ancestor = dom.nodes[id].parent;
    }
    // the nearest `<article>` around each node: an HTML5 `<footer>` of the article names
    // who wrote it (a footer of the page or of a comment does not)
    let mut in_article = vec![false; dom.nodes.len()];
    for id in 0..dom.nodes.len() {
        let Some(tag) = dom.tag(id) else { continue };
        let parent_outside = dom.nodes[id].parent.is_some_and(|parent| outside[parent]);
        let parent_in_article = dom.nodes[id]
            .parent
            .is_some_and(|parent| in_article[parent]);
        in_article[id] = tag == "article" || parent_in_article;
        let hints = hints_of(dom, id);
        // a layout class on the page's own wrappers ("no-sidebars", "no-footer" on `<body>`)
        // says nothing of where the article is
        let page_wrapper = matches!(tag, "html" | "body" | "main" | "article");
        // a picture's credit names its photographer, not the article's author
        // an embedded post (a tweet, an Instagram picture) quoted in the article carries its
        // own author and date
        let embedded = tag == "blockquote";
        let article_footer = tag == "footer"
            && parent_in_article
            && ![
                "comment",
                "reply",
                "related",
                "respond",
                "sidebar",
                "copyright",
            ]
            .iter()
            .any(|word| hint_has(&hints, word));
        outside[id] = parent_outside
            || embedded
            || (tag == "footer" && !article_footer)
            || matches!(tag, "figure" | "figcaption")
            || (!page_wrapper
                && !holds_headline[id]
                && (outside_article(&hints) || teaser(&hints)));
        // for dates, a page-wide wrapper's layout class ("right-sidebar" on `<body>`,
        // "content-area sidebar" on the column holding the article) does not put the article
        // outside; names stay with the strict reading (teasers' bylines sit in such pages)
        let wrapper = matches!(tag, "html" | "body" | "main" | "article")
            || ["content", "article", "main", "primary"]
                .iter()
                .any(|word| hints.contains(word));
        // a post's own footer ("post-footer", "entry-footer") states when it was written
        let post_footer = post_footer(tag, &hints);
        let parent_outside_dates = dom.nodes[id]
            .parent
            .is_some_and(|parent| outside_dates[parent]);
        outside_dates[id] = parent_outside_dates
            || embedded
            || (tag == "footer" && !post_footer && !article_footer)
            || (!wrapper && !post_footer && !holds_headline[id] && outside_article(&hints));
        match tag {
            "meta" => metas.push(id),
            "html" if article.language.is_none() => {
                article.language = dom
                    .attr(id, "lang")
                    .or_else(|| dom.attr(id, "xml:lang"))
                    .map(|lang| lang.trim().to_string())
                    .filter(|l| !l.is_empty());
            }
            "h1" if found.h1.len() < 3 && !outside[id] => {
                let text = text_of(dom, id);
                if !text.is_empty() {
                    found.h1.push(text);
                }
            }
            "title" if found.title_tag.is_none() => {
                let text = text_of(dom, id);
                if !text.is_empty() {
                    found.title_tag = Some(text);
                }
            }
            "link"
                if article.url.is_none()
                    && dom
                        .attr(id, "rel")
                        .is_some_and(|rel| rel.eq_ignore_ascii_case("canonical")) =>
            {
                article.url = dom.attr(id, "href").map(str::to_string);
            }
            "link" if found.feed_site.is_empty() => {
                found.feed_site = feed_site(dom, id);
            }
            "script" => {
                if dom
                    .attr(id, "type")
                    .is_some_and(|kind| kind.contains("ld+json"))
                {
                    if let Some(&child) = dom.nodes[id].children.first() {
                        if let NodeKind::RawText { start, end } = dom.nodes[child].kind {
                            read_json_ld(&dom.source[start..end], &mut json_ld);
                        }
                    }
                }
                continue;
            }
            _ => {}
        }
        if outside_dates[id] {
            continue;
        }
        let names_here = !outside[id];
        // the headline, not a logo's empty or image-only `<h1>` above it
        if tag == "h1" && found.after_h1.is_none() && !text_of(dom, id).is_empty() {
            found.after_h1 = Some(id);
        }
        if tag == "time" && found.times.len() < 16 {
            if let Some(datetime) = dom.attr(id, "datetime").filter(|v| !v.trim().is_empty()) {
                let marked = dom.attr(id, "pubdate").is_some()
                    || hints.contains("publish")
                    || hints.contains("created");
                found
                    .times
                    .push((shown_date(dom, id, datetime), marked, id));
            }
        }
        if tag == "a" && names_here && found.rel_authors.len() < 6 {
            let rel_author = dom
                .attr(id, "rel")
                .is_some_and(|rel| rel.split_whitespace().any(|r| r == "author"));
            // a link to a person's page inside a paragraph is a mention, not a byline; one in a
            // list of such links is a menu of the site's writers
            let author_page = dom.attr(id, "href").is_some_and(is_author_page)
                && dom.nodes[id]
                    .parent
                    .is_some_and(|parent| text_of(dom, parent).len() <= 160)
                && !in_writers_menu(dom, id);
            if rel_author || author_page {
                let text = text_of(dom, id);
                // the article's byline, not the teasers' further down: links of the first
                // block only (its grandparent holds them all)
                let block = dom.nodes[id].parent.and_then(|p| dom.nodes[p].parent);
                let same_block = match found.rel_block {
                    None => true,
                    Some(first) => is_within(dom, id, first),
                };
                if same_block
                    && !text.is_empty()
                    && text.len() <= 60
                    && !names_a_page(&text)
                    && !found.rel_authors.contains(&text)
                {
                    found.rel_block.get_or_insert(block.unwrap_or(id));
                    if found.author_link_line.is_none() {
                        found.author_link_line = dom.nodes[id]
                            .parent
                            .map(|parent| text_of(dom, parent))
                            .filter(|line| line.len() <= 200);
                    }
                    if rel_author {
                        found.rel_marked.push(text.clone());
                    }
                    found.rel_authors.push(text);
                }
            }
        }
        if let Some(itemprop) = dom.attr(id, "itemprop") {
            let itemprop = itemprop.to_ascii_lowercase();
            let value = || {
                dom.attr(id, "content")
                    .or_else(|| dom.attr(id, "datetime"))
                    .map(|v| normalize_line(&decode_entities(v)))
                    .filter(|v| !v.is_empty())
                    // Blogger: `<abbr itemprop="datePublished" title="2016-05-08T00:55:00-07:00">`
                    // shows only the clock
                    .or_else(|| title_date(dom, id))
                    .or_else(|| Some(text_of(dom, id)).filter(|t| !t.is_empty() && t.len() < 80))
            };
            if itemprop.split_whitespace().any(|p| p == "datepublished")
                && found.itemprop_published.is_none()
                && tag != "meta"
            {
                found.itemprop_published = value();
            }
            if itemprop.split_whitespace().any(|p| p == "datemodified")
                && found.itemprop_modified.is_none()
                && tag != "meta"
            {
                found.itemprop_modified = value();
            }
            // `creator` is schema.org's wider word for the author, also a picture's: never
            // inside a figure or a media object
            let creator =
                itemprop.split_whitespace().any(|p| p == "creator") && !in_media_object(dom, id);
            if (itemprop.split_whitespace().any(|p| p == "author") || creator)
                && names_here
                && found.itemprop_authors.len() < 6
            {
                if let Some(name) = itemprop_author_name(dom, id) {
                    // several authors of one article share a block; later ones elsewhere
                    // belong to teasers of other articles
                    // (or, one level up, each name in a card of its own: "<div class=vcard>
                    // Jim Rutenberg</div>, <div class=vcard>Lisa Lerer</div> and …", close by)
                    let block = dom.nodes[id].parent.and_then(|p| dom.nodes[p].parent);
                    let same_block = match found.author_block {
                        None => {
                            found.author_block = block;
                            found.first_author_node = Some(id);
                            true
                        }
                        Some(first) => {
                            is_within(dom, id, first)
                                || (dom.nodes[first]
                                    .parent
                                    .is_some_and(|up| is_within(dom, id, up))
                                    && found
                                        .first_author_node
                                        .is_some_and(|first_id| id < first_id + 60))
                        }
                    };
                    if same_block && !found.itemprop_authors.contains(&name) {
                        found.itemprop_authors.push(name);
                    }
                }
            }
        }
        if found.hatom_published.is_none()
            && dom.attr(id, "class").is_some_and(|class| {
                class
                    .split_whitespace()
                    .any(|token| token.eq_ignore_ascii_case("published"))
            })
        {
            found.hatom_published = title_date(dom, id);
        }
        let bylineish = hints.contains("byline")
            || hints.contains("author")
            || hints.contains("writer")
            || hints.contains("journalist")
            || hints.contains("autor")
            || hints.contains("auteur");
        if bylineish
            && names_here
            && found.later_bylines.len() < LATER_BYLINES
            && !matches!(tag, "body" | "html" | "article")
        {
            if found.byline_text.is_none() {
                found.byline_text = byline_candidate(dom, id);
            } else {
                found.later_bylines.push(id);
            }
        }
        let date_named = [
            "date", "time", "publish", "posted", "created", "datum", "fecha", "data-", "meta",
        ]
        .iter()
        .any(|word| hints.contains(word));
        let dateish = date_named || bylineish || post_footer;
        if dateish
            && found.date_texts.len() < 12
            && !matches!(tag, "body" | "html" | "article" | "main")
        {
            let mut text = text_of(dom, id);
            // a post's long meta paragraph states the date in its opening ("Dieser Beitrag
            // wurde am Samstag, 3. Dezember 2011 veröffentlicht und unter … gespeichert. Sie
            // können …"): its first 200 bytes are read (not an author's long biography)
            if text.len() > 200 && text.len() <= 1000 && (date_named || post_footer) {
                let mut cut = 200;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            if text.len() >= 8 && text.len() <= 200 {
                found.date_texts.push(text);
            }
        }
    }

    if article.url.is_none() {
        article.url = meta_value(dom, &metas, &["og:url"]);
    }
    let site_name = meta_value(dom, &metas, &["og:site_name"]);
    let mut sites: Vec<String> = [
        site_name.clone(),
        json_ld.publisher.clone(),
        meta_value(dom, &metas, &["application-name", "twitter:site"]),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(host) = article.url.as_deref().and_then(host_of) {
        sites.push(host);
    }
    // a blog without Open Graph names itself in its feed's title
    sites.extend(found.feed_site.iter().cloned());
    // a page without its name in the markup shows it: the `<title>`'s last part, when the
    // page also writes it outside any heading (a logo's text or picture, a copyright line)
    if let Some(site) = found
        .title_tag
        .as_deref()
        .and_then(|title| title_suffix_shown(dom, title))
    {
        sites.push(site);
    }

    let primary = json_ld
        .headline
        .clone()
        .or_else(|| meta_value(dom, &metas, &["og:title", "twitter:title", "title"]))
        .or_else(|| found.title_tag.clone());
    // the headline found as an h2 or h3 where no h1 holds it counts as one
    let mut headings = found.h1.clone();
    if let Some(other) = headline.filter(|&h| dom.tag(h) != Some("h1") && !outside[h]) {
        headings.push(text_of(dom, other));
    }
    // the page's section as it names it and as its address does ("/politik/")
    let mut sections: Vec<String> = meta_value(dom, &metas, &["article:section"])
        .into_iter()
        .collect();
    if let Some(url) = article.url.as_deref() {
        let path = url.split("://").nth(1).unwrap_or(url);
        let path = path.split(['?', '#']).next().unwrap_or(path);
        sections.extend(
            path.split('/')
                .skip(1)
                .filter(|part| (3..=25).contains(&part.len()))
                .filter(|part| part.chars().all(|ch| ch.is_ascii_alphabetic() || ch == '-'))
                .map(|part| part.replace('-', " ")),
        );
    }
    article.title = choose_title(
        primary.as_deref(),
        found.title_tag.as_deref(),
        &headings,
        &sites,
        &sections,
    )
    .or(article.title.take());

    // where the dateline, byline and time are looked for: under the first `<h1>` (a section's
    // name may stand above the article's date), then under the headline when it is another
    // element (the site's name in the first `<h1>`, or no `<h1>` at all); with the number of
    // texts after it the search reads: forty under an h1, a dozen under a headline known only
    // by the title's words
    let anchors: Vec<(NodeId, usize)> = found
        .after_h1
        .map(|h1| (h1, 40))
        .into_iter()
        .chain(
            headline
                .filter(|&h| !outside_dates[h] && Some(h) != found.after_h1)
                .map(|h| (h, if dom.tag(h) == Some("h1") { 40 } else { 12 })),
        )
        .collect();
    // a byline that names only the outlet ("By CNN.com" in the header of a syndicated story)
    // gives way to a later one that opens as a byline does and names someone ("By Kate
    // Sullivan, CNN" over its text)
    if found
        .byline_text
        .as_deref()
        .is_some_and(|text| names_only_outlets(text, &sites))
    {
        let first = found.byline_text.clone();
        if let Some(later) = found
            .later_bylines
            .iter()
            .filter_map(|&id| byline_candidate(dom, id))
            .find(|text| {
                Some(text) != first.as_ref()
                    && opens_byline(text)
                    && !names_only_outlets(text, &sites)
            })
        {
            found.byline_text = Some(later);
        }
    }
    // authors: the first source that names anyone
    let meta_authors: Vec<String> = AUTHOR_KEYS
        .iter()
        .flat_map(|key| meta_values(dom, &metas, key))
        .map(|value| normalize_line(&decode_entities(value)))
        // an address anywhere is the web agency's credit ("Arentik d.o.o. - www.arentik.com")
        .filter(|value| !value.is_empty() && !value.contains("://") && !value.contains("www."))
        .collect();
    // after sources that named only the outlet ("Us Weekly Staff"), links count only when
    // marked `rel="author"`: the page's other links to people are likelier mentions
    let outlet_named = [&json_ld.authors, &found.itemprop_authors, &meta_authors]
        .iter()
        .any(|names| names.iter().any(|name| !is_handle(name)));
    let links = if outlet_named {
        found.rel_marked.clone()
    } else {
        found.rel_authors.clone()
    };
    let link_names = links.clone();
    let sources = [
        json_ld.authors.clone(),
        found.itemprop_authors.clone(),
        meta_authors.clone(),
        links,
    ];
    // a personal blog's name is its author's: names that are only the outlet's are kept
    // when no source names anyone else
    let fallback = sources.iter().find(|names| !names.is_empty()).cloned();
    article.authors = sources
        .into_iter()
        .find(|names| {
            names
                .iter()
                .any(|name| !is_outlet_name(name, &sites) && !is_handle(name))
        })
        .or(fallback)
        .unwrap_or_default();
    // a Japanese or Chinese name alone in the element the page marks as its writer's
    // (`<span class="writer">松村太郎</span>`): no byline word or space sets it apart
    if article.authors.is_empty() {
        if let Some(name) = found.byline_text.as_deref().map(str::trim).filter(|text| {
            (2..=8).contains(&text.chars().count())
                && text.chars().all(|ch| wide(ch) && !wide_punctuation(ch))
                && !names_a_page(text)
        }) {
            article.authors.push(name.to_string());
        }
    }
    article.authors.dedup();
    if article.byline.is_none() {
        article.byline = meta_authors
            .iter()
            .find(|name| !is_outlet_name(name, &sites))
            .cloned()
            .or_else(|| found.byline_text.clone())
            .or_else(|| {
                anchors
                    .iter()
                    .find_map(|&anchor| byline_near(dom, anchor, &outside))
            })
            .or_else(|| meta_authors.first().cloned());
    }
    // a visible byline that opens with its word ("By ANDREW DALTON | AP Entertainment Writer")
    // is what the reader sees: it stands over a markup value that names someone else (the
    // agency "Associated Press" in the author meta of a syndicated story)
    if let (Some(visible), Some(current)) = (
        found
            .byline_text
            .as_deref()
            .filter(|text| opens_byline(text)),
        article.byline.as_deref(),
    ) {
        if !fold(visible).contains(&fold(current)) {
            article.byline = Some(visible.to_string());
        }
    }

    // names known only from links to author pages that the visible byline under the headline
    // does not name ("By Susan Ferrechio" over links to another columnist's page): the links
    // are other stories' (a teaser's, a column's); the byline is the article's, and of the
    // links only those it names stay
    if !link_names.is_empty() && article.authors == link_names {
        if let Some(visible) = found
            .byline_text
            .as_deref()
            .filter(|text| opens_byline(text))
        {
            let line = fold(visible);
            article.authors.retain(|name| line.contains(&fold(name)));
            if article.authors.is_empty() {
                article.byline = Some(visible.to_string());
            }
        }
    }

    // "Von <a>Max Mustermann</a> und Erika Musterfrau": the author link's line names one more
    // writer without a page of her own; the line, read as a byline, names them all
    if !link_names.is_empty() && article.authors == link_names {
        if let Some(line) = found
            .author_link_line
            .as_deref()
            .filter(|line| names_more_after(line, &link_names))
        {
            article.authors.clear();
            article.byline = Some(line.to_string());
        }
    }

    // "Elsa Provenzano et Mickaël Bosredon" under the headline, one of them in the markup: the
    // visible byline names the other writer too, and is read instead
    if !article.authors.is_empty() && article.authors != link_names {
        if let Some(line) = found
            .byline_text
            .as_deref()
            .filter(|line| line.len() <= 160 && names_another_person(line, &article.authors))
        {
            article.authors.clear();
            article.byline = Some(line.to_string());
        }
    }

    // dates, best first; the first that reads as a date is `published`
    let url_date = article.url.as_deref().and_then(date_in_url);
    // "06/05/2020" is read day first where the page's language writes it so
    let order = crate::dates::NumericOrder::of_language(article.language.as_deref());
    let written = |text: &str| crate::dates::find_written_in(text, order);
    // among `<time>` elements, the one under the headline is the article's; one marked as a
    // publication date elsewhere may be a teaser's, and the first in the page may sit in a
    // list of other posts before the article
    let near_time = anchors
        .iter()
        .find_map(|&anchor| time_near(dom, anchor, &found.times, &outside_dates));
    let marked_time = found
        .times
        .iter()
        .find(|(_, marked, _)| *marked)
        .map(|(value, _, _)| value.clone());
    // a dateline is a short text of its own; a date inside a sentence is the story's
    let dateline_near = anchors
        .iter()
        .find_map(|&anchor| date_near(dom, anchor, &outside_dates, 120, order));
    let first_time = found.times.first().map(|(value, _, _)| value.clone());
    let printed_day = dateline_near.clone();
    let machine = [
        json_ld.published.clone(),
        meta_value(dom, &metas, &PUBLISHED_KEYS),
        found.itemprop_published.clone(),
        found.hatom_published.clone(),
        json_ld.other_published.clone(),
        vendor_published(dom, &metas),
        near_time,
        marked_time,
        dateline_near,
        first_time,
    ];
    let machine_date = machine
        .iter()
        .flatten()
        .find_map(|raw| crate::dates::to_iso8601(raw).or_else(|| written(raw)));
    article.published = article
        .published
        .take()
        .and_then(|raw| crate::dates::to_iso8601(&raw))
        .or(machine_date)
        .or(url_date)
        .or_else(|| found.date_texts.iter().find_map(|text| written(text)))
        .or_else(|| {
            anchors
                .iter()
                .find_map(|&anchor| date_near(dom, anchor, &outside_dates, 300, order))
        })
        .or_else(|| found.author_link_line.as_deref().and_then(written))
        // last, the day in the path of the article's own picture (`/files/2016/05/04/`):
        // where it was uploaded, on pages that state no date at all
        .or_else(|| {
            meta_value(dom, &metas, &["og:image", "twitter:image"])
                .as_deref()
                .and_then(date_in_image_path)
        })
        // a UTC instant in the form the publisher prints it, when the page holds that form,
        // else in an offset that puts it on the day the dateline prints
        .map(|date| crate::dates::local_form(&date, dom.source).unwrap_or(date))
        .map(|date| {
            printed_day
                .as_deref()
                .and_then(|printed| crate::dates::on_printed_day(&date, printed))
                .unwrap_or(date)
        });
    if article.published_text.is_none() {
        // the text the date was read from: the first source that reads as a date, else the
        // first machine value as given, else a text of a date-hinted element with a digit in
        // it (never a byline block such as "Politik · Jochen Bittner")
        let reads =
            |raw: &&String| crate::dates::to_iso8601(raw).is_some() || written(raw).is_some();
        article.published_text = machine
            .iter()
            .flatten()
            .find(reads)
            .or_else(|| found.date_texts.iter().find(reads))
            .or_else(|| machine.iter().flatten().next())
            .or_else(|| {
                found
                    .date_texts
                    .iter()
                    .find(|text| text.chars().any(|ch| ch.is_ascii_digit()))
            })
            .cloned();
    }
    let modified = [
        json_ld.modified.clone(),
        meta_value(dom, &metas, &MODIFIED_KEYS),
        found.itemprop_modified.clone(),
    ];
    article.modified = modified
        .iter()
        .flatten()
        .find_map(|raw| crate::dates::to_iso8601(raw));
    article.json_ld_body = json_ld.article_body.take();
    article.json_ld_description = json_ld.description.take();

    if article.outlet.is_none() {
        article.outlet = site_name
            .or(json_ld.publisher)
            .or_else(|| meta_value(dom, &metas, &["application-name"]));
    }
}

/// The first date written in the texts within reach after the headline (40 under an h1) (outside comments, footers
/// and scripts): the dateline under the title on pages without markup for it.
///
/// A dateline may also stand right above the headline ("02.02.2022 10:16 Uhr - 1. Bundesliga"
/// over the `<h1>`): a date in one of the two texts before it, inside the headline's
/// container, is the article's unless one follows within the first few texts under it; the
/// texts further down are as likely a list of other stories with their own dates.
fn date_near(
    dom: &Dom,
    (h1, reach): (NodeId, usize),
    outside: &[bool],
    longest: usize,
    order: crate::dates::NumericOrder,
) -> Option<String> {
    const CLOSE_BELOW: usize = 6;
    let read = |text: &str| {
        (text.len() <= longest)
            .then(|| crate::dates::find_written_in(&decode_entities(text), order))
            .flatten()
    };
    let below = texts_after(dom, h1, outside)
        .take(reach)
        .enumerate()
        .find_map(|(index, (_, text))| read(text).map(|date| (index, date)));
    if let Some((index, date)) = &below {
        if *index < CLOSE_BELOW {
            return Some(date.clone());
        }
    }
    let container = dom.nodes[h1]
        .parent
        .and_then(|parent| dom.nodes[parent].parent);
    let above = container.and_then(|container| {
        texts_before(dom, h1, outside)
            .take(2)
            .take_while(|&(id, _)| is_within(dom, id, container))
            .find_map(|(_, text)| read(text))
    });
    above.or(below.map(|(_, date)| date))
}

/// Whether `id` sits in a `<figure>` or an element typed as a picture, a video or an audio
/// object (whose `creator` is the photographer's).
fn in_media_object(dom: &Dom, id: NodeId) -> bool {
    let mut current = Some(id);
    while let Some(node) = current {
        if dom.tag(node) == Some("figure")
            || dom.attr(node, "itemtype").is_some_and(|kind| {
                [
                    "ImageObject",
                    "VideoObject",
                    "AudioObject",
                    "MediaObject",
                    "Photograph",
                ]
                .iter()
                .any(|media| kind.contains(media))
            })
        {
            return true;
        }
        current = dom.nodes[node].parent;
    }
    false
}

/// The text nodes before `h1`, nearest first, that are not blank and not inside an `outside`
/// element.
fn texts_before<'d>(
    dom: &'d Dom,
    h1: NodeId,
    outside: &'d [bool],
) -> impl Iterator<Item = (NodeId, &'d str)> + 'd {
    (0..h1)
        .rev()
        .filter_map(move |id| visible_text(dom, id, outside))
}

/// The text nodes from `h1` on that are not blank and not inside an `outside` element, with
/// their text as written (entities not decoded): what a reader sees under the headline.
fn texts_after<'d>(
    dom: &'d Dom,
    h1: NodeId,
    outside: &'d [bool],
) -> impl Iterator<Item = (NodeId, &'d str)> + 'd {
    (h1..dom.nodes.len()).filter_map(move |id| visible_text(dom, id, outside))
}

/// The text of a text node that is not blank and not inside an `outside` element.
fn visible_text<'d>(dom: &'d Dom, id: NodeId, outside: &[bool]) -> Option<(NodeId, &'d str)> {
    let NodeKind::Text { start, end } = dom.nodes[id].kind else {
        return None;
    };
    let text = &dom.source[start..end];
    let hidden = dom.nodes[id].parent.is_some_and(|parent| outside[parent]);
    (!hidden && !text.trim().is_empty()).then_some((id, text))
}

/// A name that stands for the outlet, not a person: the site's own name, or a desk or staff
/// label ("Us Weekly Staff", "Redaktion", "BWW News Desk"). A source naming only these gives
/// way to the next source of names.
/// A user name rather than a person's name ("dehlix", "jdoe_42", "MoritzMeyer"): one word of
/// ASCII letters, digits and `_.-`, all lower case, with a digit or underscore, or with a
/// capital right after a small letter. CMSs put the account's login where a name belongs.
fn is_handle(name: &str) -> bool {
    let name = name.trim();
    if name.is_empty()
        || name.contains(char::is_whitespace)
        || !name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-'))
    {
        return false;
    }
    name.chars().all(|ch| !ch.is_ascii_uppercase())
        || name.chars().any(|ch| ch.is_ascii_digit() || ch == '_')
        || name
            .as_bytes()
            .windows(2)
            .any(|pair| pair[0].is_ascii_lowercase() && pair[1].is_ascii_uppercase())
}

/// The text of an element marked as a byline, when it can be one: some letters, at most 160
/// bytes, and not a bare "By" before the linked name (the byline is not there yet).
fn byline_candidate(dom: &Dom, id: NodeId) -> Option<String> {
    let text = byline_text_of(dom, id);
    let bare_word = text.split_whitespace().count() == 1 && opens_byline(&text);
    (text.chars().any(char::is_alphabetic) && text.len() <= 160 && !bare_word).then_some(text)
}

/// How many byline elements after the first are kept (see `Found::later_bylines`).
const LATER_BYLINES: usize = 4;

/// Whether a byline's text names only outlets: each of its parts after the byline word
/// ("By CNN.com", "Von Redaktion | FAZ.NET").
fn names_only_outlets(text: &str, sites: &[String]) -> bool {
    let text = text.trim();
    let rest = match text.split_once(char::is_whitespace) {
        Some((first, rest)) if opens_byline(first) => rest,
        _ => text,
    };
    let parts: Vec<&str> = rest
        .split([',', '|', '/', '·', '&'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    !parts.is_empty() && parts.iter().all(|part| is_outlet_name(part, sites))
}

fn is_outlet_name(name: &str, sites: &[String]) -> bool {
    let lower = name.trim().to_lowercase();
    if lower.is_empty() || is_site(&lower, sites) || is_domain(&lower) {
        return true;
    }
    lower.split_whitespace().any(|word| {
        matches!(
            word,
            "staff"
                | "desk"
                | "team"
                | "editor"
                | "editors"
                | "editorial"
                | "newsroom"
                | "redaktion"
                | "rédaction"
                | "redacción"
                | "redazione"
                | "redação"
                | "redactie"
                | "admin"
                | "authors"
                | "autoren"
                | "auteurs"
                | "autores"
                | "autori"
        )
    })
}

/// Words that open a byline ("By Jane Doe", "Von Anna Schmidt", "Par Sébastien Farcis").
const BYLINE_WORDS: [&str; 9] = [
    "by", "von", "par", "por", "di", "door", "autor:", "auteur:", "text:",
];

/// A byline under the headline on pages without markup for it: a short text among the first
/// three quarters of the texts within reach (thirty under an h1)
/// that opens with a byline word followed by a capitalised name ("By" in
/// its own `<span>` before the linked name counts), read as the smallest element around it
/// that holds the name too.
fn byline_near(dom: &Dom, (h1, reach): (NodeId, usize), outside: &[bool]) -> Option<String> {
    // the headline's own words are no byline ("Von Youtube-Netzwerken lernen: …"), when it
    // is headline-sized (an unclosed `<h1>` holds the rest of the page)
    let headline_sized = text_of(dom, h1).len() < 300;
    let inside_headline = |id: NodeId| headline_sized && is_within(dom, id, h1);
    for (id, text) in texts_after(dom, h1, outside).take(reach * 3 / 4) {
        if inside_headline(id) {
            continue;
        }
        let text = text.trim();
        if text.len() > 100 || !(opens_byline(text) || genre_byline(text).is_some()) {
            continue;
        }
        if names_follow(text) || genre_byline(text) == Some(true) {
            return Some(normalize_line(&decode_entities(text)));
        }
        let mut element = dom.nodes[id].parent;
        while let Some(current) = element {
            let line = text_of(dom, current);
            if line.len() > 120 {
                break;
            }
            if names_follow(&line) || genre_byline(&line) == Some(true) {
                return Some(line);
            }
            element = dom.nodes[current].parent;
        }
    }
    None
}

/// Kinds of pieces named before their author ("Ein Kommentar von …", "An analysis by …").
const GENRE_WORDS: [&str; 14] = [
    "kommentar",
    "analyse",
    "analysis",
    "interview",
    "gastbeitrag",
    "essay",
    "reportage",
    "kolumne",
    "column",
    "commentary",
    "chronique",
    "tribune",
    "crónica",
    "columna",
];

/// A byline that names the kind of piece first: an article, a genre's name, a byline word
/// ("Eine Analyse von", "An analysis by", "Une chronique de"): `Some(true)` when a capitalised
/// name follows, `Some(false)` when the text ends there (the name in an element of its own),
/// `None` for other texts ("Die Rede von Angela Merkel" names no genre).
fn genre_byline(text: &str) -> Option<bool> {
    let words: Vec<String> = text
        .split_whitespace()
        .take(4)
        .map(str::to_lowercase)
        .collect();
    let article = ["ein", "eine", "a", "an", "un", "une", "una"];
    let fits = words.len() >= 3
        && article.contains(&words[0].as_str())
        && GENRE_WORDS.contains(&words[1].as_str())
        && ["by", "von", "par", "de", "por", "di", "door"].contains(&words[2].as_str());
    if !fits {
        return None;
    }
    Some(
        text.split_whitespace()
            .nth(3)
            .is_some_and(|word| word.chars().next().is_some_and(char::is_uppercase)),
    )
}

/// Whether the word after a byline's first word is capitalised ("By Jane", not "By by").
fn names_follow(line: &str) -> bool {
    line.split_whitespace()
        .nth(1)
        .is_some_and(|word| word.chars().next().is_some_and(char::is_uppercase))
}

/// Whether a text opens with a byline word and nothing or a capitalised word after it.
fn opens_byline(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let first = first.to_lowercase();
    if !BYLINE_WORDS.contains(&first.as_str()) {
        return false;
    }
    match words.next() {
        None => true,
        Some(next) => next.chars().next().is_some_and(char::is_uppercase),
    }
}

/// A `<time>`'s date: its `datetime`, unless the element shows readers a full written date two
/// or more days away from it (a CMS that stamps the last edit into the attribute under the
/// printed publication date).
fn shown_date(dom: &Dom, id: NodeId, datetime: &str) -> String {
    let text = text_of(dom, id);
    let has_year = text
        .split(|ch: char| !ch.is_ascii_digit())
        .any(|digits| digits.len() == 4);
    let shown = (has_year && text.len() <= 80)
        .then(|| crate::dates::find_written(&text))
        .flatten();
    let stated = crate::dates::to_iso8601(datetime);
    match (shown, stated) {
        (Some(shown), Some(stated))
            if crate::dates::days_apart(&shown, &stated).is_some_and(|d| d >= 2) =>
        {
            shown
        }
        _ => datetime.to_string(),
    }
}

/// The first `<time datetime>` within the forty texts after the headline.
fn time_near(
    dom: &Dom,
    (h1, reach): (NodeId, usize),
    times: &[(String, bool, NodeId)],
    outside: &[bool],
) -> Option<String> {
    // the text after the last one within reach ends the search
    let limit = texts_after(dom, h1, outside).nth(reach).map(|(id, _)| id);
    times
        .iter()
        .find(|(_, _, id)| *id > h1 && limit.is_none_or(|limit| *id < limit))
        .map(|(value, _, _)| value.clone())
}

/// An author link's text that names the page it leads to, not the person ("記者ページ",
/// "View profile", "More by this author", "Alle Artikel").
fn names_a_page(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    ["ページ", "プロフィール", "記事一覧"]
        .iter()
        .any(|word| lower.contains(word))
        || [
            "more by",
            "more from",
            "all posts",
            "all articles",
            "view all",
            "view profile",
            "articles by",
            "posts by",
            "author page",
            "author profile",
            "profile",
            "profil",
            "autorenseite",
            "alle artikel",
            "tous les articles",
            "voir le profil",
            "click here",
            "read more",
            "hier klicken",
            "cliquez ici",
        ]
        .iter()
        .any(|label| lower.starts_with(label))
}

/// Whether `ancestor` is `id` or one of its ancestors.
fn is_within(dom: &Dom, id: NodeId, ancestor: NodeId) -> bool {
    let mut current = Some(id);
    while let Some(node) = current {
        if node == ancestor {
            return true;
        }
        if node < ancestor {
            return false;
        }
        current = dom.nodes[node].parent;
    }
    false
}

/// The name of an `itemprop="author"` element: its `itemprop="name"` descendant, its
/// `content`, or its own short text.
fn itemprop_author_name(dom: &Dom, id: NodeId) -> Option<String> {
    for node in dom.descendants(id).into_iter().skip(1).take(200) {
        if dom
            .attr(node, "itemprop")
            .is_some_and(|p| p.eq_ignore_ascii_case("name"))
        {
            let name = dom
                .attr(node, "content")
                .map(|c| normalize_line(&decode_entities(c)))
                .unwrap_or_else(|| text_of(dom, node));
            if !name.is_empty() {
                return Some(name);
            }
        }
    }
    if let Some(content) = dom.attr(id, "content") {
        let name = normalize_line(&decode_entities(content));
        if !name.is_empty() && !name.contains("://") {
            return Some(name);
        }
    }
    let text = text_of(dom, id);
    (!text.is_empty() && text.len() <= 80).then_some(text)
}

/// The host of a URL without `www.` (`//x.com/a` and `https://x.com/a` alike).
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("//").map(|(_, rest)| rest)?;
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()?
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    host.contains('.').then_some(host)
}

/// A date in a URL path: `/2019/11/19/`, `/2019-11-19-`, `/20191119/`.
fn date_in_url(url: &str) -> Option<String> {
    let path = url.split_once("//").map_or(url, |(_, rest)| rest);
    let path = path.split_once('/').map(|(_, p)| p)?;
    let parts: Vec<&str> = path.split(['/', '-', '_', '.']).collect();
    for window in parts.windows(3) {
        let [year, month, day] = window else { continue };
        if year.len() == 4 && month.len() <= 2 && day.len() <= 2 && !day.is_empty() {
            let candidate = format!("{year}-{month:0>2}-{day:0>2}");
            if let Some(found) = crate::dates::to_iso8601(&candidate) {
                return Some(found);
            }
        }
    }
    for part in &parts {
        if part.len() == 8 && part.bytes().all(|b| b.is_ascii_digit()) && part.starts_with("20") {
            if let Some(found) = crate::dates::to_iso8601(part) {
                return Some(found);
            }
        }
    }
    None
}

/// The site's name and host from a feed link (`<link rel="alternate"
/// type="application/rss+xml" title="Bernau LIVE » Feed" href="https://bernau-live.de/feed/">`):
/// WordPress and most blog engines title their feeds "site » Feed", "site » Kommentar-Feed",
/// "site » Flux". Empty for other links.
fn feed_site(dom: &Dom, id: NodeId) -> Vec<String> {
    let is_feed = dom.attr(id, "type").is_some_and(|kind| {
        let kind = kind.to_ascii_lowercase();
        kind.contains("rss+xml") || kind.contains("atom+xml")
    }) && dom
        .attr(id, "rel")
        .is_some_and(|rel| rel.eq_ignore_ascii_case("alternate"));
    if !is_feed {
        return Vec::new();
    }
    let mut names = Vec::new();
    if let Some(title) = dom.attr(id, "title") {
        let title = normalize_line(&decode_entities(title));
        if let Some((site, what)) = title.rsplit_once(" » ") {
            let what = what.to_lowercase();
            let names_feed = ["feed", "flux", "rss", "atom"]
                .iter()
                .any(|word| what.contains(word));
            if names_feed && !site.trim().is_empty() {
                names.push(site.trim().to_string());
            }
        }
    }
    if let Some(host) = dom.attr(id, "href").and_then(host_of) {
        names.push(host);
    }
    names
}

/// Where the last of `names` ends in a byline line, when the line holds them all.
fn end_of_names(line: &str, names: &[String]) -> Option<usize> {
    if !names.iter().all(|name| line.contains(name.as_str())) {
        return None;
    }
    names
        .iter()
        .filter_map(|name| line.find(name.as_str()).map(|at| at + name.len()))
        .max()
}

/// Whether a byline line holds every linked name and, after the last, a joining word
/// ("und", "and", "et", "y", "e", "en", "og", "och", "i") followed by a capitalised word.
fn names_more_after(line: &str, names: &[String]) -> bool {
    let Some(last) = end_of_names(line, names) else {
        return false;
    };
    let mut words = line[last..].split_whitespace();
    let joined = words.next().is_some_and(|word| {
        matches!(
            word,
            "und" | "and" | "et" | "y" | "e" | "en" | "og" | "och" | "i" | "&"
        )
    });
    joined
        && words
            .next()
            .is_some_and(|word| word.chars().next().is_some_and(char::is_uppercase))
}

/// Whether a byline names, after all of `names`, one more person: a joining word, then two
/// capitalised words ("Elsa Provenzano et Mickaël Bosredon"; not "Ana García en Bruselas",
/// where the word after "en" is a place).
fn names_another_person(line: &str, names: &[String]) -> bool {
    if !names_more_after(line, names) {
        return false;
    }
    let Some(last) = end_of_names(line, names) else {
        return false;
    };
    let capitalised = |word: &str| {
        word.chars().next().is_some_and(char::is_uppercase)
            && word
                .trim_end_matches([',', '.'])
                .chars()
                .all(|ch| ch.is_alphabetic() || ch == '-')
    };
    let words: Vec<&str> = line[last..].split_whitespace().skip(1).take(2).collect();
    words.len() == 2 && words.iter().all(|word| capitalised(word))
}

/// An element's `title` attribute when it is a machine-readable date (microformats put the
/// date there and show readers a shorter form).
fn title_date(dom: &Dom, id: NodeId) -> Option<String> {
    dom.attr(id, "title")
        .map(|title| normalize_line(&decode_entities(title)))
        .filter(|title| crate::dates::to_iso8601(title).is_some())
}

/// The upload day in a picture's URL: three folders in a row for year, month and day
/// (`/files/2016/05/04/ar-2015-og.png`); a number in the file's name is not a day.
fn date_in_image_path(url: &str) -> Option<String> {
    let path = url.split_once("//").map_or(url, |(_, rest)| rest);
    let path = path.split_once('/').map(|(_, p)| p)?;
    let path = path.split(['?', '#']).next()?;
    let folders: Vec<&str> = path.split('/').collect();
    // the last part is the file's name
    let folders = &folders[..folders.len().saturating_sub(1)];
    folders.windows(3).find_map(|window| {
        let [year, month, day] = window else {
            return None;
        };
        let numeric = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
            lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
        };
        (numeric(year, 4..=4) && numeric(month, 1..=2) && numeric(day, 1..=2))
            .then(|| crate::dates::to_iso8601(&format!("{year}-{month:0>2}-{day:0>2}")))
            .flatten()
    })
}

/// Lowercase letters and digits only, umlauts spelled out (Börsen → boersen).
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars().flat_map(char::to_lowercase) {
        match ch {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ò' | 'ó' | 'ô' | 'õ' => out.push('o'),
            'ù' | 'ú' | 'û' => out.push('u'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            _ if ch.is_alphanumeric() => out.push(ch),
            _ => {}
        }
    }
    out
}

/// Whether a title segment names the site: equal to a site name, or to the host or its
/// main label ("Globalnews.ca", "DW" for dw.com), or a site name contains it.
fn is_site(segment: &str, sites: &[String]) -> bool {
    let folded = fold(segment);
    if folded.len() < 2 {
        return false;
    }
    sites.iter().any(|site| {
        let site_folded = fold(site);
        if site_folded.is_empty() {
            return false;
        }
        if folded == site_folded {
            return true;
        }
        // a host: its labels without the public suffix
        if site.contains('.') && !site.contains(' ') {
            let labels: Vec<&str> = site.split('.').collect();
            let main = labels.iter().rev().nth(1).copied().unwrap_or("");
            let main = fold(main);
            return folded == main
                || (main.len() >= 4
                    && folded.starts_with(&main)
                    && folded.len() <= main.len() + 4)
                || (folded.len() >= 4 && main.starts_with(&folded));
        }
        folded.len() >= 4 && (site_folded.starts_with(&folded) || folded.starts_with(&site_folded))
    })
}

/// A segment that is a web address on its own ("SZ.de", "tagesschau.de", "Globalnews.ca"):
/// a site's name whatever the page says its name is. Common top-level domains only, written
/// in small letters ("ASP.NET", "Node.js" are no addresses).
fn is_domain(segment: &str) -> bool {
    let segment = segment.trim();
    let Some((name, tld)) = segment.rsplit_once('.') else {
        return false;
    };
    const TLDS: [&str; 28] = [
        "de", "at", "ch", "com", "net", "org", "ca", "uk", "fr", "it", "es", "nl", "be", "pl",
        "info", "eu", "io", "ru", "jp", "br", "in", "au", "us", "co", "pt", "se", "dk", "no",
    ];
    TLDS.contains(&tld)
        && name.chars().filter(|ch| ch.is_alphanumeric()).count() >= 2
        && name
            .chars()
            .all(|ch| ch.is_alphanumeric() || matches!(ch, '.' | '-'))
        && name.chars().any(char::is_alphabetic)
}

fn is_dateish(segment: &str) -> bool {
    let trimmed = segment.trim();
    !trimmed.is_empty()
        && (trimmed
            .chars()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | '/' | '-' | ' ' | ':'))
            || crate::dates::to_iso8601(trimmed).is_some())
}

const SEPARATORS: [&str; 11] = [
    " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " « ", " › ", " ‹ ",
];

/// The `<title>`'s last part after a separator ("… | The New Republic"), of one to six words,
/// when the page writes it outside a heading and the title: a text of its own, a picture's
/// `alt`, or in a copyright line ("© 2017 The New Republic"). At least two words must stay
/// before it.
fn title_suffix_shown(dom: &Dom, title: &str) -> Option<String> {
    let (at, separator) = SEPARATORS
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|at| (at, *sep)))
        .max()?;
    let (head, suffix) = (title[..at].trim(), title[at + separator.len()..].trim());
    let words = suffix.split_whitespace().count();
    if !(1..=6).contains(&words) || head.split_whitespace().count() < 2 {
        return None;
    }
    let folded = fold(suffix);
    if folded.len() < 3 {
        return None;
    }
    let in_heading = |mut id: NodeId| loop {
        if matches!(
            dom.tag(id),
            Some("h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "title")
        ) {
            return true;
        }
        match dom.nodes[id].parent {
            Some(parent) => id = parent,
            None => return false,
        }
    };
    // a text as long as the name give or take its entities, or a copyright line
    let near = |raw: &str| {
        let raw = raw.trim();
        (raw.len() * 2 >= suffix.len() && raw.len() <= suffix.len() * 3)
            || (raw.len() <= 240 && (raw.contains('©') || raw.contains("opyright")))
    };
    let shown = (0..dom.nodes.len()).any(|id| {
        let text = match &dom.nodes[id].kind {
            NodeKind::Text { start, end } if near(&dom.source[*start..*end]) => {
                decode_entities(&dom.source[*start..*end])
            }
            NodeKind::Element { tag, .. } if tag == "img" => match dom.attr(id, "alt") {
                Some(alt) => decode_entities(alt),
                None => return false,
            },
            _ => return false,
        };
        let text = text.trim();
        if text.is_empty() || text.len() > 120 {
            return false;
        }
        let lower = text.to_lowercase();
        let here = fold(text) == folded
            || ((lower.contains('©') || lower.contains("copyright"))
                && fold(text).contains(&folded));
        here && !in_heading(id)
    });
    shown.then(|| suffix.to_string())
}

/// A title with the site name, sections and dates at either end cut off when they are the
/// outlet's: "Kim visits Moscow - National | Globalnews.ca" gives "Kim visits Moscow".
pub(crate) fn strip_site(title: &str, sites: &[String], sections: &[String]) -> String {
    // segments with the separator that precedes each
    let mut segments: Vec<(&str, &str)> = Vec::new();
    let mut rest = title;
    let mut separator = "";
    loop {
        let next = SEPARATORS
            .iter()
            .filter_map(|sep| rest.find(sep).map(|at| (at, *sep)))
            .min();
        match next {
            Some((at, sep)) => {
                segments.push((separator, &rest[..at]));
                separator = sep;
                rest = &rest[at + sep.len()..];
            }
            None => {
                segments.push((separator, rest));
                break;
            }
        }
    }
    if segments.len() < 2 {
        return title.to_string();
    }
    let mut end = segments.len();
    let mut cut_site = false;
    while end > 1
        && (is_site(segments[end - 1].1, sites)
            || is_domain(segments[end - 1].1)
            || is_dateish(segments[end - 1].1))
    {
        cut_site |= is_site(segments[end - 1].1, sites) || is_domain(segments[end - 1].1);
        end -= 1;
    }
    // the site's name followed by its slogan ("… | Ebene 11 - Webentwicklung . AutoCAD",
    // "… - Consett Magazine - Positive Local News for Consett"): cut from the name on
    if !cut_site {
        if let Some(at) = (1..end).find(|&at| end - at <= 3 && is_site(segments[at].1, sites)) {
            end = at;
            cut_site = true;
        }
    }
    // a short section name left before the site ("- National | Globalnews.ca"), or one the
    // page names as its section or in its address ("- Politik - SZ.de" at /politik/)
    if cut_site && end > 1 {
        let last = segments[end - 1].1;
        let first_words = segments[0].1.split_whitespace().count();
        let named_section = !sections.is_empty() && {
            let folded = fold(last);
            folded.len() >= 3 && sections.iter().any(|section| fold(section) == folded)
        };
        if last.split_whitespace().count() <= 2
            && (first_words >= 4 || named_section)
            && (segments[end - 1].0 != segments[end.min(segments.len() - 1)].0 || named_section)
        {
            end -= 1;
        }
    }
    let mut start = 0;
    while start + 1 < end && is_site(segments[start].1, sites) {
        start += 1;
    }
    // a genre's label at either end ("… | COMMENTARY", "Opinion | …")
    let mut cut_genre = false;
    while end - start > 1 && is_genre_label(segments[end - 1].1) {
        end -= 1;
        cut_genre = true;
    }
    while end - start > 1 && is_genre_label(segments[start].1) {
        start += 1;
        cut_genre = true;
    }
    if !cut_site && !cut_genre && start == 0 {
        return title.to_string();
    }
    let mut out = String::new();
    for (index, (sep, text)) in segments[start..end].iter().enumerate() {
        if index > 0 {
            out.push_str(sep);
        }
        out.push_str(text);
    }
    out.trim().to_string()
}

/// A headline without a genre's label at either end ("… | COMMENTARY" in the h1 itself).
fn without_genre(heading: &str) -> String {
    let stripped = strip_site(heading, &[], &[]);
    if stripped.is_empty() {
        heading.to_string()
    } else {
        stripped
    }
}

/// A title segment that only names the kind of piece, in the seven languages.
fn is_genre_label(segment: &str) -> bool {
    const GENRES: &[&str] = &[
        "opinion",
        "commentary",
        "comment",
        "analysis",
        "editorial",
        "column",
        "review",
        "kommentar",
        "meinung",
        "analyse",
        "leitartikel",
        "kolumne",
        "tribune",
        "éditorial",
        "chronique",
        "opinión",
        "columna",
        "análisis",
        "opinione",
        "commento",
        "editoriale",
        "opinião",
        "coluna",
        "análise",
        "opinie",
        "commentaar",
    ];
    let lower = segment.trim().to_lowercase();
    GENRES.contains(&lower.as_str())
}

/// The title: the page's own headline (JSON-LD, Open Graph, `<title>`) with the outlet's name
/// cut off, or the first `<h1>` when that headline starts with it.
fn choose_title(
    primary: Option<&str>,
    title_tag: Option<&str>,
    h1: &[String],
    sites: &[String],
    sections: &[String],
) -> Option<String> {
    let primary = primary.map(normalize_line).filter(|t| !t.is_empty());
    for heading in h1 {
        let heading_folded = fold(heading);
        if heading_folded.len() < 8 {
            continue;
        }
        for candidate in [primary.as_deref(), title_tag].into_iter().flatten() {
            let folded = fold(candidate);
            // the headline itself, or with the site's name after it, or with a kicker before
            // it ("Influencer Marketing: Was sich nach dem Urteil ändert", the <h1> without)
            if folded == heading_folded
                || (folded.starts_with(&heading_folded)
                    && heading_folded.len() * 10 >= folded.len() * 4)
                || (folded.ends_with(&heading_folded)
                    && heading_folded.len() * 10 >= folded.len() * 6
                    && kicker_before(candidate, heading))
            {
                return Some(without_genre(heading));
            }
        }
    }
    if let ([heading], Some(primary)) = (h1, primary.as_deref()) {
        if heading_over_primary(heading, primary, sites) {
            return Some(without_genre(heading));
        }
        // with no headline in the markup but the <title>, the one <h1> that tells the same
        // story is the headline the reader sees (the <title> is often written for search
        // engines); unless it is only the site's part of the <title>
        if title_tag.is_some_and(|tag| normalize_line(tag) == primary)
            && heading_is_headline(heading, sites)
            && spaced_words(heading)
            && common_stems(heading, primary) >= 2
            && !is_title_segment(heading, primary)
        {
            return Some(without_genre(heading));
        }
    }
    let title = primary.or_else(|| h1.first().cloned())?;
    let stripped = strip_site(&title, sites, sections);
    Some(if stripped.is_empty() { title } else { stripped })
}

/// Whether `title` is `heading` with a short kicker and a separator before it ("Genetik: …",
/// "Frain. …", "Israel – …"): at most four words, then a colon, full stop, dash or bar.
fn kicker_before(title: &str, heading: &str) -> bool {
    let (title, heading) = (normalize_line(title), normalize_line(heading));
    let Some(kicker) = title.strip_suffix(heading.as_str()) else {
        return false;
    };
    let kicker = kicker.trim_end();
    let Some(words) = kicker
        .strip_suffix([':', '.', '|', '-', '\u{2013}', '\u{2014}'])
        .map(str::trim)
    else {
        return false;
    };
    !words.is_empty() && words.split_whitespace().count() <= 4
}

/// The words of four letters or more, by their first five letters, folded.
fn stems_of(text: &str) -> HashSet<String> {
    text.split(|ch: char| !ch.is_alphanumeric())
        .filter(|word| word.chars().count() >= 4)
        .map(|word| fold(word).chars().take(5).collect())
        .collect()
}

/// Whether the text's words have spaces between them: not Chinese, Japanese or Thai.
fn spaced_words(text: &str) -> bool {
    !text
        .chars()
        .any(|ch| (wide(ch) && !wide_punctuation(ch)) || ('\u{0e00}'..='\u{0e7f}').contains(&ch))
}

/// How many of the one text's word stems (words of four letters or more, by their first five
/// letters, folded) the other has.
pub(crate) fn common_stems(one: &str, other: &str) -> usize {
    stems_of(one).intersection(&stems_of(other)).count()
}

/// Whether the heading is the `<title>`'s start, its end, or one of its parts between
/// separators ("How to shoot at night | Tom's Photography Tips | Blog"): the site's or the
/// section's name, not the headline.
fn is_title_segment(heading: &str, title: &str) -> bool {
    let (heading, title_folded) = (fold(heading), fold(title));
    title_folded.starts_with(&heading)
        || title_folded.ends_with(&heading)
        || title
            .split(' ')
            .collect::<Vec<_>>()
            .split(|word| matches!(*word, "|" | "-" | "–" | "—" | "::" | "·" | "•" | ":" | "/"))
            .any(|segment| fold(&segment.join(" ")) == heading)
}

/// Whether a heading reads as a headline: three words or more, not ending in a colon, not the
/// outlet's name.
fn heading_is_headline(heading: &str, sites: &[String]) -> bool {
    heading.split_whitespace().count() >= 3
        && !heading.trim_end().ends_with(':')
        && !is_site(heading, sites)
}

/// Whether the page's only `<h1>` is the title rather than the headline its markup states: the
/// markup names the outlet only; or the markup's headline holds the `<h1>` with more around it
/// (a site or section name without a separator); or the two tell the same story in other words
/// (an SEO title beside the headline the reader sees: two words and half the words of the
/// shorter one, by their first five letters, are in the other; in scripts with spaces). A heading holding the markup's headline and more
/// is the headline with a kicker or a subtitle run in, and a heading of one or two words or
/// ending in a colon is not a headline at all: the markup's wins then.
fn heading_over_primary(heading: &str, primary: &str, sites: &[String]) -> bool {
    let words = heading.split_whitespace().count();
    if words < 3 || heading.trim_end().ends_with(':') || is_site(heading, sites) {
        return false;
    }
    if is_site(primary, sites) {
        return true;
    }
    let (heading_folded, primary_folded) = (fold(heading), fold(primary));
    if primary_folded.is_empty() || heading_folded == primary_folded {
        return false;
    }
    if heading_folded.contains(&primary_folded) {
        return primary.split_whitespace().count() < 3;
    }
    if primary_folded.contains(&heading_folded) {
        return heading_folded.len() * 2 >= primary_folded.len();
    }
    let stems = stems_of;
    if !spaced_words(heading) {
        return false;
    }
    let (heading_stems, primary_stems) = (stems(heading), stems(primary));
    let smaller = heading_stems.len().min(primary_stems.len());
    let common = heading_stems.intersection(&primary_stems).count();
    common >= 2 && common * 2 >= smaller
}

fn types_of(map: &serde_json::Map<String, serde_json::Value>) -> Vec<&str> {
    match map.get("@type") {
        Some(serde_json::Value::String(kind)) => vec![kind.as_str()],
        Some(serde_json::Value::Array(kinds)) => kinds.iter().filter_map(|k| k.as_str()).collect(),
        _ => Vec::new(),
    }
}

/// A JSON-LD script's value; some pages wrap the JSON in a CDATA section (XHTML habits).
fn parse_json_ld(raw: &str) -> Option<serde_json::Value> {
    let mut text = raw.trim();
    for prefix in ["//<![CDATA[", "<![CDATA["] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim();
        }
    }
    for suffix in ["//]]>", "]]>"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            text = rest.trim();
        }
    }
    if let Ok(value) = serde_json::from_str(text) {
        return Some(value);
    }
    // hand-written JSON-LD that browsers' readers still take: raw line breaks and tabs inside
    // strings, a comma before a closing bracket, a stray brace or semicolon after the object
    let repaired = repair_json(text);
    serde_json::Deserializer::from_str(&repaired)
        .into_iter::<serde_json::Value>()
        .next()
        .and_then(Result::ok)
}

/// JSON with control characters inside strings turned into spaces, commas before a closing
/// `}` or `]` dropped and `//` comment lines outside strings left out (a property switched off
/// by hand); everything else as written.
fn repair_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    for (at, ch) in text.char_indices() {
        if in_comment {
            if ch == '\n' {
                in_comment = false;
                out.push(ch);
            }
            continue;
        }
        if !in_string && ch == '/' && text[at + 1..].starts_with('/') {
            in_comment = true;
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
            out.push(if ch.is_control() { ' ' } else { ch });
            continue;
        }
        match ch {
            '"' => {
                in_string = true;
                out.push(ch);
            }
            ',' => {
                let closes = text[at + 1..].trim_start().starts_with(['}', ']']);
                if !closes {
                    out.push(ch);
                }
            }
            _ => out.push(ch),
        }
    }
    out
}

fn read_json_ld(raw: &str, found: &mut JsonLd) {
    let Some(value) = parse_json_ld(raw) else {
        return;
    };
    // the nodes a graph names by `@id` (Yoast's `"author": {"@id": ".../#/schema/person/…"}`)
    let mut ids = HashMap::new();
    visit_json_ld(&value, false, |map| {
        if let Some(id) = map.get("@id").and_then(|id| id.as_str()) {
            if map.len() > 1 {
                ids.entry(id).or_insert(map);
            }
        }
    });
    visit_json_ld(&value, true, |map| {
        let types = types_of(map);
        let is_article = types.iter().any(|t| {
            t.contains("Article")
                || *t == "BlogPosting"
                || *t == "Report"
                || *t == "LiveBlogPosting"
        });
        let string = |key: &str| {
            map.get(key)
                .and_then(|d| d.as_str())
                .map(json_ld_text)
                .filter(|s| !s.is_empty())
        };
        if is_article {
            if found.article_body.is_none() {
                found.article_body = map
                    .get("articleBody")
                    .and_then(|d| d.as_str())
                    .filter(|d| !d.trim().is_empty())
                    .map(|d| decode_entities(d).into_owned());
            }
            if found.description.is_none() {
                found.description = string("description");
            }
            if found.published.is_none() {
                found.published = string("datePublished").or_else(|| string("dateCreated"));
            }
            if found.modified.is_none() {
                found.modified = string("dateModified");
            }
            if found.headline.is_none() {
                found.headline = string("headline").or_else(|| string("name"));
            }
            if found.authors.is_empty() {
                if let Some(author) = map.get("author").or_else(|| map.get("creator")) {
                    person_names(author, &ids, &mut found.authors);
                }
            }
            if found.publisher.is_none() {
                found.publisher = map.get("publisher").and_then(organisation_name);
            }
        } else if !types.iter().any(|t| t.contains("Comment")) {
            if found.other_published.is_none() {
                found.other_published = string("datePublished");
            }
            if found.publisher.is_none() && types.iter().any(|t| *t == "WebSite" || *t == "WebPage")
            {
                found.publisher = map.get("publisher").and_then(organisation_name);
            }
        }
    });
}

/// Visits the objects of a JSON-LD value in document order: list items, `@graph` members and,
/// when `main_entity` is set, a `mainEntity`/`mainEntityOfPage` object (at most 10,000 nodes).
fn visit_json_ld<'v>(
    value: &'v serde_json::Value,
    main_entity: bool,
    mut visit: impl FnMut(&'v serde_json::Map<String, serde_json::Value>),
) {
    let mut stack = vec![value];
    let mut seen = 0;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        match node {
            serde_json::Value::Array(items) => stack.extend(items.iter().rev()),
            serde_json::Value::Object(map) => {
                visit(map);
                if let Some(graph) = map.get("@graph") {
                    stack.push(graph);
                }
                if main_entity {
                    if let Some(main) = map
                        .get("mainEntity")
                        .or_else(|| map.get("mainEntityOfPage"))
                        .filter(|main| main.is_object())
                    {
                        stack.push(main);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Names of the persons in a JSON-LD `author` (a string, a Person, or a list of them);
/// organisations are not persons.
fn person_names(
    value: &serde_json::Value,
    ids: &HashMap<&str, &serde_json::Map<String, serde_json::Value>>,
    out: &mut Vec<String>,
) {
    match value {
        serde_json::Value::String(name) => {
            let name = json_ld_text(name);
            if !name.is_empty() && !name.contains("://") {
                out.push(name);
            }
        }
        serde_json::Value::Object(map) => {
            if types_of(map)
                .iter()
                .any(|t| *t == "Organization" || *t == "NewsMediaOrganization")
            {
                return;
            }
            if let Some(name) = map.get("name") {
                person_names(name, ids, out);
            } else if let Some(node) = map
                .get("@id")
                .and_then(|id| id.as_str())
                .and_then(|id| ids.get(id))
                .filter(|node| node.contains_key("name"))
            {
                // a reference to a node of the graph: that node's name, once
                person_names(
                    &serde_json::Value::Object((*node).clone()),
                    &HashMap::new(),
                    out,
                );
            }
        }
        serde_json::Value::Array(items) => {
            for item in items.iter().take(20) {
                person_names(item, ids, out);
            }
        }
        _ => {}
    }
}

/// A JSON-LD string as shown: CMSs write HTML character references into JSON
/// (`"headline":"Das Rebranding von &#8222;EA Fifa&#8220;"`), which a reader never sees.
fn json_ld_text(value: &str) -> String {
    normalize_line(&decode_entities(value))
}

fn organisation_name(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(name) => Some(json_ld_text(name)).filter(|n| !n.is_empty()),
        serde_json::Value::Object(map) => map
            .get("name")
            .and_then(|n| n.as_str())
            .map(json_ld_text)
            .filter(|n| !n.is_empty()),
        serde_json::Value::Array(items) => items.iter().find_map(organisation_name),
        _ => None,
    }
}

/// The publisher's own section of the article, as the page states it, best source first:
/// JSON-LD `articleSection`, the `article:section` meta tag (and parsely's and sailthru's
/// section metas), breadcrumb markup (JSON-LD `BreadcrumbList`, microdata
/// `itemtype=".../BreadcrumbList"`, an element whose class or id says `breadcrumb`), then the
/// first path segment of `url` that reads as a section name (`/wirtschaft/`, `/sport/`;
/// dates, numbers, language codes, file names and generic words such as `news` or `article`
/// are passed over, and the last segment, the article's own slug, never counts).
pub(crate) fn read_section(dom: &Dom, url: Option<&str>) -> Option<String> {
    let mut metas = Vec::new();
    let mut json_ld_section = None;
    let mut json_ld_crumbs: Vec<String> = Vec::new();
    let mut markup_crumbs: Vec<String> = Vec::new();
    for id in 0..dom.nodes.len() {
        let Some(tag) = dom.tag(id) else { continue };
        match tag {
            "meta" => metas.push(id),
            "script"
                if dom
                    .attr(id, "type")
                    .is_some_and(|kind| kind.contains("ld+json")) =>
            {
                if let Some(&child) = dom.nodes[id].children.first() {
                    if let NodeKind::RawText { start, end } = dom.nodes[child].kind {
                        read_json_ld_section(
                            &dom.source[start..end],
                            &mut json_ld_section,
                            &mut json_ld_crumbs,
                        );
                    }
                }
            }
            _ if markup_crumbs.is_empty() => {
                let microdata = dom
                    .attr(id, "itemtype")
                    .is_some_and(|kind| kind.contains("BreadcrumbList"));
                let classed = hints_of(dom, id).contains("breadcrumb")
                    && !matches!(tag, "html" | "body" | "a" | "span" | "li");
                if microdata || classed {
                    markup_crumbs = breadcrumb_names(dom, id, microdata);
                }
            }
            _ => {}
        }
    }
    let from_meta = || {
        meta_value(
            dom,
            &metas,
            &[
                "article:section",
                "og:article:section",
                "parsely-section",
                "sailthru.section",
                "section",
            ],
        )
        .or_else(|| {
            let page = meta_value(dom, &metas, &["parsely-page"])?;
            let value: serde_json::Value = serde_json::from_str(&page).ok()?;
            value
                .get("section")
                .and_then(|s| s.as_str())
                .map(normalize_line)
                .filter(|s| !s.is_empty())
        })
    };
    json_ld_section
        .or_else(from_meta)
        .or_else(|| first_section_crumb(&json_ld_crumbs))
        .or_else(|| first_section_crumb(&markup_crumbs))
        .or_else(|| url.and_then(section_in_url))
}

/// Names of a breadcrumb trail: microdata `itemprop="name"` elements, else link texts.
fn breadcrumb_names(dom: &Dom, root: NodeId, microdata: bool) -> Vec<String> {
    let mut names = Vec::new();
    for id in dom.descendants(root) {
        let named = if microdata {
            dom.attr(id, "itemprop")
                .is_some_and(|prop| prop.split_whitespace().any(|p| p == "name"))
        } else {
            dom.tag(id) == Some("a")
        };
        if !named {
            continue;
        }
        let text = match dom.attr(id, "content") {
            Some(content) if dom.tag(id) == Some("meta") => {
                normalize_line(&decode_entities(content))
            }
            _ => text_of(dom, id),
        };
        if !text.is_empty() {
            names.push(text);
        }
        if names.len() >= 8 {
            break;
        }
    }
    names
}

/// Words of a breadcrumb's first link that name the home page, not a section.
const HOME_CRUMBS: [&str; 14] = [
    "home",
    "homepage",
    "home page",
    "start",
    "startseite",
    "accueil",
    "inicio",
    "portada",
    "início",
    "página inicial",
    "pagina iniziale",
    "homepagina",
    "voorpagina",
    "hem",
];

/// The first crumb after the home page: the section (a long crumb is the headline).
fn first_section_crumb(crumbs: &[String]) -> Option<String> {
    crumbs
        .iter()
        .map(|crumb| {
            crumb.trim_matches(|c: char| c == '›' || c == '»' || c == '>' || c.is_whitespace())
        })
        .filter(|crumb| !crumb.is_empty())
        .filter(|crumb| !HOME_CRUMBS.contains(&crumb.to_lowercase().as_str()))
        .find(|crumb| crumb.chars().count() <= 40)
        .map(str::to_string)
}

/// Path segments that name no section.
const GENERIC_SEGMENTS: [&str; 34] = [
    "news",
    "nachrichten",
    "noticias",
    "notizie",
    "noticia",
    "nieuws",
    "actualites",
    "actualite",
    "actu",
    "article",
    "articles",
    "artikel",
    "articulo",
    "story",
    "stories",
    "content",
    "post",
    "posts",
    "blog",
    "blogs",
    "home",
    "index",
    "amp",
    "www",
    "web",
    "online",
    "archive",
    "archiv",
    "archives",
    "detail",
    "item",
    "page",
    "pages",
    "people",
];

/// The first path segment of a URL that reads as a section name.
fn section_in_url(url: &str) -> Option<String> {
    let rest = url.split_once("//").map_or(url, |(_, rest)| rest);
    let path = rest.split_once('/').map(|(_, p)| p)?;
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (_, before_slug) = segments.split_last()?;
    before_slug
        .iter()
        .take(3)
        .map(|segment| segment.to_lowercase())
        .find(|segment| {
            let words = segment.split('-').count();
            segment.chars().count() >= 3
                && segment.chars().count() <= 30
                && words <= 3
                && segment.chars().all(|c| c.is_alphabetic() || c == '-')
                && !GENERIC_SEGMENTS.contains(&segment.as_str())
        })
}

/// `articleSection` of the page's article and the names of its `BreadcrumbList`.
fn read_json_ld_section(raw: &str, section: &mut Option<String>, crumbs: &mut Vec<String>) {
    let Some(value) = parse_json_ld(raw) else {
        return;
    };
    visit_json_ld(&value, false, |map| {
        let types = types_of(map);
        if section.is_none() {
            let value = match map.get("articleSection") {
                Some(serde_json::Value::String(name)) => Some(name.as_str()),
                Some(serde_json::Value::Array(names)) => {
                    names.iter().find_map(|name| name.as_str())
                }
                _ => None,
            };
            *section = value
                .map(|name| normalize_line(&decode_entities(name)))
                .filter(|name| !name.is_empty());
        }
        if crumbs.is_empty() && types.contains(&"BreadcrumbList") {
            let mut items: Vec<(i64, String)> = Vec::new();
            if let Some(serde_json::Value::Array(list)) = map.get("itemListElement") {
                for (index, item) in list.iter().enumerate().take(12) {
                    let position = item
                        .get("position")
                        .and_then(|p| p.as_i64().or_else(|| p.as_str()?.parse().ok()))
                        .unwrap_or(index as i64);
                    let name = item
                        .get("name")
                        .or_else(|| item.get("item").and_then(|i| i.get("name")))
                        .and_then(|n| n.as_str())
                        .map(|n| normalize_line(&decode_entities(n)))
                        .filter(|n| !n.is_empty());
                    if let Some(name) = name {
                        items.push((position, name));
                    }
                }
            }
            items.sort_by_key(|(position, _)| *position);
            crumbs.extend(items.into_iter().map(|(_, name)| name));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn site_names_are_cut_from_titles() {
        let cases = [
            (
                "Zinswende: Die EZB erhöht erneut | Börsen-Zeitung",
                sites(&["boersen-zeitung.de"]),
                "Zinswende: Die EZB erhöht erneut",
            ),
            (
                "Deutschland sucht Fachkräfte – DW – 13.06.2023",
                sites(&["dw.com"]),
                "Deutschland sucht Fachkräfte",
            ),
            (
                "Man charged after crash in Toronto - National | Globalnews.ca",
                sites(&["globalnews.ca"]),
                "Man charged after crash in Toronto",
            ),
            (
                "Le Monde | Les dessous de la réforme des retraites",
                sites(&["Le Monde"]),
                "Les dessous de la réforme des retraites",
            ),
            ("Up - and down", sites(&["example.com"]), "Up - and down"),
            // an address as the site's name, whatever the page calls itself
            (
                "Koalition einigt sich auf Haushalt - Politik - SZ.de",
                sites(&["Süddeutsche Zeitung"]),
                "Koalition einigt sich auf Haushalt - Politik",
            ),
            (
                "Getting started with streams | Node.js",
                sites(&[]),
                "Getting started with streams | Node.js",
            ),
            (
                "What is new in ASP.NET",
                sites(&[]),
                "What is new in ASP.NET",
            ),
            // the site's name and its slogan after it
            (
                "Dateien mit Migrationshintergrund - Ein Ablaufplan für AutoCAD | Ebene 11 - Webentwicklung . AutoCAD . Schulung",
                sites(&["ebene11.com"]),
                "Dateien mit Migrationshintergrund - Ein Ablaufplan für AutoCAD",
            ),
            (
                "Life Is A Highway - By Lorraine Weightman - Consett Magazine - Positive Local News for Consett, County Durham",
                sites(&["consettmagazine.com"]),
                "Life Is A Highway - By Lorraine Weightman",
            ),
            // a name that is the site's but stands first with the headline after it stays
            // handled as a prefix; a headline with no site segment is left alone
            (
                "Apple - Google - Microsoft: the three-way race",
                sites(&["example.com"]),
                "Apple - Google - Microsoft: the three-way race",
            ),
        ];
        for (title, sites, expected) in cases {
            assert_eq!(strip_site(title, &sites, &[]), expected, "{title}");
        }
        // a section name before the site with the same separator goes when the page names it
        // as its section, here in its address
        let sz = sites(&["www.sueddeutsche.de"]);
        let title = "Regierung beschließt Haushalt - Politik - SZ.de";
        assert_eq!(
            strip_site(title, &sz, &["politik".to_string()]),
            "Regierung beschließt Haushalt"
        );
        assert_eq!(
            strip_site(title, &sz, &[]),
            "Regierung beschließt Haushalt - Politik"
        );
    }

    #[test]
    fn the_upload_day_of_the_pages_picture_is_the_last_resort() {
        assert_eq!(
            date_in_image_path("https://www.eff.org/files/2016/05/04/ar-2015-og.png").as_deref(),
            Some("2016-05-04")
        );
        // year and month folders with a number in the file's name give no day
        assert_eq!(
            date_in_image_path("https://x.com/wp-content/uploads/2016/05/12-image.jpg"),
            None
        );
        assert_eq!(
            date_in_image_path("https://x.com/img/20160504_photo.jpg"),
            None
        );
        // a page with no date of its own anywhere but in its picture's folder
        let page = "<html><head><title>EFF's 2015 Annual Report</title>\
            <meta property='og:image' content='https://www.eff.org/files/2016/05/04/ar-2015-og.png'>\
            </head><body><h1>EFF's 2015 Annual Report</h1><p>The year in review.</p></body></html>";
        assert_eq!(
            crate::html::extract(page).published.as_deref(),
            Some("2016-05-04")
        );
        // a date the page states comes first
        let page =
            "<html><head><meta property='og:image' content='https://x.com/files/2016/05/04/a.png'>\
            <meta property='article:published_time' content='2016-05-06T10:00:00Z'></head>\
            <body><h1>Report</h1><p>Text.</p></body></html>";
        assert_eq!(
            crate::html::extract(page).published.as_deref(),
            Some("2016-05-06T10:00:00Z")
        );
    }

    #[test]
    fn a_slashed_date_is_read_in_the_order_of_the_pages_language() {
        let page = |lang: &str| {
            format!(
                "<html lang='{lang}'><head><title>Imbroda revela que superó el coronavirus</title>\
                 </head><body><h1>Imbroda revela que superó el coronavirus</h1>\
                 <div class='fecha-pub'>Publicado: 06/05/2020 &middot;</div>\
                 <div class='cuerpo'><p>El presidente de la ciudad contó ayer que había pasado \
                 la enfermedad en marzo sin saberlo, según ha explicado en una entrevista.</p>\
                 </div></body></html>"
            )
        };
        let published = |lang: &str| crate::html::extract(&page(lang)).published;
        assert_eq!(published("es").as_deref(), Some("2020-05-06"));
        assert_eq!(published("en-GB").as_deref(), Some("2020-05-06"));
        assert_eq!(published("en"), None, "ambiguous without a region");
        assert_eq!(published("en-US"), None, "a content system's default");
    }

    #[test]
    fn the_date_beside_the_author_link_when_no_headline_leads_to_it() {
        // carta.info: the <title> is the host, the logo's h1 is empty, the post's h2 is not
        // repeated anywhere; the date stands after the author's link
        let page = "<html><head><title>carta.info</title></head><body>\
            <h1><a href='/' class='custom-logo-link'><img src='logo.svg'></a></h1>\
            <div class='post'><h2>Der neue Trend: Muss- statt Wunschkoalition</h2>\
            <p class='morespace'>von <a href='http://carta.info/author/kps/' rel='author' class='author url fn'>Klaus-Peter Schöppner</a>, 8.5.12 </p>\
            <div class='the-content'><p>Die Landtagswahl zwischen Nord- und Ostsee gibt einen Vorgeschmack.</p></div></div></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.published.as_deref(), Some("2012-05-08"));
    }

    #[test]
    fn a_dateline_right_above_the_headline_beats_a_teaser_list_below_it() {
        // handball-world.news: the article's date line stands over the h1; under it, past the
        // article, a list of other stories with their own dates
        let teasers: String = (0..8)
            .map(|i| format!("<li><small>30.01.2022 · Männer</small> <a href='/n{i}'>Andere Meldung {i}</a></li>"))
            .collect();
        let page = format!(
            "<html><body><div class='row'><div class='col'>\
            <p>02.02.2022 10:16 Uhr - 1. Bundesliga - PM Vereine, red</p>\
            <h1>HSV Hamburg verpflichtet niederländischen Nationalspieler</h1>\
            <div><a href='/tag'>HSV</a></div><div><a href='/tag2'>Baijens</a></div>\
            <p>Der HSV Hamburg hat einen Nationalspieler verpflichtet.</p><p>Er kommt im Sommer.</p><p>Der Vertrag läuft bis 2025.</p>\
            <p>Der Trainer freut sich.</p>\
            <ul>{teasers}</ul></div></div></body></html>"
        );
        let article = crate::html::extract(&page);
        assert_eq!(article.published.as_deref(), Some("2022-02-02"));
        // a date close under the headline still wins over one above it
        let page = "<html><body><div><p>Aktualisiert 01.01.2020</p><h1>Titel der Meldung</h1>\
            <p>Von Anna Schmidt, 05.03.2021</p><p>Text.</p></div></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.published.as_deref(), Some("2021-03-05"));
    }

    #[test]
    fn character_references_in_json_ld_are_read_as_a_browser_shows_them() {
        // absatzwirtschaft.de (Yoast): the headline in JSON-LD carries HTML references
        let page = r#"<html><head><script type="application/ld+json">{"@type":"NewsArticle",
            "headline":"Kicken im Dreieck: Das Rebranding von &#8222;EA Fifa&#8220; zu &#8222;EA FC&#8220;",
            "author":{"@type":"Person","name":"J&ouml;rg M&uuml;ller"}}</script></head>
            <body><p>Text.</p></body></html>"#;
        let article = crate::html::extract(page);
        assert_eq!(
            article.title.as_deref(),
            Some("Kicken im Dreieck: Das Rebranding von „EA Fifa“ zu „EA FC“")
        );
        assert_eq!(article.authors, vec!["Jörg Müller".to_string()]);
    }

    #[test]
    fn a_genres_label_at_either_end_of_the_title_goes() {
        assert_eq!(
            without_genre("TV programs that rose to the challenges of 2020 | COMMENTARY"),
            "TV programs that rose to the challenges of 2020"
        );
        assert_eq!(
            without_genre("Meinung | Warum die Schuldenbremse bleiben muss"),
            "Warum die Schuldenbremse bleiben muss"
        );
        // a genre word inside the headline stays
        assert_eq!(
            without_genre("Opinion polls and the art of the comeback"),
            "Opinion polls and the art of the comeback"
        );
        assert_eq!(without_genre("Review"), "Review");
    }

    #[test]
    fn the_only_h1_over_an_seo_title_that_tells_the_same_story() {
        let sites = vec!["Computer Bild".to_string()];
        // computerbild.de: og:title is written for search, the h1 is what the reader sees
        assert!(heading_over_primary(
            "Cloud-Gaming im Test: Jetzt ist Amazon Luna dabei",
            "Cloud-Gaming im Test 2023: Google ist raus, Amazon ist drin",
            &sites
        ));
        // a logo or a section in the h1 tells another story
        assert!(!heading_over_primary(
            "Hi, I'm Nicolas.",
            "Get your Frontend JavaScript Code Covered | Code | Nicolas Perriault",
            &sites
        ));
        assert!(!heading_over_primary(
            "Reuters Verified account",
            "Reuters on Twitter",
            &sites
        ));
        // a kicker run into the h1 ("Wow, wow, wow!") is not the headline's
        assert!(!heading_over_primary(
            "Wow, wow, wow! Manuela Reimann: Hochzeitsüberraschung in Bayern!",
            "Manuela Reimann: Hochzeitsüberraschung in Bayern!",
            &sites
        ));
        // the markup names only the outlet
        assert!(heading_over_primary(
            "Cloud-Gaming im Test: Jetzt ist Amazon Luna dabei",
            "Computer Bild",
            &sites
        ));
        // a site's name run into the markup's headline without a separator
        assert!(heading_over_primary(
            "Sebi ko MF maamle niptane chahiye",
            "Business Standard Sebi ko MF maamle niptane chahiye",
            &sites
        ));
        let page = "<html><head><meta property='og:title' content='Lady Gaga Shares Pic of Ex Taylor Kinney With Her Mom'></head>\
            <body><h1>Lady Gaga Shares Photo of Ex Taylor Kinney Hanging With Her Mom and Now We’re Confused</h1>\
            <p>Text.</p></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(
            article.title.as_deref(),
            Some("Lady Gaga Shares Photo of Ex Taylor Kinney Hanging With Her Mom and Now We’re Confused")
        );
    }

    #[test]
    fn authors_each_in_a_card_of_their_own_share_the_byline() {
        // seattletimes.com (a New York Times story): one vcard per writer, joined by ", " and
        // " and "; a teaser's author further down stays out
        let card = |name: &str| {
            format!(
                "<div class='name vcard'><a href='/author/x/' rel='author'><span itemprop='author' \
                 itemscope itemtype='http://schema.org/Person'><span itemprop='name'>{name}</span>\
                 </span></a></div>"
            )
        };
        let filler: String = (0..40)
            .map(|i| format!("<p>Paragraph {i} of the story.</p>"))
            .collect();
        let page = format!(
            "<html><body><h1>Conservatives nurture protests</h1><div class='byline'>By {}\
             <span>, </span>{}<span> and </span>{}</div><div class='body'>{filler}</div>\
             <aside><div><div>{}</div></div></aside></body></html>",
            card("Jim Rutenberg"),
            card("Lisa Lerer"),
            card("Kenneth P. Vogel"),
            card("Somebody Else"),
        );
        let article = crate::html::extract(&page);
        assert_eq!(
            article.authors,
            vec!["Jim Rutenberg", "Lisa Lerer", "Kenneth P. Vogel"]
        );
    }

    #[test]
    fn a_visible_byline_stands_over_an_agency_in_the_author_meta() {
        // dailyherald.com: an AP story, the meta names the agency, the page its writer
        let page = "<html><head><meta name='author' content='Associated Press'></head><body>\
            <h1>Hollywood actors strike ends</h1><div class='bylineItem'><span class='plainByline'>\
            By ANDREW DALTON<br>AP Entertainment Writer</span></div>\
            <p>LOS ANGELES (AP) -- Hollywood's actors union reached a tentative deal.</p></body></html>";
        let article = crate::html::extract(page);
        assert!(
            article
                .byline
                .as_deref()
                .is_some_and(|byline| byline.starts_with("By ANDREW DALTON")),
            "{:?}",
            article.byline
        );
        // the same name in both: the markup's stays
        let page = "<html><head><meta name='author' content='Jane Doe'></head><body>\
            <h1>Headline of the story</h1><div class='byline'>By Jane Doe</div>\
            <p>Text of the story.</p></body></html>";
        assert_eq!(
            crate::html::extract(page).byline.as_deref(),
            Some("Jane Doe")
        );
    }

    #[test]
    fn a_byline_naming_only_the_outlet_gives_way_to_the_writers_byline() {
        // a syndicated story: the header's byline names the source site, the text's the writer
        let page = |header: &str| {
            format!(
                "<html><head><link rel='canonical' href='https://www.eastbaytimes.com/2020/04/24/x/'>\
                 </head><body><h1>Joe Biden predicts Trump will try to delay elections</h1>\
                 <div class='meta'><div class='byline'>{header}</div></div>\
                 <div class='article-body'><div class='byline'>By Kate Sullivan, CNN</div>\
                 <p>(CNN) -- Joe Biden said Thursday he believes Donald Trump will try to delay \
                 the elections.</p></div></body></html>"
            )
        };
        let byline = |header: &str| crate::html::extract(&page(header)).byline;
        for outlet in [
            "By <a href='/author/cnn-com/' rel='author'>CNN.com</a>",
            "By East Bay Times staff",
        ] {
            assert_eq!(
                byline(outlet).as_deref(),
                Some("By Kate Sullivan, CNN"),
                "{outlet}"
            );
        }
        // a header byline naming a person stays
        assert_eq!(
            byline("By <a href='/author/jane-doe/' rel='author'>Jane Doe</a>").as_deref(),
            Some("By Jane Doe")
        );
    }

    #[test]
    fn a_creator_in_the_byline_is_an_author_a_pictures_is_not() {
        // oglobo.globo.com: "Por <span itemprop=creator …><strong itemprop=name>…"
        let page = "<html><body><figure itemscope itemtype='https://schema.org/ImageObject'>\
            <img src='a.jpg'><span itemprop='creator'>Cesar Greco</span></figure>\
            <h1>Eduardo Bolsonaro e a China</h1><p>Por <span itemprop='creator' itemscope \
            itemtype='https://schema.org/Person'><strong itemprop='name'>Agência O Globo</strong>\
            </span></p><p>A atitude hostil do presidente da Comissão voltou a causar mal-estar.</p>\
            </body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.authors, vec!["Agência O Globo".to_string()]);
    }

    #[test]
    fn a_vendors_own_meta_name_for_the_publication_date() {
        for name in [
            "cxenseparse:publishtime",
            "dtk:publishdate",
            "five_hundred_pixels:uploaded",
            "uploadDate",
            "og:release_date",
            "article:published_date",
        ] {
            assert!(publication_meta_name(name), "{name}");
        }
        for name in [
            "article:expiration_time",
            "last_updated_date",
            "lastPublishedDate",
            "article:modified_date",
            "coverageEndTime",
            "last_rcp_import",
        ] {
            assert!(!publication_meta_name(name), "{name}");
        }
        // 500px: the photo's page states its upload time in its own meta name only
        let page = "<html><head><title>Spring in China</title>\
            <meta content='Landscapes' property='five_hundred_pixels:category'>\
            <meta content='2025-01-01' property='five_hundred_pixels:last_updated'>\
            <meta content='2013-02-16T04:36:36-05:00' property='five_hundred_pixels:uploaded'>\
            </head><body><h1>Spring in China</h1><p>Lijiang, China.</p></body></html>";
        assert_eq!(
            crate::html::extract(page).published.as_deref(),
            Some("2013-02-16T04:36:36-05:00")
        );
    }

    #[test]
    fn the_feed_link_names_the_site_to_cut_from_the_title() {
        // a WordPress blog without Open Graph or a canonical link
        let page = "<html><head><title>Kein Cyberterrorismus (diesmal) | Dr. Phillip W. Brunst</title>\
            <link rel='alternate' type='application/rss+xml' title='Dr. Phillip W. Brunst &raquo; Feed' href='http://www.pbrunst.de/feed/'>\
            <link rel='alternate' type='application/rss+xml' title='Dr. Phillip W. Brunst &raquo; Kommentar-Feed' href='http://www.pbrunst.de/comments/feed/'>\
            </head><body><p>Die Meldungen der letzten Tage.</p></body></html>";
        assert_eq!(
            crate::html::extract(page).title.as_deref(),
            Some("Kein Cyberterrorismus (diesmal)")
        );
        // the feed's host counts as the site's host
        let page = "<html><head><title>Zinswende: Die EZB erhöht erneut - Boersenblatt</title>\
            <link rel='alternate' type='application/atom+xml' title='Atom' href='https://www.boersenblatt.net/atom.xml'>\
            </head><body><p>Text.</p></body></html>";
        assert_eq!(
            crate::html::extract(page).title.as_deref(),
            Some("Zinswende: Die EZB erhöht erneut")
        );
        // a stylesheet or a feed of another kind says nothing
        let page = "<html><head><title>Up - Down Under</title>\
            <link rel='stylesheet' title='Down Under » Feed' href='https://x.org/a.css'>\
            </head><body><p>Text.</p></body></html>";
        assert_eq!(
            crate::html::extract(page).title.as_deref(),
            Some("Up - Down Under")
        );
    }

    #[test]
    fn a_second_writer_named_beside_the_author_link() {
        let page = "<html lang='de'><head><title>Neue Regeln für Mieter</title></head><body><article>\
            <h1>Neue Regeln für Mieter</h1>\
            <p class='autor'>Von <a href='/autor/max-mustermann'>Max Mustermann</a> und Erika Musterfrau</p>\
            <p>Die Bundesregierung hat am Mittwoch neue Regeln für Mieter beschlossen.</p>\
            </article></body></html>";
        let article = crate::html::extract(page);
        assert!(article.authors.is_empty(), "{:?}", article.authors);
        assert_eq!(
            article.byline.as_deref(),
            Some("Von Max Mustermann und Erika Musterfrau")
        );
        // a link alone in its line stays the author
        let page = page.replace(" und Erika Musterfrau", ", 13.06.2023");
        let article = crate::html::extract(&page);
        assert_eq!(article.authors, vec!["Max Mustermann".to_string()]);
        assert!(!names_more_after(
            "Max Mustermann und die Redaktion",
            &["Max Mustermann".to_string()]
        ));
    }

    #[test]
    fn a_microformat_date_in_the_title_attribute() {
        let post = |stamp: &str| {
            format!(
                "<html><head><title>Irland-Roadtrip</title></head><body><div class='post'>\
                <h3 class='post-title'>Irland-Roadtrip</h3>{stamp}\
                <div class='post-body'><p>Drei Wochen mit dem Auto durch Irland.</p></div></div>\
                <div id='comments'><p>Kommentar vom 14.08.2018</p></div></body></html>"
            )
        };
        // hAtom (older WordPress themes)
        let page = post("<abbr class='published' title='2018-08-02T10:14:00+02:00'>10:14</abbr>");
        assert_eq!(
            crate::html::extract(&page).published.as_deref(),
            Some("2018-08-02T10:14:00+02:00")
        );
        // Blogger: itemprop on the abbr, the clock shown
        let page = post(
            "<span class='post-timestamp'><a class='timestamp-link' href='/2018/08/x.html'>\
            <abbr class='published' itemprop='datePublished' title='2018-08-02T10:14:00+02:00'>10:14</abbr></a></span>",
        );
        assert_eq!(
            crate::html::extract(&page).published.as_deref(),
            Some("2018-08-02T10:14:00+02:00")
        );
        // a title that is no date is not read
        let page =
            post("<span class='published' title='Beitrag veröffentlicht'>vor 3 Tagen</span>");
        assert_eq!(crate::html::extract(&page).published, None);
    }

    #[test]
    fn a_byline_that_names_the_kind_of_piece_first() {
        let page = |line: &str| {
            format!(
                "<html><head><title>Neue Regeln für Mieter</title></head><body>\
                <h1>Neue Regeln für Mieter</h1>{line}\
                <p>Die Bundesregierung hat am Mittwoch neue Regeln für Mieter beschlossen.</p>\
                </body></html>"
            )
        };
        let byline = |line: &str| crate::html::extract(&page(line)).byline;
        assert_eq!(
            byline("<p>Eine Analyse von Max Mustermann</p>").as_deref(),
            Some("Eine Analyse von Max Mustermann")
        );
        assert_eq!(
            byline("<p>An analysis by <a href='/people/max'>Max Mustermann</a></p>").as_deref(),
            Some("An analysis by Max Mustermann")
        );
        // a subheading that speaks of someone is no byline
        assert_eq!(byline("<p>Die Rede von Angela Merkel</p>"), None);
        assert_eq!(genre_byline("Eine Analyse von"), Some(false));
        assert_eq!(genre_byline("Die Rede von Angela Merkel"), None);
    }

    #[test]
    fn json_ld_as_pages_write_it() {
        // avaz.ba: a brace too many after the object
        let raw = r#"{"@context": "http://schema.org", "@type": "NewsArticle",
            "headline": "Generalni direktor EPRS pozitivan na koronavirus",
            "datePublished": "2020-10-26T18:10:00+01:00"} }"#;
        let mut found = JsonLd::default();
        read_json_ld(raw, &mut found);
        assert_eq!(
            found.published.as_deref(),
            Some("2020-10-26T18:10:00+01:00")
        );
        // a raw line break inside a string and a comma before the closing brace
        let raw = "{\"@type\": \"NewsArticle\", \"description\": \"line one\nline two\",\n\
            \"datePublished\": \"2020-07-02\",\n}";
        let mut found = JsonLd::default();
        read_json_ld(raw, &mut found);
        assert_eq!(found.published.as_deref(), Some("2020-07-02"));
        assert_eq!(found.description.as_deref(), Some("line one line two"));
        // a comma inside a string stays
        assert_eq!(
            repair_json(r#"{"a": "x, ]", "b": [1, 2,]}"#),
            r#"{"a": "x, ]", "b": [1, 2]}"#
        );
        // a property commented out by hand (udn.com, ndtv.com); a URL's `//` inside a string
        // stays
        let raw = "{\"@type\": \"NewsArticle\",\n\t\"url\": \"https://money.udn.com/x\",\n\
            \t//\"interactionCount\": \"UserComments:0\",\n\
            \t\"datePublished\": \"2020-10-04T15:05:21+08:00\"\n}";
        let mut found = JsonLd::default();
        read_json_ld(raw, &mut found);
        assert_eq!(
            found.published.as_deref(),
            Some("2020-10-04T15:05:21+08:00")
        );
    }

    #[test]
    fn the_visible_byline_stands_over_author_links_it_does_not_name() {
        let page = |byline: &str| {
            format!(
                "<html><head><title>Senate passes the spending bill</title></head><body>\
                 <h1>Senate passes the spending bill</h1><p class='byline'>{byline}</p>\
                 <div class='story'><p>The Senate passed the bill late on Thursday after a \
                 week of talks, sending it to the House for a final vote next week.</p></div>\
                 <aside><h3>Opinion</h3><a href='/opinion/a'>A column on the bill</a> by \
                 <a rel='author' href='/author/thom-loverro'>Thom Loverro</a></aside>\
                 </body></html>"
            )
        };
        let article = crate::html::extract(&page("By Susan Ferrechio"));
        assert!(article.authors.is_empty(), "{:?}", article.authors);
        assert_eq!(article.byline.as_deref(), Some("By Susan Ferrechio"));
        // a link the byline names is the article's author
        let article = crate::html::extract(&page(
            "By <a rel='author' href='/author/susan-ferrechio'>Susan Ferrechio</a>",
        ));
        assert_eq!(article.authors, ["Susan Ferrechio"]);
    }

    #[test]
    fn the_titles_last_part_is_the_sites_when_the_page_shows_it_outside_headings() {
        let page = |title: &str, shown: &str| {
            format!(
                "<html><head><title>{title}</title></head><body>{shown}<div class='story'>\
                 <p>The president's account is read as policy by markets, allies and rivals, \
                 and the smoke screen is, some say, the policy itself.</p></div></body></html>"
            )
        };
        let title = |title: &str, shown: &str| crate::html::extract(&page(title, shown)).title;
        let long = "Maybe the president's Twitter account is more than a smoke screen";
        let full = format!("{long} | The New Republic");
        for shown in [
            "<a href='/' class='logo'><img src='/l.svg' alt='The New Republic'></a>",
            "<a href='/'>The New Republic</a>",
            "<footer><p>© 2017 The New Republic. All rights reserved.</p></footer>",
        ] {
            assert_eq!(title(&full, shown).as_deref(), Some(long), "{shown}");
        }
        // not shown, or only as a heading: the title stays whole
        assert_eq!(title(&full, "").as_deref(), Some(full.as_str()));
        assert_eq!(
            title(&full, "<h2>The New Republic</h2>").as_deref(),
            Some(full.as_str())
        );
        // one word before it is no headline left
        let blog = "Blog - Schattiges Plätzchen";
        assert_eq!(
            title(blog, "<span>Schattiges Plätzchen</span>").as_deref(),
            Some(blog)
        );
    }

    #[test]
    fn with_only_a_title_tag_the_h1_telling_the_same_story_is_the_title() {
        let choose = |tag: &str, h1: &str| {
            choose_title(Some(tag), Some(tag), &[h1.to_string()], &[], &[]).unwrap()
        };
        // the <title> written for search engines, the headline the reader sees
        let tag = "Vreni Frost im offenen Interview zur Abmahnung";
        let h1 = "Der Fall Vreni Frost: Müssen wir bald jedes Bild auf Instagram kennzeichnen?";
        assert_eq!(choose(tag, h1), h1);
        // a heading sharing no word with the <title> is the site's or the section's
        let tag = "Babies Who Eat Peanuts Early May Avoid Allergy";
        assert_eq!(choose(tag, "Allergies Health Center"), tag);
        assert_eq!(choose(tag, "Peanut Allergies"), tag, "not three words");
        // the site's part of the <title>, at its end or its start
        let tag =
            "Dateien mit Migrationshintergrund | Ebene 11 - Webentwicklung . AutoCAD . Schulung";
        assert_eq!(choose(tag, "Webentwicklung . AutoCAD . Schulung"), tag);
        let tag = "Daily Legal News : Details : Murrays Mowing LLC : Alexander Murray";
        assert_eq!(choose(tag, "Daily Legal News"), tag);
        // ... or one of its parts between separators
        let tag = "How to shoot at night | Tom's Photography Tips | Blog";
        assert_eq!(choose(tag, "Tom's Photography Tips"), tag);
        // within a part of the <title>, the heading may be the headline
        let tag = "The GNU General Public License v3.0 - GNU Project - Free Software Foundation";
        assert_eq!(
            choose(tag, "GNU General Public License"),
            "GNU General Public License"
        );
        // words without spaces between them are not compared by stems
        let tag = "米朝首脳直通電話 習氏に挑むトランプ戦術の成否 （写真＝ロイター）";
        let h1 = "米朝首脳直通電話 習氏に挑むトランプ戦術の成否編集委員 中沢克二";
        assert_eq!(choose(tag, h1), tag);
        // a headline in the markup is the editor's: it stays
        let h1 = vec!["Der Fall Vreni Frost: Müssen wir bald jedes Bild kennzeichnen?".to_string()];
        assert_eq!(
            choose_title(
                Some("Vreni Frost im offenen Interview zur Abmahnung"),
                Some("Vreni Frost: Interview | refinery29"),
                &h1,
                &[],
                &[]
            )
            .as_deref(),
            Some("Vreni Frost im offenen Interview zur Abmahnung")
        );
    }

    #[test]
    fn title_is_the_h1_when_the_headline_starts_with_it() {
        let h1 = vec!["Kim visits Moscow".to_string()];
        assert_eq!(
            choose_title(Some("Kim visits Moscow - World news"), None, &h1, &[], &[]).as_deref(),
            Some("Kim visits Moscow")
        );
        let logo = vec!["Daily Planet".to_string()];
        assert_eq!(
            choose_title(Some("Kim visits Moscow"), None, &logo, &[], &[]).as_deref(),
            Some("Kim visits Moscow")
        );
    }

    #[test]
    fn title_is_the_h1_when_the_headline_puts_a_kicker_before_it() {
        // the page's logo is an <h1> too, so the one-heading rules do not decide
        let h1 = vec![
            "Gartenblog".to_string(),
            "Schattiges Plätzchen im Garten".to_string(),
        ];
        for (title, expected) in [
            (
                "Blog - Schattiges Plätzchen im Garten",
                "Schattiges Plätzchen im Garten",
            ),
            (
                "Genetik: Schattiges Plätzchen im Garten",
                "Schattiges Plätzchen im Garten",
            ),
            // no separator, or a long lead-in: the markup's headline stands
            (
                "Das Schattiges Plätzchen im Garten",
                "Das Schattiges Plätzchen im Garten",
            ),
            (
                "Was Gärtner im Sommer wissen müssen: Schattiges Plätzchen im Garten",
                "Was Gärtner im Sommer wissen müssen: Schattiges Plätzchen im Garten",
            ),
        ] {
            assert_eq!(
                choose_title(Some(title), None, &h1, &[], &[]).as_deref(),
                Some(expected),
                "{title}"
            );
        }
    }

    #[test]
    fn dates_in_urls() {
        assert_eq!(
            date_in_url("https://x.com/2019/11/19/story").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(
            date_in_url("https://x.com/news/2019-11-19-story.html").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(date_in_url("https://x.com/2019/11/story"), None);
        assert_eq!(date_in_url("https://x.com/id/12345678"), None);
    }

    #[test]
    fn the_dateline_under_the_headline_not_the_logo() {
        // a German club page: the logo is an empty <h1>, the date sits under the headline
        let menu: String = (0..45)
            .map(|n| format!("<li><a href='/m{n}'>Menüpunkt {n}</a></li>"))
            .collect();
        let page = format!(
            "<html lang='de'><body><div id='header'><h1 id='sitetitle'><img src='logo.png'></h1></div>\
            <ul class='menu'>{menu}</ul><div class='mod_article'><h1>Warm war es.... schön war es...</h1>\
            <p class='info'>10.06.2018 22:00</p><p>Das Turnier fand bei bestem Wetter statt.</p></div></body></html>"
        );
        let article = crate::html::extract(&page);
        assert_eq!(article.published.as_deref(), Some("2018-06-10"));
    }

    #[test]
    fn the_time_under_the_headline_not_a_teasers_or_an_embedded_posts() {
        // a French blog: a list of other posts (one marked pubdate) before the article, an
        // Instagram post quoted in it; the article's own date sits under its headline
        let page = "<html lang='fr'><body><ul class='posts'>\
            <li><a href='/a'>Un autre billet</a> <time datetime='2019-07-30' pubdate>30 juil. 2019</time></li></ul>\
            <div class='billet'><h1>Violences policières: bombe à retardement médiatique</h1>\
            <p class='publication'>Le <time datetime='2019-06-28T13:49:45Z'>28 juin 2019</time></p>\
            <p>Le texte du billet, long et argumenté, avec des virgules, des noms et des chiffres.</p>\
            <blockquote class='instagram-media'><a href='/p'>Une photo</a> publiée le \
            <time datetime='2018-03-12T19:30:12+00:00'>12 mars 2018</time></blockquote></div></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(
            article.published.as_deref().map(|d| &d[..10]),
            Some("2019-06-28")
        );
        // with no time under the headline, the embedded post's is still not the article's
        let page = "<html lang='de'><body><div class='artikel'><h1>Die Schlagzeile des Tages</h1>\
            <p>Der Text des Artikels, mit Kommas, Namen und Zahlen, lang genug.</p>\
            <blockquote class='instagram-media'><time datetime='2018-03-12T19:30:12+00:00'>12. März 2018</time></blockquote>\
            <div class='PageArticle_publishDate'>Dienstag, 29. Januar 2019</div></div></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.published.as_deref(), Some("2019-01-29"));
    }

    #[test]
    fn an_author_link_naming_its_page_is_no_author() {
        for label in [
            "記者ページ",
            "View profile",
            "More by this author",
            "Alle Artikel",
        ] {
            assert!(names_a_page(label), "{label}");
        }
        for name in ["Larry Page", "松村太郎", "Anna Profilo"] {
            assert!(!names_a_page(name), "{name}");
        }
        let page = "<html lang='ja'><body><h1>見出しの記事のタイトル</h1>\
            <div class='byline'><a href='/author/tanaka/'>記者ページ</a></div><p>本文。</p></body></html>";
        let article = crate::html::extract(page);
        assert!(article.authors.is_empty(), "{:?}", article.authors);
    }

    #[test]
    fn a_time_shows_its_printed_date_when_the_attribute_is_days_away() {
        let page = "<html lang='fr'><body><article><h1>Quand on comprend que les grenades sont un enjeu</h1>\
            <div class='time'><time datetime='2019-07-03T10:18:46Z'>Publié le 29 juin 2019</time></div>\
            <p>Le texte.</p></article></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.published.as_deref(), Some("2019-06-29"));
        // the same day in another zone is the attribute's instant
        let page = "<html><body><article><h1>A headline of the article</h1>\
            <time datetime='2019-06-29T23:30:00-04:00'>June 29, 2019</time><p>Text.</p></article></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(
            article.published.as_deref(),
            Some("2019-06-29T23:30:00-04:00")
        );
    }

    #[test]
    fn a_date_inside_the_first_sentence_is_not_the_dateline() {
        let page = "<html lang='es'><body><h1 class='title'>Precio del petróleo mexicano cae a un mínimo de 18 años</h1>\
            <div class='content-body'><p>El barril de petróleo mexicano de exportación se desplomó 22 por ciento \
            este martes respecto al viernes, al cerrar hoy en 18.78 dólares por barril, su cotización más baja \
            desde el 6 de marzo de 2002.</p><p>Con este precio, el promedio es de 45.88 dólares.</p></div>\
            <div class='fecha'><time datetime='2020-03-17T12:00:00-06:00'>17/03/2020</time></div></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(
            article.published.as_deref().map(|d| &d[..10]),
            Some("2020-03-17")
        );
    }

    #[test]
    fn a_sidebar_layout_class_on_the_page_does_not_hide_the_articles_date() {
        // WordPress themes put "right-sidebar" on <body>; the teaser's author stays out
        let page = "<html lang='de'><body class='single two-column right-sidebar'>\
            <article><header><h1>Paris Haute Couture SS14</h1><div class='entry-meta'>\
            <time class='entry-date' datetime='2014-01-27T19:02:50+00:00' pubdate>27. Januar 2014</time>\
            </div></header><p>Text.</p></article>\
            <div class='sidebar'><a rel='author' href='/a'>Someone Else</a></div></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.published.as_deref(), Some("2014-01-27T19:02:50Z"));
        assert!(article.authors.is_empty(), "{:?}", article.authors);
    }

    #[test]
    fn a_layout_class_on_the_headlines_wrapper_does_not_hide_the_byline() {
        // "withSidebar" says a sidebar sits beside the article; the page's own sidebar stays out
        let page = "<html><body><main><div class='detailBodyContainer withSidebar'>\
            <h1>Oil prices fall</h1><div class='byline'><span class='authorText'>\
            <a href='/news/business/author/pete-evans-1.3333505'>Pete Evans</a></span></div>\
            <p>Text of the article.</p></div>\
            <div class='sidebar'><a rel='author' href='/a'>Someone Else</a></div></main></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.authors, vec!["Pete Evans".to_string()]);
    }

    #[test]
    fn the_articles_own_footer_names_its_author_but_the_pages_does_not() {
        let page = "<html><body><article><header><h1>Grim outlook</h1></header>\
            <footer class='meta'><p class='byline'>By <a href='/staff/kate-davidson'>Kate Davidson</a></p>\
            </footer><p>Text of the article.</p></article>\
            <footer><a rel='author' href='/about'>Site Owner</a></footer></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.authors, vec!["Kate Davidson".to_string()]);
        let page_footer_only = "<html><body><article><h1>Grim outlook</h1><p>Text.</p></article>\
            <footer><a rel='author' href='/about'>Site Owner</a></footer></body></html>";
        assert!(crate::html::extract(page_footer_only).authors.is_empty());
    }

    #[test]
    fn a_teaser_cards_author_link_is_not_the_articles_author() {
        // the byline's name is a link without a page; a teaser card above the article links
        // its own author's page
        let page = "<html><body><div class='tease-small'><a href='/x'>Other story</a>\
            <div class='tease-small__meta'><a class='author-link' href='/author/richard-roe'>\
            Richard Roe</a></div></div>\
            <div class='blog-header'><h1>The essay</h1><div class='blog-header__meta'>\
            <span class='author-meta'>By</span> <a class='author-link author-meta'>Duncan Bell</a>\
            </div></div><p>Text of the essay.</p></body></html>";
        let article = crate::html::extract(page);
        assert!(
            !article.authors.contains(&"Richard Roe".to_string()),
            "{:?}",
            article.authors
        );
    }

    #[test]
    fn the_headline_may_be_an_h2_under_a_logo_h1() {
        // the theme's h1 holds only the logo; the post's title is an h2 the <title> repeats,
        // with the date in German short form under it
        let page = "<html><head><title>Der neue Trend: Muss- statt Wunschkoalition | Blog</title>\
            </head><body><h1><a href='/'><img src='logo.svg'></a></h1>\
            <div class='post'><h2>Der neue Trend: Muss- statt Wunschkoalition</h2>\
            <p class='morespace'>von <a href='/people/ks'>Klaus Schmidt</a>, 8.5.12</p>\
            <p>Die Landtagswahl zwischen den Parteien war knapp.</p></div></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.published.as_deref(), Some("2012-05-08"));
    }

    #[test]
    fn a_json_ld_author_named_by_reference_to_the_graph() {
        // Yoast SEO: the article's author is an `@id` of a Person node elsewhere in the graph
        let page = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org",
            "@graph":[{"@type":"Article","@id":"https://x.de/a/#article","headline":"Forum sichern",
            "author":{"@id":"https://x.de/#/schema/person/a36c"},"datePublished":"2023-11-06T10:00:00+00:00"},
            {"@type":"Person","@id":"https://x.de/#/schema/person/a36c","name":"Silvia Oestreicher"}]}
            </script></head><body><h1>Forum sichern</h1><p>Text.</p></body></html>"#;
        let article = crate::html::extract(page);
        assert_eq!(article.authors, vec!["Silvia Oestreicher".to_string()]);
        // a placeholder person ("external authors") gives way to the page's named authors
        let page = r#"<html><head><meta name="author" content="Ralph Steiner/Carlo Natter">
            <script type="application/ld+json">{"@type":"NewsArticle","headline":"Ein Krieg der Karten",
            "author":[{"@type":"Person","name":"Auswärtige Autoren (AA)"}]}</script></head>
            <body><h1>Ein Krieg der Karten</h1><p>Text.</p></body></html>"#;
        let article = crate::html::extract(page);
        assert_eq!(
            article.authors,
            vec!["Ralph Steiner/Carlo Natter".to_string()]
        );
    }

    #[test]
    fn a_login_in_the_author_meta_gives_way_to_the_named_author() {
        for handle in ["dehlix", "jdoe_42", "MoritzMeyer"] {
            assert!(is_handle(handle), "{handle}");
        }
        for name in ["Paul", "Jane Doe", "松村太郎", "Anne-Marie"] {
            assert!(!is_handle(name), "{name}");
        }
        let page = "<html><head><meta name='author' content='dehlix'></head><body>\
            <h2>Der neue Trend</h2><p class='morespace'>von <a rel='author' \
            href='/author/ks/'>Klaus-Peter Schöppner</a>, 8.5.12</p><p>Text.</p></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.authors, vec!["Klaus-Peter Schöppner".to_string()]);
    }

    #[test]
    fn the_date_under_the_first_h1_or_under_the_headline() {
        // the theme's h1s are commented out; the post's title is an h3 the <title> repeats
        let page = "<html><head><title>Guinée : Un braconnier interpellé ‹ Wara</title></head>\
            <body><!-- <h1>The Blog</h1> --><h3><a href='/p'>Guinée : Un braconnier interpellé</a></h3>\
            <div class='post_detail'><img src='cal.png'>&nbsp; 27 Sep 2016</div>\
            <p>La Justice de paix a tenu son audience.</p></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.published.as_deref(), Some("2016-09-27"));
        assert_eq!(
            article.title.as_deref(),
            Some("Guinée : Un braconnier interpellé")
        );
        // a section's name in the first h1, the release's date under it, then its headline
        let page = "<html><head><title>Maus mit Fingerabdruck | Sanwa</title></head><body>\
            <h1>Pressemitteilungen</h1><dl class='info'><dd>2019.03.08</dd></dl>\
            <h1>Maus mit Fingerabdruck</h1><p>Die Maus ist da.</p>\
            <ul><li>Andere Meldung vom 10. August 2022</li></ul></body></html>";
        assert_eq!(
            crate::html::extract(page).published.as_deref(),
            Some("2019-03-08")
        );
    }

    #[test]
    fn a_menu_of_the_sites_writers_names_no_author() {
        let menu: String = [
            "Andy Serwer",
            "Brittany Jones",
            "Daniel Howley",
            "Julia Roche",
            "Melody Hahm",
        ]
        .iter()
        .map(|name| {
            let slug = name.to_lowercase().replace(' ', "-");
            format!("<li><a href='/blogs/author/{slug}/'>{name}</a></li>")
        })
        .collect();
        let page = format!(
            "<html><body><ul class='Pend'>{menu}</ul><h1>Stocks fall</h1>\
             <div class='byline'><a href='/author/ben-silverman'>Ben Silverman</a></div>\
             <p>Text.</p></body></html>"
        );
        let article = crate::html::extract(&page);
        assert_eq!(article.authors, vec!["Ben Silverman".to_string()]);
    }

    #[test]
    fn no_spaces_between_the_spans_of_a_japanese_headline() {
        let page = "<html><body><h1><span>Intel NUCで最新SSDを比較してみた</span><i>：</i>\
            <i>さらば平成、いくぜNUC</i> <span>（1/2 ページ）</span></h1><p>本文。</p></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(
            article.title.as_deref(),
            Some("Intel NUCで最新SSDを比較してみた：さらば平成、いくぜNUC（1/2 ページ）")
        );
        // Korean spaces its words
        let page =
            "<html><body><h1><span>북한</span> <span>미사일</span></h1><p>본문.</p></body></html>";
        assert_eq!(
            crate::html::extract(page).title.as_deref(),
            Some("북한 미사일")
        );
    }

    #[test]
    fn a_japanese_name_alone_in_the_writers_element() {
        let page = "<html><body><h1>松村太郎のAppleニュース一気読み</h1><div class='inner'>\
            <span class='writer'>松村太郎</span><span class='date'>2019年04月13日</span></div>\
            <p>本文。</p></body></html>";
        assert_eq!(
            crate::html::extract(page).authors,
            vec!["松村太郎".to_string()]
        );
        let page = "<html><body><h1>見出し</h1><span class='writer'>編集部のおすすめ記事一覧はこちら</span>\
            <p>本文。</p></body></html>";
        assert!(crate::html::extract(page).authors.is_empty());
    }

    #[test]
    fn a_utc_instant_is_written_on_the_day_the_dateline_prints() {
        // the markup states the instant in UTC, the dateline under the headline the day in
        // Rome: the same instant, written in the offset that puts it on the printed day
        let page = "<html><head><meta property='article:published_time' \
            content='2023-11-01T23:01:00Z'></head><body><h1>Israele-Hamas, la guerra</h1>\
            <div class='byline'>Alessia Candito</div><div>02 Novembre 2023</div>\
            <p>Il testo.</p></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(
            article.published.as_deref(),
            Some("2023-11-02T00:01:00+01:00")
        );
        // a dateline on the instant's own UTC day changes nothing
        let same_day = page.replace("02 Novembre 2023", "01 Novembre 2023");
        assert_eq!(
            crate::html::extract(&same_day).published.as_deref(),
            Some("2023-11-01T23:01:00Z")
        );
    }

    #[test]
    fn the_published_text_is_the_text_the_date_was_read_from() {
        // no headline: the date comes from the texts of date-hinted elements
        let page = "<html><body><div class='article-meta'>Politik · Jochen \
            Bittner, Tina Hildebrandt</div><div class='date'>Veröffentlicht am 14. September \
            2023</div><p>Text.</p></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.published.as_deref(), Some("2023-09-14"));
        assert_eq!(
            article.published_text.as_deref(),
            Some("Veröffentlicht am 14. September 2023")
        );
    }

    #[test]
    fn a_byline_keeps_its_blocks_apart() {
        // the name, the outlet and the date each in a block of their own
        let page = "<html><body><h1>Workers worry</h1><div class='article_byline'>\
                    <div>By <span>Joe Davidson</span></div><div class='flex'>\
                    <div>Washington Post</div><time>Dec 13, 2016 at 3:45 pm</time></div></div>\
                    <p>The story.</p></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(
            article.byline.as_deref(),
            Some("By Joe Davidson | Washington Post | Dec 13, 2016 at 3:45 pm")
        );
    }

    #[test]
    fn a_byline_under_the_headline_without_markup() {
        // obfuscated class names: only the words say it is a byline
        let page = "<html><body><header><h1>Hustling in Lagos</h1></header><div class='l_Zm4'>\
            <div class='_ceVT'>By <span class='rlwyg'>Yomi Kazeem</span></div>\
            <div class='rpyRU'>Published February 24, 2020</div></div>\
            <p>Bylines are not found in sentences such as by Monday the market was shut.</p>\
            </body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.byline.as_deref(), Some("By Yomi Kazeem"));
        let german = "<html><body><h1>Wahl in Hessen</h1><p><span>Von</span> \
            <a href='/x'>Anna Schmidt</a></p><p>Text.</p></body></html>";
        assert_eq!(
            crate::html::extract(german).byline.as_deref(),
            Some("Von Anna Schmidt")
        );
        let none = "<html><body><h1>Wahl</h1><p>by the way, nothing here</p></body></html>";
        assert_eq!(crate::html::extract(none).byline, None);
        // a headline that opens with a byline word is the headline, not its byline
        let headline = "<html><body><h1>Von Youtube-Netzwerken lernen: Ein Modell</h1>\
            <p>Lokalblogs haben es schwer, Geld zu verdienen, sagen viele.</p></body></html>";
        assert_eq!(crate::html::extract(headline).byline, None);
    }

    #[test]
    fn a_correspondent_block_names_the_author_a_comment_form_does_not() {
        let page = |block: &str| {
            format!(
                "<html><body><h1>Border opens for the wounded</h1><div class='{block}'>\
                 <a href='/news/by/lindsey-hilsum' rel='author'><span class='name'>Lindsey \
                 Hilsum</span></a><span class='role'>International Editor</span></div>\
                 <p>For the first time in three weeks the border has opened, officials said.</p>\
                 </body></html>"
            )
        };
        let article = crate::html::extract(&page("correspondent"));
        assert_eq!(article.authors, ["Lindsey Hilsum"]);
        // WordPress's comment form (`#respond`) names commenters, not the author
        assert!(crate::html::extract(&page("respond")).authors.is_empty());
    }

    #[test]
    fn a_long_post_meta_paragraph_states_the_date_in_its_opening() {
        let tail = "Sie können Kommentare zu diesem Eintrag über den RSS-2.0-Feed verfolgen. \
                    Kommentare sind momentan deaktiviert, aber Sie können einen Trackback von \
                    Ihrer Website hierher setzen.";
        // the post's paragraphs put the meta paragraph out of the reach of the headline
        let post =
            "<p>Die Systeme der Versorger sind seit Jahren offen, sagen Fachleute.</p>".repeat(50);
        let page = format!(
            "<html><body><h1>Angriff auf Leitstellen</h1>{post}<p class='postmetadata alt'><small>Dieser \
             Beitrag wurde am Samstag, 3. Dezember 2011 veröffentlicht und unter Cybercrime \
             gespeichert. {tail}</small></p></body></html>"
        );
        assert_eq!(
            crate::html::extract(&page).published.as_deref(),
            Some("2011-12-03")
        );
    }

    #[test]
    fn a_visible_byline_naming_one_more_writer_than_the_markup_is_read() {
        let page = |byline: &str| {
            format!(
                "<html><head><script type='application/ld+json'>{{\"@type\":\"NewsArticle\",\
                 \"headline\":\"Tempête Ciaran\",\"author\":{{\"@type\":\"Person\",\
                 \"name\":\"Elsa Provenzano\"}}}}</script></head><body><h1>Tempête Ciaran</h1>\
                 <div class='author-name'>{byline}</div><p>La nouvelle dépression suit la \
                 tempête, beaucoup plus faible, disent les prévisionnistes.</p></body></html>"
            )
        };
        let article = crate::html::extract(&page("Elsa Provenzano et Mickaël Bosredon"));
        assert!(article.authors.is_empty(), "{:?}", article.authors);
        assert_eq!(
            article.byline.as_deref(),
            Some("Elsa Provenzano et Mickaël Bosredon")
        );
        // a byline naming the same writer keeps the markup's name
        let article = crate::html::extract(&page("Par Elsa Provenzano"));
        assert_eq!(article.authors, ["Elsa Provenzano"]);
        // and so does one naming where she writes from
        let article = crate::html::extract(&page("Par Elsa Provenzano en Bruselas"));
        assert_eq!(article.authors, ["Elsa Provenzano"]);
    }

    #[test]
    fn a_web_agencys_credit_in_the_author_meta_is_no_author() {
        let page = |credit: &str| {
            format!(
                "<html><head><meta name='author' content='{credit}'></head><body>\
                 <h1>Fall in love</h1><p>Der Sommer war lang, und die Abende waren warm.</p>\
                 </body></html>"
            )
        };
        assert!(
            crate::html::extract(&page("Arentik d.o.o. - www.arentik.com"))
                .authors
                .is_empty()
        );
        assert_eq!(
            crate::html::extract(&page("Stephan Markus")).authors,
            ["Stephan Markus"]
        );
    }

    #[test]
    fn a_source_naming_only_the_outlet_gives_way_to_the_byline_link() {
        let page = "<html><head><meta property='og:site_name' content='Us Weekly'>\
            <meta name='author' content='Us Weekly Staff'></head><body><h1>News</h1>\
            <div class='content-byline'>By <a rel='author' href='/author/megan-french/'>Megan French</a></div>\
            <p>A story mentioning <a href='/people/andrew-lloyd-webber/'>Andrew Lloyd Webber</a> \
            in a long sentence of running text that goes on and on for a while to be long enough \
            to be a paragraph and not a byline block at all, clearly.</p></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.authors, vec!["Megan French".to_string()]);
        assert!(is_outlet_name("BWW News Desk", &[]));
        assert!(is_outlet_name("Us Weekly", &["Us Weekly".to_string()]));
        assert!(!is_outlet_name("Megan French", &["Us Weekly".to_string()]));
    }

    #[test]
    fn the_byline_link_to_an_author_page_names_the_author_not_the_teasers() {
        // Drupal page with "no-sidebars" on <body>; the photo credit and the teasers' author
        // links are not the article's authors
        let page = "<html><body class='not-front no-sidebars'><main><article>\
            <header><h1>Kellyanne Conway Named Counselor To Trump</h1>\
            <div class='byline'>By <span><a href='/users/ray-brown'>Ray Brown</a></span></div></header>\
            <figure><img src='a.jpg'><figcaption><span itemprop='author'>Greg Nelson</span></figcaption></figure>\
            <p>Text of the article.</p></article>\
            <div class='teasers'><div><div><a href='/users/jane-roe'>Jane Roe</a></div></div></div>\
            </main></body></html>";
        let article = crate::html::extract(page);
        assert_eq!(article.authors, vec!["Ray Brown".to_string()]);
    }

    #[test]
    fn author_pages() {
        assert!(is_author_page(
            "https://www.usmagazine.com/author/megan-french/"
        ));
        assert!(is_author_page("/people/jennifer-rubin/"));
        assert!(is_author_page(
            "https://www.zeit.de/autoren/B/Jochen_Bittner/index"
        ));
        assert!(!is_author_page("https://example.com/author"));
        assert!(!is_author_page("http://www.qdaily.com/users/sign_out"));
        assert!(!is_author_page("https://example.com/news/authority-report"));
    }

    fn section(page: &str, url: Option<&str>) -> Option<String> {
        read_section(&Dom::parse(page), url)
    }

    #[test]
    fn section_from_a_german_breadcrumb() {
        // abendblatt.de: "Home – Wirtschaft – <h1>headline</h1>"
        let page = r#"<html lang="de"><body><div id="breadcrumb" class="breadcrumb clearfix ">
            <span class="breadcrumb__item"><a href="https://www.abendblatt.de/" class="breadcrumb__link"><span class="breadcrumb__title">
            Home</span></a></span>
            <span class="breadcrumb__item"> &#x2013; <a href="https://www.abendblatt.de/wirtschaft/" class="breadcrumb__link"><span class="breadcrumb__title">
            Wirtschaft</span></a></span>
            &#x2013; <h1 class="breadcrumb__item breadcrumb__item--title breadcrumb__item--last">
            Warum Mangos und Papayas jetzt teurer sind</h1></div><p>Text.</p></body></html>"#;
        assert_eq!(section(page, None).as_deref(), Some("Wirtschaft"));
    }

    #[test]
    fn section_from_french_meta_tags() {
        // lemonde.fr writes `value` where others write `content`, with entities
        let lemonde = r#"<html lang="fr"><head><meta value="image/jpeg" name="og:image:type">
            <meta value="&#xC9;conomie" name="og:article:section"><meta value="free" name="og:article:content_tier">
            </head><body><ul class="breadcrumb"><li><a href="/economie/"> &#xC9;conomie </a></li></ul></body></html>"#;
        assert_eq!(section(lemonde, None).as_deref(), Some("Économie"));
        // liberation.fr
        let liberation = r#"<html><head><meta property="article:section" content="Monde"/></head>
            <body><span class="articleSection"><a href="/monde,10">Monde</a></span></body></html>"#;
        assert_eq!(section(liberation, None).as_deref(), Some("Monde"));
    }

    #[test]
    fn section_from_a_spanish_breadcrumb_after_inicio() {
        let page = r#"<html lang="es"><body><div class="t-bredc"><h2 class="element-invisible">Se encuentra usted aquí</h2>
            <div class="breadcrumb"><a href="/">Inicio</a> » <a href="/noticias/deportes">Deportes</a> »
            <a href="/noticias/deportes/f%C3%BAtbol">Fútbol</a></div></div></body></html>"#;
        assert_eq!(section(page, None).as_deref(), Some("Deportes"));
    }

    #[test]
    fn section_from_json_ld_before_breadcrumbs() {
        let page = r#"<html><head><script type="application/ld+json">
            [{"@type":"NewsArticle","headline":"Nuevo récord","articleSection":["Economía","Mercados"]},
             {"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":2,"name":"Economía"},
             {"@type":"ListItem","position":1,"name":"Portada"}]}]</script></head><body></body></html>"#;
        assert_eq!(section(page, None).as_deref(), Some("Economía"));
        let crumbs_only = r#"<html><head><script type="application/ld+json">
            {"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":2,"item":{"name":"Politique"}},
             {"@type":"ListItem","position":1,"name":"Accueil"}]}</script></head><body></body></html>"#;
        assert_eq!(section(crumbs_only, None).as_deref(), Some("Politique"));
    }

    #[test]
    fn section_from_the_url_path() {
        let page = "<html><body><p>Text.</p></body></html>";
        let cases = [
            (
                "https://www.repubblica.it/esteri/2023/11/02/news/israele-hamas.html",
                Some("esteri"),
            ),
            (
                "https://www.autohaus.de/nachrichten/autohandel/vda-chefin-3126349",
                Some("autohandel"),
            ),
            ("https://www.example.com/2019/05/my-first-post/", None),
            ("https://www.example.com/sport", None),
            (
                "https://www.example.com/de/politik/a-1.html",
                Some("politik"),
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(section(page, Some(url)).as_deref(), expected, "{url}");
        }
    }
}
