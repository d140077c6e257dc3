"""Read unlabelled texts (and optional ids) from a table file, for ``python -m fastbow.predict --file``.

The same formats and conventions as :mod:`fastbow.data.tables` (which reads *labelled* tables for
training): ``.csv``/``.tsv`` with a header row (Python's ``csv`` module, ``excel``/``excel-tab``
dialect: quoted fields may hold commas, tabs and newlines), ``.jsonl``/``.ndjson`` (one object per
line), ``.parquet``/``.pq`` (pyarrow). Only ``text_column`` is required; ``id_column``, when given,
is passed through unchanged so that predictions can be joined back to the input.

Every record gives exactly one text, in file order: blank *lines* between records are not records
(as in :func:`fastbow.data.tables.read_table`), but an empty text field is kept as the text ``""``.
A leading byte order mark is dropped; bytes that are not UTF-8 become U+FFFD and are counted in one
``UnicodeWarning``.
"""
from __future__ import annotations

import csv
import json
import os
import re
import warnings
from pathlib import Path
from typing import NamedTuple

from fastbow.data.tables import TABLE_SUFFIXES, is_table
from fastbow.errors import DataError

__all__ = ["TextRows", "is_table", "read_texts"]

_SURROGATE = re.compile("[\ud800-\udfff]")


class TextRows(NamedTuple):
    """Texts of a table, in file order.

    Attributes:
        texts (list[str]): one per record (``n`` strings).
        ids (list | None): the ``id_column`` value of each record (``n`` values; str for CSV/TSV,
            the JSON or Parquet value otherwise), or None when no id column was asked for.
        where (list[str]): ``"<file name>:<line>"`` of each record (``:<row>`` for Parquet).
    """

    texts: list
    ids: list | None
    where: list


def _missing(path: Path, flag: str, name: str, have) -> DataError:
    return DataError(f"{path} has no column {name!r} (columns: {', '.join(map(repr, have)) or 'none'}); "
                     f"pass {flag} NAME")


def read_texts(path: str | os.PathLike, text_column: str = "text", id_column: str | None = None) -> TextRows:
    """Read ``text_column`` (and ``id_column``) of every record of the table ``path``.

    Args:
        path: a ``.csv``, ``.tsv``, ``.jsonl``/``.ndjson`` or ``.parquet``/``.pq`` file.
        text_column (str): column (JSON key) with the text. id_column (str, optional): column with an id.

    Returns:
        TextRows: ``texts``, ``ids`` (or None) and ``where``, one entry per record.

    Raises:
        DataError: missing or unreadable file, no records, a missing column, a record with the wrong
            number of fields, invalid JSON, a text that is not a string, Parquet without pyarrow.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"table file {path} not found; pass --file PATH of a CSV, TSV, JSONL or Parquet file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        rows = _csv(path, text_column, id_column, "excel-tab" if suffix == ".tsv" else "excel")
    elif suffix in (".jsonl", ".ndjson"):
        rows = _jsonl(path, text_column, id_column)
    elif suffix in (".parquet", ".pq"):
        rows = _parquet(path, text_column, id_column)
    else:
        raise DataError(f"{path} is not a table ({', '.join(TABLE_SUFFIXES)})")
    if not rows:
        raise DataError(f"table {path} has no records; add one row per text below the header")
    bad = sum(1 for _, t, _ in rows if _SURROGATE.search(t))
    if bad:
        warnings.warn(f"{bad} of {len(rows)} texts of {path} held bytes that are not UTF-8; "
                      "they were replaced with U+FFFD", UnicodeWarning, stacklevel=2)
    texts = [_SURROGATE.sub("\ufffd", t) for _, t, _ in rows]
    ids = [i for *_, i in rows] if id_column is not None else None
    return TextRows(texts, ids, [w for w, _, _ in rows])


def _csv(path: Path, text_column: str, id_column: str | None, dialect: str) -> list:
    rows = []
    try:
        with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as f:  # -sig: drop a BOM
            reader = csv.reader(f, dialect=dialect, strict=True)
            header = next(reader, None)
            if header is None:
                raise DataError(f"table {path} is empty; it needs a header row naming the {text_column!r} column")
            header = [h.strip() for h in header]
            for flag, name in (("--text-column", text_column), ("--id-column", id_column)):
                if name is not None and name not in header:
                    raise _missing(path, flag, name, header)
            ti = header.index(text_column)
            ii = header.index(id_column) if id_column is not None else None
            start = reader.line_num + 1
            for fields in reader:
                if not fields:
                    start = reader.line_num + 1
                    continue  # a blank line, not a record
                if len(fields) != len(header):
                    raise DataError(f"{path} line {start} has {len(fields)} fields but the header has "
                                    f"{len(header)}; quote fields that contain the delimiter")
                rows.append((f"{path.name}:{start}", fields[ti], fields[ii] if ii is not None else None))
                start = reader.line_num + 1
    except csv.Error as e:
        raise DataError(f"{path} is not a valid {'TSV' if dialect == 'excel-tab' else 'CSV'} file "
                        f"(line {reader.line_num}: {e}); check its quoting") from None
    except OSError as e:
        raise DataError(f"cannot read {path} ({e.strerror or e}); check its permissions") from None
    return rows


def _jsonl(path: Path, text_column: str, id_column: str | None) -> list:
    rows = []
    try:
        with open(path, "rb") as f:
            for line, raw in enumerate(f, 1):
                raw = raw.removeprefix(b"\xef\xbb\xbf") if line == 1 else raw
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw.decode("utf-8", errors="surrogateescape"))
                except ValueError as e:
                    raise DataError(f"{path} line {line} is not valid JSON ({e}); write one JSON object per line") from None
                if not isinstance(obj, dict):
                    raise DataError(f"{path} line {line} is a JSON {type(obj).__name__}, not an object; "
                                    f'write one object like {{"{text_column}": ...}} per line')
                for flag, name in (("--text-column", text_column), ("--id-column", id_column)):
                    if name is not None and name not in obj:
                        raise DataError(f"{path} line {line} has no key {name!r} (keys: "
                                        f"{', '.join(map(repr, obj)) or 'none'}); pass {flag} NAME")
                text = obj[text_column]
                if not isinstance(text, str):
                    raise DataError(f"{path} line {line}: text {text_column!r} is a JSON {type(text).__name__}, "
                                    "not a string; quote it")
                rows.append((f"{path.name}:{line}", text, obj[id_column] if id_column is not None else None))
    except OSError as e:
        raise DataError(f"cannot read {path} ({e.strerror or e}); check its permissions") from None
    return rows


def _parquet(path: Path, text_column: str, id_column: str | None) -> list:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(f"reading {path} needs pyarrow, which is not installed; pip install pyarrow "
                        "(or fastbow[parquet]), or convert the table to CSV or JSONL") from None
    try:
        names = pq.read_schema(path).names
        for flag, name in (("--text-column", text_column), ("--id-column", id_column)):
            if name is not None and name not in names:
                raise _missing(path, flag, name, names)
        cols = [text_column] + ([id_column] if id_column is not None and id_column != text_column else [])
        table = pq.read_table(path, columns=cols)
    except DataError:
        raise
    except Exception as e:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise DataError(f"{path} is not a readable Parquet file ({type(e).__name__}: {e}); write it again") from None
    texts = table.column(text_column).to_pylist()
    ids = table.column(id_column).to_pylist() if id_column is not None else [None] * len(texts)
    rows = []
    for i, (text, ident) in enumerate(zip(texts, ids), 1):
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="surrogateescape")
        if not isinstance(text, str):
            raise DataError(f"{path}:{i}: text {text_column!r} is {text!r}, not a string; fill or drop rows without text")
        rows.append((f"{path.name}:{i}", text, ident))
    return rows
