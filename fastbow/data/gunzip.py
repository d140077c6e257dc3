"""Inflate a gzip archive into memory in one C call: the archive reader's fast path.

``tarfile.open(path, "r:gz")`` parses the tar headers through ``gzip.GzipFile``, whose Python-level
``read``/``seek`` layers run once per header and per skipped member (100,009 headers and 50,000 skipped
``unsup`` reviews on IMDB). Inflating the whole archive first (one C call) and letting ``tarfile`` read
an in-memory ``io.BytesIO`` removes those layers: reading IMDB took about half the time in one run on the
shared 2-core CPU (``benchmarks/RESULTS.md``, section "e"; issue 9, item 6).

The inflater is python-isal's ``isal.igzip.decompress`` (Intel ISA-L, ~2x zlib; the optional
``fast`` extra of ``setup.py``) when it imports, else the standard library's ``gzip.decompress``. Both
read multi-member gzip files and give the same bytes. Archives larger than :data:`IN_MEMORY_LIMIT`
compressed bytes are not inflated in memory (``inflate`` returns ``None`` and the reader streams them
as before), so memory stays bounded: IMDB's 57 MB archive inflates to 216 MB of tar, freed after the scan.
"""
from __future__ import annotations

import gzip
import os
import zlib

try:  # optional: pip install isal (or fastbow[fast])
    from isal import igzip as _igzip
    from isal.isal_zlib import error as _isal_error
except ImportError:  # the standard library's inflater: same bytes, ~2x slower
    _igzip, _isal_error = None, zlib.error

IN_MEMORY_LIMIT = 512 * 2**20  # compressed bytes; larger archives are streamed instead
GZIP_MAGIC = b"\x1f\x8b"


def inflater() -> str:
    """The name of the inflater :func:`inflate` uses: ``"isal"`` or ``"zlib"``."""
    return "isal" if _igzip is not None else "zlib"


def inflate(path: str | os.PathLike, limit: int = IN_MEMORY_LIMIT) -> bytes | None:
    """The inflated bytes of the gzip file ``path``, or ``None`` when it is not gzip or is over ``limit`` bytes.

    Args:
        path (str | PathLike): a file; gzip is recognized by its magic bytes ``1f 8b``.
        limit (int): compressed size in bytes above which ``None`` is returned (the caller streams).

    Returns:
        bytes | None: the concatenated content of every gzip member.

    Raises:
        EOFError: the file ends inside a gzip member (truncated).
        zlib.error: the compressed data is corrupt (python-isal's error is re-raised as this one).
        OSError: the file cannot be read, or its gzip header is bad (``gzip.BadGzipFile``).
    """
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size > limit or f.read(2) != GZIP_MAGIC:
            return None
        f.seek(0)
        data = f.read()
    if _igzip is None:
        return gzip.decompress(data)
    try:
        return _igzip.decompress(data)
    except _isal_error as e:
        raise zlib.error(str(e)) from e
