"""What every ``python -m fastbow.<tool>`` shares: log lines on stdout, one-line errors, exit codes.

Exit status: 0 success; 2 bad input (a :class:`fastbow.errors.FastbowError`,
printed as ``error: <message>`` on stderr, or a file that cannot be read or written); 1 training diverged
(``FloatingPointError``); 128 + the signal's number when stopped by a signal: 130 for Ctrl-C
(SIGINT), 143 for SIGTERM, with one line on stderr (see :class:`fastbow.training.interrupts.StopRequest`).
"""
from __future__ import annotations

import argparse
import atexit
import logging
import os
import re
import signal
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


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` for fastbow's commands: whole flag names only, and one-line errors.

    ``allow_abbrev=False``: ``--epoch 1`` or ``--dat PATH`` are errors rather than silently read as
    ``--epochs``/``--data`` (a later flag sharing the prefix would change their meaning). A bad
    argument prints one line, ``error: <what> (see --help)``, with the closest flag for a typo,
    instead of argparse's usage block; exit status 2 as argparse's.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        import difflib

        hint = ""
        m = re.match(r"unrecognized arguments: (\S+)", message)
        if m and m.group(1).startswith("--"):
            flags = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
            close = difflib.get_close_matches(m.group(1).split("=")[0], flags, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
        self.exit(2, f"error: {message}{hint} (see {self.prog} --help)\n")


class StdoutHandler(logging.StreamHandler):
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
    if not any(isinstance(h, StdoutHandler) for h in logger.handlers):
        h = StdoutHandler()
        h.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(h)


def flag_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """``dest`` → the flag a user types (``"batch_size"`` → ``"--batch-size"``), for every option of ``parser``."""
    names = {}
    for action in parser._actions:  # argparse keeps no public list of actions
        longs = [o for o in action.option_strings if o.startswith("--")]
        if longs and action.dest not in names:
            names[action.dest] = longs[0]
    return names


def in_flag_terms(message: str, parser: argparse.ArgumentParser | None) -> str:
    """Rewrite Python parameter names in a library message into the CLI's flags.

    The library says ``batch_size should be a positive integer value, but got batch_size=0``
    (PyTorch's shape, right for API callers); a CLI user typed ``--batch-size 0``, so the CLI
    prints ``--batch-size should be a positive integer value, but got --batch-size 0``. Rewritten:
    ``name=value`` for every option, and bare ``name`` when it holds an underscore (an identifier,
    never an English word).
    """
    if parser is None:
        return message
    for dest, flag in sorted(flag_names(parser).items(), key=lambda kv: -len(kv[0])):
        message = re.sub(rf"(?<![\w.-]){re.escape(dest)}=", f"{flag} ", message)
        if "_" in dest:
            message = re.sub(rf"(?<![\w.-]){re.escape(dest)}(?![\w-])", flag, message)
        else:
            message = re.sub(rf"^{re.escape(dest)} should\b", f"{flag} should", message)
    return message


def drop_options(parser: argparse.ArgumentParser, *dests: str) -> None:
    """Remove the options stored in ``dests`` from ``parser`` (a command that reuses another's flags)."""
    for action in [a for a in parser._actions if a.dest in dests]:
        parser._remove_action(action)
        for group in parser._action_groups:
            if action in group._group_actions:
                group._group_actions.remove(action)
        for opt in action.option_strings:
            parser._option_string_actions.pop(opt, None)


def _terminate(signum, frame):
    """SIGTERM outside a training loop: unwind like Ctrl-C (``finally`` blocks run), exit 143."""
    e = KeyboardInterrupt()
    e.signum = signum
    raise e


def run_cli(fn: Callable[[], object], parser: argparse.ArgumentParser | None = None) -> int:
    """Call ``fn()`` with logging set up and map its outcome to an exit status (see module doc).

    With ``parser``, error messages name its flags rather than Python parameters (:func:`in_flag_terms`).
    """
    setup_logging()
    old_term = None
    if threading.current_thread() is threading.main_thread():
        old_term = signal.signal(signal.SIGTERM, _terminate)  # cleanups (--out lock, empty folder) still run
    try:
        fn()
    except FastbowError as e:
        print(f"error: {in_flag_terms(str(e), parser)}", file=sys.stderr)
        return 2
    except OSError as e:  # a file or folder that cannot be read or written
        where = f" ({e.filename})" if e.filename and str(e.filename) not in str(e.strerror) else ""
        print(f"error: {e.strerror or e}{where}", file=sys.stderr)
        return 2
    except FloatingPointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        signum = int(getattr(e, "signum", signal.SIGINT))
        if not getattr(e, "announced", False):  # the stop handler already said what happens
            print("interrupted" if signum == signal.SIGINT else f"terminated ({signal.Signals(signum).name})",
                  file=sys.stderr)
        return 128 + signum
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
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
