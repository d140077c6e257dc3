"""Batch sampler: yields batches of row ids (``(B,) int64`` tensors) for the scatter kernel.

Modelled on ``torch.utils.data.BatchSampler`` (eager validation with messages
of the same shape; ``bool`` rejected where an ``int`` is expected) but it
yields whole index tensors, built with one ``torch.randperm`` per epoch
instead of one Python int per item. The random order is a function of
``(seed, epoch)`` only — the FFCV convention — so a run can be resumed
exactly and two runs with the same seed see the same batches.
"""
from __future__ import annotations

from typing import Iterator

import torch
from torch.utils.data import Sampler


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = "positive integer" if minimum == 1 else "non-negative integer"
        raise ValueError(f"{name} should be a {kind} value, but got {name}={value!r}")
    return value


class RowBatchSampler(Sampler):
    """Batches of row ids over ``n_rows`` rows, shuffled per epoch or sequential.

    Args:
        n_rows (int): number of rows (documents) to draw from, > 0.
        batch_size (int): rows per batch B, > 0.
        shuffle (bool): random order per epoch (default) or ``0 .. n_rows-1`` in order.
        drop_last (bool): drop the last batch when it has fewer than ``batch_size`` rows.
        seed (int): base seed; epoch ``e`` uses a ``torch.Generator`` seeded with
            ``seed * 1_000_003 + e`` (independent of the global RNG).

    Yields:
        torch.Tensor: ``(B,) int64`` CPU row ids; the last batch may be shorter
        unless ``drop_last``.

    Raises:
        ValueError: an argument has the wrong type or value (PyTorch's message shape).

    Example:
        >>> s = RowBatchSampler(5, batch_size=2, shuffle=False)
        >>> len(s), [b.tolist() for b in s]
        (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(self, n_rows: int, batch_size: int, *, shuffle: bool = True, drop_last: bool = False,
                 seed: int = 0):
        self.n_rows = _check_int("n_rows", n_rows, 1)
        self.batch_size = _check_int("batch_size", batch_size, 1)
        if not isinstance(shuffle, bool):
            raise ValueError(f"shuffle should be a boolean value, but got shuffle={shuffle!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed should be an integer value, but got seed={seed!r}")
        self.shuffle, self.drop_last, self.seed = shuffle, drop_last, seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch whose order the next ``__iter__`` yields (as ``DistributedSampler``)."""
        self.epoch = _check_int("epoch", epoch, 0)

    def order(self) -> torch.Tensor:
        """``(n_rows,) int64`` row order of the current epoch."""
        if not self.shuffle:
            return torch.arange(self.n_rows, dtype=torch.int64)
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        return torch.randperm(self.n_rows, generator=g, dtype=torch.int64)

    def __iter__(self) -> Iterator[torch.Tensor]:
        order = self.order()
        stop = len(self) * self.batch_size if self.drop_last else self.n_rows
        if stop:  # split() returns views, no copy per batch; an empty tensor would split into one empty batch
            yield from order[:stop].split(self.batch_size)

    def __len__(self) -> int:
        """Batches per epoch: ``floor`` with ``drop_last``, else ``ceil`` of n_rows / batch_size."""
        if self.drop_last:
            return self.n_rows // self.batch_size
        return (self.n_rows + self.batch_size - 1) // self.batch_size
