"""Data-parallel training under ``torchrun``: process group, gradient and metric reduction, rank-0 outputs.

``torchrun --nproc-per-node N -m fastbow.train ...`` starts N copies of the command with
``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` set; :func:`from_env` reads them and
:func:`run_in_group` wraps one run (:func:`fastbow.training.run.run`) in a process group:

- backend **gloo** on the CPU (it all-reduces sparse tensors too), **NCCL** on CUDA, where
  rank ``r`` uses ``cuda:LOCAL_RANK`` and the sparse table keeps dense gradients (NCCL has
  no sparse all-reduce);
- **preparation once** (:func:`prepare_once`): rank 0 reads, tokenizes and writes the CSR
  cache while the others wait; then they load it (a cache hit, memory-mapped);
- **sharding**: :class:`fastbow.training.dist_sampler.DistributedRowBatchSampler` gives each
  rank a disjoint part of every global batch (``--batch-size`` is the global batch);
- **gradients**: ``DistributedDataParallel`` averages them across ranks (gloo all-reduces the
  ``EmbeddingBag`` table's sparse gradient as a sparse tensor: only the rows some rank
  touched travel, and a rank that touched none, or only the OOV row 0, sends an empty
  or one-row tensor: ``tests/test_distributed.py`` covers both).
  :class:`GlobalMeanGrad` weights each rank's gradient by its share of the global batch,
  so a step equals the one-process step on the same global batch;
- **metrics**: :func:`reduce_result` and :func:`all_reduce_metrics` sum the per-rank loss
  sums, correct counts and row counts, so ``metrics.json`` is for the whole split;
- **stopping**: :class:`AgreedStop` all-reduces the Ctrl-C/SIGTERM flag every 16 batches,
  so every rank stops after the same batch (a rank that stopped alone would leave the
  others waiting in an all-reduce);
- **fused steps** (graph-free kernels that DDP cannot see): :func:`all_reduce_fused_grads` (built on
  :func:`all_reduce_touched_rows`) turns one rank's gradients into the global batch's; call it between
  the fused backward and the update;
- **outputs**: only rank 0 (:func:`is_main`) writes ``metrics.json``, ``model.pt``,
  ``checkpoint.pt`` and logs; the other ranks log errors only.

Outside ``torchrun`` (no ``WORLD_SIZE`` in the environment) every function here is the
identity or a no-op, so the one-process path is unchanged.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from fastbow.errors import FastbowError
from fastbow.training.dist_sampler import DistributedRowBatchSampler
from fastbow.training.metrics import EpochMetrics
from fastbow.training.sampler import RowBatchSampler

log = logging.getLogger("fastbow")

SUPPORTED_INPUTS = ("auto", "dense", "sparse")  # autograd paths, whose gradients DDP reduces (auto: sparse on the CPU)


@dataclass(frozen=True)
class DistEnv:
    """Where this process sits in a ``torchrun`` job.

    Attributes:
        rank (int): global rank in ``[0, world_size)`` (``RANK``).
        world_size (int): number of processes over all machines (``WORLD_SIZE``).
        local_rank (int): rank on this machine (``LOCAL_RANK``); picks the CUDA device.
    """

    rank: int
    world_size: int
    local_rank: int


def from_env(environ=None) -> DistEnv | None:
    """The ``torchrun`` variables of ``environ`` (default ``os.environ``), or None when ``WORLD_SIZE`` is unset.

    Raises:
        FastbowError: a variable is missing or not a non-negative integer, or ``RANK`` ≥ ``WORLD_SIZE``.
    """
    env = os.environ if environ is None else environ
    if "WORLD_SIZE" not in env:
        return None
    values = {}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        raw = env.get(name)
        try:
            values[name] = int(raw)
        except (TypeError, ValueError):
            values[name] = -1
        if values[name] < 0 or (name == "WORLD_SIZE" and values[name] == 0):
            raise FastbowError(f"{name}={raw!r} in the environment is not a valid rank setting; launch with "
                               "torchrun --nproc-per-node N -m fastbow.train (it sets RANK, WORLD_SIZE, LOCAL_RANK)")
    if values["RANK"] >= values["WORLD_SIZE"]:
        raise FastbowError(f"RANK={values['RANK']} is not below WORLD_SIZE={values['WORLD_SIZE']}; "
                           "launch with torchrun, which sets both")
    return DistEnv(values["RANK"], values["WORLD_SIZE"], values["LOCAL_RANK"])


def active() -> bool:
    """True inside :func:`run_in_group` (a process group is initialized)."""
    return dist.is_available() and dist.is_initialized()


def rank() -> int:
    """This process's rank (0 outside a process group)."""
    return dist.get_rank() if active() else 0


def world_size() -> int:
    """Number of processes (1 outside a process group)."""
    return dist.get_world_size() if active() else 1


def is_main() -> bool:
    """True on rank 0 (and outside a process group): the process that logs and writes files."""
    return rank() == 0


def check_config(cfg) -> None:
    """Refuse the settings a distributed run cannot honour (one line each, naming the flag to use).

    Raises:
        FastbowError: ``--input`` other than dense/sparse, or ``--no-cache`` (the ranks share the
            prepared data through the cache file).
    """
    if cfg.input not in SUPPORTED_INPUTS:
        raise FastbowError(f"--input {cfg.input} is not supported under torchrun; pass --input auto or sparse "
                           "(or --input dense)")
    if not cfg.cache:
        raise FastbowError("--no-cache is not supported under torchrun: the ranks share the prepared data through "
                           "the cache file; drop --no-cache")


def local_device(device: torch.device, env: DistEnv) -> torch.device:
    """``cuda:LOCAL_RANK`` when ``device`` is CUDA (one GPU per process), else ``device``."""
    if device.type == "cuda":
        return torch.device("cuda", env.local_rank)
    return device


def run_in_group(env: DistEnv, device: torch.device, fn, *args, **kwargs):
    """Call ``fn(*args, **kwargs)`` inside a process group (gloo on CPU, NCCL on CUDA), then destroy it.

    On ranks other than 0 the ``fastbow`` logger is set to ERROR (rank 0 reports for all).

    Raises:
        FastbowError: CUDA asked for but ``LOCAL_RANK`` has no device.
    """
    if device.type == "cuda":
        if env.local_rank >= torch.cuda.device_count():
            raise FastbowError(f"LOCAL_RANK={env.local_rank} but this machine has {torch.cuda.device_count()} "
                               "CUDA device(s); pass --nproc-per-node at most that many")
        torch.cuda.set_device(env.local_rank)
        backend = "nccl"
    else:
        backend = "gloo"
    dist.init_process_group(backend)
    old_level = log.level
    if env.rank != 0:
        log.setLevel(logging.ERROR)
    try:
        if env.rank == 0:
            log.info("torchrun: %d processes, backend %s", env.world_size, backend)
        return fn(*args, **kwargs)
    finally:
        log.setLevel(old_level)
        dist.destroy_process_group()


def prepare_once(fn, *args, **kwargs):
    """Rank 0 calls ``fn`` (which builds the cache) while the others wait; then they call it too (cache hit).

    Outside a process group: ``fn(*args, **kwargs)``.

    Raises:
        FastbowError: on ranks ≠ 0, when rank 0 failed (rank 0 raises its own error).
    """
    if not active():
        return fn(*args, **kwargs)
    status = [None]
    if is_main():
        try:
            result = fn(*args, **kwargs)
        except BaseException as e:
            status[0] = f"{type(e).__name__}: {e}"
            dist.broadcast_object_list(status, src=0)  # release the waiting ranks, then fail here
            raise
        dist.broadcast_object_list(status, src=0)
        return result
    dist.broadcast_object_list(status, src=0)          # waits for rank 0: the barrier
    if status[0] is not None:
        raise FastbowError(f"rank 0 failed to prepare the data ({status[0]})")
    return fn(*args, **kwargs)


def batch_sampler(n_rows: int, batch_size: int, *, shuffle: bool, seed: int = 0):
    """A :class:`RowBatchSampler`, or this rank's :class:`DistributedRowBatchSampler` in a process group.

    ``batch_size`` is the global batch in both cases.
    """
    if not active():
        return RowBatchSampler(n_rows, batch_size, shuffle=shuffle, seed=seed)
    return DistributedRowBatchSampler(n_rows, batch_size, num_replicas=world_size(), rank=rank(),
                                      shuffle=shuffle, seed=seed)


def sparse_grad_ok() -> bool:
    """False under NCCL, which cannot all-reduce sparse tensors (the table then keeps dense gradients)."""
    return not active() or dist.get_backend() != "nccl"


class _ScaleGrad(torch.autograd.Function):
    """Identity forward; backward multiplies the incoming gradient by ``scale``."""

    @staticmethod
    def forward(ctx, x, scale):
        ctx.scale = scale
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scale, None


class GlobalMeanGrad(nn.Module):
    """``DistributedDataParallel(model)`` whose step equals the one-process step on the whole global batch.

    The training loop takes the mean loss over this rank's ``b`` rows; DDP averages the ranks'
    gradients (divides their sum by N). With parts of unequal size that is not the mean over
    the global batch of ``n`` rows, so the logits' gradient is scaled by ``b * N / n``:
    ``(1/N) sum_r (b_r N / n) (1/b_r) sum_{i in r} g_i = (1/n) sum_i g_i``.

    Args:
        model (nn.Module): the model (its parameters are updated; checkpoints keep saving it).
        sampler (DistributedRowBatchSampler): gives ``global_size`` of the current batch.
        device (torch.device): the model's device (``device_ids`` for CUDA).

    Shapes: as ``model``: logits ``(b, C) float32``.
    """

    def __init__(self, model: nn.Module, sampler: DistributedRowBatchSampler, device: torch.device):
        super().__init__()
        ids = [device.index] if device.type == "cuda" else None
        self.ddp = nn.parallel.DistributedDataParallel(model, device_ids=ids, gradient_as_bucket_view=True)
        self.sampler = sampler
        self.n_logits = model.n_logits

    def forward(self, x):
        logits = self.ddp(x)                                       # (b, C)
        if not (self.training and torch.is_grad_enabled()):
            return logits
        scale = logits.shape[0] * self.sampler.num_replicas / self.sampler.global_size
        return logits if scale == 1 else _ScaleGrad.apply(logits, scale)


def wrap(model: nn.Module, sampler, device: torch.device) -> nn.Module:
    """The module to train: :class:`GlobalMeanGrad` in a process group, else ``model`` itself."""
    if not active():
        return model
    return GlobalMeanGrad(model, sampler, device)


def _all_reduce_sum(values: list[float], device) -> list[float]:
    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t)  # SUM; a collective: every rank calls it at the same point
    return t.tolist()


def _comm_device():
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def reduce_result(m: dict) -> dict:
    """The whole split's ``{"loss", "accuracy", "perplexity", "n"}`` from every rank's (a collective).

    Sums ``loss * n`` (nats), ``accuracy * n`` (correct rows) and ``n`` over ranks; outside a
    process group returns ``m``. Each rank's sums are exact (float64 loss sum, integer counts).
    """
    if not active():
        return m
    loss_sum, correct, n = _all_reduce_sum([m["loss"] * m["n"], round(m["accuracy"] * m["n"]), m["n"]],
                                           _comm_device())
    m = EpochMetrics()
    m.loss_sum, m.correct, m.n = torch.tensor(loss_sum, dtype=torch.float64), torch.tensor(int(round(correct))), int(n)
    return m.result()


def all_reduce_metrics(m: EpochMetrics | None) -> EpochMetrics | None:
    """Running sums of every rank added together (a collective); ``m`` itself outside a process group.

    Used when an interrupted epoch is saved: rank 0's checkpoint then holds the whole epoch's
    partial sums, and on ``--resume`` rank 0 continues them while the others start from zero.
    """
    if not active():
        return m
    n = m.n if m is not None else 0
    loss_sum = float(m.loss_sum) if n else 0.0
    correct = int(m.correct) if n else 0
    loss_sum, correct, n = _all_reduce_sum([loss_sum, correct, n], _comm_device())
    if n == 0:
        return None
    out = EpochMetrics()
    out.loss_sum, out.correct, out.n = (torch.tensor(loss_sum, dtype=torch.float64),
                                        torch.tensor(int(round(correct))), int(n))
    return out


class AgreedStop:
    """``stop()`` that turns True on every rank at the same call once it is True on one.

    Args:
        stop (callable): the local flag (:class:`fastbow.training.interrupts.StopRequest`).
        every (int): all-reduce (MAX) the flag on every ``every``-th call only; the calls in
            between return the last agreed value. Each all-reduce is a sync point where every
            rank waits for the slowest; on a loaded machine that wait, not the 4 bytes, is the
            cost, so a stop lands at most ``every`` batches after Ctrl-C instead of adding one
            collective per step.

    Every rank must call it at the same points (the training loop does, once per batch, and
    :func:`fastbow.training.run.run` once after each epoch), so the ranks count calls alike.
    """

    def __init__(self, stop, every: int = 16):
        self.stop, self.every, self.calls, self.agreed = stop, every, 0, False

    def __call__(self) -> bool:
        self.calls += 1
        if not self.agreed and self.calls % self.every == 0:
            flag = torch.tensor([int(bool(self.stop()))], device=_comm_device())
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            self.agreed = bool(flag.item())
        return self.agreed


def agreed(stop):
    """:class:`AgreedStop` around ``stop`` in a process group, else ``stop``."""
    return AgreedStop(stop) if active() else stop


def all_reduce_touched_rows(index: torch.Tensor, values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sum the rows of a table gradient that any rank touched: the all-reduce a fused sparse step needs.

    A fused step that never builds an autograd graph (e.g. a Numba kernel that computes the
    table's coalesced gradient and updates the touched rows in place) is outside DDP; it calls
    this between computing its gradient rows and applying them, so that every rank applies the
    same summed rows (divide by the world size, or weight as :class:`GlobalMeanGrad`, to average).

    Args:
        index (torch.Tensor): ``(k,) int64`` sorted, distinct table rows this rank touched
            (``k`` may be 0: a rank whose batch touched no row still takes part).
        values (torch.Tensor): ``(k, H) float32`` their gradient rows.

    Returns:
        tuple: ``union (u,) int64`` (sorted, distinct rows touched by any rank) and
        ``summed (u, H)`` (every rank's rows added; zero where a rank did not touch the row).
        Outside a process group: ``(index, values)``.

    Cost: two all-gathers of ``max k`` ids and one all-reduce of ``u × H`` floats (a collective).
    """
    if not active():
        return index, values
    dev = values.device
    k = torch.tensor([index.numel()], dtype=torch.int64, device=dev)
    sizes = [torch.zeros_like(k) for _ in range(world_size())]
    dist.all_gather(sizes, k)
    kmax = int(max(int(s) for s in sizes))
    padded = torch.full((max(kmax, 1),), -1, dtype=torch.int64, device=dev)
    padded[: index.numel()] = index
    gathered = [torch.empty_like(padded) for _ in range(world_size())]
    dist.all_gather(gathered, padded)
    union = torch.unique(torch.cat(gathered))          # sorted
    union = union[union >= 0]                          # (u,) drop the padding
    summed = torch.zeros((union.numel(), values.shape[1]), dtype=values.dtype, device=dev)
    summed[torch.searchsorted(union, index)] = values
    dist.all_reduce(summed)
    return union, summed


FUSED_DENSE = ("bias", "w2", "b2")  # the fused kernels' small dense gradients (kernels/sparse_mlp_numba.py)


def all_reduce_fused_grads(grads: dict, share: float) -> dict:
    """The fused sparse step's gradients of this rank's batch → those of the whole global batch (a collective).

    For a graph-free fused step (``FusedSparseOptimizer`` on the fused-kernel branch), which DDP cannot
    see: call it between ``backward()`` and the update, on every rank, every step.

    Args:
        grads (dict): the fused backward's result: ``index (U,) int64`` distinct table rows, increasing;
            ``values (U, H) float32`` their gradient rows; ``bias (H,)``, ``w2 (C, H)``, ``b2 (C,)`` float32;
            all gradients of the mean loss over this rank's ``b`` rows.
        share (float): ``b / n``, this rank's rows over the global batch's
            (:attr:`DistributedRowBatchSampler.global_size`), so that the sum over ranks is the gradient
            of the mean loss over the global batch (as :class:`GlobalMeanGrad` does for DDP).

    Returns:
        dict: the same keys, as NumPy float32/int64 arrays: ``index``/``values`` over the union of every
        rank's rows (:func:`all_reduce_touched_rows`), dense gradients summed. Outside a process group,
        ``grads`` unchanged.
    """
    if not active():
        return grads
    index = torch.from_numpy(np.ascontiguousarray(grads["index"], dtype=np.int64))
    values = torch.from_numpy(np.ascontiguousarray(grads["values"])) * share          # (U, H)
    union, summed = all_reduce_touched_rows(index, values)
    flat = torch.cat([torch.from_numpy(np.ascontiguousarray(grads[k])).reshape(-1) for k in FUSED_DENSE]) * share
    dist.all_reduce(flat)                                                               # one collective for all three
    out, pos = {"index": union.numpy(), "values": summed.numpy()}, 0
    for k in FUSED_DENSE:
        n = grads[k].size
        out[k] = flat[pos: pos + n].numpy().reshape(grads[k].shape)
        pos += n
    return out
