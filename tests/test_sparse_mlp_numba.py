"""Tests for kernels/sparse_mlp_numba.py and fastbow/training/fused.py: the fused kernels equal torch autograd.

Reference: :class:`SparseBagMLP` through torch autograd (``EmbeddingBag`` + ``per_sample_loss``
+ ``mean().backward()``) and ``torch.optim.SGD`` / ``Adam`` / ``SparseAdam``. Batches are random
bags with empty bags and duplicate ids, B = 1 and B = 37, int32 and int64 ids, C = 1 and C = 3.
"""
import numpy as np
import pytest
import torch
from fastbow.kernels import sparse_mlp_numba as K

from fastbow.errors import FastbowError
from fastbow.models.embedding_bag import SparseBagMLP
from fastbow.models.mlp import per_sample_loss
from fastbow.training.fused import FusedSparseOptimizer

V1, H = 23, 7  # small table: many duplicate ids per batch
TOL = {"rtol": 1e-5, "atol": 1e-6}


def random_batch(B, dtype, seed, n_classes=2):
    """Bags of 0..12 ids (about one in five empty, duplicates within and across bags), labels."""
    g = np.random.default_rng(seed)
    lengths = g.integers(0, 13, B) * (g.random(B) > 0.2)
    if B > 1:
        lengths[0] = 0       # an empty first bag ...
        lengths[-1] = 0      # ... and an empty last one (its end is nnz)
    ids = g.integers(0, V1, int(lengths.sum()))
    if ids.size:
        ids[: min(3, ids.size)] = ids[0]  # a repeated id inside one bag
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    y = g.integers(0, n_classes, B)
    return (torch.from_numpy(ids.astype(dtype)), torch.from_numpy(offsets.astype(dtype))), torch.from_numpy(y)


def make_model(C, seed=0, sparse_grad=False):
    torch.manual_seed(seed)
    m = SparseBagMLP(V1, H, C, sparse_grad=sparse_grad)
    with torch.no_grad():  # weights large enough that ReLU cuts some units and losses differ from ln 2
        for p in m.parameters():
            p.mul_(4.0)
    return m


def autograd_step(model, x, y):
    model.zero_grad(set_to_none=True)
    logits = model(x)
    losses = per_sample_loss(logits, y)
    losses.mean().backward()
    return logits.detach(), losses.detach()


CASES = [(B, dtype, C) for B in (1, 37) for dtype in (np.int32, np.int64) for C in (1, 3)]


@pytest.mark.parametrize("B, dtype, C", CASES)
def test_forward_and_gradients_equal_autograd(B, dtype, C):
    x, y = random_batch(B, dtype, seed=B + C, n_classes=max(C, 2))
    ref = make_model(C)
    logits_ref, losses_ref = autograd_step(ref, x, y)
    m = make_model(C)
    table, bias, w2, b2 = (p.detach().numpy() for p in (m.bag.weight, m.bias, m.fc2.weight, m.fc2.bias))
    ids, offsets = x[0].numpy(), x[1].numpy()
    fwd = K.forward(ids, offsets, table, bias, w2, b2, y.numpy())
    torch.testing.assert_close(torch.from_numpy(fwd["logits"]), logits_ref, **TOL)
    torch.testing.assert_close(torch.from_numpy(fwd["losses"]), losses_ref, **TOL)
    pred = (logits_ref[:, 0] > 0).long() if C == 1 else logits_ref.argmax(1)
    assert np.array_equal(fwd["correct"], (pred == y).numpy())
    slot = np.full(V1, -1, np.int64)
    g = K.backward(ids, offsets, fwd, w2, slot)
    assert (slot == -1).all()                                   # scratch left as found
    touched = np.unique(ids)
    assert np.array_equal(g["index"], touched)                  # distinct ids, increasing
    dense = torch.zeros(V1, H)
    dense[torch.from_numpy(g["index"])] = torch.from_numpy(g["values"])
    torch.testing.assert_close(dense, ref.bag.weight.grad, **TOL)
    assert ref.bag.weight.grad[np.setdiff1d(np.arange(V1), touched)].abs().sum() == 0
    torch.testing.assert_close(torch.from_numpy(g["bias"]), ref.bias.grad, **TOL)
    torch.testing.assert_close(torch.from_numpy(g["w2"]), ref.fc2.weight.grad, **TOL)
    torch.testing.assert_close(torch.from_numpy(g["b2"]), ref.fc2.bias.grad, **TOL)
    assert ref.bias.grad.abs().sum() > 0 and dense.abs().sum() > 0  # not a vacuous comparison


def reference_optimizers(model, algorithm, lr):
    table, rest = [model.bag.weight], [model.bias, model.fc2.weight, model.fc2.bias]
    if algorithm == "sgd":
        return [torch.optim.SGD(table + rest, lr=lr)]
    if algorithm == "dense-adam":
        return [torch.optim.Adam(table + rest, lr=lr, fused=True)]
    return [torch.optim.SparseAdam(table, lr=lr), torch.optim.Adam(rest, lr=lr, fused=True)]


@pytest.mark.parametrize("algorithm", ["sgd", "adam", "dense-adam"])
@pytest.mark.parametrize("B, dtype, C", [(1, np.int64, 1), (37, np.int32, 1), (37, np.int64, 3)])
def test_updated_weights_equal_torch_optimizers(algorithm, B, dtype, C):
    lr = 0.05 if algorithm == "sgd" else 0.01
    ref = make_model(C, sparse_grad=algorithm == "adam")   # SparseAdam needs a sparse gradient
    ref_opts = reference_optimizers(ref, algorithm, lr)
    m = make_model(C)
    opt = FusedSparseOptimizer(m, algorithm, lr)
    for step in range(4):                                   # several steps: moments and bias corrections
        x, y = random_batch(B, dtype, seed=100 * step + B, n_classes=max(C, 2))
        _, losses_ref = autograd_step(ref, x, y)
        for o in ref_opts:
            o.step()
        _, losses, _ = opt.forward(x, y)
        torch.testing.assert_close(losses, losses_ref, **TOL)
        opt.backward()
        opt.step()
        for (name, p), q in zip(m.named_parameters(), ref.parameters()):
            torch.testing.assert_close(p, q, **TOL, msg=f"{name} after step {step + 1}")
    assert not torch.equal(m.bag.weight, make_model(C).bag.weight)  # the table did move


def test_lazy_adam_leaves_untouched_rows_alone_and_dense_adam_does_not():
    (x1, y1), (x2, y2) = random_batch(3, np.int64, seed=5), random_batch(3, np.int64, seed=6)
    rows = np.setdiff1d(x1[0].numpy(), x2[0].numpy())  # moments nonzero after step 1, no gradient in step 2
    assert rows.size > 0
    for algorithm, stays in (("adam", True), ("dense-adam", False)):
        m = make_model(1)
        opt = FusedSparseOptimizer(m, algorithm, 0.01)
        opt.forward(x1, y1), opt.backward(), opt.step()
        after_one = m.bag.weight.detach().clone()
        opt.forward(x2, y2), opt.backward(), opt.step()
        assert torch.equal(m.bag.weight.detach()[rows], after_one[rows]) == stays, algorithm


def test_optimizer_state_checkpoints_and_resumes_exactly():
    batches = [random_batch(37, np.int32, seed=s) for s in range(6)]

    def train(opt, bs):
        for x, y in bs:
            opt.forward(x, y), opt.backward(), opt.step()

    a = make_model(1)
    opt_a = FusedSparseOptimizer(a, "adam", 0.01)
    train(opt_a, batches)
    b = make_model(1)
    opt_b = FusedSparseOptimizer(b, "adam", 0.01)
    train(opt_b, batches[:3])
    model_state, opt_state = {k: v.clone() for k, v in b.state_dict().items()}, opt_b.state_dict()
    c = make_model(1, seed=9)
    c.load_state_dict(model_state)
    opt_c = FusedSparseOptimizer(c, "adam", 0.01)
    opt_c.load_state_dict(opt_state)
    train(opt_c, batches[3:])
    for k, v in a.state_dict().items():
        assert torch.equal(v, c.state_dict()[k]), k
    assert set(opt_state["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}  # torch.optim.Adam's layout


def test_bad_inputs_say_what_to_fix():
    m = make_model(1)
    with pytest.raises(FastbowError, match="unknown fused optimizer 'rmsprop'; choose one of: sgd, adam"):
        FusedSparseOptimizer(m, "rmsprop", 0.1)
    with pytest.raises(FastbowError, match="float32 SparseBagMLP on the CPU only"):
        FusedSparseOptimizer(m.double(), "sgd", 0.1)
    table = np.zeros((V1, H), np.float32)
    with pytest.raises(TypeError, match="both be int32 or both int64, but got int32 and int64"):
        K.forward(np.zeros(2, np.int32), np.zeros(1, np.int64), table, table[0], table[:1], table[0, :1],
                  np.zeros(1, np.int64))
    opt = FusedSparseOptimizer(make_model(1), "sgd", 0.1)
    with pytest.raises(RuntimeError, match="needs forward"):
        opt.step()


@pytest.mark.parametrize("B, dtype, C", [(1, np.int32, 1), (37, np.int64, 3)])
def test_evaluation_forward_uses_the_kernel_and_equals_autograd(B, dtype, C):
    x, _ = random_batch(B, dtype, seed=7)
    m = make_model(C)
    ref = m(x).detach()                                  # grad enabled: EmbeddingBag + Linear
    with torch.no_grad():
        out = m(x)                                       # CPU, no grad: the fused forward kernel
    torch.testing.assert_close(out, ref, **TOL)
    assert out.shape == (B, C) and out.dtype == torch.float32


def test_resolve_input_picks_fused_on_the_cpu_and_dense_on_cuda():
    from fastbow.training.fused import resolve_input
    assert resolve_input("auto", "cpu") == "fused"
    assert resolve_input("auto", "cuda:0") == "dense"            # pending a GPU measurement (README, Speed)
    assert resolve_input("auto", "cuda", "triton") == "dense"
    assert resolve_input("sparse", "cpu") == "sparse" and resolve_input("dense", "cpu", "numba") == "dense"
    with pytest.raises(FastbowError, match="--input fused runs on the CPU, but the device is cuda; pass --input sparse"):
        resolve_input("fused", "cuda")
    assert resolve_input("auto", "cpu", "numba") == "dense"       # a scatter kernel asked for: the path that scatters
    assert resolve_input("auto", "cpu", unsupported="--class-weight") == "sparse"
    with pytest.raises(FastbowError, match="--input fused does not support --class-weight; pass --input sparse"):
        resolve_input("fused", "cpu", unsupported="--class-weight")
    with pytest.raises(FastbowError, match="--input sparse gathers ids with its own kernel; drop --backend, or pass"):
        resolve_input("sparse", "cpu", "numba")


def test_numba_kernels_run_on_their_own_thread_pool():
    import fastbow.kernels  # noqa: F401
    import numba
    (ids, offsets), y = random_batch(3, np.int64, seed=1)
    m = make_model(1)
    with torch.no_grad():
        m((ids, offsets))                           # the fused forward kernel, a parallel one
    assert numba.threading_layer() == "workqueue"   # not torch's libgomp pool (kernels/__init__.py)
