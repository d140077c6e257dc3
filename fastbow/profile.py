"""Where does a training step's time go? ``python -m fastbow.profile``.

Examples::

    python -m fastbow.profile --pipeline notebook-naive      # the notebook's per-item Dataset
    python -m fastbow.profile --pipeline scatter --device cuda --batches 50
    python -m fastbow.profile --pipeline sparse --json

Runs ``--warmup`` untimed training steps, then ``--batches`` timed ones, and
prints milliseconds per batch and percent of the step for each part (data,
transfer, forward, backward, optimizer) and a one-line verdict naming the
bottleneck. The steps are :func:`fastbow.training.epoch.train_epoch`'s, timed by
:class:`fastbow.training.timing.PhaseTimer`: CUDA work with ``torch.cuda.Event``s, the
host clock read only at the two synchronized edges of the timed interval, so
the parts tile the wall time (the notebook timed asynchronous GPU work with
``time.time()``; SEED.md mistake 2). The table says how closely they add up.
"""
from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
from typing import TYPE_CHECKING

from fastbow.data.tokenize import DEFAULT_TOKENIZER, TOKENIZERS
from fastbow.data.vocab import DEFAULT_VOCAB_SIZE
from fastbow.options import BACKENDS, DEFAULT_HIDDEN, OPTIMIZERS, PIPELINES

from .cli import HelpFormatter, Parser, exit_process, run_cli
from .errors import FastbowError

if TYPE_CHECKING:
    from fastbow.baselines.pipelines import Pipeline

# torch, numba and the pipelines load inside the functions that use them, so that ``--help`` and
# argument errors answer without them (issue 9, item 5; tests/test_startup.py)

log = logging.getLogger("fastbow")

VERDICTS = {
    "data": "the loader is the bottleneck",
    "transfer": "host→device copies are the bottleneck",
    "forward": "the model's forward pass is the bottleneck",
    "backward": "the model's backward pass is the bottleneck",
    "optimizer": "the optimizer step is the bottleneck",
}


class BatchWindow:
    """The next ``n`` batches of a batch stream, behind the loader interface ``train_epoch`` uses.

    Args:
        loader: a loader (``device``, ``to_device``, ``materialize``), e.g. ``DeviceBatchLoader``.
        stream (iterator): what ``loader.sampler`` yields (row ids, or CPU batches for the
            notebook loaders), typically :func:`batch_stream`; consecutive windows over one
            stream continue where the previous one stopped.
        n (int): batches in the window.
    """

    def __init__(self, loader, stream, n: int):
        self.device, self.to_device, self.materialize = loader.device, loader.to_device, loader.materialize
        self.sampler = itertools.islice(stream, n)
        self._n = n

    def __len__(self) -> int:
        return self._n


def batch_stream(sampler):
    """The batches of ``sampler``, epoch after epoch without end (``set_epoch(e)`` first when it has one)."""
    for epoch in itertools.count():
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        yield from sampler


def warm_up(pipe: Pipeline, steps: int = 2) -> None:
    """Run ``steps`` untimed training steps of ``pipe`` (JIT compilation, allocator, caches)."""
    from fastbow.training.epoch import train_epoch

    if steps:
        train_epoch(pipe.model, BatchWindow(pipe.loader, iter(pipe.loader.sampler), steps), pipe.optimizer,
                    progress=False)


def verdict(seconds: dict) -> tuple[str, str]:
    """The phase with the largest share of ``seconds`` (a :meth:`PhaseTimer.stop` result) and a sentence.

    Example:
        >>> verdict({"data": 0.86, "transfer": 0.07, "forward": 0.03, "backward": 0.04, "optimizer": 0.0, "total": 1.0})
        ('data', 'data is 86% of the step: the loader is the bottleneck')
    """
    from fastbow.training.timing import PHASES

    phase = max(PHASES, key=lambda p: seconds[p])
    pct = 100.0 * seconds[phase] / (seconds["total"] or 1e-12)
    return phase, f"{phase} is {pct:.0f}% of the step: {VERDICTS[phase]}"


def _check_counts(**values) -> None:
    """Raise FastbowError for the first value that is not a positive integer (``warmup``: non-negative)."""
    for name, value in values.items():
        low = 0 if name == "warmup" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            kind = "positive" if low else "non-negative"
            raise FastbowError(f"{name} should be a {kind} integer value, but got {name}={value!r}")


def profile_pipeline(pipe: Pipeline, *, batches: int = 20, warmup: int = 2) -> dict:
    """Time ``batches`` training steps of ``pipe`` after ``warmup`` untimed ones.

    Args:
        pipe (Pipeline): from :func:`fastbow.baselines.pipelines.build_pipeline` (it is trained in place).
        batches (int): timed steps, > 0 (the split is cycled through if it has fewer batches).
        warmup (int): untimed steps first (JIT compilation, allocator and cache warm-up), ≥ 0.

    Returns:
        dict: ``pipeline``, ``device``, ``batches``, ``batch_size``, ``seconds`` (per phase and
        ``total`` wall time over the timed steps), ``ms_per_batch`` and ``percent`` per phase,
        ``parts_over_wall`` (sum of the phases / wall time), ``bottleneck``, ``verdict``,
        ``state_bytes``, ``threads``, ``notes``.

    Raises:
        FastbowError: ``batches`` or ``warmup`` out of range.
    """
    import torch

    from fastbow.training.epoch import train_epoch
    from fastbow.training.timing import PHASES

    _check_counts(batches=batches, warmup=warmup)
    stream = batch_stream(pipe.loader.sampler)
    if warmup:
        train_epoch(pipe.model, BatchWindow(pipe.loader, stream, warmup), pipe.optimizer, progress=False)
    metrics, seconds = train_epoch(pipe.model, BatchWindow(pipe.loader, stream, batches), pipe.optimizer,
                                   progress=False)
    parts = sum(seconds[p] for p in PHASES)
    bottleneck, sentence = verdict(seconds)
    batch_size = getattr(pipe.loader.sampler, "batch_size", None)
    return {
        "pipeline": pipe.name, "device": str(pipe.loader.device), "batches": batches, "warmup": warmup,
        "batch_size": batch_size, "samples": metrics["n"], "seconds": seconds,
        "ms_per_batch": {p: 1000.0 * seconds[p] / batches for p in (*PHASES, "total")},
        "percent": {p: 100.0 * seconds[p] / (seconds["total"] or 1e-12) for p in PHASES},
        "parts_over_wall": parts / (seconds["total"] or 1e-12),
        "bottleneck": bottleneck, "verdict": sentence, "state_bytes": pipe.state_bytes,
        "threads": torch.get_num_threads(), "optimizer": type(pipe.optimizer).__name__,
        "notes": list(pipe.notes),
    }


def format_table(r: dict) -> str:
    """The profile ``r`` as a text table (ms per batch and % per phase) plus the verdict line."""
    from fastbow.training.timing import PHASES

    lines = [f"pipeline {r['pipeline']} on {r['device']} ({r['threads']} threads), {r['optimizer']}: "
             f"{r['batches']} timed batch{'es' if r['batches'] != 1 else ''} of {r['batch_size']} after {r['warmup']} warm-up",
             f"{'phase':<10} {'ms/batch':>9} {'%':>6}"]
    for p in PHASES:
        lines.append(f"{p:<10} {r['ms_per_batch'][p]:>9.2f} {r['percent'][p]:>6.1f}")
    lines.append(f"{'total':<10} {r['ms_per_batch']['total']:>9.2f} {100.0:>6.1f}   "
                 f"(wall time; the parts add up to {100 * r['parts_over_wall']:.1f}% of it)")
    lines += [f"note: {n}" for n in r["notes"]]
    lines.append(f"dataset state in host memory: {r['state_bytes'] / 1e6:,.1f} MB")
    lines.append(f"verdict: {r['verdict']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict:
    """Prepare the data, build the pipeline, profile it and print the table (or JSON)."""
    import torch  # after the arguments parsed

    from fastbow.baselines.pipelines import build_pipeline, check_pipeline, profile_rows
    from fastbow.data.datapath import resolve_data_path
    from fastbow.data.dataset import DataOptions
    from fastbow.data.labelled import prepare_any, read_splits
    from fastbow.training.device import resolve_device
    from fastbow.training.epoch import make_optimizer

    check_pipeline(args.pipeline)
    _check_counts(batches=args.batches, warmup=args.warmup, batch_size=args.batch_size, hidden=args.hidden,
                  vocab_size=args.vocab_size)
    if args.json:
        log.setLevel(logging.WARNING)  # stdout carries the JSON document only
    make_optimizer(args.optimizer, [torch.zeros(1, requires_grad=True)], args.lr)  # validates lr before any work
    if args.pipeline != "scatter" and args.backend != "auto":
        raise FastbowError(f"--backend chooses the scatter kernel and applies to --pipeline scatter only, "
                           f"not {args.pipeline}; drop --backend")
    device = resolve_device(args.device)
    if args.pipeline == "fused" and device.type != "cpu":
        raise FastbowError(f"--pipeline fused runs on the CPU only, but the device is {device}; pass --device cpu")
    data_path = resolve_data_path(args.data)
    options = DataOptions(args.text_column, args.label_column)
    data = prepare_any(data_path, args.tokenizer, args.vocab_size, use_cache=args.cache, options=options)
    texts = None
    if args.pipeline == "notebook-naive":
        texts = read_splits(data_path, options)["train"].texts
    dense_rows = None
    if args.pipeline == "notebook-dense":  # only the rows the profiled batches visit, not 2 GB
        dense_rows = profile_rows(data.train.n_docs, (args.warmup + args.batches) * args.batch_size, args.seed)
    pipe = build_pipeline(args.pipeline, data, device=device, batch_size=args.batch_size, hidden=args.hidden,
                          optimizer=args.optimizer, lr=args.lr, seed=args.seed, backend=args.backend,
                          texts=texts, dense_rows=dense_rows)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    result = profile_pipeline(pipe, batches=args.batches, warmup=args.warmup)
    result["load_avg_before"] = load
    if args.warmup == 0:
        result["notes"].append("--warmup 0: the timed steps include one-time start-up costs (JIT compilation, "
                               "first allocations), which inflate the first ones; use --warmup 2 or more")
    cores = os.cpu_count() or 1
    if load >= cores and device.type == "cpu" and torch.get_num_threads() > 1:
        result["notes"].append(f"the 1-minute load average was {load:.1f} on {cores} cores: other processes "
                               "compete for the CPUs and multi-threaded ops wait for them; for stable figures "
                               "rerun when idle or with OMP_NUM_THREADS=1")
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    return result


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fastbow.profile`` argument parser."""
    p = Parser(
        prog="python -m fastbow.profile", formatter_class=HelpFormatter,
        description="Time the parts of a training step (data, transfer, forward, backward, optimizer) "
                    "for one input pipeline and name the bottleneck.")
    p.add_argument("--pipeline", default="scatter", choices=PIPELINES,
                   help="notebook-naive: per-item Dataset; notebook-dense: precomputed dense rows; "
                        "scatter: fastbow's device scatter; sparse: fastbow's EmbeddingBag path (autograd); "
                        "fused: the CPU default, fused Numba kernels")
    p.add_argument("--data", default=None, metavar="PATH",
                   help="aclImdb_v1.tar.gz, an aclImdb-layout folder or a .csv/.tsv/.jsonl/.parquet table (its "
                        "training split is profiled); default: $FASTBOW_DATA, caches, download")
    p.add_argument("--text-column", default="text", metavar="NAME", help="table column with the text")
    p.add_argument("--label-column", default="label", metavar="NAME", help="table column with the label")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--batches", type=int, default=20, metavar="N", help="timed training steps")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps before timing")
    p.add_argument("--batch-size", type=int, default=128, metavar="B", help="rows per batch")
    p.add_argument("--tokenizer", default=DEFAULT_TOKENIZER, choices=list(TOKENIZERS), help="tokenizer name")
    p.add_argument("--vocab-size", type=int, default=DEFAULT_VOCAB_SIZE, metavar="K", help="vocabulary size")
    p.add_argument("--hidden", type=int, default=DEFAULT_HIDDEN, metavar="H", help="hidden units")
    p.add_argument("--optimizer", default="adam", choices=OPTIMIZERS, help="optimizer (sgd gives sparse "
                   "gradients on the sparse path)")
    p.add_argument("--lr", type=float, default=3e-4, help="learning rate")
    p.add_argument("--seed", type=int, default=0, help="seed for the initial weights and the shuffle")
    p.add_argument("--backend", default="auto", choices=list(BACKENDS), help="scatter kernel (scatter pipeline)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON document instead of a table")
    p.add_argument("--cache", action=argparse.BooleanOptionalAction, default=True,
                   help="reuse the tokenized CSR cache; --no-cache re-tokenizes")
    return p


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (see :func:`fastbow.cli.run_cli`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return run_cli(lambda: run(args), parser)


if __name__ == "__main__":
    exit_process(main())  # without the interpreter's multi-second teardown (see fastbow.cli)
