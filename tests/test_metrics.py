import math

import pytest
import torch

from fastbow.training.metrics import EpochMetrics


def test_sample_weighted_not_mean_of_batch_means():
    m = EpochMetrics()
    m.update(torch.full((5,), 1.2), torch.tensor([1, 1, 1, 0, 0], dtype=torch.bool))
    m.update(torch.full((3,), 1.3), torch.tensor([1, 0, 0], dtype=torch.bool))
    r = m.result()
    assert r["loss"] == pytest.approx(1.2375)          # not (1.2 + 1.3) / 2 = 1.25
    assert r["perplexity"] == pytest.approx(math.exp(1.2375))
    assert r["accuracy"] == 0.5 and r["n"] == 8


def test_perplexity_of_random_and_perfect_guesses():
    m = EpochMetrics()
    m.update(torch.full((4,), math.log(2)), torch.zeros(4, dtype=torch.bool))
    assert m.result()["perplexity"] == pytest.approx(2.0)
    m = EpochMetrics()
    m.update(torch.zeros(4), torch.ones(4, dtype=torch.bool))
    assert m.result()["perplexity"] == 1.0


def test_empty_raises():
    with pytest.raises(ValueError, match="no samples"):
        EpochMetrics().result()
