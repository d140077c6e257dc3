import numpy as np
import pytest

from fastbow.data.csr import CSR
from fastbow.data.subsets import (
    check_subset_args,
    class_counts,
    make_splits,
    stratified_split,
    subset_rows,
    warn_if_single_class,
)
from fastbow.errors import FastbowError

SORTED = np.array([0, 0, 0, 1, 1, 1], dtype=np.int64)  # stored order: by label, as the reader gives


def csr_of(labels):
    n = len(labels)
    return CSR(np.arange(n + 1, dtype=np.int64), np.arange(n, dtype=np.int32) % 3, np.asarray(labels, np.int64), 3)


def test_first_takes_stored_order_and_warns_on_a_single_class():
    assert subset_rows(SORTED, 3, "first").tolist() == [0, 1, 2]
    with pytest.warns(UserWarning, match=r"training set holds a single class \('neg', 3 rows\).*first-200 trap"):
        parts = make_splits(csr_of(SORTED), csr_of(SORTED), ("neg", "pos"), train_size=3, subset="first")
    assert parts.train.labels.tolist() == [0, 0, 0] and parts.val is None and parts.test.n_docs == 6


def test_balanced_takes_the_first_rows_of_each_class():
    assert subset_rows(SORTED, 4, "balanced").tolist() == [0, 1, 3, 4]
    assert subset_rows(SORTED, 5, "balanced").tolist() == [0, 1, 2, 3, 4]   # remainder to class 0
    assert subset_rows(SORTED, 2, "balanced", n_classes=2).tolist() == [0, 3]


def test_balanced_fails_when_a_class_is_short():
    with pytest.raises(FastbowError, match="needs 2 rows of class 1 but the split has 1; pass a smaller size"):
        subset_rows(np.array([0, 0, 0, 0, 1]), 4, "balanced")


def test_random_is_seeded_sorted_and_without_repeats():
    labels = np.repeat([0, 1], 50)
    a, b = subset_rows(labels, 10, "random", seed=3), subset_rows(labels, 10, "random", seed=3)
    assert a.tolist() == b.tolist() and a.tolist() == sorted(set(a.tolist())) and a.dtype == np.int64
    assert a.tolist() != subset_rows(labels, 10, "random", seed=4).tolist()


@pytest.mark.parametrize("call, msg", [
    (lambda: subset_rows(SORTED, 7, "first"), "subset of 7 rows requested but the split has only 6"),
    (lambda: subset_rows(SORTED, 0, "first"), "n should be a positive integer value, but got n=0"),
    (lambda: check_subset_args(subset="head"), "unknown subset mode 'head'; choose one of: first, balanced, random"),
    (lambda: check_subset_args(train_size=True), "train_size should be a positive integer value, but got train_size=True"),
    (lambda: check_subset_args(val_fraction=1.0), "val_fraction should be a number in [0, 1), but got val_fraction=1.0"),
])
def test_bad_arguments(call, msg):
    with pytest.raises(FastbowError) as e:
        call()
    assert msg in str(e.value)


def test_stratified_split_keeps_class_ratios_is_disjoint_and_seeded():
    labels = np.repeat([0, 1], [60, 40])
    train, val = stratified_split(labels, 0.25, seed=7)
    assert class_counts(labels[val], 2).tolist() == [15, 10]         # 25% of each class
    assert class_counts(labels[train], 2).tolist() == [45, 30]
    assert not set(train) & set(val) and sorted(set(train) | set(val)) == list(range(100))
    assert train.tolist() == sorted(train.tolist()) and val.tolist() == sorted(val.tolist())
    again = stratified_split(labels, 0.25, seed=7)
    assert again[1].tolist() == val.tolist()
    assert stratified_split(labels, 0.25, seed=8)[1].tolist() != val.tolist()


def test_stratified_split_refuses_an_empty_part():
    with pytest.raises(FastbowError, match="val_fraction=0.1 of 2 rows leaves no validation rows"):
        stratified_split(np.array([0, 1]), 0.1)
    with pytest.raises(FastbowError, match=r"val_fraction should be a number in \(0, 1\)"):
        stratified_split(SORTED, 0.0)


def test_make_splits_takes_the_subset_first_then_validation():
    labels = np.repeat([0, 1], 50)
    parts = make_splits(csr_of(labels), csr_of(labels), ("neg", "pos"), train_size=40, test_size=10,
                        subset="balanced", val_fraction=0.25, seed=1)
    assert (parts.train.n_docs, parts.val.n_docs, parts.test.n_docs) == (30, 10, 10)
    assert class_counts(parts.val.labels, 2).tolist() == [5, 5]
    assert class_counts(parts.test.labels, 2).tolist() == [5, 5]
    assert parts.train.labels.tolist() == sorted(parts.train.labels.tolist())  # still label-sorted


def test_no_warning_for_two_classes():
    assert warn_if_single_class(SORTED, ("neg", "pos"), "x") is False


def test_single_class_advice_never_suggests_the_subset_already_in_use():
    # issue 10, item 12
    import warnings
    one_class = np.zeros(6, dtype=np.int64)
    for subset, size, advice in [("first", 3, "use --subset balanced or --subset random"),
                                 ("random", 2, "--subset random found only this class"),
                                 (None, None, "the data holds only this class there")]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            make_splits(csr_of(SORTED), csr_of(one_class), ("neg", "pos"), test_size=size, subset=subset or "balanced")
        (w,) = caught
        assert str(w.message).startswith("test set holds a single class ('neg'") and advice in str(w.message)
        assert subset == "first" or "use --subset" not in str(w.message)
