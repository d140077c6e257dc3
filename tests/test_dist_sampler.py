"""Tests for the distributed batch sampler: disjoint shards, every row once per epoch, equal batch counts."""
import doctest

import pytest
import torch

import fastbow.training.dist_sampler as dist_sampler
from fastbow.training.dist_sampler import DistributedRowBatchSampler
from fastbow.training.sampler import RowBatchSampler


def ranks(n_rows, batch_size, world, epoch=0, **kw):
    """Every rank's batches for one epoch: ``[[batch tensor, ...] per rank]``."""
    out = []
    for r in range(world):
        s = DistributedRowBatchSampler(n_rows, batch_size, num_replicas=world, rank=r, **kw)
        s.set_epoch(epoch)
        out.append(list(s))
    return out


@pytest.mark.parametrize("n_rows, batch_size, world", [(120, 16, 2), (121, 16, 2), (113, 15, 3), (7, 4, 2),
                                                       (10, 3, 3), (17, 16, 2), (5, 5, 5), (1000, 128, 4)])
def test_every_row_once_per_epoch_disjoint_and_equal_batch_counts(n_rows, batch_size, world):
    parts = ranks(n_rows, batch_size, world, epoch=3, seed=7)
    counts = {len(p) for p in parts}
    assert len(counts) == 1                                         # equal batch counts: no rank waits
    assert all(len(b) >= 1 for p in parts for b in p)               # never an empty batch
    rows = torch.cat([b for p in parts for b in p])
    assert sorted(rows.tolist()) == list(range(n_rows))             # every row exactly once
    for i in range(counts.pop()):                                   # parts of one global batch differ by <= 1
        sizes = [len(p[i]) for p in parts]
        assert max(sizes) - min(sizes) <= 1


def test_global_batches_are_the_one_process_batches():
    one = RowBatchSampler(120, 16, seed=3)
    one.set_epoch(2)
    parts = ranks(120, 16, 2, epoch=2, seed=3)
    for i, batch in enumerate(one):
        assert torch.equal(torch.cat([parts[0][i], parts[1][i]]), batch)


def test_reshuffled_per_epoch_and_reproducible():
    a, b, a2 = (torch.cat(ranks(100, 10, 2, epoch=e, seed=1)[0]) for e in (1, 2, 1))
    assert not torch.equal(a, b) and torch.equal(a, a2)
    no = ranks(10, 4, 2, shuffle=False)
    assert [[t.tolist() for t in p] for p in no] == [[[0, 1], [4, 5], [8]], [[2, 3], [6, 7], [9]]]


def test_short_tail_joins_the_previous_batch():
    # 17 rows, global batch 16, 2 ranks: a 1-row tail would leave rank 1 empty, so it joins batch 1
    s = DistributedRowBatchSampler(17, 16, num_replicas=2, rank=1, shuffle=False)
    assert len(s) == 1 and s.global_bounds() == [0, 17]
    assert [b.tolist() for b in s] == [list(range(9, 17))] and s.global_size == 17
    # a tail of at least one row per rank stays a batch of its own
    assert DistributedRowBatchSampler(18, 16, num_replicas=2, rank=0).global_bounds() == [0, 16, 18]
    # one process: nothing changes
    assert len(DistributedRowBatchSampler(17, 16, num_replicas=1, rank=0)) == len(RowBatchSampler(17, 16)) == 2


def test_largest_part_bounds_the_loader_buffer():
    for n, B, N in [(121, 16, 2), (17, 16, 2), (113, 15, 3)]:
        for r in range(N):
            s = DistributedRowBatchSampler(n, B, num_replicas=N, rank=r)
            assert max(len(b) for b in s) <= s.batch_size


@pytest.mark.parametrize("kwargs, msg", [
    ({"num_replicas": 0, "rank": 0}, "num_replicas should be a positive integer value, but got num_replicas=0"),
    ({"num_replicas": 2, "rank": 2}, r"rank should be in \[0, num_replicas - 1\] = \[0, 1\], but got rank=2"),
    ({"num_replicas": 2, "rank": True}, "rank should be a non-negative integer value, but got rank=True"),
    ({"num_replicas": 4, "rank": 0, "n_rows": 3}, "n_rows should be at least num_replicas=4"),
    ({"num_replicas": 4, "rank": 0, "batch_size": 3}, "batch_size should be at least num_replicas=4"),
])
def test_bad_arguments(kwargs, msg):
    args = {"n_rows": 10, "batch_size": 4} | kwargs
    with pytest.raises(ValueError, match=msg):
        DistributedRowBatchSampler(args.pop("n_rows"), args.pop("batch_size"), **args)


def test_docstring_example():
    assert doctest.testmod(dist_sampler).failed == 0
