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


def reference_test_metrics(out) -> dict:
    """The test split's loss, accuracy and size for the run in ``out``, computed directly from its files.

    Reads ``metrics.json``'s config, prepares the same data again (a cache hit), loads ``model.pt``
    into a fresh ``OneHotMLP`` and scores every test row in one dense batch: an independent check of
    what the training loop reported, so a test can tell a correct run from one that merely learned.
    Only for runs without ``--train-size``/``--test-size`` (the whole test split).
    """
    import json

    import torch

    from fastbow.data.dataset import DataOptions
    from fastbow.data.prepare import prepare
    from fastbow.data.vocab import Vocab
    from fastbow.models.mlp import OneHotMLP, per_sample_loss, predict_classes

    out = Path(out)
    cfg = json.loads((out / "metrics.json").read_text())["config"]
    assert cfg["test_size"] is None and cfg["train_size"] is None, "reference_test_metrics needs the whole test split"
    data = prepare(cfg["data"], cfg["tokenizer"], cfg["vocab_size"], options=DataOptions(
        cfg["text_column"], cfg["label_column"], cfg["test_file"], cfg["test_fraction"]))
    assert Vocab.load(out / "vocab.json") == data.vocab
    state = torch.load(out / "model.pt", weights_only=True)
    model = OneHotMLP(data.test.n_features, state["fc1.weight"].shape[0], state["fc2.weight"].shape[0])
    model.load_state_dict(state)
    x = torch.from_numpy(data.test.to_scipy().toarray())
    y = torch.from_numpy(data.test.labels)
    with torch.no_grad():
        logits = model(x)
        loss = per_sample_loss(logits, y).double().mean().item()
    correct = int((predict_classes(logits) == y).sum())
    return {"loss": loss, "accuracy": correct / len(y), "n": len(y)}


def assert_reported_test_metrics_are_the_model_s(out) -> dict:
    """The last epoch's test loss and accuracy in ``out/metrics.json`` equal a direct computation."""
    import json
    import math

    m = json.loads((Path(out) / "metrics.json").read_text())
    last, ref = m["epochs"][-1], reference_test_metrics(out)
    assert m["rows"]["test"] == ref["n"]
    assert last["test_accuracy"] == ref["accuracy"], (last["test_accuracy"], ref)
    assert math.isclose(last["test_loss"], ref["loss"], rel_tol=1e-5), (last["test_loss"], ref)
    return ref
