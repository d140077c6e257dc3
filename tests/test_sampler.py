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
