"""Streaming preparation of CSV/TSV/JSONL tables: memory bounded by the CSR, not by the texts.

:func:`fastbow.data.prepare.build` holds every text of both splits as Python strings before it
tokenizes (IMDB: ~130 MB of strings for 33 MB of CSR; a 100× corpus would need ~13 GB). For a
table file with a ``--test-file`` table (the layout of large corpora), :func:`stream_build` reads
the rows **in chunks** of :data:`CHUNK_ROWS` and never holds more than a few chunks of text:

1. **train, one pass**: each chunk is tokenized in a worker process, which returns the chunk's
   distinct tokens with their occurrence counts and the chunk's rows as ids into that list;
   the parent gives every new token a *provisional* id (first appearance), adds the counts,
   and keeps the chunk's CSR in provisional ids;
2. **vocabulary**: the K most frequent tokens, ties by token (:func:`fastbow.data.vocab.build_vocab`,
   exactly as the in-memory path), then one ``remap`` array: provisional id → final id (0 = OOV);
3. **train CSR**: ``indices = remap[indices]``, then each row sorted and its repeated OOV ids
   (several unknown tokens) merged into one: one ``np.sort`` of ``row << 32 | id`` keys per chunk;
4. **test, one pass**: chunks tokenized and encoded with the final vocabulary in the workers
   (:func:`fastbow.data.csr.encode_csr`).

The result equals :func:`fastbow.data.prepare.build`'s on the same files (same vocabulary, same
CSR, same labels and classes: ``tests/test_stream_encode.py``). Peak memory: the CSR (int32 ids),
the distinct tokens with their counts, ``labels``, and ``2 × workers`` chunks of text in flight.
Workers are forked (:mod:`fastbow.data.parallel_encode`'s rule: ``$FASTBOW_PREPARE_WORKERS`` or the
idle CPUs, serial where ``fork`` is unavailable); at most ``2 × workers`` chunks are queued, so a
slow tokenizer never lets the reader run ahead and fill memory.

Not streamed (read in memory as before): folders and archives (their documents are sorted by
class and review id, which needs every name first), Parquet, and ``--test-fraction`` (the
vocabulary must exclude the held-out rows, which are drawn per class over the whole table).
"""
from __future__ import annotations

import multiprocessing
import time
import warnings
from collections import Counter, deque
from itertools import chain
from pathlib import Path

import numpy as np

from fastbow.data.csr import CSR, encode_csr
from fastbow.data.parallel_encode import (
    _fork_ok,
    _gc_paused,
    _top_candidates,
    default_workers,
)
from fastbow.data.tables import (
    STREAMABLE_SUFFIXES,
    check_label_type,
    class_index,
    clean_text,
    iter_table_rows,
    label_name,
)
from fastbow.data.tokenize import get_tokenizer
from fastbow.data.vocab import Vocab, build_vocab, check_vocab_size
from fastbow.errors import DataError

CHUNK_ROWS = 4096   # rows per chunk: ~5 MB of IMDB-like text; large enough to amortize the pipe
_TOKENIZER = None   # the worker's tokenizer name; set before forking
_VOCAB = None       # the final vocabulary (test pass); set before forking


def streamable(data_path, options) -> bool:
    """True when :func:`stream_build` handles ``data_path`` with ``options`` (see the module doc)."""
    test = getattr(options, "test_file", None)
    defaults = (getattr(options, "delimiter", None) is None and getattr(options, "quoting", "minimal") == "minimal"
                and getattr(options, "encoding", "utf-8") == "utf-8"
                and getattr(options, "test_text_column", None) is None
                and getattr(options, "test_label_column", None) is None)  # other dialects: read_table's path
    return (defaults and Path(data_path).suffix.lower() in STREAMABLE_SUFFIXES and test is not None
            and Path(test).suffix.lower() in STREAMABLE_SUFFIXES)


def _chunks(path, text_column, label_column, names: dict, codes: list, n_bad: list):
    """Texts of ``path`` in lists of :data:`CHUNK_ROWS`; each row's label name goes to ``codes`` (as an int code)."""
    chunk, seen = [], {}
    for doc_id, text, raw, bad in iter_table_rows(path, text_column, label_column):
        name = label_name(path, doc_id, raw)
        check_label_type(path, seen, doc_id, raw, name)  # 1 and "1" would merge into one class
        codes.append(names.setdefault(name, len(names)))
        if bad:
            n_bad[0] += 1
            text = clean_text(text)
        chunk.append(text)
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _count_encode_chunk(texts):
    """Worker, train pass: ``(distinct tokens, their counts (k,) int64, indptr (n+1,) int64, local ids (nnz,) int32)``."""
    tok = get_tokenizer(_TOKENIZER)
    with _gc_paused():
        token_lists = [tok(t) for t in texts]
        counts = Counter()
        for toks in token_lists:
            counts.update(toks)
        local = {t: i for i, t in enumerate(counts)}
        get = local.__getitem__
        rows = [list(map(get, set(toks))) for toks in token_lists]   # distinct tokens per row, unsorted
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    ids = np.fromiter(chain.from_iterable(rows), dtype=np.int32, count=int(indptr[-1]))
    return list(counts), np.fromiter(counts.values(), dtype=np.int64, count=len(counts)), indptr, ids


def _encode_chunk(texts):
    """Worker, test pass: the chunk's CSR ``(indptr, indices)`` with the final vocabulary."""
    tok = get_tokenizer(_TOKENIZER)
    with _gc_paused():
        return encode_csr((tok(t) for t in texts), _VOCAB)


def _ordered_map(fn, chunks, workers: int):
    """``map(fn, chunks)`` in order, over ``workers`` forked processes with at most ``2 × workers`` chunks queued."""
    if workers <= 1:
        yield from map(fn, chunks)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(fn, (chunk,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _sort_rows(indptr: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort each row's ids and merge repeats (OOV); returns the new ``indptr (n+1,) int64`` and ``ids (nnz',) int32``."""
    n = len(indptr) - 1
    row = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))          # (nnz,) row of each id
    key = np.sort((row << 32) | ids.astype(np.int64))                        # rows in order, ids sorted within
    keep = np.ones(len(key), dtype=bool)
    keep[1:] = key[1:] != key[:-1]                                           # a repeat can only be id 0 (OOV)
    key = key[keep]
    counts = np.bincount(key >> 32, minlength=n)
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=out_ptr[1:])
    return out_ptr, (key & 0xFFFFFFFF).astype(np.int32)


def _concat(pieces: list) -> tuple[np.ndarray, np.ndarray]:
    """Join CSR pieces ``[(indptr, ids), ...]`` in order, **emptying** ``pieces`` as it copies.

    The output is allocated once at its exact size (``np.empty`` commits pages only when
    written) and each piece is released after its copy, so the peak is the result plus one
    piece, not twice the result as with ``np.concatenate``.
    """
    n = sum(len(p[0]) - 1 for p in pieces)
    nnz = sum(len(p[1]) for p in pieces)
    indptr = np.zeros(n + 1, dtype=np.int64)
    ids = np.empty(nnz, dtype=pieces[0][1].dtype if pieces else np.int32)
    row = pos = 0
    pieces.reverse()
    while pieces:
        ptr, piece = pieces.pop()                       # the next piece in order; freed after the copy
        k = len(ptr) - 1
        indptr[row + 1: row + k + 1] = ptr[1:] + pos
        ids[pos: pos + len(piece)] = piece
        row, pos = row + k, pos + len(piece)
    return indptr, ids


def _labels(path, names: dict, codes: list, classes, label_column: str) -> tuple[np.ndarray, tuple]:
    """``(n,) int64`` labels indexing ``classes`` (derived from ``names`` when None), with read_table's checks."""
    if not codes:
        raise DataError(f"table {path} has no rows; add one row per document below the header")
    classes, index = class_index(path, list(names), classes, label_column)
    to_class = np.array([index[n] for n in names], dtype=np.int64)          # code → class id
    return to_class[np.asarray(codes, dtype=np.int64)], tuple(classes)


def _warn_bad(path, n_bad: int, n: int) -> None:
    if n_bad:
        warnings.warn(f"{n_bad} of {n} rows of {path} held bytes that are not UTF-8; "
                      "they were replaced with U+FFFD", UnicodeWarning, stacklevel=3)


def stream_build(data_path, tokenizer: str, vocab_size: int, options, workers: int | None = None
                 ) -> tuple[CSR, CSR, Vocab, tuple, dict]:
    """Train and test CSR of a table pair, read in chunks (see the module doc).

    Args:
        data_path (str | Path): the training table (``.csv``, ``.tsv``, ``.jsonl``, ``.ndjson``).
        tokenizer (str): a name from :data:`fastbow.data.tokenize.TOKENIZERS`.
        vocab_size (int): K.
        options (DataOptions): columns and ``test_file`` (:func:`streamable` must hold).
        workers (int, optional): processes; default :func:`fastbow.data.parallel_encode.default_workers`.

    Returns:
        tuple: ``train``, ``test`` (:class:`CSR`, ``indices`` int32), ``vocab``, ``classes`` and the
        wall times in seconds ``{"train", "vocab", "test"}``.

    Raises:
        DataError: as :func:`fastbow.data.tables.read_table`; an empty training vocabulary.
        FastbowError: unknown tokenizer or bad ``vocab_size``.
    """
    global _TOKENIZER, _VOCAB
    get_tokenizer(tokenizer)
    check_vocab_size(vocab_size)
    workers = default_workers(10 ** 9) if workers is None else workers
    workers = workers if _fork_ok() else 1
    text_col, label_col = options.text_column, options.label_column
    t0 = time.perf_counter()
    # 1. train: provisional ids in order of first appearance, counts, CSR pieces
    token_id: dict = {}
    counts = np.zeros(0, dtype=np.int64)
    pieces, names, codes, n_bad = [], {}, [], [0]
    _TOKENIZER = tokenizer
    for tokens, chunk_counts, indptr, local in _ordered_map(
            _count_encode_chunk, _chunks(data_path, text_col, label_col, names, codes, n_bad), workers):
        setdefault = token_id.setdefault
        to_global = np.fromiter((setdefault(t, len(token_id)) for t in tokens), dtype=np.int64, count=len(tokens))
        if len(token_id) > len(counts):
            counts = np.concatenate([counts, np.zeros(max(len(token_id) - len(counts), len(counts)), np.int64)])
        counts[to_global] += chunk_counts              # a chunk's tokens are distinct: no repeated index
        pieces.append((indptr, to_global.astype(np.int32)[local]))
    labels, classes = _labels(data_path, names, codes, None, label_col)
    _warn_bad(data_path, n_bad[0], len(codes))
    t1 = time.perf_counter()
    # 2. vocabulary, exactly as the in-memory path
    tokens = list(token_id)
    del token_id
    counter = Counter(dict(zip(tokens, counts[:len(tokens)].tolist())))
    vocab = build_vocab(_top_candidates(counter, vocab_size), vocab_size, tokenizer=tokenizer)
    index = vocab.index
    remap = np.fromiter((index.get(t, 0) for t in tokens), dtype=np.int32, count=len(tokens))
    del counter, tokens
    # 3. train CSR in final ids, rows sorted, OOV repeats merged
    for i, (ptr, ids) in enumerate(pieces):                                 # in place: one piece at a time
        pieces[i] = _sort_rows(ptr, remap[ids])
    train = CSR(*_concat(pieces), labels, vocab.n_features)
    t2 = time.perf_counter()
    # 4. test: encoded with the final vocabulary
    _VOCAB = vocab
    names_test, codes_test, bad_test = dict.fromkeys(classes), [], [0]
    names_test = {c: i for i, c in enumerate(names_test)}
    try:
        test_pieces = list(_ordered_map(_encode_chunk, _chunks(options.test_file, text_col, label_col, names_test,
                                                               codes_test, bad_test), workers))
    finally:
        _VOCAB = _TOKENIZER = None
    test_labels, _ = _labels(options.test_file, names_test, codes_test, classes, label_col)
    _warn_bad(options.test_file, bad_test[0], len(codes_test))
    test = CSR(*_concat(test_pieces), test_labels, vocab.n_features)
    t3 = time.perf_counter()
    return train, test, vocab, classes, {"train": t1 - t0, "vocab": t2 - t1, "test": t3 - t2}
