"""``torch.utils.data`` entry point: a dataset that builds whole multi-hot batches on the device.

For a training loop of your own over ``torch.utils.data.DataLoader``, with the same batches as
fastbow's loop (:class:`fastbow.training.loader.DeviceBatchLoader`): pair
:class:`MultiHotDataset` with fastbow's batch sampler
(:class:`fastbow.training.sampler.RowBatchSampler`, a ``torch.utils.data.Sampler`` of row-id
tensors, ordered by ``(seed, epoch)``)::

    ds = MultiHotDataset(X, y, device="cuda")           # X: BowVectorizer output or a fastbow CSR
    sampler = RowBatchSampler(len(ds), batch_size=128, seed=0)
    loader = DataLoader(ds, batch_sampler=sampler)       # collate_fn=None or collate_multi_hot
    for epoch in range(1, epochs + 1):
        sampler.set_epoch(epoch)
        for x, y in loader:                              # x (B, V+1) float32, y (B,) int64, on the device
            ...

How: ``DataLoader`` hands a batch sampler's whole batch of row ids to the dataset's
``__getitems__`` (PyTorch ≥ 2.0), which runs one scatter kernel (:mod:`fastbow.kernels`) for the
batch — no per-row Python, no dense dataset in host memory. It returns the batch wrapped as a
one-element list of :class:`MultiHotBatch`; the ``DataLoader``'s default collate function passes a
``MultiHotBatch`` through unchanged (registered in ``torch.utils.data.default_collate_fn_map``,
the extension point ``default_collate`` documents), and so does :func:`collate_multi_hot`.
A plain ``DataLoader(ds, batch_size=B, shuffle=True)`` takes the same path.

Use ``num_workers=0`` (the default): the batch is built by a kernel on the device in the main
process, so worker processes have nothing to do, and CUDA tensors cannot be made in them.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch.utils.data import Dataset
from torch.utils.data._utils.collate import default_collate_fn_map

from fastbow.data.csr import CSR
from fastbow.errors import FastbowError
from fastbow.kernels import resolve_backend, scatter_multi_hot, validate_csr

__all__ = ["MultiHotBatch", "MultiHotDataset", "collate_multi_hot"]


class MultiHotBatch(NamedTuple):
    """One batch: ``x (B, V + 1) float32`` multi-hot rows and ``y (B,) int64`` labels, on the device."""

    x: torch.Tensor
    y: torch.Tensor


def collate_multi_hot(batch, *, collate_fn_map=None) -> MultiHotBatch:
    """``collate_fn`` for :class:`MultiHotDataset`: the dataset already built the batch; return it.

    Args:
        batch (list): what ``MultiHotDataset.__getitems__`` returned, ``[MultiHotBatch]``.

    Raises:
        FastbowError: ``batch`` is not that (e.g. the loader fetched rows one by one).
    """
    if len(batch) != 1 or not isinstance(batch[0], MultiHotBatch):
        raise FastbowError("collate_multi_hot expects the output of MultiHotDataset.__getitems__ "
                           "(DataLoader with batch_sampler= or batch_size=); got a list of "
                           f"{len(batch)} {type(batch[0]).__name__ if batch else 'items'}")
    return batch[0]


# default_collate(batch) looks up type(batch[0]) in this map first: a MultiHotBatch passes through.
default_collate_fn_map[MultiHotBatch] = collate_multi_hot


def _to_csr(X, y) -> CSR:
    """A fastbow :class:`CSR` from a fastbow CSR or a SciPy sparse matrix (multi-hot: nonzeros are ids)."""
    if isinstance(X, CSR):
        labels = X.labels if y is None else y
        indptr, indices, n_features = X.indptr, X.indices, X.n_features
    elif hasattr(X, "tocsr") and hasattr(X, "shape"):  # scipy.sparse (BowVectorizer output)
        m = X.tocsr()
        if not m.has_sorted_indices or not m.has_canonical_format:
            m = m.copy()
            m.sum_duplicates()  # sorted, unique ids per row
        labels, n_features = y, m.shape[1]
        indptr, indices = m.indptr.astype(np.int64), m.indices.astype(np.int32)
    else:
        raise FastbowError(f"X should be a scipy.sparse matrix (BowVectorizer().fit_transform(texts)) or a "
                           f"fastbow CSR, but got {type(X).__name__}")
    if labels is None:
        raise FastbowError("y is missing: pass the class ids, one per row of X")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise FastbowError(f"y should hold integer class ids in [0, C) (encode labels with "
                           f"fastbow.data.memory.encode_labels), but got dtype {labels.dtype}")
    return CSR(indptr, indices, labels.astype(np.int64).reshape(-1), int(n_features)).validate()


class MultiHotDataset(Dataset):
    """Rows of a multi-hot CSR as a map-style dataset whose batches are built on ``device``.

    Args:
        X (scipy.sparse matrix | fastbow.data.csr.CSR): ``(n_docs, V + 1)`` multi-hot rows
            (any nonzero is a present id; values are ignored).
        y (array-like of int, optional): ``(n_docs,)`` class ids; default: ``X.labels`` for a CSR.
        device (torch.device | str): where the CSR is copied once and batches are built.
        backend (str): scatter kernel, ``"auto"`` | ``"numba"`` | ``"triton"`` | ``"torch"``
            (see :func:`fastbow.kernels.resolve_backend`).
        reuse_buffer (bool): build every batch in one preallocated ``(B, V + 1)`` buffer (as
            fastbow's own loop does: no allocation per batch) — then a batch is overwritten by the
            next one, so use it before asking for the next. Default False: a new tensor per batch.

    Raises:
        FastbowError: ``X`` or ``y`` of the wrong kind; the backend cannot run on ``device``.
        DataError: malformed CSR (ids outside [0, V], inconsistent ``indptr``, wrong label count).

    Example:
        >>> import scipy.sparse as sp
        >>> from torch.utils.data import DataLoader
        >>> from fastbow.training.sampler import RowBatchSampler
        >>> X = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [0, 0, 1]], dtype=np.float32))
        >>> ds = MultiHotDataset(X, [1, 0, 1])
        >>> x, y = next(iter(DataLoader(ds, batch_sampler=RowBatchSampler(3, 2, shuffle=False))))
        >>> x.tolist(), y.tolist()
        ([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], [1, 0])
    """

    def __init__(self, X, y=None, *, device="cpu", backend: str = "auto", reuse_buffer: bool = False):
        csr = _to_csr(X, y)
        self.device = torch.device(device)
        self.backend = resolve_backend(backend, self.device)
        self.n_features = csr.n_features
        self.reuse_buffer = reuse_buffer
        # one host→device copy of the whole split, here
        self.indptr = torch.from_numpy(csr.indptr).to(self.device)    # (n_docs + 1,) int64
        self.indices = torch.from_numpy(csr.indices).to(self.device)  # (nnz,) int32
        self.labels = torch.from_numpy(csr.labels).to(self.device)    # (n_docs,) int64
        validate_csr(self.indptr, self.indices, self.n_features)
        self._buffer = None

    def __len__(self) -> int:
        """Rows (documents)."""
        return len(self.labels)

    def __getitems__(self, rows) -> list[MultiHotBatch]:
        """Build the batch of ``rows`` (``(B,) int64`` tensor or list of ints) with one kernel call.

        Returns:
            list: ``[MultiHotBatch(x (B, V + 1) float32, y (B,) int64)]`` on ``self.device``
            (one element: the whole batch, see the module doc).
        """
        rows = torch.as_tensor(rows, dtype=torch.int64)
        if rows.ndim != 1 or (len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= len(self))):
            raise IndexError(f"rows should be ids in [0, {len(self) - 1}], but got {rows.tolist()!r:.80}")
        rows = rows.to(self.device, non_blocking=True)  # (B,) int64; tiny host→device copy on CUDA
        b = rows.shape[0]
        if self.reuse_buffer:
            if self._buffer is None or self._buffer.shape[0] < b:
                self._buffer = torch.empty(b, self.n_features, dtype=torch.float32, device=self.device)
            out = self._buffer[:b]
        else:
            out = torch.empty(b, self.n_features, dtype=torch.float32, device=self.device)
        scatter_multi_hot(self.indptr, self.indices, rows, out, backend=self.backend, check=False)
        return [MultiHotBatch(out, self.labels[rows])]

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        """One row: ``x (V + 1,) float32`` and ``y`` (0-d int64). Slow path (a kernel call per row)."""
        x, y = self.__getitems__([int(i)])[0]
        return x[0].clone() if self.reuse_buffer else x[0], y[0]
