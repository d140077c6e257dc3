"""Tests for fastbow.data.dataset: dispatch by path, test splits, options in the cache key (via prepare)."""
import numpy as np
import pytest
from corpus import make_archive, make_corpus
from tabledata import write_csv

from fastbow.data.dataset import DataOptions, fingerprint, kind, read_dataset
from fastbow.data.prepare import prepare
from fastbow.data.reader import fingerprint as path_fingerprint
from fastbow.errors import DataError, FastbowError

ROWS = [(f"good great {i}", "pos") for i in range(6)] + [(f"bad awful {i}", "neg") for i in range(6)]


def test_kind(tmp_path):
    folder = make_corpus(tmp_path, 3)
    archive = make_archive(folder, tmp_path / "a.tar.gz")
    assert kind(folder) == kind(archive) == "imdb" and kind(tmp_path / "x.JSONL") == "table"
    with pytest.raises(DataError, match=r"x\.docx is neither a folder, a tar archive \(\.tar\.gz, .*\) nor a table file"):
        kind(tmp_path / "x.docx")


def test_folder_reads_both_splits_and_fraction_carves_test_from_train(tmp_path):
    folder = make_corpus(tmp_path, 10)
    both = read_dataset(folder)
    assert len(both["train"].texts) == 20 and len(both["test"].texts) == 20
    carved = read_dataset(folder, DataOptions(test_fraction=0.3))
    assert len(carved["train"].texts) == 14 and np.bincount(carved["test"].labels).tolist() == [3, 3]
    assert set(carved["test"].texts) <= set(both["train"].texts)
    with pytest.raises(DataError, match=r"--test-file applies to table files, but --data .* is a folder or archive"):
        read_dataset(folder, DataOptions(test_file=str(tmp_path / "t.csv")))


def test_table_needs_a_test_split(tmp_path):
    train = write_csv(tmp_path / "train.csv", ROWS)
    with pytest.raises(DataError, match=r"has no test split; pass --test-file PATH or --test-fraction F"):
        read_dataset(train)
    test = write_csv(tmp_path / "test.csv", ROWS[:2] + ROWS[-1:])
    s = read_dataset(train, DataOptions(test_file=str(test)))
    assert s["test"].labels.tolist() == [1, 1, 0] and s["test"].classes == s["train"].classes == ("neg", "pos")
    s = read_dataset(train, DataOptions(test_fraction=0.5))
    assert len(s["train"].texts) == len(s["test"].texts) == 6


@pytest.mark.parametrize("opts, msg", [
    (DataOptions(text_column=""), r"text_column should be a non-empty column name, but got text_column=''"),
    (DataOptions(test_fraction=0.0), r"test_fraction should be a number in \(0, 1\), but got test_fraction=0\.0"),
    (DataOptions(test_file="t.csv", test_fraction=0.2), r"--test-file and --test-fraction are mutually exclusive"),
])
def test_bad_options(tmp_path, opts, msg):
    with pytest.raises(FastbowError, match=msg):
        read_dataset(write_csv(tmp_path / "r.csv", ROWS), opts)


def test_fingerprint_covers_the_options(tmp_path):
    train, test = write_csv(tmp_path / "a.csv", ROWS), write_csv(tmp_path / "b.csv", ROWS[:3])
    base = fingerprint(train)
    assert base == path_fingerprint(train)            # default options: the IMDB cache keys are unchanged
    keys = {base, fingerprint(train, DataOptions(test_fraction=0.2)), fingerprint(train, DataOptions(test_fraction=0.3)),
            fingerprint(train, DataOptions(text_column="id")), fingerprint(train, DataOptions(test_file=str(test)))}
    assert len(keys) == 5
    write_csv(test, ROWS[:4])                          # the test file's content is part of the key
    assert fingerprint(train, DataOptions(test_file=str(test))) not in keys
    with pytest.raises(DataError, match=r"--test-file .*nope\.csv not found"):
        fingerprint(train, DataOptions(test_file=str(tmp_path / "nope.csv")))


def test_prepare_caches_tables_per_option(tmp_path):
    train = write_csv(tmp_path / "a.csv", ROWS)
    a = prepare(train, "words", 5, cache_dir=tmp_path / "c", options=DataOptions(test_fraction=0.5))
    b = prepare(train, "words", 5, cache_dir=tmp_path / "c", options=DataOptions(test_fraction=0.5))
    c = prepare(train, "words", 5, cache_dir=tmp_path / "c", options=DataOptions(test_fraction=0.25))
    assert not a.cache_hit and b.cache_hit and not c.cache_hit
    assert a.classes == b.classes == ("neg", "pos") and a.test.n_docs == 6 and c.test.n_docs == 4
    assert np.array_equal(a.train.indices, b.train.indices)


def test_column_flags_with_a_folder_are_an_error(tmp_path):
    from corpus import make_corpus

    from fastbow.data.dataset import DataOptions, read_dataset
    from fastbow.errors import DataError
    corpus = make_corpus(tmp_path, n_per_class=3)
    with pytest.raises(DataError, match="--text-column/--label-column apply to table files"):
        read_dataset(corpus, DataOptions(text_column="review"))
