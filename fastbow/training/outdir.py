"""Guards on a run's output folder (``--out``): one writer at a time, and no unfinished run lost.

- :class:`OutLock` takes an exclusive ``fcntl.flock`` on ``OUT/.fastbow.lock`` for the whole run, so a
  second training into the same folder is refused at once instead of interleaving its files with
  the first's. The kernel drops the lock when the process ends in any way (crash, ``kill -9``,
  power loss on a local disk), so a crash never leaves the folder locked; a finished run removes
  the lock file, a crashed one may leave it, harmlessly. Where ``fcntl`` does not exist (Windows) the lock is not taken.
- :func:`check_unfinished` refuses a new run into a folder that holds an unfinished, resumable run
  (``checkpoint.pt`` without the ``model.pt`` that a finished run writes) unless ``--overwrite`` is
  given: a fresh run would otherwise delete the checkpoint that ``--resume`` needs.
"""
from __future__ import annotations

import os
from pathlib import Path

from fastbow.errors import FastbowError
from fastbow.training.checkpoint import CHECKPOINT

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

__all__ = ["LOCK_FILE", "OutLock", "check_unfinished", "is_unfinished"]

LOCK_FILE = ".fastbow.lock"


class OutLock:
    """An exclusive lock on the folder ``out`` (which must exist): :meth:`acquire` / :meth:`release`,
    or use it as a context manager.

    Raises:
        FastbowError: (``acquire``) another process holds the lock; the message names its pid and the fix.

    Example:
        >>> import tempfile
        >>> with OutLock(tempfile.mkdtemp()):
        ...     pass
    """

    def __init__(self, out: str | os.PathLike):
        self.path = Path(out) / LOCK_FILE
        self._fd = None

    def __enter__(self) -> "OutLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> "OutLock":
        """Take the lock without waiting; returns ``self``."""
        if fcntl is None:
            return self
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise FastbowError(f"another training run (pid {holder}) is writing to {self.path.parent}; wait for "
                                   "it to finish or pass another --out") from None
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # locked a file that its holder removed on release: lock the current one
        else:
            raise FastbowError(f"could not lock {self.path}: it keeps being replaced; pass another --out")
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Drop the lock and remove the lock file (idempotent); a crash leaves the file, never the lock."""
        if self._fd is not None:
            try:
                os.unlink(self.path)  # while still locked, so a newcomer creates a fresh file
            except OSError:
                pass
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def is_unfinished(out: str | os.PathLike) -> bool:
    """True when ``out`` holds ``checkpoint.pt`` but no ``model.pt`` (a run stopped before its end)."""
    out = Path(out)
    return (out / CHECKPOINT).is_file() and not (out / "model.pt").exists()


def check_unfinished(out: str | os.PathLike, overwrite: bool) -> None:
    """Refuse to start a new run in ``out`` over an unfinished one, unless ``overwrite``.

    Raises:
        FastbowError: ``out`` holds an unfinished run and ``overwrite`` is False.
    """
    if not overwrite and is_unfinished(out):
        raise FastbowError(f"{out} holds an unfinished run (a checkpoint without model.pt); continue it with "
                           f"python -m fastbow.train --resume {out}, or pass --overwrite to start a new run there")
