"""Scaling benchmark (issue 13): preparation and one epoch on corpora 1×, 4×, 16× IMDB's size, 1 and 2 processes.

Full run (once; the figures in ``benchmarks/RESULTS.md``, section e)::

    python benchmarks/scaling.py --archive ../shared/data/aclImdb_v1.tar.gz --scales 1 4 16

Plain ``pytest`` runs the same functions on a tiny synthetic corpus (``benchmarks/test_e_scaling.py``).

Corpora (:func:`build_corpus`, deterministic): scale ``s`` has ``s × 25,000`` training and
``s × 25,000`` test rows, written as ``train.jsonl`` / ``test.jsonl`` (text, label). The first
25,000 rows of each are IMDB's own reviews of that split; every further row joins the first half
(by words) of one review to the second half of another review **of the same class and split**,
both drawn with ``numpy.random.default_rng([seed, scale, split])``: new documents with IMDB's
vocabulary, lengths and label signal, never a test review in training.

Measured per scale, each in a fresh subprocess:

- **preparation** (``prepare(train.jsonl, test_file=test.jsonl)``: the streaming path of
  ``fastbow/data/stream_encode.py``, cache written) with 1 and 2 worker processes: wall seconds,
  peak RSS of the parent and of the largest worker (``getrusage``), seconds per million ids
  (ids = CSR entries of both splits);
- **one training epoch** (``--input sparse --optimizer sgd --lr 0.01``, global batch 128, one
  thread per process) with 1 process (``python -m fastbow.train``) and 2 (``torchrun
  --standalone --nproc-per-node 2``): rank 0's training-pass seconds from ``metrics.json``,
  seconds per million training ids; both read the cache that preparation wrote.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

PREPARE = r"""
import json, resource, sys, time
from fastbow.data.dataset import DataOptions
from fastbow.data.prepare import prepare
t0 = time.perf_counter()
p = prepare(sys.argv[1], "words", int(sys.argv[3]), options=DataOptions(test_file=sys.argv[2]))
s = time.perf_counter() - t0
print(json.dumps({"seconds": s, "rss_parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "train_docs": p.train.n_docs, "test_docs": p.test.n_docs,
                  "train_ids": p.train.nnz, "test_ids": p.test.nnz, "cache_hit": p.cache_hit}))
"""


def build_corpus(train, test, scale: int, folder: Path, seed: int = 0) -> tuple[Path, Path]:
    """Write ``folder/train.jsonl`` and ``folder/test.jsonl`` at ``scale`` × the splits' sizes (module doc).

    Args:
        train, test: :class:`fastbow.data.reader.Split` (texts, labels, classes) of the source corpus.
        scale (int): ≥ 1; rows per split = ``scale × len(split)``.
        folder (Path): created if missing.
        seed (int): seeds the recombination.

    Returns:
        tuple: the two paths.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, (name, split) in enumerate((("train", train), ("test", test))):
        n = len(split.texts)
        rng = np.random.default_rng([seed, scale, k])
        first = rng.integers(0, n, size=n * (scale - 1))                       # (extra,) the first half's review
        by_class = [np.flatnonzero(split.labels == c) for c in range(len(split.classes))]
        second = np.empty_like(first)
        for c, rows in enumerate(by_class):                                    # a same-class partner for each
            mask = split.labels[first] == c
            second[mask] = rows[rng.integers(0, len(rows), size=int(mask.sum()))]
        path = folder / f"{name}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for i in range(n):
                f.write(json.dumps({"text": split.texts[i], "label": split.classes[split.labels[i]]}) + "\n")
            for a, b in zip(first.tolist(), second.tolist()):
                wa, wb = split.texts[a].split(), split.texts[b].split()
                text = " ".join(wa[: len(wa) // 2] + wb[len(wb) // 2:])
                f.write(json.dumps({"text": text, "label": split.classes[split.labels[a]]}) + "\n")
        paths.append(path)
    return paths[0], paths[1]


def _env(cache: Path, **extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "FASTBOW_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1",
            "NUMBA_NUM_THREADS": "1", **extra}


def measure_prepare(train: Path, test: Path, workers: int, cache: Path, vocab_size: int = 20_000) -> dict:
    """Preparation in a fresh process with ``workers`` processes (fresh cache folder ``cache``); see module doc."""
    env = _env(cache, FASTBOW_PREPARE_WORKERS=str(workers))
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", PREPARE, str(train), str(test), str(vocab_size)], env=env,
                       capture_output=True, text=True, check=True)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - t0
    out["s_per_million_ids"] = out["seconds"] / ((out["train_ids"] + out["test_ids"]) / 1e6)
    return out


def measure_epoch(train: Path, test: Path, procs: int, cache: Path, out: Path, vocab_size: int = 20_000) -> dict:
    """One training epoch with ``procs`` processes on the cache in ``cache``; returns rank 0's seconds."""
    args = ["--data", str(train), "--test-file", str(test), "--vocab-size", str(vocab_size), "--input", "sparse",
            "--optimizer", "sgd", "--lr", "0.01", "--epochs", "1", "--no-progress", "--out", str(out)]
    launcher = ([sys.executable, "-m", "fastbow.train"] if procs == 1 else
                [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(procs),
                 "-m", "fastbow.train"])
    t0 = time.perf_counter()
    r = subprocess.run(launcher + args, env=_env(cache), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"training with {procs} process(es) failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    m = json.loads((out / "metrics.json").read_text())
    e = m["epochs"][0]
    return {"epoch_s": e["time_s"]["total"], "eval_s": e["eval_s"], "wall_s": time.perf_counter() - t0,
            "test_accuracy": e["test_accuracy"], "processes": m["config"]["processes"]}


def run(source_train, source_test, scales, work: Path, workers=(1, 2), procs=(1, 2), vocab_size=20_000) -> list:
    """Every measurement at every scale; one dict per scale (corpus files deleted after each)."""
    rows = []
    for s in scales:
        folder = work / f"x{s}"
        t0 = time.perf_counter()
        train, test = build_corpus(source_train, source_test, s, folder)
        row = {"scale": s, "build_s": time.perf_counter() - t0, "load_avg_start": os.getloadavg()[0]}
        for w in workers:
            row[f"prepare_{w}"] = measure_prepare(train, test, w, folder / f"cache-{w}", vocab_size)
        cache = folder / f"cache-{workers[-1]}"
        ids = row[f"prepare_{workers[-1]}"]["train_ids"]
        for p in procs:
            e = measure_epoch(train, test, p, cache, folder / f"run-{p}", vocab_size)
            e["s_per_million_ids"] = e["epoch_s"] / (ids / 1e6)
            row[f"epoch_{p}"] = e
        row["load_avg_end"] = os.getloadavg()[0]
        rows.append(row)
        print(json.dumps(row), flush=True)
        for p in folder.glob("*.jsonl"):
            p.unlink()
    return rows


def markdown(rows: list, workers=(1, 2), procs=(1, 2)) -> str:
    """The RESULTS.md table: one line per scale and process count, with the ratios to scale 1."""
    base = rows[0]
    lines = ["| scale | train + test docs | ids (M) | processes | prepare s | s / M ids | vs 1× | peak RSS parent / worker MB "
             "| epoch s | s / M train ids | vs 1× |", "|" + "---|" * 11]
    for r in rows:
        for k in sorted(set(workers) | set(procs)):
            p, e = r.get(f"prepare_{k}"), r.get(f"epoch_{k}")
            pb, eb = base.get(f"prepare_{k}"), base.get(f"epoch_{k}")
            any_p = r[f"prepare_{workers[-1]}"]
            cells = [f"{r['scale']}×", f"{any_p['train_docs'] + any_p['test_docs']:,}",
                     f"{(any_p['train_ids'] + any_p['test_ids']) / 1e6:.1f}", str(k)]
            cells += ([f"{p['seconds']:.1f}", f"{p['s_per_million_ids']:.2f}",
                       f"{p['s_per_million_ids'] / pb['s_per_million_ids']:.2f}×",
                       f"{p['rss_parent_mb']:.0f} / {p['rss_worker_mb']:.0f}"] if p else ["", "", "", ""])
            cells += ([f"{e['epoch_s']:.1f}", f"{e['s_per_million_ids']:.2f}",
                       f"{e['s_per_million_ids'] / eb['s_per_million_ids']:.2f}×"] if e else ["", "", ""])
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", required=True, help="aclImdb_v1.tar.gz (or an aclImdb folder)")
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--work", default=".benchmarks/scaling", help="folder for corpora, caches and runs")
    a = ap.parse_args(argv)
    from fastbow.data.reader import read_imdb

    splits = read_imdb(a.archive)
    work = Path(a.work)
    rows = run(splits["train"], splits["test"], a.scales, work)
    text = markdown(rows)
    (work / "scaling.json").write_text(json.dumps(rows, indent=1))
    (work / "scaling.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
