"""Group d: where a training step's time goes, per pipeline (``python -m fastbow.profile``'s measurement).

Each case runs :func:`fastbow.profile.profile_pipeline`: 2 untimed warm-up steps, then
20 timed steps split into data, transfer, forward, backward and optimizer by
:class:`fastbow.training.timing.PhaseTimer` (CUDA events on a GPU). Same model, SGD lr 0.01
and seed as group c; ``notebook-dense`` precomputes only the rows the profiled
batches visit, as the profiler does.
"""
import pytest
from benchutil import bench_device, record

from fastbow.baselines.pipelines import build_pipeline, profile_rows
from fastbow.profile import profile_pipeline

CASES = [("notebook-naive", "sgd"), ("notebook-dense", "sgd"), ("scatter", "sgd"), ("sparse", "sgd"),
         ("sparse", "adam")]
BATCHES, WARMUP = 20, 2


@pytest.mark.benchmark(group="d: time splits (20 batches)")
@pytest.mark.parametrize("name, optimizer", CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_time_split(benchmark, imdb, results, run_info, name, optimizer):
    batches = BATCHES if imdb.full else 2
    csr = imdb.prepared.train
    pipe = build_pipeline(name, imdb.prepared, device=bench_device(), batch_size=128, optimizer=optimizer,
                          lr=0.01 if optimizer == "sgd" else 3e-4, seed=0,
                          texts=imdb.splits["train"].texts if name == "notebook-naive" else None,
                          dense_rows=profile_rows(csr.n_docs, (WARMUP + batches) * 128)
                          if name == "notebook-dense" else None)
    r = benchmark.pedantic(profile_pipeline, args=(pipe,), kwargs={"batches": batches, "warmup": WARMUP},
                           rounds=1)
    assert abs(r["parts_over_wall"] - 1) <= 0.05            # the parts add up to the wall time
    label = name if optimizer == "sgd" else f"{name} ({optimizer})"
    record(results, "d", label, benchmark, per=batches, ms_per_batch=r["ms_per_batch"], percent=r["percent"],
           parts_over_wall=r["parts_over_wall"], bottleneck=r["bottleneck"], verdict=r["verdict"])
    run_info.update(profile_batches=batches, profile_warmup=WARMUP)
