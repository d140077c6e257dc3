"""Plain-torch multi-hot scatter: the reference every other backend is tested against.

It is a handful of vectorized torch ops (gather the selected rows' ids, then one
``index_put_``), so it runs on any device torch supports, and it is the
``"torch"`` backend on CUDA when Triton is missing.
"""
from __future__ import annotations

import torch

__all__ = ["scatter_multi_hot_torch"]


def scatter_multi_hot_torch(
    indptr: torch.Tensor, indices: torch.Tensor, rows: torch.Tensor, out: torch.Tensor,
    data: torch.Tensor | None = None,
) -> torch.Tensor:
    """Write the multi-hot rows ``rows`` of a CSR into ``out`` with torch ops.

    After the call ``out[b, j] == 1.0`` iff id ``j`` occurs in CSR row ``rows[b]``,
    else ``0.0``; duplicate ids leave ``1.0``. ``out``'s previous contents are
    overwritten.

    Args:
        indptr (Tensor): ``(n_docs + 1,) int64`` row offsets, ``indptr[0] == 0``.
        indices (Tensor): ``(nnz,) int32 or int64`` ids in ``[0, out.shape[1])``.
        rows (Tensor): ``(B,) int64`` CSR rows to gather, any order, repeats allowed.
        out (Tensor): ``(B, n_features) float32`` preallocated buffer.
        data (Tensor, optional): ``(nnz,) float32`` value of each id, written instead of 1.0
            (ids must then be unique per row). All on the same device (any device).

    Returns:
        Tensor: ``out``.

    Raises:
        Nothing of its own: arguments are not validated (see
        :func:`fastbow.kernels.validate.validate_batch`); an out-of-range id makes
        ``index_put_`` raise an IndexError on CPU or a device-side assert on CUDA.

    Cost: one memset of ``out`` plus O(B + batch nnz) work in about ten kernel
    launches, and ONE host-device sync (the batch nnz, needed to size the
    gathered ids). The Numba and Triton backends do it in one pass.

    Example:
        >>> indptr = torch.tensor([0, 2, 2, 3]); indices = torch.tensor([0, 3, 1], dtype=torch.int32)
        >>> scatter_multi_hot_torch(indptr, indices, torch.tensor([2, 0, 1]), torch.empty(3, 4))
        tensor([[0., 1., 0., 0.],
                [1., 0., 0., 1.],
                [0., 0., 0., 0.]])
    """
    out.zero_()
    starts = indptr[rows]  # (B,) first position of each selected row in indices
    counts = indptr[rows + 1] - starts  # (B,) number of ids per selected row
    total = int(counts.sum())  # batch nnz: host-device sync point on CUDA
    if total == 0:
        return out
    # position p of the k-th id of batch row b is starts[b] + k; build all of them
    # without a Python loop. output_size=total spares repeat_interleave its own sync.
    batch_row = torch.repeat_interleave(
        torch.arange(rows.numel(), device=out.device), counts, output_size=total
    )  # (total,) int64: batch row of each gathered id
    seg_begin = torch.cumsum(counts, 0) - counts  # (B,) where each row's ids start in the gathered list
    shift = (starts - seg_begin)[batch_row]  # (total,) maps gathered position -> position in indices
    pos = torch.arange(total, device=out.device) + shift  # (total,) positions in indices
    ids = indices[pos].long()  # (total,) feature ids
    values = data[pos] if data is not None else torch.ones((), dtype=out.dtype, device=out.device)
    out.index_put_((batch_row, ids), values)
    return out
