"""In-memory synthetic texts for the Python-API tests: two (or three) classes, each with its own cue words."""
from __future__ import annotations

import random

from corpus import CUES, FILLER


def make_texts(n_per_class: int = 40, classes=("neg", "pos"), seed: int = 0) -> tuple[list[str], list[str]]:
    """``(texts, labels)``: ``n_per_class`` learnable texts per class, interleaved, labels as the class names."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n_per_class):
        for c in classes:
            words = [rng.choice(FILLER) for _ in range(rng.randint(5, 20))] + rng.sample(CUES[c], 2)
            rng.shuffle(words)
            texts.append(" ".join(words).capitalize() + ".<br />The end.")
            labels.append(c)
    return texts, labels
