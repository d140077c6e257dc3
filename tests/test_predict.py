"""Tests for python -m fastbow.predict: arguments, file, stdin, JSON, the training path, errors."""
import io
import json
import sys

import numpy as np
import pytest
import torch
from corpus import make_corpus

from fastbow.data.tokenize import get_tokenizer
from fastbow.predict import load_predictor, main
from fastbow.train import main as train_main

POS, NEG = "A great, wonderful film: the best!", "Awful and boring, the worst waste of time."


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("predict")
    corpus = make_corpus(root, n_per_class=60)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FASTBOW_CACHE_DIR", str(root / "cache"))
        assert train_main(["--data", str(corpus), "--out", str(root / "run"), "--vocab-size", "20", "--hidden", "16",
                           "--batch-size", "16", "--epochs", "3", "--lr", "0.03", "--no-progress"]) == 0
    return root / "run"


def outputs(capsys):
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()]


def test_texts_from_arguments(model, capsys):
    assert main(["--model", str(model), POS, NEG]) == 0
    (l1, p1, t1), (l2, p2, t2) = outputs(capsys)
    assert (l1, l2) == ("pos", "neg") and float(p1) > 0.8 and float(p2) > 0.8
    assert t1 == POS and t2 == NEG


def test_texts_from_a_file_keep_line_order_and_empty_lines(model, tmp_path, capsys):
    (tmp_path / "in.txt").write_bytes(f"{NEG}\r\n\n{POS}\n".encode())
    assert main(["--model", str(model), "--file", str(tmp_path / "in.txt"), "--batch-size", "2"]) == 0
    rows = outputs(capsys)
    assert rows == [["neg", rows[0][1], NEG], ["-", "-", ""], ["pos", rows[2][1], POS]]  # the empty line: not scored


def test_texts_from_stdin_with_bad_bytes(model, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"{POS}\n{NEG} \xff\n".encode("latin-1"))))
    assert main(["--model", str(model), "--file", "-"]) == 0
    captured = capsys.readouterr()
    assert [r.split("\t")[0] for r in captured.out.splitlines()] == ["pos", "neg"]
    assert "warning: 1 of 2 lines of stdin held bytes that are not UTF-8; they were replaced with U+FFFD" in captured.err


def test_json_lines(model, capsys):
    assert main(["--model", str(model), "--json", POS]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["label"] == "pos" and set(row["probabilities"]) == {"neg", "pos"}
    assert sum(row["probabilities"].values()) == pytest.approx(1, abs=1e-5)
    assert row["probability"] == row["probabilities"]["pos"]


def test_scores_equal_the_model_on_dense_multi_hot(model):
    pred = load_predictor(model)
    texts = [POS, NEG, "", "film film film unknownword"]
    probs = pred.probabilities(texts, batch_size=3)           # two batches through the scatter kernel
    tok = get_tokenizer(pred.vocab.tokenizer)
    x = torch.zeros(len(texts), pred.vocab.n_features)
    for i, t in enumerate(texts):
        x[i, pred.vocab.encode(tok(t))] = 1.0
    with torch.no_grad():
        p = torch.sigmoid(pred.model(x)[:, 0]).numpy()
    assert np.allclose(probs[:, 1], p, atol=1e-6) and np.allclose(probs.sum(axis=1), 1, atol=1e-6)
    labels, best = pred.predict(texts)
    assert labels[:2] == ["pos", "neg"] and np.all(best >= 0.5)


@pytest.mark.parametrize("argv, msg", [
    ([], r"no texts to score; pass TEXT arguments, or --file PATH \('-' for standard input\)"),
    (["x", "--file", "f"], r"pass texts either as TEXT arguments or with --file, not both"),
    (["--file", "EMPTY"], r"no texts to score: .*empty\.txt is empty"),
    (["--file", "MISSING"], r"cannot read --file .*missing\.txt \(No such file or directory\)"),
    (["x", "--batch-size", "0"], r"--batch-size should be a positive integer value, but got --batch-size 0"),
])
def test_bad_input(model, tmp_path, capsys, argv, msg):
    import re

    (tmp_path / "empty.txt").write_bytes(b"")
    argv = [{"EMPTY": str(tmp_path / "empty.txt"), "MISSING": str(tmp_path / "missing.txt")}.get(a, a) for a in argv]
    assert main(["--model", str(model), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and re.search(msg, err) and "\n" not in err


def test_missing_model(tmp_path, capsys):
    assert main(["--model", str(tmp_path), "x"]) == 2
    assert "no checkpoint at" in capsys.readouterr().err


def test_predict_scores_a_model_trained_with_sparse_input(tmp_path):
    from corpus import make_corpus

    from fastbow.predict import load_predictor
    from fastbow.train import main as train_main

    corpus = make_corpus(tmp_path / "c", n_per_class=40)
    common = ["--data", str(corpus), "--vocab-size", "25", "--hidden", "8", "--epochs", "3", "--lr", "0.03",
              "--no-progress", "--seed", "1"]
    assert train_main([*common, "--out", str(tmp_path / "s"), "--input", "sparse"]) == 0
    assert train_main([*common, "--out", str(tmp_path / "d"), "--input", "dense"]) == 0
    texts = ["great excellent film", "awful boring waste"]
    (ls, ps), (ld, pd) = (load_predictor(tmp_path / run).predict(texts) for run in ("s", "d"))
    assert ls == ld == ["pos", "neg"]
    assert np.allclose(ps, pd, atol=1e-4)   # same init, same batches: the same model up to rounding


def test_unfinished_run_is_scored_with_a_warning(model, tmp_path):
    import shutil

    from fastbow.training.checkpoint import load_checkpoint, save_checkpoint
    run = tmp_path / "run"
    shutil.copytree(model, run)
    state = load_checkpoint(run)
    state["config"]["epochs"] = state["epoch"] + 2          # as if stopped before its last epochs
    save_checkpoint(run / "checkpoint.pt", state)
    with pytest.warns(UserWarning, match=r"is an unfinished run \(stopped after \d+ full epoch\(s\) of \d+"):
        load_predictor(run)


# issue 10, items 2 and 11: byte order marks, blank texts, binary files, a file that is not a checkpoint


def test_a_byte_order_mark_does_not_change_the_score(model, tmp_path, capsys):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + f"{POS}\n{POS}\n".encode())
    assert main(["--model", str(model), "--file", str(tmp_path / "bom.txt")]) == 0
    (l1, p1, t1), (l2, p2, t2) = outputs(capsys)
    assert (l1, p1, t1) == (l2, p2, t2) == ("pos", p1, POS)


def test_blank_texts_are_flagged_not_scored(model, tmp_path, capsys):
    (tmp_path / "in.txt").write_text(f"{POS}\n   \n\t\n", encoding="utf-8")
    assert main(["--model", str(model), "--json", "--file", str(tmp_path / "in.txt")]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    skipped = {"label": None, "probability": None, "probabilities": {"neg": None, "pos": None},
               "skipped": "empty text"}
    assert [r["id"] for r in rows] == [1, 2, 3]  # one record per input line, in order
    assert rows[0]["label"] == "pos" and rows[1] == {"id": 2, **skipped} and rows[2] == {"id": 3, **skipped}
    assert captured.err.count("warning:") == 1 and "2 of 3 texts are empty or whitespace only" in captured.err
    assert main(["--model", str(model), " ", ""]) == 2
    assert "no texts to score: all 2 are empty or whitespace only" in capsys.readouterr().err


def test_a_binary_file_warns_once_with_a_count(model, tmp_path, capsys):
    (tmp_path / "b.bin").write_bytes(b"PK\x03\x04\x00\x00\xff\x00\n\x00\xc3\n")  # a zip header, not text
    assert main(["--model", str(model), "--file", str(tmp_path / "b.bin")]) == 0
    err = capsys.readouterr().err
    assert err.count("warning:") == 1 and "does not look like text (4 NUL bytes" in err and "2 of 2 lines" in err
    (tmp_path / "w.txt").write_bytes(f"{POS}\n".encode("utf-16"))  # UTF-16 with its byte order mark: text
    assert main(["--model", str(model), "--file", str(tmp_path / "w.txt")]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.split("\t")[0] == "pos" and captured.out.strip().endswith(POS)


def test_model_that_is_not_a_checkpoint_says_what_it_is(model, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello\n")
    assert main(["--model", str(tmp_path / "notes.txt"), "x"]) == 2
    err = capsys.readouterr().err
    assert "notes.txt is not a checkpoint (it is plain text); pass the --out folder" in err
    assert "weights_only=False" not in err
