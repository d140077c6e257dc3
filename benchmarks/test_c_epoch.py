"""Group c: one full training epoch on IMDB train per pipeline.

25,000 reviews, B = 128 (196 steps), the notebook's model (V + 1 = 20,001 → 200 → 1)
and optimizer (plain SGD, lr 0.01), the same initial weights and seed; each round
is :func:`fastbow.training.epoch.train_epoch` over the pipeline's loader, after 2 untimed
warm-up steps. ``notebook-dense`` builds its 2.0 GB of dense rows first, as the
notebook does (the build is timed once and reported, not counted in the epoch).
``notebook-naive`` is too slow to run whole: each round times its first 16
batches and the epoch is extrapolated (× 196 / 16), as the table says. The
extra row ``sparse (adam)`` is fastbow's default optimizer on the sparse path
(dense table gradient, see fastbow/sparse.py). ``fused`` is the CPU default (``--input auto``):
the fused Numba kernels of kernels/sparse_mlp_numba.py; ``fused (adam)`` is the default run's
step (lazy Adam on the table, lr 3e-4).
"""
import gc
import time

import pytest
from benchutil import bench_device, record

from fastbow.baselines.pipelines import build_pipeline
from fastbow.profile import BatchWindow, batch_stream, warm_up
from fastbow.training.epoch import train_epoch

CASES = [("notebook-naive", "sgd"), ("notebook-dense", "sgd"), ("scatter", "sgd"), ("sparse", "sgd"),
         ("sparse", "adam"), ("fused", "sgd"), ("fused", "adam")]
NAIVE_BATCHES = 16


@pytest.mark.benchmark(group="c: one epoch")
@pytest.mark.parametrize("name, optimizer", CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_epoch(benchmark, imdb, results, name, optimizer):
    device = bench_device()
    if name == "fused" and str(device) != "cpu":
        pytest.skip("the fused kernels run on the CPU only (--input auto is dense on CUDA)")
    t0 = time.perf_counter()
    pipe = build_pipeline(name, imdb.prepared, device=device, batch_size=128, optimizer=optimizer,
                          lr=0.01 if optimizer == "sgd" else 3e-4, seed=0,
                          texts=imdb.splits["train"].texts if name == "notebook-naive" else None)
    build_s = time.perf_counter() - t0
    warm_up(pipe, 2)
    n_batches = len(pipe.loader)
    window = NAIVE_BATCHES if name == "notebook-naive" else n_batches
    if not imdb.full:
        window = min(window, 2)
    stream = batch_stream(pipe.loader.sampler)

    def epoch():
        m, _ = train_epoch(pipe.model, BatchWindow(pipe.loader, stream, window), pipe.optimizer, progress=False)
        return m

    m = benchmark.pedantic(epoch, rounds=5 if imdb.full else 1)
    assert m["n"] == (imdb.prepared.train.n_docs if window == n_batches else window * 128)
    label = name if optimizer == "sgd" else f"{name} ({optimizer})"
    notes = []
    if window < n_batches:
        notes.append(f"extrapolated: {window} of {n_batches} batches timed, × {n_batches / window:.2f}")
    if name == "notebook-dense":
        notes.append(f"building the dense rows took {build_s:.1f} s (not in the epoch)")
    notes += pipe.notes
    if benchmark.stats:
        record(results, "c", label, benchmark, scale=n_batches / window,
               state_bytes=pipe.state_bytes, batches_timed=window, note="; ".join(notes))
    del pipe, stream
    gc.collect()  # give back notebook-dense's 2 GB before the next case
