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
    with pytest.raises(ValueError, match="^no samples were evaluated; the split is empty$"):
        EpochMetrics().result()


def test_sums_in_float64_across_batches():
    # float32 running sums would give 1e8 + 1 = 1e8; per-sample losses are float32, the sums are not
    m = EpochMetrics()
    m.update(torch.tensor([1e8]), torch.ones(1, dtype=torch.bool))
    m.update(torch.tensor([1.0]), torch.zeros(1, dtype=torch.bool))
    assert m.result()["loss"] == (1e8 + 1) / 2 and m.result()["n"] == 2


@pytest.mark.parametrize("loss, ppl", [(699.5, math.exp(699.5)), (700.0, math.inf), (700.5, math.inf), (800.0, math.inf)])
def test_perplexity_overflows_to_inf_from_700_nats(loss, ppl):
    m = EpochMetrics()
    m.update(torch.full((2,), loss, dtype=torch.float64), torch.zeros(2, dtype=torch.bool))
    assert m.result()["perplexity"] == ppl


def test_update_does_not_keep_the_graph():
    w = torch.ones(3, requires_grad=True)
    m = EpochMetrics()
    m.update(w * 2, torch.ones(3, dtype=torch.bool))
    assert not m.loss_sum.requires_grad and m.result()["loss"] == 2.0
