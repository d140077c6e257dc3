"""Benchmark fixtures and modes.

``pytest --benchmark-only`` (full mode) times every group on the real archive
(``tests/conftest.py``'s single path: ``$FASTBOW_TEST_DATA`` or
``../shared/data/aclImdb_v1.tar.gz``) and skips, saying why, when it is absent;
at the end it prints the comparison tables and writes them to
``.benchmarks/fastbow-summary.md`` and ``.json``.

Plain ``pytest`` (CI) turns on ``--benchmark-disable`` here: every benchmark
then runs its code once, as a smoke test, on a small synthetic corpus
(``tests/corpus.py``), in a few seconds. ``--benchmark-enable`` forces full mode.

``$FASTBOW_BENCH_DEVICE`` picks the device (default: CUDA when available);
CUDA-only methods (Triton) are skipped with a reason elsewhere.
``$FASTBOW_BENCH_THREADS`` sets torch's and Numba's CPU threads (default: theirs,
one per core); the tables print the count used.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))  # tests/corpus.py (synthetic corpora)

from benchutil import bench_device, machine, summary_markdown  # noqa: E402

_RESULTS = pytest.StashKey[dict]()
_INFO = pytest.StashKey[dict]()


def _archive_path() -> Path:
    """The real archive's path, from tests/conftest.py (the one place it is defined)."""
    spec = importlib.util.spec_from_file_location("_fastbow_tests_conftest", REPO / "tests" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.IMDB_ARCHIVE


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Outside ``--benchmark-only``, run each benchmark once (smoke) unless ``--benchmark-enable``."""
    if not config.getoption("benchmark_only", False):
        config.option.benchmark_disable = True
    threads = os.environ.get("FASTBOW_BENCH_THREADS")
    if threads:
        import fastbow.kernels  # noqa: F401  (picks Numba's thread pool before set_num_threads starts one)
        import numba
        import torch

        torch.set_num_threads(int(threads))
        numba.set_num_threads(int(threads))
        os.environ["NUMBA_NUM_THREADS"] = threads  # the fused kernels' count (fastbow.kernels.sparse_mlp_numba)
    config.stash[_RESULTS] = {}
    config.stash[_INFO] = {}


def full_mode(config) -> bool:
    """True when pytest-benchmark times the calls (``--benchmark-only`` or ``--benchmark-enable``)."""
    return not config.getoption("benchmark_disable") or config.getoption("benchmark_enable")


@pytest.fixture(scope="session")
def full(pytestconfig) -> bool:
    """Full mode (real data, many rounds) or smoke mode (synthetic data, one call)."""
    return full_mode(pytestconfig)


@pytest.fixture(scope="session")
def results(pytestconfig) -> dict:
    """The run's registry of medians, filled by :func:`benchutil.record`."""
    return pytestconfig.stash[_RESULTS]


@pytest.fixture(scope="session")
def run_info(pytestconfig) -> dict:
    """Facts about the run printed above the tables (machine, sizes)."""
    info = pytestconfig.stash[_INFO]
    if not info:
        info.update(machine())
        info["device"] = str(bench_device())
    return info


@pytest.fixture(scope="session", autouse=True)
def _bench_cache(tmp_path_factory):
    """A private fastbow cache for the session (never ~/.cache/fastbow)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FASTBOW_CACHE_DIR", str(tmp_path_factory.mktemp("bench-cache")))
        yield


@pytest.fixture(scope="session")
def archive(full, tmp_path_factory) -> Path:
    """The real archive in full mode (skip when absent); a synthetic one in smoke mode."""
    if full:
        path = _archive_path()
        if not path.is_file():
            pytest.skip(f"benchmarks need the real IMDB archive, not found at {path}; "
                        "set FASTBOW_TEST_DATA=/path/to/aclImdb_v1.tar.gz")
        return path
    from corpus import make_archive, make_corpus
    root = tmp_path_factory.mktemp("bench-corpus")
    return make_archive(make_corpus(root, n_per_class=150), root / "synthetic.tar.gz")


@pytest.fixture(scope="session")
def imdb(archive, full, run_info):
    """The data every group uses: ``path``, ``splits`` (texts), ``prepared`` (CSR + vocab), sizes."""
    from fastbow.data.prepare import prepare
    from fastbow.data.reader import read_imdb

    vocab_size = 20_000 if full else 60
    splits = read_imdb(archive)
    prepared = prepare(archive, "words", vocab_size)
    run_info.update(batch_size=128, n_features=prepared.train.n_features)
    return SimpleNamespace(path=archive, splits=splits, prepared=prepared, vocab_size=vocab_size, full=full)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the comparison tables of a full run and save them under ``.benchmarks/``."""
    res = config.stash.get(_RESULTS, None)
    if not res:
        return
    from fastbow.atomic import atomic_write, write_json

    info = config.stash[_INFO]
    info["load_avg_end"] = round(os.getloadavg()[0], 2)
    text = summary_markdown(res, info)
    terminalreporter.write_sep("=", "fastbow benchmark comparison")
    terminalreporter.write_line(text)
    out = REPO / ".benchmarks"
    out.mkdir(exist_ok=True)
    with atomic_write(out / "fastbow-summary.md", "w") as f:
        f.write(text + "\n")
    write_json(out / "fastbow-summary.json", {"info": info, "results": res})
    terminalreporter.write_line(f"(also written to {out / 'fastbow-summary.md'} and fastbow-summary.json)")
