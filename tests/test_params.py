"""fastbow/estimators/params.py: scikit-learn's parameter rules without scikit-learn."""
import pytest

from fastbow.estimators.params import NotFittedError, ParamsMixin


class Toy(ParamsMixin):
    def __init__(self, b=1, a="x", c=None):
        self.b, self.a, self.c = b, a, c


def test_get_params_reads_the_signature_back_sorted():
    assert list(Toy(b=2).get_params()) == ["a", "b", "c"] and Toy(b=2).get_params() == {"a": "x", "b": 2, "c": None}


def test_set_params_sets_and_returns_self_and_rejects_unknown_names():
    t = Toy()
    assert t.set_params(a="y", c=[1]) is t and (t.a, t.c) == ("y", [1])
    with pytest.raises(ValueError, match=r"Invalid parameter 'd' for estimator Toy\(\)\. Valid parameters are: \['a', 'b', 'c'\]\."):
        t.set_params(d=1)


def test_repr_shows_only_changed_arguments():
    assert repr(Toy()) == "Toy()" and repr(Toy(c=3, b=1)) == "Toy(c=3)"


def test_not_fitted_is_a_value_and_attribute_error():
    with pytest.raises(NotFittedError, match=r"this Toy is not fitted yet; call fit\(texts\) first") as e:
        Toy()._check_fitted("vocab_")
    assert isinstance(e.value, ValueError) and isinstance(e.value, AttributeError)


def test_sklearn_clone_works_on_the_mixin():
    base = pytest.importorskip("sklearn.base")
    t = Toy(b=5)
    c = base.clone(t)
    assert c is not t and c.get_params() == t.get_params()
