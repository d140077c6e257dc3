"""Raw text input shared by every path that is not a table or an archive: bytes → clean texts.

``predict --file`` (and standard input) and ``predict TEXT`` go through here, so a byte order mark,
undecodable bytes, a binary file and blank texts are treated the same way everywhere:

- A leading UTF-8 byte order mark (``EF BB BF``, or the decoded U+FEFF) is dropped, from every
  line (``cat a.txt b.txt`` puts ``b.txt``'s mark in front of a later line); the table readers
  (``utf-8-sig``) and the IMDB reader do the same. Input that starts with a UTF-16 or UTF-32 byte
  order mark is decoded as such (Windows editors save "Unicode" text that way).
- Bytes that are not UTF-8 become U+FFFD; :func:`split_lines` counts the lines that needed it and
  the NUL bytes (a text file has none: many NULs mean a binary or UTF-16 file), so the caller can
  warn once with a count.
- :func:`blank_mask` flags texts that are empty or only whitespace: they hold no word, so a
  model's score for them is only its bias (0.53 on IMDB) and must not be reported as a prediction.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["BOM", "strip_bom", "decode", "Lines", "split_lines", "blank_mask", "describe_problems"]

BOM = "\ufeff"
_BOM_BYTES = b"\xef\xbb\xbf"


def strip_bom(text: str) -> str:
    """``text`` without one leading U+FEFF (byte order mark); anything else is kept."""
    return text[1:] if text.startswith(BOM) else text


def decode(raw: bytes) -> tuple[str, bool]:
    """UTF-8 ``raw`` → ``(text, had_bad_bytes)``; a leading BOM is dropped, bad bytes become U+FFFD."""
    raw = raw.removeprefix(_BOM_BYTES)
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


class Lines(NamedTuple):
    """What :func:`split_lines` read.

    Attributes:
        texts (list[str]): one text per line, BOM dropped from the first, ``\\r\\n`` ends accepted.
        n_bad (int): lines that held bytes that are not UTF-8 (replaced with U+FFFD).
        n_nul (int): NUL bytes in the input (0 for any text file).
    """

    texts: list
    n_bad: int
    n_nul: int


_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
              (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def split_lines(raw: bytes) -> Lines:
    """One text per line of ``raw`` (a final newline ends the last line; it does not start a new one)."""
    for bom, codec in _WIDE_BOMS:
        if raw.startswith(bom):
            try:
                raw = raw.decode(codec).encode("utf-8", "surrogatepass")  # then read as UTF-8 below
            except UnicodeDecodeError:
                pass  # not really UTF-16/32: read as bytes, and the NUL count says it looks binary
            break
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    texts, n_bad = [], 0
    for line in lines:
        text, bad = decode(line[:-1] if line.endswith(b"\r") else line)  # decode drops a BOM in front
        texts.append(text)
        n_bad += bad
    return Lines(texts, n_bad, raw.count(b"\x00"))


def describe_problems(lines: Lines, where: str) -> str | None:
    """One warning line for undecodable or binary input, or None when the input is clean text."""
    if lines.n_nul:
        return (f"{where} does not look like text ({lines.n_nul} NUL bytes; a binary or UTF-16 file?); "
                f"{lines.n_bad} of {len(lines.texts)} lines held bytes that are not UTF-8 and were replaced "
                "with U+FFFD; pass a UTF-8 text file")
    if lines.n_bad:
        return (f"{lines.n_bad} of {len(lines.texts)} lines of {where} held bytes that are not UTF-8; "
                "they were replaced with U+FFFD")
    return None


def blank_mask(texts) -> np.ndarray:
    """``(n,) bool``: True where a text is empty or only whitespace (after dropping a BOM)."""
    return np.fromiter((not strip_bom(t).strip() for t in texts), dtype=bool, count=len(texts))
