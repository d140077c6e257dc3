"""Numba multi-hot scatter for CPU tensors: the ``"numba"`` backend.

The tensors are shared with NumPy through ``.numpy()`` (no copy) and one
``@njit(parallel=True)`` kernel runs a ``prange`` over the batch rows, so each
thread owns whole output rows: it zeroes its row, then writes 1.0 at the row's
ids. Output rows never overlap, so no two threads write the same cache line
except at row boundaries, and there is no separate memset pass.

The kernel is compiled once per argument dtype combination (int32 and int64
``indices`` each get their own specialization) and cached on disk
(``cache=True``, in ``__pycache__`` beside this file, or elsewhere in a read-only
install: ``numba_env.py``), so only the first call of the first process pays the
compile (a few seconds). The threading layer policy (``workqueue``, or ``tbb`` when
installed, so a fork after a kernel ran does not hang) and the lock that makes
concurrent calls from several threads safe are in ``numba_env.py``.

Turning the JIT off (the FFCV-style switch): set ``NUMBA_DISABLE_JIT=1`` in the
environment before ``fastbow.kernels`` is imported. ``njit`` then returns the
plain Python function and ``prange`` is ``range``, so the same code runs, slowly,
under a debugger or coverage tool.

The thread count is Numba's (``numba.set_num_threads``, ``NUMBA_NUM_THREADS``);
``nogil=True`` lets loader threads run other Python while it works.

Its cost per batch against the torch reference and the notebook's collate is
benchmark group b (``FASTBOW_BENCH_THREADS=1 pytest --benchmark-only -k
materialize``; figures with their range in ``benchmarks/RESULTS.md``). When other
processes keep the cores busy, a multi-thread ``prange`` waits at its barrier for
a descheduled thread; on a busy or oversubscribed machine, call
``numba.set_num_threads(1)`` (compare the two with ``FASTBOW_BENCH_THREADS``).
"""
from __future__ import annotations

import torch
from numba import prange

from fastbow.errors import DataError

from .numba_env import LAUNCH_LOCK, cached_njit

__all__ = ["scatter_multi_hot_numba"]


@cached_njit(parallel=True, nogil=True)  # cache and threading layer: numba_env.py
def _scatter_multi_hot_kernel(indptr, indices, rows, out):
    # indptr  (n_docs + 1,) int64: row offsets into indices
    # indices (nnz,) int32 or int64: feature ids, row after row
    # rows    (B,) int64: CSR row that goes to each batch row
    # out     (B, n_features) float32: written in full, previous contents ignored
    for b in prange(rows.shape[0]):  # one batch row per iteration, split across threads
        out[b, :] = 0.0
        r = rows[b]
        for p in range(indptr[r], indptr[r + 1]):
            out[b, indices[p]] = 1.0  # no bounds check: validate first (validate.py)


@cached_njit(parallel=True, nogil=True)  # cache and threading layer: numba_env.py
def _scatter_values_kernel(indptr, indices, data, rows, out):
    # as _scatter_multi_hot_kernel, writing data[p] (float32, (nnz,)) instead of 1.0
    for b in prange(rows.shape[0]):
        out[b, :] = 0.0
        r = rows[b]
        for p in range(indptr[r], indptr[r + 1]):
            out[b, indices[p]] = data[p]  # ids are unique per row: one write per cell


def scatter_multi_hot_numba(
    indptr: torch.Tensor, indices: torch.Tensor, rows: torch.Tensor, out: torch.Tensor,
    data: torch.Tensor | None = None,
) -> torch.Tensor:
    """Write the multi-hot rows ``rows`` of a CSR into ``out`` on the CPU with Numba.

    After the call ``out[b, j] == 1.0`` iff id ``j`` occurs in CSR row ``rows[b]``,
    else ``0.0``; duplicate ids leave ``1.0``. ``out``'s previous contents are
    overwritten.

    Args:
        indptr (Tensor): ``(n_docs + 1,) int64`` row offsets, ``indptr[0] == 0``.
        indices (Tensor): ``(nnz,) int32 or int64`` ids in ``[0, out.shape[1])``.
        rows (Tensor): ``(B,) int64`` CSR rows to gather, any order, repeats allowed.
        out (Tensor): ``(B, n_features) float32`` preallocated buffer, written in place.
        data (Tensor, optional): ``(nnz,) float32`` value of each id, written instead of 1.0
            (ids must then be unique per row). All on the CPU.

    Returns:
        Tensor: ``out``.

    Raises:
        DataError: if a tensor is not on the CPU. Values are NOT checked: an id or
            row out of range writes out of bounds (undefined behaviour); run
            :func:`fastbow.kernels.validate.validate_csr` once per CSR and
            :func:`~fastbow.kernels.validate.validate_batch` while debugging.

    Cost: one pass over ``out`` (``B * n_features * 4`` bytes written) plus
    ``O(batch nnz)`` random writes, split across Numba's threads; no allocation.
    The first call per dtype combination compiles the kernel (or loads it from
    the on-disk cache).
    """
    for name, t in (("indptr", indptr), ("indices", indices), ("rows", rows), ("out", out), ("data", data)):
        if t is not None and t.device.type != "cpu":
            raise DataError(
                f"the numba backend needs CPU tensors, but got {name}.device={t.device}; "
                "use backend='triton' or backend='torch' for CUDA tensors"
            )
    # .numpy() shares memory with the tensor, so the kernel writes into out itself
    with LAUNCH_LOCK:  # one parallel launch at a time: thread-safe under every threading layer (numba_env.py)
        if data is not None:
            _scatter_values_kernel(indptr.numpy(), indices.numpy(), data.numpy(), rows.numpy(), out.numpy())
        else:
            _scatter_multi_hot_kernel(indptr.numpy(), indices.numpy(), rows.numpy(), out.numpy())
    return out
