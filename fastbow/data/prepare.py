"""Prepare a dataset once: read → tokenize → vocabulary → CSR, cached on disk.

The cache file is keyed by the dataset's content fingerprint (the archive's
sha256), the tokenizer's name, the requested vocabulary size and
``CACHE_FORMAT``; a second run with the same key loads it ("cache hit")
instead of tokenizing. The file is written to a temporary name and renamed,
so a reader (or a second process building the same cache at the same time)
never sees a half-written file; it stores a sha256 of its own arrays, so a
truncated or edited cache is detected, reported and rebuilt.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fastbow.atomic import atomic_write
from fastbow.data.csr import CSR
from fastbow.data.datapath import cache_dir as default_cache_dir
from fastbow.data.dataset import DataOptions, fingerprint, read_dataset
from fastbow.data.ngram_encode import encode_ngrams
from fastbow.data.ngrams import NgramOptions, vocab_from_dict
from fastbow.data.npz_mmap import load_npz_mmap
from fastbow.data.parallel_encode import tokenize_count_encode
from fastbow.data.stream_encode import stream_build, streamable
from fastbow.data.tokenize import get_tokenizer, version_tag
from fastbow.data.vocab import DEFAULT_VOCAB_SIZE, Vocab, check_vocab_size
from fastbow.errors import DataError

log = logging.getLogger("fastbow")

CACHE_FORMAT = 1
_ARRAYS = ("indptr", "indices", "labels")


@dataclass(frozen=True)
class Prepared:
    """A dataset ready for the loader.

    Attributes:
        train (CSR): training split (``indptr (n+1,) int64``, ``indices (nnz,) int32``, ``labels (n,) int64``).
        test (CSR): test split, encoded with the training vocabulary.
        vocab (Vocab): K tokens, ids 1..K (0 = OOV); ``vocab.n_features == train.n_features``.
        classes (tuple[str, ...]): class names; label ``i`` is ``classes[i]`` (IMDB: ``("neg", "pos")``).
        cache_hit (bool): loaded from the cache rather than built.
        cache_path (Path | None): the cache file, or None when caching is off.
        seconds (float): wall time of :func:`prepare`, in seconds.
        info (dict | None): n-gram statistics (distinct training n-grams, hash collisions), or None.
    """

    train: CSR
    test: CSR
    vocab: Vocab
    classes: tuple
    cache_hit: bool
    cache_path: Path | None
    seconds: float
    info: dict | None = None


def cache_key(fp: str, tokenizer: str, vocab_size: int, ngram: NgramOptions | None = None) -> str:
    """24 hex digits of sha256 over (format, data fingerprint, tokenizer and its version, K, n-gram options).

    The version (:func:`fastbow.data.tokenize.version_tag`) changes when a tokenizer's rule does,
    so a CSR built by an older ``words`` is rebuilt rather than reused.
    """
    extra = ngram.key() if ngram is not None else ""
    key = f"{CACHE_FORMAT}|{fp}|{version_tag(tokenizer)}|{vocab_size}{extra}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _arrays_digest(arrays: dict) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.data)
    return h.hexdigest()


def save_prepared(path: Path, train: CSR, test: CSR, vocab: Vocab, classes: tuple, notes=(),
                  info: dict | None = None) -> None:
    """Write a cache file atomically (temporary file in the same folder + ``os.replace``).

    ``notes`` are the data warnings raised while building, ``(category name, message)`` pairs,
    shown again on every cache hit (:func:`replay_notes`). ``data`` (term counts) is stored when the
    CSR has it; ``info`` (n-gram statistics) goes into the metadata.
    """
    arrays = {f"{split}_{name}": getattr(csr, name) for split, csr in (("train", train), ("test", test))
              for name in _ARRAYS + ("data",) if getattr(csr, name) is not None}
    meta = {"format": CACHE_FORMAT, "vocab": vocab.to_dict(), "classes": list(classes),
            "n_features": train.n_features, "digest": _arrays_digest(arrays), "notes": [list(n) for n in notes],
            "info": info}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        np.savez(f, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)


_NOTE_CATEGORIES = {"UnicodeWarning": UnicodeWarning, "UserWarning": UserWarning}


def replay_notes(path: Path) -> None:
    """Warn again, with their category, the data warnings stored in the cache file ``path``."""
    try:
        with np.load(path, allow_pickle=False) as z:
            notes = json.loads(z["meta"].tobytes().decode()).get("notes", [])
    except Exception:  # the file was verified just before; a failure here only costs the replay
        return
    for category, message in notes:
        warnings.warn(message, _NOTE_CATEGORIES.get(category, UserWarning), stacklevel=3)


def load_prepared(path: Path) -> tuple[CSR, CSR, Vocab, tuple, dict | None]:
    """Read and verify a cache file written by :func:`save_prepared`.

    The arrays are memory-mapped copy-on-write (:func:`fastbow.data.npz_mmap.load_npz_mmap`): the
    processes of a ``torchrun`` job (and the page cache) share one copy of the CSR.

    Raises:
        DataError: the file is unreadable, truncated, or its arrays do not match
            the stored sha256 digest (edited or damaged).
    """
    try:
        arrays = load_npz_mmap(path)  # memory-mapped: the processes of a torchrun job share one copy
        meta = json.loads(arrays.pop("meta").tobytes().decode())
    except Exception as e:  # zipfile/np errors vary with the kind of damage
        raise DataError(f"cache file {path} is unreadable ({type(e).__name__}: {e})") from None
    if meta.get("format") != CACHE_FORMAT or _arrays_digest(arrays) != meta.get("digest"):
        raise DataError(f"cache file {path} failed its checksum (truncated or edited)")
    vocab = vocab_from_dict(meta["vocab"])
    splits = [CSR(*(arrays[f"{s}_{n}"] for n in _ARRAYS), n_features=int(meta["n_features"]),
                  data=arrays.get(f"{s}_data")).validate() for s in ("train", "test")]
    return splits[0], splits[1], vocab, tuple(meta["classes"]), meta.get("info")


def build(data_path, tokenizer: str, vocab_size: int, options: DataOptions | None = None,
          ngram: NgramOptions | None = None) -> tuple[CSR, CSR, Vocab, tuple, dict | None]:
    """Read (:func:`fastbow.data.dataset.read_dataset`), tokenize, build the vocabulary on train and encode both splits.

    Raises:
        DataError: from the reader (missing/corrupt data) or an empty training vocabulary.
        FastbowError: unknown tokenizer or bad ``vocab_size``.
    """
    get_tokenizer(tokenizer)
    if streamable(data_path, options) and (ngram is None or ngram.is_default):  # table pairs: read in chunks, memory bounded (fastbow/data/stream_encode.py)
        train, test, vocab, classes, seconds = stream_build(data_path, tokenizer, vocab_size, options)
        log.info("read, tokenized (%s) and encoded %s in chunks in %.1f s; vocabulary (K=%d) and test split in %.1f s",
                 tokenizer, data_path, seconds["train"], len(vocab), seconds["vocab"] + seconds["test"])
        return train, test, vocab, classes, None
    t0 = time.perf_counter()
    splits = read_dataset(data_path, options)
    t1 = time.perf_counter()
    if ngram is not None and not ngram.is_default:  # n-grams, cut-offs, hashing or counts: fastbow/data/ngram_encode.py
        vocab, (train_ptr, train_ix, train_data), (test_ptr, test_ix, test_data), info = encode_ngrams(
            splits["train"].texts, splits["test"].texts, tokenizer, vocab_size, ngram.ngrams, ngram.min_df,
            ngram.max_df, ngram.hash_buckets)
        t2 = time.perf_counter()
        log.info("read %s in %.1f s; tokenized (%s), built the %d-gram vocabulary (K=%d%s) and CSR in %.1f s",
                 data_path, t1 - t0, tokenizer, ngram.ngrams, len(vocab),
                 f", {ngram.hash_buckets} hash buckets" if ngram.hash_buckets else "", t2 - t1)
        train = CSR(train_ptr, train_ix, splits["train"].labels, vocab.n_features, train_data)
        test = CSR(test_ptr, test_ix, splits["test"].labels, vocab.n_features, test_data)
        return train, test, vocab, tuple(splits["train"].classes), info
    # tokenize + count, vocabulary, encode: in worker processes (fastbow/parallel_encode.py)
    vocab, (train_ptr, train_ix), (test_ptr, test_ix), _ = tokenize_count_encode(
        splits["train"].texts, splits["test"].texts, tokenizer, vocab_size)
    t2 = time.perf_counter()
    log.info("read %s in %.1f s; tokenized (%s), built vocabulary (K=%d) and CSR in %.1f s",
             data_path, t1 - t0, tokenizer, len(vocab), t2 - t1)
    train = CSR(train_ptr, train_ix, splits["train"].labels, vocab.n_features)
    test = CSR(test_ptr, test_ix, splits["test"].labels, vocab.n_features)
    return train, test, vocab, tuple(splits["train"].classes), None


def prepare(data_path, tokenizer: str = "words", vocab_size: int = DEFAULT_VOCAB_SIZE, *,
            use_cache: bool = True, cache_dir: str | os.PathLike | None = None,
            options: DataOptions | None = None, ngram: NgramOptions | None = None) -> Prepared:
    """Return the CSR splits of ``data_path``, from the cache when possible.

    Args:
        data_path (str | Path): the IMDB archive or an extracted ``aclImdb/`` folder.
        tokenizer (str): a name from :data:`fastbow.data.tokenize.TOKENIZERS`.
        vocab_size (int): K, the vocabulary size requested (clamped, with a warning,
            to the number of distinct training tokens).
        use_cache (bool): read and write the cache (default True).
        cache_dir (path, optional): cache folder; default ``fastbow.data.datapath.cache_dir()/prepared``.
        options (DataOptions, optional): table columns and test split (:mod:`fastbow.data.dataset`);
            they are part of the cache key.
        ngram (NgramOptions, optional): n-grams, df cut-offs, hashing, term counts
            (:mod:`fastbow.data.ngrams`); part of the cache key.

    Warnings about the data (undecodable bytes, a vocabulary clamped to the distinct tokens) are
    raised while building and again on every cache hit (stored in the cache file).

    Raises:
        DataError, FastbowError: see :func:`build`. A damaged cache file is not
        an error: it is reported with a warning-level log line and rebuilt.
    """
    get_tokenizer(tokenizer)
    check_vocab_size(vocab_size)
    if options is not None:
        options.validate()
    if ngram is not None:
        ngram.validate()
    t0 = time.perf_counter()
    path = None
    if use_cache:
        folder = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "prepared"
        path = folder / f"imdb-{tokenizer}-{vocab_size}-{cache_key(fingerprint(data_path, options), tokenizer, vocab_size, ngram)}.npz"
        if path.exists():
            try:
                train, test, vocab, classes, info = load_prepared(path)
                seconds = time.perf_counter() - t0
                log.info("cache hit: loaded %s in %.2f s", path, seconds)
                replay_notes(path)  # the data warnings of the build (decode errors, clamped vocabulary)
                return Prepared(train, test, vocab, classes, True, path, seconds, info)
            except DataError as e:
                log.warning("%s; rebuilding it", e)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train, test, vocab, classes, info = build(data_path, tokenizer, vocab_size, options, ngram)
    notes = []
    for w in caught:  # shown now, and stored so that a cache hit shows the data warnings again
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if w.category.__name__ in _NOTE_CATEGORIES:
            notes.append((w.category.__name__, str(w.message)))
    if path is not None:
        try:
            save_prepared(path, train, test, vocab, classes, notes, info)
            log.info("cached the CSR at %s", path)
        except OSError as e:
            log.warning("could not write the cache %s (%s); continuing without it", path, e)
    return Prepared(train, test, vocab, classes, False, path, time.perf_counter() - t0, info)
