"""Tests for fastbow.kernels: every backend against the torch reference and a dense NumPy build.

Triton runs on CPU tensors under its interpreter when there is no GPU (CI): the
``triton_device`` fixture sets ``TRITON_INTERPRET=1`` for the test only, which
works in-process because ``triton_gpu.py`` defines its kernel lazily, once per
interpreter mode. Sizes are kept small so the interpreter stays fast.
"""
import subprocess
import sys
import textwrap

import fastbow.kernels as K
import numpy as np
import pytest
import torch
from fastbow.kernels import (
    BACKENDS,
    resolve_backend,
    scatter_multi_hot,
    scatter_multi_hot_numba,
    scatter_multi_hot_torch,
    scatter_multi_hot_triton,
    triton_gpu,
    validate_batch,
    validate_csr,
)
from fastbow.kernels.triton_gpu import BLOCK, triton_available

from fastbow.errors import DataError, FastbowError

CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA device (CI has none)")
needs_triton = pytest.mark.skipif(not triton_available(), reason="triton is not installed")

N_FEATURES = 501  # V + 1 output columns
# lengths around the Triton block size and the prange split, plus empty rows
EDGE_LENGTHS = [0, 1, 2, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK - 1, 2 * BLOCK, 2 * BLOCK + 1, 300, 0]


def make_csr(n_docs, n_features, idx_dtype, seed, lengths=None, duplicates=True):
    """Random CSR: row lengths 0..300 (some empty), ids sorted; some rows repeat ids."""
    g = np.random.default_rng(seed)
    if lengths is None:
        lengths = g.integers(0, 301, size=n_docs)
        lengths[g.random(n_docs) < 0.15] = 0  # ~15% empty rows
    rows = []
    for i, n in enumerate(lengths):
        ids = g.integers(0, n_features, size=n)
        if not duplicates or i % 3:  # every third row keeps its duplicate ids
            ids = np.unique(ids)
        rows.append(np.sort(ids))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows) if rows else np.zeros(0)
    return torch.from_numpy(indptr), torch.from_numpy(indices.astype(np.int64)).to(idx_dtype)


def dense_numpy(indptr, indices, rows, n_features):
    """The expected batch, built row by row with NumPy fancy indexing."""
    ip, ix = indptr.cpu().numpy(), indices.cpu().numpy()
    dense = np.zeros((len(rows), n_features), dtype=np.float32)
    for b, r in enumerate(rows.cpu().numpy()):
        dense[b, ix[ip[r] : ip[r + 1]]] = 1.0
    return torch.from_numpy(dense)


def garbage(b, n_features, device="cpu"):
    """A dirty reused buffer: NaN, inf, 1.0, negatives."""
    g = torch.Generator().manual_seed(b * 7919 + n_features)
    out = torch.randn(b, n_features, generator=g) * 100
    out[:, ::3] = float("nan")
    out[:, 1::5] = 1.0
    out[:, 2::7] = float("-inf")
    return out.to(device)


@pytest.fixture
def triton_device(monkeypatch):
    """Device for Triton tests: CUDA when present, else the CPU under TRITON_INTERPRET=1."""
    if not triton_available():
        pytest.skip("triton is not installed")
    if CUDA:
        return "cuda"
    monkeypatch.setenv("TRITON_INTERPRET", "1")
    return "cpu"


@pytest.fixture(params=["numba", "triton", "torch"])
def backend_device(request):
    """(backend, device) for each concrete backend."""
    if request.param == "triton":
        return "triton", request.getfixturevalue("triton_device")
    return request.param, "cpu"


IMPLS = {"numba": scatter_multi_hot_numba, "triton": scatter_multi_hot_triton, "torch": scatter_multi_hot_torch}


def run(backend, device, indptr, indices, rows, out):
    """Call the backend directly on ``device``; return the result on the CPU."""
    dev = [t.to(device) for t in (indptr, indices, rows)]
    out_dev = out.to(device)
    res = IMPLS[backend](*dev, out_dev)
    assert res is out_dev
    return res.cpu()


def check_exact(backend, device, indptr, indices, rows):
    """Backend result == torch reference == dense NumPy, starting from a dirty buffer."""
    expected = dense_numpy(indptr, indices, rows, N_FEATURES)
    ref = scatter_multi_hot_torch(indptr, indices, rows, garbage(len(rows), N_FEATURES))
    assert torch.equal(ref, expected)
    got = run(backend, device, indptr, indices, rows, garbage(len(rows), N_FEATURES))
    assert torch.equal(got, expected)
    assert got.dtype == torch.float32 and got.shape == (len(rows), N_FEATURES)
    return got


# ---------------------------------------------------------------- correctness


@pytest.mark.parametrize("idx_dtype", [torch.int32, torch.int64])
def test_random_csr_rows_repeated_and_shuffled(backend_device, idx_dtype):
    backend, device = backend_device
    indptr, indices = make_csr(60, N_FEATURES, idx_dtype, seed=1)
    g = torch.Generator().manual_seed(2)
    rows = torch.randint(0, 60, (37,), generator=g)  # B=37, repeats, random order
    rows[5] = rows[30]  # at least one repeat
    got = check_exact(backend, device, indptr, indices, rows)
    assert got[5].equal(got[30])
    assert got.sum() > 0


@pytest.mark.parametrize("idx_dtype", [torch.int32, torch.int64])
def test_edge_row_lengths_and_duplicates(backend_device, idx_dtype):
    backend, device = backend_device
    indptr, indices = make_csr(len(EDGE_LENGTHS), N_FEATURES, idx_dtype, seed=3, lengths=EDGE_LENGTHS)
    rows = torch.arange(len(EDGE_LENGTHS) - 1, -1, -1)  # reversed
    got = check_exact(backend, device, indptr, indices, rows)
    assert got[rows.tolist().index(0)].sum() == 0  # empty row -> all zeros


def test_duplicate_ids_give_one(backend_device):
    backend, device = backend_device
    indptr = torch.tensor([0, 6, 6])
    indices = torch.tensor([4, 4, 4, 0, N_FEATURES - 1, 0], dtype=torch.int32)  # unsorted, repeated
    got = check_exact(backend, device, indptr, indices, torch.tensor([0, 1, 0]))
    assert got[0].nonzero().flatten().tolist() == [0, 4, N_FEATURES - 1]
    assert got[1].sum() == 0


def test_batch_of_one(backend_device):
    backend, device = backend_device
    indptr, indices = make_csr(5, N_FEATURES, torch.int32, seed=4, lengths=[3, 0, 200, 1, 129])
    for r in range(5):
        check_exact(backend, device, indptr, indices, torch.tensor([r]))


def test_only_empty_rows_clear_a_dirty_buffer(backend_device):
    backend, device = backend_device
    indptr, indices = make_csr(4, N_FEATURES, torch.int32, seed=5, lengths=[0, 7, 0, 0])
    got = check_exact(backend, device, indptr, indices, torch.tensor([0, 2, 3, 0]))
    assert torch.equal(got, torch.zeros(4, N_FEATURES))


def test_buffer_reused_across_batches(backend_device):
    backend, device = backend_device
    indptr, indices = make_csr(40, N_FEATURES, torch.int64, seed=6)
    out = garbage(13, N_FEATURES, device)
    g = torch.Generator().manual_seed(7)
    for _ in range(3):  # the same buffer, dirtied by the previous batch
        rows = torch.randint(0, 40, (13,), generator=g)
        dev = [t.to(device) for t in (indptr, indices, rows)]
        assert IMPLS[backend](*dev, out) is out
        assert torch.equal(out.cpu(), dense_numpy(indptr, indices, rows, N_FEATURES))


@pytest.mark.parametrize("backend", ["auto", "numba", "torch"])
def test_dispatch_with_check(backend):
    indptr, indices = make_csr(30, N_FEATURES, torch.int32, seed=8)
    rows = torch.randperm(30)[:17]
    out = garbage(17, N_FEATURES)
    assert scatter_multi_hot(indptr, indices, rows, out, backend=backend) is out
    assert torch.equal(out, dense_numpy(indptr, indices, rows, N_FEATURES))
    out2 = garbage(17, N_FEATURES)
    scatter_multi_hot(indptr, indices, rows, out2, backend=backend, check=False)
    assert torch.equal(out2, out)


def test_dispatch_triton(triton_device):
    indptr, indices = make_csr(30, N_FEATURES, torch.int64, seed=9)
    rows = torch.randint(0, 30, (11,))
    dev = [t.to(triton_device) for t in (indptr, indices, rows)]
    out = garbage(11, N_FEATURES, triton_device)
    assert scatter_multi_hot(*dev, out, backend="triton") is out
    assert torch.equal(out.cpu(), dense_numpy(indptr, indices, rows, N_FEATURES))
    if triton_device == "cpu":  # the env var set after `import triton` still took effect
        from triton.runtime.interpreter import InterpretedFunction

        assert isinstance(triton_gpu._KERNELS[True], InterpretedFunction)


# ---------------------------------------------------------------- validation


def _csr():
    indptr = torch.tensor([0, 3, 3, 5, 9, 12, 20])  # n_docs = 6, nnz = 20
    indices = torch.arange(20, dtype=torch.int32) * 10  # ids 0..190
    return indptr, indices


def _bad_id_high(p, i, r, o):
    i = i.clone()
    i[17] = 505
    return p, i, r, o


def _bad_id_low(p, i, r, o):
    i = i.clone()
    i[3] = -1
    return p, i, r, o


def _set(index, value):
    def f(p, i, r, o):
        p = p.clone()
        p[index] = value
        return p, i, r, o

    return f


BAD_INPUTS = {
    "id too high": (
        _bad_id_high,
        r"^indices must lie in \[0, 500\] \(n_features=501\), but got max id 505 at position 17; "
        r"rebuild the CSR with this vocabulary$",
    ),
    "id negative": (_bad_id_low, r"^indices must lie in \[0, 500\] \(n_features=501\), but got min id -1 at position 3;"),
    "id beyond out's width": (
        lambda p, i, r, o: (p, i, r, torch.zeros(3, 100)),
        r"^indices must lie in \[0, 99\] \(n_features=100\), but got max id 190 at position 19;",
    ),
    "indptr last != nnz": (
        _set(-1, 19),
        r"^CSR is inconsistent: indptr\[-1\]=19 but len\(indices\)=20; rebuild the CSR so that indptr\[-1\] == len\(indices\)$",
    ),
    "indptr decreasing": (
        _set(2, 1),
        r"^indptr should be non-decreasing, but got indptr\[1\]=3 > indptr\[2\]=1;",
    ),
    "indptr first != 0": (_set(0, 2), r"^indptr\[0\] should be 0, but got indptr\[0\]=2;"),
    "indptr int32": (
        lambda p, i, r, o: (p.int(), i, r, o),
        r"^indptr should have dtype torch.int64, but got dtype=torch.int32; convert it with indptr.long\(\)$",
    ),
    "indptr 2-D": (
        lambda p, i, r, o: (p.view(1, -1), i, r, o),
        r"^indptr should be a 1-D tensor of shape \(n_docs \+ 1,\), but got shape=\(1, 7\)$",
    ),
    "indptr a list": (
        lambda p, i, r, o: (p.tolist(), i, r, o),
        r"^indptr should be a torch.Tensor of shape \(n_docs \+ 1,\), but got type=list;",
    ),
    "indices float": (
        lambda p, i, r, o: (p, i.float(), r, o),
        r"^indices should have dtype torch.int32 or torch.int64, but got dtype=torch.float32;",
    ),
    "row too high": (
        lambda p, i, r, o: (p, i, torch.tensor([0, 6, 1]), o),
        r"^rows must lie in \[0, 5\] \(n_docs=6\), but got max row 6 at position 1; draw rows from range\(n_docs\)$",
    ),
    "row negative": (
        lambda p, i, r, o: (p, i, torch.tensor([0, 1, -2]), o),
        r"^rows must lie in \[0, 5\] \(n_docs=6\), but got min row -2 at position 2;",
    ),
    "rows int32": (
        lambda p, i, r, o: (p, i, r.int(), o),
        r"^rows should have dtype torch.int64, but got dtype=torch.int32; convert it with rows.long\(\)$",
    ),
    "rows length != batch": (
        lambda p, i, r, o: (p, i, torch.tensor([0, 1]), o),
        r"^len\(rows\) should equal out.shape\[0\] \(the batch size\), but got len\(rows\)=2 and out.shape\[0\]=3;",
    ),
    "out float64": (
        lambda p, i, r, o: (p, i, r, torch.zeros(3, 501, dtype=torch.float64)),
        r"^out should have dtype torch.float32, but got dtype=torch.float64;",
    ),
    "out 1-D": (
        lambda p, i, r, o: (p, i, r, torch.zeros(501)),
        r"^out should be a 2-D tensor of shape \(batch_size, n_features\), but got shape=\(501,\)$",
    ),
    "out not contiguous": (
        lambda p, i, r, o: (p, i, r, torch.zeros(501, 3).t()),
        r"^out should be contiguous, but got stride=\(1, 3\);",
    ),
    "empty batch": (
        lambda p, i, r, o: (p, i, r[:0], torch.zeros(0, 501)),
        r"^batch_size should be a positive integer value, but got batch_size=0$",
    ),
}


@pytest.mark.parametrize("backend", ["numba", "torch", "triton"])
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_raises_before_writing(case, backend, monkeypatch):
    if backend == "triton":
        if not triton_available():
            pytest.skip("triton is not installed")
        monkeypatch.setenv("TRITON_INTERPRET", "1")  # never launched: validation fails first
    mutate, match = BAD_INPUTS[case]
    indptr, indices = _csr()
    rows, out = torch.tensor([0, 3, 5]), torch.zeros(3, 501)
    indptr, indices, rows, out = mutate(indptr, indices, rows, out)
    if isinstance(out, torch.Tensor):
        out.fill_(7.0)
    before = out.clone()
    with pytest.raises(DataError, match=match):
        scatter_multi_hot(indptr, indices, rows, out, backend=backend)
    assert torch.equal(out, before)  # nothing written


def test_error_messages_are_one_line_and_valueerrors():
    for case, (mutate, _) in BAD_INPUTS.items():
        args = mutate(*_csr(), torch.tensor([0, 3, 5]), torch.zeros(3, 501))
        with pytest.raises(ValueError) as info:
            scatter_multi_hot(*args, backend="torch")
        assert "\n" not in str(info.value), case


def test_validate_csr_directly():
    indptr, indices = _csr()
    validate_csr(indptr, indices, 191)  # max id 190: fits exactly
    with pytest.raises(DataError, match=r"but got max id 190 at position 19"):
        validate_csr(indptr, indices, 190)
    validate_csr(torch.zeros(1, dtype=torch.int64), torch.zeros(0, dtype=torch.int32), 5)  # empty CSR
    for bad in (0, -3, True, 2.0):
        with pytest.raises(DataError, match=r"^n_features should be a positive integer value, but got n_features="):
            validate_csr(indptr, indices, bad)
    with pytest.raises(DataError, match=r"^indptr should have n_docs \+ 1 >= 1 elements, but got an empty tensor"):
        validate_csr(torch.zeros(0, dtype=torch.int64), indices[:0], 5)


def test_validate_batch_directly():
    indptr, indices = _csr()
    validate_batch(indptr, indices, torch.tensor([5, 0, 5]), torch.zeros(3, 501))
    with pytest.raises(DataError, match=r"^rows must lie in \[0, n_docs\), but the CSR has n_docs=0 rows"):
        validate_batch(torch.zeros(1, dtype=torch.int64), indices[:0], torch.tensor([0]), torch.zeros(1, 4))


def test_triton_on_cpu_without_interpreter_raises(monkeypatch):
    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    indptr, indices = _csr()
    out = torch.full((1, 501), 7.0)
    with pytest.raises(DataError, match=r"^the triton backend needs CUDA tensors, but got out.device=cpu;.*TRITON_INTERPRET=1"):
        scatter_multi_hot_triton(indptr, indices, torch.tensor([1]), out)
    assert (out == 7.0).all()


def test_numba_rejects_non_cpu_tensors_by_name():
    meta = torch.zeros(2, 3, device="meta")
    indptr, indices = _csr()
    with pytest.raises(DataError, match=r"^the numba backend needs CPU tensors, but got out.device=meta;"):
        scatter_multi_hot_numba(indptr, indices, torch.tensor([0, 1]), meta)


# ---------------------------------------------------------------- backend choice


def test_backends_tuple():
    assert BACKENDS == ("auto", "numba", "triton", "torch")


def test_resolve_auto(monkeypatch):
    assert resolve_backend("auto", "cpu") == "numba"
    assert resolve_backend("auto", torch.device("cpu")) == "numba"
    assert resolve_backend("auto", "meta") == "torch"
    monkeypatch.setattr(K, "triton_available", lambda: True)
    assert resolve_backend("auto", "cuda") == "triton"
    assert resolve_backend("auto", "cuda:1") == "triton"
    monkeypatch.setattr(K, "triton_available", lambda: False)
    assert resolve_backend("auto", "cuda") == "torch"


def test_resolve_forced(monkeypatch):
    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    monkeypatch.setattr(K, "triton_available", lambda: True)
    assert resolve_backend("torch", "cpu") == "torch"
    assert resolve_backend("torch", "cuda") == "torch"
    assert resolve_backend("numba", "cpu") == "numba"
    assert resolve_backend("triton", "cuda") == "triton"
    with pytest.raises(FastbowError, match=r"^backend='numba' runs on CPU tensors only, but got device=cuda"):
        resolve_backend("numba", "cuda")
    with pytest.raises(FastbowError, match=r"^backend='triton' needs CUDA tensors, but got device=cpu;.*TRITON_INTERPRET=1"):
        resolve_backend("triton", "cpu")
    monkeypatch.setenv("TRITON_INTERPRET", "1")
    assert resolve_backend("triton", "cpu") == "triton"
    monkeypatch.setattr(K, "triton_available", lambda: False)
    with pytest.raises(FastbowError, match=r"^backend='triton' needs the 'triton' package, which is not installed"):
        resolve_backend("triton", "cuda")
    with pytest.raises(FastbowError, match=r"^backend should be one of \('auto', 'numba', 'triton', 'torch'\), but got backend='cupy'$"):
        resolve_backend("cupy", "cpu")


def test_bad_backend_raises_before_writing():
    indptr, indices = _csr()
    out = torch.full((1, 501), 7.0)
    with pytest.raises(FastbowError, match=r"^backend='numba' runs on CPU tensors only"):
        scatter_multi_hot(indptr.to("meta"), indices.to("meta"), torch.tensor([1], device="meta"),
                          out.to("meta"), backend="numba", check=False)
    with pytest.raises(FastbowError, match="backend should be one of"):
        scatter_multi_hot(indptr, indices, torch.tensor([1]), out, backend="gpu")
    assert (out == 7.0).all()


# ---------------------------------------------------------------- switches, in a fresh process


def _python(code, **env):
    import os

    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_numba_disable_jit_runs_plain_python():
    out = _python(
        """
        import torch
        from fastbow.kernels import numba_cpu, scatter_multi_hot
        assert not hasattr(numba_cpu._scatter_multi_hot_kernel, "py_func")  # a plain function
        indptr = torch.tensor([0, 2, 2, 5]); indices = torch.tensor([3, 1, 0, 0, 4], dtype=torch.int32)
        out = torch.full((3, 5), 9.0)
        scatter_multi_hot(indptr, indices, torch.tensor([2, 1, 0]), out, backend="numba")
        print(out.tolist())
        """,
        NUMBA_DISABLE_JIT="1",
    )
    assert out.strip() == str([[1.0, 0.0, 0.0, 0.0, 1.0], [0.0] * 5, [0.0, 1.0, 0.0, 1.0, 0.0]])


def test_imports_and_runs_without_triton():
    out = _python(
        """
        import sys
        sys.modules["triton"] = None  # `import triton` now raises ImportError
        import torch
        from fastbow.kernels import resolve_backend, scatter_multi_hot, scatter_multi_hot_triton
        assert resolve_backend("auto", "cuda") == "torch"
        indptr = torch.tensor([0, 1]); indices = torch.tensor([2], dtype=torch.int32)
        print(scatter_multi_hot(indptr, indices, torch.tensor([0]), torch.empty(1, 3)).tolist())
        try:
            resolve_backend("triton", "cuda")
        except ValueError as e:
            print(e)
        import os; os.environ["TRITON_INTERPRET"] = "1"
        try:
            scatter_multi_hot_triton(indptr, indices, torch.tensor([0]), torch.empty(1, 3))
        except ImportError as e:
            print(e)
        """
    )
    lines = out.strip().splitlines()
    assert lines[0] == "[[0.0, 0.0, 1.0]]"
    assert lines[1].startswith("backend='triton' needs the 'triton' package, which is not installed; "
                               'install it with `pip install "fastbow[gpu]"`')
    assert lines[2].startswith("the triton backend needs the 'triton' package, which is not installed; "
                               'install it with `pip install "fastbow[gpu]"`')


# ---------------------------------------------------------------- CUDA only


@needs_cuda
@pytest.mark.parametrize("backend", ["auto", "torch", pytest.param("triton", marks=needs_triton)])
def test_cuda_matches_cpu_at_loader_size(backend):
    indptr, indices = make_csr(500, 20001, torch.int32, seed=10)
    rows = torch.randint(0, 500, (128,))
    expected = dense_numpy(indptr, indices, rows, 20001)
    out = torch.full((128, 20001), float("nan"), device="cuda")
    dev = [t.cuda() for t in (indptr, indices, rows)]
    scatter_multi_hot(*dev, out, backend=backend)
    assert torch.equal(out.cpu(), expected)


@needs_cuda
def test_cuda_validation_raises_before_writing():
    indptr, indices = _csr()
    indices = indices.clone()
    indices[4] = 9999
    out = torch.full((2, 501), 7.0, device="cuda")
    with pytest.raises(DataError, match=r"but got max id 9999 at position 4"):
        scatter_multi_hot(indptr.cuda(), indices.cuda(), torch.tensor([0, 1], device="cuda"), out)
    assert (out == 7.0).all()
    with pytest.raises(DataError, match=r"^rows should be on the same device as indptr \(cuda:0\), but got device=cpu"):
        scatter_multi_hot(indptr.cuda(), indices.cuda(), torch.tensor([0, 1]), out)
