"""The training loop: one epoch with timed phases, evaluation, and the initial-loss check.

A step is ``sampler → (transfer row ids) → scatter → forward → backward →
optimizer``; :class:`fastbow.training.timing.PhaseTimer` charges each part. Losses are
per-sample and summed on the device (:class:`fastbow.training.metrics.EpochMetrics`),
read once per epoch, so the loop has no per-step host–device sync.

With a fused optimizer (:class:`fastbow.training.fused.FusedSparseOptimizer`, ``--input fused``, the CPU
default) the step is its three kernels: ``forward`` (bag sum … loss) is billed to forward, ``backward``
(gradients, table rows grouped by id) to backward, ``step`` (update of the touched rows) to optimizer.
"""
from __future__ import annotations

import math
import warnings

import torch
from tqdm.auto import tqdm

from fastbow.errors import FastbowError
from fastbow.models.mlp import per_sample_loss, predict_classes
from fastbow.options import OPTIMIZERS  # (defined without torch for the parsers)
from fastbow.training.fused import FusedSparseOptimizer
from fastbow.training.interrupts import Interrupted, check_finite
from fastbow.training.metrics import EpochMetrics
from fastbow.training.timing import PhaseTimer


def make_optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    """``torch.optim.SGD`` (plain, as the notebook) or ``torch.optim.Adam`` with learning rate ``lr``.

    Given a CPU ``SparseBagMLP`` module instead of its parameters, returns the fused optimizer
    :class:`fastbow.training.fused.FusedSparseOptimizer` (SGD, or lazy Adam on the table), which
    :func:`train_epoch` drives through its forward/backward/step kernels.

    Raises:
        FastbowError: unknown ``name`` or ``lr`` not a positive finite number.
    """
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (0 < lr < math.inf):
        raise FastbowError(f"lr should be a positive number, but got lr={lr!r}")
    if isinstance(params, torch.nn.Module) and name in OPTIMIZERS:
        return FusedSparseOptimizer(params, name, lr)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, fused=True)
    raise FastbowError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")


def expected_initial_loss(n_logits: int) -> float:
    """ln(C) nats, C = max(n_logits, 2): the cross-entropy of an untrained, unbiased classifier."""
    return math.log(max(n_logits, 2))


def check_initial_loss(model, loader, *, max_batches: int = 4, tolerance: float = 0.25) -> float:
    """Mean per-sample loss of the untrained model on up to ``max_batches`` batches.

    Warns (``UserWarning``, pointing at the caller) when it differs from ln(C) by more than
    ``tolerance`` × ln(C): a sign of a broken head, loss or initialization
    (SEED.md, exercise V.2). Runs in ``eval`` mode under ``no_grad`` and restores the
    previous mode. Returns the measured loss in nats.
    """
    was_training = model.training
    model.eval()
    m = EpochMetrics()
    with torch.no_grad():  # not a decorator: the warning's stacklevel must reach the caller
        for i, (x, y) in enumerate(loader):
            if i == max_batches:
                break
            m.update(per_sample_loss(model(x), y), torch.zeros_like(y, dtype=torch.bool))
    model.train(was_training)
    loss = m.result()["loss"]
    expected = expected_initial_loss(model.n_logits)
    if abs(loss - expected) > tolerance * expected:
        warnings.warn(f"initial loss {loss:.4f} is far from ln(C) = {expected:.4f}; "
                      "check the model head, the loss and the labels", UserWarning, stacklevel=2)
    return loss


def train_epoch(model, loader, optimizer, *, progress: bool = True, desc: str = "train",
                start_batch: int = 0, metrics: EpochMetrics | None = None, stop=None,
                class_weight: torch.Tensor | None = None) -> tuple[dict, dict]:
    """One pass over ``loader``, one optimizer step per batch.

    Args:
        start_batch (int): skip the epoch's first ``start_batch`` batches (resuming mid-epoch:
            the sampler's order is a function of (seed, epoch), so the rest is the same).
        metrics (EpochMetrics, optional): running sums of the skipped batches, continued here.
        stop (callable, optional): read before each batch; when it returns True the loop
            raises :class:`fastbow.training.interrupts.Interrupted` (see :class:`fastbow.training.interrupts.StopRequest`).
        class_weight (torch.Tensor, optional): ``(C,) float32`` on the device; the step minimises
            ``mean(class_weight[y] * loss)`` (:mod:`fastbow.training.class_weight`); metrics stay unweighted.

    Returns:
        tuple: metrics ``{"loss", "accuracy", "perplexity", "n"}`` (running,
        sample-weighted over the epoch, in nats / fractions) and the time split
        ``{"data", "transfer", "forward", "backward", "optimizer", "total"}`` in seconds.

    Raises:
        fastbow.training.interrupts.Diverged (a FloatingPointError): a step's loss was NaN or infinite
            (checked at epoch end and on interruption, from per-step losses kept on the device).
        fastbow.training.interrupts.Interrupted: ``stop()`` returned True; the batches before were trained.
    """
    model.train()
    metrics = EpochMetrics() if metrics is None else metrics
    timer = PhaseTimer(loader.device)
    bar = tqdm(total=len(loader), initial=start_batch, desc=desc, unit="batch", leave=False,
               disable=None if progress else True)
    step_losses = []                             # 0-d float32 per step, on the device (no sync)
    lr = optimizer.param_groups[0]["lr"]
    timer.start()
    for i, rows in enumerate(loader.sampler):
        if i < start_batch:
            continue                             # already trained before the checkpoint
        if stop is not None and stop():
            timer.stop()
            bar.close()
            check_finite(step_losses, start_batch, len(loader), lr, metrics.result()["loss"] if metrics.n else 0.0)
            raise Interrupted(i, metrics)
        timer.mark("data")                       # sampler (host)
        rows = loader.to_device(rows)            # (B,) int64
        timer.mark("transfer")
        x, y = loader.materialize(rows)          # (B, V+1) float32, (B,) int64
        timer.mark("data")                       # scatter kernel
        if getattr(optimizer, "fused", False):   # fastbow/training/fused.py: three Numba kernels, one per phase
            if class_weight is not None:
                raise FastbowError("the fused kernels compute the unweighted loss; train with --input sparse "
                                   "for --class-weight")
            _, losses, correct = optimizer.forward(x, y)
            metrics.update(losses, correct)
            timer.mark("forward")
            optimizer.backward()
            step_losses.append(losses.mean())
            timer.mark("backward")
            optimizer.step()
            timer.mark("optimizer")
            bar.update()
            continue
        logits = model(x)                        # (B, C)
        losses = per_sample_loss(logits, y)      # (B,)
        metrics.update(losses, predict_classes(logits) == y)
        timer.mark("forward")
        optimizer.zero_grad(set_to_none=True)
        loss = (losses * class_weight[y]).mean() if class_weight is not None else losses.mean()  # 0-d
        loss.backward()
        step_losses.append(loss.detach())
        timer.mark("backward")
        optimizer.step()
        timer.mark("optimizer")
        bar.update()
    seconds = timer.stop()
    bar.close()
    result = metrics.result()
    check_finite(step_losses, start_batch, len(loader), lr, result["loss"])
    return result, seconds


def evaluate(model, loader) -> dict:
    """Sample-weighted loss (nats), accuracy (fraction) and perplexity of ``model`` on ``loader``.

    Runs in ``eval`` mode under ``no_grad`` and restores the previous mode.
    """
    was_training = model.training
    model.eval()
    m = EpochMetrics()
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            m.update(per_sample_loss(logits, y), predict_classes(logits) == y)
    model.train(was_training)
    return m.result()
