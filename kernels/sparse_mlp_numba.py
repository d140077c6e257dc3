"""Fused CPU (Numba) kernels for one step of the sparse MLP: forward + loss, backward, optimizer update.

The model is :class:`fastbow.models.embedding_bag.SparseBagMLP` (the notebook's
``Linear(V + 1, H) → ReLU → Linear(H, C)`` on CSR ids, table ``E = fc1.weight.T``).
One training step is three kernels, so each phase of the step is timed on its own
(:func:`fastbow.training.epoch.train_epoch` bills them to forward, backward, optimizer):

==================  ==========================================================================
kernel              work (B bags, nnz ids, U distinct ids, H hidden, C logits)
==================  ==========================================================================
:func:`forward`     ``pre[b] = sum_{j in bag b} E[j] + bias``; ``z = W2 relu(pre) + b2``; the
                    per-sample loss (BCEWithLogits for C = 1, cross-entropy for C ≥ 2), the
                    prediction's correctness and ``dz = d mean-loss / dz``. Threads: over bags.
:func:`backward`    ``gh = relu'(pre) * (dz W2)``; dense grads of ``W2, b2, bias``; the table's
                    gradient *coalesced*: one row per distinct id, ids sorted
                    (``index (U,)``, ``values (U, H)``). Threads: over bags, then over ids.
:func:`sgd_update`  ``p -= lr g`` on the U touched table rows and the small dense params.
:func:`adam_update` Adam on the small dense params (as ``torch.optim.Adam``) and, on the table,
                    either lazy Adam on the U touched rows (as ``torch.optim.SparseAdam``:
                    ``dense=False``) or exact dense Adam over all rows (``dense=True``).
==================  ==========================================================================

Nothing of size ``(B, V + 1)`` or a dense ``(V + 1, H)`` gradient exists; with SGD or lazy
Adam a step touches only the batch's rows of the table (and of Adam's moments).
``tests/test_sparse_mlp_numba.py`` checks every output against torch autograd and
``torch.optim`` within 1e-5 relative (empty rows, duplicate ids, B = 1, B = 37, int32 and
int64 ids, C = 1 and C = 3). ``benchmarks/RESULTS.md`` ("Fused sparse kernels") has the
timings, the memory-traffic floor and the measurements that chose lazy Adam.

Arrays are NumPy views of the model's torch tensors (``tensor.numpy()`` shares memory), so
updates land in the parameters in place. Thread count: Numba's (``numba.set_num_threads``).
``NUMBA_DISABLE_JIT=1`` runs the same code as plain Python (slow).
"""
from __future__ import annotations

import functools
import math
import os

import numba
import numpy as np
from numba import get_num_threads, prange

from .numba_env import LAUNCH_LOCK, cached_njit


def default_threads() -> int:
    """Numba threads for the fused kernels: ``$NUMBA_NUM_THREADS`` when set, else 1 on ≤ 2 cores, else all cores.

    On the 2-core machine the 2-thread fused epoch was slower than the 1-thread one (wall 2.1-2.8 s
    against 1.1-1.5 s, under load; ``benchmarks/RESULTS.md``, "Fused sparse kernels"): a step is
    ~3 ms of memory-bound work split into 5 parallel regions, and each region waits at its barrier
    for the slower core. With more cores the bags, ids and rows are split across all of them.
    """
    if os.environ.get("NUMBA_NUM_THREADS", "").isdigit():
        return max(1, min(int(os.environ["NUMBA_NUM_THREADS"]), numba.config.NUMBA_NUM_THREADS))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if cores <= 2 else min(cores, numba.config.NUMBA_NUM_THREADS)


class numba_threads:
    """Context manager: Numba kernels launched from this thread use ``n`` threads inside it."""

    def __init__(self, n: int):
        self.n = n

    def __enter__(self):
        self.old = numba.get_num_threads()
        if self.n != self.old:
            numba.set_num_threads(self.n)

    def __exit__(self, *exc):
        if self.n != self.old:
            numba.set_num_threads(self.old)


@cached_njit(nogil=True, parallel=True)
def _forward_kernel(ids, offsets, table, bias, w2, b2, y, pre, logits, losses, correct, dz, want_grad):
    # ids (nnz,) int; offsets (B,) int; table (V+1, H) f32; bias (H,); w2 (C, H); b2 (C,); y (B,) int64
    # out: pre (B, H), logits (B, C), losses (B,), correct (B,) bool, dz (B, C) f32
    nnz, B, H, C = ids.shape[0], offsets.shape[0], table.shape[1], w2.shape[0]
    inv_b = np.float32(1.0) / np.float32(B)
    for b in prange(B):                         # bags are independent: one per iteration
        end = offsets[b + 1] if b + 1 < B else nnz
        acc = np.zeros(H, dtype=np.float32)
        for p in range(offsets[b], end):        # sum of the bag's table rows (torch's order)
            row = table[ids[p]]
            for h in range(H):
                acc[h] += row[h]
        for h in range(H):
            pre[b, h] = acc[h] + bias[h]
        for c in range(C):                      # z = W2 relu(pre) + b2
            s = np.float32(0.0)
            for h in range(H):
                v = pre[b, h]
                if not v <= 0:                  # ReLU that keeps NaN, as torch's (divergence stays visible)
                    s += w2[c, h] * v
            logits[b, c] = s + b2[c]
        if C == 1:                              # BCEWithLogits: max(z,0) - z y + log1p(exp(-|z|))
            z, t = np.float64(logits[b, 0]), np.float64(y[b])
            losses[b] = max(z, 0.0) - z * t + math.log1p(math.exp(-abs(z)))
            correct[b] = (z > 0) == (y[b] == 1)
            if want_grad:
                sig = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
                dz[b, 0] = np.float32(sig - t) * inv_b
        else:                                   # cross-entropy: logsumexp(z) - z[y]
            best = 0
            for c in range(1, C):
                if logits[b, c] > logits[b, best]:
                    best = c                    # first maximum, as torch.argmax
            m = np.float64(logits[b, best])
            se = 0.0
            for c in range(C):
                se += math.exp(np.float64(logits[b, c]) - m)
            losses[b] = m + math.log(se) - np.float64(logits[b, y[b]])
            correct[b] = best == y[b]
            if want_grad:
                for c in range(C):
                    pc = math.exp(np.float64(logits[b, c]) - m) / se
                    dz[b, c] = np.float32(pc - (1.0 if c == y[b] else 0.0)) * inv_b


@cached_njit(nogil=True, parallel=True)
def _backward_kernel(ids, offsets, pre, dz, w2, slot, gh, gw2, gb2, gbias):
    # pre (B, H), dz (B, C), w2 (C, H); slot (V+1,) int64 scratch all -1 (left so)
    # out: gh (B, H), gw2 (C, H), gb2 (C,), gbias (H,); returns index (U,) int64, values (U, H) f32
    nnz, B, H, C = ids.shape[0], offsets.shape[0], pre.shape[1], w2.shape[0]
    for b in prange(B):                         # gh = relu'(pre) * (dz W2)
        for h in range(H):
            if pre[b, h] > 0:
                s = np.float32(0.0)
                for c in range(C):
                    s += dz[b, c] * w2[c, h]
                gh[b, h] = s
            else:
                gh[b, h] = 0.0
    for h in prange(H):                         # reductions over the batch, one column per iteration
        sb = np.float32(0.0)
        for b in range(B):
            sb += gh[b, h]
        gbias[h] = sb
        for c in range(C):
            s = np.float32(0.0)
            for b in range(B):
                v = pre[b, h]
                if not v <= 0:
                    s += dz[b, c] * v
            gw2[c, h] = s
    for c in range(C):
        s = np.float32(0.0)
        for b in range(B):
            s += dz[b, c]
        gb2[c] = s
    # The table's gradient row of id j is the sum of gh[b] over the occurrences of j (bag b).
    # Group the occurrences by id (a counting sort), then sum each id's rows of gh, which is
    # (B, H) and stays in L2: every values row is written once, nothing is read-modify-written.
    for p in range(nnz):                        # count the occurrences of each id
        slot[ids[p]] = 0
    for p in range(nnz):
        slot[ids[p]] += 1
    n_unique = 0
    for j in range(slot.shape[0]):              # distinct ids in increasing order
        if slot[j] > 0:
            n_unique += 1
    index = np.empty(n_unique, dtype=np.int64)
    start = np.empty(n_unique + 1, dtype=np.int64)
    u, pos = 0, 0
    for j in range(slot.shape[0]):
        if slot[j] > 0:
            index[u], start[u] = j, pos
            pos += slot[j]
            slot[j] = u                         # from here on slot maps id -> its number u
            u += 1
    start[n_unique] = pos
    cursor = start[:n_unique].copy()
    occ = np.empty(nnz, dtype=np.int64)         # bags of id u's occurrences: occ[start[u]:start[u + 1]]
    for b in range(B):
        end = offsets[b + 1] if b + 1 < B else nnz
        for p in range(offsets[b], end):
            u = slot[ids[p]]
            occ[cursor[u]] = b
            cursor[u] += 1
    for p in range(nnz):                        # leave the scratch as found
        slot[ids[p]] = -1
    values = np.empty((n_unique, H), dtype=np.float32)
    for u in prange(n_unique):                  # one table row per iteration: no write conflicts
        row = values[u]
        for h in range(H):
            row[h] = 0.0
        for q in range(start[u], start[u + 1]):
            g = gh[occ[q]]
            for h in range(H):
                row[h] += g[h]
    return index, values


@cached_njit(nogil=True, parallel=True)
def _sgd_rows_kernel(table, index, values, lr):
    H = table.shape[1]
    for u in prange(index.shape[0]):
        row = table[index[u]]
        for h in range(H):
            row[h] += -lr * values[u, h]


@cached_njit(nogil=True)
def _sgd_dense_kernel(param, grad, lr):
    for i in range(param.shape[0]):
        param[i] += -lr * grad[i]


@cached_njit(nogil=True)
def _adam_dense_kernel(param, grad, m, v, c1, beta2, c2, step_size, bc2_sqrt, eps):
    # torch.optim.Adam (fused): m = lerp(m, g, 1-b1); v = b2 v + (1-b2) g^2;
    # p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps)      (all flat, float32; c1 = 1-b1, c2 = 1-b2)
    for i in range(param.shape[0]):
        g = grad[i]
        mi = m[i] + c1 * (g - m[i])
        vi = beta2 * v[i] + c2 * g * g
        m[i], v[i] = mi, vi
        param[i] -= step_size * mi / (np.sqrt(vi) / bc2_sqrt + eps)


@cached_njit(nogil=True, parallel=True)
def _lazy_adam_rows_kernel(table, index, values, m, v, c1, c2, step_size, eps):
    # torch.optim.SparseAdam on the touched rows only (torch/optim/_functional.py, sparse_adam):
    # m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); p -= lr sqrt(bc2) / bc1 * m / (sqrt(v) + eps)
    H = table.shape[1]
    for u in prange(index.shape[0]):
        j = index[u]
        g, p, mj, vj = values[u], table[j], m[j], v[j]
        for h in range(H):
            mi = mj[h] + (g[h] - mj[h]) * c1
            vi = vj[h] + (g[h] * g[h] - vj[h]) * c2
            mj[h], vj[h] = mi, vi
            p[h] -= step_size * (mi / (np.sqrt(vi) + eps))


@cached_njit(nogil=True, parallel=True)
def _dense_adam_rows_kernel(table, index, values, m, v, c1, beta2, c2, step_size, bc2_sqrt, eps, n_threads):
    # exact torch.optim.Adam over every row; rows outside ``index`` have gradient 0
    n_rows, H = table.shape
    zero = np.zeros(H, dtype=np.float32)
    for k in prange(n_threads):
        j0, j1 = k * n_rows // n_threads, (k + 1) * n_rows // n_threads
        u = np.searchsorted(index, j0)          # index is sorted: walk it alongside the rows
        for j in range(j0, j1):
            touched = u < index.shape[0] and index[u] == j
            g = values[u] if touched else zero
            p, mj, vj = table[j], m[j], v[j]
            for h in range(H):
                mi = mj[h] + c1 * (g[h] - mj[h])
                vi = beta2 * vj[h] + c2 * g[h] * g[h]
                mj[h], vj[h] = mi, vi
                p[h] -= step_size * mi / (np.sqrt(vi) / bc2_sqrt + eps)
            if touched:
                u += 1


def _locked(fn):
    """Hold :data:`numba_env.LAUNCH_LOCK` for the call: parallel launches from several threads are safe under
    every threading layer (see ``numba_env.py``)."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        with LAUNCH_LOCK:
            return fn(*args, **kwargs)
    return call


def _check_batch(ids: np.ndarray, offsets: np.ndarray, table: np.ndarray) -> None:
    if ids.dtype != offsets.dtype or ids.dtype not in (np.int32, np.int64):
        raise TypeError(f"ids and offsets should both be int32 or both int64, but got {ids.dtype} and "
                        f"{offsets.dtype}; convert them with .astype(np.int64)")
    if table.dtype != np.float32 or not table.flags.c_contiguous:
        raise TypeError(f"the table should be a C-contiguous float32 array, but got {table.dtype} "
                        f"(contiguous={table.flags.c_contiguous}); pass tensor.contiguous().numpy()")


@_locked
def forward(ids: np.ndarray, offsets: np.ndarray, table: np.ndarray, bias: np.ndarray, w2: np.ndarray,
            b2: np.ndarray, y: np.ndarray, *, want_grad: bool = True, out: dict | None = None) -> dict:
    """Forward pass and per-sample loss of the sparse MLP on one batch of bags.

    Args:
        ids (np.ndarray): ``(nnz,) int32 or int64`` ids in ``[0, V]`` (not checked: the loader's CSR was).
        offsets (np.ndarray): ``(B,)`` bag starts, ``ids``' dtype; bag ``b`` is ``ids[offsets[b]:offsets[b+1]]``
            (the last runs to the end; empty bags allowed).
        table (np.ndarray): ``(V + 1, H) float32`` C-contiguous, ``= fc1.weight.T``.
        bias (np.ndarray): ``(H,) float32``; w2 ``(C, H) float32``; b2 ``(C,) float32``.
        y (np.ndarray): ``(B,) int64`` class ids (0/1 when C = 1).
        want_grad (bool): also compute ``dz`` (training); False for evaluation.
        out (dict, optional): buffers of an earlier call with the same B, H, C, reused.

    Returns:
        dict: ``pre (B, H)`` hidden pre-activations, ``logits (B, C)``, ``losses (B,) float32`` nats,
        ``correct (B,) bool``, ``dz (B, C) float32`` = d(mean loss)/d logits. Same arrays as ``out``
        when given.

    Raises:
        TypeError: ids/offsets not both int32 or both int64, or a table not C-contiguous float32.
    """
    _check_batch(ids, offsets, table)
    B, H, C = offsets.shape[0], table.shape[1], w2.shape[0]
    if out is None or out["pre"].shape != (B, H) or out["logits"].shape[1] != C:
        out = {"pre": np.empty((B, H), np.float32), "logits": np.empty((B, C), np.float32),
               "losses": np.empty(B, np.float32), "correct": np.empty(B, np.bool_),
               "dz": np.empty((B, C), np.float32)}
    _forward_kernel(ids, offsets, table, bias, w2, b2, y, out["pre"], out["logits"], out["losses"],
                    out["correct"], out["dz"], want_grad)
    return out


@_locked
def backward(ids: np.ndarray, offsets: np.ndarray, fwd: dict, w2: np.ndarray, slot: np.ndarray) -> dict:
    """Gradients of the batch's mean loss, from :func:`forward`'s ``pre`` and ``dz``.

    Args:
        ids, offsets (np.ndarray): the batch given to :func:`forward`.
        fwd (dict): :func:`forward`'s result (``want_grad=True``).
        w2 (np.ndarray): ``(C, H) float32``, the output layer's weight.
        slot (np.ndarray): ``(V + 1,) int64`` scratch filled with -1, left filled with -1
            (one per model; not shared between threads).

    Returns:
        dict: ``index (U,) int64`` the distinct ids, increasing; ``values (U, H) float32`` their
        table-gradient rows (``= dense_grad[index]``; every other row of the dense gradient is 0);
        ``bias (H,)``, ``w2 (C, H)``, ``b2 (C,)`` dense gradients, all float32.
    """
    pre, dz = fwd["pre"], fwd["dz"]
    B, H = pre.shape
    C = dz.shape[1]
    gh = np.empty((B, H), np.float32)
    g = {"bias": np.empty(H, np.float32), "w2": np.empty((C, H), np.float32), "b2": np.empty(C, np.float32)}
    g["index"], g["values"] = _backward_kernel(ids, offsets, pre, dz, w2, slot, gh, g["w2"], g["b2"], g["bias"])
    return g


@_locked
def sgd_update(params: dict, grads: dict, lr: float) -> None:
    """Plain SGD (``torch.optim.SGD``, no momentum): ``p -= lr g`` on the touched table rows and the dense params.

    Args:
        params (dict): ``table (V + 1, H)``, ``bias (H,)``, ``w2 (C, H)``, ``b2 (C,)`` float32 arrays, updated in place.
        grads (dict): :func:`backward`'s result.
        lr (float): learning rate.
    """
    _sgd_rows_kernel(params["table"], grads["index"], grads["values"], np.float32(lr))
    for k in ("bias", "w2", "b2"):
        _sgd_dense_kernel(params[k].reshape(-1), grads[k].reshape(-1), np.float32(lr))


@_locked
def adam_update(params: dict, grads: dict, moments: dict, step: int, lr: float, betas=(0.9, 0.999),
                eps: float = 1e-8, *, dense: bool = False) -> None:
    """One Adam step; ``step`` is the 1-based step count after this update (as torch's ``state["step"]``).

    Args:
        params (dict): as :func:`sgd_update`; moments (dict): ``{name: (exp_avg, exp_avg_sq)}`` float32
            arrays shaped like ``params[name]``, updated in place.
        dense (bool): True: exact ``torch.optim.Adam`` on the table too (every row decays every step);
            False: lazy Adam on the table (``torch.optim.SparseAdam``: only the touched rows' moments
            and weights change). The small dense params always get exact Adam.

    Source of the formulas: ``torch.optim.Adam`` (Kingma & Ba 2015, Algorithm 1, with eps outside the
    bias-corrected sqrt) and ``torch/optim/_functional.py::sparse_adam``.
    """
    b1, b2 = betas
    bc1, bc2 = 1.0 - b1 ** step, 1.0 - b2 ** step
    f = np.float32
    c1, c2, eps32 = f(1.0 - b1), f(1.0 - b2), f(eps)
    for k in ("bias", "w2", "b2"):
        m, v = moments[k]
        _adam_dense_kernel(params[k].reshape(-1), grads[k].reshape(-1), m.reshape(-1), v.reshape(-1),
                           c1, f(b2), c2, f(lr / bc1), f(math.sqrt(bc2)), eps32)
    m, v = moments["table"]
    if dense:
        _dense_adam_rows_kernel(params["table"], grads["index"], grads["values"], m, v, c1, f(b2), c2,
                                f(lr / bc1), f(math.sqrt(bc2)), eps32, get_num_threads())
    else:
        _lazy_adam_rows_kernel(params["table"], grads["index"], grads["values"], m, v, c1, c2,
                               f(lr * math.sqrt(bc2) / bc1), eps32)


def warm_up(ids_dtype=np.int32, n_logits: int = 1) -> None:
    """Compile (or load from Numba's cache) every kernel for ``ids_dtype`` ids, on a 2-bag toy batch.

    The first call of a ``parallel=True`` kernel compiles it (seconds per kernel; ``cache=True`` then
    keeps the machine code for later processes). Calling this before a timed epoch keeps that one-off
    cost out of the epoch's phases. Touches no caller's array.
    """
    H, C = 4, n_logits
    ids, offsets = np.array([0, 1, 1], ids_dtype), np.array([0, 2], ids_dtype)
    params = {"table": np.zeros((2, H), np.float32), "bias": np.zeros(H, np.float32),
              "w2": np.zeros((C, H), np.float32), "b2": np.zeros(C, np.float32)}
    fwd = forward(ids, offsets, params["table"], params["bias"], params["w2"], params["b2"], np.zeros(2, np.int64))
    grads = backward(ids, offsets, fwd, params["w2"], np.full(2, -1, np.int64))
    sgd_update(params, grads, 0.1)
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    adam_update(params, grads, moments, 1, 1e-3)

