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
from pathlib import Path

import numpy as np
import torch

import fastbow.training.distributed as distributed
import fastbow.training.resume as resuming
from fastbow.atomic import atomic_write, write_json
from fastbow.data.datapath import resolve_data_path
from fastbow.data.dataset import DataOptions
from fastbow.data.features import apply_weighting, ngram_options, validate_features
from fastbow.data.prepare import Prepared, prepare
from fastbow.data.subsets import check_subset_args, describe, make_splits
from fastbow.data.tokenize import get_tokenizer
from fastbow.errors import FastbowError
from fastbow.evaluation.report import format_report
from fastbow.evaluation.scoring import classification_blocks
from fastbow.kernels import BACKENDS
from fastbow.models.embedding_bag import (
    INPUTS,
    SparseBagMLP,
    dense_state_dict,
    supports_sparse_grad,
)
from fastbow.models.head import resolve_logits
from fastbow.models.mlp import OneHotMLP
from fastbow.reporting.summary import format_parameter_table
from fastbow.training.checkpoint import CHECKPOINT, load_checkpoint, save_checkpoint
from fastbow.training.class_weight import check_class_weight, class_weight_tensor
from fastbow.training.config import TrainConfig  # noqa: F401  (re-exported: defined without torch for the CLI parser)
from fastbow.training.device import resolve_device
from fastbow.training.early_stopping import EarlyStopping, turn_epoch
from fastbow.training.epoch import (
    check_initial_loss,
    evaluate,
    make_optimizer,
    train_epoch,
)
from fastbow.training.fused import resolve_input
from fastbow.training.interrupts import Diverged, Interrupted, StopRequest
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.outdir import OutLock, check_unfinished
from fastbow.training.sampler import RowBatchSampler
from fastbow.training.small_data import after_training_note, small_data_advice
from fastbow.training.sparse_loader import SparseBatchLoader
from fastbow.training.timing import PHASES, percentages

log = logging.getLogger("fastbow")
INITIAL_LOSS_ROWS = 256  # rows of the initial-loss check: one batch, evenly spaced over the test split


def probe_rows(csr):
    """Up to :data:`INITIAL_LOSS_ROWS` rows of ``csr`` evenly spaced over it (both classes of a label-sorted
    split), as a new CSR: the initial-loss check's one batch. Four dense batches of 512 test rows took
    0.9-1.3 s there before (issue 9, item 5); 256 rows give ln(C) within the check's 25 % tolerance."""
    n = csr.n_docs
    return csr.subset(np.unique(np.linspace(0, n - 1, min(n, INITIAL_LOSS_ROWS)).astype(np.int64)))

def prepare_output(out: str) -> Path:
    """Create ``out`` and check that it is writable, before any long work.

    Raises:
        FastbowError: the folder cannot be created or written.
    """
    if not str(out).strip():
        raise FastbowError("--out is empty; pass the folder for the run's files, e.g. --out runs/a")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise FastbowError(f"--out {out} is a file, not a folder; pass a folder for the run's files, e.g. --out runs/a")
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
    check_class_weight(cfg.class_weight)
    if cfg.input not in INPUTS:
        raise FastbowError(f"unknown input {cfg.input!r}; choose one of: {', '.join(INPUTS)}")
    validate_features(cfg)
    if cfg.input in ("sparse", "fused") and cfg.backend != "auto":
        raise FastbowError(f"--backend chooses the scatter kernel of --input dense; --input {cfg.input} gathers ids "
                           "with its own kernel; drop --backend, or pass --input dense")


def data_options(cfg: TrainConfig) -> DataOptions:
    """The :class:`fastbow.data.dataset.DataOptions` of ``cfg`` (table columns, test split)."""
    return DataOptions(cfg.text_column, cfg.label_column, cfg.test_file, cfg.test_fraction, cfg.delimiter,
                       cfg.encoding, cfg.quoting, cfg.test_text_column, cfg.test_label_column)


def _format_epoch(e: dict, epochs: int) -> str:
    t, pct = e["time_s"], percentages(e["time_s"])
    split = " ".join(f"{k} {t[k]:.2f}s ({pct[k]:.0f}%)" for k in PHASES)
    val = (f"val loss {e['val_loss']:.4f} acc {100 * e['val_accuracy']:.2f}% ppl {e['val_perplexity']:.4f} | "
           if "val_loss" in e else "")
    return (f"epoch {e['epoch']}/{epochs} | train loss {e['train_loss']:.4f} acc {100 * e['train_accuracy']:.2f}% | "
            f"{val}" + (f"test loss {e['test_loss']:.4f} acc {100 * e['test_accuracy']:.2f}% "
                        f"ppl {e['test_perplexity']:.4f} | " if "test_loss" in e else "") +
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
    env = distributed.from_env()  # torchrun: run again inside a process group (fastbow/training/distributed.py)
    if env is not None and not distributed.active():
        distributed.check_config(cfg)
        return distributed.run_in_group(env, distributed.local_device(resolve_device(cfg.device), env), run, cfg)
    state = None
    if cfg.resume is not None:
        state = load_checkpoint(cfg.resume)
        resuming.check_config(dataclasses.asdict(cfg), state["config"])
        if state["epoch"] >= cfg.epochs:
            log.info("%s already has %d epochs; pass --epochs N (> %d) to train further",
                     cfg.resume, state["epoch"], state["epoch"])
            return state["metrics"]
    created = distributed.is_main() and not Path(cfg.out).exists()
    out = prepare_output(cfg.out) if distributed.is_main() else Path(cfg.out)
    lock = OutLock(out).acquire() if distributed.is_main() else None  # one run per folder (training/outdir.py)
    try:
        if distributed.is_main() and (cfg.resume is None or Path(cfg.resume).resolve() != out.resolve()):
            check_unfinished(out, cfg.overwrite)
        device = resolve_device(cfg.device)
        if env is not None:
            device = distributed.local_device(device, env)
        data_path = resolve_data_path(cfg.data)
        data = distributed.prepare_once(prepare, data_path, cfg.tokenizer, cfg.vocab_size, use_cache=cfg.cache,
                                        options=data_options(cfg), ngram=ngram_options(cfg))
        log.info("data ready in %.2f s (%s): train %d docs, test %d docs, V+1 = %d features, CSR %.1f MB",
                 data.seconds, "cache hit" if data.cache_hit else "built", data.train.n_docs, data.test.n_docs,
                 data.train.n_features, (data.train.nbytes() + data.test.nbytes()) / 1e6)
        return run_prepared(cfg, data, data_path=data_path, out=out, device=device, state=state)
    except BaseException:
        if lock is not None:
            lock.release()
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # a run that failed before writing anything leaves no empty folder behind
        raise
    finally:
        if lock is not None:
            lock.release()


def run_prepared(cfg: TrainConfig, data: Prepared, *, data_path=None, out: Path | None = None,
                 device: torch.device | None = None, state: dict | None = None, trained: dict | None = None) -> dict:
    """Train a freshly initialized model (seeded by ``cfg.seed``) on already prepared data.

    What :func:`run` does after :func:`fastbow.data.prepare.prepare`; :mod:`fastbow.sweep` calls it once
    per point with the same ``data``, so nothing is read or tokenized again. ``cfg.data``,
    ``cfg.tokenizer``, ``cfg.vocab_size`` and ``cfg.cache`` are not used here (``data`` is).
    ``state`` is a loaded checkpoint to continue from (``--resume``).

    In memory (:class:`fastbow.BowClassifier`): with ``cfg.out=None`` and ``out=None`` nothing is written
    (``cfg.save_model`` must then be False); a ``trained`` dict receives the trained ``model`` (best epoch
    restored), its ``optimizer`` and the run's ``config``. A test split of 0 rows is not evaluated (no
    ``test_*`` keys in the epochs).

    Raises:
        FastbowError: bad configuration or subset sizes (one-line messages).
        FloatingPointError: training diverged (non-finite loss).
        fastbow.training.interrupts.Interrupted: Ctrl-C/SIGTERM; a checkpoint was saved.
    """
    if out is None:
        validate_config(cfg)
        out = prepare_output(cfg.out) if cfg.out is not None else None
        if out is None and cfg.save_model:
            raise FastbowError("a run in memory (out=None) writes no files; pass save_model=False, or an output folder")
    device = device if device is not None else resolve_device(cfg.device)
    seed = cfg.seed if cfg.split_seed is None else cfg.split_seed
    parts = make_splits(data.train, data.test, data.classes, train_size=cfg.train_size, test_size=cfg.test_size,
                        subset=cfg.subset, val_fraction=cfg.val_fraction, seed=seed)
    log.info("train %s | val %s | test %s", describe(parts.train, data.classes),
             describe(parts.val, data.classes) if parts.val is not None else "none", describe(parts.test, data.classes))
    parts = apply_weighting(cfg.weighting, parts, len(data.classes))  # fitted on parts.train only

    n_logits = resolve_logits(cfg.logits, data.classes)
    class_weight = class_weight_tensor(cfg.class_weight, parts.train.labels, len(data.classes), device)  # (C,) | None
    if class_weight is not None:
        log.info("class weights (balanced, n / (C * count)): %s",
                 ", ".join(f"{c} {w:.4f}" for c, w in zip(data.classes, class_weight.tolist())))
    torch.manual_seed(cfg.seed)
    # what the fused kernels do not compute: --input auto then takes the autograd sparse path
    unsupported = next((flag for flag, on in (
        ("--class-weight", class_weight is not None), ("--weighting " + cfg.weighting, parts.train.data is not None),
        ("--dropout", cfg.dropout > 0), ("--weight-decay", cfg.weight_decay > 0), ("torchrun", distributed.active()))
        if on), None)
    path = resolve_input(cfg.input, device, cfg.backend, unsupported=unsupported,
                         n_features=data.train.n_features)  # "fused" | "sparse" | "dense"
    if cfg.input == "auto":
        log.info("--input auto: the %s path on %s for %d features%s", path, device.type, data.train.n_features,
                 f" ({unsupported} needs autograd)" if unsupported and path == "sparse" else "")
    model = OneHotMLP(data.train.n_features, cfg.hidden, n_logits).to(device)
    if path != "dense":  # same initial weights as the dense model
        model = SparseBagMLP.from_dense(model, sparse_grad=path == "sparse" and supports_sparse_grad(cfg.optimizer)
                                        and distributed.sparse_grad_ok())
    model.input_dropout = cfg.dropout
    if cfg.summary:
        shown = model.to_dense() if isinstance(model, SparseBagMLP) else model  # model.pt's layout, either path
        log.info("parameters of %s:\n%s", type(shown).__name__, format_parameter_table(shown))
    # fused: given the model, make_optimizer returns fastbow/training/fused.py's optimizer (Numba forward/backward/update)
    optimizer = make_optimizer(cfg.optimizer, model if path == "fused" else model.parameters(), cfg.lr)
    if path != "fused":
        for group in optimizer.param_groups:
            group["weight_decay"] = cfg.weight_decay  # L2 term added to the gradient by Adam and SGD
    train_sampler = distributed.batch_sampler(parts.train.n_docs, cfg.batch_size, shuffle=cfg.shuffle, seed=cfg.seed)
    train_model = distributed.wrap(model, train_sampler, device)  # DDP under torchrun, else model
    Loader = DeviceBatchLoader if path == "dense" else SparseBatchLoader
    train_loader = Loader(parts.train, train_sampler, device, cfg.backend)

    def eval_loader(csr):
        sampler = distributed.batch_sampler(csr.n_docs, min(cfg.eval_batch_size, csr.n_docs), shuffle=False)
        return Loader(csr, sampler, device, train_loader.backend)

    test_loader = eval_loader(parts.test) if parts.test.n_docs else None
    val_loader = eval_loader(parts.val) if parts.val is not None else None
    train_eval_loader = eval_loader(parts.train) if cfg.eval_train else None
    stopper = EarlyStopping(cfg.early_stopping) if cfg.early_stopping is not None else None

    run_config = dataclasses.asdict(cfg) | {  # saved for --resume, which may start in another folder
        "data": str(Path(data_path).resolve()) if data_path is not None else cfg.data, "resume": None,
        "test_file": str(Path(cfg.test_file).resolve()) if cfg.test_file is not None else None}
    start_epoch, start_batch, partial = 1, 0, None
    if state is None:
        if cfg.save_model and distributed.is_main():
            clear_previous_run(out)
        advice = small_data_advice(parts.train.n_docs, cfg.batch_size, cfg.epochs, cfg.lr, cfg.optimizer)
        if advice is not None:
            log.warning("warning: %s", advice)
        if cfg.optimizer == "sgd" and cfg.lr < 1e-3:
            log.warning("warning: --lr %g is tiny for plain SGD (the default lr suits Adam); "
                        "the notebook used --lr 0.01", cfg.lr)
        probe_split = next(p for p in (parts.test, parts.val, parts.train) if p is not None and p.n_docs)
        init_loss = check_initial_loss(model, eval_loader(probe_rows(probe_split)), max_batches=1)
        log.info("device %s, input %s, kernel %s; initial %s loss %.4f (ln C = %.4f)", device, path,
                 train_loader.backend,
                 "test" if probe_split is parts.test else "validation" if probe_split is parts.val else "training",
                 init_loss, math.log(max(n_logits, 2)))
        config = run_config | {"logits": n_logits, "device": str(device), "backend": train_loader.backend,
                               "input_path": path,
                               "classes": list(data.classes), "n_features": data.train.n_features,
                               "processes": distributed.world_size()}
        result = {"config": config, "rows": {name: part.n_docs for name, part in parts._asdict().items()
                                             if part is not None}, "epochs": []}
        if class_weight is not None:
            result["class_weights"] = dict(zip(data.classes, class_weight.tolist()))
    else:
        resuming.check_same_data(state, data.vocab, data.classes, data.train.n_features)
        saved_path = state["metrics"]["config"].get("input_path", path)
        if saved_path != path:
            raise FastbowError(f"the checkpoint was trained on the {saved_path} path and --input {cfg.input} on "
                               f"{device} is the {path} path; resume on the device it was trained on")
        start_epoch, start_batch, partial, result = resuming.restore(state, model, optimizer, device)
        partial = partial if distributed.is_main() else None  # the saved sums are all ranks' together
        run_config = state["config"] | {k: run_config[k] for k in resuming.RESUMABLE}
        result.setdefault("resumed", []).append({"epoch": start_epoch, "batch": start_batch})
        result["config"]["epochs"] = cfg.epochs
        log.info("resumed %s at epoch %d, batch %d of %d; device %s, kernel %s", cfg.resume, start_epoch,
                 start_batch, len(train_loader), device, train_loader.backend)

    if state is not None and stopper is not None and state.get("early_stopping") is not None:
        stopper.load_state_dict(state["early_stopping"])  # best epoch, its weights and the patience count

    def checkpoint(epoch, batch, partial_metrics):
        if cfg.save_model and distributed.is_main():
            st = resuming.training_state(
                model=model, optimizer=optimizer, epoch=epoch, batch=batch, partial=partial_metrics, seed=cfg.seed,
                shuffle=cfg.shuffle, batch_size=cfg.batch_size, vocab=data.vocab, classes=data.classes,
                hidden=cfg.hidden, result=result, config=run_config)
            st["early_stopping"] = stopper.state_dict() if stopper is not None else None
            save_checkpoint(out / CHECKPOINT, st)

    with StopRequest() as stop:
        stop = distributed.agreed(stop)  # every rank stops after the same batch
        for epoch in range(start_epoch, cfg.epochs + 1):
            train_sampler.set_epoch(epoch)
            try:
                train_m, seconds = train_epoch(train_model, train_loader, optimizer, progress=cfg.progress and distributed.is_main(),
                                               desc=f"epoch {epoch}/{cfg.epochs}", start_batch=start_batch,
                                               metrics=partial, stop=stop, class_weight=class_weight)
            except Interrupted as e:
                checkpoint(epoch - 1, e.batch, distributed.all_reduce_metrics(e.metrics))
                log.warning("interrupted in epoch %d after batch %d of %d; saved %s; continue with: "
                            "python -m fastbow.train --resume %s", epoch, e.batch, len(train_loader),
                            out / CHECKPOINT, out)
                raise
            except Diverged as e:
                raise FloatingPointError(_diverged_message(e, epoch, cfg.lr)) from None
            start_batch, partial = 0, None
            train_m = distributed.reduce_result(train_m)  # the whole split's sums, from every rank
            t0 = time.perf_counter()
            test_m = distributed.reduce_result(evaluate(model, test_loader)) if test_loader is not None else {"loss": 0.0}
            if not math.isfinite(test_m["loss"]):
                raise FloatingPointError(f"training diverged: the test loss became {test_m['loss']} after epoch "
                                         f"{epoch} with lr={cfg.lr:g}; lower --lr and train again")
            entry = {"epoch": epoch, "train_loss": train_m["loss"], "train_accuracy": train_m["accuracy"]}
            if test_loader is not None:
                entry |= _prefixed("test", test_m)
            entry |= {"time_s": seconds, "train_perplexity": train_m["perplexity"]}
            if val_loader is not None:
                entry |= _prefixed("val", distributed.reduce_result(evaluate(model, val_loader)))
            if train_eval_loader is not None:
                entry |= _prefixed("train_eval", distributed.reduce_result(evaluate(model, train_eval_loader)))
            entry["eval_s"] = time.perf_counter() - t0
            result["epochs"].append(entry)
            log.info(_format_epoch(entry, cfg.epochs))
            if stopper is not None:
                stopper.step(entry["val_perplexity"], epoch, model)
                result["best_epoch"] = stopper.best_epoch
            if out is not None and distributed.is_main():
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
    note = after_training_note(result["epochs"], len(data.classes), len(train_loader) * len(result["epochs"]))
    if note is not None:
        log.warning("note: %s", note)
        result["note"] = note
    if distributed.is_main():

        def whole(csr):  # the report needs every row, not this rank's shard
            if csr is None or not csr.n_docs:
                return None
            sampler = RowBatchSampler(csr.n_docs, min(cfg.eval_batch_size, csr.n_docs), shuffle=False)
            return Loader(csr, sampler, device, train_loader.backend)

        _finish(cfg, result, model, stopper, out, data.vocab, report=lambda m: classification_blocks(
            m, {"test": whole(parts.test), "val": whole(parts.val)}, data.classes))
    if trained is not None:
        trained.update(model=model, optimizer=optimizer, config=run_config)
    if stopper is not None:  # the checkpoint then holds the restored best weights, which predict uses
        checkpoint(result["epochs"][-1]["epoch"], 0, None)
    return result


def _diverged_message(e: Diverged, epoch: int, lr: float) -> str:
    """One line naming the step (global, and within the epoch) and the learning rate."""
    where = (f"step {(epoch - 1) * e.n_batches + e.batch} (epoch {epoch}, batch {e.batch} of {e.n_batches})"
             if e.batch is not None else f"epoch {epoch}")
    return (f"training diverged: the loss became {e.loss} at {where} with lr={lr:g}; "
            f"lower --lr (e.g. --lr {lr / 10:g}) and train again")


def _finish(cfg: TrainConfig, result: dict, model, stopper, out: Path, vocab, report=None) -> None:
    """After the last epoch: restore the best epoch, add ``report(model)`` (per-class metrics) as
    ``result["classification"]``, report the turn, write plot, metrics, model and vocabulary."""
    epochs = result["epochs"]
    if stopper is not None:
        best = stopper.restore(model)
        result["best_epoch"] = best
        result["best"] = next(e for e in epochs if e["epoch"] == best)
        b = result["best"]
        log.info("restored epoch %d (lowest validation perplexity %.4f)%s", best, b["val_perplexity"],
                 f": test accuracy {100 * b['test_accuracy']:.2f}%, perplexity {b['test_perplexity']:.4f}"
                 if "test_accuracy" in b else "")
    if report is not None:  # per-class precision/recall/F1 and confusion matrix of the final model
        result["classification"] = report(model)
        if "test" in result["classification"]:
            log.info("test set, per class:\n%s", format_report(result["classification"]["test"]))
    result["turn"] = {k: turn_epoch([e[k] for e in epochs]) for k in ("test_perplexity", "val_perplexity")
                      if k in epochs[0]}
    turn = result["turn"].get("test_perplexity")
    if turn is not None:
        low, last = epochs[turn - 1], epochs[-1]
        train_key = "train_eval_perplexity" if "train_eval_perplexity" in last else "train_perplexity"
        log.info("overfitting: test perplexity is lowest at epoch %d (%.4f) and rises to %.4f by epoch %d, "
                 "while train perplexity goes %.4f -> %.4f", turn, low["test_perplexity"], last["test_perplexity"],
                 last["epoch"], low[train_key], last[train_key])
    if result["turn"].get("val_perplexity") is not None:
        log.info("validation perplexity is lowest at epoch %d", result["turn"]["val_perplexity"])
    if out is None:
        return  # in memory (fastbow.BowClassifier): nothing to write
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


