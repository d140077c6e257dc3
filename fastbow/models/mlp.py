"""The course notebook's model: ``Linear(V + 1, H) → ReLU → Linear(H, C)`` on multi-hot input.

C = 1 logit is trained with ``BCEWithLogitsLoss`` (the notebook's head); C ≥ 2
logits with ``CrossEntropyLoss`` on the raw logits — never on softmax outputs,
which would apply log-softmax twice (SEED.md, mistake 4).
"""
from __future__ import annotations

import torch
from torch import nn

from fastbow.options import DEFAULT_HIDDEN  # noqa: F401  (re-exported; defined without torch for the parsers)


def _check_positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return value


class OneHotMLP(nn.Module):
    """Two-layer MLP over multi-hot bag-of-words vectors.

    Args:
        n_features (int): V + 1, the multi-hot width (vocabulary plus the OOV slot).
        hidden (int): H, hidden units (default 200, as the notebook).
        n_logits (int): C, output logits: 1 for a binary head (``BCEWithLogitsLoss``)
            or the number of classes (``CrossEntropyLoss``).

    Attributes:
        input_dropout (float): probability of zeroing each input entry while training
            (inverted dropout, ``F.dropout``; default 0: off; set by ``--dropout``). It has no
            parameters, so the ``state_dict`` is the same with or without it.

    Shapes:
        ``forward(x)``: ``x (B, V + 1) float32`` → logits ``(B, C) float32``
        (explicitly 2-D, also for B = 1: nothing is squeezed).

    Example:
        >>> m = OneHotMLP(20_001, 200, 1)
        >>> sum(p.numel() for p in m.parameters())  # SEED.md: 4,000,601
        4000601
    """

    def __init__(self, n_features: int, hidden: int = DEFAULT_HIDDEN, n_logits: int = 1):
        super().__init__()
        _check_positive("n_features", n_features)
        _check_positive("hidden", hidden)
        _check_positive("n_logits", n_logits)
        self.fc1 = nn.Linear(n_features, hidden)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden, n_logits)

    @property
    def n_logits(self) -> int:
        """C, the number of output logits."""
        return self.fc2.out_features

    input_dropout = 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.input_dropout and self.training:
            x = nn.functional.dropout(x, self.input_dropout)  # (B, V+1), a new tensor: the loader's buffer is kept
        return self.fc2(self.relu(self.fc1(x)))  # (B, V+1) → (B, H) → (B, C)


def per_sample_loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-sample cross-entropy in nats, ``(B,) float32``, for either head.

    Args:
        logits (torch.Tensor): ``(B, C) float32``.
        y (torch.Tensor): ``(B,) int64`` class ids.

    For C = 1 this is ``BCEWithLogitsLoss`` with target ``y`` (the binary
    cross-entropy of ``sigmoid(logit)``); for C ≥ 2 ``CrossEntropyLoss`` on the
    logits. Both are the negative log-likelihood of the true class, so
    ``exp(mean)`` is the perplexity in both cases (2 for a coin flip).
    """
    if logits.shape[1] == 1:
        return nn.functional.binary_cross_entropy_with_logits(
            logits[:, 0], y.to(logits.dtype), reduction="none")
    return nn.functional.cross_entropy(logits, y, reduction="none")


def predict_classes(logits: torch.Tensor) -> torch.Tensor:
    """``(B,) int64`` predicted class ids: ``logit > 0`` for C = 1, ``argmax`` for C ≥ 2."""
    if logits.shape[1] == 1:
        return (logits[:, 0] > 0).long()
    return logits.argmax(dim=1)


def class_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """``(B, max(C, 2)) float32`` class probabilities: sigmoid for C = 1, softmax for C ≥ 2."""
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p, p], dim=1)
    return torch.softmax(logits, dim=1)


def parameter_table(model: nn.Module) -> list[tuple[str, tuple, int]]:
    """One ``(name, shape, count)`` row per parameter tensor, in registration order."""
    return [(n, tuple(p.shape), p.numel()) for n, p in model.named_parameters()]
