"""Atomic file writes: a temporary file in the target's folder, fsync, then ``os.replace``.

Readers see either the old file or the complete new one, never a half-written
file; an exception (or Ctrl-C) while writing removes the temporary file and
leaves the target untouched. Two processes writing the same path race
harmlessly: the last rename wins and both files are complete.
"""
from __future__ import annotations

import json
import math
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
    if path.is_dir():
        raise IsADirectoryError(21, f"cannot write {path}: it is a folder; name a file", str(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise type(e)(e.errno, f"cannot write {path}: {e.strerror}", str(path)) from None
    os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the permissions open() would
    try:
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if "b" not in mode else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def finite_json(obj):
    """``obj`` with every non-finite float (inf, nan) replaced by ``None``, recursively.

    ``json.dump`` would write them as ``Infinity``/``NaN``, which strict JSON parsers reject
    (RFC 8259 has no such numbers); ``null`` marks a value that overflowed (e.g. a perplexity
    exp(loss) with loss > 709 nats).
    """
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_json(v) for v in obj]
    return obj


def write_json(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as indented, strict UTF-8 JSON (non-finite floats as ``null``), atomically."""
    with atomic_write(path, "w") as f:
        json.dump(finite_json(obj), f, indent=2, ensure_ascii=False, allow_nan=False)
        f.write("\n")
