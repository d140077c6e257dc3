"""Early stopping on a validation metric, and where a per-epoch curve turns up.

:class:`EarlyStopping` follows the usual rule (Keras ``EarlyStopping(patience=...,
restore_best_weights=True)``, Lightning's ``EarlyStopping``): watch a value that should fall
(fastbow watches validation perplexity), remember the weights of the best epoch, stop after
``patience`` epochs without improvement, and put the best weights back. It chooses on validation
only; the test split is never looked at (SEED.md, mistake 8).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from fastbow.errors import FastbowError


class EarlyStopping:
    """Stop when a monitored value has not fallen for ``patience`` epochs; keep the best weights.

    Args:
        patience (int): epochs without improvement tolerated before stopping, > 0.
        min_delta (float): an improvement must lower the best value by more than this (>= 0).

    Attributes:
        best_value (float): lowest value seen (``inf`` before the first step).
        best_epoch (int | None): epoch that gave it.
        should_stop (bool): ``patience`` epochs have passed since ``best_epoch``.

    Raises:
        FastbowError: ``patience`` is not a positive integer or ``min_delta`` is negative.

    Example:
        >>> es, m = EarlyStopping(patience=2), torch.nn.Linear(1, 1)
        >>> [es.step(v, e, m) for e, v in enumerate([1.5, 1.3, 1.4, 1.35], 1)], es.best_epoch, es.should_stop
        ([True, True, False, False], 2, True)
    """

    def __init__(self, patience: int, min_delta: float = 0.0):
        if isinstance(patience, bool) or not isinstance(patience, int) or patience <= 0:
            raise FastbowError(f"patience should be a positive integer value, but got patience={patience!r}")
        if not isinstance(min_delta, (int, float)) or not min_delta >= 0:
            raise FastbowError(f"min_delta should be a non-negative number, but got min_delta={min_delta!r}")
        self.patience, self.min_delta = patience, float(min_delta)
        self.best_value, self.best_epoch = math.inf, None
        self._best_state = None
        self._since_best = 0

    def step(self, value: float, epoch: int, model: torch.nn.Module) -> bool:
        """Record epoch ``epoch``'s value; returns True when it is a new best (weights copied)."""
        if value < self.best_value - self.min_delta:
            self.best_value, self.best_epoch, self._since_best = float(value), epoch, 0
            # a copy on the model's device; 16 MB for V = 20,000, H = 200
            self._best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            return True
        self._since_best += 1
        return False

    @property
    def should_stop(self) -> bool:
        """True once ``patience`` epochs in a row brought no improvement."""
        return self._since_best >= self.patience

    def state_dict(self) -> dict:
        """Tensors and plain values only (loadable with ``torch.load(weights_only=True)``), for checkpoints."""
        return {"best_value": self.best_value, "best_epoch": self.best_epoch, "since_best": self._since_best,
                "best_state": self._best_state}

    def load_state_dict(self, state: dict) -> None:
        """Continue from :meth:`state_dict` (``--resume``): same best epoch, weights and patience count."""
        self.best_value, self.best_epoch = float(state["best_value"]), state["best_epoch"]
        self._since_best, self._best_state = int(state["since_best"]), state["best_state"]

    def restore(self, model: torch.nn.Module) -> int | None:
        """Load the best epoch's weights into ``model``; returns that epoch (None before any step)."""
        if self._best_state is not None:
            model.load_state_dict(self._best_state)
        return self.best_epoch


def turn_epoch(values: Sequence[float]) -> int | None:
    """1-based epoch of a curve's minimum when the curve rises after it, else None.

    For a per-epoch test perplexity this is where overfitting shows (SEED.md, VI.4): the value is
    lowest at the returned epoch and higher at some later epoch. A curve whose minimum is its last
    point has not turned yet. Ties go to the earliest epoch.

    Example:
        >>> turn_epoch([1.6, 1.4, 1.35, 1.5, 1.9]), turn_epoch([2.0, 1.5, 1.2])
        (3, None)
    """
    vals = list(values)
    if not vals:
        return None
    i = min(range(len(vals)), key=vals.__getitem__)
    return i + 1 if any(v > vals[i] for v in vals[i + 1:]) else None
