"""Score new texts with a trained run: ``python -m fastbow.predict``.

Examples::

    python -m fastbow.predict --model runs/a "A wonderful, moving film." "Dull and far too long."
    python -m fastbow.predict --model runs/a --file reviews.txt        # one text per line
    cat reviews.txt | python -m fastbow.predict --model runs/a --file -

Each input gives one line on stdout, in input order: the predicted label, its
probability, and the start of the text, separated by tabs (``--json``: one JSON
object per line with every class's probability)::

    pos	0.9731	A wonderful, moving film.

The texts go through the run's own tokenizer and vocabulary (from
``OUT/checkpoint.pt``), are encoded as CSR rows (:func:`fastbow.data.csr.encode_csr`)
and scored in batches built by the same scatter kernel as in training
(:class:`fastbow.training.loader.DeviceBatchLoader`). The checkpoint is loaded with
``torch.load(weights_only=True)``: no code from the file is run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli import HelpFormatter, Parser, exit_process, run_cli
from .errors import DataError, FastbowError
from .options import BACKENDS

__all__ = ["Predictor", "load_predictor", "main", "read_lines"]

_PREVIEW = 60  # characters of each text echoed in the output


def __getattr__(name):
    """``fastbow.predict.Predictor`` / ``.load_predictor``: the library (:mod:`fastbow.inference`), imported on
    first use (PEP 562) so that ``--help`` and argument errors do not import torch (issue 9, item 5)."""
    if name in ("Predictor", "load_predictor"):
        import fastbow.inference as library

        return getattr(library, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_lines(path: str) -> list[str]:
    """Texts from ``path`` (``"-"``: stdin), one per line; a final newline ends the last text.

    A leading byte order mark is dropped; bytes that are not UTF-8 become U+FFFD, and one warning
    on stderr gives the number of lines that needed it (and says so when the input looks binary),
    see :mod:`fastbow.data.texts`. Empty lines are kept as empty texts, so output line ``i``
    always belongs to input line ``i``.

    Raises:
        DataError: the file cannot be read.
    """
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"cannot read --file {path} ({e.strerror or e}); pass an existing text file or -") from None
    from fastbow.data import texts as texts_io

    lines = texts_io.split_lines(raw)
    problem = texts_io.describe_problems(lines, "stdin" if path == "-" else path)
    if problem:
        print(f"warning: {problem}", file=sys.stderr)
    return lines.texts


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fastbow.predict`` argument parser."""
    p = Parser(prog="python -m fastbow.predict", formatter_class=HelpFormatter,
                                description="Print the predicted label and its probability for each text.")
    p.add_argument("--model", required=True, metavar="OUT", help="output folder of a training run (or its checkpoint.pt)")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to score")
    p.add_argument("--file", metavar="PATH", help="score each line of PATH ('-': standard input) instead of TEXT; "
                   "a .csv/.tsv/.jsonl/.parquet PATH is read as a table (one text per record, --text-column)")
    p.add_argument("--batch-size", type=int, default=256, metavar="B", help="texts per scored batch")
    p.add_argument("--device", default="auto", help="auto (cuda if available, as train), cpu, cuda or cuda:N")
    p.add_argument("--backend", default="auto", choices=list(BACKENDS), help="scatter kernel")
    p.add_argument("--json", action="store_true", help="one JSON object per line with every class's probability")
    t = p.add_argument_group("tables and output (fastbow.data.text_table, fastbow.evaluation.predictions)")
    t.add_argument("--text-column", default="text", metavar="NAME", help="table column with the text")
    t.add_argument("--id-column", default=None, metavar="NAME",
                   help="table column passed through as each prediction's id (default: the 1-based row number)")
    t.add_argument("--output", default=None, metavar="FILE",
                   help="write the predictions to FILE: .csv or .jsonl (id, label, probability, every class's "
                        "probability, top-k) instead of stdout")
    t.add_argument("--top-k", type=int, default=None, metavar="K", help="also list the K most probable classes")
    t.add_argument("--threshold", type=float, default=None, metavar="T",
                   help="two-class models: predict the second class when its probability is >= T (default: argmax)")
    return p


def run(args: argparse.Namespace) -> None:
    """Score ``args.texts`` or the lines of ``args.file`` and print one line each (see module doc).

    Raises:
        FastbowError / DataError: bad arguments, model or input (one line).
    """
    # torch loads here, after the arguments parsed
    from fastbow.data import texts as texts_io
    from fastbow.data.text_table import is_table, read_texts
    from fastbow.evaluation.predictions import (
        format_records,
        output_format,
        prediction_records,
        write_records,
    )
    from fastbow.inference import load_predictor
    from fastbow.training.device import resolve_device

    if args.texts and args.file is not None:
        raise FastbowError("pass texts either as TEXT arguments or with --file, not both")
    if args.file is None and not args.texts:
        raise FastbowError("no texts to score; pass TEXT arguments, or --file PATH ('-' for standard input)")
    # argv holds undecodable bytes as surrogate escapes: turn them into U+FFFD like the file reader
    if args.output is not None:
        output_format(args.output)  # a bad suffix fails before any reading
    ids = None
    if args.file is not None and args.file != "-" and is_table(args.file):  # one text per record
        texts, ids, _ = read_texts(args.file, args.text_column, args.id_column)
    elif args.id_column is not None or args.text_column != "text":
        raise FastbowError("--text-column/--id-column apply to a table --file (.csv, .tsv, .jsonl, .parquet); "
                           "drop them or pass a table")
    else:
        texts = read_lines(args.file) if args.file is not None else [
            texts_io.strip_bom(t.encode("utf-8", "surrogateescape").decode("utf-8", "replace")) for t in args.texts]
    if not texts:
        raise FastbowError(f"no texts to score: {'standard input' if args.file == '-' else args.file} is empty")
    blank = texts_io.blank_mask(texts)  # (n,) bool: no words, so no prediction (the score would be the bias)
    if blank.all():
        raise FastbowError(f"no texts to score: all {len(texts)} are empty or whitespace only")
    predictor = load_predictor(args.model, resolve_device(args.device), args.backend)
    ids = list(range(1, len(texts) + 1)) if ids is None else list(ids)
    kept = [i for i, b in enumerate(blank) if not b]
    probs = predictor.probabilities([texts[i] for i in kept], args.batch_size)  # (n_kept, C)
    scored = iter(prediction_records(probs, predictor.classes, [ids[i] for i in kept],
                                     k=args.top_k, threshold=args.threshold))
    records = [{"id": ids[i], "label": None, "probability": None,
                "probabilities": {c: None for c in predictor.classes}, "skipped": "empty text"}
               if blank[i] else next(scored) for i in range(len(texts))]  # one record per input, in order
    if blank.any():
        print(f"warning: {int(blank.sum())} of {len(texts)} texts are empty or whitespace only; they were not "
              + ("scored (label and probability null, \"skipped\": \"empty text\")" if args.json or args.output
                 else "scored (label and probability printed as -)"), file=sys.stderr)
    if args.output is not None:
        write_records(records, predictor.classes, args.output)
        print(f"wrote {len(records)} predictions to {args.output}", file=sys.stderr)
        return
    if args.json:
        sys.stdout.write(format_records(records, predictor.classes, "jsonl"))
        return
    show_ids = args.file is not None and args.file != "-" and is_table(args.file)
    lines = [(f"{r['id']}\t" if show_ids else "")
             + (f"-\t-\t{_preview(text)}" if r["label"] is None else f"{r['label']}\t{r['probability']:.4f}\t{_preview(text)}")
             for r, text in zip(records, texts)]
    sys.stdout.write("\n".join(lines) + "\n")


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (0, or 2 with ``error: ...`` on stderr)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return run_cli(lambda: run(args), parser)


if __name__ == "__main__":
    exit_process(main())  # without the interpreter's multi-second teardown (see fastbow.cli)
