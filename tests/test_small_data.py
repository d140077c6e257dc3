"""The small-data rule: what the trainer says before and after a run with too few optimizer steps."""
import json

from fastbow.training.small_data import (
    after_training_note,
    optimizer_steps,
    small_data_advice,
)


def test_the_240_row_case_gets_a_warning_with_flags_that_reach_the_rule():
    assert optimizer_steps(192, 128, 2) == (2, 4)
    msg = small_data_advice(192, 128, 2, 3e-4, "adam")
    assert msg.startswith("small training split: 192 rows = 2 batches of 128 per epoch, so 2 epochs make only 4 "
                          "optimizer steps (lr × steps = 0.0012;")
    assert "try --epochs 10 --lr 0.003 (or a smaller --batch-size)" in msg
    # the suggestion itself passes the rule: 10 epochs x 2 batches x 0.003 = 0.06 >= 0.02, 20 steps >= 10
    assert small_data_advice(192, 128, 10, 3e-3, "adam") is None


def test_no_warning_for_imdb_defaults_or_enough_steps():
    assert small_data_advice(25000, 128, 2, 3e-4, "adam") is None          # 392 steps, 0.12
    assert small_data_advice(1000, 16, 2, 3e-4, "adam") is None            # 126 steps, 0.038
    assert small_data_advice(1000, 128, 2, 3e-4, "adam") is not None       # 14 steps, 0.0042
    assert small_data_advice(100, 10, 1, 0.01, "sgd") is None              # 10 steps; sgd: steps only
    msg = small_data_advice(100, 128, 5, 0.01, "sgd")
    assert "1 batch of 128 per epoch, so 5 epochs make only 5 optimizer steps" in msg and "--epochs 20" in msg
    assert "--lr" not in msg.split("try")[1].split("(")[0]                 # sgd: no lr suggestion


def test_after_training_notes():
    flat = [{"train_loss": 0.72}, {"train_loss": 0.70}]
    assert "still near ln C = 0.6931" in after_training_note(flat, 2, 4)
    falling = [{"train_loss": 0.68}, {"train_loss": 0.59}]
    assert "still falling (0.6800 -> 0.5900" in after_training_note(falling, 2, 14)
    assert after_training_note([{"train_loss": 0.0118}, {"train_loss": 0.0034}], 2, 35) is None  # fitted
    assert after_training_note(falling, 2, 392) is None                                        # not a small run


def test_trainer_prints_and_records_it(tmp_path, capsys):
    from fastbow.train import main

    rows = ["text,label"] + [f"word{i % 7} filler {'good' if i % 2 else 'bad'},{i % 2}" for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    assert main(["--data", str(tmp_path / "t.csv"), "--test-fraction", "0.2", "--out", str(tmp_path / "r"),
                 "--no-progress", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "warning: small training split: 48 rows = 1 batch of 128 per epoch, so 2 epochs make only 2" in out
    m = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert m["note"].startswith("the training loss ended at") and "note: the training loss" in out
