"""The sparse-input model: ``EmbeddingBag(V + 1, H, sum) + bias → ReLU → Linear(H, C)`` on CSR ids.

On a multi-hot row ``x`` (ones at the ids ``S`` of one document),
``OneHotMLP.fc1(x) = W @ x + b = sum_{j in S} W[:, j] + b``: a sum of columns of
``W (H, V + 1)``. ``nn.EmbeddingBag(V + 1, H, mode="sum")`` computes exactly that
sum from the ids, with the table ``E = W.T (V + 1, H)``, so
:class:`SparseBagMLP` is the same function as :class:`fastbow.models.mlp.OneHotMLP`
while reading ``nnz`` ids per batch instead of multiplying a ``(B, V + 1)`` matrix.
The loader that feeds it is :mod:`fastbow.training.sparse_loader`.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from fastbow.kernels import sparse_mlp_numba
from fastbow.kernels.bag_numba import bag_sum_sparse_grad
from fastbow.kernels.bag_values import bag_sum_weighted
from fastbow.models.mlp import DEFAULT_HIDDEN, OneHotMLP, _check_positive
from fastbow.options import INPUTS  # noqa: F401  (re-exported; defined without torch for the parsers)


def supports_sparse_grad(optimizer: str) -> bool:
    """True when the optimizer named ``optimizer`` (see :data:`fastbow.training.epoch.OPTIMIZERS`) applies sparse gradients.

    ``"sgd"`` (plain, no momentum or weight decay, as ``make_optimizer`` builds it)
    does; ``"adam"`` does not (``torch.optim.Adam`` raises on sparse gradients).
    """
    return optimizer == "sgd"


class SparseBagMLP(nn.Module):
    """``EmbeddingBag(V + 1, H, sum) + bias → ReLU → Linear(H, C)``: OneHotMLP on CSR ids.

    Args:
        n_features (int): V + 1, rows of the bag table (vocabulary plus the OOV id 0).
        hidden (int): H, hidden units (default 200).
        n_logits (int): C, output logits (1: ``BCEWithLogitsLoss``; C ≥ 2: ``CrossEntropyLoss``).
        sparse_grad (bool): give the bag table a sparse gradient (only with an
            optimizer for which :func:`supports_sparse_grad` is true).

    Attributes:
        bag (nn.EmbeddingBag): table ``weight (V + 1, H) float32`` = ``OneHotMLP.fc1.weight.T``.
        bias (nn.Parameter): ``(H,) float32`` = ``OneHotMLP.fc1.bias``.
        fc2 (nn.Linear): ``H → C``, as in ``OneHotMLP``.

    Initialization follows ``nn.Linear(V + 1, H)`` (uniform in ±1/sqrt(V + 1) for
    table and bias; EmbeddingBag's own N(0, 1) would give hidden sums of std ~12).
    Use :meth:`from_dense` to start from a given ``OneHotMLP``'s weights.

    Shapes:
        ``forward((ids, offsets))``: ``ids (nnz,)`` and ``offsets (B,)``, both int32
        or both int64, on the model's device; bag ``b`` is
        ``ids[offsets[b]:offsets[b + 1]]`` (the last runs to the end) → logits ``(B, C) float32``.
        On the CPU under ``torch.no_grad()`` (evaluation, prediction) the logits come from the
        fused forward kernel :func:`fastbow.kernels.sparse_mlp_numba.forward` (equal to the autograd
        path within 1e-5; ``tests/test_sparse_mlp_numba.py``); training through autograd is unchanged.
        ``forward((ids, offsets, weights))``: ``weights (nnz,) float32``, the value of each id
        (``per_sample_weights`` of ``EmbeddingBag``: ``h[b] = sum_p weights[p] * table[ids[p]]``).

    Attributes:
        input_dropout (float): as :class:`fastbow.models.mlp.OneHotMLP`'s, applied to the ids'
            values (ones without ``weights``) while training.

    Example:
        >>> m = SparseBagMLP(5, 3, 1)
        >>> ids, offsets = torch.tensor([0, 3, 4]), torch.tensor([0, 2])   # rows {0, 3} and {4}
        >>> m((ids, offsets)).shape
        torch.Size([2, 1])
    """

    def __init__(self, n_features: int, hidden: int = DEFAULT_HIDDEN, n_logits: int = 1, *,
                 sparse_grad: bool = False):
        super().__init__()
        _check_positive("n_features", n_features)
        _check_positive("hidden", hidden)
        _check_positive("n_logits", n_logits)
        self.bag = nn.EmbeddingBag(n_features, hidden, mode="sum", sparse=bool(sparse_grad))
        self.bias = nn.Parameter(torch.empty(hidden))
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden, n_logits)
        self._slot = None  # (V + 1,) int64 scratch of the CPU sparse-gradient kernel, made on first use
        bound = 1.0 / math.sqrt(n_features)  # nn.Linear's bound for fan_in = V + 1
        with torch.no_grad():
            self.bag.weight.uniform_(-bound, bound)
            self.bias.uniform_(-bound, bound)

    @property
    def n_logits(self) -> int:
        """C, the number of output logits."""
        return self.fc2.out_features

    @property
    def n_features(self) -> int:
        """V + 1, the rows of the bag table."""
        return self.bag.num_embeddings

    input_dropout = 0.0

    def forward(self, inputs) -> torch.Tensor:
        ids, offsets = inputs[0], inputs[1]
        weights = inputs[2] if len(inputs) > 2 else None  # (nnz,) float32 values, or None: ones
        w = self.bag.weight
        if (weights is None and not torch.is_grad_enabled() and w.device.type == "cpu"
                and w.dtype == torch.float32):
            return self._fused_logits(ids, offsets)  # evaluation of binary bags: one Numba pass, no autograd
        if self.input_dropout and self.training:
            ones = weights if weights is not None else torch.ones(ids.shape, dtype=w.dtype, device=w.device)
            weights = nn.functional.dropout(ones, self.input_dropout)
        if (weights is not None and not self.bag.sparse and w.device.type == "cpu" and w.requires_grad
                and torch.is_grad_enabled()):
            h = bag_sum_weighted(w, ids, offsets, weights)  # dense table gradient in one Numba loop
        elif weights is not None:
            h = self.bag(ids, offsets, per_sample_weights=weights)  # torch's backward (sparse, CUDA, no grad)
        elif self.bag.sparse and w.device.type == "cpu" and w.requires_grad and torch.is_grad_enabled():
            if self._slot is None:
                self._slot = torch.full((self.n_features,), -1, dtype=torch.int64)
            h = bag_sum_sparse_grad(w, ids, offsets, self._slot)  # coalesced sparse table gradient
        else:
            h = self.bag(ids, offsets)
        h = h + self.bias                       # (B, H): sum of the rows' table entries + bias
        return self.fc2(self.relu(h))           # (B, C)

    def _fused_logits(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """``(B, C) float32`` logits from :func:`fastbow.kernels.sparse_mlp_numba.forward` (CPU, no grad)."""
        p = [t.detach().numpy() for t in (self.bag.weight, self.bias, self.fc2.weight, self.fc2.bias)]
        no_labels = np.zeros(offsets.shape[0], dtype=np.int64)  # the kernel's loss is not used here
        with sparse_mlp_numba.numba_threads(sparse_mlp_numba.default_threads()):
            out = sparse_mlp_numba.forward(ids.contiguous().numpy(), offsets.contiguous().numpy(), *p, no_labels,
                                           want_grad=False)
        return torch.from_numpy(out["logits"])

    @classmethod
    def from_dense(cls, model: OneHotMLP, *, sparse_grad: bool = False) -> "SparseBagMLP":
        """The same function as ``model`` (weights copied: table = ``fc1.weight.T``), on ``model``'s device."""
        fc1 = model.fc1
        out = cls(fc1.in_features, fc1.out_features, model.n_logits, sparse_grad=sparse_grad)
        out = out.to(fc1.weight.device)
        with torch.no_grad():
            out.bag.weight.copy_(fc1.weight.t())   # (V+1, H) ← (H, V+1)ᵀ
            out.bias.copy_(fc1.bias)
            out.fc2.weight.copy_(model.fc2.weight)
            out.fc2.bias.copy_(model.fc2.bias)
        return out

    def to_dense(self) -> OneHotMLP:
        """A :class:`OneHotMLP` computing the same function (``fc1.weight`` = table.T), on this device."""
        out = OneHotMLP(self.n_features, self.bag.embedding_dim, self.n_logits).to(self.bias.device)
        with torch.no_grad():
            out.fc1.weight.copy_(self.bag.weight.t())
            out.fc1.bias.copy_(self.bias)
            out.fc2.weight.copy_(self.fc2.weight)
            out.fc2.bias.copy_(self.fc2.bias)
        return out


def dense_state_dict(model: nn.Module) -> dict:
    """``model``'s weights in ``OneHotMLP`` layout (``fc1.weight (H, V + 1)``, ...), for either model.

    ``model.pt`` files are always written in this layout, so whatever loads a
    ``OneHotMLP`` also loads a model trained with ``--input sparse``.
    """
    if isinstance(model, SparseBagMLP):
        return model.to_dense().state_dict()
    return model.state_dict()
