#!/usr/bin/env python3
"""CRF baseline for the entity models: python-crfsuite with standard features, trained on a
CoNLL train split and scored on a dev split (conlleval entity micro P/R/F1), for BENCHMARKS.md.

Features per token (the usual crfsuite NER tutorial set): bias, lower-cased word, 2- and
3-letter suffixes and prefixes, is-title / is-upper / is-digit / has-digit / has-hyphen /
has-punctuation, long and short word shape; the same word features for the neighbours at -1
and +1 and the lower-cased word and title flag at -2 and +2; begin / end of sentence.
L-BFGS, c1 = 0.1, c2 = 0.01, 100 iterations (crfsuite's defaults otherwise).

Install: pip install python-crfsuite   (0.9.12 measured)
Usage:   python3 scripts/anchors/crf_ner.py LANG [DATA_ROOT] [--model OUT] [--pred OUT]
             LANG: de, fr or nl (ner-multilingual/{train,dev}.LANG.txt.gz) or en (conll2003/)
         python3 scripts/anchors/crf_ner.py --score PREDICTED.conll
             scores a file whose second-to-last column is gold and last column predicted
             (what `newsflow ner --conll DEV` writes), with the same scorer
Prints one line: language, P, R, F1, tokens/s of tagging (features included), model bytes.
"""
import gzip
import os
import sys
import tempfile
import time

import pycrfsuite


def read_conll(path):
    """Sentences of (token, gold tag) from a CoNLL file (gzip or not); -DOCSTART- skipped."""
    opener = gzip.open if path.endswith(".gz") else open
    sentences, current = [], []
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            parts = line.split()
            if not parts:
                if current:
                    sentences.append(current)
                    current = []
                continue
            if parts[0] == "-DOCSTART-":
                continue
            current.append(parts)
    if current:
        sentences.append(current)
    return sentences


def shape(word, collapse):
    out = []
    for char in word[:24]:
        if char.isupper():
            mapped = "X"
        elif char.islower():
            mapped = "x"
        elif char.isdigit():
            mapped = "d"
        else:
            mapped = char
        if collapse and out and out[-1] == mapped:
            continue
        out.append(mapped)
    return "".join(out)


def word_features(word, prefix):
    lower = word.lower()
    return {
        prefix + "lower": lower,
        prefix + "suf3": lower[-3:],
        prefix + "suf2": lower[-2:],
        prefix + "pre3": lower[:3],
        prefix + "pre2": lower[:2],
        prefix + "title": word.istitle(),
        prefix + "upper": word.isupper(),
        prefix + "digit": word.isdigit(),
        prefix + "hasdigit": any(c.isdigit() for c in word),
        prefix + "hyphen": "-" in word,
        prefix + "punct": any(not c.isalnum() for c in word),
        prefix + "shape": shape(word, False),
        prefix + "short": shape(word, True),
    }


def sentence_features(words):
    out = []
    for index, word in enumerate(words):
        features = {"bias": 1.0}
        features.update(word_features(word, ""))
        if index > 0:
            features.update(word_features(words[index - 1], "-1:"))
        else:
            features["BOS"] = True
        if index + 1 < len(words):
            features.update(word_features(words[index + 1], "+1:"))
        else:
            features["EOS"] = True
        if index > 1:
            features["-2:lower"] = words[index - 2].lower()
            features["-2:title"] = words[index - 2].istitle()
        if index + 2 < len(words):
            features["+2:lower"] = words[index + 2].lower()
            features["+2:title"] = words[index + 2].istitle()
        out.append(features)
    return out


def chunks(tags):
    """Entity spans (start, end, type) with conlleval's rules (IOB1 and IOB2 both read)."""
    spans, open_span, previous = [], None, ("O", None)
    for index, tag in enumerate(tags + ["O"]):
        if tag == "O" or "-" not in tag:
            prefix, kind = "O", None
        else:
            prefix, kind = tag.split("-", 1)
        prev_prefix, prev_kind = previous
        ends = open_span is not None and (
            prev_prefix in ("E", "S") or prefix in ("O", "B", "S") or kind != prev_kind
        )
        if ends:
            spans.append((open_span[0], index, open_span[1]))
            open_span = None
        if kind is not None and open_span is None:
            open_span = (index, kind)
        previous = (prefix, kind)
    return set(spans)


def score(pairs):
    """Micro P/R/F1 (percent) over (gold tags, predicted tags) sentence pairs."""
    gold_count = predicted_count = correct = 0
    for gold, predicted in pairs:
        gold_spans, predicted_spans = chunks(gold), chunks(predicted)
        gold_count += len(gold_spans)
        predicted_count += len(predicted_spans)
        correct += len(gold_spans & predicted_spans)
    precision = 100.0 * correct / predicted_count if predicted_count else 0.0
    recall = 100.0 * correct / gold_count if gold_count else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def split_files(language, root):
    if language == "en":
        return (os.path.join(root, "conll2003/train.txt.gz"), os.path.join(root, "conll2003/dev.txt.gz"))
    return tuple(
        os.path.join(root, f"ner-multilingual/{split}.{language}.txt.gz") for split in ("train", "dev")
    )


def main(argv):
    if len(argv) >= 2 and argv[0] == "--score":
        sentences = read_conll(argv[1])
        precision, recall, f1 = score(
            [([row[-2] for row in s], [row[-1] for row in s]) for s in sentences]
        )
        print(f"{argv[1]}\tP {precision:.2f}\tR {recall:.2f}\tF1 {f1:.2f}")
        return
    options = {"--model": None, "--pred": None}
    positional = []
    rest = iter(argv)
    for arg in rest:
        if arg in options:
            options[arg] = next(rest)
        else:
            positional.append(arg)
    if not positional:
        sys.exit(__doc__)
    language = positional[0]
    root = positional[1] if len(positional) > 1 else "../shared/data"
    train_path, dev_path = split_files(language, root)
    train = read_conll(train_path)
    dev = read_conll(dev_path)

    trainer = pycrfsuite.Trainer(verbose=False)
    for sentence in train:
        trainer.append(sentence_features([row[0] for row in sentence]), [row[-1] for row in sentence])
    trainer.set_params({"c1": 0.1, "c2": 0.01, "max_iterations": 100,
                        "feature.possible_transitions": True})
    model_path = options["--model"] or tempfile.mkstemp(suffix=".crfsuite")[1]
    started = time.perf_counter()
    trainer.train(model_path)
    train_seconds = time.perf_counter() - started

    tagger = pycrfsuite.Tagger()
    tagger.open(model_path)
    tokens = sum(len(s) for s in dev)
    started = time.perf_counter()
    predictions = [tagger.tag(sentence_features([row[0] for row in s])) for s in dev]
    seconds = time.perf_counter() - started
    precision, recall, f1 = score(
        [([row[-1] for row in s], p) for s, p in zip(dev, predictions)]
    )
    if options["--pred"]:
        with open(options["--pred"], "w", encoding="utf-8") as out:
            for sentence, tags in zip(dev, predictions):
                for row, tag in zip(sentence, tags):
                    out.write(" ".join(row + [tag]) + "\n")
                out.write("\n")
    size = os.path.getsize(model_path)
    print(
        f"{language}\tP {precision:.2f}\tR {recall:.2f}\tF1 {f1:.2f}\t"
        f"{tokens / seconds:.0f} tokens/s\tmodel {size} bytes\ttrained in {train_seconds:.0f} s"
    )
    if not options["--model"]:
        os.remove(model_path)


if __name__ == "__main__":
    main(sys.argv[1:])
