"""python -m fastbow.train: subsets, validation split, early stopping, --eval-train, --summary, --plot."""
import json

import pytest
import torch
from corpus import make_corpus, train_small

from fastbow.data.prepare import prepare
from fastbow.data.subsets import make_splits
from fastbow.models.mlp import OneHotMLP
from fastbow.training.epoch import evaluate
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"), n_per_class=60)


run = train_small  # tests/corpus.py: small, fast training settings


def test_first_subset_warns_about_a_single_class(corpus, tmp_path):
    with pytest.warns(UserWarning, match=r"training set holds a single class \('neg', 20 rows\)"):
        assert run(corpus, tmp_path / "a", "--train-size", "20", "--subset", "first", "--epochs", "1") == 0
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["rows"] == {"train": 20, "test": 120}


def test_validation_metrics_and_train_evaluation_per_epoch(corpus, tmp_path, capsys):
    assert run(corpus, tmp_path / "b", "--val-fraction", "0.25", "--eval-train", "--plot", "--summary") == 0
    m = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert m["rows"] == {"train": 90, "val": 30, "test": 120}
    keys = {f"{p}_{k}" for p in ("val", "train_eval") for k in ("loss", "accuracy", "perplexity")}
    assert all(keys <= set(e) for e in m["epochs"])
    assert (tmp_path / "b" / "curves.png").read_bytes().startswith(b"\x89PNG")
    out = capsys.readouterr().out
    assert "val loss" in out and "fc1    weight     (16, 26)" in out and "total" in out


def test_early_stopping_restores_the_epoch_with_the_lowest_validation_perplexity(corpus, tmp_path):
    out = tmp_path / "c"
    assert run(corpus, out, "--val-fraction", "0.25", "--early-stopping", "2", "--epochs", "12", "--lr", "0.3",
               "--seed", "1") == 0
    m = json.loads((out / "metrics.json").read_text())
    ppl = [e["val_perplexity"] for e in m["epochs"]]
    assert m["best_epoch"] == 1 + ppl.index(min(ppl)) and m["best"]["epoch"] == m["best_epoch"]
    if "stopped_epoch" in m:
        assert m["stopped_epoch"] == m["best_epoch"] + 2 == len(m["epochs"])
    # the saved model is the best epoch's: its validation loss is the one recorded for that epoch
    data = prepare(corpus, "words", 25)
    val = make_splits(data.train, data.test, data.classes, val_fraction=0.25, seed=1).val
    model = OneHotMLP(26, 16, 1)
    model.load_state_dict(torch.load(out / "model.pt"))
    loader = DeviceBatchLoader(val, RowBatchSampler(val.n_docs, 512, shuffle=False))
    assert evaluate(model, loader)["loss"] == pytest.approx(m["best"]["val_loss"], rel=1e-5)


def test_early_stopping_needs_a_validation_split(corpus, tmp_path, capsys):
    assert run(corpus, tmp_path / "d", "--early-stopping", "3") == 2
    err = capsys.readouterr().err
    assert "--early-stopping needs a validation split" in err and "--val-fraction 0.1" in err


@pytest.mark.parametrize("extra, msg", [
    (["--val-fraction", "1.5"], "--val-fraction should be a number in [0, 1), but got --val-fraction 1.5"),
    (["--train-size", "0"], "--train-size should be a positive integer value, but got --train-size 0"),
    (["--train-size", "500"], "subset of 500 rows requested but the split has only 120"),
])
def test_bad_selection_arguments(corpus, tmp_path, capsys, extra, msg):
    assert run(corpus, tmp_path / "e", *extra) == 2
    assert msg in capsys.readouterr().err
