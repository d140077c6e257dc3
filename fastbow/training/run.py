"""One training run, from a :class:`TrainConfig` to ``metrics.json``: the library behind ``python -m fastbow.train``.

:func:`run` validates the configuration, prepares the data (cached CSR), and calls
:func:`run_prepared`: model, loaders, optimizer, the epoch loop with evaluation,
early stopping, checkpoints and resume, and the run folder's files (``metrics.json``,
``model.pt``, ``vocab.json``, ``checkpoint.pt``, ``curves.png``), all written atomically.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch

import fastbow.training.resume as resuming
from fastbow.atomic import atomic_write, write_json
from fastbow.data.datapath import resolve_data_path
from fastbow.data.dataset import DataOptions
from fastbow.data.features import (
    apply_weighting,
    default_vocab_size,
    ngram_options,
    resolve_input,
    validate_features,
)
from fastbow.data.prepare import Prepared, prepare
from fastbow.data.subsets import check_subset_args, describe, make_splits
from fastbow.data.tokenize import DEFAULT_TOKENIZER, get_tokenizer
from fastbow.errors import FastbowError
from fastbow.kernels import BACKENDS
from fastbow.models.embedding_bag import (
    INPUTS,
    SparseBagMLP,
    dense_state_dict,
    supports_sparse_grad,
)
from fastbow.models.head import resolve_logits
from fastbow.models.mlp import DEFAULT_HIDDEN, OneHotMLP
from fastbow.reporting.summary import format_parameter_table
from fastbow.training.checkpoint import CHECKPOINT, load_checkpoint, save_checkpoint
from fastbow.training.device import resolve_device
from fastbow.training.early_stopping import EarlyStopping, turn_epoch
from fastbow.training.epoch import (
    check_initial_loss,
    evaluate,
    make_optimizer,
    train_epoch,
)
from fastbow.training.interrupts import Diverged, Interrupted, StopRequest
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler
from fastbow.training.sparse_loader import SparseBatchLoader
from fastbow.training.timing import PHASES, percentages

log = logging.getLogger("fastbow")


@dataclass
class TrainConfig:
    """Every knob of a training run; the defaults are the CLI's (see ``--help``)."""

    data: str | None = None              # archive, aclImdb-layout folder or table file; None: $FASTBOW_DATA, caches, download
    out: str = "runs/default"            # output folder: metrics.json, model.pt, vocab.json
    tokenizer: str = DEFAULT_TOKENIZER   # whitespace | notebook | words
    vocab_size: int | None = None        # K most frequent training n-grams (+1 OOV); None: 20,000 for unigrams, more for n-grams
    ngrams: int = 1                      # word n-grams of orders 1..N (fastbow.data.ngrams)
    min_df: int | float = 1              # drop n-grams in fewer training documents (int: count, float: fraction)
    max_df: int | float = 1.0            # drop n-grams in more training documents (int: count, float: fraction)
    hash_buckets: int | None = None      # hash n-grams of order >= 2 into M buckets instead of a vocabulary
    weighting: str = "binary"            # feature values: binary | count | tfidf | nb (fastbow.data.weighting)
    dropout: float = 0.0                 # dropout probability on the input bag, while training
    weight_decay: float = 0.0            # L2 penalty added to the gradient (torch's weight_decay)
    hidden: int = DEFAULT_HIDDEN         # hidden units H
    logits: int | None = None            # None: 1 for 2 classes, C for C >= 3; 1: BCEWithLogitsLoss; C: CrossEntropyLoss
    epochs: int = 2                      # passes over the training split
    batch_size: int = 128                # rows per batch B
    lr: float = 3e-4                     # learning rate
    optimizer: str = "adam"              # sgd | adam
    seed: int = 0                        # seeds the model init and the per-epoch shuffle
    shuffle: bool = True                 # reshuffle training rows every epoch
    device: str = "auto"                 # auto (cuda if available) | cpu | cuda | cuda:N
    backend: str = "auto"                # scatter kernel: auto | numba | triton | torch
    input: str = "auto"                  # dense: scatter batches; sparse: EmbeddingBag on CSR ids; auto: sparse above 50,001 features
    cache: bool = True                   # reuse the tokenized CSR cache
    progress: bool = True                # progress bar per epoch (hidden when not a terminal)
    train_size: int | None = None        # train on N rows of the training split (None: all)
    test_size: int | None = None         # test on N rows of the test split (None: all)
    subset: str = "balanced"             # how --train-size/--test-size pick rows: first | balanced | random
    val_fraction: float = 0.0            # share of (the subset of) train carved out for validation, stratified
    split_seed: int | None = None        # seeds subsets and the validation split (None: seed)
    early_stopping: int | None = None    # patience in epochs on validation perplexity; restores the best epoch
    eval_train: bool = False             # also evaluate the training rows after every epoch (train_eval_*)
    eval_batch_size: int = 512           # rows per batch when evaluating (results do not depend on it)
    summary: bool = False                # print the parameter table per layer before training
    plot: bool = False                   # write OUT/curves.png (loss and perplexity per epoch)
    save_model: bool = True              # write OUT/model.pt and OUT/checkpoint.pt (sweeps turn it off)
    text_column: str = "text"            # table files: column (JSON key) with the text
    label_column: str = "label"          # table files: column (JSON key) with the class label
    test_file: str | None = None         # table files: a second table holding the test split
    test_fraction: float | None = None   # hold out this fraction of train as the test split (stratified)
    resume: str | None = None            # continue the run whose checkpoint.pt is in this folder

    def __post_init__(self):
        if self.vocab_size is None:
            self.vocab_size = default_vocab_size(self.ngrams)


def prepare_output(out: str) -> Path:
    """Create ``out`` and check that it is writable, before any long work.

    Raises:
        FastbowError: the folder cannot be created or written.
    """
    if not str(out).strip():
        raise FastbowError("--out is empty; pass the folder for the run's files, e.g. --out runs/a")
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with atomic_write(path / ".write-test") as f:
            f.write(b"ok")
        (path / ".write-test").unlink()
    except OSError as e:
        raise FastbowError(f"output directory {out} is not writable ({e.strerror}); pass another --out") from None
    return path


RUN_FILES = ("metrics.json", "model.pt", "vocab.json", CHECKPOINT, "curves.png")


def clear_previous_run(out: Path) -> None:
    """Delete the files of an earlier run in ``out`` (:data:`RUN_FILES`) before a fresh run writes there.

    Without this, a new run interrupted early would leave its checkpoint and metrics beside
    the old run's model and vocabulary: a folder whose files disagree.
    """
    old = [out / name for name in RUN_FILES if (out / name).exists()]
    if old:
        log.info("replacing the previous run in %s (%s)", out, ", ".join(p.name for p in old))
        for p in old:
            p.unlink()


def validate_config(cfg: TrainConfig) -> None:
    """Check every numeric and named setting before any slow work.

    Raises:
        FastbowError: the first bad setting, in PyTorch's message shape
            ("batch_size should be a positive integer value, but got batch_size=0").
    """
    for name in ("epochs", "batch_size", "hidden", "logits", "vocab_size", "eval_batch_size"):
        value = getattr(cfg, name)
        if name == "logits" and value is None:
            continue  # automatic: resolve_logits once the classes are known
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise FastbowError(f"{name} should be a positive integer value, but got {name}={value!r}")
    make_optimizer(cfg.optimizer, [torch.zeros(1, requires_grad=True)], cfg.lr)  # validates name and lr
    get_tokenizer(cfg.tokenizer)
    if cfg.backend not in BACKENDS:
        raise FastbowError(f"unknown backend {cfg.backend!r}; choose one of: {', '.join(BACKENDS)}")
    check_subset_args(cfg.train_size, cfg.test_size, cfg.subset, cfg.val_fraction)
    if cfg.early_stopping is not None:
        EarlyStopping(cfg.early_stopping)  # validates the patience
        if not cfg.val_fraction:
            raise FastbowError("early_stopping needs a validation split (it never looks at the test set); "
                               "pass --val-fraction 0.1")
    data_options(cfg).validate()
    if cfg.input not in INPUTS + ("auto",):
        raise FastbowError(f"unknown input {cfg.input!r}; choose one of: {', '.join(INPUTS + ('auto',))}")
    validate_features(cfg)
    if cfg.input == "sparse" and cfg.backend != "auto":
        raise FastbowError("--backend chooses the scatter kernel of --input dense; --input sparse gathers ids "
                           "with its own kernel; drop --backend")


def data_options(cfg: TrainConfig) -> DataOptions:
    """The :class:`fastbow.data.dataset.DataOptions` of ``cfg`` (table columns, test split)."""
    return DataOptions(cfg.text_column, cfg.label_column, cfg.test_file, cfg.test_fraction)


def _format_epoch(e: dict, epochs: int) -> str:
    t, pct = e["time_s"], percentages(e["time_s"])
    split = " ".join(f"{k} {t[k]:.2f}s ({pct[k]:.0f}%)" for k in PHASES)
    val = (f"val loss {e['val_loss']:.4f} acc {100 * e['val_accuracy']:.2f}% ppl {e['val_perplexity']:.4f} | "
           if "val_loss" in e else "")
    return (f"epoch {e['epoch']}/{epochs} | train loss {e['train_loss']:.4f} acc {100 * e['train_accuracy']:.2f}% | "
            f"{val}test loss {e['test_loss']:.4f} acc {100 * e['test_accuracy']:.2f}% ppl {e['test_perplexity']:.4f} | "
            f"{t['total']:.2f}s: {split}")


def _prefixed(prefix: str, m: dict) -> dict:
    return {f"{prefix}_{k}": m[k] for k in ("loss", "accuracy", "perplexity")}


def run(cfg: TrainConfig) -> dict:
    """Train and evaluate as configured; returns the ``metrics.json`` content.

    With ``cfg.resume`` set, the run continues from that folder's checkpoint; every setting
    outside :data:`fastbow.training.resume.RESUMABLE` must equal the saved one.

    Raises:
        FastbowError / DataError: bad configuration or data (one-line messages).
        FloatingPointError: training diverged (non-finite loss); the message names the step and lr.
        fastbow.training.interrupts.Interrupted (a KeyboardInterrupt): Ctrl-C/SIGTERM; a checkpoint was saved.
    """
    validate_config(cfg)
    state = None
    if cfg.resume is not None:
        state = load_checkpoint(cfg.resume)
        resuming.check_config(dataclasses.asdict(cfg), state["config"])
        if state["epoch"] >= cfg.epochs:
            log.info("%s already has %d epochs; pass --epochs N (> %d) to train further",
                     cfg.resume, state["epoch"], state["epoch"])
            return state["metrics"]
    created = not Path(cfg.out).exists()
    out = prepare_output(cfg.out)
    try:
        device = resolve_device(cfg.device)
        data_path = resolve_data_path(cfg.data)
        data = prepare(data_path, cfg.tokenizer, cfg.vocab_size, use_cache=cfg.cache, options=data_options(cfg),
                       ngram=ngram_options(cfg))
        log.info("data ready in %.2f s (%s): train %d docs, test %d docs, V+1 = %d features, CSR %.1f MB",
                 data.seconds, "cache hit" if data.cache_hit else "built", data.train.n_docs, data.test.n_docs,
                 data.train.n_features, (data.train.nbytes() + data.test.nbytes()) / 1e6)
        return run_prepared(cfg, data, data_path=data_path, out=out, device=device, state=state)
    except BaseException:
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # a run that failed before writing anything leaves no empty folder behind
        raise


def run_prepared(cfg: TrainConfig, data: Prepared, *, data_path=None, out: Path | None = None,
                 device: torch.device | None = None, state: dict | None = None) -> dict:
    """Train a freshly initialized model (seeded by ``cfg.seed``) on already prepared data.

    What :func:`run` does after :func:`fastbow.data.prepare.prepare`; :mod:`fastbow.sweep` calls it once
    per point with the same ``data``, so nothing is read or tokenized again. ``cfg.data``,
    ``cfg.tokenizer``, ``cfg.vocab_size`` and ``cfg.cache`` are not used here (``data`` is).
    ``state`` is a loaded checkpoint to continue from (``--resume``).

    Raises:
        FastbowError: bad configuration or subset sizes (one-line messages).
        FloatingPointError: training diverged (non-finite loss).
        fastbow.training.interrupts.Interrupted: Ctrl-C/SIGTERM; a checkpoint was saved.
    """
    if out is None:
        validate_config(cfg)
        out = prepare_output(cfg.out)
    device = device if device is not None else resolve_device(cfg.device)
    seed = cfg.seed if cfg.split_seed is None else cfg.split_seed
    parts = make_splits(data.train, data.test, data.classes, train_size=cfg.train_size, test_size=cfg.test_size,
                        subset=cfg.subset, val_fraction=cfg.val_fraction, seed=seed)
    log.info("train %s | val %s | test %s", describe(parts.train, data.classes),
             describe(parts.val, data.classes) if parts.val is not None else "none", describe(parts.test, data.classes))
    parts = apply_weighting(cfg.weighting, parts, len(data.classes))  # fitted on parts.train only
    input_kind = resolve_input(cfg.input, data.train.n_features)
    if input_kind != cfg.input:
        log.info("--input auto: %s path for %d features", input_kind, data.train.n_features)
        if input_kind == "sparse" and cfg.backend != "auto":
            log.warning("warning: --backend %s is not used: the sparse path gathers ids with its own kernel", cfg.backend)

    n_logits = resolve_logits(cfg.logits, data.classes)
    torch.manual_seed(cfg.seed)
    model = OneHotMLP(data.train.n_features, cfg.hidden, n_logits).to(device)
    if input_kind == "sparse":  # same initial weights as the dense model (fastbow/sparse.py)
        model = SparseBagMLP.from_dense(model, sparse_grad=supports_sparse_grad(cfg.optimizer))
    model.input_dropout = cfg.dropout
    if cfg.summary:
        log.info("parameters of %s:\n%s", type(model).__name__, format_parameter_table(model))
    optimizer = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)
    for group in optimizer.param_groups:
        group["weight_decay"] = cfg.weight_decay  # L2 term added to the gradient by Adam and SGD
    train_sampler = RowBatchSampler(parts.train.n_docs, cfg.batch_size, shuffle=cfg.shuffle, seed=cfg.seed)
    Loader = SparseBatchLoader if input_kind == "sparse" else DeviceBatchLoader
    train_loader = Loader(parts.train, train_sampler, device, cfg.backend)

    def eval_loader(csr):
        sampler = RowBatchSampler(csr.n_docs, min(cfg.eval_batch_size, csr.n_docs), shuffle=False)
        return Loader(csr, sampler, device, train_loader.backend)

    test_loader = eval_loader(parts.test)
    val_loader = eval_loader(parts.val) if parts.val is not None else None
    train_eval_loader = eval_loader(parts.train) if cfg.eval_train else None
    stopper = EarlyStopping(cfg.early_stopping) if cfg.early_stopping is not None else None

    run_config = dataclasses.asdict(cfg) | {  # saved for --resume, which may start in another folder
        "data": str(Path(data_path).resolve()) if data_path is not None else cfg.data, "resume": None,
        "test_file": str(Path(cfg.test_file).resolve()) if cfg.test_file is not None else None}
    start_epoch, start_batch, partial = 1, 0, None
    if state is None:
        if cfg.save_model:
            clear_previous_run(out)
        if cfg.optimizer == "sgd" and cfg.lr < 1e-3:
            log.warning("warning: --lr %g is tiny for plain SGD (the default lr suits Adam); "
                        "the notebook used --lr 0.01", cfg.lr)
        init_loss = check_initial_loss(model, test_loader)
        log.info("device %s, kernel %s; initial test loss %.4f (ln C = %.4f)", device, train_loader.backend,
                 init_loss, math.log(max(n_logits, 2)))
        config = run_config | {"logits": n_logits, "device": str(device), "backend": train_loader.backend,
                               "classes": list(data.classes), "n_features": data.train.n_features,
                               "input_used": input_kind}
        result = {"config": config, "rows": {name: part.n_docs for name, part in parts._asdict().items()
                                             if part is not None}, "epochs": []}
    else:
        resuming.check_same_data(state, data.vocab, data.classes, data.train.n_features)
        start_epoch, start_batch, partial, result = resuming.restore(state, model, optimizer, device)
        run_config = state["config"] | {k: run_config[k] for k in resuming.RESUMABLE}
        result.setdefault("resumed", []).append({"epoch": start_epoch, "batch": start_batch})
        result["config"]["epochs"] = cfg.epochs
        log.info("resumed %s at epoch %d, batch %d of %d; device %s, kernel %s", cfg.resume, start_epoch,
                 start_batch, len(train_loader), device, train_loader.backend)

    if state is not None and stopper is not None and state.get("early_stopping") is not None:
        stopper.load_state_dict(state["early_stopping"])  # best epoch, its weights and the patience count

    def checkpoint(epoch, batch, partial_metrics):
        if cfg.save_model:
            st = resuming.training_state(
                model=model, optimizer=optimizer, epoch=epoch, batch=batch, partial=partial_metrics, seed=cfg.seed,
                shuffle=cfg.shuffle, batch_size=cfg.batch_size, vocab=data.vocab, classes=data.classes,
                hidden=cfg.hidden, result=result, config=run_config)
            st["early_stopping"] = stopper.state_dict() if stopper is not None else None
            save_checkpoint(out / CHECKPOINT, st)

    with StopRequest() as stop:
        for epoch in range(start_epoch, cfg.epochs + 1):
            train_sampler.set_epoch(epoch)
            try:
                train_m, seconds = train_epoch(model, train_loader, optimizer, progress=cfg.progress,
                                               desc=f"epoch {epoch}/{cfg.epochs}", start_batch=start_batch,
                                               metrics=partial, stop=stop)
            except Interrupted as e:
                checkpoint(epoch - 1, e.batch, e.metrics)
                log.warning("interrupted in epoch %d after batch %d of %d; saved %s; continue with: "
                            "python -m fastbow.train --resume %s", epoch, e.batch, len(train_loader),
                            out / CHECKPOINT, out)
                raise
            except Diverged as e:
                raise FloatingPointError(_diverged_message(e, epoch, cfg.lr)) from None
            start_batch, partial = 0, None
            t0 = time.perf_counter()
            test_m = evaluate(model, test_loader)
            if not math.isfinite(test_m["loss"]):
                raise FloatingPointError(f"training diverged: the test loss became {test_m['loss']} after epoch "
                                         f"{epoch} with lr={cfg.lr:g}; lower --lr and train again")
            entry = {"epoch": epoch, "train_loss": train_m["loss"], "train_accuracy": train_m["accuracy"],
                     "test_loss": test_m["loss"], "test_accuracy": test_m["accuracy"],
                     "test_perplexity": test_m["perplexity"], "time_s": seconds,
                     "train_perplexity": train_m["perplexity"]}
            if val_loader is not None:
                entry |= _prefixed("val", evaluate(model, val_loader))
            if train_eval_loader is not None:
                entry |= _prefixed("train_eval", evaluate(model, train_eval_loader))
            entry["eval_s"] = time.perf_counter() - t0
            result["epochs"].append(entry)
            log.info(_format_epoch(entry, cfg.epochs))
            if stopper is not None:
                stopper.step(entry["val_perplexity"], epoch, model)
                result["best_epoch"] = stopper.best_epoch
            write_json(out / "metrics.json", result)
            checkpoint(epoch, 0, None)
            if stopper is not None and stopper.should_stop:
                log.info("early stopping after epoch %d: validation perplexity has not improved for %d epochs",
                         epoch, cfg.early_stopping)
                result["stopped_epoch"] = epoch
                break
            if stop() and epoch < cfg.epochs:
                log.warning("interrupted after epoch %d; saved %s; continue with: python -m fastbow.train --resume %s",
                            epoch, out / CHECKPOINT, out)
                raise Interrupted(0, None)
    _finish(cfg, result, model, stopper, out, data.vocab)
    if stopper is not None:  # the checkpoint then holds the restored best weights, which predict uses
        checkpoint(result["epochs"][-1]["epoch"], 0, None)
    return result


def _diverged_message(e: Diverged, epoch: int, lr: float) -> str:
    """One line naming the step (global, and within the epoch) and the learning rate."""
    where = (f"step {(epoch - 1) * e.n_batches + e.batch} (epoch {epoch}, batch {e.batch} of {e.n_batches})"
             if e.batch is not None else f"epoch {epoch}")
    return (f"training diverged: the loss became {e.loss} at {where} with lr={lr:g}; "
            f"lower --lr (e.g. --lr {lr / 10:g}) and train again")


def _finish(cfg: TrainConfig, result: dict, model, stopper, out: Path, vocab) -> None:
    """After the last epoch: restore the best epoch, report the turn, write plot, metrics, model and vocabulary."""
    epochs = result["epochs"]
    if stopper is not None:
        best = stopper.restore(model)
        result["best_epoch"] = best
        result["best"] = next(e for e in epochs if e["epoch"] == best)
        b = result["best"]
        log.info("restored epoch %d (lowest validation perplexity %.4f): test accuracy %.2f%%, perplexity %.4f",
                 best, b["val_perplexity"], 100 * b["test_accuracy"], b["test_perplexity"])
    result["turn"] = {k: turn_epoch([e[k] for e in epochs]) for k in ("test_perplexity", "val_perplexity")
                      if k in epochs[0]}
    turn = result["turn"]["test_perplexity"]
    if turn is not None:
        low, last = epochs[turn - 1], epochs[-1]
        train_key = "train_eval_perplexity" if "train_eval_perplexity" in last else "train_perplexity"
        log.info("overfitting: test perplexity is lowest at epoch %d (%.4f) and rises to %.4f by epoch %d, "
                 "while train perplexity goes %.4f -> %.4f", turn, low["test_perplexity"], last["test_perplexity"],
                 last["epoch"], low[train_key], last[train_key])
    if result["turn"].get("val_perplexity") is not None:
        log.info("validation perplexity is lowest at epoch %d", result["turn"]["val_perplexity"])
    written = [out / "metrics.json"]
    if cfg.plot:
        from fastbow.reporting.plots import (
            plot_curves,  # matplotlib loads only when a plot is asked for
        )

        plot_curves(epochs, out / "curves.png", best_epoch=result.get("best_epoch"),
                    title=f"{result['rows']['train']} training rows, {cfg.optimizer} lr {cfg.lr:g}, batch {cfg.batch_size}")
        written.append(out / "curves.png")
    write_json(out / "metrics.json", result)
    if cfg.save_model:
        with atomic_write(out / "model.pt") as f:
            torch.save(dense_state_dict(model), f)  # OneHotMLP layout for either --input
        written.append(out / "model.pt")
    vocab.save(out / "vocab.json")  # written with the model, so the two always match
    written.append(out / "vocab.json")
    if cfg.save_model:
        written.append(out / CHECKPOINT)
    log.info("wrote %s", ", ".join(map(str, written)))


