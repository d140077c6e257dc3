import pytest
import torch
from corpus import make_corpus

from fastbow.baselines.pipelines import (
    PIPELINES,
    build_pipeline,
    check_pipeline,
    profile_rows,
)
from fastbow.data.prepare import prepare
from fastbow.data.reader import read_imdb
from fastbow.errors import FastbowError
from fastbow.models.embedding_bag import SparseBagMLP
from fastbow.training.epoch import train_epoch


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = make_corpus(tmp_path_factory.mktemp("pl"), n_per_class=30)
    return prepare(folder, "words", 20, use_cache=False), read_imdb(folder)["train"].texts


@pytest.mark.parametrize("name", PIPELINES)
def test_every_pipeline_starts_from_the_same_weights_and_trains(data, name):
    p, texts = data
    pipe = build_pipeline(name, p, batch_size=16, hidden=8, optimizer="sgd", lr=0.1, seed=3, texts=texts)
    ref = build_pipeline("scatter", p, batch_size=16, hidden=8, seed=3).model
    model = pipe.model.to_dense() if isinstance(pipe.model, SparseBagMLP) else pipe.model
    assert torch.equal(model.fc1.weight, ref.fc1.weight) and torch.equal(model.fc2.weight, ref.fc2.weight)
    metrics, seconds = train_epoch(pipe.model, pipe.loader, pipe.optimizer, progress=False)
    assert metrics["n"] == 60 and seconds["total"] > 0
    assert pipe.state_bytes > 0


def test_sparse_pipeline_says_which_gradient(data):
    p, _ = data
    assert build_pipeline("sparse", p, optimizer="sgd").notes == ["EmbeddingBag table gradient: sparse (sgd)"]
    assert build_pipeline("sparse", p, optimizer="adam").model.bag.sparse is False


def test_dense_subset_is_noted(data):
    p, _ = data
    pipe = build_pipeline("notebook-dense", p, dense_rows=profile_rows(60, 20))
    assert pipe.state_bytes == 20 * 21 * 4 and "20 of 60 reviews" in pipe.notes[0]
    assert len(profile_rows(60, 1000)) == 60 and len(set(profile_rows(60, 20).tolist())) == 20


def test_bad_names_and_missing_texts(data):
    p, _ = data
    with pytest.raises(FastbowError, match="unknown pipeline 'fast'; choose one of: notebook-naive, "):
        check_pipeline("fast")
    with pytest.raises(FastbowError, match="'notebook-naive' needs the training reviews' texts"):
        build_pipeline("notebook-naive", p)
