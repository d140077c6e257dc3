"""Per-class precision, recall, F1 and support, their averages, and the confusion matrix, from predictions.

Definitions (those of ``sklearn.metrics.classification_report`` and ``confusion_matrix``, which
``tests/test_evaluation_report.py`` checks them against; scikit-learn is only a test dependency):

- ``confusion[i, j]`` counts documents of true class ``i`` predicted as class ``j`` (rows: truth).
- For class ``c``: ``tp = confusion[c, c]``, precision ``tp / (predicted c)``, recall
  ``tp / (true c)`` (= ``support``), F1 ``2 tp / (2 tp + fp + fn)``, the harmonic mean of the two.
  A ratio whose denominator is 0 (a class never predicted, or absent from the data) is 0, as
  scikit-learn's ``zero_division="warn"`` default (without the warning).
- ``macro_avg``: the unweighted mean over all model classes, absent ones included;
  ``weighted_avg``: the mean weighted by support. ``accuracy`` = trace / n.
"""
from __future__ import annotations

import numpy as np

from fastbow.errors import FastbowError

__all__ = ["classification_report", "confusion_matrix", "format_confusion", "format_report"]

_METRICS = ("precision", "recall", "f1")


def _check(y_true, y_pred, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.ndim != 1 or t.shape != p.shape:
        raise FastbowError(f"y_true and y_pred should be 1-D of the same length, but got shapes {t.shape} and {p.shape}")
    if t.size and (not np.issubdtype(t.dtype, np.integer) or not np.issubdtype(p.dtype, np.integer)):
        raise FastbowError(f"class ids should be integers, but got dtypes {t.dtype} and {p.dtype}")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.size and (a.min() < 0 or a.max() >= n_classes):
            raise FastbowError(f"{name} holds class ids outside [0, {n_classes - 1}] "
                               f"(min {a.min()}, max {a.max()}); pass the model's classes")
    return t.astype(np.int64, copy=False), p.astype(np.int64, copy=False)


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts of (true, predicted) class pairs.

    Args:
        y_true, y_pred (array-like): ``(n,)`` integer class ids in ``[0, n_classes)``.
        n_classes (int): C.

    Returns:
        np.ndarray: ``(C, C) int64``; row ``i`` is true class ``i``, column ``j`` predicted class ``j``.

    Raises:
        FastbowError: shapes differ, ids are not integers or fall outside ``[0, C)``.

    Example:
        >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1], 3).tolist()
        [[1, 1, 0], [0, 1, 0], [0, 1, 0]]
    """
    t, p = _check(y_true, y_pred, n_classes)
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(num.shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def classification_report(y_true, y_pred, classes) -> dict:
    """Per-class and averaged precision / recall / F1 with support, accuracy and the confusion matrix.

    Args:
        y_true, y_pred (array-like): ``(n,)`` integer class ids, ``classes[i]`` names id ``i``.
        classes (sequence of str): the model's class names, C ≥ 1 (every one is reported, even
            when absent from ``y_true``).

    Returns:
        dict: ``classes`` (list of str), ``n`` (int), ``accuracy`` (fraction),
        ``per_class`` (``{name: {"precision", "recall", "f1", "support"}}``, fractions and int),
        ``macro_avg`` and ``weighted_avg`` (same keys, ``support`` = n), and ``confusion_matrix``
        (``C`` lists of ``C`` ints, rows = true class). JSON-ready (plain Python types).

    Raises:
        FastbowError: see :func:`confusion_matrix`; ``n`` = 0.
    """
    classes = [str(c) for c in classes]
    cm = confusion_matrix(y_true, y_pred, len(classes))  # (C, C) int64
    n = int(cm.sum())
    if n == 0:
        raise FastbowError("no documents to evaluate; the evaluation set is empty")
    tp = np.diag(cm)                                      # (C,)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)   # (C,) true and predicted counts
    per = {"precision": _ratio(tp, predicted), "recall": _ratio(tp, support),
           "f1": _ratio(2 * tp, support + predicted)}     # 2tp / (2tp + fp + fn)
    w = support / n
    return {
        "classes": classes, "n": n, "accuracy": float(tp.sum()) / n,
        "per_class": {c: {**{m: float(per[m][i]) for m in _METRICS}, "support": int(support[i])}
                      for i, c in enumerate(classes)},
        "macro_avg": {**{m: float(per[m].mean()) for m in _METRICS}, "support": n},
        "weighted_avg": {**{m: float((per[m] * w).sum()) for m in _METRICS}, "support": n},
        "confusion_matrix": cm.tolist(),
    }


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])])
    return "\n".join(line(r) for r in [header] + rows)


def format_report(report: dict, digits: int = 4) -> str:
    """The report as text, laid out like scikit-learn's: one row per class, then accuracy and the averages."""
    row = lambda name, d: [name] + [f"{d[m]:.{digits}f}" for m in _METRICS] + [f"{d['support']:,}"]
    rows = [row(c, report["per_class"][c]) for c in report["classes"]]
    rows.append(["accuracy", "", "", f"{report['accuracy']:.{digits}f}", f"{report['n']:,}"])
    rows += [row("macro avg", report["macro_avg"]), row("weighted avg", report["weighted_avg"])]
    return _table(["class", "precision", "recall", "f1", "support"], rows)


def format_confusion(report: dict) -> str:
    """The confusion matrix as a text table: rows are the true classes, columns the predicted ones."""
    classes, cm = report["classes"], report["confusion_matrix"]
    return _table(["true \\ predicted"] + classes, [[c] + [f"{v:,}" for v in r] for c, r in zip(classes, cm)])
