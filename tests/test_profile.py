import json

import pytest
from corpus import make_corpus

from fastbow.baselines.pipelines import PIPELINES
from fastbow.profile import main, verdict
from fastbow.training.timing import PHASES


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("prof"), n_per_class=40)


def profile(corpus, capsys, *extra):
    code = main(["--data", str(corpus), "--vocab-size", "25", "--hidden", "8", "--batch-size", "16",
                 "--batches", "4", "--warmup", "1", *extra])
    return code, capsys.readouterr()


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_json_parts_add_up_to_the_wall_time(corpus, capsys, pipeline):
    device = ["--device", "cpu"] if pipeline == "fused" else []   # the fused kernels are CPU-only
    code, out = profile(corpus, capsys, "--pipeline", pipeline, "--json", "--optimizer", "sgd", *device)
    assert code == 0
    r = json.loads(out.out)                      # stdout holds the JSON document only
    assert r["pipeline"] == pipeline and r["batches"] == 4 and r["batch_size"] == 16 and r["samples"] == 64
    parts = sum(r["seconds"][p] for p in PHASES)
    assert abs(parts - r["seconds"]["total"]) <= 0.05 * r["seconds"]["total"]
    assert abs(sum(r["percent"].values()) - 100) <= 5 and abs(r["parts_over_wall"] - 1) <= 0.05
    assert r["ms_per_batch"]["total"] == pytest.approx(1000 * r["seconds"]["total"] / 4)
    assert r["verdict"].startswith(f"{r['bottleneck']} is ") and "of the step" in r["verdict"]


def test_table_has_every_phase_and_ends_with_the_verdict(corpus, capsys):
    # (which phase wins on this toy corpus is noise; on IMDB notebook-naive is data-bound: RESULTS.md)
    code, out = profile(corpus, capsys, "--pipeline", "notebook-naive")
    assert code == 0
    lines = out.out.splitlines()
    assert all(any(l.startswith(f"{p} ") for l in lines) for p in PHASES) and "parts add up to" in out.out
    assert lines[-1].startswith("verdict: ") and "% of the step: " in lines[-1]


def test_verdict_names_the_largest_phase():
    s = dict.fromkeys(PHASES, 0.0) | {"optimizer": 0.6, "forward": 0.3, "total": 1.0}
    assert verdict(s) == ("optimizer", "optimizer is 60% of the step: the optimizer step is the bottleneck")


@pytest.mark.parametrize("extra, msg", [
    (["--batches", "0"], "--batches should be a positive integer value, but got --batches 0"),
    (["--warmup", "-1"], "--warmup should be a non-negative integer value, but got --warmup -1"),
    (["--batch-size", "0"], "--batch-size should be a positive integer value, but got --batch-size 0"),
])
def test_bad_counts_are_one_line_errors(corpus, capsys, extra, msg):
    code, out = profile(corpus, capsys, *extra)
    assert code == 2 and out.err.strip() == f"error: {msg}"


def test_profile_refuses_backend_for_other_pipelines(tmp_path, capsys):
    from fastbow.profile import main as profile_main
    (tmp_path / "t.csv").write_text("text,label\ngood,pos\nbad,neg\n")   # tables: tests/test_stats_own_data.py
    assert profile_main(["--pipeline", "sparse", "--backend", "torch", "--data", str(tmp_path / "t.csv")]) == 2
    assert "applies to --pipeline scatter only" in capsys.readouterr().err


@pytest.mark.parametrize("slow", ["data", "transfer", "optimizer"])
def test_the_verdict_follows_a_cost_injected_into_one_phase(slow):
    import time
    from types import SimpleNamespace

    import numpy as np

    from fastbow.baselines.pipelines import build_pipeline
    from fastbow.data.csr import CSR
    from fastbow.profile import profile_pipeline

    rng = np.random.default_rng(0)
    indptr = np.arange(0, 3 * 48 + 1, 3, dtype=np.int64)
    csr = CSR(indptr, rng.integers(0, 30, 3 * 48).astype(np.int32), rng.integers(0, 2, 48), 30)
    pipe = build_pipeline("scatter", SimpleNamespace(train=csr), batch_size=16, hidden=8, optimizer="sgd", lr=0.1)
    cost = 0.15                                                  # s per step: far above the step's own work
    if slow == "optimizer":
        step = pipe.optimizer.step
        pipe.optimizer.step = lambda *a, **k: (time.sleep(cost), step(*a, **k))[1]
    else:
        name = "materialize" if slow == "data" else "to_device"
        real = getattr(pipe.loader, name)
        setattr(pipe.loader, name, lambda rows: (time.sleep(cost), real(rows))[1])
    r = profile_pipeline(pipe, batches=3, warmup=1)
    assert r["bottleneck"] == slow and r["seconds"][slow] >= 3 * cost
    assert r["ms_per_batch"][slow] >= 1000 * cost
    assert r["verdict"] == verdict(r["seconds"])[1] and r["verdict"].startswith(f"{slow} is ")
