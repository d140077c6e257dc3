"""Small synthetic corpora in the aclImdb layout, for tests that must not need the real dataset.

``make_corpus(root)`` writes ``root/aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt``
(optionally more classes) and returns the ``aclImdb`` folder; ``make_archive``
packs such a folder into a ``.tar.gz``. Reviews are learnable: each class has
its own cue words mixed with shared filler words.
"""
from __future__ import annotations

import random
import tarfile
from pathlib import Path

FILLER = "the a movie film plot actor scene story time really very just like one".split()
CUES = {
    "neg": "bad awful boring worst waste".split(),
    "pos": "good great excellent best wonderful".split(),
    "neutral": "okay fine average decent mediocre".split(),
}


def make_corpus(root: Path, n_per_class: int = 40, classes=("neg", "pos"), seed: int = 0,
                n_test_per_class: int | None = None) -> Path:
    """Write a synthetic corpus under ``root/aclImdb``; returns that folder."""
    rng = random.Random(seed)
    base = Path(root) / "aclImdb"
    for split, n in (("train", n_per_class), ("test", n_test_per_class or n_per_class)):
        for c in classes:
            folder = base / split / c
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                words = [rng.choice(FILLER) for _ in range(rng.randint(5, 30))]
                words += rng.sample(CUES[c], 2)
                rng.shuffle(words)
                text = " ".join(words).capitalize() + ".<br /><br />The end."
                (folder / f"{i}_{7 if c == 'pos' else 2}.txt").write_text(text, encoding="utf-8")
    return base


def make_archive(folder: Path, dest: Path) -> Path:
    """Pack an ``aclImdb`` folder into ``dest`` (``.tar.gz``) with members under ``aclImdb/``."""
    with tarfile.open(dest, "w:gz") as tf:
        tf.add(folder, arcname="aclImdb")
    return dest


SMALL_TRAIN_ARGS = ("--vocab-size", "25", "--hidden", "16", "--batch-size", "16", "--epochs", "3", "--lr", "0.03",
                    "--no-progress")


def train_small(corpus: Path, out, *extra) -> int:
    """``python -m fastbow.train`` on a synthetic corpus with small, fast settings; returns the exit status."""
    from fastbow.train import main

    return main(["--data", str(corpus), "--out", str(out), *SMALL_TRAIN_ARGS, *extra])
