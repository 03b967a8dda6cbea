//! The same arena tree as [`crate::dom`], built by html5ever (through dom_query): the HTML5
//! tree-construction rules and all named character references. Measured against the
//! hand-written tokenizer by `newsflow eval clean --parser html5ever` (BENCHMARKS.md).

use crate::dom::{Node, NodeId, NodeKind};
use dom_query::{Document, NodeRef};

/// Elements whose text the hand-written tree keeps raw (scripts, styles, the title).
const RAW: [&str; 6] = ["script", "style", "textarea", "title", "noscript", "xmp"];

/// Parses `source` into a text buffer and nodes whose text ranges point into that buffer. The
/// buffer holds text re-escaped (`&` and `<`), as the renderer decodes references once.
pub fn parse(source: &str) -> (String, Vec<Node>) {
    let document = Document::from(source);
    let mut buffer = String::with_capacity(source.len() / 2);
    let mut nodes = vec![Node {
        kind: NodeKind::Element {
            tag: "#root".to_string(),
            attrs: Vec::new(),
        },
        parent: None,
        children: Vec::new(),
    }];
    // (node in html5ever's tree, parent in ours, whether the parent keeps raw text)
    let mut stack: Vec<(NodeRef<'_>, NodeId, bool)> = document
        .root()
        .children_it(true)
        .map(|child| (child, 0, false))
        .collect();
    while let Some((node, parent, raw)) = stack.pop() {
        let id = nodes.len();
        if node.is_element() {
            let tag = node
                .node_name()
                .map(|name| name.to_ascii_lowercase())
                .unwrap_or_default();
            let attrs = node
                .attrs()
                .into_iter()
                .map(|attr| (attr.name.local.to_string(), attr.value.to_string()))
                .collect();
            let keeps_raw = RAW.contains(&tag.as_str());
            nodes.push(Node {
                kind: NodeKind::Element { tag, attrs },
                parent: Some(parent),
                children: Vec::new(),
            });
            nodes[parent].children.push(id);
            for child in node.children_it(true) {
                stack.push((child, id, keeps_raw));
            }
        } else if node.is_text() {
            let text = node.text();
            let start = buffer.len();
            if raw {
                buffer.push_str(&text);
            } else {
                for ch in text.chars() {
                    match ch {
                        '&' => buffer.push_str("&amp;"),
                        '<' => buffer.push_str("&lt;"),
                        _ => buffer.push(ch),
                    }
                }
            }
            let end = buffer.len();
            let kind = if raw {
                NodeKind::RawText { start, end }
            } else {
                NodeKind::Text { start, end }
            };
            nodes.push(Node {
                kind,
                parent: Some(parent),
                children: Vec::new(),
            });
            nodes[parent].children.push(id);
        }
    }
    (buffer, nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_tree_browsers_build() {
        // an unclosed <p> closed by a <div>, a misnested <b>, a named reference old parsers miss
        let (buffer, nodes) =
            parse("<html><body><p>one<div>two <b>bold<i>both</b> tail</i></div>&langle;x&rangle; &amp; y</body></html>");
        let tags: Vec<&str> = nodes
            .iter()
            .filter_map(|node| match &node.kind {
                NodeKind::Element { tag, .. } => Some(tag.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(tags[..5], ["#root", "html", "head", "body", "p"]);
        let p = tags.iter().position(|&tag| tag == "p").unwrap();
        let div = tags.iter().position(|&tag| tag == "div").unwrap();
        assert!(div > p);
        assert!(buffer.contains("⟨x⟩ &amp; y"), "{buffer}");
        let texts: Vec<&str> = nodes
            .iter()
            .filter_map(|node| match node.kind {
                NodeKind::Text { start, end } => Some(&buffer[start..end]),
                _ => None,
            })
            .collect();
        assert!(texts.contains(&"one"));
        assert!(texts.contains(&" tail"));
    }
}
