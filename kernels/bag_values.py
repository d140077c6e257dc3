"""CPU (Numba) gather of a batch's ids *with their values* for the sparse path's ``per_sample_weights``.

The companion of :func:`fastbow.kernels.bag_numba.gather_bags_cpu` for a CSR that carries ``data``
(counts, tf-idf or NB weights, :mod:`fastbow.data.weighting`): one pass over the batch's rows copies
each id and its value, so ``EmbeddingBag(ids, offsets, per_sample_weights=weights)`` sees
``weights[p]`` beside ``ids[p]``. ``NUMBA_DISABLE_JIT=1`` runs it as plain Python.
"""
from __future__ import annotations

import torch

from .numba_env import cached_njit

__all__ = ["gather_bags_values_cpu"]


@cached_njit(nogil=True)
def _gather_values_kernel(indptr, indices, data, rows, ids, weights, offsets):
    # indptr (n_docs + 1,) int64; indices (nnz,) int32|int64; data (nnz,) float32; rows (B,) int64
    # ids (total,) out, indices' dtype; weights (total,) out float32; offsets (B,) out, indices' dtype
    pos = 0
    for b in range(rows.shape[0]):
        r = rows[b]
        offsets[b] = pos
        for p in range(indptr[r], indptr[r + 1]):
            ids[pos] = indices[p]
            weights[pos] = data[p]
            pos += 1


def gather_bags_values_cpu(indptr: torch.Tensor, indices: torch.Tensor, data: torch.Tensor, rows: torch.Tensor,
                           total: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Concatenate the CSR rows ``rows`` into ``(ids, offsets, weights)`` for a sum-EmbeddingBag (CPU tensors).

    Args:
        indptr (torch.Tensor): ``(n_docs + 1,) int64``.
        indices (torch.Tensor): ``(nnz,) int32 or int64``.
        data (torch.Tensor): ``(nnz,) float32`` value of each id.
        rows (torch.Tensor): ``(B,) int64`` rows in ``[0, n_docs)`` (not checked).
        total (int): the batch nnz, exactly.

    Returns:
        tuple: ``ids (total,)`` and ``offsets (B,)`` with ``indices``' dtype, ``weights (total,) float32``;
        bag ``b`` is ``ids[offsets[b]:offsets[b + 1]]``.
    """
    ids = torch.empty(total, dtype=indices.dtype)
    weights = torch.empty(total, dtype=torch.float32)
    offsets = torch.empty(rows.shape[0], dtype=indices.dtype)
    _gather_values_kernel(indptr.numpy(), indices.numpy(), data.numpy(), rows.numpy(), ids.numpy(), weights.numpy(),
                          offsets.numpy())
    return ids, offsets, weights


@cached_njit(nogil=True)
def _weighted_grad_kernel(ids, offsets, weights, grad_out, grad_table):
    # ids (nnz,) int; offsets (B,) int; weights (nnz,) float32; grad_out (B, H) float32
    # grad_table (n_rows, H) float32, zeroed by the caller: grad_table[ids[p]] += weights[p] * grad_out[bag of p]
    nnz, B, H = ids.shape[0], offsets.shape[0], grad_out.shape[1]
    for b in range(B):
        end = offsets[b + 1] if b + 1 < B else nnz
        for p in range(offsets[b], end):
            w = weights[p]
            row = ids[p]
            for h in range(H):
                grad_table[row, h] += w * grad_out[b, h]


class _WeightedBagSum(torch.autograd.Function):
    """``embedding_bag(mode="sum", per_sample_weights)`` forward; backward: the table's dense gradient in one Numba loop."""

    @staticmethod
    def forward(ctx, weight, ids, offsets, weights):
        ctx.save_for_backward(ids, offsets, weights)
        ctx.shape = weight.shape
        return torch.nn.functional.embedding_bag(ids, weight, offsets, mode="sum", per_sample_weights=weights)

    @staticmethod
    def backward(ctx, grad_out):
        ids, offsets, weights = ctx.saved_tensors
        grad = torch.zeros(ctx.shape, dtype=torch.float32)  # (V + 1, H): one memset
        _weighted_grad_kernel(ids.numpy(), offsets.numpy(), weights.numpy(), grad_out.contiguous().float().numpy(),
                              grad.numpy())
        return grad, None, None, None


def bag_sum_weighted(weight: torch.Tensor, ids: torch.Tensor, offsets: torch.Tensor,
                     weights: torch.Tensor) -> torch.Tensor:
    """Weighted sum-EmbeddingBag on CPU tensors whose table gradient is dense, built by a Numba loop.

    torch's CPU backward of ``embedding_bag`` with ``per_sample_weights`` took ~0.5 s per IMDB batch
    (B = 128, ~43,000 ids, H = 200, V + 1 = 100,001; shared 2-core machine, load ~10) against a
    few ms for this loop plus the memset of the gradient.

    Args:
        weight (torch.Tensor): ``(V + 1, H) float32`` table (CPU).
        ids (torch.Tensor): ``(nnz,)`` int32 or int64 ids in ``[0, V]``.
        offsets (torch.Tensor): ``(B,)`` bag starts, same dtype as ``ids``.
        weights (torch.Tensor): ``(nnz,) float32`` value of each id (not differentiated).

    Returns:
        torch.Tensor: ``(B, H)`` = ``F.embedding_bag(ids, weight, offsets, mode="sum", per_sample_weights=weights)``.
    """
    return _WeightedBagSum.apply(weight, ids, offsets, weights)
