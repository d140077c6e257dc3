import numpy as np
import pytest
import torch

from fastbow.data.csr import CSR
from fastbow.errors import DataError
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler


def random_csr(n_docs=53, n_features=31, seed=0):
    rng = np.random.default_rng(seed)
    rows = [np.unique(rng.integers(0, n_features, rng.integers(0, 12))) for _ in range(n_docs)]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32)
    return CSR(indptr, indices, rng.integers(0, 2, n_docs).astype(np.int64), n_features)


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_batches_equal_dense_rows_and_labels(backend):
    csr = random_csr()
    dense = csr.to_scipy().toarray()
    loader = DeviceBatchLoader(csr, RowBatchSampler(csr.n_docs, 8, seed=1), "cpu", backend)
    seen = []
    for rows in loader.sampler:
        x, y = loader.materialize(loader.to_device(rows))
        assert x.shape == (len(rows), 31) and x.dtype == torch.float32 and y.dtype == torch.int64
        assert np.array_equal(x.numpy(), dense[rows.numpy()])
        assert y.tolist() == csr.labels[rows.numpy()].tolist()
        seen += rows.tolist()
    assert sorted(seen) == list(range(csr.n_docs)) and len(loader) == 7


def test_iteration_yields_every_row_once_and_reuses_one_buffer():
    csr = random_csr()
    loader = DeviceBatchLoader(csr, RowBatchSampler(csr.n_docs, 10, shuffle=False), "cpu")
    ptrs, total = set(), 0
    for x, y in loader:
        ptrs.add(x.data_ptr())
        total += x.sum().item()
    assert ptrs == {loader._buffer.data_ptr()}       # no new dense allocation per batch
    assert total == csr.nnz


def test_bad_csr_is_rejected_at_construction():
    csr = random_csr()
    bad = CSR(csr.indptr, csr.indices.copy(), csr.labels, csr.n_features)
    bad.indices[3] = 31
    with pytest.raises(DataError, match=r"\[0, 30\]"):
        DeviceBatchLoader(bad, RowBatchSampler(csr.n_docs, 4), "cpu")
