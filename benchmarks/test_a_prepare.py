"""Group a: preparation, archive → CSR, fastbow against scikit-learn's CountVectorizer.

Two comparisons on the same texts:

* *texts → CSR* (reading outside both): fastbow's tokenize + count + vocabulary +
  encode (:func:`fastbow.data.parallel_encode.tokenize_count_encode`, 2 processes on
  2 cores; also with 1) against ``CountVectorizer(max_features=20000,
  binary=True)``: ``fit_transform`` on train, ``transform`` on test. The target
  (cold ≤ 0.5× CountVectorizer) is judged here.
* *archive → CSR* (reading inside both): ``prepare(use_cache=False)`` against
  :func:`fastbow.data.reader.read_imdb` + the same CountVectorizer.

The tokenizers differ (fastbow's ``words`` keeps one-letter words and
apostrophes; CountVectorizer's default ``(?u)\\b\\w\\w+\\b`` drops them), so
the CSRs differ slightly; the work is the same kind and size.
"""
import resource
import time

import pytest
from benchutil import record
from sklearn.feature_extraction.text import CountVectorizer

from fastbow.data.parallel_encode import default_workers, tokenize_count_encode
from fastbow.data.prepare import prepare
from fastbow.data.reader import read_imdb
from fastbow.data.tokenize import _BR, _WORD, words

pytestmark = pytest.mark.filterwarnings("ignore:vocab_size=:UserWarning")  # smoke corpus is small

ROUNDS = 3


def cpu_timed(fn):
    """``fn`` wrapped to add its CPU seconds (this process + waited-for children) to ``fn.cpu``."""
    def wrapped(*args, **kwargs):
        c0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.process_time()
        out = fn(*args, **kwargs)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrapped.cpu.append(time.process_time() - t0 + (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime))
        return out
    wrapped.cpu = []
    return wrapped


def cpu_note(fn) -> str:
    cpu = sorted(fn.cpu)
    return f"CPU {cpu[len(cpu) // 2]:.2f} s (median, all processes)" if cpu else ""


def _countvectorizer(train, test, k):
    cv = CountVectorizer(max_features=k, binary=True)
    return cv.fit_transform(train), cv.transform(test)


@pytest.mark.benchmark(group="a: texts->CSR")
def test_texts_to_csr_fastbow(benchmark, imdb, results):
    tr, te = imdb.splits["train"].texts, imdb.splits["test"].texts
    fn = cpu_timed(tokenize_count_encode)
    out = benchmark.pedantic(fn, args=(tr, te, "words", imdb.vocab_size), kwargs={"workers": 2}, rounds=ROUNDS)
    vocab, train, test, seconds = out
    assert len(train[0]) == len(tr) + 1 and len(test[0]) == len(te) + 1
    record(results, "a", "texts->CSR fastbow, 2 processes", benchmark,
           note="{cpu}; last round: tokenize+count {tokenize_count:.2f} s, vocab {vocab:.2f} s, "
                "encode {encode:.2f} s".format(cpu=cpu_note(fn), **seconds))


@pytest.mark.benchmark(group="a: texts->CSR")
def test_texts_to_csr_fastbow_one_process(benchmark, imdb, results):
    tr, te = imdb.splits["train"].texts, imdb.splits["test"].texts
    fn = cpu_timed(tokenize_count_encode)
    benchmark.pedantic(fn, args=(tr, te, "words", imdb.vocab_size), kwargs={"workers": 1}, rounds=ROUNDS)
    record(results, "a", "texts->CSR fastbow, 1 process", benchmark, note=cpu_note(fn))


@pytest.mark.benchmark(group="a: texts->CSR")
def test_texts_to_csr_countvectorizer(benchmark, imdb, results):
    tr, te = imdb.splits["train"].texts, imdb.splits["test"].texts
    fn = cpu_timed(_countvectorizer)
    x_train, x_test = benchmark.pedantic(fn, args=(tr, te, imdb.vocab_size), rounds=ROUNDS)
    assert x_train.shape[0] == len(tr) and x_test.shape[0] == len(te)
    record(results, "a", "texts->CSR CountVectorizer", benchmark,
           note=f"max_features=20000, binary=True; {cpu_note(fn)}")


@pytest.mark.benchmark(group="a: archive->CSR")
def test_read_archive(benchmark, imdb, results):
    splits = benchmark.pedantic(read_imdb, args=(imdb.path,), rounds=ROUNDS)
    assert len(splits["train"].texts) == len(imdb.splits["train"].texts)
    record(results, "a", "read archive", benchmark, note="tarfile stream + UTF-8 decode, inside both below")


@pytest.mark.benchmark(group="a: archive->CSR")
def test_archive_to_csr_fastbow_cold(benchmark, imdb, results):
    fn = cpu_timed(prepare)
    workers = default_workers(len(imdb.splits["train"].texts))
    p = benchmark.pedantic(fn, args=(imdb.path, "words", imdb.vocab_size), kwargs={"use_cache": False},
                           rounds=ROUNDS)
    assert not p.cache_hit and p.train.n_docs == len(imdb.splits["train"].texts)
    record(results, "a", "archive->CSR fastbow cold", benchmark,
           note=f"prepare(use_cache=False), {workers} process(es) chosen by load; {cpu_note(fn)}")


@pytest.mark.benchmark(group="a: archive->CSR")
def test_archive_to_csr_countvectorizer(benchmark, imdb, results):
    def read_and_fit():
        s = read_imdb(imdb.path)
        return _countvectorizer(s["train"].texts, s["test"].texts, imdb.vocab_size)

    fn = cpu_timed(read_and_fit)
    benchmark.pedantic(fn, rounds=ROUNDS)
    record(results, "a", "archive->CSR CountVectorizer (read+fit)", benchmark,
           note=f"read_imdb + CountVectorizer; {cpu_note(fn)}")


@pytest.mark.benchmark(group="a: archive->CSR")
def test_prepare_warm(benchmark, imdb, results):
    prepare(imdb.path, "words", imdb.vocab_size)  # make sure the cache exists (the imdb fixture built it)
    p = benchmark.pedantic(prepare, args=(imdb.path, "words", imdb.vocab_size), rounds=2 * ROUNDS + 1)
    assert p.cache_hit
    record(results, "a", "warm (cache hit)", benchmark, note="prepare(): load + verify the cached CSR")


def _words_unicode_only(texts):
    """``words`` without its ASCII fast path: the Unicode class on every review (same tokens)."""
    return [_WORD.findall(_BR.sub(" ", t).lower()) for t in texts]


@pytest.mark.benchmark(group="a: tokenize")
@pytest.mark.parametrize("variant", ["ASCII fast path", "Unicode class only"])
def test_tokenize_words(benchmark, imdb, results, variant):
    """The ``words`` tokenizer over the training reviews, with and without its ASCII fast path."""
    texts = imdb.splits["train"].texts
    fn = (lambda: [words(t) for t in texts]) if variant == "ASCII fast path" else (lambda: _words_unicode_only(texts))
    toks = benchmark.pedantic(fn, rounds=ROUNDS)
    assert toks == _words_unicode_only(texts)                   # the fast path changes no token
    ascii_share = sum(t.isascii() for t in texts) / len(texts)
    record(results, "a", f"tokenize train, words(), {variant}", benchmark,
           note=f"{100 * ascii_share:.1f}% of the reviews are ASCII" if variant == "ASCII fast path" else "")
