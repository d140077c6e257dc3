"""Group e (issue 13): the scaling benchmark's smoke test on a tiny synthetic corpus.

The full run is a script, run once (``python benchmarks/scaling.py --archive ... --scales 1 4 16``,
about 15 minutes on an idle 2-core machine); its table is in ``benchmarks/RESULTS.md``. Here the same
functions run at scales 1 and 2 of a 200-document corpus, preparation with 1 and 2 workers and one
epoch with 2 processes (torchrun), and the corpus builder's promises are checked.
"""
import json
import random

import numpy as np
from scaling import build_corpus, markdown, run

from fastbow.data.reader import Split

WORDS = "the a movie film plot actor scene story time really very just like one".split()
CUES = ("bad awful boring worst waste".split(), "good great excellent best wonderful".split())


def split(n, seed):
    rng = random.Random(seed)
    labels = np.array([i % 2 for i in range(n)], dtype=np.int64)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(4, 20)) + rng.sample(CUES[y], 2)) for y in labels]
    return Split(texts, labels, ("neg", "pos"), [str(i) for i in range(n)], 0)


def test_corpus_is_deterministic_keeps_the_originals_and_recombines_within_a_class(tmp_path):
    train, test = split(100, 0), split(100, 1)
    a, _ = build_corpus(train, test, 3, tmp_path / "a")
    b, _ = build_corpus(train, test, 3, tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    rows = [json.loads(line) for line in a.read_text().splitlines()]
    assert len(rows) == 300 and [r["text"] for r in rows[:100]] == train.texts
    for r in rows[100:]:                                  # a recombined review keeps its class's cue words only
        other = CUES[0] if r["label"] == "pos" else CUES[1]
        assert not set(r["text"].split()) & set(other)


def test_smoke(tmp_path):
    rows = run(split(200, 0), split(200, 1), (1, 2), tmp_path, workers=(1, 2), procs=(2,), vocab_size=30)
    assert [r["scale"] for r in rows] == [1, 2]
    assert rows[1]["prepare_1"]["train_docs"] == 400 and rows[1]["prepare_2"]["test_docs"] == 400
    assert rows[1]["epoch_2"]["processes"] == 2 and rows[0]["epoch_2"]["epoch_s"] > 0
    table = markdown(rows, workers=(1, 2), procs=(2,))
    assert table.count("\n") == 1 + 2 * 2 and "| 2× | 800 |" in table
