#!/usr/bin/env python3
"""scikit-learn anchors for the newsflow topic classifier, on the same dev splits as
`cargo run --release -p newsflow-classify --example eval`.

BBC: dedup (same lowercased words, or word 5-gram Jaccard >= 0.5) BEFORE splitting, then per label (files sorted by name) i % 5 == 0 is dev.
AG News: row index % 20 == 0 is dev (the README's dev.csv.gz), train on the other 4,750 rows.
Hyperparameters are chosen by 5-fold CV on the train part only.

Usage: python3 scripts/topic_anchor.py [--speed-only] [--only bbc|ag_news] [--data ../shared/data]
Prints one line per (corpus, model): dev accuracy and single-thread docs/s of
vectorise + predict over the dev texts in one batch (scikit-learn's fastest mode).
"""
import argparse
import csv
import gzip
import io
import os
import re
import tarfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.naive_bayes import MultinomialNB  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

AG_LABELS = ["World", "Sports", "Business", "Sci/Tech"]


def decode(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def load_bbc(path):
    found = []
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            parts = [p for p in member.name.split("/") if p]
            if not member.isfile() or len(parts) < 2 or not parts[-1].endswith(".txt"):
                continue
            found.append((parts[-2], parts[-1], decode(tar.extractfile(member).read())))
    found.sort()
    return [(text, label) for label, _, text in found]


SHINGLE_WORDS = 5
NEAR_DUPLICATE_JACCARD = 0.5


def dedup_words(text):
    return [w for w in re.split(r"[^\w]|_", text.lower()) if w]


def shingles(words):
    if len(words) <= SHINGLE_WORDS:
        return {tuple(words)}
    return {tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def dedup(docs):
    """Same rule as newsflow_classify::data::dedup: drop a document whose words (lowercased,
    punctuation ignored) equal a kept one's, or whose set of word 5-grams has Jaccard >= 0.5
    with a kept one's (the same article under another headline); the first copy stays.
    Candidates by shared shingles, so this equals comparing every pair."""
    seen, kept, kept_sets, index = set(), [], [], {}
    for text, label in docs:
        words = dedup_words(text)
        key = " ".join(words)
        if key in seen:
            continue
        seen.add(key)
        mine = shingles(words)
        candidates = {other for shingle in mine for other in index.get(shingle, ())}
        if any(
            len(mine & kept_sets[other]) / len(mine | kept_sets[other]) >= NEAR_DUPLICATE_JACCARD
            for other in candidates
        ):
            continue
        for shingle in mine:
            index.setdefault(shingle, []).append(len(kept_sets))
        kept_sets.append(mine)
        kept.append((text, label))
    return kept, len(docs) - len(kept)


def split_bbc(docs):
    counters, train, dev = {}, [], []
    for text, label in docs:
        i = counters.get(label, 0)
        counters[label] = i + 1
        (dev if i % 5 == 0 else train).append((text, label))
    return train, dev


def load_ag(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return [(row[1], AG_LABELS[int(row[0]) - 1]) for row in rows]


def split_ag(docs):
    return [d for i, d in enumerate(docs) if i % 20 != 0], [d for i, d in enumerate(docs) if i % 20 == 0]


def models():
    svm = GridSearchCV(
        make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LinearSVC()),
        {"linearsvc__C": [0.1, 0.3, 1.0, 3.0, 10.0]},
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        n_jobs=1,
    )
    nb = GridSearchCV(
        make_pipeline(CountVectorizer(ngram_range=(1, 2)), MultinomialNB()),
        {"multinomialnb__alpha": [0.01, 0.03, 0.1, 0.3, 1.0]},
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        n_jobs=1,
    )
    return [("tfidf12+linearsvc", svm), ("count12+multinomialnb", nb)]


def speed(model, texts, min_seconds=3.0):
    """Docs/s by wall clock and by thread CPU time (the machine is shared)."""
    done, start, cpu_start = 0, time.perf_counter(), time.thread_time()
    while True:
        model.predict(texts)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed, done / max(time.thread_time() - cpu_start, 1e-9)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/work/shared/data")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--only", help="comma-separated corpora (bbc, ag_news); default both")
    parser.add_argument("--predict", help="JSONL of {id,text}: print each anchor's label (trained on all rows)")
    args = parser.parse_args()
    bbc, dropped = dedup(load_bbc(os.path.join(args.data, "bbc/bbc-dev.tar.gz")))
    corpora = {
        "bbc": split_bbc(bbc),
        "ag_news": split_ag(load_ag(os.path.join(args.data, "ag_news/train.csv.gz"))),
    }
    if args.predict:
        import json

        with open(args.predict, encoding="utf-8") as handle:
            items = [json.loads(line) for line in handle if line.strip()]
        everything = {"bbc": bbc, "ag_news": load_ag(os.path.join(args.data, "ag_news/train.csv.gz"))}
        for corpus, docs in everything.items():
            for name, model in models():
                model.fit([t for t, _ in docs], [label for _, label in docs])
                labels = model.predict([item["text"] for item in items])
                for item, label in zip(items, labels):
                    print(f"anchor corpus={corpus} model={name} id={item['id']} label={label}")
        return
    if not args.speed_only:
        print(f"bbc: {dropped} duplicates dropped before splitting")
    for corpus, (train, dev) in corpora.items():
        if args.only and corpus not in args.only.split(","):
            continue
        texts, labels = [t for t, _ in train], [label for _, label in train]
        dev_texts, dev_labels = [t for t, _ in dev], [label for _, label in dev]
        for name, model in models():
            if args.speed_only and name != "tfidf12+linearsvc":
                continue
            model.fit(texts, labels)
            best = model.best_estimator_
            predicted = best.predict(dev_texts)
            accuracy = sum(p == y for p, y in zip(predicted, dev_labels)) / len(dev_labels)
            rate, cpu_rate = speed(best, dev_texts)
            print(
                f"anchor corpus={corpus} model={name} params={model.best_params_} "
                f"cv={model.best_score_:.4f} train={len(train)} dev={len(dev)} "
                f"dev_accuracy={accuracy:.4f} docs_per_s={rate:.0f} (cpu {cpu_rate:.0f})",
                flush=True,
            )


if __name__ == "__main__":
    main()
