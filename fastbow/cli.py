"""What every ``python -m fastbow.<tool>`` shares: log lines on stdout, one-line errors, exit codes.

Exit status: 0 success; 2 bad input (a :class:`fastbow.errors.FastbowError`,
printed as ``error: <message>`` on stderr, or a file that cannot be read or written); 1 training diverged
(``FloatingPointError``); 128 + the signal's number when stopped by a signal: 130 for Ctrl-C
(SIGINT), 143 for SIGTERM, with one line on stderr (see :class:`fastbow.training.interrupts.StopRequest`).
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import warnings
from typing import Callable

from .errors import FastbowError


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` with ``(default: X)`` after each flag, except where there is no default (``None``)."""

    def _get_help_string(self, action):
        if action.default is None or isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
            return action.help  # no value to show, or an on/off switch whose name says it
        return super()._get_help_string(action)


class _StdoutHandler(logging.StreamHandler):
    """A handler that writes to whatever ``sys.stdout`` is at emit time (so redirection and capture work)."""

    def __init__(self):
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def _format_warning(message, category, filename, lineno, line=None) -> str:
    """``warnings.formatwarning`` for the CLIs: one line, ``warning: <message>``."""
    return f"warning: {message}\n"


def setup_logging(level: int = logging.INFO) -> None:
    """Send the ``fastbow`` logger's records to stdout as bare messages, and warnings to
    stderr as one ``warning: ...`` line each, without source lines (idempotent)."""
    warnings.formatwarning = _format_warning
    logger = logging.getLogger("fastbow")
    logger.setLevel(level)
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        h = _StdoutHandler()
        h.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(h)


def run_cli(fn: Callable[[], object]) -> int:
    """Call ``fn()`` with logging set up and map its outcome to an exit status (see module doc)."""
    setup_logging()
    try:
        fn()
    except FastbowError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # a file or folder that cannot be read or written
        where = f" ({e.filename})" if e.filename and str(e.filename) not in str(e.strerror) else ""
        print(f"error: {e.strerror or e}{where}", file=sys.stderr)
        return 2
    except FloatingPointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        if not getattr(e, "announced", False):  # the stop handler already said what happens
            print("interrupted", file=sys.stderr)
        return 128 + int(getattr(e, "signum", signal.SIGINT))
    return 0
