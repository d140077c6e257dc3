"""The end-to-end jobs of group e, each run as its own process: ``python benchmarks/e2e.py JOB ARCHIVE OUT``.

Every job reads the archive with the same reader (:func:`fastbow.data.reader.read_imdb`), trains on the
25,000 training reviews, scores the 25,000 test reviews, and writes ``OUT/e2e.json`` with ``test_accuracy``
(fraction) and ``seconds`` (its own split of the wall time). Running each in a fresh process counts
what a user waits for: interpreter start, imports, reading, features, training, evaluation, exit.

* ``sklearn``: ``CountVectorizer(max_features=20000, binary=True)`` (fit on train, transform test) +
  ``LogisticRegression()`` with its defaults, as in issue 9's figure (lbfgs stops at 100 iterations before it
  converges; its ``ConvergenceWarning`` is silenced; converged, with ``max_iter=1000``, it took longer and
  scored 86.66 % in one run).
* ``fasttext``: ``fasttext.train_supervised`` (unigrams, dim 10, 5 epochs, lr 0.1 as in issue 9) on the
  texts lower-cased and split by fastbow's ``words`` tokenizer, training lines shuffled with seed 0 (the
  split is sorted by label, and fastText's threads each read one stretch of the file: unshuffled, it scored
  50 %); the ``tokenize`` split of the time covers writing both files. Then ``model.test`` (precision@1 =
  accuracy).

fastbow itself is timed as ``python -m fastbow.train --data ARCHIVE --out OUT`` with its defaults
(``test_e_end_to_end.py``); its accuracy is the last epoch's ``test_accuracy`` in ``OUT/metrics.json``.
"""
from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path


def sklearn_job(archive: str, vocab_size: int = 20_000) -> dict:
    """Read + CountVectorizer + LogisticRegression; returns accuracy and the time split (s)."""
    t0 = time.perf_counter()
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    from fastbow.data.reader import read_imdb

    t1 = time.perf_counter()
    s = read_imdb(archive)
    t2 = time.perf_counter()
    cv = CountVectorizer(max_features=vocab_size, binary=True)
    x_train, x_test = cv.fit_transform(s["train"].texts), cv.transform(s["test"].texts)
    t3 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the defaults stop at 100 lbfgs iterations
        clf = LogisticRegression().fit(x_train, s["train"].labels)
    t4 = time.perf_counter()
    acc = float((clf.predict(x_test) == s["test"].labels).mean())
    t5 = time.perf_counter()
    return {"test_accuracy": acc, "seconds": {"import": t1 - t0, "read": t2 - t1, "features": t3 - t2,
                                              "train": t4 - t3, "evaluate": t5 - t4}}


def fasttext_job(archive: str, dim: int = 10, epoch: int = 5) -> dict:
    """Read + tokenize to fastText's text format + train_supervised + test; returns accuracy and time split (s)."""
    t0 = time.perf_counter()
    import fasttext

    from fastbow.data.reader import read_imdb
    from fastbow.data.tokenize import get_tokenizer

    t1 = time.perf_counter()
    s = read_imdb(archive)
    t2 = time.perf_counter()
    tok = get_tokenizer("words")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name in ("train", "test"):
            split = s[name]
            paths[name] = Path(tmp) / f"{name}.txt"
            lines = [f"__label__{split.classes[label]} {' '.join(tok(text))}\n"
                     for text, label in zip(split.texts, split.labels)]
            if name == "train":
                random.Random(0).shuffle(lines)
            paths[name].write_text("".join(lines), encoding="utf-8")
        t3 = time.perf_counter()
        model = fasttext.train_supervised(str(paths["train"]), dim=dim, epoch=epoch, lr=0.1, wordNgrams=1,
                                          verbose=0)
        t4 = time.perf_counter()
        _, precision, _ = model.test(str(paths["test"]))
        t5 = time.perf_counter()
    return {"test_accuracy": float(precision), "seconds": {"import": t1 - t0, "read": t2 - t1,
                                                          "tokenize": t3 - t2, "train": t4 - t3,
                                                          "evaluate": t5 - t4}}


JOBS = {"sklearn": sklearn_job, "fasttext": fasttext_job}


def e2e_lines(e: dict) -> list[str]:
    """Group e's table and target checks (Markdown lines) from ``results["e"]``."""
    if not e:
        return []
    ref = e.get("sklearn")  # the ratios are to scikit-learn's wall time in the same run
    rows = []
    for name, r in e.items():
        ratio = f"{r['median_s'] / ref['median_s']:.2f}×" if ref else ""
        rows.append((name, f"{r['median_s']:.2f} s", ratio, f"{100 * r['test_accuracy']:.2f} %", r.get("note", "")))
    lines = ["### e. End to end: archive → trained model → test accuracy (one process each, wall time)", "",
             "| job | wall (median) | vs scikit-learn | test accuracy | note |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    lines.append("")
    for name, limit in (("fastbow cold (empty cache)", 0.5), ("fastbow warm (cache hit)", 0.25)):
        r = e.get(name)
        if r and ref:
            x = r["median_s"] / ref["median_s"]
            ok = x <= limit and r["test_accuracy"] >= 0.888
            lines.append(f"- target {name.split(' (')[0]} ≤ {limit}× scikit-learn at ≥ 88.8 %: {x:.2f}×, "
                         f"{100 * r['test_accuracy']:.2f} % — {'met' if ok else 'MISSED'}")
    lines.append("")
    return lines


def main(argv=None) -> int:
    """``python benchmarks/e2e.py JOB ARCHIVE OUT``: run one job, write ``OUT/e2e.json``."""
    job, archive, out = (sys.argv[1:] if argv is None else argv)
    result = JOBS[job](archive)
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / "e2e.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
