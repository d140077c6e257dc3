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
