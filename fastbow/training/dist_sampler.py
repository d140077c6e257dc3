"""Distributed batch sampler: each rank's share of every global batch of row ids, for ``torchrun`` runs.

Follows ``torch.utils.data.DistributedSampler``'s conventions (``num_replicas``, ``rank``,
``set_epoch``, the order a function of ``(seed, epoch)``), but where ``DistributedSampler``
pads the tail by repeating rows (or drops it), this sampler keeps **every row exactly once
per epoch** and the **same number of batches on every rank**, so that no rank waits in an
all-reduce that another never enters:

1. the epoch's global order is :meth:`fastbow.training.sampler.RowBatchSampler.order`'s
   (``torch.randperm`` seeded with ``seed * 1_000_003 + epoch``), so a run on N processes
   sees the same global batches as a run on one process with the same ``batch_size``;
2. it is cut into global batches of ``batch_size`` rows (the last one shorter, ``R`` rows);
3. each global batch of ``n`` rows is cut into ``num_replicas`` contiguous, nearly equal
   parts (``n // N`` rows, the first ``n % N`` ranks one more); rank ``r`` yields part ``r``.

Remainder: when the last global batch would hold fewer rows than there are ranks
(``0 < R < num_replicas``, so a rank would get an empty batch), its rows join the
previous global batch instead, which then has ``batch_size + R`` rows (only then does the
batch sequence differ from the one-process run's). Ranks' parts of one global batch may
differ by one row; :class:`fastbow.training.distributed.GlobalMeanGrad` weights each
rank's gradient by its share, so the step equals the one-process step on the whole global
batch. ``global_size`` gives the size of the global batch last yielded.
"""
from __future__ import annotations

from typing import Iterator

import torch
from torch.utils.data import Sampler

from fastbow.training.sampler import RowBatchSampler, _check_int


class DistributedRowBatchSampler(Sampler):
    """Rank ``rank``'s part of each global batch of row ids over ``n_rows`` rows.

    Args:
        n_rows (int): rows in the split, ≥ ``num_replicas``.
        batch_size (int): rows per **global** batch B (all ranks together), ≥ ``num_replicas``.
        num_replicas (int): number of ranks N (``WORLD_SIZE``), > 0.
        rank (int): this rank, in ``[0, num_replicas)``.
        shuffle (bool): random order per epoch (default) or ``0 .. n_rows-1`` in order.
        seed (int): base seed, as :class:`fastbow.training.sampler.RowBatchSampler`.

    Attributes:
        batch_size (int): the largest part a rank can get, ``ceil((B + N - 1) / N)`` rows
            (what a loader sizes its buffer by); ``global_batch_size`` is B.
        global_size (int): rows of the global batch whose part was yielded last (0 before).

    Yields:
        torch.Tensor: ``(b,) int64`` CPU row ids, ``1 ≤ b``; over an epoch the ranks' parts are
        disjoint and together hold every row once.

    Raises:
        ValueError: an argument has the wrong type or value (PyTorch's message shape).

    Example:
        >>> [[b.tolist() for b in DistributedRowBatchSampler(7, 4, num_replicas=2, rank=r, shuffle=False)]
        ...  for r in (0, 1)]
        [[[0, 1], [4, 5]], [[2, 3], [6]]]
    """

    def __init__(self, n_rows: int, batch_size: int, *, num_replicas: int, rank: int, shuffle: bool = True,
                 seed: int = 0):
        self.num_replicas = _check_int("num_replicas", num_replicas, 1)
        self.rank = _check_int("rank", rank, 0)
        if rank >= num_replicas:
            raise ValueError(f"rank should be in [0, num_replicas - 1] = [0, {num_replicas - 1}], but got rank={rank}")
        _check_int("n_rows", n_rows, 1)
        _check_int("batch_size", batch_size, 1)
        if n_rows < num_replicas:
            raise ValueError(f"n_rows should be at least num_replicas={num_replicas} (one row per rank), "
                             f"but got n_rows={n_rows}")
        if batch_size < num_replicas:
            raise ValueError(f"batch_size should be at least num_replicas={num_replicas} (it is the global batch, "
                             f"split across ranks), but got batch_size={batch_size}")
        self._order = RowBatchSampler(n_rows, batch_size, shuffle=shuffle, seed=seed)  # validates the rest
        self.n_rows, self.global_batch_size, self.shuffle, self.seed = n_rows, batch_size, shuffle, seed
        self.batch_size = -(-(batch_size + num_replicas - 1) // num_replicas)
        self.global_size = 0
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch whose order the next ``__iter__`` yields (as ``DistributedSampler``)."""
        self._order.set_epoch(epoch)
        self.epoch = epoch

    def global_bounds(self) -> list[int]:
        """Start of every global batch in the epoch's order, plus ``n_rows`` at the end (``len(self) + 1`` ints)."""
        B, N, n = self.global_batch_size, self.num_replicas, self.n_rows
        cuts = list(range(0, n, B)) + [n]
        if len(cuts) > 2 and 0 < n - cuts[-2] < N:
            del cuts[-2]  # the short tail joins the previous batch: no rank gets an empty batch
        return cuts

    def part(self, n: int) -> tuple[int, int]:
        """``(start, stop)`` of this rank's part within a global batch of ``n`` rows."""
        N, r = self.num_replicas, self.rank
        q, extra = divmod(n, N)
        start = r * q + min(r, extra)
        return start, start + q + (r < extra)

    def __iter__(self) -> Iterator[torch.Tensor]:
        order = self._order.order()            # (n_rows,) int64, the same on every rank
        cuts = self.global_bounds()
        for a, b in zip(cuts[:-1], cuts[1:]):
            start, stop = self.part(b - a)
            self.global_size = b - a
            yield order[a + start: a + stop]   # a view: no copy

    def __len__(self) -> int:
        """Batches per epoch, the same on every rank: global batches after the tail rule above."""
        return len(self.global_bounds()) - 1
