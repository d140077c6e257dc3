"""What a notebook user sees during ``fit``: one line per epoch, progress bars, or nothing.

fastbow's library modules report through the ``fastbow`` logger, which the command lines
connect to stdout (:func:`fastbow.cli.setup_logging`). In Python nothing is connected, and
Python shows only warnings by default, so :func:`reporting` connects it for the duration of a
call: with ``verbose=True`` the ``fastbow`` INFO lines (data, device, one line per epoch) go to
``sys.stdout`` as bare messages — what Jupyter shows under the cell — unless the user has
set up logging already (a handler on ``fastbow`` or the root logger), which is then respected.
``verbose=False`` raises the logger's level to WARNING for the call: warnings still show.

Progress bars are ``tqdm.auto`` (:func:`fastbow.training.epoch.train_epoch`): a widget in
Jupyter (with ``ipywidgets``), text on a terminal, nothing when stdout is not a terminal.
"""
from __future__ import annotations

import logging
import sys
from contextlib import contextmanager

__all__ = ["reporting"]


class _Stdout(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at emit time (Jupyter replaces it per cell)."""

    def __init__(self):
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


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
    level, handler = logger.level, None
    if not verbose:
        logger.setLevel(logging.WARNING)
    elif not logger.hasHandlers():  # nobody set up logging: show our lines, bare, on stdout
        handler = _Stdout()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(level)
        if handler is not None:
            logger.removeHandler(handler)
