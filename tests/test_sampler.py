import pytest
import torch

from fastbow.training.sampler import RowBatchSampler


def test_sequential_batches_and_partial_last_batch():
    s = RowBatchSampler(10, 4, shuffle=False)
    batches = [b.tolist() for b in s]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(s) == 3
    assert all(b.dtype == torch.int64 for b in s)


def test_drop_last():
    s = RowBatchSampler(10, 4, shuffle=False, drop_last=True)
    assert [b.tolist() for b in s] == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(s) == 2
    assert len(RowBatchSampler(3, 4, drop_last=True)) == 0 and list(RowBatchSampler(3, 4, drop_last=True)) == []


def test_shuffle_is_a_permutation_seeded_by_seed_and_epoch():
    s = RowBatchSampler(100, 7, seed=3)
    s.set_epoch(1)
    e1 = torch.cat(list(s))
    assert sorted(e1.tolist()) == list(range(100))
    again = RowBatchSampler(100, 7, seed=3)
    again.set_epoch(1)
    assert torch.equal(torch.cat(list(again)), e1)            # same (seed, epoch) -> same order
    s.set_epoch(2)
    assert not torch.equal(torch.cat(list(s)), e1)            # next epoch reshuffles
    torch.manual_seed(123)                                    # global RNG does not matter
    again.set_epoch(1)
    assert torch.equal(torch.cat(list(again)), e1)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(n_rows=10, batch_size=0), "batch_size should be a positive integer value, but got batch_size=0"),
    (dict(n_rows=10, batch_size=True), "batch_size should be a positive integer value, but got batch_size=True"),
    (dict(n_rows=0, batch_size=2), "n_rows should be a positive integer value, but got n_rows=0"),
    (dict(n_rows=10, batch_size=2, shuffle=1), "shuffle should be a boolean value"),
    (dict(n_rows=10, batch_size=2, drop_last="no"), "drop_last should be a boolean value"),
    (dict(n_rows=10, batch_size=2.0), "batch_size should be a positive integer value"),
])
def test_validation_messages(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        RowBatchSampler(**kwargs)


def _order(n, seed, epoch, batch_size=7, **kw):
    s = RowBatchSampler(n, batch_size, seed=seed, **kw)
    s.set_epoch(epoch)
    return torch.cat(list(s)) if len(s) else torch.empty(0, dtype=torch.int64)


def test_order_changes_with_the_seed():
    # a sampler that ignored its seed would give every --seed / --repeats run one batch order
    by_seed = [_order(100, seed, 1) for seed in range(4)]
    for a in range(4):
        for b in range(a + 1, 4):
            assert not torch.equal(by_seed[a], by_seed[b]), (a, b)
    assert not torch.equal(_order(100, 1, 0), _order(100, 0, 1))    # seed and epoch are not interchangeable


def test_order_is_exactly_the_documented_generator():
    # docstring: epoch e uses torch.Generator().manual_seed(seed * 1_000_003 + e)
    for seed, epoch in ((0, 0), (3, 2), (12345, 7)):
        g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
        assert torch.equal(_order(61, seed, epoch), torch.randperm(61, generator=g))
        s = RowBatchSampler(61, 7, seed=seed)
        s.set_epoch(epoch)
        assert torch.equal(s.order(), torch.randperm(61, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch)))


def test_order_depends_on_nothing_but_seed_and_epoch():
    ref = _order(50, 9, 3)
    assert torch.equal(_order(50, 9, 3, batch_size=50), ref)         # the batch size only cuts the order
    assert torch.equal(_order(50, 9, 3, batch_size=1), ref)
    s = RowBatchSampler(50, 7, seed=9)
    for e in (5, 0, 3):                                               # history of epochs does not matter
        s.set_epoch(e)
        list(s)
    assert torch.equal(torch.cat(list(s)), ref) and torch.equal(torch.cat(list(s)), ref)   # re-iterating repeats
    dropped = _order(50, 9, 3, drop_last=True)
    assert torch.equal(dropped, ref[:49])                            # drop_last cuts the same order's tail


def test_sequential_order_ignores_seed_and_epoch():
    for seed, epoch in ((0, 0), (5, 3)):
        s = RowBatchSampler(9, 4, shuffle=False, seed=seed)
        s.set_epoch(epoch)
        assert torch.cat(list(s)).tolist() == list(range(9))


def test_set_epoch_validates_and_defaults_to_zero():
    s = RowBatchSampler(20, 3, seed=4)
    assert s.epoch == 0 and torch.equal(torch.cat(list(s)), _order(20, 4, 0, batch_size=3))
    s.set_epoch(0)                                                   # epoch 0 is allowed
    for bad in (-1, True, 1.0):
        with pytest.raises(ValueError, match=f"epoch should be a non-negative integer value, but got epoch={bad!r}"):
            s.set_epoch(bad)


@pytest.mark.parametrize("n, b, drop, expected", [
    (1, 1, False, 1), (7, 7, False, 1), (8, 7, False, 2), (13, 7, False, 2), (14, 7, False, 2),
    (6, 7, True, 0), (7, 7, True, 1), (13, 7, True, 1), (14, 7, True, 2),
])
def test_len_counts_batches_and_iteration_agrees(n, b, drop, expected):
    s = RowBatchSampler(n, b, drop_last=drop, seed=1)
    batches = list(s)
    assert len(s) == expected == len(batches)
    assert all(len(x) == b for x in batches[:-1])
    assert sum(map(len, batches)) == (expected * b if drop else n)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(n_rows=True, batch_size=2), "n_rows should be a positive integer value, but got n_rows=True"),
    (dict(n_rows=10, batch_size=2, seed=True), "seed should be an integer value, but got seed=True"),
    (dict(n_rows=10, batch_size=2, seed=1.5), "seed should be an integer value, but got seed=1.5"),
])
def test_more_validation_messages(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        RowBatchSampler(**kwargs)


def test_default_seed_is_zero_and_default_is_shuffled():
    s = RowBatchSampler(30, 4)
    assert s.seed == 0 and s.shuffle and not s.drop_last
    assert torch.equal(s.order(), _order(30, 0, 0))
