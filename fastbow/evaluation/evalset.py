"""The labelled documents ``python -m fastbow.evaluate`` scores, encoded with a trained run's vocabulary.

=====================================  ==========================================================
``--data``                             evaluation set
=====================================  ==========================================================
IMDB archive, aclImdb-layout folder    its ``test/`` split (:func:`fastbow.data.reader.read_imdb`),
                                       the same documents the trainer's test figures come from
``.csv .tsv .jsonl .parquet`` table    the whole file (:func:`fastbow.data.tables.read_table`),
                                       columns ``--text-column`` / ``--label-column``
=====================================  ==========================================================

Class names are matched to the run's classes by name (a folder ``pos`` is the run's ``pos``); a
name the run does not know is an error, and classes absent from the file simply get support 0.
"""
from __future__ import annotations

import os

import numpy as np

from fastbow.data.csr import CSR, encode_csr
from fastbow.data.dataset import kind
from fastbow.data.reader import Split, read_imdb
from fastbow.data.tables import read_table
from fastbow.data.tokenize import get_tokenizer
from fastbow.data.vocab import Vocab
from fastbow.errors import DataError

__all__ = ["encode_split", "read_eval_split"]


def read_eval_split(path: str | os.PathLike, classes, text_column: str = "text",
                    label_column: str = "label") -> Split:
    """Read the evaluation set of ``path`` (see the module table) with labels in the run's numbering.

    Args:
        path: an IMDB archive, an aclImdb-layout folder, or a table file.
        classes (sequence of str): the run's class names; label ``i`` of the result is ``classes[i]``.
        text_column, label_column (str): table columns (only for table files).

    Returns:
        Split: ``texts``, ``labels (n,) int64`` indexing ``classes``, ``classes`` (the run's), ``doc_ids``.

    Raises:
        DataError: unreadable data (see the readers); a class name the run does not have; column
            flags given with a folder or archive.
    """
    classes = tuple(classes)
    if kind(path) == "table":
        return read_table(path, text_column, label_column, classes=classes)
    if (text_column, label_column) != ("text", "label"):
        raise DataError(f"--text-column/--label-column apply to table files, but --data {path} is a folder or "
                        "archive (labels come from its class folders); drop those flags")
    split = read_imdb(path, splits=("test",))["test"]
    index = {c: i for i, c in enumerate(classes)}
    unknown = [c for c in split.classes if c not in index]
    if unknown:
        raise DataError(f"{path} has class folders {unknown} that the run was not trained on "
                        f"(its classes: {', '.join(classes)}); evaluate on data with the run's classes")
    remap = np.array([index[c] for c in split.classes], dtype=np.int64)  # folder id → run id
    return Split(split.texts, remap[split.labels], classes, split.doc_ids, split.n_decode_errors)


def encode_split(split: Split, vocab: Vocab) -> CSR:
    """Tokenize ``split.texts`` with the vocabulary's tokenizer and encode them as CSR rows.

    Returns:
        CSR: ``indptr (n+1,) int64``, ``indices (nnz,) int32`` (sorted, unique per row, 0 = OOV),
        ``labels (n,) int64`` = ``split.labels``, ``n_features = vocab.n_features``.
    """
    tok = get_tokenizer(vocab.tokenizer)
    indptr, indices = encode_csr((tok(t) for t in split.texts), vocab)
    return CSR(indptr, indices, np.asarray(split.labels, dtype=np.int64), vocab.n_features)
