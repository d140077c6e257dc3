import logging

import numpy as np
import pytest
from corpus import make_archive, make_corpus

from fastbow.data.prepare import prepare
from fastbow.data.reader import read_imdb
from fastbow.data.tokenize import words
from fastbow.errors import FastbowError


@pytest.fixture
def archive(tmp_path):
    return make_archive(make_corpus(tmp_path / "src", n_per_class=15), tmp_path / "mini.tar.gz")


def test_build_matches_direct_encoding(archive, tmp_path):
    p = prepare(archive, "words", 20, cache_dir=tmp_path / "c")
    assert not p.cache_hit and p.classes == ("neg", "pos")
    assert len(p.vocab) == 20 and p.train.n_features == p.test.n_features == 21
    splits = read_imdb(archive)
    for name, csr in (("train", p.train), ("test", p.test)):
        assert csr.labels.tolist() == splits[name].labels.tolist()
        for i in (0, 7, csr.n_docs - 1):
            expected = sorted(set(p.vocab.encode(words(splits[name].texts[i]))))
            assert csr.indices[csr.indptr[i]:csr.indptr[i + 1]].tolist() == expected


def test_second_run_is_a_cache_hit_with_identical_arrays(archive, tmp_path, caplog):
    a = prepare(archive, "words", 20, cache_dir=tmp_path / "c")
    with caplog.at_level(logging.INFO, logger="fastbow"):
        b = prepare(archive, "words", 20, cache_dir=tmp_path / "c")
    assert b.cache_hit and "cache hit" in caplog.text
    assert np.array_equal(a.train.indices, b.train.indices) and np.array_equal(a.test.indptr, b.test.indptr)
    assert a.vocab == b.vocab
    c = prepare(archive, "whitespace", 20, cache_dir=tmp_path / "c")    # another key -> built
    assert not c.cache_hit and c.vocab.tokenizer == "whitespace"
    assert not any(p.name.endswith(".tmp") for p in (tmp_path / "c").iterdir())


@pytest.mark.parametrize("damage", ["truncate", "edit"])
def test_damaged_cache_is_detected_and_rebuilt(archive, tmp_path, caplog, damage):
    a = prepare(archive, "words", 20, cache_dir=tmp_path / "c")
    raw = a.cache_path.read_bytes()
    if damage == "truncate":
        a.cache_path.write_bytes(raw[: len(raw) // 2])
    else:  # flip one byte inside the stored arrays (npz is an uncompressed zip)
        i = raw.index(b"train_indices") + 400
        a.cache_path.write_bytes(raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:])
    with caplog.at_level(logging.WARNING, logger="fastbow"):
        b = prepare(archive, "words", 20, cache_dir=tmp_path / "c")
    assert not b.cache_hit and "rebuilding" in caplog.text
    assert np.array_equal(a.train.indices, b.train.indices)
    assert prepare(archive, "words", 20, cache_dir=tmp_path / "c").cache_hit   # repaired


def test_bad_arguments(archive):
    with pytest.raises(FastbowError, match="unknown tokenizer"):
        prepare(archive, "nope", 20)
    with pytest.raises(FastbowError, match="vocab_size should be a positive integer"):
        prepare(archive, "words", 0)
