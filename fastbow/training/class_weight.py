"""Loss weights per class for imbalanced data: ``--class-weight balanced``.

``balanced`` gives class ``c`` the weight ``n_samples / (n_classes * count_c)`` over the training
rows — scikit-learn's definition (``sklearn.utils.class_weight.compute_class_weight("balanced", ...)``,
after King & Zeng 2001, "Logistic Regression in Rare Events Data"), which
``tests/test_class_weight.py`` checks against. Every class then carries the same total weight
``n_samples / n_classes``, and the weights average to 1 over the training rows, so the weighted loss
keeps the scale of the plain one (the learning rate needs no change).

The training step minimises ``mean_b(w[y_b] * loss_b)`` over a batch
(:func:`fastbow.training.epoch.train_epoch`); the reported losses, accuracies and perplexities stay
unweighted (the plain negative log-likelihood), so runs with and without weights compare directly.
"""
from __future__ import annotations

import numpy as np
import torch

from fastbow.errors import FastbowError

__all__ = ["CLASS_WEIGHTS", "balanced_weights", "check_class_weight", "class_weight_tensor"]

from fastbow.options import CLASS_WEIGHTS  # noqa: E402,F401  defined once, importable without torch


def check_class_weight(name) -> str:
    """Return ``name`` when it is one of :data:`CLASS_WEIGHTS`.

    Raises:
        FastbowError: any other value.
    """
    if name not in CLASS_WEIGHTS:
        raise FastbowError(f"unknown class_weight {name!r}; choose one of: {', '.join(CLASS_WEIGHTS)}")
    return name


def balanced_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """``n / (C * count_c)`` for each class ``c`` of ``labels``.

    Args:
        labels (np.ndarray): ``(n,) int64`` training class ids in ``[0, C)``.
        n_classes (int): C.

    Returns:
        np.ndarray: ``(C,) float64``.

    Raises:
        FastbowError: a class has no training rows (its weight would be infinite).

    Example:
        >>> balanced_weights(np.array([0, 0, 0, 1]), 2).tolist()
        [0.6666666666666666, 2.0]
    """
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=n_classes)  # (C,)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise FastbowError(f"--class-weight balanced needs training rows of every class, but class id(s) {missing} "
                           "have none; train on more rows or drop --class-weight")
    return len(labels) / (n_classes * counts.astype(np.float64))


def class_weight_tensor(name: str, labels: np.ndarray, n_classes: int, device) -> torch.Tensor | None:
    """The ``(C,) float32`` weights of ``name`` on ``device``, or None for ``"none"``.

    Raises:
        FastbowError: see :func:`check_class_weight` and :func:`balanced_weights`.
    """
    if check_class_weight(name) == "none":
        return None
    return torch.tensor(balanced_weights(labels, n_classes), dtype=torch.float32, device=device)
