"""python -m fastbow.evaluate: the trainer's test figures back, tables, the plot, errors; metrics.json's block."""
import json

import pytest
from corpus import make_corpus, train_small

from fastbow.evaluate import main

CLASSES = ("neg", "neutral", "pos")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("evaluate")
    corpus = make_corpus(root, n_per_class=50, classes=CLASSES, n_test_per_class=30)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FASTBOW_CACHE_DIR", str(root / "cache"))
        assert train_small(corpus, root / "run", "--epochs", "1", "--val-fraction", "0.2") == 0
    return root / "run", corpus


def _evaluate_json(capsys, *argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_folder_test_split_gives_the_trainers_figures_and_block(run, capsys):
    folder, corpus = run
    metrics = json.loads((folder / "metrics.json").read_text())
    r = _evaluate_json(capsys, "--model", str(folder), "--data", str(corpus), "--device", "cpu")
    last = metrics["epochs"][-1]
    assert r["split"] == "test" and r["n"] == 90 == metrics["rows"]["test"]
    # accuracy exactly; the loss to float32 summation order (the trainer evaluates with the fused kernel,
    # evaluate with model.pt's OneHotMLP)
    assert r["accuracy"] == last["test_accuracy"] and r["loss"] == pytest.approx(last["test_loss"], rel=1e-6)
    block = metrics["classification"]["test"]
    for key in ("accuracy", "per_class", "macro_avg", "weighted_avg", "confusion_matrix", "classes", "n"):
        assert r[key] == block[key], key
    assert sum(map(sum, r["confusion_matrix"])) == 90 and set(r["per_class"]) == set(CLASSES)
    assert metrics["classification"]["val"]["n"] == metrics["rows"]["val"]


def test_table_is_evaluated_whole_with_the_runs_label_numbering(run, tmp_path, capsys):
    folder, _ = run
    csv = tmp_path / "held.csv"
    # labels in another order and only two of the three classes; a multi-line quoted review
    csv.write_text('review,sentiment\n"great wonderful\nbest film",pos\nawful boring worst,neg\n'
                   "excellent good,pos\n", encoding="utf-8")
    r = _evaluate_json(capsys, "--model", str(folder), "--data", str(csv), "--text-column", "review",
                       "--label-column", "sentiment")
    assert r["split"] == "file" and r["n"] == 3 and r["classes"] == list(CLASSES)
    assert [r["per_class"][c]["support"] for c in CLASSES] == [1, 0, 2]


def test_text_report_and_plot(run, tmp_path, capsys):
    folder, corpus = run
    png = tmp_path / "cm.png"
    assert main(["--model", str(folder), "--data", str(corpus), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "confusion matrix (rows: true class, columns: predicted class)" in out and "macro avg" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_class_and_bad_flags_are_one_line_errors(run, tmp_path, capsys):
    folder, corpus = run
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\ngood film,great\n", encoding="utf-8")
    assert main(["--model", str(folder), "--data", str(bad)]) == 2
    assert "has labels ['great'] that the training data does not have" in capsys.readouterr().err
    assert main(["--model", str(folder), "--data", str(corpus), "--text-column", "review"]) == 2
    assert "--text-column/--label-column apply to table files" in capsys.readouterr().err
    assert main(["--model", str(folder), "--data", str(corpus), "--plot", str(tmp_path / "x.jpg")]) == 2
    assert "should name a .png file" in capsys.readouterr().err


def test_imdb_test_split_reproduces_the_trainers_accuracy(imdb_archive, tmp_path, capsys):
    from fastbow.train import main as train_main

    out = tmp_path / "run"
    assert train_main(["--data", str(imdb_archive), "--out", str(out), "--train-size", "2000", "--epochs", "1",
                       "--no-progress"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    capsys.readouterr()
    r = _evaluate_json(capsys, "--model", str(out), "--data", str(imdb_archive))
    assert r["n"] == 25000
    assert r["accuracy"] == metrics["epochs"][-1]["test_accuracy"] == metrics["classification"]["test"]["accuracy"]
    assert r["loss"] == pytest.approx(metrics["epochs"][-1]["test_loss"], rel=1e-6)


def test_overflowed_perplexity_is_null_in_json(run, capsys, monkeypatch):
    import math

    import fastbow.evaluate as ev
    folder, corpus = run
    real = ev.evaluate_run
    monkeypatch.setattr(ev, "evaluate_run", lambda *a, **k: real(*a, **k) | {"perplexity": math.inf})
    r = _evaluate_json(capsys, "--model", str(folder), "--data", str(corpus))
    assert r["perplexity"] is None
