import numpy as np
import pytest

from fastbow.data.csr import CSR, encode_csr
from fastbow.data.vocab import Vocab
from fastbow.errors import DataError

V = Vocab(("a", "b", "c"), (3, 2, 1), "words")


def test_encode_is_sorted_unique_multi_hot_with_oov_zero():
    indptr, indices = encode_csr([["c", "a", "c", "zz"], [], ["b", "yy", "xx"]], V)
    assert indptr.dtype == np.int64 and indices.dtype == np.int32
    assert indptr.tolist() == [0, 3, 3, 5]
    assert indices.tolist() == [0, 1, 3, 0, 2]


def test_matches_dense_construction_and_scipy():
    rng = np.random.default_rng(0)
    toks = [[rng.choice(["a", "b", "c", "d", "e"]) for _ in range(rng.integers(0, 9))] for _ in range(50)]
    indptr, indices = encode_csr(toks, V)
    csr = CSR(indptr, indices, np.zeros(50, dtype=np.int64), V.n_features).validate()
    dense = np.zeros((50, 4), dtype=np.float32)
    for i, t in enumerate(toks):
        dense[i, V.encode(t)] = 1
    assert np.array_equal(csr.to_scipy().toarray(), dense)
    assert csr.row_lengths().tolist() == dense.sum(1).astype(int).tolist()


def test_subset_keeps_rows_in_given_order():
    indptr, indices = encode_csr([["a"], ["b", "c"], [], ["c"]], V)
    csr = CSR(indptr, indices, np.array([0, 1, 0, 1]), 4)
    sub = csr.subset([3, 1, 2])
    assert sub.indptr.tolist() == [0, 1, 3, 3]
    assert sub.indices.tolist() == [3, 2, 3] and sub.labels.tolist() == [1, 1, 0]


@pytest.mark.parametrize("indptr, indices, msg", [
    ([0, 2, 4], [1, 2, 3], r"indptr\[-1\]=4 but len\(indices\)=3"),
    ([0, 3, 2, 3], [1, 2, 3], "non-decreasing"),
    ([0, 1, 3], [1, 2, 4], r"ids must lie in \[0, 3\], but got ids in \[1, 4\]"),
    ([0, 1, 3], [1, -1, 2], r"ids must lie in \[0, 3\]"),
])
def test_validate_rejects_bad_csr(indptr, indices, msg):
    n = len(indptr) - 1
    csr = CSR(np.array(indptr, dtype=np.int64), np.array(indices, dtype=np.int32), np.zeros(n, dtype=np.int64), 4)
    with pytest.raises(DataError, match=msg):
        csr.validate()


def test_rows_are_sorted_and_unique_even_where_set_order_is_not_sorted():
    # a set of ints iterates in hash-slot order: {33, 9, 1, 17} does not come out sorted, so a
    # missing sort (or a missing dedup) shows here; no hypothesis needed
    vocab = Vocab(tuple(f"t{i}" for i in range(1, 41)), tuple(range(40, 0, -1)), "words")
    docs = [["t33", "t9", "t1", "t17", "t33", "t9"], ["t40", "t8", "t16", "t24", "t32"], ["zz", "t12", "zz", "t4"]]
    indptr, indices = encode_csr(docs, vocab)
    rows = [indices[indptr[i]:indptr[i + 1]].tolist() for i in range(len(docs))]
    assert rows == [[1, 9, 17, 33], [8, 16, 24, 32, 40], [0, 4, 12]]
    assert all(np.all(np.diff(r) > 0) for r in rows)


def test_encode_switches_to_int64_only_past_int32():
    assert encode_csr([["a"]], V)[1].dtype == np.int32
    # stand-ins with the two attributes encode_csr reads: a vocabulary too wide for int32 ids
    huge = type("Huge", (), {"index": {"a": 1}, "n_features": np.iinfo(np.int32).max + 1})()
    assert encode_csr([["a"], []], huge)[1].dtype == np.int64
    edge = type("Edge", (), {"index": {"a": 1}, "n_features": np.iinfo(np.int32).max})()
    assert encode_csr([["a"]], edge)[1].dtype == np.int32


def test_properties_nbytes_and_scipy_shape():
    indptr, indices = encode_csr([["a", "b"], [], ["c"]], V)
    csr = CSR(indptr, indices, np.array([0, 1, 0], dtype=np.int64), 4)
    assert csr.n_docs == 3 and csr.nnz == 3 and csr.row_lengths().tolist() == [2, 0, 1]
    assert csr.nbytes() == 4 * 8 + 3 * 4 + 3 * 8
    m = csr.to_scipy()
    assert m.shape == (3, 4) and m.dtype == np.float32 and m.nnz == 3 and m.data.tolist() == [1.0, 1.0, 1.0]


def test_subset_of_empty_and_repeated_rows():
    indptr, indices = encode_csr([["a"], ["b", "c"], []], V)
    csr = CSR(indptr, indices, np.array([0, 1, 0]), 4)
    sub = csr.subset([1, 1, 2])
    assert sub.indptr.tolist() == [0, 2, 4, 4] and sub.indices.tolist() == [2, 3, 2, 3]
    assert sub.indptr.dtype == np.int64 and sub.n_features == 4
    empty = csr.subset([])
    assert empty.indptr.tolist() == [0] and empty.nnz == 0 and empty.n_docs == 0


@pytest.mark.parametrize("field, value, msg", [
    ("indptr", np.array([0, 1], dtype=np.int32), "indptr must be a 1-D int64 array of n_docs \\+ 1 entries, got int32"),
    ("indptr", np.zeros(0, dtype=np.int64), "indptr must be a 1-D int64 array"),
    ("indptr", np.array([[0, 1]], dtype=np.int64), "indptr must be a 1-D int64 array"),
    ("indices", np.array([1], dtype=np.float32), "indices must be a 1-D int32 or int64 array, got float32"),
    ("indices", np.array([[1]], dtype=np.int32), "indices must be a 1-D int32 or int64 array"),
    ("indptr", np.array([1, 1], dtype=np.int64), r"indptr\[0\]=1 and indptr\[-1\]=1"),
    ("labels", np.zeros(2, dtype=np.int64), r"labels must have shape \(1,\) \(one per document\), got \(2,\)"),
])
def test_validate_rejects_bad_arrays(field, value, msg):
    arrays = dict(indptr=np.array([0, 1], dtype=np.int64), indices=np.array([1], dtype=np.int32),
                  labels=np.zeros(1, dtype=np.int64)) | {field: value}
    with pytest.raises(DataError, match=msg):
        CSR(**arrays, n_features=4).validate()


def test_validate_accepts_edges_and_returns_self():
    ok = CSR(np.array([0, 0, 2], dtype=np.int64), np.array([0, 3], dtype=np.int64), np.zeros(2, dtype=np.int64), 4)
    assert ok.validate() is ok                                     # ids 0 and n_features - 1 are in range
    empty = CSR(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64), 4)
    assert empty.validate() is empty


def test_to_scipy_keeps_the_full_width_when_the_last_ids_are_unused():
    csr = CSR(np.array([0, 1, 2], dtype=np.int64), np.array([0, 2], dtype=np.int32), np.zeros(2, dtype=np.int64), 10)
    assert csr.to_scipy().shape == (2, 10)


@pytest.mark.parametrize("indptr, indices, msg", [
    ([1, 2], [2, 3], "CSR is inconsistent: indptr[0]=1 and indptr[-1]=2 but len(indices)=2; "
                     "indptr must run from 0 to len(indices)"),
    ([0, 2, 1, 2], [1, 2], "CSR indptr must be non-decreasing; rebuild the CSR"),
    ([0, 1, 2], [1, 9], "CSR ids must lie in [0, 3], but got ids in [1, 9]; rebuild the CSR with this vocabulary"),
])
def test_validate_messages_in_full(indptr, indices, msg):
    n = len(indptr) - 1
    csr = CSR(np.array(indptr, dtype=np.int64), np.array(indices, dtype=np.int32), np.zeros(n, dtype=np.int64), 4)
    with pytest.raises(DataError) as e:
        csr.validate()
    assert str(e.value) == msg
