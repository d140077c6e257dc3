"""One entry point for every kind of dataset: :func:`read_dataset` picks the reader by path.

=====================================  =========================================================
``--data``                             reader
=====================================  =========================================================
a folder, ``.tar[.gz|.bz2|.xz]``, ...   :func:`fastbow.data.reader.read_imdb` (aclImdb layout, any class
                                       folder names; ``train/`` and ``test/`` splits)
``.csv .tsv .jsonl .ndjson``           :func:`fastbow.data.tables.read_table`, columns ``--text-column``
``.parquet .pq``                       and ``--label-column``; the test split from ``--test-file``
                                       or ``--test-fraction``
=====================================  =========================================================

``--test-fraction F`` also works for a folder or archive: the test split is
then carved from ``train/`` (stratified, fixed seed 0) and any ``test/`` folder
is ignored, so a corpus with only ``train/<class>/`` folders can be used.
The options that change what is read are bundled in :class:`DataOptions`, whose
:meth:`~DataOptions.key` goes into the CSR cache key (:func:`fingerprint`).
"""
from __future__ import annotations

import codecs
import dataclasses
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from fastbow.data.reader import Split, read_imdb
from fastbow.data.reader import fingerprint as path_fingerprint
from fastbow.data.tables import TABLE_SUFFIXES, is_table, read_table, split_by_fraction
from fastbow.errors import DataError, FastbowError

__all__ = ["DataOptions", "read_dataset", "fingerprint"]

_ARCHIVES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
from fastbow.options import QUOTING  # noqa: E402  --quoting: " quotes CSV/TSV fields, or is an ordinary character

SPLIT_SEED = 0  # seed of the --test-fraction split: independent of the training seed


@dataclass(frozen=True)
class DataOptions:
    """How to read a dataset beyond its path (the defaults read an aclImdb folder or archive as is).

    Attributes:
        text_column (str): table column (JSON key) with the text; default ``"text"``.
        label_column (str): table column (JSON key) with the class label; default ``"label"``.
        test_file (str | None): a second table file holding the test split.
        test_fraction (float | None): fraction of the training documents held out as the test split,
            stratified by class with :data:`SPLIT_SEED`; in (0, 1).
        delimiter (str | None): CSV/TSV field separator, one character (``"tab"`` or ``"\\t"`` for a
            tab); None: ``,`` for ``.csv``, tab for ``.tsv``.
        encoding (str): text encoding of CSV/TSV/JSONL files, a Python codec name; default ``"utf-8"``.
        quoting (str): CSV/TSV quoting, ``"minimal"`` (``"`` quotes fields) or ``"none"``.
        test_text_column, test_label_column (str | None): the test file's column names when they
            differ from the training file's; None: the same as ``text_column``/``label_column``.
    """

    text_column: str = "text"
    label_column: str = "label"
    test_file: str | None = None
    test_fraction: float | None = None
    delimiter: str | None = None
    encoding: str = "utf-8"
    quoting: str = "minimal"
    test_text_column: str | None = None
    test_label_column: str | None = None

    def validate(self) -> "DataOptions":
        """Check the option types and values; returns ``self``.

        Raises:
            FastbowError: an empty column name, a non-number fraction outside (0, 1), or both
                ``test_file`` and ``test_fraction`` given.
        """
        for name in ("text_column", "label_column", "test_text_column", "test_label_column"):
            v = getattr(self, name)
            if (v is not None or not name.startswith("test_")) and (not isinstance(v, str) or not v):
                raise FastbowError(f"{name} should be a non-empty column name, but got {name}={v!r}")
        d = self.field_delimiter()
        if d is not None and (len(d) != 1 or d in "\"\r\n"):
            raise FastbowError(f"delimiter should be one character other than a quote or a line break (or 'tab'), "
                               f"but got delimiter={self.delimiter!r}")
        try:
            codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            raise FastbowError(f"encoding should be a Python codec name such as 'utf-8' or 'cp1252', "
                               f"but got encoding={self.encoding!r}") from None
        if self.quoting not in QUOTING:
            raise FastbowError(f"quoting should be one of {', '.join(QUOTING)}, but got quoting={self.quoting!r}")
        f = self.test_fraction
        if f is not None and (isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 < f < 1):
            raise FastbowError(f"test_fraction should be a number in (0, 1), but got test_fraction={f!r}")
        if self.test_file is not None and f is not None:
            raise FastbowError("--test-file and --test-fraction are mutually exclusive; pass one of them")
        return self

    def field_delimiter(self) -> str | None:
        """The delimiter character: ``"tab"`` and ``"\\t"`` (as typed in a shell) mean a tab."""
        return "\t" if self.delimiter in ("tab", "\\t") else self.delimiter

    def table_options(self) -> dict:
        """Keyword arguments of :func:`fastbow.data.tables.read_table` for how the file is written."""
        return {"delimiter": self.field_delimiter(), "encoding": self.encoding, "quoting": self.quoting}

    def is_default(self) -> bool:
        """True when nothing beyond the path changes what is read."""
        return self == DataOptions()

    def key(self) -> str:
        """A string that identifies the options, for the cache key (the test file's content included)."""
        test_fp = ""
        if self.test_file is not None:
            if not Path(self.test_file).expanduser().is_file():
                raise DataError(f"--test-file {self.test_file} not found; pass an existing table file")
            test_fp = path_fingerprint(self.test_file)
        return (f"{self.text_column}\0{self.label_column}\0{test_fp}\0{self.test_fraction!r}\0{self.delimiter!r}"
                f"\0{self.encoding}\0{self.quoting}\0{self.test_text_column!r}\0{self.test_label_column!r}")


def kind(path: str | os.PathLike) -> str:
    """``"table"`` for a table file, ``"imdb"`` for a folder or tar archive.

    Raises:
        DataError: the path is a file of another type (the message lists the accepted ones).
    """
    p = Path(path)
    if p.is_dir() or p.name.lower().endswith(_ARCHIVES):
        return "imdb"
    if is_table(p):
        return "table"
    raise DataError(f"{p} is neither a folder, a tar archive ({', '.join(_ARCHIVES)}) nor a table file "
                    f"({', '.join(TABLE_SUFFIXES)}); pass one of those as --data")


def require_imdb_layout(path: str | os.PathLike, tool: str) -> None:
    """Refuse a table file for tools that read only the IMDB archive or an aclImdb-layout folder.

    Raises:
        DataError: ``path`` is a table file (the message names ``tool`` and what it reads).
    """
    if kind(path) == "table":
        raise DataError(f"python -m fastbow.{tool} reads the IMDB archive or a folder in the aclImdb layout, "
                        f"not a table like {path}; pass --data with one of those")


def read_dataset(path: str | os.PathLike, options: DataOptions | None = None) -> dict[str, Split]:
    """Read the train and test splits of ``path`` as described in the module docstring.

    Args:
        path (str or PathLike): the dataset (folder, archive or table file); must exist.
        options (DataOptions, optional): columns and where the test split comes from.

    Returns:
        dict: ``{"train": Split, "test": Split}`` with the same ``classes`` (the training split's).

    Raises:
        DataError: see :func:`fastbow.data.reader.read_imdb` and :func:`fastbow.data.tables.read_table`; a table
            without ``--test-file``/``--test-fraction``; ``--test-file`` with a folder or archive.
        FastbowError: bad options (:meth:`DataOptions.validate`).
    """
    opts = (options or DataOptions()).validate()
    if kind(path) == "imdb":
        if opts.test_file is not None:
            raise DataError(f"--test-file applies to table files, but --data {path} is a folder or archive "
                            "with its own test/ split; drop --test-file (or use --test-fraction)")
        if dataclasses.replace(opts, test_fraction=None) != DataOptions():
            raise DataError(f"--text-column/--label-column apply to table files (as do --delimiter, --encoding, "
                            f"--quoting and --test-text-column/--test-label-column), but --data {path} is a folder "
                            "or archive (labels come from its class folders); drop those flags")
        if opts.test_fraction is None:
            return read_imdb(path)
        train, test = split_by_fraction(read_imdb(path, splits=("train",))["train"], opts.test_fraction, SPLIT_SEED)
        return {"train": train, "test": test}
    train = read_table(path, opts.text_column, opts.label_column, **opts.table_options())
    if opts.test_file is not None:
        test = read_table(opts.test_file, opts.test_text_column or opts.text_column,
                          opts.test_label_column or opts.label_column, classes=train.classes, **opts.table_options())
        return {"train": train, "test": test}
    if opts.test_fraction is None:
        raise DataError(f"table {path} has no test split; pass --test-file PATH or --test-fraction F (e.g. 0.2)")
    train, test = split_by_fraction(train, opts.test_fraction, SPLIT_SEED)
    return {"train": train, "test": test}


def fingerprint(path: str | os.PathLike, options: DataOptions | None = None) -> str:
    """Hex sha256 identifying the data read by ``read_dataset(path, options)``, for cache keys.

    With default options this is :func:`fastbow.data.reader.fingerprint` of ``path`` (so existing IMDB
    cache keys are unchanged); otherwise it also covers the columns, the test file's content and the
    test fraction.

    Raises:
        DataError: ``path`` or the test file is missing.
    """
    fp = path_fingerprint(path)
    opts = options or DataOptions()
    if opts.is_default():
        return fp
    return hashlib.sha256(f"{fp}\0{opts.key()}".encode("utf-8", "surrogateescape")).hexdigest()
