//! Page metadata from markup: title, byline, dates, canonical URL, site name, language and
//! JSON-LD, read in one pass over the parsed page.

use crate::decode::{decode_entities, normalize_line};
use crate::dom::{Dom, NodeId, NodeKind};
use crate::html::HtmlArticle;

fn text_of(dom: &Dom, id: NodeId) -> String {
    let mut out = String::new();
    for node in dom.descendants(id) {
        if let NodeKind::Text { start, end } = dom.nodes[node].kind {
            out.push_str(&decode_entities(&dom.source[start..end]));
            out.push(' ');
        }
    }
    normalize_line(&out)
}

fn meta_value(dom: &Dom, metas: &[NodeId], keys: &[&str]) -> Option<String> {
    for key in keys {
        for &id in metas {
            let name = dom
                .attr(id, "property")
                .or_else(|| dom.attr(id, "name"))
                .or_else(|| dom.attr(id, "itemprop"));
            if name.is_some_and(|name| name.eq_ignore_ascii_case(key)) {
                if let Some(content) = dom.attr(id, "content") {
                    let value = normalize_line(&decode_entities(content));
                    if !value.is_empty() {
                        return Some(value);
                    }
                }
            }
        }
    }
    None
}

pub(crate) fn read_metadata(dom: &Dom, article: &mut HtmlArticle) {
    let mut first_h1 = None;
    let mut title_tag = None;
    let mut time_datetime = None;
    let mut metas = Vec::new();
    for id in 0..dom.nodes.len() {
        match dom.tag(id) {
            Some("meta") => metas.push(id),
            Some("html") if article.language.is_none() => {
                article.language = dom
                    .attr(id, "lang")
                    .map(|lang| lang.trim().to_string())
                    .filter(|l| !l.is_empty());
            }
            Some("h1") if first_h1.is_none() => {
                let text = text_of(dom, id);
                if !text.is_empty() {
                    first_h1 = Some(text);
                }
            }
            Some("title") if title_tag.is_none() => {
                let text = text_of(dom, id);
                if !text.is_empty() {
                    title_tag = Some(text);
                }
            }
            Some("time") if time_datetime.is_none() => {
                time_datetime = dom
                    .attr(id, "datetime")
                    .map(str::to_string)
                    .filter(|value| !value.is_empty());
            }
            Some("link")
                if article.url.is_none()
                    && dom
                        .attr(id, "rel")
                        .is_some_and(|rel| rel.eq_ignore_ascii_case("canonical")) =>
            {
                article.url = dom.attr(id, "href").map(str::to_string);
            }
            Some("script")
                if dom
                    .attr(id, "type")
                    .is_some_and(|kind| kind.contains("ld+json")) =>
            {
                if let Some(&child) = dom.nodes[id].children.first() {
                    if let NodeKind::RawText { start, end } = dom.nodes[child].kind {
                        read_json_ld(&dom.source[start..end], article);
                    }
                }
            }
            _ => {}
        }
    }
    article.title = meta_value(dom, &metas, &["og:title", "twitter:title"])
        .or(first_h1)
        .or(title_tag)
        .or(article.title.take());
    if article.byline.is_none() {
        article.byline = meta_value(
            dom,
            &metas,
            &["author", "article:author", "byl", "parsely-author"],
        );
    }
    // machine-readable dates, best first: JSON-LD, meta tags, <time datetime>; the first that
    // reads as a date becomes the ISO 8601 `published`, the first found is kept as text
    let candidates = [
        article.published.take(),
        meta_value(
            dom,
            &metas,
            &[
                "article:published_time",
                "datePublished",
                "pubdate",
                "date",
                "dc.date",
                "dcterms.created",
            ],
        ),
        time_datetime,
    ];
    article.published = candidates
        .iter()
        .flatten()
        .find_map(|raw| crate::dates::to_iso8601(raw));
    if article.published_text.is_none() {
        article.published_text = candidates.into_iter().flatten().next();
    }
    if article.url.is_none() {
        article.url = meta_value(dom, &metas, &["og:url"]);
    }
    if article.outlet.is_none() {
        article.outlet = meta_value(dom, &metas, &["og:site_name", "application-name"]);
    }
}

fn read_json_ld(raw: &str, article: &mut HtmlArticle) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(raw.trim()) else {
        return;
    };
    let mut stack = vec![&value];
    let mut seen = 0;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        match node {
            serde_json::Value::Array(items) => stack.extend(items.iter()),
            serde_json::Value::Object(map) => {
                let is_article = map
                    .get("@type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| t.contains("Article") || t == "BlogPosting");
                if is_article {
                    if article.json_ld_body.is_none() {
                        article.json_ld_body = map
                            .get("articleBody")
                            .and_then(|d| d.as_str())
                            .filter(|d| !d.trim().is_empty())
                            .map(str::to_string);
                    }
                    if article.published.is_none() {
                        article.published = map
                            .get("datePublished")
                            .and_then(|d| d.as_str())
                            .map(str::to_string);
                    }
                    if article.title.is_none() {
                        article.title = map
                            .get("headline")
                            .and_then(|d| d.as_str())
                            .map(normalize_line);
                    }
                    if article.byline.is_none() {
                        article.byline = map.get("author").and_then(person_name);
                    }
                    if article.outlet.is_none() {
                        article.outlet = map.get("publisher").and_then(person_name);
                    }
                }
                if let Some(graph) = map.get("@graph") {
                    stack.push(graph);
                }
            }
            _ => {}
        }
    }
}

fn person_name(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(name) => Some(normalize_line(name)),
        serde_json::Value::Object(map) => {
            map.get("name").and_then(|n| n.as_str()).map(normalize_line)
        }
        serde_json::Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(person_name).collect();
            if names.is_empty() {
                None
            } else {
                Some(names.join(", "))
            }
        }
        _ => None,
    }
}
