"""Continue a training run from its checkpoint: settings, state, and the checks in between.

``python -m fastbow.train --resume OUT`` trains on with the settings saved in
``OUT/checkpoint.pt``. Only :data:`RESUMABLE` settings may be given again with
new values (``--epochs`` to train further, or where and how to run); any other
flag that differs from the saved value is an error rather than being silently
ignored or silently changing the run. Because the model, the optimizer, the
global RNG and the epoch's running sums are restored, and the sampler's order
is a function of (seed, epoch), a resumed run reports the same per-epoch
metrics as one that was never interrupted (on the CPU; see the README on CUDA).
"""
from __future__ import annotations

from pathlib import Path

from fastbow.errors import DataError, FastbowError
from fastbow.training.checkpoint import (
    CHECKPOINT_FORMAT,
    metrics_from_state,
    metrics_state,
    rng_state,
    set_rng_state,
)
from fastbow.training.config import RESUMABLE, RESUMABLE_FLAGS  # noqa: F401  (re-exported: defined without torch for the parser)

__all__ = ["RESUMABLE", "merge_config", "check_config", "check_same_data", "training_state", "restore"]

_IGNORED = ("resume", "out", "overwrite")  # set from --resume itself, or about the folder only
_PATHS = ("data", "test_file")  # saved as absolute paths


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def merge_config(saved: dict, explicit: dict, resume: str, fields) -> dict:
    """The configuration of a resumed run: ``saved`` updated with the explicitly given resumable flags.

    Args:
        saved (dict): the checkpoint's ``config`` (``TrainConfig`` fields).
        explicit (dict): the flags given on the command line (dest → value), ``--resume`` included.
        resume (str): the run folder; it becomes ``out`` and ``resume``.
        fields (iterable of str): the ``TrainConfig`` field names (keys of ``saved`` outside them,
            e.g. from another fastbow version, are dropped; missing ones take their defaults).

    Raises:
        FastbowError: a non-resumable flag differs from the saved value, or ``--out`` names
            another folder.
    """
    fields = set(fields)
    cfg = {k: v for k, v in saved.items() if k in fields}
    if "out" in explicit and Path(explicit["out"]).resolve() != Path(resume).resolve():
        raise FastbowError(f"--resume {resume} continues in its own folder; drop --out {explicit['out']}")
    clash = {k: v for k, v in explicit.items()
             if k not in RESUMABLE and k not in _IGNORED and k in fields and not _same(k, v, cfg.get(k))}
    if clash:
        given = ", ".join(f"{_flag(k)} {v}" for k, v in clash.items())
        had = ", ".join(f"{k}={cfg.get(k)!r}" for k in clash)
        raise FastbowError(f"{given} differs from the checkpoint's settings ({had}); a resumed run keeps its "
                           f"settings: drop the flag (only {RESUMABLE_FLAGS} may change)")
    cfg.update({k: v for k, v in explicit.items() if k in RESUMABLE})
    cfg.update(resume=resume, out=resume)
    return cfg


def _same(key: str, a, b) -> bool:
    """Equal settings; paths (``data``, ``test_file``) compare as resolved absolute paths."""
    if key in _PATHS and a is not None and b is not None:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    return a == b


def check_config(cfg: dict, saved: dict) -> None:
    """Check that ``cfg`` keeps every non-resumable setting of ``saved`` (API callers of ``run``).

    Raises:
        FastbowError: naming the first setting that differs.
    """
    for k, v in saved.items():
        if k in cfg and k not in RESUMABLE and k not in _IGNORED and not _same(k, cfg[k], v):
            raise FastbowError(f"{k}={cfg[k]!r} differs from the checkpoint's {k}={v!r}; a resumed run keeps "
                               f"its settings (only {', '.join(RESUMABLE)} may change)")


def check_same_data(state: dict, vocab, classes, n_features: int) -> None:
    """Check that the data prepared now is the data the checkpoint was trained on.

    Raises:
        DataError: the vocabulary, the classes or the feature count differ.
    """
    if state["vocab"] != vocab.to_dict() or list(state["classes"]) != list(classes) or state["n_features"] != n_features:
        raise DataError(f"the data at {state['config'].get('data')} changed since the checkpoint was written "
                        "(its vocabulary or classes differ); resume needs the same data, or start a new run")


def training_state(*, model, optimizer, epoch: int, batch: int, partial, seed: int, shuffle: bool,
                   batch_size: int, vocab, classes, hidden: int, result: dict, config: dict) -> dict:
    """The checkpoint dict of :mod:`fastbow.training.checkpoint` for the current point of a run.

    Args:
        epoch (int): epochs completed; batch (int): batches of epoch ``epoch + 1`` completed.
        partial (EpochMetrics | None): the running sums of those ``batch`` batches.
        result (dict): the metrics.json content so far; config (dict): the ``TrainConfig`` fields.
    """
    return {
        "format": CHECKPOINT_FORMAT, "epoch": epoch, "batch": batch, "partial": metrics_state(partial),
        "model": model.state_dict(), "optimizer": optimizer.state_dict(), "rng": rng_state(),
        "sampler": {"seed": seed, "epoch": epoch + 1 if batch else epoch, "shuffle": shuffle,
                    "batch_size": batch_size},
        "vocab": vocab.to_dict(), "classes": list(classes), "n_features": vocab.n_features,
        "hidden": hidden, "n_logits": model.n_logits, "metrics": result, "config": config,
    }


def restore(state: dict, model, optimizer, device) -> tuple[int, int, object, dict]:
    """Load the checkpoint's model, optimizer and RNG state; returns where to continue.

    Returns:
        tuple: ``(start_epoch, start_batch, partial_metrics, result)``: the 1-based epoch to run
        next, the batches of it already trained, their running sums (``EpochMetrics`` on
        ``device`` or None) and the metrics.json content so far.
    """
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    set_rng_state(state["rng"])
    return state["epoch"] + 1, state["batch"], metrics_from_state(state["partial"], device), state["metrics"]
