"""Tests for checkpoints in training and --resume: interrupted runs give the same metrics as uninterrupted ones."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from corpus import make_corpus

import fastbow.training.run as run_mod
from fastbow.train import main
from fastbow.training.checkpoint import load_checkpoint

REPO = Path(__file__).resolve().parent.parent
ARGS = ["--vocab-size", "20", "--hidden", "16", "--batch-size", "16", "--lr", "0.03", "--no-progress"]  # 8 batches/epoch


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"), n_per_class=60)


def run(corpus, out, *extra):
    return main(["--data", str(corpus), "--out", str(out), *ARGS, *extra])


def epochs(out):
    """Per-epoch metrics of a run, times aside."""
    return [{k: v for k, v in e.items() if k not in ("time_s", "eval_s")}
            for e in json.loads((Path(out) / "metrics.json").read_text())["epochs"]]


def same_weights(a, b):
    sa, sb = torch.load(Path(a) / "model.pt", weights_only=True), torch.load(Path(b) / "model.pt", weights_only=True)
    return all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """An uninterrupted 4-epoch run (with its own cache folder: the autouse one is per test)."""
    out = tmp_path_factory.mktemp("ref") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FASTBOW_CACHE_DIR", str(out.parent / "cache"))
        assert run(corpus, out, "--epochs", "4") == 0
    return out


def sigint_at_step(monkeypatch, step):
    """Make the training optimizer deliver a real SIGINT right after its ``step``-th step."""
    real = run_mod.make_optimizer

    def make(name, params, lr):
        opt, count = real(name, params, lr), [0]
        orig = opt.step

        def stepper(*a, **k):
            out = orig(*a, **k)
            count[0] += 1
            if count[0] == step:
                signal.raise_signal(signal.SIGINT)
            return out
        opt.step = stepper
        return opt
    monkeypatch.setattr(run_mod, "make_optimizer", make)


def test_interrupted_after_epoch_2_and_resumed_matches_uninterrupted(corpus, reference, tmp_path, monkeypatch, capsys):
    sigint_at_step(monkeypatch, 8 + 5)                        # Ctrl-C during batch 5 of epoch 2
    assert run(corpus, tmp_path / "a", "--epochs", "4") == 130
    monkeypatch.undo()
    captured = capsys.readouterr()
    assert "interrupted in epoch 2 after batch 5 of 8" in captured.out
    assert captured.err.strip() == ("SIGINT: stopping after this batch to save a checkpoint "
                                    "(press Ctrl-C again to stop at once, without saving)")  # one line
    assert f"continue with: python -m fastbow.train --resume {tmp_path / 'a'}" in captured.out
    state = load_checkpoint(tmp_path / "a")
    assert (state["epoch"], state["batch"]) == (1, 5) and state["partial"]["n"] == 5 * 16
    assert main(["--resume", str(tmp_path / "a")]) == 0     # no other flag: the saved settings, 4 epochs
    assert epochs(tmp_path / "a") == epochs(reference) and len(epochs(reference)) == 4
    assert same_weights(tmp_path / "a", reference)
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["resumed"] == [{"epoch": 2, "batch": 5}]


def test_stopped_at_an_epoch_boundary_then_extended(corpus, reference, tmp_path, capsys):
    assert run(corpus, tmp_path / "b", "--epochs", "2") == 0
    assert load_checkpoint(tmp_path / "b")["epoch"] == 2
    assert main(["--resume", str(tmp_path / "b"), "--epochs", "4", "--no-progress"]) == 0
    assert epochs(tmp_path / "b") == epochs(reference) and same_weights(tmp_path / "b", reference)
    assert main(["--resume", str(tmp_path / "b"), "--epochs", "4"]) == 0
    assert "already has 4 epochs; pass --epochs N (> 4) to train further" in capsys.readouterr().out


@pytest.mark.parametrize("sig, code, again", [(signal.SIGINT, 130, "press Ctrl-C again"),
                                              (signal.SIGTERM, 143, "send SIGTERM again")])
def test_real_signal_in_a_subprocess(corpus, tmp_path, sig, code, again):
    # issue 10, item 10: SIGTERM saves the same checkpoint as Ctrl-C and exits 143; one line on stderr
    out = tmp_path / "c"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "fastbow.train", "--data", str(corpus), "--out", str(out), *ARGS, "--epochs", "500"]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / "checkpoint.pt").exists() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    p.send_signal(sig)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == code, stderr
    assert stderr.strip() == (f"{sig.name}: stopping after this batch to save a checkpoint "
                              f"({again} to stop at once, without saving)")
    assert "saved" in stdout and "--resume" in stdout and "Traceback" not in stderr
    state = load_checkpoint(out)
    done = state["epoch"] + (state["batch"] > 0)              # epochs started
    assert 1 <= state["epoch"] < 500
    assert main(["--resume", str(out), "--epochs", str(done + 1)]) == 0
    assert run(corpus, tmp_path / "ref", "--epochs", str(done + 1)) == 0
    assert epochs(out) == epochs(tmp_path / "ref") and same_weights(out, tmp_path / "ref")


@pytest.mark.parametrize("extra, msg", [
    (["--lr", "0.1"], r"--lr 0.1 differs from the checkpoint's settings \(--lr 0.03\); a resumed run keeps its settings: "
                      r"drop the flag \(only --epochs, --device, --backend, --no-progress, --no-cache may change\)"),
    (["--out", "elsewhere"], r"--resume .* continues in its own folder; drop --out elsewhere"),
])
def test_resume_refuses_changed_settings(corpus, reference, tmp_path, capsys, extra, msg):
    import re

    assert main(["--resume", str(reference), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and re.search(msg, err) and "\n" not in err


def test_resume_refuses_changed_data(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", n_per_class=20)
    assert run(corpus, tmp_path / "a", "--epochs", "1") == 0
    for f in (corpus / "train" / "pos").iterdir():               # a new most-frequent token
        f.write_text(f.read_text() + " zzz zzz", encoding="utf-8")
    assert main(["--resume", str(tmp_path / "a"), "--epochs", "2"]) == 2
    assert "changed since the checkpoint was written (its vocabulary or classes differ)" in capsys.readouterr().err


def test_resume_from_another_folder_with_relative_paths(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "c", n_per_class=20)
    monkeypatch.chdir(tmp_path)
    assert main(["--data", "c/aclImdb", "--out", "run", *ARGS, "--epochs", "1"]) == 0
    monkeypatch.chdir(corpus)                                   # elsewhere: the saved data path is absolute
    assert main(["--resume", str(tmp_path / "run"), "--epochs", "2", "--data", str(corpus)]) == 0
    assert len(epochs(tmp_path / "run")) == 2


def test_resumed_early_stopping_run_keeps_its_best_epoch(corpus, tmp_path, monkeypatch):
    # uninterrupted: validation perplexity is lowest at epoch 5, and patience 2 stops the run after epoch 7
    es = ["--val-fraction", "0.25", "--early-stopping", "2", "--lr", "0.3", "--epochs", "8"]
    assert run(corpus, tmp_path / "ref", *es) == 0
    sigint_at_step(monkeypatch, 6 * 5 + 3)                    # 6 batches/epoch: Ctrl-C in epoch 6, after the best
    assert run(corpus, tmp_path / "a", *es) == 130
    monkeypatch.undo()
    assert load_checkpoint(tmp_path / "a")["early_stopping"]["best_epoch"] is not None
    assert main(["--resume", str(tmp_path / "a")]) == 0
    ref, got = (json.loads((tmp_path / r / "metrics.json").read_text()) for r in ("ref", "a"))
    assert (ref["best_epoch"], ref["stopped_epoch"]) == (5, 7)
    assert got["best_epoch"] == 5 and got["stopped_epoch"] == 7
    assert epochs(tmp_path / "a") == epochs(tmp_path / "ref") and same_weights(tmp_path / "a", tmp_path / "ref")
