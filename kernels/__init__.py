"""Multi-hot scatter kernels: CSR rows -> a dense ``(B, V + 1) float32`` batch.

Installed as ``fastbow.kernels`` (see ``setup.py``). One entry point,
:func:`scatter_multi_hot`, dispatches to one of three backends that give
bit-identical results (``tests/test_kernels.py`` checks them against each other
and against a dense NumPy construction):

==========  ===========================  =====================================
backend     where                        module
==========  ===========================  =====================================
``numba``   CPU tensors                  ``numba_cpu.py`` (parallel ``prange``)
``triton``  CUDA tensors (or CPU with    ``triton_gpu.py`` (one program per row)
            ``TRITON_INTERPRET=1``)
``torch``   any device                   ``torch_ref.py`` (reference, ``index_put_``)
==========  ===========================  =====================================

``numba_env.py`` sets how the Numba kernels meet their environment: a private
on-disk cache folder in read-only installs, and the threading layer policy
(``tbb`` when installed, else ``workqueue``: a fork after a kernel ran does not
hang) with a launch lock that makes concurrent calls from threads safe.

The sparse path's kernels live beside them: ``bag_numba.py`` (the batch's ids gather and a
coalesced sparse gradient for the autograd path) and ``sparse_mlp_numba.py`` (the fused
forward / backward / optimizer kernels of ``--input fused``, the CPU default).

Output contract: ``out`` is a preallocated ``(B, n_features) float32`` buffer,
reused across batches; after a call ``out[b, j] == 1.0`` iff id ``j`` occurs in
CSR row ``rows[b]``, else ``0.0`` (duplicate ids leave ``1.0``); old contents
are overwritten; the call returns ``out``. With ``data`` (a ``(nnz,) float32``
value per stored id) every backend writes ``out[b, j] = data[p]`` instead of 1.0.

Checking: ``check=True`` validates the whole CSR and the batch before anything
is launched or written, which reads all of ``indices`` and syncs the host with
the device several times. The loader therefore calls :func:`validate_csr` once
when it is built and scatters with ``check=False`` on the hot path.

Example:
    >>> import torch
    >>> from fastbow.kernels import scatter_multi_hot
    >>> indptr = torch.tensor([0, 2, 2, 3]); indices = torch.tensor([0, 3, 1], dtype=torch.int32)
    >>> out = torch.empty(2, 4)
    >>> scatter_multi_hot(indptr, indices, torch.tensor([0, 2]), out, backend="torch")
    tensor([[1., 0., 0., 1.],
            [0., 1., 0., 0.]])
"""
from __future__ import annotations

import torch

from fastbow.errors import FastbowError
from fastbow.options import BACKENDS  # defined without torch, for the parsers

# Numba's threads: its own pool (numba_env.py: tbb when installed, else "workqueue", whose workers sleep on
# a queue between kernels), never its OpenMP layer, whose GOMP_* calls bind to torch's already loaded
# libgomp, so Numba's kernels and torch's ops would share one pool of spinning workers: on the loaded
# 2-core machine a 2-thread fused epoch then ran 7-10x slower than with 1 thread (benchmarks/RESULTS.md,
# "Fused sparse kernels"). numba_env sets it at import, before the first parallel kernel runs.
from . import numba_env  # noqa: E402,F401
from .numba_cpu import scatter_multi_hot_numba
from .torch_ref import scatter_multi_hot_torch
from .triton_gpu import interpreter_enabled, scatter_multi_hot_triton, triton_available
from .validate import validate_batch, validate_csr, validate_data

__all__ = [
    "BACKENDS",
    "resolve_backend",
    "scatter_multi_hot",
    "scatter_multi_hot_numba",
    "scatter_multi_hot_torch",
    "scatter_multi_hot_triton",
    "validate_batch",
    "validate_csr",
    "validate_data",
]

_IMPLS = {
    "numba": scatter_multi_hot_numba,
    "triton": scatter_multi_hot_triton,
    "torch": scatter_multi_hot_torch,
}


def resolve_backend(backend: str, device) -> str:
    """Pick the concrete backend for tensors on ``device``.

    Rules: ``"auto"`` is ``"triton"`` on CUDA when Triton imports, else ``"torch"``
    on CUDA, ``"numba"`` on the CPU and ``"torch"`` on any other device.
    A forced backend is returned as is if it can run there.

    Args:
        backend (str): one of ``BACKENDS``.
        device (torch.device or str): where the tensors live, e.g. ``"cuda:0"``.

    Returns:
        str: ``"numba"``, ``"triton"`` or ``"torch"``.

    Raises:
        FastbowError (a ValueError): for an unknown backend; for ``"numba"`` on a
            non-CPU device; for ``"triton"`` when Triton is not installed, or on a
            non-CUDA device without ``TRITON_INTERPRET=1``.

    Cost: negligible (the Triton import is tried once per process).
    """
    if backend not in BACKENDS:
        raise FastbowError(f"backend should be one of {BACKENDS}, but got backend={backend!r}")
    device = torch.device(device)
    if backend == "auto":
        if device.type == "cuda":
            return "triton" if triton_available() else "torch"
        return "numba" if device.type == "cpu" else "torch"
    if backend == "numba" and device.type != "cpu":
        raise FastbowError(
            f"backend='numba' runs on CPU tensors only, but got device={device}; "
            "use backend='auto', 'triton' or 'torch' for this device"
        )
    if backend == "triton":
        if not triton_available():
            raise FastbowError(
                "backend='triton' needs the 'triton' package, which is not installed; "
                "install it with `pip install \"fastbow[gpu]\"` (Linux only; CUDA builds of torch bring it) "
                "or use backend='auto'"
            )
        if device.type != "cuda" and not interpreter_enabled():
            raise FastbowError(
                f"backend='triton' needs CUDA tensors, but got device={device}; use backend='auto', "
                "or set TRITON_INTERPRET=1 to run the (slow) Triton interpreter on the CPU"
            )
    return backend


def scatter_multi_hot(
    indptr: torch.Tensor,
    indices: torch.Tensor,
    rows: torch.Tensor,
    out: torch.Tensor,
    backend: str = "auto",
    check: bool = True,
    data: torch.Tensor | None = None,
) -> torch.Tensor:
    """Write the multi-hot rows ``rows`` of a CSR into ``out``; return ``out``.

    Args:
        indptr (Tensor): ``(n_docs + 1,) int64`` row offsets from 0, ``indptr[-1] == nnz``.
        indices (Tensor): ``(nnz,) int32 or int64`` feature ids in ``[0, out.shape[1])``.
        rows (Tensor): ``(B,) int64`` CSR rows to gather, in ``[0, n_docs)``; any order,
            repeats allowed.
        out (Tensor): ``(B, n_features) float32`` contiguous buffer, ``n_features = V + 1``;
            overwritten in place. All four tensors on one device.
        backend (str): one of ``BACKENDS`` (default ``"auto"``, see :func:`resolve_backend`).
        check (bool): run :func:`validate_batch` and :func:`validate_csr` (with
            ``n_features=out.shape[1]``) before launching (default ``True``). Pass
            ``False`` on the hot path after validating the CSR once.
        data (Tensor, optional): ``(nnz,) float32`` value of each id (counts, tf-idf or NB
            weights, :mod:`fastbow.data.weighting`), written instead of 1.0; ``None`` (default):
            all ones. With values, ids must be unique per row (as a fastbow CSR's are).

    Returns:
        Tensor: ``out``, with ``out[b, j] == 1.0`` iff id ``j`` is in row ``rows[b]``, else ``0.0``.

    Raises:
        DataError: (``check=True``) malformed CSR, rows or ``out``; nothing has been
            written to ``out`` when it is raised.
        FastbowError: unusable ``backend`` for ``out.device`` (see :func:`resolve_backend`).

    Cost: writes ``B * n_features * 4`` bytes plus 4 bytes per batch id; with
    ``check=True`` also reads all of ``indptr`` and ``indices`` (several host-device
    syncs on CUDA). ``torch`` syncs once per call; ``numba`` and ``triton`` do not.
    """
    if check:
        validate_batch(indptr, indices, rows, out)  # first: it guarantees out is a 2-D tensor
        validate_csr(indptr, indices, n_features=out.shape[1])
        validate_data(data, indices)
    impl = _IMPLS[resolve_backend(backend, out.device)]
    if data is None:
        return impl(indptr, indices, rows, out)
    return impl(indptr, indices, rows, out, data)
