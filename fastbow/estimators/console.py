"""What a notebook user sees during ``fit``: one line per epoch, progress bars, or nothing.

fastbow's library modules report through the ``fastbow`` logger, which the command lines
connect to stdout (:func:`fastbow.cli.setup_logging`). In Python nothing is connected, and
Python shows only warnings by default, so :func:`reporting` connects it for the duration of a
call: with ``verbose=True`` the ``fastbow`` INFO lines (data, device, one line per epoch) go to
``sys.stdout`` as bare messages — what Jupyter shows under the cell — and, for that call, not to
the root logger's handlers (no line twice). To send them elsewhere, give the ``fastbow`` logger a
handler of your own: it is then used as it is. ``verbose=False`` raises the logger's level to
WARNING for the call: warnings still show.

Progress bars are ``tqdm.auto`` (:func:`fastbow.training.epoch.train_epoch`): a widget in
Jupyter (with ``ipywidgets``), text on a terminal, nothing when stdout is not a terminal.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from fastbow.cli import StdoutHandler

__all__ = ["reporting"]


@contextmanager
def reporting(verbose: bool):
    """Show (``verbose=True``) or hide the ``fastbow`` INFO lines inside the ``with`` block.

    Raises:
        FastbowError: ``verbose`` is not a bool.
    """
    from fastbow.errors import FastbowError

    if not isinstance(verbose, bool):
        raise FastbowError(f"verbose should be True or False, but got verbose={verbose!r}")
    logger = logging.getLogger("fastbow")
    level, propagate, handler = logger.level, logger.propagate, None
    if not verbose:
        logger.setLevel(logging.WARNING)
    elif not logger.handlers:  # nobody connected fastbow's logger: show its lines, bare, on stdout
        handler = StdoutHandler()  # writes to whatever sys.stdout is at emit time (Jupyter replaces it per cell)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    elif logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate
        if handler is not None:
            logger.removeHandler(handler)
