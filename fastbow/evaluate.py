"""Score a labelled dataset with a trained run: ``python -m fastbow.evaluate``.

Examples::

    python -m fastbow.evaluate --model runs/a --data ../shared/data/aclImdb_v1.tar.gz     # IMDB test split
    python -m fastbow.evaluate --model runs/mine --data heldout.csv --text-column review --label-column sentiment
    python -m fastbow.evaluate --model runs/news --data news/ --json --plot runs/news/confusion.png

Prints loss (nats per document), accuracy and perplexity, then per-class precision, recall, F1 and
support with macro and weighted averages, and the confusion matrix (rows: true class; columns:
predicted); ``--json`` prints the same as one JSON object (the block the trainer writes into
``metrics.json`` under ``classification``), ``--plot [PNG]`` draws the confusion matrix.

What is evaluated (:mod:`fastbow.evaluation.evalset`): for an IMDB archive or an aclImdb-layout
folder, its ``test/`` split — with the run's vocabulary, tokenizer and the trainer's evaluation batch
size, so a run trained on that data gets exactly the trainer's test accuracy back; for a table file,
**every row of the file** (use a file the run was not trained on: a ``--test-fraction`` run's training
table holds its training rows too).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from fastbow.data.dataset import kind
from fastbow.evaluation.evalset import encode_split, read_eval_split
from fastbow.evaluation.report import format_confusion, format_report
from fastbow.evaluation.scoring import EVAL_BATCH_SIZE, evaluate_csr
from fastbow.training.device import resolve_device

from .atomic import finite_json
from .cli import HelpFormatter, Parser, run_cli
from .errors import DataError
from .kernels import BACKENDS

log = logging.getLogger("fastbow")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fastbow.evaluate`` argument parser."""
    p = Parser(prog="python -m fastbow.evaluate", formatter_class=HelpFormatter,
                                description="Loss, accuracy, perplexity, per-class precision/recall/F1 and the "
                                            "confusion matrix of a trained run on labelled data.")
    p.add_argument("--model", required=True, metavar="RUN", help="output folder of a training run (or its checkpoint.pt)")
    p.add_argument("--data", required=True, metavar="PATH",
                   help="IMDB archive or aclImdb-layout folder (its test/ split is evaluated), or a .csv/.tsv/"
                        ".jsonl/.parquet table (every row is evaluated)")
    p.add_argument("--text-column", default="text", metavar="NAME", help="table column with the text")
    p.add_argument("--label-column", default="label", metavar="NAME", help="table column with the label")
    p.add_argument("--batch-size", type=int, default=EVAL_BATCH_SIZE, metavar="B",
                   help="documents per scored batch (the trainer's --eval-batch-size default)")
    p.add_argument("--device", default="auto", help="auto (cuda if available), cpu, cuda or cuda:N")
    p.add_argument("--backend", default="auto", choices=list(BACKENDS), help="scatter kernel")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    p.add_argument("--plot", nargs="?", const="", default=None, metavar="PNG",
                   help="draw the confusion matrix into PNG (default RUN/confusion.png)")
    return p


def evaluate_run(model: str, data: str, *, text_column: str = "text", label_column: str = "label",
                 batch_size: int = EVAL_BATCH_SIZE, device: str = "auto", backend: str = "auto") -> dict:
    """Evaluate the run in folder ``model`` on ``data`` (see the module doc).

    Returns:
        dict: :func:`fastbow.evaluation.scoring.evaluate_with_report`'s block plus ``model``, ``data``
        and ``split`` (``"test"`` for a folder or archive, ``"file"`` for a table).

    Raises:
        DataError / FastbowError: an unreadable run or data, unknown classes, bad flags (one line).
    """
    from fastbow.inference import load_predictor  # loads torch: imported when used

    predictor = load_predictor(model, resolve_device(device), backend)
    split = read_eval_split(data, predictor.classes, text_column, label_column)
    csr = encode_split(split, predictor.vocab)
    block = evaluate_csr(predictor.model, csr, predictor.classes, predictor.device, backend, batch_size)
    return {"model": str(model), "data": str(data), "split": "test" if kind(data) == "imdb" else "file"} | block


def format_result(r: dict) -> str:
    """The text report: headline figures, the per-class table and the confusion matrix."""
    ppl = "inf" if r["perplexity"] == float("inf") else f"{r['perplexity']:.4f}"
    what = "test split" if r["split"] == "test" else "every row"
    return "\n".join([
        f"evaluated {r['model']} on {r['data']} ({what}, {r['n']:,} documents)",
        f"loss {r['loss']:.4f}  accuracy {100 * r['accuracy']:.2f}%  perplexity {ppl}", "",
        format_report(r), "", "confusion matrix (rows: true class, columns: predicted class)",
        format_confusion(r)])


def run(args: argparse.Namespace) -> dict:
    """Evaluate, print the report (or JSON) and draw the plot when asked."""
    if args.json:
        log.setLevel(logging.WARNING)  # stdout carries the JSON document only
    r = evaluate_run(args.model, args.data, text_column=args.text_column, label_column=args.label_column,
                     batch_size=args.batch_size, device=args.device, backend=args.backend)
    if args.plot is not None:
        run_dir = Path(args.model) if Path(args.model).is_dir() else Path(args.model).parent
        png = Path(args.plot) if args.plot else run_dir / "confusion.png"
        if png.suffix.lower() != ".png":
            raise DataError(f"--plot {png} should name a .png file")
        from fastbow.reporting.confusion import (
            plot_confusion,  # matplotlib loads only here
        )

        plot_confusion(r, png, title=f"{Path(r['model']).name} on {Path(r['data']).name}")
        log.info("wrote %s", png)
    # strict JSON: an overflowed perplexity (inf) is written as null, as in metrics.json
    print(json.dumps(finite_json(r), indent=2, ensure_ascii=False, allow_nan=False) if args.json else format_result(r))
    return r


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (see :func:`fastbow.cli.run_cli`)."""
    args = build_parser().parse_args(argv)
    return run_cli(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
