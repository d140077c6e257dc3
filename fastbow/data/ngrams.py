"""Word n-grams from token-id sequences, with NumPy: vocabulary by count (df cut-offs) or hashed buckets.

Pipeline (the tokenizing half runs in worker processes, :mod:`fastbow.data.ngram_encode`):

1. :func:`segment_tokenizer` tokenizes a document into tokens with :data:`BOUNDARY` markers where the
   ``words`` tokenizer sees an HTML line break (``<br />``); n-grams never cross a marker nor a
   document end. ``whitespace`` and ``notebook`` have no segments (their n-grams run over the document).
2. Every distinct training token gets a *unigram id* ``1..U`` in sorted token order
   (:func:`unigram_table`); the marker is ``-1`` and a token never seen in training is ``0``.
   A split becomes one flat ``int32`` array, each document followed by ``-1``.
3. :func:`window_keys` turns the flat array into one ``int64`` key per n-gram occurrence,
   ``key = ((t1 * B) + t2) * B + t3`` with ``B = U + 1``: keys of different orders never collide
   (a bigram key is > U, a trigram key >= B**2), and within an order, key order is the token tuple's
   order (ids are assigned in sorted token order). An n-gram holding an unseen token gets key 0 (OOV).
4. :func:`fit_vocabulary` counts, per distinct key, the term frequency ``tf`` (occurrences) and the
   document frequency ``df`` over the training documents, keeps keys with ``min_df <= df <= max_df``
   (scikit-learn's ``CountVectorizer`` semantics: an int is a number of documents, a float in (0, 1]
   a fraction), and of those the ``K`` with the largest ``tf`` (ties: smaller key first, i.e.
   unigrams before bigrams, then by token tuple) as ids ``1..K``; id 0 is OOV. With ``ngrams=1`` and
   no cut-offs this is exactly :func:`fastbow.data.vocab.build_vocab` (``tests/test_ngrams.py``).
5. :func:`encode_counts` maps a split's keys to ids and builds a CSR whose ``data`` holds the term
   count of each (document, id) pair (OOV occurrences summed into id 0); rows sorted, unique.

Hashing (``hash_buckets=M``, fastText-style): unigrams keep the count vocabulary (ids ``1..K``), and every
n-gram of order >= 2 goes to bucket ``K + 1 + h mod M``; ``h`` is a 64-bit FNV-1a-style mix of the tokens'
64-bit BLAKE2b digests (:func:`token_hashes`), finished by the splitmix64 finalizer — a function of the
token strings only, identical across processes and machines (Python's salted ``hash()`` is not used).
Distinct n-grams that share a bucket *collide*: they share one weight row; :func:`hash_collisions` counts
them on the training split (``python -m fastbow.stats`` reports it). n-grams with a token unseen in
training are OOV (id 0), as in the count vocabulary.

Memory: the keys of a split take 8 bytes per n-gram occurrence (IMDB train, 1-3-grams: ~17 M, 140 MB)
while it is encoded; the CSR keeps 8 bytes per stored (document, id) pair (``indices`` + ``data``).
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np

# re-exported: fastbow.data.ngrams is the entry point of the n-gram stage
from fastbow.data.ngram_hash import (  # noqa: F401
    hash_collisions,
    ngram_hash,
    sorted_runs,
    token_hashes,
)
from fastbow.data.ngram_vocab import (  # noqa: F401
    MAX_NGRAMS,
    NgramOptions,
    NgramVocab,
    check_ngram_options,
    df_bounds,
    vocab_from_dict,
)
from fastbow.data.tokenize import get_tokenizer
from fastbow.errors import DataError, FastbowError

BOUNDARY = "\x00"  # segment marker token: never produced by a tokenizer (NUL is stripped from texts first)

# the ``words`` tokenizer's patterns (fastbow.data.tokenize.words) plus the marker as a token of its own
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WORD_B = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|\x00")
_WORD_ASCII_B = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*|\x00")


def words_segmented(text: str) -> list[str]:
    """``words`` tokens with :data:`BOUNDARY` where an HTML line break was.

    Dropping the markers gives exactly :func:`fastbow.data.tokenize.words` (tested).

    Example:
        >>> words_segmented("Not bad.<br /><br />Great fun")
        ['not', 'bad', '\\x00', '\\x00', 'great', 'fun']
    """
    text = _BR.sub(" \x00 ", text.replace("\x00", " ")).lower()
    return (_WORD_ASCII_B if text.isascii() else _WORD_B).findall(text)


def segment_tokenizer(name: str):
    """The tokenizer ``name`` as used for n-grams: ``words`` marks line breaks, the others are unchanged.

    Raises:
        FastbowError: unknown tokenizer name.
    """
    tok = get_tokenizer(name)
    return words_segmented if name == "words" else tok


def unigram_table(counts) -> tuple[tuple, dict]:
    """Distinct training tokens in sorted order and their unigram ids ``1..U`` (marker → -1).

    Args:
        counts (iterable of str): the distinct training tokens (a set, or a dict's keys; markers not included).

    Returns:
        tuple: ``tokens (U,)`` sorted, and ``ids``, a dict token → id (``ids[BOUNDARY] == -1``).
    """
    tokens = tuple(sorted(counts))
    ids = {t: i for i, t in enumerate(tokens, 1)}
    ids[BOUNDARY] = -1
    return tokens, ids


def flat_ids(token_lists, ids: dict) -> np.ndarray:
    """One ``(n_tokens + n_docs,) int32`` array: each document's unigram ids, then ``-1``.

    Unseen tokens are 0, :data:`BOUNDARY` is -1 (``ids`` from :func:`unigram_table`).
    """
    get = ids.get
    sep = (BOUNDARY,)
    stream = chain.from_iterable(chain(toks, sep) for toks in token_lists)
    return np.fromiter(map(get, stream, repeat(0)), dtype=np.int32)


def window_keys(flat: np.ndarray, n: int, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of all n-grams of order ``n`` in a flat id array (see the module docstring).

    Args:
        flat (np.ndarray): ``(L,) int32`` from :func:`flat_ids` (``-1`` separators, ``0`` unseen).
        n (int): the order, 1..3.
        base (int): ``U + 1``.

    Returns:
        tuple: ``keys (m,) int64`` (0 for an n-gram holding an unseen token) and ``start (m,) int64``,
        the flat position of each n-gram's first token; windows crossing a ``-1`` are left out.

    Raises:
        FastbowError: ``base ** n`` does not fit in int64 (more than ~2 million distinct tokens for trigrams).
    """
    if base ** n >= 2 ** 63:
        raise FastbowError(f"{base - 1} distinct tokens are too many for {n}-gram keys in int64; "
                           "use --hash-buckets or a smaller corpus")
    m = len(flat) - n + 1
    if m <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    first = flat[:m]
    key = first.astype(np.int64)
    valid = first >= 0
    known = first > 0
    for j in range(1, n):
        x = flat[j:j + m]
        key *= base
        key += x
        valid &= x >= 0
        known &= x > 0
    start = np.flatnonzero(valid)
    key = key[start]
    key[~known[start]] = 0
    return key, start


def split_keys(flat: np.ndarray, doc_lengths: np.ndarray, ngrams: int, base: int):
    """All n-gram keys of orders 1..``ngrams`` of a split and the document of each.

    Args:
        flat (np.ndarray): ``(L,) int32`` from :func:`flat_ids`.
        doc_lengths (np.ndarray): ``(n_docs,) int64`` flat length of each document (its tokens,
            markers and the final ``-1``).

    Returns:
        tuple: ``keys (m,) int64``, ``docs (m,) int64`` and ``orders (m,) int8`` (1..ngrams).
    """
    doc = np.repeat(np.arange(len(doc_lengths), dtype=np.int64), doc_lengths)
    keys, docs, orders = [], [], []
    for n in range(1, ngrams + 1):
        k, s = window_keys(flat, n, base)
        keys.append(k)
        docs.append(doc[s])
        orders.append(np.full(len(k), n, np.int8))
    return np.concatenate(keys), np.concatenate(docs), np.concatenate(orders)


@dataclass
class FittedNgrams:
    """What :func:`fit_vocabulary` learned on the training split (the fitted state of the encoder).

    Attributes:
        sorted_keys (np.ndarray): ``(K,) int64`` kept keys, ascending (for ``searchsorted``).
        sorted_ids (np.ndarray): ``(K,) int32`` the id of each of ``sorted_keys``.
        kept_keys (np.ndarray): ``(K,) int64`` kept keys in id order (id ``i`` = ``kept_keys[i - 1]``).
        tf (np.ndarray): ``(K,) int64`` training occurrences in id order.
        n_distinct (int): distinct training n-grams before the cut-offs (OOV statistics).
        train_ids (np.ndarray | None): ``(m,) int32`` id of each training occurrence given to
            :func:`fit_vocabulary` (None with ``unigrams_only``); :func:`encode_counts` reuses it.
        collisions (dict | None): with hashing, ``{"ngrams", "buckets_used", "collisions"}``.
    """

    sorted_keys: np.ndarray
    sorted_ids: np.ndarray
    kept_keys: np.ndarray
    tf: np.ndarray
    n_distinct: int
    collisions: dict | None = None
    train_ids: np.ndarray | None = None


def fit_vocabulary(keys: np.ndarray, docs: np.ndarray, n_docs: int, max_size: int, min_df=1, max_df=1.0,
                   *, orders: np.ndarray | None = None, unigrams_only: bool = False) -> FittedNgrams:
    """Choose the kept n-grams from the training keys (module docstring, step 4).

    Args:
        keys, docs (np.ndarray): ``(m,) int64`` from :func:`split_keys` on the training split.
        n_docs (int): training documents (for fractional ``min_df``/``max_df``).
        max_size (int): K.
        orders (np.ndarray, optional): ``(m,) int8``; with ``unigrams_only`` only order-1 keys are candidates.

    Returns:
        FittedNgrams: the kept keys and their ids.

    Raises:
        DataError: no n-gram passes the cut-offs (the message names them).
    """
    if unigrams_only:
        sel = orders == 1
        keys, docs = keys[sel], docs[sel]
    # One stable argsort by key: within an order, keys come in document order, so each key's run keeps
    # its documents non-decreasing and a new (document, key) pair starts where the key or document changes.
    # (np.unique is avoided: NumPy 2.x hashes without return_inverse, ~20x slower than a sort here.)
    perm = np.argsort(keys, kind="stable")
    sk, sd = keys[perm], docs[perm]
    new_key = np.empty(len(sk), dtype=bool)
    new_key[:1] = True
    np.not_equal(sk[1:], sk[:-1], out=new_key[1:])
    new_pair = new_key.copy()
    new_pair[1:] |= sd[1:] != sd[:-1]
    del sd
    starts = np.flatnonzero(new_key)
    uk = sk[starts]
    del sk
    tf = np.diff(np.append(starts, len(new_key)))
    df = np.add.reduceat(new_pair, starts).astype(np.int64) if len(starts) else np.zeros(0, np.int64)
    del new_key, new_pair
    lo, hi = df_bounds(min_df, max_df, n_docs)
    cand = np.flatnonzero((df >= lo) & (df <= hi) & (uk != 0))
    if len(cand) == 0:
        raise DataError(f"empty vocabulary: no training n-gram has a document frequency in [{min_df}, {max_df}]; "
                        "lower --min-df or raise --max-df")
    if max_size > len(cand):
        warnings.warn(f"vocab_size={max_size} is larger than the {len(cand)} distinct training n-grams that pass "
                      f"the cut-offs; using {len(cand)}", UserWarning, stacklevel=2)
    order = np.lexsort((uk[cand], -tf[cand]))[:max_size]  # by tf descending, then key ascending
    kept = cand[order]
    ids = np.arange(1, len(kept) + 1, dtype=np.int32)
    by_key = np.argsort(uk[kept], kind="stable")
    # the id of every training occurrence, from the sorted runs (saves a binary search per occurrence)
    id_of_key = np.zeros(len(uk), dtype=np.int32)
    id_of_key[kept] = ids
    train_ids = None
    if not unigrams_only:
        train_ids = np.empty(len(keys), dtype=np.int32)
        train_ids[perm] = np.repeat(id_of_key, tf)
    return FittedNgrams(uk[kept][by_key], ids[by_key], uk[kept], tf[kept], int(np.count_nonzero(uk)),
                        train_ids=train_ids)


def decode_keys(keys: np.ndarray, base: int, tokens: tuple) -> list[str]:
    """Space-joined token strings of n-gram keys (``tokens`` = the sorted unigram table, id 1 = ``tokens[0]``)."""
    out = []
    for k in keys.tolist():
        parts = []
        while True:
            parts.append(tokens[k % base - 1])
            k //= base
            if k == 0:
                break
        out.append(" ".join(reversed(parts)))
    return out


def encode_counts(keys: np.ndarray, docs: np.ndarray, n_docs: int, fitted: FittedNgrams, n_features: int,
                  bucket_ids: np.ndarray | None = None, ids: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR of term counts: ``indptr (n_docs + 1,) int64``, ``indices (nnz,) int32``, ``data (nnz,) float32``.

    Args:
        keys, docs (np.ndarray): ``(m,) int64`` of one split (:func:`split_keys`).
        fitted (FittedNgrams): the training vocabulary.
        n_features (int): K + 1 (+ M).
        bucket_ids (np.ndarray, optional): ``(m,) int64`` ids already decided (hash buckets), ``-1`` where the
            vocabulary decides.
        ids (np.ndarray, optional): ``(m,)`` the vocabulary id of each key when already known
            (``fitted.train_ids`` for the training split); else looked up with ``searchsorted``.

    Rows are sorted and unique; every occurrence is counted once, in its n-gram's id or in id 0 (OOV).
    """
    if ids is None:
        pos = np.searchsorted(fitted.sorted_keys, keys)
        pos = np.minimum(pos, max(len(fitted.sorted_keys) - 1, 0))
        hit = fitted.sorted_keys[pos] == keys if len(fitted.sorted_keys) else np.zeros(len(keys), bool)
        ids = np.where(hit, fitted.sorted_ids[pos] if len(fitted.sorted_keys) else 0, 0)
        del pos, hit
    if bucket_ids is not None:
        ids = np.where(bucket_ids >= 0, bucket_ids, ids)
    import scipy.sparse as sp  # imported when n-grams are built (keeps --help light)

    # COO → CSR in scipy's C++ (a counting sort by row, then a small sort per row, duplicates summed):
    # about twice as fast as one global sort of (document, id) pairs (12 M pairs: 2.7 s against 5.5 s, loaded machine)
    itype = np.int32 if n_features <= np.iinfo(np.int32).max else np.int64
    m = sp.coo_matrix((np.ones(len(ids), dtype=np.float32), (docs, ids.astype(itype))),
                      shape=(n_docs, n_features)).tocsr()
    del ids
    m.sum_duplicates()  # sorted, unique per row
    return m.indptr.astype(np.int64), m.indices.astype(itype, copy=False), m.data.astype(np.float32, copy=False)


