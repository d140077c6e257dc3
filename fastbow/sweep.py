"""Hyper-parameter sweeps and the shuffle ablation: ``python -m fastbow.sweep {lr,batch-size,shuffle,dropout,weight-decay,weighting}``.

Examples::

    python -m fastbow.sweep lr --optimizer sgd --epochs 5 --lr-min 1e-8 --lr-max 1e-1 --points 8   # II.3
    python -m fastbow.sweep batch-size --values 16,128,1024 --epochs 5 --lr 0.01 --optimizer sgd   # III.3
    python -m fastbow.sweep shuffle                                                              # III
    python -m fastbow.sweep dropout --ngrams 3 --weighting nb --values 0,0.5                     # issue 12

Every point trains a freshly initialized model with the same seed (repeat ``r`` of ``--repeats R``
uses seed ``--seed + r``; the validation split stays the one of ``--seed``) on data prepared once
(:func:`fastbow.train.run_prepared`). The sweep takes every ``python -m fastbow.train`` flag; it
carves ``--val-fraction`` (default 0.1) of the training rows for validation, chooses the best value
on validation accuracy and reports test accuracy separately, never choosing on it (SEED.md,
mistake 8). Training rows stay in the reader's order, sorted by label, so ``shuffle`` off trains on
all negatives, then all positives, as the notebook did (exercise III).

Writes ``OUT/sweep.csv`` (one row per run), ``OUT/sweep.json`` (runs, per-value mean ± std, the
choice, the total time), ``OUT/sweep-<kind>.png`` and ``OUT/points/<point>/metrics.json``; the chosen
point's model is kept as the normal run folder ``OUT/best`` (for ``predict`` and ``evaluate``).
"""
from __future__ import annotations

import csv
import dataclasses
import logging
import math
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from fastbow.data.datapath import resolve_data_path
from fastbow.data.features import ngram_options
from fastbow.data.prepare import prepare
from fastbow.training.config import TrainConfig

from .atomic import atomic_write, write_json
from .cli import drop_options, exit_process, run_cli
from .errors import FastbowError
from .train import build_parser as build_train_parser

log = logging.getLogger("fastbow")

KINDS = {"lr": "lr", "batch-size": "batch_size", "shuffle": "shuffle",  # sweep kind → TrainConfig field
         "dropout": "dropout", "weight-decay": "weight_decay", "weighting": "weighting"}
RATE_KINDS = ("dropout", "weight-decay")  # --values: distinct numbers >= 0 (dropout < 1: checked per point)
DEFAULT_BATCH_SIZES = (16, 128, 1024)
DEFAULT_LR_RANGE = (1e-5, 1e-1, 5)  # --lr-min, --lr-max, --points
METRICS = ("val_accuracy", "val_loss", "val_perplexity", "test_accuracy", "test_loss", "test_perplexity",
           "train_time_s")


def parse_values(kind: str, text: str | None, lr_min=None, lr_max=None, points=None) -> list:
    """The values a sweep visits.

    Args:
        kind (str): ``"lr"``, ``"batch-size"`` or ``"shuffle"``.
        text (str | None): ``--values``, comma-separated (``"16,128,1024"``, ``"1e-3,1e-2"``).
        lr_min, lr_max (float | None), points (int | None): the lr sweep's log-spaced range,
            ``numpy.logspace(log10(lr_min), log10(lr_max), points)`` as the notebook (II.3);
            defaults ``DEFAULT_LR_RANGE``.

    Returns:
        list: floats (lr), ints (batch-size) or ``[False, True]`` (shuffle).

    Raises:
        FastbowError: unparsable or non-positive values, a range with ``lr_min >= lr_max`` or
            ``points < 2``, ``--values`` together with a range, range flags outside the lr sweep,
            or ``--values`` for the shuffle ablation.
    """
    if kind not in KINDS:
        raise FastbowError(f"unknown sweep {kind!r}; choose one of: {', '.join(KINDS)}")
    ranged = any(v is not None for v in (lr_min, lr_max, points))
    if ranged and kind != "lr":
        raise FastbowError("--lr-min/--lr-max/--points apply to the lr sweep only; use --values")
    if kind == "shuffle":
        if text is not None:
            raise FastbowError("the shuffle ablation takes no --values (it always runs shuffle off, then on)")
        return [False, True]
    if kind in RATE_KINDS + ("weighting",):
        return parse_feature_values(kind, text)
    if text is not None:
        if ranged:
            raise FastbowError("pass either --values or --lr-min/--lr-max/--points, not both")
        cast = float if kind == "lr" else int
        try:
            items = text.split(",")
            if any(not v.strip() for v in items):
                raise ValueError("empty item")
            values = [cast(v) for v in items]
        except ValueError:
            raise FastbowError(f"--values should be comma-separated {'numbers' if kind == 'lr' else 'integers'}, "
                               f"but got {text!r}") from None
        if not values or any(not (0 < v < math.inf) for v in values) or len(set(values)) != len(values):
            raise FastbowError(f"--values should be distinct positive {'numbers' if kind == 'lr' else 'integers'}, "
                               f"but got {text!r}")
        return values
    if kind == "batch-size":
        return list(DEFAULT_BATCH_SIZES)
    lo, hi, n = (d if v is None else v for v, d in zip((lr_min, lr_max, points), DEFAULT_LR_RANGE))
    if not (0 < lo < hi < math.inf) or isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise FastbowError(f"the lr range needs 0 < lr_min < lr_max and points >= 2, but got lr_min={lo!r}, "
                           f"lr_max={hi!r}, points={n!r}")
    return [float(v) for v in np.logspace(math.log10(lo), math.log10(hi), n)]


def parse_feature_values(kind: str, text: str | None) -> list:
    """``--values`` of the dropout, weight-decay and weighting sweeps (defaults: 0,0.25,0.5 / 0,1e-6,1e-5 / all schemes).

    Raises:
        FastbowError: an item that is not a number >= 0 (a scheme name for weighting), or repeated values.
    """
    from fastbow.data.weighting import WEIGHTINGS

    if text is None:
        return {"dropout": [0.0, 0.25, 0.5], "weight-decay": [0.0, 1e-6, 1e-5]}.get(kind, list(WEIGHTINGS))
    items = [v.strip() for v in text.split(",")]
    if kind == "weighting":
        bad = [v for v in items if v not in WEIGHTINGS]
        if bad or len(set(items)) != len(items):
            raise FastbowError(f"--values should be distinct weightings among {', '.join(WEIGHTINGS)}, but got {text!r}")
        return items
    try:
        values = [float(v) for v in items]
    except ValueError:
        values = []
    if not values or any(not (0 <= v < math.inf) for v in values) or len(set(values)) != len(values):
        raise FastbowError(f"--values should be distinct comma-separated numbers >= 0, but got {text!r}")
    return values


def value_label(kind: str, value) -> str:
    """Short text of a sweep value: ``1e-03``, ``128``, ``on``/``off``."""
    if kind == "shuffle":
        return "on" if value else "off"
    if kind == "weighting":
        return value
    if kind in RATE_KINDS:
        return f"{value:.3g}"
    return f"{value:.3g}" if kind == "lr" else str(value)


def summarize(rows: list[dict], kind: str) -> list[dict]:
    """Per-value mean and sample standard deviation (0 for one repeat) of :data:`METRICS`.

    Args:
        rows (list[dict]): one dict per run with ``value`` and the metrics (``val_*`` may be absent).

    Returns:
        list[dict]: one dict per value, in first-seen order: ``value``, ``label``, ``n`` and
        ``<metric>_mean`` / ``<metric>_std`` for each metric present.
    """
    out = []
    for value in dict.fromkeys(r["value"] for r in rows):
        group = [r for r in rows if r["value"] == value]
        s = {"value": value, "label": value_label(kind, value), "n": len(group)}
        for m in METRICS:
            xs = [r[m] for r in group if r.get(m) is not None]
            if xs:
                s[f"{m}_mean"] = statistics.fmean(xs)
                s[f"{m}_std"] = statistics.stdev(xs) if len(xs) > 1 else 0.0
        out.append(s)
    return out


def choose(summary: list[dict]) -> dict | None:
    """The value with the highest mean validation accuracy, ties to the lower validation loss, then the
    first; None without a validation split. Test metrics are never looked at."""
    if not summary or "val_accuracy_mean" not in summary[0]:
        return None
    return max(summary, key=lambda s: (s["val_accuracy_mean"], -s["val_loss_mean"]))


def format_table(kind: str, summary: list[dict]) -> str:
    """The per-value table: validation and test accuracy (%) and training time, mean ± std."""
    def cell(s, m, scale=1.0, digits=2):
        if f"{m}_mean" not in s:
            return "-"
        text = f"{scale * s[f'{m}_mean']:.{digits}f}"
        return text + (f" ± {scale * s[f'{m}_std']:.{digits}f}" if s["n"] > 1 else "")
    header = [kind, "runs", "val acc %", "test acc %", "test ppl", "train time s"]
    body = [[s["label"], str(s["n"]), cell(s, "val_accuracy", 100), cell(s, "test_accuracy", 100),
             cell(s, "test_perplexity", 1, 4), cell(s, "train_time_s", 1, 1)] for s in summary]
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in [header] + body)


def _run_row(kind: str, value, repeat: int, cfg: TrainConfig, result: dict) -> dict:
    final = result.get("best") or result["epochs"][-1]
    row = {"kind": kind, "value": value, "repeat": repeat, "seed": cfg.seed, "epochs_run": len(result["epochs"]),
           "epoch": final["epoch"], "train_loss": final["train_loss"], "train_accuracy": final["train_accuracy"]}
    for m in METRICS[:-1]:
        row[m] = final.get(m)
    row["train_time_s"] = sum(e["time_s"]["total"] for e in result["epochs"])
    row["eval_s"] = sum(e["eval_s"] for e in result["epochs"])
    return row


def write_csv(path: Path, rows: list[dict]) -> None:
    """One line per run, header from the first row's keys; written atomically."""
    with atomic_write(path, "w") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def best_run_source(rows: list[dict], folders: list[Path], best: dict) -> Path:
    """The run folder of the chosen value's best repeat: highest validation accuracy, ties to the lower
    validation loss, then the first repeat (never looks at test metrics)."""
    runs = [(r, f) for r, f in zip(rows, folders) if r["value"] == best["value"]]
    return max(runs, key=lambda rf: (rf[0]["val_accuracy"], -rf[0]["val_loss"], -rf[0]["repeat"]))[1]


def keep_best_run(out: Path, rows: list[dict], folders: list[Path], best: dict | None) -> Path | None:
    """Keep the chosen point's model as the normal run folder ``out/best`` and delete the others' models.

    Each point was trained with ``save_model`` (``model.pt``, ``checkpoint.pt``) when there is a
    validation split; the chosen one (:func:`best_run_source`) is moved, with copies of its
    ``metrics.json`` and ``vocab.json``, to ``out/best`` — what ``predict --model`` and
    ``evaluate --model`` read — and the other points keep their ``metrics.json`` only.

    Returns:
        Path | None: ``out/best``, or None without a choice (no validation split).
    """
    from fastbow.training.checkpoint import (
        CHECKPOINT,  # loads torch: imported when used
    )
    source = best_run_source(rows, folders, best) if best is not None else None
    dest = out / "best"
    if dest.exists():
        shutil.rmtree(dest)
    if source is not None:
        dest.mkdir()
        for name in ("metrics.json", "vocab.json"):
            shutil.copy2(source / name, dest / name)
        for name in ("model.pt", CHECKPOINT):  # moved: no second copy of the weights
            shutil.move(source / name, dest / name)
    for f in folders:
        for name in ("model.pt", CHECKPOINT):
            (f / name).unlink(missing_ok=True)
    return dest if source is not None else None


def clear_previous_sweep(out: Path) -> None:
    """Delete an earlier sweep's ``points/``, ``sweep.csv``, ``sweep.json`` and ``sweep-*.png`` in ``out``,
    so the folder never mixes two sweeps."""
    old = [p for p in (out / "points", out / "best", out / "sweep.csv", out / "sweep.json", *out.glob("sweep-*.png")) if p.exists()]
    if old:
        log.info("replacing the previous sweep in %s", out)
        for p in old:
            shutil.rmtree(p) if p.is_dir() else p.unlink()


def run_sweep(kind: str, base: TrainConfig, values: list, repeats: int = 1) -> dict:
    """Train one fresh model per (value, repeat) on data prepared once; write and return the results.

    Args:
        kind (str): a key of :data:`KINDS`.
        base (TrainConfig): every other setting; ``base.out`` is the sweep's folder.
        values (list): from :func:`parse_values`.
        repeats (int): runs per value, seeds ``base.seed .. base.seed + repeats - 1``.

    Returns:
        dict: the ``sweep.json`` content: ``kind``, ``config``, ``values``, ``runs`` (one per run),
        ``summary`` (per value), ``best`` (chosen on validation, or None), ``total_s``.

    Raises:
        FastbowError: a bad setting for any point, checked before any training.
    """
    # torch loads here, after the arguments parsed (issue 9, item 5)
    from fastbow.training.run import (
        data_options,
        prepare_output,
        resolve_device,
        run_prepared,
        validate_config,
    )

    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats <= 0:
        raise FastbowError(f"repeats should be a positive integer value, but got repeats={repeats!r}")
    if base.resume is not None:
        raise FastbowError("sweeps cannot --resume; rerun the sweep (each point takes one training run)")
    field = KINDS[kind]
    if getattr(base, field) != getattr(TrainConfig(), field):
        log.warning("warning: --%s %s is ignored: the sweep sets %s for each point",
                    field.replace("_", "-"), getattr(base, field), field)
    configs = []
    for value in values:
        for r in range(repeats):
            name = f"{kind}-{value_label(kind, value)}-r{r}"
            cfg = dataclasses.replace(base, **{field: value}, seed=base.seed + r, out=str(Path(base.out) / "points" / name),
                                      split_seed=base.seed if base.split_seed is None else base.split_seed,
                                      save_model=base.val_fraction > 0)  # the chosen point's model is kept
            validate_config(cfg)
            configs.append((value, r, cfg))
    out = prepare_output(base.out)
    clear_previous_sweep(out)
    t_start = time.perf_counter()
    device = resolve_device(base.device)
    data_path = resolve_data_path(base.data)
    from fastbow.data.weighting import needs_counts  # numpy: imported when a sweep runs

    counts = any(needs_counts(c.weighting) for _, _, c in configs)  # a weighting sweep may need term counts
    data = prepare(data_path, base.tokenizer, base.vocab_size, use_cache=base.cache, options=data_options(base),
                   ngram=dataclasses.replace(ngram_options(base), counts=counts))
    log.info("sweep %s over %s, %d repeat(s): data ready in %.2f s (%s)", kind,
             ", ".join(value_label(kind, v) for v in values), repeats, data.seconds,
             "cache hit" if data.cache_hit else "built")
    rows, folders = [], []
    for i, (value, r, cfg) in enumerate(configs, 1):
        log.info("[%d/%d] %s = %s, repeat %d/%d, seed %d", i, len(configs), kind, value_label(kind, value),
                 r + 1, repeats, cfg.seed)
        result = run_prepared(cfg, data, data_path=data_path, out=prepare_output(cfg.out), device=device)
        rows.append(_run_row(kind, value, r, cfg, result))
        folders.append(Path(cfg.out))
    summary = summarize(rows, kind)
    best = choose(summary)
    best_run = keep_best_run(out, rows, folders, best)
    total = time.perf_counter() - t_start
    doc = {"kind": kind, "config": dataclasses.asdict(base) | {"data": str(data_path)}, "values": values,
           "repeats": repeats, "runs": rows, "summary": summary, "best": best,
           "best_run": str(best_run) if best_run is not None else None, "total_s": total}
    write_csv(out / "sweep.csv", rows)
    write_json(out / "sweep.json", doc)
    from fastbow.reporting.plots import plot_sweep  # matplotlib loads only here

    plot_sweep(kind, summary, out / f"sweep-{kind}.png",
               title=f"{kind} {'ablation' if kind == 'shuffle' else 'sweep'}: {base.optimizer}, {base.epochs} epochs, {repeats} repeat(s)")
    log.info("\n%s", format_table(kind, summary))
    if best is not None:
        log.info("best on validation: %s = %s (val accuracy %.2f%%); its test accuracy %.2f%% is reported, "
                 "not used for choosing", kind, best["label"], 100 * best["val_accuracy_mean"],
                 100 * best["test_accuracy_mean"])
    if best_run is not None:
        log.info("kept the chosen run (%s = %s) as %s: python -m fastbow.predict --model %s ... / "
                 "python -m fastbow.evaluate --model %s --data ...", kind, best["label"], best_run, best_run, best_run)
    log.info("sweep of %d run(s) took %.1f s; wrote %s, %s and %s", len(rows), total, out / "sweep.csv",
             out / "sweep.json", out / f"sweep-{kind}.png")
    return doc


def build_parser():
    """``python -m fastbow.sweep``: every ``fastbow.train`` flag plus the sweep's own."""
    p = build_train_parser()
    p.prog = "python -m fastbow.sweep"
    p.description = ("Sweep the learning rate or the batch size, or ablate shuffling; one fresh model per point, "
                     "chosen on validation, test reported separately. Writes OUT/sweep.csv (one row per run), "
                     "OUT/sweep.json (runs, per-value mean ± std, the choice, the time), OUT/sweep-KIND.png and "
                     "OUT/points/POINT/metrics.json; no model or checkpoint.")
    drop_options(p, "resume", "overwrite")  # a sweep is rerun, not resumed; its points are new folders
    next(a for a in p._actions if a.dest == "out").help = "output folder of the sweep (default: runs/sweep-KIND)"
    p.add_argument("kind", choices=list(KINDS), help="what to sweep")
    g = p.add_argument_group("sweep")
    g.add_argument("--values", default=None, metavar="V1,V2,...",
                   help=f"values to visit (lr: numbers; batch-size: integers, default "
                        f"{','.join(map(str, DEFAULT_BATCH_SIZES))}; dropout: default 0,0.25,0.5; weight-decay: "
                        "default 0,1e-6,1e-5; weighting: names, default all)")
    g.add_argument("--lr-min", type=float, default=None, help=f"lr sweep: lowest LR (default {DEFAULT_LR_RANGE[0]:g})")
    g.add_argument("--lr-max", type=float, default=None, help=f"lr sweep: highest LR (default {DEFAULT_LR_RANGE[1]:g})")
    g.add_argument("--points", type=int, default=None,
                   help=f"lr sweep: log-spaced values from --lr-min to --lr-max (default {DEFAULT_LR_RANGE[2]})")
    g.add_argument("--repeats", type=int, default=1, metavar="R", help="runs per value (seeds seed..seed+R-1): mean ± std")
    p.set_defaults(out=None, val_fraction=0.1)
    return p


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (see :func:`fastbow.cli.run_cli`)."""
    parser = build_parser()
    args = parser.parse_args(argv)

    def go():
        values = parse_values(args.kind, args.values, args.lr_min, args.lr_max, args.points)
        fields = {f.name for f in dataclasses.fields(TrainConfig)}
        base = TrainConfig(**{k: v for k, v in vars(args).items() if k in fields})
        if base.out is None:
            base = dataclasses.replace(base, out=f"runs/sweep-{args.kind}")
        return run_sweep(args.kind, base, values, args.repeats)

    return run_cli(go, parser)


if __name__ == "__main__":
    exit_process(main())  # without the interpreter's multi-second teardown (see fastbow.cli)
