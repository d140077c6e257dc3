import pytest
import torch

from fastbow.errors import FastbowError
from fastbow.training.early_stopping import EarlyStopping, turn_epoch


def test_stops_after_patience_and_restores_the_best_epoch():
    model = torch.nn.Linear(2, 1)
    es = EarlyStopping(patience=2)
    seen = []
    for epoch, value in enumerate([1.5, 1.3, 1.2, 1.25, 1.4], 1):
        torch.nn.init.constant_(model.weight, float(epoch))   # the weights "of" each epoch
        seen.append(es.step(value, epoch, model))
        if es.should_stop:
            break
    assert seen == [True, True, True, False, False] and epoch == 5
    assert es.best_epoch == 3 and es.best_value == 1.2
    assert es.restore(model) == 3
    assert model.weight.tolist() == [[3.0, 3.0]]


def test_min_delta_and_bad_patience():
    es = EarlyStopping(patience=1, min_delta=0.1)
    m = torch.nn.Linear(1, 1)
    assert es.step(1.0, 1, m) and not es.step(0.95, 2, m) and es.should_stop
    with pytest.raises(FastbowError, match="patience should be a positive integer value, but got patience=0"):
        EarlyStopping(0)


def test_turn_epoch():
    assert turn_epoch([1.6, 1.4, 1.35, 1.5, 1.9]) == 3
    assert turn_epoch([2.0, 1.5, 1.2]) is None          # still falling
    assert turn_epoch([1.0, 1.0, 1.1]) == 1             # ties: earliest
    assert turn_epoch([]) is None
