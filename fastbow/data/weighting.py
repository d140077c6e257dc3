"""Feature values of a CSR: ``binary`` (the default), ``count``, ``tfidf`` or ``nb``, fitted on training rows only.

=========  ===========================================================================================
scheme     value of id ``j`` in row ``i`` (``tf`` = term count stored in the prepared CSR's ``data``)
=========  ===========================================================================================
``binary`` 1 (``data`` is ``None``): the notebook's multi-hot formulation.
``count``  ``tf``.
``tfidf``  scikit-learn's ``TfidfVectorizer`` defaults — ``smooth_idf=True, sublinear_tf=False,
           norm="l2"``: ``tf * idf[j]`` with ``idf[j] = ln((1 + n) / (1 + df[j])) + 1``, ``n`` the
           training rows and ``df`` their document frequencies, then each row divided by its L2 norm.
           The OOV id 0 gets the value 0 (scikit-learn has no OOV column), so the rows equal
           ``TfidfVectorizer(vocabulary=...)``'s (``tests/test_weighting.py``).
``nb``     the log-count ratio of Wang & Manning (2012, "Baselines and Bigrams", section 2.1) times the
           binarized feature: ``r[j] = ln((p[j] / |p|_1) / (q[j] / |q|_1))`` with ``p = α + Σ x̂`` over
           the training rows of class 1, ``q = α + Σ x̂`` over class 0, ``x̂ = 1{tf > 0}``, α = 1
           (:data:`NB_ALPHA`, their value). For C > 2 classes: one-vs-rest ratios ``r_c`` (class c against
           all others) and ``r[j] = r_c[j]`` of the class with the largest ``|r_c[j]|`` — the
           strongest evidence the feature carries for any class, with its sign.
=========  ===========================================================================================

Only training rows (after ``--train-size`` and without the validation rows) enter ``df`` and ``r``:
validation and test rows get values from what was fitted there, never from their own labels.
"""
from __future__ import annotations

import numpy as np

from fastbow.data.csr import CSR
from fastbow.errors import FastbowError
from fastbow.options import WEIGHTINGS  # noqa: E402  ("binary", "count", "tfidf", "nb"), importable without numpy

NB_ALPHA = 1.0


def check_weighting(name) -> str:
    """Return ``name`` if it is one of :data:`WEIGHTINGS`.

    Raises:
        FastbowError: unknown scheme (the message lists them).
    """
    if name not in WEIGHTINGS:
        raise FastbowError(f"unknown weighting {name!r}; choose one of: {', '.join(WEIGHTINGS)}")
    return name


def needs_counts(name: str) -> bool:
    """True when the scheme reads term counts (``count``, ``tfidf``), so preparation must store them."""
    return name in ("count", "tfidf")


def _row_of_entries(csr: CSR) -> np.ndarray:
    return np.repeat(np.arange(csr.n_docs, dtype=np.int64), np.diff(csr.indptr))


def document_frequency(csr: CSR) -> np.ndarray:
    """``(n_features,) int64``: rows holding each id (rows are unique per id)."""
    return np.bincount(csr.indices, minlength=csr.n_features)


def smooth_idf(train: CSR) -> np.ndarray:
    """``(n_features,) float64`` scikit-learn's smoothed idf, ``ln((1 + n) / (1 + df)) + 1``, on ``train``."""
    df = document_frequency(train)
    return np.log((1.0 + train.n_docs) / (1.0 + df)) + 1.0


def tfidf_values(csr: CSR, idf: np.ndarray) -> np.ndarray:
    """``(nnz,) float32`` l2-normalized ``tf * idf`` values of ``csr`` (OOV id 0 → 0; all-OOV rows stay 0).

    Raises:
        FastbowError: ``csr`` has no term counts (``data`` is None).
    """
    if csr.data is None:
        raise FastbowError("tfidf needs term counts, but the CSR holds none; prepare the data with "
                           "--weighting tfidf (the cache then stores counts)")
    v = csr.data.astype(np.float64) * idf[csr.indices]
    v[csr.indices == 0] = 0.0
    rows = _row_of_entries(csr)
    norms = np.sqrt(np.bincount(rows, weights=v * v, minlength=csr.n_docs))
    norms[norms == 0] = 1.0
    return (v / norms[rows]).astype(np.float32)


def nb_ratios(train: CSR, n_classes: int, alpha: float = NB_ALPHA) -> np.ndarray:
    """``(n_features,) float32`` log-count ratios r (module docstring) from the training rows ``train``.

    Args:
        train (CSR): training rows; their ``labels`` in ``[0, n_classes)``.
        n_classes (int): C >= 2.
        alpha (float): smoothing α > 0 (default 1, Wang & Manning 2012).

    Raises:
        FastbowError: ``alpha`` <= 0 or fewer than 2 classes.
    """
    if not alpha > 0:
        raise FastbowError(f"alpha should be a positive number, but got alpha={alpha!r}")
    if n_classes < 2:
        raise FastbowError(f"nb weighting needs at least 2 classes, but got {n_classes}")
    label_of_entry = train.labels[_row_of_entries(train)]
    # per class: number of training rows of that class holding each id (binarized counts)
    per_class = np.stack([np.bincount(train.indices[label_of_entry == c], minlength=train.n_features)
                          for c in range(n_classes)]).astype(np.float64)  # (C, n_features)
    if n_classes == 2:
        p, q = alpha + per_class[1], alpha + per_class[0]
        return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
    total = per_class.sum(0)
    p = alpha + per_class
    q = alpha + (total - per_class)
    r = np.log((p / p.sum(1, keepdims=True)) / (q / q.sum(1, keepdims=True)))  # (C, n_features)
    best = np.abs(r).argmax(0)
    return r[best, np.arange(r.shape[1])].astype(np.float32)


class Weighting:
    """A fitted weighting scheme (scikit-learn style: ``fit`` on training rows, then ``transform`` any split).

    Args:
        scheme (str): one of :data:`WEIGHTINGS`.
        n_classes (int): C (used by ``nb``).

    Attributes (after :meth:`fit`):
        idf_ (np.ndarray | None): ``(n_features,) float64`` for ``tfidf``.
        ratios_ (np.ndarray | None): ``(n_features,) float32`` for ``nb``.
    """

    def __init__(self, scheme: str = "binary", n_classes: int = 2):
        self.scheme = scheme
        self.n_classes = n_classes

    def fit(self, train: CSR) -> Weighting:
        """Learn ``idf_`` / ``ratios_`` from the training rows; returns ``self``."""
        check_weighting(self.scheme)
        self.idf_ = smooth_idf(train) if self.scheme == "tfidf" else None
        self.ratios_ = nb_ratios(train, self.n_classes) if self.scheme == "nb" else None
        return self

    def transform(self, csr: CSR | None) -> CSR | None:
        """``csr`` with ``data`` set to the scheme's values (``None`` for ``binary``); ``None`` passes through.

        Raises:
            FastbowError: not fitted, or ``count``/``tfidf`` on a CSR without term counts.
        """
        if csr is None:
            return None
        if not hasattr(self, "idf_"):
            raise FastbowError("this Weighting is not fitted yet; call fit(train) first")
        if self.scheme == "binary":
            return csr.with_data(None)
        if self.scheme == "count":
            if csr.data is None:
                raise FastbowError("count weighting needs term counts, but the CSR holds none; prepare the data "
                                   "with --weighting count")
            return csr
        if self.scheme == "tfidf":
            return csr.with_data(tfidf_values(csr, self.idf_))
        return csr.with_data(self.ratios_[csr.indices])
