"""Tokenize, count and encode both splits in worker processes: the cold half of :func:`fastbow.data.prepare.build`.

The work is per document (tokenize, count tokens, map to ids, deduplicate,
sort), in C-level ``str``/``re``/``set`` calls driven by one Python call per
document, so one process is bound by one core. With ``workers`` processes the
documents are split into ``workers`` contiguous shards; the parent works on
shard 0 while forked children work on the others:

1. each process tokenizes its shard of train and counts the tokens;
2. the parent merges the counts and builds the vocabulary (every process's
   counts are exact, so the vocabulary is the serial one);
3. each process encodes its train shard and tokenizes + encodes its test shard;
4. the parent concatenates the CSR pieces in shard order.

The result is identical to the serial path (``tests/test_parallel_encode.py``).
Children are forked, so they read the texts without copying or pickling them;
only token counts (~1 MB) and CSR pieces travel back. Where ``fork`` is not
available (Windows; macOS, where it is unsafe) the serial path runs.
``FASTBOW_PREPARE_WORKERS=1`` forces it anywhere.

The cyclic garbage collector is paused while the token lists are built: they
hold no cycles, and its full passes over millions of new containers cost
~0.8 s of the ~6.7 s serial build on IMDB (and, in a forked child, would also
touch, hence copy, the parent's pages). Before the vocabulary is sorted, the
counts are cut to the tokens that can make the top K (count ≥ the K-th largest
count, ties kept), which sorts ~20,000 items instead of ~80,000 and gives the
same vocabulary.

Evidence: on IMDB (2-core CPU, idle) the serial path takes ~6.4 s and 2
processes ~4 s; ``benchmarks/test_a_prepare.py`` measures both against
scikit-learn's ``CountVectorizer`` (``benchmarks/RESULTS.md``).
"""
from __future__ import annotations

import gc
import math
import multiprocessing
import os
import sys
import time
import traceback
from collections import Counter
from contextlib import contextmanager

import numpy as np

from fastbow.data.csr import encode_csr
from fastbow.data.tokenize import get_tokenizer
from fastbow.data.vocab import Vocab, build_vocab, check_vocab_size, count_tokens
from fastbow.errors import FastbowError

_MIN_DOCS_PER_WORKER = 2_000  # below this, forking costs more than it saves
_JOB = None  # (train_texts, test_texts, tokenizer_name, bounds): set before forking, read by the children


def default_workers(n_docs: int) -> int:
    """Processes to use for ``n_docs`` training documents.

    ``$FASTBOW_PREPARE_WORKERS`` when set; else ``min(usable CPUs, 4)``, reduced to the
    CPUs not fully taken by other jobs (CPUs minus the 1-minute load average less this
    process's own 1, rounded up), and 1 for fewer than 2,000 documents per process or where ``fork`` is
    unavailable. Evidence for the load rule, on the 2-core machine: at load average ~5
    (other jobs), 2 processes took 15.8 s and 1 took 11.3 s; at ~1.8, 4.3 s and 6.5 s
    (``benchmarks/RESULTS.md``, group a).

    Raises:
        FastbowError: ``$FASTBOW_PREPARE_WORKERS`` is not a positive integer.
    """
    env = os.environ.get("FASTBOW_PREPARE_WORKERS")
    if env is not None:
        try:
            n = int(env)
        except ValueError:
            n = 0
        if n <= 0:
            raise FastbowError(f"FASTBOW_PREPARE_WORKERS should be a positive integer, but got {env!r}")
        return n
    if not _fork_ok():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    others = max(0.0, os.getloadavg()[0] - 1.0) if hasattr(os, "getloadavg") else 0.0
    idle = math.ceil(cpus - others)
    return max(1, min(cpus, 4, idle, n_docs // _MIN_DOCS_PER_WORKER))


def _fork_ok() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector (reference counting still frees everything)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _top_candidates(counts: Counter, k: int) -> Counter:
    """The entries of ``counts`` whose count is at least the ``k``-th largest (ties kept); all if ``k`` ≥ len."""
    if k >= len(counts):
        return counts
    values = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    kth = np.partition(values, len(values) - k)[len(values) - k]  # the k-th largest count
    return Counter({t: c for t, c in counts.items() if c >= kth})


def _bounds(n: int, parts: int) -> list[tuple[int, int]]:
    cuts = [n * i // parts for i in range(parts + 1)]
    return list(zip(cuts[:-1], cuts[1:]))


def _count_shard(train_texts, tok) -> tuple[list, Counter]:
    tokens = [tok(t) for t in train_texts]
    return tokens, count_tokens(tokens)


def _encode_shard(train_tokens, test_texts, tok, vocab: Vocab):
    train = encode_csr(train_tokens, vocab)
    test = encode_csr((tok(t) for t in test_texts), vocab)
    return train, test


def _child(conn, shard: int) -> None:
    """Body of a forked worker: steps 1 and 3 for ``shard``, talking to the parent over ``conn``."""
    try:
        train_texts, test_texts, tokenizer, bounds = _JOB
        tok = get_tokenizer(tokenizer)
        (a, b), (c, d) = bounds[0][shard], bounds[1][shard]
        tokens, counts = _count_shard(train_texts[a:b], tok)
        conn.send(("counts", dict(counts)))
        tokens_ids = conn.recv()
        if tokens_ids is None:  # the parent gave up
            return
        conn.send(("csr", _encode_shard(tokens, test_texts[c:d], tok, Vocab(tokens_ids, (0,) * len(tokens_ids),
                                                                           tokenizer))))
    except BaseException:  # report, never hang the parent
        conn.send(("error", traceback.format_exc(limit=3)))
    finally:
        conn.close()


def _concat(pieces) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate CSR pieces ``[(indptr, indices), ...]`` in order."""
    ends = np.cumsum([0] + [int(p[0][-1]) for p in pieces])
    indptr = np.concatenate([[0]] + [p[0][1:] + e for p, e in zip(pieces, ends)]).astype(np.int64)
    indices = np.concatenate([p[1] for p in pieces])
    return indptr, indices


def tokenize_count_encode(train_texts, test_texts, tokenizer: str, vocab_size: int, workers: int | None = None):
    """Vocabulary from the training texts and the CSR of both splits.

    Args:
        train_texts, test_texts (list[str]): the reviews.
        tokenizer (str): a name from :data:`fastbow.data.tokenize.TOKENIZERS`.
        vocab_size (int): K (see :func:`fastbow.data.vocab.build_vocab`).
        workers (int, optional): processes; default :func:`default_workers`.

    Returns:
        tuple: ``vocab``, ``(train_indptr, train_indices)``, ``(test_indptr, test_indices)``
        (``indptr`` int64, ``indices`` int32) and ``seconds``, a dict of wall times
        ``{"tokenize_count", "vocab", "encode"}``.

    Raises:
        DataError: empty training vocabulary (from :func:`fastbow.data.vocab.build_vocab`).
        FastbowError: unknown tokenizer, bad ``vocab_size``, or a worker failed (its traceback's last line).
    """
    with _gc_paused():  # forked children inherit the paused collector
        return _tokenize_count_encode(train_texts, test_texts, tokenizer, vocab_size, workers)


def _tokenize_count_encode(train_texts, test_texts, tokenizer, vocab_size, workers):
    tok = get_tokenizer(tokenizer)
    workers = default_workers(len(train_texts)) if workers is None else workers
    workers = max(1, min(workers, len(train_texts) or 1))
    if workers > 1 and not _fork_ok():
        workers = 1
    bounds = (_bounds(len(train_texts), workers), _bounds(len(test_texts), workers))
    t0 = time.perf_counter()
    with worker_pool(_child, workers, (train_texts, test_texts, tokenizer, bounds)) as conns:
        (a, b), (c, d) = bounds[0][0], bounds[1][0]
        tokens, counts = _count_shard(train_texts[a:b], tok)
        for conn in conns:
            counts.update(_receive(conn, "counts"))
        t1 = time.perf_counter()
        vocab = build_vocab(_top_candidates(counts, check_vocab_size(vocab_size)), vocab_size, tokenizer=tokenizer)
        t2 = time.perf_counter()
        for conn in conns:
            conn.send(vocab.tokens)
        pieces = [_encode_shard(tokens, test_texts[c:d], tok, vocab)]
        del tokens
        pieces += [_receive(conn, "csr") for conn in conns]
    train = _concat([p[0] for p in pieces])
    test = _concat([p[1] for p in pieces])
    t3 = time.perf_counter()
    return vocab, train, test, {"tokenize_count": t1 - t0, "vocab": t2 - t1, "encode": t3 - t2}


@contextmanager
def worker_pool(child, workers: int, job: tuple):
    """Fork ``workers - 1`` processes running ``child(conn, shard)`` for shards ``1 .. workers - 1``; yield their pipes.

    The children read ``job`` from the ``_JOB`` global of ``child``'s module, set only while forking
    (fork copies it; nothing is pickled). On an error in the ``with`` body each child is told to stop
    (``None`` on its pipe); on leaving, every child is joined (5 s, then terminated) and every pipe closed.
    Shard 0 is the caller's own work. Used by :func:`tokenize_count_encode` and
    :func:`fastbow.data.ngram_encode.tokenize_to_ids`.

    Yields:
        list: one ``multiprocessing`` connection per child, in shard order (empty when ``workers <= 1``).
    """
    conns, procs = [], []
    if workers > 1:
        ctx = multiprocessing.get_context("fork")
        holder = sys.modules[child.__module__]
        holder._JOB = job
        try:
            for shard in range(1, workers):
                parent, end = ctx.Pipe()
                p = ctx.Process(target=child, args=(end, shard), daemon=True)
                p.start()
                end.close()
                conns.append(parent)
                procs.append(p)
        finally:
            holder._JOB = None
    try:
        yield conns
    except BaseException:
        for conn in conns:
            try:
                conn.send(None)
            except OSError:
                pass
        raise
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
        for conn in conns:
            conn.close()


def _receive(conn, kind: str):
    try:
        tag, payload = conn.recv()
    except EOFError:
        raise FastbowError("a tokenizer worker process died; rerun with FASTBOW_PREPARE_WORKERS=1") from None
    if tag == "error":
        raise FastbowError(f"a tokenizer worker failed: {payload.strip().splitlines()[-1]}; "
                           "rerun with FASTBOW_PREPARE_WORKERS=1 to see it in this process")
    assert tag == kind, (tag, kind)
    return payload
