"""Stable hashing of word n-grams into buckets (``--hash-buckets``), and their collisions.

A token's hash is the first 8 bytes of BLAKE2b over its UTF-8 bytes (:func:`token_hashes`); an n-gram's is
FNV-1a over its tokens' 64-bit hashes, finished by splitmix64's finalizer (:func:`ngram_hash`). Both depend
on the token strings only — the same in every process, machine and Python version (Python's ``hash()`` of a
``str`` is salted per process). Bucket = ``h mod M``; distinct n-grams that share a bucket *collide*
(:func:`hash_collisions`). Reference values are tested in ``tests/test_ngrams.py``.
"""
from __future__ import annotations

import hashlib

import numpy as np


def token_hashes(tokens) -> np.ndarray:
    """``(U + 1,) uint64``: BLAKE2b-64 of each token's UTF-8 bytes, at index = unigram id (index 0 unused)."""
    h = np.zeros(len(tokens) + 1, dtype=np.uint64)
    h[1:] = np.fromiter((int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
                         for t in tokens), dtype=np.uint64, count=len(tokens))
    return h


_FNV_OFFSET, _FNV_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)


def ngram_hash(keys: np.ndarray, n: int, base: int, tok_hash: np.ndarray) -> np.ndarray:
    """``(m,) uint64`` stable hashes of n-grams of order ``n`` given by their keys.

    ``h = offset; for each token t: h = (h xor H[t]) * prime`` (FNV-1a over 64-bit token digests),
    then splitmix64's finalizer; ``H`` = :func:`token_hashes`. All arithmetic wraps modulo 2**64.
    """
    digits = []
    k = keys.copy()
    for _ in range(n):
        digits.append(k % base)
        k //= base
    h = np.full(len(keys), _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for d in reversed(digits):  # first token first
            h ^= tok_hash[d]
            h *= _FNV_PRIME
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def sorted_runs(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted ``(m,)`` array and their run lengths (``(u,)`` each, counts int64)."""
    if len(s) == 0:
        return s[:0], np.zeros(0, np.int64)
    flag = np.empty(len(s), dtype=bool)
    flag[0] = True
    np.not_equal(s[1:], s[:-1], out=flag[1:])
    starts = np.flatnonzero(flag)
    return s[starts], np.diff(np.append(starts, len(s)))


def hash_collisions(train_keys: np.ndarray, buckets: np.ndarray) -> dict:
    """``{"ngrams", "buckets_used", "collisions"}`` of the distinct training n-grams (order >= 2) and their buckets.

    ``collisions = ngrams - buckets_used``: the number of distinct n-grams that share a bucket with
    another one (with M buckets and n n-grams about ``n - M (1 - exp(-n / M))`` are expected).
    """
    order = np.argsort(train_keys, kind="stable")
    sk = train_keys[order]
    first = np.ones(len(sk), dtype=bool)
    first[1:] = sk[1:] != sk[:-1]
    uk = sk[first]
    used = len(sorted_runs(np.sort(buckets[order[first]]))[0])
    return {"ngrams": len(uk), "buckets_used": int(used), "collisions": int(len(uk) - used)}
