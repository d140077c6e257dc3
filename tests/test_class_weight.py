"""--class-weight balanced: scikit-learn's weights, the weighted step, metrics.json."""
import json

import numpy as np
import pytest
import torch
from corpus import make_corpus, train_small
from sklearn.utils.class_weight import compute_class_weight

from fastbow.data.csr import CSR
from fastbow.errors import FastbowError
from fastbow.models.mlp import OneHotMLP
from fastbow.training.class_weight import (
    balanced_weights,
    check_class_weight,
    class_weight_tensor,
)
from fastbow.training.epoch import train_epoch
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler


@pytest.mark.parametrize("counts", [(3, 1), (10, 5, 1), (7, 7), (1, 2, 3, 4, 100)])
def test_balanced_equals_sklearn(counts):
    labels = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(0).shuffle(labels)
    ours = balanced_weights(labels, len(counts))
    sk = compute_class_weight("balanced", classes=np.arange(len(counts)), y=labels)
    np.testing.assert_allclose(ours, sk, rtol=1e-15)
    assert (ours * np.bincount(labels)).sum() == pytest.approx(len(labels))  # weights average to 1 over rows


def test_errors():
    with pytest.raises(FastbowError, match=r"class id\(s\) \[1\] have none; train on more rows or drop --class-weight"):
        balanced_weights(np.array([0, 0, 2]), 3)
    with pytest.raises(FastbowError, match="unknown class_weight 'auto'; choose one of: none, balanced"):
        check_class_weight("auto")
    assert class_weight_tensor("none", np.array([0, 1]), 2, "cpu") is None


def _one_sgd_step(rows_csr, class_weight):
    torch.manual_seed(0)
    model = OneHotMLP(rows_csr.n_features, 4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    loader = DeviceBatchLoader(rows_csr, RowBatchSampler(rows_csr.n_docs, rows_csr.n_docs, shuffle=False))
    metrics, _ = train_epoch(model, loader, opt, progress=False, class_weight=class_weight)
    return model, metrics


def test_weighted_step_is_mean_of_weight_of_true_class_times_loss():
    # two rows, classes 0 and 1; weights (2, 0): the step must equal a plain step on row 0 alone
    both = CSR(np.array([0, 2, 3]), np.array([1, 3, 2], dtype=np.int32), np.array([0, 1]), 5)
    first = CSR(np.array([0, 2]), np.array([1, 3], dtype=np.int32), np.array([0]), 5)
    weighted, m = _one_sgd_step(both, torch.tensor([2.0, 0.0]))
    plain, _ = _one_sgd_step(first, None)
    for a, b in zip(weighted.parameters(), plain.parameters()):
        torch.testing.assert_close(a, b)
    assert m["n"] == 2  # the reported metrics cover both rows, unweighted


def test_run_reports_the_weights(tmp_path):
    corpus = make_corpus(tmp_path, n_per_class=30)
    # make the training split imbalanced: drop 20 of the 30 'pos' reviews
    for p in sorted((corpus / "train" / "pos").iterdir())[:20]:
        p.unlink()
    assert train_small(corpus, tmp_path / "run", "--class-weight", "balanced") == 0
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert m["config"]["class_weight"] == "balanced"
    assert m["class_weights"] == pytest.approx({"neg": 40 / (2 * 30), "pos": 40 / (2 * 10)})
