"""Tests for fastbow.training.checkpoint: atomic save, safe (weights_only) load, RNG and metric state round trips."""
import os
import pickle

import pytest
import torch

from fastbow.errors import DataError
from fastbow.models.mlp import OneHotMLP
from fastbow.training.checkpoint import (
    CHECKPOINT,
    CHECKPOINT_FORMAT,
    load_checkpoint,
    metrics_from_state,
    metrics_state,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from fastbow.training.metrics import EpochMetrics


def state(**over):
    model = OneHotMLP(7, 4, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.ones(2, 7)).sum().backward()
    opt.step()
    s = {"format": CHECKPOINT_FORMAT, "epoch": 2, "batch": 3, "partial": None, "model": model.state_dict(),
         "optimizer": opt.state_dict(), "rng": rng_state(), "sampler": {"seed": 0, "epoch": 3},
         "vocab": {"tokenizer": "words", "tokens": ["a"], "counts": [1]}, "classes": ["neg", "pos"],
         "n_features": 7, "hidden": 4, "n_logits": 1, "metrics": {"epochs": [{"test_loss": 0.5}]},
         "config": {"lr": 0.1, "data": None}}
    return s | over


def test_round_trip_in_a_run_folder(tmp_path):
    s = state()
    save_checkpoint(tmp_path / CHECKPOINT, s)
    back = load_checkpoint(tmp_path)                       # the folder or the file
    assert back["epoch"] == 2 and back["classes"] == ["neg", "pos"] and back["metrics"] == s["metrics"]
    assert torch.equal(back["model"]["fc1.weight"], s["model"]["fc1.weight"])
    assert torch.equal(back["optimizer"]["state"][0]["exp_avg"], s["optimizer"]["state"][0]["exp_avg"])
    assert load_checkpoint(tmp_path / CHECKPOINT)["batch"] == 3
    assert [p.name for p in tmp_path.iterdir()] == [CHECKPOINT]            # no temporary file left


def test_failed_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    save_checkpoint(tmp_path / CHECKPOINT, state(epoch=1))

    def boom(obj, f):
        f.write(b"half")
        raise KeyboardInterrupt                                # e.g. a second Ctrl-C while saving
    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(tmp_path / CHECKPOINT, state(epoch=2))
    monkeypatch.undo()
    assert load_checkpoint(tmp_path)["epoch"] == 1 and len(list(tmp_path.iterdir())) == 1


class Exploit:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_arbitrary_pickles_are_refused_and_never_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open(tmp_path / CHECKPOINT, "wb") as f:
        torch.save(state(config={"x": Exploit()}), f)
    with pytest.raises(DataError, match=r"holds objects other than tensors and plain data, or is damaged .*"
                                        r"refusing to load it: only load checkpoints written by fastbow"):
        load_checkpoint(tmp_path)
    with pytest.raises(DataError) as e:
        load_checkpoint(tmp_path)
    assert "weights_only=False" not in str(e.value)  # torch's unsafe advice is not passed on
    assert not (tmp_path / "PWNED").exists()
    with open(tmp_path / "plain.pt", "wb") as f:                  # a classic pickle, not a torch zip
        pickle.dump(Exploit(), f)
    with pytest.raises(DataError, match=r"plain\.pt"):
        load_checkpoint(tmp_path / "plain.pt")
    assert not (tmp_path / "PWNED").exists()


def test_missing_truncated_and_foreign_files(tmp_path):
    with pytest.raises(DataError, match=r"no checkpoint at .*checkpoint\.pt; pass the --out folder of a python -m fastbow.train run"):
        load_checkpoint(tmp_path)
    save_checkpoint(tmp_path / CHECKPOINT, state())
    raw = (tmp_path / CHECKPOINT).read_bytes()
    (tmp_path / CHECKPOINT).write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match=r"checkpoint\.pt is not a readable checkpoint .*; train again"):
        load_checkpoint(tmp_path)
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(DataError, match=r"other\.pt is not a fastbow checkpoint of format 1 \(got None\)"):
        load_checkpoint(tmp_path / "other.pt")
    with pytest.raises(ValueError, match=r"checkpoint state lacks \['model'\]"):
        save_checkpoint(tmp_path / "x.pt", {k: v for k, v in state().items() if k != "model"})


def test_rng_and_metric_state_round_trip():
    torch.manual_seed(3)
    saved = rng_state()
    a = torch.rand(4)
    set_rng_state(saved)
    assert torch.equal(torch.rand(4), a)
    m = EpochMetrics()
    m.update(torch.tensor([0.25, 0.5]), torch.tensor([True, False]))
    s = metrics_state(m)
    assert s["loss_sum"].dtype == torch.float64 and s["n"] == 2 and metrics_state(EpochMetrics()) is None
    back = metrics_from_state(s, "cpu")
    back.update(torch.tensor([0.75]), torch.tensor([True]))
    assert back.result()["loss"] == pytest.approx(0.5) and back.result()["accuracy"] == pytest.approx(2 / 3)


def test_model_pt_instead_of_the_run_says_pass_the_folder(tmp_path):
    import torch

    from fastbow.errors import DataError
    from fastbow.models.mlp import OneHotMLP
    from fastbow.training.checkpoint import load_checkpoint
    torch.save(OneHotMLP(5, 2, 1).state_dict(), tmp_path / "model.pt")
    with pytest.raises(DataError, match=r"holds only model weights \(a model.pt\); pass the run's --out folder"):
        load_checkpoint(tmp_path / "model.pt")
