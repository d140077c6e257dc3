"""Weighted scatter (``data`` values instead of 1.0) in every backend, and the weighted sparse gather.

Rows of real values are checked against a dense NumPy construction on irregular row lengths
(empty rows, lengths around the Triton block size); Triton runs under ``TRITON_INTERPRET=1`` without CUDA.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from fastbow.kernels import (
    scatter_multi_hot,
    scatter_multi_hot_numba,
    scatter_multi_hot_torch,
    scatter_multi_hot_triton,
)
from fastbow.kernels.bag_values import bag_sum_weighted, gather_bags_values_cpu
from fastbow.kernels.triton_gpu import BLOCK, triton_available

from fastbow.errors import DataError

N_FEATURES = 997
CUDA = torch.cuda.is_available()
LENGTHS = [0, 1, 2, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 1, 300, 0, 7]


def weighted_csr(idx_dtype, seed=0):
    g = np.random.default_rng(seed)
    rows = [np.sort(g.choice(N_FEATURES, size=n, replace=False)) for n in LENGTHS]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows)
    data = g.normal(size=len(indices)).astype(np.float32)  # signed, like NB ratios
    return torch.from_numpy(indptr), torch.from_numpy(indices).to(idx_dtype), torch.from_numpy(data)


def dense_numpy(indptr, indices, data, rows):
    ip, ix, d = indptr.numpy(), indices.numpy(), data.numpy()
    dense = np.zeros((len(rows), N_FEATURES), dtype=np.float32)
    for b, r in enumerate(rows.numpy()):
        dense[b, ix[ip[r]:ip[r + 1]]] = d[ip[r]:ip[r + 1]]
    return torch.from_numpy(dense)


@pytest.fixture(params=["numba", "triton", "torch"])
def backend_device(request, monkeypatch):
    if request.param == "triton":
        if not triton_available():
            pytest.skip("triton is not installed")
        if not CUDA:
            monkeypatch.setenv("TRITON_INTERPRET", "1")
        return "triton", "cuda" if CUDA else "cpu"
    return request.param, "cpu"


IMPLS = {"numba": scatter_multi_hot_numba, "triton": scatter_multi_hot_triton, "torch": scatter_multi_hot_torch}


@pytest.mark.parametrize("idx_dtype", [torch.int32, torch.int64])
def test_weighted_rows_equal_dense_numpy(backend_device, idx_dtype):
    backend, device = backend_device
    indptr, indices, data = weighted_csr(idx_dtype)
    rows = torch.tensor([3, 0, 9, 4, 4, 7, 1, 5, 2, 6, 8], dtype=torch.int64)  # shuffled, repeated, empty rows
    expected = dense_numpy(indptr, indices, data, rows)
    out = torch.full((len(rows), N_FEATURES), float("nan"), device=device)  # dirty reused buffer
    got = IMPLS[backend](indptr.to(device), indices.to(device), rows.to(device), out, data.to(device))
    assert got is out
    assert torch.equal(got.cpu(), expected)
    # without data: the same call still writes ones
    got1 = IMPLS[backend](indptr.to(device), indices.to(device), rows.to(device), out).cpu()
    assert torch.equal(got1, (expected != 0).float())


def test_dispatch_passes_and_validates_data():
    indptr, indices, data = weighted_csr(torch.int32)
    rows = torch.tensor([2, 3])
    out = torch.empty(2, N_FEATURES)
    assert torch.equal(scatter_multi_hot(indptr, indices, rows, out, data=data), dense_numpy(indptr, indices, data, rows))
    with pytest.raises(DataError, match=r"^data must be a float32 tensor of shape \(\d+,\) \(one value per id\), got torch.float64"):
        scatter_multi_hot(indptr, indices, rows, out, data=data.double())
    with pytest.raises(DataError, match=r"^data must be a float32 tensor of shape"):
        scatter_multi_hot(indptr, indices, rows, out, data=data[:-1])


def test_gather_values_matches_rows():
    indptr, indices, data = weighted_csr(torch.int32, seed=3)
    rows = torch.tensor([5, 0, 3, 3, 8], dtype=torch.int64)
    ip = indptr.numpy()
    total = int(sum(ip[r + 1] - ip[r] for r in rows.tolist()))
    ids, offsets, weights = gather_bags_values_cpu(indptr, indices, data, rows, total)
    exp_ids = np.concatenate([indices.numpy()[ip[r]:ip[r + 1]] for r in rows.tolist()])
    exp_w = np.concatenate([data.numpy()[ip[r]:ip[r + 1]] for r in rows.tolist()])
    lengths = [ip[r + 1] - ip[r] for r in rows.tolist()]
    assert ids.tolist() == exp_ids.tolist() and weights.tolist() == exp_w.tolist()
    assert offsets.tolist() == np.concatenate([[0], np.cumsum(lengths)[:-1]]).tolist()
    assert ids.dtype == torch.int32 and offsets.dtype == torch.int32 and weights.dtype == torch.float32


def test_bag_sum_weighted_gradient_equals_torch():
    g = torch.Generator().manual_seed(0)
    table = torch.randn(50, 7, generator=g, requires_grad=True)
    ids = torch.tensor([3, 7, 3, 0, 49, 12, 7], dtype=torch.int32)  # repeats within and across bags
    offsets = torch.tensor([0, 3, 3, 5], dtype=torch.int32)          # an empty bag
    weights = torch.randn(7, generator=g)
    upstream = torch.randn(4, 7, generator=g)
    (bag_sum_weighted(table, ids, offsets, weights) * upstream).sum().backward()
    got = table.grad.clone()
    table.grad = None
    ref = torch.nn.functional.embedding_bag(ids.long(), table, offsets.long(), mode="sum", per_sample_weights=weights)
    (ref * upstream).sum().backward()
    assert torch.allclose(got, table.grad, atol=1e-6)
    assert torch.allclose(bag_sum_weighted(table, ids, offsets, weights), ref, atol=1e-6)


@pytest.mark.parametrize("sparse_grad", [False, True])
def test_sparse_model_with_weights_equals_dense_model_on_weighted_rows(sparse_grad):
    from fastbow.models.embedding_bag import SparseBagMLP
    from fastbow.models.mlp import OneHotMLP

    torch.manual_seed(0)
    dense = OneHotMLP(N_FEATURES, 16, 1)
    sparse = SparseBagMLP.from_dense(dense, sparse_grad=sparse_grad)
    indptr, indices, data = weighted_csr(torch.int32, seed=5)
    rows = torch.tensor([1, 7, 3, 0], dtype=torch.int64)
    x = dense_numpy(indptr, indices, data, rows)
    ip = indptr.numpy()
    total = int(sum(ip[r + 1] - ip[r] for r in rows.tolist()))
    bag = gather_bags_values_cpu(indptr, indices, data, rows, total)
    out_d, out_s = dense(x), sparse(bag)
    assert torch.allclose(out_d, out_s, atol=1e-5)
    out_d.sum().backward()
    out_s.sum().backward()
    g = sparse.bag.weight.grad
    g = g.to_dense() if g.is_sparse else g
    assert torch.allclose(dense.fc1.weight.grad.t(), g, atol=1e-5)
