"""Train the multi-hot MLP on IMDB: ``python -m fastbow.train``.

Examples::

    python -m fastbow.train --data ../shared/data/aclImdb_v1.tar.gz --out runs/a
    python -m fastbow.train --optimizer sgd --lr 0.01 --epochs 5 --tokenizer whitespace   # the notebook
    python -m fastbow.train --train-size 1000 --val-fraction 0.2 --epochs 40 --eval-train --plot   # VI.4
    python -m fastbow.train --data reviews.csv --test-fraction 0.2 --out runs/mine      # own data
    python -m fastbow.train --resume runs/mine --epochs 6                               # continue

Each epoch prints one line (train loss/accuracy; test loss, accuracy and
perplexity; the time split) and rewrites ``OUT/metrics.json``; at the end
``OUT/model.pt`` (a ``state_dict``) and ``OUT/vocab.json`` are written.
``OUT/checkpoint.pt`` (:mod:`fastbow.training.checkpoint`) is rewritten after every
epoch and on Ctrl-C, which stops after the current batch, saves, and exits
with status 130; ``--resume OUT`` continues exactly (:mod:`fastbow.training.resume`).
All files are written atomically. ``--train-size``/``--test-size``/``--subset`` and
``--val-fraction`` select the rows (:mod:`fastbow.data.subsets`); ``--early-stopping``
chooses the epoch on validation perplexity (:mod:`fastbow.training.early_stopping`);
``--plot`` writes ``OUT/curves.png`` (:mod:`fastbow.reporting.plots`).
"""
from __future__ import annotations

import argparse
import dataclasses

from fastbow.data.tokenize import TOKENIZERS
from fastbow.options import (
    BACKENDS,
    CLASS_WEIGHTS,
    INPUTS,
    OPTIMIZERS,
    QUOTING,
    SUBSET_MODES,
    WEIGHTINGS,
)
from fastbow.training.config import RESUMABLE_FLAGS, TrainConfig

from .cli import HelpFormatter, Parser, exit_process, run_cli


def __getattr__(name):
    """``fastbow.train.run`` / ``.log``: the library side of this command, imported on first use (PEP 562),
    so that ``--help`` and argument errors do not import torch (issue 9, item 5)."""
    if name in ("run", "log"):
        import fastbow.training.run as library

        return getattr(library, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _df(text: str):
    """``--min-df``/``--max-df``: an int (documents) or a float (fraction), as scikit-learn reads them."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fastbow.train`` argument parser; every flag is documented in ``--help``."""
    d = TrainConfig()
    p = Parser(
        prog="python -m fastbow.train", formatter_class=HelpFormatter,
        description="Train a multi-hot bag-of-words MLP (Linear(V+1, H) → ReLU → Linear(H, C)) on IMDB.")
    p.add_argument("--data", default=None, metavar="PATH",
                   help="aclImdb_v1.tar.gz, a folder in the aclImdb layout (any class names), or a .csv/.tsv/"
                        ".jsonl/.parquet table (see the own-data flags); default: $FASTBOW_DATA, "
                        "~/.cache/fastbow, torchtext's cache, else download")
    p.add_argument("--out", default=d.out, metavar="DIR", help="output folder for metrics.json, model.pt, vocab.json")
    p.add_argument("--tokenizer", default=d.tokenizer, choices=list(TOKENIZERS), help="tokenizer name")
    p.add_argument("--vocab-size", type=int, default=None, metavar="K",
                   help="keep the K most frequent training n-grams (features: K + 1 with OOV); "
                        "default: 20,000 with --ngrams 1, 100,000 with 2, 200,000 with 3")
    p.add_argument("--hidden", type=int, default=d.hidden, metavar="H", help="hidden units")
    p.add_argument("--logits", type=int, default=d.logits, metavar="C",
                   help="1: one logit with BCEWithLogitsLoss; C: one per class with CrossEntropyLoss; "
                        "default: 1 for 2 classes, else C")
    p.add_argument("--epochs", type=int, default=d.epochs, help="passes over the training split")
    p.add_argument("--batch-size", type=int, default=d.batch_size, metavar="B", help="rows per batch")
    p.add_argument("--lr", type=float, default=d.lr, help="learning rate")
    p.add_argument("--optimizer", default=d.optimizer, choices=OPTIMIZERS, help="optimizer")
    p.add_argument("--seed", type=int, default=d.seed, help="seed for model init and per-epoch shuffling")
    p.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=d.shuffle,
                   help="reshuffle the training rows every epoch; --no-shuffle keeps the stored order "
                        "(sorted by label: shows why shuffling matters)")
    p.add_argument("--device", default=d.device, help="auto, cpu, cuda or cuda:N")
    p.add_argument("--backend", default=d.backend, choices=list(BACKENDS),
                   help="scatter kernel: auto picks triton on CUDA and numba on the CPU")
    p.add_argument("--input", default=d.input, choices=list(INPUTS),
                   help="auto: fused on the CPU, dense on CUDA; fused: Numba kernels for forward, backward "
                        "and update of the touched table rows only (CPU; adam is lazy Adam there); sparse: "
                        "EmbeddingBag over the CSR ids with autograd (sparse gradients with sgd); dense: multi-hot "
                        "(B, V+1) batches built by the scatter kernel. auto falls back to sparse where the fused kernels do "
                        "not apply (--weighting other than binary, --dropout, --weight-decay, --class-weight, torchrun)")
    f = p.add_argument_group("n-grams and feature values (fastbow.data.ngrams, fastbow.data.weighting)")
    f.add_argument("--ngrams", type=int, default=d.ngrams, metavar="N",
                   help="word n-grams of orders 1..N (1-3), never across <br /> line breaks")
    f.add_argument("--min-df", type=_df, default=d.min_df, metavar="DF",
                   help="drop n-grams in fewer training documents (int: count; float in (0, 1]: fraction)")
    f.add_argument("--max-df", type=_df, default=d.max_df, metavar="DF",
                   help="drop n-grams in more training documents (int: count; float in (0, 1]: fraction)")
    f.add_argument("--hash-buckets", type=int, default=None, metavar="M",
                   help="hash n-grams of order >= 2 into M buckets (stable hash; collisions in fastbow.stats) "
                        "instead of a vocabulary; unigrams keep the top K")
    f.add_argument("--weighting", default=d.weighting, choices=list(WEIGHTINGS),
                   help="feature values: binary (multi-hot), count, tfidf (scikit-learn's: smooth idf, l2 norm) "
                        "or nb (Wang & Manning's log-count ratio, alpha 1), fitted on the training rows")
    f.add_argument("--dropout", type=float, default=d.dropout, metavar="P",
                   help="dropout probability on the input bag while training")
    f.add_argument("--weight-decay", type=float, default=d.weight_decay, metavar="L2",
                   help="L2 penalty added to the gradient (choose it with a sweep on --val-fraction)")
    p.add_argument("--cache", action=argparse.BooleanOptionalAction, default=d.cache,
                   help="reuse the tokenized CSR cache; --no-cache re-tokenizes")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=d.progress,
                   help="show a progress bar per epoch (only on a terminal); --no-progress hides it")
    g = p.add_argument_group("rows, validation and model selection (fastbow.data.subsets, fastbow.training.early_stopping)")
    g.add_argument("--train-size", type=int, default=None, metavar="N", help="train on N rows of the training split")
    g.add_argument("--test-size", type=int, default=None, metavar="N", help="test on N rows of the test split")
    g.add_argument("--subset", default=d.subset, choices=SUBSET_MODES,
                   help="how --train-size/--test-size pick rows: first (stored order, sorted by label: "
                        "the notebook's single-class trap), balanced (first N/C of each class), random (seeded)")
    g.add_argument("--val-fraction", type=float, default=d.val_fraction, metavar="F",
                   help="carve this share of the training rows out for validation, stratified by class and seeded")
    g.add_argument("--early-stopping", type=int, default=None, metavar="PATIENCE",
                   help="stop after PATIENCE epochs without a lower validation perplexity and restore the best epoch")
    g.add_argument("--eval-train", action="store_true",
                   help="evaluate the training rows after every epoch too (train_eval_* in metrics.json)")
    g.add_argument("--eval-batch-size", type=int, default=d.eval_batch_size, metavar="B",
                   help="rows per batch when evaluating")
    g.add_argument("--class-weight", default=d.class_weight, choices=CLASS_WEIGHTS,
                   help="balanced: weight each class's loss by n / (C * count) of the training rows "
                        "(scikit-learn's rule) for imbalanced data; reported in metrics.json")
    g.add_argument("--summary", action="store_true", help="print the parameter table per layer before training")
    g.add_argument("--plot", action="store_true", help="write OUT/curves.png: loss and perplexity per epoch")
    own = p.add_argument_group("own data (--data FILE.csv/.tsv/.jsonl/.parquet, or an aclImdb-layout folder)")
    own.add_argument("--text-column", default=d.text_column, metavar="NAME", help="table column with the text")
    own.add_argument("--label-column", default=d.label_column, metavar="NAME", help="table column with the label")
    own.add_argument("--test-file", default=d.test_file, metavar="PATH", help="table file with the test split")
    own.add_argument("--test-fraction", type=float, default=d.test_fraction, metavar="F",
                     help="hold out this fraction of the training data as the test split (stratified, seed 0)")
    own.add_argument("--test-text-column", default=None, metavar="NAME",
                     help="the --test-file's text column, when named differently (default: --text-column)")
    own.add_argument("--test-label-column", default=None, metavar="NAME",
                     help="the --test-file's label column, when named differently (default: --label-column)")
    own.add_argument("--delimiter", default=None, metavar="CHAR",
                     help="CSV/TSV field separator, one character or 'tab' (default: ',' for .csv, tab for .tsv)")
    own.add_argument("--encoding", default=d.encoding, help="text encoding of CSV/TSV/JSONL tables (a Python codec)")
    own.add_argument("--quoting", default=d.quoting, choices=QUOTING,
                     help="CSV/TSV quoting: minimal (fields may be quoted with \") or none (\" is a plain character)")
    p.add_argument("--overwrite", action="store_true",
                   help="start a new run in --out even if it holds an unfinished run (whose checkpoint is lost)")
    p.add_argument("--resume", default=None, metavar="OUT",
                   help="continue the run saved in OUT/checkpoint.pt with its settings "
                        f"(only {RESUMABLE_FLAGS} may change)")
    return p


def explicit_flags(argv) -> dict:
    """The flags given in ``argv`` (dest → value), without the defaults of those not given."""
    p, unset = build_parser(), object()  # not a str, so argparse does not convert it with type=
    p.set_defaults(**dict.fromkeys(vars(p.parse_args([])), unset))
    return {k: v for k, v in vars(p.parse_args(argv)).items() if v is not unset}


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (see :func:`fastbow.cli.run_cli`)."""
    parser = build_parser()
    args = parser.parse_args(argv)

    def go():
        import fastbow.training.resume as resuming  # torch loads here, after the arguments parsed
        from fastbow.training.checkpoint import load_checkpoint
        from fastbow.training.run import run

        if args.resume is None:
            return run(TrainConfig(**vars(args)))
        saved = load_checkpoint(args.resume)["config"]
        fields = [f.name for f in dataclasses.fields(TrainConfig)]
        return run(TrainConfig(**resuming.merge_config(saved, explicit_flags(argv), args.resume, fields)))

    return run_cli(go, parser)


if __name__ == "__main__":
    exit_process(main())  # without the interpreter's multi-second teardown (see fastbow.cli)
