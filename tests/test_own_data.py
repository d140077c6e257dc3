"""End to end on own data: a 3-class folder corpus (3 logits) and table corpora (CSV, JSONL, Parquet)."""
import json

import pytest
import torch
from corpus import assert_reported_test_metrics_are_the_model_s, make_corpus
from tabledata import review_rows, write_csv, write_jsonl

from fastbow.errors import FastbowError
from fastbow.models.head import resolve_logits
from fastbow.train import main
from fastbow.training.checkpoint import load_checkpoint

SMALL = ["--vocab-size", "20", "--hidden", "16", "--batch-size", "16", "--epochs", "3", "--lr", "0.03", "--no-progress"]


def train(data, out, *extra):
    rc = main(["--data", str(data), "--out", str(out), *SMALL, *extra])
    return rc, (json.loads((out / "metrics.json").read_text()) if rc == 0 else None)


def test_three_class_folder_uses_three_logits(tmp_path):
    corpus = make_corpus(tmp_path / "c", n_per_class=40, classes=("neg", "neutral", "pos"))
    rc, m = train(corpus, tmp_path / "a", "--vocab-size", "30")
    assert rc == 0 and m["config"]["logits"] == 3 and m["config"]["classes"] == ["neg", "neutral", "pos"]
    assert m["epochs"][-1]["test_accuracy"] >= 0.9
    assert_reported_test_metrics_are_the_model_s(tmp_path / "a")
    state = load_checkpoint(tmp_path / "a")
    assert state["n_logits"] == 3 and tuple(state["model"]["fc2.weight"].shape) == (3, 16)
    assert state["classes"] == ["neg", "neutral", "pos"]


def test_three_classes_with_one_logit_is_a_clear_error(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", n_per_class=5, classes=("neg", "neutral", "pos"))
    rc, _ = train(corpus, tmp_path / "a", "--logits", "1")
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err == ("error: --logits 1 (one binary logit) cannot separate 3 classes (neg, neutral, pos); "
                               "omit --logits or pass --logits 3")


@pytest.mark.parametrize("logits", [None, 2])
def test_csv_corpus_trains_with_one_or_two_logits(tmp_path, logits):
    data = write_csv(tmp_path / "train.csv", review_rows(60), header=("id", "review", "sentiment"))
    test = write_csv(tmp_path / "test.csv", review_rows(30, seed=1), header=("id", "review", "sentiment"))
    extra = ["--text-column", "review", "--label-column", "sentiment", "--test-file", str(test)]
    rc, m = train(data, tmp_path / "a", *extra, *(["--logits", str(logits)] if logits else []))
    assert rc == 0 and m["config"]["logits"] == (logits or 1) and m["config"]["classes"] == ["neg", "pos"]
    assert m["config"]["test_file"] == str(test) and m["epochs"][-1]["test_accuracy"] >= 0.9
    assert_reported_test_metrics_are_the_model_s(tmp_path / "a")
    assert load_checkpoint(tmp_path / "a")["model"]["fc2.weight"].shape == torch.Size([logits or 1, 16])


def test_jsonl_with_test_fraction(tmp_path):
    objs = [{"text": t, "label": int(y == "pos")} for t, y in review_rows(60)]
    rc, m = train(write_jsonl(tmp_path / "r.jsonl", objs), tmp_path / "a", "--test-fraction", "0.25")
    assert rc == 0 and m["config"]["classes"] == ["0", "1"] and m["epochs"][-1]["test_accuracy"] >= 0.9
    assert_reported_test_metrics_are_the_model_s(tmp_path / "a")


def test_parquet_corpus(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = review_rows(60)
    pq.write_table(pa.table({"text": [t for t, _ in rows], "label": [y for _, y in rows]}), tmp_path / "r.parquet")
    rc, m = train(tmp_path / "r.parquet", tmp_path / "a", "--test-fraction", "0.25")
    assert rc == 0 and m["epochs"][-1]["test_accuracy"] >= 0.9
    assert_reported_test_metrics_are_the_model_s(tmp_path / "a")


def test_resolve_logits():
    assert resolve_logits(None, ("a", "b")) == 1 and resolve_logits(None, ("a", "b", "c", "d")) == 4
    assert resolve_logits(2, ("a", "b")) == 2 and resolve_logits(3, ("a", "b", "c")) == 3
    with pytest.raises(FastbowError, match=r"--logits 4 does not match the 3 classes \(a, b, c\); omit --logits or pass --logits 3$"):
        resolve_logits(4, ("a", "b", "c"))
    with pytest.raises(FastbowError, match=r"--logits 3 does not match the 2 classes \(a, b\); .* --logits 2 or 1$"):
        resolve_logits(3, ("a", "b"))
