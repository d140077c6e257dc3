"""The n-gram options and vocabulary: validation, scikit-learn-style df bounds, :class:`NgramVocab`, :class:`NgramOptions`."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from numbers import Integral, Real

from fastbow.atomic import atomic_write
from fastbow.errors import DataError, FastbowError

MAX_NGRAMS = 3


def check_ngram_options(ngrams=1, min_df=1, max_df=1.0, hash_buckets=None) -> None:
    """Validate the n-gram options (one-line errors in PyTorch's message shape).

    Raises:
        FastbowError: ``ngrams`` not in 1..3; ``min_df``/``max_df`` not a positive int or a float in (0, 1];
            ``hash_buckets`` not a positive int (or None), or given with ``ngrams=1``.
    """
    if isinstance(ngrams, bool) or not isinstance(ngrams, Integral) or not 1 <= ngrams <= MAX_NGRAMS:
        raise FastbowError(f"ngrams should be an integer in 1..{MAX_NGRAMS}, but got ngrams={ngrams!r}")
    for name, v in (("min_df", min_df), ("max_df", max_df)):
        ok = (isinstance(v, Integral) and not isinstance(v, bool) and v >= 1) or (
            isinstance(v, Real) and not isinstance(v, (bool, Integral)) and 0 < v <= 1)
        if not ok:
            raise FastbowError(f"{name} should be a document count >= 1 or a fraction in (0, 1], but got {name}={v!r}")
    if hash_buckets is not None:
        if isinstance(hash_buckets, bool) or not isinstance(hash_buckets, Integral) or hash_buckets <= 0:
            raise FastbowError(f"hash_buckets should be a positive integer value, but got hash_buckets={hash_buckets!r}")
        if ngrams == 1:
            raise FastbowError("hash_buckets hashes n-grams of order >= 2; pass --ngrams 2 or 3 with --hash-buckets")


def df_bounds(min_df, max_df, n_docs: int) -> tuple[int, int]:
    """``(lo, hi)`` document counts for scikit-learn-style ``min_df``/``max_df`` (fraction × n_docs, int as is).

    As scikit-learn's ``CountVectorizer``: a fraction ``f`` is compared unrounded, ``max_df=f`` keeps
    ``df <= f * n_docs`` and ``min_df=f`` keeps ``df >= f * n_docs``.

    Raises:
        FastbowError: the bounds leave no document count (``lo > hi``).
    """
    lo = min_df if isinstance(min_df, Integral) else min_df * n_docs
    hi = max_df if isinstance(max_df, Integral) else max_df * n_docs
    if lo > hi:
        raise FastbowError(f"max_df corresponds to fewer documents than min_df (min_df={min_df}, max_df={max_df}, "
                           f"{n_docs} documents); lower --min-df or raise --max-df")
    return lo, hi


@dataclass(frozen=True)
class NgramVocab:
    """An n-gram vocabulary: ids ``1..K`` for kept n-grams (space-joined tokens), 0 = OOV, plus hash buckets.

    Attributes:
        tokens (tuple[str, ...]): the K kept n-grams, ``"w1 w2"`` for a bigram; id ``i`` is ``tokens[i - 1]``.
        counts (tuple[int, ...]): their training occurrences (tf).
        tokenizer (str): the tokenizer's name.
        ngrams (int): N, orders 1..N.
        min_df, max_df (int | float): the document-frequency cut-offs used.
        hash_buckets (int | None): M; n-grams of order >= 2 then live in ids ``K + 1 .. K + M``
            and ``tokens`` holds unigrams only.

    ``n_features`` is ``K + 1 (+ M)``. :meth:`to_dict`/:meth:`from_dict` round-trip; a dict without
    ``"ngrams"`` is a plain :class:`fastbow.data.vocab.Vocab`.
    """

    tokens: tuple
    counts: tuple
    tokenizer: str
    ngrams: int = 1
    min_df: int | float = 1
    max_df: int | float = 1.0
    hash_buckets: int | None = None
    index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "index", {t: i for i, t in enumerate(self.tokens, 1)})

    def __len__(self) -> int:
        """K, the number of in-vocabulary n-grams (OOV and buckets not counted)."""
        return len(self.tokens)

    @property
    def n_features(self) -> int:
        """K + 1 (+ M with hashing): the width of a row."""
        return len(self.tokens) + 1 + (self.hash_buckets or 0)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"tokenizer": self.tokenizer, "tokens": list(self.tokens), "counts": list(self.counts),
                "ngrams": self.ngrams, "min_df": self.min_df, "max_df": self.max_df,
                "hash_buckets": self.hash_buckets}

    @classmethod
    def from_dict(cls, d: dict) -> NgramVocab:
        """Inverse of :meth:`to_dict`.

        Raises:
            DataError: a key is missing or malformed.
        """
        try:
            return cls(tuple(d["tokens"]), tuple(int(c) for c in d["counts"]), str(d["tokenizer"]), int(d["ngrams"]),
                       d["min_df"], d["max_df"], d["hash_buckets"])
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(f"n-gram vocabulary data is malformed ({e!r}); rebuild it by training again") from None

    def save(self, path: str | os.PathLike) -> None:
        """Write the vocabulary as UTF-8 JSON, atomically."""
        with atomic_write(path, "w") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False)


def vocab_from_dict(d: dict):
    """A :class:`NgramVocab` when ``d`` has ``"ngrams"``, else a :class:`fastbow.data.vocab.Vocab`."""
    from fastbow.data.vocab import Vocab

    return NgramVocab.from_dict(d) if "ngrams" in d else Vocab.from_dict(d)


@dataclass(frozen=True)
class NgramOptions:
    """The preparation options beyond tokenizer and K; all of them enter the CSR cache key.

    Attributes:
        ngrams (int): N, word n-grams of orders 1..N (default 1).
        min_df, max_df (int | float): document-frequency cut-offs (defaults 1 and 1.0: none).
        hash_buckets (int | None): M hash buckets for orders >= 2 (default None: count vocabulary).
        counts (bool): store term counts in ``data`` (the ``count``/``tfidf`` weightings need them).
    """

    ngrams: int = 1
    min_df: int | float = 1
    max_df: int | float = 1.0
    hash_buckets: int | None = None
    counts: bool = False

    def validate(self) -> NgramOptions:
        """Check the options (see :func:`check_ngram_options`); returns ``self``."""
        check_ngram_options(self.ngrams, self.min_df, self.max_df, self.hash_buckets)
        return self

    @property
    def is_default(self) -> bool:
        """True for the unigram multi-hot preparation of :mod:`fastbow.data.parallel_encode`."""
        return self == NgramOptions()

    def key(self) -> str:
        """The options as a cache-key fragment ('' for the defaults, so existing caches keep their names)."""
        if self.is_default:
            return ""
        return f"|ng{self.ngrams}|mindf{self.min_df!r}|maxdf{self.max_df!r}|hash{self.hash_buckets}|counts{self.counts}"
