"""The fused CPU training step of the sparse MLP: an optimizer that also runs forward and backward.

:class:`FusedSparseOptimizer` drives the Numba kernels of
:mod:`fastbow.kernels.sparse_mlp_numba` for a :class:`fastbow.models.embedding_bag.SparseBagMLP`
on the CPU. It is a ``torch.optim.Optimizer`` (``param_groups``, ``state_dict``,
``load_state_dict``), so checkpoints and ``--resume`` treat it as any optimizer; its state per
parameter is torch's (``step``, ``exp_avg``, ``exp_avg_sq`` for Adam). A step is three calls,
each billed to its own phase by :func:`fastbow.training.epoch.train_epoch`:

    logits, losses, correct = opt.forward(x, y)   # forward: bag sum, ReLU, output layer, loss
    opt.backward()                                # backward: gradients, table rows coalesced
    opt.step()                                    # optimizer: update the touched rows (and the small params)

Algorithms (``algorithm``): ``"sgd"`` (``torch.optim.SGD``, no momentum), ``"adam"`` = lazy Adam
on the table (``torch.optim.SparseAdam``: untouched rows keep their moments and weights) with exact
Adam on the bias and the output layer, ``"dense-adam"`` = exact ``torch.optim.Adam`` everywhere
(every table row decays every step). ``--optimizer adam`` on the fused path is lazy Adam: on IMDB
it reached the dense Adam's accuracy at a fraction of the step time (``benchmarks/RESULTS.md``,
"Fused sparse kernels").
"""
from __future__ import annotations

import numpy as np
import torch

from fastbow.data.features import AUTO_SPARSE_FEATURES
from fastbow.errors import FastbowError
from fastbow.kernels import sparse_mlp_numba as K
from fastbow.kernels.sparse_mlp_numba import default_threads, numba_threads

ALGORITHMS = ("sgd", "adam", "dense-adam")
_NAMES = ("table", "bias", "w2", "b2")


CUDA_AUTO_INPUT = "dense"  # pending a GPU measurement of dense-scatter (Triton) against sparse: README "Speed"


def resolve_input(input: str, device, backend: str = "auto", *, unsupported: str | None = None,
                  n_features: int = 0) -> str:
    """The training path that ``--input input`` means on ``device``: ``"fused"``, ``"sparse"`` or ``"dense"``.

    ``"auto"`` (the default) is ``"fused"`` on the CPU, the fastest path measured there at the default
    accuracy (``benchmarks/RESULTS.md``, "Fused sparse kernels"), and :data:`CUDA_AUTO_INPUT` elsewhere
    (the scatter path of the design, until a GPU run measures it against ``sparse``). ``"auto"`` with a
    ``backend`` (a scatter kernel) is ``"dense"``: the only path that scatters. ``"auto"`` falls back to
    the autograd ``"sparse"`` path when the run asks for what the fused kernels do not compute.

    Args:
        unsupported (str, optional): the flag of this run that the fused kernels do not cover (e.g.
            ``"--class-weight"``), or None.
        n_features (int): V + 1; on CUDA, ``"auto"`` is ``"sparse"`` above
            :data:`fastbow.data.features.AUTO_SPARSE_FEATURES` (n-gram tables), else :data:`CUDA_AUTO_INPUT`.

    Raises:
        FastbowError: ``"fused"`` on a non-CPU device or with ``unsupported``, or ``backend`` given for
            an explicit path that does not scatter.
    """
    kind = torch.device(device).type
    if input == "auto":
        if backend != "auto":
            return "dense"
        if kind != "cpu":  # wide n-gram tables: no (B, V + 1) batches (fastbow.data.features)
            return "sparse" if n_features > AUTO_SPARSE_FEATURES else CUDA_AUTO_INPUT
        return "sparse" if unsupported else "fused"
    if input == "fused" and kind != "cpu":
        raise FastbowError(f"--input fused runs on the CPU, but the device is {device}; "
                           "pass --input sparse or --input dense (or --device cpu)")
    if input == "fused" and unsupported:
        raise FastbowError(f"--input fused does not support {unsupported}; pass --input sparse (or drop {unsupported})")
    if input != "dense" and backend != "auto":
        raise FastbowError(f"--backend chooses the scatter kernel of --input dense; --input {input} gathers ids "
                           "with its own kernel; drop --backend, or pass --input dense")
    return input


def fused_supported(model, device) -> bool:
    """True when the fused kernels cover ``model`` on ``device``: a float32 ``SparseBagMLP`` on the CPU."""
    from fastbow.models.embedding_bag import SparseBagMLP
    return (isinstance(model, SparseBagMLP) and torch.device(device).type == "cpu"
            and model.bag.weight.dtype == torch.float32)


class FusedSparseOptimizer(torch.optim.Optimizer):
    """SGD or Adam for a CPU ``SparseBagMLP``, with the forward and backward passes fused in Numba.

    Args:
        model (SparseBagMLP): float32, on the CPU; its parameters are updated in place.
        algorithm (str): one of :data:`ALGORITHMS`.
        lr (float): learning rate; betas (tuple), eps (float): Adam's (torch's defaults).
        threads (int, optional): Numba threads for the kernels (default :func:`fastbow.kernels.sparse_mlp_numba.default_threads`);
            set around each call, so other Numba kernels keep their own count.

    Raises:
        FastbowError: unknown algorithm, or a model the kernels do not cover (use the autograd path).
    """

    fused = True  # train_epoch runs forward/backward/step through this object

    def __init__(self, model, algorithm: str, lr: float, betas=(0.9, 0.999), eps: float = 1e-8,
                 threads: int | None = None):
        if algorithm not in ALGORITHMS:
            raise FastbowError(f"unknown fused optimizer {algorithm!r}; choose one of: {', '.join(ALGORITHMS)}")
        if not fused_supported(model, "cpu") or model.bag.weight.device.type != "cpu":
            raise FastbowError("the fused kernels cover a float32 SparseBagMLP on the CPU only; "
                               "use --input sparse (autograd) for other models and devices")
        params = [model.bag.weight, model.bias, model.fc2.weight, model.fc2.bias]
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps})
        self.algorithm = algorithm
        self.threads = default_threads() if threads is None else threads
        self._model = model
        self._slot = np.full(model.n_features, -1, dtype=np.int64)  # (V + 1,) scratch of the backward
        self._fwd = None    # forward buffers, reused while B stays the same
        self._batch = None  # (ids, offsets) of the last forward, for the backward
        self._grads = None  # the last backward's gradients, for step()
        with numba_threads(self.threads):
            K.warm_up(np.int32, 1 if model.n_logits == 1 else 2)  # JIT/cache load now, not in the first timed step

    def _arrays(self) -> dict:
        """NumPy views sharing memory with the parameters (fetched per call: load_state_dict may swap tensors)."""
        return {k: p.detach().numpy() for k, p in zip(_NAMES, self.param_groups[0]["params"])}

    def forward(self, x, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Forward pass and loss of one training batch.

        Args:
            x (tuple): ``(ids (nnz,), offsets (B,))`` CPU int32 or int64, as the sparse loader yields.
            y (torch.Tensor): ``(B,) int64`` labels.

        Returns:
            tuple: ``logits (B, C) float32``, per-sample ``losses (B,) float32`` in nats and
            ``correct (B,) bool``; views of buffers that the next call overwrites.
        """
        if len(x) != 2:
            raise FastbowError("the fused kernels take binary bags (ids, offsets); feature values need --input sparse")
        ids, offsets = (t.numpy() for t in x)
        a = self._arrays()
        with numba_threads(self.threads):
            self._fwd = K.forward(ids, offsets, a["table"], a["bias"], a["w2"], a["b2"], y.numpy(), out=self._fwd)
        self._batch, self._grads = (ids, offsets), None
        f = self._fwd
        return torch.from_numpy(f["logits"]), torch.from_numpy(f["losses"]), torch.from_numpy(f["correct"])

    def backward(self) -> None:
        """Gradients of the last :meth:`forward` batch's mean loss (kept for :meth:`step`)."""
        if self._batch is None:
            raise RuntimeError("backward() needs a forward() first")
        ids, offsets = self._batch
        with numba_threads(self.threads):
            self._grads = K.backward(ids, offsets, self._fwd, self._arrays()["w2"], self._slot)
        self._batch = None

    @torch.no_grad()
    def step(self, closure=None):
        """Apply the last :meth:`backward`'s gradients (touched table rows; all of the small params).

        Raises:
            RuntimeError: no backward since the last step, or a closure was given (not supported).
        """
        if closure is not None:
            raise RuntimeError("FusedSparseOptimizer.step() takes no closure")
        if self._grads is None:
            raise RuntimeError("step() needs forward() and backward() first")
        group = self.param_groups[0]
        a, g = self._arrays(), self._grads
        if self.algorithm == "sgd":
            with numba_threads(self.threads):
                K.sgd_update(a, g, group["lr"])
        else:
            moments = {}
            for name, p in zip(_NAMES, group["params"]):
                st = self.state[p]
                if not st:  # torch's layout, so a checkpoint reads like torch.optim.Adam's
                    st["step"] = torch.tensor(0.0)
                    st["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    st["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                st["step"] += 1
                moments[name] = (st["exp_avg"].numpy(), st["exp_avg_sq"].numpy())
            step = int(self.state[group["params"][0]]["step"].item())
            with numba_threads(self.threads):
                K.adam_update(a, g, moments, step, group["lr"], group["betas"], group["eps"],
                              dense=self.algorithm == "dense-adam")
        self._grads = None
