"""Stopping a training run early, on purpose (Ctrl-C) or not (divergence).

- :class:`StopRequest` turns SIGINT (Ctrl-C) and SIGTERM into a flag that the
  training loop reads between batches, so the run stops at a consistent point
  (after an optimizer step, never inside one) and can save a checkpoint. A
  second signal raises ``KeyboardInterrupt`` at once.
- :class:`Interrupted` carries where the loop stopped (batches done in the
  epoch and the epoch's running metrics) up to the code that saves.
- :class:`Diverged` reports the first step whose loss was NaN or infinite.
  :func:`check_finite` finds it from per-step losses kept on the device, so the
  hot loop has no extra host–device sync: one ``all()`` per epoch reads them.
"""
from __future__ import annotations

import math
import signal
import sys
import threading

import torch

__all__ = ["StopRequest", "Interrupted", "Diverged", "check_finite"]


class Interrupted(KeyboardInterrupt):
    """The loop stopped on request after ``batch`` complete batches of the current epoch.

    Attributes:
        batch (int): batches of this epoch already trained (0 ≤ batch < batches per epoch).
        metrics (fastbow.training.metrics.EpochMetrics): the epoch's running sums over those batches.
    """

    def __init__(self, batch: int, metrics):
        super().__init__(f"interrupted after batch {batch}")
        self.batch, self.metrics = batch, metrics


class Diverged(FloatingPointError):
    """The training loss became NaN or infinite.

    Attributes:
        batch (int | None): 1-based batch of the epoch whose mean loss was first non-finite
            (None if only the epoch's sum was).
        n_batches (int): batches per epoch.
        loss (float): that batch's mean loss (``nan``, ``inf`` or ``-inf``).
        lr (float): the learning rate in use.
    """

    def __init__(self, batch: int | None, n_batches: int, loss: float, lr: float):
        where = f"batch {batch} of {n_batches}" if batch is not None else "this epoch"
        super().__init__(f"training diverged: the loss became {loss} at {where} with lr={lr:g}; "
                         "lower --lr and train again")
        self.batch, self.n_batches, self.loss, self.lr = batch, n_batches, loss, lr


def check_finite(step_losses: list, start_batch: int, n_batches: int, lr: float, epoch_loss: float) -> None:
    """Raise :class:`Diverged` if a step loss or the epoch's loss is not finite.

    Args:
        step_losses (list of Tensor): mean loss of each step, 0-d float32 on the device, for the
            batches ``start_batch + 1, start_batch + 2, ...`` of the epoch.
        start_batch (int): batches done before the first entry (non-zero when resumed mid-epoch).
        n_batches (int): batches per epoch, for the message.
        lr (float): learning rate, for the message.
        epoch_loss (float): the epoch's sample-weighted loss so far (``nan`` allowed).

    Cost: one ``stack`` and one host–device sync.
    """
    if step_losses:
        finite = torch.isfinite(torch.stack(step_losses))  # (steps,) bool
        if not bool(finite.all()):  # sync point on CUDA
            i = int((~finite).nonzero()[0, 0])
            raise Diverged(start_batch + i + 1, n_batches, float(step_losses[i]), lr)
    if not math.isfinite(epoch_loss):
        raise Diverged(None, n_batches, epoch_loss, lr)


class StopRequest:
    """Context manager: while active, SIGINT/SIGTERM set :attr:`requested` instead of raising.

    Call the object (``stop()``) to read the flag. The first signal prints one line on stderr
    (the only one: the ``KeyboardInterrupt`` that leaves the block carries ``announced = True``,
    so the CLI adds no second line); a second signal raises ``KeyboardInterrupt`` immediately.
    Either way the ``KeyboardInterrupt`` leaving the block carries ``signum``, the first signal's
    number, so the CLI exits with ``128 + signum``: 130 for SIGINT, 143 for SIGTERM (the shell
    convention). Outside the main thread (where Python cannot install signal handlers) it does
    nothing and the flag stays False. The previous handlers are restored on exit.

    Example:
        >>> with StopRequest() as stop:
        ...     stop()
        False
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = False
        self.signum: int | None = None  # the first signal received
        self._old = {}

    def __call__(self) -> bool:
        return self.requested

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested, self.signum = True, signum
        again = "press Ctrl-C again" if signum == signal.SIGINT else f"send {signal.Signals(signum).name} again"
        start = "\n" if sys.stderr.isatty() else ""  # end a progress bar's line first
        print(f"{start}{signal.Signals(signum).name}: stopping after this batch to save a checkpoint "
              f"({again} to stop at once, without saving)", file=sys.stderr, flush=True)

    def __enter__(self) -> "StopRequest":
        if threading.current_thread() is threading.main_thread():
            for s in self.SIGNALS:
                self._old[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        for s, old in self._old.items():
            signal.signal(s, old)
        self._old.clear()
        if isinstance(exc, KeyboardInterrupt) and self.signum is not None:
            exc.signum, exc.announced = self.signum, True
