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


def test_a_table_rewritten_with_the_same_size_and_mtime_is_not_served_from_the_cache(tmp_path):
    # issue 10, item 5: `cp -p`, `rsync -a` and `tar x` restore the mtime; the labels here are swapped
    import os

    from fastbow.data.dataset import DataOptions
    rows = "text,label\ngood film,pos\nbad film,neg\ngood plot,pos\nbad plot,neg\n"
    path = tmp_path / "t.csv"
    path.write_text(rows, encoding="utf-8")
    opts = DataOptions(test_fraction=0.5)
    first = prepare(path, "words", 10, cache_dir=tmp_path / "c", options=opts)
    st = path.stat()
    path.write_text(rows.replace(",pos", ",xxx").replace(",neg", ",pos").replace(",xxx", ",neg"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # what cp -p does
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    second = prepare(path, "words", 10, cache_dir=tmp_path / "c", options=opts)
    assert not second.cache_hit and second.cache_path != first.cache_path
    assert (second.train.labels != first.train.labels).all()


def test_data_warnings_are_shown_again_on_a_cache_hit(tmp_path):
    # issue 10, item 12: decode replacements and the clamped vocabulary, built once, then from the cache
    import warnings

    from fastbow.data.dataset import DataOptions
    path = tmp_path / "t.csv"
    path.write_bytes(b"text,label\ngood film \xff,pos\nbad film,neg\ngood plot,pos\nbad plot,neg\n")
    seen = []
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            p = prepare(path, "words", 1000, cache_dir=tmp_path / "c", options=DataOptions(test_fraction=0.5))
        seen.append((p.cache_hit, sorted((w.category.__name__, str(w.message)) for w in caught)))
    assert [hit for hit, _ in seen] == [False, True] and seen[0][1] == seen[1][1]
    assert [c for c, _ in seen[1][1]] == ["UnicodeWarning", "UserWarning"]
    assert "1 of 4 rows" in seen[1][1][0][1] and "larger than the" in seen[1][1][1][1]
