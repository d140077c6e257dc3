"""CPU (Numba) kernels for the sparse path: the batch's ids gather, and a coalesced sparse gradient.

Why: torch's ``EmbeddingBag(sparse=True)`` backward expands the output gradient
to one H-float row per id of the batch (``index_select``: 800 B per id at H = 200),
and SGD then adds all those rows into the table. :func:`bag_sum_sparse_grad`
gives the table the same gradient *coalesced*: one row per distinct id, summed in
a cache-resident buffer, sorted, flagged coalesced, so SGD's ``add_`` touches
each table row once. How many ids an IMDB batch holds and what share of them is
distinct is printed in the ``sparse`` row of benchmark group b, and the step's
time split in group d (``FASTBOW_BENCH_THREADS=1 pytest --benchmark-only``;
figures in ``benchmarks/RESULTS.md``).

On CUDA the sparse path keeps torch's own ``EmbeddingBag`` backward.
``NUMBA_DISABLE_JIT=1`` runs the same code as plain Python (slow).
"""
from __future__ import annotations

import numpy as np
import torch

from .numba_env import cached_njit


@cached_njit(nogil=True)
def _gather_kernel(indptr, indices, rows, ids, offsets):
    # indptr (n_docs + 1,) int64; indices (nnz,) int32|int64; rows (B,) int64
    # ids (total,) out, indices' dtype; offsets (B,) out, same dtype
    pos = 0
    for b in range(rows.shape[0]):
        r = rows[b]
        offsets[b] = pos
        for p in range(indptr[r], indptr[r + 1]):
            ids[pos] = indices[p]
            pos += 1


def gather_bags_cpu(indptr: torch.Tensor, indices: torch.Tensor, rows: torch.Tensor,
                    total: int) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`fastbow.training.sparse_loader.gather_bags` for CPU tensors, in one Numba loop.

    Args:
        indptr (torch.Tensor): ``(n_docs + 1,) int64``.
        indices (torch.Tensor): ``(nnz,) int32 or int64``.
        rows (torch.Tensor): ``(B,) int64`` rows in ``[0, n_docs)`` (not checked).
        total (int): the batch nnz, exactly.

    Returns:
        tuple: ``ids (total,)`` and ``offsets (B,)``, both with ``indices``' dtype.
    """
    ids = torch.empty(total, dtype=indices.dtype)
    offsets = torch.empty(rows.shape[0], dtype=indices.dtype)
    _gather_kernel(indptr.numpy(), indices.numpy(), rows.numpy(), ids.numpy(), offsets.numpy())
    return ids, offsets


@cached_njit(nogil=True)
def _coalesced_grad_kernel(ids, offsets, grad_out, n_rows, slot):
    # ids (nnz,) int; offsets (B,) int; grad_out (B, H) float32; slot (n_rows,) int64 scratch, all -1
    nnz, B, H = ids.shape[0], offsets.shape[0], grad_out.shape[1]
    for p in range(nnz):            # mark the distinct ids
        slot[ids[p]] = 0
    n_unique = 0
    for j in range(n_rows):         # number them in increasing id order (sorted = coalesced)
        if slot[j] == 0:
            slot[j] = n_unique + 1
            n_unique += 1
    index = np.empty(n_unique, dtype=np.int64)
    values = np.zeros((n_unique, H), dtype=grad_out.dtype)
    for j in range(n_rows):
        if slot[j] > 0:
            index[slot[j] - 1] = j
    for b in range(B):              # values[id] += grad_out[bag], once per occurrence
        end = offsets[b + 1] if b + 1 < B else nnz
        for p in range(offsets[b], end):
            u = slot[ids[p]] - 1
            for h in range(H):
                values[u, h] += grad_out[b, h]
    for p in range(nnz):            # leave the scratch as found
        slot[ids[p]] = -1
    return index, values


class _BagSumSparseGrad(torch.autograd.Function):
    """``embedding_bag(mode="sum")`` forward; backward: a coalesced sparse gradient for the table."""

    @staticmethod
    def forward(ctx, weight, ids, offsets, slot):
        ctx.save_for_backward(ids, offsets)
        ctx.slot, ctx.shape = slot, weight.shape
        return torch.nn.functional.embedding_bag(ids, weight, offsets, mode="sum")  # (B, H)

    @staticmethod
    def backward(ctx, grad_out):
        ids, offsets = ctx.saved_tensors
        g = grad_out.contiguous().float()
        index, values = _coalesced_grad_kernel(ids.numpy(), offsets.numpy(), g.numpy(), ctx.shape[0],
                                               ctx.slot.numpy())
        grad = torch.sparse_coo_tensor(torch.from_numpy(index)[None], torch.from_numpy(values).to(grad_out.dtype),
                                       ctx.shape, is_coalesced=True, check_invariants=False)
        return grad, None, None, None


def bag_sum_sparse_grad(weight: torch.Tensor, ids: torch.Tensor, offsets: torch.Tensor,
                        slot: torch.Tensor) -> torch.Tensor:
    """Sum-EmbeddingBag on CPU tensors whose table gradient is sparse and coalesced.

    Args:
        weight (torch.Tensor): ``(V + 1, H) float32`` table (CPU).
        ids (torch.Tensor): ``(nnz,)`` int32 or int64 ids in ``[0, V]``.
        offsets (torch.Tensor): ``(B,)`` bag starts, same dtype as ``ids``.
        slot (torch.Tensor): ``(V + 1,) int64`` scratch filled with -1, reused across
            calls (left filled with -1); one per model, not shared between threads.

    Returns:
        torch.Tensor: ``(B, H)``, equal to ``F.embedding_bag(ids, weight, offsets, mode="sum")``.
        Its backward gives ``weight`` a sparse COO gradient with one row per distinct
        id, sorted, flagged coalesced: the same values as ``EmbeddingBag(sparse=True)``'s
        gradient after ``coalesce()`` (up to float summation order).
    """
    return _BagSumSparseGrad.apply(weight, ids, offsets, slot)
