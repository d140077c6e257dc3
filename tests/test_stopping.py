"""Tests for fastbow.training.interrupts: the signal flag and locating the first non-finite step."""
import json
import math
import signal

import pytest
import torch

from fastbow.training.interrupts import Diverged, Interrupted, StopRequest, check_finite


def test_first_signal_sets_the_flag_second_raises(capsys):
    before = signal.getsignal(signal.SIGINT)
    with StopRequest() as stop:
        assert stop() is False
        signal.raise_signal(signal.SIGINT)
        assert stop() is True
        assert "SIGINT: stopping after this batch to save a checkpoint" in capsys.readouterr().err
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_sigterm_too():
    with StopRequest() as stop:
        signal.raise_signal(signal.SIGTERM)
        assert stop()


def test_check_finite_names_the_first_bad_batch():
    losses = [torch.tensor(0.7), torch.tensor(0.6), torch.tensor(math.inf), torch.tensor(math.nan)]
    check_finite(losses[:2], 0, 10, 0.1, 0.65)
    with pytest.raises(Diverged, match=r"^training diverged: the loss became inf at batch 8 of 10 with lr=0\.1; lower --lr") as e:
        check_finite(losses, 5, 10, 0.1, math.nan)         # resumed after 5 batches: the 3rd step is batch 8
    assert e.value.batch == 8 and isinstance(e.value, FloatingPointError)
    with pytest.raises(Diverged, match=r"the loss became nan at this epoch"):
        check_finite([], 0, 10, 0.1, math.nan)


def test_interrupted_is_a_keyboard_interrupt():
    e = Interrupted(4, None)
    assert isinstance(e, KeyboardInterrupt) and e.batch == 4


# ---------------------------------------------------------------------------- divergence in a training run

from corpus import make_corpus  # noqa: E402

import fastbow.train as train_mod  # noqa: E402
import fastbow.training.run as run_mod
from fastbow.training.checkpoint import load_checkpoint  # noqa: E402

ARGS = ["--vocab-size", "20", "--hidden", "16", "--batch-size", "16", "--epochs", "3", "--no-progress"]  # 8 batches/epoch


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"), n_per_class=60)


def test_huge_learning_rate_stops_with_step_and_lr(corpus, tmp_path, capsys):
    rc = train_mod.main(["--data", str(corpus), "--out", str(tmp_path / "a"), *ARGS, "--optimizer", "sgd", "--lr", "1e30"])
    err = capsys.readouterr().err.strip()
    assert rc == 1 and "\n" not in err
    assert err.startswith("error: training diverged: the loss became nan at step ")
    assert "(epoch 1, batch " in err and "of 8) with lr=1e+30; lower --lr (e.g. --lr 1e+29) and train again" in err
    assert not (tmp_path / "a" / "metrics.json").exists()          # nothing reported, no NaN anywhere


def test_divergence_in_a_later_epoch_keeps_the_finite_results(corpus, tmp_path, monkeypatch, capsys):
    real = run_mod.make_optimizer

    def make(name, params, lr):                                   # poison the weights after step 10
        opt, n = real(name, params, lr), [0]
        orig = opt.step

        def step(*a, **k):
            orig(*a, **k)
            n[0] += 1
            if n[0] == 10:
                with torch.no_grad():
                    opt.param_groups[0]["params"][0].fill_(math.nan)
        opt.step = step
        return opt
    monkeypatch.setattr(run_mod, "make_optimizer", make)
    rc = train_mod.main(["--data", str(corpus), "--out", str(tmp_path / "a"), *ARGS, "--lr", "0.03"])
    assert rc == 1
    assert capsys.readouterr().err.strip() == ("error: training diverged: the loss became nan at step 11 (epoch 2, "
                                               "batch 3 of 8) with lr=0.03; lower --lr (e.g. --lr 0.003) and train again")
    text = (tmp_path / "a" / "metrics.json").read_text()
    assert "NaN" not in text and len(json.loads(text)["epochs"]) == 1
    state = load_checkpoint(tmp_path / "a")
    assert state["epoch"] == 1 and all(torch.isfinite(t).all() for t in state["model"].values())
