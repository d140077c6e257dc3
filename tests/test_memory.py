"""In-memory preparation (fastbow/data/memory.py): labels of any one kind, the same CSR as from a file."""
import numpy as np
import pytest
from corpus import make_corpus
from synthetic import make_texts

from fastbow.data.memory import check_texts, encode_labels, label_ids, prepare_texts
from fastbow.data.prepare import prepare
from fastbow.data.reader import read_imdb
from fastbow.errors import FastbowError


def test_string_labels_sorted_like_numpy_unique():
    ids, classes = encode_labels(["pos", "neg", "pos", "mixed"])
    assert classes.tolist() == ["mixed", "neg", "pos"] and ids.tolist() == [2, 1, 2, 0]
    assert ids.dtype == np.int64 and classes.tolist() == np.unique(["pos", "neg", "pos", "mixed"]).tolist()


def test_integer_labels_sorted_numerically_and_numpy_scalars_are_python_values():
    ids, classes = encode_labels(np.array([10, 2, 10, 2]))
    assert classes.tolist() == [2, 10] and ids.tolist() == [1, 0, 1, 0]
    assert label_ids([np.int64(10), 2], classes).tolist() == [1, 0]


def test_mixed_int_and_str_labels_are_an_error_not_a_merge():
    with pytest.raises(FastbowError, match=r"y mixes label types: int \(1\), str \('1'\); use one type"):
        encode_labels([1, "1", 0])


def test_bool_and_int_labels_do_not_mix():
    with pytest.raises(FastbowError, match="y mixes label types: bool"):
        encode_labels([True, 0])


@pytest.mark.parametrize(("y", "message"), [
    (["a"], "y holds a single class ('a'); a classifier needs at least 2"),
    ([], "y is empty; pass one label per text"),
    ("ab", "y should be a list of labels, one per text, but got a single string"),
    ([0.5, float("nan")], "y holds NaN; every text needs a label"),
])
def test_bad_labels(y, message):
    with pytest.raises(FastbowError, match=message.replace("(", r"\(").replace(")", r"\)")):
        encode_labels(y)


def test_label_count_must_match_texts():
    with pytest.raises(FastbowError, match="y should hold one label per text, but got 2 labels for 3 texts"):
        encode_labels([0, 1], 3)


def test_unknown_label_names_the_classes():
    with pytest.raises(FastbowError, match=r"label 'x' \(y\[1\]\) is not one of the classes seen in fit: \['a', 'b'\]"):
        label_ids(["a", "x"], np.array(["a", "b"]))


def test_texts_must_be_a_list_of_strings():
    with pytest.raises(FastbowError, match=r"texts should be a list of strings, but got a single str; wrap it"):
        check_texts("one review")
    with pytest.raises(FastbowError, match=r"texts\[1\] is int"):
        check_texts(["ok", 3])
    assert check_texts(np.array(["a", "b"])) == ["a", "b"]


def test_prepare_texts_equals_prepare_of_the_same_texts_on_disk(tmp_path):
    folder = make_corpus(tmp_path, n_per_class=30)
    on_disk = prepare(folder, "words", 25, use_cache=False)
    splits = read_imdb(folder)
    mem = prepare_texts(splits["train"].texts, splits["train"].labels, splits["test"].texts, splits["test"].labels,
                        classes=splits["train"].classes, tokenizer="words", vocab_size=25)
    assert mem.vocab == on_disk.vocab and mem.classes == on_disk.classes == ("neg", "pos")
    for a, b in ((mem.train, on_disk.train), (mem.test, on_disk.test)):
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
        assert np.array_equal(a.labels, b.labels) and a.indices.dtype == np.int32
    assert not mem.cache_hit and mem.cache_path is None


def test_prepare_texts_without_test_split_and_bad_ids():
    texts, labels = make_texts(5)
    ids, classes = encode_labels(labels)
    p = prepare_texts(texts, ids, classes=classes.tolist(), vocab_size=5)
    assert p.test.n_docs == 0 and p.train.n_docs == 10 and p.train.n_features == 6
    with pytest.raises(FastbowError, match=r"labels should be 10 class ids in \[0, 1\], but got 10 ids in \[0, 2\]"):
        prepare_texts(texts, ids * 2, classes=classes.tolist(), vocab_size=5)
