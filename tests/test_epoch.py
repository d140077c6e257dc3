"""The training loop (fastbow/training/epoch.py): which phase a cost is billed to, evaluation over every row,
the initial-loss check, the optimizer factory. Values are checked against direct computations."""
import math
import time
import warnings

import numpy as np
import pytest
import torch

from fastbow.data.csr import CSR
from fastbow.errors import FastbowError
from fastbow.models.mlp import OneHotMLP, per_sample_loss, predict_classes
from fastbow.training.epoch import (
    check_initial_loss,
    evaluate,
    expected_initial_loss,
    make_optimizer,
    train_epoch,
)
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler
from fastbow.training.timing import PHASES


def random_csr(n_docs=40, n_features=23, seed=0, n_classes=2):
    rng = np.random.default_rng(seed)
    rows = [np.unique(rng.integers(0, n_features, rng.integers(0, 9))) for _ in range(n_docs)]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32)
    return CSR(indptr, indices, rng.integers(0, n_classes, n_docs).astype(np.int64), n_features)


def direct_metrics(model, csr, rows=None):
    """Loss, accuracy and n of ``model`` over ``rows`` of ``csr`` in one dense batch (the reference)."""
    rows = np.arange(csr.n_docs) if rows is None else np.asarray(rows)
    x = torch.from_numpy(csr.to_scipy().toarray()[rows])
    y = torch.from_numpy(csr.labels[rows])
    with torch.no_grad():
        logits = model(x)
        losses = per_sample_loss(logits, y).double()
    return {"loss": losses.mean().item(), "accuracy": (predict_classes(logits) == y).double().mean().item(),
            "n": len(rows)}


# ---- which phase a cost is billed to -------------------------------------------------------------

SLEEP = {"data": 0.050, "transfer": 0.010, "forward": 0.020, "backward": 0.030, "optimizer": 0.040}  # s per step
STEPS = 2


class _SleepInBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        time.sleep(SLEEP["backward"])
        return g


class SlowModel(torch.nn.Module):
    """A model whose forward and backward each cost a known extra sleep."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        time.sleep(SLEEP["forward"])
        return _SleepInBackward.apply(self.inner(x))


def slowed_loader_and_optimizer(csr, model):
    loader = DeviceBatchLoader(csr, RowBatchSampler(csr.n_docs, csr.n_docs // STEPS, seed=0), "cpu")
    loader.materialize(torch.arange(2))          # warm up: load (or compile) the Numba kernel, not billed
    materialize, to_device = loader.materialize, loader.to_device
    loader.materialize = lambda rows: (time.sleep(SLEEP["data"]), materialize(rows))[1]
    loader.to_device = lambda rows: (time.sleep(SLEEP["transfer"]), to_device(rows))[1]
    opt = make_optimizer("sgd", model.parameters(), 0.1)
    step = opt.step
    opt.step = lambda *a, **k: (time.sleep(SLEEP["optimizer"]), step(*a, **k))[1]
    return loader, opt


def test_a_known_cost_in_each_phase_is_billed_to_that_phase():
    csr = random_csr()
    torch.manual_seed(0)
    model = SlowModel(OneHotMLP(csr.n_features, 8, 1))
    loader, opt = slowed_loader_and_optimizer(csr, model)
    metrics, seconds = train_epoch(model, loader, opt, progress=False)
    assert metrics["n"] == csr.n_docs
    # A sleep never ends early, so a cost billed to another phase leaves its own phase short of it
    # (the costs differ, so a swap shows too). A cost billed twice would make the parts exceed the
    # wall time. No upper bound per phase: on a loaded machine every phase stretches.
    for phase in PHASES:
        assert seconds[phase] >= STEPS * SLEEP[phase], (phase, seconds)
    parts = sum(seconds[p] for p in PHASES)
    assert parts <= seconds["total"] and parts == pytest.approx(seconds["total"], rel=0.05)


def test_no_cost_is_billed_when_the_loop_does_no_work():
    csr = random_csr()
    torch.manual_seed(0)
    model = OneHotMLP(csr.n_features, 8, 1)
    loader = DeviceBatchLoader(csr, RowBatchSampler(csr.n_docs, 8, seed=0), "cpu")
    _, seconds = train_epoch(model, loader, make_optimizer("sgd", model.parameters(), 0.1), progress=False)
    assert seconds["transfer"] < 0.1 and set(seconds) == {*PHASES, "total"}      # CPU: to_device is a no-op


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device (CI has none)")
def test_a_known_gpu_cost_is_billed_to_its_phase_with_cuda_events():
    # torch.cuda._sleep spins the GPU for a number of cycles without blocking the host: a host clock read
    # after the launch would bill nothing to forward; CUDA events bill the GPU time where it was queued.
    csr = random_csr(n_docs=64)
    torch.manual_seed(0)
    inner = OneHotMLP(csr.n_features, 8, 1).cuda()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record(); torch.cuda._sleep(10_000_000); end.record(); torch.cuda.synchronize()
    cycles = int(10_000_000 * 0.05 / (start.elapsed_time(end) / 1000))   # ~50 ms of GPU time

    class GpuSlow(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            torch.cuda._sleep(cycles)
            return self.inner(x)

    model = GpuSlow()
    loader = DeviceBatchLoader(csr, RowBatchSampler(csr.n_docs, 32, seed=0), "cuda")
    opt = make_optimizer("sgd", model.parameters(), 0.1)
    train_epoch(inner, loader, opt, progress=False)   # warm-up: kernel compilation, cuBLAS, pinned memory
    _, seconds = train_epoch(model, loader, opt, progress=False)
    assert 0.08 <= seconds["forward"] < 0.2, seconds
    assert all(seconds[p] < 0.04 for p in PHASES if p != "forward"), seconds


# ---- evaluation counts every row -----------------------------------------------------------------

@pytest.mark.parametrize("n_logits", [1, 3])
@pytest.mark.parametrize("n_docs, batch", [(13, 5), (13, 13), (13, 1), (12, 5), (1, 4)])
def test_evaluate_counts_every_row_of_a_split_that_is_not_a_multiple_of_the_batch(n_docs, batch, n_logits):
    csr = random_csr(n_docs=n_docs, n_classes=max(n_logits, 2), seed=n_docs + batch)
    torch.manual_seed(1)
    model = OneHotMLP(csr.n_features, 8, n_logits)
    with torch.no_grad():
        model.fc2.bias.fill_(0.3)          # some predictions right, some wrong
    loader = DeviceBatchLoader(csr, RowBatchSampler(csr.n_docs, min(batch, n_docs), shuffle=False), "cpu")
    r, ref = evaluate(model, loader), direct_metrics(model, csr)
    assert r["n"] == n_docs
    assert r["loss"] == pytest.approx(ref["loss"], rel=1e-6)
    assert r["accuracy"] == pytest.approx(ref["accuracy"], abs=1e-12)
    assert r["perplexity"] == pytest.approx(math.exp(ref["loss"]), rel=1e-6)


def test_evaluate_uses_eval_mode_without_grad_and_restores_the_mode():
    csr = random_csr(n_docs=10)
    model = torch.nn.Sequential(torch.nn.Dropout(0.9), OneHotMLP(csr.n_features, 8, 1))
    model.n_logits = 1
    loader = DeviceBatchLoader(csr, RowBatchSampler(10, 4, shuffle=False), "cpu")
    torch.manual_seed(0)
    a = evaluate(model, loader)
    b = evaluate(model, loader)
    assert a == b and model.training                     # dropout off while evaluating; mode restored
    assert a["loss"] == pytest.approx(direct_metrics(model.eval(), csr)["loss"], rel=1e-6)
    model.eval()
    evaluate(model, loader)
    assert not model.training


# ---- the initial-loss check ----------------------------------------------------------------------

def test_expected_initial_loss_is_ln_c():
    assert expected_initial_loss(1) == math.log(2) and expected_initial_loss(2) == math.log(2)
    assert expected_initial_loss(5) == math.log(5)


def test_initial_loss_of_a_normal_model_gives_no_warning_and_the_measured_value():
    csr = random_csr(n_docs=40)
    torch.manual_seed(0)
    model = OneHotMLP(csr.n_features, 8, 1)
    loader = DeviceBatchLoader(csr, RowBatchSampler(40, 6, shuffle=False), "cpu")   # 7 batches, 4 used
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = check_initial_loss(model, loader)
    assert loss == pytest.approx(direct_metrics(model, csr, range(24))["loss"], rel=1e-6)   # first 4 batches only
    assert abs(loss - math.log(2)) < 0.25 * math.log(2)
    assert model.training                                                               # mode restored
    assert check_initial_loss(model, loader, max_batches=1) == pytest.approx(
        direct_metrics(model, csr, range(6))["loss"], rel=1e-6)


@pytest.mark.parametrize("n_logits, bias", [(1, 4.0), (1, -4.0), (3, None)])
def test_initial_loss_warning_fires_on_a_mis_initialized_model(n_logits, bias):
    csr = random_csr(n_docs=30, n_classes=max(n_logits, 2))
    torch.manual_seed(0)
    model = OneHotMLP(csr.n_features, 8, n_logits)
    with torch.no_grad():
        if bias is not None:
            model.fc2.bias.fill_(bias)     # a binary head far from p = 0.5
        else:
            model.fc2.weight.mul_(200.0)   # over-scaled logits: confident and often wrong
    model.eval()
    loader = DeviceBatchLoader(csr, RowBatchSampler(30, 8, shuffle=False), "cpu")
    with pytest.warns(UserWarning, match=r"^initial loss \d+\.\d{4} is far from ln\(C\) = "
                                         rf"{math.log(max(n_logits, 2)):.4f}; check the model head, the loss "
                                         r"and the labels$") as rec:
        loss = check_initial_loss(model, loader)
    assert loss == pytest.approx(direct_metrics(model, csr, range(30))["loss"], rel=1e-6)
    assert f"{loss:.4f}" in str(rec[0].message)
    # the warning points at the caller (a mutation run's trampoline adds one frame in between)
    assert rec[0].filename == __file__ or "mutmut" in rec[0].filename
    assert not model.training                                                       # mode restored (eval)


def test_initial_loss_tolerance_is_relative_to_ln_c():
    csr = random_csr(n_docs=30)
    torch.manual_seed(0)
    model = OneHotMLP(csr.n_features, 8, 1)
    with torch.no_grad():
        model.fc2.weight.zero_()
        model.fc2.bias.fill_(1.0)          # loss = softplus(-1) or softplus(1): mean ~0.8 nats
    loader = DeviceBatchLoader(csr, RowBatchSampler(30, 30, shuffle=False), "cpu")
    loss = direct_metrics(model, csr)["loss"]
    off = abs(loss - math.log(2)) / math.log(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_initial_loss(model, loader, tolerance=off + 0.01)           # inside the tolerance: silent
    with pytest.warns(UserWarning, match="far from ln"):
        check_initial_loss(model, loader, tolerance=off - 0.01)           # just outside: warns


# ---- the optimizer factory -----------------------------------------------------------------------

def test_make_optimizer_builds_the_named_optimizer_with_lr():
    p = [torch.zeros(2, requires_grad=True)]
    sgd, adam = make_optimizer("sgd", p, 0.5), make_optimizer("adam", p, 2)
    assert type(sgd) is torch.optim.SGD and sgd.param_groups[0]["lr"] == 0.5
    assert sgd.param_groups[0]["momentum"] == 0
    assert type(adam) is torch.optim.Adam and adam.param_groups[0]["lr"] == 2 and adam.param_groups[0]["fused"]


@pytest.mark.parametrize("name, lr, msg", [
    ("sgd", 0, "lr should be a positive number, but got lr=0"),
    ("sgd", -1.0, "lr should be a positive number, but got lr=-1.0"),
    ("sgd", math.inf, "lr should be a positive number, but got lr=inf"),
    ("sgd", True, "lr should be a positive number, but got lr=True"),
    ("sgd", "0.1", "lr should be a positive number, but got lr='0.1'"),
    ("rmsprop", 0.1, "unknown optimizer 'rmsprop'; choose one of: sgd, adam"),
])
def test_make_optimizer_errors(name, lr, msg):
    with pytest.raises(FastbowError, match=f"^{msg.replace('(', '[(]').replace(')', '[)]')}$"):
        make_optimizer(name, [torch.zeros(1, requires_grad=True)], lr)


def test_evaluate_and_the_initial_check_build_no_graph():
    csr = random_csr(n_docs=10)
    model = OneHotMLP(csr.n_features, 8, 1)
    loader = DeviceBatchLoader(csr, RowBatchSampler(10, 4, shuffle=False), "cpu")
    seen = []
    model.register_forward_hook(lambda mod, inp, out: seen.append(out.requires_grad))
    evaluate(model, loader)
    check_initial_loss(model, loader)
    assert seen and not any(seen)


# ---- train_epoch: resuming, stopping, divergence, the progress bar --------------------------------

from fastbow.training import epoch as epoch_module  # noqa: E402
from fastbow.training.interrupts import Diverged, Interrupted  # noqa: E402


def fresh(csr, seed=0, lr=0.1):
    torch.manual_seed(seed)
    model = OneHotMLP(csr.n_features, 8, 1)
    loader = DeviceBatchLoader(csr, RowBatchSampler(csr.n_docs, 8, seed=3), "cpu")
    return model, loader, make_optimizer("sgd", model.parameters(), lr)


def test_train_epoch_steps_once_per_batch_and_reports_sample_weighted_metrics():
    csr = random_csr(n_docs=30)                                   # batches of 8, 8, 8, 6
    model, loader, opt = fresh(csr)
    steps = []
    opt.register_step_post_hook(lambda o, a, k: steps.append(1))
    seen = []
    model.register_forward_hook(lambda mod, inp, out: seen.append((inp[0].shape[0], mod.training)))
    m, _ = train_epoch(model, loader, opt, progress=False)
    assert len(steps) == 4 and [b for b, _ in seen] == [8, 8, 8, 6] and all(t for _, t in seen)
    assert m["n"] == 30 and 0 <= m["accuracy"] <= 1 and m["perplexity"] == pytest.approx(math.exp(m["loss"]))


def test_resuming_mid_epoch_skips_the_done_batches_and_continues_the_sums():
    csr = random_csr(n_docs=30)
    model_a, loader_a, opt_a = fresh(csr)
    whole, _ = train_epoch(model_a, loader_a, opt_a, progress=False)
    model_b, loader_b, opt_b = fresh(csr)
    with pytest.raises(Interrupted) as e:
        train_epoch(model_b, loader_b, opt_b, progress=False, stop=calls)
    assert e.value.batch == 2 and e.value.metrics.n == 16             # stopped before batch index 2
    rest, _ = train_epoch(model_b, loader_b, opt_b, progress=False, start_batch=2, metrics=e.value.metrics)
    assert rest["n"] == 30 and rest["loss"] == pytest.approx(whole["loss"], rel=1e-6)
    assert rest["accuracy"] == whole["accuracy"]
    for pa, pb in zip(model_a.parameters(), model_b.parameters()):
        assert torch.allclose(pa, pb, atol=1e-6)


_stop_after = {"n": 0}


def calls():
    """True on the 3rd question: stop before the third batch."""
    _stop_after["n"] += 1
    return _stop_after["n"] == 3


@pytest.fixture(autouse=True)
def _reset_stop_counter():
    _stop_after["n"] = 0


def test_start_batch_alone_skips_batches_and_counts_only_the_rest():
    csr = random_csr(n_docs=30)
    model, loader, opt = fresh(csr)
    m, _ = train_epoch(model, loader, opt, progress=False, start_batch=3)
    assert m["n"] == 6                                                # only the last batch (6 rows) trained


def test_stop_before_the_first_batch_raises_with_zero_batches_and_no_metrics_read():
    csr = random_csr(n_docs=30)
    model, loader, opt = fresh(csr)
    with pytest.raises(Interrupted) as e:
        train_epoch(model, loader, opt, progress=False, stop=lambda: True)
    assert e.value.batch == 0 and e.value.metrics.n == 0 and str(e.value) == "interrupted after batch 0"


@pytest.mark.parametrize("bad, batch", [(float("nan"), 2), (float("inf"), 2)])
def test_a_non_finite_step_loss_raises_diverged_naming_the_batch(bad, batch):
    csr = random_csr(n_docs=30)
    model, loader, opt = fresh(csr, lr=0.5)
    real = epoch_module.per_sample_loss
    count = {"n": 0}

    def poisoned(logits, y):
        count["n"] += 1
        losses = real(logits, y)
        return losses * bad if count["n"] == batch else losses

    epoch_module.per_sample_loss, saved = poisoned, epoch_module.per_sample_loss
    try:
        with pytest.raises(Diverged) as e:
            train_epoch(model, loader, opt, progress=False)
    finally:
        epoch_module.per_sample_loss = saved
    assert e.value.batch == batch and e.value.n_batches == 4 and e.value.lr == 0.5
    assert f"at batch {batch} of 4 with lr=0.5" in str(e.value)


@pytest.mark.parametrize("progress, disable", [(True, None), (False, True)])
def test_progress_bar_counts_batches_from_the_resume_point(monkeypatch, progress, disable):
    made = []

    class FakeBar:
        def __init__(self, **kw):
            self.kw, self.updates, self.closed = kw, 0, False
            made.append(self)

        def update(self):
            self.updates += 1

        def close(self):
            self.closed = True

    monkeypatch.setattr(epoch_module, "tqdm", FakeBar)
    csr = random_csr(n_docs=30)
    model, loader, opt = fresh(csr)
    train_epoch(model, loader, opt, progress=progress, desc="epoch 2/5", start_batch=1)
    (bar,) = made
    assert bar.kw == {"total": 4, "initial": 1, "desc": "epoch 2/5", "unit": "batch", "leave": False,
                      "disable": disable}
    assert bar.updates == 3 and bar.closed
    made.clear()
    train_epoch(model, loader, opt)                                   # defaults: shown when a terminal, "train"
    assert made[0].kw["desc"] == "train" and made[0].kw["disable"] is None and made[0].kw["initial"] == 0


def test_default_tolerance_is_a_quarter_of_ln_c():
    csr = random_csr(n_docs=30)
    model = OneHotMLP(csr.n_features, 8, 1)
    loader = DeviceBatchLoader(csr, RowBatchSampler(30, 30, shuffle=False), "cpu")
    offs = []
    for bias in (0.0, 1.6, 2.2, 2.5):
        with torch.no_grad():
            model.fc2.weight.zero_()
            model.fc2.bias.fill_(bias)
        off = abs(direct_metrics(model, csr)["loss"] - math.log(2)) / math.log(2)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            check_initial_loss(model, loader)
        assert bool(rec) == (off > 0.25), (bias, off)
        offs.append(off)
    assert any(0.1 < o < 0.25 for o in offs) and any(0.25 < o < 1.25 for o in offs), offs   # both sides, near


def test_a_stop_after_a_non_finite_step_reports_the_divergence_not_the_stop():
    # on Ctrl-C the loop checks the steps done so far: a NaN before the stop must not be saved as a checkpoint
    csr = random_csr(n_docs=30)
    model, loader, opt = fresh(csr, lr=0.25)
    real = epoch_module.per_sample_loss
    count = {"n": 0}

    def poisoned(logits, y):
        count["n"] += 1
        losses = real(logits, y)
        return losses * float("nan") if count["n"] == 2 else losses

    epoch_module.per_sample_loss, saved = poisoned, epoch_module.per_sample_loss
    try:
        with pytest.raises(Diverged) as e:
            train_epoch(model, loader, opt, progress=False, start_batch=1, stop=calls)   # stops before batch 4
    finally:
        epoch_module.per_sample_loss = saved
    assert (e.value.batch, e.value.n_batches, e.value.lr) == (3, 4, 0.25)   # 1 skipped + 2nd trained step
    assert math.isnan(e.value.loss)


def test_a_stop_after_finite_steps_raises_interrupted_with_the_running_sums():
    csr = random_csr(n_docs=30)
    model, loader, opt = fresh(csr)
    with pytest.raises(Interrupted) as e:
        train_epoch(model, loader, opt, progress=False, stop=calls)
    assert e.value.batch == 2 and e.value.metrics.n == 16 and math.isfinite(e.value.metrics.result()["loss"])


def test_train_metrics_are_the_models_own_over_every_row():
    # with an lr too small to move a float32 weight, every batch sees the same model: the epoch's running
    # loss and accuracy must equal a direct computation over all rows
    csr = random_csr(n_docs=30, seed=5)
    model, loader, _ = fresh(csr)
    with torch.no_grad():
        model.fc2.bias.fill_(0.2)
    opt = make_optimizer("sgd", model.parameters(), 1e-30)
    before = [p.detach().clone() for p in model.parameters()]
    m, _ = train_epoch(model, loader, opt, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    ref = direct_metrics(model, csr)
    assert 0 < ref["accuracy"] < 1
    assert m["accuracy"] == pytest.approx(ref["accuracy"], abs=1e-12)
    assert m["loss"] == pytest.approx(ref["loss"], rel=1e-6)
