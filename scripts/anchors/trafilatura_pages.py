#!/usr/bin/env python3
"""Runs Python trafilatura over the shared dev pages, for `newsflow eval clean --anchor FILE`.

Reads ../shared/data/extraction (121 pages) and ../shared/data/news-pages (690 pages) and writes
one JSON line per page: {"corpus", "id", "body", "title", "date", "authors", "sitename",
"language", "ms"}. `ms` is trafilatura's own extraction time for the page (bare_extraction on
the decoded page, one thread), so it compares with newsflow's ms per page in the same eval.

Install: pip install trafilatura==2.3.1 lxml_html_clean   (any 2.x works; the version is
         recorded on line 1; without lxml_html_clean the import fails on a current lxml)
Usage:   python3 scripts/anchors/trafilatura_pages.py [DATA_ROOT] > target/trafilatura.jsonl
"""
import gzip
import json
import os
import sys
import time

import trafilatura


def authors_of(value):
    if not value:
        return []
    return [name.strip() for name in value.split(";") if name.strip()]


def run(corpus, page_id, raw, out):
    html = raw.decode("utf-8", errors="replace")
    started = time.perf_counter()
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, favor_precision=False)
    except Exception as error:  # a failure counts as empty output, as the benchmark does
        doc = None
        print(f"trafilatura failed on {corpus}/{page_id}: {error}", file=sys.stderr)
    ms = (time.perf_counter() - started) * 1000.0
    if doc is not None and not isinstance(doc, dict):
        doc = doc.as_dict()
    doc = doc or {}
    out.write(
        json.dumps(
            {
                "corpus": corpus,
                "id": page_id,
                "body": doc.get("text") or "",
                "title": doc.get("title"),
                "date": doc.get("date"),
                "authors": authors_of(doc.get("author")),
                "sitename": doc.get("sitename"),
                "language": doc.get("language"),
                "ms": round(ms, 3),
            },
            ensure_ascii=False,
        )
        + "\n"
    )


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
    out = sys.stdout
    out.write(json.dumps({"tool": "trafilatura", "version": trafilatura.__version__}) + "\n")
    truth = json.load(open(os.path.join(root, "extraction", "ground-truth.json")))
    for page_id in sorted(truth):
        with gzip.open(os.path.join(root, "extraction", "html", page_id + ".html.gz")) as f:
            run("extraction", page_id, f.read(), out)
    with open(os.path.join(root, "news-pages", "labels.jsonl")) as labels:
        for line in labels:
            page = json.loads(line)
            with gzip.open(os.path.join(root, "news-pages", page["file"])) as f:
                run("news-pages", page["id"], f.read(), out)


if __name__ == "__main__":
    main()
