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
import json
import sys
from pathlib import Path

from .cli import HelpFormatter, exit_process, run_cli
from .errors import DataError, FastbowError
from .options import BACKENDS

__all__ = ["Predictor", "load_predictor", "read_lines", "main"]

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

    Bytes that are not UTF-8 become U+FFFD; the number of lines that needed it is reported on
    stderr. Empty lines are kept as empty texts (their score is the model's bias), so output line
    ``i`` always belongs to input line ``i``.

    Raises:
        DataError: the file cannot be read.
    """
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"cannot read --file {path} ({e.strerror or e}); pass an existing text file or -") from None
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    texts, n_bad = [], 0
    for line in lines:
        line = line[:-1] if line.endswith(b"\r") else line
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(line.decode("utf-8", errors="replace"))
            n_bad += 1
    if n_bad:
        print(f"warning: {n_bad} of {len(texts)} lines of {'stdin' if path == '-' else path} held bytes that "
              "are not UTF-8; they were replaced with U+FFFD", file=sys.stderr)
    return texts


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fastbow.predict`` argument parser."""
    p = argparse.ArgumentParser(prog="python -m fastbow.predict", formatter_class=HelpFormatter,
                                description="Print the predicted label and its probability for each text.")
    p.add_argument("--model", required=True, metavar="OUT", help="output folder of a training run (or its checkpoint.pt)")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to score")
    p.add_argument("--file", metavar="PATH", help="score each line of PATH ('-': standard input) instead of TEXT")
    p.add_argument("--batch-size", type=int, default=256, metavar="B", help="texts per scored batch")
    p.add_argument("--device", default="cpu", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--backend", default="auto", choices=list(BACKENDS), help="scatter kernel")
    p.add_argument("--json", action="store_true", help="one JSON object per line with every class's probability")
    return p


def run(args: argparse.Namespace) -> None:
    """Score ``args.texts`` or the lines of ``args.file`` and print one line each (see module doc).

    Raises:
        FastbowError / DataError: bad arguments, model or input (one line).
    """
    # torch loads here, after the arguments parsed
    from fastbow.inference import load_predictor
    from fastbow.training.device import resolve_device

    if args.texts and args.file is not None:
        raise FastbowError("pass texts either as TEXT arguments or with --file, not both")
    if args.file is None and not args.texts:
        raise FastbowError("no texts to score; pass TEXT arguments, or --file PATH ('-' for standard input)")
    # argv holds undecodable bytes as surrogate escapes: turn them into U+FFFD like the file reader
    texts = read_lines(args.file) if args.file is not None else [
        t.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for t in args.texts]
    if not texts:
        raise FastbowError(f"no texts to score: {'standard input' if args.file == '-' else args.file} is empty")
    predictor = load_predictor(args.model, resolve_device(args.device), args.backend)
    probs = predictor.probabilities(texts, args.batch_size)  # (n, C)
    best = probs.argmax(axis=1)
    lines = []
    for text, p, b in zip(texts, probs, best):
        label = predictor.classes[b]
        if args.json:
            lines.append(json.dumps({"label": label, "probability": round(float(p[b]), 6),
                                     "probabilities": {c: round(float(q), 6) for c, q in zip(predictor.classes, p)}},
                                    ensure_ascii=False))
        else:
            lines.append(f"{label}\t{p[b]:.4f}\t{_preview(text)}")
    sys.stdout.write("\n".join(lines) + "\n")


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (0, or 2 with ``error: ...`` on stderr)."""
    args = build_parser().parse_args(argv)
    return run_cli(lambda: run(args))


if __name__ == "__main__":
    exit_process(main())  # without the interpreter's multi-second teardown (see fastbow.cli)
