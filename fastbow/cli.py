"""What every ``python -m fastbow.<tool>`` shares: log lines on stdout, one-line errors, exit codes.

Exit status: 0 success; 2 bad input (a :class:`fastbow.errors.FastbowError`,
printed as ``error: <message>`` on stderr, or a file that cannot be read or written); 1 training diverged
(``FloatingPointError``); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
import threading
import warnings
from typing import Callable, NoReturn

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
    """Call ``fn()`` with logging set up and map its outcome to an exit status (see module doc).
    """
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
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


def exit_process(status: int) -> NoReturn:
    """End a command's process with exit status ``status``, skipping the interpreter's slow teardown.

    Called by each command's ``if __name__ == "__main__"`` block and by the ``fastbow`` console
    script, never by library code or by tests that call ``main()`` in-process.

    What runs first, as at any exit: the ``atexit`` handlers (``logging.shutdown`` flushes the log
    handlers; ``multiprocessing`` ends its pools), then the flush of stdout and stderr. Every file a
    command writes is closed before ``main`` returns (:mod:`fastbow.atomic`). What is skipped is the
    interpreter's teardown: four full garbage collections over the ~200k objects that torch, numba and
    triton keep (perf: 62 % of the exit time in ``gc_collect_main``), libtorch's C++ static destructors
    and the C-level ``Py_AtExit`` hooks; none of them writes anything of fastbow's. Measured on the
    2-core CPU (shared, loaded; issue 9, item 5): 3.2-5.0 s from ``wrote ...`` to the end of a
    ``python -m fastbow.train`` process before, under 0.1 s after. (``gc.freeze()`` at exit instead cut
    it to 0.6 s but leaves cyclic objects unfreed, and triton's nanobind bindings, which torch imports,
    then print hundreds of "leaked" lines.)

    When a non-daemon thread is still running, Python would wait for it: then this is a plain
    ``sys.exit(status)``.
    """
    if any(t is not threading.main_thread() and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (e.g. `| head`) or a closed stream: nothing left to write
            pass
    os._exit(status if isinstance(status, int) else 1)
