import numpy as np
import pytest
import torch

from fastbow.data.csr import CSR
from fastbow.models.embedding_bag import (
    SparseBagMLP,
    dense_state_dict,
    supports_sparse_grad,
)
from fastbow.models.mlp import OneHotMLP, parameter_table, per_sample_loss
from fastbow.training.epoch import evaluate, make_optimizer, train_epoch
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler
from fastbow.training.sparse_loader import BagRows, SparseBatchLoader, gather_bags

CUDA = torch.cuda.is_available()


def random_csr(n_docs=70, n_features=41, seed=0, empty_every=9):
    """Random multi-hot rows (every ``empty_every``-th empty); label 1 iff the row's mean id is in the upper half."""
    rng = np.random.default_rng(seed)
    rows = [np.unique(rng.integers(0, n_features, rng.integers(1, 15))) for _ in range(n_docs)]
    rows = [r if i % empty_every else r[:0] for i, r in enumerate(rows)]  # some empty documents
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32)
    labels = np.array([int(len(r) > 0 and r.mean() > n_features / 2) for r in rows], dtype=np.int64)
    return CSR(indptr, indices, labels, n_features)


def test_gather_bags_concatenates_rows_in_batch_order():
    csr = random_csr()
    ip, ix = torch.from_numpy(csr.indptr), torch.from_numpy(csr.indices)
    rows = torch.tensor([5, 0, 9, 5, 69])   # row 0 and 9 are empty; 5 repeats
    ids, offsets = gather_bags(ip, ix, rows)
    want = [csr.indices[csr.indptr[r]:csr.indptr[r + 1]] for r in rows.tolist()]
    assert ids.dtype == torch.int32 and offsets.dtype == torch.int32
    assert ids.tolist() == np.concatenate(want).tolist()
    assert offsets.tolist() == np.concatenate([[0], np.cumsum([len(w) for w in want])[:-1]]).tolist()
    ids2, off2 = gather_bags(ip, ix, rows, total=len(ids))   # host-known total gives the same
    assert torch.equal(ids, ids2) and torch.equal(offsets, off2)


def test_sparse_model_is_dense_model_on_multi_hot_rows():
    torch.manual_seed(0)
    dense = OneHotMLP(41, 7, 3)
    sparse = SparseBagMLP.from_dense(dense)
    csr = random_csr()
    rows = torch.arange(csr.n_docs)
    x = torch.from_numpy(csr.to_scipy().toarray())
    ids, offsets = gather_bags(torch.from_numpy(csr.indptr), torch.from_numpy(csr.indices), rows)
    torch.testing.assert_close(sparse((ids, offsets)), dense(x), rtol=0, atol=1e-6)
    assert sorted(c for *_, c in parameter_table(sparse)) == [3, 7, 21, 41 * 7]   # same 4 tensors, same counts


def test_weights_convert_both_ways_exactly():
    torch.manual_seed(1)
    dense = OneHotMLP(13, 5, 1)
    back = SparseBagMLP.from_dense(dense).to_dense()
    for (n, a), (m, b) in zip(dense.state_dict().items(), back.state_dict().items()):
        assert n == m and torch.equal(a, b)
    sparse = SparseBagMLP(13, 5, 1)
    assert torch.equal(sparse.bag.weight, sparse.to_dense().fc1.weight.t())
    assert set(dense_state_dict(sparse)) == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    assert dense_state_dict(sparse)["fc1.weight"].shape == (5, 13)


def test_default_init_is_nn_linear_scale():
    m = SparseBagMLP(10_001, 50, 1)
    bound = 1 / 10_001 ** 0.5
    assert m.bag.weight.abs().max() <= bound and m.bag.weight.std() > 0.5 * bound
    assert m.bias.abs().max() <= bound


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not CUDA, reason="needs a CUDA device (CI has none)"))])
@pytest.mark.parametrize("sparse_grad", [True, False])
def test_twenty_sgd_steps_match_the_dense_path(sparse_grad, device):
    """Same init, same batches, 20 SGD steps: per-step losses agree within 1e-4."""
    csr = random_csr(n_docs=200, n_features=57, seed=3)
    torch.manual_seed(7)
    dense = OneHotMLP(57, 16, 1).to(device)
    sparse = SparseBagMLP.from_dense(dense, sparse_grad=sparse_grad)
    d_opt, s_opt = make_optimizer("sgd", dense.parameters(), 0.5), make_optimizer("sgd", sparse.parameters(), 0.5)
    d_load = DeviceBatchLoader(csr, RowBatchSampler(200, 10, seed=2), device)
    s_load = SparseBatchLoader(csr, RowBatchSampler(200, 10, seed=2), device)
    losses = []
    for (x, y), ((ids, offsets), y2) in zip(d_load, s_load):
        assert torch.equal(y, y2)
        step = []
        for model, opt, inp in ((dense, d_opt, x), (sparse, s_opt, (ids, offsets))):
            loss = per_sample_loss(model(inp), y).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step.append(loss.item())
        losses.append(step)
    assert len(losses) == 20
    assert sparse.bag.weight.grad.is_sparse == sparse_grad
    first, last = losses[0], losses[-1]
    assert last[0] < first[0] - 0.05                  # it did learn: the check is not vacuous
    assert max(abs(a - b) for a, b in losses) < 1e-4
    torch.testing.assert_close(sparse.to_dense().fc1.weight, dense.fc1.weight, rtol=0, atol=1e-5)


def test_trainer_runs_the_sparse_loader_unchanged():
    csr = random_csr(n_docs=120, n_features=30, seed=4)
    torch.manual_seed(0)
    model = SparseBagMLP(30, 8, 2, sparse_grad=supports_sparse_grad("sgd"))
    loader = SparseBatchLoader(csr, RowBatchSampler(120, 16, seed=0), "cpu", backend="numba")
    assert loader.backend == "gather" and len(loader) == 8
    metrics, seconds = train_epoch(model, loader, make_optimizer("sgd", model.parameters(), 0.1), progress=False)
    assert metrics["n"] == 120 and seconds["data"] > 0 and seconds["forward"] > 0
    assert evaluate(model, loader)["n"] == 120


def test_loader_counts_batch_ids_on_the_host():
    csr = random_csr()
    loader = SparseBatchLoader(csr, RowBatchSampler(csr.n_docs, 8, shuffle=False), "cpu")
    rows = torch.tensor([1, 2, 3])
    moved = loader.to_device(rows)
    assert isinstance(moved, BagRows) and moved.total == int(csr.row_lengths()[[1, 2, 3]].sum())
    (ids, offsets), y = loader.materialize(moved)
    (ids2, offsets2), _ = loader.materialize(rows)   # plain tensor: counted on the device
    assert torch.equal(ids, ids2) and torch.equal(offsets, offsets2) and y.tolist() == csr.labels[1:4].tolist()


def test_supports_sparse_grad():
    assert supports_sparse_grad("sgd") and not supports_sparse_grad("adam")


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device (CI has none)")
def test_cuda_sparse_matches_cpu():
    csr = random_csr()
    torch.manual_seed(0)
    cpu = SparseBagMLP(41, 6, 1)
    gpu = SparseBagMLP.from_dense(cpu.to_dense()).cuda()
    loader = SparseBatchLoader(csr, RowBatchSampler(csr.n_docs, 16, shuffle=False), "cuda")
    (ids, offsets), _ = next(iter(loader))
    out = gpu((ids, offsets)).cpu()
    want = cpu((ids.cpu(), offsets.cpu()))
    torch.testing.assert_close(out, want, rtol=0, atol=1e-5)
