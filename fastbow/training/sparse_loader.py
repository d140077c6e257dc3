"""Sparse input path: the first layer as ``nn.EmbeddingBag`` over CSR ids, no dense batch.

On a multi-hot row ``x`` (ones at the ids ``S`` of one document),
``OneHotMLP.fc1(x) = W @ x + b = sum_{j in S} W[:, j] + b``: a sum of columns of
``W (H, V + 1)``. ``nn.EmbeddingBag(V + 1, H, mode="sum")`` computes exactly that
sum from the ids, with the table ``E = W.T (V + 1, H)``, so
:class:`SparseBagMLP` is the same function as :class:`fastbow.models.mlp.OneHotMLP`
while reading ``nnz`` ids per batch (IMDB: ~136 per review) instead of building
and multiplying a ``(B, V + 1)`` matrix (20,001 columns). ``tests/test_sparse.py``
trains both from the same weights on the same batches and checks the losses agree.

:class:`SparseBatchLoader` has the interface of
:class:`fastbow.training.loader.DeviceBatchLoader` (``sampler``, ``device``,
``to_device``, ``materialize``, iteration), so :func:`fastbow.training.epoch.train_epoch`
and :func:`fastbow.training.epoch.evaluate` run it unchanged: its ``inputs`` are the
pair ``(ids, offsets)`` that ``SparseBagMLP`` takes.

Gradients: with ``sparse_grad=True`` the table's gradient is a sparse tensor
holding only the batch's rows, which ``torch.optim.SGD`` applies in place
(:func:`supports_sparse_grad`); on the CPU it is built coalesced, one row per
distinct id, by :func:`fastbow.kernels.bag_numba.bag_sum_sparse_grad` (3-4× less memory
traffic than torch's one-row-per-id gradient; see that module). ``torch.optim.Adam`` rejects sparse gradients;
``SparseAdam`` would update only the rows seen (lazy Adam, a different
algorithm), so with Adam the table keeps a dense gradient and the run matches
the dense path's Adam exactly.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from fastbow.data.csr import CSR
from fastbow.kernels import validate_csr
from fastbow.kernels.bag_numba import gather_bags_cpu
from fastbow.kernels.bag_values import gather_bags_values_cpu
from fastbow.training.sampler import RowBatchSampler

GATHER_BACKEND = "gather"  # the loader's ``backend``: ids are gathered, nothing is scattered


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

    Same interface as :class:`fastbow.training.loader.DeviceBatchLoader`: the CSR is copied
    to the device once; per batch, the ``(B,) int64`` row ids are copied and the
    rows' ids gathered (:func:`gather_bags`). No ``(B, V + 1)`` batch exists.

    Args:
        csr (CSR): the split (validated here, once).
        sampler (RowBatchSampler): yields ``(B,) int64`` row ids.
        device (torch.device | str): where the CSR lives and batches are built.
        backend (str): accepted for interface parity and ignored (there is no
            scatter kernel); ``self.backend`` is ``"gather"``.

    Yields:
        tuple: ``(ids (nnz_b,), offsets (B,))`` (int32 for the usual int32 CSR) — or, when the CSR
        has ``data`` (feature values), ``(ids, offsets, weights (nnz_b,) float32)``, the
        ``per_sample_weights`` of the bag — and ``y (B,) int64``, all on ``device``.

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
        # (nnz,) float32 feature values, or None (multi-hot ones)
        self.data = torch.from_numpy(csr.data).to(self.device) if csr.data is not None else None
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
        if self.data is not None:
            if self.device.type == "cpu" and total is not None:
                return gather_bags_values_cpu(self.indptr, self.indices, self.data, rows, total), self.labels[rows]
            # values ride along as a second column of ids: gather positions, then both arrays
            pos, offsets = gather_bags(self.indptr, self._positions(), rows, total)
            return (self.indices[pos], offsets.to(self.indices.dtype), self.data[pos]), self.labels[rows]
        if self.device.type == "cpu" and total is not None:
            ids, offsets = gather_bags_cpu(self.indptr, self.indices, rows, total)  # one Numba loop
        else:
            ids, offsets = gather_bags(self.indptr, self.indices, rows, total)
        return (ids, offsets), self.labels[rows]

    def _positions(self) -> torch.Tensor:
        """``(nnz,) int64`` 0..nnz-1 on the device (made once): gathering it gives positions in ``indices``."""
        if getattr(self, "_pos", None) is None:
            self._pos = torch.arange(self.indices.shape[0], device=self.device)
        return self._pos

    def __iter__(self):
        for rows in self.sampler:
            yield self.materialize(self.to_device(rows))
