"""n-gram extraction, vocabulary cut-offs and stable hashing (fastbow.data.ngrams, fastbow.data.ngram_encode)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from fastbow.data import ngrams as ng
from fastbow.data.ngram_encode import encode_ngrams
from fastbow.data.parallel_encode import tokenize_count_encode
from fastbow.data.tokenize import words
from fastbow.errors import DataError, FastbowError

pytestmark = pytest.mark.filterwarnings("ignore:vocab_size")

TRAIN = ["A good film.<br /><br />Good fun", "bad film bad film", "good good", "Bad, bad film!<br/>Not good."]
TEST = ["good film", "unknown good film<br/>fun", ""]


def rows(csr3, vocab):
    """Rows as {n-gram: value}, OOV as '<oov>'."""
    indptr, indices, data = csr3
    names = ("<oov>",) + vocab.tokens
    return [{names[j]: float(v) for j, v in zip(indices[a:b], data[a:b])} for a, b in zip(indptr[:-1], indptr[1:])]


def test_words_segmented_is_words_plus_markers():
    for text in TRAIN + ["Amélie's café—great!<BR>ok", "x\x00y<br/>z", ""]:
        toks = ng.words_segmented(text)
        assert [t for t in toks if t != ng.BOUNDARY] == words(text.replace("\x00", " "))
    assert ng.words_segmented("Not bad.<br /><br />Great fun") == ["not", "bad", "\x00", "\x00", "great", "fun"]


def test_bigrams_stop_at_line_breaks_and_documents_and_count_repeats():
    v, train, test, _ = encode_ngrams(TRAIN, TEST, "words", 1000, ngrams=2, workers=1)
    r = rows(train, v)
    assert r[0] == {"a": 1, "good": 2, "film": 1, "fun": 1, "a good": 1, "good film": 1, "good fun": 1}
    assert "film good" not in v.index  # would cross <br /><br />
    assert r[1] == {"bad": 2, "film": 2, "bad film": 2, "film bad": 1}  # a repeated bigram counts twice
    assert "good bad" not in v.index and "fun bad" not in v.index  # never across documents
    assert rows(test, v) == [{"good": 1, "film": 1, "good film": 1},
                             {"<oov>": 2, "good": 1, "film": 1, "good film": 1, "fun": 1},  # 'unknown', 'unknown good'
                             {}]
    # ids: most frequent first, ties unigrams before bigrams, then by tokens
    assert v.tokens[:3] == ("good", "bad", "film") and v.counts[:3] == (5, 4, 4)


def test_trigrams_and_n_features():
    v, train, _, _ = encode_ngrams(["a b c d", "a b c"], ["b c d"], "words", 1000, ngrams=3, workers=1)
    assert {"a b c", "b c d"} <= set(v.tokens) and v.index["a b c"] < v.index["b c d"]  # tf 2 before tf 1
    assert v.n_features == len(v.tokens) + 1 == 4 + 3 + 2 + 1
    assert np.all(np.diff(train[0]) > 0) and train[1].dtype == np.int32 and train[2].dtype == np.float32


@pytest.mark.parametrize("k", [1, 3, 50])
def test_ngrams_1_is_the_unigram_path(k):
    with pytest.warns(UserWarning) if k == 50 else _nothing():
        v1, tr1, te1, _ = encode_ngrams(TRAIN, TEST, "words", k, ngrams=1, workers=1)
    with pytest.warns(UserWarning) if k == 50 else _nothing():
        v0, tr0, te0, _ = tokenize_count_encode(TRAIN, TEST, "words", k, workers=1)
    assert v1.tokens == v0.tokens and v1.counts == v0.counts
    for a, b in ((tr1, tr0), (te1, te0)):
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_parallel_equals_serial():
    texts = [f"w{i % 7} w{i % 5} w{i % 3}<br />w{i % 11} w{i % 2}" for i in range(4500)]
    serial = encode_ngrams(texts, texts[:900], "words", 60, ngrams=3, workers=1)
    par = encode_ngrams(texts, texts[:900], "words", 60, ngrams=3, workers=2)
    assert serial[0] == par[0]
    for a, b in zip(serial[1] + serial[2], par[1] + par[2]):
        assert np.array_equal(a, b)


def test_min_df_max_df_match_countvectorizer():
    docs = ["a b c a", "a b d", "a c", "e f a", "b c"]
    for min_df, max_df in ((2, 1.0), (1, 0.6), (0.4, 4), (2, 3)):
        v, *_ = encode_ngrams(docs, ["a"], "words", 10_000, ngrams=2, min_df=min_df, max_df=max_df, workers=1)
        cv = CountVectorizer(tokenizer=words, lowercase=False, token_pattern=None, ngram_range=(1, 2),
                             min_df=min_df, max_df=max_df).fit(docs)
        assert set(v.tokens) == set(cv.vocabulary_), (min_df, max_df)


def test_empty_vocabulary_and_bad_options():
    with pytest.raises(DataError, match=r"^empty vocabulary: no training n-gram has a document frequency in \[2, 1.0\]"):
        encode_ngrams(["a b", "c d", "e"], ["a"], "words", 10, ngrams=2, min_df=2, workers=1)
    with pytest.raises(FastbowError, match=r"^ngrams should be an integer in 1..3, but got ngrams=4"):
        ng.check_ngram_options(4)
    with pytest.raises(FastbowError, match=r"^min_df should be a document count >= 1 or a fraction in \(0, 1\], but got min_df=0"):
        ng.check_ngram_options(2, min_df=0)
    with pytest.raises(FastbowError, match=r"^hash_buckets hashes n-grams of order >= 2; pass --ngrams 2 or 3"):
        ng.check_ngram_options(1, hash_buckets=8)
    with pytest.raises(FastbowError, match=r"^max_df corresponds to fewer documents than min_df"):
        ng.df_bounds(3, 2, 10)


def test_hashing_buckets_collisions_and_oov():
    v, train, test, info = encode_ngrams(TRAIN, TEST, "words", 3, ngrams=2, hash_buckets=4, workers=1)
    assert v.tokens == ("good", "bad", "film") and v.n_features == 3 + 1 + 4
    ix = train[1]
    assert ix.max() < v.n_features
    h = info["hashing"]
    distinct = 8  # a good, good film, good fun, bad film, bad bad, film bad, good good, not good
    assert h["ngrams"] == distinct and h["buckets_used"] <= 4 and h["collisions"] == distinct - h["buckets_used"]
    # a bigram with a token never seen in training is OOV (id 0), as in the count vocabulary
    r = dict(zip(test[1][test[0][1]:test[0][2]], test[2][test[0][1]:test[0][2]]))
    assert r[0] == 3  # 'unknown', 'unknown good', and 'fun' (not among the K = 3 unigrams)


HASH_SCRIPT = textwrap.dedent("""
    import numpy as np
    from fastbow.data import ngrams as ng
    tokens = ("bad", "film", "good", "zebra")
    keys = np.array([1 * 5 + 2, 3 * 5 + 4, (1 * 5 + 2) * 5 + 3], dtype=np.int64)
    H = ng.token_hashes(tokens)
    print(ng.ngram_hash(keys[:2], 2, 5, H).tolist(), ng.ngram_hash(keys[2:], 3, 5, H).tolist())
""")


def test_hash_is_stable_across_processes():
    outs = {subprocess.run([sys.executable, "-c", HASH_SCRIPT], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout for seed in ("0", "1", "12345")}
    assert len(outs) == 1
    # and fixed values (a change of the hash would silently change every hashed model)
    assert outs.pop().strip() == _expected_hashes()


def _expected_hashes() -> str:
    tokens = ("bad", "film", "good", "zebra")
    H = ng.token_hashes(tokens)
    keys = np.array([1 * 5 + 2, 3 * 5 + 4, (1 * 5 + 2) * 5 + 3], dtype=np.int64)
    return f"{ng.ngram_hash(keys[:2], 2, 5, H).tolist()} {ng.ngram_hash(keys[2:], 3, 5, H).tolist()}"


def test_hash_reference_value():
    # FNV-1a over BLAKE2b-64 token digests + splitmix64 finalizer, written out in plain Python
    import hashlib

    def blake(t):
        return int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")

    m = (1 << 64) - 1
    h = 0xCBF29CE484222325
    for t in ("bad", "film"):
        h = ((h ^ blake(t)) * 0x100000001B3) & m
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & m
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & m
    h ^= h >> 31
    H = ng.token_hashes(("bad", "film"))
    assert ng.ngram_hash(np.array([1 * 3 + 2]), 2, 3, H).tolist() == [h]


def test_vocab_round_trip(tmp_path):
    v, *_ = encode_ngrams(TRAIN, TEST, "words", 5, ngrams=2, min_df=1, max_df=0.9, workers=1)
    v.save(tmp_path / "v.json")
    import json

    back = ng.vocab_from_dict(json.loads((tmp_path / "v.json").read_text()))
    assert back == v and back.n_features == v.n_features
