"""PNG plots of training curves and sweeps, written atomically.

Figures are built with ``matplotlib.figure.Figure`` and the Agg canvas directly (no ``pyplot``, no
global backend switch, no display needed) and saved through :func:`fastbow.atomic.atomic_write`, so
a plot file is either complete or absent.
"""
from __future__ import annotations

import io
import os

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from fastbow.atomic import atomic_write
from fastbow.training.early_stopping import turn_epoch

_SPLIT_STYLE = {"train": "tab:blue", "val": "tab:orange", "test": "tab:green"}


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 110) -> None:
    """Render ``fig`` as PNG into memory, then write ``path`` atomically."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    with atomic_write(path) as f:
        f.write(buf.getvalue())


def curve_series(epochs: list[dict], metric: str) -> dict[str, list[float]]:
    """Per-split series of ``metric`` ("loss" or "perplexity") from ``metrics.json`` epoch entries.

    The train series is the end-of-epoch evaluation (``train_eval_<metric>``) when present, else
    the running value over the epoch (``train_<metric>``); val and test come from
    ``val_<metric>`` / ``test_<metric>`` when present. Returns ``{split: values}`` with one value
    per epoch.
    """
    out = {}
    for split, keys in (("train", (f"train_eval_{metric}", f"train_{metric}")),
                        ("val", (f"val_{metric}",)), ("test", (f"test_{metric}",))):
        for key in keys:
            if epochs and all(key in e for e in epochs):
                out[split] = [e[key] for e in epochs]
                break
    return out


def plot_curves(epochs: list[dict], path, *, best_epoch: int | None = None, title: str = "") -> None:
    """Loss and perplexity per epoch for train / val / test (SEED.md, VI.4), as one PNG.

    Args:
        epochs (list[dict]): ``metrics.json["epochs"]`` entries (keys ``epoch``, ``*_loss``,
            ``*_perplexity``).
        path: the PNG to write.
        best_epoch (int, optional): marked with a dashed line (early stopping's choice).
        title (str): figure title.

    The epoch where test perplexity turns up (:func:`fastbow.training.early_stopping.turn_epoch`) is
    marked with a dotted line.
    """
    fig = Figure(figsize=(11, 4))
    xs = [e["epoch"] for e in epochs]
    for ax, metric in zip(fig.subplots(1, 2), ("loss", "perplexity")):
        for split, ys in curve_series(epochs, metric).items():
            ax.plot(xs, ys, marker="o", ms=3, color=_SPLIT_STYLE[split], label=split)
        turn = turn_epoch([e["test_perplexity"] for e in epochs]) if all("test_perplexity" in e for e in epochs) else None
        if turn is not None:
            ax.axvline(turn, color="tab:green", ls=":", label=f"test turns (epoch {turn})")
        if best_epoch is not None:
            ax.axvline(best_epoch, color="tab:orange", ls="--", label=f"best val (epoch {best_epoch})")
        ax.set_xlabel("epoch")
        ax.set_ylabel("cross-entropy (nats)" if metric == "loss" else "perplexity = exp(loss)")
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    save_figure(fig, path)


def _errorbar(ax, xs, summary, key, label, color):
    means = [r[f"{key}_mean"] for r in summary]
    stds = [r[f"{key}_std"] for r in summary]
    ax.errorbar(xs, means, yerr=stds, marker="o", capsize=3, color=color, label=label)


def plot_sweep(kind: str, summary: list[dict], path, *, title: str = "") -> None:
    """Plot a sweep's per-value summary (means with ± std error bars) as one PNG.

    Args:
        kind (str): ``"lr"`` (validation/test accuracy against LR, log axis), ``"batch-size"``
            (accuracy and training time against batch size, log2 axis) or ``"shuffle"`` (bars).
        summary (list[dict]): rows with ``value`` and ``<metric>_mean`` / ``<metric>_std`` for
            ``val_accuracy`` (optional), ``test_accuracy`` and ``train_time_s``.
        path: the PNG to write.
    """
    has_val = all("val_accuracy_mean" in r for r in summary)
    if kind == "shuffle":
        fig = Figure(figsize=(6, 4))
        ax = fig.subplots()
        labels = ["shuffle" if r["value"] else "no shuffle (label-sorted)" for r in summary]
        keys = (["val_accuracy"] if has_val else []) + ["test_accuracy"]
        width = 0.8 / len(keys)
        for j, key in enumerate(keys):
            xs = [i + (j - (len(keys) - 1) / 2) * width for i in range(len(summary))]
            ax.bar(xs, [100 * r[f"{key}_mean"] for r in summary], width, yerr=[100 * r[f"{key}_std"] for r in summary],
                   capsize=3, color=_SPLIT_STYLE[key.split("_")[0]], label=key.split("_")[0])
        ax.set_xticks(range(len(summary)), labels)
        ax.axhline(50, color="gray", ls=":", lw=1)
        ax.set_ylabel("accuracy (%)")
        ax.legend()
    else:
        xs = [r["value"] for r in summary]
        panels = 2 if kind == "batch-size" else 1
        fig = Figure(figsize=(5.5 * panels, 4))
        axes = fig.subplots(1, panels, squeeze=False)[0]
        ax = axes[0]
        pct = [{k: (100 * v if "accuracy" in k else v) for k, v in r.items()} for r in summary]
        if has_val:
            _errorbar(ax, xs, pct, "val_accuracy", "validation", _SPLIT_STYLE["val"])
        _errorbar(ax, xs, pct, "test_accuracy", "test", _SPLIT_STYLE["test"])
        ax.set_ylabel("accuracy (%)")
        ax.legend()
        if kind == "batch-size":
            _errorbar(axes[1], xs, summary, "train_time_s", "training time", "tab:red")
            axes[1].set_ylabel("training time (s, all epochs)")
        for a in axes:
            a.set_xscale("log", base=10 if kind == "lr" else 2)
            a.set_xlabel("learning rate" if kind == "lr" else "batch size")
            a.grid(True, which="both", alpha=0.3)
            if kind == "batch-size":
                a.set_xticks(xs, [str(x) for x in xs])
    if title:
        fig.suptitle(title)
    save_figure(fig, path)
