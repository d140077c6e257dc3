"""In-memory texts and labels → :class:`fastbow.data.prepare.Prepared`, without touching disk.

What :func:`fastbow.data.prepare.prepare` does for a file, for Python lists: the same tokenizer,
vocabulary (built on the training texts only) and CSR encoding
(:func:`fastbow.data.parallel_encode.tokenize_count_encode`), so the arrays equal those of a
file holding the same texts. Used by :class:`fastbow.BowClassifier` and :class:`fastbow.BowVectorizer`.

Labels may be any hashable values of one kind — all ``str``, all integers (Python or NumPy,
``bool`` excluded), all ``bool`` or all real numbers — and are mapped to class ids ``0..C-1`` in
sorted order (scikit-learn's ``classes_`` convention, ``numpy.unique``). Mixing kinds (``1`` and
``"1"``) is an error rather than a silent merge or an arbitrary order.
"""
from __future__ import annotations

import math
import numbers
import time

import numpy as np

from fastbow.data.csr import CSR
from fastbow.data.parallel_encode import tokenize_count_encode
from fastbow.data.prepare import Prepared
from fastbow.data.tokenize import get_tokenizer
from fastbow.data.vocab import DEFAULT_VOCAB_SIZE, check_vocab_size
from fastbow.errors import FastbowError

__all__ = ["check_texts", "empty_csr", "encode_labels", "label_ids", "native", "prepare_texts"]


def check_texts(texts, name: str = "texts") -> list[str]:
    """``texts`` as a list of ``str`` (a list, tuple, NumPy array or pandas Series of strings).

    Raises:
        FastbowError: ``texts`` is a single string, not a sequence, or holds a non-string
            (the message gives the first bad position and its type).
    """
    if isinstance(texts, (str, bytes)):
        raise FastbowError(f"{name} should be a list of strings, but got a single {type(texts).__name__}; "
                           f"wrap it in a list: [{name}]")
    try:
        out = list(texts)
    except TypeError:
        raise FastbowError(f"{name} should be a list of strings, but got {type(texts).__name__}") from None
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise FastbowError(f"{name} should hold strings only, but {name}[{i}] is {type(t).__name__} "
                               f"({t!r:.40}); convert it with str() or drop it")
    return out


def _kind(label) -> str:
    if isinstance(label, (bool, np.bool_)):
        return "bool"
    if isinstance(label, str):
        return "str"
    if isinstance(label, numbers.Integral):
        return "int"
    if isinstance(label, numbers.Real):
        return "float"
    return type(label).__name__


def native(label):
    """A NumPy scalar as the Python value (``np.int64(3)`` → ``3``), so it can be saved in a checkpoint."""
    return label.item() if isinstance(label, np.generic) else label


def encode_labels(y, n_docs: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Class ids and sorted class values of the labels ``y``.

    Args:
        y (sequence): ``(n_docs,)`` hashable labels of one kind (see module doc).
        n_docs (int, optional): the number of texts; ``len(y)`` must equal it.

    Returns:
        tuple: ``ids (n_docs,) int64`` in ``[0, C)`` and ``classes (C,)`` (NumPy array of the
        sorted distinct labels, ``classes[ids[j]] == y[j]``).

    Raises:
        FastbowError: ``len(y) != n_docs``; ``y`` is empty, not one-dimensional, mixes label kinds,
            holds an unhashable or NaN label, or fewer than 2 distinct classes.

    Example:
        >>> ids, classes = encode_labels(["pos", "neg", "pos"])
        >>> ids.tolist(), classes.tolist()
        ([1, 0, 1], ['neg', 'pos'])
    """
    if isinstance(y, (str, bytes)):
        raise FastbowError("y should be a list of labels, one per text, but got a single string")
    values = [native(v) for v in (y.tolist() if isinstance(y, np.ndarray) else list(y))]
    if n_docs is not None and len(values) != n_docs:
        raise FastbowError(f"y should hold one label per text, but got {len(values)} labels for {n_docs} texts")
    if not values:
        raise FastbowError("y is empty; pass one label per text")
    kinds = {}
    for v in values:
        kinds.setdefault(_kind(v), v)
    if len(kinds) > 1:
        shown = ", ".join(f"{k} ({v!r})" for k, v in kinds.items())
        raise FastbowError(f"y mixes label types: {shown}; use one type for all labels "
                           "(e.g. all str: [str(v) for v in y])")
    kind = next(iter(kinds))
    if kind not in ("str", "int", "bool", "float"):
        try:
            hash(values[0])
        except TypeError:
            raise FastbowError(f"labels must be hashable (str or int), but got {kind} ({values[0]!r:.40})") from None
    if kind == "float" and any(math.isnan(v) for v in values):
        raise FastbowError("y holds NaN; every text needs a label")
    try:
        classes = sorted(set(values))
    except TypeError:
        raise FastbowError(f"labels of type {kind} cannot be sorted; use str or int labels") from None
    if len(classes) < 2:
        raise FastbowError(f"y holds a single class ({classes[0]!r}); a classifier needs at least 2")
    index = {c: i for i, c in enumerate(classes)}
    ids = np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
    arr = np.empty(len(classes), dtype=object)
    arr[:] = classes
    return ids, (arr.astype(type(classes[0])) if kind in ("str", "int", "bool", "float") else arr)


def label_ids(y, classes) -> np.ndarray:
    """Ids of the labels ``y`` in the known ``classes`` (``(n,) int64``).

    Raises:
        FastbowError: a label is not among ``classes`` (named, with the classes).
    """
    index = {native(c): i for i, c in enumerate(classes)}
    out = np.empty(len(y), dtype=np.int64)
    for j, v in enumerate(y):
        i = index.get(native(v))
        if i is None or _kind(native(v)) != _kind(native(classes[0])):
            raise FastbowError(f"label {v!r} (y[{j}]) is not one of the classes seen in fit: "
                               f"{[native(c) for c in classes]}")
        out[j] = i
    return out


def empty_csr(n_features: int) -> CSR:
    """A split of 0 documents: ``indptr = [0]``, no ids, no labels."""
    return CSR(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64), n_features)


def prepare_texts(train_texts, train_labels, test_texts=(), test_labels=(), *, classes,
                  tokenizer: str = "words", vocab_size: int = DEFAULT_VOCAB_SIZE,
                  workers: int | None = None) -> Prepared:
    """Tokenize, build the vocabulary on ``train_texts`` and encode both splits, in memory.

    Args:
        train_texts, test_texts (list[str]): the documents (``test_texts`` may be empty: a 0-row split).
        train_labels, test_labels (array-like of int): ``(n,)`` class ids in ``[0, len(classes))``
            (see :func:`encode_labels`).
        classes (sequence): label ``i`` is ``classes[i]``.
        tokenizer (str): a name from :data:`fastbow.data.tokenize.TOKENIZERS`; vocab_size (int): K.
        workers (int, optional): tokenizer processes (default: :func:`fastbow.data.parallel_encode.default_workers`).

    Returns:
        Prepared: ``cache_hit=False``, ``cache_path=None``; ``train``/``test`` as built by
        :func:`fastbow.data.prepare.prepare` for a file with these texts.

    Raises:
        FastbowError: unknown tokenizer, bad ``vocab_size``, or labels that do not fit the texts.
        DataError: the training texts hold no token (empty vocabulary).
    """
    get_tokenizer(tokenizer)
    check_vocab_size(vocab_size)
    t0 = time.perf_counter()
    vocab, (tr_ptr, tr_ix), (te_ptr, te_ix), _ = tokenize_count_encode(list(train_texts), list(test_texts),
                                                                       tokenizer, vocab_size, workers)
    labels = []
    for texts, y in ((train_texts, train_labels), (test_texts, test_labels)):
        y = np.asarray(y, dtype=np.int64).reshape(-1)
        if len(y) != len(texts) or (len(y) and (y.min() < 0 or y.max() >= len(classes))):
            raise FastbowError(f"labels should be {len(texts)} class ids in [0, {len(classes) - 1}], "
                               f"but got {len(y)} ids in [{y.min() if len(y) else '-'}, {y.max() if len(y) else '-'}]")
        labels.append(y)
    train = CSR(tr_ptr, tr_ix, labels[0], vocab.n_features).validate()
    test = CSR(te_ptr, te_ix, labels[1], vocab.n_features).validate()
    return Prepared(train, test, vocab, tuple(classes), False, None, time.perf_counter() - t0)
