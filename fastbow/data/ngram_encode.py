"""n-gram preparation of both splits: tokenize in worker processes, then n-grams with NumPy in the parent.

Same process layout as :mod:`fastbow.data.parallel_encode` (forked workers on contiguous shards, the
parent on shard 0; ``FASTBOW_PREPARE_WORKERS=1`` forces one process):

1. each process tokenizes its train shard (:func:`fastbow.data.ngrams.segment_tokenizer`) and collects its distinct tokens;
2. the parent merges the distinct tokens into the sorted unigram table (:func:`fastbow.data.ngrams.unigram_table`);
3. each process turns its train shard and its test shard into flat ``int32`` unigram-id arrays
   (:func:`fastbow.data.ngrams.flat_ids`): ~4 bytes per token travel back instead of Python strings;
4. the parent builds the n-gram keys, fits the vocabulary (or the hash buckets) on train and encodes
   both splits as CSR term counts (:mod:`fastbow.data.ngrams`), all in NumPy sorts and bincounts.

Evidence: ``benchmarks/test_d_ngrams.py`` times this against scikit-learn's
``TfidfVectorizer(ngram_range=(1, 2))`` on the same texts (``benchmarks/RESULTS.md``).
"""
from __future__ import annotations

import time
import traceback
from itertools import chain

import numpy as np

from fastbow.data import ngrams as ng
from fastbow.data.parallel_encode import (
    _bounds,
    _fork_ok,
    _gc_paused,
    _receive,
    default_workers,
    worker_pool,
)
from fastbow.data.vocab import check_vocab_size

_JOB = None  # (train_texts, test_texts, tokenizer, bounds): set before forking, read by the children


def _tokenize(texts, tok) -> tuple[list, set]:
    """Token lists and the set of distinct tokens: the unigram table needs no counts (tf and df come from
    the n-gram keys), and a set is ~2.4x cheaper to fill than a Counter (0.27 s against 0.65 s for 8,000
    IMDB reviews)."""
    tokens = [tok(t) for t in texts]
    return tokens, set(chain.from_iterable(tokens))


def _flatten(train_tokens, test_texts, tok, ids):
    def lengths(lists):
        return np.fromiter((len(t) + 1 for t in lists), dtype=np.int64, count=len(lists))

    test_tokens = [tok(t) for t in test_texts]
    return (ng.flat_ids(train_tokens, ids), lengths(train_tokens),
            ng.flat_ids(test_tokens, ids), lengths(test_tokens))


def _child(conn, shard: int) -> None:
    try:
        train_texts, test_texts, tokenizer, bounds = _JOB
        tok = ng.segment_tokenizer(tokenizer)
        (a, b), (c, d) = bounds[0][shard], bounds[1][shard]
        tokens, distinct = _tokenize(train_texts[a:b], tok)
        conn.send(("counts", distinct))
        table = conn.recv()
        if table is None:
            return
        conn.send(("csr", _flatten(tokens, test_texts[c:d], tok, ng.unigram_table(table)[1])))
    except BaseException:
        conn.send(("error", traceback.format_exc(limit=3)))
    finally:
        conn.close()


def tokenize_to_ids(train_texts, test_texts, tokenizer: str, workers: int | None = None):
    """Steps 1-3: the sorted unigram table and both splits as flat id arrays.

    Returns:
        tuple: ``tokens (U,)`` sorted distinct training tokens,
        ``(train_flat, train_lengths)`` and ``(test_flat, test_lengths)`` (see :func:`fastbow.data.ngrams.flat_ids`).

    Raises:
        FastbowError: unknown tokenizer, or a worker failed.
    """
    with _gc_paused():
        tok = ng.segment_tokenizer(tokenizer)
        workers = default_workers(len(train_texts)) if workers is None else workers
        workers = max(1, min(workers, len(train_texts) or 1))
        if workers > 1 and not _fork_ok():
            workers = 1
        bounds = (_bounds(len(train_texts), workers), _bounds(len(test_texts), workers))
        with worker_pool(_child, workers, (train_texts, test_texts, tokenizer, bounds)) as conns:
            (a, b), (c, d) = bounds[0][0], bounds[1][0]
            tokens, distinct = _tokenize(train_texts[a:b], tok)
            for conn in conns:
                distinct |= _receive(conn, "counts")
            distinct.discard(ng.BOUNDARY)
            table, ids = ng.unigram_table(distinct)
            for conn in conns:
                conn.send(table)
            pieces = [_flatten(tokens, test_texts[c:d], tok, ids)]
            del tokens
            pieces += [_receive(conn, "csr") for conn in conns]
    cat = [np.concatenate([p[i] for p in pieces]) for i in range(4)]
    return table, (cat[0], cat[1]), (cat[2], cat[3])


def _bucket_ids(keys, orders, base, tok_hash, n_vocab: int, buckets: int) -> np.ndarray:
    """``(m,) int64``: -1 for unigrams (the vocabulary decides), 0 for OOV n-grams, else ``K + 1 + h mod M``."""
    out = np.full(len(keys), -1, dtype=np.int64)
    for n in range(2, int(orders.max(initial=1)) + 1):
        sel = np.flatnonzero(orders == n)
        k = keys[sel]
        h = ng.ngram_hash(k, n, base, tok_hash)
        out[sel] = np.where(k == 0, 0, (n_vocab + 1 + (h % np.uint64(buckets))).astype(np.int64))
    return out


def encode_ngrams(train_texts, test_texts, tokenizer: str, vocab_size: int, ngrams: int = 1, min_df=1,
                  max_df=1.0, hash_buckets: int | None = None, workers: int | None = None):
    """Vocabulary (or buckets) from the training texts and term-count CSRs of both splits.

    Args:
        train_texts, test_texts (list[str]): the documents.
        tokenizer (str): a name from :data:`fastbow.data.tokenize.TOKENIZERS`.
        vocab_size (int): K, kept n-grams (unigrams only with ``hash_buckets``).
        ngrams (int): N, orders 1..N; ``min_df``, ``max_df``: cut-offs (:func:`fastbow.data.ngrams.df_bounds`).
        hash_buckets (int, optional): M; n-grams of order >= 2 are hashed into M buckets.
        workers (int, optional): tokenizer processes (default :func:`fastbow.data.parallel_encode.default_workers`).

    Returns:
        tuple: ``vocab`` (:class:`fastbow.data.ngrams.NgramVocab`), ``train`` and ``test`` as
        ``(indptr (n+1,) int64, indices (nnz,) int32, data (nnz,) float32 term counts)``, and ``info``,
        a dict with ``seconds`` (``tokenize``, ``keys``, ``vocab``, ``encode``), ``distinct_ngrams``
        (distinct training n-grams before cut-offs) and ``hashing`` (collisions, or None).

    Raises:
        FastbowError: bad options; DataError: empty vocabulary.
    """
    ng.check_ngram_options(ngrams, min_df, max_df, hash_buckets)
    check_vocab_size(vocab_size)
    t0 = time.perf_counter()
    table, (tr_flat, tr_len), (te_flat, te_len) = tokenize_to_ids(train_texts, test_texts, tokenizer, workers)
    if not table:
        from fastbow.errors import DataError

        raise DataError("empty vocabulary: the training split has no tokens; check the data and the tokenizer")
    base = len(table) + 1
    t1 = time.perf_counter()
    keys, docs, orders = ng.split_keys(tr_flat, tr_len, ngrams, base)
    del tr_flat
    t2 = time.perf_counter()
    fitted = ng.fit_vocabulary(keys, docs, len(tr_len), vocab_size, min_df, max_df, orders=orders,
                               unigrams_only=hash_buckets is not None)
    names = ng.decode_keys(fitted.kept_keys, base, table)
    vocab = ng.NgramVocab(tuple(names), tuple(fitted.tf.tolist()), tokenizer, ngrams, min_df, max_df, hash_buckets)
    n_features = vocab.n_features
    hashing, tok_hash = None, None
    if hash_buckets is not None:
        tok_hash = ng.token_hashes(table)
        bucket = _bucket_ids(keys, orders, base, tok_hash, len(vocab), hash_buckets)
        sel = (orders >= 2) & (keys != 0)
        hashing = ng.hash_collisions(keys[sel], bucket[sel])
        del sel
    else:
        bucket = None
    t3 = time.perf_counter()
    train = ng.encode_counts(keys, docs, len(tr_len), fitted, n_features, bucket, ids=fitted.train_ids)
    fitted.train_ids = None
    del keys, docs, orders, bucket
    keys, docs, orders = ng.split_keys(te_flat, te_len, ngrams, base)
    del te_flat
    bucket = _bucket_ids(keys, orders, base, tok_hash, len(vocab), hash_buckets) if hash_buckets else None
    test = ng.encode_counts(keys, docs, len(te_len), fitted, n_features, bucket)
    t4 = time.perf_counter()
    info = {"seconds": {"tokenize": t1 - t0, "keys": t2 - t1, "vocab": t3 - t2, "encode": t4 - t3},
            "distinct_ngrams": fitted.n_distinct, "hashing": hashing}
    return vocab, train, test, info
