#!/usr/bin/env python3
"""Copies the news pages that have hand-picked body snippets with their article cut down to one
paragraph, to test the HTML path on short articles (a blog's three-line post, a news brief)
among the page's unchanged furniture: the kind of page where a longer sidebar, footer or teaser
can outweigh the article.

For each page of config/eval/body-snippets.jsonl that is an article with three or more article
snippets, all found in the page: the article's block is the deepest element holding every
article snippet; inside it, every <p> and every other element holding an article snippet is
removed except the one holding the page's second snippet (a paragraph from the middle, not the
opening one, which is often a standfirst that the body leaves out by convention). Headings,
bylines, pictures and everything outside the article's block stay. The copy's snippets file
keeps that one article snippet and the furniture snippets still on the page.

Needs lxml (installed with trafilatura). Pages lxml cannot read or whose snippets it cannot
find (a few, in legacy encodings) are left out.

Usage: python3 scripts/perturb_short.py OUT_DIR [DATA_DIR]   (from the repository's root; OUT_DIR
       must be empty, missing or an earlier copy, which is replaced)
then:  newsflow eval clean --html-only --data OUT_DIR/extraction --news-pages OUT_DIR/news-pages \\
           --snippets OUT_DIR/body-snippets.jsonl
"""
import gzip
import json
import os
import re
import shutil
import sys

from lxml import etree
from lxml import html as lxml_html

SPACE = re.compile(r"\s+")


def norm(text):
    return SPACE.sub(" ", text).strip()


def holder(root, snippet):
    """The deepest element whose text holds the snippet."""
    best = None
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        text = norm(element.text_content())
        if snippet in text and (best is None or len(text) < len(norm(best.text_content()))):
            best = element
    return best


def ancestors(element):
    out = []
    while element is not None:
        out.append(element)
        element = element.getparent()
    return out


def article_block(raw, with_snippets):
    """The parsed page, the deepest element holding each article snippet, and the article's
    block (the deepest element holding them all); None when a snippet is not found."""
    document = lxml_html.document_fromstring(raw)
    holders = [holder(document, norm(snippet)) for snippet in with_snippets]
    if any(h is None for h in holders):
        return None
    chains = [ancestors(h) for h in holders]
    common = [a for a in chains[0] if all(a in chain for chain in chains[1:])]
    if not common:
        return None
    return document, holders, common[0]


def cut(raw, with_snippets):
    found = article_block(raw, with_snippets)
    if found is None:
        return None
    document, holders, block = found
    keep = holders[1]
    kept_chain = set(ancestors(keep))
    removable = []
    for element in block.iter():
        if element is block or element in kept_chain or not isinstance(element.tag, str):
            continue
        if any(a in removable for a in ancestors(element)):
            continue
        text = norm(element.text_content())
        holds_other = any(norm(s) in text for i, s in enumerate(with_snippets) if i != 1)
        inside_keep = keep in ancestors(element) or element in ancestors(keep)
        if inside_keep:
            continue
        if element.tag == "p" or holds_other:
            removable.append(element)
    for element in removable:
        element.drop_tree()
    page_text = norm(document.text_content())
    if norm(with_snippets[1]) not in page_text:
        return None
    return etree.tostring(document, method="html", encoding="utf-8"), page_text


def copy_pages(out, data, make):
    """Writes OUT/news-pages (and an empty extraction benchmark) with the pages that `make`
    changes: for each article of config/eval/body-snippets.jsonl with three or more article
    snippets, `make(raw_bytes, entry)` gives (page_bytes, snippets_entry) or None to leave the
    page out. The copy's labels are the pages' own."""
    snippets = [json.loads(line) for line in open("config/eval/body-snippets.jsonl")]
    pages_dir = os.path.join(data, "news-pages", "pages")
    locations = {}
    for source in os.listdir(pages_dir):
        for name in os.listdir(os.path.join(pages_dir, source)):
            if name.endswith(".html.gz"):
                locations[name[: -len(".html.gz")]] = (source, name)
    if os.path.realpath(data).startswith(os.path.realpath(out)):
        sys.exit(f"OUT_DIR {out} holds the data folder {data}: give another OUT_DIR")
    if os.path.isdir(out) and os.listdir(out):
        if not os.path.isfile(os.path.join(out, "body-snippets.jsonl")):
            sys.exit(f"OUT_DIR {out} is not empty and is no earlier copy: give another OUT_DIR")
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "extraction", "html"))
    # an empty extraction benchmark: the eval reads its ground truth
    with open(os.path.join(out, "extraction", "ground-truth.json"), "w") as handle:
        handle.write("{}")
    news = os.path.join(out, "news-pages")
    os.makedirs(os.path.join(news, "pages"))
    for name in os.listdir(os.path.join(data, "news-pages")):
        path = os.path.join(data, "news-pages", name)
        if os.path.isfile(path) and name != "labels.jsonl":
            shutil.copy(path, os.path.join(news, name))
    labels = {}
    with open(os.path.join(data, "news-pages", "labels.jsonl")) as handle:
        for line in handle:
            labels[json.loads(line)["id"]] = line
    written, skipped = 0, 0
    labels_out = open(os.path.join(news, "labels.jsonl"), "w")
    with open(os.path.join(out, "body-snippets.jsonl"), "w") as snippets_out:
        for entry in snippets:
            if entry.get("kind") != "article" or len(entry.get("with") or []) < 3:
                continue
            if entry["id"] not in locations:
                continue
            source, name = locations[entry["id"]]
            raw = gzip.open(os.path.join(pages_dir, source, name)).read()
            try:
                result = make(raw, entry)
            except (ValueError, etree.ParserError):
                result = None
            if result is None:
                skipped += 1
                continue
            page, kept = result
            os.makedirs(os.path.join(news, "pages", source), exist_ok=True)
            with gzip.open(os.path.join(news, "pages", source, name), "wb") as handle:
                handle.write(page)
            snippets_out.write(json.dumps(kept, ensure_ascii=False) + "\n")
            if entry["id"] in labels:
                labels_out.write(labels[entry["id"]])
            written += 1
    labels_out.close()
    print(f"{written} pages written, {skipped} left out", file=sys.stderr)


def short_copy(raw, entry):
    result = cut(raw, entry["with"])
    if result is None:
        return None
    page, page_text = result
    kept = dict(entry)
    kept["with"] = [entry["with"][1]]
    kept["without"] = [s for s in entry.get("without") or [] if norm(s) in page_text]
    return page, kept


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    data = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
    copy_pages(out, data, short_copy)


if __name__ == "__main__":
    main()
