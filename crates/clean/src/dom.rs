//! A small, forgiving HTML tokenizer and arena tree. Everything is iterative (no recursion),
//! so a page nested 100,000 levels deep costs memory, not stack.

/// Index of a node in [`Dom::nodes`].
pub type NodeId = usize;

#[derive(Debug)]
pub enum NodeKind {
    Element {
        tag: String,
        attrs: Vec<(String, String)>,
    },
    /// Raw (undecoded) text, as a byte range of the source.
    Text { start: usize, end: usize },
    /// Raw content of `<script>`, `<style>` and similar (kept for JSON-LD).
    RawText { start: usize, end: usize },
}

#[derive(Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
}

/// The parsed page: node 0 is the document root.
#[derive(Debug)]
pub struct Dom<'a> {
    pub source: &'a str,
    pub nodes: Vec<Node>,
}

const VOID: [&str; 15] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen",
];
const RAW: [&str; 6] = ["script", "style", "textarea", "title", "noscript", "xmp"];
const CLOSES_P: [&str; 26] = [
    "p",
    "div",
    "ul",
    "ol",
    "dl",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "form",
    "nav",
    "aside",
    "figure",
    "hr",
    "main",
    "address",
    "fieldset",
];

impl<'a> Dom<'a> {
    pub fn tag(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id].kind {
            NodeKind::Element { tag, .. } => Some(tag),
            _ => None,
        }
    }

    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        match &self.nodes[id].kind {
            NodeKind::Element { attrs, .. } => attrs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str()),
            _ => None,
        }
    }

    /// All nodes of the subtree under `root` in document order (root first).
    pub fn descendants(&self, root: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            out.push(id);
            for &child in self.nodes[id].children.iter().rev() {
                stack.push(child);
            }
        }
        out
    }

    /// Parses a page. Never fails: broken markup gives some tree.
    pub fn parse(source: &'a str) -> Dom<'a> {
        let mut dom = Dom {
            source,
            nodes: vec![Node {
                kind: NodeKind::Element {
                    tag: "#root".to_string(),
                    attrs: Vec::new(),
                },
                parent: None,
                children: Vec::new(),
            }],
        };
        let bytes = source.as_bytes();
        let mut stack: Vec<NodeId> = vec![0];
        let mut pos = 0;
        let mut text_start = 0;
        while pos < bytes.len() {
            let Some(offset) = memchr(b'<', &bytes[pos..]) else {
                break;
            };
            let lt = pos + offset;
            let next = bytes.get(lt + 1).copied().unwrap_or(b' ');
            if next == b'!' || next == b'?' {
                dom.push_text(&stack, text_start, lt);
                let end = if bytes[lt..].starts_with(b"<!--") {
                    find_from(bytes, lt + 4, b"-->").map(|index| index + 3)
                } else {
                    memchr(b'>', &bytes[lt..]).map(|index| lt + index + 1)
                };
                pos = end.unwrap_or(bytes.len());
                text_start = pos;
                continue;
            }
            if next == b'/' && bytes.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) {
                dom.push_text(&stack, text_start, lt);
                let (name, after_name) = read_name(bytes, lt + 2);
                let close = memchr(b'>', &bytes[after_name..]).map(|index| after_name + index + 1);
                pos = close.unwrap_or(bytes.len());
                text_start = pos;
                dom.close(&mut stack, &name);
                continue;
            }
            if !next.is_ascii_alphabetic() {
                pos = lt + 1;
                continue;
            }
            dom.push_text(&stack, text_start, lt);
            let (name, after_name) = read_name(bytes, lt + 1);
            let (attrs, after_tag, self_closing) = read_attrs(source, after_name);
            pos = after_tag;
            text_start = pos;
            dom.open_implied_closes(&mut stack, &name);
            let parent = stack.last().copied().unwrap_or(0);
            let id = dom.nodes.len();
            dom.nodes.push(Node {
                kind: NodeKind::Element {
                    tag: name.clone(),
                    attrs,
                },
                parent: Some(parent),
                children: Vec::new(),
            });
            dom.nodes[parent].children.push(id);
            if RAW.contains(&name.as_str()) && !self_closing {
                let end_tag = format!("</{name}");
                let end = find_ci(bytes, pos, end_tag.as_bytes()).unwrap_or(bytes.len());
                let raw_id = dom.nodes.len();
                dom.nodes.push(Node {
                    kind: NodeKind::RawText { start: pos, end },
                    parent: Some(id),
                    children: Vec::new(),
                });
                dom.nodes[id].children.push(raw_id);
                pos = memchr(b'>', &bytes[end..])
                    .map(|index| end + index + 1)
                    .unwrap_or(bytes.len());
                text_start = pos;
                continue;
            }
            if !VOID.contains(&name.as_str()) && (!self_closing || is_html_container(&name)) {
                stack.push(id);
            }
        }
        dom.push_text(&stack, text_start, bytes.len());
        dom
    }

    fn push_text(&mut self, stack: &[NodeId], start: usize, end: usize) {
        if end <= start {
            return;
        }
        let parent = stack.last().copied().unwrap_or(0);
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind: NodeKind::Text { start, end },
            parent: Some(parent),
            children: Vec::new(),
        });
        self.nodes[parent].children.push(id);
    }

    fn open_implied_closes(&self, stack: &mut Vec<NodeId>, name: &str) {
        if matches!(
            name,
            "body" | "div" | "p" | "article" | "main" | "section" | "h1"
        ) {
            // <head> sits near the bottom of the stack: look only there (deep pages stay linear)
            if let Some(index) = stack
                .iter()
                .take(3)
                .position(|&id| self.tag(id) == Some("head"))
            {
                stack.truncate(index);
            }
        }
        let Some(&top) = stack.last() else { return };
        let top_tag = self.tag(top).unwrap_or("");
        let close_top = match name {
            "li" => self.pop_to_within(stack, "li", &["ul", "ol"]),
            "dt" | "dd" => {
                self.pop_to_within(stack, "dt", &["dl"]) || self.pop_to_within(stack, "dd", &["dl"])
            }
            "tr" => self.pop_to_within(stack, "tr", &["table", "tbody", "thead"]),
            "td" | "th" => {
                self.pop_to_within(stack, "td", &["tr"]) || self.pop_to_within(stack, "th", &["tr"])
            }
            "option" => top_tag == "option",
            _ => false,
        };
        if close_top && matches!(name, "option") {
            stack.pop();
        }
        if CLOSES_P.contains(&name) || matches!(name, "li" | "dt" | "dd") {
            // close an open <p> in button scope
            for index in (1..stack.len()).rev() {
                let tag = self.tag(stack[index]).unwrap_or("");
                if tag == "p" {
                    stack.truncate(index);
                    break;
                }
                if matches!(
                    tag,
                    "div"
                        | "td"
                        | "th"
                        | "li"
                        | "article"
                        | "section"
                        | "body"
                        | "button"
                        | "table"
                ) {
                    break;
                }
            }
        }
    }

    /// Pops to (and including) an open `target` when it is found before any `boundary`.
    fn pop_to_within(&self, stack: &mut Vec<NodeId>, target: &str, boundary: &[&str]) -> bool {
        for index in (1..stack.len()).rev() {
            let tag = self.tag(stack[index]).unwrap_or("");
            if tag == target {
                stack.truncate(index);
                return true;
            }
            if boundary.contains(&tag) {
                return false;
            }
        }
        false
    }

    fn close(&self, stack: &mut Vec<NodeId>, name: &str) {
        if matches!(name, "html" | "body") {
            return;
        }
        if name == "br" || name == "p" && !stack.iter().any(|&id| self.tag(id) == Some("p")) {
            return;
        }
        for index in (1..stack.len()).rev() {
            if self.tag(stack[index]) == Some(name) {
                stack.truncate(index);
                return;
            }
        }
    }
}

fn is_html_container(name: &str) -> bool {
    matches!(
        name,
        "div" | "span" | "p" | "a" | "li" | "td" | "section" | "article" | "iframe"
    )
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= bytes.len() {
        return None;
    }
    bytes[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|index| from + index)
}

fn find_ci(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let mut pos = from;
    while pos < bytes.len() {
        let offset = memchr(b'<', &bytes[pos..])?;
        let at = pos + offset;
        if bytes.len() - at >= needle.len()
            && bytes[at..at + needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(at);
        }
        pos = at + 1;
    }
    None
}

fn read_name(bytes: &[u8], start: usize) -> (String, usize) {
    let mut end = start;
    while end < bytes.len()
        && !matches!(
            bytes[end],
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'
        )
    {
        end += 1;
    }
    let name = String::from_utf8_lossy(&bytes[start..end]).to_ascii_lowercase();
    (name, end)
}

/// Reads attributes up to the end of the tag; returns them, the position after `>`, and
/// whether the tag ended with `/>`.
fn read_attrs(source: &str, start: usize) -> (Vec<(String, String)>, usize, bool) {
    let bytes = source.as_bytes();
    let mut attrs = Vec::new();
    let mut pos = start;
    let mut self_closing = false;
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b'/') {
            self_closing = bytes[pos] == b'/';
            pos += 1;
        }
        if pos >= bytes.len() {
            return (attrs, bytes.len(), self_closing);
        }
        if bytes[pos] == b'>' {
            return (attrs, pos + 1, self_closing);
        }
        self_closing = false;
        let name_start = pos;
        while pos < bytes.len()
            && !matches!(
                bytes[pos],
                b' ' | b'\t' | b'\n' | b'\r' | b'=' | b'>' | b'/'
            )
        {
            pos += 1;
        }
        let name = source
            .get(name_start..pos)
            .unwrap_or("")
            .to_ascii_lowercase();
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let mut value = String::new();
        if pos < bytes.len() && bytes[pos] == b'=' {
            pos += 1;
            while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos < bytes.len() && (bytes[pos] == b'"' || bytes[pos] == b'\'') {
                let quote = bytes[pos];
                let value_start = pos + 1;
                let value_end = memchr(quote, &bytes[value_start..])
                    .map(|index| value_start + index)
                    .unwrap_or(bytes.len());
                value = source.get(value_start..value_end).unwrap_or("").to_string();
                pos = (value_end + 1).min(bytes.len());
            } else {
                let value_start = pos;
                while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() && bytes[pos] != b'>' {
                    pos += 1;
                }
                value = source.get(value_start..pos).unwrap_or("").to_string();
            }
        }
        if !name.is_empty() && attrs.len() < 64 {
            attrs.push((name, value));
        }
        if pos == name_start {
            pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_with_implied_closes() {
        let dom =
            Dom::parse("<div><p>one<p>two<ul><li>a<li>b</ul></div><script>if (a<b) {}</script>");
        let tags: Vec<&str> = (0..dom.nodes.len()).filter_map(|id| dom.tag(id)).collect();
        assert_eq!(
            tags,
            vec!["#root", "div", "p", "p", "ul", "li", "li", "script"]
        );
        let ul = tags.iter().position(|&tag| tag == "ul").unwrap_or(0);
        assert_eq!(dom.tag(dom.nodes[ul].parent.unwrap_or(0)), Some("div"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let page = "<div>".repeat(100_000) + "x";
        let dom = Dom::parse(&page);
        assert_eq!(dom.descendants(0).len(), 100_002);
    }

    #[test]
    fn attributes_are_read() {
        let dom = Dom::parse("<a href='x y' class=big data-x=\"1\" checked>t</a>");
        assert_eq!(dom.attr(1, "href"), Some("x y"));
        assert_eq!(dom.attr(1, "class"), Some("big"));
        assert_eq!(dom.attr(1, "checked"), Some(""));
    }
}
