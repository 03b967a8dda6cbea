#!/usr/bin/env python3
"""Copies ../shared/data's extraction and news-pages folders with every page's class and id
names changed, to test how much the HTML path leans on English class names:

  strip   every class and id attribute removed
  german  the English words the clean stage reads in class names (comment, share, related,
          author, footer, sidebar, article, content, story, body, post, entry, text, ...)
          written in German, as many German sites name their blocks
  html4   the HTML5 sectioning tags (article, main, section, header, footer, nav, aside,
          figure, figcaption, time) written as div or span, as pre-HTML5 sites mark up
  bare    html4 and strip together: no names and no sectioning tags
  brtext  paragraphs written as text lines ended by <br><br> instead of <p>...</p>, as older
          content systems and hand-written pages do (the <p>s' own class and id go with them;
          other elements keep theirs)
  oldbare brtext and bare together: paragraphs between line breaks, no names, no sectioning
          tags (a hand-written page of the early web)
  nometa  the page's structured metadata left out: every <meta> element but the character set's
          (microdata's <meta itemprop> in the body too) and every JSON-LD script; class names,
          <time>, itemprop attributes of visible elements and the visible text stay, as older
          and hand-made pages come; for `newsflow eval meta --data OUT_DIR`
  messy   the optional end tags left out where the HTML standard allows it (</p> before a
          block that closes the paragraph or the parent's end tag; </li>, </td>, </tr>, </th>,
          </dt>, </dd>, </option> before their next sibling or the parent's end tag) and every
          tag name in capitals

Script, style and textarea contents (JSON-LD included) are never rewritten.

Usage: python3 scripts/perturb_classes.py MODE OUT_DIR [DATA_DIR]
then:  newsflow eval clean --html-only --data OUT_DIR/extraction --news-pages OUT_DIR/news-pages
"""
import gzip
import os
import re
import shutil
import sys

GERMAN = [
    ("comment", "kommentar"), ("sharing", "teilen"), ("share", "teilen"), ("related", "verwandt"),
    ("advert", "werbung"), ("sponsor", "anzeige"), ("author", "autor"), ("footer", "fusszeile"),
    ("sidebar", "seitenleiste"), ("article", "artikel"), ("content", "inhalt"),
    ("story", "meldung"), ("body", "inhalt"), ("post", "beitrag"), ("entry", "beitrag"),
    ("text", "texte"),
]
ATTRIBUTE = re.compile(rb"""(\s(?:class|id)\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""", re.I)


def strip(match):
    return b""


def german(match):
    value = match.group(2).decode("latin-1")
    for english, translated in GERMAN:
        value = re.sub(english, translated, value, flags=re.I)
    return match.group(1) + value.encode("latin-1")


HTML5_BLOCKS = rb"article|main|section|header|footer|nav|aside|figure|figcaption|hgroup"
TAG = re.compile(rb"<(/?)(" + HTML5_BLOCKS + rb"|time)(?=[\s>/])", re.I)


def html4(html):
    def rename(match):
        inline = match.group(2).lower() == b"time"
        return b"<" + match.group(1) + (b"span" if inline else b"div")

    return TAG.sub(rename, html)


PARAGRAPH_START = re.compile(rb"<p(?=[\s>/])[^>]*>", re.I)
PARAGRAPH_END = re.compile(rb"</p\s*>", re.I)
RAW_TEXT = re.compile(rb"(<(script|style|textarea)\b.*?</\2\s*>)", re.I | re.S)


def outside_raw_text(rewrite):
    """Applies `rewrite` to the markup between script, style and textarea elements only."""

    def apply(html):
        parts = RAW_TEXT.split(html)
        # split keeps both groups: markup, whole element, tag name, markup, ...
        out = []
        for index in range(0, len(parts), 3):
            out.append(rewrite(parts[index]))
            if index + 1 < len(parts):
                out.append(parts[index + 1])
        return b"".join(out)

    return apply


@outside_raw_text
def brtext(html):
    return PARAGRAPH_END.sub(b"<br><br>", PARAGRAPH_START.sub(b"", html))


# the blocks whose start tag closes an open <p> (the HTML standard's list)
CLOSES_P = (
    rb"address|article|aside|blockquote|details|div|dl|fieldset|figcaption|figure|footer|form|"
    rb"h[1-6]|header|hgroup|hr|main|menu|nav|ol|p|pre|section|table|ul"
)
NEXT_CLOSES = {
    b"p": CLOSES_P,
    b"li": rb"li",
    b"dt": rb"dt|dd",
    b"dd": rb"dt|dd",
    b"td": rb"td|th",
    b"th": rb"td|th",
    b"tr": rb"tr|tbody|tfoot",
    b"option": rb"option|optgroup",
}
OPTIONAL_END = [
    re.compile(rb"</" + tag + rb"\s*>(?=\s*(?:<(?:" + following + rb")[\s>/]|</))", re.I)
    for tag, following in NEXT_CLOSES.items()
]
TAG_NAME = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9]*)(?=[\s>/])")


JSON_LD = re.compile(rb"<script[^>]*application/ld\+json[^>]*>.*?</script\s*>", re.I | re.S)
META = re.compile(rb"<meta\b[^>]*>", re.I)


def nometa(html):
    html = JSON_LD.sub(b"", html)
    return META.sub(lambda m: m.group(0) if re.search(rb"charset", m.group(0), re.I) else b"", html)


@outside_raw_text
def messy(html):
    for end_tag in OPTIONAL_END:
        html = end_tag.sub(b"", html)
    return TAG_NAME.sub(lambda match: b"<" + match.group(1) + match.group(2).upper(), html)


def main():
    mode, out = sys.argv[1], sys.argv[2]
    data = sys.argv[3] if len(sys.argv) > 3 else "../shared/data"
    change = {"strip": strip, "german": german, "html4": None, "bare": strip, "oldbare": strip}.get(mode)
    rewrite = {"brtext": brtext, "oldbare": brtext, "messy": messy, "nometa": nometa}.get(mode)
    if change is None and rewrite is None and mode != "html4":
        sys.exit("unknown mode " + mode)
    folders = ["extraction/html"] + [
        "news-pages/pages/" + source for source in os.listdir(os.path.join(data, "news-pages/pages"))
    ]
    for folder in folders:
        os.makedirs(os.path.join(out, folder), exist_ok=True)
        for name in os.listdir(os.path.join(data, folder)):
            with gzip.open(os.path.join(data, folder, name)) as page:
                html = page.read()
            with gzip.open(os.path.join(out, folder, name), "wb", compresslevel=1) as page:
                if mode in ("html4", "bare", "oldbare"):
                    html = html4(html)
                if change is not None:
                    html = ATTRIBUTE.sub(change, html)
                if rewrite is not None:
                    html = rewrite(html)
                page.write(html)
    for name in ["extraction/ground-truth.json", "news-pages/labels.jsonl", "news-pages/summary.json"]:
        shutil.copy(os.path.join(data, name), os.path.join(out, name))


if __name__ == "__main__":
    main()
