"""Read labeled texts from a table file: CSV, TSV, JSON Lines or Parquet.

:func:`read_table` returns one :class:`fastbow.data.reader.Split`, the same type the
IMDB reader returns, so everything after reading (tokenizer, vocabulary, CSR)
is shared. The text and the label are taken from two named columns
(``--text-column``, default ``text``; ``--label-column``, default ``label``)::

    >>> split = read_table("reviews.csv")                 # doctest: +SKIP
    >>> split.texts[0], split.labels[0], split.classes    # doctest: +SKIP
    ('Great film.', 1, ('neg', 'pos'))

Formats, chosen by the file name's suffix (:data:`TABLE_SUFFIXES`):

- ``.csv`` / ``.tsv``: a header row naming the columns, then one row per
  document; Python's ``csv`` module with the ``excel`` / ``excel-tab`` dialect
  (fields may be quoted with ``"``, quotes doubled inside, newlines allowed
  inside quoted fields). Blank lines are skipped.
- ``.jsonl`` / ``.ndjson``: one JSON object per line; blank lines are skipped.
- ``.parquet`` / ``.pq``: read with pyarrow (``pip install pyarrow``), only the
  two columns.

Conventions:

- Documents keep the file's row order; ``doc_ids`` are ``"<file name>:<line>"``
  (``"<file name>:<row>"`` for Parquet, rows counted from 1 after the header).
- Labels are strings (JSON/Parquet integers and booleans become ``"3"``,
  ``"true"``), stripped of surrounding whitespace. The classes are the distinct
  labels sorted numerically when every label is an integer (``"2" < "10"``),
  else by string; label ``i`` is ``classes[i]``. The mapping depends only on
  the set of labels, never on row order.
- Bytes are decoded as UTF-8 (a leading byte order mark is dropped); a byte that is not UTF-8 (and a lone surrogate
  escape in JSON) becomes U+FFFD. Documents that needed it are counted in
  ``Split.n_decode_errors`` and reported with one ``UnicodeWarning``, as the
  folder reader does. An empty text is kept as the document ``""``.
"""
from __future__ import annotations

import csv
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np

from fastbow.data.reader import Split
from fastbow.errors import DataError

__all__ = ["TABLE_SUFFIXES", "is_table", "read_table", "sort_classes", "split_by_fraction"]

TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq")
_INT = re.compile(r"[+-]?\d+")
_SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes (surrogateescape) or lone JSON surrogates
csv.field_size_limit(2**31 - 1)  # a review may exceed the default 131,072 characters


def is_table(path: str | os.PathLike) -> bool:
    """True when ``path``'s suffix (case-insensitive) is one of :data:`TABLE_SUFFIXES`."""
    return Path(path).suffix.lower() in TABLE_SUFFIXES


def read_table(path: str | os.PathLike, text_column: str = "text", label_column: str = "label",
               *, classes: tuple[str, ...] | None = None) -> Split:
    """Read one table file into a :class:`~fastbow.data.reader.Split`.

    Args:
        path (str or PathLike): a ``.csv``, ``.tsv``, ``.jsonl``/``.ndjson`` or ``.parquet``/``.pq`` file.
        text_column (str): name of the column (JSON key) holding the text. Default ``"text"``.
        label_column (str): name of the column (JSON key) holding the class label. Default ``"label"``.
        classes (tuple of str, optional): use this label mapping (the training file's) instead of
            deriving one; a label outside it is an error.

    Returns:
        Split: ``texts`` (n_docs str), ``labels (n_docs,) int64``, ``classes`` (sorted as in the
        module doc), ``doc_ids``, ``n_decode_errors``.

    Raises:
        DataError: the file is missing, empty or malformed (the message names the line); a column is
            missing; a label is empty or not a string/integer; fewer than 2 classes (when ``classes``
            is not given); a label that is not in ``classes``; Parquet without pyarrow installed.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"table file {path} not found; pass --data PATH (or --test-file PATH) of a "
                        "CSV, TSV, JSONL or Parquet file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        rows = _read_csv(path, text_column, label_column, "excel-tab" if suffix == ".tsv" else "excel")
    elif suffix in (".jsonl", ".ndjson"):
        rows = _read_jsonl(path, text_column, label_column)
    elif suffix in (".parquet", ".pq"):
        rows = _read_parquet(path, text_column, label_column)
    else:
        raise DataError(f"{path} has suffix {path.suffix!r}, which is not a table; "
                        f"use one of {', '.join(TABLE_SUFFIXES)}")
    if not rows:
        raise DataError(f"table {path} has no rows; add one row per document below the header")
    return _build(path, rows, classes, label_column)


def split_by_fraction(split: Split, fraction: float, seed: int = 0) -> tuple[Split, Split]:
    """Carve a test split out of ``split``, stratified by class.

    From each class of ``n_c`` documents, ``round(n_c * fraction)`` documents, clamped to
    ``[1, n_c - 1]`` when ``n_c >= 2`` (a class of one document stays in train), are drawn with
    ``numpy.random.default_rng(seed)``; both parts keep the original document order. The split
    depends only on the data, ``fraction`` and ``seed`` (fastbow passes 0, not the training seed,
    so the test set stays the same when the training seed changes).

    Returns:
        tuple: ``(train, test)`` Splits with the same ``classes``; ``n_decode_errors`` stays with train.

    Raises:
        DataError: ``fraction`` is not in (0, 1), or the test part would be empty.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise DataError(f"test_fraction should be a number in (0, 1), but got test_fraction={fraction!r}")
    rng = np.random.default_rng(seed)
    test_rows = []
    for c in range(len(split.classes)):
        rows = np.flatnonzero(split.labels == c)  # (n_c,) int64, in document order
        if len(rows) < 2:
            continue
        k = min(max(int(round(len(rows) * fraction)), 1), len(rows) - 1)
        test_rows.append(rng.choice(rows, size=k, replace=False))
    is_test = np.zeros(len(split.labels), dtype=bool)
    if test_rows:
        is_test[np.concatenate(test_rows)] = True
    if not is_test.any():
        raise DataError(f"test_fraction={fraction} leaves no test documents ({len(split.labels)} documents); "
                        "add documents or pass --test-file PATH")

    def take(mask, n_decode_errors):
        idx = np.flatnonzero(mask)
        return Split([split.texts[i] for i in idx], split.labels[idx], split.classes,
                     [split.doc_ids[i] for i in idx], n_decode_errors)

    return take(~is_test, split.n_decode_errors), take(is_test, 0)


# ---------------------------------------------------------------------------- formats
# Each reader returns a list of (doc_id, text, raw_label, bad) with bad = the text or label held
# undecodable bytes; raw labels are still unvalidated Python values. CSV/TSV and JSONL are read by
# generators (_iter_csv, _iter_jsonl) that fastbow.data.stream_encode consumes in chunks.

STREAMABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")


def iter_table_rows(path, text_column: str = "text", label_column: str = "label"):
    """Yield ``(doc_id, text, raw_label, bad)`` per row of a CSV/TSV/JSONL file, one row at a time.

    The same rows, checks and messages as :func:`read_table`'s readers, without holding the file:
    ``bad`` says the text or label held bytes that are not UTF-8 (clean them with :func:`clean_text`).
    Labels are raw values (:func:`label_name` turns one into a class name).

    Raises:
        DataError: as :func:`read_table` (the message names the line); a suffix outside
            :data:`STREAMABLE_SUFFIXES`.
    """
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return _iter_csv(path, text_column, label_column, "excel-tab" if suffix == ".tsv" else "excel")
    if suffix in (".jsonl", ".ndjson"):
        return _iter_jsonl(path, text_column, label_column)
    raise DataError(f"{path} cannot be read row by row; use one of {', '.join(STREAMABLE_SUFFIXES)}")


def _missing_column(path: Path, kind: str, name: str, have) -> DataError:
    flag = "--text-column" if kind == "text" else "--label-column"
    return DataError(f"{path} has no {kind} column {name!r} (columns: {', '.join(map(repr, have)) or 'none'}); "
                     f"pass {flag} NAME")


def _read_csv(path: Path, text_column: str, label_column: str, dialect: str) -> list:
    return list(_iter_csv(path, text_column, label_column, dialect))


def _iter_csv(path: Path, text_column: str, label_column: str, dialect: str):
    try:
        with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as f:  # -sig: drop a BOM
            reader = csv.reader(f, dialect=dialect, strict=True)
            header = next(reader, None)
            if header is None:
                raise DataError(f"table {path} is empty; it needs a header row naming the "
                                f"{text_column!r} and {label_column!r} columns")
            header = [h.strip() for h in header]
            for kind, name in (("text", text_column), ("label", label_column)):
                if name not in header:
                    raise _missing_column(path, kind, name, header)
            ti, li = header.index(text_column), header.index(label_column)
            for fields in reader:
                line = reader.line_num
                if not fields:
                    continue  # a blank line
                if len(fields) != len(header):
                    raise DataError(f"{path} line {line} has {len(fields)} fields but the header has {len(header)}; "
                                    "quote fields that contain the delimiter")
                text, label = fields[ti], fields[li]
                yield f"{path.name}:{line}", text, label, _has_surrogate(text) or _has_surrogate(label)
    except csv.Error as e:
        raise DataError(f"{path} is not a valid {'TSV' if dialect == 'excel-tab' else 'CSV'} file "
                        f"(line {reader.line_num}: {e}); check its quoting") from None
    except OSError as e:
        raise DataError(f"cannot read {path} ({e.strerror or e}); check its permissions") from None


def _read_jsonl(path: Path, text_column: str, label_column: str) -> list:
    return list(_iter_jsonl(path, text_column, label_column))


def _iter_jsonl(path: Path, text_column: str, label_column: str):
    try:
        with open(path, "rb") as f:
            for line, raw in enumerate(f, 1):
                if line == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
                if not raw.strip():
                    continue
                s = raw.decode("utf-8", errors="surrogateescape")
                try:
                    obj = json.loads(s)
                except ValueError as e:
                    raise DataError(f"{path} line {line} is not valid JSON ({e}); write one JSON object per line") from None
                if not isinstance(obj, dict):
                    raise DataError(f"{path} line {line} is a JSON {type(obj).__name__}, not an object; "
                                    f'write one object like {{"{text_column}": ..., "{label_column}": ...}} per line')
                for kind, name in (("text", text_column), ("label", label_column)):
                    if name not in obj:
                        raise DataError(f"{path} line {line} has no key {name!r} (keys: "
                                        f"{', '.join(map(repr, obj)) or 'none'}); pass "
                                        f"{'--text-column' if kind == 'text' else '--label-column'} NAME")
                text = obj[text_column]
                if not isinstance(text, str):
                    raise DataError(f"{path} line {line}: text {text_column!r} is a JSON "
                                    f"{type(text).__name__}, not a string; quote it")
                label = obj[label_column]
                yield (f"{path.name}:{line}", text, label,
                       _has_surrogate(text) or (isinstance(label, str) and _has_surrogate(label)))
    except OSError as e:
        raise DataError(f"cannot read {path} ({e.strerror or e}); check its permissions") from None


def _read_parquet(path: Path, text_column: str, label_column: str) -> list:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(f"reading {path} needs pyarrow, which is not installed; "
                        "pip install pyarrow (or fastbow[parquet]), or convert the table to CSV or JSONL") from None
    try:
        schema = pq.read_schema(path)
        for kind, name in (("text", text_column), ("label", label_column)):
            if name not in schema.names:
                raise _missing_column(path, kind, name, schema.names)
        table = pq.read_table(path, columns=[text_column, label_column])
    except DataError:
        raise
    except Exception as e:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise DataError(f"{path} is not a readable Parquet file ({type(e).__name__}: {e}); write it again") from None
    texts, labels = table.column(text_column).to_pylist(), table.column(label_column).to_pylist()
    rows = []
    for i, (text, label) in enumerate(zip(texts, labels), 1):
        if isinstance(text, bytes):  # a binary column: decode like the other readers
            text = text.decode("utf-8", errors="surrogateescape")
        if not isinstance(text, str):
            raise DataError(f"{path}:{i}: text {text_column!r} is {text!r}, not a string; "
                            "fill or drop rows without text")
        if isinstance(label, bytes):
            label = label.decode("utf-8", errors="surrogateescape")
        rows.append((f"{path.name}:{i}", text, label,
                     _has_surrogate(text) or (isinstance(label, str) and _has_surrogate(label))))
    return rows


# ---------------------------------------------------------------------------- building


def _has_surrogate(s: str) -> bool:
    return _SURROGATE.search(s) is not None


def _clean(s: str) -> str:
    """Replace undecodable bytes / lone surrogates with U+FFFD (the string is then encodable)."""
    return _SURROGATE.sub("\ufffd", s)


def clean_text(s: str) -> str:
    """``s`` with undecodable bytes and lone surrogates replaced by U+FFFD (as :func:`read_table` does)."""
    return _clean(s)


def label_name(path, doc_id: str, value) -> str:
    """The class name of a raw label value (see the module doc); raises DataError as :func:`read_table`."""
    return _label_name(Path(path), doc_id, value)


def _label_name(path: Path, doc_id: str, value) -> str:
    where = f"{path}:{doc_id.rsplit(':', 1)[1]}"  # path:line (path:row for Parquet)
    if isinstance(value, bool):
        name = "true" if value else "false"
    elif isinstance(value, (int, np.integer)):
        name = str(int(value))
    elif isinstance(value, str):
        name = _clean(value).strip()
    elif value is None:
        raise DataError(f"{where}: the label is missing (null); give every row a class label")
    else:
        raise DataError(f"{where}: label {value!r} is a {type(value).__name__}; "
                        "labels must be strings or integers")
    if not name:
        raise DataError(f"{where}: the label is empty; give every row a class label")
    return name


def sort_classes(names) -> tuple[str, ...]:
    """Distinct label names, sorted numerically when all are integers, else as strings."""
    names = set(names)
    if all(_INT.fullmatch(n) for n in names):
        return tuple(sorted(names, key=lambda n: (int(n), n)))
    return tuple(sorted(names))


def _build(path: Path, rows: list, classes: tuple[str, ...] | None, label_column: str) -> Split:
    names = [_label_name(path, doc_id, label) for doc_id, _, label, _ in rows]
    if classes is None:
        classes = sort_classes(names)
        if len(classes) < 2:
            raise DataError(f"table {path} has {len(classes)} class(es) {list(classes)} in column "
                            f"{label_column!r}; need at least 2 distinct labels (is --label-column right?)")
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(names) - set(index))
    if unknown:
        raise DataError(f"table {path} has labels {unknown[:5]} that the training data does not have "
                        f"(classes: {', '.join(classes)}); use the same labels in both files")
    labels = np.fromiter((index[n] for n in names), dtype=np.int64, count=len(names))  # (n_docs,)
    texts = [_clean(t) if bad else t for _, t, _, bad in rows]
    n_bad = sum(bad for *_, bad in rows)
    if n_bad:
        warnings.warn(f"{n_bad} of {len(rows)} rows of {path} held bytes that are not UTF-8; "
                      "they were replaced with U+FFFD", UnicodeWarning, stacklevel=3)
    return Split(texts, labels, tuple(classes), [r[0] for r in rows], n_bad)
