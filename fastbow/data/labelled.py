"""The labelled splits of any dataset, for the tools that inspect data rather than train on it (stats, profile).

Training needs a test split; ``stats`` and ``profile`` do not, so they also take a bare table:

================================================  =============================================
``--data``                                        splits
================================================  =============================================
IMDB archive / aclImdb-layout folder (any class   ``train`` and ``test`` (with ``--test-fraction``:
names)                                            the test part carved from ``train/``)
table with ``--test-file`` / ``--test-fraction``  ``train`` and ``test``, as the trainer reads them
table alone                                       ``train`` = every row of the file
================================================  =============================================

The vocabulary is always built on ``train`` (:func:`fastbow.data.vocab.build_vocab`), as in training.
"""
from __future__ import annotations

import os
import time

import numpy as np

from fastbow.data.csr import CSR
from fastbow.data.dataset import DataOptions, kind, read_dataset
from fastbow.data.parallel_encode import tokenize_count_encode
from fastbow.data.prepare import Prepared, prepare
from fastbow.data.reader import Split
from fastbow.data.tables import read_table

__all__ = ["has_test_split", "prepare_any", "read_splits"]


def has_test_split(path: str | os.PathLike, options: DataOptions | None = None) -> bool:
    """True when ``read_dataset(path, options)`` yields a test split (a folder/archive, or a table with
    ``test_file``/``test_fraction``)."""
    opts = options or DataOptions()
    return kind(path) == "imdb" or opts.test_file is not None or opts.test_fraction is not None


def read_splits(path: str | os.PathLike, options: DataOptions | None = None) -> dict[str, Split]:
    """Read the splits of ``path`` as in the module table.

    Returns:
        dict: ``{"train": Split[, "test": Split]}``; labels index the training split's ``classes``.

    Raises:
        DataError / FastbowError: see :func:`fastbow.data.dataset.read_dataset` and
            :func:`fastbow.data.tables.read_table`.
    """
    opts = (options or DataOptions()).validate()
    if has_test_split(path, opts):
        return read_dataset(path, opts)
    return {"train": read_table(path, opts.text_column, opts.label_column)}


def _empty_csr(n_features: int) -> CSR:
    return CSR(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64), n_features)


def prepare_any(path, tokenizer: str, vocab_size: int, *, options: DataOptions | None = None,
                use_cache: bool = True) -> Prepared:
    """:func:`fastbow.data.prepare.prepare` when ``path`` has a test split; for a bare table, its rows
    as the training split (tokenized each time, not cached) and an empty test split (0 documents).

    Raises:
        DataError / FastbowError: see :func:`read_splits` and :func:`fastbow.data.prepare.prepare`.
    """
    if has_test_split(path, options):
        return prepare(path, tokenizer, vocab_size, use_cache=use_cache, options=options)
    t0 = time.perf_counter()
    train = read_splits(path, options)["train"]
    vocab, (ptr, ix), _, _ = tokenize_count_encode(train.texts, [], tokenizer, vocab_size)
    csr = CSR(ptr, ix, train.labels, vocab.n_features).validate()
    return Prepared(csr, _empty_csr(vocab.n_features), vocab, tuple(train.classes), False, None,
                    time.perf_counter() - t0)
