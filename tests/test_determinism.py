"""Determinism on the CPU: the same seed gives the same metrics.json (times aside) and the same weights,
in this process and in another one with a different hash seed (set and dict order must not matter)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from corpus import make_corpus

from fastbow.train import main

REPO = Path(__file__).resolve().parent.parent
TIMES = ("time_s", "eval_s")


def args(corpus, out, seed):
    return ["--data", str(corpus), "--out", str(out), "--vocab-size", "20", "--hidden", "16", "--batch-size", "16",
            "--epochs", "2", "--lr", "0.03", "--seed", str(seed), "--no-cache", "--no-progress"]


def metrics(out):
    m = json.loads((out / "metrics.json").read_text())
    m["config"].pop("out")
    for e in m["epochs"]:
        for k in TIMES:
            e.pop(k)
    return m


def test_same_seed_same_metrics_json_and_weights_across_processes(tmp_path):
    corpus = make_corpus(tmp_path / "c", n_per_class=60)
    assert main(args(corpus, tmp_path / "a", 7)) == 0
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "fastbow.train", *args(corpus, tmp_path / "b", 7)], env=env, check=True,
                   capture_output=True)
    assert main(args(corpus, tmp_path / "c7", 8)) == 0
    assert metrics(tmp_path / "a") == metrics(tmp_path / "b")
    assert metrics(tmp_path / "a")["epochs"] != metrics(tmp_path / "c7")["epochs"]        # the seed matters
    wa = torch.load(tmp_path / "a" / "model.pt", weights_only=True)
    wb = torch.load(tmp_path / "b" / "model.pt", weights_only=True)
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert (tmp_path / "a" / "vocab.json").read_bytes() == (tmp_path / "b" / "vocab.json").read_bytes()
