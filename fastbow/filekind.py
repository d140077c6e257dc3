"""Say what a file is from its first bytes, for error messages ("... is not a tar archive (it is HTML)").

Only the signatures of the formats a user is likely to pass by mistake are known; the answer is
for people, not for dispatch.
"""
from __future__ import annotations

import os

__all__ = ["describe_file"]

# (magic prefix, description), checked in order
_MAGIC = (
    (b"\x1f\x8b", "a gzip file"),
    (b"BZh", "a bzip2 file"),
    (b"\xfd7zXZ\x00", "an xz file"),
    (b"\x28\xb5\x2f\xfd", "a zstd file"),
    (b"PK\x03\x04", "a zip file"),
    (b"PK\x05\x06", "an empty zip file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip file"),
    (b"Rar!", "a RAR file"),
    (b"%PDF", "a PDF file"),
    (b"PAR1", "a Parquet file"),
    (b"\x80", "a Python pickle"),
    (b"\xef\xbb\xbf", "a UTF-8 text file with a byte order mark"),
    (b"\xff\xfe", "a UTF-16 text file"),
    (b"\xfe\xff", "a UTF-16 text file"),
)


def describe_file(path: str | os.PathLike, head: int = 512) -> str:
    """A short phrase for what ``path`` holds, e.g. ``"an empty file"``, ``"HTML"``, ``"a zip file"``.

    Reads at most ``head`` bytes. Never raises: an unreadable file is ``"unreadable (<reason>)"``.
    """
    try:
        with open(path, "rb") as f:
            start = f.read(head)
    except OSError as e:
        return f"unreadable ({e.strerror or e})"
    if not start:
        return "an empty file"
    for magic, what in _MAGIC:
        if start.startswith(magic):
            return what
    if len(start) > 262 and start[257:262] == b"ustar":
        return "a tar archive"
    low = start.lstrip().lower()
    if low.startswith((b"<!doctype html", b"<html")):
        return "HTML (a web page, perhaps an error page saved instead of the download)"
    if low.startswith((b"{", b"[")):
        return "JSON text"
    if b"\x00" in start:
        return "binary data of an unknown kind"
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(start) - 4:  # not just a character cut at the end of the sample
            return "binary data or text that is not UTF-8"
    return "plain text"
