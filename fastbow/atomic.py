"""Atomic file writes: a temporary file in the target's folder, fsync, then ``os.replace``.

Readers see either the old file or the complete new one, never a half-written
file; an exception (or Ctrl-C) while writing removes the temporary file and
leaves the target untouched. Two processes writing the same path race
harmlessly: the last rename wins and both files are complete.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None):
    """Context manager yielding a file object that replaces ``path`` on successful exit.

    Args:
        path: the target file; its folder must exist.
        mode (str): ``"wb"`` or ``"w"``.
        encoding (str, optional): for text mode; default UTF-8.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if "b" not in mode else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as indented UTF-8 JSON, atomically."""
    with atomic_write(path, "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")
