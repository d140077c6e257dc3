"""Subsets of a split and a stratified validation split, as row ids of a :class:`fastbow.data.csr.CSR`.

The notebook's exercise I.3 trains on ``list(IMDB(split='train'))[:200]`` and reads 100% test
accuracy: the first 200 reviews all belong to one class (SEED.md, I.3). fastbow's reader orders
documents by label (``neg`` then ``pos``), so ``--subset first`` reproduces the trap and
:func:`warn_if_single_class` says so loudly; ``balanced`` and ``random`` fix it.

Modes of :func:`subset_rows` (``n`` rows out of a split of ``len(labels)`` rows):

``first``     rows ``0 .. n-1`` in stored order (label, then review id).
``balanced``  the first ``n // C`` rows of each of the C classes in stored order (the notebook's
              I.3.b fix: first 100 positives + first 100 negatives); the ``n % C`` remaining rows go
              one each to the lowest class ids.
``random``    ``n`` rows drawn without replacement, seeded.

Every function returns row ids **sorted ascending**, so a subset keeps the stored (label-sorted)
order: training without shuffling still sees one class after the other, as the notebook did
(exercise III). Randomness comes from ``numpy.random.default_rng((seed, stream))``, independent of
torch's global generator: the same seed gives the same rows.
"""
from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from fastbow.data.csr import CSR
from fastbow.errors import FastbowError
from fastbow.options import SUBSET_MODES  # noqa: F401  (re-exported; defined without numpy for the parsers)

_SUBSET_STREAM, _VAL_STREAM = 1, 2  # independent random streams per purpose, for the same seed


def _check_size(name: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise FastbowError(f"{name} should be a positive integer value, but got {name}={n!r}")
    return int(n)


def check_subset_args(train_size=None, test_size=None, subset: str = "balanced", val_fraction: float = 0.0) -> None:
    """Validate the subset and validation settings before any slow work.

    Raises:
        FastbowError: a size is not a positive integer (or None), ``subset`` is not one of
            ``SUBSET_MODES``, or ``val_fraction`` is not in [0, 1).
    """
    if train_size is not None:
        _check_size("train_size", train_size)
    if test_size is not None:
        _check_size("test_size", test_size)
    if subset not in SUBSET_MODES:
        raise FastbowError(f"unknown subset mode {subset!r}; choose one of: {', '.join(SUBSET_MODES)}")
    if (isinstance(val_fraction, bool) or not isinstance(val_fraction, (int, float))
            or not 0 <= val_fraction < 1):
        raise FastbowError(f"val_fraction should be a number in [0, 1), but got val_fraction={val_fraction!r}")


def class_counts(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """``(n_classes,) int64`` number of rows per class id of ``labels ((n,) int64)``."""
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=n_classes)[:n_classes]


def subset_rows(labels: np.ndarray, n: int, mode: str, *, n_classes: int | None = None, seed: int = 0) -> np.ndarray:
    """Pick ``n`` rows of a split by ``mode`` (see the module docstring).

    Args:
        labels (np.ndarray): ``(n_rows,) int64`` class ids of the split, in stored order.
        n (int): rows wanted, ``1 <= n <= n_rows``.
        mode (str): ``"first"``, ``"balanced"`` or ``"random"``.
        n_classes (int, optional): C; default ``labels.max() + 1``.
        seed (int): seeds ``random``; unused by the other modes.

    Returns:
        np.ndarray: ``(n,) int64`` row ids, sorted ascending.

    Raises:
        FastbowError: bad ``n`` or ``mode``; ``n`` larger than the split; ``balanced`` asks a class
            for more rows than it has.

    Example:
        >>> subset_rows(np.array([0, 0, 0, 1, 1, 1]), 4, "balanced").tolist()
        [0, 1, 3, 4]
    """
    n = _check_size("n", n)
    check_subset_args(subset=mode)
    labels = np.asarray(labels, dtype=np.int64)
    if n > len(labels):
        raise FastbowError(f"subset of {n} rows requested but the split has only {len(labels)}; "
                           f"pass a size of at most {len(labels)}")
    if mode == "first":
        return np.arange(n, dtype=np.int64)
    if mode == "random":
        rng = np.random.default_rng((seed, _SUBSET_STREAM))
        return np.sort(rng.choice(len(labels), size=n, replace=False)).astype(np.int64)
    c = int(labels.max()) + 1 if n_classes is None else n_classes
    want = np.full(c, n // c, dtype=np.int64)
    want[: n % c] += 1
    have = class_counts(labels, c)
    short = np.flatnonzero(want > have)
    if len(short):
        k = int(short[0])
        raise FastbowError(f"balanced subset of {n} rows needs {want[k]} rows of class {k} but the split has "
                           f"{have[k]}; pass a smaller size or --subset random")
    rows = [np.flatnonzero(labels == k)[: want[k]] for k in range(c)]
    return np.sort(np.concatenate(rows)).astype(np.int64)


def stratified_split(labels: np.ndarray, fraction: float, *, n_classes: int | None = None,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Carve a validation part from a split, class by class, seeded.

    Each class k of ``m_k`` rows gives ``round(fraction * m_k)`` rows (Python's round, half to
    even) to validation, drawn without replacement, so validation keeps the split's class ratios
    (as scikit-learn's ``train_test_split(stratify=...)``).

    Args:
        labels (np.ndarray): ``(n_rows,) int64`` class ids.
        fraction (float): share of each class sent to validation, in (0, 1).
        n_classes (int, optional): C; default ``labels.max() + 1``.
        seed (int): the same seed gives the same split.

    Returns:
        tuple: ``train_rows`` and ``val_rows``, ``int64`` arrays sorted ascending, disjoint,
        together all ``n_rows`` rows.

    Raises:
        FastbowError: ``fraction`` not in (0, 1), or it leaves the training or the validation
            part empty.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise FastbowError(f"val_fraction should be a number in (0, 1), but got val_fraction={fraction!r}")
    labels = np.asarray(labels, dtype=np.int64)
    c = int(labels.max()) + 1 if n_classes is None else n_classes
    rng = np.random.default_rng((seed, _VAL_STREAM))
    val = []
    for k in range(c):
        rows_k = np.flatnonzero(labels == k)
        take = round(fraction * len(rows_k))
        val.append(rng.permutation(rows_k)[:take])
    val_rows = np.sort(np.concatenate(val)).astype(np.int64)
    if len(val_rows) == 0 or len(val_rows) == len(labels):
        raise FastbowError(f"val_fraction={fraction} of {len(labels)} rows leaves "
                           f"{'no validation' if len(val_rows) == 0 else 'no training'} rows; "
                           "pass a fraction such as 0.1 or use more training rows")
    train_rows = np.setdiff1d(np.arange(len(labels), dtype=np.int64), val_rows, assume_unique=True)
    return train_rows, val_rows


def warn_if_single_class(labels: np.ndarray, classes, what: str, subset: str | None = "first") -> bool:
    """Warn (``UserWarning``) when ``labels`` hold only one class; returns True when it warned.

    A single-class training or test set makes accuracy meaningless: the notebook's first 200
    reviews were all of one class and it read 100% test accuracy (SEED.md, I.3). The advice
    depends on how the rows were picked (``subset``: the ``--subset`` in use, or None when all
    rows were kept): only ``first`` is fixed by another ``--subset``; otherwise the data itself
    holds one class there.
    """
    present = np.unique(np.asarray(labels))
    if len(present) == 1 and len(classes) > 1:
        if subset == "first":
            advice = "use --subset balanced or --subset random"
        elif subset is None:
            advice = "the data holds only this class there; check the labels (or --label-column) and the test split"
        else:
            advice = (f"--subset {subset} found only this class; use a larger size or check the labels "
                      "(or --label-column)")
        warnings.warn(f"{what} holds a single class ({classes[int(present[0])]!r}, {len(labels)} rows): "
                      f"accuracy on it is meaningless (the notebook's first-200 trap); {advice}",
                      UserWarning, stacklevel=2)
        return True
    return False


class Splits(NamedTuple):
    """The CSR parts a run trains, validates and tests on.

    Attributes:
        train (CSR): training rows (after ``--train-size`` and without the validation rows).
        val (CSR | None): validation rows carved from train, or None without ``--val-fraction``.
        test (CSR): test rows (after ``--test-size``).
    """

    train: CSR
    val: CSR | None
    test: CSR


def make_splits(train: CSR, test: CSR, classes, *, train_size=None, test_size=None, subset: str = "balanced",
                val_fraction: float = 0.0, seed: int = 0) -> Splits:
    """Apply ``--train-size``/``--test-size`` (mode ``subset``), then carve ``val_fraction`` of train.

    The subset is taken first, so ``train_size=1000, val_fraction=0.2`` trains on 800 rows and
    validates on 200. Every part is checked with :func:`warn_if_single_class`.

    Raises:
        FastbowError: see :func:`subset_rows` and :func:`stratified_split`.
    """
    check_subset_args(train_size, test_size, subset, val_fraction)
    c = len(classes)
    if train_size is not None:
        train = train.subset(subset_rows(train.labels, train_size, subset, n_classes=c, seed=seed))
    if test_size is not None:
        test = test.subset(subset_rows(test.labels, test_size, subset, n_classes=c, seed=seed + 1))
    val = None
    if val_fraction:
        train_rows, val_rows = stratified_split(train.labels, val_fraction, n_classes=c, seed=seed)
        train, val = train.subset(train_rows), train.subset(val_rows)
    picked = {"training set": subset if train_size is not None else None,
              "validation set": subset if train_size is not None else None,
              "test set": subset if test_size is not None else None}
    for name, part in (("training set", train), ("validation set", val), ("test set", test)):
        if part is not None:
            warn_if_single_class(part.labels, classes, name, picked[name])
    return Splits(train, val, test)


def describe(part: CSR, classes) -> str:
    """``"1000 rows (neg 500, pos 500)"``: size and class counts of a part, for log lines."""
    counts = class_counts(part.labels, len(classes))
    return f"{part.n_docs} rows (" + ", ".join(f"{c} {int(k)}" for c, k in zip(classes, counts)) + ")"

