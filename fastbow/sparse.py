"""Sparse input path: the first layer as ``nn.EmbeddingBag`` over CSR ids, no dense batch.

On a multi-hot row ``x`` (ones at the ids ``S`` of one document),
``OneHotMLP.fc1(x) = W @ x + b = sum_{j in S} W[:, j] + b``: a sum of columns of
``W (H, V + 1)``. ``nn.EmbeddingBag(V + 1, H, mode="sum")`` computes exactly that
sum from the ids, with the table ``E = W.T (V + 1, H)``, so
:class:`SparseBagMLP` is the same function as :class:`fastbow.model.OneHotMLP`
while reading ``nnz`` ids per batch (IMDB: ~136 per review) instead of building
and multiplying a ``(B, V + 1)`` matrix (20,001 columns). ``tests/test_sparse.py``
trains both from the same weights on the same batches and checks the losses agree.

:class:`SparseBatchLoader` has the interface of
:class:`fastbow.loader.DeviceBatchLoader` (``sampler``, ``device``,
``to_device``, ``materialize``, iteration), so :func:`fastbow.trainer.train_epoch`
and :func:`fastbow.trainer.evaluate` run it unchanged: its ``inputs`` are the
pair ``(ids, offsets)`` that ``SparseBagMLP`` takes.

Gradients: with ``sparse_grad=True`` the table's gradient is a sparse tensor
holding only the batch's rows, which ``torch.optim.SGD`` applies in place
(:func:`supports_sparse_grad`); on the CPU it is built coalesced, one row per
distinct id, by :func:`fastbow.bag_kernels.bag_sum_sparse_grad` (3-4× less memory
traffic than torch's one-row-per-id gradient; see that module). ``torch.optim.Adam`` rejects sparse gradients;
``SparseAdam`` would update only the rows seen (lazy Adam, a different
algorithm), so with Adam the table keeps a dense gradient and the run matches
the dense path's Adam exactly.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from .bag_kernels import bag_sum_sparse_grad, gather_bags_cpu
from .csr import CSR
from .kernels import validate_csr
from .model import DEFAULT_HIDDEN, OneHotMLP, _check_positive
from .sampler import RowBatchSampler

INPUTS = ("dense", "sparse")
GATHER_BACKEND = "gather"  # the loader's ``backend``: ids are gathered, nothing is scattered


def supports_sparse_grad(optimizer: str) -> bool:
    """True when the optimizer named ``optimizer`` (see :data:`fastbow.trainer.OPTIMIZERS`) applies sparse gradients.

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

    def forward(self, inputs) -> torch.Tensor:
        ids, offsets = inputs
        w = self.bag.weight
        if self.bag.sparse and w.device.type == "cpu" and w.requires_grad and torch.is_grad_enabled():
            if self._slot is None:
                self._slot = torch.full((self.n_features,), -1, dtype=torch.int64)
            h = bag_sum_sparse_grad(w, ids, offsets, self._slot)  # coalesced sparse table gradient
        else:
            h = self.bag(ids, offsets)
        h = h + self.bias                       # (B, H): sum of the rows' table entries + bias
        return self.fc2(self.relu(h))           # (B, C)

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


class BagRows(NamedTuple):
    """A batch's row ids on the device plus their total id count, computed on the host.

    Attributes:
        rows (torch.Tensor): ``(B,) int64`` row ids, on the loader's device.
        total (int): ``sum of row lengths``, the batch nnz (known on the host, so
            sizing the id buffer needs no device→host sync).
    """

    rows: torch.Tensor
    total: int


def gather_bags(indptr: torch.Tensor, indices: torch.Tensor, rows: torch.Tensor,
                total: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Concatenate the CSR rows ``rows`` into EmbeddingBag input: ``(ids, offsets)``.

    Args:
        indptr (torch.Tensor): ``(n_docs + 1,) int64`` row offsets from 0.
        indices (torch.Tensor): ``(nnz,) int32 or int64`` ids.
        rows (torch.Tensor): ``(B,) int64`` rows, any order, repeats allowed.
        total (int, optional): the batch nnz ``sum(indptr[rows + 1] - indptr[rows])``;
            when omitted it is read from the device (a host–device sync point on CUDA).
            All tensors on one device.

    Returns:
        tuple: ``ids (total,)`` with ``indices``' dtype and ``offsets (B,)`` of the
        same dtype; bag ``b`` is ``ids[offsets[b]:offsets[b + 1]]``.

    Cost: about six small kernels over ``B`` and ``total`` elements (the gather of
    ``kernels/torch_ref.py`` without the scatter); no sync when ``total`` is given.

    Example:
        >>> indptr = torch.tensor([0, 2, 2, 3]); indices = torch.tensor([5, 7, 1], dtype=torch.int32)
        >>> gather_bags(indptr, indices, torch.tensor([2, 0, 1]))
        (tensor([1, 5, 7], dtype=torch.int32), tensor([0, 1, 3], dtype=torch.int32))
    """
    starts = indptr[rows]                     # (B,) first position of each row in indices
    counts = indptr[rows + 1] - starts        # (B,) ids per row
    offsets = torch.cumsum(counts, 0) - counts  # (B,) where each bag starts in ids
    if total is None:
        total = int(counts.sum())             # sync point on CUDA (avoided by the loader)
    # position of the k-th id of bag b in indices: starts[b] + k = (starts[b] - offsets[b]) + p
    shift = torch.repeat_interleave(starts - offsets, counts, output_size=total)  # (total,)
    pos = torch.arange(total, device=indices.device) + shift
    ids = indices.index_select(0, pos)        # (total,)
    return ids, offsets.to(indices.dtype)


class SparseBatchLoader:
    """Iterates over one split as EmbeddingBag input ``((ids, offsets), y)`` on ``device``.

    Same interface as :class:`fastbow.loader.DeviceBatchLoader`: the CSR is copied
    to the device once; per batch, the ``(B,) int64`` row ids are copied and the
    rows' ids gathered (:func:`gather_bags`). No ``(B, V + 1)`` batch exists.

    Args:
        csr (CSR): the split (validated here, once).
        sampler (RowBatchSampler): yields ``(B,) int64`` row ids.
        device (torch.device | str): where the CSR lives and batches are built.
        backend (str): accepted for interface parity and ignored (there is no
            scatter kernel); ``self.backend`` is ``"gather"``.

    Yields:
        tuple: ``(ids (nnz_b,), offsets (B,))`` (int32 for the usual int32 CSR) and
        ``y (B,) int64``, all on ``device``.

    Raises:
        DataError: the CSR is malformed.
    """

    def __init__(self, csr: CSR, sampler: RowBatchSampler, device="cpu", backend: str = "auto"):
        self.device = torch.device(device)
        self.sampler = sampler
        self.n_features = csr.n_features
        self.backend = GATHER_BACKEND
        csr.validate()
        self._host_indptr = csr.indptr                              # (n_docs + 1,) int64, for batch nnz
        self.indptr = torch.from_numpy(csr.indptr).to(self.device)  # (n_docs + 1,) int64
        self.indices = torch.from_numpy(csr.indices).to(self.device)  # (nnz,) int32
        self.labels = torch.from_numpy(csr.labels).to(self.device)    # (n_docs,) int64
        validate_csr(self.indptr, self.indices, self.n_features)

    def __len__(self) -> int:
        """Batches per epoch (the sampler's length)."""
        return len(self.sampler)

    def to_device(self, rows: torch.Tensor) -> BagRows:
        """Copy ``(B,) int64`` CPU row ids to the device and count the batch's ids on the host."""
        r = rows.numpy()
        total = int(np.sum(self._host_indptr[r + 1] - self._host_indptr[r]))
        if self.device.type == "cuda":
            return BagRows(rows.pin_memory().to(self.device, non_blocking=True), total)
        return BagRows(rows, total)

    def materialize(self, rows) -> tuple[tuple[torch.Tensor, torch.Tensor], torch.Tensor]:
        """``((ids, offsets), y)`` for ``rows``: a :class:`BagRows` or a ``(B,) int64`` device tensor
        (the latter costs a sync on CUDA to count the ids)."""
        if isinstance(rows, BagRows):
            rows, total = rows
        else:
            total = None
        if self.device.type == "cpu" and total is not None:
            ids, offsets = gather_bags_cpu(self.indptr, self.indices, rows, total)  # one Numba loop
        else:
            ids, offsets = gather_bags(self.indptr, self.indices, rows, total)
        return (ids, offsets), self.labels[rows]

    def __iter__(self):
        for rows in self.sampler:
            yield self.materialize(self.to_device(rows))
