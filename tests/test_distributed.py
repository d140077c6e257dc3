"""Tests for torchrun data parallelism (fastbow/training/distributed.py).

The acceptance test launches ``torchrun --standalone --nproc-per-node 2`` (gloo, CPU) twice: a run that
rank 0 alone interrupts in epoch 2, then ``--resume``; the result must equal a one-process run with the
same global batch. The sparse all-reduce edge cases run in two spawned processes.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from corpus import make_corpus

import fastbow.training.distributed as distributed
from fastbow.errors import FastbowError
from fastbow.models.embedding_bag import SparseBagMLP
from fastbow.models.mlp import per_sample_loss
from fastbow.train import main
from fastbow.training.checkpoint import load_checkpoint
from fastbow.training.run import TrainConfig

REPO = Path(__file__).resolve().parent.parent
# 120 training rows, global batch 15: 8 batches per epoch, parts of 8 and 7 rows (unequal, so weighted)
ARGS = ["--vocab-size", "20", "--hidden", "16", "--batch-size", "15", "--lr", "0.3", "--no-progress",
        "--input", "sparse", "--optimizer", "sgd", "--epochs", "3"]


def test_from_env():
    assert distributed.from_env({}) is None
    assert distributed.from_env({"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1"}) == distributed.DistEnv(1, 2, 1)
    with pytest.raises(FastbowError, match=r"RANK='x' in the environment is not a valid rank setting; launch with "
                                           r"torchrun --nproc-per-node N -m fastbow.train"):
        distributed.from_env({"RANK": "x", "WORLD_SIZE": "2", "LOCAL_RANK": "0"})
    with pytest.raises(FastbowError, match="RANK=2 is not below WORLD_SIZE=2"):
        distributed.from_env({"RANK": "2", "WORLD_SIZE": "2", "LOCAL_RANK": "0"})


def test_one_process_helpers_are_identities():
    assert not distributed.active() and distributed.is_main() and distributed.world_size() == 1
    m = {"loss": 0.5, "accuracy": 0.75, "perplexity": 1.6, "n": 4}
    assert distributed.reduce_result(m) is m and distributed.all_reduce_metrics(None) is None
    model = torch.nn.Linear(2, 1)
    assert distributed.wrap(model, None, torch.device("cpu")) is model
    g = {"index": np.array([2]), "values": np.ones((1, 3), np.float32)}
    assert distributed.all_reduce_fused_grads(g, 0.5) is g


@pytest.mark.parametrize("kw, msg", [
    ({"input": "fused"}, "--input fused is not supported under torchrun; pass --input auto or sparse (or --input dense)"),
    ({"cache": False}, "--no-cache is not supported under torchrun: the ranks share the prepared data through "
                       "the cache file; drop --no-cache"),
])
def test_unsupported_settings_fail_with_one_line(kw, msg):
    with pytest.raises(FastbowError) as e:
        distributed.check_config(TrainConfig(**kw))
    assert str(e.value) == msg


def test_agreed_stop_is_read_every_k_calls(tmp_path):
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        local = [False]
        stop = distributed.AgreedStop(lambda: local[0], every=4)
        seen = []
        for call in range(1, 10):
            local[0] = call >= 3                                  # Ctrl-C before the 3rd batch
            seen.append(stop())
        assert seen == [False, False, False, True, True, True, True, True, True]   # agreed at call 4, then kept
    finally:
        dist.destroy_process_group()


@pytest.mark.parametrize("extra", [["--input", "dense"], ["--input", "sparse", "--val-fraction", "0.25",
                                                           "--early-stopping", "1", "--eval-train"]])
def test_a_one_process_group_gives_the_plain_run(tmp_path, extra):
    """The distributed code path (DDP wrap, sharded samplers, reduced metrics) with world size 1, in this process."""
    corpus = make_corpus(tmp_path / "c", n_per_class=30)
    args = ["--data", str(corpus), *ARGS[:-6], "--optimizer", "adam", "--lr", "0.01", "--epochs", "2", *extra]
    assert main([*args, "--out", str(tmp_path / "plain")]) == 0
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        assert main([*args, "--out", str(tmp_path / "group")]) == 0
    finally:
        dist.destroy_process_group()
    a, b = epochs(tmp_path / "plain"), epochs(tmp_path / "group")
    assert len(a) == len(b) >= 1
    for x, y in zip(a, b):
        assert x.keys() == y.keys()
        for k in x:
            assert y[k] == pytest.approx(x[k], abs=1e-6), k


# --- sparse all-reduce edge cases: rank 1 touches only the OOV row, or no row at all -------------------------

BAGS = {  # case -> (rank 0's documents, rank 1's documents), as id lists; labels alternate 0, 1, ...
    "only_oov": ([[1, 2], [3]], [[0]]),           # rank 1: one document of unknown words only (row 0)
    "no_row": ([[1, 2], [2, 4]], [[]]),           # rank 1: an empty document, touches no row of the table
    "disjoint": ([[1]], [[4, 5], [3]]),           # no row touched by both ranks
}


ROWS = {"only_oov": ([1, 3], [0]), "none": ([2, 5], []), "overlap": ([0, 4], [4, 7])}  # rows each rank touched


def _fused_grads(rank):
    """A fused backward's gradients: rank 0 touched rows 1 and 3, rank 1 (an empty document) none."""
    k = 2 if rank == 0 else 0
    return {"index": np.array([1, 3][:k], dtype=np.int64), "values": np.full((k, 2), 3.0, np.float32),
            "bias": np.full(2, 1.0 + rank, np.float32), "w2": np.full((1, 2), 3.0 * (rank + 1), np.float32),
            "b2": np.array([6.0 * (rank + 1)], np.float32)}


class _FixedSampler:
    def __init__(self, global_size):
        self.num_replicas, self.global_size = 2, global_size


def _batch(docs, first_label):
    ids = torch.tensor([i for d in docs for i in d], dtype=torch.int32)
    offsets = torch.tensor([0] + [len(d) for d in docs[:-1]], dtype=torch.int32).cumsum(0).to(torch.int32)
    y = torch.tensor([(first_label + k) % 2 for k in range(len(docs))])
    return (ids, offsets), y


def _sgd_step(model, train_model, inputs, y, lr=0.5):
    loss = per_sample_loss(train_model(inputs), y).mean()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(p.grad, alpha=-lr)   # sparse table gradient: only the touched rows change
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _edge_worker(rank, store, out):
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=2)
    try:
        results = {}
        for case, docs in BAGS.items():
            torch.manual_seed(0)
            model = SparseBagMLP(6, 3, 1, sparse_grad=True)
            train_model = distributed.GlobalMeanGrad(model, _FixedSampler(len(docs[0]) + len(docs[1])),
                                                     torch.device("cpu"))
            inputs, y = _batch(docs[rank], 0 if rank == 0 else len(docs[0]))
            results[case] = _sgd_step(model, train_model, inputs, y)
        for case, mine in ROWS.items():                          # the helper for fused (graph-free) steps
            index = torch.tensor(mine[rank], dtype=torch.int64)
            values = torch.arange(len(index) * 2, dtype=torch.float32).reshape(-1, 2) + 10 * rank + 1
            results[f"rows_{case}"] = distributed.all_reduce_touched_rows(index, values)
        fused = distributed.all_reduce_fused_grads(_fused_grads(rank), share=(2 / 3, 1 / 3)[rank])
        results["fused"] = {k: torch.from_numpy(v) for k, v in fused.items()}   # torch.load reads tensors only
        torch.save(results, Path(out) / f"edge-{rank}.pt")
    finally:
        dist.destroy_process_group()


def test_sparse_all_reduce_when_a_rank_touches_only_the_oov_row_or_none(tmp_path):
    mp.start_processes(_edge_worker, args=(str(tmp_path / "store"), str(tmp_path)), nprocs=2, start_method="spawn")
    got = [torch.load(tmp_path / f"edge-{r}.pt") for r in (0, 1)]
    for case, (docs0, docs1) in BAGS.items():
        torch.manual_seed(0)
        model = SparseBagMLP(6, 3, 1, sparse_grad=True)
        before = model.bag.weight.detach().clone()
        want = _sgd_step(model, model, *_batch(docs0 + docs1, 0))       # one process, the whole global batch
        touched = sorted({i for d in docs0 + docs1 for i in d})
        for r in (0, 1):
            for k in want:
                torch.testing.assert_close(got[r][case][k], want[k], rtol=0, atol=1e-6, msg=f"{case} rank {r} {k}")
        changed = (got[0][case]["bag.weight"] != before).any(dim=1).nonzero().flatten().tolist()
        assert set(changed) <= set(touched) and changed, case           # rows no rank touched stay as they were
    assert 0 in (got[1]["only_oov"]["bag.weight"] != before).any(dim=1).nonzero().flatten().tolist()
    for r in (0, 1):                                      # shares 2/3 and 1/3: the global batch's mean
        f = {k: v.numpy() for k, v in got[r]["fused"].items()}
        assert f["index"].tolist() == [1, 3] and np.allclose(f["values"], 2.0)
        assert np.allclose(f["bias"], 2 / 3 * 1 + 1 / 3 * 2) and np.allclose(f["w2"], 2 / 3 * 3 + 1 / 3 * 6)
        assert np.allclose(f["b2"], 2 / 3 * 6 + 1 / 3 * 12) and f["w2"].shape == (1, 2)
    for case, (r0, r1) in ROWS.items():
        dense = torch.zeros(8, 2)
        for r, rows in enumerate((r0, r1)):
            dense[rows] += torch.arange(len(rows) * 2, dtype=torch.float32).reshape(-1, 2) + 10 * r + 1
        union = sorted(set(r0) | set(r1))
        for r in (0, 1):
            index, summed = got[r][f"rows_{case}"]
            assert index.tolist() == union, case
            assert torch.equal(summed, dense[union]), case


# --- acceptance: torchrun, 2 processes, gloo -------------------------------------------------------------------

def torchrun(args, env, timeout=300):  # seconds; ~10 s on an idle 2-core machine, minutes under heavy load
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           str(REPO / "tests" / "dist_worker.py"), *args]
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", **env}
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def epochs(out):
    return [{k: v for k, v in e.items() if k not in ("time_s", "eval_s")}
            for e in json.loads((Path(out) / "metrics.json").read_text())["epochs"]]


def test_torchrun_two_processes_match_one_process_and_resume(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "c", n_per_class=60)
    assert main(["--data", str(corpus), "--out", str(tmp_path / "one"), *ARGS]) == 0

    out, rows = tmp_path / "two", tmp_path / "rows"
    rows.mkdir()
    env = {"FASTBOW_CACHE_DIR": str(tmp_path / "cache2"),        # a fresh cache: rank 0 builds it, rank 1 waits
           "TEST_SIGINT_RANK": "0", "TEST_SIGINT_AT_STEP": "11", "TEST_ROWS_DIR": str(rows)}
    r = torchrun(["--data", str(corpus), "--out", str(out), *ARGS], env)
    # the stop flag is agreed every 16 calls (8 batches + 1 end-of-epoch call per epoch): call 16 is batch 7 of epoch 2
    assert r.returncode != 0 and "interrupted in epoch 2 after batch 6 of 8" in r.stdout, r.stdout + r.stderr
    assert r.stdout.count("interrupted in epoch 2") == 1 and "cached the CSR" in r.stdout  # rank 0 alone logs
    state = load_checkpoint(out)                                  # rank 1 stopped at the same batch as rank 0
    assert (state["epoch"], state["batch"]) == (1, 6) and state["partial"]["n"] == 6 * 15  # both ranks' rows
    seen = [json.loads((rows / f"rows-{k}.json").read_text())["1"] for k in (0, 1)]
    assert len(seen[0]) == 64 and len(seen[1]) == 56                 # parts of 8 and 7 rows per batch
    assert sorted(seen[0] + seen[1]) == list(range(120))              # epoch 1: every row once, on one rank

    r = torchrun(["--resume", str(out)], {"FASTBOW_CACHE_DIR": str(tmp_path / "cache2")})
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.pt", "metrics.json", "model.pt", "vocab.json"]
    one, two = epochs(tmp_path / "one"), epochs(out)
    assert len(two) == 3
    for a, b in zip(one, two):
        for k in a:
            assert b[k] == pytest.approx(a[k], abs=1e-4), k
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["processes"] == 2 and metrics["resumed"] == [{"epoch": 2, "batch": 6}]
    wa, wb = (torch.load(p / "model.pt", weights_only=True) for p in (tmp_path / "one", out))
    for k in wa:
        torch.testing.assert_close(wb[k], wa[k], rtol=0, atol=1e-5)
