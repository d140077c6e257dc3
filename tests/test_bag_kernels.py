import numpy as np
import pytest
import torch
from fastbow.kernels.bag_numba import bag_sum_sparse_grad, gather_bags_cpu

from fastbow.training.sparse_loader import gather_bags


def csr(n_docs=40, n_features=23, seed=0):
    rng = np.random.default_rng(seed)
    rows = [np.unique(rng.integers(0, n_features, rng.integers(0, 9))) for _ in range(n_docs)]
    indptr = torch.tensor(np.concatenate([[0], np.cumsum([len(r) for r in rows])]), dtype=torch.int64)
    return indptr, torch.from_numpy(np.concatenate(rows).astype(np.int32))


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
def test_cpu_gather_equals_torch_gather(dtype):
    indptr, indices = csr()
    indices = indices.to(dtype)
    rows = torch.tensor([3, 0, 39, 3, 17, 1])
    want = gather_bags(indptr, indices, rows)
    got = gather_bags_cpu(indptr, indices, rows, total=len(want[0]))
    assert got[0].dtype == got[1].dtype == dtype
    assert torch.equal(got[0], want[0]) and torch.equal(got[1], want[1])


def test_coalesced_gradient_equals_embedding_bag_gradient():
    indptr, indices = csr()
    ids, offsets = gather_bags(indptr, indices, torch.tensor([5, 5, 2, 0, 30, 11, 7]))  # repeats: shared ids
    torch.manual_seed(0)
    w = torch.randn(23, 6, requires_grad=True)
    ref = torch.nn.EmbeddingBag(23, 6, mode="sum", sparse=True)
    with torch.no_grad():
        ref.weight.copy_(w)
    slot = torch.full((23,), -1, dtype=torch.int64)
    out = bag_sum_sparse_grad(w, ids, offsets, slot)
    want = ref(ids, offsets)
    torch.testing.assert_close(out, want)
    g = torch.randn_like(out)
    (out * g).sum().backward()
    (want * g).sum().backward()
    got_grad, want_grad = w.grad.coalesce(), ref.weight.grad.coalesce()
    assert torch.equal(got_grad.indices(), want_grad.indices())          # one row per distinct id, sorted
    assert got_grad.indices().shape[1] == len(set(ids.tolist()))
    torch.testing.assert_close(got_grad.values(), want_grad.values(), rtol=0, atol=1e-5)
    assert (slot == -1).all()                                            # scratch left as found
