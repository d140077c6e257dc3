"""The five training-input pipelines that the profiler and the benchmarks compare, built alike.

==================  ===========================================================  ==========================
name                batch construction                                          dataset state in host RAM
==================  ===========================================================  ==========================
``notebook-naive``  per item: tokenize + Python loop of ones; default collate    texts (~33 MB for IMDB)
``notebook-dense``  precomputed dense rows; default collate (``torch.stack``)    n × (V+1) × 4 B (2.0 GB)
``scatter``         fastbow: CSR on the device → scatter kernel → (B, V+1)      CSR (~14 MB)
``sparse``          fastbow: CSR on the device → ids + offsets → EmbeddingBag    CSR (~14 MB)
``fused``           fastbow's CPU default: ids + offsets → fused Numba kernels   CSR (~14 MB)
                    (forward, backward, update of the touched rows; adam = lazy)
==================  ===========================================================  ==========================

Every pipeline gets the same initial weights (``torch.manual_seed(seed)`` then
``OneHotMLP``; the sparse model is converted from it), the same optimizer and
a loader with the interface :func:`fastbow.training.epoch.train_epoch` runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from fastbow.baselines.notebook import (
    NotebookDenseDataset,
    NotebookItemDataset,
    NotebookLoader,
)
from fastbow.data.prepare import Prepared
from fastbow.errors import FastbowError
from fastbow.models.embedding_bag import SparseBagMLP, supports_sparse_grad
from fastbow.models.mlp import DEFAULT_HIDDEN, OneHotMLP
from fastbow.options import PIPELINES  # defined without torch, for the parser
from fastbow.training.epoch import make_optimizer
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler
from fastbow.training.sparse_loader import SparseBatchLoader


@dataclass
class Pipeline:
    """A ready-to-train pipeline.

    Attributes:
        name (str): one of :data:`PIPELINES`.
        model (nn.Module): ``OneHotMLP`` or ``SparseBagMLP`` on the device.
        loader: the training-split loader (``sampler``, ``device``, ``to_device``, ``materialize``).
        optimizer (torch.optim.Optimizer): over ``model.parameters()``.
        state_bytes (int): host memory of the loader's dataset state, in bytes.
        notes (list[str]): facts a reader of the figures needs (e.g. a row subset).
    """

    name: str
    model: nn.Module
    loader: object
    optimizer: torch.optim.Optimizer
    state_bytes: int
    notes: list = field(default_factory=list)


def check_pipeline(name: str) -> str:
    """Return ``name`` if it is in :data:`PIPELINES`.

    Raises:
        FastbowError: unknown name (the message lists the choices).
    """
    if name not in PIPELINES:
        raise FastbowError(f"unknown pipeline {name!r}; choose one of: {', '.join(PIPELINES)}")
    return name


def build_pipeline(name: str, data: Prepared, *, device="cpu", batch_size: int = 128,
                   hidden: int = DEFAULT_HIDDEN, n_logits: int = 1, optimizer: str = "adam",
                   lr: float = 3e-4, seed: int = 0, backend: str = "auto", texts=None,
                   dense_rows=None) -> Pipeline:
    """Build pipeline ``name`` on the training split of ``data``.

    Args:
        name (str): one of :data:`PIPELINES`.
        data (Prepared): from :func:`fastbow.data.prepare.prepare`.
        device (torch.device | str): where the model runs.
        batch_size (int): B.
        hidden, n_logits (int): H and C of the model.
        optimizer (str), lr (float): see :func:`fastbow.training.epoch.make_optimizer`.
        seed (int): seeds the initial weights and the shuffle.
        backend (str): scatter kernel for ``scatter`` (see :func:`fastbow.kernels.resolve_backend`).
        texts (list[str], optional): the training reviews in CSR row order; required by ``notebook-naive``.
        dense_rows (array of int, optional): for ``notebook-dense``, precompute only these
            rows (profiling a few batches without building 2 GB); default all.

    Raises:
        FastbowError: unknown name; ``notebook-naive`` without ``texts``; bad optimizer or lr.
    """
    check_pipeline(name)
    csr = data.train
    torch.manual_seed(seed)
    model = OneHotMLP(csr.n_features, hidden, n_logits).to(device)
    notes = []
    if name == "sparse":
        sparse_grad = supports_sparse_grad(optimizer)
        model = SparseBagMLP.from_dense(model, sparse_grad=sparse_grad)
        notes.append(f"EmbeddingBag table gradient: {'sparse' if sparse_grad else 'dense'} ({optimizer})")
    if name == "fused":  # fastbow/training/fused.py; CPU only
        model = SparseBagMLP.from_dense(model)
        notes.append(f"fused Numba step ({'lazy Adam on the table' if optimizer == 'adam' else optimizer})")
    opt = make_optimizer(optimizer, model if name == "fused" else model.parameters(), lr)
    if name in ("scatter", "sparse", "fused"):
        Loader = DeviceBatchLoader if name == "scatter" else SparseBatchLoader
        loader = Loader(csr, RowBatchSampler(csr.n_docs, batch_size, seed=seed), device, backend)
        return Pipeline(name, model, loader, opt, csr.nbytes(), notes)
    if name == "notebook-naive":
        if texts is None or len(texts) != csr.n_docs:
            raise FastbowError("pipeline 'notebook-naive' needs the training reviews' texts in CSR order "
                               f"({csr.n_docs} texts); read them with fastbow.data.reader.read_imdb")
        dataset = NotebookItemDataset(texts, csr.labels, data.vocab)
    else:
        dataset = NotebookDenseDataset(csr, dense_rows)
        full = csr.n_docs * csr.n_features * 4
        if len(dataset) < csr.n_docs:
            notes.append(f"dense rows precomputed for {len(dataset):,} of {csr.n_docs:,} reviews "
                         f"({dataset.state_bytes() / 1e6:.0f} MB; all would take {full / 1e9:.1f} GB); "
                         "the per-batch cost does not depend on the number kept")
    loader = NotebookLoader(dataset, batch_size, device, seed=seed)
    return Pipeline(name, model, loader, opt, dataset.state_bytes(), notes)


def profile_rows(n_docs: int, n_rows: int, seed: int = 0) -> np.ndarray:
    """``min(n_rows, n_docs)`` distinct row ids drawn with ``seed``: ``(n,) int64``, for ``dense_rows``."""
    g = np.random.default_rng(seed)
    return np.sort(g.permutation(n_docs)[:min(n_rows, n_docs)]).astype(np.int64)
