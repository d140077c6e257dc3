"""CPU (Numba) gather of a batch's ids *with their values* for the sparse path's ``per_sample_weights``.

The companion of :func:`fastbow.kernels.bag_numba.gather_bags_cpu` for a CSR that carries ``data``
(counts, tf-idf or NB weights, :mod:`fastbow.data.weighting`): one pass over the batch's rows copies
each id and its value, so ``EmbeddingBag(ids, offsets, per_sample_weights=weights)`` sees
``weights[p]`` beside ``ids[p]``. ``NUMBA_DISABLE_JIT=1`` runs it as plain Python.
"""
from __future__ import annotations

import torch
from numba import njit

__all__ = ["gather_bags_values_cpu"]


@njit(cache=True, nogil=True)
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
