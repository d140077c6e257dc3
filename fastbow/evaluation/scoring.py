"""Score a labelled split with a model: loss, accuracy, perplexity and the classification report in one pass.

:func:`evaluate_with_report` walks the same kind of loader the trainer evaluates with
(:class:`fastbow.training.loader.DeviceBatchLoader`, rows in stored order) and sums the per-sample
losses with the same :class:`fastbow.training.metrics.EpochMetrics`, so on the same rows and batch size its
``loss``/``accuracy``/``perplexity`` equal the trainer's ``test_*`` figures exactly; the predictions
(``logit > 0`` for one logit, ``argmax`` otherwise, :func:`fastbow.models.mlp.predict_classes`) feed
:func:`fastbow.evaluation.report.classification_report`.
"""
from __future__ import annotations

import torch

from fastbow.data.csr import CSR
from fastbow.errors import FastbowError
from fastbow.evaluation.report import classification_report
from fastbow.models.mlp import per_sample_loss, predict_classes
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.metrics import EpochMetrics
from fastbow.training.sampler import RowBatchSampler

__all__ = ["EVAL_BATCH_SIZE", "classification_blocks", "evaluate_csr", "evaluate_with_report"]

EVAL_BATCH_SIZE = 512  # the trainer's --eval-batch-size default


@torch.no_grad()
def evaluate_with_report(model, loader, classes) -> dict:
    """Loss, accuracy, perplexity and the per-class report of ``model`` on every batch of ``loader``.

    Args:
        model (torch.nn.Module): maps ``x`` to logits ``(B, C) float32``; run in ``eval`` mode under
            ``no_grad`` (its previous mode is restored).
        loader: yields ``(x, y)`` with ``y (B,) int64`` class ids (dense or sparse loader).
        classes (sequence of str): the model's class names.

    Returns:
        dict: ``loss`` (nats per document), ``accuracy``, ``perplexity`` (``exp(loss)``; ``inf``
        past ``exp(700)``), ``n``, and every key of :func:`fastbow.evaluation.report.classification_report`.

    Raises:
        FastbowError: the loader yields no rows.
    """
    was_training = model.training
    model.eval()
    m = EpochMetrics()
    truth, preds = [], []
    for x, y in loader:
        logits = model(x)                         # (B, C)
        pred = predict_classes(logits)            # (B,) int64
        m.update(per_sample_loss(logits, y), pred == y)
        truth.append(y.cpu())                     # sync point, once per batch
        preds.append(pred.cpu())
    model.train(was_training)
    if not truth:
        raise FastbowError("no documents to evaluate; the evaluation set is empty")
    report = classification_report(torch.cat(truth).numpy(), torch.cat(preds).numpy(), classes)
    base = m.result()
    return {"loss": base["loss"], "accuracy": base["accuracy"], "perplexity": base["perplexity"]} | report


def evaluate_csr(model, csr: CSR, classes, device="cpu", backend: str = "auto",
                 batch_size: int = EVAL_BATCH_SIZE) -> dict:
    """:func:`evaluate_with_report` on the rows of ``csr`` in stored order, batched as the trainer evaluates.

    Args:
        model: a :class:`fastbow.models.mlp.OneHotMLP` on ``device``.
        csr (CSR): ``indptr (n+1,) int64``, ``indices (nnz,) int32``, ``labels (n,) int64``; n ≥ 1.
        classes (sequence of str): the model's class names.
        device, backend: where batches are built and which scatter kernel builds them.
        batch_size (int): rows per batch (results do not depend on it, up to float summation order).

    Raises:
        FastbowError: an empty ``csr`` or a bad ``batch_size``.
    """
    if csr.n_docs == 0:
        raise FastbowError("no documents to evaluate; the evaluation set is empty")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise FastbowError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
    sampler = RowBatchSampler(csr.n_docs, min(batch_size, csr.n_docs), shuffle=False)
    return evaluate_with_report(model, DeviceBatchLoader(csr, sampler, device, backend), classes)


def classification_blocks(model, loaders: dict, classes) -> dict:
    """:func:`evaluate_with_report` for each named loader that is not None (``metrics.json["classification"]``).

    Args:
        loaders (dict[str, loader | None]): e.g. ``{"test": test_loader, "val": val_loader}``.

    Returns:
        dict: ``{name: block}`` in the order given, skipping None loaders.
    """
    return {name: evaluate_with_report(model, loader, classes) for name, loader in loaders.items()
            if loader is not None}
