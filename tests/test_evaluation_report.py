"""fastbow.evaluation.report against scikit-learn's classification_report and confusion_matrix."""
import numpy as np
import pytest
from sklearn.metrics import classification_report as sk_report
from sklearn.metrics import confusion_matrix as sk_confusion

from fastbow.errors import FastbowError
from fastbow.evaluation.report import (
    classification_report,
    confusion_matrix,
    format_confusion,
    format_report,
)


def _check_equal(y_true, y_pred, classes):
    ours = classification_report(y_true, y_pred, classes)
    labels = list(range(len(classes)))
    sk = sk_report(y_true, y_pred, labels=labels, target_names=classes, output_dict=True, zero_division=0)
    for c in classes:
        for m, k in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score"), ("support", "support")):
            assert ours["per_class"][c][m] == pytest.approx(sk[c][k], abs=1e-12), (c, m)
    for ours_key, sk_key in (("macro_avg", "macro avg"), ("weighted_avg", "weighted avg")):
        for m, k in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score"), ("support", "support")):
            assert ours[ours_key][m] == pytest.approx(sk[sk_key][k], abs=1e-12), (ours_key, m)
    assert ours["confusion_matrix"] == sk_confusion(y_true, y_pred, labels=labels).tolist()
    if "accuracy" in sk:
        assert ours["accuracy"] == pytest.approx(sk["accuracy"], abs=1e-12)
    return ours


@pytest.mark.parametrize("seed,n_classes,n", [(0, 2, 1), (1, 2, 500), (2, 3, 97), (3, 5, 1000), (4, 7, 30)])
def test_equals_sklearn_on_random_predictions(seed, n_classes, n):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, n_classes, n))  # mostly right
    _check_equal(y_true, y_pred, [f"c{i}" for i in range(n_classes)])


def test_equals_sklearn_with_a_class_never_predicted_and_one_absent():
    # class 2 is never predicted (precision 0/0 -> 0), class 3 never occurs (support 0, recall 0/0 -> 0)
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 0, 1, 3])
    r = _check_equal(y_true, y_pred, ["a", "b", "c", "d"])
    assert r["per_class"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 3}
    assert r["per_class"]["b"]["precision"] == pytest.approx(2 / 4) and r["per_class"]["b"]["recall"] == 1.0
    assert r["per_class"]["d"]["support"] == 0 and r["accuracy"] == pytest.approx(3 / 7)
    assert r["confusion_matrix"][2] == [1, 1, 0, 1]


def test_confusion_rows_are_truth():
    assert confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1], 3).tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def test_text_tables():
    r = classification_report([0, 0, 1, 1], [0, 1, 1, 1], ["neg", "pos"])
    text = format_report(r)
    assert text.splitlines()[0].split() == ["class", "precision", "recall", "f1", "support"]
    assert text.splitlines()[1].split() == ["neg", "1.0000", "0.5000", "0.6667", "2"]
    assert "accuracy" in text and "macro avg" in text and "weighted avg" in text
    cm = format_confusion(r).splitlines()
    assert cm[1].split() == ["neg", "1", "1"] and cm[2].split() == ["pos", "0", "2"]


def test_bad_input_is_one_line_error():
    with pytest.raises(FastbowError, match=r"y_pred holds class ids outside \[0, 1\]"):
        classification_report([0, 1], [0, 2], ["a", "b"])
    with pytest.raises(FastbowError, match="1-D of the same length"):
        classification_report([0, 1], [0], ["a", "b"])
    with pytest.raises(FastbowError, match="evaluation set is empty"):
        classification_report(np.array([], dtype=np.int64), np.array([], dtype=np.int64), ["a", "b"])
