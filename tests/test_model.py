import math

import pytest
import torch

from fastbow.models.mlp import (
    OneHotMLP,
    class_probabilities,
    parameter_table,
    per_sample_loss,
    predict_classes,
)


def test_parameter_table_matches_notebook_total():
    rows = parameter_table(OneHotMLP(20_001, 200, 1))
    assert [(n, s) for n, s, _ in rows] == [("fc1.weight", (200, 20001)), ("fc1.bias", (200,)),
                                           ("fc2.weight", (1, 200)), ("fc2.bias", (1,))]
    assert sum(c for *_, c in rows) == 4_000_601


def test_batch_of_one_keeps_two_dims():
    m = OneHotMLP(7, 3, 1)
    assert m(torch.zeros(1, 7)).shape == (1, 1)
    assert OneHotMLP(7, 3, 4)(torch.zeros(1, 7)).shape == (1, 4)


def test_losses_are_bce_and_cross_entropy_on_logits():
    logits1 = torch.tensor([[0.0], [2.0]])
    y = torch.tensor([1, 0])
    expected = torch.tensor([math.log(2), math.log(1 + math.exp(2))])
    assert torch.allclose(per_sample_loss(logits1, y), expected)
    logits2 = torch.tensor([[0.0, 0.0], [0.0, 2.0]])   # same model as a 2-logit head
    assert torch.allclose(per_sample_loss(logits2, y), expected)
    assert predict_classes(logits1).tolist() == [0, 1] and predict_classes(logits2).tolist() == [0, 1]
    assert torch.allclose(class_probabilities(logits1), class_probabilities(logits2))


@pytest.mark.parametrize("kw", [dict(n_features=0), dict(n_features=5, hidden=-1), dict(n_features=5, n_logits=True)])
def test_bad_sizes(kw):
    with pytest.raises(ValueError, match="should be a positive integer value"):
        OneHotMLP(**kw)
