"""Group e: the main job end to end, fastbow against scikit-learn and fastText, side by side in one run.

Each job runs as its own process (what a user waits for: start, imports, reading, features, training,
evaluation, exit) on the same archive:

* ``fastbow cold (empty cache)``: ``python -m fastbow.train --data ARCHIVE --out DIR`` with the trainer's
  defaults (whatever ``--input`` etc. default to), a fresh ``$FASTBOW_CACHE_DIR`` each round;
* ``fastbow warm (cache hit)``: the same with the prepared CSR already cached;
* ``scikit-learn``: read + ``CountVectorizer(max_features=20000, binary=True)`` + ``LogisticRegression``
  (``benchmarks/e2e.py sklearn``);
* ``fastText``: read + tokenize + ``train_supervised`` (dim 10, 5 epochs) + ``test`` (``benchmarks/e2e.py
  fasttext``), when the ``fasttext`` package imports (``pip install -e .[bench]``); skipped, saying so, otherwise.

The table (``conftest.py`` prints it) gives wall time, the ratio to scikit-learn and test accuracy, and
checks issue 9's targets: cold ≤ 0.5×, warm ≤ 0.25× scikit-learn's wall time, at ≥ 88.8 % accuracy.
``$FASTBOW_BENCH_E2E_ROUNDS`` sets the rounds per job (default 1: each round takes 10-40 s).
Under plain ``pytest`` every job runs once on the synthetic corpus, with ``--vocab-size 20``.
"""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from benchutil import record

HERE = Path(__file__).resolve().parent
ROUNDS = int(os.environ.get("FASTBOW_BENCH_E2E_ROUNDS", "1"))


def _env(cache_dir: Path) -> dict:
    return {**os.environ, "FASTBOW_CACHE_DIR": str(cache_dir)}


def _train(archive: Path, out: Path, cache_dir: Path, full: bool) -> dict:
    """One ``python -m fastbow.train`` process with the defaults; returns its metrics.json, plus its log
    lines under ``"stdout"``."""
    extra = [] if full else ["--vocab-size", "20"]
    r = subprocess.run([sys.executable, "-m", "fastbow.train", "--data", str(archive), "--out", str(out),
                        "--no-progress", *extra], env=_env(cache_dir), capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return json.loads((out / "metrics.json").read_text()) | {"stdout": r.stdout}


def _prime(archive: Path, cache_dir: Path, full: bool) -> None:
    """Prepare and cache the CSR in ``cache_dir`` as ``python -m fastbow.train`` with its defaults would."""
    from fastbow.data.prepare import prepare
    from fastbow.training.config import TrainConfig
    from fastbow.training.run import data_options

    cfg = TrainConfig(data=str(archive), vocab_size=TrainConfig.vocab_size if full else 20)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FASTBOW_CACHE_DIR", str(cache_dir))
        assert not prepare(archive, cfg.tokenizer, cfg.vocab_size, options=data_options(cfg)).cache_hit


def _job(job: str, archive: Path, out: Path, cache_dir: Path) -> dict:
    """One ``benchmarks/e2e.py JOB`` process; returns its e2e.json."""
    r = subprocess.run([sys.executable, str(HERE / "e2e.py"), job, str(archive), str(out)], env=_env(cache_dir),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return json.loads((out / "e2e.json").read_text())


def _note(m: dict) -> str:
    e = m["epochs"]
    return (f"{len(e)} epochs, {m['config']['input']} input, train {sum(x['time_s']['total'] for x in e):.2f} s, "
            f"eval {sum(x['eval_s'] for x in e):.2f} s")


@pytest.mark.benchmark(group="e: end to end")
def test_fastbow_cold(benchmark, archive, full, results, run_info, tmp_path):
    rounds = iter(range(10**6))

    def setup():  # a fresh, empty cache and run folder per round (not timed)
        i = next(rounds)
        return (archive, tmp_path / f"run{i}", tmp_path / f"cache{i}", full), {}

    m = benchmark.pedantic(_train, setup=setup, rounds=ROUNDS)
    assert len(m["epochs"]) == m["config"]["epochs"] and 0.0 <= m["epochs"][-1]["test_accuracy"] <= 1.0
    assert "(built)" in m["stdout"] and "(cache hit)" not in m["stdout"]
    record(results, "e", "fastbow cold (empty cache)", benchmark, test_accuracy=m["epochs"][-1]["test_accuracy"],
           note=_note(m))


@pytest.mark.benchmark(group="e: end to end")
def test_fastbow_warm(benchmark, archive, full, results, run_info, tmp_path):
    cache = tmp_path / "cache"
    _prime(archive, cache, full)  # fills the cache (not timed)
    m = benchmark.pedantic(_train, args=(archive, tmp_path / "run", cache, full), rounds=ROUNDS)
    assert len(m["epochs"]) == m["config"]["epochs"] and "(cache hit)" in m["stdout"]
    record(results, "e", "fastbow warm (cache hit)", benchmark, test_accuracy=m["epochs"][-1]["test_accuracy"],
           note=_note(m))


@pytest.mark.benchmark(group="e: end to end")
def test_sklearn(benchmark, archive, full, results, run_info, tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install -e .[bench])")
    r = benchmark.pedantic(_job, args=("sklearn", archive, tmp_path / "sk", tmp_path / "cache"), rounds=ROUNDS)
    if not full:  # the synthetic corpus's cue words make it separable
        assert r["test_accuracy"] >= 0.9
    s = r["seconds"]
    record(results, "e", "sklearn", benchmark, test_accuracy=r["test_accuracy"],
           note=", ".join(f"{k} {v:.2f} s" for k, v in s.items()))


@pytest.mark.benchmark(group="e: end to end")
def test_fasttext(benchmark, archive, full, results, run_info, tmp_path):
    if importlib.util.find_spec("fasttext") is None:
        pytest.skip("the fasttext package is not installed (pip install -e .[bench], which installs fasttext-wheel)")
    r = benchmark.pedantic(_job, args=("fasttext", archive, tmp_path / "ft", tmp_path / "cache"), rounds=ROUNDS)
    assert 0.0 <= r["test_accuracy"] <= 1.0
    record(results, "e", "fastText (dim 10, 5 epochs)", benchmark, test_accuracy=r["test_accuracy"],
           note=", ".join(f"{k} {v:.2f} s" for k, v in r["seconds"].items()))
