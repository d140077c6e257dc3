"""Tests for streaming preparation of table pairs: same result as the in-memory path, bounded read-ahead."""
import json
import random
import warnings

import numpy as np
import pytest

import fastbow.data.stream_encode as se
from fastbow.data.dataset import DataOptions, read_dataset
from fastbow.data.parallel_encode import tokenize_count_encode
from fastbow.data.prepare import prepare
from fastbow.errors import DataError

WORDS = [f"w{i}" for i in range(200)] + ["Good", "BAD", "isn't", "café"]


def write_jsonl(path, n, seed, labels=("pos", "neg", "mid"), extra=()):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(n):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30)))
            f.write(json.dumps({"text": text, "label": rng.choice(labels)}) + "\n")
        for line in extra:
            f.write(line + "\n")
    return path


def in_memory(train, test, k, **opt):
    splits = read_dataset(train, DataOptions(test_file=str(test), **opt))
    vocab, tr, te, _ = tokenize_count_encode(splits["train"].texts, splits["test"].texts, "words", k, workers=1)
    return vocab, tr, te, splits


@pytest.mark.parametrize("workers, chunk", [(1, 37), (2, 64)])
def test_same_vocabulary_csr_and_labels_as_the_in_memory_path(tmp_path, monkeypatch, workers, chunk):
    monkeypatch.setattr(se, "CHUNK_ROWS", chunk)                 # many chunks, a short last one
    train, test = write_jsonl(tmp_path / "tr.jsonl", 500, 1), write_jsonl(tmp_path / "te.jsonl", 150, 2)
    tr, te, vocab, classes, _ = se.stream_build(train, "words", 50, DataOptions(test_file=str(test)), workers=workers)
    want_vocab, (ip, ix), (tip, tix), splits = in_memory(train, test, 50)
    assert vocab == want_vocab and vocab.counts == want_vocab.counts and classes == ("mid", "neg", "pos")
    assert np.array_equal(tr.indptr, ip) and np.array_equal(tr.indices, ix) and tr.indices.dtype == np.int32
    assert np.array_equal(te.indptr, tip) and np.array_equal(te.indices, tix)
    assert np.array_equal(tr.labels, splits["train"].labels) and np.array_equal(te.labels, splits["test"].labels)
    tr.validate(), te.validate()


def test_oov_repeats_merge_and_rows_stay_sorted(tmp_path):
    train = tmp_path / "tr.csv"
    train.write_text("text,label\n\"zz b a yy b xx\",1\n\"\",0\n\"a a a\",1\nb,0\n", encoding="utf-8")
    test = tmp_path / "te.csv"
    test.write_text("text,label\nq a,0\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tr, te, vocab, classes, _ = se.stream_build(train, "words", 2, DataOptions(test_file=str(test)), workers=1)
    assert vocab.tokens == ("a", "b") and classes == ("0", "1")
    assert tr.indptr.tolist() == [0, 3, 3, 4, 5] and tr.indices.tolist() == [0, 1, 2, 1, 2]  # zz, yy, xx -> one 0
    assert te.indices.tolist() == [0, 1] and tr.labels.tolist() == [1, 0, 1, 0]


def test_prepare_streams_table_pairs_and_caches(tmp_path, caplog):
    train, test = write_jsonl(tmp_path / "tr.jsonl", 300, 3), write_jsonl(tmp_path / "te.jsonl", 100, 4)
    with caplog.at_level("INFO", logger="fastbow"):
        p = prepare(train, vocab_size=40, options=DataOptions(test_file=str(test)))
    assert "in chunks" in caplog.text and not p.cache_hit
    want_vocab, (_, ix), _, _ = in_memory(train, test, 40)
    assert p.vocab == want_vocab and np.array_equal(p.train.indices, ix)
    assert prepare(train, vocab_size=40, options=DataOptions(test_file=str(test))).cache_hit


def test_what_is_not_streamed(tmp_path):
    assert se.streamable("a.jsonl", DataOptions(test_file="b.csv"))
    assert not se.streamable("a.jsonl", DataOptions(test_fraction=0.2))       # held-out rows must leave the vocab
    assert not se.streamable("a.parquet", DataOptions(test_file="b.parquet"))
    assert not se.streamable("aclImdb_v1.tar.gz", DataOptions())


@pytest.mark.parametrize("train_lines, test_lines, msg", [
    ([], ['{"text": "a", "label": "x"}'], "has no rows; add one row per document below the header"),
    (['{"text": "a", "label": "x"}'], ['{"text": "a", "label": "x"}'], r"has 1 class\(es\) \['x'\] in column 'label'"),
    (['{"text": "a", "label": "x"}', '{"text": "b", "label": "y"}'], ['{"text": "a", "label": "z"}'],
     r"has labels \['z'\] that the training data does not have \(classes: x, y\)"),
    (['{"text": "a", "label": "x"}', '{"text": 3, "label": "y"}'], ['{"text": "a", "label": "x"}'],
     "line 2: text 'text' is a JSON int, not a string"),
])
def test_bad_tables_fail_like_read_table(tmp_path, train_lines, test_lines, msg):
    (tmp_path / "tr.jsonl").write_text("".join(x + "\n" for x in train_lines))
    (tmp_path / "te.jsonl").write_text("".join(x + "\n" for x in test_lines))
    with pytest.raises(DataError, match=msg):
        se.stream_build(tmp_path / "tr.jsonl", "words", 10, DataOptions(test_file=str(tmp_path / "te.jsonl")), workers=1)


def test_undecodable_bytes_are_replaced_and_counted(tmp_path):
    (tmp_path / "tr.jsonl").write_bytes(b'{"text": "good \xff film", "label": "1"}\n{"text": "bad", "label": "0"}\n')
    write_jsonl(tmp_path / "te.jsonl", 3, 0, labels=("0", "1"))
    with pytest.warns(UnicodeWarning, match="1 of 2 rows of .* held bytes that are not UTF-8"):
        tr, *_ = se.stream_build(tmp_path / "tr.jsonl", "words", 10, DataOptions(test_file=str(tmp_path / "te.jsonl")),
                                 workers=1)
    assert tr.n_docs == 2


def _double(x):
    return 2 * x


def test_reader_never_runs_more_than_two_chunks_per_worker_ahead():
    consumed = []

    def chunks():
        for i in range(20):
            consumed.append(i)
            yield i

    out = se._ordered_map(_double, chunks(), 2)
    assert next(out) == 0 and len(consumed) == 4                 # 2 workers: 4 chunks in flight, no more
    assert list(out) == [2 * i for i in range(1, 20)]
