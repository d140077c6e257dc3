import csv
import json
import math
from pathlib import Path

import pytest
from corpus import make_corpus

from fastbow.errors import FastbowError
from fastbow.sweep import choose, main, parse_values, summarize


def test_values_from_a_list_or_a_log_spaced_range():
    assert parse_values("lr", None) == pytest.approx([1e-5, 1e-4, 1e-3, 1e-2, 1e-1])
    assert parse_values("lr", None, 1e-8, 1e-1, 8) == pytest.approx([10.0 ** k for k in range(-8, 0)])  # notebook II.3
    assert parse_values("lr", "0.001,3e-2") == [0.001, 0.03]
    assert parse_values("batch-size", None) == [16, 128, 1024]
    assert parse_values("batch-size", "1,8") == [1, 8]
    assert parse_values("shuffle", None) == [False, True]


@pytest.mark.parametrize("args, msg", [
    (("batch-size", "16,1.5"), "--values should be comma-separated integers, but got '16,1.5'"),
    (("lr", "0.1,-1"), "--values should be distinct positive numbers"),
    (("lr", None, 1e-1, 1e-3, 3), "the lr range needs 0 < lr_min < lr_max and points >= 2"),
    (("lr", "0.1", 1e-3), "pass either --values or --lr-min/--lr-max/--points, not both"),
    (("batch-size", None, None, None, 4), "--lr-min/--lr-max/--points apply to the lr sweep only"),
    (("shuffle", "1,0"), "the shuffle ablation takes no --values"),
])
def test_bad_values(args, msg):
    with pytest.raises(FastbowError) as e:
        parse_values(*args)
    assert msg in str(e.value)


def test_mean_std_and_the_choice_uses_validation_only():
    rows = [{"value": 1, "val_accuracy": 0.8, "val_loss": 0.5, "test_accuracy": 0.99, "train_time_s": 2.0},
            {"value": 1, "val_accuracy": 0.9, "val_loss": 0.4, "test_accuracy": 0.97, "train_time_s": 4.0},
            {"value": 2, "val_accuracy": 0.88, "val_loss": 0.3, "test_accuracy": 0.5, "train_time_s": 1.0}]
    s = summarize(rows, "batch-size")
    assert [r["n"] for r in s] == [2, 1]
    assert s[0]["val_accuracy_mean"] == pytest.approx(0.85) and s[0]["val_accuracy_std"] == pytest.approx(math.sqrt(0.005))
    assert s[0]["train_time_s_mean"] == 3.0 and s[1]["test_accuracy_std"] == 0.0
    assert choose(s)["value"] == 2                       # best validation, although its test accuracy is worst
    assert choose(summarize([{k: v for k, v in r.items() if not k.startswith("val_")} for r in rows], "lr")) is None


def test_cli_writes_csv_json_and_png(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", n_per_class=40)
    out = tmp_path / "sweep"
    assert main(["lr", "--data", str(corpus), "--out", str(out), "--values", "0.003,0.03", "--repeats", "2",
                 "--epochs", "2", "--vocab-size", "25", "--hidden", "8", "--batch-size", "16", "--no-progress"]) == 0
    doc = json.loads((out / "sweep.json").read_text())
    assert doc["kind"] == "lr" and doc["values"] == [0.003, 0.03] and len(doc["runs"]) == 4
    assert [(r["value"], r["seed"]) for r in doc["runs"]] == [(0.003, 0), (0.003, 1), (0.03, 0), (0.03, 1)]
    assert doc["best"]["value"] == max(doc["summary"], key=lambda s: (s["val_accuracy_mean"], -s["val_loss_mean"]))["value"]
    with open(out / "sweep.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 and {"value", "repeat", "val_accuracy", "test_accuracy", "train_time_s"} <= set(rows[0])
    assert (out / "sweep-lr.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in (out / "points").iterdir())[0] == "lr-0.003-r0"
    assert [p.relative_to(out) for p in out.rglob("model.pt")] == [Path("best/model.pt")]  # only the chosen model
    best = json.loads((out / "best" / "metrics.json").read_text())
    chosen = [r for r in doc["runs"] if r["value"] == doc["best"]["value"]]
    assert best["config"]["lr"] == doc["best"]["value"] and doc["best_run"] == str(out / "best")
    assert best["epochs"][-1]["val_accuracy"] == max(r["val_accuracy"] for r in chosen)
    text = capsys.readouterr().out
    assert "val acc %" in text and "best on validation: lr = " in text and "sweep of 4 run(s) took" in text
    from fastbow.evaluate import main as evaluate_main
    from fastbow.predict import main as predict_main
    assert predict_main(["--model", str(out / "best"), "good great film"]) == 0
    capsys.readouterr()
    assert evaluate_main(["--model", str(out / "best"), "--data", str(corpus), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == best["epochs"][-1]["test_accuracy"]


def test_cli_rejects_bad_values_before_training(tmp_path, capsys):
    assert main(["batch-size", "--data", str(tmp_path), "--values", "0,16", "--out", str(tmp_path / "o")]) == 2
    assert "error: --values should be distinct positive integers" in capsys.readouterr().err


def test_values_with_an_empty_item_are_rejected():
    from fastbow.errors import FastbowError
    from fastbow.sweep import parse_values
    with pytest.raises(FastbowError, match="--values should be comma-separated numbers"):
        parse_values("lr", "0.1,,0.2")


def test_sweep_refuses_resume_and_clears_a_previous_sweep(tmp_path):
    import dataclasses

    from fastbow.errors import FastbowError
    from fastbow.sweep import clear_previous_sweep, run_sweep
    from fastbow.train import TrainConfig
    with pytest.raises(FastbowError, match="sweeps cannot --resume"):
        run_sweep("lr", dataclasses.replace(TrainConfig(), resume=str(tmp_path)), [0.1])
    (tmp_path / "points" / "lr-0.1-r0").mkdir(parents=True)
    (tmp_path / "sweep-batch-size.png").write_text("old")
    (tmp_path / "keep.txt").write_text("mine")
    clear_previous_sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_sweep_on_an_own_csv_uses_the_table_flags(tmp_path):
    rows = ["review,y"] + [f"{'good great fine' if i % 2 else 'bad awful dull'} film {i},{'pos' if i % 2 else 'neg'}"
                           for i in range(60)]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    assert main(["lr", "--data", str(tmp_path / "r.csv"), "--text-column", "review", "--label-column", "y",
                 "--test-fraction", "0.25", "--values", "0.01,0.03", "--epochs", "1", "--hidden", "4",
                 "--no-progress", "--out", str(tmp_path / "s")]) == 0
    doc = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert doc["config"]["text_column"] == "review" and len(doc["runs"]) == 2
