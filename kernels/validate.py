"""Argument checks for the scatter kernels.

The kernels trust their arguments: an id outside ``[0, n_features)`` or a row
outside ``[0, n_docs)`` writes out of bounds (silently on the GPU). These
checks run before any launch and raise :class:`fastbow.errors.DataError` (a
``ValueError``) with one-line messages in PyTorch's shape, "<name> should be
<expected>, but got <name>=<got>", followed by how to fix it.

Cost: the shape, dtype and device checks are free (metadata only). The value
checks (``indptr`` monotone, ids and rows in range) read every element once
and end in ``.item()``/``bool()`` calls, each a host-device sync point on
CUDA. That is why the loader calls :func:`validate_csr` once, when it is
built, and then scatters with ``check=False`` on the hot path.
"""
from __future__ import annotations

import torch

from fastbow.errors import DataError

__all__ = ["validate_csr", "validate_batch"]

_INDEX_DTYPES = (torch.int32, torch.int64)


def _check_tensor(name: str, t, ndim: int, shape_doc: str) -> None:
    """Raise DataError unless ``t`` is a tensor with ``ndim`` dimensions."""
    if not isinstance(t, torch.Tensor):
        raise DataError(
            f"{name} should be a torch.Tensor of shape {shape_doc}, but got type={type(t).__name__}; "
            f"convert it with torch.as_tensor({name})"
        )
    if t.dim() != ndim:
        raise DataError(
            f"{name} should be a {ndim}-D tensor of shape {shape_doc}, but got shape={tuple(t.shape)}"
        )


def _check_same_device(ref_name: str, ref: torch.Tensor, **others: torch.Tensor) -> None:
    """Raise DataError unless every tensor in ``others`` is on ``ref.device``."""
    for name, t in others.items():
        if t.device != ref.device:
            raise DataError(
                f"{name} should be on the same device as {ref_name} ({ref.device}), but got "
                f"device={t.device}; move it with {name}.to({ref_name}.device)"
            )


def _check_indptr_indices(indptr, indices) -> None:
    """Metadata checks shared by validate_csr and validate_batch (no sync)."""
    _check_tensor("indptr", indptr, 1, "(n_docs + 1,)")
    _check_tensor("indices", indices, 1, "(nnz,)")
    if indptr.dtype != torch.int64:
        raise DataError(
            f"indptr should have dtype torch.int64, but got dtype={indptr.dtype}; "
            "convert it with indptr.long()"
        )
    if indptr.numel() == 0:
        raise DataError(
            "indptr should have n_docs + 1 >= 1 elements, but got an empty tensor; "
            "an empty CSR has indptr = torch.zeros(1, dtype=torch.int64)"
        )
    if indices.dtype not in _INDEX_DTYPES:
        raise DataError(
            f"indices should have dtype torch.int32 or torch.int64, but got dtype={indices.dtype}; "
            "convert it with indices.int()"
        )
    _check_same_device("indptr", indptr, indices=indices)


def validate_csr(indptr: torch.Tensor, indices: torch.Tensor, n_features: int) -> None:
    """Check that ``(indptr, indices)`` is a well-formed CSR over ``n_features`` ids.

    Sorted, unique ids per row are the convention (see STYLE.md) but are not
    required here: the scatter sets duplicates to 1.0 once, whatever the order.

    Args:
        indptr (Tensor): ``(n_docs + 1,) int64``, row offsets; ``indptr[0] == 0``,
            non-decreasing, ``indptr[-1] == len(indices)``.
        indices (Tensor): ``(nnz,) int32 or int64``, feature ids, on ``indptr``'s device.
        n_features (int): number of output columns (``V + 1``); every id must lie in
            ``[0, n_features - 1]``.

    Raises:
        DataError: naming the first problem found and how to fix it, e.g.
            "indices must lie in [0, 20000] (n_features=20001), but got max id 20005
            at position 17; rebuild the CSR with this vocabulary".

    Cost: O(n_docs + nnz) reads and about five host-device syncs on CUDA; call it
    once per CSR, not per batch.

    Example:
        >>> validate_csr(torch.tensor([0, 2, 3]), torch.tensor([0, 4, 1], dtype=torch.int32), 5)
        >>> validate_csr(torch.tensor([0, 2, 4]), torch.tensor([0, 4, 1], dtype=torch.int32), 5)
        Traceback (most recent call last):
        ...
        fastbow.errors.DataError: CSR is inconsistent: indptr[-1]=4 but len(indices)=3; ...
    """
    if isinstance(n_features, bool) or not isinstance(n_features, int) or n_features <= 0:
        raise DataError(f"n_features should be a positive integer value, but got n_features={n_features!r}")
    _check_indptr_indices(indptr, indices)

    first = int(indptr[0])  # sync point on CUDA
    if first != 0:
        raise DataError(
            f"indptr[0] should be 0, but got indptr[0]={first}; rebuild the CSR so that row offsets start at 0"
        )
    if indptr.numel() > 1:
        drops = indptr[1:] < indptr[:-1]  # (n_docs,) bool
        if bool(drops.any()):  # sync point on CUDA
            i = int(drops.nonzero()[0, 0])
            raise DataError(
                f"indptr should be non-decreasing, but got indptr[{i}]={int(indptr[i])} > "
                f"indptr[{i + 1}]={int(indptr[i + 1])}; rebuild the CSR (row lengths cannot be negative)"
            )
    last, nnz = int(indptr[-1]), indices.numel()  # sync point on CUDA
    if last != nnz:
        raise DataError(
            f"CSR is inconsistent: indptr[-1]={last} but len(indices)={nnz}; "
            "rebuild the CSR so that indptr[-1] == len(indices)"
        )
    if nnz == 0:
        return
    lo, hi = int(indices.min()), int(indices.max())  # sync points on CUDA
    span = f"indices must lie in [0, {n_features - 1}] (n_features={n_features})"
    if hi >= n_features:
        pos = int(indices.argmax())  # first position of the max
        raise DataError(f"{span}, but got max id {hi} at position {pos}; rebuild the CSR with this vocabulary")
    if lo < 0:
        pos = int(indices.argmin())
        raise DataError(f"{span}, but got min id {lo} at position {pos}; rebuild the CSR with this vocabulary")


def validate_batch(indptr: torch.Tensor, indices: torch.Tensor, rows: torch.Tensor, out: torch.Tensor) -> None:
    """Check the per-call arguments of a scatter: the batch ``rows`` and the buffer ``out``.

    Args:
        indptr (Tensor): ``(n_docs + 1,) int64``; only its length and device are used here.
        indices (Tensor): ``(nnz,) int32 or int64``; only its dtype and device are used here.
        rows (Tensor): ``(B,) int64``, CSR rows to gather, each in ``[0, n_docs)``;
            repeats and any order are allowed.
        out (Tensor): ``(B, n_features) float32``, contiguous, on the same device as
            ``indptr``, ``indices`` and ``rows``; ``B >= 1`` and ``n_features >= 1``.

    Raises:
        DataError: e.g. "batch_size should be a positive integer value, but got batch_size=0".

    Cost: metadata checks plus one O(B) min/max over ``rows`` (two syncs on CUDA).
    Use :func:`validate_csr` for the CSR itself.
    """
    _check_indptr_indices(indptr, indices)
    _check_tensor("out", out, 2, "(batch_size, n_features)")
    _check_tensor("rows", rows, 1, "(batch_size,)")
    batch_size, n_features = out.shape
    if batch_size <= 0:
        raise DataError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
    if n_features <= 0:
        raise DataError(f"n_features should be a positive integer value, but got n_features={n_features}")
    if out.dtype != torch.float32:
        raise DataError(
            f"out should have dtype torch.float32, but got dtype={out.dtype}; "
            "allocate it with torch.empty(batch_size, n_features, dtype=torch.float32)"
        )
    if not out.is_contiguous():
        raise DataError(
            f"out should be contiguous, but got stride={tuple(out.stride())}; allocate it with "
            "torch.empty(batch_size, n_features) instead of passing a view"
        )
    if rows.dtype != torch.int64:
        raise DataError(
            f"rows should have dtype torch.int64, but got dtype={rows.dtype}; convert it with rows.long()"
        )
    if rows.numel() != batch_size:
        raise DataError(
            f"len(rows) should equal out.shape[0] (the batch size), but got len(rows)={rows.numel()} "
            f"and out.shape[0]={batch_size}; allocate out with one row per selected document"
        )
    _check_same_device("indptr", indptr, rows=rows, out=out)

    n_docs = indptr.numel() - 1
    if n_docs == 0:
        raise DataError("rows must lie in [0, n_docs), but the CSR has n_docs=0 rows; build it from a non-empty corpus")
    lo, hi = int(rows.min()), int(rows.max())  # sync points on CUDA
    span = f"rows must lie in [0, {n_docs - 1}] (n_docs={n_docs})"
    if hi >= n_docs:
        raise DataError(f"{span}, but got max row {hi} at position {int(rows.argmax())}; draw rows from range(n_docs)")
    if lo < 0:
        raise DataError(f"{span}, but got min row {lo} at position {int(rows.argmin())}; draw rows from range(n_docs)")


def validate_data(data, indices: torch.Tensor) -> None:
    """Check optional per-id values: ``None``, or a 1-D float32 tensor shaped like ``indices``, on its device.

    Raises:
        DataError: wrong type, dtype, shape or device (one line saying which).
    """
    if data is None:
        return
    if not isinstance(data, torch.Tensor) or data.dtype != torch.float32 or data.shape != indices.shape:
        got = f"{data.dtype} {tuple(data.shape)}" if isinstance(data, torch.Tensor) else type(data).__name__
        raise DataError(f"data must be a float32 tensor of shape {tuple(indices.shape)} (one value per id), got {got}")
    if data.device != indices.device:
        raise DataError(f"data is on {data.device} but indices on {indices.device}; move them to one device")
