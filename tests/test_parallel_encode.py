import numpy as np
import pytest

from fastbow.data.csr import encode_csr
from fastbow.data.parallel_encode import default_workers, tokenize_count_encode
from fastbow.data.tokenize import words
from fastbow.data.vocab import build_vocab, count_tokens
from fastbow.errors import FastbowError

RNG = np.random.default_rng(0)
WORDS = [f"w{i}" for i in range(300)] + ["Film.<br /><br />The", "isn't", "café"]


def texts(n):
    return [" ".join(RNG.choice(WORDS, RNG.integers(0, 40))) for _ in range(n)]


TRAIN, TEST = texts(101), texts(57)


def serial():
    toks = [words(t) for t in TRAIN]
    vocab = build_vocab(count_tokens(toks), 150, tokenizer="words")
    return vocab, encode_csr(toks, vocab), encode_csr([words(t) for t in TEST], vocab)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_give_the_serial_result(workers):
    vocab, train, test, seconds = tokenize_count_encode(TRAIN, TEST, "words", 150, workers=workers)
    want_vocab, want_train, want_test = serial()
    assert vocab == want_vocab and vocab.counts == want_vocab.counts
    for got, want in ((train, want_train), (test, want_test)):
        assert got[0].dtype == np.int64 and got[1].dtype == np.int32
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert set(seconds) == {"tokenize_count", "vocab", "encode"}


def test_worker_failure_is_one_line_error():
    bad = TRAIN[:60] + [None] * 41          # the child's shard (rows 50..100) holds non-strings
    with pytest.raises(FastbowError, match="a tokenizer worker failed: .*FASTBOW_PREPARE_WORKERS=1"):
        tokenize_count_encode(bad, TEST, "words", 150, workers=2)


def test_default_workers(monkeypatch):
    monkeypatch.delenv("FASTBOW_PREPARE_WORKERS", raising=False)
    assert default_workers(100) == 1                   # too few documents to be worth a fork
    assert 1 <= default_workers(25_000) <= 4
    monkeypatch.setattr("os.getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    assert default_workers(25_000) == 2                # idle 2-core machine
    monkeypatch.setattr("os.getloadavg", lambda: (1.8, 1.0, 1.0))
    assert default_workers(25_000) == 2                # this process + a part-time job: still worth it
    monkeypatch.setattr("os.getloadavg", lambda: (5.2, 5.0, 4.0))
    assert default_workers(25_000) == 1                # cores busy with other jobs: forking would not help
    monkeypatch.setenv("FASTBOW_PREPARE_WORKERS", "3")
    assert default_workers(100) == 3
    monkeypatch.setenv("FASTBOW_PREPARE_WORKERS", "zero")
    with pytest.raises(FastbowError, match="FASTBOW_PREPARE_WORKERS should be a positive integer, but got 'zero'"):
        default_workers(100)


def test_top_candidates_keep_ties_and_give_the_same_vocabulary():
    from collections import Counter

    from fastbow.data.parallel_encode import _top_candidates
    c = Counter({"a": 5, "b": 3, "c": 3, "d": 3, "e": 1})
    assert set(_top_candidates(c, 2)) == {"a", "b", "c", "d"}     # the 2nd largest count is 3: ties kept
    assert _top_candidates(c, 9) is c
    assert build_vocab(_top_candidates(c, 2), 2, tokenizer="w") == build_vocab(c, 2, tokenizer="w")


def test_garbage_collector_is_restored():
    import gc
    assert gc.isenabled()
    tokenize_count_encode(TRAIN, TEST, "words", 150, workers=2)
    assert gc.isenabled()
