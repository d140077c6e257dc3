"""Small table files (CSV/TSV/JSONL) for tests of own-data reading; see tests/corpus.py for folders."""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from corpus import CUES, FILLER


def write_csv(path: Path, rows, header=("id", "text", "label"), delim: str = ",") -> Path:
    """Write ``rows`` of ``(text, label)`` as a CSV (or TSV with ``delim="\\t"``) with an id column first."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=delim)
        w.writerow(header)
        for i, (t, y) in enumerate(rows):
            w.writerow((i, t, y))
    return Path(path)


def write_jsonl(path: Path, objs) -> Path:
    """Write one JSON object per line."""
    path = Path(path)
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def review_rows(n_per_class: int, classes=("neg", "pos"), seed: int = 0) -> list[tuple[str, str]]:
    """Learnable ``(text, label)`` rows like ``corpus.make_corpus``'s reviews, classes interleaved."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_per_class):
        for c in classes:
            words = [rng.choice(FILLER) for _ in range(rng.randint(5, 30))] + rng.sample(CUES[c], 2)
            rng.shuffle(words)
            rows.append((" ".join(words).capitalize() + ".", c))
    return rows
