"""Phase timing for training and profiling steps: honest on CPU and CUDA.

On CUDA, kernels run asynchronously, so a host clock read between two
launches measures only the launch (the course notebook's mistake, SEED.md
mistake 2). :class:`PhaseTimer` records a ``torch.cuda.Event`` at the end of
every phase and reads the elapsed times once, after one synchronization at the
end; on the CPU it reads ``time.perf_counter``. The host clock is read only at
synchronized boundaries (``start`` and ``stop``), so the phases add up to the
measured wall time: consecutive marks tile the whole interval.
"""
from __future__ import annotations

import time

import torch

PHASES = ("data", "transfer", "forward", "backward", "optimizer")


class PhaseTimer:
    """Accumulates seconds per named phase between ``start()`` and ``stop()``.

    Args:
        device (torch.device | str): where the timed work runs; CUDA uses events.

    Usage::

        timer = PhaseTimer(device); timer.start()
        for ...:
            rows = next(it);                timer.mark("data")
            ...;                            timer.mark("forward")
        seconds = timer.stop()   # {"data": s, ..., "total": s}, in seconds

    ``mark(name)`` charges the time since the previous mark (or ``start``) to
    ``name``. ``stop()`` synchronizes (a CPU–GPU sync point), so call it once
    per epoch, not per step.
    """

    def __init__(self, device):
        self.cuda = torch.device(device).type == "cuda"
        self._marks: list = []

    def _now(self):
        if self.cuda:
            ev = torch.cuda.Event(enable_timing=True)
            ev.record()
            return ev
        return time.perf_counter()

    def start(self) -> None:
        """Synchronize, then start the interval (host clock and first mark)."""
        if self.cuda:
            torch.cuda.synchronize()  # sync point: only at the interval's edge
        self._wall0 = time.perf_counter()
        self._marks = [(None, self._now())]

    def mark(self, phase: str) -> None:
        """Charge the time since the previous mark to ``phase`` (no synchronization)."""
        self._marks.append((phase, self._now()))

    def stop(self) -> dict:
        """Synchronize and return ``{phase: seconds, ..., "total": wall seconds}``.

        Every name in :data:`PHASES` is present (0.0 when never marked).
        ``total`` is the host wall time between ``start`` and ``stop``; the
        phases sum to it up to the (tiny) time between the last mark and ``stop``.
        """
        if self.cuda:
            torch.cuda.synchronize()  # sync point: read every event once
        wall = time.perf_counter() - self._wall0
        out = dict.fromkeys(PHASES, 0.0)
        for (_, prev), (name, cur) in zip(self._marks, self._marks[1:]):
            dt = prev.elapsed_time(cur) / 1000.0 if self.cuda else cur - prev
            out[name] = out.get(name, 0.0) + dt
        out["total"] = wall
        return out


def percentages(seconds: dict) -> dict:
    """Each phase of a :meth:`PhaseTimer.stop` result as % of ``total`` (``total`` itself excluded)."""
    total = seconds["total"] or 1e-12
    return {k: 100.0 * v / total for k, v in seconds.items() if k != "total"}
