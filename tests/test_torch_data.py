"""MultiHotDataset + RowBatchSampler under torch.utils.data.DataLoader: scatter batches, same training as fastbow's loop."""
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from synthetic import make_texts
from torch.utils.data import DataLoader

from fastbow import (
    BowVectorizer,
    MultiHotDataset,
    OneHotMLP,
    RowBatchSampler,
    collate_multi_hot,
)
from fastbow.data.memory import encode_labels, prepare_texts
from fastbow.errors import DataError, FastbowError
from fastbow.models.mlp import per_sample_loss
from fastbow.training.epoch import make_optimizer
from fastbow.training.run import TrainConfig, run_prepared


@pytest.fixture(scope="module")
def data():
    texts, labels = make_texts(45)  # 90 rows: 6 batches of 16, the last one short
    ids, classes = encode_labels(labels)
    return texts, ids, prepare_texts(texts, ids, classes=classes.tolist(), vocab_size=25)


@pytest.mark.parametrize("collate_fn", [None, collate_multi_hot])
def test_batches_are_the_multi_hot_rows_of_the_sampled_ids(data, collate_fn):
    _, ids, prepared = data
    dense = prepared.train.to_scipy().toarray()  # (90, 26) float32 reference
    sampler = RowBatchSampler(90, 16, seed=3)
    sampler.set_epoch(2)
    ds = MultiHotDataset(prepared.train)
    batches = list(DataLoader(ds, batch_sampler=sampler, collate_fn=collate_fn))
    assert len(batches) == 6 and [len(b.y) for b in batches] == [16] * 5 + [10]
    rows = torch.cat(list(sampler))
    x, y = torch.cat([b.x for b in batches]), torch.cat([b.y for b in batches])
    assert x.dtype == torch.float32 and y.dtype == torch.int64 and x.shape == (90, 26)
    assert np.array_equal(x.numpy(), dense[rows.numpy()]) and np.array_equal(y.numpy(), ids[rows.numpy()])


def test_plain_dataloader_with_batch_size_takes_the_same_path(data):
    _, _, prepared = data
    ds = MultiHotDataset(prepared.train.to_scipy(), prepared.train.labels)
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert x.shape == (4, 26) and np.array_equal(x.numpy(), prepared.train.to_scipy().toarray()[:4])
    assert ds[5][0].shape == (26,) and int(ds[5][1]) == int(prepared.train.labels[5])


def test_reused_buffer_is_overwritten_by_the_next_batch(data):
    _, _, prepared = data
    for reuse in (True, False):
        it = iter(DataLoader(MultiHotDataset(prepared.train, reuse_buffer=reuse), batch_size=8))
        first = next(it).x
        before = first.clone()
        second = next(it).x
        assert (first.data_ptr() == second.data_ptr()) is reuse
        assert torch.equal(first, before) is not reuse  # a kept batch changes only with the reused buffer


def test_custom_dataloader_loop_trains_to_the_same_loss_as_the_built_in_loop(data):
    _, _, prepared = data
    cfg = TrainConfig(out=None, save_model=False, progress=False, epochs=3, batch_size=16, hidden=8, lr=0.01,
                      seed=7, device="cpu", input="dense")  # the autograd loop a user writes
    trained = {}
    result = run_prepared(cfg, prepared, trained=trained)

    # the user's loop: the same seed, model, optimizer and sampler, over a DataLoader
    torch.manual_seed(cfg.seed)
    model = OneHotMLP(prepared.train.n_features, cfg.hidden, 1)
    optimizer = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)
    sampler = RowBatchSampler(prepared.train.n_docs, cfg.batch_size, seed=cfg.seed)
    loader = DataLoader(MultiHotDataset(prepared.train), batch_sampler=sampler)
    losses = []
    for epoch in range(1, cfg.epochs + 1):
        sampler.set_epoch(epoch)
        total = 0.0
        for x, y in loader:
            loss = per_sample_loss(model(x), y)
            total += float(loss.detach().sum(dtype=torch.float64))
            optimizer.zero_grad(set_to_none=True)
            loss.mean().backward()
            optimizer.step()
        losses.append(total / prepared.train.n_docs)
    assert losses == pytest.approx([e["train_loss"] for e in result["epochs"]], rel=1e-9, abs=0)
    assert losses[-1] < losses[0] - 0.1
    for (name, a), b in zip(model.state_dict().items(), trained["model"].state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_bad_inputs_are_reported(data):
    _, _, prepared = data
    with pytest.raises(FastbowError, match="X should be a scipy.sparse matrix .* but got list"):
        MultiHotDataset([[0, 1]], [0])
    with pytest.raises(FastbowError, match="y is missing: pass the class ids, one per row of X"):
        MultiHotDataset(prepared.train.to_scipy())
    with pytest.raises(FastbowError, match="y should hold integer class ids"):
        MultiHotDataset(prepared.train.to_scipy(), ["neg"] * 90)
    with pytest.raises(DataError, match=r"labels must have shape \(90,\)"):
        MultiHotDataset(prepared.train.to_scipy(), [0, 1])
    with pytest.raises(IndexError, match=r"rows should be ids in \[0, 89\]"):
        MultiHotDataset(prepared.train).__getitems__([90])
    with pytest.raises(FastbowError, match="collate_multi_hot expects the output of MultiHotDataset"):
        collate_multi_hot([1, 2])


def test_vectorizer_output_feeds_the_dataset_directly():
    texts, labels = make_texts(10)
    X = BowVectorizer(vocab_size=20).fit_transform(texts)
    ds = MultiHotDataset(X, encode_labels(labels)[0])
    x, _ = next(iter(DataLoader(ds, batch_sampler=RowBatchSampler(len(ds), 5, shuffle=False))))
    assert np.array_equal(x.numpy(), X[:5].toarray())
    unsorted = sp.csr_matrix((np.ones(3, np.float32), np.array([2, 0, 2]), np.array([0, 2, 3])), shape=(2, 3))
    assert MultiHotDataset(unsorted, [0, 1])[0][0].tolist() == [1.0, 0.0, 1.0]
