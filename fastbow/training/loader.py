"""Device batch loader: sampler → scatter kernel → ``(x, y)`` on the device.

The CSR arrays and labels are copied to the device once, at construction.
Each batch then costs one tiny host→device copy of ``(B,) int64`` row ids and
one scatter launch into a preallocated ``(B, V + 1) float32`` buffer: there is
no dense dataset in host memory and no per-epoch copy of dense data.
"""
from __future__ import annotations

import torch

from fastbow.data.csr import CSR
from fastbow.kernels import resolve_backend, scatter_multi_hot, validate_csr
from fastbow.training.sampler import RowBatchSampler


class DeviceBatchLoader:
    """Iterates over multi-hot batches of one split, materialized on ``device``.

    Args:
        csr (CSR): the split (validated here, once).
        sampler (RowBatchSampler): yields ``(B,) int64`` row ids.
        device (torch.device | str): where the CSR lives and batches are built.
        backend (str): ``"auto"`` (Triton on CUDA, Numba on CPU), ``"numba"``,
            ``"triton"`` or ``"torch"`` (see :func:`fastbow.kernels.resolve_backend`).

    Yields:
        tuple: ``x (B, V + 1) float32`` and ``y (B,) int64``, both on ``device``; ``x`` holds
        the CSR's ``data`` values where it has them, else ones.
        ``x`` is a view of a reused buffer: it is overwritten by the next batch,
        so use it before asking for the next one (as a training step does).

    Raises:
        DataError: the CSR is malformed (ids outside [0, V], inconsistent indptr).
        FastbowError: the backend cannot run on ``device``.
    """

    def __init__(self, csr: CSR, sampler: RowBatchSampler, device="cpu", backend: str = "auto"):
        self.device = torch.device(device)
        self.sampler = sampler
        self.n_features = csr.n_features
        self.backend = resolve_backend(backend, self.device)
        csr.validate()
        # one host→device copy of the whole split, at construction
        self.indptr = torch.from_numpy(csr.indptr).to(self.device)    # (n_docs + 1,) int64
        self.indices = torch.from_numpy(csr.indices).to(self.device)  # (nnz,) int32
        self.labels = torch.from_numpy(csr.labels).to(self.device)    # (n_docs,) int64
        # (nnz,) float32 feature values (counts, tf-idf, NB weights), or None: multi-hot ones
        self.data = torch.from_numpy(csr.data).to(self.device) if csr.data is not None else None
        validate_csr(self.indptr, self.indices, self.n_features)
        # (B, V+1) float32, reused by every batch; never more rows than the split has
        rows = min(sampler.batch_size, sampler.n_rows)
        self._buffer = torch.empty(rows, self.n_features, dtype=torch.float32, device=self.device)

    def __len__(self) -> int:
        """Batches per epoch (the sampler's length)."""
        return len(self.sampler)

    def to_device(self, rows: torch.Tensor) -> torch.Tensor:
        """Copy ``(B,) int64`` row ids to the device (asynchronous from pinned memory on CUDA)."""
        if self.device.type == "cuda":
            return rows.pin_memory().to(self.device, non_blocking=True)
        return rows

    def materialize(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Scatter the rows ``rows`` (``(B,) int64`` on the device) into the buffer: ``(x, y)``."""
        out = self._buffer[: rows.shape[0]]  # (B, V+1), contiguous view
        scatter_multi_hot(self.indptr, self.indices, rows, out, backend=self.backend, check=False, data=self.data)
        return out, self.labels[rows]

    def __iter__(self):
        for rows in self.sampler:
            yield self.materialize(self.to_device(rows))
