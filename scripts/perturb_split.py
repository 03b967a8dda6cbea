#!/usr/bin/env python3
"""Copies the news pages that have hand-picked body snippets with their article parted in two
by page furniture: the kind of layout where the body found is only the lead, or starts late
("only the lead kept", "the start cut"). Many sites write the article in several blocks with an
advert, a picture or a "read also" box between them.

For each page of config/eval/body-snippets.jsonl that is an article with three or more article
snippets, all found in the page, and one or more furniture snippets: the article's block is the
deepest element holding every article snippet; its children are parted before the child that
holds the first article snippet after the opening one, the two parts are each wrapped in a
plain <div>, and between them goes a copy of the page's own block around its first furniture
snippet (the smallest element holding it with 40+ characters of text: a teaser list, a
newsletter box, a footer line) after a picture. Everything else stays. The copy's snippets file
keeps the page's snippets; its furniture snippet now shows twice, which the scoring does not
mind (it asks only whether a snippet is in the body).

Needs lxml (installed with trafilatura). Pages lxml cannot read or whose snippets it cannot
find are left out.

With `--at last` the article is parted before the child holding its last snippet instead, so
that the second block is the article's tail ("the end cut": the body stops at the furniture).

Usage: python3 scripts/perturb_split.py [--at second|last] OUT_DIR [DATA_DIR]   (from the
       repository's root; OUT_DIR must be empty, missing or an earlier copy, which is replaced)
then:  newsflow eval clean --html-only --data OUT_DIR/extraction --news-pages OUT_DIR/news-pages \\
           --snippets OUT_DIR/body-snippets.jsonl
"""
import copy
import os
import sys

from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perturb_short import ancestors, article_block, copy_pages, holder, norm  # noqa: E402


def furniture_block(root, snippet):
    """The smallest element holding the snippet with 40+ characters of text."""
    element = holder(root, snippet)
    while element is not None and len(norm(element.text_content())) < 40:
        element = element.getparent()
    return element


def split(raw, with_snippets, without_snippets):
    found = article_block(raw, with_snippets)
    if found is None:
        return None
    document, holders, block = found
    if block.tag in ("html", "body"):
        return None
    children = [child for child in block if isinstance(child.tag, str)]

    def child_of(element):
        for child in children:
            if child is element or child in ancestors(element):
                return child
        return None

    first = child_of(holders[0])
    # the part before the first article snippet after the opening one ("the start cut"), or,
    # with --at last, before the last one ("the end cut": the article's tail after furniture)
    position = {element: index for index, element in enumerate(document.iter())}
    later = sorted(holders[1:], key=lambda element: position.get(element, 0))
    if AT == "last":
        later.reverse()
    at = next(
        (child_of(h) for h in later if child_of(h) is not None and child_of(h) is not first),
        None,
    )
    if first is None or at is None:
        return None
    furniture = None
    for snippet in without_snippets:
        candidate = furniture_block(document, norm(snippet))
        if candidate is not None and block not in ancestors(candidate) and candidate not in ancestors(block):
            furniture = candidate
            break
    if furniture is None:
        return None
    index = list(block).index(at)
    head, tail = list(block)[:index], list(block)[index:]
    text_before = block.text
    block.text = None
    for child in list(block):
        block.remove(child)
    first_part = etree.SubElement(block, "div")
    first_part.text = text_before
    for child in head:
        first_part.append(child)
    picture = etree.SubElement(block, "div")
    etree.SubElement(picture, "img", src="/picture.jpg", alt="")
    picture.append(copy.deepcopy(furniture))
    picture[-1].tail = None
    second_part = etree.SubElement(block, "div")
    for child in tail:
        second_part.append(child)
    page_text = norm(document.text_content())
    if any(norm(s) not in page_text for s in with_snippets):
        return None
    return etree.tostring(document, method="html", encoding="utf-8")


def split_copy(raw, entry):
    if not entry.get("without"):
        return None
    page = split(raw, entry["with"], entry["without"])
    return None if page is None else (page, entry)


AT = "second"


def main():
    global AT
    args = sys.argv[1:]
    if args[:1] == ["--at"]:
        if len(args) < 3:
            sys.exit(__doc__)
        AT, args = args[1], args[2:]
    if not args or AT not in ("second", "last"):
        sys.exit(__doc__)
    out = args[0]
    data = args[1] if len(args) > 1 else "../shared/data"
    copy_pages(out, data, split_copy)


if __name__ == "__main__":
    main()
