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
  inside quoted fields). Blank lines are skipped. ``delimiter`` replaces the
  dialect's separator; ``quoting="none"`` makes ``"`` a plain character. A
  record that spans several lines, each of which would be a whole row without
  quoting, is refused: a stray ``"`` would otherwise swallow the rows between
  (TSV records on several lines also warn once with a count). A header that
  names a column twice (a JSON object with a key given twice) is an error.
- ``.jsonl`` / ``.ndjson``: one JSON object per line; blank lines are skipped.
- ``.parquet`` / ``.pq``: read with pyarrow (``pip install pyarrow``), only the
  two columns.

Conventions:

- Documents keep the file's row order; ``doc_ids`` are ``"<file name>:<line>"``, the line the
  record starts on (``"<file name>:<row>"`` for Parquet, rows counted from 1 after the header).
- Labels are strings (JSON/Parquet integers and booleans become ``"3"``,
  ``"true"``), stripped of surrounding whitespace; a whole number written as a
  float (``1.0``, ``"1.0"``: pandas writes integer labels that way next to
  NaNs) is that integer. One label written both as a JSON number and as a
  string (``1`` and ``"1"``) is an error, not one silently merged class. The classes are the distinct
  labels sorted numerically when every label is an integer (``"2" < "10"``),
  else by string; label ``i`` is ``classes[i]``. The mapping depends only on
  the set of labels, never on row order.
- Bytes are decoded as UTF-8 (a leading byte order mark is dropped; a UTF-16/32 byte order mark
  selects that encoding), or as ``encoding``; a byte that is not UTF-8 (and a lone surrogate
  escape in JSON) becomes U+FFFD. Documents that needed it are counted in
  ``Split.n_decode_errors`` and reported with one ``UnicodeWarning``, as the
  folder reader does. An empty text is kept as the document ``""``.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import logging
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
log = logging.getLogger("fastbow")
csv.field_size_limit(2**31 - 1)  # a review may exceed the default 131,072 characters


def is_table(path: str | os.PathLike) -> bool:
    """True when ``path``'s suffix (case-insensitive) is one of :data:`TABLE_SUFFIXES`."""
    return Path(path).suffix.lower() in TABLE_SUFFIXES


def read_table(path: str | os.PathLike, text_column: str = "text", label_column: str = "label",
               *, classes: tuple[str, ...] | None = None, delimiter: str | None = None,
               encoding: str = "utf-8", quoting: str = "minimal") -> Split:
    """Read one table file into a :class:`~fastbow.data.reader.Split`.

    Args:
        path (str or PathLike): a ``.csv``, ``.tsv``, ``.jsonl``/``.ndjson`` or ``.parquet``/``.pq`` file.
        text_column (str): name of the column (JSON key) holding the text. Default ``"text"``.
        label_column (str): name of the column (JSON key) holding the class label. Default ``"label"``.
        classes (tuple of str, optional): use this label mapping (the training file's) instead of
            deriving one; a label outside it is an error.
        delimiter (str, optional): CSV/TSV field separator, one character; default ``,`` for
            ``.csv`` and tab for ``.tsv``.
        encoding (str): text encoding of CSV/TSV/JSONL files (any Python codec name); default
            ``"utf-8"`` (a byte order mark is dropped).
        quoting (str): CSV/TSV quoting: ``"minimal"`` (fields may be quoted with ``"``, the
            default) or ``"none"`` (``"`` is an ordinary character, a record is one line).

    Returns:
        Split: ``texts`` (n_docs str), ``labels (n_docs,) int64``, ``classes`` (sorted as in the
        module doc), ``doc_ids``, ``n_decode_errors``.

    Raises:
        DataError: the file is missing, empty or malformed (the message names the line); a column is
            missing or named twice; a quoted field that swallows lines that look like rows; a label is
            empty, not a string/integer (a float only when whole, ``1.0`` → ``"1"``), or written both
            as a number and as a string; fewer than 2 classes (when ``classes`` is not given); a label
            that is not in ``classes``; Parquet without pyarrow installed.

    Logs (``fastbow`` logger, INFO) how many records were read from how many lines, so a count that
    does not match the file is visible; warns (``UserWarning``) when TSV records span several lines.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"table file {path} not found; pass --data PATH (or --test-file PATH) of a "
                        "CSV, TSV, JSONL or Parquet file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        dialect = "excel-tab" if suffix == ".tsv" else "excel"
        rows = _read_csv(path, text_column, label_column, dialect, delimiter, encoding, quoting)
    elif suffix in (".jsonl", ".ndjson"):
        rows = _read_jsonl(path, text_column, label_column, encoding)
    elif suffix in (".parquet", ".pq"):
        rows = _read_parquet(path, text_column, label_column)
    else:
        raise DataError(f"{path} has suffix {path.suffix!r}, which is not a table; "
                        f"use one of {', '.join(TABLE_SUFFIXES)}")
    if not rows:
        raise DataError(f"table {path} has no rows; add one row per document below the header")
    log.info("read %d records from %s", len(rows), path)
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
# undecodable bytes; raw labels are still unvalidated Python values.


STREAMABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")


def iter_table_rows(path, text_column: str = "text", label_column: str = "label"):
    """Yield ``(doc_id, text, raw_label, bad)`` per row of a CSV/TSV/JSONL file, one row at a time.

    The same rows, checks and messages as :func:`read_table`'s readers with their default dialect
    options, without holding the file: ``bad`` says the text or label held bytes that are not UTF-8
    (clean them with :func:`clean_text`). Labels are raw values (:func:`label_name` turns one into a
    class name; :func:`check_label_types` refuses one class written as two types).

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


def clean_text(s: str) -> str:
    """``s`` with undecodable bytes and lone surrogates replaced by U+FFFD (as :func:`read_table` does)."""
    return _clean(s)


def label_name(path, doc_id: str, value) -> str:
    """The class name of a raw label value (see the module doc); raises DataError as :func:`read_table`."""
    return _label_name(Path(path), doc_id, value)


def check_label_type(path, seen: dict, doc_id: str, value, name: str) -> None:
    """One row of :func:`read_table`'s check that a class is written as one type (``1`` and ``"1"`` would merge).

    Args:
        seen (dict): ``name -> (kind, doc_id)`` of each class's first row; updated here (start with ``{}``).

    Raises:
        DataError: as :func:`read_table`.
    """
    kind = _label_kind(value)
    first = seen.setdefault(name, (kind, doc_id))
    if first[0] != kind:
        raise DataError(f"{path}: label {name!r} is written as a {first[0]} ({first[1]}) and as a {kind} "
                        f"({doc_id}); they would merge into one class: write every label the same way")


def _missing_column(path: Path, kind: str, name: str, have) -> DataError:
    flag = "--text-column" if kind == "text" else "--label-column"
    glued = [c for c in have if isinstance(c, str) and any(d in c for d in "\t;|,")]
    if glued:  # one header cell holding several names: the file uses another separator
        sep = next(d for d in "\t;|," if d in glued[0])
        return DataError(f"{path} has no {kind} column {name!r}: its header cell {glued[0]!r} holds several names, "
                         f"so its fields are separated by {sep!r}; pass --delimiter {'tab' if sep == chr(9) else sep}")
    return DataError(f"{path} has no {kind} column {name!r} (columns: {', '.join(map(repr, have)) or 'none'}); "
                     f"pass {flag} NAME")


def _read_csv(path: Path, text_column: str, label_column: str, dialect: str, delimiter: str | None = None,
              encoding: str = "utf-8", quoting: str = "minimal") -> list:
    return list(_iter_csv(path, text_column, label_column, dialect, delimiter, encoding, quoting))


def _iter_csv(path: Path, text_column: str, label_column: str, dialect: str, delimiter: str | None = None,
              encoding: str = "utf-8", quoting: str = "minimal"):
    """The rows of a CSV/TSV file one at a time (see :func:`iter_table_rows`)."""
    n_rows = 0
    kind = "TSV" if dialect == "excel-tab" else "CSV"
    fmt = {"delimiter": delimiter} if delimiter else {}
    if quoting == "none":
        fmt |= {"quoting": csv.QUOTE_NONE, "escapechar": None}
    n_multiline, last = 0, 0
    encoding = _sniff(path, encoding)  # a UTF-16/32 byte order mark wins over the UTF-8 default
    enc = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding  # -sig: drop a BOM
    try:
        with open(path, encoding=enc, errors="surrogateescape", newline="") as f:
            physical: list[str] = []  # the lines of the record being read

            def lines():
                for raw_line in f:
                    physical.append(raw_line)
                    yield raw_line

            reader = csv.reader(lines(), dialect=dialect, strict=True, **fmt)
            header = next(reader, None)
            if header is None:
                raise DataError(f"table {path} is empty; it needs a header row naming the "
                                f"{text_column!r} and {label_column!r} columns")
            header = [h.strip() for h in header]
            dups = sorted({h for h in header if header.count(h) > 1})
            if dups:
                raise DataError(f"{path} names the column(s) {', '.join(map(repr, dups))} more than once in its "
                                "header; give every column its own name")
            for kind_, name in (("text", text_column), ("label", label_column)):
                if name not in header:
                    raise _missing_column(path, kind_, name, header)
            ti, li = header.index(text_column), header.index(label_column)
            last = reader.line_num
            physical.clear()
            for fields in reader:
                first, line, last = last + 1, reader.line_num, reader.line_num
                record, physical[:] = physical[:], []
                if not fields:
                    continue  # a blank line
                if line > first:  # a quoted field held line breaks
                    _check_swallowed(path, kind, record, first, line, len(header), reader.dialect)
                    n_multiline += 1
                if len(fields) != len(header):
                    raise DataError(f"{path} line {line} has {len(fields)} fields but the header has {len(header)}; "
                                    "quote fields that contain the delimiter")
                text, label = fields[ti], fields[li]
                n_rows += 1
                yield f"{path.name}:{first}", text, label, _has_surrogate(text) or _has_surrogate(label)
    except csv.Error as e:
        raise DataError(f"{path} is not a valid {kind} file (line {reader.line_num}: {e}); check its quoting"
                        + ("" if quoting == "none" else ", or pass --quoting none if its fields are not quoted")
                        ) from None
    except OSError as e:
        raise DataError(f"cannot read {path} ({e.strerror or e}); check its permissions") from None
    if n_multiline and kind == "TSV":
        warnings.warn(f"{n_multiline} of {n_rows} records of {path} span several lines inside quotes; "
                      "if this TSV does not quote fields, pass --quoting none", UserWarning, stacklevel=3)


def _check_swallowed(path: Path, kind: str, record: list, first: int, last: int, n_columns: int, dialect) -> None:
    """Refuse a record spread over lines that would each be a whole row if ``"`` were not a quote.

    A field that opens a quote and closes it lines later is legal CSV, and reviews hold line
    breaks. But when every line of the record, read without quoting, has exactly the header's
    number of fields, the file is ambiguous: most likely a text that starts with a stray ``"``,
    and the rows in between would be lost inside it as text.
    """
    if n_columns < 2:
        return
    plain = csv.reader(record, delimiter=dialect.delimiter, quoting=csv.QUOTE_NONE)
    if all(len(fields) == n_columns for fields in plain):
        raise DataError(
            f"{path} lines {first}-{last}: a quoted field opens on line {first} and closes on line {last}, "
            f"but each of these lines is a whole {kind} row by itself, and those rows would be lost; "
            f"close or double the quote on line {first}, or pass --quoting none if the fields are not quoted")


def _sniff(path: Path, encoding: str) -> str:
    """``encoding``, except that a UTF-8 default gives way to a UTF-16/32 byte order mark at the file's start."""
    if codecs.lookup(encoding).name != "utf-8":
        return encoding
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return encoding  # the reader reports it
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return codec
    return encoding


def _no_duplicate_keys(pairs):
    """``object_pairs_hook`` for json.loads: a dict, or ValueError naming keys given twice."""
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1}) if len(set(keys)) != len(keys) else []
    if dups:
        raise ValueError(f"key(s) {', '.join(map(repr, dups))} given twice in one object; give every key once")
    return dict(pairs)


def _read_jsonl(path: Path, text_column: str, label_column: str, encoding: str = "utf-8") -> list:
    return list(_iter_jsonl(path, text_column, label_column, encoding))


def _iter_jsonl(path: Path, text_column: str, label_column: str, encoding: str = "utf-8"):
    """The rows of a JSON Lines file one at a time (see :func:`iter_table_rows`)."""
    encoding = _sniff(path, encoding)
    name = codecs.lookup(encoding).name
    try:
        if name.startswith(("utf-16", "utf-32")):  # decoded whole, then read line by line as UTF-8
            text = path.read_text(encoding=encoding, errors="surrogateescape")
            f = io.BytesIO(text.encode("utf-8", "surrogateescape"))
            encoding = "utf-8"
        else:
            f = open(path, "rb")
        with f:
            for line, raw in enumerate(f, 1):
                if line == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
                if not raw.strip():
                    continue
                s = raw.decode(encoding, errors="surrogateescape")
                try:
                    obj = json.loads(s, object_pairs_hook=_no_duplicate_keys)
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
        dups = sorted({n for n in (text_column, label_column) if schema.names.count(n) > 1})
        if dups:
            raise DataError(f"{path} names the column(s) {', '.join(map(repr, dups))} more than once; "
                            "give every column its own name")
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


_WHOLE = re.compile(r"([+-]?\d+)\.0*")  # "1.0", "2.", "-3.00": a whole number that pandas wrote as a float


def _label_name(path: Path, doc_id: str, value) -> str:
    where = f"{path}:{doc_id.rsplit(':', 1)[1]}"  # path:line (path:row for Parquet)
    if isinstance(value, bool):
        name = "true" if value else "false"
    elif isinstance(value, (int, np.integer)):
        name = str(int(value))
    elif isinstance(value, (float, np.floating)) and float(value).is_integer():
        name = str(int(value))  # 1.0 (JSON, Parquet float column) is the class 1
    elif isinstance(value, str):
        name = _clean(value).strip()
        whole = _WHOLE.fullmatch(name)
        if whole:
            name = str(int(whole.group(1)))  # "1.0" (pandas writes int labels with NaNs as floats)
    elif value is None or (isinstance(value, (float, np.floating)) and value != value):
        raise DataError(f"{where}: the label is missing (null or NaN); give every row a class label")
    else:
        raise DataError(f"{where}: label {value!r} is a {type(value).__name__}"
                        f"{' that is not a whole number' if isinstance(value, float) else ''}; "
                        "labels must be strings or integers")
    if not name:
        raise DataError(f"{where}: the label is empty; give every row a class label")
    return name


def _label_kind(value) -> str:
    return "string" if isinstance(value, str) else "boolean" if isinstance(value, bool) else "number"


def _check_label_types(path: Path, rows: list, names: list) -> None:
    """Refuse labels that name one class but are written as different JSON/Parquet types (``1`` and ``"1"``)."""
    seen: dict[str, tuple[str, str]] = {}  # name -> (kind, doc_id) of its first row
    for (doc_id, _, value, _), name in zip(rows, names):
        check_label_type(path, seen, doc_id, value, name)


def class_index(path, names, classes, label_column: str) -> tuple[tuple[str, ...], dict]:
    """``(classes, {name: class id})`` for the label ``names`` of a table; ``classes`` None: from ``names``.

    Raises:
        DataError: fewer than 2 classes (when derived), or a name outside the given ``classes``.
    """
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
    return tuple(classes), index


def sort_classes(names) -> tuple[str, ...]:
    """Distinct label names, sorted numerically when all are integers, else as strings."""
    names = set(names)
    if all(_INT.fullmatch(n) for n in names):
        return tuple(sorted(names, key=lambda n: (int(n), n)))
    return tuple(sorted(names))


def _build(path: Path, rows: list, classes: tuple[str, ...] | None, label_column: str) -> Split:
    names = [_label_name(path, doc_id, label) for doc_id, _, label, _ in rows]
    _check_label_types(path, rows, names)
    classes, index = class_index(path, names, classes, label_column)
    labels = np.fromiter((index[n] for n in names), dtype=np.int64, count=len(names))  # (n_docs,)
    texts = [_clean(t) if bad else t for _, t, _, bad in rows]
    n_bad = sum(bad for *_, bad in rows)
    if n_bad:
        warnings.warn(f"{n_bad} of {len(rows)} rows of {path} held bytes that are not UTF-8; "
                      "they were replaced with U+FFFD", UnicodeWarning, stacklevel=3)
    return Split(texts, labels, tuple(classes), [r[0] for r in rows], n_bad)
