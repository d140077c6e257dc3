"""Walk an in-memory tar archive's members in one tight loop, or decline: the reader's fast path.

``tarfile`` builds a full ``TarInfo`` per header (13 fields parsed, checksum summed twice, names
decoded three times): on IMDB's 100,009 headers that is most of the archive's read time. :func:`scan_tar`
parses only what the reader needs (name, type, size) from headers of the plain kinds (regular files and
directories, ustar or GNU) and gives exactly what ``tarfile`` gives for them: the same names (``prefix``
joined, ``/`` stripped from directories, V7 directories as ``name/``), types and bytes
(``tests/test_tarscan.py`` compares both, property-based and on the real archive).

Anything else (links, long names, pax or sparse headers, base-256 numbers, a bad checksum, a truncated
header or member, bytes after the end block that are not zeros) makes it return ``None``, and the reader
then reads the archive with ``tarfile`` as before: unusual archives get ``tarfile``'s own handling and
error messages, never a second interpretation.
"""
from __future__ import annotations

from typing import NamedTuple

_BLOCK = 512
_ZERO = bytes(_BLOCK)
_REGULAR = (b"0", b"\0")  # REGTYPE, AREGTYPE; CONTTYPE and every other type decline
_DIR = b"5"


class Member(NamedTuple):
    """One archive member: ``name`` as ``tarfile`` gives it, whether it is a directory or a regular file,
    and a regular file's bytes (``b""`` for a directory)."""

    name: str
    is_dir: bool
    is_file: bool
    data: bytes


def _octal(field: bytes) -> int:
    """``tarfile.nti`` for the plain octal form (raises ValueError for anything else, e.g. base-256)."""
    if field[0] & 0x80:
        raise ValueError("base-256 number")
    text = field.split(b"\0", 1)[0].strip()
    return int(text, 8) if text else 0


def scan_tar(raw: bytes) -> list[Member] | None:
    """The members of the uncompressed tar ``raw`` in archive order, or ``None`` when it holds anything but
    plain regular files and directories in well-formed headers (then read it with ``tarfile``).

    Args:
        raw (bytes): the whole archive, uncompressed (e.g. :func:`fastbow.data.gunzip.inflate`).

    Returns:
        list[Member] | None: one entry per member, as ``tarfile`` would list them; ``None`` to decline.
    """
    members: list[Member] = []
    view = memoryview(raw)
    n, off = len(raw), 0
    while True:
        if off + _BLOCK > n:
            return None                               # no end-of-archive block: truncated
        hdr = raw[off:off + _BLOCK]
        if hdr == _ZERO:                              # end of archive (tarfile stops at the first zero block)
            return members if not raw[off:].strip(b"\0") else None
        try:
            chksum, size = _octal(hdr[148:156]), _octal(hdr[124:136])
        except ValueError:
            return None
        if chksum != sum(hdr) - sum(hdr[148:156]) + 8 * 32:  # the checksum field counts as 8 spaces
            return None
        kind = hdr[156:157]
        name = hdr[0:100].split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
        prefix = hdr[345:500].split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
        if kind == b"\0" and name.endswith("/"):
            kind = _DIR                               # V7 directory: a regular file named "name/"
        if kind == _DIR:
            name = name.rstrip("/")
        elif kind not in _REGULAR:
            return None                               # links, long names, pax, sparse, devices: tarfile's job
        if prefix:
            name = prefix + "/" + name
        if kind == _DIR:
            members.append(Member(name, True, False, b""))
            off += _BLOCK                             # tarfile skips no data blocks after a directory
            continue
        start = off + _BLOCK
        if start + size > n:
            return None                               # the member's bytes are cut off
        members.append(Member(name, False, True, bytes(view[start:start + size])))
        off = start + -(-size // _BLOCK) * _BLOCK
