"""Tests for kernels/numba_env.py: read-only installs, fork after a kernel ran, concurrent threads.

Each case runs in a fresh interpreter (the threading layer is chosen once per process, and a hang
must fail the test through a timeout rather than block the suite).
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_py(code: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")} | (env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=full_env, timeout=timeout,
                          capture_output=True, text=True)


def layer_available(layer: str) -> bool:
    mod = {"omp": "omppool", "tbb": "tbbpool", "workqueue": "workqueue"}[layer]
    return run_py(f"from numba.np.ufunc import {mod}", timeout=60).returncode == 0


SCATTER = """
    import torch
    from fastbow.kernels import scatter_multi_hot
    ip = torch.tensor([0, 2, 3]); ix = torch.tensor([1, 3, 0], dtype=torch.int32)
    out = scatter_multi_hot(ip, ix, torch.tensor([1, 0]), torch.empty(2, 4), backend="numba")
    assert out.tolist() == [[1, 0, 0, 0], [0, 1, 0, 1]], out
    print("scattered")
"""


def test_read_only_install_falls_back_to_a_private_cache_and_says_so_once(tmp_path):
    # issue 10, item 6. No locator beside the source or in $HOME: what Numba sees in a read-only
    # install with a read-only $HOME (simulated, since the tests may run as root, who can write anywhere).
    (tmp_path / "never.py").write_text(
        "class Never:\n    @classmethod\n    def from_function(cls, py_func, py_file):\n        return None\n")
    env = {"PYTHONPATH": str(tmp_path), "TMPDIR": str(tmp_path / "tmp"),
           "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator,never.Never"}
    (tmp_path / "tmp").mkdir()
    r = run_py(SCATTER, env)
    assert r.returncode == 0 and "scattered" in r.stdout, r.stderr
    assert r.stderr.count("RuntimeWarning: no writable Numba cache") == 1, r.stderr
    assert list((tmp_path / "tmp").glob("fastbow-numba-*/*")), "compiled kernels were not cached there"
    for d in (tmp_path / "tmp").glob("fastbow-numba-*"):
        d.chmod(0o777)  # a folder others can write to is never used (cache files are pickles): no cache at all
    r = run_py(SCATTER, env)
    assert r.returncode == 0 and "scattered" in r.stdout, r.stderr
    assert r.stderr.count("kernels are compiled in every process") == 1, r.stderr


FORK = """
    import multiprocessing as mp
    import numba, numpy as np, torch
    from fastbow.data.tokenize import words
    from fastbow.data.vocab import build_vocab, count_tokens
    from fastbow.models.mlp import OneHotMLP
    from fastbow.predict import Predictor
    texts = ["a great film", "a bad film", "great great fun", "boring and bad"] * 40
    vocab = build_vocab(count_tokens([words(t) for t in texts]), 20, tokenizer="words")
    torch.manual_seed(0)
    P = Predictor(OneHotMLP(vocab.n_features, 8, 1).eval(), vocab, ("neg", "pos"), torch.device("cpu"), "numba")
    def score(_):
        return P.probabilities(texts, batch_size=16)
    want = score(0)  # a parallel kernel has run in the parent
    with mp.get_context("fork").Pool(2) as pool:
        got = pool.map_async(score, range(4)).get(timeout=60)  # GNU OpenMP hangs here
    assert all(np.array_equal(g, want) for g in got)
    print("layer", numba.threading_layer())
"""


def test_fork_pool_after_a_kernel_ran_does_not_hang():
    # issue 10, item 7: the default policy (tbb or workqueue), not GNU OpenMP
    r = run_py(FORK)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[-1] in ("tbb", "workqueue")


THREADS = """
    import time
    from concurrent.futures import ThreadPoolExecutor
    import numba, torch
    from fastbow.kernels import scatter_multi_hot
    g = torch.Generator().manual_seed(0)
    n_docs, V = 300, 2001
    lengths = torch.randint(0, 60, (n_docs,), generator=g)
    ip = torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)])
    ix = torch.randint(0, V, (int(ip[-1]),), generator=g, dtype=torch.int32)
    batches = [torch.randint(0, n_docs, (64,), generator=g) for _ in range(40)]
    want = [scatter_multi_hot(ip, ix, b, torch.empty(64, V), backend="torch") for b in batches]
    def work(i):
        out = torch.empty(64, V)
        for _ in range(5):
            for b, w in zip(batches, want):
                if not torch.equal(scatter_multi_hot(ip, ix, b, out, backend="numba", check=False), w):
                    return False
        return True
    work(0)
    with ThreadPoolExecutor(4) as ex:
        assert all(ex.map(work, range(8)))
    out = torch.empty(64, V)
    t0 = time.perf_counter()
    for _ in range(20):
        for b in batches:
            scatter_multi_hot(ip, ix, b, out, backend="numba", check=False)
    print(numba.threading_layer(), f"{(time.perf_counter() - t0) / 800 * 1e3:.3f} ms/batch")
"""


@pytest.mark.parametrize("layer", ["omp", "tbb", "workqueue"])
def test_concurrent_threads_give_correct_batches_under_every_layer(layer):
    # issue 10, item 7: workqueue alone would abort on concurrent launches; the launch lock prevents it
    if not layer_available(layer):
        pytest.skip(f"Numba's {layer} threading layer is not installed")
    r = run_py(THREADS, {"NUMBA_THREADING_LAYER": layer})
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith(layer)
    print(r.stdout.strip())
