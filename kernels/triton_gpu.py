"""Triton multi-hot scatter for CUDA tensors: the ``"triton"`` backend.

One file, in the order of the Triton tutorials: the kernel, its Python wrapper;
the correctness check against the torch reference is ``tests/test_kernels.py``.

Design:
    * grid ``(B,)``: program ``b`` reads ``rows[b]``, then the row's offsets from
      ``indptr``, and loops over the row's ids in ``BLOCK``-sized chunks (the loop
      bounds are loaded from memory, so one compiled kernel serves every row
      length), storing 1.0 at ``out[b, id]``. The last chunk is masked.
    * ``out`` is zeroed by the wrapper with ``out.zero_()`` (a cudaMemset-style
      fill at close to peak bandwidth) before the launch, not in the kernel:
      zeroing in-kernel would make each program's zero-stores race with its own
      one-stores from other threads unless separated by a barrier, and the
      memset is ordered before the kernel on the same stream for free.

Lazy Triton: ``triton`` is imported, and the kernel defined with
``@triton.jit``, on the first call, not at import time, so fastbow imports and
its other backends run without Triton installed. ``@triton.jit`` picks the
interpreter or the compiler when it decorates, from ``TRITON_INTERPRET``; the
kernel is therefore built once per mode, so setting ``TRITON_INTERPRET=1``
at any time before a call runs the NEXT call in the interpreter (CPU tensors,
slow: for tests only).
"""
from __future__ import annotations

import functools
import os

import torch

from fastbow.errors import DataError

__all__ = ["scatter_multi_hot_triton", "triton_available", "interpreter_enabled", "BLOCK"]

# Ids stored per loop step of one program. IMDB rows hold ~130 unique ids at
# V = 20000, so most rows take two steps. Untuned: no GPU benchmark has chosen
# it yet (run one before changing it).
BLOCK = 128

_KERNELS: dict = {}  # interpreter mode (bool) -> jitted kernel


def interpreter_enabled() -> bool:
    """True when ``TRITON_INTERPRET`` is set to a value Triton reads as on (1/true/on/yes)."""
    return os.environ.get("TRITON_INTERPRET", "0").strip().lower() in ("1", "true", "on", "yes")


@functools.lru_cache(maxsize=None)
def triton_available() -> bool:
    """True when ``import triton`` succeeds (checked once per process)."""
    try:
        import triton  # noqa: F401
    except ImportError:
        return False
    return True


def _get_kernel():
    """Define (once per interpreter mode) and return the jitted scatter kernel."""
    interpret = interpreter_enabled()
    if interpret in _KERNELS:
        return _KERNELS[interpret]
    try:
        import triton
        import triton.language as tl
    except ImportError as e:
        raise ImportError(
            "the triton backend needs the 'triton' package, which is not installed; "
            "install it with `pip install \"fastbow[gpu]\"` (Linux only) or use backend='torch'"
        ) from e

    @triton.jit
    def _scatter_multi_hot_kernel(
        indptr_ptr,  # *int64, (n_docs + 1,): row offsets into indices
        indices_ptr,  # *int32 or *int64, (nnz,): feature ids, row after row
        rows_ptr,  # *int64, (B,): CSR row that goes to each batch row
        out_ptr,  # *float32, (B, n_features): zeroed by the wrapper, row-major
        out_row_stride,  # elements between out[b, 0] and out[b + 1, 0] (= n_features)
        data_ptr,  # *float32, (nnz,): value of each id; ignored (may be any pointer) when not HAS_DATA
        HAS_DATA: tl.constexpr,  # write data[pos] instead of 1.0
        BLOCK: tl.constexpr,  # ids handled per loop step; a power of two
    ):
        b = tl.program_id(axis=0)  # this program's batch row
        row = tl.load(rows_ptr + b)  # its CSR row
        start = tl.load(indptr_ptr + row)  # its ids are indices[start:end]
        end = tl.load(indptr_ptr + row + 1)
        # int64 offset: B * n_features can exceed 2**31 for big batches or vocabularies
        out_row_ptr = out_ptr + b.to(tl.int64) * out_row_stride
        # dynamic bounds: the trip count is ceil((end - start) / BLOCK), 0 for an empty row
        for chunk in range(start, end, BLOCK):
            pos = chunk + tl.arange(0, BLOCK)  # (BLOCK,) positions in indices
            mask = pos < end  # guard the last, partial chunk: no loads past the row
            ids = tl.load(indices_ptr + pos, mask=mask, other=0)  # (BLOCK,) feature ids
            if HAS_DATA:
                vals = tl.load(data_ptr + pos, mask=mask, other=0.0)  # (BLOCK,) values; ids unique per row
                tl.store(out_row_ptr + ids, vals, mask=mask)
            else:
                tl.store(out_row_ptr + ids, 1.0, mask=mask)  # duplicates store 1.0 twice: harmless

    _KERNELS[interpret] = _scatter_multi_hot_kernel
    return _scatter_multi_hot_kernel


def scatter_multi_hot_triton(
    indptr: torch.Tensor, indices: torch.Tensor, rows: torch.Tensor, out: torch.Tensor,
    data: torch.Tensor | None = None,
) -> torch.Tensor:
    """Write the multi-hot rows ``rows`` of a CSR into ``out`` with one Triton kernel.

    After the call ``out[b, j] == 1.0`` iff id ``j`` occurs in CSR row ``rows[b]``,
    else ``0.0``; duplicate ids leave ``1.0``. ``out``'s previous contents are
    overwritten.

    Args:
        indptr (Tensor): ``(n_docs + 1,) int64`` row offsets, ``indptr[0] == 0``.
        indices (Tensor): ``(nnz,) int32 or int64`` ids in ``[0, out.shape[1])``.
        rows (Tensor): ``(B,) int64`` CSR rows to gather, any order, repeats allowed.
        out (Tensor): ``(B, n_features) float32`` contiguous buffer, written in place.
        data (Tensor, optional): ``(nnz,) float32`` value of each id, written instead of 1.0
            (ids must then be unique per row). All on one CUDA device, or on the CPU with
            ``TRITON_INTERPRET=1``.

    Returns:
        Tensor: ``out``.

    Raises:
        ImportError: if Triton is not installed.
        DataError: if the tensors are on the CPU and ``TRITON_INTERPRET=1`` is not set.
            Values are NOT checked: an id out of range is an out-of-bounds store;
            validate with :mod:`fastbow.kernels.validate` first.

    Cost: a memset of ``out`` (``B * n_features * 4`` bytes) plus one launch with
    ``B`` programs that read ``rows``, ``2 B`` offsets and the batch's ids once and
    store 4 bytes per id. Asynchronous: no host-device sync.
    """
    if out.device.type != "cuda" and not interpreter_enabled():
        raise DataError(
            f"the triton backend needs CUDA tensors, but got out.device={out.device}; move the "
            "tensors to a CUDA device, or set TRITON_INTERPRET=1 to run the (slow) interpreter on the CPU"
        )
    kernel = _get_kernel()
    out.zero_()  # memset, on out's stream before the launch (see the module docstring)
    if rows.numel() == 0:
        return out
    grid = (rows.numel(),)  # one program per batch row
    has_data = data is not None
    data_arg = data if has_data else out  # any float32 pointer: never read without HAS_DATA
    if out.device.type == "cuda":
        with torch.cuda.device(out.device):  # launch on out's GPU, not the current one
            kernel[grid](indptr, indices, rows, out, out.stride(0), data_arg, HAS_DATA=has_data, BLOCK=BLOCK)
    else:  # TRITON_INTERPRET=1: CPU tensors through the interpreter
        kernel[grid](indptr, indices, rows, out, out.stride(0), data_arg, HAS_DATA=has_data, BLOCK=BLOCK)
    return out
