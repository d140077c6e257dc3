import numpy as np
import pytest
import torch
from corpus import make_corpus

from fastbow.baselines.notebook import (
    NotebookDenseDataset,
    NotebookItemDataset,
    NotebookLoader,
)
from fastbow.data.prepare import prepare
from fastbow.data.reader import read_imdb
from fastbow.errors import FastbowError


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = make_corpus(tmp_path_factory.mktemp("nb"), n_per_class=25)
    return prepare(folder, "words", 20, use_cache=False), read_imdb(folder)["train"].texts


def test_both_datasets_give_fastbows_multi_hot_rows(data):
    p, texts = data
    want = p.train.to_scipy().toarray()
    item, dense = NotebookItemDataset(texts, p.train.labels, p.vocab), NotebookDenseDataset(p.train)
    assert len(item) == len(dense) == 50
    for i in (0, 17, 49):
        for ds in (item, dense):
            x, y = ds[i]
            assert x.dtype == torch.float32 and x.shape == (21,) and y.dtype == torch.int64
            assert np.array_equal(x.numpy(), want[i]) and int(y) == p.train.labels[i]
    assert dense.state_bytes() == 50 * 21 * 4


def test_dense_subset_keeps_the_given_rows(data):
    p, _ = data
    ds = NotebookDenseDataset(p.train, [3, 40])
    assert len(ds) == 2 and np.array_equal(ds[1][0].numpy(), p.train.to_scipy().toarray()[40])


def test_loader_adapter_batches_and_moves(data):
    p, texts = data
    loader = NotebookLoader(NotebookItemDataset(texts, p.train.labels, p.vocab), 16, "cpu", seed=1)
    assert len(loader) == 4 and loader.backend == "collate"
    batches = list(loader)
    assert [x.shape for x, _ in batches] == [(16, 21)] * 3 + [(2, 21)]
    assert sorted(torch.cat([y for _, y in batches]).tolist()) == sorted(p.train.labels.tolist())
    first = next(iter(loader.sampler))            # what train_epoch iterates: CPU batches
    assert loader.materialize(loader.to_device(first))[0].device.type == "cpu"


def test_mismatched_texts_and_labels(data):
    p, texts = data
    with pytest.raises(FastbowError, match=r"texts and labels differ in length \(3 vs 50\)"):
        NotebookItemDataset(texts[:3], p.train.labels, p.vocab)
