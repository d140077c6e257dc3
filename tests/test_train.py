import json
import math
import subprocess
import sys

import pytest
from corpus import (
    assert_reported_test_metrics_are_the_model_s,
    make_corpus,
    train_small,
)

from fastbow.train import main

KEYS = {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "test_perplexity", "time_s"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"), n_per_class=60)


run = train_small  # tests/corpus.py: small, fast training settings


def test_smoke_run_writes_metrics_model_and_vocab(corpus, tmp_path, capsys):
    assert run(corpus, tmp_path / "a") == 0
    m = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert m["config"]["tokenizer"] == "words" and m["config"]["classes"] == ["neg", "pos"]
    assert len(m["epochs"]) == 3 and all(KEYS <= set(e) for e in m["epochs"])
    last = m["epochs"][-1]
    assert last["test_accuracy"] >= 0.95 and 0 <= last["train_accuracy"] <= 1
    assert_reported_test_metrics_are_the_model_s(tmp_path / "a")     # the reported figures are the model's
    assert last["test_perplexity"] == pytest.approx(math.exp(last["test_loss"]))
    t = last["time_s"]
    assert set(t) == {"data", "transfer", "forward", "backward", "optimizer", "total"}
    assert abs(sum(v for k, v in t.items() if k != "total") - t["total"]) <= 0.05 * t["total"]
    assert {p.name for p in (tmp_path / "a").iterdir()} == {"metrics.json", "model.pt", "vocab.json", "checkpoint.pt"}
    out = capsys.readouterr().out
    assert "epoch 3/3 | train loss" in out and "ppl" in out and "forward" in out


def test_same_seed_same_metrics(corpus, tmp_path):
    run(corpus, tmp_path / "a", "--seed", "5")
    run(corpus, tmp_path / "b", "--seed", "5")
    strip = lambda p: [{k: v for k, v in e.items() if k not in ("time_s", "eval_s")}
                       for e in json.loads((p / "metrics.json").read_text())["epochs"]]
    assert strip(tmp_path / "a") == strip(tmp_path / "b")


def test_two_logit_head_trains_too(corpus, tmp_path):
    assert run(corpus, tmp_path / "c", "--logits", "2", "--optimizer", "sgd", "--lr", "0.5") == 0
    assert json.loads((tmp_path / "c" / "metrics.json").read_text())["epochs"][-1]["test_accuracy"] >= 0.9
    assert_reported_test_metrics_are_the_model_s(tmp_path / "c")


@pytest.mark.parametrize("eval_batch", ["7", "1", "1000"])
def test_evaluation_batch_size_does_not_change_the_reported_test_metrics(corpus, tmp_path, eval_batch):
    # 120 test rows: 7 leaves a last batch of 1, 1000 is one batch clamped to the split
    assert run(corpus, tmp_path / "e", "--eval-batch-size", eval_batch, "--epochs", "1") == 0
    ref = assert_reported_test_metrics_are_the_model_s(tmp_path / "e")
    assert ref["n"] == 120


@pytest.mark.parametrize("extra, msg", [
    (["--batch-size", "0"], "--batch-size should be a positive integer value, but got --batch-size 0"),
    (["--lr", "-1"], "--lr should be a positive number, but got --lr -1.0"),
    (["--device", "cuda:7"], "CUDA is not available" if not __import__("torch").cuda.is_available() else "device"),
])
def test_bad_arguments_give_one_line_errors(corpus, tmp_path, capsys, extra, msg):
    assert run(corpus, tmp_path / "x", *extra) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and msg in err and "\n" not in err


def test_unwritable_output_fails_before_any_work(corpus, tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    assert run(corpus, tmp_path / "file" / "sub") == 2   # fails even as root
    err = capsys.readouterr().err
    assert "output directory" in err and "is not writable" in err and "pass another --out" in err


def test_failed_run_leaves_no_empty_output_folder(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "missing"), "--out", str(tmp_path / "new")]) == 2
    assert "not found" in capsys.readouterr().err and not (tmp_path / "new").exists()


def test_empty_out_is_rejected(corpus, capsys):
    assert run(corpus, "") == 2
    assert "--out is empty" in capsys.readouterr().err


def test_fresh_run_replaces_the_previous_runs_files(corpus, tmp_path, capsys):
    out = tmp_path / "a"
    out.mkdir()
    (out / "model.pt").write_text("stale")
    (out / "curves.png").write_text("stale")
    assert run(corpus, out, "--epochs", "1") == 0
    assert "replacing the previous run" in capsys.readouterr().out
    assert (out / "model.pt").read_bytes() != b"stale" and not (out / "curves.png").exists()


def test_batch_larger_than_the_split_is_one_batch(corpus, tmp_path):
    assert run(corpus, tmp_path / "b", "--batch-size", "100000000", "--epochs", "1") == 0
    assert json.loads((tmp_path / "b" / "metrics.json").read_text())["epochs"][0]["test_accuracy"] > 0


def test_warnings_print_as_one_line(corpus, tmp_path):
    # pytest captures warnings in-process, so run the CLI as a user would
    cmd = [sys.executable, "-m", "fastbow.train", "--data", str(corpus), "--out", str(tmp_path / "w"),
           "--vocab-size", "1000", "--epochs", "1", "--hidden", "4"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "warning: vocab_size=1000 is larger than the 25 distinct training tokens; using 25\n" in proc.stderr
    assert "UserWarning" not in proc.stderr


@pytest.mark.parametrize("optimizer, lr", [("adam", "0.03"), ("sgd", "0.5")])
def test_sparse_input_trains_like_dense(corpus, tmp_path, optimizer, lr):
    import torch

    from fastbow.models.mlp import OneHotMLP
    for inp in ("dense", "sparse"):
        assert run(corpus, tmp_path / inp, "--input", inp, "--optimizer", optimizer, "--lr", lr) == 0
    d, s = (json.loads((tmp_path / i / "metrics.json").read_text()) for i in ("dense", "sparse"))
    assert s["config"]["input"] == "sparse" and s["config"]["backend"] == "gather"
    for a, b in zip(d["epochs"], s["epochs"]):   # same init, same batches: the same run up to rounding
        assert b["train_loss"] == pytest.approx(a["train_loss"], abs=1e-4)
        assert b["test_accuracy"] == pytest.approx(a["test_accuracy"], abs=0.02)
    model = OneHotMLP(26, 16, 1)
    model.load_state_dict(torch.load(tmp_path / "sparse" / "model.pt"))   # saved in OneHotMLP layout


@pytest.mark.parametrize("optimizer, lr, tol", [("sgd", "0.5", 1e-4), ("adam", "0.03", 0.05)])
def test_default_input_is_fused_on_the_cpu_and_trains_like_sparse(corpus, tmp_path, optimizer, lr, tol):
    import torch

    from fastbow.models.mlp import OneHotMLP
    assert run(corpus, tmp_path / "auto", "--optimizer", optimizer, "--lr", lr) == 0
    assert run(corpus, tmp_path / "sparse", "--input", "sparse", "--optimizer", optimizer, "--lr", lr) == 0
    f, s = (json.loads((tmp_path / i / "metrics.json").read_text()) for i in ("auto", "sparse"))
    assert f["config"]["input"] == "auto" and f["config"]["input_path"] == "fused"
    for a, b in zip(s["epochs"], f["epochs"]):   # sgd: the same algorithm; adam: lazy Adam (fused) vs Adam
        assert b["train_loss"] == pytest.approx(a["train_loss"], abs=tol)
        assert b["test_accuracy"] == pytest.approx(a["test_accuracy"], abs=0.05)
    OneHotMLP(26, 16, 1).load_state_dict(torch.load(tmp_path / "auto" / "model.pt"))  # OneHotMLP layout


def test_backend_with_auto_input_on_the_cpu_picks_the_dense_path(corpus, tmp_path):
    assert run(corpus, tmp_path / "x", "--backend", "numba", "--device", "cpu") == 0
    config = json.loads((tmp_path / "x" / "metrics.json").read_text())["config"]
    assert config["input_path"] == "dense" and config["backend"] == "numba"


def test_unknown_input_is_rejected(corpus, tmp_path, capsys):
    from fastbow.errors import FastbowError
    from fastbow.train import TrainConfig
    from fastbow.train import run as run_cfg
    with pytest.raises(FastbowError, match="unknown input 'ragged'; choose one of: auto, fused, sparse, dense"):
        run_cfg(TrainConfig(data=str(corpus), out=str(tmp_path / "x"), input="ragged"))


def test_backend_with_sparse_input_is_rejected(corpus, tmp_path, capsys):
    assert run(corpus, tmp_path / "x", "--input", "sparse", "--backend", "triton") == 2
    assert "--input sparse gathers ids with its own kernel; drop --backend" in capsys.readouterr().err
