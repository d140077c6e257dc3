"""Training checkpoints: everything needed to continue a run exactly, or to predict with it.

``OUT/checkpoint.pt`` is rewritten atomically (temporary file + rename, via
:func:`fastbow.atomic.atomic_write`) after every epoch and when a run is
interrupted, so a crash or Ctrl-C at any moment leaves the previous complete
checkpoint. It holds only tensors, plain containers and primitives, and is
read with ``torch.load(..., weights_only=True)``, which refuses any other
pickled object: loading a checkpoint never runs code from the file.

Contents (``format`` 1)::

    format      int     CHECKPOINT_FORMAT
    epoch       int     epochs completed
    batch       int     batches of epoch ``epoch + 1`` completed (0 at an epoch boundary)
    partial     dict    running sums of those batches {"loss_sum": 0-d float64, "correct": 0-d int64,
                        "n": int}, or None
    model       dict    model.state_dict(): OneHotMLP (``fc1.weight (H, V+1)``, ``fc1.bias (H,)``,
                        ``fc2.weight (C, H)``, ``fc2.bias (C,)``, float32), or with ``--input sparse``
                        SparseBagMLP (``bag.weight (V+1, H)``, ``bias (H,)``, ``fc2.*``)
    optimizer   dict    optimizer.state_dict()
    rng         dict    {"torch": ByteTensor, "cuda": [ByteTensor, ...]}: global generator states
    sampler     dict    {"seed", "epoch", "shuffle", "batch_size"}: the order of epoch e is a
                        function of (seed, e) (fastbow.training.sampler)
    vocab       dict    Vocab.to_dict(): tokenizer name, tokens (ids 1..K), counts
    classes     list    class names; label i is classes[i]
    n_features  int     V + 1;  hidden  int  H;  n_logits  int  C
    metrics     dict    the metrics.json content so far
    config      dict    the TrainConfig fields of the run (data path resolved)
"""
from __future__ import annotations

import os
import pickle
import re
import zipfile
from pathlib import Path

import torch

from fastbow.atomic import atomic_write
from fastbow.errors import DataError
from fastbow.filekind import describe_file
from fastbow.training.metrics import EpochMetrics

__all__ = ["CHECKPOINT", "CHECKPOINT_FORMAT", "save_checkpoint", "load_checkpoint", "checkpoint_path",
           "rng_state", "set_rng_state", "metrics_state", "metrics_from_state"]

CHECKPOINT = "checkpoint.pt"
CHECKPOINT_FORMAT = 1
_KEYS = ("format", "epoch", "batch", "partial", "model", "optimizer", "rng", "sampler", "vocab", "classes",
         "n_features", "hidden", "n_logits", "metrics", "config")


def checkpoint_path(path: str | os.PathLike) -> Path:
    """``path/checkpoint.pt`` for a run folder, else ``path`` itself (a ``.pt`` file)."""
    p = Path(path).expanduser()
    return p / CHECKPOINT if p.is_dir() else p


def save_checkpoint(path: str | os.PathLike, state: dict) -> None:
    """Write ``state`` (the keys of the module docstring) to ``path`` atomically with ``torch.save``.

    Raises:
        ValueError: a key is missing (a programming error, not bad input).
        OSError: the folder cannot be written (the previous file, if any, is untouched).
    """
    missing = [k for k in _KEYS if k not in state]
    if missing:
        raise ValueError(f"checkpoint state lacks {missing}")
    with atomic_write(path) as f:
        torch.save(state, f)


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read a checkpoint with ``torch.load(weights_only=True, map_location="cpu")``.

    Args:
        path: a run folder (its ``checkpoint.pt``) or the checkpoint file.

    Returns:
        dict: the state (tensors on the CPU).

    Raises:
        DataError: the file is missing; is damaged; holds objects other than tensors and plain
            data (refused, never executed); or is not a fastbow checkpoint of this format.
    """
    p = checkpoint_path(path)
    if not p.is_file():
        raise DataError(f"no checkpoint at {p}; pass the --out folder of a python -m fastbow.train run")
    kind = describe_file(p)  # torch.save has written zip files since torch 1.6; a damaged one still starts PK
    if "zip file" not in kind and not zipfile.is_zipfile(p):
        raise DataError(f"{p} is not a checkpoint (it is {kind}); pass the --out folder of a "
                        f"python -m fastbow.train run or its {CHECKPOINT}")
    try:
        state = torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        # torch's own message suggests weights_only=False, which would run the file's code: not repeated here
        found = re.search(r"WeightsUnpickler error: ([^\n]*?)(?: was not an allowed global|\. |\n|$)", str(e))
        detail = found.group(1).strip() if found else "refused by torch.load(weights_only=True)"
        raise DataError(f"{p} holds objects other than tensors and plain data, or is damaged ({detail}); "
                        "refusing to load it: only load checkpoints written by fastbow") from None
    except Exception as e:  # truncated zip, not a torch file, ...
        raise DataError(f"{p} is not a readable checkpoint ({type(e).__name__}: "
                        f"{str(e).strip().splitlines()[0] if str(e).strip() else ''}); train again") from None
    if isinstance(state, dict) and "format" not in state and any(k.endswith(".weight") for k in state):
        raise DataError(f"{p} holds only model weights (a model.pt); pass the run's --out folder "
                        f"({p.parent}) or its {CHECKPOINT}")
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT or any(k not in state for k in _KEYS):
        got = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise DataError(f"{p} is not a fastbow checkpoint of format {CHECKPOINT_FORMAT} (got {got!r}); "
                        "train again with this version of fastbow")
    return state


def rng_state() -> dict:
    """The global torch generator states: ``{"torch": ByteTensor, "cuda": [ByteTensor per device]}``."""
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else []
    return {"torch": torch.get_rng_state(), "cuda": cuda}


def set_rng_state(state: dict) -> None:
    """Restore :func:`rng_state`'s output (CUDA states only when the same number of devices exists)."""
    torch.set_rng_state(state["torch"])
    cuda = state.get("cuda") or []
    if cuda and torch.cuda.is_available() and torch.cuda.device_count() == len(cuda):
        torch.cuda.set_rng_state_all(cuda)


def metrics_state(m: EpochMetrics | None) -> dict | None:
    """Running epoch sums as plain data: ``{"loss_sum": 0-d float64, "correct": 0-d int64, "n": int}`` (CPU)."""
    if m is None or m.n == 0:
        return None
    return {"loss_sum": m.loss_sum.detach().cpu(), "correct": m.correct.detach().cpu(), "n": int(m.n)}


def metrics_from_state(state: dict | None, device) -> EpochMetrics | None:
    """Inverse of :func:`metrics_state`, with the sums moved to ``device``; ``None`` → ``None``."""
    if state is None:
        return None
    m = EpochMetrics()
    m.loss_sum, m.correct, m.n = state["loss_sum"].to(device), state["correct"].to(device), int(state["n"])
    return m
