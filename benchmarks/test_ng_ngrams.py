"""Group ng (issue 12): word 1-2-gram preparation, fastbow against scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2))``.

Same texts (train + test, read outside both), same work: learn the n-gram vocabulary on train and
encode both splits. fastbow: :func:`fastbow.data.ngram_encode.encode_ngrams` (tokenize in 2 worker
processes, n-grams in NumPy), K = 100,000 kept n-grams, term counts stored; the tf-idf values
themselves are computed at run time from the training rows (:mod:`fastbow.data.weighting`, timed in
the note). scikit-learn: ``fit_transform`` on train, ``transform`` on test, its default tokenizer
(``(?u)\\b\\w\\w+\\b``, which drops one-letter words, so its vocabulary is slightly smaller) and the full
vocabulary (``max_features=None``; with ``max_features=100000`` it does strictly more work: a sort).
Target: fastbow ≤ 0.5× TfidfVectorizer. Peak RSS of this process (children not counted) is in the notes.
"""
import resource
import time

import pytest
from benchutil import record
from sklearn.feature_extraction.text import TfidfVectorizer

from fastbow.data.csr import CSR
from fastbow.data.ngram_encode import encode_ngrams
from fastbow.data.weighting import Weighting

pytestmark = pytest.mark.filterwarnings("ignore:vocab_size=:UserWarning")  # smoke corpus is small

ROUNDS = 2


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.benchmark(group="ng: n-grams texts->CSR")
def test_ngrams_fastbow(benchmark, imdb, results):
    tr, te = imdb.splits["train"].texts, imdb.splits["test"].texts
    k = 100_000 if imdb.full else 200
    vocab, train, test, info = benchmark.pedantic(encode_ngrams, args=(tr, te, "words", k),
                                                  kwargs={"ngrams": 2, "workers": 2}, rounds=ROUNDS)
    assert len(train[0]) == len(tr) + 1 and vocab.ngrams == 2
    labels = imdb.splits["train"].labels
    t0 = time.perf_counter()
    csr = CSR(train[0], train[1], labels, vocab.n_features, train[2])
    Weighting("tfidf").fit(csr).transform(csr)
    tfidf_s = time.perf_counter() - t0
    s = info["seconds"]
    record(results, "ng", "texts->CSR fastbow 1-2-grams", benchmark,
           note=f"K={len(vocab)}, 2 processes; last round: tokenize {s['tokenize']:.2f} s, keys {s['keys']:.2f} s, "
                f"vocab {s['vocab']:.2f} s, encode {s['encode']:.2f} s; tf-idf of train {tfidf_s:.2f} s; "
                f"CSR {(train[1].nbytes + train[2].nbytes + test[1].nbytes + test[2].nbytes) / 1e6:.0f} MB; "
                f"peak RSS {_rss_mb():.0f} MB")


@pytest.mark.benchmark(group="ng: n-grams texts->CSR")
def test_ngrams_tfidfvectorizer(benchmark, imdb, results):
    tr, te = imdb.splits["train"].texts, imdb.splits["test"].texts

    def fit():
        v = TfidfVectorizer(ngram_range=(1, 2))
        return v.fit_transform(tr), v.transform(te)

    x_train, x_test = benchmark.pedantic(fit, rounds=ROUNDS)
    assert x_train.shape[0] == len(tr) and x_test.shape[0] == len(te)
    record(results, "ng", "texts->CSR TfidfVectorizer(1, 2)", benchmark,
           note=f"{x_train.shape[1]} features; peak RSS {_rss_mb():.0f} MB")
