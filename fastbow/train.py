"""Train the multi-hot MLP on IMDB: ``python -m fastbow.train``.

Examples::

    python -m fastbow.train --data ../shared/data/aclImdb_v1.tar.gz --out runs/a
    python -m fastbow.train --optimizer sgd --lr 0.01 --epochs 5 --tokenizer whitespace   # the notebook

Each epoch prints one line (train loss/accuracy; test loss, accuracy and
perplexity; the time split) and rewrites ``OUT/metrics.json``; at the end
``OUT/model.pt`` (a ``state_dict``) and ``OUT/vocab.json`` are written. All
files are written atomically.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from .atomic import atomic_write, write_json
from .cli import run_cli
from .datapath import resolve_data_path
from .errors import FastbowError
from .kernels import BACKENDS
from .loader import DeviceBatchLoader
from .model import DEFAULT_HIDDEN, OneHotMLP
from .prepare import prepare
from .sampler import RowBatchSampler
from .sparse import INPUTS, SparseBagMLP, SparseBatchLoader, dense_state_dict, supports_sparse_grad
from .timing import PHASES, percentages
from .tokenize import DEFAULT_TOKENIZER, TOKENIZERS, get_tokenizer
from .trainer import OPTIMIZERS, check_initial_loss, evaluate, make_optimizer, train_epoch
from .vocab import DEFAULT_VOCAB_SIZE

log = logging.getLogger("fastbow")


@dataclass
class TrainConfig:
    """Every knob of a training run; the defaults are the CLI's (see ``--help``)."""

    data: str | None = None              # archive or aclImdb/ folder; None: $FASTBOW_DATA, caches, download
    out: str = "runs/default"            # output folder: metrics.json, model.pt, vocab.json
    tokenizer: str = DEFAULT_TOKENIZER   # whitespace | notebook | words
    vocab_size: int = DEFAULT_VOCAB_SIZE # K most frequent training tokens (+1 OOV feature)
    hidden: int = DEFAULT_HIDDEN         # hidden units H
    logits: int = 1                      # 1: BCEWithLogitsLoss; C >= 2: CrossEntropyLoss on logits
    epochs: int = 2                      # passes over the training split
    batch_size: int = 128                # rows per batch B
    lr: float = 3e-4                     # learning rate
    optimizer: str = "adam"              # sgd | adam
    seed: int = 0                        # seeds the model init and the per-epoch shuffle
    shuffle: bool = True                 # reshuffle training rows every epoch
    device: str = "auto"                 # auto (cuda if available) | cpu | cuda | cuda:N
    backend: str = "auto"                # scatter kernel: auto | numba | triton | torch
    input: str = "dense"                 # dense: scatter multi-hot batches; sparse: EmbeddingBag on CSR ids
    cache: bool = True                   # reuse the tokenized CSR cache
    progress: bool = True                # progress bar per epoch (hidden when not a terminal)


def resolve_device(name: str) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; other names as ``torch.device``.

    Raises:
        FastbowError: the name is invalid or CUDA was requested but is unavailable.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(name)
    except (RuntimeError, TypeError):
        raise FastbowError(f"invalid device {name!r}; use auto, cpu, cuda or cuda:N") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise FastbowError(f"device {name!r} requested but CUDA is not available; use --device cpu")
    return dev


def prepare_output(out: str) -> Path:
    """Create ``out`` and check that it is writable, before any long work.

    Raises:
        FastbowError: the folder cannot be created or written.
    """
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with atomic_write(path / ".write-test") as f:
            f.write(b"ok")
        (path / ".write-test").unlink()
    except OSError as e:
        raise FastbowError(f"output directory {out} is not writable ({e.strerror}); pass another --out") from None
    return path


def validate_config(cfg: TrainConfig) -> None:
    """Check every numeric and named setting before any slow work.

    Raises:
        FastbowError: the first bad setting, in PyTorch's message shape
            ("batch_size should be a positive integer value, but got batch_size=0").
    """
    for name in ("epochs", "batch_size", "hidden", "logits", "vocab_size"):
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise FastbowError(f"{name} should be a positive integer value, but got {name}={value!r}")
    make_optimizer(cfg.optimizer, [torch.zeros(1, requires_grad=True)], cfg.lr)  # validates name and lr
    get_tokenizer(cfg.tokenizer)
    if cfg.backend not in BACKENDS:
        raise FastbowError(f"unknown backend {cfg.backend!r}; choose one of: {', '.join(BACKENDS)}")
    if cfg.input not in INPUTS:
        raise FastbowError(f"unknown input {cfg.input!r}; choose one of: {', '.join(INPUTS)}")


def _format_epoch(e: dict, epochs: int) -> str:
    t, pct = e["time_s"], percentages(e["time_s"])
    split = " ".join(f"{k} {t[k]:.2f}s ({pct[k]:.0f}%)" for k in PHASES)
    return (f"epoch {e['epoch']}/{epochs} | train loss {e['train_loss']:.4f} acc {100 * e['train_accuracy']:.2f}% | "
            f"test loss {e['test_loss']:.4f} acc {100 * e['test_accuracy']:.2f}% ppl {e['test_perplexity']:.4f} | "
            f"{t['total']:.2f}s: {split}")


def run(cfg: TrainConfig) -> dict:
    """Train and evaluate as configured; returns the ``metrics.json`` content.

    Raises:
        FastbowError / DataError: bad configuration or data (one-line messages).
        FloatingPointError: training diverged (non-finite loss).
    """
    validate_config(cfg)
    out = prepare_output(cfg.out)
    device = resolve_device(cfg.device)
    data_path = resolve_data_path(cfg.data)
    data = prepare(data_path, cfg.tokenizer, cfg.vocab_size, use_cache=cfg.cache)
    log.info("data ready in %.2f s (%s): train %d docs, test %d docs, V+1 = %d features, CSR %.1f MB",
             data.seconds, "cache hit" if data.cache_hit else "built", data.train.n_docs, data.test.n_docs,
             data.train.n_features, (data.train.nbytes() + data.test.nbytes()) / 1e6)

    torch.manual_seed(cfg.seed)
    model = OneHotMLP(data.train.n_features, cfg.hidden, cfg.logits).to(device)
    if cfg.input == "sparse":  # same initial weights as the dense model (fastbow/sparse.py)
        model = SparseBagMLP.from_dense(model, sparse_grad=supports_sparse_grad(cfg.optimizer))
    optimizer = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)
    train_sampler = RowBatchSampler(data.train.n_docs, cfg.batch_size, shuffle=cfg.shuffle, seed=cfg.seed)
    Loader = SparseBatchLoader if cfg.input == "sparse" else DeviceBatchLoader
    train_loader = Loader(data.train, train_sampler, device, cfg.backend)
    test_loader = Loader(
        data.test, RowBatchSampler(data.test.n_docs, cfg.batch_size, shuffle=False), device, train_loader.backend)
    init_loss = check_initial_loss(model, test_loader)
    log.info("device %s, kernel %s; initial test loss %.4f (ln C = %.4f)", device, train_loader.backend,
             init_loss, math.log(max(cfg.logits, 2)))

    config = dataclasses.asdict(cfg) | {"data": str(data_path), "device": str(device),
                                        "backend": train_loader.backend, "classes": list(data.classes),
                                        "n_features": data.train.n_features}
    result = {"config": config, "epochs": []}
    data.vocab.save(out / "vocab.json")
    for epoch in range(1, cfg.epochs + 1):
        train_sampler.set_epoch(epoch)
        train_m, seconds = train_epoch(model, train_loader, optimizer, progress=cfg.progress,
                                       desc=f"epoch {epoch}/{cfg.epochs}")
        t0 = time.perf_counter()
        test_m = evaluate(model, test_loader)
        entry = {"epoch": epoch, "train_loss": train_m["loss"], "train_accuracy": train_m["accuracy"],
                 "test_loss": test_m["loss"], "test_accuracy": test_m["accuracy"],
                 "test_perplexity": test_m["perplexity"], "time_s": seconds,
                 "eval_s": time.perf_counter() - t0}
        result["epochs"].append(entry)
        log.info(_format_epoch(entry, cfg.epochs))
        write_json(out / "metrics.json", result)
    with atomic_write(out / "model.pt") as f:
        torch.save(dense_state_dict(model), f)  # OneHotMLP layout for either --input
    log.info("wrote %s, %s and %s", out / "metrics.json", out / "model.pt", out / "vocab.json")
    return result


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fastbow.train`` argument parser; every flag is documented in ``--help``."""
    d = TrainConfig()
    p = argparse.ArgumentParser(
        prog="python -m fastbow.train", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Train a multi-hot bag-of-words MLP (Linear(V+1, H) → ReLU → Linear(H, C)) on IMDB.")
    p.add_argument("--data", default=None, metavar="PATH",
                   help="aclImdb_v1.tar.gz or an extracted aclImdb/ folder; default: $FASTBOW_DATA, "
                        "~/.cache/fastbow, torchtext's cache, else download")
    p.add_argument("--out", default=d.out, metavar="DIR", help="output folder for metrics.json, model.pt, vocab.json")
    p.add_argument("--tokenizer", default=d.tokenizer, choices=list(TOKENIZERS), help="tokenizer name")
    p.add_argument("--vocab-size", type=int, default=d.vocab_size, metavar="K",
                   help="keep the K most frequent training tokens (features: K + 1 with OOV)")
    p.add_argument("--hidden", type=int, default=d.hidden, metavar="H", help="hidden units")
    p.add_argument("--logits", type=int, default=d.logits, metavar="C",
                   help="1: one logit with BCEWithLogitsLoss; C >= 2: C logits with CrossEntropyLoss")
    p.add_argument("--epochs", type=int, default=d.epochs, help="passes over the training split")
    p.add_argument("--batch-size", type=int, default=d.batch_size, metavar="B", help="rows per batch")
    p.add_argument("--lr", type=float, default=d.lr, help="learning rate")
    p.add_argument("--optimizer", default=d.optimizer, choices=OPTIMIZERS, help="optimizer")
    p.add_argument("--seed", type=int, default=d.seed, help="seed for model init and per-epoch shuffling")
    p.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                   help="iterate training rows in stored order (sorted by label: shows why shuffling matters)")
    p.add_argument("--device", default=d.device, help="auto, cpu, cuda or cuda:N")
    p.add_argument("--backend", default=d.backend, choices=list(BACKENDS),
                   help="scatter kernel: auto picks triton on CUDA and numba on the CPU")
    p.add_argument("--input", default=d.input, choices=list(INPUTS),
                   help="dense: multi-hot (B, V+1) batches built by the scatter kernel; sparse: "
                        "EmbeddingBag over the CSR ids, no dense batch (sparse gradients with sgd)")
    p.add_argument("--no-cache", dest="cache", action="store_false", help="re-tokenize instead of using the CSR cache")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide the per-epoch progress bar")
    return p


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (see :func:`fastbow.cli.run_cli`)."""
    args = build_parser().parse_args(argv)
    return run_cli(lambda: run(TrainConfig(**vars(args))))


if __name__ == "__main__":
    sys.exit(main())
